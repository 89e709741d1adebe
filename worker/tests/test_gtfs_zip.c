/*
 * test_gtfs_zip.c - finding and streaming GTFS files inside zips: folder
 * prefixes, __MACOSX resource forks, missing files, files that are not zips
 * or are truncated.  Zips are written with libzip into a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <cmocka.h>

#include "gtfs/csv.h"
#include "gtfs/gtfs_zip.h"

typedef struct {
    const char *path;
    const char *text;
} zip_member;

static char tmpdir[64];

static int setup(void **state)
{
    (void) state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mtw-test-zip-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void) state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_zip(const char *file, const zip_member *m, size_t n)
{
    char path[128];
    zip_t *za;
    int err;
    size_t i;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
    za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(za);
    for (i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(za, m[i].text,
                                              strlen(m[i].text), 0);
        assert_non_null(src);
        assert_true(zip_file_add(za, m[i].path, src, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
}

static mtw_gtfs_zip *open_zip(const char *file, char *err, size_t errlen)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
    return mtw_gtfs_zip_open(path, err, errlen);
}

static void test_folder_prefix_and_macosx(void **state)
{
    static const zip_member m[] = {
        { "__MACOSX/feed/._stops.txt", "\x00\x05\x16\x07junk" },
        { "feed/._stops.txt", "junk" },
        { "feed/stops.txt", "stop_id,stop_name\nS1,First\nS2,Second\n" },
        { "feed/deeper/routes.txt", "route_id\nR9\n" },
        { "feed/routes.txt", "route_id\nR1\n" },
    };
    char err[256];
    mtw_gtfs_zip *zip;
    mtw_csv *csv;

    (void) state;
    write_zip("prefixed.zip", m, sizeof(m) / sizeof(m[0]));
    zip = open_zip("prefixed.zip", err, sizeof(err));
    assert_non_null(zip);
    assert_true(mtw_gtfs_zip_has(zip, "stops.txt"));
    assert_false(mtw_gtfs_zip_has(zip, "trips.txt"));
    assert_string_equal(mtw_gtfs_zip_path(zip, "stops.txt"),
                        "feed/stops.txt");
    /* the shallowest copy wins */
    assert_string_equal(mtw_gtfs_zip_path(zip, "routes.txt"),
                        "feed/routes.txt");
    assert_int_equal(mtw_gtfs_zip_size(zip, "stops.txt"), 37);

    csv = mtw_gtfs_zip_csv_open(zip, "stops.txt", err, sizeof(err));
    assert_non_null(csv);
    assert_int_equal(mtw_csv_column(csv, "stop_name"), 1);
    assert_int_equal(mtw_csv_next(csv), 1);
    assert_string_equal(mtw_csv_field(csv, 1, NULL), "First");
    assert_int_equal(mtw_csv_next(csv), 1);
    assert_string_equal(mtw_csv_field(csv, 0, NULL), "S2");
    assert_int_equal(mtw_csv_next(csv), 0);
    assert_int_equal(mtw_gtfs_entry_offset(mtw_csv_source(csv)), 37);
    assert_int_equal(mtw_gtfs_entry_size(mtw_csv_source(csv)), 37);
    mtw_gtfs_zip_csv_close(csv);

    assert_null(mtw_gtfs_zip_csv_open(zip, "trips.txt", err, sizeof(err)));
    assert_string_equal(err, "trips.txt: missing from the feed");
    mtw_gtfs_zip_close(zip);
}

static void test_only_resource_forks_means_missing(void **state)
{
    static const zip_member m[] = {
        { "__MACOSX/._agency.txt", "junk" },
        { "agency.txt", "agency_name\nX\n" },
    };
    char err[256];
    mtw_gtfs_zip *zip;

    (void) state;
    write_zip("mac.zip", m, 2);
    zip = open_zip("mac.zip", err, sizeof(err));
    assert_non_null(zip);
    assert_string_equal(mtw_gtfs_zip_path(zip, "agency.txt"), "agency.txt");
    assert_false(mtw_gtfs_zip_has(zip, "._agency.txt"));
    mtw_gtfs_zip_close(zip);
}

