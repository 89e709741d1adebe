/*
 * ngx_http_mtw_alerts.c - service alerts for riders: /api/v1/alerts.
 *
 * The worker publishes each city's decoded Alerts feed whole (mtw:{city}:
 * rt:alerts, docs/redis-contract.md).  Riders want only what is in force:
 * an alert is shown while one of its active periods holds the current time
 * (no period: always), judged at the request so an alert starts and ends
 * on time between two polls of the feed.  Its informed entities become the
 * lists of routes and stops it names; ?route_id= and ?stop_id= keep the
 * alerts naming that route or stop, and those naming neither (the whole
 * network).
 */

#include "ngx_http_mtw_module.h"


static ngx_int_t ngx_http_mtw_alerts_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static json_t *ngx_http_mtw_alert_active(json_t *periods, time_t now);
static json_t *ngx_http_mtw_alert_ids(json_t *informed, const char *field);
static ngx_uint_t ngx_http_mtw_alert_names(json_t *ids, ngx_str_t *id);
static json_t *ngx_http_mtw_alert_rider(json_t *alert, json_t *period,
    json_t *routes, json_t *stops);


ngx_int_t
ngx_http_mtw_alerts(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_str_t           *key;
    ngx_http_mtw_cmd_t   cmd;

    switch (ngx_http_mtw_arg_id(r, "route_id", &ctx->filter)) {
    case NGX_OK:
    case NGX_DECLINED:
        break;
    case NGX_ABORT:
        return ngx_http_mtw_send_bad_arg(r, "route_id", NGX_HTTP_MTW_ID_RULE);
    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    switch (ngx_http_mtw_arg_id(r, "stop_id", &ctx->stop_filter)) {
    case NGX_OK:
    case NGX_DECLINED:
        break;
    case NGX_ABORT:
        return ngx_http_mtw_send_bad_arg(r, "stop_id", NGX_HTTP_MTW_ID_RULE);
    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_http_mtw_key(r, "mtw:%V:rt:alerts", &ctx->city);
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));
    ngx_http_mtw_cmd_str(&cmd, "HMGET");
    ngx_http_mtw_cmd_arg(&cmd, (char *) key->data, key->len);
    ngx_http_mtw_cmd_str(&cmd, "json");
    ngx_http_mtw_cmd_str(&cmd, "stale");

    return ngx_http_mtw_fetch(r, ctx, &cmd, 1, ngx_http_mtw_alerts_done);
}


