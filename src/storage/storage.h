#pragma once
#include "core/compat.h"
#include <stddef.h>
#include <stdint.h>

/*
 * Where prepared versions live: one interface over a local folder (the default) and, in
 * time, S3-compatible object storage. An object has a key, a relative path such as
 * "7/720p/3.m4s". Objects are written whole or not at all, so a reader never sees half of
 * one; a version's playlists are written after its segments, so a half-made version is
 * never listed.
 */
struct storage;

/* Objects as files under root, made if missing. */
int storage_fs_new(struct storage **out, const char *root) WUR;
void storage_free(struct storage *st);

/* Stores the local file at path as key; the file is gone afterwards (moved or copied and
 * deleted). */
int storage_put_file(struct storage *st, const char *key, const char *path) WUR;
int storage_put(struct storage *st, const char *key, const void *data, size_t len) WUR;
/* Deletes every object whose key starts with prefix ("7/"). */
int storage_delete(struct storage *st, const char *prefix) WUR;
/* The local path of key, for Reel to serve itself (the folder backend); whether the object
 * is there, opening it tells. ERR_BAD_REQUEST for a key that is not one. */
int storage_local_path(struct storage *st, const char *key, char *out, size_t size) WUR;
/* The first part of every key there is (a version's "7-1a2b…"), each once; *out and its
 * strings are malloc'd. */
int storage_prefixes(struct storage *st, char ***out, size_t *n) WUR;
/* A folder for files on their way into storage (made when needed). */
const char *storage_scratch(const struct storage *st);
