#include "playback/decide.h"
#include "core/compat.h"
#include "core/error.h"
#include "library/lang.h"
#include "library/subtitles.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The top of the transcode ladder (issue #4 offers the lower rungs as well). */
enum { MAX_ENCODE_HEIGHT = 1080 };

static const char *const reason_names[] = {
#define X(code, name) name,
    PLAYBACK_REASONS(X)
#undef X
};

const char *reason_name(enum playback_reason r)
{
    return reason_names[r];
}

const char *play_method_name(enum play_method m)
{
    static const char *const names[] = {"direct_play", "remux", "transcode"};
    return names[m];
}

/* Codecs that HLS with fMP4 segments can carry as they are. */
static bool hls_can_copy(const char *codec)
{
    static const char *const ok[] = {"h264", "hevc", "av1",  "vp9",  "aac",
                                     "mp3",  "ac3",  "eac3", "opus", "flac"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strcmp(codec, ok[i]) == 0)
            return true;
    return false;
}

/* The same container, for a client, under another name. */
static bool container_ok(const struct device_profile *p, const char *container)
{
    if (profile_has_container(p, container))
        return true;
    return strcmp(container, "m4v") == 0 && profile_has_container(p, "mp4");
}

static const struct media_stream *pick_audio(const struct media_file *f,
                                             const struct play_options *o)
{
    const char *language = o->audio_language;
    const struct media_stream *chosen =
        o->audio_chosen ? media_file_stream(f, o->audio_stream) : NULL;
    if (chosen && chosen->type == STREAM_AUDIO)
        return chosen;
    const struct media_stream *first = NULL, *def = NULL;
    for (size_t i = 0; i < f->nstreams; i++) {
        const struct media_stream *s = &f->streams[i];
        if (s->type != STREAM_AUDIO)
            continue;
        if (lang_same(s->language, language))
            return s;
        if (!first)
            first = s;
        if (s->is_default && !def)
            def = s;
    }
    return def ? def : first;
}

const struct media_stream *decide_default_audio(const struct media_file *f)
{
    const struct play_options none = {0};
    return pick_audio(f, &none);
}

static const struct media_stream *first_audio(const struct media_file *f)
{
    for (size_t i = 0; i < f->nstreams; i++)
        if (f->streams[i].type == STREAM_AUDIO)
            return &f->streams[i];
    return NULL;
}

static const struct media_stream *pick_video(const struct media_file *f)
{
    for (size_t i = 0; i < f->nstreams; i++)
        if (f->streams[i].type == STREAM_VIDEO && strcmp(f->streams[i].codec, "mjpeg") != 0 &&
            strcmp(f->streams[i].codec, "png") != 0)
            return &f->streams[i];
    return NULL;
}

static uint32_t video_reasons(const struct media_stream *v, const struct codec_caps *list, int n)
{
    const struct codec_caps *c = profile_find(list, n, v->codec);
    if (!c)
        return 1u << REASON_VIDEO_CODEC;
    uint32_t r = 0;
    if (*v->profile && !profile_allows(c, v->profile))
        r |= 1u << REASON_VIDEO_PROFILE;
    if (c->max_level && v->level > c->max_level)
        r |= 1u << REASON_VIDEO_LEVEL;
    if (c->max_bit_depth && v->bit_depth > c->max_bit_depth)
        r |= 1u << REASON_BIT_DEPTH;
    if ((c->max_width && v->width > c->max_width) || (c->max_height && v->height > c->max_height))
        r |= 1u << REASON_VIDEO_RESOLUTION;
    return r;
}

/* What the screen cannot show, whatever the codec lists say. */
static uint32_t display_reasons(const struct media_stream *v, const struct device_profile *p)
{
    return media_stream_hdr(v) && !p->hdr ? 1u << REASON_HDR : 0;
}

/* The size a frame is shown at: the sample aspect ratio and a quarter turn applied. */
static void display_size(const struct media_stream *v, int *width, int *height)
{
    int64_t w = v->width, h = v->height;
    if (v->sar_num > 0 && v->sar_den > 0)
        w = w * v->sar_num / v->sar_den;
    if (v->rotation == 90 || v->rotation == 270) {
        int64_t t = w;
        w = h;
        h = t;
    }
    *width = (int)w;
    *height = (int)h;
}

static uint32_t audio_reasons(const struct media_stream *a, const struct codec_caps *list, int n)
{
    const struct codec_caps *c = profile_find(list, n, a->codec);
    if (!c)
        return 1u << REASON_AUDIO_CODEC;
    if (c->max_channels && a->channels > c->max_channels)
        return 1u << REASON_AUDIO_CHANNELS;
    return 0;
}

