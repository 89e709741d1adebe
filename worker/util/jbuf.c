/*
 * jbuf.c - streaming JSON writer (see jbuf.h).
 */
#include "util/jbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mtw_jbuf_init(mtw_jbuf *w)
{
    memset(w, 0, sizeof(*w));
}

void mtw_jbuf_reset(mtw_jbuf *w)
{
    w->len = 0;
    w->need_comma = 0;
    w->failed = 0;
    if (w->buf) {
        w->buf[0] = '\0';
    }
}

void mtw_jbuf_reset_nesting(mtw_jbuf *w)
{
    w->need_comma = 0;
}

void mtw_jbuf_free(mtw_jbuf *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

static int jw_grow(mtw_jbuf *w, size_t n)
{
    size_t cap;
    char *p;

    if (w->failed) {
        return -1;
    }
    cap = w->cap ? w->cap : 256;
    while (cap < w->len + n + 1) {
        cap *= 2;
    }
    p = realloc(w->buf, cap);
    if (p == NULL) {
        w->failed = 1;
        return -1;
    }
    w->buf = p;
    w->cap = cap;
    return 0;
}

static inline int jw_reserve(mtw_jbuf *w, size_t n)
{
    if (__builtin_expect(w->len + n + 1 <= w->cap, 1)) {
        return 0;
    }
    return jw_grow(w, n);
}

static void jw_put(mtw_jbuf *w, const char *s, size_t n)
{
    if (jw_reserve(w, n) == 0) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
        w->buf[w->len] = '\0';
    }
}

static void jw_putc(mtw_jbuf *w, char c)
{
    if (jw_reserve(w, 1) == 0) {
        w->buf[w->len++] = c;
        w->buf[w->len] = '\0';
    }
}

/* comma before a value, unless it follows a key or opens a container */
static void jw_value(mtw_jbuf *w)
{
    if (w->need_comma) {
        jw_putc(w, ',');
    }
    w->need_comma = 1;
}

void mtw_jw_obj(mtw_jbuf *w)
{
    jw_value(w);
    jw_putc(w, '{');
    w->need_comma = 0;
}

void mtw_jw_obj_end(mtw_jbuf *w)
{
    jw_putc(w, '}');
    w->need_comma = 1;
}

void mtw_jw_arr(mtw_jbuf *w)
{
    jw_value(w);
    jw_putc(w, '[');
    w->need_comma = 0;
}

void mtw_jw_arr_end(mtw_jbuf *w)
{
    jw_putc(w, ']');
    w->need_comma = 1;
}

/* length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid */
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
    /* overlong forms, surrogates and out-of-range code points */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800)
        || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
        || (cp >= 0xd800 && cp <= 0xdfff))
    {
        return 0;
    }
    return len;
}

/* a byte copied as it is inside a JSON string */
static inline int jw_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static void jw_string(mtw_jbuf *w, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *) str;
    size_t i = 0, run, seq;
    char esc[8];

    jw_putc(w, '"');
    while (i < n) {
        run = i;
        while (run < n && jw_plain(s[run])) {
            run++;
        }
        jw_put(w, str + i, run - i);
        i = run;
        if (i >= n) {
            break;
        }
        if (s[i] == '"' || s[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char) s[i];
            jw_put(w, esc, 2);
            i++;
        } else if (s[i] < 0x20) {
            /* line breaks (alert texts) short, the rare others as \u00XX */
            switch (s[i]) {
            case '\n': jw_put(w, "\\n", 2); break;
            case '\r': jw_put(w, "\\r", 2); break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[s[i] >> 4];
                esc[5] = hex[s[i] & 15];
                jw_put(w, esc, 6);
            }
            i++;
        } else {
            seq = utf8_seq(s + i, n - i);
            if (seq == 0) {
                jw_put(w, "\xef\xbf\xbd", 3);   /* U+FFFD */
                i++;
            } else {
                jw_put(w, str + i, seq);
                i += seq;
            }
        }
    }
    jw_putc(w, '"');
}

void mtw_jw_key(mtw_jbuf *w, const char *key)
{
    size_t n = 0;

    jw_value(w);
    while (key[n] != '\0' && jw_plain((unsigned char) key[n])) {
        n++;
    }
    if (key[n] != '\0') {
        /* a key from data (not one of our literals): escape it */
        jw_string(w, key, n + strlen(key + n));
        jw_putc(w, ':');
    } else if (jw_reserve(w, n + 3) == 0) {
        w->buf[w->len++] = '"';
        memcpy(w->buf + w->len, key, n);
        w->len += n;
        w->buf[w->len++] = '"';
        w->buf[w->len++] = ':';
        w->buf[w->len] = '\0';
    }
    w->need_comma = 0;
}

