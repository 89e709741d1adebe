/*
 * ngx_http_mtw_handler.c - the mtw_api location handler: routes the /api/ paths.
 */

#include "ngx_http_mtw_module.h"


static ngx_str_t  ngx_http_mtw_healthz = ngx_string("/api/healthz");


ngx_int_t
ngx_http_mtw_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    static u_char  ok[] = "{\"status\":\"ok\"}";

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                       "method_not_allowed",
                                       "method not allowed");
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (r->uri.len == ngx_http_mtw_healthz.len
        && ngx_strncmp(r->uri.data, ngx_http_mtw_healthz.data,
                       r->uri.len) == 0)
    {
        return ngx_http_mtw_send_json(r, NGX_HTTP_OK, ok, sizeof(ok) - 1);
    }

    return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                   "no such API endpoint");
}
