/*
 * ngx_http_mtw_stops.c - stop endpoints: search by name or position,
 * vehicles near a stop, and arrival predictions (web, v1 and the Live
 * Activity next arrivals).
 *
 * Searches run inside Redis in one round trip (EVALSHA of the small Lua
 * scripts below, over the keys of docs/redis-contract.md; the name search
 * reads the worker's index, never every name); predictions are
 * the worker's per-stop list joined with its buses' states (their times
 * among them), sorted by arrival and sliced here to the request's route
 * filter and limit with arrival_in_sec counted from now.
 */

#include "ngx_http_mtw_module.h"


/* a prediction of the stop's list that answers the request, and its
 * arrival time (a joined one's from its bus's state) */
typedef struct {
    json_int_t   at;
    size_t       index;         /* in the list: equal times keep its order */
    json_t      *p;
    json_t      *state;         /* its bus's, NULL: none joined */
} ngx_http_mtw_arrival_t;


/* KEYS: geo:stops, stop; ARGV: lon, lat, count.  -> {exists, id, dist,
 * json, id, dist, json, ...} nearest first */
static ngx_http_mtw_script_t  ngx_http_mtw_lua_near = ngx_http_mtw_script(
    "local out = {redis.call('EXISTS', KEYS[1])}\n"
    "if out[1] == 0 then return out end\n"
    "local r = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1],\n"
    "  ARGV[2], 'BYRADIUS', 20000, 'km', 'ASC', 'COUNT', ARGV[3],\n"
    "  'WITHDIST')\n"
    "for _, m in ipairs(r) do\n"
    "  out[#out + 1] = m[1]\n"
    "  out[#out + 1] = m[2]\n"
    "  out[#out + 1] = redis.call('HGET', KEYS[2], m[1])\n"
    "end\n"
    "return out\n");

/*
 * KEYS: stop:search, stop; ARGV: lower-case text, limit.  -> {exists,
 * json, json, ...}.  stop:search holds, for every word start of every
 * stop's name, "<the lower-cased name from there>\0<stop id>" (score 0):
 * the names that have a word starting with the text are one ZRANGEBYLEX
 * away, in the order of the matched text; a stop matched at two words
 * comes once.  Cost: O(log n + what is read), never a scan of the names.
 */
static ngx_http_mtw_script_t  ngx_http_mtw_lua_name = ngx_http_mtw_script(
    "local out = {redis.call('EXISTS', KEYS[1])}\n"
    "if out[1] == 0 then return out end\n"
    "local limit = tonumber(ARGV[2])\n"
    "local hits = redis.call('ZRANGEBYLEX', KEYS[1], '[' .. ARGV[1],\n"
    "  '[' .. ARGV[1] .. '\\255', 'LIMIT', 0, 4 * limit)\n"
    "local seen = {}\n"
    "for _, m in ipairs(hits) do\n"
    "  local id = string.sub(m, string.find(m, '\\0', 1, true) + 1)\n"
    "  if not seen[id] then\n"
    "    seen[id] = true\n"
    "    local j = redis.call('HGET', KEYS[2], id)\n"
    "    if j then out[#out + 1] = j end\n"
    "    if #out > limit then break end\n"
    "  end\n"
    "end\n"
    "return out\n");

/* KEYS: geo:stops, geo:vehicles, stop, vehicle; ARGV: stop id, radius m.
 * -> {-1} no stops published, {0} unknown stop, {1, stop json, dist,
 * vehicle json, dist, vehicle json, ...} nearest first */
static ngx_http_mtw_script_t  ngx_http_mtw_lua_nearby = ngx_http_mtw_script(
    "if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end\n"
    "local pos = redis.call('GEOPOS', KEYS[1], ARGV[1])[1]\n"
    "local stop = redis.call('HGET', KEYS[3], ARGV[1])\n"
    "if not pos or not stop then return {0} end\n"
    "local r = redis.call('GEOSEARCH', KEYS[2], 'FROMLONLAT', pos[1],\n"
    "  pos[2], 'BYRADIUS', ARGV[2], 'm', 'ASC', 'WITHDIST')\n"
    "local out = {1, stop}\n"
    "for _, m in ipairs(r) do\n"
    "  local v = redis.call('HGET', KEYS[4], m[1])\n"
    "  if v then\n"
    "    out[#out + 1] = m[2]\n"
    "    out[#out + 1] = v\n"
    "  end\n"
    "end\n"
    "return out\n");


