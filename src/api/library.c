#include "api/handlers.h"
#include "core/error.h"
#include "http/file.h"
#include "library/poster.h"
#include "progress/progress.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON views of the library tree. Unknown values are null. */
static json_t *int_or_null(int64_t v, int64_t none)
{
    return v == none ? json_null() : json_integer(v);
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *api_stream_json(const struct media_stream *m)
{
    json_t *o = json_pack("{sI ss ss sb}", "index", (json_int_t)m->index, "type",
                          stream_type_name(m->type), "codec", m->codec, "default", m->is_default);
    const struct {
        const char *key, *value;
    } texts[] = {{"profile", m->profile},
                 {"pix_fmt", m->pix_fmt},
                 {"channel_layout", m->layout},
                 {"language", m->language}};
    const struct {
        const char *key;
        int value;
    } ints[] = {{"level", m->level},       {"bit_depth", m->bit_depth},
                {"width", m->width},       {"height", m->height},
                {"channels", m->channels}, {"sample_rate", m->sample_rate}};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        if (*texts[i].value)
            json_object_set_new(o, texts[i].key, json_string(texts[i].value));
    for (size_t i = 0; i < ARRAY_LEN(ints); i++)
        if (ints[i].value)
            json_object_set_new(o, ints[i].key, json_integer(ints[i].value));
    if (m->frame_rate > 0)
        json_object_set_new(o, "frame_rate", json_real(m->frame_rate));
    if (m->title)
        json_object_set_new(o, "title", json_string(m->title));
    if (m->external)
        json_object_set_new(o, "external", json_true());
    return o;
}

json_t *api_chapters_json(const struct media_chapter *c, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{sf sf so}", "start", c[i].start_ms / 1000.0, "end",
                                              c[i].end_ms / 1000.0, "title",
                                              c[i].title ? json_string(c[i].title) : json_null()));
    return list;
}

static json_t *file_json(const struct library_file *f, bool detail)
{
    struct progress_view v = {.file_id = f->id, .p = f->p, .duration_ms = f->duration_ms};
    json_t *o = json_pack(
        "{sI ss so sf sI sI sI so so so so so sI sb sI sf sf}", "id", (json_int_t)f->id, "name",
        f->name, "container", text_or_null(f->container), "duration", f->duration_ms / 1000.0,
        "duration_ms", (json_int_t)f->duration_ms, "size", (json_int_t)f->size, "bitrate",
        (json_int_t)f->bitrate, "error", text_or_null(f->error), "video_codec",
        text_or_null(f->video_codec), "audio_codec", text_or_null(f->audio_codec), "width",
        int_or_null(f->width, 0), "height", int_or_null(f->height, 0), "position_ms",
        (json_int_t)f->p.position_ms, "watched", f->p.watched, "play_count",
        (json_int_t)f->p.play_count, "percent", progress_percent(f->p.position_ms, f->duration_ms),
        "resume_position", progress_resume_s(&v));
    json_object_set_new(o, "prepared", json_boolean(f->prepared));
    if (detail) {
        json_t *streams = json_array();
        for (size_t i = 0; i < f->nstreams; i++)
            json_array_append_new(streams, api_stream_json(&f->streams[i]));
        json_object_set_new(o, "streams", streams);
        json_object_set_new(o, "chapters", api_chapters_json(f->chapters, f->nchapters));
    }
    return o;
}

static json_t *item_json(const struct library_item *it, bool detail)
{
    json_t *o = json_pack("{sI ss so ss so sb}", "id", (json_int_t)it->id, "kind", it->kind,
                          "parent_id", int_or_null(it->parent_id, 0), "title", it->title, "year",
                          int_or_null(it->year, 0), "watched", it->watched);
    bool show = strcmp(it->kind, "show") == 0, season = strcmp(it->kind, "season") == 0;
    bool episode = strcmp(it->kind, "episode") == 0;
    if (season || episode)
        json_object_set_new(o, "season", int_or_null(it->season, -1));
    if (episode) {
        json_object_set_new(o, "episode", int_or_null(it->episode, -1));
        json_object_set_new(o, "episode_end", int_or_null(it->episode_end, -1));
    }
    json_t *children = json_array();
    if (show || season) {
        for (size_t i = 0; i < it->nchildren; i++)
            json_array_append_new(children, item_json(it->children[i], detail));
        json_object_set_new(o, "unwatched", json_integer(it->unwatched));
    } else {
        for (size_t i = 0; i < it->nfiles; i++)
            json_array_append_new(children, file_json(&it->files[i], detail));
    }
    json_object_set_new(o, show ? "seasons" : season ? "episodes" : "files", children);
    return o;
}

struct http_reply api_items_list(struct http_request *req)
{
    struct app *app = req->app;
    struct library l;
    int rc = store_library(app->store, req->user_id, &l);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *movies = json_array(), *shows = json_array();
    for (size_t i = 0; i < l.n; i++) {
        progress_summarize(l.items[i]);
        json_array_append_new(strcmp(l.items[i]->kind, "show") == 0 ? shows : movies,
                              item_json(l.items[i], false));
    }
    library_release(&l);
    return http_reply_json(200, json_pack("{so so}", "movies", movies, "shows", shows));
}

struct http_reply api_item_get(struct http_request *req)
{
    struct app *app = req->app;
    int64_t id;
    int rc = http_param_id(req, 0, &id);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    struct library_item *item;
    rc = store_library_item(app->store, req->user_id, id, &item);
    if (rc == ERR_NOT_FOUND)
        return http_reply_error(rc, "There is no item %lld.", (long long)id);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    progress_summarize(item);
    json_t *out = item_json(item, true);
    library_item_free(item);
    return http_reply_json(200, out);
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

int api_file_id(struct http_request *req, int64_t *file)
{
    struct app *app = req->app;
    char *path = NULL;
    if (http_param_id(req, 0, file) < 0 || store_file_path(app->store, *file, &path) < 0)
        return ERR_NOT_FOUND;
    free(path);
    return 0;
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
    int fd;
    struct stat st;
    if (http_file_open(path, &fd, &st) < 0)
        return http_reply_error(ERR_NOT_FOUND, "This file has no poster (yet).");
    return http_reply_file(fd, &st, "image/jpeg", "private, max-age=86400");
}
