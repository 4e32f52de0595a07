/* Background jobs and the prepared versions they make. */
#include "core/error.h"
#include "store/sqlite/db.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {"queued", "running", "done", "failed"};

const char *job_state_name(enum job_state s)
{
    return state_names[s];
}

int store_job_queue(struct store *s, const char *kind, int64_t file_id, int64_t now)
{
    db_lock(s);
    int rc =
        db_run(s,
               "INSERT INTO jobs (kind, file_id, state, queued_at) VALUES (?1, ?2, 'queued', ?3)"
               " ON CONFLICT (kind, file_id) DO UPDATE SET state = 'queued', progress = 0,"
               " error = NULL, attempts = 0, queued_at = ?3, started_at = NULL,"
               " finished_at = NULL WHERE state IN ('done', 'failed')",
               "tii", kind, file_id, now);
    db_unlock(s);
    return rc;
}

/* Columns id, kind, file_id, state, progress, error, attempts, queued_at, started_at,
 * finished_at. */
#define JOB_COLUMNS                                                                                \
    "id, kind, file_id, state, progress, error, attempts, queued_at, coalesce(started_at, 0),"     \
    " coalesce(finished_at, 0)"

static void fill_job(sqlite3_stmt *st, struct job *j)
{
    j->id = sqlite3_column_int64(st, 0);
    snprintf(j->kind, sizeof(j->kind), "%s", db_text(st, 1));
    j->file_id = sqlite3_column_int64(st, 2);
    const char *state = db_text(st, 3);
    j->state = JOB_QUEUED;
    for (int i = 0; i < 4; i++)
        if (strcmp(state, state_names[i]) == 0)
            j->state = (enum job_state)i;
    j->progress = sqlite3_column_double(st, 4);
    snprintf(j->error, sizeof(j->error), "%s", db_text(st, 5));
    j->attempts = sqlite3_column_int(st, 6);
    j->queued_at = sqlite3_column_int64(st, 7);
    j->started_at = sqlite3_column_int64(st, 8);
    j->finished_at = sqlite3_column_int64(st, 9);
}

int store_job_claim(struct store *s, int64_t now, struct job *out)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "UPDATE jobs SET state = 'running', started_at = ?1,"
                               " attempts = attempts + 1 WHERE id = (SELECT id FROM jobs"
                               " WHERE state = 'queued' ORDER BY kind <> 'prepare', queued_at,"
                               " id LIMIT 1)"
                               " RETURNING " JOB_COLUMNS,
                               "i", now);
    int rc = db_row(s, st, "cannot claim a job");
    if (rc == 0)
        fill_job(st, out);
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_jobs_queue_missing(struct store *s, const char *kind, bool episodes_only, int64_t now,
                             int *n)
{
    db_lock(s);
    int rc = db_run(s,
                    "INSERT INTO jobs (kind, file_id, state, queued_at)"
                    " SELECT ?1, f.id, 'queued', ?2 FROM media_files f"
                    " WHERE f.missing = 0 AND f.error IS NULL AND (?3 = 0 OR EXISTS (SELECT 1"
                    "  FROM media_items e WHERE e.id = f.item_id AND e.kind = 'episode'))"
                    " AND NOT EXISTS (SELECT 1 FROM jobs j"
                    "  WHERE j.kind = ?1 AND j.file_id = f.id AND (j.state IN ('queued', 'running')"
                    "  OR j.finished_at >= f.scanned_at)) ORDER BY f.id"
                    " ON CONFLICT (kind, file_id) DO UPDATE SET state = 'queued', progress = 0,"
                    " error = NULL, attempts = 0, queued_at = ?2, started_at = NULL,"
                    " finished_at = NULL",
                    "tid", kind, now, (int)episodes_only);
    *n = rc == 0 ? sqlite3_changes(s->db) : 0;
    db_unlock(s);
    return rc;
}

static bool job_row(sqlite3_stmt *st, void *elem)
{
    fill_job(st, elem);
    return true;
}

int store_jobs_list(struct store *s, struct job **out, size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT " JOB_COLUMNS " FROM jobs ORDER BY state = 'running' DESC,"
                               " state = 'queued' DESC, coalesce(finished_at, queued_at) DESC,"
                               " id LIMIT 1000",
                               "");
    int rc = db_rows(s, st, "cannot list the jobs", out, n, sizeof(**out), job_row);
    db_unlock(s);
    return rc;
}

