/*
 * The per-customer summaries the value models are fitted to: frequency,
 * recency, age, spend and holdout figures from a store's transactions
 * (one sort of the transactions by customer and time), their options, and
 * the summary as a result table. Everything a summary allocates goes
 * through its store's allocator.
 */
#include "../table/table.h"
#include "lifecycle_private.h"

#include <stdlib.h>

struct cx_summary_options {
    cxi_mem mem;
    cx_time holdout_end;
    int64_t unit_ms;
    int64_t tolerance_ms;
};

static const char *const column_names[CX_SUMMARY_COLUMN_COUNT] = {
    "frequency", "recency", "age", "monetary", "total", "holdout", "holdout_value"};


/* ---- options -------------------------------------------------------------- */

int cx_summary_options_new(cx_summary_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_summary_options_new: out is NULL");
    *out = NULL;
    cx_summary_options *o = CXI_NEW(cx_summary_options, NULL, NULL);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_summary_options_new: out of memory");
    o->holdout_end = CX_TIME_NONE;
    o->unit_ms = CXI_MS_PER_WEEK;
    o->tolerance_ms = CX_SUMMARY_TOLERANCE_DEFAULT;
    *out = o;
    return CX_OK;
}

void cx_summary_options_free(cx_summary_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    cxi_free(&mem, o, sizeof *o);
}

int cx_summary_options_set_holdout_end(cx_summary_options *o, cx_time holdout_end)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_summary_options_set_holdout_end: options is NULL");
    o->holdout_end = holdout_end;
    return CX_OK;
}

int cx_summary_options_set_unit(cx_summary_options *o, int64_t unit_ms)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_summary_options_set_unit: options is NULL");
    if (unit_ms <= 0)
        return cxi_fail(CX_ERANGE, "cx_summary_options_set_unit: unit %lld ms is not > 0", (long long)unit_ms);
    o->unit_ms = unit_ms;
    return CX_OK;
}

int cx_summary_options_set_tolerance(cx_summary_options *o, int64_t tolerance_ms)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_summary_options_set_tolerance: options is NULL");
    if (tolerance_ms < 0)
        return cxi_fail(CX_ERANGE, "cx_summary_options_set_tolerance: tolerance %lld ms is negative",
                        (long long)tolerance_ms);
    o->tolerance_ms = tolerance_ms;
    return CX_OK;
}

/* ---- the summary ------------------------------------------------------------ */

void cx_summary_free(cx_summary *s)
{
    if (!s)
        return;
    cxi_mem mem = s->mem;
    cxi_free(&mem, s->cust, (s->n + 1) * sizeof *s->cust);
    for (int j = 0; j < CX_SUMMARY_COLUMN_COUNT; j++)
        cxi_free(&mem, s->col[j], (s->n + 1) * sizeof(double));
    cxi_free(&mem, s, sizeof *s);
}

typedef struct tx_rec {
    uint32_t cust;
    int64_t time;
    double amount;
} tx_rec;

static int cmp_tx(const void *a, const void *b)
{
    const tx_rec *x = a, *y = b;
    if (x->cust != y->cust)
        return x->cust < y->cust ? -1 : 1;
    return (x->time > y->time) - (x->time < y->time);
}

/* CX_EORDER for the first purchase earlier than its customer's acquisition
 * by more than the tolerance, naming it; else the number of purchases
 * earlier by no more than the tolerance in *tolerated. */
