/*
 * cx-lifecycle: lifecycle and value of the demo customers. Imports a
 * directory of CXKit CSV files, then prints a monthly retention table by
 * first purchase, Kaplan-Meier survival of the relationship by segment with
 * the log-rank test, RFM segments, the BG/NBD and Gamma-Gamma models fitted
 * on the first 18 months and checked on the last 6, the top customers by
 * 12-month CLV, the health score of each customer and the list of
 * customers to contact now with the reason, from care rules held as data.
 *
 * Usage: cx-lifecycle [DATA_DIR]     (default examples/data)
 */
#include <cxkit/cxkit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "cx-lifecycle: %s: %s\n", #call, cx_last_error());                                  \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

#define DAY (86400000LL)
#define WEEK (7 * DAY)

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

static cx_time at(const char *iso)
{
    cx_time t;
    CHECK(cx_time_parse(&t, iso, strlen(iso)));
    return t;
}

/* Cells of a result by column name (the columns are documented in lifecycle.h). */
static size_t col(const cx_result *r, const char *name)
{
    size_t c;
    CHECK(cx_result_column_find(&c, r, name));
    return c;
}

static double num(const cx_result *r, size_t row, const char *name)
{
    double v;
    CHECK(cx_result_get_real(&v, r, row, col(r, name)));
    return v;
}

static int64_t ival(const cx_result *r, size_t row, const char *name)
{
    int64_t v;
    CHECK(cx_result_get_int(&v, r, row, col(r, name)));
    return v;
}

static const char *text(const cx_result *r, size_t row, const char *name)
{
    const char *v;
    CHECK(cx_result_get_string(&v, r, row, col(r, name)));
    return v;
}

/* The cohort table is long, a row per cohort and period since its start in
 * cohort order: with P calendar periods cohort k has P - k rows. */
static size_t cohort_row(size_t P, size_t k, size_t p) { return k * P - (k ? k * (k - 1) / 2 : 0) + p; }

static void retention(const cx_store *s)
{
    cx_cohorts_options *o;
    cx_result *c;
    CHECK(cx_cohorts_options_new(&o));
    CHECK(cx_cohorts_options_set_bucket(o, CX_BUCKET_QUARTER));
    CHECK(cx_cohorts_options_set_offset(o, 180));
    CHECK(cx_cohorts_run(&c, s, o));
    cx_cohorts_options_free(o);
    size_t P = 0;
    while (P * (P + 1) / 2 < cx_result_row_count(c))
        P++;
    printf("Retention by quarter of first purchase (%% of the cohort buying again k quarters later)\n");
    printf("%-8s %6s", "cohort", "size");
    for (size_t k = 1; k < P; k++)
        printf("   +%zuQ", k);
    printf("\n");
    for (size_t k = 0; k < P; k++) {
        size_t row = cohort_row(P, k, 0);
        printf("%-8s %6lld", text(c, row, "cohort_label"), (long long)ival(c, row, "size"));
        for (size_t p = 1; p < P; p++) {
            double r = k + p < P ? num(c, row + p, "retention") : NAN;
            if (isnan(r))
                printf("%7s", "");
            else
                printf("%6.1f%%", 100 * r);
        }
        printf("\n");
    }
    /* the calendar flows: sums over the cohorts of a calendar period; its
     * retention is the customers kept of those active the period before */
    printf("\n%-8s %7s %7s %7s %7s %10s\n", "quarter", "active", "gained", "kept", "lost", "retention");
    int64_t before = 0;
    for (size_t q = 0; q < P; q++) {
        int64_t a = 0, g = 0, k = 0, l = 0;
        for (size_t j = 0; j <= q; j++) {
            size_t row = cohort_row(P, j, q - j);
            a += ival(c, row, "active");
            g += ival(c, row, "gained");
            k += ival(c, row, "kept");
            l += ival(c, row, "lost");
        }
        printf("%-8s %7lld %7lld %7lld %7lld", text(c, cohort_row(P, q, 0), "cohort_label"), (long long)a,
               (long long)g, (long long)k, (long long)l);
        if (q > 0 && before) /* the first period has no period before it */
            printf(" %9.1f%%\n", 100.0 * (double)k / (double)before);
        else
            printf(" %10s\n", "-");
        before = a;
    }
    cx_result_free(c);
}

