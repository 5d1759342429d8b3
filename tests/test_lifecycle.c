/* Tests of the lifecycle module (cohorts, retention, Kaplan-Meier, log-rank,
 * RFM, health, care, summaries; the store analyses read back through their
 * cx_result tables) on hand-computed cases, and of the value models: the
 * published estimates on public data sets, recovery of known parameters
 * from data simulated under each model, predictions and bad input.
 *
 * Fixtures: the aml table (R package survival, via Rdatasets) and the
 * contract-renewal counts of Fader & Hardie (2007) (as shipped in
 * pymc-labs/pymc-marketing data/sbg_paper.csv, Apache-2.0) and the
 * donation summary of Fader, Hardie & Shang (2010) (lifetimes'
 * datasets/donations.csv) are small published tables of facts and are
 * written out below. The CDNOW summaries carry no stated licence, so they
 * are not copied: those tests read them from $CX_PUBLIC_DATA (default
 * /work/shared/data) and are skipped, with a note, when absent. */
#include "cx_test.h"

/* ---- a small store ---------------------------------------------------- */

/* A: Jan 5, Feb 10, Apr 1; B: Jan 20, Mar 3; C: Feb 15, Mar 20, Mar 25;
 * D: acquired Feb 1, an inbound visit Mar 12, a purchase Apr 10.
 * A also gets an outbound newsletter in March (not activity). */
static cx_store *small_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", "vip", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", "vip", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C", "std", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "D", "std", NULL, NULL, T("2024-02-01T00:00:00Z")));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "news", "email", "retention", NULL, 0, 1));
    OK(cx_transaction_add(NULL, s, NULL, "A", T("2024-01-05T10:00:00Z"), 10));
    OK(cx_transaction_add(NULL, s, NULL, "A", T("2024-02-10T10:00:00Z"), 20));
    OK(cx_transaction_add(NULL, s, NULL, "A", T("2024-04-01T10:00:00Z"), 30));
    OK(cx_transaction_add(NULL, s, NULL, "B", T("2024-01-20T10:00:00Z"), 100));
    OK(cx_transaction_add(NULL, s, NULL, "B", T("2024-03-03T10:00:00Z"), 100));
    OK(cx_transaction_add(NULL, s, NULL, "C", T("2024-03-25T10:00:00Z"), 5));
    OK(cx_transaction_add(NULL, s, NULL, "C", T("2024-02-15T10:00:00Z"), 5));
    OK(cx_transaction_add(NULL, s, NULL, "C", T("2024-03-20T10:00:00Z"), 5));
    OK(cx_transaction_add(NULL, s, NULL, "D", T("2024-04-10T10:00:00Z"), 50));
    OK(cx_interaction_add(NULL, s, NULL, "D", "web", T("2024-03-12T10:00:00Z"), "visit", CX_INBOUND, NULL, NULL, 0,
                          CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "A", "news", T("2024-03-15T10:00:00Z"), NULL, CX_OUTBOUND, NULL, NULL, 0,
                          CX_HANDLED, 0));
    return s;
}

/* The row of (cohort k, period p) in a table of P calendar periods. */
static size_t cohort_row(size_t P, size_t k, size_t p) { return k * P - k * (k - 1) / 2 * (k > 0) + p; }

static void cell(const cx_result *r, size_t P, size_t k, size_t p, int64_t size, int64_t active, double ret)
{
    size_t row = cohort_row(P, k, p);
    ck_assert_int_eq(result_int(r, row, "period"), (int64_t)p);
    int64_t n = result_int(r, row, "size"), a = result_int(r, row, "active");
    double x = result_real(r, row, "retention");
    ck_assert_msg(n == size && a == active, "cohort %zu period %zu: size %lld active %lld, expected %lld %lld", k, p,
                  (long long)n, (long long)a, (long long)size, (long long)active);
    if (isnan(ret))
        ck_assert_msg(isnan(x), "cohort %zu period %zu: retention %g, expected NaN", k, p, x);
    else
        NEAR(x, ret, 1e-12);
}

static cx_result *cohorts(const cx_store *s, int activity, cx_cohort_start start, cx_bucket bucket, int offset)
{
    cx_cohorts_options *o;
    cx_result *r;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_activity(o, activity));
    OK(cx_cohorts_options_set_start(o, start));
    OK(cx_cohorts_options_set_bucket(o, bucket));
    OK(cx_cohorts_options_set_offset(o, offset));
    OK(cx_cohorts_run(&r, s, o));
    cx_cohorts_options_free(o);
    return r;
}

START_TEST(retention_table)
{
    cx_store *s = small_store();
    cx_result *c = cohorts(s, CX_ACTIVITY_TRANSACTIONS, CX_COHORT_FIRST_ACTIVITY, CX_BUCKET_MONTH, 0);
    /* four calendar periods: a triangle of 4 + 3 + 2 + 1 rows */
    ck_assert_uint_eq(cx_result_row_count(c), 10);
    ck_assert_uint_eq(cx_result_column_count(c), 12);
    ck_assert_str_eq(result_str(c, 0, "cohort_label"), "2024-01");
    ck_assert_int_eq(result_int(c, 0, "cohort"), T("2024-01-01T00:00:00Z"));
    ck_assert_str_eq(result_str(c, 3, "period_label"), "2024-04");
    ck_assert_int_eq(result_int(c, 3, "period_start"), T("2024-04-01T00:00:00Z"));
    ck_assert_str_eq(result_str(c, cohort_row(4, 3, 0), "cohort_label"), "2024-04");
    /* January: A, B; February: C; March: nobody; April: D */
    cell(c, 4, 0, 0, 2, 2, 1);
    cell(c, 4, 0, 1, 2, 1, 0.5);
    cell(c, 4, 0, 2, 2, 1, 0.5);
    cell(c, 4, 0, 3, 2, 1, 0.5);
    cell(c, 4, 1, 0, 1, 1, 1);
    cell(c, 4, 1, 1, 1, 1, 1);
    cell(c, 4, 1, 2, 1, 0, 0);
    cell(c, 4, 2, 0, 0, 0, NAN); /* empty cohort */
    cell(c, 4, 3, 0, 1, 1, 1);
    /* within a cohort: January's A kept in February, B lost (churn 1/2);
     * in March B is back and A lost; C (February) kept in March, lost in April */
    size_t row = cohort_row(4, 0, 1);
    ck_assert_int_eq(result_int(c, row, "kept"), 1);
    ck_assert_int_eq(result_int(c, row, "lost"), 1);
    NEAR(result_real(c, row, "churn"), 0.5, 1e-12);
    row = cohort_row(4, 0, 2);
    ck_assert_int_eq(result_int(c, row, "kept"), 0);
    NEAR(result_real(c, row, "churn"), 1, 1e-12);
    row = cohort_row(4, 1, 1);
    NEAR(result_real(c, row, "churn"), 0, 0);
    ck_assert(isnan(result_real(c, 0, "churn")));
    ck_assert_int_eq(result_int(c, 0, "gained"), 2);
    ck_assert_int_eq(result_int(c, 1, "gained"), 0);
    /* the calendar flows are the sums over a period's rows: active, gained, kept, lost */
    static const int64_t want[4][4] = {{2, 2, 0, 0}, {2, 1, 1, 1}, {2, 0, 1, 1}, {2, 1, 0, 2}};
    for (size_t p = 0; p < 4; p++) {
        int64_t got[4] = {0, 0, 0, 0};
        for (size_t k = 0; k <= p; k++) {
            size_t rk = cohort_row(4, k, p - k);
            got[0] += result_int(c, rk, "active");
            got[1] += result_int(c, rk, "gained");
            got[2] += result_int(c, rk, "kept");
            got[3] += result_int(c, rk, "lost");
        }
        ck_assert_msg(got[0] == want[p][0] && got[1] == want[p][1] && got[2] == want[p][2] && got[3] == want[p][3],
                      "period %zu: %lld %lld %lld %lld", p, (long long)got[0], (long long)got[1], (long long)got[2],
                      (long long)got[3]);
    }
    cx_result_free(c);

    /* by acquisition: only D has one (February); its March visit counts
     * only when inbound interactions are activity; A's newsletter never */
    c = cohorts(s, CX_ACTIVITY_TRANSACTIONS, CX_COHORT_ACQUIRED, CX_BUCKET_MONTH, 0);
    ck_assert_uint_eq(cx_result_row_count(c), 6);
    cell(c, 3, 0, 0, 1, 0, 0);
    cell(c, 3, 0, 1, 1, 0, 0);
    cell(c, 3, 0, 2, 1, 1, 1);
    cx_result_free(c);
    c = cohorts(s, CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND, CX_COHORT_ACQUIRED, CX_BUCKET_MONTH, 0);
    cell(c, 3, 0, 1, 1, 1, 1);
    cx_result_free(c);
    c = cohorts(s, CX_ACTIVITY_INBOUND | CX_ACTIVITY_TRANSACTIONS, CX_COHORT_FIRST_ACTIVITY, CX_BUCKET_QUARTER, 180);
    ck_assert_uint_eq(cx_result_row_count(c), 3);
    ck_assert_str_eq(result_str(c, cohort_row(2, 1, 0), "cohort_label"), "2024-Q2");
    cell(c, 2, 0, 0, 4, 4, 1);   /* D's March visit puts D in Q1 */
    cell(c, 2, 0, 1, 4, 2, 0.5); /* A and D in April */
    cx_result_free(c);
    /* the defaults: purchases, first activity, months in UTC */
    OK(cx_cohorts_run(&c, s, NULL));
    ck_assert_uint_eq(cx_result_row_count(c), 10);
    cx_result_free(c);

    /* more than 100000 calendar periods (days over three centuries) is a limit, found before any table is made */
    cx_store *wide;
    OK(cx_store_new(&wide));
    OK(cx_customer_add(wide, "W", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_transaction_add(NULL, wide, NULL, "W", T("1700-01-01T00:00:00Z"), 1));
    OK(cx_transaction_add(NULL, wide, NULL, "W", T("2024-01-01T00:00:00Z"), 1));
    c = (cx_result *)1;
    cx_cohorts_options *o;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_DAY));
    ck_assert_int_eq(cx_cohorts_run(&c, wide, o), CX_ELIMIT);
    ck_assert_ptr_null(c);
    /* by year the same span is 325 periods */
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_YEAR));
    OK(cx_cohorts_run(&c, wide, o));
    ck_assert_uint_eq(cx_result_row_count(c), 325 * 326 / 2);
    ck_assert_str_eq(result_str(c, 1, "period_label"), "1701");
    ck_assert_int_eq(result_int(c, 324, "active"), 1);
    cx_result_free(c);
    /* over more than 400000 days periods are found by a search instead of a
     * table per day: 1125 years, a customer active in the first, the 101st
     * and the last */
    OK(cx_transaction_add(NULL, wide, NULL, "W", T("0900-06-01T00:00:00Z"), 1));
    OK(cx_transaction_add(NULL, wide, NULL, "W", T("1000-12-31T23:00:00Z"), 1));
    OK(cx_cohorts_options_set_offset(o, 120)); /* 23:00 UTC is already 1001 */
    OK(cx_cohorts_run(&c, wide, o));
    ck_assert_uint_eq(cx_result_row_count(c), 1125 * 1126 / 2);
    ck_assert_str_eq(result_str(c, 0, "cohort_label"), "0900");
    ck_assert_int_eq(result_int(c, 0, "active"), 1);
    ck_assert_int_eq(result_int(c, 100, "active"), 0);
    ck_assert_int_eq(result_int(c, 101, "active"), 1);
    ck_assert_str_eq(result_str(c, 101, "period_label"), "1001");
    ck_assert_int_eq(result_int(c, 800, "active"), 1); /* 1700 */
    ck_assert_int_eq(result_int(c, 1124, "active"), 1);
    ck_assert_str_eq(result_str(c, 1124, "period_label"), "2024");
    ck_assert_int_eq(result_int(c, 1124, "period_start"), T("2023-12-31T22:00:00Z"));
    cx_result_free(c);
    cx_cohorts_options_free(o);
    cx_store_free(wide);

    /* bad arguments change nothing */
    OK(cx_cohorts_options_new(&o));
    ck_assert_int_eq(cx_cohorts_options_set_activity(o, 0), CX_EINVAL);
    ck_assert_int_eq(cx_cohorts_options_set_activity(o, 4), CX_EINVAL);
    ck_assert_int_eq(cx_cohorts_options_set_start(o, (cx_cohort_start)2), CX_EINVAL);
    ck_assert_int_eq(cx_cohorts_options_set_bucket(o, (cx_bucket)9), CX_EINVAL);
    ck_assert_int_eq(cx_cohorts_options_set_offset(o, 900), CX_ERANGE);
    ck_assert_int_eq(cx_cohorts_options_set_offset(NULL, 0), CX_EINVAL);
    c = (cx_result *)1;
    ck_assert_int_eq(cx_cohorts_run(&c, NULL, o), CX_EINVAL);
    ck_assert_ptr_null(c);
    MSG_HAS("cx_cohorts_run");
    ck_assert_int_eq(cx_cohorts_run(NULL, s, o), CX_EINVAL);
    cx_cohorts_options_free(o);
    cx_cohorts_options_free(NULL);
    cx_store_free(s);
}
END_TEST

/* ---- Kaplan-Meier on aml ------------------------------------------------ */

