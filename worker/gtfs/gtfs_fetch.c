/*
 * gtfs_fetch.c - static feed download (see gtfs_fetch.h).
 */
#include "gtfs/gtfs_fetch.h"
#include "feed/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MTW_GTFS_FETCH_MAX_BYTES (2LL * 1024 * 1024 * 1024)

int mtw_gtfs_is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0
           || strncasecmp(s, "https://", 8) == 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
    mtw_gtfs_download *d = ud;

    mtw_http_header_value(buf, size * n, "ETag", d->new_etag,
                          sizeof(d->new_etag));
    mtw_http_header_value(buf, size * n, "Last-Modified",
                          d->new_last_modified,
                          sizeof(d->new_last_modified));
    return size * n;
}

/* one request: 0 body (2xx), 1 not modified, -1 error (*transient when a
 * retry may help) */
static int fetch_once(const char *url, const char *etag, const char *lm,
                      mtw_gtfs_download *d, const char *path, int *transient,
                      char *err, size_t errlen)
{
    char curl_err[CURL_ERROR_SIZE], hdr[400];
    struct curl_slist *headers = NULL;
    CURLcode rc;
    FILE *out;
    CURL *h;
    long status = 0;

    *transient = 0;
    out = fopen(path, "wb");
    if (out == NULL) {
        snprintf(err, errlen, "%s: cannot write a temporary file", url);
        return -1;
    }
    h = curl_easy_init();
    if (h == NULL) {
        fclose(out);
        snprintf(err, errlen, "%s: cannot start libcurl", url);
        return -1;
    }
    d->new_etag[0] = '\0';
    d->new_last_modified[0] = '\0';
    if (etag != NULL && etag[0] != '\0') {
        snprintf(hdr, sizeof(hdr), "If-None-Match: %s", etag);
        headers = curl_slist_append(headers, hdr);
    }
    if (lm != NULL && lm[0] != '\0') {
        snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s", lm);
        headers = curl_slist_append(headers, hdr);
    }
    curl_err[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, d);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    /* a feed is megabytes; refuse to fill the disk with something else */
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                     (curl_off_t) MTW_GTFS_FETCH_MAX_BYTES);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mtw-worker (mind-the-wait)");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    d->attempts++;
    if (fclose(out) != 0 && rc == CURLE_OK) {
        snprintf(err, errlen, "%s: cannot write the temporary file", url);
        return -1;
    }
    if (rc != CURLE_OK) {
        *transient = rc != CURLE_FILESIZE_EXCEEDED;
        snprintf(err, errlen, "%s: download failed: %s", url,
                 curl_err[0] != '\0' ? curl_err : curl_easy_strerror(rc));
        return -1;
    }
    if (status == 304) {
        return 1;
    }
    if (status < 200 || status > 299) {
        *transient = status == 408 || status == 429 || status >= 500;
        snprintf(err, errlen, "%s: download failed: HTTP status %ld", url,
                 status);
        return -1;
    }
    return 0;
}

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0) {
    }
}

int mtw_gtfs_fetch(const char *const *urls, int n, int tries,
                   mtw_gtfs_download *d, char *path, size_t pathlen,
                   char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    int u, k, rc, transient, fd;
    long wait;

    d->not_modified = 0;
    d->attempts = 0;
    d->used = -1;
    if (dir == NULL || *dir == '\0') {
        dir = "/tmp";
    }
    snprintf(path, pathlen, "%s/mtw-gtfs-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file in %s",
                 n > 0 ? urls[0] : "?", dir);
        return -1;
    }
    close(fd);
    snprintf(err, errlen, "no URL to download");
    for (u = 0; u < n; u++) {
        wait = MTW_GTFS_RETRY_FIRST_MS;
        for (k = 0; k < tries; k++) {
            if (k > 0) {
                pause_ms(wait);
                wait = wait * 2 > MTW_GTFS_RETRY_MAX_MS
                       ? MTW_GTFS_RETRY_MAX_MS : wait * 2;
            }
            /* the validators are the first URL's: never sent elsewhere */
            rc = fetch_once(urls[u], u == 0 ? d->etag : NULL,
                            u == 0 ? d->last_modified : NULL, d, path,
                            &transient, err, errlen);
            if (rc >= 0) {
                d->used = u;
                d->not_modified = rc == 1;
                if (rc == 1) {
                    unlink(path);
                }
                return 0;
            }
            if (!transient) {
                break;
            }
        }
    }
    unlink(path);
    return -1;
}
