/* Service cycles (cycles.h): the case-event log, its CSV import, the cycles
 * of hand-worked cases, the documented rules for inconsistent sequences,
 * the summary's statistics, the store's check and erasure, hostile input
 * and allocation failures. */
#include "cx_test.h"

#define H(n) ((n) * HOUR_MS)

static size_t rows(const cx_result *r) { return cx_result_row_count(r); }

/* Case A: three cycles, the last open; case B: one cycle of one hour.
 * Added out of order on purpose. */
static cx_case_events *two_cases(cx_alloc_fn fn, void *ud)
{
    cx_case_events *e;
    OK(cx_case_events_new_with_allocator(&e, fn, ud));
    cx_time t0 = T("2024-03-01T10:00:00Z");
    OK(cx_case_events_add(e, "A", t0 + DAY_MS + H(4), CX_CASE_EVENT_RESOLVED, "Noura"));
    OK(cx_case_events_add(e, "B", t0 + H(1), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "A", t0, CX_CASE_EVENT_OPENED, "Omar"));
    OK(cx_case_events_add(e, "A", t0 + 3 * DAY_MS, CX_CASE_EVENT_REOPENED, NULL));
    OK(cx_case_events_add(e, "A", t0 + H(2), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "A", t0 + DAY_MS, CX_CASE_EVENT_REOPENED, NULL));
    OK(cx_case_events_add(e, "B", t0, CX_CASE_EVENT_OPENED, NULL));
    return e;
}

START_TEST(hand_worked)
{
    cx_case_events *e = two_cases(NULL, NULL);
    ck_assert_uint_eq(cx_case_events_count(e), 7);
    ck_assert_uint_eq(cx_case_events_case_count(e), 2);
    cx_result *r;
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert_uint_eq(rows(r), 4);
    cx_time t0 = T("2024-03-01T10:00:00Z");
    /* A 1: 10:00 to 12:00; A 2: a day later to 4 h after; A 3: open; B 1: one hour */
    const char *cases[] = {"A", "A", "A", "B"};
    int64_t cycle[] = {1, 2, 3, 1}, opened[] = {t0, t0 + DAY_MS, t0 + 3 * DAY_MS, t0};
    int64_t resolved[] = {t0 + H(2), t0 + DAY_MS + H(4), CX_TIME_NONE, t0 + H(1)};
    double dur[] = {(double)H(2), (double)H(4), NAN, (double)H(1)};
    double lag[] = {NAN, (double)(DAY_MS - H(2)), (double)(2 * DAY_MS - H(4)), NAN};
    int64_t reopened[] = {1, 1, 0, 0}, case_reopens[] = {2, 2, 2, 0};
    const char *agent[] = {"Omar", "Noura", NULL, NULL};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(result_str(r, i, "case"), cases[i]);
        ck_assert_int_eq(result_int(r, i, "cycle"), cycle[i]);
        ck_assert_int_eq(result_int(r, i, "opened"), opened[i]);
        ck_assert_int_eq(result_int(r, i, "resolved"), resolved[i]);
        double d = result_real(r, i, "duration_ms"), l = result_real(r, i, "reopen_lag_ms");
        ck_assert(isnan(dur[i]) ? isnan(d) : d == dur[i]);
        ck_assert(isnan(lag[i]) ? isnan(l) : l == lag[i]);
        ck_assert_int_eq(result_int(r, i, "reopened"), reopened[i]);
        ck_assert_int_eq(result_int(r, i, "case_reopens"), case_reopens[i]);
        ck_assert_int_eq(result_int(r, i, "ignored_events"), 0);
        const char *a = result_str(r, i, "agent");
        ck_assert(agent[i] ? a && strcmp(a, agent[i]) == 0 : a == NULL);
        ck_assert_ptr_null(result_str(r, i, "customer"));
        ck_assert_ptr_null(result_str(r, i, "store_check"));
    }
    cx_result_free(r);
    /* nothing to report */
    OK(cx_cycles_check(&r, e, NULL));
    ck_assert_uint_eq(rows(r), 0);
    cx_result_free(r);
    cx_case_events_free(e);
}
END_TEST

/* Equal times keep the order of addition: opened then resolved at the same
 * millisecond is a cycle of 0 ms; the other way round the resolution comes
 * before the opening and is ignored. */
