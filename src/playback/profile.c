#include "playback/profile.h"
#include "core/error.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void set_name(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static void add_codec(struct codec_caps *list, int *n, const char *codec, int max_channels)
{
    struct codec_caps *c = &list[(*n)++];
    memset(c, 0, sizeof(*c));
    set_name(c->codec, sizeof(c->codec), codec);
    c->max_channels = max_channels;
}

static void default_hls(struct device_profile *p);

/* H.264 as every browser decodes it: up to High@5.1, 8-bit. */
static void add_h264(struct codec_caps *list, int *n)
{
    add_codec(list, n, "h264", 0);
    struct codec_caps *h264 = &list[*n - 1];
    const char *profiles[] = {"constrained baseline", "baseline", "main", "high"};
    for (size_t i = 0; i < ARRAY_LEN(profiles); i++)
        set_name(h264->profiles[h264->nprofiles++], sizeof(h264->profiles[0]), profiles[i]);
    h264->max_level = 51;
    h264->max_bit_depth = 8;
}

void profile_default(struct device_profile *p)
{
    memset(p, 0, sizeof(*p));
    const char *containers[] = {"mp4", "m4v", "webm"};
    for (size_t i = 0; i < ARRAY_LEN(containers); i++)
        set_name(p->containers[p->ncontainers++], sizeof(p->containers[0]), containers[i]);

    add_h264(p->video, &p->nvideo);
    add_codec(p->video, &p->nvideo, "vp9", 0);
    add_codec(p->video, &p->nvideo, "av1", 0);

    const char *audio[] = {"aac", "mp3", "opus", "flac"};
    for (size_t i = 0; i < ARRAY_LEN(audio); i++)
        add_codec(p->audio, &p->naudio, audio[i], 2);
    default_hls(p);
}

static void default_hls(struct device_profile *p)
{
    struct codec_set *sets[] = {&p->fmp4, &p->ts};
    for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
        struct codec_set *c = sets[i];
        add_h264(c->video, &c->nvideo);
        add_codec(c->audio, &c->naudio, "aac", 2);
    }
    /* Media Source Extensions take VP9, AV1 and Opus inside fMP4 in every current browser
     * engine but WebKit's; MP3 only as audio/mpeg, which hls.js makes of MPEG-TS alone. */
    add_codec(p->fmp4.video, &p->fmp4.nvideo, "vp9", 0);
    add_codec(p->fmp4.video, &p->fmp4.nvideo, "av1", 0);
    add_codec(p->fmp4.audio, &p->fmp4.naudio, "opus", 2);
    add_codec(p->ts.audio, &p->ts.naudio, "mp3", 2);
}

static void add_names(char names[][8], int *n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        set_name(names[(*n)++], sizeof(names[0]), list[i]);
}

static void add_codecs(struct codec_caps *list, int *n, const char *const *codecs, size_t count,
                       int max_channels)
{
    for (size_t i = 0; i < count; i++)
        add_codec(list, n, codecs[i], max_channels);
}

#define ADD_CODECS(list, n, codecs, channels)                                                      \
    add_codecs(list, n, codecs, ARRAY_LEN(codecs), channels)

/* mpv and VLC decode with libavcodec: every common file plays directly, in any channel
 * layout, and they show HDR (tone-mapping it themselves where the screen cannot) and the
 * file's image subtitles. */
