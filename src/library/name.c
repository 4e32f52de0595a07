#include "library/name.h"
#include "core/compat.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const video_exts[] = {"mkv", "mp4", "m4v",  "avi", "mov", "webm", "ts", "m2ts",
                                         "mts", "mpg", "mpeg", "wmv", "flv", "ogv",  "3gp"};

/* Words that start the technical tail of a release name. */
static const char *const junk_words[] = {
    "4k",    "uhd",    "bluray",   "blu-ray", "brrip",    "bdrip",   "webrip", "web-dl",
    "webdl", "web",    "hdtv",     "dvdrip",  "dvd",      "x264",    "x265",   "h264",
    "h265",  "h.264",  "hevc",     "avc",     "xvid",     "divx",    "hdr",    "hdr10",
    "remux", "proper", "repack",   "10bit",   "8bit",     "aac",     "ac3",    "dts",
    "atmos", "ddp5.1", "dd5.1",    "multi",   "hdrip",    "amzn",    "nf",     "dsnp",
    "hmax",  "imax",   "extended", "unrated", "internal", "limited", "dubbed", "subbed"};

static const char *const extra_words[] = {"sample", "trailer", "featurette", "behindthescenes"};
static const char *const extra_dirs[] = {"sample",         "samples",    "extras",
                                         "featurettes",    "trailers",   "behind the scenes",
                                         "deleted scenes", "interviews", "shorts"};

const char *name_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    return dot && (!slash || dot > slash) ? dot + 1 : NULL;
}

bool name_is_video(const char *path)
{
    const char *ext = name_extension(path);
    for (size_t i = 0; ext && i < ARRAY_LEN(video_exts); i++)
        if (strcasecmp(ext, video_exts[i]) == 0)
            return true;
    return false;
}

bool name_is_extra(const char *relpath)
{
    const char *p = relpath;
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        size_t n = (size_t)(slash - p);
        for (size_t i = 0; i < ARRAY_LEN(extra_dirs); i++)
            if (strlen(extra_dirs[i]) == n && strncasecmp(p, extra_dirs[i], n) == 0)
                return true;
        p = slash + 1;
    }
    /* "Title-trailer.mkv", "Title.sample.mkv" */
    const char *ext = name_extension(p);
    size_t n = ext ? (size_t)(ext - 1 - p) : strlen(p);
    for (size_t i = 0; i < ARRAY_LEN(extra_words); i++) {
        size_t w = strlen(extra_words[i]);
        if (n > w && strncasecmp(p + n - w, extra_words[i], w) == 0 && strchr("-._ ", p[n - w - 1]))
            return true;
        if (n == w && strncasecmp(p, extra_words[i], w) == 0)
            return true;
    }
    return false;
}

static bool is_sep(char c)
{
    return c == ' ' || c == '.' || c == '_' || c == '-';
}

/*
 * Copies s[0..n) to out as a readable name: dots and underscores become spaces, runs of
 * spaces become one, [tags] and {ids} are dropped, and separators at either end go.
 */
static void clean(const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0;
    int depth = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        char c = s[i];
        if (c == '[' || c == '{') {
            depth++;
            continue;
        }
        if ((c == ']' || c == '}') && depth) {
            depth--;
            continue;
        }
        if (depth)
            continue;
        /* A dot between two capitals or digits stays: "S.H.I.E.L.D.", "2.0". */
        if (c == '.' && i > 0 && i + 1 < n && isupper((unsigned char)s[i - 1]) &&
            (i + 2 >= n || s[i + 2] == '.') && isupper((unsigned char)s[i + 1]))
            c = '.';
        else if (c == '.' || c == '_')
            c = ' ';
        if (c == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        out[o++] = c;
    }
    while (o > 0 && (is_sep(out[o - 1]) || out[o - 1] == '(' || out[o - 1] == ','))
        o--;
    out[o] = '\0';
    size_t start = 0;
    while (out[start] && (is_sep(out[start]) || out[start] == ')'))
        start++;
    memmove(out, out + start, o - start + 1);
}

static bool is_junk(const char *w, size_t n)
{
    /* 720p, 1080p, 2160p, 1080i */
    if (n >= 4 && n <= 5 && (w[n - 1] == 'p' || w[n - 1] == 'P' || w[n - 1] == 'i')) {
        size_t d = 0;
        while (d < n - 1 && isdigit((unsigned char)w[d]))
            d++;
        if (d == n - 1)
            return true;
    }
    for (size_t i = 0; i < ARRAY_LEN(junk_words); i++)
        if (strlen(junk_words[i]) == n && strncasecmp(w, junk_words[i], n) == 0)
            return true;
    return false;
}

static int as_year(const char *w, size_t n)
{
    if (n != 4)
        return 0;
    for (size_t i = 0; i < 4; i++)
        if (!isdigit((unsigned char)w[i]))
            return 0;
    int y = (w[0] - '0') * 1000 + (w[1] - '0') * 100 + (w[2] - '0') * 10 + (w[3] - '0');
    return y >= 1880 && y <= 2099 ? y : 0;
}

