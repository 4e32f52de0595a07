/*
 * Subtitles and audio tracks in the playback decision, and text subtitles as WebVTT: an
 * embedded SubRip and ASS stream and sidecar files (one forced, one in Windows-1252), made
 * by ffmpeg once and sent as text/vtt, also under a signed link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const media[] = {
    "Movies/Many Voices (2018).mkv",   "Movies/Quiet Room (2012).mp4",
    "Movies/Quiet Room (2012).en.srt", "Movies/Quiet Room (2012).en.forced.srt",
    "Movies/Quiet Room (2012).fr.srt", NULL,
};

struct fixture {
    struct server s;
    char token[80];
    int voices, quiet;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    media_copy(fx->s.library, media);
    const char *args[] = {"--hls-calibrate", "0", NULL};
    server_start(&fx->s, args);
    server_wait_scan(&fx->s);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    fx->voices = movie_file_id(&fx->s, fx->token, "Many Voices");
    fx->quiet = movie_file_id(&fx->s, fx->token, "Quiet Room");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = server_stop(&fx->s);
    server_cleanup(&fx->s);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static json_t *decision(struct fixture *fx, int file, struct response *r)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/playback/%d", file);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, r);
    assert_status(r, 200);
    return r->json;
}

/* The WebVTT at url (a path); the response is the caller's. */
static const char *vtt(struct fixture *fx, const char *url, const char *token, struct response *r)
{
    http(&fx->s, "GET", url, token, NULL, NULL, r);
    assert_status(r, 200);
    char type[64];
    assert_true(response_header(r, "Content-Type", type, sizeof(type)));
    assert_string_equal(type, "text/vtt; charset=utf-8");
    assert_memory_equal(r->body, "WEBVTT", 6);
    return r->body;
}

static void the_decision_lists_every_track(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    json_t *d = decision(fx, fx->voices, &r);
    json_t *audio = json_object_get(d, "audio");
    assert_int_equal(json_array_size(audio), 2);
    json_t *a0 = json_array_get(audio, 0), *a1 = json_array_get(audio, 1);
    assert_string_equal(json_string_value(json_object_get(a0, "language")), "eng");
    assert_string_equal(json_string_value(json_object_get(a1, "language")), "fra");
    assert_string_equal(json_string_value(json_object_get(a1, "title")), "Français");
    assert_string_equal(json_string_value(json_object_get(a0, "codec")), "aac");
    assert_int_equal(json_integer_value(json_object_get(a0, "channels")), 2);
    assert_true(json_is_true(json_object_get(a0, "selected")));
    assert_true(json_is_false(json_object_get(a1, "selected")));
    json_t *subs = json_object_get(d, "subtitles");
    assert_int_equal(json_array_size(subs), 2);
    json_t *srt = json_array_get(subs, 0), *ass = json_array_get(subs, 1);
    assert_string_equal(json_string_value(json_object_get(srt, "codec")), "subrip");
    assert_string_equal(json_string_value(json_object_get(ass, "codec")), "ass");
    assert_string_equal(json_string_value(json_object_get(ass, "language")), "fra");
    assert_string_equal(json_string_value(json_object_get(srt, "method")), "vtt");
    assert_true(json_is_false(json_object_get(srt, "external")));
    response_free(&r);

    /* Choosing the French audio selects it. */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?audio_language=fra", fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    a1 = json_array_get(json_object_get(r.json, "audio"), 1);
    assert_true(json_is_true(json_object_get(a1, "selected")));
    response_free(&r);
}

static void embedded_text_subtitles_become_webvtt(void **state)
{
    struct fixture *fx = *state;
    struct response r, v;
    json_t *subs = json_object_get(decision(fx, fx->voices, &r), "subtitles");
    char srt_url[256], ass_url[256];
    snprintf(srt_url, sizeof(srt_url), "%s",
             json_string_value(json_object_get(json_array_get(subs, 0), "url")));
    snprintf(ass_url, sizeof(ass_url), "%s",
             json_string_value(json_object_get(json_array_get(subs, 1), "url")));
    response_free(&r);
    /* Cues at 1 s and 4 s, 1.5 s long (the file starts 21 ms late: AAC's priming). */
    const char *text = vtt(fx, srt_url, fx->token, &v);
    assert_non_null(strstr(text, "00:01.0"));
    assert_non_null(strstr(text, "English cue 1"));
    assert_non_null(strstr(text, "00:04.0"));
    assert_non_null(strstr(text, "English cue 2"));
    response_free(&v);
    /* ASS: its italics as WebVTT's, no raw override tags. */
    text = vtt(fx, ass_url, fx->token, &v);
    assert_non_null(strstr(text, "Français <i>cue</i> 1"));
    assert_null(strstr(text, "{\\"));
    response_free(&v);
    /* Made once: a second read is the same bytes, from the cache. */
    text = vtt(fx, ass_url, fx->token, &v);
    assert_non_null(strstr(text, "Français <i>cue</i> 2"));
    response_free(&v);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "test $(ls '%s/subtitles' | wc -l) -eq 2", fx->s.data);
    assert_int_equal(system(cmd), 0);

    /* Not a subtitle stream, or no such stream. */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/library/files/%d/subtitles/1.vtt", fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
    snprintf(path, sizeof(path), "/api/v1/library/files/%d/subtitles/3.srt", fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
}

static void sidecars_keep_their_names_and_charset(void **state)
{
    struct fixture *fx = *state;
    struct response r, v;
    json_t *subs = json_object_get(decision(fx, fx->quiet, &r), "subtitles");
    assert_int_equal(json_array_size(subs), 3);
    /* In name order: en.forced, en, fr. */
    json_t *forced = json_array_get(subs, 0), *en = json_array_get(subs, 1),
           *fr = json_array_get(subs, 2);
    assert_true(json_is_true(json_object_get(forced, "forced")));
    assert_true(json_is_false(json_object_get(en, "forced")));
    assert_string_equal(json_string_value(json_object_get(en, "language")), "en");
    assert_string_equal(json_string_value(json_object_get(fr, "language")), "fr");
    assert_true(json_is_true(json_object_get(fr, "external")));
    char url[256];
    snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(fr, "url")));
    response_free(&r);
    /* Windows-1252 in, UTF-8 out. */
    const char *text = vtt(fx, url, fx->token, &v);
    assert_non_null(strstr(text, "\xc3\x89t\xc3\xa9 cue 1"));
    response_free(&v);

    /* Under a signed link: this file's subtitles, not another's. */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/links/%d", fx->quiet);
    http(&fx->s, "POST", path, fx->token, "{}", NULL, &r);
    assert_int_equal(r.status, 201);
    char rel[256];
    snprintf(rel, sizeof(rel), "%s", json_string_value(json_object_get(r.json, "path")));
    response_free(&r);
    char base[200];
    snprintf(base, sizeof(base), "%.*s", (int)(strstr(rel, "/stream") - rel), rel);
    *strrchr(base, '/') = '\0'; /* "/s/<token>" */
    snprintf(url, sizeof(url), "%s/library/files/%d/subtitles/1001.vtt", base, fx->quiet);
    text = vtt(fx, url, NULL, &v);
    assert_non_null(strstr(text, "English cue 1"));
    response_free(&v);
    snprintf(url, sizeof(url), "%s/library/files/%d/subtitles/3.vtt", base, fx->voices);
    http(&fx->s, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_decision_lists_every_track),
        cmocka_unit_test(embedded_text_subtitles_become_webvtt),
        cmocka_unit_test(sidecars_keep_their_names_and_charset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
