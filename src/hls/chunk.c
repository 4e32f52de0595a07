#include "hls/chunk.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

bool chunk_whole(const uint8_t *b, size_t len, bool ts)
{
    if (ts) {
        if (len == 0 || len % 188)
            return false;
        for (size_t i = 0; i < len; i += 188)
            if (b[i] != 0x47)
                return false;
        return true;
    }
    if (len == 0)
        return false;
    size_t at = 0;
    while (at < len) {
        if (len - at < 8)
            return false;
        uint64_t size = be(b + at, 4);
        size_t head = 8;
        if (size == 1) {
            if (len - at < 16)
                return false;
            size = be(b + at + 8, 8);
            head = 16;
        }
        /* No box of a fragment runs "to the end" (size 0), and every type is four
         * printable characters: a zeroed or garbled tail is no box. */
        for (int i = 4; i < 8; i++)
            if (b[at + i] < 0x20 || b[at + i] > 0x7e)
                return false;
        if (size < head || size > len - at)
            return false;
        at += (size_t)size;
    }
    return true;
}

bool chunk_file_whole(const char *path, bool ts, int64_t *size)
{
    *size = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool whole = false;
    if (fstat(fd, &st) == 0) {
        *size = st.st_size;
        size_t len = (size_t)st.st_size;
        uint8_t *b = malloc(len ? len : 1);
        if (b && pread(fd, b, len, 0) == (ssize_t)len)
            whole = chunk_whole(b, len, ts);
        free(b);
    }
    close(fd);
    return whole;
}
