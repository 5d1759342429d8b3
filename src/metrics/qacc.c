/*
 * Mergeable quantile accumulator: exact values up to CXI_QACC_EXACT_MAX, then
 * a DDSketch-style log-bucketed sketch. See qacc.h for the contract and the
 * error bound; this file follows the definitions of the DDSketch paper
 * (index ceil(log_gamma |x|), representative 2 gamma^i / (gamma + 1)).
 *
 * Every mutating call prepares whatever memory it needs first and only then
 * writes, so a failure (out of memory included) changes nothing.
 */
#include "qacc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qacc_table.h"

/* gamma = (1 + alpha) / (1 - alpha) for alpha = 0.005, and ln(gamma) =
 * 2 atanh(alpha), to 20 digits (the test checks both against libm). */
#define GAMMA 1.0100502512562814070
#define LN_GAMMA 0.010000083334583355655
/* The indices of the smallest subnormal and of DBL_MAX, with a margin: every
 * finite non-zero |x| falls inside. */
#define IDX_MIN (-74460)
#define IDX_MAX 70990
#define IDX_SPAN ((uint32_t)(IDX_MAX - IDX_MIN + 1))
#define EXACT_FIRST_CAP 16u
#define STORE_MIN_GROW 64

/* ---- small helpers --------------------------------------------------- */

/* ceil(log(absx) / LN_GAMMA), clamped. For 1 <= absx < 2^QACC_TAB_BINADES
 * (durations in ms, counts: every value the queries add) from the tables of
 * qacc_table.h, generated with this very definition (qacc_table_gen.c; the
 * test compares them with log() at every bucket boundary): a table read and
 * a comparison, the same integer, where log() took a quarter of a query's
 * time (issue 14). */
int32_t cxi_qacc_index(double absx)
{
    if (absx >= 1.0 && absx < (double)((uint64_t)1 << QACC_TAB_BINADES)) {
        uint64_t bits;
        memcpy(&bits, &absx, sizeof bits);
        /* the exponent above 0 and the top mantissa bits: the slice */
        uint32_t j = (uint32_t)(bits >> (52 - QACC_TAB_SLICE_BITS)) - ((uint32_t)1023 << QACC_TAB_SLICE_BITS);
        int32_t k = qacc_tab_t[j];
        return k + (absx > qacc_tab_b[k]);
    }
    double i = ceil(log(absx) / LN_GAMMA);
    if (i < IDX_MIN)
        return IDX_MIN;
    if (i > IDX_MAX)
        return IDX_MAX;
    return (int32_t)i;
}

/* The representative value of bucket i: (1 - alpha) gamma^i. */
static double bucket_value(int32_t i) { return (1.0 - CXI_QACC_ALPHA) * exp((double)i * LN_GAMMA); }

/* numpy's lerp: a + (b - a) t, computed from b when t >= 0.5 (as numpy does,
 * so that results match its bits and stay monotone). */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

static void kahan_add(cxi_qacc *a, double v)
{
    double t = a->sum + v;
    if (!isfinite(t)) {
        a->sum = t; /* overflow: the compensation has no meaning any more */
        return;
    }
    if (fabs(a->sum) >= fabs(v))
        a->sum_c += (a->sum - t) + v;
    else
        a->sum_c += (v - t) + a->sum;
    a->sum = t;
}

