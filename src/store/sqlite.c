#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "store/store.h"
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

extern const char *const store_migrations[];

/* A prepared statement kept for reuse, keyed by the address of its SQL text, which is
 * always a string literal. */
struct cached_stmt {
    const char *sql;
    sqlite3_stmt *st;
    UT_hash_handle hh;
};

/*
 * One connection, serialised by a mutex. Every statement is short and prepared once, and
 * WAL mode lets readers of other processes (a backup, the sqlite3 shell) work while Reel
 * writes.
 */
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
};

static void paths_clear(struct store *s)
{
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

static int fail(struct store *s, const char *what)
{
    LOG(L_ERROR, "store", "%s: %s", what, sqlite3_errmsg(s->db));
    return ERR_INTERNAL;
}

static int exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        LOG(L_ERROR, "store", "cannot run '%.60s': %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return ERR_INTERNAL;
    }
    return 0;
}

/* The statement for sql, which must be a string literal; give it back with done(). A
 * statement is not used twice at once: callers hold the lock and finish each before
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

/* Makes a statement from prepare() ready for its next use. Accepts NULL. */
static void done(sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Steps a statement that returns no rows and finalizes it. */
static int run(struct store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int err = 0;
    if (rc == SQLITE_CONSTRAINT)
        err = ERR_CONFLICT;
    else if (rc != SQLITE_DONE)
        err = fail(s, "cannot write");
    done(st);
    return err;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int migrate(struct store *s)
{
    sqlite3_stmt *st = prepare(s, "PRAGMA user_version");
    if (!st)
        return ERR_INTERNAL;
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    done(st);

    for (int i = version; store_migrations[i]; i++) {
        char bump[48];
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", i + 1);
        int rc = exec(s, "BEGIN IMMEDIATE");
        if (rc == 0)
            rc = exec(s, store_migrations[i]);
        if (rc == 0)
            rc = exec(s, bump);
        if (rc == 0)
            rc = exec(s, "COMMIT");
        if (rc < 0) {
            (void)exec(s, "ROLLBACK");
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
    int rc = exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;");
    if (rc == 0)
        rc = migrate(s);
    if (rc < 0) {
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
    paths_clear(s);
    pthread_rwlock_destroy(&s->paths_lock);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

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

/* ---- users and tokens ---- */

int store_user_create(struct store *s, const char *username, const char *password_hash,
                      enum role role, int64_t *id)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "INSERT INTO users (username, password_hash, role, created_at)"
                                  " VALUES (?1, ?2, ?3, ?4)");
    if (st) {
        sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, password_hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, clock_wall_ms());
        rc = run(s, st);
        if (rc == 0 && id)
            *id = sqlite3_last_insert_rowid(s->db);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void fill_user(sqlite3_stmt *st, int first, struct user *u)
{
    u->id = sqlite3_column_int64(st, first);
    snprintf(u->username, sizeof(u->username), "%s", col_text(st, first + 1));
    u->role = strcmp(col_text(st, first + 2), "admin") == 0 ? ROLE_ADMIN : ROLE_USER;
}

int store_user_find(struct store *s, const char *username, struct user *u, char *hash,
                    size_t hash_size)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st =
        prepare(s, "SELECT id, username, role, password_hash FROM users WHERE username = ?1");
    if (st) {
        sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            fill_user(st, 0, u);
            snprintf(hash, hash_size, "%s", col_text(st, 3));
            rc = 0;
        } else {
            rc = step == SQLITE_DONE ? ERR_NOT_FOUND : fail(s, "cannot read user");
        }
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_user_count(struct store *s, int64_t *count)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "SELECT count(*) FROM users");
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    done(st);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_users_json(struct store *s, json_t **out)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    json_t *list = json_array();
    sqlite3_stmt *st = prepare(s, "SELECT id, username, role, created_at FROM users ORDER BY id");
    if (st) {
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            json_array_append_new(
                list, json_pack("{sI ss ss sI}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                                "username", col_text(st, 1), "role", col_text(st, 2), "created_at",
                                (json_int_t)sqlite3_column_int64(st, 3)));
        }
        rc = step == SQLITE_DONE ? 0 : fail(s, "cannot list users");
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

int store_token_put(struct store *s, const uint8_t hash[32], int64_t user_id, int64_t expires_at)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "INSERT INTO auth_tokens (token_hash, user_id, created_at,"
                                  " expires_at) VALUES (?1, ?2, ?3, ?4)");
    if (st) {
        int64_t now = clock_wall_ms();
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, user_id);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, expires_at);
        rc = run(s, st);
    }
    /* Expired tokens go away with each sign-in, so the table cannot grow without bound. */
    if (rc == 0) {
        st = prepare(s, "DELETE FROM auth_tokens WHERE expires_at < ?1");
        if (st) {
            sqlite3_bind_int64(st, 1, clock_wall_ms());
            (void)run(s, st);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_token_user(struct store *s, const uint8_t hash[32], int64_t now, struct user *u)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "SELECT u.id, u.username, u.role FROM auth_tokens t"
                                  " JOIN users u ON u.id = t.user_id"
                                  " WHERE t.token_hash = ?1 AND t.expires_at > ?2");
    if (st) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            fill_user(st, 0, u);
            rc = 0;
        } else {
            rc = step == SQLITE_DONE ? ERR_NOT_FOUND : fail(s, "cannot read token");
        }
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_token_delete(struct store *s, const uint8_t hash[32])
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "DELETE FROM auth_tokens WHERE token_hash = ?1");
    if (st) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
        rc = run(s, st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- library: what a scan writes ---- */

int store_folder_add(struct store *s, const char *path, int64_t *id)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "INSERT INTO library_folders (path) VALUES (?1)"
                                  " ON CONFLICT (path) DO UPDATE SET path = excluded.path"
                                  " RETURNING id");
    if (st) {
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *id = sqlite3_column_int64(st, 0);
            rc = 0;
        } else {
            rc = fail(s, "cannot add folder");
        }
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_file_state(struct store *s, const char *path, int64_t *id, int64_t *size, int64_t *mtime,
                     int *missing)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st =
        prepare(s, "SELECT id, size, mtime, missing FROM media_files WHERE path = ?1");
    if (st) {
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *id = sqlite3_column_int64(st, 0);
            *size = sqlite3_column_int64(st, 1);
            *mtime = sqlite3_column_int64(st, 2);
            *missing = sqlite3_column_int(st, 3);
            rc = 0;
        } else {
            rc = step == SQLITE_DONE ? ERR_NOT_FOUND : fail(s, "cannot read file");
        }
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_file_seen(struct store *s, int64_t file_id, int64_t scan)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "UPDATE media_files SET seen_scan = ?2 WHERE id = ?1");
    if (st) {
        sqlite3_bind_int64(st, 1, file_id);
        sqlite3_bind_int64(st, 2, scan);
        rc = run(s, st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* Finds or creates the item (kind, parent, ident); refreshes its title and year. */
static int item_upsert(struct store *s, const char *kind, int64_t parent, const char *ident,
                       const char *title, int year, int season, int episode, int episode_end,
                       int64_t *id)
{
    sqlite3_stmt *st = prepare(
        s, "INSERT INTO media_items (kind, parent_id, ident, title, year, season, episode,"
           " episode_end, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
           " ON CONFLICT (kind, coalesce(parent_id, 0), ident) DO UPDATE SET"
           " title = excluded.title, year = excluded.year, episode_end = excluded.episode_end"
           " RETURNING id");
    if (!st)
        return ERR_INTERNAL;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    bind_int_or_null(st, 2, parent);
    sqlite3_bind_text(st, 3, ident, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, title, -1, SQLITE_TRANSIENT);
    bind_int_or_null(st, 5, year);
    if (season >= 0)
        sqlite3_bind_int(st, 6, season);
    if (episode >= 0) {
        sqlite3_bind_int(st, 7, episode);
        sqlite3_bind_int(st, 8, episode_end);
    }
    sqlite3_bind_int64(st, 9, clock_wall_ms());
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        rc = fail(s, "cannot save item");
    done(st);
    return rc;
}

/* The item a file belongs to: a movie, or an episode under its season under its show. */
static int resolve_item(struct store *s, const struct media_name *n, int64_t *id)
{
    char ident[300];
    size_t i = 0;
    for (const char *p = n->title; *p && i < 280; p++)
        ident[i++] = (char)tolower((unsigned char)*p);
    snprintf(ident + i, sizeof(ident) - i, "|%d", n->year);

    if (n->kind != MEDIA_EPISODE)
        return item_upsert(s, "movie", 0, ident, n->title, n->year, -1, -1, 0, id);

    int64_t show, season;
    int rc = item_upsert(s, "show", 0, ident, n->title, n->year, -1, -1, 0, &show);
    if (rc < 0)
        return rc;
    char num[32], label[32];
    snprintf(num, sizeof(num), "%d", n->season);
    snprintf(label, sizeof(label), n->season ? "Season %d" : "Specials", n->season);
    rc = item_upsert(s, "season", show, num, label, 0, n->season, -1, 0, &season);
    if (rc < 0)
        return rc;
    snprintf(num, sizeof(num), "%d", n->episode);
    const char *title = n->episode_title[0] ? n->episode_title : "";
    char fallback[32];
    if (!*title) {
        snprintf(fallback, sizeof(fallback), "Episode %d", n->episode);
        title = fallback;
    }
    return item_upsert(s, "episode", season, num, title, 0, n->season, n->episode, n->episode_end,
                       id);
}

static int save_streams(struct store *s, int64_t file_id, const struct media_file *f)
{
    sqlite3_stmt *st = prepare(s, "DELETE FROM media_streams WHERE file_id = ?1");
    if (!st)
        return ERR_INTERNAL;
    sqlite3_bind_int64(st, 1, file_id);
    int rc = run(s, st);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < f->nstreams && rc == 0; i++) {
        const struct media_stream *m = &f->streams[i];
        st = prepare(s, "INSERT INTO media_streams (file_id, idx, type, codec, profile, level,"
                        " pix_fmt, bit_depth, width, height, frame_rate, channels,"
                        " channel_layout, sample_rate, language, title, is_default,"
                        " external_path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                        " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
        if (!st)
            return ERR_INTERNAL;
        sqlite3_bind_int64(st, 1, file_id);
        sqlite3_bind_int(st, 2, m->index);
        sqlite3_bind_text(st, 3, stream_type_name(m->type), -1, SQLITE_STATIC);
        bind_text_or_null(st, 4, m->codec);
        bind_text_or_null(st, 5, m->profile);
        bind_int_or_null(st, 6, m->level);
        bind_text_or_null(st, 7, m->pix_fmt);
        bind_int_or_null(st, 8, m->bit_depth);
        bind_int_or_null(st, 9, m->width);
        bind_int_or_null(st, 10, m->height);
        if (m->frame_rate > 0)
            sqlite3_bind_double(st, 11, m->frame_rate);
        bind_int_or_null(st, 12, m->channels);
        bind_text_or_null(st, 13, m->layout);
        bind_int_or_null(st, 14, m->sample_rate);
        bind_text_or_null(st, 15, m->language);
        bind_text_or_null(st, 16, m->title);
        sqlite3_bind_int(st, 17, m->is_default);
        bind_text_or_null(st, 18, m->external);
        rc = run(s, st);
    }
    return rc;
}

int store_file_save(struct store *s, int64_t folder_id, const struct media_file *f,
                    const struct media_name *name, int64_t scan, int64_t *file_id)
{
    pthread_mutex_lock(&s->lock);
    int64_t item = 0, id = 0;
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc < 0)
        goto out;
    if (name->kind != MEDIA_UNKNOWN) {
        rc = resolve_item(s, name, &item);
        if (rc < 0)
            goto fail;
    }
    sqlite3_stmt *st = prepare(
        s, "INSERT INTO media_files (item_id, folder_id, path, size, mtime, container,"
           " duration_ms, bitrate, error, missing, seen_scan, scanned_at)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11)"
           " ON CONFLICT (path) DO UPDATE SET item_id = excluded.item_id,"
           " folder_id = excluded.folder_id, size = excluded.size, mtime = excluded.mtime,"
           " container = excluded.container, duration_ms = excluded.duration_ms,"
           " bitrate = excluded.bitrate, error = excluded.error, missing = 0,"
           " seen_scan = excluded.seen_scan, scanned_at = excluded.scanned_at RETURNING id");
    if (!st) {
        rc = ERR_INTERNAL;
        goto fail;
    }
    bind_int_or_null(st, 1, item);
    sqlite3_bind_int64(st, 2, folder_id);
    sqlite3_bind_text(st, 3, f->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, f->size);
    sqlite3_bind_int64(st, 5, f->mtime);
    bind_text_or_null(st, 6, f->container);
    bind_int_or_null(st, 7, f->duration_ms);
    bind_int_or_null(st, 8, f->bitrate);
    bind_text_or_null(st, 9, f->error);
    sqlite3_bind_int64(st, 10, scan);
    sqlite3_bind_int64(st, 11, clock_wall_ms());
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    else
        rc = fail(s, "cannot save file");
    done(st);
    if (rc == 0)
        rc = save_streams(s, id, f);
    if (rc == 0)
        rc = exec(s, "COMMIT");
    if (rc == 0) {
        if (file_id)
            *file_id = id;
        paths_clear(s);
        goto out;
    }
fail:
    (void)exec(s, "ROLLBACK");
out:
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_folder_sweep(struct store *s, int64_t folder_id, int64_t scan, int64_t *count)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "UPDATE media_files SET missing = 1"
                                  " WHERE folder_id = ?1 AND seen_scan <> ?2 AND missing = 0");
    if (st) {
        sqlite3_bind_int64(st, 1, folder_id);
        sqlite3_bind_int64(st, 2, scan);
        rc = run(s, st);
        if (rc == 0 && count)
            *count = sqlite3_changes(s->db);
        if (rc == 0 && sqlite3_changes(s->db))
            paths_clear(s);
    }
    st = rc == 0 ? prepare(s, "UPDATE library_folders SET last_scan_at = ?2 WHERE id = ?1") : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, folder_id);
        sqlite3_bind_int64(st, 2, clock_wall_ms());
        rc = run(s, st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_file_path(struct store *s, int64_t file_id, char **path)
{
    struct path_entry *e;
    pthread_rwlock_rdlock(&s->paths_lock);
    HASH_FIND(hh, s->paths, &file_id, sizeof(file_id), e);
    *path = e ? strdup(e->path) : NULL;
    pthread_rwlock_unlock(&s->paths_lock);
    if (e)
        return *path ? 0 : -ENOMEM;

    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "SELECT path, missing FROM media_files WHERE id = ?1");
    if (st) {
        sqlite3_bind_int64(st, 1, file_id);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            rc = sqlite3_column_int(st, 1) ? ERR_FILE_MISSING : 0;
            *path = rc == 0 ? strdup(col_text(st, 0)) : NULL;
            if (rc == 0 && !*path)
                rc = -ENOMEM;
        } else {
            rc = step == SQLITE_DONE ? ERR_NOT_FOUND : fail(s, "cannot read file");
        }
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    if (rc < 0)
        return rc;

    e = malloc(sizeof(*e));
    char *copy = strdup(*path);
    if (!e || !copy) {
        free(e);
        free(copy);
        return 0; /* the answer stands; it is only not remembered */
    }
    e->id = file_id;
    e->path = copy;
    pthread_rwlock_wrlock(&s->paths_lock);
    struct path_entry *old;
    HASH_FIND(hh, s->paths, &file_id, sizeof(file_id), old);
    if (old) {
        free(copy);
        free(e);
    } else {
        HASH_ADD(hh, s->paths, id, sizeof(e->id), e);
    }
    pthread_rwlock_unlock(&s->paths_lock);
    return 0;
}

