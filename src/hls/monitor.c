/*
 * The encoder monitor: starts and stops encoders, and one thread that reacts to what they
 * do: a chunk finished (inotify), stderr to read, a process ended (pidfd), and a tick for
 * deadlines, idle sessions and the temp cap. It never waits for a process: an exit is an
 * event, and a stopped encoder is reaped when its pidfd says so.
 */
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "hls/argv.h"
#include "hls/chunk.h"
#include "hls/internal.h"
#include "hls/mpegts.h"
#include "hls/speeds.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <utlist.h>

/* ---- encoders ---- */

/* Adds the encoder's descriptors to epoll. One that cannot be watched makes the tick poll
 * the encoder instead: drain its stderr (so that ffmpeg never blocks on a full pipe) and
 * look for its exit. */
static void watch_encoder(struct hls *h, struct encoder *e)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &e->tags[ENCODER_ERR]};
    if (epoll_ctl(h->ep, EPOLL_CTL_ADD, e->err_fd, &ev) < 0) {
        LOG(L_WARN, "hls", "cannot watch the stderr of encoder %d: %s; it is polled", (int)e->pid,
            strerror(errno));
        e->polled = true;
    }
    ev.data.ptr = &e->tags[ENCODER_PID];
    if (e->pid_fd >= 0 && epoll_ctl(h->ep, EPOLL_CTL_ADD, e->pid_fd, &ev) < 0) {
        LOG(L_WARN, "hls", "cannot watch encoder %d: %s; its exit is polled", (int)e->pid,
            strerror(errno));
        e->polled = true;
    }
}

static void unwatch_encoder(struct hls *h, struct encoder *e)
{
    epoll_ctl(h->ep, EPOLL_CTL_DEL, e->err_fd, NULL);
    if (e->pid_fd >= 0)
        epoll_ctl(h->ep, EPOLL_CTL_DEL, e->pid_fd, NULL);
}

/* An encoder of r is done: its speed (ffmpeg's own, over the whole run) goes into the
 * estimate for this kind of encode, if it ran long enough and was never paused. */
static void record_speed(struct hls *h, const struct rendition *r, const struct encoder *e)
{
    if (!h->cfg.speeds || r->r.copy || !r->s->source_height || e->speed <= 0 || e->was_paused ||
        clock_mono_ms() - e->started_ms < 3000)
        return;
    char key[96];
    speeds_key(key, sizeof(key), r->s->source_codec, r->s->source_height, r->r.height,
               h->cfg.preset ? h->cfg.preset : "veryfast");
    speeds_observe(h->cfg.speeds, key, e->speed);
    if (speeds_save(h->cfg.speeds) < 0)
        LOG(L_WARN, "hls", "cannot save the encode speeds");
}

/* Counts an encoder that starts (+1) or stops (-1) working for s. */
static void count_encoder(struct hls *h, struct session *s, int d)
{
    h->encoders += d;
    if (s->nice <= 0)
        h->viewer_encoders += d;
    if (d > 0 && s->encoding++ == 0)
        h->viewers++;
    if (d < 0 && --s->encoding == 0)
        h->viewers--;
}

void monitor_retire(struct hls *h, struct rendition *r, struct session *owner)
{
    struct encoder *e = r->enc;
    if (!e)
        return;
    r->enc = NULL;
    r->handing_over = r->paused = false;
    count_encoder(h, r->s, -1);
    wake_parts(r);
    encoder_drain(e);
    record_speed(h, r, e);
    encoder_stop(e, clock_mono_ms());
    e->retired = true;
    e->owner = owner;
    if (owner)
        owner->dying++;
    DL_APPEND(h->retired, e);
}

/* A viewer (a user's device) has one encoder slot. r is taking it: the encoders of the
 * session's other renditions stop, each once the requests waiting on it are served, and
 * so do those of the viewer's other sessions that nobody waits on. */
static void take_slot(struct hls *h, struct rendition *r)
{
    struct session *s = r->s, *t, *tmp;
    HASH_ITER(hh_id, h->by_id, t, tmp)
    {
        if (!t->encoding || t->user_id != s->user_id || strcmp(t->device, s->device) != 0)
            continue;
        for (size_t i = 0; i < t->nrend; i++) {
            struct rendition *o = &t->rend[i];
            if (o == r || !o->enc)
                continue;
            if (!o->waiters)
                monitor_retire(h, o, NULL);
            else if (t == s)
                o->handing_over = true;
        }
    }
}