static void stats_add(cxi_qacc *a, double v)
{
    if (a->count == 0 || v < a->min)
        a->min = v;
    if (a->count == 0 || v > a->max)
        a->max = v;
    a->count++;
    kahan_add(a, v);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* ---- bucket stores --------------------------------------------------- */

static void store_free(cxi_mem *m, cxi_qstore *s)
{
    cxi_free(m, s->counts, (size_t)s->len * sizeof *s->counts);
    s->counts = NULL;
    s->lo = 0;
    s->len = 0;
}

/* Makes `s` cover the indices [ilo, ihi] (within IDX_MIN..IDX_MAX), growing
 * geometrically so that repeated growth is amortised O(1) per value. On
 * failure `s` is as it was. */
static int store_cover(cxi_mem *m, cxi_qstore *s, int32_t ilo, int32_t ihi)
{
    if (s->len && ilo >= s->lo && ihi <= s->lo + (int32_t)s->len - 1)
        return CX_OK;
    int64_t lo, hi;
    if (!s->len) {
        lo = (int64_t)ilo - STORE_MIN_GROW / 2;
        hi = (int64_t)ihi + STORE_MIN_GROW / 2;
    } else {
        int64_t olo = s->lo, ohi = (int64_t)s->lo + s->len - 1;
        int64_t grow = s->len / 2 > STORE_MIN_GROW ? s->len / 2 : STORE_MIN_GROW;
        lo = olo;
        hi = ohi;
        if (ilo < olo)
            lo = (ilo < olo - grow) ? ilo : olo - grow;
        if (ihi > ohi)
            hi = (ihi > ohi + grow) ? ihi : ohi + grow;
    }
    if (lo < IDX_MIN)
        lo = IDX_MIN;
    if (hi > IDX_MAX)
        hi = IDX_MAX;
    uint32_t len = (uint32_t)(hi - lo + 1);
    uint64_t *c = cxi_alloc(m, (size_t)len * sizeof *c);
    if (!c)
        return cxi_fail(CX_ENOMEM, "quantile sketch: out of memory for %u buckets", (unsigned)len);
    memset(c, 0, (size_t)len * sizeof *c);
    if (s->len)
        memcpy(c + (s->lo - lo), s->counts, (size_t)s->len * sizeof *c);
    store_free(m, s);
    s->counts = c;
    s->lo = (int32_t)lo;
    s->len = len;
    return CX_OK;
}

/* The first and last indices with a non-zero count; false when none. */
static int store_range(const cxi_qstore *s, int32_t *first, int32_t *last)
{
    uint32_t b = 0, e = s->len;
    while (b < e && !s->counts[b])
        b++;
    if (b == e)
        return 0;
    while (!s->counts[e - 1])
        e--;
    *first = s->lo + (int32_t)b;
    *last = s->lo + (int32_t)e - 1;
    return 1;
}

/* Index ranges of the values per sign; counts of each kind. */
struct vrange {
    int32_t plo, phi, nlo, nhi;
    size_t npos, nneg;
};

static void vrange_add(struct vrange *r, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == 0)
            continue;
        int32_t k = cxi_qacc_index(fabs(v[i]));
        if (v[i] > 0) {
            if (!r->npos++ || k < r->plo)
                r->plo = k;
            if (r->npos == 1 || k > r->phi)
                r->phi = k;
        } else {
            if (!r->nneg++ || k < r->nlo)
                r->nlo = k;
            if (r->nneg == 1 || k > r->nhi)
                r->nhi = k;
        }
    }
}

/* Counts values into stores that already cover them; returns the zeros. */
static uint64_t stores_count(cxi_qstore *pos, cxi_qstore *neg, const double *v, size_t n)
{
    uint64_t zeros = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == 0) {
            zeros++;
            continue;
        }
        cxi_qstore *s = v[i] > 0 ? pos : neg;
        s->counts[cxi_qacc_index(fabs(v[i])) - s->lo]++;
    }
    return zeros;
}

/* Makes pos/neg cover the values of v1 and v2; on failure either store may
 * have grown (same contents) but nothing else changed. */
static int stores_cover_values(cxi_mem *m, cxi_qstore *pos, cxi_qstore *neg, const double *v1, size_t n1,
                               const double *v2, size_t n2)
{
    struct vrange r = {0};
    vrange_add(&r, v1, n1);
    vrange_add(&r, v2, n2);
    int rc;
    if (r.npos && (rc = store_cover(m, pos, r.plo, r.phi)))
        return rc;
    if (r.nneg && (rc = store_cover(m, neg, r.nlo, r.nhi)))
        return rc;
    return CX_OK;
}

/* Adds the counts of `src` into `dst`, growing it; on failure dst keeps its
 * counts. src may be dst. */
static int store_merge(cxi_mem *m, cxi_qstore *dst, const cxi_qstore *src)
{
    int32_t first, last;
    if (!store_range(src, &first, &last))
        return CX_OK;
    int rc = store_cover(m, dst, first, last);
    if (rc)
        return rc;
    for (int32_t i = first; i <= last; i++)
        dst->counts[i - dst->lo] += src->counts[i - src->lo];
    return CX_OK;
}

