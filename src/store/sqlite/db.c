#include "store/sqlite/db.h"
#include "core/error.h"
#include "core/log.h"
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const store_migrations[];

void db_lock(struct store *s)
{
    pthread_mutex_lock(&s->lock);
}

void db_unlock(struct store *s)
{
    pthread_mutex_unlock(&s->lock);
}

uint64_t store_generation(struct store *s)
{
    return atomic_load(&s->generation);
}

void db_paths_clear(struct store *s)
{
    atomic_fetch_add(&s->generation, 1);
    pthread_rwlock_wrlock(&s->paths_lock);
    struct path_entry *e, *tmp;
    HASH_ITER(hh, s->paths, e, tmp)
    {
        HASH_DEL(s->paths, e);
        free(e->path);
        free(e);
    }
    pthread_rwlock_unlock(&s->paths_lock);
}

int db_fail(struct store *s, const char *what)
{
    LOG(L_ERROR, "store", "%s: %s", what, sqlite3_errmsg(s->db));
    return ERR_INTERNAL;
}

int db_exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        LOG(L_ERROR, "store", "cannot run '%.60s': %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return ERR_INTERNAL;
    }
    return 0;
}

/* A statement is not used twice at once: callers hold the lock and finish each before
 * preparing the same text again. */
static sqlite3_stmt *prepare(struct store *s, const char *sql)
{
    struct cached_stmt *c;
    HASH_FIND_PTR(s->stmts, &sql, c);
    if (c)
        return c->st;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        LOG(L_ERROR, "store", "cannot prepare '%.60s': %s", sql, sqlite3_errmsg(s->db));
        return NULL;
    }
    c = malloc(sizeof(*c));
    if (!c) {
        sqlite3_finalize(st);
        return NULL;
    }
    c->sql = sql;
    c->st = st;
    HASH_ADD_PTR(s->stmts, sql, c);
    return st;
}

static void bind(sqlite3_stmt *st, const char *types, va_list ap)
{
    for (int i = 1; *types; types++, i++) {
        int64_t v;
        int d;
        const char *t;
        double f;
        switch (*types) {
        case 'i':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'n':
            v = va_arg(ap, int64_t);
            if (v)
                sqlite3_bind_int64(st, i, v);
            else
                sqlite3_bind_null(st, i);
            break;
        case 'd':
            sqlite3_bind_int(st, i, va_arg(ap, int));
            break;
        case 'N':
            d = va_arg(ap, int);
            if (d >= 0)
                sqlite3_bind_int(st, i, d);
            else
                sqlite3_bind_null(st, i);
            break;
        case 't':
            sqlite3_bind_text(st, i, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
            break;
        case 'T':
            t = va_arg(ap, const char *);
            if (t && *t)
                sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i);
            break;
        case 'f':
            f = va_arg(ap, double);
            if (f > 0)
                sqlite3_bind_double(st, i, f);
            else
                sqlite3_bind_null(st, i);
            break;
        case 'h':
            sqlite3_bind_blob(st, i, va_arg(ap, const uint8_t *), 32, SQLITE_TRANSIENT);
            break;
        }
    }
}

static sqlite3_stmt *vstmt(struct store *s, const char *sql, const char *types, va_list ap)
{
    sqlite3_stmt *st = prepare(s, sql);
    if (st)
        bind(st, types, ap);
    return st;
}

sqlite3_stmt *db_stmt(struct store *s, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = vstmt(s, sql, types, ap);
    va_end(ap);
    return st;
}

int db_row(struct store *s, sqlite3_stmt *st, const char *what)
{
    if (!st)
        return ERR_INTERNAL;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        return 0;
    return step == SQLITE_DONE ? ERR_NOT_FOUND : db_fail(s, what);
}

void db_done(sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int db_run(struct store *s, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = vstmt(s, sql, types, ap);
    va_end(ap);
    if (!st)
        return ERR_INTERNAL;
    int rc = sqlite3_step(st);
    int err = 0;
    if (rc == SQLITE_CONSTRAINT)
        err = ERR_CONFLICT;
    else if (rc != SQLITE_DONE)
        err = db_fail(s, "cannot write");
    db_done(st);
    return err;
}

const char *db_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

char *db_strdup(sqlite3_stmt *st, int col, bool *failed)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    char *copy = strdup(db_text(st, col));
    if (!copy)
        *failed = true;
    return copy;
}

static int migrate(struct store *s)
{
    sqlite3_stmt *st = db_stmt(s, "PRAGMA user_version", "");
    int version =
        db_row(s, st, "cannot read the schema version") == 0 ? sqlite3_column_int(st, 0) : 0;
    db_done(st);

    for (int i = version; store_migrations[i]; i++) {
        char bump[48];
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", i + 1);
        int rc = db_exec(s, "BEGIN IMMEDIATE");
        if (rc == 0)
            rc = db_exec(s, store_migrations[i]);
        if (rc == 0)
            rc = db_exec(s, bump);
        if (rc == 0)
            rc = db_exec(s, "COMMIT");
        if (rc < 0) {
            (void)db_exec(s, "ROLLBACK");
            LOG(L_ERROR, "store", "migration %d failed", i + 1);
            return rc;
        }
        LOG(L_INFO, "store", "applied migration %d", i + 1);
    }
    return 0;
}

int store_open(struct store **out, const char *path)
{
    struct store *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    pthread_mutex_init(&s->lock, NULL);
    pthread_rwlock_init(&s->paths_lock, NULL);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        LOG(L_ERROR, "store", "cannot open '%s': %s", path, sqlite3_errmsg(s->db));
        store_close(s);
        return ERR_INTERNAL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* synchronous=NORMAL in WAL mode: a committed write survives the process being killed;
     * only a power loss can take back the last transactions. */
    int rc = db_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                        "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;");
    if (rc == 0)
        rc = migrate(s);
    if (rc < 0) {
        LOG(L_ERROR, "store", "cannot use '%s': %s", path, sqlite3_errmsg(s->db));
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    struct cached_stmt *c, *tmp;
    HASH_ITER(hh, s->stmts, c, tmp)
    {
        HASH_DEL(s->stmts, c);
        sqlite3_finalize(c->st);
        free(c);
    }
    sqlite3_close(s->db);
    db_paths_clear(s);
    pthread_rwlock_destroy(&s->paths_lock);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int db_rows(struct store *s, sqlite3_stmt *st, const char *what, void *out, size_t *n, size_t size,
            bool (*fill)(sqlite3_stmt *st, void *elem))
{
    char **array = out;
    *array = NULL;
    *n = 0;
    size_t alloc = 0;
    int rc;
    while ((rc = db_row(s, st, what)) == 0) {
        if (*n == alloc) {
            size_t more = alloc ? alloc * 2 : 16;
            char *grown = realloc(*array, more * size);
            if (!grown) {
                rc = -ENOMEM;
                break;
            }
            *array = grown;
            alloc = more;
        }
        char *elem = *array + *n * size;
        memset(elem, 0, size);
        if (fill(st, elem))
            ++*n;
    }
    db_done(st);
    if (rc == ERR_NOT_FOUND)
        return 0;
    free(*array);
    *array = NULL;
    *n = 0;
    return rc;
}
