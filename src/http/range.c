#include "http/range.h"
#include "core/str.h"
#include <stdbool.h>
#include <string.h>

/* Digits only, no sign: RFC 9110 has no room for "+5" or " 5". */
static bool number(const char *p, size_t n, uint64_t *out)
{
    return str_to_u64((struct str){p, n}, INT64_MAX, out) == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

enum range_result range_parse(const char *header, uint64_t size, struct byte_range *out,
                              size_t *count)
{
    *count = 0;
    if (!header || strncmp(header, "bytes=", 6) != 0)
        return RANGE_FULL;
    const char *p = header + 6;
    bool no_overlap = false;
    size_t n = 0;
    uint64_t total = 0;

    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        p = *end ? end + 1 : end;
        while (a < b && is_space(*a))
            a++;
        while (b > a && is_space(b[-1]))
            b--;
        if (a == b)
            continue; /* "bytes=0-1,,5-6": an empty element is allowed */
        const char *dash = memchr(a, '-', (size_t)(b - a));
        if (!dash)
            return RANGE_FULL;
        uint64_t first, last;
        struct byte_range r;
        if (dash == a) {
            /* "-n": the last n bytes. */
            if (!number(dash + 1, (size_t)(b - dash - 1), &last))
                return RANGE_FULL;
            if (last == 0 || size == 0) {
                no_overlap = true; /* an empty suffix selects nothing */
                continue;
            }
            if (last > size)
                last = size;
            r.start = size - last;
            r.length = last;
        } else {
            if (!number(a, (size_t)(dash - a), &first))
                return RANGE_FULL;
            bool open = dash + 1 == b;
            if (!open && !number(dash + 1, (size_t)(b - dash - 1), &last))
                return RANGE_FULL;
            if (!open && last < first)
                return RANGE_FULL;
            if (first >= size) {
                no_overlap = true;
                continue;
            }
            if (open || last >= size)
                last = size - 1;
            r.start = first;
            r.length = last - first + 1;
        }
        if (n == RANGE_MAX)
            return RANGE_FULL;
        out[n++] = r;
        total += r.length;
    }

    if (n == 0)
        return no_overlap ? RANGE_UNSATISFIABLE : RANGE_FULL;
    /* Asking for more than the whole body, or for the same bytes twice, is answered with the
     * body once: cheaper for both ends than a multipart reply. */
    if (total > size)
        return RANGE_FULL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (out[i].start < out[j].start + out[j].length &&
                out[j].start < out[i].start + out[i].length)
                return RANGE_FULL;
    *count = n;
    return RANGE_PARTIAL;
}
