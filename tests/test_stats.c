/* Tests of the private statistics layer: wire helpers, the quantile
 * accumulator (exact quantiles as numpy/pandas compute them, the sketch's
 * relative-error bound, merging, serialisation, refusal of bad input,
 * failure atomicity under a failing allocator) and the distributions,
 * intervals and tests (pinned on published or hand-computed values; the
 * references were computed with mpmath at 40 digits). */
#include "cx_test.h"

#include <float.h>

#include "../src/metrics/qacc.h"
#include "../src/base/stats.h"
#include "../src/metrics/wire.h"

/* ---- helpers --------------------------------------------------------- */

/* The accumulator's extremes and mode, read from its fields (the library
 * itself never needs them). */
static double qmin(const cxi_qacc *a) { return a->count ? a->min : NAN; }
static double qmax(const cxi_qacc *a) { return a->count ? a->max : NAN; }
static int qexact(const cxi_qacc *a) { return !a->sketch; }

static uint64_t rng_state;
static uint64_t rng_next(void) { return splitmix64(&rng_state); }
static double rng_unit(void) { return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0; } /* (0,1) */
static double rng_normal(void)
{
    return sqrt(-2.0 * log(rng_unit())) * cos(6.283185307179586 * rng_unit());
}
/* Handle times in ms: lognormal around e^10 ms (~6 min), heavy right tail. */
static double rng_duration(void) { return exp(10.0 + 1.5 * rng_normal()); }
/* Mixed signs and zeros: amounts with refunds. */
static double rng_amount(void)
{
    uint64_t r = rng_next() % 10;
    if (r == 0)
        return 0.0;
    double v = exp(3.0 + 2.0 * rng_normal());
    return r <= 2 ? -v : v;
}

/* Mixed signs and zeros over two decades. */
static double rng_narrow(void)
{
    uint64_t r = rng_next() % 10;
    double v = exp(4.6 * rng_unit());
    return r == 0 ? 0.0 : r <= 3 ? -v : v;
}

static size_t sketch_n(void)
{
    const char *e = getenv("CX_TEST_SKETCH_N");
    return e ? (size_t)strtoull(e, NULL, 10) : 200000;
}

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* numpy's default quantile ("linear", type 7) on sorted values. */
static double type7(const double *s, size_t n, double q, double *xk, double *xk1)
{
    double h = q * (double)(n - 1), fl = floor(h), t = h - fl;
    size_t k = (size_t)fl;
    double a = s[k], b = k + 1 < n ? s[k + 1] : a;
    if (xk)
        *xk = a, *xk1 = b;
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

static double quant(cxi_qacc *a, double q)
{
    double v;
    OK(cxi_qacc_quantile(&v, a, q));
    return v;
}

/* The serialised bytes of an accumulator: its whole observable state. */
typedef struct {
    uint8_t *p;
    size_t n;
} snap;

static snap snapshot(const cxi_qacc *a)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_wbuf b;
    cxi_wbuf_init(&b, &m);
    OK(cxi_qacc_serialize(a, &b));
    snap s = {malloc(b.len ? b.len : 1), b.len};
    memcpy(s.p, b.data, b.len);
    cxi_wbuf_free(&b);
    return s;
}

static void snap_eq(snap x, snap y)
{
    ck_assert_uint_eq(x.n, y.n);
    ck_assert_msg(memcmp(x.p, y.p, x.n) == 0, "accumulator changed");
}

static uint64_t store_at(const cxi_qstore *s, int32_t i)
{
    return (s->len && i >= s->lo && i < s->lo + (int32_t)s->len) ? s->counts[i - s->lo] : 0;
}

/* Same bucket counts, whatever the allocated ranges. */
static void same_buckets(const cxi_qacc *a, const cxi_qacc *b)
{
    ck_assert_uint_eq(a->zeros, b->zeros);
    const cxi_qstore *sa[2] = {&a->pos, &a->neg}, *sb[2] = {&b->pos, &b->neg};
    for (int k = 0; k < 2; k++) {
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        const cxi_qstore *all[2] = {sa[k], sb[k]};
        for (int j = 0; j < 2; j++)
            if (all[j]->len) {
                lo = all[j]->lo < lo ? all[j]->lo : lo;
                hi = all[j]->lo + (int32_t)all[j]->len - 1 > hi ? all[j]->lo + (int32_t)all[j]->len - 1 : hi;
            }
        for (int32_t i = lo; i <= hi; i++)
            EXPECT(store_at(sa[k], i) == store_at(sb[k], i), "bucket %d of store %d differs", i, k);
    }
}

static const double QS[] = {0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1};
#define NQS (sizeof QS / sizeof QS[0])

static void same_quantiles(cxi_qacc *a, cxi_qacc *b)
{
    ck_assert_uint_eq(cxi_qacc_count(a), cxi_qacc_count(b));
    ck_assert(qmin(a) == qmin(b));
    ck_assert(qmax(a) == qmax(b));
    ck_assert_int_eq(qexact(a), qexact(b));
    NEAR(cxi_qacc_sum(a), cxi_qacc_sum(b), 1e-12 * fabs(cxi_qacc_sum(b)) + 1e-9);
    for (size_t i = 0; i < NQS; i++) {
        double x = quant(a, QS[i]), y = quant(b, QS[i]);
        EXPECT(x == y, "q=%g: %.17g vs %.17g", QS[i], x, y);
    }
}

/* ---- wire ------------------------------------------------------------ */

START_TEST(wire_little_endian)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_wbuf b;
    cxi_wbuf_init(&b, &m);
    OK(cxi_wbuf_u8(&b, 0xAB));
    OK(cxi_wbuf_u32(&b, 0x01020304u));
    OK(cxi_wbuf_u64(&b, 0x0102030405060708ULL));
    OK(cxi_wbuf_i64(&b, -2));
    OK(cxi_wbuf_f64(&b, 1.0));
    OK(cxi_wbuf_f64(&b, -0.1));
    static const uint8_t want[] = {0xAB, 4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0,  0, 0, 0, 0, 0, 0xF0, 0x3F};
    ck_assert_uint_eq(b.len, sizeof want + 8);
    ck_assert(memcmp(b.data, want, sizeof want) == 0);

    cxi_rbuf r;
    cxi_rbuf_init(&r, b.data, b.len);
    ck_assert_uint_eq(cxi_rbuf_u8(&r), 0xAB);
    ck_assert_uint_eq(cxi_rbuf_u32(&r), 0x01020304u);
    ck_assert(cxi_rbuf_u64(&r) == 0x0102030405060708ULL);
    ck_assert(cxi_rbuf_i64(&r) == -2);
    ck_assert(cxi_rbuf_f64(&r) == 1.0);
    ck_assert(cxi_rbuf_f64(&r) == -0.1);
    ck_assert_int_eq(r.err, CX_OK);
    ck_assert_uint_eq(cxi_rbuf_left(&r), 0);
    /* past the end: zero, sticky CX_EPARSE, nothing consumed */
    ck_assert_uint_eq(cxi_rbuf_u8(&r), 0);
    ck_assert_int_eq(r.err, CX_EPARSE);
    ck_assert_int_eq(cx_last_error_code(), CX_EPARSE);

    cxi_rbuf_init(&r, b.data, 3);
    ck_assert_uint_eq(cxi_rbuf_u8(&r), 0xAB);
    ck_assert_uint_eq(cxi_rbuf_u32(&r), 0); /* only 2 left */
    ck_assert_int_eq(r.err, CX_EPARSE);
    ck_assert_uint_eq(r.pos, 1);
    ck_assert_uint_eq(cxi_rbuf_u8(&r), 0); /* sticky even though a byte remains */
    ck_assert(cxi_rbuf_i64(&r) == 0 && cxi_rbuf_f64(&r) == 0.0);
    cxi_wbuf_free(&b);
    ck_assert_uint_eq(m.bytes, 0);

    /* extreme i64 values round trip */
    cxi_wbuf_init(&b, &m);
    cxi_wbuf_i64(&b, INT64_MIN);
    cxi_wbuf_i64(&b, INT64_MAX);
    cxi_rbuf_init(&r, b.data, b.len);
    ck_assert(cxi_rbuf_i64(&r) == INT64_MIN);
    ck_assert(cxi_rbuf_i64(&r) == INT64_MAX);
    cxi_wbuf_free(&b);
}
END_TEST

