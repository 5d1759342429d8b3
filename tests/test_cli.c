/*
 * The cxkit command's import and analysis subcommands (issue 12), run as a
 * user would (CXKIT_TOOL is the built program) on the demo data imported
 * into a temporary SQLite file:
 * - every subcommand: --help, its output in each format, compared with what
 *   the library gives for the same question where it can be;
 * - bad usage (exit 2): unknown options, measures, groupings, views,
 *   offsets, dates, columns;
 * - failures (exit 1): a missing database, one that is not SQLite, a SQLite
 *   file of another schema, a truncated one, an unwritable output path; a
 *   message naming what is wrong, and nothing written;
 * - hostile text: a customer id `=HYPERLINK(...)`, `<script>`, `-2+3`,
 *   `@SUM(...)` come out of CSV as text a spreadsheet does not run, and
 *   out of JSON escaped;
 * - the aligned table counts display cells (Arabic agent names).
 */
#include "cx_test.h"

#include <errno.h>
#include <sys/wait.h>

#include <sqlite3.h>

#ifndef CXKIT_DEMO_DATA
#define CXKIT_DEMO_DATA "examples/data"
#endif

static const char *demo_dir(void)
{
    const char *d = getenv("CXKIT_DATA");
    return d && *d ? d : CXKIT_DEMO_DATA;
}

/* ---- running the command ----------------------------------------------- */


/* A path in the test's directory that stays (P() reuses its buffers). */
static const char *K(const char *name)
{
    static char buf[16][512];
    static unsigned next;
    char *p = buf[next++ % 16];
    snprintf(p, sizeof buf[0], "%s/%s", tmp_dir(), name);
    return p;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* No temporary file of an output left in the test's directory. */
static void no_temp_left(void)
{
    DIR *d = opendir(tmp_dir());
    EXPECT(d != NULL, "opendir");
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        EXPECT(strstr(e->d_name, ".tmp.") == NULL, "a temporary file was left: %s", e->d_name);
    closedir(d);
}

/* ---- the demo database, made once for the suite ------------------------ */

static char demo_db_dir[256];

static const char *demo_db(void)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/demo.db", demo_db_dir);
    return path;
}

static const cx_table table_order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,
                                       CX_TABLE_INTERACTIONS, CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,
                                       CX_TABLE_TRANSACTIONS};

/* The demo data imported by the library itself: the reference. */
static cx_store *reference(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    for (size_t i = 0; i < sizeof table_order / sizeof table_order[0]; i++) {
        const char *name;
        char path[1024];
        OK(cx_table_name(&name, table_order[i]));
        snprintf(path, sizeof path, "%s/%s.csv", demo_dir(), name);
        cx_import_report *r;
        OK(cx_import_csv(&r, s, table_order[i], path, NULL));
        cx_import_report_free(r);
    }
    return s;
}

/* Unchecked fixture (runs once, in the parent): `cxkit import` of the demo. */
static void demo_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(demo_db_dir, sizeof demo_db_dir, "%s/cxcli-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(demo_db_dir));
    char out[600];
    snprintf(out, sizeof out, "%s/import.txt", demo_db_dir);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!freopen(out, "wb", stdout))
            _exit(126);
        execl(CXKIT_TOOL, "cxkit", "import", demo_db(), demo_dir(), (char *)NULL);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "cxkit import of the demo failed");
}

static void demo_teardown(void)
{
    char path[600];
    const char *names[] = {"demo.db", "demo.db-wal", "demo.db-shm", "import.txt"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", demo_db_dir, names[i]);
        unlink(path);
    }
    rmdir(demo_db_dir);
}

/* ---- reading outputs --------------------------------------------------- */

/* The lines of a file (CRLF or LF), NULL-terminated; free with lines_free. */
static char **lines_of(const char *file, size_t *count)
{
    char *text = slurp(P(file), NULL);
    size_t cap = 16, n = 0;
    char **v = malloc(cap * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        size_t l = len && p[len - 1] == '\r' ? len - 1 : len;
        if (n + 2 > cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            ck_assert_ptr_nonnull(v);
        }
        v[n] = strndup(p, l);
        ck_assert_ptr_nonnull(v[n]);
        n++;
        p += len + (p[len] == '\n');
    }
    v[n] = NULL;
    free(text);
    if (count)
        *count = n;
    return v;
}

static void lines_free(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* Field `k` (0-based) of a simple CSV line (no quoted commas in the fields
 * read this way); a static buffer. */
static const char *csv_field(const char *line, size_t k)
{
    static char buf[1024];
    const char *p = line;
    for (size_t i = 0; i < k; i++) {
        p = strchr(p, ',');
        EXPECT(p != NULL, "no field %zu in '%s'", k, line);
        p++;
    }
    size_t len = strcspn(p, ",");
    EXPECT(len < sizeof buf, "field too long");
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

/* The column number of `name` in a CSV header line. */
static size_t csv_column(const char *header, const char *name)
{
    for (size_t k = 0;; k++) {
        const char *f = csv_field(header, k);
        if (strcmp(f, name) == 0)
            return k;
        EXPECT(strchr(header, ',') != NULL, "no column %s", name);
    }
}

/* Code points of UTF-8 text (the demo's names have no combining marks). */
static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- help, version, usage ---------------------------------------------- */

static const char *const subcommands[] = {"import", "metrics", "journeys", "paths", "cycles", "text", "retention", "clv", "care",
                                          "agents", "history", "report", "sync", "forget", "pseudonymize"};

START_TEST(help_and_version)
{
    char version[64];
    snprintf(version, sizeof version, "cxkit %s\n", cx_version_string());
    ck_assert_int_eq(CXKIT("--version"), 0);
    assert_file_eq(P("out.txt"), version);
    ck_assert_int_eq(CXKIT("--help"), 0);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "  cxkit %s ", subcommands[i]);
        output_has("out.txt", line);
    }
    output_has("out.txt", "cxkit report");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        char line[64];
        ck_assert_int_eq(CXKIT(subcommands[i], "--help"), 0);
        snprintf(line, sizeof line, "usage: cxkit %s", subcommands[i]);
        output_has("out.txt", line);
        assert_file_eq(P("err.txt"), "");
    }
    ck_assert_int_eq(CXKIT("metrics", "x.db", "--format", "csv", "--help"), 0);
    output_has("out.txt", "--calendar SPEC");
    ck_assert_int_eq(CXKIT("frobnicate"), 2);
    ck_assert_int_eq(CXKIT("metrics"), 2);
    output_has("err.txt", "DB is missing");
    output_has("err.txt", "Try 'cxkit metrics --help'");
}
END_TEST

/* ---- import ------------------------------------------------------------ */

static void same_rows(const cx_store *a, const cx_store *b)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        ck_assert_uint_eq(store_rows(a, t), store_rows(b, t));
}