/* KEYS: doc:predictions:{id}, stop, vstate; ARGV: stop id.
 * -> {stop json or nil, EXISTS stop, body or nil, ts or nil, then a
 * vehicle id and its state (or nil) for each bus the list's "vids" names
 * (the ids of the buses its items join, space-separated)}: the stop's
 * list and the states it joins, in one round trip, without decoding the
 * list in Redis (docs/redis-contract.md) */
static ngx_http_mtw_script_t  ngx_http_mtw_lua_predictions =
    ngx_http_mtw_script(
    "local d = redis.call('HMGET', KEYS[1], 'body', 'ts', 'vids')\n"
    "local out = {redis.call('HGET', KEYS[2], ARGV[1]),\n"
    "  redis.call('EXISTS', KEYS[2]), d[1], d[2]}\n"
    "if not d[1] or not d[3] then\n"
    "  return out\n"
    "end\n"
    "local seen = {}\n"
    "for v in string.gmatch(d[3], '%S+') do\n"
    "  if not seen[v] then\n"
    "    seen[v] = true\n"
    "    out[#out + 1] = v\n"
    "    out[#out + 1] = redis.call('HGET', KEYS[3], v)\n"
    "  end\n"
    "end\n"
    "return out\n");


static ngx_int_t ngx_http_mtw_search_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_nearby_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_predictions_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_bad_param(ngx_http_request_t *r,
    const char *message);
static ngx_int_t ngx_http_mtw_prediction_at(json_t *p, json_t *live,
    json_t *state, json_int_t *at);
static ngx_int_t ngx_http_mtw_prediction_cmp(const void *one,
    const void *two);
static json_t *ngx_http_mtw_prediction_item(json_t *stop, json_t *p,
    json_t *state, json_int_t at);
static ngx_int_t ngx_http_mtw_prediction_live(json_t *item, json_t *live,
    json_t *state);
static json_t *ngx_http_mtw_prediction_state(ngx_http_request_t *r,
    ngx_http_mtw_reply_t *rep, json_t **states, json_t *vid);
static void ngx_http_mtw_states_free(json_t **states, size_t n);
static json_t *ngx_http_mtw_stop_json(ngx_http_request_t *r,
    ngx_http_mtw_reply_t *rep);
static double ngx_http_mtw_round(double v, double scale);


