#include "progress/rules.h"
#include <errno.h>
#include <string.h>

static const char *const names[] = {"timeupdate", "pause", "seek", "ended", "stop"};

int progress_event_parse(const char *name, enum progress_event *out)
{
    for (int i = 0; i <= EVENT_STOP; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum progress_event)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *progress_event_name(enum progress_event e)
{
    return names[e];
}

double progress_percent(int64_t position_ms, int64_t duration_ms)
{
    if (duration_ms <= 0 || position_ms <= 0)
        return 0;
    if (position_ms >= duration_ms)
        return 100;
    return (double)position_ms * 100.0 / (double)duration_ms;
}

static bool past_line(int64_t position_ms, int64_t duration_ms)
{
    return duration_ms > 0 && position_ms * 1000 >= duration_ms * PROGRESS_WATCHED_PERMILLE;
}

void progress_apply(struct progress *p, int64_t position_ms, enum progress_event e,
                    int64_t duration_ms, int64_t now_ms)
{
    if (position_ms < 0)
        position_ms = 0;
    if (duration_ms > 0 && position_ms > duration_ms)
        position_ms = duration_ms;
    bool before = past_line(p->position_ms, duration_ms) && p->watched;
    bool now = past_line(position_ms, duration_ms) || e == EVENT_ENDED;
    if (now && !before) {
        p->watched = true;
        p->play_count++;
        p->last_played_at = now_ms;
    }
    p->position_ms = e == EVENT_ENDED && duration_ms > 0 ? duration_ms : position_ms;
    p->updated_at = now_ms;
}

void progress_mark(struct progress *p, bool watched, int64_t now_ms)
{
    if (watched && !p->watched) {
        p->play_count++;
        p->last_played_at = now_ms;
    }
    if (!watched)
        p->position_ms = 0;
    p->watched = watched;
    p->updated_at = now_ms;
}

bool progress_resumable(const struct progress *p)
{
    return !p->watched && p->position_ms > PROGRESS_MIN_RESUME_MS;
}

bool progress_stale(int64_t last_seq, int64_t seq)
{
    return last_seq >= 0 && seq <= last_seq;
}
