#include "http/reply.h"
#include "core/error.h"
#include "core/log.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct http_reply http_reply_base(unsigned status, enum http_body body)
{
    return (struct http_reply){.status = status, .body = body, .fd = -1};
}

/* The reply for running out of memory: nothing left to allocate, so a fixed body. */
struct http_reply http_reply_no_memory(void)
{
    static const char text[] =
        "{\"error\":\"internal\",\"message\":\"The server ran out of memory.\"}";
    struct http_reply r = http_reply_base(500, HTTP_BODY_BUFFER);
    r.err = ERR_INTERNAL;
    r.type = "application/json";
    r.cache = "no-store";
    r.data = strdup(text);
    r.len = r.data ? strlen(text) : 0;
    r.body = r.data ? HTTP_BODY_BUFFER : HTTP_BODY_NONE;
    return r;
}

struct http_reply http_reply_json(unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return http_reply_no_memory();
    struct http_reply r = http_reply_text(status, "application/json", text, strlen(text));
    r.cache = "no-store";
    return r;
}

struct http_reply http_reply_error_with(int err, const char *message, json_t *extra)
{
    unsigned status = err_status(err);
    if (!message)
        message = err_message(err);
    if (status >= 500)
        LOG(L_ERROR, "http", "answering %u %s: %s", status, err_name(err), message);
    json_t *body = json_pack("{ss ss}", "error", err_name(err), "message", message);
    int retry = err_retry_after(err);
    if (extra) {
        json_t *j = json_object_get(extra, "retry_after");
        if (json_is_integer(j))
            retry = (int)json_integer_value(j);
        json_object_update(body, extra);
        json_decref(extra);
    }
    struct http_reply r = http_reply_json(status, body);
    r.err = err;
    if (retry > 0)
        http_reply_header(&r, "Retry-After", "%d", retry);
    /* RFC 9110: a 401 names how to authenticate. */
    if (status == 401)
        http_reply_header(&r, "WWW-Authenticate", "Bearer realm=\"reel\"");
    return r;
}

struct http_reply http_reply_error(int err, const char *fmt, ...)
{
    char msg[512];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
    }
    return http_reply_error_with(err, fmt ? msg : NULL, NULL);
}

struct http_reply http_reply_text(unsigned status, const char *type, char *text, size_t len)
{
    if (!text)
        return http_reply_no_memory();
    struct http_reply r = http_reply_base(status, HTTP_BODY_BUFFER);
    r.type = type;
    r.data = text;
    r.len = len;
    return r;
}

struct http_reply http_reply_empty(unsigned status)
{
    return http_reply_base(status, HTTP_BODY_NONE);
}

struct http_reply http_reply_stream(const char *type, http_stream_read read,
                                    http_stream_free release, void *ctx)
{
    struct http_reply r = http_reply_base(200, HTTP_BODY_STREAM);
    r.type = type;
    r.cache = "no-store";
    r.read = read;
    r.release = release;
    r.ctx = ctx;
    r.length = UINT64_MAX;
    /* Small: libmicrohttpd allocates a block with each response, and event streams are many. */
    r.block = 16384;
    return r;
}

struct http_reply http_reply_parked(void)
{
    return http_reply_base(0, HTTP_BODY_PARKED);
}

void http_reply_header(struct http_reply *r, const char *name, const char *fmt, ...)
{
    char *value = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&value, fmt, ap);
    va_end(ap);
    if (n < 0 || r->nheaders == HTTP_MAX_HEADERS) {
        if (n >= 0)
            free(value);
        LOG(L_ERROR, "http", "cannot add the header '%s' to a reply", name);
        http_reply_release(r);
        *r = http_reply_no_memory();
        return;
    }
    r->headers[r->nheaders++] = (struct http_reply_header){name, value};
}

void http_reply_release(struct http_reply *r)
{
    free(r->data);
    if (r->fd >= 0)
        close(r->fd);
    if (r->release)
        r->release(r->ctx);
    for (size_t i = 0; i < r->nheaders; i++)
        free(r->headers[i].value);
    *r = http_reply_base(500, HTTP_BODY_NONE);
}
