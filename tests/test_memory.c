/* Issue 14, memory: the compact string pools (4-byte tagged hash slots,
 * 4-byte string references, 1-byte lengths, blocks larger than 64 KiB for
 * large strings) and the event tables' id -> row index that costs nothing
 * while every row has an id. Every id must read back byte for byte through
 * every path: the getters, cx_store_find, a failed import's rollback,
 * cx_customer_forget, cx_store_clone, an export and a SQLite save and load.
 * Interactions' code columns (touchpoint, kind, agent, case), cases'
 * (channel, priority, agent) and feedback's (question, touchpoint, case)
 * take 1, 2 or 4 bytes a row as their values need (small dictionary ids);
 * interactions' value, transactions' amount and feedback's score are int32
 * cents while every value is an amount in cents.
 * Links the internal archive to see the layout (idrow, the pool blocks). */
#include "cx_test.h"

#include <pthread.h>

#include "../src/store/store_private.h"

/* ---- ids of every shape ------------------------------------------------- */

static char long_digits[400];
static char huge_id[200000]; /* a string larger than a 64 KiB block */

static const char *const shapes[] = {
    "I-000001", "I-000002", "I-1", "I-01", "I-001", "000", "0", "I-0000000000000000000000000000000001",
    "I-99999999999999999999999999999", /* looks numeric, overflows 64 bits */
    "I-18446744073709551616",          /* 2^64 */
    "X-000001",                        /* another scheme in the same table */
    "مقابلة-٠٠١",                      /* non-ASCII: Arabic letters and digits */
    "I-000001 ", " I-000001", "i-000001", "I-1e3", "I--1", "-1", "+1",
    long_digits, /* 399 digits: a 5-byte length */
    huge_id,
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

static void ids_setup(void)
{
    tmpdir_setup();
    memset(long_digits, '7', sizeof long_digits - 1);
    long_digits[0] = '0';
    long_digits[sizeof long_digits - 1] = '\0';
    for (size_t i = 0; i < sizeof huge_id - 1; i++)
        huge_id[i] = (char)('a' + i % 26);
    huge_id[sizeof huge_id - 1] = '\0';
}

static const int event_tables[] = {CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};

static int id_column(int table)
{
    int c;
    OK(cx_column_find(&c, table, "id"));
    return c;
}

/* Customers C-1 and C-2 and touchpoint web in store s (a new store has
 * the questions nps, csat and ces too); base_store makes one, alloc_store
 * one whose allocations go through `a` (the out-of-memory tests). */
static cx_store *base_rows(cx_store *s)
{
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C-2", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    return s;
}

static cx_store *base_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    return base_rows(s);
}

static cx_store *alloc_store(cxt_alloc *a)
{
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, a));
    return base_rows(s);
}

/* Adds event i of `table` with id `id` (NULL: none) for customer C-1 or C-2. */
static void add_event(cx_store *s, int table, const char *id, size_t i)
{
    const char *cu = i % 3 ? "C-1" : "C-2";
    cx_time t = T("2024-01-01T00:00:00Z") + (cx_time)i * 1000;
    if (table == CX_TABLE_INTERACTIONS)
        OK(cx_interaction_add(NULL, s, id, cu, "web", t, NULL, CX_INBOUND, NULL, NULL, (int64_t)i, CX_HANDLED, 0.5));
    else if (table == CX_TABLE_FEEDBACK)
        OK(cx_feedback_add(NULL, s, id, cu, "nps", (double)(i % 11), t, NULL, NULL, NULL, NULL));
    else
        OK(cx_transaction_add(NULL, s, id, cu, t, (double)i));
}

/* The ids of the first n rows of `table` read back as ids[row] (NULL: none)
 * and are found at their rows. */
static void assert_first_ids(const cx_store *s, int table, const char *const *ids, size_t n)
{
    int c = id_column(table);
    for (size_t r = 0; r < n; r++) {
        const char *got = store_str(s, table, c, r);
        if (!ids[r]) {
            EXPECT(got == NULL, "row %zu of table %d: id '%s', expected none", r, table, got);
            continue;
        }
        EXPECT(got && strcmp(got, ids[r]) == 0, "row %zu of table %d: id '%.40s', expected '%.40s'", r, table,
               got ? got : "(null)", ids[r]);
        size_t row;
        OK(cx_store_find(&row, s, table, ids[r]));
        ck_assert_uint_eq(row, r);
    }
}

/* The same for every row of the table. */
static void assert_ids(const cx_store *s, int table, const char *const *ids, size_t n)
{
    ck_assert_uint_eq(store_rows(s, table), n);
    assert_first_ids(s, table, ids, n);
}

START_TEST(ids_of_every_shape)
{
    cx_store *s = base_store();
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k];
        for (size_t i = 0; i < NSHAPES; i++)
            add_event(s, t, shapes[i], i);
        assert_ids(s, t, shapes, NSHAPES);
        EXPECT(s->idrow[t] == NULL, "every row has an id: no id -> row array");
        /* near misses are not found */
        size_t row;
        FAILS(cx_store_find(&row, s, t, "I-0000001"), CX_ENOTFOUND, "cx_store_find");
        FAILS(cx_store_find(&row, s, t, "I-00000"), CX_ENOTFOUND, "cx_store_find");
        long_digits[5] = '8';
        FAILS(cx_store_find(&row, s, t, long_digits), CX_ENOTFOUND, "cx_store_find");
        long_digits[5] = '7';
        /* a duplicate is refused, whatever its shape */
        if (t == CX_TABLE_INTERACTIONS)
            FAILS(cx_interaction_add(NULL, s, huge_id, "C-1", "web", 0, NULL, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0),
                  CX_EEXISTS, "cx_interaction_add");
    }
    /* a 200 kB id spans several 64 KiB block indices: the pool's blocks',
     * or its out-of-line blocks' when the ids keep uniform mode with the
     * other shapes as outliers (tests/test_pool.c) */
    const cxi_pool *p = &s->keys[CX_TABLE_INTERACTIONS];
    size_t spanned = 0;
    for (size_t b = 0; b < p->nblocks; b++)
        spanned += p->block_sizes[b] == 0;
    for (size_t b = 0; b < p->nx; b++)
        spanned += p->xsizes[b] == 0;
    EXPECT(spanned >= 3, "%zu indices inside a large block", spanned);
    cx_store_free(s);
}
END_TEST

/* Rows with and without ids: the id -> row array is made at the first row
 * whose row is not its id's number, and stays right. */
START_TEST(rows_without_ids)
{
    for (size_t k = 0; k < 3; k++) {
        cx_store *s = base_store();
        int t = event_tables[k];
        const char *ids[40];
        char buf[40][16];
        for (size_t i = 0; i < 40; i++) {
            snprintf(buf[i], sizeof buf[i], "E-%03zu", i);
            ids[i] = i % 4 == 3 ? NULL : buf[i];
            add_event(s, t, ids[i], i);
            if (i < 3)
                EXPECT(s->idrow[t] == NULL, "rows 0 to %zu all have ids", i);
        }
        EXPECT(s->idrow[t] != NULL, "a row without id makes the array");
        assert_ids(s, t, ids, 40);
        cx_store_free(s);
    }
}
END_TEST

/* The rollback tests' imports (of interactions, or of `table`): `path`
 * imported strictly, existing rows updated, fails on a bad row and must
 * change nothing (the caller checks); import_lenient then takes the same
 * file leniently with the same options, rejecting that one row, and frees
 * the options. */
static cx_import_options *import_strict_fails_in(cx_store *s, int table, const char *path)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    cx_import_report *rep = NULL;
    FAILS(cx_import_csv(&rep, s, table, path, o), CX_EPARSE, "cx_import_csv");
    cx_import_report_free(rep);
    return o;
}

static void import_lenient_in(cx_store *s, int table, const char *path, cx_import_options *o)
{
    cx_import_report *rep = NULL;
    OK(cx_import_options_set_strict(o, 0));
    OK(cx_import_csv(&rep, s, table, path, o));
    ck_assert_uint_eq(cx_import_report_rejected(rep), 1);
    cx_import_report_free(rep);
    cx_import_options_free(o);
}

static cx_import_options *import_strict_fails(cx_store *s, const char *path)
{
    return import_strict_fails_in(s, CX_TABLE_INTERACTIONS, path);
}

static void import_lenient(cx_store *s, const char *path, cx_import_options *o)
{
    import_lenient_in(s, CX_TABLE_INTERACTIONS, path, o);
}

/* A failed import that had added rows and ids changes nothing: the ids it
 * added are forgotten, the ones before it still found, and the store takes
 * the same ids again afterwards. */
START_TEST(failed_import_rolls_back_ids)
{
    cx_store *s = base_store();
    const char *before[] = {"I-000001", "I-000002", NULL, "I-000004"};
    for (size_t i = 0; i < 4; i++)
        add_event(s, CX_TABLE_INTERACTIONS, before[i], i);
    size_t mem0;
    OK(cx_store_memory(&mem0, s));
    char *csv = malloc(1 << 20);
    ck_assert_ptr_nonnull(csv);
    size_t n = (size_t)sprintf(csv, "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n");
    for (int i = 5; i < 3000; i++)
        n += (size_t)sprintf(csv + n, "I-%06d,C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n", i);
    n += (size_t)sprintf(csv + n, "%s,C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n", long_digits);
    sprintf(csv + n, "I-999999,C-1,web,not a time,,inbound,,,1,handled,0\n");
    const char *path = write_file("in.csv", csv);
    free(csv);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *rep = NULL;
    FAILS(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, path, o), CX_EPARSE, "cx_import_csv");
    cx_import_report_free(rep);
    assert_ids(s, CX_TABLE_INTERACTIONS, before, 4);
    size_t row;
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-000005"), CX_ENOTFOUND, "cx_store_find");
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, long_digits), CX_ENOTFOUND, "cx_store_find");
    ck_assert_uint_eq(s->keys[CX_TABLE_INTERACTIONS].count, 3);
    /* the same ids go in again, after a lenient import */
    import_lenient(s, path, o);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), 4 + 2995 + 1);
    OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-002999"));
    ck_assert_uint_eq(row, 4 + 2999 - 5);
    OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, long_digits));
    ck_assert_uint_eq(row, 4 + 2995);
    assert_first_ids(s, CX_TABLE_INTERACTIONS, before, 4);
    cx_store_free(s);
}
END_TEST

/* Every id of the three event tables, as a list per table, for comparisons. */
static void collect(const cx_store *s, int table, const char **out, size_t n)
{
    int c = id_column(table);
    for (size_t r = 0; r < n; r++)
        out[r] = store_str(s, table, c, r);
}

static cx_store *mixed_store(void)
{
    cx_store *s = base_store();
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < NSHAPES; i++)
            add_event(s, event_tables[k], i % 5 == 4 ? NULL : shapes[i], i);
    return s;
}

static void assert_same_ids(const cx_store *a, const cx_store *b)
{
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k];
        const char *ids[NSHAPES];
        ck_assert_uint_eq(store_rows(a, t), NSHAPES);
        collect(a, t, ids, NSHAPES);
        assert_ids(b, t, ids, NSHAPES);
    }
}

START_TEST(save_load_clone_round_trip)
{
    cx_store *s = mixed_store();
    cx_store *c, *l;
    OK(cx_store_clone(&c, s));
    assert_same_ids(s, c);
    OK(cx_db_save(s, P("ids.db")));
    OK(cx_db_load(&l, P("ids.db")));
    assert_same_ids(s, l);
    /* the loaded store takes more ids and still finds all */
    add_event(l, CX_TABLE_TRANSACTIONS, "X-000002", 99);
    size_t row;
    OK(cx_store_find(&row, l, CX_TABLE_TRANSACTIONS, "X-000002"));
    ck_assert_uint_eq(row, NSHAPES);
    OK(cx_store_find(&row, l, CX_TABLE_TRANSACTIONS, huge_id));
    cx_store_free(l);
    cx_store_free(c);
    cx_store_free(s);
}
END_TEST

START_TEST(forget_keeps_other_ids)
{
    cx_store *s = mixed_store();
    const char *gone = "C-2";
    size_t rows;
    OK(cx_customer_forget(&rows, s, 1, &gone));
    ck_assert_uint_gt(rows, 0);
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k];
        /* C-2 had events 0, 3, 6, ... (add_event): the others remain in order */
        const char *ids[NSHAPES];
        size_t n = 0;
        for (size_t i = 0; i < NSHAPES; i++)
            if (i % 3)
                ids[n++] = i % 5 == 4 ? NULL : shapes[i];
        assert_ids(s, t, ids, n);
        size_t row;
        FAILS(cx_store_find(&row, s, t, shapes[0]), CX_ENOTFOUND, "cx_store_find");
        /* new ids after the erasure */
        add_event(s, t, "N-1", 1);
        OK(cx_store_find(&row, s, t, "N-1"));
        ck_assert_uint_eq(row, n);
    }
    cx_store_free(s);
}
END_TEST

/* ---- the history index (issue 14) ----------------------------------------
 * Interactions, cases and transactions keep no per-customer lists: the
 * first history after a change builds an index of every customer's rows,
 * which every change drops. A customer's history must always equal the one
 * found by reading every row of the four tables. */

/* customer's history as "time/table/row " entries, from cx_history_new
 * (scan false) or from every row (scan true), into buf (cap bytes). */
static void history_text(const cx_store *s, const char *customer, bool scan, char *buf, size_t cap)
{
    typedef struct {
        int64_t time;
        int table;
        size_t row;
    } ent;
    static const int tables[] = {CX_TABLE_INTERACTIONS, CX_TABLE_CASES, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};
    static const char *const times[] = {"time", "opened", "time", "time"};
    size_t n = 0, cap_e = 16;
    ent *e = malloc(cap_e * sizeof *e);
    ck_assert_ptr_nonnull(e);
    if (scan) {
        for (int k = 0; k < 4; k++) {
            int cc, tc;
            OK(cx_column_find(&cc, tables[k], "customer"));
            OK(cx_column_find(&tc, tables[k], times[k]));
            for (size_t r = 0; r < store_rows(s, tables[k]); r++) {
                if (strcmp(store_str(s, tables[k], cc, r), customer) != 0)
                    continue;
                if (n == cap_e) {
                    cap_e *= 2;
                    e = realloc(e, cap_e * sizeof *e);
                    ck_assert_ptr_nonnull(e);
                }
                e[n++] = (ent){store_int(s, tables[k], tc, r), tables[k], r};
            }
        }
        /* time, then table, then row (insertion sort: small) */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0; j--) {
                ent *a = &e[j - 1], *b = &e[j];
                bool after = a->time != b->time ? a->time > b->time
                             : a->table != b->table ? a->table > b->table
                                                    : a->row > b->row;
                if (!after)
                    break;
                ent t = *a;
                *a = *b;
                *b = t;
            }
    } else {
        cx_history *h;
        OK(cx_history_new(&h, s, customer, CX_TIME_NONE, CX_TIME_NONE));
        n = cx_history_count(h);
        e = realloc(e, (n + 1) * sizeof *e);
        ck_assert_ptr_nonnull(e);
        for (size_t i = 0; i < n; i++) {
            OK(cx_history_time(&e[i].time, h, i));
            OK(cx_history_table(&e[i].table, h, i));
            OK(cx_history_row(&e[i].row, h, i));
        }
        cx_history_free(h);
    }
    size_t len = (size_t)snprintf(buf, cap, "%zu:", n);
    for (size_t i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, " %lld/%d/%zu", (long long)e[i].time, e[i].table, e[i].row);
    ck_assert_uint_lt(len, cap);
    free(e);
}

static void assert_history(const cx_store *s, const char *customer)
{
    static char got[1 << 16], want[1 << 16];
    history_text(s, customer, true, want, sizeof want);
    history_text(s, customer, false, got, sizeof got);
    ck_assert_str_eq(got, want);
    ck_assert_ptr_nonnull(atomic_load(&((cx_store *)s)->hindex)); /* built, kept */
}

static void assert_histories(const cx_store *s)
{
    assert_history(s, "C-1");
    assert_history(s, "C-2");
}

