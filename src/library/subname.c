#include "library/subname.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *ext, *codec;
} exts[] = {{"srt", "subrip"}, {"ass", "ass"}, {"ssa", "ass"}, {"vtt", "webvtt"}};

/* English names people write instead of codes, to ISO 639-1. */
static const struct {
    const char *name, *code;
} names[] = {
    {"english", "en"},   {"french", "fr"},     {"german", "de"},    {"spanish", "es"},
    {"italian", "it"},   {"portuguese", "pt"}, {"dutch", "nl"},     {"swedish", "sv"},
    {"norwegian", "no"}, {"danish", "da"},     {"finnish", "fi"},   {"polish", "pl"},
    {"russian", "ru"},   {"japanese", "ja"},   {"chinese", "zh"},   {"korean", "ko"},
    {"arabic", "ar"},    {"turkish", "tr"},    {"greek", "el"},     {"hebrew", "he"},
    {"hindi", "hi"},     {"czech", "cs"},      {"hungarian", "hu"}, {"romanian", "ro"},
    {"ukrainian", "uk"}, {"vietnamese", "vi"}, {"thai", "th"},      {"indonesian", "id"},
};

static bool all_alpha(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isalpha((unsigned char)s[i]))
            return false;
    return n > 0;
}

/* "en", "eng", "pt-BR", "zh-Hans": a code of 2 or 3 letters, with a region or script. */
static bool language_code(const char *t, size_t n)
{
    size_t base = strcspn(t, "-_");
    if (base > n)
        base = n;
    if ((base != 2 && base != 3) || !all_alpha(t, base))
        return false;
    return base == n ||
           (n - base - 1 >= 2 && n - base - 1 <= 4 && all_alpha(t + base + 1, n - base - 1));
}

static void set_language(struct subname *out, const char *t, size_t n)
{
    size_t i = 0;
    for (; i < n && i + 1 < sizeof(out->language); i++)
        out->language[i] = t[i] == '_' ? '-' : (char)tolower((unsigned char)t[i]);
    out->language[i] = '\0';
}

static void add_title(struct subname *out, const char *t, size_t n)
{
    size_t have = strlen(out->title);
    snprintf(out->title + have, sizeof(out->title) - have, "%s%.*s", have ? " " : "", (int)n, t);
}

static bool tag_is(const char *t, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(t, word, n) == 0;
}

bool subname_parse(const char *stem, const char *name, struct subname *out)
{
    memset(out, 0, sizeof(*out));
    size_t stem_len = strlen(stem);
    if (strncmp(name, stem, stem_len) != 0 || name[stem_len] != '.')
        return false;
    const char *ext = strrchr(name, '.');
    const char *codec = NULL;
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (strcasecmp(ext + 1, exts[i].ext) == 0)
            codec = exts[i].codec;
    if (!codec)
        return false;
    snprintf(out->codec, sizeof(out->codec), "%s", codec);
    for (const char *t = name + stem_len + 1; t < ext;) {
        size_t n = strcspn(t, ".");
        if (t + n > ext)
            n = (size_t)(ext - t);
        bool language = !out->language[0];
        if (tag_is(t, n, "forced") || tag_is(t, n, "foreign")) {
            out->forced = true;
        } else if (tag_is(t, n, "sdh") || tag_is(t, n, "cc") || (tag_is(t, n, "hi") && !language)) {
            out->sdh = true;
        } else if (tag_is(t, n, "default")) {
            out->is_default = true;
        } else if (language && language_code(t, n)) {
            set_language(out, t, n);
        } else {
            bool named = false;
            for (size_t i = 0; language && !named && i < sizeof(names) / sizeof(names[0]); i++)
                if (tag_is(t, n, names[i].name)) {
                    set_language(out, names[i].code, strlen(names[i].code));
                    named = true;
                }
            if (!named && n > 0)
                add_title(out, t, n);
        }
        t += n + 1;
    }
    return true;
}
