/*
 * ngx_http_mtw_json.c - JSON responses: documents and error bodies.
 *
 * Every error has the shape {"error":{"code":"...","message":"..."}}; the
 * code and message are literals of the module, never client input, so they
 * need no escaping.
 */

#include "ngx_http_mtw_module.h"


static ngx_str_t  ngx_http_mtw_json_type =
    ngx_string("application/json; charset=utf-8");


ngx_int_t
ngx_http_mtw_send_json(ngx_http_request_t *r, ngx_uint_t status, u_char *body,
    size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    r->headers_out.status = status;
    r->headers_out.content_type = ngx_http_mtw_json_type;
    r->headers_out.content_type_len = ngx_http_mtw_json_type.len;
    r->headers_out.content_length_n = len;

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

    return ngx_http_mtw_send_json(r, status, body, p - body);
}
