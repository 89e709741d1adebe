/*
 * fuzz_csv.c - libFuzzer target: a GTFS text file, whatever its bytes, read
 * by the CSV reader (worker/gtfs/csv.c) in small chunks, every field of
 * every record asked for and parsed as the importer would (times, dates,
 * numbers: worker/gtfs/parse.c).
 */
#include "gtfs/csv.h"
#include "gtfs/parse.h"
#include "util/date.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    mtw_csv_mem mem;
    mtw_csv *csv;
    const char *f;
    size_t flen;
    int32_t secs, ymd32;
    double d;
    long n;
    int i, ymd;

    memset(&mem, 0, sizeof(mem));
    mem.data = (const char *) data;
    mem.len = len;
    mem.chunk = len > 0 ? (size_t) data[0] % 64 + 1 : 1;
    csv = mtw_csv_create("fuzz.txt", mtw_csv_mem_read, &mem);
    if (csv == NULL) {
        return 0;
    }
    if (mtw_csv_read_header(csv) == 0) {
        (void) mtw_csv_column(csv, "stop_id");
        while (mtw_csv_next(csv) > 0) {
            for (i = 0; i < mtw_csv_fields(csv); i++) {
                f = mtw_csv_field(csv, i, &flen);
                if (f == NULL) {
                    continue;
                }
                (void) mtw_gtfs_parse_time(f, &secs);
                (void) mtw_gtfs_parse_date(f, &ymd32);
                (void) mtw_gtfs_parse_int(f, -1000000, 1000000, &n);
                (void) mtw_gtfs_parse_double(f, -180, 180, &d);
                if (mtw_date_parse(f, &ymd) == 0) {
                    (void) mtw_date_weekday(ymd);
                    (void) mtw_date_add(ymd, 400);
                }
            }
        }
    }
    mtw_csv_free(csv);
    return 0;
}
