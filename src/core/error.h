#pragma once

/*
 * Every domain error, once: (code, name, HTTP status, Retry-After seconds or 0, message).
 * Functions return 0 on success and a negative number on failure: -errno for a system
 * error, or one of these codes, which all lie below any errno. Only src/http/ and src/api/
 * turn them into HTTP.
 */
#define REEL_ERRORS(X)                                                                             \
    X(ERR_BAD_REQUEST, "bad_request", 400, 0, "The request is malformed.")                         \
    X(ERR_BAD_JSON, "bad_json", 400, 0, "The request body is not valid JSON.")                     \
    X(ERR_UNAUTHORIZED, "unauthorized", 401, 0, "Sign in first.")                                  \
    X(ERR_BAD_CREDENTIALS, "bad_credentials", 401, 0, "Wrong username or password.")               \
    X(ERR_FORBIDDEN, "forbidden", 403, 0, "This needs an administrator.")                          \
    X(ERR_CROSS_SITE, "cross_site", 403, 0, "A request from another site was refused.")            \
    X(ERR_BAD_LINK, "bad_link", 403, 0, "This link is not valid.")                                 \
    X(ERR_NOT_FOUND, "not_found", 404, 0, "There is nothing here.")                                \
    X(ERR_NO_ROUTE, "no_route", 404, 0, "No such endpoint.")                                       \
    X(ERR_FILE_MISSING, "file_missing", 404, 0, "The media file is no longer on disk.")            \
    X(ERR_METHOD, "method_not_allowed", 405, 0, "This endpoint does not take that method.")        \
    X(ERR_CONFLICT, "conflict", 409, 0, "That already exists.")                                    \
    X(ERR_SCAN_RUNNING, "scan_running", 409, 0, "A library scan is already running.")              \
    X(ERR_LINK_EXPIRED, "link_expired", 410, 0, "This link has expired; ask for a new one.")       \
    X(ERR_TOO_BIG, "payload_too_large", 413, 0, "The request body is too large.")                  \
    X(ERR_MEDIA_TYPE, "unsupported_media_type", 415, 0, "Send the body as application/json.")      \
    X(ERR_RANGE, "range_not_satisfiable", 416, 0, "The range lies outside the file.")              \
    X(ERR_UNPLAYABLE, "unplayable", 422, 0, "This file cannot be played.")                         \
    X(ERR_THROTTLED, "too_many_attempts", 429, 0, "Too many failed sign-ins; wait and try again.") \
    X(ERR_TOO_MANY_STREAMS, "too_many_streams", 429, 5,                                            \
      "Too many event streams are open for this user; close one.")                                 \
    X(ERR_INTERNAL, "internal", 500, 0, "Something went wrong on the server.")                     \
    X(ERR_ENCODER_FAILED, "encoder_failed", 502, 0, "The encoder failed on this file.")            \
    X(ERR_STORAGE, "storage_failed", 502, 2,                                                       \
      "The object store did not answer; try again shortly.")                                       \
    X(ERR_ENCODERS_BUSY, "encoders_busy", 503, 5, "Every encoder is busy; try again shortly.")     \
    X(ERR_UNAVAILABLE, "unavailable", 503, 1, "The server is busy; try again shortly.")            \
    X(ERR_SEGMENT_TIMEOUT, "segment_timeout", 504, 0, "The segment took too long to make.")        \
    X(ERR_NO_SPACE, "insufficient_storage", 507, 0, "The server's disk is full.")

enum reel_error {
    ERR__BASE = -10000,
#define X(code, name, status, retry, message) code,
    REEL_ERRORS(X)
#undef X
};

/* The error's JSON name, HTTP status, Retry-After (0: none) and human message. A -errno
 * maps to a fitting entry of the table. */
const char *err_name(int err);
unsigned err_status(int err);
int err_retry_after(int err);
const char *err_message(int err);
/* For a log line: the message of one of ours, strerror() of a -errno. */
const char *err_str(int err);
