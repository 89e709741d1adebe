/*
 * arrivals.c - arrivals and bunching episodes from consecutive ticks, and
 * the queue of rows waiting for a commit (rules in arrivals.h and
 * docs/scoring.md "History").
 */
#include "score/arrivals.h"
#include "score/tu_arrivals.h"
#include "util/grow.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* what the detector remembers of a vehicle from the previous step */
typedef struct {
    char *vid;
    char *trip_id;
    int service_date;
    int32_t trip_start;
    int32_t seq;                /* current_stop_sequence, -1 none */
    int status;                 /* MTW_VS_* */
    int64_t ts;
    int32_t logged;             /* highest sequence reported, INT32_MIN */
    uint32_t vehicle;           /* index in this step's live state */
    int located;                /* far, far_ts hold a located position */
    double far;                 /* farthest distance along the trip's
                                 * stops reached on this run (m) */
    int64_t far_ts;             /* when it was reached */
    double far_sched;           /* the locator's schedule time there
                                 * (pattern s; sched_here() reads it) */
} arr_mem;

/* a vehicle this close before a stop (along the trip) stands at it: buses
 * stop short of the pole, and a projection lands a few metres off */
#define AT_STOP_M 15.0

/* a vehicle found again this close behind its farthest point stands there
 * (GPS noise of a parked bus) */
#define STANDING_M 5.0

struct mtw_arrivals {
    arr_mem *mem;
    size_t nmem;
    const mtw_tu_arrivals *tu;  /* what the trip-update rules reported */
    mtw_arrival *out;
    size_t nout, cap_out;
};

mtw_arrivals *mtw_arrivals_create(void)
{
    return calloc(1, sizeof(mtw_arrivals));
}

static void mem_free(arr_mem *m, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(m[i].vid);
        free(m[i].trip_id);
    }
    free(m);
}

void mtw_arrivals_after(mtw_arrivals *d, const mtw_tu_arrivals *tu)
{
    d->tu = tu;
}

void mtw_arrivals_free(mtw_arrivals *d)
{
    if (d == NULL) {
        return;
    }
    mem_free(d->mem, d->nmem);
    free(d->out);
    free(d);
}

static int cmp_mem(const void *a, const void *b)
{
    return strcmp(((const arr_mem *) a)->vid, ((const arr_mem *) b)->vid);
}

static const char *const source_names[] = {
    "stop_sequence", "position", "trip_update", "canceled", "skipped"
};

#define NSOURCES (sizeof(source_names) / sizeof(source_names[0]))

const char *mtw_arrival_source_str(mtw_arrival_source s)
{
    return (unsigned) s < NSOURCES ? source_names[s] : source_names[0];
}

mtw_arrival_source mtw_arrival_source_parse(const char *s)
{
    unsigned i;

    for (i = 0; s != NULL && i < NSOURCES; i++) {
        if (strcmp(s, source_names[i]) == 0) {
            return (mtw_arrival_source) i;
        }
    }
    return MTW_ARR_STOP_SEQUENCE;
}

void mtw_arrival_set(mtw_arrival *a, const mtw_schedule *s,
                     const mtw_trip *trip, const mtw_stop_time *row,
                     const char *vid, int64_t at, mtw_arrival_source source)
{
    a->route_id = s->routes[trip->route].id;
    a->trip_id = trip->id;
    a->stop_id = s->stops[row->stop].id;
    a->vehicle_id = vid;
    a->service_date = trip->service_date;
    a->trip_start = trip->start;
    a->direction = trip->direction;
    a->seq = row->seq;
    a->arrived_at = at;
    a->scheduled_at = mtw_trip_arr(trip, row);
    a->has_delay = 1;
    a->delay = (int) (at - a->scheduled_at);
    a->source = source;
}

