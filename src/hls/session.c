#include "hls/session.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "hls/argv.h"
#include "hls/encoder.h"
#include "hls/grid.h"
#include "hls/playlist.h"
#include "library/keyframes.h"
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <uthash.h>

const double hls_buckets[9] = {0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10};

/* A request for a segment up to this many segments past the encoder waits for it; one
 * further ahead restarts the encoder there. */
enum { AHEAD_SEGMENTS = 3, TICK_MS = 200, MAX_FAILURES = 2 };
/* A rendition nobody asked anything of for this long stops encoding. */
enum { RENDITION_IDLE_MS = 30000 };

struct waiter {
    struct waiter *next;
    struct hls_waiter w;
    uint32_t first, last; /* chunks it needs; first == UINT32_MAX for the init segment */
    int64_t since_ms, deadline_ms;
};

struct session;

/* An ffmpeg that has been stopped or has ended, kept until it is reaped and, when it was
 * the last one of an ended session, until that session's folder is removed. */
struct dying {
    struct dying *next;
    struct encoder *enc;
    struct session *owner; /* freed with the last encoder, or NULL */
};

struct rendition {
    struct session *s;
    struct hls_rendition r;
    struct hls_grid grid;
    char dir[PATH_MAX + 32];
    uint8_t *have; /* per chunk: complete on disk */
    int64_t *size; /* per chunk: its bytes, for the temp cap */
    struct encoder *enc;
    uint32_t run_first; /* the chunk the running encoder started at */
    uint32_t next;      /* the first chunk at or after run_first not yet done */
    unsigned runs;
    bool first_seen; /* the running encoder has finished a chunk */
    char init[PATH_MAX + 320];
    int failures;
    char error[1024];
    int wd;
    struct waiter *waiters;
    int64_t last_request_ms;
    UT_hash_handle hh_wd;
};

struct session {
    char id[HLS_ID_LEN + 1];
    char key[160];
    int64_t user_id;
    char *input;
    double duration;
    struct plan plan;
    struct media_stream video, audio;
    bool fmp4;
    double *keyframes;
    size_t nkeyframes;
    struct rendition rend[HLS_MAX_RENDITIONS];
    size_t nrend;
    char dir[PATH_MAX];
    int64_t created_ms, active_ms;
    int64_t start_ms;
    bool prewarm, used, ended;
    int dying; /* encoders of an ended session not yet reaped */
    UT_hash_handle hh_id, hh_key;
};

struct hls {
    struct hls_config cfg;
    pthread_mutex_t lock;
    struct session *by_id, *by_key;
    struct rendition *by_wd;
    struct dying *dying;
    int encoders;
    bool closing;
    int ep, ino, timer, wake;
    pthread_t thread;
    bool thread_started;
    struct hls_stats stats;
    /* Encoders done with during one batch of events; later events of the same batch may
     * still name them, so they are freed after it. */
    struct encoder **graves;
    size_t ngraves, graves_cap;
};

/* Tags for epoll: the encoder's two descriptors point at these. */
enum watch_kind { W_ERR, W_PID };
struct watch {
    enum watch_kind kind;
    struct encoder *enc;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void observe(int64_t *hist, int64_t *count, double *sum, double seconds)
{
    for (size_t i = 0; i < 9; i++)
        if (seconds <= hls_buckets[i])
            hist[i]++;
    hist[9]++;
    (*count)++;
    *sum += seconds;
}

/* ---- encoders ---- */

static int watch_encoder(struct hls *h, struct encoder *e)
{
    struct watch *we = malloc(sizeof(*we)), *wp = malloc(sizeof(*wp));
    if (!we || !wp) {
        free(we);
        free(wp);
        return -ENOMEM;
    }
    *we = (struct watch){W_ERR, e};
    *wp = (struct watch){W_PID, e};
    e->tags[0] = we;
    e->tags[1] = wp;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = we};
    epoll_ctl(h->ep, EPOLL_CTL_ADD, e->err_fd, &ev);
    ev.data.ptr = wp;
    epoll_ctl(h->ep, EPOLL_CTL_ADD, e->pid_fd, &ev);
    return 0;
}

static void forget_watches(struct hls *h, struct encoder *e);

