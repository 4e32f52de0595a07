#pragma once
#include "core/compat.h"
#include "progress/rules.h"
#include "store/store.h"

/* Saving, reading and listing playback progress: the rules applied through the store. A
 * change that was written says so (written), so that the caller can tell the user's other
 * devices. */

struct progress_view {
    int64_t file_id;
    struct store_progress p;
    int64_t duration_ms;
    bool stale;   /* the update was older than the device's last one, and changed nothing */
    bool written; /* the store changed */
};

/* One update from a device. The position is clamped to the file's probed duration. */
int progress_put(struct store *st, int64_t user, int64_t file, int64_t position_ms,
                 enum progress_event e, const char *device, int64_t seq,
                 struct progress_view *out) WUR;
int progress_get(struct store *st, int64_t user, int64_t file, struct progress_view *out) WUR;
int progress_mark_watched(struct store *st, int64_t user, int64_t file, bool watched,
                          struct progress_view *out) WUR;
/* Forgets the progress; out is the view of a file nobody has started. */
int progress_forget(struct store *st, int64_t user, int64_t file, struct progress_view *out) WUR;

/* The position to offer "Resume from", in seconds: 0 when resuming makes no sense. */
double progress_resume_s(const struct progress_view *v);

/* One entry of continue watching. */
struct progress_entry {
    struct store_recent r;
    int64_t updated_at; /* of the row that put it there */
    bool next_up;       /* the next episode after one watched, not one in progress */
};

/* Continue watching: what user is part-way through, most recent first; for a show one
 * entry, the episode in progress or else the next unwatched one after the last watched.
 * *out is malloc'd. */
int progress_continue(struct store *st, int64_t user, struct progress_entry **out, size_t *n) WUR;

/* Fills watched and unwatched (episodes) in an item and everything below it: a file is
 * watched as the store says, a movie or episode when any of its files is, a season or show
 * when all its children are. */
void progress_summarize(struct library_item *item);
