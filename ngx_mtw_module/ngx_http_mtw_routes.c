/*
 * ngx_http_mtw_routes.c - the API's routing table and its matcher: a path
 * and a method to the endpoint, the methods the path accepts and the id it
 * holds.  Pure (no request, no I/O): fuzz/fuzz_mtw_request.c links it.
 */

#include "ngx_http_mtw_module.h"


#define NGX_HTTP_MTW_GET   (NGX_HTTP_GET|NGX_HTTP_HEAD)
#define NGX_HTTP_MTW_POST  NGX_HTTP_POST

#define R(prefix, suffix, flags, methods, handler, cache, doc, shape)        \
    { ngx_string(prefix), ngx_string(suffix), flags, methods, handler,       \
      cache, doc, shape }

#define ID       NGX_HTTP_MTW_ID
#define NOW      NGX_HTTP_MTW_NOW
#define LINE     NGX_HTTP_MTW_LINE
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
    R("/api/v1/routes/", "", ID|NOW, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_ROUTE, "route:%V", V1),
    R("/api/v1/stops", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_v1_stops,
      NGX_HTTP_MTW_CACHE_STOPS, "stops", V1),
    R("/api/v1/stops/", "/predictions", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_predictions, NGX_HTTP_MTW_CACHE_NONE, NULL, V1),
    R("/api/v1/feed-health", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "feed-health", V1),
    R("/api/v1/alerts", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_alerts,
      NGX_HTTP_MTW_CACHE_NONE, NULL, V1),
    R("/api/v1/shapes", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_STOPS, "shapes", V1),
    R("/api/v1/routes/", "/shape", ID, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_STOPS, "route:%V:shape", V1),
    R("/api/v1/live-activity/route/", "", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_doc, NGX_HTTP_MTW_CACHE_LIVE, "route:%V:activity", V1),
    R("/api/v1/live-activity/stop/", "/next-arrivals", ID, NGX_HTTP_MTW_GET,
      ngx_http_mtw_predictions, NGX_HTTP_MTW_CACHE_LIVE, NULL, LIVE),

    R("/api/dashboard/overview", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "overview", WEB),
    R("/api/dashboard/routes", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_ROUTES, "routes", WEB),
    R("/api/dashboard/routes/", "", ID|NOW, NGX_HTTP_MTW_GET,
      ngx_http_mtw_doc, NGX_HTTP_MTW_CACHE_ROUTE, "route:%V", WEB),
    R("/api/dashboard/routes/", "/live", ID|LINE, NGX_HTTP_MTW_GET,
      ngx_http_mtw_doc, NGX_HTTP_MTW_CACHE_NONE, "route:%V:live", WEB),
    R("/api/dashboard/weather", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "weather", WEB),
    R("/api/weather/current", "", 0, NGX_HTTP_MTW_GET, ngx_http_mtw_doc,
      NGX_HTTP_MTW_CACHE_NONE, "weather:current", WEB),
};

#undef ID
#undef NOW
#undef LINE
#undef NO_CITY
#undef WEB
#undef V1
#undef LIVE


/*
 * The route for a path and a method.  *methods gets the methods the path
 * accepts (0: unknown path); NULL is returned when the method is not one
 * of them.
 */
const ngx_http_mtw_route_t *
ngx_http_mtw_route_find(ngx_str_t *uri, ngx_uint_t method,
    ngx_uint_t *methods, ngx_str_t *id)
{
    u_char                      *p, *end, *seg;
    ngx_uint_t                   i;
    const ngx_http_mtw_route_t  *rt, *found;

    *methods = 0;
    found = NULL;
    end = uri->data + uri->len;

    for (i = 0; i < sizeof(ngx_http_mtw_routes)
                    / sizeof(ngx_http_mtw_route_t); i++)
    {
        rt = &ngx_http_mtw_routes[i];

        if (uri->len < rt->prefix.len
            || ngx_strncmp(uri->data, rt->prefix.data, rt->prefix.len)
               != 0)
        {
            continue;
        }

        p = uri->data + rt->prefix.len;

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

        if (found == NULL && (method & rt->methods)) {
            found = rt;
        }
    }

    if (found && (found->flags & NGX_HTTP_MTW_ID)) {
        /* the id of the route found, not of a later candidate */
        p = uri->data + found->prefix.len;
        id->data = p;

        while (p < end && *p != '/') {
            p++;
        }

        id->len = p - id->data;
    }

    return found;
}
