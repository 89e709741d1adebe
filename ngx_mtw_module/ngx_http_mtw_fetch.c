/*
 * ngx_http_mtw_fetch.c - one Redis round trip of a request.
 *
 * A request sends a small batch of commands (one pipelined write) and
 * waits for all their replies, at most mtw_redis_timeout: then it answers
 * 503 by itself.  The commands carry a ticket, allocated outside the
 * request pool, that points back to the request; the request's pool
 * cleanup (client gone, request finalized) and its timeout clear that
 * pointer, so a late reply finds an empty ticket and is dropped without
 * touching freed memory.  The last reply of a batch frees the ticket.
 */

#include "ngx_http_mtw_module.h"


struct ngx_http_mtw_ticket_s {
    ngx_http_mtw_ctx_t        *ctx;         /* NULL: nobody waits */
    ngx_uint_t                 refs;        /* replies still to come */
    ngx_uint_t                 next;        /* index of the next reply */
    ngx_uint_t                 failed;
};


static void ngx_http_mtw_fetch_reply(void *reply, void *data);
static void ngx_http_mtw_fetch_timeout(ngx_event_t *ev);
static void ngx_http_mtw_fetch_cleanup(void *data);
static void ngx_http_mtw_fetch_detach(ngx_http_mtw_ctx_t *ctx);
static void ngx_http_mtw_fetch_finish(ngx_http_request_t *r, ngx_int_t rc);


ngx_http_mtw_ctx_t *
ngx_http_mtw_ctx_create(ngx_http_request_t *r)
{
    ngx_http_mtw_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_mtw_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ctx->request = r;
    ngx_http_set_ctx(r, ctx, ngx_http_mtw_module);

    return ctx;
}


void
ngx_http_mtw_cmd_arg(ngx_http_mtw_cmd_t *cmd, const char *arg, size_t len)
{
    if (cmd->argc < NGX_HTTP_MTW_MAX_ARGS) {
        cmd->argv[cmd->argc] = arg;
        cmd->argvlen[cmd->argc] = len;
        cmd->argc++;
    }
}


void
ngx_http_mtw_cmd_str(ngx_http_mtw_cmd_t *cmd, const char *arg)
{
    ngx_http_mtw_cmd_arg(cmd, arg, ngx_strlen(arg));
}


/*
 * A key from a format of ngx_sprintf(); callers pass only validated
 * values (city slugs, ids checked by ngx_http_mtw_valid_id()).
 */
ngx_str_t *
ngx_http_mtw_key(ngx_http_request_t *r, const char *fmt, ...)
{
    u_char     *p, buf[256];
    va_list     args;
    ngx_str_t  *key;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);
    va_end(args);

    key = ngx_palloc(r->pool, sizeof(ngx_str_t));
    if (key == NULL) {
        return NULL;
    }

    key->len = p - buf;
    key->data = ngx_pnalloc(r->pool, key->len);
    if (key->data == NULL) {
        return NULL;
    }

    ngx_memcpy(key->data, buf, key->len);

    return key;
}


/*
 * Sends the batch; done(r, ctx) runs when every reply is in (replies in
 * ctx->replies[0..n-1]).  Returns NGX_DONE while waiting, or the rc of
 * the 503 already sent when Redis is unavailable.  done() may itself call
 * ngx_http_mtw_fetch() again and return NGX_DONE.
 */
