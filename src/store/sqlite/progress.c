/* Playback progress and the rows continue-watching reads. */
#include "core/error.h"
#include "store/sqlite/db.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void read_progress(sqlite3_stmt *st, int first, struct store_progress *p)
{
    p->position_ms = sqlite3_column_int64(st, first);
    p->watched = sqlite3_column_int(st, first + 1);
    p->play_count = sqlite3_column_int64(st, first + 2);
    p->last_played_at = sqlite3_column_int64(st, first + 3);
    p->updated_at = sqlite3_column_int64(st, first + 4);
}

/* The file's duration and the user's progress on it; called with the lock held. */
static int progress_read(struct store *s, int64_t user, int64_t file, struct store_progress *out,
                         int64_t *duration_ms)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st =
        db_stmt(s,
                "SELECT coalesce(f.duration_ms, 0), p.position_ms, p.watched, p.play_count,"
                " coalesce(p.last_played_at, 0), p.updated_at FROM media_files f"
                " LEFT JOIN playback_progress p ON p.file_id = f.id AND p.user_id = ?1"
                " WHERE f.id = ?2",
                "ii", user, file);
    int rc = db_row(s, st, "cannot read progress");
    if (rc == 0) {
        *duration_ms = sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            read_progress(st, 1, out);
    }
    db_done(st);
    return rc;
}

int store_progress_get(struct store *s, int64_t user, int64_t file, struct store_progress *out,
                       int64_t *duration_ms)
{
    db_lock(s);
    int rc = progress_read(s, user, file, out, duration_ms);
    db_unlock(s);
    return rc;
}

/* The device's last sequence number for this file, -1 when none. */
static int64_t last_seq(struct store *s, int64_t user, int64_t file, const char *device)
{
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT seq FROM progress_devices WHERE user_id = ?1"
                               " AND file_id = ?2 AND device_id = ?3",
                               "iit", user, file, device);
    int64_t last =
        db_row(s, st, "cannot read a device's sequence") == 0 ? sqlite3_column_int64(st, 0) : -1;
    db_done(st);
    return last;
}

static int write_progress(struct store *s, int64_t user, int64_t file, const char *device,
                          int64_t seq, const struct store_progress *p)
{
    int rc = db_run(s,
                    "INSERT INTO playback_progress (user_id, file_id, position_ms, watched,"
                    " play_count, last_played_at, updated_at, device_id)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (user_id, file_id)"
                    " DO UPDATE SET position_ms = excluded.position_ms,"
                    " watched = excluded.watched, play_count = excluded.play_count,"
                    " last_played_at = excluded.last_played_at,"
                    " updated_at = excluded.updated_at, device_id = excluded.device_id",
                    "iiidiniT", user, file, p->position_ms, (int)p->watched, p->play_count,
                    p->last_played_at, p->updated_at, device);
    if (rc == 0 && *device)
        rc = db_run(s,
                    "INSERT INTO progress_devices (user_id, file_id, device_id, seq)"
                    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET seq = excluded.seq",
                    "iiti", user, file, device, seq);
    return rc;
}

int store_progress_update(struct store *s, int64_t user, int64_t file, const char *device,
                          int64_t seq, store_progress_fn fn, void *arg, struct store_progress *out,
                          int64_t *duration_ms, bool *written)
{
    *written = false;
    db_lock(s);
    int rc = db_exec(s, "BEGIN IMMEDIATE");
    if (rc < 0)
        goto unlock;
    rc = progress_read(s, user, file, out, duration_ms);
    if (rc == 0 && !fn(out, last_seq(s, user, file, device), *duration_ms, arg)) {
        rc = db_exec(s, "COMMIT");
        goto unlock;
    }
    if (rc == 0)
        rc = write_progress(s, user, file, device, seq, out);
    if (rc == 0)
        rc = db_exec(s, "COMMIT");
    if (rc == 0)
        *written = true;
    else
        (void)db_exec(s, "ROLLBACK");
unlock:
    db_unlock(s);
    return rc;
}

int store_progress_delete(struct store *s, int64_t user, int64_t file)
{
    db_lock(s);
    int rc = db_exec(s, "BEGIN IMMEDIATE");
    if (rc == 0)
        rc = db_run(s, "DELETE FROM playback_progress WHERE user_id = ?1 AND file_id = ?2", "ii",
                    user, file);
    if (rc == 0)
        rc = db_run(s, "DELETE FROM progress_devices WHERE user_id = ?1 AND file_id = ?2", "ii",
                    user, file);
    rc = rc == 0 ? db_exec(s, "COMMIT") : rc;
    if (rc < 0)
        (void)db_exec(s, "ROLLBACK");
    db_unlock(s);
    return rc;
}

/* A row of (file, item, show, titles, season, episode, duration, progress…). */
static bool recent_row(sqlite3_stmt *st, void *elem)
{
    struct store_recent *r = elem;
    r->file_id = sqlite3_column_int64(st, 0);
    r->item_id = sqlite3_column_int64(st, 1);
    r->show_id = sqlite3_column_int64(st, 2);
    snprintf(r->title, sizeof(r->title), "%s", db_text(st, 3));
    snprintf(r->show_title, sizeof(r->show_title), "%s", db_text(st, 4));
    r->season = sqlite3_column_int(st, 5);
    r->episode = sqlite3_column_int(st, 6);
    r->duration_ms = sqlite3_column_int64(st, 7);
    read_progress(st, 8, &r->p);
    return true;
}

int store_progress_recent(struct store *s, int64_t user, size_t limit, struct store_recent **out,
                          size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(
        s,
        "SELECT f.id, i.id, coalesce(sh.id, 0), i.title, coalesce(sh.title, ''),"
        " coalesce(i.season, 0), coalesce(i.episode, 0), coalesce(f.duration_ms, 0),"
        " p.position_ms, p.watched, p.play_count, coalesce(p.last_played_at, 0), p.updated_at"
        " FROM playback_progress p JOIN media_files f ON f.id = p.file_id AND f.missing = 0"
        " JOIN media_items i ON i.id = f.item_id"
        " LEFT JOIN media_items se ON se.id = i.parent_id AND i.kind = 'episode'"
        " LEFT JOIN media_items sh ON sh.id = se.parent_id"
        " WHERE p.user_id = ?1 ORDER BY p.updated_at DESC LIMIT ?2",
        "ii", user, (int64_t)limit);
    int rc = db_rows(s, st, "cannot read progress", out, n, sizeof(**out), recent_row);
    db_unlock(s);
    return rc;
}

int store_show_episodes(struct store *s, int64_t user, int64_t show_id, struct store_recent **out,
                        size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s,
                "SELECT min(f.id), e.id, sh.id, e.title, sh.title, e.season, e.episode,"
                " coalesce(f.duration_ms, 0), coalesce(max(p.position_ms), 0),"
                " coalesce(max(p.watched), 0), coalesce(max(p.play_count), 0),"
                " coalesce(max(p.last_played_at), 0), coalesce(max(p.updated_at), 0)"
                " FROM media_items sh JOIN media_items se ON se.parent_id = sh.id"
                " JOIN media_items e ON e.parent_id = se.id"
                " JOIN media_files f ON f.item_id = e.id AND f.missing = 0 AND f.error IS NULL"
                " LEFT JOIN playback_progress p ON p.file_id = f.id AND p.user_id = ?2"
                " WHERE sh.id = ?1 GROUP BY e.id ORDER BY e.season, e.episode",
                "ii", show_id, user);
    int rc = db_rows(s, st, "cannot read progress", out, n, sizeof(**out), recent_row);
    db_unlock(s);
    return rc;
}
