#include "api/handlers.h"
#include "api/input.h"
#include "core/error.h"
#include "core/log.h"
#include "hls/speeds.h"
#include "http/file.h"
#include "library/keyframes.h"
#include "library/lang.h"
#include "library/subtitles.h"
#include "playback/decide.h"
#include "progress/progress.h"
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

atomic_uint_fast64_t api_direct_bytes;

/* What a client asked for, and the ladder as measured for it. */
struct request_options {
    struct play_request in;
    /* The ladder as measured: each offered rung's speed estimate (0: unknown), and the
     * rungs this machine cannot encode fast enough. */
    double speed[PLAN_MAX_RUNGS];
    struct plan_rung dropped[PLAN_MAX_RUNGS];
    double dropped_speed[PLAN_MAX_RUNGS];
    int ndropped;
};

/* A rung is offered when this machine encodes it at least this much faster than real time. */
#define LADDER_MIN_SPEED 1.2

/* How fast this machine makes rung r of f; 0 when not known. */
static double rung_speed(struct app *app, const struct media_file *f, const struct plan *p,
                         const struct plan_rung *r)
{
    const struct media_stream *v = media_file_stream(f, p->video.index);
    if (!v || v->type != STREAM_VIDEO || r->copy)
        return 0;
    return speeds_estimate(app->speeds, v->codec, v->height, r->height, app->cfg->hls_preset);
}

/* Keeps the rungs this machine encodes fast enough (always the lowest), best first. */
static void measure_ladder(struct app *app, const struct media_file *f, struct plan *p,
                           struct request_options *ro)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->nrungs; i++) {
        double s = app->speeds ? rung_speed(app, f, p, &p->rungs[i]) : 0;
        bool last = i + 1 == p->nrungs;
        if (s > 0 && s < LADDER_MIN_SPEED && !(last && kept == 0)) {
            ro->dropped[ro->ndropped] = p->rungs[i];
            ro->dropped_speed[ro->ndropped++] = s;
            continue;
        }
        ro->speed[kept] = s;
        p->rungs[kept++] = p->rungs[i];
    }
    p->nrungs = kept;
    /* The video plan follows its best rung. */
    if (kept && ro->ndropped && !p->rungs[0].copy) {
        p->video.width = p->rungs[0].width;
        p->video.height = p->rungs[0].height;
        p->video.bitrate = p->rungs[0].video_bitrate;
    }
}

static const char *query_of(void *ctx, const char *name)
{
    return http_query(ctx, name);
}

/* Loads the file named by the route: ERR_NOT_FOUND for an unknown one, ERR_FILE_MISSING for
 * one gone from disk. */
