/*
 * Running a query: resolve its filters and groupings to the store's codes,
 * then one pass over each table a measure needs, in fixed blocks of rows
 * (BLOCK_ROWS), each feeding per-group accumulators of its own, merged in
 * block order. The blocks do not depend on the thread count, so neither
 * does the result (cx_query_set_threads()). No allocation per record:
 * groups and accumulators grow geometrically, the scratch arrays are sized
 * once.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads, sysconf */

#include "metrics_private.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define FN "cx_query_run"

/* The dimensions of one record, as store codes (CXI_NONE when missing). */
typedef struct rec {
    uint32_t cust, tp, channel, stage, agent, priority;
    cx_time t;
} rec;

typedef struct run {
    const cx_query *q;
    const cx_store *s;
    cxi_qres *r;
    cxi_mem *mem;
    cxi_gtab g;                   /* groups by store codes */
    uint8_t *accept[CX_DIM_ATTRIBUTE]; /* per event dimension: accepted codes, or NULL */
    size_t accept_n[CX_DIM_ATTRIBUTE];
    uint8_t *cust_ok;             /* customers passing the customer-level filters, or NULL */
    uint32_t *attr_of[CX_QUERY_MAX_GROUPS]; /* per attribute grouping: value id per customer */
    int pos[CX_MEASURE_COUNT];    /* measure -> position in the spec, -1 */
    uint32_t contact_kind;        /* code of the contact kind, CXI_NONE if unknown */
    cx_time as_of;
    /* inbound contacts per customer in time order (CSR) */
    uint32_t *c_off;
    cx_time *c_time;
    uint8_t *repeat;              /* per interaction row: 1 when a repeat cause */
    size_t n_contacts;
    /* groupings of small code spaces only: group + 1 by the combined code */
    uint32_t *direct;
    size_t direct_n, mult[CX_QUERY_MAX_GROUPS];
    /* per time grouping: the last bucket seen, [lo, hi) */
    cx_time bucket_lo[CX_QUERY_MAX_GROUPS], bucket_hi[CX_QUERY_MAX_GROUPS];
    /* The fields of a record the filters and groupings read (NEED_*): the
     * passes look up only those, so a scorecard by channel reads no agent
     * of a random interaction row. */
    unsigned need;
    bool filtered;                /* accepted() can refuse a record */
    size_t accsz[CX_MEASURE_COUNT]; /* cxi_acc_size() by measure */
    /* The feedback pass by counts (prepare_fb_counts): the bin of each
     * whole score of each question asked for, or none */
    struct fb_qinfo *fbq;         /* per question */
    uint8_t *fb_tab;              /* per question, from fbq->off: the bin of score lo + k */
    size_t fbq_n, fb_tab_n;
    struct fb_bin *fb_bins;       /* FB_BINS; bin 0 is "not kept" */
    int fb_nbins;
} run;

enum {
    NEED_CUST = 1u << 0,
    NEED_TP = 1u << 1,
    NEED_CHANNEL = 1u << 2,
    NEED_STAGE = 1u << 3,
    NEED_AGENT = 1u << 4,
    NEED_PRIORITY = 1u << 5,
    NEED_TIME = 1u << 6
};

/* Most combined codes for the direct group index (4 MiB). */
#define DIRECT_MAX (1u << 20)

static void *zalloc(cxi_mem *m, size_t n)
{
    void *p = cxi_alloc(m, n);
    if (p)
        memset(p, 0, n);
    return p;
}

static uint32_t set_find(const cx_store *s, int set, const char *name)
{
    return cxi_pool_find(&s->sets[set], name, strlen(name));
}

static size_t dim_space(const cx_store *s, int dim)
{
    switch (dim) {
    case CX_DIM_CHANNEL: return s->sets[CX_VOCAB_CHANNEL].count;
    case CX_DIM_STAGE: return s->sets[CX_VOCAB_STAGE].count;
    case CX_DIM_TOUCHPOINT: return s->t[CX_TABLE_TOUCHPOINTS].n;
    case CX_DIM_SEGMENT: return s->sets[CX_VOCAB_SEGMENT].count;
    case CX_DIM_REGION: return s->sets[CX_VOCAB_REGION].count;
    case CX_DIM_PLAN: return s->sets[CX_VOCAB_PLAN].count;
    case CX_DIM_AGENT: return s->sets[CX_VOCAB_AGENT].count;
    default: return s->sets[CX_VOCAB_PRIORITY].count;
    }
}

/* The code of a filter value, CXI_NONE when the store does not know it
 * (an error for the defined sets). */
static int dim_code(uint32_t *out, const cx_store *s, int dim, const char *v)
{
    static const int set_of[] = {CX_VOCAB_CHANNEL, CX_VOCAB_STAGE, -1, CX_VOCAB_SEGMENT, CX_VOCAB_REGION,
                                 CX_VOCAB_PLAN,    CX_VOCAB_AGENT, CX_VOCAB_PRIORITY};
    if (dim == CX_DIM_TOUCHPOINT)
        *out = cxi_pool_find(&s->keys[CX_TABLE_TOUCHPOINTS], v, strlen(v));
    else
        *out = set_find(s, set_of[dim], v);
    if (*out == CXI_NONE && (dim == CX_DIM_CHANNEL || dim == CX_DIM_STAGE || dim == CX_DIM_PRIORITY)) {
        char qb[80];
        return cxi_fail(CX_ENOTFOUND, FN ": filter on %s %s: no such %s in the store", cxi_dim_names[dim],
                        cxi_quote(qb, v), cxi_dim_names[dim]);
    }
    return CX_OK;
}

static uint32_t cust_code(const cx_store *s, int dim, uint32_t c)
{
    int col = dim == CX_DIM_SEGMENT ? CU_SEGMENT : dim == CX_DIM_REGION ? CU_REGION : CU_PLAN;
    return cxi_codes_at(cxi_codes_col(s, CX_TABLE_CUSTOMERS, col), c);
}

static uint32_t attr_value(const cx_store *s, uint32_t c, uint32_t key)
{
    if (key == CXI_NONE)
        return CXI_NONE;
    return cxi_attrs_get(&s->attrs, c, key);
}

static int prepare_filters(run *x)
{
    const cx_store *s = x->s;
    const cx_query *q = x->q;
    size_t ncust = s->t[CX_TABLE_CUSTOMERS].n;
    bool cust_filter = false;
    for (size_t i = 0; i < q->nfilters; i++) {
        const cxi_filter *f = &q->filters[i];
        if (f->dim == CX_DIM_ATTRIBUTE || f->dim == CX_DIM_SEGMENT || f->dim == CX_DIM_REGION ||
            f->dim == CX_DIM_PLAN) {
            cust_filter = true;
            continue;
        }
        if (!x->accept[f->dim]) {
            x->accept_n[f->dim] = dim_space(s, f->dim);
            if (!(x->accept[f->dim] = zalloc(x->mem, x->accept_n[f->dim] + 1)))
                return cxi_fail(CX_ENOMEM, FN ": out of memory");
        }
        uint32_t code;
        int rc = dim_code(&code, s, f->dim, f->value);
        if (rc)
            return rc;
        if (code != CXI_NONE)
            x->accept[f->dim][code] = 1;
    }
    if (!cust_filter)
        return CX_OK;
    /* customer-level filters: every dimension (and attribute key) must match one of its values */
    if (!(x->cust_ok = cxi_alloc(x->mem, ncust + 1)))
        return cxi_fail(CX_ENOMEM, FN ": out of memory");
    memset(x->cust_ok, 1, ncust + 1);
    for (size_t i = 0; i < q->nfilters; i++) {
        const cxi_filter *f = &q->filters[i];
        if (f->dim != CX_DIM_ATTRIBUTE && f->dim != CX_DIM_SEGMENT && f->dim != CX_DIM_REGION &&
            f->dim != CX_DIM_PLAN)
            continue;
        bool first = true; /* handle each dimension (or key) once, at its first filter */
        for (size_t j = 0; j < i; j++)
            if (q->filters[j].dim == f->dim &&
                (f->dim != CX_DIM_ATTRIBUTE || strcmp(q->filters[j].key, f->key) == 0))
                first = false;
        if (!first)
            continue;
        uint32_t key = f->dim == CX_DIM_ATTRIBUTE ? cxi_pool_find(&s->sets[CX_VOCAB_ATTRIBUTE], f->key, strlen(f->key))
                                                  : CXI_NONE;
        for (uint32_t c = 0; c < ncust; c++) {
            if (!x->cust_ok[c])
                continue;
            uint32_t have = f->dim == CX_DIM_ATTRIBUTE ? attr_value(s, c, key) : cust_code(s, f->dim, c);
            bool match = false;
            for (size_t j = i; j < q->nfilters && !match && have != CXI_NONE; j++) {
                const cxi_filter *g = &q->filters[j];
                if (g->dim != f->dim || (f->dim == CX_DIM_ATTRIBUTE && strcmp(g->key, f->key) != 0))
                    continue;
                const char *hv = f->dim == CX_DIM_ATTRIBUTE ? cxi_pool_str(&s->attr_values, have)
                                 : cxi_pool_str(&s->sets[f->dim == CX_DIM_SEGMENT ? CX_VOCAB_SEGMENT
                                                        : f->dim == CX_DIM_REGION ? CX_VOCAB_REGION
                                                                                  : CX_VOCAB_PLAN],
                                                have);
                match = strcmp(hv, g->value) == 0;
            }
            x->cust_ok[c] = match;
        }
    }
    return CX_OK;
}

static int prepare_groups(run *x)
{
    const cx_store *s = x->s;
    const cxi_spec *sp = &x->r->spec;
    size_t ncust = s->t[CX_TABLE_CUSTOMERS].n;
    for (int d = 0; d < sp->ngroups; d++) {
        if (sp->groups[d].dim != CX_DIM_ATTRIBUTE)
            continue;
        const char *k = sp->groups[d].key;
        uint32_t key = cxi_pool_find(&s->sets[CX_VOCAB_ATTRIBUTE], k, strlen(k));
        if (!(x->attr_of[d] = cxi_alloc(x->mem, (ncust + 1) * sizeof(uint32_t))))
            return cxi_fail(CX_ENOMEM, FN ": out of memory");
        for (uint32_t c = 0; c < ncust; c++)
            x->attr_of[d][c] = attr_value(s, c, key);
    }
    return CX_OK;
}

/* (time, row) pairs: by time, then row, so the order is deterministic. */
static int cmp_pair(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    if (x[0] != y[0])
        return (x[0] > y[0]) - (x[0] < y[0]);
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Inbound contacts of each customer in time order, and the repeat flag of
 * each: another inbound contact of the customer follows, at a later time,
 * within the window. */
static int prepare_contacts(run *x)
{
    const cx_store *s = x->s;
    size_t n = s->t[CX_TABLE_INTERACTIONS].n, ncust = s->t[CX_TABLE_CUSTOMERS].n;
    const uint32_t *cu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_codes kind = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_KIND);
    const uint8_t *dir = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
    const cxi_icol tm = cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_TIME);
    if (!(x->c_off = zalloc(x->mem, (ncust + 1) * sizeof(uint32_t))))
        return cxi_fail(CX_ENOMEM, FN ": out of memory");
    size_t total = 0;
    uint32_t kb[CXI_CODES_CHUNK]; /* the kinds of a chunk of rows (cxi_codes_read) */
    for (size_t c0 = 0; c0 < n && x->contact_kind != CXI_NONE; c0 += CXI_CODES_CHUNK) {
        size_t m = n - c0 < CXI_CODES_CHUNK ? n - c0 : CXI_CODES_CHUNK;
        cxi_codes_read(kind, c0, m, kb);
        for (size_t i = c0; i < c0 + m; i++)
            if (kb[i - c0] == x->contact_kind && dir[i] == CX_INBOUND) {
                x->c_off[cu[i] + 1]++;
                total++;
            }
    }
    for (size_t c = 0; c < ncust; c++)
        x->c_off[c + 1] += x->c_off[c];
    x->n_contacts = total;
    int64_t *pairs = cxi_alloc(x->mem, (total ? total : 1) * 2 * sizeof(int64_t));
    uint32_t *fill = zalloc(x->mem, (ncust + 1) * sizeof(uint32_t));
    x->repeat = zalloc(x->mem, n ? n : 1);
    x->c_time = cxi_alloc(x->mem, (total ? total : 1) * sizeof(cx_time));
    int rc = CX_OK;
    if (!pairs || !fill || !x->repeat || !x->c_time) {
        rc = cxi_fail(CX_ENOMEM, FN ": out of memory indexing %zu contacts", total);
        goto done;
    }
    for (size_t c0 = 0; c0 < n && x->contact_kind != CXI_NONE; c0 += CXI_CODES_CHUNK) {
        size_t m = n - c0 < CXI_CODES_CHUNK ? n - c0 : CXI_CODES_CHUNK;
        cxi_codes_read(kind, c0, m, kb);
        for (size_t i = c0; i < c0 + m; i++)
            if (kb[i - c0] == x->contact_kind && dir[i] == CX_INBOUND) {
                size_t at = x->c_off[cu[i]] + fill[cu[i]]++;
                pairs[2 * at] = cxi_icol_at(tm, i);
                pairs[2 * at + 1] = (int64_t)i;
            }
    }
    int64_t win = x->r->spec.repeat_window;
    for (size_t c = 0; c < ncust; c++) {
        size_t lo = x->c_off[c], hi = x->c_off[c + 1];
        bool sorted = true;
        for (size_t k = lo + 1; k < hi && sorted; k++)
            sorted = cmp_pair(pairs + 2 * (k - 1), pairs + 2 * k) < 0;
        if (!sorted)
            qsort(pairs + 2 * lo, hi - lo, 2 * sizeof(int64_t), cmp_pair);
        /* a contact is a repeat cause when the next contact at a later
         * time comes within the window: one at the same time is not
         * after it (as contact_after reads them), so contacts at one time
         * are all causes or none, whatever their rows */
        for (size_t k = lo; k < hi;) {
            size_t e = k + 1;
            while (e < hi && pairs[2 * e] == pairs[2 * k])
                e++;
            bool cause = e < hi && pairs[2 * e] - pairs[2 * k] <= win;
            for (; k < e; k++) {
                x->c_time[k] = pairs[2 * k];
                x->repeat[pairs[2 * k + 1]] = cause;
            }
        }
    }
