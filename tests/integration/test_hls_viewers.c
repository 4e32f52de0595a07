/* Encoders as viewers share them: one slot per viewer (a user's device), sessions per
 * device, and encoders paused when far ahead. Against the real server, on a 60 s title
 * with two renditions, so that encoders run long enough to be watched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture {
    struct server s;
    char token[80];
    int film, other, wide;
};

static const char *const server_args[] = {"--hls-max-encoders",
                                          "2",
                                          "--hls-throttle",
                                          "8",
                                          "--hls-kill-grace",
                                          "1",
                                          "--hls-calibrate",
                                          "1",
                                          NULL};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    /* MPEG-2 plays in no browser: a transcode, in 480p and 360p. */
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%1$s/Movies' && ffmpeg -v error -f lavfi -i testsrc2=size=854x480:rate=24 "
             "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 -c:v mpeg2video -q:v 8 "
             "-g 24 -c:a mp2 '%1$s/Movies/Long Take (2020).ts' && "
             "cp '%1$s/Movies/Long Take (2020).ts' '%1$s/Movies/Second Take (2021).ts' && "
             "ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=24 -t 10 -c:v mpeg2video "
             "-q:v 8 '%1$s/Movies/Wide Take (2022).ts'",
             fx->s.library);
    if (system(cmd) != 0)
        return -1;
    /* What this machine encodes, as far as the server knows: 480p sources fast, 720p from a
     * 720p one at half real time, too slow to offer. The calibration seeds the rest. */
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%1$s' && printf '%%s\\n' 'mpeg2video/480>480/veryfast 5 3' "
             "'mpeg2video/480>360/veryfast 8 3' 'mpeg2video/720>720/veryfast 0.5 3' "
             "> '%1$s/encode-speeds'",
             fx->s.data);
    if (system(cmd) != 0)
        return -1;
    server_start(&fx->s, server_args);
    server_wait_scan(&fx->s);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    fx->film = movie_file_id(&fx->s, fx->token, "Long Take");
    fx->other = movie_file_id(&fx->s, fx->token, "Second Take");
    fx->wide = movie_file_id(&fx->s, fx->token, "Wide Take");
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

/* The ladder offers what this machine encodes at 1.2x real time or faster, says how fast
 * each rung goes, and names what it left out and why. */
static void the_ladder_is_what_this_machine_keeps_up_with(void **state)
{
    struct fixture *fx = *state;
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?device_id=ladder", fx->wide);
    struct response r;
    /* The calibration runs in the background at the first start: wait for it. */
    json_t *speed = NULL;
    for (int i = 0; i < 300 && !json_is_real(speed); i++) {
        http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
        assert_status(&r, 200);
        json_t *rungs = json_object_get(r.json, "renditions");
        speed = json_object_get(json_array_get(rungs, 0), "speed");
        if (json_is_real(speed))
            break;
        response_free(&r);
        usleep(100000);
    }
    assert_true(json_is_real(speed));
    /* 720p is left out; what is offered keeps up (or is the lowest, offered anyway). */
    json_t *rungs = json_object_get(r.json, "renditions");
    size_t n = json_array_size(rungs);
    assert_true(n >= 1);
    for (size_t i = 0; i + 1 < n; i++)
        assert_true(json_real_value(json_object_get(json_array_get(rungs, i), "speed")) >= 1.2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rungs, n - 1), "name")),
                        "360p");
    /* This machine has no hardware encoder: x264 makes the video, and the log says so. */
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(r.json, "streams"), "video"), "encoder")),
        "libx264");
    char grep[256];
    snprintf(grep, sizeof(grep), "grep -q 'hardware H.264 encoder: none' '%s'", fx->s.log);
    assert_int_equal(system(grep), 0);
    json_t *dropped = json_array_get(json_object_get(r.json, "dropped_renditions"), 0);
    assert_string_equal(json_string_value(json_object_get(dropped, "name")), "720p");
    assert_true(json_real_value(json_object_get(dropped, "speed")) < 0.6);
    assert_non_null(strstr(json_string_value(json_object_get(dropped, "reason")), "real time"));
    char base[96];
    snprintf(base, sizeof(base), "/api/v1/hls/%.64s",
             json_string_value(json_object_get(r.json, "session_id")));
    response_free(&r);
    snprintf(path, sizeof(path), "%s/master.m3u8", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_null(strstr(r.body, "720p"));
    assert_non_null(strstr(r.body, "360p/index.m3u8"));
    response_free(&r);
    http(&fx->s, "DELETE", base, fx->token, NULL, NULL, &r);
    response_free(&r);
}

