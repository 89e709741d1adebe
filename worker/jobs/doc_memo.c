/*
 * doc_memo.c - the documents Redis already holds (doc_memo.h).
 */
#include "jobs/doc_memo.h"
#include "util/hash64.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

void mtw_doc_memo_init(mtw_doc_memo *m)
{
    memset(m, 0, sizeof(*m));
    m->epoch = 1;               /* (a fresh index entry's is 0) */
}

void mtw_doc_memo_free(mtw_doc_memo *m)
{
    free(m->slot);
    free(m->pend);
    free(m->ix_inputs);
    free(m->ix_epoch);
    memset(m, 0, sizeof(*m));
}

void mtw_doc_memo_clear(mtw_doc_memo *m)
{
    if (m->cap > 0) {
        memset(m->slot, 0, m->cap * sizeof(*m->slot));
    }
    m->n = 0;
    if (++m->epoch == 0) {
        /* (after 4 billion clears: no entry may look current) */
        if (m->ix_cap > 0) {
            memset(m->ix_epoch, 0, m->ix_cap * sizeof(*m->ix_epoch));
        }
        m->epoch = 1;
    }
}

uint64_t mtw_doc_memo_key(const char *s)
{
    uint64_t h = mtw_hash64(s, strlen(s));

    return h != 0 ? h : 1;
}

static size_t slot_of(const mtw_doc_memo *m, uint64_t name)
{
    size_t i = (size_t) (name ^ (name >> 29)) & (m->cap - 1);

    while (m->slot[i].name != 0 && m->slot[i].name != name) {
        i = (i + 1) & (m->cap - 1);
    }
    return i;
}

int mtw_doc_memo_holds(const mtw_doc_memo *m, uint64_t name, uint64_t etag)
{
    size_t i;

    if (m->n == 0) {
        return 0;
    }
    i = slot_of(m, name);
    return m->slot[i].name == name && m->slot[i].etag == etag;
}

/* at most half full: doubles (rehashing) when it would pass that */
static int memo_reserve(mtw_doc_memo *m, size_t need)
{
    mtw_doc_memo bigger;
    size_t i, cap = m->cap ? m->cap : 1024;

    while (need * 2 > cap) {
        cap *= 2;
    }
    if (cap == m->cap) {
        return 0;
    }
    bigger.cap = cap;
    bigger.slot = calloc(cap, sizeof(*bigger.slot));
    if (bigger.slot == NULL) {
        return -1;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->slot[i].name != 0) {
            bigger.slot[slot_of(&bigger, m->slot[i].name)] = m->slot[i];
        }
    }
    free(m->slot);
    m->slot = bigger.slot;
    m->cap = cap;
    return 0;
}

int mtw_doc_memo_note(mtw_doc_memo *m, uint64_t name, uint64_t etag)
{
    if (mtw_grow((void **) &m->pend, &m->cap_pend, m->npend + 2,
                 sizeof(*m->pend)) != 0)
    {
        mtw_doc_memo_clear(m);
        m->npend = 0;
        return -1;
    }
    m->pend[m->npend++] = name;
    m->pend[m->npend++] = etag;
    return 0;
}

int mtw_doc_memo_ix_holds(const mtw_doc_memo *m, size_t ix,
                          uint64_t inputs)
{
    return ix < m->ix_cap && m->ix_epoch[ix] == m->epoch
           && m->ix_inputs[ix] == inputs;
}

int mtw_doc_memo_ix_note(mtw_doc_memo *m, size_t ix, uint64_t inputs)
{
    size_t cap = m->ix_cap;

    if (ix >= cap) {
        uint64_t *in;
        uint32_t *ep;

        cap = cap ? cap : 1024;
        while (cap <= ix) {
            cap *= 2;
        }
        in = realloc(m->ix_inputs, cap * sizeof(*in));
        if (in != NULL) {
            m->ix_inputs = in;
        }
        ep = realloc(m->ix_epoch, cap * sizeof(*ep));
        if (ep != NULL) {
            m->ix_epoch = ep;
        }
        if (in == NULL || ep == NULL) {
            mtw_doc_memo_clear(m);
            return -1;
        }
        memset(m->ix_epoch + m->ix_cap, 0,
               (cap - m->ix_cap) * sizeof(*ep));
        m->ix_cap = cap;
    }
    m->ix_inputs[ix] = inputs;
    m->ix_epoch[ix] = m->epoch;
    m->ix_pend++;
    return 0;
}

void mtw_doc_memo_settle(mtw_doc_memo *m, unsigned long publishes,
                         unsigned long conn)
{
    size_t k, i;

    if (conn != m->pend_conn) {
        /* a new connection, maybe to a Redis that lost everything */
        mtw_doc_memo_clear(m);
        m->npend = 0;
    }
    if (m->npend > 0 || m->ix_pend > 0) {
        if (publishes == m->pend_gen + 1 && conn == m->pend_conn
            && memo_reserve(m, m->n + m->npend / 2) == 0)
        {
            for (k = 0; k < m->npend; k += 2) {
                i = slot_of(m, m->pend[k]);
                if (m->slot[i].name == 0) {
                    m->n++;
                }
                m->slot[i].name = m->pend[k];
                m->slot[i].etag = m->pend[k + 1];
            }
        } else {
            mtw_doc_memo_clear(m);
        }
    }
    m->npend = 0;
    m->ix_pend = 0;
    m->pend_gen = publishes;
    m->pend_conn = conn;
    m->skipped = 0;
    m->skipped_bytes = 0;
}