done:
    cxi_free(x->mem, pairs, (total ? total : 1) * 2 * sizeof(int64_t));
    cxi_free(x->mem, fill, (ncust + 1) * sizeof(uint32_t));
    return rc;
}

/* Whether the customer made an inbound contact in (t, t + window]. */
static bool contact_after(const run *x, uint32_t c, cx_time t, int64_t window)
{
    size_t lo = x->c_off[c], hi = x->c_off[c + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->c_time[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->c_off[c + 1] && x->c_time[lo] - t <= window;
}

static inline bool accepted(const run *x, const rec *e)
{
    if (!x->filtered)
        return true;
    const cxi_spec *sp = &x->r->spec;
    if ((sp->from != CX_TIME_NONE && e->t < sp->from) || (sp->to != CX_TIME_NONE && e->t >= sp->to))
        return false;
    if (x->cust_ok && !x->cust_ok[e->cust])
        return false;
    const uint32_t codes[] = {e->channel, e->stage, e->tp, 0, 0, 0, e->agent, e->priority};
    for (int d = 0; d < CX_DIM_ATTRIBUTE; d++)
        if (x->accept[d] && (codes[d] == CXI_NONE || !x->accept[d][codes[d]]))
            return false;
    return true;
}

/* The store code of a record for grouping d (not a time grouping). */
static inline uint32_t group_code(const run *x, const rec *e, int d)
{
    switch (x->r->spec.groups[d].dim) {
    case CX_DIM_CHANNEL: return e->channel;
    case CX_DIM_STAGE: return e->stage;
    case CX_DIM_TOUCHPOINT: return e->tp;
    case CX_DIM_SEGMENT: case CX_DIM_REGION: case CX_DIM_PLAN:
        return cust_code(x->s, x->r->spec.groups[d].dim, e->cust);
    case CX_DIM_AGENT: return e->agent;
    case CX_DIM_PRIORITY: return e->priority;
    default: return x->attr_of[d][e->cust]; /* CX_DIM_ATTRIBUTE */
    }
}

static int group_slow(run *x, const rec *e, size_t *g);

/* The group of a record; CX_ENOMEM. The common case, a group the direct
 * index already holds, inline. */
static inline int group_of(run *x, const rec *e, size_t *g)
{
    if (x->direct) { /* codes only: CXI_NONE + 1 wraps to slot 0, as key -1 */
        const cxi_spec *sp = &x->r->spec;
        size_t idx = 0;
        for (int d = 0; d < sp->ngroups; d++)
            idx += (size_t)(uint32_t)(group_code(x, e, d) + 1u) * x->mult[d];
        if (x->direct[idx]) {
            *g = x->direct[idx] - 1;
            return CX_OK;
        }
    }
    return group_slow(x, e, g);
}

static int group_slow(run *x, const rec *e, size_t *g)
{
    const cxi_spec *sp = &x->r->spec;
    if (sp->ngroups == 0 && x->g.n) { /* everything in the one group */
        *g = 0;
        return CX_OK;
    }
    int64_t key[CX_QUERY_MAX_GROUPS];
    for (int d = 0; d < sp->ngroups; d++) {
        if (sp->groups[d].dim != CX_DIM_TIME) {
            uint32_t code = group_code(x, e, d);
            key[d] = code == CXI_NONE ? -1 : (int64_t)code;
        } else {
            if (!(e->t >= x->bucket_lo[d] && e->t < x->bucket_hi[d])) {
                static const int64_t past[] = {1, 7, 32, 93, 367}; /* days from a start into the next bucket */
                const cxi_group *gr = &sp->groups[d];
                x->bucket_lo[d] = cxi_bucket_start(e->t, gr->bucket, gr->offset);
                x->bucket_hi[d] = cxi_bucket_start(x->bucket_lo[d] + past[gr->bucket] * CXI_MS_PER_DAY, gr->bucket, gr->offset);
            }
            key[d] = x->bucket_lo[d];
        }
    }
    size_t idx = 0;
    if (x->direct) {
        for (int d = 0; d < sp->ngroups; d++)
            idx += (size_t)(key[d] + 1) * x->mult[d];
        if (x->direct[idx]) {
            *g = x->direct[idx] - 1;
            return CX_OK;
        }
    }
    bool added;
    int rc = cxi_gtab_get(x->mem, &x->g, key, g, &added);
    if (!rc && added)
        rc = cxi_qres_grow(x->r, x->g.n);
    if (rc)
        return cxi_fail(rc, FN ": %s with %zu groups", rc == CX_ELIMIT ? "too many groups" : "out of memory", x->g.n);
    if (x->direct)
        x->direct[idx] = (uint32_t)(*g + 1);
    return CX_OK;
}

/* A direct index replaces hashing when every grouping is by a code (not
 * time) and the codes combine into at most DIRECT_MAX slots. */
static int prepare_direct(run *x)
{
    const cxi_spec *sp = &x->r->spec;
    size_t n = 1;
    for (int d = 0; d < sp->ngroups; d++) {
        int dim = sp->groups[d].dim;
        if (dim == CX_DIM_TIME)
            return CX_OK;
        size_t space = (dim == CX_DIM_ATTRIBUTE ? x->s->attr_values.count : dim_space(x->s, dim)) + 1;
        x->mult[d] = n;
        if (space > DIRECT_MAX / n)
            return CX_OK;
        n *= space;
    }
    if (sp->ngroups == 0)
        return CX_OK;
    if (!(x->direct = zalloc(x->mem, n * sizeof(uint32_t))))
        return cxi_fail(CX_ENOMEM, FN ": out of memory");
    x->direct_n = n;
    return CX_OK;
}

static inline void *acc_at(const run *x, int measure, size_t g)
{
    int p = x->pos[measure];
    if (p < 0)
        return NULL;
    return (char *)x->r->acc[p] + g * x->accsz[measure];
}

/* Which record fields the filters and groupings read (run.need), and
 * whether any filter can refuse a record (run.filtered). */
static void prepare_need(run *x)
{
    static const unsigned dim_need[] = {
        [CX_DIM_CHANNEL] = NEED_CHANNEL, [CX_DIM_STAGE] = NEED_STAGE,   [CX_DIM_TOUCHPOINT] = NEED_TP,
        [CX_DIM_SEGMENT] = NEED_CUST,    [CX_DIM_REGION] = NEED_CUST,   [CX_DIM_PLAN] = NEED_CUST,
        [CX_DIM_AGENT] = NEED_AGENT,     [CX_DIM_PRIORITY] = NEED_PRIORITY, [CX_DIM_ATTRIBUTE] = NEED_CUST,
        [CX_DIM_TIME] = NEED_TIME};
    const cxi_spec *sp = &x->r->spec;
    unsigned need = 0;
    bool filtered = x->cust_ok != NULL;
    for (int d = 0; d < sp->ngroups; d++)
        need |= dim_need[sp->groups[d].dim];
    for (int d = 0; d < CX_DIM_ATTRIBUTE; d++)
        if (x->accept[d]) {
            need |= dim_need[d];
            filtered = true;
        }
    if (x->cust_ok)
        need |= NEED_CUST;
    if (sp->from != CX_TIME_NONE || sp->to != CX_TIME_NONE) {
        need |= NEED_TIME;
        filtered = true;
    }
    x->need = need;
    x->filtered = filtered;
    for (int m = 0; m < CX_MEASURE_COUNT; m++)
        x->accsz[m] = cxi_acc_size(m);
}

/* Adds a whole number to a distribution: its value and its square. */
static int dist_put(run *x, cxi_dist_acc *a, int64_t v)
{
    int rc = cxi_qacc_add(&x->r->mem, &a->q, (double)v);
    if (rc)
        return cxi_fail(rc, FN ": out of memory");
    if (!cxi_dist_sq_add(a, v))
        return cxi_fail(CX_ERANGE, FN ": a sum of squared values would pass 2^128");
    return CX_OK;
}

static int dist_add(run *x, int measure, size_t g, int64_t v)
{
    cxi_dist_acc *a = acc_at(x, measure, g);
    return a ? dist_put(x, a, v) : CX_OK;
}

static void prop_add(run *x, int measure, size_t g, bool hit)
{
    cxi_prop_acc *a = acc_at(x, measure, g);
    if (a) {
        a->n++;
        a->x += hit;
    }
}

/* ---- feedback ---------------------------------------------------------- */

/* The feedback pass goes through a block in chunks of FB_CHUNK rows: it
 * keeps the answers of the measures asked for, finds the group of each
 * (grouping by grouping, in a loop per kind of code when the groups are
 * indexed directly and nothing is filtered out), lists them by measure,
 * and sums each measure's answers in a loop of its own, with no branch on
 * the measure of each row (shuffled answers would mispredict it). An
 * accumulator still takes its answers in row order and a group is added
 * at its first answer, as in one pass row by row: the sums are the same to
 * the bit. 256 rows: the scratch of a chunk (about 12 KB) stays in the L1
 * cache beside the columns streamed (512 rows, with a scratch of 36 KB then,
 * measured 9% slower). */
#define FB_CHUNK 256
/* How many answers ahead an interaction's touchpoint or agent, a random
 * read of a large column, is asked for (__builtin_prefetch). */
#define FB_AHEAD 16

/* The columns the feedback pass reads. Its question, touchpoint and case
 * are code columns: read with fb_ftp and fb_fca (cxi_codes_at), and in the
 * hot loops (fb_bins_of, fb_slots' touchpoints, the answers kept) by a loop
 * for each width (FB_BY_WIDTH). */
typedef struct fb_cols {
    size_t ninter, ntp;
    const uint32_t *cu, *fin;
    cxi_vcol score; /* in cents or double (cxi_vcol) */
    cxi_icol tm;
    const uint32_t *tch, *tst;
    cxi_codes qu, ftp, fca;            /* feedback's: 1, 2 or 4 bytes a row (cxi_code_col) */
    cxi_codes itp, iag, cch, cag, cpr; /* 1, 2 or 4 bytes a row (cxi_code_col) */
} fb_cols;

/* The scratch of a chunk: the answers kept (offsets in the chunk), their
 * lists (0 NPS, 1 CSAT, 2 CES, 3 none), direct-index slots and groups, and
 * the answers of each list. */
typedef struct fb_scratch {
    uint32_t kept[FB_CHUNK];
    uint8_t list[FB_CHUNK];
    uint32_t idx[FB_CHUNK], g[FB_CHUNK]; /* < DIRECT_MAX slots, < CXI_MAX_ROWS groups */
    uint32_t late[FB_CHUNK]; /* answers without a touchpoint (fb_slots) */
    uint8_t bin[FB_CHUNK];   /* by counts: the bin of each answer kept (fb_bins_of) */
    uint32_t tps[256];       /* by counts in one loop: each touchpoint's slot (fb_fused_slots) */
    int64_t whole[FB_CHUNK]; /* and its score rounded to a whole number */
    size_t n[4];
    uint32_t row[4][FB_CHUNK];
    uint32_t lg[4][FB_CHUNK];
    double score[FB_CHUNK]; /* by lists: the chunk's scores, when in cents */
} fb_scratch;

/* The touchpoint and the case of answer i. */
static inline uint32_t fb_ftp(const fb_cols *c, size_t i) { return cxi_codes_at(c->ftp, i); }
static inline uint32_t fb_fca(const fb_cols *c, size_t i) { return cxi_codes_at(c->fca, i); }

/* Expands LOOP(T, NONE) with the type of a row of code column `codes` and
 * the value that stands for none at its width: a hot loop for each width,
 * the width tested once. */
#define FB_BY_WIDTH(codes, LOOP)                                                                                    \
    switch ((codes).elem) {                                                                                        \
    case 1: LOOP(uint8_t, 0xFFu) break;                                                                            \
    case 2: LOOP(uint16_t, 0xFFFFu) break;                                                                         \
    default: LOOP(uint32_t, CXI_NONE) break;                                                                       \
    }

/* The interaction of answer i, CXI_NONE without one in the store. */
static inline uint32_t fb_in(const fb_cols *c, size_t i)
{
    return c->fin[i] < c->ninter ? c->fin[i] : CXI_NONE;
}

static inline uint32_t fb_tp(const fb_cols *c, size_t i)
{
    uint32_t tp = fb_ftp(c, i);
    if (tp != CXI_NONE)
        return tp;
    uint32_t in = fb_in(c, i);
    return in != CXI_NONE ? cxi_codes_at(c->itp, in) : CXI_NONE;
}

/* The channel: the touchpoint's, else the case's. */
static inline uint32_t fb_channel(const fb_cols *c, size_t i)
{
    uint32_t tp = fb_tp(c, i), ca = fb_fca(c, i);
    return tp != CXI_NONE ? c->tch[tp] : ca != CXI_NONE ? cxi_codes_at(c->cch, ca) : CXI_NONE;
}

static inline uint32_t fb_stage(const fb_cols *c, size_t i)
{
    uint32_t tp = fb_tp(c, i);
    return tp != CXI_NONE ? c->tst[tp] : CXI_NONE;
}

/* The agent: the interaction's, else the case's. */
static inline uint32_t fb_agent(const fb_cols *c, size_t i)
{
    uint32_t in = fb_in(c, i), ca = fb_fca(c, i);
    uint32_t a = in != CXI_NONE ? cxi_codes_at(c->iag, in) : CXI_NONE;
    return a == CXI_NONE && ca != CXI_NONE ? cxi_codes_at(c->cag, ca) : a;
}

static inline uint32_t fb_priority(const fb_cols *c, size_t i)
{
    uint32_t ca = fb_fca(c, i);
    return ca != CXI_NONE ? cxi_codes_at(c->cpr, ca) : CXI_NONE;
}

/* The record of answer i, with only the fields the query reads. */
static inline void fb_rec(const run *x, const fb_cols *c, size_t i, rec *e)
{
    const unsigned need = x->need;
    *e = (rec){CXI_NONE, CXI_NONE, CXI_NONE, CXI_NONE, CXI_NONE, CXI_NONE, 0};
    if (need & NEED_CUST)
        e->cust = c->cu[i];
    if (need & NEED_TIME)
        e->t = cxi_icol_at(c->tm, i);
    if (need & (NEED_TP | NEED_CHANNEL | NEED_STAGE)) {
        uint32_t ca = fb_fca(c, i);
        e->tp = fb_tp(c, i);
        e->channel = e->tp != CXI_NONE ? c->tch[e->tp] : ca != CXI_NONE ? cxi_codes_at(c->cch, ca) : CXI_NONE;
        e->stage = e->tp != CXI_NONE ? c->tst[e->tp] : CXI_NONE;
    }
    if (need & NEED_AGENT)
        e->agent = fb_agent(c, i);
    if (need & NEED_PRIORITY)
        e->priority = fb_priority(c, i);
}

/* Asks for the random reads answer i will make: its interaction's agent
 * (when `agent`) and its interaction's touchpoint (when it has none). */
static inline void fb_prefetch(const fb_cols *c, size_t i, bool agent, bool tp)
{
    tp = tp && fb_ftp(c, i) == CXI_NONE;
    if (!agent && !tp)
        return;
    uint32_t in = fb_in(c, i);
    if (in == CXI_NONE)
        return;
    if (agent)
        __builtin_prefetch(cxi_codes_addr(c->iag, in));
    if (tp)
        __builtin_prefetch(cxi_codes_addr(c->itp, in));
}

/* Adds (code + 1) * mult of grouping d to the direct-index slot of each
 * kept answer: one loop per kind of code. CXI_NONE + 1 wraps to 0, the
 * slot of a missing code. */
static void fb_slots(const run *x, const fb_cols *c, int d, size_t c0, fb_scratch *w, size_t n)
{
    const size_t mult = x->mult[d];
    const int dim = x->r->spec.groups[d].dim;
    const uint32_t *kept = w->kept;
    uint32_t *idx = w->idx;
#define FB_SLOTS(code)                                                                                              \
    for (size_t k = 0; k < n; k++) {                                                                               \
        size_t i = c0 + kept[k];                                                                                   \
        idx[k] += (size_t)(uint32_t)((code) + 1u) * mult;                                                          \
    }
    switch (dim) {
    case CX_DIM_CHANNEL:
    case CX_DIM_STAGE:
    case CX_DIM_TOUCHPOINT: {
        /* the answers with a touchpoint without a branch (shuffled, one in
         * ten has none: a branch per answer would mispredict), those
         * without listed and done after, their links asked for ahead */
        uint32_t *late = w->late;
        size_t nlate = 0;
        if (c->ntp) {
            const uint32_t *of = dim == CX_DIM_CHANNEL ? c->tch : dim == CX_DIM_STAGE ? c->tst : NULL;
            /* masks, not conditions: the compiler made a branch of
             * `none ? 0 : ...` (measured: a tenth of the answers, shuffled,
             * mispredicted) */
            const uint32_t mult32 = (uint32_t)mult;
#define FB_TP_SLOTS(T, NONE)                                                                                        \
    {                                                                                                              \
        const T *ftp = (const T *)c->ftp.data + c0;                                                                \
        for (size_t k = 0; k < n; k++) {                                                                           \
            uint32_t tp = ftp[kept[k]];                                                                            \
            uint32_t none = tp == (NONE), has = none - 1u; /* all ones with a touchpoint */                        \
            uint32_t code = of ? of[tp & has] : tp;                                                                \
            idx[k] += (code + 1u) * mult32 & has;                                                                  \
            late[nlate] = (uint32_t)k;                                                                             \
            nlate += none;                                                                                         \
        }                                                                                                          \
    }
            FB_BY_WIDTH(c->ftp, FB_TP_SLOTS)
#undef FB_TP_SLOTS
        } else {
            for (size_t k = 0; k < n; k++)
                late[k] = (uint32_t)k;
            nlate = n;
        }
        for (size_t j = 0; j < nlate; j++) {
            size_t k = late[j], i = c0 + kept[k];
            if (j + FB_AHEAD < nlate) {
                size_t ahead = c0 + kept[late[j + FB_AHEAD]];
                fb_prefetch(c, ahead, false, true);
                /* and the case's channel, the answer's when it has no
                 * interaction (a random read too, of a smaller column) */
                if (dim == CX_DIM_CHANNEL && fb_fca(c, ahead) != CXI_NONE)
                    __builtin_prefetch(cxi_codes_addr(c->cch, fb_fca(c, ahead)));
            }
            uint32_t code = dim == CX_DIM_CHANNEL ? fb_channel(c, i) : dim == CX_DIM_STAGE ? fb_stage(c, i)
                                                                                              : fb_tp(c, i);
            idx[k] += (size_t)(uint32_t)(code + 1u) * mult;
        }
        break;
    }
    case CX_DIM_SEGMENT: case CX_DIM_REGION: case CX_DIM_PLAN:
        FB_SLOTS(cust_code(x->s, dim, c->cu[i]));
        break;
    case CX_DIM_AGENT:
        for (size_t k = 0; k < n; k++) {
            size_t i = c0 + kept[k];
            if (k + FB_AHEAD < n)
                fb_prefetch(c, c0 + kept[k + FB_AHEAD], true, false);
            idx[k] += (size_t)(uint32_t)(fb_agent(c, i) + 1u) * mult;
        }
        break;
    case CX_DIM_PRIORITY:
        FB_SLOTS(fb_priority(c, i));
        break;
    default: /* CX_DIM_ATTRIBUTE */
        FB_SLOTS(x->attr_of[d][c->cu[i]]);
        break;
    }
#undef FB_SLOTS
}

/* Each of the n kept answers of a chunk into the list of its measure
 * (w->row, w->lg), in row order. */
static void fb_lists(fb_scratch *w, size_t n)
{
    w->n[0] = w->n[1] = w->n[2] = w->n[3] = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned l = w->list[k];
        w->row[l][w->n[l]] = w->kept[k];
        w->lg[l][w->n[l]++] = w->g[k];
    }
}

/* The groups of the n kept answers of a chunk, and their lists by measure
 * (fb_lists); CX_ENOMEM. */
static int fb_groups(run *x, const fb_cols *c, size_t c0, fb_scratch *w, size_t n)
{
    const cxi_spec *sp = &x->r->spec;
    if (!x->filtered && x->direct) {
        memset(w->idx, 0, n * sizeof *w->idx);
        for (int d = 0; d < sp->ngroups; d++)
            fb_slots(x, c, d, c0, w, n);
        /* and each answer into the list of its measure, in row order */
        w->n[0] = w->n[1] = w->n[2] = w->n[3] = 0;
        for (size_t k = 0; k < n; k++) {
            uint32_t slot = x->direct[w->idx[k]];
            size_t g = (size_t)slot - 1;
            if (!slot) { /* a new group, added here, in row order */
                rec e;
                fb_rec(x, c, c0 + w->kept[k], &e);
                int rc = group_slow(x, &e, &g);
                if (rc)
                    return rc;
            }
            unsigned l = w->list[k];
            w->row[l][w->n[l]] = w->kept[k];
            w->lg[l][w->n[l]++] = (uint32_t)g;
        }
        return CX_OK;
    }
    if (!x->filtered && sp->ngroups == 0 && x->g.n) { /* the one group */
        memset(w->g, 0, n * sizeof *w->g);
        fb_lists(w, n);
        return CX_OK;
    }
    const bool agent = x->need & NEED_AGENT, tp = x->need & (NEED_TP | NEED_CHANNEL | NEED_STAGE);
    for (size_t k = 0; k < n; k++) {
        if (k + FB_AHEAD < n && (agent || tp))
            fb_prefetch(c, c0 + w->kept[k + FB_AHEAD], agent, tp);
        rec e;
        fb_rec(x, c, c0 + w->kept[k], &e);
        if (!accepted(x, &e)) {
            w->list[k] = 3;
            w->g[k] = 0;
            continue;
        }
        size_t g;
        int rc = group_of(x, &e, &g);
        if (rc)
            return rc;
        w->g[k] = (uint32_t)g;
    }
    fb_lists(w, n);
    return CX_OK;
}

/* ---- feedback by counts -------------------------------------------------
 * When the answers are whole scores of their question's scale (as the
 * store's scales are: NPS 0-10, CSAT and CES 1-5 or 1-7, ...), what an
 * answer adds to its accumulator depends on its question and score only:
 * one of a few bins (its measure's list, its value on the standard scale,
 * good, mid, bad), set once per query (prepare_fb_counts). The pass then
 * counts the answers of a block by direct-index slot and bin (one counter,
 * in the L1 cache, per answer: no floating point, no division, no
 * accumulator of 48 bytes updated per answer) and adds the counts to the
 * accumulators at the end of the block (fb_counts_flush).
 *
 * The same to the bit: a bin's value is a multiple of 1/FB_FRAC of at most
 * FB_VMAX, and a block starts its sums at 0 with at most BLOCK_ROWS answers,
 * so every partial sum of the values (and of their squares) in row order is
 * a double computed exactly: the sum in row order and the sum of the counts
 * are the same number. The counts (n, good, mid, bad) are integers. A
 * question whose scale gives another value (a CSAT asked on 0 to 10: 1.4)
 * sends the whole query by lists; an answer that is not a whole score of
 * its scale (a store filled by hand) sends the rest of its block by lists,
 * once the counts so far are added (exact sums, so the lists continue them
 * as one pass row by row would). */
#define FB_BINS 64          /* most bins, the first being "not kept" */
#define FB_FRAC 16          /* a bin's value is a multiple of 1 / FB_FRAC */
#define FB_VMAX 4096        /* and at most this in magnitude */
#define FB_SCALE_MAX 128    /* most whole scores on a question's scale */
#define FB_TAB_MAX 65536    /* most entries of the table of bins */
#define FB_HIST_MAX 8192    /* most counters of a block (slots x bins) */
#define FB_WHOLE_MAX 1e9    /* whole scores of a scale: within +-1e9 */
#define FB_COPIES 4         /* copies of the counters (fb_counts_chunk) */

/* A question: its scale, the n whole scores from ilo, and its first entry
 * in the table of bins; kept: its answers are counted (a measure asked
 * for). A question not kept has n = 0: none of its answers is in its
 * scale. */
struct fb_qinfo {
    int64_t ilo;
    uint32_t n, off, kept;
};

/* What an answer of a bin adds: to list (0 NPS, 1 CSAT, 2 CES), value
 * v16 / FB_FRAC and its square sq256 / FB_FRAC^2, good, mid and bad. */
struct fb_bin {
    uint8_t list, good, mid, bad;
    int64_t v16, sq256;
};

/* By the question's metric (NPS, CSAT, CES, custom): the list of its
 * answers, 3 for none (a custom metric, or a measure not asked for). */
static const int fb_metric_measure[] = {CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_CES};

static bool fb_list_of(const run *x, uint8_t list_of[4])
{
    list_of[0] = list_of[1] = list_of[2] = list_of[3] = 3;
    for (int k = 0; k < 3; k++)
        if (x->pos[fb_metric_measure[k]] >= 0)
            list_of[k] = (uint8_t)k;
    return list_of[0] != 3 || list_of[1] != 3 || list_of[2] != 3;
}

/* The bin of score v of a question of list l on [lo, hi] (hib: higher is
 * better), computed as the pass by lists computes it; false when its value
 * is not a multiple of 1/FB_FRAC within FB_VMAX or there are FB_BINS. */
static bool fb_bin_find(run *x, int l, double v, double lo, double hi, bool hib, uint8_t *out)
{
    struct fb_bin b = {(uint8_t)l, 0, 0, 0, 0, 0};
    double val;
    if (l == 0) { /* NPS: the score itself */
        val = v;
        b.good = v >= 9;
        b.bad = v <= 6;
        b.mid = v > 6 && v < 9;
    } else { /* CSAT (1-5) and CES (1-7): as in pass_feedback */
        const double span = l == 1 ? 4 : 6;
        double o = hib ? v : lo + hi - v;
        b.good = l == 1 ? o >= hi - 1 : o > (lo + hi) / 2;
        val = 1 + (o - lo) * span / (hi - lo);
    }
    double f = val * FB_FRAC;
    if (!(fabs(val) <= FB_VMAX) || f != (double)(int64_t)f)
        return false;
    b.v16 = (int64_t)f;
    b.sq256 = (int64_t)(val * val * (FB_FRAC * FB_FRAC)); /* exact: 2 x 16 bits at most */
    for (int k = 1; k < x->fb_nbins; k++) {
        const struct fb_bin *o = &x->fb_bins[k]; /* field by field: not the padding */
        if (o->list == b.list && o->good == b.good && o->mid == b.mid && o->bad == b.bad && o->v16 == b.v16 &&
            o->sq256 == b.sq256) {
            *out = (uint8_t)k;
            return true;
        }
    }
    if (x->fb_nbins == FB_BINS)
        return false;
    x->fb_bins[x->fb_nbins] = b;
    *out = (uint8_t)x->fb_nbins++;
    return true;
}

static void fb_counts_free(run *x)
{
    cxi_free(x->mem, x->fbq, (x->fbq_n ? x->fbq_n : 1) * sizeof *x->fbq);
    cxi_free(x->mem, x->fb_tab, x->fb_tab_n ? x->fb_tab_n : 1);
    cxi_free(x->mem, x->fb_bins, FB_BINS * sizeof *x->fb_bins);
    x->fbq = NULL;
    x->fb_tab = NULL;
    x->fb_bins = NULL;
    x->fbq_n = x->fb_tab_n = 0;
    x->fb_nbins = 0;
}

/* The table of bins of the feedback pass by counts, when it applies: no
 * filter, groups by the direct index (or none), every question asked for
 * on a scale of whole scores whose bins are exact. Else none (fb_tab NULL)
 * and the pass goes by lists. CX_ENOMEM. */
static int prepare_fb_counts(run *x)
{
    const cx_store *s = x->s;
    uint8_t list_of[4];
    if (x->filtered || (!x->direct && x->r->spec.ngroups) || !fb_list_of(x, list_of))
        return CX_OK;
    size_t nq = s->t[CX_TABLE_QUESTIONS].n, ntab = 0;
    const uint8_t *qmetric = CXI_COL(s, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t);
    const double *qmin = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MIN, double);
    const double *qmax = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MAX, double);
    const uint8_t *qhib = CXI_COL(s, CX_TABLE_QUESTIONS, QU_HIB, uint8_t);
    for (size_t q = 0; q < nq; q++) {
        if (list_of[qmetric[q]] == 3)
            continue;
        double lo = qmin[q], hi = qmax[q];
        if (!(lo >= -FB_WHOLE_MAX && hi <= FB_WHOLE_MAX && lo == floor(lo) && hi - lo < FB_SCALE_MAX))
            return CX_OK;
        ntab += (size_t)(floor(hi) - lo) + 1;
        if (ntab > FB_TAB_MAX)
            return CX_OK;
    }
    x->fbq_n = nq;
    x->fb_tab_n = ntab + 1; /* entry 0 of an empty table: read for answers not kept */
    x->fbq = cxi_alloc(x->mem, (nq ? nq : 1) * sizeof *x->fbq);
    x->fb_tab = zalloc(x->mem, x->fb_tab_n);
    x->fb_bins = zalloc(x->mem, FB_BINS * sizeof *x->fb_bins);
    if (!x->fbq || !x->fb_tab || !x->fb_bins) {
        fb_counts_free(x);
        return cxi_fail(CX_ENOMEM, FN ": out of memory");
    }
    x->fb_bins[0].list = 3;
    x->fb_nbins = 1;
    uint32_t off = 0;
    for (size_t q = 0; q < nq; q++) {
        int l = list_of[qmetric[q]];
        if (l == 3) {
            x->fbq[q] = (struct fb_qinfo){0, 0, 0, 0};
            continue;
        }
        double lo = qmin[q], hi = qmax[q];
        x->fbq[q] = (struct fb_qinfo){(int64_t)lo, (uint32_t)(floor(hi) - lo) + 1, off, 1};
        for (double v = lo; v <= hi; v++)
            if (!fb_bin_find(x, l, v, lo, hi, qhib[q], &x->fb_tab[off++])) {
                fb_counts_free(x);
                return CX_OK;
            }
    }
    if (FB_COPIES * (size_t)x->fb_nbins * (x->direct ? x->direct_n : 1) > FB_HIST_MAX)
        fb_counts_free(x);
    return CX_OK;
}

