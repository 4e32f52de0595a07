/* The playback decision and direct play against the real server, with every body checked
 * against the file on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <arpa/inet.h>
#include <cmocka.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char mp4[] = "Movies/Test Pattern (2021)/Test Pattern (2021).mp4";
static const char *const media[] = {
    "Movies/Test Pattern (2021)/Test Pattern (2021).mp4",
    "Movies/Deep Colour (2023).mkv",
    "Movies/Night Clock (2019).mkv",
    "Movies/Open Sky (2020).webm",
    NULL,
};

struct fixture {
    struct server s;
    char token[80];
    char *disk; /* the MP4's bytes */
    size_t size;
    int mp4_id, hevc_id, ac3_id, big_id, gone_id, bad_id;
};

static char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc(*size + 1);
    assert_int_equal(fread(p, 1, *size, f), *size);
    fclose(f);
    return p;
}

/* The id of the first file of the item with this title. */

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    media_copy(fx->s.library, media);
    char cmd[1024];
    /* A 10 MB file for the disconnect test, one to delete and one that is not media. */
    snprintf(cmd, sizeof(cmd),
             "cd '%s/Movies' && ffmpeg -v error -stream_loop 40 -i '../%s' -c copy "
             "'Long Pattern (2022).mp4' && cp '../%s' 'Gone Soon (2020).mp4' && "
             "cp '../%s' 'Swapped (2018).mp4' && "
             "head -c 5000 /dev/urandom > 'Broken (2019).mp4'",
             fx->s.library, mp4, mp4, mp4);
    if (system(cmd) != 0)
        return -1;
    server_start(&fx->s, NULL);
    server_wait_scan(&fx->s);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fx->s.library, mp4);
    fx->disk = read_file(path, &fx->size);
    fx->mp4_id = movie_file_id(&fx->s, fx->token, "Test Pattern");
    fx->hevc_id = movie_file_id(&fx->s, fx->token, "Deep Colour");
    fx->ac3_id = movie_file_id(&fx->s, fx->token, "Night Clock");
    fx->big_id = movie_file_id(&fx->s, fx->token, "Long Pattern");
    fx->gone_id = movie_file_id(&fx->s, fx->token, "Gone Soon");
    fx->bad_id = movie_file_id(&fx->s, fx->token, "Broken");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = server_stop(&fx->s);
    server_cleanup(&fx->s);
    free(fx->disk);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static void get(struct fixture *fx, int id, const char *header, struct response *r)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/stream/%d?static=1", id);
    http(&fx->s, "GET", path, fx->token, NULL, header, r);
}

static void assert_bytes(struct fixture *fx, const char *body, size_t start, size_t len)
{
    if (start + len > fx->size || memcmp(body, fx->disk + start, len) != 0)
        fail_msg("bytes %zu+%zu differ from the file on disk", start, len);
}