/* Builds fresh sketch stores holding base (may be NULL) plus the values of
 * v1 and v2. On failure nothing is left allocated. */
static int sketch_build(cxi_mem *m, cxi_qstore *pos, cxi_qstore *neg, uint64_t *zeros, const cxi_qacc *base,
                        const double *v1, size_t n1, const double *v2, size_t n2)
{
    *pos = (cxi_qstore){0};
    *neg = (cxi_qstore){0};
    int rc = stores_cover_values(m, pos, neg, v1, n1, v2, n2);
    if (!rc && base) {
        rc = store_merge(m, pos, &base->pos);
        if (!rc)
            rc = store_merge(m, neg, &base->neg);
    }
    if (rc) {
        store_free(m, pos);
        store_free(m, neg);
        return rc;
    }
    *zeros = (base ? base->zeros : 0) + stores_count(pos, neg, v1, n1) + stores_count(pos, neg, v2, n2);
    return CX_OK;
}

/* Switches `a` to sketch mode with the given stores (allocation done). */
static void sketch_commit(cxi_mem *m, cxi_qacc *a, cxi_qstore *pos, cxi_qstore *neg, uint64_t zeros)
{
    cxi_free(m, a->vals, (size_t)a->cap * sizeof *a->vals);
    a->vals = NULL;
    a->cap = 0;
    a->sorted = 0;
    a->sketch = 1;
    a->zeros = zeros;
    a->pos = *pos;
    a->neg = *neg;
}

/* ---- exact mode ------------------------------------------------------ */

static int exact_reserve(cxi_mem *m, cxi_qacc *a, size_t need)
{
    if (need <= a->cap)
        return CX_OK;
    size_t cap = a->cap ? a->cap : EXACT_FIRST_CAP;
    while (cap < need)
        cap *= 2;
    if (cap > CXI_QACC_EXACT_MAX)
        cap = CXI_QACC_EXACT_MAX;
    double *p = cxi_realloc(m, a->vals, (size_t)a->cap * sizeof *p, cap * sizeof *p);
    if (!p)
        return cxi_fail(CX_ENOMEM, "quantile accumulator: out of memory for %zu values", cap);
    a->vals = p;
    a->cap = (uint32_t)cap;
    return CX_OK;
}

/* ---- public ---------------------------------------------------------- */

void cxi_qacc_init(cxi_qacc *a) { memset(a, 0, sizeof *a); }

void cxi_qacc_free(cxi_mem *m, cxi_qacc *a)
{
    cxi_free(m, a->vals, (size_t)a->cap * sizeof *a->vals);
    store_free(m, &a->pos);
    store_free(m, &a->neg);
    cxi_qacc_init(a);
}

int cxi_qacc_add(cxi_mem *m, cxi_qacc *a, double v)
{
    if (!isfinite(v))
        return cxi_fail(CX_ERANGE, "quantile accumulator: value %g is not finite", v);
    if (v == 0)
        v = 0.0; /* -0.0 and 0.0 are one value */
    int rc;
    if (a->sketch) {
        if (v != 0) {
            cxi_qstore *s = v > 0 ? &a->pos : &a->neg;
            int32_t k = cxi_qacc_index(fabs(v));
            /* the common case, a bucket the store covers, without a call */
            if (!(s->len && k >= s->lo && k - s->lo < (int32_t)s->len) && (rc = store_cover(m, s, k, k)))
                return rc;
            s->counts[k - s->lo]++;
        } else {
            a->zeros++;
        }
    } else if (a->count < CXI_QACC_EXACT_MAX) {
        if ((rc = exact_reserve(m, a, (size_t)a->count + 1)))
            return rc;
        a->vals[a->count] = v;
        if (a->count == 0)
            a->sorted = 1;
        else if (a->sorted && v < a->vals[a->count - 1])
            a->sorted = 0;
    } else {
        cxi_qstore pos, neg;
        uint64_t zeros;
        if ((rc = sketch_build(m, &pos, &neg, &zeros, NULL, a->vals, a->count, &v, 1)))
            return rc;
        sketch_commit(m, a, &pos, &neg, zeros);
    }
    stats_add(a, v);
    return CX_OK;
}

