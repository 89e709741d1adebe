/*
 * ngx_http_mtw_redis_adapter.h - binds a hiredis async context to an nginx
 * connection, so hiredis reads and writes from nginx's event loop.
 */
#ifndef _NGX_HTTP_MTW_REDIS_ADAPTER_H_INCLUDED_
#define _NGX_HTTP_MTW_REDIS_ADAPTER_H_INCLUDED_

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>


/*
 * Wraps ac's socket in an ngx_connection_t and installs hiredis' event
 * hooks.  After this call hiredis owns the socket and nginx the events:
 * when hiredis frees the context its cleanup hook gives the connection
 * back to nginx without closing the socket (hiredis closes it).
 */
ngx_int_t ngx_http_mtw_redis_attach(redisAsyncContext *ac, ngx_log_t *log);

#endif /* _NGX_HTTP_MTW_REDIS_ADAPTER_H_INCLUDED_ */
