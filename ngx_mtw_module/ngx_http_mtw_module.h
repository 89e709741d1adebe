/*
 * ngx_http_mtw_module.h - shared declarations of the mind-the-wait module.
 *
 * Files, one responsibility each:
 *   ngx_http_mtw_module.c         directives, configuration, process hooks
 *   ngx_http_mtw_redis.c          the worker's one pipelined Redis
 *                                 connection on nginx's events (and SSL):
 *                                 lazy connect, TLS, AUTH, backoff, stall
 *   ngx_http_mtw_fetch.c          a request's Redis round trip: timer,
 *                                 cancellation, replies copied to the pool
 *   ngx_http_mtw_handler.c        the mtw_api location handler: methods,
 *                                 CORS preflight, path id and city
 *   ngx_http_mtw_routes.c         the routing table and its matcher (pure)
 *   ngx_http_mtw_parse.c          ids, slugs, numbers, the vote body,
 *                                 Redis replies into a pool (pure)
 *   ngx_http_mtw_http.c           response headers, documents, errors,
 *                                 query arguments
 *   ngx_http_mtw_json.c           JSON output helpers (jansson) and ETags
 *   ngx_http_mtw_docs.c           endpoints answered by a stored document
 *   ngx_http_mtw_stops.c          stop search, nearby vehicles, predictions
 *   ngx_http_mtw_feedback.c       rider feedback: vote and summary
 *   ngx_http_mtw_alerts.c         service alerts in force, for riders
 *   ngx_http_mtw_health.c         healthz, livez, readyz, the OpenAPI document
 *   ngx_http_mtw_cache.c          the optional per-worker micro-cache
 */
#ifndef _NGX_HTTP_MTW_MODULE_H_INCLUDED_
#define _NGX_HTTP_MTW_MODULE_H_INCLUDED_

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>
#include <hiredis/hiredis.h>


#define NGX_HTTP_MTW_MAX_CMDS        4
#define NGX_HTTP_MTW_MAX_ARGS        12
#define NGX_HTTP_MTW_MAX_ID          64
#define NGX_HTTP_MTW_MAX_CITY        32
#define NGX_HTTP_MTW_FEEDBACK_BODY   1024
#define NGX_HTTP_MTW_MAX_DEPTH       5    /* nested arrays in a reply */

/* nginx 1.22 has no name (nor reason phrase) for 422 */
#define NGX_HTTP_MTW_UNPROCESSABLE   422
/* a filtered answer kept under its document's ETag: fresh by the ETag,
 * the time only bounds how long an unused one stays */
#define NGX_HTTP_MTW_FILTER_CACHE_MS 60000

#define NGX_HTTP_MTW_ID_RULE  "1-64 characters of A-Z a-z 0-9 . _ ~ -"

/* Cache-Control classes of the endpoints (reference-api.md, DESIGN §6) */
typedef enum {
    NGX_HTTP_MTW_CACHE_NONE = 0,       /* no-cache: revalidate each time */
    NGX_HTTP_MTW_CACHE_CITIES,         /* public, max-age=86400 */
    NGX_HTTP_MTW_CACHE_STOPS,          /* public, max-age=3600 */
    NGX_HTTP_MTW_CACHE_ROUTE,          /* public, max-age=600 */
    NGX_HTTP_MTW_CACHE_ROUTES,         /* public, max-age=300 */
    NGX_HTTP_MTW_CACHE_LIVE,           /* no-cache, no-store, must-revalidate */
    NGX_HTTP_MTW_CACHE_ERROR           /* no-store */
} ngx_http_mtw_cache_e;

/* Response shapes of the endpoints that serve more than one API */
typedef enum {
    NGX_HTTP_MTW_SHAPE_WEB = 0,        /* /api/...: the web client's */
    NGX_HTTP_MTW_SHAPE_V1,             /* /api/v1/...: the public API's */
    NGX_HTTP_MTW_SHAPE_LIVE            /* /api/v1/live-activity/... */
} ngx_http_mtw_shape_e;

