#include "core/buf.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty[1];

void buf_init(struct buf *b, size_t cap)
{
    b->ptr = empty;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void buf_release(struct buf *b)
{
    if (!b)
        return;
    if (b->alloc)
        free(b->ptr);
    buf_init(b, b->cap);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->ptr[0] = '\0';
}

/* Makes room for n more bytes plus the terminating NUL. */
static int grow(struct buf *b, size_t n)
{
    if (n > b->cap - b->len)
        return -E2BIG;
    size_t need = b->len + n + 1;
    if (need <= b->alloc)
        return 0;
    size_t alloc = b->alloc ? b->alloc : 64;
    while (alloc < need)
        alloc *= 2;
    char *p = realloc(b->alloc ? b->ptr : NULL, alloc);
    if (!p)
        return -ENOMEM;
    if (!b->alloc)
        p[0] = '\0';
    b->ptr = p;
    b->alloc = alloc;
    return 0;
}

int buf_append(struct buf *b, const void *data, size_t n)
{
    int rc = grow(b, n);
    if (rc < 0)
        return rc;
    memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return -EINVAL;
    int rc = grow(b, (size_t)n);
    if (rc < 0)
        return rc;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->alloc ? b->ptr : strdup("");
    if (len)
        *len = b->len;
    buf_init(b, b->cap);
    return p;
}
