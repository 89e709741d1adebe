/*
 * metrics.c - the published numbers as pure functions (see metrics.h).
 */
#include "score/metrics.h"
#include "util/sort.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- reference compatibility ------------------------------------------ */

const char *mtw_grade_str(mtw_grade g)
{
    static const char *const s[] = { "A", "B", "C", "D", "F", "N/A" };

    return g <= MTW_GRADE_NA ? s[g] : "N/A";
}

const char *mtw_confidence_str(mtw_confidence c)
{
    static const char *const s[] = { "high", "medium", "low" };

    return c <= MTW_CONF_LOW ? s[c] : "low";
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

    return (x > y) - (x < y);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;

    return (x > y) - (x < y);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}

/* The k-th smallest of v[0..n) (k < n), v reordered so that nothing
 * before k is larger and nothing after it smaller: quickselect, O(n)
 * expected (a day's million delays were sorted twice for their median);
 * a sort past the depth a bad pivot sequence would need. */
static int select_int(int *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1, i, j, depth = 0;
    int pivot, t;

    while (lo < hi) {
        if (++depth > 64) {
            mtw_sort(v + lo, hi - lo + 1, sizeof(*v), cmp_int);
            break;
        }
        /* median of three as the pivot */
        i = lo + (hi - lo) / 2;
        if (v[i] < v[lo]) { t = v[i]; v[i] = v[lo]; v[lo] = t; }
        if (v[hi] < v[lo]) { t = v[hi]; v[hi] = v[lo]; v[lo] = t; }
        if (v[hi] < v[i]) { t = v[hi]; v[hi] = v[i]; v[i] = t; }
        pivot = v[i];
        /* Hoare's partition: v[lo..j] <= pivot <= v[j+1..hi] */
        i = lo;
        j = hi;
        for ( ;; ) {
            while (v[i] < pivot) {
                i++;
            }
            while (v[j] > pivot) {
                j--;
            }
            if (i >= j) {
                break;
            }
            t = v[i]; v[i] = v[j]; v[j] = t;
            i++;
            j--;
        }
        if (k <= j) {
            hi = j;
        } else {
            lo = j + 1;
        }
    }
    return v[k];
}

int mtw_median_int(int *v, size_t n, int *out)
{
    size_t i;
    int hi, lo;

    if (n == 0) {
        return -1;
    }
    hi = select_int(v, n, n / 2);
    if (n % 2) {
        *out = hi;
        return 0;
    }
    /* reference §2.4: even count -> truncated mean of the middles; the
     * lower middle is the largest of those selected below the upper */
    lo = v[0];
    for (i = 1; i < n / 2; i++) {
        lo = v[i] > lo ? v[i] : lo;
    }
    *out = (int) (((int64_t) lo + hi) / 2);
    return 0;
}

/* reference-algorithms.md §2.4 */
int mtw_median_gap(int64_t *times, size_t n, int *out)
{
    int gaps[256];
    size_t i, ng = 0;

    if (n < 2) {
        return -1;
    }
    mtw_sort(times, n, sizeof(*times), cmp_i64);
    for (i = 1; i < n && ng < sizeof(gaps) / sizeof(gaps[0]); i++) {
        if (times[i] - times[i - 1] > 0) {
            gaps[ng++] = (int) (times[i] - times[i - 1]);
        }
    }
    return mtw_median_int(gaps, ng, out);
}

/* reference §3.2 fromDelay: <=60 A (any earliness), <=180 B, <=300 C,
 * <=600 D, else F */
mtw_grade mtw_grade_from_delay(int d)
{
    if (d <= 60) {
        return MTW_GRADE_A;
    }
    if (d <= 180) {
        return MTW_GRADE_B;
    }
    if (d <= 300) {
        return MTW_GRADE_C;
    }
    if (d <= 600) {
        return MTW_GRADE_D;
    }
    return MTW_GRADE_F;
}

/* reference §3.2 fromObserved: median headway <=600 A, <=900 B, <=1200 C,
 * else D; one vehicle: its delay, or C without one; otherwise N/A */