static void survival(const cx_store *s, cx_time as_of)
{
    cx_survival_options *o;
    cx_survival *sv;
    cx_result *g;
    /* churn inferred: no purchase or inbound contact for 180 days */
    CHECK(cx_survival_options_new(&o));
    CHECK(cx_survival_options_set_activity(o, CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND));
    CHECK(cx_survival_options_set_inactivity(o, 180 * DAY));
    CHECK(cx_survival_options_set_group_by(o, CX_DIM_SEGMENT));
    CHECK(cx_survival_from_store(&sv, s, as_of, o));
    cx_survival_options_free(o);
    CHECK(cx_survival_summary(&g, sv));
    printf("\nSurvival of the relationship by segment (churn = 180 days without a purchase or contact)\n");
    printf("%-10s %9s %7s %14s %8s %8s %8s\n", "segment", "customers", "churned", "median (days)", "S(90)",
           "S(180)", "S(365)");
    for (size_t i = 0; i < cx_result_row_count(g); i++) {
        const char *label = text(g, i, "group");
        double s90, s180, s365;
        CHECK(cx_survival_at(&s90, NULL, NULL, sv, i, 90));
        CHECK(cx_survival_at(&s180, NULL, NULL, sv, i, 180));
        CHECK(cx_survival_at(&s365, NULL, NULL, sv, i, 365));
        printf("%-10s %9lld %7lld %14.0f %7.1f%% %7.1f%% %7.1f%%\n", label ? label : "(none)",
               (long long)ival(g, i, "subjects"), (long long)ival(g, i, "events"), num(g, i, "median"), 100 * s90,
               100 * s180, 100 * s365);
    }
    cx_result_free(g);
    double chi2, p;
    uint64_t df;
    CHECK(cx_survival_logrank(&chi2, &p, &df, sv));
    printf("log-rank: chi2 = %.2f on %llu df, p = %.3g\n", chi2, (unsigned long long)df, p);
    cx_survival_free(sv);
}

static void rfm(const cx_store *s, cx_time as_of)
{
    cx_result *r;
    CHECK(cx_rfm_run(&r, s, as_of, DAY, 5));
    size_t count[CX_RFM_SEGMENT_COUNT] = {0};
    double value[CX_RFM_SEGMENT_COUNT] = {0};
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        int64_t seg = ival(r, i, "segment");
        count[seg]++;
        value[seg] += num(r, i, "monetary");
    }
    printf("\nRFM segments (%zu buyers)\n%-20s %9s %12s\n", cx_result_row_count(r), "segment", "customers",
           "mean spend");
    for (int g = 0; g < CX_RFM_SEGMENT_COUNT; g++) {
        const char *name;
        CHECK(cx_rfm_segment_name(&name, (cx_rfm_segment)g));
        if (count[g])
            printf("%-20s %9zu %12.2f\n", name, count[g], value[g] / (double)count[g]);
    }
    cx_result_free(r);
}

typedef struct ranked {
    size_t i;
    double clv;
} ranked;

