/* Link tokens: what is signed round-trips, and any change to a field, the key or the
 * user's epoch gives another signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "auth/link.h"
#include "core/error.h"
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

static const uint8_t key[LINK_KEY_BYTES] = "0123456789abcdef0123456789abcdef";

static void a_token_round_trips(void **state)
{
    (void)state;
    struct link l = {.key_id = 3, .user = 42, .file = 7, .expires_s = 1900000000};
    link_mac(key, &l, 5, l.mac);
    char token[LINK_TOKEN_MAX];
    link_format(&l, token);
    assert_memory_equal(token, "3.42.7.1900000000.", 18);
    assert_int_equal(strlen(token), 18 + 43);
    assert_null(strpbrk(token, "/+=?#"));
    struct link back;
    assert_int_equal(link_parse(token, strlen(token), &back), 0);
    assert_int_equal(back.key_id, 3);
    assert_int_equal(back.user, 42);
    assert_int_equal(back.file, 7);
    assert_int_equal(back.expires_s, 1900000000);
    assert_true(link_mac_equal(back.mac, l.mac));
}

static void every_field_is_signed(void **state)
{
    (void)state;
    struct link l = {.key_id = 3, .user = 42, .file = 7, .expires_s = 1900000000};
    uint8_t mac[LINK_MAC_BYTES], other[LINK_MAC_BYTES];
    link_mac(key, &l, 5, mac);
    int64_t *fields[] = {&l.key_id, &l.user, &l.file, &l.expires_s};
    for (size_t i = 0; i < 4; i++) {
        (*fields[i])++;
        link_mac(key, &l, 5, other);
        assert_false(link_mac_equal(mac, other));
        (*fields[i])--;
    }
    link_mac(key, &l, 6, other); /* signed out everywhere since */
    assert_false(link_mac_equal(mac, other));
    uint8_t key2[LINK_KEY_BYTES];
    memcpy(key2, key, sizeof(key2));
    key2[31] ^= 1;
    link_mac(key2, &l, 5, other);
    assert_false(link_mac_equal(mac, other));
    link_mac(key, &l, 5, other);
    assert_true(link_mac_equal(mac, other));
}

static void malformed_tokens_are_bad_links(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "3.42.7.1900000000",
        "3.42.7.1900000000.",
        "3.42.7.1900000000.AAAA",
        "x.42.7.1900000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "3.42..1900000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "3.42.7.99999999999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "3.42.7.1900000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
        "3.42.7.1900000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    struct link l;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (link_parse(bad[i], strlen(bad[i]), &l) != ERR_BAD_LINK)
            fail_msg("'%s' was taken for a link", bad[i]);
    const char good[] = "3.42.7.1900000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_int_equal(link_parse(good, strlen(good), &l), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_token_round_trips),
        cmocka_unit_test(every_field_is_signed),
        cmocka_unit_test(malformed_tokens_are_bad_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
