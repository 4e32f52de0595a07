#pragma once
#include "core/compat.h"
#include "progress/events.h"
#include "progress/rules.h"
#include "store/store.h"
#include <jansson.h>

/* Saving, reading and listing playback progress: the rules applied through the store, and
 * a "progress" event to the user's other devices for every change. */

struct progress_view {
    int64_t file_id;
    struct store_progress p;
    int64_t duration_ms;
    bool stale; /* the update was older than the device's last one, and changed nothing */
};

/* One update from a device. The position is clamped to the file's probed duration. */
int progress_put(struct store *st, struct events *bus, int64_t user, int64_t file,
                 int64_t position_ms, enum progress_event e, const char *device, int64_t seq,
                 struct progress_view *out) WUR;
int progress_get(struct store *st, int64_t user, int64_t file, struct progress_view *out) WUR;
int progress_mark_watched(struct store *st, struct events *bus, int64_t user, int64_t file,
                          bool watched, struct progress_view *out) WUR;
int progress_forget(struct store *st, struct events *bus, int64_t user, int64_t file) WUR;

/* {file_id, position, position_ms, duration, percent, watched, play_count, resume_position,
 * last_played_at, updated_at} */
json_t *progress_json(const struct progress_view *v);
/* The position to offer "Resume from", in seconds: 0 when resuming makes no sense. */
double progress_resume_s(const struct progress_view *v);

/* Continue watching: what user is part-way through, most recent first; for a show one
 * entry, the episode in progress or else the next unwatched one after the last watched. */
int progress_continue(struct store *st, int64_t user, json_t **out) WUR;

/* Adds "percent" and "resume_position" to every file of a library tree from the store, and
 * "watched" and "unwatched" (episode count) to every season and show. */
void progress_decorate(json_t *tree);
