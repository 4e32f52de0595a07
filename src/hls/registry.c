/*
 * The session registry: sessions by id and by (user, file, plan) key, their renditions, and
 * the answers to playlist and segment requests. Encoders are the monitor's (monitor.c).
 */
#include "core/clock.h"
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "core/process.h"
#include "core/random.h"
#include "hls/argv.h"
#include "hls/internal.h"
#include "hls/playlist.h"
#include "library/keyframes.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const double hls_buckets[9] = {0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10};

void observe(int64_t *hist, int64_t *count, double *sum, double seconds)
{
    for (size_t i = 0; i < 9; i++)
        if (seconds <= hls_buckets[i])
            hist[i]++;
    hist[9]++;
    (*count)++;
    *sum += seconds;
}

/* ---- sessions ---- */

void wake_all(struct rendition *r, enum hls_wake why)
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

void wake_parts(struct rendition *r)
{
    struct waiter **p = &r->waiters;
    while (*p) {
        struct waiter *w = *p;
        if (!w->part) {
            p = &w->next;
            continue;
        }
        *p = w->next;
        w->w.resume(w->w.ctx, HLS_WAKE_RETRY);
        free(w);
    }
}

void chunk_path(const struct rendition *r, uint32_t c, char *out, size_t size)
{
    snprintf(out, size, "%s/%u.%s", r->dir, c, r->s->fmp4 ? "m4s" : "ts");
}

void session_free(struct session *s)
{
    for (size_t i = 0; i < s->nrend; i++) {
        grid_release(&s->rend[i].grid);
        free(s->rend[i].have);
        free(s->rend[i].size);
        hls_argv_free(s->rend[i].argv);
    }
    free(s->keyframes);
    free(s->input);
    free(s);
}

/* Ends a session: wakes its requests, stops its encoders, and removes its folder once the
 * last of them is reaped. */
