/*
 * jsonw.c - streaming JSON writer (escaping, UTF-8 repair, shortest doubles).
 */
#include "feed/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mtw_jsonw_init(mtw_jsonw *w)
{
    memset(w, 0, sizeof(*w));
    w->first[0] = 1;
}

void mtw_jsonw_free(mtw_jsonw *w)
{
    free(w->data);
    mtw_jsonw_init(w);
}

void mtw_jsonw_reset(mtw_jsonw *w)
{
    char *data = w->data;
    size_t cap = w->cap;

    mtw_jsonw_init(w);
    w->data = data;
    w->cap = cap;
    if (data != NULL) {
        data[0] = '\0';
    }
}

void mtw_jsonw_reset_nesting(mtw_jsonw *w)
{
    w->depth = 0;
    w->after_key = 0;
    w->first[0] = 1;
}

static int jsonw_reserve(mtw_jsonw *w, size_t n)
{
    size_t cap;
    char *p;

    if (w->oom) {
        return -1;
    }
    if (w->len + n + 1 <= w->cap) {
        return 0;
    }
    cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n + 1) {
        cap *= 2;
    }
    p = realloc(w->data, cap);
    if (p == NULL) {
        w->oom = 1;
        return -1;
    }
    w->data = p;
    w->cap = cap;
    return 0;
}

static void jsonw_put(mtw_jsonw *w, const char *s, size_t n)
{
    if (jsonw_reserve(w, n) != 0) {
        return;
    }
    memcpy(w->data + w->len, s, n);
    w->len += n;
    w->data[w->len] = '\0';
}

static void jsonw_putc(mtw_jsonw *w, char c)
{
    if (jsonw_reserve(w, 1) != 0) {
        return;
    }
    w->data[w->len++] = c;
    w->data[w->len] = '\0';
}

/* Separator before a value or a key. */
static void jsonw_pre(mtw_jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (!w->first[w->depth]) {
        jsonw_putc(w, ',');
    }
    w->first[w->depth] = 0;
}

static void jsonw_open(mtw_jsonw *w, char c)
{
    jsonw_pre(w);
    jsonw_putc(w, c);
    if (w->depth + 1 < MTW_JSONW_DEPTH) {
        w->depth++;
    }
    w->first[w->depth] = 1;
}

static void jsonw_close(mtw_jsonw *w, char c)
{
    jsonw_putc(w, c);
    if (w->depth > 0) {
        w->depth--;
    }
}

void mtw_jsonw_obj(mtw_jsonw *w) { jsonw_open(w, '{'); }
void mtw_jsonw_obj_end(mtw_jsonw *w) { jsonw_close(w, '}'); }
void mtw_jsonw_arr(mtw_jsonw *w) { jsonw_open(w, '['); }
void mtw_jsonw_arr_end(mtw_jsonw *w) { jsonw_close(w, ']'); }

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    unsigned cp;

    if (s[0] < 0x80) {
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* overlong forms, surrogates and values past U+10FFFF are invalid */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800)
        || (len == 4 && cp < 0x10000) || cp > 0x10ffff
        || (cp >= 0xd800 && cp <= 0xdfff))
    {
        return 0;
    }
    return len;
}

void mtw_jsonw_strn(mtw_jsonw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0, run, k;
    char esc[8];

    jsonw_pre(w);
    jsonw_putc(w, '"');
    while (i < n) {
        /* copy a run of plain bytes at once */
        run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x80
               && p[run] != '"' && p[run] != '\\')
        {
            run++;
        }
        if (run > i) {
            jsonw_put(w, s + i, run - i);
            i = run;
            continue;
        }
        if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char) p[i];
            jsonw_put(w, esc, 2);
            i++;
        } else if (p[i] < 0x20) {
            switch (p[i]) {
            case '\n': jsonw_put(w, "\\n", 2); break;
            case '\r': jsonw_put(w, "\\r", 2); break;
            case '\t': jsonw_put(w, "\\t", 2); break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[p[i] >> 4];
                esc[5] = hex[p[i] & 15];
                jsonw_put(w, esc, 6);
            }
            i++;
        } else {
            k = utf8_seq(p + i, n - i);
            if (k == 0) {
                jsonw_put(w, "\xef\xbf\xbd", 3);   /* U+FFFD */
                i++;
            } else {
                jsonw_put(w, s + i, k);
                i += k;
            }
        }
    }
    jsonw_putc(w, '"');
}

void mtw_jsonw_str(mtw_jsonw *w, const char *s)
{
    if (s == NULL) {
        mtw_jsonw_null(w);
        return;
    }
    mtw_jsonw_strn(w, s, strlen(s));
}

void mtw_jsonw_key(mtw_jsonw *w, const char *key)
{
    mtw_jsonw_str(w, key);
    jsonw_putc(w, ':');
    w->after_key = 1;
}

void mtw_jsonw_null(mtw_jsonw *w)
{
    jsonw_pre(w);
    jsonw_put(w, "null", 4);
}

void mtw_jsonw_bool(mtw_jsonw *w, int v)
{
    jsonw_pre(w);
    if (v) {
        jsonw_put(w, "true", 4);
    } else {
        jsonw_put(w, "false", 5);
    }
}

void mtw_jsonw_int(mtw_jsonw *w, int64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

    jsonw_pre(w);
    jsonw_put(w, buf, (size_t) n);
}

void mtw_jsonw_uint(mtw_jsonw *w, uint64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

    jsonw_pre(w);
    jsonw_put(w, buf, (size_t) n);
}

void mtw_jsonw_double(mtw_jsonw *w, double v)
{
    char buf[40];
    int n = 0, prec;

    if (!isfinite(v)) {
        mtw_jsonw_null(w);
        return;
    }
    if (v == (double) (int64_t) v && fabs(v) < 1e15) {
        /* whole numbers as "180.0", like Python's json for floats */
        n = snprintf(buf, sizeof(buf), "%.1f", v);
    } else {
        for (prec = 15; prec <= 17; prec++) {
            n = snprintf(buf, sizeof(buf), "%.*g", prec, v);
            if (strtod(buf, NULL) == v) {
                break;
            }
        }
    }
    jsonw_pre(w);
    jsonw_put(w, buf, (size_t) n);
}

void mtw_jsonw_raw(mtw_jsonw *w, const char *json, size_t n)
{
    jsonw_pre(w);
    jsonw_put(w, json, n);
}
