/* Tests of living CRM data in the store (src/store/store.c, erase.c,
 * savepoint.c, src/io/import.c): the `_put` calls (added, updated,
 * unchanged; replacing a record's every field; the links an update may not
 * break), updates rolled back with a failed import, the synchronising
 * import options and report, erasing customers (cx_customer_forget) so that
 * the store equals one that never held them and keeps none of their
 * strings, and pseudonyms (cx_pseudonym, cx_store_pseudonymize). */
#include "cx_test.h"

#include "../src/store/store_private.h"

/* The watcher below reads freed blocks byte by byte, padding included:
 * under valgrind those bytes are declared read on purpose. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

/* ---- a small CRM ---------------------------------------------------------- */

/* What one customer brings: adds it and its records when `who` is not
 * `skip` (so the same calls build a store with and one without it). */
static void add_customer_records(cx_store *s, int who)
{
    char id[16], name[32], kase[16], in1[16], in2[16], fb[16], tx[16], agent[32], seg[16];
    snprintf(id, sizeof id, "C-%d", who);
    snprintf(name, sizeof name, "اسم العميل %d", who);
    snprintf(kase, sizeof kase, "K-%d", who);
    snprintf(in1, sizeof in1, "I-%d-a", who);
    snprintf(in2, sizeof in2, "I-%d-b", who);
    snprintf(fb, sizeof fb, "F-%d", who);
    snprintf(tx, sizeof tx, "X-%d", who);
    snprintf(agent, sizeof agent, "agent-%d", who % 2 ? 1 : who);
    snprintf(seg, sizeof seg, "seg-%d", who);
    cx_time t0 = 1700000000000 + (cx_time)who * 3600000;
    OK(cx_customer_add(s, id, seg, "الرياض", who % 2 ? "gold" : NULL, t0));
    OK(cx_customer_set_attribute(s, id, "name", name));
    OK(cx_customer_set_attribute(s, id, "tier", "vip"));
    OK(cx_case_add(s, kase, id, "phone", "high", agent, t0, t0 + 60000, t0 + 3600000, 0, 2));
    OK(cx_interaction_add(NULL, s, in1, id, "call", t0, "contact", CX_INBOUND, agent, kase, 60000, CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, in2, id, "web", t0 + 1000, who == 2 ? "rare-kind" : "view", CX_INBOUND, NULL,
                          NULL, 0, CX_HANDLED, 5));
    char comment[64];
    snprintf(comment, sizeof comment, "تعليق سري %d <b>\"x\"</b>", who);
    OK(cx_feedback_add(NULL, s, fb, id, "csat", 1 + who % 5, t0 + 2000, "call", in1, kase, comment));
    OK(cx_feedback_add(NULL, s, NULL, id, "nps", who % 11, t0 + 3000, NULL, NULL, NULL, NULL));
    OK(cx_transaction_add(NULL, s, tx, id, t0 + 4000, 10.5 * who));
    OK(cx_transaction_add(NULL, s, NULL, id, t0 + 5000, 1));
}

static cx_store *crm(int skip)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "call", "phone", "service", "service", 1, 1));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    for (int who = 1; who <= 4; who++)
        if (who != skip)
            add_customer_records(s, who);
    return s;
}

/* Every table of a store as CSV, concatenated, to compare stores. */
static char *dump(const cx_store *s, const char *tag)
{
    size_t total = 0;
    char *all = calloc(1, 1);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        OK(cx_export_csv(s, t, P(tag), 0));
        size_t n;
        char *one = slurp(P(tag), &n);
        all = realloc(all, total + n + 1);
        memcpy(all + total, one, n + 1);
        total += n;
        free(one);
    }
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        size_t n;
        OK(cx_vocab_count(&n, s, v));
        for (size_t i = 0; i < n; i++) {
            const char *name;
            OK(cx_vocab_name(&name, s, v, i));
            size_t len = strlen(name);
            all = realloc(all, total + len + 16);
            total += (size_t)sprintf(all + total, "%d:%s\n", v, name);
        }
    }
    return all;
}

