/* libFuzzer target for link tokens, the first part of every /s/ path: what parses formats
 * back to the same token, and nothing else is taken for one. */
#include "auth/link.h"
#include "core/error.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct link l;
    int rc = link_parse((const char *)data, size, &l);
    if (rc != 0 && rc != ERR_BAD_LINK)
        abort();
    if (rc == 0) {
        char token[LINK_TOKEN_MAX];
        link_format(&l, token);
        struct link back;
        if (link_parse(token, strlen(token), &back) != 0 || back.key_id != l.key_id ||
            back.user != l.user || back.file != l.file || back.expires_s != l.expires_s ||
            memcmp(back.mac, l.mac, sizeof(l.mac)) != 0)
            abort();
    }
    return 0;
}
