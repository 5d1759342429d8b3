/* Tests of the omnichannel history (cx_history_*), through the public API
 * only: one customer's interactions, cases (at their opening time), feedback
 * and transactions in time order, ties by table then row, bounds, snapshots
 * and errors. */
#include "cx_test.h"

enum { IN = CX_TABLE_INTERACTIONS, CA = CX_TABLE_CASES, FB = CX_TABLE_FEEDBACK, TR = CX_TABLE_TRANSACTIONS };

typedef struct entry {
    int table;
    size_t row;
    cx_time time;
} entry;

static cx_store *s;

/* Customer A's records, added out of time order and interleaved with B's:
 *   interactions: 0 A@1000, 1 B@3000, 2 A@2000, 3 A@5000, 4 A@4000, 5 A@4000
 *   cases:        0 B opened 500, 1 A opened 2000 (resolved 9000 later)
 *   feedback:     0 A@2000, 1 B@2000
 *   transactions: 0 A@2000, 1 A@500, 2 B@100
 * so A's history, hand-sorted (time, then table, then row), is: */
static const entry a_all[] = {
    {TR, 1, 500},  {IN, 0, 1000}, {IN, 2, 2000}, {CA, 1, 2000}, {FB, 0, 2000},
    {TR, 0, 2000}, {IN, 4, 4000}, {IN, 5, 4000}, {IN, 3, 5000},
};
#define A_ALL (sizeof a_all / sizeof a_all[0])