mtw_grade mtw_grade_from_observed(int observed, int n, int has_delay,
                                  int delay)
{
    if (observed >= 0) {
        if (observed <= 600) {
            return MTW_GRADE_A;
        }
        if (observed <= 900) {
            return MTW_GRADE_B;
        }
        if (observed <= 1200) {
            return MTW_GRADE_C;
        }
        return MTW_GRADE_D;
    }
    if (n == 1) {
        return has_delay ? mtw_grade_from_delay(delay) : MTW_GRADE_C;
    }
    return MTW_GRADE_NA;
}

/* reference §3.3 */
mtw_confidence mtw_confidence_of(int observed, int n, int has_delay)
{
    if (observed >= 0 && n >= 2) {
        return MTW_CONF_HIGH;
    }
    if (n == 1 && has_delay) {
        return MTW_CONF_MEDIUM;
    }
    return MTW_CONF_LOW;
}

/* reference §4.3, evaluated in this order (a = |d|):
 * a <= 60 yellow on_time; early: a >= 600 green, a >= 180 blue zooming,
 * else blue speedy; late: a >= 900 purple, >= 420 red, >= 180 orange
 * delayed, else orange fashionably late */
void mtw_status_classify(int d, mtw_status_class *o)
{
    int a = d < 0 ? -d : d;

    if (a <= 60) {
        o->color = MTW_STATUS_YELLOW;
        o->label = "on_time";
        o->severity = "\xe2\x9c\x93 vibing";
    } else if (d < 0) {
        o->label = "ahead";
        if (a >= 600) {
            o->color = MTW_STATUS_GREEN;
            o->severity = "\xf0\x9f\x9a\x80 warp speed";
        } else if (a >= 180) {
            o->color = MTW_STATUS_BLUE;
            o->severity = "\xe2\x9a\xa1 zooming";
        } else {
            o->color = MTW_STATUS_BLUE;
            o->severity = "\xf0\x9f\x8f\x83 speedy";
        }
    } else {
        o->label = "late";
        if (a >= 900) {
            o->color = MTW_STATUS_PURPLE;
            o->severity = "\xf0\x9f\x92\x80 ghost bus";
        } else if (a >= 420) {
            o->color = MTW_STATUS_RED;
            o->severity = "\xf0\x9f\x94\xa5 yikes";
        } else if (a >= 180) {
            o->color = MTW_STATUS_ORANGE;
            o->severity = "\xf0\x9f\x98\xac delayed";
        } else {
            o->color = MTW_STATUS_ORANGE;
            o->severity = "\xf0\x9f\x90\x8c fashionably late";
        }
    }
    {
        static const char *const names[] = {
            "green", "blue", "yellow", "orange", "red", "purple"
        };

        o->color_str = names[o->color];
    }
}

/* reference §4.4 without the 1-in-10 joke roll: a < 120 none; late >= 600
 * severe (minutes rounded half away from zero), late moderate; early
 * >= 300 light traffic, early lower demand */
int mtw_traffic_reason(const char *route_id, int d, char *buf, size_t len)
{
    int a = d < 0 ? -d : d;

    if (a < 120) {
        return 0;
    }
    if (route_id == NULL) {
        route_id = "";
    }
    if (d > 0) {
        if (a >= 600) {
            snprintf(buf, len, "Severe traffic likely impacting %s "
                     "(delay %ld min).", route_id, lround(a / 60.0));
        } else {
            snprintf(buf, len, "Moderate congestion detected along route "
                     "%s.", route_id);
        }
    } else if (a >= 300) {
        snprintf(buf, len, "Light traffic allowing vehicles on route %s to "
                 "run ahead.", route_id);
    } else {
        snprintf(buf, len, "Lower-than-normal demand on route %s.",
                 route_id);
    }
    return 1;
}

/* reference §3.4: points A4 B3 C2 D1 F0 N/A 2, vehicle-weighted; letter at
 * >=3.5 A, >=2.5 B, >=1.5 C, >=0.5 D; % linear inside the band, 1 dp */
