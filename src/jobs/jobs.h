#pragma once
#include "core/compat.h"
#include "hls/session.h"
#include "storage/storage.h"
#include "store/store.h"
#include <stdint.h>

/*
 * The background job runner: jobs persist in the store (queued, running, done, failed),
 * a few threads take them in the order queued, and a job cut short by a stop or a crash
 * is queued again at the next start and made anew. Kinds: "prepare" (jobs/prepare.c),
 * which go first, and "trickplay" (jobs/trickplay.c), queued for new and changed files
 * after every scan.
 */
struct jobs;

struct jobs_config {
    struct store *store;
    struct hls *hls;
    struct storage *storage;
    int threads;       /* jobs at once */
    int nice;          /* the niceness of their encoders */
    int64_t max_bytes; /* prepared versions past this are evicted, least recently played first */
    const char *ffmpeg;
    const char *data; /* the data folder: previews and fingerprints go under it */
    int trickplay_interval, trickplay_width, trickplay_tiles;
};

int jobs_new(struct jobs **out, const struct jobs_config *cfg) WUR;
/* A job was queued: wakes a thread. */
void jobs_kick(struct jobs *j);
/* Queues the background work that new and changed files need (their previews), and wakes
 * a thread: after a scan. */
void jobs_after_scan(struct jobs *j);
/* Tells the threads to stop: a running job stops at its next segment, or when its
 * session ends (hls_close()), and is queued again at the next start. Accepts NULL. */
void jobs_stop(struct jobs *j);
/* Stops (if not yet), joins the threads and frees. Accepts NULL. */
void jobs_free(struct jobs *j);

/* The status of file's prepared version, as GET /api/v1/prepared/:id shows it. */
enum prepared_status {
    PREPARED_NONE,
    PREPARED_QUEUED,
    PREPARED_GENERATING,
    PREPARED_READY,
    PREPARED_FAILED,
    PREPARED_STALE,
};
struct prepared_view {
    enum prepared_status status;
    double progress;   /* 0 to 1, while generating */
    struct prepared p; /* when ready or stale */
    char error[1024];  /* when failed */
};
const char *prepared_status_name(enum prepared_status s);
int jobs_prepared_view(struct jobs *j, int64_t file_id, struct prepared_view *out) WUR;
/* Removes file's prepared version from storage and the store, and its job. */
int jobs_prepared_delete(struct jobs *j, int64_t file_id) WUR;
