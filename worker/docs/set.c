/*
 * set.c - the document set, ETags and document ids (see docs.h).
 */
#include "docs/internal.h"
#include "util/hash64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mtw_doc_set_init(mtw_doc_set *set)
{
    memset(set, 0, sizeof(*set));
}

void mtw_doc_set_free(mtw_doc_set *set)
{
    size_t i;

    for (i = 0; i < set->n; i++) {
        free(set->docs[i].name);
        free(set->docs[i].body);
    }
    free(set->docs);
    memset(set, 0, sizeof(*set));
}

void mtw_etag(const char *body, size_t len, char *out)
{
    snprintf(out, 19, "\"%016llx\"",
             (unsigned long long) mtw_hash64(body, len));
}

int mtw_doc_set_add(mtw_doc_set *set, const char *name, const mtw_jbuf *w,
                    int64_t ts)
{
    return mtw_doc_set_add_tagged(set, name, w, ts, 0, NULL, -1);
}

int mtw_doc_set_add_tagged(mtw_doc_set *set, const char *name,
                           const mtw_jbuf *w, int64_t ts, uint64_t inputs,
                           const char *vids, long ix)
{
    mtw_doc *d;

    if (w->failed || w->buf == NULL) {
        return -1;
    }
    if (set->sink != NULL) {
        mtw_doc tmp;

        tmp.name = (char *) name;
        tmp.body = w->buf;
        tmp.len = w->len;
        tmp.ts = ts;
        tmp.inputs = inputs;
        tmp.vids = vids;
        tmp.ix = ix;
        mtw_etag(w->buf, w->len, tmp.etag);
        set->sunk++;
        set->sunk_bytes += w->len;
        return set->sink(set->sink_ud, &tmp);
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;

        d = realloc(set->docs, cap * sizeof(*d));
        if (d == NULL) {
            return -1;
        }
        set->docs = d;
        set->cap = cap;
    }
    d = &set->docs[set->n];
    d->name = strdup(name);
    d->body = malloc(w->len + 1);
    if (d->name == NULL || d->body == NULL) {
        free(d->name);
        free(d->body);
        return -1;
    }
    memcpy(d->body, w->buf, w->len + 1);
    d->len = w->len;
    d->ts = ts;
    d->inputs = inputs;
    d->vids = NULL;
    d->ix = ix;
    mtw_etag(d->body, d->len, d->etag);
    set->n++;
    return 0;
}

/* ids that may appear in a key (docs/redis-contract.md): the module only
 * asks for these, and nothing else is ever written into a key name */
int mtw_valid_doc_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;

    return n >= 1 && n <= 64
           && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789._~:-") == n;
}
