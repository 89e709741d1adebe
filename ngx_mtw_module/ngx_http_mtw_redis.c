/*
 * ngx_http_mtw_redis.c - the nginx worker's one Redis connection.
 *
 * Every request of a worker process shares one pipelined hiredis async
 * connection (replies come back in command order, so no request waits for
 * a connection of its own).  It is opened lazily by the first request that
 * needs Redis; after a failure the next attempt waits a backoff (100 ms,
 * doubling to 2 s) and requests meanwhile get 503 at once.  The address is
 * numeric or a unix socket (names were resolved when the configuration was
 * read; hiredis' getaddrinfo() then only parses the numeric text, no
 * lookup, no file read), so connecting never blocks.  A connection that
 * stops answering (no reply for a whole mtw_redis_timeout while commands
 * are pending) is dropped and opened again, so a hung Redis cannot pile
 * up requests.  A connection that served for a while and is closed is
 * opened again at once; only young failures back off.
 */

#include "ngx_http_mtw_module.h"
#include "ngx_http_mtw_redis_adapter.h"


#define NGX_HTTP_MTW_BACKOFF_MIN  100
#define NGX_HTTP_MTW_BACKOFF_MAX  2000


typedef struct {
    redisAsyncContext         *ac;
    ngx_uint_t                 connected;
    ngx_event_t                connect_timer;
    ngx_msec_t                 next_attempt;
    ngx_msec_t                 backoff;
    ngx_msec_t                 last_activity;
    ngx_msec_t                 connected_at;
    ngx_log_t                 *log;
    ngx_http_mtw_main_conf_t  *mcf;
} ngx_http_mtw_redis_t;


static redisAsyncContext *ngx_http_mtw_redis_get(ngx_log_t *log);
static void ngx_http_mtw_redis_connect_cb(const redisAsyncContext *ac,
    int status);
static void ngx_http_mtw_redis_disconnect_cb(const redisAsyncContext *ac,
    int status);
static void ngx_http_mtw_redis_auth_cb(redisAsyncContext *ac, void *reply,
    void *privdata);
static void ngx_http_mtw_redis_connect_timeout(ngx_event_t *ev);
static void ngx_http_mtw_redis_drop(const char *why);
static void ngx_http_mtw_redis_backoff(void);


/* per worker process: the one connection and its state */
static ngx_http_mtw_redis_t  ngx_http_mtw_redis;


ngx_int_t
ngx_http_mtw_redis_init_process(ngx_cycle_t *cycle)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    ngx_memzero(rd, sizeof(ngx_http_mtw_redis_t));

    rd->log = cycle->log;
    rd->mcf = ngx_http_cycle_get_module_main_conf(cycle,
                                                  ngx_http_mtw_module);

    rd->connect_timer.handler = ngx_http_mtw_redis_connect_timeout;
    rd->connect_timer.log = cycle->log;
    rd->connect_timer.data = rd;
    rd->connect_timer.cancelable = 1;

    rd->next_attempt = ngx_current_msec;

    return NGX_OK;
}


void
ngx_http_mtw_redis_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    redisAsyncContext  *ac;

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    ac = rd->ac;

    if (ac != NULL) {
        rd->ac = NULL;
        rd->connected = 0;
        redisAsyncFree(ac);
    }
}


/*
 * Queues n commands for one request, all with the same callback and
 * privdata.  Returns NGX_OK when all were queued, NGX_DECLINED when Redis
 * is unavailable (nothing queued) and NGX_ERROR when only *sent of them
 * could be queued.
 */
