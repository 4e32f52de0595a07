/*
 * Object storage: the SigV4 presigner against AWS's published examples, and the requests
 * the S3 backend sends through libcurl, whose signatures are recomputed here the way a store
 * checks them. (s3rver, which tests/integration/test_s3.c runs, does not check signatures.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"
#include "storage/sigv4.h"
#include "storage/storage.h"
#include <arpa/inet.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sigv4_key aws = {"AKIAIOSFODNN7EXAMPLE",
                                     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1"};

/* docs.aws.amazon.com, "Authenticating Requests: Using Query Parameters": GET test.txt. */
static void presigns_as_aws_does(void **state)
{
    (void)state;
    char url[1024];
    assert_int_equal(sigv4_presign(&aws, "https://examplebucket.s3.amazonaws.com",
                                   "examplebucket.s3.amazonaws.com", "/test.txt", 1369353600, 86400,
                                   url, sizeof(url)),
                     0);
    assert_string_equal(
        url, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
             "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
             "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
             "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    /* S3 refuses an expiry past a week; so does the presigner. */
    assert_int_equal(sigv4_presign(&aws, "https://h", "h", "/k", 0, 604801, url, sizeof(url)),
                     -EINVAL);
    assert_int_equal(sigv4_presign(&aws, "https://h", "h", "/k", 0, 60, url, 20), -ENOSPC);
}

/* The same page's header example: GET test.txt with a Range. */
static void signs_a_canonical_request_as_aws_does(void **state)
{
    (void)state;
    const char *canonical =
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    char sig[SIGV4_HEX + 1];
    sigv4_signature(&aws, "20130524T000000Z", canonical, sig);
    assert_string_equal(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    struct sigv4_key other = aws;
    other.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEz";
    sigv4_signature(&other, "20130524T000000Z", canonical, sig);
    assert_string_not_equal(sig,
                            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

static void encodes_as_s3_wants(void **state)
{
    (void)state;
    char out[64] = "";
    assert_int_equal(sigv4_encode("a b/c~d_e.f-g+h=é", 1, out, sizeof(out)), 0);
    assert_string_equal(out, "a%20b/c~d_e.f-g%2Bh%3D%C3%A9");
    out[0] = '\0';
    assert_int_equal(sigv4_encode("a/b", 0, out, sizeof(out)), 0);
    assert_string_equal(out, "a%2Fb");
    char small[4] = "";
    assert_int_equal(sigv4_encode("a/b", 0, small, sizeof(small)), -ENOSPC);
    assert_string_equal(small, "");
}

/* A listener that takes HTTP/1.1 requests on one connection after another, keeps each, and
 * answers 200 with the body of the next canned answer. */
enum { MAX_SEEN = 16 };
struct seen {
    char head[4096];
    size_t body_len;
};
struct listener {
    int fd;
    uint16_t port;
    const char *answers[MAX_SEEN];
    struct seen seen[MAX_SEEN];
    int n;
    pthread_t thread;
};

static void *listen_loop(void *arg)
{
    struct listener *l = arg;
    int c;
    while ((c = accept(l->fd, NULL, NULL)) >= 0) {
        char buf[65536];
        size_t have = 0;
        for (;;) {
            char *end = NULL;
            while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
                ssize_t got = read(c, buf + have, sizeof(buf) - have);
                if (got <= 0)
                    goto next;
                have += (size_t)got;
            }
            size_t head = (size_t)(end - buf) + 4, body = 0;
            char *cl = memmem(buf, head, "Content-Length: ", 16);
            if (cl)
                body = strtoul(cl + 16, NULL, 10);
            struct seen *s = &l->seen[l->n < MAX_SEEN ? l->n : MAX_SEEN - 1];
            snprintf(s->head, sizeof(s->head), "%.*s", (int)head, buf);
            s->body_len = body;
            if (memmem(buf, head, "Expect: 100-continue", 20) &&
                write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 25)
                break;
            /* The body is counted and dropped. */
            size_t present = have - head < body ? have - head : body;
            for (size_t left = body - present; left > 0;) {
                char drop[65536];
                ssize_t got = read(c, drop, left < sizeof(drop) ? left : sizeof(drop));
                if (got <= 0)
                    goto next;
                left -= (size_t)got;
            }
            const char *answer = l->answers[l->n < MAX_SEEN ? l->n : 0];
            answer = answer ? answer : "";
            l->n++;
            char reply[4096];
            int n =
                snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(answer), answer);
            if (write(c, reply, (size_t)n) != n)
                break;
            memmove(buf, buf + head + present, have - head - present);
            have -= head + present;
        }
    next:
        close(c);
    }
    return NULL;
}

static void listener_start(struct listener *l)
{
    l->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(l->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(l->fd, 8), 0);
    socklen_t len = sizeof(a);
    getsockname(l->fd, (struct sockaddr *)&a, &len);
    l->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&l->thread, NULL, listen_loop, l), 0);
}

