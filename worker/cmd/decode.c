/*
 * cmd/decode.c - `mtw-worker decode`: print a GTFS-RT feed as JSON.
 */
#include "util/cli.h"

#include <stdio.h>

static int decode_main(const mtw_command *cmd, int argc, char **argv)
{
    int c, status;

    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, NULL, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
    }
    if (argc - optind != 1) {
        return mtw_cli_usage_error(cmd, "expects exactly one FILE.pb");
    }
    fprintf(stderr, "mtw-worker decode: not implemented yet\n");
    return MTW_EXIT_FAILURE;
}

const mtw_command mtw_cmd_decode = {
    "decode",
    "print a GTFS-Realtime feed as JSON (diagnostics)",
    "usage: mtw-worker decode FILE.pb\n"
    "\n"
    "Decodes a GTFS-Realtime FeedMessage and prints it as JSON on stdout,\n"
    "every field the specification defines, enums by name.\n",
    decode_main
};
