/* Tests of attribution from path counts (cx_paths_*) and of the journeys'
 * path counts (cx_journeys_path_counts): a chain solved by hand, the same
 * Markov and heuristic columns as cx_journeys_attribution() on generated
 * journeys of orders 1 to 3 (also when the counts are split in two shards
 * and merged), counts of a path added twice, refused input that changes
 * nothing, separators, and running out of memory. Public API only. */
#include "cx_test.h"

#include <sys/wait.h> /* waitpid: the writer of a pipe */

#define T0 (1704067200000LL) /* 2024-01-01 */
#define EXACT(x, ref) NEAR(x, ref, 1e-9 * (1 + fabs((double)(ref))))

/* Three paths: a > b (1 conversion worth 10), a (1 null), b (1 conversion
 * worth 20, 1 null). Order 1: START -> a 2, START -> b 2, a -> b 1,
 * a -> DROP 1, b -> CONV 2, b -> DROP 1. P(conv) = 1/2 * 1/2 * 2/3 +
 * 1/2 * 2/3 = 1/2; without a: 1/3 (effect 1/3); without b: 0 (effect 1).
 * Markov: a = (1/3) / (4/3) * 2 = 0.5, b = 1.5; b's conversions are worth
 * 15 on average, so the value effects are the same and markov_value is
 * 7.5 and 22.5 of the 30. */
/* A path that goes back and forth between two channels 60000 times: the
 * iteration settles ever more slowly and gave up ("did not converge in
 * 100000 sweeps") on a valid table of four states; the exact solve takes
 * over. The removal effects of an independent dense solve of the same
 * chain (numpy), and attribution summing to the conversions and values. */
START_TEST(slow_chain_solved_exactly)
{
    enum { STEPS = 60000 };
    char *path = malloc(4 * STEPS + 1), *w = path;
    ck_assert_ptr_nonnull(path);
    for (int i = 0; i < STEPS; i++)
        w += sprintf(w, i ? " > %c" : "%c", i % 2 ? 'b' : 'a');
    cx_paths *p;
    OK(cx_paths_new(&p));
    OK(cx_paths_add(p, path, ">", 1, 0, 10));
    OK(cx_paths_add(p, "b", ">", 0, 1, 0));
    OK(cx_paths_add(p, "c > a", ">", 1, 3, 5));
    free(path);
    cx_result *r;
    OK(cx_paths_attribution(&r, p, 1));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    static const char *const names[] = {"a", "b", "c"};
    static const double want[] = {0.9999833338888704, 0.9999166777762964, 0.6666629630452656};
    double sum = 0, sumv = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t k = result_row(r, "name", names[i]);
        NEAR(result_real(r, k, "removal_effect"), want[i], 1e-9);
        sum += result_real(r, k, "markov");
        sumv += result_real(r, k, "markov_value");
    }
    NEAR(sum, 2, 1e-12);
    NEAR(sumv, 15, 1e-11);
    cx_result_free(r);
    cx_paths_free(p);
}
END_TEST

/* Long paths that wander among 40 channels: the iteration would take
 * hundreds of sweeps per removal, so the removal effects come from the
 * chain's fundamental matrix instead (one inversion, then a small system a
 * removal). Checked against a plain dense solve of each removal here:
 * (I - Q) x = b with the channel's row and column of Q and its b zeroed. */
enum { WCH = 40, WPATHS = 80, WSTEPS = 200 };

static uint64_t wander_next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

/* Solves a x = rhs (two right-hand sides, a: n x n, both overwritten). */
static void dense_solve2(double *a, double (*rhs)[2], size_t n)
{
    for (size_t k = 0; k < n; k++) {
        size_t piv = k;
        for (size_t i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > fabs(a[piv * n + k]))
                piv = i;
        for (size_t j = 0; j < n; j++) {
            double t = a[k * n + j];
            a[k * n + j] = a[piv * n + j];
            a[piv * n + j] = t;
        }
        for (int c = 0; c < 2; c++) {
            double t = rhs[k][c];
            rhs[k][c] = rhs[piv][c];
            rhs[piv][c] = t;
        }
        for (size_t i = k + 1; i < n; i++) {
            double f = a[i * n + k] / a[k * n + k];
            for (size_t j = k; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
            for (int c = 0; c < 2; c++)
                rhs[i][c] -= f * rhs[k][c];
        }
    }
    for (size_t i = n; i-- > 0;)
        for (int c = 0; c < 2; c++) {
            double t = rhs[i][c];
            for (size_t j = i + 1; j < n; j++)
                t -= a[i * n + j] * rhs[j][c];
            rhs[i][c] = t / a[i * n + i];
        }
}

/* P(conversion) and the expected value from START with channel `drop` (or
 * none: -1) sent to DROP. T: transition counts, START = WCH, CONV WCH + 1,
 * NULL WCH + 2; meanv: the mean value of the conversions each state ends. */
static void wander_solve(double T[WCH + 1][WCH + 3], const double *meanv, int drop, double out[2])
{
    enum { N = WCH + 1 };
    static double a[N * N];
    double rhs[N][2];
    for (int s = 0; s < N; s++) {
        double tot = 0;
        for (int t = 0; t < WCH + 3; t++)
            tot += T[s][t];
        for (int t = 0; t < N; t++)
            a[s * N + t] = (s == t) - (s == drop || t == drop || tot == 0 ? 0 : T[s][t] / tot);
        double b = s == drop || tot == 0 ? 0 : T[s][WCH + 1] / tot;
        rhs[s][0] = b;
        rhs[s][1] = b * (s < WCH ? meanv[s] : 0);
    }
    dense_solve2(a, rhs, N);
    out[0] = rhs[WCH][0];
    out[1] = rhs[WCH][1];
}

/* A path's end in the reference counts (its last state prev to CONVERSION
 * and NULL, its value), and the path added to p. */
static void end_path(cx_paths *p, double T[WCH + 1][WCH + 3], double *cv, double *cn, const char *path, int prev,
                     double conv, double nulls, double value)
{
    T[prev][WCH + 1] += conv;
    T[prev][WCH + 2] += nulls;
    cv[prev] += value;
    cn[prev] += conv;
    OK(cx_paths_add(p, path, ">", conv, nulls, value));
}

/* Each removal effect of p's order-1 attribution (nch channels "c0" ..)
 * against a dense solve of its own, to tol: T the transition counts as
 * wander_solve() takes them, cv and cn each state's conversion values and
 * conversions. Frees p. */
static void check_removals_dense(cx_paths *p, double T[WCH + 1][WCH + 3], const double *cv, const double *cn,
                                 int nch, double tol)
{
    double meanv[WCH] = {0}, base[2], q[2];
    for (int c = 0; c < nch; c++)
        meanv[c] = cn[c] > 0 ? cv[c] / cn[c] : 0;
    wander_solve(T, meanv, -1, base);
    cx_result *r;
    OK(cx_paths_attribution(&r, p, 1));
    ck_assert_uint_eq(cx_result_row_count(r), (size_t)nch);
    for (int c = 0; c < nch; c++) {
        char name[8];
        snprintf(name, sizeof name, "c%d", c);
        size_t k = result_row(r, "name", name);
        wander_solve(T, meanv, c, q);
        NEAR(result_real(r, k, "removal_effect"), 1 - q[0] / base[0], tol);
        NEAR(result_real(r, k, "removal_effect_value"), 1 - q[1] / base[1], tol);
        ck_assert(result_real(r, k, "removal_effect") > 0);
    }
    cx_result_free(r);
    cx_paths_free(p);
}

START_TEST(wandering_paths_fundamental)
{
    static double T[WCH + 1][WCH + 3];
    double cv[WCH] = {0}, cn[WCH] = {0};
    memset(T, 0, sizeof T);
    cx_paths *p;
    OK(cx_paths_new(&p));
    uint64_t x = 42;
    char *path = malloc(WSTEPS * 8);
    ck_assert_ptr_nonnull(path);
    for (int r = 0; r < WPATHS; r++) {
        double conv = (double)(wander_next(&x) % 3), nulls = (double)(1 + wander_next(&x) % 4);
        double value = conv * (double)(10 + wander_next(&x) % 90);
        int prev = WCH, ch = (int)(wander_next(&x) % WCH);
        char *w = path;
        for (int k = 0; k < WSTEPS; k++) {
            if (k)
                ch = (ch + 1 + (int)(wander_next(&x) % (WCH - 1))) % WCH; /* never the same twice in a row */
            w += sprintf(w, k ? ">c%d" : "c%d", ch);
            T[prev][ch] += conv + nulls;
            prev = ch;
        }
        end_path(p, T, cv, cn, path, prev, conv, nulls, value);
    }
    free(path);
    check_removals_dense(p, T, cv, cn, WCH, 1e-10);
}
END_TEST

/* Short paths over 20 channels, a channel often twice in a row (self
 * loops): the chain settles in a few dozen sweeps, so each removal is
 * iterated, the removals eight at a time side by side (chain.c,
 * solve_lanes: 8, 8 and 4 of them, each lane settling in its own sweep).
 * Each removal effect against a plain dense solve of its own. */
START_TEST(iterated_removals_side_by_side)
{
    enum { CH = 20, ROWS = 400 };
    static double T[WCH + 1][WCH + 3];
    double cv[WCH] = {0}, cn[WCH] = {0};
    memset(T, 0, sizeof T);
    cx_paths *p;
    OK(cx_paths_new(&p));
    uint64_t x = 7;
    char path[128];
    for (int r = 0; r < ROWS; r++) {
        double conv = (double)(wander_next(&x) % 3), nulls = (double)(1 + wander_next(&x) % 3);
        double value = conv * (double)(10 + wander_next(&x) % 90);
        int prev = WCH, len = 1 + (int)(wander_next(&x) % 6), ch = (int)(wander_next(&x) % CH);
        char *w = path;
        for (int k = 0; k < len; k++) {
            if (k && wander_next(&x) % 3)
                ch = (int)(wander_next(&x) % CH);
            w += sprintf(w, k ? ">c%d" : "c%d", ch);
            T[prev][ch] += conv + nulls;
            prev = ch;
        }
        end_path(p, T, cv, cn, path, prev, conv, nulls, value);
    }
    check_removals_dense(p, T, cv, cn, CH, 1e-11);
}
END_TEST

/* Threads (cx_paths_set_threads): 100 channels wandering at order 2 make
 * a chain of more states than the fundamental matrix takes, so every
 * removal is iterated, eight at a time, the groups shared out among the
 * threads: the same table to the bit for 1, 2 and every online core. */
START_TEST(threads_same_table)
{
    enum { CH = 100, ROWS = 300, STEPS = 12 };
    cx_paths *p;
    OK(cx_paths_new(&p));
    uint64_t x = 99;
    static char path[STEPS * 8];
    for (int r = 0; r < ROWS; r++) {
        double conv = (double)(wander_next(&x) % 3), nulls = (double)(1 + wander_next(&x) % 4);
        double value = conv * (double)(10 + wander_next(&x) % 90);
        char *w = path;
        for (int k = 0; k < STEPS; k++)
            w += sprintf(w, k ? ">c%d" : "c%d", (int)(wander_next(&x) % CH));
        OK(cx_paths_add(p, path, ">", conv, nulls, value));
    }
    ck_assert_int_eq(cx_paths_set_threads(p, -1), CX_EINVAL);
    ck_assert_int_eq(cx_paths_set_threads(p, 1025), CX_EINVAL);
    ck_assert_int_eq(cx_paths_set_threads(NULL, 2), CX_EINVAL);
    static const char *const cols[] = {"removal_effect", "markov", "removal_effect_value", "markov_value"};
    for (int order = 2; order <= 2; order++) {
        OK(cx_paths_set_threads(p, 1));
        cx_result *want;
        OK(cx_paths_attribution(&want, p, order));
        ck_assert_uint_eq(cx_result_row_count(want), CH);
        static const int counts[] = {2, 0}; /* (3 in test_parallel) */
        for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
            OK(cx_paths_set_threads(p, counts[k]));
            cx_result *r;
            OK(cx_paths_attribution(&r, p, order));
            for (size_t i = 0; i < CH; i++) {
                ck_assert_str_eq(result_str(r, i, "name"), result_str(want, i, "name"));
                for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
                    double a = result_real(r, i, cols[c]), b = result_real(want, i, cols[c]);
                    EXPECT(memcmp(&a, &b, sizeof a) == 0, "order %d, %d threads, %s of %s: %.17g vs %.17g", order,
                           counts[k], cols[c], result_str(r, i, "name"), a, b);
                }
            }
            cx_result_free(r);
        }
        for (size_t i = 0; i < CH; i++)
            ck_assert(result_real(want, i, "removal_effect") > 0);
        cx_result_free(want);
    }
    cx_paths_free(p);
}
END_TEST

