/*
 * cx-metrics: the CX scorecard of the demo data. Imports a directory of
 * CXKit CSV files, then prints NPS, CSAT, CES and FCR by channel and by
 * month (with sample sizes and 95 % intervals), service times with business
 * hours, SLA breaches by priority, and whether the best and worst channels
 * differ significantly.
 *
 * Usage: cx-metrics [DATA_DIR]     (default examples/data)
 */
#include <cxkit/cxkit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "cx-metrics: %s: %s\n", #call, cx_last_error());                                     \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

static double cell(const cx_result *r, size_t row, const char *name)
{
    size_t c;
    double v;
    CHECK(cx_result_column_find(&c, r, name));
    CHECK(cx_result_get_real(&v, r, row, c));
    return v;
}

static const char *label(const cx_result *r, size_t row, const char *name)
{
    size_t c;
    const char *v;
    CHECK(cx_result_column_find(&c, r, name));
    CHECK(cx_result_get_string(&v, r, row, c));
    return v ? v : "(none)";
}

static void load(cx_store *s, const char *dir)
{
    /* every table after the ones its rows refer to */
    static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                                CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        char path[4096];
        CHECK(cx_table_name(&name, order[i]));
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        cx_import_report *rep;
        CHECK(cx_import_csv(&rep, s, order[i], path, NULL));
        if (cx_import_report_rejected(rep))
            fprintf(stderr, "cx-metrics: %s: %llu rows rejected\n", path,
                    (unsigned long long)cx_import_report_rejected(rep));
        cx_import_report_free(rep);
    }
}

/* NPS / CSAT / CES / FCR grouped one way, one line per group. */
static void scorecard(const cx_store *s, const char *title, int by_time)
{
    cx_query *q;
    cx_result *r;
    CHECK(cx_query_new(&q, s));
    CHECK(cx_query_add(q, CX_MEASURE_NPS));
    CHECK(cx_query_add(q, CX_MEASURE_CSAT));
    CHECK(cx_query_add(q, CX_MEASURE_CES));
    CHECK(cx_query_add(q, CX_MEASURE_FCR));
    CHECK(cx_query_add(q, CX_MEASURE_CX_INDEX));
    if (by_time)
        CHECK(cx_query_group_by_time(q, CX_BUCKET_MONTH, 180)); /* months in Riyadh time */
    else
        CHECK(cx_query_group_by(q, CX_DIM_CHANNEL));
    CHECK(cx_query_run(&r, q));
    printf("\n%s\n  %-13s %6s %16s %6s %7s %6s %6s %6s %6s %6s\n", title, by_time ? "month" : "channel", "NPS",
           "95% CI", "n", "CSAT%", "n", "CES", "easy%", "FCR%", "index");
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        /* "nps_small": fewer answers than the query's minimum (30 by
         * default, cx_query_set_min_n()): marked with a '*' */
        printf("  %-13s %6.1f [%6.1f,%6.1f] %6.0f%s %6.1f %6.0f %6.2f %6.1f %6.1f %6.1f\n",
               label(r, i, by_time ? "month_label" : "channel"), cell(r, i, "nps"), cell(r, i, "nps_lo"),
               cell(r, i, "nps_hi"), cell(r, i, "nps_n"), cell(r, i, "nps_small") ? "*" : " ", cell(r, i, "csat"),
               cell(r, i, "csat_n"), cell(r, i, "ces"), cell(r, i, "ces_easy"), cell(r, i, "fcr"),
               cell(r, i, "cx_index"));
    }
    printf("  * n < %d: too few answers for the NPS to mean much\n", CX_QUERY_MIN_N_DEFAULT);
    if (!by_time) {
        /* is the gap between the best and the worst channel by NPS real? */
        size_t best = 0, worst = 0;
        for (size_t i = 0; i < cx_result_row_count(r); i++) {
            if (cell(r, i, "nps_small"))
                continue;
            if (cell(r, i, "nps") > cell(r, best, "nps") || cell(r, best, "nps_small"))
                best = i;
            if (cell(r, i, "nps") < cell(r, worst, "nps") || cell(r, worst, "nps_small"))
                worst = i;
        }
        double diff, p;
        CHECK(cx_result_compare(&diff, &p, r, best, r, worst, CX_MEASURE_NPS));
        printf("  best %s vs worst %s: NPS differs by %.1f points, p = %.2g%s\n", label(r, best, "channel"),
               label(r, worst, "channel"), diff, p, p < 0.05 ? " (significant at 5 %)" : "");
    }
    cx_result_free(r);
    cx_query_free(q);
}

static void service_times(const cx_store *s)
{
    /* a Saudi working week: Sunday to Thursday, 08:00-17:00, +03:00 */
    cx_calendar *cal;
    CHECK(cx_calendar_new(&cal, 180));
    for (int d = 1; d <= 7; d++)
        if (d != 5 && d != 6)
            CHECK(cx_calendar_add_hours(cal, d, 8 * 60, 17 * 60));
    cx_query *q;
    cx_result *r;
    CHECK(cx_query_new(&q, s));
    CHECK(cx_query_add(q, CX_MEASURE_FIRST_RESPONSE));
    CHECK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    CHECK(cx_query_add(q, CX_MEASURE_SLA_BREACH));
    CHECK(cx_query_add(q, CX_MEASURE_REOPEN_RATE));
    CHECK(cx_query_group_by(q, CX_DIM_PRIORITY));
    CHECK(cx_query_set_calendar(q, cal));
    CHECK(cx_query_set_sla(q, NULL, NULL, 4 * 3600000LL, 24 * 3600000LL));
    CHECK(cx_query_set_sla(q, "urgent", NULL, 1 * 3600000LL, 8 * 3600000LL));
    CHECK(cx_query_set_sla(q, "high", NULL, 2 * 3600000LL, 16 * 3600000LL));
    CHECK(cx_query_run(&r, q));
    printf("\nService times in business hours (Sun-Thu 08-17, +03:00) by priority\n"
           "  %-10s %6s %13s %13s %15s %8s %8s\n",
           "priority", "cases", "1st resp med", "1st resp p90", "resolution med", "SLA br%", "reopen%");
    for (size_t i = 0; i < cx_result_row_count(r); i++)
        printf("  %-10s %6.0f %12.1fh %12.1fh %14.1fh %8.1f %8.1f\n", label(r, i, "priority"), cell(r, i, "reopen_rate_n"),
               cell(r, i, "first_response_median") / 3.6e6, cell(r, i, "first_response_p90") / 3.6e6,
               cell(r, i, "resolution_median") / 3.6e6, cell(r, i, "sla_breach"), cell(r, i, "reopen_rate"));
    cx_result_free(r);
    cx_query_free(q);
    cx_calendar_free(cal);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "examples/data";
    cx_store *s;
    CHECK(cx_store_new(&s));
    load(s, dir);
    scorecard(s, "CX scorecard by channel", 0);
    scorecard(s, "CX scorecard by month", 1);
    service_times(s);
    cx_store_free(s);
    return 0;
}
