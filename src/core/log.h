#pragma once

enum log_level { L_ERROR, L_WARN, L_INFO, L_DEBUG };

/* Messages above this level are dropped before their arguments are evaluated. */
extern enum log_level log_threshold;
/* The id of the request this thread is serving, or 0; it is printed on every line. */
extern _Thread_local unsigned long log_request_id;

/* Parses "error", "warn", "info" or "debug"; -EINVAL otherwise. */
int log_level_parse(const char *name, enum log_level *out);

#define LOG(level, subsystem, ...)                                                                 \
    do {                                                                                           \
        if ((level) <= log_threshold)                                                              \
            log_write((level), (subsystem), __VA_ARGS__);                                          \
    } while (0)

void log_write(enum log_level level, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