static cx_store *history_store(void)
{
    cx_store *s = mixed_store();
    OK(cx_case_add(s, "K-1", "C-1", "web", NULL, NULL, T("2024-01-01T00:00:05Z"), CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    OK(cx_case_add(s, "K-2", "C-2", "web", NULL, NULL, T("2023-12-31T00:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0, 0));
    OK(cx_interaction_add(NULL, s, "IK-1", "C-1", "web", T("2024-01-01T00:00:06Z"), NULL, CX_INBOUND, NULL, "K-1", 5,
                          CX_HANDLED, 0));
    return s;
}

START_TEST(history_index_follows_changes)
{
    cx_store *s = history_store();
    ck_assert_ptr_null(atomic_load(&s->hindex)); /* none until a history is asked for */
    size_t mem0, mem1;
    OK(cx_store_memory(&mem0, s));
    assert_histories(s);
    OK(cx_store_memory(&mem1, s));
    ck_assert_uint_eq(mem1, mem0); /* not counted: it would depend on which reader came first */
    /* 4 bytes a row of the four tables, 4 a customer and table (+1 each) */
    size_t rows = store_rows(s, CX_TABLE_INTERACTIONS) + store_rows(s, CX_TABLE_CASES) +
                  store_rows(s, CX_TABLE_FEEDBACK) + store_rows(s, CX_TABLE_TRANSACTIONS);
    ck_assert_uint_ge(cxi_hindex_bytes(s), 4 * (rows + 4 * 3));
    ck_assert_uint_le(cxi_hindex_bytes(s), 4 * (rows + 4 * 3) + 128);
    /* an add of each indexed table drops it */
    add_event(s, CX_TABLE_INTERACTIONS, "NEW-1", 0);
    ck_assert_ptr_null(atomic_load(&s->hindex));
    assert_histories(s);
    add_event(s, CX_TABLE_TRANSACTIONS, "NEW-2", 1);
    ck_assert_ptr_null(atomic_load(&s->hindex));
    assert_histories(s);
    OK(cx_case_add(s, "K-3", "C-2", "web", NULL, NULL, T("2024-02-01T00:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0, 0));
    assert_histories(s);
    add_event(s, CX_TABLE_FEEDBACK, "NEW-3", 2);
    ck_assert_ptr_null(atomic_load(&s->hindex));
    assert_histories(s);
    /* an update that moves an interaction, a transaction, a case and an answer to the other customer */
    int ch;
    OK(cx_interaction_put(&ch, NULL, s, "NEW-1", "C-1", "web", T("2020-01-01T00:00:00Z"), NULL, CX_INBOUND, NULL,
                          NULL, 0, CX_HANDLED, 0));
    ck_assert_int_eq(ch, CX_UPDATED);
    assert_histories(s);
    OK(cx_transaction_put(&ch, NULL, s, "NEW-2", "C-1", T("2020-01-02T00:00:00Z"), 7));
    ck_assert_int_eq(ch, CX_UPDATED);
    assert_histories(s);
    OK(cx_case_put(&ch, s, "K-3", "C-1", "web", NULL, NULL, T("2024-02-01T00:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0, 0));
    ck_assert_int_eq(ch, CX_UPDATED);
    assert_histories(s);
    OK(cx_feedback_put(&ch, NULL, s, "NEW-3", "C-2", "nps", 3, T("2020-01-03T00:00:00Z"), NULL, NULL, NULL, NULL));
    ck_assert_int_eq(ch, CX_UPDATED);
    ck_assert_ptr_null(atomic_load(&s->hindex));
    assert_histories(s);
    /* a case its customer's interactions name cannot move: refused, no change */
    FAILS(cx_case_put(&ch, s, "K-1", "C-2", "web", NULL, NULL, T("2024-01-01T00:00:05Z"), CX_TIME_NONE,
                      CX_TIME_NONE, 0, 1),
          CX_EINVAL, "cx_case_put");
    assert_histories(s);
    /* an update that keeps the customer (a time) */
    OK(cx_interaction_put(&ch, NULL, s, "NEW-1", "C-1", "web", T("2019-01-01T00:00:00Z"), NULL, CX_INBOUND, NULL,
                          NULL, 0, CX_HANDLED, 0));
    assert_histories(s);
    cx_store_free(s);
}
END_TEST

/* A failed import puts back the rows (and the moves) it made: the index
 * built during the import's life must not survive its rollback. */
START_TEST(history_index_rollback_forget_clone_load)
{
    cx_store *s = history_store();
    assert_histories(s);
    char csv[4096];
    size_t n = (size_t)sprintf(csv, "id,customer,time,amount\n");
    n += (size_t)sprintf(csv + n, "%s,C-1,2019-01-01T00:00:00Z,3\n", shapes[3]); /* a move: C-2 -> C-1 */
    for (int i = 0; i < 20; i++)
        n += (size_t)sprintf(csv + n, "R-%d,C-%d,2024-05-01T00:00:%02dZ,1\n", i, 1 + i % 2, i);
    sprintf(csv + n, "R-bad,C-1,not a time,1\n");
    const char *path = write_file("tr.csv", csv);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    cx_import_report *rep = NULL;
    size_t rows = store_rows(s, CX_TABLE_TRANSACTIONS);
    FAILS(cx_import_csv(&rep, s, CX_TABLE_TRANSACTIONS, path, o), CX_EPARSE, "cx_import_csv");
    cx_import_report_free(rep);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), rows);
    assert_histories(s);
    OK(cx_import_options_set_strict(o, 0));
    OK(cx_import_csv(&rep, s, CX_TABLE_TRANSACTIONS, path, o));
    cx_import_report_free(rep);
    cx_import_options_free(o);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), rows + 20);
    assert_histories(s);
    /* a clone and a saved and loaded store give the same histories */
    cx_store *c, *l;
    OK(cx_store_clone(&c, s));
    ck_assert_ptr_null(atomic_load(&c->hindex));
    assert_histories(c);
    OK(cx_db_save(s, P("h.db")));
    OK(cx_db_load(&l, P("h.db")));
    assert_histories(l);
    cx_store_free(l);
    /* forgetting C-2 renumbers the rows */
    const char *gone = "C-2";
    size_t erased;
    OK(cx_customer_forget(&erased, c, 1, &gone));
    ck_assert_uint_gt(erased, 0);
    assert_history(c, "C-1");
    cx_store_free(c);
    cx_store_free(s);
}
END_TEST

/* Histories asked for at once from several threads on a store without an
 * index: each may build one, one stays; every thread sees the same. */
typedef struct {
    const cx_store *s;
    char text[1 << 15];
} hjob;

static void *history_job(void *arg)
{
    hjob *j = arg;
    history_text(j->s, "C-1", false, j->text, sizeof j->text);
    return NULL;
}

START_TEST(history_index_concurrent_readers)
{
    cx_store *s = history_store();
    static char want[1 << 15];
    history_text(s, "C-1", true, want, sizeof want);
    for (int round = 0; round < 20; round++) {
        add_event(s, CX_TABLE_INTERACTIONS, NULL, (size_t)round); /* drops the index */
        history_text(s, "C-1", true, want, sizeof want);
        enum { NT = 4 };
        static hjob jobs[NT];
        pthread_t th[NT];
        for (int i = 0; i < NT; i++) {
            jobs[i].s = s;
            ck_assert_int_eq(pthread_create(&th[i], NULL, history_job, &jobs[i]), 0);
        }
        for (int i = 0; i < NT; i++)
            ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        for (int i = 0; i < NT; i++)
            ck_assert_str_eq(jobs[i].text, want);
        ck_assert_ptr_nonnull(atomic_load(&s->hindex));
    }
    cx_store_free(s); /* valgrind / ASan: the copies that lost were freed */
}
END_TEST

/* ---- duration_ms: narrow until a duration needs 64 bits (issue 14) --------
 * Stored in 4 bytes while every duration is at most UINT32_MAX ms; the first
 * larger one widens the column to 8 bytes, values unchanged. */

static int duration_col(void)
{
    int c;
    OK(cx_column_find(&c, CX_TABLE_INTERACTIONS, "duration_ms"));
    return c;
}

static void assert_durations(const cx_store *s, const int64_t *want, size_t n)
{
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), n);
    for (size_t r = 0; r < n; r++) {
        ck_assert_int_eq(store_int(s, CX_TABLE_INTERACTIONS, duration_col(), r), want[r]);
        double d;
        OK(cx_store_get_real(&d, s, CX_TABLE_INTERACTIONS, duration_col(), r));
        ck_assert(d == (double)want[r]);
    }
}

static void add_duration(cx_store *s, const char *id, int64_t ms)
{
    OK(cx_interaction_add(NULL, s, id, "C-1", "web", T("2024-01-01T00:00:00Z"), NULL, CX_INBOUND, NULL, NULL, ms,
                          CX_HANDLED, 0));
}

START_TEST(duration_widens_at_the_boundary)
{
    cx_store *s = base_store();
    const size_t elem0 = s->t[CX_TABLE_INTERACTIONS].cols[IN_DURATION].elem;
    ck_assert_uint_eq(elem0, 4);
    int64_t want[6] = {0, 1, (int64_t)UINT32_MAX, (int64_t)UINT32_MAX + 1, 1234567890123, INT64_MAX};
    add_duration(s, "D-0", want[0]);
    add_duration(s, "D-1", want[1]);
    add_duration(s, "D-2", want[2]); /* the largest narrow one */
    ck_assert_uint_eq(s->t[CX_TABLE_INTERACTIONS].cols[IN_DURATION].elem, 4);
    assert_durations(s, want, 3);
    size_t mem0, mem1;
    OK(cx_store_memory(&mem0, s));
    /* a refused add does not widen: checked first */
    FAILS(cx_interaction_add(NULL, s, "D-x", "nobody", "web", 1, NULL, CX_INBOUND, NULL, NULL, want[3], CX_HANDLED, 0),
          CX_ENOTFOUND, "cx_interaction_add");
    ck_assert_uint_eq(s->t[CX_TABLE_INTERACTIONS].cols[IN_DURATION].elem, 4);
    add_duration(s, "D-3", want[3]);
    ck_assert_uint_eq(s->t[CX_TABLE_INTERACTIONS].cols[IN_DURATION].elem, 8);
    OK(cx_store_memory(&mem1, s));
    ck_assert_uint_gt(mem1, mem0);
    add_duration(s, "D-4", want[4]);
    add_duration(s, "D-5", want[5]);
    assert_durations(s, want, 6);
    /* an update back to a small value keeps the column wide, the value exact */
    int ch;
    OK(cx_interaction_put(&ch, NULL, s, "D-5", "C-1", "web", T("2024-01-01T00:00:00Z"), NULL, CX_INBOUND, NULL, NULL,
                          7, CX_HANDLED, 0));
    ck_assert_int_eq(ch, CX_UPDATED);
    want[5] = 7;
    assert_durations(s, want, 6);
    /* clone, save and load, export and import again, forget */
    cx_store *c, *l;
    OK(cx_store_clone(&c, s));
    assert_durations(c, want, 6);
    OK(cx_db_save(s, P("d.db")));
    OK(cx_db_load(&l, P("d.db")));
    assert_durations(l, want, 6);
    cx_store_free(l);
    OK(cx_export_csv(s, CX_TABLE_INTERACTIONS, P("d.csv"), 0));
    cx_store *e = base_store();
    cx_import_report *rep = NULL;
    OK(cx_import_csv(&rep, e, CX_TABLE_INTERACTIONS, P("d.csv"), NULL));
    cx_import_report_free(rep);
    assert_durations(e, want, 6);
    cx_store_free(e);
    const char *gone = "C-2";
    size_t erased;
    OK(cx_customer_forget(&erased, c, 1, &gone));
    assert_durations(c, want, 6);
    cx_store_free(c);
    /* a narrow store saved and loaded stays narrow */
    cx_store *n = base_store();
    add_duration(n, "N-0", 5);
    OK(cx_db_save(n, P("n.db")));
    cx_store_free(n);
    OK(cx_db_load(&n, P("n.db")));
    ck_assert_uint_eq(n->t[CX_TABLE_INTERACTIONS].cols[IN_DURATION].elem, 4);
    ck_assert_int_eq(store_int(n, CX_TABLE_INTERACTIONS, duration_col(), 0), 5);
    cx_store_free(n);
    cx_store_free(s);
}
END_TEST

/* Out of memory widening: the add fails, the store is as it was. */
START_TEST(duration_widening_out_of_memory)
{
    cxt_alloc a = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &a));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    add_duration(s, "A-0", 42);
    size_t live = a.live;
    cxt_alloc_fail_nth(&a, 1, false);
    FAILS(cx_interaction_add(NULL, s, "A-1", "C-1", "web", 1, NULL, CX_INBOUND, NULL, NULL, (int64_t)UINT32_MAX + 7,
                             CX_HANDLED, 0),
          CX_ENOMEM, "cx_interaction_add");
    cxt_alloc_allow(&a, -1);
    ck_assert_uint_eq(a.live, live);
    ck_assert_uint_eq(s->t[CX_TABLE_INTERACTIONS].cols[IN_DURATION].elem, 4);
    int64_t want[2] = {42, (int64_t)UINT32_MAX + 7};
    assert_durations(s, want, 1);
    add_duration(s, "A-1", want[1]);
    assert_durations(s, want, 2);
    cx_store_free(s);
    cxt_alloc_done(&a);
}
END_TEST

/* A failed import that updated a duration while the column was narrow, then
 * widened it, then failed: the rollback puts back every old value. */
START_TEST(duration_rollback_across_widening)
{
    cx_store *s = base_store();
    int64_t want[3] = {10, (int64_t)UINT32_MAX, 30};
    add_duration(s, "W-0", want[0]);
    add_duration(s, "W-1", want[1]);
    add_duration(s, "W-2", want[2]);
    const char *csv = "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                      "W-1,C-1,web,2024-01-01T00:00:00Z,,inbound,,,4000000000,handled,0\n" /* an update, narrow */
                      "W-0,C-1,web,2024-01-01T00:00:00Z,,inbound,,,11,handled,0\n"
                      "W-3,C-1,web,2024-01-01T00:00:00Z,,inbound,,,1234567890123,handled,0\n" /* widens */
                      "W-2,C-1,web,2024-01-01T00:00:00Z,,inbound,,,99,handled,0\n"           /* an update, wide */
                      "W-4,C-1,web,not a time,,inbound,,,1,handled,0\n";
    const char *path = write_file("w.csv", csv);
    cx_import_options *o = import_strict_fails(s, path);
    ck_assert_uint_eq(s->t[CX_TABLE_INTERACTIONS].cols[IN_DURATION].elem, 8); /* stays wide */
    assert_durations(s, want, 3);
    size_t row;
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "W-3"), CX_ENOTFOUND, "cx_store_find");
    /* the same file, lenient: everything but the bad row */
    import_lenient(s, path, o);
    int64_t after[4] = {11, 4000000000, 99, 1234567890123};
    assert_durations(s, after, 4);
    cx_store_free(s);
}
END_TEST

/* ---- times: whole seconds in 4 bytes until a time needs more (issue 14) ---
 * The times of interactions, feedback and transactions are stored as
 * uint32_t seconds since 1970 while every one is a whole second from 1970
 * to 2106 (cxi_seconds_col); the first other time (a millisecond part,
 * before 1970, after 2106) widens the column to int64_t milliseconds,
 * every earlier time unchanged. */

static int time_internal(int tab) { return tab == CX_TABLE_INTERACTIONS ? IN_TIME : tab == CX_TABLE_FEEDBACK ? FB_TIME : TR_TIME; }
static size_t time_width(const cx_store *s, int tab) { return s->t[tab].cols[time_internal(tab)].elem; }

/* Every time reads back exact through the getter and cxi_icol. */
static void assert_times(const cx_store *s, int tab, const cx_time *want, size_t n)
{
    int c;
    OK(cx_column_find(&c, tab, "time"));
    ck_assert(cxi_seconds_col(tab, time_internal(tab)));
    ck_assert_uint_eq(store_rows(s, tab), n);
    cxi_icol ic = cxi_icol_of(s, tab, time_internal(tab));
    int64_t chunk[4];
    for (size_t r = 0; r < n; r++) {
        EXPECT(store_int(s, tab, c, r) == want[r], "%s row %zu: time %lld, expected %lld (width %zu)",
               tab == CX_TABLE_INTERACTIONS ? "interactions" : tab == CX_TABLE_FEEDBACK ? "feedback" : "transactions",
               r, (long long)store_int(s, tab, c, r), (long long)want[r], time_width(s, tab));
        ck_assert_int_eq(cxi_icol_at(ic, r), want[r]);
        cxi_icol_read(ic, r, 1, chunk);
        ck_assert_int_eq(chunk[0], want[r]);
    }
}

/* Event `id` of `tab` at time t, for customer C-1 or C-2 (as add_event). */
static int put_timed(cx_store *s, int tab, bool add, const char *id, const char *cu, cx_time t)
{
    int ch;
    if (tab == CX_TABLE_INTERACTIONS)
        return add ? cx_interaction_add(NULL, s, id, cu, "web", t, NULL, CX_INBOUND, NULL, NULL, 1, CX_HANDLED, 0)
                   : cx_interaction_put(&ch, NULL, s, id, cu, "web", t, NULL, CX_INBOUND, NULL, NULL, 1, CX_HANDLED, 0);
    if (tab == CX_TABLE_FEEDBACK)
        return add ? cx_feedback_add(NULL, s, id, cu, "nps", 9, t, NULL, NULL, NULL, NULL)
                   : cx_feedback_put(&ch, NULL, s, id, cu, "nps", 9, t, NULL, NULL, NULL, NULL);
    return add ? cx_transaction_add(NULL, s, id, cu, t, 1) : cx_transaction_put(&ch, NULL, s, id, cu, t, 1);
}

/* Times that fit: 1970 itself, now, the last second of 2106 that fits. */
static const cx_time seconds_fit[] = {0, 1704067200000, (cx_time)UINT32_MAX * 1000, 1000};
/* Times that do not: a millisecond part, before 1970, the second after the
 * last that fits, the limits of cx_time. */
static const cx_time seconds_misfit[] = {1704067200001, -1000, ((cx_time)UINT32_MAX + 1) * 1000,
                                         CXI_TIME_MIN, CXI_TIME_MAX};
#define NSECMISFIT 5

/* A narrow column's round trip: its width, a check of its values (8 bytes
 * each: cx_time or double) and a store to import them into. */
typedef struct narrow_kind {
    size_t (*width)(const cx_store *s, int tab);
    void (*check)(const cx_store *s, int tab, const void *want, size_t n);
    cx_store *(*fresh)(int tab);
} narrow_kind;

/* Clone, save and load (with_db), export and import again, and forgetting
 * C-2 (row i when i % 3 == 0) keep every value and the column's width (a
 * narrow column stays narrow). */
static void narrow_round_trip(const cx_store *s, int tab, const narrow_kind *k, const void *want, size_t n,
                              bool with_db)
{
    size_t w = k->width(s, tab);
    cx_store *c, *l;
    OK(cx_store_clone(&c, s));
    ck_assert_uint_eq(k->width(c, tab), w);
    k->check(c, tab, want, n);
    if (with_db) {
        remove(P("rt.db")); /* a new file each time */
        OK(cx_db_save(s, P("rt.db")));
        OK(cx_db_load(&l, P("rt.db")));
        ck_assert_uint_eq(k->width(l, tab), w);
        k->check(l, tab, want, n);
        cx_store_free(l);
    }
    OK(cx_export_csv(s, tab, P("rt.csv"), 0));
    cx_store *e = k->fresh(tab);
    cx_import_report *rep = NULL;
    OK(cx_import_csv(&rep, e, tab, P("rt.csv"), NULL));
    cx_import_report_free(rep);
    ck_assert_uint_eq(k->width(e, tab), w);
    k->check(e, tab, want, n);
    cx_store_free(e);
    const char *gone = "C-2";
    size_t erased, kn = 0;
    OK(cx_customer_forget(&erased, c, 1, &gone));
    uint64_t kept[16];
    ck_assert_uint_le(n, 16);
    for (size_t i = 0; i < n; i++)
        if (i % 3)
            memcpy(&kept[kn++], (const char *)want + i * 8, 8);
    ck_assert_uint_eq(k->width(c, tab), w);
    k->check(c, tab, kept, kn);
    cx_store_free(c);
}

static void check_times(const cx_store *s, int tab, const void *want, size_t n) { assert_times(s, tab, want, n); }
static cx_store *times_store(int tab)
{
    (void)tab;
    return base_store();
}

static void times_round_trip(const cx_store *s, int tab, const cx_time *want, size_t n)
{
    static const narrow_kind k = {time_width, check_times, times_store};
    narrow_round_trip(s, tab, &k, want, n, true);
}

/* Each table: whole seconds stay narrow; a refused add of another time
 * does not widen; each other time widens a store of whole seconds, by add
 * and by update, every value exact at both widths. */
START_TEST(times_narrow_then_wide)
{
    for (size_t k = 0; k < 3; k++) {
        int tab = event_tables[k];
        for (int m = -1; m < NSECMISFIT; m++) /* m == -1: no misfit, stays narrow */
            for (int by_update = 0; by_update < 2; by_update++) {
                cx_store *s = base_store();
                ck_assert_uint_eq(time_width(s, tab), 4);
                cx_time want[6];
                size_t n = 0;
                char id[16];
                for (size_t i = 0; i < 4; i++) {
                    snprintf(id, sizeof id, "T-%zu", i);
                    OK(put_timed(s, tab, true, id, i % 3 ? "C-1" : "C-2", seconds_fit[i]));
                    want[n++] = seconds_fit[i];
                }
                ck_assert_uint_eq(time_width(s, tab), 4);
                assert_times(s, tab, want, n);
                if (m < 0) {
                    times_round_trip(s, tab, want, n);
                    cx_store_free(s);
                    break;
                }
                /* refused for an unknown customer: checked first, nothing widens */
                cx_error_clear();
                ck_assert_int_eq(put_timed(s, tab, true, "T-x", "nobody", seconds_misfit[m]), CX_ENOTFOUND);
                ck_assert_uint_eq(time_width(s, tab), 4);
                if (by_update) { /* row 1 (C-1) moves to the other time */
                    OK(put_timed(s, tab, false, "T-1", "C-1", seconds_misfit[m]));
                    want[1] = seconds_misfit[m];
                } else {
                    OK(put_timed(s, tab, true, "T-4", "C-1", seconds_misfit[m]));
                    want[n++] = seconds_misfit[m];
                }
                ck_assert_uint_eq(time_width(s, tab), 8);
                assert_times(s, tab, want, n);
                /* a whole second after the widening: stays wide, exact */
                OK(put_timed(s, tab, true, "T-5", "C-1", seconds_fit[1]));
                want[n++] = seconds_fit[1];
                ck_assert_uint_eq(time_width(s, tab), 8);
                times_round_trip(s, tab, want, n);
                cx_store_free(s);
            }
    }
}
END_TEST

/* Out of memory widening a time column: the add fails, the store is as it was. */
START_TEST(times_widening_out_of_memory)
{
    for (size_t k = 0; k < 3; k++) {
        int tab = event_tables[k];
        cxt_alloc a = {0};
        cx_store *s;
        OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &a));
        OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
        OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
        OK(put_timed(s, tab, true, "A-0", "C-1", seconds_fit[1]));
        size_t live = a.live;
        cxt_alloc_fail_nth(&a, 1, false);
        cx_error_clear();
        ck_assert_int_eq(put_timed(s, tab, true, "A-1", "C-1", seconds_misfit[0]), CX_ENOMEM);
        ck_assert_ptr_nonnull(strstr(cx_last_error(), "out of memory widening the times of"));
        cxt_alloc_allow(&a, -1);
        ck_assert_uint_eq(a.live, live);
        ck_assert_uint_eq(time_width(s, tab), 4);
        cx_time want[2] = {seconds_fit[1], seconds_misfit[0]};
        assert_times(s, tab, want, 1);
        OK(put_timed(s, tab, true, "A-1", "C-1", want[1]));
        assert_times(s, tab, want, 2);
        cx_store_free(s);
        cxt_alloc_done(&a);
    }
}
END_TEST

