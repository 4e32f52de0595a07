/* The foundation against the real server: sign-in, users, scans and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const char *const all_media[] = {
    "Movies/Test Pattern (2021)/Test Pattern (2021).mp4",
    "Movies/Night Clock (2019).mkv",
    "Movies/Deep Colour (2023).mkv",
    "Movies/Open Sky (2020).webm",
    "Movies/Old Broadcast (1998).ts",
    "TV/Demo Show/Season 01/Demo Show - S01E01 - Pilot.mp4",
    "TV/Demo Show/Season 01/Demo Show - S01E02 - Second.mp4",
    "TV/Demo Show/Season 01/Demo Show - S01E03 - Finale.mp4",
    NULL,
};

static int setup(void **state)
{
    struct server *s = calloc(1, sizeof(*s));
    server_init(s);
    media_copy(s->library, all_media);
    /* Bad media: empty, truncated and garbage files, which must not stop the scan. */
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "cd '%s/Movies' && : > 'Empty (2001).mp4' && head -c 20000 'Night Clock (2019).mkv' "
             "> 'Cut Short (2002).mkv' && head -c 100000 /dev/urandom > 'Noise (2003).mkv' && "
             "mkdir -p /tmp/reel-outside-%d && cp 'Open Sky (2020).webm' "
             "'/tmp/reel-outside-%d/Escaped (2004).webm' && ln -s /tmp/reel-outside-%d escape",
             s->library, getpid(), getpid(), getpid());
    if (system(cmd) != 0)
        return -1;
    const char *extra[] = {"--library", "/does/not/exist", NULL};
    server_start(s, extra);
    server_wait_scan(s);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct server *s = *state;
    int rc = server_stop(s);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf /tmp/reel-outside-%d", getpid());
    if (system(cmd) != 0)
        return -1;
    server_cleanup(s);
    free(s);
    /* A graceful shutdown on SIGTERM exits with 0. */
    return rc == 0 ? 0 : -1;
}

static json_t *find_titled(json_t *list, const char *title)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "title")), title) == 0)
            return item;
    }
    fail_msg("no item titled '%s'", title);
    return NULL;
}

static void every_api_route_needs_a_token(void **state)
{
    struct server *s = *state;
    const char *routes[][2] = {
        {"GET", "/api/v1/library/items"}, {"GET", "/api/v1/library/items/1"},
        {"GET", "/api/v1/library/scan"},  {"POST", "/api/v1/library/scan"},
        {"GET", "/api/v1/users"},         {"POST", "/api/v1/users"},
        {"GET", "/api/v1/auth/me"},       {"POST", "/api/v1/auth/logout"},
    };
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        struct response r;
        http(s, routes[i][0], routes[i][1], NULL, NULL, NULL, &r);
        assert_status(&r, 401);
        assert_string_equal(json_string_value(json_object_get(r.json, "error")), "unauthorized");
        /* RFC 9110: a 401 says how to authenticate. */
        char value[64];
        assert_true(response_header(&r, "WWW-Authenticate", value, sizeof(value)));
        assert_string_equal(value, "Bearer realm=\"reel\"");
        response_free(&r);
        http(s, routes[i][0], routes[i][1], "not-a-token", NULL, NULL, &r);
        assert_status(&r, 401);
        response_free(&r);
    }
}

static void login_gives_a_token_and_a_cookie(void **state)
{
    struct server *s = *state;
    struct response r;
    http(s, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}", NULL, &r);
    assert_status(&r, 200);
    const char *token = json_string_value(json_object_get(r.json, "token"));
    assert_int_equal(strlen(token), 64);
    char cookie[256], token_copy[80];
    snprintf(token_copy, sizeof(token_copy), "%s", token);
    assert_true(response_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_non_null(strstr(cookie, token_copy));
    response_free(&r);

    /* The cookie works as well as the Bearer header. */
    char header[160];
    snprintf(header, sizeof(header), "Cookie: reel_token=%s", token_copy);
    http(s, "GET", "/api/v1/auth/me", NULL, NULL, header, &r);
    assert_status(&r, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "role")), "admin");
    response_free(&r);

    /* Logging out ends the token. */
    http(s, "POST", "/api/v1/auth/logout", token_copy, NULL, NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
    http(s, "GET", "/api/v1/auth/me", token_copy, NULL, NULL, &r);
    assert_status(&r, 401);
    response_free(&r);

    http(s, "POST", "/api/v1/auth/login", NULL, "{\"username\":\"admin\",\"password\":\"nope\"}",
         NULL, &r);
    assert_status(&r, 401);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "bad_credentials");
    response_free(&r);
}

