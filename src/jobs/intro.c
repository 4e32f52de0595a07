/*
 * The "intro" job of an episode: the start of its audio fingerprinted by ffmpeg's chromaprint
 * muxer (kept under <data>/fingerprints/, named by file and mtime), then compared with the
 * season's other fingerprinted episodes, next to it in order (library/intro.h). The longest
 * stretch an episode shares with a neighbour, at least 10 s, is its intro, stored for both.
 * So the first episode of a season finds nothing until the second is fingerprinted, and
 * then both get theirs.
 */
#include "library/intro.h"
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "jobs/internal.h"
#include "playback/decide.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIN_INTRO_S 10.0
/* The audio fingerprinted: the first quarter, at least 2 minutes, at most 10. */
#define WINDOW_MIN_S 120
#define WINDOW_MAX_S 600

static void fingerprint_path(const struct jobs *j, const struct media_file *f, char *out,
                             size_t size)
{
    snprintf(out, size, "%s/%lld-%lld.fp", j->fingerprint_dir, (long long)f->id,
             (long long)f->mtime);
}

/* The fingerprint of file id, if made: its items (free them). */
static int load(struct jobs *j, int64_t id, uint32_t **items, size_t *n)
{
    struct media_file f;
    int rc = store_file_get(j->cfg.store, id, &f);
    if (rc < 0)
        return rc;
    char path[4400];
    fingerprint_path(j, &f, path, sizeof(path));
    media_file_release(&f);
    char *data;
    size_t len;
    rc = read_file(path, &data, &len);
    if (rc < 0)
        return rc;
    *items = (uint32_t *)(void *)data;
    *n = len / sizeof(uint32_t);
    return 0;
}

/* The best intro found for one episode so far. */
struct found {
    bool any;
    double start, end, confidence;
};

static void consider(struct found *f, double start, double end, double confidence)
{
    if (!f->any || end - start > f->end - f->start)
        *f = (struct found){true, start, end, confidence};
}

/* Compares each fingerprinted episode of file's season with the next one, and stores what
 * they share. */
static int detect(struct jobs *j, int64_t file_id)
{
    int64_t *ids;
    size_t n;
    int rc = store_season_files(j->cfg.store, file_id, &ids, &n);
    if (rc < 0)
        return rc;
    uint32_t **fp = calloc(n ? n : 1, sizeof(*fp));
    size_t *len = calloc(n ? n : 1, sizeof(*len));
    struct found *found = calloc(n ? n : 1, sizeof(*found));
    if (!fp || !len || !found)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (load(j, ids[i], &fp[i], &len[i]) < 0)
            fp[i] = NULL;
    for (size_t a = 0; rc == 0 && a < n; a++) {
        size_t b = a + 1;
        while (b < n && !fp[b])
            b++;
        if (!fp[a] || b >= n)
            continue;
        struct fp_match m;
        if (!fp_longest_common(fp[a], len[a], fp[b], len[b], MIN_INTRO_S, &m))
            continue;
        double conf = (double)m.matching / (double)(m.last - m.first + 1), s, e;
        fp_match_range(&m, false, &s, &e);
        consider(&found[a], s, e, conf);
        fp_match_range(&m, true, &s, &e);
        consider(&found[b], s, e, conf);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!found[i].any)
            continue;
        struct media_segment seg = {.file_id = ids[i],
                                    .kind = "intro",
                                    .source = "fingerprint",
                                    .start_ms = (int64_t)(found[i].start * 1000),
                                    .end_ms = (int64_t)(found[i].end * 1000),
                                    .confidence = found[i].confidence};
        rc = store_segment_put(j->cfg.store, &seg);
    }
    for (size_t i = 0; fp && i < n; i++)
        free(fp[i]);
    free(fp);
    free(len);
    free(found);
    free(ids);
    return rc;
}

int intro_run(struct jobs *j, const struct job *job, char *err, size_t size)
{
    struct media_file f;
    int rc = store_file_get(j->cfg.store, job->file_id, &f);
    if (rc < 0)
        return rc;
    const struct media_stream *a = decide_default_audio(&f);
    char path[4400], part[4500];
    fingerprint_path(j, &f, path, sizeof(path));
    if (!a || f.error || f.missing || access(path, R_OK) == 0) {
        media_file_release(&f);
        return a && access(path, R_OK) == 0 ? detect(j, job->file_id) : 0;
    }
    snprintf(part, sizeof(part), "%s.part", path);
    rc = mkdir_parents(part);
    double window = f.duration_ms / 4000.0;
    window = window < WINDOW_MIN_S ? WINDOW_MIN_S : window > WINDOW_MAX_S ? WINDOW_MAX_S : window;
    char seconds[32], map[24], log[4600];
    snprintf(seconds, sizeof(seconds), "%.0f", window);
    snprintf(map, sizeof(map), "0:%d", a->index);
    snprintf(log, sizeof(log), "%s.log", path);
    char *argv[] = {(char *)j->cfg.ffmpeg,
                    "-nostdin",
                    "-v",
                    "error",
                    "-t",
                    seconds,
                    "-i",
                    f.path,
                    "-map",
                    map,
                    "-ac",
                    "1",
                    "-f",
                    "chromaprint",
                    "-fp_format",
                    "raw",
                    "-y",
                    part,
                    NULL};
    struct job_run r = {.job_id = job->id, .log = log, .pause = true, .err = err, .errsize = size};
    if (rc == 0)
        rc = job_ffmpeg(j, &r, argv);
    if (rc == 0 && rename(part, path) < 0)
        rc = -errno;
    if (rc != 0)
        unlink(part);
    media_file_release(&f);
    return rc == 0 ? detect(j, job->file_id) : rc;
}
