/*
 * fuzz_mtw_request.c - a request line as a client sends it, through the
 * module's routing table and the checks of everything that can reach a
 * Redis key: the path id, ?city=, numbers, route filters, addresses.
 *
 * Input: one byte choosing the method, then "path?query".  Each piece is
 * copied into a buffer of its exact size, so a read past it is caught.
 * Beyond "no crash", the invariants the handler relies on are checked.
 */

#include "ngx_http_mtw_module.h"

#include <stdint.h>


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


/* The routing table names the endpoints; routing never calls them. */
#define ENDPOINT(name)                                                       \
    ngx_int_t name(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)           \
    {                                                                        \
        abort();                                                             \
    }

ENDPOINT(ngx_http_mtw_healthz)
ENDPOINT(ngx_http_mtw_livez)
ENDPOINT(ngx_http_mtw_readyz)
ENDPOINT(ngx_http_mtw_openapi)
ENDPOINT(ngx_http_mtw_doc)
ENDPOINT(ngx_http_mtw_realtime)
ENDPOINT(ngx_http_mtw_v1_stops)
ENDPOINT(ngx_http_mtw_stops_search)
ENDPOINT(ngx_http_mtw_stops_nearby)
ENDPOINT(ngx_http_mtw_predictions)
ENDPOINT(ngx_http_mtw_feedback_post)
ENDPOINT(ngx_http_mtw_feedback_get)
ENDPOINT(ngx_http_mtw_alerts)


static const ngx_uint_t  methods_of[] = {
    NGX_HTTP_GET, NGX_HTTP_HEAD, NGX_HTTP_POST, NGX_HTTP_OPTIONS,
    NGX_HTTP_PUT, NGX_HTTP_DELETE, NGX_HTTP_PATCH
};


static u_char *
exact_copy(const uint8_t *data, size_t len)
{
    u_char  *p;

    p = malloc(len ? len : 1);
    check(p != NULL);
    if (len) {
        memcpy(p, data, len);
    }

    return p;
}


static void
check_id(ngx_str_t *id)
{
    ngx_uint_t  i;

    if (ngx_http_mtw_valid_id(id) != NGX_OK) {
        return;
    }

    /* what a Redis key part may hold: no separator, no glob, no space */
    check(id->len >= 1 && id->len <= NGX_HTTP_MTW_MAX_ID);

    for (i = 0; i < id->len; i++) {
        check(id->data[i] > ' ' && id->data[i] < 0x7f);
        check(strchr(":/*?[]{}%\"\\", id->data[i]) == NULL);
    }
}


static void
check_value(const uint8_t *data, size_t len)
{
    double     d;
    ngx_int_t  n;
    ngx_str_t  v;

    v.data = exact_copy(data, len);
    v.len = len;

    if (ngx_http_mtw_parse_int(&v, 1, 100, &n) == NGX_OK) {
        check(n >= 1 && n <= 100);
    }

    if (ngx_http_mtw_parse_double(&v, -180, 180, &d) == NGX_OK) {
        check(d == d && d >= -180 && d <= 180);
    }

    if (ngx_http_mtw_valid_city(&v) == NGX_OK) {
        check(v.len >= 1 && v.len <= NGX_HTTP_MTW_MAX_CITY);
        check(memchr(v.data, ':', v.len) == NULL);
    }

    check_id(&v);

    if (ngx_http_mtw_valid_addr(&v) == NGX_OK) {
        check(v.len <= NGX_HTTP_MTW_MAX_ID);
    }

    free(v.data);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                       len, n;
    ngx_str_t                    uri, id;
    ngx_uint_t                   method, methods;
    const uint8_t               *q, *end, *amp, *eq;
    const ngx_http_mtw_route_t  *route;

    if (size < 1) {
        return 0;
    }

    method = methods_of[data[0] % (sizeof(methods_of)
                                   / sizeof(methods_of[0]))];
    data++;
    size--;

    q = memchr(data, '?', size);
    len = q ? (size_t) (q - data) : size;

    uri.data = exact_copy(data, len);
    uri.len = len;
    ngx_str_null(&id);

    route = ngx_http_mtw_route_find(&uri, method, &methods, &id);

    if (methods == 0) {
        check(route == NULL);
    }

    if (route != NULL) {
        check((route->methods & method) && (methods & method));
        check(uri.len >= route->prefix.len + route->suffix.len);
        check(memcmp(uri.data, route->prefix.data, route->prefix.len) == 0);
        check(memcmp(uri.data + uri.len - route->suffix.len,
                     route->suffix.data, route->suffix.len) == 0);

        if (route->flags & NGX_HTTP_MTW_ID) {
            /* the id is the one segment between prefix and suffix */
            check(id.data == uri.data + route->prefix.len);
            check(id.len >= 1 && memchr(id.data, '/', id.len) == NULL);
            check(id.len + route->prefix.len + route->suffix.len == uri.len);
            check_id(&id);
        }
    }

    free(uri.data);

    if (q == NULL) {
        return 0;
    }

    /* every query value, as the handlers see them after decoding */
    end = data + size;

    for (q++; q <= end; q = amp + 1) {
        amp = memchr(q, '&', end - q);
        if (amp == NULL) {
            amp = end;
        }

        eq = memchr(q, '=', amp - q);
        n = eq ? (size_t) (amp - eq - 1) : 0;
        check_value(eq ? eq + 1 : q, n);

        if (amp == end) {
            break;
        }
    }

    return 0;
}
