/* The SQLite store: migrations, users, tokens, scanned files and the item tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    char path[96];
    struct store *s;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/reel-store-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/reel.db", f->dir);
    if (store_open(&f->s, f->path) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void reopening_keeps_data_and_skips_applied_migrations(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_user_create(f->s, "ann", "hash", ROLE_ADMIN, NULL), 0);
    store_close(f->s);
    assert_int_equal(store_open(&f->s, f->path), 0);
    int64_t n = 0;
    assert_int_equal(store_user_count(f->s, &n), 0);
    assert_int_equal(n, 1);
}

static void users_are_unique_regardless_of_case(void **state)
{
    struct fixture *f = *state;
    int64_t id;
    assert_int_equal(store_user_create(f->s, "Bob", "h1", ROLE_USER, &id), 0);
    assert_int_equal(store_user_create(f->s, "bob", "h2", ROLE_ADMIN, NULL), ERR_CONFLICT);
    struct user u;
    char hash[16];
    assert_int_equal(store_user_find(f->s, "BOB", &u, hash, sizeof(hash)), 0);
    assert_int_equal(u.id, id);
    assert_string_equal(u.username, "Bob");
    assert_int_equal(u.role, ROLE_USER);
    assert_string_equal(hash, "h1");
    assert_int_equal(store_user_find(f->s, "carol", &u, hash, sizeof(hash)), ERR_NOT_FOUND);
    struct user *list;
    size_t n;
    assert_int_equal(store_users_list(f->s, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].username, "Bob");
    assert_true(list[0].created_at > 0);
    free(list);
}

static void tokens_expire_and_can_be_revoked(void **state)
{
    struct fixture *f = *state;
    int64_t id;
    assert_int_equal(store_user_create(f->s, "dan", "h", ROLE_USER, &id), 0);
    uint8_t live[32] = {1}, old[32] = {2};
    int64_t now = clock_wall_ms();
    assert_int_equal(store_token_put(f->s, live, id, now + 60000), 0);
    assert_int_equal(store_token_put(f->s, old, id, now - 1), 0);
    struct user u;
    assert_int_equal(store_token_user(f->s, live, now, &u), 0);
    assert_int_equal(u.id, id);
    assert_int_equal(store_token_user(f->s, old, now, &u), ERR_NOT_FOUND);
    /* The token is checked against the time given, not only pruned. */
    assert_int_equal(store_token_user(f->s, live, now + 60001, &u), ERR_NOT_FOUND);
    assert_int_equal(store_token_delete(f->s, live), 0);
    assert_int_equal(store_token_user(f->s, live, now, &u), ERR_NOT_FOUND);
}

static void add_file(struct store *s, int64_t folder, const char *path, const char *title,
                     int season, int episode, int64_t scan, int64_t *id)
{
    struct media_file file = {.size = 100, .mtime = 5, .duration_ms = 60000, .start_ms = 1432};
    file.path = strdup(path);
    snprintf(file.container, sizeof(file.container), "mkv");
    struct media_stream *m;
    assert_int_equal(media_file_add_stream(&file, &m), 0);
    m->type = STREAM_VIDEO;
    snprintf(m->codec, sizeof(m->codec), "hevc");
    m->bit_depth = 10;
    m->width = 1920;
    m->height = 1080;
    m->sar_num = 4;
    m->sar_den = 3;
    m->rotation = 90;
    snprintf(m->field_order, sizeof(m->field_order), "tt");
    snprintf(m->color_transfer, sizeof(m->color_transfer), "smpte2084");
    assert_int_equal(media_file_add_stream(&file, &m), 0);
    m->index = 1;
    m->type = STREAM_AUDIO;
    snprintf(m->codec, sizeof(m->codec), "eac3");
    m->channels = 6;
    m->title = strdup("Surround");
    struct media_name name = {.kind = episode ? MEDIA_EPISODE : MEDIA_MOVIE};
    snprintf(name.title, sizeof(name.title), "%s", title);
    name.season = season;
    name.episode = name.episode_end = episode;
    assert_int_equal(store_file_save(s, folder, &file, &name, scan, id), 0);
    media_file_release(&file);
}

