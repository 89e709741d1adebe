/*
 * csv.c - the pull-style CSV reader described in csv.h.
 *
 * One state machine over a 64 KiB input buffer; the current record is kept
 * in one growing buffer, each field NUL-terminated in place, with an offset
 * table.  Nothing is read ahead beyond the input buffer, so memory is the
 * longest record plus 64 KiB whatever the file size.
 */
#include "gtfs/csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_INBUF (64 * 1024)

enum {
    ST_FIELD_START,   /* before the first byte of a field (spaces skipped) */
    ST_UNQUOTED,      /* inside an unquoted field */
    ST_QUOTED,        /* inside "...": delimiters are data */
    ST_QUOTE_SEEN     /* a '"' inside a quoted field: "" or the end quote */
};

struct mtw_csv {
    char            *name;
    mtw_csv_read_fn  read;
    void            *ctx;
    const char    *(*source_error)(void *ctx);

    char            *in;          /* input buffer */
    size_t           in_len;
    size_t           in_pos;
    int              eof;
    int              started;     /* the BOM check has been done */

    long             line;        /* physical line of the next byte */
    int              prev_cr;     /* last byte was '\r' (CRLF = one line) */
    long             rec_line;    /* line where the current record starts */

    char            *rec;         /* current record's fields, NUL-separated */
    size_t           rec_len;
    size_t           rec_cap;
    uint32_t        *fstart;      /* field i = rec + fstart[i] */
    uint32_t        *flen;
    int              nfields;
    int              fcap;

    char           **header;
    int              ncols;

    char             err[512];
};

mtw_csv *mtw_csv_create(const char *name, mtw_csv_read_fn read, void *ctx)
{
    mtw_csv *csv = calloc(1, sizeof(*csv));

    if (csv == NULL) {
        return NULL;
    }
    csv->name = strdup(name != NULL ? name : "csv");
    csv->in = malloc(CSV_INBUF);
    csv->rec_cap = 4096;
    csv->rec = malloc(csv->rec_cap);
    csv->fcap = 32;
    csv->fstart = malloc(sizeof(*csv->fstart) * csv->fcap);
    csv->flen = malloc(sizeof(*csv->flen) * csv->fcap);
    if (csv->name == NULL || csv->in == NULL || csv->rec == NULL
        || csv->fstart == NULL || csv->flen == NULL)
    {
        mtw_csv_free(csv);
        return NULL;
    }
    csv->read = read;
    csv->ctx = ctx;
    csv->line = 1;
    return csv;
}

void mtw_csv_free(mtw_csv *csv)
{
    int i;

    if (csv == NULL) {
        return;
    }
    for (i = 0; i < csv->ncols; i++) {
        free(csv->header[i]);
    }
    free(csv->header);
    free(csv->fstart);
    free(csv->flen);
    free(csv->rec);
    free(csv->in);
    free(csv->name);
    free(csv);
}

void mtw_csv_set_source_error(mtw_csv *csv, const char *(*fn)(void *ctx))
{
    csv->source_error = fn;
}