void mtw_jw_str(mtw_jbuf *w, const char *s)
{
    if (s == NULL) {
        mtw_jw_null(w);
        return;
    }
    jw_value(w);
    jw_string(w, s, strlen(s));
}

void mtw_jw_strn(mtw_jbuf *w, const char *s, size_t n)
{
    jw_value(w);
    jw_string(w, s, n);
}

/* decimal digits of u into the end of b; returns the start */
static char *jw_utoa(uint64_t u, char *end)
{
    do {
        *--end = (char) ('0' + u % 10);
        u /= 10;
    } while (u != 0);
    return end;
}

void mtw_jw_int(mtw_jbuf *w, int64_t v)
{
    char b[24], *p;
    uint64_t u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

    p = jw_utoa(u, b + sizeof(b));
    if (v < 0) {
        *--p = '-';
    }
    jw_value(w);
    jw_put(w, p, (size_t) (b + sizeof(b) - p));
}

void mtw_jw_uint(mtw_jbuf *w, uint64_t v)
{
    char b[24], *p;

    p = jw_utoa(v, b + sizeof(b));
    jw_value(w);
    jw_put(w, p, (size_t) (b + sizeof(b) - p));
}

void mtw_jw_double(mtw_jbuf *w, double v)
{
    char b[40];
    int n = 0, prec;

    if (!isfinite(v)) {
        mtw_jw_null(w);
        return;
    }
    /* the range check first: casting a double past int64_t is undefined */
    if (fabs(v) < 1e15 && v == (double) (int64_t) v) {
        /* whole numbers as "180.0", like Python's json for floats */
        n = snprintf(b, sizeof(b), "%.1f", v);
    } else {
        for (prec = 15; prec <= 17; prec++) {
            n = snprintf(b, sizeof(b), "%.*g", prec, v);
            if (strtod(b, NULL) == v) {
                break;
            }
        }
    }
    jw_value(w);
    jw_put(w, b, (size_t) n);
}

void mtw_jw_num(mtw_jbuf *w, double v, int decimals)
{
    static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                    1e8, 1e9 };
    char b[48], *p, *end = b + sizeof(b);
    double scaled;
    uint64_t u, ip, fp;
    int neg, k;

    if (!isfinite(v)) {
        mtw_jw_null(w);
        return;
    }
    if (decimals <= 0 && fabs(v) < 9e18) {
        mtw_jw_int(w, (int64_t) llround(v));
        return;
    }
    if (decimals <= 0) {
        mtw_jw_double(w, v);        /* past int64_t: the shortest form */
        return;
    }
    if (decimals > 9) {
        decimals = 9;
    }
    /* fixed point in integers: printf("%.6f") was a third of the time
     * spent writing documents */
    scaled = fabs(v) * pow10[decimals];
    if (scaled >= 9e18) {
        mtw_jw_double(w, v);
        return;
    }
    u = (uint64_t) llround(scaled);
    neg = v < 0 && u != 0;
    ip = u / (uint64_t) pow10[decimals];
    fp = u % (uint64_t) pow10[decimals];
    p = end;
    for (k = 0; k < decimals; k++) {
        *--p = (char) ('0' + fp % 10);
        fp /= 10;
    }
    *--p = '.';
    p = jw_utoa(ip, p);
    if (neg) {
        *--p = '-';
    }
    jw_value(w);
    jw_put(w, p, (size_t) (end - p));
}

void mtw_jw_bool(mtw_jbuf *w, int v)
{
    jw_value(w);
    if (v) {
        jw_put(w, "true", 4);
    } else {
        jw_put(w, "false", 5);
    }
}

void mtw_jw_null(mtw_jbuf *w)
{
    jw_value(w);
    jw_put(w, "null", 4);
}

void mtw_jw_raw(mtw_jbuf *w, const char *json, size_t len)
{
    jw_value(w);
    jw_put(w, json, len);
}

void mtw_jw_kstr(mtw_jbuf *w, const char *key, const char *s)
{
    mtw_jw_key(w, key);
    mtw_jw_str(w, s);
}

void mtw_jw_kint(mtw_jbuf *w, const char *key, int64_t v)
{
    mtw_jw_key(w, key);
    mtw_jw_int(w, v);
}

void mtw_jw_knum(mtw_jbuf *w, const char *key, double v, int decimals)
{
    mtw_jw_key(w, key);
    mtw_jw_num(w, v, decimals);
}

void mtw_jw_kbool(mtw_jbuf *w, const char *key, int v)
{
    mtw_jw_key(w, key);
    mtw_jw_bool(w, v);
}

void mtw_jw_knull(mtw_jbuf *w, const char *key)
{
    mtw_jw_key(w, key);
    mtw_jw_null(w);
}
