/*
 * metrics.h - the published numbers, as pure functions.
 *
 * Two families:
 *  - the reference's compatibility values (reference-algorithms.md §2.4,
 *    §3.2-3.5, §4.3-4.4): median gap, A-D headway grade, confidence,
 *    vehicle status colours, traffic reasons, system grade, 30-day
 *    Bayesian grade;
 *  - the industry metrics the reference lacks (TCQSM 3rd ed., TfL EWT):
 *    headway coefficient of variation and its LOS, excess wait time,
 *    bunched and gapped shares, on-time performance, the judging regime.
 * Each definition names its source and thresholds next to it in metrics.c;
 * tests/test_score_metrics.c checks every threshold edge.
 */
#ifndef MTW_SCORE_METRICS_H
#define MTW_SCORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* ---- reference compatibility ------------------------------------------ */

typedef enum {
    MTW_GRADE_A = 0, MTW_GRADE_B, MTW_GRADE_C, MTW_GRADE_D, MTW_GRADE_F,
    MTW_GRADE_NA
} mtw_grade;

typedef enum {
    MTW_CONF_HIGH = 0, MTW_CONF_MEDIUM, MTW_CONF_LOW
} mtw_confidence;

const char *mtw_grade_str(mtw_grade g);            /* "A".."F", "N/A" */
const char *mtw_confidence_str(mtw_confidence c);  /* "high"... */

/*
 * Median of the positive gaps between sorted times (zero gaps dropped);
 * even count: trunc((a + b) / 2).  times is sorted in place.  Returns 0
 * with *out set, or -1 when there is no positive gap (null).
 */
int mtw_median_gap(int64_t *times, size_t n, int *out);

/* Median of values (reordered in place), even count truncated; -1 if
 * n == 0. */
int mtw_median_int(int *v, size_t n, int *out);

/* Single-vehicle schedule-adherence grade from delay d (+ late). */
mtw_grade mtw_grade_from_delay(int d);

/* Realtime grade: observed < 0 means null; has_delay/delay for n == 1. */
mtw_grade mtw_grade_from_observed(int observed, int n, int has_delay,
                                  int delay);
mtw_confidence mtw_confidence_of(int observed, int n, int has_delay);

/* Vehicle status spectrum (reference-algorithms.md §4.3). */
typedef enum {
    MTW_STATUS_GREEN = 0, MTW_STATUS_BLUE, MTW_STATUS_YELLOW,
    MTW_STATUS_ORANGE, MTW_STATUS_RED, MTW_STATUS_PURPLE
} mtw_status_color;

typedef struct {
    mtw_status_color color;
    const char *color_str;      /* "green" ... */
    const char *label;          /* "ahead", "on_time", "late" */
    const char *severity;       /* "✓ vibing" ... */
} mtw_status_class;

void mtw_status_classify(int delay, mtw_status_class *out);

/*
 * Traffic reason for a delay, deterministic (the reference's random jokes
 * are not served as data).  Writes the text and returns 1, or returns 0
 * when |d| < 120 (no reason, JSON null).
 */
int mtw_traffic_reason(const char *route_id, int delay, char *buf,
                       size_t len);

/* Dashboard system grade: vehicle-weighted points; *pct = band %. */
mtw_grade mtw_system_grade(const mtw_grade *grades, const int *vehicles,
                           size_t n, double *pct);

/* On-time % to grade (>=90 A ... else F); 0.0 -> N/A when zero_is_na. */
mtw_grade mtw_grade_from_pct(double pct, int zero_is_na);

/*
 * Schedule realism grade of a mean observed/scheduled trip-time ratio
 * (reference §7.4): "over_scheduled" < 0.85 <= "well_scheduled" < 0.95 <=
 * "realistic" < 1.05 <= "under_scheduled" < 1.15 <=
 * "severely_under_scheduled"; NaN -> "insufficient_data".
 */
const char *mtw_realism_grade_str(double ratio);

/* A route's place among n ranked routes (reference-api §2.10): rank is
 * 1-based; percentile = round((n - rank) / (n - 1) * 100), 100 when n <= 1;
 * the description of that percentile. */
int mtw_rank_percentile(int rank, int n);
const char *mtw_rank_description(int percentile);

/* 30-day grade shrinkage toward the system median m (§3.5). */
double mtw_adjusted_performance(double raw, int days, double m);
const char *mtw_history_confidence(int days);

/* Median of daily on-time values, plain mean for even counts; 75.0 if
 * none.  Sorts v in place. */
double mtw_system_median(double *v, size_t n);

/* Display % per realtime grade for the route list: A95 B85 C75 D65 F50. */
double mtw_grade_display_pct(mtw_grade g);

/* ---- industry metrics ------------------------------------------------- */

/* TCQSM headway regularity LOS, A-F. */
typedef enum {
    MTW_LOS_A = 0, MTW_LOS_B, MTW_LOS_C, MTW_LOS_D, MTW_LOS_E, MTW_LOS_F
} mtw_los;

const char *mtw_los_str(mtw_los l);

/*
 * Headway coefficient of variation.  With a scheduled headway (> 0):
 * TCQSM's c_vh = standard deviation of the headway deviations (observed -
 * scheduled) / scheduled headway; without: sd / mean of the observed
 * headways.  Sample standard deviation (n - 1).  Returns 0 with *cv, or -1
 * with fewer than 2 headways.
 */
int mtw_headway_cv(const int *h, size_t n, int scheduled, double *cv);

/* LOS from cv, classified on cv rounded to 2 decimals (as published). */
mtw_los mtw_los_from_cv(double cv);

/* Mean passenger wait for headways h: sum(h^2) / (2 sum(h)); -1 if none. */
double mtw_mean_wait(const int *h, size_t n);

/*
 * Excess wait time: actual mean wait (observed headways) minus scheduled
 * mean wait (scheduled gaps).  Returns 0 with *ewt, or -1 when either side
 * is empty.
 */
int mtw_excess_wait(const int *h, size_t n, const int *sched, size_t ns,
                    double *ewt);

/* Share of headways < 25 % of scheduled (bunched). -1 if not computable. */
double mtw_bunched_share(const int *h, size_t n, int scheduled);

/* Share of headways > min(1.5 x scheduled, scheduled + 180 s) (gapped). */
double mtw_gapped_share(const int *h, size_t n, int scheduled);

/* On-time window, seconds (delay + late). */
typedef struct {
    int early_sec;              /* default 60 */
    int late_sec;               /* default 300 */
} mtw_otp_window;

#define MTW_OTP_DEFAULT { 60, 300 }

int mtw_is_on_time(int delay, const mtw_otp_window *w);

/* Share of delays within the window; -1 if n == 0. */
double mtw_on_time_share(const int *delays, size_t n, const mtw_otp_window *w);

/* Which regime judges a route: headway regularity when the scheduled
 * headway is <= 12 min, else schedule adherence. */
typedef enum { MTW_REGIME_HEADWAY = 0, MTW_REGIME_SCHEDULE } mtw_regime;

mtw_regime mtw_regime_for(int scheduled_headway);
const char *mtw_regime_str(mtw_regime r);

#endif
