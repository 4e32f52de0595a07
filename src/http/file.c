#include "http/file.h"
#include "core/error.h"
#include "http/range.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

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

static void common_headers(struct MHD_Response *r, const char *etag, const char *lastmod,
                           const char *cache_control)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
    if (cache_control)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
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
            return got > 0 ? got : MHD_CONTENT_READER_END_WITH_ERROR;
        }
        at += m->r[i].length;
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
}

static void multipart_free(void *cls)
{
    struct multipart *m = cls;
    close(m->fd);
    free(m);
}

static struct MHD_Response *multipart(int fd, const struct byte_range *r, size_t n, uint64_t size,
                                      const char *type, unsigned long id, char *content_type,
                                      size_t ct_size)
{
    struct multipart *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    char boundary[40];
    snprintf(boundary, sizeof(boundary), "reel%016lx%08x", id, (unsigned)(size & 0xffffffff));
    snprintf(content_type, ct_size, "multipart/byteranges; boundary=%s", boundary);
    m->fd = fd;
    m->n = n;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        m->r[i] = r[i];
        snprintf(m->heads[i], sizeof(m->heads[i]),
                 "%s--%s\r\nContent-Type: %s\r\nContent-Range: bytes %llu-%llu/%llu\r\n\r\n",
                 i ? "\r\n" : "", boundary, type, (unsigned long long)r[i].start,
                 (unsigned long long)(r[i].start + r[i].length - 1), (unsigned long long)size);
        total += strlen(m->heads[i]) + r[i].length;
    }
    snprintf(m->tail, sizeof(m->tail), "\r\n--%s--\r\n", boundary);
    total += strlen(m->tail);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(total, 64 * 1024, multipart_read, m, multipart_free);
    if (!resp)
        free(m);
    return resp;
}

int http_serve_file(struct http_request *req, int fd, const struct stat *st,
                    const char *content_type, const char *cache_control, uint64_t *bytes)
{
    uint64_t ignored;
    if (!bytes)
        bytes = &ignored;
    *bytes = 0;
    uint64_t size = (uint64_t)st->st_size;
    char etag[80], lastmod[40];
    snprintf(etag, sizeof(etag), "\"%llx-%llx-%llx\"", (unsigned long long)st->st_ino,
             (unsigned long long)size,
             (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st->st_mtim.tv_nsec);
    http_date(st->st_mtime, lastmod, sizeof(lastmod));

    const char *inm = http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims = http_header(req, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    time_t since;
    if ((inm && none_match(inm, etag)) ||
        (!inm && ims && parse_date(ims, &since) && st->st_mtime <= since)) {
        close(fd);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        if (r)
            common_headers(r, etag, lastmod, cache_control);
        return http_respond(req, MHD_HTTP_NOT_MODIFIED, r);
    }

    const char *range = http_header(req, MHD_HTTP_HEADER_RANGE);
    const char *if_range = http_header(req, MHD_HTTP_HEADER_IF_RANGE);
    if (range && if_range && !range_still_valid(if_range, etag, st->st_mtime))
        range = NULL;
    struct byte_range ranges[RANGE_MAX];
    size_t n = 0;
    enum range_result res = range_parse(range, size, ranges, &n);

    char value[128];
    struct MHD_Response *r = NULL;
    unsigned status = MHD_HTTP_OK;
    if (res == RANGE_UNSATISFIABLE) {
        close(fd);
        r = http_json_response(json_pack("{ss ss}", "error", "range_not_satisfiable", "message",
                                         "The range lies outside the file."));
        snprintf(value, sizeof(value), "bytes */%llu", (unsigned long long)size);
        if (r) {
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, value);
            common_headers(r, etag, lastmod, cache_control);
        }
        return http_respond(req, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
    }
    if (res == RANGE_PARTIAL && n == 1) {
        status = MHD_HTTP_PARTIAL_CONTENT;
        *bytes = ranges[0].length;
        r = MHD_create_response_from_fd_at_offset64(ranges[0].length, fd, ranges[0].start);
        snprintf(value, sizeof(value), "bytes %llu-%llu/%llu", (unsigned long long)ranges[0].start,
                 (unsigned long long)(ranges[0].start + ranges[0].length - 1),
                 (unsigned long long)size);
        if (r) {
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, value);
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
        }
    } else if (res == RANGE_PARTIAL) {
        status = MHD_HTTP_PARTIAL_CONTENT;
        r = multipart(fd, ranges, n, size, content_type, req->id, value, sizeof(value));
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, value);
    } else {
        *bytes = size;
        r = MHD_create_response_from_fd_at_offset64(size, fd, 0);
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    }
    if (!r) {
        close(fd);
        return -ENOMEM;
    }
    common_headers(r, etag, lastmod, cache_control);
    return http_respond(req, status, r);
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
        return got > 0 ? got : MHD_CONTENT_READER_END_WITH_ERROR;
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
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

int http_serve_files(struct http_request *req, char *const *paths, size_t n,
                     const char *content_type, const char *cache_control, uint64_t *bytes)
{
    struct concat *c = calloc(1, sizeof(*c));
    if (c) {
        c->fds = malloc(n * sizeof(*c->fds));
        c->sizes = calloc(n, sizeof(*c->sizes));
    }
    if (!c || !c->fds || !c->sizes) {
        if (c)
            concat_free(c);
        return -ENOMEM;
    }
    uint64_t total = 0;
    struct stat st;
    for (size_t i = 0; i < n; i++) {
        c->fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
        c->n = i + 1;
        if (c->fds[i] < 0 || fstat(c->fds[i], &st) < 0) {
            int rc = -errno;
            concat_free(c);
            return rc;
        }
        c->sizes[i] = (uint64_t)st.st_size;
        total += c->sizes[i];
    }
    *bytes = total;
    if (n == 1) {
        int fd = c->fds[0];
        c->fds[0] = -1;
        concat_free(c);
        return http_serve_file(req, fd, &st, content_type, cache_control, bytes);
    }
    struct MHD_Response *r =
        MHD_create_response_from_callback(total, 256 * 1024, concat_read, c, concat_free);
    if (!r) {
        concat_free(c);
        return -ENOMEM;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (cache_control)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    return http_respond(req, MHD_HTTP_OK, r);
}