START_TEST(import_demo)
{
    /* the suite's database holds what the library imports from the files */
    cx_store *ref = reference(), *s;
    OK(cx_db_load(&s, demo_db()));
    same_rows(ref, s);
    cx_store_free(s);
    char line[128];
    size_t total = 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        total += t == CX_TABLE_QUESTIONS ? 2 : store_rows(ref, t); /* the file's 2, not the built-in 3 */
    snprintf(line, sizeof line, "%zu rows read, %zu added, 0 rejected (new database)", total, total);
    char imp[600];
    snprintf(imp, sizeof imp, "%s/import.txt", demo_db_dir);
    char *text = slurp(imp, NULL);
    EXPECT(strstr(text, line), "'%s' not in:\n%s", line, text);
    free(text);

    /* again into a copy: every row is there already, so rejected, and
     * reported on stderr; the file keeps its rows; no progress line (stderr
     * is not a terminal) */
    const char *db = K("again.db");
    ck_assert_int_eq(CXKIT("import", db, demo_dir()), 0);
    ck_assert_int_eq(CXKIT("import", db, demo_dir()), 0);
    output_has("out.txt", "0 added");
    output_has("err.txt", "cxkit import: rejected ");
    output_lacks("err.txt", "\r");
    OK(cx_db_load(&s, db));
    same_rows(ref, s);
    cx_store_free(s);
    /* --existing skip: counted unchanged, not rejected */
    ck_assert_int_eq(CXKIT("import", db, demo_dir(), "--existing", "skip"), 0);
    output_has("out.txt", ", 0 rejected");
    cx_store_free(ref);
}
END_TEST

START_TEST(import_files_and_failures)
{
    /* single files, CSV and JSON Lines, with --table for another name */
    write_file("customers.csv", "id,segment,region,plan,acquired\nC-1,consumer,الرياض,basic,\nC-2,vip,جدة,plus,\n");
    write_file("extra.jsonl", "{\"id\":\"C-3\",\"segment\":\"business\",\"region\":\"الدمام\",\"plan\":\"basic\"}\n");
    const char *db = K("small.db");
    ck_assert_int_eq(CXKIT("import", db, P("customers.csv"), P("extra.jsonl"), "--table", "customers"), 0);
    cx_store *s;
    OK(cx_db_load(&s, db));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), 3);
    cx_store_free(s);

    /* a bad row under --strict: exit 1, the file as it was (byte for byte) */
    mkdir(P("bad"), 0777);
    write_file("bad/customers.csv", "id,segment,region,plan,acquired\nC-9,consumer,x,basic,\nC-10,consumer,x,basic,"
                                    "not-a-time\n");
    size_t before_len, after_len;
    char *before = slurp(db, &before_len);
    ck_assert_int_eq(CXKIT("import", db, P("bad"), "--strict"), 1);
    output_has("err.txt", "line 3");
    output_has("err.txt", "nothing was written");
    char *after = slurp(db, &after_len);
    ck_assert(before_len == after_len && memcmp(before, after, before_len) == 0);
    free(before);
    free(after);
    /* ... and into a new file: no file at all */
    ck_assert_int_eq(CXKIT("import", P("new.db"), P("bad"), "--strict"), 1);
    ck_assert(!file_exists(P("new.db")));
    no_temp_left();
    /* without --strict the bad row is reported and kept in -r */
    ck_assert_int_eq(CXKIT("import", P("new.db"), P("bad"), "-r", P("rejects")), 0);
    output_has("err.txt", "rejected ");
    ck_assert(file_exists(P("rejects/customers.csv.rejects.csv")));

    /* usage: 2 */
    ck_assert_int_eq(CXKIT("import", P("x.db")), 2);
    write_file("notes.txt", "hello\n");
    ck_assert_int_eq(CXKIT("import", P("x.db"), P("notes.txt")), 2);
    output_has("err.txt", "TABLE.csv");
    ck_assert_int_eq(CXKIT("import", P("x.db"), P("customers.csv"), "--existing", "sometimes"), 2);
    /* failures: 1, nothing made */
    ck_assert_int_eq(CXKIT("import", P("x.db"), P("no-such-dir")), 1);
    output_has("err.txt", "no-such-dir");
    ck_assert_int_eq(CXKIT("import", P("no-dir/x.db"), P("customers.csv")), 1);
    output_has("err.txt", "cannot create");
    write_file("not-sqlite.db", "this is text\n");
    ck_assert_int_eq(CXKIT("import", P("not-sqlite.db"), P("customers.csv")), 1);
    output_has("err.txt", "not a SQLite database");
    assert_file_eq(P("not-sqlite.db"), "this is text\n");
    ck_assert(!file_exists(P("x.db")));
}
END_TEST

/* ---- databases that cannot be read ------------------------------------- */

/* Each analysis on `db` fails with exit 1 and a message holding `part`. */
static void every_analysis_fails(const char *db, const char *part)
{
    const char *report = K("never.html");
    const char *const runs[][6] = {{"metrics", db, NULL, NULL},
                                   {"report", db, "-o", report, NULL},
                                   {"journeys", db, "paths", NULL},
                                   {"retention", db, "cohorts", NULL},
                                   {"clv", db, NULL, NULL},
                                   {"care", db, NULL, NULL},
                                   {"agents", db, NULL, NULL},
                                   {"history", db, "C-100002", NULL}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        ck_assert_int_eq(cxkit(runs[i]), 1);
        output_has("err.txt", part);
        assert_file_eq(P("out.txt"), "");
    }
    ck_assert(!file_exists(report));
    no_temp_left();
}

