/* Tests of SQLite persistence (cx_db_*): identity of save and load,
 * incremental appends that leave saved rows alone, rows changed by updates
 * rewritten, refusal of another store's file and of newer schemas, files of
 * schema version 1 upgraded, customers erased from a file without a trace,
 * streaming imports (in chunks, synchronising by id) and a save killed
 * halfway. */
#include "cx_test.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

/* Each test's SQLite file, in its temporary directory. */
static char dbpath[600];

static void setup(void)
{
    tmpdir_setup();
    snprintf(dbpath, sizeof dbpath, "%s", P("store.db"));
}

/* Every table of both stores exported to CSV gives the same bytes. */
static void assert_same_exports(const cx_store *a, const cx_store *b)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        char pa[300], pb[300];
        snprintf(pa, sizeof pa, "%s/a%d.csv", tmp_dir(), t);
        snprintf(pb, sizeof pb, "%s/b%d.csv", tmp_dir(), t);
        OK(cx_export_csv(a, t, pa, 0));
        OK(cx_export_csv(b, t, pb, 0));
        assert_files_same(pa, pb);
    }
}

/* The same exports, and the same names under the same codes. */
static void assert_same(const cx_store *a, const cx_store *b)
{
    assert_same_exports(a, b);
    for (int set = 0; set < CX_VOCAB_COUNT; set++) {
        size_t na, nb;
        OK(cx_vocab_count(&na, a, set));
        OK(cx_vocab_count(&nb, b, set));
        ck_assert_uint_eq(na, nb);
        for (size_t i = 0; i < na; i++) {
            const char *x, *y;
            OK(cx_vocab_name(&x, a, set, i));
            OK(cx_vocab_name(&y, b, set, i));
            ck_assert_str_eq(x, y);
        }
    }
}

static void sql(const char *stmt)
{
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(dbpath, &h), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(h, stmt, NULL, NULL, &err);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", stmt, err ? err : "");
    sqlite3_close(h);
}

/* The integer the query gives. */
static int64_t sql_int(const char *query)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open(dbpath, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(h, query, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

START_TEST(save_load_identity)
{
    cx_store *s = sample_store(), *l;
    OK(cx_db_save(s, dbpath));
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    const char *v;
    OK(cx_customer_get_attribute(&v, l, "C-1", "name"));
    ck_assert_str_eq(v, "سارة، العتيبي \"س\"");
    int version;
    OK(cx_db_schema_version(&version, dbpath));
    ck_assert_int_eq(version, CX_DB_SCHEMA_VERSION);
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

START_TEST(save_twice_is_idempotent)
{
    cx_store *s = sample_store(), *l;
    OK(cx_db_save(s, dbpath));
    OK(cx_db_save(s, dbpath));
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

START_TEST(append_leaves_saved_rows_alone)
{
    cx_store *s = sample_store(), *l;
    OK(cx_db_save(s, dbpath));
    /* Mark a saved row in the file behind the library's back: if the next
     * save rewrote saved rows, the mark would be gone. */
    sql("UPDATE customers SET plan='marked-in-file' WHERE row=0");
    OK(cx_customer_add(s, "C-3", "vip", NULL, NULL, CX_TIME_NONE));
    OK(cx_interaction_add(NULL, s, NULL, "C-3", "web", T("2024-03-01T00:00:00Z"), "visit", CX_INBOUND, NULL, NULL, 0,
                          CX_HANDLED, 0));
    OK(cx_transaction_add(NULL, s, NULL, "C-3", T("2024-03-02T00:00:00Z"), 12.5));
    OK(cx_db_save(s, dbpath));
    OK(cx_db_load(&l, dbpath));
    const char *plan;
    OK(cx_store_get_string(&plan, l, CX_TABLE_CUSTOMERS, CX_CUSTOMER_PLAN, 0));
    ck_assert_str_eq(plan, "marked-in-file");
    size_t n;
    OK(cx_store_rows(&n, l, CX_TABLE_CUSTOMERS));
    ck_assert_uint_eq(n, 3);
    OK(cx_store_rows(&n, l, CX_TABLE_INTERACTIONS));
    ck_assert_uint_eq(n, 3);
    OK(cx_store_rows(&n, l, CX_TABLE_TRANSACTIONS));
    ck_assert_uint_eq(n, 3);
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

START_TEST(case_updates_and_attributes_are_saved)
{
    cx_store *s = sample_store(), *l;
    OK(cx_db_save(s, dbpath));
    OK(cx_case_update(s, "T-1", T("2024-02-01T10:30:00Z"), T("2024-02-03T12:00:00Z"), 1, 3));
    OK(cx_customer_set_attribute(s, "C-1", "name", "سارة"));
    OK(cx_db_save(s, dbpath));
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    int64_t v;
    OK(cx_store_get_int(&v, l, CX_TABLE_CASES, CX_CASE_CONTACTS, 0));
    ck_assert_int_eq(v, 3);
    OK(cx_store_get_int(&v, l, CX_TABLE_CASES, CX_CASE_RESOLVED, 0));
    ck_assert_int_eq(v, T("2024-02-03T12:00:00Z"));
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

START_TEST(another_store_is_refused)
{
    cx_store *s = sample_store(), *o, *l;
    OK(cx_db_save(s, dbpath));
    OK(cx_store_new(&o));
    OK(cx_customer_add(o, "X", NULL, NULL, NULL, CX_TIME_NONE));
    ck_assert_int_eq(cx_db_save(o, dbpath), CX_EINVAL);
    MSG_HAS("another store");
    /* a store with more customers but a different last saved one */
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "Y%d", i);
        OK(cx_customer_add(o, id, NULL, NULL, NULL, CX_TIME_NONE));
    }
    ck_assert_int_ne(cx_db_save(o, dbpath), CX_OK);
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    cx_store_free(s);
    cx_store_free(o);
    cx_store_free(l);
}
END_TEST

START_TEST(newer_schema_is_refused)
{
    cx_store *s = sample_store(), *l = NULL;
    OK(cx_db_save(s, dbpath));
    sql("UPDATE cx_schema SET version=99");
    ck_assert_int_eq(cx_db_save(s, dbpath), CX_EVERSION);
    MSG_HAS("99");
    ck_assert_int_eq(cx_db_load(&l, dbpath), CX_EVERSION);
    ck_assert_ptr_null(l);
    int version;
    OK(cx_db_schema_version(&version, dbpath));
    ck_assert_int_eq(version, 99);
    cx_store_free(s);
}
END_TEST

START_TEST(foreign_file_is_upgraded_or_refused)
{
    /* a SQLite file of someone else's: loading it is refused, saving into it
     * adds the CXKit tables beside the existing one (migration from 0) */
    sql("CREATE TABLE crm_notes(x TEXT); INSERT INTO crm_notes VALUES('keep me');");
    cx_store *l = NULL, *s = sample_store();
    ck_assert_int_eq(cx_db_load(&l, dbpath), CX_EINVAL);
    int version;
    OK(cx_db_schema_version(&version, dbpath));
    ck_assert_int_eq(version, 0);
    OK(cx_db_save(s, dbpath));
    OK(cx_db_schema_version(&version, dbpath));
    ck_assert_int_eq(version, CX_DB_SCHEMA_VERSION);
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

START_TEST(bad_rows_in_file_are_reported)
{
    cx_store *s = sample_store(), *l = NULL;
    OK(cx_db_save(s, dbpath));
    sql("UPDATE feedback SET score=99 WHERE row=1");
    ck_assert_int_eq(cx_db_load(&l, dbpath), CX_EPARSE);
    ck_assert_ptr_null(l);
    MSG_HAS("feedback row 1");
    MSG_HAS("score");
    cx_store_free(s);
}
END_TEST

START_TEST(bad_arguments)
{
    cx_store *s = sample_store(), *l = NULL;
    ck_assert_int_eq(cx_db_save(NULL, dbpath), CX_EINVAL);
    ck_assert_int_eq(cx_db_save(s, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_db_load(NULL, dbpath), CX_EINVAL);
    ck_assert_int_eq(cx_db_load(&l, NULL), CX_EINVAL);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing.db", tmp_dir());
    ck_assert_int_eq(cx_db_load(&l, missing), CX_EIO);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(access(missing, F_OK), -1); /* loading never creates a file */
    snprintf(missing, sizeof missing, "%s/no/such/dir.db", tmp_dir());
    ck_assert_int_eq(cx_db_save(s, missing), CX_EIO);
    int v;
    ck_assert_int_eq(cx_db_schema_version(NULL, dbpath), CX_EINVAL);
    ck_assert_int_eq(cx_db_schema_version(&v, NULL), CX_EINVAL);
    cx_store_free(s);
}
END_TEST

START_TEST(custom_allocator_load)
{
    cx_store *s = sample_store(), *l;
    OK(cx_db_save(s, dbpath));
    OK(cx_db_load_with_allocator(&l, dbpath, NULL, NULL));
    assert_same(s, l);
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

/* A load whose allocator refuses the k-th allocation, for k = 1, 2, ...:
 * each attempt fails with CX_ENOMEM, gives no store and keeps no memory,
 * until one succeeds with the store saved. */
START_TEST(load_out_of_memory)
{
    cx_store *s = sample_store();
    OK(cx_db_save(s, dbpath));
    cxt_alloc b = {0};
    int failures = 0;
    for (long k = 0;; k++) {
        cx_store *l = (cx_store *)&l;
        cxt_alloc_allow(&b, k);
        int rc = cx_db_load_with_allocator(&l, dbpath, cxt_alloc_fn, &b);
        cxt_alloc_allow(&b, -1);
        if (rc == CX_OK) {
            assert_same(s, l);
            cx_store_free(l);
            ck_assert_uint_eq(b.live, 0);
            break;
        }
        ck_assert_msg(rc == CX_ENOMEM, "budget %ld: %d %s", k, rc, cx_last_error());
        ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
        ck_assert_ptr_null(l);
        ck_assert_uint_eq(b.live, 0);
        failures++;
        ck_assert_int_lt(k, 100000);
    }
    ck_assert_int_gt(failures, 10);
    cxt_alloc_done(&b);
    cx_store_free(s);
}
END_TEST

/* A save allocates nothing from the store's allocator (SQLite uses its
 * own): it succeeds with every allocation refused, first and appending. */
START_TEST(save_takes_no_store_memory)
{
    cxt_alloc b = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &b));
    OK(cx_customer_add(s, "C-1", "consumer", "الرياض", NULL, CX_TIME_NONE));
    OK(cx_customer_set_attribute(s, "C-1", "name", "سارة"));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    size_t live = b.live;
    cxt_alloc_allow(&b, 0);
    OK(cx_db_save(s, dbpath));
    cxt_alloc_allow(&b, -1);
    ck_assert_uint_eq(b.live, live);
    OK(cx_interaction_add(NULL, s, NULL, "C-1", "web", 1000, "visit", CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 0));
    live = b.live;
    cxt_alloc_allow(&b, 0);
    OK(cx_db_save(s, dbpath));
    cxt_alloc_allow(&b, -1);
    ck_assert_uint_eq(b.live, live);
    cx_store *l;
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    cx_store_free(l);
    cx_store_free(s);
    cxt_alloc_done(&b);
}
END_TEST

/* ---- a store of ids, with one customer to forget ----------------------- */

/* The customer to forget, and values only that customer's records hold. */
static const char SECRET[] = "زبون-سري-٧";
static const char *const secret_values[] = {
    SECRET,     "فاطمة الزهراء السرية", "P-99887766", "تعليق سري جداً: رقم الهوية ١٢٣٤٥", "وكيل-سري",
    "استشارة-سرية", "vip-secret", "جدة", "IS-سري-1", "IS-سري-2", "FS-سري-1", "TS-سري-1", "CASE-سري", "passport",
};

/* Customers A-1 and B-2 with their records; with `secret`, the customer
 * SECRET between them and records of it between theirs. Events have ids;
 * the agent "خالد" is defined before any record uses it (a store that
 * forgets renumbers names by first use), "unused-agent" is never used. */
static void fill_store(cx_store *s, bool secret)
{
    OK(cx_vocab_define(NULL, s, CX_VOCAB_AGENT, "خالد"));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_AGENT, "unused-agent"));
    OK(cx_customer_add(s, "A-1", "retail", "الرياض", NULL, T("2024-01-01T00:00:00Z")));
    if (secret)
        OK(cx_customer_add(s, SECRET, "vip-secret", "جدة", "gold", T("2024-01-02T00:00:00Z")));
    OK(cx_customer_add(s, "B-2", "retail", NULL, "basic", CX_TIME_NONE));
    OK(cx_customer_set_attribute(s, "A-1", "name", "أحمد"));
    if (secret) {
        OK(cx_customer_set_attribute(s, SECRET, "name", secret_values[1]));
        OK(cx_customer_set_attribute(s, SECRET, "passport", secret_values[2]));
    }
    OK(cx_customer_set_attribute(s, "B-2", "name", "Bob"));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "phone", "phone", "service", "service", 1, 2));
    OK(cx_case_add(s, "CASE-A", "A-1", "phone", "high", "نورة", T("2024-02-01T10:00:00Z"), CX_TIME_NONE,
                   CX_TIME_NONE, 0, 1));
    if (secret)
        OK(cx_case_add(s, "CASE-سري", SECRET, "phone", NULL, secret_values[4], T("2024-02-02T10:00:00Z"),
                       T("2024-02-02T11:00:00Z"), CX_TIME_NONE, 0, 2));
    OK(cx_case_add(s, "CASE-B", "B-2", "web", NULL, NULL, T("2024-02-03T10:00:00Z"), CX_TIME_NONE,
                   T("2024-02-04T10:00:00Z"), 1, 1));
    OK(cx_interaction_add(NULL, s, "IA-1", "A-1", "phone", T("2024-02-01T10:00:00Z"), "contact", CX_INBOUND, "نورة",
                          "CASE-A", 60000, CX_HANDLED, 0));
    if (secret)
        OK(cx_interaction_add(NULL, s, "IS-سري-1", SECRET, "phone", T("2024-02-02T10:00:00Z"), secret_values[5],
                              CX_INBOUND, secret_values[4], "CASE-سري", 1000, CX_HANDLED, 5));
    OK(cx_interaction_add(NULL, s, "IB-1", "B-2", "web", T("2024-02-03T09:00:00Z"), "visit", CX_INBOUND, "خالد", NULL,
                          0, CX_HANDLED, 0));
    if (secret)
        OK(cx_interaction_add(NULL, s, "IS-سري-2", SECRET, "web", T("2024-02-05T09:00:00Z"), "purchase", CX_INBOUND,
                              NULL, NULL, 0, CX_HANDLED, 99));
    OK(cx_interaction_add(NULL, s, "IA-2", "A-1", "web", T("2024-02-06T09:00:00Z"), "visit", CX_OUTBOUND, NULL, NULL,
                          0, CX_MISSED, 0));
    OK(cx_question_add(s, "effort", CX_METRIC_CES, 1, 7, 1));
    OK(cx_feedback_add(NULL, s, "FA-1", "A-1", "csat", 4, T("2024-02-01T12:00:00Z"), "phone", "IA-1", "CASE-A",
                       "شكراً"));
    if (secret)
        OK(cx_feedback_add(NULL, s, "FS-سري-1", SECRET, "nps", 2, T("2024-02-02T12:00:00Z"), "phone", "IS-سري-1",
                           "CASE-سري", secret_values[3]));
    OK(cx_feedback_add(NULL, s, "FB-1", "B-2", "effort", 6, T("2024-02-03T12:00:00Z"), NULL, NULL, NULL, "ok"));
    OK(cx_transaction_add(NULL, s, "TA-1", "A-1", T("2024-02-07T09:00:00Z"), 10));
    if (secret)
        OK(cx_transaction_add(NULL, s, "TS-سري-1", SECRET, T("2024-02-07T10:00:00Z"), 1234.5));
    OK(cx_transaction_add(NULL, s, "TB-1", "B-2", T("2024-02-07T11:00:00Z"), 0.5));
}

static cx_store *filled_store(bool secret)
{
    cx_store *s;
    OK(cx_store_new(&s));
    fill_store(s, secret);
    return s;
}

/* Do the bytes of the database file, or of its write-ahead log or shared
 * memory file when they exist, hold the UTF-8 of `text`? */
static bool file_has(const char *path, const char *text)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    bool found = false;
    for (size_t i = 0; i < 4 && !found; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        if (access(p, F_OK) != 0)
            continue;
        size_t n;
        char *bytes = slurp(p, &n);
        found = mem_contains(bytes, n, text, strlen(text));
        free(bytes);
    }
    return found;
}