static int check_acquisition(const cx_store *store, int64_t tolerance_ms, size_t *tolerated, const char *fn)
{
    size_t nt = store->t[CX_TABLE_TRANSACTIONS].n;
    const uint32_t *cu = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
    const cxi_icol tm = cxi_icol_of(store, CX_TABLE_TRANSACTIONS, TR_TIME);
    const int64_t *acq = CXI_COL(store, CX_TABLE_CUSTOMERS, CU_ACQUIRED, int64_t);
    *tolerated = 0;
    for (size_t i = 0; i < nt; i++) {
        if (acq[cu[i]] == CX_TIME_NONE || cxi_icol_at(tm, i) >= acq[cu[i]])
            continue;
        /* unsigned: the gap of two far-apart int64 times does not overflow */
        uint64_t early = (uint64_t)acq[cu[i]] - (uint64_t)cxi_icol_at(tm, i);
        if (early <= (uint64_t)tolerance_ms) {
            (*tolerated)++;
            continue;
        }
        char qb[80], ib[80], tb[40], ab[40];
        cx_time_format(tb, sizeof tb, cxi_icol_at(tm, i), 0);
        cx_time_format(ab, sizeof ab, acq[cu[i]], 0);
        char tb_id[CXI_EID_BUF];
        const char *tid = cxi_row_eid_text(store, CX_TABLE_TRANSACTIONS, i, tb_id);
        if (tid)
            snprintf(ib, sizeof ib, " '%s'", cxi_quote(qb, tid));
        else
            ib[0] = 0;
        return cxi_fail(CX_EORDER,
                        "%s: customer '%s': transaction%s (row %zu) at %s is %.1f h before the acquisition at %s, "
                        "more than the tolerance of %.1f h (cx_summary_options_set_tolerance())",
                        fn, cxi_quote(qb, cxi_customer_id(store, cu[i])), ib, i, tb, (double)early / 3.6e6, ab,
                        (double)tolerance_ms / 3.6e6);
    }
    return CX_OK;
}

/* The transactions before `end`, sorted by customer and time, in *out (m of
 * them, room for m + 1). */
static int sorted_transactions(tx_rec **out, size_t *m_out, cxi_mem *mem, const cx_store *store, cx_time end,
                               const char *fn)
{
    size_t nt = store->t[CX_TABLE_TRANSACTIONS].n;
    const uint32_t *cu = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
    const cxi_icol tm = cxi_icol_of(store, CX_TABLE_TRANSACTIONS, TR_TIME);
    const cxi_vcol am = cxi_vcol_of(store, CX_TABLE_TRANSACTIONS, TR_AMOUNT);
    size_t m = 0;
    for (size_t i = 0; i < nt; i++)
        m += cxi_icol_at(tm, i) < end;
    tx_rec *tx = cxi_alloc(mem, (m + 1) * sizeof *tx);
    if (!tx)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    m = 0;
    for (size_t i = 0; i < nt; i++)
        if (cxi_icol_at(tm, i) < end)
            tx[m++] = (tx_rec){cu[i], cxi_icol_at(tm, i), cxi_vcol_at(am, i)};
    qsort(tx, m, sizeof *tx, cmp_tx);
    *out = tx;
    *m_out = m;
    return CX_OK;
}

/* An empty summary of n rows (columns zeroed). */
static cx_summary *summary_alloc(cxi_mem mem, const cx_store *store, size_t n)
{
    cx_summary *s = cxi_alloc(&mem, sizeof *s);
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->mem = mem;
    s->store = store;
    s->n = n;
    bool ok = (s->cust = cxi_alloc(&s->mem, (n + 1) * sizeof *s->cust)) != NULL;
    for (int j = 0; j < CX_SUMMARY_COLUMN_COUNT; j++) {
        s->col[j] = cxi_alloc(&s->mem, (n + 1) * sizeof(double));
        if (s->col[j])
            memset(s->col[j], 0, (n + 1) * sizeof(double));
        ok &= s->col[j] != NULL;
    }
    if (!ok) {
        cx_summary_free(s);
        return NULL;
    }
    return s;
}

/* Row k of the summary from one customer's transactions tx[0..n), sorted by
 * time, the first before the calibration end. */
static void summary_row(cx_summary *s, size_t k, const tx_rec *tx, size_t n, cx_time calibration_end, double u)
{
    cx_time first = tx[0].time, last = first;
    double x = 0, rep = 0, total = 0, hx = 0, hv = 0;
    for (size_t a = 0; a < n; a++) {
        bool same = a > 0 && tx[a].time == tx[a - 1].time;
        if (tx[a].time < calibration_end) {
            total += tx[a].amount;
            if (tx[a].time != first) {
                rep += tx[a].amount;
                x += !same;
                last = tx[a].time;
            }
        } else {
            hv += tx[a].amount;
            hx += !same;
        }
    }
    s->cust[k] = tx[0].cust;
    s->col[CX_SUMMARY_FREQUENCY][k] = x;
    s->col[CX_SUMMARY_RECENCY][k] = (double)(last - first) / u;
    s->col[CX_SUMMARY_AGE][k] = (double)(calibration_end - first) / u;
    s->col[CX_SUMMARY_MONETARY][k] = x > 0 ? rep / x : 0;
    s->col[CX_SUMMARY_TOTAL][k] = total;
    s->col[CX_SUMMARY_HOLDOUT][k] = hx;
    s->col[CX_SUMMARY_HOLDOUT_VALUE][k] = hv;
}

