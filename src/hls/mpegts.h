#pragma once
#include "core/compat.h"
#include <stddef.h>
#include <stdint.h>

/*
 * MPEG-TS chunks as RFC 8216 wants them: ffmpeg writes its DVB service table (SDT) before
 * the PAT and PMT, and a segment's first two packets should be the PAT and the PMT. HLS
 * has no use for the SDT, so it goes.
 */

/* Removes the SDT packets from the 188-byte packets in b[0, len); returns the new length.
 * Pure. */
size_t mpegts_drop_sdt(uint8_t *b, size_t len);
/* The same, on a finished chunk file, in place, once it is known whole (chunk_whole()):
 * returns 0 with its new length in *size, -EBADMSG for a torn file (left as it was), or a
 * negative errno. One read of the file does both. */
int mpegts_fix_file(const char *path, int64_t *size) WUR;