static void admins_manage_users_and_users_cannot(void **state)
{
    struct server *s = *state;
    char admin[80];
    snprintf(admin, sizeof(admin), "%s", login(s, ADMIN_USER, ADMIN_PASSWORD));
    struct response r;
    http(s, "POST", "/api/v1/users", admin,
         "{\"username\":\"viewer\",\"password\":\"viewer-pass\",\"role\":\"user\"}", NULL, &r);
    assert_status(&r, 201);
    response_free(&r);
    http(s, "POST", "/api/v1/users", admin,
         "{\"username\":\"VIEWER\",\"password\":\"viewer-pass\"}", NULL, &r);
    assert_status(&r, 409);
    response_free(&r);
    http(s, "POST", "/api/v1/users", admin,
         "{\"username\":\"x\",\"password\":\"long-enough\",\"role\":\"king\"}", NULL, &r);
    assert_status(&r, 400);
    assert_non_null(strstr(r.body, "role"));
    response_free(&r);
    http(s, "POST", "/api/v1/users", admin, "{\"username\":\"x\",\"password\":\"short\"}", NULL,
         &r);
    assert_status(&r, 400);
    assert_non_null(strstr(r.body, "password"));
    response_free(&r);

    http(s, "GET", "/api/v1/users", admin, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "users")), 2);
    response_free(&r);

    char user[80];
    snprintf(user, sizeof(user), "%s", login(s, "viewer", "viewer-pass"));
    http(s, "GET", "/api/v1/users", user, NULL, NULL, &r);
    assert_status(&r, 403);
    response_free(&r);
    http(s, "POST", "/api/v1/library/scan", user, NULL, NULL, &r);
    assert_status(&r, 403);
    response_free(&r);
    http(s, "GET", "/api/v1/library/items", user, NULL, NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
}

static void the_scan_finds_every_title_with_its_codecs(void **state)
{
    struct server *s = *state;
    const char *token = login(s, ADMIN_USER, ADMIN_PASSWORD);
    struct response r;
    http(s, "GET", "/api/v1/library/items", token, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *movies = json_object_get(r.json, "movies");
    json_t *shows = json_object_get(r.json, "shows");

    struct {
        const char *title, *video, *audio, *container;
    } want[] = {
        {"Test Pattern", "h264", "aac", "mp4"},       {"Night Clock", "h264", "ac3", "mkv"},
        {"Deep Colour", "hevc", "eac3", "mkv"},       {"Open Sky", "vp9", "opus", "webm"},
        {"Old Broadcast", "mpeg2video", "mp2", "ts"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        json_t *item = find_titled(movies, want[i].title);
        json_t *file = json_array_get(json_object_get(item, "files"), 0);
        assert_string_equal(json_string_value(json_object_get(file, "video_codec")), want[i].video);
        assert_string_equal(json_string_value(json_object_get(file, "audio_codec")), want[i].audio);
        assert_string_equal(json_string_value(json_object_get(file, "container")),
                            want[i].container);
        assert_true(json_real_value(json_object_get(file, "duration")) > 5.0);
    }
    /* Bad files are listed with their error; the link out of the library is not followed. */
    json_t *cut = find_titled(movies, "Cut Short");
    assert_true(
        json_is_string(json_object_get(json_array_get(json_object_get(cut, "files"), 0), "error")));
    find_titled(movies, "Empty");
    find_titled(movies, "Noise");
    size_t i;
    json_t *item;
    json_array_foreach(movies, i, item)
    {
        assert_string_not_equal(json_string_value(json_object_get(item, "title")), "Escaped");
    }

    json_t *show = find_titled(shows, "Demo Show");
    json_t *season = json_array_get(json_object_get(show, "seasons"), 0);
    assert_int_equal(json_integer_value(json_object_get(season, "season")), 1);
    json_t *episodes = json_object_get(season, "episodes");
    assert_int_equal(json_array_size(episodes), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(episodes, 2), "title")),
                        "Finale");

    /* The detail of the HEVC title has every probed stream fact. */
    json_t *deep = find_titled(movies, "Deep Colour");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/library/items/%lld",
             (long long)json_integer_value(json_object_get(deep, "id")));
    response_free(&r);
    http(s, "GET", path, token, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *streams =
        json_object_get(json_array_get(json_object_get(r.json, "files"), 0), "streams");
    assert_int_equal(json_array_size(streams), 2);
    json_t *v = json_array_get(streams, 0), *a = json_array_get(streams, 1);
    assert_string_equal(json_string_value(json_object_get(v, "codec")), "hevc");
    assert_string_equal(json_string_value(json_object_get(v, "profile")), "Main 10");
    assert_int_equal(json_integer_value(json_object_get(v, "bit_depth")), 10);
    assert_int_equal(json_integer_value(json_object_get(v, "width")), 320);
    assert_true(json_real_value(json_object_get(v, "frame_rate")) > 23.9);
    assert_string_equal(json_string_value(json_object_get(a, "codec")), "eac3");
    assert_int_equal(json_integer_value(json_object_get(a, "channels")), 6);
    assert_string_equal(json_string_value(json_object_get(a, "channel_layout")), "5.1(side)");
    assert_int_equal(json_integer_value(json_object_get(a, "sample_rate")), 48000);
    assert_string_equal(json_string_value(json_object_get(a, "language")), "eng");
    response_free(&r);

    http(s, "GET", "/api/v1/library/items/999999", token, NULL, NULL, &r);
    assert_status(&r, 404);
    response_free(&r);
    http(s, "GET", "/api/v1/library/items/abc", token, NULL, NULL, &r);
    assert_status(&r, 404);
    response_free(&r);

    /* The folder that does not exist is reported by the scan. */
    http(s, "GET", "/api/v1/library/scan", token, NULL, NULL, &r);
    assert_non_null(strstr(r.body, "/does/not/exist"));
    assert_int_equal(json_integer_value(json_object_get(r.json, "failed")), 3);
    response_free(&r);
}

