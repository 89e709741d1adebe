/*
 * ngx_http_mtw_redis.c - the nginx worker's Redis connections: the one
 * every request shares, and the subscription that keeps mtw_cache fresh.
 *
 * Every request of a worker process shares one pipelined connection
 * (replies come back in command order, so no request waits for a
 * connection of its own).  The socket is nginx's own (ngx_event_connect_
 * peer), read and written through c->recv / c->send, which are nginx's SSL
 * layer when mtw_redis_tls is on; hiredis only formats the commands and
 * reads the replies.  Commands queued in one turn of the event loop leave
 * in one write.
 *
 * It is opened lazily by the first request that needs Redis; after a
 * failure the next attempt waits a backoff (100 ms, doubling to 2 s) and
 * requests meanwhile get 503 at once.  The address was resolved when the
 * configuration was read, so connecting never blocks.  A connection that
 * stops answering (no reply for a whole mtw_redis_timeout while commands
 * are pending) is dropped and opened again, so a hung Redis cannot pile
 * up requests.  A connection that served for a while and is closed is
 * opened again at once; only young failures back off.
 */

#include "ngx_http_mtw_module.h"


#define NGX_HTTP_MTW_BACKOFF_MIN  100
#define NGX_HTTP_MTW_BACKOFF_MAX  2000
#define NGX_HTTP_MTW_READ_CHUNK   16384
/* an output buffer grown past this by a burst is given back when empty */
#define NGX_HTTP_MTW_OBUF_KEEP    65536


typedef struct ngx_http_mtw_pending_s  ngx_http_mtw_pending_t;

/* a command written or to be written, waiting for its reply */
struct ngx_http_mtw_pending_s {
    ngx_http_mtw_redis_handler_pt   handler;
    void                           *data;
    ngx_http_mtw_pending_t         *next;
};


typedef struct ngx_http_mtw_redis_s  ngx_http_mtw_redis_t;

struct ngx_http_mtw_redis_s {
    const char                *role;        /* "", "subscription " */
    ngx_peer_connection_t      peer;
    ngx_connection_t          *c;           /* NULL: no connection */
    ngx_uint_t                 ready;       /* connected, TLS done */
    ngx_uint_t                 connected;   /* for the backoff rule */
    redisReader               *reader;

    u_char                    *obuf;        /* formatted commands */
    size_t                     olen;
    size_t                     osent;
    size_t                     ocap;

    ngx_http_mtw_pending_t    *head;        /* oldest first */
    ngx_http_mtw_pending_t    *tail;
    ngx_http_mtw_pending_t    *free;
    ngx_uint_t                 npending;

    u_char                    *rbuf;        /* NGX_HTTP_MTW_READ_CHUNK */
    ngx_event_t                connect_timer;
    ngx_msec_t                 next_attempt;
    ngx_msec_t                 backoff;
    ngx_msec_t                 last_activity;
    ngx_msec_t                 connected_at;
    ngx_log_t                 *log;
    ngx_http_mtw_main_conf_t  *mcf;

    /* the subscription: pushed messages, and whether it is live */
    ngx_http_mtw_redis_handler_pt  on_push;
    ngx_uint_t                 subscribed;
};


static void ngx_http_mtw_redis_instance(ngx_http_mtw_redis_t *rd,
    ngx_cycle_t *cycle, const char *role);
static void ngx_http_mtw_redis_release(ngx_http_mtw_redis_t *rd);
static ngx_int_t ngx_http_mtw_redis_connect(ngx_http_mtw_redis_t *rd);
static ngx_int_t ngx_http_mtw_redis_queue(ngx_http_mtw_redis_t *rd,
    ngx_http_mtw_cmd_t *cmd, ngx_http_mtw_redis_handler_pt handler,
    void *data);
static void ngx_http_mtw_redis_write_handler(ngx_event_t *wev);
static void ngx_http_mtw_redis_read_handler(ngx_event_t *rev);
static ngx_int_t ngx_http_mtw_redis_test_connect(ngx_http_mtw_redis_t *rd,
    ngx_connection_t *c);
#if (NGX_SSL)
static void ngx_http_mtw_redis_tls_start(ngx_http_mtw_redis_t *rd,
    ngx_connection_t *c);
