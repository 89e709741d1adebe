/*
 * test_config.c - environment parsing, CLI number parsing, Redis URLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "store/redis_url.h"
#include "util/cli.h"

static void clear_env(void)
{
    unsetenv("MTW_POLL_SEC");
    unsetenv("MTW_SCORE_SEC");
    unsetenv("MTW_CLOCK");
    unsetenv("MTW_SERVICE_DATE");
    unsetenv("MTW_REDIS_URL");
}

static void test_defaults(void **state)
{
    mtw_config cfg;
    char err[256];

    (void) state;
    clear_env();
    assert_int_equal(mtw_config_load(&cfg, err, sizeof(err)), 0);
    assert_int_equal(cfg.poll_sec, 12);
    assert_int_equal(cfg.score_sec, 30);
    assert_int_equal(cfg.clock, MTW_CLOCK_WALL);
    assert_null(cfg.service_date);
    assert_string_equal(cfg.redis_url, "redis://127.0.0.1:6379");
}

static void test_bad_values_name_the_variable(void **state)
{
    mtw_config cfg;
    char err[256];

    (void) state;
    clear_env();
    setenv("MTW_POLL_SEC", "0", 1);
    assert_int_equal(mtw_config_load(&cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "MTW_POLL_SEC"));

    clear_env();
    setenv("MTW_CLOCK", "sundial", 1);
    assert_int_equal(mtw_config_load(&cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "MTW_CLOCK"));

    clear_env();
    setenv("MTW_SERVICE_DATE", "2025-02-30", 1);
    assert_int_equal(mtw_config_load(&cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "MTW_SERVICE_DATE"));
    clear_env();
}

static void test_service_dates(void **state)
{
    (void) state;
    assert_true(mtw_config_valid_service_date(NULL));
    assert_true(mtw_config_valid_service_date("auto"));
    assert_true(mtw_config_valid_service_date("2025-06-29"));
    assert_true(mtw_config_valid_service_date("2024-02-29"));
    assert_false(mtw_config_valid_service_date("2025-02-29"));
    assert_false(mtw_config_valid_service_date("2025-13-01"));
    assert_false(mtw_config_valid_service_date("2025-6-29"));
    assert_false(mtw_config_valid_service_date("2025-06-29x"));
    assert_false(mtw_config_valid_service_date(""));
}

static void test_parse_service_date(void **state)
{
    int ymd = 0;

    (void) state;
    assert_int_equal(mtw_config_parse_service_date("2025-06-29", &ymd), 0);
    assert_int_equal(ymd, 20250629);
    assert_int_equal(mtw_config_parse_service_date("20250629", &ymd), -1);
    assert_int_equal(mtw_config_parse_service_date("auto", &ymd), -1);
    assert_int_equal(mtw_config_parse_service_date("2025-02-30", &ymd), -1);
    assert_int_equal(mtw_config_parse_service_date(NULL, &ymd), -1);
}

static void test_parse_long(void **state)
{
    long v;

    (void) state;
    assert_int_equal(mtw_cli_parse_long("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(mtw_cli_parse_long("101", 0, 100, &v), -1);
    assert_int_equal(mtw_cli_parse_long("-1", 0, 100, &v), -1);
    assert_int_equal(mtw_cli_parse_long("4x", 0, 100, &v), -1);
    assert_int_equal(mtw_cli_parse_long("", 0, 100, &v), -1);
    assert_int_equal(mtw_cli_parse_long("99999999999999999999", 0,
                                        100, &v), -1);
}

static void test_redis_urls(void **state)
{
    mtw_redis_addr a;
    char err[256];

    (void) state;
    assert_int_equal(mtw_redis_url_parse("redis://127.0.0.1:6390", &a, err,
                                         sizeof(err)), 0);
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(a.port, 6390);
    assert_int_equal(a.db, 0);

    assert_int_equal(mtw_redis_url_parse("redis://:s3cret@cache.local/2", &a,
                                         err, sizeof(err)), 0);
    assert_string_equal(a.host, "cache.local");
    assert_int_equal(a.port, 6379);
    assert_string_equal(a.password, "s3cret");
    assert_int_equal(a.db, 2);

    assert_int_equal(mtw_redis_url_parse("unix:///run/redis.sock", &a, err,
                                         sizeof(err)), 0);
    assert_string_equal(a.path, "/run/redis.sock");

    assert_int_equal(mtw_redis_url_parse("http://x", &a, err, sizeof(err)),
                     -1);
    assert_int_equal(mtw_redis_url_parse("redis://h:0", &a, err, sizeof(err)),
                     -1);
    assert_int_equal(mtw_redis_url_parse("redis://:7000", &a, err,
                                         sizeof(err)), -1);
    assert_int_equal(mtw_redis_url_parse("redis://h/db", &a, err,
                                         sizeof(err)), -1);

    /* an error about a URL with a password never shows the password */
    assert_int_equal(mtw_redis_url_parse("redis://u:s3cret@h:0", &a, err,
                                         sizeof(err)), -1);
    assert_null(strstr(err, "s3cret"));
    assert_non_null(strstr(err, "redis://***@h:0"));
    assert_int_equal(mtw_redis_url_parse("redis://:s3cret@h/db", &a, err,
                                         sizeof(err)), -1);
    assert_null(strstr(err, "s3cret"));
    assert_int_equal(mtw_redis_url_parse("rediss://:s3cret@h:x", &a, err,
                                         sizeof(err)), -1);
    assert_null(strstr(err, "s3cret"));
    assert_int_equal(mtw_redis_url_parse("redis://:s3cret@:7000", &a, err,
                                         sizeof(err)), -1);
    assert_null(strstr(err, "s3cret"));
}

