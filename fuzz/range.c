/* libFuzzer target for the Range parser. Beyond not crashing, every range it accepts must
 * lie inside the body, be non-empty, and not overlap another. */
#include "http/range.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    uint64_t body;
    memcpy(&body, data, 8);
    body %= 1u << 20;
    char *header = malloc(size - 8 + 1);
    memcpy(header, data + 8, size - 8);
    header[size - 8] = '\0';

    struct byte_range r[RANGE_MAX];
    size_t n;
    enum range_result res = range_parse(header, body, r, &n);
    if (res != RANGE_PARTIAL && n != 0)
        abort();
    if (n > RANGE_MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (r[i].length == 0 || r[i].start >= body || r[i].length > body - r[i].start)
            abort();
        for (size_t j = i + 1; j < n; j++)
            if (r[i].start < r[j].start + r[j].length && r[j].start < r[i].start + r[i].length)
                abort();
    }
    free(header);
    return 0;
}
