/*
 * Chapters: read by the probe, kept in the store, listed by the item API and the playback
 * decision as ffprobe reads them from the file. Skippable segments: intros found by
 * comparing a season's episodes, and intros and credits named by chapters.
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
#include <unistd.h>

static const char *const media[] = {"Movies/Long Way (2016).mkv", "Movies/Night Ferry (2014).mkv",
                                    NULL};
static const char *const season[] = {"TV/Tunes/Season 01/Tunes - S01E01 - Part 1.mkv",
                                     "TV/Tunes/Season 01/Tunes - S01E02 - Part 2.mkv",
                                     "TV/Tunes/Season 01/Tunes - S01E03 - Part 3.mkv",
                                     "Movies/Long Way (2016).mkv", NULL};

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

/* A server with these files, its scan done, and an administrator's token. */
static void start(struct server *s, const char *const *files, char *token, size_t size)
{
    server_init(s);
    media_copy(s->library, files);
    server_start(s, NULL);
    server_wait_scan(s);
    snprintf(token, size, "%s", login(s, ADMIN_USER, ADMIN_PASSWORD));
}

static void chapters_are_listed_as_the_file_has_them(void **state)
{
    (void)state;
    struct server s;
    char token[80];
    start(&s, media, token, sizeof(token));

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

/* The file's segments of type, as GET /api/v1/files/:id/segments lists them: how many. */
static int segment(struct server *s, const char *token, int file, const char *type, double *start,
                   double *end, char *source, size_t size)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/files/%d/segments", file);
    struct response r;
    http(s, "GET", path, token, NULL, NULL, &r);
    assert_status(&r, 200);
    int n = 0;
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(r.json, "segments"), i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "type")), type) != 0)
            continue;
        n++;
        *start = json_number_value(json_object_get(g, "start"));
        *end = json_number_value(json_object_get(g, "end"));
        snprintf(source, size, "%s", json_string_value(json_object_get(g, "source")));
    }
    response_free(&r);
    return n;
}

/* gen-media.sh's Tunes: the same 15 s intro 5 s, 20 s and 12 s into its three episodes,
 * and the same 12 s of credits at their ends. */
static void intros_are_found_by_comparing_episodes(void **state)
{
    (void)state;
    struct server s;
    char token[80];
    start(&s, season, token, sizeof(token));
    /* Every task done: three intros (episodes only) and four previews. They are queued once
     * the scan has made its posters. */
    struct response r;
    int intros = 0, tasks = 0, busy = 1;
    for (int i = 0; i < 600 && (busy || tasks < 7); i++) {
        http(&s, "GET", "/api/v1/tasks", token, NULL, NULL, &r);
        busy = 0;
        intros = 0;
        tasks = (int)json_array_size(json_object_get(r.json, "tasks"));
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(r.json, "tasks"), k, t)
        {
            const char *st = json_string_value(json_object_get(t, "state"));
            busy |= strcmp(st, "queued") == 0 || strcmp(st, "running") == 0;
            assert_string_not_equal(st, "failed");
            intros += strcmp(json_string_value(json_object_get(t, "kind")), "intro") == 0;
        }
        response_free(&r);
        if (busy || tasks < 7)
            usleep(100 * 1000);
    }
    assert_false(busy);
    assert_int_equal(tasks, 7);
    assert_int_equal(intros, 3);

    http(&s, "GET", "/api/v1/library/items", token, NULL, NULL, &r);
    json_t *show = json_array_get(json_object_get(r.json, "shows"), 0);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/library/items/%lld",
             (long long)json_integer_value(json_object_get(show, "id")));
    response_free(&r);
    http(&s, "GET", path, token, NULL, NULL, &r);
    json_t *eps =
        json_object_get(json_array_get(json_object_get(r.json, "seasons"), 0), "episodes");
    assert_int_equal(json_array_size(eps), 3);
    const double at[] = {5, 20, 12}, length[] = {62, 77, 69};
    for (size_t e = 0; e < 3; e++) {
        int file = (int)json_integer_value(json_object_get(
            json_array_get(json_object_get(json_array_get(eps, e), "files"), 0), "id"));
        double start = 0, end = 0;
        char source[16];
        assert_int_equal(segment(&s, token, file, "intro", &start, &end, source, sizeof(source)),
                         1);
        assert_string_equal(source, "fingerprint");
        if (fabs(start - at[e]) > 1 || fabs(end - (at[e] + 15)) > 1)
            fail_msg("episode %zu: intro found at %.2f-%.2f s, put at %.0f-%.0f s", e + 1, start,
                     end, at[e], at[e] + 15);
        assert_int_equal(segment(&s, token, file, "credits", &start, &end, source, sizeof(source)),
                         1);
        assert_string_equal(source, "fingerprint");
        if (fabs(start - (length[e] - 12)) > 1 || fabs(end - length[e]) > 1)
            fail_msg("episode %zu: credits found at %.2f-%.2f s, put at %.0f-%.0f s", e + 1, start,
                     end, length[e] - 12, length[e]);
    }
    response_free(&r);

    /* A film: no comparison, and its chapters name its opening and credits. */
    int film = movie_file_id(&s, token, "Long Way");
    double start, end;
    char source[16];
    assert_int_equal(segment(&s, token, film, "intro", &start, &end, source, sizeof(source)), 1);
    assert_string_equal(source, "chapter");
    assert_true(start == 0 && fabs(end - 0.6) < 0.01);
    assert_int_equal(segment(&s, token, film, "credits", &start, &end, source, sizeof(source)), 1);
    assert_true(fabs(start - 5.1) < 0.01 && fabs(end - 6.0) < 0.01);
    assert_int_equal(segment(&s, token, film, "recap", &start, &end, source, sizeof(source)), 0);
    /* The decision lists them for the player. */
    snprintf(path, sizeof(path), "/api/v1/playback/%d", film);
    http(&s, "GET", path, token, NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "media_segments")), 2);
    response_free(&r);
    http(&s, "GET", "/api/v1/files/999/segments", token, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);
    assert_int_equal(server_stop(&s), 0);
    server_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chapters_are_listed_as_the_file_has_them),
        cmocka_unit_test(intros_are_found_by_comparing_episodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