int cx_summary_new(cx_summary **out, const cx_store *store, cx_time calibration_end,
                   const cx_summary_options *options)
{
    static const char fn[] = "cx_summary_new";
    static const cx_summary_options defaults = {{NULL, NULL, 0}, CX_TIME_NONE, CXI_MS_PER_WEEK,
                                                CX_SUMMARY_TOLERANCE_DEFAULT};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (calibration_end == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: calibration_end is missing", fn);
    const cx_summary_options *o = options ? options : &defaults;
    if (o->holdout_end != CX_TIME_NONE && o->holdout_end < calibration_end)
        return cxi_fail(CX_EORDER, "%s: the holdout end is before calibration_end", fn);
    size_t tolerated;
    int rc = check_acquisition(store, o->tolerance_ms, &tolerated, fn);
    if (rc)
        return rc;
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    tx_rec *tx = NULL;
    size_t m = 0;
    if ((rc = sorted_transactions(&tx, &m, &mem, store, o->holdout_end != CX_TIME_NONE ? o->holdout_end
                                                                                        : calibration_end, fn)))
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < m; i++)
        if ((i == 0 || tx[i].cust != tx[i - 1].cust) && tx[i].time < calibration_end)
            n++;
    cx_summary *s = summary_alloc(mem, store, n);
    if (!s) {
        cxi_free(&mem, tx, (m + 1) * sizeof *tx);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    size_t k = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && tx[j].cust == tx[i].cust)
            j++;
        if (tx[i].time < calibration_end)
            summary_row(s, k++, tx + i, j - i, calibration_end, (double)o->unit_ms);
        i = j;
    }
    cxi_free(&mem, tx, (m + 1) * sizeof *tx);
    s->tolerated = tolerated;
    *out = s;
    return CX_OK;
}

size_t cx_summary_count(const cx_summary *s) { return s ? s->n : 0; }

size_t cx_summary_tolerated_count(const cx_summary *s) { return s ? s->tolerated : 0; }

int cx_summary_values(const double **out, const cx_summary *s, cx_summary_column column)
{
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "cx_summary_values: %s is NULL", !out ? "out" : "summary");
    if ((int)column < 0 || (int)column >= CX_SUMMARY_COLUMN_COUNT)
        return cxi_fail(CX_EINVAL, "cx_summary_values: column %d is not a cx_summary_column", (int)column);
    *out = s->col[column];
    return CX_OK;
}

int cx_summary_table(cx_result **out, const cx_summary *s)
{
    static const char fn[] = "cx_summary_table";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: summary is NULL", fn);
    const char *names[1 + CX_SUMMARY_COLUMN_COUNT] = {"customer"};
    int types[1 + CX_SUMMARY_COLUMN_COUNT] = {CX_TYPE_STRING};
    for (int j = 0; j < CX_SUMMARY_COLUMN_COUNT; j++) {
        names[1 + j] = column_names[j];
        types[1 + j] = CX_TYPE_REAL;
    }
    cx_result *r;
    if (cxi_result_new(&r, &s->mem, s->n, 1 + CX_SUMMARY_COLUMN_COUNT, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, s->n);
    for (size_t i = 0; i < s->n; i++) {
        if (cxi_result_set_text(r, 0, i, cxi_customer_id(s->store, s->cust[i]))) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        for (int j = 0; j < CX_SUMMARY_COLUMN_COUNT; j++)
            cxi_result_set_real(r, 1 + (size_t)j, i, s->col[j][i]);
    }
    *out = r;
    return CX_OK;
}

const char *cxi_summary_customer(const cx_summary *s, size_t row) { return cxi_customer_id(s->store, s->cust[row]); }
