#include "core/log.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log_threshold = L_INFO;
_Thread_local unsigned long log_request_id;

static const char *const names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *name, enum log_level *out)
{
    for (int i = 0; i <= L_DEBUG; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

void log_write(enum log_level level, const char *subsystem, const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

    /* One locked stream per line, so lines from several threads never interleave. */
    flockfile(stderr);
    fprintf(stderr, "%s.%03ldZ %-5s %-7s ", stamp, ts.tv_nsec / 1000000, names[level], subsystem);
    if (log_request_id)
        fprintf(stderr, "req=%lu ", log_request_id);
    /* Names, paths and ffmpeg's words come from outside: a control character in them
     * (a newline in a username) must not start a line of its own, so it goes out as
     * \xNN. A message longer than the buffer is cut. */
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
    funlockfile(stderr);
}