struct word {
    const char *ptr;
    size_t len;
};

/*
 * Reads "Title (Year) tags…" or "Title.Year.tags…". The year is the last year-like word
 * before the tags that is not the first word, so "1917 (2019)" is 1917 from 2019 and
 * "2012.mkv" is the film 2012.
 */
static void title_year(const char *s, size_t n, char *title, size_t size, int *year)
{
    struct word words[64];
    size_t count = 0;
    size_t i = 0;
    int depth = 0;
    while (i < n && count < ARRAY_LEN(words)) {
        char c = s[i];
        if (c == '[' || c == '{')
            depth++;
        else if ((c == ']' || c == '}') && depth)
            depth--;
        if (depth || c == ']' || c == '}' || c == ' ' || c == '.' || c == '_' || c == '(' ||
            c == ')') {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && !strchr(" ._()[]{}", s[i]))
            i++;
        words[count++] = (struct word){s + start, i - start};
    }

    size_t end = count;
    for (size_t w = 1; w < count; w++) {
        if (is_junk(words[w].ptr, words[w].len)) {
            end = w;
            break;
        }
    }
    *year = 0;
    size_t title_end = end;
    for (size_t w = end; w-- > 1;) {
        int y = as_year(words[w].ptr, words[w].len);
        if (y) {
            *year = y;
            title_end = w;
            break;
        }
    }
    if (title_end == 0) {
        clean(s, n, title, size);
        return;
    }
    /* The title runs from the first word to the end of the last word kept. */
    const char *stop = words[title_end - 1].ptr + words[title_end - 1].len;
    /* Keep the ")" that closes a part of the title such as "The Office (US)". */
    if (*stop == ')' && memchr(words[0].ptr, '(', (size_t)(stop - words[0].ptr)))
        stop++;
    clean(words[0].ptr, (size_t)(stop - words[0].ptr), title, size);
}

/* Reads 1 to max digits at s; returns how many, or 0. */
static size_t digits(const char *s, size_t max, int *value)
{
    size_t i = 0;
    int v = 0;
    while (i < max && isdigit((unsigned char)s[i]))
        v = v * 10 + (s[i++] - '0');
    if (i == 0 || isdigit((unsigned char)s[i]))
        return 0;
    *value = v;
    return i;
}

struct episode_match {
    size_t start, end;
    int season, episode, episode_end;
};

/* S01E02, s1e2, S01 E02, S01E01E02, S01E01-E02, S01E01-02 */
static bool match_sxxexx(const char *b, struct episode_match *m)
{
    for (size_t i = 0; b[i]; i++) {
        if ((b[i] != 'S' && b[i] != 's') || (i > 0 && isalnum((unsigned char)b[i - 1])))
            continue;
        size_t p = i + 1;
        size_t d = digits(b + p, 2, &m->season);
        if (!d)
            continue;
        p += d;
        if (b[p] == ' ' || b[p] == '.')
            p++;
        if (b[p] != 'E' && b[p] != 'e')
            continue;
        d = digits(b + p + 1, 3, &m->episode);
        if (!d)
            continue;
        p += 1 + d;
        m->start = i;
        m->episode_end = m->episode;
        for (;;) {
            int next;
            size_t q = p;
            if (b[q] == '-')
                q++;
            if (b[q] == 'E' || b[q] == 'e')
                q++;
            else if (q == p)
                break;
            d = digits(b + q, 3, &next);
            if (!d || next <= m->episode_end || next > m->episode_end + 20)
                break;
            m->episode_end = next;
            p = q + d;
        }
        m->end = p;
        return true;
    }
    return false;
}

/* 1x02, 01x02, 1x02-03 */
static bool match_nxnn(const char *b, struct episode_match *m)
{
    for (size_t i = 0; b[i]; i++) {
        if (!isdigit((unsigned char)b[i]) || (i > 0 && isalnum((unsigned char)b[i - 1])))
            continue;
        size_t d = digits(b + i, 2, &m->season);
        if (!d || (b[i + d] != 'x' && b[i + d] != 'X'))
            continue;
        size_t p = i + d + 1;
        size_t e = digits(b + p, 3, &m->episode);
        if (!e || e < 2 || isalpha((unsigned char)b[p + e]))
            continue;
        p += e;
        m->start = i;
        m->episode_end = m->episode;
        int next;
        if (b[p] == '-' && (e = digits(b + p + 1, 3, &next)) && next > m->episode) {
            m->episode_end = next;
            p += 1 + e;
        }
        m->end = p;
        return true;
    }
    return false;
}