ngx_int_t
ngx_http_mtw_redis_send(ngx_log_t *log, ngx_http_mtw_cmd_t *cmds,
    ngx_uint_t n, redisCallbackFn *cb, void *privdata, ngx_uint_t *sent)
{
    ngx_uint_t          i;
    redisAsyncContext  *ac;

    *sent = 0;

    ac = ngx_http_mtw_redis_get(log);
    if (ac == NULL) {
        return NGX_DECLINED;
    }

    if (ac->replies.head == NULL) {
        /* an idle connection: the stall clock starts now */
        ngx_http_mtw_redis.last_activity = ngx_current_msec;
    }

    for (i = 0; i < n; i++) {
        if (redisAsyncCommandArgv(ac, cb, privdata, cmds[i].argc,
                                  cmds[i].argv, cmds[i].argvlen)
            != REDIS_OK)
        {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "mtw redis: cannot queue a command: %s",
                          ac->errstr[0] ? ac->errstr : "disconnecting");
            return i == 0 ? NGX_DECLINED : NGX_ERROR;
        }

        (*sent)++;
    }

    return NGX_OK;
}


/* Called by every reply: the connection is alive. */
void
ngx_http_mtw_redis_replied(void)
{
    ngx_http_mtw_redis.last_activity = ngx_current_msec;
}


/*
 * A request timed out.  When the connection has had commands pending and
 * no reply for a whole timeout, Redis is hung or the network is: drop the
 * connection (pending requests get their 503 now) and open a new one on
 * the next request.
 */
void
ngx_http_mtw_redis_check_stall(ngx_log_t *log)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    if (rd->ac == NULL || rd->ac->replies.head == NULL) {
        return;
    }

    if (ngx_current_msec - rd->last_activity < rd->mcf->timeout) {
        return;
    }

    ngx_http_mtw_redis_drop("no reply within mtw_redis_timeout");
}


/* Seconds a client should wait before retrying while Redis is down. */
ngx_uint_t
ngx_http_mtw_redis_retry_after(void)
{
    ngx_msec_int_t  wait;

    wait = (ngx_msec_int_t) (ngx_http_mtw_redis.next_attempt
                             - ngx_current_msec);

    if (wait <= 1000) {
        return 1;
    }

    return (wait + 999) / 1000;
}


static redisAsyncContext *
ngx_http_mtw_redis_get(ngx_log_t *log)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    redisAsyncContext         *ac;
    ngx_http_mtw_main_conf_t  *mcf;

    if (rd->ac != NULL) {
        if (rd->ac->c.flags & (REDIS_DISCONNECTING|REDIS_FREEING)) {
            return NULL;
        }

        return rd->ac;
    }

    if ((ngx_msec_int_t) (rd->next_attempt - ngx_current_msec) > 0) {
        return NULL;
    }

    mcf = rd->mcf;

    if (mcf->unix_path) {
        ac = redisAsyncConnectUnix((char *) mcf->unix_path);

    } else {
        ac = redisAsyncConnect((char *) mcf->host, mcf->port);
    }

    if (ac == NULL) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "mtw redis: cannot allocate a connection to %V",
                      &mcf->addr);
        ngx_http_mtw_redis_backoff();
        return NULL;
    }

    if (ac->err) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "mtw redis: cannot connect to %V: %s",
                      &mcf->addr, ac->errstr);
        redisAsyncFree(ac);
        ngx_http_mtw_redis_backoff();
        return NULL;
    }

    if (ngx_http_mtw_redis_attach(ac, rd->log) != NGX_OK) {
        redisAsyncFree(ac);
        ngx_http_mtw_redis_backoff();
        return NULL;
    }

    redisAsyncSetConnectCallback(ac, ngx_http_mtw_redis_connect_cb);
    redisAsyncSetDisconnectCallback(ac, ngx_http_mtw_redis_disconnect_cb);

    rd->ac = ac;
    rd->connected = 0;
    rd->last_activity = ngx_current_msec;

    /* the connect completes when the socket becomes writable */
    ac->ev.addWrite(ac->ev.data);

    ngx_add_timer(&rd->connect_timer, mcf->connect_timeout);

    if (mcf->password.len) {
        const char  *argv[2];
        size_t       argvlen[2];

        argv[0] = "AUTH";
        argvlen[0] = 4;
        argv[1] = (const char *) mcf->password.data;
        argvlen[1] = mcf->password.len;

        if (redisAsyncCommandArgv(ac, ngx_http_mtw_redis_auth_cb, NULL, 2,
                                  argv, argvlen)
            != REDIS_OK)
        {
            ngx_http_mtw_redis_drop("cannot queue AUTH");
            return NULL;
        }
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log, 0,
                   "mtw redis: connecting to %V", &mcf->addr);

    return ac;
}


