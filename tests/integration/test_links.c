/* Signed links: made by a signed-in user, played by ffmpeg and mpv with no header at all,
 * seeking, directly and through HLS; and refused when tampered with, for another file,
 * expired, or voided by signing out everywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const media[] = {
    "Movies/Test Pattern (2021)/Test Pattern (2021).mp4",
    "Movies/Deep Colour (2023).mkv",
    NULL,
};

struct fixture {
    struct server s;
    char token[80];
    int mp4, hevc;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    media_copy(fx->s.library, media);
    const char *extra[] = {"--hls-calibrate", "0", NULL};
    server_start(&fx->s, extra);
    server_wait_scan(&fx->s);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    fx->mp4 = movie_file_id(&fx->s, fx->token, "Test Pattern");
    fx->hevc = movie_file_id(&fx->s, fx->token, "Deep Colour");
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

/* A link to file, as POST /api/v1/links/:id answers it: its path into out. */
static void make_link(struct fixture *fx, const char *token, int file, const char *body, char *out,
                      size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/links/%d", file);
    struct response r;
    http(&fx->s, "POST", path, token, body, NULL, &r);
    assert_int_equal(r.status, 201);
    const char *url = json_string_value(json_object_get(r.json, "url"));
    const char *rel = json_string_value(json_object_get(r.json, "path"));
    assert_non_null(url);
    assert_non_null(strstr(url, rel));
    assert_true(json_integer_value(json_object_get(r.json, "expires_at")) > 0);
    snprintf(out, size, "%s", rel);
    response_free(&r);
}

/* Runs a shell command and says whether it exited 0. */
static bool runs(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd) == 0;
}

static void native_players_play_a_link_without_a_header(void **state)
{
    struct fixture *fx = *state;
    char link[512];
    make_link(fx, fx->token, fx->mp4, NULL, link, sizeof(link));
    /* Direct play, seeking into the middle: ffmpeg, then mpv. */
    assert_true(runs("ffmpeg -nostdin -v error -ss 3 -i 'http://127.0.0.1:%d%s' -t 1 -f null -",
                     fx->s.port, link));
    assert_true(runs("mpv --no-config --really-quiet --vo=null --ao=null --start=2 --length=1 "
                     "'http://127.0.0.1:%d%s' >/dev/null 2>&1",
                     fx->s.port, link));
    /* A file the browser profile cannot play goes by HLS: the stream redirects under the
     * link, and every playlist and segment below it is let in by the same token. */
    make_link(fx, fx->token, fx->hevc, "{\"client\": \"browser\", \"expires_in\": 600}", link,
              sizeof(link));
    struct response r;
    http(&fx->s, "GET", link, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    char location[512];
    assert_true(response_header(&r, "Location", location, sizeof(location)));
    assert_memory_equal(location, link, strcspn(link + 3, "/") + 3); /* "/s/<token>" */
    assert_non_null(strstr(location, "/hls/"));
    response_free(&r);
    /* Seeking: ffmpeg 5.1 finds nothing after a seek in fMP4 HLS (docs/internals/hls.md),
     * so it seeks in MPEG-TS, and frames must come out. */
    assert_true(runs("test $(ffmpeg -nostdin -v error -ss 2 -i 'http://127.0.0.1:%d%s&segments=ts' "
                     "-t 2 -map 0:v -f framecrc - | grep -vc '^#') -gt 10",
                     fx->s.port, link));
}

/* link with the character at i changed. */
static void tamper(char *link, size_t i)
{
    link[i] = link[i] == 'A' ? 'B' : 'A';
}

static void bad_links_are_refused(void **state)
{
    struct fixture *fx = *state;
    char link[512], bad[512];
    make_link(fx, fx->token, fx->mp4, NULL, link, sizeof(link));
    struct response r;
    /* A changed signature, or any other field. */
    snprintf(bad, sizeof(bad), "%s", link);
    tamper(bad, strcspn(bad, "/") + 3 + strcspn(bad + 3, "/") - 2);
    http(&fx->s, "GET", bad, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "bad_link");
    response_free(&r);
    snprintf(bad, sizeof(bad), "%s", link);
    bad[3] = bad[3] == '9' ? '8' : (char)(bad[3] + 1); /* the key id */
    http(&fx->s, "GET", bad, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    response_free(&r);
    /* The link's token on another file's path. */
    char other[512];
    const char *stream = strstr(link, "/stream");
    const char *id = stream - 1;
    while (id[-1] != '/')
        id--;
    snprintf(other, sizeof(other), "%.*s%d%s", (int)(id - link), link, fx->hevc, stream);
    http(&fx->s, "GET", other, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    response_free(&r);
    /* The link's token on a session of another file of the same user. */
    char path[64], session[512];
    snprintf(path, sizeof(path), "/api/v1/stream/%d", fx->hevc);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    const char *sid = json_string_value(json_object_get(r.json, "session_id"));
    snprintf(session, sizeof(session), "%.*s/hls/%s/master.m3u8", (int)(id - link - 1), link, sid);
    response_free(&r);
    http(&fx->s, "GET", session, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);

    /* Expired: 410, not 403. */
    char soon[512];
    make_link(fx, fx->token, fx->mp4, "{\"expires_in\": 1}", soon, sizeof(soon));
    sleep(2);
    http(&fx->s, "GET", soon, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 410);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "link_expired");
    response_free(&r);
    http(&fx->s, "POST", "/api/v1/links/1", fx->token, "{\"expires_in\": 0}", NULL, &r);
    assert_int_equal(r.status, 400);
    response_free(&r);

    /* Signing out everywhere voids the links and the tokens. */
    http(&fx->s, "GET", link, NULL, NULL, "Range: bytes=0-99", &r);
    assert_int_equal(r.status, 206);
    response_free(&r);
    http(&fx->s, "POST", "/api/v1/auth/logout?everywhere=1", fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    http(&fx->s, "GET", link, NULL, NULL, "Range: bytes=0-99", &r);
    assert_int_equal(r.status, 403);
    response_free(&r);
    http(&fx->s, "GET", "/api/v1/auth/me", fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(native_players_play_a_link_without_a_header),
        cmocka_unit_test(bad_links_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
