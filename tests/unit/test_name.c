/* The file-name parser against real-world name shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/compat.h"
#include "library/name.h"
#include <cmocka.h>
#include <string.h>

struct want {
    const char *path;
    enum media_kind kind;
    const char *title;
    int year;
    int season, episode, episode_end;
    const char *episode_title;
};

#define MOVIE(p, t, y)                                                                             \
    {                                                                                              \
        p, MEDIA_MOVIE, t, y, 0, 0, 0, ""                                                          \
    }
#define EP(p, t, y, s, e, ee, et)                                                                  \
    {                                                                                              \
        p, MEDIA_EPISODE, t, y, s, e, ee, et                                                       \
    }

static const struct want cases[] = {
    /* Movies, as media servers ask for them to be named. */
    MOVIE("Alien (1979).mkv", "Alien", 1979),
    MOVIE("Alien (1979)/Alien (1979).mkv", "Alien", 1979),
    MOVIE("Alien (1979)/movie.mkv", "Alien", 1979),
    MOVIE("The Matrix (1999) [1080p].mp4", "The Matrix", 1999),
    MOVIE("Blade Runner 2049 (2017).mkv", "Blade Runner 2049", 2017),
    MOVIE("1917 (2019).mkv", "1917", 2019),
    MOVIE("2012.mkv", "2012", 0),
    MOVIE("2001 A Space Odyssey (1968).mkv", "2001 A Space Odyssey", 1968),
    MOVIE("Amélie (2001).mkv", "Amélie", 2001),
    MOVIE("Spider-Man Into the Spider-Verse (2018).mp4", "Spider-Man Into the Spider-Verse", 2018),
    MOVIE("Movies/Heat (1995) {imdb-tt0113277}.mkv", "Heat", 1995),
    MOVIE("Up (2009) - 1080p.mkv", "Up", 2009),
    /* Release names. */
    MOVIE("The.Matrix.1999.1080p.BluRay.x264-GROUP.mkv", "The Matrix", 1999),
    MOVIE("Blade.Runner.2049.2017.2160p.UHD.BluRay.x265.mkv", "Blade Runner 2049", 2017),
    MOVIE("Inception_2010_720p_BRRip.avi", "Inception", 2010),
    MOVIE("Dune.Part.Two.2024.WEB-DL.1080p.mkv", "Dune Part Two", 2024),
    MOVIE("Parasite.2019.KOREAN.1080p.WEBRip.x264.mp4", "Parasite", 2019),
    MOVIE("Arrival 2016 1080p.mkv", "Arrival", 2016),
    MOVIE("Some Movie.mkv", "Some Movie", 0),
    MOVIE("Some.Movie.HDTV.mkv", "Some Movie", 0),
    MOVIE("[Group] Akira (1988) [BD 1080p].mkv", "Akira", 1988),
    MOVIE("Movies/Old Broadcast (1998).ts", "Old Broadcast", 1998),
    /* Episodes in show and season folders. */
    EP("Show/Season 01/Show - S01E02 - Name.mkv", "Show", 0, 1, 2, 2, "Name"),
    EP("Demo Show/Season 01/Demo Show - S01E01 - Pilot.mp4", "Demo Show", 0, 1, 1, 1, "Pilot"),
    EP("Breaking Bad/Season 2/Breaking Bad - s02e05 - Breakage.mkv", "Breaking Bad", 0, 2, 5, 5,
       "Breakage"),
    EP("Doctor Who (2005)/Season 01/Doctor Who (2005) - S01E01 - Rose.mkv", "Doctor Who", 2005, 1,
       1, 1, "Rose"),
    EP("The Office (US)/Season 03/The.Office.US.S03E10.720p.HDTV.x264.mkv", "The Office (US)", 0, 3,
       10, 10, ""),
    EP("Lost/S01/Lost.S01E01.Pilot.Part.1.mkv", "Lost", 0, 1, 1, 1, "Pilot Part 1"),
    EP("Friends/Specials/Friends - S00E01 - Special.mkv", "Friends", 0, 0, 1, 1, "Special"),
    EP("Show/Season 1/Show S01 E03.mkv", "Show", 0, 1, 3, 3, ""),
    /* Multi-episode files. */
    EP("Show/Season 01/Show - S01E01E02 - Double.mkv", "Show", 0, 1, 1, 2, "Double"),
    EP("Show/Season 01/Show - S01E01-E02.mkv", "Show", 0, 1, 1, 2, ""),
    EP("Show/Season 01/Show - S01E03-04 - Two Parter.mkv", "Show", 0, 1, 3, 4, "Two Parter"),
    EP("Show/Season 01/Show.S01E05E06E07.mkv", "Show", 0, 1, 5, 7, ""),
    /* 1x02 style. */
    EP("Firefly/Season 1/Firefly - 1x02 - The Train Job.avi", "Firefly", 0, 1, 2, 2,
       "The Train Job"),
    EP("Firefly 1x03.mkv", "Firefly", 0, 1, 3, 3, ""),
    EP("Show/Season 02/Show - 2x10-11 - Finale.mkv", "Show", 0, 2, 10, 11, "Finale"),
    /* Loose in the library root: the show comes from the file name. */
    EP("Game.of.Thrones.S08E03.1080p.WEB.H264.mkv", "Game of Thrones", 0, 8, 3, 3, ""),
    EP("the_expanse_s03e07_720p.mkv", "the expanse", 0, 3, 7, 7, ""),
    EP("Severance (2022) - S02E01 - Hello, Ms. Cobel.mkv", "Severance", 2022, 2, 1, 1,
       "Hello, Ms Cobel"),
    /* Show folder without a season folder. */
    EP("Planet Earth/Planet Earth S01E04.mkv", "Planet Earth", 0, 1, 4, 4, ""),
    /* A bare episode number inside a season folder. */
    EP("Cowboy Bebop/Season 1/05 - Ballad of Fallen Angels.mkv", "Cowboy Bebop", 0, 1, 5, 5,
       "Ballad of Fallen Angels"),
    EP("Cowboy Bebop/Season 1/E06 - Sympathy for the Devil.mkv", "Cowboy Bebop", 0, 1, 6, 6,
       "Sympathy for the Devil"),
    EP("Show/Season 3/Episode 7.mkv", "Show", 0, 3, 7, 7, ""),
    /* Not episodes: a number in a movie title. */
    MOVIE("Ocean's 11 (2001).mkv", "Ocean's 11", 2001),
    MOVIE("Se7en (1995).mkv", "Se7en", 1995),
    MOVIE("S1m0ne (2002).mkv", "S1m0ne", 2002),
};