/* The bins of the n answers of a chunk whose questions are qu (code column
 * rows of type T) and whole scores iv, without a branch (shuffled answers
 * of several measures would mispredict it): a score is in its question's
 * scale when its offset from the scale's first whole score is below their
 * number (0 for a question not kept); the answers kept listed (kept, bin),
 * their number returned; *bad set when a kept question's answer is not in
 * its scale. A question is never none: its codes are read as they are. A
 * function for each width, its arrays addressed from w: the same loop
 * inlined in fb_bins_of once for each width, or apart with the arrays as
 * arguments, measured 1.5 times as slow (the scorecard's feedback in one
 * group, 10^6 shuffled: 0.72 -> 1.07 ms). */
#if defined(__GNUC__)
#define FB_NOINLINE __attribute__((noinline))
#else
#define FB_NOINLINE
#endif
#define FB_BINS_FN(name, T)                                                                                         \
    static FB_NOINLINE size_t name(const run *x, const void *codes, size_t n, fb_scratch *w, unsigned *out_bad)    \
    {                                                                                                              \
        const struct fb_qinfo *qi = x->fbq;                                                                        \
        const uint8_t *tab = x->fb_tab;                                                                            \
        const T *qu = (const T *)codes;                                                                            \
        const int64_t *iv = w->whole;                                                                              \
        unsigned bad = 0;                                                                                          \
        size_t m = 0;                                                                                              \
        for (size_t k = 0; k < n; k++) {                                                                           \
            const struct fb_qinfo *q = &qi[qu[k]];                                                                 \
            uint64_t j = (uint64_t)(iv[k] - q->ilo);                                                               \
            unsigned in = j < q->n;                                                                                \
            uint32_t mask = 0u - in;                                                                               \
            w->kept[m] = (uint32_t)k;                                                                              \
            w->bin[m] = (uint8_t)(tab[q->off + ((uint32_t)j & mask)] & mask);                                      \
            m += in;                                                                                               \
            bad |= q->kept & !in;                                                                                  \
        }                                                                                                          \
        *out_bad |= bad;                                                                                           \
        return m;                                                                                                  \
    }