/* Counts of -0 (a CSV's "-0", say) are 0 in the table: never printed "-0". */
START_TEST(negative_zero_counts)
{
    cx_paths *p;
    OK(cx_paths_new(&p));
    OK(cx_paths_add(p, "a", ">", 1, -0.0, -0.0));
    OK(cx_paths_add(p, "b", ">", 1, 0.5, -0.0));
    OK(cx_paths_add(p, "b", ">", -0.0, 0.25, -0.0));
    cx_result *t;
    OK(cx_paths_table(&t, p, ">"));
    for (size_t k = 0; k < 2; k++)
        for (int c = 0; c < 3; c++) {
            const char *col = c == 0 ? "conversions" : c == 1 ? "nulls" : "value";
            double v = result_real(t, k, col);
            ck_assert_msg(!signbit(v), "%s of row %zu is -0", col, k);
        }
    EXACT(result_real(t, 1, "nulls"), 0.75);
    cx_result_free(t);
    cx_paths_free(p);
}
END_TEST

START_TEST(hand_solved)
{
    cx_paths *p;
    OK(cx_paths_new(&p));
    OK(cx_paths_add(p, "a > b", ">", 1, 0, 10));
    OK(cx_paths_add(p, " a ", ">", 0, 1, 0));
    OK(cx_paths_add(p, "b", ">", 1, 1, 20));
    ck_assert_uint_eq(cx_paths_count(p), 3);
    ck_assert_uint_eq(cx_paths_state_count(p), 2);
    cx_result *r;
    OK(cx_paths_attribution(&r, p, 1));
    ck_assert_uint_eq(cx_result_row_count(r), 2);
    ck_assert_str_eq(result_str(r, 0, "name"), "b");
    ck_assert_str_eq(result_str(r, 1, "name"), "a");
    EXACT(result_real(r, 1, "removal_effect"), 1.0 / 3);
    EXACT(result_real(r, 0, "removal_effect"), 1);
    EXACT(result_real(r, 1, "markov"), 0.5);
    EXACT(result_real(r, 0, "markov"), 1.5);
    EXACT(result_real(r, 1, "removal_effect_value"), 1.0 / 3);
    EXACT(result_real(r, 1, "markov_value"), 7.5);
    EXACT(result_real(r, 0, "markov_value"), 22.5);
    EXACT(result_real(r, 1, "first_touch"), 1);
    EXACT(result_real(r, 0, "first_touch"), 1);
    EXACT(result_real(r, 1, "last_touch"), 0);
    EXACT(result_real(r, 0, "last_touch"), 2);
    EXACT(result_real(r, 1, "linear"), 0.5);
    EXACT(result_real(r, 0, "linear"), 1.5);
    EXACT(result_real(r, 1, "position_based"), 0.5);
    EXACT(result_real(r, 1, "first_touch_value"), 10);
    EXACT(result_real(r, 0, "first_touch_value"), 20);
    EXACT(result_real(r, 1, "linear_value"), 5);
    EXACT(result_real(r, 0, "position_based_value"), 25);
    cx_result_free(r);
    /* a path added again adds to its counts */
    OK(cx_paths_add(p, "a>b", ">", 2, 3, 4));
    ck_assert_uint_eq(cx_paths_count(p), 3);
    OK(cx_paths_table(&r, p, " > "));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    ck_assert_str_eq(result_str(r, 0, "path"), "a > b");
    ck_assert_int_eq(result_int(r, 0, "length"), 2);
    EXACT(result_real(r, 0, "conversions"), 3);
    EXACT(result_real(r, 0, "nulls"), 3);
    EXACT(result_real(r, 0, "value"), 14);
    ck_assert_str_eq(result_str(r, 1, "path"), "a");
    cx_result_free(r);
    cx_paths_free(p);
}
END_TEST

/* Position-based weights of a path of four: 0.4, 0.1, 0.1, 0.4 by default,
 * 0.3, 0.2, 0.2, 0.3 when set; and a chain of order 2. */
