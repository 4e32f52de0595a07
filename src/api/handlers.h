#pragma once
#include "api/api.h"
#include "library/trickplay.h"
#include "progress/progress.h"
#include <stdatomic.h>

/* The handlers, one file per resource; api/routes.c maps them to paths. */
struct http_reply api_login(struct http_request *req);
struct http_reply api_logout(struct http_request *req);
struct http_reply api_me(struct http_request *req);
struct http_reply api_users_list(struct http_request *req);
struct http_reply api_users_create(struct http_request *req);
struct http_reply api_items_list(struct http_request *req);
struct http_reply api_item_get(struct http_request *req);
struct http_reply api_scan_status(struct http_request *req);
struct http_reply api_scan_start(struct http_request *req);
struct http_reply api_poster(struct http_request *req);
struct http_reply api_subtitle(struct http_request *req);
struct http_reply api_trickplay(struct http_request *req);
struct http_reply api_tasks(struct http_request *req);
struct http_reply api_segments(struct http_request *req);
/* f's skippable parts, as GET /api/v1/files/:id/segments lists them. */
json_t *api_segments_json(struct app *app, const struct media_file *f);
/* A session's subtitle renditions (api/hls_subs.c): whether a rendition name is one
 * ("sub<index>"), the master playlist with them, their playlists and segments. */
bool api_hls_subs_name(struct str rendition, int *index);
int api_hls_add_subs(struct http_request *req, const char *id, const char *prefix, char **text,
                     size_t *len) WUR;
struct http_reply api_hls_subs_media(struct http_request *req, const char *id, int index);
struct http_reply api_hls_subs_segment(struct http_request *req, const char *id, int index);
struct http_reply api_preferences_get(struct http_request *req);
struct http_reply api_preferences_put(struct http_request *req);
struct http_reply api_show_choice_put(struct http_request *req);
struct http_reply api_playback(struct http_request *req);
struct http_reply api_stream(struct http_request *req);
struct http_reply api_hls_preload(struct http_request *req);
struct http_reply api_hls_master(struct http_request *req);
struct http_reply api_hls_media(struct http_request *req);
struct http_reply api_hls_segment(struct http_request *req);
struct http_reply api_hls_state(struct http_request *req);
struct http_reply api_hls_end(struct http_request *req);
struct http_reply api_hls_heartbeat(struct http_request *req);
struct http_reply api_metrics(struct http_request *req);
struct http_reply api_prepared_start(struct http_request *req);
struct http_reply api_prepared_items(struct http_request *req);
struct http_reply api_prepared_get(struct http_request *req);
struct http_reply api_prepared_delete(struct http_request *req);
struct http_reply api_prepared_master(struct http_request *req);
struct http_reply api_prepared_object(struct http_request *req);
struct http_reply api_link_prepared_master(struct http_request *req);
struct http_reply api_link_prepared_object(struct http_request *req);
struct http_reply api_link_subtitle(struct http_request *req);
struct http_reply api_link_trickplay(struct http_request *req);
struct http_reply api_link_create(struct http_request *req);
struct http_reply api_link_stream(struct http_request *req);
struct http_reply api_link_master(struct http_request *req);
struct http_reply api_link_media(struct http_request *req);
struct http_reply api_link_segment(struct http_request *req);
struct http_reply api_progress_put(struct http_request *req);
struct http_reply api_progress_get(struct http_request *req);
struct http_reply api_progress_delete(struct http_request *req);
struct http_reply api_progress_watched(struct http_request *req);
struct http_reply api_progress_unwatched(struct http_request *req);
struct http_reply api_progress_list(struct http_request *req);
struct http_reply api_events(struct http_request *req);

/* Runs fn(job) on the app's workers with the request parked, and calls its handler again
 * once done (req->resumed set, the job in req->state; release frees it when the request
 * ends). While the server stops the job never runs, and the handler is called again at
 * once: a job tells that by what it holds (its result still "unavailable"). */
struct http_reply api_offload(struct http_request *req, void (*fn)(void *job), void *job,
                              void (*release)(void *job));

/* The unified endpoint's direct-play decisions (api/decisions.c): the file's path for a
 * key of user, file and query, or NULL (the caller frees it). */
char *api_decision_lookup(struct app *app, const char *key);
void api_decision_remember(struct app *app, const char *key, const char *path);

/* Bytes sent by direct play, for /metrics. */
extern atomic_uint_fast64_t api_direct_bytes;

/* JSON views shared by several handlers. */
json_t *api_progress_json(const struct progress_view *v);
json_t *api_stream_json(const struct media_stream *m);
/* The scrubbing previews of f, and their folder: ERR_NOT_FOUND while they are not made. */
int api_trickplay_find(const struct app *app, const struct media_file *f, char *folder, size_t size,
                       struct trickplay *t) WUR;
/* f's scrubbing previews for the decision: {url, playlist, interval, width, height, columns,
 * rows}, or null while they are not made. */
json_t *api_trickplay_json(const struct app *app, const struct media_file *f, const char *base);
/* Chapters as [{start, end, title}], in seconds. */
json_t *api_chapters_json(const struct media_chapter *c, size_t n);

/* A string member of a JSON body, or NULL when it is absent or not a string. */
const char *api_json_string(json_t *body, const char *key);

/* What the request's URLs start with: "/api/v1", or a signed link's "/s/<token>". */
const char *api_base(const struct http_request *req);

/* The file the route's first parameter names: ERR_NOT_FOUND when it is not in the
 * library. */
int api_file_id(struct http_request *req, int64_t *file) WUR;
/* A prepared version's status as JSON. */
json_t *api_prepared_json(const struct prepared_view *v);
/* 0 when file has a prepared version ready to play, else ERR_NOT_FOUND (or an error). */
int api_prepared_ready(struct app *app, int64_t file);