START_TEST(bad_databases)
{
    every_analysis_fails(K("missing.db"), "no such database");
    ck_assert(!file_exists(P("missing.db")));
    write_file("text.db", "id,segment\nC-1,consumer\n");
    every_analysis_fails(K("text.db"), "is not a SQLite database");
    write_file("empty.db", "");
    every_analysis_fails(K("empty.db"), "is not a SQLite database");
    /* a SQLite file of another program */
    sqlite3 *h;
    ck_assert_int_eq(sqlite3_open(P("other.db"), &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    size_t n0, n1;
    char *b0 = slurp(P("other.db"), &n0);
    every_analysis_fails(K("other.db"), "not a CXKit database");
    char *b1 = slurp(P("other.db"), &n1);
    ck_assert(n0 == n1 && memcmp(b0, b1, n0) == 0); /* read, never changed */
    free(b0);
    free(b1);
    /* the demo database cut short */
    size_t len;
    char *full = slurp(demo_db(), &len);
    ck_assert_uint_gt(len, 8192);
    write_bytes("cut.db", full, 8192);
    free(full);
    every_analysis_fails(K("cut.db"), "cxkit ");
}
END_TEST

/* ---- metrics ----------------------------------------------------------- */

START_TEST(metrics_match_the_library)
{
    cx_store *ref = reference();
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, ref));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_run(&r, q));
    ck_assert_int_eq(CXKIT("metrics", demo_db(), "--measure", "nps,csat", "--by", "channel", "--format", "csv"), 0);
    size_t n;
    char **l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, cx_result_row_count(r) + 1);
    size_t c_nps = csv_column(l[0], "nps"), c_csat = csv_column(l[0], "csat"), c_ch = csv_column(l[0], "channel");
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        const char *ch = result_str(r, i, "channel");
        ck_assert_str_eq(csv_field(l[i + 1], c_ch), ch ? ch : "");
        const double want[2] = {result_real(r, i, "nps"), result_real(r, i, "csat")};
        const size_t col[2] = {c_nps, c_csat};
        for (int k = 0; k < 2; k++) {
            const char *f = csv_field(l[i + 1], col[k]);
            if (isnan(want[k]))
                ck_assert_str_eq(f, ""); /* no answers: empty, not 0 */
            else
                ck_assert_msg(strtod(f, NULL) == want[k], "%s vs %.17g", f, want[k]); /* every digit */
        }
    }
    lines_free(l);
    cx_result_free(r);
    cx_query_free(q);

    /* a filter, a month bucket in +03:00: labels and times in that offset */
    ck_assert_int_eq(CXKIT("metrics", demo_db(), "--measure", "nps", "--by", "channel,month", "--filter",
                           "channel=web", "--offset", "+03:00", "--format", "csv"),
                     0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_gt(n, 6);
    size_t c_month = csv_column(l[0], "month"), c_label = csv_column(l[0], "month_label");
    for (size_t i = 1; i < n; i++) {
        ck_assert_str_eq(csv_field(l[i], 0), "web");
        const char *label = strdup(csv_field(l[i], c_label));
        const char *when = csv_field(l[i], c_month);
        ck_assert_msg(strncmp(when, label, 7) == 0 && strstr(when, "T00:00:00+03:00"), "%s / %s", when, label);
        free((void *)label);
    }
    lines_free(l);
    /* the table shows the label, not the start time beside it */
    ck_assert_int_eq(CXKIT("metrics", demo_db(), "--measure", "nps", "--by", "month", "--offset", "+03:00"), 0);
    output_has("out.txt", "month_label");
    output_lacks("out.txt", "T00:00:00");

    /* business hours: the calendar's figures, not the wall clock's */
    cx_calendar *cal;
    OK(cx_calendar_new(&cal, 180));
    for (int d = 7; d != 5; d = d % 7 + 1) /* Sunday to Thursday */
        OK(cx_calendar_add_hours(cal, d, 8 * 60, 17 * 60));
    OK(cx_calendar_add_holiday(cal, 2025, 9, 23));
    OK(cx_query_new(&q, ref));
    OK(cx_query_add(q, CX_MEASURE_FIRST_RESPONSE));
    OK(cx_query_set_calendar(q, cal));
    OK(cx_query_run(&r, q));
    ck_assert_int_eq(CXKIT("metrics", demo_db(), "--measure", "first_response", "--calendar", "sun-thu=08:00-17:00",
                           "--holiday", "2025-09-23", "--offset", "+03:00", "--format", "csv", "--columns",
                           "first_response_mean,first_response_n"),
                     0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(l[0], "first_response_mean,first_response_n");
    ck_assert(strtod(csv_field(l[1], 0), NULL) == result_real(r, 0, "first_response_mean"));
    lines_free(l);
    cx_result_free(r);
    cx_query_free(q);
    /* and it differs from the wall clock */
    OK(cx_query_new(&q, ref));
    OK(cx_query_add(q, CX_MEASURE_FIRST_RESPONSE));
    OK(cx_query_run(&r, q));
    ck_assert_int_eq(CXKIT("metrics", demo_db(), "--measure", "first_response", "--calendar", "sun-thu=08:00-17:00",
                           "--offset", "+03:00", "--format", "json", "--columns", "first_response_mean"),
                     0);
    char wall[64];
    snprintf(wall, sizeof wall, "%.17g", result_real(r, 0, "first_response_mean"));
    output_lacks("out.txt", wall);
    output_has("out.txt", "[\n {\"first_response_mean\": ");
    cx_result_free(r);
    cx_query_free(q);
    cx_calendar_free(cal);
    cx_store_free(ref);
}
END_TEST

START_TEST(metrics_bad_arguments)
{
    const char *db = demo_db();
    ck_assert_int_eq(CXKIT("metrics", db, "--measure", "nps,happiness"), 2);
    output_has("err.txt", "unknown measure 'happiness'");
    ck_assert_int_eq(CXKIT("metrics", db, "--by", "colour"), 2);
    output_has("err.txt", "unknown grouping 'colour'");
    ck_assert_int_eq(CXKIT("metrics", db, "--offset", "+25:00"), 2);
    output_has("err.txt", "bad offset '+25:00'");
    ck_assert_int_eq(CXKIT("metrics", db, "--offset", "Riyadh"), 2);
    ck_assert_int_eq(CXKIT("metrics", db, "--from", "2025-02-30"), 2);
    output_has("err.txt", "bad date '2025-02-30'");
    ck_assert_int_eq(CXKIT("metrics", db, "--from", "yesterday"), 2);
    ck_assert_int_eq(CXKIT("metrics", db, "--from", "2025-06-01", "--to", "2025-01-01"), 2);
    ck_assert_int_eq(CXKIT("metrics", db, "--format", "xml"), 2);
    output_has("err.txt", "unknown format 'xml'");
    ck_assert_int_eq(CXKIT("metrics", db, "--calendar", "weekdays"), 2);
    output_has("err.txt", "bad --calendar 'weekdays'");
    ck_assert_int_eq(CXKIT("metrics", db, "--holiday", "2025-01-01"), 2);
    ck_assert_int_eq(CXKIT("metrics", db, "--filter", "channel"), 2);
    ck_assert_int_eq(CXKIT("metrics", db, "--sla", "high=soon"), 2);
    ck_assert_int_eq(CXKIT("metrics", db, "--columns", "nps,nope"), 2);
    output_has("err.txt", "no column 'nope'");
    ck_assert_int_eq(CXKIT("metrics", db, "--step", "x"), 2);
    output_has("err.txt", "unknown option '--step'");
    ck_assert_int_eq(CXKIT("metrics", db, "--measure"), 2);
    output_has("err.txt", "--measure needs a value");
    /* a value the data does not have: the library's word on it */
    ck_assert_int_ne(CXKIT("metrics", db, "--filter", "channel=carrier_pigeon"), 0);
    output_has("err.txt", "carrier_pigeon");
}
END_TEST

START_TEST(output_files)
{
    const char *db = demo_db();
    /* -o writes what standard output would have shown */
    ck_assert_int_eq(CXKIT("metrics", db, "--by", "segment", "--format", "csv"), 0);
    char *shown = slurp(P("out.txt"), NULL);
    ck_assert_int_eq(CXKIT("metrics", db, "--by", "segment", "--format", "csv", "-o", P("m.csv")), 0);
    assert_file_eq(P("m.csv"), shown);
    assert_file_eq(P("out.txt"), "");
    free(shown);
    /* an unwritable path: exit 1, the reason, nothing written */
    ck_assert_int_eq(CXKIT("metrics", db, "--format", "csv", "-o", P("no-such-dir/m.csv")), 1);
    output_has("err.txt", "cannot write");
    output_has("err.txt", "No such file or directory");
    ck_assert(!file_exists(P("no-such-dir")));
    mkdir(P("a-dir"), 0777);
    ck_assert_int_eq(CXKIT("clv", db, "-o", P("a-dir")), 1);
    output_has("err.txt", "cannot write");
    no_temp_left();
    /* a failed run leaves an existing output as it was */
    write_file("keep.csv", "old\n");
    ck_assert_int_eq(CXKIT("metrics", db, "--measure", "bogus", "-o", P("keep.csv")), 2);
    ck_assert_int_eq(CXKIT("metrics", P("missing.db"), "-o", P("keep.csv")), 1);
    ck_assert_int_eq(CXKIT("journeys", db, "funnel", "--step", "nowhere", "--step", "purchase", "-o", P("keep.csv")),
                     2);
    assert_file_eq(P("keep.csv"), "old\n");
    no_temp_left();
}
END_TEST

/* ---- journeys ---------------------------------------------------------- */

START_TEST(journeys_views)
{
    const char *db = demo_db();
    size_t n;
    /* the planted pain point leads the list */
    ck_assert_int_eq(CXKIT("journeys", db, "pain-points", "--format", "csv"), 0);
    char **l = lines_of("out.txt", &n);
    ck_assert_uint_gt(n, 3);
    ck_assert_str_eq(csv_field(l[1], csv_column(l[0], "touchpoint")), "home_delivery");
    lines_free(l);
    ck_assert_int_eq(CXKIT("journeys", db, "pain-points", "--columns", "touchpoint,score,reason", "--top", "2"), 0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 4); /* header, rule, 2 rows */
    ck_assert(strncmp(l[2], "home_delivery ", 14) == 0);
    lines_free(l);
    /* the build on any number of threads (every core by default): the same paths */
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--format", "csv", "--threads", "1", "-o", P("t1.csv")), 0);
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--format", "csv", "--threads", "3", "-o", P("t3.csv")), 0);
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--format", "csv", "-o", P("t0.csv")), 0);
    l = lines_of("t1.csv", &n);
    ck_assert_uint_gt(n, 3);
    lines_free(l);
    assert_files_same(P("t1.csv"), P("t3.csv"));
    assert_files_same(P("t1.csv"), P("t0.csv"));
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--threads", "many"), 2);
    output_has("err.txt", "bad --threads 'many'");
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--threads", "1025"), 2);
    /* paths: the top 3 */
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--level", "channel", "--top", "3", "--format", "csv"), 0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 4);
    lines_free(l);
    /* a funnel: entered never grows from step to step */
    ck_assert_int_eq(CXKIT("journeys", db, "funnel", "--step", "awareness", "--step", "stage:consideration", "--step",
                           "purchase", "--step", "touchpoint:home_delivery", "--window", "90d", "--format", "csv"),
                     0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 5);
    size_t c = csv_column(l[0], "entered");
    for (size_t i = 2; i < n; i++)
        ck_assert_int_le(atol(csv_field(l[i], c)), atol(csv_field(l[i - 1], c)));
    lines_free(l);
    ck_assert_int_eq(CXKIT("journeys", db, "transitions", "--level", "stage", "--format", "json"), 0);
    output_has("out.txt", "\"probability\": ");
    ck_assert_int_eq(CXKIT("journeys", db, "attribution", "--level", "channel"), 0);
    output_has("out.txt", "removal_effect");
    ck_assert_int_eq(CXKIT("journeys", db, "stages"), 0);
    ck_assert_int_eq(CXKIT("journeys", db, "drivers", "--format", "csv"), 0);
    ck_assert_int_eq(CXKIT("journeys", db, "path-counts", "--level", "channel", "--format", "csv"), 0);
    output_has("out.txt", "path,length,conversions,nulls,value");
    output_has("out.txt", " > ");
    ck_assert_int_eq(CXKIT("journeys", db, "steps", "--level", "stage", "--top", "3", "--format", "csv"), 0);
    output_has("out.txt", "step,name,journeys,share");
    output_has("out.txt", "3,,");
    /* the path counts, attributed from the file alone: the journeys' attribution */
    ck_assert_int_eq(CXKIT("journeys", db, "path-counts", "--level", "channel", "--format", "csv", "-o",
                           P("counts.csv")),
                     0);
    ck_assert_int_eq(CXKIT("paths", P("counts.csv"), "--conversions", "conversions", "--nulls", "nulls", "--value",
                           "value", "--format", "csv", "--columns", "name,markov", "-o", P("paths.csv")),
                     0);
    ck_assert_int_eq(CXKIT("journeys", db, "attribution", "--level", "channel", "--format", "csv", "--columns",
                           "name,markov", "-o", P("attr.csv")),
                     0);
    {
        size_t na, nb;
        char **a = lines_of("paths.csv", &na), **b = lines_of("attr.csv", &nb);
        ck_assert_uint_eq(na, nb);
        ck_assert_uint_gt(na, 5);
        for (size_t i = 0; i < na; i++) {
            const char *ca = strchr(a[i], ','), *cb = strchr(b[i], ',');
            ck_assert_ptr_nonnull(ca);
            ck_assert_ptr_nonnull(cb);
            ck_assert_int_eq((int)(ca - a[i]), (int)(cb - b[i]));
            ck_assert(strncmp(a[i], b[i], (size_t)(ca - a[i])) == 0); /* the same names in the same order */
            if (i)
                ck_assert(fabs(strtod(ca + 1, NULL) - strtod(cb + 1, NULL)) <= 1e-9 * (1 + fabs(strtod(cb + 1, NULL))));
        }
        lines_free(a);
        lines_free(b);
    }
    ck_assert_int_eq(CXKIT("paths", P("counts.csv")), 1); /* ChannelAttribution's column names are not there */
    output_has("err.txt", "no column \"total_conversions\"");
    ck_assert_int_eq(CXKIT("paths", P("counts.csv"), "--order", "9"), 2);
    ck_assert_int_eq(CXKIT("paths"), 2);
    /* the removals on any number of threads (every core by default): the same table */
    static const char *const paths_threads[] = {"1", "2", "0"};
    for (int t = 0; t < 3; t++) {
        char out[16];
        snprintf(out, sizeof out, "pt%s.csv", paths_threads[t]);
        ck_assert_int_eq(CXKIT("paths", P("counts.csv"), "--conversions", "conversions", "--nulls", "nulls", "--value",
                               "value", "--order", "2", "--format", "csv", "--threads", paths_threads[t], "-o", P(out)),
                         0);
        if (t)
            assert_files_same(P("pt1.csv"), P(out));
    }
    ck_assert_int_eq(CXKIT("paths", P("counts.csv"), "--threads", "-1"), 2);
    output_has("err.txt", "bad --threads '-1'");
    /* bad usage */
    ck_assert_int_eq(CXKIT("journeys", db), 2);
    ck_assert_int_eq(CXKIT("journeys", db, "sankey"), 2);
    output_has("err.txt", "unknown view 'sankey'");
    ck_assert_int_eq(CXKIT("journeys", db, "funnel"), 2);
    output_has("err.txt", "a funnel needs two --step");
    ck_assert_int_eq(CXKIT("journeys", db, "funnel", "--step", "awareness", "--step", "teleport"), 2);
    output_has("err.txt", "unknown step 'teleport'");
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--level", "planet"), 2);
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--gap", "soon"), 2);
    ck_assert_int_eq(CXKIT("journeys", db, "transitions", "--order", "0"), 2);
    ck_assert_int_eq(CXKIT("journeys", db, "paths", "--step", "awareness"), 2);
}
END_TEST

/* ---- cycles (issue 16) -------------------------------------------------- */

START_TEST(cycles_views)
{
    const char *db = demo_db();
    char events[600];
    snprintf(events, sizeof events, "%s/case_events.csv", demo_dir());
    /* the summary: one row per cycle number, first cycles the most */
    ck_assert_int_eq(CXKIT("cycles", db, events, "--format", "csv"), 0);
    output_has("out.txt", "cycle,cycles,resolved,open,mean_ms,median_ms,p90_ms,reopened,reopen_share,"
                          "median_lag_ms,ratio_to_first\r\n1,1495,");
    /* the demo's cases and events agree: nothing to report */
    ck_assert_int_eq(CXKIT("cycles", db, events, "check", "--strict", "--format", "csv"), 0);
    assert_file_eq(P("out.txt"), "case,time,event,problem\r\n");
    ck_assert_int_eq(CXKIT("cycles", db, events, "cycles", "--format", "csv", "--columns",
                           "case,cycle,store_check", "--top", "3"),
                     0);
    output_has("out.txt", "TKT-100001,1,ok");
    ck_assert_int_eq(CXKIT("cycles", db, events, "--by", "priority"), 0);
    output_has("out.txt", "urgent");
    /* a log at odds with the store: reported, or refused with --strict */
    write_file("ev.csv", "case,time,event\nTKT-100001,2025-10-12T18:28:37+03:00,opened\n"
                         "TKT-100001,2025-10-13T08:54:32+03:00,resolved\nTKT-100001,2025-10-14,resolved\n"
                         "=cmd|' /C calc'!A0,2025-01-01,opened\n");
    ck_assert_int_eq(CXKIT("cycles", db, P("ev.csv"), "check", "--format", "csv"), 0);
    output_has("out.txt", "TKT-100001,2025-10-14T00:00:00Z,resolved,resolved twice");
    output_has("out.txt", "\"'=cmd|' /C calc'!A0\",,,case not in the store"); /* a formula is made harmless */
    ck_assert_int_eq(CXKIT("cycles", db, P("ev.csv"), "--strict"), 1);
    output_has("err.txt", "is not in the store"); /* "=" sorts before "T" */
    /* bad files and usage */
    write_file("bad.csv", "case,time,event\nT-1,2024-01-01,closed\n");
    ck_assert_int_eq(CXKIT("cycles", db, P("bad.csv")), 1);
    output_has("err.txt", "bad.csv:2, column 3 (\"event\")");
    ck_assert_int_eq(CXKIT("cycles", db, P("missing.csv")), 1);
    ck_assert_int_eq(CXKIT("cycles", db), 2);
    output_has("err.txt", "case events is missing");
    ck_assert_int_eq(CXKIT("cycles", db, events, "flows"), 2);
    output_has("err.txt", "unknown view 'flows'");
    ck_assert_int_eq(CXKIT("cycles", db, events, "--by", "planet"), 2);
}
END_TEST

/* ---- retention, clv, care ---------------------------------------------- */

START_TEST(retention_views)
{
    const char *db = demo_db();
    cx_store *ref = reference();
    cx_cohorts_options *o;
    cx_result *r;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_QUARTER));
    OK(cx_cohorts_options_set_offset(o, 180));
    OK(cx_cohorts_run(&r, ref, o));
    cx_cohorts_options_free(o);
    ck_assert_int_eq(CXKIT("retention", db, "cohorts", "--bucket", "quarter", "--offset", "+03:00", "--format", "csv"),
                     0);
    size_t n;
    char **l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, cx_result_row_count(r) + 1);
    size_t c = csv_column(l[0], "retention");
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        double want = result_real(r, i, "retention");
        const char *f = csv_field(l[i + 1], c);
        if (isnan(want))
            ck_assert_str_eq(f, "");
        else
            ck_assert(strtod(f, NULL) == want);
    }
    lines_free(l);
    cx_result_free(r);
    ck_assert_int_eq(CXKIT("retention", db, "survival", "--by", "segment"), 0);
    output_has("out.txt", "consumer");
    output_has("out.txt", "log-rank test across the groups");
    ck_assert_int_eq(CXKIT("retention", db, "survival", "--by", "segment", "--format", "csv"), 0);
    output_lacks("out.txt", "log-rank"); /* CSV is the table alone */
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 1 + vocab_size(ref, CX_VOCAB_SEGMENT));
    lines_free(l);
    ck_assert_int_eq(CXKIT("retention", db, "curve", "--inactivity", "90d", "--format", "json", "--top", "5"), 0);
    output_has("out.txt", "\"survival\": ");
    ck_assert_int_eq(CXKIT("retention", db, "cohorts", "--bucket", "fortnight"), 2);
    ck_assert_int_eq(CXKIT("retention", db, "cohorts", "--by", "segment"), 2);
    ck_assert_int_eq(CXKIT("retention", db, "survival", "--inactivity", "-3d"), 2);
    ck_assert_int_eq(CXKIT("retention", db, "survival", "--as-of", "2025-13-01"), 2);
    ck_assert_int_eq(CXKIT("retention", db, "heatmap"), 2);
    /* lifecycle and stickiness: the library's tables, cell for cell */
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_WEEK));
    OK(cx_cohorts_options_set_activity(o, CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND));
    for (int v = 0; v < 2; v++) {
        OK(v ? cx_stickiness_run(&r, ref, o) : cx_lifecycle_run(&r, ref, o));
        ck_assert_int_eq(CXKIT("retention", db, v ? "stickiness" : "lifecycle", "--bucket", "week", "--activity",
                               "transactions,inbound", "--format", "csv"),
                         0);
        l = lines_of("out.txt", &n);
        ck_assert_uint_eq(n, cx_result_row_count(r) + 1);
        c = csv_column(l[0], v ? "customers" : "resurrecting");
        for (size_t i = 0; i < cx_result_row_count(r); i++)
            ck_assert_int_eq(strtoll(csv_field(l[i + 1], c), NULL, 10), result_int(r, i, v ? "customers" : "resurrecting"));
        lines_free(l);
        cx_result_free(r);
    }
    cx_cohorts_options_free(o);
    ck_assert_int_eq(CXKIT("retention", db, "lifecycle", "--by", "segment"), 2);
    cx_store_free(ref);
}
END_TEST

