/* The settings table: defaults, environment, flags, lists, bounds and --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/config.h"
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load(struct config *cfg, struct buf *err, char **argv, char **envp)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    buf_init(err, 1024);
    FILE *devnull = fopen("/dev/null", "w");
    int rc = config_load(cfg, argc, argv, envp, devnull, err);
    fclose(devnull);
    return rc;
}

static void defaults_apply(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err;
    char *argv[] = {"reel", NULL};
    char *envp[] = {NULL};
    assert_int_equal(load(&cfg, &err, argv, envp), 0);
    assert_string_equal(cfg.listen, "127.0.0.1:8600");
    assert_string_equal(cfg.log_level, "info");
    assert_int_equal(cfg.library.len, 0);
    assert_int_equal(cfg.max_body, 1048576);
    config_release(&cfg);
    buf_release(&err);
}

static void environment_then_flags(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err;
    char *argv[] = {"reel", "--listen", "127.0.0.1:9000", "--data=/tmp/x", NULL};
    char *envp[] = {"REEL_LISTEN=127.0.0.1:1", "REEL_LOG_LEVEL=debug", "REEL_ADMIN_USER=root",
                    "REEL_LIBRARY=/a:/b::/c", NULL};
    assert_int_equal(load(&cfg, &err, argv, envp), 0);
    assert_string_equal(cfg.listen, "127.0.0.1:9000");
    assert_string_equal(cfg.data, "/tmp/x");
    assert_string_equal(cfg.log_level, "debug");
    assert_string_equal(cfg.admin_user, "root");
    assert_int_equal(cfg.library.len, 3);
    assert_string_equal(cfg.library.items[0], "/a");
    assert_string_equal(cfg.library.items[2], "/c");
    config_release(&cfg);
    buf_release(&err);
}

static void repeated_flags_replace_the_environment_list(void **state)
{
    (void)state;
    struct config cfg;
    struct buf err;
    char *argv[] = {"reel", "--library", "/m:ovies", "--library", "/tv", NULL};
    char *envp[] = {"REEL_LIBRARY=/env", NULL};
    assert_int_equal(load(&cfg, &err, argv, envp), 0);
    assert_int_equal(cfg.library.len, 2);
    assert_string_equal(cfg.library.items[0], "/m:ovies");
    assert_string_equal(cfg.library.items[1], "/tv");
    config_release(&cfg);
    buf_release(&err);
}

static void bad_values_name_the_setting(void **state)
{
    (void)state;
    struct {
        char *argv[4];
        const char *message;
    } bad[] = {
        {{"reel", "--threads", "many", NULL}, "threads: 'many' is not a whole number"},
        {{"reel", "--max-body", "10", NULL}, "max-body: '10' is not a whole number from 1024"},
        {{"reel", "--nope", "1", NULL}, "unknown option '--nope'"},
        {{"reel", "--listen", NULL}, "option '--listen' needs a value"},
        {{"reel", "stray", NULL}, "unexpected argument 'stray'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct config cfg;
        struct buf err;
        char *envp[] = {NULL};
        assert_int_equal(load(&cfg, &err, bad[i].argv, envp), -EINVAL);
        if (!strstr(err.ptr, bad[i].message))
            fail_msg("expected a message with \"%s\", got \"%s\"", bad[i].message, err.ptr);
        config_release(&cfg);
        buf_release(&err);
    }
}

static void help_lists_every_setting_with_its_variable(void **state)
{
    (void)state;
    char out[8192] = "";
    FILE *f = fmemopen(out, sizeof(out) - 1, "w");
    config_usage(f);
    fclose(f);
    assert_non_null(strstr(out, "--listen"));
    assert_non_null(strstr(out, "REEL_LISTEN"));
    assert_non_null(strstr(out, "REEL_ADMIN_PASSWORD"));
    assert_non_null(strstr(out, "REEL_LIBRARY"));
    assert_non_null(strstr(out, "default 127.0.0.1:8600"));

    struct config cfg;
    struct buf err;
    char *argv[] = {"reel", "--help", NULL};
    char *envp[] = {NULL};
    assert_int_equal(load(&cfg, &err, argv, envp), CONFIG_HELP);
    config_release(&cfg);
    buf_release(&err);
}

/* Writes text to a temp file and returns its path (static storage). */
static const char *conf_file(const char *text)
{
    static char path[] = "/tmp/reel-test-conf-XXXXXX";
    strcpy(path, "/tmp/reel-test-conf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void a_file_sits_under_the_environment_and_flags(void **state)
{
    (void)state;
    const char *path = conf_file("# Reel\n"
                                 "\n"
                                 "  listen = 0.0.0.0:8700  \r\n"
                                 "data=/var/lib/reel\n"
                                 "log-level = debug\n"
                                 "library = /srv/films with spaces\n"
                                 "library = /srv/tv\n"
                                 "admin-password = \"  spaced  \"\n"
                                 "threads = 4");
    char flag[64];
    snprintf(flag, sizeof(flag), "--config=%s", path);
    struct config cfg;
    struct buf err;
    char *argv[] = {"reel", flag, "--threads", "2", NULL};
    char *envp[] = {"REEL_LOG_LEVEL=warn", NULL};
    assert_int_equal(load(&cfg, &err, argv, envp), 0);
    assert_string_equal(cfg.listen, "0.0.0.0:8700");
    assert_string_equal(cfg.data, "/var/lib/reel");
    assert_string_equal(cfg.log_level, "warn"); /* the environment wins */
    assert_int_equal(cfg.threads, 2);           /* and a flag wins over both */
    assert_string_equal(cfg.admin_password, "  spaced  ");
    assert_int_equal(cfg.library.len, 2);
    assert_string_equal(cfg.library.items[0], "/srv/films with spaces");
    assert_string_equal(cfg.library.items[1], "/srv/tv");
    config_release(&cfg);
    buf_release(&err);

    /* Named by the environment instead. */
    char env[64];
    snprintf(env, sizeof(env), "REEL_CONFIG=%s", path);
    char *argv2[] = {"reel", NULL};
    char *envp2[] = {env, NULL};
    assert_int_equal(load(&cfg, &err, argv2, envp2), 0);
    assert_string_equal(cfg.log_level, "debug");
    assert_int_equal(cfg.threads, 4);
    config_release(&cfg);
    buf_release(&err);
    unlink(path);
}

static void a_bad_file_names_its_line(void **state)
{
    (void)state;
    struct {
        const char *text;
        const char *message;
    } bad[] = {
        {"listen = x\nthreads = many\n", ":2: threads: 'many' is not a whole number"},
        {"# fine\nnope = 1\n", ":2: unknown setting 'nope'"},
        {"just words\n", ":1: expected 'name = value'"},
        {"config = /etc/other\n", ":1: a settings file cannot name another: 'config'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *path = conf_file(bad[i].text);
        char *argv[] = {"reel", "--config", (char *)path, NULL};
        char *envp[] = {NULL};
        struct config cfg;
        struct buf err;
        assert_int_equal(load(&cfg, &err, argv, envp), -EINVAL);
        if (!strstr(err.ptr, bad[i].message) || !strstr(err.ptr, path))
            fail_msg("expected \"%s\" with the file's name, got \"%s\"", bad[i].message, err.ptr);
        config_release(&cfg);
        buf_release(&err);
        unlink(path);
    }
    char *argv[] = {"reel", "--config", "/nonexistent/reel.conf", NULL};
    char *envp[] = {NULL};
    struct config cfg;
    struct buf err;
    assert_int_equal(load(&cfg, &err, argv, envp), -EINVAL);
    assert_non_null(strstr(err.ptr, "cannot read '/nonexistent/reel.conf'"));
    config_release(&cfg);
    buf_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_apply),
        cmocka_unit_test(environment_then_flags),
        cmocka_unit_test(repeated_flags_replace_the_environment_list),
        cmocka_unit_test(bad_values_name_the_setting),
        cmocka_unit_test(help_lists_every_setting_with_its_variable),
        cmocka_unit_test(a_file_sits_under_the_environment_and_flags),
        cmocka_unit_test(a_bad_file_names_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
