#include "api/handlers.h"
#include "core/error.h"
#include "http/file.h"
#include "library/poster.h"
#include "progress/progress.h"
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

struct http_reply api_items_list(struct http_request *req)
{
    struct app *app = req->app;
    json_t *items;
    int rc = store_items_json(app->store, req->user_id, &items);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    progress_decorate(items);
    return http_reply_json(200, items);
}

struct http_reply api_item_get(struct http_request *req)
{
    struct app *app = req->app;
    int64_t id;
    int rc = http_param_id(req, 0, &id);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *item;
    rc = store_item_json(app->store, req->user_id, id, &item);
    if (rc == ERR_NOT_FOUND)
        return http_reply_error(rc, "There is no item %lld.", (long long)id);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    progress_decorate(item);
    return http_reply_json(200, item);
}

static json_t *status_json(const struct scan_status *st)
{
    json_t *errors = json_array();
    for (int i = 0; i < st->nerrors; i++)
        json_array_append_new(errors, json_string(st->errors[i]));
    json_t *o =
        json_pack("{ss sI sI sI sI sI sI so}", "state", st->running ? "running" : "idle", "found",
                  (json_int_t)st->found, "done", (json_int_t)st->done, "probed",
                  (json_int_t)st->probed, "unchanged", (json_int_t)st->unchanged, "failed",
                  (json_int_t)st->failed, "missing", (json_int_t)st->missing, "errors", errors);
    json_object_set_new(o, "started_at",
                        st->started_at ? json_integer(st->started_at) : json_null());
    json_object_set_new(o, "finished_at",
                        st->finished_at ? json_integer(st->finished_at) : json_null());
    return o;
}

struct http_reply api_scan_status(struct http_request *req)
{
    struct app *app = req->app;
    struct scan_status st;
    scanner_status(app->scanner, &st);
    return http_reply_json(200, status_json(&st));
}

struct http_reply api_scan_start(struct http_request *req)
{
    struct app *app = req->app;
    int rc = scanner_start(app->scanner);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    struct scan_status st;
    scanner_status(app->scanner, &st);
    return http_reply_json(202, status_json(&st));
}

struct http_reply api_poster(struct http_request *req)
{
    struct app *app = req->app;
    int64_t id;
    if (http_param_id(req, 0, &id) < 0)
        return http_reply_error(ERR_NOT_FOUND, NULL);
    char dir[4096 + 16], path[4200];
    snprintf(dir, sizeof(dir), "%s/posters", app->cfg->data);
    poster_path(dir, id, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        return http_reply_error(ERR_NOT_FOUND, "This file has no poster (yet).");
    }
    return http_reply_file(fd, &st, "image/jpeg", "private, max-age=86400");
}