static int by_clv(const void *a, const void *b)
{
    double x = ((const ranked *)a)->clv, y = ((const ranked *)b)->clv;
    return (x < y) - (x > y);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static void print_model(const char *title, const cx_model *m)
{
    /* one row per parameter; the fit's figures repeat on every row */
    cx_result *r;
    size_t c_name, c_value, c_ll, c_it, c_se;
    CHECK(cx_model_params(&r, m));
    CHECK(cx_result_column_find(&c_se, r, "std_error"));
    CHECK(cx_result_column_find(&c_name, r, "name"));
    CHECK(cx_result_column_find(&c_value, r, "value"));
    CHECK(cx_result_column_find(&c_ll, r, "loglik"));
    CHECK(cx_result_column_find(&c_it, r, "iterations"));
    printf("%s:", title);
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        double v, se;
        const char *name;
        CHECK(cx_result_get_string(&name, r, i, c_name));
        CHECK(cx_result_get_real(&v, r, i, c_value));
        CHECK(cx_result_get_real(&se, r, i, c_se)); /* from the Hessian at the estimate */
        printf(" %s = %.4g (se %.2g)", name, v, se);
    }
    double ll;
    int64_t it;
    CHECK(cx_result_get_real(&ll, r, 0, c_ll));
    CHECK(cx_result_get_int(&it, r, 0, c_it));
    printf(" (log-likelihood %.1f, %lld iterations)\n", ll, (long long)it);
    cx_result_free(r);
}

/* A summary in weeks. The default tolerance (a day) takes the demo's
 * purchases stamped a few hours before their customer's acquisition (the
 * shop's and the CRM's clocks disagree); a purchase further back is
 * refused with its customer and transaction named. */
static cx_summary *weekly_summary(const cx_store *s, cx_time end, cx_time holdout_end)
{
    cx_summary_options *o;
    cx_summary *sum;
    CHECK(cx_summary_options_new(&o));
    CHECK(cx_summary_options_set_unit(o, WEEK));
    CHECK(cx_summary_options_set_holdout_end(o, holdout_end));
    CHECK(cx_summary_new(&sum, s, end, o));
    cx_summary_options_free(o);
    return sum;
}

/* Fits the value models on the calibration period and returns the BG/NBD
 * model, which the health score and the care rules reuse. */
