/*
 * Prepared versions in object storage, against a real S3-compatible server: s3rver from npm,
 * started here. Versions go to the bucket and nowhere else; Reel sends the playlists and
 * sends players to the store for segments with presigned URLs, which work with no header,
 * expire, and stop working when the version is removed; a signed link plays through them;
 * what a stopped job left in the bucket goes at the next start; keys the store does not know
 * keep Reel from starting.
 *
 * s3rver checks the access key id and a presigned URL's expiry, but not SigV4 signatures
 * themselves: tests/unit/test_storage.c checks those, the way a store does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <cmocka.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const media[] = {
    "Movies/Test Pattern (2021)/Test Pattern (2021).mp4",
    "Movies/Deep Colour (2023).mkv",
    NULL,
};

struct fixture {
    struct server s;
    pid_t s3rver;
    int s3_port;
    char endpoint[64];
    char token[80];
    int mp4, hevc;
};

/* Starts s3rver on a free port with a bucket "reel" that any origin may GET from. */
static void start_s3rver(struct fixture *fx)
{
    char cors[256], out[256], store[256], cmd[512];
    snprintf(cors, sizeof(cors), "%s/cors.xml", fx->s.dir);
    snprintf(out, sizeof(out), "%s/s3rver.log", fx->s.dir);
    snprintf(store, sizeof(store), "%s/s3", fx->s.dir);
    snprintf(cmd, sizeof(cmd),
             "printf '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
             "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>' > '%s'",
             cors);
    assert_int_equal(system(cmd), 0);
    fx->s3rver = fork();
    if (fx->s3rver == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        dup2(fd, 2);
        execlp("node", "node", REEL_SOURCE_DIR "/node_modules/s3rver/bin/s3rver.js", "-d", store,
               "-a", "127.0.0.1", "-p", "0", "--configure-bucket", "reel", cors, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !fx->s3_port; i++) {
        FILE *f = fopen(out, "r");
        char line[256];
        while (f && fgets(line, sizeof(line), f))
            sscanf(line, "S3rver listening on 127.0.0.1:%d", &fx->s3_port);
        if (f)
            fclose(f);
        if (!fx->s3_port)
            usleep(50000);
    }
    if (!fx->s3_port)
        fail_msg("s3rver did not start (is node_modules installed? run npm ci); see %s", out);
    snprintf(fx->endpoint, sizeof(fx->endpoint), "http://127.0.0.1:%d", fx->s3_port);
}

static void start_reel(struct fixture *fx, const char *access_key)
{
    const char *args[] = {"--hls-calibrate",
                          "0",
                          "--s3-endpoint",
                          fx->endpoint,
                          "--s3-bucket",
                          "reel",
                          "--s3-access-key",
                          access_key,
                          "--s3-secret-key",
                          "S3RVER",
                          "--s3-url-ttl",
                          "3",
                          "--log-level",
                          "debug",
                          NULL};
    server_start(&fx->s, args);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    server_init(&fx->s);
    media_copy(fx->s.library, media);
    start_s3rver(fx);
    start_reel(fx, "S3RVER");
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
    if (fx->s3rver > 0) {
        kill(fx->s3rver, SIGTERM);
        waitpid(fx->s3rver, NULL, 0);
    }
    server_cleanup(&fx->s);
    free(fx);
    return rc == 0 ? 0 : -1;
}

struct fetched {
    long status;
    char type[128];
    char *body;
    size_t len;
    char acao[128]; /* Access-Control-Allow-Origin */
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct fetched *f = arg;
    char *grown = realloc(f->body, f->len + size * n + 1);
    if (!grown)
        return 0;
    memcpy(grown + f->len, p, size * n);
    f->len += size * n;
    grown[f->len] = '\0';
    f->body = grown;
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct fetched *f = arg;
    size_t len = size * n;
    if (len > 30 && strncasecmp(p, "Access-Control-Allow-Origin:", 28) == 0)
        snprintf(f->acao, sizeof(f->acao), "%.*s", (int)strcspn(p + 29, "\r\n"), p + 29);
    return len;
}

/* A GET of url with no credentials, as a player sends it (with an Origin, as a browser
 * does). sigv4 set: signed with those keys instead, as Reel's own requests are. */
static void fetch(const char *method, const char *url, const char *origin, const char *sigv4_user,
                  struct fetched *f)
{
    memset(f, 0, sizeof(*f));
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char o[160];
    if (origin) {
        snprintf(o, sizeof(o), "Origin: %s", origin);
        h = curl_slist_append(h, o);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
    if (strcmp(method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "stray");
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    }
    if (sigv4_user) {
        h = curl_slist_append(h, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
        curl_easy_setopt(c, CURLOPT_USERPWD, sigv4_user);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->status);
    char *type = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
    snprintf(f->type, sizeof(f->type), "%s", type ? type : "");
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static void prepare(struct fixture *fx, int file)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/prepared/%d", file);
    struct response r;
    http(&fx->s, "POST", path, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 202);
    response_free(&r);
    for (int i = 0; i < 1200; i++) {
        http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
        const char *st = json_string_value(json_object_get(r.json, "status"));
        bool done = strcmp(st, "queued") != 0 && strcmp(st, "generating") != 0;
        if (done)
            assert_string_equal(st, "ready");
        response_free(&r);
        if (done)
            return;
        usleep(100000);
    }
    fail_msg("file %d was not prepared in 120 s", file);
}

/* The first segment's URL of the version's first rendition, as Reel redirects to it. */
static void first_segment(struct fixture *fx, const char *base, char *rendition, size_t rsize,
                          char *location, size_t lsize)
{
    struct response r;
    char path[256];
    snprintf(path, sizeof(path), "%s/master.m3u8", base);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_memory_equal(r.body, "#EXTM3U", 7);
    /* The first variant's URI: "<base>/720p/index.m3u8", absolute. */
    const char *uri = strstr(r.body, "/index.m3u8");
    assert_non_null(uri);
    const char *name = uri;
    while (name > r.body && name[-1] != '/')
        name--;
    snprintf(rendition, rsize, "%.*s", (int)(uri - name), name);
    char want[128];
    snprintf(want, sizeof(want), "\n%s/%s/index.m3u8", base, rendition);
    assert_non_null(strstr(r.body, want));
    response_free(&r);
    snprintf(path, sizeof(path), "%s/%s/index.m3u8", base, rendition);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 200);
    assert_non_null(strstr(r.body, "#EXT-X-ENDLIST"));
    assert_non_null(strstr(r.body, "0.m4s"));
    response_free(&r);
    snprintf(path, sizeof(path), "%s/%s/0.m4s", base, rendition);
    http(&fx->s, "GET", path, fx->token, NULL, NULL, &r);
    assert_status(&r, 302);
    assert_true(response_header(&r, "Location", location, lsize));
    response_free(&r);
}

static void a_version_lives_in_the_bucket(void **state)
{
    struct fixture *fx = *state;
    prepare(fx, fx->mp4);
    /* Nothing of it is on Reel's disk. */
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/prepared' | grep -v '^.scratch$')\"",
             fx->s.data);
    assert_int_equal(system(cmd), 0);

    char base[64], rendition[32], location[1024], origin[64];
    snprintf(base, sizeof(base), "/api/v1/prepared/%d", fx->mp4);
    first_segment(fx, base, rendition, sizeof(rendition), location, sizeof(location));
    /* To the store, presigned. */
    assert_memory_equal(location, fx->endpoint, strlen(fx->endpoint));
    assert_non_null(strstr(location, "/reel/"));
    assert_non_null(strstr(location, "X-Amz-Signature="));
    assert_non_null(strstr(location, "X-Amz-Expires=3&"));
    snprintf(origin, sizeof(origin), "http://127.0.0.1:%d", fx->s.port);
    struct fetched f;
    fetch("GET", location, origin, NULL, &f);
    assert_int_equal(f.status, 200);
    assert_true(f.len > 1000);
    assert_string_equal(f.type, "video/iso.segment");
    assert_true(memmem(f.body, f.len, "moof", 4) != NULL);
    assert_string_equal(f.acao, "*"); /* the bucket's CORS lets the web app read it */
    free(f.body);
    /* And a presigned URL expires: this server gives 3 s. */
    sleep(4);
    fetch("GET", location, NULL, NULL, &f);
    assert_int_equal(f.status, 403);
    assert_non_null(strstr(f.body, "expired"));
    free(f.body);

    /* The web app may fetch from the store. */
    struct response r;
    http(&fx->s, "GET", "/", NULL, NULL, NULL, &r);
    char csp[1024], want[128];
    assert_true(response_header(&r, "Content-Security-Policy", csp, sizeof(csp)));
    snprintf(want, sizeof(want), "connect-src 'self' %s;", fx->endpoint);
    assert_non_null(strstr(csp, want));
    response_free(&r);
}

static void ffmpeg_plays_a_link_through_the_store(void **state)
{
    struct fixture *fx = *state;
    /* HEVC, which a browser cannot play as it is: the link's stream is the version. */
    prepare(fx, fx->hevc);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/links/%d", fx->hevc);
    struct response r;
    http(&fx->s, "POST", path, fx->token, "{\"expires_in\": 3600, \"client\": \"browser\"}", NULL,
         &r);
    assert_int_equal(r.status, 201);
    char url[512];
    snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(r.json, "url")));
    response_free(&r);
    /* The link's stream is the prepared version; its segments come from the store. The
     * whole title is read with no header, and no error. (ffmpeg's HLS reader says, at the
     * error level, that it opens a new connection for the other host; that is all.) */
    char cmd[2048], out[256];
    snprintf(out, sizeof(out), "%s/ffmpeg.txt", fx->s.dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -i '%s' -f null - > '%s' 2>&1 && ! grep -v 'Cannot reuse "
             "HTTP connection' '%s' && "
             "ffprobe -v error -show_entries format=duration -of csv=p=0 '%s' | "
             "awk '{ exit !($1 > 4) }'",
             url, out, out, url);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof(cmd), "cat '%s' >&2; tail -20 '%s' >&2", out, fx->s.log);
        (void)!system(cmd);
        fail_msg("ffmpeg could not play %s", url);
    }
    char grep[512];
    snprintf(grep, sizeof(grep),
             "grep -c 'm4s?X-Amz.* 20[06] ' '%s/s3rver.log' | "
             "awk '{ exit !($1 > 1) }'",
             fx->s.dir);
    assert_int_equal(system(grep), 0);
}

