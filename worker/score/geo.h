/*
 * geo.h - distances on the Earth and projection onto a line of stops.
 *
 * Haversine with R = 6371 km (the reference's constant, reference-
 * algorithms.md §2.5).  Projection onto a polyline uses a local
 * equirectangular approximation per segment: exact enough over the few
 * hundred metres between two bus stops, and cheap.
 */
#ifndef MTW_SCORE_GEO_H
#define MTW_SCORE_GEO_H

#include <stddef.h>

#define MTW_EARTH_RADIUS_M 6371000.0

/* Great-circle distance in metres. */
double mtw_haversine_m(double lat1, double lon1, double lat2, double lon2);

/*
 * Projection of (lat, lon) onto segment A->B.  Returns the distance in
 * metres from the point to the segment; *frac gets the position along the
 * segment in [0, 1].
 */
double mtw_project_segment(double lat, double lon, double alat, double alon,
                           double blat, double blon, double *frac);

#endif
