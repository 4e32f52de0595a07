/*
 * A prepared version: the HLS a browser would get, made once for the whole file and kept
 * in storage. The job plays the file through an HLS session of its own, as a viewer that
 * asks for every segment in turn: the same plan, grid, encoder and checks as on-demand
 * playback, with its encoders at low priority. Each segment goes to storage as it is made
 * (its encoder chunks joined into one object), each media playlist after its segments, and
 * the master playlist last, so a half-made version is never listed.
 */
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "jobs/internal.h"
#include "playback/decide.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The session layer parks a viewer; this one waits on a condition variable instead. */
struct wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken;
    enum hls_wake why;
};

static void on_park(void *ctx)
{
    (void)ctx;
}

static void on_wake(void *ctx, enum hls_wake why)
{
    struct wait *w = ctx;
    pthread_mutex_lock(&w->lock);
    w->woken = true;
    w->why = why;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void arm(struct wait *w)
{
    pthread_mutex_lock(&w->lock);
    w->woken = false;
    pthread_mutex_unlock(&w->lock);
}

static enum hls_wake wait_woken(struct wait *w)
{
    pthread_mutex_lock(&w->lock);
    while (!w->woken)
        pthread_cond_wait(&w->cond, &w->lock);
    enum hls_wake why = w->why;
    pthread_mutex_unlock(&w->lock);
    return why;
}

/* Appends the file at path to fd. */
static int append(int fd, const char *path, int64_t *bytes)
{
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -errno;
    char buf[1 << 16];
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            rc = errno == EINTR ? 0 : -errno;
            continue;
        }
        for (ssize_t off = 0; off < n && rc == 0;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0)
                rc = errno == EINTR ? 0 : -errno;
            else
                off += w;
        }
        if (rc == 0)
            *bytes += n;
    }
    close(in);
    return rc;
}

struct run {
    struct jobs *j;
    const char *id; /* the session */
    struct wait w;
    char *err;
    size_t errsize;
};

/* Writes segment n of rendition into fd: its chunks as the session hands them out, or its
 * parts in turn when its encoder makes it in parts. 0, JOB_STOPPED, or an error (with
 * ffmpeg's words in r->err when it failed). */
static int fetch(struct run *r, const char *rendition, long n, int fd, int64_t *bytes)
{
    struct hls *h = r->j->cfg.hls;
    const struct hls_waiter waiter = {&r->w, on_park, on_wake};
    for (;;) {
        if (atomic_load(&r->j->stopping))
            return JOB_STOPPED;
        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
            return -errno;
        *bytes = 0;
        struct hls_files files;
        arm(&r->w);
        int rc = hls_segment(h, 0, r->id, rendition, n, &waiter, &files);
        if (rc == HLS_WAIT) {
            wait_woken(&r->w);
            continue;
        }
        if (rc == ERR_ENCODERS_BUSY) {
            /* Viewers have every encoder: wait for one. */
            sleep(1);
            continue;
        }
        if (rc == ERR_ENCODER_FAILED)
            snprintf(r->err, r->errsize, "ffmpeg failed: %s", files.error);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            for (size_t i = 0; i < files.n && rc == 0; i++)
                rc = append(fd, files.paths[i], bytes);
            hls_files_release(&files);
            return rc;
        }
        /* HLS_PARTS: part k of this run, until the last. */
        unsigned run = files.run;
        for (uint32_t k = 0; rc >= 0;) {
            char *path = NULL;
            arm(&r->w);
            rc = hls_part(h, 0, r->id, rendition, n, run, k, &waiter, &path);
            if (rc == HLS_WAIT) {
                wait_woken(&r->w);
                rc = 0;
            } else if (rc == 0) {
                rc = append(fd, path, bytes);
                k++;
            } else if (rc == HLS_DONE) {
                free(path);
                return 0;
            }
            free(path);
        }
        if (rc != ERR_UNAVAILABLE)
            return rc;
        /* That run stopped before the segment was whole: ask again. */
    }
}

