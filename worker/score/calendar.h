/*
 * calendar.h - service dates, time zones and the GTFS service calendar.
 *
 * A GTFS service day D starts at "noon minus 12 h" local time (GTFS
 * reference, stop_times.txt), so that times past 24:00 and DST days work:
 * a stop time T of a trip on day D happens at base(D) + T.  Trips of day
 * D-1 with times past 24:00 are still running on D's calendar day; the
 * service-day builder (schedule.h) includes them.
 *
 * Dates are YYYYMMDD ints.  Time-zone conversions switch TZ for the
 * duration of one call (the worker is single-threaded) and restore it.
 */
#ifndef MTW_SCORE_CALENDAR_H
#define MTW_SCORE_CALENDAR_H

#include "score/idmap.h"
#include "score/timetable.h"
#include "util/date.h"

#include <stdint.h>

/* Epoch of base(D) = local noon of D minus 12 h in zone tz (NULL = UTC). */
int64_t mtw_service_day_base(const char *tz, int ymd);

/* Local calendar date and seconds after local midnight of epoch t. */
int mtw_local_date(const char *tz, int64_t t, int *secs_of_day);

/*
 * The service date whose clock "now" belongs to.  Real time: the local
 * date.  Early-morning hours before 03:00 still belong to the local date
 * (trips of the previous day past 24:00 are included by the builder).
 */
int mtw_service_date_for(const char *tz, int64_t now);

/* Is service_id running on ymd (calendar.txt + calendar_dates.txt)? */
int mtw_service_runs(const mtw_timetable *tt, const char *service_id,
                     int ymd);

/*
 * Fills set (an initialised map; values = 1) with the service ids running
 * on ymd.  Returns the number of services, or -1 when out of memory.
 */
int mtw_services_on(const mtw_timetable *tt, int ymd, mtw_idmap *set);

/*
 * MTW_SERVICE_DATE=auto: today's date mapped onto the same weekday inside
 * the feed's calendar range, so a feed from another year runs "live".
 * Returns today when today is inside the range or the feed has no range.
 */
int mtw_service_date_auto(const mtw_timetable *tt, int today);

#endif