/* What /api/stops searches by */
typedef enum {
    NGX_HTTP_MTW_SEARCH_NEAR = 1,      /* ?lat=&lon=: id, distance, stop */
    NGX_HTTP_MTW_SEARCH_NAME           /* ?name=: stop */
} ngx_http_mtw_search_e;

/* What is wrong with a vote body (ngx_http_mtw_vote_parse) */
typedef enum {
    NGX_HTTP_MTW_VOTE_OK = 0,
    NGX_HTTP_MTW_VOTE_NOT_JSON,        /* 400: not a JSON object */
    NGX_HTTP_MTW_VOTE_NO_VEHICLE,      /* 422: no vehicleId */
    NGX_HTTP_MTW_VOTE_BAD_VEHICLE,     /* 422: vehicleId not an id */
    NGX_HTTP_MTW_VOTE_BAD_VOTE,        /* 422: vote not ahead/on_time/late */
    NGX_HTTP_MTW_VOTE_NOMEM            /* 500 */
} ngx_http_mtw_vote_err_e;

/* The routing table's flags */
#define NGX_HTTP_MTW_ID       0x01     /* the path holds an id */
#define NGX_HTTP_MTW_NO_CITY  0x02     /* not about one city: no ?city= */
#define NGX_HTTP_MTW_NOW      0x04     /* the document's ":now" part joined */
#define NGX_HTTP_MTW_LINE     0x08     /* the route's ":line" stops joined */


typedef struct {
    ngx_str_t                  addr;        /* mtw_redis, as written */
    ngx_addr_t                 peer;        /* resolved when read */
    ngx_str_t                  host;        /* its host part, or empty */
    ngx_str_t                  user;        /* mtw_redis_user */
    ngx_str_t                  password;    /* mtw_redis_password */
    ngx_flag_t                 tls;         /* mtw_redis_tls */
    ngx_str_t                  tls_name;    /* mtw_redis_tls_name */
    ngx_uint_t                 tls_name_is_host;  /* not an IP address */
    ngx_str_t                  tls_trusted; /* mtw_redis_tls_trusted_... */
#if (NGX_SSL)
    ngx_ssl_t                 *ssl;         /* NULL: in clear */
#endif
    ngx_msec_t                 connect_timeout;
    ngx_msec_t                 timeout;     /* mtw_redis_timeout */
    ngx_msec_t                 cache;       /* mtw_cache, 0 = off */
} ngx_http_mtw_main_conf_t;


typedef struct {
    ngx_flag_t                 enable;      /* mtw_api */
    ngx_http_complex_value_t  *city;        /* mtw_city */
    ngx_array_t               *cors;        /* mtw_cors_origins: ngx_str_t */
    ngx_uint_t                 cors_any;    /* "*" among the origins */
    ngx_uint_t                 feedback_rate;
    ngx_str_t                  openapi;     /* mtw_openapi file contents */
    ngx_str_t                  openapi_etag;
} ngx_http_mtw_loc_conf_t;


/* A Redis reply copied into the request pool (hiredis frees its own). */
typedef struct ngx_http_mtw_reply_s  ngx_http_mtw_reply_t;

struct ngx_http_mtw_reply_s {
    ngx_uint_t                 type;        /* REDIS_REPLY_* */
    long long                  integer;
    ngx_str_t                  str;
    size_t                     nelements;
    ngx_http_mtw_reply_t      *element;
};


/* One Redis command of a batch: argv with lengths (binary safe). */
typedef struct {
    int                        argc;
    const char                *argv[NGX_HTTP_MTW_MAX_ARGS];
    size_t                     argvlen[NGX_HTTP_MTW_MAX_ARGS];
} ngx_http_mtw_cmd_t;


/* A Lua script run by EVALSHA (ngx_http_mtw_script.c). */
typedef struct {
    const char                *src;
    size_t                     len;
    u_char                     sha[41];     /* hex SHA1, set on first use */
} ngx_http_mtw_script_t;

