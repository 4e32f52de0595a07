#include "progress/events.h"
#include "core/clock.h"
#include "core/error.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct event {
    uint64_t id;
    int64_t user;
    char *text; /* the whole SSE frame */
    size_t len;
};

struct subscriber {
    struct events *bus;
    int64_t user;
    uint64_t next_id; /* the first event id it has not read */
    bool ping;
    bool parked;
    void (*park)(void *ctx);
    void (*wake)(void *ctx);
    void *ctx;
    struct subscriber *prev, *next;
};

struct events {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct event ring[EVENTS_KEPT];
    uint64_t next_id; /* the id the next event gets; ids start at 1 */
    struct subscriber *subs;
    bool closing;
    int per_user;
    pthread_t pinger;
};

/* Wakes the parked subscribers of user (all when user is 0). Called with the lock held. */
static void wake_users(struct events *b, int64_t user, bool ping)
{
    for (struct subscriber *s = b->subs; s; s = s->next) {
        if (user && s->user != user)
            continue;
        if (ping)
            s->ping = true;
        if (s->parked) {
            s->parked = false;
            s->wake(s->ctx);
        }
    }
}

static void *pinger(void *arg)
{
    struct events *b = arg;
    pthread_mutex_lock(&b->lock);
    while (!b->closing) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += EVENTS_PING_MS / 1000;
        int rc = pthread_cond_timedwait(&b->cond, &b->lock, &ts);
        if (b->closing)
            break;
        if (rc == ETIMEDOUT)
            wake_users(b, 0, true);
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

int events_new(struct events **out, int per_user)
{
    struct events *b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->per_user = per_user;
    b->next_id = 1;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    int rc = pthread_create(&b->pinger, NULL, pinger, b);
    if (rc != 0) {
        free(b);
        return -rc;
    }
    *out = b;
    return 0;
}

void events_close(struct events *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    bool was = b->closing;
    b->closing = true;
    pthread_cond_broadcast(&b->cond);
    wake_users(b, 0, false);
    pthread_mutex_unlock(&b->lock);
    if (!was)
        pthread_join(b->pinger, NULL);
}

void events_free(struct events *b)
{
    if (!b)
        return;
    events_close(b);
    for (size_t i = 0; i < EVENTS_KEPT; i++)
        free(b->ring[i].text);
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

int events_streams(struct events *b)
{
    pthread_mutex_lock(&b->lock);
    int n = 0;
    for (struct subscriber *s = b->subs; s; s = s->next)
        n++;
    pthread_mutex_unlock(&b->lock);
    return n;
}

int events_publish(struct events *b, int64_t user, const char *type, const char *data)
{
    pthread_mutex_lock(&b->lock);
    uint64_t id = b->next_id;
    char *text = NULL;
    int len =
        asprintf(&text, "id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)id, type, data);
    if (len < 0) {
        pthread_mutex_unlock(&b->lock);
        return -ENOMEM;
    }
    struct event *e = &b->ring[id % EVENTS_KEPT];
    free(e->text);
    *e = (struct event){id, user, text, (size_t)len};
    b->next_id++;
    wake_users(b, user, false);
    pthread_mutex_unlock(&b->lock);
    return 0;
}

int events_subscribe(struct events *b, int64_t user, uint64_t last_id, void (*park)(void *ctx),
                     void (*wake)(void *ctx), void *ctx, struct subscriber **out)
{
    struct subscriber *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->bus = b;
    s->user = user;
    s->park = park;
    s->wake = wake;
    s->ctx = ctx;
    pthread_mutex_lock(&b->lock);
    int open = 0;
    for (struct subscriber *o = b->subs; o; o = o->next)
        open += o->user == user;
    if (open >= b->per_user) {
        pthread_mutex_unlock(&b->lock);
        free(s);
        return ERR_TOO_MANY_STREAMS;
    }
    /* From the event after last_id, if it is still kept; else from now on. */
    uint64_t oldest = b->next_id > EVENTS_KEPT ? b->next_id - EVENTS_KEPT : 1;
    s->next_id =
        last_id && last_id + 1 >= oldest && last_id < b->next_id ? last_id + 1 : b->next_id;
    s->ping = true; /* an opening comment, so the client sees the stream is up at once */
    s->next = b->subs;
    if (b->subs)
        b->subs->prev = s;
    b->subs = s;
    pthread_mutex_unlock(&b->lock);
    *out = s;
    return 0;
}

long events_read(struct subscriber *s, char *buf, size_t max)
{
    struct events *b = s->bus;
    pthread_mutex_lock(&b->lock);
    size_t used = 0;
    long rc;
    if (b->closing) {
        rc = -1;
        goto out;
    }
    if (s->ping && max >= 8) {
        memcpy(buf, ": ping\n\n", 8);
        used = 8;
        s->ping = false;
    }
    for (; s->next_id < b->next_id; s->next_id++) {
        const struct event *e = &b->ring[s->next_id % EVENTS_KEPT];
        if (e->id != s->next_id || e->user != s->user)
            continue;
        if (used + e->len > max)
            break;
        memcpy(buf + used, e->text, e->len);
        used += e->len;
    }
    rc = (long)used;
    if (used == 0) {
        s->parked = true;
        s->park(s->ctx);
    }
out:
    pthread_mutex_unlock(&b->lock);
    return rc;
}

void events_unsubscribe(struct subscriber *s)
{
    if (!s)
        return;
    struct events *b = s->bus;
    pthread_mutex_lock(&b->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        b->subs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&b->lock);
    free(s);
}
