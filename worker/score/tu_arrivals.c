/*
 * tu_arrivals.c - arrivals from TripUpdates alone (rules in
 * tu_arrivals.h and docs/scoring.md "History").
 */
#include "score/tu_arrivals.h"
#include "util/arena.h"
#include "util/grow.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define TRIP_CANCELED 3         /* TripDescriptor.schedule_relationship */
#define STOP_SKIPPED 1          /* StopTimeUpdate.schedule_relationship */

/* what the detector remembers of a run from the previous step */
typedef struct {
    char *trip_id;
    int service_date;
    int32_t start;
    char *vehicle_id;           /* "" when the update names none */
    int32_t logged;             /* highest sequence reported, INT32_MIN */
    int64_t ts;                 /* the update's time */
    uint32_t nrows;             /* the trip's pattern rows */
    long run;                   /* its schedule trip, in this step only */
    int64_t *pred;              /* per row: predicted time, 0 not listed */
} tu_mem;

struct mtw_tu_arrivals {
    tu_mem *mem;                /* sorted by cmp_mem */
    size_t nmem;
    mtw_arrival *out;
    size_t nout, cap_out;
    mtw_arena strings;          /* vehicle ids of out */
};

mtw_tu_arrivals *mtw_tu_arrivals_create(void)
{
    mtw_tu_arrivals *d = calloc(1, sizeof(*d));

    if (d != NULL) {
        mtw_arena_init(&d->strings, 4096, 0);
    }
    return d;
}

static void mem_free(tu_mem *m, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(m[i].trip_id);
        free(m[i].vehicle_id);
        free(m[i].pred);
    }
    free(m);
}

void mtw_tu_arrivals_free(mtw_tu_arrivals *d)
{
    if (d == NULL) {
        return;
    }
    mem_free(d->mem, d->nmem);
    free(d->out);
    mtw_arena_free(&d->strings);
    free(d);
}

static int cmp_mem(const void *a, const void *b)
{
    const tu_mem *x = a, *y = b;
    int c = strcmp(x->trip_id, y->trip_id);

    if (c != 0) {
        return c;
    }
    if (x->service_date != y->service_date) {
        return x->service_date < y->service_date ? -1 : 1;
    }
    return (x->start > y->start) - (x->start < y->start);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;

    return (x > y) - (x < y);
}

static int emit(mtw_tu_arrivals *d, const mtw_schedule *s,
                const mtw_trip *trip, const mtw_stop_time *row,
                const char *vid, int64_t at)
{
    const char *copy = mtw_arena_strdup(&d->strings, vid);

    if (copy == NULL
        || mtw_grow((void **) &d->out, &d->cap_out, d->nout + 1,
                    sizeof(*d->out)) != 0)
    {
        return -1;
    }
    mtw_arrival_set(&d->out[d->nout++], s, trip, row, copy, at,
                    MTW_ARR_TRIP_UPDATE);
    return 0;
}

/* what the run's update says now: its predicted times by row */
static int remember_update(tu_mem *m, const mtw_tick *t,
                           const mtw_trip_update *tu, const mtw_trip *trip)
{
    const mtw_stop_event *ev = t->l->events + tu->ev_first;
    uint32_t i, from = 0;
    long k;

    m->trip_id = strdup(trip->id);
    m->vehicle_id = strdup(tu->vehicle_id != NULL ? tu->vehicle_id : "");
    m->pred = calloc(trip->st_count + 1, sizeof(*m->pred));
    if (m->trip_id == NULL || m->vehicle_id == NULL || m->pred == NULL) {
        return -1;
    }
    m->service_date = trip->service_date;
    m->start = trip->start;
    m->nrows = trip->st_count;
    m->run = trip - t->s->trips;
    m->ts = tu->ts > 0 ? tu->ts : t->now;
    m->logged = INT32_MIN;
    for (i = 0; i < tu->ev_count; i++) {
        if (ev[i].rel == STOP_SKIPPED) {
            continue;
        }
        /* events come in stop order: the next one is usually past the
         * last row found, else anywhere on the trip */
        k = mtw_trip_row_of(t->s, trip, ev[i].seq, ev[i].stop_id, from);
        if (k < 0 && from > 0) {
            k = mtw_trip_row_of(t->s, trip, ev[i].seq, ev[i].stop_id, 0);
        }
        if (k >= 0) {
            m->pred[k] = ev[i].arr > 0 ? ev[i].arr : ev[i].dep;
            from = (uint32_t) k + 1;
        }
    }
    return 0;
}

/* the arrivals of a run still updated, given the previous update */
static int run_step(mtw_tu_arrivals *d, const mtw_tick *t,
                    const mtw_trip *trip, tu_mem *m, const tu_mem *prev)
{
    const mtw_stop_time *rows = mtw_trip_rows(t->s, trip);
    uint32_t k, first = m->nrows;
    int64_t at;

    if (prev == NULL || prev->nrows != m->nrows) {
        return 0;               /* first sight: predictions only */
    }
    m->logged = prev->logged;
    for (k = 0; k < m->nrows && first == m->nrows; k++) {
        if (m->pred[k] != 0) {
            first = k;
        }
    }
    if (first == m->nrows) {
        /* an update without stop times says nothing of the stops: what
         * the previous one predicted stands */
        memcpy(m->pred, prev->pred, m->nrows * sizeof(*m->pred));
        m->ts = prev->ts;
        return 0;
    }
    for (k = 0; k < m->nrows; k++) {
        if (rows[k].seq <= m->logged) {
            continue;
        }
        if (k < first && prev != NULL && prev->pred[k] != 0
            && m->ts >= prev->ts)
        {
            /* listed then, gone now: passed in between */
            at = prev->pred[k];
            at = at < prev->ts ? prev->ts : at > m->ts ? m->ts : at;
        } else if (m->pred[k] != 0 && m->pred[k] <= m->ts) {
            at = m->pred[k];
        } else {
            continue;
        }
        if (emit(d, t->s, trip, &rows[k], m->vehicle_id, at) != 0) {
            return -1;
        }
        m->logged = rows[k].seq;
    }
    return 0;
}

