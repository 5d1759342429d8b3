/* Tests of the batch adds (cx_*_add_batch): the same records as single adds,
 * optional arrays, and all-or-nothing failure naming the record. */
#include "cx_test.h"

static cx_store *base(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    const char *ids[] = {"C-1", "عميل-٢", "C-3"};
    const char *seg[] = {"vip", NULL, "std"};
    cx_time acq[] = {1000, CX_TIME_NONE, 3000};
    size_t bad = 99;
    OK(cx_customer_add_batch(&bad, s, 3, ids, seg, NULL, NULL, acq));
    ck_assert_uint_eq(bad, 0);
    return s;
}

START_TEST(batches_equal_single_adds)
{
    cx_store *s = base();
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), 3);
    const char *v;
    OK(cx_store_get_string(&v, s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 1));
    ck_assert_ptr_null(v);
    int64_t t;
    OK(cx_store_get_int(&t, s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ACQUIRED, 2));
    ck_assert_int_eq(t, 3000);

    const char *cu[] = {"C-1", "عميل-٢", "C-1"}, *tp[] = {"call", "call", "call"};
    cx_time times[] = {10, 20, 30};
    int out[] = {CX_HANDLED, CX_MISSED, CX_ABANDONED};
    int64_t dur[] = {5, 0, 7};
    const char *iid[] = {"I-1", NULL, "تفاعل-٣"};
    OK(cx_interaction_add_batch(NULL, s, 3, iid, cu, tp, times, NULL, NULL, NULL, NULL, dur, out, NULL));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), 3);
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 0), "I-1");
    ck_assert_ptr_null(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 1));
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 2), "تفاعل-٣");
    size_t found = 99;
    OK(cx_store_find(&found, s, CX_TABLE_INTERACTIONS, "تفاعل-٣"));
    ck_assert_uint_eq(found, 2);
    OK(cx_store_get_int(&t, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, 1));
    ck_assert_int_eq(t, CX_MISSED);
    OK(cx_store_get_int(&t, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DIRECTION, 2));
    ck_assert_int_eq(t, CX_INBOUND);

    const char *q[] = {"nps", "csat"}, *cm[] = {"ممتاز", NULL};
    double sc[] = {9, 4};
    const char *inter[] = {"I-1", NULL}, *fid[] = {NULL, "F-2"};
    OK(cx_feedback_add_batch(NULL, s, 2, fid, cu, q, sc, times, NULL, inter, NULL, cm));
    OK(cx_store_get_string(&v, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 0));
    ck_assert_str_eq(v, "ممتاز");
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 0), "I-1");
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 0), 0);
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 1));
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 1), -1);
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_ID, 0));
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_ID, 1), "F-2");

    double am[] = {10.5, 0, 3};
    const char *tid[] = {"TX-1", "TX-2", NULL};
    OK(cx_transaction_add_batch(NULL, s, 3, tid, cu, times, am));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 3);
    OK(cx_store_find(&found, s, CX_TABLE_TRANSACTIONS, "TX-2"));
    ck_assert_uint_eq(found, 1);
    ck_assert_ptr_null(store_str(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_ID, 2));
    /* an empty batch is fine, with or without arrays */
    OK(cx_transaction_add_batch(NULL, s, 0, NULL, NULL, NULL, NULL));
    cx_store_free(s);
}
END_TEST

