/* The pure HLS parts: segment grid, playlists and the ffmpeg argv builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"
#include "hls/argv.h"
#include "hls/chunk.h"
#include "hls/grid.h"
#include "hls/mpegts.h"
#include "hls/playlist.h"
#include "hls/speeds.h"
#include "hls/vtt.h"
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double total(const struct hls_grid *g)
{
    double t = 0;
    for (size_t i = 0; i < g->n; i++)
        t += g->segs[i].duration;
    return t;
}

static void encode_grid_is_short_then_fixed(void **state)
{
    (void)state;
    struct hls_grid g;
    assert_int_equal(grid_encode(60.0, 4.0, 0, &g), 0);
    double want[] = {1, 1, 2, 4, 4};
    for (int i = 0; i < 5; i++)
        assert_float_equal(g.segs[i].duration, want[i], 1e-9);
    assert_float_equal(total(&g), 60.0, 1e-6);
    /* Starts line up: each is the sum of those before. */
    for (size_t i = 1; i < g.n; i++)
        assert_float_equal(g.segs[i].start, g.segs[i - 1].start + g.segs[i - 1].duration, 1e-9);
    assert_int_equal(g.nchunks, g.n);
    assert_int_equal(g.segs[7].first_chunk, 7);
    assert_int_equal(grid_find(&g, 0), 0);
    assert_int_equal(grid_find(&g, 3.9), 2);
    assert_int_equal(grid_find(&g, 45.0), grid_find(&g, 44.0));
    assert_int_equal(grid_find(&g, 1e9), g.n - 1);
    assert_int_equal(grid_target_duration(&g), 4);
    grid_release(&g);

    /* The last segment is short, and durations add up to the file's. */
    assert_int_equal(grid_encode(10.5, 4.0, 0, &g), 0);
    assert_int_equal(g.n, 5);
    assert_float_equal(g.segs[4].duration, 2.5, 1e-9);
    assert_float_equal(total(&g), 10.5, 1e-9);
    grid_release(&g);

    assert_int_equal(grid_encode(0, 4.0, 0, &g), -EINVAL);

    /* With room for parts of 0.5 s: 2, 2, 4, then 8 chunks a segment, numbered on. */
    assert_int_equal(grid_encode(10.5, 4.0, 0.5, &g), 0);
    uint32_t parts[] = {2, 2, 4, 8, 5};
    uint32_t first = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(g.segs[i].nchunks, parts[i]);
        assert_int_equal(g.segs[i].first_chunk, first);
        first += parts[i];
    }
    assert_int_equal(g.nchunks, first);
    assert_int_equal(grid_segment_of_chunk(&g, 4), 2);
    assert_int_equal(grid_segment_of_chunk(&g, 15), 3);
    assert_int_equal(grid_segment_of_chunk(&g, 16), 4);
    grid_release(&g);
    /* Rounded, so that no part is shorter than half a part. */
    assert_int_equal(grid_parts(2.3, 0.5), 5);
    assert_int_equal(grid_parts(2.2, 0.5), 4);
    assert_int_equal(grid_parts(0.2, 0.5), 1);
    assert_int_equal(grid_parts(4.0, 0), 1);
}

