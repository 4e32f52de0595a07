#include "api/handlers.h"
#include "core/error.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { MIN_PASSWORD = 8, MAX_PASSWORD = 1024, MAX_USERNAME = 63 };

struct http_reply api_users_list(struct http_request *req)
{
    struct app *app = req->app;
    struct user *users;
    size_t n;
    int rc = store_users_list(app->store, &users, &n);
    if (rc < 0)
        return http_reply_error(rc, NULL);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{sI ss ss sI}", "id", (json_int_t)users[i].id, "username",
                                        users[i].username, "role", role_name(users[i].role),
                                        "created_at", (json_int_t)users[i].created_at));
    free(users);
    return http_reply_json(200, json_pack("{so}", "users", list));
}

static bool valid_username(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_USERNAME)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._-@", s[i]))
            return false;
    return true;
}

/* Checks a new user's fields; why says what is wrong. */
static int check_user(json_t *body, enum role *role, char *why, size_t size)
{
    const char *username = api_json_string(body, "username");
    const char *password = api_json_string(body, "password");
    const char *role_text = api_json_string(body, "role");
    *role = ROLE_USER;
    if (!username || !valid_username(username))
        snprintf(why, size, "username: 1 to 63 letters, digits or . _ - @");
    else if (!password || strlen(password) < MIN_PASSWORD || strlen(password) > MAX_PASSWORD)
        snprintf(why, size, "password: 8 to 1024 characters");
    else if (json_object_get(body, "role") && (!role_text || role_parse(role_text, role) < 0))
        snprintf(why, size, "role: \"admin\" or \"user\"");
    else
        return 0;
    return ERR_BAD_REQUEST;
}

/* A new user, whose password is hashed on a worker (see api_login()). */
struct new_user {
    struct auth *auth;
    json_t *body;
    enum role role;
    int rc;
    int64_t id;
};

static void create_user(void *arg)
{
    struct new_user *n = arg;
    n->rc = auth_user_create(n->auth, api_json_string(n->body, "username"),
                             api_json_string(n->body, "password"), n->role, &n->id);
}

static void free_new_user(void *arg)
{
    struct new_user *n = arg;
    json_decref(n->body);
    free(n);
}

struct http_reply api_users_create(struct http_request *req)
{
    struct app *app = req->app;
    struct new_user *n = req->state;
    if (!req->resumed || !n) {
        json_t *body;
        char why[256];
        enum role role;
        int rc = http_body_json(req, &body, why, sizeof(why));
        if (rc == 0) {
            rc = check_user(body, &role, why, sizeof(why));
            if (rc < 0)
                json_decref(body);
        }
        if (rc < 0)
            return http_reply_error(rc, "%s", why);
        n = calloc(1, sizeof(*n));
        if (!n) {
            json_decref(body);
            return http_reply_error(-ENOMEM, NULL);
        }
        *n = (struct new_user){app->auth, body, role, ERR_UNAVAILABLE, 0};
        return api_offload(req, create_user, n, free_new_user);
    }
    const char *username = api_json_string(n->body, "username");
    if (n->rc == ERR_CONFLICT)
        return http_reply_error(n->rc, "A user named '%s' already exists.", username);
    if (n->rc < 0)
        return http_reply_error(n->rc, NULL);
    return http_reply_json(201, json_pack("{sI ss ss}", "id", (json_int_t)n->id, "username",
                                          username, "role", role_name(n->role)));
}