START_TEST(clv_and_care)
{
    const char *db = demo_db();
    size_t n;
    ck_assert_int_eq(CXKIT("clv", db, "--format", "csv"), 0);
    char **l = lines_of("out.txt", &n);
    cx_store *ref = reference();
    /* a row per customer with a purchase */
    size_t ncust = store_rows(ref, CX_TABLE_CUSTOMERS), buyers = 0;
    bool *bought = calloc(ncust, sizeof *bought);
    ck_assert_ptr_nonnull(bought);
    for (size_t i = 0; i < store_rows(ref, CX_TABLE_TRANSACTIONS); i++) {
        size_t row;
        OK(cx_store_find(&row, ref, CX_TABLE_CUSTOMERS, store_str(ref, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_CUSTOMER, i)));
        buyers += !bought[row];
        bought[row] = true;
    }
    free(bought);
    ck_assert_uint_eq(n - 1, buyers);
    size_t c = csv_column(l[0], "clv"), pa = csv_column(l[0], "p_alive");
    for (size_t i = 2; i < n; i++) {
        const char *prev = strdup(csv_field(l[i - 1], c));
        ck_assert_msg(strtod(csv_field(l[i], c), NULL) <= strtod(prev, NULL), "not sorted at %zu", i);
        free((void *)prev);
        double p = strtod(csv_field(l[i], pa), NULL);
        ck_assert(p >= 0 && p <= 1);
    }
    lines_free(l);
    ck_assert_int_eq(CXKIT("clv", db, "--top", "5"), 0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 7);
    lines_free(l);
    ck_assert_int_eq(CXKIT("clv", db, "params", "--format", "csv"), 0);
    output_has("out.txt", "\r\nalpha,");
    output_has("out.txt", "\r\ngamma,");
    ck_assert_int_eq(CXKIT("clv", db, "--model", "magic"), 2);
    ck_assert_int_eq(CXKIT("clv", db, "--discount", "2"), 2);
    ck_assert_int_eq(CXKIT("clv", db, "--horizon", "many"), 2);
    ck_assert_int_eq(CXKIT("clv", db, "forecast"), 2);

    /* the care list: the most urgent first */
    ck_assert_int_eq(CXKIT("care", db, "--as-of", "2026-01-01T00:00:00+03:00", "--format", "csv"), 0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_gt(n, 10);
    size_t cp = csv_column(l[0], "priority");
    csv_column(l[0], "reason");
    for (size_t i = 2; i < n; i++)
        ck_assert_int_le(atol(csv_field(l[i], cp)), atol(csv_field(l[i - 1], cp)));
    lines_free(l);
    ck_assert_int_eq(CXKIT("care", db, "--top", "3", "--format", "json"), 0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 5); /* [, 3 rows, ] */
    lines_free(l);
    ck_assert_int_eq(CXKIT("care", db, "--top", "0"), 2);
    ck_assert_int_eq(CXKIT("care", db, "--as-of", "soon"), 2);
    cx_store_free(ref);
}
END_TEST

/* ---- agents, history, display widths ----------------------------------- */

/* ---- text ------------------------------------------------------------- */

START_TEST(text_views)
{
    const char *db = demo_db();
    /* the planted problem shows in what home_delivery's detractors write */
    ck_assert_int_eq(CXKIT("text", db, "themes", "--touchpoint", "home_delivery", "--format", "csv", "--columns",
                           "group,label,low_share,z", "--top", "10"),
                     0);
    output_has("out.txt", "home_delivery,التوصيل,");
    output_has("out.txt", "home_delivery,late,");
    /* the library's search, row for row */
    cx_store *ref = reference();
    cx_text_index *ix;
    cx_result *r;
    OK(cx_text_index_new(&ix, ref, CX_LANG_AUTO));
    OK(cx_text_search(&r, ix, "late delivery", 0));
    ck_assert_int_eq(CXKIT("text", db, "search", "late delivery", "--format", "csv", "--columns", "customer"), 0);
    size_t n;
    char **l = lines_of("out.txt", &n);
    ck_assert_uint_gt(cx_result_row_count(r), 10);
    ck_assert_uint_eq(n, cx_result_row_count(r) + 1);
    for (size_t i = 0; i < cx_result_row_count(r); i++)
        ck_assert_str_eq(l[i + 1], result_str(r, i, "customer"));
    lines_free(l);
    cx_result_free(r);
    cx_text_index_free(ix);
    cx_store_free(ref);
    ck_assert_int_eq(CXKIT("text", db, "terms", "--metric", "csat", "--top", "3"), 0);
    ck_assert_int_eq(CXKIT("text", db, "themes", "--by", "channel", "--metric", "csat", "--min-count", "3", "--format", "json"), 0);
    output_has("out.txt", "\"z\": ");
    /* bad usage */
    ck_assert_int_eq(CXKIT("text", db, "search"), 2);
    output_has("err.txt", "search needs the words");
    ck_assert_int_eq(CXKIT("text", db, "themes", "--by", "colour"), 2);
    ck_assert_int_eq(CXKIT("text", db, "themes", "--metric", "joy"), 2);
    ck_assert_int_eq(CXKIT("text", db, "poems"), 2);
    ck_assert_int_eq(CXKIT("text", db, "themes", "--touchpoint", "nowhere"), 1);
    ck_assert_int_eq(CXKIT("text", db, "search", "the"), 1); /* a stop word alone: no term to look for */
}
END_TEST

START_TEST(agents_and_history)
{
    const char *db = demo_db();
    size_t n;
    ck_assert_int_eq(CXKIT("agents", db, "--agent", "Omar Haddad", "--offset", "+03:00", "--from", "2025-12-01",
                           "--to", "2025-12-31", "--format", "csv"),
                     0);
    char **l = lines_of("out.txt", &n);
    ck_assert_uint_gt(n, 2);
    size_t ca = csv_column(l[0], "agent"), cd = csv_column(l[0], "day_label");
    for (size_t i = 1; i < n; i++) {
        ck_assert_str_eq(csv_field(l[i], ca), "Omar Haddad");
        ck_assert(strncmp(csv_field(l[i], cd), "2025-12-", 8) == 0);
    }
    lines_free(l);
    ck_assert_int_ne(CXKIT("agents", db, "--agent", "Nobody Atall"), 0);
    output_has("err.txt", "Nobody Atall");

    /* the aligned table: every line as wide as the others, in display
     * cells, with Arabic agent names (the last column is right-aligned) */
    ck_assert_int_eq(CXKIT("agents", db, "--from", "2025-12-01", "--to", "2025-12-02", "--offset", "+03:00",
                           "--columns", "agent,handle_time_n"),
                     0);
    output_has("out.txt", "عبدالله الدوسري");
    l = lines_of("out.txt", &n);
    ck_assert_uint_gt(n, 4);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(code_points(l[i]) == code_points(l[0]), "line %zu is %zu cells, the header %zu:\n%s\n%s", i,
                      code_points(l[i]), code_points(l[0]), l[0], l[i]);
    lines_free(l);

    /* one customer's history: every record of theirs, in time order */
    cx_store *ref = reference();
    cx_history *h;
    OK(cx_history_new(&h, ref, "C-100002", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_int_eq(CXKIT("history", db, "C-100002", "--offset", "+03:00", "--format", "csv"), 0);
    l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, cx_history_count(h) + 1);
    for (size_t i = 2; i < n; i++) {
        char a[64];
        snprintf(a, sizeof a, "%s", csv_field(l[i - 1], 0));
        ck_assert_str_le(a, csv_field(l[i], 0));
    }
    lines_free(l);
    cx_history_free(h);
    ck_assert_int_eq(CXKIT("history", db, "C-100002", "--from", "2025-10-01", "--to", "2025-10-31", "--offset",
                           "+03:00", "--format", "json"),
                     0);
    output_has("out.txt", "\"time\": \"2025-10-");
    output_lacks("out.txt", "\"time\": \"2025-09-");
    ck_assert_int_eq(CXKIT("history", db, "C-999999"), 1);
    output_has("err.txt", "no customer 'C-999999'");
    ck_assert_int_eq(CXKIT("history", db), 2);
    cx_store_free(ref);
}
END_TEST

/* ---- hostile text ------------------------------------------------------ */

START_TEST(hostile_text)
{
    mkdir(P("hostile"), 0777);
    write_file("hostile/customers.csv",
               "id,segment,region,plan,acquired\n"
               "\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\",consumer,<script>alert(1)</script>,basic,\n"
               "-2+3,consumer,@SUM(A1:A9),basic,\n"
               "plain,consumer,الرياض,basic,\n");
    write_file("hostile/feedback.csv",
               "id,customer,question,score,time,touchpoint,interaction,case,comment\n"
               "F1,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\",nps,0,2025-01-05T10:00:00Z,,,,"
               "\"+1+1\"\n"
               "F2,-2+3,nps,2,2025-01-06T10:00:00Z,,,,\"<script>x</script>\"\n"
               "F3,plain,nps,10,2025-01-07T10:00:00Z,,,,\"line one\nline two\"\n");
    write_file("hostile/transactions.csv", "id,customer,time,amount\n"
                                           "X1,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\","
                                           "2025-01-05T10:00:00Z,10\n"
                                           "X2,-2+3,2025-01-06T10:00:00Z,20\n");
    const char *db = K("hostile.db");
    ck_assert_int_eq(CXKIT("import", db, P("hostile")), 0);

    /* CSV: formulas become text; a negative number stays a number */
    ck_assert_int_eq(CXKIT("metrics", db, "--measure", "nps", "--by", "region", "--format", "csv", "--columns",
                           "region,nps"),
                     0);
    output_has("out.txt", "\"'@SUM(A1:A9)\",-100\r\n");
    output_has("out.txt", "<script>alert(1)</script>,-100\r\n");
    output_has("out.txt", "الرياض,100\r\n");
    const char *id = "=HYPERLINK(\"http://evil.example/\",\"click\")";
    ck_assert_int_eq(CXKIT("history", db, id, "--format", "csv", "--columns", "id,record,comment"), 0);
    output_has("out.txt", "F1,feedback,\"'+1+1\"\r\n");
    ck_assert_int_eq(CXKIT("history", db, "--format", "csv", "--columns", "record,comment", "--", "-2+3"), 0);
    output_has("out.txt", "feedback,<script>x</script>\r\n");
    ck_assert_int_eq(CXKIT("history", db, "plain", "--format", "csv", "--columns", "comment"), 0);
    output_has("out.txt", "\"line one\nline two\"\r\n");
    /* the id itself, as text of the feedback's history row */
    ck_assert_int_eq(CXKIT("history", db, id, "--format", "csv", "--columns", "what"), 0);
    output_has("out.txt", "feedback: nps\r\n");
    /* JSON: exact text, escaped; nothing HTML would run */
    ck_assert_int_eq(CXKIT("metrics", db, "--measure", "nps", "--by", "region", "--format", "json"), 0);
    output_has("out.txt", "\"region\": \"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
    output_has("out.txt", "\"region\": \"@SUM(A1:A9)\"");
    output_lacks("out.txt", "<script>");
    ck_assert_int_eq(CXKIT("history", db, "plain", "--format", "json", "--columns", "comment"), 0);
    output_has("out.txt", "{\"comment\": \"line one\\nline two\"}");
    /* the terminal table: a line break inside a cell does not break the row */
    ck_assert_int_eq(CXKIT("history", db, "plain", "--columns", "record,comment"), 0);
    size_t n;
    char **l = lines_of("out.txt", &n);
    ck_assert_uint_eq(n, 3);
    ck_assert(strstr(l[2], "line one line two") != NULL);
    lines_free(l);
}
END_TEST

/* ---- report ------------------------------------------------------------- */

/* Counts the occurrences of `part` in a file of the test's directory. */
static size_t count_in(const char *file, const char *part)
{
    char *text = slurp(P(file), NULL);
    size_t n = 0;
    for (const char *p = strstr(text, part); p; p = strstr(p + 1, part))
        n++;
    free(text);
    return n;
}

START_TEST(report_demo)
{
    static const char *const charts[] = {"trend-nps",   "trend-csat",  "trend-ces",  "channel-nps",
                                         "channel-csat", "channel-ces", "touchpoint-csat", "funnel",
                                         "sankey",      "attribution", "pain-points", "retention",
                                         "survival",    "agents-fcr"};
    const char *en = K("report-en.html"), *ar = K("report-ar.html");
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", en), 0);
    output_has("out.txt", "NPS ");
    output_has("out.txt", "first pain point: home_delivery (delivery, purchase)");
    output_has("out.txt", "report (English): /");
    output_has("out.txt", "report-en.html\n");
    assert_file_eq(P("err.txt"), "");
    output_has("report-en.html", "<html lang=\"en\" dir=\"ltr\">");
    for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
        char tag[80];
        snprintf(tag, sizeof tag, "data-chart=\"%s\"", charts[i]);
        ck_assert_msg(count_in("report-en.html", tag) == 1, "chart %s: %zu times", charts[i],
                      count_in("report-en.html", tag));
    }
    /* nothing runs, nothing is fetched */
    output_lacks("report-en.html", "<script");
    /* (the SVG namespace is a name, not an address: it is never fetched) */
    ck_assert_uint_eq(count_in("report-en.html", "http://"), count_in("report-en.html", "xmlns=\"http://www.w3.org/2000/svg\""));
    output_lacks("report-en.html", "https://");
    output_lacks("report-en.html", "data-marks=\"0\"");
    /* the planted pain point leads the table */
    char *text = slurp(P("report-en.html"), NULL);
    char *table = strstr(text, "data-table=\"pain-points\"");
    ck_assert(table != NULL);
    char *first = strstr(table, "<tbody>");
    ck_assert(first != NULL);
    ck_assert(strstr(first, "<th scope=\"row\">home_delivery</th>") != NULL);
    ck_assert(strstr(first, "<th scope=\"row\">home_delivery</th>") < strstr(first, "</tr>"));
    free(text);
    /* every figure names the command that prints its numbers */
    output_has("report-en.html", "cxkit journeys ");
    output_has("report-en.html", " pain-points</code>");

    ck_assert_int_eq(CXKIT("report", demo_db(), "--lang", "ar", "-o", ar, "--offset", "+03:00"), 0);
    output_has("out.txt", "report (Arabic): /");
    output_has("report-ar.html", "<html lang=\"ar\" dir=\"rtl\">");
    output_has("report-ar.html", "تقرير تجربة العملاء");
    output_has("report-ar.html", "نقاط الألم");
    output_has("report-ar.html", "مقابل");
    output_has("report-ar.html", "--offset +03:00");
    for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
        char tag[80];
        snprintf(tag, sizeof tag, "data-chart=\"%s\"", charts[i]);
        ck_assert_uint_eq(count_in("report-ar.html", tag), 1);
    }
    /* a title of the user's, escaped; the same report twice is the same file */
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", K("t1.html"), "--title", "<b>Q3 & \"you\"</b>"), 0);
    output_has("t1.html", "<h1>&lt;b&gt;Q3 &amp; &quot;you&quot;&lt;/b&gt;</h1>");
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", K("t2.html"), "--title", "<b>Q3 & \"you\"</b>"), 0);
    size_t n1, n2;
    char *a = slurp(P("t1.html"), &n1), *b = slurp(P("t2.html"), &n2);
    ck_assert(n1 == n2 && memcmp(a, b, n1) == 0);
    free(a);
    free(b);
    /* funnel steps of the user's */
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", K("steps.html"), "--step", "stage:consideration", "--step",
                           "stage:purchase"),
                     0);
    output_has("steps.html", "--step stage:consideration --step stage:purchase</code>");
    no_temp_left();
}
END_TEST

