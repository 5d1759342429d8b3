/*
 * The lifecycle analyses that read a store: cohorts and retention,
 * Kaplan-Meier input from activity and RFM (the summaries of the value
 * models are in summary.c). Each scans the store's columns directly (one pass per
 * table it needs) into per-customer arrays; nothing is allocated per record.
 */
#include "../metrics/metrics_private.h"
#include "lifecycle_private.h"

#include "cxkit/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define DAY_MS 86400000LL

static int64_t floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

static void *zalloc(cxi_mem *m, size_t n)
{
    void *p = cxi_alloc(m, n ? n : 1);
    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}

static const char *cust_id(const cx_store *s, uint32_t c) { return cxi_pool_str(&s->keys[CX_TABLE_CUSTOMERS], c); }

/* Calls fn(ctx, customer, time) for every activity record; returns the
 * first non-zero result of fn. */
typedef int (*activity_fn)(void *ctx, uint32_t c, cx_time t);

static int each_activity(const cx_store *s, int activity, activity_fn fn, void *ctx)
{
    if (activity & CX_ACTIVITY_TRANSACTIONS) {
        size_t n = s->t[CX_TABLE_TRANSACTIONS].n;
        const uint32_t *cu = CXI_COL(s, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
        const int64_t *tm = CXI_COL(s, CX_TABLE_TRANSACTIONS, TR_TIME, int64_t);
        for (size_t i = 0; i < n; i++) {
            int rc = fn(ctx, cu[i], tm[i]);
            if (rc)
                return rc;
        }
    }
    if (activity & CX_ACTIVITY_INBOUND) {
        size_t n = s->t[CX_TABLE_INTERACTIONS].n;
        const uint32_t *cu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
        const int64_t *tm = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_TIME, int64_t);
        const uint8_t *dir = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
        for (size_t i = 0; i < n; i++) {
            if (dir[i] != CX_INBOUND)
                continue;
            int rc = fn(ctx, cu[i], tm[i]);
            if (rc)
                return rc;
        }
    }
    return CX_OK;
}

static int check_activity(const cx_store *s, int activity, const char *fn)
{
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (activity <= 0 || (activity & ~(CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND)))
        return cxi_fail(CX_EINVAL, "%s: activity %d is not a non-empty cx_activity mask", fn, activity);
    return CX_OK;
}

/* ---- cohorts ---------------------------------------------------------- */

/* The ordinal of a calendar period: days, Monday weeks, months, quarters
 * or years since 1970 (in the offset). */
static int64_t period_of(cx_time t, int bucket, int offset)
{
    int64_t days = floordiv(t + (int64_t)offset * 60000, DAY_MS), y;
    int m, d;
    switch (bucket) {
    case CX_BUCKET_DAY: return days;
    case CX_BUCKET_WEEK: return floordiv(days + 3, 7);
    default: break;
    }
    cxi_civil_from_days(days, &y, &m, &d);
    if (bucket == CX_BUCKET_MONTH)
        return y * 12 + (m - 1);
    if (bucket == CX_BUCKET_QUARTER)
        return y * 4 + (m - 1) / 3;
    return y;
}

static cx_time period_start(int64_t p, int bucket, int offset)
{
    int64_t days;
    switch (bucket) {
    case CX_BUCKET_DAY: days = p; break;
    case CX_BUCKET_WEEK: days = p * 7 - 3; break;
    case CX_BUCKET_MONTH: days = cxi_days_from_civil(floordiv(p, 12), (int)(p - floordiv(p, 12) * 12) + 1, 1); break;
    case CX_BUCKET_QUARTER: days = cxi_days_from_civil(floordiv(p, 4), (int)(p - floordiv(p, 4) * 4) * 3 + 1, 1); break;
    default: days = cxi_days_from_civil(p, 1, 1); break;
    }
    return days * DAY_MS - (int64_t)offset * 60000;
}

#define LABEL_LEN 16

struct cx_cohorts {
    cxi_mem mem;
    size_t ncust, P;     /* customers in the store, calendar periods */
    uint8_t *bits;       /* ncust x P activity bits */
    int32_t *cohort;     /* per customer: its cohort's period, -1 none */
    uint64_t *size;      /* per cohort */
    uint64_t *cell;      /* P x P: cohort x periods since start */
    uint64_t *active, *kept, *lost;
    cx_time *start;
    char *labels;        /* P x LABEL_LEN */
};

