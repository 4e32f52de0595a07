#pragma once
#include "core/compat.h"
#include <stddef.h>
#include <time.h>

/*
 * AWS Signature Version 4 for S3, the parts Reel computes itself: presigned URLs, which a
 * player fetches from the store with no header. (Requests Reel sends are signed by libcurl,
 * CURLOPT_AWS_SIGV4.) Pure functions, checked against AWS's published examples.
 */
struct sigv4_key {
    const char *access_key;
    const char *secret_key;
    const char *region;
};

#define SIGV4_HEX 64

/* The signature of canonical, a canonical request, made at amz_date ("20130524T000000Z"),
 * as lowercase hex into out. */
void sigv4_signature(const struct sigv4_key *k, const char *amz_date, const char *canonical,
                     char out[SIGV4_HEX + 1]);

/* Appends s to out URI-encoded as S3 wants it: every byte but A-Z a-z 0-9 - _ . ~ as %XX,
 * and '/' kept when slash is set (a path). -ENOSPC when it does not fit; out is then "". */
int sigv4_encode(const char *s, int slash, char *out, size_t size) WUR;

/* A URL for a GET of path (the encoded path of the object, "/bucket/7-1a/720p/3.m4s") at
 * origin ("http://127.0.0.1:9000"), whose Host header is host, valid for expires seconds
 * from now. -ENOSPC when out is too small, -EINVAL for an expiry S3 refuses (over 7 days). */
int sigv4_presign(const struct sigv4_key *k, const char *origin, const char *host, const char *path,
                  time_t now, long expires, char *out, size_t size) WUR;
