#pragma once
#include "core/compat.h"
#include "core/str.h"

/* A segment's name in a media playlist's URLs: "init.mp4" is -1, "12.m4s" or "12.ts" is
 * 12 (up to 10,000,000). ERR_NOT_FOUND for any other name. */
int hls_segment_parse(struct str name, long *n) WUR;