FB_BINS_FN(fb_bins_u8, uint8_t)
FB_BINS_FN(fb_bins_u16, uint16_t)
FB_BINS_FN(fb_bins_u32, uint32_t)
#undef FB_BINS_FN

/* The answers kept of the n of a chunk (w->kept, *nkept) and the bin of
 * each (w->bin); false when a kept one is not a whole score of its scale
 * (then the chunk goes by lists). Two loops: the scores made whole in one the compiler turns into
 * vector instructions (integer operations on the bits: comparisons of
 * doubles kept it from it), then the bins by question. A score v within
 * +-FB_WHOLE_MAX rounds to a whole number in v + FB_MAGIC (1.5 x 2^52,
 * where doubles are 1 apart), whose bits are those of FB_MAGIC plus that
 * number; v is whole when taking FB_MAGIC back gives v to the bit (so a
 * -0.0, a NaN, a score beyond the bound is not: the block goes by lists).
 * Scores in cents (cxi_vcol): c cents are whole when c is a multiple of
 * 100 (c / 100.0 is then exact, and else 0.01 at least from a whole
 * number, far more than a double's spacing below 2^31 / 100), the whole
 * number c / 100, always within the bound. */
#define FB_MAGIC 6755399441055744.0

/* The scores of the n answers of a chunk made whole into w->whole, as
 * above; true when one of them is not whole (or beyond the bound): then
 * only fb_bins_of can tell whether it is an answer kept. */
static bool fb_whole_of(const fb_cols *c, size_t c0, size_t n, fb_scratch *w)
{
    int64_t *iv = w->whole;
    const double magic = FB_MAGIC, bound = FB_WHOLE_MAX;
    uint64_t magic_bits, bound_bits, notwhole = 0;
    memcpy(&magic_bits, &magic, sizeof magic_bits);
    memcpy(&bound_bits, &bound, sizeof bound_bits);
    if (c->score.narrow) {
        const int32_t *cents = c->score.narrow + c0;
        for (size_t k = 0; k < n; k++) {
            /* the nearest whole number to c / 100 (c * 0.01 is within a
             * rounding of it), then back to cents, exactly, bit for bit:
             * vector instructions again (an integer division was not) */
            double cd = cents[k], r = cd * 0.01 + magic, back = (r - magic) * 100.0;
            uint64_t br, bb, bc;
            memcpy(&br, &r, sizeof br);
            memcpy(&bb, &back, sizeof bb);
            memcpy(&bc, &cd, sizeof bc);
            iv[k] = (int64_t)(br - magic_bits);
            notwhole |= bb ^ bc;
        }
    }
    const double *sc = c->score.wide ? c->score.wide + c0 : NULL;
    for (size_t k = 0; sc && k < n; k++) {
        double v = sc[k], r = v + magic, d = r - magic;
        uint64_t bv, br, bd;
        memcpy(&bv, &v, sizeof bv);
        memcpy(&br, &r, sizeof br);
        memcpy(&bd, &d, sizeof bd);
        iv[k] = (int64_t)(br - magic_bits);
        /* d not v to the bit, or |v| >= the bound (the sign bit of the
         * difference of the magnitudes: orders like the doubles) */
        notwhole |= (bd ^ bv) | ((bound_bits - 1 - (bv & ~((uint64_t)1 << 63))) >> 63);
    }
    return notwhole != 0;
}

static bool fb_bins_of(const run *x, const fb_cols *c, size_t c0, size_t n, fb_scratch *w, size_t *nkept)
{
    const struct fb_qinfo *qi = x->fbq;
    const double magic = FB_MAGIC, bound = FB_WHOLE_MAX;
    bool notwhole = fb_whole_of(c, c0, n, w);
    unsigned bad = 0;
    size_t m;
    const void *qu = (const char *)c->qu.data + c0 * c->qu.elem;
    switch (c->qu.elem) {
    case 1: m = fb_bins_u8(x, qu, n, w, &bad); break;
    case 2: m = fb_bins_u16(x, qu, n, w, &bad); break;
    default: m = fb_bins_u32(x, qu, n, w, &bad); break;
    }
    *nkept = m;
    /* a kept answer not whole (its rounding may fall in the scale): found
     * apart, the chunks of whole scores not slowed */
    if (notwhole)
        for (size_t k = 0; k < n; k++) {
            double v = cxi_vcol_at(c->score, c0 + k), r = v + magic, d = r - magic;
            bad |= qi[cxi_codes_at(c->qu, c0 + k)].kept & (memcmp(&d, &v, sizeof d) != 0 || !(fabs(v) < bound));
        }
    return !bad;
}

/* Adds the counts of a block to its accumulators (and clears them): slot
 * by slot, the group of the slot. */
static void fb_counts_flush(run *x, uint32_t *hist)
{
    const size_t slots = x->direct ? x->direct_n : 1, nb = (size_t)x->fb_nbins;
    for (size_t sl = 0; sl < slots; sl++) {
        uint32_t *h = hist + sl * nb * FB_COPIES;
        uint64_t n[3] = {0}, good[3] = {0}, mid[3] = {0}, bad[3] = {0};
        int64_t v16[3] = {0}, sq256[3] = {0};
        for (size_t b = 1; b < nb; b++) {
            uint64_t k = 0;
            for (size_t cp = 0; cp < FB_COPIES; cp++) {
                k += h[b * FB_COPIES + cp];
                h[b * FB_COPIES + cp] = 0;
            }
            if (!k)
                continue;
            const struct fb_bin *bn = &x->fb_bins[b];
            n[bn->list] += k;
            good[bn->list] += k * bn->good;
            mid[bn->list] += k * bn->mid;
            bad[bn->list] += k * bn->bad;
            v16[bn->list] += (int64_t)k * bn->v16;
            sq256[bn->list] += (int64_t)k * bn->sq256;
        }
        size_t g = x->direct ? (size_t)x->direct[sl] - 1 : 0; /* a slot counted has its group */
        for (int l = 0; l < 3; l++) {
            if (!n[l])
                continue;
            cxi_score_acc *a = acc_at(x, fb_metric_measure[l], g);
            a->n += n[l];
            a->good += good[l];
            a->mid += mid[l];
            a->bad += bad[l];
            a->sum += (double)v16[l] / FB_FRAC;
            a->sumsq += (double)sq256[l] / (FB_FRAC * FB_FRAC);
        }
    }
}

/* The groups the n answers kept of a chunk (w->kept, their slots w->idx)
 * add, in row order: an answer whose slot has none yet adds it. CX_ENOMEM. */
static int fb_new_groups(run *x, const fb_cols *c, size_t c0, const fb_scratch *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!x->direct[w->idx[k]]) {
            rec e;
            size_t g;
            fb_rec(x, c, c0 + w->kept[k], &e);
            int rc = group_slow(x, &e, &g);
            if (rc)
                return rc;
        }
    return CX_OK;
}

/* A chunk by counts: the slots of the n answers kept (fb_bins_of), one
 * count each, then the groups they add, in row order (the counters are by
 * slot: the order does not matter to them). FB_COPIES copies of the
 * counters, answer k counted in copy k % FB_COPIES: an answer counted in
 * the counter of the one before it would wait for it (a chain of loads and
 * stores, measured: the most frequent bins are a tenth of the answers).
 * CX_ENOMEM. */
