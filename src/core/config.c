#include "core/config.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum type { T_STRING, T_INT, T_LIST };

/* Writes the message for a bad setting; if even that fails, the error code still says it. */
__attribute__((format(printf, 2, 3))) static void complain(struct buf *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (buf_vprintf(err, fmt, ap) < 0)
        buf_reset(err);
    va_end(ap);
}

struct setting {
    const char *name;
    enum type type;
    size_t offset;
    const char *def;
    long long min, max;
    const char *help;
};

#define F(field) offsetof(struct config, field)

/* The one settings table. The environment variable is REEL_ + the name in upper case with
 * '-' as '_'; a list in the environment is separated by ':'. */
static const struct setting settings[] = {
    {"config", T_STRING, F(config), "", 0, 0,
     "a file of 'name = value' lines, one setting each, read before the environment"},
    {"listen", T_STRING, F(listen), "127.0.0.1:8600", 0, 0, "address:port to listen on"},
    {"data", T_STRING, F(data), "reel-data", 0, 0, "folder for the database and temp files"},
    {"library", T_LIST, F(library), "", 0, 0, "a media folder to scan (repeatable)"},
    {"log-level", T_STRING, F(log_level), "info", 0, 0, "error, warn, info or debug"},
    {"admin-user", T_STRING, F(admin_user), "", 0, 0, "administrator created on first start"},
    {"admin-password", T_STRING, F(admin_password), "", 0, 0, "password for that administrator"},
    {"threads", T_INT, F(threads), "0", 0, 256, "HTTP worker threads (0: one per core)"},
    {"max-body", T_INT, F(max_body), "1048576", 1024, 67108864, "largest request body, bytes"},
    {"max-header", T_INT, F(max_header), "32768", 4096, 1048576, "largest request head, bytes"},
    {"connection-timeout", T_INT, F(connection_timeout), "60", 1, 3600,
     "seconds before an idle connection is closed"},
    {"request-timeout", T_INT, F(request_timeout), "30", 1, 3600,
     "seconds for a request's head and body to arrive, however slowly they trickle"},
    {"max-connections-per-address", T_INT, F(max_connections_per_address), "256", 0, 65536,
     "connections one address may hold at once (0: any; raise it behind a reverse proxy)"},
    {"max-event-streams", T_INT, F(max_event_streams), "32", 1, 100000,
     "event streams one user may hold open at once"},
    {"trusted-proxies", T_STRING, F(trusted_proxies), "", 0, 0,
     "reverse proxies' addresses, comma-separated: from these only, X-Forwarded-For names "
     "the client"},
    {"cookie-secure", T_INT, F(cookie_secure), "0", 0, 1,
     "1: the sign-in cookie is sent over HTTPS only (set it behind an HTTPS proxy)"},
    {"token-ttl", T_INT, F(token_ttl), "2592000", 60, 315360000,
     "seconds a sign-in token stays valid"},
    {"new-database", T_INT, F(new_database), "0", 0, 1,
     "1: start a new, empty database where reel.db is empty, or missing from a data folder "
     "that was used (else that is an error)"},
    {"scan-threads", T_INT, F(scan_threads), "0", 0, 64,
     "threads that probe media during a scan (0: one per core)"},
    {"web", T_STRING, F(web), "", 0, 0,
     "folder of the web app served at / (default: web/ beside the binary, else "
     "../share/reel/web)"},
    {"ffmpeg", T_STRING, F(ffmpeg), "ffmpeg", 0, 0, "the ffmpeg binary that makes HLS"},
    {"hls-preset", T_STRING, F(hls_preset), "veryfast", 0, 0,
     "x264 preset for HLS encodes: faster presets seek sooner, slower ones look better"},
    {"hls-segment", T_INT, F(hls_segment), "4", 2, 10, "seconds per HLS segment"},
    {"hls-idle-timeout", T_INT, F(hls_idle_timeout), "120", 1, 86400,
     "seconds without a request before an HLS session ends"},
    {"hls-prewarm-timeout", T_INT, F(hls_prewarm_timeout), "60", 1, 3600,
     "seconds a pre-warmed session waits to be played"},
    {"hls-max-encoders", T_INT, F(hls_max_encoders), "0", 0, 256,
     "viewers encoding at once, one ffmpeg each (0: one per core)"},
    {"hls-wait-timeout", T_INT, F(hls_wait_timeout), "30", 1, 600,
     "seconds a segment request waits for the encoder"},
    {"hls-calibrate", T_INT, F(hls_calibrate), "1", 0, 1,
     "on the first start, time short encodes to seed the ladder's speed estimates"},
    {"hls-throttle", T_INT, F(hls_throttle), "60", 8, 3600,
     "seconds an encoder may run ahead of its viewer before it is paused"},
    {"hls-kill-grace", T_INT, F(hls_kill_grace), "3", 0, 60,
     "seconds between SIGTERM and SIGKILL for an encoder"},
    {"hls-temp-max-mb", T_INT, F(hls_temp_max_mb), "10240", 16, 10485760,
     "MiB of HLS temp files before old ones are evicted"},
    {"jobs-threads", T_INT, F(jobs_threads), "1", 1, 8,
     "background jobs (prepared versions) run at once"},
    {"jobs-nice", T_INT, F(jobs_nice), "10", 0, 19,
     "the niceness of background jobs' encoders: viewers' encoders come first"},
    {"trickplay-interval", T_INT, F(trickplay_interval), "10", 1, 600,
     "seconds between scrubbing previews (trickplay thumbnails)"},
    {"trickplay-width", T_INT, F(trickplay_width), "320", 64, 1920,
     "the width of a scrubbing preview, in pixels"},
    {"trickplay-tiles", T_INT, F(trickplay_tiles), "10", 1, 32,
     "previews per row and per column of a trickplay sheet (10: 10x10 on one JPEG)"},
    {"prepared-max-mb", T_INT, F(prepared_max_mb), "51200", 0, 1073741824,
     "MiB of prepared versions before the least recently played are evicted (0: no cap)"},
    {"s3-endpoint", T_STRING, F(s3_endpoint), "", 0, 0,
     "an S3-compatible store's URL: prepared versions go to its bucket (default: a folder "
     "under the data folder)"},
    {"s3-region", T_STRING, F(s3_region), "us-east-1", 0, 0, "the store's region"},
    {"s3-bucket", T_STRING, F(s3_bucket), "", 0, 0, "the bucket for prepared versions"},
    {"s3-access-key", T_STRING, F(s3_access_key), "", 0, 0, "the store's access key id"},
    {"s3-secret-key", T_STRING, F(s3_secret_key), "", 0, 0,
     "the store's secret key (better in the settings file or the environment than a flag)"},
    {"s3-path-style", T_INT, F(s3_path_style), "1", 0, 1,
     "1: URLs are endpoint/bucket/key (MinIO, Garage, Ceph); 0: bucket.endpoint/key (AWS)"},
    {"s3-url-ttl", T_INT, F(s3_url_ttl), "3600", 1, 604800,
     "seconds a presigned segment URL stays valid"},
};

