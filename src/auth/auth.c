#include "auth/auth.h"
#include "auth/link.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* Failures allowed before the brake, for one username from one address and for one
 * username from anywhere; then each failure doubles the wait, up to the cap. */
enum { PAIR_FREE = 3, USER_FREE = 10, MAX_WAIT_S = 300, FORGET_AFTER_S = 900 };
/* The ceiling for the whole server: past this many failures in a window, every attempt
 * waits out the window, so no spread of addresses and names keeps the CPU hashing. */
enum { GLOBAL_MAX = 100, GLOBAL_WINDOW_MS = 10000 };

/* Checked tokens are remembered for a while, so that a stream of range requests does not
 * ask the database each time. Logging out here forgets at once; a token revoked some other
 * way (another node, an expiry) stops working within CACHE_MS. */
enum { CACHE_MS = 30000, CACHE_MAX = 10000 };

struct cached_token {
    uint8_t hash[32];
    struct user user;
    int64_t until_ms;
    UT_hash_handle hh;
};

struct failure {
    char key[200]; /* "u:<username>" or "p:<address> <username>" */
    int free;      /* failures allowed before the brake */
    int count;
    int64_t until_ms; /* no attempt is checked before this */
    int64_t last_ms;
    UT_hash_handle hh;
};

struct auth {
    struct store *store;
    int64_t ttl_ms;
    pthread_mutex_t lock;
    struct failure *failures;
    int64_t window_start_ms; /* the global ceiling's window, and the failures in it */
    int window_failures;
    pthread_rwlock_t cache_lock;
    struct cached_token *cache;
    /* Checked against when a username is unknown, so that such a failure takes as long as
     * a wrong password and does not tell which names exist. */
    char dummy_hash[crypto_pwhash_STRBYTES];
    /* The link keys as the store has them, under link_lock; re-read when a link names one
     * not here. */
    pthread_mutex_t link_lock;
    struct link_key *keys;
    size_t nkeys;
};

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES])
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -ENOMEM;
    return 0;
}

/* Called with cache_lock held for writing, or when nothing else runs. */
static void cache_clear(struct auth *a)
{
    struct cached_token *c, *tmp;
    HASH_ITER(hh, a->cache, c, tmp)
    {
        HASH_DEL(a->cache, c);
        free(c);
    }
}

