/* libFuzzer target for HLS segment names ("init.mp4", "12.m4s", "12.ts"): what is accepted
 * is a number in range, and the name it came from ends as a segment's name does. */
#include "core/error.h"
#include "hls/segname.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long n = -2;
    struct str name = {(const char *)data, size};
    int rc = hls_segment_parse(name, &n);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        abort();
    if (rc == 0) {
        bool init = size == 8 && memcmp(data, "init.mp4", 8) == 0;
        bool ts = size > 3 && memcmp(data + size - 3, ".ts", 3) == 0;
        bool m4s = size > 4 && memcmp(data + size - 4, ".m4s", 4) == 0;
        if ((n == -1) != init || n < -1 || n > 10000000 || (!init && !ts && !m4s))
            abort();
    }
    return 0;
}
