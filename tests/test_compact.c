/* Issue 14, memory: cx_store_compact() gives back the columns' room for rows
 * to come and the hash index of the ids of interactions, feedback and
 * transactions. Nothing stored may change: every table exports the same
 * bytes, every id is found at its row (the index built again by the first
 * find, kept apart, at once from several threads), duplicates are still
 * refused, feedback still links to interactions by id, and adds, `_put`
 * calls, imports (good and failed), forgets and clones after it behave as
 * on a store never compacted, out of memory included.
 * Links the internal archive to see the layout (the pools' slots, eindex). */
#include "cx_test.h"

#include <pthread.h>

#include "../src/store/store_private.h"

static const int event_tables[] = {CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};
static const char *const table_files[CX_TABLE_COUNT] = {"customers", "touchpoints", "interactions", "cases",
                                                        "questions", "feedback",    "transactions"};

static int id_column(int table)
{
    int c;
    OK(cx_column_find(&c, table, "id"));
    return c;
}

/* Ids of a few shapes: numbered, padded, another scheme, Arabic, none. */
static void event_id(char *buf, size_t size, int table, size_t i)
{
    const char *pre = table == CX_TABLE_INTERACTIONS ? "I" : table == CX_TABLE_FEEDBACK ? "F" : "T";
    if (i % 7 == 3)
        snprintf(buf, size, "%s-%zu", pre, i); /* unpadded among padded */
    else if (i % 11 == 5)
        snprintf(buf, size, "مقابلة-%zu-%s", i, pre);
    else
        snprintf(buf, size, "%s-%06zu", pre, i);
}

/* n customers, a touchpoint, cases, then per customer interactions,
 * feedback on some of them by id, and transactions; one event in 13 has
 * no id. */
static cx_store *build_store(cx_store *s, size_t n)
{
    char id[64], cu[32], ca[32], in[64];
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "shop", "store", "purchase", NULL, 0, 1));
    cx_time t0 = T("2024-01-01T00:00:00Z");
    for (size_t c = 0; c < n / 10 + 1; c++) {
        snprintf(cu, sizeof cu, "C-%zu", c);
        OK(cx_customer_add(s, cu, c % 2 ? "smb" : NULL, NULL, NULL, CX_TIME_NONE));
        snprintf(ca, sizeof ca, "K-%zu", c);
        OK(cx_case_add(s, ca, cu, "phone", "high", NULL, t0, t0 + 60000, CX_TIME_NONE, 0, 1));
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = (i * 7919) % (n / 10 + 1);
        snprintf(cu, sizeof cu, "C-%zu", c);
        snprintf(ca, sizeof ca, "K-%zu", c);
        cx_time t = t0 + (cx_time)i * 1000;
        event_id(in, sizeof in, CX_TABLE_INTERACTIONS, i);
        bool has = i % 13 != 12;
        OK(cx_interaction_add(NULL, s, has ? in : NULL, cu, i % 3 ? "web" : "shop", t, NULL, CX_INBOUND, NULL,
                              i % 4 ? NULL : ca, (int64_t)i, CX_HANDLED, (double)(i % 5)));
        if (i % 2 == 0) {
            event_id(id, sizeof id, CX_TABLE_FEEDBACK, i);
            OK(cx_feedback_add(NULL, s, i % 13 ? id : NULL, cu, "nps", (double)(i % 11), t, NULL, has ? in : NULL, NULL,
                               NULL));
        }
        if (i % 3 == 0) {
            event_id(id, sizeof id, CX_TABLE_TRANSACTIONS, i);
            OK(cx_transaction_add(NULL, s, i % 13 ? id : NULL, cu, t, 10.0 + (double)i));
        }
    }
    return s;
}

static cx_store *new_store(size_t n)
{
    cx_store *s;
    OK(cx_store_new(&s));
    return build_store(s, n);
}

/* Every table exported as CSV into files named prefix-table.csv. */
static void export_all(const cx_store *s, const char *prefix)
{
    char name[64];
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        snprintf(name, sizeof name, "%s-%s.csv", prefix, table_files[t]);
        OK(cx_export_csv(s, t, P(name), 0));
    }
}

static void assert_exports_same(const char *a, const char *b)
{
    char na[64], nb[64];
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        snprintf(na, sizeof na, "%s-%s.csv", a, table_files[t]);
        snprintf(nb, sizeof nb, "%s-%s.csv", b, table_files[t]);
        char pa[4096];
        snprintf(pa, sizeof pa, "%s", P(na));
        assert_files_same(pa, P(nb));
    }
}

/* Every id of every event table is found at its row, and ids that are
 * not there are not found. */
