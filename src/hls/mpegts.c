#include "hls/mpegts.h"
#include "hls/chunk.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { TS_PACKET = 188, SDT_PID = 0x11 };

size_t mpegts_drop_sdt(uint8_t *b, size_t len)
{
    size_t out = 0;
    for (size_t in = 0; in + TS_PACKET <= len; in += TS_PACKET) {
        unsigned pid = ((b[in + 1] & 0x1fu) << 8) | b[in + 2];
        if (b[in] == 0x47 && pid == SDT_PID)
            continue;
        if (out != in)
            memmove(b + out, b + in, TS_PACKET);
        out += TS_PACKET;
    }
    /* A partial packet at the end (there should be none) stays as it was. */
    size_t tail = len % TS_PACKET;
    if (tail && out != len - tail)
        memmove(b + out, b + len - tail, tail);
    return out + tail;
}

int mpegts_fix_file(const char *path, int64_t *size)
{
    *size = -1;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = fstat(fd, &st) < 0 ? -errno : 0;
    uint8_t *b = rc == 0 ? malloc(st.st_size ? (size_t)st.st_size : 1) : NULL;
    if (rc == 0 && !b)
        rc = -ENOMEM;
    size_t len = rc == 0 ? (size_t)st.st_size : 0;
    if (rc == 0 && pread(fd, b, len, 0) != (ssize_t)len)
        rc = -EIO;
    if (rc == 0)
        *size = (int64_t)len;
    if (rc == 0 && !chunk_whole(b, len, true))
        rc = -EBADMSG;
    size_t kept = rc == 0 ? mpegts_drop_sdt(b, len) : len;
    if (rc == 0)
        *size = (int64_t)kept;
    if (rc == 0 && kept != len &&
        (pwrite(fd, b, kept, 0) != (ssize_t)kept || ftruncate(fd, (off_t)kept) < 0))
        rc = errno ? -errno : -EIO;
    free(b);
    close(fd);
    return rc;
}