START_TEST(wire_out_of_memory_is_sticky)
{
    cxt_alloc f = {0};
    cxt_alloc_allow(&f, 0);
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &f);
    cxi_wbuf b;
    cxi_wbuf_init(&b, &m);
    ck_assert_int_eq(cxi_wbuf_u32(&b, 7), CX_ENOMEM);
    cxt_alloc_allow(&f, -1);
    ck_assert_int_eq(cxi_wbuf_u8(&b, 1), CX_ENOMEM); /* sticky */
    ck_assert_uint_eq(b.len, 0);
    cxi_wbuf_free(&b);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* ---- quantile accumulator: exact mode --------------------------------- */

static void add_all(cxi_mem *m, cxi_qacc *a, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        OK(cxi_qacc_add(m, a, v[i]));
}

START_TEST(exact_quantiles_match_numpy)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc a;
    cxi_qacc_init(&a);

    /* empty: NaN and CX_OK */
    double v = 0;
    OK(cxi_qacc_quantile(&v, &a, 0.5));
    ck_assert(isnan(v));
    ck_assert(isnan(qmin(&a)) && isnan(qmax(&a)) && isnan(cxi_qacc_mean(&a)));
    ck_assert(cxi_qacc_sum(&a) == 0 && cxi_qacc_count(&a) == 0 && qexact(&a));

    /* one value: every quantile is that value */
    OK(cxi_qacc_add(&m, &a, 7.25));
    for (size_t i = 0; i < NQS; i++)
        ck_assert(quant(&a, QS[i]) == 7.25);
    cxi_qacc_free(&m, &a);

    /* numpy.percentile([1, 2, 3, 4], [50, 90]) == [2.5, 3.7] */
    add_all(&m, &a, (double[]){4, 1, 3, 2}, 4);
    ck_assert(quant(&a, 0.5) == 2.5);
    ck_assert(quant(&a, 0.9) == 3.7);
    ck_assert(quant(&a, 0) == 1 && quant(&a, 1) == 4);
    ck_assert(quant(&a, 0.25) == 1.75);
    ck_assert(cxi_qacc_mean(&a) == 2.5 && cxi_qacc_sum(&a) == 10);
    /* adds after a read are seen (re-sort) */
    OK(cxi_qacc_add(&m, &a, 0));
    ck_assert(quant(&a, 0.5) == 2);
    ck_assert(quant(&a, 0) == 0);
    cxi_qacc_free(&m, &a);

    /* pandas Series([10, 20, 30, 40, 50, 60]).quantile(0.25) == 22.5; median 35 */
    add_all(&m, &a, (double[]){60, 50, 40, 30, 20, 10}, 6);
    ck_assert(quant(&a, 0.25) == 22.5);
    ck_assert(quant(&a, 0.5) == 35);
    ck_assert(quant(&a, 0.1) == 15);
    cxi_qacc_free(&m, &a);

    /* ties at the interpolation boundaries: sorted 1 5 5 5 */
    add_all(&m, &a, (double[]){5, 5, 1, 5}, 4);
    ck_assert(quant(&a, 1.0 / 3) == 5);  /* h = 1 exactly */
    ck_assert(quant(&a, 0.5) == 5);      /* between two 5s */
    NEAR(quant(&a, 0.2), 3.4, 1e-15);
    ck_assert(quant(&a, 0.2) == type7((double[]){1, 5, 5, 5}, 4, 0.2, NULL, NULL));
    ck_assert(quant(&a, 1) == 5 && quant(&a, 0) == 1);
    cxi_qacc_free(&m, &a);

    /* zero, -0.0 and negatives are values like any other */
    add_all(&m, &a, (double[]){2, -3, -0.0, 0.0, -1}, 5);
    ck_assert(quant(&a, 0.5) == 0);
    ck_assert(!signbit(quant(&a, 0.5)));
    ck_assert(quant(&a, 0) == -3 && qmin(&a) == -3 && qmax(&a) == 2);
    ck_assert(quant(&a, 0.125) == -2); /* h = 0.5: -3 + 0.5 * 2 */
    cxi_qacc_free(&m, &a);

    /* q outside [0, 1] is refused */
    OK(cxi_qacc_add(&m, &a, 1));
    ck_assert_int_eq(cxi_qacc_quantile(&v, &a, 1.5), CX_EINVAL);
    ck_assert(isnan(v));
    ck_assert_int_eq(cxi_qacc_quantile(&v, &a, -0.1), CX_EINVAL);
    ck_assert_int_eq(cxi_qacc_quantile(&v, &a, NAN), CX_EINVAL);
    cxi_qacc_free(&m, &a);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

START_TEST(exact_matches_sorting_up_to_threshold)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc a;
    cxi_qacc_init(&a);
    static double v[CXI_QACC_EXACT_MAX];
    rng_state = 11;
    for (size_t i = 0; i < CXI_QACC_EXACT_MAX; i++)
        v[i] = floor(rng_duration() / 1000); /* seconds: many ties */
    add_all(&m, &a, v, CXI_QACC_EXACT_MAX);
    ck_assert(qexact(&a));
    qsort(v, CXI_QACC_EXACT_MAX, sizeof *v, cmp_d);
    for (int i = 0; i <= 1000; i++) {
        double q = i / 1000.0;
        EXPECT(quant(&a, q) == type7(v, CXI_QACC_EXACT_MAX, q, NULL, NULL), "q = %g", q);
    }
    /* one more value turns it into a sketch */
    OK(cxi_qacc_add(&m, &a, 1));
    ck_assert(!qexact(&a));
    ck_assert_uint_eq(cxi_qacc_count(&a), CXI_QACC_EXACT_MAX + 1);
    cxi_qacc_free(&m, &a);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

