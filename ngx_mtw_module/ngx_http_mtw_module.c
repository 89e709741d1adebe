/*
 * ngx_http_mtw_module.c - directives and configuration of the mind-the-wait
 * API module, and its per-process hooks.
 *
 * The command table below is the module's documentation; README.md
 * ("nginx directives") describes each directive for operators.  Every
 * directive checks its value here, so a bad value fails `nginx -t` with a
 * message that names it.
 */

#include "ngx_http_mtw_module.h"


static void *ngx_http_mtw_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_mtw_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_mtw_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mtw_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_mtw_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_mtw_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mtw_city(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mtw_cors_origins(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mtw_feedback_rate(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mtw_openapi_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mtw_check_msec(ngx_conf_t *cf, void *post, void *data);
static char *ngx_http_mtw_cache_time(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_mtw_init_process(ngx_cycle_t *cycle);
static void ngx_http_mtw_exit_process(ngx_cycle_t *cycle);


static ngx_conf_post_handler_pt  ngx_http_mtw_positive_msec =
    ngx_http_mtw_check_msec;


static ngx_command_t  ngx_http_mtw_commands[] = {

    { ngx_string("mtw_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_mtw_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mtw_redis_password"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mtw_main_conf_t, password),
      NULL },

    { ngx_string("mtw_redis_connect_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mtw_main_conf_t, connect_timeout),
      &ngx_http_mtw_positive_msec },

    { ngx_string("mtw_redis_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mtw_main_conf_t, timeout),
      &ngx_http_mtw_positive_msec },

    { ngx_string("mtw_cache"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_mtw_cache_time,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mtw_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_mtw_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mtw_city"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_mtw_city,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mtw_cors_origins"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_mtw_cors_origins,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mtw_feedback_rate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_mtw_feedback_rate,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mtw_openapi"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_mtw_openapi_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mtw_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_mtw_create_main_conf,         /* create main configuration */
    ngx_http_mtw_init_main_conf,           /* init main configuration */

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
    ngx_http_mtw_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_mtw_exit_process,             /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_mtw_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mtw_main_conf_t  *mcf;

    mcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mtw_main_conf_t));
    if (mcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *     mcf->addr = { 0, NULL };
     *     mcf->host = NULL;
     *     mcf->unix_path = NULL;
     *     mcf->password = { 0, NULL };
     */

    mcf->port = NGX_CONF_UNSET;
    mcf->connect_timeout = NGX_CONF_UNSET_MSEC;
    mcf->timeout = NGX_CONF_UNSET_MSEC;
    mcf->cache = NGX_CONF_UNSET_MSEC;

    return mcf;
}


static char *
ngx_http_mtw_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_mtw_main_conf_t  *mcf = conf;

    if (mcf->addr.len == 0) {
        ngx_str_set(&mcf->addr, "127.0.0.1:6379");
        mcf->host = (u_char *) "127.0.0.1";
        mcf->port = 6379;
    }

    ngx_conf_init_msec_value(mcf->connect_timeout, 1000);
    ngx_conf_init_msec_value(mcf->timeout, 1000);
    ngx_conf_init_msec_value(mcf->cache, 0);

    return NGX_CONF_OK;
}


static void *
ngx_http_mtw_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_mtw_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mtw_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *     conf->openapi = { 0, NULL };
     *     conf->cors_any = 0;
     */

    conf->enable = NGX_CONF_UNSET;
    conf->city = NGX_CONF_UNSET_PTR;
    conf->cors = NGX_CONF_UNSET_PTR;
    conf->feedback_rate = NGX_CONF_UNSET_UINT;

    return conf;
}


static char *
ngx_http_mtw_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_mtw_loc_conf_t  *prev = parent;
    ngx_http_mtw_loc_conf_t  *conf = child;

    ngx_http_compile_complex_value_t   ccv;
    static ngx_str_t                   dflt = ngx_string("saskatoon");

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_ptr_value(conf->cors, prev->cors, NULL);
    ngx_conf_merge_uint_value(conf->feedback_rate, prev->feedback_rate, 10);

    if (conf->cors == prev->cors) {
        conf->cors_any = prev->cors_any;
    }

    if (conf->openapi.data == NULL) {
        conf->openapi = prev->openapi;
        conf->openapi_etag = prev->openapi_etag;
    }

    if (conf->city == NGX_CONF_UNSET_PTR) {
        if (prev->city != NGX_CONF_UNSET_PTR && prev->city != NULL) {
            conf->city = prev->city;

        } else {
            conf->city = ngx_palloc(cf->pool,
                                    sizeof(ngx_http_complex_value_t));
            if (conf->city == NULL) {
                return NGX_CONF_ERROR;
            }

            ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));
            ccv.cf = cf;
            ccv.value = &dflt;
            ccv.complex_value = conf->city;

            if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
                return NGX_CONF_ERROR;
            }

            prev->city = conf->city;
        }
    }

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


/*
 * mtw_redis host:port | unix:/path;
 *
 * A host name is resolved here, once, when the configuration is read; the
 * workers connect to the numeric address, so no name lookup ever runs in a
 * worker (DESIGN §6: nothing blocks a worker).
 */
static char *
ngx_http_mtw_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mtw_main_conf_t  *mcf = conf;

    u_char     *p, text[NGX_SOCKADDR_STRLEN];
    size_t      len;
    ngx_str_t  *value;
    ngx_url_t   u;

    if (mcf->addr.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    mcf->addr = value[1];

    if (value[1].len > 5 && ngx_strncmp(value[1].data, "unix:", 5) == 0) {
        len = value[1].len - 5;

        if (len == 0 || value[1].data[5] != '/' || len >= 108) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"mtw_redis\": invalid unix socket path "
                               "\"%V\" (an absolute path is needed)",
                               &value[1]);
            return NGX_CONF_ERROR;
        }

        mcf->unix_path = ngx_pnalloc(cf->pool, len + 1);
        if (mcf->unix_path == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_cpystrn(mcf->unix_path, value[1].data + 5, len + 1);
        return NGX_CONF_OK;
    }

    ngx_memzero(&u, sizeof(ngx_url_t));
    u.url = value[1];
    u.default_port = 6379;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_redis\": invalid address \"%V\"%s%s",
                           &value[1], u.err ? ": " : "",
                           u.err ? u.err : "");
        return NGX_CONF_ERROR;
    }

    if (u.no_port && u.port == 0) {
        u.port = 6379;
    }

    len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen, text,
                        NGX_SOCKADDR_STRLEN, 0);

    /* ngx_sock_ntop() writes IPv6 without brackets when port is 0 */
    mcf->host = ngx_pnalloc(cf->pool, len + 1);
    if (mcf->host == NULL) {
        return NGX_CONF_ERROR;
    }

    p = ngx_cpymem(mcf->host, text, len);
    *p = '\0';
    mcf->port = ngx_inet_get_port(u.addrs[0].sockaddr);

    return NGX_CONF_OK;
}


