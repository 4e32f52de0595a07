/* decide() over real stream combinations, and the device-profile JSON reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "api/profile.h"
#include "core/error.h"
#include "playback/decide.h"
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

struct audio_spec {
    const char *codec;
    int channels;
    const char *lang;
    bool is_default;
};

struct combo {
    const char *name;
    const char *container;
    int64_t bitrate;
    const char *vcodec; /* NULL: no video */
    const char *vprofile;
    int level, depth, width, height;
    struct audio_spec audio[3];
    const char *profile; /* NULL: the default browser profile, else JSON */
    int64_t max_bitrate;
    const char *language;
    const char *method;
    const char *reasons; /* comma-separated, in table order */
    bool video_copy, audio_copy;
};

static const char safari[] =
    "{\"containers\":[\"mp4\",\"m4v\",\"mov\"],\"video\":[{\"codec\":\"h264\",\"max_level\":52},"
    "{\"codec\":\"hevc\",\"profiles\":[\"main\",\"main 10\"]}],\"audio\":[{\"codec\":\"aac\","
    "\"max_channels\":6},{\"codec\":\"ac3\",\"max_channels\":6},{\"codec\":\"eac3\","
    "\"max_channels\":6}]}";
static const char phone[] =
    "{\"containers\":[\"mp4\"],\"video\":[{\"codec\":\"h264\",\"max_width\":1920,"
    "\"max_height\":1080}],\"audio\":[{\"codec\":\"aac\"}],\"max_bitrate\":8000000}";

#define STEREO(c)                                                                                  \
    {                                                                                              \
        {                                                                                          \
            c, 2, "eng", true                                                                      \
        }                                                                                          \
    }
