#pragma once
#include "core/compat.h"
#include <stddef.h>

/*
 * The presentation times, in seconds of the source's own timeline, of a video stream's
 * keyframes: read from the container's index where it has one (MP4's sample table,
 * Matroska's cues), and otherwise by reading the video packets alone (MPEG-TS). *out is
 * malloc'd. *delay is how long before its presentation a frame is decoded (B-frame
 * reordering: a keyframe's decoding time is its time minus the delay), as ffmpeg stamps it
 * when copying. Fails with a negative error when the file cannot be read or has no
 * keyframe.
 */
int keyframes_read(const char *path, int stream_index, double **out, size_t *n, double *delay) WUR;
