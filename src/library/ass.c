#include "library/ass.h"
#include "core/str.h"
#include "hls/vtt.h"
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MAX_STYLES = 256, MAX_FIELDS = 32, DEFAULT_ALIGN = 2 };

struct style {
    char name[64];
    int align; /* numpad: 1-3 bottom, 4-6 middle, 7-9 top; left, centre, right */
};

struct event {
    long start, end; /* centiseconds */
    int align;
    bool pos, used;
    double x, y;
};

struct script {
    int play_x, play_y;
    struct style styles[MAX_STYLES];
    size_t nstyles;
    struct event *events;
    size_t nevents, alloc;
    bool legacy; /* [V4 Styles]: SSA's alignment numbers */
};

/* SSA's alignment (1-3 bottom, 5-7 top, 9-11 middle) as ASS's numpad. */
static int from_legacy(int a)
{
    int h = a & 3;
    if (h == 0)
        return DEFAULT_ALIGN;
    return h + ((a & 4) ? 6 : (a & 8) ? 3 : 0);
}

/* The comma-separated fields of s[0, n) into f (at most max; the last takes the rest). */
static size_t split(const char *s, size_t n, struct str *f, size_t max)
{
    size_t k = 0;
    while (k < max) {
        const char *comma = k + 1 < max ? memchr(s, ',', n) : NULL;
        size_t len = comma ? (size_t)(comma - s) : n;
        f[k].ptr = s;
        f[k].len = len;
        while (f[k].len && (*f[k].ptr == ' ' || *f[k].ptr == '\t'))
            f[k].ptr++, f[k].len--;
        while (f[k].len && (f[k].ptr[f[k].len - 1] == ' ' || f[k].ptr[f[k].len - 1] == '\t'))
            f[k].len--;
        k++;
        if (!comma)
            break;
        n -= len + 1;
        s = comma + 1;
    }
    return k;
}

static bool starts_with(const char *line, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(line, prefix, k) == 0;
}

static bool field_is(struct str f, const char *name)
{
    return f.len == strlen(name) && strncasecmp(f.ptr, name, f.len) == 0;
}

static int field_index(const struct str *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (field_is(f[i], name))
            return (int)i;
    return -1;
}

static long number(struct str s)
{
    char tmp[24];
    size_t n = s.len < sizeof(tmp) - 1 ? s.len : sizeof(tmp) - 1;
    memcpy(tmp, s.ptr, n);
    tmp[n] = '\0';
    return strtol(tmp, NULL, 10);
}

/* "H:MM:SS.CC" in centiseconds, or -1. */
static long ass_time(struct str s)
{
    long h = 0, m = 0, sec = 0, cs = 0;
    char tmp[24];
    size_t n = s.len < sizeof(tmp) - 1 ? s.len : sizeof(tmp) - 1;
    memcpy(tmp, s.ptr, n);
    tmp[n] = '\0';
    if (sscanf(tmp, "%ld:%ld:%ld.%ld", &h, &m, &sec, &cs) != 4 || h < 0 || m < 0 || sec < 0 ||
        cs < 0 || h > 100000)
        return -1;
    return ((h * 60 + m) * 60 + sec) * 100 + cs;
}

static const struct style *find_style(const struct script *sc, struct str name)
{
    /* "*Default" names the style Default, as in VSFilter. */
    while (name.len && *name.ptr == '*')
        name.ptr++, name.len--;
    for (size_t i = 0; i < sc->nstyles; i++)
        if (field_is(name, sc->styles[i].name))
            return &sc->styles[i];
    return NULL;
}