/* ---- rows changed by updates ---------------------------------------------- */

START_TEST(updated_rows_are_rewritten)
{
    cx_store *s = filled_store(true), *l;
    OK(cx_db_save(s, dbpath));
    int change;
    OK(cx_customer_put(&change, s, "A-1", "retail", "الرياض", "platinum", T("2024-01-01T00:00:00Z")));
    ck_assert_int_eq(change, CX_UPDATED);
    OK(cx_touchpoint_put(&change, s, "web", "web", "purchase", "sales", 1, 3));
    OK(cx_question_put(&change, s, "csat", CX_METRIC_CSAT, 1, 10, 1)); /* a built-in question */
    ck_assert_int_eq(change, CX_UPDATED);
    OK(cx_question_put(&change, s, "effort", CX_METRIC_CES, 1, 7, 0));
    OK(cx_case_put(&change, s, "CASE-A", "A-1", "phone", "urgent", "نورة", T("2024-02-01T10:00:00Z"),
                   T("2024-02-01T10:05:00Z"), T("2024-02-02T10:00:00Z"), 1, 4));
    OK(cx_interaction_put(&change, NULL, s, "IA-1", "A-1", "phone", T("2024-02-01T10:00:00Z"), "contact", CX_INBOUND,
                          "عامل-جديد", "CASE-A", 90000, CX_HANDLED, 7));
    /* the last row, with a new time: the next save must still know the file */
    OK(cx_interaction_put(&change, NULL, s, "IA-2", "B-2", "web", T("2024-03-06T09:00:00Z"), "view", CX_OUTBOUND, NULL,
                          NULL, 0, CX_MISSED, 0));
    OK(cx_feedback_put(&change, NULL, s, "FB-1", "B-2", "effort", 2, T("2024-02-03T12:00:00Z"), "web", "IA-2", NULL,
                       "تعليق \"جديد\",\nسطر"));
    OK(cx_transaction_put(&change, NULL, s, "TB-1", "B-2", T("2024-02-07T11:00:00Z"), 7.25));
    ck_assert_int_eq(change, CX_UPDATED);
    OK(cx_customer_set_attribute(s, "A-1", "name", "أحمد علي")); /* replaced */
    OK(cx_customer_set_attribute(s, "B-2", "name", NULL));       /* removed */
    OK(cx_customer_set_attribute(s, SECRET, "passport", NULL));  /* removed */
    OK(cx_customer_add(s, "C-3", NULL, NULL, NULL, CX_TIME_NONE)); /* and something new */
    OK(cx_transaction_add(NULL, s, "TC-1", "C-3", T("2024-03-01T00:00:00Z"), 1));
    OK(cx_db_save(s, dbpath));
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    const char *v;
    OK(cx_customer_get_attribute(&v, l, "B-2", "name"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, l, "A-1", "name"));
    ck_assert_str_eq(v, "أحمد علي");
    ck_assert_str_eq(store_str(l, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 4), "B-2");
    /* a loaded store has changed nothing: saving it rewrites no row (a mark
     * made in the file behind the library's back stays) */
    cx_store_free(l);
    OK(cx_db_load(&l, dbpath));
    sql("UPDATE customers SET plan='marked' WHERE row=0");
    OK(cx_db_save(l, dbpath));
    cx_store_free(l);
    OK(cx_db_load(&l, dbpath));
    ck_assert_str_eq(store_str(l, CX_TABLE_CUSTOMERS, CX_CUSTOMER_PLAN, 0), "marked");
    /* while the store that changed row 0 rewrites it again */
    OK(cx_db_save(s, dbpath));
    cx_store_free(l);
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

/* ---- files of schema version 1 ------------------------------------------ */

/* A file as cxkit 0.2 before ids (schema version 1) wrote it: the SQL of
 * `sqlite3 .dump` of the file its cx_db_save() made of a store like
 * sample_store() with two more interactions, feedback linked to interaction
 * rows 0 and 3 and one not linked. */
static const char *const v1_file[] = {
    "PRAGMA journal_mode=WAL",
    "CREATE TABLE cx_schema(version INTEGER NOT NULL);"
    "INSERT INTO cx_schema VALUES(1);"
    "CREATE TABLE cx_counts(tbl TEXT PRIMARY KEY, rows INTEGER NOT NULL);"
    "INSERT INTO cx_counts VALUES('customers',2);"
    "INSERT INTO cx_counts VALUES('touchpoints',2);"
    "INSERT INTO cx_counts VALUES('cases',1);"
    "INSERT INTO cx_counts VALUES('interactions',4);"
    "INSERT INTO cx_counts VALUES('questions',4);"
    "INSERT INTO cx_counts VALUES('feedback',3);"
    "INSERT INTO cx_counts VALUES('transactions',2);",
    "CREATE TABLE cx_sets(set_id INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY(set_id, idx));"
    "INSERT INTO cx_sets VALUES(0,0,'phone');INSERT INTO cx_sets VALUES(0,1,'email');"
    "INSERT INTO cx_sets VALUES(0,2,'chat');INSERT INTO cx_sets VALUES(0,3,'social');"
    "INSERT INTO cx_sets VALUES(0,4,'sms');INSERT INTO cx_sets VALUES(0,5,'whatsapp');"
    "INSERT INTO cx_sets VALUES(0,6,'self_service');INSERT INTO cx_sets VALUES(0,7,'chatbot');"
    "INSERT INTO cx_sets VALUES(0,8,'video');INSERT INTO cx_sets VALUES(0,9,'in_person');"
    "INSERT INTO cx_sets VALUES(0,10,'web');INSERT INTO cx_sets VALUES(0,11,'mobile_app');"
    "INSERT INTO cx_sets VALUES(0,12,'store');INSERT INTO cx_sets VALUES(0,13,'ads');"
    "INSERT INTO cx_sets VALUES(0,14,'delivery');INSERT INTO cx_sets VALUES(0,15,'packaging');"
    "INSERT INTO cx_sets VALUES(0,16,'fax');"
    "INSERT INTO cx_sets VALUES(1,0,'awareness');INSERT INTO cx_sets VALUES(1,1,'consideration');"
    "INSERT INTO cx_sets VALUES(1,2,'purchase');INSERT INTO cx_sets VALUES(1,3,'onboarding');"
    "INSERT INTO cx_sets VALUES(1,4,'retention');INSERT INTO cx_sets VALUES(1,5,'advocacy');"
    "INSERT INTO cx_sets VALUES(1,6,'service');"
    "INSERT INTO cx_sets VALUES(2,0,'service');INSERT INTO cx_sets VALUES(2,1,'marketing');"
    "INSERT INTO cx_sets VALUES(2,2,'sales');INSERT INTO cx_sets VALUES(2,3,'product');"
    "INSERT INTO cx_sets VALUES(2,4,'self_service');INSERT INTO cx_sets VALUES(2,5,'logistics');"
    "INSERT INTO cx_sets VALUES(3,0,'low');INSERT INTO cx_sets VALUES(3,1,'normal');"
    "INSERT INTO cx_sets VALUES(3,2,'high');INSERT INTO cx_sets VALUES(3,3,'urgent');"
    "INSERT INTO cx_sets VALUES(4,0,'visit');INSERT INTO cx_sets VALUES(4,1,'view');"
    "INSERT INTO cx_sets VALUES(4,2,'contact');INSERT INTO cx_sets VALUES(4,3,'purchase');"
    "INSERT INTO cx_sets VALUES(4,4,'delivery');INSERT INTO cx_sets VALUES(4,5,'survey');"
    "INSERT INTO cx_sets VALUES(5,0,'نورة');INSERT INTO cx_sets VALUES(5,1,'خالد');"
    "INSERT INTO cx_sets VALUES(6,0,'consumer');"
    "INSERT INTO cx_sets VALUES(7,0,'الرياض');"
    "INSERT INTO cx_sets VALUES(8,0,'premium');"
    "INSERT INTO cx_sets VALUES(9,0,'name');INSERT INTO cx_sets VALUES(9,1,'tier');",
    "CREATE TABLE customers(row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, segment TEXT, region TEXT, plan TEXT,"
    " acquired INTEGER);"
    "INSERT INTO customers VALUES(0,'C-1','consumer','الرياض','premium',1705294800000);"
    "INSERT INTO customers VALUES(1,'عميل-٢',NULL,NULL,NULL,NULL);"
    "CREATE TABLE customer_attributes(customer INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(customer, key));"
    "INSERT INTO customer_attributes VALUES(0,'name','سارة، العتيبي \"س\"');"
    "INSERT INTO customer_attributes VALUES(1,'tier','');"
    "CREATE TABLE touchpoints(row INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, channel TEXT, stage TEXT, kind TEXT,"
    " key INTEGER, weight REAL);"
    "INSERT INTO touchpoints VALUES(0,'web','web','consideration','sales',1,2.5);"
    "INSERT INTO touchpoints VALUES(1,'fax_in','fax','service',NULL,0,0.10000000000000000555);",
    "CREATE TABLE interactions(row INTEGER PRIMARY KEY, customer TEXT, touchpoint TEXT, time INTEGER, kind TEXT,"
    " direction TEXT, agent TEXT, \"case\" TEXT, duration_ms INTEGER, outcome TEXT, value REAL);"
    "INSERT INTO interactions VALUES(0,'C-1','fax_in',1706781600000,'contact','inbound','نورة','T-1',123456,"
    "'handled',0.0);"
    "INSERT INTO interactions VALUES(1,'عميل-٢','web',-14182939500,NULL,'outbound',NULL,NULL,0,'abandoned',"
    "99.989999999999994882);"
    "INSERT INTO interactions VALUES(2,'C-1','web',1707130800000,'visit','inbound',NULL,NULL,5000,'handled',0.0);"
    "INSERT INTO interactions VALUES(3,'عميل-٢','web',1707220800000,'purchase','inbound','خالد',NULL,0,'handled',"
    "42.5);"
    "CREATE TABLE cases(row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, channel TEXT, priority TEXT,"
    " agent TEXT, opened INTEGER, first_response INTEGER, resolved INTEGER, reopens INTEGER, contacts INTEGER);"
    "INSERT INTO cases VALUES(0,'T-1','C-1','fax','high','نورة',1706781600000,1706783400000,NULL,0,1);"
    "CREATE TABLE questions(row INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, metric TEXT, scale_min REAL,"
    " scale_max REAL, higher_is_better INTEGER);"
    "INSERT INTO questions VALUES(0,'nps','nps',0.0,10.0,1);"
    "INSERT INTO questions VALUES(1,'csat','csat',1.0,5.0,1);"
    "INSERT INTO questions VALUES(2,'ces','ces',1.0,7.0,1);"
    "INSERT INTO questions VALUES(3,'ces_low','ces',1.0,7.0,0);",
    "CREATE TABLE feedback(row INTEGER PRIMARY KEY, customer TEXT, question TEXT, score REAL, time INTEGER,"
    " touchpoint TEXT, interaction INTEGER, \"case\" TEXT, comment TEXT);"
    "INSERT INTO feedback VALUES(0,'C-1','ces_low',6.0,1706864400000,'fax_in',0,'T-1',"
    "'صعب جداً,' || char(10) || '\"مرهق\"' || char(13, 10, 9) || 'tab');"
    "INSERT INTO feedback VALUES(1,'عميل-٢','nps',10.0,1707296400000,'web',3,NULL,'');"
    "INSERT INTO feedback VALUES(2,'C-1','csat',4.0,1707382800000,NULL,NULL,NULL,NULL);"
    "CREATE TABLE transactions(row INTEGER PRIMARY KEY, customer TEXT, time INTEGER, amount REAL);"
    "INSERT INTO transactions VALUES(0,'C-1',1707037200000,0.10000000000000000555);"
    "INSERT INTO transactions VALUES(1,'عميل-٢',1707037200007,1234567.8899999998975);",
};

static void write_v1_file(const char *path)
{
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
    for (size_t i = 0; i < sizeof v1_file / sizeof v1_file[0]; i++) {
        char *err = NULL;
        int rc = sqlite3_exec(h, v1_file[i], NULL, NULL, &err);
        ck_assert_msg(rc == SQLITE_OK, "v1 file: %s", err ? err : "");
    }
    sqlite3_close(h);
}

/* The store the version 1 file holds, made with today's calls: the
 * interactions feedback rated have the ids 'row-N' of their rows. */
static cx_store *v1_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "fax"));
    OK(cx_customer_add(s, "C-1", "consumer", "الرياض", "premium", T("2024-01-15T08:00:00+03:00")));
    OK(cx_customer_add(s, "عميل-٢", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_set_attribute(s, "C-1", "name", "سارة، العتيبي \"س\""));
    OK(cx_customer_set_attribute(s, "عميل-٢", "tier", ""));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", "sales", 1, 2.5));
    OK(cx_touchpoint_add(s, "fax_in", "fax", "service", NULL, 0, 0.1));
    OK(cx_case_add(s, "T-1", "C-1", "fax", "high", "نورة", T("2024-02-01T10:00:00Z"), T("2024-02-01T10:30:00Z"),
                   CX_TIME_NONE, 0, 1));
    OK(cx_interaction_add(NULL, s, "row-0", "C-1", "fax_in", T("2024-02-01T10:00:00Z"), "contact", CX_INBOUND, "نورة",
                          "T-1", 123456, CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "عميل-٢", "web", T("1969-07-20T20:17:40.5Z"), NULL, CX_OUTBOUND, NULL, NULL, 0,
                          CX_ABANDONED, 99.99));
    OK(cx_interaction_add(NULL, s, NULL, "C-1", "web", T("2024-02-05T11:00:00Z"), "visit", CX_INBOUND, NULL, NULL, 5000,
                          CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, "row-3", "عميل-٢", "web", T("2024-02-06T12:00:00Z"), "purchase", CX_INBOUND, "خالد",
                          NULL, 0, CX_HANDLED, 42.5));
    OK(cx_question_add(s, "ces_low", CX_METRIC_CES, 1, 7, 0));
    OK(cx_feedback_add(NULL, s, NULL, "C-1", "ces_low", 6, T("2024-02-02T09:00:00Z"), "fax_in", "row-0", "T-1",
                       "صعب جداً,\n\"مرهق\"\r\n\ttab"));
    OK(cx_feedback_add(NULL, s, NULL, "عميل-٢", "nps", 10, T("2024-02-07T09:00:00Z"), "web", "row-3", NULL, ""));
    OK(cx_feedback_add(NULL, s, NULL, "C-1", "csat", 4, T("2024-02-08T09:00:00Z"), NULL, NULL, NULL, NULL));
    OK(cx_transaction_add(NULL, s, NULL, "C-1", T("2024-02-04T09:00:00Z"), 0.1));
    OK(cx_transaction_add(NULL, s, NULL, "عميل-٢", T("2024-02-04T09:00:00.007Z"), 1234567.89));
    return s;
}