static void assert_same_store(const cx_store *a, const cx_store *b)
{
    char *x = dump(a, "a.csv"), *y = dump(b, "b.csv");
    size_t i = 0;
    while (x[i] && x[i] == y[i])
        i++;
    size_t from = i > 200 ? i - 200 : 0;
    ck_assert_msg(strcmp(x, y) == 0, "stores differ at byte %zu:\n%.400s\n---\n%.400s", i, x + from, y + from);
    free(x);
    free(y);
}

/* Does any string the store holds contain `needle`? */
static bool pool_has(const cxi_pool *p, const char *needle)
{
    for (uint32_t i = 0; i < p->count; i++)
        if (strstr(cxi_pool_str(p, i), needle))
            return true;
    return false;
}

static bool store_holds(const cx_store *s, const char *needle)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        if (pool_has(&s->keys[t], needle))
            return true;
    for (int v = 0; v < CX_VOCAB_COUNT; v++)
        if (pool_has(&s->sets[v], needle))
            return true;
    return pool_has(&s->comments, needle) || pool_has(&s->attr_values, needle);
}

/* ---- put ------------------------------------------------------------------- */

START_TEST(put_changes)
{
    cx_store *s = crm(0);
    int ch = -1;
    size_t row = 99, n0, n1;
    OK(cx_store_rows(&n0, s, CX_TABLE_INTERACTIONS));
    /* the same values: unchanged */
    cx_time t0 = 1700000000000 + 3600000;
    OK(cx_interaction_put(&ch, &row, s, "I-1-a", "C-1", "call", t0, "contact", CX_INBOUND, "agent-1", "K-1", 60000,
                          CX_HANDLED, 0));
    ck_assert_int_eq(ch, CX_UNCHANGED);
    ck_assert_uint_eq(row, 0);
    /* one field differs: updated in place */
    OK(cx_interaction_put(&ch, &row, s, "I-1-a", "C-1", "call", t0, "contact", CX_INBOUND, "new-agent", "K-1",
                          90000, CX_MISSED, 0));
    ck_assert_int_eq(ch, CX_UPDATED);
    ck_assert_uint_eq(row, 0);
    OK(cx_store_rows(&n1, s, CX_TABLE_INTERACTIONS));
    ck_assert_uint_eq(n1, n0);
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_AGENT, 0), "new-agent");
    ck_assert_int_eq(store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, 0), 90000);
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, 0), "missed");
    /* a new id: added */
    OK(cx_interaction_put(&ch, &row, s, "I-new", "C-2", "web", 5, NULL, CX_OUTBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    ck_assert_int_eq(ch, CX_ADDED);
    ck_assert_uint_eq(row, n0);
    /* without an id: always added */
    OK(cx_transaction_put(&ch, NULL, s, NULL, "C-1", 5, 1));
    ck_assert_int_eq(ch, CX_ADDED);
    OK(cx_transaction_put(&ch, NULL, s, NULL, "C-1", 5, 1));
    ck_assert_int_eq(ch, CX_ADDED);
    /* an add of an existing id is refused */
    FAILS(cx_transaction_add(NULL, s, "X-1", "C-1", 5, 1), CX_EEXISTS, "cx_transaction_add");
    MSG_HAS("transaction 'X-1' already exists");
    /* keyed tables */
    OK(cx_customer_put(&ch, s, "C-1", "seg-1", "الرياض", "gold", 1700000000000 + 3600000));
    ck_assert_int_eq(ch, CX_UNCHANGED);
    OK(cx_customer_put(&ch, s, "C-1", "seg-9", NULL, "gold", CX_TIME_NONE));
    ck_assert_int_eq(ch, CX_UPDATED);
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 0), "seg-9");
    ck_assert_ptr_null(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_REGION, 0));
    OK(cx_touchpoint_put(&ch, s, "web", "web", "purchase", NULL, 1, 2));
    ck_assert_int_eq(ch, CX_UPDATED);
    OK(cx_touchpoint_put(&ch, s, "web", "web", "purchase", NULL, 1, 2));
    ck_assert_int_eq(ch, CX_UNCHANGED);
    OK(cx_question_put(&ch, s, "effort", CX_METRIC_CES, 1, 7, 1));
    ck_assert_int_eq(ch, CX_ADDED);
    OK(cx_case_put(&ch, s, "K-1", "C-1", "phone", "urgent", "agent-1", t0, t0 + 60000, CX_TIME_NONE, 1, 3));
    ck_assert_int_eq(ch, CX_UPDATED);
    ck_assert_int_eq(store_int(s, CX_TABLE_CASES, CX_CASE_RESOLVED, 0), CX_TIME_NONE);
    ck_assert_int_eq(store_int(s, CX_TABLE_CASES, CX_CASE_REOPENS, 0), 1);
    OK(cx_feedback_put(&ch, NULL, s, "F-1", "C-1", "csat", 5, t0 + 2000, "call", "I-1-a", "K-1", NULL));
    ck_assert_int_eq(ch, CX_UPDATED);
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 0));
    cx_store_free(s);
}
END_TEST

