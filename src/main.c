/* Reel: flags and environment, wiring, signals. */
#include "api/api.h"
#include "core/error.h"
#include "core/log.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST) {
        LOG(L_ERROR, "main", "cannot create folder '%s': %s", path, strerror(errno));
        return -errno;
    }
    return 0;
}

/* Creates the administrator named in the settings when there are no users yet. */
static int bootstrap_admin(const struct config *cfg, struct store *store, struct auth *auth)
{
    int64_t users;
    int rc = store_user_count(store, &users);
    if (rc < 0 || users > 0)
        return rc;
    if (!*cfg->admin_user || strlen(cfg->admin_password) < 8) {
        LOG(L_WARN, "main",
            "there are no users: set REEL_ADMIN_USER and REEL_ADMIN_PASSWORD "
            "(8 characters or more) to create the administrator");
        return 0;
    }
    rc = auth_user_create(auth, cfg->admin_user, cfg->admin_password, ROLE_ADMIN, NULL);
    if (rc == 0)
        LOG(L_INFO, "main", "created administrator '%s'", cfg->admin_user);
    return rc;
}

/* Many streams and event connections can be open at once. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct buf err;
    buf_init(&err, 4096);
    int rc = config_load(&cfg, argc, argv, environ, stdout, &err);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "reel: %s\n", err.len ? err.ptr : strerror(-rc));
        buf_release(&err);
        config_release(&cfg);
        return rc == CONFIG_HELP ? 0 : 2;
    }
    buf_release(&err);
    if (log_level_parse(cfg.log_level, &log_threshold) < 0) {
        fprintf(stderr, "reel: log-level: '%s' is not error, warn, info or debug\n", cfg.log_level);
        config_release(&cfg);
        return 2;
    }

    /* Signals are taken by sigwait() below; every thread started later inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();

    struct app app = {.cfg = &cfg};
    struct http_server *server = NULL;
    int exit_code = 1;
    char db[4096 + 16];
    snprintf(db, sizeof(db), "%s/reel.db", cfg.data);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cores = cores > 0 ? cores : 1;

    if (make_dir(cfg.data) < 0 || store_open(&app.store, db) < 0)
        goto out;
    if (auth_new(&app.auth, app.store, cfg.token_ttl) < 0)
        goto out;
    if (bootstrap_admin(&cfg, app.store, app.auth) < 0)
        goto out;
    int scan_threads = cfg.scan_threads ? (int)cfg.scan_threads : (int)cores;
    char posters[4096 + 16];
    snprintf(posters, sizeof(posters), "%s/posters", cfg.data);
    if (scanner_new(&app.scanner, app.store, &cfg.library, scan_threads, posters, cfg.ffmpeg) < 0)
        goto out;
    char temp[4096 + 16];
    snprintf(temp, sizeof(temp), "%s/transcodes", cfg.data);
    struct hls_config hls = {
        .ffmpeg = cfg.ffmpeg,
        .preset = cfg.hls_preset,
        .temp_dir = temp,
        .segment_s = (double)cfg.hls_segment,
        .max_encoders = cfg.hls_max_encoders ? (int)cfg.hls_max_encoders : (int)cores,
        .idle_ms = cfg.hls_idle_timeout * 1000,
        .prewarm_ms = cfg.hls_prewarm_timeout * 1000,
        .wait_ms = cfg.hls_wait_timeout * 1000,
        .grace_ms = cfg.hls_kill_grace * 1000,
        .temp_max_bytes = cfg.hls_temp_max_mb << 20,
    };
    if (hls_new(&app.hls, &hls) < 0)
        goto out;
    if (events_new(&app.events) < 0)
        goto out;

    struct http_config hc = {
        .listen = cfg.listen,
        .threads = cfg.threads ? (unsigned)cfg.threads : (unsigned)cores,
        .max_body = (size_t)cfg.max_body,
        .max_header = (size_t)cfg.max_header,
        .timeout_s = (unsigned)cfg.connection_timeout,
        .routes = api_routes,
        .nroutes = api_nroutes,
        .authenticate = api_authenticate,
        .fallback = api_web,
        .app = &app,
    };
    if (http_server_start(&server, &hc) < 0)
        goto out;
    app.server = server;
    /* Tests and scripts read this line to learn the port. */
    printf("reel: listening on http://%.*s:%u\n", (int)(strrchr(cfg.listen, ':') - cfg.listen),
           cfg.listen, http_server_port(server));
    fflush(stdout);
    LOG(L_INFO, "main", "listening on %s (port %u), data in '%s'", cfg.listen,
        http_server_port(server), cfg.data);

    if (cfg.library.len && scanner_start(app.scanner) < 0)
        LOG(L_WARN, "main", "cannot start the first scan");

    int sig = 0;
    sigwait(&sigs, &sig);
    LOG(L_INFO, "main", "%s: shutting down", strsignal(sig));
    exit_code = 0;
out:
    /* Parked segment requests are woken first: libmicrohttpd cannot stop with suspended
     * connections. Encoders are reaped and temp folders removed last. */
    hls_close(app.hls);
    events_close(app.events);
    http_server_stop(server);
    events_free(app.events);
    hls_free(app.hls);
    scanner_free(app.scanner);
    auth_free(app.auth);
    store_close(app.store);
    config_release(&cfg);
    return exit_code;
}
