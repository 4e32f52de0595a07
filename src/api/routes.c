#include "api/handlers.h"

const struct http_route api_routes[] = {
    {"POST", "/api/v1/auth/login", api_login, HTTP_PUBLIC},
    {"POST", "/api/v1/auth/logout", api_logout, HTTP_USER},
    {"GET", "/api/v1/auth/me", api_me, HTTP_USER},
    {"GET", "/api/v1/users", api_users_list, HTTP_ADMIN},
    {"POST", "/api/v1/users", api_users_create, HTTP_ADMIN},
    {"GET", "/api/v1/library/items", api_items_list, HTTP_USER},
    {"GET", "/api/v1/library/items/:id", api_item_get, HTTP_USER},
    {"GET", "/api/v1/library/scan", api_scan_status, HTTP_USER},
    {"POST", "/api/v1/library/scan", api_scan_start, HTTP_ADMIN},
    {"GET", "/api/v1/playback/:id", api_playback, HTTP_USER},
    {"POST", "/api/v1/playback/:id", api_playback, HTTP_USER},
    {"GET", "/api/v1/stream/:id", api_stream, HTTP_USER},
};

const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
