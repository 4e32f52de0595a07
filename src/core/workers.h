#pragma once
#include "core/compat.h"

/*
 * A few threads of their own for slow work (password hashing, reading an index), so that
 * the HTTP threads never wait on it: a handler parks its request, hands the work over, and
 * is called again when it is done (api_offload()). Each job names its client (its address):
 * clients take turns, one job each, a client's own jobs run in the order given, and no
 * client has more than all threads but one busy. One client signing in over and over thus
 * leaves a thread free for another's sign-in, rather than a queue to wait behind.
 */
struct workers;

int workers_new(struct workers **out, int threads) WUR;
/* Runs fn(arg) on a worker in client's turn (NULL: one shared client): 0, or -ENOMEM, or
 * ERR_UNAVAILABLE once stopping (fn never runs then). */
int workers_run(struct workers *w, const char *client, void (*fn)(void *arg), void *arg) WUR;
/* Runs what was queued, then joins the threads; later jobs are refused. Once only, from
 * one thread. Accepts NULL. */
void workers_stop(struct workers *w);
/* Stops (if not yet) and frees. Accepts NULL. */
void workers_free(struct workers *w);