/* Puts every segment of rendition i into storage under key, then its playlist. Each is
 * written into a scratch file of its own, which storage then takes (a few at once, for an
 * object store). */
static int prepare_rendition(struct run *r, const struct hls_state *st, size_t i, const char *key,
                             size_t *done, size_t total, int64_t *bytes, int64_t job_id)
{
    const struct hls_rendition_state *rs = &st->rend[i];
    const char *name = rs->r.name;
    struct storage_batch *batch;
    int rc = storage_batch_new(r->j->cfg.storage, &batch);
    if (rc < 0)
        return rc;
    char obj[256], part[PATH_MAX];
    for (long n = st->fmp4 ? -1 : 0; n < (long)rs->segments && rc == 0; n++) {
        snprintf(part, sizeof(part), "%s/%s-%s-%ld", storage_scratch(r->j->cfg.storage), key, name,
                 n);
        int fd = open(part, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            rc = -errno;
            break;
        }
        int64_t size = 0;
        rc = fetch(r, name, n, fd, &size);
        if (close(fd) < 0 && rc == 0)
            rc = -errno;
        if (rc != 0) {
            unlink(part);
            break;
        }
        if (n < 0)
            snprintf(obj, sizeof(obj), "%s/%s/init.mp4", key, name);
        else
            snprintf(obj, sizeof(obj), "%s/%s/%ld.%s", key, name, n, st->fmp4 ? "m4s" : "ts");
        rc = storage_batch_put_file(batch, obj, part);
        *bytes += size;
        if (rc == 0 && ++*done % 4 == 0 &&
            store_job_progress(r->j->cfg.store, job_id, (double)*done / (double)total) < 0)
            LOG(L_WARN, "jobs", "cannot save the progress of job %lld", (long long)job_id);
    }
    /* Every segment is stored before the playlist that lists them. */
    int stored = storage_batch_end(batch);
    rc = rc ? rc : stored;
    char *text = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = hls_media(r->j->cfg.hls, 0, r->id, name, &text, &len);
    snprintf(obj, sizeof(obj), "%s/%s/index.m3u8", key, name);
    if (rc == 0)
        rc = storage_put(r->j->cfg.storage, obj, text, len);
    *bytes += (int64_t)len;
    free(text);
    return rc;
}

