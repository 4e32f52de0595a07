#pragma once
#include "core/compat.h"
#include <stddef.h>
#include <stdint.h>

/*
 * Where prepared versions live: one interface over a local folder (the default) and
 * S3-compatible object storage. An object has a key, a relative path such as
 * "7/720p/3.m4s". Objects are written whole or not at all, so a reader never sees half of
 * one; a version's playlists are written after its segments, so a half-made version is
 * never listed.
 */
struct storage;

/* Objects as files under root, made if missing. */
int storage_fs_new(struct storage **out, const char *root) WUR;

/* Objects in a bucket of an S3-compatible store. */
struct storage_s3 {
    const char *endpoint; /* "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000" */
    const char *region;   /* "" for us-east-1 */
    const char *bucket;
    const char *access_key;
    const char *secret_key;
    int path_style; /* 1: endpoint/bucket/key (MinIO, Garage, Ceph); 0: bucket.endpoint/key */
};
/* Files on their way go through the local folder scratch. The store is asked once: a bucket
 * it says is not there, or keys it refuses, fail here. */
int storage_s3_new(struct storage **out, const struct storage_s3 *cfg, const char *scratch) WUR;
void storage_free(struct storage *st);

/* Stores the local file at path as key; the file is gone afterwards (moved, or sent and
 * deleted), whether that worked or not. */
int storage_put_file(struct storage *st, const char *key, const char *path) WUR;
int storage_put(struct storage *st, const char *key, const void *data, size_t len) WUR;

/* Files stored a few at a time (an object store takes a round trip per object; a folder,
 * one rename, in turn): storage_batch_put_file() may return before the object is stored,
 * storage_batch_end() waits for all of them and frees the batch. Either returns the first
 * error of the batch so far; after one, later files are not sent (and deleted). */
struct storage_batch;
int storage_batch_new(struct storage *st, struct storage_batch **out) WUR;
int storage_batch_put_file(struct storage_batch *b, const char *key, const char *path) WUR;
int storage_batch_end(struct storage_batch *b) WUR;
/* Deletes every object whose key starts with prefix ("7/"). */
int storage_delete(struct storage *st, const char *prefix) WUR;
/* The whole object key, malloc'd into *data (NUL-terminated); ERR_NOT_FOUND when missing. */
int storage_get(struct storage *st, const char *key, char **data, size_t *len) WUR;
/* The local path of key, for Reel to serve itself (the folder backend; -ENOTSUP for
 * others); whether the object is there, opening it tells. ERR_BAD_REQUEST for a key that is
 * not one. */
int storage_local_path(struct storage *st, const char *key, char *out, size_t size) WUR;
/* A URL a client can GET key from with no credentials, for expires seconds (object stores;
 * -ENOTSUP for the folder). */
int storage_url(struct storage *st, const char *key, long expires, char *out, size_t size) WUR;
/* The first part of every key there is (a version's "7-1a2b…"), each once; *out and its
 * strings are malloc'd. */
int storage_prefixes(struct storage *st, char ***out, size_t *n) WUR;
/* Where storage_url()'s URLs point ("https://bucket.s3.amazonaws.com"), or NULL. */
const char *storage_origin(const struct storage *st);
/* A folder for files on their way into storage (made when needed). */
const char *storage_scratch(const struct storage *st);
