/* Playback progress against the real server: the API, users and devices kept apart, live
 * events, continue watching, and durability across SIGKILL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const media[] = {
    "Movies/Test Pattern (2021)/Test Pattern (2021).mp4",
    "Movies/Night Clock (2019).mkv",
    "TV/Demo Show/Season 01/Demo Show - S01E01 - Pilot.mp4",
    "TV/Demo Show/Season 01/Demo Show - S01E02 - Second.mp4",
    "TV/Demo Show/Season 01/Demo Show - S01E03 - Finale.mp4",
    NULL,
};

struct fixture {
    struct server s;
    char admin[80], ann[80], bob[80];
    int movie, other, ep[3];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    /* Titles of two minutes, so that 10 s of resume minimum and 90 % are far apart. */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && REEL_MEDIA_SECONDS=120 %s/scripts/gen-media.sh . --tiny "
             ">/dev/null && rm -rf 'Movies/Deep Colour (2023).mkv' 'Movies/Open Sky (2020).webm' "
             "'Movies/Old Broadcast (1998).ts'",
             fx->s.library, REEL_SOURCE_DIR);
    if (system(cmd) != 0)
        return -1;
    (void)media;
    server_start(&fx->s, NULL);
    server_wait_scan(&fx->s);
    snprintf(fx->admin, sizeof(fx->admin), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    struct response r;
    http(&fx->s, "POST", "/api/v1/users", fx->admin,
         "{\"username\":\"ann\",\"password\":\"ann-password\"}", NULL, &r);
    response_free(&r);
    http(&fx->s, "POST", "/api/v1/users", fx->admin,
         "{\"username\":\"bob\",\"password\":\"bob-password\"}", NULL, &r);
    response_free(&r);
    snprintf(fx->ann, sizeof(fx->ann), "%s", login(&fx->s, "ann", "ann-password"));
    snprintf(fx->bob, sizeof(fx->bob), "%s", login(&fx->s, "bob", "bob-password"));

    http(&fx->s, "GET", "/api/v1/library/items", fx->ann, NULL, NULL, &r);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r.json, "movies"), i, item)
    {
        int id = (int)json_integer_value(
            json_object_get(json_array_get(json_object_get(item, "files"), 0), "id"));
        if (strcmp(json_string_value(json_object_get(item, "title")), "Test Pattern") == 0)
            fx->movie = id;
        else
            fx->other = id;
    }
    json_t *eps = json_object_get(
        json_array_get(
            json_object_get(json_array_get(json_object_get(r.json, "shows"), 0), "seasons"), 0),
        "episodes");
    for (int k = 0; k < 3; k++)
        fx->ep[k] = (int)json_integer_value(json_object_get(
            json_array_get(json_object_get(json_array_get(eps, k), "files"), 0), "id"));
    response_free(&r);
    *state = fx;
    return fx->movie && fx->other && fx->ep[2] ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = server_stop(&fx->s);
    server_cleanup(&fx->s);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static void put(struct fixture *fx, const char *token, int file, double position, const char *event,
                const char *device, long seq, struct response *r)
{
    char path[64], body[256];
    snprintf(path, sizeof(path), "/api/v1/progress/%d", file);
    snprintf(body, sizeof(body),
             "{\"position\":%.3f,\"event\":\"%s\",\"device_id\":\"%s\",\"seq\":%ld}", position,
             event, device, seq);
    http(&fx->s, "PUT", path, token, body, NULL, r);
}

static double num(struct response *r, const char *key)
{
    return json_number_value(json_object_get(r->json, key));
}

