#include "store/media.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void media_file_release(struct media_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nstreams; i++) {
        free(f->streams[i].title);
        free(f->streams[i].external);
    }
    free(f->streams);
    for (size_t i = 0; i < f->nchapters; i++)
        free(f->chapters[i].title);
    free(f->chapters);
    free(f->path);
    free(f->error);
    memset(f, 0, sizeof(*f));
}

int media_file_add_stream(struct media_file *f, struct media_stream **out)
{
    struct media_stream *s = realloc(f->streams, (f->nstreams + 1) * sizeof(*s));
    if (!s)
        return -ENOMEM;
    f->streams = s;
    *out = memset(&s[f->nstreams++], 0, sizeof(*s));
    return 0;
}

int media_file_add_chapter(struct media_file *f, int64_t start_ms, int64_t end_ms,
                           const char *title)
{
    char *t = title ? strdup(title) : NULL;
    struct media_chapter *c = realloc(f->chapters, (f->nchapters + 1) * sizeof(*c));
    if ((title && !t) || !c) {
        free(t);
        if (c)
            f->chapters = c;
        return -ENOMEM;
    }
    f->chapters = c;
    c[f->nchapters++] = (struct media_chapter){start_ms, end_ms, t};
    return 0;
}

const char *stream_type_name(enum stream_type t)
{
    static const char *const names[] = {"video", "audio", "subtitle", "other"};
    return names[t];
}

bool media_stream_hdr(const struct media_stream *s)
{
    return strcmp(s->color_transfer, "smpte2084") == 0 ||
           strcmp(s->color_transfer, "arib-std-b67") == 0;
}

bool media_stream_interlaced(const struct media_stream *s)
{
    return *s->field_order && strcmp(s->field_order, "progressive") != 0;
}

const struct media_stream *media_file_stream(const struct media_file *f, int index)
{
    for (size_t i = 0; i < f->nstreams; i++)
        if (f->streams[i].index == index)
            return &f->streams[i];
    return NULL;
}
