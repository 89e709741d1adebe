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

static int decode_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "summary", no_argument, NULL, 's' },
        { NULL, 0, NULL, 0 }
    };
    TransitRealtime__FeedMessage *m;
    mtw_arena arena;
    mtw_jsonw w;
    uint8_t *data;
    size_t len;
    char err[512];
    int c, status, summary = 0, rc = MTW_EXIT_OK;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 's') {
            summary = 1;
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
    "usage: mtw-worker decode [--summary] FILE.pb\n"
    "\n"
    "Decodes a GTFS-Realtime FeedMessage and prints it as JSON on stdout,\n"
    "every field the specification defines, enums by name.  Bytes that do\n"
    "not decode exit 1 with the reason on stderr.\n"
    "\n"
    "  --summary  print the worker's model instead: header ts, entity count\n"
    "             and the rich vehicles/trips/alerts JSON it publishes\n",
    decode_main
};
