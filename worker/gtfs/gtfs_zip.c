/*
 * gtfs_zip.c - finding and streaming the files of a GTFS zip (libzip).
 */
#include "gtfs/gtfs_zip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

struct mtw_gtfs_zip {
    zip_t *za;
    char  *path;
};

struct mtw_gtfs_entry {
    zip_file_t *zf;
    char       *name;
    uint64_t    offset;
    uint64_t    size;
    uint64_t    comp_size;  /* 0: unknown */
    char        err[256];
};

mtw_gtfs_zip *mtw_gtfs_zip_open(const char *path, char *err, size_t errlen)
{
    mtw_gtfs_zip *zip;
    zip_error_t ze;
    zip_t *za;
    int code = 0;

    za = zip_open(path, ZIP_RDONLY, &code);
    if (za == NULL) {
        if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS) {
            snprintf(err, errlen, "%s: not a zip archive (or truncated)",
                     path);
        } else {
            zip_error_init_with_code(&ze, code);
            snprintf(err, errlen, "%s: cannot open zip: %s", path,
                     zip_error_strerror(&ze));
            zip_error_fini(&ze);
        }
        return NULL;
    }
    zip = calloc(1, sizeof(*zip));
    if (zip == NULL || (zip->path = strdup(path)) == NULL) {
        free(zip);
        zip_discard(za);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    zip->za = za;
    return zip;
}

void mtw_gtfs_zip_close(mtw_gtfs_zip *zip)
{
    if (zip == NULL) {
        return;
    }
    zip_discard(zip->za);    /* read-only: nothing to write back */
    free(zip->path);
    free(zip);
}

/* Whether a zip path is macOS metadata rather than feed content. */
static int is_resource_fork(const char *path, const char *base)
{
    return strncmp(path, "__MACOSX/", 9) == 0
           || strstr(path, "/__MACOSX/") != NULL
           || strncmp(base, "._", 2) == 0;
}

/*
 * Index of the entry whose base name is name (case-insensitively), the
 * shallowest one when several folders hold it; -1 when absent.
 */
static zip_int64_t find_entry(const mtw_gtfs_zip *zip, const char *name)
{
    zip_int64_t n, i, best = -1;
    int best_depth = 0;

    n = zip_get_num_entries(zip->za, 0);
    for (i = 0; i < n; i++) {
        const char *path = zip_get_name(zip->za, (zip_uint64_t) i, 0);
        const char *base, *p;
        int depth = 0;

        if (path == NULL) {
            continue;
        }
        base = path;
        for (p = path; *p != '\0'; p++) {
            if (*p == '/' || *p == '\\') {
                base = p + 1;
                depth++;
            }
        }
        if (*base == '\0' || is_resource_fork(path, base)) {
            continue;
        }
        if (strcasecmp(base, name) == 0 && (best < 0 || depth < best_depth)) {
            best = i;
            best_depth = depth;
        }
    }
    return best;
}

int mtw_gtfs_zip_has(const mtw_gtfs_zip *zip, const char *name)
{
    return find_entry(zip, name) >= 0;
}

const char *mtw_gtfs_zip_path(const mtw_gtfs_zip *zip, const char *name)
{
    zip_int64_t i = find_entry(zip, name);

    return i < 0 ? NULL : zip_get_name(zip->za, (zip_uint64_t) i, 0);
}

uint64_t mtw_gtfs_zip_size(const mtw_gtfs_zip *zip, const char *name)
{
    zip_int64_t i = find_entry(zip, name);
    zip_stat_t st;

    if (i < 0 || zip_stat_index(zip->za, (zip_uint64_t) i, 0, &st) != 0
        || !(st.valid & ZIP_STAT_SIZE))
    {
        return 0;
    }
    return st.size;
}

