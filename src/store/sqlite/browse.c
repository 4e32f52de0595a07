/* The library as the API shows it: the item tree with its files and a user's progress. */
#include "core/error.h"
#include "store/sqlite/db.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Items by id while the tree is built. */
struct node {
    int64_t id;
    struct library_item *item;
    UT_hash_handle hh;
};

void library_item_free(struct library_item *it)
{
    if (!it)
        return;
    for (size_t i = 0; i < it->nchildren; i++)
        library_item_free(it->children[i]);
    free(it->children);
    for (size_t i = 0; i < it->nfiles; i++) {
        struct library_file *f = &it->files[i];
        free(f->name);
        free(f->error);
        struct media_file media = {.streams = f->streams,
                                   .nstreams = f->nstreams,
                                   .chapters = f->chapters,
                                   .nchapters = f->nchapters};
        media_file_release(&media);
    }
    free(it->files);
    free(it->title);
    free(it);
}

void library_release(struct library *l)
{
    for (size_t i = 0; i < l->n; i++)
        library_item_free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static int append_item(struct library_item ***list, size_t *n, struct library_item *it)
{
    struct library_item **grown = realloc(*list, (*n + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    grown[(*n)++] = it;
    *list = grown;
    return 0;
}

static int nullable_int(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int(st, col);
}

/* Reads the items below root (0: the whole library) that have a file on disk somewhere
 * beneath them, in the query's order. */
static int read_items(struct store *s, int64_t root, struct node **nodes)
{
    sqlite3_stmt *st = db_stmt(
        s,
        "WITH RECURSIVE live(id) AS ("
        "  SELECT DISTINCT item_id FROM media_files WHERE missing = 0 AND item_id IS NOT NULL"
        "  UNION SELECT m.parent_id FROM media_items m JOIN live ON m.id = live.id"
        "  WHERE m.parent_id IS NOT NULL),"
        " sub(id) AS (SELECT id FROM media_items WHERE (?1 = 0 AND parent_id IS NULL)"
        "  OR id = ?1 UNION SELECT m.id FROM media_items m JOIN sub ON m.parent_id = sub.id)"
        " SELECT id, kind, coalesce(parent_id, 0), title, coalesce(year, 0), season, episode,"
        " episode_end FROM media_items WHERE id IN live AND id IN sub"
        " ORDER BY kind, coalesce(season, -1), coalesce(episode, -1), lower(title), year",
        "i", root);
    int rc;
    while ((rc = db_row(s, st, "cannot read the library")) == 0) {
        struct node *n = malloc(sizeof(*n));
        struct library_item *it = calloc(1, sizeof(*it));
        bool failed = !n || !it;
        if (it) {
            it->id = sqlite3_column_int64(st, 0);
            snprintf(it->kind, sizeof(it->kind), "%s", db_text(st, 1));
            it->parent_id = sqlite3_column_int64(st, 2);
            it->title = db_strdup(st, 3, &failed);
            it->year = sqlite3_column_int(st, 4);
            it->season = nullable_int(st, 5);
            it->episode = nullable_int(st, 6);
            it->episode_end = nullable_int(st, 7);
        }
        if (failed || !it->title) {
            free(n);
            library_item_free(it);
            rc = -ENOMEM;
            break;
        }
        n->id = it->id;
        n->item = it;
        HASH_ADD(hh, *nodes, id, sizeof(n->id), n);
    }
    db_done(st);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int read_file(sqlite3_stmt *st, struct library_file *f)
{
    bool failed = false;
    const char *path = db_text(st, 2);
    const char *base = strrchr(path, '/');
    f->id = sqlite3_column_int64(st, 0);
    f->name = strdup(base ? base + 1 : path);
    snprintf(f->container, sizeof(f->container), "%s", db_text(st, 3));
    f->duration_ms = sqlite3_column_int64(st, 4);
    f->size = sqlite3_column_int64(st, 5);
    f->bitrate = sqlite3_column_int64(st, 6);
    f->error = db_strdup(st, 7, &failed);
    f->p.position_ms = sqlite3_column_int64(st, 8);
    f->p.watched = sqlite3_column_int(st, 9);
    f->p.play_count = sqlite3_column_int64(st, 10);
    snprintf(f->video_codec, sizeof(f->video_codec), "%s", db_text(st, 11));
    snprintf(f->audio_codec, sizeof(f->audio_codec), "%s", db_text(st, 12));
    f->width = sqlite3_column_int(st, 13);
    f->height = sqlite3_column_int(st, 14);
    f->prepared = sqlite3_column_int(st, 15);
    return failed || !f->name ? -ENOMEM : 0;
}

/* Adds the files on disk, with user's progress, to the items they belong to. */
static int read_files(struct store *s, int64_t user, bool detail, struct node *nodes)
{
    sqlite3_stmt *st =
        db_stmt(s,
                "SELECT f.id, f.item_id, f.path, f.container, f.duration_ms, f.size,"
                " f.bitrate, f.error, coalesce(p.position_ms, 0), coalesce(p.watched, 0),"
                " coalesce(p.play_count, 0),"
                " (SELECT codec FROM media_streams WHERE file_id = f.id AND type = 'video'"
                "  ORDER BY idx LIMIT 1),"
                " (SELECT codec FROM media_streams WHERE file_id = f.id AND type = 'audio'"
                "  ORDER BY is_default DESC, idx LIMIT 1),"
                " (SELECT width FROM media_streams WHERE file_id = f.id AND type = 'video'"
                "  ORDER BY idx LIMIT 1),"
                " (SELECT height FROM media_streams WHERE file_id = f.id AND type = 'video'"
                "  ORDER BY idx LIMIT 1),"
                " EXISTS (SELECT 1 FROM prepared WHERE file_id = f.id)"
                " FROM media_files f LEFT JOIN playback_progress p"
                " ON p.file_id = f.id AND p.user_id = ?1"
                " WHERE f.missing = 0 AND f.item_id IS NOT NULL ORDER BY f.path",
                "i", user);
    int rc;
    while ((rc = db_row(s, st, "cannot read the library's files")) == 0) {
        int64_t item = sqlite3_column_int64(st, 1);
        struct node *owner;
        HASH_FIND(hh, nodes, &item, sizeof(item), owner);
        if (!owner)
            continue;
        struct library_item *it = owner->item;
        struct library_file *grown = realloc(it->files, (it->nfiles + 1) * sizeof(*grown));
        if (!grown) {
            rc = -ENOMEM;
            break;
        }
        it->files = grown;
        struct library_file *f = &it->files[it->nfiles++];
        memset(f, 0, sizeof(*f));
        rc = read_file(st, f);
        if (rc < 0)
            break;
    }
    db_done(st);
    if (rc != ERR_NOT_FOUND)
        return rc;
    /* Streams are read after the files' statement is done with. */
    struct node *n, *tmp;
    HASH_ITER(hh, nodes, n, tmp)
    {
        for (size_t i = 0; detail && i < n->item->nfiles; i++) {
            struct library_file *f = &n->item->files[i];
            rc = db_read_streams(s, f->id, &f->streams, &f->nstreams);
            if (rc == 0)
                rc = db_read_chapters(s, f->id, &f->chapters, &f->nchapters);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* Hangs each item under its parent, or among the tops when its parent is outside the tree.
 * uthash iterates in insertion order, the query's, so children are appended sorted. */
static int link(struct node *nodes, struct library *out)
{
    for (struct node *n = nodes; n; n = n->hh.next) {
        struct node *parent = NULL;
        if (n->item->parent_id)
            HASH_FIND(hh, nodes, &n->item->parent_id, sizeof(int64_t), parent);
        int rc = parent ? append_item(&parent->item->children, &parent->item->nchildren, n->item)
                        : append_item(&out->items, &out->n, n->item);
        if (rc < 0)
            return rc;
        n->item = NULL; /* now owned by the tree */
    }
    return 0;
}

static int tree(struct store *s, int64_t user, int64_t root, bool detail, struct library *out)
{
    memset(out, 0, sizeof(*out));
    struct node *nodes = NULL;
    db_lock(s);
    int rc = read_items(s, root, &nodes);
    if (rc == 0)
        rc = read_files(s, user, detail, nodes);
    db_unlock(s);
    if (rc == 0)
        rc = link(nodes, out);
    struct node *n, *tmp;
    HASH_ITER(hh, nodes, n, tmp)
    {
        HASH_DEL(nodes, n);
        library_item_free(n->item);
        free(n);
    }
    if (rc < 0)
        library_release(out);
    return rc;
}

int store_library(struct store *s, int64_t user, struct library *out)
{
    return tree(s, user, 0, false, out);
}

int store_library_item(struct store *s, int64_t user, int64_t item_id, struct library_item **out)
{
    struct library l;
    int rc = tree(s, user, item_id, true, &l);
    if (rc < 0)
        return rc;
    if (l.n != 1) {
        library_release(&l);
        return ERR_NOT_FOUND;
    }
    *out = l.items[0];
    free(l.items);
    return 0;
}
