#include "hls/vtt.h"
#include "core/error.h"
#include "core/str.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool starts(const char *line, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(line, prefix, k) == 0;
}

int vtt_master(const char *master, size_t len, const struct vtt_rendition *r, size_t n,
               const char *prefix, struct buf *out)
{
    const char *p = master, *end = master + len, *line;
    size_t ln;
    int rc = 0;
    bool added = n == 0;
    while (rc == 0 && str_next_line(&p, end, &line, &ln)) {
        bool variant = starts(line, ln, "#EXT-X-STREAM-INF:");
        /* The group goes before the first variant that uses it. */
        for (size_t i = 0; !added && variant && i < n && rc == 0; i++)
            rc = buf_printf(out,
                            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"%s\",%s%s%s"
                            "DEFAULT=%s,AUTOSELECT=YES,FORCED=%s,URI=\"%s/sub%d/index.m3u8\"\n",
                            r[i].name, r[i].language[0] ? "LANGUAGE=\"" : "", r[i].language,
                            r[i].language[0] ? "\"," : "", r[i].is_default ? "YES" : "NO",
                            r[i].forced ? "YES" : "NO", prefix, r[i].index);
        added |= variant;
        if (rc == 0)
            rc = buf_append(out, line, ln);
        if (rc == 0 && variant && n)
            rc = buf_puts(out, ",SUBTITLES=\"subs\"");
        if (rc == 0)
            rc = buf_puts(out, "\n");
    }
    return rc;
}

int vtt_media(const char *video_media, size_t len, struct buf *out)
{
    const char *p = video_media, *end = video_media + len, *line;
    size_t ln;
    int rc = 0;
    while (rc == 0 && str_next_line(&p, end, &line, &ln)) {
        if (starts(line, ln, "#EXT-X-MAP:"))
            continue;
        if (ln && line[0] != '#') {
            /* "12.m4s" (or a longer path ending so): segment 12. */
            const char *slash = memrchr(line, '/', ln);
            const char *name = slash ? slash + 1 : line;
            rc = buf_printf(out, "%ld.vtt\n", strtol(name, NULL, 10));
        } else {
            rc = buf_append(out, line, ln);
            if (rc == 0)
                rc = buf_puts(out, "\n");
        }
    }
    return rc;
}

int vtt_segment_times(const char *media, size_t len, long n, double *start, double *end)
{
    const char *p = media, *stop = media + len, *line;
    size_t ln;
    double t = 0, dur = 0;
    long k = 0;
    while (str_next_line(&p, stop, &line, &ln)) {
        if (starts(line, ln, "#EXTINF:")) {
            char num[32];
            snprintf(num, sizeof(num), "%.*s", (int)(ln - 8 < 31 ? ln - 8 : 31), line + 8);
            dur = strtod(num, NULL);
        } else if (ln && line[0] != '#') {
            if (k == n) {
                *start = t;
                *end = t + dur;
                return 0;
            }
            t += dur;
            k++;
        }
    }
    return ERR_NOT_FOUND;
}

double vtt_timestamp(const char *s, size_t n, size_t *used)
{
    int parts[3] = {0}, np = 0;
    size_t i = 0;
    *used = 0;
    while (np < 3) {
        size_t d = 0;
        int v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && d < 9)
            v = v * 10 + (s[i++] - '0'), d++;
        if (d == 0)
            return 0;
        parts[np++] = v;
        if (i < n && s[i] == ':')
            i++;
        else
            break;
    }
    if (np < 2 || i >= n || s[i] != '.')
        return 0;
    i++;
    int ms = 0, d = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && d < 3)
        ms = ms * 10 + (s[i++] - '0'), d++;
    if (d != 3)
        return 0;
    *used = i;
    double h = np == 3 ? parts[0] : 0, m = parts[np - 2], sec = parts[np - 1];
    return h * 3600 + m * 60 + sec + ms / 1000.0;
}

int vtt_segment(const char *vtt, size_t len, double start, double end, int64_t mpegts,
                struct buf *out)
{
    int rc = buf_printf(out, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:%lld,LOCAL:00:00:00.000\n\n",
                        (long long)mpegts);
    const char *p = vtt, *stop = vtt + len, *line;
    size_t ln;
    /* A cue: an optional id line, a timing line, then text up to a blank line. */
    const char *block = NULL, *timing = NULL;
    while (rc == 0) {
        const char *at = p;
        bool more = str_next_line(&p, stop, &line, &ln);
        if (more && ln) {
            if (!block)
                block = at;
            if (!timing && memmem(line, ln, "-->", 3))
                timing = line;
            continue;
        }
        if (block && timing) {
            size_t used;
            double a = vtt_timestamp(timing, (size_t)(stop - timing), &used);
            const char *arrow = used ? memmem(timing, (size_t)(stop - timing), "-->", 3) : NULL;
            const char *b_at = arrow ? arrow + 3 : NULL;
            while (b_at && b_at < stop && *b_at == ' ')
                b_at++;
            double b = b_at ? vtt_timestamp(b_at, (size_t)(stop - b_at), &used) : 0;
            if (used && b > start && a < end) {
                size_t n = (size_t)(at - block);
                while (n && (block[n - 1] == '\n' || block[n - 1] == '\r'))
                    n--;
                rc = buf_append(out, block, n);
                if (rc == 0)
                    rc = buf_puts(out, "\n\n");
            }
        }
        block = timing = NULL;
        if (!more)
            break;
    }
    return rc;
}
