#include "api/handlers.h"
#include "core/error.h"
#include "http/file.h"
#include "playback/decide.h"
#include "progress/progress.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

atomic_uint_fast64_t api_direct_bytes;

/* What a client says about how it will play. */
struct request_options {
    struct play_options o;
    struct device_profile p;
    bool fmp4; /* HLS segments: fMP4, or MPEG-TS when the client asks for "ts" */
};

/* Options from the query string, then from a POSTed body, which wins. */
static int read_options(struct http_request *req, json_t *body, struct request_options *ro)
{
    struct play_options *o = &ro->o;
    struct device_profile *p = &ro->p;
    memset(o, 0, sizeof(*o));
    profile_default(p);
    const char *segments = http_query(req, "segments");
    const char *q = http_query(req, "max_bitrate");
    uint64_t v;
    if (q && str_to_u64(str_from(q), INT64_MAX, &v) < 0)
        return http_respond_error(req, ERR_BAD_REQUEST, "max_bitrate: expected bits per second");
    o->max_bitrate = q ? (int64_t)v : 0;
    q = http_query(req, "audio_language");
    if (q)
        snprintf(o->audio_language, sizeof(o->audio_language), "%s", q);
    q = http_query(req, "start");
    char *end;
    double start = q ? strtod(q, &end) : 0;
    if (q && (*end || !isfinite(start) || start < 0))
        return http_respond_error(req, ERR_BAD_REQUEST, "start: expected seconds, 0 or more");
    if (!body)
        goto done;

    json_t *j = json_object_get(body, "max_bitrate");
    if (j && (!json_is_integer(j) || json_integer_value(j) < 0))
        return http_respond_error(req, ERR_BAD_REQUEST, "max_bitrate: expected bits per second");
    if (j)
        o->max_bitrate = json_integer_value(j);
    j = json_object_get(body, "audio_language");
    if (j && !json_is_string(j))
        return http_respond_error(req, ERR_BAD_REQUEST, "audio_language: expected a string");
    if (j)
        snprintf(o->audio_language, sizeof(o->audio_language), "%s", json_string_value(j));
    j = json_object_get(body, "start");
    if (j && (!json_is_number(j) || json_number_value(j) < 0))
        return http_respond_error(req, ERR_BAD_REQUEST, "start: expected seconds, 0 or more");
    if (j)
        start = json_number_value(j);
    j = json_object_get(body, "profile");
    if (j) {
        char err[256];
        if (profile_parse(j, p, err, sizeof(err)) < 0)
            return http_respond_error(req, ERR_BAD_REQUEST, err);
    }
    j = json_object_get(body, "segments");
    if (j && !json_is_string(j))
        return http_respond_error(req, ERR_BAD_REQUEST, "segments: \"fmp4\" or \"ts\"");
    if (j)
        segments = json_string_value(j);
done:
    if (segments && strcmp(segments, "ts") != 0 && strcmp(segments, "fmp4") != 0)
        return http_respond_error(req, ERR_BAD_REQUEST, "segments: \"fmp4\" or \"ts\"");
    ro->fmp4 = !segments || strcmp(segments, "ts") != 0;
    o->start_ms = (int64_t)(start * 1000);
    return 0;
}

/* Loads the file named by the route, answering 404 for unknown and missing files. */
static int load_file(struct http_request *req, struct media_file *f)
{
    struct app *app = req->app;
    int64_t id;
    int rc = http_param_id(req, 0, &id);
    if (rc == 0)
        rc = store_file_get(app->store, id, f);
    if (rc == ERR_NOT_FOUND)
        return http_respond_error(req, rc, "There is no such file.");
    if (rc == 0 && f->missing) {
        media_file_release(f);
        return ERR_FILE_MISSING;
    }
    return rc;
}

static json_t *stream_json(const struct stream_plan *s, bool video)
{
    json_t *o = json_pack("{sI ss ss sI}", "index", (json_int_t)s->index, "action",
                          s->copy ? "copy" : "encode", "codec", s->codec, "bitrate",
                          (json_int_t)s->bitrate);
    if (video)
        json_object_update_new(o, json_pack("{si si si}", "width", s->width, "height", s->height,
                                            "bit_depth", s->bit_depth));
    else
        json_object_set_new(o, "channels", json_integer(s->channels));
    return o;
}

static int unplayable(struct http_request *req, const struct media_file *f)
{
    return http_respond_errorf(req, ERR_UNPLAYABLE, "This file cannot be played: %s.",
                               f->error ? f->error : "it has no audio or video");
}

/* The HLS session for this user, file and plan, and its master playlist's URL. */
static int open_session(struct http_request *req, const struct media_file *f,
                        const struct plan *plan, const struct request_options *ro, bool prewarm,
                        char id[HLS_ID_LEN + 1], char *url, size_t size)
{
    struct app *app = req->app;
    struct hls_open open = {.user_id = req->user_id,
                            .file = f,
                            .plan = plan,
                            .fmp4 = ro->fmp4,
                            .start_ms = ro->o.start_ms,
                            .prewarm = prewarm};
    int rc = hls_open(app->hls, &open, id);
    if (rc == 0)
        snprintf(url, size, "/api/v1/hls/%s/master.m3u8", id);
    return rc;
}

/* Reads the options and the file and decides: the common start of the handlers below.
 * Returns 0 with f loaded (release it), or an error or a queued answer. */