static int fb_counts_chunk(run *x, const fb_cols *c, size_t c0, size_t n, fb_scratch *w, uint32_t *hist)
{
    const cxi_spec *sp = &x->r->spec;
    const uint32_t nb = (uint32_t)x->fb_nbins;
    if (!x->direct) { /* the one group */
        for (size_t k = 0; k < n; k++)
            hist[(size_t)w->bin[k] * FB_COPIES + k % FB_COPIES]++;
        return CX_OK;
    }
    memset(w->idx, 0, n * sizeof *w->idx);
    for (int d = 0; d < sp->ngroups; d++)
        fb_slots(x, c, d, c0, w, n);
    const uint32_t *direct = x->direct;
    uint32_t miss = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t sl = w->idx[k];
        hist[((size_t)sl * nb + w->bin[k]) * FB_COPIES + k % FB_COPIES]++;
        miss |= direct[sl] == 0;
    }
    return miss ? fb_new_groups(x, c, c0, w, n) : CX_OK;
}

/* ---- the feedback pass by counts in one loop ---------------------------- */

/* What fb_fused_chunk reads besides the columns: the bin of each question
 * and score at once, qt[q * w1 + (score - lo)] (the scores of every
 * question's scale from lo, w1 - 1 of them, then one column for the scores
 * beyond), FB_QBAD for a kept question's score outside its scale, 0 for a
 * question not kept; its bytes. Scores in cents (cxi_vcol) index it in
 * cents, read from the column, with FB_QBAD at the ones not whole of a
 * kept question (no pass to make them whole, fb_whole_of); else by the
 * whole scores of fb_whole_of. The slots by touchpoint are in w->tps. */
typedef struct fb_fused {
    uint8_t *qt;
    size_t bytes;
    int64_t lo;
    uint64_t w1;
    bool cents;
    const uint8_t *qrow[256]; /* question q's row of qt */
    uint32_t nnew;            /* the slots of touchpoints without a group yet */
    uint32_t newsl[256];
} fb_fused;
#define FB_QBAD 0x80u      /* in qt: a kept question's score outside its scale */
#define FB_QT_MAX 65536    /* most entries of qt */
_Static_assert(FB_BINS <= 64, "a bin in the 6 low bits of qt's entries");

/* The one loop of a chunk by counts (fb_fused_chunk) applies: one
 * grouping, by channel, stage or touchpoint, indexed directly, nothing
 * filtered out (prepare_fb_counts), questions and touchpoints of one-byte
 * codes. */
static bool fb_fused_ok(const run *x, const fb_cols *c)
{
    if (!x->direct || x->r->spec.ngroups != 1 || !c->ntp || c->qu.elem != 1 || c->ftp.elem != 1)
        return false;
    int dim = x->r->spec.groups[0].dim;
    return dim == CX_DIM_CHANNEL || dim == CX_DIM_STAGE || dim == CX_DIM_TOUCHPOINT;
}

/* The first counter of each touchpoint code's slot (w->tps): slot x bins
 * x FB_COPIES; none (0xFF) and codes past the touchpoints at the slot past
 * the last (x->direct_n), whose counters nothing reads (the answers
 * without a touchpoint are counted after, fb_fused_chunk); and the slots
 * with no group yet (f->newsl). Made again whenever groups are added. */
static void fb_fused_slots(const run *x, const fb_cols *c, fb_fused *f, fb_scratch *w)
{
    const int dim = x->r->spec.groups[0].dim;
    const uint32_t *of = dim == CX_DIM_CHANNEL ? c->tch : dim == CX_DIM_STAGE ? c->tst : NULL;
    const size_t per = (size_t)x->fb_nbins * FB_COPIES; /* the counters of a slot */
    f->nnew = 0;
    for (uint32_t tp = 0; tp < 256; tp++) {
        w->tps[tp] = (uint32_t)(x->direct_n * per);
        if (tp == 0xFFu || tp >= c->ntp)
            continue;
        size_t sl = (size_t)((of ? of[tp] : tp) + 1u) * x->mult[0];
        w->tps[tp] = (uint32_t)(sl * per);
        if (!x->direct[sl])
            f->newsl[f->nnew++] = (uint32_t)sl;
    }
}

/* Whether a kept answer counted in the slot of a touchpoint without a
 * group: a count in a bin of such a slot (none before this chunk, or the
 * slot would have its group). */
static bool fb_fused_new(const run *x, const fb_fused *f, const uint32_t *hist)
{
    const size_t nb = (size_t)x->fb_nbins;
    for (uint32_t i = 0; i < f->nnew; i++) {
        const uint32_t *h = hist + f->newsl[i] * nb * FB_COPIES;
        for (size_t b = FB_COPIES; b < nb * FB_COPIES; b++) /* from bin 1 */
            if (h[b])
                return true;
    }
    return false;
}

/* qt from the table of bins (prepare_fb_counts) and w->tps; f->qt stays
 * NULL when the scales span too many scores (then no chunk goes this
 * way). CX_ENOMEM. */
static int fb_fused_init(const run *x, const fb_cols *c, fb_fused *f, fb_scratch *w)
{
    const struct fb_qinfo *qi = x->fbq;
    int64_t lo = 0, hi = -1;
    for (size_t q = 0; q < x->fbq_n; q++) {
        if (!qi[q].kept)
            continue;
        int64_t a = qi[q].ilo, b = qi[q].ilo + (int64_t)qi[q].n - 1;
        if (hi < lo) {
            lo = a;
            hi = b;
        } else {
            lo = a < lo ? a : lo;
            hi = b > hi ? b : hi;
        }
    }
    const bool cents = c->score.narrow != NULL;
    const uint64_t unit = cents ? 100 : 1; /* of a whole score */
    if (hi < lo || (uint64_t)(hi - lo) + 2 > FB_QT_MAX / unit / (x->fbq_n ? x->fbq_n : 1))
        return CX_OK;
    const uint64_t w1 = (uint64_t)(hi - lo) * unit + 2;
    f->bytes = (size_t)w1 * x->fbq_n;
    if (!(f->qt = cxi_alloc(x->mem, f->bytes)))
        return CX_ENOMEM;
    f->lo = lo * (int64_t)unit;
    f->w1 = w1;
    f->cents = cents;
    for (size_t q = 0; q < x->fbq_n; q++)
        for (uint64_t j = 0; j < w1; j++) {
            uint8_t *e = &f->qt[q * w1 + j];
            /* the score's place in q's scale, when whole */
            uint64_t k = (uint64_t)(lo + (int64_t)(j / unit) - qi[q].ilo);
            bool in = j + 1 < w1 && j % unit == 0 && k < qi[q].n;
            *e = !qi[q].kept ? 0 : in ? x->fb_tab[qi[q].off + k] : (uint8_t)FB_QBAD;
        }
    for (size_t q = 0; q < x->fbq_n; q++)
        f->qrow[q] = f->qt + q * w1;
    fb_fused_slots(x, c, f, w);
    return CX_OK;
}

/* The body of fb_fused_chunk's loop, counting with OP (++, or -- to take
 * the counts back): the bin of answer k (qt: as fb_bins_u8 finds it, 0 not
 * kept) and its slot as fb_slots' loop of touchpoints finds it (w->tps),
 * counted at once; an answer without a touchpoint counted in the slot
 * nothing reads (and counted after). `flags`: FB_QBAD when a kept
 * question's answer is outside its scale. Few variables (no register
 * spilled): the slots without a group are found after (fb_fused_new). */
#define FB_FUSED(OP)                                                                                               \
    for (size_t k = 0; k < n; k++) {                                                                               \
        uint64_t j = (uint64_t)(sc[k] - lo);                                                                       \
        uint32_t v = qrow[qu[k]][j < last ? j : last];                                                             \
        hist[tps[ftp[k]] + (v & 63u) * FB_COPIES + (k & (FB_COPIES - 1))] OP;                                      \
        flags |= v;                                                                                                \
    }

/* A chunk of n answers by counts in one loop, when fb_fused_ok: each
 * answer's bin and slot found and counted at once, without the lists of
 * fb_bins_of and fb_slots between three loops (issue 14: the scorecard by
 * channel at 5 x 10^6, 1.5 x 10^6 answers, went from 8.7-9.0 to 7.1 ms on
 * one thread, and to 5.0 with its cases by their column, scores in cents
 * and no register spilled); then the answers kept without a touchpoint,
 * whose slots are random reads, as fb_slots counts them. Scores as
 * fb_fused has them (in cents, or made whole by fb_whole_of: all whole).
 * An answer not kept counts in bin 0, which fb_counts_flush never reads.
 * Returns CX_OK; 1 when a kept answer is outside its question's scale (or
 * not whole), its counts taken back (the chunk then goes by lists, as
 * after fb_bins_of); new groups added in row order as fb_counts_chunk adds
 * them; CX_ENOMEM. */
static FB_NOINLINE int fb_fused_chunk(run *x, fb_fused *f, const fb_cols *c, size_t c0, size_t n, fb_scratch *w,
                                      uint32_t *hist)
{
    _Static_assert((FB_COPIES & (FB_COPIES - 1)) == 0, "FB_COPIES: a power of 2");
    const uint8_t *const *qrow = f->qrow, *qu = (const uint8_t *)c->qu.data + c0;
    const uint8_t *ftp = (const uint8_t *)c->ftp.data + c0;
    const int64_t lo = f->lo;
    const uint64_t last = f->w1 - 1;
    const uint32_t *tps = w->tps;
    uint32_t *late = w->late;
    uint8_t *lbin = w->bin;
    uint32_t flags = 0;
    size_t nlate = 0;
    if (f->cents) {
        const int32_t *sc = c->score.narrow + c0;
        FB_FUSED(++)
        if (flags & FB_QBAD) {
            FB_FUSED(--)
            return 1;
        }
    } else {
        const int64_t *sc = w->whole;
        FB_FUSED(++)
        if (flags & FB_QBAD) {
            FB_FUSED(--)
            return 1;
        }
    }
    /* the answers kept without a touchpoint, with their bins: listed in
     * loops of their own (in the one above, 3% slower) */
    for (size_t k = 0; k < n; k++) {
        late[nlate] = (uint32_t)k;
        nlate += ftp[k] == 0xFFu;
    }
    size_t nkept = 0;
    for (size_t l = 0; l < nlate; l++) {
        size_t k = late[l];
        uint64_t j = (uint64_t)((f->cents ? c->score.narrow[c0 + k] : w->whole[k]) - lo);
        uint32_t v = qrow[qu[k]][j < last ? j : last];
        late[nkept] = (uint32_t)k;
        lbin[nkept] = (uint8_t)v;
        nkept += v != 0;
    }
    nlate = nkept;
    const size_t nb = (size_t)x->fb_nbins, mult = x->mult[0];
    const int dim = x->r->spec.groups[0].dim;
    const uint32_t *direct = x->direct;
    bool miss = f->nnew && fb_fused_new(x, f, hist);
    for (size_t l = 0; l < nlate; l++) {
        size_t k = late[l], i = c0 + k;
        if (l + FB_AHEAD < nlate) {
            size_t ahead = c0 + late[l + FB_AHEAD];
            fb_prefetch(c, ahead, false, true);
            if (dim == CX_DIM_CHANNEL && fb_fca(c, ahead) != CXI_NONE)
                __builtin_prefetch(cxi_codes_addr(c->cch, fb_fca(c, ahead)));
        }
        uint32_t code = dim == CX_DIM_CHANNEL ? fb_channel(c, i) : dim == CX_DIM_STAGE ? fb_stage(c, i) : fb_tp(c, i);
        size_t sl = (size_t)(uint32_t)(code + 1u) * mult;
        hist[(sl * nb + lbin[l]) * FB_COPIES + (k & (FB_COPIES - 1))]++;
        miss |= direct[sl] == 0;
    }
    if (!miss)
        return CX_OK;
    /* the answers kept and their slots, listed as fb_counts_chunk lists
     * them (every kept one is in its scale), for the new groups */
    size_t m;
    (void)fb_bins_of(x, c, c0, n, w, &m);
    memset(w->idx, 0, m * sizeof *w->idx);
    fb_slots(x, c, 0, c0, w, m);
    int rc = fb_new_groups(x, c, c0, w, m);
    fb_fused_slots(x, c, f, w);
    return rc;
}
#undef FB_FUSED

