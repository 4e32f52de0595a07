#include "progress/progress.h"
#include "core/clock.h"
#include "core/log.h"
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

static void publish(struct events *bus, int64_t user, const struct progress_view *v,
                    const char *device)
{
    json_t *j = progress_json(v);
    json_object_set_new(j, "device_id", device && *device ? json_string(device) : json_null());
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    /* The write stands even when its event cannot be sent; a reload shows it. */
    if (!text || events_publish(bus, user, "progress", text) < 0)
        LOG(L_WARN, "progress", "cannot send a progress event for file %lld",
            (long long)v->file_id);
    free(text);
}

static int update(struct store *st, struct events *bus, int64_t user, int64_t file,
                  const char *device, struct put_args *a, struct progress_view *out)
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
    if (written)
        publish(bus, user, out, device);
    return 0;
}

int progress_put(struct store *st, struct events *bus, int64_t user, int64_t file,
                 int64_t position_ms, enum progress_event e, const char *device, int64_t seq,
                 struct progress_view *out)
{
    struct put_args a = {.position_ms = position_ms, .e = e, .seq = seq, .check_seq = true};
    return update(st, bus, user, file, device, &a, out);
}

int progress_mark_watched(struct store *st, struct events *bus, int64_t user, int64_t file,
                          bool watched, struct progress_view *out)
{
    struct put_args a = {.mark = true, .watched = watched};
    return update(st, bus, user, file, "", &a, out);
}

int progress_get(struct store *st, int64_t user, int64_t file, struct progress_view *out)
{
    memset(out, 0, sizeof(*out));
    out->file_id = file;
    return store_progress_get(st, user, file, &out->p, &out->duration_ms);
}

int progress_forget(struct store *st, struct events *bus, int64_t user, int64_t file)
{
    struct progress_view v;
    int rc = progress_get(st, user, file, &v);
    if (rc == 0)
        rc = store_progress_delete(st, user, file);
    if (rc == 0) {
        memset(&v.p, 0, sizeof(v.p));
        v.p.updated_at = clock_wall_ms();
        publish(bus, user, &v, NULL);
    }
    return rc;
}

double progress_resume_s(const struct progress_view *v)
{
    struct progress p = {v->p.position_ms, v->p.watched, 0, 0, 0};
    return progress_resumable(&p) ? v->p.position_ms / 1000.0 : 0;
}

json_t *progress_json(const struct progress_view *v)
{
    return json_pack("{sI sf sI sf sf sb sI sf sI sI}", "file_id", (json_int_t)v->file_id,
                     "position", v->p.position_ms / 1000.0, "position_ms",
                     (json_int_t)v->p.position_ms, "duration", v->duration_ms / 1000.0, "percent",
                     progress_percent(v->p.position_ms, v->duration_ms), "watched", v->p.watched,
                     "play_count", (json_int_t)v->p.play_count, "resume_position",
                     progress_resume_s(v), "last_played_at", (json_int_t)v->p.last_played_at,
                     "updated_at", (json_int_t)v->p.updated_at);
}

static json_t *entry(const struct store_recent *r, int64_t updated_at)
{
    struct progress_view v = {.file_id = r->file_id, .p = r->p, .duration_ms = r->duration_ms};
    json_t *j = progress_json(&v);
    json_object_set_new(j, "item_id", json_integer(r->item_id));
    json_object_set_new(j, "title", json_string(r->title));
    json_object_set_new(j, "updated_at", json_integer(updated_at));
    if (r->show_id) {
        json_object_update_new(j, json_pack("{sI ss si si}", "show_id", (json_int_t)r->show_id,
                                            "show_title", r->show_title, "season", r->season,
                                            "episode", r->episode));
    }
    return j;
}