/* aml (Miller 1981; R survival): weeks to relapse, 1 relapse / 0 censored,
 * group 1 maintained chemotherapy, 2 not maintained. */
static const double aml_time[23] = {9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5,
                                    5, 8,  8,  12, 16, 23, 27, 30, 33, 43, 45};
static const int aml_event[23] = {1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1};
static const int aml_group[23] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};

static cx_survival_options *band_options(double level, cx_band band)
{
    cx_survival_options *o;
    OK(cx_survival_options_new(&o));
    OK(cx_survival_options_set_level(o, level));
    OK(cx_survival_options_set_band(o, band));
    return o;
}

START_TEST(kaplan_meier_aml)
{
    cx_survival *s;
    /* R: summary(survfit(Surv(time, status) ~ x, aml)), conf.type "log" */
    cx_survival_options *o = band_options(0.95, CX_BAND_LOG);
    OK(cx_survival_new(&s, aml_time, aml_event, aml_group, 23, o));
    cx_survival_options_free(o);
    ck_assert_uint_eq(cx_survival_group_count(s), 2);
    cx_result *g, *c;
    OK(cx_survival_summary(&g, s));
    ck_assert_uint_eq(cx_result_row_count(g), 2);
    ck_assert_str_eq(result_str(g, 0, "group"), "1");
    ck_assert_int_eq(result_int(g, 0, "subjects"), 11);
    ck_assert_int_eq(result_int(g, 0, "events"), 7);
    /* medians: 31 and 23 weeks (R); CI read off the band */
    NEAR(result_real(g, 0, "median"), 31, 0);
    NEAR(result_real(g, 0, "median_lo"), 18, 0);
    ck_assert(isnan(result_real(g, 0, "median_hi")));
    NEAR(result_real(g, 1, "median"), 23, 0);
    cx_result_free(g);
    OK(cx_survival_curve(&c, s));
    size_t steps0 = 0;
    for (size_t i = 0; i < cx_result_row_count(c); i++)
        steps0 += strcmp(result_str(c, i, "group"), "1") == 0;
    ck_assert_uint_eq(steps0, 10);
    /* 13: one event, one censored */
    NEAR(result_real(c, 1, "time"), 13, 0);
    ck_assert_int_eq(result_int(c, 1, "at_risk"), 10);
    ck_assert_int_eq(result_int(c, 1, "events"), 1);
    ck_assert_int_eq(result_int(c, 1, "censored"), 1);
    NEAR(result_real(c, 1, "survival"), 10.0 / 11 * 9 / 10, 1e-12);
    NEAR(result_real(c, 1, "lo"), 0.6192489874, 1e-9);
    ck_assert_str_eq(result_str(c, steps0, "group"), "2");
    cx_result_free(c);
    /* maintained: time, n.risk, S, lower, upper as printed by R */
    static const double m[7][5] = {{9, 11, 0.909, 0.7541, 1.000},  {13, 10, 0.818, 0.6192, 1.000},
                                   {18, 8, 0.716, 0.4884, 1.000},  {23, 7, 0.614, 0.3769, 0.999},
                                   {31, 5, 0.491, 0.2549, 0.946},  {34, 4, 0.368, 0.1549, 0.875},
                                   {48, 2, 0.184, 0.0359, 0.944}};
    double sv, lo, hi;
    for (int i = 0; i < 7; i++) {
        OK(cx_survival_at(&sv, &lo, &hi, s, 0, m[i][0]));
        NEAR(sv, m[i][2], 5e-4);
        NEAR(lo, m[i][3], 5e-5);
        NEAR(hi, m[i][4], 5e-4);
    }
    /* not maintained: 0.833 at 5 ... 0 at 45 */
    OK(cx_survival_at(&sv, &lo, &hi, s, 1, 44.9));
    NEAR(sv, 0.0972222222, 1e-9);
    NEAR(lo, 0.0152565272, 1e-9);
    NEAR(hi, 0.6195486291, 1e-9);
    OK(cx_survival_at(&sv, &lo, &hi, s, 1, 45));
    NEAR(sv, 0, 0);
    OK(cx_survival_at(&sv, NULL, NULL, s, 1, 4.99));
    NEAR(sv, 1, 0);
    double med, mlo, mhi;
    OK(cx_survival_median(&med, &mlo, &mhi, s, 1));
    NEAR(med, 23, 0);
    NEAR(mlo, 8, 0);
    ck_assert(isnan(mhi)); /* the band is undefined once S = 0, as in R */
    ck_assert_int_eq(cx_survival_median(&med, NULL, NULL, s, 2), CX_ERANGE);
    /* R: survdiff: Chisq = 3.4 on 1 degrees of freedom, p = 0.0653 */
    double chi2, p;
    uint64_t df;
    OK(cx_survival_logrank(&chi2, &p, &df, s));
    NEAR(chi2, 3.396389, 1e-5);
    NEAR(p, 0.06533, 1e-5);
    ck_assert_uint_eq(df, 1);
    cx_survival_free(s);

    /* the log-log band (lifelines' default, and the default options) */
    OK(cx_survival_new(&s, aml_time, aml_event, aml_group, 23, NULL));
    OK(cx_survival_at(&sv, &lo, &hi, s, 0, 31));
    NEAR(lo, 0.1673309098, 1e-9);
    NEAR(hi, 0.7533997904, 1e-9);
    ck_assert_int_eq(cx_survival_logrank(&chi2, NULL, NULL, s), CX_OK);
    cx_survival_free(s);
    /* one group: the pooled curve; log-rank needs two */
    o = band_options(0.9, CX_BAND_PLAIN);
    OK(cx_survival_new(&s, aml_time, aml_event, NULL, 23, o));
    ck_assert_uint_eq(cx_survival_group_count(s), 1);
    OK(cx_survival_median(&med, NULL, NULL, s, 0));
    NEAR(med, 27, 0);
    ck_assert_int_eq(cx_survival_logrank(&chi2, &p, &df, s), CX_ERANGE);
    cx_survival_free(s);

    /* three groups: chi-square on 2 df; a hand case: two identical groups give 0 */
    double tt[6] = {1, 2, 3, 1, 2, 3};
    int ee[6] = {1, 1, 1, 1, 1, 1}, gg[6] = {0, 0, 0, 5, 5, 5};
    OK(cx_survival_new(&s, tt, ee, gg, 6, NULL));
    OK(cx_survival_logrank(&chi2, &p, &df, s));
    NEAR(chi2, 0, 1e-12);
    NEAR(p, 1, 1e-12);
    cx_survival_free(s);

    /* bad input */
    s = (cx_survival *)1;
    double badt[2] = {1, -1};
    int bade[2] = {1, 2};
    ck_assert_int_eq(cx_survival_new(&s, badt, aml_event, NULL, 2, o), CX_ERANGE);
    ck_assert_ptr_null(s);
    MSG_HAS("row 1");
    ck_assert_int_eq(cx_survival_new(&s, aml_time, bade, NULL, 2, o), CX_ERANGE);
    ck_assert_int_eq(cx_survival_new(&s, aml_time, aml_event, NULL, 0, o), CX_ERANGE);
    ck_assert_int_eq(cx_survival_new(&s, NULL, aml_event, NULL, 23, o), CX_EINVAL);
    ck_assert_int_eq(cx_survival_options_set_level(o, 1), CX_ERANGE);
    ck_assert_int_eq(cx_survival_options_set_band(o, (cx_band)7), CX_EINVAL);
    ck_assert_int_eq(cx_survival_curve(&c, NULL), CX_EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(cx_survival_summary(NULL, NULL), CX_EINVAL);
    ck_assert_uint_eq(cx_survival_group_count(NULL), 0);
    cx_survival_options_free(o);
}
END_TEST

static cx_survival_options *store_options(int64_t inactivity, const char *churn, int group_by, cx_band band)
{
    cx_survival_options *o;
    OK(cx_survival_options_new(&o));
    OK(cx_survival_options_set_activity(o, CX_ACTIVITY_TRANSACTIONS));
    OK(cx_survival_options_set_inactivity(o, inactivity));
    OK(cx_survival_options_set_churn_attribute(o, churn));
    if (group_by >= 0)
        OK(cx_survival_options_set_group_by(o, (cx_dim)group_by));
    OK(cx_survival_options_set_unit(o, DAY_MS));
    OK(cx_survival_options_set_band(o, band));
    return o;
}

START_TEST(survival_from_store)
{
    cx_store *s = small_store();
    cx_survival *sv;
    cx_result *c, *g;
    cx_time A = T("2024-05-01T10:00:00Z");
    /* as of May 1, 30 days of silence is churn: B churned at Mar 3 (43
     * days), C at Mar 25 (39 days); A (last Apr 1, exactly 30 days) and D
     * are censored at 117 and 90 days */
    cx_survival_options *o = store_options(30 * DAY_MS, NULL, -1, CX_BAND_LOG_LOG);
    OK(cx_survival_from_store(&sv, s, A, o));
    cx_survival_options_free(o);
    OK(cx_survival_curve(&c, sv));
    ck_assert_uint_eq(cx_result_row_count(c), 4);
    ck_assert_ptr_null(result_str(c, 0, "group")); /* one curve: no group value */
    NEAR(result_real(c, 0, "time"), 39, 0);
    NEAR(result_real(c, 0, "survival"), 0.75, 1e-12);
    ck_assert_int_eq(result_int(c, 0, "at_risk"), 4);
    NEAR(result_real(c, 1, "time"), 43, 0);
    NEAR(result_real(c, 1, "survival"), 0.5, 1e-12);
    NEAR(result_real(c, 2, "time"), 90 + 10.0 / 24, 1e-9); /* D acquired at midnight, as of 10:00 */
    ck_assert_int_eq(result_int(c, 2, "censored"), 1);
    cx_result_free(c);
    double med;
    OK(cx_survival_median(&med, NULL, NULL, sv, 0));
    NEAR(med, 43, 0);
    cx_survival_free(sv);

    /* an explicit churn time overrides the inference; grouped by segment */
    OK(cx_customer_set_attribute(s, "A", "churned_at", "2024-03-01T10:00:00Z"));
    o = store_options(30 * DAY_MS, "churned_at", CX_DIM_SEGMENT, CX_BAND_LOG_LOG);
    OK(cx_survival_from_store(&sv, s, A, o));
    cx_survival_options_free(o);
    ck_assert_uint_eq(cx_survival_group_count(sv), 2);
    OK(cx_survival_summary(&g, sv));
    ck_assert_str_eq(result_str(g, 0, "group"), "vip");
    ck_assert_int_eq(result_int(g, 0, "subjects"), 2);
    ck_assert_int_eq(result_int(g, 0, "events"), 2);
    cx_result_free(g);
    OK(cx_survival_curve(&c, sv));
    ck_assert_str_eq(result_str(c, 1, "group"), "vip");
    NEAR(result_real(c, 1, "time"), 56, 0);
    NEAR(result_real(c, 1, "survival"), 0, 0);
    cx_result_free(c);
    double chi2;
    OK(cx_survival_logrank(&chi2, NULL, NULL, sv));
    ck_assert(chi2 > 0);
    cx_survival_free(sv);
    /* by first channel (of any interaction): A's newsletter (email), D's
     * visit (web); B and C have none */
    o = store_options(30 * DAY_MS, NULL, CX_DIM_CHANNEL, CX_BAND_LOG);
    OK(cx_survival_from_store(&sv, s, A, o));
    cx_survival_options_free(o);
    OK(cx_survival_summary(&g, sv));
    ck_assert_uint_eq(cx_result_row_count(g), 3);
    ck_assert_ptr_null(result_str(g, 0, "group"));
    ck_assert_int_eq(result_int(g, 0, "subjects"), 2);
    ck_assert_str_eq(result_str(g, 1, "group"), "email");
    ck_assert_str_eq(result_str(g, 2, "group"), "web");
    cx_result_free(g);
    cx_survival_free(sv);

    /* bad input: a churn time that is not a time, or before the start */
    sv = (cx_survival *)1;
    o = store_options(30 * DAY_MS, "churned_at", -1, CX_BAND_LOG_LOG);
    OK(cx_customer_set_attribute(s, "B", "churned_at", "soon"));
    ck_assert_int_eq(cx_survival_from_store(&sv, s, A, o), CX_EPARSE);
    ck_assert_ptr_null(sv);
    MSG_HAS("'B'");
    OK(cx_customer_set_attribute(s, "B", "churned_at", "2023-01-01T00:00:00Z"));
    ck_assert_int_eq(cx_survival_from_store(&sv, s, A, o), CX_EORDER);
    ck_assert_int_eq(cx_survival_options_set_inactivity(o, 0), CX_ERANGE);
    ck_assert_int_eq(cx_survival_options_set_unit(o, 0), CX_ERANGE);
    ck_assert_int_eq(cx_survival_options_set_activity(o, 0), CX_EINVAL);
    ck_assert_int_eq(cx_survival_options_set_churn_attribute(o, ""), CX_EINVAL);
    ck_assert_int_eq(cx_survival_options_set_group_by(o, CX_DIM_AGENT), CX_EINVAL);
    ck_assert_int_eq(cx_survival_from_store(&sv, s, CX_TIME_NONE, o), CX_EINVAL);
    OK(cx_survival_options_set_churn_attribute(o, NULL));
    ck_assert_int_eq(cx_survival_from_store(&sv, s, 0, o), CX_ERANGE); /* 1970: nobody yet */
    ck_assert_int_eq(cx_survival_from_store(&sv, NULL, A, o), CX_EINVAL);
    cx_survival_options_free(o);
    cx_store_free(s);
}
END_TEST

/* ---- RFM and summaries --------------------------------------------------- */

START_TEST(rfm_scores_and_segments)
{
    cx_store *s = small_store();
    cx_result *r;
    OK(cx_rfm_run(&r, s, T("2024-05-01T10:00:00Z"), DAY_MS, 4));
    ck_assert_uint_eq(cx_result_row_count(r), 4);
    static const char *ids[4] = {"A", "B", "C", "D"};
    static const double val[4][3] = {{30, 3, 60}, {59, 2, 200}, {37, 3, 15}, {21, 1, 50}};
    static const int sc[4][4] = {{3, 3, 3, CX_RFM_LOYAL},
                                 {1, 2, 4, CX_RFM_AT_RISK},
                                 {2, 3, 1, CX_RFM_HIBERNATING},
                                 {4, 1, 2, CX_RFM_POTENTIAL_LOYALIST}};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(result_str(r, i, "customer"), ids[i]);
        NEAR(result_real(r, i, "recency"), val[i][0], 1e-12);
        ck_assert_int_eq(result_int(r, i, "frequency"), (int64_t)val[i][1]);
        NEAR(result_real(r, i, "monetary"), val[i][2], 1e-12);
        int64_t rs = result_int(r, i, "r"), fs = result_int(r, i, "f"), ms = result_int(r, i, "m"),
                seg = result_int(r, i, "segment");
        ck_assert_msg(rs == sc[i][0] && fs == sc[i][1] && ms == sc[i][2] && seg == sc[i][3], "%s: %lld %lld %lld %lld",
                      ids[i], (long long)rs, (long long)fs, (long long)ms, (long long)seg);
        const char *name;
        OK(cx_rfm_segment_name(&name, (cx_rfm_segment)seg));
        ck_assert_str_eq(result_str(r, i, "segment_name"), name);
    }
    const char *name;
    OK(cx_rfm_segment_name(&name, CX_RFM_AT_RISK));
    ck_assert_str_eq(name, "at_risk");
    ck_assert_int_eq(cx_rfm_segment_name(&name, (cx_rfm_segment)CX_RFM_SEGMENT_COUNT), CX_EINVAL);
    cx_result_free(r);
    /* as of March 1: only A (2 purchases), B, C (1 each) */
    OK(cx_rfm_run(&r, s, T("2024-03-01T00:00:00Z"), DAY_MS, 5));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    cx_result_free(r);
    r = (cx_result *)1;
    ck_assert_int_eq(cx_rfm_run(&r, s, T("2024-03-01T00:00:00Z"), DAY_MS, 1), CX_ERANGE);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(cx_rfm_run(&r, s, CX_TIME_NONE, DAY_MS, 5), CX_EINVAL);
    ck_assert_int_eq(cx_rfm_run(&r, s, 0, 0, 5), CX_ERANGE);
    ck_assert_int_eq(cx_rfm_run(&r, NULL, 0, DAY_MS, 5), CX_EINVAL);
    cx_store_free(s);
}
END_TEST