static int pass_feedback(run *x, size_t from, size_t to)
{
    const cx_store *s = x->s;
    fb_cols c = {
        .ninter = s->t[CX_TABLE_INTERACTIONS].n,
        .ntp = s->t[CX_TABLE_TOUCHPOINTS].n,
        .cu = CXI_COL(s, CX_TABLE_FEEDBACK, FB_CUSTOMER, uint32_t),
        .qu = cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_QUESTION),
        .ftp = cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_TOUCHPOINT),
        .fin = CXI_COL(s, CX_TABLE_FEEDBACK, FB_INTERACTION, uint32_t),
        .fca = cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_CASE),
        .score = cxi_vcol_of(s, CX_TABLE_FEEDBACK, FB_SCORE),
        .tm = cxi_icol_of(s, CX_TABLE_FEEDBACK, FB_TIME),
        .tch = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t),
        .tst = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_STAGE, uint32_t),
        .itp = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT),
        .iag = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_AGENT),
        .cch = cxi_codes_col(s, CX_TABLE_CASES, CA_CHANNEL),
        .cag = cxi_codes_col(s, CX_TABLE_CASES, CA_AGENT),
        .cpr = cxi_codes_col(s, CX_TABLE_CASES, CA_PRIORITY),
    };
    const uint8_t *qmetric = CXI_COL(s, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t);
    const double *qmin = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MIN, double);
    const double *qmax = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MAX, double);
    const uint8_t *qhib = CXI_COL(s, CX_TABLE_QUESTIONS, QU_HIB, uint8_t);
    const int *metric_measure = fb_metric_measure;
    uint8_t list_of[4];
    if (!fb_list_of(x, list_of))
        return CX_OK;
    fb_scratch *w = cxi_alloc(x->mem, sizeof *w);
    /* by counts when the query allows (prepare_fb_counts): the counters of
     * the block, by direct-index slot and bin */
    /* (and a slot past the last, for fb_fused_chunk) */
    const size_t nhist = x->fb_tab ? FB_COPIES * (x->direct ? x->direct_n + 1 : 1) * (size_t)x->fb_nbins : 0;
    uint32_t *hist = nhist ? zalloc(x->mem, nhist * sizeof *hist) : NULL;
    fb_fused fu = {.qt = NULL};
    bool counts = hist != NULL, fused = w && counts && fb_fused_ok(x, &c);
    if (!w || (nhist && !hist) || (fused && fb_fused_init(x, &c, &fu, w) != CX_OK)) {
        cxi_free(x->mem, w, sizeof *w);
        cxi_free(x->mem, hist, nhist * sizeof *hist);
        return cxi_fail(CX_ENOMEM, FN ": out of memory");
    }
    fused = fu.qt != NULL;
    int rc = CX_OK;
    const bool links = x->need & (NEED_TP | NEED_CHANNEL | NEED_STAGE | NEED_AGENT | NEED_PRIORITY);
    for (size_t c0 = from; c0 < to; c0 += FB_CHUNK) {
        size_t c1 = to - c0 < FB_CHUNK ? to : c0 + FB_CHUNK;
        /* the next chunk's links asked for: only the answers without a
         * touchpoint read them, too sparsely for the hardware to see a
         * stream */
        if (links)
            for (size_t i = c1; i < c1 + FB_CHUNK && i < to; i += 16) {
                __builtin_prefetch(&c.fin[i]);
                __builtin_prefetch(cxi_codes_addr(c.fca, i));
            }
        if (counts) {
            size_t n;
            if (fused && (fu.cents || !fb_whole_of(&c, c0, c1 - c0, w))) {
                if ((rc = fb_fused_chunk(x, &fu, &c, c0, c1 - c0, w, hist)) <= 0) {
                    if (rc)
                        break;
                    continue;
                }
                rc = CX_OK; /* 1: by lists */
            } else if (fb_bins_of(x, &c, c0, c1 - c0, w, &n)) {
                if ((rc = fb_counts_chunk(x, &c, c0, n, w, hist)))
                    break;
                continue;
            }
            /* an answer that is not a whole score of its scale: the rest
             * of the block by lists, from the exact sums so far */
                    fb_counts_flush(x, hist);
            counts = false;
        }
        /* the answers of the measures asked for, without a branch */
        size_t n = 0;
#define FB_KEPT(T, NONE)                                                                                            \
    {                                                                                                              \
        const T *qu = (const T *)c.qu.data;                                                                        \
        for (size_t i = c0; i < c1; i++) {                                                                         \
            unsigned l = list_of[qmetric[qu[i]]];                                                                  \
            w->kept[n] = (uint32_t)(i - c0);                                                                       \
            w->list[n] = (uint8_t)l;                                                                               \
            n += l != 3;                                                                                           \
        }                                                                                                          \
    }
        FB_BY_WIDTH(c.qu, FB_KEPT)
#undef FB_KEPT
        if ((rc = fb_groups(x, &c, c0, w, n)))
            break;
        /* the scores as doubles: those of the answers listed, made so once
         * when in cents */
        const double *sc = c.score.wide ? c.score.wide + c0 : w->score;
        if (c.score.narrow)
            for (int l = 0; l < 3; l++)
                for (size_t k = 0; k < w->n[l]; k++)
                    w->score[w->row[l][k]] = cxi_cents_value(c.score.narrow[c0 + w->row[l][k]]);
        const cxi_codes qc = c.qu;
        /* NPS: the score itself; promoters 9-10, passives 7-8, detractors 0-6 */
        if (w->n[0]) {
            cxi_score_acc *acc = acc_at(x, CX_MEASURE_NPS, 0);
            for (size_t k = 0; k < w->n[0]; k++) {
                cxi_score_acc *a = acc + w->lg[0][k];
                double v = sc[w->row[0][k]];
                a->n++;
                a->good += v >= 9;
                a->bad += v <= 6;
                a->mid += v > 6 && v < 9;
                a->sum += v;
                a->sumsq += v * v;
            }
        }
        /* CSAT (top-two box, 1-5) and CES (easy: above the middle, 1-7),
         * oriented so that high is good */
        for (int l = 1; l < 3; l++) {
            if (!w->n[l])
                continue;
            cxi_score_acc *acc = acc_at(x, metric_measure[l], 0);
            const double span = l == 1 ? 4 : 6;
            for (size_t k = 0; k < w->n[l]; k++) {
                cxi_score_acc *a = acc + w->lg[l][k];
                uint32_t q = cxi_codes_at(qc, c0 + w->row[l][k]);
                double v = sc[w->row[l][k]], lo = qmin[q], hi = qmax[q];
                double o = qhib[q] ? v : lo + hi - v;
                a->n++;
                a->good += l == 1 ? o >= hi - 1 : o > (lo + hi) / 2;
                double std = 1 + (o - lo) * span / (hi - lo);
                a->sum += std;
                a->sumsq += std * std;
            }
        }
    }
    if (counts && !rc)
        fb_counts_flush(x, hist);
    cxi_free(x->mem, fu.qt, fu.bytes);
    cxi_free(x->mem, w, sizeof *w);
    cxi_free(x->mem, hist, nhist * sizeof *hist);
    return rc;
}

/* ---- cases ------------------------------------------------------------- */

static int duration(int64_t *out, const run *x, cx_time a, cx_time b)
{
    if (b < a)
        b = a;
    if (!x->q->cal) {
        *out = b - a;
        return CX_OK;
    }
    return cx_calendar_business_ms(out, x->q->cal, a, b);
}

static const cxi_sla *sla_for(const run *x, const uint32_t *pri_code, const uint32_t *ch_code, uint32_t pri,
                              uint32_t ch)
{
    const cxi_spec *sp = &x->r->spec;
    const cxi_sla *best = NULL;
    int best_rank = -1;
    for (size_t i = 0; i < sp->nsla; i++) {
        const cxi_sla *t = &sp->sla[i];
        if (t->priority && pri_code[i] != pri)
            continue;
        if (t->channel && ch_code[i] != ch)
            continue;
        int rank = (t->priority ? 2 : 0) + (t->channel ? 1 : 0);
        if (rank > best_rank) {
            best = t;
            best_rank = rank;
        }
    }
    return best;
}

static bool late(const run *x, cx_time opened, cx_time done, int64_t target, int *rc)
{
    if (target < 0)
        return false;
    cx_time end = done != CX_TIME_NONE ? done : x->as_of;
    if (end == CX_TIME_NONE)
        return false;
    int64_t d = 0;
    if ((*rc = duration(&d, x, opened, end)))
        return false;
    return d > target;
}

/* The cases of a block in chunks of CA_CHUNK rows, when nothing is
 * filtered out, the groups are indexed directly and durations are plain
 * differences (no calendar): the groups of a chunk first (added in row
 * order), then each measure in a loop of its own over the chunk, in row
 * order, with its accumulators' address read once: each accumulator takes
 * the same values in the same order as in pass_cases_rows(), so the result
 * is the same to the bit. CX_ENOMEM, CX_ERANGE. */
#define CA_CHUNK 256

/* The case columns both cases passes read. */
typedef struct case_cols {
    const uint32_t *cu, *ro, *co; /* customer, reopens, contacts */
    cxi_codes ch, pr, ag;         /* channel, priority, agent: 1, 2 or 4 bytes a row (cxi_code_col) */
    const cx_time *op, *fr, *rs;                 /* opened, first response, resolved */
} case_cols;

static case_cols case_cols_of(const cx_store *s)
{
    return (case_cols){
        .cu = CXI_COL(s, CX_TABLE_CASES, CA_CUSTOMER, uint32_t),
        .ch = cxi_codes_col(s, CX_TABLE_CASES, CA_CHANNEL),
        .pr = cxi_codes_col(s, CX_TABLE_CASES, CA_PRIORITY),
        .ag = cxi_codes_col(s, CX_TABLE_CASES, CA_AGENT),
        .ro = CXI_COL(s, CX_TABLE_CASES, CA_REOPENS, uint32_t),
        .co = CXI_COL(s, CX_TABLE_CASES, CA_CONTACTS, uint32_t),
        .op = CXI_COL(s, CX_TABLE_CASES, CA_OPENED, cx_time),
        .fr = CXI_COL(s, CX_TABLE_CASES, CA_FIRST_RESPONSE, cx_time),
        .rs = CXI_COL(s, CX_TABLE_CASES, CA_RESOLVED, cx_time),
    };
}

/* The record of case i, with only the fields the query reads. */
static inline rec case_rec(const run *x, const case_cols *c, size_t i)
{
    const unsigned need = x->need;
    return (rec){need & NEED_CUST ? c->cu[i] : CXI_NONE, CXI_NONE, need & NEED_CHANNEL ? cxi_codes_at(c->ch, i) : CXI_NONE,
                 CXI_NONE, need & NEED_AGENT ? cxi_codes_at(c->ag, i) : CXI_NONE,
                 need & NEED_PRIORITY ? cxi_codes_at(c->pr, i) : CXI_NONE, need & NEED_TIME ? c->op[i] : 0};
}

/* The durations from `op` to `t` of a chunk's cases that have a `t`, into
 * their groups' distributions: the values in one loop, their exact squares
 * in another, without a branch. CX_ENOMEM, CX_ERANGE. */
static int chunk_durations(run *x, cxi_dist_acc *acc, const size_t *g, const cx_time *op, const cx_time *t,
                           size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (t[k] != CX_TIME_NONE) {
            int rc = cxi_qacc_add(&x->r->mem, &acc[g[k]].q, (double)(t[k] < op[k] ? 0 : t[k] - op[k]));
            if (rc)
                return cxi_fail(rc, FN ": out of memory");
        }
    /* without a branch: a case without `t` adds 0 */
    unsigned over = 0;
    for (size_t k = 0; k < n; k++)
        over |= cxi_dist_sq_put(&acc[g[k]], t[k] == CX_TIME_NONE || t[k] < op[k] ? 0 : t[k] - op[k]);
    return over ? cxi_fail(CX_ERANGE, FN ": a sum of squared values would pass 2^128") : CX_OK;
}

static int pass_cases_chunks(run *x, size_t lo, size_t hi)
{
    const cx_store *s = x->s;
    const cxi_spec *sp = &x->r->spec;
    const case_cols c = case_cols_of(s);
    /* one grouping by a code column of the cases (channel, priority,
     * agent): a case's slot read from the column in a loop for its width,
     * without building its record (the scorecard by channel: most of the
     * time of its cases went to that and group_of), unless its slot has
     * no group yet */
    const int dim = sp->ngroups == 1 ? sp->groups[0].dim : -1;
    const cxi_codes *gcol = dim == CX_DIM_CHANNEL ? &c.ch : dim == CX_DIM_PRIORITY ? &c.pr
                            : dim == CX_DIM_AGENT  ? &c.ag : NULL;
    cxi_dist_acc *afr = acc_at(x, CX_MEASURE_FIRST_RESPONSE, 0), *ars = acc_at(x, CX_MEASURE_RESOLUTION, 0);
    cxi_dist_acc *aco = acc_at(x, CX_MEASURE_CONTACTS, 0);
    cxi_prop_acc *are = acc_at(x, CX_MEASURE_REOPEN_RATE, 0), *afc = acc_at(x, CX_MEASURE_FCR, 0);
    const int64_t max_co = sp->fcr_max_contacts, max_ro = sp->fcr_max_reopens, window = sp->fcr_window;
    size_t g[CA_CHUNK];
    int rc = CX_OK;
    for (size_t c0 = lo; c0 < hi && !rc; c0 += CA_CHUNK) {
        size_t n = hi - c0 < CA_CHUNK ? hi - c0 : CA_CHUNK;
#define CA_SLOTS(T, NONE)                                                                                          \
    {                                                                                                              \
        const T *col = (const T *)gcol->data + c0;                                                                 \
        for (size_t k = 0; k < n && !rc; k++) {                                                                    \
            uint32_t v = x->direct[(size_t)(col[k] == (NONE) ? 0u : col[k] + 1u) * x->mult[0]];                   \
            if (v) {                                                                                               \
                g[k] = v - 1;                                                                                      \
            } else {                                                                                               \
                rec e = case_rec(x, &c, c0 + k);                                                                   \
                rc = group_of(x, &e, &g[k]);                                                                       \
            }                                                                                                      \
        }                                                                                                          \
    }
        if (gcol) {
            FB_BY_WIDTH(*gcol, CA_SLOTS)
        } else {
            for (size_t k = 0; k < n && !rc; k++) {
                rec e = case_rec(x, &c, c0 + k);
                rc = group_of(x, &e, &g[k]);
            }
        }
#undef CA_SLOTS
        if (rc)
            break;
        /* the accumulators' arrays may have moved as groups were added */
        afr = acc_at(x, CX_MEASURE_FIRST_RESPONSE, 0);
        ars = acc_at(x, CX_MEASURE_RESOLUTION, 0);
        aco = acc_at(x, CX_MEASURE_CONTACTS, 0);
        are = acc_at(x, CX_MEASURE_REOPEN_RATE, 0);
        afc = acc_at(x, CX_MEASURE_FCR, 0);
        if (afr && !rc)
            rc = chunk_durations(x, afr, g, c.op + c0, c.fr + c0, n);
        if (ars && !rc)
            rc = chunk_durations(x, ars, g, c.op + c0, c.rs + c0, n);
        for (size_t k = 0; aco && k < n && !rc; k++)
            rc = dist_put(x, aco + g[k], c.co[c0 + k]);
        for (size_t k = 0; are && k < n; k++) {
            are[g[k]].n++;
            are[g[k]].x += c.ro[c0 + k] > 0;
        }
        /* without a branch on the resolution (open cases at random rows)
         * when there is no window */
        for (size_t k = 0; afc && window <= 0 && k < n; k++) {
            size_t i = c0 + k;
            unsigned done = c.rs[i] != CX_TIME_NONE;
            unsigned first = ((int64_t)c.co[i] <= max_co) & ((int64_t)c.ro[i] <= max_ro);
            afc[g[k]].n += done;
            afc[g[k]].x += done & first;
        }
        for (size_t k = 0; afc && window > 0 && k < n; k++) {
            size_t i = c0 + k;
            if (c.rs[i] == CX_TIME_NONE)
                continue;
            bool first = (int64_t)c.co[i] <= max_co && (int64_t)c.ro[i] <= max_ro;
            if (first)
                first = !contact_after(x, c.cu[i], c.rs[i], window);
            afc[g[k]].n++;
            afc[g[k]].x += first;
        }
    }
    return rc;
}