static void assert_finds(const cx_store *s)
{
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k], c = id_column(t);
        size_t n = store_rows(s, t), with = 0;
        for (size_t r = 0; r < n; r++) {
            const char *id = store_str(s, t, c, r);
            if (!id)
                continue;
            with++;
            size_t row;
            OK(cx_store_find(&row, s, t, id));
            EXPECT(row == r, "table %d: '%s' found at row %zu, not %zu", t, id, row, r);
        }
        EXPECT(with > 0, "table %d has ids", t);
        size_t row;
        FAILS(cx_store_find(&row, s, t, "I-9999999"), CX_ENOTFOUND, "cx_store_find");
        FAILS(cx_store_find(&row, s, t, "nothing"), CX_ENOTFOUND, "cx_store_find");
    }
}

/* Every event id of a store, copied (NULL: a row without one). */
typedef struct snap {
    char **ids[3];
    size_t n[3];
} snap;

static snap take_snap(const cx_store *s)
{
    snap x;
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k], c = id_column(t);
        x.n[k] = store_rows(s, t);
        x.ids[k] = calloc(x.n[k] + 1, sizeof *x.ids[k]);
        ck_assert_ptr_nonnull(x.ids[k]);
        for (size_t r = 0; r < x.n[k]; r++) {
            const char *id = store_str(s, t, c, r);
            x.ids[k][r] = id ? strdup(id) : NULL;
        }
    }
    return x;
}

static void free_snap(snap *x)
{
    for (size_t k = 0; k < 3; k++) {
        for (size_t r = 0; r < x->n[k]; r++)
            free(x->ids[k][r]);
        free(x->ids[k]);
    }
}

/* The finds alone (no id read as text): each id of the snapshot at its row. */
static void assert_snap_finds(const cx_store *s, const snap *x)
{
    for (size_t k = 0; k < 3; k++)
        for (size_t r = 0; r < x->n[k]; r++) {
            if (!x->ids[k][r])
                continue;
            size_t row;
            OK(cx_store_find(&row, s, event_tables[k], x->ids[k][r]));
            EXPECT(row == r, "table %d: '%s' found at row %zu, not %zu", event_tables[k], x->ids[k][r], row, r);
        }
}

static bool compacted(const cx_store *s, int t) { return s->keys[t].count > 0 && s->keys[t].nslots == 0; }

START_TEST(compact_changes_nothing_stored)
{
    cx_store *s = new_store(3000);
    export_all(s, "before");
    size_t before, after, again;
    OK(cx_store_memory(&before, s));
    OK(cx_store_compact(s));
    OK(cx_store_memory(&after, s));
    EXPECT(after < before, "compacted: %zu bytes, before %zu", after, before);
    for (size_t k = 0; k < 3; k++) {
        EXPECT(compacted(s, event_tables[k]), "table %d without its slots", event_tables[k]);
        EXPECT(s->nid[event_tables[k]] != NULL, "table %d's ids as numbers", event_tables[k]);
    }
    /* no agent at all, a case for one interaction in four (2-byte codes),
     * no case of feedback: sparse; values 0-4: not (half the column or less) */
    EXPECT(s->sparse[CX_TABLE_INTERACTIONS][IN_AGENT] && s->sparse[CX_TABLE_INTERACTIONS][IN_CASE] &&
               s->nsparse[CX_TABLE_INTERACTIONS] == 2 && s->sparse[CX_TABLE_FEEDBACK][FB_CASE] &&
               s->nsparse[CX_TABLE_FEEDBACK] == 1,
           "agents and feedback's cases kept sparse: %d and %d columns", s->nsparse[CX_TABLE_INTERACTIONS],
           s->nsparse[CX_TABLE_FEEDBACK]);
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        for (int c = 0; c < s->t[t].ncols; c++)
            EXPECT(s->t[t].cols[c].cap == (s->t[t].n ? s->t[t].n : 1) || s->t[t].cols[c].cap == 0,
                   "table %d column %d: room for %zu rows, %zu held", t, c, s->t[t].cols[c].cap, s->t[t].n);
    export_all(s, "after");
    assert_exports_same("before", "after");
    /* the finds build the index apart: the store's bytes stay the same */
    assert_finds(s);
    OK(cx_store_memory(&again, s));
    ck_assert_uint_eq(again, after);
    for (size_t k = 0; k < 3; k++) {
        EXPECT(compacted(s, event_tables[k]), "a find leaves the pool without slots");
        EXPECT(atomic_load(&s->eindex[event_tables[k]]) != NULL, "a find built the index of table %d",
               event_tables[k]);
    }
    /* a second compaction drops that index, and changes nothing either */
    OK(cx_store_compact(s));
    for (size_t k = 0; k < 3; k++)
        EXPECT(atomic_load(&s->eindex[event_tables[k]]) == NULL, "compaction drops the index kept apart");
    export_all(s, "twice");
    assert_exports_same("before", "twice");
    assert_finds(s);
    cx_store_free(s);
}
END_TEST

