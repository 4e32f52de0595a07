/*
 * Track preferences: GET and PUT /api/v1/me/preferences (the audio and subtitle language a
 * user wants, and when subtitles show), and PUT /api/v1/progress/:id/choices (the tracks
 * chosen in an episode, which its show's next episodes then get). playback.c applies both.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "core/clock.h"
#include "core/error.h"

static json_t *preferences_json(const struct preferences *p)
{
    return json_pack("{ss ss ss}", "audio_language", p->audio_language, "subtitle_language",
                     p->subtitle_language, "subtitle_mode", subtitle_mode_name(p->mode));
}

struct http_reply api_preferences_get(struct http_request *req)
{
    struct app *app = req->app;
    struct preferences p;
    int rc = store_preferences_get(app->store, req->user_id, &p);
    return rc < 0 ? http_reply_error(rc, NULL) : http_reply_json(200, preferences_json(&p));
}

struct http_reply api_preferences_put(struct http_request *req)
{
    struct app *app = req->app;
    json_t *body;
    char why[256];
    struct preferences p;
    int rc = http_body_json(req, &body, why, sizeof(why));
    if (rc < 0)
        return http_reply_error(rc, "%s", why);
    rc = store_preferences_get(app->store, req->user_id, &p);
    if (rc == 0)
        rc = input_preferences(body, &p, why, sizeof(why));
    json_decref(body);
    if (rc == ERR_BAD_REQUEST)
        return http_reply_error(rc, "%s", why);
    if (rc == 0)
        rc = store_preferences_put(app->store, req->user_id, &p);
    return rc < 0 ? http_reply_error(rc, NULL) : http_reply_json(200, preferences_json(&p));
}

struct http_reply api_show_choice_put(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (api_file_id(req, &file) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such file.");
    json_t *body;
    char why[256];
    int rc = http_body_json(req, &body, why, sizeof(why));
    if (rc < 0)
        return http_reply_error(rc, "%s", why);
    struct show_choice c;
    rc = input_show_choice(body, &c, why, sizeof(why));
    json_decref(body);
    if (rc < 0)
        return http_reply_error(rc, "%s", why);
    /* A film has no next episode to carry a choice to. */
    rc = store_show_choice_put(app->store, req->user_id, file, &c, clock_wall_ms());
    if (rc < 0 && rc != ERR_NOT_FOUND)
        return http_reply_error(rc, NULL);
    return http_reply_json(200, json_pack("{sb}", "remembered", rc == 0));
}