/* Summary options in days, with a holdout end and a tolerance. */
static cx_summary_options *summary_days(cx_time holdout_end, int64_t tolerance_ms)
{
    cx_summary_options *o;
    OK(cx_summary_options_new(&o));
    OK(cx_summary_options_set_unit(o, DAY_MS));
    OK(cx_summary_options_set_holdout_end(o, holdout_end));
    OK(cx_summary_options_set_tolerance(o, tolerance_ms));
    return o;
}

/* A summary of a store in days, without a holdout. */
static cx_summary *summary_of(const cx_store *s, cx_time calibration_end)
{
    cx_summary_options *o = summary_days(CX_TIME_NONE, 0);
    cx_summary *m;
    OK(cx_summary_new(&m, s, calibration_end, o));
    cx_summary_options_free(o);
    return m;
}

/* The default tolerance (one day) takes clock skew between a shop and a
 * CRM: a purchase 20 h before the acquisition is kept and counted; one 2
 * days before is still refused, naming the customer and the transaction;
 * tolerance 0 refuses the 20 h one too. */
START_TEST(summary_default_tolerance)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, T("2024-03-02T00:00:00Z")));
    OK(cx_customer_add(s, "B", NULL, NULL, NULL, T("2024-03-05T12:00:00Z")));
    OK(cx_transaction_add(NULL, s, "X-1", "A", T("2024-03-01T04:00:00Z"), 10)); /* 20 h early */
    OK(cx_transaction_add(NULL, s, "X-2", "A", T("2024-03-10T00:00:00Z"), 10));
    OK(cx_transaction_add(NULL, s, "X-3", "B", T("2024-03-05T12:00:00Z"), 10)); /* at acquisition */
    OK(cx_transaction_add(NULL, s, "X-4", "B", T("2024-03-04T12:00:00Z"), 10)); /* exactly 1 day early */
    cx_summary *m;
    OK(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), NULL));
    ck_assert_uint_eq(cx_summary_count(m), 2);
    ck_assert_uint_eq(cx_summary_tolerated_count(m), 2);
    /* the purchase times are kept as they are: A's first purchase is X-1 */
    const double *age;
    OK(cx_summary_values(&age, m, CX_SUMMARY_AGE));
    NEAR(age[0], (T("2024-04-01T00:00:00Z") - T("2024-03-01T04:00:00Z")) / (7.0 * DAY_MS), 1e-12);
    cx_summary_free(m);
    ck_assert_uint_eq(cx_summary_tolerated_count(NULL), 0);
    cx_summary_options *o;
    OK(cx_summary_options_new(&o));
    OK(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), o)); /* new options: the same default */
    ck_assert_uint_eq(cx_summary_tolerated_count(m), 2);
    cx_summary_free(m);
    OK(cx_summary_options_set_tolerance(o, 0));
    m = (cx_summary *)1;
    FAILS(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), o), CX_EORDER, "cx_summary_new");
    ck_assert_ptr_null(m);
    MSG_HAS("'A'");
    MSG_HAS("'X-1'");
    MSG_HAS("20.0 h before the acquisition");
    /* far before: refused under the default, named */
    OK(cx_customer_add(s, "C", NULL, NULL, NULL, T("2024-03-05T00:00:00Z")));
    OK(cx_transaction_add(NULL, s, "X-5", "C", T("2024-03-03T00:00:00Z"), 10));
    FAILS(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), NULL), CX_EORDER, "cx_summary_new");
    MSG_HAS("customer 'C'");
    MSG_HAS("'X-5'");
    MSG_HAS("48.0 h before");
    MSG_HAS("tolerance of 24.0 h");
    cx_summary_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(summary_from_store)
{
    cx_store *s = small_store();
    cx_summary *m;
    cx_summary_options *o = summary_days(T("2024-05-01T00:00:00Z"), 0);
    OK(cx_summary_new(&m, s, T("2024-04-01T10:00:00Z"), o));
    ck_assert_uint_eq(cx_summary_count(m), 3); /* D bought first in the holdout */
    static const double want[3][7] = {
        {1, 36, 87, 20, 30, 1, 30}, {1, 43, 72, 100, 200, 0, 0}, {2, 39, 46, 5, 15, 0, 0}};
    cx_result *r;
    OK(cx_summary_table(&r, m));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    ck_assert_uint_eq(cx_result_column_count(r), 1 + CX_SUMMARY_COLUMN_COUNT);
    static const char *const names[] = {"customer", "frequency", "recency", "age", "monetary", "total", "holdout",
                                        "holdout_value"};
    for (size_t j = 0; j <= CX_SUMMARY_COLUMN_COUNT; j++) {
        const char *name;
        int type;
        OK(cx_result_column_name(&name, r, j));
        OK(cx_result_column_type(&type, r, j));
        ck_assert_str_eq(name, names[j]);
        ck_assert_int_eq(type, j == 0 ? CX_TYPE_STRING : CX_TYPE_REAL);
    }
    for (size_t i = 0; i < 3; i++) {
        const char *id;
        OK(cx_result_get_string(&id, r, i, 0));
        ck_assert_str_eq(id, i == 0 ? "A" : i == 1 ? "B" : "C");
        for (int j = 0; j < CX_SUMMARY_COLUMN_COUNT; j++) {
            double v;
            OK(cx_result_get_real(&v, r, i, 1 + (size_t)j));
            ck_assert_msg(fabs(v - want[i][j]) < 1e-9, "row %zu column %d: %g, expected %g", i, j, v, want[i][j]);
        }
    }
    cx_result_free(r);
    const double *x;
    OK(cx_summary_values(&x, m, CX_SUMMARY_FREQUENCY));
    NEAR(x[2], 2, 0);
    ck_assert_int_eq(cx_summary_values(&x, m, (cx_summary_column)7), CX_EINVAL);
    r = (cx_result *)1;
    ck_assert_int_eq(cx_summary_table(&r, NULL), CX_EINVAL);
    ck_assert_ptr_null(r);
    cx_summary_free(m);
    /* the default unit is the week */
    OK(cx_summary_new(&m, s, T("2024-04-01T10:00:00Z"), NULL));
    OK(cx_summary_values(&x, m, CX_SUMMARY_AGE));
    NEAR(x[0], 87.0 / 7, 1e-12);
    cx_summary_free(m);
    /* a purchase before the customer's acquisition is refused, named */
    OK(cx_customer_add(s, "E", NULL, NULL, NULL, T("2024-03-01T00:00:00Z")));
    OK(cx_transaction_add(NULL, s, NULL, "E", T("2024-02-01T00:00:00Z"), 5));
    m = (cx_summary *)1;
    OK(cx_summary_options_set_holdout_end(o, CX_TIME_NONE));
    ck_assert_int_eq(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), o), CX_EORDER);
    OK(cx_summary_options_set_tolerance(o, 28 * DAY_MS));
    ck_assert_int_eq(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), o), CX_EORDER);
    ck_assert_ptr_null(m);
    MSG_HAS("'E'");
    MSG_HAS("before the acquisition");
    OK(cx_summary_options_set_tolerance(o, 29 * DAY_MS));
    OK(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), o)); /* Feb 1 vs Mar 1 */
    ck_assert_uint_eq(cx_summary_count(m), 4);
    cx_summary_free(m);
    OK(cx_summary_options_set_holdout_end(o, T("2024-03-01T00:00:00Z")));
    ck_assert_int_eq(cx_summary_new(&m, s, T("2024-04-01T00:00:00Z"), o), CX_EORDER);
    ck_assert_int_eq(cx_summary_new(&m, s, CX_TIME_NONE, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_summary_new(&m, NULL, T("2024-04-01T00:00:00Z"), NULL), CX_EINVAL);
    ck_assert_int_eq(cx_summary_options_set_unit(o, 0), CX_ERANGE);
    ck_assert_int_eq(cx_summary_options_set_tolerance(o, -1), CX_ERANGE);
    ck_assert_int_eq(cx_summary_options_set_unit(NULL, DAY_MS), CX_EINVAL);
    ck_assert_int_eq(cx_summary_options_new(NULL), CX_EINVAL);
    cx_summary_options_free(o);
    cx_summary_options_free(NULL);
    /* negative and non-finite amounts never reach the store */
    ck_assert_int_eq(cx_transaction_add(NULL, s, NULL, "A", T("2024-02-01T00:00:00Z"), -5), CX_ERANGE);
    ck_assert_int_eq(cx_transaction_add(NULL, s, NULL, "A", T("2024-02-01T00:00:00Z"), NAN), CX_ERANGE);
    cx_store_free(s);
}
END_TEST

/* ---- published estimates --------------------------------------------------- */

/* The estimates of a model, in the kind's order (the "value" column of its
 * parameter table); the table's row count. */
static size_t params(const cx_model *m, double *p)
{
    cx_result *r;
    size_t col;
    OK(cx_model_params(&r, m));
    OK(cx_result_column_find(&col, r, "value"));
    size_t n = cx_result_row_count(r);
    for (size_t i = 0; i < n; i++)
        OK(cx_result_get_real(&p[i], r, i, col));
    cx_result_free(r);
    return n;
}

/* A REAL figure of the fit ("loglik", "customers"), from the table's first row. */
static double fit_figure(const cx_model *m, const char *name)
{
    cx_result *r;
    size_t col;
    double v;
    OK(cx_model_params(&r, m));
    OK(cx_result_column_find(&col, r, name));
    OK(cx_result_get_real(&v, r, 0, col));
    cx_result_free(r);
    return v;
}

/* Customer data over arrays (a NULL array leaves its column unset). */
static cx_model_data *data_of(const double *x, const double *tx, const double *TT, const double *mean, size_t n)
{
    cx_model_data *d;
    OK(cx_model_data_new(&d, n));
    const double *cols[4] = {x, tx, TT, mean};
    for (int j = 0; j < 4; j++)
        if (cols[j])
            OK(cx_model_data_set(d, (cx_summary_column)j, cols[j]));
    return d;
}

