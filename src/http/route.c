#include "http/route.h"
#include <string.h>

int route_match(const char *pattern, const char *path, struct str *params, size_t max)
{
    size_t n = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return -1;
        p++;
        u++;
        size_t plen = strcspn(p, "/"), ulen = strcspn(u, "/");
        if (*p == ':') {
            if (ulen == 0 || n == max)
                return -1;
            params[n++] = (struct str){u, ulen};
        } else if (plen != ulen || memcmp(p, u, plen) != 0) {
            return -1;
        }
        p += plen;
        u += ulen;
    }
    return !*p && !*u ? (int)n : -1;
}
