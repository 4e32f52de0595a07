#pragma once
#include "storage/storage.h"
#include <limits.h>
#include <stdbool.h>

/* What each backend does; storage.c checks keys and dispatches. */
struct storage_ops {
    int (*put_file)(struct storage *st, const char *key, const char *path);
    int (*put)(struct storage *st, const char *key, const void *data, size_t len);
    int (*get)(struct storage *st, const char *key, char **data, size_t *len);
    int (*delete)(struct storage *st, const char *prefix);
    int (*local_path)(struct storage *st, const char *key, char *out, size_t size);
    int (*url)(struct storage *st, const char *key, long expires, char *out, size_t size);
    int (*prefixes)(struct storage *st, char ***out, size_t *n);
    void (*free)(struct storage *st);
    int parallel; /* how many puts a batch sends at once; 0 or 1: in turn, on the caller */
};

/* The start of every backend's struct. */
struct storage {
    const struct storage_ops *ops;
    char scratch[PATH_MAX];
    const char *origin; /* storage_origin() */
};

/* Empties scratch (what a stopped server left on its way into storage is of no use) and
 * makes it. */
int storage_scratch_init(struct storage *st, const char *scratch);
/* Adds a copy of s to the list *out of *n strings. */
int storage_list_add(char ***out, size_t *n, const char *s, size_t len);
void storage_list_free(char **list, size_t n);
