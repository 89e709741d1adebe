/*
 * log.h - the worker's one logging function.
 *
 * One line per event on stderr: plain text on a terminal, JSON lines when
 * MTW_LOG_FORMAT=json (production), so CloudWatch can parse them.
 */
#ifndef MTW_LOG_H
#define MTW_LOG_H

typedef enum {
    MTW_LOG_DEBUG = 0,
    MTW_LOG_INFO,
    MTW_LOG_WARN,
    MTW_LOG_ERROR
} mtw_log_level;

/* Reads MTW_LOG_LEVEL and MTW_LOG_FORMAT; call once at start-up. */
void mtw_log_init(void);

void mtw_log(mtw_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define mtw_debug(...) mtw_log(MTW_LOG_DEBUG, __VA_ARGS__)
#define mtw_info(...)  mtw_log(MTW_LOG_INFO, __VA_ARGS__)
#define mtw_warn(...)  mtw_log(MTW_LOG_WARN, __VA_ARGS__)
#define mtw_error(...) mtw_log(MTW_LOG_ERROR, __VA_ARGS__)

#endif
