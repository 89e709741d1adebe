/*
 * test_weather.c - WMO conditions, transit impact (the reference's test
 * vectors, reference-algorithms.md §12.13, with its defects fixed) and the
 * Open-Meteo JSON reader.
 */
#include "score/weather.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void test_conditions(void **state)
{
    static const struct { int code; mtw_wx_condition c; } v[] = {
        { 0, MTW_WX_CLEAR }, { 1, MTW_WX_CLOUDY }, { 2, MTW_WX_CLOUDY },
        { 3, MTW_WX_CLOUDY }, { 51, MTW_WX_RAIN }, { 61, MTW_WX_RAIN },
        { 67, MTW_WX_RAIN }, { 71, MTW_WX_SNOW }, { 75, MTW_WX_SNOW },
        { 77, MTW_WX_SNOW }, { 80, MTW_WX_SHOWERS }, { 85, MTW_WX_SHOWERS },
        { 86, MTW_WX_SHOWERS }, { 95, MTW_WX_THUNDERSTORM },
        { 99, MTW_WX_THUNDERSTORM }, { 999, MTW_WX_UNKNOWN },
        { 68, MTW_WX_UNKNOWN },
        /* fixed: the reference maps fog to unknown */
        { 45, MTW_WX_FOG }, { 48, MTW_WX_FOG },
    };
    size_t i;

    (void) state;
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(mtw_wx_condition_of(v[i].code), v[i].c);
    }
    assert_string_equal(mtw_wx_condition_name(MTW_WX_FOG), "fog");
}

/* T, condition, snowfall cm, precipitation mm, visibility m, wind km/h */
static mtw_wx_impact impact(double t, mtw_wx_condition c, double s, double p,
                            double v_m, double w)
{
    mtw_wx_obs o;

    memset(&o, 0, sizeof(o));
    o.temperature_c = t;
    o.condition = c;
    o.snowfall_cm = s;
    o.precipitation_mm = p;
    o.visibility_km = v_m / 1000;
    o.wind_speed_kmh = w;
    return mtw_wx_impact_of(&o);
}