/* Ids of every shape among ids of one form: the form kept as numbers (of
 * a padded width, or unpadded), every other shape as text; each reads back
 * byte for byte and is found, and near misses are not. */
static const char *const odd_ids[] = {
    "I-1", "I-01", "I-0000001", "000", "0", "I-0000000000000000000000000000000001", "I-99999999999999999999",
    "I-4294967295", "X-000001", "مقابلة-٠٠١", "I-000001 ", " I-000002", "i-000003", "I-1e3", "I--1", "-1", "+1",
    "I-", "I", "T-0", "T-007", "T-", "T-1 ", "T-00",
};
#define NODD (sizeof odd_ids / sizeof odd_ids[0])

static void shapes_case(const char *fmt, size_t first, const char *const *near, size_t nnear)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    enum { N = 400 };
    char *ids[N + NODD];
    size_t n = 0;
    for (size_t i = 0; i < N; i++) {
        char b[32];
        snprintf(b, sizeof b, fmt, first + i * 7);
        ids[n++] = strdup(b);
        if (i % 20 == 7) /* the odd shapes among them */
            ids[n++] = strdup(odd_ids[(i / 20) % NODD]);
    }
    for (size_t i = 0; i < NODD; i++) {
        bool had = false;
        for (size_t k = 0; k < n; k++)
            had |= strcmp(ids[k], odd_ids[i]) == 0;
        if (!had)
            ids[n++] = strdup(odd_ids[i]);
    }
    for (size_t i = 0; i < n; i++)
        OK(cx_interaction_add(NULL, s, ids[i], "C-1", "web", (cx_time)i * 1000, NULL, CX_INBOUND, NULL, NULL, 0,
                              CX_HANDLED, 0));
    OK(cx_store_compact(s));
    EXPECT(s->nid[CX_TABLE_INTERACTIONS] != NULL, "'%s' ids kept as numbers", fmt);
    int c = id_column(CX_TABLE_INTERACTIONS);
    for (size_t i = 0; i < n; i++) {
        size_t row;
        OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, ids[i]));
        EXPECT(row == i, "'%s' found at row %zu, not %zu", ids[i], row, i);
    }
    for (size_t i = 0; i < nnear; i++) {
        size_t row;
        EXPECT(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, near[i]) == CX_ENOTFOUND, "near miss '%s' found", near[i]);
    }
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, c, i), ids[i]);
    /* a writer turns them back into text: the same ids, found the same */
    OK(cx_interaction_add(NULL, s, "I-new", "C-1", "web", 0, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    EXPECT(s->nid[CX_TABLE_INTERACTIONS] == NULL, "text again");
    for (size_t i = 0; i < n; i++) {
        size_t row;
        OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, ids[i]));
        ck_assert_uint_eq(row, i);
        ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, c, i), ids[i]);
        free(ids[i]);
    }
    cx_store_free(s);
}

START_TEST(compact_ids_of_every_shape)
{
    /* padded to 6 digits: 7-digit ids, unpadded ones and other prefixes are not of the form */
    static const char *const near6[] = {"I-000000", "I-00001", "I-0000008", "I-1000000", "I-999999", "I-000008 ",
                                        "i-000008", "I-00000a", "I-8", "I-0008"};
    shapes_case("I-%06zu", 1, near6, sizeof near6 / sizeof near6[0]);
    /* unpadded: ids with zeros in front are not of the form */
    static const char *const near0[] = {"T-2", "T-08", "T-0008", "T-9999", "T-8 ", "T-80000000000", "T-4294967296"};
    shapes_case("T-%zu", 8, near0, sizeof near0 / sizeof near0[0]);
}
END_TEST

