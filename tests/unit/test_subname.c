/* Sidecar subtitle names (language, forced, hearing impaired, default and title) and
 * character sets, and which codecs are text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "library/lang.h"
#include "library/subname.h"
#include "library/subtitles.h"
#include <cmocka.h>
#include <string.h>

static const char stem[] = "Film (2020)";

static void check(const char *name, const char *language, int forced, int sdh, int dflt,
                  const char *title, const char *codec)
{
    struct subname s;
    if (!subname_parse(stem, name, &s))
        fail_msg("'%s' was not taken for a subtitle", name);
    if (strcmp(s.language, language) != 0 || s.forced != forced || s.sdh != sdh ||
        s.is_default != dflt || strcmp(s.title, title) != 0 || strcmp(s.codec, codec) != 0)
        fail_msg("'%s': got language '%s' forced %d sdh %d default %d title '%s' codec '%s'", name,
                 s.language, s.forced, s.sdh, s.is_default, s.title, s.codec);
}

static void names_say_what_they_hold(void **state)
{
    (void)state;
    check("Film (2020).srt", "", 0, 0, 0, "", "subrip");
    check("Film (2020).en.srt", "en", 0, 0, 0, "", "subrip");
    check("Film (2020).eng.forced.srt", "eng", 1, 0, 0, "", "subrip");
    check("Film (2020).forced.en.SRT", "en", 1, 0, 0, "", "subrip");
    check("Film (2020).English.SDH.srt", "en", 0, 1, 0, "", "subrip");
    check("Film (2020).pt-BR.cc.ass", "pt-br", 0, 1, 0, "", "ass");
    check("Film (2020).zh_Hans.ssa", "zh-hans", 0, 0, 0, "", "ass");
    check("Film (2020).de.default.vtt", "de", 0, 0, 1, "", "webvtt");
    check("Film (2020).en.hi.srt", "en", 0, 1, 0, "", "subrip");
    check("Film (2020).hi.srt", "hi", 0, 0, 0, "", "subrip"); /* Hindi */
    check("Film (2020).fr.Director's Commentary.srt", "fr", 0, 0, 0, "Director's Commentary",
          "subrip");
    check("Film (2020).Signs and Songs.ass", "", 0, 0, 0, "Signs and Songs", "ass");
}

static void other_files_are_not_subtitles(void **state)
{
    (void)state;
    struct subname s;
    assert_false(subname_parse(stem, "Film (2020).mkv", &s));
    assert_false(subname_parse(stem, "Film (2020).en.sub", &s)); /* VobSub: images */
    assert_false(subname_parse(stem, "Film (2021).en.srt", &s));
    assert_false(subname_parse(stem, "Film (2020)en.srt", &s));
    assert_false(subname_parse(stem, "Other.srt", &s));
}

static void charsets_are_told_apart(void **state)
{
    (void)state;
    const unsigned char ascii[] = "1\n00:00:01,000 --> 00:00:02,000\nHello\n";
    const unsigned char utf8[] = "\xef\xbb\xbf\xc3\x89t\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x8e\xac";
    const unsigned char cp1252[] = "\xc9t\xe9 \x97 caf\xe9";
    const unsigned char utf16le[] = "\xff\xfe"
                                    "1\0";
    const unsigned char utf16be[] = "\xfe\xff\0"
                                    "1";
    const unsigned char cut[] = "caf\xc3"; /* a sequence cut at the end of what was read */
    const unsigned char overlong[] = "\xc0\xaf";
    assert_null(subtitle_charset(ascii, sizeof(ascii) - 1));
    assert_null(subtitle_charset(utf8, sizeof(utf8) - 1));
    assert_null(subtitle_charset(cut, sizeof(cut) - 1));
    assert_string_equal(subtitle_charset(cp1252, sizeof(cp1252) - 1), "CP1252");
    assert_string_equal(subtitle_charset(overlong, sizeof(overlong) - 1), "CP1252");
    assert_string_equal(subtitle_charset(utf16le, 4), "UTF-16LE");
    assert_string_equal(subtitle_charset(utf16be, 4), "UTF-16BE");
    assert_true(subtitle_is_text("subrip"));
    assert_true(subtitle_is_text("ass"));
    assert_true(subtitle_is_text("mov_text"));
    assert_false(subtitle_is_text("hdmv_pgs_subtitle"));
    assert_false(subtitle_is_text("dvd_subtitle"));
}

static void languages_match_across_codes(void **state)
{
    (void)state;
    assert_true(lang_same("en", "eng"));
    assert_true(lang_same("ENG", "en-US"));
    assert_true(lang_same("fre", "fra"));
    assert_true(lang_same("fr", "fre"));
    assert_true(lang_same("pt-BR", "por"));
    assert_true(lang_same("ger", "de"));
    assert_true(lang_same("xx", "XX"));
    assert_false(lang_same("en", "fr"));
    assert_false(lang_same("eng", "fra"));
    assert_false(lang_same("", ""));
    assert_false(lang_same("en", ""));
    assert_false(lang_same(NULL, "en"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_say_what_they_hold),
        cmocka_unit_test(other_files_are_not_subtitles),
        cmocka_unit_test(charsets_are_told_apart),
        cmocka_unit_test(languages_match_across_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
