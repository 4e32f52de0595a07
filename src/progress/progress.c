#include "progress/progress.h"
#include "core/clock.h"
#include "core/log.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct put_args {
    int64_t position_ms;
    enum progress_event e;
    int64_t seq;
    bool check_seq;
    bool mark, watched;
    bool stale;
    int64_t now;
};

static bool apply(struct store_progress *sp, int64_t last_seq, int64_t duration_ms, void *arg)
{
    struct put_args *a = arg;
    if (a->check_seq && progress_stale(last_seq, a->seq)) {
        a->stale = true;
        return false;
    }
    struct progress p = {sp->position_ms, sp->watched, sp->play_count, sp->last_played_at,
                         sp->updated_at};
    if (a->mark)
        progress_mark(&p, a->watched, a->now);
    else
        progress_apply(&p, a->position_ms, a->e, duration_ms, a->now);
    *sp = (struct store_progress){p.position_ms, p.watched, p.play_count, p.last_played_at,
                                  p.updated_at};
    return true;
}

static int update(struct store *st, int64_t user, int64_t file, const char *device,
                  struct put_args *a, struct progress_view *out)
{
    memset(out, 0, sizeof(*out));
    out->file_id = file;
    a->now = clock_wall_ms();
    bool written;
    int rc = store_progress_update(st, user, file, device, a->seq, apply, a, &out->p,
                                   &out->duration_ms, &written);
    if (rc < 0)
        return rc;
    out->stale = a->stale;
    out->written = written;
    return 0;
}

int progress_put(struct store *st, int64_t user, int64_t file, int64_t position_ms,
                 enum progress_event e, const char *device, int64_t seq, struct progress_view *out)
{
    struct put_args a = {.position_ms = position_ms, .e = e, .seq = seq, .check_seq = true};
    return update(st, user, file, device, &a, out);
}

int progress_mark_watched(struct store *st, int64_t user, int64_t file, bool watched,
                          struct progress_view *out)
{
    struct put_args a = {.mark = true, .watched = watched};
    return update(st, user, file, "", &a, out);
}

int progress_get(struct store *st, int64_t user, int64_t file, struct progress_view *out)
{
    memset(out, 0, sizeof(*out));
    out->file_id = file;
    return store_progress_get(st, user, file, &out->p, &out->duration_ms);
}

int progress_forget(struct store *st, int64_t user, int64_t file, struct progress_view *out)
{
    int rc = progress_get(st, user, file, out);
    if (rc == 0)
        rc = store_progress_delete(st, user, file);
    if (rc == 0) {
        memset(&out->p, 0, sizeof(out->p));
        out->p.updated_at = clock_wall_ms();
        out->written = true;
    }
    return rc;
}

double progress_resume_s(const struct progress_view *v)
{
    struct progress p = {v->p.position_ms, v->p.watched, 0, 0, 0};
    return progress_resumable(&p) ? v->p.position_ms / 1000.0 : 0;
}

static int add_entry(struct progress_entry **list, size_t *n, const struct store_recent *r,
                     int64_t updated_at, bool next_up)
{
    struct progress_entry *grown = realloc(*list, (*n + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    grown[(*n)++] = (struct progress_entry){*r, updated_at, next_up};
    *list = grown;
    return 0;
}

/* Adds the first unwatched episode after the one watched, if there is one. */
static int add_next_episode(struct store *st, int64_t user, const struct store_recent *watched,
                            struct progress_entry **list, size_t *n)
{
    struct store_recent *eps;
    size_t count;
    if (store_show_episodes(st, user, watched->show_id, &eps, &count) < 0)
        return 0; /* the list stands without it */
    size_t i = 0;
    while (i < count && eps[i].item_id != watched->item_id)
        i++;
    int rc = 0;
    for (i++; i < count; i++) {
        if (!eps[i].p.watched) {
            rc = add_entry(list, n, &eps[i], watched->p.updated_at, true);
            break;
        }
    }
    free(eps);
    return rc;
}

int progress_continue(struct store *st, int64_t user, struct progress_entry **out, size_t *n)
{
    struct store_recent *rows;
    size_t count;
    *out = NULL;
    *n = 0;
    int rc = store_progress_recent(st, user, 500, &rows, &count);
    if (rc < 0)
        return rc;
    /* A show's most recent row decides its one entry. */
    int64_t *shows = calloc(count + 1, sizeof(*shows));
    size_t nshows = 0;
    rc = shows ? 0 : -ENOMEM;
    for (size_t i = 0; i < count && rc == 0; i++) {
        const struct store_recent *r = &rows[i];
        struct progress p = {r->p.position_ms, r->p.watched, 0, 0, 0};
        bool seen = false;
        for (size_t k = 0; k < nshows && r->show_id && !seen; k++)
            seen = shows[k] == r->show_id;
        if (seen)
            continue;
        if (r->show_id)
            shows[nshows++] = r->show_id;
        if (progress_resumable(&p))
            rc = add_entry(out, n, r, r->p.updated_at, false);
        else if (r->show_id && r->p.watched)
            rc = add_next_episode(st, user, r, out, n);
    }
    free(shows);
    free(rows);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void progress_summarize(struct library_item *item)
{
    bool any = false;
    for (size_t i = 0; i < item->nfiles; i++)
        any |= item->files[i].p.watched;
    item->unwatched = 0;
    bool parent = strcmp(item->kind, "show") == 0 || strcmp(item->kind, "season") == 0;
    if (parent) {
        bool all = item->nchildren > 0;
        for (size_t i = 0; i < item->nchildren; i++) {
            progress_summarize(item->children[i]);
            item->unwatched += item->children[i]->unwatched;
            all &= item->children[i]->watched;
        }
        any = all;
    } else if (strcmp(item->kind, "episode") == 0) {
        item->unwatched = any ? 0 : 1;
    }
    item->watched = any;
}
