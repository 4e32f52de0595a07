#include "hls/argv.h"
#include "core/buf.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct args {
    char **v;
    size_t n, alloc;
    int err;
};

__attribute__((format(printf, 2, 3))) static void add(struct args *a, const char *fmt, ...)
{
    if (a->err)
        return;
    if (a->n + 2 > a->alloc) {
        size_t alloc = a->alloc ? a->alloc * 2 : 64;
        char **v = realloc(a->v, alloc * sizeof(*v));
        if (!v) {
            a->err = -ENOMEM;
            return;
        }
        a->v = v;
        a->alloc = alloc;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->v[a->n], fmt, ap) < 0)
        a->err = -ENOMEM;
    else
        a->v[++a->n] = NULL;
    va_end(ap);
}

/* Keyframes at the start of every part of the run's first segment and of every later
 * segment, in the source's time (the encoder sees -copyts timestamps), so that the run
 * writes one chunk per part, then one per segment. ffmpeg forces each listed time on its
 * own frame, a frame late when two fall between the same frames, so the count of chunks
 * never changes. */
static int keyframe_times(const struct hls_grid *g, size_t from, double start_s, struct buf *b)
{
    const struct hls_segment *first = &g->segs[from];
    for (uint32_t k = 1; k < first->nchunks; k++) {
        int rc = buf_printf(b, "%s%.3f", b->len ? "," : "", start_s + first->start + k * g->part);
        if (rc < 0)
            return rc;
    }
    for (size_t i = from + 1; i < g->n; i++) {
        int rc = buf_printf(b, "%s%.3f", b->len ? "," : "", start_s + g->segs[i].start);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Where a run that starts at segment start_segment makes its first chunk begin, as a decoding
 * time in the source's timeline: the keyframe's (a copied one is decoded before it shows). */
static double run_start_dts(const struct hls_job *j, bool copy_video)
{
    const struct hls_segment *seg = &j->grid->segs[j->start_segment];
    if (copy_video)
        return j->keyframes[seg->first_chunk] - j->keyframe_delay;
    return j->start_s + seg->start;
}

/* Where encoded audio of such a run starts: on the frame grid of a linear run, which the AAC
 * encoder lays from the source's start in frames of 1,024 samples, at the first frame the
 * linear run puts in the run's first chunk. So the frames of both runs carry the same
 * times. */
static double audio_start(const struct hls_job *j, bool copy_video)
{
    double t = run_start_dts(j, copy_video);
    int rate = j->plan->audio.sample_rate;
    if (rate <= 0)
        return t;
    double frame = 1024.0 / rate;
    return j->start_s + ceil((t - j->start_s) / frame - 1e-6) * frame;
}

/* The video filters, in order: deinterlace (bwdif, only frames marked interlaced), map HDR
 * to SDR BT.709 (zscale to linear light, Hable's curve, back to BT.709), scale to the
 * rendition's display size with square pixels. A rotated source is turned by ffmpeg's own
 * autorotation before these, so the size is already the turned one. */
static int video_filters(const struct hls_job *j, struct buf *vf)
{
    const struct stream_plan *v = &j->plan->video;
    const struct hls_rendition *r = j->rendition;
    int rc = 0;
    if (j->start_segment > 0)
        rc = buf_printf(vf, "trim=start=%.6f,", run_start_dts(j, false));
    if (rc == 0 && v->deinterlace)
        rc = buf_puts(vf, "bwdif=mode=send_frame:parity=auto:deint=interlaced,");
    if (rc == 0 && v->tonemap) {
        rc = buf_puts(vf, "zscale=");
        if (rc == 0 && *v->transfer_in)
            rc = buf_printf(vf, "tin=%s:", v->transfer_in);
        if (rc == 0 && *v->primaries_in)
            rc = buf_printf(vf, "pin=%s:", v->primaries_in);
        if (rc == 0)
            rc = buf_puts(vf, "t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
                              "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,");
    }
    if (rc == 0)
        rc = buf_printf(vf, "scale=%d:%d,setsar=1,format=yuv420p", r->width, r->height);
    return rc;
}

/* Quick Sync and VA-API encode from frames in the device's memory. */
static int hw_upload(const struct hls_job *j, struct buf *vf)
{
    if (j->hwenc == HWENC_QSV)
        return buf_puts(vf, ",format=nv12,hwupload=extra_hw_frames=64");
    if (j->hwenc == HWENC_VAAPI)
        return buf_puts(vf, ",format=nv12,hwupload");
    return 0;
}

/* Encoded video with an image subtitle drawn over it: the subtitle's pictures, decoded
 * from where the input was sought to, stretched from their canvas to the rendition's size
 * (a DVD's canvas is its stored frame, before the aspect ratio), over the filtered video. */
static void burn_in_args(struct args *a, const struct hls_job *j)
{
    const struct hls_rendition *r = j->rendition;
    struct buf fc;
    buf_init(&fc, BUF_NO_CAP);
    int rc = buf_printf(&fc, "[0:%d]", j->plan->video.index);
    if (rc == 0)
        rc = video_filters(j, &fc);
    if (rc == 0)
        rc = buf_printf(&fc, "[main];[0:%d]scale=%d:%d[sub];[main][sub]overlay=eof_action=pass",
                        j->plan->subtitle.index, r->width, r->height);
    if (rc == 0)
        rc = hw_upload(j, &fc);
    if (rc == 0)
        rc = buf_puts(&fc, "[video]");
    if (rc < 0)
        a->err = rc;
    add(a, "-filter_complex");
    add(a, "%s", fc.ptr);
    add(a, "-map");
    add(a, "[video]");
    buf_release(&fc);
}

/* Where to start reading, and what to read. */
static void input_args(struct args *a, const struct hls_job *j, bool copy_video)
{
    const struct plan *p = j->plan;
    const struct hls_segment *seg = &j->grid->segs[j->start_segment];
    bool seek = j->start_segment > 0;
    /* In a run that starts mid-file, audio that is copied, or goes with copied video, comes
     * from a second demuxer started a little earlier: the audio heard just before a
     * keyframe may lie before it in the file, and ffmpeg's accurate seek drops copied
     * packets past the point it seeks to. */
    bool own_audio = seek && p->audio.present && p->video.present && (copy_video || p->audio.copy);
    double from = 0;
    if (!copy_video && p->video.present && j->hwenc == HWENC_QSV) {
        add(a, "-init_hw_device");
        add(a, "qsv=hw");
        add(a, "-filter_hw_device");
        add(a, "hw");
    } else if (!copy_video && p->video.present && j->hwenc == HWENC_VAAPI) {
        add(a, "-vaapi_device");
        add(a, "/dev/dri/renderD128");
    }
    if (seek && copy_video) {
        /* A copy must start on the chunk's keyframe. ffmpeg seeks 3/23 s before -ss when
         * the video has B-frames, so aim just past the keyframe. */
        double kf = j->keyframes[seg->first_chunk] - j->start_s;
        add(a, "-noaccurate_seek");
        add(a, "-ss");
        add(a, "%.3f", kf + 0.2);
        from = kf;
    } else if (seek) {
        /* Decoding starts a little early: after a seek to the segment's own time, MPEG-2's
         * open GOPs lose the frames that refer back past the keyframe the demuxer found.
         * The filters trim to the segment's start (see video_filters()). */
        from = seg->start;
        add(a, "-ss");
        add(a, "%.3f", from > HLS_PREROLL_S ? from - HLS_PREROLL_S : 0);
    }
    add(a, "-i");
    add(a, "%s", j->input);
    if (own_audio) {
        add(a, "-noaccurate_seek");
        add(a, "-ss");
        add(a, "%.3f", from > HLS_PREROLL_S ? from - HLS_PREROLL_S : 0);
        add(a, "-i");
        add(a, "%s", j->input);
    }
    if (p->video.present && p->subtitle.present && !copy_video)
        burn_in_args(a, j);
    else if (p->video.present) {
        add(a, "-map");
        add(a, "0:%d", p->video.index);
    }
    if (p->audio.present) {
        add(a, "-map");
        add(a, "%d:%d", own_audio ? 1 : 0, p->audio.index);
    }
}

/* H.264 at the rendition's size and bitrate, with keyframes only where the grid says. */
static void encode_video_args(struct args *a, const struct hls_job *j)
{
    const struct hls_rendition *r = j->rendition;
    struct buf times;
    buf_init(&times, BUF_NO_CAP);
    int rc = keyframe_times(j->grid, j->start_segment, j->start_s, &times);
    if (rc < 0)
        a->err = rc;
    int level = playlist_h264_level(r->width, r->height);
    add(a, "-c:v");
    add(a, "%s", j->hwenc == HWENC_NONE ? "libx264" : hwenc_name(j->hwenc));
    /* The source's own timestamps, not rounded onto a 1/fps grid: rounding depends on where
     * a run starts, and would stamp a chunk differently in a seek run. */
    add(a, "-enc_time_base:v");
    add(a, "-1");
    add(a, "-fps_mode:v");
    add(a, "passthrough");
    /* No lookahead and no B-frames: the first segment comes out sooner. Forced keyframes
     * are IDR frames, which a segment must start with. */
    if (j->hwenc == HWENC_NONE) {
        add(a, "-preset");
        add(a, "%s", j->preset ? j->preset : "veryfast");
        add(a, "-tune");
        add(a, "zerolatency");
    } else if (j->hwenc == HWENC_NVENC) {
        add(a, "-preset");
        add(a, "p4");
        add(a, "-tune");
        add(a, "ll");
        add(a, "-bf");
        add(a, "0");
        add(a, "-forced-idr");
        add(a, "1");
    } else {
        add(a, "-bf");
        add(a, "0");
        if (j->hwenc == HWENC_QSV) {
            add(a, "-forced_idr");
            add(a, "1");
        }
    }
    add(a, "-profile:v");
    add(a, "high");
    add(a, "-level:v");
    add(a, "%d.%d", level / 10, level % 10);
    if (!j->plan->subtitle.present) {
        struct buf vf;
        buf_init(&vf, BUF_NO_CAP);
        rc = video_filters(j, &vf);
        if (rc == 0)
            rc = hw_upload(j, &vf);
        if (rc < 0)
            a->err = rc;
        add(a, "-vf");
        add(a, "%s", vf.ptr);
        buf_release(&vf);
    }
    if (j->plan->video.tonemap) {
        add(a, "-color_primaries");
        add(a, "bt709");
        add(a, "-color_trc");
        add(a, "bt709");
        add(a, "-colorspace");
        add(a, "bt709");
    }
    add(a, "-b:v");
    add(a, "%lld", (long long)r->video_bitrate);
    add(a, "-maxrate");
    add(a, "%lld", (long long)plan_peak_bitrate(false, r->video_bitrate, 0));
    add(a, "-bufsize");
    add(a, "%lld", (long long)(r->video_bitrate * 2));
    /* Keyframes only where the grid says: none at scene cuts, none on a timer. */
    add(a, "-g");
    add(a, "100000");
    if (j->hwenc == HWENC_NONE) {
        add(a, "-sc_threshold");
        add(a, "0");
    } else if (j->hwenc == HWENC_NVENC) {
        add(a, "-no-scenecut");
        add(a, "1");
    }
    if (times.len) {
        add(a, "-force_key_frames");
        add(a, "%s", times.ptr);
    }
    buf_release(&times);
}

static void codec_args(struct args *a, const struct hls_job *j, bool copy_video)
{
    const struct plan *p = j->plan;
    if (p->video.present && copy_video) {
        add(a, "-c:v");
        add(a, "copy");
        if (strcmp(p->video.codec, "hevc") == 0 && j->fmp4) {
            add(a, "-tag:v");
            add(a, "hvc1");
        }
    } else if (p->video.present) {
        encode_video_args(a, j);
    }
    if (p->audio.present && p->audio.copy) {
        add(a, "-c:a");
        add(a, "copy");
        /* ffmpeg 5.1's MP4 muxer calls FLAC in MP4 experimental, though browsers take it. */
        if (strcmp(p->audio.codec, "flac") == 0 && j->fmp4) {
            add(a, "-strict");
            add(a, "experimental");
        }
    } else if (p->audio.present) {
        if (j->start_segment > 0) {
            add(a, "-af");
            add(a, "atrim=start=%.6f", audio_start(j, copy_video));
        }
        add(a, "-c:a");
        add(a, "aac");
        add(a, "-ac");
        add(a, "%d", p->audio.channels);
        add(a, "-b:a");
        add(a, "%lld", (long long)p->audio.bitrate);
    }
    /* A linear run puts the audio decoded before the chunk's keyframe into the chunk before;
     * a run that starts there reads some of it too, and drops it, so that its first chunk
     * is the linear run's. Encoded audio starts on the linear run's frame grid (see
     * audio_start()), so only the encoder's priming frame goes. Copied audio goes by time:
     * ffmpeg 5.1 gives the filter packets in the muxer's time base but names another as tb,
     * so the clock is written out: MPEG-TS counts 90 kHz, MP4 audio the sample rate. */
    if (p->audio.present && j->start_segment > 0 && p->video.present) {
        int clock = j->fmp4 ? p->audio.sample_rate : 90000;
        add(a, "-bsf:a");
        if (!p->audio.copy)
            add(a, "noise=drop=eq(n\\,0)");
        else if (clock > 0)
            add(a, "noise=drop=lt(dts/%d\\,%.6f)", clock, run_start_dts(j, copy_video));
        else
            add(a, "noise=drop=lt(dts*tb\\,%.6f)", run_start_dts(j, copy_video));
    }
}

/* The hls muxer: one chunk per keyframe, numbered from 0 in each run. */
static void output_args(struct args *a, const struct hls_job *j)
{
    /* The source's timestamps, moved on by a constant so that none is negative (B-frames are
     * decoded before 0, AAC primes before 0; an fMP4 tfdt is unsigned), and never shifted
     * by the muxers, so that every run stamps a chunk alike. */
    add(a, "-copyts");
    add(a, "-avoid_negative_ts");
    add(a, "disabled");
    add(a, "-output_ts_offset");
    add(a, "%d", HLS_TS_OFFSET_S);
    add(a, "-max_muxing_queue_size");
    add(a, "4096");
    add(a, "-f");
    add(a, "hls");
    /* A split at every keyframe: one chunk per keyframe or forced segment start. */
    add(a, "-hls_time");
    add(a, "0.001");
    add(a, "-hls_list_size");
    add(a, "0");
    add(a, "-hls_flags");
    add(a, "temp_file");
    add(a, "-start_number");
    add(a, "0");
    if (j->fmp4) {
        add(a, "-hls_segment_type");
        add(a, "fmp4");
        add(a, "-hls_segment_options");
        add(a, "movflags=+frag_discont:use_editlist=0:avoid_negative_ts=disabled");
        add(a, "-hls_fmp4_init_filename");
        add(a, "init_%u.mp4", j->run);
        add(a, "-hls_segment_filename");
        add(a, "%s/e%u-%%d.m4s", j->dir, j->run);
    } else {
        add(a, "-hls_segment_type");
        add(a, "mpegts");
        add(a, "-hls_segment_options");
        add(a, "avoid_negative_ts=disabled");
        add(a, "-hls_segment_filename");
        add(a, "%s/e%u-%%d.ts", j->dir, j->run);
    }
    add(a, "%s/ffmpeg_%u.m3u8", j->dir, j->run);
}

int hls_argv_build(const struct hls_job *j, char ***out)
{
    struct args a = {0};
    bool copy_video = j->plan->video.present && j->rendition->copy;
    add(&a, "%s", j->ffmpeg);
    add(&a, "-hide_banner");
    add(&a, "-nostdin");
    add(&a, "-loglevel");
    add(&a, "warning");
    add(&a, "-y");
    /* key=value progress on stderr, once a second: the encoder's speed. */
    add(&a, "-progress");
    add(&a, "pipe:2");
    add(&a, "-stats_period");
    add(&a, "1");
    input_args(&a, j, copy_video);
    codec_args(&a, j, copy_video);
    output_args(&a, j);
    if (a.err) {
        hls_argv_free(a.v);
        return a.err;
    }
    *out = a.v;
    return 0;
}

void hls_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}
