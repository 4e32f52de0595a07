#include "hls/speeds.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/process.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uthash.h>

/* The weight of a new observation in the running average. */
#define SPEED_WEIGHT 0.3

struct entry {
    char key[96];
    double speed;
    long samples;
    UT_hash_handle hh;
};

struct speeds {
    pthread_mutex_t lock;
    char *path;
    struct entry *by_key;
    bool dirty;
    pid_t calibrating; /* the calibration's ffmpeg, 0 when none runs */
    bool cancelled;
};

static struct entry *find(struct speeds *s, const char *key)
{
    struct entry *e;
    HASH_FIND_STR(s->by_key, key, e);
    return e;
}

/* Sets key's estimate outright (reading the file) or folds speed in. */
static void put(struct speeds *s, const char *key, double speed, long samples, bool fold)
{
    struct entry *e = find(s, key);
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e)
            return;
        snprintf(e->key, sizeof(e->key), "%s", key);
        HASH_ADD_STR(s->by_key, key, e);
        fold = false;
    }
    if (fold) {
        e->speed = e->speed * (1 - SPEED_WEIGHT) + speed * SPEED_WEIGHT;
        e->samples += samples;
    } else {
        e->speed = speed;
        e->samples = samples;
    }
}

int speeds_open(const char *path, struct speeds **out)
{
    struct speeds *s = calloc(1, sizeof(*s));
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return -ENOMEM;
    }
    pthread_mutex_init(&s->lock, NULL);
    FILE *f = fopen(path, "r");
    char key[96];
    double speed;
    long samples;
    while (f && fscanf(f, "%95s %lf %ld", key, &speed, &samples) == 3)
        if (speed > 0 && speed < 1000)
            put(s, key, speed, samples, false);
    if (f)
        fclose(f);
    *out = s;
    return 0;
}

void speeds_close(struct speeds *s)
{
    if (!s)
        return;
    struct entry *e, *tmp;
    HASH_ITER(hh, s->by_key, e, tmp)
    {
        HASH_DEL(s->by_key, e);
        free(e);
    }
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s);
}

void speeds_observe(struct speeds *s, const char *key, double speed)
{
    if (!(speed > 0 && speed < 1000))
        return;
    pthread_mutex_lock(&s->lock);
    put(s, key, speed, 1, true);
    s->dirty = true;
    pthread_mutex_unlock(&s->lock);
}

double speeds_get(struct speeds *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    struct entry *e = find(s, key);
    double v = e ? e->speed : 0;
    pthread_mutex_unlock(&s->lock);
    return v;
}

