/*
 * cmd/weather.c - `mtw-worker weather`: the city's weather, hourly.
 *
 * Asks Open-Meteo for the current observation at the city's centre (or,
 * with --backfill, the archive's hours of a date range), stores it in
 * weather_observation, links the daily rows and bunching incidents that
 * have no weather yet, and publishes weather:current and weather (the
 * page's analysis with its plain-text reading) in one transaction.  `run`
 * starts it every MTW_WEATHER_SEC as a child process, so a slow or absent
 * network costs the poll loop nothing: the error is logged and the next
 * hour tries again.
 */
#include "config.h"
#include "docs/docs.h"
#include "feed/http.h"
#include "jobs/insight.h"
#include "jobs/publish.h"
#include "score/weather.h"
#include "store/pg.h"
#include "store/schedule_pg.h"
#include "store/weather_pg.h"
#include "util/cli.h"
#include "util/date.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WX_FIELDS "temperature_2m,apparent_temperature,precipitation," \
                  "snowfall,snow_depth,weather_code,visibility,wind_speed_10m"
#define WX_MAX_BODY (16u << 20)

/* the request: unix times, so no local time is ever parsed */
static void weather_url(char *url, size_t len, const mtw_config *cfg,
                        const mtw_city_row *city, const char *from,
                        const char *to)
{
    if (from == NULL) {
        snprintf(url, len, "%s?latitude=%.4f&longitude=%.4f&current="
                 WX_FIELDS "&timeformat=unixtime&timezone=GMT",
                 cfg->weather_url, city->center_lat, city->center_lon);
    } else {
        snprintf(url, len, "%s?latitude=%.4f&longitude=%.4f&start_date=%s"
                 "&end_date=%s&hourly=" WX_FIELDS "&timeformat=unixtime"
                 "&timezone=GMT", cfg->weather_archive_url, city->center_lat,
                 city->center_lon, from, to);
    }
}

/* the readings: the API's when configured (cached), else the numbers' own */
static void readings(const mtw_config *cfg, mtw_redis_link *rc,
                     const char *slug, const char *const sections[4],
                     char own[4][MTW_WX_READING], char *api[4],
                     const char *out[4])
{
    static const char *const topics[4] = {
        "on-time performance of bus routes on clear days against snowy days",
        "on-time performance of buses above and below -20 degrees Celsius",
        "on-time performance of bus routes by weather condition",
        "bus bunching incidents per hour in each weather condition"
    };
    char err[512];
    int i, cached;

    mtw_doc_weather_readings(sections, own);
    for (i = 0; i < 4; i++) {
        api[i] = cfg->openai_api_key != NULL
                 ? mtw_insight(cfg, rc, slug, topics[i], sections[i],
                               &cached, err, sizeof(err))
                 : NULL;
        if (cfg->openai_api_key != NULL && api[i] == NULL) {
            fprintf(stderr, "mtw-worker weather: %s: the API's reading "
                    "failed (%s): the numbers' own reading is shown\n",
                    slug, err);
        }
        out[i] = api[i] != NULL ? api[i] : own[i];
    }
}

/* weather:current and weather from the database, in one transaction */
static int publish(PGconn *conn, const mtw_config *cfg,
                   const mtw_city_row *city, mtw_wx_obs *latest,
                   int *have_latest, char *err, size_t errlen)
{
    mtw_wx_analysis a;
    mtw_doc_set set;
    mtw_jbuf w;
    mtw_redis_link *rc;
    const char *sections[4], *narratives[4];
    char own[4][MTW_WX_READING], *api[4] = { NULL, NULL, NULL, NULL };
    int64_t now = (int64_t) time(NULL);
    int rc_pub = -1, i;

    *have_latest = mtw_weather_latest(conn, city->id, now, latest, err,
                                      errlen);
    if (*have_latest < 0
        || mtw_weather_analysis(conn, city->id, &a, err, errlen) != 0)
    {
        return -1;
    }
    rc = mtw_redis_open(cfg, err, errlen);
    if (rc == NULL) {
        mtw_weather_analysis_free(&a);
        return -1;
    }
    sections[0] = a.winter_operations;
    sections[1] = a.temperature_threshold;
    sections[2] = a.impact_matrix;
    sections[3] = a.bunching;
    readings(cfg, rc, city->slug, sections, own, api, narratives);
    mtw_doc_set_init(&set);
    mtw_jbuf_init(&w);
    if (*have_latest) {
        mtw_doc_weather_current(&w, latest);
        if (mtw_doc_set_add(&set, "weather:current", &w, now) != 0) {
            goto done;
        }
    }
    if (mtw_doc_weather(&w, *have_latest ? latest : NULL, sections,
                        narratives, now) != 0
        || mtw_doc_set_add(&set, "weather", &w, now) != 0)
    {
        snprintf(err, errlen, "building the weather documents failed");
        goto done;
    }
    rc_pub = mtw_publish_set(rc, city->slug, &set, err, errlen);

done:
    for (i = 0; i < 4; i++) {
        free(api[i]);
    }
    mtw_redis_link_free(rc);
    mtw_jbuf_free(&w);
    mtw_doc_set_free(&set);
    mtw_weather_analysis_free(&a);
    return rc_pub == 0 ? 0 : -1;
}