static void ngx_http_mtw_redis_tls_done(ngx_connection_t *c);
#endif
static void ngx_http_mtw_redis_ready(ngx_http_mtw_redis_t *rd);
static void ngx_http_mtw_redis_flush(ngx_http_mtw_redis_t *rd);
static void ngx_http_mtw_redis_dispatch(ngx_http_mtw_redis_t *rd,
    ngx_connection_t *c);
static void ngx_http_mtw_redis_auth_done(void *reply, void *data);
static void ngx_http_mtw_redis_connect_timeout(ngx_event_t *ev);
static void ngx_http_mtw_redis_close(ngx_http_mtw_redis_t *rd,
    const char *why, ngx_uint_t lost);
static void ngx_http_mtw_redis_backoff(ngx_http_mtw_redis_t *rd);
static void ngx_http_mtw_redis_subscribed(void *reply, void *data);
static void ngx_http_mtw_redis_published(void *reply, void *data);


/* per worker process: the connection the requests share, and the one
 * subscribed to the worker's publish announcements (mtw_cache only) */
static ngx_http_mtw_redis_t  ngx_http_mtw_redis;
static ngx_http_mtw_redis_t  ngx_http_mtw_notify;


ngx_int_t
ngx_http_mtw_redis_init_process(ngx_cycle_t *cycle)
{
    ngx_http_mtw_redis_instance(&ngx_http_mtw_redis, cycle, "");
    ngx_http_mtw_redis_instance(&ngx_http_mtw_notify, cycle,
                                "subscription ");
    ngx_http_mtw_notify.on_push = ngx_http_mtw_redis_published;

    if (ngx_http_mtw_redis.rbuf == NULL || ngx_http_mtw_notify.rbuf == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_mtw_redis_instance(ngx_http_mtw_redis_t *rd, ngx_cycle_t *cycle,
    const char *role)
{
    ngx_memzero(rd, sizeof(ngx_http_mtw_redis_t));

    rd->role = role;
    rd->log = cycle->log;
    rd->mcf = ngx_http_cycle_get_module_main_conf(cycle,
                                                  ngx_http_mtw_module);

    rd->rbuf = ngx_alloc(NGX_HTTP_MTW_READ_CHUNK, cycle->log);

    rd->connect_timer.handler = ngx_http_mtw_redis_connect_timeout;
    rd->connect_timer.log = cycle->log;
    rd->connect_timer.data = rd;
    rd->connect_timer.cancelable = 1;

    rd->next_attempt = ngx_current_msec;
}


void
ngx_http_mtw_redis_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_mtw_redis_release(&ngx_http_mtw_notify);
    ngx_http_mtw_redis_release(&ngx_http_mtw_redis);
}


static void
ngx_http_mtw_redis_release(ngx_http_mtw_redis_t *rd)
{
    ngx_http_mtw_pending_t  *p;

    if (rd->c != NULL) {
        ngx_http_mtw_redis_close(rd, "the worker process exits", 0);
    }

    while (rd->free != NULL) {
        p = rd->free;
        rd->free = p->next;
        ngx_free(p);
    }

    if (rd->reader != NULL) {
        redisReaderFree(rd->reader);
        rd->reader = NULL;
    }

    if (rd->obuf != NULL) {
        ngx_free(rd->obuf);
        rd->obuf = NULL;
    }

    if (rd->rbuf != NULL) {
        ngx_free(rd->rbuf);
        rd->rbuf = NULL;
    }
}


/*
 * Queues n commands for one request, all with the same handler and data.
 * Returns NGX_OK when all were queued, NGX_DECLINED when Redis is
 * unavailable (nothing queued) and NGX_ERROR when only *sent of them
 * could be queued.
 */
ngx_int_t
ngx_http_mtw_redis_send(ngx_log_t *log, ngx_http_mtw_cmd_t *cmds,
    ngx_uint_t n, ngx_http_mtw_redis_handler_pt handler, void *data,
    ngx_uint_t *sent)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_redis;

    ngx_uint_t  i;

    *sent = 0;

    if (rd->c == NULL && ngx_http_mtw_redis_connect(rd) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (rd->npending == 0) {
        /* an idle connection: the stall clock starts now */
        rd->last_activity = ngx_current_msec;
    }

    for (i = 0; i < n; i++) {
        if (ngx_http_mtw_redis_queue(rd, &cmds[i], handler, data) != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "mtw redis: cannot queue a command (out of "
                          "memory)");
            return i == 0 ? NGX_DECLINED : NGX_ERROR;
        }

        (*sent)++;
    }

    /* written once per turn of the event loop, with the other requests' */
    if (rd->ready && !rd->c->write->posted) {
        ngx_post_event(rd->c->write, &ngx_posted_events);
    }

    return NGX_OK;
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

    if (rd->c == NULL || rd->npending == 0) {
        return;
    }

    if (ngx_current_msec - rd->last_activity < rd->mcf->timeout) {
        return;
    }

    ngx_http_mtw_redis_close(rd, "no reply within mtw_redis_timeout", 0);
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


/* Opens the connection; AUTH is the first command on it. */
static ngx_int_t
ngx_http_mtw_redis_connect(ngx_http_mtw_redis_t *rd)
{
    ngx_int_t                  rc;
    ngx_connection_t          *c;
    ngx_http_mtw_cmd_t         auth;
    ngx_http_mtw_main_conf_t  *mcf;

    if ((ngx_msec_int_t) (rd->next_attempt - ngx_current_msec) > 0) {
        return NGX_DECLINED;
    }

    mcf = rd->mcf;

    if (rd->reader == NULL) {
        rd->reader = redisReaderCreate();
        if (rd->reader == NULL) {
            ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                          "mtw redis: cannot allocate a reply reader");
            ngx_http_mtw_redis_backoff(rd);
            return NGX_ERROR;
        }
    }

    ngx_memzero(&rd->peer, sizeof(ngx_peer_connection_t));
    rd->peer.sockaddr = mcf->peer.sockaddr;
    rd->peer.socklen = mcf->peer.socklen;
    rd->peer.name = &mcf->addr;
    rd->peer.get = ngx_event_get_peer;
    rd->peer.log = rd->log;
    rd->peer.log_error = NGX_ERROR_ERR;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "mtw redis: %sconnecting to %V", rd->role, &mcf->addr);

    rc = ngx_event_connect_peer(&rd->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        /* nginx logged the connect() error with the address */
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "mtw redis: %scannot connect to %V", rd->role,
                      &mcf->addr);
        ngx_http_mtw_redis_backoff(rd);
        return NGX_DECLINED;
    }

    c = rd->peer.connection;

    c->pool = ngx_create_pool(512, rd->log);
    if (c->pool == NULL) {
        ngx_close_connection(c);
        ngx_http_mtw_redis_backoff(rd);
        return NGX_ERROR;
    }

    c->data = rd;
    c->log = rd->log;
    c->read->log = rd->log;
    c->write->log = rd->log;
    c->read->handler = ngx_http_mtw_redis_read_handler;
    c->write->handler = ngx_http_mtw_redis_write_handler;

    rd->c = c;
    rd->ready = 0;
    rd->connected = 0;
    rd->last_activity = ngx_current_msec;
    rd->olen = 0;
    rd->osent = 0;

    if (mcf->password.len) {
        auth.argc = 0;
        auth.argv[auth.argc] = "AUTH";
        auth.argvlen[auth.argc++] = 4;

        if (mcf->user.len) {
            auth.argv[auth.argc] = (const char *) mcf->user.data;
            auth.argvlen[auth.argc++] = mcf->user.len;
        }

        auth.argv[auth.argc] = (const char *) mcf->password.data;
        auth.argvlen[auth.argc++] = mcf->password.len;

        if (ngx_http_mtw_redis_queue(rd, &auth,
                                     ngx_http_mtw_redis_auth_done, rd)
            != NGX_OK)
        {
            ngx_http_mtw_redis_close(rd, "cannot queue AUTH", 0);
            return NGX_ERROR;
        }
    }

    if (rd->on_push != NULL) {
        /* the subscription's one command: the worker's announcements */
        auth.argc = 2;
        auth.argv[0] = "SUBSCRIBE";
        auth.argvlen[0] = sizeof("SUBSCRIBE") - 1;
        auth.argv[1] = NGX_HTTP_MTW_PUBLISHED_CHANNEL;
        auth.argvlen[1] = sizeof(NGX_HTTP_MTW_PUBLISHED_CHANNEL) - 1;

        if (ngx_http_mtw_redis_queue(rd, &auth,
                                     ngx_http_mtw_redis_subscribed, rd)
            != NGX_OK)
        {
            ngx_http_mtw_redis_close(rd, "cannot queue SUBSCRIBE", 0);
            return NGX_ERROR;
        }
    }

    /* connect, TLS handshake and the first reply of AUTH, all bounded */
    ngx_add_timer(&rd->connect_timer, mcf->connect_timeout);

    if (rc == NGX_OK) {
        /* a unix socket connects at once */
        ngx_http_mtw_redis_write_handler(c->write);
        return rd->c != NULL ? NGX_OK : NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_mtw_redis_queue(ngx_http_mtw_redis_t *rd, ngx_http_mtw_cmd_t *cmd,
    ngx_http_mtw_redis_handler_pt handler, void *data)
{
    int                      len;
    char                    *text;
    size_t                   cap;
    u_char                  *buf;
    ngx_http_mtw_pending_t  *p;

    p = rd->free;

    if (p != NULL) {
        rd->free = p->next;

    } else {
        p = ngx_alloc(sizeof(ngx_http_mtw_pending_t), rd->log);
        if (p == NULL) {
            return NGX_ERROR;
        }
    }

    len = redisFormatCommandArgv(&text, (int) cmd->argc, cmd->argv,
                                 cmd->argvlen);
    if (len < 0) {
        p->next = rd->free;
        rd->free = p;
        return NGX_ERROR;
    }

    if (rd->olen + len > rd->ocap) {
        cap = ngx_max(rd->ocap * 2, 4096);

        while (cap < rd->olen + len) {
            cap *= 2;
        }

        buf = ngx_alloc(cap, rd->log);
        if (buf == NULL) {
            redisFreeCommand(text);
            p->next = rd->free;
            rd->free = p;
            return NGX_ERROR;
        }

        if (rd->obuf != NULL) {
            ngx_memcpy(buf, rd->obuf, rd->olen);
            ngx_free(rd->obuf);
        }

        rd->obuf = buf;
        rd->ocap = cap;
    }

    ngx_memcpy(rd->obuf + rd->olen, text, len);
    rd->olen += len;
    redisFreeCommand(text);

    p->handler = handler;
    p->data = data;
    p->next = NULL;

    if (rd->tail != NULL) {
        rd->tail->next = p;

    } else {
        rd->head = p;
    }

    rd->tail = p;
    rd->npending++;

    return NGX_OK;
}


static void
ngx_http_mtw_redis_write_handler(ngx_event_t *wev)
{
    ngx_connection_t      *c = wev->data;
    ngx_http_mtw_redis_t  *rd = c->data;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: writable, fd:%d", c->fd);

    if (rd->ready) {
        ngx_http_mtw_redis_flush(rd);
        return;
    }

    /* still connecting: the socket is writable once connect() is done */
    if (ngx_http_mtw_redis_test_connect(rd, c) != NGX_OK) {
        ngx_http_mtw_redis_close(rd, "connect failed", 0);
        return;
    }

#if (NGX_SSL)
    if (rd->mcf->ssl != NULL) {
        ngx_http_mtw_redis_tls_start(rd, c);
        return;
    }
#endif

    ngx_http_mtw_redis_ready(rd);
}


static ngx_int_t
ngx_http_mtw_redis_test_connect(ngx_http_mtw_redis_t *rd,
    ngx_connection_t *c)
{
    int        err;
    socklen_t  len;

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    if (err) {
        ngx_log_error(NGX_LOG_ERR, c->log, err,
                      "mtw redis: %sconnect() to %V failed", rd->role,
                      &rd->mcf->addr);
        return NGX_ERROR;
    }

    return NGX_OK;
}


#if (NGX_SSL)

static void
ngx_http_mtw_redis_tls_start(ngx_http_mtw_redis_t *rd, ngx_connection_t *c)
{
    ngx_int_t                  rc;
    ngx_http_mtw_main_conf_t  *mcf = rd->mcf;

    if (ngx_ssl_create_connection(mcf->ssl, c, NGX_SSL_CLIENT) != NGX_OK) {
        ngx_http_mtw_redis_close(rd, "cannot start TLS", 0);
        return;
    }

    /* SNI: ElastiCache and proxies pick the certificate by name */
    if (mcf->tls_name_is_host
        && SSL_set_tlsext_host_name(c->ssl->connection,
                                    (char *) mcf->tls_name.data)
           == 0)
    {
        ngx_ssl_error(NGX_LOG_ERR, c->log, 0,
                      "mtw redis: SSL_set_tlsext_host_name(\"%V\") failed",
                      &mcf->tls_name);
        ngx_http_mtw_redis_close(rd, "cannot start TLS", 0);
        return;
    }

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        c->ssl->handler = ngx_http_mtw_redis_tls_done;
        return;
    }

    ngx_http_mtw_redis_tls_done(c);
}


