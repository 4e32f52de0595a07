#pragma once
#include "core/compat.h"

/*
 * Hardware H.264 encoders: which one this machine has, found by a one-frame test encode
 * with each (NVIDIA NVENC, Intel Quick Sync, VA-API), in that order. The argv builder uses
 * the one found, and x264 when there is none.
 */
enum hwenc { HWENC_NONE, HWENC_NVENC, HWENC_QSV, HWENC_VAAPI };

/* Blocks for the test encodes (a fraction of a second each). */
enum hwenc hwenc_detect(const char *ffmpeg);
/* "none", "h264_nvenc", "h264_qsv", "h264_vaapi". */
const char *hwenc_name(enum hwenc e);