/* rediss:// is TLS; the environment adds the user, the password and the
 * TLS settings, and refuses what cannot work */
static void test_redis_tls_and_auth(void **state)
{
    mtw_redis_addr a;
    mtw_config cfg;
    char err[256];

    (void) state;
    assert_int_equal(mtw_redis_url_parse("rediss://app:pw@cache.aws:6380/1",
                                         &a, err, sizeof(err)), 0);
    assert_int_equal(a.tls, 1);
    assert_string_equal(a.user, "app");
    assert_string_equal(a.password, "pw");
    assert_string_equal(a.host, "cache.aws");
    assert_int_equal(a.port, 6380);
    assert_int_equal(a.db, 1);
    assert_int_equal(mtw_redis_url_parse("redis://h", &a, err, sizeof(err)),
                     0);
    assert_int_equal(a.tls, 0);

    memset(&cfg, 0, sizeof(cfg));
    cfg.redis_url = "rediss://cache.aws";
    cfg.redis_user = "worker";
    cfg.redis_password = "from-secret";
    cfg.redis_tls_name = "master.cache.aws";
    cfg.redis_ca_file = "/etc/ssl/ca.pem";
    assert_int_equal(mtw_redis_addr_make(&cfg, &a, err, sizeof(err)), 0);
    assert_string_equal(a.user, "worker");
    assert_string_equal(a.password, "from-secret");
    assert_string_equal(a.tls_name, "master.cache.aws");
    assert_string_equal(a.ca_file, "/etc/ssl/ca.pem");

    /* TLS settings without TLS, a user without a password: errors */
    cfg.redis_url = "redis://cache.aws";
    assert_int_equal(mtw_redis_addr_make(&cfg, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "rediss://"));
    cfg.redis_url = "rediss://cache.aws";
    cfg.redis_password = NULL;
    assert_int_equal(mtw_redis_addr_make(&cfg, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "MTW_REDIS_USER"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_bad_values_name_the_variable),
        cmocka_unit_test(test_service_dates),
        cmocka_unit_test(test_parse_service_date),
        cmocka_unit_test(test_parse_long),
        cmocka_unit_test(test_redis_urls),
        cmocka_unit_test(test_redis_tls_and_auth),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
