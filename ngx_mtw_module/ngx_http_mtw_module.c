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
static char *ngx_http_mtw_redis_addr(ngx_conf_t *cf,
    ngx_http_mtw_main_conf_t *mcf, ngx_str_t *text);
static char *ngx_http_mtw_redis_tls(ngx_conf_t *cf,
    ngx_http_mtw_main_conf_t *mcf);
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

    { ngx_string("mtw_redis_user"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mtw_main_conf_t, user),
      NULL },

    { ngx_string("mtw_redis_tls"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mtw_main_conf_t, tls),
      NULL },

    { ngx_string("mtw_redis_tls_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mtw_main_conf_t, tls_name),
      NULL },

    { ngx_string("mtw_redis_tls_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mtw_main_conf_t, tls_trusted),
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
     *     mcf->peer = { NULL, 0, { 0, NULL } };
     *     mcf->host = { 0, NULL };
     *     mcf->user = { 0, NULL };
     *     mcf->password = { 0, NULL };
     *     mcf->tls_name = { 0, NULL };
     *     mcf->tls_trusted = { 0, NULL };
     *     mcf->ssl = NULL;
     */

    mcf->tls = NGX_CONF_UNSET;
    mcf->connect_timeout = NGX_CONF_UNSET_MSEC;
    mcf->timeout = NGX_CONF_UNSET_MSEC;
    mcf->cache = NGX_CONF_UNSET_MSEC;

    return mcf;
}


static char *
ngx_http_mtw_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_mtw_main_conf_t  *mcf = conf;

    ngx_str_t  addr;

    if (mcf->addr.len == 0) {
        ngx_str_set(&addr, "127.0.0.1:6379");

        if (ngx_http_mtw_redis_addr(cf, mcf, &addr) != NGX_CONF_OK) {
            return NGX_CONF_ERROR;
        }
    }

    ngx_conf_init_msec_value(mcf->connect_timeout, 1000);
    ngx_conf_init_msec_value(mcf->timeout, 1000);
    ngx_conf_init_msec_value(mcf->cache, 0);
    ngx_conf_init_value(mcf->tls, 0);

    if (mcf->user.len && mcf->password.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_redis_user\" needs \"mtw_redis_password\"");
        return NGX_CONF_ERROR;
    }

    if (!mcf->tls) {
        if (mcf->tls_name.len || mcf->tls_trusted.len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"mtw_redis_tls_name\" and "
                               "\"mtw_redis_tls_trusted_certificate\" need "
                               "\"mtw_redis_tls on\"");
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    return ngx_http_mtw_redis_tls(cf, mcf);
}


/*
 * mtw_redis_tls on: a client context that trusts mtw_redis_tls_trusted_
 * certificate (else the system's CAs) and checks the server's name
 * (mtw_redis_tls_name, else the host of mtw_redis).
 */
static char *
ngx_http_mtw_redis_tls(ngx_conf_t *cf, ngx_http_mtw_main_conf_t *mcf)
{
#if (NGX_SSL)
    u_char              *p;
    ngx_pool_cleanup_t  *cln;

    if (mcf->tls_name.len == 0) {
        mcf->tls_name = mcf->host;
    }

    if (mcf->tls_name.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_redis_tls on\" over a unix socket needs "
                           "\"mtw_redis_tls_name\"");
        return NGX_CONF_ERROR;
    }

    /* SSL_set_tlsext_host_name() wants a C string */
    p = ngx_pnalloc(cf->pool, mcf->tls_name.len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_cpystrn(p, mcf->tls_name.data, mcf->tls_name.len + 1);
    mcf->tls_name.data = p;
    mcf->tls_name_is_host =
        ngx_inet_addr(p, mcf->tls_name.len) == INADDR_NONE
#if (NGX_HAVE_INET6)
        && ngx_inet6_addr(p, mcf->tls_name.len, NULL) != NGX_OK
#endif
        ;

    mcf->ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (mcf->ssl == NULL) {
        return NGX_CONF_ERROR;
    }

    mcf->ssl->log = cf->log;

    if (ngx_ssl_create(mcf->ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, NULL)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(mcf->ssl);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = mcf->ssl;

    if (mcf->tls_trusted.len) {
        if (ngx_ssl_trusted_certificate(cf, mcf->ssl, &mcf->tls_trusted, 4)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

    } else if (SSL_CTX_set_default_verify_paths(mcf->ssl->ctx) != 1) {
        ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"mtw_redis_tls\": cannot load the system's CA "
                      "certificates; set "
                      "\"mtw_redis_tls_trusted_certificate\"");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
#else
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"mtw_redis_tls on\" needs nginx built with SSL");
    return NGX_CONF_ERROR;
#endif
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

    ngx_str_t  *value;

    if (mcf->addr.len) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_mtw_redis_addr(cf, mcf, &value[1]);
}


/* The address resolved now, once: connecting never looks a name up. */
static char *
ngx_http_mtw_redis_addr(ngx_conf_t *cf, ngx_http_mtw_main_conf_t *mcf,
    ngx_str_t *text)
{
    size_t               len;
    ngx_url_t            u;
    struct sockaddr_un  *sun;

    mcf->addr = *text;
    mcf->peer.name = *text;

    if (text->len > 5 && ngx_strncmp(text->data, "unix:", 5) == 0) {
        len = text->len - 5;

        if (len == 0 || text->data[5] != '/'
            || len >= sizeof(sun->sun_path))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"mtw_redis\": invalid unix socket path "
                               "\"%V\" (an absolute path is needed)", text);
            return NGX_CONF_ERROR;
        }

        sun = ngx_pcalloc(cf->pool, sizeof(struct sockaddr_un));
        if (sun == NULL) {
            return NGX_CONF_ERROR;
        }

        sun->sun_family = AF_UNIX;
        ngx_memcpy(sun->sun_path, text->data + 5, len);

        mcf->peer.sockaddr = (struct sockaddr *) sun;
        mcf->peer.socklen = sizeof(struct sockaddr_un);

        return NGX_CONF_OK;
    }

    ngx_memzero(&u, sizeof(ngx_url_t));
    u.url = *text;
    u.default_port = 6379;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"mtw_redis\": invalid address \"%V\"%s%s",
                           text, u.err ? ": " : "", u.err ? u.err : "");
        return NGX_CONF_ERROR;
    }

    mcf->peer.sockaddr = u.addrs[0].sockaddr;
    mcf->peer.socklen = u.addrs[0].socklen;
    mcf->host = u.host;

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
