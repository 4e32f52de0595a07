#include "api/handlers.h"
#include "core/str.h"
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
    long n = events_read(s->sub, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void end_stream(void *cls)
{
    struct stream *s = cls;
    events_unsubscribe(s->sub);
    free(s);
}

int api_events(struct http_request *req)
{
    struct app *app = req->app;
    uint64_t last = 0;
    const char *h = http_header(req, "Last-Event-ID");
    if (h && str_to_u64(str_from(h), UINT64_MAX / 2, &last) < 0)
        last = 0;
    struct stream *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->req = req;
    int rc = events_subscribe(app->events, req->user_id, last, park, wake, s, &s->sub);
    if (rc < 0) {
        free(s);
        return rc;
    }
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, read_events, s, end_stream);
    if (!r) {
        end_stream(s);
        return -ENOMEM;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return http_respond(req, MHD_HTTP_OK, r);
}
