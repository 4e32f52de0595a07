/*
 * The "intro" job of an episode: the start and the end of its audio fingerprinted by
 * ffmpeg's chromaprint muxer (kept under <data>/fingerprints/, named by file and mtime),
 * then compared with the season's other fingerprinted episodes, next to it in order
 * (library/intro.h). The longest stretch an episode shares with a neighbour at the start,
 * at least 10 s, is its intro, and at the end its credits, stored for both. So the first
 * episode of a season finds nothing until the second is fingerprinted, and then both get
 * theirs.
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
/* The audio fingerprinted: at the start the first quarter, at least 2 minutes; at the end
 * the last quarter, at least 30 s (so that a short episode's intro is not in it); at most 10
 * minutes of either. */
#define WINDOW_MAX_S 600.0

enum part { START, END };

static double window(const struct media_file *f, enum part p)
{
    double w = f->duration_ms / 4000.0, least = p == START ? 120 : 30;
    w = w < least ? least : w > WINDOW_MAX_S ? WINDOW_MAX_S : w;
    /* In a short file, the start and the end keep apart. */
    double d = f->duration_ms / 1000.0, most = d * (p == START ? 0.6 : 0.4);
    return d > 0 && w > most ? most : w;
}

/* Where the fingerprint of part starts in the file, in seconds. */
static double offset(const struct media_file *f, enum part p)
{
    return p == START ? 0 : f->duration_ms / 1000.0 - window(f, END);
}

static void fingerprint_path(const struct jobs *j, const struct media_file *f, enum part p,
                             char *out, size_t size)
{
    snprintf(out, size, "%s/%lld-%lld%s.fp", j->fingerprint_dir, (long long)f->id,
             (long long)f->mtime, p == START ? "" : "-end");
}

/* The fingerprint of part of file id, if made: its items (free them), where it starts and
 * how long it is. */
static int load(struct jobs *j, int64_t id, enum part p, uint32_t **items, size_t *n, double *from,
                double *length)
{
    struct media_file f;
    int rc = store_file_get(j->cfg.store, id, &f);
    if (rc < 0)
        return rc;
    char path[4400];
    fingerprint_path(j, &f, p, path, sizeof(path));
    *from = offset(&f, p);
    *length = window(&f, p);
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

/* Compares part of each fingerprinted episode of file's season with the next one's, and
 * stores what they share as kind. */
static int detect(struct jobs *j, int64_t file_id, enum part p, const char *kind)
{
    int64_t *ids;
    size_t n;
    int rc = store_season_files(j->cfg.store, file_id, &ids, &n);
    if (rc < 0)
        return rc;
    uint32_t **fp = calloc(n ? n : 1, sizeof(*fp));
    size_t *len = calloc(n ? n : 1, sizeof(*len));
    double *from = calloc(n ? n : 1, sizeof(*from));
    double *length = calloc(n ? n : 1, sizeof(*length));
    struct found *found = calloc(n ? n : 1, sizeof(*found));
    if (!fp || !len || !from || !length || !found)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (load(j, ids[i], p, &fp[i], &len[i], &from[i], &length[i]) < 0)
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
        /* A run to the last item goes to the end of the audio fingerprinted: the last
         * items of a stream sum up less than the rest. */
        fp_match_range(&m, false, &s, &e);
        consider(&found[a], from[a] + s, from[a] + (m.a_end ? length[a] : e), conf);
        fp_match_range(&m, true, &s, &e);
        consider(&found[b], from[b] + s, from[b] + (m.b_end ? length[b] : e), conf);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!found[i].any)
            continue;
        struct media_segment seg = {.file_id = ids[i],
                                    .source = "fingerprint",
                                    .start_ms = (int64_t)(found[i].start * 1000),
                                    .end_ms = (int64_t)(found[i].end * 1000),
                                    .confidence = found[i].confidence};
        snprintf(seg.kind, sizeof(seg.kind), "%s", kind);
        rc = store_segment_put(j->cfg.store, &seg);
    }
    for (size_t i = 0; fp && i < n; i++)
        free(fp[i]);
    free(fp);
    free(len);
    free(from);
    free(length);
    free(found);
    free(ids);
    return rc;
}

/* Fingerprints part of f's audio stream a, unless done. */
static int fingerprint(struct jobs *j, const struct job *job, const struct media_file *f,
                       const struct media_stream *a, enum part p, char *err, size_t size)
{
    char path[4400], part[4500], log[4600], seconds[32], start[32], map[24];
    fingerprint_path(j, f, p, path, sizeof(path));
    if (access(path, R_OK) == 0)
        return 0;
    snprintf(part, sizeof(part), "%s.part", path);
    snprintf(log, sizeof(log), "%s.log", path);
    int rc = mkdir_parents(part);
    snprintf(seconds, sizeof(seconds), "%.3f", window(f, p));
    snprintf(start, sizeof(start), "%.3f", offset(f, p));
    snprintf(map, sizeof(map), "0:%d", a->index);
    char *argv[] = {(char *)j->cfg.ffmpeg,
                    "-nostdin",
                    "-v",
                    "error",
                    "-ss",
                    start,
                    "-t",
                    seconds,
                    "-i",
                    f->path,
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
    return rc;
}

int intro_run(struct jobs *j, const struct job *job, char *err, size_t size)
{
    struct media_file f;
    int rc = store_file_get(j->cfg.store, job->file_id, &f);
    if (rc < 0)
        return rc;
    const struct media_stream *a = decide_default_audio(&f);
    if (a && !f.error && !f.missing) {
        rc = fingerprint(j, job, &f, a, START, err, size);
        if (rc == 0)
            rc = fingerprint(j, job, &f, a, END, err, size);
    }
    media_file_release(&f);
    if (rc == 0 && a)
        rc = detect(j, job->file_id, START, "intro");
    if (rc == 0 && a)
        rc = detect(j, job->file_id, END, "credits");
    return rc;
}
