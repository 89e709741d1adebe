/*
 * config.h - the process configuration, read from the environment.
 *
 * This is the only process-wide state of the worker besides the log level.
 * Subcommand flags override these values after mtw_config_load().
 */
#ifndef MTW_CONFIG_H
#define MTW_CONFIG_H

typedef enum {
    MTW_CLOCK_WALL = 0,   /* now = the system clock (production) */
    MTW_CLOCK_FEED        /* now = the latest feed header timestamp (replay) */
} mtw_clock_mode;

typedef struct {
    const char     *redis_url;      /* MTW_REDIS_URL, redis[s]://host:port[/db] */
    const char     *redis_user;     /* MTW_REDIS_USER, ACL user for AUTH */
    const char     *redis_password; /* MTW_REDIS_PASSWORD, wins over the URL's */
    const char     *redis_tls_name; /* MTW_REDIS_TLS_NAME, certificate's name */
    const char     *redis_ca_file;  /* MTW_REDIS_CA_FILE, trusted CAs */
    const char     *database_url;   /* MTW_DATABASE_URL, libpq conninfo/URI */
    const char     *city;           /* MTW_CITY, single-city deploy slug */
    const char     *vehicles_url;   /* MTW_VEHICLES_URL */
    const char     *trips_url;      /* MTW_TRIPS_URL */
    const char     *alerts_url;     /* MTW_ALERTS_URL */
    const char     *tz;             /* MTW_TZ, IANA zone of MTW_CITY */
    const char     *service_date;   /* MTW_SERVICE_DATE: NULL, YYYY-MM-DD, auto */
    int             poll_sec;       /* MTW_POLL_SEC, vehicle poll period */
    int             score_sec;      /* MTW_SCORE_SEC, scoring tick period */
    int             feedback_archive_sec; /* MTW_FEEDBACK_ARCHIVE_SEC */
    const char     *weather_url;    /* MTW_WEATHER_URL, Open-Meteo forecast */
    const char     *weather_archive_url; /* MTW_WEATHER_ARCHIVE_URL */
    long            weather_sec;    /* MTW_WEATHER_SEC, 0: no weather job */
    const char     *openai_api_key; /* MTW_OPENAI_API_KEY: readings by an
                                     * OpenAI-compatible API (NULL: none) */
    const char     *openai_base_url;/* MTW_OPENAI_BASE_URL */
    const char     *openai_model;   /* MTW_OPENAI_MODEL */
    mtw_clock_mode  clock;          /* MTW_CLOCK */
} mtw_config;

/*
 * Fills cfg from the environment with defaults.  Returns 0, or -1 after
 * writing a one-line reason naming the variable into err.
 */
int mtw_config_load(mtw_config *cfg, char *err, unsigned errlen);

/* Parses "wall" / "feed"; -1 when neither. */
int mtw_config_parse_clock(const char *s, mtw_clock_mode *out);

/* A real date written YYYY-MM-DD -> *ymd (YYYYMMDD); 0, or -1. */
int mtw_config_parse_service_date(const char *s, int *ymd);

/* Checks MTW_SERVICE_DATE's forms: NULL, "auto" or a real YYYY-MM-DD date. */
int mtw_config_valid_service_date(const char *s);

#endif