static void listener_stop(struct listener *l)
{
    shutdown(l->fd, SHUT_RDWR);
    close(l->fd);
    pthread_join(l->thread, NULL);
}

/* The value of header name (lower case) in head, into out. */
static bool header(const char *head, const char *name, char *out, size_t size)
{
    for (const char *p = strstr(head, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2, *colon = strchr(line, ':');
        if (colon && (size_t)(colon - line) == strlen(name) &&
            strncasecmp(line, name, strlen(name)) == 0) {
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\r");
            snprintf(out, size, "%.*s", (int)n, v);
            return true;
        }
    }
    return false;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rebuilds the canonical request of what was seen, as a store does, and checks the
 * signature in its Authorization header. Returns the method and path for the caller. */
static void check_signature(const struct seen *s, const char *secret, char *method, char *target)
{
    char version[16];
    assert_int_equal(sscanf(s->head, "%15s %1023s %15s", method, target, version), 3);
    char auth[1024], date[32], hash[128];
    assert_true(header(s->head, "authorization", auth, sizeof(auth)));
    assert_true(header(s->head, "x-amz-date", date, sizeof(date)));
    assert_true(header(s->head, "x-amz-content-sha256", hash, sizeof(hash)));
    char cred[256], signed_headers[256], sig[128];
    assert_int_equal(sscanf(auth,
                            "AWS4-HMAC-SHA256 Credential=%255[^,], SignedHeaders=%255[^,], "
                            "Signature=%127s",
                            cred, signed_headers, sig),
                     3);
    assert_true(strncmp(cred, "reelkey/", 8) == 0);
    assert_non_null(strstr(cred, "/eu-test-1/s3/aws4_request"));
    assert_non_null(strstr(signed_headers, "host"));
    assert_non_null(strstr(signed_headers, "x-amz-content-sha256"));

    /* The query's parameters in byte order; each already encoded. */
    char path[1024], query[1024] = "";
    char *q = strchr(target, '?');
    snprintf(path, sizeof(path), "%.*s", (int)(q ? q - target : (long)strlen(target)), target);
    if (q) {
        char copy[1024], *params[32], *save = NULL;
        int n = 0;
        snprintf(copy, sizeof(copy), "%s", q + 1);
        for (char *t = strtok_r(copy, "&", &save); t && n < 32; t = strtok_r(NULL, "&", &save))
            params[n++] = t;
        qsort(params, (size_t)n, sizeof(params[0]), by_name);
        for (int i = 0; i < n; i++) {
            strcat(query, i ? "&" : "");
            strcat(query, params[i]);
            if (!strchr(params[i], '='))
                strcat(query, "=");
        }
    }
    char canonical[4096];
    int len = snprintf(canonical, sizeof(canonical), "%s\n%s\n%s\n", method, path, query);
    char names[256], *save = NULL;
    snprintf(names, sizeof(names), "%s", signed_headers);
    for (char *h = strtok_r(names, ";", &save); h; h = strtok_r(NULL, ";", &save)) {
        char v[512];
        if (!header(s->head, h, v, sizeof(v)))
            fail_msg("no %s in %s", h, s->head);
        len += snprintf(canonical + len, sizeof(canonical) - (size_t)len, "%s:%s\n", h, v);
    }
    snprintf(canonical + len, sizeof(canonical) - (size_t)len, "\n%s\n%s", signed_headers, hash);
    struct sigv4_key k = {"reelkey", secret, "eu-test-1"};
    char want[SIGV4_HEX + 1];
    sigv4_signature(&k, date, canonical, want);
    assert_string_equal(sig, want);
}

static void requests_are_signed_as_a_store_checks(void **state)
{
    (void)state;
    struct listener l = {.answers = {
                             "<ListBucketResult></ListBucketResult>", /* the check at start */
                             "",                                      /* the PUTs */
                             "",
                             "<ListBucketResult><Contents><Key>7-ab/1.m4s</Key></Contents>"
                             "<Contents><Key>7-ab/a&amp;b.m4s</Key></Contents>"
                             "<IsTruncated>false</IsTruncated></ListBucketResult>",
                             "", /* the two DELETEs */
                             "",
                         }};
    listener_start(&l);
    char endpoint[64], scratch[] = "/tmp/reel-test-storage-XXXXXX";
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u/", l.port);
    assert_non_null(mkdtemp(scratch));
    struct storage_s3 cfg = {endpoint, "eu-test-1", "media", "reelkey", "s3cret/key", 1};
    struct storage *st;
    assert_int_equal(storage_s3_new(&st, &cfg, scratch), 0);
    assert_int_equal(storage_put(st, "7-ab/720p/index.m3u8", "#EXTM3U\n", 8), 0);
    /* Past 1 MiB, libcurl asks "Expect: 100-continue" first. */
    size_t big_len = 3 << 20;
    char *big = calloc(1, big_len);
    assert_non_null(big);
    assert_int_equal(storage_put(st, "7-ab/720p/0.m4s", big, big_len), 0);
    free(big);
    assert_int_equal(storage_delete(st, "7-ab"), 0);
    /* Not a key: nothing is sent. */
    assert_int_equal(storage_put(st, "../x", "", 0), ERR_BAD_REQUEST);
    char url[1024];
    assert_int_equal(storage_url(st, "7-ab/720p/1.m4s", 3600, url, sizeof(url)), 0);
    char want[128];
    snprintf(want, sizeof(want), "http://127.0.0.1:%u/media/7-ab/720p/1.m4s?X-Amz-", l.port);
    assert_memory_equal(url, want, strlen(want));
    assert_non_null(strstr(url, "X-Amz-Expires=3600&"));
    snprintf(want, sizeof(want), "http://127.0.0.1:%u", l.port);
    assert_string_equal(storage_origin(st), want);
    storage_free(st);
    rmdir(scratch);
    listener_stop(&l);

    assert_int_equal(l.n, 6);
    const char *want_method[] = {"GET", "PUT", "PUT", "GET", "DELETE", "DELETE"};
    const char *want_target[] = {"/media/?list-type=2&max-keys=1",
                                 "/media/7-ab/720p/index.m3u8",
                                 "/media/7-ab/720p/0.m4s",
                                 "/media/?list-type=2&prefix=7-ab%2F",
                                 "/media/7-ab/1.m4s",
                                 "/media/7-ab/a%26b.m4s"};
    for (int i = 0; i < 6; i++) {
        char method[16], target[1024];
        check_signature(&l.seen[i], "s3cret/key", method, target);
        assert_string_equal(method, want_method[i]);
        assert_string_equal(target, want_target[i]);
    }
    assert_int_equal(l.seen[1].body_len, 8);
    assert_int_equal(l.seen[2].body_len, big_len);
    char type[64];
    assert_true(header(l.seen[1].head, "content-type", type, sizeof(type)));
    assert_string_equal(type, "application/vnd.apple.mpegurl");
}

static void bad_settings_are_named(void **state)
{
    (void)state;
    struct storage *st;
    struct storage_s3 cfg = {"ftp://x", "", "b", "k", "s", 1};
    assert_int_equal(storage_s3_new(&st, &cfg, "/tmp/unused"), ERR_BAD_REQUEST);
    cfg.endpoint = "http://127.0.0.1:1";
    cfg.bucket = "a/b";
    assert_int_equal(storage_s3_new(&st, &cfg, "/tmp/unused"), ERR_BAD_REQUEST);
    cfg.bucket = "b";
    cfg.secret_key = "";
    assert_int_equal(storage_s3_new(&st, &cfg, "/tmp/unused"), ERR_BAD_REQUEST);
    cfg.endpoint = "http://host;evil";
    cfg.secret_key = "s";
    assert_int_equal(storage_s3_new(&st, &cfg, "/tmp/unused"), ERR_BAD_REQUEST);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(presigns_as_aws_does),
        cmocka_unit_test(signs_a_canonical_request_as_aws_does),
        cmocka_unit_test(encodes_as_s3_wants),
        cmocka_unit_test(requests_are_signed_as_a_store_checks),
        cmocka_unit_test(bad_settings_are_named),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
