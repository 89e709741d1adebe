/*
 * ngx_http_mtw_module.h - shared declarations of the mind-the-wait module.
 *
 * Files:
 *   ngx_http_mtw_module.c   directives, configuration structs, module hooks
 *   ngx_http_mtw_handler.c  the mtw_api location handler and routing
 *   ngx_http_mtw_json.c     JSON responses and errors
 */
#ifndef _NGX_HTTP_MTW_MODULE_H_INCLUDED_
#define _NGX_HTTP_MTW_MODULE_H_INCLUDED_

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_flag_t                 enable;      /* mtw_api */
} ngx_http_mtw_loc_conf_t;


extern ngx_module_t  ngx_http_mtw_module;


ngx_int_t ngx_http_mtw_handler(ngx_http_request_t *r);

ngx_int_t ngx_http_mtw_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *body, size_t len);
ngx_int_t ngx_http_mtw_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message);

#endif /* _NGX_HTTP_MTW_MODULE_H_INCLUDED_ */
