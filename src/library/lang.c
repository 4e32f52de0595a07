#include "library/lang.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* 639-1, 639-2/T, 639-2/B ("" when it is the /T) of the languages subtitles and audio
 * tracks are most often tagged with. */
static const char *const codes[][3] = {
    {"en", "eng", ""},    {"fr", "fra", "fre"}, {"de", "deu", "ger"}, {"es", "spa", ""},
    {"it", "ita", ""},    {"pt", "por", ""},    {"nl", "nld", "dut"}, {"sv", "swe", ""},
    {"no", "nor", ""},    {"nb", "nob", ""},    {"da", "dan", ""},    {"fi", "fin", ""},
    {"pl", "pol", ""},    {"ru", "rus", ""},    {"uk", "ukr", ""},    {"cs", "ces", "cze"},
    {"sk", "slk", "slo"}, {"hu", "hun", ""},    {"ro", "ron", "rum"}, {"el", "ell", "gre"},
    {"tr", "tur", ""},    {"ar", "ara", ""},    {"he", "heb", ""},    {"hi", "hin", ""},
    {"ja", "jpn", ""},    {"zh", "zho", "chi"}, {"ko", "kor", ""},    {"th", "tha", ""},
    {"vi", "vie", ""},    {"id", "ind", ""},    {"ms", "msa", "may"}, {"fa", "fas", "per"},
    {"is", "isl", "ice"}, {"ca", "cat", ""},    {"hr", "hrv", ""},    {"sr", "srp", ""},
    {"bg", "bul", ""},    {"sl", "slv", ""},    {"et", "est", ""},    {"lv", "lav", ""},
    {"lt", "lit", ""},    {"ga", "gle", ""},    {"cy", "cym", "wel"}, {"eu", "eus", "baq"},
};

/* The base of a tag, lower case, into out: "pt" of "pt-BR". */
static void base(const char *tag, char out[8])
{
    size_t n = strcspn(tag, "-_");
    if (n > 7)
        n = 7;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)tag[i]);
    out[n] = '\0';
}

/* The row of a base tag, or -1. */
static int row(const char *b)
{
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        for (int k = 0; k < 3; k++)
            if (codes[i][k][0] && strcmp(codes[i][k], b) == 0)
                return (int)i;
    return -1;
}

bool lang_same(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b)
        return false;
    char x[8], y[8];
    base(a, x);
    base(b, y);
    if (strcmp(x, y) == 0)
        return true;
    int rx = row(x);
    return rx >= 0 && rx == row(y);
}
