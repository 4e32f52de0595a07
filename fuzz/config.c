/* libFuzzer target for the settings: the input up to the first NUL is a settings file's
 * text; each NUL-separated string after it is an environment entry when it starts with
 * REEL_, else an argument. Nothing crashes or leaks, and an error always says why. */
#include "core/config.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_STRINGS = 32 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    size_t text_len = strlen(copy);
    char *argv[MAX_STRINGS + 2] = {"reel"}, *envp[MAX_STRINGS + 1] = {NULL};
    int argc = 1, envc = 0;
    for (size_t at = text_len + 1; at < size && argc + envc < MAX_STRINGS;
         at += strlen(copy + at) + 1) {
        char *s = copy + at;
        /* No file is read: its name could be anything on this machine. */
        if (strstr(s, "CONFIG") || strstr(s, "config"))
            continue;
        if (strncmp(s, "REEL_", 5) == 0)
            envp[envc++] = s;
        else
            argv[argc++] = s;
    }
    FILE *out = fopen("/dev/null", "w");
    struct config cfg;
    struct buf err;
    buf_init(&err, 4096);
    int rc = config_load(&cfg, argc, argv, envp, out, &err);
    if (rc < 0 && rc != -ENOMEM && err.len == 0)
        abort();
    if (rc == 0) {
        buf_reset(&err);
        rc = config_apply_text(&cfg, copy, text_len, "fuzz.conf", &err);
        if (rc < 0 && rc != -ENOMEM && strncmp(err.ptr, "fuzz.conf:", 10) != 0)
            abort();
    }
    config_release(&cfg);
    buf_release(&err);
    fclose(out);
    free(copy);
    return 0;
}
