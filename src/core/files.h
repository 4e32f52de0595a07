#pragma once
#include "core/compat.h"
#include <stddef.h>

/* Removes dir and everything under it, not following symbolic links. Errors are ignored:
 * what cannot be removed stays. */
void rm_tree(const char *dir);
/* Makes the folders of path, up to but not including its last component, mode 0700:
 * 0 or -errno. */
int mkdir_parents(const char *path) WUR;
/* Writes len bytes to path through a temporary file beside it, renamed into place, so a
 * reader sees the whole file or none: 0 or -errno. */
int write_file_atomic(const char *path, const void *data, size_t len) WUR;
/* The whole file at path, malloc'd into *data with a NUL after it: 0, -ENOENT when it is
 * not there, or -errno. */
int read_file(const char *path, char **data, size_t *len) WUR;