static int pass_cases_rows(run *x, size_t lo, size_t hi);

/* The cases pass: in chunks when it can (pass_cases_chunks), else row by
 * row; the SLA breach (a calendar's durations can fail) row by row. */
static int pass_cases(run *x, size_t lo, size_t hi)
{
    if (x->filtered || !x->direct || x->q->cal || x->pos[CX_MEASURE_SLA_BREACH] >= 0)
        return pass_cases_rows(x, lo, hi);
    return pass_cases_chunks(x, lo, hi);
}

static int pass_cases_rows(run *x, size_t lo, size_t hi)
{
    const cx_store *s = x->s;
    const cxi_spec *sp = &x->r->spec;
    const case_cols c = case_cols_of(s);
    /* SLA targets resolved to codes once */
    uint32_t pri_code[64], ch_code[64];
    uint32_t *pc = pri_code, *cc = ch_code;
    size_t nsla = sp->nsla;
    if (nsla > 64) {
        pc = cxi_alloc(x->mem, nsla * sizeof *pc);
        cc = cxi_alloc(x->mem, nsla * sizeof *cc);
    }
    int rc = CX_OK;
    if (!pc || !cc) {
        rc = cxi_fail(CX_ENOMEM, FN ": out of memory");
        goto done;
    }
    for (size_t i = 0; i < nsla; i++) {
        char qb[80];
        const cxi_sla *t = &sp->sla[i];
        pc[i] = t->priority ? set_find(s, CX_VOCAB_PRIORITY, t->priority) : CXI_NONE;
        cc[i] = t->channel ? set_find(s, CX_VOCAB_CHANNEL, t->channel) : CXI_NONE;
        if ((t->priority && pc[i] == CXI_NONE) || (t->channel && cc[i] == CXI_NONE)) {
            rc = cxi_fail(CX_ENOTFOUND, FN ": SLA target for %s %s: no such %s in the store",
                          t->priority && pc[i] == CXI_NONE ? "priority" : "channel",
                          cxi_quote(qb, t->priority && pc[i] == CXI_NONE ? t->priority : t->channel),
                          t->priority && pc[i] == CXI_NONE ? "priority" : "channel");
            goto done;
        }
    }
    const unsigned need = x->need;
    for (size_t i = lo; i < hi && !rc; i++) {
        rec e = {need & NEED_CUST ? c.cu[i] : CXI_NONE, CXI_NONE, need & NEED_CHANNEL ? cxi_codes_at(c.ch, i) : CXI_NONE, CXI_NONE,
                 need & NEED_AGENT ? cxi_codes_at(c.ag, i) : CXI_NONE,
                     need & NEED_PRIORITY ? cxi_codes_at(c.pr, i) : CXI_NONE,
                 need & NEED_TIME ? c.op[i] : 0};
        if (!accepted(x, &e))
            continue;
        size_t g;
        if ((rc = group_of(x, &e, &g)))
            break;
        int64_t d;
        if (x->pos[CX_MEASURE_FIRST_RESPONSE] >= 0 && c.fr[i] != CX_TIME_NONE) {
            if (!(rc = duration(&d, x, c.op[i], c.fr[i])))
                rc = dist_add(x, CX_MEASURE_FIRST_RESPONSE, g, d);
        }
        if (!rc && x->pos[CX_MEASURE_RESOLUTION] >= 0 && c.rs[i] != CX_TIME_NONE) {
            if (!(rc = duration(&d, x, c.op[i], c.rs[i])))
                rc = dist_add(x, CX_MEASURE_RESOLUTION, g, d);
        }
        if (!rc)
            rc = dist_add(x, CX_MEASURE_CONTACTS, g, c.co[i]);
        prop_add(x, CX_MEASURE_REOPEN_RATE, g, c.ro[i] > 0);
        if (x->pos[CX_MEASURE_FCR] >= 0 && c.rs[i] != CX_TIME_NONE) {
            bool first = (int64_t)c.co[i] <= sp->fcr_max_contacts && (int64_t)c.ro[i] <= sp->fcr_max_reopens;
            if (first && sp->fcr_window > 0)
                first = !contact_after(x, c.cu[i], c.rs[i], sp->fcr_window);
            prop_add(x, CX_MEASURE_FCR, g, first);
        }
        if (!rc && x->pos[CX_MEASURE_SLA_BREACH] >= 0) {
            const cxi_sla *t = sla_for(x, pc, cc, cxi_codes_at(c.pr, i), cxi_codes_at(c.ch, i));
            if (t) {
                bool breach = late(x, c.op[i], c.fr[i], t->first_response, &rc);
                if (!rc && !breach)
                    breach = late(x, c.op[i], c.rs[i], t->resolution, &rc);
                prop_add(x, CX_MEASURE_SLA_BREACH, g, breach);
            }
        }
    }
done:
    if (pc != pri_code)
        cxi_free(x->mem, pc, nsla * sizeof *pc);
    if (cc != ch_code)
        cxi_free(x->mem, cc, nsla * sizeof *cc);
    return rc;
}

/* ---- contacts ---------------------------------------------------------- */

static int pass_interactions(run *x, size_t lo, size_t hi)
{
    const cx_store *s = x->s;
    if (x->contact_kind == CXI_NONE)
        return CX_OK;
    const uint32_t *cu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_codes tp = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT);
    const cxi_icol tm = cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_TIME);
    const cxi_codes kind = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_KIND);
    const uint8_t *dir = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
    const uint8_t *outc = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_OUTCOME, uint8_t);
    const cxi_codes ag = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_AGENT);
    const cxi_codes ca = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_CASE);
    const cxi_icol du = cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_DURATION);
    const uint32_t *tch = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t);
    const uint32_t *tst = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_STAGE, uint32_t);
    const cxi_codes cpr = cxi_codes_col(s, CX_TABLE_CASES, CA_PRIORITY);
    const unsigned need = x->need;
    /* the code columns a chunk at a time (cxi_codes_read), the kinds first */
    uint32_t kb[CXI_CODES_CHUNK], tb[CXI_CODES_CHUNK], ab[CXI_CODES_CHUNK], cb[CXI_CODES_CHUNK];
    for (size_t c0 = lo; c0 < hi; c0 += CXI_CODES_CHUNK) {
        size_t m = hi - c0 < CXI_CODES_CHUNK ? hi - c0 : CXI_CODES_CHUNK;
        cxi_codes_read(kind, c0, m, kb);
        cxi_codes_read(tp, c0, m, tb);
        if (need & NEED_AGENT)
            cxi_codes_read(ag, c0, m, ab);
        if (need & NEED_PRIORITY)
            cxi_codes_read(ca, c0, m, cb);
        for (size_t i = c0; i < c0 + m; i++) {
            size_t j = i - c0;
            if (kb[j] != x->contact_kind)
                continue;
            uint32_t tpi = tb[j], cai = need & NEED_PRIORITY ? cb[j] : CXI_NONE;
            rec e = {need & NEED_CUST ? cu[i] : CXI_NONE,
                     tpi,
                     need & NEED_CHANNEL ? tch[tpi] : CXI_NONE,
                     need & NEED_STAGE ? tst[tpi] : CXI_NONE,
                     need & NEED_AGENT ? ab[j] : CXI_NONE,
                     cai != CXI_NONE ? cxi_codes_at(cpr, cai) : CXI_NONE,
                     need & NEED_TIME ? cxi_icol_at(tm, i) : 0};
            if (!accepted(x, &e))
                continue;
            size_t g;
            int rc = group_of(x, &e, &g);
            if (rc)
                return rc;
            prop_add(x, CX_MEASURE_MISSED_RATE, g, outc[i] == CX_MISSED);
            prop_add(x, CX_MEASURE_ABANDON_RATE, g, outc[i] == CX_ABANDONED);
            if (outc[i] == CX_HANDLED && (rc = dist_add(x, CX_MEASURE_HANDLE_TIME, g, cxi_icol_at(du, i))))
                return rc;
            if (dir[i] == CX_INBOUND)
                prop_add(x, CX_MEASURE_REPEAT_RATE, g, x->repeat && x->repeat[i]);
        }
    }
    return CX_OK;
}

/* ---- the run ----------------------------------------------------------- */

static int copy_spec(cxi_spec *dst, cxi_mem *m, const cxi_spec *src)
{
    cxi_wbuf b;
    cxi_wbuf_init(&b, m);
    int rc = cxi_spec_write(src, &b);
    if (!rc) {
        cxi_rbuf r;
        cxi_rbuf_init(&r, b.data, b.len);
        rc = cxi_spec_read(m, dst, &r);
    }
    cxi_wbuf_free(&b);
    return rc;
}

static bool wants_table(const cxi_spec *sp, int table)
{
    for (int i = 0; i < sp->nmeasures; i++)
        if (cxi_measures[sp->measures[i]].table == table)
            return true;
    return false;
}

static void run_free(run *x)
{
    const cx_store *s = x->s;
    size_t ncust = s->t[CX_TABLE_CUSTOMERS].n;
    cxi_gtab_free(x->mem, &x->g);
    for (int d = 0; d < CX_DIM_ATTRIBUTE; d++)
        cxi_free(x->mem, x->accept[d], x->accept_n[d] + 1);
    cxi_free(x->mem, x->cust_ok, ncust + 1);
    for (int d = 0; d < CX_QUERY_MAX_GROUPS; d++)
        cxi_free(x->mem, x->attr_of[d], (ncust + 1) * sizeof(uint32_t));
    cxi_free(x->mem, x->c_off, (ncust + 1) * sizeof(uint32_t));
    cxi_free(x->mem, x->c_time, (x->n_contacts ? x->n_contacts : 1) * sizeof(cx_time));
    cxi_free(x->mem, x->repeat, s->t[CX_TABLE_INTERACTIONS].n ? s->t[CX_TABLE_INTERACTIONS].n : 1);
    cxi_free(x->mem, x->direct, x->direct_n * sizeof(uint32_t));
    fb_counts_free(x);
}

/* Turns the store codes of each group into labels owned by the result. */
static int label_groups(run *x)
{
    const cx_store *s = x->s;
    cxi_qres *r = x->r;
    int ng = r->spec.ngroups;
    for (size_t g = 0; g < x->g.n; g++) {
        int64_t key[CX_QUERY_MAX_GROUPS];
        for (int d = 0; d < ng; d++) {
            const cxi_group *gr = &r->spec.groups[d];
            int64_t code = x->g.keys[g * (size_t)ng + d];
            const char *label = NULL;
            char buf[32];
            if (gr->dim == CX_DIM_TIME) {
                cxi_bucket_label(buf, sizeof buf, code, gr->bucket, gr->offset);
                label = buf;
            } else if (code >= 0) {
                uint32_t c = (uint32_t)code;
                switch (gr->dim) {
                case CX_DIM_CHANNEL: label = cxi_pool_str(&s->sets[CX_VOCAB_CHANNEL], c); break;
                case CX_DIM_STAGE: label = cxi_pool_str(&s->sets[CX_VOCAB_STAGE], c); break;
                case CX_DIM_TOUCHPOINT: label = cxi_pool_str(&s->keys[CX_TABLE_TOUCHPOINTS], c); break;
                case CX_DIM_SEGMENT: label = cxi_pool_str(&s->sets[CX_VOCAB_SEGMENT], c); break;
                case CX_DIM_REGION: label = cxi_pool_str(&s->sets[CX_VOCAB_REGION], c); break;
                case CX_DIM_PLAN: label = cxi_pool_str(&s->sets[CX_VOCAB_PLAN], c); break;
                case CX_DIM_AGENT: label = cxi_pool_str(&s->sets[CX_VOCAB_AGENT], c); break;
                case CX_DIM_PRIORITY: label = cxi_pool_str(&s->sets[CX_VOCAB_PRIORITY], c); break;
                default: label = cxi_pool_str(&s->attr_values, c); break;
                }
            }
            uint32_t id = CXI_NONE;
            if (label) {
                int rc = cxi_pool_intern(&r->mem, &r->labels, label, strlen(label), &id);
                if (rc)
                    return cxi_fail(rc, FN ": %s", rc == CX_ENOMEM ? "out of memory" : "too many group labels");
            }
            r->label_of[g * (size_t)ng + d] = id;
            key[d] = gr->dim == CX_DIM_TIME ? code : id == CXI_NONE ? -1 : (int64_t)id;
        }
        size_t at;
        bool added;
        if (cxi_gtab_get(&r->mem, &r->groups, key, &at, &added))
            return cxi_fail(CX_ENOMEM, FN ": out of memory");
    }
    return CX_OK;
}