START_TEST(compact_arguments)
{
    FAILS(cx_store_compact(NULL), CX_EINVAL, "cx_store_compact");
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_store_compact(s)); /* empty: nothing to give back */
    OK(cx_store_compact(s));
    size_t row;
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-1"), CX_ENOTFOUND, "cx_store_find");
    /* and it takes rows after */
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    OK(cx_interaction_add(NULL, s, "I-1", "C-1", "web", 0, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    OK(cx_store_compact(s));
    OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-1"));
    ck_assert_uint_eq(row, 0);
    cx_store_free(s);
}
END_TEST

/* Adds, `_put` calls and feedback links after a compaction: duplicates
 * refused, new ids found, updates on the right row. */
START_TEST(compact_then_change)
{
    cx_store *s = new_store(2000);
    OK(cx_store_compact(s));
    size_t row, n0 = store_rows(s, CX_TABLE_INTERACTIONS);
    /* a find first (the index kept apart), then an add takes it over */
    OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-000001"));
    ck_assert_uint_eq(row, 1);
    FAILS(cx_interaction_add(NULL, s, "I-000001", "C-1", "web", 0, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0),
          CX_EEXISTS, "cx_interaction_add");
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), n0);
    EXPECT(!compacted(s, CX_TABLE_INTERACTIONS), "a writer gives the pool its slots back");
    EXPECT(atomic_load(&s->eindex[CX_TABLE_INTERACTIONS]) == NULL, "taken over, not kept twice");
    OK(cx_interaction_add(&row, s, "I-new", "C-1", "web", 0, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    ck_assert_uint_eq(row, n0);
    /* no find before: the writer builds the index itself */
    FAILS(cx_feedback_add(NULL, s, "F-000002", "C-0", "nps", 9, 0, NULL, NULL, NULL, NULL), CX_EEXISTS,
          "cx_feedback_add");
    EXPECT(!compacted(s, CX_TABLE_FEEDBACK), "feedback's pool has its slots back");
    FAILS(cx_transaction_add(NULL, s, "T-000006", "C-0", 0, 1.0), CX_EEXISTS, "cx_transaction_add");
    /* feedback links to an interaction by id, and to none that is not there */
    OK(cx_store_compact(s));
    OK(cx_feedback_add(&row, s, "F-new", "C-1", "nps", 10, 0, NULL, "I-new", NULL, NULL));
    FAILS(cx_feedback_add(NULL, s, "F-new2", "C-1", "nps", 10, 0, NULL, "I-missing", NULL, NULL), CX_ENOTFOUND,
          "cx_feedback_add");
    int ic;
    OK(cx_column_find(&ic, CX_TABLE_FEEDBACK, "interaction"));
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, ic, row), "I-new");
    /* a _put of an id that is there replaces that row */
    OK(cx_store_compact(s));
    int change, cc;
    OK(cx_column_find(&cc, CX_TABLE_INTERACTIONS, "customer"));
    char cu20[32];
    snprintf(cu20, sizeof cu20, "%s", store_str(s, CX_TABLE_INTERACTIONS, cc, 20));
    OK(cx_interaction_put(&change, &row, s, "I-000020", cu20, "shop", 5000, NULL, CX_OUTBOUND, NULL, NULL, 7,
                          CX_HANDLED, 3.5));
    ck_assert_uint_eq(row, 20);
    ck_assert_int_eq(change, CX_UPDATED);
    OK(cx_interaction_put(&change, &row, s, "I-put", "C-2", "shop", 5000, NULL, CX_OUTBOUND, NULL, NULL, 7,
                          CX_HANDLED, 3.5));
    ck_assert_int_eq(change, CX_ADDED);
    assert_finds(s);
    /* room asked for after a compaction: its columns are columns again */
    OK(cx_store_compact(s));
    EXPECT(s->nsparse[CX_TABLE_INTERACTIONS] > 0, "a sparse column");
    size_t n1 = store_rows(s, CX_TABLE_INTERACTIONS);
    OK(cx_store_reserve(s, CX_TABLE_INTERACTIONS, 100));
    EXPECT(s->nsparse[CX_TABLE_INTERACTIONS] == 0 && s->t[CX_TABLE_INTERACTIONS].room >= n1 + 100, "room for 100");
    int ag;
    OK(cx_column_find(&ag, CX_TABLE_INTERACTIONS, "agent"));
    for (int i = 0; i < 100; i++)
        OK(cx_interaction_add(NULL, s, NULL, "C-1", "web", i, NULL, CX_INBOUND, i % 2 ? "Huda" : NULL, NULL, 0,
                              CX_HANDLED, 0));
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, ag, n1 + 1), "Huda");
    EXPECT(store_str(s, CX_TABLE_INTERACTIONS, ag, n1) == NULL, "no agent");
    EXPECT(store_str(s, CX_TABLE_INTERACTIONS, ag, 0) == NULL, "no agent");
    cx_store_free(s);
}
END_TEST

/* Step k of a run of writes (false past the last): adds with and without
 * ids, agents, cases and values, a _put that replaces, a batch, a forget,
 * an import, a failed add. */