START_TEST(v1_file_is_upgraded_on_load)
{
    write_v1_file(dbpath);
    int version;
    OK(cx_db_schema_version(&version, dbpath));
    ck_assert_int_eq(version, 1);
    cx_store *l = NULL, *want = v1_store();
    if (geteuid() != 0) { /* root writes read-only files: this part needs another user */
        ck_assert_int_eq(chmod(dbpath, 0444), 0);
        FAILS(cx_db_load(&l, dbpath), CX_EVERSION, "cx_db_load");
        MSG_HAS("write access");
        ck_assert_ptr_null(l);
        OK(cx_db_schema_version(&version, dbpath));
        ck_assert_int_eq(version, 1);
        ck_assert_int_eq(chmod(dbpath, 0644), 0);
    }
    OK(cx_db_load(&l, dbpath));
    OK(cx_db_schema_version(&version, dbpath));
    ck_assert_int_eq(version, CX_DB_SCHEMA_VERSION);
    assert_same(want, l);
    /* the links by row became links by id */
    ck_assert_str_eq(store_str(l, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 0), "row-0");
    ck_assert_ptr_null(store_str(l, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 1));
    ck_assert_ptr_null(store_str(l, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 2));
    ck_assert_str_eq(store_str(l, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 3), "row-3");
    ck_assert_str_eq(store_str(l, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 0), "row-0");
    ck_assert_int_eq(store_int(l, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 0), 0);
    ck_assert_str_eq(store_str(l, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 1), "row-3");
    ck_assert_int_eq(store_int(l, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 1), 3);
    ck_assert_ptr_null(store_str(l, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2));
    ck_assert_int_eq(store_int(l, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2), -1);
    /* the upgraded file goes on as any other */
    OK(cx_transaction_add(NULL, l, "new", "C-1", T("2024-03-01T00:00:00Z"), 5));
    OK(cx_db_save(l, dbpath));
    cx_store *again;
    OK(cx_db_load(&again, dbpath));
    assert_same(l, again);
    cx_store_free(again);
    /* a save into a version 1 file upgrades it in its own transaction */
    char other[600];
    snprintf(other, sizeof other, "%s", P("save.db"));
    write_v1_file(other);
    OK(cx_db_save(want, other));
    OK(cx_db_schema_version(&version, other));
    ck_assert_int_eq(version, CX_DB_SCHEMA_VERSION);
    OK(cx_db_load(&again, other));
    assert_same(want, again);
    cx_store_free(again);
    /* and so does erasing customers from one */
    snprintf(other, sizeof other, "%s", P("forget.db"));
    write_v1_file(other);
    const char *ids[] = {"C-1"};
    size_t removed, removed_mem;
    OK(cx_db_forget(&removed, other, 1, ids));
    OK(cx_customer_forget(&removed_mem, want, 1, ids));
    ck_assert_uint_eq(removed, removed_mem);
    OK(cx_db_load(&again, other));
    assert_same(want, again);
    cx_store_free(again);
    cx_store_free(want);
    cx_store_free(l);
}
END_TEST

