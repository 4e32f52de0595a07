/*
 * GET /api/v1/library/files/:id/subtitles/:index.vtt: a text subtitle stream as WebVTT, for
 * a <track> (and under a signed link, /s/<token>/library/files/…). Converting reads the
 * whole file for an embedded stream, so it runs on a worker; once made, it is sent at once.
 */
#include "library/subtitles.h"
#include "api/handlers.h"
#include "core/error.h"
#include "core/log.h"
#include "http/file.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct convert {
    const char *ffmpeg;
    char cache[4096 + 16];
    struct media_file f;
    const struct media_stream *s;
    char path[4400];
    char err[512];
    int rc;
};

static void run_convert(void *arg)
{
    struct convert *c = arg;
    c->rc = subtitle_vtt(c->ffmpeg, c->cache, &c->f, c->s, c->path, sizeof(c->path), c->err,
                         sizeof(c->err));
}

static void free_convert(void *arg)
{
    struct convert *c = arg;
    media_file_release(&c->f);
    free(c);
}

static struct http_reply send_vtt(const char *path)
{
    int fd;
    struct stat st;
    if (http_file_open(path, &fd, &st) < 0)
        return http_reply_error(ERR_NOT_FOUND, NULL);
    /* Named by the source's mtime: a changed file has another name. */
    return http_reply_file(fd, &st, "text/vtt; charset=utf-8", "private, max-age=86400");
}

static struct http_reply converted(struct convert *c)
{
    if (c->rc == ERR_UNPLAYABLE)
        return http_reply_error(ERR_UNPLAYABLE, "These subtitles cannot be converted: %s",
                                c->err[0] ? c->err : "ffmpeg failed");
    if (c->rc < 0)
        return http_reply_error(c->rc, NULL);
    return send_vtt(c->path);
}

struct http_reply api_subtitle(struct http_request *req)
{
    struct app *app = req->app;
    if (req->resumed && req->state)
        return converted(req->state);
    int64_t file;
    int index, used = 0;
    struct str name = req->params[1];
    char tail[8] = "";
    if (http_param_id(req, 0, &file) < 0 || name.len == 0 || name.len > 15 ||
        sscanf(name.ptr, "%d%n", &index, &used) != 1 || index < 0 ||
        (snprintf(tail, sizeof(tail), "%.*s", (int)(name.len - (size_t)used), name.ptr + used),
         strcmp(tail, ".vtt") != 0))
        return http_reply_error(ERR_NOT_FOUND, NULL);
    if (req->link_file && req->link_file != file)
        return http_reply_error(ERR_BAD_LINK, NULL);
    struct convert *c = calloc(1, sizeof(*c));
    if (!c)
        return http_reply_error(-ENOMEM, NULL);
    int rc = store_file_get(app->store, file, &c->f);
    if (rc < 0) {
        free(c);
        return http_reply_error(rc, rc == ERR_NOT_FOUND ? "There is no such file." : NULL);
    }
    c->s = media_file_stream(&c->f, index);
    if (!c->s || c->s->type != STREAM_SUBTITLE) {
        free_convert(c);
        return http_reply_error(ERR_NOT_FOUND, "This file has no subtitle stream %d.", index);
    }
    if (!subtitle_is_text(c->s->codec)) {
        char codec[32];
        snprintf(codec, sizeof(codec), "%s", c->s->codec);
        free_convert(c);
        return http_reply_error(ERR_UNPLAYABLE,
                                "Subtitle stream %d is %s, pictures rather than text: it can only "
                                "be burned into the video.",
                                index, codec);
    }
    c->ffmpeg = app->cfg->ffmpeg;
    snprintf(c->cache, sizeof(c->cache), "%s/subtitles", app->cfg->data);
    if (subtitle_vtt_cached(c->cache, &c->f, c->s, c->path, sizeof(c->path)) == 0) {
        struct http_reply r = send_vtt(c->path);
        free_convert(c);
        return r;
    }
    c->rc = ERR_UNAVAILABLE; /* until converted */
    return api_offload(req, run_convert, c, free_convert);
}
