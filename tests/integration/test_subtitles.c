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
    "Movies/Many Voices (2018).mkv",
    "Movies/Quiet Room (2012).mp4",
    "Movies/Quiet Room (2012).en.srt",
    "Movies/Quiet Room (2012).en.forced.srt",
    "Movies/Quiet Room (2012).fr.srt",
    "Movies/Night Ferry (2014).mkv",
    NULL,
};

struct fixture {
    struct server s;
    char token[80];
    int voices, quiet, ferry, e1, e2;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    media_copy(fx->s.library, media);
    /* A show whose episodes have both tracks and both subtitles. */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && d='TV/Voices/Season 01' && mkdir -p \"$d\" && "
             "cp 'Movies/Many Voices (2018).mkv' \"$d/Voices - S01E01 - One.mkv\" && "
             "cp 'Movies/Many Voices (2018).mkv' \"$d/Voices - S01E02 - Two.mkv\"",
             fx->s.library);
    if (system(cmd) != 0)
        return -1;
    const char *args[] = {"--hls-calibrate", "0", NULL};
    server_start(&fx->s, args);
    server_wait_scan(&fx->s);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    fx->voices = movie_file_id(&fx->s, fx->token, "Many Voices");
    fx->quiet = movie_file_id(&fx->s, fx->token, "Quiet Room");
    fx->ferry = movie_file_id(&fx->s, fx->token, "Night Ferry");
    /* The episodes' files, from the show's item. */
    struct response r;
    http(&fx->s, "GET", "/api/v1/library/items", fx->token, NULL, NULL, &r);
    json_t *show = json_array_get(json_object_get(r.json, "shows"), 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/library/items/%lld",
             (long long)json_integer_value(json_object_get(show, "id")));
    response_free(&r);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    json_t *season = json_array_get(json_object_get(r.json, "seasons"), 0);
    json_t *eps = json_object_get(season, "episodes");
    assert_int_equal(json_array_size(eps), 2);
    fx->e1 = (int)json_integer_value(
        json_object_get(json_array_get(json_object_get(json_array_get(eps, 0), "files"), 0), "id"));
    fx->e2 = (int)json_integer_value(
        json_object_get(json_array_get(json_object_get(json_array_get(eps, 1), "files"), 0), "id"));
    response_free(&r);
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

/* The mean volume (dB) of what ffmpeg hears at freq Hz through Reel's stream of file. */
static double loudness_at(struct fixture *fx, int file, const char *options, int freq)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -headers 'Authorization: Bearer %s\r\n' "
             "-i 'http://127.0.0.1:%d/api/v1/stream/%d?%s' -vn "
             "-af bandpass=f=%d:width_type=h:w=60,volumedetect -f null - 2>&1 | "
             "sed -n 's/.*mean_volume: \\(-*[0-9.]*\\) dB/\\1/p'",
             fx->token, fx->s.port, file, options, freq);
    FILE *p = popen(cmd, "r");
    double db = 0;
    if (!p || fscanf(p, "%lf", &db) != 1)
        fail_msg("no volume from: %s", cmd);
    pclose(p);
    return db;
}

static void the_chosen_audio_track_is_heard(void **state)
{
    struct fixture *fx = *state;
    /* English beeps at 440 Hz, French at 880 Hz. */
    double en440 = loudness_at(fx, fx->voices, "device_id=a1", 440);
    double en880 = loudness_at(fx, fx->voices, "device_id=a1", 880);
    double fr440 = loudness_at(fx, fx->voices, "device_id=a2&audio_stream=2", 440);
    double fr880 = loudness_at(fx, fx->voices, "device_id=a2&audio_stream=2", 880);
    if (!(en440 > en880 + 10 && fr880 > fr440 + 10))
        fail_msg("English 440 Hz %.1f dB, 880 Hz %.1f dB; French 440 Hz %.1f dB, 880 Hz %.1f dB",
                 en440, en880, fr440, fr880);
    /* A stream that is not audio, or not there. */
    struct response r;
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?audio_stream=0", fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "message")), "audio_stream"));
    response_free(&r);
    snprintf(path, sizeof(path), "/api/v1/playback/%d?subtitle_stream=9", fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    response_free(&r);
    /* The subtitles asked for are the selected ones. */
    snprintf(path, sizeof(path), "/api/v1/playback/%d?subtitle_stream=4&audio_stream=2",
             fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *subs = json_object_get(r.json, "subtitles");
    assert_true(json_is_false(json_object_get(json_array_get(subs, 0), "selected")));
    assert_true(json_is_true(json_object_get(json_array_get(subs, 1), "selected")));
    json_t *a1 = json_array_get(json_object_get(r.json, "audio"), 1);
    assert_true(json_is_true(json_object_get(a1, "selected")));
    response_free(&r);
}

/* The index of the selected entry of list ("audio" or "subtitles") in a decision, or -1. */
static int selected(json_t *d, const char *list)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(d, list), i,
                       t) if (json_is_true(json_object_get(t, "selected"))) return (int)
        json_integer_value(json_object_get(t, "index"));
    return -1;
}

