#pragma once
#include "core/compat.h"
#include "hls/hwenc.h"
#include "hls/playlist.h"
#include "playback/decide.h"
#include "store/media.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * HLS sessions: one per (user, file, plan), found by id or by that key in O(1). A session
 * owns a temp folder with one subfolder per rendition, and at most one ffmpeg per
 * rendition being watched. See docs/internals/hls.md for the lifecycle and every rule.
 *
 * Everything is guarded by one lock, held only for bookkeeping: no call here blocks on
 * a process or on the network. Callers get copies (paths, texts), never pointers into a
 * session, so a session can end at any moment without a reference count.
 */
enum { HLS_ID_LEN = 32 };

/* hls_new() copies what it needs: the strings must only outlive the server (ffmpeg, preset)
 * or not even that (temp_dir). */
struct hls_config {
    const char *ffmpeg;
    const char *preset; /* x264's */
    const char *temp_dir;
    double segment_s;
    int max_encoders;
    int64_t idle_ms;
    int64_t prewarm_ms;
    int64_t wait_ms;
    int64_t grace_ms;
    int64_t temp_max_bytes;
    double throttle_s;     /* an encoder this far ahead of its viewer is paused; 0: never */
    struct speeds *speeds; /* where encode speeds are recorded; NULL: nowhere */
};

/* Why a suspended request was woken. */
enum hls_wake { HLS_WAKE_READY, HLS_WAKE_TIMEOUT, HLS_WAKE_ENDED, HLS_WAKE_RETRY };

/* How the session layer parks a request that must wait for a segment: suspend() is called
 * under the lock before hls_segment() returns HLS_WAIT, so resume() cannot come first. */
struct hls_waiter {
    void *ctx;
    void (*suspend)(void *ctx);
    void (*resume)(void *ctx, enum hls_wake why);
};

struct hls_open {
    int64_t user_id;
    const char *device; /* the client's device id, "" when it names none */
    const struct media_file *file;
    const struct plan *plan;
    bool fmp4;
    int64_t start_ms;
    bool prewarm;
    int nice; /* the encoders' niceness: above 0 for background work */
    /* The copied video's keyframes (keyframes_read()), read beforehand off the HTTP
     * threads when hls_needs_keyframes() said so; hls_open() frees them. NULL: hls_open()
     * reads them itself if it must. */
    double *keyframes;
    size_t nkeyframes;
    double keyframe_delay;
};

/* What to send for a segment: its chunk files, in order. */
struct hls_files {
    char **paths;
    size_t n;
    unsigned run;     /* HLS_PARTS: the encoder run that makes the parts */
    char error[1024]; /* ffmpeg's last lines, for ERR_ENCODER_FAILED */
};

enum { HLS_WAIT = 1, HLS_PARTS, HLS_DONE };

struct hls_stats {
    int64_t sessions, encoders;
    int64_t viewer_encoders; /* those working for viewers, not for background jobs */
    int64_t starts_first, starts_seek, starts_retry;
    int64_t failures;
    int64_t pauses; /* encoders paused for running far ahead of their viewer */
    int64_t segments_served, bytes_served;
    /* Histograms in seconds, cumulative counts per bucket bound in hls_buckets[]. */
    int64_t ttfs[10], ttfs_count;
    double ttfs_sum;
    int64_t wait[10], wait_count;
    double wait_sum;
};
extern const double hls_buckets[9];

/* What a session is doing, for GET /api/v1/hls/:session. */
struct hls_rendition_state {
    struct hls_rendition r;
    size_t segments, chunks_on_disk;
    bool encoding;
    bool paused; /* far ahead of its viewer */
    int failures;
    /* While encoding: the segment the encoder started at and the one it is at. */
    size_t encoder_start, encoder_position;
    int pid;
    char error[1024]; /* the last failure's words, or "" */
    char **argv;      /* the last encoder's command line, NULL-terminated, or NULL */
    size_t nargs;
};

struct hls_state {
    char id[HLS_ID_LEN + 1];
    bool playing; /* false while only pre-warmed */
    double duration;
    bool fmp4;
    enum play_method method;
    int64_t idle_ms, start_ms;
    struct hls_rendition_state rend[HLS_MAX_RENDITIONS];
    size_t nrend;
};