/* An event moved to another customer leaves one list and joins the other
 * in row order, so each customer's history is what a fresh add gives. */
START_TEST(put_moves_events)
{
    cx_store *s = crm(0);
    int ch;
    /* I-2-b (row 3) moves from C-2 to C-1: nothing rates it */
    OK(cx_interaction_put(&ch, NULL, s, "I-2-b", "C-1", "web", 1, "view", CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 5));
    ck_assert_int_eq(ch, CX_UPDATED);
    cx_history *h;
    OK(cx_history_new(&h, s, "C-1", CX_TIME_NONE, CX_TIME_NONE));
    size_t in = 0;
    for (size_t i = 0; i < cx_history_count(h); i++) {
        int t;
        size_t r;
        OK(cx_history_table(&t, h, i));
        OK(cx_history_row(&r, h, i));
        if (t == CX_TABLE_INTERACTIONS) {
            in++;
            ck_assert_str_eq(store_str(s, t, CX_INTERACTION_CUSTOMER, r), "C-1");
        }
    }
    ck_assert_uint_eq(in, 3);
    cx_history_free(h);
    OK(cx_history_new(&h, s, "C-2", CX_TIME_NONE, CX_TIME_NONE));
    in = 0;
    for (size_t i = 0; i < cx_history_count(h); i++) {
        int t;
        OK(cx_history_table(&t, h, i));
        in += t == CX_TABLE_INTERACTIONS;
    }
    ck_assert_uint_eq(in, 1);
    cx_history_free(h);
    cx_store_free(s);
}
END_TEST

START_TEST(put_refuses_broken_links)
{
    cx_store *s = crm(0);
    char *before = dump(s, "before.csv");
    int ch = -1;
    cx_time t0 = 1700000000000 + 3600000;
    /* F-1 rates I-1-a: the interaction cannot move to C-2 */
    FAILS(cx_interaction_put(&ch, NULL, s, "I-1-a", "C-2", "call", t0, "contact", CX_INBOUND, NULL, NULL, 0,
                             CX_HANDLED, 0),
          CX_EINVAL, "cx_interaction_put");
    MSG_HAS("interaction 'I-1-a' cannot move to customer 'C-2'");
    ck_assert_str_eq(cxi_error_field(), "customer");
    /* K-1 is referred to by C-1's interaction and feedback */
    FAILS(cx_case_put(&ch, s, "K-1", "C-2", "phone", NULL, NULL, t0, CX_TIME_NONE, CX_TIME_NONE, 0, 0), CX_EINVAL,
          "cx_case_put");
    MSG_HAS("case 'K-1' cannot move to customer 'C-2'");
    FAILS(cx_case_put(&ch, s, "K-1", "C-404", "phone", NULL, NULL, t0, CX_TIME_NONE, CX_TIME_NONE, 0, 0),
          CX_ENOTFOUND, "cx_case_put");
    MSG_HAS("no customer 'C-404'");
    /* feedback to an interaction that does not exist, or of another customer */
    FAILS(cx_feedback_put(&ch, NULL, s, "F-1", "C-1", "csat", 3, 1, NULL, "I-404", NULL, NULL), CX_ENOTFOUND,
          "cx_feedback_put");
    MSG_HAS("no interaction 'I-404'");
    FAILS(cx_feedback_put(&ch, NULL, s, "F-1", "C-1", "csat", 3, 1, NULL, "I-2-a", NULL, NULL), CX_EINVAL,
          "cx_feedback_put");
    MSG_HAS("interaction 'I-2-a' belongs to another customer");
    /* a new scale the answers given do not fit: csat answers go up to 5 */
    FAILS(cx_question_put(&ch, s, "csat", CX_METRIC_CSAT, 1, 3, 1), CX_ERANGE, "cx_question_put");
    MSG_HAS("does not fit");
    FAILS(cx_case_put(&ch, s, "K-1", "C-1", "phone", NULL, NULL, t0, t0 - 1, CX_TIME_NONE, 0, 0), CX_EORDER,
          "cx_case_put");
    FAILS(cx_interaction_put(&ch, NULL, s, "", "C-1", "web", 1, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0),
          CX_EINVAL, "cx_interaction_put");
    MSG_HAS("id is empty");
    FAILS(cx_transaction_put(&ch, NULL, s, "X\xff", "C-1", 1, 1), CX_EINVAL, "cx_transaction_put");
    MSG_HAS("not valid UTF-8");
    ck_assert_int_eq(ch, -1);
    char *after = dump(s, "after.csv");
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    /* the scale may change when every answer fits */
    OK(cx_question_put(&ch, s, "csat", CX_METRIC_CSAT, 0, 10, 1));
    ck_assert_int_eq(ch, CX_UPDATED);
    cx_store_free(s);
}
END_TEST