static int prepare(struct http_request *req, struct request_options *ro, struct media_file *f,
                   struct plan *plan)
{
    json_t *body = NULL;
    if (strcmp(req->method, "POST") == 0 && req->body.len) {
        int rc = http_body_json(req, &body);
        if (rc < 0)
            return rc;
    }
    int rc = read_options(req, body, ro);
    json_decref(body);
    if (rc < 0 || req->queued)
        return rc < 0 ? rc : 1;
    rc = load_file(req, f);
    if (rc < 0 || req->queued)
        return rc < 0 ? rc : 1;
    rc = decide(f, &ro->p, &ro->o, plan);
    if (rc == ERR_UNPLAYABLE)
        rc = unplayable(req, f);
    if (rc < 0 || req->queued) {
        media_file_release(f);
        return rc < 0 ? rc : 1;
    }
    return 0;
}

int api_playback(struct http_request *req)
{
    struct request_options ro;
    struct media_file f;
    struct plan plan;
    int rc = prepare(req, &ro, &f, &plan);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    char url[96], id[HLS_ID_LEN + 1];
    if (plan.method == PLAY_DIRECT) {
        snprintf(url, sizeof(url), "/api/v1/stream/%lld?static=1", (long long)f.id);
    } else {
        /* Opening costs nothing until a segment is asked for; unplayed, it ends soon. */
        rc = open_session(req, &f, &plan, &ro, true, id, url, sizeof(url));
        if (rc < 0) {
            media_file_release(&f);
            return rc;
        }
    }
    json_t *reasons = json_array();
    for (int r = 0; r < REASON_COUNT; r++)
        if (plan.reasons & (1u << r))
            json_array_append_new(reasons, json_string(reason_name((enum playback_reason)r)));
    json_t *streams = json_object();
    if (plan.video.present)
        json_object_set_new(streams, "video", stream_json(&plan.video, true));
    if (plan.audio.present)
        json_object_set_new(streams, "audio", stream_json(&plan.audio, false));
    struct app *app = req->app;
    struct progress_view progress;
    double resume = progress_get(app->store, req->user_id, f.id, &progress) == 0
                        ? progress_resume_s(&progress)
                        : 0;
    json_t *out = json_pack("{sI ss so ss sf ss so sf sf}", "file_id", (json_int_t)f.id, "method",
                            play_method_name(plan.method), "reasons", reasons, "url", url,
                            "duration", f.duration_ms / 1000.0, "container", f.container, "streams",
                            streams, "start", ro.o.start_ms / 1000.0, "resume_position", resume);
    media_file_release(&f);
    return http_respond_json(req, MHD_HTTP_OK, out);
}

/* Opens path and serves it; a file gone since the scan is file_missing, and one changed
 * since is served as it is now, its headers coming from fstat. */
static int serve(struct http_request *req, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
        errno = ENOENT;
    }
    if (fd < 0)
        return errno == ENOENT ? ERR_FILE_MISSING : -errno;
    uint64_t bytes = 0;
    int rc = http_serve_file(req, fd, &st, http_mime_type(path), "private, no-cache", &bytes);
    if (rc == 0)
        atomic_fetch_add(&api_direct_bytes, bytes);
    return rc;
}

int api_stream(struct http_request *req)
{
    struct app *app = req->app;
    /* ?static=1 says the client has already decided to play the file as it is. */
    const char *stat_q = http_query(req, "static");
    if (stat_q && strcmp(stat_q, "1") == 0) {
        int64_t id;
        char *path = NULL;
        int rc = http_param_id(req, 0, &id);
        if (rc == 0)
            rc = store_file_path(app->store, id, &path);
        if (rc == ERR_NOT_FOUND)
            return http_respond_error(req, rc, "There is no such file.");
        if (rc == 0)
            rc = serve(req, path);
        free(path);
        return rc;
    }

    struct request_options ro;
    struct media_file f;
    struct plan plan;
    int rc = prepare(req, &ro, &f, &plan);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (plan.method == PLAY_DIRECT) {
        rc = serve(req, f.path);
        media_file_release(&f);
        return rc;
    }
    char url[96], id[HLS_ID_LEN + 1];
    rc = open_session(req, &f, &plan, &ro, false, id, url, sizeof(url));
    media_file_release(&f);
    if (rc < 0)
        return rc;
    struct MHD_Response *r = http_json_response(
        json_pack("{ss ss}", "method", play_method_name(plan.method), "url", url));
    if (r)
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, url);
    return http_respond(req, MHD_HTTP_FOUND, r);
}

int api_hls_preload(struct http_request *req)
{
    struct app *app = req->app;
    struct request_options ro;
    struct media_file f;
    struct plan plan;
    int rc = prepare(req, &ro, &f, &plan);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (plan.method == PLAY_DIRECT) {
        media_file_release(&f);
        return http_respond_json(req, MHD_HTTP_ACCEPTED,
                                 json_pack("{sb ss ss}", "started", 0, "method", "direct_play",
                                           "message", "Direct play needs no pre-warming."));
    }
    char url[96], id[HLS_ID_LEN + 1];
    rc = open_session(req, &f, &plan, &ro, true, id, url, sizeof(url));
    media_file_release(&f);
    if (rc < 0)
        return rc;
    rc = hls_prewarm(app->hls, id);
    json_t *out = json_pack("{sb ss ss ss}", "started", rc == 0, "method",
                            play_method_name(plan.method), "session_id", id, "url", url);
    if (rc < 0)
        json_object_set_new(out, "reason", json_string(err_name(rc)));
    return http_respond_json(req, MHD_HTTP_ACCEPTED, out);
}
