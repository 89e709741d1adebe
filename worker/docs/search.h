/*
 * search.h - the stop name search index (docs/redis-contract.md,
 * mtw:{city}:stop:search): pure helpers, no I/O.
 *
 * For every word start of a stop's lower-cased name the index holds
 * "<name from that word on>\0<stop id>" in a sorted set of equal scores,
 * so the module finds the stops with a word starting with the searched
 * text by one ZRANGEBYLEX, never reading every name.
 */
#ifndef MTW_DOCS_SEARCH_H
#define MTW_DOCS_SEARCH_H

#include <stddef.h>

/* Longest name suffix kept in an entry (the API's longest query). */
#define MTW_SEARCH_MAX_TEXT 64

/* Word starts stored per name at most (a name of 200 one-letter words
 * must not make 200 entries). */
#define MTW_SEARCH_MAX_WORDS 16

/*
 * Lower-cases name into out (ASCII A-Z only; other bytes as they are) and
 * writes the offsets in out where a word starts (a byte that is a letter,
 * a digit or part of a UTF-8 sequence, after one that is none of them, or
 * at 0) into starts.  Returns the number of starts (<= MTW_SEARCH_MAX_WORDS).
 * out needs strlen(name) + 1 bytes.
 */
size_t mtw_search_words(const char *name, char *out,
                        size_t starts[MTW_SEARCH_MAX_WORDS]);

/*
 * Writes the index entry for the word at start of the lower-cased name
 * and stop id into buf: up to MTW_SEARCH_MAX_TEXT bytes of the name from
 * start, a NUL byte, the id.  Returns its length (binary: it holds a NUL),
 * or 0 when it does not fit in buflen.
 */
size_t mtw_search_entry(const char *lower, size_t start, const char *id,
                        char *buf, size_t buflen);

#endif