/* CLV over arrays: the "clv" column into out. */
static int clv_of(double *out, const cx_model *bg, const cx_model *gg, const cx_model_data *d, int periods,
                  double period, double discount)
{
    cx_clv_options *o;
    OK(cx_clv_options_new(&o));
    OK(cx_clv_options_set_horizon(o, periods));
    OK(cx_clv_options_set_period(o, period));
    OK(cx_clv_options_set_discount(o, discount));
    cx_result *r;
    int rc = cx_model_clv(&r, bg, gg, d, o);
    cx_clv_options_free(o);
    if (rc)
        return rc;
    size_t col;
    OK(cx_result_column_find(&col, r, "clv"));
    for (size_t i = 0; i < cx_result_row_count(r); i++)
        OK(cx_result_get_real(&out[i], r, i, col));
    cx_result_free(r);
    return CX_OK;
}

static const char *data_dir(void)
{
    const char *d = getenv("CX_PUBLIC_DATA");
    return d && *d ? d : "/work/shared/data";
}

/* cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar */
static size_t read_cdnow(double *x, double *tx, double *TT, double *z, size_t cap)
{
    char path[1024], line[256];
    snprintf(path, sizeof path, "%s/cdnow_customers_summary_with_transactions.csv", data_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    if (fgets(line, sizeof line, f))
        while (n < cap && fgets(line, sizeof line, f)) {
            int id;
            if (sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &x[n], &tx[n], &TT[n], &z[n]) == 5)
                n++;
        }
    fclose(f);
    return n;
}

START_TEST(cdnow_published)
{
    static double x[2400], tx[2400], TT[2400], z[2400];
    size_t n = read_cdnow(x, tx, TT, z, 2400);
    if (n == 0) {
        fprintf(stdout, "# cdnow_published skipped: no CDNOW summary in %s\n", data_dir());
        return;
    }
    ck_assert_uint_eq(n, 2357);
    cx_model *m;
    double p[4], ll;
    /* Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4 */
    OK(cx_model_fit_bgnbd(&m, x, tx, TT, NULL, n));
    params(m, p);
    NEAR(p[0], 0.243, 5e-4);
    NEAR(p[1], 4.414, 5e-4);
    NEAR(p[2], 0.793, 5e-4);
    NEAR(p[3], 2.426, 5e-4);
    ll = fit_figure(m, "loglik");
    NEAR(ll, -9582.4, 0.05);
    /* the paper's worked example: x 2, t_x 30.43, T 38.86: 1.226 purchases in 39 weeks */
    double cx[2] = {2, 0}, ct[2] = {30.43, 0}, cT[2] = {38.86, 38.86}, e[2], pa[2];
    cx_model_data *cd = data_of(cx, ct, cT, z, 2);
    OK(cx_model_expected(e, 2, m, cd, 39));
    NEAR(e[0], 1.226, 5e-4);
    OK(cx_model_p_alive(pa, 2, m, cd));
    NEAR(pa[1], 1, 0); /* no repeat purchase: alive for BG/NBD */
    ck_assert(pa[0] > 0.5 && pa[0] < 1);
    cx_model *g;
    /* Fader, Hardie & Lee (2005, RFM and CLV): p 6.25, q 3.74, gamma 15.44 */
    OK(cx_model_fit_gammagamma(&g, x, z, NULL, n));
    params(g, p);
    NEAR(p[0], 6.25, 5e-3);
    NEAR(p[1], 3.74, 5e-3);
    NEAR(p[2], 15.44, 1e-2);
    double v[2];
    OK(cx_model_expected_spend(v, 2, g, cd));
    NEAR(v[1], p[0] * p[2] / (p[1] - 1), 1e-9);
    /* CLV: the undiscounted one-step value is expected purchases x spend */
    double clv[2], z2[2] = {z[0], 0};
    OK(cx_model_data_set(cd, CX_SUMMARY_MONETARY, z2));
    OK(cx_model_expected_spend(v, 2, g, cd));
    OK(clv_of(clv, m, g, cd, 1, 39, 0));
    NEAR(clv[0], e[0] * v[0], 1e-9);
    OK(clv_of(clv, m, g, cd, 12, 52.0 / 12, 0.01));
    ck_assert(clv[0] > clv[1] && clv[1] > 0);
    cx_model_free(g);
    cx_model *pn;
    /* Pareto/NBD on CDNOW (lifetimes' documentation, as in Fader et al.):
     * r 0.55, alpha 10.58, s 0.61, beta 11.67 */
    OK(cx_model_fit_paretonbd(&pn, x, tx, TT, NULL, n));
    params(pn, p);
    NEAR(p[0], 0.553, 5e-3);
    NEAR(p[1], 10.58, 5e-2);
    NEAR(p[2], 0.606, 5e-3);
    NEAR(p[3], 11.67, 5e-2);
    OK(cx_model_expected(e, 2, pn, cd, 39));
    ck_assert(e[0] > 1 && e[0] < 2);
    cx_model_data_free(cd);
    cx_model_free(pn);
    cx_model_free(m);
}
END_TEST

/* sBG on data with no maximum of the likelihood: the boundary, with its
 * estimate, instead of a "converged" model at an arbitrary large or small
 * alpha and beta. Exactly geometric counts (theta 0.3 over 10 periods) have
 * no spread in churn probability; everybody churning in period 1 is the
 * same edge at theta = 1; one churn at once among 20 customers alive at 5
 * periods splits the customers into churning at once and never. */
START_TEST(sbg_boundaries)
{
    double t[11], w[11];
    int churned[11];
    for (int i = 0; i < 10; i++) {
        t[i] = i + 1;
        churned[i] = 1;
        w[i] = 1000 * 0.3 * pow(0.7, i);
    }
    t[10] = 10;
    churned[10] = 0;
    w[10] = 1000 * pow(0.7, 10);
    cx_model *m = NULL;
    FAILS(cx_model_fit_sbg(&m, t, churned, w, 11), CX_ERANGE, "cx_model_fit_sbg");
    MSG_HAS("no spread in churn probability");
    MSG_HAS("boundary estimate: churn probability 0.3 per period");
    ck_assert_ptr_null(m);
    double t1[20];
    int c1[20];
    for (int i = 0; i < 20; i++) {
        t1[i] = 1;
        c1[i] = 1;
    }
    FAILS(cx_model_fit_sbg(&m, t1, c1, NULL, 20), CX_ERANGE, "cx_model_fit_sbg");
    MSG_HAS("boundary estimate: churn probability 1 per period");
    double t2[21];
    int c2[21];
    for (int i = 0; i < 21; i++) {
        t2[i] = i < 20 ? 5 : 1;
        c2[i] = i == 20;
    }
    FAILS(cx_model_fit_sbg(&m, t2, c2, NULL, 21), CX_ERANGE, "cx_model_fit_sbg");
    MSG_HAS("a share of the customers churns at once and the rest never");
    MSG_HAS("share churning at once 0.047619");
    /* a falling churn rate (50 more churns in period 1) has spread: a
     * model (with no spread the hazard is flat; a rising one is the same
     * edge again) */
    w[0] += 50;
    OK(cx_model_fit_sbg(&m, t, churned, w, 11));
    cx_model_free(m);
}
END_TEST

/* BG/NBD with one repeat purchase among 50 customers and no second one:
 * the likelihood's supremum (-ln 495 - 1) is reached only as every
 * customer leaves at its first repeat purchase (a/(a+b) -> 1); the fit
 * stopped on that ridge (at r = 668, b = 1.8e-6, or r = 9.6e4, b = 1e-3)
 * and called it converged. Many customers with one repeat purchase each
 * are the same; one customer with two is a model. */
START_TEST(bgnbd_dropout_one)
{
    double x[50] = {1}, tx[50] = {5}, T[50];
    for (int i = 0; i < 50; i++)
        T[i] = 10;
    cx_model *m = NULL;
    FAILS(cx_model_fit_bgnbd(&m, x, tx, T, NULL, 50), CX_ERANGE, "cx_model_fit_bgnbd");
    MSG_HAS("no customer made more than one repeat purchase");
    MSG_HAS("the dropout probability a/(a+b) tends to 1");
    ck_assert_ptr_null(m);
    for (int i = 0; i < 50; i += 2) {
        x[i] = 1;
        tx[i] = 1 + i % 9;
    }
    FAILS(cx_model_fit_bgnbd(&m, x, tx, T, NULL, 50), CX_ERANGE, "cx_model_fit_bgnbd");
    MSG_HAS("no customer made more than one repeat purchase");
    for (int i = 0; i < 50; i += 5) {
        x[i] = 2 + i % 3;
        tx[i] = 2 + i % 8;
    }
    OK(cx_model_fit_bgnbd(&m, x, tx, T, NULL, 50));
    cx_model_free(m);
}
END_TEST

START_TEST(sbg_published)
{
    /* Fader & Hardie (2007), 1000 customers per cohort over 7 years:
     * survivors 869 743 653 593 551 517 491 (high end), 631 468 382 326 289
     * 262 241 (regular); published alpha 0.668 beta 3.806, alpha 0.704
     * beta 1.182 */
    static const double lost[2][7] = {{131, 126, 90, 60, 42, 34, 26}, {369, 163, 86, 56, 37, 27, 21}};
    static const double alive[2] = {491, 241};
    static const double want[2][2] = {{0.668, 3.806}, {0.704, 1.182}};
    for (int c = 0; c < 2; c++) {
        double t[8], w[8];
        int churned[8];
        for (int i = 0; i < 7; i++) {
            t[i] = i + 1;
            churned[i] = 1;
            w[i] = lost[c][i];
        }
        t[7] = 7;
        churned[7] = 0;
        w[7] = alive[c];
        cx_model *m;
        OK(cx_model_fit_sbg(&m, t, churned, w, 8));
        double p[2];
        params(m, p);
        NEAR(p[0], want[c][0], 5e-4);
        NEAR(p[1], want[c][1], 5e-4);
        double surv, ret;
        OK(cx_model_sbg_curve(&surv, &ret, m, 1));
        NEAR(surv, p[1] / (p[0] + p[1]), 1e-12);
        NEAR(ret, p[1] / (p[0] + p[1]), 1e-12);
        cx_model_free(m);
    }
}
END_TEST

START_TEST(bgbb_published)
{
    /* Fader, Hardie & Shang (2010): 11104 donors, 6 opportunities;
     * alpha 1.204, beta 0.750, gamma 0.657, delta 2.783 */
    static const double d[22][4] = {
        {0, 0, 6, 3464}, {1, 1, 6, 1091}, {1, 2, 6, 277}, {1, 3, 6, 129}, {1, 4, 6, 78},  {1, 5, 6, 119},
        {1, 6, 6, 129},  {2, 2, 6, 613},  {2, 3, 6, 255}, {2, 4, 6, 155}, {2, 5, 6, 173}, {2, 6, 6, 234},
        {3, 3, 6, 322},  {3, 4, 6, 181},  {3, 5, 6, 225}, {3, 6, 6, 357}, {4, 4, 6, 240}, {4, 5, 6, 284},
        {4, 6, 6, 512},  {5, 5, 6, 335},  {5, 6, 6, 728}, {6, 6, 6, 1203}};
    double x[22], tx[22], nn[22], w[22];
    for (int i = 0; i < 22; i++) {
        x[i] = d[i][0];
        tx[i] = d[i][1];
        nn[i] = d[i][2];
        w[i] = d[i][3];
    }
    cx_model *m;
    OK(cx_model_fit_bgbb(&m, x, tx, nn, w, 22));
    double p[4], ll, W;
    params(m, p);
    NEAR(p[0], 1.204, 5e-4);
    NEAR(p[1], 0.750, 5e-4);
    NEAR(p[2], 0.657, 5e-4);
    NEAR(p[3], 2.783, 5e-4);
    ll = fit_figure(m, "loglik");
    W = fit_figure(m, "customers");
    NEAR(W, 11104, 0);
    NEAR(ll, -33225.6, 0.05);
    double e[22], pa[22];
    cx_model_data *md = data_of(x, tx, nn, NULL, 22);
    OK(cx_model_expected(e, 22, m, md, 5));
    OK(cx_model_p_alive(pa, 22, m, md));
    /* the best donors (6 of 6) are surely alive and give the most */
    ck_assert(pa[21] > 0.9 && pa[21] > pa[0] && e[21] > e[20] && e[20] > e[0]);
    ck_assert_int_eq(cx_model_expected(e, 22, m, md, 2.5), CX_ERANGE);
    cx_model_data_free(md);
    cx_model_free(m);
}
END_TEST

/* ---- recovery of simulated parameters ---------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;
static double unif(rng *r)
{
    return ((double)(splitmix64(&r->s) >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(rng *r) { return sqrt(-2 * log(unif(r))) * cos(6.283185307179586 * unif(r)); }
/* Gamma(shape k, scale 1): Marsaglia & Tsang, boosted below 1 */
static double gamma1(rng *r, double k)
{
    if (k < 1)
        return gamma1(r, k + 1) * pow(unif(r), 1 / k);
    double d = k - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = normal(r), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = unif(r);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}
static double beta1(rng *r, double a, double b)
{
    double x = gamma1(r, a);
    return x / (x + gamma1(r, b));
}

/* BG/NBD customers observed for T in [26, 52] weeks. */
static void sim_bgnbd(rng *g, const double *p, size_t n, double *x, double *tx, double *TT)
{
    for (size_t i = 0; i < n; i++) {
        double lam = gamma1(g, p[0]) / p[1], drop = beta1(g, p[2], p[3]), t = 0;
        TT[i] = 26 + 26 * unif(g);
        x[i] = tx[i] = 0;
        for (;;) {
            t += -log(unif(g)) / lam;
            if (t > TT[i])
                break;
            x[i]++;
            tx[i] = t;
            if (unif(g) < drop)
                break;
        }
    }
}

