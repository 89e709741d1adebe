/*
 * exceptions.c - cancelled trip runs and skipped stops (exceptions.h).
 */
#include "score/exceptions.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

/* GTFS-Realtime schedule_relationship values */
#define TRIP_CANCELED 3
#define STOP_SKIPPED 1

/* what was reported: a trip run's cancellation (seq -1) or one stop */
typedef struct {
    char *trip_id;
    int service_date;
    int32_t start;
    int32_t seq;
} reported;

struct mtw_exceptions {
    reported *seen;             /* sorted by cmp_reported */
    size_t nseen, cap_seen;
    int run_date;               /* of the schedule seen last */
    int prev_run_date;          /* the one before: its runs after midnight */
    mtw_arrival *out;
    size_t nout, cap_out;
};

mtw_exceptions *mtw_exceptions_create(void)
{
    return calloc(1, sizeof(mtw_exceptions));
}

void mtw_exceptions_free(mtw_exceptions *x)
{
    size_t i;

    if (x == NULL) {
        return;
    }
    for (i = 0; i < x->nseen; i++) {
        free(x->seen[i].trip_id);
    }
    free(x->seen);
    free(x->out);
    free(x);
}

static int cmp_reported(const void *a, const void *b)
{
    const reported *x = a, *y = b;
    int c = strcmp(x->trip_id, y->trip_id);

    if (c != 0) {
        return c;
    }
    if (x->service_date != y->service_date) {
        return x->service_date < y->service_date ? -1 : 1;
    }
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* a new service day: forget the runs of days the schedule no longer
 * holds (it keeps the day before, for runs past midnight) */
static void forget_old_days(mtw_exceptions *x, int run_date)
{
    size_t i, kept = 0;

    if (run_date == x->run_date) {
        return;
    }
    x->prev_run_date = x->run_date;
    x->run_date = run_date;
    for (i = 0; i < x->nseen; i++) {
        if (x->seen[i].service_date < x->prev_run_date) {
            free(x->seen[i].trip_id);
            continue;
        }
        x->seen[kept++] = x->seen[i];
    }
    x->nseen = kept;
}

/* 1 when key is new (now remembered), 0 when reported before, -1 out of
 * memory */
static int remember(mtw_exceptions *x, const reported *key)
{
    size_t lo = 0, hi = x->nseen, mid;
    int c;

    while (lo < hi) {
        mid = (lo + hi) / 2;
        c = cmp_reported(key, &x->seen[mid]);
        if (c == 0) {
            return 0;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    if (mtw_grow((void **) &x->seen, &x->cap_seen, x->nseen + 1,
                 sizeof(*x->seen)) != 0)
    {
        return -1;
    }
    memmove(&x->seen[lo + 1], &x->seen[lo],
            (x->nseen - lo) * sizeof(*x->seen));
    x->seen[lo] = *key;
    x->seen[lo].trip_id = strdup(key->trip_id);
    if (x->seen[lo].trip_id == NULL) {
        memmove(&x->seen[lo], &x->seen[lo + 1],
                (x->nseen - lo) * sizeof(*x->seen));
        return -1;
    }
    x->nseen++;
    return 1;
}

static int emit(mtw_exceptions *x, const mtw_tick *t,
                const mtw_trip_update *tu, const mtw_trip *trip,
                const mtw_stop_time *row, mtw_arrival_source source)
{
    const mtw_schedule *s = t->s;
    reported key;
    mtw_arrival *a;
    int fresh;

    key.trip_id = (char *) trip->id;
    key.service_date = trip->service_date;
    key.start = trip->start;
    key.seq = row != NULL ? row->seq : -1;
    fresh = remember(x, &key);
    if (fresh <= 0) {
        return fresh;
    }
    if (mtw_grow((void **) &x->out, &x->cap_out, x->nout + 1,
                 sizeof(*x->out)) != 0)
    {
        return -1;
    }
    a = &x->out[x->nout++];
    memset(a, 0, sizeof(*a));
    a->route_id = s->routes[trip->route].id;
    a->trip_id = trip->id;
    a->stop_id = row != NULL ? s->stops[row->stop].id : "";
    a->vehicle_id = tu->vehicle_id != NULL ? tu->vehicle_id : "";
    a->service_date = trip->service_date;
    a->trip_start = trip->start;
    a->direction = trip->direction;
    a->seq = key.seq;
    a->scheduled_at = row != NULL
        ? mtw_trip_arr(trip, row)
        : mtw_trip_dep(trip, mtw_trip_rows(s, trip));
    a->arrived_at = t->now;
    a->source = source;
    return 1;
}

long mtw_exceptions_step(mtw_exceptions *x, const mtw_tick *t,
                         const mtw_arrival **out)
{
    const mtw_live *l = t->l;
    const mtw_trip *trip;
    size_t i, k;
    long run, r;

    x->nout = 0;
    *out = x->out;
    forget_old_days(x, t->s->run_date);
    for (i = 0; i < l->ntus; i++) {
        const mtw_trip_update *tu = &l->tus[i];

        if (tu->trip_id == NULL || tu->trip_id[0] == '\0') {
            continue;
        }
        run = t->tu_run[i];            /* (found once, by the tick) */
        if (run < 0) {
            continue;
        }
        trip = &t->s->trips[run];
        if (tu->rel == TRIP_CANCELED) {
            if (emit(x, t, tu, trip, NULL, MTW_ARR_CANCELED) < 0) {
                return -1;
            }
            continue;
        }
        for (k = tu->ev_first; k < (size_t) tu->ev_first + tu->ev_count;
             k++)
        {
            if (l->events[k].rel != STOP_SKIPPED) {
                continue;
            }
            r = mtw_trip_row_of(t->s, trip, l->events[k].seq,
                                l->events[k].stop_id, 0);
            if (r >= 0 && emit(x, t, tu, trip, mtw_trip_rows(t->s, trip) + r,
                               MTW_ARR_SKIPPED) < 0)
            {
                return -1;
            }
        }
    }
    *out = x->out;
    return (long) x->nout;
}