static void
ngx_http_mtw_redis_tls_done(ngx_connection_t *c)
{
    long                       rc;
    ngx_http_mtw_redis_t      *rd = c->data;
    ngx_http_mtw_main_conf_t  *mcf = rd->mcf;

    if (c != rd->c) {
        return;
    }

    if (!c->ssl->handshaked) {
        /* nginx logged OpenSSL's reason */
        ngx_http_mtw_redis_close(rd, "TLS handshake failed", 0);
        return;
    }

    rc = SSL_get_verify_result(c->ssl->connection);

    if (rc != X509_V_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mtw redis: the certificate of %V is not trusted: "
                      "(%l: %s), check mtw_redis_tls_trusted_certificate",
                      &mcf->addr, rc, X509_verify_cert_error_string(rc));
        ngx_http_mtw_redis_close(rd, "untrusted certificate", 0);
        return;
    }

    if (ngx_ssl_check_host(c, &mcf->tls_name) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mtw redis: the certificate of %V does not name "
                      "\"%V\", check mtw_redis_tls_name",
                      &mcf->addr, &mcf->tls_name);
        ngx_http_mtw_redis_close(rd, "certificate for another name", 0);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: TLS with %V established", &mcf->addr);

    /* the handshake used its own handlers: ours again */
    c->read->handler = ngx_http_mtw_redis_read_handler;
    c->write->handler = ngx_http_mtw_redis_write_handler;

    ngx_http_mtw_redis_ready(rd);
}