static void rescans_are_incremental_and_notice_deletions(void **state)
{
    struct server *s = *state;
    const char *token = login(s, ADMIN_USER, ADMIN_PASSWORD);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm '%s/Movies/Old Broadcast (1998).ts'", s->library);
    assert_int_equal(system(cmd), 0);
    struct response r;
    http(s, "POST", "/api/v1/library/scan", token, NULL, NULL, &r);
    assert_status(&r, 202);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "running");
    response_free(&r);
    server_wait_scan(s);
    token = login(s, ADMIN_USER, ADMIN_PASSWORD);
    http(s, "GET", "/api/v1/library/scan", token, NULL, NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "missing")), 1);
    assert_int_equal(json_integer_value(json_object_get(r.json, "probed")), 0);
    assert_true(json_integer_value(json_object_get(r.json, "unchanged")) >= 7);
    response_free(&r);
    http(s, "GET", "/api/v1/library/items", token, NULL, NULL, &r);
    assert_null(strstr(r.body, "Old Broadcast"));
    response_free(&r);
}

static void bad_requests_get_clear_json_errors(void **state)
{
    struct server *s = *state;
    const char *token = login(s, ADMIN_USER, ADMIN_PASSWORD);
    char t[80];
    snprintf(t, sizeof(t), "%s", token);
    struct response r;
    http(s, "POST", "/api/v1/users", t, "{\"username\": ", NULL, &r);
    assert_status(&r, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "bad_json");
    response_free(&r);
    http(s, "POST", "/api/v1/users", t, "[1,2]", NULL, &r);
    assert_status(&r, 400);
    response_free(&r);

    size_t big = 2u << 20;
    char *body = malloc(big + 1);
    memset(body, 'a', big);
    body[big] = '\0';
    http(s, "POST", "/api/v1/users", t, body, NULL, &r);
    assert_status(&r, 413);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "payload_too_large");
    response_free(&r);
    free(body);

    http(s, "GET", "/api/v1/no/such/thing", t, NULL, NULL, &r);
    assert_status(&r, 404);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "no_route");
    response_free(&r);
    http(s, "DELETE", "/api/v1/library/items", t, NULL, NULL, &r);
    assert_status(&r, 405);
    assert_non_null(r.json);
    response_free(&r);

    /* A body must say it is JSON: a form or text/plain is what another site's page can post
     * without asking first. */
    http(s, "POST", "/api/v1/users", t, "{\"username\":\"plain\",\"password\":\"long-enough\"}",
         "Content-Type: text/plain", &r);
    assert_status(&r, 415);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")),
                        "unsupported_media_type");
    response_free(&r);
    /* With the session cookie, a change must come from this site's own pages. */
    char cookie[160], same[256];
    snprintf(cookie, sizeof(cookie), "Cookie: reel_token=%s", t);
    const char *user = "{\"username\":\"fromsite\",\"password\":\"long-enough\"}";
    http(s, "POST", "/api/v1/users", NULL, user, cookie, &r);
    assert_status(&r, 403);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "cross_site");
    response_free(&r);
    snprintf(same, sizeof(same), "%s\nSec-Fetch-Site: cross-site", cookie);
    http(s, "POST", "/api/v1/users", NULL, user, same, &r);
    assert_status(&r, 403);
    response_free(&r);
    snprintf(same, sizeof(same), "%s\nOrigin: http://evil.example", cookie);
    http(s, "POST", "/api/v1/users", NULL, user, same, &r);
    assert_status(&r, 403);
    response_free(&r);
    snprintf(same, sizeof(same), "%s\nOrigin: http://127.0.0.1:%d", cookie, s->port);
    http(s, "POST", "/api/v1/users", NULL, user, same, &r);
    assert_status(&r, 201);
    response_free(&r);
    /* Reads need no origin; every answer says how it may be used. */
    http(s, "GET", "/api/v1/auth/me", NULL, NULL, cookie, &r);
    assert_status(&r, 200);
    char value[512];
    assert_true(response_header(&r, "X-Content-Type-Options", value, sizeof(value)));
    assert_string_equal(value, "nosniff");
    assert_true(response_header(&r, "Content-Security-Policy", value, sizeof(value)));
    assert_non_null(strstr(value, "frame-ancestors 'none'"));
    assert_non_null(strstr(value, "script-src 'self';"));
    assert_true(response_header(&r, "Referrer-Policy", value, sizeof(value)));
    response_free(&r);

    /* A start too far to be a position is refused, not wrapped around into a negative one. */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/playback/%d?start=1e300",
             movie_file_id(s, t, "Test Pattern"));
    http(s, "GET", path, t, NULL, NULL, &r);
    assert_status(&r, 400);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "message")), "start"));
    response_free(&r);
    path[strcspn(path, "?")] = '\0';
    http(s, "POST", path, t, "{\"start\": 1e300}", NULL, &r);
    assert_status(&r, 400);
    response_free(&r);

    /* Still up. */
    http(s, "GET", "/api/v1/auth/me", t, NULL, NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
}

