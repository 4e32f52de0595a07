/* On-demand HLS against the real server, read by ffmpeg itself as the HLS client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include "hls/argv.h"
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const media[] = {
    "Movies/Test Pattern (2021)/Test Pattern (2021).mp4",
    "Movies/Deep Colour (2023).mkv",
    "Movies/Night Clock (2019).mkv",
    "Movies/Home Video (2003).avi",
    "Movies/Live Session (2016).mkv",
    "Movies/Evening News (1999).ts",
    "Movies/Phone Clip (2022).mp4",
    "Movies/Bright Lights (2024).mkv",
    "Movies/Old Broadcast (1998).ts",
    NULL,
};

struct fixture {
    struct server s;
    char token[80];
    int mp4, hevc, remux, broken, avi, flac, news, phone, hdr, broadcast;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    media_copy(fx->s.library, media);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "cp '%s/Movies/Night Clock (2019).mkv' '%s/Movies/Spoilt (2001).mkv'", fx->s.library,
             fx->s.library);
    if (system(cmd) != 0)
        return -1;
    /* Short timeouts, so the idle and pre-warm rules can be watched; one encoder per core. */
    const char *extra[] = {"--hls-idle-timeout",
                           "3",
                           "--hls-prewarm-timeout",
                           "3",
                           "--hls-max-encoders",
                           "2",
                           "--hls-kill-grace",
                           "1",
                           NULL};
    server_start(&fx->s, extra);
    server_wait_scan(&fx->s);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    fx->mp4 = movie_file_id(&fx->s, fx->token, "Test Pattern");
    fx->hevc = movie_file_id(&fx->s, fx->token, "Deep Colour");
    fx->remux = movie_file_id(&fx->s, fx->token, "Night Clock");
    fx->broken = movie_file_id(&fx->s, fx->token, "Spoilt");
    fx->avi = movie_file_id(&fx->s, fx->token, "Home Video");
    fx->flac = movie_file_id(&fx->s, fx->token, "Live Session");
    fx->news = movie_file_id(&fx->s, fx->token, "Evening News");
    fx->phone = movie_file_id(&fx->s, fx->token, "Phone Clip");
    fx->hdr = movie_file_id(&fx->s, fx->token, "Bright Lights");
    fx->broadcast = movie_file_id(&fx->s, fx->token, "Old Broadcast");
    *state = fx;
    return 0;
}

/* ffmpeg children of the server, and files left in its temp folder. */
/* The server's HLS encoders (background tasks' ffmpeg runs are not theirs). */
static int ffmpeg_children(pid_t server)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "pgrep -P %d -f '^ffmpeg .*/transcodes/' | wc -l", server);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = server_stop(&fx->s);
    /* After a shutdown: no ffmpeg left, no temp folder left. */
    char cmd[128];
    /* "[f]" keeps pgrep from finding the shell that runs it. */
    snprintf(cmd, sizeof(cmd), "pgrep -f '[f]fmpeg.*%s' >/dev/null", fx->s.dir);
    bool stray = system(cmd) == 0;
    char temp[256];
    snprintf(temp, sizeof(temp), "%s/transcodes", fx->s.data);
    int left = entries(temp);
    server_cleanup(&fx->s);
    free(fx);
    if (stray)
        fprintf(stderr, "an ffmpeg outlived the server\n");
    if (left)
        fprintf(stderr, "%d temp folders outlived the server\n", left);
    return rc == 0 && !stray && !left ? 0 : -1;
}

/* Opens a session through the unified endpoint; writes its base URL ("/api/v1/hls/ID"). */
static void open_session(struct fixture *fx, int file, const char *query, char *base, size_t size)
{
    char path[128], location[160];
    snprintf(path, sizeof(path), "/api/v1/stream/%d%s", file, query ? query : "");
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 302);
    assert_true(response_header(&r, "Location", location, sizeof(location)));
    response_free(&r);
    char *slash = strrchr(location, '/');
    assert_non_null(slash);
    snprintf(base, size, "%.*s", (int)(slash - location), location);
}