static void preferences_choose_the_tracks(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    http(&fx->s, "GET", "/api/v1/me/preferences", fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "subtitle_mode")), "forced");
    assert_string_equal(json_string_value(json_object_get(r.json, "audio_language")), "");
    response_free(&r);
    /* By default: the default audio, and only forced subtitles in its language. */
    assert_int_equal(selected(decision(fx, fx->voices, &r), "audio"), 1);
    assert_int_equal(selected(r.json, "subtitles"), -1);
    response_free(&r);
    assert_int_equal(selected(decision(fx, fx->quiet, &r), "subtitles"), 1000); /* en.forced */
    response_free(&r);

    http(&fx->s, "PUT", "/api/v1/me/preferences", fx->token, "{\"subtitle_mode\": \"sometimes\"}",
         NULL, &r);
    assert_int_equal(r.status, 400);
    response_free(&r);
    http(&fx->s, "PUT", "/api/v1/me/preferences", fx->token,
         "{\"audio_language\": \"fr\", \"subtitle_language\": \"en\", \"subtitle_mode\": "
         "\"always\"}",
         NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
    /* "fr" finds the track tagged "fra"; "always" the English subtitles, not forced. */
    assert_int_equal(selected(decision(fx, fx->voices, &r), "audio"), 2);
    assert_int_equal(selected(r.json, "subtitles"), 3);
    response_free(&r);
    assert_int_equal(selected(decision(fx, fx->quiet, &r), "subtitles"), 1001);
    response_free(&r);
    /* What the request names wins. */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?audio_stream=1&subtitle_stream=-1",
             fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(selected(r.json, "audio"), 1);
    assert_int_equal(selected(r.json, "subtitles"), -1);
    response_free(&r);

    /* A choice in an episode carries to the next: French audio, French subtitles. */
    snprintf(path, sizeof(path), "/api/v1/progress/%d/choices", fx->e1);
    http(&fx->s, "PUT", path, fx->token,
         "{\"audio_language\": \"fra\", \"subtitle_language\": \"fra\"}", NULL, &r);
    assert_status(&r, 200);
    assert_true(json_is_true(json_object_get(r.json, "remembered")));
    response_free(&r);
    http(&fx->s, "PUT", "/api/v1/me/preferences", fx->token,
         "{\"audio_language\": \"\", \"subtitle_mode\": \"off\"}", NULL, &r);
    response_free(&r);
    assert_int_equal(selected(decision(fx, fx->e2, &r), "audio"), 2);
    assert_int_equal(selected(r.json, "subtitles"), 4);
    response_free(&r);
    /* Subtitles off in the show, then. */
    http(&fx->s, "PUT", path, fx->token,
         "{\"audio_language\": \"eng\", \"subtitle_language\": \"\"}", NULL, &r);
    response_free(&r);
    assert_int_equal(selected(decision(fx, fx->e2, &r), "audio"), 1);
    assert_int_equal(selected(r.json, "subtitles"), -1);
    response_free(&r);
    /* A film keeps nothing; a bad body is refused. */
    snprintf(path, sizeof(path), "/api/v1/progress/%d/choices", fx->voices);
    http(&fx->s, "PUT", path, fx->token,
         "{\"audio_language\": \"eng\", \"subtitle_language\": \"\"}", NULL, &r);
    assert_status(&r, 200);
    assert_true(json_is_false(json_object_get(r.json, "remembered")));
    response_free(&r);
    http(&fx->s, "PUT", path, fx->token, "{\"audio_language\": 3}", NULL, &r);
    assert_int_equal(r.status, 400);
    response_free(&r);
    /* Back to the defaults, for the other tests. */
    http(&fx->s, "PUT", "/api/v1/me/preferences", fx->token,
         "{\"audio_language\": \"\", \"subtitle_language\": \"\", \"subtitle_mode\": \"forced\"}",
         NULL, &r);
    assert_status(&r, 200);
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
    /* ASS: its italics as WebVTT's, its lines at the top ({\\an8}) as cue settings, no raw
     * override tags. */
    text = vtt(fx, ass_url, fx->token, &v);
    assert_non_null(strstr(text, "Français <i>cue</i> 1"));
    assert_non_null(strstr(text, " line:0\nFrançais <i>cue</i> 1"));
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

/* HLS players that read subtitle renditions (Safari, TVs) get them in the master playlist,
 * on the video's segments, with the timestamp map of the segments' clock. */
static void hls_lists_subtitle_renditions(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?device_id=subs&segments=fmp4", fx->voices);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    char master[200];
    snprintf(master, sizeof(master), "%s", json_string_value(json_object_get(r.json, "url")));
    response_free(&r);
    http(&fx->s, "GET", master, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    char base[200];
    snprintf(base, sizeof(base), "%.*s", (int)(strrchr(master, '/') - master), master);
    char want[512];
    snprintf(want, sizeof(want),
             "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"eng\",LANGUAGE=\"eng\","
             "DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI=\"%s/sub3/index.m3u8\"",
             base);
    if (!strstr(r.body, want))
        fail_msg("no '%s' in:\n%s", want, r.body);
    assert_non_null(strstr(r.body, "/sub4/index.m3u8"));
    assert_non_null(strstr(r.body, ",SUBTITLES=\"subs\"\n"));
    response_free(&r);
    snprintf(path, sizeof(path), "%s/sub3/index.m3u8", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_non_null(strstr(r.body, "#EXTINF:"));
    assert_int_equal(r.len, strlen(r.body)); /* GStreamer refuses a playlist with a NUL */
    assert_non_null(strstr(r.body, "\n0.vtt\n"));
    assert_null(strstr(r.body, "EXT-X-MAP"));
    assert_non_null(strstr(r.body, "#EXT-X-ENDLIST"));
    response_free(&r);
    /* The segment that holds 4 s has cue 2 (4 s to 5.5 s), and its clock starts at the
     * encoder's 1 s offset. */
    int found = -1;
    for (int n = 0; n < 6 && found < 0; n++) {
        snprintf(path, sizeof(path), "%s/sub3/%d.vtt", base, n);
        http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
        if (r.status == 200 && strstr(r.body, "English cue 2")) {
            found = n;
            const char *head = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:90000,LOCAL:00:00:00.000\n";
            assert_memory_equal(r.body, head, strlen(head));
        }
        response_free(&r);
    }
    assert_true(found > 0);
    snprintf(path, sizeof(path), "%s/sub3/99.vtt", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
    snprintf(path, sizeof(path), "%s/sub1/0.vtt", base); /* an audio stream */
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
}

/* The mean brightness, frame by frame, of the inside of gen-pgs.mjs's box (white when a cue
 * shows, the plain dark picture else) in the 320x180 MPEG-TS video at path. */
enum { BOX_W = 80, BOX_H = 6, MAX_FRAMES = 400 };
static size_t box_brightness(const char *path, double *mean)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -i '%s' -vf crop=%d:%d:117:159,format=gray "
             "-f rawvideo -",
             path, BOX_W, BOX_H);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    unsigned char frame[BOX_W * BOX_H];
    size_t n = 0;
    while (n < MAX_FRAMES && fread(frame, sizeof(frame), 1, p) == 1) {
        long sum = 0;
        for (size_t i = 0; i < sizeof(frame); i++)
            sum += frame[i];
        mean[n++] = (double)sum / sizeof(frame);
    }
    assert_int_equal(pclose(p), 0);
    return n;
}

/* Image subtitles (PGS and DVD) are burnt into a transcode, from where it starts: a play
 * that starts at 4.2 s makes the segment from 4 s first, with the cue of 4 s to 5.5 s drawn
 * in, then the rest from the start. */
static void image_subtitles_are_burnt_in(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    json_t *d = decision(fx, fx->ferry, &r);
    assert_int_equal(selected(d, "subtitles"), -1);
    assert_string_equal(json_string_value(json_object_get(d, "method")), "remux");
    json_t *subs = json_object_get(d, "subtitles");
    assert_int_equal(json_array_size(subs), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *t = json_array_get(subs, i);
        assert_string_equal(json_string_value(json_object_get(t, "method")), "burn_in");
        assert_true(json_is_null(json_object_get(t, "url")));
    }
    response_free(&r);
    for (int stream = 2; stream <= 3; stream++) {
        char path[200], body[128];
        snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->ferry);
        snprintf(body, sizeof(body),
                 "{\"subtitle_stream\": %d, \"start\": 4.2, \"segments\": \"ts\", "
                 "\"device_id\": \"burn%d\"}",
                 stream, stream);
        http(&fx->s, "POST", path, fx->token, body, NULL, &r);
        assert_status(&r, 200);
        assert_string_equal(json_string_value(json_object_get(r.json, "method")), "transcode");
        json_t *reasons = json_object_get(r.json, "reasons");
        assert_string_equal(json_string_value(json_array_get(reasons, 1)), "subtitle_burn_in");
        json_t *burnt = json_object_get(json_object_get(r.json, "streams"), "subtitle");
        assert_int_equal(json_integer_value(json_object_get(burnt, "index")), stream);
        assert_int_equal(selected(r.json, "subtitles"), stream);
        char base[160];
        const char *url = json_string_value(json_object_get(r.json, "url"));
        const char *name = json_string_value(
            json_object_get(json_array_get(json_object_get(r.json, "renditions"), 0), "name"));
        snprintf(base, sizeof(base), "%.*s%s", (int)(strlen(url) - strlen("master.m3u8")), url,
                 name);
        response_free(&r);
        /* The segment of the start first, then the others, into one file. */
        char file[600];
        snprintf(file, sizeof(file), "%s/burn%d.ts", fx->s.dir, stream);
        FILE *out = fopen(file, "w");
        assert_non_null(out);
        struct response seg[4];
        const int order[] = {3, 0, 1, 2};
        for (int k = 0; k < 4; k++) {
            snprintf(path, sizeof(path), "%s/%d.ts", base, order[k]);
            http(&fx->s, "GET", path, fx->token, NULL, NULL, &seg[order[k]]);
            assert_status(&seg[order[k]], 200);
        }
        for (int k = 0; k < 4; k++) {
            assert_int_equal(fwrite(seg[k].body, 1, seg[k].len, out), seg[k].len);
            response_free(&seg[k]);
        }
        assert_int_equal(fclose(out), 0);
        double mean[MAX_FRAMES];
        size_t n = box_brightness(file, mean);
        assert_true(n >= 140); /* 6 s at 24 frames a second */
        /* Cues from 1 s to 2.5 s and from 4 s to 5.5 s. */
        const struct {
            double t;
            bool box;
        } at[] = {{0.5, false}, {1.5, true}, {3.25, false}, {4.2, true}, {5.0, true}};
        for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
            double m = mean[(size_t)(at[i].t * 24)];
            if (at[i].box ? m < 180 : m > 100)
                fail_msg("stream %d at %.2f s: brightness %.0f, %s a cue", stream, at[i].t, m,
                         at[i].box ? "with" : "without");
        }
    }
    /* VLC draws the pictures of a file it plays itself. */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?client=vlc&subtitle_stream=2", fx->ferry);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "direct_play");
    json_t *pgs = json_array_get(json_object_get(r.json, "subtitles"), 0);
    assert_string_equal(json_string_value(json_object_get(pgs, "method")), "embedded");
    response_free(&r);
    /* Subtitles always, in French: the DVD ones, burnt in, unless asked otherwise. */
    http(&fx->s, "PUT", "/api/v1/me/preferences", fx->token,
         "{\"subtitle_language\": \"fr\", \"subtitle_mode\": \"always\"}", NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
    d = decision(fx, fx->ferry, &r);
    assert_int_equal(selected(d, "subtitles"), 3);
    assert_string_equal(json_string_value(json_object_get(d, "method")), "transcode");
    response_free(&r);
    snprintf(path, sizeof(path), "/api/v1/playback/%d?subtitle_stream=-1", fx->ferry);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "remux");
    response_free(&r);
    http(&fx->s, "PUT", "/api/v1/me/preferences", fx->token,
         "{\"subtitle_language\": \"\", \"subtitle_mode\": \"forced\"}", NULL, &r);
    assert_status(&r, 200);
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
        cmocka_unit_test(the_chosen_audio_track_is_heard),
        cmocka_unit_test(preferences_choose_the_tracks),
        cmocka_unit_test(embedded_text_subtitles_become_webvtt),
        cmocka_unit_test(hls_lists_subtitle_renditions),
        cmocka_unit_test(image_subtitles_are_burnt_in),
        cmocka_unit_test(sidecars_keep_their_names_and_charset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
