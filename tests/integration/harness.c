#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include "harness.h"
#include <arpa/inet.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("command failed (%d): %s", rc, cmd);
}

void server_init(struct server *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/reel-it-XXXXXX");
    if (!mkdtemp(s->dir))
        fail_msg("cannot make a temp folder: %s", strerror(errno));
    snprintf(s->data, sizeof(s->data), "%s/data", s->dir);
    snprintf(s->library, sizeof(s->library), "%s/library", s->dir);
    snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
    mkdir(s->library, 0755);
}

const char *media_dir(void)
{
    return REEL_TEST_MEDIA;
}

void media_copy(const char *dir, const char *const *names)
{
    char cmd[4096];
    /* flock: parallel tests share the one generated library. */
    snprintf(cmd, sizeof(cmd), "flock %s.lock %s/scripts/gen-media.sh %s --tiny >/dev/null",
             media_dir(), REEL_SOURCE_DIR, media_dir());
    run(cmd);
    for (size_t i = 0; names[i]; i++) {
        snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\" && cp '%s/%s' '%s/%s'", dir,
                 names[i], media_dir(), names[i], dir, names[i]);
        run(cmd);
    }
}

void server_start(struct server *s, const char *const *extra)
{
    int fds[2];
    if (pipe(fds) < 0)
        fail_msg("pipe: %s", strerror(errno));
    const char *argv[32] = {REEL_BINARY, "--listen",  "127.0.0.1:0", "--data",
                            s->data,     "--library", s->library};
    size_t argc = 7;
    for (size_t i = 0; extra && extra[i] && argc < 31; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;

    s->pid = fork();
    if (s->pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        FILE *log = fopen(s->log, "a");
        if (log)
            dup2(fileno(log), 2);
        /* From /, so that nothing depends on where the server starts. */
        if (chdir("/") < 0)
            _exit(126);
        setenv("REEL_ADMIN_USER", ADMIN_USER, 1);
        setenv("REEL_ADMIN_PASSWORD", ADMIN_PASSWORD, 1);
        /* No calibration encodes competing with the tests, unless a test asks for them. */
        setenv("REEL_HLS_CALIBRATE", "0", 0);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *out = fdopen(fds[0], "r");
    char line[256];
    s->port = 0;
    while (fgets(line, sizeof(line), out)) {
        const char *colon = strrchr(line, ':');
        if (strstr(line, "listening on") && colon) {
            s->port = atoi(colon + 1);
            break;
        }
    }
    fclose(out);
    if (!s->port) {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "cat '%s' >&2", s->log);
        if (system(cmd) != 0)
            fprintf(stderr, "(no log)\n");
        fail_msg("the server did not start");
    }
}

int server_stop(struct server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200; i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(50000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return -1;
}

void server_cleanup(struct server *s)
{
    if (s->pid > 0)
        server_stop(s);
    if (getenv("REEL_KEEP_TEST_DIRS"))
        return;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", s->dir);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    char *p = realloc(r->body, r->len + size * n + 1);
    if (!p)
        return 0;
    memcpy(p + r->len, data, size * n);
    r->body = p;
    r->len += size * n;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    size_t used = strlen(r->headers);
    if (used + size * n < sizeof(r->headers))
        memcpy(r->headers + used, data, size * n), r->headers[used + size * n] = '\0';
    return size * n;
}

void http(struct server *s, const char *method, const char *path, const char *token,
          const char *body, const char *extra_header, struct response *r)
{
    memset(r, 0, sizeof(*r));
    CURL *c = curl_easy_init();
    char url[1024], auth[160];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
    struct curl_slist *headers = NULL;
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        headers = curl_slist_append(headers, auth);
    }
    /* A body is JSON, and says so, as the server requires. */
    if (body && !(extra_header && strcasestr(extra_header, "Content-Type:")))
        headers = curl_slist_append(headers, "Content-Type: application/json");
    for (const char *h = extra_header; h && *h;) {
        size_t n = strcspn(h, "\n");
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)n, h);
        headers = curl_slist_append(headers, line);
        h += n + (h[n] == '\n');
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_ms ? s->timeout_ms : 30000L);
    if (s->client_address)
        curl_easy_setopt(c, CURLOPT_INTERFACE, s->client_address);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    if (r->body)
        r->json = json_loadb(r->body, r->len, 0, NULL);
}

void response_free(struct response *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

bool response_header(const struct response *r, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end)
            break;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)(end - v), v);
            return true;
        }
        line = end + 2;
    }
    return false;
}

const char *login(struct server *s, const char *user, const char *password)
{
    static char token[128];
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
    struct response r;
    http(s, "POST", "/api/v1/auth/login", NULL, body, NULL, &r);
    assert_status(&r, 200);
    const char *t = json_string_value(json_object_get(r.json, "token"));
    assert_non_null(t);
    snprintf(token, sizeof(token), "%s", t);
    response_free(&r);
    return token;
}

void server_wait_scan(struct server *s)
{
    const char *token = login(s, ADMIN_USER, ADMIN_PASSWORD);
    char copy[128];
    snprintf(copy, sizeof(copy), "%s", token);
    for (int i = 0; i < 600; i++) {
        struct response r;
        http(s, "GET", "/api/v1/library/scan", copy, NULL, NULL, &r);
        const char *state = json_string_value(json_object_get(r.json, "state"));
        bool done = state && strcmp(state, "idle") == 0 &&
                    json_is_integer(json_object_get(r.json, "finished_at"));
        response_free(&r);
        if (done)
            return;
        usleep(50000);
    }
    fail_msg("the scan did not finish");
}

int movie_file_id(struct server *s, const char *token, const char *title)
{
    struct response r;
    http(s, "GET", "/api/v1/library/items", token, NULL, NULL, &r);
    size_t i;
    json_t *item;
    int id = 0;
    json_array_foreach(json_object_get(r.json, "movies"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "title")), title) == 0)
            id = (int)json_integer_value(
                json_object_get(json_array_get(json_object_get(item, "files"), 0), "id"));
    }
    response_free(&r);
    if (!id)
        fail_msg("no file for '%s'", title);
    return id;
}

int server_connect(struct server *s)
{
    return server_connect_from(s, NULL);
}

int server_connect_from(struct server *s, const char *from)
{
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    struct sockaddr_in me = {.sin_family = AF_INET};
    if (from && (inet_pton(AF_INET, from, &me.sin_addr) != 1 ||
                 bind(sock, (struct sockaddr *)&me, sizeof(me)) < 0))
        fail_msg("cannot bind to %s: %s", from, strerror(errno));
    if (sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
        fail_msg("cannot connect to port %d: %s", s->port, strerror(errno));
    return sock;
}
