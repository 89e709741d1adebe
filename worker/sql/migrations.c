/*
 * migrations.c - embeds worker/sql/NNNN_*.sql (see migrations.h).
 *
 * To add a migration: write worker/sql/NNNN_name.sql (never edit an
 * applied one), add an MTW_SQL_FILE line and an entry in migrations[]
 * below.  The paths are relative to the repository root, where make
 * compiles from; the Makefile lists the .sql files as prerequisites of this
 * object, since the compiler's dependency files do not see .incbin.
 */
#include "sql/migrations.h"

#define MTW_SQL_FILE(sym, path)                                         \
    __asm__("    .section .rodata\n"                                    \
            "    .balign 16\n"                                          \
            "    .hidden " #sym "_start\n"                              \
            "    .globl " #sym "_start\n"                               \
            #sym "_start:\n"                                            \
            "    .incbin \"" path "\"\n"                                \
            "    .hidden " #sym "_end\n"                                \
            "    .globl " #sym "_end\n"                                 \
            #sym "_end:\n"                                              \
            "    .byte 0\n"                                             \
            "    .previous\n");                                         \
    extern const char sym##_start[], sym##_end[]

MTW_SQL_FILE(mtw_sql_0001, "worker/sql/0001_gtfs.sql");
MTW_SQL_FILE(mtw_sql_0002, "worker/sql/0002_history.sql");
MTW_SQL_FILE(mtw_sql_0003, "worker/sql/0003_gtfs_reload.sql");
MTW_SQL_FILE(mtw_sql_0004, "worker/sql/0004_headway_index.sql");
MTW_SQL_FILE(mtw_sql_0005, "worker/sql/0005_service_exception.sql");
MTW_SQL_FILE(mtw_sql_0006, "worker/sql/0006_headway_covering.sql");

static const struct {
    const char *version;
    const char *start;
    const char *end;
} migrations[] = {
    { "0001_gtfs", mtw_sql_0001_start, mtw_sql_0001_end },
    { "0002_history", mtw_sql_0002_start, mtw_sql_0002_end },
    { "0003_gtfs_reload", mtw_sql_0003_start, mtw_sql_0003_end },
    { "0004_headway_index", mtw_sql_0004_start, mtw_sql_0004_end },
    { "0005_service_exception", mtw_sql_0005_start, mtw_sql_0005_end },
    { "0006_headway_covering", mtw_sql_0006_start, mtw_sql_0006_end },
};

size_t mtw_migration_count(void)
{
    return sizeof(migrations) / sizeof(migrations[0]);
}

mtw_migration mtw_migration_at(size_t i)
{
    mtw_migration m;

    m.version = migrations[i].version;
    m.sql = migrations[i].start;
    m.len = (size_t) (migrations[i].end - migrations[i].start);
    return m;
}
