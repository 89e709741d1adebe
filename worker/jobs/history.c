/*
 * history.c - history writes of the running worker (see history.h).
 */
#include "jobs/history.h"
#include "score/calendar.h"
#include "store/history_pg.h"
#include "store/pg.h"
#include "store/schedule_pg.h"
#include "util/log.h"

#include <stdio.h>
#include <time.h>

static double mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void mtw_histlog_free(mtw_histlog *h)
{
    mtw_arrivals_free(h->arrivals);
    mtw_bunch_state_free(h->bunching);
    h->arrivals = NULL;
    h->bunching = NULL;
}

/* yesterday's aggregate, once per run date, when it is not there yet;
 * 1 when written */
static int histlog_daily(mtw_histlog *h, PGconn *pg, int city_id,
                          const char *slug, int run_date,
                          const mtw_otp_window *w)
{
    int day = mtw_date_add(run_date, -1), done;
    char err[512];
    long routes;

    if (h->aggregated_for == run_date) {
        return 0;
    }
    done = mtw_histpg_day_done(pg, city_id, day, err, sizeof(err));
    if (done < 0) {
        mtw_warn("history %s: %s", slug, err);
        return 0;       /* tried again next tick */
    }
    h->aggregated_for = run_date;
    if (done) {
        return 0;
    }
    routes = mtw_histpg_aggregate(pg, city_id, day, w, err, sizeof(err));
    if (routes < 0) {
        mtw_warn("history %s: %s", slug, err);
        h->aggregated_for = 0;
        return 0;
    }
    mtw_info("history %s: daily performance of %d aggregated (%ld routes)",
             slug, day, routes);
    return routes > 0;
}

int mtw_histlog_tick(mtw_histlog *h, PGconn *pg, int city_id,
                      const char *slug, const mtw_tick *t,
                      const mtw_otp_window *w)
{
    const mtw_arrival *arr;
    const mtw_bunching *bun;
    long na, nb, ins_a = 0, ins_b = 0;
    double t0, ms;
    char err[512];
    int daily;

    if (h->arrivals == NULL) {
        h->arrivals = mtw_arrivals_create();
    }
    if (h->bunching == NULL) {
        h->bunching = mtw_bunch_state_create();
    }
    if (h->arrivals == NULL || h->bunching == NULL) {
        mtw_warn("history %s: out of memory", slug);
        return 0;
    }
    na = mtw_arrivals_step(h->arrivals, t, &arr);
    nb = mtw_bunching_step(h->bunching, t, &bun);
    if (na < 0 || nb < 0) {
        mtw_warn("history %s: out of memory detecting arrivals", slug);
    }
    if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
        return 0;       /* no database: nothing to keep them in */
    }
    t0 = mono_ms();
    if (na > 0) {
        ins_a = mtw_histpg_arrivals(pg, city_id, arr, (size_t) na,
                                    "position", err, sizeof(err));
        if (ins_a < 0) {
            mtw_warn("history %s: %s", slug, err);
        } else {
            h->logged += ins_a;
        }
    }
    if (nb > 0) {
        ins_b = mtw_histpg_bunching(pg, city_id, bun, (size_t) nb, err,
                                    sizeof(err));
        if (ins_b < 0) {
            mtw_warn("history %s: %s", slug, err);
        } else {
            h->incidents += ins_b;
        }
    }
    daily = histlog_daily(h, pg, city_id, slug, t->s->run_date, w);
    ms = mono_ms() - t0;
    if (ms > h->max_write_ms) {
        h->max_write_ms = ms;
    }
    if (na > 0 || nb > 0) {
        mtw_debug("history %s: %ld arrivals (%ld new), %ld bunching "
                  "episodes (%ld new) written in %.2f ms (slowest %.2f ms; "
                  "%ld arrivals, %ld incidents since start)", slug,
                  na, ins_a, nb, ins_b, ms, h->max_write_ms, h->logged,
                  h->incidents);
    }
    return daily;
}

long mtw_histlog_aggregate(const char *database_url, const char *slug,
                           int ymd, const mtw_otp_window *w, char *err,
                           size_t errlen)
{
    mtw_city_row row;
    PGconn *pg;
    long routes;
    int found;

    pg = mtw_pg_connect(database_url, err, errlen);
    if (pg == NULL) {
        return -1;
    }
    found = mtw_city_load(pg, slug, &row, err, errlen);
    if (found <= 0) {
        if (found == 0) {
            snprintf(err, errlen, "no city '%s' in the city table", slug);
        }
        mtw_pg_close(pg);
        return -1;
    }
    routes = mtw_histpg_aggregate(pg, row.id, ymd, w, err, errlen);
    mtw_pg_close(pg);
    return routes;
}
