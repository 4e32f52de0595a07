#pragma once
#include "auth/link.h"
#include "core/compat.h"
#include "store/store.h"
#include <stdint.h>

/*
 * Sign-in: argon2id password hashes, random 256-bit tokens kept only as hashes, and a
 * brake on guessing. Tokens go to clients as 64 hex characters.
 */
#define AUTH_TOKEN_HEX 64

struct auth;

/* ttl_s is how long a token stays valid. */
int auth_new(struct auth **out, struct store *store, int64_t ttl_s) WUR;
void auth_free(struct auth *a);

/* Creates a user with an argon2id hash of password. ERR_CONFLICT if the name is taken. */
int auth_user_create(struct auth *a, const char *username, const char *password, enum role role,
                     int64_t *id) WUR;

/*
 * Checks a username and password from a client at addr. On success fills token (with its
 * NUL) and u. Wrong credentials are ERR_BAD_CREDENTIALS. After repeated failures for the
 * same username from the same address (3), for the same username from anywhere (10), or
 * for anything on the whole server (100 in 10 s), attempts are refused with ERR_THROTTLED
 * until *retry_after seconds pass, without checking the password.
 */
int auth_login(struct auth *a, const char *username, const char *password, const char *addr,
               char token[AUTH_TOKEN_HEX + 1], struct user *u, int *retry_after) WUR;
/* The user a token belongs to; ERR_UNAUTHORIZED when it is unknown, malformed or expired. */
int auth_check(struct auth *a, const char *token, struct user *u) WUR;
int auth_logout(struct auth *a, const char *token) WUR;
/* Ends every sign-in of the user and voids every link the user was given. */
int auth_sign_out_everywhere(struct auth *a, int64_t user_id) WUR;

/*
 * Links for players that cannot send a header (auth/link.h). auth_link_sign() writes a
 * token letting user_id play file_id until expires_s (Unix seconds), signed with the
 * newest key (a new one after a week; old ones verify until their links expire).
 * auth_link_check() gives the user and file of a token of len bytes: ERR_BAD_LINK when it
 * is malformed, forged, signed by a key no longer kept, or voided by signing out
 * everywhere; ERR_LINK_EXPIRED when it was good but its time is up.
 */
int auth_link_sign(struct auth *a, int64_t user_id, int64_t file_id, int64_t expires_s,
                   char token[LINK_TOKEN_MAX]) WUR;
int auth_link_check(struct auth *a, const char *token, size_t len, int64_t *user_id,
                    int64_t *file_id) WUR;
