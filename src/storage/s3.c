/*
 * The S3 backend: objects in a bucket of any S3-compatible store, over HTTP with libcurl.
 * libcurl signs each request (CURLOPT_AWS_SIGV4); sigv4.c presigns the URLs players fetch.
 * Every request Reel makes is idempotent (PUT, GET, DELETE, list), so one that fails on the
 * way, or that the store answers with 5xx or "slow down", is tried again.
 */
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "http/file.h"
#include "storage/internal.h"
#include "storage/sigv4.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { POOL = 8, TRIES = 3, MAX_REPLY = 16 << 20 };

struct s3 {
    struct storage base;
    char origin[600];    /* "http://127.0.0.1:9000": where requests go */
    char host[600];      /* the Host header that origin gives */
    char base_path[512]; /* "/bucket" (path style) or "" (virtual host), encoded */
    char bucket[256];
    char region[64];
    char userpwd[512]; /* "access:secret", for libcurl */
    char sigv4[128];   /* "aws:amz:<region>:s3" */
    char access[256], secret[256];
    pthread_mutex_t lock;
    CURL *idle[POOL]; /* handles keep their connections between requests */
    size_t nidle;
};

struct s3_req {
    const char *method; /* "GET", "PUT" or "DELETE" */
    const char *key;    /* NULL: the bucket */
    const char *query;  /* encoded, its parameters in byte order; or NULL */
    int fd;             /* a PUT's body: this file, */
    const char *data;   /* or these bytes */
    size_t len, sent;
    struct buf reply;
};

static CURL *take(struct s3 *s)
{
    pthread_mutex_lock(&s->lock);
    CURL *c = s->nidle ? s->idle[--s->nidle] : NULL;
    pthread_mutex_unlock(&s->lock);
    return c ? c : curl_easy_init();
}

