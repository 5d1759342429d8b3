#define _POSIX_C_SOURCE 200809L
/*
 * Benchmark of the lifecycle module. Not a test: it prints figures.
 *
 * 1. Model fits (run by bench/lifecycle.sh, beside lifetimes 0.11.3 on the
 *    same files): `--write DIR N...` simulates N customers (seeded) from
 *    known BG/NBD and Pareto/NBD parameters as a real transaction log would
 *    give them (births on whole days over 12 weeks, purchases on whole
 *    days, several on one day counting once, observed to day 364,
 *    summarised in weeks; mean amounts from a Gamma-Gamma model) into
 *    DIR/bgnbd_N.csv and DIR/pnbd_N.csv; `--fit MODEL FILE` fits one model
 *    (bgnbd, pnbd or gg) and prints a RESULT line: CPU and wall seconds of
 *    the fit, peak memory and the parameters.
 * 2. `--events N`: cohorts and Kaplan-Meier over N interactions (10 per
 *    customer) loaded into a store through the public API.
 */
#include <cxkit/cxkit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

static uint64_t rng_state;

static double unif(void) { return bench_unif(&rng_state); }

static double gamma1(double k)
{
    if (k < 1)
        return gamma1(k + 1) * pow(unif(), 1 / k);
    double d = k - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif()), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        if (log(unif()) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "%s: %s\n", #call, cx_last_error());                                                  \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* One customer's purchases in days: pareto = 0 BG/NBD (drop after a
 * purchase with probability p), 1 Pareto/NBD (exponential lifetime); with
 * mean amounts (when m is not NULL) from Gamma-Gamma p 6.25, q 3.74,
 * gamma 15.44 (Fader, Hardie & Lee's CDNOW estimates). */
static void simulate(int pareto, const double *par, size_t n, double *x, double *tx, double *T, double *m)
{
    for (size_t i = 0; i < n; i++) {
        double lam = gamma1(par[0]) / par[1], drop = 0, life = INFINITY;
        if (pareto) {
            life = -log(unif()) / (gamma1(par[2]) / par[3]);
        } else {
            double a = gamma1(par[2]);
            drop = a / (a + gamma1(par[3]));
        }
        int birth = (int)(unif() * 84);
        double Tw = (364.0 - birth) / 7, t = 0;
        int last_day = 0, count = 0;
        for (;;) {
            t += -log(unif()) / lam;
            if (t > Tw || t > life)
                break;
            int day = (int)(t * 7);
            if (day > last_day) {
                count++;
                last_day = day;
            }
            if (!pareto && unif() < drop)
                break;
        }
        x[i] = count;
        tx[i] = last_day / 7.0;
        T[i] = Tw;
        if (m) {
            /* the mean of x amounts Gamma(p, nu) is Gamma(p x, nu x); cents */
            double nu = gamma1(3.74) / 15.44;
            m[i] = count ? fmax(0.01, round(100 * gamma1(6.25 * count) / (nu * count)) / 100) : 0;
        }
    }
}

/* Writes DIR/bgnbd_N.csv and DIR/pnbd_N.csv (lifetimes' column names:
 * frequency, recency, T, monetary_value), the files both sides fit. */
static void write_files(const char *dir, size_t n)
{
    static const double truth[2][4] = {{0.243, 4.414, 0.793, 2.426}, {0.553, 10.58, 0.606, 11.67}};
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T),
           *m = malloc(n * sizeof *m);
    if (!x || !tx || !T || !m)
        exit(1);
    for (int pareto = 0; pareto < 2; pareto++) {
        rng_state = 20240101 + n + (uint64_t)pareto;
        simulate(pareto, truth[pareto], n, x, tx, T, m);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s_%zu.csv", dir, pareto ? "pnbd" : "bgnbd", n);
        FILE *f = fopen(path, "w");
        if (!f) {
            perror(path);
            exit(1);
        }
        fprintf(f, "frequency,recency,T,monetary_value\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%.0f,%.17g,%.17g,%.2f\n", x[i], tx[i], T[i], m[i]);
        fclose(f);
        printf("wrote %s\n", path);
    }
    free(x);
    free(tx);
    free(T);
    free(m);
}

