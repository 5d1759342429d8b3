/* The quantile sketch's bucket index from its tables (issue 14): for
 * 1 <= x < 2^QACC_TAB_BINADES, cxi_qacc_index() reads qacc_table.h instead
 * of calling log(); it must give the very integer of the definition,
 * ceil(log(x) / ln gamma), computed here with this platform's log(): at and
 * around every bucket boundary of the tables, at every slice of every
 * binade, at the edges of the tabled range and at a million values spread
 * over it and beyond. Private function: links the internal archive. */
#include "cx_test.h"

#include <float.h>

#include "../src/metrics/qacc.h"
#include "../src/metrics/qacc_table.h"

#define LN_GAMMA 0.010000083334583355655 /* as in qacc.c */

/* The tables were generated with glibc's log(); another libm may round
 * log() differently by an ulp, and move a bucket boundary by a few doubles
 * (the tables are then the definition, the same on every platform): there
 * only the doubles within 4 ulps of a boundary may disagree. */
#ifdef __GLIBC__
#define NEAR_BOUNDARY_ULPS 0
#else
#define NEAR_BOUNDARY_ULPS 4
#endif

/* The definition, as qacc.c computed it for every x before the tables. */
static int32_t by_log(double x)
{
    double i = ceil(log(x) / LN_GAMMA);
    return i < -74460 ? -74460 : i > 70990 ? 70990 : (int32_t)i;
}

START_TEST(index_equals_log_at_every_boundary)
{
    const size_t nb = sizeof qacc_tab_b / sizeof qacc_tab_b[0];
    size_t checked = 0;
    for (size_t k = 0; k < nb; k++) {
        /* the boundary is the last double of bucket k */
        if (!NEAR_BOUNDARY_ULPS)
            ck_assert_int_eq(by_log(qacc_tab_b[k]), (int32_t)k);
        double lo = qacc_tab_b[k], hi = qacc_tab_b[k];
        for (int u = 0; u < 64; u++) {
            lo = nextafter(lo, 0);
            hi = nextafter(hi, INFINITY);
            if (u < NEAR_BOUNDARY_ULPS)
                continue;
            EXPECT(cxi_qacc_index(lo) == by_log(lo), "x=%a: %d, log gives %d", lo, cxi_qacc_index(lo), by_log(lo));
            EXPECT(cxi_qacc_index(hi) == by_log(hi), "x=%a: %d, log gives %d", hi, cxi_qacc_index(hi), by_log(hi));
            checked += 2;
        }
        EXPECT(cxi_qacc_index(qacc_tab_b[k]) == (int32_t)k, "boundary %zu", k);
    }
    ck_assert_uint_ge(checked, 100 * 3000);
}
END_TEST

START_TEST(index_equals_log_at_every_slice)
{
    /* the first and last double of each mantissa slice of each binade */
    for (int e = 0; e < QACC_TAB_BINADES; e++)
        for (int s = 0; s < (1 << QACC_TAB_SLICE_BITS); s++) {
            double first = ldexp(1.0 + (double)s / (1 << QACC_TAB_SLICE_BITS), e);
            double next = ldexp(1.0 + (double)(s + 1) / (1 << QACC_TAB_SLICE_BITS), e);
            double last = nextafter(next, 0);
            EXPECT(cxi_qacc_index(first) == by_log(first), "x=%a", first);
            EXPECT(cxi_qacc_index(last) == by_log(last), "x=%a", last);
        }
    /* the edges of the tabled range and beyond it (log() again) */
    const double top = ldexp(1.0, QACC_TAB_BINADES);
    const double edge[] = {1.0, nextafter(1.0, 0), nextafter(1.0, 2), top, nextafter(top, 0), nextafter(top, INFINITY),
                           0.5, 1e-300, DBL_MIN, 4.9406564584124654e-324, 1e300, DBL_MAX};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        EXPECT(cxi_qacc_index(edge[i]) == by_log(edge[i]), "x=%a", edge[i]);
}
END_TEST

START_TEST(index_equals_log_on_values)
{
    /* every whole number of milliseconds up to 10^6 (a quarter of an hour) */
    for (int n = 1; n <= 1000000; n++)
        EXPECT(cxi_qacc_index(n) == by_log(n), "x=%d", n);
    /* a million values log-uniform over [2^-4, 2^48], whole or not */
    uint64_t st = 14;
    for (int i = 0; i < 1000000; i++) {
        double u = (double)(splitmix64(&st) >> 11) / 9007199254740992.0;
        double x = exp2(-4 + 52 * u);
        if (i % 2)
            x = floor(x) > 0 ? floor(x) : x;
        EXPECT(cxi_qacc_index(x) == by_log(x), "x=%a", x);
    }
}
END_TEST

/* The index feeds the sketch: a sketch of durations counts each in the
 * bucket of the definition (the serialised counts equal those of a sketch
 * counted by log()). */
START_TEST(sketch_counts_by_definition)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_qacc a;
    cxi_qacc_init(&a);
    enum { N = 20000 };
    static double v[N];
    uint64_t st = 7;
    for (int i = 0; i < N; i++) {
        double u = (double)(splitmix64(&st) >> 11) / 9007199254740992.0;
        v[i] = floor(exp(4 + 16 * u)); /* 55 ms .. 6 days */
        ck_assert_int_eq(cxi_qacc_add(&m, &a, v[i]), CX_OK);
    }
    ck_assert(a.sketch);
    int32_t lo = by_log(v[0]), hi = lo;
    for (int i = 1; i < N; i++) {
        int32_t k = by_log(v[i]);
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
    }
    uint64_t *want = calloc((size_t)(hi - lo + 1), sizeof *want);
    ck_assert_ptr_nonnull(want);
    for (int i = 0; i < N; i++)
        want[by_log(v[i]) - lo]++;
    for (int32_t k = lo; k <= hi; k++) {
        uint64_t have = k >= a.pos.lo && k < a.pos.lo + (int32_t)a.pos.len ? a.pos.counts[k - a.pos.lo] : 0;
        EXPECT(have == want[k - lo], "bucket %d: %llu, by log() %llu", k, (unsigned long long)have,
               (unsigned long long)want[k - lo]);
    }
    free(want);
    cxi_qacc_free(&m, &a);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("query_qacc");
    TCase *tc = tcase_create("index");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, index_equals_log_at_every_boundary);
    tcase_add_test(tc, index_equals_log_at_every_slice);
    tcase_add_test(tc, index_equals_log_on_values);
    tcase_add_test(tc, sketch_counts_by_definition);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