#endif


/* Connected (and TLS done): AUTH and the queued commands leave. */
static void
ngx_http_mtw_redis_ready(ngx_http_mtw_redis_t *rd)
{
    if (rd->backoff) {
        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "mtw redis: %sconnected to %V again", rd->role,
                      &rd->mcf->addr);
    }

    rd->ready = 1;
    rd->connected = 1;
    rd->backoff = 0;
    rd->connected_at = ngx_current_msec;
    rd->last_activity = ngx_current_msec;

    if (rd->connect_timer.timer_set && rd->mcf->password.len == 0) {
        ngx_del_timer(&rd->connect_timer);
    }

    if (ngx_handle_read_event(rd->c->read, 0) != NGX_OK) {
        ngx_http_mtw_redis_close(rd, "cannot watch the socket for reading",
                                 0);
        return;
    }

    ngx_http_mtw_redis_flush(rd);
}


/* Writes what is queued, as far as the socket takes it. */
static void
ngx_http_mtw_redis_flush(ngx_http_mtw_redis_t *rd)
{
    ssize_t            n;
    ngx_connection_t  *c;

    c = rd->c;

    while (rd->osent < rd->olen) {
        n = c->send(c, rd->obuf + rd->osent, rd->olen - rd->osent);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
                ngx_http_mtw_redis_close(rd, "cannot watch the socket for "
                                         "writing", 0);
            }

            return;
        }

        if (n == NGX_ERROR) {
            ngx_http_mtw_redis_close(rd, "write failed", 1);
            return;
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, c->log, 0,
                       "mtw redis: sent %z bytes, fd:%d", n, c->fd);

        rd->osent += n;
    }

    rd->olen = 0;
    rd->osent = 0;

    if (rd->ocap > NGX_HTTP_MTW_OBUF_KEEP) {
        ngx_free(rd->obuf);
        rd->obuf = NULL;
        rd->ocap = 0;
    }
}


