#include "progress/progress.h"
#include "api/handlers.h"
#include "core/error.h"
#include <math.h>
#include <string.h>

static struct http_reply unknown_file(void)
{
    return http_reply_error(ERR_NOT_FOUND, "There is no such file.");
}

static struct http_reply view(int rc, const struct progress_view *v)
{
    if (rc == ERR_NOT_FOUND)
        return unknown_file();
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *j = progress_json(v);
    if (v->stale)
        json_object_set_new(j, "stale", json_true());
    return http_reply_json(200, j);
}

/* Checks an update's fields; why says what is wrong. */
static int check_update(json_t *body, double *seconds, enum progress_event *e, char *why,
                        size_t size)
{
    json_t *pos = json_object_get(body, "position");
    json_t *seq = json_object_get(body, "seq");
    const char *device = api_json_string(body, "device_id");
    const char *event =
        json_object_get(body, "event") ? api_json_string(body, "event") : "timeupdate";
    *seconds = json_number_value(pos);
    if (!json_is_number(pos) || !isfinite(*seconds) || *seconds < 0 || *seconds > 1e9)
        snprintf(why, size, "position: seconds, 0 or more");
    else if (!event || progress_event_parse(event, e) < 0)
        snprintf(why, size, "event: timeupdate, pause, seek, ended or stop");
    else if (!device || !*device || strlen(device) > 64)
        snprintf(why, size, "device_id: 1 to 64 characters");
    else if (!json_is_integer(seq) || json_integer_value(seq) < 0)
        snprintf(why, size, "seq: a whole number that rises with each update");
    else
        return 0;
    return ERR_BAD_REQUEST;
}

struct http_reply api_progress_put(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file();
    json_t *body;
    char why[256];
    double seconds;
    enum progress_event e;
    int rc = http_body_json(req, &body, why, sizeof(why));
    if (rc < 0)
        return http_reply_error(rc, "%s", why);
    rc = check_update(body, &seconds, &e, why, sizeof(why));
    if (rc < 0) {
        json_decref(body);
        return http_reply_error(rc, "%s", why);
    }
    struct progress_view v;
    rc = progress_put(app->store, app->events, req->user_id, file, llround(seconds * 1000), e,
                      api_json_string(body, "device_id"),
                      json_integer_value(json_object_get(body, "seq")), &v);
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
    int rc = progress_forget(app->store, app->events, req->user_id, file);
    if (rc == ERR_NOT_FOUND)
        return unknown_file();
    if (rc < 0)
        return http_reply_error(rc, NULL);
    return http_reply_empty(204);
}

static struct http_reply mark(struct http_request *req, bool watched)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file();
    struct progress_view v;
    int rc = progress_mark_watched(app->store, app->events, req->user_id, file, watched, &v);
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

struct http_reply api_progress_list(struct http_request *req)
{
    struct app *app = req->app;
    const char *filter = http_query(req, "filter");
    if (!filter || strcmp(filter, "continue") != 0)
        return http_reply_error(ERR_BAD_REQUEST, "filter: \"continue\"");
    json_t *items;
    int rc = progress_continue(app->store, req->user_id, &items);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    return http_reply_json(200, json_pack("{so}", "items", items));
}
