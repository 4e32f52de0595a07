/* What every backend shares: key checks, the scratch folder, and the dispatch. */
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "storage/internal.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A key is a relative path of plain names: no "..", no empty part, no leading '/'. */
static bool key_ok(const char *key)
{
    if (!*key || *key == '/' || strlen(key) > 512)
        return false;
    for (const char *p = key; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n + (p[n] == '/');
    }
    return true;
}

int storage_scratch_init(struct storage *st, const char *scratch)
{
    snprintf(st->scratch, sizeof(st->scratch), "%s", scratch);
    rm_tree(st->scratch);
    int rc = mkdir_parents(st->scratch);
    if (rc == 0 && mkdir(st->scratch, 0700) < 0 && errno != EEXIST)
        rc = -errno;
    if (rc < 0)
        LOG(L_ERROR, "storage", "cannot make '%s': %s", st->scratch, err_str(rc));
    return rc;
}

int storage_list_add(char ***out, size_t *n, const char *s, size_t len)
{
    char **grown = realloc(*out, (*n + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    *out = grown;
    if (!(grown[*n] = strndup(s, len)))
        return -ENOMEM;
    ++*n;
    return 0;
}

void storage_list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void storage_free(struct storage *st)
{
    if (st)
        st->ops->free(st);
}

int storage_put_file(struct storage *st, const char *key, const char *path)
{
    int rc = key_ok(key) ? st->ops->put_file(st, key, path) : ERR_BAD_REQUEST;
    if (rc < 0)
        LOG(L_ERROR, "storage", "cannot store '%s' as '%s': %s", path, key, err_str(rc));
    unlink(path);
    return rc;
}

int storage_put(struct storage *st, const char *key, const void *data, size_t len)
{
    int rc = key_ok(key) ? st->ops->put(st, key, data, len) : ERR_BAD_REQUEST;
    if (rc < 0)
        LOG(L_ERROR, "storage", "cannot write '%s': %s", key, err_str(rc));
    return rc;
}

int storage_get(struct storage *st, const char *key, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    return key_ok(key) ? st->ops->get(st, key, data, len) : ERR_BAD_REQUEST;
}

int storage_delete(struct storage *st, const char *prefix)
{
    return key_ok(prefix) ? st->ops->delete (st, prefix) : ERR_BAD_REQUEST;
}

int storage_local_path(struct storage *st, const char *key, char *out, size_t size)
{
    if (!key_ok(key))
        return ERR_BAD_REQUEST;
    return st->ops->local_path ? st->ops->local_path(st, key, out, size) : -ENOTSUP;
}

int storage_url(struct storage *st, const char *key, long expires, char *out, size_t size)
{
    if (!key_ok(key))
        return ERR_BAD_REQUEST;
    return st->ops->url ? st->ops->url(st, key, expires, out, size) : -ENOTSUP;
}

int storage_prefixes(struct storage *st, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int rc = st->ops->prefixes(st, out, n);
    if (rc < 0) {
        storage_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

const char *storage_scratch(const struct storage *st)
{
    return st->scratch;
}

const char *storage_origin(const struct storage *st)
{
    return st->origin;
}

/* A batch: files waiting to be stored, and up to ops->parallel threads storing them. */
enum { BATCH_THREADS = 8, BATCH_QUEUE = 8 };

struct batch_item {
    struct batch_item *next;
    char *key, *path;
};

struct storage_batch {
    struct storage *st;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct batch_item *head, *tail;
    size_t queued, busy;
    bool ending;
    int rc;
    int nthreads;
    pthread_t threads[BATCH_THREADS];
};

static void *batch_loop(void *arg)
{
    struct storage_batch *b = arg;
    pthread_mutex_lock(&b->lock);
    for (;;) {
        while (!b->head && !b->ending)
            pthread_cond_wait(&b->cond, &b->lock);
        struct batch_item *it = b->head;
        if (!it)
            break;
        b->head = it->next;
        if (!b->head)
            b->tail = NULL;
        b->queued--;
        b->busy++;
        int failed = b->rc;
        pthread_mutex_unlock(&b->lock);
        int rc = failed ? (unlink(it->path), failed) : storage_put_file(b->st, it->key, it->path);
        free(it->key);
        free(it->path);
        free(it);
        pthread_mutex_lock(&b->lock);
        b->busy--;
        if (rc < 0 && b->rc == 0)
            b->rc = rc;
        pthread_cond_broadcast(&b->cond);
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

int storage_batch_new(struct storage *st, struct storage_batch **out)
{
    struct storage_batch *b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->st = st;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    *out = b;
    return 0;
}

int storage_batch_put_file(struct storage_batch *b, const char *key, const char *path)
{
    int parallel = b->st->ops->parallel;
    if (parallel <= 1) {
        int rc = b->rc ? (unlink(path), b->rc) : storage_put_file(b->st, key, path);
        if (rc < 0 && b->rc == 0)
            b->rc = rc;
        return rc;
    }
    struct batch_item *it = calloc(1, sizeof(*it));
    if (it && (!(it->key = strdup(key)) || !(it->path = strdup(path)))) {
        free(it->key);
        free(it);
        it = NULL;
    }
    pthread_mutex_lock(&b->lock);
    /* Only so many wait, each a scratch file on disk. */
    while (b->rc == 0 && b->queued >= BATCH_QUEUE)
        pthread_cond_wait(&b->cond, &b->lock);
    int rc = b->rc ? b->rc : it ? 0 : -ENOMEM;
    if (rc == 0) {
        if (b->tail)
            b->tail->next = it;
        else
            b->head = it;
        b->tail = it;
        b->queued++;
        it = NULL;
        if (b->nthreads < parallel && b->nthreads < BATCH_THREADS &&
            b->busy + b->queued > (size_t)b->nthreads &&
            pthread_create(&b->threads[b->nthreads], NULL, batch_loop, b) == 0)
            b->nthreads++;
        if (b->nthreads == 0) /* not even one thread: store it here */
            rc = -EAGAIN;
        pthread_cond_broadcast(&b->cond);
    }
    pthread_mutex_unlock(&b->lock);
    if (rc == -EAGAIN) {
        /* No other thread runs the batch, so it can be run to its end here for a moment. */
        pthread_mutex_lock(&b->lock);
        b->ending = true;
        pthread_mutex_unlock(&b->lock);
        batch_loop(b);
        pthread_mutex_lock(&b->lock);
        b->ending = false;
        rc = b->rc;
        pthread_mutex_unlock(&b->lock);
    }
    if (it) {
        unlink(path);
        free(it->key);
        free(it->path);
        free(it);
    }
    return rc;
}

int storage_batch_end(struct storage_batch *b)
{
    pthread_mutex_lock(&b->lock);
    b->ending = true;
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->lock);
    for (int i = 0; i < b->nthreads; i++)
        pthread_join(b->threads[i], NULL);
    /* Without threads, whatever is still queued is stored here. */
    batch_loop(b);
    int rc = b->rc;
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->lock);
    free(b);
    return rc;
}
