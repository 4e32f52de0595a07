#include "library/poster.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    pid_t pid;
    int rc = posix_spawnp(&pid, ffmpeg, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -rc;
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || rename(part, path) < 0) {
        unlink(part);
        return -EIO;
    }
    return 0;
}