int cxi_qacc_merge(cxi_mem *m, cxi_qacc *dst, const cxi_qacc *src)
{
    if (src->count == 0)
        return CX_OK;
    /* read everything of src first: src may be dst */
    uint64_t n = src->count;
    double s = src->sum, c = src->sum_c, lo = src->min, hi = src->max;
    int rc;
    if (!dst->sketch && !src->sketch) {
        if (dst->count + n <= CXI_QACC_EXACT_MAX) {
            if ((rc = exact_reserve(m, dst, (size_t)(dst->count + n))))
                return rc;
            /* after the growth: when src == dst, src->vals moved with it */
            memcpy(dst->vals + dst->count, src->vals, (size_t)n * sizeof *dst->vals);
            if (dst->count || !src->sorted)
                dst->sorted = 0;
            else
                dst->sorted = src->sorted;
        } else {
            cxi_qstore pos, neg;
            uint64_t zeros;
            if ((rc = sketch_build(m, &pos, &neg, &zeros, NULL, dst->vals, dst->count, src->vals, n)))
                return rc;
            sketch_commit(m, dst, &pos, &neg, zeros);
        }
    } else if (!dst->sketch) { /* exact dst, sketch src */
        cxi_qstore pos, neg;
        uint64_t zeros;
        if ((rc = sketch_build(m, &pos, &neg, &zeros, src, dst->vals, dst->count, NULL, 0)))
            return rc;
        sketch_commit(m, dst, &pos, &neg, zeros);
    } else if (!src->sketch) { /* sketch dst, exact src */
        if ((rc = stores_cover_values(m, &dst->pos, &dst->neg, src->vals, n, NULL, 0)))
            return rc;
        dst->zeros += stores_count(&dst->pos, &dst->neg, src->vals, n);
    } else { /* both sketches: cover both stores before adding any count */
        int32_t f, l;
        if (store_range(&src->pos, &f, &l) && (rc = store_cover(m, &dst->pos, f, l)))
            return rc;
        if (store_range(&src->neg, &f, &l) && (rc = store_cover(m, &dst->neg, f, l)))
            return rc;
        store_merge(m, &dst->pos, &src->pos); /* cannot fail now */
        store_merge(m, &dst->neg, &src->neg);
        dst->zeros += src->zeros;
    }
    if (dst->count == 0 || lo < dst->min)
        dst->min = lo;
    if (dst->count == 0 || hi > dst->max)
        dst->max = hi;
    dst->count += n;
    kahan_add(dst, s);
    kahan_add(dst, c);
    return CX_OK;
}

uint64_t cxi_qacc_count(const cxi_qacc *a) { return a->count; }
double cxi_qacc_sum(const cxi_qacc *a) { return isfinite(a->sum) ? a->sum + a->sum_c : a->sum; }
double cxi_qacc_mean(const cxi_qacc *a) { return a->count ? cxi_qacc_sum(a) / (double)a->count : NAN; }

/* The estimate of the order statistic of 0-based rank k in sketch mode:
 * negatives from the largest |x| down, then zeros, then positives up. */
static double sketch_rank(const cxi_qacc *a, uint64_t k)
{
    if (k == 0)
        return a->min;
    if (k >= a->count - 1)
        return a->max;
    uint64_t c = 0;
    for (uint32_t j = a->neg.len; j-- > 0;) {
        c += a->neg.counts[j];
        if (k < c)
            return -bucket_value(a->neg.lo + (int32_t)j);
    }
    c += a->zeros;
    if (k < c)
        return 0.0;
    for (uint32_t j = 0; j < a->pos.len; j++) {
        c += a->pos.counts[j];
        if (k < c)
            return bucket_value(a->pos.lo + (int32_t)j);
    }
    return a->max; /* not reached when the counts add up */
}

