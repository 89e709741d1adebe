/*
 * test_csv.c - the GTFS CSV reader, one test per edge case real feeds have,
 * each run with whole-buffer reads and with tiny reads (1 and 7 bytes) so
 * that every state boundary also falls across a refill.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gtfs/csv.h"
#include "gtfs/parse.h"

static const size_t chunks[] = { 0, 1, 7 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

typedef struct {
    mtw_csv_mem  mem;
    mtw_csv     *csv;
} reader;

static void open_reader(reader *r, const char *text, size_t len, size_t chunk)
{
    r->mem.data = text;
    r->mem.len = len;
    r->mem.pos = 0;
    r->mem.chunk = chunk;
    r->csv = mtw_csv_create("t.txt", mtw_csv_mem_read, &r->mem);
    assert_non_null(r->csv);
}

static mtw_csv *open_with_header(reader *r, const char *text, size_t chunk)
{
    open_reader(r, text, strlen(text), chunk);
    assert_int_equal(mtw_csv_read_header(r->csv), 0);
    return r->csv;
}

static void test_bom_and_header(void **state)
{
    static const char text[] = "\xEF\xBB\xBF" "stop_id,stop_name\n1,A\n";
    reader r;
    size_t i;

    (void) state;
    for (i = 0; i < NCHUNKS; i++) {
        mtw_csv *csv = open_with_header(&r, text, chunks[i]);

        assert_int_equal(mtw_csv_columns(csv), 2);
        assert_int_equal(mtw_csv_column(csv, "stop_id"), 0);
        assert_string_equal(mtw_csv_column_name(csv, 0), "stop_id");
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_string_equal(mtw_csv_field(csv, 0, NULL), "1");
        assert_int_equal(mtw_csv_next(csv), 0);
        mtw_csv_free(csv);
    }
}

static void test_partial_bom_is_data(void **state)
{
    /* EF BB followed by something else is not a BOM: keep the bytes */
    static const char text[] = "\xEF\xBBx,b\n1,2\n";
    reader r;
    size_t i;

    (void) state;
    for (i = 0; i < NCHUNKS; i++) {
        mtw_csv *csv = open_with_header(&r, text, chunks[i]);

        assert_string_equal(mtw_csv_column_name(csv, 0), "\xEF\xBBx");
        assert_int_equal(mtw_csv_column(csv, "b"), 1);
        mtw_csv_free(csv);
    }
}

static void test_line_endings(void **state)
{
    static const char *texts[] = {
        "a,b\n1,2\n3,4\n",
        "a,b\r\n1,2\r\n3,4\r\n",
        "a,b\r1,2\r3,4\r",
        "a,b\r\n1,2\n3,4",           /* mixed, no final newline */
    };
    reader r;
    size_t i, k;

    (void) state;
    for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
        for (i = 0; i < NCHUNKS; i++) {
            mtw_csv *csv = open_with_header(&r, texts[k], chunks[i]);

            assert_int_equal(mtw_csv_next(csv), 1);
            assert_int_equal(mtw_csv_line(csv), 2);
            assert_string_equal(mtw_csv_field(csv, 1, NULL), "2");
            assert_int_equal(mtw_csv_next(csv), 1);
            assert_int_equal(mtw_csv_line(csv), 3);
            assert_string_equal(mtw_csv_field(csv, 0, NULL), "3");
            assert_string_equal(mtw_csv_field(csv, 1, NULL), "4");
            assert_int_equal(mtw_csv_next(csv), 0);
            mtw_csv_free(csv);
        }
    }
}

