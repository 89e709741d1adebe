/*
 * gtfs_fetch.c - static feed download (see gtfs_fetch.h).
 */
#include "gtfs/gtfs_fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MTW_GTFS_FETCH_MAX_BYTES (2LL * 1024 * 1024 * 1024)

int mtw_gtfs_is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0
           || strncasecmp(s, "https://", 8) == 0;
}

int mtw_gtfs_fetch(const char *url, char *path, size_t pathlen,
                   char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    char curl_err[CURL_ERROR_SIZE];
    CURLcode rc;
    FILE *out;
    CURL *h;
    long status = 0;
    int fd;

    if (dir == NULL || *dir == '\0') {
        dir = "/tmp";
    }
    snprintf(path, pathlen, "%s/mtw-gtfs-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file in %s",
                 url, dir);
        return -1;
    }
    out = fdopen(fd, "wb");
    if (out == NULL) {
        close(fd);
        unlink(path);
        snprintf(err, errlen, "%s: cannot write a temporary file", url);
        return -1;
    }
    h = curl_easy_init();
    if (h == NULL) {
        fclose(out);
        unlink(path);
        snprintf(err, errlen, "%s: cannot start libcurl", url);
        return -1;
    }
    curl_err[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
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
    if (fclose(out) != 0 && rc == CURLE_OK) {
        unlink(path);
        snprintf(err, errlen, "%s: cannot write the temporary file", url);
        return -1;
    }
    if (rc != CURLE_OK) {
        unlink(path);
        snprintf(err, errlen, "%s: download failed: %s", url,
                 curl_err[0] != '\0' ? curl_err : curl_easy_strerror(rc));
        return -1;
    }
    if (status < 200 || status > 299) {
        unlink(path);
        snprintf(err, errlen, "%s: download failed: HTTP status %ld", url,
                 status);
        return -1;
    }
    return 0;
}
