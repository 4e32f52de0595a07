/* Buffers, numbers, the error table and the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/str.h"
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_grows_and_stays_terminated),
        cmocka_unit_test(buf_refuses_past_its_cap_and_keeps_content),
        cmocka_unit_test(numbers_never_wrap),
        cmocka_unit_test(errors_map_to_status_and_name),
        cmocka_unit_test(log_lines_cannot_be_forged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