/* ---- blocks and threads ------------------------------------------------ */

/* Rows of a block: the unit of work, and of merging. Fixed, so that the
 * result does not depend on the thread count. */
#define BLOCK_ROWS ((size_t)1 << 18)
/* the feedback pass by counts: every partial sum of a block exact */
_Static_assert((uint64_t)FB_VMAX * FB_VMAX * FB_FRAC * FB_FRAC * BLOCK_ROWS < (uint64_t)1 << 53,
               "sums of squares of a block by counts exact in a double");

typedef struct task {
    int table;
    size_t lo, hi;
} task;

/* What a block gave: its accumulators, or the failure and its message. */
typedef struct part {
    cxi_qres *r;
    int rc;
    char msg[512];
} part;

/* Accumulates the rows [t->lo, t->hi) of a table into a result of its own,
 * labelled (so that it merges like a result): the shared run `x` is only
 * read; `direct` is the caller's direct group index, all zero, and left
 * so. */
static int run_task(const run *x, const task *t, uint32_t *direct, cxi_qres **out)
{
    *out = NULL;
    run y = *x; /* the prepared filters, groupings and contacts, read only */
    cxi_mem mem;
    cxi_mem_init(&mem, x->s->mem.fn, x->s->mem.ud);
    cxi_spec spec;
    memset(&spec, 0, sizeof spec);
    int rc = copy_spec(&spec, &mem, &x->r->spec);
    if (rc)
        return cxi_fail(rc, FN ": out of memory");
    if ((rc = cxi_qres_new(&y.r, mem, &spec)))
        return rc;
    y.mem = &y.r->mem;
    cxi_gtab_init(&y.g, y.r->spec.ngroups);
    y.direct = direct;
    memset(y.bucket_lo, 0, sizeof y.bucket_lo);
    memset(y.bucket_hi, 0, sizeof y.bucket_hi);
    if (y.r->spec.ngroups == 0) { /* the one group, as the whole run has */
        size_t g;
        rec none = {0};
        rc = group_of(&y, &none, &g);
    }
    if (!rc)
        rc = t->table == CX_TABLE_FEEDBACK ? pass_feedback(&y, t->lo, t->hi)
             : t->table == CX_TABLE_CASES  ? pass_cases(&y, t->lo, t->hi)
                                           : pass_interactions(&y, t->lo, t->hi);
    if (!rc)
        rc = label_groups(&y);
    if (direct) { /* clear the slots this block set */
        const cxi_spec *sp = &y.r->spec;
        for (size_t g = 0; g < y.g.n; g++) {
            size_t idx = 0;
            for (int d = 0; d < sp->ngroups; d++)
                idx += (size_t)(y.g.keys[g * (size_t)sp->ngroups + (size_t)d] + 1) * x->mult[d];
            direct[idx] = 0;
        }
    }
    cxi_gtab_free(y.mem, &y.g);
    if (rc) {
        cxi_qres_free(y.r);
        return rc;
    }
    *out = y.r;
    return CX_OK;
}

static void task_to_part(const run *x, const task *t, uint32_t *direct, part *p)
{
    p->rc = run_task(x, t, direct, &p->r);
    if (p->rc)
        snprintf(p->msg, sizeof p->msg, "%s", cx_last_error());
}

typedef struct pool {
    const run *x;
    const task *tasks;
    part *parts;
    size_t ntasks, next;
    bool failed; /* a block failed: later ones are not needed */
    pthread_mutex_t mu;
} pool;

typedef struct worker_arg {
    pool *p;
    uint32_t *direct;
} worker_arg;

/* Takes blocks in turn until none is left (or one failed): the last
 * first, so that the few blocks of cases (and their quantile sketches),
 * after the many of feedback, do not leave one thread working alone at the
 * end. They are merged in block order all the same. */
static void *work(void *arg)
{
    worker_arg *w = arg;
    pool *p = w->p;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t k = p->failed ? p->ntasks : p->next++;
        pthread_mutex_unlock(&p->mu);
        if (k >= p->ntasks)
            break;
        k = p->ntasks - 1 - k;
        task_to_part(p->x, &p->tasks[k], w->direct, &p->parts[k]);
        if (p->parts[k].rc) {
            pthread_mutex_lock(&p->mu);
            p->failed = true;
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

static int threads_of(const cx_query *q)
{
    if (q->threads > 0)
        return q->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

static int merge_part(run *x, part *p)
{
    if (p->rc)
        return cxi_fail(p->rc, "%s", p->msg);
    int rc = cxi_qres_absorb(x->r, p->r);
    cxi_qres_free(p->r);
    p->r = NULL;
    if (rc == CX_ERANGE) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", cx_last_error());
        return cxi_fail(rc, FN ": %s", msg);
    }
    if (rc)
        return cxi_fail(rc, FN ": %s", rc == CX_ENOMEM ? "out of memory" : "too many groups");
    return CX_OK;
}

/* The passes over the tables the measures need (feedback, cases, contacts,
 * in that order), block by block, merged into x->r in block order: with
 * one thread each block as soon as it is done, with more once all are. */
static int run_blocks(run *x)
{
    const cx_store *s = x->s;
    static const int tables[] = {CX_TABLE_FEEDBACK, CX_TABLE_CASES, CX_TABLE_INTERACTIONS};
    size_t ntasks = 0;
    for (int k = 0; k < 3; k++)
        if (wants_table(&x->r->spec, tables[k])) /* an empty table is one empty block: its checks still run */
            ntasks += s->t[tables[k]].n ? (s->t[tables[k]].n + BLOCK_ROWS - 1) / BLOCK_ROWS : 1;
    if (ntasks == 0)
        return CX_OK;
    task *tasks = cxi_alloc(x->mem, ntasks * sizeof *tasks);
    part *parts = tasks ? cxi_alloc(x->mem, ntasks * sizeof *parts) : NULL;
    if (!parts) {
        cxi_free(x->mem, tasks, ntasks * sizeof *tasks);
        return cxi_fail(CX_ENOMEM, FN ": out of memory");
    }
    memset(parts, 0, ntasks * sizeof *parts);
    size_t nt = 0;
    for (int k = 0; k < 3; k++) {
        if (!wants_table(&x->r->spec, tables[k]))
            continue;
        size_t n = s->t[tables[k]].n;
        size_t lo = 0;
        do {
            tasks[nt++] = (task){tables[k], lo, n - lo < BLOCK_ROWS ? n : lo + BLOCK_ROWS};
            lo += BLOCK_ROWS;
        } while (lo < n);
    }
    size_t nthreads = (size_t)threads_of(x->q);
    if (nthreads > ntasks)
        nthreads = ntasks;
    int rc = CX_OK;
    /* each thread but the caller gets a direct index of its own (the
     * caller has x->direct) */
    uint32_t **directs = NULL;
    size_t started = 0;
    if (nthreads > 1) {
        directs = cxi_alloc(x->mem, nthreads * sizeof *directs);
        if (directs)
            memset(directs, 0, nthreads * sizeof *directs);
        for (size_t w = 1; directs && x->direct && w < nthreads; w++)
            if (!(directs[w] = zalloc(x->mem, x->direct_n * sizeof(uint32_t))))
                rc = cxi_fail(CX_ENOMEM, FN ": out of memory");
        if (!directs)
            rc = cxi_fail(CX_ENOMEM, FN ": out of memory");
    }
    if (!rc && nthreads > 1) {
        pool p = {.x = x, .tasks = tasks, .parts = parts, .ntasks = ntasks};
        worker_arg *args = cxi_alloc(x->mem, nthreads * sizeof *args);
        pthread_t *th = cxi_alloc(x->mem, nthreads * sizeof *th);
        if (!args || !th || pthread_mutex_init(&p.mu, NULL) != 0) {
            rc = cxi_fail(CX_ENOMEM, FN ": out of memory");
        } else {
            for (size_t w = 0; w < nthreads; w++)
                args[w] = (worker_arg){&p, w ? directs[w] : x->direct};
            for (size_t w = 1; w < nthreads; w++, started++)
                if (pthread_create(&th[w], NULL, work, &args[w]) != 0)
                    break; /* fewer threads: the blocks are the same */
            work(&args[0]);
            for (size_t w = 1; w <= started; w++)
                pthread_join(th[w], NULL);
            pthread_mutex_destroy(&p.mu);
            /* a failure first: after one, the blocks not yet taken were
             * not run (the first failed block in order tells) */
            for (size_t k = 0; k < ntasks && !rc; k++)
                if (parts[k].rc)
                    rc = cxi_fail(parts[k].rc, "%s", parts[k].msg);
            for (size_t k = 0; k < ntasks && !rc; k++)
                rc = merge_part(x, &parts[k]);
        }
        cxi_free(x->mem, args, nthreads * sizeof *args);
        cxi_free(x->mem, th, nthreads * sizeof *th);
    } else if (!rc) {
        for (size_t k = 0; k < ntasks && !rc; k++) {
            task_to_part(x, &tasks[k], x->direct, &parts[k]);
            rc = merge_part(x, &parts[k]);
        }
    }
    for (size_t k = 0; k < ntasks; k++)
        cxi_qres_free(parts[k].r); /* those not merged, after a failure */
    for (size_t w = 1; directs && w < nthreads; w++)
        cxi_free(x->mem, directs[w], x->direct ? x->direct_n * sizeof(uint32_t) : 0);
    cxi_free(x->mem, directs, nthreads * sizeof *directs);
    cxi_free(x->mem, parts, ntasks * sizeof *parts);
    cxi_free(x->mem, tasks, ntasks * sizeof *tasks);
    return rc;
}

int cx_query_run(cx_result **out, const cx_query *q)
{
    if (!out)
        return cxi_fail(CX_EINVAL, FN ": out is NULL");
    *out = NULL;
    if (!q)
        return cxi_fail(CX_EINVAL, FN ": query is NULL");
    if (q->spec.nmeasures == 0)
        return cxi_fail(CX_EINVAL, FN ": the query asks for no measure (cx_query_add)");
    const cx_store *s = q->store;
    run x;
    memset(&x, 0, sizeof x);
    x.q = q;
    x.s = s;
    cxi_mem mem;
    cxi_mem_init(&mem, s->mem.fn, s->mem.ud);
    cxi_spec spec;
    memset(&spec, 0, sizeof spec);
    int rc = copy_spec(&spec, &mem, &q->spec);
    if (rc)
        return cxi_fail(rc, FN ": out of memory");
    /* the CX index needs the measures it weighs */
    bool index = false;
    for (int i = 0; i < spec.nmeasures; i++)
        index |= spec.measures[i] == CX_MEASURE_CX_INDEX;
    for (int m = 0; index && m < CX_MEASURE_COUNT; m++) {
        if (spec.weights[m] <= 0)
            continue;
        bool have = false;
        for (int i = 0; i < spec.nmeasures; i++)
            have |= spec.measures[i] == m;
        if (!have)
            spec.measures[spec.nmeasures++] = m;
    }
    if ((rc = cxi_qres_new(&x.r, mem, &spec)))
        return rc;
    x.mem = &x.r->mem;
    cxi_gtab_init(&x.g, x.r->spec.ngroups);
    for (int m = 0; m < CX_MEASURE_COUNT; m++)
        x.pos[m] = -1;
    for (int i = 0; i < x.r->spec.nmeasures; i++)
        x.pos[x.r->spec.measures[i]] = i;
    const char *ck = x.r->spec.contact_kind ? x.r->spec.contact_kind : "contact";
    x.contact_kind = set_find(s, CX_VOCAB_INTERACTION_KIND, ck);
    x.as_of = x.r->spec.as_of;
    if (x.as_of == CX_TIME_NONE && x.pos[CX_MEASURE_SLA_BREACH] >= 0) {
        size_t n = s->t[CX_TABLE_CASES].n;
        const cx_time *cols[] = {CXI_COL(s, CX_TABLE_CASES, CA_OPENED, cx_time),
                                 CXI_COL(s, CX_TABLE_CASES, CA_FIRST_RESPONSE, cx_time),
                                 CXI_COL(s, CX_TABLE_CASES, CA_RESOLVED, cx_time)};
        for (int c = 0; c < 3; c++)
            for (size_t i = 0; i < n; i++)
                if (cols[c][i] != CX_TIME_NONE && (x.as_of == CX_TIME_NONE || cols[c][i] > x.as_of))
                    x.as_of = cols[c][i];
    }
    rc = prepare_filters(&x);
    if (!rc)
        rc = prepare_groups(&x);
    if (!rc)
        rc = prepare_direct(&x);
    if (!rc)
        prepare_need(&x);
    if (!rc)
        rc = prepare_fb_counts(&x);
    if (!rc && (x.pos[CX_MEASURE_REPEAT_RATE] >= 0 || (x.pos[CX_MEASURE_FCR] >= 0 && x.r->spec.fcr_window > 0)))
        rc = prepare_contacts(&x);
    if (!rc && x.r->spec.ngroups == 0) { /* one group for everything, even with no record */
        size_t g;
        rec none = {0};
        rc = group_of(&x, &none, &g);
    }
    if (!rc)
        rc = label_groups(&x); /* the one group of a query without groupings */
    if (!rc)
        rc = run_blocks(&x);
    run_free(&x);
    if (rc) {
        cxi_qres_free(x.r);
        return rc;
    }
    return cxi_qres_publish(out, x.r);
}