/* ---- synchronising imports -------------------------------------------------- */

static cx_import_report *import(cx_store *s, int table, const char *path, int existing, int strict, int expect)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, existing));
    OK(cx_import_options_set_strict(o, strict));
    cx_import_report *r = NULL;
    int rc = cx_import_csv(&r, s, table, path, o);
    cx_import_options_free(o);
    ck_assert_msg(rc == expect, "import %s: %d, expected %d: %s", path, rc, expect, cx_last_error());
    return r;
}

static void counts(const cx_import_report *r, uint64_t added, uint64_t updated, uint64_t unchanged,
                   uint64_t rejected)
{
    ck_assert_uint_eq(cx_import_report_added(r), added);
    ck_assert_uint_eq(cx_import_report_updated(r), updated);
    ck_assert_uint_eq(cx_import_report_unchanged(r), unchanged);
    ck_assert_uint_eq(cx_import_report_rejected(r), rejected);
    ck_assert_uint_eq(cx_import_report_accepted(r), added + updated + unchanged);
}

START_TEST(sync_import)
{
    cx_store *s;
    OK(cx_store_new(&s));
    write_file("c.csv", "id,segment,name\nA,x,Ahmed\nB,y,بدر\n");
    write_file("c2.csv", "id,segment,name\nA,x,Ahmed\nB,z,\nC,x,Cem\n");
    cx_import_report *r = import(s, CX_TABLE_CUSTOMERS, P("c.csv"), CX_EXISTING_UPDATE, 0, CX_OK);
    counts(r, 2, 0, 0, 0);
    cx_import_report_free(r);
    r = import(s, CX_TABLE_CUSTOMERS, P("c.csv"), CX_EXISTING_UPDATE, 0, CX_OK);
    counts(r, 0, 0, 2, 0);
    cx_import_report_free(r);
    r = import(s, CX_TABLE_CUSTOMERS, P("c.csv"), CX_EXISTING_REJECT, 0, CX_OK);
    counts(r, 0, 0, 0, 2);
    cx_import_report_free(r);
    /* B changes segment and loses its name; C is new; skip keeps B as it is */
    r = import(s, CX_TABLE_CUSTOMERS, P("c2.csv"), CX_EXISTING_SKIP, 0, CX_OK);
    counts(r, 1, 0, 2, 0);
    cx_import_report_free(r);
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 1), "y");
    r = import(s, CX_TABLE_CUSTOMERS, P("c2.csv"), CX_EXISTING_UPDATE, 0, CX_OK);
    counts(r, 0, 1, 2, 0);
    cx_import_report_free(r);
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 1), "z");
    const char *v = "unset";
    OK(cx_customer_get_attribute(&v, s, "B", "name"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "A", "name"));
    ck_assert_str_eq(v, "Ahmed");
    cx_store_free(s);
}
END_TEST

/* A strict import that fails after updating stored records puts every
 * updated cell back: the store is byte for byte what it was. */
