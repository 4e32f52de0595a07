/*
 * The "trickplay" job: a file's scrubbing previews (library/trickplay.h), in two ffmpeg runs.
 * The first writes one small JPEG per interval: from keyframes only when the file has one
 * at least every half interval (the decoder then skips every other frame, which is most of
 * the work), else from every frame. The second lays them out on sheets. Both run at the
 * jobs' niceness, and the first is stopped (SIGSTOP) while viewers' encoders run, so that
 * previews never slow a viewer down.
 */
#include "library/trickplay.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "core/process.h"
#include "jobs/internal.h"
#include "library/keyframes.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Whether the video has a keyframe at least every max_gap seconds. */
static bool keyframes_dense(const char *path, int stream, double max_gap)
{
    double *kf, delay;
    size_t n;
    if (keyframes_read(path, stream, &kf, &n, &delay) < 0)
        return false;
    bool dense = n > 1;
    for (size_t i = 1; dense && i < n; i++)
        dense = kf[i] - kf[i - 1] <= max_gap;
    free(kf);
    return dense;
}

/* How many files of folder start with prefix. */
static int count_files(const char *folder, const char *prefix)
{
    DIR *d = opendir(folder);
    if (!d)
        return 0;
    int n = 0;
    size_t k = strlen(prefix);
    for (struct dirent *e; (e = readdir(d));)
        n += strncmp(e->d_name, prefix, k) == 0;
    closedir(d);
    return n;
}

static void remove_thumbs(const char *folder)
{
    DIR *d = opendir(folder);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] != 't')
            continue;
        char path[4600];
        snprintf(path, sizeof(path), "%s/%s", folder, e->d_name);
        unlink(path);
    }
    closedir(d);
}

struct run {
    struct jobs *j;
    int64_t job_id;
    const char *folder;
    int expected; /* thumbnails the first run makes: for the progress */
    char *err;
    size_t errsize;
};

/* Runs argv to its end at the jobs' niceness; with watch, pauses it while viewers'
 * encoders run and reports progress. 0, JOB_STOPPED, or an error with ffmpeg's words. */
static int run_ffmpeg(struct run *r, char **argv, bool watch)
{
    char log[4400];
    snprintf(log, sizeof(log), "%s/ffmpeg.log", r->folder);
    int efd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid;
    int rc = process_spawn(argv, efd, &pid);
    if (efd >= 0)
        close(efd);
    if (rc < 0)
        return rc;
    setpriority(PRIO_PROCESS, (id_t)pid, r->j->cfg.nice);
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
        if (atomic_load(&r->j->stopping)) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            return JOB_STOPPED;
        }
        if (watch) {
            struct hls_stats st;
            hls_stats(r->j->cfg.hls, &st);
            bool busy = st.viewer_encoders > 0;
            if (busy != paused && kill(-pid, busy ? SIGSTOP : SIGCONT) == 0) {
                paused = busy;
                LOG(L_DEBUG, "jobs", "trickplay %s while viewers' encoders run",
                    busy ? "paused" : "resumed");
            }
            int64_t now = clock_mono_ms();
            if (now - last >= 1000 && r->expected > 0) {
                last = now;
                double p = (double)count_files(r->folder, "t") / r->expected;
                if (store_job_progress(r->j->cfg.store, r->job_id, p < 0.99 ? p : 0.99) < 0)
                    LOG(L_WARN, "jobs", "cannot record the progress of job %lld",
                        (long long)r->job_id);
            }
        }
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        char *text = NULL;
        size_t n = 0;
        if (read_file(log, &text, &n) == 0 && n) {
            text[strcspn(text, "\n")] = '\0';
            snprintf(r->err, r->errsize, "ffmpeg failed: %s", text);
        } else {
            snprintf(r->err, r->errsize, "ffmpeg failed (status %d)", status);
        }
        free(text);
        rc = ERR_ENCODER_FAILED;
    }
    unlink(log);
    return rc;
}

/* Removes what earlier versions of file's previews left: folders "<id>-*". */
static void remove_old(const char *dir, int64_t file_id, const char *keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char prefix[32];
    int k = snprintf(prefix, sizeof(prefix), "%lld-", (long long)file_id);
    for (struct dirent *e; (e = readdir(d));) {
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (strncmp(e->d_name, prefix, (size_t)k) == 0 && strcmp(path, keep) != 0)
            rm_tree(path);
    }
    closedir(d);
}

