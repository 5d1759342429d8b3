/*
 * Benchmark: journeys at scale. Imports a directory written by gen-demo
 * (customers, touchpoints, cases, interactions, questions, feedback), then
 * times, on one thread: building the journeys (the per-customer time-ordered
 * index, cut at each purchase), the top paths, the transition matrix of
 * order 1, Markov + heuristic attribution by touchpoint, a funnel and the
 * pain points; and prints the memory of the index in bytes per interaction.
 * bench/journey.sh runs it beside DuckDB computing the same transition
 * counts and checks that both agree.
 *
 * Usage: bench-journey DATA_DIR [TRANSITIONS_TSV]
 */
#define _POSIX_C_SOURCE 200809L
#include <cxkit/cxkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "bench-journey: %s: %s\n", #call, cx_last_error());                                  \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t col(const cx_result *t, const char *name)
{
    size_t c;
    CHECK(cx_result_column_find(&c, t, name));
    return c;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-journey DATA_DIR [TRANSITIONS_TSV]\n");
        return 2;
    }
    const char *dir = argv[1];
    static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                                CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK};
    cx_store *s;
    CHECK(cx_store_new(&s));
    double t0 = now();
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        char path[4096];
        CHECK(cx_table_name(&name, order[i]));
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        cx_import_report *rep;
        CHECK(cx_import_csv(&rep, s, order[i], path, NULL));
        cx_import_report_free(rep);
    }
    double t_import = now() - t0;
    size_t n, ncust;
    CHECK(cx_store_rows(&n, s, CX_TABLE_INTERACTIONS));
    CHECK(cx_store_rows(&ncust, s, CX_TABLE_CUSTOMERS));
    printf("cxkit: %zu customers, %zu interactions imported in %.2f s (not counted below)\n", ncust, n, t_import);

    cx_journeys *j;
    t0 = now();
    CHECK(cx_journeys_new(&j, s, NULL)); /* conversion: a handled "purchase"; cut there; touchpoint level */
    double t_build = now() - t0;
    double bpi = (double)cx_journeys_byte_count(j) / (double)n;
    printf("  build journeys          %8.3f s  %zu journeys, %zu converted, %.2f bytes per interaction\n", t_build,
           cx_journeys_count(j), cx_journeys_conversion_count(j), bpi);

    cx_result *t;
    t0 = now();
    CHECK(cx_journeys_paths(&t, j, 10));
    double t_paths = now() - t0;
    printf("  top 10 paths            %8.3f s\n", t_paths);
    cx_result_free(t);

    t0 = now();
    CHECK(cx_journeys_transitions(&t, j, 1));
    double t_trans = now() - t0;
    printf("  transitions (order 1)   %8.3f s  %zu transitions\n", t_trans, cx_result_row_count(t));
    if (argc > 2) {
        FILE *f = fopen(argv[2], "w");
        if (!f) {
            perror(argv[2]);
            return 1;
        }
        size_t cf = col(t, "from"), ct = col(t, "to"), cn = col(t, "count");
        for (size_t r = 0; r < cx_result_row_count(t); r++) {
            const char *a, *b;
            int64_t c;
            CHECK(cx_result_get_string(&a, t, r, cf));
            CHECK(cx_result_get_string(&b, t, r, ct));
            CHECK(cx_result_get_int(&c, t, r, cn));
            fprintf(f, "%s\t%s\t%lld\n", a, b, (long long)c);
        }
        fclose(f);
    }
    cx_result_free(t);

    t0 = now();
    CHECK(cx_journeys_transitions(&t, j, 2));
    double t_trans2 = now() - t0;
    printf("  transitions (order 2)   %8.3f s  %zu transitions\n", t_trans2, cx_result_row_count(t));
    cx_result_free(t);

    t0 = now();
    CHECK(cx_journeys_attribution(&t, j, 1));
    double t_attr = now() - t0;
    printf("  attribution (order 1)   %8.3f s  %zu touchpoints\n", t_attr, cx_result_row_count(t));
    cx_result_free(t);

    t0 = now();
    CHECK(cx_journeys_attribution(&t, j, 2));
    double t_attr2 = now() - t0;
    printf("  attribution (order 2)   %8.3f s\n", t_attr2);
    cx_result_free(t);

    cx_funnel *fu;
    CHECK(cx_funnel_new(&fu, s));
    CHECK(cx_funnel_add_step(fu, CX_JOURNEYS_LEVEL_STAGE, "consideration"));
    CHECK(cx_funnel_add_step(fu, CX_JOURNEYS_LEVEL_STAGE, "purchase"));
    CHECK(cx_funnel_add_step(fu, CX_JOURNEYS_LEVEL_TOUCHPOINT, "home_delivery"));
    CHECK(cx_funnel_set_window(fu, 30LL * 86400000));
    t0 = now();
    CHECK(cx_journeys_funnel(&t, j, fu));
    double t_funnel = now() - t0;
    printf("  funnel (3 steps)        %8.3f s\n", t_funnel);
    cx_result_free(t);
    cx_funnel_free(fu);

    t0 = now();
    CHECK(cx_journeys_pain_points(&t, j));
    double t_pain = now() - t0;
    const char *first;
    CHECK(cx_result_get_string(&first, t, 0, col(t, "touchpoint")));
    printf("  pain points             %8.3f s  first: %s\n", t_pain, first);
    cx_result_free(t);

    printf("RESULT interactions=%zu customers=%zu cx_build_s=%.4f cx_paths_s=%.4f cx_transitions_s=%.4f "
           "cx_transitions2_s=%.4f cx_attribution_s=%.4f cx_attribution2_s=%.4f cx_funnel_s=%.4f cx_pain_s=%.4f "
           "bytes_per_interaction=%.2f\n",
           n, ncust, t_build, t_paths, t_trans, t_trans2, t_attr, t_attr2, t_funnel, t_pain, bpi);
    cx_journeys_free(j);
    cx_store_free(s);
    return 0;
}
