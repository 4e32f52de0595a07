#include "progress/progress.h"
#include "api/handlers.h"
#include "api/input.h"
#include "core/error.h"
#include "core/log.h"
#include <stdlib.h>
#include <string.h>

static struct http_reply unknown_file(void)
{
    return http_reply_error(ERR_NOT_FOUND, "There is no such file.");
}

json_t *api_progress_json(const struct progress_view *v)
{
    return json_pack("{sI sf sI sf sf sb sI sf sI sI}", "file_id", (json_int_t)v->file_id,
                     "position", v->p.position_ms / 1000.0, "position_ms",
                     (json_int_t)v->p.position_ms, "duration", v->duration_ms / 1000.0, "percent",
                     progress_percent(v->p.position_ms, v->duration_ms), "watched", v->p.watched,
                     "play_count", (json_int_t)v->p.play_count, "resume_position",
                     progress_resume_s(v), "last_played_at", (json_int_t)v->p.last_played_at,
                     "updated_at", (json_int_t)v->p.updated_at);
}

/* Tells the user's other devices about a change that was written. */
static void publish(struct app *app, int64_t user, const struct progress_view *v,
                    const char *device)
{
    if (!v->written)
        return;
    json_t *j = api_progress_json(v);
    json_object_set_new(j, "device_id", device && *device ? json_string(device) : json_null());
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    /* The write stands even when its event cannot be sent; a reload shows it. */
    if (!text || events_publish(app->events, user, "progress", text) < 0)
        LOG(L_WARN, "progress", "cannot send a progress event for file %lld",
            (long long)v->file_id);
    free(text);
}

static struct http_reply view(int rc, const struct progress_view *v)
{
    if (rc == ERR_NOT_FOUND)
        return unknown_file();
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *j = api_progress_json(v);
    if (v->stale)
        json_object_set_new(j, "stale", json_true());
    return http_reply_json(200, j);
}

struct http_reply api_progress_put(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file();
    json_t *body;
    char why[256];
    int rc = http_body_json(req, &body, why, sizeof(why));
    if (rc < 0)
        return http_reply_error(rc, "%s", why);
    struct progress_update u;
    rc = input_progress_update(body, &u, why, sizeof(why));
    if (rc < 0) {
        json_decref(body);
        return http_reply_error(rc, "%s", why);
    }
    struct progress_view v;
    rc = progress_put(app->store, req->user_id, file, u.position_ms, u.event, u.device, u.seq, &v);
    if (rc == 0)
        publish(app, req->user_id, &v, u.device);
    json_decref(body);
    return view(rc, &v);
}

struct http_reply api_progress_get(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    struct progress_view v;
    if (http_param_id(req, 0, &file) < 0 || progress_get(app->store, req->user_id, file, &v) < 0)
        return unknown_file();
    return view(0, &v);
}

struct http_reply api_progress_delete(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file();
    struct progress_view v;
    int rc = progress_forget(app->store, req->user_id, file, &v);
    if (rc == ERR_NOT_FOUND)
        return unknown_file();
    if (rc < 0)
        return http_reply_error(rc, NULL);
    publish(app, req->user_id, &v, NULL);
    return http_reply_empty(204);
}

static struct http_reply mark(struct http_request *req, bool watched)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file();
    struct progress_view v;
    int rc = progress_mark_watched(app->store, req->user_id, file, watched, &v);
    if (rc == 0)
        publish(app, req->user_id, &v, "");
    return view(rc, &v);
}

struct http_reply api_progress_watched(struct http_request *req)
{
    return mark(req, true);
}

struct http_reply api_progress_unwatched(struct http_request *req)
{
    return mark(req, false);
}

static json_t *entry_json(const struct progress_entry *e)
{
    const struct store_recent *r = &e->r;
    struct progress_view v = {.file_id = r->file_id, .p = r->p, .duration_ms = r->duration_ms};
    json_t *j = api_progress_json(&v);
    json_object_set_new(j, "item_id", json_integer(r->item_id));
    json_object_set_new(j, "title", json_string(r->title));
    json_object_set_new(j, "updated_at", json_integer(e->updated_at));
    if (r->show_id) {
        json_object_update_new(j, json_pack("{sI ss si si}", "show_id", (json_int_t)r->show_id,
                                            "show_title", r->show_title, "season", r->season,
                                            "episode", r->episode));
    }
    if (e->next_up)
        json_object_set_new(j, "next_up", json_true());
    return j;
}

struct http_reply api_progress_list(struct http_request *req)
{
    struct app *app = req->app;
    const char *filter = http_query(req, "filter");
    if (!filter || strcmp(filter, "continue") != 0)
        return http_reply_error(ERR_BAD_REQUEST, "filter: \"continue\"");
    struct progress_entry *entries;
    size_t n;
    int rc = progress_continue(app->store, req->user_id, &entries, &n);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, entry_json(&entries[i]));
    free(entries);
    return http_reply_json(200, json_pack("{so}", "items", items));
}