static size_t read_file(const char *path, double **x, double **tx, double **T, double **m)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t n = 0, cap = 1024;
    *x = malloc(cap * sizeof **x), *tx = malloc(cap * sizeof **tx), *T = malloc(cap * sizeof **T),
    *m = malloc(cap * sizeof **m);
    char line[256];
    if (!fgets(line, sizeof line, f))
        exit(1);
    while (fgets(line, sizeof line, f)) {
        if (n == cap) {
            cap *= 2;
            *x = realloc(*x, cap * sizeof **x), *tx = realloc(*tx, cap * sizeof **tx);
            *T = realloc(*T, cap * sizeof **T), *m = realloc(*m, cap * sizeof **m);
        }
        if (!*x || !*tx || !*T || !*m || sscanf(line, "%lf,%lf,%lf,%lf", *x + n, *tx + n, *T + n, *m + n) != 4)
            exit(1);
        n++;
    }
    fclose(f);
    return n;
}

/* Fits one model to a file and prints a RESULT line for bench/lifecycle.sh:
 * the model, customers, CPU and wall seconds of the fit alone, and the
 * parameters. */
static void fit_file(const char *model, const char *path)
{
    double *x, *tx, *T, *m;
    size_t n = read_file(path, &x, &tx, &T, &m);
    cx_model *md;
    double c0 = bench_cpu(), w0 = bench_wall();
    if (strcmp(model, "bgnbd") == 0)
        CHECK(cx_model_fit_bgnbd(&md, x, tx, T, NULL, n));
    else if (strcmp(model, "pnbd") == 0)
        CHECK(cx_model_fit_paretonbd(&md, x, tx, T, NULL, n));
    else
        CHECK(cx_model_fit_gammagamma(&md, x, m, NULL, n));
    double c1 = bench_cpu() - c0, w1 = bench_wall() - w0;
    cx_result *r;
    CHECK(cx_model_params(&r, md));
    printf("RESULT side=cxkit model=%s n=%zu cpu=%.4f wall=%.4f rss_mb=%.1f params=", model, n, c1, w1,
           bench_peak_rss_mb());
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        double v;
        CHECK(cx_result_get_real(&v, r, i, 1));
        printf("%s%.8g", i ? "," : "", v);
    }
    printf("\n");
    cx_result_free(r);
    cx_model_free(md);
    free(x);
    free(tx);
    free(T);
    free(m);
}