static json_t *state_of(struct fixture *fx, const char *base)
{
    struct response r;
    http(&fx->s, "GET", base, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *j = json_incref(r.json);
    response_free(&r);
    return j;
}

/* Runs a command and returns what it printed (stdout and stderr), malloc'd. */
static char *run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = calloc(1, 65536);
    size_t n = fread(out, 1, 65535, p);
    out[n] = '\0';
    *status = pclose(p);
    return out;
}

/* ffmpeg reads a rendition playlist end to end; the copy has the title's full duration and
 * decodes without a single error. */
static void read_with_ffmpeg(struct fixture *fx, const char *playlist, double want)
{
    char out[256], cmd[2048];
    snprintf(out, sizeof(out), "%s/read.mkv", fx->s.dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -y -headers 'Authorization: Bearer %s\r\n' "
             "-i 'http://127.0.0.1:%d%s' -map 0 -c copy '%s' 2>&1 && "
             "ffmpeg -nostdin -v error -i '%s' -f null - 2>&1",
             fx->token, fx->s.port, playlist, out, out);
    int status;
    char *log = run(cmd, &status);
    if (status != 0 || *log)
        fail_msg("ffmpeg reading %s: status %d: %s", playlist, status, log);
    free(log);
    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -show_entries format=duration -of csv=p=0 '%s' 2>&1", out);
    log = run(cmd, &status);
    double got = atof(log);
    if (got < want - 0.3 || got > want + 0.3)
        fail_msg("%s: read %.3f s of a %.3f s title", playlist, got, want);
    free(log);
}