/* Runs late: it leaves admin throttled from 127.0.0.1. */
static void repeated_failures_are_slowed_down(void **state)
{
    struct server *s = *state;
    struct response r;
    long last = 0;
    char retry[16] = "";
    for (int i = 0; i < 6 && last != 429; i++) {
        http(s, "POST", "/api/v1/auth/login", NULL,
             "{\"username\":\"admin\",\"password\":\"guess\"}", NULL, &r);
        last = r.status;
        response_header(&r, "Retry-After", retry, sizeof(retry));
        response_free(&r);
    }
    assert_int_equal(last, 429);
    assert_true(atoi(retry) >= 1);
    /* Even the right password waits now. */
    http(s, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}", NULL, &r);
    assert_status(&r, 429);
    response_free(&r);
    /* The brake holds that name from this address only: another user here signs in, and
     * that success releases nothing for the name guessed at. */
    http(s, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"viewer\",\"password\":\"viewer-pass\"}", NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
    http(s, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}", NULL, &r);
    assert_status(&r, 429);
    response_free(&r);
    /* Nobody trusted forwards here: a client naming another address is still itself. */
    http(s, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}",
         "X-Forwarded-For: 10.9.9.9", &r);
    assert_status(&r, 429);
    response_free(&r);
}

/* The server runs from / (the harness starts it there) with no --web, and still serves
 * the web app it finds beside its binary. */
static void the_web_app_is_served_wherever_the_server_starts(void **state)
{
    struct server *s = *state;
    struct response r;
    http(s, "GET", "/", NULL, NULL, NULL, &r);
    assert_status(&r, 200);
    char type[64];
    assert_true(response_header(&r, "Content-Type", type, sizeof(type)));
    assert_string_equal(type, "text/html; charset=utf-8");
    assert_non_null(strstr(r.body, "<script"));
    response_free(&r);
    /* An app route is the app too; a missing asset is a JSON 404. */
    http(s, "GET", "/item/12", NULL, NULL, NULL, &r);
    assert_status(&r, 200);
    response_free(&r);
    http(s, "GET", "/no-such-file.js", NULL, NULL, NULL, &r);
    assert_status(&r, 404);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "no_route");
    response_free(&r);
}