static void copy_grid_starts_on_keyframes(void **state)
{
    (void)state;
    double kf[30];
    for (int i = 0; i < 30; i++)
        kf[i] = i * 2.0;
    struct hls_grid g;
    assert_int_equal(grid_copy(kf, 30, 60.0, 4.0, &g), 0);
    assert_float_equal(total(&g), 60.0, 1e-6);
    size_t chunks = 0;
    for (size_t i = 0; i < g.n; i++) {
        /* Every start is a keyframe, and the chunks cover the keyframes in order. */
        assert_float_equal(g.segs[i].start, kf[g.segs[i].first_chunk], 1e-9);
        assert_int_equal(g.segs[i].first_chunk, chunks);
        chunks += g.segs[i].nchunks;
        if (i > 3 && i + 1 < g.n)
            assert_float_equal(g.segs[i].duration, 4.0, 1e-9);
    }
    assert_int_equal(chunks, 30);
    assert_int_equal(grid_segment_of_chunk(&g, 29), g.n - 1);
    grid_release(&g);

    /* Irregular keyframes: a segment runs to the first keyframe past its target. */
    double odd[] = {0, 0.5, 3.0, 3.2, 9.0, 9.5, 20.0};
    assert_int_equal(grid_copy(odd, 7, 21.0, 4.0, &g), 0);
    assert_float_equal(total(&g), 21.0, 1e-6);
    assert_float_equal(g.segs[0].duration, 3.0, 1e-9); /* 0.5 is short of 1 s */
    assert_int_equal(g.segs[0].nchunks, 2);
    assert_float_equal(g.segs[g.n - 1].start, 20.0, 1e-9);
    assert_float_equal(g.segs[g.n - 1].duration, 1.0, 1e-9);
    assert_int_equal(grid_target_duration(&g), 11); /* 9.0 to 20.0 */
    grid_release(&g);
}

static void media_playlist_is_whole_vod(void **state)
{
    (void)state;
    struct hls_grid g;
    assert_int_equal(grid_encode(61.5, 4.0, 0, &g), 0);
    char *text;
    size_t len;
    assert_int_equal(playlist_media(&g, true, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    assert_non_null(strstr(text, "#EXT-X-PLAYLIST-TYPE:VOD\n"));
    assert_non_null(strstr(text, "#EXT-X-MAP:URI=\"init.mp4\"\n"));
    assert_non_null(strstr(text, "#EXT-X-TARGETDURATION:4\n"));
    assert_non_null(strstr(text, "\n0.m4s\n"));
    assert_true(strlen(text) > 20 && strcmp(text + len - 15, "#EXT-X-ENDLIST\n") == 0);
    double sum = 0;
    size_t segments = 0;
    for (const char *p = strstr(text, "#EXTINF:"); p; p = strstr(p + 1, "#EXTINF:")) {
        sum += atof(p + 8);
        segments++;
    }
    assert_int_equal(segments, g.n);
    assert_float_equal(sum, 61.5, 1e-5);
    free(text);
    assert_int_equal(playlist_media(&g, false, &text, &len), 0);
    assert_null(strstr(text, "EXT-X-MAP"));
    assert_non_null(strstr(text, "\n0.ts\n"));
    free(text);
    grid_release(&g);
}

static struct media_stream video_stream(const char *codec, const char *profile, int level, int w,
                                        int h, int depth)
{
    struct media_stream v = {.type = STREAM_VIDEO,
                             .level = level,
                             .width = w,
                             .height = h,
                             .bit_depth = depth,
                             .frame_rate = 23.976};
    snprintf(v.codec, sizeof(v.codec), "%s", codec);
    snprintf(v.profile, sizeof(v.profile), "%s", profile);
    return v;
}

static void renditions_fit_the_source_and_cap(void **state)
{
    (void)state;
    struct media_stream v = video_stream("hevc", "Main 10", 153, 1920, 1080, 10);
    struct media_stream a = {.type = STREAM_AUDIO, .index = 1, .channels = 6};
    snprintf(a.codec, sizeof(a.codec), "eac3");
    struct plan p = {.method = PLAY_TRANSCODE};
    p.video = (struct stream_plan){.present = true, .codec = "h264", .width = 1920, .height = 1080};
    p.audio = (struct stream_plan){
        .present = true, .index = 1, .codec = "aac", .channels = 2, .bitrate = 160000};
    plan_ladder(&p);
    struct hls_rendition r[HLS_MAX_RENDITIONS];
    size_t n = playlist_renditions(&p, &v, &a, true, r);
    assert_int_equal(n, 4);
    /* The plan's video bitrate is its top rung's, and each rendition has its rung's. */
    assert_int_equal(p.video.bitrate, 5000000);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(r[i].video_bitrate, p.rungs[i].video_bitrate);
    assert_string_equal(r[0].name, "1080p");
    assert_string_equal(r[1].name, "720p");
    assert_int_equal(r[1].width, 1280);
    assert_string_equal(r[1].codecs, "avc1.64001F,mp4a.40.2");
    assert_string_equal(r[0].codecs, "avc1.640028,mp4a.40.2");

    char *text;
    size_t len;
    assert_int_equal(playlist_master(r, n, true, "/api/v1/hls/abc", &text, &len), 0);
    assert_non_null(strstr(text, "RESOLUTION=1280x720"));
    assert_non_null(strstr(text, "FRAME-RATE=23.976"));
    assert_non_null(strstr(text, "AVERAGE-BANDWIDTH=2960000"));
    assert_non_null(strstr(text, "BANDWIDTH=3520000,"));
    /* Absolute: players resolve relative URIs against the URL before a redirect. */
    assert_non_null(strstr(text, "\n/api/v1/hls/abc/720p/index.m3u8\n"));
    free(text);

    /* A 2 Mb/s cap keeps the rungs whose peak, with the audio, fits it: 480p and 360p. */
    p.max_bitrate = 2000000;
    plan_ladder(&p);
    n = playlist_renditions(&p, &v, &a, true, r);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].name, "480p");
    for (size_t i = 0; i < n; i++)
        assert_true(plan_peak_bitrate(false, r[i].video_bitrate, r[i].audio_bitrate) <= 2000000);
    /* At 1.7 Mb/s the 480p rung's average would fit, its peak (1.84 Mb/s) would not. */
    p.max_bitrate = 1700000;
    plan_ladder(&p);
    n = playlist_renditions(&p, &v, &a, true, r);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "360p");
    /* A small source gets one rendition at its own size. */
    p.max_bitrate = 0;
    p.video.width = 320;
    p.video.height = 180;
    plan_ladder(&p);
    n = playlist_renditions(&p, &v, &a, true, r);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "180p");
    assert_int_equal(r[0].width, 320);

    /* A remux offers the copy, named as the source's codec. */
    p.method = PLAY_REMUX;
    p.video.copy = true;
    p.audio.copy = true;
    plan_ladder(&p);
    n = playlist_renditions(&p, &v, &a, true, r);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].name, "copy");
    assert_string_equal(r[0].codecs, "hvc1.2.4.L153.B0,ec-3");
    struct media_stream h = video_stream("h264", "High", 41, 1920, 1080, 8);
    n = playlist_renditions(&p, &h, &a, true, r);
    assert_string_equal(r[0].codecs, "avc1.640029,ec-3");
}

