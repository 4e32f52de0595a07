#include "hls/encoder.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/process.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int encoder_spawn(char *const argv[], struct encoder **out)
{
    struct encoder *e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->pid_fd = e->err_fd = -1;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        free(e);
        return -errno;
    }
    int rc = process_spawn(argv, pipefd[1], &e->pid);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        free(e);
        LOG(L_ERROR, "encoder", "cannot start '%s': %s", argv[0], strerror(-rc));
        return rc;
    }
    e->err_fd = pipefd[0];
    if (fcntl(e->err_fd, F_SETFL, O_NONBLOCK) < 0)
        LOG(L_WARN, "encoder", "cannot make stderr of %d non-blocking: %s", (int)e->pid,
            strerror(errno));
    e->pid_fd = (int)syscall(SYS_pidfd_open, e->pid, 0);
    if (e->pid_fd < 0) {
        LOG(L_WARN, "encoder", "no pidfd for %d (%s); its exit is polled", (int)e->pid,
            strerror(errno));
        e->polled = true;
    }
    e->tags[0] = (struct encoder_tag){ENCODER_ERR, e};
    e->tags[1] = (struct encoder_tag){ENCODER_PID, e};
    e->started_ms = clock_mono_ms();
    *out = e;
    return 0;
}

/* Appends to the ring, keeping the newest bytes. */
static void keep(struct encoder *e, const char *p, size_t k)
{
    if (k > sizeof(e->ring))
        return;
    if (e->ring_len + k > sizeof(e->ring)) {
        size_t drop = e->ring_len + k - sizeof(e->ring);
        memmove(e->ring, e->ring + drop, e->ring_len - drop);
        e->ring_len -= drop;
    }
    memcpy(e->ring + e->ring_len, p, k);
    e->ring_len += k;
}

/* Whether a line is one of -progress's "key=value" lines: a lower-case key, no space. */
static bool progress_line(const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && ((l[i] >= 'a' && l[i] <= 'z') || l[i] == '_' || (l[i] >= '0' && l[i] <= '9')))
        i++;
    return i > 0 && i < n && l[i] == '=';
}

static void on_line(struct encoder *e, const char *l, size_t n)
{
    if (!progress_line(l, n)) {
        keep(e, l, n);
        keep(e, "\n", 1);
    } else if (n > 6 && strncmp(l, "speed=", 6) == 0) {
        double v = strtod(l + 6, NULL); /* "1.23x", or "N/A" which reads as 0 */
        if (v > 0)
            e->speed = v;
    }
}

void encoder_drain(struct encoder *e)
{
    char buf[2048];
    ssize_t n;
    while ((n = read(e->err_fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\n' || e->line_len == sizeof(e->line) - 1) {
                e->line[e->line_len] = '\0';
                on_line(e, e->line, e->line_len);
                e->line_len = 0;
                if (c == '\n')
                    continue;
            }
            e->line[e->line_len++] = c;
        }
    }
}

bool encoder_reap(struct encoder *e)
{
    if (e->exited)
        return true;
    int status;
    pid_t r = waitpid(e->pid, &status, WNOHANG);
    if (r != e->pid)
        return false;
    e->exited = true;
    e->status = status;
    encoder_drain(e);
    if (e->line_len)
        on_line(e, e->line, e->line_len);
    e->line_len = 0;
    return true;
}

void encoder_stop(struct encoder *e, int64_t now_ms)
{
    if (e->exited || e->stopping)
        return;
    e->stopping = true;
    e->stop_ms = now_ms;
    kill(-e->pid, SIGTERM);
    kill(-e->pid, SIGCONT);
}

void encoder_pause(struct encoder *e, bool pause)
{
    if (!e->exited)
        kill(-e->pid, pause ? SIGSTOP : SIGCONT);
}

void encoder_kill(struct encoder *e)
{
    if (!e->exited)
        kill(-e->pid, SIGKILL);
}

bool encoder_succeeded(const struct encoder *e)
{
    return e->exited && WIFEXITED(e->status) && WEXITSTATUS(e->status) == 0;
}

void encoder_last_lines(const struct encoder *e, int lines, char *out, size_t size)
{
    size_t end = e->ring_len;
    while (end && (e->ring[end - 1] == '\n' || e->ring[end - 1] == '\r'))
        end--;
    size_t start = end;
    while (start && lines > 0) {
        start--;
        if (e->ring[start] == '\n' && --lines == 0) {
            start++;
            break;
        }
    }
    size_t n = end - start;
    if (n + 1 > size) {
        start = end - (size - 1);
        n = size - 1;
    }
    memcpy(out, e->ring + start, n);
    out[n] = '\0';
    if (!n) {
        if (WIFSIGNALED(e->status))
            snprintf(out, size, "ffmpeg was killed by signal %d", WTERMSIG(e->status));
        else
            snprintf(out, size, "ffmpeg exited with status %d", WEXITSTATUS(e->status));
    }
}

void encoder_free(struct encoder *e)
{
    if (!e)
        return;
    if (e->err_fd >= 0)
        close(e->err_fd);
    if (e->pid_fd >= 0)
        close(e->pid_fd);
    free(e);
}
