/*
 * ngx_http_mtw_json.c - JSON the module builds itself (jansson), and the
 * ETag of such bodies.
 *
 * Stored documents are sent byte for byte with the ETag the worker stored;
 * only answers shaped by the request (search results, a slice of the
 * predictions, feedback counters) are built here, and their ETag is the
 * contract's hash of the bytes sent (FNV-1a 64, docs/redis-contract.md).
 * Two stored parts are joined here too, as bytes (ngx_http_mtw_json_join).
 */

#include "ngx_http_mtw_module.h"


static void ngx_http_mtw_free_text(void *data);


/* out: 18 bytes, "\"" + 16 lower-case hex digits + "\"" */
void
ngx_http_mtw_etag_of(u_char *body, size_t len, u_char *out)
{
    size_t    i;
    uint64_t  h;

    h = 0xcbf29ce484222325ULL;

    for (i = 0; i < len; i++) {
        h ^= body[i];
        h *= 0x100000001b3ULL;
    }

    out[0] = '"';
    ngx_sprintf(out + 1, "%016uxL", h);
    out[17] = '"';
}


/*
 * Serialises doc (and releases it) into the pool: body and its ETag.  The
 * text jansson allocates is handed to the pool (freed with it, as nginx's
 * xslt filter does with libxml's output), not copied.  NGX_ERROR (logged)
 * when it cannot.
 */
ngx_int_t
ngx_http_mtw_jansson_body(ngx_http_request_t *r, json_t *doc, ngx_str_t *body,
    ngx_str_t *etag)
{
    char                *text;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    etag->data = ngx_pnalloc(r->pool, 18);

    if (cln == NULL || etag->data == NULL) {
        json_decref(doc);
        return NGX_ERROR;
    }

    /* 15 digits: 0.09 stays 0.09, coordinates keep sub-metre detail */
    text = json_dumps(doc, JSON_COMPACT|JSON_REAL_PRECISION(15));
    json_decref(doc);

    if (text == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: cannot serialise a JSON answer");
        return NGX_ERROR;
    }

    cln->handler = ngx_http_mtw_free_text;
    cln->data = text;

    body->data = (u_char *) text;
    body->len = ngx_strlen(text);

    ngx_http_mtw_etag_of(body->data, body->len, etag->data);
    etag->len = 18;

    return NGX_OK;
}


static void
ngx_http_mtw_free_text(void *data)
{
    ngx_free(data);
}


ngx_int_t
ngx_http_mtw_send_jansson(ngx_http_request_t *r, json_t *doc,
    ngx_http_mtw_cache_e cache)
{
    ngx_str_t  body, etag;

    if (ngx_http_mtw_jansson_body(r, doc, &body, &etag) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mtw_send_body(r, &body, &etag, cache);
}


/* Parses a stored JSON value; NULL (logged) when it is not valid JSON. */
json_t *
ngx_http_mtw_json_parse(ngx_http_request_t *r, ngx_str_t *text)
{
    json_t        *v;
    json_error_t   err;

    v = json_loadb((const char *) text->data, text->len,
                   JSON_DECODE_ANY, &err);

    if (v == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: stored JSON is invalid at line %d: %s",
                      err.line, err.text);
    }

    return v;
}


/*
 * A stored document with another stored part joined in, without parsing
 * either: doc (a JSON object) gets part as its last member "name", or,
 * name NULL, part's members (part an object); the ETag is that of both
 * parts' ETags.  NGX_DECLINED: doc is not an object, or part is not an
 * array or object (an object when name is NULL).
 */
ngx_int_t
ngx_http_mtw_json_join(ngx_http_request_t *r, ngx_str_t *doc,
    ngx_str_t *doc_etag, const char *name, ngx_str_t *part,
    ngx_str_t *part_etag, ngx_str_t *body, ngx_str_t *etag)
{
    u_char     *p, *both;
    size_t      nlen;
    ngx_str_t   add;

    if (doc->len < 2 || doc->data[0] != '{' || doc->data[doc->len - 1] != '}'
        || part->len < 2
        || !((part->data[0] == '{' && part->data[part->len - 1] == '}')
             || (name != NULL && part->data[0] == '['
                 && part->data[part->len - 1] == ']')))
    {
        return NGX_DECLINED;
    }

    add = *part;
    nlen = name != NULL ? ngx_strlen(name) : 0;

    if (name == NULL) {
        /* the object's members, without its braces */
        add.data++;
        add.len -= 2;
    }

    body->data = ngx_pnalloc(r->pool, doc->len + add.len + nlen
                                      + sizeof(",\"\":") - 1);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(body->data, doc->data, doc->len - 1);

    if (add.len || name != NULL) {
        if (doc->len > 2) {
            *p++ = ',';
        }

        if (name != NULL) {
            p = ngx_sprintf(p, "\"%s\":", name);
        }

        p = ngx_cpymem(p, add.data, add.len);
    }

    *p++ = '}';
    body->len = p - body->data;

    /* an ETag of the same form as the documents': FNV-1a of "x.y" */
    both = ngx_pnalloc(r->pool, doc_etag->len + part_etag->len + 1);
    etag->data = ngx_pnalloc(r->pool, 18);
    if (both == NULL || etag->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(both, "%V.%V", doc_etag, part_etag);
    ngx_http_mtw_etag_of(both, p - both, etag->data);
    etag->len = 18;

    return NGX_OK;
}