static cx_model *value_and_care(const cx_store *s, cx_time cal_end, cx_time as_of)
{
    cx_summary *sum = weekly_summary(s, cal_end, as_of);
    size_t n = cx_summary_count(sum);
    const double *x, *tx, *T, *mean, *hold;
    CHECK(cx_summary_values(&x, sum, CX_SUMMARY_FREQUENCY));
    CHECK(cx_summary_values(&tx, sum, CX_SUMMARY_RECENCY));
    CHECK(cx_summary_values(&T, sum, CX_SUMMARY_AGE));
    CHECK(cx_summary_values(&mean, sum, CX_SUMMARY_MONETARY));
    CHECK(cx_summary_values(&hold, sum, CX_SUMMARY_HOLDOUT));
    cx_model *bg, *gg;
    CHECK(cx_model_fit_bgnbd(&bg, x, tx, T, NULL, n));
    CHECK(cx_model_fit_gammagamma(&gg, x, mean, NULL, n));
    printf("\nValue models fitted on %zu customers' purchases before 2025-07-01 (weeks; %zu purchases dated "
           "up to a day before their customer's acquisition were accepted as clock skew)\n",
           n, cx_summary_tolerated_count(sum));
    print_model("BG/NBD", bg);
    print_model("Gamma-Gamma", gg);
    /* the predictions read the summary's columns in place */
    cx_model_data *d;
    CHECK(cx_model_data_from_summary(&d, sum));
    double holdout_weeks = (double)(as_of - cal_end) / (double)WEEK;
    double *e = malloc((n ? n : 1) * sizeof *e), *e52 = malloc((n ? n : 1) * sizeof *e52);
    ranked *rk = malloc((n ? n : 1) * sizeof *rk);
    if (!e || !e52 || !rk)
        exit(1);
    CHECK(cx_model_expected(e, n, bg, d, holdout_weeks));
    CHECK(cx_model_expected(e52, n, bg, d, 52));
    double se = 0, sh = 0;
    for (size_t i = 0; i < n; i++) {
        se += e[i];
        sh += hold[i];
    }
    printf("holdout check: %.0f purchases predicted for 2025-H2, %.0f made\n", se, sh);
    /* the same check by calibration frequency, and a new customer's year as a distribution */
    cx_result *cal;
    CHECK(cx_model_calibration(&cal, bg, d, hold, holdout_weeks, 5));
    printf("by calibration frequency: mean purchases in 2025-H2, actual / expected\n");
    for (size_t f = 0; f < cx_result_row_count(cal); f++) {
        const char *label;
        int64_t c;
        double a, ex;
        CHECK(cx_result_get_string(&label, cal, f, 1));
        CHECK(cx_result_get_int(&c, cal, f, 2));
        CHECK(cx_result_get_real(&a, cal, f, 3));
        CHECK(cx_result_get_real(&ex, cal, f, 4));
        printf("  x = %-3s %5lld customers %6.2f %6.2f\n", label, (long long)c, a, ex);
    }
    cx_result_free(cal);
    double pmf[5], mean52, rest = 1;
    CHECK(cx_model_purchase_pmf(pmf, 5, bg, 52));
    CHECK(cx_model_population_expected(&mean52, bg, 52));
    printf("a new customer's purchases in 52 weeks:");
    for (int k = 0; k < 5; k++) {
        printf(" P(%d) %.1f%%", k, 100 * pmf[k]);
        rest -= pmf[k];
    }
    printf(", P(5+) %.1f%%; mean %.2f\n", 100 * rest, mean52);
    /* the CLV of the next 12 months, 1 % discount a month, as of 2025-07-01 */
    cx_clv_options *co;
    CHECK(cx_clv_options_new(&co));
    CHECK(cx_clv_options_set_horizon(co, 12));
    CHECK(cx_clv_options_set_period(co, 52.0 / 12));
    CHECK(cx_clv_options_set_discount(co, 0.01));
    cx_result *clv;
    CHECK(cx_model_clv(&clv, bg, gg, d, co));
    cx_clv_options_free(co);
    size_t c_id, c_pa, c_clv;
    CHECK(cx_result_column_find(&c_id, clv, "customer"));
    CHECK(cx_result_column_find(&c_pa, clv, "p_alive"));
    CHECK(cx_result_column_find(&c_clv, clv, "clv"));
    for (size_t i = 0; i < n; i++) {
        rk[i].i = i;
        CHECK(cx_result_get_real(&rk[i].clv, clv, i, c_clv));
    }
    qsort(rk, n, sizeof *rk, by_clv);
    printf("\nTop customers by 12-month CLV\n%-10s %5s %8s %8s %10s %9s %10s\n", "customer", "x", "t_x", "T",
           "P(alive)", "E[12 mo]", "CLV");
    for (size_t k = 0; k < 10 && k < n; k++) {
        size_t i = rk[k].i;
        const char *id;
        double pa;
        CHECK(cx_result_get_string(&id, clv, i, c_id));
        CHECK(cx_result_get_real(&pa, clv, i, c_pa));
        printf("%-10s %5.0f %8.1f %8.1f %9.1f%% %9.2f %10.2f\n", id, x[i], tx[i], T[i], 100 * pa, e52[i],
               rk[k].clv);
    }
    free(e);
    free(e52);
    free(rk);
    cx_result_free(clv);
    cx_model_data_free(d);
    cx_model_free(gg);
    cx_summary_free(sum);
    return bg;
}

/* The row of a customer in the health table (a row per customer of the
 * store, in its order). */
static size_t health_row(const cx_store *s, const char *id)
{
    size_t row;
    CHECK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, id));
    return row;
}

/* The health score of every customer and the care list as of the end of
 * the data: rules held as data, P(alive) from the BG/NBD model fitted on
 * the calibration period, applied to each customer's purchases up to then. */