static void every_range_form_returns_the_right_bytes(void **state)
{
    struct fixture *fx = *state;
    size_t n = fx->size;
    struct {
        const char *range; /* %zu stands for size-relative values, filled below */
        long status;
        size_t start, len;
    } cases[] = {
        {"bytes=0-4", 206, 0, 5},
        {"bytes=2-", 206, 2, n - 2},
        {"bytes=-5", 206, n - 5, 5},
        {"bytes=3-7", 206, 3, 5},
        {"bytes=5-999999999", 206, 5, n - 5},
        {"bytes=-999999999", 206, 0, n},
        {"bytes=0-", 206, 0, n},
        {"bytes=abc", 200, 0, n},
        {"bytes=5-1", 200, 0, n},
        {"bytes=0-99999999999999999999999", 200, 0, n},
        {"bytes=0-,1-,2-", 200, 0, n},
        {"bytes=0-9,5-15", 200, 0, n},
        {"items=0-1", 200, 0, n},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char header[128];
        snprintf(header, sizeof(header), "Range: %s", cases[i].range);
        struct response r;
        get(fx, fx->mp4_id, header, &r);
        print_message("%s\n", header);
        assert_status(&r, cases[i].status);
        assert_int_equal(r.len, cases[i].len);
        assert_bytes(fx, r.body, cases[i].start, cases[i].len);
        char value[128], want[128];
        if (cases[i].status == 206) {
            assert_true(response_header(&r, "Content-Range", value, sizeof(value)));
            snprintf(want, sizeof(want), "bytes %zu-%zu/%zu", cases[i].start,
                     cases[i].start + cases[i].len - 1, n);
            assert_string_equal(value, want);
        }
        assert_true(response_header(&r, "Accept-Ranges", value, sizeof(value)));
        assert_string_equal(value, "bytes");
        assert_true(response_header(&r, "Content-Type", value, sizeof(value)));
        assert_string_equal(value, "video/mp4");
        response_free(&r);
    }

    /* Past the end: 416 with the size. */
    char header[64], value[64], want[64];
    snprintf(header, sizeof(header), "Range: bytes=%zu-", n);
    struct response r;
    get(fx, fx->mp4_id, header, &r);
    assert_status(&r, 416);
    assert_true(response_header(&r, "Content-Range", value, sizeof(value)));
    snprintf(want, sizeof(want), "bytes */%zu", n);
    assert_string_equal(value, want);
    /* The body is the error table's. */
    assert_string_equal(json_string_value(json_object_get(r.json, "error")),
                        "range_not_satisfiable");
    assert_true(response_header(&r, "ETag", value, sizeof(value)));
    response_free(&r);
}

static void several_ranges_come_as_multipart(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    get(fx, fx->mp4_id, "Range: bytes=0-9,100-119,-5", &r);
    assert_status(&r, 206);
    char type[128];
    assert_true(response_header(&r, "Content-Type", type, sizeof(type)));
    const char *b = strstr(type, "boundary=");
    assert_non_null(b);
    char boundary[80];
    snprintf(boundary, sizeof(boundary), "--%s", b + 9);
    size_t starts[] = {0, 100, fx->size - 5}, lens[] = {10, 20, 5};
    const char *p = r.body;
    for (int i = 0; i < 3; i++) {
        p = strstr(p, boundary);
        assert_non_null(p);
        char want[96];
        snprintf(want, sizeof(want), "Content-Range: bytes %zu-%zu/%zu", starts[i],
                 starts[i] + lens[i] - 1, fx->size);
        const char *head_end = strstr(p, "\r\n\r\n");
        assert_non_null(head_end);
        assert_non_null(memmem(p, (size_t)(head_end - p), want, strlen(want)));
        assert_bytes(fx, head_end + 4, starts[i], lens[i]);
        p = head_end + 4 + lens[i];
    }
    char last[96];
    snprintf(last, sizeof(last), "\r\n%s--\r\n", boundary);
    assert_string_equal(p, last);
    response_free(&r);
}

static void conditional_requests(void **state)
{
    struct fixture *fx = *state;
    struct response r;
    char etag[96], lastmod[64], header[160];
    get(fx, fx->mp4_id, NULL, &r);
    assert_status(&r, 200);
    assert_true(response_header(&r, "ETag", etag, sizeof(etag)));
    assert_true(response_header(&r, "Last-Modified", lastmod, sizeof(lastmod)));
    assert_int_equal(etag[0], '"');
    response_free(&r);

    snprintf(header, sizeof(header), "If-None-Match: %s", etag);
    get(fx, fx->mp4_id, header, &r);
    assert_status(&r, 304);
    assert_int_equal(r.len, 0);
    response_free(&r);
    get(fx, fx->mp4_id, "If-None-Match: \"other\"", &r);
    assert_status(&r, 200);
    response_free(&r);
    snprintf(header, sizeof(header), "If-Modified-Since: %s", lastmod);
    get(fx, fx->mp4_id, header, &r);
    assert_status(&r, 304);
    response_free(&r);
    get(fx, fx->mp4_id, "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT", &r);
    assert_status(&r, 200);
    response_free(&r);

    /* If-Range: a matching tag or date keeps the range; anything else sends it all. */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/stream/%d?static=1", fx->mp4_id);
    const char *if_ranges[] = {etag, lastmod, "\"stale\"", "Sat, 01 Jan 2000 00:00:00 GMT"};
    long want[] = {206, 206, 200, 200};
    for (int i = 0; i < 4; i++) {
        char headers[200];
        snprintf(headers, sizeof(headers), "If-Range: %s\nRange: bytes=0-9", if_ranges[i]);
        struct response rr;
        http(&fx->s, "GET", path, fx->token, NULL, headers, &rr);
        assert_status(&rr, want[i]);
        assert_int_equal(rr.len, want[i] == 206 ? 10 : fx->size);
        response_free(&rr);
    }
}

