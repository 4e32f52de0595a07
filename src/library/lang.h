#pragma once
#include <stdbool.h>

/*
 * Language tags as files and people write them: ISO 639-1 ("en"), 639-2/T and /B ("eng";
 * "fra" and "fre"), with a region or script after '-' or '_' ("pt-BR"), in any case. A pure
 * function, for choosing tracks by a preference.
 */

/* Whether a and b name the same language (regions aside). "" matches nothing. */
bool lang_same(const char *a, const char *b);
