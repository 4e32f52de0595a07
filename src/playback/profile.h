#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a client can play, after Jellyfin's DeviceProfile, for each way Reel delivers: as a
 * file (containers, video codecs with their limits, audio codecs with theirs), and inside
 * HLS segments, fMP4 and MPEG-TS apart, since what a browser plays as a file and what it
 * can append through Media Source Extensions differ. Plus a bitrate cap. A limit of 0 means
 * "any".
 * Codec names are ffmpeg's (h264, hevc, vp9, av1, aac, mp3, opus, flac, ac3, eac3). Levels
 * are in ffmpeg's units for the codec: 51 is H.264 level 5.1, 153 is HEVC level 5.1.
 * Profiles compare without case and spaces: "High 10" matches "high10".
 */
enum { PROFILE_MAX_NAMES = 16, PROFILE_MAX_CODECS = 16, PROFILE_MAX_PROFILES = 8 };

struct codec_caps {
    char codec[16];
    char profiles[PROFILE_MAX_PROFILES][24];
    int nprofiles;
    int max_level;
    int max_bit_depth;
    int max_width, max_height;
    int max_channels;
};

/* The codecs that play inside one kind of HLS segment. */
struct codec_set {
    struct codec_caps video[PROFILE_MAX_CODECS];
    int nvideo;
    struct codec_caps audio[PROFILE_MAX_CODECS];
    int naudio;
};

struct device_profile {
    char containers[PROFILE_MAX_NAMES][8];
    int ncontainers;
    struct codec_caps video[PROFILE_MAX_CODECS]; /* as a file */
    int nvideo;
    struct codec_caps audio[PROFILE_MAX_CODECS];
    int naudio;
    struct codec_set fmp4, ts; /* inside HLS segments of each kind */
    bool hdr;                  /* the screen shows HDR10 and HLG as they are */
    bool image_subtitles;      /* draws the image subtitles (PGS, DVD) of a file it plays */
    int64_t max_bitrate;
};

/* A desktop browser: MP4/WebM files with H.264 up to High@5.1 8-bit, VP9, AV1, and
 * AAC/MP3/Opus/FLAC in stereo; inside fMP4 segments H.264, VP9 and AV1 with AAC or Opus;
 * inside MPEG-TS H.264 with AAC or MP3. */
void profile_default(struct device_profile *p);
/* The named presets for clients that do not describe themselves: "browser" (the default
 * above), "mpv" and "vlc" (libavcodec players: nearly everything as a file), "tv" (H.264,
 * HEVC and Dolby audio). ERR_NOT_FOUND for another name. */
int profile_preset(const char *name, struct device_profile *p) WUR;
/* Takes codec out of every list: after a client failed to decode it. */
void profile_exclude(struct device_profile *p, const char *codec);

const struct codec_caps *profile_find(const struct codec_caps *list, int n, const char *codec);
bool profile_has_container(const struct device_profile *p, const char *container);
/* Whether caps allows profile_name ("High 10", "Main"); true when caps lists none. */
bool profile_allows(const struct codec_caps *caps, const char *profile_name);
