/*
 * redis_url.c - MTW_REDIS_URL -> host/port/user/password/db/TLS (pure).
 */
#include "redis_url.h"
#include "util/cli.h"

#include <stdio.h>
#include <string.h>

static int copy_part(char *dst, size_t dstlen, const char *s, size_t n)
{
    if (n >= dstlen) {
        return -1;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* url with any user:password@ part replaced by ***@, for messages: a
 * configuration error must not put the Redis password in a log */
static const char *redacted(const char *url, char *buf, size_t buflen)
{
    const char *scheme_end = strstr(url, "://");
    const char *at;

    if (scheme_end == NULL || (at = strrchr(scheme_end, '@')) == NULL) {
        return url;
    }
    snprintf(buf, buflen, "%.*s***%s", (int) (scheme_end + 3 - url), url, at);
    return buf;
}

int mtw_redis_url_parse(const char *url, mtw_redis_addr *addr,
                        char *err, unsigned errlen)
{
    const char *p, *at, *slash, *colon, *shown;
    long n;
    char num[16], safe[512];

    memset(addr, 0, sizeof(*addr));
    addr->port = 6379;
    shown = redacted(url, safe, sizeof(safe));

    if (strncmp(url, "unix://", 7) == 0) {
        if (url[7] != '/' || copy_part(addr->path, sizeof(addr->path),
                                       url + 7, strlen(url + 7)) != 0)
        {
            snprintf(err, errlen, "redis URL '%s': unix:// needs an "
                     "absolute socket path", shown);
            return -1;
        }
        return 0;
    }
    if (strncmp(url, "rediss://", 9) == 0) {
        addr->tls = 1;
        p = url + 9;
    } else if (strncmp(url, "redis://", 8) == 0) {
        p = url + 8;
    } else {
        snprintf(err, errlen, "redis URL '%s' must start with redis://, "
                 "rediss:// or unix://", shown);
        return -1;
    }

    at = strrchr(p, '@');
    if (at != NULL) {
        colon = memchr(p, ':', (size_t) (at - p));
        if (colon != NULL && copy_part(addr->user, sizeof(addr->user), p,
                                       (size_t) (colon - p)) != 0)
        {
            snprintf(err, errlen, "redis URL: user too long");
            return -1;
        }
        colon = colon ? colon + 1 : p;
        if (copy_part(addr->password, sizeof(addr->password), colon,
                      (size_t) (at - colon)) != 0)
        {
            snprintf(err, errlen, "redis URL: password too long");
            return -1;
        }
        p = at + 1;
    }

    slash = strchr(p, '/');
    if (slash == NULL) {
        slash = p + strlen(p);
    } else if (slash[1] != '\0') {
        if (mtw_cli_parse_long(slash + 1, 0, 1023, &n) != 0) {
            snprintf(err, errlen, "redis URL '%s': database must be a "
                     "number", shown);
            return -1;
        }
        addr->db = (int) n;
    }

    colon = memchr(p, ':', (size_t) (slash - p));
    if (colon != NULL) {
        if (copy_part(num, sizeof(num), colon + 1,
                      (size_t) (slash - colon - 1)) != 0
            || mtw_cli_parse_long(num, 1, 65535, &n) != 0)
        {
            snprintf(err, errlen, "redis URL '%s': port must be 1-65535",
                     shown);
            return -1;
        }
        addr->port = (int) n;
    } else {
        colon = slash;
    }
    if (colon == p || copy_part(addr->host, sizeof(addr->host), p,
                                (size_t) (colon - p)) != 0)
    {
        snprintf(err, errlen, "redis URL '%s': missing or too long host",
                 shown);
        return -1;
    }
    return 0;
}

static int opt_copy(char *dst, size_t dstlen, const char *v, const char *name,
                    char *err, unsigned errlen)
{
    if (v == NULL || v[0] == '\0') {
        return 0;
    }
    if (copy_part(dst, dstlen, v, strlen(v)) != 0) {
        snprintf(err, errlen, "%s is too long", name);
        return -1;
    }
    return 0;
}

int mtw_redis_addr_make(const mtw_config *cfg, mtw_redis_addr *addr,
                        char *err, unsigned errlen)
{
    if (mtw_redis_url_parse(cfg->redis_url, addr, err, errlen) != 0) {
        return -1;
    }
    if (opt_copy(addr->user, sizeof(addr->user), cfg->redis_user,
                 "MTW_REDIS_USER", err, errlen) != 0
        || opt_copy(addr->password, sizeof(addr->password),
                    cfg->redis_password, "MTW_REDIS_PASSWORD", err,
                    errlen) != 0
        || opt_copy(addr->tls_name, sizeof(addr->tls_name),
                    cfg->redis_tls_name, "MTW_REDIS_TLS_NAME", err,
                    errlen) != 0
        || opt_copy(addr->ca_file, sizeof(addr->ca_file), cfg->redis_ca_file,
                    "MTW_REDIS_CA_FILE", err, errlen) != 0)
    {
        return -1;
    }
    if (!addr->tls && (addr->tls_name[0] || addr->ca_file[0])) {
        snprintf(err, errlen, "MTW_REDIS_TLS_NAME / MTW_REDIS_CA_FILE need "
                 "a rediss:// MTW_REDIS_URL");
        return -1;
    }
    if (addr->user[0] && !addr->password[0]) {
        snprintf(err, errlen, "MTW_REDIS_USER needs a password "
                 "(MTW_REDIS_PASSWORD or the URL's)");
        return -1;
    }
    return 0;
}
