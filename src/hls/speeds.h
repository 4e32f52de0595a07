#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>

/*
 * How fast this machine encodes, as multiples of real time, per kind of work: source codec
 * and height, target height, x264 preset ("hevc/1080>720/veryfast"). Each estimate is a
 * running average of the speeds ffmpeg reported (`-progress`), kept in a small text file
 * in the data folder (one "key speed samples" line each), so that it survives restarts.
 * A calibration (short encodes of a generated 1080p clip to every ladder height, decoded
 * as it is made and as HEVC Main 10) seeds "calibration/1080>H/preset" and
 * "calibration-hevc/1080>H/preset" for sources never seen. Thread-safe.
 */
struct speeds;

/* Reads path if it is there; a missing or unreadable file starts empty. */
int speeds_open(const char *path, struct speeds **out) WUR;
void speeds_close(struct speeds *s);
/* Folds one observed speed into key's estimate. */
void speeds_observe(struct speeds *s, const char *key, double speed);
/* key's estimate, or 0 when nothing is known. */
double speeds_get(struct speeds *s, const char *key);
/* How fast this machine encodes a source (codec, height) to height: what such encodes
 * measured, else the calibration (its HEVC clip for codecs as costly to decode); 0 when
 * neither is known. */
double speeds_estimate(struct speeds *s, const char *codec, int source_height, int height,
                       const char *preset);
/* Writes the file if anything changed (a temp file renamed into place). */
int speeds_save(struct speeds *s) WUR;
/* Whether calibration entries exist already. */
bool speeds_calibrated(struct speeds *s, const char *preset);
/* Runs the calibration encodes with ffmpeg (blocking: seconds), unless cancelled. */
int speeds_calibrate(struct speeds *s, const char *ffmpeg, const char *preset) WUR;
/* Stops a calibration that runs, from another thread: its ffmpeg is killed. */
void speeds_cancel(struct speeds *s);

/* The key for an encode of a source (codec, height) to a target height. */
void speeds_key(char *out, size_t size, const char *codec, int source_height, int height,
                const char *preset);
