#pragma once
#include "core/compat.h"
#include "store/media.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The one interface to Reel's persistent state: users, sign-in tokens, the library and
 * playback progress. No SQL lives outside src/store/. Every function is safe to call from
 * any thread. Functions return 0 or a negative error (core/error.h): ERR_NOT_FOUND when a
 * row is missing, ERR_CONFLICT on a duplicate, ERR_INTERNAL for a database failure (which
 * is logged with SQLite's message). What a function hands out is the caller's; each
 * kind of result says how to free it.
 */
struct store;

enum role { ROLE_USER, ROLE_ADMIN };

struct user {
    int64_t id;
    char username[64];
    enum role role;
    int64_t created_at;
};

/* Opens (creating if need be) the SQLite database at path, in WAL mode, and applies every
 * migration it has not seen yet. */
int store_open(struct store **out, const char *path) WUR;
/* Accepts NULL. */
void store_close(struct store *s);

const char *role_name(enum role r);
int role_parse(const char *name, enum role *out) WUR;

/* Users. Usernames are unique regardless of case. */
int store_user_create(struct store *s, const char *username, const char *password_hash,
                      enum role role, int64_t *id) WUR;
/* Fills u and copies the password hash (at most hash_size bytes with the NUL). */
int store_user_find(struct store *s, const char *username, struct user *u, char *hash,
                    size_t hash_size) WUR;
int store_user_count(struct store *s, int64_t *count) WUR;
/* Every user, by id; *out is malloc'd. */
int store_users_list(struct store *s, struct user **out, size_t *n) WUR;

/* Sign-in tokens, by the 32-byte hash of the token. An expired token is ERR_NOT_FOUND. */
int store_token_put(struct store *s, const uint8_t hash[32], int64_t user_id,
                    int64_t expires_at) WUR;
int store_token_user(struct store *s, const uint8_t hash[32], int64_t now, struct user *u) WUR;
int store_token_delete(struct store *s, const uint8_t hash[32]) WUR;

/* The keys that sign links (auth/link.h), oldest first; *out is malloc'd. */
struct link_key {
    int64_t id;
    uint8_t secret[32];
    int64_t created_at;   /* ms */
    int64_t signed_until; /* ms: the latest expiry of a link it signed */
};
int store_link_keys(struct store *s, struct link_key **out, size_t *n) WUR;
int store_link_key_add(struct store *s, const uint8_t secret[32], int64_t now, int64_t *id) WUR;
/* Raises a key's signed_until to at least signed_until. */
int store_link_key_extend(struct store *s, int64_t id, int64_t signed_until) WUR;
/* Deletes the keys whose links have all expired by now, but never the newest. */
int store_link_keys_prune(struct store *s, int64_t now) WUR;
/* The user's link epoch, part of every link's signature. */
int store_link_epoch(struct store *s, int64_t user_id, int64_t *epoch) WUR;
/* Signs a user out everywhere: deletes every token and raises the link epoch, so that
 * every link given out before stops working. */
int store_user_sign_out(struct store *s, int64_t user_id) WUR;

/* What a user wants to hear and read: an audio language ("" for each file's default), a
 * subtitle language, and when subtitles show: never, forced ones only, or always. */
enum subtitle_mode { SUBS_OFF, SUBS_FORCED, SUBS_ALWAYS };
const char *subtitle_mode_name(enum subtitle_mode m);
int subtitle_mode_parse(const char *name, enum subtitle_mode *out) WUR;
struct preferences {
    char audio_language[16];
    char subtitle_language[16];
    enum subtitle_mode mode;
};
/* The user's preferences; the defaults (no language, forced subtitles) when never set. */
int store_preferences_get(struct store *s, int64_t user, struct preferences *out) WUR;
int store_preferences_put(struct store *s, int64_t user, const struct preferences *p) WUR;
/* The tracks a user chose in an episode, kept for its show: an audio language and a
 * subtitle language ("" for subtitles off). */
struct show_choice {
    char audio_language[16];
    char subtitle_language[16];
};
/* The choice for the show of file; ERR_NOT_FOUND when none was made, or file is no
 * episode. */
int store_show_choice_get(struct store *s, int64_t user, int64_t file, struct show_choice *out) WUR;
/* Keeps c for the show of file; ERR_NOT_FOUND when file is no episode. */
int store_show_choice_put(struct store *s, int64_t user, int64_t file, const struct show_choice *c,
                          int64_t now) WUR;

/* Background jobs (src/jobs/): one per kind ("prepare", …) and file. */
enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED };
struct job {
    int64_t id, file_id;
    char kind[16];
    enum job_state state;
    double progress; /* 0 to 1 */
    char error[1024];
    int attempts;
    int64_t queued_at, started_at, finished_at; /* ms; 0 for not yet */
};
const char *job_state_name(enum job_state s);
/* Queues kind for file_id: a new job, or a done or failed one again (its error cleared).
 * One queued or running already stays as it is. */