static const char select_streams[] =
    "SELECT idx, type, codec, profile, level, pix_fmt, bit_depth, width, height, frame_rate,"
    " channels, channel_layout, sample_rate, language, title, is_default, external_path"
    " FROM media_streams WHERE file_id = ?1 ORDER BY idx";

static enum stream_type parse_type(const char *t)
{
    if (strcmp(t, "video") == 0)
        return STREAM_VIDEO;
    if (strcmp(t, "audio") == 0)
        return STREAM_AUDIO;
    if (strcmp(t, "subtitle") == 0)
        return STREAM_SUBTITLE;
    return STREAM_OTHER;
}

static int read_stream(sqlite3_stmt *st, struct media_stream *m)
{
#define COPY(field, col) snprintf(m->field, sizeof(m->field), "%s", col_text(st, col))
    m->index = sqlite3_column_int(st, 0);
    m->type = parse_type(col_text(st, 1));
    COPY(codec, 2);
    COPY(profile, 3);
    m->level = sqlite3_column_int(st, 4);
    COPY(pix_fmt, 5);
    m->bit_depth = sqlite3_column_int(st, 6);
    m->width = sqlite3_column_int(st, 7);
    m->height = sqlite3_column_int(st, 8);
    m->frame_rate = sqlite3_column_double(st, 9);
    m->channels = sqlite3_column_int(st, 10);
    COPY(layout, 11);
    m->sample_rate = sqlite3_column_int(st, 12);
    COPY(language, 13);
#undef COPY
    m->is_default = sqlite3_column_int(st, 15);
    if (sqlite3_column_type(st, 14) != SQLITE_NULL && !(m->title = strdup(col_text(st, 14))))
        return -ENOMEM;
    if (sqlite3_column_type(st, 16) != SQLITE_NULL && !(m->external = strdup(col_text(st, 16))))
        return -ENOMEM;
    return 0;
}

