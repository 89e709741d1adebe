/*
 * ngx_http_mtw_parse.c - what clients and Redis send, checked and parsed:
 * ids, city slugs, client addresses, numbers, the vote body, and Redis
 * replies copied into a pool.
 *
 * Pure: no request, no I/O, nothing of nginx beyond the pool, so the fuzz
 * targets in fuzz/ link this file alone.  Nothing a client sends reaches a
 * Redis key before one of these checks passed.
 */

#include "ngx_http_mtw_module.h"


#define NGX_HTTP_MTW_MAX_INT_LEN     9    /* fits ngx_int_t everywhere */
#define NGX_HTTP_MTW_MAX_DOUBLE_LEN  24


static void ngx_http_mtw_json_cleanup(void *data);
static ngx_int_t ngx_http_mtw_vote_value(json_t *jv, ngx_str_t *vote);


/*
 * GTFS ids as the Redis contract allows them: [A-Za-z0-9._~-]{1,64}.  No
 * colon: it separates the parts of Redis keys and document names, and an
 * id ending in ":live" would name another document with another cache
 * policy.
 */
ngx_int_t
ngx_http_mtw_valid_id(ngx_str_t *id)
{
    u_char      ch;
    ngx_uint_t  i;

    if (id->len == 0 || id->len > NGX_HTTP_MTW_MAX_ID) {
        return NGX_DECLINED;
    }

    for (i = 0; i < id->len; i++) {
        ch = id->data[i];

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
            || (ch >= '0' && ch <= '9')
            || ch == '.' || ch == '_' || ch == '~' || ch == '-')
        {
            continue;
        }

        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* A client address as nginx prints it (IPv4 or IPv6 text), for a key part:
 * 1-64 of [0-9A-Fa-f.:] */
ngx_int_t
ngx_http_mtw_valid_addr(ngx_str_t *addr)
{
    u_char      ch;
    ngx_uint_t  i;

    if (addr->len == 0 || addr->len > NGX_HTTP_MTW_MAX_ID) {
        return NGX_DECLINED;
    }

    for (i = 0; i < addr->len; i++) {
        ch = addr->data[i];

        if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')
            || (ch >= 'A' && ch <= 'F') || ch == '.' || ch == ':')
        {
            continue;
        }

        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* city slugs: [a-z0-9-]{1,32} */
ngx_int_t
ngx_http_mtw_valid_city(ngx_str_t *city)
{
    u_char      ch;
    ngx_uint_t  i;

    if (city->len == 0 || city->len > NGX_HTTP_MTW_MAX_CITY) {
        return NGX_DECLINED;
    }

    for (i = 0; i < city->len; i++) {
        ch = city->data[i];

        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
            || ch == '-')
        {
            continue;
        }

        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* A decimal integer of 1-9 digits (no sign) in [min, max]. */
ngx_int_t
ngx_http_mtw_parse_int(ngx_str_t *v, ngx_int_t min, ngx_int_t max,
    ngx_int_t *out)
{
    ngx_int_t   n;
    ngx_uint_t  i;

    if (v->len == 0 || v->len > NGX_HTTP_MTW_MAX_INT_LEN) {
        return NGX_DECLINED;
    }

    n = 0;

    for (i = 0; i < v->len; i++) {
        if (v->data[i] < '0' || v->data[i] > '9') {
            return NGX_DECLINED;
        }

        n = n * 10 + (v->data[i] - '0');
    }

    if (n < min || n > max) {
        return NGX_DECLINED;
    }

    *out = n;

    return NGX_OK;
}


/*
 * A decimal number (digits and dots, an optional leading sign, at most 24
 * characters: no exponent, no "inf", no "nan") in [min, max].
 */
ngx_int_t
ngx_http_mtw_parse_double(ngx_str_t *v, double min, double max, double *out)
{
    char        *end, text[NGX_HTTP_MTW_MAX_DOUBLE_LEN + 1];
    double       d;
    ngx_uint_t   i;

    if (v->len == 0 || v->len > NGX_HTTP_MTW_MAX_DOUBLE_LEN) {
        return NGX_DECLINED;
    }

    for (i = 0; i < v->len; i++) {
        if (!((v->data[i] >= '0' && v->data[i] <= '9') || v->data[i] == '.'
              || (i == 0 && (v->data[i] == '-' || v->data[i] == '+'))))
        {
            return NGX_DECLINED;
        }
    }

    /* strtod needs a terminated string; the value may not be one */
    ngx_memcpy(text, v->data, v->len);
    text[v->len] = '\0';

    d = strtod(text, &end);

    if (end != text + v->len || d != d || d < min || d > max) {
        return NGX_DECLINED;
    }

    *out = d;

    return NGX_OK;
}


/*
 * A vote body, {"vehicleId":"606","vote":"late"} (at most
 * NGX_HTTP_MTW_FEEDBACK_BODY bytes, checked by the caller).  The vehicle id
 * is trimmed of white space as the reference does and must be a valid id;
 * the vote is one of ahead, on_time, late.  Both are copied into the pool;
 * the parsed document is freed with the pool.
 */
ngx_http_mtw_vote_err_e
ngx_http_mtw_vote_parse(ngx_pool_t *pool, u_char *body, size_t len,
    ngx_str_t *vehicle, ngx_str_t *vote)
{
    json_t              *doc;
    ngx_str_t            vid, v;
    json_error_t         err;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_MTW_VOTE_NOMEM;
    }

    doc = json_loadb((char *) body, len, 0, &err);

    if (doc == NULL) {
        return NGX_HTTP_MTW_VOTE_NOT_JSON;
    }

    cln->handler = ngx_http_mtw_json_cleanup;
    cln->data = doc;

    /* an array is a JSON body without a vehicleId, as for the reference
     * (422, not 400) */
    if (!json_is_object(doc) && !json_is_array(doc)) {
        return NGX_HTTP_MTW_VOTE_NOT_JSON;
    }

    if (ngx_http_mtw_json_str(json_object_get(doc, "vehicleId"), &vid)
        != NGX_OK)
    {
        return NGX_HTTP_MTW_VOTE_NO_VEHICLE;
    }

    while (vid.len && (vid.data[0] == ' ' || vid.data[0] == '\t'
                       || vid.data[0] == '\n' || vid.data[0] == '\r'))
    {
        vid.data++;
        vid.len--;
    }

    while (vid.len && (vid.data[vid.len - 1] == ' '
                       || vid.data[vid.len - 1] == '\t'
                       || vid.data[vid.len - 1] == '\n'
                       || vid.data[vid.len - 1] == '\r'))
    {
        vid.len--;
    }

    if (vid.len == 0) {
        return NGX_HTTP_MTW_VOTE_NO_VEHICLE;
    }

    if (ngx_http_mtw_valid_id(&vid) != NGX_OK) {
        return NGX_HTTP_MTW_VOTE_BAD_VEHICLE;
    }

    if (ngx_http_mtw_vote_value(json_object_get(doc, "vote"), &v) != NGX_OK)
    {
        return NGX_HTTP_MTW_VOTE_BAD_VOTE;
    }

    /* copied out: the document goes with the pool, the key parts stay
     * valid however the caller uses the pool afterwards */
    vehicle->data = ngx_pnalloc(pool, vid.len);
    vote->data = ngx_pnalloc(pool, v.len);

    if (vehicle->data == NULL || vote->data == NULL) {
        return NGX_HTTP_MTW_VOTE_NOMEM;
    }

    vehicle->len = vid.len;
    ngx_memcpy(vehicle->data, vid.data, vid.len);
    vote->len = v.len;
    ngx_memcpy(vote->data, v.data, v.len);

    return NGX_HTTP_MTW_VOTE_OK;
}


static ngx_int_t
ngx_http_mtw_vote_value(json_t *jv, ngx_str_t *vote)
{
    if (ngx_http_mtw_json_str(jv, vote) != NGX_OK) {
        return NGX_DECLINED;
    }

    if ((vote->len == 5 && ngx_strncmp(vote->data, "ahead", 5) == 0)
        || (vote->len == 7 && ngx_strncmp(vote->data, "on_time", 7) == 0)
        || (vote->len == 4 && ngx_strncmp(vote->data, "late", 4) == 0))
    {
        return NGX_OK;
    }

    return NGX_DECLINED;
}


/* A JSON string's bytes (not copied); NGX_DECLINED when jv is no string. */
ngx_int_t
ngx_http_mtw_json_str(json_t *jv, ngx_str_t *s)
{
    if (!json_is_string(jv)) {
        return NGX_DECLINED;
    }

    s->data = (u_char *) json_string_value(jv);
    s->len = json_string_length(jv);

    return NGX_OK;
}


static void
ngx_http_mtw_json_cleanup(void *data)
{
    json_decref(data);
}


/*
 * A hiredis reply copied into the pool: strings NUL-terminated, arrays
 * nested at most NGX_HTTP_MTW_MAX_DEPTH deep (no document or script of
 * ours is deeper; a deeper reply is an error, never a deep recursion).
 */
ngx_int_t
ngx_http_mtw_reply_copy(ngx_pool_t *pool, ngx_http_mtw_reply_t *dst,
    redisReply *src, ngx_uint_t depth)
{
    size_t  i;

    ngx_memzero(dst, sizeof(ngx_http_mtw_reply_t));

    dst->type = src->type;
    dst->integer = src->integer;

    switch (src->type) {

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        dst->str.len = src->len;
        dst->str.data = ngx_pnalloc(pool, src->len + 1);
        if (dst->str.data == NULL) {
            return NGX_ERROR;
        }

        if (src->len) {
            ngx_memcpy(dst->str.data, src->str, src->len);
        }

        dst->str.data[src->len] = '\0';
        break;

    case REDIS_REPLY_ARRAY:
        if (depth >= NGX_HTTP_MTW_MAX_DEPTH) {
            return NGX_ERROR;
        }

        dst->nelements = src->elements;

        if (src->elements == 0) {
            break;
        }

        dst->element = ngx_pcalloc(pool,
                           src->elements * sizeof(ngx_http_mtw_reply_t));
        if (dst->element == NULL) {
            return NGX_ERROR;
        }

        for (i = 0; i < src->elements; i++) {
            if (ngx_http_mtw_reply_copy(pool, &dst->element[i],
                                        src->element[i], depth + 1)
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        break;

    default:
        break;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_mtw_reply_is_str(ngx_http_mtw_reply_t *reply)
{
    return reply->type == REDIS_REPLY_STRING;
}


/* An HMGET of two fields (a body and its ETag, ...) whose first is there. */
ngx_int_t
ngx_http_mtw_reply_pair(ngx_http_mtw_reply_t *reply)
{
    return reply->type == REDIS_REPLY_ARRAY && reply->nelements == 2
           && ngx_http_mtw_reply_is_str(&reply->element[0]);
}


/* A string reply holding a number (a GEO distance); 0 when it holds none. */
double
ngx_http_mtw_reply_number(ngx_http_mtw_reply_t *reply)
{
    if (reply->type != REDIS_REPLY_STRING) {
        return 0;
    }

    /* reply_copy terminated it */
    return strtod((char *) reply->str.data, NULL);
}
