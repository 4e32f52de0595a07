#include "hls/hwenc.h"
#include "core/process.h"
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/wait.h>

const char *hwenc_name(enum hwenc e)
{
    static const char *const names[] = {"none", "h264_nvenc", "h264_qsv", "h264_vaapi"};
    return names[e];
}

/* Whether ffmpeg encodes one small frame with these arguments. */
static bool works(char *const argv[])
{
    pid_t pid;
    if (process_spawn(argv, -1, &pid) < 0)
        return false;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define TEST_INPUT "-f", "lavfi", "-i", "color=black:size=256x256:duration=0.1"

enum hwenc hwenc_detect(const char *ffmpeg)
{
    char *f = (char *)ffmpeg;
    char *nvenc[] = {f,      "-nostdin",   "-v", "quiet", TEST_INPUT, "-frames:v", "1",
                     "-c:v", "h264_nvenc", "-f", "null",  "-",        NULL};
    char *qsv[] = {f,
                   "-nostdin",
                   "-v",
                   "quiet",
                   "-init_hw_device",
                   "qsv=hw",
                   "-filter_hw_device",
                   "hw",
                   TEST_INPUT,
                   "-frames:v",
                   "1",
                   "-vf",
                   "format=nv12,hwupload=extra_hw_frames=16",
                   "-c:v",
                   "h264_qsv",
                   "-f",
                   "null",
                   "-",
                   NULL};
    char *vaapi[] = {f,
                     "-nostdin",
                     "-v",
                     "quiet",
                     "-vaapi_device",
                     "/dev/dri/renderD128",
                     TEST_INPUT,
                     "-frames:v",
                     "1",
                     "-vf",
                     "format=nv12,hwupload",
                     "-c:v",
                     "h264_vaapi",
                     "-f",
                     "null",
                     "-",
                     NULL};
    if (works(nvenc))
        return HWENC_NVENC;
    if (works(qsv))
        return HWENC_QSV;
    if (works(vaapi))
        return HWENC_VAAPI;
    return HWENC_NONE;
}