/* The first unwatched episode after the one watched, or NULL. */
static json_t *next_episode(struct store *st, int64_t user, const struct store_recent *watched)
{
    struct store_recent *eps;
    size_t n;
    if (store_show_episodes(st, user, watched->show_id, &eps, &n) < 0)
        return NULL;
    json_t *j = NULL;
    size_t i = 0;
    while (i < n && eps[i].item_id != watched->item_id)
        i++;
    for (i++; i < n && !j; i++) {
        if (!eps[i].p.watched) {
            j = entry(&eps[i], watched->p.updated_at);
            json_object_set_new(j, "next_up", json_true());
        }
    }
    free(eps);
    return j;
}

int progress_continue(struct store *st, int64_t user, json_t **out)
{
    struct store_recent *rows;
    size_t n;
    int rc = store_progress_recent(st, user, 500, &rows, &n);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    int64_t *shows = calloc(n + 1, sizeof(*shows));
    size_t nshows = 0;
    for (size_t i = 0; i < n && shows; i++) {
        const struct store_recent *r = &rows[i];
        struct progress p = {r->p.position_ms, r->p.watched, 0, 0, 0};
        if (!r->show_id) {
            if (progress_resumable(&p))
                json_array_append_new(list, entry(r, r->p.updated_at));
            continue;
        }
        /* A show's most recent row decides its one entry. */
        bool seen = false;
        for (size_t k = 0; k < nshows && !seen; k++)
            seen = shows[k] == r->show_id;
        if (seen)
            continue;
        shows[nshows++] = r->show_id;
        json_t *e = progress_resumable(&p) ? entry(r, r->p.updated_at)
                    : r->p.watched         ? next_episode(st, user, r)
                                           : NULL;
        if (e)
            json_array_append_new(list, e);
    }
    free(shows);
    free(rows);
    *out = list;
    return 0;
}

static void decorate_file(json_t *file)
{
    struct progress_view v = {
        .p = {.position_ms = json_integer_value(json_object_get(file, "position_ms")),
              .watched = json_is_true(json_object_get(file, "watched"))},
        .duration_ms = json_integer_value(json_object_get(file, "duration_ms")),
    };
    json_object_set_new(file, "percent",
                        json_real(progress_percent(v.p.position_ms, v.duration_ms)));
    json_object_set_new(file, "resume_position", json_real(progress_resume_s(&v)));
}

/* Decorates an item and its children; returns how many episodes below it are unwatched,
 * and whether it is watched itself (any of its files, or all of its children). */
static size_t decorate_item(json_t *item, bool *watched)
{
    size_t i, unwatched = 0;
    json_t *child;
    json_t *files = json_object_get(item, "files");
    bool any = false;
    json_array_foreach(files, i, child)
    {
        decorate_file(child);
        any |= json_is_true(json_object_get(child, "watched"));
    }
    const char *kind = json_string_value(json_object_get(item, "kind"));
    json_t *children = json_object_get(item, strcmp(kind, "show") == 0 ? "seasons" : "episodes");
    if (json_is_array(children) && strcmp(kind, "episode") != 0) {
        bool all = json_array_size(children) > 0;
        json_array_foreach(children, i, child)
        {
            bool w;
            unwatched += decorate_item(child, &w);
            all &= w;
        }
        any = all;
        json_object_set_new(item, "unwatched", json_integer((json_int_t)unwatched));
    } else if (strcmp(kind, "episode") == 0) {
        unwatched = any ? 0 : 1;
    }
    json_object_set_new(item, "watched", json_boolean(any));
    *watched = any;
    return unwatched;
}

void progress_decorate(json_t *tree)
{
    size_t i;
    json_t *item;
    bool w;
    if (json_is_array(tree)) {
        json_array_foreach(tree, i, item)
        {
            decorate_item(item, &w);
        }
        return;
    }
    const char *lists[] = {"movies", "shows"};
    for (int k = 0; k < 2; k++)
        json_array_foreach(json_object_get(tree, lists[k]), i, item)
        {
            decorate_item(item, &w);
        }
    if (json_object_get(tree, "kind"))
        decorate_item(tree, &w);
}
