/*
 * Prepared versions: POST, GET and DELETE /api/v1/prepared/:file_id start, read and remove
 * one; GET /api/v1/prepared/:file_id/… serves it from local storage (and under a signed
 * link's /s/<token>/prepared/…).
 */
#include "api/handlers.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "hls/playlist.h"
#include "http/file.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char playlist_type[] = "application/vnd.apple.mpegurl";

json_t *api_prepared_json(const struct prepared_view *v)
{
    json_t *o = json_pack("{ss}", "status", prepared_status_name(v->status));
    if (v->status == PREPARED_GENERATING || v->status == PREPARED_QUEUED)
        json_object_set_new(o, "progress", json_real(v->progress * 100));
    if (v->status == PREPARED_READY || v->status == PREPARED_STALE) {
        json_object_set_new(o, "size", json_integer(v->p.size));
        json_object_set_new(o, "generated_at", json_integer(v->p.generated_at / 1000));
    }
    if (v->status == PREPARED_FAILED)
        json_object_set_new(o, "error", json_string(v->error));
    return o;
}

static struct http_reply view(struct app *app, int64_t file, int status)
{
    struct prepared_view v;
    int rc = jobs_prepared_view(app->jobs, file, &v);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *o = api_prepared_json(&v);
    json_object_set_new(o, "file_id", json_integer(file));
    return http_reply_json(status, o);
}