START_TEST(weights_and_order)
{
    cx_paths *p;
    OK(cx_paths_new(&p));
    OK(cx_paths_add(p, "w|x|y|z", "|", 2, 0, 8));
    cx_result *r;
    OK(cx_paths_attribution(&r, p, 2));
    size_t x = result_row(r, "name", "x"), w = result_row(r, "name", "w");
    EXACT(result_real(r, w, "position_based"), 0.8);
    EXACT(result_real(r, x, "position_based"), 0.2);
    EXACT(result_real(r, x, "position_based_value"), 0.8);
    /* one path: every state is needed, so every removal effect is 1 */
    EXACT(result_real(r, x, "removal_effect"), 1);
    EXACT(result_real(r, x, "markov"), 0.5);
    cx_result_free(r);
    OK(cx_paths_set_position_weights(p, 0.3, 0.3));
    OK(cx_paths_attribution(&r, p, 1));
    EXACT(result_real(r, result_row(r, "name", "y"), "position_based"), 0.4 * 2 / 2);
    EXACT(result_real(r, result_row(r, "name", "z"), "position_based"), 0.6);
    cx_result_free(r);
    FAILS(cx_paths_set_position_weights(p, 0.7, 0.4), CX_EINVAL, "cx_paths_set_position_weights");
    cx_paths_free(p);
}
END_TEST

static void ev(cx_store *s, const char *c, const char *tp, cx_time t, const char *kind, double value)
{
    OK(cx_interaction_add(NULL, s, NULL, c, tp, t, kind, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, value));
}

/* 400 customers of random paths over six touchpoints, with purchases of
 * random value: a fixed seed, so every run is the same. */
static cx_store *random_store(void)
{
    static const char *const tps[] = {"ad", "web", "mail", "call", "shop", "buy"};
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "ad", "ads", "awareness", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "mail", "email", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "call", "phone", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "shop", "store", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 1, 1));
    uint64_t seed = 42;
    for (int c = 0; c < 400; c++) {
        char id[16];
        snprintf(id, sizeof id, "C%03d", c);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        int n = 1 + (int)(splitmix64(&seed) % 9);
        for (int k = 0; k < n; k++) {
            int t = (int)(splitmix64(&seed) % 6);
            double v = t == 5 ? (double)(10 + splitmix64(&seed) % 90) : 0;
            ev(s, id, tps[t], T0 + k * HOUR_MS, t == 5 ? "purchase" : "visit", v);
        }
    }
    return s;
}

/* The path counts of `j` added to p; rows [from, to) of the table only. */
static void add_counts(cx_paths *p, const cx_result *pc, size_t from, size_t to)
{
    size_t n = to - from;
    const char **path = malloc((n ? n : 1) * sizeof *path);
    double *conv = malloc((n ? n : 1) * sizeof *conv), *null = malloc((n ? n : 1) * sizeof *null),
           *value = malloc((n ? n : 1) * sizeof *value);
    ck_assert(path && conv && null && value);
    for (size_t i = 0; i < n; i++) {
        path[i] = result_str(pc, from + i, "path");
        conv[i] = result_real(pc, from + i, "conversions");
        null[i] = result_real(pc, from + i, "nulls");
        value[i] = result_real(pc, from + i, "value");
    }
    OK(cx_paths_add_batch(p, n, path, "\x1f", conv, null, value));
    free(path);
    free(conv);
    free(null);
    free(value);
}

static void same_attribution(const cx_result *a, const cx_result *b)
{
    static const char *const cols[] = {"removal_effect", "markov", "removal_effect_value", "markov_value",
                                       "first_touch", "last_touch", "linear", "position_based",
                                       "first_touch_value", "last_touch_value", "linear_value",
                                       "position_based_value"};
    ck_assert_uint_eq(cx_result_row_count(a), cx_result_row_count(b));
    for (size_t r = 0; r < cx_result_row_count(a); r++) {
        const char *name = result_str(a, r, "name");
        size_t q = result_row(b, "name", name);
        for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
            EXPECT(fabs(result_real(a, r, cols[c]) - result_real(b, q, cols[c])) <=
                       1e-9 * (1 + fabs(result_real(b, q, cols[c]))),
                   "%s of %s: %.17g vs %.17g", cols[c], name, result_real(a, r, cols[c]),
                   result_real(b, q, cols[c]));
    }
}

/* The path counts of journeys give cx_journeys_attribution()'s columns,
 * whole or split in two shards and merged, for orders 1 to 3 and with
 * repeats collapsed or not. */
START_TEST(same_as_journeys)
{
    cx_store *s = random_store();
    for (int collapse = 0; collapse < 2; collapse++) {
        cx_journeys_options *o;
        OK(cx_journeys_options_new(&o, s));
        OK(cx_journeys_options_set_collapse(o, collapse));
        OK(cx_journeys_options_set_boundary(o, CX_JOURNEYS_BOUNDARY_CONVERSION));
        cx_journeys *j;
        OK(cx_journeys_new(&j, s, o));
        cx_result *pc;
        OK(cx_journeys_path_counts(&pc, j, "\x1f"));
        size_t n = cx_result_row_count(pc);
        ck_assert_uint_gt(n, 50);
        double conv = 0, null = 0;
        for (size_t i = 0; i < n; i++) {
            conv += result_real(pc, i, "conversions");
            null += result_real(pc, i, "nulls");
        }
        EXACT(conv, (double)cx_journeys_conversion_count(j));
        EXACT(conv + null, (double)cx_journeys_count(j));
        for (int order = 1; order <= 3; order++) {
            cx_paths *whole, *merged;
            OK(cx_paths_new(&whole));
            OK(cx_paths_new(&merged));
            add_counts(whole, pc, 0, n);
            add_counts(merged, pc, n / 2, n); /* the second shard first: another order of states */
            add_counts(merged, pc, 0, n / 2);
            add_counts(merged, pc, 0, n / 3); /* the same paths again: no new path */
            ck_assert_uint_eq(cx_paths_count(merged), n);
            cx_result *ja, *pa, *ma;
            OK(cx_journeys_attribution(&ja, j, order));
            OK(cx_paths_attribution(&pa, whole, order));
            same_attribution(pa, ja);
            cx_paths_free(merged);
            OK(cx_paths_new(&merged));
            add_counts(merged, pc, n / 2, n);
            add_counts(merged, pc, 0, n / 2);
            OK(cx_paths_attribution(&ma, merged, order));
            same_attribution(ma, ja);
            cx_result_free(ja);
            cx_result_free(pa);
            cx_result_free(ma);
            cx_paths_free(whole);
            cx_paths_free(merged);
        }
        cx_result_free(pc);
        cx_journeys_free(j);
        cx_journeys_options_free(o);
    }
    cx_store_free(s);
}
END_TEST

/* The states of a listed path ("a > b > c"). */
static size_t states_of(const char *path)
{
    size_t n = 1;
    for (const char *p = path; (p = strstr(p, " > ")); p += 3)
        n++;
    return n;
}

/* The step matrix against a count from the listed paths of the journeys:
 * the k-th name of each path. */
START_TEST(step_matrix)
{
    cx_store *s = random_store();
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    cx_result *list, *m;
    OK(cx_journeys_list(&list, j));
    const size_t K = 6;
    OK(cx_journeys_step_matrix(&m, j, K));
    size_t nj = cx_journeys_count(j);
    for (size_t k = 1; k <= K; k++) {
        double share = 0;
        int64_t ended = -1, prev = INT64_MAX;
        for (size_t r = 0; r < cx_result_row_count(m); r++) {
            if (result_int(m, r, "step") != (int64_t)k)
                continue;
            share += result_real(m, r, "share");
            const char *name = result_str(m, r, "name");
            int64_t got = result_int(m, r, "journeys");
            if (!name) {
                ended = got;
                continue;
            }
            ck_assert_int_le(got, prev); /* by journeys descending */
            prev = got;
            /* brute force: journeys whose path's k-th state is `name` */
            int64_t want = 0;
            for (size_t q = 0; q < nj; q++) {
                const char *p = result_str(list, q, "path");
                for (size_t i = 1; p && i < k; i++) {
                    p = strstr(p, " > ");
                    if (p)
                        p += 3;
                }
                if (p && strncmp(p, name, strlen(name)) == 0 && (p[strlen(name)] == 0 || p[strlen(name)] == ' '))
                    want++;
            }
            ck_assert_int_eq(got, want);
        }
        int64_t shorter = 0;
        for (size_t q = 0; q < nj; q++)
            shorter += states_of(result_str(list, q, "path")) < k;
        ck_assert_int_eq(ended, shorter);
        NEAR(share, 1, 1e-12);
    }
    cx_result_free(m);
    FAILS(cx_journeys_step_matrix(&m, j, 0), CX_ERANGE, "cx_journeys_step_matrix");
    ck_assert_ptr_null(m);
    FAILS(cx_journeys_step_matrix(NULL, j, 3), CX_EINVAL, "cx_journeys_step_matrix");
    cx_result_free(list);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

/* Every refused input is named, and a refused batch changes nothing. */
static void same_tables(const cx_paths *a, const cx_paths *b);

/* Whether s is valid UTF-8 (no sequence cut). */
static bool utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int n = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 ? 1 : (*u & 0xF0) == 0xE0 ? 2 : (*u & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && *u < 0xC2))
            return false;
        for (int i = 1; i <= n; i++)
            if ((u[i] & 0xC0) != 0x80)
                return false;
        u += n + 1;
    }
    return true;
}

