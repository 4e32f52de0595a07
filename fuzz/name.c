/* libFuzzer target for the file-name parser: any path gives a kind and a terminated title. */
#include "library/name.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = malloc(size + 1);
    memcpy(path, data, size);
    path[size] = '\0';
    struct media_name n;
    name_parse(path, &n);
    if (n.kind != MEDIA_MOVIE && n.kind != MEDIA_EPISODE)
        abort();
    if (strnlen(n.title, sizeof(n.title)) == sizeof(n.title) ||
        strnlen(n.episode_title, sizeof(n.episode_title)) == sizeof(n.episode_title))
        abort();
    if (n.kind == MEDIA_EPISODE && n.episode_end < n.episode)
        abort();
    (void)name_is_video(path);
    (void)name_is_extra(path);
    free(path);
    return 0;
}
