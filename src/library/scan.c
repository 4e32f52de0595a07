#include "library/scan.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "library/name.h"
#include "library/poster.h"
#include "library/probe.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_DEPTH = 24 };

struct candidate {
    char *path;
    size_t rel; /* offset of the path below the library folder */
    int folder;
    int64_t id;          /* the file's, once saved or found unchanged */
    int64_t duration_ms; /* for its poster; 0 when it could not be probed */
};

struct scanner {
    struct store *store;
    char **folders;
    size_t nfolders;
    int threads;

    pthread_mutex_t lock;
    pthread_cond_t idle;
    pthread_t thread;
    bool joinable;
    atomic_bool stop;
    atomic_bool cut_posters; /* a new scan wants the thread: posters can wait for it */
    struct scan_status status;

    /* The running scan's work list; only the scan's threads touch it. */
    struct candidate *files;
    size_t nfiles, alloc;
    atomic_size_t next;
    int64_t scan_id;
    int64_t *folder_ids;
    char *posters, *ffmpeg;
    void (*on_done)(void *ctx);
    void *on_done_ctx;
};

__attribute__((format(printf, 2, 3))) static void add_error(struct scanner *sc, const char *fmt,
                                                            ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    LOG(L_WARN, "scan", "%s", msg);
    pthread_mutex_lock(&sc->lock);
    if (sc->status.nerrors < SCAN_MAX_ERRORS)
        snprintf(sc->status.errors[sc->status.nerrors++], sizeof(sc->status.errors[0]), "%s", msg);
    pthread_mutex_unlock(&sc->lock);
}

static int push(struct scanner *sc, const char *path, size_t rel, int folder)
{
    if (sc->nfiles == sc->alloc) {
        size_t alloc = sc->alloc ? sc->alloc * 2 : 256;
        struct candidate *c = realloc(sc->files, alloc * sizeof(*c));
        if (!c)
            return -ENOMEM;
        sc->files = c;
        sc->alloc = alloc;
    }
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    sc->files[sc->nfiles++] = (struct candidate){copy, rel, folder, 0, 0};
    pthread_mutex_lock(&sc->lock);
    sc->status.found++;
    pthread_mutex_unlock(&sc->lock);
    return 0;
}

/* Whether path lies inside root (both canonical). */
static bool inside(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int walk(struct scanner *sc, const char *root, const char *dir, int folder, int depth)
{
    if (depth > MAX_DEPTH || atomic_load(&sc->stop))
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        add_error(sc, "cannot read folder '%s': %s", dir, strerror(errno));
        return depth == 0 ? -errno : 0;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
            continue;
        struct stat st;
        if (lstat(path, &st) < 0)
            continue;
        if (S_ISLNK(st.st_mode)) {
            /* A link is followed only when its target stays inside the library folder. */
            char target[PATH_MAX];
            if (!realpath(path, target) || !inside(target, root) || stat(target, &st) < 0) {
                LOG(L_DEBUG, "scan", "not following '%s': it leaves the library", path);
                continue;
            }
        }
        if (S_ISDIR(st.st_mode))
            rc = walk(sc, root, path, folder, depth + 1);
        else if (S_ISREG(st.st_mode) && name_is_video(path) &&
                 !name_is_extra(path + strlen(root) + 1))
            rc = push(sc, path, strlen(root) + 1, folder);
    }
    closedir(d);
    return rc;
}

static void count(struct scanner *sc, int64_t *field)
{
    pthread_mutex_lock(&sc->lock);
    (*field)++;
    sc->status.done++;
    pthread_mutex_unlock(&sc->lock);
}