ngx_int_t
ngx_http_mtw_stops_search(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    u_char              *lat, *lon, *limit;
    ngx_int_t            rc, has_lat, has_lon;
    ngx_str_t            v, *geo, *stop, *names;
    ngx_uint_t           i;
    ngx_http_mtw_cmd_t   cmd;

    has_lat = ngx_http_arg(r, (u_char *) "lat", 3, &v) == NGX_OK;
    has_lon = ngx_http_arg(r, (u_char *) "lon", 3, &v) == NGX_OK;

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));

    stop = ngx_http_mtw_key(r, "mtw:%V:stop", &ctx->city);
    if (stop == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    limit = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (limit == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (has_lat && has_lon) {
        if (ngx_http_mtw_arg_double(r, "lat", -90, 90, &ctx->lat) != NGX_OK
            || ngx_http_mtw_arg_double(r, "lon", -180, 180, &ctx->lon)
               != NGX_OK)
        {
            return ngx_http_mtw_bad_param(r,
                       "lat must be a number in -90..90 and lon in "
                       "-180..180");
        }

        rc = ngx_http_mtw_arg_int(r, "limit", 10, 1, 100, &ctx->limit);
        if (rc != NGX_OK) {
            return ngx_http_mtw_bad_param(r,
                       "limit must be an integer in 1..100");
        }

        geo = ngx_http_mtw_key(r, "mtw:%V:geo:stops", &ctx->city);
        lat = ngx_pnalloc(r->pool, 32);
        lon = ngx_pnalloc(r->pool, 32);

        if (geo == NULL || lat == NULL || lon == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->search = NGX_HTTP_MTW_SEARCH_NEAR;

        ngx_http_mtw_cmd_script(&cmd, &ngx_http_mtw_lua_near, 2);
        ngx_http_mtw_cmd_arg(&cmd, (char *) geo->data, geo->len);
        ngx_http_mtw_cmd_arg(&cmd, (char *) stop->data, stop->len);
        ngx_http_mtw_cmd_arg(&cmd, (char *) lon,
                             ngx_sprintf(lon, "%.6f", ctx->lon) - lon);
        ngx_http_mtw_cmd_arg(&cmd, (char *) lat,
                             ngx_sprintf(lat, "%.6f", ctx->lat) - lat);
        ngx_http_mtw_cmd_arg(&cmd, (char *) limit,
                             ngx_sprintf(limit, "%i", ctx->limit) - limit);

        return ngx_http_mtw_fetch_script(r, ctx, &ngx_http_mtw_lua_near, &cmd,
                                         ngx_http_mtw_search_done);
    }

    rc = ngx_http_mtw_arg(r, "name", &ctx->name);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_mtw_bad_param(r, "provide either lat and lon, "
                                         "or name");
    }

    if (ctx->name.len == 0 || ctx->name.len > 64) {
        return ngx_http_mtw_bad_param(r, "name must be 1-64 characters");
    }

    for (i = 0; i < ctx->name.len; i++) {
        if (ctx->name.data[i] < 0x20 || ctx->name.data[i] == 0x7f) {
            return ngx_http_mtw_bad_param(r, "name has control "
                                             "characters");
        }
    }

    ngx_strlow(ctx->name.data, ctx->name.data, ctx->name.len);

    rc = ngx_http_mtw_arg_int(r, "limit", 20, 1, 100, &ctx->limit);
    if (rc != NGX_OK) {
        return ngx_http_mtw_bad_param(r, "limit must be an integer in "
                                         "1..100");
    }

    names = ngx_http_mtw_key(r, "mtw:%V:stop:search", &ctx->city);
    if (names == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->search = NGX_HTTP_MTW_SEARCH_NAME;

    ngx_http_mtw_cmd_script(&cmd, &ngx_http_mtw_lua_name, 2);
    ngx_http_mtw_cmd_arg(&cmd, (char *) names->data, names->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) stop->data, stop->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) ctx->name.data, ctx->name.len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) limit,
                         ngx_sprintf(limit, "%i", ctx->limit) - limit);

    return ngx_http_mtw_fetch_script(r, ctx, &ngx_http_mtw_lua_name, &cmd,
                                     ngx_http_mtw_search_done);
}