START_TEST(sync_rollback)
{
    cx_store *s = crm(0);
    OK(cx_touchpoint_add(s, "shop", "store", "purchase", NULL, 0, 1));
    char *before = dump(s, "before.csv");
    cx_time t0 = 1700000000000 + 3600000;
    char text[2048];
    snprintf(text, sizeof text,
             "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
             /* moves I-2-b to C-1 (list surgery), changes I-1-b's fields, adds one, then a bad row */
             "I-2-b,C-1,shop,5,view,inbound,,,0,handled,5\n"
             "I-1-b,C-1,shop,%lld,purchase,outbound,new-agent,,7,abandoned,1.5\n"
             "I-9,C-3,web,9,,inbound,,,0,handled,0\n"
             "I-1-a,C-1,nowhere,1,,inbound,,,0,handled,0\n",
             (long long)(t0 / 1000));
    write_file("i.csv", text);
    cx_import_report *r = import(s, CX_TABLE_INTERACTIONS, P("i.csv"), CX_EXISTING_UPDATE, 1, CX_ENOTFOUND);
    ck_assert_ptr_null(r);
    char *after = dump(s, "after.csv");
    ck_assert_str_eq(before, after);
    /* the per-customer lists are back too */
    cx_history *h;
    OK(cx_history_new(&h, s, "C-2", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_uint_eq(cx_history_count(h), 7);
    cx_history_free(h);
    /* the same file without its bad row goes in */
    snprintf(text, sizeof text,
             "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
             "I-2-b,C-1,shop,5,view,inbound,,,0,handled,5\n"
             "I-1-b,C-1,shop,%lld,purchase,outbound,new-agent,,7,abandoned,1.5\n"
             "I-9,C-3,web,9,,inbound,,,0,handled,0\n"
             "I-1-a,C-1,call,%lld,contact,inbound,agent-1,K-1,60000,handled,0\n",
             (long long)(t0 / 1000), (long long)(t0 / 1000));
    write_file("i.csv", text);
    r = import(s, CX_TABLE_INTERACTIONS, P("i.csv"), CX_EXISTING_UPDATE, 1, CX_OK);
    counts(r, 1, 2, 1, 0);
    cx_import_report_free(r);
    free(before);
    free(after);
    cx_store_free(s);
}
END_TEST

/* ---- forget ------------------------------------------------------------------ */

START_TEST(forget_equals_never_added)
{
    for (int who = 1; who <= 4; who++) {
        cx_store *s = crm(0), *ref = crm(who);
        char id[16], name[32], comment[64];
        snprintf(id, sizeof id, "C-%d", who);
        snprintf(name, sizeof name, "اسم العميل %d", who);
        snprintf(comment, sizeof comment, "تعليق سري %d", who);
        const char *ids[] = {id, id}; /* a repeat is harmless */
        size_t removed = 0;
        OK(cx_customer_forget(&removed, s, 2, ids));
        ck_assert_uint_eq(removed, 1 + 1 + 2 + 2 + 2); /* customer, case, interactions, feedback, transactions */
        assert_same_store(s, ref);
        ck_assert_msg(!store_holds(s, name), "the store still holds '%s'", name);
        ck_assert_msg(!store_holds(s, comment), "the store still holds '%s'", comment);
        size_t row;
        FAILS(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, id), CX_ENOTFOUND, "cx_store_find");
        char fb[16];
        snprintf(fb, sizeof fb, "F-%d", who);
        FAILS(cx_store_find(&row, s, CX_TABLE_FEEDBACK, fb), CX_ENOTFOUND, "cx_store_find");
        /* the others' ids still lead to their rows */
        for (int other = 1; other <= 4; other++) {
            if (other == who)
                continue;
            char in[16];
            snprintf(in, sizeof in, "I-%d-a", other);
            size_t a, b;
            OK(cx_store_find(&a, s, CX_TABLE_INTERACTIONS, in));
            OK(cx_store_find(&b, ref, CX_TABLE_INTERACTIONS, in));
            ck_assert_uint_eq(a, b);
            const char *v;
            snprintf(id, sizeof id, "C-%d", other);
            OK(cx_customer_get_attribute(&v, s, id, "name"));
            snprintf(name, sizeof name, "اسم العميل %d", other);
            ck_assert_str_eq(v, name);
        }
        /* and the store goes on as a store: adds, puts, histories */
        OK(cx_interaction_add(NULL, s, "I-late", who == 3 ? "C-1" : "C-3", "web", 1, "rare-kind", CX_INBOUND, NULL, NULL, 0,
                              CX_HANDLED, 0));
        cx_store_free(s);
        cx_store_free(ref);
    }
}
END_TEST

START_TEST(forget_refuses)
{
    cx_store *s = crm(0);
    char *before = dump(s, "before.csv");
    const char *ids[] = {"C-1", "C-404"};
    size_t removed = 7;
    FAILS(cx_customer_forget(&removed, s, 2, ids), CX_ENOTFOUND, "cx_customer_forget");
    MSG_HAS("no customer 'C-404' (nothing was erased)");
    ck_assert_uint_eq(removed, 0);
    const char *nul[] = {"C-1", NULL};
    FAILS(cx_customer_forget(NULL, s, 2, nul), CX_EINVAL, "cx_customer_forget");
    FAILS(cx_customer_forget(NULL, NULL, 1, ids), CX_EINVAL, "cx_customer_forget");
    FAILS(cx_customer_forget(NULL, s, 1, NULL), CX_EINVAL, "cx_customer_forget");
    OK(cx_customer_forget(&removed, s, 0, NULL));
    ck_assert_uint_eq(removed, 0);
    char *after = dump(s, "after.csv");
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    cx_store_free(s);
}
END_TEST

/* Out of memory at every step of an erasure: refused, nothing changed. */
START_TEST(forget_out_of_memory)
{
    cxt_alloc a = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &a));
    OK(cx_touchpoint_add(s, "call", "phone", "service", "service", 1, 1));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    for (int who = 1; who <= 4; who++)
        add_customer_records(s, who);
    char *before = dump(s, "before.csv");
    const char *ids[] = {"C-2"};
    int rc = CX_ENOMEM;
    for (size_t k = 1; rc == CX_ENOMEM && k < 1000; k++) {
        cxt_alloc_fail_nth(&a, k, false);
        rc = cx_customer_forget(NULL, s, 1, ids);
        if (rc == CX_ENOMEM) {
            char *now = dump(s, "now.csv");
            ck_assert_msg(strcmp(before, now) == 0, "failure %zu changed the store", k);
            free(now);
        }
    }
    cxt_alloc_allow(&a, -1);
    ck_assert_int_eq(rc, CX_OK);
    cx_store *ref = crm(2);
    assert_same_store(s, ref);
    free(before);
    cx_store_free(ref);
    cx_store_free(s);
    ck_assert_uint_eq(a.live, 0);
    ck_assert_uint_eq(a.bad, 0);
}
END_TEST

