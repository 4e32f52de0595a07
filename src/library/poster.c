#include "library/poster.h"
#include "core/process.h"
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void poster_path(const char *dir, int64_t file_id, char *out, size_t size)
{
    snprintf(out, size, "%s/%lld.jpg", dir, (long long)file_id);
}

int poster_make(const char *ffmpeg, const char *dir, int64_t file_id, const char *video,
                int64_t duration_ms)
{
    char path[4200], part[4300], at[32];
    poster_path(dir, file_id, path, sizeof(path));
    struct stat st;
    if (stat(path, &st) == 0)
        return 0;
    snprintf(part, sizeof(part), "%s.part.jpg", path);
    snprintf(at, sizeof(at), "%.3f", duration_ms / 10000.0);
    char *argv[] = {
        (char *)ffmpeg, "-v", "error", "-nostdin",     "-y",   "-ss", at,   "-i", (char *)video,
        "-frames:v",    "1",  "-vf",   "scale=-2:360", "-q:v", "5",   part, NULL};
    pid_t pid;
    int rc = process_spawn(argv, -1, &pid);
    if (rc < 0)
        return rc;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || rename(part, path) < 0) {
        unlink(part);
        return -EIO;
    }
    return 0;
}