static ngx_int_t
ngx_http_mtw_search_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    size_t                 i, step;
    json_t                *out, *stop, *item;
    ngx_http_mtw_reply_t  *rep, *el;

    rep = &ctx->replies[0];

    if (rep->type != REDIS_REPLY_ARRAY || rep->nelements == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: stop search script failed: %V", &rep->str);
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    if (rep->element[0].integer == 0) {
        return ngx_http_mtw_missing(r, ctx, NULL, NULL,
                                    ngx_http_mtw_missing_done);
    }

    out = json_array();
    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    step = (ctx->search == NGX_HTTP_MTW_SEARCH_NEAR) ? 3 : 1;

    for (i = 1; i + step - 1 < rep->nelements; i += step) {
        el = &rep->element[i + step - 1];

        stop = ngx_http_mtw_stop_json(r, el);
        if (stop == NULL) {
            continue;
        }

        item = json_pack("{s:O?,s:O?,s:O?,s:O?}",
                         "gtfs_id", json_object_get(stop, "id"),
                         "name", json_object_get(stop, "name"),
                         "lat", json_object_get(stop, "lat"),
                         "lon", json_object_get(stop, "lon"));

        if (item != NULL && ctx->search == NGX_HTTP_MTW_SEARCH_NEAR) {
            json_object_set_new(item, "distance_km",
                json_real(ngx_http_mtw_round(
                    ngx_http_mtw_reply_number(&rep->element[i + 1]), 100)));
        }

        json_decref(stop);

        if (item == NULL || json_array_append_new(out, item) != 0) {
            json_decref(out);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return ngx_http_mtw_send_jansson(r, out, ctx->cache);
}


ngx_int_t
ngx_http_mtw_stops_nearby(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    u_char              *radius;
    ngx_str_t           *geo_stops, *geo_vehicles, *stop, *vehicle;
    ngx_http_mtw_cmd_t   cmd;

    if (ngx_http_mtw_arg_int(r, "radius", 500, 1, 5000, &ctx->radius)
        != NGX_OK)
    {
        return ngx_http_mtw_bad_param(r, "radius must be an integer number "
                                         "of metres in 1..5000");
    }

    geo_stops = ngx_http_mtw_key(r, "mtw:%V:geo:stops", &ctx->city);
    geo_vehicles = ngx_http_mtw_key(r, "mtw:%V:geo:vehicles", &ctx->city);
    stop = ngx_http_mtw_key(r, "mtw:%V:stop", &ctx->city);
    vehicle = ngx_http_mtw_key(r, "mtw:%V:vehicle", &ctx->city);
    radius = ngx_pnalloc(r->pool, NGX_INT_T_LEN);

    if (geo_stops == NULL || geo_vehicles == NULL || stop == NULL
        || vehicle == NULL || radius == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));
    ngx_http_mtw_cmd_script(&cmd, &ngx_http_mtw_lua_nearby, 4);
    ngx_http_mtw_cmd_arg(&cmd, (char *) geo_stops->data, geo_stops->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) geo_vehicles->data,
                         geo_vehicles->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) stop->data, stop->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) vehicle->data, vehicle->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) ctx->id.data, ctx->id.len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) radius,
                         ngx_sprintf(radius, "%i", ctx->radius) - radius);

    return ngx_http_mtw_fetch_script(r, ctx, &ngx_http_mtw_lua_nearby, &cmd,
                                     ngx_http_mtw_nearby_done);
}


