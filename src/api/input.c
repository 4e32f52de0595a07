#include "api/input.h"
#include "api/profile.h"
#include "core/error.h"
#include "core/str.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A failed option: the error and what to tell the client. */
#define BAD(...) (snprintf(why, size, __VA_ARGS__), ERR_BAD_REQUEST)

/* The client's device id (NULL: none given). */
static int take_device(const char *v, struct play_request *r, char *why, size_t size)
{
    if (v && strlen(v) >= sizeof(r->device))
        return BAD("device_id: 1 to 64 characters");
    if (v)
        snprintf(r->device, sizeof(r->device), "%s", v);
    return 0;
}

/* A named profile preset for the client (NULL: none named). */
static int take_client(const char *v, struct play_request *r, char *why, size_t size)
{
    if (v && profile_preset(v, &r->p) < 0)
        return BAD("client: \"browser\", \"mpv\", \"vlc\" or \"tv\"");
    return 0;
}

/* A start past this many seconds (115 days) is no position in any file: checked before it
 * becomes milliseconds, which it would overflow. */
#define START_MAX_S 1e7

static int query_options(input_query query, void *ctx, struct play_request *r, double *start,
                         char *why, size_t size)
{
    struct play_options *o = &r->o;
    const char *q = query(ctx, "max_bitrate");
    uint64_t v;
    if (q && str_to_u64(str_from(q), INT64_MAX, &v) < 0)
        return BAD("max_bitrate: expected bits per second");
    o->max_bitrate = q ? (int64_t)v : 0;
    q = query(ctx, "audio_language");
    if (q)
        snprintf(o->audio_language, sizeof(o->audio_language), "%s", q);
    q = query(ctx, "audio_stream");
    if (q && str_to_u64(str_from(q), 65535, &v) < 0)
        return BAD("audio_stream: expected a stream index");
    if (q) {
        o->audio_chosen = true;
        o->audio_stream = (int)v;
    }
    q = query(ctx, "subtitle_stream");
    if (q && strcmp(q, "-1") != 0 && str_to_u64(str_from(q), 65535, &v) < 0)
        return BAD("subtitle_stream: expected a stream index, or -1 for none");
    if (q) {
        o->subtitle_chosen = true;
        o->subtitle_stream = strcmp(q, "-1") == 0 ? -1 : (int)v;
    }
    q = query(ctx, "start");
    char *end;
    *start = q ? strtod(q, &end) : 0;
    if (q && (end == q || *end || !(*start >= 0 && *start <= START_MAX_S)))
        return BAD("start: expected seconds, 0 or more");
    int rc = take_device(query(ctx, "device_id"), r, why, size);
    return rc ? rc : take_client(query(ctx, "client"), r, why, size);
}

/* "client_errors": ["flac"]: codecs this client failed to decode, which the plan must not
 * hand it again. */
static int client_errors(json_t *list, struct play_request *r, char *why, size_t size)
{
    if (!list)
        return 0;
    if (!json_is_array(list) || json_array_size(list) > MAX_CLIENT_ERRORS)
        return BAD("client_errors: at most %d codec names", MAX_CLIENT_ERRORS);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        const char *codec = json_string_value(c);
        if (!codec || !*codec || strlen(codec) >= sizeof(r->client_errors[0]))
            return BAD("client_errors[%zu]: expected a codec name such as \"flac\"", i);
        snprintf(r->client_errors[r->nclient_errors++], sizeof(r->client_errors[0]), "%s", codec);
    }
    return 0;
}

/* Options from a POSTed body, which win over the query's. */
static int body_options(json_t *body, struct play_request *r, double *start, const char **segments,
                        char *why, size_t size)
{
    struct play_options *o = &r->o;
    json_t *j = json_object_get(body, "max_bitrate");
    if (j && (!json_is_integer(j) || json_integer_value(j) < 0))
        return BAD("max_bitrate: expected bits per second");
    if (j)
        o->max_bitrate = json_integer_value(j);
    j = json_object_get(body, "audio_language");
    if (j && !json_is_string(j))
        return BAD("audio_language: expected a string");
    if (j)
        snprintf(o->audio_language, sizeof(o->audio_language), "%s", json_string_value(j));
    j = json_object_get(body, "audio_stream");
    if (j && (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 65535))
        return BAD("audio_stream: expected a stream index");
    if (j) {
        o->audio_chosen = true;
        o->audio_stream = (int)json_integer_value(j);
    }
    j = json_object_get(body, "subtitle_stream");
    if (j && !json_is_null(j) &&
        (!json_is_integer(j) || json_integer_value(j) < -1 || json_integer_value(j) > 65535))
        return BAD("subtitle_stream: expected a stream index, or -1 for none");
    if (j && !json_is_null(j)) {
        o->subtitle_chosen = true;
        o->subtitle_stream = (int)json_integer_value(j);
    }
    j = json_object_get(body, "start");
    if (j &&
        (!json_is_number(j) || !(json_number_value(j) >= 0 && json_number_value(j) <= START_MAX_S)))
        return BAD("start: expected seconds, 0 or more");
    if (j)
        *start = json_number_value(j);
    j = json_object_get(body, "device_id");
    if (j && !json_is_string(j))
        return BAD("device_id: 1 to 64 characters");
    int rc = take_device(json_string_value(j), r, why, size);
    j = json_object_get(body, "client");
    if (rc == 0 && j && !json_is_string(j))
        rc = BAD("client: \"browser\", \"mpv\", \"vlc\" or \"tv\"");
    if (rc == 0)
        rc = take_client(json_string_value(j), r, why, size);
    if (rc < 0)
        return rc;
    j = json_object_get(body, "profile");
    if (j && api_profile_parse(j, &r->p, why, size) < 0)
        return ERR_BAD_REQUEST;
    j = json_object_get(body, "segments");
    if (j && !json_is_string(j))
        return BAD("segments: \"fmp4\", \"ts\" or \"auto\"");
    if (j)
        *segments = json_string_value(j);
    return client_errors(json_object_get(body, "client_errors"), r, why, size);
}

