/*
 * Query results: groups with their labels and per-measure accumulators,
 * written as cells into a cx_result (src/table) that keeps them for
 * merging, serialisation, quantiles and comparisons.
 */
#include "metrics_private.h"

#include "cxkit/time.h"

#include <math.h>
#include <stdlib.h>

#define RESULT_MAGIC 0x52584343u /* "CCXR" little-endian */
/* 2: the query's minimum group size (cx_query_set_min_n()) after the SLA
 * targets; version 1 bytes are read with the default. 3: a distribution's
 * sum of squares as an exact 128-bit integer (two u64, low word first)
 * instead of an f64; versions 1 and 2 are read with theirs. */
#define RESULT_VERSION CXI_SPEC_VERSION

/* ---- group tables ------------------------------------------------------ */

void cxi_gtab_init(cxi_gtab *t, int width)
{
    memset(t, 0, sizeof *t);
    t->width = width;
}

void cxi_gtab_free(cxi_mem *m, cxi_gtab *t)
{
    cxi_free(m, t->keys, t->cap * (size_t)(t->width ? t->width : 1) * sizeof(int64_t));
    cxi_free(m, t->slots, t->nslots * sizeof(uint32_t));
    cxi_gtab_init(t, t->width);
}

static uint64_t key_hash(const int64_t *k, int w)
{
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < w; i++) {
        h ^= (uint64_t)k[i];
        h *= 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    return h;
}

static int gtab_rehash(cxi_mem *m, cxi_gtab *t, size_t nslots)
{
    uint32_t *s = cxi_alloc(m, nslots * sizeof *s);
    if (!s)
        return CX_ENOMEM;
    memset(s, 0, nslots * sizeof *s);
    for (size_t g = 0; g < t->n; g++) {
        size_t i = key_hash(t->keys + g * (size_t)t->width, t->width) & (nslots - 1);
        while (s[i])
            i = (i + 1) & (nslots - 1);
        s[i] = (uint32_t)(g + 1);
    }
    cxi_free(m, t->slots, t->nslots * sizeof(uint32_t));
    t->slots = s;
    t->nslots = nslots;
    return CX_OK;
}

int cxi_gtab_get(cxi_mem *m, cxi_gtab *t, const int64_t *key, size_t *group, bool *added)
{
    int w = t->width;
    size_t kb = (size_t)w * sizeof(int64_t);
    uint64_t h = key_hash(key, w);
    *added = false;
    if (t->nslots) {
        for (size_t i = h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
            uint32_t s = t->slots[i];
            if (!s)
                break;
            if (memcmp(t->keys + (size_t)(s - 1) * w, key, kb) == 0) {
                *group = s - 1;
                return CX_OK;
            }
        }
    }
    if (t->n >= CXI_MAX_ROWS)
        return CX_ELIMIT;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 16, ww = w ? (size_t)w : 1;
        int64_t *k = cxi_realloc(m, t->keys, t->cap * ww * sizeof *k, ncap * ww * sizeof *k);
        if (!k)
            return CX_ENOMEM;
        t->keys = k;
        t->cap = ncap;
    }
    if ((t->n + 1) * 2 > t->nslots) {
        int rc = gtab_rehash(m, t, t->nslots ? 2 * t->nslots : 32);
        if (rc)
            return rc;
    }
    memcpy(t->keys + t->n * w, key, kb);
    size_t i = h & (t->nslots - 1);
    while (t->slots[i])
        i = (i + 1) & (t->nslots - 1);
    t->slots[i] = (uint32_t)(t->n + 1);
    *group = t->n++;
    *added = true;
    return CX_OK;
}

/* ---- results ----------------------------------------------------------- */

size_t cxi_acc_size(int measure)
{
    switch (cxi_measures[measure].acc) {
    case CXI_ACC_SCORE: return sizeof(cxi_score_acc);
    case CXI_ACC_PROP: return sizeof(cxi_prop_acc);
    case CXI_ACC_DIST: return sizeof(cxi_dist_acc);
    default: return 1;
    }
}

int cxi_qres_new(cxi_qres **out, cxi_mem mem, cxi_spec *spec)
{
    cxi_qres *r = cxi_alloc(&mem, sizeof *r);
    if (!r) {
        cxi_spec_clear(&mem, spec);
        return cxi_fail(CX_ENOMEM, "out of memory for a result");
    }
    memset(r, 0, sizeof *r);
    r->mem = mem;
    r->spec = *spec;
    memset(spec, 0, sizeof *spec);
    cxi_pool_init(&r->labels);
    cxi_gtab_init(&r->groups, r->spec.ngroups);
    *out = r;
    return CX_OK;
}

int cxi_qres_grow(cxi_qres *r, size_t n)
{
    if (n <= r->acc_cap)
        return CX_OK;
    size_t ncap = r->acc_cap ? r->acc_cap : 16;
    while (ncap < n)
        ncap *= 2;
    /* new arrays first, so that a failure leaves every array as it was */
    void *na[CX_MEASURE_COUNT + 1] = {0};
    size_t ng = (size_t)r->spec.ngroups, np = (size_t)r->spec.nmeasures;
    size_t sizes[CX_MEASURE_COUNT + 1];
    for (size_t p = 0; p <= np; p++) {
        sizes[p] = p < np ? cxi_acc_size(r->spec.measures[p]) : ng * sizeof(uint32_t);
        if (sizes[p] && !(na[p] = cxi_alloc(&r->mem, ncap * sizes[p]))) {
            for (size_t q = 0; q < p; q++)
                cxi_free(&r->mem, na[q], ncap * sizes[q]);
            return CX_ENOMEM;
        }
    }
    for (size_t p = 0; p <= np; p++) {
        if (!sizes[p])
            continue;
        void **old = p < np ? &r->acc[p] : (void **)&r->label_of;
        if (r->acc_cap)
            memcpy(na[p], *old, r->acc_cap * sizes[p]);
        memset((char *)na[p] + r->acc_cap * sizes[p], 0, (ncap - r->acc_cap) * sizes[p]);
        if (p < np && cxi_measures[r->spec.measures[p]].acc == CXI_ACC_DIST)
            for (size_t g = r->acc_cap; g < ncap; g++)
                cxi_qacc_init(&((cxi_dist_acc *)na[p])[g].q);
        cxi_free(&r->mem, *old, r->acc_cap * sizes[p]);
        *old = na[p];
    }
    r->acc_cap = ncap;
    return CX_OK;
}

void cxi_qres_free(cxi_qres *r)
{
    if (!r)
        return;
    cxi_mem mem = r->mem;
    for (int p = 0; p < r->spec.nmeasures; p++) {
        int m = r->spec.measures[p];
        if (r->acc[p] && cxi_measures[m].acc == CXI_ACC_DIST)
            for (size_t g = 0; g < r->acc_cap; g++)
                cxi_qacc_free(&mem, &((cxi_dist_acc *)r->acc[p])[g].q);
        cxi_free(&mem, r->acc[p], r->acc_cap * cxi_acc_size(m));
    }
    cxi_free(&mem, r->label_of, r->acc_cap * (size_t)r->spec.ngroups * sizeof(uint32_t));
    cxi_free(&mem, r->order, (r->groups.n ? r->groups.n : 1) * sizeof(size_t));
    cxi_free(&mem, r->cols, (r->ncols ? r->ncols : 1) * sizeof(cxi_col_desc));
    cxi_gtab_free(&mem, &r->groups);
    cxi_pool_free(&mem, &r->labels);
    cxi_spec_clear(&mem, &r->spec);
    cxi_free(&mem, r, sizeof *r);
}

