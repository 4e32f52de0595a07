#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A string that does not own its memory. It is not NUL-terminated. */
struct str {
    const char *ptr;
    size_t len;
};

static inline struct str str_from(const char *s)
{
    return (struct str){s, s ? strlen(s) : 0};
}

static inline bool str_eq(struct str a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && memcmp(a.ptr, b, n) == 0;
}

/*
 * Parses a decimal number made only of digits, with no sign and no spaces. A value above
 * max, or one with too many digits, is -ERANGE: it never wraps around. Anything else that
 * is not a plain number is -EINVAL.
 */
int str_to_u64(struct str s, uint64_t max, uint64_t *out) WUR;

/* A NUL-terminated copy, or NULL when memory runs out. */
char *str_dup(struct str s);

/* The next line of [*p, end) into *line and *n, without its "\n" or "\r\n", and *p past
 * it; false at the end. */
bool str_next_line(const char **p, const char *end, const char **line, size_t *n);
