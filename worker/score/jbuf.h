/*
 * jbuf.h - a small streaming JSON writer for the published documents.
 *
 * The worker publishes thousands of documents per tick (one per stop with
 * an upcoming vehicle); building them as jansson trees cost several times
 * the tick budget at ×20 scale, so documents are written straight into a
 * growing buffer.  Commas are placed automatically; strings are escaped
 * and invalid UTF-8 is replaced by U+FFFD, so the output is always valid
 * JSON.  Doubles are written with the given decimals, NaN/Inf as null.
 * The unit tests parse every builder's output back with jansson.
 */
#ifndef MTW_SCORE_JBUF_H
#define MTW_SCORE_JBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int need_comma;   /* the next value at this level needs a comma */
    int failed;       /* out of memory: the document is unusable */
} mtw_jbuf;

void mtw_jbuf_init(mtw_jbuf *w);
void mtw_jbuf_reset(mtw_jbuf *w);   /* empty, keeps the buffer */
void mtw_jbuf_free(mtw_jbuf *w);

void mtw_jw_obj(mtw_jbuf *w);        /* { */
void mtw_jw_obj_end(mtw_jbuf *w);    /* } */
void mtw_jw_arr(mtw_jbuf *w);        /* [ */
void mtw_jw_arr_end(mtw_jbuf *w);    /* ] */
void mtw_jw_key(mtw_jbuf *w, const char *key);   /* a plain ASCII literal */

void mtw_jw_str(mtw_jbuf *w, const char *s);      /* NULL -> null */
void mtw_jw_int(mtw_jbuf *w, int64_t v);
void mtw_jw_num(mtw_jbuf *w, double v, int decimals);
void mtw_jw_bool(mtw_jbuf *w, int v);
void mtw_jw_null(mtw_jbuf *w);
/* Already-serialised JSON value (trusted: produced by this writer). */
void mtw_jw_raw(mtw_jbuf *w, const char *json, size_t len);

/* key + value shorthands */
void mtw_jw_kstr(mtw_jbuf *w, const char *key, const char *s);
void mtw_jw_kint(mtw_jbuf *w, const char *key, int64_t v);
void mtw_jw_knum(mtw_jbuf *w, const char *key, double v, int decimals);
void mtw_jw_kbool(mtw_jbuf *w, const char *key, int v);
void mtw_jw_knull(mtw_jbuf *w, const char *key);

#endif
