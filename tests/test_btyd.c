/*
 * Buy-till-you-die depth (issue 16): the population distribution of
 * purchases P(X(t) = n) and E[X(t)] (BG/NBD, Pareto/NBD, BG/BB), the
 * calibration / holdout table, every customer's predictions in one table,
 * and the parameters' standard errors from the Hessian. Reference values
 * come from lifetimes 0.11.3 on the CDNOW and donations data; the commands
 * are in tests/data/btyd/README.md (make_reference.py prints every number
 * written below). Simulations are seeded and use their own generator.
 */
#include "cx_test.h"

static const char *data_dir(void)
{
    const char *d = getenv("CX_PUBLIC_DATA");
    return d && *d ? d : "/work/shared/data";
}

/* ---- lifetimes' numbers (make_reference.py) ----------------------------- */

static const double bgnbd_params[4] = {0.24259292827982198, 4.413532265271817, 0.79288596644060017,
                                       2.4257523826255123};
static const double bgnbd_se[4] = {0.012557320698193205, 0.3782214570439269, 0.18571907191204595,
                                   0.7053453435329281};
static const double bgnbd_pmf_t39[10] = {
    0.57430728340542281,  0.19919306128210471,  0.085322408760463819, 0.045797191724208847,
    0.027631215593659664, 0.017938392273574907, 0.012249960991122712, 0.0086816676626226622,
    0.006330106189021972, 0.0047203101022244946};
static const double bgnbd_pmf_t78[10] = {
    0.49160116616757554,  0.21030706604435537,  0.096645855547765225, 0.054978608209032873,
    0.034989856125966813, 0.023907653855166709, 0.017162791848059605, 0.012778449818333589,
    0.009784943134061419, 0.0076615331086406823};
static const double ex_times[4] = {1.0, 10.0, 39.0, 78.0};
static const double bgnbd_ex_t[4] = {0.053184736895631614, 0.43176098952267022, 1.1950162284462018,
                                     1.8579717035277727};
static const double pnbd_params[4] = {0.5532678334405815, 10.577315439246721, 0.60623999667735418,
                                      11.668463828427724};
static const double pnbd_ex_t[4] = {0.051007272081287296, 0.42779972234552571, 1.2134172784596802,
                                    1.9098839069184044};
/* lifetimes' conditional pmf for a customer with no history (T = 1e-9) */
static const double pnbd_pmf_t39[10] = {
    0.59353338458129212,  0.16558396797050462,  0.082503558994647341, 0.049052076136304926,
    0.031704887279148448, 0.021491898983708235, 0.015016685142548622, 0.010712057368361042,
    0.0077564949451132421, 0.0056798386683886799};
static const double pnbd_se[4] = {0.047626620656389208, 0.84268593019505844, 0.18729265896543476,
                                  6.211288585174465};
static const double gg_se[3] = {1.189687048084372, 0.29016561744944508, 4.1599939284233365};
static const double bgbb_params[4] = {1.203522393608002, 0.74971635817575133, 0.65671816954998952,
                                      2.7834419828878589};
static const double bgbb_se[4] = {0.069391362186700833, 0.029447716220977884, 0.051009850332864107,
                                  0.32081893943545098};
/* expected_number_of_transactions_in_first_n_periods(6): donors (of 11104) by transactions */
static const double bgbb_first6[7] = {3454.881979415421,  1888.6543427566414, 1348.8823303701593,
                                      1113.3785332814448, 1017.9224125512278, 1027.1660490340219,
                                      1253.1143525910843};
static const double calib_params[4] = {0.25162401142410384, 33.522616192289114, 0.72343303572867956,
                                       2.1610869813718465};
static const int64_t calib_customers[8] = {14119, 4442, 2064, 1084, 605, 348, 272, 636};
static const double calib_actual[8] = {0.25072597209434094, 0.78410625844214321, 1.4026162790697674,
                                       1.8367158671586716,  2.4512396694214877,  3.0632183908045976,
                                       3.8014705882352939,  6.5911949685534594};
static const double calib_expected[8] = {0.2308573070355949, 0.5198027232627197, 1.0372464375334172,
                                         1.5791164674622602, 2.2669424673270568, 2.8915905924652137,
                                         3.5327335579922838, 6.4685264859919869};

static cx_model *given(cx_model_kind kind, const double *p)
{
    cx_model *m;
    OK(cx_model_new(&m, kind, p, kind == CX_MODEL_GAMMA_GAMMA ? 3 : kind == CX_MODEL_SBG ? 2 : 4));
    return m;
}

/* ---- the distribution ----------------------------------------------------- */

START_TEST(pmf_matches_lifetimes)
{
    double v[10], e;
    cx_model *bg = given(CX_MODEL_BGNBD, bgnbd_params), *pn = given(CX_MODEL_PARETO_NBD, pnbd_params);
    OK(cx_model_purchase_pmf(v, 10, bg, 39));
    for (int n = 0; n < 10; n++)
        REL(v[n], bgnbd_pmf_t39[n], 1e-11);
    OK(cx_model_purchase_pmf(v, 10, bg, 78));
    for (int n = 0; n < 10; n++)
        REL(v[n], bgnbd_pmf_t78[n], 1e-11);
    OK(cx_model_purchase_pmf(v, 10, pn, 39));
    for (int n = 0; n < 10; n++)
        REL(v[n], pnbd_pmf_t39[n], 1e-7); /* theirs is conditional on T = 1e-9 */
    for (int k = 0; k < 4; k++) {
        OK(cx_model_population_expected(&e, bg, ex_times[k]));
        REL(e, bgnbd_ex_t[k], 1e-12);
        OK(cx_model_population_expected(&e, pn, ex_times[k]));
        REL(e, pnbd_ex_t[k], 1e-12);
    }
    cx_model *bb = given(CX_MODEL_BGBB, bgbb_params);
    OK(cx_model_purchase_pmf(v, 7, bb, 6));
    for (int n = 0; n < 7; n++)
        REL(v[n] * 11104, bgbb_first6[n], 1e-10);
    cx_model_free(bb);
    cx_model_free(bg);
    cx_model_free(pn);
}
END_TEST