static int emit(mtw_arrivals *d, const mtw_schedule *s, const mtw_trip *trip,
                const mtw_stop_time *row, const char *vid, int64_t at,
                mtw_arrival_source source)
{
    if (mtw_grow((void **) &d->out, &d->cap_out, d->nout + 1,
                 sizeof(*d->out)) != 0)
    {
        return -1;
    }
    mtw_arrival_set(&d->out[d->nout++], s, trip, row, vid, at, source);
    return 0;
}

/*
 * The timetable's time at distance d along the trip: the locator's, except
 * at a stop, where a standing bus may be anywhere in the dwell: its middle
 * (the locator's end of the dwell would time every later passage early).
 */
static double sched_here(const mtw_stop_time *rows, uint32_t n, double d,
                         double located)
{
    uint32_t k;

    for (k = 0; k < n; k++) {
        if (fabs(rows[k].dist - d) <= AT_STOP_M) {
            return (rows[k].arr + rows[k].dep) / 2.0;
        }
        if (rows[k].dist > d + AT_STOP_M) {
            break;
        }
    }
    return located;
}

/*
 * The arrivals of a vehicle without a stop sequence, from its position
 * along the trip's stops: a stop whose distance lies between the farthest
 * point of the previous positions and this one was passed, at the time
 * interpolated by the schedule's running times between the two points
 * (a bus slows down for a stop and stands there: by distance, a bus found
 * standing at a stop would have arrived when it was found; by the
 * schedule, it arrived when the timetable's pace brings it there).  The farthest point only moves forward, so GPS
 * jitter backwards reports nothing and a stop is never passed twice; a
 * position off the trip (a detour) keeps the last point, and the stops
 * skipped meanwhile are passed when the vehicle is found again.  A vehicle
 * first seen standing at its trip's first stop (a layover at the
 * terminal) arrives there when first seen, as a STOPPED_AT report would.
 */
static int position_step(mtw_arrivals *d, const mtw_tick *t, arr_mem *m,
                         const arr_mem *prev, int same_run)
{
    const mtw_vstate *vs = &t->vs[m->vehicle];
    const mtw_trip *trip = &t->s->trips[vs->trip];
    const mtw_stop_time *rows = mtw_trip_rows(t->s, trip);
    int have_prev = same_run && prev->located;
    double d0, d1, s0, s1, share;
    int64_t t0, t1, at;
    uint32_t k;

    if (!vs->has_progress || (have_prev && (vs->dist <= prev->far
                                            || m->ts <= prev->far_ts)))
    {
        /* not located, not farther, or not newer: keep the last point */
        if (have_prev) {
            m->located = 1;
            m->far = prev->far;
            m->far_ts = prev->far_ts;
            m->far_sched = prev->far_sched;
            if (vs->has_progress && m->ts > prev->far_ts
                && prev->far - vs->dist <= STANDING_M)
            {
                /* still standing there (a stop, a light): it leaves from
                 * there later than first seen */
                m->far_ts = m->ts;
            }
        }
        return 0;
    }
    d1 = vs->dist;
    t1 = m->ts;
    m->located = 1;
    m->far = d1;
    m->far_ts = t1;
    m->far_sched = vs->sched_at;
    if (!have_prev) {
        if (trip->st_count > 0 && d1 <= AT_STOP_M && rows[0].seq > m->logged)
        {
            if (emit(d, t->s, trip, &rows[0], m->vid, t1,
                     MTW_ARR_POSITION) != 0)
            {
                return -1;
            }
            m->logged = rows[0].seq;
        }
        return 0;
    }
    d0 = prev->far;
    t0 = prev->far_ts;
    s0 = sched_here(rows, trip->st_count, d0, prev->far_sched);
    s1 = sched_here(rows, trip->st_count, d1, m->far_sched);
    for (k = 0; k < trip->st_count; k++) {
        double dk = rows[k].dist;

        if (rows[k].seq <= m->logged || dk <= d0) {
            continue;
        }
        if (dk > d1 + AT_STOP_M) {
            break;
        }
        /* the share of the way from the last point, in scheduled time
         * (by distance where the schedule does not move on) */
        share = s1 > s0 ? (rows[k].arr - s0) / (s1 - s0)
                        : (dk - d0) / (d1 - d0);
        share = share < 0 ? 0 : share > 1 ? 1 : share;
        at = t0 + (int64_t) llround((double) (t1 - t0) * share);
        if (emit(d, t->s, trip, &rows[k], m->vid, at, MTW_ARR_POSITION)
            != 0)
        {
            return -1;
        }
        m->logged = rows[k].seq;
    }
    return 0;
}

