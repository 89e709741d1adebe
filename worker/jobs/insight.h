/*
 * insight.h - a plain-language reading of some numbers by an
 * OpenAI-compatible chat-completions API (MTW_OPENAI_API_KEY, _BASE_URL,
 * _MODEL), cached in Redis for 24 h under a hash of the numbers, so an
 * unchanged analysis costs no call.  Any failure (no key, network, status,
 * an answer without text) returns NULL and the caller keeps its own
 * reading built from the numbers.
 */
#ifndef MTW_JOBS_INSIGHT_H
#define MTW_JOBS_INSIGHT_H

#include "config.h"
#include "store/redis_link.h"

#include <stddef.h>

#define MTW_INSIGHT_TTL_SEC 86400
#define MTW_INSIGHT_MAX     1000    /* characters kept of an answer */

/*
 * The reading of numbers (JSON) about topic for city; rc may be NULL (no
 * cache).  Plain text (caller frees), or NULL with why in err (never the
 * key).  *cached says whether it came from the cache.
 */
char *mtw_insight(const mtw_config *cfg, mtw_redis_link *rc,
                  const char *city, const char *topic, const char *numbers,
                  int *cached, char *err, size_t errlen);

#endif
