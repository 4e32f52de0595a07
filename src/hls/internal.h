#pragma once
#include "core/files.h"
#include "hls/encoder.h"
#include "hls/grid.h"
#include "hls/hwenc.h"
#include "hls/session.h"
#include <limits.h>
#include <pthread.h>
#include <uthash.h>

/*
 * What the registry (registry.c) and the monitor (monitor.c) share. Everything here is
 * guarded by hls.lock. docs/internals/hls.md has the lifecycle.
 */

/* A request for a segment up to this many segments past the encoder waits for it; one
 * further ahead restarts the encoder there. */
enum { AHEAD_SEGMENTS = 3, TICK_MS = 200, MAX_FAILURES = 2 };
/* A rendition that failed MAX_FAILURES times running answers 502 this long, then tries. */
enum { FAILED_RETRY_MS = 10000 };
/* A rendition nobody asked anything of for this long stops encoding. */
enum { RENDITION_IDLE_MS = 30000 };

/* MPEG-TS segments of an encode are made in parts of this long (see grid.h), when the
 * source has at least this many frames per second, so that every part holds a few. */
#define HLS_PART_S 0.5
#define HLS_PART_MIN_FPS 8.0

/* What a rendition has of a chunk. */
enum { CHUNK_MISSING, CHUNK_FILE, CHUNK_COVERED /* in the file of a segment made whole */ };

struct waiter {
    struct waiter *next;
    struct hls_waiter w;
    uint32_t first, last; /* chunks it needs; first == UINT32_MAX for the init segment */
    bool part;            /* a segment sent part by part: it follows one run */
    int64_t since_ms, deadline_ms;
};

struct session;

struct rendition {
    struct session *s;
    struct hls_rendition r;
    struct hls_grid grid;
    char dir[PATH_MAX + 32];
    uint8_t *have; /* per chunk: CHUNK_* */
    int64_t *size; /* per chunk: its bytes, for the temp cap */
    struct encoder *enc;
    char **argv;     /* the last encoder's command line */
    size_t run_seg;  /* the segment the latest encoder started at */
    uint32_t next;   /* the first chunk at or after run_first() not yet done */
    unsigned runs;   /* encoders started; the latest is run runs - 1 */
    bool first_seen; /* the running encoder has finished a chunk */
    char init[PATH_MAX + 320];
    int failures;
    int64_t failed_ms; /* when failures last reached MAX_FAILURES */
    char error[1024];
    int wd;
    struct waiter *waiters;
    int64_t last_request_ms;
    size_t last_asked; /* the segment last asked for */
    bool handing_over; /* another rendition took the session's slot: stop once served */
    bool paused;       /* far ahead of the viewer: SIGSTOP until it comes closer */
    UT_hash_handle hh_wd;
};

struct session {
    char id[HLS_ID_LEN + 1];
    char key[240];
    int64_t user_id;
    int64_t file_id;
    char device[72];
    char *input;
    char source_codec[32]; /* the video's, and its height: what an encode's speed depends on */
    int source_height;
    double duration;
    double start_s; /* the source's first timestamp */
    struct plan plan;
    bool fmp4;
    double *keyframes;
    size_t nkeyframes;
    double keyframe_delay; /* decoding precedes presentation by this much (B-frames) */
    struct rendition rend[HLS_MAX_RENDITIONS];
    size_t nrend;
    char dir[PATH_MAX];
    int64_t created_ms, active_ms;
    int64_t start_ms;
    bool prewarm, used, ended;
    int nice;     /* its encoders' niceness */
    int dying;    /* encoders of an ended session not yet reaped */
    int encoding; /* its renditions' running encoders */
    UT_hash_handle hh_id, hh_key;
};

struct hls {
    struct hls_config cfg; /* cfg.temp_dir points at temp_dir */
    char temp_dir[PATH_MAX];
    pthread_mutex_t lock;
    struct session *by_id, *by_key;
    struct rendition *by_wd;
    struct encoder *retired; /* stopped or ended, not yet reaped */
    int encoders;
    int viewer_encoders; /* of sessions whose encoders are not niced: viewers' */
    int viewers;         /* sessions with an encoder running: what the cap counts */
    enum hwenc hwenc;    /* the hardware encoder found, HWENC_NONE until then or without */
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

enum start_reason { START_FIRST, START_SEEK, START_RETRY };

/* The first chunk of the latest encoder's run. */
static inline uint32_t run_first(const struct rendition *r)
{
    return r->grid.segs[r->run_seg].first_chunk;
}

/* monitor.c: encoders, and the thread that watches them. */
int monitor_start(struct hls *h) WUR;
/* Wakes the thread, which returns once closing and every encoder is reaped; then closes
 * its descriptors. */
void monitor_stop(struct hls *h);
/* The viewer asked for segment of r: the encoder's throttle follows. */
void monitor_asked(struct hls *h, struct rendition *r, size_t segment);
/* Starts r's encoder at segment, replacing the one it has; ERR_ENCODERS_BUSY at the cap. */
int monitor_start_encoder(struct hls *h, struct rendition *r, size_t segment,
                          enum start_reason reason) WUR;
/* Stops r's encoder, if any; it is reaped later. When owner is set, owner's folder goes
 * with the last encoder of the ended session. */
void monitor_retire(struct hls *h, struct rendition *r, struct session *owner);
/* Watches (or stops watching) a rendition's folder for finished chunks. */
int monitor_watch_dir(struct hls *h, struct rendition *r) WUR;
void monitor_unwatch_dir(struct hls *h, struct rendition *r);

/* registry.c, for the monitor. */
void session_end(struct hls *h, struct session *s, const char *why);
void session_free(struct session *s);
void wake_all(struct rendition *r, enum hls_wake why);
bool chunks_ready(const struct rendition *r, uint32_t first, uint32_t last);
/* Segment seg is made in parts by the latest encoder, which runs. */
bool made_in_parts(const struct rendition *r, size_t seg);
/* Wakes the requests sent part by part, which then find whether their run goes on. */
void wake_parts(struct rendition *r);
void chunk_path(const struct rendition *r, uint32_t c, char *out, size_t size);
void observe(int64_t *hist, int64_t *count, double *sum, double seconds);