/* Column names of each measure's fields, and their types. */
static const char *const nps_f[] = {"nps", "nps_n", "nps_lo", "nps_hi", "nps_promoters", "nps_passives",
                                    "nps_detractors", "nps_small", NULL};
static const char *const csat_f[] = {"csat", "csat_n", "csat_lo", "csat_hi", "csat_mean", "csat_small", NULL};
static const char *const ces_f[] = {"ces", "ces_n", "ces_lo", "ces_hi", "ces_easy", "ces_small", NULL};
static const char *const fcr_f[] = {"fcr", "fcr_n", "fcr_lo", "fcr_hi", "fcr_count", "fcr_small", NULL};
static const char *const frt_f[] = {"first_response_n", "first_response_mean", "first_response_lo",
                                    "first_response_hi", "first_response_median", "first_response_p90",
                                    "first_response_total", "first_response_small", NULL};
static const char *const res_f[] = {"resolution_n", "resolution_mean", "resolution_lo", "resolution_hi",
                                    "resolution_median", "resolution_p90", "resolution_total", "resolution_small", NULL};
static const char *const con_f[] = {"contacts_n", "contacts_mean", "contacts_lo", "contacts_hi",
                                    "contacts_median", "contacts_p90", "contacts_total", "contacts_small", NULL};
static const char *const reo_f[] = {"reopen_rate", "reopen_rate_n", "reopen_rate_lo", "reopen_rate_hi",
                                    "reopen_rate_count", "reopen_rate_small", NULL};
static const char *const sla_f[] = {"sla_breach", "sla_breach_n", "sla_breach_lo", "sla_breach_hi",
                                    "sla_breach_count", "sla_breach_small", NULL};
static const char *const mis_f[] = {"missed_rate", "missed_rate_n", "missed_rate_lo", "missed_rate_hi",
                                    "missed_rate_count", "missed_rate_small", NULL};
static const char *const aba_f[] = {"abandon_rate", "abandon_rate_n", "abandon_rate_lo", "abandon_rate_hi",
                                    "abandon_rate_count", "abandon_rate_small", NULL};
static const char *const aht_f[] = {"handle_time_n", "handle_time_mean", "handle_time_lo", "handle_time_hi",
                                    "handle_time_median", "handle_time_p90", "handle_time_total", "handle_time_small", NULL};
static const char *const rep_f[] = {"repeat_rate", "repeat_rate_n", "repeat_rate_lo", "repeat_rate_hi",
                                    "repeat_rate_count", "repeat_rate_small", NULL};
static const char *const idx_f[] = {"cx_index", NULL};
static const char *const *const field_names[CX_MEASURE_COUNT] = {
    nps_f, csat_f, ces_f, fcr_f, frt_f, res_f, con_f, reo_f, sla_f, mis_f, aba_f, aht_f, rep_f, idx_f};

/* The field of the small-sample flag (`<measure>_small`): each measure's
 * last, -1 for the CX index (a blend of measures, with no n of its own). */
static int small_field(int measure)
{
    if (cxi_measures[measure].acc == CXI_ACC_NONE)
        return -1;
    int f = 0;
    while (field_names[measure][f + 1])
        f++;
    return f;
}

static int field_type(int measure, int field)
{
    if (field == small_field(measure))
        return CX_TYPE_INT;
    switch (cxi_measures[measure].acc) {
    case CXI_ACC_SCORE:
        return field == 1 || (measure == CX_MEASURE_NPS && field >= 4) ? CX_TYPE_INT : CX_TYPE_REAL;
    case CXI_ACC_PROP:
        return field == 1 || field == 4 ? CX_TYPE_INT : CX_TYPE_REAL;
    case CXI_ACC_DIST:
        return field == 0 ? CX_TYPE_INT : CX_TYPE_REAL;
    default:
        return CX_TYPE_REAL;
    }
}

/* Order of rows by label: missing first, text byte-wise, times in order. */
static int cmp_rows(const cxi_qres *r, size_t a, size_t b)
{
    size_t ng = (size_t)r->spec.ngroups;
    for (size_t d = 0; d < ng; d++) {
        if (r->spec.groups[d].dim == CX_DIM_TIME) {
            int64_t x = r->groups.keys[a * ng + d], y = r->groups.keys[b * ng + d];
            if (x != y)
                return x < y ? -1 : 1;
            continue;
        }
        uint32_t x = r->label_of[a * ng + d], y = r->label_of[b * ng + d];
        if (x == y)
            continue;
        if (x == CXI_NONE || y == CXI_NONE)
            return x == CXI_NONE ? -1 : 1;
        int c = strcmp(cxi_pool_str(&r->labels, x), cxi_pool_str(&r->labels, y));
        if (c)
            return c;
    }
    return (a > b) - (a < b);
}

static int qres_finish(cxi_qres *r)
{
    size_t n = r->groups.n;
    r->order = cxi_alloc(&r->mem, (n ? n : 1) * sizeof(size_t));
    size_t ncols = (size_t)r->spec.ngroups;
    for (int p = 0; p < r->spec.nmeasures; p++)
        for (const char *const *f = field_names[r->spec.measures[p]]; *f; f++)
            ncols++;
    r->cols = cxi_alloc(&r->mem, (ncols ? ncols : 1) * sizeof(cxi_col_desc));
    /* the size first: cxi_qres_free() frees `cols` with it, failure or not */
    r->ncols = ncols;
    if (!r->order || !r->cols)
        return cxi_fail(CX_ENOMEM, "out of memory finishing a result");
    for (size_t g = 0; g < n; g++)
        r->order[g] = g;
    /* a bottom-up merge sort: qsort has no context argument in C11 */
    if (n > 1) {
        size_t *tmp = cxi_alloc(&r->mem, n * sizeof(size_t));
        if (!tmp)
            return cxi_fail(CX_ENOMEM, "out of memory finishing a result");
        for (size_t w = 1; w < n; w *= 2) {
            for (size_t lo = 0; lo < n; lo += 2 * w) {
                size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
                size_t i = lo, j = mid, k = lo;
                while (i < mid && j < hi)
                    tmp[k++] = cmp_rows(r, r->order[i], r->order[j]) <= 0 ? r->order[i++] : r->order[j++];
                while (i < mid)
                    tmp[k++] = r->order[i++];
                while (j < hi)
                    tmp[k++] = r->order[j++];
            }
            memcpy(r->order, tmp, n * sizeof(size_t));
        }
        cxi_free(&r->mem, tmp, n * sizeof(size_t));
    }
    size_t c = 0;
    for (int d = 0; d < r->spec.ngroups; d++) {
        const cxi_group *g = &r->spec.groups[d];
        const char *name = g->dim == CX_DIM_ATTRIBUTE ? g->key
                           : g->dim == CX_DIM_TIME    ? cxi_bucket_names[g->bucket]
                                                      : cxi_dim_names[g->dim];
        r->cols[c++] = (cxi_col_desc){name, g->dim == CX_DIM_TIME ? CX_TYPE_TIME : CX_TYPE_STRING, d, -1, 0};
    }
    for (int p = 0; p < r->spec.nmeasures; p++) {
        int m = r->spec.measures[p];
        for (int f = 0; field_names[m][f]; f++)
            r->cols[c++] = (cxi_col_desc){field_names[m][f], field_type(m, f), -1, p, f};
    }
    /* sort exact quantile buffers now, so that reads never modify */
    for (int p = 0; p < r->spec.nmeasures; p++) {
        if (cxi_measures[r->spec.measures[p]].acc != CXI_ACC_DIST)
            continue;
        for (size_t g = 0; g < n; g++) {
            double v;
            cxi_qacc_quantile(&v, &((cxi_dist_acc *)r->acc[p])[g].q, 0.5);
        }
    }
    return CX_OK;
}

