/*
 * sim.h - one frame of simulated GTFS-Realtime for a schedule at a time.
 *
 * Pure given its inputs: the schedule, the seed and delay profile, the
 * service date being played and "now".  Every trip gets a deterministic
 * delay from (seed, date, trip): an initial delay plus a drift along the
 * trip, a few trips run much later (they catch up with the next bus:
 * bunching), a few are cancelled (gaps) and a few skip their middle stop
 * (a SKIPPED stop time update).  Vehicles move along the trip's
 * shape (straight between stops without one); TripUpdates predict the
 * remaining stops with the same delay model, so they agree with the
 * positions; Alerts carry a detour and a moved stop, chosen by the seed.
 */
#ifndef MTW_SIM_H
#define MTW_SIM_H

#include "sim/schedule.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    MTW_SIM_NONE = 0,       /* on time, nothing cancelled */
    MTW_SIM_LIGHT,
    MTW_SIM_NORMAL,
    MTW_SIM_HEAVY
} mtw_sim_profile;

/* "none" | "light" | "normal" | "heavy"; -1 when unknown. */
int mtw_sim_profile_parse(const char *s, mtw_sim_profile *out);

typedef struct {
    uint64_t        seed;
    mtw_sim_profile profile;
    int             bare;   /* positions without stop id, sequence and
                             * status, as most small agencies send them */
} mtw_sim_opts;

typedef struct {
    uint8_t *bytes;         /* packed FeedMessage (malloc'd) */
    size_t   len;
} mtw_sim_buf;

typedef struct {
    size_t vehicles, trip_updates, canceled, skipped, alerts;
} mtw_sim_stats;

/*
 * The three feeds at now (unix seconds) for service date `date`, whose
 * midnight (noon minus 12 h, local) is `midnight`.  Trips of the day
 * before that run past midnight are included.  out[0..2] are vehicles,
 * trip updates, alerts; free them with mtw_sim_bufs_free.  0 or -1 (OOM).
 */
int  mtw_sim_frame(mtw_sim_schedule *s, const mtw_sim_opts *o, int32_t date,
                   int64_t midnight, int64_t now, mtw_sim_buf out[3],
                   mtw_sim_stats *stats);
void mtw_sim_bufs_free(mtw_sim_buf out[3]);

#endif
