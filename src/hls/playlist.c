#include "hls/playlist.h"
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A writer that only counts when out is NULL: the first pass of every playlist. */
struct writer {
    char *out;
    size_t len;
    size_t cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->out ? w->out + w->len : NULL, w->out ? w->cap - w->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        w->len += (size_t)n;
}

int playlist_h264_level(int width, int height)
{
    int64_t mbs = (int64_t)((width + 15) / 16) * ((height + 15) / 16);
    if (mbs <= 1620)
        return 30; /* 720x576 */
    if (mbs <= 3600)
        return 31; /* 1280x720 */
    return 40;     /* 1920x1080 */
}

static int h264_profile_idc(const char *profile, int *constraints)
{
    *constraints = 0;
    if (strcmp(profile, "Constrained Baseline") == 0) {
        *constraints = 0x40;
        return 66;
    }
    if (strcmp(profile, "Baseline") == 0)
        return 66;
    if (strcmp(profile, "Main") == 0)
        return 77;
    if (strcmp(profile, "Extended") == 0)
        return 88;
    if (strcmp(profile, "High 10") == 0)
        return 110;
    if (strcmp(profile, "High 4:2:2") == 0)
        return 122;
    if (strcmp(profile, "High 4:4:4 Predictive") == 0)
        return 244;
    return 100;
}

/* RFC 6381 names, as hls.js and Safari read them. */
static void video_codec(const struct media_stream *v, char *out, size_t size)
{
    if (strcmp(v->codec, "h264") == 0) {
        int constraints;
        int idc = h264_profile_idc(v->profile, &constraints);
        snprintf(out, size, "avc1.%02X%02X%02X", idc, constraints, v->level > 0 ? v->level : 40);
    } else if (strcmp(v->codec, "hevc") == 0) {
        bool main10 = strcmp(v->profile, "Main 10") == 0;
        snprintf(out, size, "hvc1.%d.%d.L%d.B0", main10 ? 2 : 1, main10 ? 4 : 6,
                 v->level > 0 ? v->level : 120);
    } else if (strcmp(v->codec, "av1") == 0) {
        snprintf(out, size, "av01.0.08M.%02d", v->bit_depth > 8 ? 10 : 8);
    } else if (strcmp(v->codec, "vp9") == 0) {
        snprintf(out, size, "vp09.00.40.%02d", v->bit_depth > 8 ? 10 : 8);
    } else {
        snprintf(out, size, "%s", v->codec);
    }
}

/* For MP3, fMP4 segments carry the MPEG-1 audio object type (0x6B); in MPEG-TS hls.js
 * reads "mp4a.40.34" as MP3 and unpacks it itself. */
static void audio_codec(const struct stream_plan *a, const struct media_stream *src, bool fmp4,
                        char *out, size_t size)
{
    const char *c = a->copy ? src->codec : a->codec;
    if (strcmp(c, "aac") == 0)
        snprintf(out, size, "mp4a.40.%d", a->copy && strstr(src->profile, "HE") ? 5 : 2);
    else if (strcmp(c, "mp3") == 0)
        snprintf(out, size, fmp4 ? "mp4a.6B" : "mp4a.40.34");
    else if (strcmp(c, "ac3") == 0)
        snprintf(out, size, "ac-3");
    else if (strcmp(c, "eac3") == 0)
        snprintf(out, size, "ec-3");
    else if (strcmp(c, "opus") == 0)
        snprintf(out, size, "Opus");
    else if (strcmp(c, "flac") == 0)
        snprintf(out, size, "fLaC");
    else
        snprintf(out, size, "%s", c);
}

size_t playlist_renditions(const struct plan *plan, const struct media_stream *video,
                           const struct media_stream *audio, bool fmp4, struct hls_rendition *out)
{
    char acodec[32] = "";
    int64_t abitrate = 0;
    if (plan->audio.present && audio) {
        audio_codec(&plan->audio, audio, fmp4, acodec, sizeof(acodec));
        abitrate = plan->audio.bitrate;
    }
    char vcodec[40] = "";
    if (plan->video.present && video && plan->video.copy)
        video_codec(video, vcodec, sizeof(vcodec));
    size_t n = 0;
    for (size_t i = 0; i < plan->nrungs && i < HLS_MAX_RENDITIONS; i++) {
        const struct plan_rung *rung = &plan->rungs[i];
        struct hls_rendition *r = &out[n++];
        memset(r, 0, sizeof(*r));
        snprintf(r->name, sizeof(r->name), "%s", rung->name);
        r->copy = rung->copy;
        r->width = rung->width;
        r->height = rung->height;
        r->video_bitrate = rung->video_bitrate;
        r->audio_bitrate = abitrate;
        if (!plan->video.present || !video) {
            snprintf(r->codecs, sizeof(r->codecs), "%s", acodec);
            continue;
        }
        if (rung->copy) {
            r->frame_rate = video->frame_rate;
        } else {
            r->frame_rate =
                video->frame_rate > 0 && video->frame_rate <= 60 ? video->frame_rate : 30;
            snprintf(vcodec, sizeof(vcodec), "avc1.6400%02X",
                     playlist_h264_level(r->width, r->height));
        }
        snprintf(r->codecs, sizeof(r->codecs), "%s%s%s", vcodec, *acodec ? "," : "", acodec);
    }
    return n;
}

