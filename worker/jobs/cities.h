/*
 * cities.h - which cities `run` serves, from the `city` table.
 *
 * A multi-city deploy leaves MTW_CITY unset: the worker serves every active
 * row of `city` with the realtime feed URLs stored there.  A single-city
 * deploy sets MTW_CITY (and usually MTW_*_URL); when it sets no URL, the
 * city's row supplies them.
 */
#ifndef MTW_CITIES_H
#define MTW_CITIES_H

#include "jobs/ingest.h"

/*
 * Active cities (slug order) into spec[0..max-1]; returns the count, or -1
 * with a one-line reason in err (database unreachable, not migrated).
 * Rows whose slug is not a valid city slug are skipped with a warning.
 */
int mtw_cities_load(const char *database_url, mtw_city_spec *spec, int max,
                    char *err, size_t errlen);

/* Fills spec->url from the row of spec->slug; 1 found, 0 not, -1 error. */
int mtw_cities_lookup(const char *database_url, mtw_city_spec *spec,
                      char *err, size_t errlen);

#endif