static void the_whole_api(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    put(fx, fx->ann, fx->movie, 30, "timeupdate", "laptop", 1, &r);
    assert_status(&r, 200);
    assert_float_equal(num(&r, "position"), 30, 1e-6);
    assert_int_equal((long)num(&r, "position_ms"), 30000);
    assert_float_equal(num(&r, "duration"), 120, 0.2);
    assert_float_equal(num(&r, "percent"), 25, 0.1);
    assert_false(json_is_true(json_object_get(r.json, "watched")));
    assert_true(num(&r, "updated_at") > 0);
    assert_float_equal(num(&r, "resume_position"), 30, 1e-6);
    response_free(&r);

    char path[80];
    snprintf(path, sizeof(path), "/api/v1/progress/%d", fx->movie);
    http(&fx->s, "GET", path, fx->ann, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_float_equal(num(&r, "position"), 30, 1e-6);
    response_free(&r);

    /* The resume position reaches the playback decision and the library. */
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->movie);
    http(&fx->s, "GET", path, fx->ann, NULL, NULL, &r);
    assert_float_equal(num(&r, "resume_position"), 30, 1e-6);
    response_free(&r);
    http(&fx->s, "GET", "/api/v1/library/items", fx->ann, NULL, NULL, &r);
    assert_non_null(strstr(r.body, "\"percent\":25"));
    response_free(&r);

    /* Watched and unwatched by hand. */
    snprintf(path, sizeof(path), "/api/v1/progress/%d/watched", fx->movie);
    http(&fx->s, "POST", path, fx->ann, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_true(json_is_true(json_object_get(r.json, "watched")));
    assert_int_equal((long)num(&r, "play_count"), 1);
    assert_float_equal(num(&r, "resume_position"), 0, 1e-9);
    response_free(&r);
    snprintf(path, sizeof(path), "/api/v1/progress/%d/unwatched", fx->movie);
    http(&fx->s, "POST", path, fx->ann, NULL, NULL, &r);
    assert_false(json_is_true(json_object_get(r.json, "watched")));
    response_free(&r);

    /* 90 % of the probed duration marks it watched. */
    put(fx, fx->ann, fx->movie, 108.5, "timeupdate", "laptop", 2, &r);
    assert_true(json_is_true(json_object_get(r.json, "watched")));
    response_free(&r);

    snprintf(path, sizeof(path), "/api/v1/progress/%d", fx->movie);
    http(&fx->s, "DELETE", path, fx->ann, NULL, NULL, &r);
    assert_status(&r, 204);
    response_free(&r);
    http(&fx->s, "GET", path, fx->ann, NULL, NULL, &r);
    assert_float_equal(num(&r, "position"), 0, 1e-9);
    assert_false(json_is_true(json_object_get(r.json, "watched")));
    response_free(&r);
}

static void bad_values_are_refused(void **state)
{
    struct fixture *fx = *state;
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/progress/%d", fx->movie);
    const char *bad[][2] = {
        {"{\"position\":-1,\"device_id\":\"d\",\"seq\":1}", "position"},
        {"{\"device_id\":\"d\",\"seq\":1}", "position"},
        {"{\"position\":\"ten\",\"device_id\":\"d\",\"seq\":1}", "position"},
        {"{\"position\":NaN,\"device_id\":\"d\",\"seq\":1}", "JSON"},
        {"{\"position\":5,\"event\":\"rewind\",\"device_id\":\"d\",\"seq\":1}", "event"},
        {"{\"position\":5,\"seq\":1}", "device_id"},
        {"{\"position\":5,\"device_id\":\"d\"}", "seq"},
        {"{\"position\":5,\"device_id\":\"d\",\"seq\":-3}", "seq"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct response r;
        http(&fx->s, "PUT", path, fx->ann, bad[i][0], NULL, &r);
        assert_status(&r, 400);
        if (!strstr(r.body, bad[i][1]))
            fail_msg("%s: expected a message naming %s, got %s", bad[i][0], bad[i][1], r.body);
        response_free(&r);
    }
    struct response r;
    put(fx, fx->ann, 999999, 5, "timeupdate", "d", 1, &r);
    assert_status(&r, 404);
    response_free(&r);
    http(&fx->s, "GET", "/api/v1/progress?filter=everything", fx->ann, NULL, NULL, &r);
    assert_status(&r, 400);
    response_free(&r);
}

static void users_are_kept_apart(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    put(fx, fx->ann, fx->other, 40, "pause", "laptop", 10, &r);
    assert_status(&r, 200);
    response_free(&r);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/progress/%d", fx->other);
    http(&fx->s, "GET", path, fx->bob, NULL, NULL, &r);
    assert_float_equal(num(&r, "position"), 0, 1e-9);
    response_free(&r);
    put(fx, fx->bob, fx->other, 80, "pause", "laptop", 1, &r);
    response_free(&r);
    http(&fx->s, "GET", path, fx->ann, NULL, NULL, &r);
    assert_float_equal(num(&r, "position"), 40, 1e-9);
    response_free(&r);
}

static void devices_interleave_and_old_updates_lose(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    /* The latest update received wins between devices. */
    put(fx, fx->ann, fx->ep[1], 10, "timeupdate", "phone", 1, &r);
    response_free(&r);
    put(fx, fx->ann, fx->ep[1], 20, "timeupdate", "tv", 1, &r);
    response_free(&r);
    put(fx, fx->ann, fx->ep[1], 30, "timeupdate", "phone", 2, &r);
    assert_float_equal(num(&r, "position"), 30, 1e-9);
    assert_null(json_object_get(r.json, "stale"));
    response_free(&r);
    /* A retried or delayed update from a device changes nothing, and says so. */
    put(fx, fx->ann, fx->ep[1], 99, "timeupdate", "phone", 2, &r);
    assert_status(&r, 200);
    assert_true(json_is_true(json_object_get(r.json, "stale")));
    assert_float_equal(num(&r, "position"), 30, 1e-9);
    response_free(&r);
    put(fx, fx->ann, fx->ep[1], 5, "seek", "tv", 0, &r);
    assert_true(json_is_true(json_object_get(r.json, "stale")));
    response_free(&r);
    /* Reordered: tv's seq 3 arrives, then its seq 2, which loses. */
    put(fx, fx->ann, fx->ep[1], 50, "timeupdate", "tv", 3, &r);
    response_free(&r);
    put(fx, fx->ann, fx->ep[1], 45, "timeupdate", "tv", 2, &r);
    assert_true(json_is_true(json_object_get(r.json, "stale")));
    assert_float_equal(num(&r, "position"), 50, 1e-9);
    response_free(&r);
}

/* A raw Server-Sent Events client. */
static int sse_open(struct fixture *fx, const char *token, const char *last_id)
{
    int sock = server_connect(&fx->s);
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     "%s%s%s\r\n",
                     token, last_id ? "Last-Event-ID: " : "", last_id ? last_id : "",
                     last_id ? "\r\n" : "");
    assert_int_equal(send(sock, req, (size_t)n, 0), n);
    return sock;
}

/* Reads until text appears or ms pass; returns the time it took in ms, or -1. */
static long sse_wait(int sock, const char *text, long ms, char *seen, size_t size)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t used = strlen(seen);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (strstr(seen, text))
            return spent;
        if (spent >= ms || used + 1 >= size)
            return -1;
        struct timeval tv = {0, 50000};
        setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        ssize_t n = recv(sock, seen + used, size - 1 - used, 0);
        if (n > 0) {
            used += (size_t)n;
            seen[used] = '\0';
        }
    }
}