int store_file_get(struct store *s, int64_t file_id, struct media_file *f)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(s, "SELECT id, coalesce(item_id, 0), path, size, mtime,"
                                  " coalesce(container, ''), coalesce(duration_ms, 0),"
                                  " coalesce(bitrate, 0), error, missing"
                                  " FROM media_files WHERE id = ?1");
    if (!st)
        goto out;
    sqlite3_bind_int64(st, 1, file_id);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        rc = step == SQLITE_DONE ? ERR_NOT_FOUND : fail(s, "cannot read file");
        done(st);
        goto out;
    }
    f->id = sqlite3_column_int64(st, 0);
    f->item_id = sqlite3_column_int64(st, 1);
    f->path = strdup(col_text(st, 2));
    f->size = sqlite3_column_int64(st, 3);
    f->mtime = sqlite3_column_int64(st, 4);
    snprintf(f->container, sizeof(f->container), "%s", col_text(st, 5));
    f->duration_ms = sqlite3_column_int64(st, 6);
    f->bitrate = sqlite3_column_int64(st, 7);
    if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        f->error = strdup(col_text(st, 8));
    f->missing = sqlite3_column_int(st, 9);
    done(st);
    rc = f->path ? 0 : -ENOMEM;

    st = rc == 0 ? prepare(s, select_streams) : NULL;
    if (!st) {
        rc = rc ? rc : ERR_INTERNAL;
        goto out;
    }
    sqlite3_bind_int64(st, 1, file_id);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        struct media_stream *m;
        rc = media_file_add_stream(f, &m);
        if (rc == 0)
            rc = read_stream(st, m);
    }
    done(st);