static void files_build_the_item_tree(void **state)
{
    struct fixture *f = *state;
    int64_t folder, movie, e1, e2;
    assert_int_equal(store_folder_add(f->s, "/lib", &folder), 0);
    add_file(f->s, folder, "/lib/m.mkv", "Movie", 0, 0, 1, &movie);
    add_file(f->s, folder, "/lib/s/e2.mkv", "Show", 1, 2, 1, &e2);
    add_file(f->s, folder, "/lib/s/e1.mkv", "show", 1, 1, 1, &e1);

    struct library l;
    assert_int_equal(store_library(f->s, 0, &l), 0);
    /* Two tops: the movie and the show, whose name matched without case. */
    assert_int_equal(l.n, 2);
    const struct library_item *m = l.items[0], *show = l.items[1];
    assert_string_equal(m->kind, "movie");
    assert_string_equal(show->kind, "show");
    assert_int_equal(show->nchildren, 1);
    const struct library_item *season = show->children[0];
    assert_string_equal(season->kind, "season");
    assert_int_equal(season->season, 1);
    assert_int_equal(season->nchildren, 2);
    /* Episodes come in order, whatever order they were scanned in. */
    assert_int_equal(season->children[0]->episode, 1);
    assert_int_equal(season->children[1]->episode, 2);
    assert_int_equal(season->children[0]->files[0].id, e1);
    assert_int_equal(m->nfiles, 1);
    assert_string_equal(m->files[0].video_codec, "hevc");
    assert_string_equal(m->files[0].name, "m.mkv");
    assert_int_equal(m->files[0].width, 1920);
    /* The listing carries no streams; the item's detail does. */
    assert_int_equal(m->files[0].nstreams, 0);
    library_release(&l);

    struct media_file got;
    assert_int_equal(store_file_get(f->s, movie, &got), 0);
    assert_string_equal(got.path, "/lib/m.mkv");
    assert_int_equal(got.nstreams, 2);
    assert_int_equal(got.streams[0].bit_depth, 10);
    /* How it must be shown, and where its timestamps start, come back as saved. */
    assert_int_equal(got.start_ms, 1432);
    assert_int_equal(got.streams[0].sar_num, 4);
    assert_int_equal(got.streams[0].sar_den, 3);
    assert_int_equal(got.streams[0].rotation, 90);
    assert_string_equal(got.streams[0].field_order, "tt");
    assert_true(media_stream_hdr(&got.streams[0]));
    assert_true(media_stream_interlaced(&got.streams[0]));
    assert_string_equal(got.streams[1].codec, "eac3");
    assert_string_equal(got.streams[1].title, "Surround");
    media_file_release(&got);
    assert_int_equal(store_file_get(f->s, 999, &got), ERR_NOT_FOUND);
}

static void a_scan_marks_unseen_files_missing(void **state)
{
    struct fixture *f = *state;
    int64_t folder, a, b;
    assert_int_equal(store_folder_add(f->s, "/lib", &folder), 0);
    add_file(f->s, folder, "/lib/a.mkv", "A", 0, 0, 1, &a);
    add_file(f->s, folder, "/lib/b.mkv", "B", 0, 0, 1, &b);
    /* Scan 2 sees only a. */
    assert_int_equal(store_file_seen(f->s, a, 2), 0);
    int64_t gone = 0;
    assert_int_equal(store_folder_sweep(f->s, folder, 2, &gone), 0);
    assert_int_equal(gone, 1);

    int64_t id, size, mtime;
    int missing;
    assert_int_equal(store_file_state(f->s, "/lib/b.mkv", &id, &size, &mtime, &missing), 0);
    assert_int_equal(missing, 1);
    assert_int_equal(store_file_state(f->s, "/lib/a.mkv", &id, &size, &mtime, &missing), 0);
    assert_int_equal(missing, 0);
    assert_int_equal(size, 100);

    struct library l;
    assert_int_equal(store_library(f->s, 0, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0]->title, "A");
    library_release(&l);

    /* Item detail carries every stream. */
    struct media_file got;
    assert_int_equal(store_file_get(f->s, a, &got), 0);
    struct library_item *item;
    assert_int_equal(store_library_item(f->s, 0, got.item_id, &item), 0);
    assert_int_equal(item->nfiles, 1);
    assert_int_equal(item->files[0].nstreams, 2);
    assert_string_equal(item->files[0].streams[1].title, "Surround");
    library_item_free(item);
    media_file_release(&got);
    assert_int_equal(store_library_item(f->s, 0, 12345, &item), ERR_NOT_FOUND);
}