static bool write_step(cx_store *s, int k, const char *csv)
{
    size_t row;
    int change;
    switch (k) {
    case 0:
        OK(cx_interaction_add(NULL, s, NULL, "C-1", "web", 1000, NULL, CX_INBOUND, "Huda", "K-1", 5, CX_HANDLED, 2.5));
        return true;
    case 1:
        OK(cx_interaction_add(NULL, s, "I-t1", "C-2", "shop", 2000, NULL, CX_OUTBOUND, NULL, NULL, 0, CX_HANDLED, 0));
        return true;
    case 2:
        OK(cx_feedback_add(NULL, s, "F-t1", "C-2", "nps", 7, 3000, NULL, "I-t1", "K-2", NULL));
        return true;
    case 3: {
        int cc;
        OK(cx_column_find(&cc, CX_TABLE_INTERACTIONS, "customer"));
        char cu[32];
        snprintf(cu, sizeof cu, "%s", store_str(s, CX_TABLE_INTERACTIONS, cc, 21));
        OK(cx_interaction_put(&change, &row, s, "I-000021", cu, "shop", 5000, NULL, CX_OUTBOUND, "Omar", NULL, 7,
                              CX_HANDLED, 3.5));
        ck_assert_int_eq(change, CX_UPDATED);
        return true;
    }
    case 4: {
        const char *cus[] = {"C-3", "C-4", "C-3"}, *tps[] = {"web", "web", "shop"}, *ags[] = {NULL, "Huda", NULL};
        const char *cas[] = {"K-3", NULL, NULL}, *ids[] = {"I-b1", NULL, "I-b3"};
        const cx_time ts[] = {1, 2, 3};
        const double vs[] = {0, 9.99, 0};
        size_t failed;
        OK(cx_interaction_add_batch(&failed, s, 3, ids, cus, tps, ts, NULL, NULL, ags, cas, NULL, NULL, vs));
        return true;
    }
    case 5: {
        const char *gone[] = {"C-5"};
        OK(cx_customer_forget(&row, s, 1, gone));
        return true;
    }
    case 6: {
        cx_import_report *rep = NULL;
        OK(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, csv, NULL));
        cx_import_report_free(rep);
        return true;
    }
    case 7:
        FAILS(cx_interaction_add(NULL, s, "I-t1", "C-1", "web", 0, NULL, CX_INBOUND, "Huda", "K-1", 0, CX_HANDLED, 1),
              CX_EEXISTS, "cx_interaction_add");
        OK(cx_transaction_add(NULL, s, "T-t1", "C-1", 4000, 12.5));
        return true;
    default:
        return false;
    }
}

/* Values not all in cents (the column of doubles): not kept sparse, the
 * same values after a compaction; agents still sparse. */
START_TEST(compact_values_not_in_cents)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    for (int i = 0; i < 3000; i++)
        OK(cx_interaction_add(NULL, s, NULL, "C-1", "web", i, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED,
                              i % 10 == 3 ? 1.0 / 3.0 * i : 0.0));
    EXPECT(s->t[CX_TABLE_INTERACTIONS].cols[IN_VALUE].elem == sizeof(double), "values as doubles");
    export_all(s, "before");
    OK(cx_store_compact(s));
    EXPECT(!s->sparse[CX_TABLE_INTERACTIONS][IN_VALUE] && s->sparse[CX_TABLE_INTERACTIONS][IN_AGENT],
           "doubles stay a column, agents go sparse");
    export_all(s, "after");
    assert_exports_same("before", "after");
    int vc;
    OK(cx_column_find(&vc, CX_TABLE_INTERACTIONS, "value"));
    double v;
    OK(cx_store_get_real(&v, s, CX_TABLE_INTERACTIONS, vc, 13));
    ck_assert(v == 1.0 / 3.0 * 13);
    cx_store_free(s);
}
END_TEST

/* The same writes on a store and on its twin compacted before each: the
 * same tables after every one. */
START_TEST(compact_twin_writes)
{
    cx_store *a = new_store(1500), *b = new_store(1500);
    char csv[4096];
    snprintf(csv, sizeof csv, "%s", write_file("more.csv",
                                 "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                                 "M-1,C-1,web,2024-03-01T00:00:00Z,,inbound,Huda,K-1,1,handled,0\n"
                                 "M-2,C-2,shop,2024-03-02T00:00:00Z,,inbound,,,1,handled,4.25\n"
                                 ",C-3,web,2024-03-03T00:00:00Z,,outbound,Omar,K-3,1,handled,0\n"));
    char pa[64], pb[64];
    for (int k = 0;; k++) {
        OK(cx_store_compact(b));
        EXPECT(b->nsparse[CX_TABLE_INTERACTIONS] > 0 && b->nid[CX_TABLE_INTERACTIONS], "step %d: compacted", k);
        if (!write_step(a, k, csv))
            break;
        write_step(b, k, csv);
        snprintf(pa, sizeof pa, "a%d", k);
        snprintf(pb, sizeof pb, "b%d", k);
        export_all(a, pa);
        export_all(b, pb);
        assert_exports_same(pa, pb);
        assert_finds(b);
    }
    cx_store_free(a);
    cx_store_free(b);
}
END_TEST

static const char *write_interactions(const char *name, size_t from, size_t to, const char *dup, const char *bad)
{
    size_t cap = 128 + (to - from + 2) * 96;
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    size_t n = (size_t)snprintf(csv, cap,
                                "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n");
    for (size_t i = from; i < to; i++)
        n += (size_t)snprintf(csv + n, cap - n, "X-%zu,C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n", i);
    if (dup)
        n += (size_t)snprintf(csv + n, cap - n, "%s,C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n", dup);
    if (bad)
        snprintf(csv + n, cap - n, "%s,C-1,web,not a time,,inbound,,,1,handled,0\n", bad);
    const char *path = write_file(name, csv);
    free(csv);
    return path;
}