out:
    pthread_mutex_unlock(&s->lock);
    if (rc < 0)
        media_file_release(f);
    return rc;
}

/* ---- library: what the API reads ---- */

struct node {
    int64_t id;
    json_t *obj;
    UT_hash_handle hh;
};

static void nodes_free(struct node **nodes)
{
    struct node *n, *tmp;
    HASH_ITER(hh, *nodes, n, tmp)
    {
        HASH_DEL(*nodes, n);
        free(n);
    }
}

static json_t *nullable_int(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_integer(sqlite3_column_int64(st, col));
}

static json_t *nullable_text(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? json_null()
                                                       : json_string(col_text(st, col));
}

static json_t *stream_json(const struct media_stream *m)
{
    json_t *o = json_pack("{sI ss ss sb}", "index", (json_int_t)m->index, "type",
                          stream_type_name(m->type), "codec", m->codec, "default", m->is_default);
#define PUT_S(k, v)                                                                                \
    if (*(v))                                                                                      \
    json_object_set_new(o, k, json_string(v))
#define PUT_I(k, v)                                                                                \
    if (v)                                                                                         \
    json_object_set_new(o, k, json_integer(v))
    PUT_S("profile", m->profile);
    PUT_I("level", m->level);
    PUT_S("pix_fmt", m->pix_fmt);
    PUT_I("bit_depth", m->bit_depth);
    PUT_I("width", m->width);
    PUT_I("height", m->height);
    if (m->frame_rate > 0)
        json_object_set_new(o, "frame_rate", json_real(m->frame_rate));
    PUT_I("channels", m->channels);
    PUT_S("channel_layout", m->layout);
    PUT_I("sample_rate", m->sample_rate);
    PUT_S("language", m->language);
#undef PUT_S
#undef PUT_I
    if (m->title)
        json_object_set_new(o, "title", json_string(m->title));
    if (m->external)
        json_object_set_new(o, "external", json_true());
    return o;
}