static void test_quoted_fields(void **state)
{
    static const char text[] =
        "id,name,desc\r\n"
        "1,\"Main St, North\",\"He said \"\"hi\"\"\"\r\n"
        "2,\"two\r\nlines\",\"\"\r\n"
        "3,x,y\r\n";
    reader r;
    size_t i, len;

    (void) state;
    for (i = 0; i < NCHUNKS; i++) {
        mtw_csv *csv = open_with_header(&r, text, chunks[i]);

        assert_int_equal(mtw_csv_next(csv), 1);
        assert_string_equal(mtw_csv_field(csv, 1, NULL), "Main St, North");
        assert_string_equal(mtw_csv_field(csv, 2, &len), "He said \"hi\"");
        assert_int_equal(len, 12);
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_line(csv), 3);
        assert_string_equal(mtw_csv_field(csv, 1, NULL), "two\r\nlines");
        assert_string_equal(mtw_csv_field(csv, 2, NULL), "");
        assert_int_equal(mtw_csv_fields(csv), 3);
        /* the quoted line break counts: record 3 starts on line 5 */
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_line(csv), 5);
        assert_string_equal(mtw_csv_field(csv, 0, NULL), "3");
        assert_int_equal(mtw_csv_next(csv), 0);
        mtw_csv_free(csv);
    }
}

static void test_padded_fields(void **state)
{
    static const char text[] =
        " stop_id , wheelchair_boarding \n"
        "  12 ,0 \n"
        "\t\"  quoted  \" ,\t1\t\n";
    reader r;
    size_t i, len;

    (void) state;
    for (i = 0; i < NCHUNKS; i++) {
        mtw_csv *csv = open_with_header(&r, text, chunks[i]);

        assert_int_equal(mtw_csv_column(csv, "wheelchair_boarding"), 1);
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_string_equal(mtw_csv_field(csv, 0, &len), "12");
        assert_int_equal(len, 2);
        assert_string_equal(mtw_csv_field(csv, 1, NULL), "0");
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_string_equal(mtw_csv_field(csv, 0, NULL), "quoted");
        assert_string_equal(mtw_csv_field(csv, 1, NULL), "1");
        mtw_csv_free(csv);
    }
}

static void test_ragged_rows(void **state)
{
    static const char text[] =
        "a,b,c\n"
        "1\n"                /* fewer fields: the rest read as empty */
        "1,2,3,4,5\n"        /* more fields: extras ignored */
        "1,,\n";
    reader r;
    size_t i;

    (void) state;
    for (i = 0; i < NCHUNKS; i++) {
        mtw_csv *csv = open_with_header(&r, text, chunks[i]);

        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_fields(csv), 1);
        assert_string_equal(mtw_csv_field(csv, 0, NULL), "1");
        assert_string_equal(mtw_csv_field(csv, 2, NULL), "");
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_fields(csv), 5);
        assert_string_equal(mtw_csv_field(csv, 2, NULL), "3");
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_fields(csv), 3);
        assert_string_equal(mtw_csv_field(csv, 1, NULL), "");
        assert_int_equal(mtw_csv_next(csv), 0);
        mtw_csv_free(csv);
    }
}

static void test_column_order_and_unknown(void **state)
{
    static const char text[] =
        "extra_thing,stop_lat,stop_id,stop_lon\n"
        "zz,52.1,S1,-106.6\n";
    reader r;
    mtw_csv *csv;

    (void) state;
    csv = open_with_header(&r, text, 0);
    assert_int_equal(mtw_csv_column(csv, "stop_id"), 2);
    assert_int_equal(mtw_csv_column(csv, "stop_lon"), 3);
    assert_int_equal(mtw_csv_column(csv, "stop_code"), -1);
    assert_int_equal(mtw_csv_next(csv), 1);
    assert_string_equal(mtw_csv_field(csv, mtw_csv_column(csv, "stop_id"),
                                      NULL), "S1");
    assert_string_equal(mtw_csv_field(csv, -1, NULL), "");
    mtw_csv_free(csv);
}

static void test_blank_lines_skipped(void **state)
{
    static const char text[] = "\n\na,b\n\n1,2\n   \n\r\n3,4\n\n";
    reader r;
    size_t i;

    (void) state;
    for (i = 0; i < NCHUNKS; i++) {
        mtw_csv *csv = open_with_header(&r, text, chunks[i]);

        assert_int_equal(mtw_csv_columns(csv), 2);
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_line(csv), 5);
        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_line(csv), 8);
        assert_string_equal(mtw_csv_field(csv, 0, NULL), "3");
        assert_int_equal(mtw_csv_next(csv), 0);
        mtw_csv_free(csv);
    }
}

