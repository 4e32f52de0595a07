#include "core/error.h"
#include "store/sqlite/db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_segment_put(struct store *s, const struct media_segment *m)
{
    db_lock(s);
    int rc =
        db_run(s,
               "INSERT INTO media_segments (file_id, kind, source, start_ms, end_ms,"
               " confidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (file_id, kind,"
               " source) DO UPDATE SET start_ms = excluded.start_ms, end_ms ="
               " excluded.end_ms, confidence = excluded.confidence",
               "ittiif", m->file_id, m->kind, m->source, m->start_ms, m->end_ms, m->confidence);
    db_unlock(s);
    return rc;
}

static bool segment_row(sqlite3_stmt *st, void *elem)
{
    struct media_segment *m = elem;
    m->file_id = sqlite3_column_int64(st, 0);
    snprintf(m->kind, sizeof(m->kind), "%s", db_text(st, 1));
    snprintf(m->source, sizeof(m->source), "%s", db_text(st, 2));
    m->start_ms = sqlite3_column_int64(st, 3);
    m->end_ms = sqlite3_column_int64(st, 4);
    m->confidence = sqlite3_column_double(st, 5);
    return true;
}

int store_segments(struct store *s, int64_t file_id, struct media_segment **out, size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT file_id, kind, source, start_ms, end_ms, confidence"
                               " FROM media_segments WHERE file_id = ?1 ORDER BY start_ms",
                               "i", file_id);
    int rc = db_rows(s, st, "cannot read the segments", out, n, sizeof(**out), segment_row);
    db_unlock(s);
    return rc;
}

static bool id_row(sqlite3_stmt *st, void *elem)
{
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
    return true;
}

int store_season_files(struct store *s, int64_t file_id, int64_t **out, size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT f.id FROM media_files f JOIN media_items e ON e.id ="
                               " f.item_id WHERE e.kind = 'episode' AND f.missing = 0 AND"
                               " e.parent_id = (SELECT e2.parent_id FROM media_files f2 JOIN"
                               " media_items e2 ON e2.id = f2.item_id WHERE f2.id = ?1 AND"
                               " e2.kind = 'episode') ORDER BY e.episode, f.id",
                               "i", file_id);
    int rc = db_rows(s, st, "cannot list the season's files", out, n, sizeof(**out), id_row);
    db_unlock(s);
    return rc;
}
