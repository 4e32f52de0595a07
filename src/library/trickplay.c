#include "library/trickplay.h"
#include "core/error.h"
#include "core/files.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int trickplay_dir(const char *dir, const struct media_file *f, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%lld-%lld", dir, (long long)f->id, (long long)f->mtime);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int trickplay_info_parse(const char *text, size_t n, struct trickplay *out)
{
    char tmp[128];
    if (n >= sizeof(tmp))
        return ERR_INTERNAL;
    memcpy(tmp, text, n);
    tmp[n] = '\0';
    struct trickplay t;
    char end;
    if (sscanf(tmp, "%d %d %d %d %d %d%c", &t.interval, &t.width, &t.height, &t.columns, &t.rows,
               &t.count, &end) != 7 ||
        end != '\n' || t.interval < 1 || t.width < 1 || t.height < 1 || t.columns < 1 ||
        t.rows < 1 || t.count < 0 || t.width > 8192 || t.height > 8192 || t.columns > 64 ||
        t.rows > 64)
        return ERR_INTERNAL;
    *out = t;
    return 0;
}

int trickplay_info_format(const struct trickplay *t, struct buf *out)
{
    return buf_printf(out, "%d %d %d %d %d %d\n", t->interval, t->width, t->height, t->columns,
                      t->rows, t->count);
}

int trickplay_load(const char *folder, struct trickplay *out)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/info", folder);
    char *text;
    size_t n;
    int rc = read_file(path, &text, &n);
    if (rc == -ENOENT || rc == -ENOTDIR)
        return ERR_NOT_FOUND;
    if (rc < 0)
        return rc;
    rc = trickplay_info_parse(text, n, out);
    free(text);
    return rc;
}

void trickplay_size(const struct media_stream *v, int width, int *w, int *h)
{
    double sw = v->width > 0 ? v->width : 16, sh = v->height > 0 ? v->height : 9;
    if (v->sar_num > 0 && v->sar_den > 0)
        sw = sw * v->sar_num / v->sar_den;
    if (v->rotation == 90 || v->rotation == 270) {
        double t = sw;
        sw = sh;
        sh = t;
    }
    *w = width & ~1;
    *h = 2 * (int)(width * sh / sw / 2 + 0.5);
    if (*h < 2)
        *h = 2;
}

/* "HH:MM:SS.mmm" */
static int timestamp(struct buf *b, double s)
{
    long long ms = (long long)(s * 1000 + 0.5);
    return buf_printf(b, "%02lld:%02lld:%02lld.%03lld", ms / 3600000, ms / 60000 % 60,
                      ms / 1000 % 60, ms % 1000);
}

int trickplay_vtt(const struct trickplay *t, double duration_s, const char *prefix, struct buf *out)
{
    int rc = buf_puts(out, "WEBVTT\n");
    int per_sheet = t->columns * t->rows;
    for (int i = 0; i < t->count && rc == 0; i++) {
        double start = (double)i * t->interval;
        double end = i + 1 == t->count && duration_s > start ? duration_s : start + t->interval;
        int k = i % per_sheet;
        rc = buf_puts(out, "\n");
        if (rc == 0)
            rc = timestamp(out, start);
        if (rc == 0)
            rc = buf_puts(out, " --> ");
        if (rc == 0)
            rc = timestamp(out, end);
        if (rc == 0)
            rc = buf_printf(out, "\n%s%d.jpg#xywh=%d,%d,%d,%d\n", prefix, i / per_sheet,
                            k % t->columns * t->width, k / t->columns * t->height, t->width,
                            t->height);
    }
    return rc;
}

int trickplay_m3u8(const struct trickplay *t, double duration_s, const char *prefix,
                   struct buf *out)
{
    int per_sheet = t->columns * t->rows;
    int sheets = (t->count + per_sheet - 1) / per_sheet;
    double sheet_s = (double)per_sheet * t->interval;
    int rc = buf_printf(out,
                        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n"
                        "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n",
                        (int)sheet_s);
    for (int i = 0; i < sheets && rc == 0; i++) {
        double start = i * sheet_s;
        double len =
            duration_s > start && duration_s - start < sheet_s ? duration_s - start : sheet_s;
        rc = buf_printf(
            out,
            "#EXT-X-TILES:RESOLUTION=%dx%d,LAYOUT=%dx%d,DURATION=%d\n#EXTINF:%.3f,\n%s%d.jpg\n",
            t->width, t->height, t->columns, t->rows, t->interval, len, prefix, i);
    }
    if (rc == 0)
        rc = buf_puts(out, "#EXT-X-ENDLIST\n");
    return rc;
}