START_TEST(add_refuses_non_finite)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc a;
    cxi_qacc_init(&a);
    OK(cxi_qacc_add(&m, &a, 3));
    ck_assert_int_eq(cxi_qacc_add(&m, &a, NAN), CX_ERANGE);
    ck_assert_int_eq(cx_last_error_code(), CX_ERANGE);
    ck_assert_int_eq(cxi_qacc_add(&m, &a, INFINITY), CX_ERANGE);
    ck_assert_int_eq(cxi_qacc_add(&m, &a, -INFINITY), CX_ERANGE);
    ck_assert_uint_eq(cxi_qacc_count(&a), 1);
    ck_assert(cxi_qacc_sum(&a) == 3);
    /* the extremes of the finite range are accepted, in both modes */
    double ext[] = {DBL_MAX, -DBL_MAX, DBL_MIN, 4.9406564584124654e-324, -4.9406564584124654e-324};
    add_all(&m, &a, ext, 5);
    for (int i = 0; i < CXI_QACC_EXACT_MAX; i++)
        OK(cxi_qacc_add(&m, &a, 1.0));
    add_all(&m, &a, ext, 5);
    ck_assert(!qexact(&a));
    ck_assert(quant(&a, 0) == -DBL_MAX && quant(&a, 1) == DBL_MAX);
    ck_assert(isfinite(quant(&a, 0.001)) && isfinite(quant(&a, 0.999)));
    cxi_qacc_free(&m, &a);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* ---- quantile accumulator: sketch mode -------------------------------- */

START_TEST(bucket_index_definition)
{
    ck_assert_int_eq(cxi_qacc_index(1.0), 0);
    ck_assert_int_eq(cxi_qacc_index(1.0000001), 1);
    ck_assert_int_eq(cxi_qacc_index(0.9999999), 0);
    double gamma = (1 + CXI_QACC_ALPHA) / (1 - CXI_QACC_ALPHA);
    ck_assert_int_eq(cxi_qacc_index(gamma * 1.0000001), 2);
    ck_assert_int_eq(cxi_qacc_index(gamma / 1.0000001), 1);
    ck_assert_int_eq(cxi_qacc_index(DBL_MAX), 70978);
    ck_assert_int_eq(cxi_qacc_index(4.9406564584124654e-324), -74443);
    /* every bucket's representative is within alpha of its values */
    rng_state = 5;
    for (int i = 0; i < 100000; i++) {
        double x = exp((rng_unit() - 0.5) * 1400);
        int32_t k = cxi_qacc_index(x);
        double rep = (1 - CXI_QACC_ALPHA) * pow(gamma, k);
        EXPECT(fabs(rep - x) <= CXI_QACC_ALPHA * x * (1 + 1e-9), "x=%g k=%d", x, k);
    }
}
END_TEST

/* Relative error <= alpha against numpy's quantile of the same values, for
 * positive data; for mixed signs the documented absolute bound. */
static void check_accuracy(double (*gen)(void), uint64_t seed, int positive)
{
    size_t n = sketch_n();
    double *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc a;
    cxi_qacc_init(&a);
    rng_state = seed;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = gen();
        sum += v[i];
        OK(cxi_qacc_add(&m, &a, v[i]));
    }
    ck_assert(!qexact(&a));
    ck_assert_uint_eq(cxi_qacc_count(&a), n);
    NEAR(cxi_qacc_sum(&a), sum, 1e-9 * fabs(sum));
    qsort(v, n, sizeof *v, cmp_d);
    ck_assert(qmin(&a) == v[0] && qmax(&a) == v[n - 1]);
    const double qs[] = {0.5, 0.9, 0.99, 0.001, 0.01, 0.1, 0.25, 0.75, 0.95, 0.999, 0.9999};
    double worst = 0;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double xk, xk1;
        double exact = type7(v, n, qs[i], &xk, &xk1);
        double est = quant(&a, qs[i]);
        double bound = positive ? CXI_QACC_ALPHA * fabs(exact)
                                : CXI_QACC_ALPHA * (fabs(xk) > fabs(xk1) ? fabs(xk) : fabs(xk1));
        ck_assert_msg(fabs(est - exact) <= bound * (1 + 1e-9), "q=%g: sketch %.10g, exact %.10g (bound %g)",
                      qs[i], est, exact, bound);
        if (exact != 0 && fabs(est - exact) / fabs(exact) > worst)
            worst = fabs(est - exact) / fabs(exact);
    }
    ck_assert(quant(&a, 0) == v[0] && quant(&a, 1) == v[n - 1]);
    ck_assert(worst > 0); /* it is a sketch */
    cxi_qacc_free(&m, &a);
    ck_assert_uint_eq(m.bytes, 0);
    free(v);
}

START_TEST(sketch_relative_error_durations) { check_accuracy(rng_duration, 42, 1); }
END_TEST

START_TEST(sketch_error_mixed_signs) { check_accuracy(rng_amount, 43, 0); }
END_TEST

START_TEST(sketch_add_is_amortised)
{
    cxt_alloc f = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &f);
    cxi_qacc a;
    cxi_qacc_init(&a);
    rng_state = 3;
    for (int i = 0; i < 100000; i++)
        OK(cxi_qacc_add(&m, &a, rng_duration()));
    /* exact growth 16 -> 4096 (9), one conversion, a few range growths */
    ck_assert_msg(cxt_alloc_granted(&f) < 40, "%zu allocations for 1e5 adds", cxt_alloc_granted(&f));
    size_t bytes = m.bytes;
    ck_assert_msg(bytes < 64 * 1024, "%zu bytes", bytes);
    cxi_qacc_free(&m, &a);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* ---- merging ---------------------------------------------------------- */

static void merge_partition(size_t n, int parts, double (*gen)(void), uint64_t seed)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc one, *p = malloc((size_t)parts * sizeof *p), all;
    cxi_qacc_init(&one);
    cxi_qacc_init(&all);
    for (int k = 0; k < parts; k++)
        cxi_qacc_init(&p[k]);
    rng_state = seed;
    for (size_t i = 0; i < n; i++) {
        double x = gen();
        OK(cxi_qacc_add(&m, &one, x));
        /* skewed partition: part 0 gets few values so that exact and
         * sketch accumulators meet */
        uint64_t r = rng_next() % (uint64_t)(parts * 64);
        int k = r == 0 ? 0 : 1 + (int)(r % (uint64_t)(parts - 1));
        OK(cxi_qacc_add(&m, &p[k], x));
    }
    /* merge in a shuffled order, and through a middle accumulator */
    int order[64];
    for (int k = 0; k < parts; k++)
        order[k] = k;
    for (int k = parts - 1; k > 0; k--) {
        int j = (int)(rng_next() % (uint64_t)(k + 1)), t = order[k];
        order[k] = order[j];
        order[j] = t;
    }
    for (int k = 1; k < parts; k++)
        OK(cxi_qacc_merge(&m, &p[order[0]], &p[order[k]]));
    OK(cxi_qacc_merge(&m, &all, &p[order[0]]));
    same_quantiles(&all, &one);
    if (!qexact(&one))
        same_buckets(&all, &one);
    for (int k = 0; k < parts; k++)
        cxi_qacc_free(&m, &p[k]);
    cxi_qacc_free(&m, &one);
    cxi_qacc_free(&m, &all);
    free(p);
    ck_assert_uint_eq(m.bytes, 0);
}

START_TEST(merge_exact_partition_is_one_pass) { merge_partition(3000, 5, rng_amount, 7); }
END_TEST

START_TEST(merge_sketch_partition_is_one_pass)
{
    merge_partition(sketch_n(), 8, rng_duration, 8);
    merge_partition(sketch_n() / 4, 6, rng_amount, 9);
    /* exact + exact crossing the threshold */
    merge_partition(CXI_QACC_EXACT_MAX + 500, 2, rng_amount, 10);
}
END_TEST