/* the arrivals of one vehicle, given what it was in the previous step */
static int vehicle_step(mtw_arrivals *d, const mtw_tick *t, arr_mem *m,
                        const arr_mem *prev)
{
    const mtw_vehicle *v = &t->l->vehicles[m->vehicle];
    const mtw_trip *trip = &t->s->trips[t->vs[m->vehicle].trip];
    const mtw_stop_time *rows = mtw_trip_rows(t->s, trip);
    int same_run, passed;
    uint32_t k;

    same_run = prev != NULL && strcmp(prev->trip_id, m->trip_id) == 0
               && prev->service_date == m->service_date
               && prev->trip_start == m->trip_start;
    m->logged = same_run ? prev->logged
                         : mtw_tu_arrivals_logged(d->tu, m->trip_id,
                                                  m->service_date,
                                                  m->trip_start);
    if (m->seq < 0) {
        return position_step(d, t, m, prev, same_run);
    }
    /* the stop sequence rules; the farthest point follows for a feed
     * that stops sending sequences mid-run */
    if (t->vs[m->vehicle].has_progress) {
        m->located = 1;
        m->far = t->vs[m->vehicle].dist;
        m->far_ts = m->ts;
        m->far_sched = t->vs[m->vehicle].sched_at;
    }
    passed = same_run && prev->seq >= 0 && m->seq > prev->seq
             && m->ts >= prev->ts;
    for (k = 0; k < trip->st_count; k++) {
        int32_t seq = rows[k].seq;
        int64_t at;

        if (seq <= m->logged) {
            continue;
        }
        if (passed && seq >= prev->seq && seq < m->seq) {
            at = prev->ts + (m->ts - prev->ts) / 2;
        } else if (seq == m->seq && v->stop_status == MTW_VS_STOPPED_AT) {
            at = m->ts;
        } else {
            continue;
        }
        if (emit(d, t->s, trip, &rows[k], m->vid, at, MTW_ARR_STOP_SEQUENCE)
            != 0)
        {
            return -1;
        }
        m->logged = seq;
    }
    return 0;
}

long mtw_arrivals_step(mtw_arrivals *d, const mtw_tick *t,
                       const mtw_arrival **out)
{
    arr_mem *next, *prev, key;
    size_t i, n = 0, kept = 0;

    d->nout = 0;
    *out = d->out;
    next = calloc(t->nv + 1, sizeof(*next));
    if (next == NULL) {
        return -1;
    }
    for (i = 0; i < t->nv; i++) {
        const mtw_vehicle *v = &t->l->vehicles[i];
        const mtw_trip *trip;
        arr_mem *m = &next[n];

        if (t->vs[i].trip < 0 || v->id == NULL || v->id[0] == '\0'
            || v->ts <= 0)
        {
            continue;
        }
        trip = &t->s->trips[t->vs[i].trip];
        m->vid = strdup(v->id);
        m->trip_id = strdup(trip->id);
        n++;
        if (m->vid == NULL || m->trip_id == NULL) {
            mem_free(next, n);
            return -1;
        }
        m->service_date = trip->service_date;
        m->trip_start = trip->start;
        m->seq = v->current_seq;
        m->status = v->stop_status;
        m->ts = v->ts;
        m->vehicle = (uint32_t) i;
    }
    qsort(next, n, sizeof(*next), cmp_mem);
    /* a vehicle id twice in one snapshot: keep one */
    for (i = 0; i < n; i++) {
        if (kept > 0 && strcmp(next[kept - 1].vid, next[i].vid) == 0) {
            free(next[i].vid);
            free(next[i].trip_id);
            continue;
        }
        next[kept++] = next[i];
    }
    n = kept;
    for (i = 0; i < n; i++) {
        key.vid = next[i].vid;
        prev = d->nmem ? bsearch(&key, d->mem, d->nmem, sizeof(*d->mem),
                                 cmp_mem)
                       : NULL;
        if (vehicle_step(d, t, &next[i], prev) != 0) {
            mem_free(next, n);
            d->nout = 0;
            return -1;
        }
    }
    mem_free(d->mem, d->nmem);
    d->mem = next;
    d->nmem = n;
    *out = d->out;
    return (long) d->nout;
}

