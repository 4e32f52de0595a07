#pragma once
#include "core/compat.h"
#include "store/media.h"

/* Quiets libavformat's own logging, which would otherwise print on every odd file. */
void probe_init(void);

/*
 * Probes the file at f->path with libavformat, in this process, and fills the container,
 * duration, bitrate and streams. A file that cannot be read or parsed is not a failure of
 * the probe: f->error says why, and 0 is returned. Only running out of memory fails.
 */
int probe_file(struct media_file *f) WUR;

/* Adds sidecar subtitles next to f->path ("Name.srt", "Name.en.srt", "Name.forced.vtt"). */
int probe_sidecars(struct media_file *f) WUR;