mtw_gtfs_entry *mtw_gtfs_entry_open(mtw_gtfs_zip *zip, const char *name,
                                    char *err, size_t errlen)
{
    mtw_gtfs_entry *e;
    zip_int64_t i;
    zip_stat_t st;

    i = find_entry(zip, name);
    if (i < 0) {
        snprintf(err, errlen, "%s: missing from the feed", name);
        return NULL;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL || (e->name = strdup(name)) == NULL) {
        free(e);
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    e->zf = zip_fopen_index(zip->za, (zip_uint64_t) i, 0);
    if (e->zf == NULL) {
        snprintf(err, errlen, "%s: cannot read from the zip: %s", name,
                 zip_strerror(zip->za));
        free(e->name);
        free(e);
        return NULL;
    }
    if (zip_stat_index(zip->za, (zip_uint64_t) i, 0, &st) == 0) {
        if (st.valid & ZIP_STAT_SIZE) {
            e->size = st.size;
        }
        if (st.valid & ZIP_STAT_COMP_SIZE) {
            e->comp_size = st.comp_size;
        }
    }
    return e;
}

void mtw_gtfs_entry_close(mtw_gtfs_entry *entry)
{
    if (entry == NULL) {
        return;
    }
    zip_fclose(entry->zf);
    free(entry->name);
    free(entry);
}

long mtw_gtfs_entry_read(void *ctx, char *buf, size_t len)
{
    mtw_gtfs_entry *e = ctx;
    zip_int64_t n;

    n = zip_fread(e->zf, buf, len);
    if (n < 0) {
        snprintf(e->err, sizeof(e->err), "%s", zip_file_strerror(e->zf));
        return -1;
    }
    e->offset += (uint64_t) n;
    if (e->offset > MTW_GTFS_MAX_ENTRY_BYTES) {
        snprintf(e->err, sizeof(e->err), "more than %llu bytes uncompressed: "
                 "refused", (unsigned long long) MTW_GTFS_MAX_ENTRY_BYTES);
        return -1;
    }
    if (e->offset > MTW_GTFS_RATIO_AFTER && e->comp_size > 0
        && e->offset / e->comp_size > MTW_GTFS_MAX_RATIO)
    {
        snprintf(e->err, sizeof(e->err), "inflates more than %d times its "
                 "compressed size (%llu bytes): refused as a zip bomb",
                 MTW_GTFS_MAX_RATIO, (unsigned long long) e->comp_size);
        return -1;
    }
    return (long) n;
}

const char *mtw_gtfs_entry_error(void *ctx)
{
    mtw_gtfs_entry *e = ctx;

    return e->err;
}

uint64_t mtw_gtfs_entry_offset(const mtw_gtfs_entry *entry)
{
    return entry->offset;
}

uint64_t mtw_gtfs_entry_size(const mtw_gtfs_entry *entry)
{
    return entry->size;
}

mtw_csv *mtw_gtfs_zip_csv_open(mtw_gtfs_zip *zip, const char *name,
                               char *err, size_t errlen)
{
    mtw_gtfs_entry *e;
    mtw_csv *csv;

    e = mtw_gtfs_entry_open(zip, name, err, errlen);
    if (e == NULL) {
        return NULL;
    }
    csv = mtw_csv_create(name, mtw_gtfs_entry_read, e);
    if (csv == NULL) {
        snprintf(err, errlen, "%s: out of memory", name);
        mtw_gtfs_entry_close(e);
        return NULL;
    }
    mtw_csv_set_source_error(csv, mtw_gtfs_entry_error);
    if (mtw_csv_read_header(csv) != 0) {
        snprintf(err, errlen, "%s", mtw_csv_error(csv));
        mtw_gtfs_zip_csv_close(csv);
        return NULL;
    }
    return csv;
}

void mtw_gtfs_zip_csv_close(mtw_csv *csv)
{
    mtw_gtfs_entry *e;

    if (csv == NULL) {
        return;
    }
    e = mtw_csv_source(csv);
    mtw_csv_free(csv);
    mtw_gtfs_entry_close(e);
}