static void test_lenient_stray_quotes(void **state)
{
    static const char text[] = "a,b\n5\" pole,\"x\"y\n";
    reader r;
    mtw_csv *csv;

    (void) state;
    csv = open_with_header(&r, text, 0);
    assert_int_equal(mtw_csv_next(csv), 1);
    assert_string_equal(mtw_csv_field(csv, 0, NULL), "5\" pole");
    assert_string_equal(mtw_csv_field(csv, 1, NULL), "xy");
    mtw_csv_free(csv);
}

static void test_unterminated_quote_is_error(void **state)
{
    static const char text[] = "a,b\n1,2\n3,\"never closed\n4,5\n";
    reader r;
    size_t i;

    (void) state;
    for (i = 0; i < NCHUNKS; i++) {
        mtw_csv *csv = open_with_header(&r, text, chunks[i]);

        assert_int_equal(mtw_csv_next(csv), 1);
        assert_int_equal(mtw_csv_next(csv), -1);
        assert_non_null(strstr(mtw_csv_error(csv), "t.txt:3: quoted field"));
        mtw_csv_free(csv);
    }
}

static void test_empty_file_is_error(void **state)
{
    reader r;

    (void) state;
    open_reader(&r, "\xEF\xBB\xBF\r\n", 5, 0);
    assert_int_equal(mtw_csv_read_header(r.csv), -1);
    assert_string_equal(mtw_csv_error(r.csv),
                        "t.txt:1: empty file (no header line)");
    mtw_csv_free(r.csv);
    open_reader(&r, "", 0, 0);
    assert_int_equal(mtw_csv_read_header(r.csv), -1);
    mtw_csv_free(r.csv);
}

static void test_header_only(void **state)
{
    reader r;
    mtw_csv *csv;

    (void) state;
    csv = open_with_header(&r, "a,b", 0);
    assert_int_equal(mtw_csv_columns(csv), 2);
    assert_int_equal(mtw_csv_next(csv), 0);
    mtw_csv_free(csv);
}

static long failing_read(void *ctx, char *buf, size_t len)
{
    int *calls = ctx;

    if ((*calls)++ == 0) {
        memcpy(buf, "a,b\n1,2\n", 8);
        return 8;
    }
    return -1;
}

static const char *failing_reason(void *ctx)
{
    (void) ctx;
    return "CRC error";
}

static void test_source_error_is_reported(void **state)
{
    int calls = 0;
    mtw_csv *csv = mtw_csv_create("stop_times.txt", failing_read, &calls);

    (void) state;
    mtw_csv_set_source_error(csv, failing_reason);
    assert_int_equal(mtw_csv_read_header(csv), 0);
    assert_int_equal(mtw_csv_next(csv), 1);
    assert_int_equal(mtw_csv_next(csv), -1);
    assert_string_equal(mtw_csv_error(csv),
                        "stop_times.txt:3: read failed: CRC error");
    mtw_csv_free(csv);
}

static void test_huge_record_is_error(void **state)
{
    size_t n = MTW_CSV_MAX_RECORD + 100;
    char *text = malloc(n + 16);
    reader r;

    (void) state;
    memcpy(text, "a\n\"", 3);
    memset(text + 3, 'x', n);
    open_reader(&r, text, n + 3, 0);
    assert_int_equal(mtw_csv_read_header(r.csv), 0);
    assert_int_equal(mtw_csv_next(r.csv), -1);
    assert_non_null(strstr(mtw_csv_error(r.csv), "record longer than"));
    mtw_csv_free(r.csv);
    free(text);
}

