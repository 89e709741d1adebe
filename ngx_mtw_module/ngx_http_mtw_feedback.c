/*
 * ngx_http_mtw_feedback.c - rider feedback on a vehicle's punctuality.
 *
 * POST /api/vehicle-feedback {"vehicleId":"606","vote":"late"}: the body
 * (at most 1 KiB) is parsed with jansson and checked before Redis is
 * asked; then one Lua script, atomically, checks the client's votes this
 * minute against mtw_feedback_rate, checks the vehicle is in the city's
 * current snapshot, and only then counts the vote (24 h TTL, refreshed).
 * A refused vote changes nothing, not even the rate counter.
 * GET /api/vehicle-feedback/{vehicleId}: the counters (zeros when none).
 */

#include "ngx_http_mtw_module.h"


/*
 * KEYS: vehicle, the client's rate counter, feedback counters, the
 * vehicle's voters; ARGV: vehicle id, vote, rate, client.
 * -> {-3} no snapshot, {-2, ttl} over the rate, {-1} unknown vehicle,
 *    {-4} this client already voted on this vehicle's trip,
 *    {0, ahead, on_time, late, total} counted.
 * The rate window opens with the client's first vote (60 s from it), so a
 * burst is never split across a clock minute.  A vote is one per client,
 * vehicle and trip: the voters hash remembers, per client, the trip the
 * vehicle was on, taken from the snapshot (never from the request).
 */
static ngx_http_mtw_script_t  ngx_http_mtw_lua_vote = ngx_http_mtw_script(
    "if redis.call('EXISTS', KEYS[1]) == 0 then return {-3} end\n"
    "local used = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
    "if used >= tonumber(ARGV[3]) then\n"
    "  return {-2, redis.call('TTL', KEYS[2])} end\n"
    "local veh = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if not veh then return {-1} end\n"
    "local ok, v = pcall(cjson.decode, veh)\n"
    "local trip = ok and type(v) == 'table' and v['trip'] or ''\n"
    "if type(trip) ~= 'string' then trip = '' end\n"
    "if redis.call('HGET', KEYS[4], ARGV[4]) == trip then return {-4} end\n"
    "if redis.call('INCR', KEYS[2]) == 1 then\n"
    "  redis.call('EXPIRE', KEYS[2], 60) end\n"
    "redis.call('HSET', KEYS[4], ARGV[4], trip)\n"
    "redis.call('EXPIRE', KEYS[4], 86400)\n"
    "redis.call('HINCRBY', KEYS[3], ARGV[2], 1)\n"
    "redis.call('HINCRBY', KEYS[3], 'total', 1)\n"
    "redis.call('EXPIRE', KEYS[3], 86400)\n"
    "local c = redis.call('HMGET', KEYS[3], 'ahead', 'on_time', 'late',\n"
    "  'total')\n"
    "return {0, tonumber(c[1] or 0), tonumber(c[2] or 0),\n"
    "  tonumber(c[3] or 0), tonumber(c[4] or 0)}\n");