/*
 * Builds the item tree below root (0: the whole library), keeping only items that have a
 * file on disk somewhere beneath them. Each item holds its files; with detail, each file
 * holds every stream, and every file user's progress. Returns the top items (those whose
 * parent is outside the tree).
 */
static int tree(struct store *s, int64_t user, int64_t root, int detail, json_t **out)
{
    struct node *nodes = NULL;
    json_t *tops = json_array();
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(
        s, "WITH RECURSIVE live(id) AS ("
           "  SELECT DISTINCT item_id FROM media_files WHERE missing = 0 AND item_id IS NOT NULL"
           "  UNION SELECT m.parent_id FROM media_items m JOIN live ON m.id = live.id"
           "  WHERE m.parent_id IS NOT NULL),"
           " sub(id) AS (SELECT id FROM media_items WHERE (?1 = 0 AND parent_id IS NULL)"
           "  OR id = ?1 UNION SELECT m.id FROM media_items m JOIN sub ON m.parent_id = sub.id)"
           " SELECT id, kind, parent_id, title, year, season, episode, episode_end"
           " FROM media_items WHERE id IN live AND id IN sub"
           " ORDER BY kind, coalesce(season, -1), coalesce(episode, -1), lower(title), year");
    if (!st)
        goto out;
    sqlite3_bind_int64(st, 1, root);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct node *n = malloc(sizeof(*n));
        if (!n) {
            rc = -ENOMEM;
            done(st);
            goto out;
        }
        n->id = sqlite3_column_int64(st, 0);
        const char *kind = col_text(st, 1);
        n->obj =
            json_pack("{sI ss so ss so}", "id", (json_int_t)n->id, "kind", kind, "parent_id",
                      nullable_int(st, 2), "title", col_text(st, 3), "year", nullable_int(st, 4));
        if (strcmp(kind, "season") == 0 || strcmp(kind, "episode") == 0)
            json_object_set_new(n->obj, "season", nullable_int(st, 5));
        if (strcmp(kind, "episode") == 0) {
            json_object_set_new(n->obj, "episode", nullable_int(st, 6));
            json_object_set_new(n->obj, "episode_end", nullable_int(st, 7));
        }
        const char *children = strcmp(kind, "show") == 0     ? "seasons"
                               : strcmp(kind, "season") == 0 ? "episodes"
                                                             : "files";
        json_object_set_new(n->obj, children, json_array());
        HASH_ADD(hh, nodes, id, sizeof(n->id), n);
    }
    done(st);

    /* uthash iterates in insertion order, which is the query's order, so seasons and
     * episodes are appended sorted. */
    struct node *n, *tmp;
    for (n = nodes; n; n = n->hh.next) {
        struct node *parent = NULL;
        json_t *pid = json_object_get(n->obj, "parent_id");
        if (json_is_integer(pid)) {
            int64_t p = json_integer_value(pid);
            HASH_FIND(hh, nodes, &p, sizeof(p), parent);
        }
        if (parent) {
            const char *key = json_object_get(parent->obj, "seasons") ? "seasons" : "episodes";
            json_array_append(json_object_get(parent->obj, key), n->obj);
        } else {
            json_array_append(tops, n->obj);
        }
    }

    st = prepare(s, "SELECT f.id, f.item_id, f.path, f.container, f.duration_ms, f.size,"
                    " f.bitrate, f.error, coalesce(p.position_ms, 0), coalesce(p.watched, 0),"
                    " coalesce(p.play_count, 0),"
                    " (SELECT codec FROM media_streams WHERE file_id = f.id AND type = 'video'"
                    "  ORDER BY idx LIMIT 1),"
                    " (SELECT codec FROM media_streams WHERE file_id = f.id AND type = 'audio'"
                    "  ORDER BY is_default DESC, idx LIMIT 1),"
                    " (SELECT width FROM media_streams WHERE file_id = f.id AND type = 'video'"
                    "  ORDER BY idx LIMIT 1),"
                    " (SELECT height FROM media_streams WHERE file_id = f.id AND type = 'video'"
                    "  ORDER BY idx LIMIT 1)"
                    " FROM media_files f LEFT JOIN playback_progress p"
                    " ON p.file_id = f.id AND p.user_id = ?1"
                    " WHERE f.missing = 0 AND f.item_id IS NOT NULL ORDER BY f.path");
    if (!st)
        goto out;
    sqlite3_bind_int64(st, 1, user);
    rc = 0;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        int64_t item = sqlite3_column_int64(st, 1);
        struct node *owner;
        HASH_FIND(hh, nodes, &item, sizeof(item), owner);
        if (!owner)
            continue;
        const char *path = col_text(st, 2);
        const char *base = strrchr(path, '/');
        int64_t duration = sqlite3_column_int64(st, 4);
        json_t *file = json_pack(
            "{sI ss so sf sI sI sI so so so so so sI sb sI}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "name", base ? base + 1 : path, "container",
            nullable_text(st, 3), "duration", duration / 1000.0, "duration_ms",
            (json_int_t)duration, "size", (json_int_t)sqlite3_column_int64(st, 5), "bitrate",
            (json_int_t)sqlite3_column_int64(st, 6), "error", nullable_text(st, 7), "video_codec",
            nullable_text(st, 11), "audio_codec", nullable_text(st, 12), "width",
            nullable_int(st, 13), "height", nullable_int(st, 14), "position_ms",
            (json_int_t)sqlite3_column_int64(st, 8), "watched", sqlite3_column_int(st, 9),
            "play_count", (json_int_t)sqlite3_column_int64(st, 10));
        if (detail) {
            json_t *streams = json_array();
            sqlite3_stmt *ss = prepare(s, select_streams);
            if (!ss) {
                rc = ERR_INTERNAL;
            } else {
                sqlite3_bind_int64(ss, 1, sqlite3_column_int64(st, 0));
                while (rc == 0 && sqlite3_step(ss) == SQLITE_ROW) {
                    struct media_stream m = {0};
                    rc = read_stream(ss, &m);
                    if (rc == 0)
                        json_array_append_new(streams, stream_json(&m));
                    free(m.title);
                    free(m.external);
                }
                done(ss);
            }
            json_object_set_new(file, "streams", streams);
        }
        json_array_append_new(json_object_get(owner->obj, "files"), file);
    }
    done(st);
