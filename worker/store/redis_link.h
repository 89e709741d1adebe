/*
 * redis_link.h - one blocking Redis connection, in clear or over TLS.
 *
 * hiredis (Debian's 0.14) has no TLS, so the worker does the socket and
 * TLS (OpenSSL) itself and keeps hiredis for what it is good at: formatting
 * commands and reading RESP replies.  The calls mirror hiredis' blocking
 * API (append, get reply, command) so the jobs read as before; a link
 * that failed keeps err set and is only good for mtw_redis_link_free().
 */
#ifndef MTW_REDIS_LINK_H
#define MTW_REDIS_LINK_H

#include "store/redis_url.h"

#include <hiredis.h>
#include <stddef.h>

typedef struct mtw_redis_link mtw_redis_link;

struct mtw_redis_link {
    int          err;           /* 0, or set after the first failure */
    char         errstr[160];   /* why, without any secret */
    int          fd;
    void        *ssl;           /* SSL *, NULL in clear */
    void        *ssl_ctx;       /* SSL_CTX * */
    redisReader *reader;
    char        *obuf;          /* formatted commands not yet written */
    size_t       olen;
    size_t       ocap;
};

/*
 * Connects to addr (TCP or unix socket), does the TLS handshake and checks
 * the server's certificate and name when addr->tls, then AUTH and SELECT;
 * every step bounded by timeout_ms.  Returns the link, or NULL with a
 * one-line reason in err (never the password).
 */
mtw_redis_link *mtw_redis_link_open(const mtw_redis_addr *addr,
                                    int timeout_ms, char *err, size_t errlen);
void mtw_redis_link_free(mtw_redis_link *l);

/* Queue a command (hiredis' format, or argv; argvlen NULL: C strings). */
int mtw_redis_append(mtw_redis_link *l, const char *fmt, ...);
int mtw_redis_append_argv(mtw_redis_link *l, int argc, const char **argv,
                          const size_t *argvlen);
/* The same with one more, last argument: the nparts pieces one after
 * another (a value sent from where its parts are, without gathering them).
 * An argument of 64 KiB or more is written at once, from the caller's
 * memory: REDIS_ERR then also means the write failed (l->err set). */
int mtw_redis_append_argv_parts(mtw_redis_link *l, int argc,
                                const char **argv, const size_t *argvlen,
                                int nparts, const char **part,
                                const size_t *partlen);

/* Writes the queued commands now (a long pipeline need not wait for its
 * first reply to leave).  REDIS_OK, or REDIS_ERR with l->err set. */
int mtw_redis_flush(mtw_redis_link *l);

/*
 * The next reply: writes what is queued, then reads until one is whole.
 * REDIS_OK with *reply set (caller frees), or REDIS_ERR with l->err set.
 */
int mtw_redis_reply(mtw_redis_link *l, void **reply);

/* append + reply: the reply, or NULL with l->err set. */
void *mtw_redis_command(mtw_redis_link *l, const char *fmt, ...);
void *mtw_redis_command_argv(mtw_redis_link *l, int argc, const char **argv,
                             const size_t *argvlen);

#endif