static bool has_pair(char **argv, const char *opt, const char *value)
{
    for (size_t i = 0; argv[i] && argv[i + 1]; i++)
        if (strcmp(argv[i], opt) == 0 && (!value || strcmp(argv[i + 1], value) == 0))
            return true;
    return false;
}

/* Where opt is in argv; fails the test when it is not there. */
static size_t index_of(char **argv, const char *opt)
{
    for (size_t i = 0; argv[i]; i++)
        if (strcmp(argv[i], opt) == 0)
            return i;
    fail_msg("'%s' is not in the command line", opt);
    return 0;
}

/* Interlaced HDR10 becomes progressive SDR BT.709, in that order, at square pixels. */
static void filters_make_encodes_look_right(void **state)
{
    (void)state;
    struct hls_grid g;
    assert_int_equal(grid_encode(60.0, 4.0, 0, &g), 0);
    struct plan p = {.method = PLAY_TRANSCODE};
    p.video = (struct stream_plan){.present = true,
                                   .codec = "h264",
                                   .width = 1920,
                                   .height = 1080,
                                   .deinterlace = true,
                                   .tonemap = true,
                                   .transfer_in = "smpte2084",
                                   .primaries_in = "bt2020"};
    struct hls_rendition r = {.name = "720p", .width = 1280, .height = 720, .video_bitrate = 1};
    struct hls_job job = {.ffmpeg = "ffmpeg",
                          .input = "/in",
                          .dir = "/t",
                          .plan = &p,
                          .rendition = &r,
                          .grid = &g,
                          .fmp4 = true};
    char **argv;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    const char *vf = argv[index_of(argv, "-vf") + 1];
    const char *bwdif = strstr(vf, "bwdif=mode=send_frame:parity=auto:deint=interlaced");
    const char *zscale = strstr(vf, "zscale=tin=smpte2084:pin=bt2020:t=linear");
    const char *tonemap = strstr(vf, "tonemap=tonemap=hable");
    const char *scale = strstr(vf, "scale=1280:720,setsar=1,format=yuv420p");
    assert_non_null(bwdif);
    assert_non_null(zscale);
    assert_non_null(tonemap);
    assert_non_null(scale);
    assert_true(vf == bwdif && bwdif < zscale && zscale < tonemap && tonemap < scale);
    assert_true(has_pair(argv, "-color_trc", "bt709"));
    assert_true(has_pair(argv, "-color_primaries", "bt709"));
    hls_argv_free(argv);

    /* A progressive SDR source gets the scale alone. */
    p.video.deinterlace = p.video.tonemap = false;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_string_equal(argv[index_of(argv, "-vf") + 1], "scale=1280:720,setsar=1,format=yuv420p");
    assert_false(has_pair(argv, "-color_trc", NULL));
    hls_argv_free(argv);

    /* Image subtitles: their pictures at the rendition's size over the filtered video, from
     * a run's start (the input is sought to it, and the video trimmed). */
    p.video.index = 0;
    p.subtitle = (struct stream_plan){.present = true, .index = 3, .codec = "dvd_subtitle"};
    job.start_segment = 5;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-ss", NULL));
    assert_false(has_pair(argv, "-vf", NULL));
    assert_true(has_pair(argv, "-map", "[video]"));
    assert_false(has_pair(argv, "-map", "0:0"));
    char want[256];
    snprintf(want, sizeof(want),
             "[0:0]trim=start=%.6f,scale=1280:720,setsar=1,format=yuv420p[main];"
             "[0:3]scale=1280:720[sub];[main][sub]overlay=eof_action=pass[video]",
             g.segs[5].start);
    assert_string_equal(argv[index_of(argv, "-filter_complex") + 1], want);
    hls_argv_free(argv);
    grid_release(&g);
}

