/* Library folders and files: what a scan writes, and the files playback reads. */
#include "core/clock.h"
#include "core/error.h"
#include "store/sqlite/db.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_folder_add(struct store *s, const char *path, int64_t *id)
{
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "INSERT INTO library_folders (path) VALUES (?1)"
                               " ON CONFLICT (path) DO UPDATE SET path = excluded.path"
                               " RETURNING id",
                               "t", path);
    int rc = db_row(s, st, "cannot add folder");
    if (rc == 0)
        *id = sqlite3_column_int64(st, 0);
    db_done(st);
    db_unlock(s);
    return rc == ERR_NOT_FOUND ? ERR_INTERNAL : rc;
}

int store_file_state(struct store *s, const char *path, int64_t *id, int64_t *size, int64_t *mtime,
                     int *missing)
{
    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s, "SELECT id, size, mtime, missing FROM media_files WHERE path = ?1", "t", path);
    int rc = db_row(s, st, "cannot read file");
    if (rc == 0) {
        *id = sqlite3_column_int64(st, 0);
        *size = sqlite3_column_int64(st, 1);
        *mtime = sqlite3_column_int64(st, 2);
        *missing = sqlite3_column_int(st, 3);
    }
    db_done(st);
    db_unlock(s);
    return rc;
}

int store_file_seen(struct store *s, int64_t file_id, int64_t scan)
{
    db_lock(s);
    int rc = db_run(s, "UPDATE media_files SET seen_scan = ?2 WHERE id = ?1", "ii", file_id, scan);
    db_unlock(s);
    return rc;
}

/* One item to find or create by (kind, parent, ident); its title and year are refreshed.
 * Numbers that do not apply are -1. */
struct item_key {
    const char *kind;
    int64_t parent;
    const char *ident;
    const char *title;
    int year;
    int season, episode, episode_end;
};

static int item_upsert(struct store *s, const struct item_key *k, int64_t *id)
{
    sqlite3_stmt *st =
        db_stmt(s,
                "INSERT INTO media_items (kind, parent_id, ident, title, year, season, episode,"
                " episode_end, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                " ON CONFLICT (kind, coalesce(parent_id, 0), ident) DO UPDATE SET"
                " title = excluded.title, year = excluded.year, episode_end = excluded.episode_end"
                " RETURNING id",
                "tnttnNNNi", k->kind, k->parent, k->ident, k->title, (int64_t)k->year, k->season,
                k->episode, k->episode >= 0 ? k->episode_end : -1, clock_wall_ms());
    int rc = db_row(s, st, "cannot save item");
    if (rc == 0)
        *id = sqlite3_column_int64(st, 0);
    db_done(st);
    return rc == ERR_NOT_FOUND ? ERR_INTERNAL : rc;
}

/* The item a file belongs to: a movie, or an episode under its season under its show. */
static int resolve_item(struct store *s, const struct media_name *n, int64_t *id)
{
    char ident[300];
    size_t i = 0;
    for (const char *p = n->title; *p && i < 280; p++)
        ident[i++] = (char)tolower((unsigned char)*p);
    snprintf(ident + i, sizeof(ident) - i, "|%d", n->year);

    struct item_key k = {"movie", 0, ident, n->title, n->year, -1, -1, -1};
    if (n->kind != MEDIA_EPISODE)
        return item_upsert(s, &k, id);

    int64_t show, season;
    k.kind = "show";
    int rc = item_upsert(s, &k, &show);
    if (rc < 0)
        return rc;
    char num[32], label[32];
    snprintf(num, sizeof(num), "%d", n->season);
    snprintf(label, sizeof(label), n->season ? "Season %d" : "Specials", n->season);
    k = (struct item_key){"season", show, num, label, 0, n->season, -1, -1};
    rc = item_upsert(s, &k, &season);
    if (rc < 0)
        return rc;
    snprintf(num, sizeof(num), "%d", n->episode);
    char fallback[32];
    snprintf(fallback, sizeof(fallback), "Episode %d", n->episode);
    k = (struct item_key){
        "episode", season,    num,        n->episode_title[0] ? n->episode_title : fallback,
        0,         n->season, n->episode, n->episode_end};
    return item_upsert(s, &k, id);
}

