/* Buffers, numbers, the error table and the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/str.h"
#include "core/workers.h"
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void buf_grows_and_stays_terminated(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, BUF_NO_CAP);
    assert_string_equal(b.ptr, "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%d,", i), 0);
    assert_int_equal(b.ptr[b.len], '\0');
    assert_memory_equal(b.ptr, "0,1,2,", 6);
    size_t len;
    char *p = buf_detach(&b, &len);
    assert_int_equal(strlen(p), len);
    assert_string_equal(b.ptr, "");
    free(p);
    buf_release(&b);
}

static void buf_refuses_past_its_cap_and_keeps_content(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "12345"), 0);
    assert_int_equal(buf_puts(&b, "6789"), -E2BIG);
    assert_string_equal(b.ptr, "12345");
    assert_int_equal(buf_printf(&b, "%s", "abcd"), -E2BIG);
    assert_int_equal(buf_puts(&b, "678"), 0);
    assert_string_equal(b.ptr, "12345678");
    buf_release(&b);
    buf_release(NULL);
}

static void numbers_never_wrap(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_int_equal(str_to_u64(str_from("0"), UINT64_MAX, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(str_to_u64(str_from("18446744073709551615"), UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(str_to_u64(str_from("18446744073709551616"), UINT64_MAX, &v), -ERANGE);
    assert_int_equal(str_to_u64(str_from("99999999999999999999999"), UINT64_MAX, &v), -ERANGE);
    assert_int_equal(str_to_u64(str_from("101"), 100, &v), -ERANGE);
    assert_int_equal(str_to_u64(str_from("100"), 100, &v), 0);
    assert_int_equal(str_to_u64(str_from(""), 100, &v), -EINVAL);
    assert_int_equal(str_to_u64(str_from("-1"), 100, &v), -EINVAL);
    assert_int_equal(str_to_u64(str_from(" 1"), 100, &v), -EINVAL);
    assert_int_equal(str_to_u64(str_from("1a"), 100, &v), -EINVAL);
}

static void errors_map_to_status_and_name(void **state)
{
    (void)state;
    assert_int_equal(err_status(ERR_BAD_REQUEST), 400);
    assert_string_equal(err_name(ERR_BAD_REQUEST), "bad_request");
    assert_int_equal(err_status(ERR_UNAVAILABLE), 503);
    assert_string_equal(err_name(ERR_FILE_MISSING), "file_missing");
    assert_int_equal(err_status(ERR_FILE_MISSING), 404);
    assert_int_equal(err_status(-ENOSPC), 507);
    assert_string_equal(err_name(-ENOSPC), "insufficient_storage");
    assert_int_equal(err_status(ERR_RANGE), 416);
    assert_string_equal(err_name(ERR_RANGE), "range_not_satisfiable");
    /* Retry-After comes from the table: only the errors worth retrying have one. */
    assert_int_equal(err_retry_after(ERR_ENCODERS_BUSY), 5);
    assert_int_equal(err_retry_after(-EAGAIN), err_retry_after(ERR_UNAVAILABLE));
    assert_true(err_retry_after(ERR_UNAVAILABLE) > 0);
    assert_int_equal(err_retry_after(ERR_NOT_FOUND), 0);
    assert_int_equal(err_status(-ENOENT), 404);
    assert_int_equal(err_status(-EIO), 503);
    assert_int_equal(err_status(-ENOSPC), 507);
    assert_string_equal(err_name(-EACCES), "internal");
    assert_true(ERR_BAD_REQUEST < -4096);
}

/* A control character from outside (a newline in a username) never starts a log line. */
static void log_lines_cannot_be_forged(void **state)
{
    (void)state;
    char path[] = "/tmp/reel-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_int_equal(dup2(fd, 2), 2);
    LOG(L_WARN, "auth", "failed sign-in for '%s'", "eve\n2026-01-01T00:00:00.000Z info  auth x");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char text[512] = "";
    assert_true(pread(fd, text, sizeof(text) - 1, 0) > 0);
    close(fd);
    unlink(path);
    assert_non_null(strstr(text, "'eve\\x0a2026-01-01"));
    assert_non_null(strchr(text, '\n'));
    assert_string_equal(strchr(text, '\n'), "\n");
}

