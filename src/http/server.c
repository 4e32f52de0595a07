#include "http/server.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_config cfg;
    atomic_ulong next_id;
    atomic_uint_fast64_t by_class[6];
};

void http_suspend(struct http_request *req)
{
    req->suspended = true;
    MHD_suspend_connection(req->conn);
}

void http_resume(struct http_request *req, int why)
{
    req->wake = why;
    MHD_resume_connection(req->conn);
}

void http_pause(struct http_request *req)
{
    MHD_suspend_connection(req->conn);
}

void http_unpause(struct http_request *req)
{
    MHD_resume_connection(req->conn);
}

void http_status_counts(const struct http_server *s, uint64_t out[6])
{
    for (int i = 0; i < 6; i++)
        out[i] = atomic_load(&s->by_class[i]);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    LOG(L_WARN, "mhd", "%s", msg);
}

int http_respond(struct http_request *req, unsigned status, struct MHD_Response *r)
{
    if (!r)
        return ERR_INTERNAL;
    char id[24];
    snprintf(id, sizeof(id), "%lu", req->id);
    MHD_add_response_header(r, "X-Request-Id", id);
    req->result = MHD_queue_response(req->conn, status, r);
    MHD_destroy_response(r);
    req->queued = true;
    req->status = status;
    return req->result == MHD_YES ? 0 : ERR_INTERNAL;
}

struct MHD_Response *http_json_response(json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return NULL;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    return r;
}

int http_respond_json(struct http_request *req, unsigned status, json_t *body)
{
    return http_respond(req, status, http_json_response(body));
}

int http_respond_error(struct http_request *req, int err, const char *message)
{
    unsigned status = err_status(err);
    if (status >= 500)
        LOG(L_ERROR, "http", "%s %s: %s", req->method, req->url,
            message ? message : err_message(err));
    return http_respond_json(req, status,
                             json_pack("{ss ss}", "error", err_name(err), "message",
                                       message ? message : err_message(err)));
}

int http_respond_errorf(struct http_request *req, int err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return http_respond_error(req, err, msg);
}

const char *http_header(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

int http_param_id(struct http_request *req, size_t i, int64_t *out)
{
    uint64_t v;
    if (i >= HTTP_MAX_PARAMS || str_to_u64(req->params[i], INT64_MAX, &v) < 0 || v == 0)
        return ERR_NOT_FOUND;
    *out = (int64_t)v;
    return 0;
}

int http_body_json(struct http_request *req, json_t **out)
{
    json_error_t e;
    json_t *j = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        http_respond_errorf(req, ERR_BAD_JSON, "The request body is not valid JSON: %s (line %d)",
                            e.text, e.line);
        return ERR_BAD_JSON;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        http_respond_error(req, ERR_BAD_JSON, "The request body must be a JSON object.");
        return ERR_BAD_JSON;
    }
    *out = j;
    return 0;
}

/* Matches path against pattern, segment by segment; ":name" takes any one segment. */
static bool match(const char *pattern, const char *path, struct http_request *req)
{
    size_t nparams = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return false;
        p++;
        u++;
        size_t plen = strcspn(p, "/"), ulen = strcspn(u, "/");
        if (*p == ':') {
            if (ulen == 0 || nparams == HTTP_MAX_PARAMS)
                return false;
            req->params[nparams++] = (struct str){u, ulen};
        } else if (plen != ulen || memcmp(p, u, plen) != 0) {
            return false;
        }
        p += plen;
        u += ulen;
    }
    return !*p && !*u;
}

