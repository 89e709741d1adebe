/*
 * migrations.h - the SQL migrations in worker/sql, built into the binary.
 *
 * The worker ships as one file: `mtw-worker migrate` needs no SQL folder at
 * run time (the production image runs it as a one-off task).  The files are
 * embedded by migrations.c with the assembler's .incbin, in order.
 */
#ifndef MTW_SQL_MIGRATIONS_H
#define MTW_SQL_MIGRATIONS_H

#include <stddef.h>

typedef struct {
    const char *version;   /* "0001_gtfs": the file name without .sql */
    const char *sql;       /* NUL-terminated text of the file */
    size_t      len;
} mtw_migration;

/* Number of migrations, and migration i (0-based, in the order they
 * apply; i must be below the count). */
size_t mtw_migration_count(void);
mtw_migration mtw_migration_at(size_t i);

#endif