static void ngx_http_mtw_feedback_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_mtw_feedback_vote(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_vote_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_summary_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
static ngx_int_t ngx_http_mtw_send_summary(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx, long long *counts);


ngx_int_t
ngx_http_mtw_feedback_post(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t  rc;

    if (r->headers_in.content_length_n > NGX_HTTP_MTW_FEEDBACK_BODY) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_mtw_send_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                       "payload_too_large",
                                       "the body is limited to 1024 bytes");
    }

    r->request_body_in_single_buf = 1;

    rc = ngx_http_read_client_request_body(r, ngx_http_mtw_feedback_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/* the body is read: check it, then vote */
static void
ngx_http_mtw_feedback_body(ngx_http_request_t *r)
{
    ngx_int_t            rc;
    ngx_http_mtw_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_mtw_module);

    /* ngx_http_read_client_request_body() took the request's count */
    ctx->counted = 1;

    rc = ngx_http_mtw_feedback_vote(r, ctx);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


static ngx_int_t
ngx_http_mtw_feedback_vote(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    u_char                   *p, *body, *rate;
    size_t                    len;
    ngx_str_t                 client, *vehicle, *rl, *fb, *voters;
    ngx_buf_t                *b;
    ngx_chain_t              *cl;
    ngx_http_mtw_cmd_t        cmd;
    ngx_http_mtw_loc_conf_t  *mlcf;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return ngx_http_mtw_send_error(r, NGX_HTTP_BAD_REQUEST,
                                       "invalid_payload",
                                       "a JSON body is required");
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            len += (size_t) (b->file_last - b->file_pos);

        } else {
            len += b->last - b->pos;
        }
    }

    if (len > NGX_HTTP_MTW_FEEDBACK_BODY) {
        return ngx_http_mtw_send_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                       "payload_too_large",
                                       "the body is limited to 1024 bytes");
    }

    body = ngx_pnalloc(r->pool, len + 1);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = body;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            /* a 1 KiB body lives in memory unless forced to a file */
            return ngx_http_mtw_send_error(r, NGX_HTTP_BAD_REQUEST,
                                           "invalid_payload",
                                           "the body could not be read");
        }

        if (b->last > b->pos) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
        }
    }

    switch (ngx_http_mtw_vote_parse(r->pool, body, p - body, &ctx->id,
                                    &ctx->vote))
    {
    case NGX_HTTP_MTW_VOTE_OK:
        break;

    case NGX_HTTP_MTW_VOTE_NOT_JSON:
        return ngx_http_mtw_send_error(r, NGX_HTTP_BAD_REQUEST,
                                       "invalid_payload",
                                       "the body must be a JSON object");

    case NGX_HTTP_MTW_VOTE_NO_VEHICLE:
        return ngx_http_mtw_send_error(r, NGX_HTTP_MTW_UNPROCESSABLE,
                                       "invalid_vehicle",
                                       "vehicleId is required");

    case NGX_HTTP_MTW_VOTE_BAD_VEHICLE:
        return ngx_http_mtw_send_error(r, NGX_HTTP_MTW_UNPROCESSABLE,
                   "invalid_vehicle",
                   "vehicleId must be " NGX_HTTP_MTW_ID_RULE);

    case NGX_HTTP_MTW_VOTE_BAD_VOTE:
        return ngx_http_mtw_send_error(r, NGX_HTTP_MTW_UNPROCESSABLE,
                                       "invalid_vote",
                                       "vote must be one of: ahead, "
                                       "on_time, late");

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the client's address (IPv4 or IPv6 text), as a key part */
    client = r->connection->addr_text;

    if (ngx_http_mtw_valid_addr(&client) != NGX_OK) {
        ngx_str_set(&client, "other");
    }

    mlcf = ngx_http_get_module_loc_conf(r, ngx_http_mtw_module);

    vehicle = ngx_http_mtw_key(r, "mtw:%V:vehicle", &ctx->city);
    rl = ngx_http_mtw_key(r, "mtw:rl:feedback:%V", &client);
    fb = ngx_http_mtw_key(r, "mtw:%V:feedback:%V", &ctx->city, &ctx->id);
    voters = ngx_http_mtw_key(r, "mtw:%V:voters:%V", &ctx->city, &ctx->id);
    rate = ngx_pnalloc(r->pool, NGX_INT_T_LEN);

    if (vehicle == NULL || rl == NULL || fb == NULL || voters == NULL
        || rate == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));
    ngx_http_mtw_cmd_script(&cmd, &ngx_http_mtw_lua_vote, 4);
    ngx_http_mtw_cmd_arg(&cmd, (char *) vehicle->data, vehicle->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) rl->data, rl->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) fb->data, fb->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) voters->data, voters->len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) ctx->id.data, ctx->id.len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) ctx->vote.data, ctx->vote.len);
    ngx_http_mtw_cmd_arg(&cmd, (char *) rate,
                         ngx_sprintf(rate, "%ui", mlcf->feedback_rate)
                         - rate);
    ngx_http_mtw_cmd_arg(&cmd, (char *) client.data, client.len);

    return ngx_http_mtw_fetch_script(r, ctx, &ngx_http_mtw_lua_vote, &cmd,
                                     ngx_http_mtw_vote_done);
}


