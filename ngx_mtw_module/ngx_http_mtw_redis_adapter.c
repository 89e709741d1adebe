/*
 * ngx_http_mtw_redis_adapter.c - hiredis async hooks on nginx events.
 *
 * hiredis asks for "read interest on", "write interest on/off" and
 * "cleanup"; nginx calls our handlers when the socket is ready, and we hand
 * the event back to hiredis.  The events are registered level-triggered:
 * hiredis reads at most 16 KB per call, so with edge-triggered epoll a
 * burst of pipelined replies larger than that would stall until the next
 * packet.  Level-triggered events come back while data is left.
 */

#include "ngx_http_mtw_redis_adapter.h"


static void ngx_http_mtw_redis_read_handler(ngx_event_t *ev);
static void ngx_http_mtw_redis_write_handler(ngx_event_t *ev);
static void ngx_http_mtw_redis_add_read(void *data);
static void ngx_http_mtw_redis_del_read(void *data);
static void ngx_http_mtw_redis_add_write(void *data);
static void ngx_http_mtw_redis_del_write(void *data);
static void ngx_http_mtw_redis_cleanup(void *data);


ngx_int_t
ngx_http_mtw_redis_attach(redisAsyncContext *ac, ngx_log_t *log)
{
    ngx_connection_t  *c;

    if (ac->ev.data != NULL) {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "mtw redis: context attached twice");
        return NGX_ERROR;
    }

    c = ngx_get_connection(ac->c.fd, log);
    if (c == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "mtw redis: no free nginx connection for the Redis "
                      "socket (worker_connections too low?)");
        return NGX_ERROR;
    }

    c->data = ac;
    c->log = log;
    c->read->log = log;
    c->write->log = log;
    c->read->handler = ngx_http_mtw_redis_read_handler;
    c->write->handler = ngx_http_mtw_redis_write_handler;

    ac->ev.data = c;
    ac->ev.addRead = ngx_http_mtw_redis_add_read;
    ac->ev.delRead = ngx_http_mtw_redis_del_read;
    ac->ev.addWrite = ngx_http_mtw_redis_add_write;
    ac->ev.delWrite = ngx_http_mtw_redis_del_write;
    ac->ev.cleanup = ngx_http_mtw_redis_cleanup;

    return NGX_OK;
}


static void
ngx_http_mtw_redis_read_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: readable, fd:%d", c->fd);

    redisAsyncHandleRead(c->data);
}


static void
ngx_http_mtw_redis_write_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: writable, fd:%d", c->fd);

    redisAsyncHandleWrite(c->data);
}


static void
ngx_http_mtw_redis_add_read(void *data)
{
    ngx_connection_t  *c = data;

    if (c->read->active) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: watch reading, fd:%d", c->fd);

    if (ngx_add_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mtw redis: cannot watch the Redis socket for reading");
    }
}


static void
ngx_http_mtw_redis_del_read(void *data)
{
    ngx_connection_t  *c = data;

    if (!c->read->active) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: stop reading, fd:%d", c->fd);

    if (ngx_del_event(c->read, NGX_READ_EVENT, 0) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mtw redis: cannot stop watching the Redis socket "
                      "for reading");
    }
}


static void
ngx_http_mtw_redis_add_write(void *data)
{
    ngx_connection_t  *c = data;

    if (c->write->active) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: watch writing, fd:%d", c->fd);

    if (ngx_add_event(c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mtw redis: cannot watch the Redis socket for writing");
    }
}


static void
ngx_http_mtw_redis_del_write(void *data)
{
    ngx_connection_t  *c = data;

    if (!c->write->active) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "mtw redis: stop writing, fd:%d", c->fd);

    if (ngx_del_event(c->write, NGX_WRITE_EVENT, 0) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "mtw redis: cannot stop watching the Redis socket "
                      "for writing");
    }
}


/*
 * hiredis is about to close the socket and free the context: forget the
 * events and give the connection slot back, leaving the close to hiredis.
 */
static void
ngx_http_mtw_redis_cleanup(void *data)
{
    ngx_connection_t  *c = data;

    redisAsyncContext  *ac;

    if (c == NULL) {
        return;
    }

    ngx_http_mtw_redis_del_read(c);
    ngx_http_mtw_redis_del_write(c);

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    ac = c->data;
    ac->ev.data = NULL;

    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}
