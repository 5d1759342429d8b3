/*
 * Benchmark: the CX scorecard by channel, end to end and on data already in
 * the store. bench/metrics.sh runs it beside pandas and DuckDB on the same
 * files and checks that all give the same numbers.
 *
 *   (a) import the files the query needs, the ones the peers read:
 *       touchpoints, questions, cases, interactions and feedback, and of
 *       them, as the peers do, only the columns the query reads (the others
 *       ignored with cx_import_options_map_column(o, name, NULL)), every
 *       value checked; the customers the rows name are created as they come
 *       (cx_import_options_set_create_customers); then one query: NPS,
 *       CSAT %, mean CES, FCR %, median and p90 resolution time by channel;
 *   (a-all) the same with every column of the five files;
 *   (a-six) every column of six files: customers.csv imported first (its
 *       columns and attributes), no customer created;
 *   (b) run the same query again REPEATS times on the loaded store, with
 *       THREADS threads and with the other of one and two, and report the
 *       best, the median and the CPU time a run;
 * and print how far (b) is from the memory floor of the query, MEASURED on
 * this machine: its sequential read bandwidth (a best-of-9 sum over a
 * buffer of 512 MiB, far larger than the caches) and its rate of random
 * 64-byte line reads (independent reads over the same buffer, as many as
 * the query makes), with one thread and with THREADS, applied to the bytes
 * of the columns the query reads and to its random reads; the floor at an
 * assumed 25 GB/s is kept beside it for reference.
 *
 * Usage: bench-metrics DATA_DIR [REPEATS [TABLE_TSV [THREADS [WHICH]]]]
 *   REPEATS   runs of (b), default 7
 *   TABLE_TSV where to write the per-channel table for the agreement check
 *             (columns as in bench/peers_metrics.py); "-" for none
 *   THREADS   the thread count of the imports and the queries
 *             (cx_import_options_set_threads(), cx_query_set_threads()),
 *             default 1 (the library then starts no thread); 0 every core
 *   WHICH     "all" (default): (a-six), (a-all), (a) and (b); "a": (a) and
 *             (b) only; "q": (a) of every column, (b) and (c), other
 *             queries on the same store (by agent, by stage and week,
 *             contacts, cases with an FCR window and SLA targets, filtered)
 *             with the digest of each result, to compare two builds;
 *             "p": (a), (b) and (p), the passes of the scorecard apart
 *             (the feedback and the cases measures alone, one thread)
 * Its RESULT line names the figures cx_... with one thread, cxN_... with N.
 */
#define _POSIX_C_SOURCE 200809L
#include <cxkit/cxkit.h>

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "bench-metrics: %s: %s\n", #call, cx_last_error());                                  \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* The reference memory bandwidth of the first floor (bytes per
 * second); the floor that counts is measured (measure_memory()). */
#define BANDWIDTH 25e9

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double cell(const cx_result *r, size_t row, const char *name)
{
    size_t c;
    double v;
    CHECK(cx_result_column_find(&c, r, name));
    CHECK(cx_result_get_real(&v, r, row, c));
    return v;
}

static const char *label(const cx_result *r, size_t row)
{
    const char *v;
    CHECK(cx_result_get_string(&v, r, row, 0));
    return v ? v : "(none)";
}

/* The thread count of imports and queries (argument THREADS). */
static int threads = 1;

/* A query of the measures m[0..nm) with `nthreads` threads, grouped by
 * `dim` (-1: in one group); QUERY lists the measures in place. */
static cx_query *query_of(const cx_store *s, int nthreads, const cx_measure *m, size_t nm, int dim)
{
    cx_query *q;
    CHECK(cx_query_new(&q, s));
    CHECK(cx_query_set_threads(q, nthreads));
    for (size_t k = 0; k < nm; k++)
        CHECK(cx_query_add(q, m[k]));
    if (dim >= 0)
        CHECK(cx_query_group_by(q, (cx_dim)dim));
    return q;
}
#define QUERY(s, nthreads, dim, ...)                                                                               \
    query_of((s), (nthreads), (const cx_measure[]){__VA_ARGS__},                                                   \
             sizeof((const cx_measure[]){__VA_ARGS__}) / sizeof(cx_measure), (dim))