START_TEST(equal_times)
{
    cx_case_events *e;
    OK(cx_case_events_new(&e));
    cx_time t = T("2024-05-01T08:00:00Z");
    OK(cx_case_events_add(e, "X", t, CX_CASE_EVENT_OPENED, NULL));
    OK(cx_case_events_add(e, "X", t, CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "Y", t, CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "Y", t, CX_CASE_EVENT_OPENED, NULL));
    cx_result *r;
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert_uint_eq(rows(r), 2);
    ck_assert(result_real(r, 0, "duration_ms") == 0);
    ck_assert_str_eq(result_str(r, 1, "case"), "Y");
    ck_assert(isnan(result_real(r, 1, "duration_ms")));
    ck_assert_int_eq(result_int(r, 1, "ignored_events"), 1);
    cx_result_free(r);
    OK(cx_cycles_check(&r, e, NULL));
    ck_assert_uint_eq(rows(r), 1);
    ck_assert_str_eq(result_str(r, 0, "problem"), "before the opening");
    ck_assert_str_eq(result_str(r, 0, "event"), "resolved");
    cx_result_free(r);
    cx_case_events_free(e);
}
END_TEST

/* A case with many events (past the insertion sort), added newest first,
 * with ties at equal times kept in order of addition. */
START_TEST(many_events)
{
    cx_case_events *e;
    OK(cx_case_events_new(&e));
    cx_time t = T("2024-01-01T00:00:00Z");
    /* 20 cycles: opening, then resolved / reopened alternately, each an hour
     * after the previous event; cycle k lasts k ms longer than an hour */
    for (int k = 19; k >= 0; k--) {
        cx_time opened = t + 2 * k * H(1);
        OK(cx_case_events_add(e, "M", opened + H(1) + k, CX_CASE_EVENT_RESOLVED, NULL));
        OK(cx_case_events_add(e, "M", opened, k ? CX_CASE_EVENT_REOPENED : CX_CASE_EVENT_OPENED, NULL));
    }
    cx_result *r;
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert_uint_eq(rows(r), 20);
    for (size_t i = 0; i < 20; i++) {
        ck_assert_int_eq(result_int(r, i, "cycle"), (int64_t)i + 1);
        ck_assert(result_real(r, i, "duration_ms") == (double)(H(1) + (int64_t)i));
        ck_assert_int_eq(result_int(r, i, "ignored_events"), 0);
        ck_assert_int_eq(result_int(r, i, "case_reopens"), 19);
    }
    cx_result_free(r);
    cx_case_events_free(e);
}
END_TEST

START_TEST(inconsistent)
{
    cx_case_events *e;
    OK(cx_case_events_new(&e));
    cx_time t = T("2024-05-01T08:00:00Z");
    /* C: reopened before the opening, opened, reopened while open, resolved,
     * resolved again (ignored: the first stays), opened again, reopened, resolved */
    OK(cx_case_events_add(e, "C", t - H(1), CX_CASE_EVENT_REOPENED, NULL));
    OK(cx_case_events_add(e, "C", t, CX_CASE_EVENT_OPENED, NULL));
    OK(cx_case_events_add(e, "C", t + H(1), CX_CASE_EVENT_REOPENED, NULL));
    OK(cx_case_events_add(e, "C", t + H(2), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "C", t + H(3), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "C", t + H(4), CX_CASE_EVENT_OPENED, NULL));
    OK(cx_case_events_add(e, "C", t + H(5), CX_CASE_EVENT_REOPENED, NULL));
    OK(cx_case_events_add(e, "C", t + H(8), CX_CASE_EVENT_RESOLVED, NULL));
    /* D: no opening at all */
    OK(cx_case_events_add(e, "D", t, CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "D", t + H(1), CX_CASE_EVENT_REOPENED, NULL));
    cx_result *r;
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert_uint_eq(rows(r), 2);
    ck_assert_int_eq(result_int(r, 0, "resolved"), t + H(2));
    ck_assert_int_eq(result_int(r, 0, "ignored_events"), 4);
    ck_assert_int_eq(result_int(r, 1, "opened"), t + H(5));
    ck_assert(result_real(r, 1, "reopen_lag_ms") == (double)H(3));
    ck_assert(result_real(r, 1, "duration_ms") == (double)H(3));
    ck_assert_int_eq(result_int(r, 1, "ignored_events"), 0);
    cx_result_free(r);

    OK(cx_cycles_check(&r, e, NULL));
    const char *want[] = {"before the opening", "reopened while open", "resolved twice", "opened again",
                          "no opening"};
    ck_assert_uint_eq(rows(r), 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(result_str(r, i, "problem"), want[i]);
    ck_assert_int_eq(result_int(r, 2, "time"), t + H(3));
    ck_assert_str_eq(result_str(r, 4, "case"), "D");
    ck_assert_int_eq(result_int(r, 4, "time"), CX_TIME_NONE);
    ck_assert_ptr_null(result_str(r, 4, "event"));
    cx_result_free(r);

    /* strict: the first problem fails the call, naming case, event and rule */
    cx_cycles_options *o;
    OK(cx_cycles_options_new(&o));
    OK(cx_cycles_options_set_strict(o, 1));
    r = (cx_result *)1;
    FAILS(cx_cycles_run(&r, e, NULL, o), CX_EORDER, "cx_cycles_run");
    ck_assert_ptr_null(r);
    MSG_HAS("case \"C\"");
    MSG_HAS("before the opening");
    FAILS(cx_cycles_summary(&r, e, NULL, o), CX_EORDER, "cx_cycles_summary");
    cx_cycles_options_free(o);
    cx_case_events_free(e);
}
END_TEST

/* A store with cases E1 (reopened once, consistent), E2 (the store says no
 * reopening) and E3 of another customer; the log also names Z (no case). */
static cx_store *service_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C-2", NULL, NULL, NULL, CX_TIME_NONE));
    cx_time t = T("2024-06-01T09:00:00Z");
    OK(cx_case_add(s, "E1", "C-1", "email", "high", "Sara", t, CX_TIME_NONE, t + DAY_MS + H(6), 1, 2));
    OK(cx_case_add(s, "E2", "C-1", "phone", "low", "Ali", t, CX_TIME_NONE, t + DAY_MS + H(2), 0, 1));
    OK(cx_case_add(s, "E3", "C-2", "email", "low", "Sara", t, CX_TIME_NONE, t + H(1), 0, 1));
    return s;
}

