/*
 * Scrubbing previews: made by a background task after the scan, listed in GET /api/v1/tasks,
 * served as a WebVTT thumbnails track, an HLS image playlist and JPEG sheets. The preview of
 * a time looks like ffmpeg's grab of that time, and not like one 30 s away; the task stops
 * while a viewer's encoder runs, and survives a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { W = 160, H = 90, SECONDS = 240 };

struct fixture {
    struct server s;
    char token[80];
    char film[4200];
    int file;
};

/* A film whose colours turn round once a minute, so that two times 30 s apart differ, with
 * a keyframe every 10 s: previews every 4 s are made from every frame. */
static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    snprintf(fx->film, sizeof(fx->film), "%s/Turning (2020).mp4", fx->s.library);
    char cmd[8600];
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=24:duration=%d "
             "-vf hue=H=2*PI*t/60 -c:v libx264 -preset ultrafast -g 240 -pix_fmt yuv420p '%s'",
             SECONDS, fx->film);
    if (system(cmd) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    server_cleanup(&fx->s);
    free(fx);
    return 0;
}

static const char *const args[] = {"--trickplay-interval",
                                   "4",
                                   "--trickplay-width",
                                   "160",
                                   "--trickplay-tiles",
                                   "5",
                                   "--jobs-nice",
                                   "0",
                                   NULL};

static void start(struct fixture *fx)
{
    server_start(&fx->s, args);
    server_wait_scan(&fx->s);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    fx->file = movie_file_id(&fx->s, fx->token, "Turning");
}

/* The trickplay task of the film: its state ("queued", "running", "done", "failed") into
 * out, and its progress. */
static double task(struct fixture *fx, char *out, size_t size)
{
    struct response r;
    http(&fx->s, "GET", "/api/v1/tasks", fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    size_t i;
    json_t *t;
    double progress = -1;
    snprintf(out, size, "none");
    json_array_foreach(json_object_get(r.json, "tasks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "kind")), "trickplay") == 0 &&
            json_integer_value(json_object_get(t, "file_id")) == fx->file) {
            snprintf(out, size, "%s", json_string_value(json_object_get(t, "state")));
            progress = json_number_value(json_object_get(t, "progress"));
        }
    }
    response_free(&r);
    return progress;
}

static void wait_state(struct fixture *fx, const char *want)
{
    char state[16] = "";
    for (int i = 0; i < 1200; i++) {
        task(fx, state, sizeof(state));
        if (strcmp(state, want) == 0)
            return;
        if (strcmp(state, "failed") == 0)
            break;
        usleep(50 * 1000);
    }
    fail_msg("the trickplay task is '%s', not '%s'", state, want);
}

/* The pid of the task's ffmpeg, or 0. */
static int task_ffmpeg(struct fixture *fx)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "pgrep -f '^ffmpeg .*%s/.*/t%%06d.jpg' | head -1", fx->s.dir);
    FILE *p = popen(cmd, "r");
    int pid = 0;
    if (p && fscanf(p, "%d", &pid) != 1)
        pid = 0;
    if (p)
        pclose(p);
    return pid;
}

static char process_state(int pid)
{
    char path[64], stat[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return '?';
    size_t n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *close = strrchr(stat, ')');
    return close && close[1] ? close[2] : '?';
}

/* Gray pixels of the frame ffmpeg decodes from input (with extra input options), scaled to
 * W x H, after vf (a crop, or "null"). */
static void gray(const char *input_opts, const char *input, const char *vf, unsigned char *out)
{
    char cmd[9000];
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error %s -i '%s' -vf '%s,scale=%d:%d,format=gray' -frames:v 1 "
             "-f rawvideo -",
             input_opts, input, vf, W, H);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fread(out, W * H, 1, p), 1);
    assert_int_equal(pclose(p), 0);
}

static double difference(const unsigned char *a, const unsigned char *b)
{
    double sum = 0;
    for (size_t i = 0; i < W * H; i++)
        sum += abs((int)a[i] - (int)b[i]);
    return sum / (W * H);
}

