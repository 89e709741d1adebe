/*
 * gtfs_import.h - imports a GTFS static zip into PostgreSQL for one city.
 *
 * Every file is streamed (zip entry -> CSV reader -> checks -> COPY), so
 * memory stays flat whatever the feed size: only the ids needed to check
 * references (routes, stops, trips, services, shapes) are kept.  The whole
 * import is one transaction: the city's rows in each GTFS table are built
 * as new partitions and swapped for the old ones at the end, so other
 * cities and the history tables are never touched and any error leaves the
 * previous schedule exactly as it was.
 *
 * Errors are one line naming the file, line and column:
 *   "stop_times.txt:4312: column stop_id: unknown stop '9999' (not in
 *    stops.txt)"
 */
#ifndef MTW_GTFS_IMPORT_H
#define MTW_GTFS_IMPORT_H

#include <stdio.h>
#include <libpq-fe.h>

/* The files imported, in import order. */
#define MTW_GTFS_NFILES 10
extern const char *const mtw_gtfs_files[MTW_GTFS_NFILES];

typedef struct {
    const char *slug;        /* city slug, [a-z0-9][a-z0-9-]{0,49} */
    const char *name;        /* display name; NULL: keep, or agency name */
    const char *tz;          /* IANA zone; NULL: agency_timezone */
    const char *source;      /* what to record as the source (path, URL) */
    const char *static_url;  /* stored as city.gtfs_static_url if set */
    int         progress;    /* draw a progress line on stderr */
    FILE       *report;      /* per-file summary lines, or NULL */
} mtw_gtfs_import_opts;

typedef struct {
    int     city_id;
    int     gtfs_version;
    long    rows[MTW_GTFS_NFILES];    /* rows per file, -1 when absent */
    long    skipped[MTW_GTFS_NFILES]; /* identical repeated rows skipped */
    double  ms[MTW_GTFS_NFILES];      /* time per file */
    long    total_rows;
    double  commit_ms;
    double  total_ms;
} mtw_gtfs_import_result;

/* 1 when slug is a valid city slug. */
int mtw_gtfs_valid_slug(const char *slug);

/*
 * Imports the zip at path.  0 on success (committed), -1 with a one-line
 * reason in err (rolled back).  conn must not be inside a transaction.
 */
int mtw_gtfs_import(PGconn *conn, const char *path,
                    const mtw_gtfs_import_opts *opts,
                    mtw_gtfs_import_result *result,
                    char *err, size_t errlen);

#endif
