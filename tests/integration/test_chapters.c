/*
 * Chapters: read by the probe, kept in the store, listed by the item API and the playback
 * decision as ffprobe reads them from the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const media[] = {"Movies/Long Way (2016).mkv", "Movies/Night Ferry (2014).mkv",
                                    NULL};

struct chapter {
    double start, end;
    char title[64];
};

/* The chapters ffprobe reads from path. */
static size_t ffprobe_chapters(const char *path, struct chapter *out, size_t max)
{
    char cmd[4400];
    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -show_entries chapter=start_time,end_time:chapter_tags=title "
             "-of csv=p=0 '%s'",
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = 0;
    while (n < max &&
           fscanf(p, "%lf,%lf,%63[^\n]\n", &out[n].start, &out[n].end, out[n].title) == 3)
        n++;
    assert_int_equal(pclose(p), 0);
    return n;
}

static void check_chapters(json_t *list, const struct chapter *want, size_t n)
{
    assert_int_equal(json_array_size(list), n);
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(list, i);
        double start = json_number_value(json_object_get(c, "start"));
        double end = json_number_value(json_object_get(c, "end"));
        if (fabs(start - want[i].start) > 0.002 || fabs(end - want[i].end) > 0.002)
            fail_msg("chapter %zu: %.3f-%.3f, ffprobe says %.3f-%.3f", i, start, end, want[i].start,
                     want[i].end);
        assert_string_equal(json_string_value(json_object_get(c, "title")), want[i].title);
    }
}

static void chapters_are_listed_as_the_file_has_them(void **state)
{
    (void)state;
    struct server s;
    server_init(&s);
    media_copy(s.library, media);
    server_start(&s, NULL);
    server_wait_scan(&s);
    char token[80];
    snprintf(token, sizeof(token), "%s", login(&s, ADMIN_USER, ADMIN_PASSWORD));

    char path[4200];
    snprintf(path, sizeof(path), "%s/Movies/Long Way (2016).mkv", s.library);
    struct chapter want[16];
    size_t n = ffprobe_chapters(path, want, 16);
    assert_int_equal(n, 4);
    assert_string_equal(want[0].title, "Opening");
    assert_string_equal(want[3].title, "Credits");

    int file = movie_file_id(&s, token, "Long Way");
    struct response r;
    http(&s, "GET", "/api/v1/library/items", token, NULL, NULL, &r);
    int item = 0;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r.json, "movies"), i,
                       m) if (strcmp(json_string_value(json_object_get(m, "title")), "Long Way") ==
                              0) item = (int)json_integer_value(json_object_get(m, "id"));
    response_free(&r);
    char url[96];
    snprintf(url, sizeof(url), "/api/v1/library/items/%d", item);
    http(&s, "GET", url, token, NULL, NULL, &r);
    assert_status(&r, 200);
    json_t *f = json_array_get(json_object_get(r.json, "files"), 0);
    check_chapters(json_object_get(f, "chapters"), want, n);
    response_free(&r);

    snprintf(url, sizeof(url), "/api/v1/playback/%d", file);
    http(&s, "GET", url, token, NULL, NULL, &r);
    assert_status(&r, 200);
    check_chapters(json_object_get(r.json, "chapters"), want, n);
    response_free(&r);

    /* A file without chapters lists none. */
    snprintf(url, sizeof(url), "/api/v1/playback/%d", movie_file_id(&s, token, "Night Ferry"));
    http(&s, "GET", url, token, NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "chapters")), 0);
    assert_true(json_is_array(json_object_get(r.json, "chapters")));
    response_free(&r);

    /* They survive a restart: read from the store, not probed again. */
    assert_int_equal(server_stop(&s), 0);
    server_start(&s, NULL);
    server_wait_scan(&s);
    snprintf(token, sizeof(token), "%s", login(&s, ADMIN_USER, ADMIN_PASSWORD));
    snprintf(url, sizeof(url), "/api/v1/playback/%d", file);
    http(&s, "GET", url, token, NULL, NULL, &r);
    check_chapters(json_object_get(r.json, "chapters"), want, n);
    response_free(&r);
    assert_int_equal(server_stop(&s), 0);
    server_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chapters_are_listed_as_the_file_has_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