out:
    HASH_ITER(hh, nodes, n, tmp)
    {
        json_decref(n->obj);
    }
    nodes_free(&nodes);
    if (rc < 0) {
        json_decref(tops);
        return rc;
    }
    *out = tops;
    return 0;
}

int store_items_json(struct store *s, int64_t user, json_t **out)
{
    pthread_mutex_lock(&s->lock);
    json_t *tops = NULL;
    int rc = tree(s, user, 0, 0, &tops);
    pthread_mutex_unlock(&s->lock);
    if (rc < 0)
        return rc;
    json_t *movies = json_array(), *shows = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(tops, i, item)
    {
        const char *kind = json_string_value(json_object_get(item, "kind"));
        json_array_append(strcmp(kind, "show") == 0 ? shows : movies, item);
    }
    json_decref(tops);
    *out = json_pack("{so so}", "movies", movies, "shows", shows);
    return 0;
}

int store_item_json(struct store *s, int64_t user, int64_t item_id, json_t **out)
{
    pthread_mutex_lock(&s->lock);
    json_t *tops = NULL;
    int rc = tree(s, user, item_id, 1, &tops);
    pthread_mutex_unlock(&s->lock);
    if (rc < 0)
        return rc;
    if (json_array_size(tops) != 1) {
        json_decref(tops);
        return ERR_NOT_FOUND;
    }
    *out = json_incref(json_array_get(tops, 0));
    json_decref(tops);
    return 0;
}