int input_play_request(input_query query, void *ctx, json_t *body, struct play_request *r,
                       char *why, size_t size)
{
    memset(r, 0, sizeof(*r));
    profile_default(&r->p);
    const char *segments = query(ctx, "segments");
    double start = 0;
    int rc = query_options(query, ctx, r, &start, why, size);
    if (rc == 0 && body)
        rc = body_options(body, r, &start, &segments, why, size);
    if (rc < 0)
        return rc;
    if (!segments || strcmp(segments, "fmp4") == 0)
        r->o.segments = SEGMENTS_FMP4;
    else if (strcmp(segments, "ts") == 0)
        r->o.segments = SEGMENTS_TS;
    else if (strcmp(segments, "auto") == 0)
        r->o.segments = SEGMENTS_AUTO;
    else
        return BAD("segments: \"fmp4\", \"ts\" or \"auto\"");
    for (int i = 0; i < r->nclient_errors; i++)
        profile_exclude(&r->p, r->client_errors[i]);
    r->o.start_ms = (int64_t)(start * 1000);
    return 0;
}

int input_progress_update(json_t *body, struct progress_update *u, char *why, size_t size)
{
    json_t *pos = json_object_get(body, "position");
    json_t *seq = json_object_get(body, "seq");
    json_t *event = json_object_get(body, "event");
    const char *name = event ? json_string_value(event) : "timeupdate";
    u->device = json_string_value(json_object_get(body, "device_id"));
    double seconds = json_number_value(pos);
    if (!json_is_number(pos) || !isfinite(seconds) || seconds < 0 || seconds > 1e9)
        return BAD("position: seconds, 0 or more");
    if (!name || progress_event_parse(name, &u->event) < 0)
        return BAD("event: timeupdate, pause, seek, ended or stop");
    if (!u->device || !*u->device || strlen(u->device) > 64)
        return BAD("device_id: 1 to 64 characters");
    if (!json_is_integer(seq) || json_integer_value(seq) < 0)
        return BAD("seq: a whole number that rises with each update");
    u->position_ms = llround(seconds * 1000);
    u->seq = json_integer_value(seq);
    return 0;
}

uint64_t input_last_event_id(const char *header)
{
    uint64_t last;
    return header && str_to_u64(str_from(header), UINT64_MAX / 2, &last) == 0 ? last : 0;
}

/* A language tag, or "" (or null) for none, from body's key into out. */
static int language(json_t *body, const char *key, bool required, char *out, size_t n, char *why,
                    size_t size)
{
    json_t *j = json_object_get(body, key);
    if (!j)
        return required ? BAD("%s: expected a language such as \"en\", or \"\"", key) : 0;
    const char *t = json_is_null(j) ? "" : json_string_value(j);
    if (!t || strlen(t) >= n ||
        strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") != strlen(t))
        return BAD("%s: expected a language such as \"en\", or \"\"", key);
    snprintf(out, n, "%s", t);
    return 0;
}

int input_preferences(json_t *body, struct preferences *p, char *why, size_t size)
{
    if (!json_is_object(body))
        return BAD("expected an object of audio_language, subtitle_language, subtitle_mode");
    int rc = language(body, "audio_language", false, p->audio_language, sizeof(p->audio_language),
                      why, size);
    if (rc == 0)
        rc = language(body, "subtitle_language", false, p->subtitle_language,
                      sizeof(p->subtitle_language), why, size);
    json_t *j = json_object_get(body, "subtitle_mode");
    if (rc == 0 && j && subtitle_mode_parse(json_string_value(j), &p->mode) < 0)
        rc = BAD("subtitle_mode: \"off\", \"forced\" or \"always\"");
    return rc;
}

int input_show_choice(json_t *body, struct show_choice *c, char *why, size_t size)
{
    if (!json_is_object(body))
        return BAD("expected an object of audio_language and subtitle_language");
    int rc = language(body, "audio_language", true, c->audio_language, sizeof(c->audio_language),
                      why, size);
    return rc ? rc
              : language(body, "subtitle_language", true, c->subtitle_language,
                         sizeof(c->subtitle_language), why, size);
}