/* Encode speeds are running averages, kept across restarts in a file. */
static void speeds_average_and_persist(void **state)
{
    (void)state;
    char path[] = "/tmp/reel-speeds-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct speeds *s;
    assert_int_equal(speeds_open(path, &s), 0);
    char key[96];
    speeds_key(key, sizeof(key), "hevc", 1080, 720, "veryfast");
    assert_string_equal(key, "hevc/1080>720/veryfast");
    assert_true(speeds_get(s, key) == 0);
    speeds_observe(s, key, 2.0);
    speeds_observe(s, key, 1.0); /* 0.7 * 2 + 0.3 * 1 */
    speeds_observe(s, key, -1);  /* nonsense is ignored */
    assert_true(fabs(speeds_get(s, key) - 1.7) < 1e-9);
    assert_false(speeds_calibrated(s, "veryfast"));
    assert_int_equal(speeds_save(s), 0);
    speeds_close(s);
    assert_int_equal(speeds_open(path, &s), 0);
    assert_true(fabs(speeds_get(s, key) - 1.7) < 1e-3);
    speeds_close(s);
    unlink(path);
}

/* MPEG-TS chunks lose ffmpeg's SDT, so that they begin with the PAT and the PMT. */
static void mpegts_chunks_begin_with_the_pat(void **state)
{
    (void)state;
    uint8_t b[4 * 188];
    const unsigned pids[] = {0x11, 0x00, 0x1000, 0x100};
    for (int i = 0; i < 4; i++) {
        memset(b + i * 188, i, 188);
        b[i * 188] = 0x47;
        b[i * 188 + 1] = (uint8_t)(pids[i] >> 8);
        b[i * 188 + 2] = (uint8_t)pids[i];
    }
    assert_int_equal(mpegts_drop_sdt(b, sizeof(b)), 3 * 188);
    assert_int_equal(b[2], 0x00);           /* the PAT first */
    assert_int_equal(b[188 + 1], 0x10);     /* then the PMT */
    assert_int_equal(b[2 * 188 + 2], 0x00); /* then the video */
    assert_int_equal(b[2 * 188 + 3], 3);
    assert_int_equal(mpegts_drop_sdt(b, 3 * 188), 3 * 188);
}