int trickplay_run(struct jobs *j, const struct job *job, char *err, size_t size)
{
    const struct jobs_config *cfg = &j->cfg;
    struct media_file f;
    int rc = store_file_get(cfg->store, job->file_id, &f);
    if (rc < 0)
        return rc;
    const struct media_stream *v = NULL;
    for (size_t i = 0; i < f.nstreams && !v; i++)
        if (f.streams[i].type == STREAM_VIDEO)
            v = &f.streams[i];
    char folder[4200], part[4300];
    struct trickplay t;
    rc = trickplay_dir(cfg->trickplay_dir, &f, folder, sizeof(folder));
    /* Nothing to show: no video, or a file that cannot be read (its page says why). */
    if (rc < 0 || !v || f.error || f.missing || cfg->trickplay_interval < 1 ||
        trickplay_load(folder, &t) == 0) {
        media_file_release(&f);
        return rc < 0 ? rc : 0;
    }
    remove_old(cfg->trickplay_dir, f.id, folder);
    snprintf(part, sizeof(part), "%s.part", folder);
    rm_tree(part);
    rc = mkdir_parents(part) == 0 && mkdir(part, 0700) == 0 ? 0 : -errno;
    if (rc < 0) {
        media_file_release(&f);
        return rc;
    }
    t = (struct trickplay){.interval = cfg->trickplay_interval,
                           .columns = cfg->trickplay_tiles,
                           .rows = cfg->trickplay_tiles};
    trickplay_size(v, cfg->trickplay_width, &t.width, &t.height);
    bool keyframes = keyframes_dense(f.path, v->index, t.interval / 2.0);
    char map[24], vf[200], thumbs[4400], tile[48], sheets[4400];
    snprintf(map, sizeof(map), "0:%d", v->index);
    /* fps gives each slot the last frame before the slot's end: times moved on by nearly
     * an interval make that the last frame at or before the preview's own time, on the
     * playback clock (from the first frame). */
    snprintf(vf, sizeof(vf), "setpts=PTS-STARTPTS+%.2f/TB,fps=1/%d:round=down,scale=%d:%d,setsar=1",
             t.interval - 0.01, t.interval, t.width, t.height);
    snprintf(thumbs, sizeof(thumbs), "%s/t%%06d.jpg", part);
    struct run r = {.j = j,
                    .job_id = job->id,
                    .folder = part,
                    .expected = (int)(f.duration_ms / 1000 / t.interval) + 1,
                    .err = err,
                    .errsize = size};
    char *first[] = {(char *)cfg->ffmpeg,
                     "-nostdin",
                     "-v",
                     "error",
                     "-skip_frame",
                     keyframes ? "nokey" : "default",
                     "-i",
                     f.path,
                     "-map",
                     map,
                     "-vf",
                     vf,
                     "-q:v",
                     "5",
                     "-f",
                     "image2",
                     thumbs,
                     NULL};
    int64_t t0 = clock_mono_ms();
    rc = run_ffmpeg(&r, first, true);
    t.count = count_files(part, "t");
    if (rc == 0 && t.count == 0) {
        snprintf(err, size, "ffmpeg made no preview");
        rc = ERR_ENCODER_FAILED;
    }
    snprintf(tile, sizeof(tile), "tile=%dx%d", t.columns, t.rows);
    snprintf(sheets, sizeof(sheets), "%s/%%d.jpg", part);
    char *second[] = {(char *)cfg->ffmpeg,
                      "-nostdin",
                      "-v",
                      "error",
                      "-framerate",
                      "1",
                      "-i",
                      thumbs,
                      "-vf",
                      tile,
                      "-q:v",
                      "4",
                      "-start_number",
                      "0",
                      "-f",
                      "image2",
                      sheets,
                      NULL};
    if (rc == 0)
        rc = run_ffmpeg(&r, second, false);
    struct buf info;
    buf_init(&info, BUF_NO_CAP);
    if (rc == 0)
        rc = trickplay_info_format(&t, &info);
    if (rc == 0) {
        remove_thumbs(part);
        char path[4400];
        snprintf(path, sizeof(path), "%s/info", part);
        FILE *fp = fopen(path, "w");
        rc = fp && fwrite(info.ptr, 1, info.len, fp) == info.len ? 0 : -EIO;
        if (fp && fclose(fp) != 0)
            rc = -EIO;
    }
    buf_release(&info);
    if (rc == 0 && rename(part, folder) < 0)
        rc = -errno;
    if (rc == 0)
        LOG(L_INFO, "jobs", "trickplay of file %lld: %d previews from %s in %lld ms",
            (long long)f.id, t.count, keyframes ? "keyframes" : "every frame",
            (long long)(clock_mono_ms() - t0));
    else
        rm_tree(part);
    media_file_release(&f);
    return rc;
}