/* A failed import that updated a time while the column was narrow, then
 * widened it, then failed: the rollback puts back every old time. */
START_TEST(times_rollback_across_widening)
{
    cx_store *s = base_store();
    cx_time want[3] = {T("2024-01-01T00:00:00Z"), T("2024-01-02T00:00:00Z"), T("2024-01-03T00:00:00Z")};
    for (size_t i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "W-%zu", i);
        OK(put_timed(s, CX_TABLE_INTERACTIONS, true, id, "C-1", want[i]));
    }
    const char *csv = "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                      "W-1,C-1,web,2025-05-05T05:05:05Z,,inbound,,,1,handled,0\n" /* an update, narrow */
                      "W-0,C-1,web,2025-06-06T06:06:06Z,,inbound,,,1,handled,0\n"
                      "W-3,C-1,web,1969-07-20T20:17:40.5Z,,inbound,,,1,handled,0\n" /* widens */
                      "W-2,C-1,web,2025-07-07T07:07:07.007Z,,inbound,,,1,handled,0\n" /* an update, wide */
                      "W-4,C-1,web,not a time,,inbound,,,1,handled,0\n";
    const char *path = write_file("wt.csv", csv);
    cx_import_options *o = import_strict_fails(s, path);
    ck_assert_uint_eq(time_width(s, CX_TABLE_INTERACTIONS), 8); /* stays wide */
    assert_times(s, CX_TABLE_INTERACTIONS, want, 3);
    size_t row;
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "W-3"), CX_ENOTFOUND, "cx_store_find");
    import_lenient(s, path, o);
    cx_time after[4] = {T("2025-06-06T06:06:06Z"), T("2025-05-05T05:05:05Z"), T("2025-07-07T07:07:07.007Z"),
                        T("1969-07-20T20:17:40.5Z")};
    assert_times(s, CX_TABLE_INTERACTIONS, after, 4);
    cx_store_free(s);
}
END_TEST

/* ---- value: in cents until a value is not an amount in cents (issue 14) ---
 * Stored as int32_t cents c while every value v is (double)c / 100.0 bit
 * for bit with |c| <= INT32_MAX; the first other value widens the column to
 * double, every earlier value unchanged. */

/* Amounts in cents: the largest ones either way, a cent, and texts strtod
 * reads (the values of a CSV file). */
static const double cents_fit[] = {0, 161.55, -3.07, 21474836.47, 0.01, -21474836.47, 1e-2 * 7, 99.99};
/* Not amounts in cents: a tenth of a cent, a huge value, -0.0, one cent
 * past either end, a value near a cent, a value of a cent's neighbour. */
static double cents_misfit(int i)
{
    switch (i) {
    case 0: return 0.001;
    case 1: return 1e300;
    case 2: return -0.0;
    case 3: return 21474836.48;
    case 4: return -21474836.48;
    case 5: return nextafter(161.55, 200);
    default: return 1.0 / 3;
    }
}
#define NMISFIT 7

/* The columns in cents (cxi_cents_col): interactions' value (`tab`
 * CX_TABLE_INTERACTIONS) and transactions' amount (CX_TABLE_TRANSACTIONS). */
static int cents_internal(int tab)
{
    return tab == CX_TABLE_INTERACTIONS ? IN_VALUE : tab == CX_TABLE_FEEDBACK ? FB_SCORE : TR_AMOUNT;
}

static int cents_public(int tab)
{
    int c;
    OK(cx_column_find(&c, tab, tab == CX_TABLE_INTERACTIONS ? "value" : tab == CX_TABLE_FEEDBACK ? "score" : "amount"));
    return c;
}

static size_t cents_width(const cx_store *s, int tab) { return s->t[tab].cols[cents_internal(tab)].elem; }
static size_t value_width(const cx_store *s) { return cents_width(s, CX_TABLE_INTERACTIONS); }

/* A store for the values of `tab`: feedback's scores answer a question
 * whose scale takes every score of these tests. */
static void add_rating(cx_store *s) { OK(cx_question_add(s, "rating", CX_METRIC_CUSTOM, -1e9, 1e9, 1)); }

static cx_store *cents_store(int tab)
{
    cx_store *s = base_store();
    if (tab == CX_TABLE_FEEDBACK)
        add_rating(s);
    return s;
}

/* Every value reads back bit for bit, through the getter and cxi_vcol. */
static void assert_cents(const cx_store *s, int tab, const double *want, size_t n)
{
    ck_assert(cxi_cents_col(tab, cents_internal(tab)));
    ck_assert_uint_eq(store_rows(s, tab), n);
    cxi_vcol v = cxi_vcol_of(s, tab, cents_internal(tab));
    for (size_t r = 0; r < n; r++) {
        double d, e = cxi_vcol_at(v, r);
        OK(cx_store_get_real(&d, s, tab, cents_public(tab), r));
        EXPECT(memcmp(&d, &want[r], sizeof d) == 0, "row %zu: value %a, expected %a (width %zu)", r, d, want[r],
               cents_width(s, tab));
        EXPECT(memcmp(&e, &want[r], sizeof e) == 0, "row %zu: cxi_vcol_at %a, expected %a", r, e, want[r]);
    }
}

static void assert_values(const cx_store *s, const double *want, size_t n)
{
    assert_cents(s, CX_TABLE_INTERACTIONS, want, n);
}

/* Row i belongs to C-2 when i % 3 == 0 (to be forgotten), else to C-1. */
static void add_value(cx_store *s, size_t i, double v)
{
    char id[32];
    snprintf(id, sizeof id, "V-%zu", i);
    OK(cx_interaction_add(NULL, s, id, i % 3 ? "C-1" : "C-2", "web", T("2024-01-01T00:00:00Z") + (cx_time)i, NULL,
                          CX_INBOUND, NULL, NULL, 1, CX_HANDLED, v));
}

static void check_cents(const cx_store *s, int tab, const void *want, size_t n) { assert_cents(s, tab, want, n); }

static void cents_round_trip(const cx_store *s, int tab, const double *want, size_t n, bool with_db)
{
    static const narrow_kind k = {cents_width, check_cents, cents_store};
    narrow_round_trip(s, tab, &k, want, n, with_db);
}

static void values_round_trip(const cx_store *s, const double *want, size_t n, bool with_db)
{
    cents_round_trip(s, CX_TABLE_INTERACTIONS, want, n, with_db);
}

START_TEST(value_narrow_in_cents)
{
    cx_store *s = base_store();
    ck_assert_uint_eq(value_width(s), 4);
    const size_t n = sizeof cents_fit / sizeof cents_fit[0];
    for (size_t i = 0; i < n; i++) {
        int32_t c;
        EXPECT(cxi_cents_of(cents_fit[i], &c), "%a fits in cents", cents_fit[i]);
        add_value(s, i, cents_fit[i]);
    }
    ck_assert_uint_eq(value_width(s), 4);
    assert_values(s, cents_fit, n);
    /* the doubles strtod makes of 2-decimal texts */
    ck_assert(cents_fit[1] == strtod("161.55", NULL) && cents_fit[3] == strtod("21474836.47", NULL));
    /* refused adds do not widen: checked first */
    FAILS(cx_interaction_add(NULL, s, "V-x", "nobody", "web", 1, NULL, CX_INBOUND, NULL, NULL, 1, CX_HANDLED, 0.001),
          CX_ENOTFOUND, "cx_interaction_add");
    FAILS(cx_interaction_add(NULL, s, "V-x", "C-1", "web", 1, NULL, CX_INBOUND, NULL, NULL, 1, CX_HANDLED, NAN),
          CX_ERANGE, "cx_interaction_add");
    FAILS(cx_interaction_add(NULL, s, "V-x", "C-1", "web", 1, NULL, CX_INBOUND, NULL, NULL, 1, CX_HANDLED, INFINITY),
          CX_ERANGE, "cx_interaction_add");
    ck_assert_uint_eq(value_width(s), 4);
    /* an update to another amount in cents stays narrow */
    int ch;
    double want[16];
    memcpy(want, cents_fit, sizeof cents_fit);
    want[2] = 12.34;
    OK(cx_interaction_put(&ch, NULL, s, "V-2", "C-1", "web", T("2024-01-01T00:00:00Z") + 2, NULL, CX_INBOUND, NULL,
                          NULL, 1, CX_HANDLED, want[2]));
    ck_assert_int_eq(ch, CX_UPDATED);
    ck_assert_uint_eq(value_width(s), 4);
    assert_values(s, want, n);
    values_round_trip(s, want, n, true);
    cx_store_free(s);
}
END_TEST

/* Each value that is not an amount in cents widens the column, by an add or
 * by an update, the earlier values unchanged; the store keeps working. */
