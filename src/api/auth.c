#include "api/handlers.h"
#include "core/error.h"
#include "core/log.h"
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char cookie_name[] = "reel_token";

const char *api_json_string(json_t *body, const char *key)
{
    return json_string_value(json_object_get(body, key));
}

/* The token from "Authorization: Bearer …", else from the cookie (*cookie then). */
static const char *request_token(struct http_request *req, bool *cookie)
{
    const char *h = http_header(req, "Authorization");
    *cookie = false;
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    *cookie = true;
    return http_cookie(req, cookie_name);
}

/* Whether a request that changes something comes from a page of this server: the
 * browser's Sec-Fetch-Site says so, or its Origin names the Host asked. A browser sends
 * the cookie with a form another site posts here; it sends neither of these as that
 * site's. */
static bool same_origin(struct http_request *req)
{
    const char *m = req->method;
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0)
        return true;
    const char *site = http_header(req, "Sec-Fetch-Site");
    if (site)
        return strcmp(site, "same-origin") == 0;
    const char *origin = http_header(req, "Origin");
    const char *host = http_header(req, "Host");
    if (!origin || !host)
        return false;
    const char *rest = strncmp(origin, "http://", 7) == 0    ? origin + 7
                       : strncmp(origin, "https://", 8) == 0 ? origin + 8
                                                             : NULL;
    return rest && strcasecmp(rest, host) == 0;
}

int api_authenticate(struct http_request *req)
{
    struct app *app = req->app;
    struct user u;
    bool cookie;
    const char *token = request_token(req, &cookie);
    if (!token)
        return ERR_UNAUTHORIZED;
    if (cookie && !same_origin(req)) {
        LOG(L_WARN, "auth", "%s %s with the session cookie refused: not from this site",
            req->method, req->url);
        return ERR_CROSS_SITE;
    }
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

/* A sign-in, checked on a worker: argon2id takes tens of milliseconds of CPU and 64 MiB,
 * which on the HTTP threads held up every range request behind it. */
struct login {
    struct auth *auth;
    json_t *body; /* holds the username and password */
    const char *username, *password;
    char addr[64];
    int rc, retry;
    char token[AUTH_TOKEN_HEX + 1];
    struct user user;
};

static void check_login(void *arg)
{
    struct login *l = arg;
    l->rc = auth_login(l->auth, l->username, l->password, l->addr, l->token, &l->user, &l->retry);
}

static void free_login(void *arg)
{
    struct login *l = arg;
    json_decref(l->body);
    sodium_memzero(l, sizeof(*l));
    free(l);
}

struct http_reply api_login(struct http_request *req)
{
    struct app *app = req->app;
    struct login *l = req->state;
    if (!req->resumed || !l) {
        l = calloc(1, sizeof(*l));
        if (!l)
            return http_reply_error(-ENOMEM, NULL);
        char why[256];
        int rc = read_credentials(req, &l->body, &l->username, &l->password, why, sizeof(why));
        if (rc < 0) {
            free(l);
            return http_reply_error(rc, "%s", why);
        }
        l->auth = app->auth;
        l->rc = ERR_UNAVAILABLE; /* until checked */
        snprintf(l->addr, sizeof(l->addr), "%s", req->addr);
        return api_offload(req, check_login, l, free_login);
    }
    if (l->rc == ERR_THROTTLED)
        return http_reply_error_with(l->rc, NULL, json_pack("{si}", "retry_after", l->retry));
    if (l->rc < 0)
        return http_reply_error(l->rc, NULL);
    struct http_reply r =
        http_reply_json(200, json_pack("{ss so}", "token", l->token, "user", user_json(&l->user)));
    http_reply_header(&r, "Set-Cookie", "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
                      cookie_name, l->token, app->cfg->token_ttl,
                      app->cfg->cookie_secure ? "; Secure" : "");
    return r;
}

struct http_reply api_logout(struct http_request *req)
{
    struct app *app = req->app;
    bool cookie;
    /* ?everywhere=1: every device of the user, and every link the user was given. */
    const char *all = http_query(req, "everywhere");
    int rc = all && strcmp(all, "1") == 0 ? auth_sign_out_everywhere(app->auth, req->user_id)
                                          : auth_logout(app->auth, request_token(req, &cookie));
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