static cx_case_events *service_events(void)
{
    cx_case_events *e;
    OK(cx_case_events_new(&e));
    cx_time t = T("2024-06-01T09:00:00Z");
    OK(cx_case_events_add(e, "E1", t, CX_CASE_EVENT_OPENED, NULL));
    OK(cx_case_events_add(e, "E1", t + H(2), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "E1", t + DAY_MS, CX_CASE_EVENT_REOPENED, NULL));
    OK(cx_case_events_add(e, "E1", t + DAY_MS + H(6), CX_CASE_EVENT_RESOLVED, "Huda"));
    OK(cx_case_events_add(e, "E2", t, CX_CASE_EVENT_OPENED, NULL));
    OK(cx_case_events_add(e, "E2", t + H(1), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "E2", t + DAY_MS, CX_CASE_EVENT_REOPENED, NULL));
    OK(cx_case_events_add(e, "E2", t + DAY_MS + H(2), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "E3", t, CX_CASE_EVENT_OPENED, NULL));
    OK(cx_case_events_add(e, "E3", t + H(1), CX_CASE_EVENT_RESOLVED, NULL));
    OK(cx_case_events_add(e, "Z", t, CX_CASE_EVENT_OPENED, NULL));
    return e;
}

START_TEST(with_store)
{
    cx_store *s = service_store();
    cx_case_events *e = service_events();
    cx_result *r;
    OK(cx_cycles_run(&r, e, s, NULL));
    ck_assert_uint_eq(rows(r), 5); /* Z dropped */
    ck_assert_str_eq(result_str(r, 0, "customer"), "C-1");
    ck_assert_str_eq(result_str(r, 0, "channel"), "email");
    ck_assert_str_eq(result_str(r, 0, "priority"), "high");
    ck_assert_str_eq(result_str(r, 0, "agent"), "Sara"); /* no event agent: the case's */
    ck_assert_str_eq(result_str(r, 1, "agent"), "Huda"); /* the one who resolved cycle 2 */
    ck_assert_str_eq(result_str(r, 0, "store_check"), "ok");
    ck_assert_str_eq(result_str(r, 1, "store_check"), "ok");
    ck_assert_str_eq(result_str(r, 2, "store_check"), "reopens: store 0, log 1");
    ck_assert_str_eq(result_str(r, 4, "case"), "E3");
    ck_assert_str_eq(result_str(r, 4, "customer"), "C-2");
    cx_result_free(r);

    OK(cx_cycles_check(&r, e, s));
    ck_assert_uint_eq(rows(r), 2);
    ck_assert_str_eq(result_str(r, 0, "case"), "E2");
    ck_assert_str_eq(result_str(r, 0, "problem"), "reopens: store 0, log 1");
    ck_assert_str_eq(result_str(r, 1, "case"), "Z");
    ck_assert_str_eq(result_str(r, 1, "problem"), "case not in the store");
    cx_result_free(r);

    cx_cycles_options *o;
    OK(cx_cycles_options_new(&o));
    OK(cx_cycles_options_set_strict(o, 1));
    FAILS(cx_cycles_run(&r, e, s, o), CX_ENOTFOUND, "cx_cycles_run");
    MSG_HAS("\"Z\"");
    cx_cycles_options_free(o);

    /* erasure: C-1 forgotten, its cases E1 and E2 go, and with them their cycles */
    const char *who[] = {"C-1"};
    OK(cx_customer_forget(NULL, s, 1, who));
    OK(cx_cycles_run(&r, e, s, NULL));
    ck_assert_uint_eq(rows(r), 1);
    ck_assert_str_eq(result_str(r, 0, "case"), "E3");
    cx_result_free(r);
    size_t removed = 0;
    OK(cx_case_events_prune(&removed, e, s));
    ck_assert_uint_eq(removed, 9);
    ck_assert_uint_eq(cx_case_events_count(e), 2);
    ck_assert_uint_eq(cx_case_events_case_count(e), 1);
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert_uint_eq(rows(r), 1);
    ck_assert_str_eq(result_str(r, 0, "case"), "E3");
    cx_result_free(r);
    OK(cx_case_events_prune(&removed, e, s));
    ck_assert_uint_eq(removed, 0);
    cx_case_events_free(e);
    cx_store_free(s);
}
END_TEST