static void list_clear(struct strlist *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

static int list_push(struct strlist *l, const char *s, size_t n)
{
    char **items = realloc(l->items, (l->len + 1) * sizeof(*items));
    if (!items)
        return -ENOMEM;
    l->items = items;
    items[l->len] = strndup(s, n);
    if (!items[l->len])
        return -ENOMEM;
    l->len++;
    return 0;
}

/* How a value reaches a list: the environment replaces it with ':'-separated values, the
 * first flag replaces it with one value, and later flags append. */
enum mode { FROM_ENV, FIRST_FLAG, MORE_FLAG };

static int set(struct config *cfg, const struct setting *s, const char *value, enum mode mode,
               struct buf *err)
{
    void *field = (char *)cfg + s->offset;
    switch (s->type) {
    case T_STRING: {
        char *copy = strdup(value);
        if (!copy)
            return -ENOMEM;
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    case T_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < s->min || v > s->max) {
            complain(err, "%s: '%s' is not a whole number from %lld to %lld", s->name, value,
                     s->min, s->max);
            return -EINVAL;
        }
        *(long long *)field = v;
        return 0;
    }
    case T_LIST: {
        struct strlist *l = field;
        if (mode != MORE_FLAG)
            list_clear(l);
        const char *p = value;
        while (*p) {
            size_t n = mode == FROM_ENV ? strcspn(p, ":") : strlen(p);
            if (n && list_push(l, p, n) < 0)
                return -ENOMEM;
            p += n;
            if (*p == ':')
                p++;
        }
        return 0;
    }
    }
    return -EINVAL;
}