static const struct combo combos[] = {
    {"H.264 High/AAC in MP4", "mp4", 5000000, "h264", "High", 41, 8, 1920, 1080, STEREO("aac"),
     NULL, 0, NULL, "direct_play", "", true, true},
    {"H.264/AAC in M4V", "m4v", 3000000, "h264", "Main", 31, 8, 1280, 720, STEREO("aac"), NULL, 0,
     NULL, "direct_play", "", true, true},
    {"H.264/MP3 in MP4", "mp4", 2000000, "h264", "Main", 30, 8, 640, 480, STEREO("mp3"), NULL, 0,
     NULL, "direct_play", "", true, true},
    {"VP9/Opus in WebM", "webm", 2000000, "vp9", "Profile 0", 0, 8, 1280, 720, STEREO("opus"), NULL,
     0, NULL, "direct_play", "", true, true},
    {"AV1/Opus in MP4", "mp4", 2000000, "av1", "Main", 8, 8, 1920, 1080, STEREO("opus"), NULL, 0,
     NULL, "direct_play", "", true, true},
    {"H.264/AAC in MKV", "mkv", 4000000, "h264", "High", 40, 8, 1920, 1080, STEREO("aac"), NULL, 0,
     NULL, "remux", "container_not_supported", true, true},
    {"H.264/AC-3 5.1 in MKV",
     "mkv",
     6000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"ac3", 6, "eng", true}},
     NULL,
     0,
     NULL,
     "remux",
     "container_not_supported,audio_codec_not_supported",
     true,
     false},
    {"H.264/DTS in MKV",
     "mkv",
     9000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"dts", 6, "eng", true}},
     NULL,
     0,
     NULL,
     "remux",
     "container_not_supported,audio_codec_not_supported",
     true,
     false},
    {"H.264/TrueHD 7.1 in MKV",
     "mkv",
     9000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"truehd", 8, "eng", true}},
     NULL,
     0,
     NULL,
     "remux",
     "container_not_supported,audio_codec_not_supported",
     true,
     false},
    {"H.264/AAC 5.1 in MP4",
     "mp4",
     5000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"aac", 6, "eng", true}},
     NULL,
     0,
     NULL,
     "remux",
     "audio_channels_not_supported",
     true,
     false},
    {"HEVC Main 10/E-AC-3 in MKV",
     "mkv",
     8000000,
     "hevc",
     "Main 10",
     153,
     10,
     3840,
     2160,
     {{"eac3", 6, "eng", true}},
     NULL,
     0,
     NULL,
     "transcode",
     "container_not_supported,video_codec_not_supported,audio_codec_not_supported",
     false,
     false},
    {"HEVC Main/AAC in MP4", "mp4", 3000000, "hevc", "Main", 120, 8, 1920, 1080, STEREO("aac"),
     NULL, 0, NULL, "transcode", "video_codec_not_supported", false, true},
    {"H.264 High 10/AAC in MP4", "mp4", 4000000, "h264", "High 10", 41, 10, 1920, 1080,
     STEREO("aac"), NULL, 0, NULL, "transcode",
     "video_profile_not_supported,bit_depth_not_supported", false, true},
    {"H.264 High 4:2:2/AAC in MP4", "mp4", 4000000, "h264", "High 4:2:2", 41, 8, 1920, 1080,
     STEREO("aac"), NULL, 0, NULL, "transcode", "video_profile_not_supported", false, true},
    {"H.264 level 5.2/AAC in MP4", "mp4", 20000000, "h264", "High", 52, 8, 3840, 2160,
     STEREO("aac"), NULL, 0, NULL, "transcode", "video_level_too_high", false, true},
    /* A browser plays MP3 as a file but Media Source Extensions take no MP3 in fMP4. */
    {"MPEG-4 part 2/MP3 in AVI", "avi", 1500000, "mpeg4", "Advanced Simple Profile", 5, 8, 640, 352,
     STEREO("mp3"), NULL, 0, NULL, "transcode",
     "container_not_supported,video_codec_not_supported,audio_codec_not_supported_in_hls", false,
     false},
    {"MPEG-2/MP2 in TS", "ts", 8000000, "mpeg2video", "Main", 8, 8, 720, 576, STEREO("mp2"), NULL,
     0, NULL, "transcode",
     "container_not_supported,video_codec_not_supported,audio_codec_not_supported", false, false},
    {"VC-1/WMA in WMV", "asf", 6000000, "vc1", "Advanced", 3, 8, 1920, 1080, STEREO("wmav2"), NULL,
     0, NULL, "transcode",
     "container_not_supported,video_codec_not_supported,audio_codec_not_supported", false, false},
    {"VP8/Vorbis in WebM", "webm", 1000000, "vp8", "", 0, 8, 640, 360, STEREO("vorbis"), NULL, 0,
     NULL, "transcode", "video_codec_not_supported,audio_codec_not_supported", false, false},
    {"VP9/Opus 5.1 in WebM",
     "webm",
     3000000,
     "vp9",
     "Profile 0",
     0,
     8,
     1920,
     1080,
     {{"opus", 6, "eng", true}},
     NULL,
     0,
     NULL,
     "remux",
     "audio_channels_not_supported",
     true,
     false},
    {"H.264/AAC in MOV", "mov", 3000000, "h264", "Constrained Baseline", 30, 8, 640, 480,
     STEREO("aac"), NULL, 0, NULL, "remux", "container_not_supported", true, true},
    {"H.264/AAC in MP4 over the bitrate cap", "mp4", 40000000, "h264", "High", 51, 8, 1920, 1080,
     STEREO("aac"), NULL, 8000000, NULL, "transcode", "bitrate_too_high", false, true},
    {"H.264 with a second audio language asked for",
     "mp4",
     5000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"aac", 2, "eng", true}, {"aac", 2, "fre", false}},
     NULL,
     0,
     "fre",
     "remux",
     "secondary_audio_not_supported",
     true,
     true},
    {"H.264 with a default second track",
     "mkv",
     5000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"aac", 2, "eng", false}, {"ac3", 6, "ger", true}},
     NULL,
     0,
     NULL,
     "remux",
     "container_not_supported,audio_codec_not_supported,secondary_audio_not_supported",
     true,
     false},
    {"Audio-only FLAC in MKV", "mkv", 900000, NULL, NULL, 0, 0, 0, 0, STEREO("flac"), NULL, 0, NULL,
     "remux", "container_not_supported,audio_codec_not_supported_in_hls", false, false},
    {"H.264/FLAC in MKV", "mkv", 3000000, "h264", "High", 40, 8, 1920, 1080, STEREO("flac"), NULL,
     0, NULL, "remux", "container_not_supported,audio_codec_not_supported_in_hls", true, false},
    /* Other devices. */
    {"HEVC Main 10/E-AC-3 in MP4 on Safari",
     "mp4",
     8000000,
     "hevc",
     "Main 10",
     153,
     10,
     3840,
     2160,
     {{"eac3", 6, "eng", true}},
     safari,
     0,
     NULL,
     "direct_play",
     "",
     true,
     true},
    {"HEVC Main 10/E-AC-3 in MKV on Safari",
     "mkv",
     8000000,
     "hevc",
     "Main 10",
     153,
     10,
     3840,
     2160,
     {{"eac3", 6, "eng", true}},
     safari,
     0,
     NULL,
     "remux",
     "container_not_supported",
     true,
     true},
    {"4K H.264 on a 1080p phone", "mp4", 6000000, "h264", "High", 51, 8, 3840, 2160, STEREO("aac"),
     phone, 0, NULL, "transcode", "video_resolution_not_supported", false, true},
    {"H.264 over the phone's bitrate", "mp4", 12000000, "h264", "High", 41, 8, 1920, 1080,
     STEREO("aac"), phone, 0, NULL, "transcode", "bitrate_too_high", false, true},
    /* Named presets for clients that do not describe themselves. */
    {"H.264/DTS 5.1 in MKV on mpv",
     "mkv",
     5000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"dts", 6, "eng", true}},
     "preset:mpv",
     0,
     NULL,
     "direct_play",
     "",
     true,
     true},
    {"XviD/MP3 in AVI on VLC", "avi", 2000000, "mpeg4", "Advanced Simple Profile", 5, 8, 720, 576,
     STEREO("mp3"), "preset:vlc", 0, NULL, "direct_play", "", true, true},
    {"H.264/DTS 5.1 in MKV on a TV",
     "mkv",
     5000000,
     "h264",
     "High",
     41,
     8,
     1920,
     1080,
     {{"dts", 6, "eng", true}},
     "preset:tv",
     0,
     NULL,
     "remux",
     "audio_codec_not_supported",
     true,
     false},
    {"HEVC Main 10 in MKV on a TV",
     "mkv",
     8000000,
     "hevc",
     "Main 10",
     153,
     10,
     3840,
     2160,
     {{"eac3", 6, "eng", true}},
     "preset:tv",
     0,
     NULL,
     "direct_play",
     "",
     true,
     true},
};