static void previews_look_like_their_time(void **state)
{
    struct fixture *fx = *state;
    start(fx);
    wait_state(fx, "done");
    struct response r;
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->file);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    json_t *tp = json_object_get(r.json, "trickplay");
    assert_int_equal(json_integer_value(json_object_get(tp, "interval")), 4);
    assert_int_equal(json_integer_value(json_object_get(tp, "width")), W);
    assert_int_equal(json_integer_value(json_object_get(tp, "height")), H);
    char vtt_url[256];
    snprintf(vtt_url, sizeof(vtt_url), "%s", json_string_value(json_object_get(tp, "url")));
    response_free(&r);

    struct response v;
    http(&fx->s, "GET", vtt_url, fx->token, NULL, NULL, &v);
    assert_status(&v, 200);
    assert_memory_equal(v.body, "WEBVTT", 6);
    /* 60 previews, 25 to a sheet: 3 sheets, the last one's preview 59 at (4, 1). */
    assert_non_null(strstr(v.body, "\n00:03:56.000 --> 00:04:00.000\n2.jpg#xywh=640,90,160,90\n"));
    /* The preview of 1:40 (the 26th: sheet 1, first row, second column). */
    const char *cue = strstr(v.body, "\n00:01:40.000 --> 00:01:44.000\n");
    assert_non_null(cue);
    int x, y, w, h, sheet;
    assert_int_equal(sscanf(cue + 31, "%d.jpg#xywh=%d,%d,%d,%d", &sheet, &x, &y, &w, &h), 5);
    assert_int_equal(sheet, 1);
    response_free(&v);

    char sheet_url[320], sheet_file[4300], crop[64];
    snprintf(sheet_url, sizeof(sheet_url), "%.*s%d.jpg", (int)(strrchr(vtt_url, '/') - vtt_url + 1),
             vtt_url, sheet);
    http(&fx->s, "GET", sheet_url, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    snprintf(sheet_file, sizeof(sheet_file), "%s/sheet.jpg", fx->s.dir);
    FILE *f = fopen(sheet_file, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.len, f), r.len);
    fclose(f);
    response_free(&r);
    snprintf(crop, sizeof(crop), "crop=%d:%d:%d:%d", w, h, x, y);
    unsigned char preview[W * H], same[W * H], away[W * H];
    gray("", sheet_file, crop, preview);
    gray("-ss 100", fx->film, "null", same);
    gray("-ss 130", fx->film, "null", away);
    double d_same = difference(preview, same), d_away = difference(preview, away);
    if (!(d_same < 6 && d_away > 4 * d_same && d_away > 8))
        fail_msg("preview of 1:40 against ffmpeg's grab of 1:40: %.1f, of 2:10: %.1f", d_same,
                 d_away);

    /* The HLS image playlist: a sheet per 100 s segment. */
    snprintf(path, sizeof(path), "%.*sindex.m3u8", (int)(strrchr(vtt_url, '/') - vtt_url + 1),
             vtt_url);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_non_null(strstr(r.body, "#EXT-X-IMAGES-ONLY\n"));
    assert_non_null(strstr(r.body, "#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=5x5,DURATION=4\n"
                                   "#EXTINF:100.000,\n0.jpg\n"));
    assert_non_null(strstr(r.body, "#EXTINF:40.000,\n2.jpg\n#EXT-X-ENDLIST\n"));
    response_free(&r);
    snprintf(path, sizeof(path), "%.*s3.jpg", (int)(strrchr(vtt_url, '/') - vtt_url + 1), vtt_url);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
    /* HLS master playlists name the image playlist, for players that read one. */
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->file);
    http(&fx->s, "POST", path, fx->token,
         "{\"profile\": {\"containers\": [\"mp4\"], \"video\": [], \"audio\": []}}", NULL, &r);
    assert_status(&r, 200);
    char master[256];
    snprintf(master, sizeof(master), "%s", json_string_value(json_object_get(r.json, "url")));
    response_free(&r);
    http(&fx->s, "GET", master, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    char want[320];
    snprintf(want, sizeof(want),
             "#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=4600,RESOLUTION=160x90,CODECS=\"jpeg\","
             "URI=\"/api/v1/library/files/%d/trickplay/index.m3u8\"\n",
             fx->file);
    assert_non_null(strstr(r.body, want));
    response_free(&r);
    /* And a signed link's, the link's own. */
    snprintf(path, sizeof(path), "/api/v1/links/%d", fx->file);
    http(&fx->s, "POST", path, fx->token, "{\"client\": \"vlc\"}", NULL, &r);
    assert_status(&r, 201);
    char link[512];
    const char *rel = json_string_value(json_object_get(r.json, "path"));
    snprintf(link, sizeof(link), "%.*s/library/files/%d/trickplay/index.m3u8",
             (int)(strchr(rel + 3, '/') - rel), rel, fx->file);
    response_free(&r);
    http(&fx->s, "GET", link, NULL, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_non_null(strstr(r.body, "#EXT-X-IMAGES-ONLY\n"));
    response_free(&r);

    /* Only administrators see the tasks. */
    http(&fx->s, "POST", "/api/v1/users", fx->token,
         "{\"username\": \"viewer\", \"password\": \"a long password\"}", NULL, &r);
    assert_status(&r, 201);
    response_free(&r);
    char viewer[80];
    snprintf(viewer, sizeof(viewer), "%s", login(&fx->s, "viewer", "a long password"));
    http(&fx->s, "GET", "/api/v1/tasks", viewer, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    response_free(&r);
    assert_int_equal(server_stop(&fx->s), 0);
}

/* Made again after the file changes; paused while a viewer's encoder runs; a task cut short
 * by a stop runs again after the restart. */
static void tasks_pause_for_viewers_and_survive_a_restart(void **state)
{
    struct fixture *fx = *state;
    /* A changed file (touched) needs new previews. */
    char cmd[4400];
    snprintf(cmd, sizeof(cmd), "touch -d '2021-01-01' '%s'", fx->film);
    assert_int_equal(system(cmd), 0);
    start(fx);
    char st[16];
    for (int i = 0; i < 400 && !task_ffmpeg(fx); i++)
        usleep(20 * 1000);
    int pid = task_ffmpeg(fx);
    assert_true(pid > 0);
    /* A viewer: a transcode of the same film (a profile with no video codec forces one). */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->file);
    struct response r;
    http(&fx->s, "POST", path, fx->token,
         "{\"profile\": {\"containers\": [\"mp4\"], \"video\": [], \"audio\": []}, "
         "\"segments\": \"ts\"}",
         NULL, &r);
    assert_status(&r, 200);
    char media[256];
    const char *master = json_string_value(json_object_get(r.json, "url"));
    const char *rung = json_string_value(
        json_object_get(json_array_get(json_object_get(r.json, "renditions"), 0), "name"));
    snprintf(media, sizeof(media), "%.*s%s/5.ts", (int)(strlen(master) - strlen("master.m3u8")),
             master, rung);
    response_free(&r);
    http(&fx->s, "GET", media, fx->token, NULL, NULL, &r); /* starts an encoder */
    response_free(&r);
    char seen = '?';
    for (int i = 0; i < 100 && (seen = process_state(pid)) != 'T'; i++)
        usleep(20 * 1000);
    if (seen != 'T' && task(fx, st, sizeof(st)) >= 0 && strcmp(st, "running") == 0)
        fail_msg("the task's ffmpeg is '%c', not stopped, while a viewer's encoder runs", seen);
    /* Stopped in the middle, then started again: the task runs to the end. */
    assert_int_equal(server_stop(&fx->s), 0);
    start(fx);
    wait_state(fx, "done");
    snprintf(path, sizeof(path), "/api/v1/library/files/%d/trickplay/index.vtt", fx->file);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_non_null(strstr(r.body, "2.jpg#xywh=640,90,160,90\n"));
    response_free(&r);
    /* One folder of previews: the old version's went. */
    snprintf(cmd, sizeof(cmd), "test $(ls '%s/trickplay' | wc -l) -eq 1", fx->s.data);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(server_stop(&fx->s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(previews_look_like_their_time),
        cmocka_unit_test(tasks_pause_for_viewers_and_survive_a_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