static void head_answers_like_get_without_a_body(void **state)
{
    struct fixture *fx = *state;
    char path[64], value[64], want[32];
    snprintf(path, sizeof(path), "/api/v1/stream/%d?static=1", fx->mp4_id);
    struct response r;
    http(&fx->s, "HEAD", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_int_equal(r.len, 0);
    assert_true(response_header(&r, "Content-Length", value, sizeof(value)));
    snprintf(want, sizeof(want), "%zu", fx->size);
    assert_string_equal(value, want);
    assert_true(response_header(&r, "ETag", value, sizeof(value)));
    response_free(&r);
    http(&fx->s, "HEAD", path, fx->token, NULL, "Range: bytes=0-9", &r);
    assert_status(&r, 206);
    assert_true(response_header(&r, "Content-Length", value, sizeof(value)));
    assert_string_equal(value, "10");
    response_free(&r);
}

static void needs_sign_in(void **state)
{
    struct fixture *fx = *state;
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/stream/%d?static=1", fx->mp4_id);
    struct response r;
    http(&fx->s, "GET", path, NULL, NULL, NULL, &r);
    assert_status(&r, 401);
    response_free(&r);
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->mp4_id);
    http(&fx->s, "GET", path, NULL, NULL, NULL, &r);
    assert_status(&r, 401);
    response_free(&r);
}

static void the_decision_is_reported_and_followed(void **state)
{
    struct fixture *fx = *state;
    struct {
        int id;
        const char *method;
        long stream_status;
    } want[] = {
        {fx->mp4_id, "direct_play", 200},
        {fx->hevc_id, "transcode", 302},
        {fx->ac3_id, "remux", 302},
    };
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/playback/%d", want[i].id);
        struct response r;
        http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
        assert_status(&r, 200);
        assert_string_equal(json_string_value(json_object_get(r.json, "method")), want[i].method);
        assert_true(json_is_array(json_object_get(r.json, "reasons")));
        assert_true(json_real_value(json_object_get(r.json, "duration")) > 5);
        assert_non_null(json_object_get(r.json, "url"));
        assert_true(json_is_number(json_object_get(r.json, "resume_position")));
        response_free(&r);
        /* The unified entry point, without ?static, follows the same decision. */
        snprintf(path, sizeof(path), "/api/v1/stream/%d", want[i].id);
        http(&fx->s, "GET", path, fx->token, NULL, "Range: bytes=0-0", &r);
        assert_status(&r, want[i].stream_status == 200 ? 206 : want[i].stream_status);
        if (want[i].stream_status == 302) {
            /* To the master playlist of the session the decision's url names. */
            char location[160];
            assert_true(response_header(&r, "Location", location, sizeof(location)));
            assert_non_null(strstr(location, "/api/v1/hls/"));
            assert_non_null(strstr(location, "/master.m3u8"));
            assert_string_equal(json_string_value(json_object_get(r.json, "method")),
                                want[i].method);
        }
        response_free(&r);
    }

    /* A device that plays HEVC and E-AC-3 from MP4 but not MKV: remux. */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->hevc_id);
    struct response r;
    http(&fx->s, "POST", path, fx->token,
         "{\"profile\":{\"containers\":[\"mp4\"],\"video\":[{\"codec\":\"hevc\"}],"
         "\"audio\":[{\"codec\":\"eac3\",\"max_channels\":6}]},\"start\":12.5}",
         NULL, &r);
    assert_status(&r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "remux");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "reasons"), 0)),
                        "container_not_supported");
    assert_true(json_real_value(json_object_get(r.json, "start")) == 12.5);
    response_free(&r);

    http(&fx->s, "POST", path, fx->token,
         "{\"profile\":{\"containers\":[\"mp4\"],\"video\":[{\"codec\":\"h264\","
         "\"max_level\":\"high\"}]}}",
         NULL, &r);
    assert_status(&r, 400);
    assert_non_null(strstr(r.body, "profile.video[0].max_level"));
    response_free(&r);
    http(&fx->s, "GET", "/api/v1/playback/99999", fx->token, NULL, NULL, &r);
    assert_status(&r, 404);
    response_free(&r);
    snprintf(path, sizeof(path), "/api/v1/playback/%d", fx->bad_id);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 422);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "unplayable");
    response_free(&r);
}