/* The overrides of an event's text: the first \an or \a, and the first \pos. */
static void overrides(struct str text, struct event *e)
{
    bool have_align = false;
    const char *p = text.ptr, *end = text.ptr + text.len;
    while (p < end) {
        const char *open = memchr(p, '{', (size_t)(end - p));
        if (!open)
            break;
        const char *close = memchr(open, '}', (size_t)(end - open));
        if (!close)
            break;
        for (const char *t = open; t < close; t++) {
            if (*t != '\\')
                continue;
            size_t left = (size_t)(close - t);
            if (!have_align && left > 3 && t[1] == 'a' && t[2] == 'n' && t[3] >= '1' &&
                t[3] <= '9') {
                e->align = t[3] - '0';
                have_align = true;
            } else if (!have_align && left > 2 && t[1] == 'a' && t[2] >= '0' && t[2] <= '9') {
                e->align = from_legacy((int)strtol(t + 2, NULL, 10));
                have_align = true;
            } else if (!e->pos && left > 5 && strncmp(t + 1, "pos(", 4) == 0) {
                double x, y;
                char tmp[64];
                size_t n = left - 5 < sizeof(tmp) - 1 ? left - 5 : sizeof(tmp) - 1;
                memcpy(tmp, t + 5, n);
                tmp[n] = '\0';
                if (sscanf(tmp, "%lf , %lf", &x, &y) == 2 && isfinite(x) && isfinite(y)) {
                    e->pos = true;
                    e->x = x;
                    e->y = y;
                }
            }
        }
        p = close + 1;
    }
}

static int add_event(struct script *sc, const struct event *e)
{
    if (sc->nevents == sc->alloc) {
        size_t alloc = sc->alloc ? sc->alloc * 2 : 64;
        struct event *v = realloc(sc->events, alloc * sizeof(*v));
        if (!v)
            return -ENOMEM;
        sc->events = v;
        sc->alloc = alloc;
    }
    sc->events[sc->nevents++] = *e;
    return 0;
}

static int parse(const char *ass, size_t alen, struct script *sc)
{
    enum { OTHER, INFO, STYLES, EVENTS } section = OTHER;
    struct str format[MAX_FIELDS];
    size_t nformat = 0;
    int name_at = -1, align_at = -1, start_at = -1, end_at = -1, style_at = -1;
    const char *p = ass, *end = ass + alen, *line;
    size_t n;
    while (str_next_line(&p, end, &line, &n)) {
        if (n && line[0] == '[') {
            section = starts_with(line, n, "[Script Info]") ? INFO
                      : starts_with(line, n, "[V4+ Styles]") || starts_with(line, n, "[V4 Styles]")
                          ? STYLES
                      : starts_with(line, n, "[Events]") ? EVENTS
                                                         : OTHER;
            sc->legacy = sc->legacy || starts_with(line, n, "[V4 Styles]");
            nformat = 0;
            continue;
        }
        const char *colon = memchr(line, ':', n);
        if (!colon)
            continue;
        struct str key = {line, (size_t)(colon - line)};
        const char *v = colon + 1;
        size_t vn = n - key.len - 1;
        if (section == INFO && field_is(key, "PlayResX"))
            sc->play_x = (int)number((struct str){v, vn});
        else if (section == INFO && field_is(key, "PlayResY"))
            sc->play_y = (int)number((struct str){v, vn});
        else if ((section == STYLES || section == EVENTS) && field_is(key, "Format")) {
            nformat = split(v, vn, format, MAX_FIELDS);
            name_at = field_index(format, nformat, "Name");
            align_at = field_index(format, nformat, "Alignment");
            start_at = field_index(format, nformat, "Start");
            end_at = field_index(format, nformat, "End");
            style_at = field_index(format, nformat, "Style");
        } else if (section == STYLES && field_is(key, "Style") && nformat &&
                   sc->nstyles < MAX_STYLES && name_at >= 0) {
            struct str f[MAX_FIELDS];
            size_t nf = split(v, vn, f, nformat);
            if ((size_t)name_at >= nf)
                continue;
            struct style *s = &sc->styles[sc->nstyles++];
            snprintf(s->name, sizeof(s->name), "%.*s", (int)f[name_at].len, f[name_at].ptr);
            int a = align_at >= 0 && (size_t)align_at < nf ? (int)number(f[align_at]) : 0;
            s->align = sc->legacy ? from_legacy(a) : a >= 1 && a <= 9 ? a : DEFAULT_ALIGN;
        } else if (section == EVENTS && field_is(key, "Dialogue") && nformat && start_at >= 0 &&
                   end_at >= 0) {
            struct str f[MAX_FIELDS];
            size_t nf = split(v, vn, f, nformat);
            if (nf != nformat || (size_t)start_at >= nf || (size_t)end_at >= nf)
                continue;
            struct event e = {.start = ass_time(f[start_at]), .end = ass_time(f[end_at])};
            if (e.start < 0 || e.end < 0)
                continue;
            const struct style *st = style_at >= 0 ? find_style(sc, f[style_at]) : NULL;
            e.align = st ? st->align : DEFAULT_ALIGN;
            overrides(f[nf - 1], &e);
            int rc = add_event(sc, &e);
            if (rc < 0)
                return rc;
        }
    }
    /* libass's defaults: 384x288, or the missing side at 4:3 (1280 wide is 1024 tall). */
    if (sc->play_x <= 0 && sc->play_y <= 0) {
        sc->play_x = 384;
        sc->play_y = 288;
    } else if (sc->play_y <= 0) {
        sc->play_y = sc->play_x == 1280 ? 1024 : sc->play_x * 3 / 4;
    } else if (sc->play_x <= 0) {
        sc->play_x = sc->play_y == 1024 ? 1280 : sc->play_y * 4 / 3;
    }
    return 0;
}

