#pragma once
#include "core/compat.h"
#include "hls/grid.h"
#include "playback/decide.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * HLS playlists, written whole before any encoding. Pure: no I/O, and nothing here knows
 * about HTTP. Each playlist is written in two passes, as nginx-vod-module does: the first
 * measures, the second writes into one allocation of that size.
 */

/* One rendition of a session as the master playlist shows it. */
enum { HLS_MAX_RENDITIONS = PLAN_MAX_RUNGS };

struct hls_rendition {
    char name[16]; /* "copy", "1080p", "720p", …: also its folder in URLs */
    bool copy;     /* the source video, copied */
    int width, height;
    double frame_rate;
    int64_t video_bitrate; /* average, bits per second */
    int64_t audio_bitrate;
    char codecs[80]; /* "avc1.64001f,mp4a.40.2" */
};

/*
 * The renditions of plan's rungs, with what the master playlist says of them: codecs as
 * RFC 6381 names them for the segments' kind (from the source's streams video and audio)
 * and the frame rate. At
 * most HLS_MAX_RENDITIONS are written to out; returns how many.
 */
size_t playlist_renditions(const struct plan *plan, const struct media_stream *video,
                           const struct media_stream *audio, bool fmp4, struct hls_rendition *out);

/* The x264 level (in tenths, 31 for 3.1) a rendition is encoded at. */
int playlist_h264_level(int width, int height);

/* The master playlist listing n renditions; *out is malloc'd, NUL-terminated. A rendition's
 * URI is "<prefix>/<name>/index.m3u8": absolute, since players resolve a relative one
 * against the URL they asked for before a redirect; prefix NULL writes "<name>/…". fmp4
 * false (MPEG-TS segments) counts TS's overhead into BANDWIDTH. */
int playlist_master(const struct hls_rendition *r, size_t n, bool fmp4, const char *prefix,
                    char **out, size_t *len) WUR;
/* text, a playlist of n bytes, with each relative URI (a line, or a tag's URI="…") made
 * "<prefix>/<uri>": a stored master playlist served under a URL of its own. */
int playlist_rebase(const char *text, size_t n, const char *prefix, char **out, size_t *len) WUR;
/* A whole VOD media playlist for grid; fmp4 adds EXT-X-MAP and names .m4s segments, else
 * .ts. */
int playlist_media(const struct hls_grid *g, bool fmp4, char **out, size_t *len) WUR;
