#include "library/subtitles.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/files.h"
#include "core/log.h"
#include "core/process.h"
#include "library/ass.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool listed(const char *codec, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(codec, names[i]) == 0)
            return true;
    return false;
}

bool subtitle_is_text(const char *codec)
{
    static const char *const text[] = {"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"};
    return listed(codec, text, ARRAY_LEN(text));
}

bool subtitle_is_image(const char *codec)
{
    static const char *const image[] = {"hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle",
                                        "xsub"};
    return listed(codec, image, ARRAY_LEN(image));
}

/* Whether data is UTF-8 (a sequence cut at the end counts as one). */
static bool utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || (len == 2 && c < 0xc2))
            return false;
        for (size_t k = 1; k < len; k++)
            if (i + k < n && (p[i + k] & 0xc0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

const char *subtitle_charset(const unsigned char *data, size_t n)
{
    if (n >= 2 && data[0] == 0xff && data[1] == 0xfe)
        return "UTF-16LE";
    if (n >= 2 && data[0] == 0xfe && data[1] == 0xff)
        return "UTF-16BE";
    return utf8(data, n) ? NULL : "CP1252";
}

/* The character set of the sidecar at path, from its first 64 KiB. */
static const char *sidecar_charset(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    unsigned char buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    return n > 0 ? subtitle_charset(buf, (size_t)n) : NULL;
}

int subtitle_vtt_cached(const char *cache, const struct media_file *f, const struct media_stream *s,
                        char *out, size_t size)
{
    if (s->type != STREAM_SUBTITLE || !subtitle_is_text(s->codec))
        return ERR_UNPLAYABLE;
    struct stat sb;
    if (stat(s->external ? s->external : f->path, &sb) < 0)
        return ERR_FILE_MISSING;
    int n = snprintf(out, size, "%s/%lld-%d-%lld.vtt", cache, (long long)f->id, s->index,
                     (long long)sb.st_mtime);
    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    return access(out, R_OK) == 0 ? 0 : ERR_NOT_FOUND;
}

/* The WebVTT at vtt with the placement of the ASS script at ass (see ass.h), in place. */
static int place_cues(const char *vtt, const char *ass)
{
    char *v = NULL, *a = NULL;
    size_t vn, an;
    struct buf out;
    buf_init(&out, BUF_NO_CAP);
    int rc = read_file(vtt, &v, &vn);
    if (rc == 0)
        rc = read_file(ass, &a, &an);
    if (rc == 0)
        rc = ass_vtt_positions(v, vn, a, an, &out);
    FILE *fp = rc == 0 ? fopen(vtt, "w") : NULL;
    if (rc == 0 && !fp)
        rc = -errno;
    if (fp && fwrite(out.ptr, 1, out.len, fp) != out.len)
        rc = -EIO;
    if (fp && fclose(fp) != 0 && rc == 0)
        rc = -errno;
    free(v);
    free(a);
    buf_release(&out);
    return rc;
}

int subtitle_vtt(const char *ffmpeg, const char *cache, const struct media_file *f,
                 const struct media_stream *s, char *out, size_t size, char *err, size_t errsize)
{
    err[0] = '\0';
    int rc = subtitle_vtt_cached(cache, f, s, out, size);
    if (rc != ERR_NOT_FOUND)
        return rc;
    const char *src = s->external ? s->external : f->path;
    rc = mkdir_parents(out);
    if (rc < 0)
        return rc;
    /* Names of this conversion's own: two requests may convert the same stream at once. */
    char part[4200], script[4200], map[32], log[4200];
    snprintf(part, sizeof(part), "%s.XXXXXX", out);
    snprintf(script, sizeof(script), "%s.ass.XXXXXX", out);
    snprintf(log, sizeof(log), "%s.log.XXXXXX", out);
    /* ASS and SSA also come out as a script, for where their lines go. */
    bool ass = strcmp(s->codec, "ass") == 0 || strcmp(s->codec, "ssa") == 0;
    int pfd = mkstemp(part);
    if (pfd < 0)
        return -errno;
    close(pfd);
    if (ass && (pfd = mkstemp(script)) >= 0)
        close(pfd);
    else
        ass = false;
    int efd = mkostemp(log, O_CLOEXEC);
    /* A sidecar holds one stream; a file's is named by its index. */
    snprintf(map, sizeof(map), s->external ? "0:s:0" : "0:%d", s->index);
    const char *charset = s->external ? sidecar_charset(src) : NULL;
    char *argv[32];
    int a = 0;
    argv[a++] = (char *)ffmpeg;
    argv[a++] = "-v";
    argv[a++] = "error";
    argv[a++] = "-nostdin";
    argv[a++] = "-y";
    if (charset) {
        argv[a++] = "-sub_charenc";
        argv[a++] = (char *)charset;
    }
    argv[a++] = "-i";
    argv[a++] = (char *)src;
    argv[a++] = "-map";
    argv[a++] = map;
    argv[a++] = "-c:s";
    argv[a++] = "webvtt";
    argv[a++] = "-f";
    argv[a++] = "webvtt";
    argv[a++] = part;
    if (ass) {
        argv[a++] = "-map";
        argv[a++] = map;
        argv[a++] = "-c:s";
        argv[a++] = "copy";
        argv[a++] = "-f";
        argv[a++] = "ass";
        argv[a++] = script;
    }
    argv[a] = NULL;
    pid_t pid;
    rc = process_spawn(argv, efd, &pid);
    if (efd >= 0)
        close(efd);
    if (rc < 0) {
        unlink(part);
        unlink(log);
        if (ass)
            unlink(script);
        return rc;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    bool made = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    /* Without the placement the cues are still right, only all at the bottom. */
    if (made && ass && (rc = place_cues(part, script)) < 0)
        LOG(L_WARN, "subtitles", "%s stream %d: cannot place the cues: %s", src, s->index,
            strerror(-rc));
    if (ass)
        unlink(script);
    if (made && rename(part, out) == 0) {
        unlink(log);
        return 0;
    }
    /* ffmpeg's first line says why. */
    FILE *lf = fopen(log, "r");
    if (!lf || !fgets(err, (int)errsize, lf))
        snprintf(err, errsize, "ffmpeg could not convert the subtitles");
    err[strcspn(err, "\n")] = '\0';
    if (lf)
        fclose(lf);
    unlink(part);
    unlink(log);
    return ERR_UNPLAYABLE;
}