START_TEST(bad_input)
{
    cx_paths *p;
    OK(cx_paths_new(&p));
    OK(cx_paths_add(p, "a > b", ">", 1, 2, 3));
    FAILS(cx_paths_new(NULL), CX_EINVAL, "cx_paths_new");
    FAILS(cx_paths_add(NULL, "a", ">", 1, 0, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, NULL, ">", 1, 0, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "a", "", 1, 0, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "a", NULL, 1, 0, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "", ">", 1, 0, 0), CX_EINVAL, "cx_paths_add");
    MSG_HAS("empty");
    FAILS(cx_paths_add(p, "a >  > b", ">", 1, 0, 0), CX_EINVAL, "cx_paths_add");
    MSG_HAS("state 2 is empty");
    FAILS(cx_paths_add(p, "a > \xff", ">", 1, 0, 0), CX_EINVAL, "cx_paths_add");
    MSG_HAS("UTF-8");
    FAILS(cx_paths_add(p, "a", ">", -1, 0, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "a", ">", NAN, 0, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "a", ">", 1, INFINITY, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "a", ">", 0, 0, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "a", ">", 0, 1, 5), CX_EINVAL, "cx_paths_add");
    MSG_HAS("without conversions");
    FAILS(cx_paths_add(p, "a", ">", 1, 0, NAN), CX_EINVAL, "cx_paths_add");
    /* a negative value, and counts whose sums could overflow (1e308 twice
     * was stored as infinity) */
    FAILS(cx_paths_add(p, "a", ">", 1, 0, -5), CX_EINVAL, "cx_paths_add");
    MSG_HAS("value -5 must be finite, >= 0 and <= 1e30");
    FAILS(cx_paths_add(p, "a", ">", 1e308, 0, 0), CX_EINVAL, "cx_paths_add");
    MSG_HAS("conversions 1e+308 must be finite, >= 0 and <= 1e30");
    FAILS(cx_paths_add(p, "a", ">", 1, 2e30, 0), CX_EINVAL, "cx_paths_add");
    FAILS(cx_paths_add(p, "a", ">", 1, 0, 1.5e30), CX_EINVAL, "cx_paths_add");
    cx_paths *big;
    OK(cx_paths_new(&big));
    OK(cx_paths_add(big, "big", ">", 1e30, 1e30, 1e30));
    OK(cx_paths_add(big, "big", ">", 1e30, 1e30, 1e30));
    /* a message quoting a long path cuts it between UTF-8 characters:
     * 59 bytes, then a 2-byte letter across the 60th (the message was
     * not UTF-8, and Python could not decode it) */
    char longp[128];
    memset(longp, 'x', 59);
    strcpy(longp + 59, "\xd8\xa8 > > b");
    FAILS(cx_paths_add(big, longp, ">", 1, 0, 0), CX_EINVAL, "cx_paths_add");
    MSG_HAS("xxx...\": state 2 is empty");
    ck_assert(utf8_ok(cx_last_error()));
    memset(longp, 'y', 63);
    strcpy(longp + 63, "\xd8\xa8");
    OK(cx_paths_add(big, longp, ">", 1, 0, 0));
    cx_result *rb;
    FAILS(cx_paths_table(&rb, big, "\xd8\xa8"), CX_EINVAL, "cx_paths_table");
    MSG_HAS("holds the separator");
    ck_assert(utf8_ok(cx_last_error()));
    cx_paths_free(big);
    /* a batch with one bad row: nothing of it is kept, new names included */
    const char *paths[] = {"c > d", "a > b", "e > > f", "g"};
    double conv[] = {1, 1, 1, 1};
    FAILS(cx_paths_add_batch(p, 4, paths, ">", conv, NULL, NULL), CX_EINVAL, "cx_paths_add_batch");
    MSG_HAS("row 2");
    ck_assert_uint_eq(cx_paths_count(p), 1);
    ck_assert_uint_eq(cx_paths_state_count(p), 2);
    FAILS(cx_paths_add_batch(p, 2, NULL, ">", conv, NULL, NULL), CX_EINVAL, "cx_paths_add_batch");
    FAILS(cx_paths_add_batch(p, 2, paths, ">", NULL, NULL, NULL), CX_EINVAL, "cx_paths_add_batch");
    OK(cx_paths_add_batch(p, 0, NULL, ">", NULL, NULL, NULL));
    cx_result *r;
    OK(cx_paths_table(&r, p, ">"));
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    EXACT(result_real(r, 0, "conversions"), 1);
    EXACT(result_real(r, 0, "nulls"), 2);
    EXACT(result_real(r, 0, "value"), 3);
    cx_result_free(r);
    /* the batch without its bad row is accepted, and the names come back */
    const char *good[] = {"c > d", "a > b", "g"};
    OK(cx_paths_add_batch(p, 3, good, ">", conv, NULL, NULL));
    ck_assert_uint_eq(cx_paths_count(p), 3);
    ck_assert_uint_eq(cx_paths_state_count(p), 5);
    /* separators */
    OK(cx_paths_add(p, "x-y > z", ">", 1, 0, 0));
    FAILS(cx_paths_table(&r, p, "-"), CX_EINVAL, "cx_paths_table");
    MSG_HAS("x-y");
    FAILS(cx_paths_table(&r, p, ""), CX_EINVAL, "cx_paths_table");
    FAILS(cx_paths_table(NULL, p, ">"), CX_EINVAL, "cx_paths_table");
    FAILS(cx_paths_attribution(&r, p, 0), CX_ERANGE, "cx_paths_attribution");
    FAILS(cx_paths_attribution(&r, p, CX_JOURNEYS_MAX_ORDER + 1), CX_ERANGE, "cx_paths_attribution");
    FAILS(cx_paths_attribution(&r, NULL, 1), CX_EINVAL, "cx_paths_attribution");
    ck_assert_uint_eq(cx_paths_count(NULL), 0);
    ck_assert_uint_eq(cx_paths_state_count(NULL), 0);
    cx_paths_free(NULL);
    /* an empty table attributes nothing */
    cx_paths *e;
    OK(cx_paths_new(&e));
    OK(cx_paths_attribution(&r, e, 1));
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    cx_result_free(r);
    cx_paths_free(e);
    /* a state name holding the separator of the journeys' counts */
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "web > app", "web", "consideration", NULL, 1, 1));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    ev(s, "A", "web > app", T0, "visit", 0);
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    FAILS(cx_journeys_path_counts(&r, j, " > "), CX_EINVAL, "cx_journeys_path_counts");
    MSG_HAS("web > app");
    FAILS(cx_journeys_path_counts(&r, j, NULL), CX_EINVAL, "cx_journeys_path_counts");
    OK(cx_journeys_path_counts(&r, j, "|"));
    ck_assert_str_eq(result_str(r, 0, "path"), "web > app");
    EXACT(result_real(r, 0, "nulls"), 1);
    cx_result_free(r);
    cx_journeys_free(j);
    cx_store_free(s);
    cx_paths_free(p);
}
END_TEST

/* CSV files of path counts: quotes, CRLF, a byte-order mark, a blank line;
 * every refused file named by its line (and column) with the table
 * unchanged; and a file written from journeys' counts gives their
 * attribution. */