/* ---- bunching episodes ------------------------------------------------ */

typedef struct {
    char *route_id;
    int direction;
} bunch_open;

struct mtw_bunch_state {
    bunch_open *seen;           /* route-directions scored since start */
    size_t nseen, cap_seen;
    bunch_open *open;
    size_t nopen;
    mtw_bunching *out;
    size_t nout, cap_out;
    const char **ids;           /* vehicle ids of this step's episodes */
    size_t nids, cap_ids;
};

mtw_bunch_state *mtw_bunch_state_create(void)
{
    return calloc(1, sizeof(mtw_bunch_state));
}

static void open_free(bunch_open *o, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(o[i].route_id);
    }
    free(o);
}

void mtw_bunch_state_free(mtw_bunch_state *b)
{
    if (b == NULL) {
        return;
    }
    open_free(b->open, b->nopen);
    open_free(b->seen, b->nseen);
    free(b->out);
    free(b->ids);
    free(b);
}

static int cmp_open(const void *a, const void *b)
{
    const bunch_open *x = a, *y = b;
    int c = strcmp(x->route_id, y->route_id);

    return c != 0 ? c : (x->direction > y->direction)
                        - (x->direction < y->direction);
}

static int was_seen(const mtw_bunch_state *b, const bunch_open *key)
{
    return b->nseen && bsearch(key, b->seen, b->nseen, sizeof(*b->seen),
                               cmp_open) != NULL;
}

/* adds tick t's scored route-directions to the seen set; -1 out of memory
 * (the episodes already handed out stay valid) */
static int remember_seen(mtw_bunch_state *b, const mtw_tick *t)
{
    size_t i, added = 0;

    for (i = 0; i < t->ngroups; i++) {
        const mtw_group_score *g = &t->groups[i];
        bunch_open key;

        if (g->route_id == NULL) {
            continue;
        }
        key.route_id = (char *) g->route_id;
        key.direction = g->direction;
        if (was_seen(b, &key)) {
            continue;
        }
        if (b->nseen + added == b->cap_seen) {
            size_t cap = b->cap_seen ? b->cap_seen * 2 : 16;
            bunch_open *p = realloc(b->seen, cap * sizeof(*p));

            if (p == NULL) {
                break;
            }
            b->seen = p;
            b->cap_seen = cap;
        }
        key.route_id = strdup(g->route_id);
        if (key.route_id == NULL) {
            break;
        }
        b->seen[b->nseen + added++] = key;
    }
    if (added > 0) {
        b->nseen += added;
        qsort(b->seen, b->nseen, sizeof(*b->seen), cmp_open);
    }
    return i < t->ngroups ? -1 : 0;
}

