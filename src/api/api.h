#pragma once
#include "auth/auth.h"
#include "core/config.h"
#include "hls/session.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "library/scan.h"
#include "progress/events.h"
#include "store/store.h"

/* What every handler reaches through req->app. */
struct app {
    const struct config *cfg;
    struct store *store;
    struct auth *auth;
    struct scanner *scanner;
    struct hls *hls;
    struct speeds *speeds; /* how fast this machine encodes, for the ladder */
    struct events *events;
    struct http_server *server; /* for /metrics */
    struct workers *workers;    /* slow work, off the HTTP threads (api_offload()) */
    struct storage *storage;    /* where prepared versions live */
    struct jobs *jobs;          /* the background jobs that make them */
};

extern const struct http_route api_routes[];
extern const size_t api_nroutes;

/* Serves the web app's files for paths outside /api. */
struct http_reply api_web(struct http_request *req);

/* Finds the user behind the request's Bearer token or cookie. */
int api_authenticate(struct http_request *req);
