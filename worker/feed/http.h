/*
 * http.h - non-blocking feed fetches with libcurl multi.
 *
 * One mtw_fetch per feed URL keeps its easy handle (so the connection is
 * reused), its validators (ETag, Last-Modified) for conditional GETs, and
 * the body of the last transfer.  mtw_http drives every transfer of the
 * process on one multi handle: start, wait, collect the finished ones.
 */
#ifndef MTW_HTTP_H
#define MTW_HTTP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MTW_FETCH_OK = 0,           /* 200 with a body (http and https only) */
    MTW_FETCH_NOT_MODIFIED,     /* 304: the validators matched */
    MTW_FETCH_ERROR             /* transport error, timeout or non-200 */
} mtw_fetch_result;

typedef struct mtw_fetch {
    CURL             *easy;
    char             *url;
    void             *owner;        /* the caller's feed state */
    int               in_flight;
    /* validators of the last good body, sent on the next request */
    char              etag[256];
    char              last_modified[128];
    char              new_etag[256];
    char              new_last_modified[128];
    /* last transfer */
    uint8_t          *body;
    size_t            len;
    size_t            cap;
    size_t            max_body;
    int               too_big;
    long              status;
    mtw_fetch_result  result;
    char              error[256];
    struct curl_slist *headers;
    /* a POST instead of a GET (one-off calls): its body and headers */
    const char       *post;
    size_t            post_len;
    const char *const *extra_headers;   /* NULL-terminated, or NULL */
} mtw_fetch;

typedef struct {
    CURLM *multi;
    long   connect_timeout_ms;
    long   timeout_ms;
    size_t max_body;
    int    running;
} mtw_http;

/* Returns 0, or -1 when libcurl cannot be initialised. */
int  mtw_http_init(mtw_http *h, long connect_timeout_ms, long timeout_ms,
                   size_t max_body);
void mtw_http_free(mtw_http *h);

/* A fetch for url (copied); NULL when out of memory. */
mtw_fetch *mtw_fetch_create(const char *url, void *owner);
/* Stops a transfer in flight (h may be NULL when none is). */
void mtw_fetch_free(mtw_http *h, mtw_fetch *f);
/* Forgets the validators so the next request is unconditional. */
void mtw_fetch_forget_validators(mtw_fetch *f);

/* Starts a GET of f->url (conditional when validators are known). */
int  mtw_http_start(mtw_http *h, mtw_fetch *f);

/* Waits at most timeout_ms for network activity and moves transfers on. */
void mtw_http_wait(mtw_http *h, int timeout_ms);

/* Next finished transfer with result/status/error set, or NULL. */
mtw_fetch *mtw_http_done(mtw_http *h);

/*
 * A one-off GET of url (http or https) for the commands that may wait:
 * the body (caller frees) and its length, or NULL with "url: reason" in
 * err.  Bounded by the two timeouts and max_body.
 */
uint8_t *mtw_http_get(const char *url, long connect_timeout_ms,
                      long timeout_ms, size_t max_body, size_t *len,
                      char *err, size_t errlen);

/* The same as a POST of body with headers ("Name: value", NULL-ended);
 * err never holds the headers (they may carry a secret). */
uint8_t *mtw_http_post(const char *url, const char *const *headers,
                       const char *body, size_t body_len,
                       long connect_timeout_ms, long timeout_ms,
                       size_t max_body, size_t *len, char *err,
                       size_t errlen);

/* Keeps the validators of the last transfer (call once its body decoded). */
void mtw_fetch_accept(mtw_fetch *f);

/*
 * The value of header `name:` (any case) in one header line of n bytes,
 * trimmed, into dst; dst is left as it was when the line is another
 * header, or the value is as long as dstlen or holds control bytes (a
 * validator goes back into a request header: never a truncated or an
 * injected one).
 */
void mtw_http_header_value(const char *line, size_t n, const char *name,
                           char *dst, size_t dstlen);

#endif