START_TEST(merge_with_itself_doubles)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    size_t sizes[] = {10, 3000, 20000};
    for (int s = 0; s < 3; s++) {
        cxi_qacc a, twice;
        cxi_qacc_init(&a);
        cxi_qacc_init(&twice);
        rng_state = 100 + (uint64_t)s;
        for (size_t i = 0; i < sizes[s]; i++) {
            double x = rng_amount();
            OK(cxi_qacc_add(&m, &a, x));
            OK(cxi_qacc_add(&m, &twice, x));
            OK(cxi_qacc_add(&m, &twice, x));
        }
        OK(cxi_qacc_merge(&m, &a, &a));
        same_quantiles(&a, &twice);
        if (!qexact(&a))
            same_buckets(&a, &twice);
        cxi_qacc_free(&m, &a);
        cxi_qacc_free(&m, &twice);
    }
    /* empty into empty, empty into full */
    cxi_qacc e, f;
    cxi_qacc_init(&e);
    cxi_qacc_init(&f);
    OK(cxi_qacc_merge(&m, &e, &f));
    ck_assert_uint_eq(cxi_qacc_count(&e), 0);
    OK(cxi_qacc_add(&m, &f, 2));
    OK(cxi_qacc_merge(&m, &f, &e));
    ck_assert_uint_eq(cxi_qacc_count(&f), 1);
    OK(cxi_qacc_merge(&m, &e, &f));
    ck_assert(quant(&e, 0.5) == 2 && qmin(&e) == 2);
    cxi_qacc_free(&m, &e);
    cxi_qacc_free(&m, &f);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* ---- serialisation ---------------------------------------------------- */

static void fill(cxi_mem *m, cxi_qacc *a, size_t n, double (*gen)(void), uint64_t seed)
{
    cxi_qacc_init(a);
    rng_state = seed;
    for (size_t i = 0; i < n; i++)
        OK(cxi_qacc_add(m, a, gen()));
}

START_TEST(serialize_round_trip)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc src[4];
    fill(&m, &src[0], 0, rng_amount, 1);
    fill(&m, &src[1], 100, rng_amount, 2);
    fill(&m, &src[2], 50000, rng_amount, 3);
    fill(&m, &src[3], 50000, rng_duration, 4);
    (void)quant(&src[1], 0.5); /* sorted state travels too */
    cxi_wbuf b;
    cxi_wbuf_init(&b, &m);
    for (int i = 0; i < 4; i++)
        OK(cxi_qacc_serialize(&src[i], &b));
    cxi_rbuf r;
    cxi_rbuf_init(&r, b.data, b.len);
    for (int i = 0; i < 4; i++) {
        cxi_qacc d;
        cxi_qacc_init(&d);
        OK(cxi_qacc_deserialize(&m, &d, &r));
        snap x = snapshot(&src[i]), y = snapshot(&d);
        snap_eq(x, y);
        free(x.p);
        free(y.p);
        ck_assert(cxi_qacc_sum(&d) == cxi_qacc_sum(&src[i]));
        if (cxi_qacc_count(&d))
            same_quantiles(&d, &src[i]);
        if (!qexact(&d))
            same_buckets(&d, &src[i]);
        /* and it keeps working */
        OK(cxi_qacc_add(&m, &d, 1.5));
        OK(cxi_qacc_merge(&m, &d, &src[i]));
        cxi_qacc_free(&m, &d);
    }
    ck_assert_uint_eq(cxi_rbuf_left(&r), 0);
    cxi_wbuf_free(&b);
    for (int i = 0; i < 4; i++)
        cxi_qacc_free(&m, &src[i]);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* Deserialises `p` into an accumulator holding one value: must fail with
 * `want` and leave the value there. */