void session_end(struct hls *h, struct session *s, const char *why)
{
    LOG(L_INFO, "hls", "session %.8s ends: %s", s->id, why);
    HASH_DELETE(hh_id, h->by_id, s);
    HASH_DELETE(hh_key, h->by_key, s);
    s->ended = true;
    for (size_t i = 0; i < s->nrend; i++) {
        struct rendition *r = &s->rend[i];
        wake_all(r, HLS_WAKE_ENDED);
        monitor_unwatch_dir(h, r);
        monitor_retire(h, r, s);
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

static int make_rendition(struct hls *h, struct session *s, struct rendition *r)
{
    r->s = s;
    r->wd = -1;
    /* Parts need encoded video with frames enough to fill them, in MPEG-TS: hls.js reads
     * fMP4 as it comes only up to a second into a segment (its timeline check), so fMP4
     * segments are sent whole. */
    double part = !s->fmp4 && !r->r.copy && s->plan.video.present &&
                          s->plan.video.frame_rate >= HLS_PART_MIN_FPS
                      ? HLS_PART_S
                      : 0;
    int rc = r->r.copy && s->plan.video.present
                 ? grid_copy(s->keyframes, s->nkeyframes, s->duration, h->cfg.segment_s, &r->grid)
                 : grid_encode(s->duration, h->cfg.segment_s, part, &r->grid);
    if (rc < 0)
        return rc;
    r->have = calloc(r->grid.nchunks, 1);
    r->size = calloc(r->grid.nchunks, sizeof(*r->size));
    if (!r->have || !r->size)
        return -ENOMEM;
    snprintf(r->dir, sizeof(r->dir), "%s/%s", s->dir, r->r.name);
    if (mkdir(r->dir, 0700) < 0 && errno != EEXIST) {
        LOG(L_ERROR, "hls", "cannot create '%s': %s", r->dir, strerror(errno));
        return -errno;
    }
    return monitor_watch_dir(h, r);
}

/* Takes over keyframes (read beforehand, outside the lock) whatever happens. */
static int session_new(struct hls *h, const struct hls_open *o, const char *key, double *keyframes,
                       size_t nkeyframes, double delay, struct session **out)
{
    struct session *s = calloc(1, sizeof(*s));
    if (!s) {
        free(keyframes);
        return -ENOMEM;
    }
    s->keyframes = keyframes;
    s->nkeyframes = nkeyframes;
    s->keyframe_delay = delay;
    int rc = random_hex(s->id, HLS_ID_LEN / 2);
    snprintf(s->key, sizeof(s->key), "%s", key);
    s->user_id = o->user_id;
    s->file_id = o->file->id;
    snprintf(s->device, sizeof(s->device), "%.64s", o->device ? o->device : "");
    s->input = strdup(o->file->path);
    s->duration = o->file->duration_ms / 1000.0;
    s->start_s = o->file->start_ms / 1000.0;
    s->plan = *o->plan;
    s->fmp4 = o->fmp4;
    s->start_ms = o->start_ms;
    s->prewarm = o->prewarm;
    s->nice = o->nice;
    s->created_ms = s->active_ms = clock_mono_ms();
    const struct media_stream *v = media_file_stream(o->file, o->plan->video.index);
    const struct media_stream *a = media_file_stream(o->file, o->plan->audio.index);
    if (v) {
        snprintf(s->source_codec, sizeof(s->source_codec), "%s", v->codec);
        s->source_height = v->height;
    }
    snprintf(s->dir, sizeof(s->dir), "%s/%s", h->cfg.temp_dir, s->id);
    if (rc == 0 && !s->input)
        rc = -ENOMEM;
    if (rc == 0 && !(s->duration > 0))
        rc = ERR_UNPLAYABLE;
    if (rc == 0 && s->plan.video.present && s->plan.video.copy && !s->keyframes)
        rc = ERR_UNPLAYABLE;
    if (rc == 0 && mkdir(s->dir, 0700) < 0) {
        rc = -errno;
        LOG(L_ERROR, "hls", "cannot create '%s': %s", s->dir, strerror(-rc));
    }
    if (rc == 0) {
        struct hls_rendition list[HLS_MAX_RENDITIONS];
        s->nrend = playlist_renditions(&s->plan, s->plan.video.present ? v : NULL,
                                       s->plan.audio.present ? a : NULL, s->fmp4, list);
        for (size_t i = 0; i < s->nrend && rc == 0; i++) {
            s->rend[i].r = list[i];
            rc = make_rendition(h, s, &s->rend[i]);
        }
    }
    if (rc < 0) {
        for (size_t i = 0; i < s->nrend; i++)
            monitor_unwatch_dir(h, &s->rend[i]);
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

/* One session per viewer (user and device), file and plan. */
static void session_key(const struct hls_open *o, char *key, size_t size)
{
    const struct plan *p = o->plan;
    const char *device = o->device ? o->device : "";
    snprintf(key, size, "%lld/%.64s/%lld/%d/%d:%d/%d:%d/%d/%lld/%d", (long long)o->user_id, device,
             (long long)o->file->id, p->method, p->video.copy, p->video.height, p->audio.index,
             p->audio.copy, p->subtitle.present ? p->subtitle.index : -1, (long long)p->max_bitrate,
             o->fmp4);
}

/* The session of key that can be handed out, or NULL. One whose encoders keep failing is
 * not handed out again: a player's Retry, or a new play, gets a new one, with nothing of
 * the old one's state. Called with the lock held. */
static struct session *usable_session(struct hls *h, const char *key)
{
    struct session *s = NULL;
    HASH_FIND(hh_key, h->by_key, key, strlen(key), s);
    for (size_t i = 0; s && i < s->nrend; i++) {
        if (s->rend[i].failures >= MAX_FAILURES) {
            session_end(h, s, "its encoder kept failing; a new one replaces it");
            s = NULL;
        }
    }
    return s;
}

bool hls_needs_keyframes(struct hls *h, const struct hls_open *o)
{
    if (!o->plan->video.present || !o->plan->video.copy)
        return false;
    char key[240];
    session_key(o, key, sizeof(key));
    pthread_mutex_lock(&h->lock);
    bool needs = !usable_session(h, key);
    pthread_mutex_unlock(&h->lock);
    return needs;
}

int hls_open(struct hls *h, const struct hls_open *o, char id[HLS_ID_LEN + 1])
{
    const struct plan *p = o->plan;
    char key[240];
    session_key(o, key, sizeof(key));
    /* Reading the keyframe index can take a while (MPEG-TS has none and is read whole),
     * so it happens outside the lock, and only for a session that is not there yet; the
     * caller may have read it already, off the HTTP threads. */
    pthread_mutex_lock(&h->lock);
    struct session *s = usable_session(h, key);
    pthread_mutex_unlock(&h->lock);
    double *keyframes = o->keyframes;
    size_t nkeyframes = o->nkeyframes;
    double delay = o->keyframe_delay;
    int rc = 0;
    if (!s && !keyframes && p->video.present && p->video.copy)
        rc = keyframes_read(o->file->path, p->video.index, &keyframes, &nkeyframes, &delay);
    if (rc < 0)
        return rc;

    pthread_mutex_lock(&h->lock);
    s = NULL;
    if (h->closing)
        rc = ERR_UNAVAILABLE;
    else
        HASH_FIND(hh_key, h->by_key, key, strlen(key), s);
    if (rc == 0 && !s) {
        rc = session_new(h, o, key, keyframes, nkeyframes, delay, &s);
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
        rc = monitor_start_encoder(h, r, seg, START_FIRST);
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

int hls_session_file(struct hls *h, int64_t user, const char *id, int64_t *file)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    if (s)
        *file = s->file_id;
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

static int append_arg(struct hls_rendition_state *o, const char *arg)
{
    char **grown = realloc(o->argv, (o->nargs + 2) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    o->argv = grown;
    o->argv[o->nargs] = strdup(arg);
    o->argv[o->nargs + 1] = NULL;
    return o->argv[o->nargs++] ? 0 : -ENOMEM;
}

int hls_state(struct hls *h, int64_t user, const char *id, struct hls_state *out)
{
    int rc = 0;
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    if (!s) {
        pthread_mutex_unlock(&h->lock);
        return ERR_NOT_FOUND;
    }
    memset(out, 0, sizeof(*out));
    memcpy(out->id, s->id, sizeof(out->id));
    out->playing = s->used;
    out->duration = s->duration;
    out->fmp4 = s->fmp4;
    out->method = s->plan.method;
    out->idle_ms = clock_mono_ms() - s->active_ms;
    out->start_ms = s->start_ms;
    out->nrend = s->nrend;
    for (size_t i = 0; i < s->nrend; i++) {
        const struct rendition *r = &s->rend[i];
        struct hls_rendition_state *o = &out->rend[i];
        o->r = r->r;
        o->segments = r->grid.n;
        for (uint32_t c = 0; c < r->grid.nchunks; c++)
            o->chunks_on_disk += r->have[c] == CHUNK_FILE;
        o->encoding = r->enc != NULL;
        o->paused = r->paused;
        o->failures = r->failures;
        if (r->enc) {
            o->encoder_position = grid_segment_of_chunk(&r->grid, r->next);
            o->encoder_start = r->run_seg;
            o->pid = (int)r->enc->pid;
        }
        snprintf(o->error, sizeof(o->error), "%s", r->error);
        for (size_t k = 0; r->argv && r->argv[k] && rc == 0; k++)
            rc = append_arg(o, r->argv[k]);
    }
    pthread_mutex_unlock(&h->lock);
    if (rc < 0)
        hls_state_release(out);
    return rc;
}

void hls_state_release(struct hls_state *st)
{
    for (size_t i = 0; i < st->nrend; i++)
        hls_argv_free(st->rend[i].argv);
    st->nrend = 0;
}

int hls_master(struct hls *h, int64_t user, const char *id, const struct hls_master_query *q,
               char **text, size_t *len)
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
            if (q->only && strcmp(q->only, r->name) != 0)
                continue;
            if ((q->max_height && r->height > q->max_height && !r->copy) ||
                (q->max_bitrate &&
                 plan_peak_bitrate(false, r->video_bitrate, r->audio_bitrate) > q->max_bitrate &&
                 !r->copy))
                continue;
            list[n++] = *r;
        }
        if (n == 0 && !q->only && s->nrend)
            list[n++] = s->rend[s->nrend - 1].r;
        rc = n ? playlist_master(list, n, s->fmp4, q->prefix, text, len) : ERR_NOT_FOUND;
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
    out->paths = calloc(last - first + 1, sizeof(char *));
    if (!out->paths)
        return -ENOMEM;
    for (uint32_t c = first; c <= last; c++) {
        if (r->have[c] != CHUNK_FILE)
            continue;
        char path[PATH_MAX + 64];
        chunk_path(r, c, path, sizeof(path));
        if (!(out->paths[out->n] = strdup(path))) {
            hls_files_release(out);
            return -ENOMEM;
        }
        out->n++;
    }
    return 0;
}

bool made_in_parts(const struct rendition *r, size_t seg)
{
    return r->enc && seg == r->run_seg && !r->r.copy && r->grid.segs[seg].nchunks > 1;
}

bool chunks_ready(const struct rendition *r, uint32_t first, uint32_t last)
{
    if (first == UINT32_MAX)
        return r->init[0] != '\0';
    for (uint32_t c = first; c <= last; c++)
        if (!r->have[c])
            return false;
    return true;
}

/* Parks a request until chunks first … last are there. */
static int park(struct hls *h, struct rendition *r, const struct hls_waiter *w, uint32_t first,
                uint32_t last, bool part)
{
    struct waiter *wt = calloc(1, sizeof(*wt));
    if (!wt)
        return -ENOMEM;
    int64_t now = clock_mono_ms();
    wt->w = *w;
    wt->first = first;
    wt->last = last;
    wt->part = part;
    wt->since_ms = now;
    wt->deadline_ms = now + h->cfg.wait_ms;
    wt->next = r->waiters;
    r->waiters = wt;
    w->suspend(w->ctx);
    return HLS_WAIT;
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
    if (n >= 0)
        monitor_asked(h, r, (size_t)n);

    /* The init segment comes with whatever run starts first: from the start position. */
    size_t seg = n >= 0 ? (size_t)n : grid_find(&r->grid, s->start_ms / 1000.0);
    uint32_t first = n >= 0 ? r->grid.segs[seg].first_chunk : UINT32_MAX;
    uint32_t last = n >= 0 ? first + r->grid.segs[seg].nchunks - 1 : UINT32_MAX;
    if (chunks_ready(r, first, last)) {
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
    bool near = r->enc && want >= run_first(r) &&
                grid_segment_of_chunk(&r->grid, want) <= ahead + AHEAD_SEGMENTS;
    if (n < 0 && r->enc)
        near = true; /* any run writes the init */
    if (!near) {
        /* After failing twice running, the rendition answers 502 for a while, then lets
         * one request try again (a full disk freed, a file put back). */
        if (r->failures >= MAX_FAILURES && now - r->failed_ms < FAILED_RETRY_MS) {
            snprintf(out->error, sizeof(out->error), "%s", r->error);
            rc = strstr(r->error, "No space left on device") ? ERR_NO_SPACE : ERR_ENCODER_FAILED;
            goto out;
        }
        if (r->failures >= MAX_FAILURES)
            r->failures = MAX_FAILURES - 1;
        enum start_reason why = r->failures ? START_RETRY : r->runs ? START_SEEK : START_FIRST;
        rc = monitor_start_encoder(h, r, seg, why);
        if (rc < 0)
            goto out;
    }
    /* Being made in parts (by the run at hand, or the one just started): sent as they
     * come. Such a segment is the run's first, so it is always near. */
    if (n >= 0 && made_in_parts(r, seg)) {
        out->run = r->runs - 1;
        h->stats.segments_served++;
        rc = HLS_PARTS;
        goto out;
    }
    rc = park(h, r, w, first, last, false);
out:
    pthread_mutex_unlock(&h->lock);
    return rc;
}

void hls_forget_waiter(struct hls *h, int64_t user, const char *id, const char *rendition,
                       void *ctx)
{
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    struct rendition *r = s ? find_rendition(s, rendition) : NULL;
    for (struct waiter **p = r ? &r->waiters : NULL; p && *p;) {
        struct waiter *w = *p;
        if (w->w.ctx != ctx) {
            p = &w->next;
            continue;
        }
        *p = w->next;
        free(w);
    }
    pthread_mutex_unlock(&h->lock);
}

int hls_part(struct hls *h, int64_t user, const char *id, const char *rendition, long n,
             unsigned run, uint32_t k, const struct hls_waiter *w, char **path)
{
    *path = NULL;
    pthread_mutex_lock(&h->lock);
    struct session *s = find(h, user, id);
    struct rendition *r = s ? find_rendition(s, rendition) : NULL;
    int rc;
    if (h->closing) {
        rc = ERR_UNAVAILABLE;
    } else if (!r || n < 0 || (size_t)n >= r->grid.n) {
        rc = ERR_NOT_FOUND;
    } else {
        const struct hls_segment *seg = &r->grid.segs[n];
        uint32_t c = seg->first_chunk + k;
        s->active_ms = r->last_request_ms = clock_mono_ms();
        if (k >= seg->nchunks) {
            rc = HLS_DONE;
        } else if (r->runs != run + 1) {
            rc = ERR_UNAVAILABLE; /* another run makes the segment anew */
        } else if (r->have[c] == CHUNK_FILE) {
            char p[PATH_MAX + 64];
            chunk_path(r, c, p, sizeof(p));
            *path = strdup(p);
            rc = *path ? 0 : -ENOMEM;
        } else if (!r->enc || r->have[c] != CHUNK_MISSING) {
            rc = ERR_UNAVAILABLE; /* the run ended without it */
        } else {
            rc = park(h, r, w, c, c, true);
        }
    }
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
    out->viewer_encoders = h->viewer_encoders;
    pthread_mutex_unlock(&h->lock);
}

int hls_new(struct hls **out, const struct hls_config *cfg)
{
    struct hls *h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    h->cfg = *cfg;
    snprintf(h->temp_dir, sizeof(h->temp_dir), "%s", cfg->temp_dir);
    h->cfg.temp_dir = h->temp_dir;
    pthread_mutex_init(&h->lock, NULL);
    h->ep = h->ino = h->timer = h->wake = -1;

    /* Encoders and folders left by a crash: nothing can use them now. */
    char needle[PATH_MAX + 1];
    snprintf(needle, sizeof(needle), "%s/", cfg->temp_dir);
    int swept = process_sweep(needle);
    if (swept > 0)
        LOG(L_WARN, "hls", "killed %d encoders an earlier run of the server left", swept);
    rm_tree(cfg->temp_dir);
    int rc = mkdir(cfg->temp_dir, 0700) < 0 && errno != EEXIST ? -errno : 0;
    if (rc < 0)
        LOG(L_ERROR, "hls", "cannot create '%s': %s", cfg->temp_dir, strerror(-rc));
    if (rc == 0)
        rc = monitor_start(h);
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
    monitor_stop(h);
    rm_tree(h->cfg.temp_dir);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

void hls_set_hwenc(struct hls *h, enum hwenc e)
{
    pthread_mutex_lock(&h->lock);
    h->hwenc = e;
    pthread_mutex_unlock(&h->lock);
}

enum hwenc hls_hwenc(struct hls *h)
{
    pthread_mutex_lock(&h->lock);
    enum hwenc e = h->hwenc;
    pthread_mutex_unlock(&h->lock);
    return e;
}