static ngx_int_t
ngx_http_mtw_nearby_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    size_t                 i;
    json_t                *out, *stop, *list, *v, *item, *route;
    ngx_http_mtw_reply_t  *rep;

    rep = &ctx->replies[0];

    if (rep->type != REDIS_REPLY_ARRAY || rep->nelements == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: nearby script failed: %V", &rep->str);
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    if (rep->element[0].integer == -1) {
        return ngx_http_mtw_missing(r, ctx, NULL, NULL,
                                    ngx_http_mtw_missing_done);
    }

    if (rep->element[0].integer == 0 || rep->nelements < 2) {
        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                       "stop not found");
    }

    stop = ngx_http_mtw_stop_json(r, &rep->element[1]);
    list = json_array();

    if (stop == NULL || list == NULL) {
        json_decref(stop);
        json_decref(list);
        return ngx_http_mtw_send_unavailable(r, 1, "bad_document",
                                             "the stored stop is invalid");
    }

    for (i = 2; i + 1 < rep->nelements; i += 2) {
        if (!ngx_http_mtw_reply_is_str(&rep->element[i + 1])) {
            continue;
        }

        v = ngx_http_mtw_json_parse(r, &rep->element[i + 1].str);
        if (v == NULL) {
            continue;
        }

        route = json_object_get(v, "route");

        if (!json_is_string(route)) {
            /* the reference skips vehicles without a route */
            json_decref(v);
            continue;
        }

        item = json_pack("{s:O?,s:O,s:O?,s:I,s:O?,s:O?,s:O?}",
            "vehicle_id", json_object_get(v, "id"),
            "route_id", route,
            "trip_id", json_object_get(v, "trip"),
            "distance_meters", (json_int_t) ngx_http_mtw_round(
                ngx_http_mtw_reply_number(&rep->element[i]), 1),
            "lat", json_object_get(v, "lat"),
            "lon", json_object_get(v, "lon"),
            "timestamp", json_object_get(v, "ts"));
        json_decref(v);

        if (item == NULL || json_array_append_new(list, item) != 0) {
            json_decref(stop);
            json_decref(list);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    out = json_pack("{s:O?,s:O?,s:O?,s:O?,s:I,s:I,s:o}",
                    "stop_id", json_object_get(stop, "id"),
                    "stop_name", json_object_get(stop, "name"),
                    "stop_lat", json_object_get(stop, "lat"),
                    "stop_lon", json_object_get(stop, "lon"),
                    "radius_m", (json_int_t) ctx->radius,
                    "count", (json_int_t) json_array_size(list),
                    "vehicles", list);
    json_decref(stop);

    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mtw_send_jansson(r, out, ctx->cache);
}


/*
 * /api/stops/{id}/predictions?limit=&route=          (SHAPE_WEB)
 * /api/v1/stops/{id}/predictions?limit=&route_id=    (SHAPE_V1)
 * /api/v1/live-activity/stop/{id}/next-arrivals      (SHAPE_LIVE)
 */
ngx_int_t
ngx_http_mtw_predictions(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t            rc, def;
    ngx_str_t           *doc, *stop, *vstate;
    const char          *name;
    ngx_http_mtw_cmd_t   cmd;

    switch (ctx->shape) {

    case NGX_HTTP_MTW_SHAPE_WEB:
        def = 10;
        break;

    case NGX_HTTP_MTW_SHAPE_V1:
        def = 5;
        break;

    default: /* NGX_HTTP_MTW_SHAPE_LIVE */
        def = 3;
    }

    if (ctx->shape == NGX_HTTP_MTW_SHAPE_LIVE) {
        ctx->limit = 3;

    } else if (ngx_http_mtw_arg_int(r, "limit", def, 1, 100, &ctx->limit)
               != NGX_OK)
    {
        return ngx_http_mtw_bad_param(r, "limit must be an integer in "
                                         "1..100");
    }

    rc = NGX_DECLINED;
    name = (ctx->shape == NGX_HTTP_MTW_SHAPE_WEB) ? "route" : "route_id";

    if (ctx->shape != NGX_HTTP_MTW_SHAPE_LIVE) {
        rc = ngx_http_mtw_arg_id(r, name, &ctx->filter);
    }

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_ABORT) {
        return ngx_http_mtw_send_bad_arg(r, name, NGX_HTTP_MTW_ID_RULE);
    }

    doc = ngx_http_mtw_key(r, "mtw:%V:doc:predictions:%V", &ctx->city,
                           &ctx->id);
    stop = ngx_http_mtw_key(r, "mtw:%V:stop", &ctx->city);
    vstate = ngx_http_mtw_key(r, "mtw:%V:vstate", &ctx->city);

    if (doc == NULL || stop == NULL || vstate == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));
    ngx_http_mtw_cmd_script(&cmd, &ngx_http_mtw_lua_predictions, 3);
    ngx_http_mtw_cmd_arg(&cmd, (char *) doc->data, doc->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) stop->data, stop->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) vstate->data, vstate->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) ctx->id.data, ctx->id.len);

    return ngx_http_mtw_fetch_script(r, ctx, &ngx_http_mtw_lua_predictions,
                                     &cmd, ngx_http_mtw_predictions_done);
}


