/* Reel: flags and environment, wiring, signals. */
#include "api/api.h"
#include "core/error.h"
#include "core/log.h"
#include "core/workers.h"
#include "hls/hwenc.h"
#include "hls/session.h"
#include "hls/speeds.h"
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
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

/* The web app's folder when no setting names one: web/ beside the binary (a build tree
 * links it there), else share/reel/web under the install prefix. Never the current
 * directory, so that the server works wherever it is started. */
static int find_web(struct config *cfg)
{
    if (*cfg->web)
        return 0;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0) {
        LOG(L_WARN, "main", "cannot find the binary's folder: %s", strerror(errno));
        return 0;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    const char *const candidates[] = {"/web", "/../share/reel/web"};
    char path[PATH_MAX + 32], index[PATH_MAX + 64];
    for (size_t i = 0; i < ARRAY_LEN(candidates); i++) {
        snprintf(path, sizeof(path), "%s%s", exe, candidates[i]);
        snprintf(index, sizeof(index), "%s/index.html", path);
        if (access(index, R_OK) == 0) {
            char *copy = strdup(path);
            if (!copy)
                return -ENOMEM;
            free(cfg->web);
            cfg->web = copy;
            return 0;
        }
    }
    LOG(L_WARN, "main", "no web app beside '%s'; set --web to serve it", exe);
    return 0;
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

/* Reads the settings. Returns -1 to go on, or the exit code to stop with: 0 after --help,
 * 2 for a bad setting, 1 when memory runs out. */
static int load_settings(struct config *cfg, int argc, char **argv)
{
    struct buf err;
    buf_init(&err, 4096);
    int rc = config_load(cfg, argc, argv, environ, stdout, &err);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "reel: %s\n", err.len ? err.ptr : strerror(-rc));
        buf_release(&err);
        return rc == CONFIG_HELP ? 0 : 2;
    }
    buf_release(&err);
    if (log_level_parse(cfg->log_level, &log_threshold) < 0) {
        fprintf(stderr, "reel: log-level: '%s' is not error, warn, info or debug\n",
                cfg->log_level);
        return 2;
    }
    return find_web(cfg) < 0 ? 1 : -1;
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A reel.db that is empty, or missing from a data folder that was used (every start makes
 * its posters folder), is a database lost, not a first start: the
 * server refuses to start, naming the file, rather than start empty and look as if every
 * user and all progress were gone, unless told to begin anew. An empty file with its
 * write-ahead log is left to SQLite, which reads the log. */
static int check_database(const char *data, const char *db, bool begin_anew)
{
    char wal[4096 + 32];
    snprintf(wal, sizeof(wal), "%s-wal", db);
    off_t size = file_size(db);
    if (size > 0 || file_size(wal) > 0)
        return 0;
    char posters[4096 + 32];
    snprintf(posters, sizeof(posters), "%s/posters", data);
    if (size < 0 && file_size(posters) < 0)
        return 0; /* a first start */
    const char *what = size == 0 ? "is empty" : "is missing, though the data folder was used";
    if (begin_anew) {
        LOG(L_WARN, "main", "'%s' %s: starting a new, empty database (new-database=1)", db, what);
        return 0;
    }
    LOG(L_ERROR, "main",
        "'%s' %s: the database is lost or was moved. Restore it from a backup, or start a "
        "new, empty one with --new-database 1 (REEL_NEW_DATABASE=1)",
        db, what);
    return -1;
}

static void queue_after_scan(void *jobs)
{
    jobs_after_scan(jobs);
}

