/*
 * cli.c - option parsing shared by the subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mtw_cli_usage_error(const mtw_command *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "mtw-worker %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'mtw-worker %s --help')\n", cmd->name);
    return MTW_EXIT_USAGE;
}

int mtw_cli_next(const mtw_command *cmd, int argc, char **argv,
                 const struct option *opts, int *status)
{
    struct option all[32];
    size_t n = 0;
    int c;

    for (; opts != NULL && opts[n].name != NULL && n < 30; n++) {
        all[n] = opts[n];
    }
    all[n++] = (struct option) { "help", no_argument, NULL, 'h' };
    all[n] = (struct option) { NULL, 0, NULL, 0 };

    opterr = 0;
    /* ":" first so a missing argument is told apart from an unknown flag */
    c = getopt_long(argc, argv, ":h", all, NULL);

    switch (c) {
    case 'h':
        fputs(cmd->usage, stdout);
        *status = MTW_EXIT_OK;
        return MTW_CLI_STOP;
    case '?':
        if (optopt != 0) {
            *status = mtw_cli_usage_error(cmd, "unknown option '-%c'", optopt);
        } else {
            *status = mtw_cli_usage_error(cmd, "unknown option '%s'",
                                          argv[optind - 1]);
        }
        return MTW_CLI_STOP;
    case ':':
        *status = mtw_cli_usage_error(cmd, "option '%s' needs a value",
                                      argv[optind - 1]);
        return MTW_CLI_STOP;
    default:
        return c;
    }
}

int mtw_cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0') {
        return -1;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int mtw_cli_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    if (s == NULL || *s == '\0') {
        return -1;
    }
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}