static int save_streams(struct store *s, int64_t file_id, const struct media_file *f)
{
    int rc = db_run(s, "DELETE FROM media_streams WHERE file_id = ?1", "i", file_id);
    for (size_t i = 0; i < f->nstreams && rc == 0; i++) {
        const struct media_stream *m = &f->streams[i];
        rc = db_run(s,
                    "INSERT INTO media_streams (file_id, idx, type, codec, profile, level,"
                    " pix_fmt, bit_depth, width, height, frame_rate, channels,"
                    " channel_layout, sample_rate, language, title, is_default,"
                    " external_path, field_order, color_transfer, color_primaries, sar_num,"
                    " sar_den, rotation, forced, sdh) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                    " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,"
                    " ?24, ?25, ?26)",
                    "idtTTnTnnnfnTnTTdTTTTnnndd", file_id, m->index, stream_type_name(m->type),
                    m->codec, m->profile, (int64_t)m->level, m->pix_fmt, (int64_t)m->bit_depth,
                    (int64_t)m->width, (int64_t)m->height, m->frame_rate, (int64_t)m->channels,
                    m->layout, (int64_t)m->sample_rate, m->language, m->title, (int)m->is_default,
                    m->external, m->field_order, m->color_transfer, m->color_primaries,
                    (int64_t)m->sar_num, (int64_t)m->sar_den, (int64_t)m->rotation, (int)m->forced,
                    (int)m->sdh);
    }
    return rc;
}

static int save_chapters(struct store *s, int64_t file_id, const struct media_file *f)
{
    int rc = db_run(s, "DELETE FROM media_chapters WHERE file_id = ?1", "i", file_id);
    for (size_t i = 0; i < f->nchapters && rc == 0; i++) {
        const struct media_chapter *c = &f->chapters[i];
        rc = db_run(s,
                    "INSERT INTO media_chapters (file_id, idx, start_ms, end_ms, title)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)",
                    "iiiiT", file_id, (int64_t)i, c->start_ms, c->end_ms, c->title);
    }
    return rc;
}

static int save_file(struct store *s, int64_t item, int64_t folder_id, const struct media_file *f,
                     int64_t scan, int64_t *id)
{
    sqlite3_stmt *st =
        db_stmt(s,
                "INSERT INTO media_files (item_id, folder_id, path, size, mtime, container,"
                " duration_ms, bitrate, error, missing, seen_scan, scanned_at, start_ms)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12)"
                " ON CONFLICT (path) DO UPDATE SET item_id = excluded.item_id,"
                " folder_id = excluded.folder_id, size = excluded.size, mtime = excluded.mtime,"
                " container = excluded.container, duration_ms = excluded.duration_ms,"
                " bitrate = excluded.bitrate, error = excluded.error, missing = 0,"
                " seen_scan = excluded.seen_scan, scanned_at = excluded.scanned_at,"
                " start_ms = excluded.start_ms RETURNING id",
                "nitiiTnnTiii", item, folder_id, f->path, f->size, f->mtime, f->container,
                f->duration_ms, f->bitrate, f->error, scan, clock_wall_ms(), f->start_ms);
    int rc = db_row(s, st, "cannot save file");
    if (rc == 0)
        *id = sqlite3_column_int64(st, 0);
    db_done(st);
    return rc == ERR_NOT_FOUND ? ERR_INTERNAL : rc;
}

int store_file_save(struct store *s, int64_t folder_id, const struct media_file *f,
                    const struct media_name *name, int64_t scan, int64_t *file_id)
{
    db_lock(s);
    int64_t item = 0, id = 0;
    int rc = db_exec(s, "BEGIN IMMEDIATE");
    if (rc < 0)
        goto out;
    if (name->kind != MEDIA_UNKNOWN)
        rc = resolve_item(s, name, &item);
    if (rc == 0)
        rc = save_file(s, item, folder_id, f, scan, &id);
    if (rc == 0)
        rc = save_streams(s, id, f);
    if (rc == 0)
        rc = save_chapters(s, id, f);
    if (rc == 0)
        rc = db_exec(s, "COMMIT");
    if (rc < 0) {
        (void)db_exec(s, "ROLLBACK");
        goto out;
    }
    if (file_id)
        *file_id = id;
    db_paths_clear(s);
out:
    db_unlock(s);
    return rc;
}

int store_folder_sweep(struct store *s, int64_t folder_id, int64_t scan, int64_t *count)
{
    db_lock(s);
    int rc = db_run(s,
                    "UPDATE media_files SET missing = 1"
                    " WHERE folder_id = ?1 AND seen_scan <> ?2 AND missing = 0",
                    "ii", folder_id, scan);
    int changed = rc == 0 ? sqlite3_changes(s->db) : 0;
    if (count)
        *count = changed;
    if (changed)
        db_paths_clear(s);
    if (rc == 0)
        rc = db_run(s, "UPDATE library_folders SET last_scan_at = ?2 WHERE id = ?1", "ii",
                    folder_id, clock_wall_ms());
    db_unlock(s);
    return rc;
}

