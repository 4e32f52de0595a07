#pragma once
#include "core/buf.h"
#include "core/compat.h"
#include <stddef.h>
#include <stdio.h>

/* A list of strings, owned by the config. */
struct strlist {
    char **items;
    size_t len;
};

/*
 * Every setting Reel has. Each is filled from, in rising order of precedence, its default
 * in the settings table (config.c), the settings file named by --config ("name = value"
 * lines), the REEL_<NAME> environment variable and the --<name> flag. The table is the
 * only place a default is written down.
 */
struct config {
    char *config;
    char *listen;
    char *data;
    struct strlist library;
    char *log_level;
    char *admin_user;
    char *admin_password;
    long long threads;
    long long max_body;
    long long max_header;
    long long connection_timeout;
    long long request_timeout;
    long long max_connections_per_address;
    long long max_event_streams;
    long long token_ttl;
    long long cookie_secure;
    char *trusted_proxies;
    long long new_database;
    long long scan_threads;
    char *web;
    char *ffmpeg;
    char *hls_preset;
    long long hls_segment;
    long long hls_idle_timeout;
    long long hls_prewarm_timeout;
    long long hls_max_encoders;
    long long hls_wait_timeout;
    long long hls_kill_grace;
    long long hls_throttle;
    long long hls_calibrate;
    long long hls_temp_max_mb;
    long long jobs_threads;
    long long jobs_nice;
    long long prepared_max_mb;
    long long trickplay_interval, trickplay_width, trickplay_tiles;
    char *s3_endpoint;
    char *s3_region;
    char *s3_bucket;
    char *s3_access_key;
    char *s3_secret_key;
    long long s3_path_style;
    long long s3_url_ttl;
};

enum { CONFIG_HELP = 1 };

/*
 * Fills cfg from the table, envp and argv. Returns 0, CONFIG_HELP when --help was asked
 * for (the usage is then written to out), or a negative error with a message naming the
 * bad setting in err. The config owns its strings; release it with config_release() even
 * after a failure.
 */
int config_load(struct config *cfg, int argc, char *const argv[], char *const envp[], FILE *out,
                struct buf *err) WUR;
void config_release(struct config *cfg);
/* Applies a settings file's text (source names it in errors, as "source:line: ..."). A list
 * named on several lines takes each; the first replaces what cfg had. */
int config_apply_text(struct config *cfg, const char *text, size_t len, const char *source,
                      struct buf *err) WUR;
void config_usage(FILE *out);
