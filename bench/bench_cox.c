#define _POSIX_C_SOURCE 200809L
/*
 * Cox regression benchmark beside R's survival (coxph + cox.zph), run by
 * bench/cox_bench.sh on the same files in the same run. Not a test: it
 * prints figures.
 *
 * `--write FILE N STRATA [SEED]` writes N subjects, in random order, as CSV
 * `entry,time,event,stratum,plan,age,calls`: plan 0/1, age normal (mean 40,
 * sd 12, one decimal), calls 0..5; a lifetime in whole days, exponential
 * with a hazard of exp(0.5 plan + 0.02 (age - 40) - 0.1 calls) / 400 (so
 * the fit has something to find), censored at a uniform time of 1 to 1500
 * days (many ties); a quarter of the subjects enter late (entry uniform
 * below their time, whole days), the rest at 0 (the time origin).
 * `--run FILE` reads the file (one read, numbers parsed by hand), then fits
 * time ~ plan + age + calls + strata(stratum) on (entry, time], Efron ties
 * (the call: cx_cox_fit, which also computes the tests of proportional
 * hazards and the robust variance, as coxph(robust = TRUE) + cox.zph do),
 * and prints a RESULT line: CPU and wall seconds of the load and of the
 * call, peak memory, the coefficients, their standard errors (model and
 * robust), the log likelihood and the global test of proportional hazards
 * ("km" transform).
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

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "%s: %s\n", #call, cx_last_error());                                                   \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

static int write_file(const char *path, size_t n, int strata, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    rng_state = seed;
    fputs("entry,time,event,stratum,plan,age,calls\n", f);
    for (size_t i = 0; i < n; i++) {
        int s = (int)(unif() * strata), plan = unif() < 0.4, calls = (int)(unif() * 6);
        double age = round(10 * (40 + 12 * sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif()))) / 10;
        double rate = exp(0.5 * plan + 0.02 * (age - 40) - 0.1 * calls) / 400;
        double life = ceil(-log(unif()) / rate), cens = 1 + floor(unif() * 1500);
        int event = life <= cens;
        double t = event ? life : cens, entry = 0;
        if (unif() < 0.25 && t > 1)
            entry = floor(unif() * (t - 1)); /* 0 .. t - 1: entry < time */
        fprintf(f, "%.0f,%.0f,%d,%d,%d,%.1f,%d\n", entry, t, event, s, plan, age, calls);
    }
    return fclose(f) != 0;
}

enum { C_ENTRY, C_TIME, C_EVENT, C_STRATUM, C_PLAN, C_AGE, C_CALLS, NCOL };

static size_t load(const char *path, double *col[NCOL])
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(1);
    }
    fclose(f);
    buf[size] = 0;
    size_t lines = 0;
    for (long i = 0; i < size; i++)
        lines += buf[i] == '\n';
    for (int c = 0; c < NCOL; c++)
        if (!(col[c] = malloc(lines * sizeof *col[c]))) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    char *p = strchr(buf, '\n') + 1, *end = buf + size;
    size_t n = 0;
    while (p < end) {
        for (int c = 0; c < NCOL; c++) {
            char *q;
            col[c][n] = bench_number(p, &q);
            p = q + 1;
        }
        n++;
    }
    free(buf);
    return n;
}

static int run(const char *path)
{
    double c0 = bench_cpu(), w0 = bench_wall();
    double *col[NCOL];
    size_t n = load(path, col);
    int *event = malloc(n * sizeof *event), *stratum = malloc(n * sizeof *stratum);
    if (!event || !stratum) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        event[i] = (int)col[C_EVENT][i];
        stratum[i] = (int)col[C_STRATUM][i];
    }
    double c1 = bench_cpu(), w1 = bench_wall();
    cx_cox_options *o;
    CHECK(cx_cox_options_new(&o));
    CHECK(cx_cox_options_add_covariate(o, "plan", col[C_PLAN], n));
    CHECK(cx_cox_options_add_covariate(o, "age", col[C_AGE], n));
    CHECK(cx_cox_options_add_covariate(o, "calls", col[C_CALLS], n));
    CHECK(cx_cox_options_set_entry(o, col[C_ENTRY], n));
    CHECK(cx_cox_options_set_strata(o, stratum, n));
    cx_cox *c;
    CHECK(cx_cox_fit(&c, col[C_TIME], event, n, o));
    double c2 = bench_cpu(), w2 = bench_wall();
    cx_result *r, *z;
    CHECK(cx_cox_coefficients(&r, c, 0.95));
    CHECK(cx_cox_zph(&z, c, CX_ZPH_KM));
    double ll0, ll;
    int it;
    CHECK(cx_cox_loglik(&ll0, &ll, &it, c));
    printf("RESULT side=cxkit n=%zu load_cpu=%.4f load_wall=%.4f call_cpu=%.4f call_wall=%.4f rss_mb=%.1f "
           "loglik=%.12g iterations=%d",
           n, c1 - c0, w1 - w0, c2 - c1, w2 - w1, bench_peak_rss_mb(), ll, it);
    const char *cols[] = {"coef", "se", "robust_se"};
    for (int k = 0; k < 3; k++) {
        size_t ci;
        CHECK(cx_result_column_find(&ci, r, cols[k]));
        printf(" %s=", cols[k]);
        for (size_t j = 0; j < 3; j++) {
            double v;
            CHECK(cx_result_get_real(&v, r, j, ci));
            printf("%s%.12g", j ? "," : "", v);
        }
    }
    size_t ci;
    double chi;
    CHECK(cx_result_column_find(&ci, z, "chi2"));
    CHECK(cx_result_get_real(&chi, z, cx_result_row_count(z) - 1, ci));
    printf(" zph_global=%.12g\n", chi);
    cx_result_free(r);
    cx_result_free(z);
    cx_cox_free(c);
    cx_cox_options_free(o);
    for (int k = 0; k < NCOL; k++)
        free(col[k]);
    free(event);
    free(stratum);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--write") == 0)
        return write_file(argv[2], strtoull(argv[3], NULL, 10), atoi(argv[4]),
                          argc > 5 ? strtoull(argv[5], NULL, 10) : 14);
    if (argc == 3 && strcmp(argv[1], "--run") == 0)
        return run(argv[2]);
    fprintf(stderr, "usage: bench-cox --write FILE N STRATA [SEED]\n"
                    "       bench-cox --run FILE\n");
    return 2;
}
