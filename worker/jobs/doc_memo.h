/*
 * doc_memo.h - which document bodies Redis already holds, so a tick writes
 * only the documents that changed (issue 14: a tick's cost follows change).
 *
 * A memo maps a document's name to its ETag (both as 64-bit hashes,
 * util/hash64.h) for the documents a committed transaction wrote; a document
 * built from inputs with a fingerprint (a stop's predictions:
 * mtw_doc_predictions_inputs) is remembered by that fingerprint instead,
 * so that an unchanged one is not even built.  What a tick
 * writes is first noted as pending and enters the memo only once that
 * tick's MULTI/EXEC is known to have committed (the next tick sees the
 * city's publish count moved by exactly one, on the same connection);
 * otherwise the memo is cleared and the next tick writes everything.  The
 * caller also clears it on every new Redis connection and periodically,
 * so a Redis that lost its data without the worker noticing is whole
 * again within that period.
 */
#ifndef MTW_JOBS_DOC_MEMO_H
#define MTW_JOBS_DOC_MEMO_H

#include <stddef.h>
#include <stdint.h>

/* a name beside its ETag: a lookup reads one cache line */
typedef struct {
    uint64_t name, etag;        /* name 0: empty */
} mtw_doc_memo_slot;

typedef struct {
    mtw_doc_memo_slot *slot;    /* open addressing */
    size_t cap, n;              /* cap a power of two */
    uint64_t *pend;             /* name, etag pairs of the pending tick */
    size_t npend, cap_pend;
    unsigned long pend_gen;     /* publish count when they were queued */
    unsigned long pend_conn;    /* on this connection */
    size_t skipped, skipped_bytes;  /* in the last tick */
    /* the indexed family (a stop's predictions, by stop index): the
     * inputs each was last written from, valid while epoch is the
     * memo's (a clear moves it on) */
    uint64_t *ix_inputs;
    uint32_t *ix_epoch;
    size_t ix_cap, ix_pend;     /* ix_pend: noted in the pending tick */
    uint32_t epoch;
} mtw_doc_memo;

void mtw_doc_memo_init(mtw_doc_memo *m);
void mtw_doc_memo_free(mtw_doc_memo *m);

/* Forgets everything (the next tick writes every document). */
void mtw_doc_memo_clear(mtw_doc_memo *m);

/* The hashes of a document's name and ETag (never 0). */
uint64_t mtw_doc_memo_key(const char *s);

/* 1 when Redis holds name with this etag, else 0. */
int mtw_doc_memo_holds(const mtw_doc_memo *m, uint64_t name, uint64_t etag);

/* Notes a document the current tick writes.  0, or -1 out of memory (the
 * memo is then cleared: nothing is skipped until it is rebuilt). */
int mtw_doc_memo_note(mtw_doc_memo *m, uint64_t name, uint64_t etag);

/*
 * The same for the indexed family, where a document is named by an index
 * (the stop's, for its predictions) and remembered by its inputs: no name
 * to format and hash, no table to probe, 26,000 times a tick at a x20
 * peak.  A note is pending like the others: the memo is cleared when its
 * tick did not commit.
 */
int mtw_doc_memo_ix_holds(const mtw_doc_memo *m, size_t ix,
                          uint64_t inputs);
int mtw_doc_memo_ix_note(mtw_doc_memo *m, size_t ix, uint64_t inputs);

/*
 * At the start of a tick: the pending documents enter the memo when their
 * tick committed (publishes == pend_gen + 1 on connection conn), else the
 * memo is cleared, as it is on any other connection than the last tick's.
 * Then pending is emptied and stamped with the current publishes and conn.
 */
void mtw_doc_memo_settle(mtw_doc_memo *m, unsigned long publishes,
                         unsigned long conn);

#endif
