#pragma once
#include "core/compat.h"
#include "playback/decide.h"
#include "playback/profile.h"
#include "progress/rules.h"
#include "store/store.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What clients send, read into plain structs. Each reader takes only the text or JSON it
 * reads (no request, no server), so that fuzz/ can feed it anything. On a bad field a
 * reader returns ERR_BAD_REQUEST with why saying which and what it expects.
 */

enum { MAX_CLIENT_ERRORS = 4 };

/* What a client says about how it will play; o.segments names the HLS segments it wants. */
struct play_request {
    struct play_options o;
    struct device_profile p;
    /* Codecs the client failed to decode, already taken out of p. */
    char client_errors[MAX_CLIENT_ERRORS][16];
    int nclient_errors;
    char device[65]; /* the client's device id ("": none): one HLS session per device */
};

/* A query string parameter's value, NULL when absent. */
typedef const char *(*input_query)(void *ctx, const char *name);

/* The playback options of GET|POST /api/v1/playback/:id and /api/v1/stream/:id: the query's
 * (max_bitrate, audio_language, audio_stream, subtitle_stream, start, device_id, client,
 * segments), then the POSTed body's
 * (those and profile, client_errors; body may be NULL), which win. */
int input_play_request(input_query query, void *ctx, json_t *body, struct play_request *r,
                       char *why, size_t size) WUR;

/* A progress update, PUT /api/v1/progress/:id. device points into body. */
struct progress_update {
    int64_t position_ms;
    enum progress_event event;
    const char *device;
    int64_t seq;
};
int input_progress_update(json_t *body, struct progress_update *u, char *why, size_t size) WUR;

/* PUT /api/v1/me/preferences: any of audio_language and subtitle_language (a language tag;
 * "" or null for none) and subtitle_mode ("off", "forced", "always"), over *p. */
int input_preferences(json_t *body, struct preferences *p, char *why, size_t size) WUR;
/* PUT /api/v1/progress/:id/choices: audio_language and subtitle_language ("" for
 * subtitles off), both needed. */
int input_show_choice(json_t *body, struct show_choice *c, char *why, size_t size) WUR;

/* The event an event stream's client saw last, from Last-Event-ID (NULL, or anything but a
 * whole number, is 0: none). */
uint64_t input_last_event_id(const char *header);