/* An allocator that, while `watch` is set, looks into every block given
 * back for the erased customer's strings. */
typedef struct watcher {
    bool watch;
    const char *secrets[3];
    size_t seen;
} watcher;

static void *watching_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    watcher *w = ud;
    if (ptr && w->watch && (nsize == 0 || nsize < osize))
        VALGRIND_MAKE_MEM_DEFINED(ptr, osize);
    if (ptr && w->watch && (nsize == 0 || nsize < osize))
        for (size_t i = 0; i < 3; i++)
            if (mem_contains(ptr, osize, w->secrets[i], strlen(w->secrets[i])))
                w->seen++;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

/* The memory that held what an erasure drops is zeroed before it is freed. */
START_TEST(forget_wipes_memory)
{
    watcher w = {false, {"اسم العميل 3", "تعليق سري 3", "seg-3"}, 0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, watching_alloc, &w));
    OK(cx_touchpoint_add(s, "call", "phone", "service", "service", 1, 1));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    for (int who = 1; who <= 4; who++)
        add_customer_records(s, who);
    const char *ids[] = {"C-3"};
    w.watch = true;
    OK(cx_customer_forget(NULL, s, 1, ids));
    ck_assert_uint_eq(w.seen, 0);
    /* and what pseudonymising replaces */
    w.secrets[0] = "C-1";
    w.secrets[1] = "اسم العميل 1";
    w.secrets[2] = "تعليق سري 1";
    const char *attrs[] = {"name"};
    OK(cx_store_pseudonymize(s, "key", 3, 1, attrs, CX_PSEUDONYMIZE_DROP_COMMENTS));
    ck_assert_uint_eq(w.seen, 0);
    w.watch = false;
    cx_store_free(s);
}
END_TEST