START_TEST(import_csv)
{
    cx_paths *p;
    OK(cx_paths_new(&p));
    const char *ok = write_file("ok.csv", "\xEF\xBB\xBFtotal_null,path,total_conversions,total_conversion_value\r\n"
                                          "0,a > b,1,10\r\n"
                                          "1,\" a \",0,0\r\n"
                                          "\r\n"
                                          "1,b,1,20\n"
                                          "0,\"x, \"\"y\"\"\n> b\",2, 5 \n");
    OK(cx_paths_import_csv(p, ok, ">", "path", "total_conversions", "total_null", "total_conversion_value"));
    ck_assert_uint_eq(cx_paths_count(p), 4);
    cx_result *r;
    OK(cx_paths_table(&r, p, "|"));
    ck_assert_str_eq(result_str(r, 3, "path"), "x, \"y\"\n|b");
    EXACT(result_real(r, 3, "value"), 5);
    cx_result_free(r);
    EXACT(cx_paths_state_count(p), 3);
    /* without nulls and values */
    cx_paths *q;
    OK(cx_paths_new(&q));
    FAILS(cx_paths_import_csv(q, ok, ">", "path", "total_conversions", NULL, NULL), CX_EINVAL,
          "cx_paths_import_csv");
    /* " a " has neither without its nulls; a file's counts are named by
     * their columns too */
    MSG_HAS("ok.csv:3: conversions (column \"total_conversions\") + nulls must be > 0");
    OK(cx_paths_import_csv(q, write_file("ok2.csv", "path,n\na>b,3\n"), ">", "path", "n", NULL, NULL));
    FAILS(cx_paths_import_csv(q, write_file("neg.csv", "path,n,lost,rev\na>b,3,1,-5\n"), ">", "path", "n", "lost",
                              "rev"),
          CX_EINVAL, "cx_paths_import_csv");
    MSG_HAS("neg.csv:2: value (column \"rev\") -5 must be finite");
    FAILS(cx_paths_import_csv(q, write_file("neg2.csv", "path,n,lost\na>b,3,-1\n"), ">", "path", "n", "lost", NULL),
          CX_EINVAL, "cx_paths_import_csv");
    MSG_HAS("neg2.csv:2: nulls (column \"lost\") -1 must be finite");
    OK(cx_paths_table(&r, q, "|"));
    EXACT(result_real(r, 0, "nulls"), 0);
    cx_result_free(r);
    cx_paths_free(q);
    /* refused files: named, and nothing kept */
    struct {
        const char *text, *part;
    } bad[] = {
        {"path,total_conversions\nc > d,1\ne,x\n", "bad.csv:3, column 2 (\"total_conversions\"): \"x\" is not a number"},
        {"path,total_conversions\nc > d,1\n > e,1\n", "bad.csv:3: path \" > e\": state 1 is empty"},
        {"path,total_conversions\nc > d,1\ne,-2\n", "bad.csv:3: conversions (column \"total_conversions\") -2 must be"},
        {"path,total_conversions\nc > d,1\n\"e,1\n", "bad.csv:3: a quote is not closed"},
        {"path,total_conversions\nc > d\n", "bad.csv:2: 1 fields, no column 2"},
        {"path,conversions\nc > d,1\n", "no column \"total_conversions\" (the conversions)"},
        {"path,total_conversions\nc > d,0x10\n", "bad.csv:2, column 2 (\"total_conversions\"): \"0x10\" is not a number"},
        {"path,total_conversions\nc > d,inf\n", "\"inf\" is not a number"},
        {"path,total_conversions\nc > d,1e400\n", "conversions (column \"total_conversions\") inf must be"},
        {"path,total_conversions\nc > d,x\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8"
         "\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8\n",
         "\"x\xd8\xa8\xd8\xa8"},
        {"", "the file is empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *f = write_file("bad.csv", bad[i].text);
        FAILS(cx_paths_import_csv(p, f, ">", "path", "total_conversions", NULL, NULL), CX_EINVAL,
              "cx_paths_import_csv");
        MSG_HAS(bad[i].part);
        ck_assert(utf8_ok(cx_last_error()));
        ck_assert_uint_eq(cx_paths_count(p), 4);
        ck_assert_uint_eq(cx_paths_state_count(p), 3);
    }
    /* a header wider than the reader takes: said so, not "no column" */
    {
        static char wide[8192];
        char *w = wide;
        for (int k = 0; k < 300; k++)
            w += k == 280 ? sprintf(w, ",path") : k == 281 ? sprintf(w, ",total_conversions")
                                                              : sprintf(w, "%sc%d", k ? "," : "", k);
        strcpy(w, "\n");
        FAILS(cx_paths_import_csv(p, write_file("wide.csv", wide), ">", "path", "total_conversions", NULL, NULL),
              CX_EINVAL, "cx_paths_import_csv");
        MSG_HAS("no column \"path\" (the path) among the first 256 of the header's 300 columns");
    }
    FAILS(cx_paths_import_csv(p, P("none.csv"), ">", "path", "total_conversions", NULL, NULL), CX_EIO,
          "cx_paths_import_csv");
    MSG_HAS("none.csv");
    FAILS(cx_paths_import_csv(p, ok, ">", NULL, "total_conversions", NULL, NULL), CX_EINVAL, "cx_paths_import_csv");
    FAILS(cx_paths_import_csv(NULL, ok, ">", "path", "c", NULL, NULL), CX_EINVAL, "cx_paths_import_csv");
    FAILS(cx_paths_import_csv(p, NULL, ">", "path", "c", NULL, NULL), CX_EINVAL, "cx_paths_import_csv");
    cx_paths_free(p);

    /* the apostrophe the library's CSV writers put before a text a
     * spreadsheet would run ("'-direct > email") is taken away: a table
     * written by cx_result_export_csv reads back to the same paths */
    OK(cx_paths_new(&p));
    OK(cx_paths_add(p, "-direct > email", ">", 2, 1, 0));
    OK(cx_paths_add(p, "=promo > @x", ">", 1, 1, 0));
    OK(cx_paths_add(p, "'quoted", ">", 1, 0, 0)); /* no formula after it: kept */
    OK(cx_paths_table(&r, p, " > "));
    OK(cx_result_export_csv(r, P("guarded.csv")));
    cx_result_free(r);
    cx_paths *back;
    OK(cx_paths_new(&back));
    OK(cx_paths_import_csv(back, P("guarded.csv"), ">", "path", "conversions", "nulls", "value"));
    same_tables(p, back);
    OK(cx_paths_table(&r, back, " > "));
    ck_assert_str_eq(result_str(r, 0, "path"), "-direct > email");
    ck_assert_str_eq(result_str(r, 1, "path"), "=promo > @x");
    ck_assert_str_eq(result_str(r, 2, "path"), "'quoted");
    cx_result_free(r);
    cx_paths_free(back);
    cx_paths_free(p);

    /* journeys' counts through a file: the journeys' attribution */
    cx_store *s = random_store();
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    cx_result *pc, *ja, *pa;
    OK(cx_journeys_path_counts(&pc, j, " > "));
    OK(cx_result_export_csv(pc, P("counts.csv")));
    OK(cx_paths_new(&p));
    OK(cx_paths_import_csv(p, P("counts.csv"), ">", "path", "conversions", "nulls", "value"));
    OK(cx_journeys_attribution(&ja, j, 2));
    OK(cx_paths_attribution(&pa, p, 2));
    same_attribution(pa, ja);
    cx_result_free(ja);
    cx_result_free(pa);
    cx_result_free(pc);
    cx_paths_free(p);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

/* A growable text. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        while (t->n + n + 1 > t->cap)
            t->cap = t->cap ? t->cap * 2 : 4096;
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = 0;
}

static void put_str(text *t, const char *s) { put(t, s, strlen(s)); }

/* A field as CSV: quoted, its quotes doubled, when it must be or `quote`. */
static void put_field(text *t, const char *s, bool quote)
{
    if (!quote && !strpbrk(s, "\",\r\n")) {
        put_str(t, s);
        return;
    }
    put_str(t, "\"");
    for (; *s; s++)
        put_str(t, *s == '"' ? "\"\"" : (char[]){*s, 0});
    put_str(t, "\"");
}

/* The number a count field holds, as strtod reads it. */
static double number(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    ck_assert_msg(*end == 0 && end != s, "bad test number \"%s\"", s);
    return v;
}

/* Two tables hold the same paths in the same order with the same counts,
 * and the same attribution of orders 1 and 2, bit for bit. */
static void same_tables(const cx_paths *a, const cx_paths *b)
{
    static const char *const cols[] = {"removal_effect", "markov", "removal_effect_value", "markov_value",
                                       "first_touch", "last_touch", "linear", "position_based",
                                       "first_touch_value", "last_touch_value", "linear_value",
                                       "position_based_value"};
    cx_result *ta, *tb;
    OK(cx_paths_table(&ta, a, "|"));
    OK(cx_paths_table(&tb, b, "|"));
    ck_assert_uint_eq(cx_result_row_count(ta), cx_result_row_count(tb));
    for (size_t r = 0; r < cx_result_row_count(ta); r++) {
        ck_assert_str_eq(result_str(ta, r, "path"), result_str(tb, r, "path"));
        for (int c = 0; c < 3; c++) {
            const char *col = c == 0 ? "conversions" : c == 1 ? "nulls" : "value";
            EXPECT(result_real(ta, r, col) == result_real(tb, r, col), "row %zu %s: %a vs %a", r, col,
                   result_real(ta, r, col), result_real(tb, r, col));
        }
    }
    cx_result_free(ta);
    cx_result_free(tb);
    for (int order = 1; order <= 2; order++) {
        OK(cx_paths_attribution(&ta, a, order));
        OK(cx_paths_attribution(&tb, b, order));
        ck_assert_uint_eq(cx_result_row_count(ta), cx_result_row_count(tb));
        for (size_t r = 0; r < cx_result_row_count(ta); r++) {
            ck_assert_str_eq(result_str(ta, r, "name"), result_str(tb, r, "name"));
            for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
                EXPECT(result_real(ta, r, cols[c]) == result_real(tb, r, cols[c]), "order %d %s of %s: %a vs %a",
                       order, cols[c], result_str(ta, r, "name"), result_real(ta, r, cols[c]),
                       result_real(tb, r, cols[c]));
        }
        cx_result_free(ta);
        cx_result_free(tb);
    }
}

/* A file read through the reader's buffer (256 kB) gives the table its
 * rows give to cx_paths_add_batch(), bit for bit: 3 MB of repeated paths,
 * quoted fields holding quotes, commas and line breaks, CRLF and LF,
 * numbers of every form the fast path reads or leaves to strtod, and two
 * records longer than the buffer. */
START_TEST(import_csv_stream)
{
    static const char *const names[] = {"ad", "web", "mail", "call center", "shop", "q\"x", "a,b", "line\nbreak"};
    static const char *const nums[] = {"0", "1", "17", "0.5", "14245.75", ".25", "5.", "00012", " 7 ", "1e2",
                                       "9007199254740992", "9007199254740993", "0.1", "123456789012.345678",
                                       "0.30000000000000004", "2.5E-3", "1234567890123456789",
                                       "12345678901234567890.5", "3.14159265358979323846", "0.0000001"};
    enum { NROWS = 60000 };
    const size_t nnum = sizeof nums / sizeof *nums;
    text f = {0}, path = {0};
    char **paths = malloc(NROWS * sizeof *paths);
    double *conv = malloc(NROWS * sizeof *conv), *null = malloc(NROWS * sizeof *null),
           *value = malloc(NROWS * sizeof *value);
    ck_assert(paths && conv && null && value);
    put_str(&f, "\xEF\xBB\xBFtotal_conversions,path,total_null,total_conversion_value\n");
    uint64_t seed = 7;
    for (int i = 0; i < NROWS; i++) {
        path.n = 0;
        /* few distinct paths (many repeats), and two of 60000 states */
        int len = i == 1000 || i == 45000 ? 60000 : 1 + (int)(splitmix64(&seed) % 4);
        for (int k = 0; k < len; k++) {
            if (k)
                put_str(&path, splitmix64(&seed) % 2 ? " > " : ">");
            put_str(&path, names[len > 10 ? (size_t)(k % 5) : splitmix64(&seed) % (sizeof names / sizeof *names)]);
        }
        paths[i] = strdup(path.s);
        ck_assert_ptr_nonnull(paths[i]);
        const char *c = nums[splitmix64(&seed) % nnum], *n = nums[splitmix64(&seed) % nnum];
        const char *v = nums[splitmix64(&seed) % nnum];
        if (number(c) == 0 && number(n) == 0)
            n = "1";
        if (number(c) == 0)
            v = "0";
        conv[i] = number(c);
        null[i] = number(n);
        value[i] = number(v);
        put_field(&f, c, splitmix64(&seed) % 8 == 0);
        put_str(&f, ",");
        put_field(&f, paths[i], splitmix64(&seed) % 4 == 0);
        put_str(&f, ",");
        put_field(&f, n, false);
        put_str(&f, ",");
        put_field(&f, v, false);
        put_str(&f, splitmix64(&seed) % 2 ? "\r\n" : "\n");
    }
    ck_assert_uint_gt(f.n, 3u << 20);
    const char *file = write_bytes("big.csv", f.s, f.n);
    cx_paths *p, *q;
    OK(cx_paths_new(&p));
    OK(cx_paths_new(&q));
    OK(cx_paths_import_csv(p, file, ">", "path", "total_conversions", "total_null", "total_conversion_value"));
    OK(cx_paths_add_batch(q, NROWS, (const char *const *)paths, ">", conv, null, value));
    ck_assert_uint_gt(cx_paths_count(p), 1000);
    ck_assert_uint_lt(cx_paths_count(p), NROWS / 4);
    same_tables(p, q);
    /* read again: every path known, the counts doubled as by a second batch */
    OK(cx_paths_import_csv(p, file, ">", "path", "total_conversions", "total_null", "total_conversion_value"));
    OK(cx_paths_add_batch(q, NROWS, (const char *const *)paths, ">", conv, null, value));
    same_tables(p, q);
    /* a bad last row: nothing of the file kept, the counts of known paths
     * included */
    put_str(&f, "1,ad,x,0\n");
    file = write_bytes("big.csv", f.s, f.n);
    FAILS(cx_paths_import_csv(p, file, ">", "path", "total_conversions", "total_null", "total_conversion_value"),
          CX_EINVAL, "cx_paths_import_csv");
    MSG_HAS("column 3 (\"total_null\"): \"x\" is not a number");
    same_tables(p, q);
    for (int i = 0; i < NROWS; i++)
        free(paths[i]);
    free(paths);
    free(conv);
    free(null);
    free(value);
    free(path.s);
    free(f.s);
    cx_paths_free(p);
    cx_paths_free(q);
}
END_TEST

/* Line numbers and records across the reader's buffer: a record of a
 * quoted path with a doubled quote and a line break, ended by CRLF, read
 * with the buffer's end at each of its bytes (a header of 32 lengths
 * shifts it); a bad row at the end is named by its line; a pipe reads as
 * the file; NUL bytes are refused. */
START_TEST(import_csv_boundaries)
{
    static const char row[] = "\"a\"\"b\n > c\",1,z\r\n";
    const size_t rows = (256 * 1024) / (sizeof row - 1) + 100;
    cx_paths *p;
    OK(cx_paths_new(&p));
    for (int pad = 0; pad < 32; pad++) {
        text f = {0};
        put_str(&f, "path,total_conversions,pad");
        for (int k = 0; k < pad; k++)
            put_str(&f, "x");
        put_str(&f, "\n");
        for (size_t i = 0; i < rows; i++)
            put_str(&f, row);
        const char *good = write_bytes("good.csv", f.s, f.n);
        put_str(&f, "c,x\n");
        const char *bad = write_bytes("bad.csv", f.s, f.n);
        OK(cx_paths_import_csv(p, good, ">", "path", "total_conversions", NULL, NULL));
        ck_assert_uint_eq(cx_paths_count(p), 1);
        cx_result *r;
        OK(cx_paths_table(&r, p, "|"));
        ck_assert_str_eq(result_str(r, 0, "path"), "a\"b\n|c");
        EXACT(result_real(r, 0, "conversions"), (double)rows * (pad + 1));
        cx_result_free(r);
        FAILS(cx_paths_import_csv(p, bad, ">", "path", "total_conversions", NULL, NULL), CX_EINVAL,
              "cx_paths_import_csv");
        char want[64];
        snprintf(want, sizeof want, "bad.csv:%zu, column 2", 2 + 2 * rows);
        MSG_HAS(want);
        OK(cx_paths_table(&r, p, "|"));
        EXACT(result_real(r, 0, "conversions"), (double)rows * (pad + 1));
        cx_result_free(r);
        free(f.s);
    }
    /* a pipe (no size to guess from): the same table as the file */
    text f = {0};
    put_str(&f, "path,total_conversions,pad\n");
    for (size_t i = 0; i < rows; i++)
        put_str(&f, row);
    const char *fifo = P("pipe.csv");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *w = fopen(fifo, "wb");
        size_t put_n = w ? fwrite(f.s, 1, f.n, w) : 0;
        _exit(w && put_n == f.n && fclose(w) == 0 ? 0 : 1);
    }
    cx_paths *q;
    OK(cx_paths_new(&q));
    OK(cx_paths_import_csv(q, fifo, ">", "path", "total_conversions", NULL, NULL));
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cx_result *r;
    OK(cx_paths_table(&r, q, "|"));
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    ck_assert_str_eq(result_str(r, 0, "path"), "a\"b\n|c");
    EXACT(result_real(r, 0, "conversions"), (double)rows);
    cx_result_free(r);
    cx_paths_free(q);
    free(f.s);
    static const char nul_path[] = "path,total_conversions\na\0b,1\n", nul_num[] = "path,total_conversions\nab,1\0\n";
    FAILS(cx_paths_import_csv(p, write_bytes("nul.csv", nul_path, sizeof nul_path - 1), ">", "path",
                              "total_conversions", NULL, NULL),
          CX_EINVAL, "cx_paths_import_csv");
    MSG_HAS("nul.csv:2: the path is not valid UTF-8");
    FAILS(cx_paths_import_csv(p, write_bytes("nul.csv", nul_num, sizeof nul_num - 1), ">", "path",
                              "total_conversions", NULL, NULL),
          CX_EINVAL, "cx_paths_import_csv");
    MSG_HAS("nul.csv:2, column 2");
    ck_assert_uint_eq(cx_paths_count(p), 1);
    cx_paths_free(p);
}
END_TEST

/* Out of memory at every allocation: a clean failure that changes nothing
 * and leaks nothing, then success. */
START_TEST(out_of_memory)
{
    cxt_alloc f = {0};
    cx_paths *p;
    OK(cx_paths_new_with_allocator(&p, cxt_alloc_fn, &f));
    OK(cx_paths_add(p, "a > b > c", ">", 1, 1, 5));
    const char *paths[] = {"a > b", "b > d > e > f", "a > b > c", "g > a"};
    double conv[] = {1, 2, 0, 1}, null[] = {1, 0, 4, 0}, value[] = {3, 4, 0, 1};
    bool done = false;
    for (long n = 0; !done && n < 100000; n++) {
        size_t live = f.live;
        cxt_alloc_allow(&f, n);
        int rc = cx_paths_add_batch(p, 4, paths, ">", conv, null, value);
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        if (rc == CX_OK) {
            done = true;
            break;
        }
        ck_assert_uint_eq(cx_paths_count(p), 1);
        ck_assert_uint_eq(cx_paths_state_count(p), 3);
        ck_assert_uint_ge(live + 64 * 1024, f.live); /* growth kept for later is bounded */
    }
    ck_assert(done);
    ck_assert_uint_eq(cx_paths_count(p), 4);
    /* a file: a known path and new ones, the reader's buffer included */
    const char *file = write_file("oom.csv", "path,c,n,v\na > b,1,0,2\n\"h > \"\"i\"\"\",0,1,0\nj,2,2,2\n");
    done = false;
    for (long n = 0; !done && n < 100000; n++) {
        size_t live = f.live;
        cxt_alloc_allow(&f, n);
        int rc = cx_paths_import_csv(p, file, ">", "path", "c", "n", "v");
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        if (rc == CX_OK) {
            done = true;
            break;
        }
        ck_assert_msg(strstr(cx_last_error(), "cx_paths_import_csv") != NULL, "%s", cx_last_error());
        ck_assert_uint_eq(cx_paths_count(p), 4);
        ck_assert_uint_le(f.live, live + 64 * 1024);
    }
    ck_assert(done);
    ck_assert_uint_eq(cx_paths_count(p), 6);
    /* counts that are not whole, for a path there before and a new one,
     * each twice: their exact sums (add_counts) are made, or on failure
     * forgotten, with the call */
    enum { NM = 12, NF = 2 * NM + 4 };
    const char *fpaths[NF] = {"k > l", "a > b", "k > l", "a > b"};
    double fconv[NF] = {0.25, 0.5, 0.125, 1.5}, fnull[NF] = {0, 0.1, 1, 0.2}, fvalue[NF] = {2, 1.05, 0.5, 3.3};
    static char mnames[NM][8];
    for (int i = 0; i < NM; i++) { /* paths there before, each twice in the call: a dozen sums to make */
        snprintf(mnames[i], sizeof mnames[i], "m%d", i);
        OK(cx_paths_add(p, mnames[i], ">", 1, 1, 1));
        for (int k = 0; k < 2; k++) {
            fpaths[4 + 2 * i + k] = mnames[i];
            fconv[4 + 2 * i + k] = 0.5;
            fnull[4 + 2 * i + k] = 0.1;
            fvalue[4 + 2 * i + k] = 1.25;
        }
    }
    size_t n0 = cx_paths_count(p);
    cx_result *before, *after;
    OK(cx_paths_table(&before, p, ">"));
    done = false;
    for (long n = 0; !done && n < 100000; n++) {
        size_t live = f.live;
        cxt_alloc_allow(&f, n);
        int rc = cx_paths_add_batch(p, NF, fpaths, ">", fconv, fnull, fvalue);
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        if (rc == CX_OK) {
            done = true;
            break;
        }
        ck_assert_uint_le(f.live, live + 64 * 1024);
        OK(cx_paths_table(&after, p, ">"));
        ck_assert_uint_eq(cx_result_row_count(after), n0);
        for (size_t k = 0; k < n0; k++) {
            ck_assert_str_eq(result_str(after, k, "path"), result_str(before, k, "path"));
            for (int c = 0; c < 3; c++) {
                const char *col = c == 0 ? "conversions" : c == 1 ? "nulls" : "value";
                double x = result_real(after, k, col), y = result_real(before, k, col);
                ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "at %ld, %s of row %zu: %g vs %g", n, col, k, x, y);
            }
        }
        cx_result_free(after);
    }
    ck_assert(done);
    cx_result_free(before);
    ck_assert_uint_eq(cx_paths_count(p), n0 + 1);
    OK(cx_paths_table(&after, p, ">"));
    for (int i = 0; i < NM; i++) {
        size_t k = result_row(after, "path", mnames[i]);
        EXACT(result_real(after, k, "conversions"), 2);
        EXACT(result_real(after, k, "nulls"), 1.2);
        EXACT(result_real(after, k, "value"), 3.5);
    }
    size_t ab = result_row(after, "path", "a>b"), kl = result_row(after, "path", "k>l");
    EXACT(result_real(after, ab, "conversions"), 4);
    EXACT(result_real(after, ab, "nulls"), 1.3);
    EXACT(result_real(after, ab, "value"), 3 + 2 + 1.05 + 3.3);
    EXACT(result_real(after, kl, "conversions"), 0.375);
    EXACT(result_real(after, kl, "value"), 2.5);
    cx_result_free(after);
    cx_result *want, *r;

    OK(cx_paths_attribution(&want, p, 2));
    size_t base = f.live;
    done = false;
    for (long n = 0; !done && n < 100000; n++) {
        cxt_alloc_allow(&f, n);
        int rc = cx_paths_attribution(&r, p, 2);
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        ck_assert_msg(rc == CX_OK || strncmp(cx_last_error(), "cx_paths_attribution", 20) == 0, "%s",
                      cx_last_error());
        if (rc == CX_OK) {
            same_attribution(r, want);
            cx_result_free(r);
            done = true;
        }
        ck_assert_uint_eq(f.live, base);
    }
    ck_assert(done);
    cx_result_free(want);
    cx_paths_free(p);
    cxt_alloc_done(&f);
}
END_TEST

