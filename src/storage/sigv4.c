#include "storage/sigv4.h"
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void sigv4_signature(const struct sigv4_key *k, const char *amz_date, const char *canonical,
                     char out[SIGV4_HEX + 1])
{
    char day[9], scope[128], sts[256];
    snprintf(day, sizeof(day), "%.8s", amz_date);
    snprintf(scope, sizeof(scope), "%s/%s/s3/aws4_request", day, k->region);
    unsigned char h[32], key[32];
    crypto_hash_sha256(h, (const unsigned char *)canonical, strlen(canonical));
    char hh[65];
    hex(h, 32, hh);
    snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hh);

    /* The signing key: the secret, then the day, region, service and "aws4_request". */
    char first[256];
    int n = snprintf(first, sizeof(first), "AWS4%s", k->secret_key);
    hmac(first, n < (int)sizeof(first) ? (size_t)n : sizeof(first) - 1, day, key);
    hmac(key, 32, k->region, key);
    hmac(key, 32, "s3", key);
    hmac(key, 32, "aws4_request", key);
    hmac(key, 32, sts, h);
    hex(h, 32, out);
    sodium_memzero(first, sizeof(first));
    sodium_memzero(key, sizeof(key));
}

int sigv4_encode(const char *s, int slash, char *out, size_t size)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t o = strlen(out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || strchr("-_.~", *p) || (slash && *p == '/');
        if (o + (plain ? 1 : 3) >= size) {
            out[0] = '\0';
            return -ENOSPC;
        }
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = digits[*p >> 4];
            out[o++] = digits[*p & 15];
        }
    }
    out[o] = '\0';
    return 0;
}

int sigv4_presign(const struct sigv4_key *k, const char *origin, const char *host, const char *path,
                  time_t now, long expires, char *out, size_t size)
{
    if (expires < 1 || expires > 604800)
        return -EINVAL;
    struct tm tm;
    gmtime_r(&now, &tm);
    char date[17], cred[256] = "", query[768];
    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
    char scope[200];
    snprintf(scope, sizeof(scope), "%s/%.8s/%s/s3/aws4_request", k->access_key, date, k->region);
    if (sigv4_encode(scope, 0, cred, sizeof(cred)) < 0)
        return -ENOSPC;
    /* The parameters in byte order, as the canonical query string wants them. */
    int n = snprintf(query, sizeof(query),
                     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s&X-Amz-Date=%s"
                     "&X-Amz-Expires=%ld&X-Amz-SignedHeaders=host",
                     cred, date, expires);
    if (n < 0 || n >= (int)sizeof(query))
        return -ENOSPC;
    size_t clen = strlen(path) + strlen(query) + strlen(host) + 64;
    char *canonical = malloc(clen);
    if (!canonical)
        return -ENOMEM;
    snprintf(canonical, clen, "GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD", path, query, host);
    char sig[SIGV4_HEX + 1];
    sigv4_signature(k, date, canonical, sig);
    free(canonical);
    n = snprintf(out, size, "%s%s?%s&X-Amz-Signature=%s", origin, path, query, sig);
    return n >= 0 && n < (int)size ? 0 : -ENOSPC;
}
