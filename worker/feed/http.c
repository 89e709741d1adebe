/*
 * http.c - libcurl multi transfers for the feed poller.
 */
#include "feed/http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_USER_AGENT "mind-the-wait/1.0 (+mtw-worker)"

int mtw_http_init(mtw_http *h, long connect_timeout_ms, long timeout_ms,
                  size_t max_body)
{
    memset(h, 0, sizeof(*h));
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return -1;
    }
    h->multi = curl_multi_init();
    if (h->multi == NULL) {
        curl_global_cleanup();
        return -1;
    }
    h->connect_timeout_ms = connect_timeout_ms;
    h->timeout_ms = timeout_ms;
    h->max_body = max_body;
    return 0;
}

void mtw_http_free(mtw_http *h)
{
    if (h->multi != NULL) {
        curl_multi_cleanup(h->multi);
        curl_global_cleanup();
    }
    memset(h, 0, sizeof(*h));
}

mtw_fetch *mtw_fetch_create(const char *url, void *owner)
{
    mtw_fetch *f = calloc(1, sizeof(*f));

    if (f == NULL) {
        return NULL;
    }
    f->url = strdup(url);
    f->easy = curl_easy_init();
    if (f->url == NULL || f->easy == NULL) {
        mtw_fetch_free(NULL, f);
        return NULL;
    }
    f->owner = owner;
    return f;
}

void mtw_fetch_free(mtw_http *h, mtw_fetch *f)
{
    if (f == NULL) {
        return;
    }
    if (f->in_flight && h != NULL) {
        curl_multi_remove_handle(h->multi, f->easy);
        h->running--;
    }
    if (f->easy != NULL) {
        curl_easy_cleanup(f->easy);
    }
    curl_slist_free_all(f->headers);
    free(f->url);
    free(f->body);
    free(f);
}

void mtw_fetch_forget_validators(mtw_fetch *f)
{
    f->etag[0] = '\0';
    f->last_modified[0] = '\0';
}

void mtw_fetch_accept(mtw_fetch *f)
{
    memcpy(f->etag, f->new_etag, sizeof(f->etag));
    memcpy(f->last_modified, f->new_last_modified, sizeof(f->last_modified));
}

static size_t fetch_on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    mtw_fetch *f = ud;
    size_t n = size * nmemb, cap;
    uint8_t *p;

    if (f->len + n > f->max_body) {
        f->too_big = 1;
        return 0;           /* aborts the transfer */
    }
    if (f->len + n > f->cap) {
        cap = f->cap ? f->cap : 64 * 1024;
        while (cap < f->len + n) {
            cap *= 2;
        }
        p = realloc(f->body, cap);
        if (p == NULL) {
            return 0;
        }
        f->body = p;
        f->cap = cap;
    }
    memcpy(f->body + f->len, ptr, n);
    f->len += n;
    return n;
}

void mtw_http_header_value(const char *line, size_t n, const char *name,
                           char *dst, size_t dstlen)
{
    size_t k = strlen(name), i;

    if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':') {
        return;
    }
    line += k + 1;
    n -= k + 1;
    while (n > 0 && isspace((unsigned char) *line)) {
        line++;
        n--;
    }
    while (n > 0 && isspace((unsigned char) line[n - 1])) {
        n--;
    }
    if (n >= dstlen) {
        return;         /* absurdly long validator: do not use it */
    }
    for (i = 0; i < n; i++) {
        /* a validator goes back into a header: no control bytes */
        if ((unsigned char) line[i] < 0x20) {
            return;
        }
    }
    memcpy(dst, line, n);
    dst[n] = '\0';
}

static size_t fetch_on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    mtw_fetch *f = ud;
    size_t n = size * nmemb;

    /* a new response (after a redirect): forget the previous one's headers */
    if (n > 5 && strncmp(ptr, "HTTP/", 5) == 0) {
        f->new_etag[0] = '\0';
        f->new_last_modified[0] = '\0';
    }
    mtw_http_header_value(ptr, n, "ETag", f->new_etag, sizeof(f->new_etag));
    mtw_http_header_value(ptr, n, "Last-Modified", f->new_last_modified,
                 sizeof(f->new_last_modified));
    return n;
}

