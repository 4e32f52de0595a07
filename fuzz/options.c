/* libFuzzer target for the playback options: the first line is a query string
 * ("start=12&client=vlc"), the rest a POSTed JSON body. What is accepted is in range. */
#include "api/input.h"
#include "core/error.h"
#include <stdlib.h>
#include <string.h>

struct query {
    char *names[16], *values[16];
    int n;
};

static const char *lookup(void *ctx, const char *name)
{
    struct query *q = ctx;
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->names[i], name) == 0)
            return q->values[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t qlen = nl ? (size_t)(nl - data) : size;
    char *text = strndup((const char *)data, qlen);
    struct query q = {.n = 0};
    for (char *save = NULL, *pair = strtok_r(text, "&", &save); pair && q.n < 16;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        q.names[q.n] = pair;
        q.values[q.n++] = eq ? (*eq = '\0', eq + 1) : pair + strlen(pair);
    }
    json_t *body = nl ? json_loadb((const char *)nl + 1, size - qlen - 1, 0, NULL) : NULL;
    struct play_request r;
    char why[256] = "";
    int rc = input_play_request(lookup, &q, body, &r, why, sizeof(why));
    if (rc != 0 && (rc != ERR_BAD_REQUEST || !*why))
        abort();
    if (rc == 0 && (r.o.start_ms < 0 || r.o.start_ms > 10000000000LL || r.o.max_bitrate < 0 ||
                    r.nclient_errors < 0 || r.nclient_errors > MAX_CLIENT_ERRORS ||
                    !memchr(r.device, '\0', sizeof(r.device)) ||
                    !memchr(r.o.audio_language, '\0', sizeof(r.o.audio_language)) ||
                    (r.o.segments != SEGMENTS_FMP4 && r.o.segments != SEGMENTS_TS &&
                     r.o.segments != SEGMENTS_AUTO)))
        abort();
    json_decref(body);
    free(text);
    return 0;
}