/* ---- values ------------------------------------------------------------ */

static const void *acc_of(const cxi_qres *r, int pos, size_t g)
{
    return (const char *)r->acc[pos] + g * cxi_acc_size(r->spec.measures[pos]);
}

static double z_of(const cxi_qres *r) { return cxi_normal_quantile(0.5 + r->spec.level / 2); }

static double pct_or_nan(uint64_t x, uint64_t n) { return n ? 100.0 * (double)x / (double)n : NAN; }

static double sd_of(double n, double sum, double sumsq)
{
    if (n < 2)
        return NAN;
    double var = (sumsq - sum * sum / n) / (n - 1);
    return var > 0 ? sqrt(var) : 0;
}

static void mean_ci(double *lo, double *hi, double n, double sum, double sumsq, double level)
{
    *lo = *hi = NAN;
    if (n >= 2)
        cxi_mean_ci(lo, hi, sum / n, sd_of(n, sum, sumsq), n, level);
}

/* The normalised (0-100, high is good) value of a measure in a group, NaN
 * when it has no data: what the CX index weighs. */
static double index_part(const cxi_qres *r, int pos, size_t g)
{
    int m = r->spec.measures[pos];
    const void *a = acc_of(r, pos, g);
    if (cxi_measures[m].acc == CXI_ACC_SCORE) {
        const cxi_score_acc *s = a;
        if (!s->n)
            return NAN;
        if (m == CX_MEASURE_NPS)
            return (100.0 * ((double)s->good - (double)s->bad) / (double)s->n + 100) / 2;
        return pct_or_nan(s->good, s->n);
    }
    if (cxi_measures[m].acc == CXI_ACC_PROP) {
        const cxi_prop_acc *p = a;
        double v = pct_or_nan(p->x, p->n);
        return m == CX_MEASURE_FCR ? v : 100 - v;
    }
    return NAN;
}

static double cx_index(const cxi_qres *r, size_t g)
{
    double num = 0, den = 0;
    for (int p = 0; p < r->spec.nmeasures; p++) {
        int m = r->spec.measures[p];
        double w = r->spec.weights[m];
        if (m == CX_MEASURE_CX_INDEX || w <= 0)
            continue;
        double v = index_part(r, p, g);
        if (isnan(v))
            continue;
        num += w * v;
        den += w;
    }
    return den > 0 ? num / den : NAN;
}

/* The value of field `f` of the measure at `pos` in group `g`. */
static double value(const cxi_qres *r, int pos, int f, size_t g)
{
    int m = r->spec.measures[pos];
    const void *a = acc_of(r, pos, g);
    double lo, hi;
    switch (cxi_measures[m].acc) {
    case CXI_ACC_SCORE: {
        const cxi_score_acc *s = a;
        double n = (double)s->n;
        if (f == 1)
            return n;
        if (m == CX_MEASURE_NPS) {
            if (f >= 4)
                return (double)(f == 4 ? s->good : f == 5 ? s->mid : s->bad);
            double nps = NAN;
            lo = hi = NAN;
            if (s->n)
                cxi_nps_ci(&nps, &lo, &hi, (double)s->good, (double)s->mid, (double)s->bad, r->spec.level);
            return f == 0 ? nps : f == 2 ? lo : hi;
        }
        if (m == CX_MEASURE_CSAT) {
            if (f == 4)
                return s->n ? s->sum / n : NAN;
            if (f == 0)
                return pct_or_nan(s->good, s->n);
            lo = hi = NAN;
            if (s->n && !cxi_wilson(&lo, &hi, (double)s->good, n, z_of(r))) {
                lo *= 100;
                hi *= 100;
            }
            return f == 2 ? lo : hi;
        }
        /* CES */
        if (f == 4)
            return pct_or_nan(s->good, s->n);
        if (f == 0)
            return s->n ? s->sum / n : NAN;
        mean_ci(&lo, &hi, n, s->sum, s->sumsq, r->spec.level);
        return f == 2 ? lo : hi;
    }
    case CXI_ACC_PROP: {
        const cxi_prop_acc *p = a;
        if (f == 1)
            return (double)p->n;
        if (f == 4)
            return (double)p->x;
        if (f == 0)
            return pct_or_nan(p->x, p->n);
        lo = hi = NAN;
        if (p->n && !cxi_wilson(&lo, &hi, (double)p->x, (double)p->n, z_of(r))) {
            lo *= 100;
            hi *= 100;
        }
        return f == 2 ? lo : hi;
    }
    case CXI_ACC_DIST: {
        const cxi_dist_acc *d = a;
        double n = (double)cxi_qacc_count(&d->q), v = NAN;
        switch (f) {
        case 0: return n;
        case 1: return cxi_qacc_mean(&d->q);
        case 2: case 3:
            mean_ci(&lo, &hi, n, cxi_qacc_sum(&d->q), cxi_dist_sq(d), r->spec.level);
            return f == 2 ? lo : hi;
        case 4: case 5:
            /* exact buffers were sorted by cxi_result_finish: this only reads */
            cxi_qacc_quantile(&v, (cxi_qacc *)&d->q, f == 4 ? 0.5 : 0.9);
            return v;
        default: return n ? cxi_qacc_sum(&d->q) : NAN;
        }
    }
    default:
        return cx_index(r, g);
    }
}

/* The value of an integer field (a count, see field_type()) of the measure
 * at `pos` in group `g`, exactly: through a double, counts above 2^53
 * would lose their last digits. */
static uint64_t count_value(const cxi_qres *r, int pos, int f, size_t g)
{
    int m = r->spec.measures[pos];
    const void *a = acc_of(r, pos, g);
    if (f == small_field(m)) /* recomputed from n: merges and deserialised results agree */
        return r->spec.min_n > 0 && count_value(r, pos, 1, g) < (uint64_t)r->spec.min_n;
    switch (cxi_measures[m].acc) {
    case CXI_ACC_SCORE: {
        const cxi_score_acc *s = a;
        return f == 4 ? s->good : f == 5 ? s->mid : f == 6 ? s->bad : s->n;
    }
    case CXI_ACC_PROP: {
        const cxi_prop_acc *p = a;
        return f == 4 ? p->x : p->n;
    }
    case CXI_ACC_DIST: return cxi_qacc_count(&((const cxi_dist_acc *)a)->q);
    default: return 0;
    }
}