START_TEST(summary)
{
    /* cycle 1: 1 h, 2 h, 3 h (and one open); cycle 2: 4 h, 6 h; cycle 3: 5 h */
    cx_case_events *e;
    OK(cx_case_events_new(&e));
    cx_time t = T("2024-07-01T00:00:00Z");
    OK(cx_case_events_add(e, "a", t, CX_CASE_EVENT_OPENED, "x"));
    OK(cx_case_events_add(e, "a", t + H(1), CX_CASE_EVENT_RESOLVED, "x"));
    OK(cx_case_events_add(e, "a", t + H(11), CX_CASE_EVENT_REOPENED, "x"));
    OK(cx_case_events_add(e, "a", t + H(15), CX_CASE_EVENT_RESOLVED, "x"));
    OK(cx_case_events_add(e, "b", t, CX_CASE_EVENT_OPENED, "y"));
    OK(cx_case_events_add(e, "b", t + H(2), CX_CASE_EVENT_RESOLVED, "y"));
    OK(cx_case_events_add(e, "b", t + H(4), CX_CASE_EVENT_REOPENED, "y"));
    OK(cx_case_events_add(e, "b", t + H(10), CX_CASE_EVENT_RESOLVED, "y"));
    OK(cx_case_events_add(e, "b", t + H(30), CX_CASE_EVENT_REOPENED, "y"));
    OK(cx_case_events_add(e, "b", t + H(35), CX_CASE_EVENT_RESOLVED, "y"));
    OK(cx_case_events_add(e, "c", t, CX_CASE_EVENT_OPENED, "x"));
    OK(cx_case_events_add(e, "c", t + H(3), CX_CASE_EVENT_RESOLVED, "x"));
    OK(cx_case_events_add(e, "d", t, CX_CASE_EVENT_OPENED, "y"));
    cx_result *r;
    OK(cx_cycles_summary(&r, e, NULL, NULL));
    ck_assert_uint_eq(rows(r), 3);
    ck_assert_uint_eq(cx_result_column_count(r), 11);
    ck_assert_int_eq(result_int(r, 0, "cycle"), 1);
    ck_assert_int_eq(result_int(r, 0, "cycles"), 4);
    ck_assert_int_eq(result_int(r, 0, "resolved"), 3);
    ck_assert_int_eq(result_int(r, 0, "open"), 1);
    NEAR(result_real(r, 0, "mean_ms"), H(2), 0);
    NEAR(result_real(r, 0, "median_ms"), H(2), 0);
    NEAR(result_real(r, 0, "p90_ms"), 2.8 * (double)H(1), 1e-3);
    ck_assert_int_eq(result_int(r, 0, "reopened"), 2);
    NEAR(result_real(r, 0, "reopen_share"), 2.0 / 3.0, 1e-15);
    ck_assert(isnan(result_real(r, 0, "median_lag_ms")));
    NEAR(result_real(r, 0, "ratio_to_first"), 1, 0);
    ck_assert_int_eq(result_int(r, 1, "cycles"), 2);
    NEAR(result_real(r, 1, "median_ms"), H(5), 0);
    NEAR(result_real(r, 1, "p90_ms"), 5.8 * (double)H(1), 1e-3);
    NEAR(result_real(r, 1, "median_lag_ms"), H(6), 0); /* lags 10 h and 2 h */
    NEAR(result_real(r, 1, "ratio_to_first"), 2.5, 1e-15);
    NEAR(result_real(r, 1, "reopen_share"), 0.5, 0);
    ck_assert_int_eq(result_int(r, 2, "cycle"), 3);
    NEAR(result_real(r, 2, "median_ms"), H(5), 0);
    NEAR(result_real(r, 2, "median_lag_ms"), H(20), 0);
    NEAR(result_real(r, 2, "reopen_share"), 0, 0);
    cx_result_free(r);

    cx_cycles_options *o;
    OK(cx_cycles_options_new(&o));
    OK(cx_cycles_options_set_group(o, CX_CYCLES_BY_AGENT));
    OK(cx_cycles_summary(&r, e, NULL, o));
    ck_assert_uint_eq(rows(r), 5); /* x: 1, 2; y: 1, 2, 3 */
    ck_assert_str_eq(result_str(r, 0, "agent"), "x");
    ck_assert_int_eq(result_int(r, 0, "cycles"), 2);
    NEAR(result_real(r, 0, "median_ms"), H(2), 0); /* 1 h and 3 h */
    NEAR(result_real(r, 1, "ratio_to_first"), 2, 0); /* 4 h / 2 h */
    ck_assert_str_eq(result_str(r, 2, "agent"), "y");
    ck_assert_int_eq(result_int(r, 2, "open"), 1);
    NEAR(result_real(r, 3, "ratio_to_first"), 3, 0); /* 6 h / 2 h */
    cx_result_free(r);
    OK(cx_cycles_options_set_group(o, CX_CYCLES_BY_CHANNEL));
    FAILS(cx_cycles_summary(&r, e, NULL, o), CX_EINVAL, "cx_cycles_summary");
    MSG_HAS("needs a store");
    cx_cycles_options_free(o);

    /* an empty log: empty results */
    cx_case_events *none;
    OK(cx_case_events_new(&none));
    OK(cx_cycles_summary(&r, none, NULL, NULL));
    ck_assert_uint_eq(rows(r), 0);
    cx_result_free(r);
    OK(cx_cycles_run(&r, none, NULL, NULL));
    ck_assert_uint_eq(rows(r), 0);
    cx_result_free(r);
    cx_case_events_free(none);
    cx_case_events_free(e);
}
END_TEST

