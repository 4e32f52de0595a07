#pragma once
#include "core/buf.h"
#include "core/compat.h"
#include "core/str.h"
#include "http/reply.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The HTTP server: libmicrohttpd with its internal epoll thread pool, a route table, body
 * and header limits, JSON errors and a request id on every log line. It knows nothing of
 * Reel's resources: the API layer hands it the routes and an authenticator. It is the only
 * code that speaks libmicrohttpd: a handler gets a parsed request and returns a reply.
 */

enum { HTTP_MAX_PARAMS = 4 };

enum http_auth { HTTP_PUBLIC, HTTP_USER, HTTP_ADMIN };

/* One request as a handler sees it. Every field is the handler's to read. */
struct http_request {
    const char *method;
    const char *url;
    unsigned long id;
    struct str params[HTTP_MAX_PARAMS]; /* the ":name" parts of the route, in order */
    struct buf body;
    char addr[64]; /* the client's address */
    void *app;     /* the server's cls, for handlers */

    /* Set by the authenticator for routes that need a user. */
    int64_t user_id;
    char username[64];
    bool admin;
    /* Set when a signed link let the request in (api/links.c): the one file it may reach,
     * and what its URLs start with instead of "/api/v1" ("/s/<token>"). */
    int64_t link_file;
    char link_base[192];

    /* After http_resume(): why, as the caller put it; 0 on the first call. */
    int wake;
    bool resumed;

    /* What a handler keeps across a suspension; state_free(state) runs when the request
     * ends, however it ends. */
    void *state;
    void (*state_free)(void *state);
};

/* Returns the answer; HTTP_BODY_PARKED after http_suspend(). */
typedef struct http_reply (*http_handler)(struct http_request *req);

struct http_route {
    const char *method;  /* "GET" also answers HEAD */
    const char *pattern; /* "/api/v1/items/:id" */
    http_handler handler;
    enum http_auth auth;
};

struct http_config {
    const char *listen; /* "127.0.0.1:8600", "[::1]:8600"; port 0 picks a free one */
    unsigned threads;
    size_t max_body;
    size_t max_header;
    unsigned timeout_s;         /* idle: between the bytes of a connection */
    unsigned request_timeout_s; /* for a request's head and body, all of it */
    unsigned per_address_limit; /* connections from one address at once; 0: no limit */
    /* Addresses of reverse proxies, comma-separated: from these only, the client's address
     * is taken from X-Forwarded-For. NULL or "" for none. */
    const char *trusted_proxies;
    /* Another origin the web app fetches media from (an object store's), or NULL. */
    const char *media_origin;
    const struct http_route *routes;
    size_t nroutes;
    /* Fills req->user_id and req->admin, or returns a negative error (ERR_UNAUTHORIZED). */
    int (*authenticate)(struct http_request *req);
    /* Answers a GET that matched no route (static files); NULL for a JSON 404. */
    http_handler fallback;
    void *app;
};

struct http_server;

int http_server_start(struct http_server **out, const struct http_config *cfg) WUR;
uint16_t http_server_port(const struct http_server *s);
/* Stops accepting, closes every connection and frees the server. Accepts NULL. */
void http_server_stop(struct http_server *s);

/*
 * Parks the request: the handler then returns http_reply_parked(), and no thread waits.
 * http_resume() (from any thread) makes the server call the handler again, with
 * req->resumed set and req->wake = why.
 */
void http_suspend(struct http_request *req);
void http_resume(struct http_request *req, int why);

/* For a STREAM reply whose owner has nothing to send yet: stop asking its callback until
 * http_unpause(). Both are for the stream's own owner to call. */
void http_pause(struct http_request *req);
void http_unpause(struct http_request *req);

/* Responses sent so far by status class: [1] counts 1xx … [5] counts 5xx. */
void http_status_counts(const struct http_server *s, uint64_t out[6]);

/* Request inputs. None of these answers: a failure is an error code, and a message for the
 * client in why (at most size bytes) where one helps. */
/* The body as a JSON object: ERR_BAD_JSON when it is not one. */
int http_body_json(struct http_request *req, json_t **out, char *why, size_t size) WUR;
const char *http_header(struct http_request *req, const char *name);
const char *http_query(struct http_request *req, const char *name);
const char *http_cookie(struct http_request *req, const char *name);
/* Route parameter i as a positive id; ERR_NOT_FOUND when it is not one. */
int http_param_id(struct http_request *req, size_t i, int64_t *out) WUR;
