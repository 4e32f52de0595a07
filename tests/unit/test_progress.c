/* The progress rules: percent, the 90 % line, the server's duration, stale sequences,
 * resume, and the event bus's per-user delivery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "progress/events.h"
#include "progress/rules.h"
#include <cmocka.h>
#include <errno.h>
#include <string.h>

enum { MIN = 60000, HOUR = 60 * MIN };

static void percent_is_clamped_and_uses_the_given_duration(void **state)
{
    (void)state;
    assert_float_equal(progress_percent(0, HOUR), 0, 1e-9);
    assert_float_equal(progress_percent(HOUR / 4, HOUR), 25, 1e-9);
    assert_float_equal(progress_percent(HOUR, HOUR), 100, 1e-9);
    assert_float_equal(progress_percent(2 * HOUR, HOUR), 100, 1e-9);
    assert_float_equal(progress_percent(-5, HOUR), 0, 1e-9);
    assert_float_equal(progress_percent(MIN, 0), 0, 1e-9);
}

static void the_90_percent_line(void **state)
{
    (void)state;
    struct progress p = {0};
    /* One millisecond short of 90 % is not watched; 90 % exactly is. */
    progress_apply(&p, HOUR * 9 / 10 - 1, EVENT_TIMEUPDATE, HOUR, 1000);
    assert_false(p.watched);
    assert_int_equal(p.play_count, 0);
    progress_apply(&p, HOUR * 9 / 10, EVENT_TIMEUPDATE, HOUR, 2000);
    assert_true(p.watched);
    assert_int_equal(p.play_count, 1);
    assert_int_equal(p.last_played_at, 2000);
    /* Staying past the line is still one play. */
    progress_apply(&p, HOUR * 95 / 100, EVENT_PAUSE, HOUR, 3000);
    progress_apply(&p, HOUR, EVENT_ENDED, HOUR, 4000);
    assert_int_equal(p.play_count, 1);
    assert_int_equal(p.position_ms, HOUR);
    /* Watched stays; the position is kept; there is no resume. */
    progress_apply(&p, 10 * MIN, EVENT_SEEK, HOUR, 5000);
    assert_true(p.watched);
    assert_int_equal(p.position_ms, 10 * MIN);
    assert_false(progress_resumable(&p));
    /* Watching to the line again is another play. */
    progress_apply(&p, HOUR * 91 / 100, EVENT_TIMEUPDATE, HOUR, 6000);
    assert_int_equal(p.play_count, 2);
}

static void ended_counts_even_early(void **state)
{
    (void)state;
    struct progress p = {0};
    progress_apply(&p, 20 * MIN, EVENT_ENDED, HOUR, 1000);
    assert_true(p.watched);
    assert_int_equal(p.play_count, 1);
    assert_int_equal(p.position_ms, HOUR);
}

static void the_duration_is_the_servers(void **state)
{
    (void)state;
    /* A player that thinks the title is 3 minutes long (what an HLS player has loaded so
     * far) reports 2:50; against the real hour that is not watched. */
    struct progress p = {0};
    progress_apply(&p, 170000, EVENT_TIMEUPDATE, HOUR, 1000);
    assert_false(p.watched);
    assert_true(progress_percent(p.position_ms, HOUR) < 5);
    /* A position past the real end is the end. */
    progress_apply(&p, 2 * HOUR, EVENT_TIMEUPDATE, HOUR, 2000);
    assert_int_equal(p.position_ms, HOUR);
    assert_true(p.watched);
}

static void resume_needs_the_minimum(void **state)
{
    (void)state;
    struct progress p = {0};
    assert_false(progress_resumable(&p));
    p.position_ms = PROGRESS_MIN_RESUME_MS;
    assert_false(progress_resumable(&p));
    p.position_ms = PROGRESS_MIN_RESUME_MS + 1;
    assert_true(progress_resumable(&p));
    p.watched = true;
    assert_false(progress_resumable(&p));
}

