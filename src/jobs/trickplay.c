/*
 * The "trickplay" job: a file's scrubbing previews (library/trickplay.h), in two ffmpeg runs.
 * The first writes one small JPEG per interval: from keyframes only when the file has one
 * at least every half interval (the decoder then skips every frame that is not one, which
 * is most of the work), else from every frame. The second lays them out on sheets. Both run at the
 * jobs' niceness, and the first is stopped (SIGSTOP) while viewers' encoders run, so that
 * previews never slow a viewer down.
 */
#include "library/trickplay.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "jobs/internal.h"
#include "library/keyframes.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

struct thumbs_made {
    const char *folder;
    int expected;
};

/* How far the first run is: the thumbnails made so far. */
static double thumbs_progress(void *ctx)
{
    const struct thumbs_made *m = ctx;
    return m->expected > 0 ? (double)count_files(m->folder, "t") / m->expected : -1;
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

/* Removes what earlier versions of file's previews left: folders "<id>-*". */
static void remove_old(const char *dir, int64_t file_id, const char *keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char prefix[32];
    int k = snprintf(prefix, sizeof(prefix), "%lld-", (long long)file_id);
    for (struct dirent *e; (e = readdir(d));) {
        char path[4600];
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
    rc = trickplay_dir(j->trickplay_dir, &f, folder, sizeof(folder));
    /* Nothing to show: no video, or a file that cannot be read (its page says why). */
    if (rc < 0 || !v || f.error || f.missing || cfg->trickplay_interval < 1 ||
        trickplay_load(folder, &t) == 0) {
        media_file_release(&f);
        return rc < 0 ? rc : 0;
    }
    remove_old(j->trickplay_dir, f.id, folder);
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
    char log[4400];
    snprintf(log, sizeof(log), "%s/ffmpeg.log", part);
    struct thumbs_made made = {part, (int)(f.duration_ms / 1000 / t.interval) + 1};
    struct job_run r = {.job_id = job->id,
                        .log = log,
                        .pause = true,
                        .progress = thumbs_progress,
                        .ctx = &made,
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
    rc = job_ffmpeg(j, &r, first);
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
    r.pause = false;
    r.progress = NULL;
    if (rc == 0)
        rc = job_ffmpeg(j, &r, second);
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
