/* libFuzzer target for the device profile a client POSTs. Whatever the JSON, the profile
 * read stays inside its arrays and its strings end; on failure the error says something. */
#include "api/profile.h"
#include <stdlib.h>
#include <string.h>

static void check_caps(const struct codec_caps *c, int n)
{
    if (n < 0 || n > PROFILE_MAX_CODECS)
        abort();
    for (int i = 0; i < n; i++)
        if (!memchr(c[i].codec, '\0', sizeof(c[i].codec)) || c[i].nprofiles < 0 ||
            c[i].nprofiles > PROFILE_MAX_PROFILES)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!j)
        return 0;
    struct device_profile p;
    profile_default(&p);
    char err[256] = "";
    if (api_profile_parse(j, &p, err, sizeof(err)) < 0) {
        if (!*err)
            abort();
    } else {
        if (p.ncontainers < 0 || p.ncontainers > PROFILE_MAX_NAMES || p.max_bitrate < 0)
            abort();
        check_caps(p.video, p.nvideo);
        check_caps(p.audio, p.naudio);
        check_caps(p.fmp4.video, p.fmp4.nvideo);
        check_caps(p.ts.audio, p.ts.naudio);
    }
    json_decref(j);
    return 0;
}