START_TEST(value_widens_for_other_amounts)
{
    const size_t n = sizeof cents_fit / sizeof cents_fit[0];
    for (int m = 0; m < NMISFIT; m++) {
        for (int update = 0; update < 2; update++) {
            double want[16];
            memcpy(want, cents_fit, sizeof cents_fit);
            double v = cents_misfit(m);
            int32_t c;
            EXPECT(!cxi_cents_of(v, &c), "%a does not fit in cents", v);
            cx_store *s = base_store();
            for (size_t i = 0; i < n; i++)
                add_value(s, i, want[i]);
            size_t mem0, mem1;
            OK(cx_store_memory(&mem0, s));
            ck_assert_uint_eq(value_width(s), 4);
            size_t k = n;
            if (update) { /* row 4 (C-1) gets it */
                int ch;
                OK(cx_interaction_put(&ch, NULL, s, "V-4", "C-1", "web", T("2024-01-01T00:00:00Z") + 4, NULL,
                                      CX_INBOUND, NULL, NULL, 1, CX_HANDLED, v));
                ck_assert_int_eq(ch, CX_UPDATED);
                want[4] = v;
            } else {
                add_value(s, k, v);
                want[k++] = v;
            }
            ck_assert_uint_eq(value_width(s), 8);
            OK(cx_store_memory(&mem1, s));
            ck_assert_uint_gt(mem1, mem0);
            assert_values(s, want, k);
            /* amounts in cents again: the column stays wide, values exact */
            add_value(s, k, 161.55);
            want[k++] = 161.55;
            ck_assert_uint_eq(value_width(s), 8);
            assert_values(s, want, k);
            /* -0.0 does not survive SQLite, whatever the width (a REAL
             * of value 0 is stored as the integer 0) */
            values_round_trip(s, want, k, !(v == 0 && signbit(v)));
            cx_store_free(s);
        }
    }
}
END_TEST

/* Out of memory widening: the add fails, the store is as it was. */
START_TEST(value_widening_out_of_memory)
{
    cxt_alloc a = {0};
    cx_store *s = alloc_store(&a);
    double want[3] = {161.55, -3.07, 0.001};
    add_value(s, 0, want[0]);
    add_value(s, 1, want[1]);
    size_t live = a.live;
    cxt_alloc_fail_nth(&a, 1, false);
    FAILS(cx_interaction_add(NULL, s, "V-2", "C-1", "web", 1, NULL, CX_INBOUND, NULL, NULL, 1, CX_HANDLED, want[2]),
          CX_ENOMEM, "cx_interaction_add");
    EXPECT(strstr(cx_last_error(), "widening the values"), "the widening failed: %s", cx_last_error());
    cxt_alloc_allow(&a, -1);
    ck_assert_uint_eq(a.live, live);
    ck_assert_uint_eq(value_width(s), 4);
    assert_values(s, want, 2);
    add_value(s, 2, want[2]);
    ck_assert_uint_eq(value_width(s), 8);
    assert_values(s, want, 3);
    cx_store_free(s);
    cxt_alloc_done(&a);
}
END_TEST

/* A failed import that updated a value while the column was narrow, then
 * widened it, then failed: the rollback puts back every old value. */
START_TEST(value_rollback_across_widening)
{
    cx_store *s = base_store();
    double want[3] = {10.25, 21474836.47, -30.5};
    for (size_t i = 0; i < 3; i++)
        add_value(s, i, want[i]);
    const char *csv = "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                      "V-1,C-1,web,2024-01-01T00:00:00Z,,inbound,,,1,handled,-21474836.47\n" /* an update, narrow */
                      "V-0,C-2,web,2024-01-01T00:00:00Z,,inbound,,,1,handled,11.01\n"
                      "V-3,C-2,web,2024-01-01T00:00:00Z,,inbound,,,1,handled,0.001\n" /* widens */
                      "V-2,C-1,web,2024-01-01T00:00:00Z,,inbound,,,1,handled,1e300\n" /* an update, wide */
                      "V-4,C-1,web,not a time,,inbound,,,1,handled,1\n";
    const char *path = write_file("v.csv", csv);
    cx_import_options *o = import_strict_fails(s, path);
    ck_assert_uint_eq(value_width(s), 8); /* stays wide */
    assert_values(s, want, 3);
    size_t row;
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "V-3"), CX_ENOTFOUND, "cx_store_find");
    /* the same file, lenient: everything but the bad row */
    import_lenient(s, path, o);
    double after[4] = {11.01, -21474836.47, 1e300, 0.001};
    assert_values(s, after, 4);
    values_round_trip(s, after, 4, true);
    cx_store_free(s);
}
END_TEST

/* ---- transactions' amount and feedback's score: in cents too ------------
 * (cxi_cents_col) The same tests for either column: `tab` is
 * CX_TABLE_TRANSACTIONS or CX_TABLE_FEEDBACK. */

static const char *cents_add_fn(int tab) { return tab == CX_TABLE_FEEDBACK ? "cx_feedback_add" : "cx_transaction_add"; }

/* Transaction T-i or feedback F-i of amount or score v, of customer cu
 * (NULL: C-2 when i % 3 == 0, else C-1, as add_value); added, or put when
 * `change` (an update of an existing row). Returns what the call returned. */
static int cents_put(cx_store *s, int tab, size_t i, const char *cu, double v, int *change)
{
    char id[32];
    snprintf(id, sizeof id, "%s-%zu", tab == CX_TABLE_FEEDBACK ? "F" : "T", i);
    if (!cu)
        cu = i % 3 ? "C-1" : "C-2";
    cx_time t = T("2024-01-01T00:00:00Z") + (cx_time)i;
    if (tab == CX_TABLE_FEEDBACK)
        return change ? cx_feedback_put(change, NULL, s, id, cu, "rating", v, t, NULL, NULL, NULL, NULL)
                      : cx_feedback_add(NULL, s, id, cu, "rating", v, t, NULL, NULL, NULL, NULL);
    return change ? cx_transaction_put(change, NULL, s, id, cu, t, v) : cx_transaction_add(NULL, s, id, cu, t, v);
}

static void add_cents(cx_store *s, int tab, size_t i, double v) { OK(cents_put(s, tab, i, NULL, v, NULL)); }

/* Values in cents stay narrow; refused adds do not widen (`refused`: a
 * value the column refuses, not in cents); each value that is not in cents
 * widens the column, by an add or by an update, every earlier value
 * unchanged; the round trips keep both widths. */
static void cents_narrow_then_wide(int tab, const double *fit, size_t n, const double *misfit, size_t nmisfit,
                                   double refused)
{
    for (size_t m = 0; m < nmisfit; m++) {
        for (int update = 0; update < 2; update++) {
            cx_store *s = cents_store(tab);
            ck_assert_uint_eq(cents_width(s, tab), 4);
            double want[16];
            memcpy(want, fit, n * sizeof *fit);
            for (size_t i = 0; i < n; i++)
                add_cents(s, tab, i, fit[i]);
            FAILS(cents_put(s, tab, 99, "nobody", 0.001, NULL), CX_ENOTFOUND, cents_add_fn(tab));
            FAILS(cents_put(s, tab, 99, NULL, refused, NULL), CX_ERANGE, cents_add_fn(tab));
            FAILS(cents_put(s, tab, 99, NULL, NAN, NULL), CX_ERANGE, cents_add_fn(tab));
            ck_assert_uint_eq(cents_width(s, tab), 4);
            assert_cents(s, tab, want, n);
            if (m == 0 && !update)
                cents_round_trip(s, tab, want, n, true);
            size_t k = n;
            if (update) { /* row 4 (C-1) gets it */
                int ch;
                OK(cents_put(s, tab, 4, NULL, misfit[m], &ch));
                ck_assert_int_eq(ch, CX_UPDATED);
                want[4] = misfit[m];
            } else {
                add_cents(s, tab, k, misfit[m]);
                want[k++] = misfit[m];
            }
            ck_assert_uint_eq(cents_width(s, tab), 8);
            assert_cents(s, tab, want, k);
            add_cents(s, tab, k, 161.55); /* in cents again: stays wide */
            want[k++] = 161.55;
            ck_assert_uint_eq(cents_width(s, tab), 8);
            assert_cents(s, tab, want, k);
            /* interactions' value is another column: still narrow */
            ck_assert_uint_eq(value_width(s), 4);
            cents_round_trip(s, tab, want, k, !(misfit[m] == 0 && signbit(misfit[m])));
            cx_store_free(s);
        }
    }
}

START_TEST(amount_narrow_then_wide)
{
    const double fit[] = {0, 161.55, 3.07, 21474836.47, 0.01, 0.07, 99.99};
    const double misfit[] = {0.001, 1e300, -0.0, 21474836.48, 1.0 / 3};
    cents_narrow_then_wide(CX_TABLE_TRANSACTIONS, fit, sizeof fit / sizeof fit[0], misfit,
                           sizeof misfit / sizeof misfit[0], -0.5);
}
END_TEST

/* Scores: 7.125 and the other values not in cents, on a scale that takes
 * them (an NPS score is whole: always in cents). */
START_TEST(score_narrow_then_wide)
{
    const double fit[] = {0, 161.55, -3.07, 21474836.47, 0.01, -21474836.47, 99.99};
    const double misfit[] = {7.125, 0.001, -0.0, 21474836.48, 1.0 / 3, -5e8};
    cents_narrow_then_wide(CX_TABLE_FEEDBACK, fit, sizeof fit / sizeof fit[0], misfit,
                           sizeof misfit / sizeof misfit[0], 2e9);
}
END_TEST

/* Out of memory widening: the add fails, nothing changes. */
static void cents_widening_out_of_memory(int tab, const char *what)
{
    cxt_alloc a = {0};
    cx_store *s = alloc_store(&a);
    if (tab == CX_TABLE_FEEDBACK)
        add_rating(s);
    double want[3] = {161.55, 3.07, 7.125};
    add_cents(s, tab, 0, want[0]);
    add_cents(s, tab, 1, want[1]);
    size_t live = a.live;
    cxt_alloc_fail_nth(&a, 1, false);
    FAILS(cents_put(s, tab, 2, NULL, want[2], NULL), CX_ENOMEM, cents_add_fn(tab));
    EXPECT(strstr(cx_last_error(), what), "the widening failed: %s", cx_last_error());
    cxt_alloc_allow(&a, -1);
    ck_assert_uint_eq(a.live, live);
    ck_assert_uint_eq(cents_width(s, tab), 4);
    assert_cents(s, tab, want, 2);
    add_cents(s, tab, 2, want[2]);
    ck_assert_uint_eq(cents_width(s, tab), 8);
    assert_cents(s, tab, want, 3);
    cx_store_free(s);
    cxt_alloc_done(&a);
}

START_TEST(amount_widening_out_of_memory)
{
    cents_widening_out_of_memory(CX_TABLE_TRANSACTIONS, "widening the amounts");
}
END_TEST

START_TEST(score_widening_out_of_memory)
{
    cents_widening_out_of_memory(CX_TABLE_FEEDBACK, "widening the scores");
}
END_TEST

/* A failed import that updated a value while narrow, widened the column,
 * updated one while wide, then failed (`csv`: its rows 1 and 2 are
 * updates, 3 new, the last bad): every old value is back, whole; the same
 * file, lenient, takes all but the bad row. */
static void cents_rollback_across_widening(int tab, const char *csv, const double *after)
{
    cx_store *s = cents_store(tab);
    double want[3] = {10.25, 21474836.47, 30.5};
    for (size_t i = 0; i < 3; i++)
        add_cents(s, tab, i, want[i]);
    const char *path = write_file("t.csv", csv);
    cx_import_options *o = import_strict_fails_in(s, tab, path);
    ck_assert_uint_eq(cents_width(s, tab), 8); /* stays wide */
    assert_cents(s, tab, want, 3);
    size_t row;
    FAILS(cx_store_find(&row, s, tab, tab == CX_TABLE_FEEDBACK ? "F-3" : "T-3"), CX_ENOTFOUND, "cx_store_find");
    import_lenient_in(s, tab, path, o);
    assert_cents(s, tab, after, 4);
    cents_round_trip(s, tab, after, 4, true);
    cx_store_free(s);
}

START_TEST(amount_rollback_across_widening)
{
    static const double after[4] = {10.25, 0.5, 1e300, 0.001};
    cents_rollback_across_widening(CX_TABLE_TRANSACTIONS,
                                   "id,customer,time,amount\n"
                                   "T-1,C-1,2024-01-01T00:00:00Z,0.5\n"   /* an update, narrow */
                                   "T-3,C-2,2024-01-01T00:00:00Z,0.001\n" /* widens */
                                   "T-2,C-1,2024-01-01T00:00:00Z,1e300\n" /* an update, wide */
                                   "T-4,C-1,not a time,1\n",
                                   after);
}
END_TEST

START_TEST(score_rollback_across_widening)
{
    static const double after[4] = {10.25, 0.5, -123456.789, 7.125};
    cents_rollback_across_widening(CX_TABLE_FEEDBACK,
                                   "id,customer,question,score,time\n"
                                   "F-1,C-1,rating,0.5,2024-01-01T00:00:00Z\n"         /* an update, narrow */
                                   "F-3,C-2,rating,7.125,2024-01-01T00:00:00Z\n"       /* widens */
                                   "F-2,C-1,rating,-123456.789,2024-01-01T00:00:00Z\n" /* an update, wide */
                                   "F-4,C-1,rating,1,not a time\n",
                                   after);
}
END_TEST

/* ---- small dictionary ids: code columns of 1, 2 or 4 bytes (issue 14) ----
 * Interactions' touchpoint, kind, agent and case take 1 byte a row while
 * every code is below 255 (0xFF stands for none), then 2 bytes while below
 * 65535, then 4; the add or update that needs more widens the column. */

static const int coded_cols[] = {IN_TOUCHPOINT, IN_KIND, IN_AGENT, IN_CASE};
static const char *const coded_names[] = {"touchpoint", "kind", "agent", "case"};

static size_t code_elem(const cx_store *s, int col) { return s->t[CX_TABLE_INTERACTIONS].cols[col].elem; }

/* The next code column `k` of coded_cols would give a new value. */
static uint32_t next_code(const cx_store *s, size_t k)
{
    switch (coded_cols[k]) {
    case IN_TOUCHPOINT: return (uint32_t)s->t[CX_TABLE_TOUCHPOINTS].n;
    case IN_CASE: return (uint32_t)s->t[CX_TABLE_CASES].n;
    case IN_KIND: return s->sets[CX_VOCAB_INTERACTION_KIND].count;
    default: return s->sets[CX_VOCAB_AGENT].count;
    }
}

/* Adds interaction `id` whose column k holds a new value named `name`
 * (name NULL: none, for kind, agent or case), the others fixed. */
static void add_coded(cx_store *s, size_t k, const char *id, const char *name)
{
    const char *tp = "web", *kind = "call", *agent = "a", *ca = NULL;
    switch (coded_cols[k]) {
    case IN_TOUCHPOINT:
        tp = name;
        if (cx_store_find(&(size_t){0}, s, CX_TABLE_TOUCHPOINTS, name) != CX_OK)
            OK(cx_touchpoint_add(s, name, "web", "consideration", NULL, 0, 1));
        break;
    case IN_KIND: kind = name; break;
    case IN_AGENT: agent = name; break;
    default:
        ca = name;
        if (name && cx_store_find(&(size_t){0}, s, CX_TABLE_CASES, name) != CX_OK)
            OK(cx_case_add(s, name, "C-1", "phone", NULL, NULL, T("2024-01-01T00:00:00Z"), CX_TIME_NONE, CX_TIME_NONE,
                           0, 1));
        break;
    }
    OK(cx_interaction_add(NULL, s, id, "C-1", tp, T("2024-01-02T00:00:00Z"), kind, CX_INBOUND, agent, ca, 5,
                          CX_HANDLED, 0));
}

/* Every row's value of column `name` of `table` (NULL for none) is
 * want[row], and the table has n rows. */
static void assert_names(const cx_store *s, int table, const char *name, char *const *want, size_t n)
{
    int c;
    OK(cx_column_find(&c, table, name));
    ck_assert_uint_eq(store_rows(s, table), n);
    for (size_t r = 0; r < n; r++) {
        const char *v;
        OK(cx_store_get_string(&v, s, table, c, r));
        ck_assert_msg(want[r] ? v && strcmp(v, want[r]) == 0 : v == NULL, "table %d %s row %zu: '%s', want '%s'",
                      table, name, r, v ? v : "(none)", want[r] ? want[r] : "(none)");
    }
}

/* Every row's value of column k (NULL for none) is want[row]. */
static void assert_coded(const cx_store *s, size_t k, char *const *want, size_t n)
{
    assert_names(s, CX_TABLE_INTERACTIONS, coded_names[k], want, n);
}

static char *xstrdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    ck_assert_ptr_nonnull(d);
    return strcpy(d, s);
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Fills column k with new values up to code `last` (a row with none every
 * tenth row where the column may be empty); returns the rows' names. */
static char **fill_coded(cx_store *s, size_t k, uint32_t last, size_t *n)
{
    size_t cap = last + last / 9 + 64;
    char **want = calloc(cap, sizeof *want);
    ck_assert_ptr_nonnull(want);
    *n = 0;
    while (next_code(s, k) <= last) {
        char id[32], name[32];
        snprintf(id, sizeof id, "R-%zu", *n);
        if (coded_cols[k] != IN_TOUCHPOINT && *n % 10 == 3) {
            add_coded(s, k, id, NULL);
            want[(*n)++] = NULL;
            continue;
        }
        snprintf(name, sizeof name, "%s-%u", coded_names[k], next_code(s, k));
        add_coded(s, k, id, name);
        ck_assert_uint_lt(*n + 1, cap);
        want[(*n)++] = xstrdup(name);
    }
    return want;
}

