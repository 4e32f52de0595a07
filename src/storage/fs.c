/* The folder backend: an object is the file root/key. */
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "storage/storage.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct storage {
    char root[PATH_MAX];
    char scratch[PATH_MAX + 16];
};

/* A key is a relative path of plain names: no "..", no empty part, no leading '/'. */
static bool key_ok(const char *key)
{
    if (!*key || *key == '/')
        return false;
    for (const char *p = key; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n + (p[n] == '/');
    }
    return true;
}

static int path_of(const struct storage *st, const char *key, char *out, size_t size)
{
    if (!key_ok(key))
        return ERR_BAD_REQUEST;
    return snprintf(out, size, "%s/%s", st->root, key) < (int)size ? 0 : -ENAMETOOLONG;
}

int storage_prefixes(struct storage *st, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(st->root);
    if (!d)
        return -errno;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and the scratch folder */
        char **grown = realloc(*out, (*n + 1) * sizeof(*grown));
        if (!grown || !(grown[*n] = strdup(e->d_name))) {
            if (grown)
                *out = grown;
            rc = -ENOMEM;
            break;
        }
        *out = grown;
        ++*n;
    }
    closedir(d);
    if (rc < 0) {
        for (size_t i = 0; i < *n; i++)
            free((*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int storage_fs_new(struct storage **out, const char *root)
{
    struct storage *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    snprintf(st->root, sizeof(st->root), "%s", root);
    snprintf(st->scratch, sizeof(st->scratch), "%s/.scratch", root);
    /* What a stopped server left on its way into storage is of no use. */
    rm_tree(st->scratch);
    if ((mkdir(root, 0700) < 0 && errno != EEXIST) ||
        (mkdir(st->scratch, 0700) < 0 && errno != EEXIST)) {
        int e = errno;
        LOG(L_ERROR, "storage", "cannot make '%s': %s", st->scratch, strerror(e));
        free(st);
        return -e;
    }
    *out = st;
    return 0;
}

void storage_free(struct storage *st)
{
    free(st);
}

int storage_put_file(struct storage *st, const char *key, const char *path)
{
    char dst[PATH_MAX + 64];
    int rc = path_of(st, key, dst, sizeof(dst));
    if (rc == 0)
        rc = mkdir_parents(dst);
    if (rc == 0 && rename(path, dst) < 0)
        rc = -errno;
    if (rc < 0) {
        LOG(L_ERROR, "storage", "cannot store '%s' as '%s': %s", path, key, strerror(-rc));
        unlink(path);
    }
    return rc;
}

int storage_put(struct storage *st, const char *key, const void *data, size_t len)
{
    char dst[PATH_MAX + 64];
    int rc = path_of(st, key, dst, sizeof(dst));
    if (rc == 0)
        rc = mkdir_parents(dst);
    if (rc == 0)
        rc = write_file_atomic(dst, data, len);
    if (rc < 0)
        LOG(L_ERROR, "storage", "cannot write '%s': %s", key, strerror(-rc));
    return rc;
}

int storage_delete(struct storage *st, const char *prefix)
{
    char dst[PATH_MAX + 64];
    int rc = path_of(st, prefix, dst, sizeof(dst));
    if (rc == 0)
        rm_tree(dst);
    return rc;
}

int storage_local_path(struct storage *st, const char *key, char *out, size_t size)
{
    return path_of(st, key, out, size);
}

const char *storage_scratch(const struct storage *st)
{
    return st->scratch;
}
