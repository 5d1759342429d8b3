/* Tests of the lifecycle of the base per period (cx_lifecycle_run: new,
 * returning, resurrecting, dormant) and of stickiness (cx_stickiness_run:
 * customers by active days per period) on hand-made customers, in UTC and
 * in another offset, from the acquisition, on generated data where the
 * counts must add up, and bad arguments. Public API only. */
#include "cx_test.h"

static void buy(cx_store *s, const char *c, const char *iso)
{
    OK(cx_transaction_add(NULL, s, NULL, c, T(iso), 10));
}

/* A: 1 and 2 Jan, 10 Feb, 5 Apr; B: 3 Feb twice, 20 Feb; C: 31 Mar 23:30
 * UTC (1 Apr at UTC+1); D: nothing. */
static cx_store *four(cx_time a_acquired)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, a_acquired));
    OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "D", NULL, NULL, NULL, CX_TIME_NONE));
    buy(s, "A", "2024-04-05T10:00:00Z"); /* out of time order on purpose */
    buy(s, "A", "2024-01-01T10:00:00Z");
    buy(s, "A", "2024-01-02T10:00:00Z");
    buy(s, "B", "2024-02-03T09:00:00Z");
    buy(s, "B", "2024-02-03T18:00:00Z");
    buy(s, "A", "2024-02-10T10:00:00Z");
    buy(s, "B", "2024-02-20T10:00:00Z");
    buy(s, "C", "2024-03-31T23:30:00Z");
    return s;
}

/* Row k of a lifecycle table: label, active, new, returning, resurrecting, dormant. */
static void lc_row(const cx_result *r, size_t k, const char *label, int active, int nw, int ret, int res, int dorm)
{
    ck_assert_str_eq(result_str(r, k, "period_label"), label);
    EXPECT(result_int(r, k, "active") == active && result_int(r, k, "new") == nw &&
               result_int(r, k, "returning") == ret && result_int(r, k, "resurrecting") == res &&
               result_int(r, k, "dormant") == dorm,
           "%s: active %lld new %lld returning %lld resurrecting %lld dormant %lld", label,
           (long long)result_int(r, k, "active"), (long long)result_int(r, k, "new"),
           (long long)result_int(r, k, "returning"), (long long)result_int(r, k, "resurrecting"),
           (long long)result_int(r, k, "dormant"));
}