#define ngx_http_mtw_script(text)  { text, sizeof(text) - 1, "" }


typedef struct ngx_http_mtw_ctx_s     ngx_http_mtw_ctx_t;
typedef struct ngx_http_mtw_ticket_s  ngx_http_mtw_ticket_t;
typedef struct ngx_http_mtw_route_s   ngx_http_mtw_route_t;

typedef ngx_int_t (*ngx_http_mtw_done_pt)(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
typedef ngx_int_t (*ngx_http_mtw_endpoint_pt)(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);


/* Per-request state of an API call. */
struct ngx_http_mtw_ctx_s {
    ngx_http_request_t        *request;
    const ngx_http_mtw_route_t *route;
    ngx_str_t                  city;
    ngx_str_t                  id;          /* validated path id */
    ngx_str_t                  filter;      /* validated route filter */
    ngx_str_t                  stop_filter; /* validated stop filter */
    ngx_int_t                  limit;
    ngx_int_t                  radius;
    double                     lat;
    double                     lon;
    ngx_str_t                  name;        /* lower-cased search text */
    ngx_str_t                  vote;        /* feedback: ahead, on_time, late */
    ngx_str_t                  doc_name;    /* document being served */
    ngx_str_t                 *exists_key;  /* its parent, for 404 vs 503 */
    ngx_str_t                 *doc_key;     /* its Redis key (micro-cache) */
    ngx_uint_t                 cache_gen;   /* the cache's, when asked */
    const char                *what;        /* "route", "stop": for 404s */
    ngx_uint_t                 nmissing;    /* commands of the 404 check */
    ngx_http_mtw_cache_e       cache;
    ngx_http_mtw_search_e      search;
    ngx_http_mtw_shape_e       shape;

    ngx_http_mtw_done_pt       done;
    ngx_http_mtw_script_t     *script;      /* EVALSHA in flight: its */
    ngx_http_mtw_cmd_t        *script_cmd;  /* command for an EVAL resend */
    ngx_http_mtw_done_pt       script_done; /* and the real handler */
    ngx_http_mtw_ticket_t     *ticket;      /* in flight, or NULL */
    ngx_event_t                timer;       /* mtw_redis_timeout */
    ngx_uint_t                 nreplies;
    ngx_http_mtw_reply_t       replies[NGX_HTTP_MTW_MAX_CMDS];

    unsigned                   counted:1;   /* r->main->count taken */
    unsigned                   cleanup:1;   /* pool cleanup registered */
};


/* A row of the routing table (ngx_http_mtw_routes.c). */
struct ngx_http_mtw_route_s {
    ngx_str_t                  prefix;      /* path up to the id */
    ngx_str_t                  suffix;      /* path after the id */
    ngx_uint_t                 flags;       /* NGX_HTTP_MTW_ID|... */
    ngx_uint_t                 methods;     /* NGX_HTTP_GET|... */
    ngx_http_mtw_endpoint_pt   handler;
    ngx_http_mtw_cache_e       cache;
    const char                *doc;         /* stored document name */
    ngx_http_mtw_shape_e       shape;
};


extern ngx_module_t  ngx_http_mtw_module;


/* ngx_http_mtw_handler.c */
ngx_int_t ngx_http_mtw_handler(ngx_http_request_t *r);

/* ngx_http_mtw_routes.c */
const ngx_http_mtw_route_t *ngx_http_mtw_route_find(ngx_str_t *uri,
    ngx_uint_t method, ngx_uint_t *methods, ngx_str_t *id);

/* ngx_http_mtw_parse.c */
ngx_int_t ngx_http_mtw_valid_id(ngx_str_t *id);
ngx_int_t ngx_http_mtw_valid_addr(ngx_str_t *addr);
ngx_int_t ngx_http_mtw_valid_city(ngx_str_t *city);
ngx_int_t ngx_http_mtw_parse_int(ngx_str_t *v, ngx_int_t min, ngx_int_t max,
    ngx_int_t *out);
ngx_int_t ngx_http_mtw_parse_double(ngx_str_t *v, double min, double max,
    double *out);
ngx_http_mtw_vote_err_e ngx_http_mtw_vote_parse(ngx_pool_t *pool,
    u_char *body, size_t len, ngx_str_t *vehicle, ngx_str_t *vote);
ngx_int_t ngx_http_mtw_json_str(json_t *jv, ngx_str_t *s);
ngx_int_t ngx_http_mtw_reply_copy(ngx_pool_t *pool,
    ngx_http_mtw_reply_t *dst, redisReply *src, ngx_uint_t depth);
ngx_int_t ngx_http_mtw_reply_is_str(ngx_http_mtw_reply_t *reply);
ngx_int_t ngx_http_mtw_reply_pair(ngx_http_mtw_reply_t *reply);
double ngx_http_mtw_reply_number(ngx_http_mtw_reply_t *reply);

/* ngx_http_mtw_redis.c: a command's reply (redisReply *, freed after the
 * call), or NULL when the connection went away first */
typedef void (*ngx_http_mtw_redis_handler_pt)(void *reply, void *data);

ngx_int_t ngx_http_mtw_redis_init_process(ngx_cycle_t *cycle);
void ngx_http_mtw_redis_exit_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_mtw_redis_send(ngx_log_t *log, ngx_http_mtw_cmd_t *cmds,
    ngx_uint_t n, ngx_http_mtw_redis_handler_pt handler, void *data,
    ngx_uint_t *sent);
void ngx_http_mtw_redis_check_stall(ngx_log_t *log);
ngx_uint_t ngx_http_mtw_redis_retry_after(void);
ngx_uint_t ngx_http_mtw_redis_notified(void);

/* the worker announces each publish here (docs/redis-contract.md) */
#define NGX_HTTP_MTW_PUBLISHED_CHANNEL  "mtw:published"

/* ngx_http_mtw_script.c */
void ngx_http_mtw_cmd_script(ngx_http_mtw_cmd_t *cmd,
    ngx_http_mtw_script_t *script, ngx_uint_t nkeys);
ngx_int_t ngx_http_mtw_fetch_script(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx, ngx_http_mtw_script_t *script,
    ngx_http_mtw_cmd_t *cmd, ngx_http_mtw_done_pt done);

/* ngx_http_mtw_fetch.c */
ngx_http_mtw_ctx_t *ngx_http_mtw_ctx_create(ngx_http_request_t *r);
ngx_int_t ngx_http_mtw_fetch(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx,
    ngx_http_mtw_cmd_t *cmds, ngx_uint_t n, ngx_http_mtw_done_pt done);
void ngx_http_mtw_cmd_arg(ngx_http_mtw_cmd_t *cmd, const char *arg,
    size_t len);
void ngx_http_mtw_cmd_str(ngx_http_mtw_cmd_t *cmd, const char *arg);
ngx_str_t *ngx_http_mtw_key(ngx_http_request_t *r, const char *fmt, ...);

/* ngx_http_mtw_http.c */
ngx_int_t ngx_http_mtw_send_json(ngx_http_request_t *r, ngx_uint_t status,
    u_char *body, size_t len);
ngx_int_t ngx_http_mtw_send_body(ngx_http_request_t *r, ngx_str_t *body,
    ngx_str_t *etag, ngx_http_mtw_cache_e cache);
ngx_int_t ngx_http_mtw_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message);
ngx_int_t ngx_http_mtw_send_unavailable(ngx_http_request_t *r,
    ngx_uint_t retry_after, const char *code, const char *message);