static cx_store *coded_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C-2", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    return s;
}

/* 1 byte up to code 254, 2 bytes from code 255; a refused add does not
 * widen; clone, save and load, export and import, forget keep the values. */
START_TEST(codes_widen_at_255)
{
    for (size_t k = 0; k < 4; k++) {
        cx_store *s = coded_store();
        ck_assert_uint_eq(code_elem(s, coded_cols[k]), 1);
        size_t n;
        char **want = fill_coded(s, k, 254, &n);
        ck_assert_uint_eq(code_elem(s, coded_cols[k]), 1);
        assert_coded(s, k, want, n);
        /* refused for another reason: checked before widening */
        char name[32];
        snprintf(name, sizeof name, "%s-%u", coded_names[k], next_code(s, k));
        if (coded_cols[k] == IN_KIND || coded_cols[k] == IN_AGENT) {
            FAILS(cx_interaction_add(NULL, s, "X", "nobody", "web", 1, coded_cols[k] == IN_KIND ? name : "a",
                                     CX_INBOUND, coded_cols[k] == IN_AGENT ? name : "a", NULL, 1, CX_HANDLED, 0),
                  CX_ENOTFOUND, "cx_interaction_add");
            ck_assert_uint_eq(code_elem(s, coded_cols[k]), 1);
        }
        want[n] = xstrdup(name);
        add_coded(s, k, "R-wide", name); /* code 255: 2 bytes */
        n++;
        ck_assert_uint_eq(code_elem(s, coded_cols[k]), 2);
        if (coded_cols[k] != IN_TOUCHPOINT) { /* none after the widening */
            add_coded(s, k, "R-none", NULL);
            want[n++] = NULL;
        }
        assert_coded(s, k, want, n);
        /* an update to an old value and to none, in the wide column */
        int ch;
        size_t row;
        OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "R-wide"));
        const char *old = want[0];
        if (coded_cols[k] == IN_TOUCHPOINT)
            OK(cx_interaction_put(&ch, NULL, s, "R-wide", "C-1", old, T("2024-01-02T00:00:00Z"), "call", CX_INBOUND,
                                  "a", NULL, 5, CX_HANDLED, 0));
        else
            add_coded(s, k, "R-more", old);
        if (coded_cols[k] == IN_TOUCHPOINT) {
            free(want[row]);
            want[row] = xstrdup(old);
        } else
            want[n++] = xstrdup(old);
        assert_coded(s, k, want, n);
        cx_store *c, *l, *e;
        OK(cx_store_clone(&c, s));
        ck_assert_uint_eq(code_elem(c, coded_cols[k]), 2);
        assert_coded(c, k, want, n);
        char db[16];
        snprintf(db, sizeof db, "k%zu.db", k);
        OK(cx_db_save(s, P(db)));
        OK(cx_db_load(&l, P(db)));
        assert_coded(l, k, want, n);
        cx_store_free(l);
        static const int tabs[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS};
        OK(cx_store_new(&e));
        for (size_t t = 0; t < 4; t++) {
            char f[16];
            snprintf(f, sizeof f, "k%zu-%zu.csv", k, t);
            OK(cx_export_csv(s, tabs[t], P(f), 0));
            cx_import_report *rep = NULL;
            OK(cx_import_csv(&rep, e, tabs[t], P(f), NULL));
            cx_import_report_free(rep);
        }
        assert_coded(e, k, want, n);
        cx_store_free(e);
        /* forget a customer without interactions: the values stay */
        const char *gone = "C-2";
        size_t erased;
        OK(cx_customer_forget(&erased, c, 1, &gone));
        assert_coded(c, k, want, n);
        cx_store_free(c);
        free_names(want, n);
        cx_store_free(s);
    }
}
END_TEST

/* 2 bytes up to code 65534, 4 from code 65535 (agents and touchpoints:
 * cheap to make through the API). */
START_TEST(codes_widen_at_65535)
{
    static const size_t ks[] = {0, 2};
    for (size_t i = 0; i < 2; i++) {
        size_t k = ks[i];
        cx_store *s = coded_store();
        size_t n;
        char **want = fill_coded(s, k, 65534, &n);
        ck_assert_uint_eq(code_elem(s, coded_cols[k]), 2);
        char name[32];
        snprintf(name, sizeof name, "%s-%u", coded_names[k], next_code(s, k));
        want[n++] = xstrdup(name);
        add_coded(s, k, "R-wide", name);
        ck_assert_uint_eq(code_elem(s, coded_cols[k]), 4);
        if (coded_cols[k] == IN_AGENT) {
            add_coded(s, k, "R-none", NULL);
            want[n++] = NULL;
        }
        assert_coded(s, k, want, n);
        cx_store *c;
        OK(cx_store_clone(&c, s));
        ck_assert_uint_eq(code_elem(c, coded_cols[k]), 4);
        assert_coded(c, k, want, n);
        cx_store_free(c);
        free_names(want, n);
        cx_store_free(s);
    }
}
END_TEST

/* The out-of-memory tests of the code columns: c's add of a value that
 * widens column k, made with every allocation refused in turn (the
 * widening's among them) until it succeeds; each failure must be
 * CX_ENOMEM and leave what `unchanged` checks as it was. */
typedef struct oom_add {
    cx_store *s;
    size_t k, n; /* the column; the rows before the add */
    char **want; /* their values */
    const char *name;
    uint32_t sets; /* interactions: agents and kinds before the add */
} oom_add;

static void each_allocation_refused(cxt_alloc *a, const oom_add *c, int (*add)(const oom_add *),
                                    void (*unchanged)(const oom_add *))
{
    int failures = 0;
    for (size_t nth = 1;; nth++) {
        cxt_alloc_fail_nth(a, nth, false);
        int rc = add(c);
        cxt_alloc_allow(a, -1);
        if (rc == CX_OK)
            break;
        ck_assert_int_eq(rc, CX_ENOMEM);
        failures++;
        unchanged(c);
    }
    ck_assert_int_ge(failures, 1);
}

static int oom_interaction(const oom_add *c)
{
    const int col = coded_cols[c->k];
    return cx_interaction_add(NULL, c->s, "R-wide", "C-1", col == IN_TOUCHPOINT ? c->name : "web",
                              T("2024-01-02T00:00:00Z"), col == IN_KIND ? c->name : "call", CX_INBOUND,
                              col == IN_AGENT ? c->name : "a", col == IN_CASE ? c->name : NULL, 5, CX_HANDLED, 0);
}

static void oom_interaction_unchanged(const oom_add *c)
{
    ck_assert_uint_eq(code_elem(c->s, coded_cols[c->k]), 1);
    ck_assert_uint_eq(c->s->sets[CX_VOCAB_AGENT].count + c->s->sets[CX_VOCAB_INTERACTION_KIND].count, c->sets);
    assert_coded(c->s, c->k, c->want, c->n);
}

/* Out of memory widening: the add fails, nothing changes (the width, the
 * values, the names, the memory held); then it succeeds. */
START_TEST(codes_widening_out_of_memory)
{
    for (size_t k = 0; k < 4; k++) {
        cxt_alloc a = {0};
        cx_store *s = alloc_store(&a);
        size_t n;
        char **want = fill_coded(s, k, 254, &n);
        char name[32];
        snprintf(name, sizeof name, "%s-%u", coded_names[k], next_code(s, k));
        /* touchpoints and cases: the row exists first */
        if (coded_cols[k] == IN_TOUCHPOINT)
            OK(cx_touchpoint_add(s, name, "web", "consideration", NULL, 0, 1));
        if (coded_cols[k] == IN_CASE)
            OK(cx_case_add(s, name, "C-1", "phone", NULL, NULL, T("2024-01-01T00:00:00Z"), CX_TIME_NONE,
                           CX_TIME_NONE, 0, 1));
        oom_add c = {s, k, n, want, name, s->sets[CX_VOCAB_AGENT].count + s->sets[CX_VOCAB_INTERACTION_KIND].count};
        each_allocation_refused(&a, &c, oom_interaction, oom_interaction_unchanged);
        want[n++] = xstrdup(name);
        ck_assert_uint_eq(code_elem(s, coded_cols[k]), 2);
        assert_coded(s, k, want, n);
        free_names(want, n);
        cx_store_free(s);
        cxt_alloc_done(&a);
    }
}
END_TEST

/* A failed import that updated agents while the column was narrow, then
 * widened it (300 new agents), then updated a row in the wide column and
 * failed: the rollback puts back every value and the width. */
START_TEST(codes_rollback_across_widening)
{
    cx_store *s = coded_store();
    const size_t k = 2; /* agent */
    char *want[3] = {"a-0", NULL, "a-2"};
    add_coded(s, k, "W-0", want[0]);
    add_coded(s, k, "W-1", want[1]);
    add_coded(s, k, "W-2", want[2]);
    size_t cap = 400 * 128, len = 0;
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    len += (size_t)snprintf(csv + len, cap - len,
                            "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                            "W-1,C-1,web,2024-01-01T00:00:00Z,call,inbound,a-2,,1,handled,0\n" /* narrow update */
                            "W-0,C-1,web,2024-01-01T00:00:00Z,call,inbound,,,1,handled,0\n");  /* to none */
    for (int i = 0; i < 300; i++) /* widens */
        len += (size_t)snprintf(csv + len, cap - len, "N-%d,C-1,web,2024-01-01T00:00:00Z,call,inbound,new-%d,,1,handled,0\n",
                                i, i);
    len += (size_t)snprintf(csv + len, cap - len,
                            "W-2,C-1,web,2024-01-01T00:00:00Z,call,inbound,new-299,,1,handled,0\n" /* wide update */
                            "W-0,C-1,web,2024-01-01T00:00:00Z,call,inbound,a-0,,1,handled,0\n"
                            "W-9,C-1,web,not a time,call,inbound,,,1,handled,0\n");
    const char *path = write_file("codes.csv", csv);
    free(csv);
    uint32_t agents = s->sets[CX_VOCAB_AGENT].count;
    cx_import_options *o = import_strict_fails(s, path);
    ck_assert_uint_eq(code_elem(s, IN_AGENT), 1); /* narrow again */
    ck_assert_uint_eq(s->sets[CX_VOCAB_AGENT].count, agents);
    assert_coded(s, k, want, 3);
    /* the same file, lenient: everything but the bad row */
    import_lenient(s, path, o);
    ck_assert_uint_eq(code_elem(s, IN_AGENT), 2);
    char **after = calloc(303, sizeof *after);
    ck_assert_ptr_nonnull(after);
    after[0] = xstrdup("a-0");
    after[1] = xstrdup("a-2");
    after[2] = xstrdup("new-299");
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "new-%d", i);
        after[3 + i] = xstrdup(name);
    }
    assert_coded(s, k, after, 303);
    free_names(after, 303);
    cx_store_free(s);
}
END_TEST

/* Forget renumbers the agents (those of cases first): the agents of
 * interactions, codes below 255 before, get codes beyond it after, and
 * their column is widened first. */
