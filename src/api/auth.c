#include "api/handlers.h"
#include "core/error.h"
#include <stdio.h>
#include <string.h>

static const char cookie_name[] = "reel_token";

const char *api_json_string(json_t *body, const char *key)
{
    return json_string_value(json_object_get(body, key));
}

/* The token from "Authorization: Bearer …", else from the cookie. */
static const char *request_token(struct http_request *req)
{
    const char *h = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    return http_cookie(req, cookie_name);
}

int api_authenticate(struct http_request *req)
{
    struct app *app = req->app;
    struct user u;
    const char *token = request_token(req);
    if (!token)
        return ERR_UNAUTHORIZED;
    int rc = auth_check(app->auth, token, &u);
    if (rc < 0)
        return rc;
    req->user_id = u.id;
    req->admin = u.role == ROLE_ADMIN;
    snprintf(req->username, sizeof(req->username), "%s", u.username);
    return 0;
}

static json_t *user_json(const struct user *u)
{
    return json_pack("{sI ss ss}", "id", (json_int_t)u->id, "username", u->username, "role",
                     role_name(u->role));
}

int api_login(struct http_request *req)
{
    struct app *app = req->app;
    json_t *body;
    int rc = http_body_json(req, &body);
    if (rc < 0)
        return rc;
    const char *username = api_json_string(body, "username");
    const char *password = api_json_string(body, "password");
    if (!username || !password) {
        json_decref(body);
        return http_respond_error(req, ERR_BAD_REQUEST,
                                  "Send {\"username\": \"…\", \"password\": \"…\"}.");
    }
    char token[AUTH_TOKEN_HEX + 1];
    struct user u;
    int retry = 0;
    rc = auth_login(app->auth, username, password, req->addr, token, &u, &retry);
    json_decref(body);
    if (rc == ERR_THROTTLED) {
        struct MHD_Response *r = http_json_response(json_pack(
            "{ss ss si}", "error", err_name(rc), "message", err_message(rc), "retry_after", retry));
        char secs[16];
        snprintf(secs, sizeof(secs), "%d", retry);
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
        return http_respond(req, err_status(rc), r);
    }
    if (rc < 0)
        return rc;

    struct MHD_Response *r =
        http_json_response(json_pack("{ss so}", "token", token, "user", user_json(&u)));
    char cookie[256];
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict",
             cookie_name, token, app->cfg->token_ttl);
    if (r)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return http_respond(req, MHD_HTTP_OK, r);
}

int api_logout(struct http_request *req)
{
    struct app *app = req->app;
    int rc = auth_logout(app->auth, request_token(req));
    if (rc < 0)
        return rc;
    struct MHD_Response *r = http_json_response(json_pack("{sb}", "ok", 1));
    char cookie[128];
    snprintf(cookie, sizeof(cookie), "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
             cookie_name);
    if (r)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return http_respond(req, MHD_HTTP_OK, r);
}

int api_me(struct http_request *req)
{
    struct user u = {.id = req->user_id, .role = req->admin ? ROLE_ADMIN : ROLE_USER};
    snprintf(u.username, sizeof(u.username), "%s", req->username);
    return http_respond_json(req, MHD_HTTP_OK, user_json(&u));
}