static bool method_is(const struct http_route *r, const char *method)
{
    return strcmp(r->method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

static int dispatch(struct http_server *s, struct http_request *req)
{
    if (req->too_big)
        return ERR_TOO_BIG;
    bool path_matched = false;
    for (size_t i = 0; i < s->cfg.nroutes; i++) {
        const struct http_route *r = &s->cfg.routes[i];
        if (!match(r->pattern, req->url, req))
            continue;
        path_matched = true;
        if (!method_is(r, req->method))
            continue;
        req->route = r;
        break;
    }
    if (!req->route) {
        if (path_matched)
            return ERR_METHOD;
        if (s->cfg.fallback && (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD")) &&
            strncmp(req->url, "/api/", 5) != 0)
            return s->cfg.fallback(req);
        return ERR_NO_ROUTE;
    }
    if (req->route->auth != HTTP_PUBLIC) {
        int rc = s->cfg.authenticate(req);
        if (rc < 0)
            return rc;
        if (req->route->auth == HTTP_ADMIN && !req->admin)
            return ERR_FORBIDDEN;
    }
    return req->route->handler(req);
}

static void answer(struct http_server *s, struct http_request *req)
{
    req->dispatched = true;
    log_request_id = req->id;
    int rc = dispatch(s, req);
    if (rc < 0 && !req->queued) {
        if (req->suspended) {
            /* A handler that parked the request cannot also fail it. */
            LOG(L_ERROR, "http", "%s %s: failed after suspending", req->method, req->url);
        } else {
            http_respond_error(req, rc, NULL);
        }
    }
    if (!req->queued && !req->suspended)
        LOG(L_ERROR, "http", "%s %s: the handler queued no response", req->method, req->url);
    log_request_id = 0;
}

/* What to tell libmicrohttpd after a handler ran: a parked request stays open. */
static enum MHD_Result outcome(const struct http_request *req)
{
    if (req->queued)
        return req->result;
    return req->suspended ? MHD_YES : MHD_NO;
}

static bool has_body(struct http_request *req, struct http_server *s)
{
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (http_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING))
        return true;
    if (!cl)
        return false;
    uint64_t n;
    if (str_to_u64(str_from(cl), UINT64_MAX / 2, &n) < 0 || n > s->cfg.max_body)
        req->too_big = true;
    return n > 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **ctx)
{
    (void)version;
    struct http_server *s = cls;
    struct http_request *req = *ctx;

    if (!req) {
        req = calloc(1, sizeof(*req));
        if (!req)
            return MHD_NO;
        *ctx = req;
        req->conn = conn;
        req->url = url;
        req->method = method;
        req->app = s->cfg.app;
        req->id = atomic_fetch_add(&s->next_id, 1) + 1;
        req->start_us = clock_mono_us();
        buf_init(&req->body, s->cfg.max_body);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->addr,
                          sizeof(req->addr));
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->addr,
                          sizeof(req->addr));
        }
        /* libmicrohttpd closes the connection after a response queued in this first call,
         * so even a request without a body is answered on the next one. A body declared
         * too big is refused before it is read. */
        if (has_body(req, s) && req->too_big) {
            answer(s, req);
            return outcome(req);
        }
        return MHD_YES;
    }

    if (req->dispatched && req->suspended && !req->queued) {
        /* Resumed: the handler runs again and now answers (or parks the request again). */
        req->suspended = false;
        req->resumed = true;
        req->route = NULL;
        answer(s, req);
        return outcome(req);
    }
    if (req->dispatched)
        return MHD_YES; /* the rest of the body of a request answered early */

    if (*upload_size) {
        if (!req->too_big && buf_append(&req->body, upload_data, *upload_size) < 0) {
            req->too_big = true;
            buf_release(&req->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    answer(s, req);
    return outcome(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct http_request *req = *ctx;
    if (!req)
        return;
    log_request_id = req->id;
    int64_t us = clock_mono_us() - req->start_us;
    struct http_server *s = cls;
    atomic_fetch_add(&s->by_class[req->status / 100 < 6 ? req->status / 100 : 0], 1);
    LOG(L_DEBUG, "http", "%s %s %u %.1fms%s", req->method, req->url, req->status, us / 1000.0,
        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
    log_request_id = 0;
    buf_release(&req->body);
    free(req);
    *ctx = NULL;
}

/* Parses "host:port" or "[v6]:port". */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6)
{
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return -EINVAL;
    uint64_t port;
    if (str_to_u64(str_from(colon + 1), 65535, &port) < 0)
        return -EINVAL;
    char host[64];
    memset(ss, 0, sizeof(*ss));
    if (listen[0] == '[') {
        if (colon - listen < 3 || colon[-1] != ']' || (size_t)(colon - listen) > sizeof(host))
            return -EINVAL;
        snprintf(host, sizeof(host), "%.*s", (int)(colon - listen - 2), listen + 1);
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *v6 = true;
        return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -EINVAL;
    }
    if ((size_t)(colon - listen) >= sizeof(host))
        return -EINVAL;
    snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *v6 = false;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -EINVAL;
}

int http_server_start(struct http_server **out, const struct http_config *cfg)
{
    struct sockaddr_storage ss;
    bool v6;
    if (parse_listen(cfg->listen, &ss, &v6) < 0) {
        LOG(L_ERROR, "http", "cannot listen on '%s': expected address:port", cfg->listen);
        return -EINVAL;
    }
    struct http_server *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->cfg = *cfg;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        cfg->max_header, MHD_OPTION_CONNECTION_LIMIT, (unsigned)8192,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        s, MHD_OPTION_END);
    if (!s->daemon) {
        LOG(L_ERROR, "http", "cannot listen on '%s': %s", cfg->listen, strerror(errno));
        int rc = errno ? -errno : -EADDRINUSE;
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

uint16_t http_server_port(const struct http_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
