#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "jobs/internal.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void run_one(struct jobs *j, struct job *job)
{
    char err[1024] = "";
    int rc = strcmp(job->kind, "prepare") == 0     ? prepare_run(j, job, err, sizeof(err))
             : strcmp(job->kind, "trickplay") == 0 ? trickplay_run(j, job, err, sizeof(err))
             : strcmp(job->kind, "intro") == 0     ? intro_run(j, job, err, sizeof(err))
                                                   : ERR_BAD_REQUEST;
    /* Stopped, or cut short by the stop (its session ended under it): left running, to
     * be queued again at the next start. */
    if (rc == JOB_STOPPED || atomic_load(&j->stopping))
        return;
    if (rc < 0 && !*err)
        snprintf(err, sizeof(err), "%s", err_message(rc));
    if (store_job_finish(j->cfg.store, job->id, rc < 0 ? err : NULL, clock_wall_ms()) < 0)
        LOG(L_ERROR, "jobs", "cannot record the end of job %lld", (long long)job->id);
    if (rc < 0)
        LOG(L_WARN, "jobs", "%s of file %lld failed: %s", job->kind, (long long)job->file_id, err);
    else
        LOG(L_INFO, "jobs", "%s of file %lld done", job->kind, (long long)job->file_id);
}

static void *work(void *arg)
{
    struct jobs *j = arg;
    while (!atomic_load(&j->stopping)) {
        struct job job;
        int rc = store_job_claim(j->cfg.store, clock_wall_ms(), &job);
        if (rc == 0) {
            run_one(j, &job);
            continue;
        }
        /* Nothing queued (or the store failed): wait for a kick, or look again soon. */
        pthread_mutex_lock(&j->lock);
        if (!atomic_load(&j->stopping)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += rc == ERR_NOT_FOUND ? 30 : 5;
            pthread_cond_timedwait(&j->wake, &j->lock, &until);
        }
        pthread_mutex_unlock(&j->lock);
    }
    return NULL;
}

/* Whether name is a version's key, "<file id>-<16 hex digits>": what else a bucket holds is
 * not Reel's to delete. */
static bool version_key(const char *name)
{
    size_t digits = strspn(name, "0123456789");
    return digits > 0 && name[digits] == '-' &&
           strspn(name + digits + 1, "0123456789abcdef") == 16 && !name[digits + 17];
}

/* Deletes what storage holds that no prepared version names: the half-made version of a
 * job that a crash cut short (made anew under another key), or one whose file left the
 * library. */
static void sweep(const struct jobs_config *cfg)
{
    char **keys;
    size_t n;
    struct prepared *list;
    size_t np;
    if (storage_prefixes(cfg->storage, &keys, &n) < 0)
        return;
    if (store_prepared_list(cfg->store, &list, &np) < 0) {
        np = SIZE_MAX; /* keep everything */
        list = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        bool named = np == SIZE_MAX || !version_key(keys[i]);
        for (size_t k = 0; !named && k < np; k++)
            named = strcmp(list[k].key, keys[i]) == 0;
        if (!named && storage_delete(cfg->storage, keys[i]) == 0)
            LOG(L_INFO, "jobs", "deleted '%s' from storage: no prepared version is it", keys[i]);
        free(keys[i]);
    }
    free(keys);
    free(list);
}

int jobs_new(struct jobs **out, const struct jobs_config *cfg)
{
    struct jobs *j = calloc(1, sizeof(*j));
    if (!j)
        return -ENOMEM;
    j->cfg = *cfg;
    const char *data = cfg->data ? cfg->data : ".";
    snprintf(j->trickplay_dir, sizeof(j->trickplay_dir), "%s/trickplay", data);
    snprintf(j->fingerprint_dir, sizeof(j->fingerprint_dir), "%s/fingerprints", data);
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->wake, NULL);
    int n = 0;
    if (store_jobs_requeue(cfg->store, &n) < 0) {
        jobs_free(j);
        return ERR_INTERNAL;
    }
    if (n)
        LOG(L_INFO, "jobs", "%d job(s) cut short by the last stop are queued again", n);
    sweep(cfg);
    int threads = cfg->threads < 1 ? 1 : cfg->threads > 8 ? 8 : cfg->threads;
    for (; j->nthreads < threads; j->nthreads++) {
        int rc = pthread_create(&j->threads[j->nthreads], NULL, work, j);
        if (rc != 0) {
            jobs_free(j);
            return -rc;
        }
    }
    *out = j;
    return 0;
}

