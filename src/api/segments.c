/*
 * GET /api/v1/files/:id/segments: the parts of a file a player can skip, an intro, credits
 * or a recap, each with where it came from: the file's chapters, by name ("Intro",
 * "Opening", "OP", "Credits", "Ending", "ED", "Recap", "Previously"), or the comparison of a
 * season's episodes (src/jobs/intro.c), with how sure that is. A chapter wins over a
 * fingerprint for the same kind.
 */
#include "api/handlers.h"
#include "core/error.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The kind a chapter's title names, or NULL. */
static const char *chapter_kind(const char *title)
{
    static const struct {
        const char *name, *kind;
    } names[] = {
        {"intro", "intro"},         {"opening", "intro"},  {"op", "intro"},
        {"credits", "credits"},     {"ending", "credits"}, {"ed", "credits"},
        {"end credits", "credits"}, {"recap", "recap"},    {"previously", "recap"},
    };
    while (title && isspace((unsigned char)*title))
        title++;
    for (size_t i = 0; title && i < ARRAY_LEN(names); i++) {
        size_t n = strlen(names[i].name);
        /* The name, alone or before a number or other words: "OP", "OP1", "Opening (song)". */
        if (strncasecmp(title, names[i].name, n) == 0 && !isalpha((unsigned char)title[n]))
            return names[i].kind;
    }
    return NULL;
}

json_t *api_segments_json(struct app *app, const struct media_file *f)
{
    json_t *list = json_array();
    bool from_chapter[3] = {false};
    static const char *const kinds[] = {"intro", "credits", "recap"};
    for (size_t i = 0; i < f->nchapters; i++) {
        const struct media_chapter *c = &f->chapters[i];
        const char *kind = chapter_kind(c->title);
        if (!kind || c->end_ms <= c->start_ms)
            continue;
        for (int k = 0; k < 3; k++)
            from_chapter[k] |= strcmp(kind, kinds[k]) == 0;
        json_array_append_new(list, json_pack("{ss sf sf ss sf}", "type", kind, "start",
                                              c->start_ms / 1000.0, "end", c->end_ms / 1000.0,
                                              "source", "chapter", "confidence", 1.0));
    }
    struct media_segment *segs;
    size_t n;
    if (store_segments(app->store, f->id, &segs, &n) < 0)
        return list;
    for (size_t i = 0; i < n; i++) {
        bool shadowed = false;
        for (int k = 0; k < 3; k++)
            shadowed |= from_chapter[k] && strcmp(segs[i].kind, kinds[k]) == 0;
        if (!shadowed)
            json_array_append_new(list, json_pack("{ss sf sf ss sf}", "type", segs[i].kind, "start",
                                                  segs[i].start_ms / 1000.0, "end",
                                                  segs[i].end_ms / 1000.0, "source", segs[i].source,
                                                  "confidence", segs[i].confidence));
    }
    free(segs);
    return list;
}

struct http_reply api_segments(struct http_request *req)
{
    struct app *app = req->app;
    int64_t id;
    if (http_param_id(req, 0, &id) < 0)
        return http_reply_error(ERR_NOT_FOUND, NULL);
    struct media_file f;
    int rc = store_file_get(app->store, id, &f);
    if (rc < 0)
        return http_reply_error(rc, rc == ERR_NOT_FOUND ? "There is no such file." : NULL);
    json_t *list = api_segments_json(app, &f);
    media_file_release(&f);
    return http_reply_json(200, json_pack("{sI so}", "file_id", (json_int_t)id, "segments", list));
}
