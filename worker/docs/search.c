/*
 * search.c - the stop name search index (see search.h).
 */
#include "docs/search.h"

#include <string.h>

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

size_t mtw_search_words(const char *name, char *out,
                        size_t starts[MTW_SEARCH_MAX_WORDS])
{
    size_t i, n = 0;
    unsigned char c, prev = ' ';

    for (i = 0; name[i] != '\0'; i++) {
        c = (unsigned char) name[i];
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char) (c - 'A' + 'a');
        }
        out[i] = (char) c;
        if (is_word_byte(c) && !is_word_byte(prev)
            && n < MTW_SEARCH_MAX_WORDS)
        {
            starts[n++] = i;
        }
        prev = c;
    }
    out[i] = '\0';
    return n;
}

size_t mtw_search_entry(const char *lower, size_t start, const char *id,
                        char *buf, size_t buflen)
{
    size_t text = strlen(lower + start), idlen = strlen(id);

    if (text > MTW_SEARCH_MAX_TEXT) {
        text = MTW_SEARCH_MAX_TEXT;
    }
    if (text + 1 + idlen > buflen) {
        return 0;
    }
    memcpy(buf, lower + start, text);
    buf[text] = '\0';
    memcpy(buf + text + 1, id, idlen);
    return text + 1 + idlen;
}
