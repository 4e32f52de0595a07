#include "http/file.h"
#include "core/error.h"
#include "http/range.h"
#include "http/reply.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int http_file_open(const char *path, int *fd, struct stat *st)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return -errno;
    int rc = fstat(*fd, st) < 0 ? -errno : S_ISREG(st->st_mode) ? 0 : -ENOENT;
    if (rc < 0) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

const char *http_mime_type(const char *path)
{
    static const char *const types[][2] = {
        {"mp4", "video/mp4"},
        {"m4v", "video/mp4"},
        {"m4s", "video/iso.segment"},
        {"webm", "video/webm"},
        {"mkv", "video/x-matroska"},
        {"ts", "video/mp2t"},
        {"mov", "video/quicktime"},
        {"avi", "video/x-msvideo"},
        {"m3u8", "application/vnd.apple.mpegurl"},
        {"html", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"ico", "image/x-icon"},
        {"vtt", "text/vtt; charset=utf-8"},
        {"srt", "application/x-subrip"},
    };
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcasecmp(dot + 1, types[i][0]) == 0)
                return types[i][1];
    return "application/octet-stream";
}

static void http_date(time_t t, char *out, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static bool parse_date(const char *s, time_t *out)
{
    struct tm tm = {0};
    const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return false;
    *out = timegm(&tm);
    return true;
}

/* If-None-Match: a list of tags, compared weakly, or "*". */
static bool none_match(const char *header, const char *etag)
{
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t n = strcspn(p, ",");
        while (n && p[n - 1] == ' ')
            n--;
        if (n == strlen(etag) && memcmp(p, etag, n) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

/* If-Range: the strong ETag, or the exact Last-Modified date. */
static bool range_still_valid(const char *if_range, const char *etag, time_t mtime)
{
    if (if_range[0] == '"')
        return strcmp(if_range, etag) == 0;
    time_t t;
    return parse_date(if_range, &t) && t == mtime;
}

static void validators(struct http_reply *r, const char *etag, const char *lastmod)
{
    http_reply_header(r, "Accept-Ranges", "bytes");
    http_reply_header(r, "ETag", "%s", etag);
    http_reply_header(r, "Last-Modified", "%s", lastmod);
}

/* A multipart/byteranges body: each part's head, its bytes from the file, then the tail. */
struct multipart {
    int fd;
    size_t n;
    struct byte_range r[RANGE_MAX];
    char heads[RANGE_MAX][192];
    char tail[64];
};

static ssize_t multipart_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct multipart *m = cls;
    uint64_t at = 0;
    for (size_t i = 0; i <= m->n; i++) {
        const char *head = i < m->n ? m->heads[i] : m->tail;
        size_t hl = strlen(head);
        if (pos < at + hl) {
            size_t k = (size_t)(at + hl - pos) < max ? (size_t)(at + hl - pos) : max;
            memcpy(out, head + (pos - at), k);
            return (ssize_t)k;
        }
        at += hl;
        if (i == m->n)
            break;
        if (pos < at + m->r[i].length) {
            uint64_t left = at + m->r[i].length - pos;
            size_t k = left < max ? (size_t)left : max;
            ssize_t got = pread(m->fd, out, k, (off_t)(m->r[i].start + (pos - at)));
            return got > 0 ? got : -1;
        }
        at += m->r[i].length;
    }
    return -1;
}

static void multipart_free(void *cls)
{
    struct multipart *m = cls;
    close(m->fd);
    free(m);
}

/* Turns r into a multipart body of the n ranges. */
static int multipart(struct http_reply *r, const struct byte_range *ranges, size_t n,
                     unsigned long id, char *content_type, size_t ct_size)
{
    struct multipart *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    uint64_t size = (uint64_t)r->st.st_size;
    char boundary[40];
    snprintf(boundary, sizeof(boundary), "reel%016lx%08x", id, (unsigned)(size & 0xffffffff));
    snprintf(content_type, ct_size, "multipart/byteranges; boundary=%s", boundary);
    m->fd = r->fd;
    m->n = n;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        m->r[i] = ranges[i];
        snprintf(m->heads[i], sizeof(m->heads[i]),
                 "%s--%s\r\nContent-Type: %s\r\nContent-Range: bytes %llu-%llu/%llu\r\n\r\n",
                 i ? "\r\n" : "", boundary, r->type, (unsigned long long)ranges[i].start,
                 (unsigned long long)(ranges[i].start + ranges[i].length - 1),
                 (unsigned long long)size);
        total += strlen(m->heads[i]) + ranges[i].length;
    }
    snprintf(m->tail, sizeof(m->tail), "\r\n--%s--\r\n", boundary);
    total += strlen(m->tail);
    r->fd = -1;
    r->body = HTTP_BODY_STREAM;
    r->read = multipart_read;
    r->release = multipart_free;
    r->ctx = m;
    r->length = total;
    r->block = 64 * 1024;
    return 0;
}

void http_file_resolve(struct http_request *req, struct http_reply *r)
{
    const struct stat *st = &r->st;
    uint64_t size = (uint64_t)st->st_size;
    char etag[80], lastmod[40];
    snprintf(etag, sizeof(etag), "\"%llx-%llx-%llx\"", (unsigned long long)st->st_ino,
             (unsigned long long)size,
             (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st->st_mtim.tv_nsec);
    http_date(st->st_mtime, lastmod, sizeof(lastmod));

    const char *inm = http_header(req, "If-None-Match");
    const char *ims = http_header(req, "If-Modified-Since");
    time_t since;
    if ((inm && none_match(inm, etag)) ||
        (!inm && ims && parse_date(ims, &since) && st->st_mtime <= since)) {
        const char *cache = r->cache;
        http_reply_release(r);
        *r = http_reply_empty(304);
        r->cache = cache;
        validators(r, etag, lastmod);
        return;
    }

    const char *range = http_header(req, "Range");
    const char *if_range = http_header(req, "If-Range");
    if (range && if_range && !range_still_valid(if_range, etag, st->st_mtime))
        range = NULL;
    struct byte_range ranges[RANGE_MAX];
    size_t n = 0;
    enum range_result res = range_parse(range, size, ranges, &n);
    if (res == RANGE_UNSATISFIABLE) {
        const char *cache = r->cache;
        http_reply_release(r);
        *r = http_reply_error(ERR_RANGE, NULL);
        r->cache = cache;
        http_reply_header(r, "Content-Range", "bytes */%llu", (unsigned long long)size);
        validators(r, etag, lastmod);
        return;
    }
    r->offset = 0;
    r->length = size;
    if (res == RANGE_PARTIAL && n == 1) {
        r->status = 206;
        r->offset = ranges[0].start;
        r->length = ranges[0].length;
        http_reply_header(
            r, "Content-Range", "bytes %llu-%llu/%llu", (unsigned long long)ranges[0].start,
            (unsigned long long)(ranges[0].start + ranges[0].length - 1), (unsigned long long)size);
    } else if (res == RANGE_PARTIAL) {
        char content_type[128];
        r->status = 206;
        if (multipart(r, ranges, n, req->id, content_type, sizeof(content_type)) < 0) {
            http_reply_release(r);
            *r = http_reply_no_memory();
            return;
        }
        r->type = NULL;
        http_reply_header(r, "Content-Type", "%s", content_type);
    }
    validators(r, etag, lastmod);
}

struct http_reply http_reply_file(int fd, const struct stat *st, const char *type,
                                  const char *cache)
{
    struct http_reply r = http_reply_base(200, HTTP_BODY_FILE);
    r.fd = fd;
    r.st = *st;
    r.type = type;
    r.cache = cache;
    r.length = (uint64_t)st->st_size;
    return r;
}

struct concat {
    size_t n;
    int *fds;
    uint64_t *sizes;
};

static ssize_t concat_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct concat *c = cls;
    for (size_t i = 0; i < c->n; i++) {
        if (pos >= c->sizes[i]) {
            pos -= c->sizes[i];
            continue;
        }
        uint64_t left = c->sizes[i] - pos;
        ssize_t got = pread(c->fds[i], out, left < max ? (size_t)left : max, (off_t)pos);
        return got > 0 ? got : -1;
    }
    return -1;
}

static void concat_free(void *cls)
{
    struct concat *c = cls;
    for (size_t i = 0; i < c->n; i++)
        if (c->fds[i] >= 0)
            close(c->fds[i]);
    free(c->fds);
    free(c->sizes);
    free(c);
}

struct http_reply http_reply_files(char *const *paths, size_t n, const char *type,
                                   const char *cache)
{
    struct concat *c = calloc(1, sizeof(*c));
    if (c) {
        c->fds = malloc(n * sizeof(*c->fds));
        c->sizes = calloc(n, sizeof(*c->sizes));
    }
    if (!c || !c->fds || !c->sizes) {
        if (c)
            concat_free(c);
        return http_reply_no_memory();
    }
    uint64_t total = 0;
    struct stat st;
    for (size_t i = 0; i < n; i++) {
        c->fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
        c->n = i + 1;
        if (c->fds[i] < 0 || fstat(c->fds[i], &st) < 0) {
            int rc = -errno;
            concat_free(c);
            return http_reply_error(rc, "cannot open '%s'", paths[i]);
        }
        c->sizes[i] = (uint64_t)st.st_size;
        total += c->sizes[i];
    }
    if (n == 1) {
        int fd = c->fds[0];
        c->fds[0] = -1;
        concat_free(c);
        return http_reply_file(fd, &st, type, cache);
    }
    struct http_reply r = http_reply_stream(type, concat_read, concat_free, c);
    r.cache = cache;
    r.length = total;
    r.block = 256 * 1024;
    return r;
}
