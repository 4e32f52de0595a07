#include "core/workers.h"
#include "core/error.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct job {
    struct job *next;
    void (*fn)(void *arg);
    void *arg;
};

struct workers {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    struct job *head, **tail;
    bool stopping;
    int n;
    pthread_t threads[];
};

static void *work(void *arg)
{
    struct workers *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->ready, &w->lock);
        struct job *j = w->head;
        if (!j)
            break; /* stopping, and nothing left */
        w->head = j->next;
        if (!w->head)
            w->tail = &w->head;
        pthread_mutex_unlock(&w->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&w->lock);
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
    w->tail = &w->head;
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

int workers_run(struct workers *w, void (*fn)(void *arg), void *arg)
{
    struct job *j = malloc(sizeof(*j));
    if (!j)
        return -ENOMEM;
    *j = (struct job){NULL, fn, arg};
    pthread_mutex_lock(&w->lock);
    bool stopping = w->stopping;
    if (!stopping) {
        *w->tail = j;
        w->tail = &j->next;
        pthread_cond_signal(&w->ready);
    }
    pthread_mutex_unlock(&w->lock);
    if (stopping) {
        free(j);
        return ERR_UNAVAILABLE;
    }
    return 0;
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