static void events_reach_the_users_other_devices_only(void **state)
{
    struct fixture *fx = *state;
    int ann = sse_open(fx, fx->ann, NULL), bob = sse_open(fx, fx->bob, NULL);
    static char a[16384], b[16384];
    a[0] = b[0] = '\0';
    assert_true(sse_wait(ann, ": ping", 2000, a, sizeof(a)) >= 0);
    assert_true(sse_wait(bob, ": ping", 2000, b, sizeof(b)) >= 0);
    assert_non_null(strstr(a, "text/event-stream"));

    struct response r;
    put(fx, fx->ann, fx->ep[0], 33, "pause", "phone", 100, &r);
    assert_status(&r, 200);
    response_free(&r);
    long took = sse_wait(ann, "event: progress", 1000, a, sizeof(a));
    if (took < 0)
        fail_msg("no progress event within 1 s; the stream had: %s", a);
    assert_non_null(strstr(a, "\"device_id\":\"phone\""));
    assert_non_null(strstr(a, "\"position\":33"));
    /* Bob hears nothing of Ann's. */
    assert_int_equal(sse_wait(bob, "event: progress", 1500, b, sizeof(b)), -1);

    /* A reconnect with Last-Event-ID gets what was missed meanwhile. */
    const char *id = strstr(a, "id: ");
    assert_non_null(id);
    char last[32];
    snprintf(last, sizeof(last), "%ld", atol(id + 4));
    close(ann);
    put(fx, fx->ann, fx->ep[0], 44, "pause", "phone", 101, &r);
    response_free(&r);
    int again = sse_open(fx, fx->ann, last);
    static char c[16384];
    c[0] = '\0';
    assert_true(sse_wait(again, "\"position\":44", 1000, c, sizeof(c)) >= 0);
    assert_null(strstr(c, "\"position\":33"));
    close(again);
    close(bob);
}

/* The event streams open, from /metrics. */
static int open_streams(struct fixture *fx)
{
    struct response r;
    http(&fx->s, "GET", "/metrics", NULL, NULL, NULL, &r);
    assert_status(&r, 200);
    const char *line = strstr(r.body, "\nreel_event_streams ");
    assert_non_null(line);
    int n = atoi(line + strlen("\nreel_event_streams "));
    response_free(&r);
    return n;
}

