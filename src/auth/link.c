#include "auth/link.h"
#include "core/error.h"
#include "core/str.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

void link_mac(const uint8_t key[LINK_KEY_BYTES], const struct link *l, int64_t epoch,
              uint8_t out[LINK_MAC_BYTES])
{
    /* A fixed-width message: nothing can be shifted from one field into the next. */
    int64_t fields[] = {l->key_id, l->user, l->file, l->expires_s, epoch};
    uint8_t msg[8 + sizeof(fields)] = "reellnk1";
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        for (int b = 0; b < 8; b++)
            msg[8 + i * 8 + (size_t)b] = (uint8_t)((uint64_t)fields[i] >> (56 - 8 * b));
    crypto_auth_hmacsha256(out, msg, sizeof(msg), key);
}

void link_format(const struct link *l, char out[LINK_TOKEN_MAX])
{
    char mac[sodium_base64_ENCODED_LEN(LINK_MAC_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(mac, sizeof(mac), l->mac, LINK_MAC_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, LINK_TOKEN_MAX, "%lld.%lld.%lld.%lld.%s", (long long)l->key_id,
             (long long)l->user, (long long)l->file, (long long)l->expires_s, mac);
}

int link_parse(const char *token, size_t len, struct link *l)
{
    struct str rest = {token, len};
    int64_t *fields[] = {&l->key_id, &l->user, &l->file, &l->expires_s};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *dot = memchr(rest.ptr, '.', rest.len);
        uint64_t v;
        if (!dot || str_to_u64((struct str){rest.ptr, (size_t)(dot - rest.ptr)}, INT64_MAX, &v) < 0)
            return ERR_BAD_LINK;
        *fields[i] = (int64_t)v;
        rest.len -= (size_t)(dot - rest.ptr) + 1;
        rest.ptr = dot + 1;
    }
    size_t n = 0;
    /* 43 characters for 32 bytes; base64url's alphabet has no '.' or '/'. */
    if (rest.len != 43 ||
        sodium_base642bin(l->mac, LINK_MAC_BYTES, rest.ptr, rest.len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != LINK_MAC_BYTES)
        return ERR_BAD_LINK;
    return 0;
}

bool link_mac_equal(const uint8_t a[LINK_MAC_BYTES], const uint8_t b[LINK_MAC_BYTES])
{
    return crypto_verify_32(a, b) == 0;
}