/* Opens the store and starts everything but the HTTP server. */
static int start_domain(struct app *app, const struct config *cfg, long cores)
{
    char path[4096 + 16];
    snprintf(path, sizeof(path), "%s/reel.db", cfg->data);
    if (make_dir(cfg->data) < 0 || check_database(cfg->data, path, cfg->new_database) < 0 ||
        store_open(&app->store, path) < 0)
        return -1;
    if (auth_new(&app->auth, app->store, cfg->token_ttl) < 0)
        return -1;
    if (bootstrap_admin(cfg, app->store, app->auth) < 0)
        return -1;
    int scan_threads = cfg->scan_threads ? (int)cfg->scan_threads : (int)cores;
    snprintf(path, sizeof(path), "%s/posters", cfg->data);
    if (scanner_new(&app->scanner, app->store, &cfg->library, scan_threads, path, cfg->ffmpeg) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/transcodes", cfg->data);
    struct hls_config hls = {
        .ffmpeg = cfg->ffmpeg,
        .preset = cfg->hls_preset,
        .temp_dir = path,
        .segment_s = (double)cfg->hls_segment,
        .max_encoders = cfg->hls_max_encoders ? (int)cfg->hls_max_encoders : (int)cores,
        .idle_ms = cfg->hls_idle_timeout * 1000,
        .prewarm_ms = cfg->hls_prewarm_timeout * 1000,
        .wait_ms = cfg->hls_wait_timeout * 1000,
        .grace_ms = cfg->hls_kill_grace * 1000,
        .throttle_s = (double)cfg->hls_throttle,
        .temp_max_bytes = cfg->hls_temp_max_mb << 20,
    };
    char speeds_path[PATH_MAX];
    snprintf(speeds_path, sizeof(speeds_path), "%s/encode-speeds", cfg->data);
    if (speeds_open(speeds_path, &app->speeds) < 0)
        return -1;
    hls.speeds = app->speeds;
    if (hls_new(&app->hls, &hls) < 0)
        return -1;
    /* Two threads hash passwords and read keyframe indexes: enough for people signing in
     * and starting remuxes, and never all the cores. */
    if (workers_new(&app->workers, cores > 1 ? 2 : 1) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/prepared", cfg->data);
    if (*cfg->s3_endpoint) {
        struct storage_s3 s3 = {.endpoint = cfg->s3_endpoint,
                                .region = cfg->s3_region,
                                .bucket = cfg->s3_bucket,
                                .access_key = cfg->s3_access_key,
                                .secret_key = cfg->s3_secret_key,
                                .path_style = (int)cfg->s3_path_style};
        char scratch[sizeof(path) + 16];
        snprintf(scratch, sizeof(scratch), "%s/.scratch", path);
        if (storage_s3_new(&app->storage, &s3, scratch) < 0)
            return -1;
    } else if (storage_fs_new(&app->storage, path) < 0) {
        return -1;
    }
    struct jobs_config jc = {
        .store = app->store,
        .hls = app->hls,
        .storage = app->storage,
        .threads = (int)cfg->jobs_threads,
        .nice = (int)cfg->jobs_nice,
        .max_bytes = cfg->prepared_max_mb << 20,
        .ffmpeg = cfg->ffmpeg,
        .data = cfg->data,
        .trickplay_interval = (int)cfg->trickplay_interval,
        .trickplay_width = (int)cfg->trickplay_width,
        .trickplay_tiles = (int)cfg->trickplay_tiles,
    };
    if (jobs_new(&app->jobs, &jc) < 0)
        return -1;
    scanner_on_done(app->scanner, queue_after_scan, app->jobs);
    return events_new(&app->events, (int)cfg->max_event_streams);
}

static int start_http(struct app *app, const struct config *cfg, long cores)
{
    struct http_config hc = {
        .listen = cfg->listen,
        .threads = cfg->threads ? (unsigned)cfg->threads : (unsigned)cores,
        .max_body = (size_t)cfg->max_body,
        .max_header = (size_t)cfg->max_header,
        .timeout_s = (unsigned)cfg->connection_timeout,
        .request_timeout_s = (unsigned)cfg->request_timeout,
        .per_address_limit = (unsigned)cfg->max_connections_per_address,
        .trusted_proxies = cfg->trusted_proxies,
        .media_origin = storage_origin(app->storage),
        .routes = api_routes,
        .nroutes = api_nroutes,
        .authenticate = api_authenticate,
        .fallback = api_web,
        .app = app,
    };
    if (http_server_start(&app->server, &hc) < 0)
        return -1;
    /* Tests and scripts read this line to learn the port. */
    printf("reel: listening on http://%.*s:%u\n", (int)(strrchr(cfg->listen, ':') - cfg->listen),
           cfg->listen, http_server_port(app->server));
    fflush(stdout);
    LOG(L_INFO, "main", "listening on %s (port %u), data in '%s'", cfg->listen,
        http_server_port(app->server), cfg->data);
    return 0;
}

struct calibration {
    struct app *app;
    const struct config *cfg;
    bool encodes; /* time the encodes too, not only look for a hardware encoder */
};

/* In the background at start-up: which hardware encoder there is, then (once per data
 * folder) how fast this machine encodes. */
static void *calibrate(void *arg)
{
    struct calibration *c = arg;
    enum hwenc e = hwenc_detect(c->cfg->ffmpeg);
    hls_set_hwenc(c->app->hls, e);
    LOG(L_INFO, "main", "hardware H.264 encoder: %s", hwenc_name(e));
    if (!c->encodes)
        return NULL;
    int rc = speeds_calibrate(c->app->speeds, c->cfg->ffmpeg, c->cfg->hls_preset);
    if (rc < 0 && rc != -ECANCELED)
        LOG(L_WARN, "main", "the encoder calibration failed: %s", strerror(-rc));
    else if (rc == 0)
        LOG(L_INFO, "main", "encoder calibration done");
    return NULL;
}

int main(int argc, char **argv)
{
    struct config cfg;
    int rc = load_settings(&cfg, argc, argv);
    if (rc >= 0) {
        config_release(&cfg);
        return rc;
    }

    /* Signals are taken by sigwait() below; every thread started later inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    /* Before any thread: libcurl (the object store's client) sets itself up once. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        LOG(L_ERROR, "main", "cannot set up libcurl");
        config_release(&cfg);
        return 1;
    }

    struct app app = {.cfg = &cfg};
    int exit_code = 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cores = cores > 0 ? cores : 1;
    if (start_domain(&app, &cfg, cores) < 0 || start_http(&app, &cfg, cores) < 0)
        goto out;
    if (cfg.library.len && scanner_start(app.scanner) < 0)
        LOG(L_WARN, "main", "cannot start the first scan");
    /* Hardware encoders are looked for, and the first start times a few encodes to seed the
     * ladder, in the background. */
    struct calibration cal = {&app, &cfg,
                              cfg.hls_calibrate && !speeds_calibrated(app.speeds, cfg.hls_preset)};
    pthread_t cal_thread;
    bool calibrating = pthread_create(&cal_thread, NULL, calibrate, &cal) == 0;

    int sig = 0;
    sigwait(&sigs, &sig);
    LOG(L_INFO, "main", "%s: shutting down", strsignal(sig));
    exit_code = 0;
    if (calibrating) {
        speeds_cancel(app.speeds);
        pthread_join(cal_thread, NULL);
    }
out:
    /* Parked segment requests are woken first: libmicrohttpd cannot stop with suspended
     * connections. Encoders are reaped and temp folders removed last. */
    /* Jobs are viewers of HLS sessions of their own: told to stop, woken when their
     * sessions end, and joined before the sessions are freed. */
    jobs_stop(app.jobs);
    hls_close(app.hls);
    jobs_free(app.jobs);
    events_close(app.events);
    /* Work handed to the workers finishes and resumes its requests before the HTTP server
     * stops; what comes after that is refused. */
    workers_stop(app.workers);
    http_server_stop(app.server);
    workers_free(app.workers);
    events_free(app.events);
    hls_free(app.hls);
    if (app.speeds && speeds_save(app.speeds) < 0)
        LOG(L_WARN, "main", "cannot save the encode speeds");
    speeds_close(app.speeds);
    storage_free(app.storage);
    scanner_free(app.scanner);
    auth_free(app.auth);
    store_close(app.store);
    config_release(&cfg);
    curl_global_cleanup();
    return exit_code;
}
