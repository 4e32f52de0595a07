#include "library/probe.h"
#include "library/name.h"
#include "library/subname.h"
#include <dirent.h>
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void probe_init(void)
{
    av_log_set_level(AV_LOG_QUIET);
}

static const char *ext_of(const char *path)
{
    const char *ext = name_extension(path);
    return ext ? ext : "";
}

/* libavformat names families ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"); the file's
 * extension tells which member it is. */
static void container_name(const AVInputFormat *fmt, const char *path, char *out, size_t size)
{
    const char *ext = ext_of(path);
    const char *name = fmt->name;
    if (strncmp(name, "mov,", 4) == 0) {
        name = strcasecmp(ext, "mov") == 0 ? "mov" : strcasecmp(ext, "m4v") == 0 ? "m4v" : "mp4";
    } else if (strncmp(name, "matroska", 8) == 0) {
        name = strcasecmp(ext, "webm") == 0 ? "webm" : "mkv";
    } else if (strcmp(name, "mpegts") == 0) {
        name = "ts";
    } else if (strcmp(name, "mpeg") == 0) {
        name = "mpeg";
    }
    snprintf(out, size, "%s", name);
}

static const char *tag(AVDictionary *d, const char *key)
{
    AVDictionaryEntry *e = av_dict_get(d, key, NULL, 0);
    return e ? e->value : NULL;
}

static const char *field_order_name(enum AVFieldOrder o)
{
    switch (o) {
    case AV_FIELD_PROGRESSIVE:
        return "progressive";
    case AV_FIELD_TT:
        return "tt";
    case AV_FIELD_BB:
        return "bb";
    case AV_FIELD_TB:
        return "tb";
    case AV_FIELD_BT:
        return "bt";
    default:
        return "";
    }
}

/* Field order, colour, sample aspect ratio and display rotation of a video stream. */
static void display_facts(const AVStream *st, struct media_stream *m)
{
    const AVCodecParameters *par = st->codecpar;
    snprintf(m->field_order, sizeof(m->field_order), "%s", field_order_name(par->field_order));
    const char *trc = av_color_transfer_name(par->color_trc);
    const char *prim = av_color_primaries_name(par->color_primaries);
    if (par->color_trc != AVCOL_TRC_UNSPECIFIED && trc)
        snprintf(m->color_transfer, sizeof(m->color_transfer), "%s", trc);
    if (par->color_primaries != AVCOL_PRI_UNSPECIFIED && prim)
        snprintf(m->color_primaries, sizeof(m->color_primaries), "%s", prim);
    AVRational sar =
        st->sample_aspect_ratio.num ? st->sample_aspect_ratio : par->sample_aspect_ratio;
    if (sar.num > 0 && sar.den > 0 && sar.num != sar.den) {
        av_reduce(&m->sar_num, &m->sar_den, sar.num, sar.den, 1 << 16);
    }
    const uint8_t *matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (matrix) {
        /* av_display_rotation_get() is counter-clockwise; players speak clockwise. */
        long deg = lround(-av_display_rotation_get((const int32_t *)matrix));
        deg = ((deg % 360) + 360) % 360;
        m->rotation = (int)(deg / 90 * 90);
    }
}

