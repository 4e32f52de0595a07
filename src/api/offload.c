#include "api/handlers.h"
#include "core/error.h"
#include "core/workers.h"
#include <errno.h>
#include <stdlib.h>

/* The worker's side of api_offload(): the job, then the request's handler again. */
struct offload {
    struct http_request *req;
    void (*fn)(void *job);
};

static void run_offload(void *arg)
{
    struct offload *o = arg;
    o->fn(o->req->state);
    http_resume(o->req, 1);
    free(o);
}

struct http_reply api_offload(struct http_request *req, void (*fn)(void *job), void *job,
                              void (*release)(void *job))
{
    struct app *app = req->app;
    struct offload *o = malloc(sizeof(*o));
    if (!o) {
        release(job);
        return http_reply_error(-ENOMEM, NULL);
    }
    *o = (struct offload){req, fn};
    req->state = job;
    req->state_free = release;
    http_suspend(req);
    if (workers_run(app->workers, req->addr, run_offload, o) < 0) {
        /* Never queued (the server is stopping): the handler is called again at once and
         * finds the job not done. */
        free(o);
        http_resume(req, 1);
    }
    return http_reply_parked();
}