ngx_int_t ngx_http_mtw_retry_after(ngx_http_request_t *r,
    ngx_uint_t seconds);
ngx_int_t ngx_http_mtw_send_bad_arg(ngx_http_request_t *r, const char *name,
    const char *rule);
ngx_int_t ngx_http_mtw_arg_id(ngx_http_request_t *r, const char *name,
    ngx_str_t *id);
ngx_int_t ngx_http_mtw_cors(ngx_http_request_t *r);
ngx_int_t ngx_http_mtw_add_header(ngx_http_request_t *r, const char *name,
    ngx_str_t *value);
ngx_int_t ngx_http_mtw_arg(ngx_http_request_t *r, const char *name,
    ngx_str_t *value);
ngx_int_t ngx_http_mtw_arg_int(ngx_http_request_t *r, const char *name,
    ngx_int_t def, ngx_int_t min, ngx_int_t max, ngx_int_t *out);
ngx_int_t ngx_http_mtw_arg_double(ngx_http_request_t *r, const char *name,
    double min, double max, double *out);
ngx_int_t ngx_http_mtw_resolve_city(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);

/* ngx_http_mtw_json.c */
void ngx_http_mtw_etag_of(u_char *body, size_t len, u_char *out);
ngx_int_t ngx_http_mtw_jansson_body(ngx_http_request_t *r, json_t *doc,
    ngx_str_t *body, ngx_str_t *etag);