/* Deletes the chunks of segment seg. */
static void forget_segment(struct rendition *r, size_t seg)
{
    const struct hls_segment *g = &r->grid.segs[seg];
    for (uint32_t c = g->first_chunk; c < g->first_chunk + g->nchunks; c++) {
        if (r->have[c] == CHUNK_FILE) {
            char path[PATH_MAX + 64];
            chunk_path(r, c, path, sizeof(path));
            unlink(path);
        }
        r->have[c] = CHUNK_MISSING;
        r->size[c] = 0;
    }
}

/* Every slot is taken and a viewer wants one: a background session (a prepared version
 * being made) gives up its encoders, and its waiters are told to ask again (they find the
 * slots taken, and wait). Returns whether one did. */
static bool preempt_background(struct hls *h)
{
    struct session *t, *tmp;
    HASH_ITER(hh_id, h->by_id, t, tmp)
    {
        if (!t->encoding || !t->nice)
            continue;
        for (size_t i = 0; i < t->nrend; i++) {
            struct rendition *o = &t->rend[i];
            if (!o->enc)
                continue;
            monitor_retire(h, o, NULL);
            wake_all(o, HLS_WAKE_RETRY);
        }
        LOG(L_INFO, "hls", "session %.8s, background work, gave its encoder slot to a viewer",
            t->id);
        return true;
    }
    return false;
}

int monitor_start_encoder(struct hls *h, struct rendition *r, size_t segment,
                          enum start_reason reason)
{
    struct session *s = r->s;
    take_slot(h, r);
    /* The cap counts viewers: one whose session still encodes keeps its slot. Viewers come
     * before background work. */
    if (!s->encoding && h->viewers >= h->cfg.max_encoders && (s->nice || !preempt_background(h)))
        return ERR_ENCODERS_BUSY;
    monitor_retire(h, r, NULL);
    struct hls_job job = {
        .ffmpeg = h->cfg.ffmpeg,
        .preset = h->cfg.preset,
        .input = s->input,
        .dir = r->dir,
        .plan = &s->plan,
        .rendition = &r->r,
        .grid = &r->grid,
        .keyframes = s->keyframes,
        .keyframe_delay = s->keyframe_delay,
        .start_s = s->start_s,
        .start_segment = segment,
        .fmp4 = s->fmp4,
        .run = r->runs,
        .hwenc = h->hwenc,
    };
    char **argv;
    int rc = hls_argv_build(&job, &argv);
    if (rc < 0)
        return rc;
    struct encoder *e;
    rc = encoder_spawn(argv, &e);
    if (rc < 0) {
        hls_argv_free(argv);
        return rc;
    }
    /* Background work (a prepared version) yields the CPU to viewers. */
    if (r->s->nice && setpriority(PRIO_PROCESS, e->pid, r->s->nice) < 0)
        LOG(L_WARN, "hls", "cannot lower encoder %d's priority: %s", (int)e->pid, strerror(errno));
    hls_argv_free(r->argv);
    r->argv = argv;
    watch_encoder(h, e);
    e->owner = r;
    r->enc = e;
    r->runs++;
    r->run_seg = segment;
    /* The run makes its first segment anew: what an earlier run left of it goes, so that
     * a segment never mixes two runs' parts (requests following the old run heard of it
     * when it was retired above). */
    forget_segment(r, segment);
    r->next = run_first(r);
    while (r->next < r->grid.nchunks && r->have[r->next])
        r->next++;
    r->first_seen = false;
    r->last_asked = segment;
    count_encoder(h, s, +1);
    static const char *const names[] = {"first", "seek", "retry"};
    int64_t *counts[] = {&h->stats.starts_first, &h->stats.starts_seek, &h->stats.starts_retry};
    (*counts[reason])++;
    LOG(L_INFO, "hls", "session %.8s: %s encoder %d started at segment %zu (%s)", s->id, r->r.name,
        (int)e->pid, segment, names[reason]);
    return 0;
}

static void bury(struct hls *h, struct encoder *e)
{
    e->buried = true;
    unwatch_encoder(h, e);
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
    for (size_t i = 0; i < h->ngraves; i++)
        encoder_free(h->graves[i]);
    h->ngraves = 0;
}

static int64_t evict_one(struct hls *h);

