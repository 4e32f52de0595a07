#include "http/server.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "http/file.h"
#include "http/route.h"
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utlist.h>

enum { MAX_TRUSTED = 16 };

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_config cfg;
    /* Paused streams' sockets, watched for the client hanging up (libmicrohttpd does not
     * poll a suspended connection), and the thread that watches them. */
    pthread_mutex_t watch_lock;
    int watch_ep, watch_stop;
    pthread_t watcher;
    bool watching;
    /* Every connection, for the request deadline; under watch_lock. */
    struct tracked *conns;
    char trusted[MAX_TRUSTED][INET6_ADDRSTRLEN]; /* cfg.trusted_proxies, canonical */
    size_t ntrusted;
    atomic_ulong next_id;
    atomic_uint_fast64_t by_class[6];
    char csp[1024]; /* the Content-Security-Policy of every response */
};

/* A connection, from its start: a request head and body that take longer than the request
 * timeout to come end it. libmicrohttpd's own timeout restarts with every byte, so a head
 * sent a byte a second never ended, and 8,300 such connections kept everyone out. */
struct tracked {
    struct tracked *prev, *next;
    int fd;
    int64_t deadline_ms; /* INT64_MAX while a request is being answered */
    bool cut;
};

/* What the server keeps of a request; the handler sees only req, its first member. */
struct ctx {
    struct http_request req;
    struct MHD_Connection *conn;
    struct http_server *server;
    bool suspended;
    bool paused;         /* a stream paused by http_pause(), its socket watched; under watch_lock */
    atomic_bool hung_up; /* its client went while it was paused: read on every stream read */
    bool answered;       /* a response is queued */
    bool too_big;
    bool dispatched;
    int64_t start_us;
    unsigned status;
    enum MHD_Result result;
};

static struct ctx *ctx_of(struct http_request *req)
{
    return (struct ctx *)req;
}

void http_suspend(struct http_request *req)
{
    struct ctx *c = ctx_of(req);
    c->suspended = true;
    MHD_suspend_connection(c->conn);
}

void http_resume(struct http_request *req, int why)
{
    req->wake = why;
    MHD_resume_connection(ctx_of(req)->conn);
}

static int connection_fd(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci ? ci->connect_fd : -1;
}

void http_pause(struct http_request *req)
{
    struct ctx *c = ctx_of(req);
    struct http_server *s = c->server;
    pthread_mutex_lock(&s->watch_lock);
    MHD_suspend_connection(c->conn);
    c->paused = true;
    struct epoll_event ev = {.events = EPOLLRDHUP, .data.ptr = c};
    int fd = connection_fd(c->conn);
    if (s->watching && fd >= 0 && epoll_ctl(s->watch_ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        LOG(L_WARN, "http", "cannot watch a paused stream: %s", strerror(errno));
    pthread_mutex_unlock(&s->watch_lock);
}

/* Called with watch_lock held. */
static void unwatch(struct ctx *c)
{
    int fd = connection_fd(c->conn);
    if (c->server->watching && fd >= 0)
        epoll_ctl(c->server->watch_ep, EPOLL_CTL_DEL, fd, NULL);
    c->paused = false;
}

void http_unpause(struct http_request *req)
{
    struct ctx *c = ctx_of(req);
    pthread_mutex_lock(&c->server->watch_lock);
    if (c->paused) {
        unwatch(c);
        MHD_resume_connection(c->conn);
    }
    pthread_mutex_unlock(&c->server->watch_lock);
}

/* Cuts the connections past their deadline; called with watch_lock held. Shutting the
 * socket makes libmicrohttpd see the end and close it; the entry goes when it does. */
static void cut_late(struct http_server *s)
{
    int64_t now = clock_mono_ms();
    for (struct tracked *t = s->conns; t; t = t->next) {
        if (t->cut || now < t->deadline_ms)
            continue;
        t->cut = true;
        shutdown(t->fd, SHUT_RDWR);
    }
}

/* A paused stream whose client hung up is resumed, so that its body ends now rather than
 * at the next event or ping: one client opening and dropping event streams held
 * thousands of connections. */
static void *watch(void *arg)
{
    struct http_server *s = arg;
    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(s->watch_ep, evs, 64, 250);
        pthread_mutex_lock(&s->watch_lock);
        cut_late(s);
        bool stop = false;
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &s->watch_stop) {
                stop = true;
                continue;
            }
            struct ctx *c = evs[i].data.ptr;
            if (!c->paused)
                continue;
            atomic_store(&c->hung_up, true);
            unwatch(c);
            MHD_resume_connection(c->conn);
        }
        pthread_mutex_unlock(&s->watch_lock);
        if (stop)
            return NULL;
    }
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
    /* A stream ended as failed: its client went, or its encoder run did, which the
     * handlers log themselves. */
    bool ours = strstr(msg, "application error generating response") != NULL;
    LOG(ours ? L_DEBUG : L_WARN, "mhd", "%s", msg);
}

