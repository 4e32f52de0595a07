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
    char trickplay_dir[4200];   /* <data>/trickplay: previews (library/trickplay.h) */
    char fingerprint_dir[4200]; /* <data>/fingerprints: the start of episodes' audio */
};

/* Job results beyond 0 and a negative error. */
enum { JOB_STOPPED = 1 };

/* How a task runs ffmpeg (job_ffmpeg()). */
struct job_run {
    int64_t job_id;
    const char *log;               /* ffmpeg's stderr, removed after */
    bool pause;                    /* stopped (SIGSTOP) while viewers' encoders run */
    double (*progress)(void *ctx); /* asked every second: 0 to 1, or below 0 for unknown */
    void *ctx;
    char *err; /* ffmpeg's words when it fails */
    size_t errsize;
};
/* Runs argv to its end at the jobs' niceness: 0, JOB_STOPPED when the runner stops (it is
 * killed), or an error. */
int job_ffmpeg(struct jobs *j, const struct job_run *r, char **argv);

/* Makes file's prepared version. Returns 0, JOB_STOPPED when the runner is stopping, or
 * an error with its words in err. */
int prepare_run(struct jobs *j, const struct job *job, char *err, size_t size);
/* Makes file's scrubbing previews, likewise. */
int trickplay_run(struct jobs *j, const struct job *job, char *err, size_t size);
/* Fingerprints the start of an episode's audio and finds the intro it shares with the
 * season's other episodes, likewise. */
int intro_run(struct jobs *j, const struct job *job, char *err, size_t size);
/* Evicts prepared versions, least recently played first, until the rest fit the cap;
 * never keep_file's. */
void prepare_evict(struct jobs *j, int64_t keep_file);
