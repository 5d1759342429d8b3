/*
 * Omnichannel history: one customer's interactions, cases, feedback and
 * transactions, merged in time order. Walks the customer's own lists (no
 * scan of the store), then sorts the entries.
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

static const struct {
    int table, head, next, time;
} lists[] = {
    {CX_TABLE_INTERACTIONS, CU_HEAD_I, IN_NEXT, IN_TIME},
    {CX_TABLE_CASES, CU_HEAD_C, CA_NEXT, CA_OPENED},
    {CX_TABLE_FEEDBACK, CU_HEAD_F, FB_NEXT, FB_TIME},
    {CX_TABLE_TRANSACTIONS, CU_HEAD_T, TR_NEXT, TR_TIME},
};

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

    /* count first, so one allocation holds everything */
    size_t n = 0;
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        const uint32_t *next = CXI_COL(s, lists[l].table, lists[l].next, const uint32_t);
        const int64_t *time = CXI_COL(s, lists[l].table, lists[l].time, const int64_t);
        for (uint32_t r = CXI_COL(s, CX_TABLE_CUSTOMERS, lists[l].head, const uint32_t)[cu]; r != CXI_NONE;
             r = next[r])
            n += time[r] >= lo && time[r] <= hi;
    }
    cxi_mem mem = s->mem;
    mem.bytes = 0; /* the history's own count, not the store's */
    cx_history *h = cxi_alloc(&mem, sizeof *h);
    if (!h)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    h->e = n ? cxi_alloc(&mem, n * sizeof *h->e) : NULL;
    if (n && !h->e) {
        cxi_free(&mem, h, sizeof *h);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu entries", fn, n);
    }
    h->n = 0;
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        const uint32_t *next = CXI_COL(s, lists[l].table, lists[l].next, const uint32_t);
        const int64_t *time = CXI_COL(s, lists[l].table, lists[l].time, const int64_t);
        for (uint32_t r = CXI_COL(s, CX_TABLE_CUSTOMERS, lists[l].head, const uint32_t)[cu]; r != CXI_NONE;
             r = next[r]) {
            if (time[r] >= lo && time[r] <= hi)
                h->e[h->n++] = (entry){time[r], r, lists[l].table};
        }
    }
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
