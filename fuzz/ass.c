/* libFuzzer target for the ASS placement pass: any WebVTT and any script (the input split at
 * its first NUL) give 0 and every line of the WebVTT. */
#include "library/ass.h"
#include "core/str.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nul = memchr(in, '\0', size);
    size_t vlen = nul ? (size_t)(nul - in) : size;
    const char *ass = nul ? nul + 1 : "";
    size_t alen = nul ? size - vlen - 1 : 0;
    struct buf out;
    buf_init(&out, BUF_NO_CAP);
    if (ass_vtt_positions(in, vlen, ass, alen, &out) != 0)
        abort();
    /* Every line comes out, ended by "\n". */
    size_t lines = 0, ends = 0, n;
    const char *p = in, *line;
    while (str_next_line(&p, in + vlen, &line, &n))
        lines++;
    for (size_t i = 0; i < out.len; i++)
        ends += out.ptr[i] == '\n';
    if (ends != lines || (out.len && out.ptr[out.len - 1] != '\n'))
        abort();
    buf_release(&out);
    return 0;
}
