/*
 * cmd/run.c - `mtw-worker run`: the daemon.
 *
 * Foundation stage: connects to Redis and keeps the city's heartbeat fresh
 * until SIGTERM/SIGINT.  Ingestion, scoring and publishing plug in here.
 */
#include "config.h"
#include "store/redis_url.h"
#include "util/cli.h"
#include "util/log.h"

#include <hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t run_stop;

static void run_on_signal(int sig)
{
    (void) sig;
    run_stop = 1;
}

static redisContext *run_redis_connect(const mtw_redis_addr *addr)
{
    struct timeval tv = { 2, 0 };
    redisContext *rc;
    redisReply *reply;

    rc = addr->path[0] ? redisConnectUnixWithTimeout(addr->path, tv)
                       : redisConnectWithTimeout(addr->host, addr->port, tv);
    if (rc == NULL || rc->err) {
        mtw_warn("redis connect failed: %s", rc ? rc->errstr : "no memory");
        redisFree(rc);
        return NULL;
    }
    redisSetTimeout(rc, tv);
    if (addr->password[0]) {
        reply = redisCommand(rc, "AUTH %s", addr->password);
        if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
            mtw_warn("redis AUTH failed");
            freeReplyObject(reply);
            redisFree(rc);
            return NULL;
        }
        freeReplyObject(reply);
    }
    return rc;
}

static int run_main(const mtw_command *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        { "city", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 }
    };
    mtw_config cfg;
    mtw_redis_addr addr;
    redisContext *rc = NULL;
    redisReply *reply;
    struct sigaction sa;
    char err[512];
    const char *city;
    int c, status;

    if (mtw_config_load(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "mtw-worker run: %s\n", err);
        return MTW_EXIT_USAGE;
    }
    optind = 1;
    while ((c = mtw_cli_next(cmd, argc, argv, opts, &status)) != -1) {
        if (c == MTW_CLI_STOP) {
            return status;
        }
        if (c == 'c') {
            cfg.city = optarg;
        }
    }
    if (optind != argc) {
        return mtw_cli_usage_error(cmd, "unexpected argument '%s'",
                                   argv[optind]);
    }
    if (mtw_redis_url_parse(cfg.redis_url, &addr, err, sizeof(err)) != 0) {
        fprintf(stderr, "mtw-worker run: %s\n", err);
        return MTW_EXIT_USAGE;
    }
    city = cfg.city ? cfg.city : "saskatoon";

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = run_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    mtw_info("worker started: city=%s redis=%s poll=%ds", city,
             cfg.redis_url, cfg.poll_sec);

    while (!run_stop) {
        if (rc == NULL) {
            rc = run_redis_connect(&addr);
        }
        if (rc != NULL) {
            reply = redisCommand(rc, "HSET mtw:%s:heartbeat ts %lld pid %d",
                                 city, (long long) time(NULL), (int) getpid());
            if (reply == NULL) {
                mtw_warn("redis heartbeat failed: %s", rc->errstr);
                redisFree(rc);
                rc = NULL;
            }
            freeReplyObject(reply);
        }
        for (c = 0; c < cfg.poll_sec * 10 && !run_stop; c++) {
            usleep(100000);
        }
    }
    mtw_info("worker stopping");
    redisFree(rc);
    return MTW_EXIT_OK;
}

const mtw_command mtw_cmd_run = {
    "run",
    "the daemon: poll feeds, score, predict, publish",
    "usage: mtw-worker run [--city SLUG]\n"
    "\n"
    "Runs until SIGTERM/SIGINT.  Polls the GTFS-Realtime feeds of each city,\n"
    "scores service, predicts arrivals and publishes JSON documents to Redis.\n"
    "Configuration comes from the environment (see 'mtw-worker --help').\n"
    "\n"
    "  --city SLUG  serve only this city (default: $MTW_CITY)\n",
    run_main
};