static void handle(struct scanner *sc, struct candidate *c)
{
    struct stat st;
    if (stat(c->path, &st) < 0) {
        count(sc, &sc->status.failed);
        return;
    }
    int64_t id, size, mtime;
    int missing;
    int rc = store_file_state(sc->store, c->path, &id, &size, &mtime, &missing);
    if (rc == 0 && size == st.st_size && mtime == (int64_t)st.st_mtime && !missing) {
        c->id = id;
        c->duration_ms = -1; /* looked up only if its poster is missing */
        if (store_file_seen(sc->store, id, sc->scan_id) < 0)
            LOG(L_WARN, "scan", "cannot record '%s' as seen", c->path);
        count(sc, &sc->status.unchanged);
        return;
    }

    struct media_file f = {.size = st.st_size, .mtime = st.st_mtime};
    f.path = strdup(c->path);
    rc = f.path ? probe_file(&f) : -ENOMEM;
    if (rc == 0)
        rc = probe_sidecars(&f);
    struct media_name name;
    name_parse(c->path + c->rel, &name);
    if (rc == 0)
        rc = store_file_save(sc->store, sc->folder_ids[c->folder], &f, &name, sc->scan_id, &c->id);
    if (rc == 0 && !f.error)
        c->duration_ms = f.duration_ms;
    if (rc < 0) {
        LOG(L_ERROR, "scan", "cannot save '%s': %s", c->path, err_message(rc));
        count(sc, &sc->status.failed);
    } else if (f.error) {
        LOG(L_WARN, "scan", "'%s': %s", c->path, f.error);
        count(sc, &sc->status.failed);
    } else {
        count(sc, &sc->status.probed);
    }
    media_file_release(&f);
}

static void *worker(void *arg)
{
    struct scanner *sc = arg;
    size_t i;
    while (!atomic_load(&sc->stop) && (i = atomic_fetch_add(&sc->next, 1)) < sc->nfiles)
        handle(sc, &sc->files[i]);
    return NULL;
}

/* After the files: posters for those that have none, one ffmpeg at a time, so that the
 * scan's own figures and the library listing are not held up by them. */
static void make_posters(struct scanner *sc)
{
    if (!sc->posters || !sc->ffmpeg)
        return;
    for (size_t i = 0; i < sc->nfiles; i++) {
        if (atomic_load(&sc->stop) || atomic_load(&sc->cut_posters))
            break;
        struct candidate *c = &sc->files[i];
        if (!c->id || !c->duration_ms)
            continue;
        if (c->duration_ms < 0) {
            struct media_file f;
            if (store_file_get(sc->store, c->id, &f) < 0)
                continue;
            c->duration_ms = f.error ? 0 : f.duration_ms;
            media_file_release(&f);
        }
        if (c->duration_ms > 0 &&
            poster_make(sc->ffmpeg, sc->posters, c->id, c->path, c->duration_ms) < 0)
            LOG(L_WARN, "scan", "cannot make a poster for '%s'", c->path);
        pthread_mutex_lock(&sc->lock);
        sc->status.posters_pending--;
        pthread_mutex_unlock(&sc->lock);
    }
}

static void *run(void *arg)
{
    struct scanner *sc = arg;
    int64_t t0 = clock_mono_ms();
    bool *walked = calloc(sc->nfolders, sizeof(*walked));
    char(*roots)[PATH_MAX] = calloc(sc->nfolders, PATH_MAX);
    sc->folder_ids = calloc(sc->nfolders, sizeof(*sc->folder_ids));
    sc->scan_id = clock_wall_ms();
    if (!walked || !roots || !sc->folder_ids)
        goto done;

    for (size_t i = 0; i < sc->nfolders; i++) {
        if (!realpath(sc->folders[i], roots[i])) {
            add_error(sc, "library folder '%s' cannot be used: %s", sc->folders[i],
                      strerror(errno));
            continue;
        }
        if (store_folder_add(sc->store, roots[i], &sc->folder_ids[i]) < 0)
            continue;
        walked[i] = walk(sc, roots[i], roots[i], (int)i, 0) == 0;
    }

    int n = sc->threads;
    pthread_t tids[64];
    atomic_store(&sc->next, 0);
    int started = 0;
    for (; started < n && started < 64; started++)
        if (pthread_create(&tids[started], NULL, worker, sc) != 0)
            break;
    if (started == 0)
        worker(sc);
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);

    /* Only a folder walked to the end may say what is gone. */
    for (size_t i = 0; i < sc->nfolders && !atomic_load(&sc->stop); i++) {
        int64_t gone = 0;
        if (walked[i] &&
            store_folder_sweep(sc->store, sc->folder_ids[i], sc->scan_id, &gone) == 0) {
            pthread_mutex_lock(&sc->lock);
            sc->status.missing += gone;
            pthread_mutex_unlock(&sc->lock);
        }
    }
    pthread_mutex_lock(&sc->lock);
    sc->status.running = false;
    sc->status.finished_at = clock_wall_ms();
    for (size_t i = 0; i < sc->nfiles; i++)
        sc->status.posters_pending += sc->files[i].id && sc->files[i].duration_ms;
    pthread_mutex_unlock(&sc->lock);
    make_posters(sc);
    if (sc->on_done && !atomic_load(&sc->stop))
        sc->on_done(sc->on_done_ctx);