static ngx_int_t
ngx_http_mtw_vote_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_uint_t             i, retry;
    long long              counts[4];
    ngx_http_mtw_reply_t  *rep;

    rep = &ctx->replies[0];

    if (rep->type != REDIS_REPLY_ARRAY || rep->nelements == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "mtw: feedback script failed: %V", &rep->str);
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    switch (rep->element[0].integer) {

    case -3:
        return ngx_http_mtw_missing(r, ctx, NULL, NULL,
                                    ngx_http_mtw_missing_done);

    case -2:
        retry = 60 - ngx_time() % 60;

        if (rep->nelements > 1 && rep->element[1].integer > 0
            && rep->element[1].integer <= 60)
        {
            retry = (ngx_uint_t) rep->element[1].integer;
        }

        if (ngx_http_mtw_retry_after(r, retry) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_mtw_send_error(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                       "too_many_requests",
                                       "too many votes from this address, "
                                       "retry after a minute");

    case -4:
        return ngx_http_mtw_send_error(r, NGX_HTTP_CONFLICT,
                                       "already_voted",
                                       "this address has already voted on "
                                       "this vehicle's current trip");

    case -1:
        return ngx_http_mtw_send_error(r, NGX_HTTP_MTW_UNPROCESSABLE,
                                       "unknown_vehicle",
                                       "vehicleId is not a vehicle of the "
                                       "current snapshot");

    default:
        break;
    }

    if (rep->nelements != 5) {
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    for (i = 0; i < 4; i++) {
        counts[i] = rep->element[i + 1].integer;
    }

    return ngx_http_mtw_send_summary(r, ctx, counts);
}


ngx_int_t
ngx_http_mtw_feedback_get(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_str_t           *fb;
    ngx_http_mtw_cmd_t   cmd;

    fb = ngx_http_mtw_key(r, "mtw:%V:feedback:%V", &ctx->city, &ctx->id);
    if (fb == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&cmd, sizeof(ngx_http_mtw_cmd_t));
    ngx_http_mtw_cmd_str(&cmd, "HMGET");
    ngx_http_mtw_cmd_arg(&cmd, (char *) fb->data, fb->len);
    ngx_http_mtw_cmd_str(&cmd, "ahead");
    ngx_http_mtw_cmd_str(&cmd, "on_time");
    ngx_http_mtw_cmd_str(&cmd, "late");
    ngx_http_mtw_cmd_str(&cmd, "total");

    return ngx_http_mtw_fetch(r, ctx, &cmd, 1, ngx_http_mtw_summary_done);
}


static ngx_int_t
ngx_http_mtw_summary_done(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_int_t              n;
    ngx_uint_t             i;
    long long              counts[4];
    ngx_http_mtw_reply_t  *rep, *el;

    rep = &ctx->replies[0];

    if (rep->type != REDIS_REPLY_ARRAY || rep->nelements != 4) {
        return ngx_http_mtw_send_unavailable(r, 1, "redis_error",
                                             "the data store failed");
    }

    for (i = 0; i < 4; i++) {
        el = &rep->element[i];
        counts[i] = 0;

        if (ngx_http_mtw_reply_is_str(el)) {
            n = ngx_atoi(el->str.data, el->str.len);
            counts[i] = (n == NGX_ERROR) ? 0 : n;
        }
    }

    return ngx_http_mtw_send_summary(r, ctx, counts);
}


static ngx_int_t
ngx_http_mtw_send_summary(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx,
    long long *counts)
{
    json_t  *out;

    json_t  *summary;

    summary = json_pack("{s:I,s:I,s:I,s:I}",
                        "ahead", (json_int_t) counts[0],
                        "on_time", (json_int_t) counts[1],
                        "late", (json_int_t) counts[2],
                        "total", (json_int_t) counts[3]);

    if (r->method == NGX_HTTP_POST) {
        out = json_pack("{s:s%,s:s%,s:o}",
                        "vehicleId", ctx->id.data, ctx->id.len,
                        "vote", ctx->vote.data, ctx->vote.len,
                        "summary", summary);

    } else {
        out = json_pack("{s:s%,s:o}",
                        "vehicleId", ctx->id.data, ctx->id.len,
                        "summary", summary);
    }

    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_mtw_send_jansson(r, out, ctx->cache);
}