START_TEST(summary_by_store_group)
{
    cx_store *s = service_store();
    cx_case_events *e = service_events();
    cx_cycles_options *o;
    OK(cx_cycles_options_new(&o));
    OK(cx_cycles_options_set_group(o, CX_CYCLES_BY_CHANNEL));
    cx_result *r;
    OK(cx_cycles_summary(&r, e, s, o));
    /* email: E1 (2 cycles), E3 (1); phone: E2 (2) */
    ck_assert_uint_eq(rows(r), 4);
    ck_assert_str_eq(result_str(r, 0, "channel"), "email");
    ck_assert_int_eq(result_int(r, 0, "cycles"), 2);
    NEAR(result_real(r, 0, "median_ms"), 1.5 * (double)H(1), 0);
    NEAR(result_real(r, 1, "median_ms"), H(6), 0);
    NEAR(result_real(r, 1, "ratio_to_first"), 4, 0);
    ck_assert_str_eq(result_str(r, 2, "channel"), "phone");
    NEAR(result_real(r, 3, "ratio_to_first"), 2, 0);
    cx_result_free(r);
    OK(cx_cycles_options_set_group(o, CX_CYCLES_BY_PRIORITY));
    OK(cx_cycles_summary(&r, e, s, o));
    ck_assert_str_eq(result_str(r, 0, "priority"), "high");
    cx_result_free(r);
    cx_cycles_options_free(o);
    cx_case_events_free(e);
    cx_store_free(s);
}
END_TEST

