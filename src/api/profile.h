#pragma once
#include "core/compat.h"
#include "playback/profile.h"
#include <jansson.h>

/*
 * Reads a profile from JSON:
 *   {"containers":["mp4","webm"],
 *    "video":[{"codec":"h264","profiles":["high","main"],"max_level":51,"max_bit_depth":8,
 *              "max_width":3840,"max_height":2160}],
 *    "audio":[{"codec":"aac","max_channels":6}],
 *    "hls":{"fmp4":{"video":[…],"audio":[…]},"ts":{"video":[…],"audio":[…]}},
 *    "hdr":false,
 *    "max_bitrate":20000000}
 * Every key but "containers" may be left out. On failure err names the bad field, as in
 * "profile.video[1].max_level: expected a whole number from 0 to 1000".
 */
int api_profile_parse(json_t *j, struct device_profile *p, char *err, size_t errsize) WUR;