/* The workers' jobs in the tests below: each appends its name to the order; a name that
 * starts with '*' first waits at a gate. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int started;
static char order[64];

static void job(void *arg)
{
    const char *name = arg;
    pthread_mutex_lock(&gate_lock);
    started++;
    pthread_cond_broadcast(&gate_cond);
    while (*name == '*' && !gate_open)
        pthread_cond_wait(&gate_cond, &gate_lock);
    strcat(order, name);
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static void gate_reset(void)
{
    gate_open = false;
    started = 0;
    order[0] = '\0';
}

/* Waits until cond holds (under gate_lock), for at most 10 s. */
#define WAIT_UNTIL(cond)                                                                           \
    do {                                                                                           \
        struct timespec until;                                                                     \
        clock_gettime(CLOCK_REALTIME, &until);                                                     \
        until.tv_sec += 10;                                                                        \
        pthread_mutex_lock(&gate_lock);                                                            \
        while (!(cond))                                                                            \
            assert_int_equal(pthread_cond_timedwait(&gate_cond, &gate_lock, &until), 0);           \
        pthread_mutex_unlock(&gate_lock);                                                          \
    } while (0)

static void open_gate(void)
{
    pthread_mutex_lock(&gate_lock);
    gate_open = true;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static void clients_take_turns_on_the_workers(void **state)
{
    (void)state;
    gate_reset();
    struct workers *w;
    assert_int_equal(workers_new(&w, 1), 0);
    assert_int_equal(workers_run(w, "10.0.0.1", job, "*a1 "), 0);
    WAIT_UNTIL(started == 1);
    /* One client queues four more, then two others one each. */
    static const char *const mine[] = {"a2 ", "a3 ", "a4 ", "a5 "};
    for (int i = 0; i < 4; i++)
        assert_int_equal(workers_run(w, "10.0.0.1", job, (void *)mine[i]), 0);
    assert_int_equal(workers_run(w, "10.0.0.2", job, "b1 "), 0);
    assert_int_equal(workers_run(w, NULL, job, "c1 "), 0);
    open_gate();
    workers_stop(w); /* runs what was queued */
    assert_string_equal(order, "*a1 a2 b1 c1 a3 a4 a5 ");
    assert_int_equal(workers_run(w, "10.0.0.2", job, "late "), ERR_UNAVAILABLE);
    workers_free(w);
}

/* With two threads, a client busy on one leaves the other to the next client: its own
 * second job waits, another's runs. */
static void one_client_leaves_a_thread_to_the_others(void **state)
{
    (void)state;
    gate_reset();
    struct workers *w;
    assert_int_equal(workers_new(&w, 2), 0);
    assert_int_equal(workers_run(w, "10.0.0.1", job, "*a1 "), 0);
    assert_int_equal(workers_run(w, "10.0.0.1", job, "*a2 "), 0);
    assert_int_equal(workers_run(w, "10.0.0.2", job, "b1 "), 0);
    /* b1 runs while a1 holds its thread, and a2 never starts meanwhile. */
    WAIT_UNTIL(strstr(order, "b1 ") && started == 2);
    usleep(50000);
    pthread_mutex_lock(&gate_lock);
    assert_int_equal(started, 2);
    pthread_mutex_unlock(&gate_lock);
    open_gate();
    workers_free(w);
    assert_string_equal(order, "b1 *a1 *a2 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_grows_and_stays_terminated),
        cmocka_unit_test(buf_refuses_past_its_cap_and_keeps_content),
        cmocka_unit_test(numbers_never_wrap),
        cmocka_unit_test(errors_map_to_status_and_name),
        cmocka_unit_test(log_lines_cannot_be_forged),
        cmocka_unit_test(clients_take_turns_on_the_workers),
        cmocka_unit_test(one_client_leaves_a_thread_to_the_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
