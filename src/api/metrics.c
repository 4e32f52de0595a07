#include "api/handlers.h"
#include "core/buf.h"
#include "core/error.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
           strcmp(addr, "::ffff:127.0.0.1") == 0;
}

static int histogram(struct buf *b, const char *name, const char *help, const int64_t *counts,
                     int64_t count, double sum)
{
    int rc = buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (int i = 0; i < 9 && rc == 0; i++)
        rc = buf_printf(b, "%s_bucket{le=\"%g\"} %lld\n", name, hls_buckets[i],
                        (long long)counts[i]);
    if (rc == 0)
        rc = buf_printf(b, "%s_bucket{le=\"+Inf\"} %lld\n%s_sum %.6f\n%s_count %lld\n", name,
                        (long long)counts[9], name, sum, name, (long long)count);
    return rc;
}

struct http_reply api_metrics(struct http_request *req)
{
    struct app *app = req->app;
    if (!loopback(req->addr)) {
        int rc = api_authenticate(req);
        if (rc < 0)
            return http_reply_error(rc, NULL);
        if (!req->admin)
            return http_reply_error(ERR_FORBIDDEN, NULL);
    }
    struct hls_stats st;
    hls_stats(app->hls, &st);
    uint64_t classes[6];
    http_status_counts(app->server, classes);

    struct buf b;
    buf_init(&b, 1 << 20);
    int rc = buf_printf(
        &b,
        "# HELP reel_hls_sessions HLS sessions open.\n# TYPE reel_hls_sessions gauge\n"
        "reel_hls_sessions %lld\n"
        "# HELP reel_hls_encoders ffmpeg processes encoding.\n# TYPE reel_hls_encoders gauge\n"
        "reel_hls_encoders %lld\n"
        "# HELP reel_hls_encoder_starts_total Encoder starts by reason.\n"
        "# TYPE reel_hls_encoder_starts_total counter\n"
        "reel_hls_encoder_starts_total{reason=\"first\"} %lld\n"
        "reel_hls_encoder_starts_total{reason=\"seek\"} %lld\n"
        "reel_hls_encoder_starts_total{reason=\"retry\"} %lld\n"
        "# HELP reel_hls_encoder_failures_total Encoders that failed.\n"
        "# TYPE reel_hls_encoder_failures_total counter\n"
        "reel_hls_encoder_failures_total %lld\n"
        "# HELP reel_hls_encoder_pauses_total Encoders paused for running far ahead.\n"
        "# TYPE reel_hls_encoder_pauses_total counter\n"
        "reel_hls_encoder_pauses_total %lld\n"
        "# HELP reel_hls_segments_served_total HLS segments sent.\n"
        "# TYPE reel_hls_segments_served_total counter\n"
        "reel_hls_segments_served_total %lld\n"
        "# HELP reel_bytes_served_total Body bytes sent, by playback method.\n"
        "# TYPE reel_bytes_served_total counter\n"
        "reel_bytes_served_total{method=\"direct\"} %llu\n"
        "reel_bytes_served_total{method=\"hls\"} %lld\n",
        (long long)st.sessions, (long long)st.encoders, (long long)st.starts_first,
        (long long)st.starts_seek, (long long)st.starts_retry, (long long)st.failures,
        (long long)st.pauses, (long long)st.segments_served,
        (unsigned long long)atomic_load(&api_direct_bytes), (long long)st.bytes_served);
    if (rc == 0)
        rc = histogram(&b, "reel_hls_time_to_first_segment_seconds",
                       "From an encoder's start to its first finished segment.", st.ttfs,
                       st.ttfs_count, st.ttfs_sum);
    if (rc == 0)
        rc = histogram(&b, "reel_hls_segment_wait_seconds",
                       "How long segment requests waited for the encoder.", st.wait, st.wait_count,
                       st.wait_sum);
    if (rc == 0)
        rc = buf_printf(&b,
                        "# HELP reel_event_streams Event streams open.\n"
                        "# TYPE reel_event_streams gauge\nreel_event_streams %d\n",
                        events_streams(app->events));
    if (rc == 0)
        rc = buf_puts(&b, "# HELP reel_http_responses_total HTTP responses by status class.\n"
                          "# TYPE reel_http_responses_total counter\n");
    for (int i = 1; i < 6 && rc == 0; i++)
        rc = buf_printf(&b, "reel_http_responses_total{class=\"%dxx\"} %llu\n", i,
                        (unsigned long long)classes[i]);
    if (rc < 0) {
        buf_release(&b);
        return http_reply_error(rc, NULL);
    }
    size_t len;
    char *text = buf_detach(&b, &len);
    return http_reply_text(200, "text/plain; version=0.0.4", text, len);
}