int prepare_run(struct jobs *j, const struct job *job, char *err, size_t size)
{
    struct media_file f;
    int rc = store_file_get(j->cfg.store, job->file_id, &f);
    if (rc < 0) {
        snprintf(err, size, "the file is not in the library");
        return rc;
    }
    struct stat sb;
    if (stat(f.path, &sb) < 0) {
        snprintf(err, size, "cannot read '%s': %s", f.path, strerror(errno));
        media_file_release(&f);
        return ERR_FILE_MISSING;
    }
    /* What a browser gets, always as HLS: a file it could play as it is is copied. */
    struct device_profile p;
    profile_default(&p);
    p.ncontainers = 0;
    struct play_options o = {.segments = SEGMENTS_FMP4};
    struct plan plan;
    rc = decide(&f, &p, &o, &plan);
    if (rc < 0) {
        snprintf(err, size, "the file cannot be played: %s",
                 f.error ? f.error : "it has no audio or video");
        media_file_release(&f);
        return rc;
    }
    struct hls_open open = {.user_id = 0,
                            .device = "prepare",
                            .file = &f,
                            .plan = &plan,
                            .fmp4 = !plan.ts,
                            .nice = j->cfg.nice};
    char id[HLS_ID_LEN + 1];
    rc = hls_open(j->cfg.hls, &open, id);
    media_file_release(&f);
    if (rc < 0)
        return rc;

    struct run r = {.j = j, .id = id, .err = err, .errsize = size};
    pthread_mutex_init(&r.w.lock, NULL);
    pthread_cond_init(&r.w.cond, NULL);
    struct hls_state st;
    rc = hls_state(j->cfg.hls, 0, id, &st);
    bool have_state = rc == 0;
    /* A version's objects go under a key of their own, so that making it anew never
     * touches the one being played until it is replaced whole. */
    char key[64], rnd[17];
    if (rc == 0)
        rc = random_hex(rnd, 8);
    snprintf(key, sizeof(key), "%lld-%s", (long long)job->file_id, rnd);
    size_t total = 0, done = 0;
    for (size_t i = 0; rc == 0 && i < st.nrend; i++)
        total += st.rend[i].segments + (st.fmp4 ? 1 : 0);
    int64_t bytes = 0;
    for (size_t i = 0; rc == 0 && i < st.nrend; i++)
        rc = prepare_rendition(&r, &st, i, key, &done, total, &bytes, job->id);
    char *text = NULL;
    size_t len = 0;
    struct hls_master_query all = {0};
    if (rc == 0)
        rc = hls_master(j->cfg.hls, 0, id, &all, &text, &len);
    char obj[128];
    snprintf(obj, sizeof(obj), "%s/master.m3u8", key);
    if (rc == 0)
        rc = storage_put(j->cfg.storage, obj, text, len);
    bytes += (int64_t)len;
    free(text);
    size_t nrend = have_state ? st.nrend : 0;
    if (have_state)
        hls_state_release(&st);
    if (hls_end(j->cfg.hls, 0, id) < 0)
        LOG(L_DEBUG, "jobs", "session %.8s had ended already", id);
    pthread_cond_destroy(&r.w.cond);
    pthread_mutex_destroy(&r.w.lock);
    if (rc != 0) {
        if (storage_delete(j->cfg.storage, key) < 0)
            LOG(L_WARN, "jobs", "cannot delete the half-made version '%s'", key);
        return rc;
    }

    struct prepared old, now = {.file_id = job->file_id,
                                .size = bytes,
                                .source_size = sb.st_size,
                                .source_mtime = sb.st_mtime,
                                .generated_at = clock_wall_ms(),
                                .played_at = clock_wall_ms()};
    snprintf(now.key, sizeof(now.key), "%s", key);
    bool replaced = store_prepared_get(j->cfg.store, job->file_id, &old) == 0;
    rc = store_prepared_put(j->cfg.store, &now);
    if (rc < 0) {
        if (storage_delete(j->cfg.storage, key) < 0)
            LOG(L_WARN, "jobs", "cannot delete the unrecorded version '%s'", key);
        return rc;
    }
    if (replaced && storage_delete(j->cfg.storage, old.key) < 0)
        LOG(L_WARN, "jobs", "cannot delete the older version '%s'", old.key);
    LOG(L_INFO, "jobs", "file %lld prepared: %zu renditions, %lld bytes, as '%s'",
        (long long)job->file_id, nrend, (long long)bytes, key);
    prepare_evict(j, job->file_id);
    return 0;
}

void prepare_evict(struct jobs *j, int64_t keep_file)
{
    struct prepared *list;
    size_t n;
    if (j->cfg.max_bytes <= 0 || store_prepared_list(j->cfg.store, &list, &n) < 0)
        return;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += list[i].size;
    for (size_t i = 0; i < n && total > j->cfg.max_bytes; i++) {
        if (list[i].file_id == keep_file)
            continue;
        if (store_prepared_delete(j->cfg.store, list[i].file_id) < 0 ||
            storage_delete(j->cfg.storage, list[i].key) < 0)
            continue;
        if (store_job_delete(j->cfg.store, "prepare", list[i].file_id) < 0)
            LOG(L_WARN, "jobs", "cannot forget the job of file %lld", (long long)list[i].file_id);
        total -= list[i].size;
        LOG(L_INFO, "jobs", "evicted the prepared version of file %lld (%lld bytes): past the cap",
            (long long)list[i].file_id, (long long)list[i].size);
    }
    free(list);
}