START_TEST(import_csv)
{
    /* a BOM, CRLF, a quoted id with a comma and a quote, Arabic, an extra
     * column, columns in another order, a blank line, an empty agent */
    const char *good = "\xEF\xBB\xBFnote,event,time,case,agent\r\n"
                       "x,opened,2024-01-01T10:00:00+03:00,\"T,1 \"\"q\"\"\",نورة\r\n"
                       "\r\n"
                       "y,RESOLVED,2024-01-01T12:30:00+03:00,\"T,1 \"\"q\"\"\",\r\n"
                       "z,opened,2024-01-02,تذكرة-٢,\r\n";
    cx_case_events *e;
    OK(cx_case_events_new(&e));
    OK(cx_case_events_import_csv(e, write_file("ev.csv", good)));
    ck_assert_uint_eq(cx_case_events_count(e), 3);
    cx_result *r;
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert_uint_eq(rows(r), 2);
    ck_assert_str_eq(result_str(r, 0, "case"), "T,1 \"q\"");
    ck_assert_str_eq(result_str(r, 0, "agent"), "نورة");
    NEAR(result_real(r, 0, "duration_ms"), 2.5 * (double)H(1), 0);
    ck_assert_str_eq(result_str(r, 1, "case"), "تذكرة-٢");
    ck_assert_int_eq(result_int(r, 1, "opened"), T("2024-01-02T00:00:00Z"));
    cx_result_free(r);

    /* bad rows: refused with file, line, column and why; nothing added */
    struct {
        const char *text, *code_part, *msg;
        int code;
    } bad[] = {
        {"case,time,event\nA,2024-01-01,opened\nA,yesterday,resolved\n", ":3, column 2 (\"time\")",
         "not an ISO-8601 time", CX_EINVAL},
        {"case,time,event\nA,2024-01-01,opened\nA,2024-01-02,closed\n", ":3, column 3 (\"event\")",
         "not an event kind", CX_EINVAL},
        {"case,time,event\n\"A\xff\",2024-01-01,opened\n", ":2, column 1 (\"case\")", "not valid UTF-8", CX_EINVAL},
        {"case,time,event\n,2024-01-01,opened\n", ":2, column 1", "empty", CX_EINVAL},
        {"case,time,event\nA,,opened\n", ":2, column 2", "missing", CX_EINVAL},
        {"case,time,event\nA,99999-01-01,opened\n", ":2, column 2", "not an ISO-8601 time", CX_EINVAL},
        {"case,time,event,agent\nA,2024-01-01,opened,\"\xc3\x28\"\n", ":2, column 4 (\"agent\")", "UTF-8",
         CX_EINVAL},
        {"case,time,event\nA,2024-01-01\n", ":2, column 3", "2 fields", CX_EINVAL},
        {"case,time,event\n\"A,2024-01-01,opened\n", ":2", "quote is not closed", CX_EINVAL},
        {"case,when,event\nA,2024-01-01,opened\n", "ev_bad.csv", "no column \"time\"", CX_EINVAL},
        {"", "ev_bad.csv", "empty", CX_EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_file("ev_bad.csv", bad[i].text);
        FAILS(cx_case_events_import_csv(e, path), bad[i].code, "cx_case_events_import_csv");
        MSG_HAS(bad[i].code_part);
        MSG_HAS(bad[i].msg);
        ck_assert_uint_eq(cx_case_events_count(e), 3);
        ck_assert_uint_eq(cx_case_events_case_count(e), 2);
    }
    /* a NUL byte inside a field */
    const char nul[] = "case,time,event\nA\0B,2024-01-01,opened\n";
    FAILS(cx_case_events_import_csv(e, write_bytes("nul.csv", nul, sizeof nul - 1)), CX_EINVAL,
          "cx_case_events_import_csv");
    MSG_HAS("NUL");
    FAILS(cx_case_events_import_csv(e, P("no-such-file.csv")), CX_EIO, "cx_case_events_import_csv");
    ck_assert_uint_eq(cx_case_events_count(e), 3);
    cx_case_events_free(e);
}
END_TEST

START_TEST(arguments)
{
    cx_case_events *e;
    FAILS(cx_case_events_new(NULL), CX_EINVAL, "cx_case_events_new");
    OK(cx_case_events_new(&e));
    cx_time t = T("2024-01-01T00:00:00Z");
    FAILS(cx_case_events_add(NULL, "A", t, 0, NULL), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, NULL, t, 0, NULL), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "", t, 0, NULL), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "\xc0\xaf", t, 0, NULL), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "A", CX_TIME_NONE, 0, NULL), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "A", INT64_MAX, 0, NULL), CX_ERANGE, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "A", INT64_MIN + 1, 0, NULL), CX_ERANGE, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "A", t, 3, NULL), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "A", t, -1, NULL), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "A", t, 0, ""), CX_EINVAL, "cx_case_events_add");
    FAILS(cx_case_events_add(e, "A", t, 0, "\xff"), CX_EINVAL, "cx_case_events_add");
    ck_assert_uint_eq(cx_case_events_count(e), 0);
    ck_assert_uint_eq(cx_case_events_case_count(e), 0);
    ck_assert_uint_eq(cx_case_events_count(NULL), 0);
    ck_assert_uint_eq(cx_case_events_case_count(NULL), 0);
    /* the extreme times are fine, and durations between them exact */
    OK(cx_case_events_add(e, "A", T("0000-01-01T00:00:00Z"), CX_CASE_EVENT_OPENED, NULL));
    OK(cx_case_events_add(e, "A", T("9999-12-31T23:59:59.999Z"), CX_CASE_EVENT_RESOLVED, NULL));
    cx_result *r = NULL;
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert(result_real(r, 0, "duration_ms") ==
              (double)(T("9999-12-31T23:59:59.999Z") - T("0000-01-01T00:00:00Z")));
    cx_result_free(r);
    FAILS(cx_case_events_import_csv(NULL, "x"), CX_EINVAL, "cx_case_events_import_csv");
    FAILS(cx_case_events_import_csv(e, NULL), CX_EINVAL, "cx_case_events_import_csv");
    FAILS(cx_cycles_run(NULL, e, NULL, NULL), CX_EINVAL, "cx_cycles_run");
    r = (cx_result *)1;
    FAILS(cx_cycles_run(&r, NULL, NULL, NULL), CX_EINVAL, "cx_cycles_run");
    ck_assert_ptr_null(r);
    FAILS(cx_cycles_summary(NULL, e, NULL, NULL), CX_EINVAL, "cx_cycles_summary");
    FAILS(cx_cycles_summary(&r, NULL, NULL, NULL), CX_EINVAL, "cx_cycles_summary");
    FAILS(cx_cycles_check(NULL, e, NULL), CX_EINVAL, "cx_cycles_check");
    FAILS(cx_cycles_check(&r, NULL, NULL), CX_EINVAL, "cx_cycles_check");
    FAILS(cx_case_events_prune(NULL, NULL, NULL), CX_EINVAL, "cx_case_events_prune");
    FAILS(cx_case_events_prune(NULL, e, NULL), CX_EINVAL, "cx_case_events_prune");
    cx_cycles_options *o;
    FAILS(cx_cycles_options_new(NULL), CX_EINVAL, "cx_cycles_options_new");
    OK(cx_cycles_options_new(&o));
    FAILS(cx_cycles_options_set_strict(NULL, 1), CX_EINVAL, "cx_cycles_options_set_strict");
    FAILS(cx_cycles_options_set_strict(o, 2), CX_EINVAL, "cx_cycles_options_set_strict");
    FAILS(cx_cycles_options_set_group(NULL, 0), CX_EINVAL, "cx_cycles_options_set_group");
    FAILS(cx_cycles_options_set_group(o, 4), CX_EINVAL, "cx_cycles_options_set_group");
    FAILS(cx_cycles_options_set_group(o, -1), CX_EINVAL, "cx_cycles_options_set_group");
    cx_cycles_options_free(o);
    cx_cycles_options_free(NULL);
    cx_case_events_free(NULL);
    const char *name;
    int kind;
    OK(cx_case_event_kind_name(&name, CX_CASE_EVENT_REOPENED));
    ck_assert_str_eq(name, "reopened");
    FAILS(cx_case_event_kind_name(&name, 3), CX_EINVAL, "cx_case_event_kind_name");
    FAILS(cx_case_event_kind_name(NULL, 0), CX_EINVAL, "cx_case_event_kind_name");
    OK(cx_case_event_kind_find(&kind, "Solved"));
    ck_assert_int_eq(kind, CX_CASE_EVENT_RESOLVED);
    FAILS(cx_case_event_kind_find(&kind, "closed"), CX_ENOTFOUND, "cx_case_event_kind_find");
    FAILS(cx_case_event_kind_find(NULL, "opened"), CX_EINVAL, "cx_case_event_kind_find");
    FAILS(cx_case_event_kind_find(&kind, NULL), CX_EINVAL, "cx_case_event_kind_find");
    cx_case_events_free(e);
}
END_TEST