static double percent(double v, int of)
{
    double p = v * 100.0 / of;
    return p < 0 ? 0 : p > 100 ? 100 : p;
}

/* The cue settings of e, "" for the default place. */
static void settings(const struct script *sc, const struct event *e, char *out, size_t size)
{
    int h = (e->align - 1) % 3, v = (e->align - 1) / 3; /* 0 left/bottom … 2 right/top */
    static const char *const align[] = {"left", "center", "right"};
    if (e->pos) {
        static const char *const anchor_x[] = {"line-left", "center", "line-right"};
        static const char *const anchor_y[] = {"end", "center", "start"};
        snprintf(out, size, " position:%.2f%%,%s line:%.2f%%,%s align:%s",
                 percent(e->x, sc->play_x), anchor_x[h], percent(e->y, sc->play_y), anchor_y[v],
                 align[h]);
        return;
    }
    static const char *const line[] = {"", " line:50%,center", " line:0"};
    snprintf(out, size, "%s%s%s", line[v], h == 1 ? "" : " align:", h == 1 ? "" : align[h]);
}

/* The event of these times not yet given to a cue, or NULL. */
static struct event *match(struct script *sc, long start, long end)
{
    for (size_t i = 0; i < sc->nevents; i++) {
        struct event *e = &sc->events[i];
        if (!e->used && labs(e->start - start) <= 1 && labs(e->end - end) <= 1)
            return e;
    }
    return NULL;
}

int ass_vtt_positions(const char *vtt, size_t vlen, const char *ass, size_t alen, struct buf *out)
{
    struct script *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return -ENOMEM;
    int rc = parse(ass, alen, sc);
    const char *p = vtt, *end = vtt + vlen, *line;
    size_t n;
    while (rc == 0 && str_next_line(&p, end, &line, &n)) {
        rc = buf_append(out, line, n);
        const char *arrow = n ? memmem(line, n, "-->", 3) : NULL;
        size_t used_a, used_b;
        double a = arrow ? vtt_timestamp(line, n, &used_a) : 0;
        const char *b_at = arrow ? arrow + 3 : NULL;
        while (b_at && b_at < line + n && *b_at == ' ')
            b_at++;
        double b = b_at ? vtt_timestamp(b_at, (size_t)(line + n - b_at), &used_b) : 0;
        /* Only a timing line without settings of its own. */
        struct event *e = arrow && used_a && used_b && b_at + used_b == line + n
                              ? match(sc, lround(a * 100), lround(b * 100))
                              : NULL;
        char cue[160] = "";
        if (e) {
            e->used = true;
            settings(sc, e, cue, sizeof(cue));
        }
        if (rc == 0 && *cue)
            rc = buf_puts(out, cue);
        if (rc == 0)
            rc = buf_puts(out, "\n");
    }
    free(sc->events);
    free(sc);
    return rc;
}