long mtw_bunching_step(mtw_bunch_state *b, const mtw_tick *t,
                       const mtw_bunching **out)
{
    bunch_open *next, key;
    size_t i, n = 0, need = 0;
    int j;

    b->nout = 0;
    b->nids = 0;
    *out = b->out;
    next = calloc(t->ngroups + 1, sizeof(*next));
    if (next == NULL) {
        return -1;
    }
    for (i = 0; i < t->ngroups; i++) {
        need += (size_t) t->groups[i].vehicles;
    }
    /* sized once so the pointers handed out stay put */
    if (need > b->cap_ids) {
        const char **ids = realloc(b->ids, need * sizeof(*ids));

        if (ids == NULL) {
            free(next);
            return -1;
        }
        b->ids = ids;
        b->cap_ids = need;
    }
    for (i = 0; i < t->ngroups; i++) {
        const mtw_group_score *g = &t->groups[i];
        mtw_bunching *e;
        int minh = INT_MAX;

        if (g->route_id == NULL || g->n_bunched <= 0 || g->scheduled <= 0) {
            continue;
        }
        key.route_id = (char *) g->route_id;
        key.direction = g->direction;
        next[n].route_id = strdup(g->route_id);
        next[n].direction = g->direction;
        if (next[n++].route_id == NULL) {
            open_free(next, n);
            return -1;
        }
        if (b->nopen && bsearch(&key, b->open, b->nopen, sizeof(*b->open),
                                cmp_open) != NULL)
        {
            continue;           /* the episode goes on */
        }
        if (b->nout == b->cap_out) {
            size_t cap = b->cap_out ? b->cap_out * 2 : 16;
            mtw_bunching *o = realloc(b->out, cap * sizeof(*o));

            if (o == NULL) {
                open_free(next, n);
                b->nout = 0;
                return -1;
            }
            b->out = o;
            b->cap_out = cap;
        }
        for (j = 0; j < g->nh; j++) {
            if (g->headways[j] < minh) {
                minh = g->headways[j];
            }
        }
        e = &b->out[b->nout++];
        e->route_id = g->route_id;
        e->direction = g->direction;
        e->stop_id = g->ref_stop >= 0 ? t->s->stops[g->ref_stop].id : "";
        e->detected_at = t->now;
        e->service_date = t->s->run_date;
        e->headway = minh == INT_MAX ? -1 : minh;
        e->scheduled = g->scheduled;
        e->vehicle_ids = b->ids + b->nids;
        e->nvehicles = 0;
        e->resumable = !was_seen(b, &key);
        for (j = 0; j < g->vehicles; j++) {
            const char *id = t->l->vehicles[g->members[j]].id;

            if (id != NULL) {
                b->ids[b->nids++] = id;
                e->nvehicles++;
            }
        }
    }
    qsort(next, n, sizeof(*next), cmp_open);
    open_free(b->open, b->nopen);
    b->open = next;
    b->nopen = n;
    /* out of memory here only leaves more episodes resumable */
    (void) remember_seen(b, t);
    *out = b->out;
    return (long) b->nout;
}

/* ---- rows waiting for a commit ---------------------------------------- */

struct mtw_histq {
    mtw_arrival *a;
    size_t na, cap_a, max_a;
    mtw_bunching *b;
    size_t nb, cap_b, max_b;
};

mtw_histq *mtw_histq_create(size_t max_arr, size_t max_bun)
{
    mtw_histq *q = calloc(1, sizeof(*q));

    if (q != NULL) {
        q->max_a = max_arr > 0 ? max_arr : 1;
        q->max_b = max_bun > 0 ? max_bun : 1;
    }
    return q;
}

static void arrival_clear(mtw_arrival *a)
{
    free((char *) a->route_id);
    free((char *) a->trip_id);
    free((char *) a->stop_id);
    free((char *) a->vehicle_id);
}

static void bunching_clear(mtw_bunching *b)
{
    int k;

    free((char *) b->route_id);
    free((char *) b->stop_id);
    for (k = 0; k < b->nvehicles; k++) {
        free((char *) b->vehicle_ids[k]);
    }
    free(b->vehicle_ids);
}

