#pragma once
/* Starts the real build/reel on 127.0.0.1:0 with a temporary data folder, and talks to it
 * with libcurl. Each test process gets its own folder under /tmp, removed at the end. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ADMIN_USER "admin"
#define ADMIN_PASSWORD "admin-password-1"

struct server {
    pid_t pid;
    int port;
    char dir[64];      /* the test's own temp folder */
    char data[128];    /* the server's data folder, inside dir */
    char library[128]; /* a library folder inside dir, filled by media_copy() */
    char log[128];     /* the server's stderr */
    /* The loopback address http() sends from (NULL: the kernel's choice, 127.0.0.1), to be
     * another client than the one at 127.0.0.1. */
    const char *client_address;
    /* How long http() waits for an answer before it fails the test (0: 30 s). */
    long timeout_ms;
};

struct response {
    long status;
    char *body;
    size_t len;
    json_t *json; /* the body parsed, when it is JSON */
    char headers[8192];
};

/* Makes the temp folders; the library starts empty. */
void server_init(struct server *s);
/* Starts the server with the library folder plus extra arguments (NULL-terminated). */
void server_start(struct server *s, const char *const *extra);
/* SIGTERM, then waits; returns the exit status (0 after a graceful shutdown). */
int server_stop(struct server *s);
/* Stops the server if it runs, and removes the temp folder. */
void server_cleanup(struct server *s);
/* Waits until the running scan, if any, is done. */
void server_wait_scan(struct server *s);

/* Generates the tiny test media once per build (cached under the build folder) and copies
 * the named files (relative paths in the generated library, NULL-terminated) into dir. */
void media_copy(const char *dir, const char *const *names);
const char *media_dir(void);

/* One request. body may be NULL; token NULL sends no Authorization. extra_header may be
 * NULL, or "Name: value" lines separated by '\n'. */
void http(struct server *s, const char *method, const char *path, const char *token,
          const char *body, const char *extra_header, struct response *r);
void response_free(struct response *r);
/* The value of a response header (case-insensitive name), copied into out; false if absent. */
bool response_header(const struct response *r, const char *name, char *out, size_t size);
/* A plain TCP connection to the server, for requests curl cannot make (a client that
 * leaves mid-body, several requests on one socket, event streams). */
int server_connect(struct server *s);
/* The same from a local address of the loopback (127.x.y.z), as another client. */
int server_connect_from(struct server *s, const char *from);

/* The id of the first file of the movie with this title; fails the test if there is none. */
int movie_file_id(struct server *s, const char *token, const char *title);
/* Signs in; fails the test when it does not work. Returns a static token copy. */
const char *login(struct server *s, const char *user, const char *password);

/* Fails the test, printing both values, when the status is not the one wanted. */
#define assert_status(r, want)                                                                     \
    do {                                                                                           \
        if ((r)->status != (want))                                                                 \
            fail_msg("%s:%d: expected status %ld, got %ld: %.300s", __FILE__, __LINE__,            \
                     (long)(want), (r)->status, (r)->body ? (r)->body : "");                       \
    } while (0)
