/*
 * pg.c - PostgreSQL access (see pg.h).
 */
#include "store/pg.h"
#include "util/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_BUF   (512 * 1024)     /* initial buffer */
#define COPY_FLUSH (256 * 1024)     /* send once a row end passes this */

struct mtw_pg_copy {
    PGconn *conn;
    char   *buf;
    size_t  len;
    size_t  cap;
    size_t  row_start;  /* where the current row begins in buf */
    int     col;        /* fields written in the current row */
    int     failed;     /* a flush failed: the reason comes at the end */
};

static void quiet_notices(void *arg, const char *message)
{
    (void) arg;
    (void) message;
}

/* Copies a message into buf as one line (newlines become spaces). */
static void one_line(char *buf, size_t len, const char *msg)
{
    size_t i, n = 0;

    for (i = 0; msg[i] != '\0' && n + 1 < len; i++) {
        char c = msg[i];

        if (c == '\n' || c == '\r' || c == '\t') {
            if (n > 0 && buf[n - 1] == ' ') {
                continue;       /* collapse runs of white space */
            }
            c = ' ';
        }
        buf[n++] = c;
    }
    while (n > 0 && buf[n - 1] == ' ') {
        n--;
    }
    buf[n] = '\0';
}

PGconn *mtw_pg_connect(const char *url, char *err, size_t errlen)
{
    /*
     * Every connection is bounded, so that no call can hold the worker
     * past its lease: 10 s to connect, 60 s a statement (gtfs-load and
     * migrate lift it, see mtw_pg_unbounded), and TCP keepalives that
     * find a dead peer (a failed-over RDS, a dropped NAT entry) within a
     * minute instead of the kernel's two hours.  A URL's own settings
     * come first (expand_dbname expands it in place of dbname).
     */
    static const char *const keys[] = {
        "connect_timeout", "keepalives", "keepalives_idle",
        "keepalives_interval", "keepalives_count",
        "dbname", "client_encoding", "application_name", "options", NULL
    };
    const char *vals[10];
    char msg[512];
    PGconn *conn;

    vals[0] = "10";
    vals[1] = "1";
    vals[2] = "30";
    vals[3] = "10";
    vals[4] = "3";
    vals[5] = url != NULL ? url : "";
    vals[6] = "UTF8";
    vals[7] = "mtw-worker";
    vals[8] = "-c TimeZone=UTC -c client_min_messages=warning "
              "-c statement_timeout=60000 "
              "-c idle_in_transaction_session_timeout=60000";
    vals[9] = NULL;
    /* expand_dbname=1: url may be a URI or a conninfo string */
    conn = PQconnectdbParams(keys, vals, 1);
    if (conn == NULL) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: out of memory");
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        one_line(msg, sizeof(msg), PQerrorMessage(conn));
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", msg);
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeReceiver(conn, NULL, NULL);
    PQsetNoticeProcessor(conn, quiet_notices, NULL);
    return conn;
}

int mtw_pg_unbounded(PGconn *conn, char *err, size_t errlen)
{
    return mtw_pg_exec(conn, "lifting the statement timeout",
                       "SET statement_timeout = 0", err, errlen);
}

void mtw_pg_close(PGconn *conn)
{
    if (conn != NULL) {
        PQfinish(conn);
    }
}

const char *mtw_pg_result_error(const PGresult *res, char *buf, size_t len)
{
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    char tmp[1024];

    if (primary == NULL) {
        primary = PQresultErrorMessage(res);
    }
    if (primary == NULL || *primary == '\0') {
        primary = PQresStatus(PQresultStatus(res));
    }
    if (detail != NULL && *detail != '\0') {
        snprintf(tmp, sizeof(tmp), "%s (%s)", primary, detail);
    } else {
        snprintf(tmp, sizeof(tmp), "%s", primary);
    }
    one_line(buf, len, tmp);
    return buf;
}

