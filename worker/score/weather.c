/*
 * weather.c - WMO codes, transit impact and Open-Meteo JSON (pure).
 */
#include "score/weather.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mtw_wx_condition mtw_wx_condition_of(int code)
{
    if (code == 0) {
        return MTW_WX_CLEAR;
    }
    if (code >= 1 && code <= 3) {
        return MTW_WX_CLOUDY;
    }
    if (code == 45 || code == 48) {
        return MTW_WX_FOG;              /* the reference: unknown */
    }
    if (code >= 51 && code <= 67) {
        return MTW_WX_RAIN;             /* drizzle, rain, freezing rain */
    }
    if (code >= 71 && code <= 77) {
        return MTW_WX_SNOW;
    }
    if (code >= 80 && code <= 86) {
        return MTW_WX_SHOWERS;          /* rain and snow showers */
    }
    if (code >= 95 && code <= 99) {
        return MTW_WX_THUNDERSTORM;
    }
    return MTW_WX_UNKNOWN;
}

const char *mtw_wx_condition_name(mtw_wx_condition c)
{
    static const char *const names[] = {
        "unknown", "clear", "cloudy", "fog", "rain", "snow", "showers",
        "thunderstorm"
    };

    return (unsigned) c < sizeof(names) / sizeof(names[0]) ? names[c]
                                                            : "unknown";
}

const char *mtw_wx_impact_name(mtw_wx_impact i)
{
    static const char *const names[] = {
        "none", "minor", "moderate", "severe"
    };

    return (unsigned) i < 4 ? names[i] : "none";
}

static double or(double v, double dflt)
{
    return isnan(v) ? dflt : v;
}

/* reference-algorithms.md §8.3, top-down, the first match wins */
mtw_wx_impact mtw_wx_impact_of(const mtw_wx_obs *o)
{
    double t = o->temperature_c, s = or(o->snowfall_cm, 0);
    double p = or(o->precipitation_mm, 0), v = or(o->visibility_km, 10);
    double w = or(o->wind_speed_kmh, 0);
    mtw_wx_condition c = o->condition;

    if (t < -35 || s > 15 || v < 0.5
        || c == MTW_WX_THUNDERSTORM || p > 25 || t > 35 || w > 70)
    {
        return MTW_IMPACT_SEVERE;
    }
    if (t < -25 || s > 5 || (c == MTW_WX_SNOW && s > 2)
        || p > 10 || v < 2 || w > 50 || c == MTW_WX_SHOWERS
        || (c == MTW_WX_RAIN && p > 5))
    {
        return MTW_IMPACT_MODERATE;
    }
    if (t < -15 || (c == MTW_WX_SNOW && s <= 2)
        || c == MTW_WX_RAIN || p > 2 || (t > 28 && t <= 35) || w > 30)
    {
        return MTW_IMPACT_MINOR;
    }
    return MTW_IMPACT_NONE;
}

/* a number of obj[key], or of obj[key][i] when i >= 0; NaN otherwise */
static double num_at(json_t *obj, const char *key, long i)
{
    json_t *v = json_object_get(obj, key);

    if (i >= 0) {
        v = json_array_get(v, (size_t) i);
    }
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int fill(mtw_wx_obs *o, json_t *obj, long i)
{
    double t = num_at(obj, "time", i), code = num_at(obj, "weather_code", i);

    memset(o, 0, sizeof(*o));
    o->temperature_c = num_at(obj, "temperature_2m", i);
    if (isnan(t) || isnan(code) || isnan(o->temperature_c)) {
        return -1;
    }
    o->observed_at = (int64_t) t;
    o->weather_code = (int) code;
    o->feels_like_c = num_at(obj, "apparent_temperature", i);
    o->precipitation_mm = num_at(obj, "precipitation", i);
    o->snowfall_cm = num_at(obj, "snowfall", i);
    o->snow_depth_cm = num_at(obj, "snow_depth", i) * 100;     /* m -> cm */
    o->visibility_km = num_at(obj, "visibility", i) / 1000;     /* m -> km */
    o->wind_speed_kmh = num_at(obj, "wind_speed_10m", i);
    o->condition = mtw_wx_condition_of(o->weather_code);
    o->impact = mtw_wx_impact_of(o);
    return 0;
}

long mtw_wx_parse(const char *json, size_t len, mtw_wx_obs **out, char *err,
                  size_t errlen)
{
    json_error_t jerr;
    json_t *root, *cur, *hourly, *times;
    mtw_wx_obs *obs;
    long n = 0, i, nt;

    *out = NULL;
    root = json_loadb(json, len, 0, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "weather: not JSON (%s at line %d)", jerr.text,
                 jerr.line);
        return -1;
    }
    if (json_is_string(json_object_get(root, "reason"))) {
        snprintf(err, errlen, "weather: the API refused: %.200s",
                 json_string_value(json_object_get(root, "reason")));
        json_decref(root);
        return -1;
    }
    cur = json_object_get(root, "current");
    hourly = json_object_get(root, "hourly");
    times = json_object_get(hourly, "time");
    nt = json_is_array(times) ? (long) json_array_size(times) : 0;
    if (!json_is_object(cur) && nt == 0) {
        snprintf(err, errlen, "weather: neither \"current\" nor \"hourly\" "
                 "in the answer");
        json_decref(root);
        return -1;
    }
    obs = calloc((size_t) (nt + 1), sizeof(*obs));
    if (obs == NULL) {
        snprintf(err, errlen, "weather: out of memory");
        json_decref(root);
        return -1;
    }
    if (json_is_object(cur) && fill(&obs[n], cur, -1) == 0) {
        n++;
    }
    for (i = 0; i < nt; i++) {
        if (fill(&obs[n], hourly, i) == 0) {
            n++;
        }
    }
    json_decref(root);
    *out = obs;
    return n;
}
