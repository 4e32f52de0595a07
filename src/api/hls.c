#include "api/handlers.h"
#include "core/error.h"
#include "core/log.h"
#include "core/str.h"
#include "hls/segname.h"
#include "http/file.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char playlist_type[] = "application/vnd.apple.mpegurl";
static const char segment_cache[] = "private, max-age=31536000, immutable";

static struct http_reply session_gone(void)
{
    return http_reply_error(ERR_NOT_FOUND, "There is no such HLS session.");
}

/* The session id from the route, NUL-terminated. Through a signed link, only a session of
 * the link's file is there. */
static int session_id(struct http_request *req, char id[HLS_ID_LEN + 1])
{
    if (req->params[0].len != HLS_ID_LEN)
        return ERR_NOT_FOUND;
    memcpy(id, req->params[0].ptr, HLS_ID_LEN);
    id[HLS_ID_LEN] = '\0';
    int64_t file;
    struct app *app = req->app;
    if (req->link_file &&
        (hls_session_file(app->hls, req->user_id, id, &file) < 0 || file != req->link_file))
        return ERR_NOT_FOUND;
    return 0;
}

static struct http_reply playlist(int rc, char *text, size_t len)
{
    if (rc == ERR_NOT_FOUND)
        return session_gone();
    if (rc < 0)
        return http_reply_error(rc, NULL);
    struct http_reply r = http_reply_text(200, playlist_type, text, len);
    r.cache = "no-cache";
    return r;
}

struct http_reply api_hls_master(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    if (session_id(req, id) < 0)
        return session_gone();
    uint64_t height = 0, bitrate = 0;
    const char *q = http_query(req, "max_height");
    if (q && str_to_u64(str_from(q), 100000, &height) < 0)
        return http_reply_error(ERR_BAD_REQUEST, "max_height: expected lines");
    q = http_query(req, "max_bitrate");
    if (q && str_to_u64(str_from(q), INT64_MAX, &bitrate) < 0)
        return http_reply_error(ERR_BAD_REQUEST, "max_bitrate: expected bits per second");
    char *text = NULL;
    size_t len = 0;
    char prefix[256];
    snprintf(prefix, sizeof(prefix), "%s/hls/%s", api_base(req), id);
    struct hls_master_query mq = {.max_height = (int)height,
                                  .max_bitrate = (int64_t)bitrate,
                                  .only = http_query(req, "rendition"),
                                  .prefix = prefix};
    int rc = hls_master(app->hls, req->user_id, id, &mq, &text, &len);
    if (rc == 0)
        rc = api_hls_add_subs(req, id, prefix, &text, &len);
    return playlist(rc, text, len);
}

struct http_reply api_hls_media(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1], name[32];
    int subs;
    if (session_id(req, id) < 0 || req->params[1].len >= sizeof(name))
        return session_gone();
    if (api_hls_subs_name(req->params[1], &subs))
        return api_hls_subs_media(req, id, subs);
    snprintf(name, sizeof(name), "%.*s", (int)req->params[1].len, req->params[1].ptr);
    char *text = NULL;
    size_t len = 0;
    int rc = hls_media(app->hls, req->user_id, id, name, &text, &len);
    return playlist(rc, text, len);
}

static void park(void *ctx)
{
    http_suspend(ctx);
}

static void wake(void *ctx, enum hls_wake why)
{
    http_resume(ctx, (int)why + 1);
}

/* A segment sent part by part as its encoder makes them, in a body of unknown length: each
 * part's file is sent whole, and between parts the connection is paused until the next is
 * made. A run that stops before the last part ends the body as failed, so the player asks
 * again rather than take a short segment for a whole one. */
struct parts {
    struct http_request *req;
    struct hls *hls;
    int64_t user;
    char id[HLS_ID_LEN + 1], name[32];
    long n;
    unsigned run;
    uint32_t k; /* the part being sent, or the next */
    int fd;
    int woken; /* why the last wait ended, HLS_WAKE_* + 1; 0 when it has not */
    int64_t bytes;
};

static void park_parts(void *ctx)
{
    struct parts *p = ctx;
    http_pause(p->req);
}

static void wake_parts(void *ctx, enum hls_wake why)
{
    struct parts *p = ctx;
    p->woken = (int)why + 1;
    http_unpause(p->req);
}

static ssize_t read_parts(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct parts *p = cls;
    for (;;) {
        if (p->fd >= 0) {
            ssize_t got = read(p->fd, out, max);
            if (got > 0) {
                p->bytes += got;
                return got;
            }
            close(p->fd);
            p->fd = -1;
            if (got < 0)
                return HTTP_STREAM_FAILED;
            p->k++;
            continue;
        }
        if (p->woken == HLS_WAKE_TIMEOUT + 1 || p->woken == HLS_WAKE_ENDED + 1)
            return HTTP_STREAM_FAILED;
        p->woken = 0;
        struct hls_waiter w = {.ctx = p, .suspend = park_parts, .resume = wake_parts};
        char *path;
        int rc = hls_part(p->hls, p->user, p->id, p->name, p->n, p->run, p->k, &w, &path);
        if (rc == HLS_WAIT)
            return 0;
        if (rc == HLS_DONE)
            return -1;
        if (rc < 0) {
            LOG(L_INFO, "hls", "session %.8s: %s segment %ld stopped after %u parts: %s", p->id,
                p->name, p->n, p->k, err_message(rc));
            return HTTP_STREAM_FAILED;
        }
        p->fd = open(path, O_RDONLY | O_CLOEXEC);
        free(path);
        if (p->fd < 0)
            return HTTP_STREAM_FAILED;
    }
}