static void build(const struct combo *c, struct media_file *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->container, sizeof(f->container), "%s", c->container);
    f->bitrate = c->bitrate;
    f->duration_ms = 60000;
    struct media_stream *s;
    if (c->vcodec) {
        assert_int_equal(media_file_add_stream(f, &s), 0);
        s->type = STREAM_VIDEO;
        snprintf(s->codec, sizeof(s->codec), "%s", c->vcodec);
        snprintf(s->profile, sizeof(s->profile), "%s", c->vprofile);
        s->level = c->level;
        s->bit_depth = c->depth;
        s->width = c->width;
        s->height = c->height;
        s->frame_rate = 24;
        s->is_default = true;
    }
    for (int i = 0; i < 3 && c->audio[i].codec; i++) {
        assert_int_equal(media_file_add_stream(f, &s), 0);
        s->index = (int)f->nstreams - 1;
        s->type = STREAM_AUDIO;
        snprintf(s->codec, sizeof(s->codec), "%s", c->audio[i].codec);
        s->channels = c->audio[i].channels;
        snprintf(s->language, sizeof(s->language), "%s", c->audio[i].lang);
        s->is_default = c->audio[i].is_default;
    }
}

static void decides_every_combination(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
        const struct combo *c = &combos[i];
        struct media_file f;
        build(c, &f);
        struct device_profile p;
        if (c->profile && strncmp(c->profile, "preset:", 7) == 0) {
            assert_int_equal(profile_preset(c->profile + 7, &p), 0);
        } else if (c->profile) {
            char err[256] = "";
            json_t *j = json_loads(c->profile, 0, NULL);
            assert_int_equal(api_profile_parse(j, &p, err, sizeof(err)), 0);
            json_decref(j);
        } else {
            profile_default(&p);
        }
        struct play_options o = {.max_bitrate = c->max_bitrate};
        snprintf(o.audio_language, sizeof(o.audio_language), "%s", c->language ? c->language : "");
        struct plan plan;
        assert_int_equal(decide(&f, &p, &o, &plan), 0);

        char reasons[512] = "";
        for (int r = 0; r < REASON_COUNT; r++)
            if (plan.reasons & (1u << r))
                snprintf(reasons + strlen(reasons), sizeof(reasons) - strlen(reasons), "%s%s",
                         *reasons ? "," : "", reason_name((enum playback_reason)r));
        bool ok = strcmp(play_method_name(plan.method), c->method) == 0 &&
                  strcmp(reasons, c->reasons) == 0 &&
                  (!c->vcodec || plan.video.copy == c->video_copy) &&
                  plan.audio.copy == c->audio_copy;
        if (!ok) {
            print_error("%s:\n  expected %s [%s] video %s audio %s\n"
                        "  got      %s [%s] video %s audio %s\n",
                        c->name, c->method, c->reasons, c->video_copy ? "copy" : "encode",
                        c->audio_copy ? "copy" : "encode", play_method_name(plan.method), reasons,
                        plan.video.copy ? "copy" : "encode", plan.audio.copy ? "copy" : "encode");
            failures++;
        }
        media_file_release(&f);
    }
    assert_int_equal(failures, 0);
}

