#pragma once
#include "http/server.h"
#include <sys/stat.h>

/*
 * Serves an open file as RFC 9110 asks: Range (single, suffix, open-ended, multiple as
 * multipart/byteranges), If-Range, If-None-Match and If-Modified-Since (304), HEAD, a
 * strong ETag from inode, size and mtime, and Last-Modified. Bodies go out with sendfile
 * through libmicrohttpd's fd responses, except multipart ones, which are read in pieces.
 * Takes over fd: it is closed when the response is done or on any failure, including a
 * client that disconnects mid-body. *bytes (when not NULL) gets the body's length.
 */
int http_serve_file(struct http_request *req, int fd, const struct stat *st,
                    const char *content_type, const char *cache_control, uint64_t *bytes);

/*
 * Sends files one after another as one body, such as an HLS segment made of several
 * chunks: 200 with Content-Length. One file goes out as http_serve_file() sends it, ranges
 * and all. *bytes gets the body's size. -ENOENT when a file is missing; nothing is sent.
 */
int http_serve_files(struct http_request *req, char *const *paths, size_t n,
                     const char *content_type, const char *cache_control, uint64_t *bytes);

/* The Content-Type for a file name's extension; "application/octet-stream" when unknown. */
const char *http_mime_type(const char *path);