START_TEST(lifecycle_by_hand)
{
    cx_store *s = four(CX_TIME_NONE);
    cx_result *r;
    OK(cx_lifecycle_run(&r, s, NULL));
    ck_assert_uint_eq(cx_result_row_count(r), 4);
    lc_row(r, 0, "2024-01", 1, 1, 0, 0, 0);
    lc_row(r, 1, "2024-02", 2, 1, 1, 0, 0);
    lc_row(r, 2, "2024-03", 1, 1, 0, 0, 2);
    lc_row(r, 3, "2024-04", 1, 0, 0, 1, 1);
    ck_assert(isnan(result_real(r, 0, "quick_ratio")));
    NEAR(result_real(r, 2, "quick_ratio"), 0.5, 1e-15);
    NEAR(result_real(r, 3, "quick_ratio"), 1, 1e-15);
    ck_assert_int_eq(result_int(r, 1, "period_start"), T("2024-02-01T00:00:00Z"));
    cx_result_free(r);
    /* at UTC+1, C's purchase is on 1 April */
    cx_cohorts_options *o;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_offset(o, 60));
    OK(cx_lifecycle_run(&r, s, o));
    lc_row(r, 2, "2024-03", 0, 0, 0, 0, 2);
    lc_row(r, 3, "2024-04", 2, 1, 0, 1, 0);
    ck_assert_int_eq(result_int(r, 3, "period_start"), T("2024-03-31T23:00:00Z"));
    cx_result_free(r);
    /* weeks: A's two January days are one week, then nothing until 10 Feb */
    OK(cx_cohorts_options_set_offset(o, 0));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_WEEK));
    OK(cx_lifecycle_run(&r, s, o));
    lc_row(r, 0, "2024-W01", 1, 1, 0, 0, 0);
    lc_row(r, 1, "2024-W02", 0, 0, 0, 0, 1);
    cx_result_free(r);
    cx_cohorts_options_free(o);
    cx_store_free(s);
    /* from the acquisition: A acquired 1 Feb, its January ignored */
    s = four(T("2024-02-01T00:00:00Z"));
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_start(o, CX_COHORT_ACQUIRED));
    OK(cx_lifecycle_run(&r, s, o));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    lc_row(r, 0, "2024-02", 1, 1, 0, 0, 0);
    lc_row(r, 1, "2024-03", 0, 0, 0, 0, 1);
    lc_row(r, 2, "2024-04", 1, 0, 0, 1, 0);
    cx_result_free(r);
    cx_cohorts_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(stickiness_by_hand)
{
    cx_store *s = four(CX_TIME_NONE);
    cx_result *r;
    OK(cx_stickiness_run(&r, s, NULL));
    /* 31 + 29 + 31 + 30 days of 2024 */
    ck_assert_uint_eq(cx_result_row_count(r), 121);
    size_t feb = 31;
    ck_assert_str_eq(result_str(r, 1, "period_label"), "2024-01");
    ck_assert_int_eq(result_int(r, 1, "days"), 2);
    ck_assert_int_eq(result_int(r, 1, "customers"), 1); /* A on 1 and 2 Jan */
    ck_assert_int_eq(result_int(r, 0, "customers"), 0);
    ck_assert_str_eq(result_str(r, feb, "period_label"), "2024-02");
    ck_assert_int_eq(result_int(r, feb, "days"), 1);
    ck_assert_int_eq(result_int(r, feb, "customers"), 1);     /* A */
    ck_assert_int_eq(result_int(r, feb + 1, "customers"), 1); /* B: two purchases on 3 Feb are one day */
    ck_assert_int_eq(result_int(r, feb + 28, "days"), 29);
    ck_assert_int_eq(result_int(r, feb + 1, "active"), 2);
    NEAR(result_real(r, feb + 1, "share"), 0.5, 1e-15);
    ck_assert_int_eq(result_int(r, 31 + 29, "customers"), 1); /* C in March */
    ck_assert_int_eq(result_int(r, 120, "days"), 30);
    ck_assert_int_eq(result_int(r, 120, "active"), 1);
    cx_result_free(r);
    /* days of a day bucket: one row per day, everyone active on 1 */
    cx_cohorts_options *o;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_DAY));
    OK(cx_stickiness_run(&r, s, o));
    ck_assert_uint_eq(cx_result_row_count(r), 31 + 29 + 31 + 5); /* 1 Jan to 5 Apr */
    ck_assert_int_eq(result_int(r, 0, "customers"), 1);
    ck_assert_int_eq(result_int(r, 0, "days"), 1);
    cx_result_free(r);
    cx_cohorts_options_free(o);
    cx_store_free(s);
}
END_TEST

/* Generated activity: each period's new + returning + resurrecting is its
 * active count, the dormant of a period are the active of the one before
 * minus its returning, the active equal the cohort table's sums, and the
 * stickiness rows of a period add up to its active customers. */
START_TEST(counts_add_up)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    uint64_t seed = 7;
    for (int c = 0; c < 300; c++) {
        char id[16];
        snprintf(id, sizeof id, "C%03d", c);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        int n = (int)(splitmix64(&seed) % 12);
        for (int k = 0; k < n; k++) {
            cx_time t = T("2024-01-01T00:00:00Z") + (cx_time)(splitmix64(&seed) % (300 * DAY_MS / 1000)) * 1000;
            if (k % 2)
                OK(cx_transaction_add(NULL, s, NULL, id, t, 5));
            else
                OK(cx_interaction_add(NULL, s, NULL, id, "web", t, "visit", k % 4 ? CX_INBOUND : CX_OUTBOUND, NULL,
                                      NULL, 0, CX_HANDLED, 0));
        }
    }
    for (int bucket = CX_BUCKET_WEEK; bucket <= CX_BUCKET_QUARTER; bucket++) {
        cx_cohorts_options *o;
        OK(cx_cohorts_options_new(&o));
        OK(cx_cohorts_options_set_bucket(o, (cx_bucket)bucket));
        OK(cx_cohorts_options_set_activity(o, CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND));
        OK(cx_cohorts_options_set_offset(o, -300));
        cx_result *lc, *co, *st;
        OK(cx_lifecycle_run(&lc, s, o));
        OK(cx_cohorts_run(&co, s, o));
        OK(cx_stickiness_run(&st, s, o));
        int64_t prev = 0, news = 0;
        for (size_t k = 0; k < cx_result_row_count(lc); k++) {
            int64_t a = result_int(lc, k, "active");
            ck_assert_int_eq(result_int(lc, k, "new") + result_int(lc, k, "returning") +
                                 result_int(lc, k, "resurrecting"),
                             a);
            ck_assert_int_eq(result_int(lc, k, "dormant"), prev - result_int(lc, k, "returning"));
            news += result_int(lc, k, "new");
            int64_t sum = 0;
            for (size_t q = 0; q < cx_result_row_count(co); q++)
                if (result_int(co, q, "period_start") == result_int(lc, k, "period_start"))
                    sum += result_int(co, q, "active");
            ck_assert_int_eq(sum, a);
            int64_t st_sum = 0, st_days = 0;
            for (size_t q = 0; q < cx_result_row_count(st); q++)
                if (result_int(st, q, "period_start") == result_int(lc, k, "period_start")) {
                    st_sum += result_int(st, q, "customers");
                    ck_assert_int_eq(result_int(st, q, "active"), a);
                    st_days++;
                }
            ck_assert_int_eq(st_sum, a);
            ck_assert_int_ge(st_days, 7);
            prev = a;
        }
        ck_assert_int_gt(news, 200); /* most customers have activity */
        cx_result_free(lc);
        cx_result_free(co);
        cx_result_free(st);
        cx_cohorts_options_free(o);
    }
    cx_store_free(s);
}
END_TEST

