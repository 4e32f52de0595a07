#include "library/intro.h"
#include <stdlib.h>
#include <string.h>

enum { MAX_BITS = 8, CANDIDATES = 5 };
#define MAX_GAP_S 1.0

static bool same(uint32_t x, uint32_t y)
{
    return __builtin_popcount(x ^ y) <= MAX_BITS;
}

/* The longest run at shift s: first and last item in a, and how many match. */
static size_t run_at(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, long s,
                     size_t *first, size_t *last, size_t *matching)
{
    size_t gap = (size_t)(MAX_GAP_S / FP_ITEM_S);
    size_t lo = s > 0 ? (size_t)s : 0;
    size_t hi = (long)nb + s < (long)na ? (size_t)((long)nb + s) : na;
    size_t best = 0, start = 0, prev = 0, count = 0;
    bool open = false;
    for (size_t i = lo; i < hi; i++) {
        if (!same(a[i], b[(size_t)((long)i - s)]))
            continue;
        if (!open || i - prev > gap) {
            start = i;
            count = 0;
            open = true;
        }
        prev = i;
        count++;
        if (i - start + 1 > best) {
            best = i - start + 1;
            *first = start;
            *last = i;
            *matching = count;
        }
    }
    return best;
}

static int errors(const uint32_t *a, const uint32_t *b, size_t i, long s)
{
    return __builtin_popcount(a[i] ^ b[(size_t)((long)i - s)]);
}

/* Trims m's ends to items within the run's usual difference. */
static void trim(const uint32_t *a, const uint32_t *b, struct fp_match *m)
{
    int count[33] = {0};
    size_t n = 0;
    for (size_t i = m->first; i <= m->last; i++) {
        int e = errors(a, b, i, m->shift);
        if (e <= MAX_BITS) {
            count[e]++;
            n++;
        }
    }
    int median = 0;
    for (size_t seen = 0; median < 32 && (seen += (size_t)count[median]) < (n + 1) / 2;)
        median++;
    int most = median * 2 > median + 3 ? median * 2 : median + 3;
    while (m->first < m->last && errors(a, b, m->first, m->shift) > most)
        m->first++;
    while (m->last > m->first && errors(a, b, m->last, m->shift) > most)
        m->last--;
    m->matching = 0;
    for (size_t i = m->first; i <= m->last; i++)
        m->matching += errors(a, b, i, m->shift) <= MAX_BITS;
}

bool fp_longest_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, double min_s,
                       struct fp_match *out)
{
    if (!na || !nb)
        return false;
    /* The shifts where most items match. */
    long top[CANDIDATES];
    size_t top_n[CANDIDATES] = {0};
    for (long s = -(long)(nb - 1); s < (long)na; s++) {
        size_t lo = s > 0 ? (size_t)s : 0;
        size_t hi = (long)nb + s < (long)na ? (size_t)((long)nb + s) : na;
        size_t n = 0;
        for (size_t i = lo; i < hi; i++)
            n += same(a[i], b[(size_t)((long)i - s)]);
        for (int k = 0; k < CANDIDATES; k++) {
            if (n <= top_n[k])
                continue;
            memmove(&top[k + 1], &top[k], (CANDIDATES - k - 1) * sizeof(top[0]));
            memmove(&top_n[k + 1], &top_n[k], (CANDIDATES - k - 1) * sizeof(top_n[0]));
            top[k] = s;
            top_n[k] = n;
            break;
        }
    }
    size_t best = 0;
    for (int k = 0; k < CANDIDATES && top_n[k]; k++) {
        struct fp_match m = {.shift = top[k]};
        size_t len = run_at(a, na, b, nb, top[k], &m.first, &m.last, &m.matching);
        if (len > best) {
            best = len;
            *out = m;
        }
    }
    if (best) {
        trim(a, b, out);
        best = out->last - out->first + 1;
        out->a_end = out->last + 1 == na;
        out->b_end = (size_t)((long)out->last - out->shift) + 1 == nb;
    }
    return best > 0 && (double)(best - 1) * FP_ITEM_S + FP_TAIL_S - FP_LEAD_S >= min_s;
}

void fp_match_range(const struct fp_match *m, bool in_b, double *start, double *end)
{
    long shift = in_b ? m->shift : 0;
    *start = (double)((long)m->first - shift) * FP_ITEM_S + FP_LEAD_S;
    *end = (double)((long)m->last - shift) * FP_ITEM_S + FP_TAIL_S;
    if (*start < 0)
        *start = 0;
}
