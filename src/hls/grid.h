#pragma once
#include "core/compat.h"
#include <stddef.h>
#include <stdint.h>

/*
 * The segment grid of one rendition: where each playlist segment starts, how long it is,
 * and which encoder chunks make it up. Pure.
 *
 * The encoder writes one chunk per keyframe (copy) or per segment (encode), numbered from
 * the start of the file, so a chunk's number never depends on where an encoder started.
 * When video is re-encoded, segments lie on a fixed grid whose first segments are short
 * (1 s, 1 s, 2 s, then the target) for a fast start, and keyframes are forced onto it.
 * Each such segment has room for a few parts (chunk numbers first_chunk … first_chunk +
 * nchunks - 1, see grid_parts()): the first segment of an encoder run is made in parts,
 * each its own chunk, so that it can be sent while the rest is being made; every later one
 * is made whole, as its first chunk (see docs/internals/hls.md). When video is
 * copied, segments start at the file's keyframes: each runs to the first keyframe at or
 * after its target length, and holds the chunks of the keyframes it covers.
 */
struct hls_segment {
    double start;
    double duration;
    uint32_t first_chunk;
    uint32_t nchunks;
};

struct hls_grid {
    struct hls_segment *segs;
    size_t n;
    uint32_t nchunks; /* chunks in the whole file */
    double part;      /* encode: the length of a part; 0: segments are never made in parts */
};

/* The length segment i aims for: the opening ones are short. */
double grid_target(size_t i, double target);
/* How many parts of about part seconds a segment of this length is made of (rounded, so
 * that the last is at least half a part long); 1 when part is 0. */
uint32_t grid_parts(double duration, double part);
/* part: 0 for none. */
int grid_encode(double duration, double target, double part, struct hls_grid *g) WUR;
/* keyframes: ascending times of the video's keyframes; the first is taken as 0. */
int grid_copy(const double *keyframes, size_t n, double duration, double target,
              struct hls_grid *g) WUR;
void grid_release(struct hls_grid *g);
/* The segment holding time t (clamped to the grid). */
size_t grid_find(const struct hls_grid *g, double t);
/* The segment chunk c belongs to. */
size_t grid_segment_of_chunk(const struct hls_grid *g, uint32_t chunk);
/* The longest segment, rounded up: #EXT-X-TARGETDURATION. */
int grid_target_duration(const struct hls_grid *g);
