#pragma once
#include "core/compat.h"
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * The value a handler returns: a status, a few headers, and a body. Nothing here talks to
 * libmicrohttpd; src/http/server.c turns a reply into a response (docs/internals/http.md).
 *
 * A reply owns what it holds (the buffer, the descriptors, the stream's context, the header
 * values): the server releases it once sent, and a handler that builds a reply and then
 * drops it calls http_reply_release(). When memory runs out while building, the reply turns
 * into a 500 on its own, so constructors never need checking.
 */
enum { HTTP_MAX_HEADERS = 6 };

enum http_body {
    HTTP_BODY_NONE,   /* no body: 204, or a redirect's */
    HTTP_BODY_BUFFER, /* bytes in memory */
    HTTP_BODY_FILE,   /* one open file, sent with sendfile; Range and conditionals apply */
    HTTP_BODY_STREAM, /* bytes made by a callback: several files in a row, or events */
    HTTP_BODY_PARKED, /* no answer yet: the request was suspended with http_suspend() */
};

/* Fills out with at most max bytes of the body from pos on and returns how many; a negative
 * value ends the body (an error when its length was known and is not reached), and
 * HTTP_STREAM_FAILED ends it as failed whatever the length: the connection is closed
 * without the last chunk, so that the client cannot take the body for complete. */
enum { HTTP_STREAM_FAILED = -2 };
typedef ssize_t (*http_stream_read)(void *ctx, uint64_t pos, char *out, size_t max);
typedef void (*http_stream_free)(void *ctx);

struct http_reply_header {
    const char *name; /* a literal */
    char *value;      /* owned */
};

struct http_reply {
    unsigned status;
    enum http_body body;
    int err;          /* for an error reply, the error (0 otherwise) */
    const char *type; /* Content-Type, a literal; NULL for none */
    const char *cache;
    char *data; /* BUFFER: owned */
    size_t len;
    int fd; /* FILE: owned */
    struct stat st;
    uint64_t offset;       /* FILE: where the body starts */
    uint64_t length;       /* FILE and STREAM: the body's length; STREAM: UINT64_MAX when unknown */
    http_stream_read read; /* STREAM */
    http_stream_free release;
    void *ctx;
    size_t block;               /* STREAM: the most read at once */
    atomic_uint_fast64_t *sent; /* when set, the body's length is added to it */
    size_t nheaders;
    struct http_reply_header headers[HTTP_MAX_HEADERS];
};

/* Takes over body (a reference), which may be NULL when building it ran out of memory. */
struct http_reply http_reply_json(unsigned status, json_t *body);
/* {"error": name, "message": …} from the error table, with its status and Retry-After. fmt
 * NULL uses the table's message. */
struct http_reply http_reply_error(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same with more members in the body (the reference is taken over); a "retry_after"
 * member also becomes the Retry-After header. message NULL uses the table's. */
struct http_reply http_reply_error_with(int err, const char *message, json_t *extra);
/* Takes over text, which was malloc'd. */
struct http_reply http_reply_text(unsigned status, const char *type, char *text, size_t len);
struct http_reply http_reply_empty(unsigned status);
/* Takes over fd; st describes it (size, inode and mtime make the ETag). */
struct http_reply http_reply_file(int fd, const struct stat *st, const char *type,
                                  const char *cache);
/* Opens the files now, so that a missing one is an error reply with err == -ENOENT. One
 * file is a FILE reply; more are a STREAM of known length. */
struct http_reply http_reply_files(char *const *paths, size_t n, const char *type,
                                   const char *cache);
/* A body of unknown length read from the callback until it ends; release frees ctx. */
struct http_reply http_reply_stream(const char *type, http_stream_read read,
                                    http_stream_free release, void *ctx);
struct http_reply http_reply_parked(void);

/* Adds a header; fails into a 500 when the reply has HTTP_MAX_HEADERS already. */
void http_reply_header(struct http_reply *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For src/http/ itself: a reply with nothing in it yet, and the fixed 500 for no memory. */
struct http_reply http_reply_base(unsigned status, enum http_body body);
struct http_reply http_reply_no_memory(void);

/* Frees what the reply holds and leaves it as an empty 500. */
void http_reply_release(struct http_reply *r);