static int result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);

    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static void fail_with(PGconn *conn, PGresult *res, const char *what,
                      char *err, size_t errlen)
{
    char msg[768];

    if (res != NULL) {
        mtw_pg_result_error(res, msg, sizeof(msg));
    } else {
        one_line(msg, sizeof(msg), PQerrorMessage(conn));
    }
    snprintf(err, errlen, "%s: %s", what, msg);
}

int mtw_pg_exec(PGconn *conn, const char *what, const char *sql,
                char *err, size_t errlen)
{
    /* sql-vetted: the wrapper itself (mtw_pg_exec): its callers are checked
     * here */
    PGresult *res = PQexec(conn, sql);

    if (res == NULL || !result_ok(res)) {
        fail_with(conn, res, what, err, errlen);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    return 0;
}

PGresult *mtw_pg_query(PGconn *conn, const char *what, const char *sql,
                       int nparams, const char *const *params,
                       char *err, size_t errlen)
{
    /* sql-vetted: the wrapper itself (mtw_pg_query): its callers are
     * checked here */
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL,
                                 NULL, 0);

    if (res == NULL || !result_ok(res)) {
        fail_with(conn, res, what, err, errlen);
        PQclear(res);
        return NULL;
    }
    return res;
}

mtw_pg_copy *mtw_pg_copy_begin(PGconn *conn, const char *sql,
                               char *err, size_t errlen)
{
    /* sql-vetted: the wrapper itself: its callers are checked here */
    PGresult *res = PQexec(conn, sql);
    mtw_pg_copy *cp;

    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        fail_with(conn, res, "COPY", err, errlen);
        PQclear(res);
        return NULL;
    }
    PQclear(res);
    cp = calloc(1, sizeof(*cp));
    if (cp != NULL) {
        cp->cap = COPY_BUF;
        cp->buf = malloc(cp->cap);
    }
    if (cp == NULL || cp->buf == NULL) {
        free(cp);
        PQputCopyEnd(conn, "out of memory");
        while ((res = PQgetResult(conn)) != NULL) {
            PQclear(res);
        }
        snprintf(err, errlen, "COPY: out of memory");
        return NULL;
    }
    cp->conn = conn;
    return cp;
}

static void copy_flush(mtw_pg_copy *cp)
{
    if (cp->len > 0 && !cp->failed
        && PQputCopyData(cp->conn, cp->buf, (int) cp->len) != 1)
    {
        cp->failed = 1;
    }
    cp->len = 0;
    cp->row_start = 0;
}

/*
 * Room for n more bytes plus a separator.  Rows are only sent whole (at
 * their end), so a row can still be cancelled; a long row grows the buffer.
 */
static void copy_reserve(mtw_pg_copy *cp, size_t n)
{
    char *p;
    size_t cap;

    if (cp->len + n + 2 <= cp->cap) {
        return;
    }
    cap = cp->cap;
    while (cap < cp->len + n + 2) {
        cap *= 2;
    }
    p = realloc(cp->buf, cap);
    if (p == NULL) {
        cp->failed = 1;     /* reported as a failed COPY at the end */
        return;
    }
    cp->buf = p;
    cp->cap = cap;
}

static void copy_sep(mtw_pg_copy *cp)
{
    if (cp->col++ > 0) {
        cp->buf[cp->len++] = '\t';
    }
}

void mtw_pg_copy_text(mtw_pg_copy *cp, const char *s, size_t len)
{
    size_t i;
    char *o;

    copy_reserve(cp, 2 * len);
    if (cp->len + 2 * len + 2 > cp->cap) {
        return;
    }
    copy_sep(cp);
    o = cp->buf + cp->len;
    for (i = 0; i < len; i++) {
        char c = s[i];

        switch (c) {
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        default:   *o++ = c;
        }
    }
    cp->len = (size_t) (o - cp->buf);
}

