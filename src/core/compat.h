#pragma once

/* Marks a function whose result must be checked: it can fail. */
#define WUR __attribute__((warn_unused_result))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