/* The session a device gets for a file: writes "/api/v1/hls/ID". */
static void session_for(struct fixture *fx, int file, const char *device, char *base, size_t size)
{
    char path[160];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?device_id=%s", file, device);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    const char *id = json_string_value(json_object_get(r.json, "session_id"));
    assert_non_null(id);
    snprintf(base, size, "/api/v1/hls/%s", id);
    response_free(&r);
}

static long get_status(struct fixture *fx, const char *base, const char *file)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", base, file);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    long status = r.status;
    response_free(&r);
    return status;
}

/* A rendition's member in the session's state: "encoding", "paused"… */
/* A rendition's member in the session's state (its own reference), or NULL. */
static json_t *rendition_state(struct fixture *fx, const char *base, const char *name)
{
    struct response r;
    http(&fx->s, "GET", base, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *found = NULL;
    size_t i;
    json_t *rend;
    json_array_foreach(json_object_get(r.json, "renditions"), i, rend)
    {
        if (strcmp(json_string_value(json_object_get(rend, "name")), name) == 0)
            found = json_incref(rend);
    }
    response_free(&r);
    return found;
}

/* A rendition's flag in the session's state: "encoding", "paused"… */
static bool rendition_flag(struct fixture *fx, const char *base, const char *name, const char *flag)
{
    json_t *rend = rendition_state(fx, base, name);
    bool value = json_is_true(json_object_get(rend, flag));
    json_decref(rend);
    return value;
}

static void end(struct fixture *fx, const char *base)
{
    struct response r;
    http(&fx->s, "DELETE", base, fx->token, NULL, NULL, &r);
    response_free(&r);
}

/* ffprobe's video packets in a body: how many, and the first and last time. */
static int video_packets(struct fixture *fx, const struct response *r, double *first, double *last)
{
    char file[192], cmd[512];
    snprintf(file, sizeof(file), "%s/segment.ts", fx->s.dir);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r->body, 1, r->len, f), r->len);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -select_streams v -show_entries packet=pts_time "
             "-of default=nk=1:nw=1 '%s'",
             file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int n = 0;
    char line[64];
    while (fgets(line, sizeof(line), p)) {
        char *end;
        double t = strtod(line, &end);
        if (end == line)
            continue;
        if (n == 0 || t < *first)
            *first = t;
        if (n == 0 || t > *last)
            *last = t;
        n++;
    }
    assert_int_equal(pclose(p), 0);
    return n;
}

/* A segment fetched on a thread of its own: how it ended, and how many bytes came. */
struct fetch {
    struct fixture *fx;
    char path[192];
    CURLcode rc;
    size_t len;
};

static size_t count_bytes(char *data, size_t size, size_t n, void *ctx)
{
    (void)data;
    ((struct fetch *)ctx)->len += size * n;
    return size * n;
}

static void *fetch_segment(void *arg)
{
    struct fetch *f = arg;
    CURL *c = curl_easy_init();
    char url[256], auth[160];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->fx->s.port, f->path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", f->fx->token);
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_bytes);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    f->rc = curl_easy_perform(c);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return NULL;
}

/* The segment the encoder of a rendition started at, or -1 while it has none. */
static long encoder_start(struct fixture *fx, const char *base, const char *name)
{
    json_t *rend = rendition_state(fx, base, name);
    long start = json_is_true(json_object_get(rend, "encoding"))
                     ? (long)json_integer_value(json_object_get(rend, "encoder_start"))
                     : -1;
    json_decref(rend);
    return start;
}

/* Left to the server, a transcode comes in MPEG-TS, and the first segment of an encoder
 * run is sent part by part as it is made, so that a player can start on its first part.
 * What is sent is the whole segment, the very bytes it is sent as later from disk. A run
 * replaced while it sends one ends that body as failed, never as a short complete one. */