static void a_remux_reads_end_to_end(void **state)
{
    struct fixture *fx = *state;
    char base[128], path[200];
    open_session(fx, fx->remux, NULL, base, sizeof(base));
    snprintf(path, sizeof(path), "%s/master.m3u8", base);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    char value[128];
    assert_true(response_header(&r, "Cache-Control", value, sizeof(value)));
    assert_string_equal(value, "no-cache");
    assert_true(response_header(&r, "Content-Type", value, sizeof(value)));
    assert_string_equal(value, "application/vnd.apple.mpegurl");
    assert_non_null(strstr(r.body, "CODECS=\"avc1.64"));
    assert_non_null(strstr(r.body, ",mp4a.40.2\""));
    /* Absolute URIs: mpv and VLC resolve relative ones against the URL before the 302. */
    char want[200];
    snprintf(want, sizeof(want), "\n%s/copy/index.m3u8\n", base);
    assert_non_null(strstr(r.body, want));
    response_free(&r);

    snprintf(path, sizeof(path), "%s/copy/index.m3u8", base);
    read_with_ffmpeg(fx, path, 6.0);

    /* Segments are immutable and sized. */
    snprintf(path, sizeof(path), "%s/copy/1.m4s", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_true(response_header(&r, "Cache-Control", value, sizeof(value)));
    assert_string_equal(value, "private, max-age=31536000, immutable");
    assert_true(response_header(&r, "Content-Length", value, sizeof(value)));
    assert_int_equal(atol(value), r.len);
    response_free(&r);
}

static void a_transcode_reads_end_to_end(void **state)
{
    struct fixture *fx = *state;
    char base[128], path[200];
    open_session(fx, fx->hevc, NULL, base, sizeof(base));
    snprintf(path, sizeof(path), "%s/master.m3u8", base);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    /* The source is 320x180: one H.264 rendition, no larger. */
    assert_non_null(strstr(r.body, "RESOLUTION=320x180"));
    assert_non_null(strstr(r.body, "CODECS=\"avc1.64001E,mp4a.40.2\""));
    assert_null(strstr(r.body, "1080p"));
    response_free(&r);
    snprintf(path, sizeof(path), "%s/180p/index.m3u8", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_non_null(strstr(r.body, "#EXT-X-PLAYLIST-TYPE:VOD"));
    assert_non_null(strstr(r.body, "#EXTINF:1.000000,\n0.m4s"));
    response_free(&r);
    read_with_ffmpeg(fx, path, 6.0);
}

/* Ends a session, so that its encoder leaves its slot to the next test. */
static void end_session(struct fixture *fx, const char *base)
{
    struct response r;
    http(&fx->s, "DELETE", base, fx->token, NULL, NULL, &r);
    assert_status(&r, 204);
    response_free(&r);
}

/* The value after opt in a JSON argv, or NULL. */
static const char *arg_after(json_t *argv, const char *opt)
{
    for (size_t i = 0; i + 1 < json_array_size(argv); i++)
        if (strcmp(json_string_value(json_array_get(argv, i)), opt) == 0)
            return json_string_value(json_array_get(argv, i + 1));
    return NULL;
}

/* What /api/v1/playback says each rendition is encoded at is what its ffmpeg is given. */
static void the_decision_and_the_encoder_agree_on_bitrates(void **state)
{
    struct fixture *fx = *state;
    /* A cap under the lowest rung: the rung gets what the cap leaves once the audio and the
     * encoder's peaks are counted, a figure no table holds. */
    char path[200];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?max_bitrate=600000", fx->hevc);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *rungs = json_object_get(r.json, "renditions");
    assert_int_equal(json_array_size(rungs), 1);
    json_t *rung = json_array_get(rungs, 0);
    json_int_t bitrate = json_integer_value(json_object_get(rung, "video_bitrate"));
    json_int_t audio = json_integer_value(json_object_get(rung, "audio_bitrate"));
    assert_int_equal(audio, 160000);
    assert_int_equal(bitrate, (600000 - audio) * 5 / 6);
    json_t *video = json_object_get(json_object_get(r.json, "streams"), "video");
    assert_int_equal(json_integer_value(json_object_get(video, "bitrate")), bitrate);
    char base[128], name[32];
    snprintf(base, sizeof(base), "/api/v1/hls/%s",
             json_string_value(json_object_get(r.json, "session_id")));
    snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(rung, "name")));
    response_free(&r);

    snprintf(path, sizeof(path), "%s/%s/init.mp4", base, name);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
    json_t *st = state_of(fx, base);
    json_t *argv = json_object_get(json_array_get(json_object_get(st, "renditions"), 0), "command");
    assert_non_null(argv);
    assert_string_equal(arg_after(argv, "-c:v"), "libx264");
    const char *given = arg_after(argv, "-b:v");
    assert_non_null(given);
    assert_int_equal(atoll(given), bitrate);
    json_decref(st);
    /* The master playlist's BANDWIDTH, the peak, stays within the cap. */
    snprintf(path, sizeof(path), "%s/master.m3u8", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    const char *bw = strstr(r.body, "BANDWIDTH=");
    assert_non_null(bw);
    assert_true(atoll(bw + strlen("BANDWIDTH=")) <= 600000);
    response_free(&r);
    end_session(fx, base);
}

/* Writes the named files of a rendition one after the other into file, as a player
 * appends them. */
static void fetch_segments(struct fixture *fx, const char *base, const char *rendition,
                           const char *const *parts, size_t n, const char *file)
{
    FILE *out = fopen(file, "wb");
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        char path[256];
        struct response r;
        snprintf(path, sizeof(path), "%s/%s/%s", base, rendition, parts[i]);
        http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
        assert_status(&r, 200);
        assert_int_equal(fwrite(r.body, 1, r.len, out), r.len);
        response_free(&r);
    }
    fclose(out);
}

/* ffprobe's csv of entries for the first segments that Reel serves of a rendition (its init
 * segment and segments 0 and 1, as a player appends them), of every stream or of the
 * streams select names ("v:0"); the caller frees it. */
static char *probe_served(struct fixture *fx, const char *base, const char *rendition,
                          const char *select, const char *entries)
{
    char file[256];
    snprintf(file, sizeof(file), "%s/first.mp4", fx->s.dir);
    const char *parts[] = {"init.mp4", "0.m4s", "1.m4s"};
    fetch_segments(fx, base, rendition, parts, 3, file);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "ffprobe -v error %s%s -show_entries %s -of csv=p=0 '%s' 2>&1",
             select ? "-select_streams " : "", select ? select : "", entries, file);
    int status;
    char *text = run(cmd, &status);
    assert_int_equal(status, 0);
    return text;
}

/* Chromium as the web app describes it: it plays MP4 and WebM files with H.264, VP9, MP3,
 * FLAC…, but its Media Source Extensions take only H.264 and AAC inside fMP4 segments. */
