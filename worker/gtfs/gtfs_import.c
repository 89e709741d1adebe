/*
 * gtfs_import.c - GTFS zip -> PostgreSQL, one city, one transaction.
 *
 * Table-driven: each GTFS file has a column list (GTFS name = SQL column,
 * kind, whether required) and an optional check hook for ids and
 * references.  Rows stream from the CSV reader through the checks into a
 * COPY of a new partition <table>_c<city>_v<version>; at the end the old
 * partitions are dropped and the new ones attached, then one COMMIT.
 */
#include "gtfs/gtfs_import.h"

#include "gtfs/csv.h"
#include "gtfs/gtfs_zip.h"
#include "gtfs/idset.h"
#include "gtfs/parse.h"
#include "store/pg.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const mtw_gtfs_files[MTW_GTFS_NFILES] = {
    "agency.txt", "calendar.txt", "calendar_dates.txt", "routes.txt",
    "stops.txt", "shapes.txt", "trips.txt", "stop_times.txt",
    "frequencies.txt", "transfers.txt"
};

typedef enum {
    K_ID,       /* text id, kept as written */
    K_TEXT,     /* free text; empty -> NULL */
    K_INT,      /* whole number in [min, max] */
    K_FLOAT,    /* decimal number in [min, max] */
    K_TIME,     /* H:MM:SS -> seconds after midnight */
    K_DATE      /* YYYYMMDD */
} col_kind;

#define F_REQCOL  1u    /* the column must be in the header */
#define F_REQVAL  2u    /* the value must not be empty */
#define F_BLANK   4u    /* empty is stored as '' rather than NULL */
#define REQ       (F_REQCOL | F_REQVAL)

typedef struct {
    const char *name;
    col_kind    kind;
    unsigned    flags;
    double      min;
    double      max;
} col_spec;

#define MAX_COLS 16

typedef struct loader loader;

/* A row as the hooks see it: field i is the value of spec column i. */
typedef struct {
    const char *v[MAX_COLS];
    size_t      len[MAX_COLS];
    int32_t     ival[MAX_COLS];      /* parsed K_INT / K_TIME values */
    double      dval[MAX_COLS];      /* parsed K_FLOAT values */
    int         present[MAX_COLS];   /* non-empty */
} row_t;

typedef struct {
    const char     *file;
    const char     *table;
    const col_spec *cols;
    int             ncols;
    /* 0: keep the row, 1: skip it, -1: error (l->err says why) */
    int (*check)(loader *l, const row_t *row);
} table_spec;

/* rows of all files together: 28 x the x20 Saskatoon feed's 3.5 M */
#define MTW_GTFS_MAX_ROWS 100000000L

struct loader {
    long               total_rows;    /* rows copied, all files */
    PGconn            *conn;
    mtw_gtfs_zip      *zip;
    mtw_csv           *csv;           /* file being read */
    const table_spec  *spec;
    int                city_id;
    int                version;
    char              *err;
    size_t             errlen;

    mtw_idset         *agencies;
    mtw_idset         *agency_rows;   /* whole agency rows, see check_agency */
    mtw_idset         *routes;
    mtw_idset         *stops;
    mtw_idset         *trips;
    mtw_idset         *services;
    mtw_idset         *shapes;
    mtw_idset         *parents;       /* parent_station -> first line */

    /* contiguous-run duplicate checks (stop_times per trip, shapes) */
    mtw_id            *run_owner;
    int32_t            run_max;
    int32_t           *run_seqs;
    size_t             run_n;
    size_t             run_cap;

    mtw_id            *last_trip;     /* stop_times rows come grouped */

    char               tz[128];       /* first agency_timezone */
    char               agency_name[256];
    double             min_lat, max_lat, min_lon, max_lon;
    long               located_stops;

    int                progress;
    double             last_progress;
};

/* --- column lists (GTFS reference, 2024 edition) -------------------------- */

#define COLS(a) a, (int) (sizeof(a) / sizeof(a[0]))

static const col_spec agency_cols[] = {
    { "agency_id", K_ID, F_BLANK, 0, 0 },
    { "agency_name", K_TEXT, REQ, 0, 0 },
    { "agency_url", K_TEXT, F_REQCOL, 0, 0 },
    { "agency_timezone", K_TEXT, REQ, 0, 0 },
    { "agency_lang", K_TEXT, 0, 0, 0 },
    { "agency_phone", K_TEXT, 0, 0, 0 },
    { "agency_fare_url", K_TEXT, 0, 0, 0 },
    { "agency_email", K_TEXT, 0, 0, 0 },
};

static const col_spec calendar_cols[] = {
    { "service_id", K_ID, REQ, 0, 0 },
    { "monday", K_INT, REQ, 0, 1 },
    { "tuesday", K_INT, REQ, 0, 1 },
    { "wednesday", K_INT, REQ, 0, 1 },
    { "thursday", K_INT, REQ, 0, 1 },
    { "friday", K_INT, REQ, 0, 1 },
    { "saturday", K_INT, REQ, 0, 1 },
    { "sunday", K_INT, REQ, 0, 1 },
    { "start_date", K_DATE, REQ, 0, 0 },
    { "end_date", K_DATE, REQ, 0, 0 },
};

static const col_spec calendar_dates_cols[] = {
    { "service_id", K_ID, REQ, 0, 0 },
    { "date", K_DATE, REQ, 0, 0 },
    { "exception_type", K_INT, REQ, 1, 2 },
};

static const col_spec routes_cols[] = {
    { "route_id", K_ID, REQ, 0, 0 },
    { "agency_id", K_ID, 0, 0, 0 },
    { "route_short_name", K_TEXT, 0, 0, 0 },
    { "route_long_name", K_TEXT, 0, 0, 0 },
    { "route_desc", K_TEXT, 0, 0, 0 },
    { "route_type", K_INT, REQ, 0, 1702 },
    { "route_url", K_TEXT, 0, 0, 0 },
    { "route_color", K_TEXT, 0, 0, 0 },
    { "route_text_color", K_TEXT, 0, 0, 0 },
    { "route_sort_order", K_INT, 0, 0, 2147483647.0 },
    { "continuous_pickup", K_INT, 0, 0, 3 },
    { "continuous_drop_off", K_INT, 0, 0, 3 },
};

