/*
 * gtfs_zip.h - the files of a GTFS zip, streamed one entry at a time.
 *
 * Finds a GTFS file ("stops.txt") whatever folder it was zipped under
 * ("feed/stops.txt"), ignoring macOS resource forks (`__MACOSX/`, `._*`),
 * and streams its bytes through libzip without extracting anything, so a
 * file of any size costs a fixed buffer.  A file that is not a zip, or a
 * truncated one, is an error message, never a crash.
 *
 *   mtw_gtfs_zip *zip = mtw_gtfs_zip_open("feed.zip", err, sizeof(err));
 *   if (mtw_gtfs_zip_has(zip, "shapes.txt")) {
 *       mtw_csv *csv = mtw_gtfs_zip_csv_open(zip, "shapes.txt", err, len);
 *       while (mtw_csv_next(csv) == 1) ...
 *       mtw_gtfs_zip_csv_close(csv);
 *   }
 *   mtw_gtfs_zip_close(zip);
 */
#ifndef MTW_GTFS_ZIP_H
#define MTW_GTFS_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "gtfs/csv.h"

typedef struct mtw_gtfs_zip mtw_gtfs_zip;
typedef struct mtw_gtfs_entry mtw_gtfs_entry;

/*
 * A zip is the agency's input, maybe a bomb.  Reading an entry fails past
 * MTW_GTFS_MAX_ENTRY_BYTES uncompressed bytes (whatever its header
 * claims), or once past MTW_GTFS_RATIO_AFTER bytes when it has inflated
 * more than MTW_GTFS_MAX_RATIO times its compressed size (real GTFS text
 * deflates 4-12 times; the x20 Saskatoon stop_times.txt 8 times).
 */
#define MTW_GTFS_MAX_ENTRY_BYTES ((uint64_t) 2 * 1024 * 1024 * 1024)
#define MTW_GTFS_MAX_RATIO       200
#define MTW_GTFS_RATIO_AFTER     ((uint64_t) 16 * 1024 * 1024)

/* Opens a zip file; NULL with a one-line reason in err. */
mtw_gtfs_zip *mtw_gtfs_zip_open(const char *path, char *err, size_t errlen);
void mtw_gtfs_zip_close(mtw_gtfs_zip *zip);

/* 1 when the feed has the file name (e.g. "stops.txt"), else 0. */
int mtw_gtfs_zip_has(const mtw_gtfs_zip *zip, const char *name);

/* The entry's path inside the zip ("feed/stops.txt"), or NULL if absent. */
const char *mtw_gtfs_zip_path(const mtw_gtfs_zip *zip, const char *name);

/* Uncompressed size of the file in bytes (0 when absent or unknown). */
uint64_t mtw_gtfs_zip_size(const mtw_gtfs_zip *zip, const char *name);

/*
 * Streams one file: NULL with a reason in err when it is absent ("stops.txt:
 * missing from the feed") or cannot be opened.
 */
mtw_gtfs_entry *mtw_gtfs_entry_open(mtw_gtfs_zip *zip, const char *name,
                                    char *err, size_t errlen);
void mtw_gtfs_entry_close(mtw_gtfs_entry *entry);

/* An mtw_csv_read_fn over an entry (ctx is the mtw_gtfs_entry). */
long mtw_gtfs_entry_read(void *entry, char *buf, size_t len);

/* Why the last read failed ("CRC error", "truncated data"), or "". */
const char *mtw_gtfs_entry_error(void *entry);

/* Bytes delivered so far, and the uncompressed total (for progress). */
uint64_t mtw_gtfs_entry_offset(const mtw_gtfs_entry *entry);
uint64_t mtw_gtfs_entry_size(const mtw_gtfs_entry *entry);

/*
 * A CSV reader over one file of the feed with its header already read:
 * NULL with "name: reason" in err when the file is absent, unreadable or
 * has no header.  mtw_csv_source() of the result is its mtw_gtfs_entry.
 * Close it with mtw_gtfs_zip_csv_close() (frees the reader and the entry).
 */
mtw_csv *mtw_gtfs_zip_csv_open(mtw_gtfs_zip *zip, const char *name,
                               char *err, size_t errlen);
void mtw_gtfs_zip_csv_close(mtw_csv *csv);

#endif