typedef struct cohort_scan {
    cx_cohorts *c;
    int pass, mode, bucket, offset;
    const int64_t *acq;
    int64_t *first;     /* per customer: first period (pass 1), INT64_MAX none */
    int64_t lo, hi;
    int64_t day0, ndays; /* period of each day from day0 (pass 0 finds the range) */
    int64_t *day_period;
} cohort_scan;

static int64_t day_of(const cohort_scan *x, cx_time t) { return floordiv(t + (int64_t)x->offset * 60000, DAY_MS); }

static int cohort_visit(void *vctx, uint32_t cu, cx_time t)
{
    cohort_scan *x = vctx;
    if (x->mode == CX_COHORT_ACQUIRED && (x->acq[cu] == CX_TIME_NONE || t < x->acq[cu]))
        return CX_OK;
    if (x->pass == 0) { /* the range of days, so that periods come from a table */
        int64_t d = day_of(x, t);
        if (d < x->day0)
            x->day0 = d;
        if (d > x->ndays)
            x->ndays = d; /* the last day, until the table is made */
        return CX_OK;
    }
    int64_t p = x->day_period ? x->day_period[day_of(x, t) - x->day0] : period_of(t, x->bucket, x->offset);
    if (x->pass == 1) {
        if (p < x->first[cu])
            x->first[cu] = p;
        if (p < x->lo)
            x->lo = p;
        if (p > x->hi)
            x->hi = p;
    } else {
        size_t bit = (size_t)cu * x->c->P + (size_t)(p - x->lo);
        x->c->bits[bit >> 3] |= (uint8_t)(1u << (bit & 7));
    }
    return CX_OK;
}

static bool bit_at(const cx_cohorts *c, size_t cu, size_t p)
{
    size_t bit = cu * c->P + p;
    return c->bits[bit >> 3] >> (bit & 7) & 1;
}

void cx_cohorts_free(cx_cohorts *c)
{
    if (!c)
        return;
    cxi_mem mem = c->mem;
    size_t P = c->P;
    cxi_free(&mem, c->bits, (c->ncust * P + 7) / 8 + 1);
    cxi_free(&mem, c->cohort, (c->ncust + 1) * sizeof(int32_t));
    cxi_free(&mem, c->size, (P + 1) * sizeof(uint64_t));
    cxi_free(&mem, c->cell, (P * P + 1) * sizeof(uint64_t));
    cxi_free(&mem, c->active, (P + 1) * sizeof(uint64_t));
    cxi_free(&mem, c->kept, (P + 1) * sizeof(uint64_t));
    cxi_free(&mem, c->lost, (P + 1) * sizeof(uint64_t));
    cxi_free(&mem, c->start, (P + 1) * sizeof(cx_time));
    cxi_free(&mem, c->labels, (P + 1) * LABEL_LEN);
    cxi_free(&mem, c, sizeof *c);
}