/* A STREAM reply's callback and context, owned by the response. */
struct stream {
    http_stream_read read;
    http_stream_free release;
    void *ctx;
    struct ctx *c;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream *st = cls;
    ssize_t n =
        atomic_load(&st->c->hung_up) ? HTTP_STREAM_FAILED : st->read(st->ctx, pos, out, max);
    if (n == HTTP_STREAM_FAILED) {
        /* libmicrohttpd in turbo mode closes the socket only when its thread next wakes,
         * which may be a connection timeout away: the client is told now. */
        int fd = connection_fd(st->c->conn);
        if (fd >= 0)
            shutdown(fd, SHUT_RDWR);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    if (st->release)
        st->release(st->ctx);
    free(st);
}

/* The response for a reply, taking over what the body holds; NULL when memory runs out. */
static struct MHD_Response *body_response(struct http_reply *r, struct ctx *c)
{
    struct MHD_Response *resp = NULL;
    switch (r->body) {
    case HTTP_BODY_NONE:
    case HTTP_BODY_PARKED:
        return MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    case HTTP_BODY_BUFFER:
        resp = MHD_create_response_from_buffer(r->len, r->data, MHD_RESPMEM_MUST_FREE);
        if (resp)
            r->data = NULL;
        return resp;
    case HTTP_BODY_FILE:
        resp = MHD_create_response_from_fd_at_offset64(r->length, r->fd, (int64_t)r->offset);
        if (resp)
            r->fd = -1;
        return resp;
    case HTTP_BODY_STREAM: {
        struct stream *st = malloc(sizeof(*st));
        if (!st)
            return NULL;
        *st = (struct stream){r->read, r->release, r->ctx, c};
        resp = MHD_create_response_from_callback(r->length, r->block, stream_read, st, stream_free);
        if (!resp) {
            free(st);
            return NULL;
        }
        r->release = NULL;
        return resp;
    }
    }
    return NULL;
}

static struct MHD_Response *make_response(struct ctx *c, struct http_reply *r)
{
    struct MHD_Response *resp = body_response(r, c);
    if (!resp) {
        http_reply_release(r);
        *r = http_reply_no_memory();
        resp = body_response(r, c);
        if (!resp)
            return NULL;
    }
    if (r->type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
    if (r->cache)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache);
    for (size_t i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    char id[24];
    snprintf(id, sizeof(id), "%lu", c->req.id);
    MHD_add_response_header(resp, "X-Request-Id", id);
    /* Nothing is taken for another type than it says, framed by another site, or told
     * where it came from; the web app runs only its own scripts (hls.js's worker and
     * Media Source come as blob: URLs), and styles only from its sheet or its scripts;
     * media comes from Reel or the object store it names (http_server_start()). */
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Content-Security-Policy", c->server->csp);
    return resp;
}

/* Queues the reply and releases it. */
static void send_reply(struct ctx *c, struct http_reply *r)
{
    if (r->body == HTTP_BODY_FILE)
        http_file_resolve(&c->req, r);
    uint64_t bytes = r->body == HTTP_BODY_BUFFER ? r->len
                     : r->body == HTTP_BODY_FILE || r->body == HTTP_BODY_STREAM
                         ? (r->length == UINT64_MAX ? 0 : r->length)
                         : 0;
    struct MHD_Response *resp = make_response(c, r);
    c->answered = true;
    c->status = r->status;
    c->result = resp ? MHD_queue_response(c->conn, r->status, resp) : MHD_NO;
    if (resp)
        MHD_destroy_response(resp);
    if (c->result == MHD_YES && r->sent)
        atomic_fetch_add(r->sent, bytes);
    http_reply_release(r);
}

int http_body_json(struct http_request *req, json_t **out, char *why, size_t size)
{
    /* Only JSON said to be JSON: a form or text/plain body is what a page of another site
     * can send without asking (CSRF), and a browser asks first for application/json. */
    const char *type = http_header(req, "Content-Type");
    size_t n = strlen("application/json");
    if (!type || strncasecmp(type, "application/json", n) != 0 ||
        (type[n] && type[n] != ';' && type[n] != ' ')) {
        snprintf(why, size, "Send the body as application/json (it came as %s).",
                 type ? type : "no Content-Type");
        return ERR_MEDIA_TYPE;
    }
    json_error_t e;
    json_t *j = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        snprintf(why, size, "The request body is not valid JSON: %s (line %d)", e.text, e.line);
        return ERR_BAD_JSON;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        snprintf(why, size, "The request body must be a JSON object.");
        return ERR_BAD_JSON;
    }
    *out = j;
    return 0;
}

const char *http_header(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(ctx_of(req)->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(ctx_of(req)->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(ctx_of(req)->conn, MHD_COOKIE_KIND, name);
}

int http_param_id(struct http_request *req, size_t i, int64_t *out)
{
    uint64_t v;
    if (i >= HTTP_MAX_PARAMS || str_to_u64(req->params[i], INT64_MAX, &v) < 0 || v == 0)
        return ERR_NOT_FOUND;
    *out = (int64_t)v;
    return 0;
}

static bool method_is(const struct http_route *r, const char *method)
{
    return strcmp(r->method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

static struct http_reply dispatch(struct http_server *s, struct ctx *c)
{
    struct http_request *req = &c->req;
    if (c->too_big)
        return http_reply_error(ERR_TOO_BIG, NULL);
    const struct http_route *route = NULL;
    bool path_matched = false;
    for (size_t i = 0; i < s->cfg.nroutes && !route; i++) {
        const struct http_route *r = &s->cfg.routes[i];
        if (route_match(r->pattern, req->url, req->params, HTTP_MAX_PARAMS) < 0)
            continue;
        path_matched = true;
        if (method_is(r, req->method))
            route = r;
    }
    if (!route) {
        if (path_matched)
            return http_reply_error(ERR_METHOD, NULL);
        if (s->cfg.fallback && (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD")) &&
            strncmp(req->url, "/api/", 5) != 0)
            return s->cfg.fallback(req);
        return http_reply_error(ERR_NO_ROUTE, NULL);
    }
    if (route->auth != HTTP_PUBLIC) {
        int rc = s->cfg.authenticate(req);
        if (rc < 0)
            return http_reply_error(rc, NULL);
        if (route->auth == HTTP_ADMIN && !req->admin)
            return http_reply_error(ERR_FORBIDDEN, NULL);
    }
    return route->handler(req);
}

/* Runs the handler and queues its reply; a parked request stays open. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    pthread_mutex_lock(&s->watch_lock);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct tracked *t = calloc(1, sizeof(*t));
        if (t) {
            t->fd = connection_fd(conn);
            t->deadline_ms = clock_mono_ms() + (int64_t)s->cfg.request_timeout_s * 1000;
            DL_PREPEND(s->conns, t);
        }
        *socket_ctx = t;
    } else if (*socket_ctx) {
        struct tracked *t = *socket_ctx;
        DL_DELETE(s->conns, t);
        free(t);
        *socket_ctx = NULL;
    }
    pthread_mutex_unlock(&s->watch_lock);
}

/* A request has all come (no deadline while it is answered), or one has been answered
 * (the next must come within the timeout). */
static void set_deadline(struct http_server *s, struct MHD_Connection *conn, bool answering)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pthread_mutex_lock(&s->watch_lock);
    struct tracked *t = ci ? ci->socket_context : NULL;
    if (t)
        t->deadline_ms =
            answering ? INT64_MAX : clock_mono_ms() + (int64_t)s->cfg.request_timeout_s * 1000;
    pthread_mutex_unlock(&s->watch_lock);
}

static enum MHD_Result answer(struct http_server *s, struct ctx *c)
{
    if (!c->dispatched)
        set_deadline(s, c->conn, true);
    c->dispatched = true;
    log_request_id = c->req.id;
    struct http_reply r = dispatch(s, c);
    if (r.body == HTTP_BODY_PARKED && !c->suspended) {
        LOG(L_ERROR, "http", "%s %s: parked without suspending", c->req.method, c->req.url);
        r = http_reply_error(ERR_INTERNAL, NULL);
    } else if (r.body != HTTP_BODY_PARKED && c->suspended) {
        /* A handler that parked the request cannot also answer it now. */
        LOG(L_ERROR, "http", "%s %s: answered after suspending", c->req.method, c->req.url);
        http_reply_release(&r);
        log_request_id = 0;
        return MHD_YES;
    }
    enum MHD_Result result = MHD_YES;
    if (r.body != HTTP_BODY_PARKED) {
        send_reply(c, &r);
        result = c->result;
    }
    log_request_id = 0;
    return result;
}

static bool has_body(struct ctx *c, struct http_server *s)
{
    if (http_header(&c->req, MHD_HTTP_HEADER_TRANSFER_ENCODING))
        return true;
    const char *cl = http_header(&c->req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return false;
    uint64_t n = 0;
    if (str_to_u64(str_from(cl), UINT64_MAX / 2, &n) < 0 || n > s->cfg.max_body) {
        c->too_big = true;
        return true;
    }
    return n > 0;
}

/* An address in its one textual form ("::ffff:1.2.3.4" and "1.2.3.4" stay apart), or false
 * when text is none. */
static bool canonical_address(const char *text, size_t len, char out[INET6_ADDRSTRLEN])
{
    char a[INET6_ADDRSTRLEN];
    while (len && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof(a))
        return false;
    memcpy(a, text, len);
    a[len] = '\0';
    unsigned char bin[16];
    if (inet_pton(AF_INET, a, bin) == 1)
        return inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN) != NULL;
    if (inet_pton(AF_INET6, a, bin) == 1)
        return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) != NULL;
    return false;
}

static bool trusted(const struct http_server *s, const char *addr)
{
    for (size_t i = 0; i < s->ntrusted; i++)
        if (strcmp(s->trusted[i], addr) == 0)
            return true;
    return false;
}

/* The peer's address; behind a trusted proxy, the last address in X-Forwarded-For that is
 * not a trusted proxy itself (what came before it, the client could have written). */
static void client_address(const struct http_server *s, struct MHD_Connection *conn, char *out,
                           size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
    if (!trusted(s, out))
        return;
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    for (size_t end = xff ? strlen(xff) : 0; end > 0;) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char a[INET6_ADDRSTRLEN];
        if (!canonical_address(xff + start, end - start, a))
            return; /* not an address: keep the proxy's */
        snprintf(out, size, "%s", a);
        if (!trusted(s, a))
            return;
        end = start ? start - 1 : 0;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **ctx)
{
    (void)version;
    struct http_server *s = cls;
    struct ctx *c = *ctx;

    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c)
            return MHD_NO;
        *ctx = c;
        c->conn = conn;
        c->server = s;
        c->req.url = url;
        c->req.method = method;
        c->req.app = s->cfg.app;
        c->req.id = atomic_fetch_add(&s->next_id, 1) + 1;
        c->start_us = clock_mono_us();
        buf_init(&c->req.body, s->cfg.max_body);
        client_address(s, conn, c->req.addr, sizeof(c->req.addr));
        /* libmicrohttpd closes the connection after a response queued in this first call,
         * so even a request without a body is answered on the next one. A body declared
         * too big is refused before it is read. */
        if (has_body(c, s) && c->too_big)
            return answer(s, c);
        return MHD_YES;
    }

    if (c->dispatched && c->suspended && !c->answered) {
        /* Resumed: the handler runs again and now answers (or parks the request again). */
        c->suspended = false;
        c->req.resumed = true;
        return answer(s, c);
    }
    if (c->dispatched)
        return MHD_YES; /* the rest of the body of a request answered early */

    if (*upload_size) {
        if (!c->too_big && buf_append(&c->req.body, upload_data, *upload_size) < 0) {
            c->too_big = true;
            buf_release(&c->req.body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(s, c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    struct ctx *c = *ctx;
    if (!c)
        return;
    set_deadline(cls, conn, false);
    log_request_id = c->req.id;
    int64_t us = clock_mono_us() - c->start_us;
    struct http_server *s = cls;
    atomic_fetch_add(&s->by_class[c->status / 100 < 6 ? c->status / 100 : 0], 1);
    LOG(L_DEBUG, "http", "%s %s %u %.1fms%s", c->req.method, c->req.url, c->status, us / 1000.0,
        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
    log_request_id = 0;
    pthread_mutex_lock(&s->watch_lock);
    if (c->paused)
        unwatch(c);
    pthread_mutex_unlock(&s->watch_lock);
    if (c->req.state_free)
        c->req.state_free(c->req.state);
    buf_release(&c->req.body);
    free(c);
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

static void stop_watching(struct http_server *s)
{
    if (s->watching) {
        uint64_t one = 1;
        if (write(s->watch_stop, &one, sizeof(one)) < 0)
            LOG(L_WARN, "http", "cannot stop the watcher: %s", strerror(errno));
        pthread_join(s->watcher, NULL);
    }
    if (s->watch_ep >= 0)
        close(s->watch_ep);
    if (s->watch_stop >= 0)
        close(s->watch_stop);
    pthread_mutex_destroy(&s->watch_lock);
}

/* The watcher: a stream keeps working without it, only hang-ups are noticed later. */
static void start_watching(struct http_server *s)
{
    pthread_mutex_init(&s->watch_lock, NULL);
    s->watch_ep = epoll_create1(EPOLL_CLOEXEC);
    s->watch_stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->watch_stop};
    s->watching = s->watch_ep >= 0 && s->watch_stop >= 0 &&
                  epoll_ctl(s->watch_ep, EPOLL_CTL_ADD, s->watch_stop, &ev) == 0 &&
                  pthread_create(&s->watcher, NULL, watch, s) == 0;
    if (!s->watching)
        LOG(L_WARN, "http", "cannot watch paused streams: %s", strerror(errno));
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
    const char *media = cfg->media_origin ? cfg->media_origin : "";
    snprintf(s->csp, sizeof(s->csp),
             "default-src 'self'; script-src 'self'; style-src 'self'; "
             "img-src 'self' data: blob:; media-src 'self' blob:%s%s; "
             "worker-src 'self' blob:; connect-src 'self'%s%s; object-src 'none'; "
             "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
             *media ? " " : "", media, *media ? " " : "", media);
    start_watching(s);
    for (const char *p = cfg->trusted_proxies; p && *p;) {
        size_t n = strcspn(p, ",");
        if (s->ntrusted == MAX_TRUSTED || !canonical_address(p, n, s->trusted[s->ntrusted])) {
            LOG(L_ERROR, "http", "trusted-proxies: '%.*s' is not an address (at most %d)", (int)n,
                p, MAX_TRUSTED);
            stop_watching(s);
            free(s);
            return -EINVAL;
        }
        s->ntrusted++;
        p += n + (p[n] == ',');
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        cfg->max_header, MHD_OPTION_CONNECTION_LIMIT, (unsigned)8192,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        cfg->per_address_limit, MHD_OPTION_END);
    if (!s->daemon) {
        LOG(L_ERROR, "http", "cannot listen on '%s': %s", cfg->listen, strerror(errno));
        int rc = errno ? -errno : -EADDRINUSE;
        stop_watching(s);
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
    stop_watching(s);
    free(s);
}
