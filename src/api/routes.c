#include "api/handlers.h"

const struct http_route api_routes[] = {
    {"POST", "/api/v1/auth/login", api_login, HTTP_PUBLIC},
    {"POST", "/api/v1/auth/logout", api_logout, HTTP_USER},
    {"GET", "/api/v1/auth/me", api_me, HTTP_USER},
    {"GET", "/api/v1/users", api_users_list, HTTP_ADMIN},
    {"POST", "/api/v1/users", api_users_create, HTTP_ADMIN},
    {"GET", "/api/v1/library/items", api_items_list, HTTP_USER},
    {"GET", "/api/v1/library/items/:id", api_item_get, HTTP_USER},
    {"GET", "/api/v1/library/files/:id/poster", api_poster, HTTP_USER},
    {"GET", "/api/v1/library/scan", api_scan_status, HTTP_USER},
    {"POST", "/api/v1/library/scan", api_scan_start, HTTP_ADMIN},
    {"GET", "/api/v1/playback/:id", api_playback, HTTP_USER},
    {"POST", "/api/v1/playback/:id", api_playback, HTTP_USER},
    {"GET", "/api/v1/stream/:id", api_stream, HTTP_USER},
    {"POST", "/api/v1/hls/preload/:id", api_hls_preload, HTTP_USER},
    {"GET", "/api/v1/hls/:session", api_hls_state, HTTP_USER},
    {"DELETE", "/api/v1/hls/:session", api_hls_end, HTTP_USER},
    {"POST", "/api/v1/hls/:session/heartbeat", api_hls_heartbeat, HTTP_USER},
    {"GET", "/api/v1/hls/:session/master.m3u8", api_hls_master, HTTP_USER},
    {"GET", "/api/v1/hls/:session/:rendition/index.m3u8", api_hls_media, HTTP_USER},
    {"GET", "/api/v1/hls/:session/:rendition/:file", api_hls_segment, HTTP_USER},
    {"GET", "/api/v1/progress", api_progress_list, HTTP_USER},
    {"PUT", "/api/v1/progress/:id", api_progress_put, HTTP_USER},
    /* navigator.sendBeacon can only POST. */
    {"POST", "/api/v1/progress/:id", api_progress_put, HTTP_USER},
    {"GET", "/api/v1/progress/:id", api_progress_get, HTTP_USER},
    {"DELETE", "/api/v1/progress/:id", api_progress_delete, HTTP_USER},
    {"POST", "/api/v1/progress/:id/watched", api_progress_watched, HTTP_USER},
    {"POST", "/api/v1/progress/:id/unwatched", api_progress_unwatched, HTTP_USER},
    {"GET", "/api/v1/events", api_events, HTTP_USER},
    {"POST", "/api/v1/links/:id", api_link_create, HTTP_USER},
    /* Signed links let these in by the token in their path (api/links.c). */
    {"GET", "/s/:link/:id/stream", api_link_stream, HTTP_PUBLIC},
    {"GET", "/s/:link/hls/:session/master.m3u8", api_link_master, HTTP_PUBLIC},
    {"GET", "/s/:link/hls/:session/:rendition/index.m3u8", api_link_media, HTTP_PUBLIC},
    {"GET", "/s/:link/hls/:session/:rendition/:file", api_link_segment, HTTP_PUBLIC},
    /* Public to loopback; elsewhere it needs an administrator (see api/metrics.c). */
    {"GET", "/metrics", api_metrics, HTTP_PUBLIC},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