/* ---- erasing customers ---------------------------------------------------- */

START_TEST(forget_leaves_no_trace)
{
    cx_store *with = filled_store(true), *without = filled_store(false), *l;
    /* another connection stays open (idle), as an application's would: the
     * write-ahead log is then not folded into the file when ours close */
    OK(cx_db_save(with, dbpath));
    sqlite3 *idle;
    ck_assert_int_eq(sqlite3_open(dbpath, &idle), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(idle, "SELECT count(*) FROM customers", NULL, NULL, NULL), SQLITE_OK);
    OK(cx_db_save(with, dbpath)); /* a save while it is open: a log stays */
    for (size_t i = 0; i < sizeof secret_values / sizeof secret_values[0]; i++) /* the search finds them */
        EXPECT(file_has(dbpath, secret_values[i]), "'%s' is not in the saved file", secret_values[i]);
    const char *ids[] = {SECRET, SECRET}; /* repeats allowed */
    size_t removed;
    OK(cx_db_forget(&removed, dbpath, 2, ids));
    ck_assert_uint_eq(removed, 6); /* the customer, 2 interactions, a case, feedback, a transaction */
    for (size_t i = 0; i < sizeof secret_values / sizeof secret_values[0]; i++)
        EXPECT(!file_has(dbpath, secret_values[i]), "'%s' is still in the file after cx_db_forget", secret_values[i]);
    sqlite3_close(idle);
    for (size_t i = 0; i < sizeof secret_values / sizeof secret_values[0]; i++)
        EXPECT(!file_has(dbpath, secret_values[i]), "'%s' is in the file once it is closed", secret_values[i]);
    OK(cx_db_load(&l, dbpath));
    assert_same_exports(without, l);
    /* the store loaded from it goes on appending to it */
    OK(cx_customer_add(l, "C-3", "new-segment", NULL, NULL, CX_TIME_NONE));
    OK(cx_interaction_add(NULL, l, "IC-1", "C-3", "web", T("2024-03-01T00:00:00Z"), "visit", CX_INBOUND,
                          "وكيل-جديد", NULL, 0, CX_HANDLED, 0));
    OK(cx_db_save(l, dbpath));
    cx_store *again;
    OK(cx_db_load(&again, dbpath));
    assert_same(l, again);
    cx_store_free(again);
    cx_store_free(l);
    cx_store_free(with);
    cx_store_free(without);
}
END_TEST

START_TEST(forget_matches_the_store)
{
    /* a file and its store erase the same customers: they stay one
     * history, names and codes included */
    cx_store *s = filled_store(true), *l;
    OK(cx_db_save(s, dbpath));
    const char *ids[] = {SECRET, "B-2"};
    size_t in_file, in_store;
    OK(cx_db_forget(&in_file, dbpath, 2, ids));
    OK(cx_customer_forget(&in_store, s, 2, ids));
    ck_assert_uint_eq(in_file, in_store);
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    ck_assert_uint_eq(store_rows(l, CX_TABLE_CUSTOMERS), 1);
    /* the store goes on, with updates and new records, and saves into the file */
    int change;
    OK(cx_interaction_put(&change, NULL, s, "IA-2", "A-1", "web", T("2024-02-06T09:00:00Z"), "visit", CX_INBOUND,
                          "خالد", NULL, 0, CX_HANDLED, 3));
    ck_assert_int_eq(change, CX_UPDATED);
    OK(cx_customer_add(s, "D-4", "retail", "جدة", NULL, CX_TIME_NONE));
    OK(cx_customer_set_attribute(s, "D-4", "passport", "X-1"));
    OK(cx_interaction_add(NULL, s, "ID-1", "D-4", "phone", T("2024-03-01T00:00:00Z"), "contact", CX_INBOUND, "نورة",
                          NULL, 0, CX_HANDLED, 0));
    OK(cx_db_save(s, dbpath));
    cx_store_free(l);
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    /* the file forgets more and still loads as the store that forgets the same */
    const char *more[] = {"A-1"};
    OK(cx_db_forget(&in_file, dbpath, 1, more));
    OK(cx_customer_forget(&in_store, s, 1, more));
    ck_assert_uint_eq(in_file, in_store);
    cx_store_free(l);
    OK(cx_db_load(&l, dbpath));
    assert_same(s, l);
    cx_store_free(s);
    cx_store_free(l);
}
END_TEST