START_TEST(codes_forget_widens)
{
    cx_store *s = coded_store();
    char *want[10];
    char names[10][16];
    for (int i = 0; i < 10; i++) {
        snprintf(names[i], sizeof names[i], "ia-%d", i);
        want[i] = names[i];
        char id[16];
        snprintf(id, sizeof id, "I-%d", i);
        add_coded(s, 2, id, names[i]);
    }
    for (int i = 0; i < 300; i++) {
        char id[16], agent[16];
        snprintf(id, sizeof id, "K-%d", i);
        snprintf(agent, sizeof agent, "ca-%d", i);
        OK(cx_case_add(s, id, "C-1", "phone", NULL, agent, T("2024-01-01T00:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0,
                       1));
    }
    OK(cx_interaction_add(NULL, s, "I-gone", "C-2", "web", T("2024-01-02T00:00:00Z"), "call", CX_INBOUND, "ia-0", NULL, 5,
                          CX_HANDLED, 0));
    ck_assert_uint_eq(code_elem(s, IN_AGENT), 1);
    const char *gone = "C-2";
    size_t erased;
    OK(cx_customer_forget(&erased, s, 1, &gone));
    ck_assert_uint_eq(erased, 2);
    ck_assert_uint_eq(code_elem(s, IN_AGENT), 2);
    assert_coded(s, 2, want, 10);
    int c;
    OK(cx_column_find(&c, CX_TABLE_CASES, "agent"));
    ck_assert_str_eq(store_str(s, CX_TABLE_CASES, c, 299), "ca-299");
    cx_store_free(s);
}
END_TEST

/* Cases' channel, priority and agent: 1 byte a row up to code 254, 2 from
 * code 255 (channel and priority are defined sets: defined here first);
 * clone, save and load, forget keep the values. */
static const int case_cols[] = {CA_CHANNEL, CA_PRIORITY, CA_AGENT};
static const char *const case_names[] = {"channel", "priority", "agent"};
static const int case_sets[] = {CX_VOCAB_CHANNEL, CX_VOCAB_PRIORITY, CX_VOCAB_AGENT};

static void add_case_coded(cx_store *s, size_t k, const char *id, const char *name)
{
    if (name && k < 2 && cxi_pool_find(&s->sets[case_sets[k]], name, strlen(name)) == CXI_NONE)
        OK(cx_vocab_define(NULL, s, case_sets[k], name));
    OK(cx_case_add(s, id, "C-1", k == 0 ? name : "phone", k == 1 ? name : NULL, k == 2 ? name : NULL,
                   T("2024-01-01T00:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0, 1));
}

static void assert_case_coded(const cx_store *s, size_t k, char *const *want, size_t n)
{
    assert_names(s, CX_TABLE_CASES, case_names[k], want, n);
}

START_TEST(case_codes_widen_at_255)
{
    for (size_t k = 0; k < 3; k++) {
        cx_store *s = coded_store();
        const cxi_col *col = &s->t[CX_TABLE_CASES].cols[case_cols[k]];
        ck_assert_uint_eq(col->elem, 1);
        char **want = calloc(400, sizeof *want);
        ck_assert_ptr_nonnull(want);
        size_t n = 0;
        while (s->sets[case_sets[k]].count <= 254) {
            char id[32], name[32];
            snprintf(id, sizeof id, "K-%zu", n);
            snprintf(name, sizeof name, "%s-%u", case_names[k], s->sets[case_sets[k]].count);
            if (k > 0 && n % 10 == 3) {
                add_case_coded(s, k, id, NULL);
                want[n++] = NULL;
                continue;
            }
            add_case_coded(s, k, id, name);
            want[n++] = xstrdup(name);
        }
        ck_assert_uint_eq(col->elem, 1);
        assert_case_coded(s, k, want, n);
        char name[32];
        snprintf(name, sizeof name, "%s-%u", case_names[k], s->sets[case_sets[k]].count);
        add_case_coded(s, k, "K-wide", name); /* code 255 */
        want[n++] = xstrdup(name);
        ck_assert_uint_eq(s->t[CX_TABLE_CASES].cols[case_cols[k]].elem, 2);
        if (k > 0) {
            add_case_coded(s, k, "K-none", NULL);
            want[n++] = NULL;
        }
        assert_case_coded(s, k, want, n);
        cx_store *c, *l;
        OK(cx_store_clone(&c, s));
        ck_assert_uint_eq(c->t[CX_TABLE_CASES].cols[case_cols[k]].elem, 2);
        assert_case_coded(c, k, want, n);
        char db[16];
        snprintf(db, sizeof db, "c%zu.db", k);
        OK(cx_db_save(s, P(db)));
        OK(cx_db_load(&l, P(db)));
        assert_case_coded(l, k, want, n);
        cx_store_free(l);
        const char *gone = "C-2";
        size_t erased;
        OK(cx_customer_forget(&erased, c, 1, &gone));
        assert_case_coded(c, k, want, n);
        cx_store_free(c);
        free_names(want, n);
        cx_store_free(s);
    }
}
END_TEST

/* The file of a rollback test across a widening: `head`, 280 rows of
 * `row` (its two %d the row's number) that name 280 new names, then
 * `tail` (the row that ends the import); its path. */
static const char *widening_csv(const char *file, const char *head, const char *row, const char *tail)
{
    size_t cap = strlen(head) + strlen(tail) + 280 * (strlen(row) + 16) + 1, len = 0;
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    len += (size_t)snprintf(csv + len, cap - len, "%s", head);
    for (int i = 0; i < 280; i++)
        len += (size_t)snprintf(csv + len, cap - len, row, i, i);
    snprintf(csv + len, cap - len, "%s", tail);
    const char *path = write_file(file, csv);
    free(csv);
    return path;
}

/* A failed import of cases that widened the agents: put back, narrow. */
START_TEST(case_codes_rollback_across_widening)
{
    cx_store *s = coded_store();
    char *want[2] = {"a-0", NULL};
    add_case_coded(s, 2, "K-0", want[0]);
    add_case_coded(s, 2, "K-1", want[1]);
    const char *path = widening_csv("cases.csv",
                                    "id,customer,channel,priority,agent,opened\n"
                                    "K-1,C-1,phone,,a-0,2024-01-01T00:00:00Z\n",
                                    "N-%d,C-1,phone,,new-%d,2024-01-01T00:00:00Z\n",
                                    "K-0,C-1,phone,,new-279,2024-01-01T00:00:00Z\n"
                                    "K-9,C-1,phone,,,not a time\n");
    cx_import_options_free(import_strict_fails_in(s, CX_TABLE_CASES, path));
    ck_assert_uint_eq(s->t[CX_TABLE_CASES].cols[CA_AGENT].elem, 1);
    assert_case_coded(s, 2, want, 2);
    cx_store_free(s);
}
END_TEST

/* ---- customers' segment, region and plan: code columns too ---------------
 * 1 byte a row up to code 254, 2 from code 255, widened by the add or the
 * update that needs it; clone, save and load, forget and a rolled-back
 * import keep the values. */
static const int cu_coded_cols[] = {CU_SEGMENT, CU_REGION, CU_PLAN};
static const char *const cu_coded_names[] = {"segment", "region", "plan"};
static const int cu_coded_sets[] = {CX_VOCAB_SEGMENT, CX_VOCAB_REGION, CX_VOCAB_PLAN};

static void add_customer_coded(cx_store *s, size_t k, const char *id, const char *name, bool put)
{
    const char *v[3] = {NULL, NULL, NULL};
    v[k] = name;
    if (put)
        OK(cx_customer_put(NULL, s, id, v[0], v[1], v[2], CX_TIME_NONE));
    else
        OK(cx_customer_add(s, id, v[0], v[1], v[2], CX_TIME_NONE));
}

START_TEST(customer_codes_widen_at_255)
{
    for (size_t k = 0; k < 3; k++) {
        for (int by_update = 0; by_update < 2; by_update++) {
            cx_store *s;
            OK(cx_store_new(&s));
            const cxi_col *col = &s->t[CX_TABLE_CUSTOMERS].cols[cu_coded_cols[k]];
            ck_assert_uint_eq(col->elem, 1);
            char **want = calloc(400, sizeof *want);
            ck_assert_ptr_nonnull(want);
            size_t n = 0;
            char id[32], name[32];
            while (s->sets[cu_coded_sets[k]].count <= 254) {
                snprintf(id, sizeof id, "C-%zu", n);
                snprintf(name, sizeof name, "%s-%zu", cu_coded_names[k], n);
                if (n % 10 == 3) { /* none among them */
                    add_customer_coded(s, k, id, NULL, false);
                    want[n++] = NULL;
                    continue;
                }
                add_customer_coded(s, k, id, name, false);
                want[n++] = xstrdup(name);
            }
            ck_assert_uint_eq(col->elem, 1);
            assert_names(s, CX_TABLE_CUSTOMERS, cu_coded_names[k], want, n);
            /* code 255: by a new customer, or by moving customer C-3 (none) to it */
            snprintf(name, sizeof name, "%s-wide", cu_coded_names[k]);
            if (by_update) {
                add_customer_coded(s, k, "C-3", name, true);
                free(want[3]);
                want[3] = xstrdup(name);
            } else {
                add_customer_coded(s, k, "C-wide", name, false);
                want[n++] = xstrdup(name);
            }
            ck_assert_uint_eq(s->t[CX_TABLE_CUSTOMERS].cols[cu_coded_cols[k]].elem, 2);
            assert_names(s, CX_TABLE_CUSTOMERS, cu_coded_names[k], want, n);
            cx_store *c, *l;
            OK(cx_store_clone(&c, s));
            assert_names(c, CX_TABLE_CUSTOMERS, cu_coded_names[k], want, n);
            char db[16];
            snprintf(db, sizeof db, "cu%zu-%d.db", k, by_update);
            OK(cx_db_save(s, P(db)));
            OK(cx_db_load(&l, P(db)));
            assert_names(l, CX_TABLE_CUSTOMERS, cu_coded_names[k], want, n);
            cx_store_free(l);
            /* forgetting C-0 renumbers the names: every kept row keeps its own */
            const char *gone = "C-0";
            size_t erased;
            OK(cx_customer_forget(&erased, c, 1, &gone));
            assert_names(c, CX_TABLE_CUSTOMERS, cu_coded_names[k], want + 1, n - 1);
            cx_store_free(c);
            free_names(want, n);
            cx_store_free(s);
        }
    }
}
END_TEST

/* A failed import of customers that widened the segments: put back, narrow. */
START_TEST(customer_codes_rollback_across_widening)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-0", "s-0", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C-1", NULL, "r-0", NULL, CX_TIME_NONE));
    const char *path = widening_csv("customers.csv", "id,segment,region,plan,acquired\nC-1,s-0,,p-0,\n",
                                    "N-%d,new-%d,,,\n", "C-0,new-279,,,\nC-9,,,,not a time\n");
    cx_import_options_free(import_strict_fails_in(s, CX_TABLE_CUSTOMERS, path));
    ck_assert_uint_eq(s->t[CX_TABLE_CUSTOMERS].cols[CU_SEGMENT].elem, 1);
    char *seg[2] = {"s-0", NULL}, *reg[2] = {NULL, "r-0"}, *plan[2] = {NULL, NULL};
    assert_names(s, CX_TABLE_CUSTOMERS, "segment", seg, 2);
    assert_names(s, CX_TABLE_CUSTOMERS, "region", reg, 2);
    assert_names(s, CX_TABLE_CUSTOMERS, "plan", plan, 2);
    cx_store_free(s);
}
END_TEST

/* ---- feedback's question, touchpoint, case and comment: code columns too -
 * 1 byte a row up to code 254, 2 from code 255, widened by the add or the
 * update that needs it. Feedback F-j belongs to C-2 when j % 3 == 0 (to be
 * forgotten), else to C-1, and so does the case it names (forgetting C-2
 * renumbers the cases of C-1 its feedback names). */
static const int fb_coded_cols[] = {FB_QUESTION, FB_TOUCHPOINT, FB_CASE, FB_COMMENT};
static const char *const fb_coded_names[] = {"question", "touchpoint", "case", "comment"};
#define NFB_CODED 4

static size_t fb_elem(const cx_store *s, size_t k) { return s->t[CX_TABLE_FEEDBACK].cols[fb_coded_cols[k]].elem; }

static const char *fb_customer(size_t j) { return j % 3 ? "C-1" : "C-2"; }

/* The code the next new value of column k gets: the row of its table, or
 * the comment's id. */
static uint32_t fb_next_code(const cx_store *s, size_t k)
{
    static const int tabs[] = {CX_TABLE_QUESTIONS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES};
    return k == 3 ? s->comments.count : (uint32_t)s->t[tabs[k]].n;
}

static void fb_name(char *buf, size_t cap, const cx_store *s, size_t k)
{
    snprintf(buf, cap, "%s-%u", fb_coded_names[k], fb_next_code(s, k));
}

/* Makes the row `name` of column k's table (a CSAT question, a touchpoint,
 * a case of feedback j's customer) unless there is one; a comment needs
 * none. */
static void fb_target(cx_store *s, size_t k, size_t j, const char *name)
{
    static const int tabs[] = {CX_TABLE_QUESTIONS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES};
    if (!name || k == 3 || cx_store_find(&(size_t){0}, s, tabs[k], name) == CX_OK)
        return;
    if (k == 0)
        OK(cx_question_add(s, name, CX_METRIC_CSAT, 1, 5, 1));
    else if (k == 1)
        OK(cx_touchpoint_add(s, name, "web", "consideration", NULL, 0, 1));
    else
        OK(cx_case_add(s, name, fb_customer(j), "phone", NULL, NULL, T("2024-01-01T00:00:00Z"), CX_TIME_NONE,
                       CX_TIME_NONE, 0, 1));
}

/* Feedback F-j whose column k holds `name` (NULL: none, for touchpoint,
 * case or comment), the others fixed; added, or put (an update of an
 * existing row); returns what cx_feedback_add or cx_feedback_put returned. */
static int fb_coded_put(cx_store *s, size_t k, size_t j, const char *name, bool put)
{
    char id[32];
    snprintf(id, sizeof id, "F-%zu", j);
    const char *q = k == 0 ? name : "nps", *tp = k == 1 ? name : NULL, *ca = k == 2 ? name : NULL;
    const char *cm = k == 3 ? name : NULL;
    double score = k == 0 ? (double)(1 + j % 5) : (double)(j % 11);
    cx_time t = T("2024-01-02T00:00:00Z") + (cx_time)j;
    if (put)
        return cx_feedback_put(&(int){0}, NULL, s, id, fb_customer(j), q, score, t, tp, NULL, ca, cm);
    return cx_feedback_add(NULL, s, id, fb_customer(j), q, score, t, tp, NULL, ca, cm);
}

static void fb_coded_add(cx_store *s, size_t k, size_t j, const char *name, bool put)
{
    fb_target(s, k, j, name);
    OK(fb_coded_put(s, k, j, name, put));
}

/* Fills column k with new values up to code `last` (none every tenth row
 * where the column may be empty); returns the rows' names (room for 8
 * more). */
static char **fb_fill(cx_store *s, size_t k, uint32_t last, size_t *n)
{
    char **want = calloc(last + last / 9 + 64, sizeof *want);
    ck_assert_ptr_nonnull(want);
    *n = 0;
    while (fb_next_code(s, k) <= last) {
        char name[32];
        fb_name(name, sizeof name, s, k);
        const char *v = k > 0 && *n % 10 == 3 ? NULL : name;
        fb_coded_add(s, k, *n, v, false);
        want[*n] = v ? xstrdup(v) : NULL;
        (*n)++;
    }
    return want;
}

static void assert_fb_coded(const cx_store *s, size_t k, char *const *want, size_t n)
{
    assert_names(s, CX_TABLE_FEEDBACK, fb_coded_names[k], want, n);
}

/* The width of column k of a store made from one whose column was w bytes
 * a row: the same, except that a store loaded or imported again may hold
 * its comments in fewer bytes, since it holds only the comments its rows
 * name (a comment no row names any more is not saved). */
static void fb_width_kept(const cx_store *x, size_t k, size_t w, bool reloaded)
{
    if (k == 3 && reloaded)
        ck_assert_uint_le(fb_elem(x, k), w);
    else
        ck_assert_uint_eq(fb_elem(x, k), w);
}

/* Clone, save and load, export and import again, and forgetting C-2 (row j
 * when j % 3 == 0) keep every value and the column's width (fb_width_kept). */
static void fb_codes_round_trip(const cx_store *s, size_t k, char *const *want, size_t n)
{
    size_t w = fb_elem(s, k);
    cx_store *c, *l, *e;
    OK(cx_store_clone(&c, s));
    ck_assert_uint_eq(fb_elem(c, k), w);
    assert_fb_coded(c, k, want, n);
    remove(P("f.db"));
    OK(cx_db_save(s, P("f.db")));
    OK(cx_db_load(&l, P("f.db")));
    fb_width_kept(l, k, w, true);
    assert_fb_coded(l, k, want, n);
    cx_store_free(l);
    static const int tabs[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_QUESTIONS, CX_TABLE_CASES,
                               CX_TABLE_FEEDBACK};
    OK(cx_store_new(&e));
    for (size_t t = 0; t < 5; t++) {
        char f[16];
        snprintf(f, sizeof f, "f-%zu.csv", t);
        OK(cx_export_csv(s, tabs[t], P(f), 0));
        cx_import_report *rep = NULL;
        OK(cx_import_csv(&rep, e, tabs[t], P(f), NULL));
        cx_import_report_free(rep);
    }
    fb_width_kept(e, k, w, true);
    assert_fb_coded(e, k, want, n);
    cx_store_free(e);
    const char *gone = "C-2";
    size_t erased, m = 0;
    OK(cx_customer_forget(&erased, c, 1, &gone));
    char **kept = calloc(n + 1, sizeof *kept);
    ck_assert_ptr_nonnull(kept);
    for (size_t j = 0; j < n; j++)
        if (j % 3)
            kept[m++] = want[j];
    ck_assert_uint_eq(fb_elem(c, k), w);
    assert_fb_coded(c, k, kept, m);
    free(kept);
    cx_store_free(c);
}

/* For each column: 1 byte up to code 254 (a refused add does not widen),
 * 2 from code 255, by an add or by an update; none and old values after;
 * the round trips at both widths. */
START_TEST(fb_codes_widen_at_255)
{
    for (size_t k = 0; k < NFB_CODED; k++) {
        for (int update = 0; update < 2; update++) {
            cx_store *s = base_store();
            ck_assert_uint_eq(fb_elem(s, k), 1);
            size_t n;
            char **want = fb_fill(s, k, 254, &n);
            ck_assert_uint_eq(fb_elem(s, k), 1);
            assert_fb_coded(s, k, want, n);
            if (!update)
                fb_codes_round_trip(s, k, want, n);
            char name[32];
            fb_name(name, sizeof name, s, k);
            fb_target(s, k, update ? 1 : n, name);
            /* refused for another reason: checked before widening */
            const char *q = k == 0 ? name : "nps";
            FAILS(cx_feedback_add(NULL, s, "F-x", "C-1", q, 11, 1, k == 1 ? name : NULL, NULL, k == 2 ? name : NULL,
                                  k == 3 ? name : NULL),
                  CX_ERANGE, "cx_feedback_add");
            ck_assert_uint_eq(fb_elem(s, k), 1);
            if (update) { /* row 1 (C-1) gets it */
                fb_coded_add(s, k, 1, name, true);
                free(want[1]);
                want[1] = xstrdup(name);
            } else {
                fb_coded_add(s, k, n, name, false);
                want[n++] = xstrdup(name);
            }
            ck_assert_uint_eq(fb_elem(s, k), 2);
            if (k > 0) { /* none after the widening */
                fb_coded_add(s, k, n, NULL, false);
                want[n++] = NULL;
            }
            fb_coded_add(s, k, 4, want[2], true); /* an old value: row 4 (C-1) gets row 2's (C-1) */
            free(want[4]);
            want[4] = xstrdup(want[2]);
            assert_fb_coded(s, k, want, n);
            /* the other columns stay narrow */
            for (size_t o = 0; o < NFB_CODED; o++)
                if (o != k)
                    ck_assert_uint_eq(fb_elem(s, o), 1);
            fb_codes_round_trip(s, k, want, n);
            free_names(want, n);
            cx_store_free(s);
        }
    }
}
END_TEST

static int oom_feedback(const oom_add *c) { return fb_coded_put(c->s, c->k, c->n, c->name, false); }

static void oom_feedback_unchanged(const oom_add *c)
{
    ck_assert_uint_eq(fb_elem(c->s, c->k), 1);
    assert_fb_coded(c->s, c->k, c->want, c->n);
}

/* Out of memory widening: every allocation of the add refused in turn (the
 * widening's among them), each failure changing nothing a caller sees;
 * then it succeeds. */
START_TEST(fb_codes_widening_out_of_memory)
{
    for (size_t k = 0; k < NFB_CODED; k++) {
        cxt_alloc a = {0};
        cx_store *s = alloc_store(&a);
        size_t n;
        char **want = fb_fill(s, k, 254, &n);
        char name[32];
        fb_name(name, sizeof name, s, k);
        fb_target(s, k, n, name); /* the row exists first */
        oom_add c = {s, k, n, want, name, 0};
        each_allocation_refused(&a, &c, oom_feedback, oom_feedback_unchanged);
        want[n++] = xstrdup(name);
        ck_assert_uint_eq(fb_elem(s, k), 2);
        assert_fb_coded(s, k, want, n);
        free_names(want, n);
        cx_store_free(s);
        cxt_alloc_done(&a);
    }
}
END_TEST

/* A failed import of feedback that updated touchpoints while the column
 * was narrow, widened it (300 touchpoints named), updated a row in the
 * wide column and failed: every value and the width are back. */
START_TEST(fb_codes_rollback_across_widening)
{
    cx_store *s = base_store();
    for (int i = 0; i < 300; i++) {
        char tp[16];
        snprintf(tp, sizeof tp, "tp-%d", i);
        OK(cx_touchpoint_add(s, tp, "web", "consideration", NULL, 0, 1));
    }
    char *want[3] = {"tp-1", NULL, "tp-2"};
    for (size_t j = 0; j < 3; j++)
        fb_coded_add(s, 1, j, want[j], false);
    size_t cap = 400 * 128, len = 0;
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    len += (size_t)snprintf(csv + len, cap - len,
                            "id,customer,question,score,time,touchpoint\n"
                            "F-1,C-1,nps,3,2024-01-01T00:00:00Z,tp-2\n" /* narrow update */
                            "F-0,C-2,nps,3,2024-01-01T00:00:00Z,\n");   /* to none */
    for (int i = 0; i < 300; i++) /* widens; row 3 + i */
        len += (size_t)snprintf(csv + len, cap - len, "N-%d,%s,nps,5,2024-01-01T00:00:00Z,tp-%d\n", i,
                                fb_customer(3 + (size_t)i), i);
    len += (size_t)snprintf(csv + len, cap - len,
                            "F-2,C-1,nps,3,2024-01-01T00:00:00Z,tp-299\n" /* wide update */
                            "F-0,C-2,nps,3,2024-01-01T00:00:00Z,tp-0\n"
                            "F-9,C-1,nps,3,not a time,\n");
    const char *path = write_file("fb.csv", csv);
    free(csv);
    cx_import_options *o = import_strict_fails_in(s, CX_TABLE_FEEDBACK, path);
    ck_assert_uint_eq(fb_elem(s, 1), 1); /* narrow again */
    assert_fb_coded(s, 1, want, 3);
    /* the same file, lenient: everything but the bad row */
    import_lenient_in(s, CX_TABLE_FEEDBACK, path, o);
    ck_assert_uint_eq(fb_elem(s, 1), 2);
    char **after = calloc(303, sizeof *after);
    ck_assert_ptr_nonnull(after);
    after[0] = xstrdup("tp-0");
    after[1] = xstrdup("tp-2");
    after[2] = xstrdup("tp-299");
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "tp-%d", i);
        after[3 + i] = xstrdup(name);
    }
    assert_fb_coded(s, 1, after, 303);
    fb_codes_round_trip(s, 1, after, 303);
    free_names(after, 303);
    cx_store_free(s);
}
END_TEST