/* mtw_city slug | $variable; a literal must be a valid city slug. */
static char *
ngx_http_mtw_city(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mtw_loc_conf_t  *mlcf = conf;

    ngx_str_t                         *value;
    ngx_http_compile_complex_value_t   ccv;

    if (mlcf->city != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_http_script_variables_count(&value[1]) == 0
        && ngx_http_mtw_valid_city(&value[1]) != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_city\": invalid city slug \"%V\" "
                           "(1-32 of a-z, 0-9, \"-\")", &value[1]);
        return NGX_CONF_ERROR;
    }

    mlcf->city = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (mlcf->city == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));
    ccv.cf = cf;
    ccv.value = &value[1];
    ccv.complex_value = mlcf->city;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* mtw_cors_origins * | off | https://a.example capacitor://localhost ...; */
static char *
ngx_http_mtw_cors_origins(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mtw_loc_conf_t  *mlcf = conf;

    u_char      *p;
    ngx_str_t   *value, *origin;
    ngx_uint_t   i;

    if (mlcf->cors != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        mlcf->cors = NULL;
        return NGX_CONF_OK;
    }

    mlcf->cors = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                  sizeof(ngx_str_t));
    if (mlcf->cors == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {

        if (value[i].len == 1 && value[i].data[0] == '*') {
            mlcf->cors_any = 1;
            continue;
        }

        p = ngx_strlchr(value[i].data, value[i].data + value[i].len, ':');

        if (p == NULL || p + 3 > value[i].data + value[i].len
            || ngx_strncmp(p, "://", 3) != 0
            || value[i].data[value[i].len - 1] == '/')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"mtw_cors_origins\": invalid origin "
                               "\"%V\" (scheme://host[:port], no path, "
                               "or \"*\")", &value[i]);
            return NGX_CONF_ERROR;
        }

        origin = ngx_array_push(mlcf->cors);
        if (origin == NULL) {
            return NGX_CONF_ERROR;
        }

        *origin = value[i];
    }

    return NGX_CONF_OK;
}


