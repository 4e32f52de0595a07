/* The folder backend: an object is the file root/key. */
#include "core/error.h"
#include "core/files.h"
#include "storage/internal.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fs {
    struct storage base;
    char root[PATH_MAX];
};

static int path_of(struct storage *st, const char *key, char *out, size_t size)
{
    const struct fs *fs = (const struct fs *)st;
    return snprintf(out, size, "%s/%s", fs->root, key) < (int)size ? 0 : -ENAMETOOLONG;
}

static int fs_put_file(struct storage *st, const char *key, const char *path)
{
    char dst[PATH_MAX + 64];
    int rc = path_of(st, key, dst, sizeof(dst));
    if (rc == 0)
        rc = mkdir_parents(dst);
    if (rc == 0 && rename(path, dst) < 0)
        rc = -errno;
    return rc;
}

static int fs_put(struct storage *st, const char *key, const void *data, size_t len)
{
    char dst[PATH_MAX + 64];
    int rc = path_of(st, key, dst, sizeof(dst));
    if (rc == 0)
        rc = mkdir_parents(dst);
    return rc == 0 ? write_file_atomic(dst, data, len) : rc;
}

static int fs_get(struct storage *st, const char *key, char **data, size_t *len)
{
    char path[PATH_MAX + 64];
    int rc = path_of(st, key, path, sizeof(path));
    if (rc == 0)
        rc = read_file(path, data, len);
    return rc == -ENOENT ? ERR_NOT_FOUND : rc;
}

static int fs_delete(struct storage *st, const char *prefix)
{
    char dst[PATH_MAX + 64];
    int rc = path_of(st, prefix, dst, sizeof(dst));
    if (rc == 0)
        rm_tree(dst);
    return rc;
}

static int fs_prefixes(struct storage *st, char ***out, size_t *n)
{
    DIR *d = opendir(((struct fs *)st)->root);
    if (!d)
        return -errno;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)))
        if (e->d_name[0] != '.') /* ".", "..", and the scratch folder */
            rc = storage_list_add(out, n, e->d_name, strlen(e->d_name));
    closedir(d);
    return rc;
}

static void fs_free(struct storage *st)
{
    free(st);
}

static const struct storage_ops fs_ops = {
    .put_file = fs_put_file,
    .put = fs_put,
    .get = fs_get,
    .delete = fs_delete,
    .local_path = path_of,
    .prefixes = fs_prefixes,
    .free = fs_free,
};

int storage_fs_new(struct storage **out, const char *root)
{
    struct fs *fs = calloc(1, sizeof(*fs));
    if (!fs)
        return -ENOMEM;
    fs->base.ops = &fs_ops;
    snprintf(fs->root, sizeof(fs->root), "%s", root);
    char scratch[PATH_MAX + 16];
    snprintf(scratch, sizeof(scratch), "%s/.scratch", root);
    /* The scratch folder sits inside root, so that storing a file is a rename. */
    int rc = storage_scratch_init(&fs->base, scratch);
    if (rc < 0) {
        free(fs);
        return rc;
    }
    *out = &fs->base;
    return 0;
}
