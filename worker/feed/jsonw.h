/*
 * jsonw.h - a small streaming JSON writer into a growable buffer.
 *
 * Commas are placed by the writer (it tracks nesting), strings are escaped
 * and invalid UTF-8 is replaced by U+FFFD so the output is always valid JSON,
 * and doubles are written with the fewest digits that read back exactly.
 * Out of memory is sticky: check mtw_jsonw.oom once at the end.
 */
#ifndef MTW_JSONW_H
#define MTW_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define MTW_JSONW_DEPTH 32

typedef struct {
    char          *data;        /* NUL-terminated text (when len > 0) */
    size_t         len;
    size_t         cap;
    int            oom;
    int            depth;
    int            after_key;
    unsigned char  first[MTW_JSONW_DEPTH];
} mtw_jsonw;

void mtw_jsonw_init(mtw_jsonw *w);
void mtw_jsonw_free(mtw_jsonw *w);
/* Empties the text, keeping the buffer. */
void mtw_jsonw_reset(mtw_jsonw *w);
/* Keeps the text but starts a new top-level value (no comma before it). */
void mtw_jsonw_reset_nesting(mtw_jsonw *w);

void mtw_jsonw_obj(mtw_jsonw *w);
void mtw_jsonw_obj_end(mtw_jsonw *w);
void mtw_jsonw_arr(mtw_jsonw *w);
void mtw_jsonw_arr_end(mtw_jsonw *w);
void mtw_jsonw_key(mtw_jsonw *w, const char *key);

void mtw_jsonw_str(mtw_jsonw *w, const char *s);   /* NULL writes null */
void mtw_jsonw_strn(mtw_jsonw *w, const char *s, size_t n);
void mtw_jsonw_null(mtw_jsonw *w);
void mtw_jsonw_bool(mtw_jsonw *w, int v);
void mtw_jsonw_int(mtw_jsonw *w, int64_t v);
void mtw_jsonw_uint(mtw_jsonw *w, uint64_t v);
void mtw_jsonw_double(mtw_jsonw *w, double v);     /* NaN/inf write null */
/* Appends already-valid JSON text as one value. */
void mtw_jsonw_raw(mtw_jsonw *w, const char *json, size_t n);

#endif
