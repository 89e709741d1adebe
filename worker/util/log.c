/*
 * log.c - one line per event on stderr, text or JSON lines.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* Process configuration, set once by mtw_log_init() before any thread. */
static mtw_log_level log_min_level = MTW_LOG_INFO;
static int log_json;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void mtw_log_init(void)
{
    const char *level = getenv("MTW_LOG_LEVEL");
    const char *format = getenv("MTW_LOG_FORMAT");
    int i;

    if (level != NULL) {
        for (i = 0; i < 4; i++) {
            if (strcmp(level, level_names[i]) == 0) {
                log_min_level = (mtw_log_level) i;
            }
        }
    }
    log_json = format != NULL && strcmp(format, "json") == 0;
}

/* Writes s as the inside of a JSON string. */
static void log_json_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;

        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
}

void mtw_log(mtw_log_level level, const char *fmt, ...)
{
    char msg[2048];
    char stamp[32];
    struct timeval tv;
    struct tm tm;
    va_list ap;

    if (level < log_min_level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

    if (log_json) {
        fprintf(stderr, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":\"",
                stamp, (long) tv.tv_usec / 1000, level_names[level]);
        log_json_escaped(stderr, msg);
        fputs("\"}\n", stderr);
    } else {
        fprintf(stderr, "%s.%03ldZ %-5s %s\n", stamp,
                (long) tv.tv_usec / 1000, level_names[level], msg);
    }
}