void jobs_after_scan(struct jobs *j)
{
    int n = 0, episodes = 0;
    if (store_jobs_queue_missing(j->cfg.store, "trickplay", false, clock_wall_ms(), &n) < 0)
        LOG(L_WARN, "jobs", "cannot queue the previews of new files");
    if (store_jobs_queue_missing(j->cfg.store, "intro", true, clock_wall_ms(), &episodes) < 0)
        LOG(L_WARN, "jobs", "cannot queue the intro detection of new episodes");
    if (n || episodes) {
        LOG(L_INFO, "jobs", "previews of %d file(s) and intros of %d episode(s) queued", n,
            episodes);
        jobs_kick(j);
    }
}

void jobs_kick(struct jobs *j)
{
    pthread_mutex_lock(&j->lock);
    pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->lock);
}

void jobs_stop(struct jobs *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->lock);
    atomic_store(&j->stopping, true);
    pthread_cond_broadcast(&j->wake);
    pthread_mutex_unlock(&j->lock);
}

void jobs_free(struct jobs *j)
{
    if (!j)
        return;
    jobs_stop(j);
    for (int i = 0; i < j->nthreads; i++)
        pthread_join(j->threads[i], NULL);
    pthread_cond_destroy(&j->wake);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

static const char *const status_names[] = {"none",  "queued", "generating",
                                           "ready", "failed", "stale"};

const char *prepared_status_name(enum prepared_status s)
{
    return status_names[s];
}

int jobs_prepared_view(struct jobs *j, int64_t file_id, struct prepared_view *out)
{
    memset(out, 0, sizeof(*out));
    struct job job;
    int rc = store_job_get(j->cfg.store, "prepare", file_id, &job);
    if (rc < 0 && rc != ERR_NOT_FOUND)
        return rc;
    bool have = store_prepared_get(j->cfg.store, file_id, &out->p) == 0;
    if (rc == 0 && job.state == JOB_QUEUED)
        out->status = PREPARED_QUEUED;
    else if (rc == 0 && job.state == JOB_RUNNING)
        out->status = PREPARED_GENERATING;
    else if (rc == 0 && job.state == JOB_FAILED)
        out->status = PREPARED_FAILED;
    else
        out->status = have ? PREPARED_READY : PREPARED_NONE;
    out->progress = rc == 0 ? job.progress : 0;
    if (out->status == PREPARED_FAILED)
        snprintf(out->error, sizeof(out->error), "%s", job.error);
    /* Made from a file that has changed since: the source on disk says so at once, before
     * a rescan does. */
    if (out->status == PREPARED_READY) {
        char *path = NULL;
        struct stat st;
        if (store_file_path(j->cfg.store, file_id, &path) == 0 && stat(path, &st) == 0 &&
            (st.st_size != out->p.source_size || st.st_mtime != out->p.source_mtime))
            out->status = PREPARED_STALE;
        free(path);
    }
    return 0;
}

int jobs_prepared_delete(struct jobs *j, int64_t file_id)
{
    struct prepared p;
    int rc = store_prepared_get(j->cfg.store, file_id, &p);
    if (rc == 0 && (rc = store_prepared_delete(j->cfg.store, file_id)) == 0)
        rc = storage_delete(j->cfg.storage, p.key);
    int jrc = store_job_delete(j->cfg.store, "prepare", file_id);
    return rc == ERR_NOT_FOUND ? jrc : rc;
}