/* Hands a rendition's encoder to the dying list, stopping it if it still runs. */
static void retire(struct hls *h, struct rendition *r, struct session *owner)
{
    struct encoder *e = r->enc;
    if (!e)
        return;
    r->enc = NULL;
    h->encoders--;
    struct dying *d = calloc(1, sizeof(*d));
    if (!d) {
        /* Without memory to track it, stop and reap it here and now. */
        encoder_kill(e);
        while (!encoder_reap(e))
            usleep(1000);
        forget_watches(h, e);
        encoder_free(e);
        return;
    }
    encoder_stop(e, clock_mono_ms());
    d->enc = e;
    d->owner = owner;
    if (owner)
        owner->dying++;
    d->next = h->dying;
    h->dying = d;
}

enum start_reason { START_FIRST, START_SEEK, START_RETRY };

static int start_encoder(struct hls *h, struct rendition *r, size_t segment,
                         enum start_reason reason)
{
    struct session *s = r->s;
    /* A restart replaces the rendition's own encoder, so that one does not count. */
    if (h->encoders - (r->enc ? 1 : 0) >= h->cfg.max_encoders)
        return ERR_ENCODERS_BUSY;
    retire(h, r, NULL);
    struct hls_job job = {
        .ffmpeg = h->cfg.ffmpeg,
        .preset = h->cfg.preset,
        .input = s->input,
        .dir = r->dir,
        .plan = &s->plan,
        .rendition = &r->r,
        .grid = &r->grid,
        .keyframes = s->keyframes,
        .start_segment = segment,
        .fmp4 = s->fmp4,
        .run = r->runs,
    };
    char **argv;
    int rc = hls_argv_build(&job, &argv);
    if (rc < 0)
        return rc;
    struct encoder *e;
    rc = encoder_spawn(argv, &e);
    hls_argv_free(argv);
    if (rc < 0)
        return rc;
    rc = watch_encoder(h, e);
    if (rc < 0) {
        encoder_kill(e);
        while (!encoder_reap(e))
            usleep(1000);
        encoder_free(e);
        return rc;
    }
    r->enc = e;
    r->runs++;
    r->run_first = r->grid.segs[segment].first_chunk;
    r->next = r->run_first;
    while (r->next < r->grid.nchunks && r->have[r->next])
        r->next++;
    r->first_seen = false;
    h->encoders++;
    static const char *const names[] = {"first", "seek", "retry"};
    int64_t *counts[] = {&h->stats.starts_first, &h->stats.starts_seek, &h->stats.starts_retry};
    (*counts[reason])++;
    LOG(L_INFO, "hls", "session %.8s: %s encoder %d started at segment %zu (%s)", s->id, r->r.name,
        (int)e->pid, segment, names[reason]);
    return 0;
}

/* ---- sessions ---- */

static void wake_all(struct rendition *r, enum hls_wake why)
{
    struct waiter *w = r->waiters;
    r->waiters = NULL;
    while (w) {
        struct waiter *next = w->next;
        w->w.resume(w->w.ctx, why);
        free(w);
        w = next;
    }
}

static void session_free(struct session *s)
{
    for (size_t i = 0; i < s->nrend; i++) {
        grid_release(&s->rend[i].grid);
        free(s->rend[i].have);
        free(s->rend[i].size);
    }
    free(s->keyframes);
    free(s->input);
    free(s);
}

/* Ends a session: wakes its requests, stops its encoders, and removes its folder once the
 * last of them is reaped. */
static void session_end(struct hls *h, struct session *s, const char *why)
{
    LOG(L_INFO, "hls", "session %.8s ends: %s", s->id, why);
    HASH_DELETE(hh_id, h->by_id, s);
    HASH_DELETE(hh_key, h->by_key, s);
    s->ended = true;
    for (size_t i = 0; i < s->nrend; i++) {
        struct rendition *r = &s->rend[i];
        wake_all(r, HLS_WAKE_ENDED);
        if (r->wd >= 0) {
            HASH_DELETE(hh_wd, h->by_wd, r);
            inotify_rm_watch(h->ino, r->wd);
            r->wd = -1;
        }
        retire(h, r, s);
    }
    h->stats.sessions--;
    if (s->dying == 0) {
        rm_tree(s->dir);
        session_free(s);
    }
}

static struct session *find(struct hls *h, int64_t user, const char *id)
{
    struct session *s = NULL;
    if (id && strlen(id) == HLS_ID_LEN)
        HASH_FIND(hh_id, h->by_id, id, HLS_ID_LEN, s);
    return s && s->user_id == user ? s : NULL;
}

static struct rendition *find_rendition(struct session *s, const char *name)
{
    for (size_t i = 0; i < s->nrend; i++)
        if (strcmp(s->rend[i].r.name, name) == 0)
            return &s->rend[i];
    return NULL;
}