static cx_result *run_query(cx_query *q)
{
    cx_result *r;
    CHECK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

/* The query of the benchmark: built and run together, as an application
 * would, with `nthreads` threads. */
static cx_result *scorecard_t(const cx_store *s, int nthreads)
{
    return run_query(QUERY(s, nthreads, CX_DIM_CHANNEL, CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_CES,
                           CX_MEASURE_FCR, CX_MEASURE_RESOLUTION));
}

static cx_result *scorecard(const cx_store *s) { return scorecard_t(s, threads); }

/* ---- (c): other queries, so that making (b) faster makes none slower ---- */

/* survey scores by agent: an answer's agent is its interaction's, a random read */
static cx_result *q_agent(const cx_store *s, int n)
{
    return run_query(QUERY(s, n, CX_DIM_AGENT, CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_CES));
}

/* by stage and week: a time grouping (hashed groups), answers and cases */
static cx_result *q_stage_week(const cx_store *s, int n)
{
    cx_query *q = QUERY(s, n, CX_DIM_STAGE, CX_MEASURE_NPS, CX_MEASURE_RESOLUTION, CX_MEASURE_FCR);
    CHECK(cx_query_group_by_time(q, CX_BUCKET_WEEK, 180));
    return run_query(q);
}

/* contacts by channel: the interactions pass and the repeat index */
static cx_result *q_contacts(const cx_store *s, int n)
{
    return run_query(QUERY(s, n, CX_DIM_CHANNEL, CX_MEASURE_MISSED_RATE, CX_MEASURE_ABANDON_RATE,
                           CX_MEASURE_HANDLE_TIME, CX_MEASURE_REPEAT_RATE));
}

/* cases by priority with a 7-day FCR window (contact_after) and SLA targets */
static cx_result *q_cases(const cx_store *s, int n)
{
    cx_query *q = QUERY(s, n, CX_DIM_PRIORITY, CX_MEASURE_FCR, CX_MEASURE_FIRST_RESPONSE, CX_MEASURE_CONTACTS,
                        CX_MEASURE_REOPEN_RATE, CX_MEASURE_SLA_BREACH);
    CHECK(cx_query_set_fcr_rule(q, 1, 0, 7 * 86400000LL));
    CHECK(cx_query_set_sla(q, NULL, NULL, 3600000LL, 3 * 86400000LL));
    return run_query(q);
}

/* filtered: scores by touchpoint of one channel in the first half of 2025 */
static cx_result *q_filtered(const cx_store *s, int n)
{
    cx_query *q = QUERY(s, n, CX_DIM_TOUCHPOINT, CX_MEASURE_NPS, CX_MEASURE_CSAT);
    CHECK(cx_query_filter(q, CX_DIM_CHANNEL, "chat"));
    CHECK(cx_query_set_range(q, 1735689600000LL, 1751328000000LL));
    return run_query(q);
}

/* ---- (p): the passes of the scorecard apart, one thread ---------------- */

/* the survey answers alone (the feedback pass): NPS, CSAT and CES by channel */
static cx_result *p_feedback(const cx_store *s, int n)
{
    return run_query(QUERY(s, n, CX_DIM_CHANNEL, CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_CES));
}

/* NPS alone by channel (the feedback pass, one list) */
static cx_result *p_nps(const cx_store *s, int n)
{
    return run_query(QUERY(s, n, CX_DIM_CHANNEL, CX_MEASURE_NPS));
}

/* the survey answers in one group (no grouping: no touchpoint, no link read) */
static cx_result *p_feedback_all(const cx_store *s, int n)
{
    return run_query(QUERY(s, n, -1, CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_CES));
}

/* the cases alone (the cases pass): FCR and resolution by channel */
static cx_result *p_cases(const cx_store *s, int n)
{
    return run_query(QUERY(s, n, CX_DIM_CHANNEL, CX_MEASURE_FCR, CX_MEASURE_RESOLUTION));
}

/* FCR alone by channel (the cases pass without its sketch) */
static cx_result *p_fcr(const cx_store *s, int n)
{
    return run_query(QUERY(s, n, CX_DIM_CHANNEL, CX_MEASURE_FCR));
}

/* FNV-1a of a result's serialised form: its full state, accumulators
 * included, so equal digests mean bit-identical results. */
static uint64_t digest(const cx_result *r)
{
    size_t len = 0;
    int rc = cx_result_serialize(&len, r, NULL, 0);
    if (rc != CX_OK && rc != CX_EBUFSIZE) {
        fprintf(stderr, "bench-metrics: cx_result_serialize: %s\n", cx_last_error());
        exit(1);
    }
    unsigned char *b = malloc(len ? len : 1);
    if (!b)
        exit(1);
    CHECK(cx_result_serialize(&len, r, b, len));
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    free(b);
    return h;
}

/* A series of runs of one query: best and median wall time, CPU time per
 * run, and the digest of the result (the same in every run, or exit). */
typedef struct series {
    double best, median, cpu, cpu_best; /* CPU: the mean and the least of the runs */
    uint64_t digest;
} series;

static series run_series(cx_result *(*fn)(const cx_store *, int), const cx_store *s, int nthreads, int repeats,
                         const char *what)
{
    series out = {0};
    double *times = malloc((size_t)repeats * sizeof *times);
    if (!times)
        exit(1);
    double cpu = 0;
    out.cpu_best = INFINITY;
    for (int k = 0; k < repeats; k++) {
        double c0 = bench_cpu(), t0 = bench_wall();
        cx_result *r = fn(s, nthreads);
        times[k] = bench_wall() - t0;
        double dc = bench_cpu() - c0;
        cpu += dc;
        if (dc < out.cpu_best)
            out.cpu_best = dc;
        uint64_t d = digest(r);
        if (k == 0)
            out.digest = d;
        else if (d != out.digest) {
            fprintf(stderr, "bench-metrics: %s: run %d gave another result\n", what, k);
            exit(1);
        }
        cx_result_free(r);
    }
    if (what[0] == '(') {
        printf("  %s, each run (s):", what);
        for (int k = 0; k < repeats; k++)
            printf(" %.4f", times[k]);
        printf("\n");
    }
    qsort(times, (size_t)repeats, sizeof *times, cmp_double);
    out.best = times[0];
    out.median = repeats % 2 ? times[repeats / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2;
    out.cpu = cpu / repeats;
    free(times);
    return out;
}

/* The columns compared with the peers, in this order. */
static const char *const fields[] = {"nps",   "nps_n", "csat",         "csat_n",          "ces",
                                     "ces_n", "fcr",   "fcr_n",        "resolution_n",    "resolution_median",
                                     "resolution_p90"};
#define NFIELDS (sizeof fields / sizeof fields[0])

static void print_table(const cx_result *r)
{
    printf("  %-13s %7s %8s %7s %8s %6s %8s %6s %7s %8s %9s %9s\n", "channel", "NPS", "n", "CSAT%", "n", "CES",
           "n", "FCR%", "n", "res n", "median h", "p90 h");
    for (size_t i = 0; i < cx_result_row_count(r); i++)
        printf("  %-13s %7.2f %8.0f %7.2f %8.0f %6.3f %8.0f %6.2f %7.0f %8.0f %9.3f %9.3f\n", label(r, i),
               cell(r, i, "nps"), cell(r, i, "nps_n"), cell(r, i, "csat"), cell(r, i, "csat_n"), cell(r, i, "ces"),
               cell(r, i, "ces_n"), cell(r, i, "fcr"), cell(r, i, "fcr_n"), cell(r, i, "resolution_n"),
               cell(r, i, "resolution_median") / 3.6e6, cell(r, i, "resolution_p90") / 3.6e6);
}

static void write_tsv(const cx_result *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "channel");
    for (size_t k = 0; k < NFIELDS; k++)
        fprintf(f, "\t%s", fields[k]);
    fprintf(f, "\n");
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        fprintf(f, "%s", label(r, i));
        for (size_t k = 0; k < NFIELDS; k++) {
            double v = cell(r, i, fields[k]);
            if (isnan(v))
                fprintf(f, "\tnan");
            else
                fprintf(f, "\t%.17g", v);
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

static size_t rows_of(const cx_store *s, int table)
{
    size_t n;
    CHECK(cx_store_rows(&n, s, table));
    return n;
}

/* The file columns the scorecard by channel does not read, by table. */
static const char *const unread[CX_TABLE_COUNT][8] = {
    [CX_TABLE_INTERACTIONS] = {"kind", "direction", "agent", "case", "duration_ms", "outcome", "value"},
    [CX_TABLE_CASES] = {"priority", "agent", "first_response"},
    [CX_TABLE_FEEDBACK] = {"comment"},
};

/* Imports the tables in order from dir (with `select`, only the columns the
 * query reads), then runs the scorecard once; returns the store, the import
 * and query times and the CPU time of both, and the result when `out` is
 * not NULL. */
static cx_store *load_and_query(const char *dir, const int *order, size_t n, bool create, bool select,
                                double *t_import, double *t_query, double *cpu, cx_result **out)
{
    cx_store *s;
    double cpu0 = bench_cpu(), mb_all = 0;
    *t_import = 0;
    CHECK(cx_store_new(&s));
    for (size_t i = 0; i < n; i++) {
        const char *name;
        char path[4096];
        CHECK(cx_table_name(&name, order[i]));
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        struct stat st;
        if (stat(path, &st) != 0) {
            perror(path);
            exit(1);
        }
        cx_import_report *rep;
        double t0 = bench_wall();
        cx_import_options *o;
        CHECK(cx_import_options_new(&o));
        CHECK(cx_import_options_set_create_customers(o, create));
        CHECK(cx_import_options_set_threads(o, threads));
        for (int k = 0; select && k < 8 && unread[order[i]][k]; k++)
            CHECK(cx_import_options_map_column(o, unread[order[i]][k], NULL));
        CHECK(cx_import_csv(&rep, s, order[i], path, o));
        cx_import_options_free(o);
        double dt = bench_wall() - t0;
        *t_import += dt;
        mb_all += (double)st.st_size / 1e6;
        printf("  import %-13s %10llu rows %8.1f MB %7.3f s (%llu rejected)\n", name,
               (unsigned long long)cx_import_report_accepted(rep), (double)st.st_size / 1e6, dt,
               (unsigned long long)cx_import_report_rejected(rep));
        if (cx_import_report_rejected(rep))
            fprintf(stderr, "bench-metrics: %s: %llu rows rejected: the peers will not see the same data\n", path,
                    (unsigned long long)cx_import_report_rejected(rep));
        cx_import_report_free(rep);
    }
    size_t customers;
    CHECK(cx_store_rows(&customers, s, CX_TABLE_CUSTOMERS));
    printf("  import %-13s %10s      %8.1f MB %7.3f s (%zu customers%s)\n", "all", "", mb_all, *t_import, customers,
           create ? " created from the rows" : "");
    double t0 = bench_wall();
    cx_result *r = scorecard(s);
    *t_query = bench_wall() - t0;
    *cpu = bench_cpu() - cpu0;
    if (out)
        *out = r;
    else
        cx_result_free(r);
    return s;
}

/* ---- the measured floor --------------------------------------------------
 * What this machine's memory gives one thread and `n` threads at best:
 * sequential reads (a sum over a buffer far larger than the caches, four
 * independent sums so that no add waits for the one before) and random
 * 64-byte lines (independent reads at random lines of the same buffer, so
 * that the core overlaps as many misses as it can, which the query's own
 * random reads could at best do too). Best of REPS runs: the least
 * disturbed by the other work of the machine. */
#define MEM_BYTES ((size_t)512 << 20)
#define MEM_REPS 9

typedef struct sweep {
    const uint64_t *buf;
    size_t lo, hi;         /* words [lo, hi) for sequential, indices [lo, hi) for random */
    const uint32_t *lines; /* random: the line of each read */
    uint64_t sum;
} sweep;

static void *sweep_seq(void *arg)
{
    sweep *w = arg;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = w->lo; i + 4 <= w->hi; i += 4) {
        a += w->buf[i];
        b += w->buf[i + 1];
        c += w->buf[i + 2];
        d += w->buf[i + 3];
    }
    w->sum = a + b + c + d;
    return NULL;
}

static void *sweep_rand(void *arg)
{
    sweep *w = arg;
    uint64_t a = 0;
    for (size_t k = w->lo; k < w->hi; k++)
        a += w->buf[(size_t)w->lines[k] * 8];
    w->sum = a;
    return NULL;
}

/* The best wall time of fn over [0, n) split among `nthreads` threads, and
 * (when best_cpu is not NULL) the best CPU time of the process. */
static double best_sweep_cpu(void *(*fn)(void *), const uint64_t *buf, const uint32_t *lines, size_t n, int nthreads,
                             double *best_cpu)
{
    double best = INFINITY;
    if (best_cpu)
        *best_cpu = INFINITY;
    uint64_t keep = 0;
    for (int r = 0; r < MEM_REPS; r++) {
        sweep w[64];
        pthread_t th[64];
        for (int t = 0; t < nthreads; t++) {
            size_t step = lines ? 1 : 4; /* sequential halves on whole groups of four words */
            size_t per = (n / (size_t)nthreads + step - 1) / step * step;
            size_t lo = per * (size_t)t, hi = t == nthreads - 1 ? n : per * (size_t)(t + 1);
            w[t] = (sweep){buf, lo < n ? lo : n, hi < n ? hi : n, lines, 0};
        }
        double t0 = bench_wall(), c0 = bench_cpu();
        for (int t = 1; t < nthreads; t++)
            if (pthread_create(&th[t], NULL, fn, &w[t]) != 0) {
                fprintf(stderr, "bench-metrics: pthread_create failed\n");
                exit(1);
            }
        fn(&w[0]);
        for (int t = 1; t < nthreads; t++)
            pthread_join(th[t], NULL);
        double dt = bench_wall() - t0, dc = bench_cpu() - c0;
        for (int t = 0; t < nthreads; t++)
            keep += w[t].sum;
        if (dt < best)
            best = dt;
        if (best_cpu && dc < *best_cpu)
            *best_cpu = dc;
    }
    if (keep == 42) /* the sums are used, so the reads are made */
        printf(" ");
    return best;
}

typedef struct memrate {
    double seq[2];  /* bytes per second: one thread, `threads` threads */
    double rand[2]; /* 64-byte lines per second */
    double seq1_cpu, rand1_cpu; /* one thread, on its CPU time (best of the runs): what a query timed on CPU
                                 * time is compared with, the same clock on both sides */
    int nthreads;
    size_t nlines;
} memrate;

/* Measures memrate with 1 and `nthreads` threads; random reads: `nreads` of
 * them (at least 2^20, so that the time is not all thread start-up). */
static void measure_memory(memrate *m, int nthreads, size_t nreads)
{
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > 64)
        nthreads = 64;
    if (nreads < ((size_t)1 << 20))
        nreads = (size_t)1 << 20;
    size_t words = MEM_BYTES / sizeof(uint64_t);
    uint64_t *buf = malloc(MEM_BYTES);
    uint32_t *lines = malloc(nreads * sizeof *lines);
    if (!buf || !lines) {
        fprintf(stderr, "bench-metrics: out of memory for the bandwidth measurement\n");
        exit(1);
    }
    for (size_t i = 0; i < words; i++) /* every page touched before timing */
        buf[i] = i * 0x9E3779B97F4A7C15u;
    uint64_t st = 0x2545F4914F6CDD1Du; /* xorshift64: the same lines every run */
    for (size_t k = 0; k < nreads; k++) {
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        lines[k] = (uint32_t)(st % (MEM_BYTES / 64));
    }
    m->nthreads = nthreads;
    m->nlines = nreads;
    m->seq1_cpu = m->rand1_cpu = NAN;
    for (int k = 0; k < 2; k++) {
        int n = k ? nthreads : 1;
        double cs, cr;
        m->seq[k] = (double)MEM_BYTES / best_sweep_cpu(sweep_seq, buf, NULL, words, n, &cs);
        m->rand[k] = (double)nreads / best_sweep_cpu(sweep_rand, buf, lines, nreads, n, &cr);
        if (k == 0) {
            m->seq1_cpu = (double)MEM_BYTES / cs;
            m->rand1_cpu = (double)nreads / cr;
        }
    }
    free(lines);
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-metrics DATA_DIR [REPEATS [TABLE_TSV [THREADS [all|a|q|p]]]]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 7;
    if (repeats < 1)
        repeats = 1;
    threads = argc > 4 ? atoi(argv[4]) : 1;
    bool with_c = argc > 5 && strcmp(argv[5], "q") == 0; /* (a) of every column, (b) and (c) */
    bool with_p = argc > 5 && strcmp(argv[5], "p") == 0; /* (a), (b) and (p) */
    bool only_a = (argc > 5 && strcmp(argv[5], "a") == 0) || with_c || with_p;
    char key[16] = "cx"; /* the RESULT names: cx_... with one thread, cx2_... with two */
    if (threads != 1)
        snprintf(key, sizeof key, "cx%d", threads);
    if (threads == 1)
        printf("cxkit %s bench-metrics (one thread)\n", cx_version_string());
    else
        printf("cxkit %s bench-metrics (%d threads%s)\n", cx_version_string(), threads,
               threads == 0 ? ": every core" : "");

    /* (a), the comparison with the peers, last: its store serves (b) */
    static const int six[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,
                              CX_TABLE_INTERACTIONS, CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK};
    static const int five[] = {CX_TABLE_TOUCHPOINTS, CX_TABLE_QUESTIONS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                               CX_TABLE_FEEDBACK};
    double t_six_import = NAN, t_six_query = NAN, cpu_six = NAN;
    double t_all_import = NAN, t_all_query = NAN, cpu_allcols = NAN;
    cx_store *s;
    if (!only_a) {
        printf("(a-six) every column of six files, customers.csv first:\n");
        s = load_and_query(argv[1], six, 6, false, false, &t_six_import, &t_six_query, &cpu_six, NULL);
        cx_store_free(s);
        printf("  (a-six) import + query: %.3f s (import %.3f s, first query %.3f s)\n\n",
               t_six_import + t_six_query, t_six_import, t_six_query);

        printf("(a-all) every column of the five files the peers read, customers created from the rows:\n");
        s = load_and_query(argv[1], five, 5, true, false, &t_all_import, &t_all_query, &cpu_allcols, NULL);
        cx_store_free(s);
        printf("  (a-all) import + query: %.3f s (import %.3f s, first query %.3f s)\n\n",
               t_all_import + t_all_query, t_all_import, t_all_query);
    }

    if (with_c)
        printf("(a) every column of the files the peers read (WHICH q, for the queries of (c)), customers created "
               "from the rows:\n");
    else
        printf("(a) the columns the query reads, of the files the peers read, customers created from the rows:\n");
    double t_import, t_first, cpu_all;
    cx_result *r;
    s = load_and_query(argv[1], five, 5, true, !with_c, &t_import, &t_first, &cpu_all, &r);
    double t_all = t_import + t_first;
    printf("  (a) import + query: %.3f s (import %.3f s, first query %.3f s)\n", t_all, t_import, t_first);
    printf("\ncxkit: scorecard by channel (%zu groups)\n", cx_result_row_count(r));
    print_table(r);
    if (argc > 3 && strcmp(argv[3], "-") != 0)
        write_tsv(r, argv[3]);
    cx_result_free(r);

    /* (b) the query alone on the loaded store, with THREADS threads and
     * with the other of one and two (so that both ratios to the floor are
     * printed by one run) */
    int nt = threads > 0 ? threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nt < 1)
        nt = 1;
    int other = threads == 1 ? 2 : 1;
    char what[64];
    snprintf(what, sizeof what, "(b) query on the store, %d thread%s", threads == 1 ? 1 : nt, threads == 1 ? "" : "s");
    series b = run_series(scorecard_t, s, threads, repeats, what);
    snprintf(what, sizeof what, "(b) query on the store, %d thread%s", other, other == 1 ? "" : "s");
    series b2 = run_series(scorecard_t, s, other, repeats, what);
    if (b2.digest != b.digest) {
        fprintf(stderr, "bench-metrics: the scorecard with %d and %d threads differ\n", nt, other);
        return 1;
    }
    series b1 = threads == 1 ? b : b2, bn = threads == 1 ? b2 : b; /* one thread; nt2 threads */
    int nt2 = threads == 1 ? 2 : nt;
    double best = b.best, median = b.median;
    printf("  (b) query on the store, %d runs: best %.4f s, median %.4f s (CPU %.4f s a run)\n", repeats, best, median,
           b.cpu);
    printf("  (b) 1 thread: best %.4f s, median %.4f s, CPU %.4f s a run (least %.4f s); %d threads: best %.4f s, "
           "median %.4f s, CPU %.4f s a run (least %.4f s); the same result bit for bit (digest %016llx)\n",
           b1.best, b1.median, b1.cpu, b1.cpu_best, nt2, bn.best, bn.median, bn.cpu, bn.cpu_best,
           (unsigned long long)b.digest);

    /* (c) other queries, with THREADS threads */
    if (with_c) {
        static const struct {
            cx_result *(*fn)(const cx_store *, int);
            const char *what;
        } others[] = {
            {q_agent, "by agent: NPS, CSAT, CES"},
            {q_stage_week, "by stage and week: NPS, resolution, FCR"},
            {q_contacts, "contacts by channel: missed, abandoned, handle time, repeat"},
            {q_cases, "cases by priority: FCR (7-day window), first response, contacts, reopen, SLA"},
            {q_filtered, "channel chat, first half of 2025, by touchpoint: NPS, CSAT"},
        };
        printf("\n(c) other queries on the same store, %d thread%s, %d runs each:\n", nt, nt == 1 ? "" : "s",
               repeats);
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
            series c = run_series(others[k].fn, s, threads, repeats, others[k].what);
            printf("  %-76s best %.4f s, median %.4f s, CPU %.4f s a run (least %.4f s), digest %016llx\n",
                   others[k].what, c.best, c.median, c.cpu, c.cpu_best, (unsigned long long)c.digest);
        }
    }

    /* (p) the passes of the scorecard apart, with one thread */
    double p_cpu[8];
    size_t n_p = 0;
    if (with_p) {
        static const struct {
            cx_result *(*fn)(const cx_store *, int);
            const char *what, *rows;
        } passes[] = {
            {p_feedback, "feedback: NPS, CSAT, CES by channel", "answer"},
            {p_nps, "feedback: NPS by channel", "answer"},
            {p_feedback_all, "feedback: NPS, CSAT, CES, one group", "answer"},
            {p_cases, "cases: FCR, resolution by channel", "case"},
            {p_fcr, "cases: FCR by channel", "case"},
            {scorecard_t, "the scorecard (both passes)", "answer"},
        };
        size_t nf = rows_of(s, CX_TABLE_FEEDBACK), nc = rows_of(s, CX_TABLE_CASES);
        printf("\n(p) the passes of the scorecard apart, 1 thread, %d runs each (CPU, the least of the runs):\n",
               repeats);
        for (size_t k = 0; k < sizeof passes / sizeof passes[0]; k++) {
            series c = run_series(passes[k].fn, s, 1, repeats, passes[k].what);
            size_t rows = passes[k].rows[0] == 'a' ? nf : nc;
            printf("  %-40s CPU %.5f s (%.2f ns a%s %s), best %.5f s, digest %016llx\n", passes[k].what,
                   c.cpu_best, c.cpu_best * 1e9 / (double)(rows ? rows : 1), passes[k].rows[0] == 'a' ? "n" : "",
                   passes[k].rows, c.best, (unsigned long long)c.digest);
            p_cpu[k] = c.cpu_best;
        }
        n_p = sizeof passes / sizeof passes[0];
    }

    /* The memory floor of (b): the bytes of the columns the query reads,
     * once each, and its random reads (see src/metrics/run.c and
     * src/store/store_private.h). A scorecard by channel reads
     *   feedback: question, touchpoint (u32), score (f64)    = 16 B/row,
     *             and interaction and case (u32) only for an answer
     *             without a touchpoint (its channel is the case's, or
     *             the interaction's touchpoint's): counted by the 64-byte
     *             lines of those two columns that hold such an answer
     *             (with one answer in ten without, shuffled, 4 lines in 5;
     *             counted whole before, 24 B/row, a floor a little high)
     *   cases:    channel, reopens, contacts (u32), opened, resolved
     *             (i64)                                          = 28 B/row
     *   questions (18 B) and touchpoints (the channel, 4 B): a few hundred bytes;
     * besides, an answer without a touchpoint but linked to an interaction
     * reads that interaction's touchpoint, at a random row of a 4-byte
     * column of millions of rows: a cache line (64 B) from memory each.
     * The issue first counted more: 36 B an answer (customer and time too),
     * 40 B a case (customer, priority, agent too; not reopens), and the
     * agent of every linked interaction besides (the query read it then,
     * whatever the grouping); that floor is printed too. */
    size_t nfb = rows_of(s, CX_TABLE_FEEDBACK), nca = rows_of(s, CX_TABLE_CASES);
    size_t nqu = rows_of(s, CX_TABLE_QUESTIONS), ntp = rows_of(s, CX_TABLE_TOUCHPOINTS);
    double seq; /* below, once the answers without a touchpoint are counted */
    double seq_first = 36.0 * (double)nfb + 40.0 * (double)nca + 18.0 * (double)nqu + 8.0 * (double)ntp;
    int c_in, c_tp;
    CHECK(cx_column_find(&c_in, CX_TABLE_FEEDBACK, "interaction"));
    CHECK(cx_column_find(&c_tp, CX_TABLE_FEEDBACK, "touchpoint"));
    size_t gathers = 0, gathers_first = 0;
    /* the interaction and case of an answer are needed only when it has no
     * touchpoint: of those two 4-byte columns, only the 64-byte lines (16
     * answers) holding such an answer must be read */
    size_t link_lines = 0;
    bool line_needed = false;
    for (size_t i = 0; i < nfb; i++) {
        int64_t in, tp;
        CHECK(cx_store_get_int(&in, s, CX_TABLE_FEEDBACK, c_in, i));
        CHECK(cx_store_get_int(&tp, s, CX_TABLE_FEEDBACK, c_tp, i));
        if (in >= 0) {
            gathers += tp < 0;
            gathers_first += tp >= 0 ? 1 : 2;
        }
        line_needed |= tp < 0;
        if (i % 16 == 15 || i == nfb - 1) {
            link_lines += line_needed;
            line_needed = false;
        }
    }
    double link_bytes = 2 * 64.0 * (double)link_lines;
    seq = 16.0 * (double)nfb + link_bytes + 28.0 * (double)nca + 18.0 * (double)nqu + 4.0 * (double)ntp;
    double rnd = 64.0 * (double)gathers;
    memrate mr;
    measure_memory(&mr, nt2, gathers_first > gathers ? gathers_first : gathers);
    double fl[2], fl_first[2];
    for (int k = 0; k < 2; k++) {
        fl[k] = seq / mr.seq[k] + (double)gathers / mr.rand[k];
        fl_first[k] = seq_first / mr.seq[k] + (double)gathers_first / mr.rand[k];
    }
    printf("\n  memory of this machine, measured (best of %d, a %zu MiB buffer): sequential read 1 thread %.2f GB/s, "
           "%d threads %.2f GB/s;\n    random 64 B lines (%zu independent reads): 1 thread %.1f M/s (%.2f ns each), "
           "%d threads %.1f M/s (%.2f ns each)\n",
           MEM_REPS, MEM_BYTES >> 20, mr.seq[0] / 1e9, nt2, mr.seq[1] / 1e9, mr.nlines, mr.rand[0] / 1e6,
           1e9 / mr.rand[0], nt2, mr.rand[1] / 1e6, 1e9 / mr.rand[1]);
    printf("  floor of (b), measured: the columns the query reads (%zu answers x 16 B, question, touchpoint, score; "
           "their interaction and case in the %zu of %zu 64 B lines that hold an answer without a touchpoint, "
           "%.1f MB; %zu cases x 28 B) = %.1f MB and %zu random interaction reads\n"
           "    1 thread:  %.2f ms; best %.4f s = %.1fx the floor (median %.1fx)\n"
           "    %d threads: %.2f ms; best %.4f s = %.1fx the floor (median %.1fx)\n"
           "    issue 14 target <= 5x: 1 thread %s, %d threads %s\n",
           nfb, link_lines, (nfb + 15) / 16, link_bytes / 1e6, nca, seq / 1e6, gathers, fl[0] * 1e3, b1.best, b1.best / fl[0], b1.median / fl[0], nt2, fl[1] * 1e3,
           bn.best, bn.best / fl[1], bn.median / fl[1], b1.best <= 5 * fl[0] ? "met" : "NOT met", nt2,
           bn.best <= 5 * fl[1] ? "met" : "NOT met");
    double fl_cpu = seq / mr.seq1_cpu + (double)gathers / mr.rand1_cpu;
    printf("    on CPU time (the least of the runs with 1 thread, %.4f s, less disturbed by the other work of the "
           "machine): %.1fx the floor; %.1fx the floor measured on CPU time too (%.2f ms: %.2f GB/s; on a loaded "
           "machine the floor on wall time grows, and flatters the ratio)\n",
           b1.cpu_best, b1.cpu_best / fl[0], b1.cpu_best / fl_cpu, fl_cpu * 1e3, mr.seq1_cpu / 1e9);
    printf("  floor as the issue first counted it (36 B an answer, 40 B a case, %zu random reads), measured: "
           "1 thread %.2f ms (%.1fx), %d threads %.2f ms (%.1fx)\n",
           gathers_first, fl_first[0] * 1e3, b1.best / fl_first[0], nt2, fl_first[1] * 1e3, bn.best / fl_first[1]);
    double rnd_first = 64.0 * (double)gathers_first;
    printf("  bandwidth floor at %.0f GB/s (reference): %zu feedback rows x 36 B + %zu cases x 40 B = %.1f MB -> %.4f s;\n"
           "    measured best %.4f s = %.1fx the floor (%.2f GB/s effective)\n",
           BANDWIDTH / 1e9, nfb, nca, seq_first / 1e6, seq_first / BANDWIDTH, best, best / (seq_first / BANDWIDTH),
           seq_first / best / 1e9);
    printf("    with the %zu random interaction reads at a 64 B line each: %.1f MB -> %.4f s (%.1fx)\n", gathers_first,
           (seq_first + rnd_first) / 1e6, (seq_first + rnd_first) / BANDWIDTH,
           best / ((seq_first + rnd_first) / BANDWIDTH));
    (void)rnd;
    size_t mem;
    CHECK(cx_store_memory(&mem, s));
    printf("  store memory %.1f MB\n", (double)mem / 1e6);
    /* (b) again on the store compacted (cx_store_compact: ids as numbers,
     * columns of mostly one value sparse, feedback's case among them):
     * the same result, at what cost a run */
    CHECK(cx_store_compact(s));
    size_t cmem;
    CHECK(cx_store_memory(&cmem, s));
    series bc = run_series(scorecard_t, s, 1, repeats, "(b) query on the compacted store, 1 thread");
    if (bc.digest != b1.digest) {
        fprintf(stderr, "bench-metrics: the scorecard on the compacted store differs\n");
        return 1;
    }
    printf("  (b) on the store compacted (%.1f MB): 1 thread best %.4f s = %.1fx the floor, median %.4f s, CPU %.4f s "
           "a run (least %.4f s = %.1fx the floor); the same result bit for bit\n",
           (double)cmem / 1e6, bc.best, bc.best / fl[0], bc.median, bc.cpu, bc.cpu_best, bc.cpu_best / fl[0]);
    printf("RESULT %s_total_s=%.4f %s_import_s=%.4f %s_first_query_s=%.4f %s_query_best_s=%.5f "
           "%s_query_median_s=%.5f floor_bytes=%.0f floor_s=%.5f floor_rand_bytes=%.0f floor_rand_s=%.5f "
           "feedback_rows=%zu case_rows=%zu %s_total_cpu_s=%.4f",
           key, t_all, key, t_import, key, t_first, key, best, key, median, seq_first, seq_first / BANDWIDTH,
           seq_first + rnd_first, (seq_first + rnd_first) / BANDWIDTH, nfb, nca, key, cpu_all);
    printf(" q1_best_s=%.5f q1_median_s=%.5f q1_cpu_s=%.5f q%d_best_s=%.5f q%d_median_s=%.5f q%d_cpu_s=%.5f "
           "mem_seq1_gbs=%.3f mem_seq%d_gbs=%.3f mem_rand1_mps=%.2f mem_rand%d_mps=%.2f meas_floor_bytes=%.0f "
           "meas_floor_rand_reads=%zu meas_floor1_s=%.6f meas_floor%d_s=%.6f floor_ratio1=%.2f floor_ratio%d=%.2f "
           "q1_cpu_least_s=%.5f floor_ratio1_cpu=%.2f",
           b1.best, b1.median, b1.cpu, nt2, bn.best, nt2, bn.median, nt2, bn.cpu, mr.seq[0] / 1e9, nt2,
           mr.seq[1] / 1e9, mr.rand[0] / 1e6, nt2, mr.rand[1] / 1e6, seq, gathers, fl[0], nt2, fl[1], b1.best / fl[0],
           nt2, bn.best / fl[1], b1.cpu_best, b1.cpu_best / fl[0]);
    printf(" meas_floor1_cpu_s=%.6f floor_ratio1_cpu_cpu=%.2f", fl_cpu, b1.cpu_best / fl_cpu);
    printf(" q1c_best_s=%.5f q1c_cpu_least_s=%.5f floor_ratio1_compacted=%.2f", bc.best, bc.cpu_best, bc.best / fl[0]);
    for (size_t k = 0; k < n_p; k++)
        printf(" p%zu_cpu_least_s=%.6f", k, p_cpu[k]);
    if (!only_a)
        printf(" %s_six_total_s=%.4f %s_six_import_s=%.4f %s_six_total_cpu_s=%.4f %s_all_total_s=%.4f "
               "%s_all_import_s=%.4f %s_all_total_cpu_s=%.4f",
               key, t_six_import + t_six_query, key, t_six_import, key, cpu_six, key, t_all_import + t_all_query, key,
               t_all_import, key, cpu_allcols);
    printf("\n");
    cx_store_free(s);
    return 0;
}

