/*
 * ngx_http_mtw_health.c - liveness, readiness and the API's own
 * description.
 *
 * /api/healthz answers without Redis (the process is alive).
 * /api/livez answers 200 when this worker process's Redis connection
 * answers PING: what the load balancer routes on.  It never looks at the
 * worker's heartbeat, so a worker restart cannot take the API down (stale
 * data shows as stale:true in the documents instead).
 * /api/readyz is ready when Redis answers and the city's worker heartbeat
 * is younger than max(3 x poll_sec, 60) s (docs/redis-contract.md): for
 * people and the deploy's smoke test, not for the load balancer.
 * /api/doc.json is the OpenAPI document named by mtw_openapi.
 */

#include "ngx_http_mtw_module.h"


static ngx_int_t ngx_http_mtw_livez_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_readyz_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);


ngx_int_t
ngx_http_mtw_healthz(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    u_char     *p;
    ngx_str_t   body;

    p = ngx_pnalloc(r->pool, sizeof("{\"status\":\"ok\",\"timestamp\":}")
                             + NGX_TIME_T_LEN);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    body.data = p;
    body.len = ngx_sprintf(p, "{\"status\":\"ok\",\"timestamp\":%T}",
                           ngx_time())
               - p;

    return ngx_http_mtw_send_body(r, &body, NULL, NGX_HTTP_MTW_CACHE_LIVE);
}


ngx_int_t
ngx_http_mtw_livez(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_http_mtw_cmd_t  cmd;

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));
    ngx_http_mtw_cmd_str(&cmd, "PING");

    /* Redis down or slow: ngx_http_mtw_fetch() answers 503 by itself */
    return ngx_http_mtw_fetch(r, ctx, &cmd, 1, ngx_http_mtw_livez_done);
}


static ngx_int_t
ngx_http_mtw_livez_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    static ngx_str_t       live = ngx_string("{\"status\":\"live\","
                                             "\"redis\":\"ok\"}");
    ngx_http_mtw_reply_t  *rep;

    rep = &ctx->replies[0];

    if (rep->type != REDIS_REPLY_STATUS || rep->str.len != 4
        || ngx_strncmp(rep->str.data, "PONG", 4) != 0)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "mtw livez: Redis did not answer PING with PONG");
        return ngx_http_mtw_send_unavailable(r, 5, "redis_unavailable",
                   "Redis did not answer PING");
    }

    return ngx_http_mtw_send_body(r, &live, NULL, NGX_HTTP_MTW_CACHE_LIVE);
}


ngx_int_t
ngx_http_mtw_readyz(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_str_t           *key;
    ngx_http_mtw_cmd_t   cmd;

    key = ngx_http_mtw_key(r, "mtw:%V:heartbeat", &ctx->city);
    if (key == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));
    ngx_http_mtw_cmd_str(&cmd, "HMGET");
    ngx_http_mtw_cmd_arg(&cmd, (char *) key->data, key->len);
    ngx_http_mtw_cmd_str(&cmd, "ts");
    ngx_http_mtw_cmd_str(&cmd, "poll_sec");

    return ngx_http_mtw_fetch(r, ctx, &cmd, 1, ngx_http_mtw_readyz_done);
}


static ngx_int_t
ngx_http_mtw_readyz_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    u_char                *p;
    time_t                 ts, age, limit;
    ngx_int_t              poll;
    ngx_str_t              body;
    ngx_http_mtw_reply_t  *rep;

    rep = &ctx->replies[0];

    if (!ngx_http_mtw_reply_pair(rep)) {
        return ngx_http_mtw_send_unavailable(r, 5, "not_ready",
                   "no worker heartbeat for this city");
    }

    ts = ngx_atotm(rep->element[0].str.data, rep->element[0].str.len);

    poll = NGX_ERROR;

    if (ngx_http_mtw_reply_is_str(&rep->element[1])) {
        poll = ngx_atoi(rep->element[1].str.data, rep->element[1].str.len);
    }

    limit = (poll == NGX_ERROR || poll < 1) ? 60 : ngx_max(3 * poll, 60);
    age = ngx_time() - ts;

    if (ts == NGX_ERROR || age > limit) {
        return ngx_http_mtw_send_unavailable(r, 5, "not_ready",
                   "the worker heartbeat is stale");
    }

    p = ngx_pnalloc(r->pool, 128 + ctx->city.len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    body.data = p;
    body.len = ngx_sprintf(p, "{\"status\":\"ready\",\"city\":\"%V\","
                           "\"redis\":\"ok\",\"heartbeat_age_sec\":%T}",
                           &ctx->city, age < 0 ? 0 : age)
               - p;

    return ngx_http_mtw_send_body(r, &body, NULL, NGX_HTTP_MTW_CACHE_LIVE);
}


ngx_int_t
ngx_http_mtw_openapi(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_http_mtw_loc_conf_t  *mlcf;

    mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mtw_module);

    if (mlcf->openapi.len == 0) {
        return ngx_http_mtw_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                       "no OpenAPI document is configured "
                                       "(mtw_openapi)");
    }

    return ngx_http_mtw_send_body(r, &mlcf->openapi, &mlcf->openapi_etag,
                                  ctx->cache);
}