/* ---- playback progress ---- */

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
        prepare(s, "SELECT coalesce(f.duration_ms, 0), p.position_ms, p.watched, p.play_count,"
                   " coalesce(p.last_played_at, 0), p.updated_at FROM media_files f"
                   " LEFT JOIN playback_progress p ON p.file_id = f.id AND p.user_id = ?1"
                   " WHERE f.id = ?2");
    if (!st)
        return ERR_INTERNAL;
    sqlite3_bind_int64(st, 1, user);
    sqlite3_bind_int64(st, 2, file);
    int step = sqlite3_step(st);
    int rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? ERR_NOT_FOUND : fail(s, "progress");
    if (rc == 0) {
        *duration_ms = sqlite3_column_int64(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            read_progress(st, 1, out);
    }
    done(st);
    return rc;
}

int store_progress_get(struct store *s, int64_t user, int64_t file, struct store_progress *out,
                       int64_t *duration_ms)
{
    pthread_mutex_lock(&s->lock);
    int rc = progress_read(s, user, file, out, duration_ms);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_progress_update(struct store *s, int64_t user, int64_t file, const char *device,
                          int64_t seq, store_progress_fn fn, void *arg, struct store_progress *out,
                          int64_t *duration_ms, bool *written)
{
    *written = false;
    pthread_mutex_lock(&s->lock);
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc < 0)
        goto unlock;
    rc = progress_read(s, user, file, out, duration_ms);
    if (rc < 0)
        goto rollback;
    int64_t last = -1;
    sqlite3_stmt *st = prepare(s, "SELECT seq FROM progress_devices WHERE user_id = ?1"
                                  " AND file_id = ?2 AND device_id = ?3");
    if (!st) {
        rc = ERR_INTERNAL;
        goto rollback;
    }
    sqlite3_bind_int64(st, 1, user);
    sqlite3_bind_int64(st, 2, file);
    sqlite3_bind_text(st, 3, device, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        last = sqlite3_column_int64(st, 0);
    done(st);
    if (!fn(out, last, *duration_ms, arg)) {
        rc = exec(s, "COMMIT");
        goto unlock;
    }
    st = prepare(s, "INSERT INTO playback_progress (user_id, file_id, position_ms, watched,"
                    " play_count, last_played_at, updated_at, device_id)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (user_id, file_id)"
                    " DO UPDATE SET position_ms = excluded.position_ms,"
                    " watched = excluded.watched, play_count = excluded.play_count,"
                    " last_played_at = excluded.last_played_at,"
                    " updated_at = excluded.updated_at, device_id = excluded.device_id");
    if (!st) {
        rc = ERR_INTERNAL;
        goto rollback;
    }
    sqlite3_bind_int64(st, 1, user);
    sqlite3_bind_int64(st, 2, file);
    sqlite3_bind_int64(st, 3, out->position_ms);
    sqlite3_bind_int(st, 4, out->watched);
    sqlite3_bind_int64(st, 5, out->play_count);
    bind_int_or_null(st, 6, out->last_played_at);
    sqlite3_bind_int64(st, 7, out->updated_at);
    bind_text_or_null(st, 8, device);
    rc = run(s, st);
    if (rc == 0 && *device) {
        st = prepare(s, "INSERT INTO progress_devices (user_id, file_id, device_id, seq)"
                        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET seq = excluded.seq");
        rc = st ? 0 : ERR_INTERNAL;
        if (st) {
            sqlite3_bind_int64(st, 1, user);
            sqlite3_bind_int64(st, 2, file);
            sqlite3_bind_text(st, 3, device, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 4, seq);
            rc = run(s, st);
        }
    }
    if (rc == 0)
        rc = exec(s, "COMMIT");
    if (rc == 0) {
        *written = true;
        goto unlock;
    }
rollback:
    (void)exec(s, "ROLLBACK");
unlock:
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_progress_delete(struct store *s, int64_t user, int64_t file)
{
    pthread_mutex_lock(&s->lock);
    int rc = exec(s, "BEGIN IMMEDIATE");
    const char *sql[] = {"DELETE FROM playback_progress WHERE user_id = ?1 AND file_id = ?2",
                         "DELETE FROM progress_devices WHERE user_id = ?1 AND file_id = ?2"};
    for (int i = 0; i < 2 && rc == 0; i++) {
        sqlite3_stmt *st = prepare(s, sql[i]);
        if (!st) {
            rc = ERR_INTERNAL;
            break;
        }
        sqlite3_bind_int64(st, 1, user);
        sqlite3_bind_int64(st, 2, file);
        rc = run(s, st);
    }
    rc = rc == 0 ? exec(s, "COMMIT") : rc;
    if (rc < 0)
        (void)exec(s, "ROLLBACK");
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* Reads rows of (file, item, show, titles, season, episode, duration, progress…) into a
 * growing array. */
static int read_recent(struct store *s, sqlite3_stmt *st, struct store_recent **out, size_t *n)
{
    size_t alloc = 0;
    *out = NULL;
    *n = 0;
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            struct store_recent *r = realloc(*out, alloc * sizeof(*r));
            if (!r) {
                rc = -ENOMEM;
                break;
            }
            *out = r;
        }
        struct store_recent *r = &(*out)[(*n)++];
        memset(r, 0, sizeof(*r));
        r->file_id = sqlite3_column_int64(st, 0);
        r->item_id = sqlite3_column_int64(st, 1);
        r->show_id = sqlite3_column_int64(st, 2);
        snprintf(r->title, sizeof(r->title), "%s", col_text(st, 3));
        snprintf(r->show_title, sizeof(r->show_title), "%s", col_text(st, 4));
        r->season = sqlite3_column_int(st, 5);
        r->episode = sqlite3_column_int(st, 6);
        r->duration_ms = sqlite3_column_int64(st, 7);
        read_progress(st, 8, &r->p);
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = fail(s, "cannot read progress");
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int store_progress_recent(struct store *s, int64_t user, size_t limit, struct store_recent **out,
                          size_t *n)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st = prepare(
        s, "SELECT f.id, i.id, coalesce(sh.id, 0), i.title, coalesce(sh.title, ''),"
           " coalesce(i.season, 0), coalesce(i.episode, 0), coalesce(f.duration_ms, 0),"
           " p.position_ms, p.watched, p.play_count, coalesce(p.last_played_at, 0), p.updated_at"
           " FROM playback_progress p JOIN media_files f ON f.id = p.file_id AND f.missing = 0"
           " JOIN media_items i ON i.id = f.item_id"
           " LEFT JOIN media_items se ON se.id = i.parent_id AND i.kind = 'episode'"
           " LEFT JOIN media_items sh ON sh.id = se.parent_id"
           " WHERE p.user_id = ?1 ORDER BY p.updated_at DESC LIMIT ?2");
    if (st) {
        sqlite3_bind_int64(st, 1, user);
        sqlite3_bind_int64(st, 2, (int64_t)limit);
        rc = read_recent(s, st, out, n);
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_show_episodes(struct store *s, int64_t user, int64_t show_id, struct store_recent **out,
                        size_t *n)
{
    pthread_mutex_lock(&s->lock);
    int rc = ERR_INTERNAL;
    sqlite3_stmt *st =
        prepare(s, "SELECT min(f.id), e.id, sh.id, e.title, sh.title, e.season, e.episode,"
                   " coalesce(f.duration_ms, 0), coalesce(max(p.position_ms), 0),"
                   " coalesce(max(p.watched), 0), coalesce(max(p.play_count), 0),"
                   " coalesce(max(p.last_played_at), 0), coalesce(max(p.updated_at), 0)"
                   " FROM media_items sh JOIN media_items se ON se.parent_id = sh.id"
                   " JOIN media_items e ON e.parent_id = se.id"
                   " JOIN media_files f ON f.item_id = e.id AND f.missing = 0 AND f.error IS NULL"
                   " LEFT JOIN playback_progress p ON p.file_id = f.id AND p.user_id = ?2"
                   " WHERE sh.id = ?1 GROUP BY e.id ORDER BY e.season, e.episode");
    if (st) {
        sqlite3_bind_int64(st, 1, show_id);
        sqlite3_bind_int64(st, 2, user);
        rc = read_recent(s, st, out, n);
        done(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}
