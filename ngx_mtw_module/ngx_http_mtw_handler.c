/*
 * ngx_http_mtw_handler.c - the mtw_api location handler: finds the
 * endpoint of a path in the routing table, checks the method (405 with
 * Allow), answers CORS preflights, validates the path id and the city,
 * and hands the request to the endpoint.
 */

#include "ngx_http_mtw_module.h"


#define NGX_HTTP_MTW_GET   (NGX_HTTP_GET|NGX_HTTP_HEAD)
#define NGX_HTTP_MTW_POST  NGX_HTTP_POST

#define R(prefix, suffix, flags, methods, handler, cache, doc, shape)        \
    { ngx_string(prefix), ngx_string(suffix), flags, methods, handler,       \
      cache, doc, shape }

#define ID       NGX_HTTP_MTW_ID
#define NO_CITY  NGX_HTTP_MTW_NO_CITY
#define WEB      NGX_HTTP_MTW_SHAPE_WEB
#define V1       NGX_HTTP_MTW_SHAPE_V1
#define LIVE     NGX_HTTP_MTW_SHAPE_LIVE


/*
 * The API (reference-api.md §8, core and secondary, plus the dashboard
 * documents).  doc is the stored document name (docs/redis-contract.md);
 * a "%V" in it stands for the validated path id.
 */
static const ngx_http_mtw_route_t  ngx_http_mtw_routes[] = {

    R("/api/healthz", "", NO_CITY, NGX_HTTP_MTW_GET, ngx_http_mtw_healthz,
      NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),
    R("/api/livez", "", NO_CITY, NGX_HTTP_MTW_GET, ngx_http_mtw_livez,
      NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),
    R("/api/readyz", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_readyz,
      NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),
    R("/api/doc.json", "", NO_CITY, NGX_HTTP_MTW_GET, ngx_http_mtw_openapi,
      NGX_HTTP_MTW_CACHE_ROUTES, NULL, WEB),

    R("/api/score", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "score", WEB),
    R("/api/realtime", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_realtime,
      NGX_HTTP_MTW_CACHE_NONE, "realtime", WEB),

    R("/api/stops", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_stops_search,
      NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),
    R("/api/stops/", "/nearby", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_stops_nearby, NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),
    R("/api/stops/", "/predictions", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_predictions, NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),

    R("/api/vehicle-feedback", "", 0, NGX_HTTP_MTW_POST,
      ngx_http_mtw_feedback_post, NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),
    R("/api/vehicle-feedback/", "", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_feedback_get, NGX_HTTP_MTW_CACHE_NONE, NULL, WEB),

    R("/api/v1/cities", "", NO_CITY, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_CITIES, "cities", V1),
    R("/api/v1/routes", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_ROUTES, "routes", V1),
    R("/api/v1/routes/", "", ID, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_ROUTE, "route:%V", V1),
    R("/api/v1/stops", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_v1_stops,
      NGX_HTTP_MTW_CACHE_STOPS, "stops", V1),
    R("/api/v1/stops/", "/predictions", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_predictions, NGX_HTTP_MTW_CACHE_NONE, NULL, V1),
    R("/api/v1/live-activity/route/", "", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_doc, NGX_HTTP_MTW_CACHE_LIVE, "route:%V:activity", V1),
    R("/api/v1/live-activity/stop/", "/next-arrivals", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_predictions, NGX_HTTP_MTW_CACHE_LIVE, NULL, LIVE),

    R("/api/dashboard/overview", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "overview", WEB),
    R("/api/dashboard/routes", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_ROUTES, "routes", WEB),
    R("/api/dashboard/routes/", "", ID, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_ROUTE, "route:%V", WEB),
    R("/api/dashboard/routes/", "/live", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_doc, NGX_HTTP_MTW_CACHE_NONE, "route:%V:live", WEB),
    R("/api/dashboard/weather", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "weather", WEB),
    R("/api/weather/current", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "weather:current", WEB),
};

#undef ID
#undef NO_CITY
#undef WEB
#undef V1
#undef LIVE


static const ngx_http_mtw_route_t *ngx_http_mtw_route(ngx_http_request_t *r,
    ngx_uint_t *methods, ngx_str_t *id);
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

    route = ngx_http_mtw_route(r, &methods, &id);

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


/*
 * The route for r's path and method.  *methods gets the methods the path
 * accepts (0: unknown path); NULL is returned when the method is not one
 * of them.
 */
static const ngx_http_mtw_route_t *
ngx_http_mtw_route(ngx_http_request_t *r, ngx_uint_t *methods, ngx_str_t *id)
{
    u_char                      *p, *end, *seg;
    ngx_uint_t                   i;
    const ngx_http_mtw_route_t  *rt, *found;

    *methods = 0;
    found = NULL;
    end = r->uri.data + r->uri.len;

    for (i = 0; i < sizeof(ngx_http_mtw_routes)
                    / sizeof(ngx_http_mtw_route_t); i++)
    {
        rt = &ngx_http_mtw_routes[i];

        if (r->uri.len < rt->prefix.len
            || ngx_strncmp(r->uri.data, rt->prefix.data, rt->prefix.len)
               != 0)
        {
            continue;
        }

        p = r->uri.data + rt->prefix.len;

        if (rt->flags & NGX_HTTP_MTW_ID) {
            seg = p;

            while (p < end && *p != '/') {
                p++;
            }

            if (p == seg) {
                continue;
            }

            id->data = seg;
            id->len = p - seg;
        }

        if ((size_t) (end - p) != rt->suffix.len
            || ngx_strncmp(p, rt->suffix.data, rt->suffix.len) != 0)
        {
            continue;
        }

        *methods |= rt->methods;

        if (found == NULL && (r->method & rt->methods)) {
            found = rt;
        }
    }

    if (found && (found->flags & NGX_HTTP_MTW_ID)) {
        /* the id of the route found, not of a later candidate */
        p = r->uri.data + found->prefix.len;
        id->data = p;

        while (p < end && *p != '/') {
            p++;
        }

        id->len = p - id->data;
    }

    return found;
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
