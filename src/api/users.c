#include "api/handlers.h"
#include "core/error.h"
#include <ctype.h>
#include <string.h>

enum { MIN_PASSWORD = 8, MAX_PASSWORD = 1024, MAX_USERNAME = 63 };

int api_users_list(struct http_request *req)
{
    struct app *app = req->app;
    json_t *users;
    int rc = store_users_json(app->store, &users);
    if (rc < 0)
        return rc;
    return http_respond_json(req, MHD_HTTP_OK, json_pack("{so}", "users", users));
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

int api_users_create(struct http_request *req)
{
    struct app *app = req->app;
    json_t *body;
    int rc = http_body_json(req, &body);
    if (rc < 0)
        return rc;
    const char *username = api_json_string(body, "username");
    const char *password = api_json_string(body, "password");
    const char *role_text = api_json_string(body, "role");
    enum role role = ROLE_USER;
    if (!username || !valid_username(username))
        rc = http_respond_error(req, ERR_BAD_REQUEST,
                                "username: 1 to 63 letters, digits or . _ - @");
    else if (!password || strlen(password) < MIN_PASSWORD || strlen(password) > MAX_PASSWORD)
        rc = http_respond_error(req, ERR_BAD_REQUEST, "password: 8 to 1024 characters");
    else if (json_object_get(body, "role") && (!role_text || role_parse(role_text, &role) < 0))
        rc = http_respond_error(req, ERR_BAD_REQUEST, "role: \"admin\" or \"user\"");
    else {
        int64_t id;
        rc = auth_user_create(app->auth, username, password, role, &id);
        if (rc == ERR_CONFLICT)
            rc = http_respond_errorf(req, rc, "A user named '%s' already exists.", username);
        else if (rc == 0)
            rc = http_respond_json(req, MHD_HTTP_CREATED,
                                   json_pack("{sI ss ss}", "id", (json_int_t)id, "username",
                                             username, "role", role_name(role)));
    }
    json_decref(body);
    return rc;
}