/* Imports after a compaction: a failed one changes nothing (the store
 * exports the same, the ids are found), a good one adds its rows and
 * refuses an id the store has. */
START_TEST(compact_then_import)
{
    cx_store *s = new_store(2000);
    OK(cx_store_compact(s));
    export_all(s, "before");
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *rep = NULL;
    const char *bad = write_interactions("bad.csv", 0, 500, NULL, "X-bad");
    FAILS(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, bad, o), CX_EPARSE, "cx_import_csv");
    cx_import_report_free(rep);
    export_all(s, "failed");
    assert_exports_same("before", "failed");
    assert_finds(s);
    size_t row;
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "X-1"), CX_ENOTFOUND, "cx_store_find");
    /* an id the store has, in a strict import: refused, nothing added */
    OK(cx_store_compact(s));
    const char *dup = write_interactions("dup.csv", 0, 300, "I-000007", NULL);
    rep = NULL;
    EXPECT(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, dup, o) != CX_OK, "a duplicate id fails a strict import");
    cx_import_report_free(rep);
    export_all(s, "dup");
    assert_exports_same("before", "dup");
    /* a good one */
    OK(cx_store_compact(s));
    size_t n0 = store_rows(s, CX_TABLE_INTERACTIONS);
    const char *good = write_interactions("good.csv", 0, 400, NULL, NULL);
    rep = NULL;
    OK(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, good, o));
    cx_import_report_free(rep);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), n0 + 400);
    OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "X-399"));
    ck_assert_uint_eq(row, n0 + 399);
    assert_finds(s);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

/* Forget keeps the ids compacted; a clone has its own index; both find
 * every id. */
START_TEST(compact_forget_clone)
{
    cx_store *s = new_store(2000);
    OK(cx_store_compact(s));
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_TRANSACTIONS, "T-000006")); /* an index kept apart, then a forget */
    cx_store *c;
    OK(cx_store_clone(&c, s));
    EXPECT(!compacted(c, CX_TABLE_INTERACTIONS), "a copy has its index");
    export_all(s, "orig");
    export_all(c, "copy");
    assert_exports_same("orig", "copy");
    assert_finds(c);
    const char *gone[] = {"C-3", "C-17"};
    size_t removed;
    OK(cx_customer_forget(&removed, s, 2, gone));
    EXPECT(removed > 2, "%zu rows removed", removed);
    for (size_t k = 0; k < 3; k++) {
        EXPECT(compacted(s, event_tables[k]), "forget keeps table %d compacted", event_tables[k]);
        EXPECT(atomic_load(&s->eindex[event_tables[k]]) == NULL, "the index of the old ids is gone");
    }
    assert_finds(s);
    /* the copy's ids of the customers forgotten are still there, the store's not */
    int ci = id_column(CX_TABLE_INTERACTIONS), cc;
    OK(cx_column_find(&cc, CX_TABLE_INTERACTIONS, "customer"));
    size_t nc = store_rows(c, CX_TABLE_INTERACTIONS), checked = 0;
    for (size_t r = 0; r < nc; r++) {
        const char *cu = store_str(c, CX_TABLE_INTERACTIONS, cc, r), *id = store_str(c, CX_TABLE_INTERACTIONS, ci, r);
        if (!id || (strcmp(cu, "C-3") && strcmp(cu, "C-17")))
            continue;
        checked++;
        FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, id), CX_ENOTFOUND, "cx_store_find");
        OK(cx_store_find(&row, c, CX_TABLE_INTERACTIONS, id));
    }
    EXPECT(checked > 0, "the customers forgotten had interactions with ids");
    cx_store_free(c);
    cx_store_free(s);
}
END_TEST

/* Out of memory: a find reads the ids in order instead; an add whose index
 * cannot be built fails with CX_ENOMEM and changes nothing; every block
 * is given back. */