enum { R_ID, R_AGENCY, R_TYPE = 5 };

static const col_spec stops_cols[] = {
    { "stop_id", K_ID, REQ, 0, 0 },
    { "stop_code", K_TEXT, 0, 0, 0 },
    { "stop_name", K_TEXT, 0, 0, 0 },
    { "stop_desc", K_TEXT, 0, 0, 0 },
    { "stop_lat", K_FLOAT, F_REQCOL, -90, 90 },
    { "stop_lon", K_FLOAT, F_REQCOL, -180, 180 },
    { "zone_id", K_TEXT, 0, 0, 0 },
    { "stop_url", K_TEXT, 0, 0, 0 },
    { "location_type", K_INT, 0, 0, 4 },
    { "parent_station", K_ID, 0, 0, 0 },
    { "stop_timezone", K_TEXT, 0, 0, 0 },
    { "wheelchair_boarding", K_INT, 0, 0, 2 },
    { "level_id", K_TEXT, 0, 0, 0 },
    { "platform_code", K_TEXT, 0, 0, 0 },
};

enum { S_ID, S_LAT = 4, S_LON = 5, S_TYPE = 8, S_PARENT = 9 };

static const col_spec shapes_cols[] = {
    { "shape_id", K_ID, REQ, 0, 0 },
    { "shape_pt_sequence", K_INT, REQ, 0, 2147483647.0 },
    { "shape_pt_lat", K_FLOAT, REQ, -90, 90 },
    { "shape_pt_lon", K_FLOAT, REQ, -180, 180 },
    { "shape_dist_traveled", K_FLOAT, 0, 0, 1e12 },
};

enum { SH_ID, SH_SEQ };

static const col_spec trips_cols[] = {
    { "trip_id", K_ID, REQ, 0, 0 },
    { "route_id", K_ID, REQ, 0, 0 },
    { "service_id", K_ID, REQ, 0, 0 },
    { "trip_headsign", K_TEXT, 0, 0, 0 },
    { "trip_short_name", K_TEXT, 0, 0, 0 },
    { "direction_id", K_INT, 0, 0, 1 },
    { "block_id", K_TEXT, 0, 0, 0 },
    { "shape_id", K_ID, 0, 0, 0 },
    { "wheelchair_accessible", K_INT, 0, 0, 2 },
    { "bikes_allowed", K_INT, 0, 0, 2 },
};

enum { T_ID, T_ROUTE, T_SERVICE, T_SHAPE = 7 };

static const col_spec stop_times_cols[] = {
    { "trip_id", K_ID, REQ, 0, 0 },
    { "stop_sequence", K_INT, REQ, 0, 2147483647.0 },
    { "stop_id", K_ID, REQ, 0, 0 },
    { "arrival_time", K_TIME, F_REQCOL, 0, 0 },
    { "departure_time", K_TIME, F_REQCOL, 0, 0 },
    { "stop_headsign", K_TEXT, 0, 0, 0 },
    { "pickup_type", K_INT, 0, 0, 3 },
    { "drop_off_type", K_INT, 0, 0, 3 },
    { "continuous_pickup", K_INT, 0, 0, 3 },
    { "continuous_drop_off", K_INT, 0, 0, 3 },
    { "shape_dist_traveled", K_FLOAT, 0, 0, 1e12 },
    { "timepoint", K_INT, 0, 0, 1 },
};

enum { ST_TRIP, ST_SEQ, ST_STOP };

static const col_spec frequencies_cols[] = {
    { "trip_id", K_ID, REQ, 0, 0 },
    { "start_time", K_TIME, REQ, 0, 0 },
    { "end_time", K_TIME, REQ, 0, 0 },
    { "headway_secs", K_INT, REQ, 1, 86400 },
    { "exact_times", K_INT, 0, 0, 1 },
};

static const col_spec transfers_cols[] = {
    { "from_stop_id", K_ID, 0, 0, 0 },
    { "to_stop_id", K_ID, 0, 0, 0 },
    { "from_route_id", K_ID, 0, 0, 0 },
    { "to_route_id", K_ID, 0, 0, 0 },
    { "from_trip_id", K_ID, 0, 0, 0 },
    { "to_trip_id", K_ID, 0, 0, 0 },
    { "transfer_type", K_INT, 0, 0, 5 },
    { "min_transfer_time", K_INT, 0, 0, 86400 },
};

/* --- errors --------------------------------------------------------------- */

