/*
 * The lifecycle analyses that read a store: cohorts and retention and RFM
 * (the survival subjects are in survival_store.c, the summaries of the
 * value models in summary.c). Each scans the store's columns directly (one
 * pass per table it needs) into per-customer arrays; nothing is allocated
 * per record. Cohorts and RFM hand out a cx_result built with src/table.
 */
#include "../table/table.h"
#include "lifecycle_private.h"

#include "cxkit/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void *zalloc(cxi_mem *m, size_t n)
{
    void *p = cxi_alloc(m, n ? n : 1);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}


void cxi_each_activity(const cx_store *s, int activity, cxi_activity_fn fn, void *ctx)
{
    if (activity & CX_ACTIVITY_TRANSACTIONS) {
        size_t n = s->t[CX_TABLE_TRANSACTIONS].n;
        const uint32_t *cu = CXI_COL(s, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
        const cxi_icol tm = cxi_icol_of(s, CX_TABLE_TRANSACTIONS, TR_TIME);
        for (size_t i = 0; i < n; i++)
            fn(ctx, cu[i], cxi_icol_at(tm, i));
    }
    if (activity & CX_ACTIVITY_INBOUND) {
        size_t n = s->t[CX_TABLE_INTERACTIONS].n;
        const uint32_t *cu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
        const cxi_icol tm = cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_TIME);
        const uint8_t *dir = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
        for (size_t i = 0; i < n; i++)
            if (dir[i] == CX_INBOUND)
                fn(ctx, cu[i], cxi_icol_at(tm, i));
    }
}

bool cxi_activity_ok(int activity)
{
    return activity > 0 && !(activity & ~(CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND));
}

/* ---- cohort options ------------------------------------------------------ */

struct cx_cohorts_options {
    cxi_mem mem; /* the default allocator: options are made without a store */
    int activity, start, bucket, offset;
};

static void cohorts_defaults(cx_cohorts_options *o)
{
    o->activity = CX_ACTIVITY_TRANSACTIONS;
    o->start = CX_COHORT_FIRST_ACTIVITY;
    o->bucket = CX_BUCKET_MONTH;
    o->offset = 0;
}

int cx_cohorts_options_new(cx_cohorts_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_new: out is NULL");
    *out = NULL;
    cx_cohorts_options *o = CXI_NEW(cx_cohorts_options, NULL, NULL);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_cohorts_options_new: out of memory");
    cohorts_defaults(o);
    *out = o;
    return CX_OK;
}

void cx_cohorts_options_free(cx_cohorts_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    cxi_free(&mem, o, sizeof *o);
}

int cx_cohorts_options_set_activity(cx_cohorts_options *o, int activity)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_set_activity: options is NULL");
    if (!cxi_activity_ok(activity))
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_set_activity: activity %d is not a non-empty cx_activity mask",
                        activity);
    o->activity = activity;
    return CX_OK;
}

int cx_cohorts_options_set_start(cx_cohorts_options *o, cx_cohort_start start)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_set_start: options is NULL");
    if (start != CX_COHORT_FIRST_ACTIVITY && start != CX_COHORT_ACQUIRED)
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_set_start: start %d is not a cx_cohort_start", (int)start);
    o->start = start;
    return CX_OK;
}

int cx_cohorts_options_set_bucket(cx_cohorts_options *o, cx_bucket bucket)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_set_bucket: options is NULL");
    if ((int)bucket < CX_BUCKET_DAY || (int)bucket > CX_BUCKET_YEAR)
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_set_bucket: bucket %d is not a cx_bucket", (int)bucket);
    o->bucket = bucket;
    return CX_OK;
}

int cx_cohorts_options_set_offset(cx_cohorts_options *o, int offset_minutes)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_cohorts_options_set_offset: options is NULL");
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "cx_cohorts_options_set_offset: offset %d minutes is not within -%d to %d",
                        offset_minutes, CX_UTC_OFFSET_MAX, CX_UTC_OFFSET_MAX);
    o->offset = offset_minutes;
    return CX_OK;
}

/* ---- cohorts ---------------------------------------------------------- */

#define MAX_DAY_TABLE 400000

/* The scratch of one cohort table. Periods are indexed 0..P-1 from the
 * first calendar period with data; starts[k] is the first instant of
 * period k (from base's cxi_bucket_start, so that cohorts and queries cut
 * periods alike). */
