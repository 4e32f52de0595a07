#include "core/error.h"
#include "core/compat.h"
#include <errno.h>
#include <stdbool.h>
#include <string.h>

struct entry {
    const char *name;
    unsigned status;
    int retry_after;
    const char *message;
};

static const struct entry table[] = {
#define X(code, name, status, retry, message) {name, status, retry, message},
    REEL_ERRORS(X)
#undef X
};

/* System errors that mean something to a client get the entry that fits them. */
static int from_errno(int err)
{
    switch (-err) {
    case ENOENT:
        return ERR_NOT_FOUND;
    case ENOSPC:
    case EDQUOT:
        return ERR_NO_SPACE;
    case EIO: /* a disk that failed a read may not fail the next */
    case EAGAIN:
    case EMFILE:
    case ENFILE:
        return ERR_UNAVAILABLE;
    case E2BIG:
        return ERR_TOO_BIG;
    case EINVAL:
        return ERR_BAD_REQUEST;
    default:
        return ERR_INTERNAL;
    }
}

static const struct entry *find(int err)
{
    if (err <= ERR__BASE || err >= ERR__BASE + 1 + (int)ARRAY_LEN(table))
        err = from_errno(err);
    return &table[err - ERR__BASE - 1];
}

const char *err_name(int err)
{
    return find(err)->name;
}

unsigned err_status(int err)
{
    return find(err)->status;
}

int err_retry_after(int err)
{
    return find(err)->retry_after;
}

const char *err_message(int err)
{
    return find(err)->message;
}

const char *err_str(int err)
{
    bool ours = err > ERR__BASE && err < ERR__BASE + 1 + (int)ARRAY_LEN(table);
    return ours ? find(err)->message : strerror(-err);
}