static void a_deleted_or_changed_file_is_never_served_stale(void **state)
{
    struct fixture *fx = *state;
    char cmd[512], path[64], value[64], want[32];
    snprintf(cmd, sizeof(cmd), "rm '%s/Movies/Gone Soon (2020).mp4'", fx->s.library);
    assert_int_equal(system(cmd), 0);
    struct response r;
    get(fx, fx->gone_id, NULL, &r);
    assert_status(&r, 404);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "file_missing");
    response_free(&r);

    /* Grown since the scan: the headers describe the file as it is now. */
    snprintf(cmd, sizeof(cmd), "head -c 1000 /dev/zero >> '%s/%s'", fx->s.library, mp4);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "/api/v1/stream/%d?static=1", fx->mp4_id);
    http(&fx->s, "HEAD", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_true(response_header(&r, "Content-Length", value, sizeof(value)));
    snprintf(want, sizeof(want), "%zu", fx->size + 1000);
    assert_string_equal(value, want);
    response_free(&r);
}

/* A native player's range requests on the unified endpoint reuse the first one's decision,
 * until a scan finds the file changed. */
static void the_unified_endpoint_remembers_until_a_scan(void **state)
{
    struct fixture *fx = *state;
    int id = movie_file_id(&fx->s, fx->token, "Swapped");
    char path[64], cmd[512];
    snprintf(path, sizeof(path), "/api/v1/stream/%d", id);
    struct response r;
    for (int i = 0; i < 3; i++) {
        http(&fx->s, "GET", path, fx->token, NULL, "Range: bytes=0-99", &r);
        assert_status(&r, 206);
        assert_int_equal(r.len, 100);
        assert_bytes(fx, r.body, 0, 100);
        response_free(&r);
    }
    /* Now the file becomes a Matroska with AC-3 under the same name; a scan notices. */
    snprintf(cmd, sizeof(cmd), "cd '%s/Movies' && cp 'Night Clock (2019).mkv' 'Swapped (2018).mp4'",
             fx->s.library);
    assert_int_equal(system(cmd), 0);
    http(&fx->s, "POST", "/api/v1/library/scan", fx->token, NULL, NULL, &r);
    assert_status(&r, 202);
    response_free(&r);
    server_wait_scan(&fx->s);
    http(&fx->s, "GET", path, fx->token, NULL, "Range: bytes=0-99", &r);
    assert_status(&r, 302);
    assert_string_equal(json_string_value(json_object_get(r.json, "method")), "remux");
    response_free(&r);
}

static int open_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    int n = 0;
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n;
}

