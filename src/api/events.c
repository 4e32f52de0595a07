#include "api/handlers.h"
#include "api/input.h"
#include <errno.h>
#include <stdlib.h>

/* One Server-Sent Events stream: the response's callback reads from the subscriber, and
 * the connection is suspended while there is nothing to send. */
struct stream {
    struct http_request *req;
    struct subscriber *sub;
};

static void park(void *ctx)
{
    struct stream *s = ctx;
    http_pause(s->req);
}

static void wake(void *ctx)
{
    struct stream *s = ctx;
    http_unpause(s->req);
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *s = cls;
    return events_read(s->sub, buf, max);
}

static void end_stream(void *cls)
{
    struct stream *s = cls;
    events_unsubscribe(s->sub);
    free(s);
}

struct http_reply api_events(struct http_request *req)
{
    struct app *app = req->app;
    uint64_t last = input_last_event_id(http_header(req, "Last-Event-ID"));
    struct stream *s = calloc(1, sizeof(*s));
    if (!s)
        return http_reply_error(-ENOMEM, NULL);
    s->req = req;
    int rc = events_subscribe(app->events, req->user_id, last, park, wake, s, &s->sub);
    if (rc < 0) {
        free(s);
        return http_reply_error(rc, NULL);
    }
    return http_reply_stream("text/event-stream", read_events, end_stream, s);
}
