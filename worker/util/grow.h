/*
 * grow.h - growing a malloc'ed array by doubling.
 */
#ifndef MTW_UTIL_GROW_H
#define MTW_UTIL_GROW_H

#include <stddef.h>

/*
 * Makes *arr (of *cap elements of size sz) hold at least need elements,
 * doubling from 64.  0, or -1 out of memory (*arr and *cap unchanged).
 */
int mtw_grow(void **arr, size_t *cap, size_t need, size_t sz);

#endif
