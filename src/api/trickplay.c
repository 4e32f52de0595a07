/*
 * Scrubbing previews (library/trickplay.h) and the background tasks that make them:
 * GET /api/v1/library/files/:id/trickplay/index.vtt   a WebVTT thumbnails track
 * GET /api/v1/library/files/:id/trickplay/index.m3u8  an HLS image playlist
 * GET /api/v1/library/files/:id/trickplay/<n>.jpg     a sheet
 * GET /api/v1/tasks                                   every background job (administrators)
 */
#include "library/trickplay.h"
#include "api/handlers.h"
#include "core/error.h"
#include "http/file.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_trickplay_find(const struct app *app, const struct media_file *f, char *folder, size_t size,
                       struct trickplay *t)
{
    char dir[4096 + 16];
    snprintf(dir, sizeof(dir), "%s/trickplay", app->cfg->data);
    int rc = trickplay_dir(dir, f, folder, size);
    return rc < 0 ? rc : trickplay_load(folder, t);
}

json_t *api_trickplay_json(const struct app *app, const struct media_file *f, const char *base)
{
    char folder[4200], url[320];
    struct trickplay t;
    if (api_trickplay_find(app, f, folder, sizeof(folder), &t) < 0)
        return json_null();
    snprintf(url, sizeof(url), "%s/library/files/%lld/trickplay/", base, (long long)f->id);
    return json_pack("{s:s+ s:s+ si si si si si}", "url", url, "index.vtt", "playlist", url,
                     "index.m3u8", "interval", t.interval, "width", t.width, "height", t.height,
                     "columns", t.columns, "rows", t.rows);
}

struct http_reply api_trickplay(struct http_request *req)
{
    struct app *app = req->app;
    int64_t id;
    struct str name = req->params[1];
    if (http_param_id(req, 0, &id) < 0)
        return http_reply_error(ERR_NOT_FOUND, NULL);
    if (req->link_file && req->link_file != id)
        return http_reply_error(ERR_BAD_LINK, NULL);
    struct media_file f;
    int rc = store_file_get(app->store, id, &f);
    if (rc < 0)
        return http_reply_error(rc, rc == ERR_NOT_FOUND ? "There is no such file." : NULL);
    char folder[4200];
    struct trickplay t;
    rc = api_trickplay_find(app, &f, folder, sizeof(folder), &t);
    double duration = f.duration_ms / 1000.0;
    media_file_release(&f);
    if (rc < 0)
        return http_reply_error(rc,
                                rc == ERR_NOT_FOUND ? "This file has no previews (yet)." : NULL);
    bool vtt = str_eq(name, "index.vtt"), m3u8 = str_eq(name, "index.m3u8");
    if (vtt || m3u8) {
        struct buf b;
        buf_init(&b, BUF_NO_CAP);
        rc = vtt ? trickplay_vtt(&t, duration, "", &b) : trickplay_m3u8(&t, duration, "", &b);
        if (rc < 0) {
            buf_release(&b);
            return http_reply_error(rc, NULL);
        }
        size_t len;
        char *text = buf_detach(&b, &len);
        struct http_reply r = http_reply_text(
            200, vtt ? "text/vtt; charset=utf-8" : "application/vnd.apple.mpegurl", text, len);
        r.cache = "private, max-age=300";
        return r;
    }
    /* "<n>.jpg", a sheet that exists. */
    int sheet, used = 0;
    char tail[8] = "";
    if (name.len == 0 || name.len > 10 || sscanf(name.ptr, "%d%n", &sheet, &used) != 1 ||
        sheet < 0 || name.ptr[0] < '0' || name.ptr[0] > '9' ||
        (snprintf(tail, sizeof(tail), "%.*s", (int)(name.len - (size_t)used), name.ptr + used),
         strcmp(tail, ".jpg") != 0))
        return http_reply_error(ERR_NOT_FOUND, NULL);
    char path[4300];
    snprintf(path, sizeof(path), "%s/%d.jpg", folder, sheet);
    int fd;
    struct stat st;
    if (http_file_open(path, &fd, &st) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such preview sheet.");
    return http_reply_file(fd, &st, "image/jpeg", "private, max-age=86400");
}

struct http_reply api_tasks(struct http_request *req)
{
    struct app *app = req->app;
    struct job *jobs;
    size_t n;
    int rc = store_jobs_list(app->store, &jobs, &n);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct job *j = &jobs[i];
        json_t *o = json_pack("{sI ss sI ss sf si sI}", "id", (json_int_t)j->id, "kind", j->kind,
                              "file_id", (json_int_t)j->file_id, "state", job_state_name(j->state),
                              "progress", j->state == JOB_DONE ? 1.0 : j->progress, "attempts",
                              j->attempts, "queued_at", (json_int_t)j->queued_at);
        json_object_set_new(o, "started_at",
                            j->started_at ? json_integer(j->started_at) : json_null());
        json_object_set_new(o, "finished_at",
                            j->finished_at ? json_integer(j->finished_at) : json_null());
        json_object_set_new(o, "error", *j->error ? json_string(j->error) : json_null());
        json_array_append_new(list, o);
    }
    free(jobs);
    return http_reply_json(200, json_pack("{so}", "tasks", list));
}
