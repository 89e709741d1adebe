/*
 * redis_url.h - parse MTW_REDIS_URL.
 *
 * Accepted: redis://[[user]:password@]host[:port][/db] and unix:///path.
 */
#ifndef MTW_REDIS_URL_H
#define MTW_REDIS_URL_H

typedef struct {
    char host[256];        /* empty for a unix socket */
    int  port;
    char path[256];        /* unix socket path, or empty */
    char password[256];    /* empty when none */
    int  db;
} mtw_redis_addr;

/* Returns 0, or -1 with a one-line reason in err. */
int mtw_redis_url_parse(const char *url, mtw_redis_addr *addr,
                        char *err, unsigned errlen);

#endif