static void a_client_leaving_mid_body_frees_everything(void **state)
{
    struct fixture *fx = *state;
    int before = open_fds(fx->s.pid);
    for (int round = 0; round < 5; round++) {
        int sock = server_connect(&fx->s);
        /* A small receive buffer keeps the server from sending the whole file at once. */
        int small = 4096;
        setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        char req[512];
        int n = snprintf(req, sizeof(req),
                         "GET /api/v1/stream/%d?static=1 HTTP/1.1\r\nHost: x\r\n"
                         "Authorization: Bearer %s\r\n\r\n",
                         fx->big_id, fx->token);
        assert_int_equal(send(sock, req, (size_t)n, 0), n);
        char buf[4096];
        assert_true(recv(sock, buf, sizeof(buf), 0) > 0);
        close(sock);
    }
    /* The server notices the resets, closes the files and still answers. */
    int after = 0;
    for (int i = 0; i < 100; i++) {
        after = open_fds(fx->s.pid);
        if (after <= before)
            break;
        usleep(50000);
    }
    if (after > before)
        fail_msg("the server holds %d descriptors, %d before the aborted downloads", after, before);
    struct response r;
    get(fx, fx->big_id, "Range: bytes=0-99", &r);
    assert_status(&r, 206);
    response_free(&r);
}

/* Reads one response from sock: its head into head, and its body, which it skips. */
static long read_response(int sock, char *head, size_t size)
{
    size_t got = 0;
    char *end = NULL;
    while (!end && got + 1 < size) {
        ssize_t n = recv(sock, head + got, size - 1 - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
        head[got] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (!end)
        return -1;
    const char *cl = strcasestr(head, "Content-Length:");
    size_t body = cl ? (size_t)atol(cl + 15) : 0;
    size_t have = got - (size_t)(end + 4 - head);
    char buf[4096];
    while (have < body) {
        ssize_t n = recv(sock, buf, sizeof(buf), 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
    end[2] = '\0';
    return atol(head + 9);
}

static void keep_alive_holds_for_every_answer(void **state)
{
    struct fixture *fx = *state;
    int sock = server_connect(&fx->s);
    struct {
        const char *path;
        bool auth;
        const char *extra;
        long status;
    } reqs[] = {
        {"/api/v1/no/such/route", true, "", 404},
        {NULL, false, "", 401},
        {NULL, true, "Range: bytes=0-99\r\n", 206},
        {NULL, true, "Range: bytes=999999999-\r\n", 416},
        {"/api/v1/stream/999999?static=1", true, "", 404},
        {NULL, true, "", 200},
    };
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        char path[128], req[1024], head[8192];
        /* NULL stands for the MP4's stream. */
        if (reqs[i].path)
            snprintf(path, sizeof(path), "%s", reqs[i].path);
        else
            snprintf(path, sizeof(path), "/api/v1/stream/%d?static=1", fx->mp4_id);
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n%s%s%s%s\r\n", path,
                         reqs[i].auth ? "Authorization: Bearer " : "",
                         reqs[i].auth ? fx->token : "", reqs[i].auth ? "\r\n" : "", reqs[i].extra);
        assert_int_equal(send(sock, req, (size_t)n, 0), n);
        long status = read_response(sock, head, sizeof(head));
        if (status != reqs[i].status)
            fail_msg("%s: expected %ld, got %ld", path, reqs[i].status, status);
        if (strcasestr(head, "Connection: close"))
            fail_msg("%s: the server closes the connection after %ld", path, status);
    }
    close(sock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_range_form_returns_the_right_bytes),
        cmocka_unit_test(several_ranges_come_as_multipart),
        cmocka_unit_test(conditional_requests),
        cmocka_unit_test(head_answers_like_get_without_a_body),
        cmocka_unit_test(needs_sign_in),
        cmocka_unit_test(the_decision_is_reported_and_followed),
        cmocka_unit_test(keep_alive_holds_for_every_answer),
        cmocka_unit_test(a_client_leaving_mid_body_frees_everything),
        cmocka_unit_test(a_deleted_or_changed_file_is_never_served_stale),
        cmocka_unit_test(the_unified_endpoint_remembers_until_a_scan),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
