/* libFuzzer target for the route matcher. The input is a pattern, a newline and a path. A
 * match takes at most the room given, and every part it takes is a whole, non-empty
 * segment of the path. The path is also tried against patterns shaped like the API's. */
#include "http/route.h"
#include <stdlib.h>
#include <string.h>

enum { MAX = 4 };

static void check(const char *pattern, const char *path)
{
    struct str params[MAX];
    int n = route_match(pattern, path, params, MAX);
    if (n < -1 || n > MAX)
        abort();
    size_t len = strlen(path);
    for (int i = 0; i < n; i++) {
        const char *p = params[i].ptr;
        if (params[i].len == 0 || p <= path || p + params[i].len > path + len || p[-1] != '/' ||
            memchr(p, '/', params[i].len) || (p[params[i].len] && p[params[i].len] != '/'))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = strchr(text, '\n');
    const char *path = text;
    if (nl) {
        *nl = '\0';
        check(text, nl + 1);
        path = nl + 1;
    }
    static const char *const patterns[] = {
        "/api/v1/items/:id",
        "/api/v1/hls/:session/:rendition/:segment",
        "/api/v1/stream/:id",
        "/:a/:b/:c/:d/:e",
        "/",
        "",
    };
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
        check(patterns[i], path);
    free(text);
    return 0;
}
