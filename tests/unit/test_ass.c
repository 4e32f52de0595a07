/* ASS/SSA placement carried into WebVTT cue settings (library/ass.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "library/ass.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *positions(const char *vtt, const char *ass)
{
    struct buf out;
    buf_init(&out, BUF_NO_CAP);
    assert_int_equal(ass_vtt_positions(vtt, strlen(vtt), ass, strlen(ass), &out), 0);
    assert_int_equal(buf_puts(&out, ""), 0);
    size_t len;
    return buf_detach(&out, &len);
}

static const char events[] =
    "[Events]\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n";

static void styles_and_overrides_place_cues(void **state)
{
    (void)state;
    char ass[4096];
    snprintf(
        ass, sizeof(ass),
        "[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 640\r\nPlayResY: 360\r\n\r\n"
        "[V4+ Styles]\r\n"
        "Format: Name, Fontname, Fontsize, Alignment, MarginV\r\n"
        "Style: Default,Sans,20,2,10\r\n"
        "Style: Sign,Sans,20,8,10\r\n"
        "%s"
        "Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,Bottom, as usual\n"
        "Dialogue: 0,0:00:03.00,0:00:04.00,Sign,,0,0,0,,A sign\n"
        "Dialogue: 0,0:00:05.00,0:00:06.00,Default,,0,0,0,,{\\an7}Top left\n"
        "Dialogue: 0,0:00:07.00,0:00:08.00,*Default,,0,0,0,,{\\an6\\an1}Middle right\n"
        "Dialogue: 0,0:00:09.00,0:00:10.00,Default,,0,0,0,,{\\pos(320,90)}There, {\\i1}x{\\i0}\n"
        "Dialogue: 0,0:00:11.00,0:00:12.00,Sign,,0,0,0,,{\\an9\\pos(700,-5)}Clamped\n"
        "Dialogue: 0,1:00:00.00,1:00:01.00,Default,,0,0,0,,{\\an8}One\n"
        "Dialogue: 0,1:00:00.00,1:00:01.00,Default,,0,0,0,,Two, same times\n",
        events);
    char *out = positions("WEBVTT\n\n"
                          "00:01.000 --> 00:02.500\nBottom, as usual\n\n"
                          "00:03.000 --> 00:04.000\nA sign\n\n"
                          "00:05.000 --> 00:06.000\nTop left\n\n"
                          "00:07.000 --> 00:08.000\nMiddle right\n\n"
                          "00:09.000 --> 00:10.000\nThere, <i>x</i>\n\n"
                          "00:11.000 --> 00:12.000\nClamped\n\n"
                          "00:13.000 --> 00:14.000\nNo event\n\n"
                          "01:00:00.000 --> 01:00:01.000\nOne\n\n"
                          "01:00:00.000 --> 01:00:01.000\nTwo, same times\n",
                          ass);
    assert_string_equal(out, "WEBVTT\n\n"
                             "00:01.000 --> 00:02.500\nBottom, as usual\n\n"
                             "00:03.000 --> 00:04.000 line:0\nA sign\n\n"
                             "00:05.000 --> 00:06.000 line:0 align:left\nTop left\n\n"
                             "00:07.000 --> 00:08.000 line:50%,center align:right\nMiddle right\n\n"
                             "00:09.000 --> 00:10.000 position:50.00%,center line:25.00%,end "
                             "align:center\nThere, <i>x</i>\n\n"
                             "00:11.000 --> 00:12.000 position:100.00%,line-right line:0.00%,start "
                             "align:right\nClamped\n\n"
                             "00:13.000 --> 00:14.000\nNo event\n\n"
                             "01:00:00.000 --> 01:00:01.000 line:0\nOne\n\n"
                             "01:00:00.000 --> 01:00:01.000\nTwo, same times\n");
    free(out);
}

/* SSA ([V4 Styles]) numbers alignments 1-3 bottom, 5-7 top, 9-11 middle, also in \a; a
 * script without PlayRes is 384x288. */
static void ssa_alignments_are_legacy(void **state)
{
    (void)state;
    char ass[2048];
    snprintf(ass, sizeof(ass),
             "[Script Info]\nScriptType: v4.00\n\n[V4 Styles]\n"
             "Format: Name, Fontname, Fontsize, Alignment\nStyle: Default,Arial,20,6\n%s"
             "Dialogue: Marked=0,0:00:01.00,0:00:02.00,Default,,0,0,0,,Top centre\n"
             "Dialogue: Marked=0,0:00:03.00,0:00:04.00,Default,,0,0,0,,{\\a1}Bottom left\n"
             "Dialogue: Marked=0,0:00:05.00,0:00:06.00,Default,,0,0,0,,{\\a9}Middle left\n"
             "Dialogue: Marked=0,0:00:07.00,0:00:08.00,Default,,0,0,0,,{\\a6\\pos(96,72)}Pos\n",
             events);
    char *out = positions("WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n00:03.000 --> 00:04.000\nb\n\n"
                          "00:05.000 --> 00:06.000\nc\n\n00:07.000 --> 00:08.000\nd\n",
                          ass);
    assert_string_equal(out, "WEBVTT\n\n00:01.000 --> 00:02.000 line:0\na\n\n"
                             "00:03.000 --> 00:04.000 align:left\nb\n\n"
                             "00:05.000 --> 00:06.000 line:50%,center align:left\nc\n\n"
                             "00:07.000 --> 00:08.000 position:25.00%,center line:25.00%,start "
                             "align:center\nd\n");
    free(out);
}

/* What is not a script, or a cue with settings of its own, leaves the WebVTT as it is. */
static void anything_else_is_copied(void **state)
{
    (void)state;
    const char vtt[] = "WEBVTT\n\n00:01.000 --> 00:02.000 align:start\nkept\n\nNOTE x --> y\n";
    char *out = positions(vtt, "garbage\n{\\an8}\nDialogue: 0,0:00:01.00\n[Events]\nFormat:\n");
    assert_string_equal(out, vtt);
    free(out);
    char ass[512];
    snprintf(ass, sizeof(ass), "%sDialogue: 0,0:00:01.00,0:00:02.00,X,,0,0,0,,{\\an8}\n", events);
    out = positions(vtt, ass);
    assert_string_equal(out, vtt);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(styles_and_overrides_place_cues),
        cmocka_unit_test(ssa_alignments_are_legacy),
        cmocka_unit_test(anything_else_is_copied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