static void encodes_within_the_limits(void **state)
{
    (void)state;
    /* HEVC 4K to a 1080p phone at 8 Mb/s: H.264, 1920x1080, under the cap; audio AAC. */
    struct media_file f;
    build(&combos[10], &f);
    char err[256];
    json_t *j = json_loads(phone, 0, NULL);
    struct device_profile p;
    assert_int_equal(api_profile_parse(j, &p, err, sizeof(err)), 0);
    json_decref(j);
    struct play_options o = {0};
    struct plan plan;
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_string_equal(plan.video.codec, "h264");
    assert_int_equal(plan.video.width, 1920);
    assert_int_equal(plan.video.height, 1080);
    assert_int_equal(plan.video.bit_depth, 8);
    assert_true(plan.video.bitrate <= 8000000);
    assert_string_equal(plan.audio.codec, "aac");
    assert_int_equal(plan.audio.channels, 2);
    assert_int_equal(plan.max_bitrate, 8000000);
    media_file_release(&f);
}

/* What a stream becomes depends on the segments it goes into, and on what the client said
 * it failed to decode. */
static void segments_and_client_errors_decide_what_is_copied(void **state)
{
    (void)state;
    static const struct combo mp3 = {.name = "H.264/MP3 in MKV",
                                     .container = "mkv",
                                     .bitrate = 2000000,
                                     .vcodec = "h264",
                                     .vprofile = "High",
                                     .level = 40,
                                     .depth = 8,
                                     .width = 1280,
                                     .height = 720,
                                     .audio = {{"mp3", 2, "eng", true}}};
    struct media_file f;
    build(&mp3, &f);
    struct device_profile p;
    profile_default(&p);
    struct play_options o = {0};
    struct plan plan;
    /* fMP4 takes no MP3 in a browser; MPEG-TS does (hls.js unpacks it). */
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_true(plan.video.copy);
    assert_false(plan.audio.copy);
    assert_true(plan.reasons & (1u << REASON_HLS_AUDIO));
    o.segments = SEGMENTS_TS;
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_true(plan.audio.copy);
    assert_false(plan.reasons & (1u << REASON_HLS_AUDIO));

    /* A client's own HLS lists are read as given… */
    char err[256];
    json_t *j = json_loads("{\"containers\":[\"mp4\"],\"video\":[{\"codec\":\"h264\"}],"
                           "\"audio\":[{\"codec\":\"aac\"}],\"hls\":{\"fmp4\":{\"video\":"
                           "[{\"codec\":\"h264\"}],\"audio\":[{\"codec\":\"mp3\"}]}}}",
                           0, NULL);
    assert_int_equal(api_profile_parse(j, &p, err, sizeof(err)), 0);
    json_decref(j);
    o.segments = SEGMENTS_FMP4;
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_true(plan.audio.copy);
    /* …and a codec the client failed to decode leaves every list. */
    profile_exclude(&p, "mp3");
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_false(plan.audio.copy);
    assert_string_equal(plan.audio.codec, "aac");
    profile_exclude(&p, "h264");
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_int_equal(plan.method, PLAY_TRANSCODE);
    assert_false(plan.ts);
    /* Left to the server, a transcode goes in MPEG-TS, which carries its AAC as well. */
    o.segments = SEGMENTS_AUTO;
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_int_equal(plan.method, PLAY_TRANSCODE);
    assert_true(plan.ts);
    media_file_release(&f);

    /* A remux stays in fMP4, and so does a transcode whose audio only fMP4 can copy. */
    static const struct combo opus = {.name = "MPEG-2/Opus in MKV",
                                      .container = "mkv",
                                      .bitrate = 2000000,
                                      .vcodec = "mpeg2video",
                                      .vprofile = "Main",
                                      .level = 8,
                                      .depth = 8,
                                      .width = 720,
                                      .height = 576,
                                      .audio = {{"opus", 2, "eng", true}}};
    build(&opus, &f);
    profile_default(&p);
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_int_equal(plan.method, PLAY_TRANSCODE);
    assert_true(plan.audio.copy);
    assert_false(plan.ts);
    media_file_release(&f);
    build(&mp3, &f);
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_int_equal(plan.method, PLAY_REMUX);
    assert_false(plan.ts);
    media_file_release(&f);
}