START_TEST(compact_out_of_memory)
{
    cxt_alloc a = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &a));
    build_store(s, 1500);
    export_all(s, "loaded");
    /* an allocator that refuses every shrink: the columns keep their room,
     * the index still goes, nothing stored changes */
    size_t m0, m1;
    OK(cx_store_memory(&m0, s));
    cxt_alloc_allow(&a, 0);
    OK(cx_store_compact(s));
    cxt_alloc_allow(&a, -1);
    EXPECT(a.refused > 0, "the shrinks were asked for");
    OK(cx_store_memory(&m1, s));
    EXPECT(m1 < m0, "the index went: %zu bytes, before %zu", m1, m0);
    EXPECT(s->t[CX_TABLE_INTERACTIONS].cols[0].cap > s->t[CX_TABLE_INTERACTIONS].n, "a refused shrink keeps the room");
    export_all(s, "before");
    assert_exports_same("loaded", "before");
    assert_finds(s);
    snap ids = take_snap(s);
    OK(cx_store_compact(s));
    cxt_alloc_allow(&a, 0);
    assert_snap_finds(s, &ids); /* no memory for the index: found all the same */
    /* the text of ids kept as numbers cannot be lent without memory */
    const char *text;
    FAILS(cx_store_get_string(&text, s, CX_TABLE_INTERACTIONS, id_column(CX_TABLE_INTERACTIONS), 0), CX_ENOMEM,
          "cx_store_get_string");
    for (size_t k = 0; k < 3; k++)
        EXPECT(atomic_load(&s->eindex[event_tables[k]]) == NULL, "no index without memory");
    FAILS(cx_interaction_add(NULL, s, "I-oom", "C-1", "web", 0, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0),
          CX_ENOMEM, "cx_interaction_add");
    FAILS(cx_feedback_add(NULL, s, NULL, "C-1", "nps", 9, 0, NULL, "I-000001", NULL, NULL), CX_ENOMEM,
          "cx_feedback_add");
    cx_import_report *rep = NULL;
    const char *good = write_interactions("good.csv", 0, 50, NULL, NULL);
    FAILS(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, good, NULL), CX_ENOMEM, "cx_import_csv");
    cx_import_report_free(rep);
    cxt_alloc_allow(&a, -1);
    export_all(s, "after");
    assert_exports_same("before", "after");
    EXPECT(compacted(s, CX_TABLE_INTERACTIONS), "a failed writer leaves the ids as they were");
    /* every k-th request refused in turn: the add fails cleanly or works */
    for (size_t k = 1;; k++) {
        char id[32];
        snprintf(id, sizeof id, "I-k%zu", k);
        OK(cx_store_compact(s));
        size_t n0 = store_rows(s, CX_TABLE_INTERACTIONS);
        cxt_alloc_fail_nth(&a, k, true);
        int rc = cx_interaction_add(NULL, s, id, "C-1", "web", 0, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0);
        cxt_alloc_allow(&a, -1);
        size_t row;
        if (rc == CX_OK) {
            OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, id));
            ck_assert_uint_eq(row, n0);
            break;
        }
        ck_assert_int_eq(rc, CX_ENOMEM);
        ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), n0);
        FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, id), CX_ENOTFOUND, "cx_store_find");
        EXPECT(k < 100, "the add kept failing");
    }
    assert_finds(s);
    free_snap(&ids);
    cx_store_free(s);
    ck_assert_uint_eq(a.live, 0);
    ck_assert_uint_eq(a.blocks, 0);
    ck_assert_uint_eq(a.bad, 0);
}
END_TEST

typedef struct fjob {
    const cx_store *s;
    size_t wrong;
} fjob;

static void *find_job(void *p)
{
    fjob *j = p;
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k], c = id_column(t);
        size_t n = store_rows(j->s, t);
        for (size_t r = 0; r < n; r += 3) {
            const char *id;
            size_t row;
            if (cx_store_get_string(&id, j->s, t, c, r) != CX_OK)
                j->wrong++;
            else if (id && (cx_store_find(&row, j->s, t, id) != CX_OK || row != r))
                j->wrong++;
        }
    }
    return NULL;
}

/* Readers at once on a compacted store: each may build the index, one is
 * kept, every find is right (ThreadSanitizer and valgrind see the rest). */
START_TEST(compact_concurrent_finds)
{
    cx_store *s = new_store(3000);
    for (int round = 0; round < 8; round++) {
        OK(cx_store_compact(s));
        enum { NT = 4 };
        fjob jobs[NT];
        pthread_t th[NT];
        for (int i = 0; i < NT; i++) {
            jobs[i] = (fjob){s, 0};
            ck_assert_int_eq(pthread_create(&th[i], NULL, find_job, &jobs[i]), 0);
        }
        for (int i = 0; i < NT; i++)
            ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        for (int i = 0; i < NT; i++)
            ck_assert_uint_eq(jobs[i].wrong, 0);
        for (size_t k = 0; k < 3; k++)
            EXPECT(atomic_load(&s->eindex[event_tables[k]]) != NULL, "one index published");
    }
    cx_store_free(s);
}
END_TEST

/* The same analyses before and after: a journeys list and a query. */
START_TEST(compact_same_results)
{
    cx_store *s = new_store(2000);
    cx_journeys *j;
    cx_result *r1, *r2;
    OK(cx_journeys_new(&j, s, NULL));
    OK(cx_journeys_list(&r1, j));
    cx_journeys_free(j);
    OK(cx_result_export_csv(r1, P("j1.csv")));
    OK(cx_store_compact(s));
    OK(cx_journeys_new(&j, s, NULL));
    OK(cx_journeys_list(&r2, j));
    cx_journeys_free(j);
    OK(cx_result_export_csv(r2, P("j2.csv")));
    char p1[4096];
    snprintf(p1, sizeof p1, "%s", P("j1.csv"));
    assert_files_same(p1, P("j2.csv"));
    cx_result_free(r1);
    cx_result_free(r2);
    cx_store_free(s);
}
END_TEST