/* Remembers a path read from the database; without memory, it is only not remembered. */
static void remember_path(struct store *s, int64_t file_id, const char *path)
{
    struct path_entry *e = malloc(sizeof(*e));
    char *copy = strdup(path);
    if (!e || !copy) {
        free(e);
        free(copy);
        return;
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

    db_lock(s);
    sqlite3_stmt *st =
        db_stmt(s, "SELECT path, missing FROM media_files WHERE id = ?1", "i", file_id);
    int rc = db_row(s, st, "cannot read file");
    if (rc == 0 && sqlite3_column_int(st, 1))
        rc = ERR_FILE_MISSING;
    if (rc == 0) {
        *path = strdup(db_text(st, 0));
        rc = *path ? 0 : -ENOMEM;
    }
    db_done(st);
    db_unlock(s);
    if (rc == 0)
        remember_path(s, file_id, *path);
    return rc;
}

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
#define COPY(field, col) snprintf(m->field, sizeof(m->field), "%s", db_text(st, col))
    m->index = sqlite3_column_int(st, 0);
    m->type = parse_type(db_text(st, 1));
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
    COPY(field_order, 17);
    COPY(color_transfer, 18);
    COPY(color_primaries, 19);
#undef COPY
    m->sar_num = sqlite3_column_int(st, 20);
    m->sar_den = sqlite3_column_int(st, 21);
    m->rotation = sqlite3_column_int(st, 22);
    m->is_default = sqlite3_column_int(st, 15);
    m->forced = sqlite3_column_int(st, 23);
    m->sdh = sqlite3_column_int(st, 24);
    bool failed = false;
    m->title = db_strdup(st, 14, &failed);
    m->external = db_strdup(st, 16, &failed);
    return failed ? -ENOMEM : 0;
}

/* The end of reading rows into f: the last step's error unless rc is one; f released
 * after an error. */
static int rows_read(int rc, int step, struct media_file *f)
{
    if (rc == 0 && step != ERR_NOT_FOUND)
        rc = step;
    if (rc < 0)
        media_file_release(f);
    return rc;
}

int db_read_streams(struct store *s, int64_t file_id, struct media_stream **out, size_t *n)
{
    struct media_file f = {0};
    sqlite3_stmt *st = db_stmt(
        s,
        "SELECT idx, type, codec, profile, level, pix_fmt, bit_depth, width, height, frame_rate,"
        " channels, channel_layout, sample_rate, language, title, is_default, external_path,"
        " field_order, color_transfer, color_primaries, sar_num, sar_den, rotation, forced, sdh"
        " FROM media_streams WHERE file_id = ?1 ORDER BY idx",
        "i", file_id);
    int rc = 0, step;
    while (rc == 0 && (step = db_row(s, st, "cannot read streams")) == 0) {
        struct media_stream *m;
        rc = media_file_add_stream(&f, &m);
        if (rc == 0)
            rc = read_stream(st, m);
    }
    db_done(st);
    rc = rows_read(rc, step, &f);
    if (rc < 0)
        return rc;
    *out = f.streams;
    *n = f.nstreams;
    return 0;
}

int db_read_chapters(struct store *s, int64_t file_id, struct media_chapter **out, size_t *n)
{
    struct media_file f = {0};
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT start_ms, end_ms, title FROM media_chapters"
                               " WHERE file_id = ?1 ORDER BY idx",
                               "i", file_id);
    int rc = 0, step;
    while (rc == 0 && (step = db_row(s, st, "cannot read chapters")) == 0)
        rc = media_file_add_chapter(&f, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                    (const char *)sqlite3_column_text(st, 2));
    db_done(st);
    rc = rows_read(rc, step, &f);
    if (rc < 0)
        return rc;
    *out = f.chapters;
    *n = f.nchapters;
    return 0;
}

int store_file_get(struct store *s, int64_t file_id, struct media_file *f)
{
    memset(f, 0, sizeof(*f));
    db_lock(s);
    sqlite3_stmt *st = db_stmt(s,
                               "SELECT id, coalesce(item_id, 0), path, size, mtime,"
                               " coalesce(container, ''), coalesce(duration_ms, 0),"
                               " coalesce(bitrate, 0), error, missing, coalesce(start_ms, 0)"
                               " FROM media_files WHERE id = ?1",
                               "i", file_id);
    int rc = db_row(s, st, "cannot read file");
    if (rc == 0) {
        bool failed = false;
        f->id = sqlite3_column_int64(st, 0);
        f->item_id = sqlite3_column_int64(st, 1);
        f->path = db_strdup(st, 2, &failed);
        f->size = sqlite3_column_int64(st, 3);
        f->mtime = sqlite3_column_int64(st, 4);
        snprintf(f->container, sizeof(f->container), "%s", db_text(st, 5));
        f->duration_ms = sqlite3_column_int64(st, 6);
        f->bitrate = sqlite3_column_int64(st, 7);
        f->error = db_strdup(st, 8, &failed);
        f->missing = sqlite3_column_int(st, 9);
        f->start_ms = sqlite3_column_int64(st, 10);
        rc = failed || !f->path ? -ENOMEM : 0;
    }
    db_done(st);
    if (rc == 0)
        rc = db_read_streams(s, file_id, &f->streams, &f->nstreams);
    if (rc == 0)
        rc = db_read_chapters(s, file_id, &f->chapters, &f->nchapters);
    db_unlock(s);
    if (rc < 0)
        media_file_release(f);
    return rc;
}
