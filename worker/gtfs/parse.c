/*
 * parse.c - GTFS field values (see parse.h).
 */
#include "gtfs/parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int mtw_gtfs_parse_time(const char *s, int32_t *secs)
{
    int h = 0, m, sec, digits = 0;

    s = skip_spaces(s);
    while (is_digit(*s)) {
        if (++digits > 3) {
            return -1;
        }
        h = h * 10 + (*s++ - '0');
    }
    if (digits == 0 || *s++ != ':') {
        return -1;
    }
    if (!is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':'
        || !is_digit(s[3]) || !is_digit(s[4]))
    {
        return -1;
    }
    m = (s[0] - '0') * 10 + (s[1] - '0');
    sec = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || sec > 59) {
        return -1;
    }
    if (*skip_spaces(s + 5) != '\0') {
        return -1;
    }
    *secs = (int32_t) (h * 3600 + m * 60 + sec);
    return 0;
}

void mtw_gtfs_format_time(int32_t secs, char out[16])
{
    if (secs < 0) {
        secs = 0;
    }
    snprintf(out, 16, "%02d:%02d:%02d", (int) (secs / 3600),
             (int) (secs / 60 % 60), (int) (secs % 60));
}

int mtw_gtfs_parse_date(const char *s, int32_t *yyyymmdd)
{
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
                                   30, 31 };
    int i, y, m, d, v = 0;

    s = skip_spaces(s);
    for (i = 0; i < 8; i++) {
        if (!is_digit(s[i])) {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (*skip_spaces(s + 8) != '\0') {
        return -1;
    }
    y = v / 10000;
    m = v / 100 % 100;
    d = v % 100;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) {
        return -1;
    }
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return -1;
    }
    *yyyymmdd = v;
    return 0;
}

int mtw_gtfs_parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    s = skip_spaces(s);
    if (*s == '\0') {
        return -1;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *skip_spaces(end) != '\0' || v < min
        || v > max)
    {
        return -1;
    }
    *out = v;
    return 0;
}

/*
 * Plain decimals ("-106.6689", the form of nearly every coordinate and
 * distance) without strtod: at most 15 significant digits and 22 decimals,
 * where mantissa / 10^k is exact to the last bit (both are exact doubles,
 * and one IEEE division rounds correctly).  1 when handled, 0 otherwise.
 */
static int parse_plain_decimal(const char *s, double *out)
{
    static const double pow10[23] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };
    int64_t mant = 0;
    int neg = 0, digits = 0, decimals = 0, seen_dot = 0;

    if (*s == '-' || *s == '+') {
        neg = *s++ == '-';
    }
    for (;; s++) {
        if (is_digit(*s)) {
            if (++digits > 15) {
                return 0;
            }
            mant = mant * 10 + (*s - '0');
            decimals += seen_dot;
        } else if (*s == '.' && !seen_dot) {
            seen_dot = 1;
        } else {
            break;
        }
    }
    if (digits == 0 || decimals > 22 || *skip_spaces(s) != '\0') {
        return 0;
    }
    *out = (neg ? -(double) mant : (double) mant) / pow10[decimals];
    return 1;
}

int mtw_gtfs_parse_double(const char *s, double min, double max,
                          double *out)
{
    char *end;
    double v;

    s = skip_spaces(s);
    if (*s == '\0') {
        return -1;
    }
    if (parse_plain_decimal(s, &v)) {
        if (v < min || v > max) {
            return -1;
        }
        *out = v;
        return 0;
    }
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *skip_spaces(end) != '\0' || !isfinite(v)
        || v < min || v > max)
    {
        return -1;
    }
    *out = v;
    return 0;
}