static const struct media_stream *stream_at(const struct media_file *f, int index)
{
    for (size_t i = 0; i < f->nstreams; i++)
        if (f->streams[i].index == index)
            return &f->streams[i];
    return NULL;
}

static int make_rendition(struct hls *h, struct session *s, struct rendition *r)
{
    r->s = s;
    r->wd = -1;
    int rc = r->r.copy && s->plan.video.present
                 ? grid_copy(s->keyframes, s->nkeyframes, s->duration, h->cfg.segment_s, &r->grid)
                 : grid_encode(s->duration, h->cfg.segment_s, &r->grid);
    if (rc < 0)
        return rc;
    r->have = calloc(r->grid.nchunks, 1);
    r->size = calloc(r->grid.nchunks, sizeof(*r->size));
    if (!r->have || !r->size)
        return -ENOMEM;
    snprintf(r->dir, sizeof(r->dir), "%s/%s", s->dir, r->r.name);
    if (mkdir(r->dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    r->wd = inotify_add_watch(h->ino, r->dir, IN_MOVED_TO | IN_CLOSE_WRITE);
    if (r->wd < 0)
        return -errno;
    HASH_ADD(hh_wd, h->by_wd, wd, sizeof(r->wd), r);
    return 0;
}

/* Takes over keyframes (read beforehand, outside the lock) whatever happens. */
static int session_new(struct hls *h, const struct hls_open *o, const char *key, double *keyframes,
                       size_t nkeyframes, struct session **out)
{
    struct session *s = calloc(1, sizeof(*s));
    if (!s) {
        free(keyframes);
        return -ENOMEM;
    }
    s->keyframes = keyframes;
    s->nkeyframes = nkeyframes;
    int rc = random_hex(s->id, HLS_ID_LEN / 2);
    snprintf(s->key, sizeof(s->key), "%s", key);
    s->user_id = o->user_id;
    s->input = strdup(o->file->path);
    s->duration = o->file->duration_ms / 1000.0;
    s->plan = *o->plan;
    s->fmp4 = o->fmp4;
    s->start_ms = o->start_ms;
    s->prewarm = o->prewarm;
    s->created_ms = s->active_ms = clock_mono_ms();
    const struct media_stream *v = stream_at(o->file, o->plan->video.index);
    const struct media_stream *a = stream_at(o->file, o->plan->audio.index);
    if (v && o->plan->video.present)
        s->video = *v;
    if (a && o->plan->audio.present)
        s->audio = *a;
    s->video.title = s->video.external = s->audio.title = s->audio.external = NULL;
    snprintf(s->dir, sizeof(s->dir), "%s/%s", h->cfg.temp_dir, s->id);
    if (rc == 0 && !s->input)
        rc = -ENOMEM;
    if (rc == 0 && !(s->duration > 0))
        rc = ERR_UNPLAYABLE;
    if (rc == 0 && s->plan.video.present && s->plan.video.copy && !s->keyframes)
        rc = ERR_UNPLAYABLE;
    if (rc == 0 && mkdir(s->dir, 0700) < 0)
        rc = -errno;
    if (rc == 0) {
        struct hls_rendition list[HLS_MAX_RENDITIONS];
        s->nrend = playlist_renditions(&s->plan, v && s->plan.video.present ? &s->video : NULL,
                                       a && s->plan.audio.present ? &s->audio : NULL, list);
        for (size_t i = 0; i < s->nrend && rc == 0; i++) {
            s->rend[i].r = list[i];
            rc = make_rendition(h, s, &s->rend[i]);
        }
    }
    if (rc < 0) {
        for (size_t i = 0; i < s->nrend; i++)
            if (s->rend[i].wd >= 0) {
                HASH_DELETE(hh_wd, h->by_wd, &s->rend[i]);
                inotify_rm_watch(h->ino, s->rend[i].wd);
            }
        rm_tree(s->dir);
        session_free(s);
        return rc;
    }
    HASH_ADD(hh_id, h->by_id, id, HLS_ID_LEN, s);
    HASH_ADD_KEYPTR(hh_key, h->by_key, s->key, strlen(s->key), s);
    h->stats.sessions++;
    *out = s;
    return 0;
}

int hls_open(struct hls *h, const struct hls_open *o, char id[HLS_ID_LEN + 1])
{
    const struct plan *p = o->plan;
    char key[160];
    snprintf(key, sizeof(key), "%lld/%lld/%d/%d:%d/%d:%d/%lld/%d", (long long)o->user_id,
             (long long)o->file->id, p->method, p->video.copy, p->video.height, p->audio.index,
             p->audio.copy, (long long)p->max_bitrate, o->fmp4);
    /* Reading the keyframe index can take a while (MPEG-TS has none and is read whole),
     * so it happens outside the lock, and only for a session that is not there yet. */
    pthread_mutex_lock(&h->lock);
    struct session *s = NULL;
    HASH_FIND(hh_key, h->by_key, key, strlen(key), s);
    pthread_mutex_unlock(&h->lock);
    double *keyframes = NULL;
    size_t nkeyframes = 0;
    int rc = 0;
    if (!s && p->video.present && p->video.copy)
        rc = keyframes_read(o->file->path, p->video.index, &keyframes, &nkeyframes);
    if (rc < 0)
        return rc;

    pthread_mutex_lock(&h->lock);
    s = NULL;
    if (h->closing)
        rc = ERR_UNAVAILABLE;
    else
        HASH_FIND(hh_key, h->by_key, key, strlen(key), s);
    if (rc == 0 && !s) {
        rc = session_new(h, o, key, keyframes, nkeyframes, &s);
        keyframes = NULL;
        if (rc == 0)
            LOG(L_INFO, "hls", "session %.8s opened for file %lld (%s, %zu renditions)", s->id,
                (long long)o->file->id, play_method_name(p->method), s->nrend);
    } else if (s) {
        /* Reused: a later start position wins. */
        s->start_ms = o->start_ms;
        s->active_ms = clock_mono_ms();
    }
    free(keyframes);
    if (rc == 0) {
        /* A play makes a pre-warmed session a real one. */
        if (!o->prewarm)
            s->used = true;
        memcpy(id, s->id, HLS_ID_LEN + 1);
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

int hls_prewarm(struct hls *h, const char *id)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = NULL;
    HASH_FIND(hh_id, h->by_id, id, HLS_ID_LEN, s);
    int rc = s ? 0 : ERR_NOT_FOUND;
    if (s && !s->rend[0].enc) {
        struct rendition *r = &s->rend[0];
        size_t seg = grid_find(&r->grid, s->start_ms / 1000.0);
        rc = start_encoder(h, r, seg, START_FIRST);
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

int hls_end(struct hls *h, int64_t user, const char *id)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    if (s)
        session_end(h, s, "ended by the client");
    pthread_mutex_unlock(&h->lock);
    return s ? 0 : ERR_NOT_FOUND;
}

int hls_touch(struct hls *h, int64_t user, const char *id)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    if (s)
        s->active_ms = clock_mono_ms();
    pthread_mutex_unlock(&h->lock);
    return s ? 0 : ERR_NOT_FOUND;
}

int hls_state(struct hls *h, int64_t user, const char *id, json_t **out)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    if (!s) {
        pthread_mutex_unlock(&h->lock);
        return ERR_NOT_FOUND;
    }
    int64_t now = clock_mono_ms();
    json_t *rends = json_array();
    for (size_t i = 0; i < s->nrend; i++) {
        struct rendition *r = &s->rend[i];
        size_t done = 0;
        for (uint32_t c = 0; c < r->grid.nchunks; c++)
            done += r->have[c];
        json_t *o =
            json_pack("{ss sb si si sI sI sI sb si}", "name", r->r.name, "copy", r->r.copy, "width",
                      r->r.width, "height", r->r.height, "bitrate", (json_int_t)r->r.video_bitrate,
                      "segments", (json_int_t)r->grid.n, "chunks_on_disk", (json_int_t)done,
                      "encoding", r->enc != NULL, "failures", r->failures);
        if (r->enc)
            json_object_update_new(
                o, json_pack("{sI sI si}", "encoder_position",
                             (json_int_t)grid_segment_of_chunk(&r->grid, r->next), "encoder_start",
                             (json_int_t)grid_segment_of_chunk(&r->grid, r->run_first), "pid",
                             (int)r->enc->pid));
        if (*r->error)
            json_object_set_new(o, "error", json_string(r->error));
        json_array_append_new(rends, o);
    }
    *out = json_pack("{ss ss sf sb ss sI sI so}", "id", s->id, "state",
                     s->used ? "playing" : "prewarmed", "duration", s->duration, "fmp4", s->fmp4,
                     "method", play_method_name(s->plan.method), "idle_ms",
                     (json_int_t)(now - s->active_ms), "start_ms", (json_int_t)s->start_ms,
                     "renditions", rends);
    pthread_mutex_unlock(&h->lock);
    return 0;
}

int hls_master(struct hls *h, int64_t user, const char *id, int max_height, int64_t max_bitrate,
               const char *only, char **text, size_t *len)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    int rc = ERR_NOT_FOUND;
    if (s) {
        s->active_ms = clock_mono_ms();
        struct hls_rendition list[HLS_MAX_RENDITIONS];
        size_t n = 0;
        for (size_t i = 0; i < s->nrend; i++) {
            const struct hls_rendition *r = &s->rend[i].r;
            if (only && strcmp(only, r->name) != 0)
                continue;
            if ((max_height && r->height > max_height && !r->copy) ||
                (max_bitrate && r->video_bitrate + r->audio_bitrate > max_bitrate && !r->copy))
                continue;
            list[n++] = *r;
        }
        /* A limit below every rendition still leaves the smallest. */
        if (n == 0 && !only && s->nrend)
            list[n++] = s->rend[s->nrend - 1].r;
        rc = n ? playlist_master(list, n, text, len) : ERR_NOT_FOUND;
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

int hls_media(struct hls *h, int64_t user, const char *id, const char *rendition, char **text,
              size_t *len)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    struct rendition *r = s ? find_rendition(s, rendition) : NULL;
    int rc = ERR_NOT_FOUND;
    if (r) {
        s->active_ms = r->last_request_ms = clock_mono_ms();
        rc = playlist_media(&r->grid, s->fmp4, text, len);
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

void hls_files_release(struct hls_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->paths[i]);
    free(f->paths);
    f->paths = NULL;
    f->n = 0;
}

static int collect(struct rendition *r, uint32_t first, uint32_t last, struct hls_files *out)
{
    const char *ext = r->s->fmp4 ? "m4s" : "ts";
    out->paths = calloc(last - first + 1, sizeof(char *));
    if (!out->paths)
        return -ENOMEM;
    for (uint32_t c = first; c <= last; c++) {
        if (asprintf(&out->paths[out->n], "%s/%u.%s", r->dir, c, ext) < 0) {
            hls_files_release(out);
            return -ENOMEM;
        }
        out->n++;
    }
    return 0;
}

static bool ready(const struct rendition *r, uint32_t first, uint32_t last)
{
    if (first == UINT32_MAX)
        return r->init[0] != '\0';
    for (uint32_t c = first; c <= last; c++)
        if (!r->have[c])
            return false;
    return true;
}

int hls_segment(struct hls *h, int64_t user, const char *id, const char *rendition, long n,
                const struct hls_waiter *w, struct hls_files *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&h->lock);
    int rc = 0;
    struct session *s = find(h, user, id);
    struct rendition *r = s ? find_rendition(s, rendition) : NULL;
    if (h->closing) {
        rc = ERR_UNAVAILABLE;
        goto out;
    }
    if (!r || n < -1 || (n >= 0 && (size_t)n >= r->grid.n)) {
        rc = ERR_NOT_FOUND;
        goto out;
    }
    int64_t now = clock_mono_ms();
    s->active_ms = r->last_request_ms = now;
    s->used = true;

    /* The init segment comes with whatever run starts first: from the start position. */
    size_t seg = n >= 0 ? (size_t)n : grid_find(&r->grid, s->start_ms / 1000.0);
    uint32_t first = n >= 0 ? r->grid.segs[seg].first_chunk : UINT32_MAX;
    uint32_t last = n >= 0 ? first + r->grid.segs[seg].nchunks - 1 : UINT32_MAX;
    if (ready(r, first, last)) {
        if (n < 0) {
            out->paths = calloc(1, sizeof(char *));
            rc = out->paths && (out->paths[0] = strdup(r->init)) ? 0 : -ENOMEM;
            out->n = rc == 0;
        } else {
            rc = collect(r, first, last, out);
            h->stats.segments_served++;
        }
        goto out;
    }

    /* Not on disk. Wait for the running encoder if it will get there soon; else start one
     * here, unless encoders keep failing. */
    uint32_t want = n >= 0 ? first : r->grid.segs[seg].first_chunk;
    uint32_t ahead = r->enc ? (uint32_t)grid_segment_of_chunk(&r->grid, r->next) : 0;
    bool near = r->enc && want >= r->run_first &&
                grid_segment_of_chunk(&r->grid, want) <= ahead + AHEAD_SEGMENTS;
    if (n < 0 && r->enc)
        near = true; /* any run writes the init */
    if (!near) {
        if (r->failures >= MAX_FAILURES) {
            snprintf(out->error, sizeof(out->error), "%s", r->error);
            rc = ERR_ENCODER_FAILED;
            goto out;
        }
        enum start_reason why = r->failures ? START_RETRY : r->runs ? START_SEEK : START_FIRST;
        rc = start_encoder(h, r, seg, why);
        if (rc < 0)
            goto out;
    }
    struct waiter *wt = calloc(1, sizeof(*wt));
    if (!wt) {
        rc = -ENOMEM;
        goto out;
    }
    wt->w = *w;
    wt->first = first;
    wt->last = last;
    wt->since_ms = now;
    wt->deadline_ms = now + h->cfg.wait_ms;
    wt->next = r->waiters;
    r->waiters = wt;
    w->suspend(w->ctx);
    rc = HLS_WAIT;
out:
    pthread_mutex_unlock(&h->lock);
    return rc;
}

void hls_count_served(struct hls *h, int64_t bytes)
{
    pthread_mutex_lock(&h->lock);
    h->stats.bytes_served += bytes;
    pthread_mutex_unlock(&h->lock);
}

void hls_stats(struct hls *h, struct hls_stats *out)
{
    pthread_mutex_lock(&h->lock);
    *out = h->stats;
    out->encoders = h->encoders;
    pthread_mutex_unlock(&h->lock);
}

/* ---- the monitor thread ---- */

/* Wakes the waiters whose chunks are all there now. */
static void wake_ready(struct hls *h, struct rendition *r)
{
    int64_t now = clock_mono_ms();
    struct waiter **p = &r->waiters;
    while (*p) {
        struct waiter *w = *p;
        if (ready(r, w->first, w->last)) {
            *p = w->next;
            observe(h->stats.wait, &h->stats.wait_count, &h->stats.wait_sum,
                    (now - w->since_ms) / 1000.0);
            w->w.resume(w->w.ctx, HLS_WAKE_READY);
            free(w);
        } else {
            p = &w->next;
        }
    }
}

static void on_file(struct hls *h, struct rendition *r, const char *name)
{
    if (strncmp(name, "init_", 5) == 0 && strstr(name, ".mp4") && !strstr(name, ".tmp")) {
        if (!r->init[0])
            snprintf(r->init, sizeof(r->init), "%s/%s", r->dir, name);
        wake_ready(h, r);
        return;
    }
    char *end;
    unsigned long c = strtoul(name, &end, 10);
    if (end == name || (strcmp(end, ".m4s") != 0 && strcmp(end, ".ts") != 0) ||
        c >= r->grid.nchunks)
        return;
    if (!r->have[c]) {
        char path[PATH_MAX + 320];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", r->dir, name);
        r->size[c] = stat(path, &st) == 0 ? st.st_size : 0;
    }
    r->have[c] = 1;
    if (r->enc && !r->first_seen && c >= r->run_first) {
        r->first_seen = true;
        observe(h->stats.ttfs, &h->stats.ttfs_count, &h->stats.ttfs_sum,
                (clock_mono_ms() - r->enc->started_ms) / 1000.0);
    }
    while (r->next < r->grid.nchunks && r->have[r->next])
        r->next++;
    r->failures = 0;
    wake_ready(h, r);
}

static void read_inotify(struct hls *h)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    while ((n = read(h->ino, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof(*ev) + ev->len;
            struct rendition *r;
            HASH_FIND(hh_wd, h->by_wd, &ev->wd, sizeof(ev->wd), r);
            if (r && ev->len)
                on_file(h, r, ev->name);
        }
    }
}

static void forget_watches(struct hls *h, struct encoder *e)
{
    epoll_ctl(h->ep, EPOLL_CTL_DEL, e->err_fd, NULL);
    epoll_ctl(h->ep, EPOLL_CTL_DEL, e->pid_fd, NULL);
    free(e->tags[0]);
    free(e->tags[1]);
    e->tags[0] = e->tags[1] = NULL;
}

static void bury(struct hls *h, struct encoder *e)
{
    e->buried = true;
    epoll_ctl(h->ep, EPOLL_CTL_DEL, e->err_fd, NULL);
    epoll_ctl(h->ep, EPOLL_CTL_DEL, e->pid_fd, NULL);
    if (h->ngraves == h->graves_cap) {
        size_t cap = h->graves_cap ? h->graves_cap * 2 : 16;
        struct encoder **g = realloc(h->graves, cap * sizeof(*g));
        if (!g) {
            /* Leaking one encoder's memory beats freeing what an event may still name. */
            LOG(L_ERROR, "hls", "out of memory; an encoder's record is kept");
            return;
        }
        h->graves = g;
        h->graves_cap = cap;
    }
    h->graves[h->ngraves++] = e;
}

static void empty_graves(struct hls *h)
{
    for (size_t i = 0; i < h->ngraves; i++) {
        forget_watches(h, h->graves[i]);
        encoder_free(h->graves[i]);
    }
    h->ngraves = 0;
}

/* An encoder a rendition still owns has ended on its own. */
static void on_exit_owned(struct hls *h, struct rendition *r)
{
    struct encoder *e = r->enc;
    bool ok = encoder_succeeded(e);
    if (!ok || r->waiters) {
        /* Failing, or ending without what a request waits for, counts against retries. */
        r->failures++;
        h->stats.failures += !ok;
        encoder_last_lines(e, 6, r->error, sizeof(r->error));
        if (ok)
            snprintf(r->error, sizeof(r->error), "ffmpeg ended before writing the segment");
        LOG(L_WARN, "hls", "session %.8s: %s encoder %d failed: %s", r->s->id, r->r.name,
            (int)e->pid, r->error);
    }
    r->enc = NULL;
    h->encoders--;
    bury(h, e);
    /* Woken requests ask again: a retry, or the error. */
    wake_all(r, HLS_WAKE_RETRY);
}

static struct rendition *owner_of(struct hls *h, struct encoder *e)
{
    struct session *s, *tmp;
    HASH_ITER(hh_id, h->by_id, s, tmp)
    {
        for (size_t i = 0; i < s->nrend; i++)
            if (s->rend[i].enc == e)
                return &s->rend[i];
    }
    return NULL;
}

static void on_pid(struct hls *h, struct encoder *e)
{
    if (e->buried)
        return;
    encoder_drain(e);
    if (!encoder_reap(e))
        return;
    struct rendition *r = owner_of(h, e);
    if (r) {
        on_exit_owned(h, r);
        return;
    }
    for (struct dying **p = &h->dying; *p; p = &(*p)->next) {
        struct dying *d = *p;
        if (d->enc != e)
            continue;
        *p = d->next;
        bury(h, e);
        struct session *owner = d->owner;
        free(d);
        if (owner && --owner->dying == 0) {
            rm_tree(owner->dir);
            session_free(owner);
        }
        return;
    }
}

/* Deletes chunks of renditions nobody encodes, the least recently used first, until the
 * temp folders fit under the cap again. */
static void enforce_temp_cap(struct hls *h)
{
    if (h->cfg.temp_max_bytes <= 0)
        return;
    int64_t total = 0;
    struct session *s, *tmp;
    HASH_ITER(hh_id, h->by_id, s, tmp)
    {
        for (size_t i = 0; i < s->nrend; i++)
            for (uint32_t c = 0; c < s->rend[i].grid.nchunks; c++)
                total += s->rend[i].have[c] ? s->rend[i].size[c] : 0;
    }
    while (total > h->cfg.temp_max_bytes) {
        struct rendition *oldest = NULL;
        HASH_ITER(hh_id, h->by_id, s, tmp)
        {
            for (size_t i = 0; i < s->nrend; i++) {
                struct rendition *r = &s->rend[i];
                bool any = false;
                for (uint32_t c = 0; c < r->grid.nchunks && !any; c++)
                    any = r->have[c];
                if (!r->enc && !r->waiters && any &&
                    (!oldest || r->last_request_ms < oldest->last_request_ms))
                    oldest = r;
            }
        }
        if (!oldest)
            break;
        const char *ext = oldest->s->fmp4 ? "m4s" : "ts";
        for (uint32_t c = 0; c < oldest->grid.nchunks; c++) {
            if (!oldest->have[c])
                continue;
            char path[PATH_MAX + 64];
            snprintf(path, sizeof(path), "%s/%u.%s", oldest->dir, c, ext);
            unlink(path);
            oldest->have[c] = 0;
            total -= oldest->size[c];
        }
        LOG(L_INFO, "hls", "session %.8s: evicted %s to keep temp files under the cap",
            oldest->s->id, oldest->r.name);
    }
}

static void tick(struct hls *h)
{
    int64_t now = clock_mono_ms();
    struct session *s, *tmp;
    HASH_ITER(hh_id, h->by_id, s, tmp)
    {
        if (!s->used && s->prewarm && now - s->created_ms > h->cfg.prewarm_ms) {
            session_end(h, s, "pre-warmed but never played");
            continue;
        }
        if (now - s->active_ms > h->cfg.idle_ms) {
            session_end(h, s, "idle");
            continue;
        }
        for (size_t i = 0; i < s->nrend; i++) {
            struct rendition *r = &s->rend[i];
            struct waiter **p = &r->waiters;
            while (*p) {
                struct waiter *w = *p;
                if (now < w->deadline_ms) {
                    p = &w->next;
                    continue;
                }
                *p = w->next;
                w->w.resume(w->w.ctx, HLS_WAKE_TIMEOUT);
                free(w);
            }
            /* Renditions nobody watches stop encoding (a player that switched away). */
            if (r->enc && !r->waiters && s->used && now - r->last_request_ms > RENDITION_IDLE_MS)
                retire(h, r, NULL);
        }
    }
    for (struct dying *d = h->dying; d; d = d->next)
        if (!d->enc->exited && now - d->enc->stop_ms > h->cfg.grace_ms)
            encoder_kill(d->enc);
    enforce_temp_cap(h);
}

static void *monitor(void *arg)
{
    struct hls *h = arg;
    struct epoll_event evs[32];
    for (;;) {
        int n = epoll_wait(h->ep, evs, 32, -1);
        pthread_mutex_lock(&h->lock);
        bool quit = false;
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &h->ino) {
                read_inotify(h);
            } else if (p == &h->timer) {
                uint64_t x;
                if (read(h->timer, &x, sizeof(x)) > 0)
                    tick(h);
            } else if (p == &h->wake) {
                uint64_t x;
                if (read(h->wake, &x, sizeof(x)) > 0)
                    quit = h->closing && h->dying == NULL && h->encoders == 0;
            } else {
                struct watch *w = p;
                if (w->kind == W_ERR && !w->enc->buried)
                    encoder_drain(w->enc);
                else if (w->kind == W_PID)
                    on_pid(h, w->enc);
            }
        }
        empty_graves(h);
        if (h->closing && h->dying == NULL && h->encoders == 0)
            quit = true;
        pthread_mutex_unlock(&h->lock);
        if (quit)
            return NULL;
    }
}