typedef struct cohort_work {
    const cx_store *s;
    cxi_mem mem;
    const cx_cohorts_options *o;
    const int64_t *acq;
    size_t ncust, P;
    cx_time tmin, tmax;
    cx_time *starts;
    int64_t day0;       /* the day of tmin in the offset */
    size_t ndays;       /* day_idx: the period of each day from day0, or NULL */
    uint32_t *day_idx;
    uint32_t *first;    /* per customer: its cohort, CXI_NONE for none */
    uint8_t *bits;      /* ncust x P: active in the period */
    size_t nbits;
} cohort_work;

static bool counts_as_activity(const cohort_work *w, uint32_t c, cx_time t)
{
    return w->o->start != CX_COHORT_ACQUIRED || (w->acq[c] != CX_TIME_NONE && t >= w->acq[c]);
}

static void cohort_range_visit(void *ctx, uint32_t c, cx_time t)
{
    cohort_work *w = ctx;
    if (!counts_as_activity(w, c, t))
        return;
    if (t < w->tmin)
        w->tmin = t;
    if (t > w->tmax)
        w->tmax = t;
}

static int64_t day_in_offset(const cohort_work *w, cx_time t)
{
    return cxi_floordiv(t + (int64_t)w->o->offset * CXI_MS_PER_MINUTE, CXI_MS_PER_DAY);
}

/* The start of the period after the one starting at `start`: a step at
 * least as long as the longest period of the bucket and shorter than two
 * of the shortest lands in the next one. */
static cx_time next_start(cx_time start, int bucket, int offset)
{
    static const int64_t step_days[CXI_BUCKET_COUNT] = {1, 7, 31, 92, 366};
    return cxi_bucket_start(start + step_days[bucket] * CXI_MS_PER_DAY, bucket, offset);
}

static size_t period_index(const cohort_work *w, cx_time t)
{
    if (w->day_idx)
        return w->day_idx[day_in_offset(w, t) - w->day0];
    cx_time s = cxi_bucket_start(t, w->o->bucket, w->o->offset);
    size_t a = 0, b = w->P;
    while (a + 1 < b) {
        size_t m = (a + b) / 2;
        if (w->starts[m] <= s)
            a = m;
        else
            b = m;
    }
    return a;
}

/* Finds the calendar periods of the data and a period per day of its range
 * (so that the passes cost a lookup per record, not a calendar conversion). */
