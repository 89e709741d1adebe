/*
 * config.c - environment -> mtw_config, with defaults in one place.
 */
#include "config.h"
#include "util/cli.h"
#include "util/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MTW_DEFAULT_REDIS_URL     "redis://127.0.0.1:6379"
#define MTW_DEFAULT_DATABASE_URL  "postgresql:///mtw"
#define MTW_DEFAULT_POLL_SEC      12
#define MTW_DEFAULT_SCORE_SEC     30
#define MTW_DEFAULT_FEEDBACK_ARCHIVE_SEC 300
#define MTW_DEFAULT_WEATHER_URL   "https://api.open-meteo.com/v1/forecast"
#define MTW_DEFAULT_WEATHER_ARCHIVE_URL \
    "https://archive-api.open-meteo.com/v1/archive"
#define MTW_DEFAULT_WEATHER_SEC   3600
#define MTW_DEFAULT_OPENAI_BASE_URL "https://api.openai.com/v1"
#define MTW_DEFAULT_OPENAI_MODEL  "gpt-4o-mini"

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return (v != NULL && *v != '\0') ? v : fallback;
}

static int env_seconds(const char *name, int fallback, int *out,
                       char *err, unsigned errlen)
{
    const char *v = getenv(name);
    long n;

    if (v == NULL || *v == '\0') {
        *out = fallback;
        return 0;
    }
    if (mtw_cli_parse_long(v, 1, 3600, &n) != 0) {
        snprintf(err, errlen, "%s must be a whole number of seconds "
                 "between 1 and 3600, not '%s'", name, v);
        return -1;
    }
    *out = (int) n;
    return 0;
}

int mtw_config_parse_clock(const char *s, mtw_clock_mode *out)
{
    if (strcmp(s, "wall") == 0) {
        *out = MTW_CLOCK_WALL;
        return 0;
    }
    if (strcmp(s, "feed") == 0) {
        *out = MTW_CLOCK_FEED;
        return 0;
    }
    return -1;
}

int mtw_config_parse_service_date(const char *s, int *ymd)
{
    /* only the dashed form: YYYYMMDD is GTFS's file format, not a setting */
    if (s == NULL || strlen(s) != 10) {
        return -1;
    }
    return mtw_date_parse(s, ymd);
}

int mtw_config_valid_service_date(const char *s)
{
    int ymd;

    return s == NULL || strcmp(s, "auto") == 0
           || mtw_config_parse_service_date(s, &ymd) == 0;
}

int mtw_config_load(mtw_config *cfg, char *err, unsigned errlen)
{
    const char *clock;

    memset(cfg, 0, sizeof(*cfg));
    cfg->redis_url = env_or("MTW_REDIS_URL", MTW_DEFAULT_REDIS_URL);
    cfg->redis_user = env_or("MTW_REDIS_USER", NULL);
    cfg->redis_password = env_or("MTW_REDIS_PASSWORD", NULL);
    cfg->redis_tls_name = env_or("MTW_REDIS_TLS_NAME", NULL);
    cfg->redis_ca_file = env_or("MTW_REDIS_CA_FILE", NULL);
    cfg->database_url = env_or("MTW_DATABASE_URL", MTW_DEFAULT_DATABASE_URL);
    cfg->city = env_or("MTW_CITY", NULL);
    cfg->vehicles_url = env_or("MTW_VEHICLES_URL", NULL);
    cfg->trips_url = env_or("MTW_TRIPS_URL", NULL);
    cfg->alerts_url = env_or("MTW_ALERTS_URL", NULL);
    cfg->tz = env_or("MTW_TZ", NULL);
    cfg->service_date = env_or("MTW_SERVICE_DATE", NULL);

    if (env_seconds("MTW_POLL_SEC", MTW_DEFAULT_POLL_SEC, &cfg->poll_sec,
                    err, errlen) != 0
        || env_seconds("MTW_SCORE_SEC", MTW_DEFAULT_SCORE_SEC,
                       &cfg->score_sec, err, errlen) != 0
        || env_seconds("MTW_FEEDBACK_ARCHIVE_SEC",
                       MTW_DEFAULT_FEEDBACK_ARCHIVE_SEC,
                       &cfg->feedback_archive_sec, err, errlen) != 0)
    {
        return -1;
    }

    cfg->weather_url = env_or("MTW_WEATHER_URL", MTW_DEFAULT_WEATHER_URL);
    cfg->weather_archive_url = env_or("MTW_WEATHER_ARCHIVE_URL",
                                      MTW_DEFAULT_WEATHER_ARCHIVE_URL);
    cfg->weather_sec = MTW_DEFAULT_WEATHER_SEC;
    cfg->openai_api_key = env_or("MTW_OPENAI_API_KEY", NULL);
    cfg->openai_base_url = env_or("MTW_OPENAI_BASE_URL",
                                  MTW_DEFAULT_OPENAI_BASE_URL);
    cfg->openai_model = env_or("MTW_OPENAI_MODEL", MTW_DEFAULT_OPENAI_MODEL);
    if (getenv("MTW_WEATHER_SEC") != NULL && *getenv("MTW_WEATHER_SEC")
        && mtw_cli_parse_long(getenv("MTW_WEATHER_SEC"), 0, 86400,
                              &cfg->weather_sec) != 0)
    {
        snprintf(err, errlen, "MTW_WEATHER_SEC must be a whole number of "
                 "seconds between 0 (no weather job) and 86400, not '%s'",
                 getenv("MTW_WEATHER_SEC"));
        return -1;
    }

    clock = env_or("MTW_CLOCK", "wall");
    if (mtw_config_parse_clock(clock, &cfg->clock) != 0) {
        snprintf(err, errlen, "MTW_CLOCK must be 'wall' or 'feed', not '%s'",
                 clock);
        return -1;
    }
    if (!mtw_config_valid_service_date(cfg->service_date)) {
        snprintf(err, errlen, "MTW_SERVICE_DATE must be YYYY-MM-DD or 'auto', "
                 "not '%s'", cfg->service_date);
        return -1;
    }
    return 0;
}