/* Checks every case and prints each mismatch with what was expected and what came out. */
static void parses_every_shape(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct want *w = &cases[i];
        struct media_name n;
        name_parse(w->path, &n);
        int ep = w->kind == MEDIA_EPISODE;
        if (n.kind != w->kind || strcmp(n.title, w->title) != 0 || n.year != w->year ||
            (ep &&
             (n.season != w->season || n.episode != w->episode || n.episode_end != w->episode_end ||
              strcmp(n.episode_title, w->episode_title) != 0))) {
            print_error("%s\n  expected kind %d '%s' (%d) S%dE%d-%d '%s'\n"
                        "  got      kind %d '%s' (%d) S%dE%d-%d '%s'\n",
                        w->path, w->kind, w->title, w->year, w->season, w->episode, w->episode_end,
                        w->episode_title, n.kind, n.title, n.year, n.season, n.episode,
                        n.episode_end, n.episode_title);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Odd names still give a movie, titled by what is left of the name: never an episode with
 * numbers out of range, never a path or an extension in the title. */
static void odd_input_gives_a_plain_movie(void **state)
{
    (void)state;
    static const struct {
        const char *path, *title;
    } odd[] = {
        {"", ""},
        {"/", ""},
        {".mkv", ""},
        {"a/b/c/", ""},
        {"S01E", "S01E"},
        {"S99E999999.mkv", "S99E999999"},
        {"((((.mkv", "(((("},
        {"[[[{{{.mkv", "[[[{{{"},
        {"Season 1/", ""},
        {"x/Season 1/.mkv", ""},
        {"1x.mkv", "1x"},
    };
    for (size_t i = 0; i < ARRAY_LEN(odd); i++) {
        struct media_name n;
        name_parse(odd[i].path, &n);
        if (n.kind != MEDIA_MOVIE || strcmp(n.title, odd[i].title) != 0 || n.year != 0)
            fail_msg("'%s': expected a movie '%s', got kind %d '%s' (%d)", odd[i].path,
                     odd[i].title, n.kind, n.title, n.year);
    }
}

static void knows_video_files_and_extras(void **state)
{
    (void)state;
    assert_true(name_is_video("a/b.mkv"));
    assert_true(name_is_video("a/b.MP4"));
    assert_true(name_is_video("b.webm"));
    assert_false(name_is_video("b.srt"));
    assert_false(name_is_video("b.nfo"));
    assert_false(name_is_video("mkv"));
    assert_false(name_is_video("a.mkv/b"));
    assert_true(name_is_extra("Alien (1979)/Alien-trailer.mkv"));
    assert_true(name_is_extra("Alien (1979)/Extras/Making of.mkv"));
    assert_true(name_is_extra("Alien (1979)/sample.mkv"));
    assert_true(name_is_extra("Movie.2010.sample.mkv"));
    assert_false(name_is_extra("Alien (1979)/Alien (1979).mkv"));
    assert_false(name_is_extra("Samples of Life (2010).mkv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_shape),
        cmocka_unit_test(odd_input_gives_a_plain_movie),
        cmocka_unit_test(knows_video_files_and_extras),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