static void
ngx_http_mtw_redis_read_handler(ngx_event_t *rev)
{
    ngx_connection_t  *c = rev->data;

    ssize_t                n;
    ngx_http_mtw_redis_t  *rd = c->data;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: readable, fd:%d", c->fd);

    if (!rd->ready) {
        return;                 /* the write side finishes the connect */
    }

    for ( ;; ) {
        n = c->recv(c, rd->rbuf, NGX_HTTP_MTW_READ_CHUNK);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == 0) {
            ngx_http_mtw_redis_close(rd, "closed by the server", 1);
            return;
        }

        if (n == NGX_ERROR) {
            ngx_http_mtw_redis_close(rd, "read failed", 1);
            return;
        }

        if (redisReaderFeed(rd->reader, (const char *) rd->rbuf, n)
            != REDIS_OK)
        {
            ngx_http_mtw_redis_close(rd, "out of memory for a reply", 0);
            return;
        }

        ngx_http_mtw_redis_dispatch(rd, c);

        if (rd->c != c) {
            return;             /* a handler or the reader dropped it */
        }
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_http_mtw_redis_close(rd, "cannot watch the socket for reading",
                                 0);
    }
}


/* Hands each whole reply to the command that waits for it, in order. */
static void
ngx_http_mtw_redis_dispatch(ngx_http_mtw_redis_t *rd, ngx_connection_t *c)
{
    void                    *reply;
    ngx_http_mtw_pending_t  *p;

    for ( ;; ) {
        reply = NULL;

        if (redisReaderGetReply(rd->reader, &reply) != REDIS_OK) {
            ngx_log_error(NGX_LOG_ERR, c->log, 0,
                          "mtw redis: protocol error from %V: %s",
                          &rd->mcf->addr, rd->reader->errstr);
            ngx_http_mtw_redis_close(rd, "protocol error", 0);
            return;
        }

        if (reply == NULL) {
            return;
        }

        p = rd->head;

        if (p == NULL && rd->on_push != NULL) {
            /* a message of the subscription */
            rd->last_activity = ngx_current_msec;
            rd->on_push(reply, rd);
            freeReplyObject(reply);

            if (rd->c != c) {
                return;
            }

            continue;
        }

        if (p == NULL) {
            freeReplyObject(reply);
            ngx_http_mtw_redis_close(rd, "a reply to no command", 0);
            return;
        }

        rd->head = p->next;
        if (rd->head == NULL) {
            rd->tail = NULL;
        }

        rd->npending--;
        rd->last_activity = ngx_current_msec;

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, c->log, 0,
                       "mtw redis: reply type %d, %ui pending",
                       ((redisReply *) reply)->type, rd->npending);

        p->handler(reply, p->data);

        p->next = rd->free;
        rd->free = p;
        freeReplyObject(reply);

        if (rd->c != c) {
            return;
        }
    }
}