/* Encodes keep the display shape, deinterlace, and map HDR to what the screen shows. */
static void encodes_look_like_the_source(void **state)
{
    (void)state;
    static const struct combo mpeg2 = {.name = "MPEG-2 in TS",
                                       .container = "mpegts",
                                       .bitrate = 4000000,
                                       .vcodec = "mpeg2video",
                                       .vprofile = "Main",
                                       .depth = 8,
                                       .width = 720,
                                       .height = 480,
                                       .audio = {{"ac3", 2, "eng", true}}};
    struct media_file f;
    build(&mpeg2, &f);
    struct media_stream *v = &f.streams[0];
    /* Anamorphic 16:9 NTSC, interlaced top field first. */
    v->sar_num = 32;
    v->sar_den = 27;
    snprintf(v->field_order, sizeof(v->field_order), "tt");
    struct device_profile p;
    profile_default(&p);
    struct play_options o = {0};
    struct plan plan;
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_int_equal(plan.video.height, 480);
    assert_int_equal(plan.video.width, 852); /* 720 x 32/27 = 853, made even */
    assert_true(plan.video.deinterlace);
    assert_false(plan.video.tonemap);
    /* A phone clip turned a quarter: shown portrait. */
    v->sar_num = v->sar_den = 0;
    snprintf(v->field_order, sizeof(v->field_order), "progressive");
    v->width = 1920;
    v->height = 1080;
    v->rotation = 90;
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_false(plan.video.deinterlace);
    assert_int_equal(plan.video.height, 1080);
    assert_int_equal(plan.video.width, 606);
    media_file_release(&f);

    /* HDR10 HEVC: a screen that cannot show it gets a tone-mapped transcode, with a reason;
     * one that can gets the HEVC as it is. */
    static const struct combo hdr = {.name = "HDR10 HEVC in MP4",
                                     .container = "mp4",
                                     .bitrate = 8000000,
                                     .vcodec = "hevc",
                                     .vprofile = "Main 10",
                                     .level = 150,
                                     .depth = 10,
                                     .width = 3840,
                                     .height = 2160,
                                     .audio = {{"aac", 2, "eng", true}}};
    build(&hdr, &f);
    v = &f.streams[0];
    snprintf(v->color_transfer, sizeof(v->color_transfer), "smpte2084");
    snprintf(v->color_primaries, sizeof(v->color_primaries), "bt2020");
    char err[256];
    json_t *j = json_loads("{\"containers\":[\"mp4\"],\"video\":[{\"codec\":\"hevc\"}],"
                           "\"audio\":[{\"codec\":\"aac\"}]}",
                           0, NULL);
    assert_int_equal(api_profile_parse(j, &p, err, sizeof(err)), 0);
    assert_false(p.hdr);
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_int_equal(plan.method, PLAY_TRANSCODE);
    assert_true(plan.reasons & (1u << REASON_HDR));
    assert_true(plan.video.tonemap);
    assert_string_equal(plan.video.transfer_in, "smpte2084");
    p.hdr = true;
    assert_int_equal(decide(&f, &p, &o, &plan), 0);
    assert_int_equal(plan.method, PLAY_DIRECT);
    json_decref(j);
    media_file_release(&f);
}

