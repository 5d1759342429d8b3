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
 *   (b) run the same query again REPEATS times on the loaded store and
 *       report the best and the median;
 * and print how far (b) is from the memory-bandwidth floor: the bytes of the
 * columns the query reads, at 25 GB/s.
 *
 * Usage: bench-metrics DATA_DIR [REPEATS [TABLE_TSV [THREADS [WHICH]]]]
 *   REPEATS   runs of (b), default 7
 *   TABLE_TSV where to write the per-channel table for the agreement check
 *             (columns as in bench/peers_metrics.py); "-" for none
 *   THREADS   the thread count of the imports and the queries
 *             (cx_import_options_set_threads(), cx_query_set_threads()),
 *             default 1 (the library then starts no thread); 0 every core
 *   WHICH     "all" (default): (a-six), (a-all), (a) and (b); "a": (a) and
 *             (b) only
 * Its RESULT line names the figures cx_... with one thread, cxN_... with N.
 */
#define _POSIX_C_SOURCE 200809L
#include <cxkit/cxkit.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "bench-metrics: %s: %s\n", #call, cx_last_error());                                  \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* Assumed memory bandwidth for the floor (bytes per second). */
#define BANDWIDTH 25e9

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

/* The query of the benchmark: built and run together, as an application would. */
static cx_result *scorecard(const cx_store *s)
{
    cx_query *q;
    cx_result *r;
    CHECK(cx_query_new(&q, s));
    CHECK(cx_query_set_threads(q, threads));
    CHECK(cx_query_add(q, CX_MEASURE_NPS));
    CHECK(cx_query_add(q, CX_MEASURE_CSAT));
    CHECK(cx_query_add(q, CX_MEASURE_CES));
    CHECK(cx_query_add(q, CX_MEASURE_FCR));
    CHECK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    CHECK(cx_query_group_by(q, CX_DIM_CHANNEL));
    CHECK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
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
    double cpu0 = cpu_now(), mb_all = 0;
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
        double t0 = now();
        cx_import_options *o;
        CHECK(cx_import_options_new(&o));
        CHECK(cx_import_options_set_create_customers(o, create));
        CHECK(cx_import_options_set_threads(o, threads));
        for (int k = 0; select && k < 8 && unread[order[i]][k]; k++)
            CHECK(cx_import_options_map_column(o, unread[order[i]][k], NULL));
        CHECK(cx_import_csv(&rep, s, order[i], path, o));
        cx_import_options_free(o);
        double dt = now() - t0;
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
    double t0 = now();
    cx_result *r = scorecard(s);
    *t_query = now() - t0;
    *cpu = cpu_now() - cpu0;
    if (out)
        *out = r;
    else
        cx_result_free(r);
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-metrics DATA_DIR [REPEATS [TABLE_TSV [THREADS [all|a]]]]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 7;
    if (repeats < 1)
        repeats = 1;
    threads = argc > 4 ? atoi(argv[4]) : 1;
    bool only_a = argc > 5 && strcmp(argv[5], "a") == 0;
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

    printf("(a) the columns the query reads, of the files the peers read, customers created from the rows:\n");
    double t_import, t_first, cpu_all;
    cx_result *r;
    s = load_and_query(argv[1], five, 5, true, true, &t_import, &t_first, &cpu_all, &r);
    double t_all = t_import + t_first;
    printf("  (a) import + query: %.3f s (import %.3f s, first query %.3f s)\n", t_all, t_import, t_first);
    double t0;
    printf("\ncxkit: scorecard by channel (%zu groups)\n", cx_result_row_count(r));
    print_table(r);
    if (argc > 3 && strcmp(argv[3], "-") != 0)
        write_tsv(r, argv[3]);
    cx_result_free(r);

    /* (b) the query alone on the loaded store */
    double *times = malloc((size_t)repeats * sizeof *times);
    if (!times)
        return 1;
    for (int k = 0; k < repeats; k++) {
        t0 = now();
        r = scorecard(s);
        times[k] = now() - t0;
        cx_result_free(r);
    }
    printf("\n  (b) query on the store, each run (s):");
    for (int k = 0; k < repeats; k++)
        printf(" %.4f", times[k]);
    printf("\n");
    qsort(times, (size_t)repeats, sizeof *times, cmp_double);
    double best = times[0];
    double median = repeats % 2 ? times[repeats / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2;
    printf("  (b) query on the store, %d runs: best %.4f s, median %.4f s\n", repeats, best, median);

    /* The memory-bandwidth floor of (b): the columns the query's two passes
     * read, once each (see src/metrics/run.c and src/store/store_private.h):
     *   feedback: customer, question, touchpoint, interaction, case (u32),
     *             score (f64), time (i64)                        = 36 B/row
     *   cases:    customer, channel, priority, agent, reopens, contacts
     *             (u32), opened, resolved (i64)                  = 40 B/row
     *   questions and touchpoints: a few hundred bytes.
     * Besides, an answer linked to an interaction reads that interaction's
     * agent (and its touchpoint when the answer has none) at a random row of
     * a 4-byte column of 5 x 10^6 rows: a cache line (64 B) from memory each,
     * counted separately below. */
    size_t nfb = rows_of(s, CX_TABLE_FEEDBACK), nca = rows_of(s, CX_TABLE_CASES);
    size_t nqu = rows_of(s, CX_TABLE_QUESTIONS), ntp = rows_of(s, CX_TABLE_TOUCHPOINTS);
    double seq = 36.0 * (double)nfb + 40.0 * (double)nca + 18.0 * (double)nqu + 8.0 * (double)ntp;
    int c_in, c_tp;
    CHECK(cx_column_find(&c_in, CX_TABLE_FEEDBACK, "interaction"));
    CHECK(cx_column_find(&c_tp, CX_TABLE_FEEDBACK, "touchpoint"));
    size_t gathers = 0;
    for (size_t i = 0; i < nfb; i++) {
        int64_t in, tp;
        CHECK(cx_store_get_int(&in, s, CX_TABLE_FEEDBACK, c_in, i));
        CHECK(cx_store_get_int(&tp, s, CX_TABLE_FEEDBACK, c_tp, i));
        if (in >= 0)
            gathers += tp >= 0 ? 1 : 2;
    }
    double rnd = 64.0 * (double)gathers;
    printf("  bandwidth floor at %.0f GB/s: %zu feedback rows x 36 B + %zu cases x 40 B = %.1f MB -> %.4f s;\n"
           "    measured best %.4f s = %.1fx the floor (%.2f GB/s effective)\n",
           BANDWIDTH / 1e9, nfb, nca, seq / 1e6, seq / BANDWIDTH, best, best / (seq / BANDWIDTH), seq / best / 1e9);
    printf("    with the %zu random interaction reads at a 64 B line each: %.1f MB -> %.4f s (%.1fx)\n", gathers,
           (seq + rnd) / 1e6, (seq + rnd) / BANDWIDTH, best / ((seq + rnd) / BANDWIDTH));
    size_t mem;
    CHECK(cx_store_memory(&mem, s));
    printf("  store memory %.1f MB\n", (double)mem / 1e6);
    printf("RESULT %s_total_s=%.4f %s_import_s=%.4f %s_first_query_s=%.4f %s_query_best_s=%.5f "
           "%s_query_median_s=%.5f floor_bytes=%.0f floor_s=%.5f floor_rand_bytes=%.0f floor_rand_s=%.5f "
           "feedback_rows=%zu case_rows=%zu %s_total_cpu_s=%.4f",
           key, t_all, key, t_import, key, t_first, key, best, key, median, seq, seq / BANDWIDTH, seq + rnd,
           (seq + rnd) / BANDWIDTH, nfb, nca, key, cpu_all);
    if (!only_a)
        printf(" %s_six_total_s=%.4f %s_six_import_s=%.4f %s_six_total_cpu_s=%.4f %s_all_total_s=%.4f "
               "%s_all_import_s=%.4f %s_all_total_cpu_s=%.4f",
               key, t_six_import + t_six_query, key, t_six_import, key, cpu_six, key, t_all_import + t_all_query, key,
               t_all_import, key, cpu_allcols);
    printf("\n");
    free(times);
    cx_store_free(s);
    return 0;
}