static const char chromium[] =
    "{\"profile\": {\"containers\": [\"mp4\", \"webm\"],"
    " \"video\": [{\"codec\": \"h264\"}, {\"codec\": \"vp9\"}],"
    " \"audio\": [{\"codec\": \"aac\"}, {\"codec\": \"mp3\"}, {\"codec\": \"flac\"}],"
    " \"hls\": {\"fmp4\": {\"video\": [{\"codec\": \"h264\"}], \"audio\": [{\"codec\": "
    "\"aac\"}]}}}}";

static bool has_reason(json_t *decision, const char *reason)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(decision, "reasons"), i, r)
    {
        if (strcmp(json_string_value(r), reason) == 0)
            return true;
    }
    return false;
}

static const char *action(json_t *decision, const char *kind)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(decision, "streams"), kind), "action"));
}

/* POSTs the Chromium profile for a file; the decision stays in r. */
static void decide_for(struct fixture *fx, int file, struct response *r)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/playback/%d", file);
    http(&fx->s, "POST", path, fx->token, chromium, NULL, r);
    assert_status(r, 200);
}

/* The codecs a browser plays as files but cannot append inside fMP4 are converted, with a
 * reason each, and what is served reads end to end. */
static void what_segments_cannot_carry_is_converted(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    decide_for(fx, fx->avi, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "transcode");
    /* MPEG-4 Part 2 plays nowhere in a browser; MP3 plays as a file, not inside fMP4. */
    assert_true(has_reason(r.json, "video_codec_not_supported"));
    assert_false(has_reason(r.json, "video_codec_not_supported_in_hls"));
    assert_true(has_reason(r.json, "audio_codec_not_supported_in_hls"));
    assert_string_equal(action(r.json, "audio"), "encode");
    response_free(&r);

    decide_for(fx, fx->flac, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "remux");
    assert_false(has_reason(r.json, "video_codec_not_supported_in_hls"));
    assert_true(has_reason(r.json, "audio_codec_not_supported_in_hls"));
    assert_string_equal(action(r.json, "video"), "copy");
    assert_string_equal(action(r.json, "audio"), "encode");
    char base[128], path[200];
    snprintf(base, sizeof(base), "/api/v1/hls/%s",
             json_string_value(json_object_get(r.json, "session_id")));
    response_free(&r);
    snprintf(path, sizeof(path), "%s/master.m3u8", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_non_null(strstr(r.body, ",mp4a.40.2\""));
    assert_null(strstr(r.body, "fLaC"));
    response_free(&r);
    /* The served segments hold what the playlist says: H.264 copied, AAC made. */
    char *codecs = probe_served(fx, base, "copy", NULL, "stream=codec_name");
    assert_string_equal(codecs, "h264\naac\n");
    free(codecs);
    end_session(fx, base);
}

/* Opens the HLS session the Chromium profile (plus extra members) gets for a file; returns
 * the decision, writes the session's base URL and first rendition's name. */
static json_t *chromium_session(struct fixture *fx, int file, const char *extra, char *base,
                                size_t size, char *rendition, size_t rsize)
{
    char path[64], body[1024];
    snprintf(path, sizeof(path), "/api/v1/playback/%d", file);
    snprintf(body, sizeof(body), "%.*s%s}", (int)strlen(chromium) - 1, chromium, extra);
    struct response r;
    http(&fx->s, "POST", path, fx->token, body, NULL, &r);
    assert_status(&r, 200);
    json_t *decision = json_incref(r.json);
    response_free(&r);
    snprintf(base, size, "/api/v1/hls/%s",
             json_string_value(json_object_get(decision, "session_id")));
    json_t *rung = json_array_get(json_object_get(decision, "renditions"), 0);
    snprintf(rendition, rsize, "%s", json_string_value(json_object_get(rung, "name")));
    return decision;
}

/* What Reel encodes looks as the source does on an ordinary screen: interlaced video comes
 * out progressive and anamorphic video keeps its shape, HDR10 becomes SDR BT.709, and a
 * phone's quarter-turned clip stands upright. Checked with ffprobe on the served segments. */
static void encodes_look_like_their_sources(void **state)
{
    struct fixture *fx = *state;
    char base[128], rendition[32];
    json_t *d =
        chromium_session(fx, fx->news, "", base, sizeof(base), rendition, sizeof(rendition));
    assert_string_equal(json_string_value(json_object_get(d, "method")), "transcode");
    json_decref(d);
    /* 240x180 at 4:3 pixels is 320x180 on screen. */
    char *facts = probe_served(fx, base, rendition, "v:0",
                               "stream=width,height,sample_aspect_ratio,field_order");
    assert_string_equal(facts, "320,180,1:1,progressive\n");
    free(facts);
    end_session(fx, base);

    d = chromium_session(fx, fx->hdr, "", base, sizeof(base), rendition, sizeof(rendition));
    assert_true(has_reason(d, "hdr_not_supported"));
    json_decref(d);
    facts =
        probe_served(fx, base, rendition, "v:0", "stream=pix_fmt,color_transfer,color_primaries");
    assert_string_equal(facts, "yuv420p,bt709,bt709\n");
    free(facts);
    end_session(fx, base);

    /* A low cap makes the clip a transcode. */
    d = chromium_session(fx, fx->phone, ", \"max_bitrate\": 200000", base, sizeof(base), rendition,
                         sizeof(rendition));
    assert_string_equal(json_string_value(json_object_get(d, "method")), "transcode");
    json_decref(d);
    facts = probe_served(fx, base, rendition, "v:0", "stream=width,height");
    assert_string_equal(facts, "180,320\n");
    free(facts);
    end_session(fx, base);
}

/* A broadcast recording's timestamps start at 1.4 s, not 0: the grid counts from there, so
 * segment 1 starts 1 s into the title and the whole title reads back in full. */
static void a_source_that_starts_late_keeps_its_grid(void **state)
{
    struct fixture *fx = *state;
    char base[128], rendition[32], path[200];
    json_t *d =
        chromium_session(fx, fx->broadcast, "", base, sizeof(base), rendition, sizeof(rendition));
    assert_string_equal(json_string_value(json_object_get(d, "method")), "transcode");
    json_decref(d);
    int status;
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -show_entries format=start_time -of csv=p=0 "
             "'%s/Movies/Old Broadcast (1998).ts'",
             fx->s.library);
    char *text = run(cmd, &status);
    double start = atof(text);
    free(text);
    assert_true(start > 1.0);
    /* Segment 1 of the grid (after the 1 s opening one) starts at 1 s of the title. */
    char file[256];
    snprintf(file, sizeof(file), "%s/seg1.mp4", fx->s.dir);
    const char *parts[] = {"init.mp4", "1.m4s"};
    fetch_segments(fx, base, rendition, parts, 2, file);
    snprintf(
        cmd, sizeof(cmd),
        "ffprobe -v error -select_streams v:0 -show_entries stream=start_time -of csv=p=0 '%s'",
        file);
    text = run(cmd, &status);
    double got = atof(text);
    free(text);
    /* Every timestamp Reel writes is the source's plus HLS_TS_OFFSET_S. */
    double want = start + 1.0 + HLS_TS_OFFSET_S;
    if (got < want - 0.05 || got > want + 0.05)
        fail_msg("segment 1 starts at %.3f s, the source at %.3f s: expected %.3f", got, start,
                 want);
    snprintf(path, sizeof(path), "%s/%s/index.m3u8", base, rendition);
    read_with_ffmpeg(fx, path, 6.0);
    end_session(fx, base);
}

