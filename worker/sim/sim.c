/*
 * sim.c - delays, positions, predictions and alerts for one frame.
 */
#include "sim/sim.h"

#include "util/arena.h"
#include "gtfs-realtime.pb-c.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How far before its first departure a vehicle shows up at the terminus. */
#define SIM_LAYOVER_SEC   180
#define STOP_SKIPPED \
    TRANSIT_REALTIME__TRIP_UPDATE__STOP_TIME_UPDATE__SCHEDULE_RELATIONSHIP__SKIPPED
/* TripUpdates for trips starting within this many seconds. */
#define SIM_LOOKAHEAD_SEC 1800

typedef struct {
    double base_mu, base_sd;    /* initial delay, s */
    double drift_mu, drift_sd;  /* delay gained over the whole trip, s */
    double p_late;              /* share of trips far behind (bunching) */
    double p_cancel;            /* share of trips cancelled (gaps) */
    double p_skip;              /* share of trips skipping a stop */
} sim_profile;

static const sim_profile profiles[] = {
    { 0, 0, 0, 0, 0, 0, 0 },
    { 20, 40, 30, 60, 0.02, 0.005, 0.005 },
    { 45, 90, 60, 120, 0.05, 0.01, 0.02 },
    { 120, 180, 180, 240, 0.10, 0.03, 0.05 },
};

int mtw_sim_profile_parse(const char *s, mtw_sim_profile *out)
{
    static const char *const names[] = { "none", "light", "normal", "heavy" };
    int i;

    for (i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (mtw_sim_profile) i;
            return 0;
        }
    }
    return -1;
}

/* --- seeded randomness ------------------------------------------------------ */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *x)
{
    return (double) (splitmix(x) >> 11) / 9007199254740992.0;
}

static double normal(uint64_t *x)
{
    double u = uniform(x), v = uniform(x);

    if (u < 1e-12) {
        u = 1e-12;
    }
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static uint64_t hash_str(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
    }
    return h;
}

typedef struct {
    double base, drift;
    int    canceled;
    double load;            /* peak occupancy, 0..1.2 */
    int    skips;           /* skips its middle stop (a detour) */
} trip_fate;

/* One run of a trip: the trip itself (k = -1) or instance k of a
 * frequencies.txt template, whose times are shifted by offset. */
typedef struct {
    int32_t offset;
    int     k;
} sim_run;

static trip_fate fate_of(const mtw_sim_opts *o, int32_t date, const char *id,
                         const sim_run *run)
{
    const sim_profile *p = &profiles[o->profile];
    uint64_t x = hash_str(id, 0xcbf29ce484222325ULL ^ o->seed) ^ (uint64_t) date
                 ^ ((uint64_t) (run->k + 1) * 0x9e3779b97f4a7c15ULL);
    trip_fate f;

    f.base = p->base_mu + p->base_sd * normal(&x);
    if (f.base < -90) {
        f.base = -90;       /* drivers rarely leave much early */
    }
    f.drift = p->drift_mu + p->drift_sd * normal(&x);
    if (uniform(&x) < p->p_late) {
        f.base += 300 + 360 * uniform(&x);
    }
    f.canceled = uniform(&x) < p->p_cancel;
    f.load = 0.15 + uniform(&x);
    /* drawn last: the earlier draws stay those of seeds before skips */
    f.skips = uniform(&x) < p->p_skip;
    return f;
}

/* Delay (s) at progress p (0..1) of the trip. */
static double delay_at(const trip_fate *f, double p)
{
    return f->base + f->drift * p;
}

/* --- positions ------------------------------------------------------------- */

typedef struct {
    int     state;          /* -1 not running, 0 at stop, 1 between stops */
    uint32_t idx;           /* stop index (at) or the next stop (between) */
    double  lat, lon, bearing, speed;
    double  progress;
} sim_pos;

