#include "api/handlers.h"
#include "core/error.h"
#include <ctype.h>
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

struct http_reply api_users_create(struct http_request *req)
{
    struct app *app = req->app;
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
    const char *username = api_json_string(body, "username");
    int64_t id;
    rc = auth_user_create(app->auth, username, api_json_string(body, "password"), role, &id);
    struct http_reply r =
        rc == ERR_CONFLICT ? http_reply_error(rc, "A user named '%s' already exists.", username)
        : rc < 0           ? http_reply_error(rc, NULL)
                 : http_reply_json(201, json_pack("{sI ss ss}", "id", (json_int_t)id, "username",
                                                  username, "role", role_name(role)));
    json_decref(body);
    return r;
}
