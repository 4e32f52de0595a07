#pragma once
#include "core/compat.h"
#include <stddef.h>
#include <stdint.h>

/*
 * Posters: a frame from 10 % into the video, scaled to 360 lines, as JPEG, made with the
 * ffmpeg binary and kept in dir as "<file id>.jpg". Made once: a poster already there is
 * kept. Blocks until ffmpeg is done; the scanner calls it on its own thread.
 */
int poster_make(const char *ffmpeg, const char *dir, int64_t file_id, const char *video,
                int64_t duration_ms) WUR;
/* The poster's path for a file id. */
void poster_path(const char *dir, int64_t file_id, char *out, size_t size);
