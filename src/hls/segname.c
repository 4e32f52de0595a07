#include "hls/segname.h"
#include "core/error.h"

int hls_segment_parse(struct str name, long *n)
{
    if (str_eq(name, "init.mp4")) {
        *n = -1;
        return 0;
    }
    size_t digits = 0;
    while (digits < name.len && name.ptr[digits] >= '0' && name.ptr[digits] <= '9')
        digits++;
    struct str ext = {name.ptr + digits, name.len - digits};
    uint64_t v;
    if (!str_eq(ext, ".m4s") && !str_eq(ext, ".ts"))
        return ERR_NOT_FOUND;
    if (str_to_u64((struct str){name.ptr, digits}, 10000000, &v) < 0)
        return ERR_NOT_FOUND;
    *n = (long)v;
    return 0;
}