/* A record of empty fields: each one's NUL takes a byte of the record
 * buffer, so 200,000 commas must grow it (or fail as too long) and never
 * write past it (issue 10: the NUL was written without room reserved). */
static void test_record_of_empty_fields(void **state)
{
    static const size_t counts[] = { 4095, 4096, 4097, 8191, 200000 };
    size_t k, c;

    (void) state;
    for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        size_t n = counts[k];
        char *text = malloc(n + 16);
        reader r;
        int rc;

        memcpy(text, "a\n", 2);
        memset(text + 2, ',', n);
        text[n + 2] = '\n';
        for (c = 0; c < NCHUNKS; c++) {
            open_reader(&r, text, n + 3, chunks[c]);
            assert_int_equal(mtw_csv_read_header(r.csv), 0);
            rc = mtw_csv_next(r.csv);
            if (n + 1 <= MTW_CSV_MAX_RECORD) {
                assert_int_equal(rc, 1);
            } else {
                assert_int_equal(rc, -1);
            }
            mtw_csv_free(r.csv);
        }
        free(text);
    }
    {   /* more empty fields than the record limit holds: an error */
        size_t n = MTW_CSV_MAX_RECORD + 100;
        char *text = malloc(n + 16);
        reader r;

        memcpy(text, "a\n", 2);
        memset(text + 2, ',', n);
        text[n + 2] = '\n';
        open_reader(&r, text, n + 3, 0);
        assert_int_equal(mtw_csv_read_header(r.csv), 0);
        assert_int_equal(mtw_csv_next(r.csv), -1);
        assert_non_null(strstr(mtw_csv_error(r.csv), "record longer than"));
        mtw_csv_free(r.csv);
        free(text);
    }
}

static void test_many_rows_across_buffers(void **state)
{
    /* 200k rows cross the 64 KiB input buffer many times, CRLF included */
    size_t n = 200000, i, cap = n * 24 + 32, len = 0;
    char *text = malloc(cap);
    reader r;
    long sum = 0;
    mtw_csv *csv;

    (void) state;
    len += (size_t) snprintf(text + len, cap - len, "trip_id,seq\r\n");
    for (i = 0; i < n; i++) {
        len += (size_t) snprintf(text + len, cap - len, "\"t%zu\",%zu\r\n",
                                 i, i % 7);
    }
    open_reader(&r, text, len, 0);
    csv = r.csv;
    assert_int_equal(mtw_csv_read_header(csv), 0);
    for (i = 0; i < n; i++) {
        char want[32];

        assert_int_equal(mtw_csv_next(csv), 1);
        snprintf(want, sizeof(want), "t%zu", i);
        assert_string_equal(mtw_csv_field(csv, 0, NULL), want);
        sum += atol(mtw_csv_field(csv, 1, NULL));
    }
    assert_int_equal(mtw_csv_line(csv), (long) n + 1);
    assert_int_equal(mtw_csv_next(csv), 0);
    assert_int_equal(sum, 599994);   /* 28571 * 21 + 0 + 1 + 2 */
    mtw_csv_free(csv);
    free(text);
}