/* An encoder a rendition still owns has ended on its own. */
static void on_exit_owned(struct hls *h, struct rendition *r)
{
    struct encoder *e = r->enc;
    bool ok = encoder_succeeded(e);
    if (!ok || r->waiters) {
        /* Failing, or ending without what a request waits for, counts against retries. */
        if (++r->failures >= MAX_FAILURES)
            r->failed_ms = clock_mono_ms();
        h->stats.failures++;
        encoder_last_lines(e, 6, r->error, sizeof(r->error));
        if (ok)
            snprintf(r->error, sizeof(r->error), "ffmpeg ended before writing the segment");
        LOG(L_WARN, "hls", "session %.8s: %s encoder %d failed: %s", r->s->id, r->r.name,
            (int)e->pid, r->error);
        if (strstr(r->error, "No space left on device")) {
            LOG(L_ERROR, "hls", "the disk of '%s' is full: the temp files nobody uses go",
                h->cfg.temp_dir);
            while (evict_one(h))
                ;
        }
    }
    r->enc = NULL;
    r->handing_over = r->paused = false;
    count_encoder(h, r->s, -1);
    if (ok)
        record_speed(h, r, e);
    bury(h, e);
    /* Woken requests ask again: a retry, or the error. */
    wake_all(r, HLS_WAKE_RETRY);
}

/* A retired encoder is reaped: the last one of an ended session takes its folder along. */
static void on_exit_retired(struct hls *h, struct encoder *e)
{
    DL_DELETE(h->retired, e);
    struct session *owner = e->owner;
    bury(h, e);
    if (owner && --owner->dying == 0) {
        rm_tree(owner->dir);
        session_free(owner);
    }
}

static void read_inotify(struct hls *h);

static void on_pid(struct hls *h, struct encoder *e)
{
    if (e->buried)
        return;
    encoder_drain(e);
    if (!encoder_reap(e))
        return;
    /* The chunks an encoder finished before it ended count before its end does: their
     * events may come later in the same batch. */
    read_inotify(h);
    if (e->retired)
        on_exit_retired(h, e);
    else
        on_exit_owned(h, e->owner);
}

/* ---- finished chunks ---- */

int monitor_watch_dir(struct hls *h, struct rendition *r)
{
    r->wd = inotify_add_watch(h->ino, r->dir, IN_MOVED_TO | IN_CLOSE_WRITE);
    if (r->wd < 0)
        return -errno;
    HASH_ADD(hh_wd, h->by_wd, wd, sizeof(r->wd), r);
    return 0;
}

void monitor_unwatch_dir(struct hls *h, struct rendition *r)
{
    if (r->wd < 0)
        return;
    HASH_DELETE(hh_wd, h->by_wd, r);
    inotify_rm_watch(h->ino, r->wd);
    r->wd = -1;
}

/* Wakes the waiters whose chunks are all there now. */
static void wake_ready(struct hls *h, struct rendition *r)
{
    int64_t now = clock_mono_ms();
    struct waiter **p = &r->waiters;
    while (*p) {
        struct waiter *w = *p;
        if (chunks_ready(r, w->first, w->last)) {
            *p = w->next;
            observe(h->stats.wait, &h->stats.wait_count, &h->stats.wait_sum,
                    (now - w->since_ms) / 1000.0);
            w->w.resume(w->w.ctx, HLS_WAKE_READY);
            free(w);
        } else {
            p = &w->next;
        }
    }
    if (r->handing_over && !r->waiters)
        monitor_retire(h, r, NULL);
}

/* The chunk of the grid that the i-th file of the latest run is, or UINT32_MAX past the
 * end; *whole when that file is a segment with room for parts. A copy writes one file per
 * keyframe; an encode writes its first segment in parts, then one file per segment. */
static uint32_t chunk_of_file(const struct rendition *r, unsigned long i, bool *whole)
{
    const struct hls_grid *g = &r->grid;
    const struct hls_segment *first = &g->segs[r->run_seg];
    *whole = false;
    if (r->r.copy || g->part == 0)
        return i < g->nchunks - first->first_chunk ? first->first_chunk + (uint32_t)i : UINT32_MAX;
    if (i < first->nchunks)
        return first->first_chunk + (uint32_t)i;
    size_t seg = r->run_seg + 1 + (i - first->nchunks);
    if (seg >= g->n)
        return UINT32_MAX;
    *whole = g->segs[seg].nchunks > 1;
    return g->segs[seg].first_chunk;
}

/* "eRUN-I.m4s" or "eRUN-I.ts": the I-th chunk file of encoder run RUN. */
static bool parse_file(const char *name, unsigned long *run, unsigned long *i)
{
    char *end;
    if (name[0] != 'e')
        return false;
    *run = strtoul(name + 1, &end, 10);
    if (end == name + 1 || *end != '-')
        return false;
    const char *p = end + 1;
    *i = strtoul(p, &end, 10);
    return end != p && (strcmp(end, ".m4s") == 0 || strcmp(end, ".ts") == 0);
}