static int load_file(struct http_request *req, struct media_file *f, char *why, size_t size)
{
    struct app *app = req->app;
    int64_t id;
    int rc = http_param_id(req, 0, &id);
    if (rc == 0)
        rc = store_file_get(app->store, id, f);
    if (rc == ERR_NOT_FOUND)
        snprintf(why, size, "There is no such file.");
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

/* The HLS session for this user, file and plan, and its master playlist's URL. */
/* A copied video's keyframes, read on a worker: a file without an index (MPEG-TS) is read
 * whole, which on an HTTP thread held up every request behind it. */
struct index_job {
    char *path;
    int stream;
    double *keyframes;
    size_t n;
    double delay;
    int rc;
};

static void read_index(void *arg)
{
    struct index_job *j = arg;
    j->rc = keyframes_read(j->path, j->stream, &j->keyframes, &j->n, &j->delay);
}

static void free_index(void *arg)
{
    struct index_job *j = arg;
    free(j->path);
    free(j->keyframes);
    free(j);
}

/* open_session() handed the request to a worker: return *parked. */
enum { OPEN_PARKED = 1 };

static int open_session(struct http_request *req, const struct media_file *f,
                        const struct plan *plan, const struct request_options *ro, bool prewarm,
                        char id[HLS_ID_LEN + 1], char *url, size_t size, struct http_reply *parked)
{
    struct app *app = req->app;
    struct hls_open open = {.user_id = req->user_id,
                            .device = ro->in.device,
                            .file = f,
                            .plan = plan,
                            .fmp4 = !plan->ts,
                            .start_ms = ro->in.o.start_ms,
                            .prewarm = prewarm};
    struct index_job *j = req->state;
    if (!j && hls_needs_keyframes(app->hls, &open)) {
        j = calloc(1, sizeof(*j));
        if (!j || !(j->path = strdup(f->path))) {
            free(j);
            return -ENOMEM;
        }
        j->stream = plan->video.index;
        j->rc = ERR_UNAVAILABLE; /* until read */
        *parked = api_offload(req, read_index, j, free_index);
        return OPEN_PARKED;
    }
    if (j && j->rc < 0)
        return j->rc;
    if (j) {
        open.keyframes = j->keyframes;
        open.nkeyframes = j->n;
        open.keyframe_delay = j->delay;
        j->keyframes = NULL;
    }
    int rc = hls_open(app->hls, &open, id);
    if (rc == 0)
        snprintf(url, size, "%s/hls/%s/master.m3u8", api_base(req), id);
    return rc;
}

/* Reads the options and the file and decides: the common start of the handlers below.
 * Returns 0 with f loaded (release it), or an error with what to tell the client in why
 * ("" for the error table's words). */
/* A subtitle stream of f in language that can be shown, or -1: forced ones only, or else
 * not forced ones first; text before pictures, which cost a burn-in. */
static int subtitles_in(const struct media_file *f, const char *language, bool forced_only)
{
    int found = -1, found_rank = 4;
    for (size_t i = 0; i < f->nstreams; i++) {
        const struct media_stream *m = &f->streams[i];
        bool text = subtitle_is_text(m->codec);
        if (m->type != STREAM_SUBTITLE || (!text && !subtitle_is_image(m->codec)) ||
            !lang_same(m->language, language) || (forced_only && !m->forced))
            continue;
        int rank = (!forced_only && m->forced ? 2 : 0) + (text ? 0 : 1);
        if (rank < found_rank) {
            found = m->index;
            found_rank = rank;
        }
    }
    return found;
}

/* The subtitles shown when the request names none: the show's choice (its language, or
 * off), else the user's mode: always in their language; forced ones in the language of
 * the audio or theirs; or none. */
static int default_subtitles(const struct media_file *f, const struct plan *plan,
                             const struct show_choice *show, const struct preferences *p)
{
    if (show)
        return show->subtitle_language[0] ? subtitles_in(f, show->subtitle_language, false) : -1;
    if (p->mode == SUBS_ALWAYS)
        return subtitles_in(f, p->subtitle_language, false);
    if (p->mode == SUBS_OFF)
        return -1;
    const struct media_stream *a =
        plan->audio.present ? media_file_stream(f, plan->audio.index) : NULL;
    int forced = a ? subtitles_in(f, a->language, true) : -1;
    return forced >= 0 ? forced : subtitles_in(f, p->subtitle_language, true);
}

static int prepare(struct http_request *req, struct request_options *ro, struct media_file *f,
                   struct plan *plan, char *why, size_t size)
{
    json_t *body = NULL;
    *why = '\0';
    memset(ro, 0, sizeof(*ro));
    int rc = 0;
    if (strcmp(req->method, "POST") == 0 && req->body.len)
        rc = http_body_json(req, &body, why, size);
    if (rc == 0)
        rc = input_play_request(query_of, req, body, &ro->in, why, size);
    json_decref(body);
    if (rc == 0)
        rc = load_file(req, f, why, size);
    if (rc < 0)
        return rc;
    for (int i = 0; i < ro->in.nclient_errors; i++)
        LOG(L_INFO, "playback", "file %lld: the client could not decode '%s'; planning without it",
            (long long)f->id, ro->in.client_errors[i]);
    const struct play_options *o = &ro->in.o;
    const struct media_stream *a = o->audio_chosen ? media_file_stream(f, o->audio_stream) : NULL;
    const struct media_stream *s = o->subtitle_chosen && o->subtitle_stream >= 0
                                       ? media_file_stream(f, o->subtitle_stream)
                                       : NULL;
    if (o->audio_chosen && (!a || a->type != STREAM_AUDIO)) {
        snprintf(why, size, "audio_stream: this file has no audio stream %d", o->audio_stream);
        media_file_release(f);
        return ERR_BAD_REQUEST;
    }
    if (o->subtitle_chosen && o->subtitle_stream >= 0 && (!s || s->type != STREAM_SUBTITLE)) {
        snprintf(why, size, "subtitle_stream: this file has no subtitle stream %d",
                 o->subtitle_stream);
        media_file_release(f);
        return ERR_BAD_REQUEST;
    }
    struct app *app = req->app;
    struct preferences prefs;
    struct show_choice show;
    bool chosen = store_show_choice_get(app->store, req->user_id, f->id, &show) == 0;
    if (store_preferences_get(app->store, req->user_id, &prefs) < 0)
        prefs = (struct preferences){.mode = SUBS_FORCED};
    /* Unless the request names a track: the show's choice, else the user's language. */
    struct play_options *po = &ro->in.o;
    if (!po->audio_chosen && !po->audio_language[0])
        snprintf(po->audio_language, sizeof(po->audio_language), "%s",
                 chosen && show.audio_language[0] ? show.audio_language : prefs.audio_language);
    rc = decide(f, &ro->in.p, &ro->in.o, plan);
    if (rc == 0 && !po->subtitle_chosen) {
        po->subtitle_chosen = true;
        po->subtitle_stream = default_subtitles(f, plan, chosen ? &show : NULL, &prefs);
        const struct media_stream *d = media_file_stream(f, po->subtitle_stream);
        if (d && subtitle_is_image(d->codec))
            rc = decide(f, &ro->in.p, &ro->in.o, plan);
    }
    if (rc == 0 && plan->method == PLAY_TRANSCODE)
        measure_ladder(req->app, f, plan, ro);
    if (rc == ERR_UNPLAYABLE)
        snprintf(why, size, "This file cannot be played: %s.",
                 f->error ? f->error : "it has no audio or video");
    if (rc < 0)
        media_file_release(f);
    return rc;
}

static struct http_reply failed(int rc, const char *why)
{
    return *why ? http_reply_error(rc, "%s", why) : http_reply_error(rc, NULL);
}

/* Every audio track, and which one plays. */
static json_t *audio_json(const struct media_file *f, const struct plan *plan)
{
    json_t *list = json_array();
    for (size_t i = 0; i < f->nstreams; i++) {
        const struct media_stream *m = &f->streams[i];
        if (m->type != STREAM_AUDIO)
            continue;
        json_array_append_new(
            list, json_pack("{si so so ss si sb sb}", "index", m->index, "language",
                            *m->language ? json_string(m->language) : json_null(), "title",
                            m->title ? json_string(m->title) : json_null(), "codec", m->codec,
                            "channels", m->channels, "default", m->is_default, "selected",
                            plan->audio.present && plan->audio.index == m->index));
    }
    return list;
}

/* How a player shows subtitles of this codec: text as a WebVTT file at url (a <track>,
 * which follows the video's clock in every play method); pictures burnt into the video,
 * or drawn by a player that plays the file itself; NULL for none. */
static const char *subtitle_method(const struct media_stream *m, const struct plan *plan,
                                   const struct device_profile *p)
{
    if (subtitle_is_text(m->codec))
        return "vtt";
    if (!subtitle_is_image(m->codec))
        return NULL;
    return plan->method == PLAY_DIRECT && p->image_subtitles && !m->external ? "embedded"
                                                                             : "burn_in";
}

/* Every subtitle stream and how a player shows it. */
static json_t *subtitles_json(const struct media_file *f, const struct plan *plan,
                              const struct request_options *ro, const char *base)
{
    const struct play_options *opt = &ro->in.o;
    json_t *list = json_array();
    for (size_t i = 0; i < f->nstreams; i++) {
        const struct media_stream *m = &f->streams[i];
        if (m->type != STREAM_SUBTITLE)
            continue;
        const char *method = subtitle_method(m, plan, &ro->in.p);
        bool text = method && strcmp(method, "vtt") == 0;
        char url[320];
        snprintf(url, sizeof(url), "%s/library/files/%lld/subtitles/%d.vtt", base, (long long)f->id,
                 m->index);
        json_t *o =
            json_pack("{si so so ss sb sb sb sb so so}", "index", m->index, "language",
                      *m->language ? json_string(m->language) : json_null(), "title",
                      m->title ? json_string(m->title) : json_null(), "codec", m->codec, "forced",
                      m->forced, "sdh", m->sdh, "default", m->is_default, "external",
                      m->external != NULL, "method", method ? json_string(method) : json_null(),
                      "url", text ? json_string(url) : json_null());
        if (!method)
            json_object_set_new(o, "reason",
                                json_string("Reel cannot show subtitles of this kind"));
        json_object_set_new(o, "selected",
                            json_boolean(opt->subtitle_chosen && opt->subtitle_stream == m->index));
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *decision_json(const struct media_file *f, const struct plan *plan,
                             const struct request_options *ro, const char *url, double resume,
                             enum hwenc hwenc, const char *base)
{
    json_t *reasons = json_array();
    for (int r = 0; r < REASON_COUNT; r++)
        if (plan->reasons & (1u << r))
            json_array_append_new(reasons, json_string(reason_name((enum playback_reason)r)));
    for (int i = 0; i < ro->in.nclient_errors; i++) {
        char reason[48];
        snprintf(reason, sizeof(reason), "client_decode_error:%s", ro->in.client_errors[i]);
        json_array_append_new(reasons, json_string(reason));
    }
    json_t *rungs = json_array();
    for (size_t i = 0; i < plan->nrungs; i++) {
        const struct plan_rung *r = &plan->rungs[i];
        json_t *o =
            json_pack("{ss sb si si sI sI}", "name", r->name, "copy", r->copy, "width", r->width,
                      "height", r->height, "video_bitrate", (json_int_t)r->video_bitrate,
                      "audio_bitrate", (json_int_t)plan->audio.bitrate);
        /* The speed this machine encodes it at, as a multiple of real time. */
        json_object_set_new(o, "speed", ro->speed[i] > 0 ? json_real(ro->speed[i]) : json_null());
        json_array_append_new(rungs, o);
    }
    json_t *dropped = json_array();
    for (int i = 0; i < ro->ndropped; i++) {
        char why[96];
        snprintf(why, sizeof(why), "this machine encodes it at %.2fx real time; %.1fx is needed",
                 ro->dropped_speed[i], LADDER_MIN_SPEED);
        json_array_append_new(dropped, json_pack("{ss si sf ss}", "name", ro->dropped[i].name,
                                                 "height", ro->dropped[i].height, "speed",
                                                 ro->dropped_speed[i], "reason", why));
    }
    json_t *streams = json_object();
    if (plan->video.present) {
        json_t *v = stream_json(&plan->video, true);
        /* What makes the video: a hardware encoder when the machine has one. */
        if (!plan->video.copy)
            json_object_set_new(v, "encoder",
                                json_string(hwenc == HWENC_NONE ? "libx264" : hwenc_name(hwenc)));
        json_object_set_new(streams, "video", v);
    }
    if (plan->audio.present)
        json_object_set_new(streams, "audio", stream_json(&plan->audio, false));
    if (plan->subtitle.present)
        json_object_set_new(streams, "subtitle",
                            json_pack("{si ss ss}", "index", plan->subtitle.index, "action",
                                      "burn_in", "codec", plan->subtitle.codec));
    json_t *o = json_pack("{sI ss so ss sf ss so so so sf sf}", "file_id", (json_int_t)f->id,
                          "method", play_method_name(plan->method), "reasons", reasons, "url", url,
                          "duration", f->duration_ms / 1000.0, "container", f->container, "streams",
                          streams, "renditions", rungs, "dropped_renditions", dropped, "start",
                          ro->in.o.start_ms / 1000.0, "resume_position", resume);
    if (o && plan->method != PLAY_DIRECT)
        json_object_set_new(o, "segments", json_string(plan->ts ? "ts" : "fmp4"));
    json_object_set_new(o, "audio", audio_json(f, plan));
    json_object_set_new(o, "subtitles", subtitles_json(f, plan, ro, base));
    json_object_set_new(o, "chapters", api_chapters_json(f->chapters, f->nchapters));
    return o;
}

/* Whether an HLS play can be served by the file's prepared version: one is ready, and it
 * is what the client asked for (made for the default browser, with the default audio and
 * no cap). */
static bool use_prepared(struct http_request *req, const struct request_options *ro,
                         const struct plan *plan, const struct media_file *f)
{
    const struct media_stream *a = decide_default_audio(f);
    bool default_audio = !plan->audio.present || (a && plan->audio.index == a->index);
    return plan->method != PLAY_DIRECT && !ro->in.o.max_bitrate && default_audio &&
           !plan->subtitle.present && !ro->in.nclient_errors &&
           api_prepared_ready(req->app, f->id) == 0;
}

static void prepared_url(struct http_request *req, int64_t file, char *url, size_t size)
{
    snprintf(url, size, "%s/prepared/%lld/master.m3u8", api_base(req), (long long)file);
}

/* 302 to file's prepared version. */
static struct http_reply to_prepared(struct http_request *req, int64_t file)
{
    char url[256];
    prepared_url(req, file, url, sizeof(url));
    struct http_reply r = http_reply_json(
        302, json_pack("{ss ss sb}", "method", "prepared", "url", url, "prepared", 1));
    http_reply_header(&r, "Location", "%s", url);
    return r;
}

/* ?prepared=only: the prepared version or, while there is none ready, its status. */
static struct http_reply prepared_only(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    struct prepared_view v;
    if (http_param_id(req, 0, &file) < 0)
        return http_reply_error(ERR_NOT_FOUND, NULL);
    int rc = jobs_prepared_view(app->jobs, file, &v);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    switch (v.status) {
    case PREPARED_READY:
        return to_prepared(req, file);
    case PREPARED_QUEUED:
    case PREPARED_GENERATING: {
        json_t *o = api_prepared_json(&v);
        json_object_set_new(o, "retry_after", json_integer(2));
        struct http_reply r = http_reply_json(202, o);
        http_reply_header(&r, "Retry-After", "2");
        return r;
    }
    case PREPARED_FAILED:
        return http_reply_error_with(ERR_ENCODER_FAILED, "Preparing this file failed.",
                                     api_prepared_json(&v));
    case PREPARED_STALE:
        return http_reply_error_with(ERR_NOT_FOUND,
                                     "The prepared version is older than the file: prepare it "
                                     "again.",
                                     api_prepared_json(&v));
    case PREPARED_NONE:
        break;
    }
    return http_reply_error(ERR_NOT_FOUND, "This file has no prepared version.");
}

struct http_reply api_playback(struct http_request *req)
{
    struct app *app = req->app;
    struct request_options ro;
    struct media_file f;
    struct plan plan;
    char why[256];
    int rc = prepare(req, &ro, &f, &plan, why, sizeof(why));
    if (rc < 0)
        return failed(rc, why);
    char url[256], id[HLS_ID_LEN + 1];
    bool prepared = use_prepared(req, &ro, &plan, &f);
    if (plan.method == PLAY_DIRECT) {
        snprintf(url, sizeof(url), "/api/v1/stream/%lld?static=1", (long long)f.id);
    } else if (prepared) {
        prepared_url(req, f.id, url, sizeof(url));
    } else {
        /* Opening costs nothing until a segment is asked for; unplayed, it ends soon. */
        struct http_reply parked;
        rc = open_session(req, &f, &plan, &ro, true, id, url, sizeof(url), &parked);
        if (rc != 0) {
            media_file_release(&f);
            return rc == OPEN_PARKED ? parked : http_reply_error(rc, NULL);
        }
    }
    struct progress_view progress;
    double resume = progress_get(app->store, req->user_id, f.id, &progress) == 0
                        ? progress_resume_s(&progress)
                        : 0;
    json_t *out = decision_json(&f, &plan, &ro, url, resume, hls_hwenc(app->hls), api_base(req));
    json_object_set_new(out, "trickplay", api_trickplay_json(app, &f, api_base(req)));
    json_object_set_new(out, "media_segments", api_segments_json(app, &f));
    if (prepared)
        json_object_set_new(out, "prepared", json_true());
    else if (plan.method != PLAY_DIRECT)
        json_object_set_new(out, "session_id", json_string(id));
    media_file_release(&f);
    return http_reply_json(200, out);
}

/* Opens path to send it; a file gone since the scan is file_missing, and one changed
 * since is served as it is now, its headers coming from fstat. */
static struct http_reply serve(const char *path)
{
    int fd;
    struct stat st;
    int rc = http_file_open(path, &fd, &st);
    if (rc < 0)
        return http_reply_error(rc == -ENOENT ? ERR_FILE_MISSING : rc, NULL);
    struct http_reply r = http_reply_file(fd, &st, http_mime_type(path), "private, no-cache");
    r.sent = &api_direct_bytes;
    return r;
}

/* ?static=1 says the client has already decided to play the file as it is. */
static struct http_reply serve_static(struct http_request *req)
{
    struct app *app = req->app;
    int64_t id;
    char *path = NULL;
    int rc = http_param_id(req, 0, &id);
    if (rc == 0)
        rc = store_file_path(app->store, id, &path);
    if (rc == ERR_NOT_FOUND)
        return http_reply_error(rc, "There is no such file.");
    struct http_reply r = rc < 0 ? http_reply_error(rc, NULL) : serve(path);
    free(path);
    return r;
}

/* What decides a GET of the unified endpoint: the user, the file and the options. */
static void decision_key(struct http_request *req, char *key, size_t size)
{
    const char *names[] = {"max_bitrate",     "audio_language", "audio_stream",
                           "subtitle_stream", "segments",       "client"};
    int n = snprintf(key, size, "%lld/%.*s", (long long)req->user_id, (int)req->params[0].len,
                     req->params[0].ptr);
    for (size_t i = 0; i < ARRAY_LEN(names) && n > 0 && (size_t)n < size; i++) {
        const char *v = http_query(req, names[i]);
        n += snprintf(key + n, size - (size_t)n, "/%s", v ? v : "");
    }
}

struct http_reply api_stream(struct http_request *req)
{
    struct app *app = req->app;
    const char *stat_q = http_query(req, "static");
    if (stat_q && strcmp(stat_q, "1") == 0)
        return serve_static(req);
    const char *prep = http_query(req, "prepared");
    if (prep && strcmp(prep, "only") == 0)
        return prepared_only(req);

    /* A native player's range requests: the decision made for its first one stands. */
    char key[512];
    decision_key(req, key, sizeof(key));
    char *known = api_decision_lookup(app, key);
    if (known) {
        struct http_reply r = serve(known);
        free(known);
        return r;
    }
    struct request_options ro;
    struct media_file f;
    struct plan plan;
    char why[256];
    int rc = prepare(req, &ro, &f, &plan, why, sizeof(why));
    if (rc < 0)
        return failed(rc, why);
    if (plan.method == PLAY_DIRECT) {
        struct http_reply r = serve(f.path);
        if (!r.err)
            api_decision_remember(app, key, f.path);
        media_file_release(&f);
        return r;
    }
    char url[256], id[HLS_ID_LEN + 1];
    if (use_prepared(req, &ro, &plan, &f)) {
        int64_t file = f.id;
        media_file_release(&f);
        return to_prepared(req, file);
    }
    struct http_reply parked;
    rc = open_session(req, &f, &plan, &ro, false, id, url, sizeof(url), &parked);
    media_file_release(&f);
    if (rc == OPEN_PARKED)
        return parked;
    if (rc < 0)
        return http_reply_error(rc, NULL);
    struct http_reply r =
        http_reply_json(302, json_pack("{ss ss ss}", "method", play_method_name(plan.method), "url",
                                       url, "session_id", id));
    http_reply_header(&r, "Location", "%s", url);
    return r;
}

struct http_reply api_hls_preload(struct http_request *req)
{
    struct app *app = req->app;
    struct request_options ro;
    struct media_file f;
    struct plan plan;
    char why[256];
    int rc = prepare(req, &ro, &f, &plan, why, sizeof(why));
    if (rc < 0)
        return failed(rc, why);
    if (plan.method == PLAY_DIRECT) {
        media_file_release(&f);
        return http_reply_json(202, json_pack("{sb ss ss}", "started", 0, "method", "direct_play",
                                              "message", "Direct play needs no pre-warming."));
    }
    if (use_prepared(req, &ro, &plan, &f)) {
        media_file_release(&f);
        return http_reply_json(
            202, json_pack("{sb ss sb ss}", "started", 0, "method", play_method_name(plan.method),
                           "prepared", 1, "message", "A prepared version needs no pre-warming."));
    }
    char url[256], id[HLS_ID_LEN + 1];
    struct http_reply parked;
    rc = open_session(req, &f, &plan, &ro, true, id, url, sizeof(url), &parked);
    media_file_release(&f);
    if (rc == OPEN_PARKED)
        return parked;
    if (rc < 0)
        return http_reply_error(rc, NULL);
    rc = hls_prewarm(app->hls, id);
    json_t *out = json_pack("{sb ss ss ss}", "started", rc == 0, "method",
                            play_method_name(plan.method), "session_id", id, "url", url);
    if (rc < 0)
        json_object_set_new(out, "reason", json_string(err_name(rc)));
    return http_reply_json(202, out);
}