int cx_cohorts_new(cx_cohorts **out, const cx_store *store, int activity, int start, int bucket, int offset_minutes)
{
    static const char fn[] = "cx_cohorts_new";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    int rc = check_activity(store, activity, fn);
    if (rc)
        return rc;
    if (start != CX_COHORT_FIRST_ACTIVITY && start != CX_COHORT_ACQUIRED)
        return cxi_fail(CX_EINVAL, "%s: start %d is not a cx_cohort_start", fn, start);
    if (bucket < CX_BUCKET_DAY || bucket > CX_BUCKET_YEAR)
        return cxi_fail(CX_EINVAL, "%s: bucket %d is not a cx_bucket", fn, bucket);
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "%s: offset %d minutes is not within -840 to 840", fn, offset_minutes);
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n;
    const int64_t *acq = CXI_COL(store, CX_TABLE_CUSTOMERS, CU_ACQUIRED, int64_t);
    cohort_scan x = {NULL, 0, start, bucket, offset_minutes, acq, NULL, INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN,
                     NULL};
    /* a period per day of the data's range: the passes then cost a lookup
     * per record instead of a calendar conversion */
    each_activity(store, activity, cohort_visit, &x);
    size_t table_len = 0;
    if (x.day0 <= x.ndays && x.ndays - x.day0 < 400000) {
        table_len = (size_t)(x.ndays - x.day0 + 1);
        x.day_period = cxi_alloc(&mem, table_len * sizeof(int64_t));
        for (size_t d = 0; x.day_period && d < table_len; d++)
            x.day_period[d] = period_of(((x.day0 + (int64_t)d) * DAY_MS) - (int64_t)offset_minutes * 60000, bucket,
                                        offset_minutes);
    }
    x.pass = 1;
    x.first = cxi_alloc(&mem, (ncust + 1) * sizeof(int64_t));
    if (!x.first) {
        cxi_free(&mem, x.day_period, table_len * sizeof(int64_t));
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    for (size_t i = 0; i < ncust; i++) {
        x.first[i] = INT64_MAX;
        if (start == CX_COHORT_ACQUIRED && acq[i] != CX_TIME_NONE) {
            int64_t p = period_of(acq[i], bucket, offset_minutes);
            x.first[i] = p;
            if (p < x.lo)
                x.lo = p;
            if (p > x.hi)
                x.hi = p;
        }
    }
    each_activity(store, activity, cohort_visit, &x);
    if (start == CX_COHORT_ACQUIRED)
        for (size_t i = 0; i < ncust; i++)
            if (acq[i] != CX_TIME_NONE)
                x.first[i] = period_of(acq[i], bucket, offset_minutes);
    size_t P = x.lo <= x.hi ? (size_t)(x.hi - x.lo + 1) : 0;
    if (P > 100000 || (P && ncust > ((size_t)1 << 31) / P)) {
        cxi_free(&mem, x.first, (ncust + 1) * sizeof(int64_t));
        cxi_free(&mem, x.day_period, table_len * sizeof(int64_t));
        return cxi_fail(CX_ELIMIT, "%s: %zu customers x %zu periods exceed 2^31 customer-periods", fn, ncust, P);
    }
    cx_cohorts *c = zalloc(&mem, sizeof *c);
    if (!c) {
        cxi_free(&mem, x.first, (ncust + 1) * sizeof(int64_t));
        cxi_free(&mem, x.day_period, table_len * sizeof(int64_t));
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    c->mem = mem;
    c->ncust = ncust;
    c->P = P;
    c->bits = zalloc(&c->mem, (ncust * P + 7) / 8 + 1);
    c->cohort = zalloc(&c->mem, (ncust + 1) * sizeof(int32_t));
    c->size = zalloc(&c->mem, (P + 1) * sizeof(uint64_t));
    c->cell = zalloc(&c->mem, (P * P + 1) * sizeof(uint64_t));
    c->active = zalloc(&c->mem, (P + 1) * sizeof(uint64_t));
    c->kept = zalloc(&c->mem, (P + 1) * sizeof(uint64_t));
    c->lost = zalloc(&c->mem, (P + 1) * sizeof(uint64_t));
    c->start = zalloc(&c->mem, (P + 1) * sizeof(cx_time));
    c->labels = zalloc(&c->mem, (P + 1) * LABEL_LEN);
    if (!c->bits || !c->cohort || !c->size || !c->cell || !c->active || !c->kept || !c->lost || !c->start ||
        !c->labels) {
        cxi_free(&c->mem, x.first, (ncust + 1) * sizeof(int64_t));
        cxi_free(&c->mem, x.day_period, table_len * sizeof(int64_t));
        cx_cohorts_free(c);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    x.c = c;
    x.pass = 2;
    each_activity(store, activity, cohort_visit, &x);
    for (size_t p = 0; p < P; p++) {
        c->start[p] = period_start(x.lo + (int64_t)p, bucket, offset_minutes);
        cxi_bucket_label(c->labels + p * LABEL_LEN, LABEL_LEN, c->start[p], bucket, offset_minutes);
    }
    for (size_t i = 0; i < ncust; i++) {
        if (x.first[i] == INT64_MAX) {
            c->cohort[i] = -1;
            continue;
        }
        size_t k = (size_t)(x.first[i] - x.lo);
        c->cohort[i] = (int32_t)k;
        c->size[k]++;
        for (size_t p = k; p < P; p++) {
            if (!bit_at(c, i, p)) {
                if (p > k && bit_at(c, i, p - 1))
                    c->lost[p]++;
                continue;
            }
            c->cell[k * P + (p - k)]++;
            c->active[p]++;
            if (p > k && bit_at(c, i, p - 1))
                c->kept[p]++;
        }
    }
    cxi_free(&c->mem, x.first, (ncust + 1) * sizeof(int64_t));
    cxi_free(&c->mem, x.day_period, table_len * sizeof(int64_t));
    *out = c;
    return CX_OK;
}

size_t cx_cohorts_count(const cx_cohorts *c) { return c ? c->P : 0; }
size_t cx_cohorts_periods(const cx_cohorts *c) { return c ? c->P : 0; }

static int check_cohort(const cx_cohorts *c, size_t i, const char *what, const char *fn)
{
    if (!c)
        return cxi_fail(CX_EINVAL, "%s: cohorts is NULL", fn);
    if (i >= c->P)
        return cxi_fail(CX_ERANGE, "%s: %s %zu is out of range (%zu)", fn, what, i, c->P);
    return CX_OK;
}

int cx_cohorts_cohort(cx_time *start, const char **label, const cx_cohorts *c, size_t cohort)
{
    int rc = check_cohort(c, cohort, "cohort", "cx_cohorts_cohort");
    if (rc)
        return rc;
    if (start)
        *start = c->start[cohort];
    if (label)
        *label = c->labels + cohort * LABEL_LEN;
    return CX_OK;
}

int cx_cohorts_cell(uint64_t *size, uint64_t *active, double *retention, const cx_cohorts *c, size_t cohort,
                    size_t period)
{
    static const char fn[] = "cx_cohorts_cell";
    int rc = check_cohort(c, cohort, "cohort", fn);
    if (rc || (rc = check_cohort(c, period, "period", fn)))
        return rc;
    uint64_t a = c->cell[cohort * c->P + period], n = c->size[cohort];
    if (size)
        *size = n;
    if (active)
        *active = a;
    if (retention)
        *retention = n && cohort + period < c->P ? (double)a / (double)n : NAN;
    return CX_OK;
}

int cx_cohorts_flow(uint64_t *active, uint64_t *gained, uint64_t *kept, uint64_t *lost, const cx_cohorts *c,
                    size_t period)
{
    int rc = check_cohort(c, period, "period", "cx_cohorts_flow");
    if (rc)
        return rc;
    if (active)
        *active = c->active[period];
    if (gained)
        *gained = c->size[period];
    if (kept)
        *kept = c->kept[period];
    if (lost)
        *lost = c->lost[period];
    return CX_OK;
}

int cx_cohorts_retention(double *retention, double *churn, uint64_t *at_start, const cx_cohorts *c, size_t from,
                         size_t to)
{
    static const char fn[] = "cx_cohorts_retention";
    if (!retention)
        return cxi_fail(CX_EINVAL, "%s: retention is NULL", fn);
    int rc = check_cohort(c, from, "period", fn);
    if (rc || (rc = check_cohort(c, to, "period", fn)))
        return rc;
    if (to < from)
        return cxi_fail(CX_EORDER, "%s: period %zu is before period %zu", fn, to, from);
    uint64_t n = 0, k = 0;
    for (size_t i = 0; i < c->ncust; i++) {
        if (c->cohort[i] < 0 || !bit_at(c, i, from))
            continue;
        n++;
        k += bit_at(c, i, to);
    }
    *retention = n ? (double)k / (double)n : NAN;
    if (churn)
        *churn = n ? 1 - *retention : NAN;
    if (at_start)
        *at_start = n;
    return CX_OK;
}

/* ---- survival from a store ------------------------------------------------ */

typedef struct life_scan {
    const int64_t *acq;
    cx_time as_of;
    cx_time *first, *last;
} life_scan;

static int life_visit(void *vctx, uint32_t c, cx_time t)
{
    life_scan *x = vctx;
    if (t >= x->as_of)
        return CX_OK;
    if (t < x->first[c])
        x->first[c] = t;
    if (t > x->last[c])
        x->last[c] = t;
    return CX_OK;
}

typedef struct group_names {
    const cx_store *s;
    int set;
} group_names;

static const char *set_label(void *ctx, uint64_t group, char *buf)
{
    (void)buf;
    const group_names *g = ctx;
    if (group == 0)
        return NULL;
    return cxi_pool_str(&g->s->sets[g->set], (uint32_t)(group - 1));
}

int cx_survival_from_store(cx_survival **out, const cx_store *store, int activity, int64_t inactivity_ms,
                           cx_time as_of, const char *churn_attribute, int group_by, int64_t unit_ms, double level,
                           int band)
{
    static const char fn[] = "cx_survival_from_store";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    int rc = check_activity(store, activity, fn);
    if (rc)
        return rc;
    if (inactivity_ms <= 0)
        return cxi_fail(CX_ERANGE, "%s: inactivity threshold %lld ms is not > 0", fn, (long long)inactivity_ms);
    if (as_of == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: as_of is missing", fn);
    if (group_by != -1 && group_by != CX_DIM_SEGMENT && group_by != CX_DIM_REGION && group_by != CX_DIM_PLAN &&
        group_by != CX_DIM_CHANNEL)
        return cxi_fail(CX_EINVAL, "%s: group_by %d is not -1, segment, region, plan or channel", fn, group_by);
    if (unit_ms <= 0)
        return cxi_fail(CX_ERANGE, "%s: unit %lld ms is not > 0", fn, (long long)unit_ms);
    if (!(level > 0 && level < 1))
        return cxi_fail(CX_ERANGE, "%s: level %g is not within (0, 1)", fn, level);
    if (band < CX_BAND_LOG_LOG || band > CX_BAND_PLAIN)
        return cxi_fail(CX_EINVAL, "%s: band %d is not a cx_band", fn, band);
    if (churn_attribute && !*churn_attribute)
        return cxi_fail(CX_EINVAL, "%s: churn_attribute is empty", fn);
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n;
    const int64_t *acq = CXI_COL(store, CX_TABLE_CUSTOMERS, CU_ACQUIRED, int64_t);
    life_scan x = {acq, as_of, cxi_alloc(&mem, (ncust + 1) * sizeof(cx_time)),
                   cxi_alloc(&mem, (ncust + 1) * sizeof(cx_time))};
    uint32_t *chan = NULL;
    cxi_km_rec *rec = cxi_alloc(&mem, (ncust + 1) * sizeof *rec);
    if (group_by == CX_DIM_CHANNEL)
        chan = cxi_alloc(&mem, (ncust + 1) * sizeof *chan);
    if (!x.first || !x.last || !rec || (group_by == CX_DIM_CHANNEL && !chan)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    for (size_t i = 0; i < ncust; i++) {
        x.first[i] = INT64_MAX;
        x.last[i] = INT64_MIN;
    }
    each_activity(store, activity, life_visit, &x);
    group_names gn = {store, CX_VOCAB_SEGMENT};
    const uint32_t *gcol = NULL;
    if (group_by == CX_DIM_SEGMENT || group_by == CX_DIM_REGION || group_by == CX_DIM_PLAN) {
        int col = group_by == CX_DIM_SEGMENT ? CU_SEGMENT : group_by == CX_DIM_REGION ? CU_REGION : CU_PLAN;
        gn.set = group_by == CX_DIM_SEGMENT ? CX_VOCAB_SEGMENT : group_by == CX_DIM_REGION ? CX_VOCAB_REGION : CX_VOCAB_PLAN;
        gcol = CXI_COL(store, CX_TABLE_CUSTOMERS, col, uint32_t);
    } else if (group_by == CX_DIM_CHANNEL) {
        /* the channel of each customer's first interaction */
        gn.set = CX_VOCAB_CHANNEL;
        size_t ni = store->t[CX_TABLE_INTERACTIONS].n;
        const uint32_t *cu = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
        const uint32_t *tp = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT, uint32_t);
        const int64_t *tm = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_TIME, int64_t);
        const uint32_t *tpch = CXI_COL(store, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t);
        cx_time *ft = (cx_time *)rec; /* scratch, as wide as a record */
        for (size_t i = 0; i < ncust; i++) {
            ft[i] = INT64_MAX;
            chan[i] = CXI_NONE;
        }
        for (size_t i = 0; i < ni; i++)
            if (tm[i] < ft[cu[i]]) {
                ft[cu[i]] = tm[i];
                chan[cu[i]] = tpch[tp[i]];
            }
        gcol = chan;
    }
    uint32_t akey = CXI_NONE;
    if (churn_attribute)
        akey = cxi_pool_find(&store->sets[CX_VOCAB_ATTRIBUTE], churn_attribute, strlen(churn_attribute));
    size_t n = 0;
    for (size_t i = 0; i < ncust; i++) {
        cx_time start = acq[i] != CX_TIME_NONE ? acq[i] : x.first[i];
        if (start == INT64_MAX || start > as_of)
            continue;
        cx_time last = x.last[i] > start ? x.last[i] : start, end;
        int event;
        uint32_t v = akey == CXI_NONE ? CXI_NONE : cxi_map_get(&store->attrs, (uint64_t)i << 32 | akey);
        if (v != CXI_NONE) {
            const char *txt = cxi_pool_str(&store->attr_values, v);
            cx_time ct;
            char qb[80];
            if (cx_time_parse(&ct, txt, strlen(txt)) != CX_OK) {
                rc = cxi_fail(CX_EPARSE, "%s: customer '%s': churn attribute '%s' = %s is not an ISO 8601 time", fn,
                              cxi_quote(qb, cust_id(store, (uint32_t)i)), churn_attribute, txt);
                goto done;
            }
            if (ct < start) {
                rc = cxi_fail(CX_EORDER, "%s: customer '%s': churned before the relationship started", fn,
                              cxi_quote(qb, cust_id(store, (uint32_t)i)));
                goto done;
            }
            event = ct <= as_of;
            end = event ? ct : as_of;
        } else if (as_of - last > inactivity_ms) {
            event = 1;
            end = last;
        } else {
            event = 0;
            end = as_of;
        }
        rec[n].time = (double)(end - start) / (double)unit_ms;
        rec[n].event = event;
        rec[n].group = gcol && gcol[i] != CXI_NONE ? (uint64_t)gcol[i] + 1 : 0;
        n++;
    }
    if (n == 0) {
        rc = cxi_fail(CX_ERANGE, "%s: no customer has activity or an acquisition before as_of", fn);
        goto done;
    }
    rc = cxi_km_build(out, mem, rec, n, level, band, set_label, &gn, fn);
done:
    cxi_free(&mem, x.first, (ncust + 1) * sizeof(cx_time));
    cxi_free(&mem, x.last, (ncust + 1) * sizeof(cx_time));
    cxi_free(&mem, rec, (ncust + 1) * sizeof *rec);
    cxi_free(&mem, chan, (ncust + 1) * sizeof *chan);
    return rc;
}

/* ---- RFM --------------------------------------------------------------- */

struct cx_rfm {
    cxi_mem mem;
    const cx_store *store;
    size_t n;
    uint32_t *cust;
    double *v;      /* n x 3: recency, frequency, monetary */
    uint8_t *score; /* n x 4: r, f, m, segment */
};

void cx_rfm_free(cx_rfm *r)
{
    if (!r)
        return;
    cxi_mem mem = r->mem;
    cxi_free(&mem, r->cust, (r->n + 1) * sizeof *r->cust);
    cxi_free(&mem, r->v, (r->n + 1) * 3 * sizeof *r->v);
    cxi_free(&mem, r->score, (r->n + 1) * 4);
    cxi_free(&mem, r, sizeof *r);
}

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

int cx_rfm_new(cx_rfm **out, const cx_store *store, cx_time as_of, int64_t unit_ms, int bins)
{
    static const char fn[] = "cx_rfm_new";
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
    const int64_t *tm = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_TIME, int64_t);
    const double *am = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_AMOUNT, double);
    double *acc = zalloc(&mem, (ncust + 1) * 3 * sizeof(double)); /* last, count, sum */
    if (!acc)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    size_t n = 0;
    for (size_t i = 0; i < nt; i++) {
        if (tm[i] >= as_of)
            continue;
        double *a = acc + 3 * cu[i];
        if (a[1] == 0 || (double)tm[i] > a[0])
            a[0] = (double)tm[i];
        n += a[1] == 0;
        a[1] += 1;
        a[2] += am[i];
    }
    cx_rfm *r = zalloc(&mem, sizeof *r);
    double *sorted = cxi_alloc(&mem, (n + 1) * 3 * sizeof(double));
    if (r) {
        r->mem = mem;
        r->store = store;
        r->n = n;
        r->cust = cxi_alloc(&r->mem, (n + 1) * sizeof *r->cust);
        r->v = cxi_alloc(&r->mem, (n + 1) * 3 * sizeof *r->v);
        r->score = cxi_alloc(&r->mem, (n + 1) * 4);
    }
    if (!r || !sorted || !r->cust || !r->v || !r->score) {
        cxi_free(&mem, acc, (ncust + 1) * 3 * sizeof(double));
        cxi_free(&mem, sorted, (n + 1) * 3 * sizeof(double));
        cx_rfm_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    size_t k = 0;
    for (size_t c = 0; c < ncust; c++) {
        const double *a = acc + 3 * c;
        if (a[1] == 0)
            continue;
        r->cust[k] = (uint32_t)c;
        r->v[3 * k] = ((double)as_of - a[0]) / (double)unit_ms;
        r->v[3 * k + 1] = a[1];
        r->v[3 * k + 2] = a[2];
        for (int j = 0; j < 3; j++)
            sorted[j * n + k] = r->v[3 * k + j];
        k++;
    }
    for (int j = 0; j < 3; j++)
        qsort(sorted + j * n, n, sizeof(double), cmp_double);
    for (size_t i = 0; i < n; i++) {
        int s5[3];
        for (int j = 0; j < 3; j++) {
            r->score[4 * i + j] = (uint8_t)score_of(sorted + j * n, n, r->v[3 * i + j], bins, j == 0);
            s5[j] = score_of(sorted + j * n, n, r->v[3 * i + j], 5, j == 0);
        }
        r->score[4 * i + 3] = (uint8_t)segment_of(s5[0], (s5[1] + s5[2] + 1) / 2);
    }
    cxi_free(&mem, acc, (ncust + 1) * 3 * sizeof(double));
    cxi_free(&mem, sorted, (n + 1) * 3 * sizeof(double));
    *out = r;
    return CX_OK;
}

size_t cx_rfm_count(const cx_rfm *r) { return r ? r->n : 0; }

static int check_rfm(const cx_rfm *r, size_t i, const char *fn)
{
    if (!r)
        return cxi_fail(CX_EINVAL, "%s: rfm is NULL", fn);
    if (i >= r->n)
        return cxi_fail(CX_ERANGE, "%s: index %zu is out of range (%zu customers)", fn, i, r->n);
    return CX_OK;
}

int cx_rfm_values(const char **customer, double *recency, double *frequency, double *monetary, const cx_rfm *r,
                  size_t index)
{
    int rc = check_rfm(r, index, "cx_rfm_values");
    if (rc)
        return rc;
    if (customer)
        *customer = cust_id(r->store, r->cust[index]);
    if (recency)
        *recency = r->v[3 * index];
    if (frequency)
        *frequency = r->v[3 * index + 1];
    if (monetary)
        *monetary = r->v[3 * index + 2];
    return CX_OK;
}

int cx_rfm_scores(int *rs, int *fs, int *ms, int *segment, const cx_rfm *r, size_t index)
{
    int rc = check_rfm(r, index, "cx_rfm_scores");
    if (rc)
        return rc;
    const uint8_t *s = r->score + 4 * index;
    if (rs)
        *rs = s[0];
    if (fs)
        *fs = s[1];
    if (ms)
        *ms = s[2];
    if (segment)
        *segment = s[3];
    return CX_OK;
}

int cx_rfm_segment_name(const char **out, int segment)
{
    static const char *const names[CX_RFM_SEGMENT_COUNT] = {
        "champions",   "loyal",   "potential_loyalist", "new",         "promising", "need_attention",
        "about_to_sleep", "cannot_lose", "at_risk",     "hibernating", "lost"};
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_rfm_segment_name: out is NULL");
    if (segment < 0 || segment >= CX_RFM_SEGMENT_COUNT)
        return cxi_fail(CX_EINVAL, "cx_rfm_segment_name: segment %d is not a cx_rfm_segment", segment);
    *out = names[segment];
    return CX_OK;
}