START_TEST(forget_refuses)
{
    cx_store *s = filled_store(true), *before, *after;
    OK(cx_db_save(s, dbpath));
    OK(cx_db_load(&before, dbpath));
    const char *ids[] = {"A-1", "nobody-ليس"};
    size_t removed = 99;
    FAILS(cx_db_forget(&removed, dbpath, 2, ids), CX_ENOTFOUND, "cx_db_forget");
    MSG_HAS("nobody-ليس");
    ck_assert_uint_eq(removed, 0);
    OK(cx_db_load(&after, dbpath)); /* nothing was erased, not even A-1 */
    assert_same(before, after);
    cx_store_free(after);
    const char *nul[] = {"A-1", NULL};
    FAILS(cx_db_forget(NULL, dbpath, 2, nul), CX_EINVAL, "cx_db_forget");
    FAILS(cx_db_forget(NULL, NULL, 1, ids), CX_EINVAL, "cx_db_forget");
    FAILS(cx_db_forget(NULL, dbpath, 1, NULL), CX_EINVAL, "cx_db_forget");
    /* a missing file is not created; a file of someone else's is refused */
    const char *missing = P("missing.db");
    FAILS(cx_db_forget(NULL, missing, 1, ids), CX_EIO, "cx_db_forget");
    ck_assert_int_eq(access(missing, F_OK), -1);
    const char *foreign = P("foreign.db");
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(foreign, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "CREATE TABLE customers(id TEXT)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    FAILS(cx_db_forget(NULL, foreign, 1, ids), CX_EINVAL, "cx_db_forget");
    MSG_HAS("not a CXKit database");
    /* a newer schema is not touched */
    sql("UPDATE cx_schema SET version=99");
    FAILS(cx_db_forget(NULL, dbpath, 1, ids), CX_EVERSION, "cx_db_forget");
    sql("UPDATE cx_schema SET version=2");
    /* no ids: nothing erased, the file only cleaned */
    OK(cx_db_forget(&removed, dbpath, 0, NULL));
    ck_assert_uint_eq(removed, 0);
    OK(cx_db_load(&after, dbpath));
    assert_same(before, after);
    cx_store_free(after);
    cx_store_free(before);
    cx_store_free(s);
}
END_TEST

START_TEST(forget_while_file_is_read)
{
    /* another connection reading the file keeps the log from being
     * truncated: the customer is erased all the same, the call says the
     * file still needs cleaning, and a call without ids does it later */
    cx_store *s = filled_store(true);
    OK(cx_db_save(s, dbpath));
    sqlite3 *h;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open(dbpath, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM customers", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const char *ids[] = {SECRET};
    size_t removed;
    FAILS(cx_db_forget(&removed, dbpath, 1, ids), CX_EIO, "cx_db_forget");
    MSG_HAS("were erased");
    ck_assert_uint_eq(removed, 6);
    sqlite3_finalize(st);
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(h);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM customers"), 2);
    OK(cx_db_forget(&removed, dbpath, 0, NULL));
    ck_assert_uint_eq(removed, 0);
    for (size_t i = 0; i < sizeof secret_values / sizeof secret_values[0]; i++)
        EXPECT(!file_has(dbpath, secret_values[i]), "'%s' is still in the file after cleaning", secret_values[i]);
    cx_store_free(s);
}
END_TEST

/* Adds n interactions to a store holding sample_store(). */
static void grow(cx_store *s, int n)
{
    OK(cx_store_reserve(s, CX_TABLE_INTERACTIONS, (size_t)n));
    for (int i = 0; i < n; i++)
        OK(cx_interaction_add(NULL, s, NULL, i % 2 ? "C-1" : "عميل-٢", "web", (cx_time)i * 1000, "view", CX_INBOUND, NULL,
                              NULL, i, CX_HANDLED, 0));
}

START_TEST(killed_save_leaves_previous_state)
{
    /* Save a baseline, then let a child process append 400000 rows and kill
     * it at increasing delays. After each kill the file must load as either
     * the baseline or the complete new state, never anything between. */
    cx_store *s = sample_store();
    OK(cx_db_save(s, dbpath));
    size_t base_rows;
    OK(cx_store_rows(&base_rows, s, CX_TABLE_INTERACTIONS));
    const int extra = 400000;
    int partial_kills = 0, attempts = 0;
    for (int delay_ms = 20; delay_ms <= 640 && attempts < 8 && partial_kills < 3; delay_ms *= 2, attempts++) {
        int fds[2];
        ck_assert_int_eq(pipe(fds), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(fds[0]);
            grow(s, extra);
            ck_assert_int_eq(write(fds[1], "x", 1), 1); /* about to save */
            int rc = cx_db_save(s, dbpath);
            _exit(rc == CX_OK ? 0 : 3);
        }
        close(fds[1]);
        char c;
        ck_assert_int_eq(read(fds[0], &c, 1), 1);
        close(fds[0]);
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        cx_store *l;
        OK(cx_db_load(&l, dbpath));
        size_t n;
        OK(cx_store_rows(&n, l, CX_TABLE_INTERACTIONS));
        ck_assert_msg(n == base_rows || n == base_rows + (size_t)extra, "killed save left %zu rows", n);
        if (n == base_rows) {
            ck_assert(!finished);
            partial_kills++;
            assert_same(s, l);
        }
        cx_store_free(l);
        if (n != base_rows)
            break; /* the save finished before the kill: later delays would too */
    }
    ck_assert_msg(partial_kills > 0, "no kill landed during a save");
    cx_store_free(s);
}
END_TEST

/* CSV files for every table; interactions has `n` rows (more than one
 * streaming chunk when n > 65536) with ids i0, i1, ..., and feedback links
 * interactions by those ids; feedback and transactions have ids too. */
static void write_csvs(int n)
{
    write_file("customers.csv", "id,segment,region,plan,acquired,name\n"
                                "C1,consumer,الرياض,basic,2024-01-01T00:00:00+03:00,سارة\n"
                                "C2,business,جدة,,1704067200,\"عمر, الأحمد\"\n");
    write_file("touchpoints.csv", "name,channel,stage,kind,key,weight\nweb,web,consideration,sales,1,2\n"
                                  "phone,phone,service,service,1,1.5\n");
    write_file("cases.csv", "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                            "T1,C1,phone,high,نورة,2024-02-01T10:00:00Z,2024-02-01T10:05:00Z,,0,2\n");
    char path[300];
    snprintf(path, sizeof path, "%s/interactions.csv", tmp_dir());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value,id\n", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s,%s,%d,%s,inbound,%s,%s,%d,%s,%d.25,i%d\n", i % 3 ? "C2" : "C1", i % 2 ? "web" : "phone",
                1704067200 + i, i % 5 ? "visit" : "contact", i % 2 ? "" : "خالد", i % 3 ? "" : "T1", i,
                i % 7 ? "handled" : "missed", i % 4, i);
    ck_assert_int_eq(fclose(f), 0);
    write_file("feedback.csv", "customer,question,score,time,touchpoint,interaction,case,comment,id\n"
                               "C1,nps,9,2024-02-02T00:00:00Z,phone,i0,T1,\"ممتاز, شكراً\",f1\n"
                               "C2,csat,4,2024-02-02T00:00:00Z,web,i1,,,f2\n"
                               "C2,csat,4,2024-02-02T00:00:00Z,web,i0,,wrong customer,f3\n"
                               "C1,ces,2,2024-02-02T00:00:00Z,,i999999999,,no such interaction,f4\n");
    write_file("transactions.csv", "customer,time,amount,id\nC1,2024-03-01T00:00:00Z,10.5,t1\nC2,1709251200,0,t2\n");
}

static const char *const csv_names[] = {"customers", "touchpoints", "cases", "interactions", "feedback",
                                        "transactions"};
static const int csv_tables[] = {CX_TABLE_CUSTOMERS,    CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,
                                 CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};

/* Streams the customers, touchpoints and cases of write_csvs() into the
 * database: what the interactions refer to. */
static void stream_keyed_tables(void)
{
    for (int i = 0; i < 3; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s.csv", tmp_dir(), csv_names[i]);
        cx_import_report *r;
        OK(cx_db_import_csv(&r, dbpath, csv_tables[i], path, NULL));
        cx_import_report_free(r);
    }
}

START_TEST(stream_matches_memory_import)
{
    write_csvs(150000);
    cx_store *mem;
    OK(cx_store_new(&mem));
    for (int i = 0; i < 6; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s.csv", tmp_dir(), csv_names[i]);
        cx_import_report *a, *b;
        OK(cx_import_csv(&a, mem, csv_tables[i], path, NULL));
        OK(cx_db_import_csv(&b, dbpath, csv_tables[i], path, NULL));
        ck_assert_uint_eq(cx_import_report_read(a), cx_import_report_read(b));
        ck_assert_uint_eq(cx_import_report_accepted(a), cx_import_report_accepted(b));
        ck_assert_uint_eq(cx_import_report_rejected(a), cx_import_report_rejected(b));
        if (csv_tables[i] == CX_TABLE_FEEDBACK) {
            ck_assert_uint_eq(cx_import_report_rejected(b), 2);
            uint64_t line;
            int col;
            OK(cx_import_report_line(&line, b, 0));
            OK(cx_import_report_column(&col, b, 0));
            ck_assert_uint_eq(line, 4);
            ck_assert_int_eq(col, 6);
            OK(cx_import_report_line(&line, b, 1));
            ck_assert_uint_eq(line, 5);
        }
        cx_import_report_free(a);
        cx_import_report_free(b);
    }
    cx_store *l;
    OK(cx_db_load(&l, dbpath));
    assert_same(mem, l);
    size_t n;
    OK(cx_store_rows(&n, l, CX_TABLE_INTERACTIONS));
    ck_assert_uint_eq(n, 150000);
    cx_store_free(mem);
    cx_store_free(l);
}
END_TEST

START_TEST(stream_failure_leaves_file_alone)
{
    write_csvs(100000);
    stream_keyed_tables();
    cx_store *before;
    OK(cx_db_load(&before, dbpath));
    /* 100000 good rows, more than one chunk written, then a bad one */
    char path[300];
    snprintf(path, sizeof path, "%s/interactions.csv", tmp_dir());
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fputs("C9,web,1704067200,visit,inbound,,,0,handled,0,i-bad\n", f);
    ck_assert_int_eq(fclose(f), 0);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *r = NULL;
    ck_assert_int_eq(cx_db_import_csv(&r, dbpath, CX_TABLE_INTERACTIONS, path, o), CX_ENOTFOUND);
    ck_assert_ptr_null(r);
    MSG_HAS("line 100002");
    MSG_HAS("C9");
    cx_store *after;
    OK(cx_db_load(&after, dbpath));
    assert_same(before, after);
    size_t n;
    OK(cx_store_rows(&n, after, CX_TABLE_INTERACTIONS));
    ck_assert_uint_eq(n, 0);
    /* a missing CSV file is an error too, and changes nothing */
    snprintf(path, sizeof path, "%s/none.csv", tmp_dir());
    ck_assert_int_eq(cx_db_import_csv(&r, dbpath, CX_TABLE_INTERACTIONS, path, NULL), CX_EIO);
    ck_assert_int_eq(cx_db_import_csv(NULL, dbpath, CX_TABLE_INTERACTIONS, path, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_db_import_csv(&r, dbpath, 99, path, NULL), CX_EINVAL);
    cx_import_options_free(o);
    cx_store_free(before);
    cx_store_free(after);
}
END_TEST

/* cx_db_import_csv takes all its memory from the options' allocator: with
 * the k-th allocation refused, for k = 1, 2, ..., each attempt fails with
 * CX_ENOMEM, gives no report, keeps no memory and leaves the file as it
 * was, until one succeeds with the counts of an import with malloc. */
START_TEST(stream_out_of_memory)
{
    write_csvs(300);
    char plain[300];
    snprintf(plain, sizeof plain, "%s/plain.db", tmp_dir());
    cxt_alloc b = {0};
    cx_import_options *o;
    OK(cx_import_options_new_with_allocator(&o, cxt_alloc_fn, &b));
    OK(cx_import_options_set_create_customers(o, 1));
    OK(cx_import_options_set_reject_path(o, "/dev/null"));
    size_t opts_live = b.live;
    for (int i = 0; i < 6; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s.csv", tmp_dir(), csv_names[i]);
        cx_import_report *want;
        OK(cx_db_import_csv(&want, plain, csv_tables[i], path, NULL));
        if (csv_tables[i] == CX_TABLE_TOUCHPOINTS || csv_tables[i] == CX_TABLE_CASES ||
            csv_tables[i] == CX_TABLE_TRANSACTIONS) { /* their paths are the ones of the others: save time */
            cx_import_report *r;
            OK(cx_db_import_csv(&r, dbpath, csv_tables[i], path, o));
            cx_import_report_free(r);
            cx_import_report_free(want);
            continue;
        }
        cx_store *before = NULL;
        if (i > 0)
            OK(cx_db_load(&before, dbpath));
        int failures = 0;
        for (long k = 0;; k++) {
            cx_import_report *r = (cx_import_report *)&r;
            cxt_alloc_allow(&b, k);
            int rc = cx_db_import_csv(&r, dbpath, csv_tables[i], path, o);
            cxt_alloc_allow(&b, -1);
            if (rc == CX_OK) {
                ck_assert_uint_eq(cx_import_report_read(r), cx_import_report_read(want));
                ck_assert_uint_eq(cx_import_report_accepted(r), cx_import_report_accepted(want));
                ck_assert_uint_eq(cx_import_report_rejected(r), cx_import_report_rejected(want));
                ck_assert_uint_gt(b.live, opts_live); /* the report */
                cx_import_report_free(r);
                ck_assert_uint_eq(b.live, opts_live);
                break;
            }
            ck_assert_msg(rc == CX_ENOMEM, "%s, budget %ld: %d %s", csv_names[i], k, rc, cx_last_error());
            ck_assert_ptr_null(r);
            ck_assert_uint_eq(b.live, opts_live);
            if (before && k % 10 == 0) {
                cx_store *after;
                OK(cx_db_load(&after, dbpath));
                assert_same(before, after);
                cx_store_free(after);
            }
            failures++;
            ck_assert_int_lt(k, 100000);
        }
        ck_assert_int_gt(failures, 0);
        cx_store_free(before);
        cx_import_report_free(want);
    }
    cx_store *a, *c;
    OK(cx_db_load(&a, dbpath));
    OK(cx_db_load(&c, plain));
    assert_same(a, c);
    cx_store_free(a);
    cx_store_free(c);
    cx_import_options_free(o);
    cxt_alloc_done(&b);
}
END_TEST

START_TEST(stream_creates_customers)
{
    /* 150000 interactions (three chunks), a tenth of them of 150 customers
     * the file does not hold (N0 to N149, 100 rows each, across every
     * chunk), and rows refused after their new customer was added */
    write_csvs(1);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    cx_store *mem;
    OK(cx_store_new(&mem));
    for (int i = 0; i < 3; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s.csv", tmp_dir(), csv_names[i]);
        cx_import_report *a, *b;
        OK(cx_import_csv(&a, mem, csv_tables[i], path, o));
        OK(cx_db_import_csv(&b, dbpath, csv_tables[i], path, o));
        cx_import_report_free(a);
        cx_import_report_free(b);
    }
    char path[300];
    snprintf(path, sizeof path, "%s/interactions.csv", tmp_dir());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("customer,touchpoint,time\n", f);
    for (int i = 0; i < 150000; i++) {
        if (i % 10)
            fprintf(f, "%s,web,%d\n", i % 3 ? "C2" : "C1", i);
        else
            fprintf(f, "N%d,phone,%d\n", i / 1000, i);
        if (i % 40000 == 0)
            fprintf(f, "X%d,ghost,%d\nX%d,web,later\n", i, i, i);
    }
    ck_assert_int_eq(fclose(f), 0);
    cx_import_report *a, *b;
    OK(cx_import_csv(&a, mem, CX_TABLE_INTERACTIONS, path, o));
    OK(cx_db_import_csv(&b, dbpath, CX_TABLE_INTERACTIONS, path, o));
    ck_assert_uint_eq(cx_import_report_accepted(b), 150000);
    ck_assert_uint_eq(cx_import_report_rejected(b), 8);
    ck_assert_uint_eq(cx_import_report_accepted(a), 150000);
    ck_assert_uint_eq(cx_import_report_rejected(a), 8);
    cx_import_report_free(a);
    cx_import_report_free(b);
    /* in the file: the customers, with their counts, in the store's order */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM customers"), 152);
    ck_assert_int_eq(sql_int("SELECT rows FROM cx_counts WHERE tbl='customers'"), 152);
    ck_assert_int_eq(sql_int("SELECT row FROM customers WHERE id='N0'"), 2);
    ck_assert_int_eq(sql_int("SELECT row FROM customers WHERE id='N149'"), 151);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM customers WHERE id LIKE 'X%'"), 0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM customers WHERE segment IS NOT NULL AND id LIKE 'N%'"), 0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM interactions WHERE customer='N77'"), 100);
    /* and it loads to the store an import in memory gives */
    cx_store *l;
    OK(cx_db_load(&l, dbpath));
    assert_same(mem, l);
    size_t n, row;
    OK(cx_store_rows(&n, l, CX_TABLE_CUSTOMERS));
    ck_assert_uint_eq(n, 152);
    OK(cx_store_find(&row, l, CX_TABLE_CUSTOMERS, "N149"));
    ck_assert_uint_eq(row, 151);
    /* it is still this store's file: saving the loaded store adds nothing */
    OK(cx_db_save(l, dbpath));
    ck_assert_int_eq(sql_int("SELECT count(*) FROM customers"), 152);
    /* later imports find the customers in the file */
    write_file("transactions.csv", "customer,time,amount\nN5,0,1\nN149,1,2\n");
    snprintf(path, sizeof path, "%s/transactions.csv", tmp_dir());
    OK(cx_db_import_csv(&b, dbpath, CX_TABLE_TRANSACTIONS, path, NULL));
    ck_assert_uint_eq(cx_import_report_accepted(b), 2);
    cx_import_report_free(b);
    /* a strict import that fails in its second chunk leaves no customer */
    snprintf(path, sizeof path, "%s/interactions.csv", tmp_dir());
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("customer,touchpoint,time\n", f);
    for (int i = 0; i < 70000; i++)
        fprintf(f, "M%d,web,%d\n", i / 100, i);
    fputs("M9999,ghost,0\n", f);
    ck_assert_int_eq(fclose(f), 0);
    OK(cx_import_options_set_strict(o, 1));
    b = NULL;
    ck_assert_int_eq(cx_db_import_csv(&b, dbpath, CX_TABLE_INTERACTIONS, path, o), CX_ENOTFOUND);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM customers"), 152);
    ck_assert_int_eq(sql_int("SELECT rows FROM cx_counts WHERE tbl='customers'"), 152);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM interactions"), 150000);
    cx_import_options_free(o);
    cx_store_free(mem);
    cx_store_free(l);
}
END_TEST

START_TEST(killed_stream_import_leaves_previous_state)
{
    /* A child streams 600000 interactions from CSV into the database and is
     * killed at increasing delays: the file must then hold either none of
     * them or all of them, and load. */
    write_csvs(600000);
    stream_keyed_tables();
    cx_store *before;
    OK(cx_db_load(&before, dbpath));
    char path[300];
    snprintf(path, sizeof path, "%s/interactions.csv", tmp_dir());
    int partial_kills = 0;
    for (int delay_ms = 10; delay_ms <= 2560 && partial_kills < 3; delay_ms *= 2) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            cx_import_report *r;
            _exit(cx_db_import_csv(&r, dbpath, CX_TABLE_INTERACTIONS, path, NULL) == CX_OK ? 0 : 3);
        }
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        cx_store *l;
        OK(cx_db_load(&l, dbpath));
        size_t n;
        OK(cx_store_rows(&n, l, CX_TABLE_INTERACTIONS));
        ck_assert_msg(n == 0 || n == 600000, "killed import left %zu rows", n);
        if (n == 0) {
            partial_kills++;
            assert_same(before, l);
        }
        cx_store_free(l);
        if (n)
            break; /* it finished before the kill: later delays would too */
    }
    ck_assert_msg(partial_kills > 0, "no kill landed during an import");
    cx_store_free(before);
}
END_TEST