START_TEST(bgnbd_recovers_simulated)
{
    /* 50000 customers from r 0.25, alpha 4, a 0.8, b 2.5: the estimates
     * fall within 10 % (r, alpha) and 25 % (a, b) of the truth (their
     * standard errors at this size are about 3 % and 8 %) */
    enum { N = 50000 };
    static double x[N], tx[N], TT[N], z[N];
    static const double truth[4] = {0.25, 4, 0.8, 2.5};
    rng g = {42};
    sim_bgnbd(&g, truth, N, x, tx, TT);
    cx_model *m;
    OK(cx_model_fit_bgnbd(&m, x, tx, TT, NULL, N));
    double p[4];
    params(m, p);
    REL(p[0], truth[0], 0.10);
    REL(p[1], truth[1], 0.10);
    REL(p[2], truth[2], 0.25);
    REL(p[3], truth[3], 0.25);
    cx_model_free(m);

    /* Gamma-Gamma: spend z ~ Gamma(p, nu), nu ~ Gamma(q, gamma) per
     * customer; p 6, q 4, gamma 15 recovered within 15 % from the same size */
    static const double gt[3] = {6, 4, 15};
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        x[i] = 1 + (double)(i % 6);
        double nu = gamma1(&g, gt[1]) / gt[2], sum = 0;
        for (int j = 0; j < (int)x[i]; j++)
            sum += gamma1(&g, gt[0]) / nu;
        z[i] = sum / x[i];
        k++;
    }
    OK(cx_model_fit_gammagamma(&m, x, z, NULL, k));
    params(m, p);
    REL(p[0], gt[0], 0.15);
    REL(p[1], gt[1], 0.15);
    REL(p[2], gt[2], 0.15);
    cx_model_free(m);
}
END_TEST

START_TEST(other_models_recover_simulated)
{
    enum { N = 8000 };
    static double x[N], tx[N], TT[N];
    rng g = {7};
    /* Pareto/NBD: r 0.5, alpha 10, s 0.6, beta 12; 8000 customers, T 39
     * weeks: within 25 % (r, alpha) and 40 % (s, beta: weakly identified) */
    static const double pt[4] = {0.5, 10, 0.6, 12};
    for (size_t i = 0; i < N; i++) {
        double lam = gamma1(&g, pt[0]) / pt[1], mu = gamma1(&g, pt[2]) / pt[3];
        double life = -log(unif(&g)) / mu, t = 0;
        TT[i] = 39;
        x[i] = tx[i] = 0;
        for (;;) {
            t += -log(unif(&g)) / lam;
            if (t > TT[i] || t > life)
                break;
            x[i]++;
            tx[i] = t;
        }
    }
    cx_model *m;
    double p[4];
    OK(cx_model_fit_paretonbd(&m, x, tx, TT, NULL, N));
    params(m, p);
    REL(p[0], pt[0], 0.25);
    REL(p[1], pt[1], 0.25);
    REL(p[2], pt[2], 0.40);
    REL(p[3], pt[3], 0.40);
    cx_model_free(m);

    /* BG/BB: alpha 1.2, beta 0.75, gamma 0.66, delta 2.8 over 6
     * opportunities; 8000 customers: within 25 % */
    static const double bt[4] = {1.2, 0.75, 0.66, 2.8};
    for (size_t i = 0; i < N; i++) {
        double pp = beta1(&g, bt[0], bt[1]), th = beta1(&g, bt[2], bt[3]);
        x[i] = tx[i] = 0;
        TT[i] = 6;
        for (int o = 1; o <= 6; o++) {
            if (unif(&g) < th)
                break;
            if (unif(&g) < pp) {
                x[i]++;
                tx[i] = o;
            }
        }
    }
    OK(cx_model_fit_bgbb(&m, x, tx, TT, NULL, N));
    params(m, p);
    for (int j = 0; j < 4; j++)
        REL(p[j], bt[j], 0.25);
    cx_model_free(m);

    /* sBG: alpha 0.7, beta 1.2, 8000 contracts over 10 periods: within 10 % */
    static int churned[N];
    for (size_t i = 0; i < N; i++) {
        double th = beta1(&g, 0.7, 1.2);
        int t = 1;
        while (t <= 10 && unif(&g) >= th)
            t++;
        churned[i] = t <= 10;
        x[i] = churned[i] ? t : 10;
    }
    OK(cx_model_fit_sbg(&m, x, churned, NULL, N));
    params(m, p);
    REL(p[0], 0.7, 0.10);
    REL(p[1], 1.2, 0.10);
    cx_model_free(m);
}
END_TEST

/* ---- bad input --------------------------------------------------------- */

START_TEST(model_bad_input)
{
    double x[12] = {0, 1, 2, 0, 3, 1, 0, 2, 1, 0, 4, 1};
    double tx[12] = {0, 5, 8, 0, 9, 2, 0, 7, 3, 0, 9.5, 1};
    double TT[12] = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
    cx_model *m = (cx_model *)1;
    /* too few customers */
    ck_assert_int_eq(cx_model_fit_bgnbd(&m, x, tx, TT, NULL, 5), CX_ERANGE);
    ck_assert_ptr_null(m);
    MSG_HAS("too few customers");
    /* recency after age, non-finite, fractional purchases, x without t_x */
    double bad[12];
    memcpy(bad, tx, sizeof bad);
    bad[4] = 11;
    ck_assert_int_eq(cx_model_fit_bgnbd(&m, x, bad, TT, NULL, 12), CX_ERANGE);
    MSG_HAS("row 4");
    bad[4] = NAN;
    ck_assert_int_eq(cx_model_fit_paretonbd(&m, x, bad, TT, NULL, 12), CX_ERANGE);
    memcpy(bad, x, sizeof bad);
    bad[2] = 1.5;
    ck_assert_int_eq(cx_model_fit_bgnbd(&m, bad, tx, TT, NULL, 12), CX_ERANGE);
    bad[2] = 0;
    ck_assert_int_eq(cx_model_fit_bgnbd(&m, bad, tx, TT, NULL, 12), CX_ERANGE);
    double w[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1};
    ck_assert_int_eq(cx_model_fit_bgnbd(&m, x, tx, TT, w, 12), CX_ERANGE);
    ck_assert_int_eq(cx_model_fit_bgnbd(&m, NULL, tx, TT, NULL, 12), CX_EINVAL);
    ck_assert_int_eq(cx_model_fit_bgnbd(NULL, x, tx, TT, NULL, 12), CX_EINVAL);
    /* nobody came back: no model */
    double zero[12] = {0};
    ck_assert_int_eq(cx_model_fit_bgnbd(&m, zero, zero, TT, NULL, 12), CX_ERANGE);
    ck_assert_ptr_null(m);
    /* Gamma-Gamma: a negative or non-finite mean amount */
    double mean[12] = {0, 10, 12, 0, 9, -3, 0, 11, 10, 0, 8, 10};
    ck_assert_int_eq(cx_model_fit_gammagamma(&m, x, mean, NULL, 12), CX_ERANGE);
    MSG_HAS("row 5");
    mean[5] = INFINITY;
    ck_assert_int_eq(cx_model_fit_gammagamma(&m, x, mean, NULL, 12), CX_ERANGE);
    /* BG/BB and sBG */
    double nn[12] = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6};
    ck_assert_int_eq(cx_model_fit_bgbb(&m, x, tx, nn, NULL, 12), CX_ERANGE); /* t_x 8 > 6 and fractional */
    int ch[12] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2};
    ck_assert_int_eq(cx_model_fit_sbg(&m, TT, ch, NULL, 12), CX_ERANGE);
    ch[11] = 0;
    for (int i = 0; i < 12; i++)
        ch[i] = 0;
    ck_assert_int_eq(cx_model_fit_sbg(&m, TT, ch, NULL, 12), CX_ERANGE); /* nobody churned */
    ck_assert_ptr_null(m);

    /* predictions: buffers, kinds, horizons; out untouched on failure */
    double pr[4] = {0.25, 4, 0.8, 2.5};
    OK(cx_model_new(&m, CX_MODEL_BGNBD, pr, 4));
    double out[12];
    for (int i = 0; i < 12; i++)
        out[i] = -7;
    cx_model_data *d = data_of(x, tx, TT, mean, 12);
    ck_assert_int_eq(cx_model_expected(out, 11, m, d, 10), CX_EBUFSIZE);
    ck_assert_int_eq(cx_model_expected(out, 12, m, d, -1), CX_ERANGE);
    ck_assert_int_eq(cx_model_expected(out, 12, m, NULL, 1), CX_EINVAL);
    memcpy(bad, tx, sizeof bad);
    bad[11] = 20;
    OK(cx_model_data_set(d, CX_SUMMARY_RECENCY, bad));
    ck_assert_int_eq(cx_model_p_alive(out, 12, m, d), CX_ERANGE);
    NEAR(out[0], -7, 0);
    OK(cx_model_data_set(d, CX_SUMMARY_RECENCY, tx));
    ck_assert_int_eq(cx_model_expected_spend(out, 12, m, d), CX_EINVAL);
    ck_assert_int_eq(cx_model_sbg_curve(out, NULL, m, 1), CX_EINVAL);
    cx_result *r = (cx_result *)1;
    ck_assert_int_eq(cx_model_clv(&r, m, m, d, NULL), CX_EINVAL);
    ck_assert_ptr_null(r);
    OK(cx_model_expected(out, 12, m, d, 0));
    NEAR(out[3], 0, 0);
    /* a column the data lacks, or one the models do not read */
    cx_model_data *d2 = data_of(x, tx, NULL, NULL, 12);
    ck_assert_int_eq(cx_model_p_alive(out, 12, m, d2), CX_EINVAL);
    MSG_HAS("age");
    ck_assert_int_eq(cx_model_data_set(d2, CX_SUMMARY_TOTAL, x), CX_EINVAL);
    ck_assert_int_eq(cx_model_data_set(d2, CX_SUMMARY_AGE, NULL), CX_EINVAL);
    ck_assert_uint_eq(cx_model_data_count(d2), 12);
    ck_assert_uint_eq(cx_model_data_count(NULL), 0);
    cx_model_data_free(d2);
    cx_model_data_free(d);
    cx_model_data_free(NULL);
    /* the parameter table */
    OK(cx_model_params(&r, m));
    ck_assert_uint_eq(cx_result_row_count(r), 4);
    const char *name;
    double v;
    int64_t it;
    OK(cx_result_get_string(&name, r, 1, 0));
    ck_assert_str_eq(name, "alpha");
    OK(cx_result_get_real(&v, r, 1, 1));
    NEAR(v, 4, 0);
    OK(cx_result_get_string(&name, r, 3, 2));
    ck_assert_str_eq(name, "bgnbd");
    OK(cx_result_get_real(&v, r, 0, 3));
    ck_assert(isnan(v)); /* given, not fitted */
    OK(cx_result_get_int(&it, r, 0, 4));
    ck_assert_int_eq(it, 0);
    cx_result_free(r);
    r = (cx_result *)1;
    ck_assert_int_eq(cx_model_params(&r, NULL), CX_EINVAL);
    ck_assert_ptr_null(r);
    cx_model_free(m);
    m = (cx_model *)1;
    pr[1] = -4;
    ck_assert_int_eq(cx_model_new(&m, CX_MODEL_BGNBD, pr, 4), CX_ERANGE);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(cx_model_new(&m, CX_MODEL_SBG, pr, 4), CX_EINVAL);
    ck_assert_int_eq(cx_model_new(&m, (cx_model_kind)9, pr, 4), CX_EINVAL);
    cx_model_free(NULL);
    /* CLV options: ranges */
    cx_clv_options *o;
    OK(cx_clv_options_new(&o));
    ck_assert_int_eq(cx_clv_options_set_horizon(o, 0), CX_ERANGE);
    ck_assert_int_eq(cx_clv_options_set_horizon(o, 10001), CX_ERANGE);
    ck_assert_int_eq(cx_clv_options_set_period(o, 0), CX_ERANGE);
    ck_assert_int_eq(cx_clv_options_set_period(o, INFINITY), CX_ERANGE);
    ck_assert_int_eq(cx_clv_options_set_discount(o, -0.1), CX_ERANGE);
    ck_assert_int_eq(cx_clv_options_set_discount(NULL, 0.1), CX_EINVAL);
    ck_assert_int_eq(cx_clv_options_new(NULL), CX_EINVAL);
    cx_clv_options_free(o);
    cx_clv_options_free(NULL);
}
END_TEST

/* ---- health score ------------------------------------------------------ */

/* As of A = 2025-01-01: P answered NPS 2 (20 days ago) then 8 (10 days
 * ago), CSAT 4 and CES 6 (5 days ago); has an open case (3 days) and a
 * resolved one with 3 contacts (40 days); bought for 100 18 days ago.
 * Q bought 100 200 days ago and 200 90 days ago. R answered NPS 2 400
 * days ago, nothing since. */
