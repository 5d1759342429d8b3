#define _POSIX_C_SOURCE 200809L
/*
 * Benchmark of the lifecycle module. Not a test: it prints figures.
 *
 * 1. Model fits: customers are simulated (seeded) from known BG/NBD and
 *    Pareto/NBD parameters, as a real transaction log would give them:
 *    births on whole days over 12 weeks, purchases on whole days (several
 *    on one day count once), observed to day 364, summarised in weeks.
 *    It times cx_model_fit_bgnbd and cx_model_fit_paretonbd (summary arrays in,
 *    parameters out) and prints the recovered parameters. The published
 *    timings of the Python `lifetimes` package at 10^6 customers are
 *    10.8 s (BG/NBD) and 251 s (Pareto/NBD); lifetimes cannot be installed
 *    here (no network index), so those figures are quoted, not re-measured.
 * 2. Cohorts and Kaplan-Meier over N interactions (default 10^7, 10
 *    per customer) loaded into a store through the public API.
 *
 * Usage: bench-lifecycle [N_CUSTOMERS ...] [--events N]
 *        (default: 100000 1000000 --events 10000000)
 */
#include <cxkit/cxkit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state;

static double unif(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "%s: %s\n", #call, cx_last_error());                                                  \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* One customer's purchases in days: pareto = 0 BG/NBD (drop after a
 * purchase with probability p), 1 Pareto/NBD (exponential lifetime). */
static void simulate(int pareto, const double *par, size_t n, double *x, double *tx, double *T)
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
    }
}

static void fit(int pareto, size_t n)
{
    static const double truth[2][4] = {{0.243, 4.414, 0.793, 2.426}, {0.553, 10.58, 0.606, 11.67}};
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx), *T = malloc(n * sizeof *T);
    if (!x || !tx || !T)
        exit(1);
    rng_state = 20240101 + n + (uint64_t)pareto;
    simulate(pareto, truth[pareto], n, x, tx, T);
    cx_model *m;
    double t0 = now();
    CHECK(pareto ? cx_model_fit_paretonbd(&m, x, tx, T, NULL, n) : cx_model_fit_bgnbd(&m, x, tx, T, NULL, n));
    double dt = now() - t0;
    cx_result *r;
    int64_t it;
    CHECK(cx_model_params(&r, m));
    CHECK(cx_result_get_int(&it, r, 0, 4)); /* "iterations" */
    printf("%-10s %8zu %8.3f s %5lld it  ", pareto ? "Pareto/NBD" : "BG/NBD", n, dt, (long long)it);
    for (size_t i = 0; i < 4; i++) {
        double v;
        const char *name;
        CHECK(cx_result_get_string(&name, r, i, 0)); /* "name" */
        CHECK(cx_result_get_real(&v, r, i, 1));      /* "value" */
        printf(" %s %.3f (%.3f)", name, v, truth[pareto][i]);
    }
    cx_result_free(r);
    printf("   vs lifetimes %.0fx\n", (pareto ? 251.0 : 10.8) / dt);
    cx_model_free(m);
    free(x);
    free(tx);
    free(T);
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
    double l0 = now();
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
    printf("\nloaded %zu interactions of %zu customers in %.1f s\n", events, ncust, now() - l0);
    cx_cohorts_options *co;
    cx_result *table;
    CHECK(cx_cohorts_options_new(&co));
    CHECK(cx_cohorts_options_set_activity(co, CX_ACTIVITY_INBOUND));
    double a = now();
    CHECK(cx_cohorts_run(&table, s, co));
    printf("retention table (monthly, %zu cohort x period rows): %.3f s\n", cx_result_row_count(table), now() - a);
    cx_result_free(table);
    cx_cohorts_options_free(co);
    cx_survival_options *so;
    cx_survival *sv;
    cx_time as_of;
    CHECK(cx_time_from_utc(&as_of, 2026, 1, 1, 0, 0, 0));
    CHECK(cx_survival_options_new(&so));
    CHECK(cx_survival_options_set_activity(so, CX_ACTIVITY_INBOUND));
    CHECK(cx_survival_options_set_group_by(so, CX_DIM_SEGMENT));
    a = now();
    CHECK(cx_survival_from_store(&sv, s, as_of, so));
    double km = now() - a;
    double chi2;
    CHECK(cx_survival_logrank(&chi2, NULL, NULL, sv));
    double test = now() - a - km;
    CHECK(cx_survival_curve(&table, sv));
    printf("Kaplan-Meier by segment + log-rank: %.3f s (+ %.3f s for the test), %zu steps\n", km, test,
           cx_result_row_count(table));
    cx_result_free(table);
    cx_survival_free(sv);
    cx_survival_options_free(so);
    cx_store_free(s);
}

int main(int argc, char **argv)
{
    size_t sizes[8], nsizes = 0, events = 10000000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = strtoull(argv[++i], NULL, 10);
        else if (nsizes < 8)
            sizes[nsizes++] = strtoull(argv[i], NULL, 10);
    }
    if (!nsizes) {
        sizes[0] = 100000;
        sizes[1] = 1000000;
        nsizes = 2;
    }
    printf("model      customers     time  iters   estimate (truth)\n");
    for (size_t k = 0; k < nsizes; k++) {
        if (!sizes[k])
            continue;
        fit(0, sizes[k]);
        fit(1, sizes[k]);
    }
    if (events)
        store_bench(events);
    return 0;
}