/* Adds a subtitle stream of codec to f; its index. */
static int add_subtitle(struct media_file *f, const char *codec, const char *external)
{
    struct media_stream *s;
    assert_int_equal(media_file_add_stream(f, &s), 0);
    s->index = (int)f->nstreams - 1;
    s->type = STREAM_SUBTITLE;
    snprintf(s->codec, sizeof(s->codec), "%s", codec);
    s->external = external ? strdup(external) : NULL;
    return s->index;
}

/* Image subtitles are burnt into encoded video, except where the client plays the file and
 * draws them itself; text subtitles never change the plan. */
static void image_subtitles_are_burnt_in(void **state)
{
    (void)state;
    struct media_file f;
    build(&combos[0], &f); /* H.264/AAC in MP4: direct play */
    int srt = add_subtitle(&f, "subrip", NULL);
    int pgs = add_subtitle(&f, "hdmv_pgs_subtitle", NULL);
    int dvd = add_subtitle(&f, "dvd_subtitle", NULL);
    int sup = add_subtitle(&f, "hdmv_pgs_subtitle", "/films/Film.en.sup");
    int teletext = add_subtitle(&f, "dvb_teletext", NULL);
    struct device_profile browser, vlc;
    profile_default(&browser);
    assert_int_equal(profile_preset("vlc", &vlc), 0);
    const struct {
        const struct device_profile *p;
        int stream; /* -1: none */
        bool burn;
    } cases[] = {
        {&browser, -1, false}, {&browser, srt, false}, {&browser, pgs, true},
        {&browser, dvd, true}, {&browser, sup, true},  {&browser, teletext, false},
        {&vlc, pgs, false},    {&vlc, sup, true},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct play_options o = {.subtitle_chosen = true, .subtitle_stream = cases[i].stream};
        struct plan plan;
        assert_int_equal(decide(&f, cases[i].p, &o, &plan), 0);
        if (plan.subtitle.present != cases[i].burn)
            fail_msg("case %zu: stream %d burnt in: %d", i, cases[i].stream, plan.subtitle.present);
        bool reason = plan.reasons & (1u << REASON_SUBTITLE_BURN_IN);
        assert_int_equal(reason, cases[i].burn);
        if (!cases[i].burn) {
            assert_int_equal(plan.method, PLAY_DIRECT);
            continue;
        }
        assert_int_equal(plan.method, PLAY_TRANSCODE);
        assert_false(plan.video.copy);
        assert_true(plan.audio.copy); /* the audio needs nothing */
        assert_int_equal(plan.subtitle.index, cases[i].stream);
        assert_true(plan.nrungs > 0 && !plan.rungs[0].copy);
    }
    media_file_release(&f);

    /* A file VLC cannot play as it is goes through HLS, which carries no pictures: burnt in. */
    build(&combos[0], &f);
    snprintf(f.container, sizeof(f.container), "flv");
    pgs = add_subtitle(&f, "hdmv_pgs_subtitle", NULL);
    struct play_options o = {.subtitle_chosen = true, .subtitle_stream = pgs};
    struct plan plan;
    assert_int_equal(decide(&f, &vlc, &o, &plan), 0);
    assert_int_equal(plan.method, PLAY_TRANSCODE);
    assert_true(plan.subtitle.present);
    media_file_release(&f);
}