ngx_int_t
ngx_http_mtw_fetch(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx,
    ngx_http_mtw_cmd_t *cmds, ngx_uint_t n, ngx_http_mtw_done_pt done)
{
    ngx_int_t                  rc;
    ngx_uint_t                 sent;
    ngx_pool_cleanup_t        *cln;
    ngx_http_mtw_ticket_t     *ticket;
    ngx_http_mtw_main_conf_t  *mcf;

    mcf = ngx_http_get_module_main_conf(r, ngx_http_mtw_module);

    if (!ctx->cleanup) {
        cln = ngx_pool_cleanup_add(r->pool, 0);
        if (cln == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        cln->handler = ngx_http_mtw_fetch_cleanup;
        cln->data = ctx;
        ctx->cleanup = 1;
    }

    ticket = ngx_alloc(sizeof(ngx_http_mtw_ticket_t), r->connection->log);
    if (ticket == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ticket->ctx = ctx;
    ticket->refs = 0;
    ticket->next = 0;
    ticket->failed = 0;

    ngx_memzero(ctx->replies, sizeof(ctx->replies));
    ctx->nreplies = n;
    ctx->done = done;

    rc = ngx_http_mtw_redis_send(r->connection->log, cmds, n,
                                 ngx_http_mtw_fetch_reply, ticket, &sent);

    ticket->refs = sent;

    if (rc != NGX_OK) {
        if (sent == 0) {
            ngx_free(ticket);

        } else {
            ticket->ctx = NULL;     /* the queued replies free it */
        }

        return ngx_http_mtw_send_unavailable(r,
                   ngx_http_mtw_redis_retry_after(), "redis_unavailable",
                   "the data store is unavailable, retry shortly");
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "mtw fetch: sent %ui command(s) for \"%V\", ticket %p",
                   n, &r->uri, ticket);

    ctx->ticket = ticket;

    ctx->timer.handler = ngx_http_mtw_fetch_timeout;
    ctx->timer.data = ctx;
    ctx->timer.log = r->connection->log;
    ngx_add_timer(&ctx->timer, mcf->timeout);

    if (!ctx->counted) {
        r->main->count++;
        ctx->counted = 1;
    }

    /* notice a client that goes away while we wait */
    r->read_event_handler = ngx_http_test_reading;

    return NGX_DONE;
}


static void
ngx_http_mtw_fetch_reply(void *reply, void *data)
{
    ngx_http_mtw_ticket_t  *ticket = data;

    ngx_int_t             rc;
    ngx_uint_t            i;
    ngx_http_request_t   *r;
    ngx_http_mtw_ctx_t   *ctx;

    ticket->refs--;
    i = ticket->next++;
    ctx = ticket->ctx;

    if (ctx == NULL) {
        /* the request went away (timeout, client gone): drop the reply */
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                       "mtw fetch: late reply %ui for ticket %p dropped",
                       i, ticket);

        if (ticket->refs == 0) {
            ngx_free(ticket);
        }

        return;
    }

    r = ctx->request;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "mtw fetch: reply %ui of %ui, type %d, %ui to come",
                   i + 1, ctx->nreplies,
                   reply ? ((redisReply *) reply)->type : -1, ticket->refs);

    if (reply == NULL
        || ngx_http_mtw_reply_copy(r->pool, &ctx->replies[i], reply, 0)
           != NGX_OK)
    {
        ticket->failed = 1;
    }

    if (ticket->refs > 0) {
        return;
    }

    ngx_http_mtw_fetch_detach(ctx);

    if (ticket->failed) {
        ngx_free(ticket);
        rc = ngx_http_mtw_send_unavailable(r,
                 ngx_http_mtw_redis_retry_after(), "redis_unavailable",
                 "the data store is unavailable, retry shortly");

    } else {
        ngx_free(ticket);
        rc = ctx->done(r, ctx);

        if (rc == NGX_DONE) {
            return;             /* another round trip is under way */
        }
    }

    ngx_http_mtw_fetch_finish(r, rc);
}


static void
ngx_http_mtw_fetch_timeout(ngx_event_t *ev)
{
    ngx_http_mtw_ctx_t  *ctx = ev->data;

    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = ctx->request;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "mtw fetch: timeout, ticket %p", ctx->ticket);

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "mtw: Redis did not answer within mtw_redis_timeout");

    ngx_http_mtw_fetch_detach(ctx);
    ngx_http_mtw_redis_check_stall(r->connection->log);

    rc = ngx_http_mtw_send_unavailable(r, 1, "redis_timeout",
             "the data store did not answer in time, retry shortly");

    ngx_http_mtw_fetch_finish(r, rc);
}


static void
ngx_http_mtw_fetch_finish(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t  *c;

    c = r->connection;

    r->read_event_handler = ngx_http_block_reading;

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* The request stops waiting: its ticket (if any) now belongs to Redis. */
static void
ngx_http_mtw_fetch_detach(ngx_http_mtw_ctx_t *ctx)
{
    if (ctx->ticket != NULL) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ctx->request->connection->log, 0,
                       "mtw fetch: detach from ticket %p", ctx->ticket);

        ctx->ticket->ctx = NULL;
        ctx->ticket = NULL;
    }

    if (ctx->timer.timer_set) {
        ngx_del_timer(&ctx->timer);
    }
}


static void
ngx_http_mtw_fetch_cleanup(void *data)
{
    ngx_http_mtw_ctx_t  *ctx = data;

    ngx_http_mtw_fetch_detach(ctx);
}

