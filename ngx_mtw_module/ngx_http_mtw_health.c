/*
 * ngx_http_mtw_health.c - liveness, readiness and the API's own
 * description.
 *
 * /api/healthz answers without Redis (the process is alive).
 * /api/readyz is ready when Redis answers and the city's worker heartbeat
 * is younger than max(3 x poll_sec, 60) s (docs/redis-contract.md): what
 * a load balancer should route on.
 * /api/doc.json is the OpenAPI document named by mtw_openapi.
 */

#include "ngx_http_mtw_module.h"


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

    if (rep->type != REDIS_REPLY_ARRAY || rep->nelements != 2
        || !ngx_http_mtw_reply_is_str(&rep->element[0]))
    {
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
