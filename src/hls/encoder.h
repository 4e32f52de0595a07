#pragma once
#include "core/compat.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One ffmpeg process. It is spawned with posix_spawn in a process group of its own, with
 * stdin and stdout on /dev/null and no other descriptor inherited; its stderr goes into a
 * ring holding the last few kilobytes, so that a failure can say why, except for the
 * key=value lines of `-progress pipe:2`, which give its speed. The owner watches
 * err_fd (readable: call encoder_drain) and pid_fd (readable: the process ended; call
 * encoder_reap). When the kernel gives no pidfd, pid_fd is -1 and the owner polls
 * encoder_reap() instead. Stopping is SIGTERM to the group, then SIGKILL after a grace
 * period; a process is always reaped.
 */
enum encoder_fd { ENCODER_ERR, ENCODER_PID };

/* What the owner's event loop gets back for one of the two descriptors. */
struct encoder_tag {
    enum encoder_fd fd;
    struct encoder *enc;
};

struct encoder {
    pid_t pid;
    int pid_fd;
    int err_fd;
    bool exited;
    int status; /* from waitpid, once exited */
    bool stopping;
    int64_t stop_ms; /* when SIGTERM went out */
    int64_t started_ms;
    char ring[4096];
    size_t ring_len;
    char line[256]; /* the stderr line being read */
    size_t line_len;
    double speed;    /* the last "speed=" of -progress, as a multiple of real time; 0: none */
    bool was_paused; /* its speed says nothing of the machine then */
    /* The owner's: */
    struct encoder_tag tags[2];  /* epoll data for err_fd and pid_fd */
    bool polled;                 /* no pidfd, or it could not be watched: poll for the exit */
    void *owner;                 /* what the encoder works for, so that an exit finds it */
    bool retired;                /* stopped or ended; owner is then what waits for the reap */
    bool buried;                 /* done with, to be freed after the event batch */
    struct encoder *prev, *next; /* in the owner's list of retired encoders */
};

int encoder_spawn(char *const argv[], struct encoder **out) WUR;
/* Reads what stderr has to give, without blocking. */
void encoder_drain(struct encoder *e);
/* Reaps the process if it has ended; true when it has. */
bool encoder_reap(struct encoder *e);
/* SIGTERM to the group, once (and SIGCONT, should it be paused). */
void encoder_stop(struct encoder *e, int64_t now_ms);
/* SIGSTOP (pause) or SIGCONT to the group. */
void encoder_pause(struct encoder *e, bool pause);
void encoder_kill(struct encoder *e);
/* Whether it ended on its own with success. */
bool encoder_succeeded(const struct encoder *e);
/* The last lines of stderr, at most size bytes with the NUL. */
void encoder_last_lines(const struct encoder *e, int lines, char *out, size_t size);
/* Closes the descriptors; the process must have been reaped. Accepts NULL. */
void encoder_free(struct encoder *e);
