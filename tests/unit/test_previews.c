/* Scrubbing previews' sizes, info file, WebVTT track and HLS image playlist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "library/trickplay.h"
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static void sizes_keep_the_picture_shape(void **state)
{
    (void)state;
    int w, h;
    struct media_stream v = {.width = 1920, .height = 1080};
    trickplay_size(&v, 320, &w, &h);
    assert_true(w == 320 && h == 180);
    /* Anamorphic 720x576 shown 16:9, and a phone's upright clip. */
    v = (struct media_stream){.width = 720, .height = 576, .sar_num = 64, .sar_den = 45};
    trickplay_size(&v, 320, &w, &h);
    assert_true(w == 320 && h == 180);
    v = (struct media_stream){.width = 1280, .height = 720, .rotation = 90};
    trickplay_size(&v, 320, &w, &h);
    assert_true(w == 320 && h == 568);
}

static void the_info_file_round_trips(void **state)
{
    (void)state;
    struct trickplay t = {10, 320, 180, 10, 10, 361}, back;
    struct buf b;
    buf_init(&b, BUF_NO_CAP);
    assert_int_equal(trickplay_info_format(&t, &b), 0);
    assert_int_equal(trickplay_info_parse(b.ptr, b.len, &back), 0);
    assert_memory_equal(&t, &back, sizeof(t));
    buf_release(&b);
    const char *bad[] = {"",
                         "10 320 180 10 10\n",
                         "0 320 180 10 10 5\n",
                         "10 320 180 10 10 5",
                         "10 320 180 10 10 -1\n",
                         "10 99999 180 10 10 5\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_not_equal(trickplay_info_parse(bad[i], strlen(bad[i]), &back), 0);
}

static void tracks_tile_the_sheets(void **state)
{
    (void)state;
    struct trickplay t = {10, 320, 180, 2, 2, 5};
    struct buf b;
    buf_init(&b, BUF_NO_CAP);
    assert_int_equal(trickplay_vtt(&t, 47.5, "p/", &b), 0);
    assert_int_equal(buf_puts(&b, ""), 0);
    assert_string_equal(b.ptr, "WEBVTT\n\n"
                               "00:00:00.000 --> 00:00:10.000\np/0.jpg#xywh=0,0,320,180\n\n"
                               "00:00:10.000 --> 00:00:20.000\np/0.jpg#xywh=320,0,320,180\n\n"
                               "00:00:20.000 --> 00:00:30.000\np/0.jpg#xywh=0,180,320,180\n\n"
                               "00:00:30.000 --> 00:00:40.000\np/0.jpg#xywh=320,180,320,180\n\n"
                               "00:00:40.000 --> 00:00:47.500\np/1.jpg#xywh=0,0,320,180\n");
    buf_reset(&b);
    assert_int_equal(trickplay_m3u8(&t, 47.5, "", &b), 0);
    assert_int_equal(buf_puts(&b, ""), 0);
    assert_string_equal(b.ptr, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:40\n"
                               "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                               "#EXT-X-IMAGES-ONLY\n"
                               "#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=2x2,DURATION=10\n"
                               "#EXTINF:40.000,\n0.jpg\n"
                               "#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=2x2,DURATION=10\n"
                               "#EXTINF:7.500,\n1.jpg\n#EXT-X-ENDLIST\n");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes_keep_the_picture_shape),
        cmocka_unit_test(the_info_file_round_trips),
        cmocka_unit_test(tracks_tile_the_sheets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