int store_job_queue(struct store *s, const char *kind, int64_t file_id, int64_t now) WUR;
/* Queues kind for every file on disk that probed well (an episode's, with episodes_only)
 * and has no such job since it was last probed (queued, running, or finished after): new
 * and changed files. *n: how many. */
int store_jobs_queue_missing(struct store *s, const char *kind, bool episodes_only, int64_t now,
                             int *n) WUR;
/* Every job (at most 1000): running, then queued, then the latest finished first. */
int store_jobs_list(struct store *s, struct job **out, size_t *n) WUR;
/* Takes the job queued first ("prepare" jobs, which people wait for, before the others),
 * marking it running: ERR_NOT_FOUND when none is queued. */
int store_job_claim(struct store *s, int64_t now, struct job *out) WUR;
int store_job_progress(struct store *s, int64_t id, double progress) WUR;
/* Ends a running job: done, or failed with error. */
int store_job_finish(struct store *s, int64_t id, const char *error, int64_t now) WUR;
int store_job_get(struct store *s, const char *kind, int64_t file_id, struct job *out) WUR;
int store_job_delete(struct store *s, const char *kind, int64_t file_id) WUR;
/* Queues again every job left running by a server that stopped or crashed; *n says how
 * many. */
int store_jobs_requeue(struct store *s, int *n) WUR;

/* Parts of a file a player can skip, found by comparing episodes (src/jobs/intro.c). */
struct media_segment {
    int64_t file_id;
    char kind[16];   /* "intro", "credits", "recap" */
    char source[16]; /* "fingerprint" */
    int64_t start_ms, end_ms;
    double confidence; /* 0 to 1 */
};
/* Sets file's segment of this kind and source. */
int store_segment_put(struct store *s, const struct media_segment *m) WUR;
/* file's segments, by start. */
int store_segments(struct store *s, int64_t file_id, struct media_segment **out, size_t *n) WUR;
/* The files of the episodes in the season of file's episode, in episode order (none for a
 * file that is not an episode's). */
int store_season_files(struct store *s, int64_t file_id, int64_t **out, size_t *n) WUR;

/* Prepared versions: HLS made once, kept in storage under key. */
struct prepared {
    int64_t file_id;
    char key[64];
    int64_t size;                      /* bytes in storage */
    int64_t source_size, source_mtime; /* the file's when it was made */
    int64_t generated_at, played_at;   /* ms */
};
int store_prepared_put(struct store *s, const struct prepared *p) WUR;
int store_prepared_get(struct store *s, int64_t file_id, struct prepared *out) WUR;
int store_prepared_delete(struct store *s, int64_t file_id) WUR;
int store_prepared_played(struct store *s, int64_t file_id, int64_t now) WUR;
/* Every prepared version, least recently played first; *out is malloc'd. */
int store_prepared_list(struct store *s, struct prepared **out, size_t *n) WUR;

/* Library folders and files, as a scan sees them. */
int store_folder_add(struct store *s, const char *path, int64_t *id) WUR;
/* The stored size and mtime of a file, so a scan can skip files that did not change. */
int store_file_state(struct store *s, const char *path, int64_t *id, int64_t *size, int64_t *mtime,
                     int *missing) WUR;
/* Records that scan saw an unchanged file. */
int store_file_seen(struct store *s, int64_t file_id, int64_t scan) WUR;
/* Saves a probed file, its streams and the item its name points at, in one transaction. */
int store_file_save(struct store *s, int64_t folder_id, const struct media_file *f,
                    const struct media_name *name, int64_t scan, int64_t *file_id) WUR;
