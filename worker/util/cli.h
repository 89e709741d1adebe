/*
 * cli.h - subcommand table and option parsing shared by every subcommand.
 *
 * Each subcommand lives in cmd/<name>.c and exports one mtw_command.  Option
 * parsing goes through mtw_cli_next() so that --help, unknown options and
 * missing arguments behave the same everywhere: help on stdout with status 0,
 * a one-line error on stderr with status 2.
 */
#ifndef MTW_CLI_H
#define MTW_CLI_H

#include <getopt.h>

#define MTW_EXIT_OK      0
#define MTW_EXIT_FAILURE 1
#define MTW_EXIT_USAGE   2

/* Returned by mtw_cli_next() when the command must return *status now. */
#define MTW_CLI_STOP     (-2)

typedef struct mtw_command {
    const char *name;
    const char *summary;        /* one line, for `mtw-worker --help` */
    const char *usage;          /* full --help text */
    int (*main)(const struct mtw_command *cmd, int argc, char **argv);
} mtw_command;

/*
 * Next long option of argv (getopt_long semantics, long options only, plus
 * --help/-h).  Returns the option's val, -1 after the last option (optind
 * then indexes the operands), or MTW_CLI_STOP with *status set.
 */
int mtw_cli_next(const mtw_command *cmd, int argc, char **argv,
                 const struct option *opts, int *status);

/* Prints "mtw-worker CMD: <message>" and returns MTW_EXIT_USAGE. */
int mtw_cli_usage_error(const mtw_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a whole decimal number in [min, max]; 0 on success, -1 otherwise. */
int mtw_cli_parse_long(const char *s, long min, long max, long *out);

/* Parses a finite decimal number in [min, max]; 0 on success, -1 otherwise. */
int mtw_cli_parse_double(const char *s, double min, double max, double *out);

#endif