/* Whether the server closed sock within ms: a read ends (0) or fails with a reset. */
static bool closed_within(int sock, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[256];
    ssize_t n;
    while ((n = recv(sock, buf, sizeof(buf), 0)) > 0)
        ;
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* One address holding many connections that trickle their request heads (slowloris) takes
 * only its own share, and each ends at the request timeout however slowly it sends; a
 * client from another address signs in meanwhile. */
static void trickling_connections_end_and_leave_room(void **state)
{
    (void)state;
    struct server t;
    server_init(&t);
    /* One HTTP thread accepts the connections in the order they come, so the one past the
     * limit is the one opened last. */
    const char *extra[] = {
        "--request-timeout", "2", "--max-connections-per-address", "64", "--threads", "1", NULL};
    server_start(&t, extra);
    static const char head[] = "GET /api/v1/auth/me HTTP/1.1\r\nHo";
    int slow[64];
    for (int i = 0; i < 64; i++) {
        slow[i] = server_connect(&t);
        assert_int_equal(send(slow[i], head, sizeof(head) - 1, 0), (ssize_t)sizeof(head) - 1);
    }
    /* Past its share, the address is turned away at once. */
    int more = server_connect(&t);
    assert_true(closed_within(more, 2000));
    close(more);
    /* Another address signs in. */
    int other = server_connect_from(&t, "127.0.0.2");
    const char body[] = "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}";
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     strlen(body), body);
    assert_int_equal(send(other, req, (size_t)n, 0), n);
    char answer[4096] = "";
    struct timeval tv = {10, 0};
    setsockopt(other, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_true(recv(other, answer, sizeof(answer) - 1, 0) > 12);
    assert_memory_equal(answer, "HTTP/1.1 200", 12);
    close(other);
    /* A byte a second keeps nobody's head alive past the request timeout. */
    for (int s = 0; s < 3; s++) {
        for (int i = 0; i < 64; i++)
            send(slow[i], "s", 1, MSG_NOSIGNAL);
        sleep(1);
    }
    for (int i = 0; i < 64; i++) {
        assert_true(closed_within(slow[i], 2000));
        close(slow[i]);
    }
    assert_int_equal(server_stop(&t), 0);
    server_cleanup(&t);
}

/* The attack of issue 12 at its scale: one address opens thousands of connections that
 * trickle their request heads, and opens and drops event streams; a client at another
 * address signs in and reads ranges all the while. Each trickling connection is closed by
 * the request timeout, however slowly it sends. (bench/attack.sh times the same.) */
static void thousands_of_bad_connections_leave_others_served(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    /* More than the server's global limit (8,192): without a share per address, these
     * alone would leave nobody else a connection. */
    int n = rl.rlim_cur > 9300 ? 9000 : (int)rl.rlim_cur - 300;
    assert_true(n >= 1000);
    struct server t;
    server_init(&t);
    const char *const films[] = {"Movies/Test Pattern (2021)/Test Pattern (2021).mp4", NULL};
    media_copy(t.library, films);
    /* Long enough that the trickling connections are all still held while the other
     * client works. */
    const char *extra[] = {"--request-timeout", "12", NULL};
    server_start(&t, extra);
    char token[128];
    snprintf(token, sizeof(token), "%s", login(&t, ADMIN_USER, ADMIN_PASSWORD));
    server_wait_scan(&t);
    int file = movie_file_id(&t, token, "Test Pattern");

    static const char head[] = "GET /api/v1/auth/me HTTP/1.1\r\nHo";
    int *slow = calloc((size_t)n, sizeof(*slow));
    for (int i = 0; i < n; i++) {
        slow[i] = server_connect(&t);
        send(slow[i], head, sizeof(head) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    char events[512];
    int len = snprintf(events, sizeof(events),
                       "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                       "%s\r\n\r\n",
                       token);
    /* Served, not starved: an answer within seconds, where one that waited for a held
     * connection to time out would take 12. */
    t.client_address = "127.0.0.2";
    t.timeout_ms = 5000;
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/stream/%d?static=1", file);
    for (int second = 0; second < 5; second++) {
        for (int i = 0; i < 100; i++) {
            int s = server_connect(&t);
            send(s, events, (size_t)len, MSG_NOSIGNAL);
            close(s);
        }
        assert_non_null(login(&t, ADMIN_USER, ADMIN_PASSWORD));
        struct response r;
        http(&t, "GET", path, token, NULL, "Range: bytes=1000-66535", &r);
        assert_int_equal(r.status, 206);
        assert_int_equal(r.len, 65536);
        response_free(&r);
        for (int i = 0; i < n; i++)
            send(slow[i], "s", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        sleep(1);
    }
    for (int i = 0; i < n; i++) {
        assert_true(closed_within(slow[i], 12000));
        close(slow[i]);
    }
    free(slow);
    assert_int_equal(server_stop(&t), 0);
    server_cleanup(&t);
}

/* Runs the server on t's folders with extra arguments and says whether it stopped with an
 * error whose log line holds want; one that starts anyway is stopped after 20 s. */
static bool start_fails_saying(struct server *t, const char *extra, const char *want)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "REEL_ADMIN_PASSWORD=x timeout 20 '%s' --listen 127.0.0.1:0 --data '%s' "
             "--library '%s' %s >/dev/null 2>'%s'; rc=$?; "
             "test $rc -ne 0 && test $rc -ne 124 && grep -qF \"%s\" '%s'",
             REEL_BINARY, t->data, t->library, extra, t->log, want, t->log);
    return system(cmd) == 0;
}

/* A lost database (an empty reel.db, or none in a folder that was used) is an error that
 * names the file, not a new, empty server where every user and all progress seem gone;
 * unless the server is told to begin anew. A damaged one's error names the file too. */
static void a_lost_database_is_an_error_not_a_new_server(void **state)
{
    (void)state;
    struct server t;
    server_init(&t);
    char db[160], want[256], cmd[512];
    snprintf(db, sizeof(db), "%s/reel.db", t.data);
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/posters' && : > '%s'", t.data, db);
    assert_int_equal(system(cmd), 0);
    snprintf(want, sizeof(want), "'%s' is empty", db);
    assert_true(start_fails_saying(&t, "", want));
    snprintf(cmd, sizeof(cmd), "rm '%s'", db);
    assert_int_equal(system(cmd), 0);
    snprintf(want, sizeof(want), "'%s' is missing", db);
    assert_true(start_fails_saying(&t, "", want));
    snprintf(cmd, sizeof(cmd), "head -c 8192 /dev/urandom > '%s'", db);
    assert_int_equal(system(cmd), 0);
    snprintf(want, sizeof(want), "cannot use '%s'", db);
    assert_true(start_fails_saying(&t, "", want));
    /* Told to begin anew, it does. */
    snprintf(cmd, sizeof(cmd), ": > '%s'", db);
    assert_int_equal(system(cmd), 0);
    const char *extra[] = {"--new-database", "1", "--cookie-secure", "1", "--trusted-proxies",
                           "127.0.0.1",      NULL};
    server_start(&t, extra);
    struct response r;
    http(&t, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}", NULL, &r);
    assert_status(&r, 200);
    /* Behind HTTPS, the cookie says so. */
    char cookie[256];
    assert_true(response_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
    assert_non_null(strstr(cookie, "; Secure"));
    response_free(&r);
    /* Behind a trusted proxy, the brake holds the client it names, not the proxy: the
     * address the proxy added last counts, not what the client wrote before it. */
    for (int i = 0; i < 4; i++) {
        http(&t, "POST", "/api/v1/auth/login", NULL, "{\"username\":\"admin\",\"password\":\"no\"}",
             "X-Forwarded-For: 10.0.0.7, 10.0.0.1", &r);
        assert_int_equal(r.status, i < 3 ? 401 : 429);
        response_free(&r);
    }
    http(&t, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}",
         "X-Forwarded-For: 10.0.0.1, 10.0.0.2", &r);
    assert_status(&r, 200);
    response_free(&r);
    assert_int_equal(server_stop(&t), 0);
    server_cleanup(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_api_route_needs_a_token),
        cmocka_unit_test(login_gives_a_token_and_a_cookie),
        cmocka_unit_test(admins_manage_users_and_users_cannot),
        cmocka_unit_test(the_scan_finds_every_title_with_its_codecs),
        cmocka_unit_test(rescans_are_incremental_and_notice_deletions),
        cmocka_unit_test(bad_requests_get_clear_json_errors),
        cmocka_unit_test(repeated_failures_are_slowed_down),
        cmocka_unit_test(the_web_app_is_served_wherever_the_server_starts),
        cmocka_unit_test(a_lost_database_is_an_error_not_a_new_server),
        cmocka_unit_test(trickling_connections_end_and_leave_room),
        cmocka_unit_test(thousands_of_bad_connections_leave_others_served),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
