/*
 * ngx_http_mtw_handler.c - the mtw_api location handler: finds the
 * endpoint of a path in the routing table, checks the method (405 with
 * Allow), answers CORS preflights, validates the path id and the city,
 * and hands the request to the endpoint.
 */

#include "ngx_http_mtw_module.h"


#define NGX_HTTP_MTW_GET   (NGX_HTTP_GET|NGX_HTTP_HEAD)
#define NGX_HTTP_MTW_POST  NGX_HTTP_POST


static ngx_int_t ngx_http_mtw_options(ngx_http_request_t *r,
    ngx_uint_t methods);
static ngx_str_t *ngx_http_mtw_allow(ngx_uint_t methods);


ngx_int_t
ngx_http_mtw_handler(ngx_http_request_t *r)
{
    ngx_int_t                    rc;
    ngx_str_t                    id;
    ngx_uint_t                   methods;
    ngx_http_mtw_ctx_t          *ctx;
    const ngx_http_mtw_route_t  *route;

    route = ngx_http_mtw_route_find(&r->uri, r->method, &methods, &id);

    if (methods == 0) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                       "no such API endpoint");
    }

    if (r->method == NGX_HTTP_OPTIONS) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_mtw_options(r, methods);
    }

    if (route == NULL) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        if (ngx_http_mtw_add_header(r, "Allow", ngx_http_mtw_allow(methods))
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                       "method_not_allowed",
                                       "method not allowed on this endpoint");
    }

    if (r->method != NGX_HTTP_POST) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    ctx = ngx_http_mtw_ctx_create(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->route = route;
    ctx->cache = route->cache;
    ctx->shape = route->shape;

    if (route->flags & NGX_HTTP_MTW_ID) {
        if (ngx_http_mtw_valid_id(&id) != NGX_OK) {
            return ngx_http_mtw_send_error(r, NGX_HTTP_BAD_REQUEST,
                       "invalid_id", "ids are " NGX_HTTP_MTW_ID_RULE);
        }

        ctx->id = id;
    }

    if (route->flags & NGX_HTTP_MTW_NO_CITY) {
        /* ?city= is ignored */
        return route->handler(r, ctx);
    }

    rc = ngx_http_mtw_resolve_city(r, ctx);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != NGX_OK) {
        return ngx_http_mtw_send_error(r, NGX_HTTP_BAD_REQUEST,
                                       "invalid_city",
                                       "city must be 1-32 characters of "
                                       "a-z 0-9 -");
    }

    return route->handler(r, ctx);
}


/* OPTIONS: a CORS preflight when the origin is allowed, else just Allow. */
static ngx_int_t
ngx_http_mtw_options(ngx_http_request_t *r, ngx_uint_t methods)
{
    ngx_str_t  *allow;

    static ngx_str_t  headers = ngx_string("Content-Type, If-None-Match");
    static ngx_str_t  max_age = ngx_string("3600");

    allow = ngx_http_mtw_allow(methods);

    if (ngx_http_mtw_add_header(r, "Allow", allow) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    switch (ngx_http_mtw_cors(r)) {

    case NGX_OK:
        if (ngx_http_mtw_add_header(r, "Access-Control-Allow-Methods", allow)
            != NGX_OK
            || ngx_http_mtw_add_header(r, "Access-Control-Allow-Headers",
                                       &headers) != NGX_OK
            || ngx_http_mtw_add_header(r, "Access-Control-Max-Age",
                                       &max_age) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        break;

    case NGX_ERROR:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    default:
        break;
    }

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


static ngx_str_t *
ngx_http_mtw_allow(ngx_uint_t methods)
{
    static ngx_str_t  get = ngx_string("GET, HEAD, OPTIONS");
    static ngx_str_t  post = ngx_string("POST, OPTIONS");
    static ngx_str_t  both = ngx_string("GET, HEAD, POST, OPTIONS");

    if ((methods & NGX_HTTP_MTW_GET) && (methods & NGX_HTTP_MTW_POST)) {
        return &both;
    }

    return (methods & NGX_HTTP_MTW_POST) ? &post : &get;
}
