/* Device profiles as clients send them, in JSON: the API's side of playback/profile.h. */
#include "api/profile.h"
#include "core/error.h"
#include <stdio.h>
#include <string.h>

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
        snprintf(caps->codec, sizeof(caps->codec), "%s", codec);
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

/* "hls": {"fmp4": {"video": […], "audio": […]}, "ts": {…}}. A client that names no HLS
 * lists is taken to decode inside segments what it decodes in files. */
static int parse_hls(json_t *hls, struct device_profile *p, char *err, size_t size)
{
    if (!hls) {
        struct codec_set *sets[] = {&p->fmp4, &p->ts};
        for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
            memcpy(sets[i]->video, p->video, sizeof(p->video));
            sets[i]->nvideo = p->nvideo;
            memcpy(sets[i]->audio, p->audio, sizeof(p->audio));
            sets[i]->naudio = p->naudio;
        }
        return 0;
    }
    if (!json_is_object(hls))
        return bad(err, size, "hls", "expected {\"fmp4\": {…}, \"ts\": {…}}");
    const char *names[] = {"fmp4", "ts"};
    struct codec_set *sets[] = {&p->fmp4, &p->ts};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        json_t *set = json_object_get(hls, names[i]);
        char path[32];
        snprintf(path, sizeof(path), "hls.%s", names[i]);
        if (!set)
            continue;
        if (!json_is_object(set))
            return bad(err, size, path, "expected {\"video\": […], \"audio\": […]}");
        char kind[48];
        snprintf(kind, sizeof(kind), "%s.video", path);
        int rc = parse_codecs(json_object_get(set, "video"), kind, sets[i]->video, &sets[i]->nvideo,
                              err, size);
        snprintf(kind, sizeof(kind), "%s.audio", path);
        if (rc == 0)
            rc = parse_codecs(json_object_get(set, "audio"), kind, sets[i]->audio, &sets[i]->naudio,
                              err, size);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int api_profile_parse(json_t *j, struct device_profile *p, char *err, size_t errsize)
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
        memcpy(p->containers[p->ncontainers++], names[i], strlen(names[i]) + 1);
    }
    if (rc == 0)
        rc = parse_codecs(json_object_get(j, "video"), "video", p->video, &p->nvideo, err, errsize);
    if (rc == 0)
        rc = parse_codecs(json_object_get(j, "audio"), "audio", p->audio, &p->naudio, err, errsize);
    if (rc == 0)
        rc = get_int(j, "max_bitrate", 1000000000000LL, "", &p->max_bitrate, err, errsize);
    if (rc == 0)
        rc = parse_hls(json_object_get(j, "hls"), p, err, errsize);
    json_t *hdr = json_object_get(j, "hdr");
    if (rc == 0 && hdr && !json_is_boolean(hdr))
        return bad(err, errsize, "hdr", "expected true or false");
    p->hdr = json_is_true(hdr);
    json_t *images = json_object_get(j, "image_subtitles");
    if (rc == 0 && images && !json_is_boolean(images))
        return bad(err, errsize, "image_subtitles", "expected true or false");
    p->image_subtitles = json_is_true(images);
    return rc;
}