static int fail(loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(loader *l, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(l->err, l->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A value quoted for a message: at most 40 bytes, control bytes as '?'. */
static const char *shown(const char *v, size_t len, char buf[64])
{
    size_t i, n = len > 40 ? 40 : len;

    for (i = 0; i < n; i++) {
        buf[i] = ((unsigned char) v[i] < 0x20) ? '?' : v[i];
    }
    if (len > n) {
        memcpy(buf + n, "...", 4);
    } else {
        buf[n] = '\0';
    }
    return buf;
}

/* "file:line: column name: reason 'value'" for the current row. */
static int fail_value(loader *l, int col, const char *v, size_t len,
                      const char *reason)
{
    char buf[64];

    return fail(l, "%s:%ld: column %s: %s '%s'", l->spec->file,
                mtw_csv_line(l->csv), l->spec->cols[col].name, reason,
                shown(v, len, buf));
}

static int fail_ref(loader *l, const row_t *row, int col, const char *what,
                    const char *file)
{
    char buf[64];

    return fail(l, "%s:%ld: column %s: unknown %s '%s' (not in %s)",
                l->spec->file, mtw_csv_line(l->csv), l->spec->cols[col].name,
                what, shown(row->v[col], row->len[col], buf), file);
}

static int fail_dup(loader *l, const row_t *row, int col, const mtw_id *e)
{
    char buf[64];

    return fail(l, "%s:%ld: column %s: duplicate id '%s' (first on line %d)",
                l->spec->file, mtw_csv_line(l->csv), l->spec->cols[col].name,
                shown(row->v[col], row->len[col], buf), (int) e->line);
}

static int fail_oom(loader *l)
{
    return fail(l, "%s: out of memory", l->spec->file);
}

/* --- id helpers ----------------------------------------------------------- */

/* Adds a primary id; a duplicate is an error. */
static int add_unique(loader *l, mtw_idset *set, const row_t *row, int col)
{
    int added;
    mtw_id *e = mtw_idset_add(set, row->v[col], row->len[col],
                              (int32_t) mtw_csv_line(l->csv), &added);

    if (e == NULL) {
        return fail_oom(l);
    }
    return added ? 0 : fail_dup(l, row, col, e);
}

static int add_any(loader *l, mtw_idset *set, const row_t *row, int col,
                   mtw_id **out)
{
    int added;
    mtw_id *e = mtw_idset_add(set, row->v[col], row->len[col],
                              (int32_t) mtw_csv_line(l->csv), &added);

    if (e == NULL) {
        return fail_oom(l);
    }
    if (out != NULL) {
        *out = e;
    }
    return 0;
}

/*
 * Duplicate (owner, sequence) within a contiguous run of rows of one owner
 * (a trip's stop_times, a shape's points): checked here with the line
 * number.  Rows of one owner split across the file are left to the primary
 * key, which still rejects duplicates, with the key but no line.
 */
static int check_sequence(loader *l, mtw_id *owner, const row_t *row,
                          int col)
{
    int32_t seq = row->ival[col];
    size_t i;

    if (owner != l->run_owner) {
        l->run_owner = owner;
        l->run_n = 0;
        l->run_max = -1;
    }
    if (seq <= l->run_max) {
        for (i = 0; i < l->run_n; i++) {
            if (l->run_seqs[i] == seq) {
                char buf[64];

                return fail(l, "%s:%ld: column %s: duplicate %s %d for "
                            "'%s'", l->spec->file, mtw_csv_line(l->csv),
                            l->spec->cols[col].name, l->spec->cols[col].name,
                            (int) seq, shown(owner->id, owner->len, buf));
            }
        }
    } else {
        l->run_max = seq;
    }
    if (l->run_n == l->run_cap) {
        size_t cap = l->run_cap ? l->run_cap * 2 : 256;
        int32_t *p = realloc(l->run_seqs, cap * sizeof(*p));

        if (p == NULL) {
            return fail_oom(l);
        }
        l->run_seqs = p;
        l->run_cap = cap;
    }
    l->run_seqs[l->run_n++] = seq;
    return 0;
}

/* --- per-file checks ------------------------------------------------------ */

/*
 * A row repeated byte for byte under the same agency_id is the same agency
 * listed twice (merged feeds, and gtfs-scale copies of a feed without
 * agency ids do this): it is skipped.  A different agency under a used id
 * is an error.
 */
static int check_agency(loader *l, const row_t *row)
{
    char whole[2048];
    size_t off = 0;
    int added, i;
    mtw_id *e;

    for (i = 0; i < l->spec->ncols && off < sizeof(whole); i++) {
        off += (size_t) snprintf(whole + off, sizeof(whole) - off, "%s\x1f",
                                 row->v[i]);
    }
    if (off >= sizeof(whole)) {
        off = sizeof(whole) - 1;
    }
    e = mtw_idset_add(l->agency_rows, whole, off,
                      (int32_t) mtw_csv_line(l->csv), &added);
    if (e == NULL) {
        return fail_oom(l);
    }
    if (!added && mtw_idset_find(l->agencies, row->v[0], row->len[0])) {
        return 1;
    }
    /* the city's zone and name were taken from the first agency already */
    return add_unique(l, l->agencies, row, 0);
}

static int check_calendar(loader *l, const row_t *row)
{
    return add_unique(l, l->services, row, 0);
}

static int check_calendar_dates(loader *l, const row_t *row)
{
    return add_any(l, l->services, row, 0, NULL);
}

/* GTFS basic route types and the extended (Google) ones. */
static int valid_route_type(int t)
{
    return (t >= 0 && t <= 7) || t == 11 || t == 12 || (t >= 100 && t <= 1702);
}

static int check_routes(loader *l, const row_t *row)
{
    if (!valid_route_type(row->ival[R_TYPE])) {
        return fail_value(l, R_TYPE, row->v[R_TYPE], row->len[R_TYPE],
                          "not a GTFS route type");
    }
    if (row->present[R_AGENCY]
        && mtw_idset_find(l->agencies, row->v[R_AGENCY],
                          row->len[R_AGENCY]) == NULL)
    {
        return fail_ref(l, row, R_AGENCY, "agency", "agency.txt");
    }
    return add_unique(l, l->routes, row, R_ID);
}

static int check_stops(loader *l, const row_t *row)
{
    int type = row->present[S_TYPE] ? row->ival[S_TYPE] : 0;

    /* generic nodes and boarding areas (3, 4) may have no position */
    if (type <= 2) {
        if (!row->present[S_LAT]) {
            return fail_value(l, S_LAT, "", 0, "required for location_type "
                              "0-2, empty");
        }
        if (!row->present[S_LON]) {
            return fail_value(l, S_LON, "", 0, "required for location_type "
                              "0-2, empty");
        }
    }
    if (row->present[S_LAT] && row->present[S_LON] && type <= 1) {
        double lat = row->dval[S_LAT], lon = row->dval[S_LON];

        if (l->located_stops++ == 0) {
            l->min_lat = l->max_lat = lat;
            l->min_lon = l->max_lon = lon;
        } else {
            l->min_lat = lat < l->min_lat ? lat : l->min_lat;
            l->max_lat = lat > l->max_lat ? lat : l->max_lat;
            l->min_lon = lon < l->min_lon ? lon : l->min_lon;
            l->max_lon = lon > l->max_lon ? lon : l->max_lon;
        }
    }
    if (row->present[S_PARENT]
        && add_any(l, l->parents, row, S_PARENT, NULL) != 0)
    {
        return -1;
    }
    return add_unique(l, l->stops, row, S_ID);
}

static int check_shapes(loader *l, const row_t *row)
{
    mtw_id *shape = NULL;

    if (add_any(l, l->shapes, row, SH_ID, &shape) != 0) {
        return -1;
    }
    return check_sequence(l, shape, row, SH_SEQ);
}

static int check_trips(loader *l, const row_t *row)
{
    if (mtw_idset_find(l->routes, row->v[T_ROUTE], row->len[T_ROUTE])
        == NULL)
    {
        return fail_ref(l, row, T_ROUTE, "route", "routes.txt");
    }
    if (mtw_idset_find(l->services, row->v[T_SERVICE], row->len[T_SERVICE])
        == NULL)
    {
        return fail_ref(l, row, T_SERVICE, "service",
                        "calendar.txt or calendar_dates.txt");
    }
    if (row->present[T_SHAPE]
        && mtw_idset_find(l->shapes, row->v[T_SHAPE], row->len[T_SHAPE])
           == NULL)
    {
        return fail_ref(l, row, T_SHAPE, "shape", "shapes.txt");
    }
    return add_unique(l, l->trips, row, T_ID);
}

static int check_stop_times(loader *l, const row_t *row)
{
    mtw_id *trip = l->last_trip;

    if (trip == NULL || trip->len != row->len[ST_TRIP]
        || memcmp(trip->id, row->v[ST_TRIP], trip->len) != 0)
    {
        trip = mtw_idset_find(l->trips, row->v[ST_TRIP], row->len[ST_TRIP]);
        if (trip == NULL) {
            return fail_ref(l, row, ST_TRIP, "trip", "trips.txt");
        }
        l->last_trip = trip;
    }
    if (mtw_idset_find(l->stops, row->v[ST_STOP], row->len[ST_STOP])
        == NULL)
    {
        return fail_ref(l, row, ST_STOP, "stop", "stops.txt");
    }
    trip->count++;
    return check_sequence(l, trip, row, ST_SEQ);
}

static int check_frequencies(loader *l, const row_t *row)
{
    if (mtw_idset_find(l->trips, row->v[0], row->len[0]) == NULL) {
        return fail_ref(l, row, 0, "trip", "trips.txt");
    }
    if (row->ival[2] <= row->ival[1]) {
        return fail_value(l, 2, row->v[2], row->len[2],
                          "not after start_time");
    }
    return 0;
}

static int check_transfers(loader *l, const row_t *row)
{
    static const struct {
        int         col;
        const char *what;
        const char *file;
    } refs[] = {
        { 0, "stop", "stops.txt" }, { 1, "stop", "stops.txt" },
        { 2, "route", "routes.txt" }, { 3, "route", "routes.txt" },
        { 4, "trip", "trips.txt" }, { 5, "trip", "trips.txt" },
    };
    mtw_idset *sets[3];
    size_t i;

    sets[0] = l->stops;
    sets[1] = l->routes;
    sets[2] = l->trips;
    for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        int c = refs[i].col;

        if (row->present[c]
            && mtw_idset_find(sets[c / 2], row->v[c], row->len[c]) == NULL)
        {
            return fail_ref(l, row, c, refs[i].what, refs[i].file);
        }
    }
    return 0;
}

static const table_spec tables[MTW_GTFS_NFILES] = {
    { "agency.txt", "agency", COLS(agency_cols), check_agency },
    { "calendar.txt", "calendar", COLS(calendar_cols), check_calendar },
    { "calendar_dates.txt", "calendar_dates", COLS(calendar_dates_cols),
      check_calendar_dates },
    { "routes.txt", "routes", COLS(routes_cols), check_routes },
    { "stops.txt", "stops", COLS(stops_cols), check_stops },
    { "shapes.txt", "shapes", COLS(shapes_cols), check_shapes },
    { "trips.txt", "trips", COLS(trips_cols), check_trips },
    { "stop_times.txt", "stop_times", COLS(stop_times_cols),
      check_stop_times },
    { "frequencies.txt", "frequencies", COLS(frequencies_cols),
      check_frequencies },
    { "transfers.txt", "transfers", COLS(transfers_cols), check_transfers },
};

/* Files without which a feed cannot be scheduled. */
static int required_file(const char *file)
{
    return strcmp(file, "agency.txt") == 0 || strcmp(file, "routes.txt") == 0
           || strcmp(file, "stops.txt") == 0 || strcmp(file, "trips.txt") == 0
           || strcmp(file, "stop_times.txt") == 0;
}

/* --- values --------------------------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates or NUL bytes). */
static int valid_utf8(const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *) p, *end = s + len;

    while (s < end) {
        unsigned char c = *s;

        if (c >= 0x01 && c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            if (end - s < 2 || (s[1] & 0xC0) != 0x80) {
                return 0;
            }
            s += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (end - s < 3 || (s[1] & 0xC0) != 0x80
                || (s[2] & 0xC0) != 0x80
                || (c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
            {
                return 0;
            }
            s += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (end - s < 4 || (s[1] & 0xC0) != 0x80
                || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80
                || (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
            {
                return 0;
            }
            s += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Checks and converts field col of the current row into row and the COPY. */
static int put_value(loader *l, mtw_pg_copy *cp, row_t *row, int col,
                     int csv_col)
{
    const col_spec *c = &l->spec->cols[col];
    size_t len;
    const char *v = mtw_csv_field(l->csv, csv_col, &len);
    long n;

    row->v[col] = v;
    row->len[col] = len;
    row->present[col] = len > 0;
    if (len == 0) {
        if (c->flags & F_REQVAL) {
            return fail_value(l, col, "", 0, "value required, empty");
        }
        if (c->flags & F_BLANK) {
            mtw_pg_copy_raw(cp, "", 0);
        } else {
            mtw_pg_copy_null(cp);
        }
        return 0;
    }
    switch (c->kind) {
    case K_ID:
    case K_TEXT:
        if (!valid_utf8(v, len)) {
            return fail_value(l, col, v, len, "not valid UTF-8");
        }
        mtw_pg_copy_text(cp, v, len);
        return 0;
    case K_INT:
        if (mtw_gtfs_parse_int(v, (long) c->min, (long) c->max, &n) != 0) {
            char why[80];

            snprintf(why, sizeof(why), "not a whole number from %.0f to "
                     "%.0f", c->min, c->max);
            return fail_value(l, col, v, len, why);
        }
        row->ival[col] = (int32_t) n;
        mtw_pg_copy_long(cp, n);
        return 0;
    case K_FLOAT:
        if (mtw_gtfs_parse_double(v, c->min, c->max, &row->dval[col]) != 0) {
            char why[80];

            snprintf(why, sizeof(why), "not a number from %g to %g",
                     c->min, c->max);
            return fail_value(l, col, v, len, why);
        }
        mtw_pg_copy_raw(cp, v, len);    /* trimmed, validated digits */
        return 0;
    case K_TIME:
        if (mtw_gtfs_parse_time(v, &row->ival[col]) != 0) {
            return fail_value(l, col, v, len, "not a time H:MM:SS");
        }
        mtw_pg_copy_long(cp, row->ival[col]);
        return 0;
    case K_DATE: {
        int32_t d;

        if (mtw_gtfs_parse_date(v, &d) != 0) {
            return fail_value(l, col, v, len, "not a date YYYYMMDD");
        }
        mtw_pg_copy_long(cp, d);        /* PostgreSQL reads 20250629 */
        return 0;
    }
    }
    return 0;
}

/* --- progress and timing -------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void show_progress(loader *l, long rows)
{
    const mtw_gtfs_entry *e = mtw_csv_source(l->csv);
    double t = now_ms();
    uint64_t size = mtw_gtfs_entry_size(e);
    int pct;

    if (t - l->last_progress < 200) {
        return;
    }
    l->last_progress = t;
    pct = size > 0 ? (int) (mtw_gtfs_entry_offset(e) * 100 / size) : 0;
    fprintf(stderr, "\r%-20s %3d%%  %ld rows\033[K", l->spec->file, pct,
            rows);
    fflush(stderr);
}

/* --- one file ------------------------------------------------------------- */

static int exec_fmt(loader *l, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runs formatted SQL; only integers the loader made are ever formatted in. */
static int exec_fmt(loader *l, const char *what, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    /* sql-vetted: callers pass literal formats whose only values are table
     * names of the compile-time table_spec list and integers (city id,
     * version) */
    return mtw_pg_exec(l->conn, what, sql, l->err, l->errlen);
}

/*
 * Creates on the new partition every index the parent declares (same
 * definition, so ATTACH PARTITION adopts them instead of building its own
 * under a lock on the parent), with primary keys and unique constraints
 * made from them.  Building after COPY (one sort per index) is much faster
 * than maintaining the indexes row by row.  The definitions come from the
 * catalog, so the migrations stay the only place indexes are declared.
 */
static int build_indexes(loader *l, const table_spec *t)
{
    static const char sql[] =
        "SELECT format('CREATE %sINDEX %I ON %I USING %s', "
        "  CASE WHEN ix.indisunique THEN 'UNIQUE ' ELSE '' END, "
        "  $2 || '_i' || n, $2, "
        "  substring(pg_get_indexdef(ix.indexrelid) FROM ' USING (.*)$')), "
        " CASE WHEN con.contype IN ('p', 'u') THEN "
        "  format('ALTER TABLE %I ADD CONSTRAINT %I %s USING INDEX %I', "
        "   $2, $2 || '_k' || n, CASE con.contype WHEN 'p' "
        "   THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, $2 || '_i' || n) END "
        "FROM (SELECT *, row_number() OVER (ORDER BY indexrelid) AS n "
        "      FROM pg_index WHERE indrelid = $1::regclass) ix "
        "LEFT JOIN pg_constraint con ON con.conindid = ix.indexrelid "
        " AND con.conrelid = ix.indrelid";
    const char *params[2];
    char staging[128], why[768];
    PGresult *res;
    int r, k;

    snprintf(staging, sizeof(staging), "%s_c%d_v%d", t->table, l->city_id,
             l->version);
    params[0] = t->table;
    params[1] = staging;
    res = mtw_pg_query(l->conn, t->table, sql, 2, params, l->err, l->errlen);
    if (res == NULL) {
        return -1;
    }
    for (r = 0; r < PQntuples(res); r++) {
        for (k = 0; k < 2; k++) {
            if (PQgetisnull(res, r, k)) {
                continue;
            }
            /* sql-vetted: index and constraint definitions PostgreSQL
             * itself wrote (pg_get_indexdef / pg_get_constraintdef of the
             * live table), renamed to the staging table */
            if (mtw_pg_exec(l->conn, t->table, PQgetvalue(res, r, k),
                            why, sizeof(why)) != 0)
            {
                PQclear(res);
                /* a unique index over duplicate keys: the feed's fault */
                return fail(l, "%s: the database refused the rows: %s",
                            t->file, why + strlen(t->table) + 2);
            }
        }
    }
    PQclear(res);
    return 0;
}

static int load_file(loader *l, const table_spec *t, long *rows_out,
                     long *skipped_out)
{
    int idx[MAX_COLS];
    char sql[1024];
    size_t off;
    mtw_pg_copy *cp;
    row_t row;
    long rows = 0, skipped = 0;
    int i, rc;

    l->spec = t;
    /* the new partition: same columns and defaults as the parent, plus the
     * partition constraint so ATTACH need not scan it; its indexes are
     * built after the rows are in (see build_indexes) */
    if (exec_fmt(l, t->table, "CREATE TABLE %s_c%d_v%d (LIKE %s INCLUDING "
                 "DEFAULTS, CONSTRAINT %s_c%d_v%d_city CHECK (city_id = %d))",
                 t->table, l->city_id, l->version, t->table, t->table,
                 l->city_id, l->version, l->city_id) != 0)
    {
        return -1;
    }
    *rows_out = -1;
    *skipped_out = 0;
    if (!mtw_gtfs_zip_has(l->zip, t->file)) {
        return build_indexes(l, t);     /* optional file: left empty */
    }
    l->csv = mtw_gtfs_zip_csv_open(l->zip, t->file, l->err, l->errlen);
    if (l->csv == NULL) {
        return -1;
    }
    for (i = 0; i < t->ncols; i++) {
        idx[i] = mtw_csv_column(l->csv, t->cols[i].name);
        if (idx[i] < 0 && (t->cols[i].flags & F_REQCOL)) {
            fail(l, "%s:1: missing required column %s", t->file,
                 t->cols[i].name);
            goto failed;
        }
    }
    off = (size_t) snprintf(sql, sizeof(sql), "COPY %s_c%d_v%d (city_id",
                            t->table, l->city_id, l->version);
    for (i = 0; i < t->ncols; i++) {
        off += (size_t) snprintf(sql + off, sizeof(sql) - off, ", %s",
                                 t->cols[i].name);
    }
    snprintf(sql + off, sizeof(sql) - off, ") FROM STDIN WITH (FREEZE)");
    /* sql-vetted: table and column names from the import's own tables */
    cp = mtw_pg_copy_begin(l->conn, sql, l->err, l->errlen);
    if (cp == NULL) {
        goto failed;
    }
    l->run_owner = NULL;
    l->last_trip = NULL;
    l->last_progress = 0;       /* each long file shows its own progress */
    while ((rc = mtw_csv_next(l->csv)) == 1) {
        mtw_pg_copy_long(cp, l->city_id);
        for (i = 0; i < t->ncols; i++) {
            if (put_value(l, cp, &row, i, idx[i]) != 0) {
                goto copy_failed;
            }
        }
        if (t->check != NULL && (rc = t->check(l, &row)) != 0) {
            if (rc < 0) {
                goto copy_failed;
            }
            mtw_pg_copy_row_cancel(cp);
            skipped++;
            continue;
        }
        if (mtw_pg_copy_row_end(cp) != 0) {
            break;                      /* the server's reason comes below */
        }
        rows++;
        if (++l->total_rows > MTW_GTFS_MAX_ROWS) {
            fail(l, "%s: more than %ld rows in the feed: refused", t->file,
                 (long) MTW_GTFS_MAX_ROWS);
            goto copy_failed;
        }
        if (l->progress && (rows & 0x3FFF) == 0) {
            show_progress(l, rows);
        }
    }
    if (rc < 0) {
        snprintf(l->err, l->errlen, "%s", mtw_csv_error(l->csv));
        goto copy_failed;
    }
    if (mtw_pg_copy_end(cp, NULL, l->err, l->errlen) != 0) {
        char why[768];

        snprintf(why, sizeof(why), "%s", l->err);
        fail(l, "%s: the database refused the rows: %s", t->file, why);
        goto failed;
    }
    if (l->progress) {
        fputs("\r\033[K", stderr);
    }
    mtw_gtfs_zip_csv_close(l->csv);
    l->csv = NULL;
    *rows_out = rows;
    *skipped_out = skipped;
    return build_indexes(l, t);

copy_failed:
    mtw_pg_copy_abort(cp);
failed:
    if (l->progress) {
        fputs("\r\033[K", stderr);
    }
    mtw_gtfs_zip_csv_close(l->csv);
    l->csv = NULL;
    return -1;
}

/* --- checks across files -------------------------------------------------- */

typedef struct {
    loader *l;
    mtw_id *first;
    long    missing;
} trip_scan;

static int find_empty_trip(mtw_id *e, void *arg)
{
    trip_scan *s = arg;

    if (e->count == 0) {
        if (s->first == NULL) {
            s->first = e;
        }
        s->missing++;
    }
    return 0;
}

static int check_parent(mtw_id *e, void *arg)
{
    loader *l = arg;
    char buf[64];

    if (mtw_idset_find(l->stops, e->id, e->len) == NULL) {
        return fail(l, "stops.txt:%d: column parent_station: unknown stop "
                    "'%s' (not in stops.txt)", (int) e->line,
                    shown(e->id, e->len, buf));
    }
    return 0;
}

static int check_feed(loader *l)
{
    trip_scan s = { l, NULL, 0 };
    char buf[64];

    if (mtw_idset_each(l->parents, check_parent, l) != 0) {
        return -1;
    }
    mtw_idset_each(l->trips, find_empty_trip, &s);
    if (s.first != NULL) {
        return fail(l, "trips.txt:%d: column trip_id: trip '%s' has no stop "
                    "times in stop_times.txt (%ld of %zu trips have none: "
                    "stop_times.txt truncated?)", (int) s.first->line,
                    shown(s.first->id, s.first->len, buf), s.missing,
                    mtw_idset_size(l->trips));
    }
    return 0;
}

/* --- the city row and the partition swap ---------------------------------- */

static int upsert_city(loader *l, const mtw_gtfs_import_opts *o)
{
    const char *params[5];
    char tzname[128];
    PGresult *res;

    snprintf(tzname, sizeof(tzname), "%s", o->tz != NULL ? o->tz : l->tz);
    params[0] = tzname;
    res = mtw_pg_query(l->conn, "time zone",
                       "SELECT 1 FROM pg_timezone_names WHERE name = $1",
                       1, params, l->err, l->errlen);
    if (res == NULL) {
        return -1;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        if (o->tz != NULL) {
            return fail(l, "--tz: unknown time zone '%s'", tzname);
        }
        return fail(l, "agency.txt:2: column agency_timezone: unknown time "
                    "zone '%s'", tzname);
    }
    PQclear(res);

    params[0] = o->slug;
    params[1] = o->name != NULL ? o->name
                : l->agency_name[0] != '\0' ? l->agency_name : o->slug;
    params[2] = tzname;
    params[3] = o->static_url;
    params[4] = o->name;
    /* the row lock taken here serialises imports of the same city; an
     * existing city is updated first so no identity value is wasted */
    res = mtw_pg_query(l->conn, "city",
                       "UPDATE city SET "
                       "name = COALESCE($5, name), timezone = $3, "
                       "gtfs_static_url = COALESCE($4, gtfs_static_url), "
                       "updated_at = now() "
                       "WHERE slug = $1 AND $2::text IS NOT NULL "
                       "RETURNING id, gtfs_version",
                       5, params, l->err, l->errlen);
    if (res != NULL && PQntuples(res) == 0) {
        PQclear(res);
        res = mtw_pg_query(l->conn, "city",
                           "INSERT INTO city (slug, name, timezone, "
                           "gtfs_static_url) VALUES ($1, $2, $3, $4) "
                           "ON CONFLICT (slug) DO UPDATE SET "
                           "name = COALESCE($5, city.name), "
                           "timezone = EXCLUDED.timezone, "
                           "gtfs_static_url = "
                           "COALESCE($4, city.gtfs_static_url), "
                           "updated_at = now() "
                           "RETURNING id, gtfs_version",
                           5, params, l->err, l->errlen);
    }
    if (res == NULL) {
        return -1;
    }
    l->city_id = atoi(PQgetvalue(res, 0, 0));
    l->version = atoi(PQgetvalue(res, 0, 1)) + 1;
    PQclear(res);
    return 0;
}

/* Drops the city's current partition of each table, attaches the new one. */
static int swap_partitions(loader *l)
{
    char pattern[128];
    const char *params[2];
    PGresult *res;
    int i, r;

    for (i = 0; i < MTW_GTFS_NFILES; i++) {
        const char *table = tables[i].table;

        snprintf(pattern, sizeof(pattern), "%s\\_c%d\\_v%%", table,
                 l->city_id);
        params[0] = table;
        params[1] = pattern;
        res = mtw_pg_query(l->conn, table,
                           "SELECT c.relname FROM pg_inherits i "
                           "JOIN pg_class c ON c.oid = i.inhrelid "
                           "WHERE i.inhparent = $1::regclass "
                           "AND c.relname LIKE $2",
                           2, params, l->err, l->errlen);
        if (res == NULL) {
            return -1;
        }
        for (r = 0; r < PQntuples(res); r++) {
            char *name = PQescapeIdentifier(l->conn, PQgetvalue(res, r, 0),
                                            strlen(PQgetvalue(res, r, 0)));
            int rc;

            if (name == NULL) {
                PQclear(res);
                return fail(l, "%s: out of memory", table);
            }
            rc = exec_fmt(l, table, "DROP TABLE %s", name);
            PQfreemem(name);
            if (rc != 0) {
                PQclear(res);
                return -1;
            }
        }
        PQclear(res);
        if (exec_fmt(l, table, "ALTER TABLE %s ATTACH PARTITION %s_c%d_v%d "
                     "FOR VALUES IN (%d)", table, table, l->city_id,
                     l->version, l->city_id) != 0)
        {
            return -1;
        }
    }
    return 0;
}

static int finish_city(loader *l, const mtw_gtfs_import_opts *o,
                       const mtw_gtfs_import_result *r, double started_wall)
{
    char version[16], city[16], lat[32], lon[32], rows[1024], start[32];
    const char *params[7];
    size_t off = 0;
    PGresult *res;
    int i;

    snprintf(version, sizeof(version), "%d", l->version);
    snprintf(city, sizeof(city), "%d", l->city_id);
    snprintf(lat, sizeof(lat), "%.6f", (l->min_lat + l->max_lat) / 2);
    snprintf(lon, sizeof(lon), "%.6f", (l->min_lon + l->max_lon) / 2);
    snprintf(start, sizeof(start), "%.3f", started_wall);
    off += (size_t) snprintf(rows + off, sizeof(rows) - off, "{");
    for (i = 0; i < MTW_GTFS_NFILES; i++) {
        if (r->rows[i] >= 0) {
            off += (size_t) snprintf(rows + off, sizeof(rows) - off,
                                     "%s\"%s\": %ld", off > 1 ? ", " : "",
                                     mtw_gtfs_files[i], r->rows[i]);
        }
    }
    snprintf(rows + off, sizeof(rows) - off, "}");

    params[0] = city;
    params[1] = version;
    params[2] = l->located_stops > 0 ? lat : NULL;
    params[3] = l->located_stops > 0 ? lon : NULL;
    res = mtw_pg_query(l->conn, "city",
                       "UPDATE city SET gtfs_version = $2, "
                       "gtfs_loaded_at = now(), updated_at = now(), "
                       "center_lat = COALESCE(center_lat, $3), "
                       "center_lon = COALESCE(center_lon, $4) "
                       "WHERE id = $1", 4, params, l->err, l->errlen);
    if (res == NULL) {
        return -1;
    }
    PQclear(res);
    params[2] = o->source != NULL ? o->source : "";
    params[3] = rows;
    params[4] = start;
    res = mtw_pg_query(l->conn, "gtfs_import",
                       "INSERT INTO gtfs_import (city_id, gtfs_version, "
                       "source, rows, started_at) VALUES ($1, $2, $3, $4, "
                       "to_timestamp($5::double precision))",
                       5, params, l->err, l->errlen);
    if (res == NULL) {
        return -1;
    }
    PQclear(res);
    return 0;
}

/* --- entry point ---------------------------------------------------------- */

int mtw_gtfs_valid_slug(const char *slug)
{
    size_t i, n = strlen(slug);

    if (n == 0 || n > 50 || slug[0] == '-') {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char c = slug[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static void loader_free(loader *l)
{
    mtw_idset_free(l->agencies);
    mtw_idset_free(l->agency_rows);
    mtw_idset_free(l->routes);
    mtw_idset_free(l->stops);
    mtw_idset_free(l->trips);
    mtw_idset_free(l->services);
    mtw_idset_free(l->shapes);
    mtw_idset_free(l->parents);
    free(l->run_seqs);
    mtw_gtfs_zip_close(l->zip);
}

/* Files that must be there, checked before the database is touched. */
static int check_files(loader *l)
{
    int i;

    for (i = 0; i < MTW_GTFS_NFILES; i++) {
        if (required_file(mtw_gtfs_files[i])
            && !mtw_gtfs_zip_has(l->zip, mtw_gtfs_files[i]))
        {
            return fail(l, "%s: required file missing from the feed",
                        mtw_gtfs_files[i]);
        }
    }
    if (!mtw_gtfs_zip_has(l->zip, "calendar.txt")
        && !mtw_gtfs_zip_has(l->zip, "calendar_dates.txt"))
    {
        return fail(l, "calendar.txt: required file missing from the feed "
                    "(and there is no calendar_dates.txt)");
    }
    return 0;
}

/* Reads agency.txt once before the import for the city's zone and name. */
static int read_agency_first(loader *l)
{
    mtw_csv *csv;
    int tzcol, namecol, rc;

    csv = mtw_gtfs_zip_csv_open(l->zip, "agency.txt", l->err, l->errlen);
    if (csv == NULL) {
        return -1;
    }
    tzcol = mtw_csv_column(csv, "agency_timezone");
    namecol = mtw_csv_column(csv, "agency_name");
    if (tzcol < 0) {
        mtw_gtfs_zip_csv_close(csv);
        return fail(l, "agency.txt:1: missing required column "
                    "agency_timezone");
    }
    rc = mtw_csv_next(csv);
    if (rc == 1) {
        snprintf(l->tz, sizeof(l->tz), "%s", mtw_csv_field(csv, tzcol, NULL));
        snprintf(l->agency_name, sizeof(l->agency_name), "%s",
                 mtw_csv_field(csv, namecol, NULL));
    } else if (rc == 0) {
        fail(l, "agency.txt:2: no agency in the file");
    } else {
        snprintf(l->err, l->errlen, "%s", mtw_csv_error(csv));
    }
    mtw_gtfs_zip_csv_close(csv);
    return rc == 1 ? 0 : -1;
}

int mtw_gtfs_import(PGconn *conn, const char *path,
                    const mtw_gtfs_import_opts *opts,
                    mtw_gtfs_import_result *result,
                    char *err, size_t errlen)
{
    loader l;
    struct timespec wall;
    double t0, t;
    int i;

    memset(&l, 0, sizeof(l));
    memset(result, 0, sizeof(*result));
    l.conn = conn;
    l.err = err;
    l.errlen = errlen;
    l.progress = opts->progress;
    t0 = now_ms();
    clock_gettime(CLOCK_REALTIME, &wall);

    if (!mtw_gtfs_valid_slug(opts->slug)) {
        snprintf(err, errlen, "--city: '%s' is not a valid slug "
                 "([a-z0-9-], 1 to 50 characters)", opts->slug);
        return -1;
    }
    l.zip = mtw_gtfs_zip_open(path, err, errlen);
    if (l.zip == NULL) {
        return -1;
    }
    l.agencies = mtw_idset_create();
    l.agency_rows = mtw_idset_create();
    l.routes = mtw_idset_create();
    l.stops = mtw_idset_create();
    l.trips = mtw_idset_create();
    l.services = mtw_idset_create();
    l.shapes = mtw_idset_create();
    l.parents = mtw_idset_create();
    if (l.agencies == NULL || l.agency_rows == NULL || l.routes == NULL || l.stops == NULL
        || l.trips == NULL || l.services == NULL || l.shapes == NULL
        || l.parents == NULL)
    {
        snprintf(err, errlen, "out of memory");
        loader_free(&l);
        return -1;
    }
    if (check_files(&l) != 0 || read_agency_first(&l) != 0) {
        loader_free(&l);
        return -1;
    }

    /* index builds sort each table once: give the sorts room (a large
     * feed's stop_times key no longer spills to disk at the 64 MB default) */
    if (mtw_pg_exec(conn, "BEGIN", "BEGIN; SET LOCAL maintenance_work_mem "
                    "= '256MB'", err, errlen) != 0)
    {
        loader_free(&l);
        return -1;
    }
    {
        PGresult *res = mtw_pg_query(conn, "schema",
                                     "SELECT to_regclass('stop_times') "
                                     "IS NOT NULL", 0, NULL, err, errlen);

        if (res == NULL) {
            goto rollback;
        }
        if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
            PQclear(res);
            snprintf(err, errlen, "the database has no GTFS tables: run "
                     "'mtw-worker migrate' first");
            goto rollback;
        }
        PQclear(res);
    }
    if (upsert_city(&l, opts) != 0) {
        goto rollback;
    }
    result->city_id = l.city_id;
    result->gtfs_version = l.version;

    for (i = 0; i < MTW_GTFS_NFILES; i++) {
        t = now_ms();
        if (load_file(&l, &tables[i], &result->rows[i],
                      &result->skipped[i]) != 0)
        {
            goto rollback;
        }
        result->ms[i] = now_ms() - t;
        if (result->rows[i] > 0) {
            result->total_rows += result->rows[i];
        }
        if (opts->report != NULL) {
            if (result->rows[i] < 0) {
                fprintf(opts->report, "%-20s %10s\n", tables[i].file,
                        "absent");
            } else if (result->skipped[i] > 0) {
                fprintf(opts->report, "%-20s %10ld rows %8.0f ms  (%ld "
                        "repeated rows skipped)\n", tables[i].file,
                        result->rows[i], result->ms[i], result->skipped[i]);
            } else {
                fprintf(opts->report, "%-20s %10ld rows %8.0f ms\n",
                        tables[i].file, result->rows[i], result->ms[i]);
            }
            fflush(opts->report);
        }
    }
    if (check_feed(&l) != 0 || swap_partitions(&l) != 0
        || finish_city(&l, opts, result,
                       wall.tv_sec + wall.tv_nsec / 1e9) != 0)
    {
        goto rollback;
    }
    t = now_ms();
    if (mtw_pg_exec(conn, "COMMIT", "COMMIT", err, errlen) != 0) {
        loader_free(&l);
        return -1;
    }
    result->commit_ms = now_ms() - t;
    result->total_ms = now_ms() - t0;
    loader_free(&l);
    return 0;

rollback:
    PQclear(PQexec(conn, "ROLLBACK"));
    loader_free(&l);
    return -1;
}
