/*
 * ngx_http_mtw_cache.c - the optional per-worker micro-cache (mtw_cache).
 *
 * Stored documents (answered verbatim) are kept for up to mtw_cache
 * milliseconds in the worker's memory, so a burst of requests for the same
 * document costs one Redis round trip.  They are never stale: every
 * publish is announced on mtw:published, and the subscription
 * (ngx_http_mtw_redis.c) drops the whole cache on each announcement
 * (ngx_http_mtw_cache_free) and while it is not subscribed; a reply read
 * before a drop is not stored after it (the generation).  Off by default.
 * The cache is direct-mapped and bounded: 256 slots, documents up to
 * 256 KB, a colliding key replaces the slot.
 */

#include "ngx_http_mtw_module.h"


#define NGX_HTTP_MTW_CACHE_SLOTS  256
#define NGX_HTTP_MTW_CACHE_MAX    (256 * 1024)


typedef struct {
    uint32_t                   hash;
    ngx_msec_t                 stored;
    u_char                    *data;        /* key, body, etag */
    size_t                     key_len;
    size_t                     body_len;
    size_t                     etag_len;
} ngx_http_mtw_cache_slot_t;


/* per worker process */
static ngx_http_mtw_cache_slot_t  ngx_http_mtw_cache[NGX_HTTP_MTW_CACHE_SLOTS];

/* bumped by every drop: a reply read before it is not stored after it */
static ngx_uint_t  ngx_http_mtw_cache_gen;


ngx_uint_t
ngx_http_mtw_cache_generation(void)
{
    return ngx_http_mtw_cache_gen;
}


/* A fresh copy of key's document in the pool, or NGX_DECLINED. */
ngx_int_t
ngx_http_mtw_cache_get(ngx_pool_t *pool, ngx_str_t *key, ngx_msec_t ttl,
    ngx_str_t *body, ngx_str_t *etag)
{
    uint32_t                    hash;
    ngx_http_mtw_cache_slot_t  *s;

    hash = ngx_crc32_short(key->data, key->len);
    s = &ngx_http_mtw_cache[hash % NGX_HTTP_MTW_CACHE_SLOTS];

    if (s->data == NULL || s->hash != hash || s->key_len != key->len
        || ngx_memcmp(s->data, key->data, key->len) != 0
        || ngx_current_msec - s->stored >= ttl)
    {
        return NGX_DECLINED;
    }

    /* a copy: the slot may be replaced while the answer is being sent */
    body->len = s->body_len;
    etag->len = s->etag_len;
    body->data = ngx_pnalloc(pool, s->body_len + s->etag_len);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(body->data, s->data + s->key_len, s->body_len + s->etag_len);
    etag->data = body->data + s->body_len;

    return NGX_OK;
}


void
ngx_http_mtw_cache_put(ngx_str_t *key, ngx_str_t *body, ngx_str_t *etag,
    ngx_uint_t gen, ngx_log_t *log)
{
    u_char                     *p;
    size_t                      len;
    uint32_t                    hash;
    ngx_http_mtw_cache_slot_t  *s;

    if (body->len > NGX_HTTP_MTW_CACHE_MAX || gen != ngx_http_mtw_cache_gen) {
        return;
    }

    hash = ngx_crc32_short(key->data, key->len);
    s = &ngx_http_mtw_cache[hash % NGX_HTTP_MTW_CACHE_SLOTS];
    len = key->len + body->len + etag->len;

    if (s->data != NULL) {
        ngx_free(s->data);
        s->data = NULL;
    }

    p = ngx_alloc(len ? len : 1, log);
    if (p == NULL) {
        return;
    }

    s->data = p;
    p = ngx_cpymem(p, key->data, key->len);

    /* a document may come without an ETag (or a body): its data pointer
     * may then be NULL, which memcpy() must not be given even for 0 bytes */
    if (body->len) {
        p = ngx_cpymem(p, body->data, body->len);
    }

    if (etag->len) {
        ngx_memcpy(p, etag->data, etag->len);
    }

    s->hash = hash;
    s->key_len = key->len;
    s->body_len = body->len;
    s->etag_len = etag->len;
    s->stored = ngx_current_msec;
}


void
ngx_http_mtw_cache_free(void)
{
    ngx_uint_t  i;

    ngx_http_mtw_cache_gen++;

    for (i = 0; i < NGX_HTTP_MTW_CACHE_SLOTS; i++) {
        if (ngx_http_mtw_cache[i].data != NULL) {
            ngx_free(ngx_http_mtw_cache[i].data);
            ngx_http_mtw_cache[i].data = NULL;
        }
    }
}
