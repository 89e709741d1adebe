/*
 * fuzz_mtw_vote.c - a rider's vote body, POST /api/vehicle-feedback, as
 * the module parses it before anything reaches Redis.  A body the module
 * accepts has a valid vehicle id and one of the three votes; the parsed
 * document is freed with the pool (LeakSanitizer checks).
 */

#include "ngx_http_mtw_module.h"

#include <stdint.h>


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char      *body;
    ngx_str_t    vehicle, vote;
    ngx_uint_t   i;
    ngx_pool_t  *pool;

    /* the handler refuses a larger body before parsing it */
    if (size > NGX_HTTP_MTW_FEEDBACK_BODY) {
        return 0;
    }

    pool = ngx_create_pool(4096, NULL);
    check(pool != NULL);

    body = ngx_pnalloc(pool, size);
    check(body != NULL);
    if (size) {
        memcpy(body, data, size);
    }

    ngx_str_null(&vehicle);
    ngx_str_null(&vote);

    if (ngx_http_mtw_vote_parse(pool, body, size, &vehicle, &vote)
        == NGX_HTTP_MTW_VOTE_OK)
    {
        /* a key part: 1-64 bytes, none that separates or globs */
        check(vehicle.len >= 1 && vehicle.len <= NGX_HTTP_MTW_MAX_ID);

        for (i = 0; i < vehicle.len; i++) {
            check(vehicle.data[i] > ' ' && vehicle.data[i] < 0x7f);
            check(strchr(":/*?[]{}%\"\\", vehicle.data[i]) == NULL);
        }

        check((vote.len == 4 && memcmp(vote.data, "late", 4) == 0)
              || (vote.len == 5 && memcmp(vote.data, "ahead", 5) == 0)
              || (vote.len == 7 && memcmp(vote.data, "on_time", 7) == 0));
    }

    ngx_destroy_pool(pool);

    return 0;
}