static void health_and_care(const cx_store *s, cx_time as_of, const cx_model *bg)
{
    cx_summary *sum = weekly_summary(s, as_of, CX_TIME_NONE);
    size_t n = cx_summary_count(sum);
    const double *total;
    CHECK(cx_summary_values(&total, sum, CX_SUMMARY_TOTAL));
    /* "high value": the top quarter by historic spend */
    double *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        exit(1);
    memcpy(sorted, total, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_value);
    double top_quarter = n ? sorted[n / 4] : 0;
    free(sorted);

    /* one row per customer of the store, in its order */
    cx_result *h;
    CHECK(cx_health_run(&h, s, NULL, as_of, bg, sum));
    size_t bands[4] = {0};
    for (size_t i = 0; i < cx_result_row_count(h); i++) {
        double sc = num(h, i, "score");
        if (!isnan(sc))
            bands[sc < 40 ? 0 : sc < 60 ? 1 : sc < 80 ? 2 : 3]++;
    }
    printf("\nHealth scores as of 2025-12-31 (0-100, default weights): %zu below 40, %zu 40-60, %zu 60-80, %zu 80+\n",
           bands[0], bands[1], bands[2], bands[3]);

    cx_care_rules *r;
    size_t rule;
    CHECK(cx_care_rules_new(&r));
    CHECK(cx_care_rules_add(&rule, r, CX_CARE_SLA_BREACH, 9, 0, 72 * 3600000LL));
    CHECK(cx_care_rules_set_baseline(r, rule, 24 * 3600000LL));
    CHECK(cx_care_rules_add(NULL, r, CX_CARE_DETRACTOR_AFTER_CASE, 8, 6, 30 * DAY));
    CHECK(cx_care_rules_add(NULL, r, CX_CARE_REPEAT_CONTACTS, 7, 3, 14 * DAY));
    CHECK(cx_care_rules_add(&rule, r, CX_CARE_LOW_P_ALIVE, 6, 0.3, 0));
    CHECK(cx_care_rules_set_min_value(r, rule, top_quarter));
    CHECK(cx_care_rules_add(NULL, r, CX_CARE_HIGH_EFFORT, 5, 1.0 / 6 + 1e-9, 30 * DAY)); /* CES 1-2 of 7 */
    CHECK(cx_care_rules_add(&rule, r, CX_CARE_ACTIVITY_DROP, 4, 0.2, 60 * DAY));
    CHECK(cx_care_rules_set_min_value(r, rule, 6));
    CHECK(cx_care_rules_set_baseline(r, rule, 180 * DAY));
    cx_result *l;
    CHECK(cx_care_evaluate(&l, r, s, as_of, bg, sum));
    size_t entries = cx_result_row_count(l), per_kind[CX_CARE_KIND_COUNT] = {0};
    for (size_t i = 0; i < entries; i++)
        per_kind[ival(l, i, "kind")]++;
    printf("\nContact now (as of 2025-12-31): %zu entries;", entries);
    for (int k = 0; k < CX_CARE_KIND_COUNT; k++) {
        const char *name;
        CHECK(cx_care_kind_name(&name, (cx_care_kind)k));
        printf(" %s %zu%s", name, per_kind[k], k + 1 < CX_CARE_KIND_COUNT ? "," : "\n");
    }
    /* the list is sorted by priority: show its top and the first two of
     * each rule further down */
    printf("%-10s %4s %6s  %s\n", "customer", "prio", "health", "reason");
    size_t shown[CX_CARE_KIND_COUNT] = {0};
    for (size_t i = 0; i < entries; i++) {
        int64_t kind = ival(l, i, "kind");
        if (i >= 4 && shown[kind] >= 2)
            continue;
        shown[kind]++;
        const char *id = text(l, i, "customer");
        printf("%-10s %4lld %6.1f  %s\n", id, (long long)ival(l, i, "priority"),
               num(h, health_row(s, id), "score"), text(l, i, "reason"));
    }
    /* what drags the first customer's score down: signal k's value and
     * points are health columns 2 + 3k and 3 + 3k */
    if (entries) {
        const char *id = text(l, 0, "customer");
        size_t row = health_row(s, id);
        printf("health of %s by signal (value 0-1 -> points):", id);
        for (int k = 0; k < CX_HEALTH_SIGNAL_COUNT; k++) {
            const char *name;
            double v, c;
            CHECK(cx_health_signal_name(&name, (cx_health_signal)k));
            CHECK(cx_result_get_real(&v, h, row, 2 + 3 * (size_t)k));
            CHECK(cx_result_get_real(&c, h, row, 3 + 3 * (size_t)k));
            if (isnan(v))
                printf(" %s -", name);
            else
                printf(" %s %.2f->%.1f", name, v, c);
        }
        printf("\n");
    }
    cx_result_free(l);
    cx_care_rules_free(r);
    cx_result_free(h);
    cx_summary_free(sum);
}