/* ---- streaming imports that synchronise by id ---------------------------- */

/* Imports `name`.csv of the test's directory into `mem` with
 * cx_import_csv() and into the database with cx_db_import_csv(), with the
 * same options: both reports must count the same. Gives the stream's. */
static cx_import_report *import_both(cx_store *mem, int table, const char *name, const cx_import_options *o)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s.csv", tmp_dir(), name);
    cx_import_report *a, *b;
    OK(cx_import_csv(&a, mem, table, path, o));
    OK(cx_db_import_csv(&b, dbpath, table, path, o));
    EXPECT(cx_import_report_read(a) == cx_import_report_read(b) &&
               cx_import_report_accepted(a) == cx_import_report_accepted(b) &&
               cx_import_report_rejected(a) == cx_import_report_rejected(b) &&
               cx_import_report_added(a) == cx_import_report_added(b) &&
               cx_import_report_updated(a) == cx_import_report_updated(b) &&
               cx_import_report_unchanged(a) == cx_import_report_unchanged(b),
           "%s: in memory read %llu accepted %llu rejected %llu added %llu updated %llu unchanged %llu; streamed "
           "read %llu accepted %llu rejected %llu added %llu updated %llu unchanged %llu",
           name, (unsigned long long)cx_import_report_read(a), (unsigned long long)cx_import_report_accepted(a),
           (unsigned long long)cx_import_report_rejected(a), (unsigned long long)cx_import_report_added(a),
           (unsigned long long)cx_import_report_updated(a), (unsigned long long)cx_import_report_unchanged(a),
           (unsigned long long)cx_import_report_read(b), (unsigned long long)cx_import_report_accepted(b),
           (unsigned long long)cx_import_report_rejected(b), (unsigned long long)cx_import_report_added(b),
           (unsigned long long)cx_import_report_updated(b), (unsigned long long)cx_import_report_unchanged(b));
    cx_import_report_free(a);
    return b;
}

/* The counts of a report: added, updated, unchanged, rejected. */
static void expect_counts(cx_import_report *r, const char *what, uint64_t added, uint64_t updated,
                          uint64_t unchanged, uint64_t rejected)
{
    EXPECT(cx_import_report_added(r) == added && cx_import_report_updated(r) == updated &&
               cx_import_report_unchanged(r) == unchanged && cx_import_report_rejected(r) == rejected,
           "%s: added %llu updated %llu unchanged %llu rejected %llu, expected %llu %llu %llu %llu", what,
           (unsigned long long)cx_import_report_added(r), (unsigned long long)cx_import_report_updated(r),
           (unsigned long long)cx_import_report_unchanged(r), (unsigned long long)cx_import_report_rejected(r),
           (unsigned long long)added, (unsigned long long)updated, (unsigned long long)unchanged,
           (unsigned long long)rejected);
    EXPECT(cx_import_report_accepted(r) == added + updated + unchanged, "%s: accepted is not their sum", what);
}

START_TEST(stream_update_twice_is_unchanged)
{
    /* the same files streamed twice with CX_EXISTING_UPDATE: everything is
     * added, then everything is unchanged; the file is that of one import */
    write_csvs(70000); /* two chunks of interactions */
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    char single[300];
    snprintf(single, sizeof single, "%s/single.db", tmp_dir());
    for (int i = 0; i < 6; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s.csv", tmp_dir(), csv_names[i]);
        cx_import_report *a, *b, *c;
        OK(cx_db_import_csv(&a, dbpath, csv_tables[i], path, o));
        OK(cx_db_import_csv(&b, dbpath, csv_tables[i], path, o));
        OK(cx_db_import_csv(&c, single, csv_tables[i], path, NULL));
        uint64_t n = cx_import_report_accepted(c), bad = cx_import_report_rejected(c);
        ck_assert_uint_gt(n, 0);
        expect_counts(a, csv_names[i], n, 0, 0, bad);
        expect_counts(b, csv_names[i], 0, 0, n, bad);
        cx_import_report_free(a);
        cx_import_report_free(b);
        cx_import_report_free(c);
    }
    ck_assert_int_eq(sql_int("SELECT count(*) FROM interactions"), 70000);
    cx_store *x, *y;
    OK(cx_db_load(&x, dbpath));
    OK(cx_db_load(&y, single));
    assert_same(x, y);
    cx_store_free(x);
    cx_store_free(y);
    cx_import_options_free(o);
}
END_TEST

