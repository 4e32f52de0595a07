#pragma once
#include "store/media.h"
#include <stdbool.h>

/*
 * The file-name parser. Pure: it looks only at the string it is given.
 *
 * relpath is the path below the library folder, such as "Show/Season 01/Show - S01E02 -
 * Name.mkv" or "Alien (1979)/Alien.1979.1080p.BluRay.x264.mkv". Episodes are recognised
 * by S01E02 (also s1e2, S01E01E02, S01E01-E02, S01E01-02), 1x02, or a bare episode number
 * inside a season folder; the show's name comes from its folder when there is one, else
 * from the file name. Everything else is a movie: "Title (Year)", or a release name whose
 * year comes before the quality tags. Never fails: a name it cannot read is a movie named
 * after the file.
 */
void name_parse(const char *relpath, struct media_name *out);

/* The extension of a path's last component, without the dot, or NULL when it has none. */
const char *name_extension(const char *path);
/* Whether a path has the extension of a video file Reel plays. */
bool name_is_video(const char *path);
/* Whether a path is an extra (a sample, trailer or featurette) rather than the title. */
bool name_is_extra(const char *relpath);
