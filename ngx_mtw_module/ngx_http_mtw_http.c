/*
 * ngx_http_mtw_http.c - HTTP side of the API: response headers (type,
 * ETag, Cache-Control, CORS, Retry-After), documents and JSON errors,
 * query arguments (checked by ngx_http_mtw_parse.c before they can reach a
 * Redis key).
 *
 * Every error has the shape {"error":{"code":"...","message":"..."}}; code
 * and message are made of the module's literals and numbers, never of
 * client input, so they need no escaping.
 */

#include "ngx_http_mtw_module.h"


static ngx_str_t  ngx_http_mtw_json_type =
    ngx_string("application/json; charset=utf-8");

static ngx_str_t  ngx_http_mtw_cache_control[] = {
    ngx_string("no-cache"),
    ngx_string("public, max-age=86400"),
    ngx_string("public, max-age=3600"),
    ngx_string("public, max-age=600"),
    ngx_string("public, max-age=300"),
    ngx_string("no-cache, no-store, must-revalidate"),
    ngx_string("no-store")
};


ngx_int_t
ngx_http_mtw_add_header(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;

    return NGX_OK;
}


/*
 * CORS for a simple or actual request: when the Origin is one of
 * mtw_cors_origins (or they include "*"), allow it.  Without an Origin, or
 * with another one, no CORS header is sent (the browser then refuses).
 * With a list of origins every answer varies by Origin, so shared caches
 * keep one copy per origin.
 */