/* "Season 01", "Season 1", "S01", "Series 2", "Specials" */
static bool season_dir(const char *s, size_t n, int *season)
{
    if (n == 8 && strncasecmp(s, "specials", 8) == 0) {
        *season = 0;
        return true;
    }
    size_t skip = 0;
    if (n > 7 && strncasecmp(s, "season", 6) == 0 && is_sep(s[6]))
        skip = 7;
    else if (n > 7 && strncasecmp(s, "series", 6) == 0 && is_sep(s[6]))
        skip = 7;
    else if (n > 6 && strncasecmp(s, "season", 6) == 0 && isdigit((unsigned char)s[6]))
        skip = 6;
    else if (n > 1 && (s[0] == 'S' || s[0] == 's') && isdigit((unsigned char)s[1]))
        skip = 1;
    else
        return false;
    int v = 0;
    size_t i = skip;
    while (i < n && isdigit((unsigned char)s[i]) && i - skip < 4)
        v = v * 10 + (s[i++] - '0');
    if (i != n || i == skip)
        return false;
    *season = v;
    return true;
}

/* "01 - Pilot", "E01 - Pilot", "Episode 1", "Ep.01" inside a season folder. */
static bool match_bare_episode(const char *b, struct episode_match *m)
{
    size_t p = 0;
    if (strncasecmp(b, "episode", 7) == 0)
        p = 7;
    else if (strncasecmp(b, "ep", 2) == 0 && !isalpha((unsigned char)b[2]))
        p = 2;
    else if ((b[0] == 'E' || b[0] == 'e') && isdigit((unsigned char)b[1]))
        p = 1;
    while (is_sep(b[p]))
        p++;
    size_t d = digits(b + p, 3, &m->episode);
    if (!d || (b[p + d] && !is_sep(b[p + d])))
        return false;
    m->start = 0;
    m->end = p + d;
    m->episode_end = m->episode;
    return true;
}

/* The words after the episode marker, up to the release tags: the episode's title. */
static void episode_title(const char *s, char *out, size_t size)
{
    const char *end = s + strlen(s);
    const char *w = s;
    while (*w) {
        while (*w && strchr(" ._-", *w))
            w++;
        const char *we = w;
        while (*we && !strchr(" ._-", *we))
            we++;
        if (we > w && is_junk(w, (size_t)(we - w))) {
            end = w;
            break;
        }
        w = we;
    }
    clean(s, (size_t)(end - s), out, size);
}

void name_parse(const char *relpath, struct media_name *out)
{
    memset(out, 0, sizeof(*out));

    /* Split into folders and the file's base name without its extension. */
    const char *dirs[32];
    size_t dlen[32], ndirs = 0;
    const char *p = relpath;
    while (*p == '/')
        p++;
    const char *slash;
    while ((slash = strchr(p, '/'))) {
        if (slash > p && ndirs < ARRAY_LEN(dirs)) {
            dirs[ndirs] = p;
            dlen[ndirs++] = (size_t)(slash - p);
        }
        p = slash + 1;
    }
    char base[512];
    const char *ext = name_extension(p);
    size_t blen = ext ? (size_t)(ext - 1 - p) : strlen(p);
    snprintf(base, sizeof(base), "%.*s", (int)blen, p);

    int folder_season = -1;
    bool in_season_dir = ndirs > 0 && season_dir(dirs[ndirs - 1], dlen[ndirs - 1], &folder_season);

    struct episode_match m = {0};
    bool episode = match_sxxexx(base, &m) || match_nxnn(base, &m);
    if (!episode && in_season_dir && match_bare_episode(base, &m)) {
        episode = true;
        m.season = folder_season;
    }

    if (episode) {
        out->kind = MEDIA_EPISODE;
        out->season = m.season;
        out->episode = m.episode;
        out->episode_end = m.episode_end;
        episode_title(base + m.end, out->episode_title, sizeof(out->episode_title));
        /* The show's folder names the show: the folder above the season folder, or the
         * folder holding the file. A file loose in the library root names it itself. */
        size_t show_dir = in_season_dir ? ndirs - 1 : ndirs;
        if (show_dir > 0)
            title_year(dirs[show_dir - 1], dlen[show_dir - 1], out->title, sizeof(out->title),
                       &out->year);
        if (!out->title[0])
            title_year(base, m.start, out->title, sizeof(out->title), &out->year);
        if (!out->title[0])
            snprintf(out->title, sizeof(out->title), "Unknown show");
        return;
    }

    out->kind = MEDIA_MOVIE;
    title_year(base, strlen(base), out->title, sizeof(out->title), &out->year);
    /* "Alien (1979)/movie.mkv": a folder with a year names a file without one. */
    if (!out->year && ndirs > 0) {
        char title[256];
        int year;
        title_year(dirs[ndirs - 1], dlen[ndirs - 1], title, sizeof(title), &year);
        if (year) {
            snprintf(out->title, sizeof(out->title), "%s", title);
            out->year = year;
        }
    }
    if (!out->title[0])
        snprintf(out->title, sizeof(out->title), "%.*s", (int)sizeof(out->title) - 1, base);
}
