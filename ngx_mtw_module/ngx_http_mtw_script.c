
/*
 * Lua scripts run in Redis by EVALSHA: the request carries the script's
 * SHA1, not its text; Redis runs its cached copy.  A Redis that does not
 * have it (restarted, flushed, failed over) answers NOSCRIPT, and the
 * request is sent again once with EVAL, which also caches the script for
 * the next ones.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_sha1.h>

#include "ngx_http_mtw_module.h"


static void ngx_http_mtw_script_sha(ngx_http_mtw_script_t *script);
static ngx_int_t ngx_http_mtw_script_reply(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);


/* The hex SHA1 of the script's text, computed once per process. */
static void
ngx_http_mtw_script_sha(ngx_http_mtw_script_t *script)
{
    u_char     digest[20];
    ngx_sha1_t sha1;

    if (script->sha[0] != '\0') {
        return;
    }

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, script->src, script->len);
    ngx_sha1_final(digest, &sha1);

    ngx_hex_dump(script->sha, digest, sizeof(digest));
    script->sha[40] = '\0';
}


/*
 * Starts the command: EVALSHA <sha> <nkeys>; the caller adds keys and
 * arguments, then sends it with ngx_http_mtw_fetch_script().
 */
void
ngx_http_mtw_cmd_script(ngx_http_mtw_cmd_t *cmd,
    ngx_http_mtw_script_t *script, ngx_uint_t nkeys)
{
    static const char  *digits[] = { "0", "1", "2", "3", "4", "5" };

    ngx_http_mtw_script_sha(script);

    ngx_http_mtw_cmd_str(cmd, "EVALSHA");
    ngx_http_mtw_cmd_arg(cmd, (char *) script->sha, 40);
    ngx_http_mtw_cmd_str(cmd, digits[nkeys < 5 ? nkeys : 5]);
}


ngx_int_t
ngx_http_mtw_fetch_script(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx,
    ngx_http_mtw_script_t *script, ngx_http_mtw_cmd_t *cmd,
    ngx_http_mtw_done_pt done)
{
    ngx_http_mtw_cmd_t  *saved;

    /* kept for a second send with EVAL, should Redis not know the SHA */
    saved = ngx_palloc(r->pool, sizeof(ngx_http_mtw_cmd_t));
    if (saved == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *saved = *cmd;
    ctx->script = script;
    ctx->script_cmd = saved;
    ctx->script_done = done;

    return ngx_http_mtw_fetch(r, ctx, cmd, 1, ngx_http_mtw_script_reply);
}


static ngx_int_t
ngx_http_mtw_script_reply(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx)
{
    ngx_http_mtw_cmd_t    *cmd;
    ngx_http_mtw_reply_t  *rep;

    rep = &ctx->replies[0];
    cmd = ctx->script_cmd;

    if (rep->type == REDIS_REPLY_ERROR && rep->str.len >= 8
        && ngx_strncmp(rep->str.data, "NOSCRIPT", 8) == 0
        && cmd != NULL)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "mtw: script %s not cached in Redis, sending it",
                       ctx->script->sha);

        ctx->script_cmd = NULL;         /* once */

        cmd->argv[0] = "EVAL";
        cmd->argvlen[0] = sizeof("EVAL") - 1;
        cmd->argv[1] = ctx->script->src;
        cmd->argvlen[1] = ctx->script->len;

        return ngx_http_mtw_fetch(r, ctx, cmd, 1, ctx->script_done);
    }

    return ctx->script_done(r, ctx);
}
