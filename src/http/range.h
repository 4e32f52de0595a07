#pragma once
#include <stddef.h>
#include <stdint.h>

/*
 * The Range header (RFC 9110 section 14), parsed the way Go's http.ServeContent and nginx
 * do. Pure: no I/O.
 */
struct byte_range {
    uint64_t start;
    uint64_t length; /* never 0 */
};

enum range_result {
    RANGE_FULL,          /* no header, a malformed one, or ranges not worth it: send 200 */
    RANGE_PARTIAL,       /* send 206 with the ranges (one, or multipart/byteranges) */
    RANGE_UNSATISFIABLE, /* send 416 with Content-Range: bytes star/size */
};

enum { RANGE_MAX = 16 };

/*
 * Parses header (may be NULL) against a body of size bytes into at most RANGE_MAX ranges.
 * Forms: "a-b", "a-" and "-n", comma-separated. An end past the body is clamped. A header
 * that is malformed (any part of it, including numbers too long to hold) is ignored, as are
 * overlapping ranges, more than RANGE_MAX of them, and ranges adding up to more than the
 * body: those all answer RANGE_FULL. Ranges that lie wholly past the end are dropped; when
 * none is left the answer is RANGE_UNSATISFIABLE.
 */
enum range_result range_parse(const char *header, uint64_t size, struct byte_range *out,
                              size_t *count);