static void marking_by_hand(void **state)
{
    (void)state;
    struct progress p = {.position_ms = 30 * MIN};
    progress_mark(&p, true, 1000);
    assert_true(p.watched);
    assert_int_equal(p.play_count, 1);
    assert_int_equal(p.position_ms, 30 * MIN);
    progress_mark(&p, true, 2000);
    assert_int_equal(p.play_count, 1);
    progress_mark(&p, false, 3000);
    assert_false(p.watched);
    assert_int_equal(p.position_ms, 0);
}

static void stale_sequences_lose(void **state)
{
    (void)state;
    assert_false(progress_stale(-1, 0)); /* nothing stored yet */
    assert_false(progress_stale(4, 5));
    assert_true(progress_stale(5, 5)); /* a retried request */
    assert_true(progress_stale(5, 3)); /* a delayed one */
}

static void events_parse_by_name(void **state)
{
    (void)state;
    enum progress_event e;
    assert_int_equal(progress_event_parse("ended", &e), 0);
    assert_int_equal(e, EVENT_ENDED);
    assert_string_equal(progress_event_name(EVENT_SEEK), "seek");
    assert_int_equal(progress_event_parse("rewind", &e), -EINVAL);
}

static int parks, wakes;
static void park(void *ctx)
{
    (void)ctx;
    parks++;
}
static void wake(void *ctx)
{
    (void)ctx;
    wakes++;
}

static void the_bus_keeps_users_apart_and_resumes(void **state)
{
    (void)state;
    struct events *b;
    assert_int_equal(events_new(&b, 32), 0);
    struct subscriber *ann, *bob;
    assert_int_equal(events_subscribe(b, 1, 0, park, wake, NULL, &ann), 0);
    assert_int_equal(events_subscribe(b, 2, 0, park, wake, NULL, &bob), 0);
    char buf[4096];
    /* The opening comment, then nothing: parked. */
    assert_int_equal(events_read(ann, buf, sizeof(buf)), 8);
    assert_int_equal(events_read(bob, buf, sizeof(buf)), 8);
    parks = wakes = 0;
    assert_int_equal(events_read(ann, buf, sizeof(buf)), 0);
    assert_int_equal(events_read(bob, buf, sizeof(buf)), 0);
    assert_int_equal(parks, 2);

    assert_int_equal(events_publish(b, 1, "progress", "{\"a\":1}"), 0);
    assert_int_equal(wakes, 1); /* only ann's stream */
    long n = events_read(ann, buf, sizeof(buf));
    buf[n] = '\0';
    assert_string_equal(buf, "id: 1\nevent: progress\ndata: {\"a\":1}\n\n");
    assert_int_equal(events_read(bob, buf, sizeof(buf)), 0);

    /* A reconnect with Last-Event-ID gets what came after it. */
    assert_int_equal(events_publish(b, 1, "progress", "{\"a\":2}"), 0);
    assert_int_equal(events_publish(b, 2, "progress", "{\"b\":1}"), 0);
    assert_int_equal(events_publish(b, 1, "progress", "{\"a\":3}"), 0);
    struct subscriber *again;
    assert_int_equal(events_subscribe(b, 1, 1, park, wake, NULL, &again), 0);
    n = events_read(again, buf, sizeof(buf));
    buf[n] = '\0';
    assert_non_null(strstr(buf, "id: 2\n"));
    assert_non_null(strstr(buf, "id: 4\n"));
    assert_null(strstr(buf, "id: 3\n")); /* bob's */
    assert_null(strstr(buf, "\"b\""));

    events_unsubscribe(ann);
    events_unsubscribe(bob);
    events_close(b);
    assert_int_equal(events_read(again, buf, sizeof(buf)), -1);
    events_unsubscribe(again);
    events_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percent_is_clamped_and_uses_the_given_duration),
        cmocka_unit_test(the_90_percent_line),
        cmocka_unit_test(ended_counts_even_early),
        cmocka_unit_test(the_duration_is_the_servers),
        cmocka_unit_test(resume_needs_the_minimum),
        cmocka_unit_test(marking_by_hand),
        cmocka_unit_test(stale_sequences_lose),
        cmocka_unit_test(events_parse_by_name),
        cmocka_unit_test(the_bus_keeps_users_apart_and_resumes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