static void a_removed_version_leaves_the_bucket(void **state)
{
    struct fixture *fx = *state;
    char base[64], rendition[32], location[1024];
    snprintf(base, sizeof(base), "/api/v1/prepared/%d", fx->mp4);
    first_segment(fx, base, rendition, sizeof(rendition), location, sizeof(location));
    struct response r;
    http(&fx->s, "DELETE", base, fx->token, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    response_free(&r);
    struct fetched f;
    fetch("GET", location, NULL, NULL, &f);
    assert_int_equal(f.status, 404);
    free(f.body);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "test -z \"$(find '%s/s3/reel' -path '*/%d-*' -name '*._S3rver_object')\"", fx->s.dir,
             fx->mp4);
    assert_int_equal(system(cmd), 0);
}

static void what_a_stopped_job_left_goes_at_start(void **state)
{
    struct fixture *fx = *state;
    char url[256];
    snprintf(url, sizeof(url), "%s/reel/%d-0123456789abcdef/720p/0.m4s", fx->endpoint, fx->mp4);
    struct fetched f;
    fetch("PUT", url, NULL, "S3RVER:S3RVER", &f);
    if (f.status != 200)
        fail_msg("PUT %s: %ld %s", url, f.status, f.body);
    free(f.body);
    assert_int_equal(server_stop(&fx->s), 0);
    start_reel(fx, "S3RVER");
    snprintf(fx->token, sizeof(fx->token), "%s", login(&fx->s, ADMIN_USER, ADMIN_PASSWORD));
    bool gone = false;
    for (int i = 0; i < 100 && !gone; i++) {
        fetch("GET", url, NULL, "S3RVER:S3RVER", &f);
        gone = f.status == 404;
        free(f.body);
        if (!gone)
            usleep(100000);
    }
    assert_true(gone);
}

static void keys_the_store_does_not_know_stop_the_start(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(server_stop(&fx->s), 0);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "'%s' --listen 127.0.0.1:0 --data '%s' --s3-endpoint %s --s3-bucket reel "
             "--s3-access-key NOBODY --s3-secret-key S3RVER > '%s/refused.txt' 2>&1",
             REEL_BINARY, fx->s.data, fx->endpoint, fx->s.dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) != 0);
    snprintf(cmd, sizeof(cmd), "grep -q \"refuses bucket 'reel' (HTTP 403)\" '%s/refused.txt'",
             fx->s.dir);
    assert_int_equal(system(cmd), 0);
    start_reel(fx, "S3RVER"); /* for the teardown */
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_version_lives_in_the_bucket),
        cmocka_unit_test(ffmpeg_plays_a_link_through_the_store),
        cmocka_unit_test(a_removed_version_leaves_the_bucket),
        cmocka_unit_test(what_a_stopped_job_left_goes_at_start),
        cmocka_unit_test(keys_the_store_does_not_know_stop_the_start),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
