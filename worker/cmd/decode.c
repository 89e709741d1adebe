/*
 * cmd/decode.c - `mtw-worker decode`: print a GTFS-RT feed as JSON.
 *
 * Every field the specification defines is printed when present (by
 * reflection over the generated descriptors), enums by name.  --summary
 * prints the model the worker publishes instead (counts and rich JSON).
 */
#include "feed/arena.h"
#include "feed/decode.h"
#include "feed/jsonw.h"
#include "feed/pbjson.h"
#include "feed/readfile.h"
#include "feed/rtjson.h"
#include "feed/snapshot.h"
#include "util/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DECODE_MAX_BYTES ((size_t) 256 * 1024 * 1024)

static int decode_summary(const uint8_t *data, size_t len, const char *path)
{
    static const mtw_feed_kind kinds[] = {
        MTW_FEED_VEHICLES, MTW_FEED_TRIPS, MTW_FEED_ALERTS
    };
    mtw_snapshot s;
    mtw_jsonw w;
    char err[256];
    size_t i;

    mtw_snapshot_init(&s, MTW_FEED_VEHICLES);
    if (mtw_snapshot_decode(&s, data, len, (int64_t) time(NULL),
                            err, sizeof(err)) != 0)
    {
        fprintf(stderr, "mtw-worker decode: %s: %s\n", path, err);
        mtw_snapshot_free(&s);
        return MTW_EXIT_FAILURE;
    }
    mtw_jsonw_init(&w);
    mtw_jsonw_obj(&w);
    mtw_jsonw_key(&w, "ts");
    mtw_jsonw_int(&w, s.header_ts);
    mtw_jsonw_key(&w, "entities");
    mtw_jsonw_uint(&w, s.n_entities);
    for (i = 0; i < 3; i++) {
        s.kind = kinds[i];
        mtw_jsonw_key(&w, mtw_feed_kind_name(kinds[i]));
        mtw_rtjson_rich(&w, &s, 0, 0);
    }
    mtw_jsonw_obj_end(&w);
    if (!w.oom) {
        fwrite(w.data, 1, w.len, stdout);
        fputc('\n', stdout);
    }
    mtw_jsonw_free(&w);
    mtw_snapshot_free(&s);
    return w.oom ? MTW_EXIT_FAILURE : MTW_EXIT_OK;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
    qsort(v, (size_t) n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * --repeat N: times N decodes three ways and prints the median CPU
 * milliseconds as JSON: protobuf-c with malloc (the peer), with the reused
 * arena, and the whole snapshot build the poller does (arena decode +
 * model; its wall time too).
 */
static int decode_bench(const uint8_t *data, size_t len, long n)
{
    TransitRealtime__FeedMessage *m;
    mtw_snapshot s;
    mtw_arena arena;
    ProtobufCAllocator pa;
    double *t_malloc, *t_arena, *t_snap, *c_snap, t0, c0;
    char err[256];
    size_t entities = 0;
    long i;
    int rc = MTW_EXIT_OK;

    t_malloc = calloc((size_t) n, sizeof(double));
    t_arena = calloc((size_t) n, sizeof(double));
    t_snap = calloc((size_t) n, sizeof(double));
    c_snap = calloc((size_t) n, sizeof(double));
    if (t_malloc == NULL || t_arena == NULL || t_snap == NULL
        || c_snap == NULL)
    {
        free(c_snap);
        free(t_malloc);
        free(t_arena);
        free(t_snap);
        return MTW_EXIT_FAILURE;
    }
    mtw_arena_init(&arena, 0, 0);
    mtw_snapshot_init(&s, MTW_FEED_TRIPS);
    for (i = 0; i < n && rc == MTW_EXIT_OK; i++) {
        /* CPU time: the machine may be shared; wall time of the snapshot
         * build is kept too */
        t0 = cpu_ms();
        m = transit_realtime__feed_message__unpack(NULL, len, data);
        if (m == NULL) {
            rc = MTW_EXIT_FAILURE;
            break;
        }
        entities = m->n_entity;
        transit_realtime__feed_message__free_unpacked(m, NULL);
        t_malloc[i] = cpu_ms() - t0;

        t0 = cpu_ms();
        mtw_arena_reset(&arena);
        pa = mtw_arena_protobuf(&arena);
        if (transit_realtime__feed_message__unpack(&pa, len, data) == NULL) {
            rc = MTW_EXIT_FAILURE;
        }
        t_arena[i] = cpu_ms() - t0;

        t0 = now_ms();
        c0 = cpu_ms();
        if (mtw_snapshot_decode(&s, data, len, 0, err, sizeof(err)) != 0) {
            rc = MTW_EXIT_FAILURE;
        }
        c_snap[i] = cpu_ms() - c0;
        t_snap[i] = now_ms() - t0;
    }
    if (rc == MTW_EXIT_OK) {
        printf("{\"bytes\":%zu,\"entities\":%zu,\"repeat\":%ld,"
               "\"malloc_ms\":%.3f,\"arena_ms\":%.3f,"
               "\"snapshot_ms\":%.3f,\"snapshot_wall_ms\":%.3f}\n", len,
               entities, n, median(t_malloc, n), median(t_arena, n),
               median(c_snap, n), median(t_snap, n));
    } else {
        fprintf(stderr, "mtw-worker decode: the file does not decode\n");
    }
    mtw_snapshot_free(&s);
    mtw_arena_free(&arena);
    free(t_malloc);
    free(t_arena);
    free(t_snap);
    free(c_snap);
    return rc;
}

static int decode_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "summary", no_argument, NULL, 's' },
        { "repeat", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 }
    };
    TransitRealtime__FeedMessage *m;
    mtw_arena arena;
    mtw_jsonw w;
    uint8_t *data;
    size_t len;
    char err[512];
    long repeat = 0;
    int c, status, summary = 0, rc = MTW_EXIT_OK;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 's') {
            summary = 1;
        } else if (c == 'r'
                   && mtw_cli_parse_long(optarg, 1, 1000000, &repeat) != 0)
        {
            return mtw_cli_usage_error(cmd, "--repeat must be a whole "
                                       "number between 1 and 1000000");
        }
    }
    if (argc - optind != 1) {
        return mtw_cli_usage_error(cmd, "expects exactly one FILE.pb");
    }
    data = mtw_read_file(argv[optind], DECODE_MAX_BYTES, &len,
                         err, sizeof(err));
    if (data == NULL) {
        fprintf(stderr, "mtw-worker decode: %s\n", err);
        return MTW_EXIT_FAILURE;
    }
    if (repeat > 0) {
        rc = decode_bench(data, len, repeat);
        free(data);
        return rc;
    }
    if (summary) {
        rc = decode_summary(data, len, argv[optind]);
        free(data);
        return rc;
    }
    mtw_arena_init(&arena, 0, 0);
    m = mtw_feed_unpack(&arena, data, len, err, sizeof(err));
    if (m == NULL) {
        fprintf(stderr, "mtw-worker decode: %s: %s\n", argv[optind], err);
        rc = MTW_EXIT_FAILURE;
    } else {
        mtw_jsonw_init(&w);
        mtw_pbjson_message(&w, &m->base);
        if (w.oom) {
            fprintf(stderr, "mtw-worker decode: out of memory\n");
            rc = MTW_EXIT_FAILURE;
        } else {
            fwrite(w.data, 1, w.len, stdout);
            fputc('\n', stdout);
        }
        mtw_jsonw_free(&w);
    }
    mtw_arena_free(&arena);
    free(data);
    return rc;
}

const mtw_command mtw_cmd_decode = {
    "decode",
    "print a GTFS-Realtime feed as JSON (diagnostics)",
    "usage: mtw-worker decode [--summary | --repeat N] FILE.pb\n"
    "\n"
    "Decodes a GTFS-Realtime FeedMessage and prints it as JSON on stdout,\n"
    "every field the specification defines, enums by name.  Bytes that do\n"
    "not decode exit 1 with the reason on stderr.\n"
    "\n"
    "  --summary  print the worker's model instead: header ts, entity count\n"
    "             and the rich vehicles/trips/alerts JSON it publishes\n",
    decode_main
};