static void
ngx_http_mtw_redis_auth_done(void *reply, void *data)
{
    ngx_http_mtw_redis_t  *rd = data;

    redisReply  *rep = reply;

    if (rep == NULL) {
        return;
    }

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    if (rep->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "mtw redis: AUTH refused by %V (check "
                      "mtw_redis_user and mtw_redis_password): %*s",
                      &rd->mcf->addr, (size_t) rep->len, rep->str);
        ngx_http_mtw_redis_close(rd, "AUTH refused", 0);
    }
}


static void
ngx_http_mtw_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_http_mtw_redis_t  *rd = ev->data;

    if (rd->c == NULL) {
        return;
    }

    ngx_http_mtw_redis_close(rd, rd->ready ? "no answer to AUTH in time "
                                         "(mtw_redis_connect_timeout)"
                                       : "connect timed out "
                                         "(mtw_redis_connect_timeout)", 0);
}


/*
 * Closes the connection now and gives every pending command a NULL reply.
 * A connection lost after it served a while (an idle timeout, a failover,
 * a restart) is opened again by the next request at once; one that dies
 * young, or is closed by us, backs off, so a server that accepts and
 * drops cannot be hammered at the request rate.
 */
static void
ngx_http_mtw_redis_close(ngx_http_mtw_redis_t *rd, const char *why,
    ngx_uint_t lost)
{
    ngx_pool_t              *pool;
    ngx_connection_t        *c;
    ngx_http_mtw_pending_t  *p, *next;

    c = rd->c;
    if (c == NULL) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                  "mtw redis: %s the %sconnection to %V: %s",
                  lost ? "lost" : "closing", rd->role, &rd->mcf->addr, why);

    if (rd->subscribed) {
        /* no announcement can reach this process now: nothing cached
         * may be served until the subscription is back */
        rd->subscribed = 0;
        ngx_http_mtw_cache_free();
    }

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    rd->c = NULL;
    rd->ready = 0;
    rd->olen = 0;
    rd->osent = 0;

    if (lost && rd->connected
        && ngx_current_msec - rd->connected_at >= NGX_HTTP_MTW_BACKOFF_MAX)
    {
        rd->backoff = 0;
        rd->next_attempt = ngx_current_msec;

    } else {
        ngx_http_mtw_redis_backoff(rd);
    }

    rd->connected = 0;