/* A client that could not decode a codec says so; the next plan goes without it. */
static void a_client_decode_error_changes_the_plan(void **state)
{
    struct fixture *fx = *state;
    /* A client that says FLAC works inside fMP4 segments gets it copied… */
    static const char body[] =
        "{\"profile\": {\"containers\": [\"mp4\"], \"video\": [{\"codec\": \"h264\"}],"
        " \"audio\": [{\"codec\": \"aac\"}], \"hls\": {\"fmp4\": {\"video\": [{\"codec\":"
        " \"h264\"}], \"audio\": [{\"codec\": \"aac\"}, {\"codec\": \"flac\"}]}}}%s}";
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->flac);
    snprintf(text, sizeof(text), body, "");
    struct response r;
    http(&fx->s, "POST", path, fx->token, text, NULL, &r);
    assert_status(&r, 200);
    assert_string_equal(action(r.json, "audio"), "copy");
    assert_false(has_reason(r.json, "client_decode_error:flac"));
    response_free(&r);
    /* …until it reports that it failed to decode it. */
    snprintf(text, sizeof(text), body, ", \"client_errors\": [\"flac\"]");
    http(&fx->s, "POST", path, fx->token, text, NULL, &r);
    assert_status(&r, 200);
    assert_true(has_reason(r.json, "client_decode_error:flac"));
    assert_string_equal(action(r.json, "audio"), "encode");
    assert_string_equal(action(r.json, "video"), "copy");
    response_free(&r);
    /* A bad report is a clear 400. */
    http(&fx->s, "POST", path, fx->token, "{\"client_errors\": [42]}", NULL, &r);
    assert_status(&r, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "message")), "client_errors"));
    response_free(&r);
}

