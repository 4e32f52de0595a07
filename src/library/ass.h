#pragma once
#include "core/buf.h"
#include "core/compat.h"
#include <stddef.h>

/*
 * Where ASS/SSA lines go, carried into WebVTT. ffmpeg's WebVTT encoder keeps italic, bold
 * and underline but drops placement, so a sign at the top of the picture would come out at
 * the bottom over the dialogue. From the script (PlayResX/PlayResY, each style's Alignment,
 * each event's \an, \a and \pos overrides, the first of each counting, as in libass), this
 * adds WebVTT cue settings to the cues of the same times:
 *   top or middle            line:0 / line:50%,center
 *   left or right            align:left / align:right
 *   \pos(x,y)                position:x%,anchor line:y%,anchor and the alignment's align
 * A cue with no event of its times, or at the default place (bottom centre), is copied as
 * it is. Pure.
 */
int ass_vtt_positions(const char *vtt, size_t vlen, const char *ass, size_t alen,
                      struct buf *out) WUR;