void mtw_pg_copy_raw(mtw_pg_copy *cp, const char *s, size_t len)
{
    copy_reserve(cp, len);
    if (cp->len + len + 2 > cp->cap) {
        return;
    }
    copy_sep(cp);
    memcpy(cp->buf + cp->len, s, len);
    cp->len += len;
}

void mtw_pg_copy_long(mtw_pg_copy *cp, long v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    unsigned long u = v < 0 ? 0UL - (unsigned long) v : (unsigned long) v;

    do {
        *--p = (char) ('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) {
        *--p = '-';
    }
    mtw_pg_copy_raw(cp, p, (size_t) (tmp + sizeof(tmp) - p));
}

void mtw_pg_copy_null(mtw_pg_copy *cp)
{
    mtw_pg_copy_raw(cp, "\\N", 2);
}

int mtw_pg_copy_row_end(mtw_pg_copy *cp)
{
    copy_reserve(cp, 1);
    if (cp->len + 1 <= cp->cap) {
        cp->buf[cp->len++] = '\n';
    }
    cp->col = 0;
    if (cp->len >= COPY_FLUSH) {
        copy_flush(cp);
    }
    cp->row_start = cp->len;
    return cp->failed ? -1 : 0;
}

void mtw_pg_copy_row_cancel(mtw_pg_copy *cp)
{
    cp->len = cp->row_start;
    cp->col = 0;
}

int mtw_pg_copy_end(mtw_pg_copy *cp, long *rows, char *err, size_t errlen)
{
    PGconn *conn = cp->conn;
    PGresult *res, *bad = NULL;
    int rc = 0;

    copy_flush(cp);
    if (PQputCopyEnd(conn, NULL) != 1) {
        cp->failed = 1;
    }
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) == PGRES_COMMAND_OK && bad == NULL) {
            if (rows != NULL) {
                *rows = atol(PQcmdTuples(res));
            }
            PQclear(res);
        } else if (bad == NULL) {
            bad = res;
        } else {
            PQclear(res);
        }
    }
    if (bad != NULL) {
        fail_with(conn, bad, "COPY", err, errlen);
        PQclear(bad);
        rc = -1;
    } else if (cp->failed) {
        fail_with(conn, NULL, "COPY", err, errlen);
        rc = -1;
    }
    free(cp->buf);
    free(cp);
    return rc;
}

void mtw_pg_copy_abort(mtw_pg_copy *cp)
{
    PGresult *res;

    if (cp == NULL) {
        return;
    }
    PQputCopyEnd(cp->conn, "import aborted");
    while ((res = PQgetResult(cp->conn)) != NULL) {
        PQclear(res);
    }
    free(cp->buf);
    free(cp);
}

/* ---- binary COPY TO STDOUT ------------------------------------------- */

/* "PGCOPY\n\377\r\n\0": the binary format's signature */
static const char copy_signature[11] = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'
};

/* microseconds of a timestamptz count from 2000-01-01 00:00:00 UTC */
#define PG_EPOCH_OFFSET 946684800

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

int mtw_pg_int2(const mtw_pg_field *f)
{
    const unsigned char *p = (const unsigned char *) f->data;

    return (int16_t) (p[0] << 8 | p[1]);
}

int32_t mtw_pg_int4(const mtw_pg_field *f)
{
    return (int32_t) be32((const unsigned char *) f->data);
}

int64_t mtw_pg_int8(const mtw_pg_field *f)
{
    const unsigned char *p = (const unsigned char *) f->data;

    return (int64_t) ((uint64_t) be32(p) << 32 | be32(p + 4));
}

int64_t mtw_pg_epoch(const mtw_pg_field *f)
{
    int64_t us = mtw_pg_int8(f);
    int64_t s = us / 1000000;

    if (us % 1000000 < 0) {
        s--;
    }
    return s + PG_EPOCH_OFFSET;
}

/* the reader's state over the messages of one COPY */
typedef struct {
    mtw_pg_row_fn fn;
    void *arg;
    int header_seen, ended, stopped;
    long rows;
    mtw_pg_field *fields;
    size_t cap_fields;
    char *scratch;              /* the row's fields, NUL-terminated */
    size_t cap_scratch;
} copy_reader;

