/*
 * Omnichannel history: one customer's interactions, cases, feedback and
 * transactions, merged in time order. Reads the customer's own rows (no
 * scan of the store), found through the history index, built by the first
 * history after a change (issue 14: 4 bytes a row less than lists), then
 * sorts the entries.
 */
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

typedef struct entry {
    int64_t time;
    uint32_t row;
    int32_t table;
} entry;

struct cx_history {
    cxi_mem mem;
    entry *e;
    size_t n;
};

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* ---- the history index ------------------------------------------------
 * Each customer's rows of interactions, cases, feedback and transactions, ascending,
 * as one block: for table slot l, rows[l][start[l][c] .. start[l][c + 1])
 * are customer c's. Built in O(rows + customers) by a count per customer.
 * It is not part of the store's contents: readers build it (they may run
 * at once: each builds its own and the first one published by a compare
 * and swap stays, the others are freed), writers drop it (store_private.h).
 * Its size and the row counts it was built from are kept so that a stale
 * index (a writer that forgot to drop it: a bug) is never used. */
enum { NIDX = 4 };
static const struct {
    int table, customer, time;
} indexed[NIDX] = {
    {CX_TABLE_INTERACTIONS, IN_CUSTOMER, IN_TIME},
    {CX_TABLE_CASES, CA_CUSTOMER, CA_OPENED},
    {CX_TABLE_FEEDBACK, FB_CUSTOMER, FB_TIME},
    {CX_TABLE_TRANSACTIONS, TR_CUSTOMER, TR_TIME},
};

struct cxi_hindex {
    size_t bytes;
    size_t ncust, nrows[NIDX];
    uint32_t *start[NIDX], *rows[NIDX];
};

static void hindex_release(const cx_store *s, struct cxi_hindex *x)
{
    cxi_mem mem = s->mem;
    mem.bytes = x->bytes; /* counted apart from the store's */
    cxi_free(&mem, x, x->bytes);
}

static bool hindex_current(const cx_store *s, const struct cxi_hindex *x)
{
    if (x->ncust != s->t[CX_TABLE_CUSTOMERS].n)
        return false;
    for (int l = 0; l < NIDX; l++)
        if (x->nrows[l] != s->t[indexed[l].table].n)
            return false;
    return true;
}

static struct cxi_hindex *hindex_build(const cx_store *s)
{
    size_t nc = s->t[CX_TABLE_CUSTOMERS].n, words = 0;
    for (int l = 0; l < NIDX; l++)
        words += nc + 1 + s->t[indexed[l].table].n;
    size_t head = (sizeof(struct cxi_hindex) + sizeof(uint32_t) - 1) / sizeof(uint32_t) * sizeof(uint32_t);
    if (words > (SIZE_MAX - head) / sizeof(uint32_t))
        return NULL;
    size_t bytes = head + words * sizeof(uint32_t);
    cxi_mem mem = s->mem;
    mem.bytes = 0;
    struct cxi_hindex *x = cxi_alloc(&mem, bytes);
    if (!x)
        return NULL;
    x->bytes = bytes;
    x->ncust = nc;
    uint32_t *w = (uint32_t *)((char *)x + head);
    for (int l = 0; l < NIDX; l++) {
        size_t n = s->t[indexed[l].table].n;
        const uint32_t *cu = CXI_COL(s, indexed[l].table, indexed[l].customer, const uint32_t);
        uint32_t *start = w, *rows = w + nc + 1;
        w = rows + n;
        /* start[c] counts customer c's rows, then sums the counts up to c
         * (where c's rows end); rows placed from the last down move it to
         * where they start, and keep each customer's ascending */
        memset(start, 0, (nc + 1) * sizeof *start);
        for (size_t r = 0; r < n; r++)
            start[cu[r]]++;
        for (size_t c = 1; c < nc; c++)
            start[c] += start[c - 1];
        start[nc] = (uint32_t)n;
        for (size_t r = n; r-- > 0;)
            rows[--start[cu[r]]] = (uint32_t)r;
        x->start[l] = start;
        x->rows[l] = rows;
        x->nrows[l] = n;
    }
    return x;
}

/* The store's index, built and published when it has none; NULL when out
 * of memory. *mine is set when the index returned is a private one (the
 * published one is stale) that the caller frees. */
static struct cxi_hindex *hindex_get(const cx_store *s, bool *mine)
{
    /* the field is atomic: readers running at once meet only there */
    _Atomic(struct cxi_hindex *) *slot = &((cx_store *)s)->hindex;
    struct cxi_hindex *x = atomic_load_explicit(slot, memory_order_acquire);
    *mine = false;
    if (x && hindex_current(s, x))
        return x;
    struct cxi_hindex *built = hindex_build(s);
    if (!built || x) { /* a stale one stays for its readers: ours is private */
        *mine = built != NULL;
        return built;
    }
    struct cxi_hindex *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &expected, built, memory_order_acq_rel,
                                                memory_order_acquire))
        return built;
    hindex_release(s, built); /* another reader published first: the same rows */
    return expected;
}