static double trip_progress(const mtw_sim_stop_time *st, uint32_t n, double s)
{
    double a = st[0].dep, b = st[n - 1].arr;

    if (b <= a) {
        return 0;
    }
    s = (s - a) / (b - a);
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

static double bearing_of(double lat1, double lon1, double lat2, double lon2)
{
    double rad = M_PI / 180.0, y, x, b;

    y = sin((lon2 - lon1) * rad) * cos(lat2 * rad);
    x = cos(lat1 * rad) * sin(lat2 * rad)
        - sin(lat1 * rad) * cos(lat2 * rad) * cos((lon2 - lon1) * rad);
    b = atan2(y, x) / rad;
    return b < 0 ? b + 360 : b;
}

/* The point at distance d along a shape. */
static void shape_point(const mtw_sim_schedule *s, const mtw_sim_shape *sh,
                        double d, double *lat, double *lon, double *brg)
{
    uint32_t lo = 0, hi = sh->n - 1, mid;
    const double *pd = s->pt_dist + sh->off;
    const double *la = s->pt_lat + sh->off, *lo_ = s->pt_lon + sh->off;
    double f;

    while (hi - lo > 1) {
        mid = (lo + hi) / 2;
        if (pd[mid] <= d) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    f = pd[hi] > pd[lo] ? (d - pd[lo]) / (pd[hi] - pd[lo]) : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    *lat = la[lo] + (la[hi] - la[lo]) * f;
    *lon = lo_[lo] + (lo_[hi] - lo_[lo]) * f;
    *brg = bearing_of(la[lo], lo_[lo], la[hi], lo_[hi]);
}

/* Where trip t is at schedule-relative time `tod` (seconds after midnight). */
static sim_pos position_of(mtw_sim_schedule *s, mtw_sim_trip *t,
                           const trip_fate *f, double tod)
{
    const mtw_sim_stop_time *st = s->st + t->st_off;
    const mtw_sim_stop *a, *b;
    sim_pos pos;
    double sched, p, frac, seg, d;
    uint32_t i;
    int k;

    memset(&pos, 0, sizeof(pos));
    pos.state = -1;
    if (t->st_n < 2) {
        return pos;
    }
    /* the schedule time the vehicle is at: tod minus its delay there, a
     * fixed point found by iteration (it contracts while the drift is
     * less than the trip's duration); converged, so positions agree with
     * the TripUpdates' times to the second */
    sched = tod - f->base;
    for (k = 0; k < 60; k++) {
        double next;

        p = trip_progress(st, t->st_n, sched);
        next = tod - delay_at(f, p);
        if (fabs(next - sched) < 0.01) {
            sched = next;
            break;
        }
        sched = next;
    }
    if (sched < st[0].dep - SIM_LAYOVER_SEC || sched > st[t->st_n - 1].arr) {
        return pos;
    }
    pos.progress = trip_progress(st, t->st_n, sched);
    if (sched <= st[0].dep) {
        pos.state = 0;
        pos.idx = 0;
    } else {
        for (i = 1; i < t->st_n && st[i].arr <= sched; i++) {
            if (sched <= st[i].dep) {
                break;
            }
        }
        if (i >= t->st_n) {
            i = t->st_n - 1;
        }
        if (st[i].arr <= sched && sched <= st[i].dep) {
            pos.state = 0;
            pos.idx = i;
        } else {
            pos.state = 1;
            pos.idx = i;
        }
    }
    if (pos.state == 0) {
        a = &s->stops[st[pos.idx].stop];
        pos.lat = a->lat;
        pos.lon = a->lon;
        b = &s->stops[st[pos.idx + (pos.idx + 1 < t->st_n)].stop];
        pos.bearing = bearing_of(a->lat, a->lon, b->lat, b->lon);
        pos.speed = 0;
        return pos;
    }
    i = pos.idx;
    seg = st[i].arr - st[i - 1].dep;
    frac = seg > 0 ? (sched - st[i - 1].dep) / seg : 1;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    a = &s->stops[st[i - 1].stop];
    b = &s->stops[st[i].stop];
    mtw_sim_trip_distances(s, t);
    if (t->shape >= 0 && s->shapes[t->shape].n >= 2 && st[i].dist >= 0
        && st[i].dist > st[i - 1].dist)
    {
        d = st[i - 1].dist + (st[i].dist - st[i - 1].dist) * frac;
        shape_point(s, &s->shapes[t->shape], d, &pos.lat, &pos.lon,
                    &pos.bearing);
        pos.speed = seg > 0 ? (st[i].dist - st[i - 1].dist) / seg : 0;
    } else {
        pos.lat = a->lat + (b->lat - a->lat) * frac;
        pos.lon = a->lon + (b->lon - a->lon) * frac;
        pos.bearing = bearing_of(a->lat, a->lon, b->lat, b->lon);
        pos.speed = seg > 0 ? mtw_sim_metres(a->lat, a->lon, b->lat, b->lon)
                              / seg : 0;
    }
    return pos;
}

/* --- building the messages ------------------------------------------------- */

typedef struct {
    mtw_arena *a;
    TransitRealtime__FeedEntity **v;
    size_t n, cap;
    int oom;
} entities;

static void *alloc(entities *e, size_t n)
{
    void *p = mtw_arena_alloc(e->a, n);

    if (p == NULL) {
        e->oom = 1;
    }
    return p;
}

static char *fmt(entities *e, const char *f, long v)
{
    char buf[64];

    snprintf(buf, sizeof(buf), f, v);
    return mtw_arena_strdup(e->a, buf);
}

/* "<prefix><trip>" or, for a run of a template, "<prefix><trip>-<k>" */
static char *run_id(entities *e, const char *prefix, long trip,
                    const sim_run *run)
{
    char buf[64];

    if (run->k < 0) {
        snprintf(buf, sizeof(buf), "%s%ld", prefix, trip);
    } else {
        snprintf(buf, sizeof(buf), "%s%ld-%d", prefix, trip, run->k);
    }
    return mtw_arena_strdup(e->a, buf);
}

static TransitRealtime__FeedEntity *entity(entities *e, char *id)
{
    TransitRealtime__FeedEntity *fe;
    TransitRealtime__FeedEntity **v;

    if (e->n == e->cap) {
        v = realloc(e->v, (e->cap ? e->cap * 2 : 64) * sizeof(*v));
        if (v == NULL) {
            e->oom = 1;
            return NULL;
        }
        e->v = v;
        e->cap = e->cap ? e->cap * 2 : 64;
    }
    fe = alloc(e, sizeof(*fe));
    if (fe == NULL || id == NULL) {
        e->oom = 1;
        return NULL;
    }
    transit_realtime__feed_entity__init(fe);
    fe->id = id;
    e->v[e->n++] = fe;
    return fe;
}

static TransitRealtime__TripDescriptor *trip_desc(entities *e,
                                                  const mtw_sim_schedule *s,
                                                  const mtw_sim_trip *t,
                                                  int32_t date,
                                                  const sim_run *run)
{
    TransitRealtime__TripDescriptor *d = alloc(e, sizeof(*d));
    char buf[16];
    int32_t start;

    if (d == NULL) {
        return NULL;
    }
    transit_realtime__trip_descriptor__init(d);
    d->trip_id = (char *) t->id;
    d->route_id = (char *) s->routes[t->route].id;
    d->start_date = fmt(e, "%08ld", date);
    if (run->k >= 0) {
        /* a frequency-based trip is told apart by its start time */
        start = s->st[t->st_off].dep + run->offset;
        snprintf(buf, sizeof(buf), "%02d:%02d:%02d", start / 3600,
                 start / 60 % 60, start % 60);
        d->start_time = mtw_arena_strdup(e->a, buf);
    }
    if (t->direction >= 0) {
        d->has_direction_id = 1;
        d->direction_id = (uint32_t) t->direction;
    }
    return d;
}

static TransitRealtime__VehicleDescriptor *veh_desc(entities *e,
                                                    const mtw_sim_schedule *s,
                                                    const mtw_sim_trip *t,
                                                    const sim_run *run)
{
    TransitRealtime__VehicleDescriptor *d = alloc(e, sizeof(*d));

    if (d == NULL) {
        return NULL;
    }
    transit_realtime__vehicle_descriptor__init(d);
    /* one bus per trip: its id is stable for the trip's whole run */
    d->id = run_id(e, "bus-", (long) (t - s->trips), run);
    d->label = fmt(e, "%ld", 100 + (long) (t - s->trips) % 900);
    return d;
}

static int occupancy_of(double load, double p, int *pct)
{
    double l = load * sin(M_PI * (0.15 + 0.7 * p));

    *pct = (int) (l * 100 + 0.5);
    if (l < 0.1) return 0;      /* EMPTY */
    if (l < 0.4) return 1;      /* MANY_SEATS_AVAILABLE */
    if (l < 0.75) return 2;     /* FEW_SEATS_AVAILABLE */
    if (l < 0.95) return 3;     /* STANDING_ROOM_ONLY */
    if (l < 1.1) return 4;      /* CRUSHED_STANDING_ROOM_ONLY */
    return 5;                   /* FULL */
}

static void add_vehicle(entities *e, mtw_sim_schedule *s, mtw_sim_trip *t,
                        int32_t date, const sim_pos *pos, const trip_fate *f,
                        int64_t now, const sim_run *run, int bare)
{
    TransitRealtime__FeedEntity *fe = entity(e, run_id(e, "v",
                                                       (long) (t - s->trips),
                                                       run));
    TransitRealtime__VehiclePosition *vp = alloc(e, sizeof(*vp));
    TransitRealtime__Position *p = alloc(e, sizeof(*p));
    const mtw_sim_stop_time *st = s->st + t->st_off;
    int pct;

    if (fe == NULL || vp == NULL || p == NULL) {
        return;
    }
    transit_realtime__vehicle_position__init(vp);
    transit_realtime__position__init(p);
    p->latitude = (float) pos->lat;
    p->longitude = (float) pos->lon;
    p->has_bearing = 1;
    p->bearing = (float) pos->bearing;
    p->has_speed = 1;
    p->speed = (float) pos->speed;
    vp->position = p;
    vp->trip = trip_desc(e, s, t, date, run);
    vp->vehicle = veh_desc(e, s, t, run);
    vp->has_timestamp = 1;
    vp->timestamp = (uint64_t) now;
    if (!bare) {
        vp->stop_id = (char *) s->stops[st[pos->idx].stop].id;
        vp->has_current_stop_sequence = 1;
        vp->current_stop_sequence = st[pos->idx].seq;
        vp->has_current_status = 1;
        vp->current_status = pos->state == 0
            ? TRANSIT_REALTIME__VEHICLE_POSITION__VEHICLE_STOP_STATUS__STOPPED_AT
            : TRANSIT_REALTIME__VEHICLE_POSITION__VEHICLE_STOP_STATUS__IN_TRANSIT_TO;
    }
    vp->has_occupancy_status = 1;
    vp->occupancy_status = occupancy_of(f->load, pos->progress, &pct);
    vp->has_occupancy_percentage = 1;
    vp->occupancy_percentage = (uint32_t) pct;
    fe->vehicle = vp;
}

static TransitRealtime__TripUpdate__StopTimeEvent *event(entities *e,
                                                         int64_t t, int d)
{
    TransitRealtime__TripUpdate__StopTimeEvent *ev = alloc(e, sizeof(*ev));

    if (ev == NULL) {
        return NULL;
    }
    transit_realtime__trip_update__stop_time_event__init(ev);
    ev->has_time = 1;
    ev->time = t;
    ev->has_delay = 1;
    ev->delay = d;
    return ev;
}

static void add_trip_update(entities *e, mtw_sim_schedule *s,
                            mtw_sim_trip *t, int32_t date, int64_t midnight,
                            const trip_fate *f, uint32_t from, int running,
                            int64_t now, const sim_run *run,
                            mtw_sim_stats *stats)
{
    TransitRealtime__FeedEntity *fe = entity(e, run_id(e, "t",
                                                       (long) (t - s->trips),
                                                       run));
    TransitRealtime__TripUpdate *tu = alloc(e, sizeof(*tu));
    TransitRealtime__TripUpdate__StopTimeUpdate *su, **sup;
    const mtw_sim_stop_time *st = s->st + t->st_off;
    uint32_t i, n = t->st_n - from;
    double da, dd;

    if (fe == NULL || tu == NULL) {
        return;
    }
    transit_realtime__trip_update__init(tu);
    tu->trip = trip_desc(e, s, t, date, run);
    tu->has_timestamp = 1;
    tu->timestamp = (uint64_t) now;
    fe->trip_update = tu;
    if (tu->trip == NULL) {
        return;
    }
    if (f->canceled) {
        tu->trip->has_schedule_relationship = 1;
        tu->trip->schedule_relationship =
            TRANSIT_REALTIME__TRIP_DESCRIPTOR__SCHEDULE_RELATIONSHIP__CANCELED;
        return;
    }
    if (running) {
        tu->vehicle = veh_desc(e, s, t, run);
    }
    midnight += run->offset;
    sup = alloc(e, n * sizeof(*sup));
    su = alloc(e, n * sizeof(*su));
    if (sup == NULL || su == NULL) {
        return;
    }
    for (i = 0; i < n; i++) {
        const mtw_sim_stop_time *x = &st[from + i];

        transit_realtime__trip_update__stop_time_update__init(&su[i]);
        su[i].stop_id = (char *) s->stops[x->stop].id;
        su[i].has_stop_sequence = 1;
        su[i].stop_sequence = x->seq;
        da = delay_at(f, trip_progress(st, t->st_n, x->arr));
        dd = delay_at(f, trip_progress(st, t->st_n, x->dep));
        if (from + i == 0 && dd < 0) {
            dd = 0;         /* nobody leaves the terminus early */
        }
        if (f->skips && t->st_n >= 3 && from + i == t->st_n / 2) {
            /* SKIPPED carries no times */
            su[i].has_schedule_relationship = 1;
            su[i].schedule_relationship = STOP_SKIPPED;
            sup[i] = &su[i];
            stats->skipped++;
            continue;
        }
        su[i].arrival = event(e, midnight + x->arr + (int64_t) lround(da),
                              (int) lround(da));
        su[i].departure = event(e, midnight + x->dep + (int64_t) lround(dd),
                                (int) lround(dd));
        sup[i] = &su[i];
    }
    tu->n_stop_time_update = n;
    tu->stop_time_update = sup;
}

static TransitRealtime__TranslatedString *text(entities *e, const char *s)
{
    TransitRealtime__TranslatedString *ts = alloc(e, sizeof(*ts));
    TransitRealtime__TranslatedString__Translation *tr = alloc(e, sizeof(*tr));
    TransitRealtime__TranslatedString__Translation **trp = alloc(e, sizeof(*trp));

    if (ts == NULL || tr == NULL || trp == NULL) {
        return NULL;
    }
    transit_realtime__translated_string__init(ts);
    transit_realtime__translated_string__translation__init(tr);
    tr->text = mtw_arena_strdup(e->a, s);
    tr->language = "en";
    trp[0] = tr;
    ts->n_translation = 1;
    ts->translation = trp;
    return ts;
}

static void add_alerts(entities *e, const mtw_sim_schedule *s,
                       const mtw_sim_opts *o, int32_t date, int64_t midnight)
{
    uint64_t x = o->seed ^ ((uint64_t) date * 0x9e3779b97f4a7c15ULL);
    TransitRealtime__FeedEntity *fe;
    TransitRealtime__Alert *al;
    TransitRealtime__EntitySelector *sel, **selp;
    TransitRealtime__TimeRange *tr, **trp;
    char buf[200];
    int k;

    if (s->n_routes == 0 || s->n_stops == 0 || o->profile == MTW_SIM_NONE) {
        return;
    }
    for (k = 0; k < 2; k++) {
        fe = entity(e, fmt(e, "alert-%ld", k));
        al = alloc(e, sizeof(*al));
        sel = alloc(e, sizeof(*sel));
        selp = alloc(e, sizeof(*selp));
        tr = alloc(e, sizeof(*tr));
        trp = alloc(e, sizeof(*trp));
        if (fe == NULL || al == NULL || sel == NULL || selp == NULL
            || tr == NULL || trp == NULL)
        {
            return;
        }
        transit_realtime__alert__init(al);
        transit_realtime__entity_selector__init(sel);
        transit_realtime__time_range__init(tr);
        tr->has_start = 1;
        tr->start = (uint64_t) midnight;
        tr->has_end = 1;
        tr->end = (uint64_t) (midnight + 86400 + 4 * 3600);
        trp[0] = tr;
        al->n_active_period = 1;
        al->active_period = trp;
        al->has_cause = 1;
        al->has_effect = 1;
        if (k == 0) {
            const mtw_sim_route *r = &s->routes[splitmix(&x) % s->n_routes];

            sel->route_id = (char *) r->id;
            al->cause = TRANSIT_REALTIME__ALERT__CAUSE__CONSTRUCTION;
            al->effect = TRANSIT_REALTIME__ALERT__EFFECT__DETOUR;
            snprintf(buf, sizeof(buf), "Detour on route %s", r->short_name);
            al->header_text = text(e, buf);
            al->description_text = text(e, "Road works: buses follow a "
                                            "detour; expect delays of up to "
                                            "10 minutes.");
        } else {
            const mtw_sim_stop *st = &s->stops[splitmix(&x) % s->n_stops];

            sel->stop_id = (char *) st->id;
            al->cause = TRANSIT_REALTIME__ALERT__CAUSE__MAINTENANCE;
            al->effect = TRANSIT_REALTIME__ALERT__EFFECT__STOP_MOVED;
            snprintf(buf, sizeof(buf), "Stop %s temporarily moved", st->id);
            al->header_text = text(e, buf);
            al->description_text = text(e, "The stop is 50 m further along "
                                            "the street.");
        }
        al->has_severity_level = 1;
        al->severity_level = TRANSIT_REALTIME__ALERT__SEVERITY_LEVEL__WARNING;
        selp[0] = sel;
        al->n_informed_entity = 1;
        al->informed_entity = selp;
        fe->alert = al;
    }
}

static int pack(entities *e, int64_t now, mtw_sim_buf *out)
{
    TransitRealtime__FeedMessage m = TRANSIT_REALTIME__FEED_MESSAGE__INIT;
    TransitRealtime__FeedHeader h = TRANSIT_REALTIME__FEED_HEADER__INIT;

    h.gtfs_realtime_version = "2.0";
    h.has_incrementality = 1;
    h.incrementality = TRANSIT_REALTIME__FEED_HEADER__INCREMENTALITY__FULL_DATASET;
    h.has_timestamp = 1;
    h.timestamp = (uint64_t) now;
    m.header = &h;
    m.n_entity = e->n;
    m.entity = e->v;
    out->len = transit_realtime__feed_message__get_packed_size(&m);
    out->bytes = malloc(out->len ? out->len : 1);
    if (out->bytes == NULL) {
        return -1;
    }
    transit_realtime__feed_message__pack(&m, out->bytes);
    return 0;
}

void mtw_sim_bufs_free(mtw_sim_buf out[3])
{
    int k;

    for (k = 0; k < 3; k++) {
        free(out[k].bytes);
        out[k].bytes = NULL;
        out[k].len = 0;
    }
}

/* One run of trip t at tod (seconds after the date's midnight). */
static void play_run(mtw_sim_schedule *s, const mtw_sim_opts *o,
                     mtw_sim_trip *t, int32_t d, int64_t mid, double tod,
                     int64_t now, const sim_run *run, entities *ev,
                     entities *et, mtw_sim_stats *stats)
{
    const mtw_sim_stop_time *st = s->st + t->st_off;
    double rt = tod - run->offset;      /* time on the template's clock */
    trip_fate f;
    sim_pos pos;

    if (rt < st[0].dep - SIM_LOOKAHEAD_SEC || rt > st[t->st_n - 1].arr + 3600) {
        return;
    }
    f = fate_of(o, d, t->id, run);
    if (f.canceled) {
        if (rt <= st[t->st_n - 1].arr) {
            add_trip_update(et, s, t, d, mid, &f, 0, 0, now, run, stats);
            stats->canceled++;
        }
        return;
    }
    pos = position_of(s, t, &f, rt);
    if (pos.state >= 0) {
        add_vehicle(ev, s, t, d, &pos, &f, now, run, o->bare);
        add_trip_update(et, s, t, d, mid, &f, pos.idx, 1, now, run,
                        stats);
        stats->vehicles++;
        stats->trip_updates++;
    } else if (rt < st[0].dep) {
        add_trip_update(et, s, t, d, mid, &f, 0, 0, now, run, stats);
        stats->trip_updates++;
    }
}

/* A scheduled trip, or every run of a frequencies.txt template near tod. */
static void play_trip(mtw_sim_schedule *s, const mtw_sim_opts *o,
                      mtw_sim_trip *t, int32_t d, int64_t mid, double tod,
                      int64_t now, entities *ev, entities *et,
                      mtw_sim_stats *stats)
{
    const mtw_sim_stop_time *st = s->st + t->st_off;
    const mtw_sim_freq *fq;
    int32_t len = st[t->st_n - 1].arr - st[0].dep, start;
    sim_run run = { 0, -1 };
    uint32_t i;
    int k;

    if (t->freq_n == 0) {
        play_run(s, o, t, d, mid, tod, now, &run, ev, et, stats);
        return;
    }
    for (i = 0; i < t->freq_n; i++) {
        fq = &s->freqs[t->freq_off + i];
        /* only runs whose span can touch tod (look-ahead included) */
        for (k = 0, start = fq->start; start < fq->end;
             k++, start += fq->headway)
        {
            if (start + len + 3600 < tod) {
                continue;
            }
            if (start - SIM_LOOKAHEAD_SEC > tod) {
                break;
            }
            run.offset = start - st[0].dep;
            run.k = (int) (i * 10000 + (uint32_t) k);
            play_run(s, o, t, d, mid, tod, now, &run, ev, et, stats);
        }
    }
}

int mtw_sim_frame(mtw_sim_schedule *s, const mtw_sim_opts *o, int32_t date,
                  int64_t midnight, int64_t now, mtw_sim_buf out[3],
                  mtw_sim_stats *stats)
{
    entities ev, et, ea;
    mtw_arena arena;
    mtw_sim_trip *t;
    const mtw_sim_stop_time *st;
    int32_t day, d;
    int64_t mid;
    double tod;
    size_t i;
    int rc = 0;

    memset(out, 0, 3 * sizeof(*out));
    memset(stats, 0, sizeof(*stats));
    mtw_arena_init(&arena, 0, 0);
    memset(&ev, 0, sizeof(ev));
    memset(&et, 0, sizeof(et));
    memset(&ea, 0, sizeof(ea));
    ev.a = et.a = ea.a = &arena;

    /* today's trips, and yesterday's that run past midnight */
    for (day = 0; day < 2; day++) {
        d = day == 0 ? date : mtw_days_to_date(mtw_date_to_days(date) - 1);
        mid = day == 0 ? midnight : midnight - 86400;
        tod = (double) (now - mid);
        for (i = 0; i < s->n_trips; i++) {
            t = &s->trips[i];
            if (t->st_n < 2 || t->service < 0) {
                continue;
            }
            st = s->st + t->st_off;
            /* cheap window test before anything else */
            if (t->freq_n == 0 && (tod < st[0].dep - SIM_LOOKAHEAD_SEC
                                   || tod > st[t->st_n - 1].arr + 3600))
            {
                continue;
            }
            if (!mtw_sim_service_active(s, t->service, d)) {
                continue;
            }
            play_trip(s, o, t, d, mid, tod, now, &ev, &et, stats);
        }
    }
    add_alerts(&ea, s, o, date, midnight);
    stats->alerts = ea.n;
    if (ev.oom || et.oom || ea.oom || pack(&ev, now, &out[0]) != 0
        || pack(&et, now, &out[1]) != 0 || pack(&ea, now, &out[2]) != 0)
    {
        mtw_sim_bufs_free(out);
        rc = -1;
    }
    free(ev.v);
    free(et.v);
    free(ea.v);
    mtw_arena_free(&arena);
    return rc;
}
