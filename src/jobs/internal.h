#pragma once
#include "jobs/jobs.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct jobs {
    struct jobs_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_bool stopping;
    int nthreads;
    pthread_t threads[8];
    char trickplay_dir[4200]; /* cfg.trickplay_dir points here */
};

/* Job results beyond 0 and a negative error. */
enum { JOB_STOPPED = 1 };

/* Makes file's prepared version. Returns 0, JOB_STOPPED when the runner is stopping, or
 * an error with its words in err. */
int prepare_run(struct jobs *j, const struct job *job, char *err, size_t size);
/* Makes file's scrubbing previews, likewise. */
int trickplay_run(struct jobs *j, const struct job *job, char *err, size_t size);
/* Evicts prepared versions, least recently played first, until the rest fit the cap;
 * never keep_file's. */
void prepare_evict(struct jobs *j, int64_t keep_file);