/* The same path rows in another order (reversed) give the same
 * attribution bit for bit: the heuristics' credits are summed in fixed
 * point (xsum.h), and the chain is solved in an order of its states that
 * does not depend on the rows'. Values of random cents over 300 paths:
 * summed as doubles in row order, and solved with the states in the order
 * they first appeared, the columns differed in their last digits. */
START_TEST(attribution_any_row_order)
{
    static const char *const tps[] = {"ad", "web", "mail", "call", "shop"};
    enum { N = 300 };
    static char paths[N][64];
    static const char *path[N], *rpath[N];
    static double conv[N], null[N], value[N], rconv[N], rnull[N], rvalue[N];
    uint64_t seed = 7;
    for (int i = 0; i < N; i++) {
        int len = 1 + (int)(splitmix64(&seed) % 6);
        char *q = paths[i];
        for (int k = 0; k < len; k++)
            q += sprintf(q, "%s%s", k ? "|" : "", tps[splitmix64(&seed) % 5]);
        sprintf(q, "|n%d", i); /* every row a path of its own */
        path[i] = paths[i];
        conv[i] = (double)(1 + splitmix64(&seed) % 7);
        null[i] = (double)(splitmix64(&seed) % 5);
        value[i] = (double)(splitmix64(&seed) % 100000) / 100 + conv[i] / 3;
    }
    for (int i = 0; i < N; i++) {
        rpath[i] = path[N - 1 - i];
        rconv[i] = conv[N - 1 - i];
        rnull[i] = null[N - 1 - i];
        rvalue[i] = value[N - 1 - i];
    }
    cx_paths *a, *b;
    OK(cx_paths_new(&a));
    OK(cx_paths_new(&b));
    OK(cx_paths_add_batch(a, N, path, "|", conv, null, value));
    OK(cx_paths_add_batch(b, N, rpath, "|", rconv, rnull, rvalue));
    static const char *const cols[] = {"removal_effect", "markov", "removal_effect_value", "markov_value",
                                       "first_touch", "last_touch", "linear", "position_based", "first_touch_value",
                                       "last_touch_value", "linear_value", "position_based_value"};
    for (int order = 1; order <= 2; order++) {
        cx_result *ra, *rb;
        OK(cx_paths_attribution(&ra, a, order));
        OK(cx_paths_attribution(&rb, b, order));
        ck_assert_uint_eq(cx_result_row_count(ra), cx_result_row_count(rb));
        for (size_t r = 0; r < cx_result_row_count(ra); r++) {
            const char *name = result_str(ra, r, "name");
            size_t q = result_row(rb, "name", name);
            for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
                double x = result_real(ra, r, cols[c]), y = result_real(rb, q, cols[c]);
                EXPECT(memcmp(&x, &y, sizeof x) == 0, "order %d, %s of %s: %.17g vs %.17g", order, cols[c], name, x,
                       y);
            }
        }
        cx_result_free(ra);
        cx_result_free(rb);
    }
    cx_paths_free(a);
    cx_paths_free(b);
}
END_TEST

