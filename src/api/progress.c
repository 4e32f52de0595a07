#include "progress/progress.h"
#include "api/handlers.h"
#include "core/error.h"
#include <math.h>
#include <string.h>

static int respond_view(struct http_request *req, const struct progress_view *v)
{
    json_t *j = progress_json(v);
    if (v->stale)
        json_object_set_new(j, "stale", json_true());
    return http_respond_json(req, MHD_HTTP_OK, j);
}

static int unknown_file(struct http_request *req)
{
    return http_respond_error(req, ERR_NOT_FOUND, "There is no such file.");
}

int api_progress_put(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file(req);
    json_t *body;
    int rc = http_body_json(req, &body);
    if (rc < 0)
        return rc;
    json_t *pos = json_object_get(body, "position");
    json_t *seq = json_object_get(body, "seq");
    const char *device = api_json_string(body, "device_id");
    const char *event =
        json_object_get(body, "event") ? api_json_string(body, "event") : "timeupdate";
    enum progress_event e;
    double seconds = json_number_value(pos);
    if (!json_is_number(pos) || !isfinite(seconds) || seconds < 0 || seconds > 1e9)
        rc = http_respond_error(req, ERR_BAD_REQUEST, "position: seconds, 0 or more");
    else if (!event || progress_event_parse(event, &e) < 0)
        rc = http_respond_error(req, ERR_BAD_REQUEST,
                                "event: timeupdate, pause, seek, ended or stop");
    else if (!device || !*device || strlen(device) > 64)
        rc = http_respond_error(req, ERR_BAD_REQUEST, "device_id: 1 to 64 characters");
    else if (!json_is_integer(seq) || json_integer_value(seq) < 0)
        rc = http_respond_error(req, ERR_BAD_REQUEST,
                                "seq: a whole number that rises with each update");
    if (rc < 0 || req->queued) {
        json_decref(body);
        return rc;
    }
    struct progress_view v;
    rc = progress_put(app->store, app->events, req->user_id, file, llround(seconds * 1000), e,
                      device, json_integer_value(seq), &v);
    json_decref(body);
    if (rc == ERR_NOT_FOUND)
        return unknown_file(req);
    return rc < 0 ? rc : respond_view(req, &v);
}

int api_progress_get(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    struct progress_view v;
    if (http_param_id(req, 0, &file) < 0 || progress_get(app->store, req->user_id, file, &v) < 0)
        return unknown_file(req);
    return respond_view(req, &v);
}

int api_progress_delete(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file(req);
    int rc = progress_forget(app->store, app->events, req->user_id, file);
    if (rc == ERR_NOT_FOUND)
        return unknown_file(req);
    if (rc < 0)
        return rc;
    return http_respond(req, MHD_HTTP_NO_CONTENT,
                        MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT));
}

static int mark(struct http_request *req, bool watched)
{
    struct app *app = req->app;
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return unknown_file(req);
    struct progress_view v;
    int rc = progress_mark_watched(app->store, app->events, req->user_id, file, watched, &v);
    if (rc == ERR_NOT_FOUND)
        return unknown_file(req);
    return rc < 0 ? rc : respond_view(req, &v);
}

int api_progress_watched(struct http_request *req)
{
    return mark(req, true);
}

int api_progress_unwatched(struct http_request *req)
{
    return mark(req, false);
}

int api_progress_list(struct http_request *req)
{
    struct app *app = req->app;
    const char *filter = http_query(req, "filter");
    if (!filter || strcmp(filter, "continue") != 0)
        return http_respond_error(req, ERR_BAD_REQUEST, "filter: \"continue\"");
    json_t *items;
    int rc = progress_continue(app->store, req->user_id, &items);
    if (rc < 0)
        return rc;
    return http_respond_json(req, MHD_HTTP_OK, json_pack("{so}", "items", items));
}
