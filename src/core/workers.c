#include "core/workers.h"
#include "core/error.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job {
    struct job *next;
    void (*fn)(void *arg);
    void *arg;
};

/* The jobs of one client, in the order given, and how many of its jobs are running. A
 * client is listed while it has either. */
struct client {
    struct client *next;
    struct job *head, **tail;
    int running;
    char key[64];
};

struct workers {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct client *clients; /* in turn: the first that may is served next, then goes last */
    int share;              /* jobs one client may have running at once */
    bool stopping;
    int n;
    pthread_t threads[];
};

/* Takes the first job of the first client that has one and is within its share, and moves
 * that client behind the others. NULL when none may run now. */
static struct job *next_job(struct workers *w, struct client **owner)
{
    struct client **at = &w->clients;
    while (*at && (!(*at)->head || (*at)->running >= w->share))
        at = &(*at)->next;
    struct client *c = *at;
    if (!c)
        return NULL;
    struct job *j = c->head;
    c->head = j->next;
    if (!c->head)
        c->tail = &c->head;
    c->running++;
    *at = c->next;
    c->next = NULL;
    struct client **end = at;
    while (*end)
        end = &(*end)->next;
    *end = c;
    *owner = c;
    return j;
}

static void job_done(struct workers *w, struct client *c)
{
    if (--c->running > 0 || c->head)
        return;
    for (struct client **at = &w->clients; *at; at = &(*at)->next)
        if (*at == c) {
            *at = c->next;
            break;
        }
    free(c);
}

static bool queued(const struct workers *w)
{
    for (const struct client *c = w->clients; c; c = c->next)
        if (c->head)
            return true;
    return false;
}

static void *work(void *arg)
{
    struct workers *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        struct client *c;
        struct job *j = next_job(w, &c);
        if (!j) {
            /* Done once stopping with nothing queued; else wait for a job, or for a
             * client's running job to end (a broadcast) and let its next one go. */
            if (w->stopping && !queued(w))
                break;
            pthread_cond_wait(&w->ready, &w->lock);
            continue;
        }
        pthread_mutex_unlock(&w->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&w->lock);
        job_done(w, c);
        pthread_cond_broadcast(&w->ready);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int workers_new(struct workers **out, int threads)
{
    struct workers *w = calloc(1, sizeof(*w) + (size_t)threads * sizeof(pthread_t));
    if (!w)
        return -ENOMEM;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->ready, NULL);
    /* One thread is always left to the other clients. */
    w->share = threads > 1 ? threads - 1 : 1;
    for (; w->n < threads; w->n++) {
        int rc = pthread_create(&w->threads[w->n], NULL, work, w);
        if (rc != 0) {
            workers_free(w);
            return -rc;
        }
    }
    *out = w;
    return 0;
}

/* The client's place in the ring, added at its end if it has none; NULL without memory. */
static struct client *client_of(struct workers *w, const char *key)
{
    struct client **end = &w->clients;
    for (; *end; end = &(*end)->next)
        if (strcmp((*end)->key, key) == 0)
            return *end;
    struct client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->tail = &c->head;
    snprintf(c->key, sizeof(c->key), "%s", key);
    *end = c;
    return c;
}

int workers_run(struct workers *w, const char *client, void (*fn)(void *arg), void *arg)
{
    struct job *j = malloc(sizeof(*j));
    if (!j)
        return -ENOMEM;
    *j = (struct job){NULL, fn, arg};
    pthread_mutex_lock(&w->lock);
    int rc = w->stopping ? ERR_UNAVAILABLE : 0;
    struct client *c = rc ? NULL : client_of(w, client ? client : "");
    if (c) {
        *c->tail = j;
        c->tail = &j->next;
        pthread_cond_signal(&w->ready);
    } else if (rc == 0) {
        rc = -ENOMEM;
    }
    pthread_mutex_unlock(&w->lock);
    if (rc < 0)
        free(j);
    return rc;
}

void workers_stop(struct workers *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    bool was = w->stopping;
    w->stopping = true;
    pthread_cond_broadcast(&w->ready);
    pthread_mutex_unlock(&w->lock);
    if (was)
        return;
    for (int i = 0; i < w->n; i++)
        pthread_join(w->threads[i], NULL);
}

void workers_free(struct workers *w)
{
    if (!w)
        return;
    workers_stop(w);
    pthread_cond_destroy(&w->ready);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