/* the tuples in one CopyData message (the first also holds the header,
 * the last is the trailer); 0, or -1 malformed or out of memory */
static int copy_read_message(copy_reader *cr, const unsigned char *p,
                             size_t len)
{
    size_t at = 0, used;
    uint32_t ext, flen;
    int n, i;

    if (!cr->header_seen) {
        if (len < 19 || memcmp(p, copy_signature, 11) != 0) {
            return -1;
        }
        ext = be32(p + 15);
        if (ext > len - 19) {
            return -1;
        }
        at = 19 + ext;
        cr->header_seen = 1;
    }
    while (at < len && !cr->ended && !cr->stopped) {
        if (len - at < 2) {
            return -1;
        }
        n = (int16_t) (p[at] << 8 | p[at + 1]);
        at += 2;
        if (n == -1) {
            cr->ended = 1;
            break;
        }
        /* the copies with their NULs fit in the message's size plus one
         * byte a field */
        if (n < 0
            || mtw_grow((void **) &cr->fields, &cr->cap_fields, (size_t) n,
                        sizeof(*cr->fields)) != 0
            || mtw_grow((void **) &cr->scratch, &cr->cap_scratch,
                        len + (size_t) n, 1) != 0)
        {
            return -1;
        }
        for (i = 0, used = 0; i < n; i++) {
            if (len - at < 4) {
                return -1;
            }
            flen = be32(p + at);
            at += 4;
            if (flen == 0xffffffff) {
                cr->fields[i].data = NULL;
                cr->fields[i].len = -1;
                continue;
            }
            if (flen > len - at) {
                return -1;
            }
            memcpy(cr->scratch + used, p + at, flen);
            cr->scratch[used + flen] = '\0';
            cr->fields[i].data = cr->scratch + used;
            cr->fields[i].len = (int) flen;
            used += flen + 1;
            at += flen;
        }
        if (cr->fn(cr->arg, cr->fields, n) != 0) {
            cr->stopped = 1;
            break;
        }
        cr->rows++;
    }
    return 0;
}

long mtw_pg_copy_out(PGconn *conn, const char *what, const char *sql,
                     mtw_pg_row_fn fn, void *arg, char *err, size_t errlen)
{
    copy_reader cr;
    PGresult *res, *bad = NULL;
    char *buf;
    int len, broken = 0;

    memset(&cr, 0, sizeof(cr));
    cr.fn = fn;
    cr.arg = arg;
    /* sql-vetted: the wrapper itself (mtw_pg_copy_out): its callers are
     * checked here */
    res = PQexec(conn, sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT) {
        fail_with(conn, res, what, err, errlen);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    /* every message is read, also after a stop, so that the connection
     * is left ready for the next statement */
    while ((len = PQgetCopyData(conn, &buf, 0)) >= 0) {
        if (!broken && !cr.stopped
            && copy_read_message(&cr, (unsigned char *) buf,
                                 (size_t) len) != 0)
        {
            broken = 1;
        }
        PQfreemem(buf);
    }
    if (len == -2) {
        fail_with(conn, NULL, what, err, errlen);
        broken = -1;
    }
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && bad == NULL) {
            bad = res;
        } else {
            PQclear(res);
        }
    }
    free(cr.fields);
    free(cr.scratch);
    if (bad != NULL) {
        fail_with(conn, bad, what, err, errlen);
        PQclear(bad);
        return -1;
    }
    if (broken < 0) {
        return -1;
    }
    if (cr.stopped) {
        snprintf(err, errlen, "%s: stopped", what);
        return -1;
    }
    if (broken || !cr.ended) {
        snprintf(err, errlen, "%s: the server's binary COPY could not be "
                 "read (malformed, or out of memory)", what);
        return -1;
    }
    return cr.rows;
}
