/*
 * weather.h - weather observations (Open-Meteo) and their effect on
 * transit: the WMO code's condition and the transit impact
 * (reference-algorithms.md §8.2-8.3, with its defects fixed: fog codes
 * 45/48 are fog, not unknown; drizzle and freezing rain are rain; snow
 * depth arrives in metres and is kept in centimetres; the documented
 * "snow with more than 2 cm falling is moderate" rule is applied).
 */
#ifndef MTW_SCORE_WEATHER_H
#define MTW_SCORE_WEATHER_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    MTW_WX_UNKNOWN = 0,
    MTW_WX_CLEAR,
    MTW_WX_CLOUDY,
    MTW_WX_FOG,
    MTW_WX_RAIN,
    MTW_WX_SNOW,
    MTW_WX_SHOWERS,
    MTW_WX_THUNDERSTORM
} mtw_wx_condition;

typedef enum {
    MTW_IMPACT_NONE = 0,
    MTW_IMPACT_MINOR,
    MTW_IMPACT_MODERATE,
    MTW_IMPACT_SEVERE
} mtw_wx_impact;

/* One hourly (or current) observation; NaN for a value the API left out. */
typedef struct {
    int64_t observed_at;        /* unix s */
    double temperature_c;
    double feels_like_c;
    double precipitation_mm;
    double snowfall_cm;
    double snow_depth_cm;       /* the API's metres x 100 */
    int weather_code;           /* WMO, -1 when absent */
    double visibility_km;       /* the API's metres / 1000 */
    double wind_speed_kmh;
    mtw_wx_condition condition;
    mtw_wx_impact impact;
} mtw_wx_obs;

mtw_wx_condition mtw_wx_condition_of(int wmo_code);
const char *mtw_wx_condition_name(mtw_wx_condition c);
mtw_wx_impact mtw_wx_impact_of(const mtw_wx_obs *o);
const char *mtw_wx_impact_name(mtw_wx_impact i);

/*
 * Open-Meteo JSON (timeformat=unixtime): the "current" object, or every
 * hour of "hourly".  Each observation gets its condition and impact.
 * Returns the number of observations (0: none usable) and *out (caller
 * frees), or -1 with a one-line reason in err.  An hour without time,
 * temperature or weather code is skipped (the API's required fields).
 */
long mtw_wx_parse(const char *json, size_t len, mtw_wx_obs **out,
                  char *err, size_t errlen);

#endif