/* The distribution sums to one, and its mean is E[X(t)], for short and long
 * periods and parameters far from CDNOW's. */
START_TEST(pmf_sums_to_one)
{
    static const double other_bg[4] = {3.5, 0.8, 2.5, 6.0}, other_pn[4] = {2.0, 1.5, 3.0, 0.7},
                        other_pn2[4] = {0.3, 40.0, 0.2, 80.0}, other_bb[4] = {0.5, 3.0, 1.0, 1.0};
    const struct {
        cx_model_kind kind;
        const double *p;
    } cases[] = {{CX_MODEL_BGNBD, bgnbd_params},     {CX_MODEL_BGNBD, other_bg},  {CX_MODEL_PARETO_NBD, pnbd_params},
                 {CX_MODEL_PARETO_NBD, other_pn},   {CX_MODEL_PARETO_NBD, other_pn2}, {CX_MODEL_BGBB, bgbb_params},
                 {CX_MODEL_BGBB, other_bb}};
    static const double times[4] = {0.5, 10, 39, 500};
    static double v[20000], v2[100000];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cx_model *m = given(cases[c].kind, cases[c].p);
        for (int k = 0; k < 4; k++) {
            double t = cases[c].kind == CX_MODEL_BGBB ? ceil(times[k]) : times[k];
            size_t N = cases[c].kind == CX_MODEL_BGBB ? (size_t)t + 1 : 20000;
            OK(cx_model_purchase_pmf(v, N, m, t));
            double sum = 0, mean = 0, e;
            for (size_t n = N; n-- > 0;) {
                EXPECT(v[n] >= 0 && v[n] <= 1, "case %zu t %g: P(%zu) = %g", c, t, n, v[n]);
                sum += v[n];
                mean += (double)n * v[n];
            }
            NEAR(sum, 1, 1e-9);
            OK(cx_model_population_expected(&e, m, t));
            REL(mean, e, 1e-8);
        }
        cx_model_free(m);
    }
    /* BG/NBD where FHL's eq. 9 fails: a = 1 (its factor (a + b - 1) / (a - 1)) and t
     * thousands of times alpha (its 2F1 series): E[X(t)] is the pmf's mean all the same */
    static const double a1[4] = {0.3, 4, 1, 2}, far[4] = {0.5, 1, 5, 3};
    const double *pars[2] = {a1, far}, ts[2] = {10, 2e4};
    for (int k = 0; k < 2; k++) {
        cx_model *m = given(CX_MODEL_BGNBD, pars[k]);
        size_t N = 100000;
        double mean = 0, sum = 0, e;
        OK(cx_model_purchase_pmf(v2, N, m, ts[k]));
        for (size_t n = N; n-- > 0;) {
            sum += v2[n];
            mean += (double)n * v2[n];
        }
        NEAR(sum, 1, 1e-9);
        OK(cx_model_population_expected(&e, m, ts[k]));
        REL(e, mean, 1e-9);
        cx_model_free(m);
    }
    /* the conditional expectation of a long horizon (FHL eq. 10, whose numerator is E[X(t)] of
     * BG/NBD with r + x, alpha + T, a, b + x) no longer fails: finite, rising with the horizon,
     * and below a customer who never leaves, (r + x) / (alpha + T) t */
    {
        static const double x[3] = {0, 2, 7}, tx[3] = {0, 20, 35}, TT[3] = {39, 39, 39};
        cx_model *m = given(CX_MODEL_BGNBD, bgnbd_params);
        cx_model_data *d;
        OK(cx_model_data_new(&d, 3));
        OK(cx_model_data_set(d, CX_SUMMARY_FREQUENCY, x));
        OK(cx_model_data_set(d, CX_SUMMARY_RECENCY, tx));
        OK(cx_model_data_set(d, CX_SUMMARY_AGE, TT));
        double e4[3], e6[3];
        OK(cx_model_expected(e4, 3, m, d, 1e4));
        OK(cx_model_expected(e6, 3, m, d, 1e6));
        for (int i = 0; i < 3; i++)
            EXPECT(isfinite(e6[i]) && e6[i] > e4[i] && e6[i] < (bgnbd_params[0] + x[i]) /
                   (bgnbd_params[1] + TT[i]) * 1e6, "customer %d: %g, %g", i, e4[i], e6[i]);
        cx_model_data_free(d);
        cx_model_free(m);
    }
    /* t = 0: no purchase */
    cx_model *m = given(CX_MODEL_PARETO_NBD, pnbd_params);
    OK(cx_model_purchase_pmf(v, 3, m, 0));
    ck_assert(v[0] == 1 && v[1] == 0 && v[2] == 0);
    cx_model_free(m);
}
END_TEST

/* ---- a seeded simulation of each model ------------------------------------ */

typedef struct rng {
    uint64_t s;
} rng;