static void test_impact_vectors(void **state)
{
    const mtw_wx_condition CL = MTW_WX_CLEAR, SN = MTW_WX_SNOW,
                           RA = MTW_WX_RAIN;

    (void) state;
    assert_int_equal(impact(-40, SN, 0, 0, 10000, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(-36, SN, 0, 0, 10000, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(-20, SN, 20, 0, 10000, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(-20, SN, 16, 0, 10000, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(-10, SN, 5, 0, 400, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(25, MTW_WX_THUNDERSTORM, 0, 0, 10000, 0),
                     MTW_IMPACT_SEVERE);
    assert_int_equal(impact(25, RA, 0, 30, 10000, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(25, RA, 0, 26, 10000, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(36, CL, 0, 0, 10000, 0), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(25, CL, 0, 0, 10000, 80), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(25, CL, 0, 0, 10000, 75), MTW_IMPACT_SEVERE);
    assert_int_equal(impact(-30, SN, 0, 0, 10000, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(-26, SN, 0, 0, 10000, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(-20, SN, 8, 0, 10000, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(-20, SN, 6, 0, 10000, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, RA, 0, 15, 10000, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, RA, 0, 11, 10000, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, CL, 0, 0, 1500, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, CL, 0, 0, 1900, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, CL, 0, 0, 10000, 60), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, CL, 0, 0, 10000, 55), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, MTW_WX_SHOWERS, 0, 0, 10000, 0),
                     MTW_IMPACT_MODERATE);
    assert_int_equal(impact(20, RA, 0, 6, 10000, 0), MTW_IMPACT_MODERATE);
    assert_int_equal(impact(-20, SN, 0, 0, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(-15, SN, 0, 0, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(-10, SN, 1, 0, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(-10, SN, 2, 0, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(20, RA, 0, 0, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(20, CL, 0, 3, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(30, CL, 0, 0, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(29, CL, 0, 0, 10000, 0), MTW_IMPACT_MINOR);
    assert_int_equal(impact(20, CL, 0, 0, 10000, 40), MTW_IMPACT_MINOR);
    assert_int_equal(impact(20, CL, 0, 0, 10000, 35), MTW_IMPACT_MINOR);
    assert_int_equal(impact(20, CL, 0, 0, 10000, 0), MTW_IMPACT_NONE);
    assert_int_equal(impact(10, CL, 0, 0, 10000, 0), MTW_IMPACT_NONE);
    assert_int_equal(impact(-10, CL, 0, 0, 10000, 0), MTW_IMPACT_NONE);
    assert_int_equal(impact(25, MTW_WX_CLOUDY, 0, 0, 10000, 0),
                     MTW_IMPACT_NONE);
    assert_int_equal(impact(0, MTW_WX_CLOUDY, 0, 0, 10000, 0),
                     MTW_IMPACT_NONE);
    assert_int_equal(impact(28, CL, 0, 0, 10000, 0), MTW_IMPACT_NONE);
    assert_int_not_equal(impact(-34.9, CL, 0, 0, 10000, 0),
                         MTW_IMPACT_SEVERE);
    /* fixed: the documented rule the reference's code left out */
    assert_int_equal(impact(-10, SN, 3, 0, 10000, 0), MTW_IMPACT_MODERATE);
    /* absent values: no snow, no rain, 10 km visibility, no wind */
    assert_int_equal(impact(20, CL, NAN, NAN, NAN, NAN), MTW_IMPACT_NONE);
}

static void test_parse_current(void **state)
{
    static const char json[] =
        "{\"latitude\":52.13,\"longitude\":-106.66,\"current_units\":{},"
        "\"current\":{\"time\":1764849600,\"interval\":900,"
        "\"temperature_2m\":-12.3,\"apparent_temperature\":-19.8,"
        "\"precipitation\":0.4,\"snowfall\":0.28,\"snow_depth\":0.12,"
        "\"weather_code\":73,\"visibility\":2400.0,\"wind_speed_10m\":21.6}}";
    mtw_wx_obs *o;
    char err[256];

    (void) state;
    assert_int_equal(mtw_wx_parse(json, strlen(json), &o, err, sizeof(err)),
                     1);
    assert_int_equal(o[0].observed_at, 1764849600);
    assert_true(fabs(o[0].temperature_c + 12.3) < 1e-9);
    assert_true(fabs(o[0].snow_depth_cm - 12) < 1e-9);   /* 0.12 m */
    assert_true(fabs(o[0].visibility_km - 2.4) < 1e-9);
    assert_int_equal(o[0].condition, MTW_WX_SNOW);
    assert_int_equal(o[0].impact, MTW_IMPACT_MINOR);
    free(o);
}

static void test_parse_hourly_and_errors(void **state)
{
    static const char hourly[] =
        "{\"hourly\":{\"time\":[1764806400,1764810000,1764813600],"
        "\"temperature_2m\":[-21.5,null,-20.1],"
        "\"apparent_temperature\":[-28,-27,-26],"
        "\"precipitation\":[0,0,0],\"snowfall\":[0,0,0],"
        "\"snow_depth\":[0.1,0.1,0.1],\"weather_code\":[0,1,45],"
        "\"visibility\":[null,null,null],\"wind_speed_10m\":[5,6,7]}}";
    mtw_wx_obs *o;
    char err[256];

    (void) state;
    /* the hour without a temperature is skipped */
    assert_int_equal(mtw_wx_parse(hourly, strlen(hourly), &o, err,
                                  sizeof(err)), 2);
    assert_int_equal(o[0].observed_at, 1764806400);
    assert_int_equal(o[0].impact, MTW_IMPACT_MINOR);    /* below -15 */
    assert_int_equal(o[1].condition, MTW_WX_FOG);
    assert_true(isnan(o[1].visibility_km));
    free(o);

    assert_int_equal(mtw_wx_parse("<html>", 6, &o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not JSON"));
    assert_int_equal(mtw_wx_parse("{\"error\":true,\"reason\":\"bad lat\"}",
                                  33, &o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bad lat"));
    assert_int_equal(mtw_wx_parse("{}", 2, &o, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_impact_vectors),
        cmocka_unit_test(test_parse_current),
        cmocka_unit_test(test_parse_hourly_and_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