static ngx_int_t
ngx_http_mtw_predictions_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    size_t                   i, k, n, nstates;
    time_t                   now;
    json_int_t               at, in;
    json_t                  *stop, *doc, *all, *list, *p, *route, *out;
    json_t                  *item, *live, *state;
    json_t                 **states;
    ngx_http_mtw_reply_t    *rep;
    ngx_http_mtw_arrival_t  *arrivals, *a;

    rep = &ctx->replies[0];

    if (rep->type != REDIS_REPLY_ARRAY || rep->nelements < 4) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: predictions script failed: %V", &rep->str);
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    if (!ngx_http_mtw_reply_is_str(&rep->element[0])) {
        if (rep->element[1].integer == 1) {
            return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND,
                                           "not_found", "stop not found");
        }

        return ngx_http_mtw_missing(r, ctx, NULL, NULL,
                                    ngx_http_mtw_missing_done);
    }

    stop = ngx_http_mtw_stop_json(r, &rep->element[0]);
    if (stop == NULL) {
        return ngx_http_mtw_send_unavailable(r, 1, "bad_document",
                                             "the stored stop is invalid");
    }

    doc = NULL;
    all = NULL;

    if (ngx_http_mtw_reply_is_str(&rep->element[2])) {
        doc = ngx_http_mtw_json_parse(r, &rep->element[2].str);
        all = json_object_get(doc, "predictions");
    }

    /* the joined vehicles' states, parsed when first needed */
    nstates = (rep->nelements - 4) / 2;
    states = ngx_pcalloc(r->pool, (nstates + 1) * sizeof(json_t *));
    arrivals = ngx_palloc(r->pool, (json_array_size(all) + 1)
                                   * sizeof(ngx_http_mtw_arrival_t));

    list = json_array();
    if (list == NULL || states == NULL || arrivals == NULL) {
        json_decref(stop);
        json_decref(doc);
        json_decref(list);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    now = ngx_time();
    n = 0;

    json_array_foreach(all, i, p) {
        route = json_object_get(p, "route_id");

        if (ctx->filter.len
            && !(json_is_string(route)
                 && json_string_length(route) == ctx->filter.len
                 && ngx_strncmp(json_string_value(route), ctx->filter.data,
                                ctx->filter.len) == 0))
        {
            continue;
        }

        live = json_object_get(p, "live");
        state = json_is_object(live)
                ? ngx_http_mtw_prediction_state(r, rep, states,
                                      json_object_get(p, "vehicle_id"))
                : NULL;

        /* no time: a joined bus whose state is gone (it left the feed) */
        if (ngx_http_mtw_prediction_at(p, live, state, &at) != NGX_OK) {
            continue;
        }

        /* the worker keeps arrivals up to 60 s past (reference §3.5) */
        if (at < (json_int_t) now - 60) {
            continue;
        }

        a = &arrivals[n++];
        a->at = at;
        a->index = i;
        a->p = p;
        a->state = state;
    }

    /* the list is in the order of the times it was written with; the
     * joined buses' times have moved since */
    ngx_sort(arrivals, n, sizeof(ngx_http_mtw_arrival_t),
             ngx_http_mtw_prediction_cmp);

    for (k = 0; k < n && k < (size_t) ctx->limit; k++) {
        a = &arrivals[k];
        p = a->p;
        at = a->at;
        in = at - (json_int_t) now;

        if (ctx->shape == NGX_HTTP_MTW_SHAPE_LIVE) {
            item = json_pack("{s:O?,s:I,s:O?}",
                             "route_short_name",
                             json_object_get(p, "route_short_name"),
                             "seconds_until", in,
                             "confidence", json_object_get(p, "confidence"));

        } else {
            item = ngx_http_mtw_prediction_item(stop, p, a->state, at);

            if (item != NULL) {
                json_object_set_new(item, "arrival_in_sec",
                                    json_integer(in > 0 ? in : 0));
            }
        }

        if (item == NULL || json_array_append_new(list, item) != 0) {
            json_decref(stop);
            json_decref(doc);
            json_decref(list);
            ngx_http_mtw_states_free(states, nstates);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    switch (ctx->shape) {

    case NGX_HTTP_MTW_SHAPE_WEB:
        out = json_pack("{s:O?,s:O?,s:o}",
                        "stop_id", json_object_get(stop, "id"),
                        "stop_name", json_object_get(stop, "name"),
                        "predictions", list);
        break;

    case NGX_HTTP_MTW_SHAPE_V1:
        out = json_pack("{s:{s:O?,s:O?,s:O?,s:O?},s:o,s:I}",
                        "stop",
                        "id", json_object_get(stop, "id"),
                        "name", json_object_get(stop, "name"),
                        "lat", json_object_get(stop, "lat"),
                        "lon", json_object_get(stop, "lon"),
                        "predictions", list,
                        "timestamp", (json_int_t) now);
        break;

    default: /* NGX_HTTP_MTW_SHAPE_LIVE */
        out = json_pack("{s:O?,s:O?,s:o,s:I}",
                        "stop_id", json_object_get(stop, "id"),
                        "stop_name", json_object_get(stop, "name"),
                        "arrivals", list,
                        "timestamp", (json_int_t) now);
        break;
    }

    json_decref(stop);
    json_decref(doc);
    ngx_http_mtw_states_free(states, nstates);

    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mtw_send_jansson(r, out, ctx->cache);
}


/*
 * The arrival time of the stored prediction p: its "arrival_at", or when
 * its "live" names the stop's "row" in the trip, the time its bus's state
 * predicts for that row ("eta": {"row","at","dt"}: row "row" + i at "at" +
 * dt[i]).  NGX_DECLINED: none (the bus's state is gone, or has no time
 * for the row).
 */
static ngx_int_t
ngx_http_mtw_prediction_at(json_t *p, json_t *live, json_t *state,
    json_int_t *at)
{
    json_t      *row, *eta, *at0, *dt;
    json_int_t   k;

    row = json_object_get(live, "row");

    if (!json_is_integer(row)) {
        at0 = json_object_get(p, "arrival_at");
        if (!json_is_integer(at0)) {
            return NGX_DECLINED;
        }

        *at = json_integer_value(at0);
        return NGX_OK;
    }

    eta = json_object_get(state, "eta");
    at0 = json_object_get(eta, "at");
    k = json_integer_value(row)
        - json_integer_value(json_object_get(eta, "row"));
    dt = k >= 0 ? json_array_get(json_object_get(eta, "dt"), (size_t) k)
                : NULL;

    if (!json_is_integer(at0) || !json_is_integer(dt)) {
        return NGX_DECLINED;
    }

    *at = json_integer_value(at0) + json_integer_value(dt);
    return NGX_OK;
}


/* by arrival, then as the list has them */
static ngx_int_t
ngx_http_mtw_prediction_cmp(const void *one, const void *two)
{
    const ngx_http_mtw_arrival_t  *a = one, *b = two;

    if (a->at != b->at) {
        return a->at < b->at ? -1 : 1;
    }

    return a->index < b->index ? -1 : (a->index > b->index);
}


/*
 * An answer's copy of the stored prediction p, arriving at "at".  A
 * prediction of a tracked bus carries "live" ("stops_away", or the stop's
 * "row" in the trip): in its place go the bus's status, occupancy and
 * current_location, joined from its state in mtw:{city}:vstate (null when
 * the bus left the feed since); it also leaves out what the module makes
 * itself: stop_id and stop_name (the stop's, after trip_id), arrival_at
 * when it has a row (before confidence) and delay_sec (arrival_at -
 * scheduled_arrival_at, before it).  Other predictions carry all of it
 * and are copied.
 */
static json_t *
ngx_http_mtw_prediction_item(json_t *stop, json_t *p, json_t *state,
    json_int_t at)
{
    const char  *key;
    json_t      *item, *value, *live, *sched;

    live = json_object_get(p, "live");

    if (!json_is_object(live)) {
        return json_deep_copy(p);
    }

    item = json_object();
    if (item == NULL) {
        return NULL;
    }

    json_object_foreach(p, key, value) {

        if (ngx_strcmp(key, "live") == 0) {
            if (ngx_http_mtw_prediction_live(item, live, state) != NGX_OK) {
                goto failed;
            }

            continue;
        }

        if (ngx_strcmp(key, "confidence") == 0
            && json_object_get(p, "arrival_at") == NULL
            && json_object_set_new(item, "arrival_at", json_integer(at)) != 0)
        {
            goto failed;
        }

        if (ngx_strcmp(key, "scheduled_arrival_at") == 0) {
            sched = value;

            if (json_object_set_new(item, "delay_sec",
                    json_is_integer(sched)
                    ? json_integer(at - json_integer_value(sched))
                    : json_null())
                != 0)
            {
                goto failed;
            }
        }

        if (json_object_set(item, key, value) != 0) {
            goto failed;
        }

        if (ngx_strcmp(key, "trip_id") == 0) {
            value = json_object_get(stop, "id");
            if (json_object_set(item, "stop_id", value ? value : json_null())
                != 0)
            {
                goto failed;
            }

            value = json_object_get(stop, "name");
            if (json_object_set(item, "stop_name",
                                value ? value : json_null())
                != 0)
            {
                goto failed;
            }
        }
    }

    return item;

failed:

    json_decref(item);
    return NULL;
}


/* status, occupancy and current_location of a joined prediction; its
 * stops_away counts from the row the bus goes to next, when it names the
 * stop's row */
static ngx_int_t
ngx_http_mtw_prediction_live(json_t *item, json_t *live, json_t *state)
{
    json_t  *value, *lat, *lon, *loc, *away, *row, *next;

    value = json_object_get(state, "status");
    if (json_object_set(item, "status", value ? value : json_null()) != 0) {
        return NGX_ERROR;
    }

    value = json_object_get(state, "occupancy");
    if (json_object_set(item, "occupancy", value ? value : json_null())
        != 0)
    {
        return NGX_ERROR;
    }

    lat = json_object_get(state, "lat");
    lon = json_object_get(state, "lon");
    row = json_object_get(live, "row");
    next = json_object_get(state, "row");

    if (!json_is_integer(row)) {
        away = json_incref(json_object_get(live, "stops_away"));

    } else if (json_is_integer(next)) {
        away = json_integer(json_integer_value(row)
                            - json_integer_value(next));

    } else {
        away = NULL;
    }

    if (json_is_number(lat) && json_is_number(lon)) {
        loc = json_pack("{s:O,s:O,s:o}", "lat", lat, "lon", lon,
                        "stops_away", away ? away : json_null());
    } else {
        json_decref(away);
        loc = json_null();
    }

    if (json_object_set_new(item, "current_location", loc) != 0) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* The state of vehicle vid among the script's (id, state) pairs, parsed
 * once per request into states[]; NULL when it has none. */
static json_t *
ngx_http_mtw_prediction_state(ngx_http_request_t *r,
    ngx_http_mtw_reply_t *rep, json_t **states, json_t *vid)
{
    size_t                 i, len;
    const char            *id;
    ngx_http_mtw_reply_t  *e;

    if (!json_is_string(vid)) {
        return NULL;
    }

    id = json_string_value(vid);
    len = json_string_length(vid);

    for (i = 4; i + 1 < rep->nelements; i += 2) {
        e = &rep->element[i];

        if (!ngx_http_mtw_reply_is_str(e) || e->str.len != len
            || ngx_memcmp(e->str.data, id, len) != 0)
        {
            continue;
        }

        if (states[(i - 4) / 2] == NULL
            && ngx_http_mtw_reply_is_str(&rep->element[i + 1]))
        {
            states[(i - 4) / 2] = ngx_http_mtw_json_parse(r,
                                                 &rep->element[i + 1].str);
        }

        return states[(i - 4) / 2];
    }

    return NULL;
}


static void
ngx_http_mtw_states_free(json_t **states, size_t n)
{
    size_t  i;

    for (i = 0; states != NULL && i < n; i++) {
        json_decref(states[i]);
    }
}


static ngx_int_t
ngx_http_mtw_bad_param(ngx_http_request_t *r, const char *message)
{
    return ngx_http_mtw_send_error(r, NGX_HTTP_BAD_REQUEST,
                                   "invalid_parameter", message);
}


/* A stop of the mtw:{city}:stop hash: {"id","name","lat","lon"} */
static json_t *
ngx_http_mtw_stop_json(ngx_http_request_t *r, ngx_http_mtw_reply_t *rep)
{
    json_t  *stop;

    if (!ngx_http_mtw_reply_is_str(rep)) {
        return NULL;
    }

    stop = ngx_http_mtw_json_parse(r, &rep->str);

    if (stop != NULL && !json_is_object(stop)) {
        json_decref(stop);
        return NULL;
    }

    return stop;
}


static double
ngx_http_mtw_round(double v, double scale)
{
    return (double) (int64_t) (v * scale + (v >= 0 ? 0.5 : -0.5)) / scale;
}