static ngx_int_t
ngx_http_mtw_alerts_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    size_t                 i;
    time_t                 now;
    json_t                *doc, *out, *list, *alert, *period, *routes, *stops;
    json_t                *item;
    ngx_uint_t             keep;
    ngx_http_mtw_reply_t  *rep;

    rep = &ctx->replies[0];

    out = json_object();
    list = json_array();

    if (out == NULL || list == NULL
        || json_object_set_new(out, "alerts", list) != 0)
    {
        json_decref(out);
        json_decref(list);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!ngx_http_mtw_reply_pair(rep)) {
        /* no Alerts feed for this city (or not fetched yet): none shown */
        json_object_set_new(out, "ts", json_null());
        json_object_set_new(out, "feed", json_false());
        return ngx_http_mtw_send_jansson(r, out, ctx->cache);
    }

    doc = ngx_http_mtw_json_parse(r, &rep->element[0].str);
    if (doc == NULL) {
        json_decref(out);
        return ngx_http_mtw_send_unavailable(r, 1, "bad_document",
                                             "the stored document is "
                                             "invalid");
    }

    json_object_set(out, "ts", json_object_get(doc, "ts"));
    json_object_set_new(out, "feed", json_true());
    json_object_set_new(out, "stale",
                        json_boolean(ngx_http_mtw_reply_is_str(
                                         &rep->element[1])
                                     && rep->element[1].str.len == 1
                                     && rep->element[1].str.data[0] == '1'));

    now = ngx_time();

    json_array_foreach(json_object_get(doc, "alerts"), i, alert) {
        period = ngx_http_mtw_alert_active(json_object_get(alert, "active"),
                                           now);
        if (period == NULL) {
            continue;
        }

        routes = ngx_http_mtw_alert_ids(json_object_get(alert, "informed"),
                                        "route_id");
        stops = ngx_http_mtw_alert_ids(json_object_get(alert, "informed"),
                                       "stop_id");

        if (routes == NULL || stops == NULL) {
            json_decref(routes);
            json_decref(stops);
            json_decref(doc);
            json_decref(out);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* the whole network's alerts are every route's and stop's */
        keep = json_array_size(routes) == 0 && json_array_size(stops) == 0;

        if (!keep) {
            keep = (ctx->filter.len == 0
                    || ngx_http_mtw_alert_names(routes, &ctx->filter))
                   && (ctx->stop_filter.len == 0
                       || ngx_http_mtw_alert_names(stops, &ctx->stop_filter));
        }

        item = keep ? ngx_http_mtw_alert_rider(alert, period, routes, stops)
                    : NULL;

        json_decref(routes);
        json_decref(stops);

        if (keep && (item == NULL || json_array_append_new(list, item) != 0))
        {
            json_decref(doc);
            json_decref(out);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    json_decref(doc);

    return ngx_http_mtw_send_jansson(r, out, ctx->cache);
}


/*
 * The period in force at now (a new reference), a {"start":null,"end":null}
 * when the alert has no period, or NULL when it is not in force.  A
 * missing or null bound is open.
 */
static json_t *
ngx_http_mtw_alert_active(json_t *periods, time_t now)
{
    size_t   i;
    json_t  *p, *start, *end;

    if (json_array_size(periods) == 0) {
        return json_pack("{s:n,s:n}", "start", "end");
    }

    json_array_foreach(periods, i, p) {
        start = json_object_get(p, "start");
        end = json_object_get(p, "end");

        if ((!json_is_integer(start) || json_integer_value(start) <= now)
            && (!json_is_integer(end) || json_integer_value(end) > now))
        {
            return json_deep_copy(p);
        }
    }

    return NULL;
}


/* The distinct values of field among the informed entities, in order. */
static json_t *
ngx_http_mtw_alert_ids(json_t *informed, const char *field)
{
    size_t   i, j;
    json_t  *ids, *e, *v, *seen;

    ids = json_array();
    if (ids == NULL) {
        return NULL;
    }

    json_array_foreach(informed, i, e) {
        v = json_object_get(e, field);

        if (!json_is_string(v)) {
            continue;
        }

        json_array_foreach(ids, j, seen) {
            if (json_equal(seen, v)) {
                break;
            }
        }

        if (j == json_array_size(ids) && json_array_append(ids, v) != 0) {
            json_decref(ids);
            return NULL;
        }
    }

    return ids;
}


static ngx_uint_t
ngx_http_mtw_alert_names(json_t *ids, ngx_str_t *id)
{
    size_t   i;
    json_t  *v;

    json_array_foreach(ids, i, v) {
        if (json_string_length(v) == id->len
            && ngx_strncmp(json_string_value(v), id->data, id->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* What a rider reads; the feed's text fields as they are (plain text). */
static json_t *
ngx_http_mtw_alert_rider(json_t *alert, json_t *period, json_t *routes,
    json_t *stops)
{
    json_t      *item;
    ngx_uint_t   k;

    static const char  *fields[] = {
        "id", "cause", "effect", "severity", "header", "description", "url"
    };

    item = json_object();
    if (item == NULL) {
        json_decref(period);
        return NULL;
    }

    for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
        json_object_set(item, fields[k],
                        json_object_get(alert, fields[k]) != NULL
                        ? json_object_get(alert, fields[k]) : json_null());
    }

    if (json_object_set_new(item, "active_period", period) != 0
        || json_object_set(item, "routes", routes) != 0
        || json_object_set(item, "stops", stops) != 0)
    {
        json_decref(item);
        return NULL;
    }

    return item;
}