static void env_name(const struct setting *s, char *out, size_t size)
{
    size_t i = (size_t)snprintf(out, size, "REEL_");
    for (const char *p = s->name; *p && i + 1 < size; p++)
        out[i++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[i] = '\0';
}

static const char *env_get(char *const envp[], const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
            return envp[i] + n + 1;
    return NULL;
}

static const struct setting *find(const char *name, size_t n)
{
    for (size_t i = 0; i < ARRAY_LEN(settings); i++)
        if (strlen(settings[i].name) == n && strncmp(settings[i].name, name, n) == 0)
            return &settings[i];
    return NULL;
}

static int apply_env(struct config *cfg, char *const envp[], struct buf *err)
{
    for (size_t i = 0; i < ARRAY_LEN(settings); i++) {
        char name[64];
        env_name(&settings[i], name, sizeof(name));
        const char *env = env_get(envp, name);
        int rc = env ? set(cfg, &settings[i], env, FROM_ENV, err) : 0;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int apply_flags(struct config *cfg, int argc, char *const argv[], FILE *out, struct buf *err)
{
    unsigned char flagged[ARRAY_LEN(settings)] = {0};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            config_usage(out);
            return CONFIG_HELP;
        }
        if (strncmp(arg, "--", 2) != 0) {
            complain(err, "unexpected argument '%s' (try --help)", arg);
            return -EINVAL;
        }
        arg += 2;
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct setting *s = find(arg, n);
        if (!s) {
            complain(err, "unknown option '--%.*s' (try --help)", (int)n, arg);
            return -EINVAL;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= argc) {
                complain(err, "option '--%s' needs a value", s->name);
                return -EINVAL;
            }
            value = argv[++i];
        }
        size_t idx = (size_t)(s - settings);
        int rc = set(cfg, s, value, flagged[idx] ? MORE_FLAG : FIRST_FLAG, err);
        flagged[idx] = 1;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* One line of a settings file, without its newline: blank, a '#' comment, or
 * "name = value", the value taken as it stands after trimming (or from inside double
 * quotes, to keep spaces at its ends). */
static int apply_line(struct config *cfg, const char *line, size_t n, unsigned char *seen,
                      const char *source, size_t lineno, struct buf *err)
{
    while (n && blank(*line))
        line++, n--;
    while (n && blank(line[n - 1]))
        n--;
    if (n == 0 || *line == '#')
        return 0;
    if (memchr(line, '\0', n)) {
        complain(err, "%s:%zu: not a line of text", source, lineno);
        return -EINVAL;
    }
    const char *eq = memchr(line, '=', n);
    if (!eq) {
        complain(err, "%s:%zu: expected 'name = value'", source, lineno);
        return -EINVAL;
    }
    size_t klen = (size_t)(eq - line);
    while (klen && blank(line[klen - 1]))
        klen--;
    const struct setting *s = find(line, klen);
    if (!s || s->offset == F(config)) {
        complain(err, "%s:%zu: %s '%.*s'", source, lineno,
                 s ? "a settings file cannot name another:" : "unknown setting", (int)klen, line);
        return -EINVAL;
    }
    const char *v = eq + 1;
    size_t vlen = n - (size_t)(v - line);
    while (vlen && blank(*v))
        v++, vlen--;
    if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
        v++, vlen -= 2;
    char *value = strndup(v, vlen);
    if (!value)
        return -ENOMEM;
    size_t idx = (size_t)(s - settings);
    /* Where, before what set() says of a bad value: "reel.conf:3: threads: ...". */
    size_t mark = err->len;
    complain(err, "%s:%zu: ", source, lineno);
    int rc = set(cfg, s, value, seen[idx] ? MORE_FLAG : FIRST_FLAG, err);
    seen[idx] = 1;
    free(value);
    if (rc != -EINVAL && err->len >= mark) {
        err->len = mark;
        err->ptr[mark] = '\0';
    }
    return rc;
}

int config_apply_text(struct config *cfg, const char *text, size_t len, const char *source,
                      struct buf *err)
{
    unsigned char seen[ARRAY_LEN(settings)] = {0};
    size_t lineno = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        int rc = apply_line(cfg, text + at, n, seen, source, ++lineno, err);
        if (rc < 0)
            return rc;
        at += n + 1;
    }
    return 0;
}

static int apply_file(struct config *cfg, const char *path, struct buf *err)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        int e = errno;
        complain(err, "config: cannot read '%s': %s", path, strerror(e));
        return -EINVAL;
    }
    struct buf text;
    buf_init(&text, 1 << 20);
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = buf_append(&text, chunk, n);
    if (rc == 0 && ferror(f))
        rc = -EIO;
    fclose(f);
    if (rc == 0)
        rc = config_apply_text(cfg, text.ptr, text.len, path, err);
    else if (rc != -ENOMEM)
        complain(err, "config: cannot read '%s': %s", path,
                 rc == -E2BIG ? "larger than 1 MiB" : strerror(-rc));
    buf_release(&text);
    return rc == -E2BIG || rc == -EIO ? -EINVAL : rc;
}