static void a_new_encoders_first_segment_comes_part_by_part(void **state)
{
    struct fixture *fx = *state;
    char path[192], base[128];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?device_id=parts&segments=auto", fx->film);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "segments")), "ts");
    snprintf(base, sizeof(base), "/api/v1/hls/%.64s",
             json_string_value(json_object_get(r.json, "session_id")));
    response_free(&r);

    /* Segment 7 is 20 s to 24 s: an encoder starts there and sends it as it goes. */
    snprintf(path, sizeof(path), "%s/480p/7.ts", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    char value[64];
    assert_true(response_header(&r, "Transfer-Encoding", value, sizeof(value)));
    assert_string_equal(value, "chunked");
    assert_false(response_header(&r, "Content-Length", value, sizeof(value)));
    double first = 0, last = 0;
    /* 4 s at 24 frames a second. */
    assert_int_equal(video_packets(fx, &r, &first, &last), 96);
    assert_float_equal(last - first, 4.0 - 1.0 / 24, 0.01);
    struct response again;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &again);
    assert_status(&again, 200);
    assert_true(response_header(&again, "Content-Length", value, sizeof(value)));
    assert_int_equal(again.len, r.len);
    assert_memory_equal(again.body, r.body, r.len);
    response_free(&again);
    response_free(&r);

    /* Segment 12 starts another run; while it comes, a seek back starts a third. */
    struct fetch f = {.fx = fx};
    snprintf(f.path, sizeof(f.path), "%s/480p/12.ts", base);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fetch_segment, &f), 0);
    for (int i = 0; i < 2000 && encoder_start(fx, base, "480p") != 12; i++)
        usleep(1000);
    assert_int_equal(get_status(fx, base, "480p/2.ts"), 200);
    pthread_join(t, NULL);
    snprintf(path, sizeof(path), "%s/480p/12.ts", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    if (f.rc == CURLE_OK)
        assert_int_equal(f.len, r.len);
    else if (f.rc != CURLE_PARTIAL_FILE && f.rc != CURLE_RECV_ERROR && f.rc != CURLE_GOT_NOTHING)
        fail_msg("segment 12 ended with '%s' after %zu bytes", curl_easy_strerror(f.rc), f.len);
    response_free(&r);
    end(fx, base);
}

