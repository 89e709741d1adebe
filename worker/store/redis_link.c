/*
 * redis_link.c - the worker's Redis socket: TCP or unix, optionally TLS,
 * with hiredis formatting the commands and reading the replies.
 *
 * Every blocking step is bounded: connect by poll(), reads and writes
 * (TLS handshake included) by SO_RCVTIMEO / SO_SNDTIMEO on the socket.
 */
#include "store/redis_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LINK_READ_CHUNK 16384

static void link_fail(mtw_redis_link *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void link_fail(mtw_redis_link *l, const char *fmt, ...)
{
    va_list ap;

    if (l->err) {
        return;                 /* keep the first reason */
    }
    l->err = REDIS_ERR_IO;
    va_start(ap, fmt);
    vsnprintf(l->errstr, sizeof(l->errstr), fmt, ap);
    va_end(ap);
}

/* errno of a failed read or write, in words; a timeout says so */
static const char *io_reason(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK ? "timed out" : strerror(e);
}

static int set_timeouts(int fd, int timeout_ms)
{
    struct timeval tv;

    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0
           && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0
           ? 0 : -1;
}

/* connect(2) with a deadline; the socket is blocking again on success */
static int connect_bounded(int fd, const struct sockaddr *sa, socklen_t len,
                           int timeout_ms)
{
    struct pollfd pfd;
    int flags, rc, soerr = 0;
    socklen_t sl = sizeof(soerr);

    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        return -1;
    }
    rc = connect(fd, sa, len);
    if (rc != 0 && errno == EINPROGRESS) {
        pfd.fd = fd;
        pfd.events = POLLOUT;
        do {
            rc = poll(&pfd, 1, timeout_ms);
        } while (rc < 0 && errno == EINTR);
        if (rc == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
            return -1;
        }
        if (soerr != 0) {
            errno = soerr;
            return -1;
        }
        rc = 0;
    }
    if (rc != 0) {
        return -1;
    }
    return fcntl(fd, F_SETFL, flags);
}