void mtw_histq_free(mtw_histq *q)
{
    if (q == NULL) {
        return;
    }
    mtw_histq_done_arrivals(q, q->na);
    mtw_histq_done_bunching(q, q->nb);
    free(q->a);
    free(q->b);
    free(q);
}

static int arrival_copy(mtw_arrival *to, const mtw_arrival *from)
{
    *to = *from;
    to->route_id = strdup(from->route_id);
    to->trip_id = strdup(from->trip_id);
    to->stop_id = strdup(from->stop_id);
    to->vehicle_id = strdup(from->vehicle_id);
    if (to->route_id == NULL || to->trip_id == NULL || to->stop_id == NULL
        || to->vehicle_id == NULL)
    {
        arrival_clear(to);
        return -1;
    }
    return 0;
}

static int bunching_copy(mtw_bunching *to, const mtw_bunching *from)
{
    const char **ids;
    int k;

    *to = *from;
    to->nvehicles = 0;
    to->route_id = strdup(from->route_id);
    to->stop_id = strdup(from->stop_id);
    ids = calloc((size_t) from->nvehicles + 1, sizeof(*ids));
    to->vehicle_ids = ids;
    if (to->route_id == NULL || to->stop_id == NULL || ids == NULL) {
        bunching_clear(to);
        return -1;
    }
    for (k = 0; k < from->nvehicles; k++) {
        ids[k] = strdup(from->vehicle_ids[k]);
        if (ids[k] == NULL) {
            bunching_clear(to);
            return -1;
        }
        to->nvehicles++;
    }
    return 0;
}

long mtw_histq_add_arrivals(mtw_histq *q, const mtw_arrival *a, size_t n)
{
    size_t i, over;

    if (mtw_grow((void **) &q->a, &q->cap_a, q->na + n, sizeof(*q->a)) != 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (arrival_copy(&q->a[q->na + i], &a[i]) != 0) {
            while (i-- > 0) {
                arrival_clear(&q->a[q->na + i]);
            }
            return -1;
        }
    }
    q->na += n;
    over = q->na > q->max_a ? q->na - q->max_a : 0;
    mtw_histq_done_arrivals(q, over);
    return (long) over;
}

long mtw_histq_add_bunching(mtw_histq *q, const mtw_bunching *b, size_t n)
{
    size_t i, over;

    if (mtw_grow((void **) &q->b, &q->cap_b, q->nb + n, sizeof(*q->b)) != 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (bunching_copy(&q->b[q->nb + i], &b[i]) != 0) {
            while (i-- > 0) {
                bunching_clear(&q->b[q->nb + i]);
            }
            return -1;
        }
    }
    q->nb += n;
    over = q->nb > q->max_b ? q->nb - q->max_b : 0;
    mtw_histq_done_bunching(q, over);
    return (long) over;
}

const mtw_arrival *mtw_histq_arrivals(const mtw_histq *q, size_t *n)
{
    *n = q->na;
    return q->a;
}

const mtw_bunching *mtw_histq_bunching(const mtw_histq *q, size_t *n)
{
    *n = q->nb;
    return q->b;
}

void mtw_histq_done_arrivals(mtw_histq *q, size_t n)
{
    size_t i;

    if (n > q->na) {
        n = q->na;
    }
    for (i = 0; i < n; i++) {
        arrival_clear(&q->a[i]);
    }
    if (n > 0) {
        memmove(q->a, q->a + n, (q->na - n) * sizeof(*q->a));
    }
    q->na -= n;
}

void mtw_histq_done_bunching(mtw_histq *q, size_t n)
{
    size_t i;

    if (n > q->nb) {
        n = q->nb;
    }
    for (i = 0; i < n; i++) {
        bunching_clear(&q->b[i]);
    }
    if (n > 0) {
        memmove(q->b, q->b + n, (q->nb - n) * sizeof(*q->b));
    }
    q->nb -= n;
}
