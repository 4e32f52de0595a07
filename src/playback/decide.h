#pragma once
#include "core/compat.h"
#include "playback/profile.h"
#include "store/media.h"
#include <stdbool.h>
#include <stdint.h>

/*
 * The playback decision: a pure function from a probed file, a device profile and the
 * request's options to a plan. One plan drives both what the API reports and the HLS
 * encoder's arguments, so they cannot disagree.
 */

/* Why a file cannot be played as it is, as named flags (like Jellyfin's TranscodeReasons). */
#define PLAYBACK_REASONS(X)                                                                        \
    X(REASON_CONTAINER, "container_not_supported")                                                 \
    X(REASON_VIDEO_CODEC, "video_codec_not_supported")                                             \
    X(REASON_VIDEO_PROFILE, "video_profile_not_supported")                                         \
    X(REASON_VIDEO_LEVEL, "video_level_too_high")                                                  \
    X(REASON_BIT_DEPTH, "bit_depth_not_supported")                                                 \
    X(REASON_VIDEO_RESOLUTION, "video_resolution_not_supported")                                   \
    X(REASON_AUDIO_CODEC, "audio_codec_not_supported")                                             \
    X(REASON_AUDIO_CHANNELS, "audio_channels_not_supported")                                       \
    X(REASON_SECONDARY_AUDIO, "secondary_audio_not_supported")                                     \
    X(REASON_BITRATE, "bitrate_too_high")                                                          \
    X(REASON_HLS_VIDEO, "video_codec_not_supported_in_hls")                                        \
    X(REASON_HLS_AUDIO, "audio_codec_not_supported_in_hls")                                        \
    X(REASON_HDR, "hdr_not_supported")                                                             \
    X(REASON_SUBTITLE_BURN_IN, "subtitle_burn_in")

enum playback_reason {
#define X(code, name) code,
    PLAYBACK_REASONS(X)
#undef X
        REASON_COUNT
};

const char *reason_name(enum playback_reason r);

enum play_method { PLAY_DIRECT, PLAY_REMUX, PLAY_TRANSCODE };
const char *play_method_name(enum play_method m);

/* What happens to one stream: copied as it is, or encoded to the target described. */
struct stream_plan {
    bool present;
    bool copy;
    int index; /* the source stream */
    char codec[32];
    int width, height; /* video */
    int bit_depth;     /* video */
    double frame_rate; /* video */
    int channels;      /* audio */
    int sample_rate;   /* audio: the source's, which an encode keeps */
    int64_t bitrate;   /* bits per second; for a copy, the source's estimate */
    /* Encoded video: what the filters must do to look right. width and height above are
     * the display size (sample aspect ratio and rotation applied). */
    bool deinterlace;     /* the source is interlaced */
    bool tonemap;         /* the source is HDR (PQ or HLG): map it to SDR BT.709 */
    char transfer_in[24]; /* the source's transfer and primaries, for the tone map */
    char primaries_in[16];
};

/* The HLS segments a client asks for. AUTO leaves it to decide(). */
enum hls_segments { SEGMENTS_FMP4, SEGMENTS_TS, SEGMENTS_AUTO };

struct play_options {
    int64_t max_bitrate;     /* 0: no cap beyond the profile's */
    char audio_language[16]; /* "" for the default track */
    bool audio_chosen;       /* audio_stream names the track, whatever the language */
    int audio_stream;        /* the source index of that track */
    bool subtitle_chosen;    /* subtitle_stream names the subtitles shown (-1: none) */
    int subtitle_stream;
    int64_t start_ms; /* where playback starts */
    enum hls_segments segments;
};

enum { PLAN_MAX_RUNGS = 5 };

/* One rendition an HLS plan offers: what the master playlist lists and what its encoder is
 * given. The audio of every rung is the plan's audio. */
struct plan_rung {
    char name[16]; /* "copy", "audio", "1080p", "720p", …: also its folder in URLs */
    bool copy;     /* the source video (or, for "audio", no video), copied */
    int width, height;
    int64_t video_bitrate; /* average, bits per second; for a copy, the source's estimate */
};

struct plan {
    enum play_method method;
    uint32_t reasons; /* bit (1 << reason) per reason */
    struct stream_plan video, audio;
    /* present: the image subtitle stream (PGS, DVD, DVB) drawn into the encoded video */
    struct stream_plan subtitle;
    int64_t max_bitrate;                    /* the cap that applied, 0 for none */
    bool ts;                                /* HLS: in MPEG-TS segments, not fMP4 */
    struct plan_rung rungs[PLAN_MAX_RUNGS]; /* HLS only: the ladder, best first */
    size_t nrungs;
};

/*
 * Decides how f plays on p. The audio track is the one in o->audio_language, else the
 * default track, else the first. Direct play needs the container, every chosen stream and
 * the bitrate to suit the profile's file lists, and the chosen audio to be the first track.
 * Otherwise the plan is HLS, in the segments o->segments names: a stream is copied only
 * when the profile's list for those segments holds it (and ffmpeg can put it there), else
 * encoded (video to H.264, audio to AAC), with a reason for each conversion. Copied video
 * makes a remux, encoded video a transcode. Image subtitles named by o->subtitle_stream are
 * burnt into encoded video, unless the client plays the file itself and draws them (an
 * image subtitle inside the file, p->image_subtitles). SEGMENTS_AUTO is fMP4, except for a
 * transcode whose audio MPEG-TS carries as well (copied there too, or encoded anyway): players read
 * an MPEG-TS segment as it arrives, so the first segment of an encoder, sent part by part,
 * plays from its first part (hls.js reads fMP4 that way only a second into a segment).
 * ERR_UNPLAYABLE when f has neither audio nor video or could not be probed. An HLS plan
 * comes with its rungs (plan_ladder()).
 */
/* The audio track a file plays when nothing is asked: its default one, else its first. */
const struct media_stream *decide_default_audio(const struct media_file *f);
int decide(const struct media_file *f, const struct device_profile *p, const struct play_options *o,
           struct plan *out) WUR;

/*
 * Fills the plan's rungs from its video and cap: a remux offers the copy as its one rung;
 * a transcode the 1080p, 720p, 480p and 360p rungs (5, 2.8, 1.4 and 0.8 Mb/s) that are no
 * taller than the plan's target and whose peak (plan_peak_bitrate()) fits the cap, at
 * least one (the last at what the cap leaves). The plan's video bitrate becomes the first
 * rung's.
 */
void plan_ladder(struct plan *p);

/* The most a rendition sends in a second, what BANDWIDTH says: an encode is held to 1.2
 * times its average video bitrate (ffmpeg's -maxrate), a copy may peak at 1.5 times its
 * average. */
int64_t plan_peak_bitrate(bool copy, int64_t video, int64_t audio);