struct hls;

/* Sweeps temp folders an earlier run left, and starts the monitor thread. */
int hls_new(struct hls **out, const struct hls_config *cfg) WUR;
/* Ends every session and wakes every waiting request: the first step of a shutdown, before
 * the HTTP server stops. */
void hls_close(struct hls *h);
/* Stops the monitor after every encoder is reaped, and frees. Accepts NULL. */
void hls_free(struct hls *h);

/* The session for (user, file, plan), made if there is none; writes its id. */
int hls_open(struct hls *h, const struct hls_open *o, char id[HLS_ID_LEN + 1]) WUR;
/* The file a session of user plays; ERR_NOT_FOUND for another user's or none. */
int hls_session_file(struct hls *h, int64_t user, const char *id, int64_t *file) WUR;
/* Whether hls_open() would make a session whose copied video needs its keyframes read,
 * which for a file without an index (MPEG-TS) means reading it whole. */
bool hls_needs_keyframes(struct hls *h, const struct hls_open *o);
/* Starts the first rendition's encoder at the session's start position, unless running. */
int hls_prewarm(struct hls *h, const char *id) WUR;

/* The calls below answer ERR_NOT_FOUND for an unknown session and for another user's. */
int hls_end(struct hls *h, int64_t user, const char *id) WUR;
int hls_touch(struct hls *h, int64_t user, const char *id) WUR;
/* Fills out; free it with hls_state_release(). */
int hls_state(struct hls *h, int64_t user, const char *id, struct hls_state *out) WUR;
void hls_state_release(struct hls_state *st);
/* Which renditions the master playlist lists, and where they are. */
struct hls_master_query {
    int max_height;      /* no taller than this; 0: any */
    int64_t max_bitrate; /* no more bits per second than this; 0: any */
    const char *only;    /* only the rendition of this name; NULL: all */
    const char *prefix;  /* the session's URL, written before each rendition's URI */
};
/* The master playlist for q; a limit below every rendition still leaves the smallest. */
int hls_master(struct hls *h, int64_t user, const char *id, const struct hls_master_query *q,
               char **text, size_t *len) WUR;
int hls_media(struct hls *h, int64_t user, const char *id, const char *rendition, char **text,
              size_t *len) WUR;
/*
 * Segment n of a rendition, or its init segment when n is -1. Returns 0 with the files to
 * send (free them with hls_files_release), HLS_WAIT after parking the request, HLS_PARTS
 * when the running encoder makes the segment in parts (out->run names it; send them with
 * hls_part() as they come), or an error: ERR_NOT_FOUND, ERR_ENCODERS_BUSY (the encoder
 * cap), ERR_ENCODER_FAILED (with ffmpeg's words in out->error), ERR_UNAVAILABLE while
 * shutting down.
 */
int hls_segment(struct hls *h, int64_t user, const char *id, const char *rendition, long n,
                const struct hls_waiter *w, struct hls_files *out) WUR;
/*
 * Part k of segment n, made by encoder run `run`: 0 with its file in *path (free it),
 * HLS_WAIT after parking the caller until it is made, HLS_DONE past the last part, or
 * ERR_UNAVAILABLE when that run stopped without making it (another took over, or it
 * failed), ERR_NOT_FOUND when the session is gone.
 */
int hls_part(struct hls *h, int64_t user, const char *id, const char *rendition, long n,
             unsigned run, uint32_t k, const struct hls_waiter *w, char **path) WUR;
/* Drops what waits for ctx on that rendition: a request sent part by part whose client went
 * mid-wait. (A session that ended woke and dropped its waiters already.) */
void hls_forget_waiter(struct hls *h, int64_t user, const char *id, const char *rendition,
                       void *ctx);
void hls_files_release(struct hls_files *f);
/* Counts bytes that went out, for /metrics. */
void hls_count_served(struct hls *h, int64_t bytes);
void hls_stats(struct hls *h, struct hls_stats *out);
/* The hardware encoder that later encoders use (found at start-up), and which that is. */
void hls_set_hwenc(struct hls *h, enum hwenc e);
enum hwenc hls_hwenc(struct hls *h);