#ifndef CXKIT_DEMO_DATA
#define CXKIT_DEMO_DATA "examples/data"
#endif

/* Every analysis that reads the columns compaction keeps sparse (agents,
 * cases, values) and the ids it keeps as numbers, written as CSV files
 * named prefix-k.csv; returns how many. */
static int analyses(const cx_store *s, const char *prefix)
{
    cx_result *r[16];
    int n = 0;
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    OK(cx_journeys_list(&r[n++], j));
    OK(cx_journeys_paths(&r[n++], j, 50));
    OK(cx_journeys_transitions(&r[n++], j, 1));
    OK(cx_journeys_attribution(&r[n++], j, 1));
    OK(cx_journeys_pain_points(&r[n++], j));
    OK(cx_journeys_drivers(&r[n++], j));
    cx_journeys_free(j);
    static const cx_dim dims[] = {CX_DIM_CHANNEL, CX_DIM_AGENT, CX_DIM_PRIORITY};
    for (size_t d = 0; d < 3; d++) {
        cx_query *q;
        OK(cx_query_new(&q, s));
        for (int m = 0; m < CX_MEASURE_CX_INDEX; m++)
            OK(cx_query_add(q, (cx_measure)m));
        OK(cx_query_group_by(q, dims[d]));
        OK(cx_query_run(&r[n++], q));
        cx_query_free(q);
    }
    OK(cx_rfm_run(&r[n++], s, T("2026-01-01T00:00:00Z"), 86400000, 5));
    for (int k = 0; k < n; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s-%d.csv", prefix, k);
        OK(cx_result_export_csv(r[k], P(name)));
        cx_result_free(r[k]);
    }
    return n;
}

START_TEST(compact_demo_same_results)
{
    static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                                CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};
    cx_store *s;
    OK(cx_store_new(&s));
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        char path[4096];
        OK(cx_table_name(&name, order[i]));
        snprintf(path, sizeof path, "%s/%s.csv", CXKIT_DEMO_DATA, name);
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, order[i], path, NULL));
        cx_import_report_free(rep);
    }
    int n = analyses(s, "loaded");
    export_all(s, "loaded");
    OK(cx_store_compact(s));
    EXPECT(s->nid[CX_TABLE_INTERACTIONS] && s->nid[CX_TABLE_FEEDBACK] && s->nid[CX_TABLE_TRANSACTIONS],
           "the demo's ids kept as numbers");
    EXPECT(s->nsparse[CX_TABLE_INTERACTIONS] >= 2 && s->nsparse[CX_TABLE_FEEDBACK] == 1,
           "the demo's agents, cases and values kept sparse: %d and %d columns", s->nsparse[CX_TABLE_INTERACTIONS],
           s->nsparse[CX_TABLE_FEEDBACK]);
    ck_assert_int_eq(analyses(s, "compacted"), n);
    for (int k = 0; k < n; k++) {
        char a[64], b[64], pa[4096];
        snprintf(a, sizeof a, "loaded-%d.csv", k);
        snprintf(b, sizeof b, "compacted-%d.csv", k);
        snprintf(pa, sizeof pa, "%s", P(a));
        assert_files_same(pa, P(b));
    }
    /* a copy and a save and load of the compacted store hold the same */
    cx_store *c;
    OK(cx_store_clone(&c, s));
    export_all(c, "copy");
    assert_exports_same("loaded", "copy");
    cx_store_free(c);
    char db[4096];
    snprintf(db, sizeof db, "%s", P("demo.db"));
    OK(cx_db_save(s, db));
    cx_store *l;
    OK(cx_db_load(&l, db));
    export_all(l, "db");
    assert_exports_same("loaded", "db");
    cx_store_free(l);
    /* the compacted store's own export last: it makes the ids' text again */
    export_all(s, "compacted");
    assert_exports_same("loaded", "compacted");
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compact");
    TCase *tc = tcase_create("compact");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, compact_changes_nothing_stored);
    tcase_add_test(tc, compact_arguments);
    tcase_add_test(tc, compact_ids_of_every_shape);
    tcase_add_test(tc, compact_then_change);
    tcase_add_test(tc, compact_twin_writes);
    tcase_add_test(tc, compact_values_not_in_cents);
    tcase_add_test(tc, compact_then_import);
    tcase_add_test(tc, compact_forget_clone);
    tcase_add_test(tc, compact_out_of_memory);
    tcase_add_test(tc, compact_concurrent_finds);
    tcase_add_test(tc, compact_same_results);
    tcase_add_test(tc, compact_demo_same_results);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
