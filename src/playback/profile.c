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
