/*
 * weather.c - the weather documents: weather:current (the banner's
 * observation) and weather (the weather page: the observation, the
 * analysis sections and a plain-language reading of each, built from the
 * numbers; the texts are plain text, never markup).
 */
#include "docs/internal.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void knum_or_null(mtw_jbuf *w, const char *key, double v, int dec)
{
    if (isnan(v)) {
        mtw_jw_knull(w, key);
    } else {
        mtw_jw_knum(w, key, v, dec);
    }
}

void mtw_doc_weather_current(mtw_jbuf *w, const mtw_wx_obs *o)
{
    mtw_jw_obj(w);
    mtw_jw_kint(w, "observed_at", o->observed_at);
    knum_or_null(w, "temperature_celsius", o->temperature_c, 1);
    knum_or_null(w, "feels_like_celsius", o->feels_like_c, 1);
    mtw_jw_kstr(w, "weather_condition", mtw_wx_condition_name(o->condition));
    if (o->weather_code >= 0) {
        mtw_jw_kint(w, "weather_code", o->weather_code);
    } else {
        mtw_jw_knull(w, "weather_code");
    }
    mtw_jw_kstr(w, "transit_impact", mtw_wx_impact_name(o->impact));
    knum_or_null(w, "precipitation_mm", o->precipitation_mm, 1);
    knum_or_null(w, "snowfall_cm", o->snowfall_cm, 1);
    knum_or_null(w, "snow_depth_cm", o->snow_depth_cm, 0);
    knum_or_null(w, "visibility_km", o->visibility_km, 1);
    knum_or_null(w, "wind_speed_kmh", o->wind_speed_kmh, 1);
    mtw_jw_obj_end(w);
}

static double stat(json_t *section, const char *key)
{
    json_t *v = json_object_get(json_object_get(section, "stats"), key);

    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *stat_str(json_t *section, const char *key)
{
    return json_string_value(json_object_get(json_object_get(section,
                                                             "stats"), key));
}

/* the reading of section which (0-3, as in mtw_doc_weather_readings):
 * plain sentences from its numbers */
static void reading(char *out, size_t len, int which, json_t *sec)
{
    double a, b, c;

    if (which == 0) {                   /* winter operations */
        a = stat(sec, "clearPerf");
        b = stat(sec, "snowPerf");
        if (stat_str(sec, "worstRoute") == NULL || isnan(a) || isnan(b)) {
            snprintf(out, len, "Not enough history yet: a route needs at "
                     "least 3 clear days and 3 snowy days on record to "
                     "compare.");
        } else {
            snprintf(out, len, "%s suffers most in snow: on time %.1f %% "
                     "of the time on clear days and %.1f %% on snowy days, "
                     "%.1f points lower.", stat_str(sec, "worstRoute"), a, b,
                     a - b);
        }
    } else if (which == 1) {            /* temperature threshold */
        a = stat(sec, "aboveThreshold");
        b = stat(sec, "belowThreshold");
        c = stat(sec, "daysBelow");
        if (isnan(c) || c < 1) {
            snprintf(out, len, "No day colder than -20 °C on record yet, "
                     "so the cold threshold cannot be measured.");
        } else {
            snprintf(out, len, "Below -20 °C, routes ran on time %.1f %% of "
                     "the time against %.1f %% in milder weather (%.0f cold "
                     "days, %.0f others): %.1f points %s.", b, a, c,
                     stat(sec, "daysAbove"), fabs(a - b),
                     a >= b ? "lower" : "higher");
        }
    } else if (which == 2) {            /* impact matrix */
        if (stat_str(sec, "worstCondition") == NULL) {
            snprintf(out, len, "No day with both performance and weather on "
                     "record yet.");
        } else {
            snprintf(out, len, "The hardest weather so far is %s: routes "
                     "were on time %.1f %% of the time on average over "
                     "%.0f days (mean %.1f °C).",
                     stat_str(sec, "worstCondition"),
                     stat(sec, "avgPerformance"), stat(sec, "dayCount"),
                     stat(sec, "avgTemperature"));
        }
    } else {                            /* bunching */
        a = stat(sec, "snowRate");
        b = stat(sec, "clearRate");
        c = stat(sec, "multiplier");
        if (!json_is_true(json_object_get(sec, "has_data"))) {
            snprintf(out, len, "No bunching incident is linked to a weather "
                     "observation in the last 30 days yet.");
        } else if (!isnan(c)) {
            snprintf(out, len, "Buses bunched %.2f times per hour of snow "
                     "against %.2f per clear hour: %.1f times as often in "
                     "snow.", a, b, c);
        } else {
            snprintf(out, len, "Bunching incidents are counted per hour of "
                     "each condition; snow and clear weather are not both on "
                     "record in the last 30 days yet.");
        }
    }
}

void mtw_doc_weather_readings(const char *const sections[4],
                              char out[4][MTW_WX_READING])
{
    json_t *sec;
    int i;

    for (i = 0; i < 4; i++) {
        sec = json_loads(sections[i] != NULL ? sections[i] : "{}", 0, NULL);
        reading(out[i], MTW_WX_READING, i, sec);
        json_decref(sec);
    }
}

/* "key": the section with its reading added as "narrative" */
static int section(mtw_jbuf *w, const char *key, const char *text,
                   const char *story)
{
    json_t *sec = json_loads(text != NULL ? text : "{}", 0, NULL);
    char *out;

    if (sec == NULL) {
        return -1;
    }
    json_object_set_new(sec, "narrative", json_string(story));
    out = json_dumps(sec, JSON_COMPACT);
    json_decref(sec);
    if (out == NULL) {
        return -1;
    }
    mtw_jw_key(w, key);
    mtw_jw_raw(w, out, strlen(out));
    free(out);
    return 0;
}

int mtw_doc_weather(mtw_jbuf *w, const mtw_wx_obs *cur,
                    const char *const sections[4],
                    const char *const narratives[4], int64_t ts)
{
    static const char *const keys[4] = {
        "winter_operations", "temperature_threshold", "impact_matrix",
        "bunching"
    };
    char takeaway[MTW_WX_READING * 2 + 2];
    int i;

    mtw_jbuf_reset(w);
    mtw_jw_obj(w);
    mtw_jw_key(w, "current");
    if (cur != NULL) {
        mtw_doc_weather_current(w, cur);
    } else {
        mtw_jw_null(w);
    }
    for (i = 0; i < 4; i++) {
        if (section(w, keys[i], sections[i], narratives[i]) != 0) {
            return -1;
        }
    }
    /* the worst condition, then the cold threshold */
    snprintf(takeaway, sizeof(takeaway), "%.*s %.*s", MTW_WX_READING,
             narratives[2], MTW_WX_READING, narratives[1]);
    mtw_jw_kstr(w, "key_takeaway", takeaway);
    mtw_jw_kint(w, "timestamp", ts);
    mtw_jw_obj_end(w);
    return w->failed ? -1 : 0;
}