static void argv_follows_the_plan(void **state)
{
    (void)state;
    struct hls_grid g;
    assert_int_equal(grid_encode(60.0, 4.0, 0, &g), 0);
    struct plan p = {.method = PLAY_TRANSCODE};
    p.video = (struct stream_plan){.present = true, .codec = "h264", .width = 1920, .height = 1080};
    p.audio = (struct stream_plan){
        .present = true, .index = 1, .codec = "aac", .channels = 2, .bitrate = 160000};
    struct hls_rendition r = {
        .name = "720p", .width = 1280, .height = 720, .video_bitrate = 2800000};
    struct hls_job job = {.ffmpeg = "ffmpeg",
                          .input = "/m/in.mkv",
                          .dir = "/t/720p",
                          .plan = &p,
                          .rendition = &r,
                          .grid = &g,
                          .start_segment = 5,
                          .fmp4 = true,
                          .run = 2};
    char **argv;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_string_equal(argv[0], "ffmpeg");
    /* Segment 5 starts at 1+1+2+4+4 = 12 s: decoding starts a little before, and the
     * filters trim to 12 s; every timestamp moves on by the same offset. */
    char ss[16];
    snprintf(ss, sizeof(ss), "%.3f", 12.0 - HLS_PREROLL_S);
    assert_true(has_pair(argv, "-ss", ss));
    assert_true(has_pair(argv, "-output_ts_offset", "1"));
    assert_true(has_pair(argv, "-af", "atrim=start=12.000000"));
    assert_true(has_pair(argv, "-i", "/m/in.mkv"));
    assert_true(has_pair(argv, "-c:v", "libx264"));
    assert_true(
        has_pair(argv, "-vf", "trim=start=12.000000,scale=1280:720,setsar=1,format=yuv420p"));
    assert_true(has_pair(argv, "-level:v", "3.1"));
    assert_true(has_pair(argv, "-force_key_frames", NULL));
    /* Each run numbers its chunk files from 0 under a name of its own. */
    assert_true(has_pair(argv, "-start_number", "0"));
    assert_true(has_pair(argv, "-hls_fmp4_init_filename", "init_2.mp4"));
    assert_true(has_pair(argv, "-hls_segment_filename", "/t/720p/e2-%d.m4s"));
    assert_true(has_pair(argv, "-c:a", "aac"));
    /* Timestamps stay the source's, so that runs started anywhere line up. */
    assert_true(has_pair(argv, "-copyts", NULL));
    assert_true(has_pair(argv, "-avoid_negative_ts", "disabled"));
    assert_true(has_pair(argv, "-hls_segment_options",
                         "movflags=+frag_discont:use_editlist=0:avoid_negative_ts=disabled"));
    assert_true(has_pair(argv, "-b:v", "2800000"));
    assert_true(has_pair(argv, "-maxrate", "3360000"));
    /* Input options come before the input. */
    assert_true(index_of(argv, "-ss") < index_of(argv, "-i"));
    for (size_t i = 0; argv[i]; i++)
        if (strcmp(argv[i], "-force_key_frames") == 0)
            assert_true(strncmp(argv[i + 1], "16.000,20.000,", 14) == 0);
    hls_argv_free(argv);

    /* A hardware encoder, when the machine has one: VA-API uploads the frames to its
     * device, NVENC forces IDR frames; neither takes x264's options. */
    job.hwenc = HWENC_VAAPI;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-c:v", "h264_vaapi"));
    assert_true(index_of(argv, "-vaapi_device") < index_of(argv, "-i"));
    const char *vf = argv[index_of(argv, "-vf") + 1];
    assert_non_null(strstr(vf, "format=yuv420p,format=nv12,hwupload"));
    assert_false(has_pair(argv, "-preset", NULL));
    assert_true(has_pair(argv, "-force_key_frames", NULL));
    hls_argv_free(argv);
    job.hwenc = HWENC_NVENC;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-c:v", "h264_nvenc"));
    assert_true(has_pair(argv, "-forced-idr", "1"));
    assert_true(has_pair(argv, "-no-scenecut", "1"));
    assert_false(has_pair(argv, "-tune", "zerolatency"));
    hls_argv_free(argv);
    job.hwenc = HWENC_NONE;
    assert_string_equal(hwenc_name(HWENC_NONE), "none");

    /* A source whose timestamps start at 1.43 s (a broadcast recording): -ss counts from
     * the file's start as ffmpeg does; the trims and forced keyframes are in the source's
     * own time. */
    job.start_s = 1.43;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-ss", ss));
    assert_true(has_pair(argv, "-af", "atrim=start=13.430000"));
    const char *forced = argv[index_of(argv, "-force_key_frames") + 1];
    assert_true(strncmp(forced, "17.430,21.430,", 14) == 0);
    hls_argv_free(argv);
    job.start_s = 0;
    grid_release(&g);

    /* Segments with room for parts: the run's first segment gets a keyframe at the start
     * of each part, so that it is written part by part; later ones only at their start. */
    assert_int_equal(grid_encode(60.0, 4.0, 0.5, &g), 0);
    job.fmp4 = false;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-hls_segment_filename", "/t/720p/e2-%d.ts"));
    forced = argv[index_of(argv, "-force_key_frames") + 1];
    assert_true(strncmp(forced, "12.500,13.000,13.500,14.000,14.500,15.000,15.500,16.000,20.000,",
                        63) == 0);
    hls_argv_free(argv);
    job.fmp4 = true;
    grid_release(&g);

    /* A copy seeks just past the segment's keyframe and copies; HEVC is tagged hvc1. */
    double kf[30];
    for (int i = 0; i < 30; i++)
        kf[i] = i * 2.0 + 0.003;
    assert_int_equal(grid_copy(kf, 30, 60.0, 4.0, &g), 0);
    p.method = PLAY_REMUX;
    p.video.copy = true;
    snprintf(p.video.codec, sizeof(p.video.codec), "hevc");
    p.audio.copy = true;
    r = (struct hls_rendition){.name = "copy", .copy = true};
    job.keyframes = kf;
    job.start_segment = 4;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    snprintf(ss, sizeof(ss), "%.3f", kf[g.segs[4].first_chunk] + 0.2);
    assert_true(has_pair(argv, "-ss", ss));
    /* -noaccurate_seek applies to the input: it must come before -i. */
    assert_true(index_of(argv, "-noaccurate_seek") < index_of(argv, "-ss"));
    assert_true(index_of(argv, "-ss") < index_of(argv, "-i"));
    assert_true(has_pair(argv, "-c:v", "copy"));
    assert_true(has_pair(argv, "-tag:v", "hvc1"));
    assert_true(has_pair(argv, "-c:a", "copy"));
    /* Its audio comes from a second demuxer started earlier, and drops what the linear run
     * put in the chunk before: audio decoded before the keyframe. */
    assert_true(has_pair(argv, "-map", "1:1"));
    char drop[64];
    snprintf(drop, sizeof(drop), "noise=drop=lt(dts/90000\\,%.6f)", kf[g.segs[4].first_chunk]);
    job.fmp4 = false;
    hls_argv_free(argv);
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-bsf:a", drop));
    job.fmp4 = true;
    assert_true(has_pair(argv, "-start_number", "0"));
    assert_false(has_pair(argv, "-force_key_frames", NULL));
    assert_false(has_pair(argv, "-strict", NULL));
    hls_argv_free(argv);

    /* FLAC copied into fMP4 needs ffmpeg 5.1's experimental flag. */
    snprintf(p.audio.codec, sizeof(p.audio.codec), "flac");
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-strict", "experimental"));
    hls_argv_free(argv);

    /* MPEG-TS when asked for. */
    job.fmp4 = false;
    job.start_segment = 0;
    assert_int_equal(hls_argv_build(&job, &argv), 0);
    assert_true(has_pair(argv, "-hls_segment_type", "mpegts"));
    assert_false(has_pair(argv, "-ss", NULL));
    hls_argv_free(argv);
    grid_release(&g);
}