static int add_stream(struct media_file *f, const AVStream *st)
{
    const AVCodecParameters *par = st->codecpar;
    struct media_stream *m;
    int rc = media_file_add_stream(f, &m);
    if (rc < 0)
        return rc;
    m->index = st->index;
    switch (par->codec_type) {
    case AVMEDIA_TYPE_VIDEO:
        m->type = STREAM_VIDEO;
        break;
    case AVMEDIA_TYPE_AUDIO:
        m->type = STREAM_AUDIO;
        break;
    case AVMEDIA_TYPE_SUBTITLE:
        m->type = STREAM_SUBTITLE;
        break;
    default:
        m->type = STREAM_OTHER;
    }
    snprintf(m->codec, sizeof(m->codec), "%s", avcodec_get_name(par->codec_id));
    const char *profile = avcodec_profile_name(par->codec_id, par->profile);
    if (profile)
        snprintf(m->profile, sizeof(m->profile), "%s", profile);
    m->level = par->level > 0 ? par->level : 0;
    m->is_default = (st->disposition & AV_DISPOSITION_DEFAULT) != 0;
    m->forced = (st->disposition & AV_DISPOSITION_FORCED) != 0;
    m->sdh = (st->disposition & AV_DISPOSITION_HEARING_IMPAIRED) != 0;
    const char *lang = tag(st->metadata, "language");
    if (lang && strcmp(lang, "und") != 0)
        snprintf(m->language, sizeof(m->language), "%s", lang);
    const char *title = tag(st->metadata, "title");
    if (title && !(m->title = strdup(title)))
        return -ENOMEM;

    if (m->type == STREAM_VIDEO) {
        m->width = par->width;
        m->height = par->height;
        const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get((enum AVPixelFormat)par->format);
        if (desc) {
            snprintf(m->pix_fmt, sizeof(m->pix_fmt), "%s", desc->name);
            m->bit_depth = desc->comp[0].depth;
        }
        AVRational r = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
        if (r.num && r.den)
            m->frame_rate = av_q2d(r);
        display_facts(st, m);
    } else if (m->type == STREAM_AUDIO) {
        m->channels = par->ch_layout.nb_channels;
        m->sample_rate = par->sample_rate;
        av_channel_layout_describe(&par->ch_layout, m->layout, sizeof(m->layout));
    }
    return 0;
}

/* The container's chapters, on the playback clock (from the file's first timestamp), in
 * order, each ending where the next starts when the file says no more. */
