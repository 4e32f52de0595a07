#include "library/keyframes.h"
#include "core/error.h"
#include <errno.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

struct list {
    double *t;
    size_t n, alloc;
};

static int push(struct list *l, double t)
{
    if (l->n == l->alloc) {
        size_t alloc = l->alloc ? l->alloc * 2 : 256;
        double *p = realloc(l->t, alloc * sizeof(*p));
        if (!p)
            return -ENOMEM;
        l->t = p;
        l->alloc = alloc;
    }
    /* Indexes can hold a keyframe twice; times must rise. */
    if (l->n && t <= l->t[l->n - 1])
        return 0;
    l->t[l->n++] = t;
    return 0;
}

static int from_index(AVFormatContext *ctx, AVStream *st, struct list *l)
{
    /* Matroska reads its cues on the first seek. */
    if (av_seek_frame(ctx, st->index, 0, AVSEEK_FLAG_BACKWARD) < 0)
        return 0;
    int count = avformat_index_get_entries_count(st);
    for (int i = 0; i < count; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        if (e && (e->flags & AVINDEX_KEYFRAME) && e->timestamp != AV_NOPTS_VALUE) {
            int rc = push(l, (double)e->timestamp * av_q2d(st->time_base));
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int from_packets(AVFormatContext *ctx, AVStream *st, struct list *l)
{
    for (unsigned i = 0; i < ctx->nb_streams; i++)
        ctx->streams[i]->discard = i == (unsigned)st->index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    if (av_seek_frame(ctx, st->index, 0, AVSEEK_FLAG_BACKWARD) < 0)
        avformat_seek_file(ctx, -1, INT64_MIN, 0, 0, 0);
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return -ENOMEM;
    int rc = 0;
    while (rc == 0 && av_read_frame(ctx, pkt) >= 0) {
        int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (pkt->stream_index == st->index && (pkt->flags & AV_PKT_FLAG_KEY) &&
            ts != AV_NOPTS_VALUE)
            rc = push(l, (double)ts * av_q2d(st->time_base));
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    return rc;
}

/* The first keyframe's decoding delay, as ffmpeg stamps it when copying: pts - dts where
 * the container has both, and otherwise (Matroska) the reorder depth in frames. *dts is
 * that keyframe's decoding time. */
static int first_keyframe(AVFormatContext *ctx, AVStream *st, double *delay, double *dts)
{
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return -ENOMEM;
    double tb = av_q2d(st->time_base);
    *delay = 0;
    *dts = NAN;
    avformat_seek_file(ctx, -1, INT64_MIN, 0, 0, 0);
    while (av_read_frame(ctx, pkt) >= 0) {
        bool key = pkt->stream_index == st->index && (pkt->flags & AV_PKT_FLAG_KEY) &&
                   pkt->pts != AV_NOPTS_VALUE;
        if (key && pkt->dts != AV_NOPTS_VALUE) {
            *delay = (double)(pkt->pts - pkt->dts) * tb;
            *dts = (double)pkt->dts * tb;
        } else if (key) {
            /* The reorder depth is known only once a few frames are decoded. */
            if (avformat_find_stream_info(ctx, NULL) >= 0 && st->avg_frame_rate.num > 0)
                *delay = st->codecpar->video_delay / av_q2d(st->avg_frame_rate);
            *dts = (double)pkt->pts * tb - *delay;
        }
        av_packet_unref(pkt);
        if (key)
            break;
    }
    av_packet_free(&pkt);
    return 0;
}

int keyframes_read(const char *path, int stream_index, double **out, size_t *n, double *delay)
{
    AVFormatContext *ctx = NULL;
    if (avformat_open_input(&ctx, path, NULL, NULL) < 0)
        return ERR_UNPLAYABLE;
    int rc = 0;
    struct list l = {0};
    if (stream_index < 0 || (unsigned)stream_index >= ctx->nb_streams) {
        rc = ERR_UNPLAYABLE;
        goto out;
    }
    AVStream *st = ctx->streams[stream_index];
    rc = from_index(ctx, st, &l);
    /* An index with a keyframe every minute or less is trusted; one with hardly any is
     * probably partial, and the packets tell the truth. */
    double duration = ctx->duration > 0 ? ctx->duration / (double)AV_TIME_BASE : 0;
    if (rc == 0 && (l.n < 2 || (duration > 0 && l.n < duration / 60))) {
        l.n = 0;
        rc = from_packets(ctx, st, &l);
    }
    if (rc == 0 && l.n == 0)
        rc = ERR_UNPLAYABLE;
    /* MP4's index holds decoding times: shift them to presentation times. */
    double dts;
    if (rc == 0)
        rc = first_keyframe(ctx, st, delay, &dts);
    if (rc == 0 && *delay > 0 && fabs(l.t[0] - dts) < fabs(l.t[0] - (dts + *delay)))
        for (size_t i = 0; i < l.n; i++)
            l.t[i] += *delay;
out:
    avformat_close_input(&ctx);
    if (rc < 0) {
        free(l.t);
        return rc;
    }
    *out = l.t;
    *n = l.n;
    return 0;
}