/* ---- pseudonyms ------------------------------------------------------------------ */

START_TEST(pseudonym_values)
{
    char out[CX_PSEUDONYM_SIZE];
    /* RFC 4231, test case 2: HMAC-SHA-256("Jefe", "what do ya want for nothing?") */
    OK(cx_pseudonym(out, "Jefe", 4, "what do ya want for nothing?"));
    ck_assert_str_eq(out, "5bdcc146bf60754e6a042426089575c7");
    /* RFC 4231, test case 6: a key longer than the block (131 bytes of 0xaa) */
    unsigned char key[131];
    memset(key, 0xaa, sizeof key);
    OK(cx_pseudonym(out, key, sizeof key, "Test Using Larger Than Block-Size Key - Hash Key First"));
    ck_assert_str_eq(out, "60e431591ee0b67f0d8a26aacbf5b77f");
    FAILS(cx_pseudonym(out, "k", 0, "x"), CX_EINVAL, "cx_pseudonym");
    FAILS(cx_pseudonym(NULL, "k", 1, "x"), CX_EINVAL, "cx_pseudonym");
    FAILS(cx_pseudonym(out, NULL, 1, "x"), CX_EINVAL, "cx_pseudonym");
    FAILS(cx_pseudonym(out, "k", 1, NULL), CX_EINVAL, "cx_pseudonym");
}
END_TEST

START_TEST(pseudonymize_store)
{
    cx_store *s = crm(0);
    static const char key[] = "a secret key of the caller";
    const char *attrs[] = {"name", "no-such-attribute"};
    FAILS(cx_store_pseudonymize(s, key, 0, 0, NULL, 0), CX_EINVAL, "cx_store_pseudonymize");
    FAILS(cx_store_pseudonymize(s, key, 5, 0, NULL, 4), CX_EINVAL, "cx_store_pseudonymize");
    OK(cx_store_pseudonymize(s, key, sizeof key - 1, 2, attrs, CX_PSEUDONYMIZE_DROP_COMMENTS));
    char c1[CX_PSEUDONYM_SIZE], n1[CX_PSEUDONYM_SIZE];
    OK(cx_pseudonym(c1, key, sizeof key - 1, "C-1"));
    OK(cx_pseudonym(n1, key, sizeof key - 1, "اسم العميل 1"));
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ID, 0), c1);
    /* links follow: C-1's events name the pseudonym */
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 0), c1);
    ck_assert_str_eq(store_str(s, CX_TABLE_CASES, CX_CASE_CUSTOMER, 0), c1);
    const char *v;
    OK(cx_customer_get_attribute(&v, s, c1, "name"));
    ck_assert_str_eq(v, n1);
    OK(cx_customer_get_attribute(&v, s, c1, "tier"));
    ck_assert_str_eq(v, "vip");
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 0));
    for (int who = 1; who <= 4; who++) {
        char id[16], name[32];
        snprintf(id, sizeof id, "C-%d", who);
        snprintf(name, sizeof name, "اسم العميل %d", who);
        ck_assert_msg(!store_holds(s, id), "the store still holds '%s'", id);
        ck_assert_msg(!store_holds(s, name), "the store still holds '%s'", name);
        ck_assert_msg(!store_holds(s, "تعليق سري"), "a comment is still held");
        size_t row;
        ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, id), CX_ENOTFOUND);
    }
    /* a customer's id can be found again only through its pseudonym */
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, c1));
    ck_assert_uint_eq(row, 0);
    cx_store_free(s);
}
END_TEST

