#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Signed links for players that cannot send a header: the token sits in the path,
 * "/s/<token>/…", so every relative URI of a playlist inherits it. A token is
 *   <key id>.<user>.<file>.<expiry>.<signature>
 * with the expiry in Unix seconds and the signature HMAC-SHA256, in unpadded base64url,
 * over the user, the file, the expiry and the user's link epoch (which "sign out
 * everywhere" raises), under the key the id names. Pure: no I/O and no clock.
 */
enum { LINK_KEY_BYTES = 32, LINK_MAC_BYTES = 32, LINK_TOKEN_MAX = 160 };

struct link {
    int64_t key_id, user, file, expires_s;
    uint8_t mac[LINK_MAC_BYTES];
};

/* The signature of l's fields (mac itself is not read) with epoch, under key. */
void link_mac(const uint8_t key[LINK_KEY_BYTES], const struct link *l, int64_t epoch,
              uint8_t out[LINK_MAC_BYTES]);
/* Writes l as a token, with its NUL; out has LINK_TOKEN_MAX bytes. */
void link_format(const struct link *l, char out[LINK_TOKEN_MAX]);
/* Reads a token of len bytes; ERR_BAD_LINK when it is not one. */
int link_parse(const char *token, size_t len, struct link *l) WUR;
/* Whether two signatures are equal, in time that does not depend on where they differ. */
bool link_mac_equal(const uint8_t a[LINK_MAC_BYTES], const uint8_t b[LINK_MAC_BYTES]);