/* Counts that are not whole (shares of conversions, values in cents):
 * rows of few distinct paths over four states (so paths repeat, within a
 * call and across calls, and every transition sums many rows), added in
 * one batch; reversed in three calls; and one by one in a shuffled order.
 * The path counts and every attribution column of orders 1 to 3 are the
 * same to the bit: the repeated paths' counts and the chain's transitions
 * are summed exactly, whatever the order. */
START_TEST(fractional_counts_any_row_order)
{
    static const char *const tps[] = {"ad", "web", "mail", "call"};
    enum { N = 600 };
    static char paths[N][32];
    static const char *path[N], *rpath[N];
    static double conv[N], null[N], value[N], rconv[N], rnull[N], rvalue[N];
    static int perm[N];
    uint64_t seed = 11;
    for (int i = 0; i < N; i++) {
        int len = 1 + (int)(splitmix64(&seed) % 3);
        char *q = paths[i];
        for (int k = 0; k < len; k++)
            q += sprintf(q, "%s%s", k ? "|" : "", tps[splitmix64(&seed) % 4]);
        path[i] = paths[i];
        conv[i] = (double)(splitmix64(&seed) % 1000) / 997; /* 0 to about 1, rarely whole */
        null[i] = (double)(splitmix64(&seed) % 3000) / 7;
        value[i] = conv[i] > 0 ? (double)(splitmix64(&seed) % 100000) / 100 : 0;
        perm[i] = i;
    }
    for (int i = 0; i < N; i++) {
        rpath[i] = path[N - 1 - i];
        rconv[i] = conv[N - 1 - i];
        rnull[i] = null[N - 1 - i];
        rvalue[i] = value[N - 1 - i];
    }
    for (int i = N - 1; i > 0; i--) {
        int j = (int)(splitmix64(&seed) % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    cx_paths *t[3];
    for (int k = 0; k < 3; k++)
        OK(cx_paths_new(&t[k]));
    OK(cx_paths_add_batch(t[0], N, path, "|", conv, null, value));
    for (int part = 0; part < 3; part++) {
        size_t a = (size_t)part * N / 3, b = (size_t)(part + 1) * N / 3;
        OK(cx_paths_add_batch(t[1], b - a, rpath + a, "|", rconv + a, rnull + a, rvalue + a));
    }
    for (int i = 0; i < N; i++)
        OK(cx_paths_add(t[2], path[perm[i]], "|", conv[perm[i]], null[perm[i]], value[perm[i]]));
    ck_assert_uint_lt(cx_paths_count(t[0]), N / 5); /* paths repeat */
    cx_result *pc[3];
    for (int k = 0; k < 3; k++)
        OK(cx_paths_table(&pc[k], t[k], "|"));
    for (int k = 1; k < 3; k++) {
        ck_assert_uint_eq(cx_result_row_count(pc[k]), cx_result_row_count(pc[0]));
        for (size_t r = 0; r < cx_result_row_count(pc[0]); r++) {
            const char *name = result_str(pc[0], r, "path");
            size_t q = result_row(pc[k], "path", name);
            for (int c = 0; c < 3; c++) {
                const char *col = c == 0 ? "conversions" : c == 1 ? "nulls" : "value";
                double x = result_real(pc[0], r, col), y = result_real(pc[k], q, col);
                EXPECT(memcmp(&x, &y, sizeof x) == 0, "table %d, %s of %s: %.17g vs %.17g", k, col, name, x, y);
            }
        }
    }
    for (int k = 0; k < 3; k++)
        cx_result_free(pc[k]);
    static const char *const cols[] = {"removal_effect", "markov", "removal_effect_value", "markov_value",
                                       "first_touch", "last_touch", "linear", "position_based", "first_touch_value",
                                       "last_touch_value", "linear_value", "position_based_value"};
    for (int order = 1; order <= 3; order++) {
        cx_result *r[3];
        for (int k = 0; k < 3; k++)
            OK(cx_paths_attribution(&r[k], t[k], order));
        for (int k = 1; k < 3; k++) {
            ck_assert_uint_eq(cx_result_row_count(r[k]), 4);
            for (size_t i = 0; i < 4; i++) {
                const char *name = result_str(r[0], i, "name");
                size_t q = result_row(r[k], "name", name);
                for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
                    double x = result_real(r[0], i, cols[c]), y = result_real(r[k], q, cols[c]);
                    EXPECT(memcmp(&x, &y, sizeof x) == 0, "table %d, order %d, %s of %s: %.17g vs %.17g", k, order,
                           cols[c], name, x, y);
                }
            }
        }
        for (int k = 0; k < 3; k++)
            cx_result_free(r[k]);
    }
    for (int k = 0; k < 3; k++)
        cx_paths_free(t[k]);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("pathtable");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 120);
    tcase_add_checked_fixture(core, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(core, hand_solved);
    tcase_add_test(core, negative_zero_counts);
    tcase_add_test(core, slow_chain_solved_exactly);
    tcase_add_test(core, wandering_paths_fundamental);
    tcase_add_test(core, iterated_removals_side_by_side);
    tcase_add_test(core, threads_same_table);
    tcase_add_test(core, weights_and_order);
    tcase_add_test(core, attribution_any_row_order);
    tcase_add_test(core, fractional_counts_any_row_order);
    tcase_add_test(core, same_as_journeys);
    tcase_add_test(core, step_matrix);
    tcase_add_test(core, bad_input);
    tcase_add_test(core, import_csv);
    tcase_add_test(core, import_csv_stream);
    tcase_add_test(core, import_csv_boundaries);
    tcase_add_test(core, out_of_memory);
    suite_add_tcase(su, core);
    return run_suite(su);
}