static void preset_native(struct device_profile *p)
{
    static const char *const containers[] = {"mp4",  "m4v", "mov", "mkv",
                                             "webm", "avi", "ts",  "mpeg"};
    static const char *const video[] = {"h264", "hevc", "vp9", "av1", "mpeg2video", "mpeg4", "vc1"};
    static const char *const audio[] = {"aac", "mp3", "opus",      "flac",      "ac3",    "eac3",
                                        "dts", "mp2", "pcm_s16le", "pcm_s24le", "vorbis", "truehd"};
    static const char *const fmp4_video[] = {"h264", "hevc", "vp9", "av1"};
    static const char *const fmp4_audio[] = {"aac", "ac3", "eac3", "flac", "opus", "mp3"};
    static const char *const ts_video[] = {"h264", "hevc", "mpeg2video"};
    static const char *const ts_audio[] = {"aac", "ac3", "eac3", "mp3", "mp2"};
    add_names(p->containers, &p->ncontainers, containers, ARRAY_LEN(containers));
    ADD_CODECS(p->video, &p->nvideo, video, 0);
    ADD_CODECS(p->audio, &p->naudio, audio, 0);
    ADD_CODECS(p->fmp4.video, &p->fmp4.nvideo, fmp4_video, 0);
    ADD_CODECS(p->fmp4.audio, &p->fmp4.naudio, fmp4_audio, 0);
    ADD_CODECS(p->ts.video, &p->ts.nvideo, ts_video, 0);
    ADD_CODECS(p->ts.audio, &p->ts.naudio, ts_audio, 0);
    p->hdr = true;
    p->image_subtitles = true;
}

/* A current smart TV: MP4, Matroska and MPEG-TS with H.264 or HEVC (10-bit, HDR) and
 * AAC, AC-3 or E-AC-3 in up to 5.1, the same inside HLS; no DTS, no FLAC, no VP9. */
static void preset_tv(struct device_profile *p)
{
    static const char *const containers[] = {"mp4", "m4v", "mkv", "ts"};
    static const char *const video[] = {"h264", "hevc"};
    static const char *const audio[] = {"aac", "ac3", "eac3", "mp3"};
    add_names(p->containers, &p->ncontainers, containers, ARRAY_LEN(containers));
    struct codec_set *sets[] = {&p->fmp4, &p->ts};
    ADD_CODECS(p->video, &p->nvideo, video, 0);
    ADD_CODECS(p->audio, &p->naudio, audio, 6);
    for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
        ADD_CODECS(sets[i]->video, &sets[i]->nvideo, video, 0);
        ADD_CODECS(sets[i]->audio, &sets[i]->naudio, audio, 6);
    }
    p->hdr = true;
}

int profile_preset(const char *name, struct device_profile *p)
{
    memset(p, 0, sizeof(*p));
    if (strcmp(name, "browser") == 0)
        profile_default(p);
    else if (strcmp(name, "mpv") == 0 || strcmp(name, "vlc") == 0)
        preset_native(p);
    else if (strcmp(name, "tv") == 0)
        preset_tv(p);
    else
        return ERR_NOT_FOUND;
    return 0;
}

static void drop(struct codec_caps *list, int *n, const char *codec)
{
    int k = 0;
    for (int i = 0; i < *n; i++)
        if (strcasecmp(list[i].codec, codec) != 0)
            list[k++] = list[i];
    *n = k;
}

void profile_exclude(struct device_profile *p, const char *codec)
{
    drop(p->video, &p->nvideo, codec);
    drop(p->audio, &p->naudio, codec);
    struct codec_set *sets[] = {&p->fmp4, &p->ts};
    for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
        drop(sets[i]->video, &sets[i]->nvideo, codec);
        drop(sets[i]->audio, &sets[i]->naudio, codec);
    }
}

/* Compares profile names without case, spaces, ':' or '-'. */
static bool same_profile(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == ':' || *a == '-')
            a++;
        while (*b == ' ' || *b == ':' || *b == '-')
            b++;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        if (!*a)
            return true;
        a++;
        b++;
    }
}

const struct codec_caps *profile_find(const struct codec_caps *list, int n, const char *codec)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(list[i].codec, codec) == 0)
            return &list[i];
    return NULL;
}

bool profile_has_container(const struct device_profile *p, const char *container)
{
    for (int i = 0; i < p->ncontainers; i++)
        if (strcasecmp(p->containers[i], container) == 0)
            return true;
    return false;
}

bool profile_allows(const struct codec_caps *caps, const char *profile_name)
{
    if (caps->nprofiles == 0)
        return true;
    for (int i = 0; i < caps->nprofiles; i++)
        if (same_profile(caps->profiles[i], profile_name))
            return true;
    return false;
}