/* A result grouped by customer names, shared under pseudonyms. */
START_TEST(pseudonymize_result)
{
    cx_store *s = crm(0);
    cx_query *q;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_group_by_attribute(q, "name"));
    cx_result *r;
    OK(cx_query_run(&r, q));
    size_t col, n = cx_result_row_count(r);
    ck_assert_uint_eq(n, 4);
    OK(cx_result_column_find(&col, r, "name"));
    char *was[4];
    for (size_t i = 0; i < n; i++) {
        const char *v;
        OK(cx_result_get_string(&v, r, i, col));
        was[i] = strdup(v);
    }
    const char *bad[] = {"no-such-column"};
    FAILS(cx_result_pseudonymize(r, "k", 1, 1, bad), CX_EINVAL, "cx_result_pseudonymize");
    const char *cols[] = {"name"};
    FAILS(cx_result_pseudonymize(r, "k", 0, 1, cols), CX_EINVAL, "cx_result_pseudonymize");
    OK(cx_result_pseudonymize(r, "k", 1, 1, cols));
    ck_assert_uint_eq(cx_result_row_count(r), n);
    for (size_t i = 0; i < n; i++) {
        const char *v;
        char ps[CX_PSEUDONYM_SIZE];
        OK(cx_result_get_string(&v, r, i, col));
        OK(cx_pseudonym(ps, "k", 1, was[i]));
        ck_assert_str_eq(v, ps);
        free(was[i]);
    }
    /* the accumulators that held the names are gone */
    cx_result *m = NULL;
    ck_assert_int_eq(cx_result_merge(&m, r, r), CX_EINVAL);
    ck_assert_ptr_null(m);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

/* A copy is the same store, independent of the original, and can be
 * pseudonymised for an export while the original keeps its ids. */
START_TEST(clone_then_pseudonymize)
{
    cx_store *s = crm(0), *c = NULL;
    OK(cx_customer_put(NULL, s, "C-2", "seg-x", NULL, NULL, CX_TIME_NONE)); /* a dirty row */
    OK(cx_store_clone(&c, s));
    assert_same_store(s, c);
    size_t row;
    OK(cx_store_find(&row, c, CX_TABLE_FEEDBACK, "F-3"));
    ck_assert_uint_eq(row, 4);
    /* the copy goes on as a store of its own */
    OK(cx_interaction_add(NULL, c, "I-copy", "C-1", "web", 1, "copy-kind", CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-copy"), CX_ENOTFOUND);
    const char *attrs[] = {"name"};
    OK(cx_store_pseudonymize(c, "k", 1, 1, attrs, 0));
    OK(cx_export_csv(c, CX_TABLE_CUSTOMERS, P("shared.csv"), 0));
    size_t n;
    char *text = slurp(P("shared.csv"), &n);
    ck_assert_ptr_null(strstr(text, "C-1"));
    ck_assert_ptr_null(strstr(text, "اسم العميل"));
    free(text);
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ID, 0), "C-1");
    FAILS(cx_store_clone(NULL, s), CX_EINVAL, "cx_store_clone");
    cx_store_free(c);
    /* out of memory at every step: refused, nothing leaks */
    cxt_alloc a = {0};
    cx_store *small;
    OK(cx_store_new_with_allocator(&small, cxt_alloc_fn, &a));
    OK(cx_touchpoint_add(small, "web", "web", "consideration", NULL, 0, 1));
    OK(cx_customer_add(small, "A", "s", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_set_attribute(small, "A", "name", "x"));
    OK(cx_interaction_add(NULL, small, "I", "A", "web", 1, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    int rc = CX_ENOMEM;
    for (size_t k = 1; rc == CX_ENOMEM && k < 500; k++) {
        cxt_alloc_fail_nth(&a, k, false);
        c = NULL;
        rc = cx_store_clone(&c, small);
        if (rc == CX_ENOMEM)
            ck_assert_ptr_null(c);
    }
    cxt_alloc_allow(&a, -1);
    ck_assert_int_eq(rc, CX_OK);
    assert_same_store(small, c);
    cx_store_free(c);
    cx_store_free(small);
    ck_assert_uint_eq(a.live, 0);
    ck_assert_uint_eq(a.bad, 0);
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("forget");
    TCase *tc = tcase_create("sync");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, put_changes);
    tcase_add_test(tc, put_moves_events);
    tcase_add_test(tc, put_refuses_broken_links);
    tcase_add_test(tc, sync_import);
    tcase_add_test(tc, sync_rollback);
    tcase_add_test(tc, forget_equals_never_added);
    tcase_add_test(tc, forget_refuses);
    tcase_add_test(tc, forget_out_of_memory);
    tcase_add_test(tc, forget_wipes_memory);
    tcase_add_test(tc, pseudonym_values);
    tcase_add_test(tc, pseudonymize_store);
    tcase_add_test(tc, pseudonymize_result);
    tcase_add_test(tc, clone_then_pseudonymize);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