static double unif(rng *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return ((double)(g->s >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(rng *g) { return sqrt(-2 * log(unif(g))) * cos(6.283185307179586 * unif(g)); }

/* Gamma(shape, 1) by Marsaglia and Tsang (boosted below shape 1). */
static double gamma1(rng *g, double a)
{
    if (a < 1)
        return gamma1(g, a + 1) * pow(unif(g), 1 / a);
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = normal(g), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = unif(g);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

static double beta_draw(rng *g, double a, double b)
{
    double x = gamma1(g, a);
    return x / (x + gamma1(g, b));
}

/* purchases of one simulated customer in (0, t] */
static int simulate(rng *g, cx_model_kind kind, const double *p, double t)
{
    int n = 0;
    if (kind == CX_MODEL_BGNBD) { /* buys at rate lambda; after each purchase leaves with probability q */
        double lam = gamma1(g, p[0]) / p[1], q = beta_draw(g, p[2], p[3]), s = 0;
        for (;;) {
            s += -log(unif(g)) / lam;
            if (s > t)
                return n;
            n++;
            if (unif(g) < q)
                return n;
        }
    }
    if (kind == CX_MODEL_PARETO_NBD) { /* buys at rate lambda until an exponential lifetime */
        double lam = gamma1(g, p[0]) / p[1], mu = gamma1(g, p[2]) / p[3], tau = -log(unif(g)) / mu, s = 0;
        double end = tau < t ? tau : t;
        for (;;) {
            s += -log(unif(g)) / lam;
            if (s > end)
                return n;
            n++;
        }
    }
    /* BG/BB: before each opportunity leaves with probability theta, else buys with probability q */
    double q = beta_draw(g, p[0], p[1]), th = beta_draw(g, p[2], p[3]);
    for (int i = 0; i < (int)t; i++) {
        if (unif(g) < th)
            return n;
        n += unif(g) < q;
    }
    return n;
}

/* Pearson's chi-square of 100000 simulated customers against the pmf, over
 * the counts 0..K-1 and K or more (K + 1 cells, K degrees of freedom; fewer
 * for BG/BB, which cannot buy more often than it has opportunities),
 * against the 0.1 % critical value (29.59 at K = 10): a wrong distribution
 * of this sample size fails it (a change of 1 % in P(0) alone adds about
 * 60). */
START_TEST(pmf_matches_simulation)
{
    enum { K = 10, CUSTOMERS = 100000 };
    /* the 0.1 % critical values of chi-square, 1 to 10 degrees of freedom */
    static const double crit[10] = {10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59};
    const struct {
        cx_model_kind kind;
        const double *p;
        double t;
    } cases[] = {{CX_MODEL_BGNBD, bgnbd_params, 39}, {CX_MODEL_PARETO_NBD, pnbd_params, 39},
                 {CX_MODEL_BGBB, bgbb_params, 6}, {CX_MODEL_BGNBD, bgnbd_params, 200}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        rng g = {0x9e3779b97f4a7c15u + c};
        double count[K + 1] = {0}, pmf[K], chi2 = 0, rest = 1;
        for (int i = 0; i < CUSTOMERS; i++) {
            int n = simulate(&g, cases[c].kind, cases[c].p, cases[c].t);
            count[n < K ? n : K]++;
        }
        cx_model *m = given(cases[c].kind, cases[c].p);
        OK(cx_model_purchase_pmf(pmf, K, m, cases[c].t));
        cx_model_free(m);
        int cells = 0;
        for (int n = 0; n <= K; n++) {
            double pr = n < K ? pmf[n] : rest;
            if (n < K)
                rest -= pmf[n];
            double want = pr * CUSTOMERS;
            if (want < 1e-9) { /* BG/BB: no more purchases than opportunities */
                ck_assert(count[n] == 0);
                continue;
            }
            chi2 += (count[n] - want) * (count[n] - want) / want;
            cells++;
        }
        EXPECT(cells >= 2 && chi2 < crit[cells - 2], "case %zu: chi-square %g with %d degrees of freedom", c, chi2,
               cells - 1);
        fprintf(stdout, "# case %zu: chi-square %.2f, %d degrees of freedom\n", c, chi2, cells - 1);
    }
}
END_TEST

/* ---- standard errors ------------------------------------------------------- */

static size_t read_cdnow(double *x, double *tx, double *TT, double *z, size_t cap)
{
    char path[1024], line[256];
    snprintf(path, sizeof path, "%s/cdnow_customers_summary_with_transactions.csv", data_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    if (fgets(line, sizeof line, f))
        while (n < cap && fgets(line, sizeof line, f)) {
            int id;
            if (sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &x[n], &tx[n], &TT[n], &z[n]) == 5)
                n++;
        }
    fclose(f);
    return n;
}

/* The std_error, lower and upper columns of a model's parameters. */
static void check_se(const cx_model *m, const double *want, size_t k, double tol)
{
    cx_result *r;
    OK(cx_model_params(&r, m));
    ck_assert_uint_eq(cx_result_row_count(r), k);
    ck_assert_uint_eq(cx_result_column_count(r), 9);
    for (size_t i = 0; i < k; i++) {
        double p, se, lo, hi;
        OK(cx_result_get_real(&p, r, i, 1));
        OK(cx_result_get_real(&se, r, i, 6));
        OK(cx_result_get_real(&lo, r, i, 7));
        OK(cx_result_get_real(&hi, r, i, 8));
        REL(se, want[i], tol);
        REL(lo, p * exp(-1.959963984540054 * se / p), 1e-12);
        REL(hi, p * exp(1.959963984540054 * se / p), 1e-12);
    }
    cx_result_free(r);
}

START_TEST(standard_errors_match_lifetimes)
{
    static double x[2400], tx[2400], TT[2400], z[2400];
    size_t n = read_cdnow(x, tx, TT, z, 2400);
    if (!n) {
        fprintf(stdout, "# standard_errors_match_lifetimes skipped: no CDNOW summary in %s\n", data_dir());
        return;
    }
    ck_assert_uint_eq(n, 2357);
    cx_model *m;
    OK(cx_model_fit_bgnbd(&m, x, tx, TT, NULL, n));
    check_se(m, bgnbd_se, 4, 2e-6); /* both Hessians at estimates that agree to about 1e-7 */
    cx_model_free(m);
    OK(cx_model_fit_paretonbd(&m, x, tx, TT, NULL, n));
    check_se(m, pnbd_se, 4, 3e-4); /* lifetimes' Nelder-Mead stops about 1e-4 away */
    cx_model_free(m);
    OK(cx_model_fit_gammagamma(&m, x, z, NULL, n));
    check_se(m, gg_se, 3, 2e-6);
    cx_model_free(m);
    /* donations.csv: frequency, recency, periods, weights */
    char path[1024], line[256];
    snprintf(path, sizeof path, "%s/donations.csv", data_dir());
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    double fx[64], ftx[64], fn[64], fw[64];
    size_t k = 0;
    if (fgets(line, sizeof line, f))
        while (k < 64 && fgets(line, sizeof line, f))
            if (sscanf(line, "%lf,%lf,%lf,%lf", &fx[k], &ftx[k], &fn[k], &fw[k]) == 4)
                k++;
    fclose(f);
    ck_assert_uint_eq(k, 22);
    OK(cx_model_fit_bgbb(&m, fx, ftx, fn, fw, k));
    check_se(m, bgbb_se, 4, 1e-5);
    cx_model_free(m);
}
END_TEST

/* The same CDNOW customers with their times (and amounts) in a unit 10^10
 * or 10^12 times larger or smaller: the same r, a, b, s, p, q, and alpha,
 * beta, gamma in the new unit; the log-likelihood moves by the density's
 * Jacobian (x ln scale per customer for the purchase times, ln scale per
 * customer for the mean amount). Fixed floors on alpha and gamma refused
 * the small units ("no dropout signal", "did not converge"). */
static double param_cell(const cx_model *m, size_t row, size_t col)
{
    cx_result *r;
    double v;
    OK(cx_model_params(&r, m));
    OK(cx_result_get_real(&v, r, row, col));
    cx_result_free(r);
    return v;
}

START_TEST(fits_scale_with_units)
{
    static double x[2400], tx[2400], TT[2400], z[2400], sx[2400], sT[2400], sz[2400];
    size_t n = read_cdnow(x, tx, TT, z, 2400);
    if (!n) {
        fprintf(stdout, "# fits_scale_with_units skipped: no CDNOW summary in %s\n", data_dir());
        return;
    }
    double sumx = 0, buyers = 0;
    for (size_t i = 0; i < n; i++) {
        sumx += x[i];
        buyers += x[i] > 0;
    }
    cx_model *ref[3];
    OK(cx_model_fit_bgnbd(&ref[0], x, tx, TT, NULL, n));
    OK(cx_model_fit_paretonbd(&ref[1], x, tx, TT, NULL, n));
    OK(cx_model_fit_gammagamma(&ref[2], x, z, NULL, n));
    static const double scales[] = {1e-10, 1e-12, 1e10, 1e12};
    for (size_t k = 0; k < sizeof scales / sizeof *scales; k++) {
        double f = scales[k];
        for (size_t i = 0; i < n; i++) {
            sx[i] = tx[i] * f;
            sT[i] = TT[i] * f;
            sz[i] = z[i] * f;
        }
        cx_model *m[3];
        OK(cx_model_fit_bgnbd(&m[0], x, sx, sT, NULL, n));
        OK(cx_model_fit_paretonbd(&m[1], x, sx, sT, NULL, n));
        OK(cx_model_fit_gammagamma(&m[2], x, sz, NULL, n));
        /* the parameters in the data's unit: which of them scale, per model */
        static const int scaled[3][4] = {{0, 1, 0, 0}, {0, 1, 0, 1}, {0, 0, 1, -1}};
        static const size_t count[3] = {4, 4, 3};
        for (int j = 0; j < 3; j++) {
            for (size_t i = 0; i < count[j]; i++)
                REL(param_cell(m[j], i, 1), param_cell(ref[j], i, 1) * (scaled[j][i] == 1 ? f : 1), 1e-5);
            double ll = param_cell(m[j], 0, 3), ll0 = param_cell(ref[j], 0, 3); /* "loglik" */
            REL(ll, ll0 - (j < 2 ? sumx : buyers) * log(f), 1e-7);
            cx_model_free(m[j]);
        }
    }
    for (int j = 0; j < 3; j++)
        cx_model_free(ref[j]);
}
END_TEST

/* Four times the customers (weights x 4): the information is four times
 * larger and every standard error half; a given model has none. */
START_TEST(standard_errors_scale)
{
    static const double t[8] = {1, 2, 3, 4, 5, 5, 3, 1};
    static const int churned[8] = {1, 1, 1, 1, 0, 1, 0, 1};
    static const double w1[8] = {131, 126, 90, 60, 400, 30, 70, 44};
    double w4[8], se1[2], se4[2];
    for (int i = 0; i < 8; i++)
        w4[i] = 4 * w1[i];
    for (int pass = 0; pass < 2; pass++) {
        cx_model *m;
        cx_result *r;
        OK(cx_model_fit_sbg(&m, t, churned, pass ? w4 : w1, 8));
        OK(cx_model_params(&r, m));
        for (size_t i = 0; i < 2; i++) {
            double v;
            OK(cx_result_get_real(&v, r, i, 6));
            EXPECT(v > 0 && isfinite(v), "sBG se %g", v);
            (pass ? se4 : se1)[i] = v;
        }
        cx_result_free(r);
        cx_model_free(m);
    }
    for (int i = 0; i < 2; i++)
        REL(se4[i], se1[i] / 2, 1e-4);
    cx_model *m = given(CX_MODEL_BGNBD, bgnbd_params);
    cx_result *r;
    OK(cx_model_params(&r, m));
    double v;
    OK(cx_result_get_real(&v, r, 0, 6));
    ck_assert(isnan(v));
    cx_result_free(r);
    cx_model_free(m);
}
END_TEST

/* ---- calibration / holdout on CDNOW_master -------------------------------------- */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* lifetimes' calibration_and_holdout_data(freq = "D") of CDNOW_master.txt:
 * purchases on one day count once; x the calibration days after the first,
 * t_x and T in days since the first, holdout the days with purchases after
 * the calibration end, up to the observation end. Customers are numbered
 * 1..23570 in the file. Returns the customers. */
static size_t read_master(double *x, double *tx, double *TT, double *ho, size_t cap, int64_t cal_end,
                          int64_t obs_end)
{
    char path[1024], line[256];
    snprintf(path, sizeof path, "%s/CDNOW_master.txt", data_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    static int64_t first[24000], last_day[24000];
    size_t n = 0;
    if (fgets(line, sizeof line, f))
        while (fgets(line, sizeof line, f)) {
            int id, date, cds;
            double amount;
            if (sscanf(line, "%d %d %d %lf", &id, &date, &cds, &amount) != 4 || id < 1 || (size_t)id > cap)
                continue;
            size_t i = (size_t)id - 1;
            int64_t day = days_from_civil(date / 10000, date / 100 % 100, date % 100);
            if (i >= n) { /* the file is sorted by customer, then date */
                n = i + 1;
                first[i] = day;
                last_day[i] = day;
                x[i] = tx[i] = ho[i] = 0;
                continue;
            }
            if (day == last_day[i])
                continue;
            last_day[i] = day;
            if (day <= cal_end) {
                x[i]++;
                tx[i] = (double)(day - first[i]);
            } else if (day <= obs_end) {
                ho[i]++;
            }
        }
    fclose(f);
    for (size_t i = 0; i < n; i++)
        TT[i] = (double)(cal_end - first[i]);
    return n;
}

START_TEST(calibration_matches_lifetimes)
{
    static double x[24000], tx[24000], TT[24000], ho[24000];
    int64_t cal_end = days_from_civil(1997, 9, 30), obs_end = days_from_civil(1998, 6, 30);
    size_t n = read_master(x, tx, TT, ho, 24000, cal_end, obs_end);
    if (!n) {
        fprintf(stdout, "# calibration_matches_lifetimes skipped: no CDNOW_master.txt in %s\n", data_dir());
        return;
    }
    ck_assert_uint_eq(n, 23570);
    double sums[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        sums[0] += x[i];
        sums[1] += tx[i];
        sums[2] += TT[i];
        sums[3] += ho[i];
    }
    /* lifetimes' calibration_and_holdout_data: the same customers */
    ck_assert(sums[0] == 24337 && sums[1] == 1129644 && sums[2] == 5399736 && sums[3] == 19684);
    cx_model *m = given(CX_MODEL_BGNBD, calib_params);
    cx_model_data *d;
    OK(cx_model_data_new(&d, n));
    OK(cx_model_data_set(d, CX_SUMMARY_FREQUENCY, x));
    OK(cx_model_data_set(d, CX_SUMMARY_RECENCY, tx));
    OK(cx_model_data_set(d, CX_SUMMARY_AGE, TT));
    cx_result *r;
    OK(cx_model_calibration(&r, m, d, ho, (double)(obs_end - cal_end), 7));
    ck_assert_uint_eq(cx_result_row_count(r), 8);
    ck_assert_uint_eq(cx_result_column_count(r), 5);
    for (size_t f = 0; f < 8; f++) {
        int64_t fr, c;
        double a, e;
        const char *label;
        OK(cx_result_get_int(&fr, r, f, 0));
        OK(cx_result_get_string(&label, r, f, 1));
        OK(cx_result_get_int(&c, r, f, 2));
        OK(cx_result_get_real(&a, r, f, 3));
        OK(cx_result_get_real(&e, r, f, 4));
        ck_assert_int_eq(fr, (int64_t)f);
        char want[8];
        snprintf(want, sizeof want, f == 7 ? "%zu+" : "%zu", f);
        ck_assert_str_eq(label, want);
        ck_assert_int_eq(c, calib_customers[f]);
        REL(a, calib_actual[f], 1e-13);
        REL(e, calib_expected[f], 1e-9);
    }
    cx_result_free(r);
    /* the fit on the same calibration data finds lifetimes' estimate */
    cx_model *fit;
    OK(cx_model_fit_bgnbd(&fit, x, tx, TT, NULL, n));
    OK(cx_model_params(&r, fit));
    for (size_t i = 0; i < 4; i++) {
        double v;
        OK(cx_result_get_real(&v, r, i, 1));
        REL(v, calib_params[i], 1e-4);
    }
    cx_result_free(r);
    cx_model_free(fit);
    /* max_frequency 0: one pooled row of everybody */
    OK(cx_model_calibration(&r, m, d, ho, 273, 0));
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    int64_t c;
    double a;
    OK(cx_result_get_int(&c, r, 0, 2));
    OK(cx_result_get_real(&a, r, 0, 3));
    ck_assert_int_eq(c, 23570);
    REL(a, 19684.0 / 23570, 1e-14);
    cx_result_free(r);
    /* a frequency row without customers has NaN means */
    OK(cx_model_calibration(&r, m, d, ho, 273, 10000));
    ck_assert_uint_eq(cx_result_row_count(r), 10001);
    OK(cx_result_get_int(&c, r, 9999, 2));
    OK(cx_result_get_real(&a, r, 9999, 3));
    ck_assert(c == 0 && isnan(a));
    cx_result_free(r);
    cx_model_data_free(d);
    cx_model_free(m);
}
END_TEST

/* ---- every customer in one table ----------------------------------------------- */

static void col_is(const cx_result *r, size_t j, const char *name)
{
    const char *s;
    OK(cx_result_column_name(&s, r, j));
    ck_assert_str_eq(s, name);
}

START_TEST(customers_table_agrees)
{
    static const double x[6] = {0, 1, 2, 5, 3, 0}, tx[6] = {0, 4, 10, 30, 30.5, 0}, TT[6] = {38, 38, 30, 35, 39, 2};
    static const double mean[6] = {0, 20, 35.5, 12, 80, 0}, gg[3] = {6.25, 3.74, 15.4};
    cx_model *bg = given(CX_MODEL_BGNBD, bgnbd_params), *sp = given(CX_MODEL_GAMMA_GAMMA, gg);
    cx_model_data *d;
    OK(cx_model_data_new(&d, 6));
    OK(cx_model_data_set(d, CX_SUMMARY_FREQUENCY, x));
    OK(cx_model_data_set(d, CX_SUMMARY_RECENCY, tx));
    OK(cx_model_data_set(d, CX_SUMMARY_AGE, TT));
    double pa[6], ex[6], es[6];
    OK(cx_model_p_alive(pa, 6, bg, d));
    OK(cx_model_expected(ex, 6, bg, d, 26));
    cx_result *r, *clv;
    OK(cx_model_customers(&r, bg, NULL, d, 26, NULL));
    ck_assert_uint_eq(cx_result_column_count(r), 5);
    static const char *const names[7] = {"frequency", "recency", "age", "p_alive", "expected_purchases",
                                         "expected_spend", "clv"};
    for (size_t j = 0; j < 5; j++)
        col_is(r, j, names[j]);
    for (size_t i = 0; i < 6; i++) {
        double v[5];
        for (size_t j = 0; j < 5; j++)
            OK(cx_result_get_real(&v[j], r, i, j));
        ck_assert(v[0] == x[i] && v[1] == tx[i] && v[2] == TT[i] && v[3] == pa[i] && v[4] == ex[i]);
    }
    cx_result_free(r);
    /* with a spend model: the spend and CLV of cx_model_clv() */
    FAILS(cx_model_customers(&r, bg, sp, d, 26, NULL), CX_EINVAL, "cx_model_customers"); /* no monetary */
    OK(cx_model_data_set(d, CX_SUMMARY_MONETARY, mean));
    cx_clv_options *o;
    OK(cx_clv_options_new(&o));
    OK(cx_clv_options_set_horizon(o, 6));
    OK(cx_clv_options_set_discount(o, 0.01));
    OK(cx_model_customers(&r, bg, sp, d, 26, o));
    OK(cx_model_clv(&clv, bg, sp, d, o));
    OK(cx_model_expected_spend(es, 6, sp, d));
    ck_assert_uint_eq(cx_result_column_count(r), 7);
    for (size_t j = 0; j < 7; j++)
        col_is(r, j, names[j]);
    for (size_t i = 0; i < 6; i++) {
        double s, c, want;
        OK(cx_result_get_real(&s, r, i, 5));
        OK(cx_result_get_real(&c, r, i, 6));
        OK(cx_result_get_real(&want, clv, i, 3));
        ck_assert(s == es[i] && c == want);
    }
    cx_result_free(r);
    cx_result_free(clv);
    cx_clv_options_free(o);
    cx_model_data_free(d);
    cx_model_free(sp);
    cx_model_free(bg);
}
END_TEST

/* ---- out of memory: the tables of a summary use its store's allocator ------------ */

typedef struct budget {
    long left; /* allocations that still succeed; < 0: no limit */
    long live; /* blocks allocated and not freed */
} budget;

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    budget *b = ud;
    (void)osize;
    if (nsize == 0) {
        if (ptr)
            b->live--;
        free(ptr);
        return NULL;
    }
    if (b->left == 0)
        return NULL;
    if (b->left > 0)
        b->left--;
    void *q = realloc(ptr, nsize);
    if (q && !ptr)
        b->live++;
    return q;
}

/* Every allocation of cx_model_calibration() and cx_model_customers() on a
 * summary's data fails in turn: each failure is CX_ENOMEM with *out NULL
 * and nothing left allocated; then the call succeeds. */
START_TEST(tables_out_of_memory)
{
    budget b = {-1, 0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, budget_alloc, &b));
    char id[16];
    for (int c = 0; c < 12; c++) {
        snprintf(id, sizeof id, "C%d", c);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        for (int k = 0; k <= c % 4; k++)
            OK(cx_transaction_add(NULL, s, NULL, id, T("2024-01-01T00:00:00Z") + (int64_t)(k * 9 + c) * DAY_MS,
                                  10.0 + c + k));
        if (c % 3 == 0)
            OK(cx_transaction_add(NULL, s, NULL, id, T("2024-03-10T00:00:00Z") + (int64_t)c * DAY_MS, 5));
    }
    cx_summary_options *o;
    OK(cx_summary_options_new(&o));
    OK(cx_summary_options_set_unit(o, DAY_MS));
    OK(cx_summary_options_set_holdout_end(o, T("2024-04-01T00:00:00Z")));
    cx_summary *sum;
    OK(cx_summary_new(&sum, s, T("2024-03-01T00:00:00Z"), o));
    cx_summary_options_free(o);
    cx_model_data *d;
    OK(cx_model_data_from_summary(&d, sum));
    const double *ho;
    OK(cx_summary_values(&ho, sum, CX_SUMMARY_HOLDOUT));
    cx_model *bg = given(CX_MODEL_BGNBD, bgnbd_params), *gg = given(CX_MODEL_GAMMA_GAMMA, (double[]){6, 3.7, 15});
    for (int which = 0; which < 3; which++) {
        for (long k = 0;; k++) {
            long live = b.live;
            b.left = k;
            cx_result *r = (cx_result *)&b;
            int rc = which == 0   ? cx_model_calibration(&r, bg, d, ho, 31, 3)
                     : which == 1 ? cx_model_customers(&r, bg, NULL, d, 30, NULL)
                                  : cx_model_customers(&r, bg, gg, d, 30, NULL);
            b.left = -1;
            if (rc == CX_OK) {
                ck_assert(k > 0);
                ck_assert_uint_eq(cx_result_row_count(r), which == 0 ? 4 : 12);
                cx_result_free(r);
                ck_assert_int_eq(b.live, live);
                break;
            }
            ck_assert_int_eq(rc, CX_ENOMEM);
            ck_assert_ptr_null(r);
            ck_assert_int_eq(b.live, live);
            ck_assert(k < 1000);
        }
    }
    cx_model_free(gg);
    cx_model_free(bg);
    cx_model_data_free(d);
    cx_summary_free(sum);
    cx_store_free(s);
    ck_assert_int_eq(b.live, 0);
}
END_TEST

/* ---- arguments: checked, nothing changed on failure ---------------------------- */

/* BG/BB rows of more than 64 opportunities take each dropout term from the
 * one before (a ratio), recomputed every 64: the log-likelihood the fit
 * reports is the one summed here term by term from log-beta functions, at
 * the estimate, to 1e-10. 80 simulated customers on 100 to 400
 * opportunities (p ~ Beta(1.2, 3), dropout ~ Beta(1, 20)). */
static double lbeta_t(double a, double b) { return lgamma(a) + lgamma(b) - lgamma(a + b); }

START_TEST(bgbb_long_rows_likelihood)
{
    enum { N = 80 };
    double x[N], tx[N], nn[N];
    rng g = {2024};
    for (int i = 0; i < N; i++) {
        double p = beta_draw(&g, 1.2, 3), th = beta_draw(&g, 1, 20);
        nn[i] = 100 + (double)(i * 37 % 301);
        x[i] = tx[i] = 0;
        for (int t = 1; t <= (int)nn[i]; t++) {
            if (unif(&g) < th)
                break;
            if (unif(&g) < p) {
                x[i]++;
                tx[i] = t;
            }
        }
    }
    cx_model *m;
    OK(cx_model_fit_bgbb(&m, x, tx, nn, NULL, N));
    cx_result *r;
    OK(cx_model_params(&r, m));
    double al, be, ga, de, ll;
    OK(cx_result_get_real(&al, r, 0, 1));
    OK(cx_result_get_real(&be, r, 1, 1));
    OK(cx_result_get_real(&ga, r, 2, 1));
    OK(cx_result_get_real(&de, r, 3, 1));
    OK(cx_result_get_real(&ll, r, 0, 3));
    cx_result_free(r);
    cx_model_free(m);
    double want = 0;
    for (int i = 0; i < N; i++) {
        double lab = lbeta_t(al, be), lgd = lbeta_t(ga, de);
        double m0 = lbeta_t(al + x[i], be + nn[i] - x[i]) - lab + lbeta_t(ga, de + nn[i]) - lgd, s = 1;
        for (int k = 0; k < (int)(nn[i] - tx[i]); k++) {
            double l = lbeta_t(al + x[i], be + tx[i] - x[i] + k) - lab + lbeta_t(ga + 1, de + tx[i] + k) - lgd;
            if (l > m0) {
                s = s * exp(m0 - l) + 1;
                m0 = l;
            } else {
                s += exp(l - m0);
            }
        }
        want += m0 + log(s);
    }
    REL(ll, want, 1e-10);
}
END_TEST

/* BG/BB on degenerate data: refused with the reason, as BG/NBD is (a
 * model came back, its standard errors NaN): nobody bought; thirty
 * identical customers; every customer buying at the last opportunity;
 * and data with one customer who dropped out fits. */
static uint64_t lcg(uint64_t *g)
{
    *g = *g * 6364136223846793005ULL + 1442695040888963407ULL;
    return *g >> 33;
}

START_TEST(bgbb_degenerate_data)
{
    enum { N = 30 };
    double x[N], tx[N], nn[N];
    cx_model *m = NULL;
    for (int i = 0; i < N; i++) {
        x[i] = tx[i] = 0;
        nn[i] = 6;
    }
    FAILS(cx_model_fit_bgbb(&m, x, tx, nn, NULL, N), CX_ERANGE, "cx_model_fit_bgbb");
    MSG_HAS("no customer made a purchase");
    for (int i = 0; i < N; i++) {
        x[i] = 3;
        tx[i] = 5;
    }
    FAILS(cx_model_fit_bgbb(&m, x, tx, nn, NULL, N), CX_ERANGE, "cx_model_fit_bgbb");
    MSG_HAS("degenerate data");
    for (int i = 0; i < N; i++) {
        x[i] = 1 + i % 5;
        tx[i] = nn[i] = 6 + i % 3;
    }
    FAILS(cx_model_fit_bgbb(&m, x, tx, nn, NULL, N), CX_ERANGE, "cx_model_fit_bgbb");
    MSG_HAS("no dropout signal");
    /* a customer who stopped, given no weight, changes nothing */
    double w[N];
    for (int i = 0; i < N; i++)
        w[i] = i ? 1 : 0;
    tx[0] = 1;
    x[0] = 1;
    FAILS(cx_model_fit_bgbb(&m, x, tx, nn, w, N), CX_ERANGE, "cx_model_fit_bgbb");
    MSG_HAS("no dropout signal");
    ck_assert_ptr_null(m);
    /* purchases and last purchases drawn with no relation between them over
     * 100 or 200 opportunities (as a session that tried to break the fits
     * did): nothing tells dropout apart between customers, and the fit
     * converged or stalled on the flat ridge at gamma 1e5, delta 1e7 .. 1e9;
     * (1000 opportunities: tests/test_fits.c) */
    for (int opp = 100; opp <= 200; opp += 100) {
        uint64_t g = 3;
        for (int i = 0; i < N; i++) {
            x[i] = (double)(lcg(&g) % 51);
            tx[i] = x[i] > 0 ? x[i] + (double)(lcg(&g) % (uint64_t)(opp - x[i] + 1)) : 0;
            nn[i] = opp;
        }
        FAILS(cx_model_fit_bgbb(&m, x, tx, nn, NULL, N), CX_ERANGE, "cx_model_fit_bgbb");
        MSG_HAS("no spread in dropout");
        MSG_HAS("boundary estimate: dropout probability gamma/(gamma+delta) = ");
        ck_assert_ptr_null(m);
    }
}
END_TEST

START_TEST(arguments_checked)
{
    cx_model *bg = given(CX_MODEL_BGNBD, bgnbd_params), *sp = given(CX_MODEL_GAMMA_GAMMA, (double[]){6, 3.7, 15});
    cx_model *bb = given(CX_MODEL_BGBB, bgbb_params);
    double v[4] = {-1, -1, -1, -1}, e = -1;
    FAILS(cx_model_purchase_pmf(NULL, 4, bg, 1), CX_EINVAL, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 4, NULL, 1), CX_EINVAL, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 4, sp, 1), CX_EINVAL, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 0, bg, 1), CX_ERANGE, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 100001, bg, 1), CX_ERANGE, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 4, bg, -1), CX_ERANGE, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 4, bg, NAN), CX_ERANGE, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 4, bb, 2.5), CX_ERANGE, "cx_model_purchase_pmf");
    FAILS(cx_model_purchase_pmf(v, 1000, bb, 100000), CX_ELIMIT, "cx_model_purchase_pmf");
    FAILS(cx_model_population_expected(NULL, bg, 1), CX_EINVAL, "cx_model_population_expected");
    FAILS(cx_model_population_expected(&e, NULL, 1), CX_EINVAL, "cx_model_population_expected");
    FAILS(cx_model_population_expected(&e, sp, 1), CX_EINVAL, "cx_model_population_expected");
    FAILS(cx_model_population_expected(&e, bg, INFINITY), CX_ERANGE, "cx_model_population_expected");
    FAILS(cx_model_population_expected(&e, bb, 1.5), CX_ERANGE, "cx_model_population_expected");
    ck_assert(v[0] == -1 && v[3] == -1 && e == -1);

    static const double x[3] = {0, 1, 2}, tx[3] = {0, 3, 5}, TT[3] = {10, 10, 10}, ho[3] = {0, 1, 4},
                        bad_ho[3] = {0, -1, 4};
    cx_model_data *d;
    OK(cx_model_data_new(&d, 3));
    cx_result *r = (cx_result *)&e;
    FAILS(cx_model_calibration(&r, bg, d, ho, 5, 7), CX_EINVAL, "cx_model_calibration"); /* no columns */
    ck_assert_ptr_null(r);
    OK(cx_model_data_set(d, CX_SUMMARY_FREQUENCY, x));
    OK(cx_model_data_set(d, CX_SUMMARY_RECENCY, tx));
    OK(cx_model_data_set(d, CX_SUMMARY_AGE, TT));
    FAILS(cx_model_calibration(NULL, bg, d, ho, 5, 7), CX_EINVAL, "cx_model_calibration");
    FAILS(cx_model_calibration(&r, NULL, d, ho, 5, 7), CX_EINVAL, "cx_model_calibration");
    FAILS(cx_model_calibration(&r, bg, NULL, ho, 5, 7), CX_EINVAL, "cx_model_calibration");
    FAILS(cx_model_calibration(&r, bg, d, NULL, 5, 7), CX_EINVAL, "cx_model_calibration");
    FAILS(cx_model_calibration(&r, sp, d, ho, 5, 7), CX_EINVAL, "cx_model_calibration");
    FAILS(cx_model_calibration(&r, bg, d, ho, 0, 7), CX_ERANGE, "cx_model_calibration");
    FAILS(cx_model_calibration(&r, bg, d, ho, 5, 10001), CX_ERANGE, "cx_model_calibration");
    FAILS(cx_model_calibration(&r, bg, d, bad_ho, 5, 7), CX_ERANGE, "cx_model_calibration");
    MSG_HAS("row 1");
    FAILS(cx_model_customers(NULL, bg, NULL, d, 5, NULL), CX_EINVAL, "cx_model_customers");
    FAILS(cx_model_customers(&r, NULL, NULL, d, 5, NULL), CX_EINVAL, "cx_model_customers");
    FAILS(cx_model_customers(&r, sp, NULL, d, 5, NULL), CX_EINVAL, "cx_model_customers");
    FAILS(cx_model_customers(&r, bg, bg, d, 5, NULL), CX_EINVAL, "cx_model_customers");
    FAILS(cx_model_customers(&r, bg, NULL, d, -5, NULL), CX_ERANGE, "cx_model_customers");
    FAILS(cx_model_customers(&r, bg, NULL, NULL, 5, NULL), CX_EINVAL, "cx_model_customers");
    ck_assert_ptr_null(r);
    cx_model_data_free(d);
    cx_model_free(bb);
    cx_model_free(sp);
    cx_model_free(bg);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("btyd");
    TCase *pmf = tcase_create("distribution");
    tcase_set_timeout(pmf, 120);
    tcase_add_test(pmf, pmf_matches_lifetimes);
    tcase_add_test(pmf, pmf_sums_to_one);
    tcase_add_test(pmf, pmf_matches_simulation);
    suite_add_tcase(su, pmf);
    TCase *se = tcase_create("standard_errors");
    tcase_set_timeout(se, 120);
    tcase_add_test(se, standard_errors_match_lifetimes);
    tcase_add_test(se, standard_errors_scale);
    tcase_add_test(se, fits_scale_with_units);
    suite_add_tcase(su, se);
    TCase *tab = tcase_create("tables");
    tcase_set_timeout(tab, 120);
    tcase_add_test(tab, calibration_matches_lifetimes);
    tcase_add_test(tab, customers_table_agrees);
    tcase_add_test(tab, arguments_checked);
    tcase_add_test(tab, bgbb_degenerate_data);
    tcase_add_test(tab, bgbb_long_rows_likelihood);
    tcase_add_test(tab, tables_out_of_memory);
    suite_add_tcase(su, tab);
    return run_suite(su);
}