#if (NGX_SSL)
    if (c->ssl != NULL) {
        c->ssl->no_wait_shutdown = 1;
        c->ssl->no_send_shutdown = lost;
        (void) ngx_ssl_shutdown(c);
    }
#endif

    pool = c->pool;
    ngx_close_connection(c);

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }

    /* a new connection starts with a clean reader */
    redisReaderFree(rd->reader);
    rd->reader = NULL;

    /* the handlers may queue again: the state above is already final */
    p = rd->head;
    rd->head = NULL;
    rd->tail = NULL;
    rd->npending = 0;

    while (p != NULL) {
        next = p->next;
        p->handler(NULL, p->data);
        p->next = rd->free;
        rd->free = p;
        p = next;
    }
}


static void
ngx_http_mtw_redis_backoff(ngx_http_mtw_redis_t *rd)
{
    if (rd->backoff == 0) {
        rd->backoff = NGX_HTTP_MTW_BACKOFF_MIN;

    } else {
        rd->backoff = ngx_min(rd->backoff * 2, NGX_HTTP_MTW_BACKOFF_MAX);
    }

    rd->next_attempt = ngx_current_msec + rd->backoff;
}


/*
 * The micro-cache (mtw_cache) may answer only while this process hears the
 * worker's announcements: each publish of a city is followed, in the same
 * transaction, by a PUBLISH on NGX_HTTP_MTW_PUBLISHED_CHANNEL, and every
 * message drops the cache.  Returns 1 while subscribed; otherwise opens the
 * subscription (with the backoff) and returns 0, so the caller reads Redis.
 */
ngx_uint_t
ngx_http_mtw_redis_notified(void)
{
    ngx_http_mtw_redis_t  *rd = &ngx_http_mtw_notify;

    if (rd->subscribed) {
        return 1;
    }

    if (rd->c == NULL) {
        (void) ngx_http_mtw_redis_connect(rd);
    }

    return 0;
}


/* SUBSCRIBE's answer: ["subscribe", channel, count] */
static void
ngx_http_mtw_redis_subscribed(void *reply, void *data)
{
    ngx_http_mtw_redis_t  *rd = data;

    redisReply  *rep = reply;

    if (rep == NULL) {
        return;
    }

    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3
        || rep->element[0]->type != REDIS_REPLY_STRING
        || ngx_strncmp(rep->element[0]->str, "subscribe", 9) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "mtw redis: SUBSCRIBE %s refused: the micro-cache "
                      "stays off", NGX_HTTP_MTW_PUBLISHED_CHANNEL);
        ngx_http_mtw_redis_close(rd, "SUBSCRIBE refused", 0);
        return;
    }

    /* what was cached before may have missed announcements */
    ngx_http_mtw_cache_free();
    rd->subscribed = 1;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "mtw redis: subscribed to %s",
                   NGX_HTTP_MTW_PUBLISHED_CHANNEL);
}


/* a publish: ["message", channel, city]; anything published drops all */
static void
ngx_http_mtw_redis_published(void *reply, void *data)
{
    redisReply  *rep = reply;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ((ngx_http_mtw_redis_t *) data)->log,
                   0, "mtw redis: publish announced (%s), cache dropped",
                   rep->type == REDIS_REPLY_ARRAY && rep->elements == 3
                   && rep->element[2]->type == REDIS_REPLY_STRING
                   ? rep->element[2]->str : "?");

    ngx_http_mtw_cache_free();
}