START_TEST(report_failures)
{
    const char *out = K("r.html");
    /* bad usage: exit 2, nothing written */
    ck_assert_int_eq(CXKIT("report", demo_db()), 2);
    output_has("err.txt", "give -o FILE");
    ck_assert_int_eq(CXKIT("report", "-o", out), 2);
    output_has("err.txt", "DB is missing");
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", out, "--lang", "fr"), 2);
    output_has("err.txt", "unknown language 'fr'");
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", out, "--frob"), 2);
    output_has("err.txt", "unknown option '--frob'");
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", out, "--step", "stage:purchase"), 2);
    output_has("err.txt", "two --step");
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", out, "--as-of", "yesterday"), 2);
    output_has("err.txt", "bad date 'yesterday'");
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", out, "--offset", "+25:00"), 2);
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", out, "--by", "shoe_size"), 2);
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", out, "--step", "stage:x", "--step", "nonsense:y"), 2);
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o"), 2);
    ck_assert(!file_exists(out));
    /* unwritable places: exit 1, a message, nothing written */
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", K("no/such/dir/r.html")), 1);
    output_has("err.txt", "cannot write");
    assert_file_eq(P("out.txt"), "");
    mkdir(P("adir"), 0777);
    ck_assert_int_eq(CXKIT("report", demo_db(), "-o", K("adir")), 1);
    output_has("err.txt", "is a directory");
    if (geteuid() != 0) { /* root writes anywhere */
        mkdir(P("ro"), 0555);
        ck_assert_int_eq(CXKIT("report", demo_db(), "-o", K("ro/r.html")), 1);
        output_has("err.txt", "cannot write");
        ck_assert(!file_exists(P("ro/r.html")));
    }
    /* an existing report is replaced whole, or kept when the run fails */
    write_file("keep.html", "old");
    ck_assert_int_eq(CXKIT("report", K("missing.db"), "-o", K("keep.html")), 1);
    assert_file_eq(P("keep.html"), "old");
    ck_assert(!file_exists(out));
    no_temp_left();
}
END_TEST