static int cohort_periods(cohort_work *w, const char *fn)
{
    const cx_cohorts_options *o = w->o;
    w->tmin = INT64_MAX;
    w->tmax = INT64_MIN;
    cxi_each_activity(w->s, o->activity, cohort_range_visit, w);
    if (o->start == CX_COHORT_ACQUIRED)
        for (size_t i = 0; i < w->ncust; i++)
            if (w->acq[i] != CX_TIME_NONE)
                cohort_range_visit(w, (uint32_t)i, w->acq[i]);
    if (w->tmin > w->tmax)
        return CX_OK; /* no data: no period */
    cx_time first = cxi_bucket_start(w->tmin, o->bucket, o->offset);
    cx_time last = cxi_bucket_start(w->tmax, o->bucket, o->offset);
    /* The table is a triangle of P(P+1)/2 rows, and the scan a bit per
     * customer and period: both are bounded here, before anything of that
     * size is allocated (two records 40 years apart in days would ask for
     * 107 million rows). Counting stops past the limit. */
    size_t P = 1;
    for (cx_time t = first; t < last && P <= CX_COHORTS_MAX_PERIODS; t = next_start(t, o->bucket, o->offset))
        P++;
    if (P > CX_COHORTS_MAX_PERIODS) {
        char a[CXI_BUCKET_LABEL_MAX], b[CXI_BUCKET_LABEL_MAX];
        cxi_bucket_label(a, sizeof a, first, o->bucket, o->offset);
        cxi_bucket_label(b, sizeof b, last, o->bucket, o->offset);
        return cxi_fail(CX_ELIMIT, "%s: the data span more than %d calendar periods (%s buckets from %s to %s), "
                        "the most a cohort table takes (its rows would be more than %d x %d / 2): choose a longer "
                        "bucket", fn, CX_COHORTS_MAX_PERIODS, cxi_bucket_names[o->bucket], a, b, CX_COHORTS_MAX_PERIODS,
                        CX_COHORTS_MAX_PERIODS + 1);
    }
    if (w->ncust && P > ((size_t)1 << 31) / w->ncust)
        return cxi_fail(CX_ELIMIT, "%s: %zu customers x %zu periods exceed 2^31 customer-periods", fn, w->ncust, P);
    if (!(w->starts = cxi_alloc(&w->mem, P * sizeof *w->starts)))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    w->P = P;
    w->starts[0] = first;
    for (size_t k = 1; k < P; k++)
        w->starts[k] = next_start(w->starts[k - 1], o->bucket, o->offset);
    w->day0 = day_in_offset(w, w->tmin);
    int64_t span = day_in_offset(w, w->tmax) - w->day0;
    if (span < MAX_DAY_TABLE) {
        w->ndays = (size_t)span + 1;
        if (!(w->day_idx = cxi_alloc(&w->mem, w->ndays * sizeof *w->day_idx)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        size_t k = 0;
        for (size_t d = 0; d < w->ndays; d++) {
            cx_time t = (w->day0 + (int64_t)d) * CXI_MS_PER_DAY - (int64_t)o->offset * CXI_MS_PER_MINUTE;
            while (k + 1 < P && w->starts[k + 1] <= t)
                k++;
            w->day_idx[d] = (uint32_t)k;
        }
    }
    return CX_OK;
}

static void cohort_first_visit(void *ctx, uint32_t c, cx_time t)
{
    cohort_work *w = ctx;
    if (!counts_as_activity(w, c, t))
        return;
    uint32_t k = (uint32_t)period_index(w, t);
    if (w->first[c] == CXI_NONE || k < w->first[c])
        w->first[c] = k;
}

static void cohort_bit_visit(void *ctx, uint32_t c, cx_time t)
{
    cohort_work *w = ctx;
    if (!counts_as_activity(w, c, t))
        return;
    size_t bit = (size_t)c * w->P + period_index(w, t);
    w->bits[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

static bool bit_at(const cohort_work *w, size_t c, size_t k)
{
    size_t bit = c * w->P + k;
    return w->bits[bit >> 3] >> (bit & 7) & 1;
}

/* Each customer's cohort and the periods it was active in. */
static int cohort_scan(cohort_work *w, const char *fn)
{
    w->first = cxi_alloc(&w->mem, (w->ncust + 1) * sizeof *w->first);
    w->nbits = (w->ncust * w->P + 7) / 8 + 1;
    w->bits = zalloc(&w->mem, w->nbits);
    if (!w->first || !w->bits)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t i = 0; i < w->ncust; i++)
        w->first[i] = CXI_NONE;
    if (w->P == 0)
        return CX_OK;
    if (w->o->start == CX_COHORT_ACQUIRED) {
        for (size_t i = 0; i < w->ncust; i++)
            if (w->acq[i] != CX_TIME_NONE)
                w->first[i] = (uint32_t)period_index(w, w->acq[i]);
    } else {
        cxi_each_activity(w->s, w->o->activity, cohort_first_visit, w);
    }
    cxi_each_activity(w->s, w->o->activity, cohort_bit_visit, w);
    return CX_OK;
}

enum {
    CO_COHORT, CO_COHORT_LABEL, CO_PERIOD, CO_PERIOD_START, CO_PERIOD_LABEL, CO_SIZE, CO_ACTIVE, CO_RETENTION,
    CO_GAINED, CO_KEPT, CO_LOST, CO_CHURN, CO_NCOLS
};

/* The row of (cohort k, period p since its start): cohorts come one after
 * another, cohort k holding P - k periods. */
static size_t cohort_row(size_t P, size_t k, size_t p) { return k * P - k * (k - 1) / 2 * (k > 0) + p; }

/* Counts every customer into the rows of its cohort. */
static void cohort_count(cohort_work *w, cx_result *r)
{
    size_t P = w->P;
    for (size_t i = 0; i < w->ncust; i++) {
        if (w->first[i] == CXI_NONE)
            continue;
        size_t k = w->first[i], base = cohort_row(P, k, 0);
        cxi_result_set_int(r, CO_SIZE, base, cxi_result_int(r, CO_SIZE, base) + 1);
        for (size_t p = k; p < P; p++) {
            size_t row = base + (p - k);
            bool now = bit_at(w, i, p), before = p > k && bit_at(w, i, p - 1);
            if (now)
                cxi_result_set_int(r, CO_ACTIVE, row, cxi_result_int(r, CO_ACTIVE, row) + 1);
            if (now && before)
                cxi_result_set_int(r, CO_KEPT, row, cxi_result_int(r, CO_KEPT, row) + 1);
            if (!now && before)
                cxi_result_set_int(r, CO_LOST, row, cxi_result_int(r, CO_LOST, row) + 1);
        }
    }
}

/* The long table: one row per cohort and period since its start. */
static int cohort_table(cx_result **out, cohort_work *w, const char *fn)
{
    static const char *const names[CO_NCOLS] = {"cohort", "cohort_label", "period", "period_start", "period_label",
                                                "size",   "active",       "retention", "gained", "kept", "lost",
                                                "churn"};
    static const int types[CO_NCOLS] = {CX_TYPE_TIME, CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_TIME,
                                        CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_INT,  CX_TYPE_REAL,
                                        CX_TYPE_INT,  CX_TYPE_INT,    CX_TYPE_INT,  CX_TYPE_REAL};
    size_t P = w->P, rows = P * (P + 1) / 2;
    if (rows > CXI_MAX_ROWS)
        return cxi_fail(CX_ELIMIT, "%s: %zu periods give more than %u rows", fn, P, (unsigned)CXI_MAX_ROWS);
    cx_result *r;
    if (cxi_result_new(&r, &w->mem, rows, CO_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    int bucket = w->o->bucket, offset = w->o->offset;
    cxi_result_set_offset(r, CO_COHORT, offset);
    cxi_result_set_offset(r, CO_PERIOD_START, offset);
    cohort_count(w, r);
    char kl[CXI_BUCKET_LABEL_MAX], pl[CXI_BUCKET_LABEL_MAX];
    for (size_t k = 0; k < P; k++) {
        size_t base = cohort_row(P, k, 0);
        int64_t size = cxi_result_int(r, CO_SIZE, base);
        cxi_bucket_label(kl, sizeof kl, w->starts[k], bucket, offset);
        for (size_t p = 0; k + p < P; p++) {
            size_t row = base + p;
            int64_t active = cxi_result_int(r, CO_ACTIVE, row);
            int64_t before = p ? cxi_result_int(r, CO_ACTIVE, row - 1) : 0;
            cxi_bucket_label(pl, sizeof pl, w->starts[k + p], bucket, offset);
            if (cxi_result_set_text(r, CO_COHORT_LABEL, row, kl) || cxi_result_set_text(r, CO_PERIOD_LABEL, row, pl)) {
                cx_result_free(r);
                return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
            }
            cxi_result_set_time(r, CO_COHORT, row, w->starts[k]);
            cxi_result_set_int(r, CO_PERIOD, row, (int64_t)p);
            cxi_result_set_time(r, CO_PERIOD_START, row, w->starts[k + p]);
            cxi_result_set_int(r, CO_SIZE, row, size);
            cxi_result_set_real(r, CO_RETENTION, row, size ? (double)active / (double)size : NAN);
            cxi_result_set_int(r, CO_GAINED, row, p ? 0 : size);
            cxi_result_set_real(r, CO_CHURN, row,
                                before ? (double)cxi_result_int(r, CO_LOST, row) / (double)before : NAN);
        }
    }
    *out = r;
    return CX_OK;
}

/* Checks the arguments of a run over the cohort options and finds the
 * calendar periods of the data (defaults: the storage for NULL options). */
static int cohort_begin(cohort_work *w, cx_cohorts_options *defaults, cx_result **out, const cx_store *store,
                        const cx_cohorts_options *options, const char *fn)
{
    memset(w, 0, sizeof *w);
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (!options) {
        cohorts_defaults(defaults);
        options = defaults;
    }
    w->s = store;
    w->o = options;
    cxi_mem_init(&w->mem, store->mem.fn, store->mem.ud);
    w->acq = CXI_COL(store, CX_TABLE_CUSTOMERS, CU_ACQUIRED, int64_t);
    w->ncust = store->t[CX_TABLE_CUSTOMERS].n;
    return cohort_periods(w, fn);
}

static void cohort_end(cohort_work *w)
{
    cxi_free(&w->mem, w->starts, w->P * sizeof *w->starts);
    cxi_free(&w->mem, w->day_idx, w->ndays * sizeof *w->day_idx);
    cxi_free(&w->mem, w->first, (w->ncust + 1) * sizeof *w->first);
    cxi_free(&w->mem, w->bits, w->nbits);
}

int cx_cohorts_run(cx_result **out, const cx_store *store, const cx_cohorts_options *options)
{
    static const char fn[] = "cx_cohorts_run";
    cohort_work w;
    cx_cohorts_options defaults;
    int rc = cohort_begin(&w, &defaults, out, store, options, fn);
    if (!rc)
        rc = cohort_scan(&w, fn);
    if (!rc)
        rc = cohort_table(out, &w, fn);
    cohort_end(&w);
    return rc;
}

/* ---- lifecycle (new, returning, resurrecting, dormant) -------------------- */

enum { LC_START, LC_LABEL, LC_ACTIVE, LC_NEW, LC_RETURNING, LC_RESURRECTING, LC_DORMANT, LC_QUICK, LC_NCOLS };

/* A table of one row per period with its start and label in the first two
 * columns; the other cells zero. */
static int period_rows(cx_result **out, const cohort_work *w, size_t rows, size_t ncols, const char *const *names,
                       const int *types, const char *fn)
{
    if (rows > CXI_MAX_ROWS)
        return cxi_fail(CX_ELIMIT, "%s: more than %u rows", fn, (unsigned)CXI_MAX_ROWS);
    if (cxi_result_new(out, &w->mem, rows, ncols, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    cxi_result_set_offset(*out, 0, w->o->offset);
    return CX_OK;
}

static int set_period(cx_result *r, size_t row, const cohort_work *w, size_t k, const char *fn)
{
    char label[CXI_BUCKET_LABEL_MAX];
    cxi_bucket_label(label, sizeof label, w->starts[k], w->o->bucket, w->o->offset);
    cxi_result_set_time(r, 0, row, w->starts[k]);
    if (cxi_result_set_text(r, 1, row, label))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    return CX_OK;
}

static void add_int(cx_result *r, size_t col, size_t row) { cxi_result_set_int(r, col, row, cxi_result_int(r, col, row) + 1); }

int cx_lifecycle_run(cx_result **out, const cx_store *store, const cx_cohorts_options *options)
{
    static const char fn[] = "cx_lifecycle_run";
    static const char *const names[LC_NCOLS] = {"period_start", "period_label", "active",  "new",
                                                "returning",    "resurrecting", "dormant", "quick_ratio"};
    static const int types[LC_NCOLS] = {CX_TYPE_TIME, CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_INT,
                                        CX_TYPE_INT,  CX_TYPE_INT,    CX_TYPE_INT, CX_TYPE_REAL};
    cohort_work w;
    cx_cohorts_options defaults;
    cx_result *r = NULL;
    int rc = cohort_begin(&w, &defaults, out, store, options, fn);
    if (!rc)
        rc = cohort_scan(&w, fn);
    if (!rc)
        rc = period_rows(&r, &w, w.P, LC_NCOLS, names, types, fn);
    for (size_t i = 0; !rc && i < w.ncust; i++) {
        if (w.first[i] == CXI_NONE)
            continue;
        for (size_t p = w.first[i]; p < w.P; p++) {
            bool now = bit_at(&w, i, p), before = p > 0 && bit_at(&w, i, p - 1);
            if (now) {
                add_int(r, LC_ACTIVE, p);
                add_int(r, p == w.first[i] ? LC_NEW : before ? LC_RETURNING : LC_RESURRECTING, p);
            } else if (before) {
                add_int(r, LC_DORMANT, p);
            }
        }
    }
    for (size_t p = 0; !rc && p < w.P; p++) {
        int64_t grow = cxi_result_int(r, LC_NEW, p) + cxi_result_int(r, LC_RESURRECTING, p),
                lost = cxi_result_int(r, LC_DORMANT, p);
        cxi_result_set_real(r, LC_QUICK, p, lost ? (double)grow / (double)lost : NAN);
        rc = set_period(r, p, &w, p, fn);
    }
    cohort_end(&w);
    if (rc) {
        cx_result_free(r);
        return rc;
    }
    *out = r;
    return CX_OK;
}

/* ---- stickiness (active days per period) ------------------------------------ */

typedef struct day_keys {
    cohort_work *w;
    uint64_t *keys; /* customer << 32 | day since day0 */
    size_t n;
} day_keys;

static void day_key_visit(void *ctx, uint32_t c, cx_time t)
{
    day_keys *d = ctx;
    if (counts_as_activity(d->w, c, t))
        d->keys[d->n++] = (uint64_t)c << 32 | (uint64_t)(day_in_offset(d->w, t) - d->w->day0);
}

void cxi_radix_u64(uint64_t *keys, uint64_t *tmp, size_t n)
{
    uint64_t any = 0, all = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        any |= keys[i];
        all &= keys[i];
    }
    uint64_t *src = keys, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        if (!(((any ^ all) >> shift) & 0xFF))
            continue; /* every key has the same byte here */
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((src[i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

/* The period of day index d (days since day0). */
static size_t day_period(const cohort_work *w, uint32_t d)
{
    if (w->day_idx)
        return w->day_idx[d];
    cx_time t = (w->day0 + (int64_t)d) * CXI_MS_PER_DAY - (int64_t)w->o->offset * CXI_MS_PER_MINUTE;
    return period_index(w, t);
}

enum { ST_START, ST_LABEL, ST_DAYS, ST_CUSTOMERS, ST_SHARE, ST_ACTIVE, ST_NCOLS };

int cx_stickiness_run(cx_result **out, const cx_store *store, const cx_cohorts_options *options)
{
    static const char fn[] = "cx_stickiness_run";
    static const char *const names[ST_NCOLS] = {"period_start", "period_label", "days", "customers", "share",
                                                "active"};
    static const int types[ST_NCOLS] = {CX_TYPE_TIME, CX_TYPE_STRING, CX_TYPE_INT,
                                        CX_TYPE_INT,  CX_TYPE_REAL,   CX_TYPE_INT};
    cohort_work w;
    cx_cohorts_options defaults;
    cx_result *r = NULL;
    day_keys d = {&w, NULL, 0};
    uint64_t *tmp = NULL;
    size_t *row0 = NULL, nrec = 0, rows = 0;
    int rc = cohort_begin(&w, &defaults, out, store, options, fn);
    if (!rc) {
        if (w.o->activity & CX_ACTIVITY_TRANSACTIONS)
            nrec += store->t[CX_TABLE_TRANSACTIONS].n;
        if (w.o->activity & CX_ACTIVITY_INBOUND)
            nrec += store->t[CX_TABLE_INTERACTIONS].n;
        d.keys = cxi_alloc(&w.mem, (nrec ? nrec : 1) * sizeof *d.keys);
        tmp = cxi_alloc(&w.mem, (nrec ? nrec : 1) * sizeof *tmp);
        row0 = cxi_alloc(&w.mem, (w.P + 1) * sizeof *row0);
        if (!d.keys || !tmp || !row0)
            rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu activity records", fn, nrec);
    }
    if (!rc) {
        /* row0[k]: the first row of period k; a period of L days has L rows */
        for (size_t k = 0; k < w.P; k++) {
            cx_time end = k + 1 < w.P ? w.starts[k + 1] : next_start(w.starts[k], w.o->bucket, w.o->offset);
            row0[k] = rows;
            rows += (size_t)((end - w.starts[k]) / CXI_MS_PER_DAY);
        }
        row0[w.P] = rows;
        rc = period_rows(&r, &w, rows, ST_NCOLS, names, types, fn);
    }
    if (!rc && w.P) {
        cxi_each_activity(store, w.o->activity, day_key_visit, &d);
        cxi_radix_u64(d.keys, tmp, d.n);
        /* each customer's distinct days, counted per period */
        size_t i = 0;
        while (i < d.n) {
            uint64_t cust = d.keys[i] >> 32;
            size_t k = day_period(&w, (uint32_t)d.keys[i]), days = 0;
            uint32_t last = UINT32_MAX;
            for (; i < d.n && d.keys[i] >> 32 == cust; i++) {
                uint32_t day = (uint32_t)d.keys[i];
                if (day == last)
                    continue;
                size_t kk = day_period(&w, day);
                if (kk != k) {
                    add_int(r, ST_CUSTOMERS, row0[k] + days - 1);
                    k = kk;
                    days = 0;
                }
                days++;
                last = day;
            }
            add_int(r, ST_CUSTOMERS, row0[k] + days - 1);
        }
        for (size_t k = 0; k < w.P && !rc; k++) {
            int64_t active = 0;
            for (size_t row = row0[k]; row < row0[k + 1]; row++)
                active += cxi_result_int(r, ST_CUSTOMERS, row);
            for (size_t row = row0[k]; row < row0[k + 1] && !rc; row++) {
                cxi_result_set_int(r, ST_DAYS, row, (int64_t)(row - row0[k] + 1));
                cxi_result_set_int(r, ST_ACTIVE, row, active);
                cxi_result_set_real(r, ST_SHARE, row,
                                    active ? (double)cxi_result_int(r, ST_CUSTOMERS, row) / (double)active : NAN);
                rc = set_period(r, row, &w, k, fn);
            }
        }
    }
    cxi_free(&w.mem, d.keys, (nrec ? nrec : 1) * sizeof *d.keys);
    cxi_free(&w.mem, tmp, (nrec ? nrec : 1) * sizeof *tmp);
    cxi_free(&w.mem, row0, (w.P + 1) * sizeof *row0);
    cohort_end(&w);
    if (rc) {
        cx_result_free(r);
        return rc;
    }
    *out = r;
    return CX_OK;
}

/* ---- RFM --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* 1 + floor(bins x share of values strictly worse); sorted is ascending. */
static int score_of(const double *sorted, size_t n, double v, int bins, bool lower_better)
{
    size_t a = 0, b = n;
    if (lower_better) { /* worse: strictly greater */
        while (a < b) {
            size_t m = (a + b) / 2;
            if (sorted[m] <= v)
                a = m + 1;
            else
                b = m;
        }
        a = n - a;
    } else { /* worse: strictly smaller */
        while (a < b) {
            size_t m = (a + b) / 2;
            if (sorted[m] < v)
                a = m + 1;
            else
                b = m;
        }
    }
    int s = 1 + (int)((double)bins * (double)a / (double)n);
    return s > bins ? bins : s;
}

static int segment_of(int r, int fm)
{
    if (r >= 4 && fm >= 4)
        return CX_RFM_CHAMPIONS;
    if (r >= 3 && fm >= 3)
        return CX_RFM_LOYAL;
    if (r >= 4 && fm >= 2)
        return CX_RFM_POTENTIAL_LOYALIST;
    if (r == 5)
        return CX_RFM_NEW;
    if (r == 4)
        return CX_RFM_PROMISING;
    if (r == 3)
        return fm >= 2 ? CX_RFM_NEED_ATTENTION : CX_RFM_ABOUT_TO_SLEEP;
    if (fm >= 5)
        return CX_RFM_CANNOT_LOSE;
    if (fm >= 3)
        return CX_RFM_AT_RISK;
    return r == 2 ? CX_RFM_HIBERNATING : CX_RFM_LOST;
}

static const char *const rfm_segment_names[CX_RFM_SEGMENT_COUNT] = {
    "champions",      "loyal",       "potential_loyalist", "new",         "promising", "need_attention",
    "about_to_sleep", "cannot_lose", "at_risk",            "hibernating", "lost"};

enum { RF_CUSTOMER, RF_RECENCY, RF_FREQUENCY, RF_MONETARY, RF_R, RF_F, RF_M, RF_SEGMENT, RF_SEGMENT_NAME, RF_NCOLS };

/* Fills the table from acc (per customer: last purchase, count, sum) and
 * the three sorted columns of values. */
static int rfm_fill(cx_result *r, const cx_store *store, const double *acc, double *sorted, size_t n, cx_time as_of,
                    int64_t unit_ms, int bins)
{
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n, k = 0;
    for (size_t c = 0; c < ncust; c++) {
        const double *a = acc + 3 * c;
        if (a[1] == 0)
            continue;
        double v[3] = {((double)as_of - a[0]) / (double)unit_ms, a[1], a[2]};
        for (int j = 0; j < 3; j++)
            sorted[(size_t)j * n + k] = v[j];
        if (cxi_result_set_text(r, RF_CUSTOMER, k, cxi_customer_id(store, (uint32_t)c)))
            return CX_ENOMEM;
        cxi_result_set_real(r, RF_RECENCY, k, v[0]);
        cxi_result_set_int(r, RF_FREQUENCY, k, (int64_t)v[1]);
        cxi_result_set_real(r, RF_MONETARY, k, v[2]);
        k++;
    }
    for (int j = 0; j < 3; j++)
        qsort(sorted + (size_t)j * n, n, sizeof(double), cmp_double);
    for (size_t i = 0; i < n; i++) {
        double v[3] = {cxi_result_real(r, RF_RECENCY, i), (double)cxi_result_int(r, RF_FREQUENCY, i),
                       cxi_result_real(r, RF_MONETARY, i)};
        int s5[3];
        for (int j = 0; j < 3; j++) {
            cxi_result_set_int(r, RF_R + (size_t)j, i, score_of(sorted + (size_t)j * n, n, v[j], bins, j == 0));
            s5[j] = score_of(sorted + (size_t)j * n, n, v[j], 5, j == 0);
        }
        int seg = segment_of(s5[0], (s5[1] + s5[2] + 1) / 2);
        cxi_result_set_int(r, RF_SEGMENT, i, seg);
        if (cxi_result_set_text(r, RF_SEGMENT_NAME, i, rfm_segment_names[seg]))
            return CX_ENOMEM;
    }
    return CX_OK;
}

int cx_rfm_run(cx_result **out, const cx_store *store, cx_time as_of, int64_t unit_ms, int bins)
{
    static const char fn[] = "cx_rfm_run";
    static const char *const names[RF_NCOLS] = {"customer", "recency", "frequency", "monetary",    "r",
                                                "f",        "m",       "segment",   "segment_name"};
    static const int types[RF_NCOLS] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL,  CX_TYPE_INT,
                                        CX_TYPE_INT,    CX_TYPE_INT,  CX_TYPE_INT, CX_TYPE_STRING};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (as_of == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: as_of is missing", fn);
    if (unit_ms <= 0)
        return cxi_fail(CX_ERANGE, "%s: unit %lld ms is not > 0", fn, (long long)unit_ms);
    if (bins < 2 || bins > 100)
        return cxi_fail(CX_ERANGE, "%s: bins %d is not within 2 to 100", fn, bins);
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n, nt = store->t[CX_TABLE_TRANSACTIONS].n;
    const uint32_t *cu = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
    const cxi_icol tm = cxi_icol_of(store, CX_TABLE_TRANSACTIONS, TR_TIME);
    const cxi_vcol am = cxi_vcol_of(store, CX_TABLE_TRANSACTIONS, TR_AMOUNT);
    double *acc = zalloc(&mem, (ncust + 1) * 3 * sizeof(double)); /* last, count, sum */
    if (!acc)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    size_t n = 0;
    for (size_t i = 0; i < nt; i++) {
        if (cxi_icol_at(tm, i) >= as_of)
            continue;
        double *a = acc + 3 * cu[i];
        if (a[1] == 0 || (double)cxi_icol_at(tm, i) > a[0])
            a[0] = (double)cxi_icol_at(tm, i);
        n += a[1] == 0;
        a[1] += 1;
        a[2] += cxi_vcol_at(am, i);
    }
    double *sorted = cxi_alloc(&mem, (n + 1) * 3 * sizeof(double));
    cx_result *r = NULL;
    int rc = sorted ? cxi_result_new(&r, &mem, n, RF_NCOLS, names, types) : CX_ENOMEM;
    if (!rc)
        rc = rfm_fill(r, store, acc, sorted, n, as_of, unit_ms, bins);
    cxi_free(&mem, acc, (ncust + 1) * 3 * sizeof(double));
    cxi_free(&mem, sorted, (n + 1) * 3 * sizeof(double));
    if (rc) {
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

int cx_rfm_segment_name(const char **out, cx_rfm_segment segment)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_rfm_segment_name: out is NULL");
    if ((int)segment < 0 || (int)segment >= CX_RFM_SEGMENT_COUNT)
        return cxi_fail(CX_EINVAL, "cx_rfm_segment_name: segment %d is not a cx_rfm_segment", (int)segment);
    *out = rfm_segment_names[segment];
    return CX_OK;
}