/* mtw_feedback_rate N;  votes per client address per minute, 1..10000 */
static char *
ngx_http_mtw_feedback_rate(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mtw_loc_conf_t  *mlcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (mlcf->feedback_rate != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;
    n = ngx_atoi(value[1].data, value[1].len);

    if (n == NGX_ERROR || n < 1 || n > 10000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_feedback_rate\": invalid value \"%V\" "
                           "(votes per client per minute, 1-10000)",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    mlcf->feedback_rate = n;

    return NGX_CONF_OK;
}


/* mtw_openapi /path/openapi.json;  read once, served at /api/doc.json */
static char *
ngx_http_mtw_openapi_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mtw_loc_conf_t  *mlcf = conf;

    u_char           *etag;
    ssize_t           n;
    ngx_str_t        *value;
    ngx_file_t        file;
    ngx_file_info_t   fi;
    json_t           *doc;
    json_error_t      err;

    if (mlcf->openapi.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_conf_full_name(cf->cycle, &value[1], 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = value[1];
    file.log = cf->log;

    file.fd = ngx_open_file(value[1].data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"mtw_openapi\": cannot open \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) == 0 || ngx_file_size(&fi) > 4 * 1024 * 1024)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_openapi\": \"%V\" is empty, unreadable "
                           "or over 4 MB", &value[1]);
        ngx_close_file(file.fd);
        return NGX_CONF_ERROR;
    }

    mlcf->openapi.len = ngx_file_size(&fi);
    mlcf->openapi.data = ngx_pnalloc(cf->pool, mlcf->openapi.len);
    if (mlcf->openapi.data == NULL) {
        ngx_close_file(file.fd);
        return NGX_CONF_ERROR;
    }

    n = ngx_read_file(&file, mlcf->openapi.data, mlcf->openapi.len, 0);
    ngx_close_file(file.fd);

    if (n != (ssize_t) mlcf->openapi.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_openapi\": short read of \"%V\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    doc = json_loadb((char *) mlcf->openapi.data, mlcf->openapi.len, 0,
                     &err);
    if (doc == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_openapi\": \"%V\" is not JSON: line %d: "
                           "%s", &value[1], err.line, err.text);
        return NGX_CONF_ERROR;
    }

    json_decref(doc);

    etag = ngx_pnalloc(cf->pool, 18);
    if (etag == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_http_mtw_etag_of(mlcf->openapi.data, mlcf->openapi.len, etag);
    mlcf->openapi_etag.data = etag;
    mlcf->openapi_etag.len = 18;

    return NGX_CONF_OK;
}


static char *
ngx_http_mtw_check_msec(ngx_conf_t *cf, void *post, void *data)
{
    ngx_msec_t  *ms = data;

    if (*ms == 0 || *ms > 60000) {
        return "must be between 1ms and 60s";
    }

    return NGX_CONF_OK;
}


/* mtw_cache off | time;  up to 60s, "off" (the default) is 0 */
static char *
ngx_http_mtw_cache_time(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mtw_main_conf_t  *mcf = conf;

    ngx_int_t   ms;
    ngx_str_t  *value;

    if (mcf->cache != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        mcf->cache = 0;
        return NGX_CONF_OK;
    }

    ms = ngx_parse_time(&value[1], 0);

    if (ms == NGX_ERROR || ms > 60000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_cache\": invalid value \"%V\" (\"off\" "
                           "or a time up to 60s, e.g. 250ms)", &value[1]);
        return NGX_CONF_ERROR;
    }

    mcf->cache = (ngx_msec_t) ms;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mtw_init_process(ngx_cycle_t *cycle)
{
    return ngx_http_mtw_redis_init_process(cycle);
}


static void
ngx_http_mtw_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_mtw_redis_exit_process(cycle);
    ngx_http_mtw_cache_free();
}