static void write_master(struct writer *w, const struct hls_rendition *r, size_t n, bool fmp4,
                         const char *prefix)
{
    put(w, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for (size_t i = 0; i < n; i++) {
        int64_t avg = r[i].video_bitrate + r[i].audio_bitrate;
        /* BANDWIDTH is the peak, as the plan reckons it, with MPEG-TS's packet and PES
         * headers (up to a tenth at these bitrates) on top. */
        int64_t peak = plan_peak_bitrate(r[i].copy, r[i].video_bitrate, r[i].audio_bitrate);
        if (!fmp4)
            peak += peak / 10;
        put(w, "#EXT-X-STREAM-INF:BANDWIDTH=%lld,AVERAGE-BANDWIDTH=%lld", (long long)peak,
            (long long)avg);
        if (r[i].width)
            put(w, ",RESOLUTION=%dx%d", r[i].width, r[i].height);
        if (r[i].frame_rate > 0)
            put(w, ",FRAME-RATE=%.3f", r[i].frame_rate);
        put(w, ",CODECS=\"%s\"\n%s%s%s/index.m3u8\n", r[i].codecs, prefix ? prefix : "",
            prefix ? "/" : "", r[i].name);
    }
}

static void write_media(struct writer *w, const struct hls_grid *g, bool fmp4)
{
    put(w, "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%d\n", fmp4 ? 7 : 3,
        grid_target_duration(g));
    put(w, "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (fmp4)
        put(w, "#EXT-X-MAP:URI=\"init.mp4\"\n");
    for (size_t i = 0; i < g->n; i++)
        put(w, "#EXTINF:%.6f,\n%zu.%s\n", g->segs[i].duration, i, fmp4 ? "m4s" : "ts");
    put(w, "#EXT-X-ENDLIST\n");
}

/* Runs a writer twice: to measure, then into one allocation. */
#define TWO_PASS(call, out, len)                                                                   \
    do {                                                                                           \
        struct writer w = {0};                                                                     \
        call;                                                                                      \
        w.out = malloc(w.len + 1);                                                                 \
        if (!w.out)                                                                                \
            return -ENOMEM;                                                                        \
        size_t measured = w.len;                                                                   \
        w.cap = measured + 1;                                                                      \
        w.len = 0;                                                                                 \
        call;                                                                                      \
        if (w.len != measured) {                                                                   \
            free(w.out);                                                                           \
            return -EINVAL;                                                                        \
        }                                                                                          \
        *(out) = w.out;                                                                            \
        *(len) = w.len;                                                                            \
        return 0;                                                                                  \
    } while (0)

int playlist_master(const struct hls_rendition *r, size_t n, bool fmp4, const char *prefix,
                    char **out, size_t *len)
{
    TWO_PASS(write_master(&w, r, n, fmp4, prefix), out, len);
}

int playlist_media(const struct hls_grid *g, bool fmp4, char **out, size_t *len)
{
    TWO_PASS(write_media(&w, g, fmp4), out, len);
}

/* Whether a URI is relative to its playlist: not "/…" and no scheme. */
static bool relative(const char *u, size_t n)
{
    return n > 0 && u[0] != '/' && !memmem(u, n, "://", 3);
}

static void write_rebased(struct writer *w, const char *text, size_t len, const char *prefix)
{
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *uri = p[0] == '#' ? memmem(p, n, "URI=\"", 5) : NULL;
        if (p[0] != '#' && relative(p, n)) {
            put(w, "%s/%.*s", prefix, (int)n, p);
        } else if (uri && relative(uri + 5, (size_t)(p + n - uri - 5))) {
            /* A tag's URI="…" (EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF). */
            put(w, "%.*s%s/%.*s", (int)(uri + 5 - p), p, prefix, (int)(p + n - uri - 5), uri + 5);
        } else {
            put(w, "%.*s", (int)n, p);
        }
        if (nl)
            put(w, "\n");
        p += n + (nl != NULL);
    }
}

int playlist_rebase(const char *text, size_t n, const char *prefix, char **out, size_t *len)
{
    TWO_PASS(write_rebased(&w, text, n, prefix), out, len);
}