int hls_new(struct hls **out, const struct hls_config *cfg)
{
    struct hls *h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    h->cfg = *cfg;
    pthread_mutex_init(&h->lock, NULL);
    h->ep = h->ino = h->timer = h->wake = -1;

    /* Folders left by a crash: nothing can use them now. */
    rm_tree(cfg->temp_dir);
    int rc = mkdir(cfg->temp_dir, 0700) < 0 && errno != EEXIST ? -errno : 0;
    if (rc < 0)
        LOG(L_ERROR, "hls", "cannot create '%s': %s", cfg->temp_dir, strerror(-rc));
    h->ep = epoll_create1(EPOLL_CLOEXEC);
    h->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    h->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    h->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (rc == 0 && (h->ep < 0 || h->ino < 0 || h->timer < 0 || h->wake < 0))
        rc = -errno;
    struct itimerspec its = {{0, TICK_MS * 1000000}, {0, TICK_MS * 1000000}};
    if (rc == 0)
        timerfd_settime(h->timer, 0, &its, NULL);
    int fds[] = {h->ino, h->timer, h->wake};
    void *tags[] = {&h->ino, &h->timer, &h->wake};
    for (int i = 0; i < 3 && rc == 0; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tags[i]};
        if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fds[i], &ev) < 0)
            rc = -errno;
    }
    if (rc == 0) {
        rc = -pthread_create(&h->thread, NULL, monitor, h);
        h->thread_started = rc == 0;
    }
    if (rc < 0) {
        hls_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void hls_close(struct hls *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->closing = true;
    struct session *s, *tmp;
    HASH_ITER(hh_id, h->by_id, s, tmp)
    {
        session_end(h, s, "the server is stopping");
    }
    pthread_mutex_unlock(&h->lock);
}

void hls_free(struct hls *h)
{
    if (!h)
        return;
    hls_close(h);
    if (h->thread_started) {
        /* The monitor reaps the stopping encoders, then returns. */
        uint64_t one = 1;
        if (write(h->wake, &one, sizeof(one)) < 0)
            LOG(L_WARN, "hls", "cannot wake the monitor: %s", strerror(errno));
        pthread_join(h->thread, NULL);
    }
    int fds[] = {h->ep, h->ino, h->timer, h->wake};
    for (int i = 0; i < 4; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    empty_graves(h);
    free(h->graves);
    rm_tree(h->cfg.temp_dir);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