static void end_parts(void *cls)
{
    struct parts *p = cls;
    /* Ended while waiting for a part (its client hung up): nothing may wake it after. */
    hls_forget_waiter(p->hls, p->user, p->id, p->name, p);
    if (p->fd >= 0)
        close(p->fd);
    hls_count_served(p->hls, p->bytes);
    free(p);
}

static struct http_reply send_parts(struct http_request *req, const char *id, const char *name,
                                    long n, unsigned run, const char *type)
{
    struct parts *p = calloc(1, sizeof(*p));
    if (!p)
        return http_reply_error(-ENOMEM, NULL);
    struct app *app = req->app;
    *p = (struct parts){
        .req = req, .hls = app->hls, .user = req->user_id, .n = n, .run = run, .fd = -1};
    snprintf(p->id, sizeof(p->id), "%s", id);
    snprintf(p->name, sizeof(p->name), "%s", name);
    struct http_reply r = http_reply_stream(type, read_parts, end_parts, p);
    r.cache = segment_cache;
    r.block = 65536;
    return r;
}

static const char *segment_type(struct str name)
{
    return name.len > 3 && memcmp(name.ptr + name.len - 3, ".ts", 3) == 0 ? "video/mp2t"
                                                                          : "video/mp4";
}

struct http_reply api_hls_segment(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1], name[32];
    long n;
    int subs;
    if (session_id(req, id) == 0 && api_hls_subs_name(req->params[1], &subs))
        return api_hls_subs_segment(req, id, subs);
    if (session_id(req, id) < 0 || req->params[1].len >= sizeof(name) ||
        hls_segment_parse(req->params[2], &n) < 0)
        return session_gone();
    snprintf(name, sizeof(name), "%.*s", (int)req->params[1].len, req->params[1].ptr);

    /* Woken after waiting: for some outcomes the answer is already known. */
    if (req->resumed && req->wake == HLS_WAKE_TIMEOUT + 1)
        return http_reply_error(ERR_SEGMENT_TIMEOUT, NULL);
    if (req->resumed && req->wake == HLS_WAKE_ENDED + 1)
        return session_gone();

    struct hls_waiter w = {.ctx = req, .suspend = park, .resume = wake};
    struct hls_files files;
    int rc = hls_segment(app->hls, req->user_id, id, name, n, &w, &files);
    if (rc == HLS_WAIT)
        return http_reply_parked();
    if (rc == HLS_PARTS)
        return send_parts(req, id, name, n, files.run, segment_type(req->params[2]));
    if (rc == ERR_NOT_FOUND)
        return session_gone();
    if (rc == ERR_ENCODER_FAILED || rc == ERR_NO_SPACE)
        return http_reply_error_with(rc, NULL, json_pack("{ss}", "ffmpeg", files.error));
    if (rc < 0)
        return http_reply_error(rc, NULL);
    struct http_reply r =
        http_reply_files(files.paths, files.n, segment_type(req->params[2]), segment_cache);
    hls_files_release(&files);
    if (r.err == -ENOENT) {
        http_reply_release(&r);
        return http_reply_error(ERR_UNAVAILABLE, "The segment was evicted; ask again.");
    }
    if (!r.err)
        hls_count_served(app->hls, (int64_t)r.length);
    return r;
}

static json_t *rendition_json(const struct hls_rendition_state *r)
{
    json_t *o =
        json_pack("{ss sb si si sI sI sI sb si}", "name", r->r.name, "copy", r->r.copy, "width",
                  r->r.width, "height", r->r.height, "bitrate", (json_int_t)r->r.video_bitrate,
                  "segments", (json_int_t)r->segments, "chunks_on_disk",
                  (json_int_t)r->chunks_on_disk, "encoding", r->encoding, "failures", r->failures);
    if (r->encoding)
        json_object_update_new(o, json_pack("{sI sI si sb}", "encoder_position",
                                            (json_int_t)r->encoder_position, "encoder_start",
                                            (json_int_t)r->encoder_start, "pid", r->pid, "paused",
                                            r->paused));
    if (*r->error)
        json_object_set_new(o, "error", json_string(r->error));
    if (r->argv) {
        json_t *argv = json_array();
        for (size_t i = 0; i < r->nargs; i++)
            json_array_append_new(argv, json_string(r->argv[i]));
        json_object_set_new(o, "command", argv);
    }
    return o;
}

struct http_reply api_hls_state(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    struct hls_state st;
    if (session_id(req, id) < 0 || hls_state(app->hls, req->user_id, id, &st) < 0)
        return session_gone();
    json_t *rends = json_array();
    for (size_t i = 0; i < st.nrend; i++)
        json_array_append_new(rends, rendition_json(&st.rend[i]));
    hls_state_release(&st);
    return http_reply_json(200,
                           json_pack("{ss ss sf sb ss sI sI so}", "id", st.id, "state",
                                     st.playing ? "playing" : "prewarmed", "duration", st.duration,
                                     "fmp4", st.fmp4, "method", play_method_name(st.method),
                                     "idle_ms", (json_int_t)st.idle_ms, "start_ms",
                                     (json_int_t)st.start_ms, "renditions", rends));
}

struct http_reply api_hls_end(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    if (session_id(req, id) < 0 || hls_end(app->hls, req->user_id, id) < 0)
        return session_gone();
    return http_reply_empty(204);
}

struct http_reply api_hls_heartbeat(struct http_request *req)
{
    struct app *app = req->app;
    char id[HLS_ID_LEN + 1];
    if (session_id(req, id) < 0 || hls_touch(app->hls, req->user_id, id) < 0)
        return session_gone();
    return http_reply_empty(204);
}