static void a_seek_to_the_last_quarter_lands_in_place(void **state)
{
    struct fixture *fx = *state;
    /* A fresh session (TS-free, another bitrate cap), asked first for a late segment. */
    char base[128], path[200];
    open_session(fx, fx->hevc, "?max_bitrate=5000000", base, sizeof(base));
    snprintf(path, sizeof(path), "%s/180p/3.m4s", base); /* 4 s to 6 s */
    struct response seg, init;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &seg);
    assert_status(&seg, 200);
    snprintf(path, sizeof(path), "%s/180p/init.mp4", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &init);
    assert_status(&init, 200);
    char file[256], cmd[512];
    snprintf(file, sizeof(file), "%s/seek.mp4", fx->s.dir);
    FILE *f = fopen(file, "wb");
    fwrite(init.body, 1, init.len, f);
    fwrite(seg.body, 1, seg.len, f);
    fclose(f);
    response_free(&seg);
    response_free(&init);
    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -select_streams v -show_entries frame=pts_time -of csv=p=0 '%s' "
             "2>&1 | head -1",
             file);
    int status;
    char *out = run(cmd, &status);
    double first = atof(out);
    if (first < 3.95 + HLS_TS_OFFSET_S || first > 4.1 + HLS_TS_OFFSET_S)
        fail_msg("the segment at 4 s starts at %s", out);
    free(out);
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -i '%s' -f null - 2>&1", file);
    out = run(cmd, &status);
    if (*out)
        fail_msg("decoding the seek segment: %s", out);
    free(out);
}

static void sessions_belong_to_their_user(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    http(&fx->s, "POST", "/api/v1/users", fx->token,
         "{\"username\":\"other\",\"password\":\"other-pass\"}", NULL, &r);
    assert_status(&r, 201);
    response_free(&r);
    char mine[128], theirs[128], path[200];
    open_session(fx, fx->remux, NULL, mine, sizeof(mine));
    char admin_token[80];
    snprintf(admin_token, sizeof(admin_token), "%s", fx->token);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, "other", "other-pass"));
    open_session(fx, fx->remux, NULL, theirs, sizeof(theirs));
    assert_string_not_equal(mine, theirs);
    /* The other user cannot see, play or end the admin's session. */
    const char *tails[] = {"", "/master.m3u8", "/copy/index.m3u8", "/copy/0.m4s"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s%s", mine, tails[i]);
        http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
        assert_status(&r, 404);
        response_free(&r);
    }
    http(&fx->s, "DELETE", mine, fx->token, NULL, NULL, &r);
    assert_status(&r, 404);
    response_free(&r);
    snprintf(fx->token, sizeof(fx->token), "%s", admin_token);
    /* The same user and plan reuse the session. */
    char again[128];
    open_session(fx, fx->remux, NULL, again, sizeof(again));
    assert_string_equal(mine, again);
}

static pid_t start_and_get_pid(struct fixture *fx, const char *base, const char *rendition)
{
    char path[200];
    snprintf(path, sizeof(path), "%s/%s/0.m4s", base, rendition);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
    json_t *st = state_of(fx, base);
    json_t *rend = json_array_get(json_object_get(st, "renditions"), 0);
    pid_t pid = (pid_t)json_integer_value(json_object_get(rend, "pid"));
    json_decref(st);
    return pid;
}