START_TEST(failure_adds_nothing)
{
    cx_store *s = base();
    const char *cu[] = {"C-1", "C-3", "nobody", "C-1"}, *tp[] = {"call", "call", "call", "call"};
    const char *agents[] = {"new agent", NULL, NULL, NULL};
    cx_time times[] = {1, 2, 3, 4};
    size_t bad = 99;
    ck_assert_int_eq(cx_interaction_add_batch(&bad, s, 4, NULL, cu, tp, times, NULL, NULL, agents, NULL, NULL, NULL,
                                              NULL),
                     CX_ENOTFOUND);
    ck_assert_uint_eq(bad, 2);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "record 2"));
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "nobody"));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), 0);
    size_t n;
    OK(cx_vocab_count(&n, s, CX_VOCAB_AGENT));
    ck_assert_uint_eq(n, 0); /* the new agent's name went too */

    const char *ids[] = {"C-9", "C-9"};
    ck_assert_int_eq(cx_customer_add_batch(&bad, s, 2, ids, NULL, NULL, NULL, NULL), CX_EEXISTS);
    ck_assert_uint_eq(bad, 1);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), 3);
    ck_assert_int_eq(cx_store_find(&n, s, CX_TABLE_CUSTOMERS, "C-9"), CX_ENOTFOUND);

    double am[] = {1, -1};
    ck_assert_int_eq(cx_transaction_add_batch(&bad, s, 2, NULL, cu, times, am), CX_ERANGE);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 0);
    /* a repeated event id: the second is refused, and the first goes too */
    const char *tid[] = {"TX-9", "TX-9"};
    double am2[] = {1, 2};
    ck_assert_int_eq(cx_transaction_add_batch(&bad, s, 2, tid, cu, times, am2), CX_EEXISTS);
    ck_assert_uint_eq(bad, 1);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "transaction 'TX-9' already exists"));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 0);
    ck_assert_int_eq(cx_store_find(&n, s, CX_TABLE_TRANSACTIONS, "TX-9"), CX_ENOTFOUND);
    /* a batch that fails after adding an interaction with an id takes the id
     * back: a later add may use it */
    const char *iid[] = {"I-9", "I-10"}, *icu[] = {"C-1", "nobody"};
    ck_assert_int_eq(cx_interaction_add_batch(&bad, s, 2, iid, icu, tp, times, NULL, NULL, NULL, NULL, NULL, NULL,
                                              NULL),
                     CX_ENOTFOUND);
    ck_assert_uint_eq(bad, 1);
    ck_assert_int_eq(cx_store_find(&n, s, CX_TABLE_INTERACTIONS, "I-9"), CX_ENOTFOUND);
    OK(cx_interaction_add(NULL, s, "I-9", "C-1", "call", 5, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    /* feedback rating an interaction of another customer, or none */
    const char *fq[] = {"nps", "nps"}, *fcu[] = {"C-1", "C-3"}, *finter[] = {"I-9", "I-9"};
    double fsc[] = {9, 9};
    ck_assert_int_eq(cx_feedback_add_batch(&bad, s, 2, NULL, fcu, fq, fsc, times, NULL, finter, NULL, NULL), CX_EINVAL);
    ck_assert_uint_eq(bad, 1);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "interaction 'I-9' belongs to another customer"));
    finter[1] = "I-404";
    ck_assert_int_eq(cx_feedback_add_batch(&bad, s, 2, NULL, fcu, fq, fsc, times, NULL, finter, NULL, NULL),
                     CX_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "no interaction 'I-404'"));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_FEEDBACK), 0);
    const char *q[] = {"nps", "nps"};
    double sc[] = {9, 11};
    ck_assert_int_eq(cx_feedback_add_batch(&bad, s, 2, NULL, cu, q, sc, times, NULL, NULL, NULL, NULL), CX_ERANGE);
    ck_assert_uint_eq(bad, 1);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_FEEDBACK), 0);

    ck_assert_int_eq(cx_interaction_add_batch(&bad, s, 1, NULL, cu, tp, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                     CX_EINVAL);
    ck_assert_int_eq(cx_interaction_add_batch(&bad, NULL, 1, NULL, cu, tp, times, NULL, NULL, NULL, NULL, NULL, NULL,
                                              NULL),
                     CX_EINVAL);
    ck_assert_int_eq(cx_customer_add_batch(&bad, s, 1, NULL, NULL, NULL, NULL, NULL), CX_EINVAL);
    cx_store_free(s);
}
END_TEST

START_TEST(attribute_names_of_columns_refused)
{
    cx_store *s = base();
    ck_assert_int_eq(cx_customer_set_attribute(s, "C-1", "region", "x"), CX_EINVAL);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "region"));
    size_t n;
    OK(cx_vocab_count(&n, s, CX_VOCAB_ATTRIBUTE));
    ck_assert_uint_eq(n, 0);
    OK(cx_customer_set_attribute(s, "C-1", "regional_manager", "x"));
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("batch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, batches_equal_single_adds);
    tcase_add_test(tc, failure_adds_nothing);
    tcase_add_test(tc, attribute_names_of_columns_refused);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
