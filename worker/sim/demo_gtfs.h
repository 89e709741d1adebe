/*
 * demo_gtfs.h - the project's own small GTFS feed, for `make demo`.
 *
 * Deterministic: three bus routes around a city centre (a frequent
 * east-west line, a north-south line, a slower diagonal), both directions,
 * shapes with curves, service every day from 2020 to 2099, times from
 * 05:00 to past midnight.  Valid for `gtfs-load` and `simulate`.
 */
#ifndef MTW_DEMO_GTFS_H
#define MTW_DEMO_GTFS_H

#include <stddef.h>

/* Writes the zip to path; 0, or -1 with a reason in err. */
int mtw_demo_gtfs_write(const char *path, char *err, size_t errlen);

#endif
