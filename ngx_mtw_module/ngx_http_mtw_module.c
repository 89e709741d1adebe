/*
 * ngx_http_mtw_module.c - directives and configuration of the mind-the-wait
 * API module.
 */

#include "ngx_http_mtw_module.h"


static void *ngx_http_mtw_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mtw_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_mtw_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);


static ngx_command_t  ngx_http_mtw_commands[] = {

    { ngx_string("mtw_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_mtw_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mtw_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_mtw_create_loc_conf,          /* create location configuration */
    ngx_http_mtw_merge_loc_conf            /* merge location configuration */
};


ngx_module_t  ngx_http_mtw_module = {
    NGX_MODULE_V1,
    &ngx_http_mtw_module_ctx,              /* module context */
    ngx_http_mtw_commands,                 /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_mtw_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_mtw_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mtw_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->enable = NGX_CONF_UNSET;

    return conf;
}


static char *
ngx_http_mtw_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_mtw_loc_conf_t  *prev = parent;
    ngx_http_mtw_loc_conf_t  *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);

    return NGX_CONF_OK;
}


static char *
ngx_http_mtw_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mtw_loc_conf_t  *mlcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (mlcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    mlcf->enable = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mtw_handler;

    return NGX_CONF_OK;
}
