/*
 * A session's text subtitles as HLS subtitle renditions (src/hls/vtt.h): listed in its
 * master playlist, each a media playlist "sub<index>/index.m3u8" on the video's segment
 * grid, and per segment "sub<index>/<n>.vtt" with the cues of its time. The whole stream's
 * WebVTT (library/subtitles.c) is made once; a segment is cut from it on a worker.
 */
#include "api/handlers.h"
#include "core/error.h"
#include "core/files.h"
#include "hls/argv.h"
#include "hls/vtt.h"
#include "library/subtitles.h"
#include "library/trickplay.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* MPEG-TS segments' timestamps start this much later than fMP4's: ffmpeg's mpegts muxer
 * delays the first by 1.4 s. */
#define TS_MUX_DELAY_S 1.4

bool api_hls_subs_name(struct str rendition, int *index)
{
    if (rendition.len < 4 || rendition.len > 9 || memcmp(rendition.ptr, "sub", 3) != 0)
        return false;
    int v = 0;
    for (size_t i = 3; i < rendition.len; i++) {
        if (rendition.ptr[i] < '0' || rendition.ptr[i] > '9')
            return false;
        v = v * 10 + (rendition.ptr[i] - '0');
    }
    *index = v;
    return true;
}

/* The file's scrubbing previews as an image stream of the master playlist, for players that
 * read them (Roku's and Apple's EXT-X-IMAGE-STREAM-INF), when they are made. */
static int add_images(struct http_request *req, const struct media_file *f, char **text,
                      size_t *len)
{
    char folder[4200];
    struct trickplay t;
    if (api_trickplay_find(req->app, f, folder, sizeof(folder), &t) < 0)
        return 0;
    /* A preview's share of a sheet's JPEG, a few kB a second at most. */
    int64_t bandwidth = (int64_t)t.width * t.height / t.interval + 1000;
    struct buf b;
    buf_init(&b, BUF_NO_CAP);
    int rc = buf_append(&b, *text, *len);
    if (rc == 0)
        rc = buf_printf(&b,
                        "#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=%lld,RESOLUTION=%dx%d,CODECS=\"jpeg\","
                        "URI=\"%s/library/files/%lld/trickplay/index.m3u8\"\n",
                        (long long)bandwidth, t.width, t.height, api_base(req), (long long)f->id);
    if (rc < 0) {
        buf_release(&b);
        return rc;
    }
    free(*text);
    *text = buf_detach(&b, len);
    return 0;
}

/* The file of session id, for its subtitles. */
static int session_media(struct http_request *req, const char *id, struct media_file *f)
{
    struct app *app = req->app;
    int64_t file;
    int rc = hls_session_file(app->hls, req->user_id, id, &file);
    return rc < 0 ? rc : store_file_get(app->store, file, f);
}

int api_hls_add_subs(struct http_request *req, const char *id, const char *prefix, char **text,
                     size_t *len)
{
    struct media_file f;
    if (session_media(req, id, &f) < 0)
        return 0; /* the playlist without them */
    int rc = add_images(req, &f, text, len);
    if (rc < 0) {
        media_file_release(&f);
        return rc;
    }
    struct vtt_rendition r[16];
    size_t n = 0;
    for (size_t i = 0; i < f.nstreams && n < 16; i++) {
        const struct media_stream *m = &f.streams[i];
        if (m->type != STREAM_SUBTITLE || !subtitle_is_text(m->codec))
            continue;
        struct vtt_rendition *v = &r[n++];
        *v = (struct vtt_rendition){.index = m->index, .forced = m->forced};
        snprintf(v->language, sizeof(v->language), "%s", m->language);
        /* A name without quotes, as the attribute needs. */
        snprintf(v->name, sizeof(v->name), "%s%s",
                 m->title       ? m->title
                 : *m->language ? m->language
                                : "Subtitles",
                 m->forced ? " (forced)"
                 : m->sdh  ? " (SDH)"
                           : "");
        for (char *c = v->name; *c; c++)
            if (*c == '"' || *c == '\n' || *c == '\r')
                *c = '\'';
        for (char *c = v->language; *c; c++)
            if (*c == '"')
                *c = '\0';
    }
    media_file_release(&f);
    if (n == 0)
        return 0;
    struct buf b;
    buf_init(&b, BUF_NO_CAP);
    rc = vtt_master(*text, *len, r, n, prefix, &b);
    if (rc < 0) {
        buf_release(&b);
        return rc;
    }
    free(*text);
    *text = buf_detach(&b, len);
    return 0;
}

/* The media playlist of the session's first rendition: the grid every rendition shares. */
static int video_media(struct http_request *req, const char *id, char **text, size_t *len,
                       bool *fmp4)
{
    struct app *app = req->app;
    struct hls_state st;
    int rc = hls_state(app->hls, req->user_id, id, &st);
    if (rc < 0)
        return rc;
    *fmp4 = st.fmp4;
    rc = st.nrend ? hls_media(app->hls, req->user_id, id, st.rend[0].r.name, text, len)
                  : ERR_NOT_FOUND;
    hls_state_release(&st);
    return rc;
}