static int find_measure(const char *fn, const cxi_qres *r, int measure, int *pos)
{
    if (measure < 0 || measure >= CX_MEASURE_COUNT)
        return cxi_fail(CX_EINVAL, "%s: measure %d is not a cx_measure", fn, measure);
    for (int p = 0; p < r->spec.nmeasures; p++)
        if (r->spec.measures[p] == measure) {
            *pos = p;
            return CX_OK;
        }
    return cxi_fail(CX_ENOTFOUND, "%s: the result has no measure '%s'", fn, cxi_measures[measure].name);
}

static int q_quantile(double *out, const cxi_qres *r, size_t row, int measure, double q)
{
    const char *fn = "cx_result_quantile";
    if (!out || !r)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !out ? "out" : "result");
    if (row >= r->groups.n)
        return cxi_fail(CX_ERANGE, "%s: row %zu is out of range (%zu rows)", fn, row, r->groups.n);
    if (!(q >= 0 && q <= 1))
        return cxi_fail(CX_ERANGE, "%s: q = %g is not in [0, 1]", fn, q);
    int pos = 0;
    int rc = find_measure(fn, r, measure, &pos);
    if (rc)
        return rc;
    if (cxi_measures[measure].acc != CXI_ACC_DIST)
        return cxi_fail(CX_EINVAL, "%s: '%s' is not a duration measure", fn, cxi_measures[measure].name);
    const cxi_dist_acc *d = acc_of(r, pos, r->order[row]);
    return cxi_qacc_quantile(out, (cxi_qacc *)&d->q, q);
}

static int q_compare(double *diff, double *p_value, const cxi_qres *a, size_t row_a, const cxi_qres *b,
                      size_t row_b, int measure)
{
    const char *fn = "cx_result_compare";
    if (!diff || !p_value || !a || !b)
        return cxi_fail(CX_EINVAL, "%s: an argument is NULL", fn);
    if (row_a >= a->groups.n || row_b >= b->groups.n)
        return cxi_fail(CX_ERANGE, "%s: row %zu is out of range", fn, row_a >= a->groups.n ? row_a : row_b);
    int pa = 0, pb = 0;
    int rc = find_measure(fn, a, measure, &pa);
    if (!rc)
        rc = find_measure(fn, b, measure, &pb);
    if (rc)
        return rc;
    if (measure == CX_MEASURE_CX_INDEX)
        return cxi_fail(CX_EINVAL, "%s: the CX index has no sampling model to compare with", fn);
    size_t ga = a->order[row_a], gb = b->order[row_b];
    const void *x = acc_of(a, pa, ga), *y = acc_of(b, pb, gb);
    double z, t, df, p = NAN;
    *p_value = NAN;
    switch (cxi_measures[measure].acc) {
    case CXI_ACC_SCORE: {
        const cxi_score_acc *s = x, *u = y;
        if (measure == CX_MEASURE_NPS) {
            *diff = value(a, pa, 0, ga) - value(b, pb, 0, gb);
            if (s->n && u->n && cxi_nps_diff_test(&z, &p, (double)s->good, (double)s->mid, (double)s->bad,
                                                  (double)u->good, (double)u->mid, (double)u->bad) == CX_OK)
                *p_value = p;
        } else if (measure == CX_MEASURE_CSAT) {
            *diff = pct_or_nan(s->good, s->n) - pct_or_nan(u->good, u->n);
            if (s->n && u->n &&
                cxi_two_proportion_test(&z, &p, (double)s->good, (double)s->n, (double)u->good, (double)u->n) == CX_OK)
                *p_value = p;
        } else {
            double n1 = (double)s->n, n2 = (double)u->n;
            *diff = (n1 ? s->sum / n1 : NAN) - (n2 ? u->sum / n2 : NAN);
            if (n1 >= 2 && n2 >= 2 &&
                cxi_welch_t_test(&t, &df, &p, s->sum / n1, sd_of(n1, s->sum, s->sumsq), n1, u->sum / n2,
                                 sd_of(n2, u->sum, u->sumsq), n2) == CX_OK)
                *p_value = p;
        }
        break;
    }
    case CXI_ACC_PROP: {
        const cxi_prop_acc *s = x, *u = y;
        *diff = pct_or_nan(s->x, s->n) - pct_or_nan(u->x, u->n);
        if (s->n && u->n &&
            cxi_two_proportion_test(&z, &p, (double)s->x, (double)s->n, (double)u->x, (double)u->n) == CX_OK)
            *p_value = p;
        break;
    }
    default: {
        const cxi_dist_acc *s = x, *u = y;
        double n1 = (double)cxi_qacc_count(&s->q), n2 = (double)cxi_qacc_count(&u->q);
        double m1 = cxi_qacc_mean(&s->q), m2 = cxi_qacc_mean(&u->q);
        *diff = m1 - m2;
        if (n1 >= 2 && n2 >= 2 &&
            cxi_welch_t_test(&t, &df, &p, m1, sd_of(n1, cxi_qacc_sum(&s->q), cxi_dist_sq(s)), n1, m2,
                             sd_of(n2, cxi_qacc_sum(&u->q), cxi_dist_sq(u)), n2) == CX_OK)
            *p_value = p;
        break;
    }
    }
    return CX_OK;
}

/* ---- specs ------------------------------------------------------------- */

static void put_str(cxi_wbuf *b, const char *s)
{
    if (!s) {
        cxi_wbuf_u32(b, UINT32_MAX);
        return;
    }
    size_t n = strlen(s);
    cxi_wbuf_u32(b, (uint32_t)n);
    cxi_wbuf_bytes(b, s, n);
}

/* A string or NULL; CX_EPARSE on bad input, CX_ENOMEM. */
static int get_str(cxi_mem *m, cxi_rbuf *r, char **out)
{
    *out = NULL;
    uint32_t n = cxi_rbuf_u32(r);
    if (r->err)
        return r->err;
    if (n == UINT32_MAX)
        return CX_OK;
    const uint8_t *p = cxi_rbuf_take(r, n);
    if (!p)
        return r->err;
    if (!cxi_utf8_valid((const char *)p, n) || memchr(p, 0, n))
        return cxi_fail(CX_EPARSE, "deserialise: a string is not valid UTF-8");
    char *s = cxi_alloc(m, (size_t)n + 1);
    if (!s)
        return cxi_fail(CX_ENOMEM, "deserialise: out of memory");
    memcpy(s, p, n);
    s[n] = 0;
    *out = s;
    return CX_OK;
}