static int csv_fail(mtw_csv *csv, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int csv_fail(mtw_csv *csv, long line, const char *fmt, ...)
{
    va_list ap;
    int n;

    n = snprintf(csv->err, sizeof(csv->err), "%s:%ld: ", csv->name, line);
    if (n < 0 || (size_t) n >= sizeof(csv->err)) {
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(csv->err + n, sizeof(csv->err) - n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Refills the input buffer: 1 with data, 0 at the end, -1 on error. */
static int csv_fill(mtw_csv *csv)
{
    long n;

    if (csv->eof) {
        return 0;
    }
    csv->in_pos = 0;
    csv->in_len = 0;
    n = csv->read(csv->ctx, csv->in, CSV_INBUF);
    if (n < 0) {
        const char *why = csv->source_error != NULL
                          ? csv->source_error(csv->ctx) : NULL;
        return csv_fail(csv, csv->line, "read failed%s%s",
                        why != NULL && *why ? ": " : "",
                        why != NULL ? why : "");
    }
    if (n == 0) {
        csv->eof = 1;
        return 0;
    }
    csv->in_len = (size_t) n;
    return 1;
}

/* Skips a UTF-8 byte order mark at the very start of the stream. */
static int csv_skip_bom(mtw_csv *csv)
{
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
    size_t matched = 0;
    int rc;

    csv->started = 1;
    /* the source may hand out fewer than 3 bytes at a time: compare as the
     * bytes come, keeping any partial match to replay as data */
    for (;;) {
        if (csv->in_pos == csv->in_len) {
            rc = csv_fill(csv);
            if (rc <= 0) {
                break;
            }
        }
        if ((unsigned char) csv->in[csv->in_pos] != bom[matched]) {
            break;
        }
        csv->in_pos++;
        if (++matched == 3) {
            return 0;
        }
    }
    if (csv->err[0] != '\0') {
        return -1;
    }
    if (matched > 0) {
        /* a partial BOM is data: the matched bytes may have left the
         * buffer in a refill, so put them back in front */
        size_t rest = csv->in_len - csv->in_pos;
        if (matched + rest > CSV_INBUF) {
            return csv_fail(csv, 1, "cannot rewind partial byte order mark");
        }
        memmove(csv->in + matched, csv->in + csv->in_pos, rest);
        memcpy(csv->in, bom, matched);
        csv->in_pos = 0;
        csv->in_len = matched + rest;
    }
    return 0;
}

static int csv_grow_record(mtw_csv *csv, size_t need)
{
    size_t cap = csv->rec_cap;
    char *p;

    while (cap < need) {
        cap *= 2;
    }
    if (cap > MTW_CSV_MAX_RECORD + 16) {
        cap = MTW_CSV_MAX_RECORD + 16;
        if (cap < need) {
            return csv_fail(csv, csv->rec_line,
                            "record longer than %d bytes (stray quote?)",
                            MTW_CSV_MAX_RECORD);
        }
    }
    p = realloc(csv->rec, cap);
    if (p == NULL) {
        return csv_fail(csv, csv->rec_line, "out of memory");
    }
    csv->rec = p;
    csv->rec_cap = cap;
    return 0;
}

/*
 * Closes the field that began at start: trims it and NUL-terminates it.
 * The NUL takes a byte of the record, so an empty field grows it like a
 * character does (and counts toward MTW_CSV_MAX_RECORD): a line of
 * commas is a record of NULs.
 */
static int csv_end_field(mtw_csv *csv, size_t start)
{
    size_t end = csv->rec_len;

    if (csv->rec_len + 2 > csv->rec_cap
        && csv_grow_record(csv, csv->rec_len + 2) != 0)
    {
        return -1;
    }

    while (start < end && (csv->rec[start] == ' ' || csv->rec[start] == '\t')) {
        start++;
    }
    while (end > start
           && (csv->rec[end - 1] == ' ' || csv->rec[end - 1] == '\t'))
    {
        end--;
    }
    if (csv->nfields == csv->fcap) {
        int cap = csv->fcap * 2;
        uint32_t *s = realloc(csv->fstart, sizeof(*s) * cap);
        uint32_t *l;

        if (s == NULL) {
            return csv_fail(csv, csv->rec_line, "out of memory");
        }
        csv->fstart = s;
        l = realloc(csv->flen, sizeof(*l) * cap);
        if (l == NULL) {
            return csv_fail(csv, csv->rec_line, "out of memory");
        }
        csv->flen = l;
        csv->fcap = cap;
    }
    csv->fstart[csv->nfields] = (uint32_t) start;
    csv->flen[csv->nfields] = (uint32_t) (end - start);
    csv->nfields++;
    csv->rec[end] = '\0';
    csv->rec_len = end + 1;
    return 0;
}

#define CSV_PUT(csv, ch) do {                                           \
        if ((csv)->rec_len + 2 > (csv)->rec_cap                         \
            && csv_grow_record((csv), (csv)->rec_len + 2) != 0)         \
        {                                                               \
            return -1;                                                  \
        }                                                               \
        (csv)->rec[(csv)->rec_len++] = (ch);                            \
    } while (0)

/*
 * Reads one physical record (possibly spanning lines inside quotes): 1 with
 * the fields in csv->rec, 0 at the end of input, -1 on error.
 */
static int csv_read_record(mtw_csv *csv)
{
    int state = ST_FIELD_START;
    int any = 0;        /* a byte of this record has been consumed */
    int quoted = 0;     /* the record has a quoted field (not blank) */
    size_t fstart = 0;
    long quote_line = 0;
    int rc;
    char c;

    csv->rec_len = 0;
    csv->nfields = 0;
    if (!csv->started && csv_skip_bom(csv) != 0) {
        return -1;
    }
    for (;;) {
        if (csv->in_pos == csv->in_len) {
            rc = csv_fill(csv);
            if (rc < 0) {
                return -1;
            }
            if (rc == 0) {
                break;
            }
        }
        c = csv->in[csv->in_pos++];

        if (!any) {
            any = 1;
            csv->rec_line = csv->line;
        }
        if (c == '\n') {
            if (!csv->prev_cr) {
                csv->line++;
            }
            csv->prev_cr = 0;
        } else if (c == '\r') {
            csv->line++;
            csv->prev_cr = 1;
        } else {
            csv->prev_cr = 0;
        }

        /* outside quotes a comma ends the field and a line end the record */
        if (state != ST_QUOTED) {
            if (state == ST_FIELD_START && c != ' ' && c != '\t') {
                fstart = csv->rec_len;
            }
            if (c == ',') {
                if (csv_end_field(csv, fstart) != 0) {
                    return -1;
                }
                state = ST_FIELD_START;
                continue;
            }
            if (c == '\n' || c == '\r') {
                goto end_of_line;
            }
        }

        switch (state) {
        case ST_FIELD_START:
            if (c == ' ' || c == '\t') {
                break;                  /* padding before the field */
            }
            if (c == '"') {
                state = ST_QUOTED;
                quoted = 1;
                quote_line = csv->line;
                break;
            }
            CSV_PUT(csv, c);
            state = ST_UNQUOTED;
            break;

        case ST_UNQUOTED:
            /* a stray quote inside an unquoted field is kept as data */
            CSV_PUT(csv, c);
            break;

        case ST_QUOTED:
            if (c == '"') {
                state = ST_QUOTE_SEEN;
                break;
            }
            CSV_PUT(csv, c);
            break;

        case ST_QUOTE_SEEN:
            if (c == '"') {             /* "" is one quote */
                CSV_PUT(csv, '"');
                state = ST_QUOTED;
                break;
            }
            /* text after the closing quote ("ab"c): kept, leniently */
            CSV_PUT(csv, c);
            state = ST_UNQUOTED;
            break;
        }
        continue;

    end_of_line:
        if (c == '\r') {
            /* swallow the '\n' of a CRLF, possibly in the next buffer */
            if (csv->in_pos == csv->in_len) {
                rc = csv_fill(csv);
                if (rc < 0) {
                    return -1;
                }
            }
            if (csv->in_pos < csv->in_len && csv->in[csv->in_pos] == '\n') {
                csv->in_pos++;
                csv->prev_cr = 0;
            }
        }
        if (csv_end_field(csv, fstart) != 0) {
            return -1;
        }
        if (csv->nfields == 1 && csv->flen[0] == 0 && !quoted) {
            /* blank (or all-space) line: not a record */
            csv->rec_len = 0;
            csv->nfields = 0;
            any = 0;
            state = ST_FIELD_START;
            continue;
        }
        return 1;
    }

    /* end of input */
    if (state == ST_QUOTED) {
        return csv_fail(csv, quote_line,
                        "quoted field never closed (file ends inside it)");
    }
    if (!any) {
        return 0;
    }
    if (state == ST_FIELD_START) {
        fstart = csv->rec_len;
    }
    if (csv_end_field(csv, fstart) != 0) {
        return -1;
    }
    if (csv->nfields == 1 && csv->flen[0] == 0 && !quoted) {
        csv->nfields = 0;
        return 0;
    }
    return 1;
}

int mtw_csv_read_header(mtw_csv *csv)
{
    int rc, i;

    rc = csv_read_record(csv);
    if (rc < 0) {
        return -1;
    }
    if (rc == 0) {
        return csv_fail(csv, 1, "empty file (no header line)");
    }
    csv->header = calloc(csv->nfields, sizeof(char *));
    if (csv->header == NULL) {
        return csv_fail(csv, csv->rec_line, "out of memory");
    }
    for (i = 0; i < csv->nfields; i++) {
        csv->header[i] = strdup(csv->rec + csv->fstart[i]);
        if (csv->header[i] == NULL) {
            csv->ncols = i;
            return csv_fail(csv, csv->rec_line, "out of memory");
        }
    }
    csv->ncols = csv->nfields;
    csv->nfields = 0;
    return 0;
}

int mtw_csv_column(const mtw_csv *csv, const char *name)
{
    int i;

    for (i = 0; i < csv->ncols; i++) {
        if (strcmp(csv->header[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

int mtw_csv_columns(const mtw_csv *csv)
{
    return csv->ncols;
}

const char *mtw_csv_column_name(const mtw_csv *csv, int i)
{
    return i >= 0 && i < csv->ncols ? csv->header[i] : "";
}

int mtw_csv_next(mtw_csv *csv)
{
    return csv_read_record(csv);
}

const char *mtw_csv_field(const mtw_csv *csv, int col, size_t *len)
{
    if (col < 0 || col >= csv->nfields) {
        if (len != NULL) {
            *len = 0;
        }
        return "";
    }
    if (len != NULL) {
        *len = csv->flen[col];
    }
    return csv->rec + csv->fstart[col];
}

int mtw_csv_fields(const mtw_csv *csv)
{
    return csv->nfields;
}

long mtw_csv_line(const mtw_csv *csv)
{
    return csv->rec_line;
}

void *mtw_csv_source(const mtw_csv *csv)
{
    return csv->ctx;
}

const char *mtw_csv_name(const mtw_csv *csv)
{
    return csv->name;
}

const char *mtw_csv_error(const mtw_csv *csv)
{
    return csv->err;
}

long mtw_csv_mem_read(void *ctx, char *buf, size_t len)
{
    mtw_csv_mem *m = ctx;
    size_t n = m->len - m->pos;

    if (n > len) {
        n = len;
    }
    if (m->chunk != 0 && n > m->chunk) {
        n = m->chunk;
    }
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (long) n;
}