/* A chunk short of what its boxes or packets say, as a full disk leaves it, is not whole. */
static void short_chunks_are_not_whole(void **state)
{
    (void)state;
    uint8_t mp4[64] = {0};
    /* styp (16), moof (24), mdat (24): 64 bytes. */
    const struct {
        int at, size;
        const char *type;
    } boxes[] = {{0, 16, "styp"}, {16, 24, "moof"}, {40, 24, "mdat"}};
    for (int i = 0; i < 3; i++) {
        mp4[boxes[i].at + 3] = (uint8_t)boxes[i].size;
        memcpy(mp4 + boxes[i].at + 4, boxes[i].type, 4);
    }
    assert_true(chunk_whole(mp4, 64, false));
    assert_false(chunk_whole(mp4, 63, false));
    assert_true(chunk_whole(mp4, 40, false)); /* the boxes end there: styp and moof */
    assert_false(chunk_whole(mp4, 41, false));
    assert_false(chunk_whole(mp4, 0, false));
    uint8_t zeros[4096] = {0};
    assert_false(chunk_whole(zeros, sizeof(zeros), false));
    uint8_t ts[188 * 3];
    memset(ts, 0xff, sizeof(ts));
    for (int i = 0; i < 3; i++)
        ts[i * 188] = 0x47;
    assert_true(chunk_whole(ts, sizeof(ts), true));
    assert_false(chunk_whole(ts, sizeof(ts) - 1, true));
    assert_false(chunk_whole(ts, 0, true));
    ts[188] = 0;
    assert_false(chunk_whole(ts, sizeof(ts), true));
    assert_false(chunk_whole(zeros, 188 * 20, true));
}