mtw_grade mtw_system_grade(const mtw_grade *grades, const int *vehicles,
                           size_t n, double *pct)
{
    static const int points[] = { 4, 3, 2, 1, 0, 2 };
    double sum = 0, avg, p;
    long total = 0;
    size_t i;
    mtw_grade g;

    for (i = 0; i < n; i++) {
        sum += (double) points[grades[i] <= MTW_GRADE_NA ? grades[i]
                               : MTW_GRADE_NA] * vehicles[i];
        total += vehicles[i];
    }
    if (total <= 0) {
        *pct = 0.0;
        return MTW_GRADE_NA;
    }
    avg = sum / (double) total;
    if (avg >= 3.5) {
        g = MTW_GRADE_A;
        p = 90 + (avg - 3.5) * 10;
    } else if (avg >= 2.5) {
        g = MTW_GRADE_B;
        p = 80 + (avg - 2.5) * 10;
    } else if (avg >= 1.5) {
        g = MTW_GRADE_C;
        p = 70 + (avg - 1.5) * 10;
    } else if (avg >= 0.5) {
        g = MTW_GRADE_D;
        p = 60 + (avg - 0.5) * 10;
    } else {
        g = MTW_GRADE_F;
        p = 50 + avg * 10;
    }
    *pct = round(p * 10 + 1e-9) / 10;
    return g;
}

/* reference §3.5: >=90 A, >=80 B, >=70 C, >=60 D, else F */
mtw_grade mtw_grade_from_pct(double p, int zero_is_na)
{
    if (zero_is_na && p == 0.0) {
        return MTW_GRADE_NA;
    }
    if (p >= 90) {
        return MTW_GRADE_A;
    }
    if (p >= 80) {
        return MTW_GRADE_B;
    }
    if (p >= 70) {
        return MTW_GRADE_C;
    }
    if (p >= 60) {
        return MTW_GRADE_D;
    }
    return MTW_GRADE_F;
}

const char *mtw_realism_grade_str(double r)
{
    if (r != r) {
        return "insufficient_data";
    }
    if (r < 0.85) {
        return "over_scheduled";
    }
    if (r < 0.95) {
        return "well_scheduled";
    }
    if (r < 1.05) {
        return "realistic";
    }
    return r < 1.15 ? "under_scheduled" : "severely_under_scheduled";
}

int mtw_rank_percentile(int rank, int n)
{
    if (n <= 1) {
        return 100;
    }
    return (int) lround((double) (n - rank) / (n - 1) * 100.0);
}

const char *mtw_rank_description(int p)
{
    if (p >= 90) {
        return "Excellent - Top 10%";
    }
    if (p >= 75) {
        return "Above Average - Top 25%";
    }
    if (p >= 50) {
        return "Average - Middle 50%";
    }
    return p >= 25 ? "Below Average - Bottom 50%" : "Poor - Bottom 25%";
}

/* reference §3.5 (commit 5197fdf): w = min(1, days / 10);
 * adjusted = round(raw w + m (1 - w), 1); days >= 10 raw; days 0 -> 0 */
double mtw_adjusted_performance(double raw, int days, double m)
{
    double w;

    if (days >= 10) {
        return raw;
    }
    if (days <= 0) {
        return 0.0;
    }
    w = days / 10.0;
    return round((raw * w + m * (1 - w)) * 10 + 1e-9) / 10;
}

const char *mtw_history_confidence(int days)
{
    return days >= 10 ? "high" : days >= 5 ? "medium"
           : days > 0 ? "low" : "none";
}

