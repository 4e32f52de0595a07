#pragma once
#include "store/store.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <uthash.h>

/*
 * What the SQLite store's files share: the connection and the statement helper
 * (docs/internals/store.md). One connection, serialised by a mutex: every function of
 * store.h takes the lock with db_lock(), runs its statements, and lets go. Statements are
 * prepared once and kept, keyed by the address of their SQL text, which is always a string
 * literal.
 */
struct cached_stmt {
    const char *sql;
    sqlite3_stmt *st;
    UT_hash_handle hh;
};

struct path_entry {
    int64_t id;
    char *path;
    UT_hash_handle hh;
};

struct store {
    sqlite3 *db;
    pthread_mutex_t lock;
    struct cached_stmt *stmts;
    /* Paths of files on disk by id, for direct play; emptied whenever a scan changes files. */
    pthread_rwlock_t paths_lock;
    struct path_entry *paths;
    _Atomic uint64_t generation; /* moves on with every db_paths_clear() */
};

void db_lock(struct store *s);
void db_unlock(struct store *s);
/* Logs what failed with SQLite's message; returns ERR_INTERNAL. */
int db_fail(struct store *s, const char *what);
/* Runs SQL text without parameters (transactions, pragmas, migrations). */
int db_exec(struct store *s, const char *sql);

/*
 * The statement for sql with its parameters ?1, ?2, … bound from the arguments, one letter
 * of types for each:
 *   'i' an int64_t          'n' an int64_t, bound as NULL when 0
 *   'd' an int              'N' an int, bound as NULL when negative
 *   't' a text              'T' a text, bound as NULL when NULL or ""
 *   'f' a double, bound as NULL when not above 0
 *   'h' a 32-byte hash
 * NULL (and logged) when it cannot be prepared. Give it back with db_done().
 */
sqlite3_stmt *db_stmt(struct store *s, const char *sql, const char *types, ...);
/* Steps st: 0 with a row to read, ERR_NOT_FOUND when there is none, ERR_INTERNAL when
 * st is NULL or the step fails. */
int db_row(struct store *s, sqlite3_stmt *st, const char *what) WUR;
/* Resets st for its next use. Accepts NULL. */
void db_done(sqlite3_stmt *st);
/* Binds, runs a statement that returns no rows, and resets it: 0, ERR_CONFLICT for a
 * constraint, or ERR_INTERNAL. */
int db_run(struct store *s, const char *sql, const char *types, ...);
/* Reads every row of st into a new array *out of size-byte elements, each zeroed and then
 * filled by fill(st, elem), which returns false to leave its row out. 0 (also for no
 * rows), or an error (what names the failure) with *out NULL and *n 0. Gives st back. */
int db_rows(struct store *s, sqlite3_stmt *st, const char *what, void *out, size_t *n, size_t size,
            bool (*fill)(sqlite3_stmt *st, void *elem)) WUR;
/* A text column, "" for NULL. */
const char *db_text(sqlite3_stmt *st, int col);
/* A text column copied, NULL for NULL; *failed is set when memory runs out. */
char *db_strdup(sqlite3_stmt *st, int col, bool *failed);

/* The streams of a file, in index order; *out is an array media_file_release() can free as
 * a file's streams. */
int db_read_streams(struct store *s, int64_t file_id, struct media_stream **out, size_t *n) WUR;
/* The chapters of a file, in order, likewise. */
int db_read_chapters(struct store *s, int64_t file_id, struct media_chapter **out, size_t *n) WUR;

/* Forgets every remembered path and moves the generation on: a scan changed files. */
void db_paths_clear(struct store *s);