/* The lifecycle of the base per quarter (new, returning, resurrecting,
 * dormant) and how many days a month buyers come back on (stickiness). */
static void lifecycle_and_stickiness(const cx_store *s)
{
    cx_cohorts_options *o;
    cx_result *lc, *st;
    CHECK(cx_cohorts_options_new(&o));
    CHECK(cx_cohorts_options_set_bucket(o, CX_BUCKET_QUARTER));
    CHECK(cx_cohorts_options_set_offset(o, 180));
    CHECK(cx_lifecycle_run(&lc, s, o));
    printf("\nThe buyers of each quarter: new, returning (bought the quarter before too), resurrecting,\n"
           "and dormant (bought the quarter before, not this one); quick ratio = (new + resurrecting) / dormant\n");
    printf("%-8s %7s %7s %10s %13s %8s %6s\n", "quarter", "active", "new", "returning", "resurrecting", "dormant",
           "quick");
    for (size_t r = 0; r < cx_result_row_count(lc); r++)
        printf("%-8s %7lld %7lld %10lld %13lld %8lld %6.2f\n", text(lc, r, "period_label"),
               (long long)ival(lc, r, "active"), (long long)ival(lc, r, "new"), (long long)ival(lc, r, "returning"),
               (long long)ival(lc, r, "resurrecting"), (long long)ival(lc, r, "dormant"), num(lc, r, "quick_ratio"));
    cx_result_free(lc);
    CHECK(cx_cohorts_options_set_bucket(o, CX_BUCKET_MONTH));
    CHECK(cx_stickiness_run(&st, s, o));
    cx_cohorts_options_free(o);
    /* the share of a month's buyers who bought on 1, 2, 3 or more days of it, over all months */
    double by_days[4] = {0};
    double active = 0;
    for (size_t r = 0; r < cx_result_row_count(st); r++) {
        int64_t d = ival(st, r, "days");
        by_days[d < 4 ? d - 1 : 3] += (double)ival(st, r, "customers");
        active += (double)ival(st, r, "customers");
    }
    printf("\nStickiness: of a month's buyers, %.1f %% bought on 1 day of it, %.1f %% on 2, %.1f %% on 3, "
           "%.1f %% on more\n", 100 * by_days[0] / active, 100 * by_days[1] / active, 100 * by_days[2] / active,
           100 * by_days[3] / active);
    cx_result_free(st);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "examples/data";
    cx_store *s;
    CHECK(cx_store_new(&s));
    load(s, dir);
    cx_time as_of = at("2026-01-01T00:00:00+03:00"), cal_end = at("2025-07-01T00:00:00+03:00");
    retention(s);
    lifecycle_and_stickiness(s);
    survival(s, as_of);
    rfm(s, as_of);
    cx_model *bg = value_and_care(s, cal_end, as_of);
    health_and_care(s, as_of, bg);
    cx_model_free(bg);
    cx_store_free(s);
    return 0;
}