START_TEST(bad_arguments)
{
    cx_store *s;
    OK(cx_store_new(&s));
    cx_result *r;
    FAILS(cx_lifecycle_run(NULL, s, NULL), CX_EINVAL, "cx_lifecycle_run");
    FAILS(cx_lifecycle_run(&r, NULL, NULL), CX_EINVAL, "cx_lifecycle_run");
    FAILS(cx_stickiness_run(NULL, s, NULL), CX_EINVAL, "cx_stickiness_run");
    FAILS(cx_stickiness_run(&r, NULL, NULL), CX_EINVAL, "cx_stickiness_run");
    /* an empty store: no period */
    OK(cx_lifecycle_run(&r, s, NULL));
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    cx_result_free(r);
    OK(cx_stickiness_run(&r, s, NULL));
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    cx_result_free(r);
    /* days 40 years apart: too many periods, refused before anything that size */
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_transaction_add(NULL, s, NULL, "A", T("1980-01-01T00:00:00Z"), 1));
    OK(cx_transaction_add(NULL, s, NULL, "A", T("2020-01-01T00:00:00Z"), 1));
    cx_cohorts_options *o;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_DAY));
    FAILS(cx_stickiness_run(&r, s, o), CX_ELIMIT, "cx_stickiness_run");
    FAILS(cx_lifecycle_run(&r, s, o), CX_ELIMIT, "cx_lifecycle_run");
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_YEAR));
    OK(cx_stickiness_run(&r, s, o));
    ck_assert_uint_eq(cx_result_row_count(r), 14976); /* the days of 1980 to 2020 */
    cx_result_free(r);
    cx_cohorts_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(out_of_memory)
{
    cxt_alloc f = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &f));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
    buy(s, "A", "2024-01-01T10:00:00Z");
    buy(s, "B", "2024-02-01T10:00:00Z");
    buy(s, "A", "2024-03-01T10:00:00Z");
    for (int which = 0; which < 2; which++) {
        size_t base = f.live;
        bool done = false;
        for (long n = 0; !done && n < 1000; n++) {
            cx_result *r = NULL;
            cxt_alloc_allow(&f, n);
            int rc = which ? cx_stickiness_run(&r, s, NULL) : cx_lifecycle_run(&r, s, NULL);
            cxt_alloc_allow(&f, -1);
            ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d: %s", rc, cx_last_error());
            if (rc == CX_OK) {
                ck_assert_uint_eq(cx_result_row_count(r), which ? 31 + 29 + 31 : 3);
                cx_result_free(r);
                done = true;
            } else {
                ck_assert_ptr_null(r);
            }
            ck_assert_uint_eq(f.live, base);
        }
        ck_assert(done);
    }
    cx_store_free(s);
    cxt_alloc_done(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("activity");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 120);
    tcase_add_test(core, lifecycle_by_hand);
    tcase_add_test(core, stickiness_by_hand);
    tcase_add_test(core, counts_add_up);
    tcase_add_test(core, bad_arguments);
    tcase_add_test(core, out_of_memory);
    suite_add_tcase(su, core);
    return run_suite(su);
}