/* Marks the folder's files that scan did not see as missing; returns how many in *count. */
int store_folder_sweep(struct store *s, int64_t folder_id, int64_t scan, int64_t *count) WUR;
/* The path of a file on disk, for direct play, answered from memory after the first time.
 * The caller frees *path. ERR_FILE_MISSING when a scan found it gone. */
int store_file_path(struct store *s, int64_t file_id, char **path) WUR;
/* A number that changes whenever a scan changes, adds or loses files: what was read of the
 * library before it may be stale. */
uint64_t store_generation(struct store *s);
/* Loads one file with its streams; release it with media_file_release(). */
int store_file_get(struct store *s, int64_t file_id, struct media_file *f) WUR;

/* Playback progress of one user in one file. */
struct store_progress {
    int64_t position_ms;
    bool watched;
    int64_t play_count;
    int64_t last_played_at;
    int64_t updated_at;
};

/*
 * Decides, inside the update's transaction, what an update does: it gets the stored
 * progress (zeros when there is none), the device's last sequence number (-1 when none)
 * and the file's probed duration, changes p, and returns whether to write it.
 */
typedef bool (*store_progress_fn)(struct store_progress *p, int64_t last_seq, int64_t duration_ms,
                                  void *arg);

/* One update from a device, in one short transaction. *written says whether fn wrote;
 * out holds the progress as stored afterwards. ERR_NOT_FOUND for an unknown file. */
int store_progress_update(struct store *s, int64_t user, int64_t file, const char *device,
                          int64_t seq, store_progress_fn fn, void *arg, struct store_progress *out,
                          int64_t *duration_ms, bool *written) WUR;
/* The progress (zeros when none) and duration; ERR_NOT_FOUND for an unknown file. */
int store_progress_get(struct store *s, int64_t user, int64_t file, struct store_progress *out,
                       int64_t *duration_ms) WUR;
/* Forgets the progress and the devices' sequence numbers. */
int store_progress_delete(struct store *s, int64_t user, int64_t file) WUR;

/* One file of the library tree, with a user's progress on it. */
struct library_file {
    int64_t id;
    char *name; /* the file name without its folder */
    char container[16];
    int64_t duration_ms, size, bitrate;
    char *error;                           /* why probing failed, or NULL */
    char video_codec[32], audio_codec[32]; /* the first video and the default audio; "" */
    int width, height;                     /* 0 without video */
    bool prepared;                         /* a prepared version was made (it may be stale) */
    struct store_progress p;
    struct media_stream *streams; /* only for store_library_item() */
    size_t nstreams;
    struct media_chapter *chapters; /* only for store_library_item() */
    size_t nchapters;
};

/* An item of the library: a movie, or a show with its seasons with their episodes. */
struct library_item {
    int64_t id;
    char kind[12];     /* "movie", "show", "season", "episode" */
    int64_t parent_id; /* 0 at the top */
    char *title;
    int year;                         /* 0 when unknown */
    int season, episode, episode_end; /* -1 when unknown */
    struct library_item **children;   /* in order: seasons, then episodes */
    size_t nchildren;
    struct library_file *files;
    size_t nfiles;
    /* Left for the progress rules to fill (progress_summarize()). */
    bool watched;
    int64_t unwatched;
};

struct library {
    struct library_item **items; /* the top items, movies and shows */
    size_t n;
};

/* The library with only items that have a file still on disk beneath them, and user's
 * progress on every file. Free it with library_release(). */
int store_library(struct store *s, int64_t user, struct library *out) WUR;
/* One item with its children, files and every stream; free it with library_item_free(). */
int store_library_item(struct store *s, int64_t user, int64_t item_id,
                       struct library_item **out) WUR;
void library_release(struct library *l);
/* Accepts NULL. */
void library_item_free(struct library_item *it);

/* A progress row with what continue-watching needs to know about its file. */
struct store_recent {
    int64_t file_id, item_id, show_id; /* show_id is 0 for a movie */
    char title[256], show_title[256];
    int season, episode;
    int64_t duration_ms;
    struct store_progress p;
};
/* user's progress rows on files still on disk, most recent first; *out is malloc'd. */
int store_progress_recent(struct store *s, int64_t user, size_t limit, struct store_recent **out,
                          size_t *n) WUR;
/* The episodes of a show in order, one file each, with user's progress. */
int store_show_episodes(struct store *s, int64_t user, int64_t show_id, struct store_recent **out,
                        size_t *n) WUR;
