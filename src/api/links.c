/*
 * Signed links: POST /api/v1/links/:file_id makes one, and /s/<token>/… answers what the
 * token allows (one user, one file, until it expires) with no header at all, for players
 * that cannot send one: the unified stream, and the HLS session it redirects to.
 */
#include "api/handlers.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *api_base(const struct http_request *req)
{
    return req->link_base[0] ? req->link_base : "/api/v1";
}

/* A day by default; at most 30. */
#define LINK_DEFAULT_S 86400
#define LINK_MAX_S (30 * 86400)

struct http_reply api_link_create(struct http_request *req)
{
    struct app *app = req->app;
    int64_t file;
    if (api_file_id(req, &file) < 0)
        return http_reply_error(ERR_NOT_FOUND, "There is no such file.");
    json_t *body = NULL;
    char why[256];
    int64_t expires_in = LINK_DEFAULT_S;
    const char *client = "vlc";
    if (req->body.len) {
        int rc = http_body_json(req, &body, why, sizeof(why));
        if (rc < 0)
            return http_reply_error(rc, "%s", why);
        json_t *j = json_object_get(body, "expires_in");
        if (j && (!json_is_integer(j) || json_integer_value(j) < 1 ||
                  json_integer_value(j) > LINK_MAX_S)) {
            json_decref(body);
            return http_reply_error(ERR_BAD_REQUEST, "expires_in: seconds, from 1 to %d",
                                    LINK_MAX_S);
        }
        if (j)
            expires_in = json_integer_value(j);
        j = json_object_get(body, "client");
        struct device_profile p;
        if (j && (!json_is_string(j) || profile_preset(json_string_value(j), &p) < 0)) {
            json_decref(body);
            return http_reply_error(ERR_BAD_REQUEST,
                                    "client: \"browser\", \"mpv\", \"vlc\" or \"tv\"");
        }
        if (j)
            client = json_string_value(j);
    }
    int64_t expires_at = clock_wall_ms() / 1000 + expires_in;
    char token[LINK_TOKEN_MAX];
    int rc = auth_link_sign(app->auth, req->user_id, file, expires_at, token);
    if (rc < 0) {
        json_decref(body);
        return http_reply_error(rc, NULL);
    }
    char rel[LINK_TOKEN_MAX + 96], url[LINK_TOKEN_MAX + 512];
    snprintf(rel, sizeof(rel), "/s/%s/%lld/stream?client=%s", token, (long long)file, client);
    const char *host = http_header(req, "Host");
    snprintf(url, sizeof(url), "%s://%s%s", app->cfg->cookie_secure ? "https" : "http",
             host ? host : "127.0.0.1", rel);
    json_decref(body);
    LOG(L_INFO, "links", "user %lld made a link to file %lld for %lld s", (long long)req->user_id,
        (long long)file, (long long)expires_in);
    return http_reply_json(201, json_pack("{ss ss sI}", "url", url, "path", rel, "expires_at",
                                          (json_int_t)expires_at));
}

/* Lets a request in by the link in its first parameter, which then leaves the list. Each
 * call of a handler checks again: a resumed request has its parameters matched anew. */
static int enter(struct http_request *req)
{
    struct app *app = req->app;
    int64_t user, file;
    struct str token = req->params[0];
    int rc = auth_link_check(app->auth, token.ptr, token.len, &user, &file);
    if (rc < 0) {
        LOG(L_INFO, "links", "%s %.80s: %s", req->method, req->url, err_name(rc));
        return rc;
    }
    req->user_id = user;
    req->admin = false;
    req->link_file = file;
    snprintf(req->link_base, sizeof(req->link_base), "/s/%.*s", (int)token.len, token.ptr);
    memmove(req->params, req->params + 1, (HTTP_MAX_PARAMS - 1) * sizeof(req->params[0]));
    req->params[HTTP_MAX_PARAMS - 1] = (struct str){NULL, 0};
    return 0;
}

/* The handler next, for a request the link in its path lets in. */
static struct http_reply through(struct http_request *req, http_handler next)
{
    int rc = enter(req);
    return rc < 0 ? http_reply_error(rc, NULL) : next(req);
}

struct http_reply api_link_stream(struct http_request *req)
{
    int rc = enter(req);
    int64_t file;
    if (rc == 0 && (http_param_id(req, 0, &file) < 0 || file != req->link_file))
        rc = ERR_BAD_LINK;
    return rc < 0 ? http_reply_error(rc, NULL) : api_stream(req);
}

struct http_reply api_link_master(struct http_request *req)
{
    return through(req, api_hls_master);
}

struct http_reply api_link_media(struct http_request *req)
{
    return through(req, api_hls_media);
}

struct http_reply api_link_segment(struct http_request *req)
{
    return through(req, api_hls_segment);
}

struct http_reply api_link_prepared_master(struct http_request *req)
{
    return through(req, api_prepared_master);
}

struct http_reply api_link_prepared_object(struct http_request *req)
{
    return through(req, api_prepared_object);
}

struct http_reply api_link_trickplay(struct http_request *req)
{
    return through(req, api_trickplay);
}

struct http_reply api_link_subtitle(struct http_request *req)
{
    return through(req, api_subtitle);
}