/* A user holds at most 32 event streams, and a stream whose client goes ends within a
 * second, not at the next ping: opening and dropping streams holds nothing. */
static void dropped_event_streams_end_at_once(void **state)
{
    struct fixture *fx = *state;
    /* The streams the test before closed go first. */
    int before = open_streams(fx);
    for (int i = 0; i < 20 && before; i++) {
        usleep(100000);
        before = open_streams(fx);
    }
    assert_int_equal(before, 0);
    int socks[32];
    static char seen[4096];
    for (int i = 0; i < 32; i++) {
        socks[i] = sse_open(fx, fx->bob, NULL);
        seen[0] = '\0';
        assert_true(sse_wait(socks[i], ": ping", 2000, seen, sizeof(seen)) >= 0);
    }
    int extra = sse_open(fx, fx->bob, NULL);
    seen[0] = '\0';
    assert_true(sse_wait(extra, "too_many_streams", 2000, seen, sizeof(seen)) >= 0);
    assert_non_null(strstr(seen, " 429 "));
    close(extra);
    assert_int_equal(open_streams(fx), before + 32);
    for (int i = 0; i < 32; i++)
        close(socks[i]);
    int now = before + 32;
    for (int i = 0; i < 15 && now != before; i++) {
        usleep(100000);
        now = open_streams(fx);
    }
    assert_int_equal(now, before);
    /* The room is there again. */
    int again = sse_open(fx, fx->bob, NULL);
    seen[0] = '\0';
    assert_true(sse_wait(again, ": ping", 2000, seen, sizeof(seen)) >= 0);
    close(again);
}

static void continue_watching_gives_one_entry_per_show(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    /* Episode 1 watched to the end: the show's entry is episode 2, next up. */
    put(fx, fx->ann, fx->ep[0], 120, "ended", "tv", 200, &r);
    response_free(&r);
    usleep(20000); /* recency is kept to the millisecond */
    put(fx, fx->ann, fx->movie, 60, "pause", "tv", 201, &r);
    response_free(&r);
    http(&fx->s, "GET", "/api/v1/progress?filter=continue", fx->ann, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *items = json_object_get(r.json, "items");
    /* Most recent first: the movie, then the show (episode 2, not the watched episode 1, and
     * not episode 2's own older progress as a second entry). */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "file_id")),
                     fx->movie);
    int shows = 0;
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        if (json_object_get(e, "show_id")) {
            shows++;
            assert_int_equal(json_integer_value(json_object_get(e, "file_id")), fx->ep[1]);
        }
    }
    assert_int_equal(shows, 1);
    response_free(&r);

    /* The library shows the percent, the watched flag and the unwatched count. */
    http(&fx->s, "GET", "/api/v1/library/items", fx->ann, NULL, NULL, &r);
    json_t *show = json_array_get(json_object_get(r.json, "shows"), 0);
    assert_int_equal(json_integer_value(json_object_get(show, "unwatched")), 2);
    json_t *ep1 = json_array_get(
        json_object_get(json_array_get(json_object_get(show, "seasons"), 0), "episodes"), 0);
    assert_true(json_is_true(json_object_get(ep1, "watched")));
    assert_float_equal(json_number_value(json_object_get(
                           json_array_get(json_object_get(ep1, "files"), 0), "percent")),
                       100, 1e-6);
    response_free(&r);
}

static void an_acknowledged_write_survives_sigkill(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    put(fx, fx->ann, fx->ep[2], 77.25, "pause", "tv", 300, &r);
    assert_status(&r, 200);
    response_free(&r);
    kill(fx->s.pid, SIGKILL);
    waitpid(fx->s.pid, NULL, 0);
    fx->s.pid = 0;
    server_start(&fx->s, NULL);
    snprintf(fx->ann, sizeof(fx->ann), "%s", login(&fx->s, "ann", "ann-password"));
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/progress/%d", fx->ep[2]);
    http(&fx->s, "GET", path, fx->ann, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_float_equal(num(&r, "position"), 77.25, 1e-9);
    response_free(&r);
    server_wait_scan(&fx->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_whole_api),
        cmocka_unit_test(bad_values_are_refused),
        cmocka_unit_test(users_are_kept_apart),
        cmocka_unit_test(devices_interleave_and_old_updates_lose),
        cmocka_unit_test(events_reach_the_users_other_devices_only),
        cmocka_unit_test(dropped_event_streams_end_at_once),
        cmocka_unit_test(continue_watching_gives_one_entry_per_show),
        cmocka_unit_test(an_acknowledged_write_survives_sigkill),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
