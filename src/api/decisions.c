/*
 * Direct-play decisions of the unified endpoint (GET /api/v1/stream/:id without ?static=1),
 * remembered by user, file and query, so that a native player's range requests cost what
 * the browser's ?static=1 path costs: no probe data read, no decision made again. An entry
 * stands while the store's generation does, which a scan that changes files moves on.
 */
#include "api/handlers.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

enum { MAX_DECISIONS = 4096 };

struct decision {
    char *key;
    char *path;
    uint64_t generation;
    UT_hash_handle hh;
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct decision *decisions;
static size_t count;

static void forget_all(void)
{
    struct decision *d, *tmp;
    HASH_ITER(hh, decisions, d, tmp)
    {
        HASH_DEL(decisions, d);
        free(d->key);
        free(d->path);
        free(d);
    }
    count = 0;
}

char *api_decision_lookup(struct app *app, const char *key)
{
    uint64_t generation = store_generation(app->store);
    char *path = NULL;
    pthread_rwlock_rdlock(&lock);
    struct decision *d;
    HASH_FIND_STR(decisions, key, d);
    if (d && d->generation == generation)
        path = strdup(d->path);
    pthread_rwlock_unlock(&lock);
    return path;
}

void api_decision_remember(struct app *app, const char *key, const char *path)
{
    struct decision *d = calloc(1, sizeof(*d));
    if (d) {
        d->key = strdup(key);
        d->path = strdup(path);
        d->generation = store_generation(app->store);
    }
    if (!d || !d->key || !d->path) {
        if (d) {
            free(d->key);
            free(d->path);
        }
        free(d);
        return; /* not remembered: the next request decides again */
    }
    pthread_rwlock_wrlock(&lock);
    struct decision *old;
    HASH_FIND_STR(decisions, key, old);
    if (old) {
        HASH_DEL(decisions, old);
        free(old->key);
        free(old->path);
        free(old);
        count--;
    }
    /* Bounded: past the cap, start again rather than track recency. */
    if (count >= MAX_DECISIONS)
        forget_all();
    HASH_ADD_KEYPTR(hh, decisions, d->key, strlen(d->key), d);
    count++;
    pthread_rwlock_unlock(&lock);
}
