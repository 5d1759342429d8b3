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
static void assert_same(const cx_store *a, const cx_store *b)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        char pa[300], pb[300];
        snprintf(pa, sizeof pa, "%s/a%d.csv", tmp_dir(), t);
        snprintf(pb, sizeof pb, "%s/b%d.csv", tmp_dir(), t);
        OK(cx_export_csv(a, t, pa, 0));
        OK(cx_export_csv(b, t, pb, 0));
        assert_files_same(pa, pb);
    }
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
    suite_add_tcase(su, core);
    TCase *bad = tcase_create("bad_input");
    tcase_add_checked_fixture(bad, setup, tmpdir_teardown);
    tcase_add_test(bad, another_store_is_refused);
    tcase_add_test(bad, newer_schema_is_refused);
    tcase_add_test(bad, foreign_file_is_upgraded_or_refused);
    tcase_add_test(bad, bad_rows_in_file_are_reported);
    tcase_add_test(bad, bad_arguments);
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
    suite_add_tcase(su, stream);
    return run_suite(su);
}