static void setup(void)
{
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "عميل-بلا-سجل", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "phone", "phone", "service", NULL, 1, 1));
    /* feedback and a transaction first, in the same millisecond as others */
    OK(cx_transaction_add(NULL, s, NULL, "A", 2000, 10));
    OK(cx_transaction_add(NULL, s, NULL, "A", 500, 5));
    OK(cx_transaction_add(NULL, s, NULL, "B", 100, 1));
    OK(cx_interaction_add(NULL, s, NULL, "A", "web", 1000, "visit", CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "B", "web", 3000, "visit", CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    OK(cx_case_add(s, "K-B", "B", "phone", NULL, NULL, 500, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    OK(cx_case_add(s, "K-A", "A", "phone", NULL, NULL, 2000, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    OK(cx_interaction_add(NULL, s, "IA-2", "A", "phone", 2000, "contact", CX_INBOUND, NULL, "K-A", 60000, CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "A", "web", 5000, "view", CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "A", "phone", 4000, NULL, CX_OUTBOUND, NULL, "K-A", 0, CX_MISSED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "A", "web", 4000, NULL, CX_INBOUND, NULL, NULL, 0, CX_ABANDONED, 0));
    OK(cx_feedback_add(NULL, s, NULL, "A", "csat", 2, 2000, "phone", "IA-2", "K-A", "بطيء"));
    OK(cx_feedback_add(NULL, s, NULL, "B", "nps", 10, 2000, NULL, NULL, NULL, NULL));
    /* resolving the case later does not move it: it stands at its opening */
    OK(cx_case_update(s, "K-A", 2500, 9000, 0, 2));
}

static void teardown(void) { cx_store_free(s); }

/* The history of `customer` in [from, to) is exactly `want`. */
static void assert_history(const cx_history *h, const entry *want, size_t n)
{
    ck_assert_uint_eq(cx_history_count(h), n);
    for (size_t i = 0; i < n; i++) {
        int t = -1;
        size_t r = 999;
        cx_time tm = 0;
        OK(cx_history_table(&t, h, i));
        OK(cx_history_row(&r, h, i));
        OK(cx_history_time(&tm, h, i));
        ck_assert_msg(t == want[i].table && r == want[i].row && tm == want[i].time,
                      "entry %zu is table %d row %zu at %lld, not table %d row %zu at %lld", i, t, r, (long long)tm,
                      want[i].table, want[i].row, (long long)want[i].time);
    }
}

static void assert_range(const char *customer, cx_time from, cx_time to, const entry *want, size_t n)
{
    cx_history *h = NULL;
    OK(cx_history_new(&h, s, customer, from, to));
    ck_assert_ptr_nonnull(h);
    assert_history(h, want, n);
    cx_history_free(h);
}

START_TEST(time_order_across_tables)
{
    assert_range("A", CX_TIME_NONE, CX_TIME_NONE, a_all, A_ALL);
    /* every entry's time is the one its record holds */
    cx_history *h;
    OK(cx_history_new(&h, s, "A", CX_TIME_NONE, CX_TIME_NONE));
    static const int time_col[CX_TABLE_COUNT] = {-1, -1, CX_INTERACTION_TIME, CX_CASE_OPENED, -1, CX_FEEDBACK_TIME,
                                                 CX_TRANSACTION_TIME};
    for (size_t i = 0; i < cx_history_count(h); i++) {
        int t;
        size_t r;
        cx_time tm;
        int64_t v;
        const char *who;
        OK(cx_history_table(&t, h, i));
        OK(cx_history_row(&r, h, i));
        OK(cx_history_time(&tm, h, i));
        OK(cx_store_get_int(&v, s, t, time_col[t], r));
        ck_assert_int_eq(v, tm);
        OK(cx_store_get_string(&who, s, t, t == CA ? CX_CASE_CUSTOMER : 0, r));
        ck_assert_str_eq(who, "A");
    }
    cx_history_free(h);
}
END_TEST

START_TEST(other_customers)
{
    static const entry b_all[] = {{TR, 2, 100}, {CA, 0, 500}, {FB, 1, 2000}, {IN, 1, 3000}};
    assert_range("B", CX_TIME_NONE, CX_TIME_NONE, b_all, 4);
    /* a customer with no records: an empty history, not an error */
    cx_history *h = NULL;
    OK(cx_history_new(&h, s, "عميل-بلا-سجل", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(cx_history_count(h), 0);
    int t = 77;
    ck_assert_int_eq(cx_history_table(&t, h, 0), CX_ERANGE);
    ck_assert_int_eq(t, 77);
    cx_history_free(h);
}
END_TEST

START_TEST(bounds)
{
    /* from inclusive, to exclusive */
    assert_range("A", 2000, 4000, a_all + 2, 4);
    assert_range("A", 2000, 4001, a_all + 2, 6);
    assert_range("A", 2001, 4000, NULL, 0);
    assert_range("A", 1999, 2001, a_all + 2, 4);
    assert_range("A", 500, 501, a_all, 1);
    assert_range("A", 501, 1001, a_all + 1, 1);
    /* one bound only */
    assert_range("A", 4000, CX_TIME_NONE, a_all + 6, 3);
    assert_range("A", CX_TIME_NONE, 2000, a_all, 2);
    assert_range("A", 5001, CX_TIME_NONE, NULL, 0);
    assert_range("A", CX_TIME_NONE, 500, NULL, 0);
    /* an empty range is fine, an inverted one is not */
    assert_range("A", 2000, 2000, NULL, 0);
    assert_range("A", INT64_MIN + 1, INT64_MAX, a_all, A_ALL);
    cx_history *h = (cx_history *)&h;
    ck_assert_int_eq(cx_history_new(&h, s, "A", 4000, 3999), CX_EORDER);
    ck_assert_int_eq(cx_last_error_code(), CX_EORDER);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "cx_history_new"));
    ck_assert_ptr_null(h);
    ck_assert_int_eq(cx_history_new(&h, s, "A", INT64_MAX, INT64_MIN + 1), CX_EORDER);
}
END_TEST

/* The extreme times a store accepts appear in an unbounded history. */
START_TEST(extreme_times)
{
    OK(cx_customer_add(s, "Z", NULL, NULL, NULL, CX_TIME_NONE));
    /* the first and last times a store takes: years 0000 and 9999 */
    const cx_time lo = -62167219200000LL, hi = 253402300799999LL;
    OK(cx_transaction_add(NULL, s, NULL, "Z", hi, 1));
    OK(cx_transaction_add(NULL, s, NULL, "Z", lo, 1));
    OK(cx_transaction_add(NULL, s, NULL, "Z", 0, 1));
    const entry z_all[] = {{TR, 4, lo}, {TR, 5, 0}, {TR, 3, hi}};
    assert_range("Z", CX_TIME_NONE, CX_TIME_NONE, z_all, 3);
    assert_range("Z", 0, CX_TIME_NONE, z_all + 1, 2);
    assert_range("Z", CX_TIME_NONE, 0, z_all, 1);
    assert_range("Z", CX_TIME_NONE, hi, z_all, 2); /* to is excluded, even the last time */
    assert_range("Z", INT64_MIN + 1, INT64_MAX, z_all, 3); /* bounds beyond the times a store takes */
}
END_TEST

START_TEST(snapshot)
{
    cx_history *h;
    OK(cx_history_new(&h, s, "A", CX_TIME_NONE, CX_TIME_NONE));
    /* records added afterwards, some before, some among the entries */
    OK(cx_transaction_add(NULL, s, NULL, "A", 1, 1));
    OK(cx_interaction_add(NULL, s, NULL, "A", "web", 2000, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    OK(cx_case_add(s, "K-A2", "A", "web", NULL, NULL, 3000, CX_TIME_NONE, CX_TIME_NONE, 0, 0));
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 3, 100000, NULL, NULL, NULL, NULL));
    int bad = 0;
    for (int i = 0; i < 1000; i++) /* enough to move the store's columns */
        bad |= cx_interaction_add(NULL, s, NULL, "B", "web", i, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0);
    ck_assert_int_eq(bad, CX_OK);
    assert_history(h, a_all, A_ALL);
    /* a new history sees them */
    cx_history *h2;
    OK(cx_history_new(&h2, s, "A", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_uint_eq(cx_history_count(h2), A_ALL + 4); /* their order: new_records_in_order */
    cx_history_free(h2);
    /* the history outlives the store it came from */
    cx_store_free(s);
    s = NULL;
    assert_history(h, a_all, A_ALL);
    cx_history_free(h);
}
END_TEST

START_TEST(new_records_in_order)
{
    OK(cx_transaction_add(NULL, s, NULL, "A", 1, 1));
    OK(cx_interaction_add(NULL, s, NULL, "A", "web", 2000, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    OK(cx_case_add(s, "K-A2", "A", "web", NULL, NULL, 3000, CX_TIME_NONE, CX_TIME_NONE, 0, 0));
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 3, 100000, NULL, NULL, NULL, NULL));
    static const entry want[] = {
        {TR, 3, 1},    {TR, 1, 500},  {IN, 0, 1000}, {IN, 2, 2000}, {IN, 6, 2000}, {CA, 1, 2000}, {FB, 0, 2000},
        {TR, 0, 2000}, {CA, 2, 3000}, {IN, 4, 4000}, {IN, 5, 4000}, {IN, 3, 5000}, {FB, 2, 100000},
    };
    assert_range("A", CX_TIME_NONE, CX_TIME_NONE, want, sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(many_entries_sorted)
{
    /* 3000 records of one customer in a scrambled order, many equal times */
    OK(cx_customer_add(s, "M", NULL, NULL, NULL, CX_TIME_NONE));
    uint32_t x = 12345;
    enum { N = 3000 };
    int bad = 0; /* one assertion per loop: each costs a message to the runner */
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        cx_time t = (cx_time)((x >> 16) % 500) * 1000;
        switch (i % 3) {
        case 0: bad |= cx_interaction_add(NULL, s, NULL, "M", "web", t, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0); break;
        case 1: bad |= cx_feedback_add(NULL, s, NULL, "M", "ces", 4, t, NULL, NULL, NULL, NULL); break;
        default: bad |= cx_transaction_add(NULL, s, NULL, "M", t, 1); break;
        }
        if (i % 2) /* other customers' records in between */
            bad |= cx_transaction_add(NULL, s, NULL, "B", t, 1);
    }
    ck_assert_int_eq(bad, CX_OK);
    cx_history *h;
    OK(cx_history_new(&h, s, "M", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_uint_eq(cx_history_count(h), N);
    cx_time pt = INT64_MIN;
    int ptab = -1;
    size_t prow = 0, disorder = 0;
    for (size_t i = 0; i < N; i++) {
        cx_time t = 0;
        int tab = 0;
        size_t row = 0;
        bad |= cx_history_time(&t, h, i);
        bad |= cx_history_table(&tab, h, i);
        bad |= cx_history_row(&row, h, i);
        disorder += !(t > pt || (t == pt && (tab > ptab || (tab == ptab && row > prow))));
        pt = t, ptab = tab, prow = row;
    }
    ck_assert_int_eq(bad, CX_OK);
    ck_assert_uint_eq(disorder, 0);
    cx_history_free(h);
    OK(cx_history_new(&h, s, "M", 100000, 200000));
    ck_assert_uint_gt(cx_history_count(h), 0);
    for (size_t i = 0; i < cx_history_count(h); i++) {
        cx_time t;
        OK(cx_history_time(&t, h, i));
        ck_assert(t >= 100000 && t < 200000);
    }
    cx_history_free(h);
}
END_TEST

START_TEST(errors)
{
    cx_history *h = (cx_history *)&h;
    ck_assert_int_eq(cx_history_new(&h, s, "nobody", CX_TIME_NONE, CX_TIME_NONE), CX_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "no customer 'nobody'"));
    ck_assert_ptr_null(h);
    h = (cx_history *)&h;
    ck_assert_int_eq(cx_history_new(&h, s, "a", CX_TIME_NONE, CX_TIME_NONE), CX_ENOTFOUND); /* byte for byte */
    ck_assert_ptr_null(h);
    h = (cx_history *)&h;
    ck_assert_int_eq(cx_history_new(&h, s, NULL, CX_TIME_NONE, CX_TIME_NONE), CX_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(cx_history_new(&h, NULL, "A", CX_TIME_NONE, CX_TIME_NONE), CX_EINVAL);
    ck_assert_int_eq(cx_history_new(NULL, s, "A", CX_TIME_NONE, CX_TIME_NONE), CX_EINVAL);
    ck_assert_int_eq(cx_last_error_code(), CX_EINVAL);
    /* getters */
    OK(cx_history_new(&h, s, "A", CX_TIME_NONE, CX_TIME_NONE));
    int t = 77;
    size_t r = 77;
    cx_time tm = 77;
    ck_assert_int_eq(cx_history_table(&t, h, A_ALL), CX_ERANGE);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "entry 9"));
    ck_assert_int_eq(cx_history_row(&r, h, A_ALL), CX_ERANGE);
    ck_assert_int_eq(cx_history_time(&tm, h, A_ALL), CX_ERANGE);
    ck_assert_int_eq(cx_history_time(&tm, h, SIZE_MAX), CX_ERANGE);
    ck_assert_int_eq(cx_history_table(NULL, h, 0), CX_EINVAL);
    ck_assert_int_eq(cx_history_row(NULL, h, 0), CX_EINVAL);
    ck_assert_int_eq(cx_history_time(NULL, h, 0), CX_EINVAL);
    ck_assert_int_eq(cx_history_table(&t, NULL, 0), CX_EINVAL);
    ck_assert_int_eq(cx_history_row(&r, NULL, 0), CX_EINVAL);
    ck_assert_int_eq(cx_history_time(&tm, NULL, 0), CX_EINVAL);
    ck_assert_int_eq(t, 77);
    ck_assert_uint_eq(r, 77);
    ck_assert_int_eq(tm, 77);
    /* the last valid index works */
    OK(cx_history_time(&tm, h, A_ALL - 1));
    ck_assert_int_eq(tm, 5000);
    cx_history_free(h);
    ck_assert_uint_eq(cx_history_count(NULL), 0);
    cx_history_free(NULL);
}
END_TEST

/* A history's memory comes from the store's allocator and goes back to it,
 * even after the store is gone. */
START_TEST(allocator)
{
    cxt_alloc c = {0};
    cx_store *st;
    OK(cx_store_new_with_allocator(&st, cxt_alloc_fn, &c));
    OK(cx_customer_add(st, "A", NULL, NULL, NULL, CX_TIME_NONE));
    for (int i = 0; i < 100; i++)
        OK(cx_transaction_add(NULL, st, NULL, "A", 100 - i, 1));
    size_t store_bytes = c.live;
    cx_history *h;
    OK(cx_history_new(&h, st, "A", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_uint_ge(c.live, store_bytes + 100 * sizeof(cx_time)); /* the history's entries */
    size_t mem;
    OK(cx_store_memory(&mem, st));
    ck_assert_uint_eq(mem, store_bytes); /* not counted as the store's */
    cx_store_free(st);
    ck_assert_uint_gt(c.live, 0);
    ck_assert_uint_eq(cx_history_count(h), 100);
    cx_time tm;
    size_t row;
    OK(cx_history_time(&tm, h, 0));
    ck_assert_int_eq(tm, 1);
    OK(cx_history_row(&row, h, 0));
    ck_assert_uint_eq(row, 99);
    cx_history_free(h);
    cxt_alloc_done(&c);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("history");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, time_order_across_tables);
    tcase_add_test(core, other_customers);
    tcase_add_test(core, bounds);
    tcase_add_test(core, extreme_times);
    tcase_add_test(core, snapshot);
    tcase_add_test(core, new_records_in_order);
    tcase_add_test(core, many_entries_sorted);
    tcase_add_test(core, errors);
    tcase_add_test(core, allocator);
    suite_add_tcase(su, core);
    return run_suite(su);
}
