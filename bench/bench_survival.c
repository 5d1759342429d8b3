#define _POSIX_C_SOURCE 200809L
/*
 * Kaplan-Meier + log-rank benchmark beside R's survival (issue 14), run by
 * bench/survival_bench.sh on the same files in the same run. Not a test:
 * it prints figures.
 *
 * `--write FILE N GROUPS [SEED]` writes N subjects, in random order, as
 * CSV `time,event,group`: group uniform in 0..GROUPS-1, a lifetime in whole
 * days (exponential, mean 300 + 60 group days, rounded up) censored at a
 * uniform administrative time of 1 to 1500 days (the tenure of a CRM's
 * customers, with many ties).
 * `--run FILE T1,T2,...` reads the file (the load: one read, numbers
 * parsed by hand as a C program would, strtod when they have exponents), then runs
 * cx_survival_new (curves per group, band "log" as R's survfit) and
 * cx_logrank_new (the log-rank test, R's survdiff) (the call), and prints
 * a RESULT line: CPU and wall seconds of the load and of the call, peak
 * memory, the chi-square, the median and S(t) at each T of each group;
 * also the CPU of the curves with the log-rank test computed from their
 * steps (cx_survival_logrank, km_test_cpu) and its chi-square.
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

static int write_file(const char *path, size_t n, int groups, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    rng_state = seed;
    fputs("time,event,group\n", f);
    for (size_t i = 0; i < n; i++) {
        int g = (int)(unif() * groups);
        double life = ceil(-log(unif()) * (300.0 + 60.0 * g));
        double cens = 1 + floor(unif() * 1500);
        int event = life <= cens;
        fprintf(f, "%.0f,%d,%d\n", event ? life : cens, event, g);
    }
    return fclose(f) != 0;
}

/* The file's three columns (non-negative numbers; the time may have a
 * fraction), parsed from one read of the whole file. */
static size_t load(const char *path, double **time, int **event, int **group)
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
    *time = malloc(lines * sizeof **time);
    *event = malloc(lines * sizeof **event);
    *group = malloc(lines * sizeof **group);
    if (!*time || !*event || !*group) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    char *p = strchr(buf, '\n') + 1, *end = buf + size;
    size_t n = 0;
    while (p < end) {
        char *q;
        (*time)[n] = bench_number(p, &q);
        p = q + 1;
        (*event)[n] = (int)bench_number(p, &q);
        p = q + 1;
        (*group)[n] = (int)bench_number(p, &q);
        p = q + 1;
        n++;
    }
    free(buf);
    return n;
}

static int run(const char *path, const char *times)
{
    double c0 = bench_cpu(), w0 = bench_wall();
    double *time;
    int *event, *group;
    size_t n = load(path, &time, &event, &group);
    double c1 = bench_cpu(), w1 = bench_wall();
    cx_survival_options *so;
    CHECK(cx_survival_options_new(&so));
    CHECK(cx_survival_options_set_band(so, CX_BAND_LOG));
    cx_survival *sv;
    CHECK(cx_survival_new(&sv, time, event, group, n, so));
    double ckm = bench_cpu();
    cx_logrank *lr;
    CHECK(cx_logrank_new(&lr, time, event, group, n, NULL));
    double c2 = bench_cpu(), w2 = bench_wall();
    double chi2, chi2_curves;
    CHECK(cx_logrank_test(&chi2, NULL, NULL, lr));
    /* the log-rank test of the curves themselves (cx_survival_logrank): the
     * other way to have both, from the steps rather than the subjects */
    double c3 = bench_cpu();
    CHECK(cx_survival_logrank(&chi2_curves, NULL, NULL, sv));
    double curves_test = bench_cpu() - c3;
    size_t k = cx_survival_group_count(sv);
    printf("RESULT side=cxkit n=%zu groups=%zu load_cpu=%.4f load_wall=%.4f call_cpu=%.4f call_wall=%.4f km_cpu=%.4f "
           "km_test_cpu=%.4f rss_mb=%.1f chisq=%.10g chisq_curves=%.10g median=",
           n, k, c1 - c0, w1 - w0, c2 - c1, w2 - w1, ckm - c1, ckm - c1 + curves_test, bench_peak_rss_mb(),
           chi2, chi2_curves);
    for (size_t g = 0; g < k; g++) {
        double m;
        CHECK(cx_survival_median(&m, NULL, NULL, sv, g));
        printf("%s%.10g", g ? "," : "", m);
    }
    printf(" surv=");
    int first = 1;
    for (size_t g = 0; g < k; g++)
        for (const char *t = times; *t;) {
            char *q;
            double v, at = strtod(t, &q);
            CHECK(cx_survival_at(&v, NULL, NULL, sv, g, at));
            printf("%s%.10g", first ? "" : ",", v);
            first = 0;
            t = *q ? q + 1 : q;
        }
    printf("\n");
    cx_logrank_free(lr);
    cx_survival_free(sv);
    cx_survival_options_free(so);
    free(time);
    free(event);
    free(group);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "--write") == 0)
        return write_file(argv[2], strtoull(argv[3], NULL, 10), atoi(argv[4]),
                          argc > 5 ? strtoull(argv[5], NULL, 10) : 14);
    if (argc == 4 && strcmp(argv[1], "--run") == 0)
        return run(argv[2], argv[3]);
    fprintf(stderr, "usage: bench-survival --write FILE N GROUPS [SEED]\n"
                    "       bench-survival --run FILE T1,T2,...\n");
    return 2;
}
