/*
 * chores.h - the daemon's slow chores, each run as a child process of the
 * worker's own binary so the poll loop never waits on them:
 *  - the reload of each served city's static feed every MTW_GTFS_RELOAD_SEC
 *    (`gtfs-load --city SLUG --reload`: conditional, so an unchanged feed
 *    costs one request; retried; the city's fallback URL), the scorer then
 *    picks up the new gtfs_version by itself;
 *  - the history's retention, daily (`prune --days MTW_RETENTION_DAYS`);
 *  - each served city's weather every MTW_WEATHER_SEC (`weather --city
 *    SLUG --quiet`: the observation, its links, the weather documents).
 * Each is started at once, then again its period after it was started,
 * never twice at a time.
 */
#ifndef MTW_JOBS_CHORES_H
#define MTW_JOBS_CHORES_H

#include <stdint.h>
#include <sys/types.h>

#define MTW_CHORES_MAX 129      /* a reload and a weather per city, and
                                 * the prune */
#define MTW_RETENTION_PERIOD_SEC 86400

typedef enum {
    MTW_CHORE_PRUNE = 0,
    MTW_CHORE_RELOAD,
    MTW_CHORE_WEATHER
} mtw_chore_kind;

typedef struct {
    mtw_chore_kind kind;
    char label[80];             /* "gtfs reload saskatoon", "prune" */
    char slug[64];              /* the city, "" for the prune */
    pid_t pid;                  /* running, or 0 */
    int64_t due_ms;             /* next start */
} mtw_chore;

typedef struct {
    long reload_sec;            /* 0: no reloads */
    long retention_days;        /* 0: no prune */
    long weather_sec;           /* 0: no weather */
    mtw_chore chore[MTW_CHORES_MAX];
    int n;
    char exe[512];              /* this binary */
} mtw_chores;

/* 0, or -1 when this binary cannot be found (err). */
int mtw_chores_init(mtw_chores *c, long reload_sec, long retention_days,
                    long weather_sec, char *err, size_t errlen);

/*
 * Reaps the chores that finished (logging how) and starts those due, for
 * the cities slugs[0..n-1] served now.  now_ms is a monotonic clock.
 */
void mtw_chores_tick(mtw_chores *c, const char *const *slugs, int n,
                     int64_t now_ms);

#endif
