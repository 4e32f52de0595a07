/* ffmpeg runs of background tasks (jobs/internal.h: job_ffmpeg()). */
#include "core/clock.h"
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "core/process.h"
#include "jobs/internal.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ffmpeg's first line of errors in log, as err. */
static void say_why(const char *log, int status, char *err, size_t size)
{
    char *text = NULL;
    size_t n = 0;
    if (read_file(log, &text, &n) == 0 && n) {
        text[strcspn(text, "\n")] = '\0';
        snprintf(err, size, "ffmpeg failed: %s", text);
    } else {
        snprintf(err, size, "ffmpeg failed (status %d)", status);
    }
    free(text);
}

int job_ffmpeg(struct jobs *j, const struct job_run *r, char **argv)
{
    int efd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid;
    int rc = process_spawn(argv, efd, &pid);
    if (efd >= 0)
        close(efd);
    if (rc < 0)
        return rc;
    setpriority(PRIO_PROCESS, (id_t)pid, j->cfg.nice);
    bool paused = false;
    int status = 0;
    int64_t last = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR) {
            rc = -errno;
            break;
        }
        if (atomic_load(&j->stopping)) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            unlink(r->log);
            return JOB_STOPPED;
        }
        if (r->pause) {
            struct hls_stats st;
            hls_stats(j->cfg.hls, &st);
            bool busy = st.viewer_encoders > 0;
            if (busy != paused && kill(-pid, busy ? SIGSTOP : SIGCONT) == 0) {
                paused = busy;
                LOG(L_DEBUG, "jobs", "job %lld %s while viewers' encoders run",
                    (long long)r->job_id, busy ? "paused" : "resumed");
            }
        }
        int64_t now = clock_mono_ms();
        if (r->progress && now - last >= 1000) {
            last = now;
            double p = r->progress(r->ctx);
            if (p >= 0 && store_job_progress(j->cfg.store, r->job_id, p < 0.99 ? p : 0.99) < 0)
                LOG(L_WARN, "jobs", "cannot record the progress of job %lld", (long long)r->job_id);
        }
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        say_why(r->log, status, r->err, r->errsize);
        rc = ERR_ENCODER_FAILED;
    }
    unlink(r->log);
    return rc;
}
