/* libFuzzer target for the file-name parsers: any path gives a kind and a terminated title;
 * any subtitle name, terminated fields. */
#include "library/name.h"
#include "library/subname.h"
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
    /* The input's first line as the video's stem, the rest as a file beside it. */
    char *nl = strchr(path, '\n');
    struct subname s;
    if (nl) {
        *nl = '\0';
        if (subname_parse(path, nl + 1, &s) &&
            (strnlen(s.language, sizeof(s.language)) == sizeof(s.language) ||
             strnlen(s.title, sizeof(s.title)) == sizeof(s.title) || !s.codec[0]))
            abort();
    }
    free(path);
    return 0;
}
