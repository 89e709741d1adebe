/*
 * geo.c - distances on the Earth and projection onto segments (geo.h).
 */
#include "score/geo.h"

#include <math.h>

#define DEG2RAD (M_PI / 180.0)

double mtw_haversine_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG2RAD, p2 = lat2 * DEG2RAD;
    double dp = (lat2 - lat1) * DEG2RAD, dl = (lon2 - lon1) * DEG2RAD;
    double a = sin(dp / 2) * sin(dp / 2)
               + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

    return MTW_EARTH_RADIUS_M * 2 * atan2(sqrt(a), sqrt(1 - a));
}

double mtw_project_segment(double lat, double lon, double alat, double alon,
                           double blat, double blon, double *frac)
{
    double k = cos(((alat + blat) / 2) * DEG2RAD);
    double bx = (blon - alon) * k, by = blat - alat;
    double px = (lon - alon) * k, py = lat - alat;
    double len2 = bx * bx + by * by, t = 0, dx, dy;

    if (len2 > 0) {
        t = (px * bx + py * by) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    dx = px - t * bx;
    dy = py - t * by;
    *frac = t;
    return sqrt(dx * dx + dy * dy) * DEG2RAD * MTW_EARTH_RADIUS_M;
}