/* The defaults, then the file (NULL: none), the environment and the flags. */
static int load_layers(struct config *cfg, const char *file, int argc, char *const argv[],
                       char *const envp[], FILE *out, struct buf *err)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < ARRAY_LEN(settings); i++) {
        int rc = set(cfg, &settings[i], settings[i].def, FROM_ENV, err);
        if (rc < 0)
            return rc;
    }
    int rc = file ? apply_file(cfg, file, err) : 0;
    if (rc == 0)
        rc = apply_env(cfg, envp, err);
    return rc ? rc : apply_flags(cfg, argc, argv, out, err);
}

int config_load(struct config *cfg, int argc, char *const argv[], char *const envp[], FILE *out,
                struct buf *err)
{
    /* The environment and flags say which file to read, and win over it: read them once to
     * learn its name, then again over the file. */
    int rc = load_layers(cfg, NULL, argc, argv, envp, out, err);
    if (rc != 0 || !*cfg->config)
        return rc;
    char *file = strdup(cfg->config);
    config_release(cfg);
    if (!file)
        return -ENOMEM;
    rc = load_layers(cfg, file, argc, argv, envp, out, err);
    free(file);
    return rc;
}

void config_release(struct config *cfg)
{
    for (size_t i = 0; i < ARRAY_LEN(settings); i++) {
        void *field = (char *)cfg + settings[i].offset;
        if (settings[i].type == T_STRING) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (settings[i].type == T_LIST) {
            list_clear(field);
        }
    }
}

void config_usage(FILE *out)
{
    fprintf(out, "usage: reel [--option value]...\n\n"
                 "Every option can also be set in the environment as REEL_<OPTION>, or in the\n"
                 "--config file as 'option = value'. A flag wins over the environment, which\n"
                 "wins over the file.\n\n");
    for (size_t i = 0; i < ARRAY_LEN(settings); i++) {
        const struct setting *s = &settings[i];
        char env[64];
        env_name(s, env, sizeof(env));
        fprintf(out, "  --%-20s %s\n  %-22s env %s", s->name, s->help, "", env);
        if (*s->def)
            fprintf(out, ", default %s", s->def);
        fputs("\n", out);
    }
}
