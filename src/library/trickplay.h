#pragma once
#include "core/buf.h"
#include "core/compat.h"
#include "store/media.h"
#include <stddef.h>

/*
 * Scrubbing previews (trickplay): a preview every interval seconds, count in all, each
 * width x height, laid columns x rows to a JPEG sheet ("0.jpg", "1.jpg", …). A file's
 * previews live in <dir>/<file id>-<mtime>/ with an "info" file that says these numbers, so
 * that a changed file gets new ones. Made by the "trickplay" job (jobs/trickplay.c).
 */
struct trickplay {
    int interval; /* seconds */
    int width, height;
    int columns, rows;
    int count;
};

/* The folder of f's previews under dir into out. */
int trickplay_dir(const char *dir, const struct media_file *f, char *out, size_t size) WUR;
/* Reads <folder>/info: 0, ERR_NOT_FOUND when the previews are not made (yet). */
int trickplay_load(const char *folder, struct trickplay *out) WUR;
/* "interval width height columns rows count\n" */
int trickplay_info_parse(const char *text, size_t n, struct trickplay *out) WUR;
int trickplay_info_format(const struct trickplay *t, struct buf *out) WUR;

/* The size of a preview of f's video at width: its display shape (rotation and sample
 * aspect ratio applied), the height even. */
void trickplay_size(const struct media_stream *video, int width, int *w, int *h);

/* A WebVTT thumbnails track: preview i covers [i, i + 1) intervals (the last ends at
 * duration_s) as "<prefix><sheet>.jpg#xywh=x,y,w,h". */
int trickplay_vtt(const struct trickplay *t, double duration_s, const char *prefix,
                  struct buf *out) WUR;
/* An HLS image playlist (EXT-X-IMAGES-ONLY, EXT-X-TILES, after Roku's and Apple's image
 * streams): one segment per sheet, "<prefix><sheet>.jpg". */
int trickplay_m3u8(const struct trickplay *t, double duration_s, const char *prefix,
                   struct buf *out) WUR;
