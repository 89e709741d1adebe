/*
 * gtfs_fetch.h - downloads a static GTFS zip (libcurl) into a temporary
 * file, so the importer can read it like a local one: retried with
 * backoff, from a fallback URL when the main one fails, and conditional
 * (If-None-Match / If-Modified-Since) so a scheduled reload of a feed that
 * has not changed downloads nothing.
 */
#ifndef MTW_GTFS_FETCH_H
#define MTW_GTFS_FETCH_H

#include <stddef.h>

/* 1 when s looks like a URL the fetcher handles (http:// or https://). */
int mtw_gtfs_is_url(const char *s);

typedef struct {
    /* in: the validators of the copy imported from the first URL (NULL or
     * "" when none): sent to that URL only */
    const char *etag;
    const char *last_modified;
    /* out */
    char new_etag[256];         /* of the body downloaded, "" when none */
    char new_last_modified[128];
    int not_modified;           /* the first URL answered 304 */
    int attempts;               /* requests made, all URLs */
    int used;                   /* index of the URL that answered */
} mtw_gtfs_download;

#define MTW_GTFS_RETRY_FIRST_MS 1000    /* then doubling */
#define MTW_GTFS_RETRY_MAX_MS 30000

/*
 * Tries urls[0..n-1] in order, each up to tries times: a transport error,
 * 408, 429 or 5xx is retried after a pause (1 s, doubling, at most 30 s);
 * another status moves on to the next URL at once.  On success the body is
 * in a new file under $TMPDIR (or /tmp) whose path is written into path
 * (the caller unlinks it); on a 304 of the first URL d->not_modified is
 * set and no file is made.  0, or -1 with a one-line reason in err (the
 * last URL's; no file left behind).  Each request is bounded in time (30 s
 * to connect, aborted under 1 KB/s for 60 s) and size (2 GiB).
 */
int mtw_gtfs_fetch(const char *const *urls, int n, int tries,
                   mtw_gtfs_download *d, char *path, size_t pathlen,
                   char *err, size_t errlen);

#endif
