/*
 * date.c - calendar arithmetic on YYYYMMDD dates (see date.h).
 */
#include "util/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* days from civil (proleptic Gregorian), after H. Hinnant's algorithm */
long mtw_date_to_days(int ymd)
{
    long y = ymd / 10000, m = (ymd / 100) % 100, d = ymd % 100;
    long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int mtw_days_to_date(long z)
{
    long era, doe, yoe, y, doy, mp, d, m;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    return (int) (y * 10000 + m * 100 + d);
}

int mtw_date_add(int ymd, int n)
{
    return mtw_days_to_date(mtw_date_to_days(ymd) + n);
}

int mtw_date_weekday(int ymd)
{
    /* 1970-01-01 was a Thursday (3 when Monday = 0) */
    long d = mtw_date_to_days(ymd);

    return (int) (((d % 7) + 7 + 3) % 7);
}

int mtw_date_parse(const char *s, int *ymd)
{
    int y, m, d, n = 0;

    if (s == NULL) {
        return -1;
    }
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3
        && n == 10)
    {
        /* ok */
    } else if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
        y = atoi(s) / 10000;
        m = (atoi(s) / 100) % 100;
        d = atoi(s) % 100;
    } else {
        return -1;
    }
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) {
        return -1;
    }
    if (mtw_days_to_date(mtw_date_to_days(y * 10000 + m * 100 + d))
        != y * 10000 + m * 100 + d)
    {
        return -1;   /* 2025-02-30 */
    }
    *ymd = y * 10000 + m * 100 + d;
    return 0;
}