/* Case ids a spreadsheet would run as formulas are written with a leading
 * apostrophe when the cycles are exported. */
START_TEST(formulas_exported)
{
    cx_case_events *e;
    OK(cx_case_events_new(&e));
    cx_time t = T("2024-01-01T00:00:00Z");
    OK(cx_case_events_add(e, "=HYPERLINK(\"http://x\")", t, CX_CASE_EVENT_OPENED, "+agent"));
    OK(cx_case_events_add(e, "@SUM(A1)", t, CX_CASE_EVENT_OPENED, NULL));
    cx_result *r;
    OK(cx_cycles_run(&r, e, NULL, NULL));
    ck_assert_str_eq(result_str(r, 0, "case"), "=HYPERLINK(\"http://x\")"); /* "=" sorts before "@" */
    OK(cx_result_export_csv(r, P("cycles.csv")));
    size_t n;
    char *text = slurp(P("cycles.csv"), &n);
    ck_assert_ptr_nonnull(strstr(text, "'=HYPERLINK"));
    ck_assert_ptr_nonnull(strstr(text, "'@SUM(A1)"));
    ck_assert_ptr_nonnull(strstr(text, "'+agent"));
    free(text);
    cx_result_free(r);
    /* the exported cases read back as events: the same ids */
    cx_case_events *back;
    OK(cx_case_events_new(&back));
    write_file("back.csv", "case,time,event,agent\n'=HYPERLINK(\"http://x\"),2024-01-01,opened,'+agent\n"
                           "'@SUM(A1),2024-01-01,opened,\n");
    OK(cx_case_events_import_csv(back, P("back.csv")));
    OK(cx_cycles_run(&r, back, NULL, NULL));
    ck_assert_str_eq(result_str(r, 0, "case"), "=HYPERLINK(\"http://x\")");
    ck_assert_str_eq(result_str(r, 0, "agent"), "+agent");
    ck_assert_str_eq(result_str(r, 1, "case"), "@SUM(A1)");
    cx_result_free(r);
    cx_case_events_free(back);
    cx_case_events_free(e);
}
END_TEST