static void refused(cxi_mem *m, const uint8_t *p, size_t n, int want, const char *why)
{
    cxi_qacc d;
    cxi_qacc_init(&d);
    OK(cxi_qacc_add(m, &d, 42));
    cxi_rbuf r;
    cxi_rbuf_init(&r, p, n);
    int rc = cxi_qacc_deserialize(m, &d, &r);
    EXPECT(rc == want, "len %zu: got %d, want %d", n, rc, want);
    EXPECT(strstr(cx_last_error(), why), "'%s' does not say '%s'", cx_last_error(), why);
    EXPECT(cxi_qacc_count(&d) == 1 && quant(&d, 0.5) == 42, "target changed");
    cxi_qacc_free(m, &d);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put_f64(uint8_t *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_u64(p, u);
}

START_TEST(deserialize_refuses_bad_input)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc ex, sk;
    fill(&m, &ex, 10, rng_amount, 1);
    fill(&m, &sk, 5000, rng_narrow, 2); /* a few hundred buckets: every truncation is tried */
    cxi_wbuf be, bs;
    cxi_wbuf_init(&be, &m);
    cxi_wbuf_init(&bs, &m);
    OK(cxi_qacc_serialize(&ex, &be));
    OK(cxi_qacc_serialize(&sk, &bs));

    /* every truncation */
    for (size_t n = 0; n < be.len; n++)
        refused(&m, be.data, n, CX_EPARSE, "truncated");
    for (size_t n = 0; n < bs.len; n++)
        refused(&m, bs.data, n, CX_EPARSE, "truncated");

    uint8_t *c = malloc(bs.len > be.len ? bs.len : be.len);
    /* header: magic 0, version 4, mode 5, count 6, sum 14, sum_c 22, min 30, max 38, body 46 */
#define MUTATE(buf, stmt, want, why)                                                                                    \
    do {                                                                                                           \
        memcpy(c, (buf).data, (buf).len);                                                                          \
        stmt;                                                                                                      \
        refused(&m, c, (buf).len, want, why);                                                                           \
    } while (0)
    MUTATE(be, c[0] ^= 1, CX_EPARSE, "magic");                  /* magic */
    MUTATE(be, c[4] = 2, CX_EVERSION, "version");                 /* version */
    MUTATE(be, c[4] = 0, CX_EVERSION, "version");
    MUTATE(be, c[5] = 2, CX_EPARSE, "mode");                   /* mode */
    MUTATE(be, put_u64(c + 6, 11), CX_EPARSE, "truncated");         /* count: truncated values */
    MUTATE(be, put_u64(c + 6, 0), CX_EPARSE, "empty");          /* empty, yet a sum */
    MUTATE(be, put_u64(c + 6, UINT64_MAX), CX_EPARSE, "too many"); /* absurd count */
    MUTATE(be, put_f64(c + 22, NAN), CX_EPARSE, "non-finite");       /* compensation */
    MUTATE(be, put_f64(c + 30, 1e300), CX_EPARSE, "min > max");     /* min > max */
    MUTATE(be, put_f64(c + 30, -1e300), CX_EPARSE, "disagrees");    /* min not among the values */
    MUTATE(be, put_f64(c + 46, NAN), CX_EPARSE, "non-finite value");       /* a value */
    MUTATE(be, put_f64(c + 46 + 8, INFINITY), CX_EPARSE, "non-finite value");

    /* sketch body at 46: alpha 46, zeros 54, pos lo 62, pos len 70, counts 74 */
    MUTATE(bs, put_f64(c + 46, 0.01), CX_EVERSION, "accuracy");                /* another alpha */
    MUTATE(bs, put_u64(c + 54, sk.zeros + 1), CX_EPARSE, "add up");          /* counts do not add up */
    MUTATE(bs, put_u64(c + 62, (uint64_t)INT64_MIN), CX_EPARSE, "out of bounds");   /* range out of bounds */
    MUTATE(bs, put_u64(c + 62, 80000), CX_EPARSE, "out of bounds");
    MUTATE(bs, (c[70] = 0xFF, c[71] = 0xFF, c[72] = 0xFF, c[73] = 0x7F), CX_EPARSE, "out of bounds"); /* huge len */
    MUTATE(bs, put_u64(c + 74, 0), CX_EPARSE, "trimmed");                     /* untrimmed */
    MUTATE(bs, put_u64(c + 74, UINT64_MAX), CX_EPARSE, "overflow");            /* overflowing counts */
    MUTATE(bs, put_f64(c + 38, -1), CX_EPARSE, "disagrees");                    /* max < 0 with positive buckets */
    MUTATE(bs, put_u64(c + 6, 0), CX_EPARSE, "empty");
#undef MUTATE

    /* random corruption: refused or accepted, never a crash or a leak, and
     * an accepted record is usable */
    rng_state = 77;
    for (int i = 0; i < 3000; i++) {
        cxi_wbuf *src = (i & 1) ? &bs : &be;
        memcpy(c, src->data, src->len);
        int flips = 1 + (int)(rng_next() % 3);
        for (int k = 0; k < flips; k++) {
            size_t at = (i & 2) ? (size_t)(rng_next() % 80 % src->len) : (size_t)(rng_next() % src->len);
            c[at] ^= (uint8_t)(1u << (rng_next() % 8));
        }
        cxi_qacc d;
        cxi_qacc_init(&d);
        cxi_rbuf r;
        cxi_rbuf_init(&r, c, src->len);
        if (cxi_qacc_deserialize(&m, &d, &r) == CX_OK) {
            double v;
            for (size_t j = 0; j < NQS; j++) {
                OK(cxi_qacc_quantile(&v, &d, QS[j]));
                EXPECT(!isnan(v) || cxi_qacc_count(&d) == 0, "NaN quantile");
            }
            OK(cxi_qacc_add(&m, &d, 1));
        }
        cxi_qacc_free(&m, &d);
    }
    free(c);
    cxi_wbuf_free(&be);
    cxi_wbuf_free(&bs);
    cxi_qacc_free(&m, &ex);
    cxi_qacc_free(&m, &sk);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* ---- failure atomicity ------------------------------------------------- */

typedef struct {
    size_t n;             /* values in the target before the operation */
    double (*gen)(void);
    const cxi_qacc *src;  /* merge / copy source */
    const cxi_wbuf *wire; /* deserialize input */
    int kind;             /* 0 add values, 1 merge, 2 deserialize */
    double add[3];
} atomic_case;

static int run_op(cxi_mem *m, cxi_qacc *a, const atomic_case *c)
{
    switch (c->kind) {
    case 0:
        for (int i = 0; i < 3; i++) {
            int rc = cxi_qacc_add(m, a, c->add[i]);
            if (rc)
                return rc;
        }
        return CX_OK;
    case 1:
        return cxi_qacc_merge(m, a, c->src);
    default: {
        cxi_rbuf r;
        cxi_rbuf_init(&r, c->wire->data, c->wire->len);
        return cxi_qacc_deserialize(m, a, &r);
    }
    }
}

/* Retries the operation with 0, 1, 2, ... allocations allowed: every
 * failure must be CX_ENOMEM and leave the target as it was and usable. */
static void check_atomic(const atomic_case *c)
{
    int failures = 0;
    for (long k = 0;; k++) {
        ck_assert_msg(k < 100, "never succeeded");
        cxt_alloc f = {0};
        cxi_mem m;
        cxi_mem_init(&m, cxt_alloc_fn, &f);
        cxi_qacc a;
        fill(&m, &a, c->n, c->gen, 1234);
        /* kind 0 adds one value at a time: only the last add may fail, so
         * snapshot after the ones that succeed */
        snap before = snapshot(&a);
        cxt_alloc_allow(&f, k);
        int rc = run_op(&m, &a, c);
        cxt_alloc_allow(&f, -1);
        if (rc == CX_OK) {
            free(before.p);
            cxi_qacc_free(&m, &a);
            ck_assert_uint_eq(m.bytes, 0);
            break;
        }
        failures++;
        ck_assert_int_eq(rc, CX_ENOMEM);
        if (c->kind != 0) {
            snap after = snapshot(&a);
            snap_eq(before, after);
            free(after.p);
        }
        free(before.p);
        /* usable: the same operation now succeeds */
        if (c->kind != 0)
            OK(run_op(&m, &a, c));
        else
            OK(cxi_qacc_add(&m, &a, c->add[2]));
        double v;
        OK(cxi_qacc_quantile(&v, &a, 0.5));
        cxi_qacc_free(&m, &a);
        ck_assert_uint_eq(m.bytes, 0);
    }
    ck_assert_msg(failures > 0, "the operation never allocated");
}

/* Adds that fail leave the accumulator unchanged: checked one add at a time. */
static void check_add_atomic(size_t n, double (*gen)(void), double v)
{
    cxt_alloc f = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &f);
    cxi_qacc a;
    fill(&m, &a, n, gen, 99);
    snap before = snapshot(&a);
    cxt_alloc_allow(&f, 0);
    ck_assert_int_eq(cxi_qacc_add(&m, &a, v), CX_ENOMEM);
    ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
    snap after = snapshot(&a);
    snap_eq(before, after);
    cxt_alloc_allow(&f, -1);
    OK(cxi_qacc_add(&m, &a, v));
    ck_assert_uint_eq(cxi_qacc_count(&a), n + 1);
    double q;
    OK(cxi_qacc_quantile(&q, &a, 1));
    ck_assert(q == qmax(&a));
    free(before.p);
    free(after.p);
    cxi_qacc_free(&m, &a);
    ck_assert_uint_eq(m.bytes, 0);
}

static double gen_one_two(void) { return 1 + rng_unit(); }

