#pragma once
#include "core/compat.h"
#include "store/media.h"
#include <stdbool.h>
#include <stddef.h>

/*
 * Text subtitles as WebVTT: each stream converted by ffmpeg once and kept in a cache folder
 * (named by file, stream and the source's mtime, so a changed file converts again). ASS
 * styling comes out as what WebVTT carries (ffmpeg keeps italic, bold and underline and
 * drops the rest); a sidecar that is not UTF-8 is read in the character set it is in.
 */

/* Whether ffmpeg can make WebVTT of this codec (SubRip, ASS/SSA, mov_text, WebVTT, text). */
bool subtitle_is_text(const char *codec);
/* Whether it is pictures that ffmpeg can draw over video (PGS, DVD, DVB, XSUB). */
bool subtitle_is_image(const char *codec);

/* The character set of a sidecar's first bytes, for ffmpeg's -sub_charenc: NULL for UTF-8
 * (with or without a BOM, or plain ASCII), "UTF-16LE" / "UTF-16BE" for a BOM saying so, and
 * otherwise "CP1252", the usual one of subtitles that are not UTF-8. */
const char *subtitle_charset(const unsigned char *data, size_t n);

/* The path of the WebVTT file of stream s of f into out: 0 when it is made already,
 * ERR_NOT_FOUND when not yet. */
int subtitle_vtt_cached(const char *cache, const struct media_file *f, const struct media_stream *s,
                        char *out, size_t size) WUR;
/* The WebVTT file of stream s of f, made when missing; its path into out. err gets
 * ffmpeg's words when it fails (ERR_UNPLAYABLE). Blocks while ffmpeg runs. */
int subtitle_vtt(const char *ffmpeg, const char *cache, const struct media_file *f,
                 const struct media_stream *s, char *out, size_t size, char *err,
                 size_t errsize) WUR;
