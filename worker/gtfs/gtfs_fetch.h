/*
 * gtfs_fetch.h - downloads a static GTFS zip (libcurl) into a temporary
 * file, so the importer can read it like a local one.
 */
#ifndef MTW_GTFS_FETCH_H
#define MTW_GTFS_FETCH_H

#include <stddef.h>

/* 1 when s looks like a URL the fetcher handles (http:// or https://). */
int mtw_gtfs_is_url(const char *s);

/*
 * Downloads url into a new file under $TMPDIR (or /tmp) and writes its
 * path into path.  0, or -1 with a one-line reason in err (no file left
 * behind).  The caller unlinks the file.  Redirects are followed, a
 * non-2xx status is an error, and the download is bounded in time
 * (30 s to connect, aborted when under 1 KB/s for 60 s) and size (2 GiB).
 */
int mtw_gtfs_fetch(const char *url, char *path, size_t pathlen,
                   char *err, size_t errlen);

#endif