int cxi_spec_write(const cxi_spec *s, cxi_wbuf *b)
{
    cxi_wbuf_u32(b, (uint32_t)s->nmeasures);
    for (int i = 0; i < s->nmeasures; i++)
        cxi_wbuf_u8(b, (uint8_t)s->measures[i]);
    cxi_wbuf_u32(b, (uint32_t)s->ngroups);
    for (int d = 0; d < s->ngroups; d++) {
        cxi_wbuf_u8(b, (uint8_t)s->groups[d].dim);
        cxi_wbuf_u8(b, (uint8_t)s->groups[d].bucket);
        cxi_wbuf_i64(b, s->groups[d].offset);
        put_str(b, s->groups[d].key);
    }
    cxi_wbuf_i64(b, s->from);
    cxi_wbuf_i64(b, s->to);
    cxi_wbuf_i64(b, s->as_of);
    cxi_wbuf_f64(b, s->level);
    cxi_wbuf_i64(b, s->fcr_max_contacts);
    cxi_wbuf_i64(b, s->fcr_max_reopens);
    cxi_wbuf_i64(b, s->fcr_window);
    cxi_wbuf_i64(b, s->repeat_window);
    put_str(b, s->contact_kind);
    cxi_wbuf_u8(b, (uint8_t)s->business);
    for (int m = 0; m < CX_MEASURE_COUNT; m++)
        cxi_wbuf_f64(b, s->weights[m]);
    cxi_wbuf_u32(b, (uint32_t)s->nsla);
    for (size_t i = 0; i < s->nsla; i++) {
        put_str(b, s->sla[i].priority);
        put_str(b, s->sla[i].channel);
        cxi_wbuf_i64(b, s->sla[i].first_response);
        cxi_wbuf_i64(b, s->sla[i].resolution);
    }
    cxi_wbuf_i64(b, s->min_n);
    return b->err;
}

static int bad(const char *what) { return cxi_fail(CX_EPARSE, "deserialise: %s", what); }

int cxi_spec_read(cxi_mem *m, cxi_spec *s, cxi_rbuf *r) { return cxi_spec_read_v(m, s, r, CXI_SPEC_VERSION); }

int cxi_spec_read_v(cxi_mem *m, cxi_spec *s, cxi_rbuf *r, uint32_t version)
{
    memset(s, 0, sizeof *s);
    int rc = CX_OK;
    uint32_t nm = cxi_rbuf_u32(r);
    if (r->err || nm == 0 || nm > CX_MEASURE_COUNT)
        return r->err ? r->err : bad("bad number of measures");
    bool seen[CX_MEASURE_COUNT] = {0};
    for (uint32_t i = 0; i < nm; i++) {
        uint8_t v = cxi_rbuf_u8(r);
        if (r->err || v >= CX_MEASURE_COUNT || seen[v])
            return r->err ? r->err : bad("bad measure");
        seen[v] = true;
        s->measures[s->nmeasures++] = v;
    }
    uint32_t ng = cxi_rbuf_u32(r);
    if (r->err || ng > CX_QUERY_MAX_GROUPS)
        return r->err ? r->err : bad("bad number of groupings");
    for (uint32_t d = 0; d < ng && !rc; d++) {
        cxi_group *g = &s->groups[d];
        g->dim = cxi_rbuf_u8(r);
        g->bucket = cxi_rbuf_u8(r);
        int64_t off = cxi_rbuf_i64(r);
        if (r->err)
            rc = r->err;
        else if (g->dim > CX_DIM_TIME || g->bucket > CX_BUCKET_YEAR || !cxi_offset_ok(off))
            rc = bad("bad grouping");
        else {
            g->offset = (int)off;
            s->ngroups++;
            rc = get_str(m, r, &g->key);
            if (!rc && (g->dim == CX_DIM_ATTRIBUTE) != (g->key != NULL))
                rc = bad("bad attribute grouping");
        }
    }
    if (!rc) {
        s->from = cxi_rbuf_i64(r);
        s->to = cxi_rbuf_i64(r);
        s->as_of = cxi_rbuf_i64(r);
        s->level = cxi_rbuf_f64(r);
        int64_t mc = cxi_rbuf_i64(r), mr = cxi_rbuf_i64(r);
        s->fcr_window = cxi_rbuf_i64(r);
        s->repeat_window = cxi_rbuf_i64(r);
        if (r->err)
            rc = r->err;
        else if (!(s->level > 0 && s->level < 1) || mc < 1 || mc > INT32_MAX || mr < 0 || mr > INT32_MAX ||
                 s->fcr_window < 0 || s->repeat_window <= 0)
            rc = bad("bad query options");
        s->fcr_max_contacts = (int)mc;
        s->fcr_max_reopens = (int)mr;
    }
    if (!rc)
        rc = get_str(m, r, &s->contact_kind);
    if (!rc) {
        s->business = cxi_rbuf_u8(r);
        for (int i = 0; i < CX_MEASURE_COUNT; i++) {
            s->weights[i] = cxi_rbuf_f64(r);
            if (!r->err && !(isfinite(s->weights[i]) && s->weights[i] >= 0))
                rc = bad("bad index weight");
        }
        uint32_t ns = cxi_rbuf_u32(r);
        if (!rc && r->err)
            rc = r->err;
        if (!rc && ns > cxi_rbuf_left(r) / 24)
            rc = bad("bad number of SLA targets");
        if (!rc && ns) {
            if (!(s->sla = cxi_alloc(m, ns * sizeof *s->sla)))
                rc = cxi_fail(CX_ENOMEM, "deserialise: out of memory");
            else
                s->capsla = ns;
        }
        for (uint32_t i = 0; i < ns && !rc; i++) {
            cxi_sla *t = &s->sla[i];
            memset(t, 0, sizeof *t);
            s->nsla++;
            rc = get_str(m, r, &t->priority);
            if (!rc)
                rc = get_str(m, r, &t->channel);
            if (!rc) {
                t->first_response = cxi_rbuf_i64(r);
                t->resolution = cxi_rbuf_i64(r);
                if (r->err)
                    rc = r->err;
                else if (t->first_response < -1 || t->resolution < -1)
                    rc = bad("bad SLA target");
            }
        }
    }
    s->min_n = CX_QUERY_MIN_N_DEFAULT;
    if (!rc && version >= 2) {
        s->min_n = cxi_rbuf_i64(r);
        if (r->err)
            rc = r->err;
        else if (s->min_n < 0)
            rc = bad("bad minimum group size");
    }
    if (rc)
        cxi_spec_clear(m, s);
    return rc;
}

/* ---- merge ------------------------------------------------------------- */

static int same_spec(const cxi_qres *a, const cxi_qres *b, bool *same)
{
    cxi_mem mem = a->mem; /* the allocator of the merge, with a count of its own */
    mem.bytes = 0;
    cxi_wbuf x, y;
    cxi_wbuf_init(&x, &mem);
    cxi_wbuf_init(&y, &mem);
    int rc = cxi_spec_write(&a->spec, &x);
    if (!rc)
        rc = cxi_spec_write(&b->spec, &y);
    *same = !rc && x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
    cxi_wbuf_free(&x);
    cxi_wbuf_free(&y);
    return rc;
}

/* Counts are read as int64_t (cx_result_get_int): a merge whose count would
 * pass INT64_MAX is refused. Each part (promoters, successes) is at most its
 * count, so checking the counts covers them. */
static bool count_overflows(uint64_t a, uint64_t b) { return a > (uint64_t)INT64_MAX || b > (uint64_t)INT64_MAX - a; }

static int overflow(void) { return cxi_fail(CX_ERANGE, "a count would pass 2^63 - 1"); }