done:
    for (size_t i = 0; i < sc->nfiles; i++)
        free(sc->files[i].path);
    free(sc->files);
    sc->files = NULL;
    sc->nfiles = sc->alloc = 0;
    free(walked);
    free(roots);
    free(sc->folder_ids);
    sc->folder_ids = NULL;

    pthread_mutex_lock(&sc->lock);
    if (sc->status.running) {
        /* Only when the scan stopped early; otherwise it was already said above. */
        sc->status.running = false;
        sc->status.finished_at = clock_wall_ms();
    }
    LOG(L_INFO, "scan",
        "scan done in %lld ms: %lld files, %lld probed, %lld unchanged, %lld failed, %lld missing",
        (long long)(clock_mono_ms() - t0), (long long)sc->status.found,
        (long long)sc->status.probed, (long long)sc->status.unchanged, (long long)sc->status.failed,
        (long long)sc->status.missing);
    pthread_cond_broadcast(&sc->idle);
    pthread_mutex_unlock(&sc->lock);
    return NULL;
}

int scanner_new(struct scanner **out, struct store *store, const struct strlist *folders,
                int threads, const char *posters, const char *ffmpeg)
{
    struct scanner *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return -ENOMEM;
    sc->store = store;
    sc->threads = threads > 0 ? threads : 1;
    sc->folders = folders->items;
    sc->nfolders = folders->len;
    sc->posters = posters ? strdup(posters) : NULL;
    sc->ffmpeg = ffmpeg ? strdup(ffmpeg) : NULL;
    if (posters)
        mkdir(posters, 0700);
    pthread_mutex_init(&sc->lock, NULL);
    pthread_cond_init(&sc->idle, NULL);
    probe_init();
    *out = sc;
    return 0;
}

void scanner_on_done(struct scanner *sc, void (*done)(void *ctx), void *ctx)
{
    sc->on_done = done;
    sc->on_done_ctx = ctx;
}

int scanner_start(struct scanner *sc)
{
    pthread_mutex_lock(&sc->lock);
    if (sc->status.running) {
        pthread_mutex_unlock(&sc->lock);
        return ERR_SCAN_RUNNING;
    }
    bool join = sc->joinable;
    sc->joinable = false;
    pthread_mutex_unlock(&sc->lock);
    /* The last scan's thread may still be making posters: it stops after the current one,
     * and this scan makes the rest. */
    if (join) {
        atomic_store(&sc->cut_posters, true);
        pthread_join(sc->thread, NULL);
        atomic_store(&sc->cut_posters, false);
    }

    pthread_mutex_lock(&sc->lock);
    if (sc->status.running || sc->joinable) {
        pthread_mutex_unlock(&sc->lock);
        return ERR_SCAN_RUNNING; /* another request started one meanwhile */
    }
    memset(&sc->status, 0, sizeof(sc->status));
    sc->status.running = true;
    sc->status.started_at = clock_wall_ms();
    int rc = pthread_create(&sc->thread, NULL, run, sc);
    sc->joinable = rc == 0;
    if (rc != 0)
        sc->status.running = false;
    pthread_mutex_unlock(&sc->lock);
    return rc ? -rc : 0;
}

void scanner_status(struct scanner *sc, struct scan_status *st)
{
    pthread_mutex_lock(&sc->lock);
    *st = sc->status;
    pthread_mutex_unlock(&sc->lock);
}

void scanner_wait(struct scanner *sc)
{
    pthread_mutex_lock(&sc->lock);
    while (sc->status.running)
        pthread_cond_wait(&sc->idle, &sc->lock);
    pthread_mutex_unlock(&sc->lock);
}

void scanner_free(struct scanner *sc)
{
    if (!sc)
        return;
    atomic_store(&sc->stop, true);
    if (sc->joinable)
        pthread_join(sc->thread, NULL);
    pthread_mutex_destroy(&sc->lock);
    pthread_cond_destroy(&sc->idle);
    free(sc->posters);
    free(sc->ffmpeg);
    free(sc);
}