static int open_socket(mtw_redis_link *l, const mtw_redis_addr *a,
                       int timeout_ms)
{
    struct addrinfo hints, *res, *ai;
    struct sockaddr_un sun;
    char port[8];
    int fd = -1, rc, one = 1, saved = 0;

    if (a->path[0]) {
        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        if (strlen(a->path) >= sizeof(sun.sun_path)) {
            link_fail(l, "unix socket path longer than %zu bytes",
                      sizeof(sun.sun_path) - 1);
            return -1;
        }
        memcpy(sun.sun_path, a->path, strlen(a->path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect_bounded(fd, (struct sockaddr *) &sun,
                                      sizeof(sun), timeout_ms) != 0)
        {
            link_fail(l, "connect to %s: %s", a->path, strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            return -1;
        }
    } else {
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        snprintf(port, sizeof(port), "%d", a->port);
        rc = getaddrinfo(a->host, port, &hints, &res);
        if (rc != 0) {
            link_fail(l, "cannot resolve %s: %s", a->host, gai_strerror(rc));
            return -1;
        }
        for (ai = res; ai != NULL; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                        ai->ai_protocol);
            if (fd < 0) {
                saved = errno;
                continue;
            }
            if (connect_bounded(fd, ai->ai_addr, ai->ai_addrlen,
                                timeout_ms) == 0)
            {
                break;
            }
            saved = errno;
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) {
            link_fail(l, "connect to %s:%d: %s", a->host, a->port,
                      strerror(saved));
            return -1;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    l->fd = fd;
    if (set_timeouts(fd, timeout_ms) != 0) {
        link_fail(l, "socket timeouts: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* the first queued OpenSSL error, or what the socket said */
static const char *tls_reason(char *buf, size_t len)
{
    unsigned long e = ERR_get_error();

    if (e != 0) {
        ERR_error_string_n(e, buf, len);
        return buf;
    }
    if (errno != 0) {
        return io_reason(errno);
    }
    return "connection closed";
}

static int start_tls(mtw_redis_link *l, const mtw_redis_addr *a)
{
    const char *name = a->tls_name[0] ? a->tls_name : a->host;
    unsigned char ip[16];
    X509_VERIFY_PARAM *vp;
    SSL_CTX *ctx;
    SSL *ssl;
    long verify;
    char why[256];
    int is_ip;

    ERR_clear_error();
    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        link_fail(l, "TLS: cannot create a context");
        return -1;
    }
    l->ssl_ctx = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (a->ca_file[0]
        ? SSL_CTX_load_verify_locations(ctx, a->ca_file, NULL) != 1
        : SSL_CTX_set_default_verify_paths(ctx) != 1)
    {
        link_fail(l, "TLS: cannot read the CA file %s (MTW_REDIS_CA_FILE)",
                  a->ca_file[0] ? a->ca_file : "(system default)");
        return -1;
    }
    ssl = SSL_new(ctx);
    if (ssl == NULL || SSL_set_fd(ssl, l->fd) != 1) {
        SSL_free(ssl);
        link_fail(l, "TLS: cannot create a session");
        return -1;
    }
    l->ssl = ssl;

    /* the certificate must name the server we meant to reach */
    is_ip = inet_pton(AF_INET, name, ip) == 1
            || inet_pton(AF_INET6, name, ip) == 1;
    vp = SSL_get0_param(ssl);
    if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, name) != 1
              : (SSL_set_tlsext_host_name(ssl, name) != 1
                 || X509_VERIFY_PARAM_set1_host(vp, name, 0) != 1))
    {
        link_fail(l, "TLS: cannot check the server name '%s'", name);
        return -1;
    }

    errno = 0;
    if (SSL_connect(ssl) != 1) {
        verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
            link_fail(l, "TLS: certificate of %s not trusted: %s", name,
                      X509_verify_cert_error_string(verify));
        } else {
            link_fail(l, "TLS handshake with %s failed: %s", name,
                      tls_reason(why, sizeof(why)));
        }
        return -1;
    }
    return 0;
}

/* AUTH and SELECT: the reply must not be an error */
static int link_setup(mtw_redis_link *l, const char *what, int argc,
                      const char **argv)
{
    redisReply *r = mtw_redis_command_argv(l, argc, argv, NULL);

    if (r == NULL) {
        return -1;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        /* the server's words, never the arguments (AUTH's password) */
        link_fail(l, "%s refused: %.100s", what, r->str);
        freeReplyObject(r);
        return -1;
    }
    freeReplyObject(r);
    return 0;
}

mtw_redis_link *mtw_redis_link_open(const mtw_redis_addr *addr,
                                    int timeout_ms, char *err, size_t errlen)
{
    mtw_redis_link *l;
    const char *argv[3];
    char db[16];
    int argc;

    l = calloc(1, sizeof(*l));
    if (l == NULL || (l->reader = redisReaderCreate()) == NULL) {
        snprintf(err, errlen, "out of memory");
        free(l);
        return NULL;
    }
    l->fd = -1;
    if (open_socket(l, addr, timeout_ms) != 0
        || (addr->tls && start_tls(l, addr) != 0))
    {
        goto failed;
    }
    if (addr->password[0]) {
        argc = 0;
        argv[argc++] = "AUTH";
        if (addr->user[0]) {
            argv[argc++] = addr->user;
        }
        argv[argc++] = addr->password;
        if (link_setup(l, "AUTH", argc, argv) != 0) {
            goto failed;
        }
    }
    if (addr->db != 0) {
        snprintf(db, sizeof(db), "%d", addr->db);
        argv[0] = "SELECT";
        argv[1] = db;
        if (link_setup(l, "SELECT", 2, argv) != 0) {
            goto failed;
        }
    }
    return l;

failed:
    snprintf(err, errlen, "%s", l->errstr);
    mtw_redis_link_free(l);
    return NULL;
}

void mtw_redis_link_free(mtw_redis_link *l)
{
    if (l == NULL) {
        return;
    }
    if (l->ssl != NULL) {
        if (!l->err) {
            SSL_shutdown(l->ssl);       /* close_notify, best effort */
        }
        SSL_free(l->ssl);
    }
    SSL_CTX_free(l->ssl_ctx);
    if (l->fd >= 0) {
        close(l->fd);
    }
    if (l->reader != NULL) {
        redisReaderFree(l->reader);
    }
    free(l->obuf);
    free(l);
}

/* room for len more bytes in the output buffer */
static int obuf_reserve(mtw_redis_link *l, size_t len)
{
    size_t cap;
    char *p;

    if (l->olen + len > l->ocap) {
        cap = l->ocap ? l->ocap : 4096;
        while (cap < l->olen + len) {
            cap *= 2;
        }
        p = realloc(l->obuf, cap);
        if (p == NULL) {
            link_fail(l, "out of memory");
            return REDIS_ERR;
        }
        l->obuf = p;
        l->ocap = cap;
    }
    return REDIS_OK;
}

static int obuf_add(mtw_redis_link *l, const char *cmd, int len)
{
    if (len < 0) {
        link_fail(l, "cannot format a command");
        return REDIS_ERR;
    }
    if (obuf_reserve(l, (size_t) len) != REDIS_OK) {
        return REDIS_ERR;
    }
    memcpy(l->obuf + l->olen, cmd, (size_t) len);
    l->olen += (size_t) len;
    return REDIS_OK;
}

static int link_vappend(mtw_redis_link *l, const char *fmt, va_list ap)
{
    char *cmd = NULL;
    int len, rc;

    if (l->err) {
        return REDIS_ERR;
    }
    len = redisvFormatCommand(&cmd, fmt, ap);
    rc = obuf_add(l, cmd, len);
    free(cmd);
    return rc;
}

int mtw_redis_append(mtw_redis_link *l, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = link_vappend(l, fmt, ap);
    va_end(ap);
    return rc;
}

/* Bytes of a value at or above which they are written from the caller's
 * memory instead of being copied into the output buffer. */
#define LINK_DIRECT_BYTES (64 * 1024)

static int link_send(mtw_redis_link *l, const char *data, size_t len);

/* n bytes of an argument: copied behind the queued commands, or, when
 * large, written at once after them */
static int link_put(mtw_redis_link *l, const char *data, size_t len)
{
    if (len >= LINK_DIRECT_BYTES) {
        return mtw_redis_flush(l) == REDIS_OK ? link_send(l, data, len)
                                              : REDIS_ERR;
    }
    if (obuf_reserve(l, len) != REDIS_OK) {
        return REDIS_ERR;
    }
    memcpy(l->obuf + l->olen, data, len);
    l->olen += len;
    return REDIS_OK;
}

/* the "$len" CRLF of a bulk string, or its closing CRLF (len < 0) */
static int link_put_frame(mtw_redis_link *l, char kind, long long len)
{
    char head[32];
    int n = len >= 0 ? snprintf(head, sizeof(head), "%c%lld\r\n", kind, len)
                     : snprintf(head, sizeof(head), "\r\n");

    return link_put(l, head, (size_t) n);
}

/*
 * The command in the protocol's multi-bulk form (*argc, then $len and the
 * bytes of each argument), written straight into the output buffer: a
 * tick queues tens of megabytes of documents, which hiredis'
 * redisFormatCommandArgv would first copy into a buffer of its own.  A
 * large argument is not copied at all: the queued commands are written,
 * then it, from the caller's memory.
 */
int mtw_redis_append_argv(mtw_redis_link *l, int argc, const char **argv,
                          const size_t *argvlen)
{
    return mtw_redis_append_argv_parts(l, argc, argv, argvlen, 0, NULL,
                                       NULL);
}

int mtw_redis_append_argv_parts(mtw_redis_link *l, int argc,
                                const char **argv, const size_t *argvlen,
                                int nparts, const char **part,
                                const size_t *partlen)
{
    size_t len, total = 0;
    int i;

    if (l->err) {
        return REDIS_ERR;
    }
    if (link_put_frame(l, '*', argc + (nparts > 0)) != REDIS_OK) {
        return REDIS_ERR;
    }
    for (i = 0; i < argc; i++) {
        len = argvlen != NULL ? argvlen[i] : strlen(argv[i]);
        if (link_put_frame(l, '$', (long long) len) != REDIS_OK
            || link_put(l, argv[i], len) != REDIS_OK
            || link_put_frame(l, 0, -1) != REDIS_OK)
        {
            return REDIS_ERR;
        }
    }
    if (nparts == 0) {
        return REDIS_OK;
    }
    for (i = 0; i < nparts; i++) {
        total += partlen[i];
    }
    if (link_put_frame(l, '$', (long long) total) != REDIS_OK) {
        return REDIS_ERR;
    }
    for (i = 0; i < nparts; i++) {
        if (link_put(l, part[i], partlen[i]) != REDIS_OK) {
            return REDIS_ERR;
        }
    }
    return link_put_frame(l, 0, -1);
}

static int link_send(mtw_redis_link *l, const char *data, size_t len)
{
    size_t off = 0;
    ssize_t n;
    char why[256];

    while (off < len) {
        errno = 0;
        ERR_clear_error();
        n = l->ssl != NULL
            ? SSL_write(l->ssl, data + off, (int) (len - off))
            : send(l->fd, data + off, len - off, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && l->ssl == NULL && errno == EINTR) {
                continue;
            }
            link_fail(l, "write to Redis: %s", l->ssl != NULL
                      ? tls_reason(why, sizeof(why)) : io_reason(errno));
            return REDIS_ERR;
        }
        off += (size_t) n;
    }
    return REDIS_OK;
}

int mtw_redis_flush(mtw_redis_link *l)
{
    if (l->err) {
        return REDIS_ERR;
    }
    if (l->olen > 0 && link_send(l, l->obuf, l->olen) != REDIS_OK) {
        return REDIS_ERR;
    }
    l->olen = 0;
    return REDIS_OK;
}

static int link_fill(mtw_redis_link *l)
{
    char buf[LINK_READ_CHUNK], why[256];
    ssize_t n;

    do {
        errno = 0;
        ERR_clear_error();
        n = l->ssl != NULL ? SSL_read(l->ssl, buf, sizeof(buf))
                           : recv(l->fd, buf, sizeof(buf), 0);
    } while (n < 0 && l->ssl == NULL && errno == EINTR);
    if (n == 0 && l->ssl == NULL) {
        link_fail(l, "connection closed by Redis");
        return REDIS_ERR;
    }
    if (n <= 0) {
        link_fail(l, "read from Redis: %s", l->ssl != NULL
                  ? tls_reason(why, sizeof(why)) : io_reason(errno));
        return REDIS_ERR;
    }
    if (redisReaderFeed(l->reader, buf, (size_t) n) != REDIS_OK) {
        link_fail(l, "out of memory");
        return REDIS_ERR;
    }
    return REDIS_OK;
}

static int link_take(mtw_redis_link *l, void **reply)
{
    if (redisReaderGetReply(l->reader, reply) != REDIS_OK) {
        link_fail(l, "protocol error: %s", l->reader->errstr);
        *reply = NULL;
        return REDIS_ERR;
    }
    return REDIS_OK;
}

int mtw_redis_reply(mtw_redis_link *l, void **reply)
{
    *reply = NULL;
    if (l->err || link_take(l, reply) != REDIS_OK) {
        return REDIS_ERR;
    }
    if (*reply != NULL) {
        return REDIS_OK;
    }
    if (mtw_redis_flush(l) != REDIS_OK) {
        return REDIS_ERR;
    }
    while (*reply == NULL) {
        if (link_fill(l) != REDIS_OK || link_take(l, reply) != REDIS_OK) {
            return REDIS_ERR;
        }
    }
    return REDIS_OK;
}

void *mtw_redis_command(mtw_redis_link *l, const char *fmt, ...)
{
    va_list ap;
    void *reply;
    int rc;

    va_start(ap, fmt);
    rc = link_vappend(l, fmt, ap);
    va_end(ap);
    if (rc != REDIS_OK || mtw_redis_reply(l, &reply) != REDIS_OK) {
        return NULL;
    }
    return reply;
}

void *mtw_redis_command_argv(mtw_redis_link *l, int argc, const char **argv,
                             const size_t *argvlen)
{
    void *reply;

    if (mtw_redis_append_argv(l, argc, argv, argvlen) != REDIS_OK
        || mtw_redis_reply(l, &reply) != REDIS_OK)
    {
        return NULL;
    }
    return reply;
}