static void refuses_files_without_media(void **state)
{
    (void)state;
    struct media_file f = {0};
    snprintf(f.container, sizeof(f.container), "mkv");
    struct device_profile p;
    profile_default(&p);
    struct play_options o = {0};
    struct plan plan;
    assert_int_equal(decide(&f, &p, &o, &plan), ERR_UNPLAYABLE);
    build(&combos[0], &f);
    f.error = strdup("truncated");
    assert_int_equal(decide(&f, &p, &o, &plan), ERR_UNPLAYABLE);
    media_file_release(&f);
}

static void bad_profiles_name_the_field(void **state)
{
    struct device_profile preset;
    assert_int_equal(profile_preset("toaster", &preset), ERR_NOT_FOUND);
    (void)state;
    const char *bad[][2] = {
        {"[]", "profile.: expected an object"},
        {"{}", "profile.containers: is required"},
        {"{\"containers\":\"mp4\"}", "profile.containers: expected a list"},
        {"{\"containers\":[1]}", "profile.containers: expected a list of short"},
        {"{\"containers\":[\"mp4\"],\"video\":{}}", "profile.video: expected a list"},
        {"{\"containers\":[\"mp4\"],\"video\":[{\"profiles\":[]}]}", "profile.video[0].codec"},
        {"{\"containers\":[\"mp4\"],\"video\":[{\"codec\":\"h264\"},{\"codec\":\"hevc\","
         "\"max_level\":\"5.1\"}]}",
         "profile.video[1].max_level: expected a whole number"},
        {"{\"containers\":[\"mp4\"],\"audio\":[{\"codec\":\"aac\",\"max_channels\":-2}]}",
         "profile.audio[0].max_channels"},
        {"{\"containers\":[\"mp4\"],\"max_bitrate\":1.5}", "profile.max_bitrate"},
        {"{\"containers\":[\"mp4\"],\"video\":[{\"codec\":\"h264\",\"profiles\":\"high\"}]}",
         "profile.video[0].profiles"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = json_loads(bad[i][0], JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        struct device_profile p;
        char err[256] = "";
        assert_int_equal(api_profile_parse(j, &p, err, sizeof(err)), ERR_BAD_REQUEST);
        if (!strstr(err, bad[i][1]))
            fail_msg("%s: expected a message with \"%s\", got \"%s\"", bad[i][0], bad[i][1], err);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decides_every_combination),
        cmocka_unit_test(encodes_within_the_limits),
        cmocka_unit_test(segments_and_client_errors_decide_what_is_copied),
        cmocka_unit_test(encodes_look_like_the_source),
        cmocka_unit_test(image_subtitles_are_burnt_in),
        cmocka_unit_test(refuses_files_without_media),
        cmocka_unit_test(bad_profiles_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