struct http_reply api_prepared_start(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (api_file_id(req, &file) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such file.");
    int rc = store_job_queue(app->store, "prepare", file, clock_wall_ms());
    if (rc < 0)
        return http_reply_error(rc, NULL);
    jobs_kick(app->jobs);
    LOG(L_INFO, "prepared", "%s asked for a prepared version of file %lld", req->username,
        (long long)file);
    return view(app, file, 202);
}

/* Queues every file under it, its children's too; counts them in *n. */
static int queue_item(struct app *app, const struct library_item *it, int64_t now, int *n)
{
    int rc = 0;
    for (size_t i = 0; i < it->nfiles && rc == 0; i++, ++*n)
        rc = store_job_queue(app->store, "prepare", it->files[i].id, now);
    for (size_t i = 0; i < it->nchildren && rc == 0; i++)
        rc = queue_item(app, it->children[i], now, n);
    return rc;
}

/* POST /api/v1/prepared/items/:id: a film, an episode, a season or a whole show; and
 * POST /api/v1/prepared/items/all, the whole library. */
struct http_reply api_prepared_items(struct http_request *req)
{
    struct app *app = req->app;
    int64_t now = clock_wall_ms(), id = 0;
    int n = 0, rc;
    if (str_eq(req->params[0], "all")) {
        struct library l;
        rc = store_library(app->store, req->user_id, &l);
        if (rc == 0) {
            for (size_t i = 0; rc == 0 && i < l.n; i++)
                rc = queue_item(app, l.items[i], now, &n);
            library_release(&l);
        }
    } else {
        struct library_item *it;
        rc = http_param_id(req, 0, &id);
        if (rc == 0)
            rc = store_library_item(app->store, req->user_id, id, &it);
        if (rc == ERR_NOT_FOUND)
            return http_reply_error(rc, "There is no item %lld.", (long long)id);
        if (rc == 0) {
            rc = queue_item(app, it, now, &n);
            library_item_free(it);
        }
    }
    if (rc < 0)
        return http_reply_error(rc, NULL);
    jobs_kick(app->jobs);
    LOG(L_INFO, "prepared", "%s asked for prepared versions of %d file(s)", req->username, n);
    return http_reply_json(202, json_pack("{si}", "queued", n));
}

struct http_reply api_prepared_get(struct http_request *req)
{
    int64_t file;
    if (api_file_id(req, &file) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such file.");
    return view(req->app, file, 200);
}

struct http_reply api_prepared_delete(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (api_file_id(req, &file) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such file.");
    struct prepared_view v;
    int rc = jobs_prepared_view(app->jobs, file, &v);
    if (rc == 0 && v.status == PREPARED_GENERATING)
        return http_reply_error(ERR_CONFLICT, "It is being made; remove it when it is done.");
    if (rc == 0)
        rc = jobs_prepared_delete(app->jobs, file);
    if (rc == ERR_NOT_FOUND || (rc == 0 && v.status == PREPARED_NONE))
        return http_reply_error(ERR_NOT_FOUND, "This file has no prepared version.");
    return rc < 0 ? http_reply_error(rc, NULL) : http_reply_empty(204);
}

int api_prepared_ready(struct app *app, int64_t file)
{
    struct prepared_view v;
    int rc = jobs_prepared_view(app->jobs, file, &v);
    return rc < 0 ? rc : v.status == PREPARED_READY ? 0 : ERR_NOT_FOUND;
}

/* A playlist read from an object store, on a worker: the HTTP threads never wait on it. */
struct fetch {
    struct storage *storage;
    char key[256];
    char prefix[256]; /* a master playlist's URIs are made absolute with it; "" for none */
    char *text;
    size_t len;
    int rc;
};

static void fetch_object(void *arg)
{
    struct fetch *f = arg;
    f->rc = storage_get(f->storage, f->key, &f->text, &f->len);
}

static void free_fetch(void *arg)
{
    struct fetch *f = arg;
    free(f->text);
    free(f);
}

static struct http_reply fetched(struct fetch *f)
{
    if (f->rc == ERR_NOT_FOUND)
        return http_reply_error(ERR_NOT_FOUND, "There is no such part of this version.");
    if (f->rc < 0)
        return http_reply_error(f->rc, NULL);
    char *text = f->text;
    size_t len = f->len;
    f->text = NULL;
    if (f->prefix[0]) {
        int rc = playlist_rebase(text, len, f->prefix, &f->text, &len);
        free(text);
        if (rc < 0)
            return http_reply_error(rc, NULL);
        text = f->text;
        f->text = NULL;
    }
    struct http_reply r = http_reply_text(200, playlist_type, text, len);
    r.cache = "private, no-cache";
    return r;
}

/* Sends one object of file's version: rel is its path inside ("master.m3u8",
 * "720p/3.m4s"). From a folder, Reel sends it; from an object store, Reel sends the
 * playlists and sends players to the store for the segments, through presigned URLs. */
static struct http_reply serve(struct http_request *req, int64_t file, const char *rel)
{
    struct app *app = req->app;
    if (req->resumed && req->state)
        return fetched(req->state);
    struct prepared p;
    if (req->link_file && req->link_file != file)
        return http_reply_error(ERR_BAD_LINK, NULL);
    if (store_prepared_get(app->store, file, &p) < 0)
        return http_reply_error(ERR_NOT_FOUND, "This file has no prepared version.");
    char key[256], path[4096];
    snprintf(key, sizeof(key), "%s/%s", p.key, rel);
    bool playlist = strstr(rel, ".m3u8") != NULL, master = strcmp(rel, "master.m3u8") == 0;
    if (master && store_prepared_played(app->store, file, clock_wall_ms()) < 0)
        LOG(L_WARN, "prepared", "cannot record that file %lld was played", (long long)file);
    int rc = storage_local_path(app->storage, key, path, sizeof(path));
    /* The master playlist's URIs become absolute: players resolve relative ones against
     * the URL they asked for before a redirect (/api/v1/stream/:id). */
    if ((rc == -ENOTSUP && playlist) || (rc == 0 && master)) {
        struct fetch *f = calloc(1, sizeof(*f));
        if (!f)
            return http_reply_error(-ENOMEM, NULL);
        f->storage = app->storage;
        f->rc = ERR_UNAVAILABLE; /* until read */
        snprintf(f->key, sizeof(f->key), "%s", key);
        if (master)
            snprintf(f->prefix, sizeof(f->prefix), "%s/prepared/%lld", api_base(req),
                     (long long)file);
        if (rc == -ENOTSUP)
            return api_offload(req, fetch_object, f, free_fetch);
        fetch_object(f); /* a small file on the local disk */
        struct http_reply r = fetched(f);
        free_fetch(f);
        return r;
    }
    if (rc == -ENOTSUP) {
        rc = storage_url(app->storage, key, (long)app->cfg->s3_url_ttl, path, sizeof(path));
        if (rc < 0)
            return http_reply_error(rc, NULL);
        struct http_reply r = http_reply_empty(302);
        http_reply_header(&r, "Location", "%s", path);
        r.cache = "private, no-cache";
        return r;
    }
    int fd;
    struct stat st;
    if (rc < 0 || http_file_open(path, &fd, &st) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such part of this version.");
    /* A version never changes under its key: its parts can be cached for good. */
    return http_reply_file(fd, &st, playlist ? playlist_type : http_mime_type(path),
                           playlist ? "private, no-cache" : "private, max-age=31536000, immutable");
}

/* A rendition or file name from the route: a plain name, no path. */
static bool plain(struct str s)
{
    return s.len > 0 && s.len < 64 && !memchr(s.ptr, '/', s.len) && s.ptr[0] != '.';
}

struct http_reply api_prepared_master(struct http_request *req)
{
    int64_t file;
    if (http_param_id(req, 0, &file) < 0)
        return http_reply_error(ERR_NOT_FOUND, NULL);
    return serve(req, file, "master.m3u8");
}

struct http_reply api_prepared_object(struct http_request *req)
{
    int64_t file;
    if (http_param_id(req, 0, &file) < 0 || !plain(req->params[1]) || !plain(req->params[2]))
        return http_reply_error(ERR_NOT_FOUND, NULL);
    char rel[160];
    snprintf(rel, sizeof(rel), "%.*s/%.*s", (int)req->params[1].len, req->params[1].ptr,
             (int)req->params[2].len, req->params[2].ptr);
    return serve(req, file, rel);
}