int store_job_progress(struct store *s, int64_t id, double progress)
{
    db_lock(s);
    int rc =
        db_run(s, "UPDATE jobs SET progress = coalesce(?2, 0) WHERE id = ?1", "if", id, progress);
    db_unlock(s);
    return rc;
}

int store_job_finish(struct store *s, int64_t id, const char *error, int64_t now)
{
    db_lock(s);
    int rc = db_run(s,
                    "UPDATE jobs SET state = ?2, error = ?3, finished_at = ?4,"
                    " progress = CASE WHEN ?2 = 'done' THEN 1 ELSE progress END WHERE id = ?1",
                    "itTi", id, error ? "failed" : "done", error, now);
    db_unlock(s);
    return rc;
}

int store_job_get(struct store *s, const char *kind, int64_t file_id, struct job *out)
{
    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s, "SELECT " JOB_COLUMNS " FROM jobs WHERE kind = ?1 AND file_id = ?2", "ti", kind,
                file_id);
    int rc = db_row(s, st, "cannot read a job");
    if (rc == 0)
        fill_job(st, out);
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_job_delete(struct store *s, const char *kind, int64_t file_id)
{
    db_lock(s);
    int rc = db_run(s, "DELETE FROM jobs WHERE kind = ?1 AND file_id = ?2", "ti", kind, file_id);
    db_unlock(s);
    return rc;
}

int store_jobs_requeue(struct store *s, int *n)
{
    db_lock(s);
    int rc =
        db_run(s, "UPDATE jobs SET state = 'queued', progress = 0 WHERE state = 'running'", "");
    *n = rc == 0 ? sqlite3_changes(s->db) : 0;
    db_unlock(s);
    return rc;
}

int store_prepared_put(struct store *s, const struct prepared *p)
{
    db_lock(s);
    int rc = db_run(s,
                    "INSERT OR REPLACE INTO prepared (file_id, storage_key, size, source_size,"
                    " source_mtime, generated_at, played_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    "itiiiii", p->file_id, p->key, p->size, p->source_size, p->source_mtime,
                    p->generated_at, p->played_at);
    db_unlock(s);
    return rc;
}

#define PREPARED_COLUMNS                                                                           \
    "file_id, storage_key, size, source_size, source_mtime, generated_at, played_at"

static void fill_prepared(sqlite3_stmt *st, struct prepared *p)
{
    p->file_id = sqlite3_column_int64(st, 0);
    snprintf(p->key, sizeof(p->key), "%s", db_text(st, 1));
    p->size = sqlite3_column_int64(st, 2);
    p->source_size = sqlite3_column_int64(st, 3);
    p->source_mtime = sqlite3_column_int64(st, 4);
    p->generated_at = sqlite3_column_int64(st, 5);
    p->played_at = sqlite3_column_int64(st, 6);
}

int store_prepared_get(struct store *s, int64_t file_id, struct prepared *out)
{
    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s, "SELECT " PREPARED_COLUMNS " FROM prepared WHERE file_id = ?1", "i", file_id);
    int rc = db_row(s, st, "cannot read a prepared version");
    if (rc == 0)
        fill_prepared(st, out);
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_prepared_delete(struct store *s, int64_t file_id)
{
    db_lock(s);
    int rc = db_run(s, "DELETE FROM prepared WHERE file_id = ?1", "i", file_id);
    db_unlock(s);
    return rc;
}

int store_prepared_played(struct store *s, int64_t file_id, int64_t now)
{
    db_lock(s);
    int rc = db_run(s, "UPDATE prepared SET played_at = ?2 WHERE file_id = ?1", "ii", file_id, now);
    db_unlock(s);
    return rc;
}

static bool prepared_row(sqlite3_stmt *st, void *p)
{
    fill_prepared(st, p);
    return true;
}

int store_prepared_list(struct store *s, struct prepared **out, size_t *n)
{
    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s, "SELECT " PREPARED_COLUMNS " FROM prepared ORDER BY played_at, file_id", "");
    int rc = db_rows(s, st, "cannot list prepared versions", out, n, sizeof(**out), prepared_row);
    db_unlock(s);
    return rc;
}
