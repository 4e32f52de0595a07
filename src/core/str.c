#include "core/str.h"
#include <errno.h>
#include <stdlib.h>

int str_to_u64(struct str s, uint64_t max, uint64_t *out)
{
    if (s.len == 0)
        return -EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c < '0' || c > '9')
            return -EINVAL;
        unsigned d = c - '0';
        /* The cutoff test comes before the multiply, so nothing can overflow. */
        if (v > (max - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

char *str_dup(struct str s)
{
    char *p = malloc(s.len + 1);
    if (!p)
        return NULL;
    memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

bool str_next_line(const char **p, const char *end, const char **line, size_t *n)
{
    if (*p >= end)
        return false;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    *line = *p;
    *n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    *p = nl ? nl + 1 : end;
    if (*n && (*line)[*n - 1] == '\r')
        --*n;
    return true;
}
