/*
 * parse.h - GTFS field values: times, dates, integers, coordinates.
 *
 * Pure functions over NUL-terminated fields, tolerant of the padding real
 * feeds carry (" 9:46:00", "0 ") and strict about everything else, so a bad
 * value is reported instead of silently becoming 0.
 */
#ifndef MTW_GTFS_PARSE_H
#define MTW_GTFS_PARSE_H

#include <stdint.h>

/*
 * "H:MM:SS" or "HH:MM:SS" (hour may be space-padded, past 24 for trips
 * running after midnight, up to 999) to seconds after the service day's
 * midnight.  0 on success, -1 when s is empty or malformed.
 */
int mtw_gtfs_parse_time(const char *s, int32_t *secs);

/* Formats seconds after midnight as "HH:MM:SS" (hours may exceed 23). */
void mtw_gtfs_format_time(int32_t secs, char out[16]);

/* "YYYYMMDD" (a real calendar date) to its value as an integer 20250629. */
int mtw_gtfs_parse_date(const char *s, int32_t *yyyymmdd);

/* A whole decimal number in [min, max], surrounding spaces allowed. */
int mtw_gtfs_parse_int(const char *s, long min, long max, long *out);

/* A finite decimal number in [min, max], surrounding spaces allowed. */
int mtw_gtfs_parse_double(const char *s, double min, double max,
                          double *out);

#endif
