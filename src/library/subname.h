#pragma once
#include <stdbool.h>
#include <stddef.h>

/*
 * What a sidecar subtitle's file name says, next to its video "Film (2020).mkv":
 * "Film (2020).en.srt", "Film (2020).eng.forced.srt", "Film (2020).English.SDH.srt",
 * "Film (2020).pt-BR.cc.ass", "Film (2020).forced.vtt". Tags between the video's stem and
 * the extension, in any order and case: a language (an ISO 639 code, with a region, or an
 * English language name), "forced", "sdh" / "cc" / "hi" (hearing impaired; "hi" is Hindi
 * when no language came before it) and "default"; any other tag is the title. A pure
 * function, for the scanner and its tests.
 */
struct subname {
    char language[16]; /* lower case: "en", "eng", "pt-br"; "" when none */
    bool forced, sdh, is_default;
    char title[64]; /* the other tags, joined by ' ' */
    char codec[16]; /* ffmpeg's decoder: "subrip", "ass", "webvtt" */
};

/* Whether name (a file in the video's folder) is a text subtitle of the video whose file
 * name without its extension is stem; fills *out when it is. */
bool subname_parse(const char *stem, const char *name, struct subname *out);
