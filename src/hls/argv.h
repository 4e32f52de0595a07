#pragma once
#include "core/compat.h"
#include "hls/grid.h"
#include "hls/hwenc.h"
#include "hls/playlist.h"
#include "playback/decide.h"
#include <stdbool.h>
#include <stddef.h>

/*
 * The one place an ffmpeg command line is made. Pure: from the plan, the rendition and its
 * grid to an argv. The command writes the chunks it makes into dir, numbered from 0 in the
 * order it makes them: "eRUN-I.m4s" (or "eRUN-I.ts") and, for fMP4, "init_RUN.mp4". Which
 * chunk of the grid the I-th is follows from where the run started (see the monitor).
 *
 * Timestamps are the source's own (-copyts), and the fMP4 fragments carry them as they
 * are (no edit list, no shift to zero), so chunks from encoders started at different
 * places line up, and audio stays in sync after a seek. The grid counts from the source's
 * first timestamp (start_s): forced keyframes are start_s + the grid's times, while -ss,
 * which ffmpeg takes from the file's start, is the grid's time itself.
 */
struct hls_job {
    const char *ffmpeg; /* the binary, looked up in PATH */
    const char *preset; /* x264's, such as "veryfast" */
    const char *input;
    const char *dir;
    const struct plan *plan;
    const struct hls_rendition *rendition;
    const struct hls_grid *grid;
    const double *keyframes; /* copy only: where chunks start, in the source's time */
    double keyframe_delay;   /* copy only: a keyframe is decoded this long before it shows */
    double start_s;          /* the source's first timestamp: playlist time 0 */
    size_t start_segment;
    bool fmp4;
    unsigned run;     /* numbers this encoder's init file */
    enum hwenc hwenc; /* the hardware H.264 encoder to use, HWENC_NONE for x264 */
};

/* Every output timestamp is the source's plus this many seconds (see output_args()). */
enum { HLS_TS_OFFSET_S = 1 };
/* An encoder that starts mid-file decodes from this long before its first segment. */
#define HLS_PREROLL_S 0.5

/* A NULL-terminated argv; free it with hls_argv_free(). */
int hls_argv_build(const struct hls_job *job, char ***out) WUR;
void hls_argv_free(char **argv);