static void a_stored_master_gets_absolute_uris(void **state)
{
    (void)state;
    const char in[] = "#EXTM3U\n#EXT-X-VERSION:7\n"
                      "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"fr\",URI=\"fr/index.m3u8\"\n"
                      "#EXT-X-STREAM-INF:BANDWIDTH=1120000,CODECS=\"avc1.64001E,mp4a.40.2\"\n"
                      "720p/index.m3u8\n"
                      "#EXT-X-STREAM-INF:BANDWIDTH=500000\n/already/absolute.m3u8\n"
                      "#EXT-X-STREAM-INF:BANDWIDTH=400000\nhttps://cdn.example/x.m3u8";
    char *out;
    size_t len;
    assert_int_equal(playlist_rebase(in, sizeof(in) - 1, "/s/tok/prepared/7", &out, &len), 0);
    assert_string_equal(out,
                        "#EXTM3U\n#EXT-X-VERSION:7\n"
                        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"fr\","
                        "URI=\"/s/tok/prepared/7/fr/index.m3u8\"\n"
                        "#EXT-X-STREAM-INF:BANDWIDTH=1120000,CODECS=\"avc1.64001E,mp4a.40.2\"\n"
                        "/s/tok/prepared/7/720p/index.m3u8\n"
                        "#EXT-X-STREAM-INF:BANDWIDTH=500000\n/already/absolute.m3u8\n"
                        "#EXT-X-STREAM-INF:BANDWIDTH=400000\nhttps://cdn.example/x.m3u8");
    assert_int_equal(len, strlen(out));
    free(out);
}