static int add_chapters(struct media_file *f, const AVFormatContext *ctx)
{
    for (unsigned i = 0; i < ctx->nb_chapters; i++) {
        const AVChapter *c = ctx->chapters[i];
        AVRational ms = {1, 1000};
        int64_t start = av_rescale_q(c->start, c->time_base, ms) - f->start_ms;
        int64_t end = c->end != AV_NOPTS_VALUE
                          ? av_rescale_q(c->end, c->time_base, ms) - f->start_ms
                          : f->duration_ms;
        if (start < 0)
            start = 0;
        if (end < start || end > f->duration_ms)
            end = f->duration_ms > start ? f->duration_ms : start;
        if (f->nchapters && start < f->chapters[f->nchapters - 1].start_ms)
            continue; /* out of order: not a chapter list a player could show */
        int rc = media_file_add_chapter(f, start, end, tag(c->metadata, "title"));
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int set_error(struct media_file *f, const char *what, int averr)
{
    char msg[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(averr, msg, sizeof(msg));
    size_t n = strlen(what) + strlen(msg) + 3;
    free(f->error);
    f->error = malloc(n);
    if (!f->error)
        return -ENOMEM;
    snprintf(f->error, n, "%s: %s", what, msg);
    return 0;
}

/* Whether there is media near the end the header promises: a truncated download has a
 * valid header and nothing after the cut. The seek may land on any frame, so that a long
 * keyframe interval does not take it back to the start. */
enum { TAIL_READ_LIMIT = 8 << 20 };

static bool tail_readable(AVFormatContext *ctx)
{
    int64_t start = ctx->start_time != AV_NOPTS_VALUE ? ctx->start_time : 0;
    int64_t target = start + ctx->duration - ctx->duration / 10;
    int64_t enough = start + ctx->duration / 2;
    if (avformat_seek_file(ctx, -1, enough, target, INT64_MAX, AVSEEK_FLAG_ANY) < 0 &&
        avformat_seek_file(ctx, -1, INT64_MIN, target, INT64_MAX, 0) < 0)
        return false;
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return false;
    /* A seek can still land a whole keyframe interval early; reading on to the middle is
     * bounded by bytes, past which the file is taken as whole. */
    bool ok = false;
    int64_t bytes = 0;
    while (!ok && bytes < TAIL_READ_LIMIT) {
        if (av_read_frame(ctx, pkt) < 0)
            break;
        AVStream *st = ctx->streams[pkt->stream_index];
        int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        ok = pts != AV_NOPTS_VALUE && av_rescale_q(pts, st->time_base, AV_TIME_BASE_Q) >= enough;
        bytes += pkt->size;
        av_packet_unref(pkt);
    }
    ok |= bytes >= TAIL_READ_LIMIT;
    av_packet_free(&pkt);
    return ok;
}

int probe_file(struct media_file *f)
{
    AVFormatContext *ctx = NULL;
    int rc = avformat_open_input(&ctx, f->path, NULL, NULL);
    if (rc < 0)
        return set_error(f, "cannot open", rc);
    rc = avformat_find_stream_info(ctx, NULL);
    if (rc < 0) {
        avformat_close_input(&ctx);
        return set_error(f, "cannot read streams", rc);
    }
    container_name(ctx->iformat, f->path, f->container, sizeof(f->container));
    f->duration_ms = ctx->duration > 0 ? av_rescale(ctx->duration, 1000, AV_TIME_BASE) : 0;
    f->start_ms = ctx->start_time != AV_NOPTS_VALUE && ctx->start_time > 0
                      ? av_rescale(ctx->start_time, 1000, AV_TIME_BASE)
                      : 0;
    f->bitrate = ctx->bit_rate > 0 ? ctx->bit_rate : 0;
    int err = 0;
    for (unsigned i = 0; i < ctx->nb_streams && err == 0; i++)
        err = add_stream(f, ctx->streams[i]);
    if (err == 0)
        err = add_chapters(f, ctx);
    if (err == 0 && f->duration_ms > 0 && !tail_readable(ctx))
        err = set_error(f, "truncated", AVERROR_EOF);
    int playable = 0;
    for (size_t i = 0; i < f->nstreams; i++)
        playable |= f->streams[i].type == STREAM_VIDEO || f->streams[i].type == STREAM_AUDIO;
    avformat_close_input(&ctx);
    if (err == 0 && !playable)
        err = set_error(f, "no audio or video stream", AVERROR_INVALIDDATA);
    else if (err == 0 && f->duration_ms == 0)
        err = set_error(f, "unknown duration", AVERROR_INVALIDDATA);
    return err;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int probe_sidecars(struct media_file *f)
{
    const char *slash = strrchr(f->path, '/');
    const char *dot = strrchr(f->path, '.');
    if (!slash || !dot || dot < slash)
        return 0;
    char dir[4096], stem[1024];
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - f->path), f->path);
    snprintf(stem, sizeof(stem), "%.*s", (int)(dot - slash - 1), slash + 1);

    /* In name order, so that a sidecar keeps its index from one scan to the next. */
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **found = NULL;
    size_t n = 0;
    int rc = 0;
    struct dirent *e;
    struct subname sn;
    while (rc == 0 && (e = readdir(d))) {
        if (!subname_parse(stem, e->d_name, &sn))
            continue;
        char **grown = realloc(found, (n + 1) * sizeof(*grown));
        if (!grown || !(grown[n] = strdup(e->d_name)))
            rc = -ENOMEM;
        if (grown)
            found = grown;
        if (rc == 0)
            n++;
    }
    closedir(d);
    if (n)
        qsort(found, n, sizeof(*found), by_name);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct media_stream *m;
        subname_parse(stem, found[i], &sn);
        rc = media_file_add_stream(f, &m);
        if (rc < 0)
            break;
        m->index = 1000 + (int)i;
        m->type = STREAM_SUBTITLE;
        snprintf(m->codec, sizeof(m->codec), "%s", sn.codec);
        snprintf(m->language, sizeof(m->language), "%s", sn.language);
        m->forced = sn.forced;
        m->sdh = sn.sdh;
        m->is_default = sn.is_default;
        size_t len = strlen(dir) + strlen(found[i]) + 2;
        m->external = malloc(len);
        m->title = sn.title[0] ? strdup(sn.title) : NULL;
        if (!m->external || (sn.title[0] && !m->title)) {
            rc = -ENOMEM;
            break;
        }
        snprintf(m->external, len, "%s/%s", dir, found[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(found[i]);
    free(found);
    return rc;
}