/* The first state of a CRM's data, then a later one. */
static void write_sync_v1(void)
{
    write_file("customers.csv", "id,segment,region,plan,acquired,name,email\n"
                                "C1,consumer,الرياض,basic,2024-01-01T00:00:00Z,سارة,s@example.com\n"
                                "C2,business,جدة,,2024-01-02T00:00:00Z,\"عمر, الأحمد\",\n");
    write_file("touchpoints.csv", "name,channel,stage,kind,key,weight\nweb,web,consideration,sales,1,2\n"
                                  "phone,phone,service,service,1,1.5\n");
    write_file("questions.csv", "name,metric,scale_min,scale_max,higher_is_better\neffort,ces,1,7,1\n");
    write_file("cases.csv", "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                            "T1,C1,phone,high,نورة,2024-02-01T10:00:00Z,,,0,1\n"
                            "T2,C2,web,,,2024-02-02T10:00:00Z,2024-02-02T11:00:00Z,2024-02-03T10:00:00Z,0,1\n");
    write_file("interactions.csv", "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                                   "i1,C1,phone,2024-02-01T10:00:00Z,contact,inbound,نورة,T1,60000,handled,0\n"
                                   "i2,C2,web,2024-02-02T09:00:00Z,visit,inbound,,,0,handled,0\n"
                                   "i3,C1,web,2024-02-02T12:00:00Z,visit,inbound,,,0,handled,0\n"
                                   "i4,C2,web,2024-02-02T10:00:00Z,contact,inbound,,T2,0,handled,0\n");
    write_file("feedback.csv", "id,customer,question,score,time,touchpoint,interaction,case,comment\n"
                               "f1,C1,effort,6,2024-02-03T00:00:00Z,phone,i1,T1,\"سهل, شكراً\"\n"
                               "f2,C2,nps,8,2024-02-03T00:00:00Z,web,i4,T2,\n");
    write_file("transactions.csv", "id,customer,time,amount\nt1,C1,2024-03-01T00:00:00Z,10\n"
                                   "t2,C2,2024-03-02T00:00:00Z,20\n");
}

static void write_sync_v2(void)
{
    /* C1: plan and e-mail (removed) changed; C2 as before; C3 new */
    write_file("customers.csv", "id,segment,region,plan,acquired,name,email\n"
                                "C1,consumer,الرياض,premium,2024-01-01T00:00:00Z,سارة,\n"
                                "C2,business,جدة,,2024-01-02T00:00:00Z,\"عمر, الأحمد\",\n"
                                "C3,consumer,,,,ليلى,l@example.com\n");
    write_file("touchpoints.csv", "name,channel,stage,kind,key,weight\nweb,web,consideration,sales,1,3\n"
                                  "phone,phone,service,service,1,1.5\n");
    /* effort's new scale leaves f1's 6 outside: refused; a new question */
    write_file("questions.csv", "name,metric,scale_min,scale_max,higher_is_better\neffort,ces,1,5,1\n"
                                "speed,custom,0,1,1\n");
    /* T1 answered and resolved later; T2 cannot move to C1 (i4 and f2 of
     * C2 refer to it); T2 as before; T3 new */
    write_file("cases.csv", "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                            "T1,C1,phone,high,نورة,2024-02-01T10:00:00Z,2024-02-01T10:30:00Z,2024-02-04T10:00:00Z,1,3\n"
                            "T2,C1,web,,,2024-02-02T10:00:00Z,2024-02-02T11:00:00Z,2024-02-03T10:00:00Z,0,1\n"
                            "T2,C2,web,,,2024-02-02T10:00:00Z,2024-02-02T11:00:00Z,2024-02-03T10:00:00Z,0,1\n"
                            "T3,C3,web,low,خالد,2024-02-05T10:00:00Z,,,0,1\n");
    /* i1 as before; i2 missed now; i3 moves to C2 (nothing rates it); i4
     * cannot move to C1 (f2 rates it); i5 new, then changed in the same
     * file; i6 of a touchpoint that does not exist */
    write_file("interactions.csv", "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                                   "i1,C1,phone,2024-02-01T10:00:00Z,contact,inbound,نورة,T1,60000,handled,0\n"
                                   "i2,C2,web,2024-02-02T09:00:00Z,visit,inbound,,,0,missed,0\n"
                                   "i3,C2,web,2024-02-02T12:00:00Z,visit,inbound,وكيل-جديد,,0,handled,0\n"
                                   "i4,C1,web,2024-02-02T10:00:00Z,contact,inbound,,,0,handled,0\n"
                                   "i5,C3,web,2024-02-05T10:00:00Z,purchase,inbound,,T3,0,handled,99\n"
                                   "i5,C3,web,2024-02-05T10:00:00Z,purchase,inbound,,T3,0,handled,120\n"
                                   "i6,C3,fax,2024-02-05T11:00:00Z,visit,inbound,,,0,handled,0\n");
    /* f1's comment changed; f2 as before; f3 new, rating i5; f4 rates an
     * interaction of another customer */
    write_file("feedback.csv", "id,customer,question,score,time,touchpoint,interaction,case,comment\n"
                               "f1,C1,effort,6,2024-02-03T00:00:00Z,phone,i1,T1,\"سهل جداً, \"\"شكراً\"\"\"\n"
                               "f2,C2,nps,8,2024-02-03T00:00:00Z,web,i4,T2,\n"
                               "f3,C3,nps,10,2024-02-06T00:00:00Z,web,i5,T3,ممتاز\n"
                               "f4,C3,nps,10,2024-02-06T00:00:00Z,web,i1,,\n");
    write_file("transactions.csv", "id,customer,time,amount\nt1,C1,2024-03-01T00:00:00Z,12.5\n"
                                   "t2,C2,2024-03-02T00:00:00Z,20\nt3,C3,2024-03-03T00:00:00Z,7\n");
}

static const char *const sync_names[] = {"customers", "touchpoints", "questions", "cases",
                                         "interactions", "feedback", "transactions"};
static const int sync_tables[] = {CX_TABLE_CUSTOMERS,    CX_TABLE_TOUCHPOINTS, CX_TABLE_QUESTIONS,
                                  CX_TABLE_CASES,        CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK,
                                  CX_TABLE_TRANSACTIONS};

START_TEST(stream_update_matches_memory)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    cx_store *mem, *l;
    OK(cx_store_new(&mem));
    write_sync_v1();
    for (int i = 0; i < 7; i++)
        cx_import_report_free(import_both(mem, sync_tables[i], sync_names[i], o));
    write_sync_v2();
    static const uint64_t want[7][4] = {
        /* added, updated, unchanged, rejected */
        {1, 1, 1, 0}, /* customers */
        {0, 1, 1, 0}, /* touchpoints */
        {1, 0, 0, 1}, /* questions */
        {1, 1, 1, 1}, /* cases */
        {1, 3, 1, 2}, /* interactions */
        {1, 1, 1, 1}, /* feedback */
        {1, 1, 1, 0}, /* transactions */
    };
    for (int i = 0; i < 7; i++) {
        cx_import_report *r = import_both(mem, sync_tables[i], sync_names[i], o);
        expect_counts(r, sync_names[i], want[i][0], want[i][1], want[i][2], want[i][3]);
        if (sync_tables[i] == CX_TABLE_INTERACTIONS) {
            const char *why;
            OK(cx_import_report_reason(&why, r, 0));
            EXPECT(strstr(why, "i4") && strstr(why, "rates it"), "%s", why);
        }
        cx_import_report_free(r);
    }
    OK(cx_db_load(&l, dbpath));
    assert_same(mem, l);
    const char *v;
    OK(cx_customer_get_attribute(&v, l, "C1", "email"));
    ck_assert_ptr_null(v);
    ck_assert_int_eq(store_int(l, CX_TABLE_CASES, CX_CASE_RESOLVED, 0), T("2024-02-04T10:00:00Z"));
    ck_assert_int_eq(sql_int("SELECT count(*) FROM interactions"), 5);
    /* the same data once more changes nothing */
    for (int i = 0; i < 7; i++) {
        cx_import_report *r = import_both(mem, sync_tables[i], sync_names[i], o);
        /* but i5, given twice with two values */
        ck_assert_uint_eq(cx_import_report_added(r) + cx_import_report_updated(r), i == 4 ? 2 : 0);
        cx_import_report_free(r);
    }
    cx_store_free(l);
    OK(cx_db_load(&l, dbpath));
    assert_same(mem, l);
    cx_store_free(l);
    cx_store_free(mem);
    cx_import_options_free(o);
}
END_TEST

START_TEST(stream_skip_and_reject_match_memory)
{
    cx_import_options *skip, *strict;
    OK(cx_import_options_new(&skip));
    OK(cx_import_options_set_existing(skip, CX_EXISTING_SKIP));
    OK(cx_import_options_new(&strict));
    OK(cx_import_options_set_strict(strict, 1));
    cx_store *mem, *before, *l;
    OK(cx_store_new(&mem));
    write_sync_v1();
    for (int i = 0; i < 7; i++)
        cx_import_report_free(import_both(mem, sync_tables[i], sync_names[i], NULL));
    write_sync_v2();
    /* the records of the file stay as they are; new ones come in */
    static const uint64_t want[7][4] = {
        {1, 0, 2, 0}, {0, 0, 2, 0}, {1, 0, 1, 0}, {1, 0, 3, 0}, {1, 0, 5, 1}, {1, 0, 2, 1}, {1, 0, 2, 0},
    };
    for (int i = 0; i < 7; i++) {
        cx_import_report *r = import_both(mem, sync_tables[i], sync_names[i], skip);
        expect_counts(r, sync_names[i], want[i][0], want[i][1], want[i][2], want[i][3]);
        cx_import_report_free(r);
    }
    OK(cx_db_load(&before, dbpath));
    assert_same(mem, before);
    ck_assert_int_eq(store_int(before, CX_TABLE_CASES, CX_CASE_RESOLVED, 0), CX_TIME_NONE);
    /* a row kept as it is is not checked, neither its time nor the
     * interaction it names (no such one), in the file as in a store (found
     * by fuzzing: the streaming import checked the link first) */
    write_file("kept.csv", "id,customer,question,score,time,touchpoint,interaction,case,comment\n"
                           "f1,C1,effort,6,not a time,,no-such-interaction,,\n");
    cx_import_report *kept = import_both(mem, CX_TABLE_FEEDBACK, "kept", skip);
    expect_counts(kept, "kept", 0, 0, 1, 0);
    cx_import_report_free(kept);
    /* without the option, an id the file holds is a duplicate: refused */
    cx_import_report *r = import_both(mem, CX_TABLE_INTERACTIONS, "interactions", NULL);
    expect_counts(r, "interactions", 0, 0, 0, 7);
    const char *why;
    OK(cx_import_report_reason(&why, r, 0));
    EXPECT(strstr(why, "i1") && strstr(why, "already exists"), "%s", why);
    int col;
    OK(cx_import_report_column(&col, r, 0));
    ck_assert_int_eq(col, 0);
    cx_import_report_free(r);
    r = import_both(mem, CX_TABLE_TRANSACTIONS, "transactions", NULL);
    expect_counts(r, "transactions", 0, 0, 0, 3);
    cx_import_report_free(r);
    /* strictly, the first duplicate fails the import and the file stays */
    char path[300];
    snprintf(path, sizeof path, "%s/feedback.csv", tmp_dir());
    r = NULL;
    FAILS(cx_db_import_csv(&r, dbpath, CX_TABLE_FEEDBACK, path, strict), CX_EEXISTS, "cx_db_import_csv");
    ck_assert_ptr_null(r);
    MSG_HAS("f1");
    OK(cx_db_load(&l, dbpath));
    assert_same(before, l);
    cx_store_free(l);
    cx_store_free(before);
    cx_store_free(mem);
    cx_import_options_free(skip);
    cx_import_options_free(strict);
}
END_TEST

