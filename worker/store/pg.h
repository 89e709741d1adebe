/*
 * pg.h - PostgreSQL access for the worker: connections, statements with
 * parameters, one-line error texts, and a buffered COPY ... FROM STDIN
 * writer (text format) for bulk loads.
 *
 * A binary COPY ... TO STDOUT reader streams large reads (the daily
 * aggregate's day of arrivals) row by row instead of holding a PGresult.
 *
 * Everything is synchronous: the worker's PostgreSQL work (imports,
 * migrations, history writes) runs outside any latency-sensitive path.
 * SQL text is never built from input: values go as parameters; the only
 * formatted SQL uses integers the worker itself produced.
 */
#ifndef MTW_STORE_PG_H
#define MTW_STORE_PG_H

#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

/*
 * Connects to url (a libpq URI or conninfo; NULL or "" = libpq's defaults)
 * with client_encoding UTF8 and time zone UTC, and notices silenced below
 * WARNING.  NULL with a one-line reason in err.
 */
PGconn *mtw_pg_connect(const char *url, char *err, size_t errlen);

/* Lifts the connection's statement timeout (60 s) for the operator
 * commands whose statements are long by nature (gtfs-load, migrate).
 * 0 or -1 with err. */
int mtw_pg_unbounded(PGconn *conn, char *err, size_t errlen);
void mtw_pg_close(PGconn *conn);

/*
 * Runs sql (one or more statements, no parameters).  0, or -1 with
 * "what: message (detail)" in err.
 */
int mtw_pg_exec(PGconn *conn, const char *what, const char *sql,
                char *err, size_t errlen);

/*
 * Runs one statement with text parameters (NULL entries are SQL NULL).
 * Returns the result (command or tuples OK; PQclear it), or NULL with
 * "what: message" in err.
 */
PGresult *mtw_pg_query(PGconn *conn, const char *what, const char *sql,
                       int nparams, const char *const *params,
                       char *err, size_t errlen);

/* "message (detail)" of a failed result as one line, into buf. */
const char *mtw_pg_result_error(const PGresult *res, char *buf, size_t len);

/* Buffered COPY ... FROM STDIN in text format. */
typedef struct mtw_pg_copy mtw_pg_copy;

/* Sends the COPY statement; NULL with a reason in err. */
mtw_pg_copy *mtw_pg_copy_begin(PGconn *conn, const char *sql,
                               char *err, size_t errlen);

/* Appends one field of the current row (escaped for COPY text format). */
void mtw_pg_copy_text(mtw_pg_copy *cp, const char *s, size_t len);
/* Appends a field known to need no escaping (numbers). */
void mtw_pg_copy_raw(mtw_pg_copy *cp, const char *s, size_t len);
void mtw_pg_copy_long(mtw_pg_copy *cp, long v);
void mtw_pg_copy_null(mtw_pg_copy *cp);

/*
 * Ends the current row; sends the buffer once it is large.  -1 when an
 * earlier send failed (the reason comes from mtw_pg_copy_end()).
 */
int mtw_pg_copy_row_end(mtw_pg_copy *cp);

/* Drops the fields written so far for the current row. */
void mtw_pg_copy_row_cancel(mtw_pg_copy *cp);

/*
 * Finishes the COPY: 0 with *rows set to the server's row count, or -1 with
 * the server's reason in err (also when an earlier flush failed).  Frees cp.
 */
int mtw_pg_copy_end(mtw_pg_copy *cp, long *rows, char *err, size_t errlen);

/* Aborts a COPY (the transaction then fails) and frees cp. */
void mtw_pg_copy_abort(mtw_pg_copy *cp);

/* One field of a binary COPY row: its bytes, NUL-terminated (a text
 * field reads as a C string), len -1 for NULL. */
typedef struct {
    const char *data;
    int len;
} mtw_pg_field;

/* Called for each row; 0 to go on, -1 to stop (the rest is drained). */
typedef int (*mtw_pg_row_fn)(void *arg, const mtw_pg_field *fields,
                             int nfields);

/*
 * Runs sql, a COPY (...) TO STDOUT (FORMAT binary) (COPY takes no
 * parameters), and hands each row to fn, in the server's order.  Returns
 * the rows read, or -1 with "what: message" in err (also when fn stopped:
 * "what: stopped").
 */
long mtw_pg_copy_out(PGconn *conn, const char *what, const char *sql,
                     mtw_pg_row_fn fn, void *arg, char *err, size_t errlen);

/* Binary values of non-NULL fields: int2, int4, int8 (network order), and
 * timestamptz as unix seconds (floor). */
int mtw_pg_int2(const mtw_pg_field *f);
int32_t mtw_pg_int4(const mtw_pg_field *f);
int64_t mtw_pg_int8(const mtw_pg_field *f);
int64_t mtw_pg_epoch(const mtw_pg_field *f);

#endif
