/*
 * Compaction (issue 14): cx_store_compact() gives back what a store only
 * read can do without and rebuild: the room its columns keep for rows to
 * come, and the hash index of the ids of interactions, feedback and
 * transactions (the event tables' keys pools), about 11 bytes an
 * interaction at 10^7.
 *
 * An event table's pool without its slots (cxi_pool_indexed false) is
 * looked up in one of two ways:
 * - readers (const: cx_store_find, cxi_event_find) through an index kept
 *   apart, eindex[table], built by the first of them and published by a
 *   compare and swap, as the history index is (readers may run at once;
 *   the losers free theirs). cx_store_memory() leaves it out, as it leaves
 *   out the history index. Out of memory, a reader reads every id in order
 *   (cxi_pool_scan) instead;
 * - writers (cxi_event_ids_ready, called before anything that finds or adds
 *   an event id and changes the store) give the pool its slots again: the
 *   index readers built, taken over, or a new one; CX_ENOMEM changes
 *   nothing stored.
 */
#include "store_private.h"

struct cxi_eindex {
    uint32_t *slots;
    uint32_t nslots;
    uint32_t count; /* the pool's strings it was built from */
};

static bool is_event(int table)
{
    return table == CX_TABLE_INTERACTIONS || table == CX_TABLE_FEEDBACK || table == CX_TABLE_TRANSACTIONS;
}

/* Frees an index kept apart (counted apart from the store's bytes). */
static void eindex_release(const cx_store *s, struct cxi_eindex *x)
{
    cxi_mem mem = s->mem;
    mem.bytes = 0;
    cxi_free(&mem, x->slots, (size_t)x->nslots * sizeof *x->slots);
    cxi_free(&mem, x, sizeof *x);
}

static struct cxi_eindex *eindex_build(const cx_store *s, int table)
{
    cxi_mem mem = s->mem;
    mem.bytes = 0;
    struct cxi_eindex *x = cxi_alloc(&mem, sizeof *x);
    if (!x)
        return NULL;
    if (cxi_pool_index_new(&mem, &s->keys[table], &x->slots, &x->nslots)) {
        cxi_free(&mem, x, sizeof *x);
        return NULL;
    }
    x->count = s->keys[table].count;
    return x;
}

/* The published index of an event table, built and published when there is
 * none; NULL out of memory. */
static const struct cxi_eindex *eindex_get(const cx_store *s, int table)
{
    _Atomic(struct cxi_eindex *) *slot = &((cx_store *)s)->eindex[table];
    struct cxi_eindex *x = atomic_load_explicit(slot, memory_order_acquire);
    if (x)
        return x;
    struct cxi_eindex *built = eindex_build(s, table);
    if (!built)
        return NULL;
    struct cxi_eindex *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &expected, built, memory_order_acq_rel,
                                                memory_order_acquire))
        return built;
    eindex_release(s, built); /* another reader published first: the same slots */
    return expected;
}

uint32_t cxi_event_key(const cx_store *s, int table, const char *id, size_t len, uint32_t h)
{
    const cxi_pool *p = &s->keys[table];
    if (CXI_LIKELY(cxi_pool_indexed(p)))
        return cxi_pool_find_hashed(p, id, len, h);
    const struct cxi_eindex *x = eindex_get(s, table);
    if (x && x->count == p->count)
        return cxi_pool_find_in(p, x->slots, x->nslots, id, len, h);
    return cxi_pool_scan(p, id, len);
}

void cxi_eindex_drop(cx_store *s, int table)
{
    struct cxi_eindex *x = atomic_exchange_explicit(&s->eindex[table], NULL, memory_order_relaxed);
    if (x)
        eindex_release(s, x);
}

size_t cxi_eindex_bytes(const cx_store *s)
{
    size_t bytes = 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        struct cxi_eindex *x = atomic_load_explicit(&((cx_store *)s)->eindex[t], memory_order_acquire);
        if (x)
            bytes += sizeof *x + (size_t)x->nslots * sizeof *x->slots;
    }
    return bytes;
}

int cxi_event_ids_index(const char *fn, cx_store *s, int table)
{
    cxi_pool *p = &s->keys[table];
    if (cxi_pool_indexed(p))
        return CX_OK;
    struct cxi_eindex *x = atomic_exchange_explicit(&s->eindex[table], NULL, memory_order_relaxed);
    if (x && x->count == p->count) {
        /* its bytes now count as the store's */
        s->mem.bytes += (size_t)x->nslots * sizeof *x->slots;
        cxi_pool_take_index(p, x->slots, x->nslots);
        x->slots = NULL;
        x->nslots = 0;
        eindex_release(s, x);
        return CX_OK;
    }
    if (x)
        eindex_release(s, x);
    uint32_t *slots;
    uint32_t ns;
    if (cxi_pool_index_new(&s->mem, p, &slots, &ns))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the index of %zu ids of %s", fn, (size_t)p->count,
                        table == CX_TABLE_INTERACTIONS ? "interactions"
                        : table == CX_TABLE_FEEDBACK   ? "feedback"
                                                       : "transactions");
    cxi_pool_take_index(p, slots, ns);
    return CX_OK;
}

int cxi_store_ids_ready(const char *fn, cx_store *s)
{
    int rc = CX_OK;
    for (int t = 0; t < CX_TABLE_COUNT && !rc; t++)
        if (is_event(t))
            rc = cxi_event_ids_ready(fn, s, t);
    return rc;
}

int cx_store_compact(cx_store *s)
{
    if (!s)
        return cxi_fail(CX_EINVAL, "cx_store_compact: store is NULL");
    cxi_hindex_drop(s);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        cxi_table *tb = &s->t[t];
        tb->room = cxi_cols_trim(&s->mem, tb->cols, tb->ncols, tb->n);
        if (is_event(t)) {
            cxi_eindex_drop(s, t);
            cxi_pool_drop_index(&s->mem, &s->keys[t]);
        }
        cxi_pool *k = &s->keys[t];
        if (!k->nruns) /* references: as many as the strings */
            cxi_cols_trim(&s->mem, &k->strs, 1, k->count);
        /* the dirty bits of the rows there are */
        size_t words = tb->room / 64 + 1;
        if (s->dirty[t] && s->dirty_cap[t] > words) {
            uint64_t *d = cxi_realloc(&s->mem, s->dirty[t], s->dirty_cap[t] * sizeof(uint64_t), words * sizeof(uint64_t));
            if (d) {
                s->dirty[t] = d;
                s->dirty_cap[t] = words;
            }
        }
        /* the rows of event ids: as many as the ids */
        size_t nid = s->keys[t].count ? s->keys[t].count : 1;
        if (s->idrow[t] && s->idrow_cap[t] > nid) {
            uint32_t *p = cxi_realloc(&s->mem, s->idrow[t], s->idrow_cap[t] * sizeof(uint32_t), nid * sizeof(uint32_t));
            if (p) {
                s->idrow[t] = p;
                s->idrow_cap[t] = nid;
            }
        }
    }
    return CX_OK;
}