ngx_int_t ngx_http_mtw_send_jansson(ngx_http_request_t *r, json_t *doc,
    ngx_http_mtw_cache_e cache);
json_t *ngx_http_mtw_json_parse(ngx_http_request_t *r, ngx_str_t *text);
ngx_int_t ngx_http_mtw_json_join(ngx_http_request_t *r, ngx_str_t *doc,
    ngx_str_t *doc_etag, const char *name, ngx_str_t *part,
    ngx_str_t *part_etag, ngx_str_t *body, ngx_str_t *etag);

/* ngx_http_mtw_cache.c */
ngx_int_t ngx_http_mtw_cache_get(ngx_pool_t *pool, ngx_str_t *key,
    ngx_msec_t ttl, ngx_str_t *body, ngx_str_t *etag);
void ngx_http_mtw_cache_put(ngx_str_t *key, ngx_str_t *body, ngx_str_t *etag,
    ngx_uint_t gen, ngx_log_t *log);
ngx_uint_t ngx_http_mtw_cache_generation(void);
void ngx_http_mtw_cache_free(void);

/* ngx_http_mtw_docs.c */
ngx_int_t ngx_http_mtw_doc(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx);
ngx_str_t *ngx_http_mtw_doc_key(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
void ngx_http_mtw_cmd_hmget_doc(ngx_http_mtw_cmd_t *cmd, ngx_str_t *key);
ngx_int_t ngx_http_mtw_doc_cached(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx, ngx_str_t *key);
ngx_int_t ngx_http_mtw_v1_stops(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
ngx_int_t ngx_http_mtw_missing(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx, const char *what, const char *exists_key,
    ngx_http_mtw_done_pt done);
ngx_int_t ngx_http_mtw_missing_done(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);

/* ngx_http_mtw_realtime.c */
ngx_int_t ngx_http_mtw_realtime(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);

/* ngx_http_mtw_stops.c */
ngx_int_t ngx_http_mtw_stops_search(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
ngx_int_t ngx_http_mtw_stops_nearby(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
ngx_int_t ngx_http_mtw_predictions(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);

/* ngx_http_mtw_alerts.c */
ngx_int_t ngx_http_mtw_alerts(ngx_http_request_t *r, ngx_http_mtw_ctx_t *ctx);

/* ngx_http_mtw_feedback.c */
ngx_int_t ngx_http_mtw_feedback_post(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
ngx_int_t ngx_http_mtw_feedback_get(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);

/* ngx_http_mtw_health.c */
ngx_int_t ngx_http_mtw_healthz(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
ngx_int_t ngx_http_mtw_livez(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
ngx_int_t ngx_http_mtw_readyz(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);
ngx_int_t ngx_http_mtw_openapi(ngx_http_request_t *r,
    ngx_http_mtw_ctx_t *ctx);

#endif /* _NGX_HTTP_MTW_MODULE_H_INCLUDED_ */