static void
ngx_http_mtw_redis_connect_cb(const redisAsyncContext *ac, int status)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    if (ac != rd->ac) {
        return;
    }

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "mtw redis: cannot connect to %V: %s",
                      &rd->mcf->addr, ac->errstr);

        /* hiredis frees the context when this callback returns */
        rd->ac = NULL;
        ngx_http_mtw_redis_backoff();
        return;
    }

    if (rd->backoff) {
        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "mtw redis: connected to %V again", &rd->mcf->addr);
    }

    rd->connected = 1;
    rd->backoff = 0;
    rd->connected_at = ngx_current_msec;
    rd->last_activity = ngx_current_msec;
}


static void
ngx_http_mtw_redis_disconnect_cb(const redisAsyncContext *ac, int status)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    if (ac != rd->ac) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                  "mtw redis: connection to %V lost: %s",
                  &rd->mcf->addr, ac->errstr[0] ? ac->errstr : "closed");

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    rd->ac = NULL;

    /*
     * A connection that served for a while (closed by an idle timeout, a
     * failover, a restart) is opened again by the next request at once; one
     * that dies young backs off, so a server that accepts and drops cannot
     * be hammered at the request rate.
     */
    if (rd->connected
        && ngx_current_msec - rd->connected_at >= NGX_HTTP_MTW_BACKOFF_MAX)
    {
        rd->backoff = 0;
        rd->next_attempt = ngx_current_msec;

    } else {
        ngx_http_mtw_redis_backoff();
    }

    rd->connected = 0;
}


static void
ngx_http_mtw_redis_auth_cb(redisAsyncContext *ac, void *reply,
    void *privdata)
{
    redisReply  *rep = reply;

    if (rep == NULL || ac != ngx_http_mtw_redis.ac) {
        return;
    }

    if (rep->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, ngx_http_mtw_redis.log, 0,
                      "mtw redis: AUTH refused by %V (check "
                      "mtw_redis_password): %*s",
                      &ngx_http_mtw_redis.mcf->addr, (size_t) rep->len,
                      rep->str);
        ngx_http_mtw_redis_drop("AUTH refused");
    }
}


static void
ngx_http_mtw_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_http_mtw_redis_t  *rd = ev->data;

    if (rd->ac == NULL || rd->connected) {
        return;
    }

    ngx_http_mtw_redis_drop("connect timed out (mtw_redis_connect_timeout)");
}


/* Closes the connection now; pending commands' callbacks get NULL. */
static void
ngx_http_mtw_redis_drop(const char *why)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    redisAsyncContext  *ac;

    ac = rd->ac;
    if (ac == NULL) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                  "mtw redis: closing the connection to %V: %s",
                  &rd->mcf->addr, why);

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    rd->ac = NULL;
    rd->connected = 0;
    ngx_http_mtw_redis_backoff();

    /* inside a hiredis callback this only marks the context for freeing */
    redisAsyncFree(ac);
}


static void
ngx_http_mtw_redis_backoff(void)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    if (rd->backoff == 0) {
        rd->backoff = NGX_HTTP_MTW_BACKOFF_MIN;

    } else {
        rd->backoff = ngx_min(rd->backoff * 2, NGX_HTTP_MTW_BACKOFF_MAX);
    }

    rd->next_attempt = ngx_current_msec + rd->backoff;
}
