/*
 * readfile.h - read a whole file into memory (for decode, tests, replay).
 */
#ifndef MTW_READFILE_H
#define MTW_READFILE_H

#include <stddef.h>
#include <stdint.h>

/* malloc'd bytes of path (caller frees), or NULL with a reason in err. */
uint8_t *mtw_read_file(const char *path, size_t max, size_t *len,
                       char *err, size_t errlen);

#endif