static void copy_stream(struct stream_plan *sp, const struct media_stream *s, int64_t bitrate)
{
    sp->present = true;
    sp->copy = true;
    sp->index = s->index;
    snprintf(sp->codec, sizeof(sp->codec), "%s", s->codec);
    sp->width = s->width;
    sp->height = s->height;
    sp->bit_depth = s->bit_depth;
    sp->frame_rate = s->frame_rate;
    sp->channels = s->channels;
    sp->sample_rate = s->sample_rate;
    sp->bitrate = bitrate;
}

/* H.264 8-bit, no taller than the source, the profile or 1080 lines; the bitrate fits the
 * cap. */
static void encode_video(struct stream_plan *sp, const struct media_stream *v,
                         const struct codec_set *hls)
{
    copy_stream(sp, v, 0);
    sp->copy = false;
    snprintf(sp->codec, sizeof(sp->codec), "h264");
    sp->bit_depth = 8;
    sp->deinterlace = media_stream_interlaced(v);
    sp->tonemap = media_stream_hdr(v);
    snprintf(sp->transfer_in, sizeof(sp->transfer_in), "%s", v->color_transfer);
    snprintf(sp->primaries_in, sizeof(sp->primaries_in), "%s", v->color_primaries);
    int src_width, src_height;
    display_size(v, &src_width, &src_height);
    int height = src_height > 0 ? src_height : MAX_ENCODE_HEIGHT;
    const struct codec_caps *c = profile_find(hls->video, hls->nvideo, "h264");
    if (height > MAX_ENCODE_HEIGHT)
        height = MAX_ENCODE_HEIGHT;
    if (c && c->max_height && height > c->max_height)
        height = c->max_height;
    int width = src_height > 0 ? (int)((int64_t)src_width * height / src_height) : height * 16 / 9;
    if (c && c->max_width && width > c->max_width) {
        height = (int)((int64_t)height * c->max_width / width);
        width = c->max_width;
    }
    sp->width = width & ~1;
    sp->height = height & ~1;
    /* The bitrate is the ladder's (plan_ladder()). */
}

static void encode_audio(struct stream_plan *sp, const struct media_stream *a,
                         const struct codec_set *hls)
{
    copy_stream(sp, a, 0);
    sp->copy = false;
    snprintf(sp->codec, sizeof(sp->codec), "aac");
    const struct codec_caps *c = profile_find(hls->audio, hls->naudio, "aac");
    int channels = a->channels > 0 ? a->channels : 2;
    int max = c && c->max_channels ? c->max_channels : 2;
    sp->channels = channels < max ? channels : max;
    sp->bitrate = sp->channels > 2 ? 384000 : 160000;
}

/* The image subtitle stream o names, or NULL. */
static const struct media_stream *image_subtitle(const struct media_file *f,
                                                 const struct play_options *o)
{
    const struct media_stream *s = o->subtitle_chosen && o->subtitle_stream >= 0
                                       ? media_file_stream(f, o->subtitle_stream)
                                       : NULL;
    return s && s->type == STREAM_SUBTITLE && subtitle_is_image(s->codec) ? s : NULL;
}

