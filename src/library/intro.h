#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Intros found by comparing the audio of a season's episodes: ffmpeg's chromaprint muxer
 * (raw format, its default algorithm) gives a 32-bit fingerprint item per FP_ITEM_S of
 * audio; two episodes that share an intro share a long run of items, at some shift, that
 * differ in few bits. Pure.
 */
#define FP_ITEM_S (1365.0 / 11025.0) /* chromaprint's hop: 1365 samples at 11025 Hz */
/* Where a trimmed run of matching items lies in the audio, measured on generated tunes
 * (gen-media.sh's Tunes): the shared audio starts FP_LEAD_S after its first item's time, and
 * ends FP_TAIL_S after its last item's (an item sums up the audio of the next ones too). */
#define FP_LEAD_S 0.33
#define FP_TAIL_S 1.55

struct fp_match {
    size_t first, last; /* the run's items in a */
    long shift;         /* item i of a matches item i - shift of b */
    size_t matching;    /* items of the run that match */
    bool a_end, b_end;  /* the run reaches the last item of a, of b: the audio's end */
};

/* The longest run that a and b share, at the shift where most items match (among the
 * best few): items that differ in at most 8 bits, with gaps of at most 1 s, its ends then
 * trimmed of items that differ much more than the run's median (an item sums up the audio
 * after it too, so those next to the shared audio half match). false when none is min_s
 * long. */
bool fp_longest_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, double min_s,
                       struct fp_match *out);

/* The run's time range in a (b: pass shift's other side), in seconds from the start of the
 * fingerprinted audio. */
void fp_match_range(const struct fp_match *m, bool in_b, double *start, double *end);
