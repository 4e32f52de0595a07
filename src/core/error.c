#include "core/error.h"
#include <errno.h>
#include <string.h>

struct entry {
    const char *name;
    unsigned status;
    const char *message;
};

static const struct entry table[] = {
#define X(code, name, status, message) {name, status, message},
    REEL_ERRORS(X)
#undef X
};

static const struct entry *lookup(int err)
{
    if (err > ERR__BASE && err < ERR__BASE + 1 + (int)(sizeof(table) / sizeof(table[0])))
        return &table[err - ERR__BASE - 1];
    return NULL;
}

/* System errors that mean something to a client get their own status. */
static const struct entry *from_errno(int err)
{
    static const struct entry nospace = {"insufficient_storage", 507, "The server's disk is full."};
    static const struct entry busy = {"unavailable", 503, "The server is busy; try again shortly."};
    switch (-err) {
    case ENOENT:
        return lookup(ERR_NOT_FOUND);
    case ENOSPC:
    case EDQUOT:
        return &nospace;
    case EAGAIN:
    case EMFILE:
    case ENFILE:
        return &busy;
    case E2BIG:
        return lookup(ERR_TOO_BIG);
    case EINVAL:
        return lookup(ERR_BAD_REQUEST);
    default:
        return lookup(ERR_INTERNAL);
    }
}

static const struct entry *find(int err)
{
    const struct entry *e = lookup(err);
    return e ? e : from_errno(err);
}

const char *err_name(int err)
{
    return find(err)->name;
}

unsigned err_status(int err)
{
    return find(err)->status;
}

const char *err_message(int err)
{
    return find(err)->message;
}