static int merge_acc(cxi_qres *dst, int pos, size_t gd, const cxi_qres *src, size_t gs)
{
    int m = dst->spec.measures[pos];
    void *d = (char *)dst->acc[pos] + gd * cxi_acc_size(m);
    const void *s = acc_of(src, pos, gs);
    switch (cxi_measures[m].acc) {
    case CXI_ACC_SCORE: {
        cxi_score_acc *x = d;
        const cxi_score_acc *y = s;
        if (count_overflows(x->n, y->n))
            return overflow();
        if (!isfinite(x->sum + y->sum) || !isfinite(x->sumsq + y->sumsq))
            return cxi_fail(CX_ERANGE, "a sum of scores would overflow");
        x->n += y->n;
        x->good += y->good;
        x->mid += y->mid;
        x->bad += y->bad;
        x->sum += y->sum;
        x->sumsq += y->sumsq;
        return CX_OK;
    }
    case CXI_ACC_PROP: {
        cxi_prop_acc *x = d;
        const cxi_prop_acc *y = s;
        if (count_overflows(x->n, y->n))
            return overflow();
        x->n += y->n;
        x->x += y->x;
        return CX_OK;
    }
    case CXI_ACC_DIST: {
        cxi_dist_acc *x = d;
        const cxi_dist_acc *y = s;
        if (count_overflows(cxi_qacc_count(&x->q), cxi_qacc_count(&y->q)))
            return overflow();
        uint64_t lo = x->sq_lo, hi = x->sq_hi;
        if (cxi_u128_add(&lo, &hi, y->sq_lo, y->sq_hi))
            return cxi_fail(CX_ERANGE, "a sum of squared values would pass 2^128");
        int rc = cxi_qacc_merge(&dst->mem, &x->q, &y->q);
        if (!rc) {
            x->sq_lo = lo;
            x->sq_hi = hi;
        }
        return rc;
    }
    default:
        return CX_OK;
    }
}

/* Adds the groups of `src` to `dst` (labels re-interned), merging states. */
static int absorb(cxi_qres *dst, const cxi_qres *src)
{
    int ng = dst->spec.ngroups;
    for (size_t g = 0; g < src->groups.n; g++) {
        int64_t key[CX_QUERY_MAX_GROUPS];
        uint32_t lab[CX_QUERY_MAX_GROUPS];
        for (int d = 0; d < ng; d++) {
            uint32_t id = src->label_of[g * (size_t)ng + d], nid = CXI_NONE;
            int prc; /* CX_ENOMEM, or CX_ELIMIT past 2^32 - 2 labels */
            if (id != CXI_NONE &&
                (prc = cxi_pool_intern(&dst->mem, &dst->labels, cxi_pool_str(&src->labels, id),
                                       cxi_pool_len(&src->labels, id), &nid)))
                return prc;
            lab[d] = nid;
            key[d] = dst->spec.groups[d].dim == CX_DIM_TIME ? src->groups.keys[g * (size_t)ng + d]
                     : nid == CXI_NONE                       ? -1
                                                             : (int64_t)nid;
        }
        size_t at;
        bool added;
        int rc = cxi_gtab_get(&dst->mem, &dst->groups, key, &at, &added);
        if (!rc && added)
            rc = cxi_qres_grow(dst, dst->groups.n);
        if (rc)
            return rc;
        for (int d = 0; d < ng; d++)
            dst->label_of[at * (size_t)ng + d] = lab[d];
        for (int p = 0; p < dst->spec.nmeasures; p++)
            if ((rc = merge_acc(dst, p, at, src, g)))
                return rc;
    }
    return CX_OK;
}

int cxi_qres_absorb(cxi_qres *dst, const cxi_qres *src) { return absorb(dst, src); }

static int empty_like(cxi_qres **out, const cxi_qres *a)
{
    cxi_spec spec;
    cxi_wbuf b;
    cxi_mem mem = a->mem;
    mem.bytes = 0;
    cxi_wbuf_init(&b, &mem);
    int rc = cxi_spec_write(&a->spec, &b);
    if (!rc) {
        cxi_rbuf r;
        cxi_rbuf_init(&r, b.data, b.len);
        rc = cxi_spec_read(&mem, &spec, &r);
    }
    cxi_wbuf_free(&b);
    if (rc)
        return rc;
    return cxi_qres_new(out, mem, &spec);
}

static int q_merge(cxi_qres **out, const cxi_qres *a, const cxi_qres *b)
{
    const char *fn = "cx_result_merge";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!a || !b)
        return cxi_fail(CX_EINVAL, "%s: a result is NULL", fn);
    bool same;
    int rc = same_spec(a, b, &same);
    if (rc)
        return cxi_fail(rc, "%s: %s", fn, rc == CX_ENOMEM ? "out of memory" : "too large");
    if (!same)
        return cxi_fail(CX_EINVAL, "%s: the results come from different queries (measures, groupings or options)", fn);
    cxi_qres *r;
    if ((rc = empty_like(&r, a)))
        return cxi_fail(rc, "%s: %s", fn, rc == CX_ENOMEM ? "out of memory" : "too large");
    rc = absorb(r, a);
    if (!rc)
        rc = absorb(r, b);
    if (rc) {
        cxi_qres_free(r);
        if (rc == CX_ERANGE) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", cx_last_error());
            return cxi_fail(rc, "%s: %s", fn, msg);
        }
        return cxi_fail(rc, "%s: %s", fn, rc == CX_ENOMEM ? "out of memory" : "too large");
    }
    *out = r;
    return CX_OK;
}

/* ---- serialisation ----------------------------------------------------- */

static int write_result(const cxi_qres *r, cxi_wbuf *b)
{
    cxi_wbuf_u32(b, RESULT_MAGIC);
    cxi_wbuf_u32(b, RESULT_VERSION);
    cxi_spec_write(&r->spec, b);
    cxi_wbuf_u64(b, r->labels.count);
    for (uint32_t i = 0; i < r->labels.count; i++) {
        uint32_t n = cxi_pool_len(&r->labels, i);
        cxi_wbuf_u32(b, n);
        cxi_wbuf_bytes(b, cxi_pool_str(&r->labels, i), n);
    }
    size_t ng = (size_t)r->spec.ngroups;
    cxi_wbuf_u64(b, r->groups.n);
    for (size_t g = 0; g < r->groups.n; g++)
        for (size_t d = 0; d < ng; d++) {
            cxi_wbuf_i64(b, r->groups.keys[g * ng + d]);
            cxi_wbuf_u32(b, r->label_of[g * ng + d]);
        }
    for (int p = 0; p < r->spec.nmeasures; p++) {
        int m = r->spec.measures[p];
        for (size_t g = 0; g < r->groups.n && !b->err; g++) {
            const void *a = acc_of(r, p, g);
            switch (cxi_measures[m].acc) {
            case CXI_ACC_SCORE: {
                const cxi_score_acc *s = a;
                cxi_wbuf_u64(b, s->n);
                cxi_wbuf_u64(b, s->good);
                cxi_wbuf_u64(b, s->mid);
                cxi_wbuf_u64(b, s->bad);
                cxi_wbuf_f64(b, s->sum);
                cxi_wbuf_f64(b, s->sumsq);
                break;
            }
            case CXI_ACC_PROP: {
                const cxi_prop_acc *s = a;
                cxi_wbuf_u64(b, s->n);
                cxi_wbuf_u64(b, s->x);
                break;
            }
            case CXI_ACC_DIST: {
                const cxi_dist_acc *s = a;
                cxi_wbuf_u64(b, s->sq_lo);
                cxi_wbuf_u64(b, s->sq_hi);
                cxi_qacc_serialize(&s->q, b);
                break;
            }
            default:
                break;
            }
        }
    }
    return b->err;
}

