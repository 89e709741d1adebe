/*
 * grow.c - growing a malloc'ed array by doubling.
 */
#include "util/grow.h"

#include <stdlib.h>

int mtw_grow(void **arr, size_t *cap, size_t need, size_t sz)
{
    size_t c = *cap ? *cap : 64;
    void *p;

    if (need <= *cap) {
        return 0;
    }
    while (c < need) {
        c *= 2;
    }
    p = realloc(*arr, c * sz);
    if (p == NULL) {
        return -1;
    }
    *arr = p;
    *cap = c;
    return 0;
}