static void subtitles_become_renditions(void **state)
{
    (void)state;
    const char master[] = "#EXTM3U\n#EXT-X-VERSION:7\n"
                          "#EXT-X-STREAM-INF:BANDWIDTH=1000\n/p/720p/index.m3u8\n"
                          "#EXT-X-STREAM-INF:BANDWIDTH=500\n/p/360p/index.m3u8\n";
    struct vtt_rendition r[] = {{3, "eng", "English", 0, 1}, {1001, "", "Signs", 1, 0}};
    struct buf b;
    buf_init(&b, BUF_NO_CAP);
    assert_int_equal(vtt_master(master, sizeof(master) - 1, r, 2, "/p", &b), 0);
    assert_string_equal(
        b.ptr, "#EXTM3U\n#EXT-X-VERSION:7\n"
               "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"eng\","
               "DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI=\"/p/sub3/index.m3u8\"\n"
               "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Signs\",DEFAULT=NO,"
               "AUTOSELECT=YES,FORCED=YES,URI=\"/p/sub1001/index.m3u8\"\n"
               "#EXT-X-STREAM-INF:BANDWIDTH=1000,SUBTITLES=\"subs\"\n/p/720p/index.m3u8\n"
               "#EXT-X-STREAM-INF:BANDWIDTH=500,SUBTITLES=\"subs\"\n/p/360p/index.m3u8\n");
    buf_reset(&b);

    const char media[] = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n"
                         "#EXTINF:4.000000,\n0.m4s\n#EXTINF:4.000000,\n1.m4s\n"
                         "#EXTINF:2.500000,\n2.m4s\n#EXT-X-ENDLIST\n";
    assert_int_equal(vtt_media(media, sizeof(media) - 1, &b), 0);
    assert_string_equal(b.ptr, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000000,\n0.vtt\n"
                               "#EXTINF:4.000000,\n1.vtt\n#EXTINF:2.500000,\n2.vtt\n"
                               "#EXT-X-ENDLIST\n");
    double a, z;
    assert_int_equal(vtt_segment_times(media, sizeof(media) - 1, 2, &a, &z), 0);
    assert_true(fabs(a - 8) < 1e-9 && fabs(z - 10.5) < 1e-9);
    assert_int_equal(vtt_segment_times(media, sizeof(media) - 1, 3, &a, &z), ERR_NOT_FOUND);
    buf_reset(&b);

    /* Cues overlapping [4, 8): the one across 4 s, the one inside; not those outside. */
    const char vtt[] = "WEBVTT\n\nNOTE made by ffmpeg\n\n00:01.000 --> 00:02.500\nbefore\n\n"
                       "cue-2\n00:03.500 --> 00:04.500 line:10%\nacross <i>4 s</i>\n\n"
                       "00:00:06.000 --> 00:00:07.000\ninside\ntwo lines\n\n"
                       "00:08.000 --> 00:09.000\nafter\n\n"
                       "01:00:00.000 --> 01:00:01.000\nan hour in";
    assert_int_equal(vtt_segment(vtt, sizeof(vtt) - 1, 4, 8, 90000, &b), 0);
    assert_string_equal(b.ptr, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:90000,LOCAL:00:00:00.000\n\n"
                               "cue-2\n00:03.500 --> 00:04.500 line:10%\nacross <i>4 s</i>\n\n"
                               "00:00:06.000 --> 00:00:07.000\ninside\ntwo lines\n\n");
    buf_reset(&b);
    assert_int_equal(vtt_segment(vtt, sizeof(vtt) - 1, 3600, 3604, 0, &b), 0);
    assert_non_null(strstr(b.ptr, "an hour in\n\n"));
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_grid_is_short_then_fixed),
        cmocka_unit_test(short_chunks_are_not_whole),
        cmocka_unit_test(copy_grid_starts_on_keyframes),
        cmocka_unit_test(media_playlist_is_whole_vod),
        cmocka_unit_test(renditions_fit_the_source_and_cap),
        cmocka_unit_test(argv_follows_the_plan),
        cmocka_unit_test(filters_make_encodes_look_right),
        cmocka_unit_test(mpegts_chunks_begin_with_the_pat),
        cmocka_unit_test(speeds_average_and_persist),
        cmocka_unit_test(a_stored_master_gets_absolute_uris),
        cmocka_unit_test(subtitles_become_renditions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
