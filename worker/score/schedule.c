/*
 * schedule.c - builds the timetable of one service day (see schedule.h).
 */
#include "score/schedule.h"
#include "score/calendar.h"
#include "score/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* one raw trip's rows, sorted by stop_sequence */
typedef struct {
    uint32_t first, count;      /* in the sorted row-index array */
    uint32_t pattern;           /* st_first in the schedule, or NONE */
    int32_t shift;              /* this trip's times = pattern's + shift */
} sb_trip_rows;

/* stop patterns already stored: trips that stop at the same stops with the
 * same running times share one copy of their rows (most trips of a route
 * do), the trip instance carrying the time shift */
typedef struct {
    uint64_t hash;
    uint32_t first, count;      /* rows in the schedule; count 0 = empty */
} sb_pattern_slot;

typedef struct {
    const mtw_timetable *tt;
    mtw_schedule *s;
    mtw_idmap raw_trip;         /* raw trip id -> raw trip index */
    uint32_t *row_idx;          /* stop_times indexes grouped by trip */
    sb_trip_rows *rows;         /* per raw trip */
    size_t ntrips, captrips;
    sb_pattern_slot *patterns;  /* open addressing, power of two */
    size_t npatterns, cap_patterns;
} sb_ctx;

static int cmp_row(const void *a, const void *b, void *ctx)
{
    const mtw_timetable *tt = ctx;
    const mtw_tt_stop_time *x = &tt->stop_times[*(const uint32_t *) a];
    const mtw_tt_stop_time *y = &tt->stop_times[*(const uint32_t *) b];

    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_trip(const void *a, const void *b)
{
    const mtw_trip *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    int64_t sx = x->base + x->start, sy = y->base + y->start;

    if (c != 0) {
        return c;
    }
    return (sx > sy) - (sx < sy);
}

static int cmp_trip_rdir(const void *a, const void *b, void *ctx)
{
    const mtw_schedule *sched = ctx;
    const mtw_trip *x = &sched->trips[*(const uint32_t *) a];
    const mtw_trip *y = &sched->trips[*(const uint32_t *) b];
    int64_t sx, sy;

    if (x->route != y->route) {
        return x->route < y->route ? -1 : 1;
    }
    if (x->direction != y->direction) {
        return x->direction < y->direction ? -1 : 1;
    }
    sx = x->base + x->start;
    sy = y->base + y->start;
    if (sx != sy) {
        return sx < sy ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

/* groups stop_times rows by raw trip, each group sorted by sequence */
static int sb_group_rows(sb_ctx *c)
{
    const mtw_timetable *tt = c->tt;
    uint32_t *fill;
    size_t i;

    c->rows = calloc(tt->n_trips ? tt->n_trips : 1, sizeof(*c->rows));
    c->row_idx = malloc((tt->n_stop_times ? tt->n_stop_times : 1)
                        * sizeof(*c->row_idx));
    fill = calloc(tt->n_trips ? tt->n_trips : 1, sizeof(*fill));
    if (c->rows == NULL || c->row_idx == NULL || fill == NULL
        || mtw_idmap_init(&c->raw_trip, tt->n_trips) != 0)
    {
        free(fill);
        return -1;
    }
    for (i = 0; i < tt->n_trips; i++) {
        if (mtw_idmap_put(&c->raw_trip, tt->trips[i].id, (uint32_t) i) != 0) {
            free(fill);
            return -1;
        }
        c->rows[i].pattern = MTW_IDMAP_NONE;
    }
    for (i = 0; i < tt->n_stop_times; i++) {
        uint32_t t = mtw_idmap_get(&c->raw_trip, tt->stop_times[i].trip_id);

        if (t != MTW_IDMAP_NONE) {
            c->rows[t].count++;
        }
    }
    for (i = 1; i < tt->n_trips; i++) {
        c->rows[i].first = c->rows[i - 1].first + c->rows[i - 1].count;
    }
    for (i = 0; i < tt->n_stop_times; i++) {
        uint32_t t = mtw_idmap_get(&c->raw_trip, tt->stop_times[i].trip_id);

        if (t != MTW_IDMAP_NONE) {
            c->row_idx[c->rows[t].first + fill[t]++] = (uint32_t) i;
        }
    }
    free(fill);
    for (i = 0; i < tt->n_trips; i++) {
        mtw_sort_r(c->row_idx + c->rows[i].first, c->rows[i].count,
                   sizeof(uint32_t), cmp_row, (void *) tt);
    }
    return 0;
}

static uint64_t sb_rows_hash(const mtw_stop_time *p, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    uint32_t k;

    for (k = 0; k < n; k++) {
        uint32_t v[5] = { p[k].stop, (uint32_t) p[k].seq,
                          (uint32_t) (p[k].arr - p[0].dep),
                          (uint32_t) (p[k].dep - p[0].dep), p[k].timepoint };

        h = (h ^ mtw_fnv1a64(v, sizeof(v))) * 0x100000001b3ULL;
    }
    return h ^ n;
}

static int sb_same_rows(const mtw_stop_time *a, const mtw_stop_time *b,
                        uint32_t n)
{
    uint32_t k;

    for (k = 0; k < n; k++) {
        if (a[k].stop != b[k].stop || a[k].seq != b[k].seq
            || a[k].arr - a[0].dep != b[k].arr - b[0].dep
            || a[k].dep - a[0].dep != b[k].dep - b[0].dep
            || a[k].timepoint != b[k].timepoint)
        {
            return 0;
        }
    }
    return 1;
}

/* points r at an identical stored pattern (with a shift), or registers the
 * rows just written at p (r->pattern) as a new one */
static int sb_dedupe(sb_ctx *c, const mtw_stop_time *p, uint32_t n,
                     sb_trip_rows *r)
{
    uint64_t h = sb_rows_hash(p, n);
    size_t i;

    if ((c->npatterns + 1) * 2 > c->cap_patterns) {
        size_t cap = c->cap_patterns ? c->cap_patterns * 2 : 1024, k;
        sb_pattern_slot *t = calloc(cap, sizeof(*t));

        if (t == NULL) {
            return -1;
        }
        for (k = 0; k < c->cap_patterns; k++) {
            if (c->patterns[k].count != 0) {
                for (i = c->patterns[k].hash & (cap - 1); t[i].count != 0;
                     i = (i + 1) & (cap - 1))
                {
                }
                t[i] = c->patterns[k];
            }
        }
        free(c->patterns);
        c->patterns = t;
        c->cap_patterns = cap;
    }
    for (i = h & (c->cap_patterns - 1); c->patterns[i].count != 0;
         i = (i + 1) & (c->cap_patterns - 1))
    {
        const sb_pattern_slot *sl = &c->patterns[i];
        const mtw_stop_time *q = c->s->st + sl->first;

        if (sl->hash == h && sl->count == n && sb_same_rows(q, p, n)) {
            r->pattern = sl->first;
            r->shift = p[0].dep - q[0].dep;
            return 0;
        }
    }
    c->patterns[i].hash = h;
    c->patterns[i].first = r->pattern;
    c->patterns[i].count = n;
    c->npatterns++;
    r->shift = 0;
    return 0;
}

/* copies raw trip t's rows into the schedule's pattern store (once) */
static int sb_pattern(sb_ctx *c, uint32_t t, size_t *nst_cap)
{
    const mtw_timetable *tt = c->tt;
    mtw_schedule *s = c->s;
    sb_trip_rows *r = &c->rows[t];
    mtw_stop_time *row, *p;
    uint32_t k, j, last;
    double dist = 0;

    if (r->pattern != MTW_IDMAP_NONE) {
        return 0;
    }
    if (s->nst + r->count > *nst_cap) {
        size_t cap = *nst_cap ? *nst_cap : 1024;

        while (cap < s->nst + r->count) {
            cap *= 2;
        }
        p = realloc(s->st, cap * sizeof(*p));
        if (p == NULL) {
            return -1;
        }
        s->st = p;
        *nst_cap = cap;
    }
    r->pattern = (uint32_t) s->nst;
    p = s->st + s->nst;
    for (k = 0, j = 0; k < r->count; k++) {
        const mtw_tt_stop_time *raw = &tt->stop_times[c->row_idx[r->first + k]];
        uint32_t stop = mtw_idmap_get(&s->stop_by_id, raw->stop_id);

        if (stop == MTW_IDMAP_NONE) {
            continue;           /* unknown stop: the import reported it */
        }
        row = &p[j];
        row->stop = stop;
        row->seq = raw->seq;
        row->arr = raw->arr >= 0 ? raw->arr : raw->dep;
        row->dep = raw->dep >= 0 ? raw->dep : raw->arr;
        row->timepoint = raw->arr >= 0 || raw->dep >= 0;
        if (j > 0) {
            dist += mtw_haversine_m(s->stops[p[j - 1].stop].lat,
                                    s->stops[p[j - 1].stop].lon,
                                    s->stops[stop].lat, s->stops[stop].lon);
        }
        row->dist = (float) dist;
        j++;
    }
    r->count = j;
    /* fill rows without times: interpolate by distance between the timed
     * rows around them (GTFS allows untimed intermediate stops) */
    last = UINT32_MAX;
    for (k = 0; k < j; k++) {
        if (!p[k].timepoint) {
            continue;
        }
        if (last != UINT32_MAX && k > last + 1) {
            double d0 = p[last].dist, d1 = p[k].dist;
            int t0 = p[last].dep, t1 = p[k].arr;
            uint32_t m;

            for (m = last + 1; m < k; m++) {
                double f = d1 > d0 ? (p[m].dist - d0) / (d1 - d0)
                                   : (double) (m - last) / (k - last);
                p[m].arr = p[m].dep = t0 + (int) ((t1 - t0) * f + 0.5);
            }
        }
        last = k;
    }
    /* leading / trailing untimed rows take their neighbour's time */
    for (k = 0; k < j && !p[k].timepoint; k++) {
        /* nothing timed before them */
    }
    if (k < j) {
        for (last = 0; last < k; last++) {
            p[last].arr = p[last].dep = p[k].arr;
        }
        for (last = j; last > 0 && !p[last - 1].timepoint; last--) {
        }
        for (k = last; k < j; k++) {
            p[k].arr = p[k].dep = p[last - 1].dep;
        }
    }
    /* the same rows (stops, sequences, running times) stored already? */
    if (j > 0 && sb_dedupe(c, p, j, r) != 0) {
        return -1;
    }
    if (r->pattern == (uint32_t) s->nst) {
        s->nst += j;
    }
    return 0;
}

static int sb_push_trip(mtw_schedule *s, size_t *cap, const mtw_trip *t)
{
    mtw_trip *p;

    if (s->ntrips == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        p = realloc(s->trips, *cap * sizeof(*p));
        if (p == NULL) {
            return -1;
        }
        s->trips = p;
    }
    s->trips[s->ntrips++] = *t;
    return 0;
}

/*
 * Adds the instances of raw trip i on service date d (base b).  With
 * late_only, only instances still running after base_today (D-1's trips
 * past midnight).
 */
static int sb_add_instances(sb_ctx *c, size_t i, int d, int64_t b,
                            int late_only, int64_t base_today,
                            size_t *trip_cap, size_t *nst_cap)
{
    const mtw_timetable *tt = c->tt;
    const mtw_tt_trip *raw = &tt->trips[i];
    mtw_schedule *s = c->s;
    const mtw_stop_time *rows;
    uint32_t route = mtw_idmap_get(&s->route_by_id, raw->route_id);
    int first, last, nfreq = 0;
    mtw_trip t;
    size_t f;

    if (route == MTW_IDMAP_NONE || c->rows[i].count < 2) {
        return 0;
    }
    if (sb_pattern(c, (uint32_t) i, nst_cap) != 0) {
        return -1;
    }
    if (c->rows[i].count < 2) {
        return 0;
    }
    rows = s->st + c->rows[i].pattern;
    first = rows[0].dep + c->rows[i].shift;
    last = rows[c->rows[i].count - 1].arr + c->rows[i].shift;
    if (first < 0 || last < 0) {
        return 0;               /* no time at all in the trip */
    }
    memset(&t, 0, sizeof(t));
    t.id = raw->id;
    t.headsign = raw->headsign;
    t.shape_id = raw->shape_id;
    t.route = route;
    t.direction = raw->direction;
    t.st_first = c->rows[i].pattern;
    t.st_count = c->rows[i].count;
    t.service_date = d;
    t.base = b;

    for (f = 0; f < tt->n_frequencies; f++) {
        const mtw_tt_frequency *fq = &tt->frequencies[f];
        int dep;

        if (strcmp(fq->trip_id, raw->id) != 0 || fq->headway <= 0) {
            continue;
        }
        nfreq++;
        /* GTFS: the trip's stop times give the pattern's relative times;
         * one departure every headway_secs in [start_time, end_time) */
        for (dep = fq->start; dep < fq->end; dep += fq->headway) {
            t.shift = dep - rows[0].dep;
            t.start = dep;
            t.end = last + t.shift;
            t.freq = 1;
            t.exact = (uint8_t) (fq->exact != 0);
            if (late_only && b + t.end <= base_today) {
                continue;
            }
            if (sb_push_trip(s, trip_cap, &t) != 0) {
                return -1;
            }
        }
    }
    if (nfreq > 0) {
        return 0;
    }
    t.shift = c->rows[i].shift;
    t.start = first;
    t.end = last;
    if (late_only && b + t.end <= base_today) {
        return 0;
    }
    return sb_push_trip(s, trip_cap, &t);
}

static int sb_index(mtw_schedule *s)
{
    uint32_t *order;
    size_t i, j, n;

    mtw_sort(s->trips, s->ntrips, sizeof(*s->trips), cmp_trip);
    if (mtw_idmap_init(&s->trip_by_id, s->ntrips) != 0) {
        return -1;
    }
    for (i = 0; i < s->ntrips; i++) {
        if (mtw_idmap_put(&s->trip_by_id, s->trips[i].id, (uint32_t) i)) {
            return -1;
        }
    }
    /* route-directions */
    order = mtw_arena_calloc(s->arena, (s->ntrips + 1) * sizeof(*order));
    s->rdir_of_trip = mtw_arena_calloc(s->arena,
                                      (s->ntrips + 1) * sizeof(uint32_t));
    s->rdir_first = mtw_arena_calloc(s->arena,
                                    (s->nroutes + 1) * sizeof(uint32_t));
    if (order == NULL || s->rdir_of_trip == NULL || s->rdir_first == NULL) {
        return -1;
    }
    for (i = 0; i < s->ntrips; i++) {
        order[i] = (uint32_t) i;
    }
    mtw_sort_r(order, s->ntrips, sizeof(*order), cmp_trip_rdir, s);
    for (n = 0, i = 0; i < s->ntrips; i++) {
        if (i == 0 || s->trips[order[i]].route != s->trips[order[i - 1]].route
            || s->trips[order[i]].direction
               != s->trips[order[i - 1]].direction)
        {
            n++;
        }
    }
    s->rdirs = mtw_arena_calloc(s->arena, (n + 1) * sizeof(*s->rdirs));
    if (s->rdirs == NULL) {
        return -1;
    }
    for (i = 0; i < s->nroutes; i++) {
        s->rdir_first[i] = MTW_IDMAP_NONE;
    }
    for (i = 0; i < s->ntrips; i = j) {
        mtw_route_dir *rd = &s->rdirs[s->nrdirs];
        const mtw_trip *t0 = &s->trips[order[i]];

        for (j = i; j < s->ntrips && s->trips[order[j]].route == t0->route
             && s->trips[order[j]].direction == t0->direction; j++)
        {
            const mtw_trip *t = &s->trips[order[j]];
            const mtw_trip *r;

            s->rdir_of_trip[order[j]] = (uint32_t) s->nrdirs;
            if (j == i) {
                rd->rep = order[j];
                continue;
            }
            /* representative: the trip with most stops, ties lowest id
             * (reference-algorithms.md §5.4) */
            r = &s->trips[rd->rep];
            if (t->st_count > r->st_count
                || (t->st_count == r->st_count && strcmp(t->id, r->id) < 0))
            {
                rd->rep = order[j];
            }
        }
        rd->route = t0->route;
        rd->direction = t0->direction;
        rd->trips = order + i;
        rd->ntrips = j - i;
        if (s->rdir_first[t0->route] == MTW_IDMAP_NONE) {
            s->rdir_first[t0->route] = (uint32_t) s->nrdirs;
        }
        s->nrdirs++;
    }
    return 0;
}

mtw_schedule *mtw_schedule_build(const mtw_timetable *tt, const char *tz,
                                 int service_date, int run_date, char *err,
                                 size_t errlen)
{
    mtw_idmap today = { 0 }, yesterday = { 0 };
    size_t i, trip_cap = 0, nst_cap = 0;
    int prev = mtw_date_add(service_date, -1), run_prev;
    int64_t base_prev;
    mtw_schedule *s;
    sb_ctx c;

    memset(&c, 0, sizeof(c));
    s = calloc(1, sizeof(*s));
    if (s == NULL || (s->arena = mtw_arena_create(256 * 1024)) == NULL) {
        free(s);
        snprintf(err, errlen, "out of memory building the schedule");
        return NULL;
    }
    c.tt = tt;
    c.s = s;
    if (run_date == 0) {
        run_date = service_date;
    }
    run_prev = mtw_date_add(run_date, -1);
    s->tz = mtw_arena_strdup(s->arena, tz);
    s->service_date = service_date;
    s->run_date = run_date;
    s->base = mtw_service_day_base(tz, run_date);
    base_prev = mtw_service_day_base(tz, run_prev);

    s->routes = mtw_arena_calloc(s->arena, (tt->n_routes + 1)
                                * sizeof(*s->routes));
    s->stops = mtw_arena_calloc(s->arena, (tt->n_stops + 1)
                               * sizeof(*s->stops));
    if (s->routes == NULL || s->stops == NULL
        || mtw_idmap_init(&s->route_by_id, tt->n_routes) != 0
        || mtw_idmap_init(&s->stop_by_id, tt->n_stops) != 0)
    {
        goto oom;
    }
    for (i = 0; i < tt->n_routes; i++) {
        const mtw_tt_route *r = &tt->routes[i];
        mtw_route *d = &s->routes[s->nroutes];

        if (mtw_idmap_get(&s->route_by_id, r->id) != MTW_IDMAP_NONE) {
            continue;
        }
        d->id = mtw_arena_strdup(s->arena, r->id);
        d->short_name = mtw_arena_strdup(s->arena, r->short_name);
        d->long_name = mtw_arena_strdup(s->arena, r->long_name);
        d->color = mtw_arena_strdup(s->arena, r->color);
        d->text_color = mtw_arena_strdup(s->arena, r->text_color);
        d->type = r->type;
        if (d->id == NULL || mtw_idmap_put(&s->route_by_id, d->id,
                                           (uint32_t) s->nroutes) != 0)
        {
            goto oom;
        }
        s->nroutes++;
    }
    for (i = 0; i < tt->n_stops; i++) {
        const mtw_tt_stop *r = &tt->stops[i];
        mtw_stop *d = &s->stops[s->nstops];

        if (mtw_idmap_get(&s->stop_by_id, r->id) != MTW_IDMAP_NONE) {
            continue;
        }
        d->id = mtw_arena_strdup(s->arena, r->id);
        d->name = mtw_arena_strdup(s->arena, r->name);
        d->lat = r->lat;
        d->lon = r->lon;
        if (d->id == NULL || mtw_idmap_put(&s->stop_by_id, d->id,
                                           (uint32_t) s->nstops) != 0)
        {
            goto oom;
        }
        s->nstops++;
    }
    if (mtw_services_on(tt, service_date, &today) < 0
        || mtw_services_on(tt, prev, &yesterday) < 0
        || sb_group_rows(&c) != 0)
    {
        goto oom;
    }
    for (i = 0; i < tt->n_trips; i++) {
        const mtw_tt_trip *raw = &tt->trips[i];

        if (mtw_idmap_get(&c.raw_trip, raw->id) != i) {
            continue;           /* duplicate trip id: first row wins */
        }
        if (mtw_idmap_get(&yesterday, raw->service_id) != MTW_IDMAP_NONE
            && sb_add_instances(&c, i, run_prev, base_prev, 1, s->base,
                                &trip_cap, &nst_cap) != 0)
        {
            goto oom;
        }
        if (mtw_idmap_get(&today, raw->service_id) != MTW_IDMAP_NONE
            && sb_add_instances(&c, i, run_date, s->base, 0, 0,
                                &trip_cap, &nst_cap) != 0)
        {
            goto oom;
        }
    }
    /* trip strings point into the timetable, which the caller may free:
     * copy each distinct one into our arena */
    {
        mtw_idmap copied = { 0 };
        const char **strs = NULL;
        size_t nstrs = 0, cap = 0;

        for (i = 0; i < s->ntrips; i++) {
            mtw_trip *t = &s->trips[i];
            const char **f[3] = { &t->id, &t->headsign, &t->shape_id };
            int k;

            for (k = 0; k < 3; k++) {
                uint32_t at;

                if (*f[k] == NULL) {
                    continue;
                }
                at = mtw_idmap_get(&copied, *f[k]);
                if (at == MTW_IDMAP_NONE) {
                    const char *cp = mtw_arena_strdup(s->arena, *f[k]);

                    if (nstrs == cap) {
                        const char **p;

                        cap = cap ? cap * 2 : 256;
                        p = realloc(strs, cap * sizeof(*p));
                        if (p == NULL) {
                            free(strs);
                            mtw_idmap_clear(&copied);
                            goto oom;
                        }
                        strs = p;
                    }
                    if (cp == NULL
                        || mtw_idmap_put(&copied, cp, (uint32_t) nstrs)) {
                        free(strs);
                        mtw_idmap_clear(&copied);
                        goto oom;
                    }
                    strs[nstrs++] = cp;
                    *f[k] = cp;
                } else {
                    *f[k] = strs[at];
                }
            }
        }
        free(strs);
        mtw_idmap_clear(&copied);
    }
    if (sb_index(s) != 0) {
        goto oom;
    }
    mtw_idmap_clear(&today);
    mtw_idmap_clear(&yesterday);
    mtw_idmap_clear(&c.raw_trip);
    free(c.rows);
    free(c.row_idx);
    free(c.patterns);
    return s;

oom:
    mtw_idmap_clear(&today);
    mtw_idmap_clear(&yesterday);
    mtw_idmap_clear(&c.raw_trip);
    free(c.rows);
    free(c.row_idx);
    free(c.patterns);
    mtw_schedule_free(s);
    snprintf(err, errlen, "out of memory building the schedule");
    return NULL;
}

void mtw_schedule_free(mtw_schedule *s)
{
    if (s == NULL) {
        return;
    }
    mtw_idmap_clear(&s->route_by_id);
    mtw_idmap_clear(&s->stop_by_id);
    mtw_idmap_clear(&s->trip_by_id);
    free(s->trips);
    free(s->st);
    mtw_arena_destroy(s->arena);
    free(s);
}

int64_t mtw_trip_arr(const mtw_trip *t, const mtw_stop_time *row)
{
    return t->base + t->shift + row->arr;
}

int64_t mtw_trip_dep(const mtw_trip *t, const mtw_stop_time *row)
{
    return t->base + t->shift + row->dep;
}

long mtw_schedule_find_trip(const mtw_schedule *s, const char *trip_id,
                            int start_date, int start_time, int64_t now)
{
    uint32_t first = mtw_idmap_get(&s->trip_by_id, trip_id);
    long best = -1;
    int64_t best_d = INT64_MAX, d;
    size_t i;

    if (first == MTW_IDMAP_NONE) {
        return -1;
    }
    for (i = first; i < s->ntrips && strcmp(s->trips[i].id, trip_id) == 0;
         i++)
    {
        const mtw_trip *t = &s->trips[i];

        if (start_date > 0 && t->service_date != start_date) {
            continue;
        }
        if (start_time >= 0 && t->freq && t->start != start_time) {
            continue;
        }
        if (now < t->base + t->start) {
            d = t->base + t->start - now;
        } else if (now > t->base + t->end) {
            d = now - (t->base + t->end);
        } else {
            d = 0;
        }
        if (d < best_d) {
            best_d = d;
            best = (long) i;
        }
    }
    return best;
}

long mtw_schedule_find_run(const mtw_schedule *s, const char *trip_id,
                           const char *start_date, const char *start_time,
                           int64_t now)
{
    int sd = 0, stime = -1, hh, mm, ss;

    if (start_date != NULL && strlen(start_date) == 8) {
        sd = (int) strtol(start_date, NULL, 10);
    }
    if (start_time != NULL
        && sscanf(start_time, "%d:%d:%d", &hh, &mm, &ss) == 3)
    {
        stime = hh * 3600 + mm * 60 + ss;
    }
    return mtw_schedule_find_trip(s, trip_id, sd, stime, now);
}

long mtw_trip_row_of(const mtw_schedule *s, const mtw_trip *t, int32_t seq,
                     const char *stop_id, uint32_t from)
{
    const mtw_stop_time *rows = mtw_trip_rows(s, t);
    long stop = seq < 0 && stop_id != NULL ? mtw_schedule_stop(s, stop_id)
                                           : -1;
    uint32_t k;

    for (k = from; k < t->st_count; k++) {
        if (seq >= 0 ? rows[k].seq == seq
                     : stop >= 0 && rows[k].stop == (uint32_t) stop)
        {
            return (long) k;
        }
    }
    return -1;
}

long mtw_schedule_stop(const mtw_schedule *s, const char *stop_id)
{
    uint32_t i = mtw_idmap_get(&s->stop_by_id, stop_id);

    return i == MTW_IDMAP_NONE ? -1 : (long) i;
}

long mtw_schedule_route(const mtw_schedule *s, const char *route_id)
{
    uint32_t i = mtw_idmap_get(&s->route_by_id, route_id);

    return i == MTW_IDMAP_NONE ? -1 : (long) i;
}

const mtw_route_dir *mtw_schedule_rdir(const mtw_schedule *s, long route,
                                       int direction)
{
    size_t i;

    if (route < 0 || (size_t) route >= s->nroutes
        || s->rdir_first[route] == MTW_IDMAP_NONE)
    {
        return NULL;
    }
    for (i = s->rdir_first[route]; i < s->nrdirs
         && s->rdirs[i].route == (uint32_t) route; i++)
    {
        if (s->rdirs[i].direction == direction) {
            return &s->rdirs[i];
        }
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

    return (x > y) - (x < y);
}

int mtw_schedule_headway(const mtw_schedule *s, const mtw_route_dir *rd,
                         long stop, int64_t now, int *gaps, size_t max,
                         size_t *ngaps)
{
    int64_t hour, times[512];
    size_t i, k, n = 0, ng = 0;
    int64_t sum = 0, span_gap = -1;

    *ngaps = 0;
    if (rd == NULL || stop < 0) {
        return -1;
    }
    hour = s->base + ((now - s->base) >= 0 ? (now - s->base) / 3600
                      : ((now - s->base) - 3599) / 3600) * 3600;
    /* arrivals at the stop from trips running around that hour; trips
     * are sorted by start, and no bus trip runs longer than 4 h */
    for (i = 0; i < rd->ntrips && n < sizeof(times) / sizeof(times[0]);
         i++)
    {
        const mtw_trip *t = &s->trips[rd->trips[i]];
        const mtw_stop_time *rows = s->st + t->st_first;

        if (t->base + t->end < hour - 4 * 3600) {
            continue;
        }
        if (t->base + t->start > hour + 2 * 3600) {
            break;
        }
        for (k = 0; k < t->st_count; k++) {
            if (rows[k].stop == (uint32_t) stop) {
                times[n++] = mtw_trip_arr(t, &rows[k]);
                break;          /* loop routes: first visit */
            }
        }
    }
    mtw_sort(times, n, sizeof(times[0]), cmp_i64);
    for (i = 1; i < n; i++) {
        int64_t g = times[i] - times[i - 1];

        if (g <= 0) {
            continue;
        }
        if (times[i] >= hour && times[i] < hour + 3600) {
            if (ng < max) {
                gaps[ng] = (int) g;
            }
            ng++;
            sum += g;
        }
        if (span_gap < 0 && times[i - 1] <= now && times[i] > now) {
            span_gap = g;
        }
    }
    if (ng == 0) {
        if (span_gap < 0) {
            return -1;
        }
        if (max > 0) {
            gaps[0] = (int) span_gap;
            *ngaps = 1;
        }
        return (int) span_gap;
    }
    *ngaps = ng < max ? ng : max;
    return (int) ((sum + (int64_t) ng / 2) / (int64_t) ng);
}