/* Queries and journeys read the same values at every width: a store and
 * copies of it whose code columns are made 2 and 4 bytes a row, whose
 * columns in cents are made double and whose times and durations are made
 * 8 bytes (the internal widening) give byte-identical results. */
static cx_store *random_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    uint64_t seed = 14;
    char a[32], b[32], c[32];
    for (int i = 0; i < 40; i++) {
        snprintf(a, sizeof a, "C-%d", i);
        OK(cx_customer_add(s, a, i % 3 ? "consumer" : "business", NULL, NULL, CX_TIME_NONE));
    }
    static const char *const ch[] = {"web", "phone", "email", "chat"};
    for (int i = 0; i < 12; i++) {
        snprintf(a, sizeof a, "tp-%d", i);
        OK(cx_touchpoint_add(s, a, ch[i % 4], i % 2 ? "consideration" : "service", NULL, i == 5, 1));
    }
    for (int i = 0; i < 30; i++) {
        snprintf(a, sizeof a, "K-%d", i);
        snprintf(b, sizeof b, "C-%d", i % 40);
        snprintf(c, sizeof c, "ag-%d", i % 7);
        cx_time t = T("2024-01-01T00:00:00Z") + (cx_time)i * HOUR_MS;
        OK(cx_case_add(s, a, b, ch[i % 4], i % 2 ? "high" : "low", c, t, t + 600000, i % 3 ? t + DAY_MS : CX_TIME_NONE,
                       i % 4 == 0, 1 + i % 3));
    }
    static const char *const kinds[] = {"contact", "visit", "purchase", "email"};
    for (int i = 0; i < 2000; i++) {
        uint64_t r = splitmix64(&seed);
        int cu = (int)(r % 40);
        snprintf(a, sizeof a, "I-%d", i);
        snprintf(b, sizeof b, "C-%d", cu);
        snprintf(c, sizeof c, "tp-%d", (int)((r >> 8) % 12));
        char ag[16], ca[16];
        snprintf(ag, sizeof ag, "ag-%d", (int)((r >> 16) % 9));
        int k = (int)((r >> 24) % 30);
        snprintf(ca, sizeof ca, "K-%d", k);
        bool with_case = k % 40 == cu && (r >> 32) % 2; /* case K-k belongs to C-(k % 40) */
        OK(cx_interaction_add(NULL, s, a, b, c, T("2024-01-01T00:00:00Z") + (cx_time)((r >> 20) % (60 * DAY_MS / 1000)) * 1000,
                              kinds[(r >> 40) % 4], (r >> 44) % 3 ? CX_INBOUND : CX_OUTBOUND,
                              (r >> 46) % 5 ? ag : NULL, with_case ? ca : NULL, (int64_t)((r >> 48) % 900000),
                              (cx_outcome)(CX_HANDLED + (int)((r >> 50) % 3)), (double)((r >> 52) % 100)));
        if (i % 7 == 0) {
            char fid[16];
            snprintf(fid, sizeof fid, "F-%d", i);
            OK(cx_feedback_add(NULL, s, fid, b, "nps", (double)((r >> 56) % 11), T("2024-03-05T00:00:00Z"),
                               i % 14 ? NULL : c, a, NULL, NULL));
        }
    }
    return s;
}

/* The code columns made `elem` bytes a row, and the columns in cents
 * double (feedback's scores, interactions' values: 8 bytes). */
static void widen_all(cx_store *s, size_t elem)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        for (int k = 0; k < s->t[t].ncols; k++) {
            cxi_col *c = &s->t[t].cols[k];
            if (cxi_cents_col(t, k)) {
                if (c->elem == sizeof(int32_t))
                    OK(cxi_col_widen(&s->mem, c, s->t[t].n, CXI_WIDEN_CENTS));
                ck_assert_uint_eq(c->elem, sizeof(double));
            } else if (cxi_code_col(t, k)) {
                OK(cxi_col_recode(&s->mem, c, s->t[t].n, elem));
                ck_assert_uint_eq(c->elem, elem);
            } else if (cxi_seconds_col(t, k) || cxi_u32_col(t, k)) { /* times and durations: 8 bytes */
                if (c->elem == sizeof(uint32_t))
                    OK(cxi_col_widen(&s->mem, c, s->t[t].n, cxi_seconds_col(t, k) ? CXI_WIDEN_SECONDS : CXI_WIDEN_U32));
                ck_assert_uint_eq(c->elem, sizeof(int64_t));
            } else
                continue;
            if (c->cap < s->t[t].room)
                s->t[t].room = c->cap;
        }
}

static void results_of(const cx_store *s, const char *tag)
{
    static const cx_dim dims[] = {CX_DIM_AGENT,   CX_DIM_TOUCHPOINT, CX_DIM_CHANNEL, CX_DIM_PRIORITY,
                                  CX_DIM_SEGMENT, CX_DIM_REGION,     CX_DIM_PLAN};
    char name[64];
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        cx_query *q;
        cx_result *r;
        OK(cx_query_new(&q, s));
        for (int m = 0; m < CX_MEASURE_COUNT; m++)
            if (m != CX_MEASURE_CX_INDEX)
                OK(cx_query_add(q, (cx_measure)m));
        OK(cx_query_group_by(q, dims[d]));
        OK(cx_query_run(&r, q));
        snprintf(name, sizeof name, "q%zu-%s.csv", d, tag);
        OK(cx_result_export_csv(r, P(name)));
        cx_result_free(r);
        cx_query_free(q);
    }
    /* survival subjects grouped by a customer column (cxi_survival_groups) */
    cx_survival_options *so;
    cx_result *r;
    OK(cx_survival_options_new(&so));
    OK(cx_survival_options_set_group_by(so, CX_DIM_SEGMENT));
    OK(cx_survival_options_set_activity(so, CX_ACTIVITY_INBOUND));
    OK(cx_survival_subjects(&r, s, T("2026-01-01T00:00:00Z"), so));
    cx_survival_options_free(so);
    snprintf(name, sizeof name, "sv-%s.csv", tag);
    OK(cx_result_export_csv(r, P(name)));
    cx_result_free(r);
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    OK(cx_journeys_list(&r, j));
    snprintf(name, sizeof name, "jl-%s.csv", tag);
    OK(cx_result_export_csv(r, P(name)));
    cx_result_free(r);
    OK(cx_journeys_paths(&r, j, 50));
    snprintf(name, sizeof name, "jp-%s.csv", tag);
    OK(cx_result_export_csv(r, P(name)));
    cx_result_free(r);
    cx_journeys_free(j);
}

START_TEST(codes_same_results_at_every_width)
{
    cx_store *s = random_store();
    for (size_t k = 0; k < 4; k++)
        ck_assert_uint_eq(code_elem(s, coded_cols[k]), 1);
    for (size_t k = 0; k < 3; k++)
        ck_assert_uint_eq(s->t[CX_TABLE_CASES].cols[case_cols[k]].elem, 1);
    for (size_t k = 0; k < NFB_CODED; k++)
        ck_assert_uint_eq(fb_elem(s, k), 1);
    ck_assert_uint_eq(time_width(s, CX_TABLE_INTERACTIONS), 4);
    ck_assert_uint_eq(cents_width(s, CX_TABLE_FEEDBACK), 4);
    for (size_t k = 0; k < 3; k++)
        ck_assert_uint_eq(s->t[CX_TABLE_CUSTOMERS].cols[cu_coded_cols[k]].elem, 1);
    results_of(s, "1");
    static const size_t widths[] = {2, 4};
    for (size_t w = 0; w < 2; w++) {
        cx_store *c;
        OK(cx_store_clone(&c, s));
        widen_all(c, widths[w]);
        char tag[4];
        snprintf(tag, sizeof tag, "%zu", widths[w]);
        results_of(c, tag);
        for (int d = 0; d < 7; d++) {
            char a[32], b[32];
            snprintf(a, sizeof a, "q%d-1.csv", d);
            snprintf(b, sizeof b, "q%d-%s.csv", d, tag);
            char pa[4096];
            snprintf(pa, sizeof pa, "%s", P(a));
            assert_files_same(pa, P(b));
        }
        static const char *const js[] = {"jl", "jp", "sv"};
        for (int i = 0; i < 3; i++) {
            char a[32], b[32], pa[4096];
            snprintf(a, sizeof a, "%s-1.csv", js[i]);
            snprintf(b, sizeof b, "%s-%s.csv", js[i], tag);
            snprintf(pa, sizeof pa, "%s", P(a));
            assert_files_same(pa, P(b));
        }
        cx_store_free(c);
    }
    cx_store_free(s);
}
END_TEST

START_TEST(export_writes_every_id)
{
    cx_store *s = mixed_store();
    OK(cx_export_csv(s, CX_TABLE_TRANSACTIONS, P("x.csv"), 0));
    cx_store *b = base_store();
    cx_import_report *rep = NULL;
    OK(cx_import_csv(&rep, b, CX_TABLE_TRANSACTIONS, P("x.csv"), NULL));
    ck_assert_uint_eq(cx_import_report_rejected(rep), 0);
    cx_import_report_free(rep);
    const char *ids[NSHAPES];
    collect(s, CX_TABLE_TRANSACTIONS, ids, NSHAPES);
    assert_ids(b, CX_TABLE_TRANSACTIONS, ids, NSHAPES);
    cx_store_free(b);
    cx_store_free(s);
}
END_TEST


/* ---- implicit id columns ---------------------------------------------------- */

/* The id column of an event table is left out while every row r holds key
 * id r (cxi_row_eid): adds with ids in row order and updates keep it so; the
 * first row without an id makes it, with the same ids read back. */
START_TEST(implicit_ids_boundary)
{
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k];
        cx_store *s = base_store();
        const char *ids[12];
        char buf[12][16];
        for (size_t i = 0; i < 10; i++) {
            snprintf(buf[i], sizeof buf[i], "E-%03zu", i);
            ids[i] = buf[i];
            add_event(s, t, ids[i], i);
        }
        if (t == CX_TABLE_TRANSACTIONS) { /* an update keeps it */
            int ch;
            OK(cx_transaction_put(&ch, NULL, s, "E-004", "C-1", T("2024-01-02T00:00:00Z"), 99.0));
            ck_assert_int_eq(ch, CX_UPDATED);
        }
        ck_assert(cxi_eid_implicit(s, t));
        ck_assert_ptr_null(s->t[t].cols[cxi_id_col(t)].data);
        for (size_t r = 0; r < 10; r++)
            ck_assert_uint_eq(cxi_row_eid(s, t, r), r);
        size_t m0, m1;
        OK(cx_store_memory(&m0, s));
        ids[10] = NULL; /* the row that breaks it */
        add_event(s, t, NULL, 10);
        ck_assert(!cxi_eid_implicit(s, t));
        OK(cx_store_memory(&m1, s));
        ck_assert_uint_ge(m1, m0 + 11 * sizeof(uint32_t));
        ck_assert_uint_eq(cxi_row_eid(s, t, 10), CXI_NONE);
        ids[11] = "E-011";
        add_event(s, t, ids[11], 11);
        ck_assert_uint_eq(cxi_row_eid(s, t, 11), 10); /* key 10 at row 11 */
        assert_ids(s, t, ids, 12);
        cx_store_free(s);
    }
}
END_TEST

/* A failed import that made the id column (a row without id) gives it back:
 * the store is implicit again, its ids and memory as before. */
START_TEST(implicit_ids_rollback_across_boundary)
{
    cx_store *s = base_store();
    const char *before[] = {"I-000001", "I-000002", "I-000003"};
    for (size_t i = 0; i < 3; i++)
        add_event(s, CX_TABLE_INTERACTIONS, before[i], i);
    ck_assert(cxi_eid_implicit(s, CX_TABLE_INTERACTIONS));
    size_t m0, m1;
    OK(cx_store_memory(&m0, s));
    const char *csv = "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                      "I-000004,C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n"
                      ",C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n" /* breaks it */
                      "I-000006,C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n"
                      "I-000007,C-1,web,not a time,,inbound,,,1,handled,0\n";
    const char *path = write_file("b.csv", csv);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *rep = NULL;
    FAILS(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, path, o), CX_EPARSE, "cx_import_csv");
    cx_import_report_free(rep);
    ck_assert(cxi_eid_implicit(s, CX_TABLE_INTERACTIONS));
    ck_assert_ptr_null(s->t[CX_TABLE_INTERACTIONS].cols[IN_ID].data);
    assert_ids(s, CX_TABLE_INTERACTIONS, before, 3);
    ck_assert_uint_eq(s->keys[CX_TABLE_INTERACTIONS].count, 3);
    OK(cx_store_memory(&m1, s));
    ck_assert_uint_le(m1, m0 + (size_t)(1 << 17)); /* the rows' room and pool blocks may stay */
    /* lenient: the row without id goes in and makes the column */
    import_lenient(s, path, o);
    ck_assert(!cxi_eid_implicit(s, CX_TABLE_INTERACTIONS));
    const char *after[] = {"I-000001", "I-000002", "I-000003", "I-000004", NULL, "I-000006"};
    assert_ids(s, CX_TABLE_INTERACTIONS, after, 6);
    cx_store_free(s);
}
END_TEST

/* Every id of a table as read back, for comparisons. */
static void collect_n(const cx_store *s, int table, const char **out, size_t n)
{
    int c = id_column(table);
    for (size_t r = 0; r < n; r++)
        out[r] = store_str(s, table, c, r);
}

/* Clone, save and load, forget and export of stores whose id columns are
 * implicit (every row with an id) and real (a row without), with feedback
 * linked to interactions. */