static int q_serialize(size_t *out_len, const cxi_qres *r, void *buf, size_t cap)
{
    const char *fn = "cx_result_serialize";
    if (!out_len || !r)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !out_len ? "out_len" : "result");
    cxi_mem mem = r->mem;
    cxi_wbuf b;
    cxi_wbuf_init(&b, &mem);
    int rc = write_result(r, &b);
    if (rc) {
        cxi_wbuf_free(&b);
        return cxi_fail(rc, "%s: %s", fn, rc == CX_ENOMEM ? "out of memory" : "too large");
    }
    *out_len = b.len;
    if (!buf || cap < b.len)
        rc = cxi_fail(CX_EBUFSIZE, "%s: %zu bytes are needed, the buffer has %zu", fn, b.len, buf ? cap : 0);
    else
        memcpy(buf, b.data, b.len);
    cxi_wbuf_free(&b);
    return rc;
}

static int read_result(cxi_qres *r, cxi_rbuf *rb, uint32_t version)
{
    uint64_t nl = cxi_rbuf_u64(rb);
    if (rb->err)
        return rb->err;
    if (nl > cxi_rbuf_left(rb) / 4)
        return bad("bad number of labels");
    for (uint64_t i = 0; i < nl; i++) {
        uint32_t n = cxi_rbuf_u32(rb);
        const uint8_t *p = rb->err ? NULL : cxi_rbuf_take(rb, n);
        if (!p)
            return rb->err;
        if (!cxi_utf8_valid((const char *)p, n) || memchr(p, 0, n) || cxi_pool_find(&r->labels, (const char *)p, n) != CXI_NONE)
            return bad("bad label");
        uint32_t id;
        int prc = cxi_pool_intern(&r->mem, &r->labels, (const char *)p, n, &id);
        if (prc)
            return prc; /* CX_ENOMEM or CX_ELIMIT */
    }
    size_t ng = (size_t)r->spec.ngroups;
    uint64_t n = cxi_rbuf_u64(rb);
    if (rb->err)
        return rb->err;
    if (n > CXI_MAX_ROWS || (ng && n > cxi_rbuf_left(rb) / (12 * ng)))
        return bad("bad number of groups");
    for (uint64_t g = 0; g < n; g++) {
        int64_t key[CX_QUERY_MAX_GROUPS];
        uint32_t lab[CX_QUERY_MAX_GROUPS];
        for (size_t d = 0; d < ng; d++) {
            key[d] = cxi_rbuf_i64(rb);
            lab[d] = cxi_rbuf_u32(rb);
            if (rb->err)
                return rb->err;
            bool time = r->spec.groups[d].dim == CX_DIM_TIME;
            if ((lab[d] != CXI_NONE && lab[d] >= r->labels.count) || (time && lab[d] == CXI_NONE) ||
                (!time && key[d] != (lab[d] == CXI_NONE ? -1 : (int64_t)lab[d])))
                return bad("bad group key");
        }
        size_t at;
        bool added;
        int rc = cxi_gtab_get(&r->mem, &r->groups, key, &at, &added);
        if (rc)
            return rc;
        if (!added)
            return bad("a group appears twice");
        if ((rc = cxi_qres_grow(r, r->groups.n)))
            return rc;
        for (size_t d = 0; d < ng; d++)
            r->label_of[at * ng + d] = lab[d];
    }
    for (int p = 0; p < r->spec.nmeasures; p++) {
        int m = r->spec.measures[p];
        for (size_t g = 0; g < r->groups.n; g++) {
            void *a = (char *)r->acc[p] + g * cxi_acc_size(m);
            switch (cxi_measures[m].acc) {
            case CXI_ACC_SCORE: {
                cxi_score_acc *s = a;
                s->n = cxi_rbuf_u64(rb);
                s->good = cxi_rbuf_u64(rb);
                s->mid = cxi_rbuf_u64(rb);
                s->bad = cxi_rbuf_u64(rb);
                s->sum = cxi_rbuf_f64(rb);
                s->sumsq = cxi_rbuf_f64(rb);
                if (!rb->err && (s->n > (uint64_t)INT64_MAX || s->good > s->n || s->mid > s->n || s->bad > s->n ||
                                 !isfinite(s->sum) || !isfinite(s->sumsq)))
                    return bad("bad survey counts");
                break;
            }
            case CXI_ACC_PROP: {
                cxi_prop_acc *s = a;
                s->n = cxi_rbuf_u64(rb);
                s->x = cxi_rbuf_u64(rb);
                if (!rb->err && (s->n > (uint64_t)INT64_MAX || s->x > s->n))
                    return bad("bad proportion");
                break;
            }
            case CXI_ACC_DIST: {
                cxi_dist_acc *s = a;
                if (version >= 3) {
                    s->sq_lo = cxi_rbuf_u64(rb);
                    s->sq_hi = cxi_rbuf_u64(rb);
                } else {
                    /* a double sum of whole squares: a whole number (exact
                     * below 2^53, and every double above is whole) */
                    double sq = cxi_rbuf_f64(rb);
                    if (!rb->err && !(sq >= 0 && sq < 0x1p128))
                        return bad("bad sum of squares");
                    s->sq_hi = (uint64_t)(sq * 0x1p-64);
                    s->sq_lo = (uint64_t)(sq - (double)s->sq_hi * 0x1p64);
                }
                if (rb->err)
                    return rb->err;
                int rc = cxi_qacc_deserialize(&r->mem, &s->q, rb);
                if (rc)
                    return rc;
                if (cxi_qacc_count(&s->q) > (uint64_t)INT64_MAX)
                    return bad("a count beyond 2^63 - 1");
                break;
            }
            default:
                break;
            }
            if (rb->err)
                return rb->err;
        }
    }
    if (cxi_rbuf_left(rb))
        return bad("trailing bytes");
    return CX_OK;
}