static cx_store *health_store(cx_time A)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "P", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "Q", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "R", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_feedback_add(NULL, s, NULL, "P", "nps", 2, A - 20 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "P", "nps", 8, A - 10 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "P", "csat", 4, A - 5 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "P", "ces", 6, A - 5 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "P", "nps", 0, A, NULL, NULL, NULL, NULL)); /* at as_of: ignored */
    OK(cx_feedback_add(NULL, s, NULL, "R", "nps", 2, A - 400 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_case_add(s, "K-open", "P", "phone", "high", NULL, A - 3 * DAY_MS, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    OK(cx_case_add(s, "K-rep", "P", "phone", "high", NULL, A - 40 * DAY_MS, A - 40 * DAY_MS + HOUR_MS, A - 39 * DAY_MS,
                   0, 3));
    OK(cx_transaction_add(NULL, s, NULL, "P", A - 18 * DAY_MS, 100));
    OK(cx_transaction_add(NULL, s, NULL, "Q", A - 200 * DAY_MS, 100));
    OK(cx_transaction_add(NULL, s, NULL, "Q", A - 90 * DAY_MS, 200));
    return s;
}

/* Signal k's value, contribution and raw value are columns 2 + 3k, 3 + 3k, 4 + 3k. */
static double signal_col(const cx_result *h, size_t i, int sig, int which)
{
    double v;
    OK(cx_result_get_real(&v, h, i, 2 + 3 * (size_t)sig + (size_t)which));
    return v;
}

static void signal_is(const cx_result *h, size_t i, int sig, double value, double contribution)
{
    double v = signal_col(h, i, sig, 0), c = signal_col(h, i, sig, 1);
    if (isnan(value))
        ck_assert_msg(isnan(v), "row %zu signal %d: %g, expected missing", i, sig, v);
    else
        NEAR(v, value, 1e-9);
    NEAR(c, contribution, 1e-9);
}

START_TEST(health_score_hand_computed)
{
    cx_time A = T("2025-01-01T00:00:00Z");
    cx_store *s = health_store(A);
    cx_result *h;
    /* missing signals left out, the other weights rescaled */
    cx_health_options *skip;
    OK(cx_health_options_new(&skip));
    OK(cx_health_options_set_missing(skip, CX_HEALTH_MISSING_SKIP));
    OK(cx_health_run(&h, s, skip, A, NULL, NULL));
    cx_health_options_free(skip);
    ck_assert_uint_eq(cx_result_row_count(h), 3);
    ck_assert_uint_eq(cx_result_column_count(h), 4 + 3 * CX_HEALTH_SIGNAL_COUNT);
    const char *cname;
    OK(cx_result_column_name(&cname, h, 3 + 3 * CX_HEALTH_RECENCY));
    ck_assert_str_eq(cname, "recency_contribution");
    OK(cx_result_column_name(&cname, h, 4 + 3 * CX_HEALTH_VALUE));
    ck_assert_str_eq(cname, "value_raw");
    double sc;
    /* P: nps 8/10, csat 3/4, ces 5/6, open 1 - 1/3, repeat 1 - 1/2,
     * recency 1 - 18/180, value mid-rank of 100 in {0, 100, 300} = 1/2;
     * weights 2 1 1 1 1 2 (p_alive missing) 1 */
    double W = 9, S = 2 * 0.8 + 0.75 + 5.0 / 6 + 2.0 / 3 + 0.5 + 2 * 0.9 + 0.5;
    sc = result_real(h, 0, "score");
    ck_assert_str_eq(result_str(h, 0, "customer"), "P");
    NEAR(sc, 100 * S / W, 1e-9);
    signal_is(h, 0, CX_HEALTH_NPS, 0.8, 100 * 1.6 / W);
    signal_is(h, 0, CX_HEALTH_CSAT, 0.75, 100 * 0.75 / W);
    signal_is(h, 0, CX_HEALTH_CES, 5.0 / 6, 100 * 5.0 / 6 / W);
    signal_is(h, 0, CX_HEALTH_OPEN_CASES, 2.0 / 3, 100 * 2.0 / 3 / W);
    signal_is(h, 0, CX_HEALTH_REPEAT_CASES, 0.5, 100 * 0.5 / W);
    signal_is(h, 0, CX_HEALTH_RECENCY, 0.9, 100 * 1.8 / W);
    signal_is(h, 0, CX_HEALTH_P_ALIVE, NAN, 0);
    signal_is(h, 0, CX_HEALTH_VALUE, 0.5, 100 * 0.5 / W);
    double total = 0;
    NEAR(result_real(h, 0, "nps_raw"), 8, 0);
    NEAR(signal_col(h, 0, CX_HEALTH_RECENCY, 2), 18, 1e-12);
    for (int k = 0; k < CX_HEALTH_SIGNAL_COUNT; k++)
        total += signal_col(h, 0, k, 1);
    NEAR(total, sc, 1e-9); /* the contributions add up to the score */
    /* Q: no feedback, no cases (1, 1), recency 1 - 90/180, value 1 */
    sc = result_real(h, 1, "score");
    NEAR(sc, 100 * (1 + 1 + 2 * 0.5 + 1) / 5.0, 1e-9);
    /* R: its NPS is older than the 365-day window; no activity: recency 0 */
    sc = result_real(h, 2, "score");
    NEAR(sc, 100 * 2 / 5.0, 1e-9);
    signal_is(h, 2, CX_HEALTH_NPS, NAN, 0);
    signal_is(h, 2, CX_HEALTH_RECENCY, 0, 0);
    ck_assert_str_eq(result_str(h, 2, "customer"), "R");
    cx_result_free(h);

    /* the default: a missing signal counts at its average over those who
     * have it (NPS 0.8, CSAT 0.75, CES 5/6: P's), so Q, silent, is not
     * scored on its purchases alone; P(alive), which nobody has, is left out */
    OK(cx_health_run(&h, s, NULL, A, NULL, NULL));
    NEAR(result_real(h, 0, "score"), 100 * S / W, 1e-9); /* P has every signal: unchanged */
    double avg = 2 * 0.8 + 0.75 + 5.0 / 6;
    NEAR(result_real(h, 1, "score"), 100 * (avg + 1 + 1 + 2 * 0.5 + 1) / 9, 1e-9);
    signal_is(h, 1, CX_HEALTH_NPS, NAN, 100 * 1.6 / 9);
    NEAR(result_real(h, 2, "score"), 100 * (avg + 2) / 9, 1e-9);
    ck_assert_str_eq(result_str(h, 1, "missing"), "nps,csat,ces,p_alive");
    NEAR(result_real(h, 1, "coverage"), 5.0 / 11, 1e-12);
    ck_assert_str_eq(result_str(h, 0, "missing"), "p_alive");
    NEAR(result_real(h, 0, "coverage"), 9.0 / 11, 1e-12);
    /* a silent customer ranks between a promoter and a detractor with the
     * same other signals */
    ck_assert(result_real(h, 1, "score") < 100 * (2 * 1.0 + 0.75 + 5.0 / 6 + 1 + 1 + 2 * 0.5 + 1) / 9);
    ck_assert(result_real(h, 1, "score") > 100 * (2 * 0.0 + 0.75 + 5.0 / 6 + 1 + 1 + 2 * 0.5 + 1) / 9);
    cx_result_free(h);

    /* the caller's weights, windows and scales */
    cx_health_options *o;
    OK(cx_health_options_new(&o));
    OK(cx_health_options_set_missing(o, CX_HEALTH_MISSING_SKIP));
    OK(cx_health_options_set_weight(o, CX_HEALTH_NPS, 0));
    OK(cx_health_options_set_window(o, CX_HEALTH_RECENCY, 90 * DAY_MS));
    OK(cx_health_options_set_scale(o, CX_HEALTH_VALUE, 200));
    OK(cx_health_options_set_window(o, CX_HEALTH_VALUE, 100 * DAY_MS)); /* Q's spend: 200 */
    OK(cx_health_run(&h, s, o, A, NULL, NULL));
    sc = result_real(h, 0, "score");
    NEAR(sc, 100 * (0.75 + 5.0 / 6 + 2.0 / 3 + 0.5 + 2 * 0.8 + 0.5) / 7, 1e-9);
    signal_is(h, 0, CX_HEALTH_NPS, 0.8, 0); /* known, but weighed 0 */
    sc = result_real(h, 1, "score");
    NEAR(sc, 100 * (1 + 1 + 0 + 1) / 5.0, 1e-9);
    cx_result_free(h);
    /* no weighted signal present: NaN */
    for (int k = 0; k < CX_HEALTH_SIGNAL_COUNT; k++)
        OK(cx_health_options_set_weight(o, (cx_health_signal)k, k == CX_HEALTH_CSAT ? 1 : 0));
    OK(cx_health_run(&h, s, o, A, NULL, NULL));
    sc = result_real(h, 1, "score");
    ck_assert(isnan(sc));
    cx_result_free(h);

    /* P(alive) from a BG/NBD model over a summary in days */
    cx_summary *sum = summary_of(s, A);
    const double pr[4] = {0.25, 4, 0.8, 2.5};
    cx_model *m;
    OK(cx_model_new(&m, CX_MODEL_BGNBD, pr, 4));
    OK(cx_health_run(&h, s, NULL, A, m, sum));
    double pa = 1 / (1 + 0.8 / 2.5 * pow((4 + 200.0) / (4 + 110.0), 1.25)); /* Q: x 1, t_x 110, T 200 */
    signal_is(h, 1, CX_HEALTH_P_ALIVE, pa, 100 * 2 * pa / 11);
    sc = result_real(h, 1, "score");
    NEAR(sc, 100 * (avg + 4 + 2 * pa) / 11, 1e-9);
    signal_is(h, 0, CX_HEALTH_P_ALIVE, 1, 100 * 2.0 / 11); /* P: no repeat purchase */
    /* R: not in the summary; counted at the average of P and Q */
    signal_is(h, 2, CX_HEALTH_P_ALIVE, NAN, 100 * 2 * (1 + pa) / 2 / 11);
    ck_assert_int_eq(cx_health_options_set_missing(o, (cx_health_missing)7), CX_EINVAL);
    cx_result_free(h);

    /* bad input */
    ck_assert_int_eq(cx_health_run(&h, s, NULL, A, m, NULL), CX_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(cx_health_run(&h, s, NULL, CX_TIME_NONE, NULL, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_health_run(NULL, s, NULL, A, NULL, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_health_run(&h, NULL, NULL, A, NULL, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_health_options_set_weight(o, (cx_health_signal)8, 1), CX_EINVAL);
    ck_assert_int_eq(cx_health_options_set_weight(o, 0, -1), CX_ERANGE);
    ck_assert_int_eq(cx_health_options_set_weight(o, 0, NAN), CX_ERANGE);
    ck_assert_int_eq(cx_health_options_set_window(o, CX_HEALTH_RECENCY, 0), CX_ERANGE);
    ck_assert_int_eq(cx_health_options_set_scale(o, CX_HEALTH_NPS, 1), CX_EINVAL);
    ck_assert_int_eq(cx_health_options_set_scale(o, CX_HEALTH_OPEN_CASES, 0), CX_ERANGE);
    ck_assert_int_eq(cx_health_signal_name(&cname, (cx_health_signal)8), CX_EINVAL);
    const char *name;
    OK(cx_health_signal_name(&name, CX_HEALTH_REPEAT_CASES));
    ck_assert_str_eq(name, "repeat_cases");
    cx_health_options_free(o);
    cx_model_free(m);
    cx_summary_free(sum);
    cx_store_free(s);
}
END_TEST

/* ---- proactive care ------------------------------------------------------ */

/* As of A = 2025-01-01:
 * U1: case K1 (high) opened 2 days ago, no answer yet, 4 inbound contacts
 *     about it (the last 12 h ago), then NPS 3 about it 1 h ago;
 * U2: CES 2 on 1-7 three days ago (and CES 1 sixty days ago), an NPS 2
 *     about no case;
 * U3: six purchases from 100 to 40 days ago, none since;
 * U4: three purchases of 500, 400 to 360 days ago;
 * U5: a resolved case rated 9, CES 7, purchases 50, 20 and 5 days ago. */
static cx_store *care_store(cx_time A)
{
    cx_store *s;
    OK(cx_store_new(&s));
    const char *ids[] = {"U1", "U2", "U3", "U4", "U5"};
    for (int i = 0; i < 5; i++)
        OK(cx_customer_add(s, ids[i], NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    OK(cx_case_add(s, "K1", "U1", "phone", "high", NULL, A - 2 * DAY_MS, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    for (int i = 0; i < 4; i++)
        OK(cx_interaction_add(NULL, s, NULL, "U1", "call", A - 2 * DAY_MS + i * 12 * HOUR_MS, "contact", CX_INBOUND, NULL,
                              "K1", 60000, CX_HANDLED, 0));
    OK(cx_feedback_add(NULL, s, NULL, "U1", "nps", 3, A - HOUR_MS, NULL, NULL, "K1", "nobody calls back"));
    OK(cx_feedback_add(NULL, s, NULL, "U2", "ces", 1, A - 60 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "U2", "ces", 2, A - 3 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "U2", "nps", 2, A - 3 * DAY_MS, NULL, NULL, NULL, NULL));
    for (int i = 0; i < 6; i++)
        OK(cx_transaction_add(NULL, s, NULL, "U3", A - (100 - 12 * i) * DAY_MS, 10));
    for (int i = 0; i < 3; i++)
        OK(cx_transaction_add(NULL, s, NULL, "U4", A - (400 - 20 * i) * DAY_MS, 500));
    OK(cx_case_add(s, "K5", "U5", "chat", "normal", NULL, A - 10 * DAY_MS, A - 10 * DAY_MS + HOUR_MS, A - 9 * DAY_MS, 0,
                   1));
    OK(cx_feedback_add(NULL, s, NULL, "U5", "nps", 9, A - 8 * DAY_MS, NULL, NULL, "K5", NULL));
    OK(cx_feedback_add(NULL, s, NULL, "U5", "ces", 7, A - 8 * DAY_MS, NULL, NULL, NULL, NULL));
    OK(cx_transaction_add(NULL, s, NULL, "U5", A - 50 * DAY_MS, 20));
    OK(cx_transaction_add(NULL, s, NULL, "U5", A - 20 * DAY_MS, 20));
    OK(cx_transaction_add(NULL, s, NULL, "U5", A - 5 * DAY_MS, 20));
    return s;
}

static void entry_is(const cx_result *l, size_t i, const char *cust, size_t rule, int kind, cx_time t, double v,
                     const char *reason)
{
    const char *c = result_str(l, i, "customer");
    int64_t r = result_int(l, i, "rule"), k = result_int(l, i, "kind");
    ck_assert_msg(strcmp(c, cust) == 0 && r == (int64_t)rule && k == kind,
                  "entry %zu: %s rule %lld kind %lld, expected %s %zu %d", i, c, (long long)r, (long long)k, cust,
                  rule, kind);
    const char *kn;
    OK(cx_care_kind_name(&kn, (cx_care_kind)kind));
    ck_assert_str_eq(result_str(l, i, "kind_name"), kn);
    cx_time et = result_int(l, i, "time");
    ck_assert_msg(et == t, "entry %zu: time %lld, expected %lld", i, (long long)et, (long long)t);
    NEAR(result_real(l, i, "value"), v, 1e-6);
    if (reason)
        ck_assert_str_eq(result_str(l, i, "reason"), reason);
}

START_TEST(care_rules_each_kind)
{
    cx_time A = T("2025-01-01T00:00:00Z");
    cx_store *s = care_store(A);
    cx_care_rules *r;
    OK(cx_care_rules_new(&r));
    size_t k;
    OK(cx_care_rules_add(&k, r, CX_CARE_DETRACTOR_AFTER_CASE, 5, 6, 30 * DAY_MS));
    ck_assert_uint_eq(k, 0);
    OK(cx_care_rules_add(NULL, r, CX_CARE_REPEAT_CONTACTS, 4, 3, 7 * DAY_MS));
    OK(cx_care_rules_add(&k, r, CX_CARE_SLA_BREACH, 8, 0, 24 * HOUR_MS));
    OK(cx_care_rules_set_baseline(r, k, 4 * HOUR_MS));
    OK(cx_care_rules_add(&k, r, CX_CARE_SLA_BREACH, 9, 0, HOUR_MS));
    OK(cx_care_rules_set_priority(r, k, "urgent")); /* K1 is "high": no match */
    OK(cx_care_rules_add(NULL, r, CX_CARE_HIGH_EFFORT, 3, 2.0 / 6 + 1e-9, 30 * DAY_MS));
    OK(cx_care_rules_add(&k, r, CX_CARE_ACTIVITY_DROP, 2, 0.25, 30 * DAY_MS));
    OK(cx_care_rules_set_min_value(r, k, 3));
    OK(cx_care_rules_set_baseline(r, k, 90 * DAY_MS));
    OK(cx_care_rules_add(&k, r, CX_CARE_LOW_P_ALIVE, 6, 0.2, 0));
    OK(cx_care_rules_set_min_value(r, k, 1000));
    ck_assert_uint_eq(k, 6);
    ck_assert_uint_eq(cx_care_rules_count(r), 7);

    cx_result *l = (cx_result *)1;
    ck_assert_int_eq(cx_care_evaluate(&l, r, s, A, NULL, NULL), CX_EINVAL); /* low_p_alive needs a model */
    ck_assert_ptr_null(l);
    cx_summary *sum = summary_of(s, A);
    const double pr[4] = {0.25, 4, 0.8, 2.5};
    cx_model *m;
    OK(cx_model_new(&m, CX_MODEL_BGNBD, pr, 4));
    OK(cx_care_evaluate(&l, r, s, A, m, sum));
    ck_assert_uint_eq(cx_result_row_count(l), 6);
    /* by priority: the SLA (first response due 4 h after opening, 44 h
     * ago), U4's P(alive) (x 2, t_x 40, T 400 days), U1's detractor answer
     * and repeated contacts, U2's effort, U3's silence */
    entry_is(l, 0, "U1", 2, CX_CARE_SLA_BREACH, A - 2 * DAY_MS + 4 * HOUR_MS, 44,
             "case K1 44.0 h past its first-response target (due 2024-12-30)");
    double pa = 1 / (1 + 0.8 / 3.5 * pow(404.0 / 44.0, 2.25));
    entry_is(l, 1, "U4", 6, CX_CARE_LOW_P_ALIVE, A - 360 * DAY_MS, pa, NULL);
    entry_is(l, 2, "U1", 0, CX_CARE_DETRACTOR_AFTER_CASE, A - HOUR_MS, 3, "NPS 3 on 2024-12-31 after case K1");
    entry_is(l, 3, "U1", 1, CX_CARE_REPEAT_CONTACTS, A - 12 * HOUR_MS, 4,
             "4 contacts about case K1, the last on 2024-12-31");
    entry_is(l, 4, "U2", 4, CX_CARE_HIGH_EFFORT, A - 3 * DAY_MS, 2,
             "high effort: ces 2 on 1-7 (high is easy) on 2024-12-29");
    entry_is(l, 5, "U3", 5, CX_CARE_ACTIVITY_DROP, A - 40 * DAY_MS, 0,
             "activity fell to 0 in the last 30 days from 6 in the 90 days before (rate x0.00); last active 2024-11-22");
    ck_assert_int_eq(result_int(l, 0, "priority"), 8);
    cx_result_free(l);

    /* earlier: before the contacts piled up and the answer came, U1 only
     * misses its first-response target (due 4 h after opening) */
    OK(cx_care_evaluate(&l, r, s, A - 2 * DAY_MS + 5 * HOUR_MS, m, sum));
    size_t n1 = 0;
    for (size_t i = 0; i < cx_result_row_count(l); i++) {
        if (strcmp(result_str(l, i, "customer"), "U1") == 0) {
            ck_assert_int_eq(result_int(l, i, "rule"), 2);
            n1++;
        }
    }
    ck_assert_uint_eq(n1, 1);
    cx_result_free(l);

    /* no rule, no entry; a rule nobody matches */
    cx_care_rules *none;
    OK(cx_care_rules_new(&none));
    OK(cx_care_evaluate(&l, none, s, A, NULL, NULL));
    ck_assert_uint_eq(cx_result_row_count(l), 0);
    ck_assert_uint_eq(cx_result_column_count(l), 8);
    cx_result_free(l);
    OK(cx_care_rules_add(NULL, none, CX_CARE_DETRACTOR_AFTER_CASE, 1, 0, 30 * DAY_MS));
    OK(cx_care_evaluate(&l, none, s, A, NULL, NULL));
    ck_assert_uint_eq(cx_result_row_count(l), 0);
    cx_result_free(l);
    /* bad rules */
    ck_assert_int_eq(cx_care_rules_add(NULL, none, (cx_care_kind)6, 1, 0, DAY_MS), CX_EINVAL);
    ck_assert_int_eq(cx_care_rules_add(NULL, none, CX_CARE_DETRACTOR_AFTER_CASE, 1, 11, DAY_MS), CX_ERANGE);
    ck_assert_int_eq(cx_care_rules_add(NULL, none, CX_CARE_DETRACTOR_AFTER_CASE, 1, 6, 0), CX_ERANGE);
    ck_assert_int_eq(cx_care_rules_add(NULL, none, CX_CARE_SLA_BREACH, 1, 1, DAY_MS), CX_EINVAL);
    ck_assert_int_eq(cx_care_rules_add(NULL, none, CX_CARE_LOW_P_ALIVE, 1, 0.5, DAY_MS), CX_EINVAL);
    ck_assert_int_eq(cx_care_rules_add(NULL, none, CX_CARE_ACTIVITY_DROP, 1, 1, DAY_MS), CX_ERANGE);
    ck_assert_int_eq(cx_care_rules_add(NULL, none, CX_CARE_LOW_P_ALIVE, 1, 0, 0), CX_ERANGE);
    ck_assert_int_eq(cx_care_rules_set_min_value(none, 0, 1), CX_EINVAL); /* a detractor rule has none */
    ck_assert_int_eq(cx_care_rules_set_baseline(none, 0, DAY_MS), CX_EINVAL);
    ck_assert_int_eq(cx_care_rules_set_baseline(none, 3, DAY_MS), CX_ERANGE);
    ck_assert_int_eq(cx_care_rules_set_priority(none, 0, "urgent"), CX_EINVAL); /* not an SLA rule */
    ck_assert_int_eq(cx_care_rules_set_priority(none, 5, "urgent"), CX_ERANGE);
    ck_assert_uint_eq(cx_care_rules_count(none), 1);
    OK(cx_care_rules_add(&k, none, CX_CARE_SLA_BREACH, 1, 0, DAY_MS));
    OK(cx_care_rules_set_priority(none, k, "critical"));
    ck_assert_int_eq(cx_care_evaluate(&l, none, s, A, NULL, NULL), CX_ENOTFOUND);
    OK(cx_care_rules_set_priority(none, k, NULL));
    OK(cx_care_evaluate(&l, none, s, A, NULL, NULL));
    cx_result_free(l);
    /* incomplete rules are refused at evaluation */
    OK(cx_care_rules_add(&k, none, CX_CARE_ACTIVITY_DROP, 1, 0.5, DAY_MS));
    ck_assert_int_eq(cx_care_rules_set_baseline(none, k, 0), CX_ERANGE);
    ck_assert_int_eq(cx_care_rules_set_min_value(none, k, -1), CX_ERANGE);
    ck_assert_int_eq(cx_care_evaluate(&l, none, s, A, NULL, NULL), CX_ERANGE);
    MSG_HAS("baseline");
    cx_care_rules *sla;
    OK(cx_care_rules_new(&sla));
    OK(cx_care_rules_add(NULL, sla, CX_CARE_SLA_BREACH, 1, 0, 0));
    ck_assert_int_eq(cx_care_evaluate(&l, sla, s, A, NULL, NULL), CX_ERANGE);
    ck_assert_ptr_null(l);
    cx_care_rules_free(sla);
    const char *name;
    OK(cx_care_kind_name(&name, CX_CARE_LOW_P_ALIVE));
    ck_assert_str_eq(name, "low_p_alive");
    ck_assert_int_eq(cx_care_kind_name(&name, (cx_care_kind)6), CX_EINVAL);
    cx_care_rules_free(none);
    cx_care_rules_free(r);
    cx_model_free(m);
    cx_summary_free(sum);
    cx_store_free(s);
}
END_TEST

/* ---- out of memory ------------------------------------------------------- */

enum {
    OOM_COHORTS, OOM_SURVIVAL, OOM_CURVE, OOM_GROUPS, OOM_RFM, OOM_SUMMARY, OOM_SUMMARY_TABLE, OOM_CLV, OOM_HEALTH,
    OOM_CARE, OOM_COUNT
};

/* What the calls read: a store with the failing allocator and what was
 * made from it beforehand. */
typedef struct oom_env {
    const cx_store *s;
    cx_time A;
    const cx_model *m;
    const cx_summary *sum;
    const cx_care_rules *rules;
    const cx_cohorts_options *co;
    const cx_survival_options *so;
    const cx_survival *sv; /* curves made with the store's allocator */
} oom_env;

/* Runs one call with the allocator failing at its n-th allocation. */
static int oom_call(int which, const oom_env *e, void **made)
{
    int rc;
    cx_result *r = (cx_result *)1;
    switch (which) {
    case OOM_COHORTS: rc = cx_cohorts_run(&r, e->s, e->co); break;
    case OOM_SURVIVAL: {
        cx_survival *v = (cx_survival *)1;
        rc = cx_survival_from_store(&v, e->s, e->A, e->so);
        *made = v;
        return rc;
    }
    case OOM_CURVE: rc = cx_survival_curve(&r, e->sv); break;
    case OOM_GROUPS: rc = cx_survival_summary(&r, e->sv); break;
    case OOM_RFM: rc = cx_rfm_run(&r, e->s, e->A, DAY_MS, 5); break;
    case OOM_SUMMARY: {
        cx_summary *u = (cx_summary *)1;
        cx_summary_options *o = summary_days(e->A, 0); /* malloc: not counted */
        rc = cx_summary_new(&u, e->s, e->A - 30 * DAY_MS, o);
        cx_summary_options_free(o);
        *made = u;
        return rc;
    }
    case OOM_SUMMARY_TABLE: rc = cx_summary_table(&r, e->sum); break;
    case OOM_CLV: { /* the data and the table from a summary: the store's allocator */
        static const double gp[3] = {6, 4, 15};
        cx_model *gg;
        OK(cx_model_new(&gg, CX_MODEL_GAMMA_GAMMA, gp, 3));
        cx_model_data *d = (cx_model_data *)1;
        rc = cx_model_data_from_summary(&d, e->sum);
        if (rc == CX_OK) {
            rc = cx_model_clv(&r, e->m, gg, d, NULL);
            cx_model_data_free(d);
        } else {
            ck_assert_ptr_null(d);
            r = NULL;
        }
        cx_model_free(gg);
        break;
    }
    case OOM_HEALTH: rc = cx_health_run(&r, e->s, NULL, e->A, e->m, e->sum); break;
    default: rc = cx_care_evaluate(&r, e->rules, e->s, e->A, e->m, e->sum); break;
    }
    *made = r;
    return rc;
}

static void oom_free(int which, void *p)
{
    switch (which) {
    case OOM_SURVIVAL: cx_survival_free(p); break;
    case OOM_SUMMARY: cx_summary_free(p); break;
    default: cx_result_free(p); break;
    }
}

/* Rules of every kind, matching in the out-of-memory store. */
static cx_care_rules *oom_rules(void)
{
    cx_care_rules *rules;
    OK(cx_care_rules_new(&rules));
    static const double thr[] = {6, 3, 0, 0.5, 0.25, 0.2}, mv[] = {0, 0, 0, 0, 3, 1000};
    for (int k = 0; k < CX_CARE_KIND_COUNT; k++) {
        size_t rule;
        OK(cx_care_rules_add(&rule, rules, (cx_care_kind)k, k, thr[k], k == CX_CARE_LOW_P_ALIVE ? 0 : 30 * DAY_MS));
        if (mv[k] > 0)
            OK(cx_care_rules_set_min_value(rules, rule, mv[k]));
        if (k == CX_CARE_ACTIVITY_DROP || k == CX_CARE_SLA_BREACH)
            OK(cx_care_rules_set_baseline(rules, rule, k == CX_CARE_ACTIVITY_DROP ? 90 * DAY_MS : HOUR_MS));
    }
    return rules;
}

START_TEST(out_of_memory)
{
    cxt_alloc f = {0};
    cx_time A = T("2025-01-01T00:00:00Z");
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &f));
    /* records of every kind the calls read, in a store with the failing allocator */
    const char *ids[] = {"U1", "U2", "U3", "U4", "U5"};
    for (int i = 0; i < 5; i++)
        OK(cx_customer_add(s, ids[i], i < 2 ? "vip" : "std", NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    OK(cx_case_add(s, "K1", "U1", "phone", "high", NULL, A - 2 * DAY_MS, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    for (int i = 0; i < 4; i++)
        OK(cx_interaction_add(NULL, s, NULL, "U1", "call", A - 2 * DAY_MS + i * 12 * HOUR_MS, "contact", CX_INBOUND, NULL,
                              "K1", 60000, CX_HANDLED, 0));
    OK(cx_feedback_add(NULL, s, NULL, "U1", "nps", 3, A - HOUR_MS, NULL, NULL, "K1", NULL));
    OK(cx_feedback_add(NULL, s, NULL, "U2", "ces", 2, A - 3 * DAY_MS, NULL, NULL, NULL, NULL));
    for (int i = 0; i < 6; i++)
        OK(cx_transaction_add(NULL, s, NULL, "U3", A - (100 - 12 * i) * DAY_MS, 10));
    for (int i = 0; i < 3; i++)
        OK(cx_transaction_add(NULL, s, NULL, "U4", A - (400 - 20 * i) * DAY_MS, 500));
    OK(cx_transaction_add(NULL, s, NULL, "U5", A - 5 * DAY_MS, 20));
    OK(cx_customer_set_attribute(s, "U4", "churned_at", "2024-06-01T00:00:00Z"));
    cx_summary *sum = summary_of(s, A);
    const double pr[4] = {0.25, 4, 0.8, 2.5};
    cx_model *m;
    OK(cx_model_new(&m, CX_MODEL_BGNBD, pr, 4));
    cx_care_rules *rules = oom_rules();
    cx_cohorts_options *co;
    OK(cx_cohorts_options_new(&co));
    OK(cx_cohorts_options_set_activity(co, CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND));
    cx_survival_options *so;
    OK(cx_survival_options_new(&so));
    OK(cx_survival_options_set_activity(so, CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND));
    OK(cx_survival_options_set_inactivity(so, 30 * DAY_MS));
    OK(cx_survival_options_set_group_by(so, CX_DIM_CHANNEL));
    OK(cx_survival_options_set_churn_attribute(so, "churned_at"));
    cx_survival *sv;
    OK(cx_survival_from_store(&sv, s, A, so));
    OK(cx_survival_options_set_group_by(so, CX_DIM_SEGMENT));
    oom_env env = {s, A, m, sum, rules, co, so, sv};
    size_t base = f.live;
    for (int which = 0; which < OOM_COUNT; which++) {
        bool done = false;
        long failures = 0;
        for (long n = 0; !done && n < 1000; n++) {
            void *made;
            cxt_alloc_allow(&f, n);
            int rc = oom_call(which, &env, &made);
            cxt_alloc_allow(&f, -1);
            ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "call %d rc %d at %ld: %s", which, rc, n, cx_last_error());
            if (rc == CX_OK) {
                ck_assert_ptr_nonnull(made);
                oom_free(which, made);
                done = true;
            } else {
                ck_assert_ptr_null(made); /* nothing created */
                failures++;
            }
            ck_assert_msg(f.live == base, "call %d leaks %lld bytes when allocation %ld fails", which,
                          (long long)f.live - (long long)base, n);
        }
        ck_assert_msg(done && failures > 0, "call %d: done %d after %ld failures", which, done, failures);
    }
    cx_survival_free(sv);
    cx_survival_options_free(so);
    cx_cohorts_options_free(co);
    cx_care_rules_free(rules);
    cx_model_free(m);
    cx_summary_free(sum);
    cx_store_free(s);
    cxt_alloc_done(&f);
}
END_TEST

/* CLV: a row failing late gives no table; the table's columns and the
 * customer ids of a summary's data. */
START_TEST(clv_table)
{
    const double pr[4] = {0.25, 4, 0.8, 2.5}, gp[3] = {6, 4, 15};
    cx_model *bg, *gg;
    OK(cx_model_new(&bg, CX_MODEL_BGNBD, pr, 4));
    OK(cx_model_new(&gg, CX_MODEL_GAMMA_GAMMA, gp, 3));
    double x[2] = {2, 1}, tx[2] = {10, 5}, TT[2] = {20, 4}, mean[2] = {30, 40};
    cx_model_data *d = data_of(x, tx, TT, mean, 2);
    cx_result *r = (cx_result *)1;
    ck_assert_int_eq(cx_model_clv(&r, bg, gg, d, NULL), CX_ERANGE); /* row 1: t_x > T */
    ck_assert_ptr_null(r);
    MSG_HAS("row 1");
    TT[1] = 6;
    OK(cx_model_clv(&r, bg, gg, d, NULL));
    ck_assert_uint_eq(cx_result_row_count(r), 2);
    ck_assert_uint_eq(cx_result_column_count(r), 4); /* no ids from arrays */
    double e[2], pa[2], v[2], clv;
    OK(cx_model_expected(e, 2, bg, d, 12));
    OK(cx_model_p_alive(pa, 2, bg, d));
    OK(cx_model_expected_spend(v, 2, gg, d));
    static const char *const names[4] = {"expected_purchases", "p_alive", "expected_spend", "clv"};
    for (size_t i = 0; i < 2; i++) {
        const double want[3] = {e[i], pa[i], v[i]};
        for (size_t j = 0; j < 3; j++) {
            size_t col;
            double got;
            OK(cx_result_column_find(&col, r, names[j]));
            ck_assert_uint_eq(col, j);
            OK(cx_result_get_real(&got, r, i, col));
            NEAR(got, want[j], 1e-12);
        }
        OK(cx_result_get_real(&clv, r, i, 3));
        NEAR(clv, e[i] * v[i], 1e-9); /* undiscounted: the sum telescopes */
    }
    cx_result_free(r);
    cx_model_data_free(d);
    /* from a summary: the customer ids come first */
    cx_store *s = small_store();
    cx_summary *sum = summary_of(s, T("2024-05-01T00:00:00Z"));
    OK(cx_model_data_from_summary(&d, sum));
    ck_assert_uint_eq(cx_model_data_count(d), 4);
    OK(cx_model_clv(&r, bg, gg, d, NULL));
    ck_assert_uint_eq(cx_result_column_count(r), 5);
    const char *id;
    OK(cx_result_get_string(&id, r, 3, 0));
    ck_assert_str_eq(id, "D");
    OK(cx_result_get_real(&clv, r, 3, 4));
    ck_assert(clv > 0);
    cx_result_free(r);
    cx_model_data_free(d);
    d = (cx_model_data *)1;
    ck_assert_int_eq(cx_model_data_from_summary(&d, NULL), CX_EINVAL);
    ck_assert_ptr_null(d);
    cx_summary_free(sum);
    cx_store_free(s);
    cx_model_free(bg);
    cx_model_free(gg);
}
END_TEST

/* The cohort table is a triangle of P(P+1)/2 rows for P calendar periods:
 * two purchases 40 years apart in daily buckets asked for 107 million rows
 * (1.6 GB). More than CX_COHORTS_MAX_PERIODS periods is CX_ELIMIT, found
 * before anything that size is allocated; a longer bucket over the same
 * data works. */
START_TEST(cohorts_size_limit)
{
    cxt_alloc a = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &a));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_transaction_add(NULL, s, NULL, "A", T("1990-01-01T00:00:00Z"), 1));
    OK(cx_transaction_add(NULL, s, NULL, "B", T("2030-01-01T00:00:00Z"), 1));
    static const struct {
        cx_bucket bucket;
        const char *name;
    } refused[] = {{CX_BUCKET_DAY, "day"}, {CX_BUCKET_WEEK, "week"}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        cx_cohorts_options *o;
        OK(cx_cohorts_options_new(&o));
        OK(cx_cohorts_options_set_bucket(o, refused[i].bucket));
        cx_result *r = (cx_result *)1;
        size_t peak = a.peak;
        FAILS(cx_cohorts_run(&r, s, o), CX_ELIMIT, "cx_cohorts_run");
        MSG_HAS("calendar periods");
        MSG_HAS("2048");
        ck_assert_ptr_null(r);
        /* refused before the matrix: no more than a few kB over the store */
        ck_assert_msg(a.peak - peak < 64 * 1024, "%s buckets: %zu bytes at once before refusing", refused[i].name,
                      a.peak - peak);
        ck_assert_uint_eq(a.live > 0, 1);
        cx_cohorts_options_free(o);
    }
    /* 2048 periods exactly are allowed: 2048 days from the first purchase */
    OK(cx_transaction_add(NULL, s, "last", "B", T("1990-01-01T00:00:00Z") + 2047 * DAY_MS, 1));
    cx_store *s2;
    OK(cx_store_new(&s2));
    OK(cx_customer_add(s2, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_transaction_add(NULL, s2, NULL, "A", T("1990-01-01T00:00:00Z"), 1));
    OK(cx_transaction_add(NULL, s2, NULL, "A", T("1990-01-01T00:00:00Z") + 2047 * DAY_MS, 1));
    cx_result *r = cohorts(s2, CX_ACTIVITY_TRANSACTIONS, CX_COHORT_FIRST_ACTIVITY, CX_BUCKET_DAY, 0);
    ck_assert_uint_eq(cx_result_row_count(r), 2048 * 2049 / 2);
    cx_result_free(r);
    OK(cx_transaction_add(NULL, s2, NULL, "A", T("1990-01-01T00:00:00Z") + 2048 * DAY_MS, 1));
    cx_cohorts_options *o;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_DAY));
    FAILS(cx_cohorts_run(&r, s2, o), CX_ELIMIT, "cx_cohorts_run");
    cx_cohorts_options_free(o);
    cx_store_free(s2);
    /* the 40 years in months: 481 periods */
    r = cohorts(s, CX_ACTIVITY_TRANSACTIONS, CX_COHORT_FIRST_ACTIVITY, CX_BUCKET_MONTH, 0);
    ck_assert_uint_eq(cx_result_row_count(r), 481 * 482 / 2);
    cx_result_free(r);
    cx_store_free(s);
    ck_assert_uint_eq(a.live, 0);
    ck_assert_uint_eq(a.bad, 0);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("lifecycle");
    TCase *core = tcase_create("core");
    tcase_add_test(core, retention_table);
    tcase_add_test(core, kaplan_meier_aml);
    tcase_add_test(core, survival_from_store);
    tcase_add_test(core, rfm_scores_and_segments);
    tcase_add_test(core, summary_from_store);
    tcase_add_test(core, summary_default_tolerance);
    tcase_add_test(core, health_score_hand_computed);
    tcase_add_test(core, care_rules_each_kind);
    tcase_add_test(core, out_of_memory);
    tcase_add_test(core, clv_table);
    tcase_add_test(core, cohorts_size_limit);
    suite_add_tcase(su, core);
    TCase *models = tcase_create("models");
    tcase_set_timeout(models, 240);
    tcase_add_test(models, cdnow_published);
    tcase_add_test(models, sbg_published);
    tcase_add_test(models, sbg_boundaries);
    tcase_add_test(models, bgnbd_dropout_one);
    tcase_add_test(models, bgbb_published);
    tcase_add_test(models, bgnbd_recovers_simulated);
    tcase_add_test(models, other_models_recover_simulated);
    tcase_add_test(models, model_bad_input);
    suite_add_tcase(su, models);
    return run_suite(su);
}