static void give(struct s3 *s, CURL *c)
{
    curl_easy_reset(c);
    pthread_mutex_lock(&s->lock);
    if (s->nidle < POOL) {
        s->idle[s->nidle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    if (c)
        curl_easy_cleanup(c);
}

static size_t on_reply(char *p, size_t size, size_t n, void *arg)
{
    struct s3_req *r = arg;
    return buf_append(&r->reply, p, size * n) == 0 ? size * n : 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct s3_req *r = arg;
    size_t want = size * n;
    if (want > r->len - r->sent)
        want = r->len - r->sent;
    if (r->data) {
        memcpy(p, r->data + r->sent, want);
    } else {
        ssize_t got = pread(r->fd, p, want, (off_t)r->sent);
        if (got < 0)
            return CURL_READFUNC_ABORT;
        want = (size_t)got;
    }
    r->sent += want;
    return want;
}

/* The text of the first <tag>…</tag> at or after *from, entities decoded, into out; moves
 * *from past it. False when there is none. */
static bool xml_text(const char **from, const char *tag, char *out, size_t size)
{
    char open[64], close[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    const char *a = strstr(*from, open), *b = a ? strstr(a, close) : NULL;
    if (!b)
        return false;
    a += strlen(open);
    *from = b + strlen(close);
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    size_t o = 0;
    while (a < b && o + 1 < size) {
        size_t i = 0;
        for (; *a == '&' && i < sizeof(ents) / sizeof(ents[0]); i++)
            if (strncmp(a, ents[i].name, strlen(ents[i].name)) == 0)
                break;
        if (*a == '&' && i < sizeof(ents) / sizeof(ents[0])) {
            out[o++] = ents[i].c;
            a += strlen(ents[i].name);
        } else {
            out[o++] = *a++;
        }
    }
    out[o] = '\0';
    return true;
}

/* Sends r once or, while it fails in a way that may pass, up to TRIES times. The store's
 * HTTP status goes into *status (0 when none came). */
static int send_req(struct s3 *s, struct s3_req *r, long *status)
{
    char url[2048], path[1024] = "";
    if (r->key && sigv4_encode(r->key, 1, path, sizeof(path)) < 0)
        return ERR_BAD_REQUEST;
    int n = snprintf(url, sizeof(url), "%s%s/%s%s%s", s->origin, s->base_path, path,
                     r->query ? "?" : "", r->query ? r->query : "");
    if (n < 0 || n >= (int)sizeof(url))
        return ERR_BAD_REQUEST;
    CURL *c = take(s);
    if (!c)
        return -ENOMEM;
    struct curl_slist *h, *h2 = NULL;
    /* libcurl cannot hash a body it reads as it goes; S3 takes this instead of the hash.
     * (No "Expect:" to turn 100-continue off: libcurl 7.88 would sign that empty header,
     * which it does not send, and the store would refuse the signature.) */
    h = curl_slist_append(NULL, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    char type[128];
    if (h && r->key && strcmp(r->method, "PUT") == 0) {
        snprintf(type, sizeof(type), "Content-Type: %s", http_mime_type(r->key));
        h2 = curl_slist_append(h, type);
        h = h2 ? h2 : (curl_slist_free_all(h), NULL);
    }
    if (!h) {
        curl_slist_free_all(h2);
        give(s, c);
        return -ENOMEM;
    }
    int rc = ERR_STORAGE;
    char why[CURL_ERROR_SIZE] = "";
    for (int attempt = 0; attempt < TRIES; attempt++) {
        if (attempt > 0) {
            struct timespec pause = {0, 200000000L << attempt};
            nanosleep(&pause, NULL);
        }
        curl_easy_reset(c);
        buf_reset(&r->reply);
        r->sent = 0;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
        curl_easy_setopt(c, CURLOPT_USERPWD, s->userpwd);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
        /* A store that sends or takes nothing for 30 s is not there. */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_reply);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
        if (strcmp(r->method, "PUT") == 0) {
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, on_body);
            curl_easy_setopt(c, CURLOPT_READDATA, r);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
        } else if (strcmp(r->method, "GET") != 0) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
        }
        why[0] = '\0';
        *status = 0;
        CURLcode cc = curl_easy_perform(c);
        if (cc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        if (cc == CURLE_OK && *status >= 200 && *status < 300) {
            rc = 0;
            break;
        }
        if (cc == CURLE_OK && *status == 404) {
            rc = ERR_NOT_FOUND;
            break;
        }
        if (cc == CURLE_WRITE_ERROR) {
            rc = -E2BIG;
            break;
        }
        char code[128] = "", message[256] = "";
        const char *x = r->reply.ptr;
        xml_text(&x, "Code", code, sizeof(code));
        x = r->reply.ptr;
        xml_text(&x, "Message", message, sizeof(message));
        bool again = cc != CURLE_OK || *status >= 500 || *status == 429;
        LOG(again && attempt + 1 < TRIES ? L_DEBUG : L_WARN, "storage", "s3 %s %s: %s%s%s%s%s",
            r->method, url, cc != CURLE_OK ? "" : "HTTP ",
            cc != CURLE_OK ? (why[0] ? why : curl_easy_strerror(cc)) : "", code,
            message[0] ? ": " : "", message);
        if (cc == CURLE_OK && *status != 0)
            LOG(L_DEBUG, "storage", "the store answered %ld", *status);
        if (!again)
            break;
    }
    curl_slist_free_all(h);
    give(s, c);
    return rc;
}

static int s3_put_file(struct storage *st, const char *key, const char *path)
{
    struct s3_req r = {.method = "PUT", .key = key};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    r.fd = fd;
    r.len = (size_t)sb.st_size;
    buf_init(&r.reply, MAX_REPLY);
    long status;
    int rc = send_req((struct s3 *)st, &r, &status);
    buf_release(&r.reply);
    close(fd);
    return rc;
}

static int s3_put(struct storage *st, const char *key, const void *data, size_t len)
{
    struct s3_req r = {.method = "PUT", .key = key, .data = data ? data : "", .len = len};
    buf_init(&r.reply, MAX_REPLY);
    long status;
    int rc = send_req((struct s3 *)st, &r, &status);
    buf_release(&r.reply);
    return rc;
}

static int s3_get(struct storage *st, const char *key, char **data, size_t *len)
{
    struct s3_req r = {.method = "GET", .key = key};
    buf_init(&r.reply, MAX_REPLY);
    long status;
    int rc = send_req((struct s3 *)st, &r, &status);
    if (rc == 0)
        *data = buf_detach(&r.reply, len);
    buf_release(&r.reply);
    return rc;
}

/* Lists the bucket under prefix (ListObjectsV2, page by page), calling each() with every
 * key. */
static int list(struct s3 *s, const char *prefix,
                int (*each)(struct s3 *s, const char *name, void *arg), void *arg)
{
    char token[1024] = "", query[4352];
    int rc = 0;
    do {
        char etoken[3072] = "", eprefix[1024] = "";
        if (sigv4_encode(token, 0, etoken, sizeof(etoken)) < 0 ||
            sigv4_encode(prefix, 0, eprefix, sizeof(eprefix)) < 0)
            return ERR_BAD_REQUEST;
        int n =
            snprintf(query, sizeof(query), "%s%s%slist-type=2&prefix=%s",
                     token[0] ? "continuation-token=" : "", etoken, token[0] ? "&" : "", eprefix);
        if (n < 0 || n >= (int)sizeof(query))
            return ERR_BAD_REQUEST;
        struct s3_req r = {.method = "GET", .query = query};
        buf_init(&r.reply, MAX_REPLY);
        long status;
        rc = send_req(s, &r, &status);
        const char *x = r.reply.ptr;
        char name[1024];
        while (rc == 0 && xml_text(&x, "Key", name, sizeof(name)))
            rc = each(s, name, arg);
        char truncated[16] = "";
        x = r.reply.ptr;
        xml_text(&x, "IsTruncated", truncated, sizeof(truncated));
        x = r.reply.ptr;
        if (rc != 0 || strcmp(truncated, "true") != 0 ||
            !xml_text(&x, "NextContinuationToken", token, sizeof(token)))
            token[0] = '\0';
        buf_release(&r.reply);
    } while (rc == 0 && token[0]);
    return rc;
}

static int delete_one(struct s3 *s, const char *key, void *arg)
{
    (void)arg;
    struct s3_req r = {.method = "DELETE", .key = key};
    buf_init(&r.reply, MAX_REPLY);
    long status;
    int rc = send_req(s, &r, &status);
    buf_release(&r.reply);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int s3_delete(struct storage *st, const char *prefix)
{
    /* "7-1a" names a folder: what lies under it, not "7-1ab/…". */
    char folder[600];
    snprintf(folder, sizeof(folder), "%s/", prefix);
    return list((struct s3 *)st, folder, delete_one, NULL);
}

struct names {
    char ***out;
    size_t *n;
};

/* Keeps the first part of key ("7-1a2b" of "7-1a2b/720p/3.m4s"), once: the listing is in
 * byte order, so a part's keys come one after the other. */
static int add_first_part(struct s3 *s, const char *key, void *arg)
{
    (void)s;
    struct names *l = arg;
    size_t len = strcspn(key, "/");
    if (*l->n && strlen((*l->out)[*l->n - 1]) == len &&
        strncmp((*l->out)[*l->n - 1], key, len) == 0)
        return 0;
    return storage_list_add(l->out, l->n, key, len);
}

/* Every key is listed, not the folders of a "/" delimiter: some stores (s3rver) give only
 * the folders of keys one level deep. */
static int s3_prefixes(struct storage *st, char ***out, size_t *n)
{
    struct names l = {out, n};
    return list((struct s3 *)st, "", add_first_part, &l);
}

static int s3_url(struct storage *st, const char *key, long expires, char *out, size_t size)
{
    struct s3 *s = (struct s3 *)st;
    char path[1200];
    snprintf(path, sizeof(path), "%s/", s->base_path);
    if (sigv4_encode(key, 1, path, sizeof(path)) < 0)
        return -ENOSPC;
    struct sigv4_key k = {s->access, s->secret, s->region};
    return sigv4_presign(&k, s->origin, s->host, path, time(NULL), expires, out, size);
}

static void s3_free(struct storage *st)
{
    struct s3 *s = (struct s3 *)st;
    for (size_t i = 0; i < s->nidle; i++)
        curl_easy_cleanup(s->idle[i]);
    pthread_mutex_destroy(&s->lock);
    sodium_memzero(s, sizeof(*s));
    free(s);
}

static const struct storage_ops s3_ops = {
    .put_file = s3_put_file,
    .put = s3_put,
    .get = s3_get,
    .delete = s3_delete,
    .url = s3_url,
    .prefixes = s3_prefixes,
    .free = s3_free,
    .parallel = 4, /* a round trip each: a few at once hide it */
};

/* Splits endpoint ("https://host[:port][/path]") into s's origin, host and base path. */
static int parse_endpoint(struct s3 *s, const struct storage_s3 *cfg, char *why, size_t size)
{
    const char *e = cfg->endpoint, *rest;
    bool tls = strncmp(e, "https://", 8) == 0;
    if (!tls && strncmp(e, "http://", 7) != 0) {
        snprintf(why, size, "s3-endpoint: '%s' is not an http:// or https:// URL", e);
        return ERR_BAD_REQUEST;
    }
    rest = e + (tls ? 8 : 7);
    size_t alen = strcspn(rest, "/?#");
    const char *path = rest + alen;
    if (alen == 0 || strpbrk(path, "?#") || alen >= 256 ||
        strspn(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") <
            alen) {
        snprintf(why, size, "s3-endpoint: '%s' needs a plain host[:port], and no query", e);
        return ERR_BAD_REQUEST;
    }
    size_t plen = strlen(path);
    while (plen && path[plen - 1] == '/')
        plen--;
    char authority[256];
    snprintf(authority, sizeof(authority), "%.*s", (int)alen, rest);
    /* A client leaves the default port out of Host, and the signature covers Host. */
    const char *dflt = tls ? ":443" : ":80";
    size_t hlen = alen;
    if (alen > strlen(dflt) && strcmp(authority + alen - strlen(dflt), dflt) == 0)
        hlen -= strlen(dflt);
    const char *b = cfg->bucket;
    if (!*b || strlen(b) > 255 ||
        strspn(b, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789._-") != strlen(b)) {
        snprintf(why, size, "s3-bucket: '%s' is not a bucket name", b);
        return ERR_BAD_REQUEST;
    }
    if (cfg->path_style) {
        snprintf(s->origin, sizeof(s->origin), "%s%s", tls ? "https://" : "http://", authority);
        snprintf(s->host, sizeof(s->host), "%.*s", (int)hlen, authority);
        snprintf(s->base_path, sizeof(s->base_path), "%.*s/%s", (int)plen, path, b);
    } else {
        snprintf(s->origin, sizeof(s->origin), "%s%s.%s", tls ? "https://" : "http://", b,
                 authority);
        snprintf(s->host, sizeof(s->host), "%s.%.*s", b, (int)hlen, authority);
        snprintf(s->base_path, sizeof(s->base_path), "%.*s", (int)plen, path);
    }
    return 0;
}

int storage_s3_new(struct storage **out, const struct storage_s3 *cfg, const char *scratch)
{
    char why[512] = "";
    struct s3 *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->base.ops = &s3_ops;
    pthread_mutex_init(&s->lock, NULL);
    int rc = parse_endpoint(s, cfg, why, sizeof(why));
    const char *region = cfg->region && *cfg->region ? cfg->region : "us-east-1";
    if (rc == 0 && (!*cfg->access_key || !*cfg->secret_key || strlen(cfg->access_key) > 128 ||
                    strlen(cfg->secret_key) > 128 || strchr(cfg->access_key, ':'))) {
        snprintf(why, sizeof(why),
                 "s3-access-key and s3-secret-key: both are needed, each at "
                 "most 128 characters (and the access key without ':')");
        rc = ERR_BAD_REQUEST;
    }
    if (rc == 0 && (strlen(region) > 32 ||
                    strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(region))) {
        snprintf(why, sizeof(why), "s3-region: '%s' is not a region name", region);
        rc = ERR_BAD_REQUEST;
    }
    if (rc < 0) {
        LOG(L_ERROR, "storage", "%s", why);
        s3_free(&s->base);
        return rc;
    }
    s->base.origin = s->origin;
    snprintf(s->bucket, sizeof(s->bucket), "%s", cfg->bucket);
    snprintf(s->region, sizeof(s->region), "%s", region);
    snprintf(s->access, sizeof(s->access), "%s", cfg->access_key);
    snprintf(s->secret, sizeof(s->secret), "%s", cfg->secret_key);
    snprintf(s->userpwd, sizeof(s->userpwd), "%s:%s", s->access, s->secret);
    snprintf(s->sigv4, sizeof(s->sigv4), "aws:amz:%s:s3", s->region);

    /* A bucket that is not there, or keys the store refuses, are mistakes in the settings:
     * say so now. A store that does not answer yet may come up later. */
    struct s3_req r = {.method = "GET", .query = "list-type=2&max-keys=1"};
    buf_init(&r.reply, MAX_REPLY);
    long status;
    rc = send_req(s, &r, &status);
    buf_release(&r.reply);
    if (rc < 0 && status >= 400 && status < 500) {
        LOG(L_ERROR, "storage",
            "the store at %s refuses bucket '%s' (HTTP %ld): check "
            "s3-endpoint, s3-bucket and the keys",
            cfg->endpoint, s->bucket, status);
        s3_free(&s->base);
        return rc == ERR_NOT_FOUND ? rc : ERR_FORBIDDEN;
    }
    if (rc < 0)
        LOG(L_WARN, "storage",
            "the store at %s does not answer yet; prepared versions wait for "
            "it",
            cfg->endpoint);
    rc = storage_scratch_init(&s->base, scratch);
    if (rc < 0) {
        s3_free(&s->base);
        return rc;
    }
    LOG(L_INFO, "storage", "prepared versions go to bucket '%s' at %s", s->bucket, cfg->endpoint);
    *out = &s->base;
    return 0;
}
