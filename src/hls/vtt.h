#pragma once
#include "core/buf.h"
#include "core/compat.h"
#include <stddef.h>
#include <stdint.h>

/*
 * Subtitles as HLS renditions (EXT-X-MEDIA TYPE=SUBTITLES), for players that read them
 * (Safari, AVPlayer, TVs): a media playlist on the video's own segment grid, and per
 * segment a WebVTT file with the cues that overlap it, whose X-TIMESTAMP-MAP ties the cues'
 * clock (the file's, from 0) to the video's MPEG-TS clock. Pure functions.
 */

/* A subtitle rendition of a session's master playlist. */
struct vtt_rendition {
    int index;         /* the source stream: its URI is "<prefix>/sub<index>/index.m3u8" */
    char language[16]; /* "" when unknown */
    char name[96];
    int forced, is_default;
};

/* master with a SUBTITLES group "subs" of the n renditions added, and every variant
 * pointing at it. n 0 gives master as it is. */
int vtt_master(const char *master, size_t len, const struct vtt_rendition *r, size_t n,
               const char *prefix, struct buf *out) WUR;

/* The subtitle media playlist matching a video media playlist: the same segments, as
 * "<n>.vtt", without the video's init section. */
int vtt_media(const char *video_media, size_t len, struct buf *out) WUR;

/* Where segment n of a media playlist starts and ends, in seconds; ERR_NOT_FOUND when it
 * has no segment n. */
int vtt_segment_times(const char *media, size_t len, long n, double *start, double *end) WUR;

/* A WebVTT timestamp ("HH:MM:SS.mmm" or "MM:SS.mmm") at s, in seconds; the length read
 * into *used, 0 when there is none. */
double vtt_timestamp(const char *s, size_t n, size_t *used);

/* The WebVTT of one segment: vtt's cues that overlap [start, end), times unchanged, after
 * an X-TIMESTAMP-MAP that puts the cues' 0 at mpegts (90 kHz). Cues are copied as they are
 * (settings and text); vtt's header and notes are left out. */
int vtt_segment(const char *vtt, size_t len, double start, double end, int64_t mpegts,
                struct buf *out) WUR;
