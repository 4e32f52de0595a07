#pragma once
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