static void test_parse_time(void **state)
{
    int32_t s;

    (void) state;
    assert_int_equal(mtw_gtfs_parse_time("09:46:00", &s), 0);
    assert_int_equal(s, 9 * 3600 + 46 * 60);
    assert_int_equal(mtw_gtfs_parse_time(" 9:46:00", &s), 0);
    assert_int_equal(s, 9 * 3600 + 46 * 60);
    assert_int_equal(mtw_gtfs_parse_time("9:46:05", &s), 0);
    assert_int_equal(s, 9 * 3600 + 46 * 60 + 5);
    assert_int_equal(mtw_gtfs_parse_time("00:00:00", &s), 0);
    assert_int_equal(s, 0);
    assert_int_equal(mtw_gtfs_parse_time("25:06:00", &s), 0);
    assert_int_equal(s, 90360);
    assert_int_equal(mtw_gtfs_parse_time("86:52:00 ", &s), 0);
    assert_int_equal(s, 86 * 3600 + 52 * 60);
    assert_int_equal(mtw_gtfs_parse_time("100:00:00", &s), 0);
    assert_int_equal(s, 360000);

    assert_int_equal(mtw_gtfs_parse_time("", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("   ", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("9:6:00", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("9:46", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("09:60:00", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("09:00:60", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("09:46:00x", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("-1:00:00", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("1000:00:00", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time(":46:00", &s), -1);
    assert_int_equal(mtw_gtfs_parse_time("9 :46:00", &s), -1);
}

static void test_format_time(void **state)
{
    char out[16];

    (void) state;
    mtw_gtfs_format_time(90360, out);
    assert_string_equal(out, "25:06:00");
    mtw_gtfs_format_time(5, out);
    assert_string_equal(out, "00:00:05");
}

static void test_parse_date_int_double(void **state)
{
    int32_t d;
    long l;
    double v;

    (void) state;
    assert_int_equal(mtw_gtfs_parse_date("20250629", &d), 0);
    assert_int_equal(d, 20250629);
    assert_int_equal(mtw_gtfs_parse_date("20240229", &d), 0);
    assert_int_equal(mtw_gtfs_parse_date("20250229", &d), -1);
    assert_int_equal(mtw_gtfs_parse_date("20251301", &d), -1);
    assert_int_equal(mtw_gtfs_parse_date("2025-06-29", &d), -1);
    assert_int_equal(mtw_gtfs_parse_date("202506290", &d), -1);

    assert_int_equal(mtw_gtfs_parse_int("0 ", 0, 1, &l), 0);
    assert_int_equal(l, 0);
    assert_int_equal(mtw_gtfs_parse_int("2", 0, 1, &l), -1);
    assert_int_equal(mtw_gtfs_parse_int("1x", 0, 1, &l), -1);
    assert_int_equal(mtw_gtfs_parse_int("", 0, 1, &l), -1);

    assert_int_equal(mtw_gtfs_parse_double(" 52.1324", -90, 90, &v), 0);
    assert_true(v > 52.13 && v < 52.14);
    assert_int_equal(mtw_gtfs_parse_double("-106.6689", -180, 180, &v), 0);
    assert_int_equal(mtw_gtfs_parse_double("91", -90, 90, &v), -1);
    assert_int_equal(mtw_gtfs_parse_double("nan", -90, 90, &v), -1);
    assert_int_equal(mtw_gtfs_parse_double("52,1", -90, 90, &v), -1);
    assert_int_equal(mtw_gtfs_parse_double("52.1.2", -90, 90, &v), -1);
    assert_int_equal(mtw_gtfs_parse_double("-", -90, 90, &v), -1);
    assert_int_equal(mtw_gtfs_parse_double(".", -90, 90, &v), -1);
    /* the fast path gives exactly what strtod gives */
    {
        static const char *const values[] = {
            "52.13003", "-106.6618", "0.4244", ".5", "7.", "+3.25",
            "8.71990000000001", "123456789012345", "0.1234567890123456789",
            "1e3", "-0.0", "90", "-180.000000"
        };
        size_t i;

        for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
            assert_int_equal(mtw_gtfs_parse_double(values[i], -1e20, 1e20,
                                                   &v), 0);
            assert_true(v == strtod(values[i], NULL));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bom_and_header),
        cmocka_unit_test(test_partial_bom_is_data),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_padded_fields),
        cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_column_order_and_unknown),
        cmocka_unit_test(test_blank_lines_skipped),
        cmocka_unit_test(test_lenient_stray_quotes),
        cmocka_unit_test(test_unterminated_quote_is_error),
        cmocka_unit_test(test_empty_file_is_error),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_source_error_is_reported),
        cmocka_unit_test(test_huge_record_is_error),
        cmocka_unit_test(test_many_rows_across_buffers),
        cmocka_unit_test(test_record_of_empty_fields),
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_parse_date_int_double),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
