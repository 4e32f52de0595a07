#include "api/api.h"
#include "core/error.h"
#include "http/file.h"
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The web app: files under the web folder, with index.html for "/" and for any path
 * without an extension (the app's own routes, such as /item/12). Nothing outside the
 * folder is reachable: ".." is refused and the resolved path must stay inside.
 */
struct http_reply api_web(struct http_request *req)
{
    struct app *app = req->app;
    const char *url = req->url;
    if (strstr(url, "..") || strlen(url) > 512)
        return http_reply_error(ERR_NO_ROUTE, NULL);
    const char *last = strrchr(url, '/');
    bool app_route = !strchr(last ? last : url, '.');
    char root[PATH_MAX], want[PATH_MAX + 600], real[PATH_MAX];
    if (!realpath(app->cfg->web, root))
        return http_reply_error(ERR_NOT_FOUND, "The web app is not installed.");
    snprintf(want, sizeof(want), "%s%s", root, app_route ? "/index.html" : url);
    if (!realpath(want, real) || strncmp(real, root, strlen(root)) != 0 ||
        real[strlen(root)] != '/')
        return http_reply_error(ERR_NO_ROUTE, NULL);
    int fd;
    struct stat st;
    if (http_file_open(real, &fd, &st) < 0)
        return http_reply_error(ERR_NO_ROUTE, NULL);
    /* Revalidated each time (a 304 when unchanged), so a new version shows at once. */
    return http_reply_file(fd, &st, http_mime_type(real), "no-cache");
}