START_TEST(implicit_ids_clone_save_forget_export)
{
    for (int broken = 0; broken < 2; broken++) {
        cx_store *s = base_store();
        for (size_t k = 0; k < 3; k++)
            for (size_t i = 0; i < 9; i++) {
                char id[16];
                snprintf(id, sizeof id, "%c-%zu", "IFX"[k], i);
                add_event(s, event_tables[k], broken && i == 7 ? NULL : id, i);
            }
        OK(cx_feedback_add(NULL, s, "F-link", "C-1", "nps", 9, T("2024-02-01T00:00:00Z"), NULL, "I-4", NULL, NULL));
        for (size_t k = 0; k < 3; k++)
            ck_assert(cxi_eid_implicit(s, event_tables[k]) == !broken);
        const char *ids[3][10], *got[10];
        static char copies[3][10][16]; /* forget frees the strings read */
        size_t n[3];
        for (size_t k = 0; k < 3; k++) {
            n[k] = store_rows(s, event_tables[k]);
            collect_n(s, event_tables[k], got, n[k]);
            for (size_t r = 0; r < n[k]; r++)
                ids[k][r] = got[r] ? strcpy(copies[k][r], got[r]) : NULL;
        }
        int fi;
        OK(cx_column_find(&fi, CX_TABLE_FEEDBACK, "interaction"));
        ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, fi, 9), "I-4");
        cx_store *c, *l;
        OK(cx_store_clone(&c, s));
        const char *db = P(broken ? "i1.db" : "i0.db");
        OK(cx_db_save(s, db));
        OK(cx_db_load(&l, db));
        for (size_t k = 0; k < 3; k++) {
            int t = event_tables[k];
            ck_assert(cxi_eid_implicit(c, t) == cxi_eid_implicit(s, t));
            assert_ids(c, t, ids[k], n[k]);
            assert_ids(l, t, ids[k], n[k]);
        }
        ck_assert_str_eq(store_str(l, CX_TABLE_FEEDBACK, fi, 9), "I-4");
        ck_assert_str_eq(store_str(c, CX_TABLE_FEEDBACK, fi, 9), "I-4");
        /* the clone takes a row without id and the original stays as it was */
        add_event(c, CX_TABLE_TRANSACTIONS, NULL, 20);
        ck_assert(!cxi_eid_implicit(c, CX_TABLE_TRANSACTIONS));
        ck_assert(cxi_eid_implicit(s, CX_TABLE_TRANSACTIONS) == !broken);
        /* export and import again */
        for (size_t k = 0; k < 3; k++) {
            int t = event_tables[k];
            OK(cx_export_csv(s, t, P("e.csv"), 0));
            cx_store *b = base_store();
            cx_import_report *rep = NULL;
            if (t == CX_TABLE_FEEDBACK) { /* its links need the interactions */
                OK(cx_export_csv(s, CX_TABLE_INTERACTIONS, P("ei.csv"), 0));
                OK(cx_import_csv(&rep, b, CX_TABLE_INTERACTIONS, P("ei.csv"), NULL));
                cx_import_report_free(rep);
            }
            OK(cx_import_csv(&rep, b, t, P("e.csv"), NULL));
            ck_assert_uint_eq(cx_import_report_rejected(rep), 0);
            cx_import_report_free(rep);
            assert_ids(b, t, ids[k], n[k]);
            cx_store_free(b);
        }
        /* forget C-2 (events 0, 3, 6): the others keep their ids, in order */
        const char *gone = "C-2";
        size_t rows;
        OK(cx_customer_forget(&rows, s, 1, &gone));
        for (size_t k = 0; k < 3; k++) {
            int t = event_tables[k];
            const char *kept[10];
            size_t m = 0;
            for (size_t i = 0; i < 9; i++)
                if (i % 3)
                    kept[m++] = ids[k][i];
            if (t == CX_TABLE_FEEDBACK)
                kept[m++] = ids[k][9];
            ck_assert(cxi_eid_implicit(s, t) == !broken);
            assert_ids(s, t, kept, m);
        }
        ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, fi, 6), "I-4");
        cx_store_free(l);
        cx_store_free(c);
        cx_store_free(s);
    }
}
END_TEST


/* Out of memory making the id column: the add fails and changes nothing. */
START_TEST(implicit_ids_out_of_memory)
{
    for (size_t k = 0; k < 3; k++) {
        int t = event_tables[k];
        cxt_alloc a = {0};
        cx_store *s = alloc_store(&a);
        add_event(s, t, "E-0", 0);
        add_event(s, t, "E-1", 1);
        size_t live = a.live;
        cxt_alloc_fail_nth(&a, 1, false);
        int rc = t == CX_TABLE_INTERACTIONS
                     ? cx_interaction_add(NULL, s, NULL, "C-1", "web", 5000, NULL, CX_INBOUND, NULL, NULL, 1, CX_HANDLED, 0)
                 : t == CX_TABLE_FEEDBACK ? cx_feedback_add(NULL, s, NULL, "C-1", "nps", 5, 5000, NULL, NULL, NULL, NULL)
                                          : cx_transaction_add(NULL, s, NULL, "C-1", 5000, 1.0);
        ck_assert_int_eq(rc, CX_ENOMEM);
        ck_assert_ptr_nonnull(strstr(cx_last_error(), "out of memory for the ids of")); /* the column's */
        cxt_alloc_allow(&a, -1);
        ck_assert_uint_eq(a.live, live);
        ck_assert(cxi_eid_implicit(s, t));
        const char *ids[] = {"E-0", "E-1", NULL};
        assert_ids(s, t, ids, 2);
        add_event(s, t, NULL, 2);
        ck_assert(!cxi_eid_implicit(s, t));
        assert_ids(s, t, ids, 3);
        cx_store_free(s);
        cxt_alloc_done(&a);
    }
}
END_TEST

/* ---- the pool itself ------------------------------------------------------ */

START_TEST(pool_lengths_and_blocks)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    /* lengths 0 to 600 (1- and 5-byte length prefixes), 254 / 255 / 256 at the edge */
    static char buf[700];
    for (size_t len = 0; len <= 600; len++) {
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)('A' + (len + i) % 50);
        uint32_t id;
        OK(cxi_pool_intern(&m, &p, buf, len, &id));
        ck_assert_uint_eq(id, len);
    }
    for (size_t len = 0; len <= 600; len++) {
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)('A' + (len + i) % 50);
        ck_assert_uint_eq(cxi_pool_len(&p, (uint32_t)len), len);
        EXPECT(memcmp(cxi_pool_str(&p, (uint32_t)len), buf, len) == 0 && cxi_pool_str(&p, (uint32_t)len)[len] == 0,
               "string %zu", len);
        ck_assert_uint_eq(cxi_pool_find(&p, buf, len), len);
    }
    /* dropping the last strings gives their bytes back, long ones too */
    size_t used = p.block_used;
    uint32_t id;
    OK(cxi_pool_intern(&m, &p, long_digits, strlen(long_digits), &id));
    cxi_pool_drop_last(&p);
    ck_assert_uint_eq(p.block_used, used);
    ck_assert_uint_eq(cxi_pool_find(&p, long_digits, strlen(long_digits)), CXI_NONE);
    for (uint32_t n = 601; n-- > 590;) {
        cxi_pool_drop_last(&p);
        ck_assert_uint_eq(p.count, n);
    }
    for (size_t len = 0; len <= 600; len++) {
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)('A' + (len + i) % 50);
        ck_assert_uint_eq(cxi_pool_find(&p, buf, len), len < 590 ? len : CXI_NONE);
    }
    /* a truncation, then a large string in its own block */
    cxi_pool_truncate(&m, &p, 100);
    OK(cxi_pool_intern(&m, &p, huge_id, strlen(huge_id), &id));
    ck_assert_uint_eq(id, 100);
    OK(cxi_pool_intern(&m, &p, "after", 5, &id));
    ck_assert_uint_eq(id, 101);
    ck_assert_uint_eq(cxi_pool_find(&p, huge_id, strlen(huge_id)), 100);
    ck_assert_uint_eq(cxi_pool_len(&p, 100), strlen(huge_id));
    EXPECT(strcmp(cxi_pool_str(&p, 100), huge_id) == 0, "the large string");
    EXPECT(strcmp(cxi_pool_str(&p, 101), "after") == 0, "the string after it");
    cxi_pool_truncate(&m, &p, 0);
    ck_assert_uint_eq(p.nblocks, 0);
    OK(cxi_pool_intern(&m, &p, "x", 1, &id));
    ck_assert_uint_eq(id, 0);
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* Many strings with the same first and last bytes, through several growths
 * of the slots (the tags change with the slot count). */
START_TEST(pool_many_strings)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    char buf[32];
    const uint32_t n = 200000;
    for (uint32_t i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof buf, "I-%07u", i);
        uint32_t id;
        OK(cxi_pool_intern(&m, &p, buf, (size_t)len, &id));
        ck_assert_uint_eq(id, i);
    }
    EXPECT(p.nslots >= 2 * n, "load at most 1/2");
    for (uint32_t i = 0; i < n + 1000; i++) {
        int len = snprintf(buf, sizeof buf, "I-%07u", i);
        ck_assert_uint_eq(cxi_pool_find(&p, buf, (size_t)len), i < n ? i : CXI_NONE);
        len = snprintf(buf, sizeof buf, "I-%06u", i); /* one digit short */
        uint32_t f = cxi_pool_find(&p, buf, (size_t)len);
        EXPECT(f == CXI_NONE, "'%s' found as %u", buf, f);
    }
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* Uniform mode: strings of one length keep no references, in runs of one
 * length each; truncations and drops move the place of the next string
 * back; a short run or a long string writes the references. */
static void uname(char *buf, size_t cap, uint32_t i)
{
    /* 6 digits up to 19999, then 7 up to 20999, then 8 */
    if (i < 20000)
        snprintf(buf, cap, "I-%06u", i);
    else if (i < 21000)
        snprintf(buf, cap, "I-%07u", i);
    else
        snprintf(buf, cap, "I-%08u", i);
}

static void assert_unames(const cxi_pool *p, uint32_t n)
{
    char buf[32];
    ck_assert_uint_ge(p->count, n);
    for (uint32_t i = 0; i < n; i++) {
        uname(buf, sizeof buf, i);
        EXPECT(strcmp(cxi_pool_str(p, i), buf) == 0, "string %u: '%s', expected '%s'", i, cxi_pool_str(p, i), buf);
        ck_assert_uint_eq(cxi_pool_len(p, i), strlen(buf));
        ck_assert_uint_eq(cxi_pool_find(p, buf, strlen(buf)), i);
    }
    uname(buf, sizeof buf, n);
    if (p->count == n)
        ck_assert_uint_eq(cxi_pool_find(p, buf, strlen(buf)), CXI_NONE);
}

static void add_unames(cxi_mem *m, cxi_pool *p, uint32_t from, uint32_t to)
{
    char buf[32];
    for (uint32_t i = from; i < to; i++) {
        uname(buf, sizeof buf, i);
        uint32_t id;
        OK(cxi_pool_intern(m, p, buf, strlen(buf), &id));
        ck_assert_uint_eq(id, i);
    }
}

START_TEST(pool_uniform_runs)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    p.exact = true;
    add_unames(&m, &p, 0, 21300);
    ck_assert_uint_eq(p.nruns, 3);
    ck_assert_ptr_null(p.strs.data);
    assert_unames(&p, 21300);
    /* back into the second run, then the first, dropping runs */
    for (uint32_t n = 21300; n > 20990; n--)
        cxi_pool_drop_last(&p);
    ck_assert_uint_eq(p.nruns, 2);
    assert_unames(&p, 20990);
    cxi_pool_truncate(&m, &p, 20000);
    ck_assert_uint_eq(p.nruns, 1);
    assert_unames(&p, 20000);
    cxi_pool_truncate(&m, &p, 6000); /* inside the growing blocks */
    assert_unames(&p, 6000);
    add_unames(&m, &p, 6000, 21300); /* the same runs again, in the blocks kept */
    ck_assert_uint_eq(p.nruns, 3);
    ck_assert_ptr_null(p.strs.data);
    assert_unames(&p, 21300);
    /* a string of a length too long for the mode: an outlier, out of line
     * (the runs and the mode stay; tests/test_pool.c has the rest) */
    uint32_t id, outs = p.nouts; /* (the first strings of each new length were outliers) */
    OK(cxi_pool_intern(&m, &p, long_digits, strlen(long_digits), &id));
    ck_assert_uint_eq(p.nruns, 3);
    ck_assert_uint_eq(p.nouts, outs + 1);
    ck_assert_ptr_null(p.strs.data);
    ck_assert_uint_eq(id, 21300);
    EXPECT(strcmp(cxi_pool_str(&p, id), long_digits) == 0, "the long string");
    assert_unames(&p, 21300);
    /* emptied, the pool takes the mode again */
    cxi_pool_truncate(&m, &p, 0);
    add_unames(&m, &p, 0, 100);
    ck_assert_uint_eq(p.nruns, 1);
    /* a string of another length, too few for a new run: an outlier */
    OK(cxi_pool_intern(&m, &p, "I-0020000", 9, &id));
    ck_assert_uint_eq(id, 100);
    ck_assert_uint_eq(p.nruns, 1);
    ck_assert_uint_eq(p.nouts, 1);
    assert_unames(&p, 100);
    ck_assert_uint_eq(cxi_pool_find(&p, "I-0020000", 9), 100);
    cxi_pool_free(&m, &p);
    ck_assert(p.exact);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("memory");
    TCase *tc = tcase_create("ids");
    tcase_add_checked_fixture(tc, ids_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ids_of_every_shape);
    tcase_add_test(tc, rows_without_ids);
    tcase_add_test(tc, failed_import_rolls_back_ids);
    tcase_add_test(tc, save_load_clone_round_trip);
    tcase_add_test(tc, forget_keeps_other_ids);
    tcase_add_test(tc, export_writes_every_id);
    tcase_add_test(tc, implicit_ids_boundary);
    tcase_add_test(tc, implicit_ids_rollback_across_boundary);
    tcase_add_test(tc, implicit_ids_clone_save_forget_export);
    tcase_add_test(tc, implicit_ids_out_of_memory);
    suite_add_tcase(su, tc);
    TCase *hist = tcase_create("history index");
    tcase_add_checked_fixture(hist, ids_setup, tmpdir_teardown);
    tcase_set_timeout(hist, 120);
    tcase_add_test(hist, history_index_follows_changes);
    tcase_add_test(hist, history_index_rollback_forget_clone_load);
    tcase_add_test(hist, history_index_concurrent_readers);
    suite_add_tcase(su, hist);
    TCase *dur = tcase_create("narrow durations");
    tcase_add_checked_fixture(dur, ids_setup, tmpdir_teardown);
    tcase_set_timeout(dur, 120);
    tcase_add_test(dur, duration_widens_at_the_boundary);
    tcase_add_test(dur, duration_rollback_across_widening);
    tcase_add_test(dur, duration_widening_out_of_memory);
    tcase_add_test(dur, times_narrow_then_wide);
    tcase_add_test(dur, times_widening_out_of_memory);
    tcase_add_test(dur, times_rollback_across_widening);
    tcase_add_test(dur, value_narrow_in_cents);
    tcase_add_test(dur, value_widens_for_other_amounts);
    tcase_add_test(dur, value_widening_out_of_memory);
    tcase_add_test(dur, value_rollback_across_widening);
    tcase_add_test(dur, amount_narrow_then_wide);
    tcase_add_test(dur, amount_widening_out_of_memory);
    tcase_add_test(dur, amount_rollback_across_widening);
    tcase_add_test(dur, score_narrow_then_wide);
    tcase_add_test(dur, score_widening_out_of_memory);
    tcase_add_test(dur, score_rollback_across_widening);
    suite_add_tcase(su, dur);
    TCase *codes = tcase_create("small codes");
    tcase_add_checked_fixture(codes, ids_setup, tmpdir_teardown);
    tcase_set_timeout(codes, 300);
    tcase_add_test(codes, codes_widen_at_255);
    tcase_add_test(codes, codes_widen_at_65535);
    tcase_add_test(codes, codes_widening_out_of_memory);
    tcase_add_test(codes, codes_rollback_across_widening);
    tcase_add_test(codes, codes_forget_widens);
    tcase_add_test(codes, codes_same_results_at_every_width);
    tcase_add_test(codes, case_codes_widen_at_255);
    tcase_add_test(codes, case_codes_rollback_across_widening);
    tcase_add_test(codes, customer_codes_widen_at_255);
    tcase_add_test(codes, customer_codes_rollback_across_widening);
    tcase_add_test(codes, fb_codes_widen_at_255);
    tcase_add_test(codes, fb_codes_widening_out_of_memory);
    tcase_add_test(codes, fb_codes_rollback_across_widening);
    suite_add_tcase(su, codes);
    TCase *pool = tcase_create("pool");
    tcase_add_checked_fixture(pool, ids_setup, tmpdir_teardown);
    tcase_set_timeout(pool, 120);
    tcase_add_test(pool, pool_lengths_and_blocks);
    tcase_add_test(pool, pool_many_strings);
    tcase_add_test(pool, pool_uniform_runs);
    suite_add_tcase(su, pool);
    return run_suite(su);
}
