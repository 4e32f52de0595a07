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
    const char *h = http_header(req, "Authorization");
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

/* A body with a username and a password. */
static int read_credentials(struct http_request *req, json_t **body, const char **user,
                            const char **password, char *why, size_t size)
{
    int rc = http_body_json(req, body, why, size);
    if (rc < 0)
        return rc;
    *user = api_json_string(*body, "username");
    *password = api_json_string(*body, "password");
    if (*user && *password)
        return 0;
    json_decref(*body);
    snprintf(why, size, "Send {\"username\": \"…\", \"password\": \"…\"}.");
    return ERR_BAD_REQUEST;
}

struct http_reply api_login(struct http_request *req)
{
    struct app *app = req->app;
    json_t *body;
    const char *username, *password;
    char why[256];
    int rc = read_credentials(req, &body, &username, &password, why, sizeof(why));
    if (rc < 0)
        return http_reply_error(rc, "%s", why);
    char token[AUTH_TOKEN_HEX + 1];
    struct user u;
    int retry = 0;
    rc = auth_login(app->auth, username, password, req->addr, token, &u, &retry);
    json_decref(body);
    if (rc == ERR_THROTTLED)
        return http_reply_error_with(rc, NULL, json_pack("{si}", "retry_after", retry));
    if (rc < 0)
        return http_reply_error(rc, NULL);

    struct http_reply r =
        http_reply_json(200, json_pack("{ss so}", "token", token, "user", user_json(&u)));
    http_reply_header(&r, "Set-Cookie", "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict",
                      cookie_name, token, app->cfg->token_ttl);
    return r;
}

struct http_reply api_logout(struct http_request *req)
{
    struct app *app = req->app;
    int rc = auth_logout(app->auth, request_token(req));
    if (rc < 0)
        return http_reply_error(rc, NULL);
    struct http_reply r = http_reply_json(200, json_pack("{sb}", "ok", 1));
    http_reply_header(&r, "Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
                      cookie_name);
    return r;
}

struct http_reply api_me(struct http_request *req)
{
    struct user u = {.id = req->user_id, .role = req->admin ? ROLE_ADMIN : ROLE_USER};
    snprintf(u.username, sizeof(u.username), "%s", req->username);
    return http_reply_json(200, user_json(&u));
}