/* Whether a process runs: not gone, and not a zombie nobody reaped yet. */
static bool running(pid_t pid)
{
    char path[64], stat[256] = "";
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool read = fgets(stat, sizeof(stat), f) != NULL;
    fclose(f);
    const char *state = read ? strrchr(stat, ')') : NULL;
    return state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

/* Encoders die with the server, even when it is killed with SIGKILL and has no time to
 * stop them; the next start finds none of them. */
static void encoders_die_with_a_killed_server(void **state)
{
    struct fixture *fx = *state;
    char base[128];
    session_for(fx, fx->film, "killed", base, sizeof(base));
    assert_int_equal(get_status(fx, base, "480p/0.m4s"), 200);
    json_t *rend = rendition_state(fx, base, "480p");
    assert_true(json_is_true(json_object_get(rend, "encoding")));
    pid_t pid = (pid_t)json_integer_value(json_object_get(rend, "pid"));
    json_decref(rend);
    assert_true(pid > 0);
    assert_true(running(pid));
    kill(fx->s.pid, SIGKILL);
    waitpid(fx->s.pid, NULL, 0);
    fx->s.pid = 0;
    int alive = 1;
    for (int k = 0; k < 300 && alive; k++) {
        alive = running(pid);
        if (alive)
            usleep(10000);
    }
    assert_false(alive);
    server_start(&fx->s, server_args);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
}

static void each_device_has_its_own_session(void **state)
{
    struct fixture *fx = *state;
    char a[128], again[128], b[128];
    session_for(fx, fx->film, "tv", a, sizeof(a));
    session_for(fx, fx->film, "tv", again, sizeof(again));
    session_for(fx, fx->film, "phone", b, sizeof(b));
    assert_string_equal(a, again);
    assert_string_not_equal(a, b);
    end(fx, a);
    end(fx, b);
}

/* Two viewers fill the cap of two. Switching rendition never gets 503 from one's own
 * encoder: the old one stops, the new one takes the slot. A third viewer gets 503. */
static void a_viewer_switching_quality_keeps_its_slot(void **state)
{
    struct fixture *fx = *state;
    char a[128], b[128], c[128];
    session_for(fx, fx->film, "a", a, sizeof(a));
    session_for(fx, fx->film, "b", b, sizeof(b));
    session_for(fx, fx->film, "c", c, sizeof(c));
    assert_int_equal(get_status(fx, a, "480p/0.m4s"), 200);
    assert_int_equal(get_status(fx, b, "480p/0.m4s"), 200);
    assert_true(rendition_flag(fx, a, "480p", "encoding"));
    assert_true(rendition_flag(fx, b, "480p", "encoding"));

    /* ABR switches a down: served, and its 480p encoder is gone. */
    assert_int_equal(get_status(fx, a, "360p/init.mp4"), 200);
    assert_int_equal(get_status(fx, a, "360p/1.m4s"), 200);
    assert_true(rendition_flag(fx, a, "360p", "encoding"));
    assert_false(rendition_flag(fx, a, "480p", "encoding"));

    /* And back up, at a segment the first run has not made. */
    assert_int_equal(get_status(fx, a, "480p/12.m4s"), 200);
    assert_false(rendition_flag(fx, a, "360p", "encoding"));

    /* A third viewer is past the cap. */
    char path[256];
    snprintf(path, sizeof(path), "%s/480p/0.m4s", c);
    struct response r;
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 503);
    char retry[16];
    assert_true(response_header(&r, "Retry-After", retry, sizeof(retry)));
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "encoders_busy");
    response_free(&r);
    end(fx, a);
    end(fx, b);
    end(fx, c);
}

/* A player that goes straight on to the next title (and never ends the session it leaves)
 * takes its slot along. */
static void the_next_title_takes_the_viewers_slot(void **state)
{
    struct fixture *fx = *state;
    char a[128], b[128], next[128];
    session_for(fx, fx->film, "a", a, sizeof(a));
    session_for(fx, fx->film, "b", b, sizeof(b));
    assert_int_equal(get_status(fx, a, "480p/0.m4s"), 200);
    assert_int_equal(get_status(fx, b, "480p/0.m4s"), 200);
    session_for(fx, fx->other, "a", next, sizeof(next));
    assert_int_equal(get_status(fx, next, "480p/0.m4s"), 200);
    assert_false(rendition_flag(fx, a, "480p", "encoding"));
    end(fx, a);
    end(fx, b);
    end(fx, next);
}

/* An encoder more than --hls-throttle (8 s) ahead of its viewer pauses, and goes on when
 * the viewer catches up. */
static void an_encoder_far_ahead_pauses(void **state)
{
    struct fixture *fx = *state;
    char a[128];
    session_for(fx, fx->film, "a", a, sizeof(a));
    assert_int_equal(get_status(fx, a, "480p/0.m4s"), 200);
    bool paused = false;
    for (int i = 0; i < 100 && !paused; i++) {
        usleep(100000);
        paused = rendition_flag(fx, a, "480p", "paused");
    }
    assert_true(paused);
    assert_true(rendition_flag(fx, a, "480p", "encoding"));
    /* The viewer comes close: segment 5 starts at 12 s, where the encoder stopped. */
    assert_int_equal(get_status(fx, a, "480p/5.m4s"), 200);
    assert_false(rendition_flag(fx, a, "480p", "paused"));
    end(fx, a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_device_has_its_own_session),
        cmocka_unit_test(the_ladder_is_what_this_machine_keeps_up_with),
        cmocka_unit_test(a_viewer_switching_quality_keeps_its_slot),
        cmocka_unit_test(the_next_title_takes_the_viewers_slot),
        cmocka_unit_test(an_encoder_far_ahead_pauses),
        cmocka_unit_test(a_new_encoders_first_segment_comes_part_by_part),
        cmocka_unit_test(encoders_die_with_a_killed_server),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
