/*
 * redis_url.h - parse MTW_REDIS_URL.
 *
 * Accepted: redis://[[user]:password@]host[:port][/db], the same with
 * rediss:// (TLS), and unix:///path.  The secrets and TLS settings that do
 * not belong in a URL come from the environment (mtw_redis_addr_make).
 */
#ifndef MTW_REDIS_URL_H
#define MTW_REDIS_URL_H

#include "config.h"

typedef struct {
    char host[256];        /* empty for a unix socket */
    int  port;
    char path[256];        /* unix socket path, or empty */
    char user[128];        /* ACL user for AUTH, empty: the default */
    char password[256];    /* empty when none */
    int  db;
    int  tls;              /* rediss:// */
    char tls_name[256];    /* name the certificate must carry (host) */
    char ca_file[256];     /* trusted CAs, empty: the system's */
} mtw_redis_addr;


/* Returns 0, or -1 with a one-line reason in err. */
int mtw_redis_url_parse(const char *url, mtw_redis_addr *addr,
                        char *err, unsigned errlen);

/*
 * The worker's Redis: cfg's MTW_REDIS_URL, then what the environment adds
 * to it (MTW_REDIS_USER, MTW_REDIS_PASSWORD, MTW_REDIS_TLS_NAME,
 * MTW_REDIS_CA_FILE).  Returns 0, or -1 with a reason in err.
 */
int mtw_redis_addr_make(const mtw_config *cfg, mtw_redis_addr *addr,
                        char *err, unsigned errlen);

#endif
