/*
 * fuzz_mtw_reply.c - bytes from Redis (RESP), read by hiredis' own reader
 * as the module's connection does, then copied into a request pool by
 * ngx_http_mtw_reply_copy and read as the endpoints read them.  Every
 * reply type, nested, truncated, huge: the copy equals the reply, or is
 * refused exactly when the reply nests deeper than the module accepts.
 */

#include "ngx_http_mtw_module.h"

#include <stdint.h>


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)

/*
 * hiredis 0.14 allocates an array's element pointers as soon as it reads
 * the header: "*1000000000" is an 8 GB calloc inside hiredis, before any of
 * our code runs (the fuzzer found it).  Real Redis replies to our commands
 * are far smaller; such inputs are left out here, and the finding is in
 * docs/reliability.md.
 */
#define MAX_DECLARED_ELEMENTS  65536


static int
declares_huge_array(const uint8_t *data, size_t size)
{
    size_t              i;
    unsigned long long  n;

    for (i = 0; i < size; i++) {
        if (data[i] != '*') {
            continue;
        }

        for (n = 0, i++; i < size && data[i] >= '0' && data[i] <= '9'; i++) {
            n = n * 10 + (data[i] - '0');

            if (n > MAX_DECLARED_ELEMENTS) {
                return 1;
            }
        }
    }

    return 0;
}


static ngx_uint_t
depth_of(redisReply *r)
{
    size_t      i;
    ngx_uint_t  d, max;

    if (r->type != REDIS_REPLY_ARRAY) {
        return 0;
    }

    max = 0;

    for (i = 0; i < r->elements; i++) {
        d = depth_of(r->element[i]);
        if (d > max) {
            max = d;
        }
    }

    return max + 1;
}


static void
check_copy(ngx_http_mtw_reply_t *c, redisReply *r)
{
    size_t  i;

    check(c->type == (ngx_uint_t) r->type);
    check(c->integer == r->integer);

    /* the endpoints read a number out of any element (GEO distances) */
    (void) ngx_http_mtw_reply_number(c);

    switch (r->type) {

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        check(c->str.len == r->len);
        check(memcmp(c->str.data, r->str, r->len) == 0);
        check(c->str.data[c->str.len] == '\0');
        check(ngx_http_mtw_reply_is_str(c)
              == (r->type == REDIS_REPLY_STRING));
        break;

    case REDIS_REPLY_ARRAY:
        check(c->nelements == r->elements);

        for (i = 0; i < r->elements; i++) {
            check_copy(&c->element[i], r->element[i]);
        }

        break;

    default:
        check(c->str.data == NULL && c->str.len == 0);
        check(!ngx_http_mtw_reply_is_str(c));
        break;
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    void                  *reply;
    ngx_int_t              rc;
    ngx_pool_t            *pool;
    redisReader           *reader;
    ngx_http_mtw_reply_t   copy;

    if (declares_huge_array(data, size)) {
        return 0;
    }

    reader = redisReaderCreate();
    check(reader != NULL);

    /* as the connection receives it: in two reads, split anywhere */
    if (size > 1) {
        redisReaderFeed(reader, (const char *) data, size / 2);
        redisReaderFeed(reader, (const char *) data + size / 2,
                        size - size / 2);

    } else {
        redisReaderFeed(reader, (const char *) data, size);
    }

    while (redisReaderGetReply(reader, &reply) == REDIS_OK && reply != NULL)
    {
        pool = ngx_create_pool(4096, NULL);
        check(pool != NULL);

        rc = ngx_http_mtw_reply_copy(pool, &copy, reply, 0);

        if (depth_of(reply) > NGX_HTTP_MTW_MAX_DEPTH) {
            check(rc == NGX_ERROR);

        } else {
            check(rc == NGX_OK);
            check_copy(&copy, reply);
        }

        ngx_destroy_pool(pool);
        freeReplyObject(reply);
    }

    redisReaderFree(reader);

    return 0;
}
