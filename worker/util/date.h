/*
 * date.h - calendar arithmetic on YYYYMMDD dates (proleptic Gregorian):
 * days since 1970-01-01 and back, adding days, weekdays, parsing.  Shared
 * by the scoring calendar (score/calendar.h) and the simulator.
 */
#ifndef MTW_UTIL_DATE_H
#define MTW_UTIL_DATE_H

/* Days since 1970-01-01 for a YYYYMMDD date, and back. */
long mtw_date_to_days(int ymd);
int mtw_days_to_date(long days);

/* ymd + n days. */
int mtw_date_add(int ymd, int n);

/* 0 = Monday ... 6 = Sunday. */
int mtw_date_weekday(int ymd);

/* Parses "YYYY-MM-DD" or "YYYYMMDD" into *ymd (a real date); 0 or -1. */
int mtw_date_parse(const char *s, int *ymd);

#endif