/* a run whose update is gone: the stops it had predicted by now */
static int gone_step(mtw_tu_arrivals *d, const mtw_tick *t,
                     const tu_mem *m, const long *covered, size_t ncovered)
{
    const mtw_trip *trip;
    const mtw_stop_time *rows;
    long run = mtw_schedule_find_trip(t->s, m->trip_id, m->service_date,
                                      m->start, t->now);
    int64_t at;
    uint32_t k;

    if (run < 0 || bsearch(&run, covered, ncovered, sizeof(*covered),
                           cmp_long) != NULL)
    {
        return 0;
    }
    trip = &t->s->trips[run];
    if (trip->service_date != m->service_date || trip->start != m->start
        || trip->st_count != m->nrows)
    {
        return 0;
    }
    rows = mtw_trip_rows(t->s, trip);
    for (k = 0; k < m->nrows; k++) {
        if (rows[k].seq <= m->logged || m->pred[k] == 0
            || m->pred[k] > t->now)
        {
            continue;
        }
        at = m->pred[k] < m->ts ? m->ts : m->pred[k];
        if (emit(d, t->s, trip, &rows[k], m->vehicle_id, at) != 0) {
            return -1;
        }
    }
    return 0;
}

long mtw_tu_arrivals_step(mtw_tu_arrivals *d, const mtw_tick *t,
                          const mtw_arrival **out)
{
    const mtw_live *l = t->l;
    tu_mem *next, *prev;
    long *covered, run;
    size_t i, j, n = 0, kept = 0, ncovered = 0;

    d->nout = 0;
    *out = d->out;
    mtw_arena_reset(&d->strings);
    next = calloc(l->ntus + 1, sizeof(*next));
    covered = malloc((t->nv + 1) * sizeof(*covered));
    if (next == NULL || covered == NULL) {
        free(next);
        free(covered);
        return -1;
    }
    /* the runs the vehicle rules have this tick */
    for (i = 0; i < t->nv; i++) {
        if (t->vs[i].trip >= 0) {
            covered[ncovered++] = t->vs[i].trip;
        }
    }
    qsort(covered, ncovered, sizeof(*covered), cmp_long);
    for (i = 0; i < l->ntus; i++) {
        const mtw_trip_update *tu = &l->tus[i];

        if (tu->trip_id == NULL || tu->trip_id[0] == '\0'
            || tu->rel == TRIP_CANCELED)
        {
            continue;
        }
        run = t->tu_run[i];            /* (found once, by the tick) */
        if (run < 0 || bsearch(&run, covered, ncovered, sizeof(*covered),
                               cmp_long) != NULL)
        {
            continue;
        }
        if (remember_update(&next[n++], t, tu, &t->s->trips[run]) != 0) {
            goto oom;
        }
    }
    qsort(next, n, sizeof(*next), cmp_mem);
    /* a run twice in one snapshot: keep one */
    for (i = 0; i < n; i++) {
        if (kept > 0 && cmp_mem(&next[kept - 1], &next[i]) == 0) {
            free(next[i].trip_id);
            free(next[i].vehicle_id);
            free(next[i].pred);
            continue;
        }
        next[kept++] = next[i];
    }
    n = kept;
    for (i = 0; i < n; i++) {
        prev = d->nmem ? bsearch(&next[i], d->mem, d->nmem, sizeof(*d->mem),
                                 cmp_mem)
                       : NULL;
        if (run_step(d, t, &t->s->trips[next[i].run], &next[i], prev) != 0) {
            goto oom;
        }
    }
    /* the runs of the previous step without an update now (both sorted) */
    for (i = 0, j = 0; i < d->nmem; i++) {
        while (j < n && cmp_mem(&next[j], &d->mem[i]) < 0) {
            j++;
        }
        if ((j == n || cmp_mem(&next[j], &d->mem[i]) != 0)
            && gone_step(d, t, &d->mem[i], covered, ncovered) != 0)
        {
            goto oom;
        }
    }
    free(covered);
    mem_free(d->mem, d->nmem);
    d->mem = next;
    d->nmem = n;
    *out = d->out;
    return (long) d->nout;

oom:
    free(covered);
    mem_free(next, n);
    d->nout = 0;
    return -1;
}

int32_t mtw_tu_arrivals_logged(const mtw_tu_arrivals *d, const char *trip_id,
                               int service_date, int32_t start)
{
    tu_mem key;
    const tu_mem *m;

    if (d == NULL || d->nmem == 0) {
        return INT32_MIN;
    }
    key.trip_id = (char *) trip_id;
    key.service_date = service_date;
    key.start = start;
    m = bsearch(&key, d->mem, d->nmem, sizeof(*d->mem), cmp_mem);
    return m != NULL ? m->logged : INT32_MIN;
}
