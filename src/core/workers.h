#pragma once
#include "core/compat.h"

/*
 * A few threads of their own for slow work (password hashing, reading an index), so that
 * the HTTP threads never wait on it: a handler parks its request, hands the work over, and
 * is called again when it is done (api_offload()). Jobs run in the order given.
 */
struct workers;

int workers_new(struct workers **out, int threads) WUR;
/* Runs fn(arg) on a worker: 0, or -ENOMEM, or ERR_UNAVAILABLE once stopping (fn never
 * runs then). */
int workers_run(struct workers *w, void (*fn)(void *arg), void *arg) WUR;
/* Runs what was queued, then joins the threads; later jobs are refused. Once only, from
 * one thread. Accepts NULL. */
void workers_stop(struct workers *w);
/* Stops (if not yet) and frees. Accepts NULL. */
void workers_free(struct workers *w);
