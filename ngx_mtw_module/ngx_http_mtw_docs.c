/*
 * ngx_http_mtw_docs.c - endpoints answered by a document the worker
 * stored ready to send (docs/redis-contract.md): one HMGET, then the body
 * and its ETag as they are; a route's detail and live page are stored in
 * two parts, read in the same round trip and joined here.  When the
 * document is absent a second round trip tells why: unknown city (404),
 * unknown id (404, its parent list is published but not it) or nothing
 * published yet (503 with Retry-After).
 */

#include "ngx_http_mtw_module.h"


static ngx_int_t ngx_http_mtw_doc_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_doc_line_join(ngx_http_request_t *r,
    ngx_str_t *live, ngx_str_t *line, ngx_str_t *body, ngx_str_t *etag);


#define NGX_HTTP_MTW_NOT_PUBLISHED_RETRY  5


ngx_int_t
ngx_http_mtw_doc(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_str_t           *key, *part_key;
    ngx_http_mtw_cmd_t   cmds[2];

    if (ctx->doc_name.len == 0) {
        ctx->doc_name.data = ngx_pnalloc(r->pool, 128);
        if (ctx->doc_name.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->doc_name.len = ngx_snprintf(ctx->doc_name.data, 128,
                                         ctx->route->doc, &ctx->id)
                            - ctx->doc_name.data;
    }

    if ((ctx->route->flags & NGX_HTTP_MTW_ID) || ctx->filter.len) {
        /* route:{id}...: the route list tells unknown ids from late ones */
        ctx->exists_key = ngx_http_mtw_key(r, "mtw:%V:doc:routes",
                                           &ctx->city);
        ctx->what = "route";

        if (ctx->exists_key == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    key = ngx_http_mtw_doc_key(r, ctx);
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_mtw_doc_cached(r, ctx, key);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    ngx_memzero(cmds, sizeof(cmds));
    ngx_http_mtw_cmd_hmget_doc(&cmds[0], key);

    if (!(ctx->route->flags & (NGX_HTTP_MTW_NOW|NGX_HTTP_MTW_LINE))) {
        return ngx_http_mtw_fetch(r, ctx, cmds, 1, ngx_http_mtw_doc_done);
    }

    /* route:{id}: its history, and what changes with the ticks;
     * route:{id}:live: the buses at its stops, and the stops */
    part_key = (ctx->route->flags & NGX_HTTP_MTW_NOW)
               ? ngx_http_mtw_key(r, "%V:now", key)
               : ngx_http_mtw_key(r, "mtw:%V:doc:route:%V:line", &ctx->city,
                                  &ctx->id);
    if (part_key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_mtw_cmd_hmget_doc(&cmds[1], part_key);

    return ngx_http_mtw_fetch(r, ctx, cmds, 2, ngx_http_mtw_doc_done);
}


/*
 * The micro-cache's answer for the document at key, sent; NGX_DECLINED
 * when it has none (ctx then remembers the key, for the answer read from
 * Redis to be kept).  It answers only while the announcements are heard.
 */
ngx_int_t
ngx_http_mtw_doc_cached(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx,
    ngx_str_t *key)
{
    ngx_str_t                  body, etag;
    ngx_http_mtw_main_conf_t  *mcf;

    mcf = ngx_http_get_module_main_conf(r, ngx_http_mtw_module);

    if (!mcf->cache || !ngx_http_mtw_redis_notified()) {
        return NGX_DECLINED;
    }

    ctx->doc_key = key;
    ctx->cache_gen = ngx_http_mtw_cache_generation();

    switch (ngx_http_mtw_cache_get(r->pool, key, mcf->cache, &body, &etag)) {

    case NGX_OK:
        return ngx_http_mtw_send_body(r, &body, &etag, ctx->cache);

    case NGX_ERROR:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    default:
        return NGX_DECLINED;
    }
}


static ngx_int_t
ngx_http_mtw_doc_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t              rc, joined;
    ngx_str_t              body, etag;
    ngx_http_mtw_reply_t  *rep, *part;

    rep = &ctx->replies[0];

    if (ngx_http_mtw_reply_pair(rep)) {
        body = rep->element[0].str;
        etag = rep->element[1].str;

        /* with its second part: a history without its ":now" is
         * answered alone, a live page without its line is not */
        part = &ctx->replies[1];
        joined = (ctx->route->flags & (NGX_HTTP_MTW_NOW|NGX_HTTP_MTW_LINE))
                 && ngx_http_mtw_reply_pair(part);

        if ((ctx->route->flags & NGX_HTTP_MTW_LINE) && !joined) {
            return ngx_http_mtw_send_unavailable(r,
                       NGX_HTTP_MTW_NOT_PUBLISHED_RETRY, "not_published",
                       "this document is not published yet, retry shortly");
        }

        if (joined) {
            rc = (ctx->route->flags & NGX_HTTP_MTW_NOW)
                 ? ngx_http_mtw_json_join(r, &rep->element[0].str,
                                          &rep->element[1].str, NULL,
                                          &part->element[0].str,
                                          &part->element[1].str, &body,
                                          &etag)
                 : ngx_http_mtw_doc_line_join(r, &rep->element[0].str,
                                              &part->element[0].str, &body,
                                              &etag);
            if (rc == NGX_DECLINED) {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "mtw: the stored document \"%V\" and its "
                              "part do not join", &ctx->doc_name);
                return ngx_http_mtw_send_unavailable(r, 1, "bad_document",
                                           "the stored document is invalid");
            }

            if (rc != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        if (ctx->doc_key) {
            ngx_http_mtw_cache_put(ctx->doc_key, &body, &etag,
                                   ctx->cache_gen, r->connection->log);
        }

        return ngx_http_mtw_send_body(r, &body, &etag, ctx->cache);
    }

    if (rep->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: Redis error reading document \"%V\": %V",
                      &ctx->doc_name, &rep->str);
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    return ngx_http_mtw_missing(r, ctx, ctx->what,
                                ctx->exists_key ? "" : NULL,
                                ngx_http_mtw_missing_done);
}


/*
 * route:{id}:live with its line: the stored page's "stops" holds one array
 * of approaching buses per stop of route:{id}:line's "stops"; the answer
 * has the line's stops, each with its array as "approaching".
 * NGX_DECLINED: they do not parse or match.
 */
static ngx_int_t
ngx_http_mtw_doc_line_join(ngx_http_request_t *r, ngx_str_t *live,
    ngx_str_t *line, ngx_str_t *body, ngx_str_t *etag)
{
    size_t      i;
    json_t     *page, *doc, *stops, *at, *stop, *buses;
    ngx_int_t   rc;

    page = ngx_http_mtw_json_parse(r, live);
    doc = ngx_http_mtw_json_parse(r, line);
    at = json_object_get(page, "stops");
    stops = json_object_get(doc, "stops");

    if (page == NULL || doc == NULL || !json_is_array(at)
        || !json_is_array(stops)
        || json_array_size(at) != json_array_size(stops))
    {
        json_decref(page);
        json_decref(doc);
        return NGX_DECLINED;
    }

    json_array_foreach(stops, i, stop) {
        buses = json_array_get(at, i);

        if (!json_is_object(stop) || !json_is_array(buses)
            || json_object_set(stop, "approaching", buses) != 0)
        {
            json_decref(page);
            json_decref(doc);
            return NGX_DECLINED;
        }
    }

    rc = json_object_set(page, "stops", stops);
    json_decref(doc);

    if (rc != 0) {
        json_decref(page);
        return NGX_ERROR;
    }

    /* built here: its ETag is that of its bytes, as any built answer's */
    return ngx_http_mtw_jansson_body(r, page, body, etag);
}


/* /api/v1/stops?route_id=: all stops, or one route's direction-0 stops */
ngx_int_t
ngx_http_mtw_v1_stops(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    switch (ngx_http_mtw_arg_id(r, "route_id", &ctx->filter)) {

    case NGX_OK:
        break;

    case NGX_DECLINED:
        return ngx_http_mtw_doc(r, ctx);

    case NGX_ABORT:
        return ngx_http_mtw_send_bad_arg(r, "route_id",
                                         NGX_HTTP_MTW_ID_RULE);

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->doc_name.data = ngx_pnalloc(r->pool, 128);
    if (ctx->doc_name.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->doc_name.len = ngx_snprintf(ctx->doc_name.data, 128,
                                     "route:%V:stops", &ctx->filter)
                        - ctx->doc_name.data;

    return ngx_http_mtw_doc(r, ctx);
}


/*
 * Why is a document missing?  One pipelined batch: is the city served,
 * is any city served, and (exists_key) is the id's parent published.
 * exists_key "" means ctx->exists_key.
 */
ngx_int_t
ngx_http_mtw_missing(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx,
    const char *what, const char *exists_key, ngx_http_mtw_done_pt done)
{
    ngx_uint_t          n;
    ngx_http_mtw_cmd_t  cmds[3];

    ngx_memzero(cmds, sizeof(cmds));

    if (ctx->route->flags & NGX_HTTP_MTW_NO_CITY) {
        return ngx_http_mtw_send_unavailable(r,
                   NGX_HTTP_MTW_NOT_PUBLISHED_RETRY, "not_published",
                   "the list of cities is not published yet");
    }

    ctx->what = what;

    ngx_http_mtw_cmd_str(&cmds[0], "SISMEMBER");
    ngx_http_mtw_cmd_str(&cmds[0], "mtw:cities");
    ngx_http_mtw_cmd_arg(&cmds[0], (char *) ctx->city.data, ctx->city.len);

    ngx_http_mtw_cmd_str(&cmds[1], "EXISTS");
    ngx_http_mtw_cmd_str(&cmds[1], "mtw:cities");

    n = 2;

    if (exists_key != NULL && ctx->exists_key != NULL) {
        ngx_http_mtw_cmd_str(&cmds[2], "EXISTS");
        ngx_http_mtw_cmd_arg(&cmds[2], (char *) ctx->exists_key->data,
                             ctx->exists_key->len);
        n = 3;
    }

    ctx->nmissing = n;

    return ngx_http_mtw_fetch(r, ctx, cmds, n, done);
}


ngx_int_t
ngx_http_mtw_missing_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    u_char  *msg;

    if (ctx->replies[1].integer == 0) {
        return ngx_http_mtw_send_unavailable(r,
                   NGX_HTTP_MTW_NOT_PUBLISHED_RETRY, "not_published",
                   "no data is published yet: is the worker running?");
    }

    if (ctx->replies[0].integer == 0) {
        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND,
                                       "unknown_city", "no such city");
    }

    if (ctx->nmissing == 3 && ctx->replies[2].integer == 1) {
        msg = ngx_pnalloc(r->pool, 64);
        if (msg == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_snprintf(msg, 64, "%s not found%Z",
                     ctx->what ? ctx->what : "item");

        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                       (char *) msg);
    }

    return ngx_http_mtw_send_unavailable(r, NGX_HTTP_MTW_NOT_PUBLISHED_RETRY,
               "not_published",
               "this document is not published yet, retry shortly");
}


ngx_str_t *
ngx_http_mtw_doc_key(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    if (ctx->route->flags & NGX_HTTP_MTW_NO_CITY) {
        return ngx_http_mtw_key(r, "mtw:doc:cities");
    }

    return ngx_http_mtw_key(r, "mtw:%V:doc:%V", &ctx->city, &ctx->doc_name);
}


void
ngx_http_mtw_cmd_hmget_doc(ngx_http_mtw_cmd_t *cmd, ngx_str_t *key)
{
    ngx_http_mtw_cmd_str(cmd, "HMGET");
    ngx_http_mtw_cmd_arg(cmd, (char *) key->data, key->len);
    ngx_http_mtw_cmd_str(cmd, "body");
    ngx_http_mtw_cmd_str(cmd, "etag");
}