static void jobs_queue_run_and_come_back_after_a_crash(void **state)
{
    struct fixture *f = *state;
    int64_t folder, a, b;
    assert_int_equal(store_folder_add(f->s, "/lib", &folder), 0);
    add_file(f->s, folder, "/lib/A (2001).mkv", "A", 0, 0, 1, &a);
    add_file(f->s, folder, "/lib/B (2002).mkv", "B", 0, 0, 1, &b);
    assert_int_equal(store_job_queue(f->s, "prepare", a, 10), 0);
    assert_int_equal(store_job_queue(f->s, "prepare", b, 20), 0);
    assert_int_equal(store_job_queue(f->s, "prepare", a, 30), 0); /* queued already: kept */
    struct job j, k;
    assert_int_equal(store_job_claim(f->s, 40, &j), 0);
    assert_int_equal(j.file_id, a); /* first queued, first run */
    assert_int_equal(j.state, JOB_RUNNING);
    assert_int_equal(j.attempts, 1);
    assert_int_equal(store_job_progress(f->s, j.id, 0.5), 0);
    assert_int_equal(store_job_get(f->s, "prepare", a, &k), 0);
    assert_true(k.progress > 0.49 && k.progress < 0.51);
    /* A crash leaves it running; the next start queues it again, in its old place. */
    int n;
    assert_int_equal(store_jobs_requeue(f->s, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_job_claim(f->s, 50, &j), 0);
    assert_int_equal(j.file_id, a);
    assert_int_equal(j.attempts, 2);
    assert_int_equal(store_job_finish(f->s, j.id, NULL, 60), 0);
    assert_int_equal(store_job_get(f->s, "prepare", a, &k), 0);
    assert_int_equal(k.state, JOB_DONE);
    assert_true(k.progress > 0.99);
    assert_int_equal(store_job_claim(f->s, 70, &j), 0);
    assert_int_equal(j.file_id, b);
    assert_int_equal(store_job_finish(f->s, j.id, "ffmpeg said no", 80), 0);
    assert_int_equal(store_job_get(f->s, "prepare", b, &k), 0);
    assert_int_equal(k.state, JOB_FAILED);
    assert_string_equal(k.error, "ffmpeg said no");
    assert_int_equal(store_job_claim(f->s, 90, &j), ERR_NOT_FOUND);
    /* A failed job queued again starts afresh. */
    assert_int_equal(store_job_queue(f->s, "prepare", b, 100), 0);
    assert_int_equal(store_job_get(f->s, "prepare", b, &k), 0);
    assert_int_equal(k.state, JOB_QUEUED);
    assert_string_equal(k.error, "");

    /* Prepared versions, least recently played first. */
    struct prepared p = {.file_id = a, .size = 10, .generated_at = 1, .played_at = 500};
    snprintf(p.key, sizeof(p.key), "a-1");
    assert_int_equal(store_prepared_put(f->s, &p), 0);
    p = (struct prepared){.file_id = b, .size = 20, .generated_at = 1, .played_at = 100};
    snprintf(p.key, sizeof(p.key), "b-1");
    assert_int_equal(store_prepared_put(f->s, &p), 0);
    struct prepared *list;
    size_t count;
    assert_int_equal(store_prepared_list(f->s, &list, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(list[0].file_id, b);
    free(list);
    assert_int_equal(store_prepared_played(f->s, b, 900), 0);
    assert_int_equal(store_prepared_list(f->s, &list, &count), 0);
    assert_int_equal(list[0].file_id, a);
    free(list);
    assert_int_equal(store_prepared_delete(f->s, a), 0);
    assert_int_equal(store_prepared_get(f->s, a, &p), ERR_NOT_FOUND);
}

static void link_keys_rotate_and_signing_out_voids_links(void **state)
{
    struct fixture *f = *state;
    uint8_t secret[32] = {1, 2, 3};
    int64_t first, second, epoch;
    assert_int_equal(store_link_key_add(f->s, secret, 1000, &first), 0);
    secret[0] = 9;
    assert_int_equal(store_link_key_add(f->s, secret, 2000, &second), 0);
    assert_int_equal(store_link_key_extend(f->s, first, 5000), 0);
    assert_int_equal(store_link_key_extend(f->s, first, 4000), 0); /* never shortened */
    /* The older key verifies until its last link expired; the newest is always kept. */
    assert_int_equal(store_link_keys_prune(f->s, 4500), 0);
    struct link_key *keys;
    size_t n;
    assert_int_equal(store_link_keys(f->s, &keys, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(keys[0].signed_until, 5000);
    assert_int_equal(keys[1].secret[0], 9);
    free(keys);
    assert_int_equal(store_link_keys_prune(f->s, 999999), 0);
    assert_int_equal(store_link_keys(f->s, &keys, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(keys[0].id, second);
    free(keys);

    int64_t user;
    assert_int_equal(store_user_create(f->s, "ann", "hash", ROLE_USER, &user), 0);
    assert_int_equal(store_link_epoch(f->s, user, &epoch), 0);
    assert_int_equal(epoch, 0);
    uint8_t token[32] = {7};
    assert_int_equal(store_token_put(f->s, token, user, clock_wall_ms() + 60000), 0);
    assert_int_equal(store_user_sign_out(f->s, user), 0);
    assert_int_equal(store_link_epoch(f->s, user, &epoch), 0);
    assert_int_equal(epoch, 1);
    struct user u;
    assert_int_equal(store_token_user(f->s, token, clock_wall_ms(), &u), ERR_NOT_FOUND);
    assert_int_equal(store_user_sign_out(f->s, user + 100), ERR_NOT_FOUND);
}

static void preferences_and_show_choices_are_kept(void **state)
{
    struct fixture *f = *state;
    int64_t user, folder, movie, e1, e2, other;
    assert_int_equal(store_user_create(f->s, "viewer", "hash", ROLE_USER, &user), 0);
    struct preferences p;
    assert_int_equal(store_preferences_get(f->s, user, &p), 0);
    assert_string_equal(p.audio_language, "");
    assert_int_equal(p.mode, SUBS_FORCED);
    p = (struct preferences){
        .audio_language = "jpn", .subtitle_language = "en", .mode = SUBS_ALWAYS};
    assert_int_equal(store_preferences_put(f->s, user, &p), 0);
    p.mode = SUBS_OFF;
    assert_int_equal(store_preferences_get(f->s, user, &p), 0);
    assert_string_equal(p.audio_language, "jpn");
    assert_string_equal(p.subtitle_language, "en");
    assert_int_equal(p.mode, SUBS_ALWAYS);

    assert_int_equal(store_folder_add(f->s, "/lib", &folder), 0);
    add_file(f->s, folder, "/lib/Film.mkv", "Film", 0, 0, 1, &movie);
    add_file(f->s, folder, "/lib/Show/S01E01.mkv", "Show", 1, 1, 1, &e1);
    add_file(f->s, folder, "/lib/Show/S02E01.mkv", "Show", 2, 1, 1, &e2);
    add_file(f->s, folder, "/lib/Other/S01E01.mkv", "Other", 1, 1, 1, &other);
    struct show_choice c = {.audio_language = "jpn", .subtitle_language = ""};
    assert_int_equal(store_show_choice_put(f->s, user, e1, &c, 10), 0);
    /* Another season of the same show has it; another show and a film do not. */
    struct show_choice got;
    assert_int_equal(store_show_choice_get(f->s, user, e2, &got), 0);
    assert_string_equal(got.audio_language, "jpn");
    assert_string_equal(got.subtitle_language, "");
    assert_int_equal(store_show_choice_get(f->s, user, other, &got), ERR_NOT_FOUND);
    assert_int_equal(store_show_choice_put(f->s, user, movie, &c, 10), ERR_NOT_FOUND);
    assert_int_equal(store_show_choice_get(f->s, user, movie, &got), ERR_NOT_FOUND);
    /* A later choice replaces it. */
    snprintf(c.subtitle_language, sizeof(c.subtitle_language), "eng");
    assert_int_equal(store_show_choice_put(f->s, user, e2, &c, 20), 0);
    assert_int_equal(store_show_choice_get(f->s, user, e1, &got), 0);
    assert_string_equal(got.subtitle_language, "eng");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reopening_keeps_data_and_skips_applied_migrations, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(users_are_unique_regardless_of_case, setup, teardown),
        cmocka_unit_test_setup_teardown(tokens_expire_and_can_be_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(files_build_the_item_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(a_scan_marks_unseen_files_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(jobs_queue_run_and_come_back_after_a_crash, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(preferences_and_show_choices_are_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(link_keys_rotate_and_signing_out_voids_links, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