static void store_bench(size_t events)
{
    size_t ncust = events / 10 ? events / 10 : 1;
    cx_store *s;
    CHECK(cx_store_new(&s));
    CHECK(cx_store_reserve(s, CX_TABLE_CUSTOMERS, ncust));
    CHECK(cx_store_reserve(s, CX_TABLE_INTERACTIONS, events));
    CHECK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    char id[32];
    cx_time t0;
    CHECK(cx_time_from_utc(&t0, 2024, 1, 1, 0, 0, 0));
    rng_state = 7;
    double l0 = bench_wall();
    for (size_t c = 0; c < ncust; c++) {
        snprintf(id, sizeof id, "C-%zu", c);
        CHECK(cx_customer_add(s, id, c % 3 ? "consumer" : "business", NULL, NULL, CX_TIME_NONE));
    }
    for (size_t i = 0; i < events; i++) {
        size_t c = (size_t)(unif() * (double)ncust);
        snprintf(id, sizeof id, "C-%zu", c);
        /* each customer's events fall in a lifetime of its own */
        cx_time t = t0 + (cx_time)((double)(c % 500) * 86400000.0 + unif() * (double)(c % 300 + 30) * 86400000.0);
        CHECK(cx_interaction_add(NULL, s, NULL, id, "web", t, "visit", CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    }
    printf("\nloaded %zu interactions of %zu customers in %.1f s\n", events, ncust, bench_wall() - l0);
    cx_cohorts_options *co;
    cx_result *table;
    CHECK(cx_cohorts_options_new(&co));
    CHECK(cx_cohorts_options_set_activity(co, CX_ACTIVITY_INBOUND));
    double a = bench_wall();
    CHECK(cx_cohorts_run(&table, s, co));
    printf("retention table (monthly, %zu cohort x period rows): %.3f s\n", cx_result_row_count(table), bench_wall() - a);
    cx_result_free(table);
    cx_cohorts_options_free(co);
    cx_survival_options *so;
    cx_survival *sv;
    cx_time as_of;
    CHECK(cx_time_from_utc(&as_of, 2026, 1, 1, 0, 0, 0));
    CHECK(cx_survival_options_new(&so));
    CHECK(cx_survival_options_set_activity(so, CX_ACTIVITY_INBOUND));
    CHECK(cx_survival_options_set_group_by(so, CX_DIM_SEGMENT));
    a = bench_wall();
    CHECK(cx_survival_from_store(&sv, s, as_of, so));
    double km = bench_wall() - a;
    double chi2;
    CHECK(cx_survival_logrank(&chi2, NULL, NULL, sv));
    double test = bench_wall() - a - km;
    CHECK(cx_survival_curve(&table, sv));
    printf("Kaplan-Meier by segment + log-rank: %.3f s (+ %.3f s for the test), %zu steps\n", km, test,
           cx_result_row_count(table));
    cx_result_free(table);
    cx_survival_free(sv);
    cx_survival_options_free(so);
    cx_store_free(s);
}

/* P(X(t) = n), n < N, of the CDNOW estimates (BG/NBD, Pareto/NBD) and of
 * the donations' BG/BB (t opportunities): CPU per call. */
static void pmf_bench(size_t N, double t)
{
    static const double par[3][4] = {{0.2426, 4.4135, 0.7929, 2.4258}, {0.5533, 10.577, 0.6062, 11.668},
                                     {1.2035, 0.7497, 0.6567, 2.7834}};
    static const char *const names[3] = {"bgnbd", "pareto_nbd", "bgbb"};
    static const cx_model_kind kinds[3] = {CX_MODEL_BGNBD, CX_MODEL_PARETO_NBD, CX_MODEL_BGBB};
    double *out = malloc(N * sizeof *out);
    if (!out)
        exit(1);
    for (int k = 0; k < 3; k++) {
        cx_model *m;
        CHECK(cx_model_new(&m, kinds[k], par[k], 4));
        double tk = k == 2 ? ceil(t) : t, c0 = bench_cpu(), sum = 0;
        int reps = 0;
        do {
            CHECK(cx_model_purchase_pmf(out, N, m, tk));
            reps++;
        } while (bench_cpu() - c0 < 0.2);
        for (size_t i = 0; i < N; i++)
            sum += out[i];
        printf("RESULT pmf model=%s t=%g N=%zu cpu_ms_per_call=%.4f sum=%.15f\n", names[k], tk, N,
               (bench_cpu() - c0) / reps * 1e3, sum);
        cx_model_free(m);
    }
    free(out);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--pmf") == 0) {
        pmf_bench(strtoull(argv[2], NULL, 10), strtod(argv[3], NULL));
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "--fit") == 0) {
        fit_file(argv[2], argv[3]);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--write") == 0) {
        for (int i = 3; i < argc; i++)
            write_files(argv[2], strtoull(argv[i], NULL, 10));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--events") == 0) {
        store_bench(strtoull(argv[2], NULL, 10));
        return 0;
    }
    fprintf(stderr, "usage: bench-lifecycle --write DIR N... | --fit bgnbd|pnbd|gg FILE | --events N | --pmf N T\n"
                    "(bench/lifecycle.sh runs the model fits beside lifetimes)\n");
    return 2;
}
