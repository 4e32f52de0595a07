#pragma once
#include "http/server.h"
#include <sys/stat.h>

/*
 * Files as RFC 9110 serves them: Range (single, suffix, open-ended, multiple as
 * multipart/byteranges), If-Range, If-None-Match and If-Modified-Since (304), HEAD, a
 * strong ETag from inode, size and mtime, and Last-Modified. Bodies go out with sendfile,
 * except multipart ones and several files in a row, which are read in pieces.
 */

/* For the server: turns a FILE reply into what this request gets (a 304, a 416, a range, a
 * multipart body or the whole file), in place. */
void http_file_resolve(struct http_request *req, struct http_reply *r);

/* Opens path, a regular file, for a FILE reply: 0 with *fd and *st, or -errno (-ENOENT too
 * for what is not a regular file). */
int http_file_open(const char *path, int *fd, struct stat *st) WUR;

/* The Content-Type for a file name's extension; "application/octet-stream" when unknown. */
const char *http_mime_type(const char *path);