int cxi_qacc_quantile(double *out, cxi_qacc *a, double q)
{
    *out = NAN;
    if (!(q >= 0 && q <= 1))
        return cxi_fail(CX_EINVAL, "quantile: q = %g is not in [0, 1]", q);
    if (a->count == 0)
        return CX_OK;
    double h = q * (double)(a->count - 1);
    double fl = floor(h);
    uint64_t k = (uint64_t)fl;
    double t = h - fl;
    double x0, x1;
    if (!a->sketch) {
        if (!a->sorted) {
            qsort(a->vals, (size_t)a->count, sizeof *a->vals, cmp_double);
            a->sorted = 1;
        }
        x0 = a->vals[k];
        x1 = k + 1 < a->count ? a->vals[k + 1] : x0;
    } else {
        x0 = sketch_rank(a, k);
        x1 = (t > 0 && k + 1 < a->count) ? sketch_rank(a, k + 1) : x0;
    }
    double v = lerp(x0, x1, t);
    if (a->sketch) { /* the true quantile lies in [min, max] */
        if (v < a->min)
            v = a->min;
        if (v > a->max)
            v = a->max;
    }
    *out = v;
    return CX_OK;
}

/* ---- serialisation --------------------------------------------------- */

#define QACC_MAGIC 0x41515843u /* "CXQA" little-endian */

static void store_write(const cxi_qstore *s, cxi_wbuf *b)
{
    int32_t f, l;
    if (!store_range(s, &f, &l)) {
        cxi_wbuf_i64(b, 0);
        cxi_wbuf_u32(b, 0);
        return;
    }
    cxi_wbuf_i64(b, f);
    cxi_wbuf_u32(b, (uint32_t)(l - f + 1));
    for (int32_t i = f; i <= l; i++)
        cxi_wbuf_u64(b, s->counts[i - s->lo]);
}

int cxi_qacc_serialize(const cxi_qacc *a, cxi_wbuf *b)
{
    cxi_wbuf_u32(b, QACC_MAGIC);
    cxi_wbuf_u8(b, CXI_QACC_WIRE_VERSION);
    cxi_wbuf_u8(b, (uint8_t)(a->sketch ? 1 : 0));
    cxi_wbuf_u64(b, a->count);
    cxi_wbuf_f64(b, a->sum);
    cxi_wbuf_f64(b, a->sum_c);
    cxi_wbuf_f64(b, a->min);
    cxi_wbuf_f64(b, a->max);
    if (!a->sketch) {
        if (cxi_wbuf_reserve(b, (size_t)a->count * 8))
            return b->err;
        for (uint64_t i = 0; i < a->count; i++)
            cxi_wbuf_f64(b, a->vals[i]);
    } else {
        cxi_wbuf_f64(b, CXI_QACC_ALPHA);
        cxi_wbuf_u64(b, a->zeros);
        store_write(&a->pos, b);
        store_write(&a->neg, b);
    }
    return b->err;
}

static int bad(const char *what) { return cxi_fail(CX_EPARSE, "quantile accumulator: corrupt input: %s", what); }

/* Reads one store in canonical form (first and last counts non-zero) and
 * adds its counts to *total; refuses a sum that overflows. */
static int store_read(cxi_mem *m, cxi_qstore *s, cxi_rbuf *r, uint64_t *total)
{
    int64_t lo = cxi_rbuf_i64(r);
    uint32_t len = cxi_rbuf_u32(r);
    if (r->err)
        return r->err;
    if (len == 0)
        return lo == 0 ? CX_OK : bad("empty bucket range with an offset");
    if (lo < IDX_MIN || lo > IDX_MAX || len > IDX_SPAN || lo + (int64_t)len - 1 > IDX_MAX)
        return bad("bucket range out of bounds");
    if (cxi_rbuf_left(r) / 8 < len)
        return cxi_rbuf_take(r, (size_t)len * 8) ? CX_OK : r->err; /* truncated */
    s->counts = cxi_alloc(m, (size_t)len * sizeof *s->counts);
    if (!s->counts)
        return cxi_fail(CX_ENOMEM, "quantile accumulator: out of memory for %u buckets", (unsigned)len);
    s->lo = (int32_t)lo;
    s->len = len;
    for (uint32_t i = 0; i < len; i++) {
        uint64_t c = cxi_rbuf_u64(r);
        if (c > UINT64_MAX - *total)
            return bad("bucket counts overflow");
        *total += c;
        s->counts[i] = c;
    }
    if (!s->counts[0] || !s->counts[len - 1])
        return bad("bucket range not trimmed");
    return CX_OK;
}