static int q_deserialize(cxi_qres **out, const void *data, size_t len)
{
    const char *fn = "cx_result_deserialize";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!data)
        return cxi_fail(CX_EINVAL, "%s: data is NULL", fn);
    cxi_rbuf rb;
    cxi_rbuf_init(&rb, data, len);
    uint32_t magic = cxi_rbuf_u32(&rb), version = cxi_rbuf_u32(&rb);
    if (rb.err || magic != RESULT_MAGIC)
        return cxi_fail(CX_EPARSE, "%s: not a serialised cxkit result", fn);
    if (version < 1 || version > RESULT_VERSION)
        return cxi_fail(CX_EVERSION, "%s: format version %u, this library reads 1 to %u", fn, version,
                        RESULT_VERSION);
    cxi_mem mem;
    cxi_mem_init(&mem, NULL, NULL);
    cxi_spec spec;
    int rc = cxi_spec_read_v(&mem, &spec, &rb, version);
    if (rc)
        return cxi_fail(rc, "%s: %s", fn, rc == CX_ENOMEM ? "out of memory" : "corrupt query description");
    cxi_qres *r;
    if ((rc = cxi_qres_new(&r, mem, &spec)))
        return cxi_fail(rc, "%s: out of memory", fn);
    rc = read_result(r, &rb, version);
    if (rc) {
        cxi_qres_free(r);
        char msg[512];
        snprintf(msg, sizeof msg, "%s", cx_last_error());
        return cxi_fail(rc, "%s: %s", fn, rc == CX_ENOMEM ? "out of memory" : msg);
    }
    *out = r;
    return CX_OK;
}


/* ---- the public result ------------------------------------------------- */

static void ext_free(void *state) { cxi_qres_free(state); }

static const cxi_result_ext query_ext = {"query", ext_free};

/* The query state behind a result, or NULL with the last error set. */
static const cxi_qres *qres_of(const char *fn, const cx_result *r)
{
    const cxi_qres *q = cxi_result_ext_of(r, &query_ext);
    if (!q)
        cxi_fail(CX_EINVAL, "%s: %s", fn, r ? "not a query result (only cx_query_run() results, and their merges, carry measures)" : "result is NULL");
    return q;
}

int cxi_qres_publish(cx_result **out, cxi_qres *q)
{
    int rc = qres_finish(q);
    if (rc) {
        cxi_qres_free(q);
        return rc;
    }
    /* a time group is two columns: the bucket's start, and its label */
    size_t ncols = q->ncols, n = q->groups.n;
    for (size_t c = 0; c < q->ncols; c++)
        ncols += q->cols[c].type == CX_TYPE_TIME;
    const char **names = cxi_alloc(&q->mem, ncols * sizeof *names);
    int *types = cxi_alloc(&q->mem, ncols * sizeof *types);
    char (*label_names)[64] = cxi_alloc(&q->mem, (size_t)CX_QUERY_MAX_GROUPS * 64);
    cx_result *r = NULL;
    rc = names && types && label_names ? CX_OK : cxi_fail(CX_ENOMEM, "out of memory publishing a result");
    size_t k = 0;
    for (size_t c = 0; !rc && c < q->ncols; c++) {
        names[k] = q->cols[c].name;
        types[k++] = q->cols[c].type;
        if (q->cols[c].type == CX_TYPE_TIME) {
            snprintf(label_names[q->cols[c].group], 64, "%s_label", q->cols[c].name);
            names[k] = label_names[q->cols[c].group];
            types[k++] = CX_TYPE_STRING;
        }
    }
    if (!rc)
        rc = cxi_result_new(&r, &q->mem, n, ncols, names, types);
    size_t ng = (size_t)q->spec.ngroups;
    for (size_t row = 0; !rc && row < n; row++) {
        size_t g = q->order[row];
        k = 0;
        for (size_t c = 0; !rc && c < q->ncols; c++, k++) {
            const cxi_col_desc *d = &q->cols[c];
            if (d->group >= 0) {
                uint32_t id = q->label_of[g * ng + (size_t)d->group];
                const char *label = id == CXI_NONE ? NULL : cxi_pool_str(&q->labels, id);
                if (d->type == CX_TYPE_TIME) {
                    cxi_result_set_time(r, k, row, q->groups.keys[g * ng + (size_t)d->group]);
                    cxi_result_set_offset(r, k, q->spec.groups[d->group].offset);
                    k++;
                }
                rc = cxi_result_set_text(r, k, row, label);
                continue;
            }
            if (d->type == CX_TYPE_INT) {
                /* counts only, kept within int64_t by the merge and the
                 * deserialiser; checked again rather than converted out of
                 * range */
                uint64_t v = count_value(q, d->pos, d->field, g);
                if (v > (uint64_t)INT64_MAX)
                    rc = cxi_fail(CX_ERANGE, "a count of %llu does not fit a result's integer",
                                  (unsigned long long)v);
                cxi_result_set_int(r, k, row, (int64_t)(v & (uint64_t)INT64_MAX));
            } else {
                cxi_result_set_real(r, k, row, value(q, d->pos, d->field, g));
            }
        }
    }
    cxi_free(&q->mem, names, ncols * sizeof *names);
    cxi_free(&q->mem, types, ncols * sizeof *types);
    cxi_free(&q->mem, label_names, (size_t)CX_QUERY_MAX_GROUPS * 64);
    if (rc) {
        cx_result_free(r);
        cxi_qres_free(q);
        return rc;
    }
    cxi_result_set_ext(r, &query_ext, q);
    *out = r;
    return CX_OK;
}

/* cxi_qres_publish() for a public call: a failure's message names it. */
static int publish_named(cx_result **out, cxi_qres *q, const char *fn)
{
    int rc = cxi_qres_publish(out, q);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", cx_last_error());
        return cxi_fail(rc, "%s: %s", fn, msg);
    }
    return CX_OK;
}

int cx_result_quantile(double *out, const cx_result *result, size_t row, cx_measure measure, double q)
{
    const char *fn = "cx_result_quantile";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    const cxi_qres *r = qres_of(fn, result);
    return r ? q_quantile(out, r, row, measure, q) : CX_EINVAL;
}

int cx_result_compare(double *diff, double *p_value, const cx_result *a, size_t row_a, const cx_result *b,
                      size_t row_b, cx_measure measure)
{
    const char *fn = "cx_result_compare";
    if (!diff || !p_value)
        return cxi_fail(CX_EINVAL, "%s: an argument is NULL", fn);
    const cxi_qres *qa = qres_of(fn, a), *qb = qa ? qres_of(fn, b) : NULL;
    return qa && qb ? q_compare(diff, p_value, qa, row_a, qb, row_b, measure) : CX_EINVAL;
}

int cx_result_merge(cx_result **out, const cx_result *a, const cx_result *b)
{
    const char *fn = "cx_result_merge";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    const cxi_qres *qa = qres_of(fn, a), *qb = qa ? qres_of(fn, b) : NULL;
    cxi_qres *m;
    if (!qa || !qb)
        return CX_EINVAL;
    int rc = q_merge(&m, qa, qb);
    return rc ? rc : publish_named(out, m, fn);
}

int cx_result_serialize(size_t *out_len, const cx_result *result, void *buf, size_t cap)
{
    const char *fn = "cx_result_serialize";
    if (!out_len)
        return cxi_fail(CX_EINVAL, "%s: out_len is NULL", fn);
    const cxi_qres *r = qres_of(fn, result);
    return r ? q_serialize(out_len, r, buf, cap) : CX_EINVAL;
}

int cx_result_deserialize(cx_result **out, const void *data, size_t len)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_result_deserialize: out is NULL");
    *out = NULL;
    cxi_qres *q;
    int rc = q_deserialize(&q, data, len);
    return rc ? rc : publish_named(out, q, "cx_result_deserialize");
}