static bool gone(pid_t pid, const char *dir)
{
    for (int i = 0; i < 100; i++) {
        struct stat st;
        if (kill(pid, 0) < 0 && stat(dir, &st) < 0)
            return true;
        usleep(100000);
    }
    return false;
}

/* Polls GET path until it answers status; false after timeout_ms. */
static bool wait_for_status(struct fixture *fx, const char *path, long status, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 100) {
        struct response r;
        http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
        long got = r.status;
        response_free(&r);
        if (got == status)
            return true;
        usleep(100000);
    }
    return false;
}

static void delete_and_idle_end_sessions_completely(void **state)
{
    struct fixture *fx = *state;
    /* The HEVC title encodes long enough to be caught running. */
    char base[128], dir[256];
    open_session(fx, fx->hevc, "?max_bitrate=4000000", base, sizeof(base));
    pid_t pid = start_and_get_pid(fx, base, "180p");
    snprintf(dir, sizeof(dir), "%s/transcodes/%s", fx->s.data, strrchr(base, '/') + 1);
    struct response r;
    http(&fx->s, "DELETE", base, fx->token, NULL, NULL, &r);
    assert_status(&r, 204);
    response_free(&r);
    assert_true(gone(pid, dir));
    http(&fx->s, "GET", base, fx->token, NULL, NULL, &r);
    assert_status(&r, 404);
    response_free(&r);

    /* Left alone past the idle timeout (3 s here), a session ends the same way. */
    open_session(fx, fx->hevc, "?max_bitrate=3000000", base, sizeof(base));
    start_and_get_pid(fx, base, "180p");
    snprintf(dir, sizeof(dir), "%s/transcodes/%s", fx->s.data, strrchr(base, '/') + 1);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    /* Reading the state does not keep a session alive. */
    assert_true(wait_for_status(fx, base, 404, 10000));
    for (int i = 0; i < 30 && stat(dir, &st) == 0; i++)
        usleep(100000);
    assert_int_not_equal(stat(dir, &st), 0);
    assert_int_equal(ffmpeg_children(fx->s.pid), 0);
}

static void a_killed_encoder_recovers(void **state)
{
    struct fixture *fx = *state;
    char base[128], path[200];
    open_session(fx, fx->hevc, "?max_bitrate=2500000", base, sizeof(base));
    pid_t pid = start_and_get_pid(fx, base, "180p");
    kill(pid, SIGKILL);
    /* The server notices the exit. */
    bool noticed = false;
    for (int i = 0; i < 100 && !noticed; i++) {
        json_t *st = state_of(fx, base);
        json_t *rend = json_array_get(json_object_get(st, "renditions"), 0);
        noticed = json_integer_value(json_object_get(rend, "pid")) != pid;
        json_decref(st);
        if (!noticed)
            usleep(50000);
    }
    assert_true(noticed);
    snprintf(path, sizeof(path), "%s/180p/3.m4s", base);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_true(r.len > 1000);
    response_free(&r);
}

static void a_corrupt_file_gives_a_clear_502(void **state)
{
    struct fixture *fx = *state;
    char base[128], path[200], cmd[512];
    open_session(fx, fx->broken, NULL, base, sizeof(base));
    /* Spoilt after the scan: ffmpeg cannot read it any more. */
    snprintf(cmd, sizeof(cmd),
             "f='%s/Movies/Spoilt (2001).mkv'; cp \"$f\" \"$f.good\" && "
             "head -c $(stat -c %%s \"$f\") /dev/urandom > \"$f.x\" && mv \"$f.x\" \"$f\"",
             fx->s.library);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/copy/0.m4s", base);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 502);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "encoder_failed");
    const char *words = json_string_value(json_object_get(r.json, "ffmpeg"));
    assert_non_null(words);
    assert_true(strlen(words) > 0);
    response_free(&r);
    /* The file put back, playing it again (the player's Retry) gets a new session that
     * plays, not the failed one. */
    snprintf(cmd, sizeof(cmd), "f='%s/Movies/Spoilt (2001).mkv'; mv \"$f.good\" \"$f\"",
             fx->s.library);
    assert_int_equal(system(cmd), 0);
    char again[128];
    open_session(fx, fx->broken, NULL, again, sizeof(again));
    assert_string_not_equal(again, base);
    http(&fx->s, "GET", base, fx->token, NULL, NULL, &r);
    assert_status(&r, 404);
    response_free(&r);
    snprintf(path, sizeof(path), "%s/copy/0.m4s", again);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
}

