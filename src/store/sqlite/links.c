/* The keys that sign links, and each user's link epoch. */
#include "core/error.h"
#include "store/sqlite/db.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A row of id, secret, created_at, signed_until; one whose secret is not 32 bytes is not
 * one of ours. */
static bool key_row(sqlite3_stmt *st, void *elem)
{
    struct link_key *k = elem;
    if (sqlite3_column_bytes(st, 1) != (int)sizeof(k->secret))
        return false;
    k->id = sqlite3_column_int64(st, 0);
    memcpy(k->secret, sqlite3_column_blob(st, 1), sizeof(k->secret));
    k->created_at = sqlite3_column_int64(st, 2);
    k->signed_until = sqlite3_column_int64(st, 3);
    return true;
}

int store_link_keys(struct store *s, struct link_key **out, size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s, "SELECT id, secret, created_at, signed_until FROM link_keys ORDER BY id", "");
    int rc = db_rows(s, st, "cannot read the link keys", out, n, sizeof(**out), key_row);
    db_unlock(s);
    return rc;
}

int store_link_key_add(struct store *s, const uint8_t secret[32], int64_t now, int64_t *id)
{
    db_lock(s);
    int rc =
        db_run(s, "INSERT INTO link_keys (secret, created_at, signed_until) VALUES (?1, ?2, ?2)",
               "hi", secret, now);
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(s->db);
    db_unlock(s);
    return rc;
}

int store_link_key_extend(struct store *s, int64_t id, int64_t signed_until)
{
    db_lock(s);
    int rc = db_run(s, "UPDATE link_keys SET signed_until = max(signed_until, ?2) WHERE id = ?1",
                    "ii", id, signed_until);
    db_unlock(s);
    return rc;
}

int store_link_keys_prune(struct store *s, int64_t now)
{
    db_lock(s);
    int rc = db_run(s,
                    "DELETE FROM link_keys WHERE signed_until < ?1"
                    " AND id <> (SELECT max(id) FROM link_keys)",
                    "i", now);
    db_unlock(s);
    return rc;
}

int store_link_epoch(struct store *s, int64_t user_id, int64_t *epoch)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s, "SELECT link_epoch FROM users WHERE id = ?1", "i", user_id);
    int rc = db_row(s, st, "cannot read a link epoch");
    if (rc == 0)
        *epoch = sqlite3_column_int64(st, 0);
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_user_sign_out(struct store *s, int64_t user_id)
{
    db_lock(s);
    int rc = db_exec(s, "BEGIN IMMEDIATE");
    if (rc == 0)
        rc = db_run(s, "DELETE FROM auth_tokens WHERE user_id = ?1", "i", user_id);
    if (rc == 0)
        rc = db_run(s, "UPDATE users SET link_epoch = link_epoch + 1 WHERE id = ?1", "i", user_id);
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = ERR_NOT_FOUND;
    (void)db_exec(s, rc == 0 ? "COMMIT" : "ROLLBACK");
    db_unlock(s);
    return rc;
}