static void test_empty_member_is_header_error(void **state)
{
    static const zip_member m[] = { { "stops.txt", "" } };
    char err[256];
    mtw_gtfs_zip *zip;

    (void) state;
    write_zip("empty.zip", m, 1);
    zip = open_zip("empty.zip", err, sizeof(err));
    assert_non_null(zip);
    assert_null(mtw_gtfs_zip_csv_open(zip, "stops.txt", err, sizeof(err)));
    assert_string_equal(err, "stops.txt:1: empty file (no header line)");
    mtw_gtfs_zip_close(zip);
}

static void test_not_a_zip(void **state)
{
    char path[128], err[256];
    FILE *f;

    (void) state;
    snprintf(path, sizeof(path), "%s/text.zip", tmpdir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("stop_id,stop_name\nS1,First\n", f);
    fclose(f);
    assert_null(mtw_gtfs_zip_open(path, err, sizeof(err)));
    assert_non_null(strstr(err, "not a zip archive"));

    snprintf(path, sizeof(path), "%s/absent.zip", tmpdir);
    assert_null(mtw_gtfs_zip_open(path, err, sizeof(err)));
    assert_non_null(strstr(err, "absent.zip: cannot open zip"));
}

static void test_truncated_zip(void **state)
{
    static char big[200000];
    zip_member m[1];
    char path[128], err[256];
    FILE *f;
    long size;
    size_t i;

    (void) state;
    /* incompressible-ish content so the data is long */
    memcpy(big, "a,b\n", 4);
    for (i = 4; i + 1 < sizeof(big); i++) {
        big[i] = (char) ('a' + (i * 7919 % 26));
    }
    big[sizeof(big) - 1] = '\0';
    m[0].path = "stop_times.txt";
    m[0].text = big;
    write_zip("whole.zip", m, 1);

    snprintf(path, sizeof(path), "%s/whole.zip", tmpdir);
    f = fopen(path, "r+");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    assert_int_equal(truncate(path, size / 2), 0);
    assert_null(mtw_gtfs_zip_open(path, err, sizeof(err)));
    assert_non_null(strstr(err, "not a zip archive (or truncated)"));
}

static void test_corrupt_data_is_read_error(void **state)
{
    static char big[100000];
    zip_member m[1];
    char path[128], err[256];
    mtw_gtfs_zip *zip;
    mtw_csv *csv;
    FILE *f;
    int rc;
    size_t i;

    (void) state;
    memcpy(big, "a,b\n", 4);
    for (i = 4; i + 1 < sizeof(big); i++) {
        big[i] = (i % 10 == 9) ? '\n' : (char) ('0' + (i * 31 % 10));
    }
    big[sizeof(big) - 1] = '\0';
    m[0].path = "stop_times.txt";
    m[0].text = big;
    write_zip("corrupt.zip", m, 1);

    /* flip bytes in the compressed data, past the local header */
    snprintf(path, sizeof(path), "%s/corrupt.zip", tmpdir);
    f = fopen(path, "r+");
    assert_non_null(f);
    fseek(f, 200, SEEK_SET);
    fputs("XXXXXXXXXXXXXXXX", f);
    fclose(f);

    zip = open_zip("corrupt.zip", err, sizeof(err));
    assert_non_null(zip);
    csv = mtw_gtfs_zip_csv_open(zip, "stop_times.txt", err, sizeof(err));
    if (csv != NULL) {
        while ((rc = mtw_csv_next(csv)) == 1) {
        }
        assert_int_equal(rc, -1);
        assert_non_null(strstr(mtw_csv_error(csv), "stop_times.txt:"));
        assert_non_null(strstr(mtw_csv_error(csv), "read failed"));
        mtw_gtfs_zip_csv_close(csv);
    } else {
        assert_non_null(strstr(err, "stop_times.txt"));
    }
    mtw_gtfs_zip_close(zip);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folder_prefix_and_macosx),
        cmocka_unit_test(test_only_resource_forks_means_missing),
        cmocka_unit_test(test_empty_member_is_header_error),
        cmocka_unit_test(test_not_a_zip),
        cmocka_unit_test(test_truncated_zip),
        cmocka_unit_test(test_corrupt_data_is_read_error),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
