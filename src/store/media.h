#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a file name says: a movie, or an episode of a show. For an episode, title and year
 * are the show's. */
enum media_kind { MEDIA_UNKNOWN, MEDIA_MOVIE, MEDIA_EPISODE };

struct media_name {
    enum media_kind kind;
    char title[256];
    int year; /* 0 when unknown */
    int season;
    int episode;
    int episode_end; /* the last episode of a multi-episode file, else == episode */
    char episode_title[256];
};

enum stream_type { STREAM_VIDEO, STREAM_AUDIO, STREAM_SUBTITLE, STREAM_OTHER };

struct media_stream {
    int index; /* the container's stream index; sidecar subtitles count from 1000 */
    enum stream_type type;
    char codec[32];
    char profile[48];
    char pix_fmt[32];
    char layout[64];
    char language[16];
    int level;
    int bit_depth;
    int width, height;
    int channels;
    int sample_rate;
    double frame_rate;
    /* Video: how it must be shown. */
    char field_order[12];     /* "progressive", "tt", "bb", "tb", "bt", or "" unknown */
    char color_transfer[24];  /* ffmpeg's name: "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG) */
    char color_primaries[16]; /* "bt709", "bt2020", … */
    int sar_num, sar_den;     /* sample aspect ratio, 0/0 when unknown (square) */
    int rotation;             /* display rotation clockwise: 0, 90, 180 or 270 */
    bool is_default;
    bool forced;    /* subtitles: only the parts in another language than the audio */
    bool sdh;       /* subtitles for the deaf and hard of hearing */
    char *title;    /* owned, may be NULL */
    char *external; /* owned: the sidecar file's path, or NULL */
};

/* A chapter of a file, in its playback time (from 0 at the file's first timestamp). */
struct media_chapter {
    int64_t start_ms, end_ms;
    char *title; /* owned, may be NULL */
};

/* One media file with its probed facts. It owns its strings, streams and chapters. */
struct media_file {
    int64_t id;
    int64_t item_id;
    char *path;
    int64_t size;
    int64_t mtime;
    char container[16];
    int64_t duration_ms;
    int64_t start_ms; /* the first timestamp (broadcast recordings rarely start at 0) */
    int64_t bitrate;
    char *error; /* why probing failed, or NULL */
    bool missing;
    struct media_stream *streams;
    size_t nstreams;
    struct media_chapter *chapters; /* in order of start */
    size_t nchapters;
};

/* Whether a video stream is HDR: PQ (HDR10) or HLG. */
bool media_stream_hdr(const struct media_stream *s);
/* Whether a video stream is interlaced, as far as the probe knows. */
bool media_stream_interlaced(const struct media_stream *s);

/* Frees what the file owns and zeroes it. Accepts NULL. */
void media_file_release(struct media_file *f);
/* The stream with this container index, or NULL. */
const struct media_stream *media_file_stream(const struct media_file *f, int index);
/* Appends a zeroed stream and points *out at it; -ENOMEM leaves the file as it was. */
int media_file_add_stream(struct media_file *f, struct media_stream **out) WUR;
/* Appends a chapter, its title copied (NULL for none). */
int media_file_add_chapter(struct media_file *f, int64_t start_ms, int64_t end_ms,
                           const char *title) WUR;
const char *stream_type_name(enum stream_type t);
