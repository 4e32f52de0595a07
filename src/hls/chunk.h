#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Whether a chunk ffmpeg finished is whole: with the disk full, ffmpeg still renames a
 * short file into place (0 or 4,096 bytes seen), which must never be served as a segment.
 * MPEG-TS: a positive whole number of 188-byte packets, each starting with the sync byte.
 * fMP4: top-level boxes that tile the file exactly (the last chunk of a file may be only a
 * styp box, which ffmpeg ends with).
 */
bool chunk_whole(const uint8_t *b, size_t len, bool ts);
/* The same on a file; *size gets its length (or -1). */
bool chunk_file_whole(const char *path, bool ts, int64_t *size);