START_TEST(stream_update_across_chunks)
{
    /* after 70000 rows, rows updating i7 (written to the file with the
     * first chunk), i69998 (still in the second) and i0 as it was */
    write_csvs(70000);
    char path[300];
    snprintf(path, sizeof path, "%s/interactions.csv", tmp_dir());
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fputs("C2,web,1704067207,visit,inbound,,,7,handled,1000.5,i7\n", f);
    fputs("C1,web,1704067207,visit,inbound,,,7,handled,0,i69998\n", f); /* C2's: moves to C1 */
    fputs("C1,phone,1704067200,contact,inbound,خالد,T1,0,missed,0.25,i0\n", f);
    ck_assert_int_eq(fclose(f), 0);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    cx_store *mem, *l;
    OK(cx_store_new(&mem));
    for (int i = 0; i < 6; i++) {
        cx_import_report *r = import_both(mem, csv_tables[i], csv_names[i], o);
        if (csv_tables[i] == CX_TABLE_INTERACTIONS)
            expect_counts(r, "interactions", 70000, 2, 1, 0);
        cx_import_report_free(r);
    }
    ck_assert_int_eq(sql_int("SELECT count(*) FROM interactions"), 70000);
    ck_assert_int_eq(sql_int("SELECT row FROM interactions WHERE id='i69998' AND customer='C1'"), 69998);
    OK(cx_db_load(&l, dbpath));
    assert_same(mem, l);
    cx_store_free(l);
    cx_store_free(mem);
    cx_import_options_free(o);
}
END_TEST

/* A value SQLite keeps in a column of another type (its affinity could not
 * convert it) is refused, naming the table, the row and the column, with
 * CX_EPARSE: read as the column's type, a score 'nan' was 0, '9abc' was 9,
 * a time '2024-01-01' was 2024 ms. An attribute of a customer row the file
 * lacks is an error too (it vanished). Each bad value is planted in a
 * freshly saved file. */
START_TEST(bad_types_in_file_are_reported)
{
    static const struct {
        const char *sql, *where, *what;
    } plants[] = {
        {"UPDATE feedback SET score='nan' WHERE row=0", "feedback row 0, column score", "the text 'nan'"},
        {"UPDATE feedback SET score='9abc' WHERE row=1", "feedback row 1, column score", "the text '9abc'"},
        {"UPDATE transactions SET amount='9abc' WHERE row=1", "transactions row 1, column amount", "a number"},
        {"UPDATE transactions SET time='2024-01-01' WHERE row=0", "transactions row 0, column time",
         "the text '2024-01-01' where a time (INTEGER"},
        {"UPDATE interactions SET time=1.5 WHERE row=2", "interactions row 2, column time", "the real 1.5"},
        {"UPDATE interactions SET duration_ms='long' WHERE row=0", "interactions row 0, column duration_ms",
         "an INTEGER"},
        {"UPDATE customers SET acquired=x'00' WHERE row=0", "customers row 0, column acquired", "a blob of 1 bytes"},
        {"UPDATE customers SET segment=x'41' WHERE row=1", "customers row 1, column segment", "where text is"},
        {"UPDATE cases SET reopens='x' WHERE row=0", "cases row 0, column reopens", "the text 'x'"},
        {"UPDATE cases SET resolved=2.25 WHERE row=1", "cases row 1, column resolved", "the real 2.25"},
        {"UPDATE touchpoints SET weight='heavy' WHERE row=0", "touchpoints row 0, column weight", "'heavy'"},
        {"UPDATE touchpoints SET key='yes' WHERE row=1", "touchpoints row 1, column key", "'yes'"},
        {"UPDATE questions SET scale_min='low' WHERE name='effort'", "column scale_min", "the text 'low'"},
        {"UPDATE feedback SET interaction=x'4941' WHERE row=0", "feedback row 0, column interaction", "blob"},
        {"INSERT INTO customer_attributes VALUES(99, 'ghost', 'boo')", "customer_attributes",
         "'ghost' of customer row 99, which the customers table does not have"},
        {"UPDATE customer_attributes SET value=x'41' WHERE key='name' AND customer=0",
         "customer_attributes of customer row 0, column value", "a blob"},
        {"UPDATE cx_sets SET name=x'41' WHERE rowid=(SELECT max(rowid) FROM cx_sets)", "cx_sets", "bad row"},
        {"UPDATE cx_sets SET idx='one' WHERE rowid=(SELECT max(rowid) FROM cx_sets)", "cx_sets", "bad row"},
        {"UPDATE customer_attributes SET customer='zero' WHERE customer=0", "customer_attributes, column customer",
         "the text 'zero'"},
    };
    cx_store *s = filled_store(false);
    for (size_t i = 0; i < sizeof plants / sizeof plants[0]; i++) {
        snprintf(dbpath, sizeof dbpath, "%s/bad-%zu.db", tmp_dir(), i);
        OK(cx_db_save(s, dbpath));
        sql(plants[i].sql);
        cx_store *l = (cx_store *)1;
        cx_error_clear();
        int rc = cx_db_load(&l, dbpath);
        ck_assert_msg(rc == CX_EPARSE, "%s: loaded with %d (%s)", plants[i].sql, rc, cx_last_error());
        ck_assert_ptr_null(l);
        ck_assert_msg(strstr(cx_last_error(), "cx_db_load") && strstr(cx_last_error(), plants[i].where) &&
                          strstr(cx_last_error(), plants[i].what),
                      "%s: message '%s' lacks '%s' or '%s'", plants[i].sql, cx_last_error(), plants[i].where,
                      plants[i].what);
    }
    /* what SQLite converts itself stays valid: an integer amount or score,
     * an integral real time, a numeric text in a numeric column, a number
     * in a text column (stored as its text) */
    snprintf(dbpath, sizeof dbpath, "%s/good.db", tmp_dir());
    OK(cx_db_save(s, dbpath));
    sql("UPDATE transactions SET amount=10 WHERE row=0; UPDATE feedback SET score='5' WHERE row=0;"
        "UPDATE interactions SET time=1707000000000.0 WHERE row=0;"
        "UPDATE customer_attributes SET value=7.5 WHERE key='name' AND customer=0");
    cx_store *l;
    OK(cx_db_load(&l, dbpath));
    size_t row;
    OK(cx_store_find(&row, l, CX_TABLE_FEEDBACK, "FA-1"));
    double score;
    OK(cx_store_get_real(&score, l, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, row));
    CLOSE(score, 5);
    const char *v;
    OK(cx_customer_get_attribute(&v, l, "A-1", "name"));
    ck_assert_str_eq(v, "7.5");
    cx_store_free(l);
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("db");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, tmpdir_teardown);
    tcase_add_test(core, save_load_identity);
    tcase_add_test(core, save_twice_is_idempotent);
    tcase_add_test(core, append_leaves_saved_rows_alone);
    tcase_add_test(core, case_updates_and_attributes_are_saved);
    tcase_add_test(core, custom_allocator_load);
    tcase_add_test(core, load_out_of_memory);
    tcase_add_test(core, save_takes_no_store_memory);
    tcase_add_test(core, updated_rows_are_rewritten);
    tcase_add_test(core, v1_file_is_upgraded_on_load);
    suite_add_tcase(su, core);
    TCase *forget = tcase_create("forget");
    tcase_add_checked_fixture(forget, setup, tmpdir_teardown);
    tcase_set_timeout(forget, 60);
    tcase_add_test(forget, forget_leaves_no_trace);
    tcase_add_test(forget, forget_matches_the_store);
    tcase_add_test(forget, forget_refuses);
    tcase_add_test(forget, forget_while_file_is_read);
    suite_add_tcase(su, forget);
    TCase *bad = tcase_create("bad_input");
    tcase_add_checked_fixture(bad, setup, tmpdir_teardown);
    tcase_add_test(bad, another_store_is_refused);
    tcase_add_test(bad, newer_schema_is_refused);
    tcase_add_test(bad, foreign_file_is_upgraded_or_refused);
    tcase_add_test(bad, bad_rows_in_file_are_reported);
    tcase_add_test(bad, bad_arguments);
    tcase_add_test(bad, bad_types_in_file_are_reported);
    suite_add_tcase(su, bad);
    TCase *crash = tcase_create("crash");
    tcase_add_checked_fixture(crash, setup, tmpdir_teardown);
    tcase_set_timeout(crash, 120);
    tcase_add_test(crash, killed_save_leaves_previous_state);
    suite_add_tcase(su, crash);
    TCase *stream = tcase_create("stream");
    tcase_add_checked_fixture(stream, setup, tmpdir_teardown);
    tcase_set_timeout(stream, 120);
    tcase_add_test(stream, stream_matches_memory_import);
    tcase_add_test(stream, stream_failure_leaves_file_alone);
    tcase_add_test(stream, stream_out_of_memory);
    tcase_add_test(stream, stream_creates_customers);
    tcase_add_test(stream, killed_stream_import_leaves_previous_state);
    tcase_add_test(stream, stream_update_twice_is_unchanged);
    tcase_add_test(stream, stream_update_matches_memory);
    tcase_add_test(stream, stream_skip_and_reject_match_memory);
    tcase_add_test(stream, stream_update_across_chunks);
    suite_add_tcase(su, stream);
    return run_suite(su);
}