static int decide_in(const struct media_file *f, const struct device_profile *p,
                     const struct play_options *o, bool ts, struct plan *out)
{
    memset(out, 0, sizeof(*out));
    if (f->error)
        return ERR_UNPLAYABLE;
    const struct media_stream *v = pick_video(f);
    const struct media_stream *a = pick_audio(f, o);
    if (!v && !a)
        return ERR_UNPLAYABLE;

    int64_t cap = p->max_bitrate;
    if (o->max_bitrate && (!cap || o->max_bitrate < cap))
        cap = o->max_bitrate;
    out->max_bitrate = cap;

    uint32_t vr = v ? video_reasons(v, p->video, p->nvideo) | display_reasons(v, p) : 0;
    uint32_t ar = a ? audio_reasons(a, p->audio, p->naudio) : 0;
    uint32_t r = vr | ar;
    if (!container_ok(p, f->container))
        r |= 1u << REASON_CONTAINER;
    if (cap && f->bitrate > cap)
        r |= 1u << REASON_BITRATE;
    /* A browser plays the first audio track of a file it plays directly. */
    if (a && a != first_audio(f))
        r |= 1u << REASON_SECONDARY_AUDIO;
    /* Image subtitles are burnt in, unless the client plays the file and draws them. */
    const struct media_stream *s = v ? image_subtitle(f, o) : NULL;
    if (s && r == 0 && p->image_subtitles && !s->external)
        s = NULL;
    if (s) {
        r |= 1u << REASON_SUBTITLE_BURN_IN;
        out->subtitle.present = true;
        out->subtitle.index = s->index;
        snprintf(out->subtitle.codec, sizeof(out->subtitle.codec), "%s", s->codec);
    }
    out->reasons = r;

    /* For copied streams the file's overall bitrate is split, which is what a player
     * needs to choose between renditions. */
    int64_t audio_bitrate = a ? (a->channels > 2 ? 384000 : 128000) : 0;
    int64_t video_bitrate = f->bitrate > audio_bitrate ? f->bitrate - audio_bitrate : f->bitrate;
    if (r == 0) {
        out->method = PLAY_DIRECT;
        if (v)
            copy_stream(&out->video, v, video_bitrate);
        if (a)
            copy_stream(&out->audio, a, audio_bitrate);
        return 0;
    }

    /* HLS: what the segments can carry for this client decides what is copied. */
    out->ts = ts;
    const struct codec_set *hls = ts ? &p->ts : &p->fmp4;
    bool video_fits = v && video_reasons(v, hls->video, hls->nvideo) == 0 &&
                      display_reasons(v, p) == 0 && hls_can_copy(v->codec);
    bool audio_fits = a && audio_reasons(a, hls->audio, hls->naudio) == 0 && hls_can_copy(a->codec);
    /* A conversion the file's own reasons do not explain is the segments' doing. */
    if (v && !video_fits && vr == 0)
        out->reasons |= 1u << REASON_HLS_VIDEO;
    if (a && !audio_fits && ar == 0)
        out->reasons |= 1u << REASON_HLS_AUDIO;
    bool video_copies = !v || (video_fits && !(r & (1u << REASON_BITRATE)) && !s);
    out->method = video_copies ? PLAY_REMUX : PLAY_TRANSCODE;
    if (v && video_copies)
        copy_stream(&out->video, v, video_bitrate);
    else if (v)
        encode_video(&out->video, v, hls);
    if (audio_fits)
        copy_stream(&out->audio, a, audio_bitrate);
    else if (a)
        encode_audio(&out->audio, a, hls);
    plan_ladder(out);
    return 0;
}

int decide(const struct media_file *f, const struct device_profile *p, const struct play_options *o,
           struct plan *out)
{
    int rc = decide_in(f, p, o, o->segments == SEGMENTS_TS, out);
    if (rc < 0 || o->segments != SEGMENTS_AUTO || out->method != PLAY_TRANSCODE)
        return rc;
    struct plan ts;
    if (decide_in(f, p, o, true, &ts) == 0 && ts.method == PLAY_TRANSCODE &&
        ts.audio.copy == out->audio.copy)
        *out = ts;
    return 0;
}

/* The transcode ladder: heights and average video bitrates, best first. */
static const struct {
    int height;
    int64_t bitrate;
} ladder[] = {{1080, 5000000}, {720, 2800000}, {480, 1400000}, {360, 800000}};

static struct plan_rung *add_rung(struct plan *p, const char *name, bool copy)
{
    struct plan_rung *r = &p->rungs[p->nrungs++];
    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->copy = copy;
    return r;
}

int64_t plan_peak_bitrate(bool copy, int64_t video, int64_t audio)
{
    return copy ? (video + audio) * 3 / 2 : video * 6 / 5 + audio;
}

void plan_ladder(struct plan *p)
{
    p->nrungs = 0;
    if (!p->video.present) {
        add_rung(p, "audio", true);
        return;
    }
    if (p->video.copy) {
        struct plan_rung *r = add_rung(p, "copy", true);
        r->width = p->video.width;
        r->height = p->video.height;
        r->video_bitrate = p->video.bitrate;
        return;
    }
    /* The most video bitrate whose peak, with the audio, fits the cap. */
    int64_t audio = p->audio.present ? p->audio.bitrate : 0;
    int64_t cap = p->max_bitrate > audio ? (p->max_bitrate - audio) * 5 / 6
                  : p->max_bitrate       ? 1
                                         : 0;
    for (size_t i = 0; i < ARRAY_LEN(ladder) && p->nrungs < PLAN_MAX_RUNGS; i++) {
        int h = ladder[i].height;
        bool last = i + 1 == ARRAY_LEN(ladder);
        if (h > p->video.height && !(last && p->nrungs == 0))
            continue;
        if (h > p->video.height)
            h = p->video.height;
        int64_t bitrate = ladder[i].bitrate;
        if (cap && bitrate > cap) {
            if (!last)
                continue;
            bitrate = cap;
        }
        char name[16];
        snprintf(name, sizeof(name), "%dp", h & ~1);
        struct plan_rung *r = add_rung(p, name, false);
        r->height = h & ~1;
        r->width = p->video.height ? (int)((int64_t)p->video.width * h / p->video.height) & ~1 : 0;
        r->video_bitrate = bitrate;
    }
    p->video.bitrate = p->rungs[0].video_bitrate;
}