START_TEST(report_hostile_and_sparse)
{
    /* names from a CRM are text in the page, never markup */
    mkdir(P("h"), 0777);
    write_file("h/touchpoints.csv", "name,channel,stage,kind,key,weight\n"
                                    "\"<script>alert(1)</script>\",web,purchase,sales,1,1\n"
                                    "web_checkout,web,purchase,sales,0,1\n");
    write_file("h/customers.csv", "id,segment,region,plan,acquired\n"
                                  "\"</svg><script>alert(3)</script>\",\"<i>seg</i>\",r,basic,\n"
                                  "c2,consumer,r,basic,\n");
    write_file("h/questions.csv", "name,metric,scale_min,scale_max,higher_is_better\n"
                                  "\"\"\"><img src=x onerror=alert(2)>\",csat,1,5,1\n");
    write_file("h/cases.csv", "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                              "K1,c2,web,high,\"<b onmouseover=alert(4)>agent</b>\",2025-01-02T10:00:00Z,"
                              "2025-01-02T11:00:00Z,2025-01-03T10:00:00Z,0,1\n");
    write_file("h/interactions.csv",
               "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
               "I1,\"</svg><script>alert(3)</script>\",\"<script>alert(1)</script>\",2025-01-01T10:00:00Z,purchase,"
               "inbound,,,0,handled,10\n"
               "I2,c2,web_checkout,2025-01-02T10:00:00Z,purchase,inbound,,K1,0,handled,10\n");
    write_file("h/feedback.csv", "id,customer,question,score,time,touchpoint,interaction,case,comment\n"
                                 "F1,\"</svg><script>alert(3)</script>\",\"\"\"><img src=x onerror=alert(2)>\",1,"
                                 "2025-01-01T11:00:00Z,"
                                 "\"<script>alert(1)</script>\",I1,,\"<script>alert(5)</script>\"\n");
    const char *db = K("h.db");
    ck_assert_int_eq(CXKIT("import", db, P("h")), 0);
    output_has("out.txt", " 0 rejected");
    ck_assert_int_eq(CXKIT("report", db, "-o", K("h.html")), 0);
    output_lacks("h.html", "<script");
    output_lacks("h.html", "<img");
    output_lacks("h.html", "<b onmouseover");
    output_lacks("h.html", "</svg><");
    output_has("h.html", "&lt;script&gt;alert(1)&lt;/script&gt;"); /* the touchpoint */
    output_has("h.html", "&lt;b onmouseover=alert(4)&gt;agent&lt;/b&gt;"); /* the agent */
    output_has("h.html", "&lt;i&gt;seg&lt;/i&gt;"); /* the segment */
    /* a small database: small samples marked, parts without data say so */
    output_has("h.html", "small sample");
    ck_assert_int_eq(CXKIT("report", db, "-o", K("h-ar.html"), "--lang", "ar"), 0);
    output_lacks("h-ar.html", "<script");
    output_has("h-ar.html", "عينة صغيرة");

    /* a database with customers only: every part says it has nothing */
    mkdir(P("c"), 0777);
    write_file("c/customers.csv", "id,segment,region,plan,acquired\nc1,consumer,r,basic,\n");
    ck_assert_int_eq(CXKIT("import", K("c.db"), P("c")), 0);
    int rc = CXKIT("report", K("c.db"), "-o", K("c.html"));
    ck_assert_int_eq(rc, 0);
    ck_assert(file_exists(P("c.html")));
    output_has("c.html", "No data for this chart.");
    output_lacks("c.html", "<script");
}
END_TEST

int main(void)
{
    Suite *su = suite_create("cli");
    TCase *tc = tcase_create("cxkit");
    tcase_add_unchecked_fixture(tc, demo_setup, demo_teardown);
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, import_demo);
    tcase_add_test(tc, import_files_and_failures);
    tcase_add_test(tc, bad_databases);
    tcase_add_test(tc, metrics_match_the_library);
    tcase_add_test(tc, metrics_bad_arguments);
    tcase_add_test(tc, output_files);
    tcase_add_test(tc, journeys_views);
    tcase_add_test(tc, retention_views);
    tcase_add_test(tc, clv_and_care);
    tcase_add_test(tc, text_views);
    tcase_add_test(tc, agents_and_history);
    tcase_add_test(tc, cycles_views);
    tcase_add_test(tc, hostile_text);
    tcase_add_test(tc, report_demo);
    tcase_add_test(tc, report_failures);
    tcase_add_test(tc, report_hostile_and_sparse);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
