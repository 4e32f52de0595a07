#include "core/process.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* In the child, before exec: only calls that are safe after fork in a threaded process. */
static void become(char *const argv[], int err_fd, pid_t parent, int report)
{
    /* Killed with the server, even by SIGKILL, so that no encoder outlives it. If the
     * server died before this, the child goes at once. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(127);
    setpgid(0, 0);
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(err_fd >= 0 ? err_fd : out, 2) < 0)
        _exit(127);
    /* report (close-on-exec) is how exec's failure reaches the parent. */
    if (report != 3 && (dup2(report, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0))
        _exit(127);
    syscall(SYS_close_range, 4, ~0U, 0);
    execvpe(argv[0], argv, environ);
    int e = errno;
    (void)!write(3, &e, sizeof(e));
    _exit(127);
}

int process_spawn(char *const argv[], int err_fd, pid_t *pid)
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0)
        return -errno;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(report[0]);
        close(report[1]);
        return -e;
    }
    if (child == 0)
        become(argv, err_fd, parent, report[1]);
    close(report[1]);
    int e = 0;
    ssize_t n;
    while ((n = read(report[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(report[0]);
    if (n == (ssize_t)sizeof(e)) {
        /* exec failed: the child has exited; reap it here, as the caller never saw it. */
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        return -e;
    }
    *pid = child;
    return 0;
}

int process_sweep(const char *needle)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -errno;
    int killed = 0;
    size_t want = strlen(needle);
    struct dirent *ent;
    while ((ent = readdir(d))) {
        char *end;
        long pid = strtol(ent->d_name, &end, 10);
        if (*end || pid <= 1 || pid == getpid())
            continue;
        char path[64], cmd[8192];
        snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, cmd, sizeof(cmd) - 1);
        close(fd);
        if (n <= 0)
            continue;
        /* The arguments are NUL-separated: search each. */
        cmd[n] = '\0';
        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(cmd + i) + 1) {
            if (strlen(cmd + i) >= want && strstr(cmd + i, needle)) {
                if (kill((pid_t)pid, SIGKILL) == 0)
                    killed++;
                break;
            }
        }
    }
    closedir(d);
    return killed;
}
