#pragma once
#include "core/compat.h"
#include <stddef.h>
#include <stdint.h>

/*
 * The per-user event bus behind Server-Sent Events. Every event gets an id that rises
 * across the server; the last EVENTS_KEPT events are kept, so a client that reconnects with
 * Last-Event-ID gets what it missed within that window. A subscriber sees only its own
 * user's events. It knows nothing of HTTP: a subscriber is woken through its callback and
 * then reads formatted text with events_read().
 */
enum { EVENTS_KEPT = 4096, EVENTS_PING_MS = 15000 };

struct events;
struct subscriber;

/* per_user: the streams one user may hold open at once. */
int events_new(struct events **out, int per_user) WUR;
/* Wakes every subscriber one last time: from now on they read the end of the stream. The
 * first step of a shutdown, before the HTTP server stops. */
void events_close(struct events *b);
/* Frees; every subscriber must be gone. Accepts NULL. */
void events_free(struct events *b);

/* How many subscribers there are. */
int events_streams(struct events *b);

/* Records an event for user and wakes that user's subscribers. data is one line of JSON. */
int events_publish(struct events *b, int64_t user, const char *type, const char *data) WUR;

/*
 * A subscriber for user. last_id is the Last-Event-ID the client sent (0: none): kept events
 * after it are delivered first. ERR_TOO_MANY_STREAMS when the user has per_user open.
 *
 * park(ctx) and wake(ctx) are the caller's way to stop and restart reading, such as
 * suspending and resuming an HTTP connection. The bus calls both under its lock, and never
 * wakes a subscriber it has not parked, nor one that has unsubscribed.
 */
int events_subscribe(struct events *b, int64_t user, uint64_t last_id, void (*park)(void *ctx),
                     void (*wake)(void *ctx), void *ctx, struct subscriber **out) WUR;
/*
 * Writes what is pending for s (events as "id: …\nevent: …\ndata: …\n\n", or a ": ping"
 * comment every 15 s) into buf, at most max bytes, whole events only. Returns the bytes
 * written; 0 after parking s when nothing is pending (wake follows when something is); or
 * -1 when the bus is closing.
 */
long events_read(struct subscriber *s, char *buf, size_t max);
void events_unsubscribe(struct subscriber *s);
