/* libFuzzer target for what a player sends about its position: the PUT body (JSON) and
 * the Last-Event-ID of an event stream it reconnects (the same bytes as text); and, as the
 * same JSON, the track preferences and a show's choices. */
#include "api/input.h"
#include "core/error.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    uint64_t last = input_last_event_id(text);
    if (last > UINT64_MAX / 2 || (last && (text[0] < '0' || text[0] > '9')))
        abort();
    free(text);

    json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!body)
        return 0;
    struct progress_update u;
    char why[256] = "";
    int rc = input_progress_update(body, &u, why, sizeof(why));
    if (rc != 0 && (rc != ERR_BAD_REQUEST || !*why))
        abort();
    if (rc == 0 &&
        (u.position_ms < 0 || u.position_ms > 1000000000000LL || u.seq < 0 || !u.device ||
         !*u.device || strlen(u.device) > 64 || !progress_event_name(u.event)))
        abort();
    struct preferences p = {.mode = SUBS_FORCED};
    why[0] = '\0';
    rc = input_preferences(body, &p, why, sizeof(why));
    if ((rc != 0 && (rc != ERR_BAD_REQUEST || !*why)) ||
        strnlen(p.audio_language, sizeof(p.audio_language)) == sizeof(p.audio_language) ||
        strnlen(p.subtitle_language, sizeof(p.subtitle_language)) == sizeof(p.subtitle_language) ||
        !subtitle_mode_name(p.mode))
        abort();
    struct show_choice c = {{0}};
    why[0] = '\0';
    rc = input_show_choice(body, &c, why, sizeof(why));
    if (rc != 0 && (rc != ERR_BAD_REQUEST || !*why))
        abort();
    json_decref(body);
    return 0;
}