ngx_int_t
ngx_http_mtw_cors(ngx_http_request_t *r)
{
    ngx_str_t                 *origins, value, *origin;
    ngx_uint_t                 i, ok;
    ngx_http_mtw_loc_conf_t   *mlcf;

    static ngx_str_t  vary = ngx_string("Origin");
    static ngx_str_t  any = ngx_string("*");
    static ngx_str_t  expose = ngx_string("ETag, Retry-After");

    mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mtw_module);

    if (mlcf->cors == NULL && !mlcf->cors_any) {
        return NGX_DECLINED;
    }

    if (!mlcf->cors_any
        && ngx_http_mtw_add_header(r, "Vary", &vary) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (r->headers_in.headers.part.nelts == 0) {
        return NGX_DECLINED;
    }

    origin = NULL;

    {
        ngx_list_part_t  *part = &r->headers_in.headers.part;
        ngx_table_elt_t  *h = part->elts;

        for (i = 0; /* void */; i++) {
            if (i >= part->nelts) {
                if (part->next == NULL) {
                    break;
                }

                part = part->next;
                h = part->elts;
                i = 0;
            }

            if (h[i].key.len == 6
                && ngx_strncasecmp(h[i].key.data, (u_char *) "Origin", 6)
                   == 0)
            {
                origin = &h[i].value;
                break;
            }
        }
    }

    if (origin == NULL || origin->len == 0) {
        return NGX_DECLINED;
    }

    ok = 0;

    if (mlcf->cors_any) {
        value = any;
        ok = 1;

    } else {
        origins = mlcf->cors->elts;

        for (i = 0; i < mlcf->cors->nelts; i++) {
            if (origins[i].len == origin->len
                && ngx_strncasecmp(origins[i].data, origin->data,
                                   origin->len) == 0)
            {
                value = *origin;
                ok = 1;
                break;
            }
        }
    }

    if (!ok) {
        return NGX_DECLINED;
    }

    if (ngx_http_mtw_add_header(r, "Access-Control-Allow-Origin", &value)
        != NGX_OK
        || ngx_http_mtw_add_header(r, "Access-Control-Expose-Headers",
                                   &expose) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_mtw_send_json(ngx_http_request_t *r, ngx_uint_t status, u_char *body,
    size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    static ngx_str_t  unprocessable = ngx_string("422 Unprocessable Entity");

    r->headers_out.status = status;

    if (status == NGX_HTTP_MTW_UNPROCESSABLE) {
        r->headers_out.status_line = unprocessable;
    }

    r->headers_out.content_type = ngx_http_mtw_json_type;
    /* the type without parameters: what gzip_types is matched against */
    r->headers_out.content_type_len = sizeof("application/json") - 1;
    r->headers_out.content_length_n = len;

    if (ngx_http_mtw_cors(r) == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (r->method == NGX_HTTP_HEAD || len == 0) {
        r->header_only = 1;
        return ngx_http_send_header(r);
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * A 200 answer with an ETag; nginx's not_modified filter turns it into a
 * 304 when If-None-Match matches (and gzip makes the tag weak).
 */
ngx_int_t
ngx_http_mtw_send_body(ngx_http_request_t *r, ngx_str_t *body,
    ngx_str_t *etag, ngx_http_mtw_cache_e cache)
{
    ngx_table_elt_t  *h;

    if (etag != NULL && etag->len) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "ETag");
        h->value = *etag;
        r->headers_out.etag = h;
    }

    if (ngx_http_mtw_add_header(r, "Cache-Control",
                                &ngx_http_mtw_cache_control[cache])
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mtw_send_json(r, NGX_HTTP_OK, body->data, body->len);
}


ngx_int_t
ngx_http_mtw_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    size_t   len;
    u_char  *body, *p;

    len = sizeof("{\"error\":{\"code\":\"\",\"message\":\"\"}}") - 1
          + ngx_strlen(code) + ngx_strlen(message);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                    code, message);

    /* an error replaces whatever a handler had prepared: the ETag leaves
     * the header list too */
    ngx_http_clear_etag(r);

    if (ngx_http_mtw_add_header(r, "Cache-Control",
            &ngx_http_mtw_cache_control[NGX_HTTP_MTW_CACHE_ERROR])
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mtw_send_json(r, status, body, p - body);
}


ngx_int_t
ngx_http_mtw_retry_after(ngx_http_request_t *r, ngx_uint_t seconds)
{
    u_char     *p;
    ngx_str_t   value;

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    value.data = p;
    value.len = ngx_sprintf(p, "%ui", seconds) - p;

    return ngx_http_mtw_add_header(r, "Retry-After", &value);
}


ngx_int_t
ngx_http_mtw_send_unavailable(ngx_http_request_t *r, ngx_uint_t retry_after,
    const char *code, const char *message)
{
    if (ngx_http_mtw_retry_after(r, retry_after) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mtw_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE, code,
                                   message);
}


/* 400 for a query argument: "<name> must be <rule>" */
ngx_int_t
ngx_http_mtw_send_bad_arg(ngx_http_request_t *r, const char *name,
    const char *rule)
{
    size_t   len;
    u_char  *msg;

    /* name, " must be ", rule and the NUL: the length is spelled out from
     * the format's own parts and ngx_snprintf() is bounded by it */
    len = ngx_strlen(name) + sizeof(" must be ") - 1 + ngx_strlen(rule) + 1;

    msg = ngx_pnalloc(r->pool, len);
    if (msg == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_snprintf(msg, len, "%s must be %s%Z", name, rule);

    return ngx_http_mtw_send_error(r, NGX_HTTP_BAD_REQUEST,
                                   "invalid_parameter", (char *) msg);
}


/*
 * A query argument, URL-decoded ('+' is a space) into the pool.
 * NGX_DECLINED when absent.
 */
ngx_int_t
ngx_http_mtw_arg(ngx_http_request_t *r, const char *name, ngx_str_t *value)
{
    u_char     *dst, *src;
    size_t      i;
    ngx_str_t   raw;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &raw) != NGX_OK) {
        return NGX_DECLINED;
    }

    value->data = ngx_pnalloc(r->pool, raw.len + 1);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < raw.len; i++) {
        value->data[i] = (raw.data[i] == '+') ? ' ' : raw.data[i];
    }

    dst = value->data;
    src = value->data;
    ngx_unescape_uri(&dst, &src, raw.len, NGX_UNESCAPE_URI);

    value->len = dst - value->data;
    value->data[value->len] = '\0';

    return NGX_OK;
}


/* An integer argument in [min, max]; def when absent. */
ngx_int_t
ngx_http_mtw_arg_int(ngx_http_request_t *r, const char *name, ngx_int_t def,
    ngx_int_t min, ngx_int_t max, ngx_int_t *out)
{
    ngx_str_t  v;

    switch (ngx_http_mtw_arg(r, name, &v)) {
    case NGX_DECLINED:
        *out = def;
        return NGX_OK;
    case NGX_OK:
        break;
    default:
        return NGX_ERROR;
    }

    return ngx_http_mtw_parse_int(&v, min, max, out);
}


/*
 * An optional id argument (a route filter): NGX_OK when valid, NGX_DECLINED
 * when absent or empty, NGX_ABORT when not an id.
 */
ngx_int_t
ngx_http_mtw_arg_id(ngx_http_request_t *r, const char *name, ngx_str_t *id)
{
    ngx_int_t  rc;

    rc = ngx_http_mtw_arg(r, name, id);

    if (rc != NGX_OK) {
        ngx_str_null(id);
        return rc;
    }

    if (id->len == 0) {
        ngx_str_null(id);
        return NGX_DECLINED;
    }

    return ngx_http_mtw_valid_id(id) == NGX_OK ? NGX_OK : NGX_ABORT;
}


/* A decimal argument in [min, max]; NGX_DECLINED when absent or bad. */
ngx_int_t
ngx_http_mtw_arg_double(ngx_http_request_t *r, const char *name, double min,
    double max, double *out)
{
    ngx_str_t  v;

    if (ngx_http_mtw_arg(r, name, &v) != NGX_OK) {
        return NGX_DECLINED;
    }

    return ngx_http_mtw_parse_double(&v, min, max, out);
}


/*
 * The city of a request: ?city= when given, else mtw_city.  NGX_DECLINED
 * when it is not a valid slug (the caller answers 400).
 */
ngx_int_t
ngx_http_mtw_resolve_city(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t                 rc;
    ngx_http_mtw_loc_conf_t  *mlcf;

    rc = ngx_http_mtw_arg(r, "city", &ctx->city);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mtw_module);

        if (ngx_http_complex_value(r, mlcf->city, &ctx->city) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return ngx_http_mtw_valid_city(&ctx->city);
}
