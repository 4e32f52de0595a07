#include "api/handlers.h"
#include "core/error.h"
#include "core/str.h"
#include "http/file.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char playlist_type[] = "application/vnd.apple.mpegurl";
static const char segment_cache[] = "private, max-age=31536000, immutable";

/* The session id from the route, NUL-terminated. */
static int session_id(struct http_request *req, char id[HLS_ID_LEN + 1])
{
    if (req->params[0].len != HLS_ID_LEN)
        return ERR_NOT_FOUND;
    memcpy(id, req->params[0].ptr, HLS_ID_LEN);
    id[HLS_ID_LEN] = '\0';
    return 0;
}

static int respond_text(struct http_request *req, char *text, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return -ENOMEM;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, playlist_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return http_respond(req, MHD_HTTP_OK, r);
}

static int session_gone(struct http_request *req)
{
    return http_respond_error(req, ERR_NOT_FOUND, "There is no such HLS session.");
}

int api_hls_master(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    int rc = session_id(req, id);
    if (rc < 0)
        return session_gone(req);
    uint64_t height = 0, bitrate = 0;
    const char *q = http_query(req, "max_height");
    if (q && str_to_u64(str_from(q), 100000, &height) < 0)
        return http_respond_error(req, ERR_BAD_REQUEST, "max_height: expected lines");
    q = http_query(req, "max_bitrate");
    if (q && str_to_u64(str_from(q), INT64_MAX, &bitrate) < 0)
        return http_respond_error(req, ERR_BAD_REQUEST, "max_bitrate: expected bits per second");
    char *text;
    size_t len;
    rc = hls_master(app->hls, req->user_id, id, (int)height, (int64_t)bitrate,
                    http_query(req, "rendition"), &text, &len);
    if (rc == ERR_NOT_FOUND)
        return session_gone(req);
    return rc < 0 ? rc : respond_text(req, text, len);
}

int api_hls_media(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1], name[32];
    if (session_id(req, id) < 0 || req->params[1].len >= sizeof(name))
        return session_gone(req);
    snprintf(name, sizeof(name), "%.*s", (int)req->params[1].len, req->params[1].ptr);
    char *text;
    size_t len;
    int rc = hls_media(app->hls, req->user_id, id, name, &text, &len);
    if (rc == ERR_NOT_FOUND)
        return session_gone(req);
    return rc < 0 ? rc : respond_text(req, text, len);
}

static void park(void *ctx)
{
    http_suspend(ctx);
}

static void wake(void *ctx, enum hls_wake why)
{
    http_resume(ctx, (int)why + 1);
}

/* "init.mp4" is -1; "12.m4s" or "12.ts" is 12. */
static int segment_number(struct str name, long *n)
{
    if (str_eq(name, "init.mp4")) {
        *n = -1;
        return 0;
    }
    size_t digits = 0;
    while (digits < name.len && name.ptr[digits] >= '0' && name.ptr[digits] <= '9')
        digits++;
    struct str ext = {name.ptr + digits, name.len - digits};
    uint64_t v;
    if (!str_eq(ext, ".m4s") && !str_eq(ext, ".ts"))
        return ERR_NOT_FOUND;
    if (str_to_u64((struct str){name.ptr, digits}, 10000000, &v) < 0)
        return ERR_NOT_FOUND;
    *n = (long)v;
    return 0;
}

int api_hls_segment(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1], name[32];
    long n;
    if (session_id(req, id) < 0 || req->params[1].len >= sizeof(name) ||
        segment_number(req->params[2], &n) < 0)
        return session_gone(req);
    snprintf(name, sizeof(name), "%.*s", (int)req->params[1].len, req->params[1].ptr);

    /* Woken after waiting: for some outcomes the answer is already known. */
    if (req->resumed && req->wake == HLS_WAKE_TIMEOUT + 1)
        return http_respond_error(req, ERR_SEGMENT_TIMEOUT, NULL);
    if (req->resumed && req->wake == HLS_WAKE_ENDED + 1)
        return session_gone(req);

    struct hls_waiter w = {.ctx = req, .suspend = park, .resume = wake};
    struct hls_files files;
    int rc = hls_segment(app->hls, req->user_id, id, name, n, &w, &files);
    if (rc == HLS_WAIT)
        return 0;
    if (rc == ERR_NOT_FOUND)
        return session_gone(req);
    if (rc == ERR_ENCODERS_BUSY) {
        struct MHD_Response *r = http_json_response(
            json_pack("{ss ss}", "error", err_name(rc), "message", err_message(rc)));
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "5");
        return http_respond(req, err_status(rc), r);
    }
    if (rc == ERR_ENCODER_FAILED)
        return http_respond_json(req, err_status(rc),
                                 json_pack("{ss ss ss}", "error", err_name(rc), "message",
                                           err_message(rc), "ffmpeg", files.error));
    if (rc < 0)
        return rc;
    const char *type = strstr(files.paths[0], ".ts") ? "video/mp2t" : "video/mp4";
    uint64_t bytes = 0;
    rc = http_serve_files(req, files.paths, files.n, type, segment_cache, &bytes);
    hls_files_release(&files);
    if (rc == -ENOENT)
        return http_respond_error(req, ERR_UNAVAILABLE, "The segment was evicted; ask again.");
    if (rc == 0)
        hls_count_served(app->hls, (int64_t)bytes);
    return rc;
}

int api_hls_state(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    json_t *state;
    if (session_id(req, id) < 0 || hls_state(app->hls, req->user_id, id, &state) < 0)
        return session_gone(req);
    return http_respond_json(req, MHD_HTTP_OK, state);
}

static int no_content(struct http_request *req)
{
    return http_respond(req, MHD_HTTP_NO_CONTENT,
                        MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT));
}

int api_hls_end(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    if (session_id(req, id) < 0 || hls_end(app->hls, req->user_id, id) < 0)
        return session_gone(req);
    return no_content(req);
}

int api_hls_heartbeat(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    if (session_id(req, id) < 0 || hls_touch(app->hls, req->user_id, id) < 0)
        return session_gone(req);
    return no_content(req);
}