int speeds_save(struct speeds *s)
{
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    if (s->dirty) {
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", s->path);
        FILE *f = fopen(tmp, "w");
        struct entry *e, *t;
        if (!f)
            rc = -errno;
        HASH_ITER(hh, s->by_key, e, t)
        {
            if (f)
                fprintf(f, "%s %.3f %ld\n", e->key, e->speed, e->samples);
        }
        if (f && (fflush(f) != 0 || ferror(f)))
            rc = -EIO;
        if (f && fclose(f) != 0 && rc == 0)
            rc = -errno;
        if (rc == 0 && rename(tmp, s->path) < 0)
            rc = -errno;
        if (rc < 0)
            unlink(tmp);
        else
            s->dirty = false;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void speeds_key(char *out, size_t size, const char *codec, int source_height, int height,
                const char *preset)
{
    snprintf(out, size, "%s/%d>%d/%s", codec, source_height, height, preset);
}

static const int heights[] = {1080, 720, 480, 360};

double speeds_estimate(struct speeds *s, const char *codec, int source_height, int height,
                       const char *preset)
{
    char key[96];
    speeds_key(key, sizeof(key), codec, source_height, height, preset);
    double v = speeds_get(s, key);
    if (v > 0)
        return v;
    bool heavy =
        strcmp(codec, "hevc") == 0 || strcmp(codec, "av1") == 0 || strcmp(codec, "vp9") == 0;
    speeds_key(key, sizeof(key), heavy ? "calibration-hevc" : "calibration", 1080, height, preset);
    return speeds_get(s, key);
}

/* What the calibration times: a generated clip decoded as it is made (cheap, like H.264),
 * and the same clip as HEVC Main 10 (the costliest source a library commonly holds). */
static const char *const kinds[] = {"calibration", "calibration-hevc"};

bool speeds_calibrated(struct speeds *s, const char *preset)
{
    char key[96];
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (size_t i = 0; i < sizeof(heights) / sizeof(heights[0]); i++) {
            speeds_key(key, sizeof(key), kinds[k], 1080, heights[i], preset);
            if (speeds_get(s, key) <= 0)
                return false;
        }
    return true;
}

/* Runs ffmpeg to its end, unless cancelled; *took is the wall time in seconds. */
static int run_ffmpeg(struct speeds *s, char *const argv[], double *took)
{
    int64_t t0 = clock_mono_ms();
    pid_t pid;
    pthread_mutex_lock(&s->lock);
    int rc = s->cancelled ? -ECANCELED : process_spawn(argv, -1, &pid);
    if (rc == 0)
        s->calibrating = pid;
    pthread_mutex_unlock(&s->lock);
    if (rc < 0)
        return rc;
    int status;
    while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&s->lock);
    s->calibrating = 0;
    bool cancelled = s->cancelled;
    pthread_mutex_unlock(&s->lock);
    if (rc < 0)
        return -errno;
    if (cancelled)
        return -ECANCELED;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -EIO;
    *took = (clock_mono_ms() - t0) / 1000.0;
    return 0;
}

/* The clip: CLIP_S seconds of 1080p at 24 frames a second. */
#define CLIP_S 4
#define CLIP_SOURCE "testsrc2=size=1920x1080:rate=24"

/* One calibration encode of the clip (input: the lavfi source, or a file) to height. */
static int calibrate_one(struct speeds *s, const char *ffmpeg, const char *preset, const char *kind,
                         const char *file, int height)
{
    char scale[40], frames[16];
    snprintf(scale, sizeof(scale), "scale=-2:%d,format=yuv420p", height);
    snprintf(frames, sizeof(frames), "%d", CLIP_S * 24);
    char *argv[24];
    size_t n = 0;
    argv[n++] = (char *)ffmpeg;
    argv[n++] = "-nostdin";
    argv[n++] = "-v";
    argv[n++] = "error";
    if (!file) {
        argv[n++] = "-f";
        argv[n++] = "lavfi";
    }
    argv[n++] = "-i";
    argv[n++] = file ? (char *)file : CLIP_SOURCE;
    char *rest[] = {"-frames:v",    frames,  "-vf",         scale, "-c:v", "libx264", "-preset",
                    (char *)preset, "-tune", "zerolatency", "-f",  "null", "-",       NULL};
    for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
        argv[n++] = rest[i];
    double took;
    int rc = run_ffmpeg(s, argv, &took);
    if (rc < 0)
        return rc;
    char key[96];
    speeds_key(key, sizeof(key), kind, 1080, height, preset);
    pthread_mutex_lock(&s->lock);
    put(s, key, CLIP_S / (took > 0.001 ? took : 0.001), 1, false);
    s->dirty = true;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* The HEVC Main 10 clip, made next to the speeds file. */
static int make_hevc_clip(struct speeds *s, const char *ffmpeg, const char *path)
{
    char frames[16];
    snprintf(frames, sizeof(frames), "%d", CLIP_S * 24);
    char *argv[] = {
        (char *)ffmpeg,    "-nostdin", "-v",        "error",      "-y",          "-f",
        "lavfi",           "-i",       CLIP_SOURCE, "-frames:v",  frames,        "-c:v",
        "libx265",         "-preset",  "ultrafast", "-pix_fmt",   "yuv420p10le", "-x265-params",
        "log-level=error", "-f",       "matroska",  (char *)path, NULL};
    double took;
    return run_ffmpeg(s, argv, &took);
}

void speeds_cancel(struct speeds *s)
{
    pthread_mutex_lock(&s->lock);
    s->cancelled = true;
    if (s->calibrating > 0)
        kill(-s->calibrating, SIGKILL);
    pthread_mutex_unlock(&s->lock);
}

int speeds_calibrate(struct speeds *s, const char *ffmpeg, const char *preset)
{
    char clip[4200];
    snprintf(clip, sizeof(clip), "%s.clip.mkv", s->path);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof(heights) / sizeof(heights[0]); i++)
        rc = calibrate_one(s, ffmpeg, preset, kinds[0], NULL, heights[i]);
    if (rc == 0)
        rc = make_hevc_clip(s, ffmpeg, clip);
    for (size_t i = 0; rc == 0 && i < sizeof(heights) / sizeof(heights[0]); i++)
        rc = calibrate_one(s, ffmpeg, preset, kinds[1], clip, heights[i]);
    unlink(clip);
    int saved = speeds_save(s);
    return rc < 0 ? rc : saved;
}
