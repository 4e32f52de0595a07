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

void profile_default(struct device_profile *p)
{
    memset(p, 0, sizeof(*p));
    const char *containers[] = {"mp4", "m4v", "webm"};
    for (size_t i = 0; i < ARRAY_LEN(containers); i++)
        set_name(p->containers[p->ncontainers++], sizeof(p->containers[0]), containers[i]);

    add_codec(p->video, &p->nvideo, "h264", 0);
    struct codec_caps *h264 = &p->video[0];
    const char *profiles[] = {"constrained baseline", "baseline", "main", "high"};
    for (size_t i = 0; i < ARRAY_LEN(profiles); i++)
        set_name(h264->profiles[h264->nprofiles++], sizeof(h264->profiles[0]), profiles[i]);
    h264->max_level = 51;
    h264->max_bit_depth = 8;
    add_codec(p->video, &p->nvideo, "vp9", 0);
    add_codec(p->video, &p->nvideo, "av1", 0);

    const char *audio[] = {"aac", "mp3", "opus", "flac"};
    for (size_t i = 0; i < ARRAY_LEN(audio); i++)
        add_codec(p->audio, &p->naudio, audio[i], 2);
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

static int bad(char *err, size_t size, const char *field, const char *what)
{
    snprintf(err, size, "profile.%s: %s", field, what);
    return ERR_BAD_REQUEST;
}

static int get_int(json_t *obj, const char *key, long long max, const char *path, int64_t *out,
                   char *err, size_t size)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    char field[96], what[96];
    snprintf(field, sizeof(field), "%s%s", path, key);
    snprintf(what, sizeof(what), "expected a whole number from 0 to %lld", max);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return bad(err, size, field, what);
    *out = json_integer_value(v);
    return 0;
}

/* Copies a JSON array of short strings into names. */
static int get_names(json_t *arr, char (*names)[24], int *n, int max, size_t width,
                     const char *field, char *err, size_t size)
{
    if (!json_is_array(arr))
        return bad(err, size, field, "expected a list of strings");
    if (json_array_size(arr) > (size_t)max)
        return bad(err, size, field, "too many entries");
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || !*s || strlen(s) >= width)
            return bad(err, size, field, "expected a list of short, non-empty strings");
        snprintf((char *)names + (size_t)*n * width, width, "%s", s);
        (*n)++;
    }
    return 0;
}

static int parse_codecs(json_t *arr, const char *kind, struct codec_caps *list, int *n, char *err,
                        size_t size)
{
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > PROFILE_MAX_CODECS)
        return bad(err, size, kind, "expected a list of at most 16 codecs");
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        char path[48], field[64];
        snprintf(path, sizeof(path), "%s[%zu].", kind, i);
        if (!json_is_object(c))
            return bad(err, size, path, "expected an object");
        struct codec_caps *caps = &list[*n];
        memset(caps, 0, sizeof(*caps));
        const char *codec = json_string_value(json_object_get(c, "codec"));
        snprintf(field, sizeof(field), "%scodec", path);
        if (!codec || !*codec || strlen(codec) >= sizeof(caps->codec))
            return bad(err, size, field, "expected a codec name such as \"h264\"");
        set_name(caps->codec, sizeof(caps->codec), codec);
        json_t *profiles = json_object_get(c, "profiles");
        snprintf(field, sizeof(field), "%sprofiles", path);
        int rc = profiles
                     ? get_names(profiles, caps->profiles, &caps->nprofiles, PROFILE_MAX_PROFILES,
                                 sizeof(caps->profiles[0]), field, err, size)
                     : 0;
        int64_t v[5] = {0};
        const char *keys[] = {"max_level", "max_bit_depth", "max_width", "max_height",
                              "max_channels"};
        const long long max[] = {1000, 16, 16384, 16384, 64};
        for (int k = 0; k < 5 && rc == 0; k++)
            rc = get_int(c, keys[k], max[k], path, &v[k], err, size);
        if (rc < 0)
            return rc;
        caps->max_level = (int)v[0];
        caps->max_bit_depth = (int)v[1];
        caps->max_width = (int)v[2];
        caps->max_height = (int)v[3];
        caps->max_channels = (int)v[4];
        (*n)++;
    }
    return 0;
}

int profile_parse(json_t *j, struct device_profile *p, char *err, size_t errsize)
{
    memset(p, 0, sizeof(*p));
    if (!json_is_object(j))
        return bad(err, errsize, "", "expected an object");
    json_t *containers = json_object_get(j, "containers");
    if (!containers)
        return bad(err, errsize, "containers", "is required");
    char names[PROFILE_MAX_NAMES][24];
    int n = 0;
    int rc = get_names(containers, names, &n, PROFILE_MAX_NAMES, sizeof(names[0]), "containers",
                       err, errsize);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (strlen(names[i]) >= sizeof(p->containers[0]))
            return bad(err, errsize, "containers", "a container name is too long");
        set_name(p->containers[p->ncontainers++], sizeof(p->containers[0]), names[i]);
    }
    if (rc == 0)
        rc = parse_codecs(json_object_get(j, "video"), "video", p->video, &p->nvideo, err, errsize);
    if (rc == 0)
        rc = parse_codecs(json_object_get(j, "audio"), "audio", p->audio, &p->naudio, err, errsize);
    if (rc == 0)
        rc = get_int(j, "max_bitrate", 1000000000000LL, "", &p->max_bitrate, err, errsize);
    return rc;
}