/* A chunk file the latest run finished takes its place in the grid, as "C.m4s". */
static void on_file(struct hls *h, struct rendition *r, const char *name)
{
    if (strncmp(name, "init_", 5) == 0 && strstr(name, ".mp4") && !strstr(name, ".tmp")) {
        if (!r->init[0])
            snprintf(r->init, sizeof(r->init), "%s/%s", r->dir, name);
        wake_ready(h, r);
        return;
    }
    unsigned long run, i;
    if (!parse_file(name, &run, &i))
        return; /* ours, or ffmpeg's own */
    char from[PATH_MAX + 320], path[PATH_MAX + 64];
    snprintf(from, sizeof(from), "%s/%s", r->dir, name);
    bool whole;
    uint32_t c = r->runs && run == r->runs - 1 ? chunk_of_file(r, i, &whole) : UINT32_MAX;
    if (c == UINT32_MAX) {
        unlink(from); /* from a run since replaced */
        return;
    }
    chunk_path(r, c, path, sizeof(path));
    if (rename(from, path) < 0) {
        LOG(L_WARN, "hls", "chunk %s: %s", from, strerror(errno));
        unlink(from);
        return;
    }
    int64_t size;
    int rc = !r->s->fmp4                            ? mpegts_fix_file(path, &size)
             : chunk_file_whole(path, false, &size) ? 0
                                                    : -EBADMSG;
    if (rc < 0) {
        /* A full disk: ffmpeg renames what it could write. It fails soon after. */
        LOG(L_ERROR, "hls", "chunk %s (%lld bytes) is not served: %s; is the disk full?", path,
            (long long)size, rc == -EBADMSG ? "it is not whole" : strerror(-rc));
        unlink(path);
        return;
    }
    r->size[c] = size;
    r->have[c] = CHUNK_FILE;
    if (whole) {
        /* Parts an earlier run left of this segment are covered by the whole. */
        size_t seg = grid_segment_of_chunk(&r->grid, c);
        for (uint32_t k = c + 1; k < c + r->grid.segs[seg].nchunks; k++) {
            if (r->have[k] == CHUNK_FILE) {
                chunk_path(r, k, path, sizeof(path));
                unlink(path);
            }
            r->have[k] = CHUNK_COVERED;
            r->size[k] = 0;
        }
    }
    if (r->enc && !r->first_seen && c >= run_first(r)) {
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

/* ---- the tick ---- */

static int64_t temp_bytes(struct hls *h)
{
    int64_t total = 0;
    struct session *s, *tmp;
    HASH_ITER(hh_id, h->by_id, s, tmp)
    {
        for (size_t i = 0; i < s->nrend; i++)
            for (uint32_t c = 0; c < s->rend[i].grid.nchunks; c++)
                total += s->rend[i].have[c] ? s->rend[i].size[c] : 0;
    }
    return total;
}

/* The rendition with chunks on disk that nobody encodes or waits for, least recently
 * asked for; NULL when there is none. */
static struct rendition *eviction_candidate(struct hls *h)
{
    struct rendition *oldest = NULL;
    struct session *s, *tmp;
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
    return oldest;
}

/* Deletes the chunks of the least recently used rendition nobody encodes or waits for;
 * returns the bytes freed, 0 when there was none. */
static int64_t evict_one(struct hls *h)
{
    struct rendition *oldest = eviction_candidate(h);
    if (!oldest)
        return 0;
    int64_t freed = 0;
    for (uint32_t c = 0; c < oldest->grid.nchunks; c++) {
        if (oldest->have[c] == CHUNK_FILE) {
            char path[PATH_MAX + 64];
            chunk_path(oldest, c, path, sizeof(path));
            unlink(path);
        }
        oldest->have[c] = CHUNK_MISSING;
        freed += oldest->size[c];
        oldest->size[c] = 0;
    }
    LOG(L_INFO, "hls", "session %.8s: evicted %s's temp files", oldest->s->id, oldest->r.name);
    return freed > 0 ? freed : 1;
}

/* Evicts until the temp folders fit under the cap again. */
static void enforce_temp_cap(struct hls *h)
{
    if (h->cfg.temp_max_bytes <= 0)
        return;
    int64_t total = temp_bytes(h), freed = 1;
    while (total > h->cfg.temp_max_bytes && freed > 0) {
        freed = evict_one(h);
        total -= freed;
    }
}

/* How far the encoder is ahead of the segment its viewer last asked for, in seconds. */
static double lead_s(const struct rendition *r)
{
    if (r->next >= r->grid.nchunks)
        return 0;
    size_t at = grid_segment_of_chunk(&r->grid, r->next);
    return r->grid.segs[at].start - r->grid.segs[r->last_asked].start;
}

/* An encoder far ahead of its viewer is paused (SIGSTOP), so that it leaves the CPU to
 * others, and resumed when the viewer comes within half that distance, or waits. */
static void throttle(struct hls *h, struct rendition *r)
{
    if (!r->enc || r->enc->stopping || h->cfg.throttle_s <= 0)
        return;
    double lead = lead_s(r);
    if (!r->paused && !r->waiters && lead > h->cfg.throttle_s) {
        encoder_pause(r->enc, true);
        r->enc->was_paused = r->paused = true;
        h->stats.pauses++;
    } else if (r->paused && (r->waiters || lead < h->cfg.throttle_s / 2)) {
        encoder_pause(r->enc, false);
        r->paused = false;
    }
}

void monitor_asked(struct hls *h, struct rendition *r, size_t segment)
{
    r->last_asked = segment;
    throttle(h, r);
}

/* Requests past their deadline answer 504; renditions nobody watches stop encoding. */
static void tick_rendition(struct hls *h, struct rendition *r, int64_t now)
{
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
    if (r->enc && r->enc->polled)
        on_pid(h, r->enc);
    throttle(h, r);
    /* A player that switched away. */
    if (r->enc && !r->waiters && r->s->used && now - r->last_request_ms > RENDITION_IDLE_MS)
        monitor_retire(h, r, NULL);
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
        for (size_t i = 0; i < s->nrend; i++)
            tick_rendition(h, &s->rend[i], now);
    }
    struct encoder *e, *next;
    DL_FOREACH_SAFE(h->retired, e, next)
    {
        if (!e->exited && now - e->stop_ms > h->cfg.grace_ms)
            encoder_kill(e);
        if (e->polled)
            on_pid(h, e);
    }
    enforce_temp_cap(h);
}

/* ---- the thread ---- */

static bool done(const struct hls *h)
{
    return h->closing && h->retired == NULL && h->encoders == 0;
}

static void on_event(struct hls *h, void *p, bool *quit)
{
    uint64_t x;
    if (p == &h->ino) {
        read_inotify(h);
    } else if (p == &h->timer) {
        if (read(h->timer, &x, sizeof(x)) > 0)
            tick(h);
    } else if (p == &h->wake) {
        if (read(h->wake, &x, sizeof(x)) > 0)
            *quit = done(h);
    } else {
        struct encoder_tag *t = p;
        if (t->fd == ENCODER_ERR && !t->enc->buried)
            encoder_drain(t->enc);
        else if (t->fd == ENCODER_PID)
            on_pid(h, t->enc);
    }
}

static void *monitor(void *arg)
{
    struct hls *h = arg;
    struct epoll_event evs[32];
    for (;;) {
        int n = epoll_wait(h->ep, evs, 32, -1);
        pthread_mutex_lock(&h->lock);
        bool quit = false;
        for (int i = 0; i < n; i++)
            on_event(h, evs[i].data.ptr, &quit);
        empty_graves(h);
        quit |= done(h);
        pthread_mutex_unlock(&h->lock);
        if (quit)
            return NULL;
    }
}

int monitor_start(struct hls *h)
{
    h->ep = epoll_create1(EPOLL_CLOEXEC);
    h->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    h->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    h->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (h->ep < 0 || h->ino < 0 || h->timer < 0 || h->wake < 0)
        return -errno;
    struct itimerspec its = {{0, TICK_MS * 1000000}, {0, TICK_MS * 1000000}};
    if (timerfd_settime(h->timer, 0, &its, NULL) < 0)
        return -errno;
    int fds[] = {h->ino, h->timer, h->wake};
    void *tags[] = {&h->ino, &h->timer, &h->wake};
    for (int i = 0; i < 3; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tags[i]};
        if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fds[i], &ev) < 0)
            return -errno;
    }
    int rc = -pthread_create(&h->thread, NULL, monitor, h);
    h->thread_started = rc == 0;
    return rc;
}

void monitor_stop(struct hls *h)
{
    if (h->thread_started) {
        /* The monitor reaps the stopping encoders, then returns. */
        uint64_t one = 1;
        if (write(h->wake, &one, sizeof(one)) < 0)
            LOG(L_WARN, "hls", "cannot wake the monitor: %s", strerror(errno));
        pthread_join(h->thread, NULL);
        h->thread_started = false;
    }
    int fds[] = {h->ep, h->ino, h->timer, h->wake};
    for (int i = 0; i < 4; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    h->ep = h->ino = h->timer = h->wake = -1;
    empty_graves(h);
    free(h->graves);
    h->graves = NULL;
}