int mtw_http_start(mtw_http *h, mtw_fetch *f)
{
    char line[400];
    CURL *e = f->easy;
    size_t i;

    if (f->in_flight) {
        return 0;
    }
    f->len = 0;
    f->too_big = 0;
    f->status = 0;
    f->error[0] = '\0';
    f->new_etag[0] = '\0';
    f->new_last_modified[0] = '\0';
    f->max_body = h->max_body;
    curl_slist_free_all(f->headers);
    f->headers = NULL;
    if (f->etag[0]) {
        snprintf(line, sizeof(line), "If-None-Match: %s", f->etag);
        f->headers = curl_slist_append(f->headers, line);
    }
    if (f->last_modified[0]) {
        snprintf(line, sizeof(line), "If-Modified-Since: %s",
                 f->last_modified);
        f->headers = curl_slist_append(f->headers, line);
    }
    for (i = 0; f->extra_headers != NULL && f->extra_headers[i] != NULL;
         i++)
    {
        f->headers = curl_slist_append(f->headers, f->extra_headers[i]);
    }
    if (f->post != NULL) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long) f->post_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, f->post);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_URL, f->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, HTTP_USER_AGENT);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");   /* gzip, deflate... */
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    /* the agency's server may redirect, but only to the web: never to
     * file://, gopher://, dict:// ... on the worker's own side */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(e, CURLOPT_PRIVATE, f);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        snprintf(f->error, sizeof(f->error), "cannot start the transfer");
        return -1;
    }
    f->in_flight = 1;
    h->running++;
    return 0;
}

void mtw_http_wait(mtw_http *h, int timeout_ms)
{
    int still;

    if (timeout_ms < 0) {
        timeout_ms = 0;
    }
    curl_multi_poll(h->multi, NULL, 0, timeout_ms, NULL);
    curl_multi_perform(h->multi, &still);
}

mtw_fetch *mtw_http_done(mtw_http *h)
{
    CURLMsg *msg;
    mtw_fetch *f;
    char *scheme = NULL;
    int left;

    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        f = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &f);
        if (f == NULL) {
            continue;
        }
        curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
        curl_easy_getinfo(f->easy, CURLINFO_SCHEME, &scheme);
        if (msg->data.result != CURLE_OK) {
            f->result = MTW_FETCH_ERROR;
            if (f->too_big) {
                snprintf(f->error, sizeof(f->error),
                         "body larger than %zu bytes (MTW_RT_MAX_BYTES)",
                         f->max_body);
            } else {
                snprintf(f->error, sizeof(f->error), "%s",
                         curl_easy_strerror(msg->data.result));
            }
        } else if (f->status == 304 && (f->etag[0] || f->last_modified[0])) {
            f->result = MTW_FETCH_NOT_MODIFIED;
        } else if (f->status == 200
                   || (f->status == 0 && scheme != NULL
                       && strcasecmp(scheme, "file") == 0))
        {
            f->result = MTW_FETCH_OK;
        } else {
            f->result = MTW_FETCH_ERROR;
            snprintf(f->error, sizeof(f->error), "HTTP status %ld",
                     f->status);
        }
        curl_multi_remove_handle(h->multi, f->easy);
        f->in_flight = 0;
        h->running--;
        return f;
    }
    return NULL;
}

/* one request, waited for: a GET, or a POST when post is not NULL */
static uint8_t *http_once(const char *url, const char *const *headers,
                          const char *post, size_t post_len,
                          long connect_timeout_ms, long timeout_ms,
                          size_t max_body, size_t *len, char *err,
                          size_t errlen)
{
    mtw_http http;
    mtw_fetch *f;
    uint8_t *body = NULL;

    if (mtw_http_init(&http, connect_timeout_ms, timeout_ms, max_body) != 0) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return NULL;
    }
    f = mtw_fetch_create(url, NULL);
    if (f != NULL) {
        f->post = post;
        f->post_len = post_len;
        f->extra_headers = headers;
    }
    if (f == NULL || mtw_http_start(&http, f) != 0) {
        snprintf(err, errlen, "%s: cannot start the request", url);
        mtw_fetch_free(&http, f);
        mtw_http_free(&http);
        return NULL;
    }
    while (mtw_http_done(&http) == NULL) {
        mtw_http_wait(&http, 200);
    }
    if (f->result == MTW_FETCH_OK) {
        body = f->body;         /* handed over */
        *len = f->len;
        f->body = NULL;
        f->len = f->cap = 0;
    } else {
        snprintf(err, errlen, "%s: %s", url, f->error[0] ? f->error
                                                         : "no body");
    }
    mtw_fetch_free(&http, f);
    mtw_http_free(&http);
    return body;
}

uint8_t *mtw_http_get(const char *url, long connect_timeout_ms,
                      long timeout_ms, size_t max_body, size_t *len,
                      char *err, size_t errlen)
{
    return http_once(url, NULL, NULL, 0, connect_timeout_ms, timeout_ms,
                     max_body, len, err, errlen);
}

uint8_t *mtw_http_post(const char *url, const char *const *headers,
                       const char *body, size_t body_len,
                       long connect_timeout_ms, long timeout_ms,
                       size_t max_body, size_t *len, char *err,
                       size_t errlen)
{
    return http_once(url, headers, body, body_len, connect_timeout_ms,
                     timeout_ms, max_body, len, err, errlen);
}
