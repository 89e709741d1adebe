/*
 * chores.c - reloads, retention and weather as child processes
 * (chores.h).
 */
#include "jobs/chores.h"
#include "util/log.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int mtw_chores_init(mtw_chores *c, long reload_sec, long retention_days,
                    long weather_sec, char *err, size_t errlen)
{
    ssize_t n;

    memset(c, 0, sizeof(*c));
    c->reload_sec = reload_sec;
    c->retention_days = retention_days;
    c->weather_sec = weather_sec;
    if (reload_sec == 0 && retention_days == 0 && weather_sec == 0) {
        return 0;
    }
    n = readlink("/proc/self/exe", c->exe, sizeof(c->exe) - 1);
    if (n <= 0) {
        snprintf(err, errlen, "cannot find the worker's binary for the "
                 "reload and retention chores: %s", strerror(errno));
        return -1;
    }
    c->exe[n] = '\0';
    /* chore[0] is always the prune (started only with a retention) */
    snprintf(c->chore[0].label, sizeof(c->chore[0].label), "prune");
    c->chore[0].kind = MTW_CHORE_PRUNE;
    c->n = 1;
    return 0;
}

/* the chore of kind for the city slug, made on first use */
static mtw_chore *chore_of(mtw_chores *c, mtw_chore_kind kind,
                           const char *slug)
{
    mtw_chore *ch;
    int i;

    for (i = 1; i < c->n; i++) {
        if (c->chore[i].kind == kind && strcmp(c->chore[i].slug, slug) == 0) {
            return &c->chore[i];
        }
    }
    if (c->n == MTW_CHORES_MAX) {
        return NULL;
    }
    ch = &c->chore[c->n++];
    ch->kind = kind;
    snprintf(ch->slug, sizeof(ch->slug), "%s", slug);
    snprintf(ch->label, sizeof(ch->label), "%s %s",
             kind == MTW_CHORE_RELOAD ? "gtfs reload" : "weather", slug);
    return ch;
}

static void start(mtw_chores *c, mtw_chore *ch, int64_t now_ms)
{
    char days[24];
    char *argv[8];
    int rc;

    if (ch->kind == MTW_CHORE_RELOAD) {
        argv[0] = c->exe;
        argv[1] = "gtfs-load";
        argv[2] = "--city";
        argv[3] = ch->slug;
        argv[4] = "--reload";
        argv[5] = "--quiet";
        argv[6] = NULL;
        ch->due_ms = now_ms + (int64_t) c->reload_sec * 1000;
    } else if (ch->kind == MTW_CHORE_WEATHER) {
        argv[0] = c->exe;
        argv[1] = "weather";
        argv[2] = "--city";
        argv[3] = ch->slug;
        argv[4] = "--quiet";
        argv[5] = NULL;
        ch->due_ms = now_ms + (int64_t) c->weather_sec * 1000;
    } else {
        snprintf(days, sizeof(days), "%ld", c->retention_days);
        argv[0] = c->exe;
        argv[1] = "prune";
        argv[2] = "--days";
        argv[3] = days;
        argv[4] = NULL;
        ch->due_ms = now_ms + (int64_t) MTW_RETENTION_PERIOD_SEC * 1000;
    }
    rc = posix_spawn(&ch->pid, c->exe, NULL, NULL, argv, environ);
    if (rc != 0) {
        ch->pid = 0;
        mtw_warn("%s: cannot start: %s (next try in its period)", ch->label,
                 strerror(rc));
        return;
    }
    mtw_info("%s: started (pid %d)", ch->label, (int) ch->pid);
}

static void reap(mtw_chore *ch)
{
    int status;
    pid_t r;

    if (ch->pid == 0) {
        return;
    }
    r = waitpid(ch->pid, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) {
        return;                 /* still running */
    }
    if (r == ch->pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        mtw_info("%s: done", ch->label);
    } else if (r == ch->pid && WIFEXITED(status)) {
        mtw_warn("%s: failed (exit %d; its message is above)", ch->label,
                 WEXITSTATUS(status));
    } else if (r == ch->pid && WIFSIGNALED(status)) {
        mtw_warn("%s: killed by signal %d", ch->label, WTERMSIG(status));
    }
    ch->pid = 0;
}

void mtw_chores_tick(mtw_chores *c, const char *const *slugs, int n,
                     int64_t now_ms)
{
    mtw_chore *ch;
    int i;

    for (i = 0; i < c->n; i++) {
        reap(&c->chore[i]);
    }
    for (i = 0; i < n; i++) {
        ch = c->reload_sec > 0 ? chore_of(c, MTW_CHORE_RELOAD, slugs[i])
                               : NULL;
        if (ch != NULL && ch->pid == 0 && now_ms >= ch->due_ms) {
            start(c, ch, now_ms);
        }
        ch = c->weather_sec > 0 ? chore_of(c, MTW_CHORE_WEATHER, slugs[i])
                                : NULL;
        if (ch != NULL && ch->pid == 0 && now_ms >= ch->due_ms) {
            start(c, ch, now_ms);
        }
    }
    if (c->retention_days > 0 && c->chore[0].pid == 0
        && now_ms >= c->chore[0].due_ms)
    {
        start(c, &c->chore[0], now_ms);
    }
}
