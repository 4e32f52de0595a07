#pragma once
#include "core/compat.h"
#include <stddef.h>

/* Writes 2 * bytes hex digits of kernel randomness and a NUL into out. */
int random_hex(char *out, size_t bytes) WUR;
