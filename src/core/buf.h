#pragma once
#include "core/compat.h"
#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer.
 *
 * Invariants, after buf_init() and until buf_release():
 * - ptr is never NULL, and ptr[len] is always '\0', so ptr is a C string when the
 *   content has no NUL bytes;
 * - len never exceeds cap. An append that would pass cap fails with -E2BIG and leaves
 *   the buffer as it was, so a caller can answer "too big" without checking sizes first.
 * - An allocation failure gives -ENOMEM and also leaves the buffer as it was.
 */
struct buf {
    char *ptr;
    size_t len;
    size_t alloc;
    size_t cap;
};

#define BUF_NO_CAP ((size_t)-1 / 2)

void buf_init(struct buf *b, size_t cap);
/* Frees the memory; the buffer is empty and usable again afterwards. Accepts NULL. */
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *data, size_t n) WUR;
int buf_puts(struct buf *b, const char *s) WUR;
int buf_printf(struct buf *b, const char *fmt, ...) WUR __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) WUR;
/* Hands the memory to the caller, who frees it; the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);
