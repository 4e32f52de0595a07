#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stdint.h>

/*
 * Playback progress rules. Pure: no I/O, no clock (the caller passes the time).
 *
 * Positions are milliseconds, and the duration is always the file's probed one: a client's
 * idea of the duration is never used, since an HLS player may report only what it has
 * loaded so far.
 */
enum { PROGRESS_WATCHED_PERMILLE = 900, PROGRESS_MIN_RESUME_MS = 10000 };

enum progress_event { EVENT_TIMEUPDATE, EVENT_PAUSE, EVENT_SEEK, EVENT_ENDED, EVENT_STOP };

struct progress {
    int64_t position_ms;
    bool watched;
    int64_t play_count;
    int64_t last_played_at; /* wall-clock ms, 0 for never */
    int64_t updated_at;
};

/* "timeupdate", "pause", "seek", "ended", "stop"; -EINVAL otherwise. */
int progress_event_parse(const char *name, enum progress_event *out) WUR;
const char *progress_event_name(enum progress_event e);

/* position / duration as a percentage, clamped to 0-100; a position past the end is the
 * end, and an unknown duration is 0 %. */
double progress_percent(int64_t position_ms, int64_t duration_ms);

/*
 * Applies one update. The position is clamped to [0, duration]. Reaching 90 % of the
 * duration, or an "ended" event, marks the file watched; each crossing of that line from
 * below (or ended from below it) is one more play, with last_played_at = now. Once
 * watched, a file stays watched, and its position is kept.
 */
void progress_apply(struct progress *p, int64_t position_ms, enum progress_event e,
                    int64_t duration_ms, int64_t now_ms);

/* Marks by hand: watched counts a play if it was not watched; unwatched also forgets the
 * position. */
void progress_mark(struct progress *p, bool watched, int64_t now_ms);

/* Whether to offer "Resume from": past the minimum and not watched. */
bool progress_resumable(const struct progress *p);

/* Whether an update with seq from a device is older than, or the same as, the last one
 * stored for that device (last_seq < 0: none stored): such an update changes nothing. */
bool progress_stale(int64_t last_seq, int64_t seq);
