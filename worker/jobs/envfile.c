/*
 * envfile.c - parse KEY=VALUE lines (comments, blanks, optional quotes).
 */
#include "jobs/envfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char) *s)) {
        s++;
    }
    e = s + strlen(s);
    while (e > s && isspace((unsigned char) e[-1])) {
        *--e = '\0';
    }
    return s;
}

int mtw_envfile_apply(const char *path, char *err, size_t errlen)
{
    char line[4096], *p, *eq, *key, *val;
    size_t n;
    int lineno = 0;
    FILE *f;

    f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", path, lineno);
            fclose(f);
            return -1;
        }
        p = trim(line);
        if (*p == '\0' || *p == '#') {
            continue;
        }
        if (strncmp(p, "export ", 7) == 0) {
            p = trim(p + 7);
        }
        eq = strchr(p, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%d: expected KEY=VALUE", path, lineno);
            fclose(f);
            return -1;
        }
        *eq = '\0';
        key = trim(p);
        val = trim(eq + 1);
        n = strlen(val);
        if (n >= 2 && (val[0] == '"' || val[0] == '\'') && val[n - 1] == val[0]) {
            val[n - 1] = '\0';
            val++;
        }
        if (strncmp(key, "MTW_", 4) != 0) {
            snprintf(err, errlen, "%s:%d: '%s' is not an MTW_* setting",
                     path, lineno, key);
            fclose(f);
            return -1;
        }
        for (p = key; *p; p++) {
            if (!(isupper((unsigned char) *p) || isdigit((unsigned char) *p)
                  || *p == '_'))
            {
                snprintf(err, errlen, "%s:%d: bad name '%s'", path, lineno,
                         key);
                fclose(f);
                return -1;
            }
        }
        if (setenv(key, val, 1) != 0) {
            snprintf(err, errlen, "%s:%d: cannot set %s", path, lineno, key);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}