double mtw_system_median(double *v, size_t n)
{
    if (n == 0) {
        return 75.0;
    }
    mtw_sort(v, n, sizeof(*v), cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mtw_grade_display_pct(mtw_grade g)
{
    static const double pct[] = { 95, 85, 75, 65, 50, 0 };

    return g <= MTW_GRADE_NA ? pct[g] : 0;
}

/* ---- industry metrics ------------------------------------------------- */

const char *mtw_los_str(mtw_los l)
{
    static const char *const s[] = { "A", "B", "C", "D", "E", "F" };

    return l <= MTW_LOS_F ? s[l] : "F";
}

/*
 * TCQSM 3rd ed. (TCRP Report 165, 2013), headway adherence: c_vh = standard
 * deviation of headway deviations / average scheduled headway.
 */
int mtw_headway_cv(const int *h, size_t n, int scheduled, double *cv)
{
    double mean = 0, var = 0, dev;
    size_t i;

    if (n < 2) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        mean += h[i] - (scheduled > 0 ? scheduled : 0);
    }
    mean /= (double) n;
    for (i = 0; i < n; i++) {
        dev = h[i] - (scheduled > 0 ? scheduled : 0) - mean;
        var += dev * dev;
    }
    var /= (double) (n - 1);
    if (scheduled > 0) {
        *cv = sqrt(var) / scheduled;
    } else {
        /* no timetable for the hour: sd / mean of observed headways */
        double m = mean;

        if (m <= 0) {
            return -1;
        }
        *cv = sqrt(var) / m;
    }
    return 0;
}

/* TCQSM 3rd ed. ch. 5, fixed-route headway adherence LOS: c_vh <= 0.21 A,
 * <= 0.30 B, <= 0.39 C, <= 0.52 D, <= 0.74 E, else F */
mtw_los mtw_los_from_cv(double cv)
{
    long c = lround(cv * 100);      /* hundredths, as published */

    if (c <= 21) {
        return MTW_LOS_A;
    }
    if (c <= 30) {
        return MTW_LOS_B;
    }
    if (c <= 39) {
        return MTW_LOS_C;
    }
    if (c <= 52) {
        return MTW_LOS_D;
    }
    if (c <= 74) {
        return MTW_LOS_E;
    }
    return MTW_LOS_F;
}

/* mean wait of passengers arriving at random: E[w] = sum(h^2) / 2 sum(h)
 * (TfL excess-wait-time method) */
double mtw_mean_wait(const int *h, size_t n)
{
    double s1 = 0, s2 = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (h[i] > 0) {
            s1 += h[i];
            s2 += (double) h[i] * h[i];
        }
    }
    return s1 > 0 ? s2 / (2 * s1) : -1;
}

/* TfL EWT = actual wait time - scheduled wait time */
int mtw_excess_wait(const int *h, size_t n, const int *sched, size_t ns,
                    double *ewt)
{
    double awt = mtw_mean_wait(h, n), swt = mtw_mean_wait(sched, ns);

    if (awt < 0 || swt < 0) {
        return -1;
    }
    *ewt = awt - swt;
    return 0;
}

/* bunched: headway < 25 % of the scheduled headway (DESIGN.md §4) */
double mtw_bunched_share(const int *h, size_t n, int scheduled)
{
    size_t i, k = 0;

    if (n == 0 || scheduled <= 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        /* h < 0.25 s, in integers: 4 h < s */
        if ((int64_t) h[i] * 4 < scheduled) {
            k++;
        }
    }
    return (double) k / (double) n;
}

/* gapped: headway > min(1.5 x scheduled, scheduled + 180 s) */
double mtw_gapped_share(const int *h, size_t n, int scheduled)
{
    size_t i, k = 0;
    int64_t lim2;

    if (n == 0 || scheduled <= 0) {
        return -1;
    }
    /* compare in doubled integers: 2h > min(3s, 2s + 360) */
    lim2 = (int64_t) scheduled * 3;
    if ((int64_t) scheduled * 2 + 360 < lim2) {
        lim2 = (int64_t) scheduled * 2 + 360;
    }
    for (i = 0; i < n; i++) {
        if ((int64_t) h[i] * 2 > lim2) {
            k++;
        }
    }
    return (double) k / (double) n;
}

/* TCQSM on-time: from early_sec early to late_sec late, both inclusive
 * (default 1 min early to 5 min late) */
int mtw_is_on_time(int d, const mtw_otp_window *w)
{
    return d >= -w->early_sec && d <= w->late_sec;
}

double mtw_on_time_share(const int *delays, size_t n, const mtw_otp_window *w)
{
    size_t i, k = 0;

    if (n == 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        k += (size_t) mtw_is_on_time(delays[i], w);
    }
    return (double) k / (double) n;
}

/* TCQSM: frequent service (headway <= 10-12 min) is experienced as a
 * headway; DESIGN.md fixes the boundary at 12 min = 720 s inclusive */
mtw_regime mtw_regime_for(int scheduled_headway)
{
    return scheduled_headway > 0 && scheduled_headway <= 720
           ? MTW_REGIME_HEADWAY : MTW_REGIME_SCHEDULE;
}

const char *mtw_regime_str(mtw_regime r)
{
    return r == MTW_REGIME_HEADWAY ? "headway" : "schedule";
}
