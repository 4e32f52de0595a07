#pragma once
#include "core/str.h"
#include <stddef.h>

/*
 * Matches a request path against a route's pattern, segment by segment: "/api/v1/items/:id"
 * matches "/api/v1/items/12", and ":id" takes "12". Returns how many ":name" segments were
 * taken, in order, into params (which has room for max), or -1 when path does not match or
 * has more of them than max. A ":name" never matches an empty segment.
 */
int route_match(const char *pattern, const char *path, struct str *params, size_t max);
