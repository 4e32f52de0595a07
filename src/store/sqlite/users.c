/* Users and sign-in tokens. */
#include "core/clock.h"
#include "core/error.h"
#include "store/sqlite/db.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *role_name(enum role r)
{
    return r == ROLE_ADMIN ? "admin" : "user";
}

int role_parse(const char *name, enum role *out)
{
    if (strcmp(name, "admin") == 0)
        *out = ROLE_ADMIN;
    else if (strcmp(name, "user") == 0)
        *out = ROLE_USER;
    else
        return ERR_BAD_REQUEST;
    return 0;
}

int store_user_create(struct store *s, const char *username, const char *password_hash,
                      enum role role, int64_t *id)
{
    db_lock(s);
    int rc = db_run(s,
                    "INSERT INTO users (username, password_hash, role, created_at)"
                    " VALUES (?1, ?2, ?3, ?4)",
                    "ttti", username, password_hash, role_name(role), clock_wall_ms());
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    db_unlock(s);
    return rc;
}

/* Columns id, username, role, created_at from first on. */
static void fill_user(sqlite3_stmt *st, int first, struct user *u)
{
    u->id = sqlite3_column_int64(st, first);
    snprintf(u->username, sizeof(u->username), "%s", db_text(st, first + 1));
    u->role = strcmp(db_text(st, first + 2), "admin") == 0 ? ROLE_ADMIN : ROLE_USER;
    u->created_at = sqlite3_column_int64(st, first + 3);
}

int store_user_find(struct store *s, const char *username, struct user *u, char *hash,
                    size_t hash_size)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT id, username, role, created_at, password_hash FROM users"
                               " WHERE username = ?1",
                               "t", username);
    int rc = db_row(s, st, "cannot read user");
    if (rc == 0) {
        fill_user(st, 0, u);
        snprintf(hash, hash_size, "%s", db_text(st, 4));
    }
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_user_count(struct store *s, int64_t *count)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s, "SELECT count(*) FROM users", "");
    int rc = db_row(s, st, "cannot count users");
    if (rc == 0)
        *count = sqlite3_column_int64(st, 0);
    db_done(st);
    db_unlock(s);
    return rc;
}

static bool user_row(sqlite3_stmt *st, void *u)
{
    fill_user(st, 0, u);
    return true;
}

int store_users_list(struct store *s, struct user **out, size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s, "SELECT id, username, role, created_at FROM users ORDER BY id", "");
    int rc = db_rows(s, st, "cannot list users", out, n, sizeof(**out), user_row);
    db_unlock(s);
    return rc;
}

int store_token_put(struct store *s, const uint8_t hash[32], int64_t user_id, int64_t expires_at)
{
    db_lock(s);
    int64_t now = clock_wall_ms();
    int rc = db_run(s,
                    "INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at)"
                    " VALUES (?1, ?2, ?3, ?4)",
                    "hiii", hash, user_id, now, expires_at);
    /* Expired tokens go away with each sign-in, so the table cannot grow without bound. */
    if (rc == 0)
        (void)db_run(s, "DELETE FROM auth_tokens WHERE expires_at < ?1", "i", now);
    db_unlock(s);
    return rc;
}

int store_token_user(struct store *s, const uint8_t hash[32], int64_t now, struct user *u)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT u.id, u.username, u.role, u.created_at FROM auth_tokens t"
                               " JOIN users u ON u.id = t.user_id"
                               " WHERE t.token_hash = ?1 AND t.expires_at > ?2",
                               "hi", hash, now);
    int rc = db_row(s, st, "cannot read token");
    if (rc == 0)
        fill_user(st, 0, u);
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_token_delete(struct store *s, const uint8_t hash[32])
{
    db_lock(s);
    int rc = db_run(s, "DELETE FROM auth_tokens WHERE token_hash = ?1", "h", hash);
    db_unlock(s);
    return rc;
}
