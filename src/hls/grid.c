#include "hls/grid.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double opening[] = {1, 1, 2};

double grid_target(size_t i, double target)
{
    if (i < sizeof(opening) / sizeof(opening[0]) && opening[i] < target)
        return opening[i];
    return target;
}

static int push(struct hls_grid *g, size_t *alloc, double start, double duration, uint32_t first,
                uint32_t count)
{
    if (g->n == *alloc) {
        size_t a = *alloc ? *alloc * 2 : 64;
        struct hls_segment *s = realloc(g->segs, a * sizeof(*s));
        if (!s)
            return -ENOMEM;
        g->segs = s;
        *alloc = a;
    }
    g->segs[g->n++] = (struct hls_segment){start, duration, first, count};
    return 0;
}

uint32_t grid_parts(double duration, double part)
{
    if (!(part > 0))
        return 1;
    double n = floor(duration / part + 0.5);
    return n < 1 ? 1 : (uint32_t)n;
}

int grid_encode(double duration, double target, double part, struct hls_grid *g)
{
    memset(g, 0, sizeof(*g));
    if (!(duration > 0) || !(target > 0))
        return -EINVAL;
    g->part = part > 0 ? part : 0;
    size_t alloc = 0;
    double t = 0;
    uint32_t chunk = 0;
    /* A tail shorter than a frame is not worth a segment of its own. */
    while (duration - t > 0.05) {
        double d = grid_target(g->n, target);
        if (t + d > duration)
            d = duration - t;
        uint32_t parts = grid_parts(d, g->part);
        int rc = push(g, &alloc, t, d, chunk, parts);
        if (rc < 0) {
            grid_release(g);
            return rc;
        }
        t += d;
        chunk += parts;
    }
    g->nchunks = chunk;
    return 0;
}

int grid_copy(const double *kf, size_t n, double duration, double target, struct hls_grid *g)
{
    memset(g, 0, sizeof(*g));
    if (n == 0 || !(duration > 0) || !(target > 0))
        return -EINVAL;
    size_t alloc = 0;
    size_t i = 0;
    while (i < n) {
        double start = i == 0 ? 0 : kf[i];
        double want = start + grid_target(g->n, target);
        size_t j = i + 1;
        while (j < n && kf[j] < want - 0.001)
            j++;
        double end = j < n ? kf[j] : duration;
        if (end <= start)
            end = start + 0.001;
        int rc = push(g, &alloc, start, end - start, (uint32_t)i, (uint32_t)(j - i));
        if (rc < 0) {
            grid_release(g);
            return rc;
        }
        i = j;
    }
    g->nchunks = (uint32_t)n;
    return 0;
}

void grid_release(struct hls_grid *g)
{
    if (!g)
        return;
    free(g->segs);
    memset(g, 0, sizeof(*g));
}

static double start_of(const struct hls_segment *s)
{
    return s->start;
}

static double chunk_of(const struct hls_segment *s)
{
    return s->first_chunk;
}

/* The last segment whose key is at most want (the first if none is): segments rise in
 * both keys. */
static size_t last_at_most(const struct hls_grid *g, double want,
                           double (*key)(const struct hls_segment *))
{
    size_t lo = 0, hi = g->n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (key(&g->segs[mid]) <= want)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

size_t grid_find(const struct hls_grid *g, double t)
{
    return last_at_most(g, t, start_of);
}

size_t grid_segment_of_chunk(const struct hls_grid *g, uint32_t chunk)
{
    return last_at_most(g, chunk, chunk_of);
}

int grid_target_duration(const struct hls_grid *g)
{
    double max = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->segs[i].duration > max)
            max = g->segs[i].duration;
    /* RFC 8216: EXTINF rounded to the nearest integer must not exceed the target. */
    int t = (int)lround(max);
    return t < 1 ? 1 : t;
}
