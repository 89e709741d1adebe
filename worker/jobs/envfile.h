/*
 * envfile.h - KEY=VALUE configuration files (conf/worker.env.example).
 *
 * `mtw-worker run --config FILE` (or MTW_CONFIG_FILE) reads such a file at
 * start and again on SIGHUP; its MTW_* settings override the environment.
 */
#ifndef MTW_ENVFILE_H
#define MTW_ENVFILE_H

#include <stddef.h>

/* Sets every MTW_* variable of path.  0, or -1 with file:line in err. */
int mtw_envfile_apply(const char *path, char *err, size_t errlen);

#endif
