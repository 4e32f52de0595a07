/* What every backend shares: key checks, the scratch folder, and the dispatch. */
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "storage/internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A key is a relative path of plain names: no "..", no empty part, no leading '/'. */
static bool key_ok(const char *key)
{
    if (!*key || *key == '/' || strlen(key) > 512)
        return false;
    for (const char *p = key; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n + (p[n] == '/');
    }
    return true;
}

int storage_scratch_init(struct storage *st, const char *scratch)
{
    snprintf(st->scratch, sizeof(st->scratch), "%s", scratch);
    rm_tree(st->scratch);
    int rc = mkdir_parents(st->scratch);
    if (rc == 0 && mkdir(st->scratch, 0700) < 0 && errno != EEXIST)
        rc = -errno;
    if (rc < 0)
        LOG(L_ERROR, "storage", "cannot make '%s': %s", st->scratch, err_str(rc));
    return rc;
}

int storage_list_add(char ***out, size_t *n, const char *s, size_t len)
{
    char **grown = realloc(*out, (*n + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    *out = grown;
    if (!(grown[*n] = strndup(s, len)))
        return -ENOMEM;
    ++*n;
    return 0;
}

void storage_list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void storage_free(struct storage *st)
{
    if (st)
        st->ops->free(st);
}

int storage_put_file(struct storage *st, const char *key, const char *path)
{
    int rc = key_ok(key) ? st->ops->put_file(st, key, path) : ERR_BAD_REQUEST;
    if (rc < 0)
        LOG(L_ERROR, "storage", "cannot store '%s' as '%s': %s", path, key, err_str(rc));
    unlink(path);
    return rc;
}

int storage_put(struct storage *st, const char *key, const void *data, size_t len)
{
    int rc = key_ok(key) ? st->ops->put(st, key, data, len) : ERR_BAD_REQUEST;
    if (rc < 0)
        LOG(L_ERROR, "storage", "cannot write '%s': %s", key, err_str(rc));
    return rc;
}

int storage_get(struct storage *st, const char *key, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    return key_ok(key) ? st->ops->get(st, key, data, len) : ERR_BAD_REQUEST;
}

int storage_delete(struct storage *st, const char *prefix)
{
    return key_ok(prefix) ? st->ops->delete (st, prefix) : ERR_BAD_REQUEST;
}

int storage_local_path(struct storage *st, const char *key, char *out, size_t size)
{
    if (!key_ok(key))
        return ERR_BAD_REQUEST;
    return st->ops->local_path ? st->ops->local_path(st, key, out, size) : -ENOTSUP;
}

int storage_url(struct storage *st, const char *key, long expires, char *out, size_t size)
{
    if (!key_ok(key))
        return ERR_BAD_REQUEST;
    return st->ops->url ? st->ops->url(st, key, expires, out, size) : -ENOTSUP;
}

int storage_prefixes(struct storage *st, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int rc = st->ops->prefixes(st, out, n);
    if (rc < 0) {
        storage_list_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

const char *storage_scratch(const struct storage *st)
{
    return st->scratch;
}

const char *storage_origin(const struct storage *st)
{
    return st->origin;
}
