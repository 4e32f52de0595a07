/* The Range parser: every case of Go's ServeFileRangeTests, then malformed and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "http/range.h"
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

struct want {
    const char *header;
    uint64_t size;
    enum range_result result;
    size_t n;
    struct byte_range r[3]; /* start, length */
};

enum { LEN = 11 }; /* Go's testFileLen */

static const struct want cases[] = {
    /* net/http ServeFileRangeTests, with Go's [start, end) turned into (start, length). */
    {"", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=0-4", LEN, RANGE_PARTIAL, 1, {{0, 5}}},
    {"bytes=2-", LEN, RANGE_PARTIAL, 1, {{2, LEN - 2}}},
    {"bytes=-5", LEN, RANGE_PARTIAL, 1, {{LEN - 5, 5}}},
    {"bytes=3-7", LEN, RANGE_PARTIAL, 1, {{3, 5}}},
    {"bytes=0-0,-2", LEN, RANGE_PARTIAL, 2, {{0, 1}, {LEN - 2, 2}}},
    {"bytes=0-1,5-8", LEN, RANGE_PARTIAL, 2, {{0, 2}, {5, 4}}},
    {"bytes=0-1,5-", LEN, RANGE_PARTIAL, 2, {{0, 2}, {5, LEN - 5}}},
    {"bytes=5-1000", LEN, RANGE_PARTIAL, 1, {{5, LEN - 5}}},
    {"bytes=0-,1-,2-,3-,4-", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=0-9", LEN, RANGE_PARTIAL, 1, {{0, LEN - 1}}},
    {"bytes=0-10", LEN, RANGE_PARTIAL, 1, {{0, LEN}}},
    {"bytes=0-11", LEN, RANGE_PARTIAL, 1, {{0, LEN}}},
    {"bytes=10-11", LEN, RANGE_PARTIAL, 1, {{LEN - 1, 1}}},
    {"bytes=10-", LEN, RANGE_PARTIAL, 1, {{LEN - 1, 1}}},
    {"bytes=11-", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=11-12", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=12-12", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=11-100", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=12-100", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=100-", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=100-1000", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    /* Suffixes longer than the body, whitespace and empty elements. */
    {"bytes=-100", LEN, RANGE_PARTIAL, 1, {{0, LEN}}},
    {"bytes= 1-2 , 4-5", LEN, RANGE_PARTIAL, 2, {{1, 2}, {4, 2}}},
    {"bytes=1-2,,4-5", LEN, RANGE_PARTIAL, 2, {{1, 2}, {4, 2}}},
    {"bytes=-0", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=0-", 0, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=100-,1-2", LEN, RANGE_PARTIAL, 1, {{1, 2}}},
    /* Malformed headers are ignored: the whole body goes out. */
    {NULL, LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=abc", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=-", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=--1", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=5-1", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=+1-2", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=1-2x", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=0-1,junk", LEN, RANGE_FULL, 0, {{0}}},
    {"items=0-1", LEN, RANGE_FULL, 0, {{0}}},
    {"Bytes=0-1", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes 0-1", LEN, RANGE_FULL, 0, {{0}}},
    /* Overflow attempts: too many digits is malformed, never a wrap-around. */
    {"bytes=18446744073709551616-", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=0-18446744073709551617", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=-18446744073709551616", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=9223372036854775808-", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=0-99999999999999999999999999999", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=9223372036854775806-9223372036854775807", LEN, RANGE_UNSATISFIABLE, 0, {{0}}},
    {"bytes=0-9223372036854775807", LEN, RANGE_PARTIAL, 1, {{0, LEN}}},
    /* Overlaps and too many ranges answer with the body once. */
    {"bytes=0-5,3-8", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=0-1,0-1", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=-3,8-9", LEN, RANGE_FULL, 0, {{0}}},
    {"bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10",
     LEN,
     RANGE_PARTIAL,
     11,
     {{0, 1}, {1, 1}, {2, 1}}},
};

static void parses_like_go_and_nginx(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct want *w = &cases[i];
        struct byte_range got[RANGE_MAX];
        size_t n = 99;
        enum range_result res = range_parse(w->header, w->size, got, &n);
        int bad = res != w->result || n != w->n;
        for (size_t k = 0; !bad && k < n && k < 3; k++)
            bad = got[k].start != w->r[k].start || got[k].length != w->r[k].length;
        if (bad) {
            print_error("\"%s\" (size %llu): expected result %d with %zu ranges (first %llu+%llu), "
                        "got result %d with %zu ranges (first %llu+%llu)\n",
                        w->header ? w->header : "(null)", (unsigned long long)w->size, w->result,
                        w->n, (unsigned long long)w->r[0].start, (unsigned long long)w->r[0].length,
                        res, n, (unsigned long long)(n ? got[0].start : 0),
                        (unsigned long long)(n ? got[0].length : 0));
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void caps_the_number_of_ranges(void **state)
{
    (void)state;
    char header[1024] = "bytes=";
    for (int i = 0; i < RANGE_MAX + 1; i++)
        snprintf(header + strlen(header), sizeof(header) - strlen(header), "%s%d-%d", i ? "," : "",
                 i * 2, i * 2);
    struct byte_range got[RANGE_MAX];
    size_t n;
    assert_int_equal(range_parse(header, 1000, got, &n), RANGE_FULL);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_like_go_and_nginx),
        cmocka_unit_test(caps_the_number_of_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
