/*
 * csv.h - a pull-style CSV reader for GTFS files, over any byte source.
 *
 * Reads one record at a time from a callback (a zip entry, a file, a memory
 * buffer), so a file of any size is read in constant memory.  Accepts what
 * real feeds contain: a UTF-8 byte order mark, CRLF, LF or CR line ends,
 * RFC 4180 quoted fields (embedded commas, doubled quotes, line breaks),
 * fields padded with spaces or tabs (trimmed, quoted or not), blank lines
 * (skipped) and ragged rows (missing trailing fields read as empty, extra
 * fields ignored).  Columns are found by header name, so any column order
 * works and unknown columns are ignored.
 *
 *   mtw_csv *csv = mtw_csv_create("stops.txt", mtw_gtfs_entry_read, entry);
 *   if (mtw_csv_read_header(csv) != 0) ... mtw_csv_error(csv)
 *   int id = mtw_csv_column(csv, "stop_id");          (-1 when absent)
 *   while ((rc = mtw_csv_next(csv)) == 1) {
 *       const char *v = mtw_csv_field(csv, id);       ("" when absent)
 *       ... mtw_csv_line(csv) for error messages
 *   }
 *   if (rc < 0) ... mtw_csv_error(csv)
 *   mtw_csv_free(csv);
 *
 * Field pointers stay valid until the next mtw_csv_next() call.  A record
 * longer than MTW_CSV_MAX_RECORD bytes is an error (a stray quote must not
 * swallow a whole file into memory).
 */
#ifndef MTW_GTFS_CSV_H
#define MTW_GTFS_CSV_H

#include <stddef.h>

#define MTW_CSV_MAX_RECORD (1024 * 1024)

/*
 * Byte source: copies up to len bytes into buf; returns the count, 0 at the
 * end, -1 on a read error (then *err, if the source has one, explains).
 */
typedef long (*mtw_csv_read_fn)(void *ctx, char *buf, size_t len);

typedef struct mtw_csv mtw_csv;

/* name labels error messages ("stops.txt"); it is copied. NULL on OOM. */
mtw_csv *mtw_csv_create(const char *name, mtw_csv_read_fn read, void *ctx);
void mtw_csv_free(mtw_csv *csv);

/* Optional: fn(ctx) explains a read error of the source (zip CRC...). */
void mtw_csv_set_source_error(mtw_csv *csv, const char *(*fn)(void *ctx));

/*
 * Reads the header record (the first non-blank record).  0, or -1 with
 * mtw_csv_error() set (read error, empty file, unterminated quote).
 */
int mtw_csv_read_header(mtw_csv *csv);

/* Index of the column named name (trimmed, exact match), or -1. */
int mtw_csv_column(const mtw_csv *csv, const char *name);

/* Number of header columns, and the name of column i. */
int mtw_csv_columns(const mtw_csv *csv);
const char *mtw_csv_column_name(const mtw_csv *csv, int i);

/*
 * Next data record: 1 when one was read, 0 at the end of the file, -1 on
 * error (mtw_csv_error() says what and where).
 */
int mtw_csv_next(mtw_csv *csv);

/*
 * Field col of the current record, NUL-terminated and trimmed; "" when col
 * is negative or the row has fewer fields.  *len (if not NULL) is its length.
 */
const char *mtw_csv_field(const mtw_csv *csv, int col, size_t *len);

/* Fields in the current record as written (before ragged-row padding). */
int mtw_csv_fields(const mtw_csv *csv);

/* 1-based line number where the current record starts (header is 1). */
long mtw_csv_line(const mtw_csv *csv);

/* The ctx given to mtw_csv_create(). */
void *mtw_csv_source(const mtw_csv *csv);

/* The name given to mtw_csv_create(). */
const char *mtw_csv_name(const mtw_csv *csv);

/* The last error as one line "name:line: reason"; "" when none. */
const char *mtw_csv_error(const mtw_csv *csv);

/* A byte source over a memory buffer (tests, small inline files). */
typedef struct {
    const char *data;
    size_t      len;
    size_t      pos;
    size_t      chunk;   /* max bytes per read, 0 = all; tests use 1 */
} mtw_csv_mem;

long mtw_csv_mem_read(void *ctx, char *buf, size_t len);

#endif
