/*
 * readfile.c - whole-file reads with a size cap.
 */
#include "feed/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

uint8_t *mtw_read_file(const char *path, size_t max, size_t *len,
                       char *err, size_t errlen)
{
    struct stat st;
    uint8_t *buf;
    FILE *f;
    size_t n;

    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        fclose(f);
        return NULL;
    }
    if ((size_t) st.st_size > max) {
        snprintf(err, errlen, "%s is larger than %zu bytes", path, max);
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t) st.st_size + 1);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory reading %s", path);
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, (size_t) st.st_size, f);
    if (n != (size_t) st.st_size || ferror(f)) {
        snprintf(err, errlen, "cannot read %s", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}
