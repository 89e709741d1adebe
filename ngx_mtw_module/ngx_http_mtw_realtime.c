/*
 * ngx_http_mtw_realtime.c - /api/realtime[?route_id=]: the realtime
 * document (vehicles, alerts) with the trip updates of the live state
 * joined in (docs/redis-contract.md).  The worker writes the trip updates
 * once, as mtw:{city}:trips, in the transaction that writes the document;
 * both are read in one pipelined round trip.
 */

#include "ngx_http_mtw_module.h"


static ngx_int_t ngx_http_mtw_realtime_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_realtime_filter(ngx_http_request_t *r,
    ngx_str_t *doc, ngx_str_t *filter, ngx_str_t *body, ngx_str_t *etag);
static ngx_int_t ngx_http_mtw_realtime_bad(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);


ngx_int_t
ngx_http_mtw_realtime(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_str_t           *key, *trips_key, *route_key;
    ngx_http_mtw_cmd_t   cmds[4];

    rc = ngx_http_mtw_arg_id(r, "route_id", &ctx->filter);

    if (rc == NGX_ABORT) {
        return ngx_http_mtw_send_bad_arg(r, "route_id",
                                         NGX_HTTP_MTW_ID_RULE);
    }

    if (rc != NGX_OK && rc != NGX_DECLINED) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&ctx->doc_name, "realtime");

    key = ngx_http_mtw_doc_key(r, ctx);
    trips_key = ngx_http_mtw_key(r, "mtw:%V:trips", &ctx->city);

    if (key == NULL || trips_key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(cmds, sizeof(cmds));
    ngx_http_mtw_cmd_hmget_doc(&cmds[0], key);

    ngx_http_mtw_cmd_str(&cmds[1], "HMGET");
    ngx_http_mtw_cmd_arg(&cmds[1], (char *) trips_key->data, trips_key->len);
    ngx_http_mtw_cmd_str(&cmds[1], "json");
    ngx_http_mtw_cmd_str(&cmds[1], "etag");

    if (ctx->filter.len == 0) {
        /* the joined answer is cached under the document's key: both
         * parts change only with a publish, which empties the cache */
        rc = ngx_http_mtw_doc_cached(r, ctx, key);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_mtw_fetch(r, ctx, cmds, 2,
                                  ngx_http_mtw_realtime_done);
    }

    ctx->what = "route";

    route_key = ngx_http_mtw_key(r, "mtw:%V:doc:route:%V", &ctx->city,
                                 &ctx->filter);
    ctx->exists_key = ngx_http_mtw_key(r, "mtw:%V:doc:routes", &ctx->city);

    if (route_key == NULL || ctx->exists_key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_mtw_cmd_str(&cmds[2], "EXISTS");
    ngx_http_mtw_cmd_arg(&cmds[2], (char *) route_key->data, route_key->len);

    ngx_http_mtw_cmd_str(&cmds[3], "EXISTS");
    ngx_http_mtw_cmd_arg(&cmds[3], (char *) ctx->exists_key->data,
                         ctx->exists_key->len);

    return ngx_http_mtw_fetch(r, ctx, cmds, 4, ngx_http_mtw_realtime_done);
}


/*
 * The replies: [0] the document's body and ETag, [1] the trip updates'
 * json and ETag (absent: no TripUpdates feed, "[]"), with a route filter
 * [2] is the route published, [3] is the route list.  A filtered answer is
 * kept in the worker's cache under the route and both ETags, so the
 * document is parsed and filtered once per route and publish.
 */
static ngx_int_t
ngx_http_mtw_realtime_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t              rc;
    ngx_str_t              key, doc, doc_etag, trips, trips_etag, body, etag,
                           mine, mine_etag;
    ngx_http_mtw_reply_t  *rep, *tu;

    rep = &ctx->replies[0];
    tu = &ctx->replies[1];

    if (rep->type == REDIS_REPLY_ERROR || tu->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: Redis error reading the realtime document: %V",
                      rep->type == REDIS_REPLY_ERROR ? &rep->str : &tu->str);
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    if (!ngx_http_mtw_reply_pair(rep)) {
        return ngx_http_mtw_missing(r, ctx, NULL, NULL,
                                    ngx_http_mtw_missing_done);
    }

    if (ctx->filter.len
        && ctx->replies[2].integer == 0 && ctx->replies[3].integer == 1)
    {
        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                       "route not found");
    }

    doc = rep->element[0].str;
    ngx_str_null(&doc_etag);
    if (ngx_http_mtw_reply_is_str(&rep->element[1])) {
        doc_etag = rep->element[1].str;
    }

    ngx_str_set(&trips, "[]");
    ngx_str_null(&trips_etag);
    if (ngx_http_mtw_reply_pair(tu)) {
        trips = tu->element[0].str;
        if (ngx_http_mtw_reply_is_str(&tu->element[1])) {
            trips_etag = tu->element[1].str;
        }
    }

    if (ctx->filter.len == 0) {
        rc = ngx_http_mtw_json_join(r, &doc, &doc_etag, "trips", &trips,
                                    &trips_etag, &body, &etag);
        if (rc != NGX_OK) {
            return rc == NGX_DECLINED ? ngx_http_mtw_realtime_bad(r, ctx)
                                      : NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ctx->doc_key) {
            ngx_http_mtw_cache_put(ctx->doc_key, &body, &etag,
                                   ctx->cache_gen, r->connection->log);
        }

        return ngx_http_mtw_send_body(r, &body, &etag, ctx->cache);
    }

    key.len = 0;

    if (doc_etag.len <= 64 && trips_etag.len <= 64) {
        key.data = ngx_pnalloc(r->pool, sizeof("rt:::.") + ctx->city.len
                               + ctx->filter.len + doc_etag.len
                               + trips_etag.len);
        if (key.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        key.len = ngx_sprintf(key.data, "rt:%V:%V:%V.%V", &ctx->city,
                              &ctx->filter, &doc_etag, &trips_etag)
                  - key.data;

        switch (ngx_http_mtw_cache_get(r->pool, &key,
                                       NGX_HTTP_MTW_FILTER_CACHE_MS,
                                       &body, &etag))
        {
        case NGX_OK:
            return ngx_http_mtw_send_body(r, &body, &etag, ctx->cache);

        case NGX_ERROR:
            return NGX_HTTP_INTERNAL_SERVER_ERROR;

        default:
            break;
        }
    }

    /* the route's vehicles: a smaller document, with its own ETag */
    switch (ngx_http_mtw_realtime_filter(r, &doc, &ctx->filter, &mine,
                                         &mine_etag))
    {
    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_mtw_realtime_bad(r, ctx);

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_mtw_json_join(r, &mine, &mine_etag, "trips", &trips,
                                &trips_etag, &body, &etag);
    if (rc != NGX_OK) {
        return rc == NGX_DECLINED ? ngx_http_mtw_realtime_bad(r, ctx)
                                  : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (key.len) {
        ngx_http_mtw_cache_put(&key, &body, &etag,
                               ngx_http_mtw_cache_generation(),
                               r->connection->log);
    }

    return ngx_http_mtw_send_body(r, &body, &etag, ctx->cache);
}


/*
 * The document with only the vehicles whose "route" is the filter, and its
 * ETag.  NGX_DECLINED: the document does not parse.
 */
static ngx_int_t
ngx_http_mtw_realtime_filter(ngx_http_request_t *r, ngx_str_t *doc,
    ngx_str_t *filter, ngx_str_t *body, ngx_str_t *etag)
{
    size_t   i;
    json_t  *parsed, *vehicles, *kept, *v, *route;

    parsed = ngx_http_mtw_json_parse(r, doc);
    if (parsed == NULL) {
        return NGX_DECLINED;
    }

    vehicles = json_object_get(parsed, "vehicles");
    kept = json_array();

    if (kept == NULL) {
        json_decref(parsed);
        return NGX_ERROR;
    }

    json_array_foreach(vehicles, i, v) {
        route = json_object_get(v, "route");

        if (json_is_string(route)
            && json_string_length(route) == filter->len
            && ngx_strncmp(json_string_value(route), filter->data,
                           filter->len) == 0)
        {
            json_array_append(kept, v);
        }
    }

    if (json_object_set_new(parsed, "vehicles", kept) != 0) {
        json_decref(parsed);
        return NGX_ERROR;
    }

    return ngx_http_mtw_jansson_body(r, parsed, body, etag);
}


static ngx_int_t
ngx_http_mtw_realtime_bad(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "mtw: the stored realtime document or trip updates of "
                  "\"%V\" are invalid", &ctx->city);

    return ngx_http_mtw_send_unavailable(r, 1, "bad_document",
                                         "the stored document is invalid");
}