START_TEST(allocation_failure_leaves_accumulator_unchanged)
{
    check_add_atomic(0, gen_one_two, 5);                      /* first array */
    check_add_atomic(16, gen_one_two, 5);                     /* array growth */
    check_add_atomic(CXI_QACC_EXACT_MAX, gen_one_two, 5);     /* conversion to a sketch */
    check_add_atomic(CXI_QACC_EXACT_MAX + 10, gen_one_two, 1e9); /* bucket range growth up */
    check_add_atomic(CXI_QACC_EXACT_MAX + 10, gen_one_two, 1e-9); /* and down */
    check_add_atomic(CXI_QACC_EXACT_MAX + 10, gen_one_two, -3);  /* first negative */

    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc small, big, mixed, bigmixed;
    fill(&m, &small, 100, rng_amount, 1);
    fill(&m, &big, 3000, rng_amount, 2);
    fill(&m, &mixed, 20000, rng_amount, 3);
    fill(&m, &bigmixed, 20000, rng_amount, 4);
    cxi_wbuf w;
    cxi_wbuf_init(&w, &m);
    OK(cxi_qacc_serialize(&mixed, &w));

    atomic_case cases[] = {
        {.n = 0, .gen = gen_one_two, .kind = 0, .add = {1, 2, 3}},
        {.n = 20, .gen = gen_one_two, .kind = 1, .src = &small},        /* exact + exact, in place */
        {.n = 3000, .gen = gen_one_two, .kind = 1, .src = &big},        /* exact + exact -> sketch */
        {.n = 50, .gen = gen_one_two, .kind = 1, .src = &mixed},        /* exact + sketch */
        {.n = 20000, .gen = gen_one_two, .kind = 1, .src = &small},     /* sketch + exact, both signs */
        {.n = 20000, .gen = gen_one_two, .kind = 1, .src = &bigmixed},  /* sketch + sketch */
        {.n = 30, .gen = gen_one_two, .kind = 2, .wire = &w},           /* deserialize */
        {.n = 20000, .gen = gen_one_two, .kind = 2, .wire = &w},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_atomic(&cases[i]);
    cxi_wbuf_free(&w);
    cxi_qacc_free(&m, &small);
    cxi_qacc_free(&m, &big);
    cxi_qacc_free(&m, &mixed);
    cxi_qacc_free(&m, &bigmixed);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* ---- distributions ----------------------------------------------------- */

START_TEST(normal_quantile_and_cdf)
{
    REL(cxi_normal_quantile(0.975), 1.95996398454005423552, 1e-14);
    REL(cxi_normal_quantile(0.025), -1.95996398454005423552, 1e-14);
    REL(cxi_normal_quantile(0.3), -0.52440051270804078404, 1e-14);
    REL(cxi_normal_quantile(1e-10), -6.3613409024040562047, 1e-14);
    REL(cxi_normal_quantile(1 - 1e-10), 6.3613409024040562047, 1e-6); /* 1 - 1e-10 itself is rounded */
    REL(cxi_normal_quantile(1e-300), -37.047096299361199237, 1e-14);
    ck_assert(cxi_normal_quantile(0.5) == 0);
    ck_assert(cxi_normal_quantile(0) == -INFINITY && cxi_normal_quantile(1) == INFINITY);
    ck_assert(isnan(cxi_normal_quantile(-0.1)) && isnan(cxi_normal_quantile(1.1)) && isnan(cxi_normal_quantile(NAN)));
    REL(cxi_level_z(0.95), 1.95996398454005423552, 1e-14);
    ck_assert(isnan(cxi_level_z(1)) && isnan(cxi_level_z(0)));
    NEAR(cxi_normal_cdf(1.959963984540054), 0.975, 1e-15);
    NEAR(cxi_normal_cdf(0), 0.5, 0);
    ck_assert(isnan(cxi_normal_cdf(NAN)));
    /* inverse of each other across the range */
    for (int i = 1; i < 2000; i++) {
        double p = i / 2000.0;
        NEAR(cxi_normal_cdf(cxi_normal_quantile(p)), p, 2e-16 * 8);
        double tiny = pow(10, -i / 10.0);
        REL(cxi_normal_cdf(cxi_normal_quantile(tiny)), tiny, 1e-12);
    }
}
END_TEST

START_TEST(student_t)
{
    /* published table values */
    REL(cxi_student_t_quantile(0.975, 10), 2.2281388519862747484, 1e-12);
    NEAR(cxi_student_t_quantile(0.975, 10), 2.228139, 5e-7);
    REL(cxi_student_t_quantile(0.975, 1), 12.706204736174704646, 1e-13);
    NEAR(cxi_student_t_quantile(0.975, 1), 12.7062, 5e-5);
    REL(cxi_student_t_quantile(0.995, 3), 5.8409093097333572607, 1e-12);
    REL(cxi_student_t_quantile(0.999, 30), 3.3851848668293051234, 1e-12);
    REL(cxi_student_t_quantile(0.975, 1000), 1.9623390808264084850, 1e-12);
    REL(cxi_student_t_quantile(0.6, 7), 0.26316686135202281214, 1e-12);
    REL(cxi_student_t_quantile(0.95, 2.5), 2.5582186141359366234, 1e-12); /* fractional df */
    REL(cxi_student_t_quantile(0.01, 2.5), -5.3531111730308743158, 1e-12);
    REL(cxi_student_t_quantile(1e-10, 5), -156.82559270889431749, 1e-11);
    REL(cxi_student_t_quantile(0.975, 2), 4.3026527297494582, 1e-13); /* closed form */
    REL(cxi_student_t_quantile(0.975, INFINITY), 1.95996398454005423552, 1e-14);
    ck_assert(cxi_student_t_quantile(0.5, 3) == 0);
    ck_assert(cxi_student_t_quantile(0, 3) == -INFINITY && cxi_student_t_quantile(1, 3) == INFINITY);
    ck_assert(isnan(cxi_student_t_quantile(0.5, 0)) && isnan(cxi_student_t_quantile(2, 3)));

    REL(cxi_student_t_cdf(2, 5), 0.94903026058507082188, 1e-13);
    REL(cxi_student_t_cdf(-1.5, 17.776), 0.075583107168464939396, 1e-12);
    REL(cxi_student_t_cdf(50, 3), 0.99999119142397936401, 1e-14);
    REL(cxi_student_t_cdf(0.1, 4), 0.53742207953027335927, 1e-13);
    /* many degrees of freedom: the continued fraction, then the expansion */
    REL(cxi_student_t_cdf(-3, 99999), 0.0013502304453567145763, 5e-12);
    REL(cxi_student_t_cdf(-1.96, 1e6), 0.024998033792634893267, 1e-13);
    REL(cxi_student_t_cdf(-7, 1e9), 1.279813343174094465e-12, 1e-13);
    REL(cxi_student_t_quantile(0.975, 3e6), 1.9599647752974446128, 1e-14);
    REL(cxi_student_t_quantile(0.999, 2e5), 3.0902730573051987961, 1e-14);
    ck_assert(cxi_student_t_cdf(-40, 1e6) < 1e-300 && cxi_student_t_cdf(40, 1e6) == 1);
    ck_assert(cxi_student_t_cdf(0, 4) == 0.5);
    ck_assert(cxi_student_t_cdf(INFINITY, 4) == 1 && cxi_student_t_cdf(-INFINITY, 4) == 0);
    ck_assert(isnan(cxi_student_t_cdf(1, -1)) && isnan(cxi_student_t_cdf(NAN, 3)));
    NEAR(cxi_student_t_cdf(1e200, 3), 1, 0);

    /* quantile and cdf are inverses, integer and fractional df */
    const double dfs[] = {1, 1.5, 2, 3, 4.7, 10, 29, 100, 17.776, 1e4, 99999, 1e5, 3e6, 1e12};
    for (size_t j = 0; j < sizeof dfs / sizeof dfs[0]; j++)
        for (int i = 1; i < 200; i++) {
            double p = i / 200.0;
            double t = cxi_student_t_quantile(p, dfs[j]);
            NEAR(cxi_student_t_cdf(t, dfs[j]), p, 1e-13);
            double tiny = pow(10, -i / 10.0);
            t = cxi_student_t_quantile(tiny, dfs[j]);
            REL(cxi_student_t_cdf(t, dfs[j]), tiny, 1e-10);
        }

    /* the building blocks */
    for (double x = 0.01; x < 200; x *= 1.37)
        NEAR(cxi_lgamma(x), lgamma(x), 1e-13 * (fabs(lgamma(x)) + 1));
    NEAR(cxi_lgamma(0.5), 0.57236494292470008707, 1e-15);
    ck_assert(isnan(cxi_lgamma(0)) && isnan(cxi_lgamma(-1)));
}
END_TEST

/* ---- intervals ---------------------------------------------------------- */

START_TEST(wilson_interval)
{
    double lo, hi, z = cxi_level_z(0.95);
    OK(cxi_wilson(&lo, &hi, 8, 10, z));
    NEAR(lo, 0.4902, 5e-5); /* the published 4-decimal values */
    NEAR(hi, 0.9433, 5e-5);
    REL(lo, 0.49016247153664170326, 1e-13);
    REL(hi, 0.94331784854562474511, 1e-13);
    OK(cxi_wilson(&lo, &hi, 0, 10, z));
    ck_assert(lo == 0 && hi > 0 && hi < 0.35);
    OK(cxi_wilson(&lo, &hi, 10, 10, z));
    ck_assert(hi == 1 && lo > 0.65 && lo < 1);
    OK(cxi_wilson(NULL, &hi, 1, 2, z)); /* NULL: output not wanted */

    ck_assert_int_eq(cxi_wilson(&lo, &hi, 0, 0, z), CX_ERANGE);
    ck_assert(isnan(lo) && isnan(hi));
    ck_assert_int_eq(cx_last_error_code(), CX_ERANGE);
    ck_assert_int_eq(cxi_wilson(&lo, &hi, 11, 10, z), CX_EINVAL);
    ck_assert_int_eq(cxi_wilson(&lo, &hi, -1, 10, z), CX_EINVAL);
    ck_assert_int_eq(cxi_wilson(&lo, &hi, 5, 10, 0), CX_EINVAL);
    ck_assert_int_eq(cxi_wilson(&lo, &hi, NAN, 10, z), CX_EINVAL);
    ck_assert_int_eq(cxi_wilson(&lo, &hi, 5, INFINITY, z), CX_EINVAL);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

START_TEST(mean_interval)
{
    double lo, hi;
    /* mean 10, sd 2, n 25: 10 -+ t_{0.975,24} * 2/5 */
    OK(cxi_mean_ci(&lo, &hi, 10, 2, 25, 0.95));
    REL(lo, 9.1744405753487896603, 1e-12);
    REL(hi, 10.825559424651210340, 1e-12);
    OK(cxi_mean_ci(&lo, &hi, 3, 0, 5, 0.9));
    ck_assert(lo == 3 && hi == 3);
    ck_assert_int_eq(cxi_mean_ci(&lo, &hi, 10, 2, 1, 0.95), CX_ERANGE);
    ck_assert(isnan(lo) && isnan(hi));
    ck_assert_int_eq(cxi_mean_ci(&lo, &hi, 10, 2, 0, 0.95), CX_ERANGE);
    ck_assert_int_eq(cxi_mean_ci(&lo, &hi, 10, -2, 25, 0.95), CX_EINVAL);
    ck_assert_int_eq(cxi_mean_ci(&lo, &hi, 10, 2, 25, 1.0), CX_EINVAL);
    ck_assert_int_eq(cxi_mean_ci(&lo, &hi, NAN, 2, 25, 0.95), CX_EINVAL);
}
END_TEST

START_TEST(nps_interval)
{
    double nps, lo, hi, z = cxi_level_z(0.95);
    /* Rocks (2016)'s adjusted Wald: 3/4 promoter, 3/2 passive, 3/4 detractor
     * added. 50/30/20: n' = 103, P' = 50.75/103, D' = 20.75/103, centre
     * 100 * 30/103 = 29.1262, half 100 z sqrt((P' + D' - (P' - D')^2) / 103) */
    OK(cxi_nps_ci(&nps, &lo, &hi, 50, 30, 20, 0.95));
    NEAR(nps, 30, 1e-12); /* the estimate itself is not moved */
    REL(lo, 14.0511301787616, 1e-12);
    REL(hi, 44.2012970057044, 1e-12);
    NEAR((lo + hi) / 2, 100.0 * 30 / 103, 1e-9);
    /* one detractor: n' = 4, P' = 0.1875, D' = 0.4375, centre -25, var
     * (0.625 - 0.0625) / 4 = 0.140625, sd 0.375: -25 -+ 73.4986 (the plain
     * Wald interval was the point [-100, -100]) */
    OK(cxi_nps_ci(&nps, &lo, &hi, 0, 0, 1, 0.95));
    ck_assert(nps == -100);
    REL(lo, -25 - 100 * z * 0.375, 1e-12);
    REL(hi, -25 + 100 * z * 0.375, 1e-12);
    NEAR(lo, -98.4986, 1e-4);
    NEAR(hi, 48.4986, 1e-4);
    /* one promoter: the mirror image */
    OK(cxi_nps_ci(&nps, &lo, &hi, 1, 0, 0, 0.95));
    ck_assert(nps == 100);
    NEAR(lo, -48.4986, 1e-4);
    NEAR(hi, 98.4986, 1e-4);
    /* everyone a promoter: no longer a point; clipped at 100 */
    OK(cxi_nps_ci(&nps, &lo, &hi, 12, 0, 0, 0.95));
    ck_assert(nps == 100 && hi == 100);
    NEAR(lo, 54.1958750922716, 1e-9);
    /* 9 promoters and a detractor: centre 100 * 8/13, clipped above */
    OK(cxi_nps_ci(&nps, &lo, &hi, 9, 0, 1, 0.95));
    NEAR(nps, 80, 1e-12);
    ck_assert(hi == 100);
    NEAR(lo, 22.8736302124132, 1e-9);
    /* three detractors: clipped below */
    OK(cxi_nps_ci(&nps, &lo, &hi, 0, 0, 3, 0.95));
    ck_assert(nps == -100 && lo == -100);
    NEAR(hi, 6.57928670380857, 1e-9);
    /* all passives: symmetric about 0 */
    OK(cxi_nps_ci(&nps, &lo, &hi, 0, 5, 0, 0.95));
    ck_assert(nps == 0);
    NEAR(hi, 30.0056979772207, 1e-9);
    NEAR(lo, -hi, 1e-12);
    ck_assert_int_eq(cxi_nps_ci(&nps, &lo, &hi, 0, 0, 0, 0.95), CX_ERANGE);
    ck_assert(isnan(nps) && isnan(lo) && isnan(hi));
    ck_assert_int_eq(cxi_nps_ci(&nps, &lo, &hi, -1, 0, 3, 0.95), CX_EINVAL);
    ck_assert_int_eq(cxi_nps_ci(&nps, &lo, &hi, 1, 0, 3, 0), CX_EINVAL);
}
END_TEST

/* The reason for the adjusted interval, checked exactly: with 10 answers,
 * over a grid of true promoter and detractor shares, the probability that
 * the 95 % interval holds the true NPS (summed over every trinomial outcome)
 * is near 95 % on average and above 90 % everywhere; the plain Wald interval
 * fell to about 54 % where one category is rare. */
START_TEST(nps_interval_coverage)
{
    enum { N = 10 };
    double lfact[N + 1] = {0};
    for (int i = 1; i <= N; i++)
        lfact[i] = lfact[i - 1] + log((double)i);
    double sum = 0, worst = 1;
    int cells = 0;
    for (int a = 0; a < 19; a++)
        for (int b = 0; a + b < 19; b++) {
            double tp = a / 20.0 + 0.025, td = b / 20.0 + 0.025, ts = 1 - tp - td, cov = 0;
            for (int P = 0; P <= N; P++)
                for (int D = 0; P + D <= N; D++) {
                    int S = N - P - D;
                    double nps, lo, hi;
                    OK(cxi_nps_ci(&nps, &lo, &hi, P, S, D, 0.95));
                    ck_assert(lo >= -100 && hi <= 100 && lo < hi);
                    double truth = 100 * (tp - td);
                    if (lo <= truth && truth <= hi)
                        cov += exp(lfact[N] - lfact[P] - lfact[D] - lfact[S] + P * log(tp) + D * log(td) +
                                   S * log(ts));
                }
            sum += cov;
            worst = cov < worst ? cov : worst;
            cells++;
        }
    double mean = sum / cells;
    ck_assert_msg(mean > 0.94 && mean < 0.97, "mean coverage %g", mean);
    ck_assert_msg(worst > 0.9, "worst coverage %g", worst);
}
END_TEST

/* ---- tests ---------------------------------------------------------------- */

START_TEST(two_proportion_test)
{
    double z, p;
    /* 45/100 vs 30/100: pooled 0.375, se = sqrt(0.375 * 0.625 * 0.02) */
    OK(cxi_two_proportion_test(&z, &p, 45, 100, 30, 100));
    REL(z, 2.1908902300206644538, 1e-13);
    REL(p, 0.028459736916310577034, 1e-12);
    NEAR(z, 0.15 / sqrt(0.375 * 0.625 * 0.02), 1e-12);
    OK(cxi_two_proportion_test(&z, &p, 30, 100, 45, 100));
    REL(z, -2.1908902300206644538, 1e-13);
    REL(p, 0.028459736916310577034, 1e-12);
    OK(cxi_two_proportion_test(&z, &p, 5, 10, 50, 100));
    ck_assert(z == 0 && p == 1);
    ck_assert_int_eq(cxi_two_proportion_test(&z, &p, 0, 10, 0, 20), CX_ERANGE); /* 0 % vs 0 % */
    ck_assert(isnan(z) && isnan(p));
    ck_assert_int_eq(cxi_two_proportion_test(&z, &p, 0, 0, 3, 20), CX_ERANGE);
    ck_assert_int_eq(cxi_two_proportion_test(&z, &p, 11, 10, 3, 20), CX_EINVAL);
    OK(cxi_two_proportion_test(NULL, &p, 45, 100, 30, 100));
}
END_TEST

START_TEST(welch_test)
{
    /* R: t.test(extra ~ group, data = sleep) gives t = -1.8608,
     * df = 17.776, p-value = 0.07939 */
    const double g1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    const double g2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    double m[2] = {0, 0}, s[2] = {0, 0};
    const double *g[2] = {g1, g2};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 10; i++)
            m[k] += g[k][i] / 10;
        for (int i = 0; i < 10; i++)
            s[k] += (g[k][i] - m[k]) * (g[k][i] - m[k]) / 9;
        s[k] = sqrt(s[k]);
    }
    double t, df, p;
    OK(cxi_welch_t_test(&t, &df, &p, m[0], s[0], 10, m[1], s[1], 10));
    NEAR(t, -1.8608, 5e-5);
    NEAR(df, 17.776, 5e-4);
    NEAR(p, 0.07939, 5e-6);
    REL(t, -1.8608134674868531015, 1e-12);
    REL(df, 17.776473516178490143, 1e-12);
    REL(p, 0.079394140187358138337, 1e-11);
    /* the order of the groups only flips the sign */
    double t2, df2, p2;
    OK(cxi_welch_t_test(&t2, &df2, &p2, m[1], s[1], 10, m[0], s[0], 10));
    ck_assert(t2 == -t && df2 == df && p2 == p);
    /* degenerate */
    ck_assert_int_eq(cxi_welch_t_test(&t, &df, &p, 1, 1, 1, 2, 1, 10), CX_ERANGE);
    ck_assert(isnan(t) && isnan(df) && isnan(p));
    ck_assert_int_eq(cxi_welch_t_test(&t, &df, &p, 1, 0, 5, 2, 0, 10), CX_ERANGE);
    ck_assert_int_eq(cxi_welch_t_test(&t, &df, &p, 1, -1, 5, 2, 1, 10), CX_EINVAL);
    /* one group without spread: df is the other's n - 1 */
    OK(cxi_welch_t_test(&t, &df, &p, 1, 0, 5, 2, 1, 10));
    NEAR(df, 9, 1e-12);
}
END_TEST

START_TEST(nps_difference_test)
{
    double z, p;
    /* (50, 30, 20) vs (40, 30, 30): NPS 30 vs 10 */
    OK(cxi_nps_diff_test(&z, &p, 50, 30, 20, 40, 30, 30));
    REL(z, 1.7541160386140584294, 1e-13);
    REL(p, 0.079410625998942228347, 1e-12);
    NEAR(z, 0.2 / sqrt(0.0061 + (0.7 - 0.01) / 100), 1e-12); /* by hand */
    OK(cxi_nps_diff_test(&z, &p, 40, 30, 30, 50, 30, 20));
    REL(z, -1.7541160386140584294, 1e-13);
    ck_assert_int_eq(cxi_nps_diff_test(&z, &p, 0, 0, 0, 40, 30, 30), CX_ERANGE);
    ck_assert(isnan(z) && isnan(p));
    ck_assert_int_eq(cxi_nps_diff_test(&z, &p, 5, 0, 0, 7, 0, 0), CX_ERANGE); /* all promoters */
    ck_assert_int_eq(cxi_nps_diff_test(&z, &p, 5, -1, 0, 7, 0, 0), CX_EINVAL);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("stats");
    TCase *wire = tcase_create("wire");
    tcase_add_test(wire, wire_little_endian);
    tcase_add_test(wire, wire_out_of_memory_is_sticky);
    suite_add_tcase(su, wire);

    TCase *qacc = tcase_create("qacc");
    tcase_set_timeout(qacc, 120);
    tcase_add_test(qacc, exact_quantiles_match_numpy);
    tcase_add_test(qacc, exact_matches_sorting_up_to_threshold);
    tcase_add_test(qacc, add_refuses_non_finite);
    tcase_add_test(qacc, bucket_index_definition);
    tcase_add_test(qacc, sketch_relative_error_durations);
    tcase_add_test(qacc, sketch_error_mixed_signs);
    tcase_add_test(qacc, sketch_add_is_amortised);
    tcase_add_test(qacc, merge_exact_partition_is_one_pass);
    tcase_add_test(qacc, merge_sketch_partition_is_one_pass);
    tcase_add_test(qacc, merge_with_itself_doubles);
    suite_add_tcase(su, qacc);

    TCase *wirefmt = tcase_create("qacc_wire");
    tcase_set_timeout(wirefmt, 120);
    tcase_add_test(wirefmt, serialize_round_trip);
    tcase_add_test(wirefmt, deserialize_refuses_bad_input);
    tcase_add_test(wirefmt, allocation_failure_leaves_accumulator_unchanged);
    suite_add_tcase(su, wirefmt);

    TCase *dist = tcase_create("distributions");
    tcase_add_test(dist, normal_quantile_and_cdf);
    tcase_add_test(dist, student_t);
    suite_add_tcase(su, dist);

    TCase *ci = tcase_create("intervals_and_tests");
    tcase_add_test(ci, wilson_interval);
    tcase_add_test(ci, mean_interval);
    tcase_add_test(ci, nps_interval);
    tcase_add_test(ci, nps_interval_coverage);
    tcase_add_test(ci, two_proportion_test);
    tcase_add_test(ci, welch_test);
    tcase_add_test(ci, nps_difference_test);
    suite_add_tcase(su, ci);

    return run_suite(su);
}