int auth_new(struct auth **out, struct store *store, int64_t ttl_s)
{
    if (sodium_init() < 0)
        return ERR_INTERNAL;
    struct auth *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->store = store;
    a->ttl_ms = ttl_s * 1000;
    pthread_mutex_init(&a->lock, NULL);
    pthread_rwlock_init(&a->cache_lock, NULL);
    pthread_mutex_init(&a->link_lock, NULL);
    char random[33];
    randombytes_buf(random, 32);
    random[32] = '\0';
    int rc = hash_password(random, a->dummy_hash);
    if (rc < 0) {
        auth_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

void auth_free(struct auth *a)
{
    if (!a)
        return;
    struct failure *f, *tmp;
    HASH_ITER(hh, a->failures, f, tmp)
    {
        HASH_DEL(a->failures, f);
        free(f);
    }
    cache_clear(a);
    pthread_rwlock_destroy(&a->cache_lock);
    sodium_memzero(a->keys, a->nkeys * sizeof(*a->keys));
    free(a->keys);
    pthread_mutex_destroy(&a->link_lock);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

int auth_user_create(struct auth *a, const char *username, const char *password, enum role role,
                     int64_t *id)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = hash_password(password, hash);
    if (rc < 0)
        return rc;
    return store_user_create(a->store, username, hash, role, id);
}

/* Seconds to wait before key may try again, or 0. Called with the lock held. */
static int wait_for(struct auth *a, const char *key, int64_t now)
{
    struct failure *f;
    HASH_FIND_STR(a->failures, key, f);
    if (!f || f->until_ms <= now)
        return 0;
    return (int)((f->until_ms - now + 999) / 1000);
}

static void record_failure(struct auth *a, const char *key, int allowed, int64_t now)
{
    struct failure *f;
    HASH_FIND_STR(a->failures, key, f);
    if (!f) {
        f = calloc(1, sizeof(*f));
        if (!f)
            return;
        snprintf(f->key, sizeof(f->key), "%s", key);
        f->free = allowed;
        HASH_ADD_STR(a->failures, key, f);
    }
    f->count++;
    f->last_ms = now;
    if (f->count >= f->free) {
        int shift = f->count - f->free;
        int64_t wait = shift >= 9 ? MAX_WAIT_S : (int64_t)1 << shift;
        f->until_ms = now + (wait > MAX_WAIT_S ? MAX_WAIT_S : wait) * 1000;
    }
}

static void forget(struct auth *a, const char *key)
{
    struct failure *f;
    HASH_FIND_STR(a->failures, key, f);
    if (f) {
        HASH_DEL(a->failures, f);
        free(f);
    }
}

/* Drops records nobody has failed with for a while, so the table stays small. */
static void prune(struct auth *a, int64_t now)
{
    struct failure *f, *tmp;
    HASH_ITER(hh, a->failures, f, tmp)
    {
        if (now - f->last_ms > FORGET_AFTER_S * 1000 && f->until_ms <= now) {
            HASH_DEL(a->failures, f);
            free(f);
        }
    }
}

static void token_hash(const uint8_t raw[32], uint8_t out[32])
{
    crypto_generichash(out, 32, raw, 32, NULL, 0);
}

int auth_login(struct auth *a, const char *username, const char *password, const char *addr,
               char token[AUTH_TOKEN_HEX + 1], struct user *u, int *retry_after)
{
    /* Keyed by username and address together, so that one client's guesses slow only
     * that name from there, not everyone behind the same address (a proxy, a household);
     * and by username alone, with more room, against guesses from many addresses. */
    char ukey[200], pkey[200];
    snprintf(ukey, sizeof(ukey), "u:%.150s", username);
    snprintf(pkey, sizeof(pkey), "p:%.46s %.150s", addr, username);
    int64_t now = clock_mono_ms();

    pthread_mutex_lock(&a->lock);
    prune(a, now);
    if (now - a->window_start_ms >= GLOBAL_WINDOW_MS) {
        a->window_start_ms = now;
        a->window_failures = 0;
    }
    int wg = a->window_failures >= GLOBAL_MAX
                 ? (int)((a->window_start_ms + GLOBAL_WINDOW_MS - now + 999) / 1000)
                 : 0;
    int wu = wait_for(a, ukey, now), wp = wait_for(a, pkey, now);
    pthread_mutex_unlock(&a->lock);
    int wait = wg > wu ? wg : wu;
    wait = wp > wait ? wp : wait;
    if (wait) {
        *retry_after = wait;
        return ERR_THROTTLED;
    }

    char hash[crypto_pwhash_STRBYTES];
    int rc = store_user_find(a->store, username, u, hash, sizeof(hash));
    if (rc == ERR_NOT_FOUND) {
        /* The answer is "wrong" either way; only the time it takes matters. */
        rc = ERR_BAD_CREDENTIALS;
        if (crypto_pwhash_str_verify(a->dummy_hash, password, strlen(password)) == 0)
            LOG(L_ERROR, "auth", "a password matched the random dummy hash");
    } else if (rc == 0 && crypto_pwhash_str_verify(hash, password, strlen(password)) != 0) {
        rc = ERR_BAD_CREDENTIALS;
    }

    pthread_mutex_lock(&a->lock);
    if (rc == ERR_BAD_CREDENTIALS) {
        record_failure(a, ukey, USER_FREE, now);
        record_failure(a, pkey, PAIR_FREE, now);
        a->window_failures++;
    } else if (rc == 0) {
        /* A success clears its own name's records only: signing in to one's own account
         * between guesses at another's resets nothing for that one. */
        forget(a, ukey);
        forget(a, pkey);
    }
    pthread_mutex_unlock(&a->lock);
    if (rc < 0) {
        if (rc == ERR_BAD_CREDENTIALS)
            LOG(L_WARN, "auth", "failed sign-in for '%s' from %s", username, addr);
        return rc;
    }

    uint8_t raw[32], stored[32];
    randombytes_buf(raw, sizeof(raw));
    token_hash(raw, stored);
    rc = store_token_put(a->store, stored, u->id, clock_wall_ms() + a->ttl_ms);
    if (rc < 0)
        return rc;
    sodium_bin2hex(token, AUTH_TOKEN_HEX + 1, raw, sizeof(raw));
    return 0;
}

static int parse_token(const char *token, uint8_t stored[32])
{
    uint8_t raw[32];
    size_t len = 0;
    if (!token || strlen(token) != AUTH_TOKEN_HEX ||
        sodium_hex2bin(raw, sizeof(raw), token, AUTH_TOKEN_HEX, NULL, &len, NULL) != 0 ||
        len != sizeof(raw))
        return ERR_UNAUTHORIZED;
    token_hash(raw, stored);
    return 0;
}

int auth_check(struct auth *a, const char *token, struct user *u)
{
    uint8_t stored[32];
    int rc = parse_token(token, stored);
    if (rc < 0)
        return rc;
    int64_t now = clock_mono_ms();
    struct cached_token *c;
    pthread_rwlock_rdlock(&a->cache_lock);
    HASH_FIND(hh, a->cache, stored, sizeof(stored), c);
    bool hit = c && c->until_ms > now;
    if (hit)
        *u = c->user;
    pthread_rwlock_unlock(&a->cache_lock);
    if (hit)
        return 0;

    rc = store_token_user(a->store, stored, clock_wall_ms(), u);
    if (rc < 0)
        return rc == ERR_NOT_FOUND ? ERR_UNAUTHORIZED : rc;
    pthread_rwlock_wrlock(&a->cache_lock);
    HASH_FIND(hh, a->cache, stored, sizeof(stored), c);
    if (!c) {
        if (HASH_COUNT(a->cache) >= CACHE_MAX)
            cache_clear(a);
        c = calloc(1, sizeof(*c));
        if (c) {
            memcpy(c->hash, stored, sizeof(stored));
            HASH_ADD(hh, a->cache, hash, sizeof(c->hash), c);
        }
    }
    if (c) {
        c->user = *u;
        c->until_ms = now + CACHE_MS;
    }
    pthread_rwlock_unlock(&a->cache_lock);
    return 0;
}

int auth_logout(struct auth *a, const char *token)
{
    uint8_t stored[32];
    int rc = parse_token(token, stored);
    if (rc < 0)
        return rc;
    pthread_rwlock_wrlock(&a->cache_lock);
    struct cached_token *c;
    HASH_FIND(hh, a->cache, stored, sizeof(stored), c);
    if (c) {
        HASH_DEL(a->cache, c);
        free(c);
    }
    pthread_rwlock_unlock(&a->cache_lock);
    return store_token_delete(a->store, stored);
}

int auth_sign_out_everywhere(struct auth *a, int64_t user_id)
{
    int rc = store_user_sign_out(a->store, user_id);
    pthread_rwlock_wrlock(&a->cache_lock);
    cache_clear(a);
    pthread_rwlock_unlock(&a->cache_lock);
    return rc;
}

/* A new key signs once the newest is this old; a key is forgotten this long after the
 * last link it signed expired (until then, such a link is told it expired, not that it is
 * forged). */
#define KEY_ROTATE_MS (7 * 86400 * 1000LL)
#define KEY_KEEP_MS (30 * 86400 * 1000LL)

/* Called with link_lock held. */
static int reload_keys(struct auth *a)
{
    struct link_key *keys;
    size_t n;
    int rc = store_link_keys(a->store, &keys, &n);
    if (rc < 0)
        return rc;
    sodium_memzero(a->keys, a->nkeys * sizeof(*a->keys));
    free(a->keys);
    a->keys = keys;
    a->nkeys = n;
    return 0;
}

/* The key that signs now, made when there is none or the newest is old; link_lock held. */
static int signing_key(struct auth *a, int64_t now, struct link_key *out)
{
    int rc = a->nkeys ? 0 : reload_keys(a);
    if (rc == 0 && (!a->nkeys || now - a->keys[a->nkeys - 1].created_at > KEY_ROTATE_MS)) {
        uint8_t secret[LINK_KEY_BYTES];
        randombytes_buf(secret, sizeof(secret));
        int64_t id;
        rc = store_link_key_add(a->store, secret, now, &id);
        sodium_memzero(secret, sizeof(secret));
        if (rc == 0)
            rc = store_link_keys_prune(a->store, now - KEY_KEEP_MS);
        if (rc == 0)
            rc = reload_keys(a);
        if (rc == 0)
            LOG(L_INFO, "auth", "link key %lld now signs links", (long long)id);
    }
    if (rc == 0 && !a->nkeys)
        rc = ERR_INTERNAL;
    if (rc == 0)
        *out = a->keys[a->nkeys - 1];
    return rc;
}

int auth_link_sign(struct auth *a, int64_t user_id, int64_t file_id, int64_t expires_s,
                   char token[LINK_TOKEN_MAX])
{
    int64_t epoch;
    int rc = store_link_epoch(a->store, user_id, &epoch);
    if (rc < 0)
        return rc;
    struct link_key key;
    pthread_mutex_lock(&a->link_lock);
    rc = signing_key(a, clock_wall_ms(), &key);
    pthread_mutex_unlock(&a->link_lock);
    if (rc == 0)
        rc = store_link_key_extend(a->store, key.id, expires_s * 1000);
    if (rc == 0) {
        struct link l = {
            .key_id = key.id, .user = user_id, .file = file_id, .expires_s = expires_s};
        link_mac(key.secret, &l, epoch, l.mac);
        link_format(&l, token);
    }
    sodium_memzero(&key, sizeof(key));
    return rc;
}

/* The secret of key id, re-reading the keys once if it is not known; link_lock held. */
static bool find_key(struct auth *a, int64_t id, uint8_t secret[LINK_KEY_BYTES])
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < a->nkeys; i++) {
            if (a->keys[i].id == id) {
                memcpy(secret, a->keys[i].secret, LINK_KEY_BYTES);
                return true;
            }
        }
        if (pass == 0 && reload_keys(a) < 0)
            return false;
    }
    return false;
}

int auth_link_check(struct auth *a, const char *token, size_t len, int64_t *user_id,
                    int64_t *file_id)
{
    struct link l;
    int64_t epoch;
    uint8_t secret[LINK_KEY_BYTES], mac[LINK_MAC_BYTES];
    if (link_parse(token, len, &l) < 0 || store_link_epoch(a->store, l.user, &epoch) < 0)
        return ERR_BAD_LINK;
    pthread_mutex_lock(&a->link_lock);
    bool known = find_key(a, l.key_id, secret);
    pthread_mutex_unlock(&a->link_lock);
    if (!known)
        return ERR_BAD_LINK;
    link_mac(secret, &l, epoch, mac);
    sodium_memzero(secret, sizeof(secret));
    if (!link_mac_equal(mac, l.mac))
        return ERR_BAD_LINK;
    if (l.expires_s * 1000 <= clock_wall_ms())
        return ERR_LINK_EXPIRED;
    *user_id = l.user;
    *file_id = l.file;
    return 0;
}
