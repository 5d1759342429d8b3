/*
 * Example: service cycles. Loads the demo data (examples/data) into a
 * store, reads the cases' status changes (case_events.csv: opened,
 * resolved, reopened), and shows what a case's single "resolved" time
 * hides: resolution time per cycle number (do second cycles take longer
 * than first ones?), by priority, one reopened case's cycles, the check of
 * the log against the store, and what erasure does to the log.
 *
 * Usage: cx-cycles [DATA_DIR]   (default: examples/data)
 */
#include <cxkit/cxkit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                 \
    do {                                                                            \
        int rc_ = (call);                                                           \
        if (rc_ != CX_OK) {                                                         \
            fprintf(stderr, "%s failed: %s (%s)\n", #call, cx_last_error(),         \
                    cx_strerror(rc_));                                              \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

#define HOUR_MS 3600000.0

static void load(cx_store *s, const char *dir)
{
    static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                                CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        char path[4096];
        CHECK(cx_table_name(&name, order[i]));
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        cx_import_report *rep;
        CHECK(cx_import_csv(&rep, s, order[i], path, NULL));
        cx_import_report_free(rep);
    }
}

static size_t col(const cx_result *r, const char *name)
{
    size_t c;
    CHECK(cx_result_column_find(&c, r, name));
    return c;
}

static double real(const cx_result *r, size_t row, const char *name)
{
    double v;
    CHECK(cx_result_get_real(&v, r, row, col(r, name)));
    return v;
}

static int64_t integer(const cx_result *r, size_t row, const char *name)
{
    int64_t v;
    CHECK(cx_result_get_int(&v, r, row, col(r, name)));
    return v;
}

static const char *text(const cx_result *r, size_t row, const char *name)
{
    const char *v;
    CHECK(cx_result_get_string(&v, r, row, col(r, name)));
    return v ? v : "-";
}

/* The summary's rows: resolution hours per cycle number. */
static void print_summary(const cx_result *r, const char *group)
{
    printf("%-8s %5s %6s %8s %5s %9s %9s %9s %9s %8s\n", group ? group : "", "cycle", "cycles", "resolved", "open",
           "median_h", "p90_h", "mean_h", "reopened", "vs_1st");
    for (size_t i = 0; i < cx_result_row_count(r); i++)
        printf("%-8s %5lld %6lld %8lld %5lld %9.1f %9.1f %9.1f %8.0f%% %7.2fx\n", group ? text(r, i, group) : "",
               (long long)integer(r, i, "cycle"), (long long)integer(r, i, "cycles"),
               (long long)integer(r, i, "resolved"), (long long)integer(r, i, "open"),
               real(r, i, "median_ms") / HOUR_MS, real(r, i, "p90_ms") / HOUR_MS, real(r, i, "mean_ms") / HOUR_MS,
               100 * real(r, i, "reopen_share"), real(r, i, "ratio_to_first"));
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "examples/data";
    char path[4096];
    snprintf(path, sizeof path, "%s/case_events.csv", dir);
    cx_store *s;
    CHECK(cx_store_new(&s));
    load(s, dir);
    cx_case_events *ev;
    CHECK(cx_case_events_new(&ev));
    CHECK(cx_case_events_import_csv(ev, path));
    size_t ncases;
    CHECK(cx_store_rows(&ncases, s, CX_TABLE_CASES));
    printf("%zu case events of %zu cases (%zu cases in the store)\n\n", cx_case_events_count(ev),
           cx_case_events_case_count(ev), ncases);

    /* strict: the demo's log must agree with its cases */
    cx_cycles_options *o;
    CHECK(cx_cycles_options_new(&o));
    CHECK(cx_cycles_options_set_strict(o, 1));
    cx_result *sum;
    CHECK(cx_cycles_summary(&sum, ev, s, o));
    printf("Resolution time per cycle (cycle 1: opening to first resolution; 2: after the first reopening)\n");
    print_summary(sum, NULL);
    cx_result_free(sum);

    CHECK(cx_cycles_options_set_group(o, CX_CYCLES_BY_PRIORITY));
    CHECK(cx_cycles_summary(&sum, ev, s, o));
    printf("\nBy priority\n");
    print_summary(sum, "priority");
    cx_result_free(sum);

    /* one case reopened twice, cycle by cycle */
    cx_result *cyc;
    CHECK(cx_cycles_run(&cyc, ev, s, o));
    size_t n = cx_result_row_count(cyc), shown = 0;
    for (size_t i = 0; i < n && !shown; i++) {
        if (integer(cyc, i, "cycle") != 3)
            continue;
        printf("\nCase %s (customer %s, %s, %s), reopened twice:\n", text(cyc, i, "case"), text(cyc, i, "customer"),
               text(cyc, i, "channel"), text(cyc, i, "priority"));
        for (size_t j = i - 2; j <= i; j++) {
            char opened[CX_TIME_FORMAT_MAX], resolved[CX_TIME_FORMAT_MAX] = "open";
            int64_t to = integer(cyc, j, "resolved");
            CHECK(cx_time_format(opened, sizeof opened, integer(cyc, j, "opened"), 180));
            if (to != CX_TIME_NONE)
                CHECK(cx_time_format(resolved, sizeof resolved, to, 180));
            double lag = real(cyc, j, "reopen_lag_ms");
            printf("  cycle %lld  %s -> %s  %6.1f h", (long long)integer(cyc, j, "cycle"), opened, resolved,
                   real(cyc, j, "duration_ms") / HOUR_MS);
            if (!isnan(lag))
                printf("  (reopened %.1f days after the last resolution)", lag / (24 * HOUR_MS));
            printf("  store: %s\n", text(cyc, j, "store_check"));
        }
        shown = 1;
    }
    cx_result_free(cyc);

    /* a log at odds with its case, then what the check says */
    CHECK(cx_case_events_add(ev, "TKT-100001", 1760400000000LL, CX_CASE_EVENT_RESOLVED, NULL));
    cx_result *chk;
    CHECK(cx_cycles_check(&chk, ev, s));
    printf("\nAfter adding a second resolution to TKT-100001, the check finds %zu problem(s):\n",
           cx_result_row_count(chk));
    for (size_t i = 0; i < cx_result_row_count(chk); i++)
        printf("  %s %s: %s\n", text(chk, i, "case"), text(chk, i, "event"), text(chk, i, "problem"));
    cx_result_free(chk);

    /* erasure: the customer of TKT-100001 is forgotten; the log follows */
    const char *who[] = {"C-100002"};
    CHECK(cx_customer_forget(NULL, s, 1, who));
    size_t removed;
    CHECK(cx_case_events_prune(&removed, ev, s));
    printf("\nForgetting customer C-100002 removed %zu events from the log (%zu cases left)\n", removed,
           cx_case_events_case_count(ev));

    cx_cycles_options_free(o);
    cx_case_events_free(ev);
    cx_store_free(s);
    return 0;
}
