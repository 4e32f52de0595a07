#pragma once
#include "core/compat.h"
#include "core/config.h"
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>

/*
 * Library scans, one at a time, on a background thread. A scan walks every library folder,
 * probes new and changed files (by size and mtime) on several threads, and marks files it
 * did not find as missing, then makes the posters that are missing. A folder that cannot be read is
 * reported and its files are left as they were, so an unmounted disk does not empty the library.
 */
struct scanner;

enum { SCAN_MAX_ERRORS = 8 };

struct scan_status {
    bool running;
    int64_t started_at, finished_at; /* wall-clock ms, 0 when not yet */
    int64_t found;                   /* video files found so far */
    int64_t done;                    /* of those, handled */
    int64_t probed, unchanged, failed, missing;
    int64_t posters_pending; /* made after the files are done, on the same thread */
    int nerrors;
    char errors[SCAN_MAX_ERRORS][256];
};

/* posters (a folder) and ffmpeg may be NULL: then no posters are made. */
int scanner_new(struct scanner **out, struct store *store, const struct strlist *folders,
                int threads, const char *posters, const char *ffmpeg) WUR;
/* Calls done(ctx) on the scan's thread after every scan that ran to the end. Set it before
 * the first scan starts. */
void scanner_on_done(struct scanner *sc, void (*done)(void *ctx), void *ctx);
/* Starts a scan; ERR_SCAN_RUNNING when one is under way. */
int scanner_start(struct scanner *sc) WUR;
void scanner_status(struct scanner *sc, struct scan_status *st);
/* Blocks until the running scan, if any, has finished. */
void scanner_wait(struct scanner *sc);
/* Stops a running scan at the next file and frees everything. Accepts NULL. */
void scanner_free(struct scanner *sc);