/* A text subtitle stream of f, or NULL. */
static const struct media_stream *text_stream(const struct media_file *f, int index)
{
    const struct media_stream *m = media_file_stream(f, index);
    return m && m->type == STREAM_SUBTITLE && subtitle_is_text(m->codec) ? m : NULL;
}

struct http_reply api_hls_subs_media(struct http_request *req, const char *id, int index)
{
    struct media_file f;
    if (session_media(req, id, &f) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such HLS session.");
    bool ok = text_stream(&f, index) != NULL;
    media_file_release(&f);
    if (!ok)
        return http_reply_error(ERR_NOT_FOUND, "The session has no subtitles %d.", index);
    char *text = NULL;
    size_t len = 0;
    bool fmp4;
    int rc = video_media(req, id, &text, &len, &fmp4);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    struct buf b;
    buf_init(&b, BUF_NO_CAP);
    rc = vtt_media(text, len, &b);
    free(text);
    if (rc < 0) {
        buf_release(&b);
        return http_reply_error(rc, NULL);
    }
    text = buf_detach(&b, &len);
    struct http_reply r = http_reply_text(200, "application/vnd.apple.mpegurl", text, len);
    r.cache = "no-cache";
    return r;
}

/* One segment's WebVTT, cut on a worker (the stream may need converting first). */
struct cut {
    const char *ffmpeg;
    char cache[4096 + 16];
    struct media_file f;
    const struct media_stream *s;
    double start, end;
    int64_t mpegts;
    struct buf out;
    char err[512];
    int rc;
};

static void run_cut(void *arg)
{
    struct cut *c = arg;
    char path[4400];
    c->rc =
        subtitle_vtt(c->ffmpeg, c->cache, &c->f, c->s, path, sizeof(path), c->err, sizeof(c->err));
    if (c->rc < 0)
        return;
    char *vtt;
    size_t len;
    c->rc = read_file(path, &vtt, &len);
    if (c->rc < 0)
        return;
    c->rc = vtt_segment(vtt, len, c->start, c->end, c->mpegts, &c->out);
    free(vtt);
}

static void free_cut(void *arg)
{
    struct cut *c = arg;
    media_file_release(&c->f);
    buf_release(&c->out);
    free(c);
}

struct http_reply api_hls_subs_segment(struct http_request *req, const char *id, int index)
{
    struct app *app = req->app;
    if (req->resumed && req->state) {
        struct cut *c = req->state;
        if (c->rc < 0)
            return http_reply_error(c->rc, c->err[0] ? "%s" : NULL, c->err);
        size_t len;
        char *text = buf_detach(&c->out, &len);
        struct http_reply r = http_reply_text(200, "text/vtt; charset=utf-8", text, len);
        r.cache = "private, max-age=86400";
        return r;
    }
    struct str file = req->params[2];
    char *end;
    long n = file.len > 4 && file.len < 16 ? strtol(file.ptr, &end, 10) : -1;
    if (n < 0 || end != file.ptr + file.len - 4 || memcmp(end, ".vtt", 4) != 0)
        return http_reply_error(ERR_NOT_FOUND, NULL);
    struct cut *c = calloc(1, sizeof(*c));
    if (!c)
        return http_reply_error(-ENOMEM, NULL);
    buf_init(&c->out, BUF_NO_CAP);
    char *media = NULL;
    size_t len = 0;
    bool fmp4 = true;
    int rc = session_media(req, id, &c->f);
    if (rc == 0 && !(c->s = text_stream(&c->f, index)))
        rc = ERR_NOT_FOUND;
    if (rc == 0)
        rc = video_media(req, id, &media, &len, &fmp4);
    if (rc == 0)
        rc = vtt_segment_times(media, len, n, &c->start, &c->end);
    free(media);
    if (rc < 0) {
        free_cut(c);
        return http_reply_error(rc, rc == ERR_NOT_FOUND ? "There is no such segment." : NULL);
    }
    /* The cues' 0 is the file's start: in the segments' clock, its first timestamp plus
     * what the encoder adds (src/hls/argv.c). */
    double zero = c->f.start_ms / 1000.0 + HLS_TS_OFFSET_S + (fmp4 ? 0 : TS_MUX_DELAY_S);
    c->mpegts = llround(zero * 90000);
    c->ffmpeg = app->cfg->ffmpeg;
    snprintf(c->cache, sizeof(c->cache), "%s/subtitles", app->cfg->data);
    c->rc = ERR_UNAVAILABLE;
    return api_offload(req, run_cut, c, free_cut);
}
