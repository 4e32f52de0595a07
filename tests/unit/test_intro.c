/* The longest run two fingerprints share (library/intro.c), on made-up items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "library/intro.h"
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

static uint32_t next(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void a_shared_run_is_found_where_it_is(void **state)
{
    (void)state;
    enum { NA = 900, NB = 1000, INTRO = 150, AT_A = 100, AT_B = 400 };
    uint32_t a[NA], b[NB], intro[INTRO], seed = 1;
    for (size_t i = 0; i < INTRO; i++)
        intro[i] = next(&seed);
    for (size_t i = 0; i < NA; i++)
        a[i] = next(&seed);
    for (size_t i = 0; i < NB; i++)
        b[i] = next(&seed);
    for (size_t i = 0; i < INTRO; i++) {
        a[AT_A + i] = intro[i];
        /* A few bits off, and one item in ten far off: still the same audio. */
        b[AT_B + i] = i % 10 == 3 ? ~intro[i] : intro[i] ^ (1u << (i % 32)) ^ (1u << 7);
    }
    struct fp_match m;
    assert_true(fp_longest_common(a, NA, b, NB, 10.0, &m));
    assert_int_equal(m.first, AT_A);
    assert_int_equal(m.last, AT_A + INTRO - 1);
    assert_int_equal(m.shift, AT_A - AT_B);
    assert_int_equal(m.matching, INTRO - INTRO / 10);
    double start, end;
    fp_match_range(&m, true, &start, &end);
    assert_true(fabs(start - (AT_B * FP_ITEM_S + FP_LEAD_S)) < 1e-9);
    assert_true(fabs(end - ((AT_B + INTRO - 1) * FP_ITEM_S + FP_TAIL_S)) < 1e-9);
    /* Too short for an intro of 30 s (150 items are 18.6 s). */
    assert_false(fp_longest_common(a, NA, b, NB, 30.0, &m));
    /* Nothing shared. */
    for (size_t i = 0; i < INTRO; i++)
        b[AT_B + i] = next(&seed);
    assert_false(fp_longest_common(a, NA, b, NB, 5.0, &m));
    assert_false(fp_longest_common(a, 0, b, NB, 5.0, &m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_shared_run_is_found_where_it_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
