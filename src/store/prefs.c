/* The names of subtitle modes, as the API and the store write them. */
#include "core/error.h"
#include "store/store.h"
#include <string.h>

static const char *const modes[] = {"off", "forced", "always"};

const char *subtitle_mode_name(enum subtitle_mode m)
{
    return modes[m];
}

int subtitle_mode_parse(const char *name, enum subtitle_mode *out)
{
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (name && strcmp(name, modes[i]) == 0) {
            *out = (enum subtitle_mode)i;
            return 0;
        }
    return ERR_BAD_REQUEST;
}