/* Every allocation of the log and of the analyses comes from its allocator;
 * a refused one fails the call with nothing changed and nothing leaked. */
START_TEST(out_of_memory)
{
    cxt_alloc f = {0};
    const char *csv = write_file("ev.csv", "case,time,event,agent\nA,2024-01-01T10:00:00Z,opened,Ann\n"
                                           "A,2024-01-01T12:00:00Z,resolved,Bo\nA,2024-01-03,reopened,\n"
                                           "B,2024-01-01,opened,Ann\nB,2024-01-02,resolved,\n");
    cx_case_events *e = NULL;
    bool done = false;
    for (long n = 0; !done && n < 10000; n++) {
        cxt_alloc_allow(&f, n);
        int rc = cx_case_events_new_with_allocator(&e, cxt_alloc_fn, &f);
        if (rc == CX_OK) {
            rc = cx_case_events_import_csv(e, csv);
            if (rc != CX_OK) {
                ck_assert_uint_eq(cx_case_events_count(e), 0);
                ck_assert_uint_eq(cx_case_events_case_count(e), 0);
                cx_case_events_free(e);
                e = NULL;
            }
        }
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        done = rc == CX_OK;
        if (!done)
            ck_assert_uint_eq(f.live, 0);
    }
    ck_assert(done);
    cx_store *s = service_store();
    OK(cx_case_add(s, "A", "C-2", "email", NULL, NULL, T("2024-01-01T10:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    cx_cycles_options *o;
    OK(cx_cycles_options_new(&o));
    OK(cx_cycles_options_set_group(o, CX_CYCLES_BY_AGENT));
    for (int which = 0; which < 4; which++) {
        done = false;
        for (long n = 0; !done && n < 10000; n++) {
            size_t live = f.live, count = cx_case_events_count(e);
            cx_result *r = NULL;
            size_t removed = 0;
            cxt_alloc_allow(&f, n);
            int rc = which == 0   ? cx_cycles_run(&r, e, s, NULL)
                     : which == 1 ? cx_cycles_summary(&r, e, s, o)
                     : which == 2 ? cx_cycles_check(&r, e, s)
                                  : cx_case_events_prune(&removed, e, s);
            cxt_alloc_allow(&f, -1);
            ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
            done = rc == CX_OK;
            if (!done) {
                ck_assert_ptr_null(r);
                ck_assert_uint_eq(f.live, live);
                ck_assert_uint_eq(cx_case_events_count(e), count);
            } else if (which == 0) {
                ck_assert_uint_eq(rows(r), 2); /* A's two cycles; B is not in the store */
            } else if (which == 2) {
                ck_assert_uint_eq(rows(r), 2); /* B not in the store; A's resolution differs */
            } else if (which == 3) {
                ck_assert_uint_eq(removed, 2);
            }
            cx_result_free(r);
        }
        ck_assert(done);
    }
    ck_assert_uint_eq(cx_case_events_count(e), 3);
    cx_cycles_options_free(o);
    cx_store_free(s);
    cx_case_events_free(e);
    cxt_alloc_done(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("cycles");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 120);
    tcase_add_checked_fixture(core, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(core, hand_worked);
    tcase_add_test(core, equal_times);
    tcase_add_test(core, many_events);
    tcase_add_test(core, inconsistent);
    tcase_add_test(core, with_store);
    tcase_add_test(core, summary);
    tcase_add_test(core, summary_by_store_group);
    suite_add_tcase(su, core);
    TCase *limits = tcase_create("limits");
    tcase_set_timeout(limits, 300);
    tcase_add_checked_fixture(limits, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(limits, import_csv);
    tcase_add_test(limits, arguments);
    tcase_add_test(limits, formulas_exported);
    tcase_add_test(limits, out_of_memory);
    suite_add_tcase(su, limits);
    return run_suite(su);
}