static int weather_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "city", required_argument, NULL, 'c' },
        { "backfill", no_argument, NULL, 'b' },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 }
    };
    const char *slug = NULL, *from = NULL, *to = NULL;
    char err[1024], url[1024], when[32];
    mtw_config cfg;
    mtw_city_row city;
    mtw_wx_obs *obs = NULL, latest;
    PGconn *conn;
    uint8_t *body;
    size_t len = 0;
    long n, linked;
    int c, status, backfill = 0, quiet = 0, d1, d2, found, have_latest;
    time_t lt;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'c') {
            slug = optarg;
        } else if (c == 'b') {
            backfill = 1;
        } else if (c == 'q') {
            quiet = 1;
        }
    }
    if (backfill) {
        if (argc - optind != 2) {
            return mtw_cli_usage_error(cmd, "--backfill needs FROM and TO "
                                       "dates (YYYY-MM-DD)");
        }
        from = argv[optind];
        to = argv[optind + 1];
        if (strlen(from) != 10 || strlen(to) != 10
            || mtw_date_parse(from, &d1) != 0 || mtw_date_parse(to, &d2) != 0
            || d1 > d2)
        {
            return mtw_cli_usage_error(cmd, "--backfill FROM TO: two dates "
                                       "YYYY-MM-DD, FROM not after TO");
        }
    } else if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (mtw_config_load(&cfg, err, sizeof(err)) != 0) {
        return mtw_cli_usage_error(cmd, "%s", err);
    }
    if (slug == NULL) {
        slug = cfg.city;
    }
    if (slug == NULL) {
        return mtw_cli_usage_error(cmd, "--city SLUG (or MTW_CITY) is "
                                   "required");
    }
    conn = mtw_pg_connect(cfg.database_url, err, sizeof(err));
    if (conn == NULL) {
        fprintf(stderr, "mtw-worker weather: %s\n", err);
        return MTW_EXIT_FAILURE;
    }
    found = mtw_city_load(conn, slug, &city, err, sizeof(err));
    if (found <= 0) {
        fprintf(stderr, "mtw-worker weather: %s\n", found < 0 ? err
                : "no such city (run gtfs-load first)");
        mtw_pg_close(conn);
        return MTW_EXIT_FAILURE;
    }
    if (isnan(city.center_lat) || isnan(city.center_lon)) {
        fprintf(stderr, "mtw-worker weather: city %s has no centre "
                "(center_lat, center_lon): nowhere to observe\n", slug);
        mtw_pg_close(conn);
        return MTW_EXIT_FAILURE;
    }

    weather_url(url, sizeof(url), &cfg, &city, from, to);
    body = mtw_http_get(url, 5000, 30000, WX_MAX_BODY, &len, err,
                        sizeof(err));
    n = body != NULL ? mtw_wx_parse((const char *) body, len, &obs, err,
                                    sizeof(err))
                     : -1;
    free(body);
    if (n < 0) {
        /* nothing stored, nothing published: the last documents stand */
        fprintf(stderr, "mtw-worker weather: %s: %s (the next run tries "
                "again)\n", slug, err);
        mtw_pg_close(conn);
        return MTW_EXIT_FAILURE;
    }
    if (mtw_weather_store(conn, city.id, obs, (size_t) n, err,
                          sizeof(err)) < 0
        || (linked = mtw_weather_link(conn, city.id, city.tz, err,
                                      sizeof(err))) < 0
        || publish(conn, &cfg, &city, &latest, &have_latest, err,
                   sizeof(err)) != 0)
    {
        fprintf(stderr, "mtw-worker weather: %s: %s\n", slug, err);
        free(obs);
        mtw_pg_close(conn);
        return MTW_EXIT_FAILURE;
    }
    free(obs);
    mtw_pg_close(conn);
    if (!quiet) {
        if (have_latest) {
            lt = (time_t) latest.observed_at;
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&lt));
        }
        printf("weather %s: %ld observation(s) stored, %ld row(s) linked; "
               "latest %s%s%s\n", slug, n, linked,
               have_latest ? when : "none",
               have_latest ? ", " : "",
               have_latest ? mtw_wx_condition_name(latest.condition) : "");
    }
    return MTW_EXIT_OK;
}

const mtw_command mtw_cmd_weather = {
    "weather",
    "observe the city's weather and publish the weather documents",
    "usage: mtw-worker weather [--city SLUG] [--quiet]\n"
    "       mtw-worker weather [--city SLUG] --backfill FROM TO\n"
    "\n"
    "Asks Open-Meteo for the weather at the city's centre, stores it in\n"
    "weather_observation, links the daily route rows and bunching\n"
    "incidents to it, and publishes weather:current and weather (the\n"
    "weather page's analysis) to Redis.  `run` does this every\n"
    "MTW_WEATHER_SEC (3600; 0: never).  Without a network: an error, and\n"
    "nothing else changes.\n"
    "\n"
    "  --city SLUG          the city (default: $MTW_CITY)\n"
    "  --backfill FROM TO   the archive's hours of these days (YYYY-MM-DD)\n"
    "  --quiet              no summary line\n"
    "\n"
    "Each section of the page gets a plain-text reading built from its\n"
    "numbers; with MTW_OPENAI_API_KEY set, an OpenAI-compatible API writes\n"
    "it instead (MTW_OPENAI_BASE_URL, https://api.openai.com/v1;\n"
    "MTW_OPENAI_MODEL, gpt-4o-mini), cached 24 h in Redis by a hash of the\n"
    "numbers; any failure keeps the numbers' own reading.\n"
    "\n"
    "Environment: MTW_WEATHER_URL (https://api.open-meteo.com/v1/forecast),\n"
    "MTW_WEATHER_ARCHIVE_URL (https://archive-api.open-meteo.com/v1/archive),\n"
    "MTW_DATABASE_URL, MTW_REDIS_URL.\n",
    weather_main
};