static void prewarming_starts_hls_only(void **state)
{
    struct fixture *fx = *state;
    char path[128];
    struct response r;
    snprintf(path, sizeof(path), "/api/v1/hls/preload/%d", fx->mp4);
    http(&fx->s, "POST", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 202);
    assert_false(json_is_true(json_object_get(r.json, "started")));
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "direct_play");
    response_free(&r);

    snprintf(path, sizeof(path), "/api/v1/hls/preload/%d", fx->remux);
    http(&fx->s, "POST", path, fx->token, "{\"start\": 2.5}", NULL, &r);
    assert_status(&r, 202);
    assert_true(json_is_true(json_object_get(r.json, "started")));
    char base[128];
    snprintf(base, sizeof(base), "/api/v1/hls/%s",
             json_string_value(json_object_get(r.json, "session_id")));
    response_free(&r);
    json_t *st = state_of(fx, base);
    assert_string_equal(json_string_value(json_object_get(st, "state")), "prewarmed");
    assert_int_equal(json_integer_value(json_object_get(st, "start_ms")), 2500);
    json_decref(st);
    /* Unplayed, it ends after the pre-warm timeout (3 s here). */
    assert_true(wait_for_status(fx, base, 404, 10000));
}

static void mpeg_ts_when_asked(void **state)
{
    struct fixture *fx = *state;
    char base[128], path[200];
    open_session(fx, fx->remux, "?segments=ts", base, sizeof(base));
    snprintf(path, sizeof(path), "%s/copy/index.m3u8", base);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_null(strstr(r.body, "EXT-X-MAP"));
    assert_non_null(strstr(r.body, "\n0.ts\n"));
    response_free(&r);
    read_with_ffmpeg(fx, path, 6.0);
}

static void metrics_count_what_happened(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    http(&fx->s, "GET", "/metrics", NULL, NULL, NULL, &r);
    assert_status(&r, 200);
    const char *want[] = {"reel_hls_sessions ",
                          "reel_hls_encoder_starts_total{reason=\"first\"}",
                          "reel_hls_time_to_first_segment_seconds_bucket{le=\"+Inf\"}",
                          "reel_hls_segment_wait_seconds_count",
                          "reel_bytes_served_total{method=\"hls\"}",
                          "reel_http_responses_total{class=\"2xx\"}"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(r.body, want[i]))
            fail_msg("/metrics has no %s", want[i]);
    /* Segments were served, and one encoder failed (the spoilt file). */
    const char *served = strstr(r.body, "\nreel_hls_segments_served_total ");
    assert_non_null(served);
    assert_true(atol(served + strlen("\nreel_hls_segments_served_total ")) > 3);
    const char *failed = strstr(r.body, "\nreel_hls_encoder_failures_total ");
    assert_non_null(failed);
    assert_true(atol(failed + strlen("\nreel_hls_encoder_failures_total ")) >= 1);
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_remux_reads_end_to_end),
        cmocka_unit_test(a_transcode_reads_end_to_end),
        cmocka_unit_test(the_decision_and_the_encoder_agree_on_bitrates),
        cmocka_unit_test(what_segments_cannot_carry_is_converted),
        cmocka_unit_test(a_client_decode_error_changes_the_plan),
        cmocka_unit_test(encodes_look_like_their_sources),
        cmocka_unit_test(a_source_that_starts_late_keeps_its_grid),
        cmocka_unit_test(a_seek_to_the_last_quarter_lands_in_place),
        cmocka_unit_test(sessions_belong_to_their_user),
        cmocka_unit_test(delete_and_idle_end_sessions_completely),
        cmocka_unit_test(a_killed_encoder_recovers),
        cmocka_unit_test(a_corrupt_file_gives_a_clear_502),
        cmocka_unit_test(prewarming_starts_hls_only),
        cmocka_unit_test(mpeg_ts_when_asked),
        cmocka_unit_test(metrics_count_what_happened),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