static int deserialize(cxi_mem *m, cxi_qacc *t, cxi_rbuf *r)
{
    uint32_t magic = cxi_rbuf_u32(r);
    uint8_t version = cxi_rbuf_u8(r);
    uint8_t mode = cxi_rbuf_u8(r);
    t->count = cxi_rbuf_u64(r);
    t->sum = cxi_rbuf_f64(r);
    t->sum_c = cxi_rbuf_f64(r);
    t->min = cxi_rbuf_f64(r);
    t->max = cxi_rbuf_f64(r);
    if (r->err)
        return r->err;
    if (magic != QACC_MAGIC)
        return bad("not a quantile accumulator (bad magic)");
    if (version != CXI_QACC_WIRE_VERSION)
        return cxi_fail(CX_EVERSION, "quantile accumulator: wire version %u, this library reads %u",
                        (unsigned)version, (unsigned)CXI_QACC_WIRE_VERSION);
    if (mode > 1)
        return bad("unknown mode");
    /* the sum may have overflowed (values near DBL_MAX): only its
     * compensation must be finite */
    if (!isfinite(t->sum_c) || !isfinite(t->min) || !isfinite(t->max))
        return bad("non-finite statistics");
    if (t->count == 0 && (t->sum != 0 || t->sum_c != 0 || t->min != 0 || t->max != 0))
        return bad("statistics of an empty accumulator");
    if (t->count && t->min > t->max)
        return bad("min > max");
    t->sketch = mode;
    if (!mode) {
        if (t->count > CXI_QACC_EXACT_MAX)
            return bad("too many exact values");
        if (cxi_rbuf_left(r) / 8 < t->count)
            return cxi_rbuf_take(r, (size_t)t->count * 8) ? CX_OK : r->err;
        if (t->count) {
            t->vals = cxi_alloc(m, (size_t)t->count * sizeof *t->vals);
            if (!t->vals)
                return cxi_fail(CX_ENOMEM, "quantile accumulator: out of memory");
            t->cap = (uint32_t)t->count;
        }
        double lo = INFINITY, hi = -INFINITY;
        t->sorted = 1;
        for (uint32_t i = 0; i < t->count; i++) {
            double v = cxi_rbuf_f64(r);
            if (!isfinite(v))
                return bad("non-finite value");
            if (v == 0)
                v = 0.0;
            t->vals[i] = v;
            if (i && v < t->vals[i - 1])
                t->sorted = 0;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        if (t->count && (lo != t->min || hi != t->max))
            return bad("min or max disagrees with the values");
        return CX_OK;
    }
    double alpha = cxi_rbuf_f64(r);
    t->zeros = cxi_rbuf_u64(r);
    if (r->err)
        return r->err;
    if (alpha != CXI_QACC_ALPHA)
        return cxi_fail(CX_EVERSION, "quantile accumulator: sketch of accuracy %g, this library uses %g", alpha,
                        CXI_QACC_ALPHA);
    uint64_t total = t->zeros;
    int rc = store_read(m, &t->pos, r, &total);
    if (!rc)
        rc = store_read(m, &t->neg, r, &total);
    if (rc)
        return rc;
    if (total != t->count || t->count == 0)
        return bad("bucket counts do not add up to the count");
    if ((t->pos.len && !(t->max > 0)) || (t->neg.len && !(t->min < 0)) ||
        (t->zeros && !(t->min <= 0 && t->max >= 0)))
        return bad("min or max disagrees with the buckets");
    if ((!t->pos.len && t->max > 0) || (!t->neg.len && t->min < 0))
        return bad("min or max disagrees with the buckets");
    return CX_OK;
}

int cxi_qacc_deserialize(cxi_mem *m, cxi_qacc *a, cxi_rbuf *r)
{
    cxi_qacc t;
    cxi_qacc_init(&t);
    size_t start = r->pos;
    int rc = r->err ? r->err : deserialize(m, &t, r);
    if (rc) {
        cxi_qacc_free(m, &t);
        if (!r->err)
            r->pos = start; /* a refused record consumes nothing */
        return rc;
    }
    cxi_qacc_free(m, a);
    *a = t;
    return CX_OK;
}