void cxi_hindex_free(cx_store *s)
{
    struct cxi_hindex *x = atomic_exchange_explicit(&s->hindex, NULL, memory_order_relaxed);
    if (x)
        hindex_release(s, x);
}

size_t cxi_hindex_bytes(const cx_store *s)
{
    struct cxi_hindex *x = atomic_load_explicit(&((cx_store *)s)->hindex, memory_order_acquire);
    return x ? x->bytes : 0;
}

/* Runs KEEP, with r the row and t its time, for each of customer cu's
 * events of table slot l (0..NIDX-1) whose time is within [lo, hi]. */
#define EACH_EVENT(l, x, cu, lo, hi, KEEP)                                                                         \
    do {                                                                                                           \
        const cxi_icol tm_ = cxi_icol_of(s, indexed[l].table, indexed[l].time);                                    \
        for (uint32_t i_ = (x)->start[l][cu]; i_ < (x)->start[l][(cu) + 1]; i_++) {                               \
            uint32_t r = (x)->rows[l][i_];                                                                         \
            int64_t t = cxi_icol_at(tm_, r);                                                                       \
            if (t >= (lo) && t <= (hi))                                                                            \
                KEEP;                                                                                              \
        }                                                                                                          \
    } while (0)

int cx_history_new(cx_history **out, const cx_store *s, const char *customer, cx_time from, cx_time to)
{
    static const char fn[] = "cx_history_new";
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    *out = NULL;
    if (!customer)
        return cxi_fail(CX_EINVAL, "%s: customer is NULL", fn);
    uint32_t cu = cxi_pool_find(&s->keys[CX_TABLE_CUSTOMERS], customer, strlen(customer));
    if (cu == CXI_NONE) {
        char qb[80];
        return cxi_fail(CX_ENOTFOUND, "%s: no customer '%s'", fn, cxi_quote(qb, customer));
    }
    /* [lo, hi] inclusive: with no upper bound INT64_MAX itself is a time to
     * keep, so `to` becomes its predecessor instead of an exclusive bound */
    int64_t lo = from == CX_TIME_NONE ? INT64_MIN : from;
    int64_t hi = to == CX_TIME_NONE ? INT64_MAX : to - 1;
    if (from != CX_TIME_NONE && to != CX_TIME_NONE && to < from)
        return cxi_fail(CX_EORDER, "%s: range ends before it starts", fn);

    bool mine;
    struct cxi_hindex *x = hindex_get(s, &mine);
    if (!x)
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the index of the customers' events", fn);
    /* count first, so one allocation holds everything */
    size_t n = 0;
    for (int l = 0; l < NIDX; l++)
        EACH_EVENT(l, x, cu, lo, hi, n++);
    cxi_mem mem = s->mem;
    mem.bytes = 0; /* the history's own count, not the store's */
    cx_history *h = cxi_alloc(&mem, sizeof *h);
    if (h)
        h->e = n ? cxi_alloc(&mem, n * sizeof *h->e) : NULL;
    if (!h || (n && !h->e)) {
        if (h)
            cxi_free(&mem, h, sizeof *h);
        if (mine)
            hindex_release(s, x);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu entries", fn, n);
    }
    h->n = 0;
    for (int l = 0; l < NIDX; l++)
        EACH_EVENT(l, x, cu, lo, hi, (h->e[h->n++] = (entry){t, r, indexed[l].table}));
    if (mine)
        hindex_release(s, x);
    if (h->n > 1) /* h->e is NULL when empty, and qsort must not see NULL */
        qsort(h->e, h->n, sizeof *h->e, entry_cmp);
    h->mem = mem;
    *out = h;
    return CX_OK;
}

void cx_history_free(cx_history *h)
{
    if (!h)
        return;
    cxi_mem mem = h->mem;
    cxi_free(&mem, h->e, h->n * sizeof *h->e);
    cxi_free(&mem, h, sizeof *h);
}

size_t cx_history_count(const cx_history *h) { return h ? h->n : 0; }

static int check_entry(const char *fn, const void *out, const cx_history *h, size_t i)
{
    if (!out || !h)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (i >= h->n)
        return cxi_fail(CX_ERANGE, "%s: entry %zu beyond the %zu entries", fn, i, h->n);
    return CX_OK;
}

int cx_history_table(int *out, const cx_history *h, size_t i)
{
    int rc = check_entry("cx_history_table", out, h, i);
    if (!rc)
        *out = h->e[i].table;
    return rc;
}

int cx_history_row(size_t *out, const cx_history *h, size_t i)
{
    int rc = check_entry("cx_history_row", out, h, i);
    if (!rc)
        *out = h->e[i].row;
    return rc;
}

int cx_history_time(cx_time *out, const cx_history *h, size_t i)
{
    int rc = check_entry("cx_history_time", out, h, i);
    if (!rc)
        *out = h->e[i].time;
    return rc;
}
