/* Tests of CSV and JSON Lines import and export (cx_import_*, cx_export_*):
 * byte-exact round trips of every table, Arabic text, RFC 4180 quoting, the
 * accepted time forms, column mapping, delimiters, every kind of bad row
 * with its report and reject file, strict mode rolling the store back, and
 * the argument checks. Public API only. */
#include "cx_test.h"

typedef int (*import_fn)(cx_import_report **, cx_store *, cx_table, const char *, const cx_import_options *);

/* Imports and checks the counts; returns the report (to free). */
static cx_import_report *import_ok(import_fn fn, cx_store *s, int table, const char *path, const cx_import_options *o,
                                   uint64_t read, uint64_t accepted, uint64_t rejected)
{
    cx_import_report *r = NULL;
    int rc = fn(&r, s, table, path, o);
    ck_assert_msg(rc == CX_OK, "import of %s: %s", path, cx_last_error());
    ck_assert_ptr_nonnull(r);
    ck_assert_msg(cx_import_report_read(r) == read && cx_import_report_accepted(r) == accepted &&
                      cx_import_report_rejected(r) == rejected,
                  "%s: read %llu accepted %llu rejected %llu, expected %llu %llu %llu", path,
                  (unsigned long long)cx_import_report_read(r), (unsigned long long)cx_import_report_accepted(r),
                  (unsigned long long)cx_import_report_rejected(r), (unsigned long long)read,
                  (unsigned long long)accepted, (unsigned long long)rejected);
    size_t described = rejected < CX_IMPORT_REPORT_MAX_DETAILS ? (size_t)rejected : CX_IMPORT_REPORT_MAX_DETAILS;
    ck_assert_uint_eq(cx_import_report_details(r), described);
    return r;
}

/* Checks rejected row `i` of a report: its line, column and (part of) its reason. */
static void detail(const cx_import_report *r, size_t i, uint64_t line, int column, const char *reason_part)
{
    uint64_t l;
    int c;
    const char *why;
    OK(cx_import_report_line(&l, r, i));
    OK(cx_import_report_column(&c, r, i));
    OK(cx_import_report_reason(&why, r, i));
    ck_assert_msg(l == line && c == column && strstr(why, reason_part) != NULL,
                  "detail %zu: line %llu column %d reason '%s'; expected line %llu column %d reason with '%s'", i,
                  (unsigned long long)l, c, why, (unsigned long long)line, column, reason_part);
}

/* Counts of every table and named set, to tell whether a store changed. */
typedef struct snapshot {
    size_t rows[CX_TABLE_COUNT], sets[CX_VOCAB_COUNT];
} snapshot;

static snapshot snap(const cx_store *s)
{
    snapshot m;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        m.rows[t] = store_rows(s, t);
    for (int i = 0; i < CX_VOCAB_COUNT; i++)
        m.sets[i] = vocab_size(s, i);
    return m;
}

static void assert_snap(const cx_store *s, const snapshot *m)
{
    snapshot now = snap(s);
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        ck_assert_msg(now.rows[t] == m->rows[t], "table %d has %zu rows, had %zu", t, now.rows[t], m->rows[t]);
    for (int i = 0; i < CX_VOCAB_COUNT; i++)
        ck_assert_msg(now.sets[i] == m->sets[i], "set %d has %zu names, had %zu", i, now.sets[i], m->sets[i]);
}

/* Exports every table of a store as `<prefix><table>.csv` and `.jsonl`. */
static void export_all(const cx_store *s, const char *prefix, int offset)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        char name[64];
        snprintf(name, sizeof name, "%s%d.csv", prefix, t);
        OK(cx_export_csv(s, t, P(name), offset));
        snprintf(name, sizeof name, "%s%d.jsonl", prefix, t);
        OK(cx_export_jsonl(s, t, P(name), offset));
    }
}

static void assert_exports_same(const char *pa, const char *pb)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        for (int j = 0; j < 2; j++) {
            char a[64], b[64];
            snprintf(a, sizeof a, "%s%d.%s", pa, t, j ? "jsonl" : "csv");
            snprintf(b, sizeof b, "%s%d.%s", pb, t, j ? "jsonl" : "csv");
            char fa[256];
            snprintf(fa, sizeof fa, "%s", P(a));
            assert_files_same(fa, P(b));
        }
    }
}

/* Tables in an order that satisfies references (cases before interactions). */
static const int load_order[CX_TABLE_COUNT] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,
                                               CX_TABLE_INTERACTIONS, CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,
                                               CX_TABLE_TRANSACTIONS};

/* ---- round trips ------------------------------------------------------ */

/* Every table in the exact form cx_export_csv() writes (offset 0). The
 * questions file starts with the three built-in questions, which every new
 * store already holds. */
static const char *const csv_text[CX_TABLE_COUNT] = {
    [CX_TABLE_CUSTOMERS] = "id,segment,region,plan,acquired,name,tier\n"
                           "C-1,consumer,الرياض,premium,2024-01-15T05:00:00Z,\"سارة، العتيبي \"\"س\"\"\",\n"
                           "عميل-٢,,,,,,\"\"\n"
                           "C-3,business,\"جدة, الحمراء\",basic,1969-07-20T20:17:40.500Z,\"سطر\nسطر\",ذهبي\n",
    [CX_TABLE_TOUCHPOINTS] = "name,channel,stage,kind,key,weight\n"
                             "web,web,consideration,sales,1,2.5\n"
                             "نقطة بيع,store,purchase,,0,0.1\n",
    [CX_TABLE_INTERACTIONS] = "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value,id\n"
                              "C-1,web,2024-02-01T10:00:00Z,contact,inbound,نورة,T-1,123456,handled,0,I-1\n"
                              "عميل-٢,نقطة بيع,1969-07-20T20:17:40.500Z,,outbound,,,0,abandoned,99.99,\n"
                              "C-3,web,2024-03-01T00:00:00Z,visit,inbound,,,5,missed,-1.5,\"تفاعل \"\"٣\"\", جدة\"\n",
    [CX_TABLE_CASES] = "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                       "T-1,C-1,phone,high,نورة,2024-02-01T10:00:00Z,2024-02-01T10:30:00Z,,0,1\n"
                       "T-2,عميل-٢,chat,,,2024-02-05T09:00:00Z,,2024-02-06T09:00:00.001Z,2,3\n",
    [CX_TABLE_QUESTIONS] = "name,metric,scale_min,scale_max,higher_is_better\n"
                           "nps,nps,0,10,1\n"
                           "csat,csat,1,5,1\n"
                           "ces,ces,1,7,1\n"
                           "ces_low,ces,1,7,0\n"
                           "رضا,custom,-2,2.5,1\n",
    [CX_TABLE_FEEDBACK] = "customer,question,score,time,touchpoint,interaction,case,comment,id\n"
                          "C-1,ces_low,6,2024-02-02T09:00:00Z,web,I-1,T-1,\"صعب جداً,\n\"\"مرهق\"\"\",F-1\n"
                          "عميل-٢,nps,10,2024-02-03T09:00:00Z,,,,\"\",\n"
                          "C-3,رضا,-0.5,2024-03-02T00:00:00Z,,\"تفاعل \"\"٣\"\", جدة\",,شكراً\ttab,تقييم-٣\n",
    [CX_TABLE_TRANSACTIONS] = "customer,time,amount,id\n"
                              "C-1,2024-02-04T09:00:00Z,0.1,TX-1\n"
                              "C-3,1970-01-01T00:00:00Z,1234567.89,\n",
};

/* The same records in the exact form cx_export_jsonl() writes. */
static const char *const jsonl_text[CX_TABLE_COUNT] = {
    [CX_TABLE_CUSTOMERS] =
        "{\"id\":\"C-1\",\"segment\":\"consumer\",\"region\":\"الرياض\",\"plan\":\"premium\","
        "\"acquired\":\"2024-01-15T05:00:00Z\",\"name\":\"سارة، العتيبي \\\"س\\\"\"}\n"
        "{\"id\":\"عميل-٢\",\"tier\":\"\"}\n"
        "{\"id\":\"C-3\",\"segment\":\"business\",\"region\":\"جدة, الحمراء\",\"plan\":\"basic\","
        "\"acquired\":\"1969-07-20T20:17:40.500Z\",\"name\":\"سطر\\nسطر\",\"tier\":\"ذهبي\"}\n",
    [CX_TABLE_TOUCHPOINTS] =
        "{\"name\":\"web\",\"channel\":\"web\",\"stage\":\"consideration\",\"kind\":\"sales\",\"key\":1,\"weight\":2.5}\n"
        "{\"name\":\"نقطة بيع\",\"channel\":\"store\",\"stage\":\"purchase\",\"key\":0,\"weight\":0.1}\n",
    [CX_TABLE_INTERACTIONS] =
        "{\"customer\":\"C-1\",\"touchpoint\":\"web\",\"time\":\"2024-02-01T10:00:00Z\",\"kind\":\"contact\","
        "\"direction\":\"inbound\",\"agent\":\"نورة\",\"case\":\"T-1\",\"duration_ms\":123456,\"outcome\":\"handled\","
        "\"value\":0,\"id\":\"I-1\"}\n"
        "{\"customer\":\"عميل-٢\",\"touchpoint\":\"نقطة بيع\",\"time\":\"1969-07-20T20:17:40.500Z\","
        "\"direction\":\"outbound\",\"duration_ms\":0,\"outcome\":\"abandoned\",\"value\":99.99}\n"
        "{\"customer\":\"C-3\",\"touchpoint\":\"web\",\"time\":\"2024-03-01T00:00:00Z\",\"kind\":\"visit\","
        "\"direction\":\"inbound\",\"duration_ms\":5,\"outcome\":\"missed\",\"value\":-1.5,"
        "\"id\":\"تفاعل \\\"٣\\\", جدة\"}\n",
    [CX_TABLE_CASES] =
        "{\"id\":\"T-1\",\"customer\":\"C-1\",\"channel\":\"phone\",\"priority\":\"high\",\"agent\":\"نورة\","
        "\"opened\":\"2024-02-01T10:00:00Z\",\"first_response\":\"2024-02-01T10:30:00Z\",\"reopens\":0,\"contacts\":1}\n"
        "{\"id\":\"T-2\",\"customer\":\"عميل-٢\",\"channel\":\"chat\",\"opened\":\"2024-02-05T09:00:00Z\","
        "\"resolved\":\"2024-02-06T09:00:00.001Z\",\"reopens\":2,\"contacts\":3}\n",
    [CX_TABLE_QUESTIONS] =
        "{\"name\":\"nps\",\"metric\":\"nps\",\"scale_min\":0,\"scale_max\":10,\"higher_is_better\":1}\n"
        "{\"name\":\"csat\",\"metric\":\"csat\",\"scale_min\":1,\"scale_max\":5,\"higher_is_better\":1}\n"
        "{\"name\":\"ces\",\"metric\":\"ces\",\"scale_min\":1,\"scale_max\":7,\"higher_is_better\":1}\n"
        "{\"name\":\"ces_low\",\"metric\":\"ces\",\"scale_min\":1,\"scale_max\":7,\"higher_is_better\":0}\n"
        "{\"name\":\"رضا\",\"metric\":\"custom\",\"scale_min\":-2,\"scale_max\":2.5,\"higher_is_better\":1}\n",
    [CX_TABLE_FEEDBACK] =
        "{\"customer\":\"C-1\",\"question\":\"ces_low\",\"score\":6,\"time\":\"2024-02-02T09:00:00Z\","
        "\"touchpoint\":\"web\",\"interaction\":\"I-1\",\"case\":\"T-1\",\"comment\":\"صعب جداً,\\n\\\"مرهق\\\"\","
        "\"id\":\"F-1\"}\n"
        "{\"customer\":\"عميل-٢\",\"question\":\"nps\",\"score\":10,\"time\":\"2024-02-03T09:00:00Z\",\"comment\":\"\"}\n"
        "{\"customer\":\"C-3\",\"question\":\"رضا\",\"score\":-0.5,\"time\":\"2024-03-02T00:00:00Z\","
        "\"interaction\":\"تفاعل \\\"٣\\\", جدة\",\"comment\":\"شكراً\\ttab\",\"id\":\"تقييم-٣\"}\n",
    [CX_TABLE_TRANSACTIONS] = "{\"customer\":\"C-1\",\"time\":\"2024-02-04T09:00:00Z\",\"amount\":0.1,\"id\":\"TX-1\"}\n"
                              "{\"customer\":\"C-3\",\"time\":\"1970-01-01T00:00:00Z\",\"amount\":1234567.89}\n",
};

/* Imports the seven files into a new store, checks the three built-in
 * questions are the only rejects (duplicates), exports each table and
 * compares the bytes with the input. */
static void file_roundtrip(const char *const *text, const char *ext, import_fn imp,
                           int (*exp)(const cx_store *, cx_table, const char *, int))
{
    static const uint64_t nrows[CX_TABLE_COUNT] = {3, 2, 3, 2, 5, 3, 2};
    cx_store *s;
    OK(cx_store_new(&s));
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        int t = load_order[i];
        char in[32], out[32];
        snprintf(in, sizeof in, "in%d.%s", t, ext);
        snprintf(out, sizeof out, "out%d.%s", t, ext);
        const char *pin = write_file(in, text[t]);
        bool q = t == CX_TABLE_QUESTIONS;
        cx_import_report *r = import_ok(imp, s, t, pin, NULL, nrows[t], nrows[t] - (q ? 3 : 0), q ? 3 : 0);
        if (q) {
            /* duplicate ids: not one field's fault, so column 0 */
            uint64_t first = strcmp(ext, "csv") == 0 ? 2 : 1; /* after the CSV header */
            detail(r, 0, first, 0, "question 'nps' already exists");
            detail(r, 1, first + 1, 0, "question 'csat' already exists");
            detail(r, 2, first + 2, 0, "question 'ces' already exists");
        }
        cx_import_report_free(r);
        ck_assert_uint_eq(store_rows(s, t), nrows[t]);
        OK(exp(s, t, P(out), 0));
        assert_file_eq(P(out), text[t]);
    }
    /* a few values read back through the store */
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-1", "name"));
    ck_assert_str_eq(v, "سارة، العتيبي \"س\"");
    OK(cx_customer_get_attribute(&v, s, "عميل-٢", "tier"));
    ck_assert_str_eq(v, "");
    OK(cx_customer_get_attribute(&v, s, "عميل-٢", "name"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "C-3", "name"));
    ck_assert_str_eq(v, "سطر\nسطر");
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_REGION, 2), "جدة, الحمراء");
    ck_assert_int_eq(store_int(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ACQUIRED, 2), -14182939500);
    ck_assert_ptr_null(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 1));
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 0), "صعب جداً,\n\"مرهق\"");
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 1), ""); /* "" is not missing */
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 0), "I-1");
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 0), 0);
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 1));
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 1), -1);
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2), "تفاعل \"٣\", جدة");
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2), 2);
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 2), "تفاعل \"٣\", جدة");
    ck_assert_ptr_null(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 1)); /* an empty field: no id */
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_ID, 2), "تقييم-٣");
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_ID, 1));
    size_t at;
    OK(cx_store_find(&at, s, CX_TABLE_TRANSACTIONS, "TX-1"));
    ck_assert_uint_eq(at, 0);
    OK(cx_store_find(&at, s, CX_TABLE_FEEDBACK, "تقييم-٣"));
    ck_assert_uint_eq(at, 2);
    ck_assert(store_real(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_VALUE, 1) == 99.99);
    ck_assert(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 1) == 1234567.89);
    ck_assert_int_eq(store_int(s, CX_TABLE_CASES, CX_CASE_RESOLVED, 1), T("2024-02-06T09:00:00.001Z"));
    ck_assert_int_eq(store_int(s, CX_TABLE_CASES, CX_CASE_FIRST_RESPONSE, 1), CX_TIME_NONE);
    ck_assert_int_eq(store_int(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_KEY, 0), 1);
    ck_assert_int_eq(store_int(s, CX_TABLE_QUESTIONS, CX_QUESTION_HIGHER_IS_BETTER, 3), 0);
    cx_store_free(s);
}

/* What a spreadsheet would run as a formula (issue 15): the CSV export
 * writes such text with a leading apostrophe, and the import reads it back
 * exactly, in every column and table, apostrophes of the data included. */
START_TEST(csv_formulas_neutralised_and_read_back)
{
    static const char *const hostile[] = {"=HYPERLINK(\"http://evil\",\"x\")", "+966500000001", "-2+3",
                                          "@SUM(A1:A9)", "\tTAB", "'=already", "''+two", "'tis", "-",
                                          "=cmd|' /C calc'!A0", "plain", "a=b"};
    enum { N = sizeof hostile / sizeof hostile[0] };
    cx_store *s;
    OK(cx_store_new(&s));
    for (int i = 0; i < N; i++) {
        OK(cx_customer_add(s, hostile[i], hostile[(i + 1) % N], NULL, NULL, CX_TIME_NONE));
        OK(cx_customer_set_attribute(s, hostile[i], "note", hostile[(i + 2) % N]));
        OK(cx_feedback_add(NULL, s, hostile[(i + 3) % N], hostile[i], "nps", i % 11, (cx_time)i * 60000, NULL, NULL,
                           NULL, hostile[(i + 4) % N]));
        OK(cx_transaction_add(NULL, s, NULL, hostile[i], (cx_time)i * 60000, 1.5 * i));
    }
    static const int tables[] = {CX_TABLE_CUSTOMERS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};
    const char *names[] = {"customers.csv", "feedback.csv", "transactions.csv"};
    for (int t = 0; t < 3; t++)
        OK(cx_export_csv(s, tables[t], P(names[t]), 0));
    /* no cell a spreadsheet would run: each starts with neither = + - @ nor a
     * tab, after an optional quote; numbers stay numbers */
    char *text = slurp(P("customers.csv"), NULL);
    ck_assert_ptr_nonnull(strstr(text, "\n\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\","));
    ck_assert_ptr_nonnull(strstr(text, "\n'+966500000001,"));
    ck_assert_ptr_nonnull(strstr(text, "\n'-2+3,"));
    ck_assert_ptr_nonnull(strstr(text, "\n''=already,"));
    ck_assert_ptr_nonnull(strstr(text, "\n'tis,"));
    free(text);
    text = slurp(P("transactions.csv"), NULL);
    ck_assert_ptr_nonnull(strstr(text, ",1.5")); /* an amount: no apostrophe */
    free(text);
    cx_store *l;
    OK(cx_store_new(&l));
    for (int t = 0; t < 3; t++) {
        cx_import_report *rep;
        OK(cx_import_csv(&rep, l, tables[t], P(names[t]), NULL));
        ck_assert_uint_eq(cx_import_report_rejected(rep), 0);
        cx_import_report_free(rep);
    }
    for (int t = 0; t < 3; t++) {
        size_t n, nl, ncol;
        OK(cx_store_rows(&n, s, tables[t]));
        OK(cx_store_rows(&nl, l, tables[t]));
        ck_assert_uint_eq(nl, n);
        OK(cx_column_count(&ncol, tables[t]));
        for (size_t r = 0; r < n; r++)
            for (int c = 0; c < (int)ncol; c++) {
                int type;
                OK(cx_column_type(&type, tables[t], c));
                if (type != CX_TYPE_STRING)
                    continue;
                const char *a, *b;
                OK(cx_store_get_string(&a, s, tables[t], c, r));
                OK(cx_store_get_string(&b, l, tables[t], c, r));
                ck_assert_msg((!a && !b) || (a && b && strcmp(a, b) == 0), "table %d row %zu column %d: '%s' read back as '%s'",
                              tables[t], r, c, a ? a : "(null)", b ? b : "(null)");
            }
    }
    const char *note;
    OK(cx_customer_get_attribute(&note, l, "'=already", "note"));
    ck_assert_str_eq(note, hostile[7]);
    cx_store_free(l);
    cx_store_free(s);
}
END_TEST

START_TEST(csv_file_store_file_every_table)
{
    file_roundtrip(csv_text, "csv", cx_import_csv, cx_export_csv);
}
END_TEST

START_TEST(jsonl_file_store_file_every_table)
{
    file_roundtrip(jsonl_text, "jsonl", cx_import_jsonl, cx_export_jsonl);
}
END_TEST

/* Store -> files -> store -> files, in one format. */
static void store_roundtrip(const char *ext, import_fn imp, int offset)
{
    cx_store *a = sample_store(), *b;
    export_all(a, "a", offset);
    OK(cx_store_new(&b));
    OK(cx_vocab_define(NULL, b, CX_VOCAB_CHANNEL, "fax")); /* a defined vocabulary is the caller's */
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        int t = load_order[i];
        char name[32];
        snprintf(name, sizeof name, "a%d.%s", t, ext);
        uint64_t n = store_rows(a, t);
        bool q = t == CX_TABLE_QUESTIONS;
        cx_import_report_free(import_ok(imp, b, t, P(name), NULL, n, n - (q ? 3 : 0), q ? 3 : 0));
        ck_assert_uint_eq(store_rows(b, t), n);
    }
    export_all(b, "b", offset);
    assert_exports_same("a", "b");
    /* the same store written at another offset holds the same times */
    export_all(a, "c", 0);
    export_all(b, "d", 0);
    assert_exports_same("c", "d");
    const char *v;
    OK(cx_customer_get_attribute(&v, b, "C-1", "name"));
    ck_assert_str_eq(v, "سارة، العتيبي \"س\"");
    ck_assert_str_eq(store_str(b, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 0), "صعب جداً,\n\"مرهق\"\r\n\ttab");
    ck_assert_int_eq(store_int(b, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, 1), -14182939500);
    ck_assert_int_eq(store_int(b, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, 1), T("2024-02-04T09:00:00.007Z"));
    cx_store_free(a);
    cx_store_free(b);
}

START_TEST(store_csv_store_csv)
{
    store_roundtrip("csv", cx_import_csv, 0);
}
END_TEST

START_TEST(store_jsonl_store_jsonl)
{
    store_roundtrip("jsonl", cx_import_jsonl, 0);
}
END_TEST

START_TEST(store_roundtrip_at_offsets)
{
    store_roundtrip("csv", cx_import_csv, 180);
    store_roundtrip("jsonl", cx_import_jsonl, -330);
}
END_TEST

START_TEST(export_offset_minutes)
{
    cx_store *s = sample_store();
    OK(cx_export_csv(s, CX_TABLE_TRANSACTIONS, P("t.csv"), 180));
    assert_file_eq(P("t.csv"), "customer,time,amount,id\n"
                               "C-1,2024-02-04T12:00:00+03:00,0.1,\n"
                               "عميل-٢,2024-02-04T12:00:00.007+03:00,1234567.89,\n");
    OK(cx_export_csv(s, CX_TABLE_TRANSACTIONS, P("t.csv"), -330));
    assert_file_eq(P("t.csv"), "customer,time,amount,id\n"
                               "C-1,2024-02-04T03:30:00-05:30,0.1,\n"
                               "عميل-٢,2024-02-04T03:30:00.007-05:30,1234567.89,\n");
    OK(cx_export_jsonl(s, CX_TABLE_CUSTOMERS, P("c.jsonl"), 180));
    assert_file_eq(P("c.jsonl"),
                   "{\"id\":\"C-1\",\"segment\":\"consumer\",\"region\":\"الرياض\",\"plan\":\"premium\","
                   "\"acquired\":\"2024-01-15T08:00:00+03:00\",\"name\":\"سارة، العتيبي \\\"س\\\"\"}\n"
                   "{\"id\":\"عميل-٢\",\"tier\":\"\"}\n");
    OK(cx_export_csv(s, CX_TABLE_INTERACTIONS, P("i.csv"), 840));
    assert_file_eq(P("i.csv"), "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value,id\n"
                               "C-1,fax_in,2024-02-02T00:00:00+14:00,contact,inbound,نورة,T-1,123456,handled,0,I-1\n"
                               "عميل-٢,web,1969-07-21T10:17:40.500+14:00,,outbound,,,0,abandoned,99.99,\n");
    OK(cx_export_csv(s, CX_TABLE_INTERACTIONS, P("i.csv"), -840));
    assert_file_eq(P("i.csv"), "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value,id\n"
                               "C-1,fax_in,2024-01-31T20:00:00-14:00,contact,inbound,نورة,T-1,123456,handled,0,I-1\n"
                               "عميل-٢,web,1969-07-20T06:17:40.500-14:00,,outbound,,,0,abandoned,99.99,\n");
    ck_assert_int_eq(cx_export_csv(s, CX_TABLE_TRANSACTIONS, P("t2.csv"), 841), CX_ERANGE);
    MSG_HAS("841");
    ck_assert_int_eq(cx_export_jsonl(s, CX_TABLE_TRANSACTIONS, P("t2.jsonl"), -841), CX_ERANGE);
    MSG_HAS("-841");
    ck_assert_int_eq(access(P("t2.csv"), F_OK), -1); /* nothing created */
    ck_assert_int_eq(access(P("t2.jsonl"), F_OK), -1);
    /* the +03:00 file reads back to the same instants */
    cx_store *b;
    OK(cx_store_new(&b));
    OK(cx_customer_add(b, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(b, "عميل-٢", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_export_csv(s, CX_TABLE_TRANSACTIONS, P("t.csv"), 180));
    cx_import_report_free(import_ok(cx_import_csv, b, CX_TABLE_TRANSACTIONS, P("t.csv"), NULL, 2, 2, 0));
    ck_assert_int_eq(store_int(b, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, 0), T("2024-02-04T09:00:00Z"));
    ck_assert_int_eq(store_int(b, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, 1), 1707037200007);
    cx_store_free(b);
    cx_store_free(s);
}
END_TEST

START_TEST(empty_tables_export)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_export_csv(s, CX_TABLE_CUSTOMERS, P("c.csv"), 0));
    assert_file_eq(P("c.csv"), "id,segment,region,plan,acquired\n");
    OK(cx_export_jsonl(s, CX_TABLE_CUSTOMERS, P("c.jsonl"), 0));
    assert_file_eq(P("c.jsonl"), "");
    OK(cx_export_csv(s, CX_TABLE_FEEDBACK, P("f.csv"), 0));
    assert_file_eq(P("f.csv"), "customer,question,score,time,touchpoint,interaction,case,comment,id\n");
    OK(cx_export_csv(s, CX_TABLE_INTERACTIONS, P("i.csv"), 0));
    assert_file_eq(P("i.csv"), "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value,id\n");
    OK(cx_export_csv(s, CX_TABLE_TRANSACTIONS, P("t.csv"), 0));
    assert_file_eq(P("t.csv"), "customer,time,amount,id\n");
    /* a header-only file imports nothing, and is fine */
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, P("c.csv"), NULL, 0, 0, 0));
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_CUSTOMERS, P("c.jsonl"), NULL, 0, 0, 0));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), 0);
    cx_store_free(s);
}
END_TEST

/* ---- formats ------------------------------------------------------------ */

static cx_store *with_customers(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "عميل-٢", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    return s;
}

/* RFC 4180 fields with commas, doubled quotes and line breaks, with the
 * given line end between records. */
static void rfc4180(const char *eol)
{
    char text[1024];
    snprintf(text, sizeof text,
             "customer,question,score,time,comment%s"
             "C-1,nps,9,2024-02-02T09:00:00Z,\"قال: \"\"ممتاز\"\", شكراً\"%s"
             "\"عميل-٢\",nps,7,2024-02-02T09:00:00Z,\"سطر أول%sسطر, ثانٍ%s\"%s"
             "C-1,nps,8,2024-02-02T09:00:00Z,\"\"\"\"%s"
             "C-1,nps,6,2024-02-02T09:00:00Z,\",\"%s"
             "C-1,nps,5,2024-02-02T09:00:00Z,%s"
             "C-1,nps,4,bad,x%s"
             "C-1,nps,3,2024-02-02T09:00:00Z,\"\"",
             eol, eol, eol, eol, eol, eol, eol, eol, eol);
    cx_store *s = with_customers();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_reject_path(o, P("rej.csv")));
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_FEEDBACK, write_file("f.csv", text), o, 7, 6, 1);
    /* the record after a quoted line break starts on line 5, not 4 */
    detail(r, 0, 9, 4, "time 'bad'");
    cx_import_report_free(r);
    char line2[128];
    snprintf(line2, sizeof line2, "سطر أول%sسطر, ثانٍ%s", eol, eol);
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 0), "قال: \"ممتاز\", شكراً");
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 1), line2);
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_CUSTOMER, 1), "عميل-٢");
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 2), "\"");
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 3), ",");
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 4)); /* empty unquoted: missing */
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 5), ""); /* last line, no line end */
    ck_assert(store_real(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, 5) == 3);
    /* the reject file holds the row's bytes without its line end */
    char *rej = slurp(P("rej.csv"), NULL);
    ck_assert_ptr_nonnull(strstr(rej, "_line,_column,_reason,customer,question,score,time,comment\n9,4,\"time 'bad' "));
    ck_assert_ptr_nonnull(strstr(rej, "\",C-1,nps,4,bad,x\n"));
    ck_assert_ptr_null(strchr(rej, '\r'));
    free(rej);
    cx_import_options_free(o);
    cx_store_free(s);
}

START_TEST(rfc4180_quoting_lf)
{
    rfc4180("\n");
}
END_TEST

START_TEST(rfc4180_quoting_crlf)
{
    rfc4180("\r\n");
}
END_TEST

START_TEST(csv_crlf_missing_last_fields)
{
    /* an empty last field before CRLF is missing, not "\r" */
    cx_store *s = with_customers();
    const char *p = write_file("c.csv", "id,segment,note\r\nC-3,,\r\nC-4,retail,\r\n\r\nC-5,\"\",\"x\"\r\nC-6,,\"x\"\r\n");
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, p, NULL, 4, 3, 1);
    /* "" for a segment is refused by the store: an empty name is not a name */
    detail(r, 0, 5, 2, "segment is empty");
    cx_import_report_free(r);
    ck_assert_ptr_null(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 2));
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 3), "retail");
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-3", "note"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "C-6", "note"));
    ck_assert_str_eq(v, "x");
    cx_store_free(s);
}
END_TEST

START_TEST(utf8_bom_accepted)
{
    cx_store *s = with_customers();
    const char *p = write_file("t.csv", "\xEF\xBB\xBF"
                                        "customer,time,amount\nC-1,2024-02-04T09:00:00Z,5\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, p, NULL, 1, 1, 0));
    p = write_file("t.jsonl", "\xEF\xBB\xBF{\"customer\":\"عميل-٢\",\"time\":\"2024-02-04T09:00:00Z\",\"amount\":6}\n");
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, p, NULL, 1, 1, 0));
    ck_assert_str_eq(store_str(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_CUSTOMER, 1), "عميل-٢");
    /* a BOM with the header quoted, and a BOM-only file (no header: an error) */
    p = write_file("q.csv", "\xEF\xBB\xBF\"customer\",\"time\",\"amount\"\r\nC-1,0,1\r\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, p, NULL, 1, 1, 0));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 3);
    cx_import_report *r = (cx_import_report *)&r;
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, write_file("b.csv", "\xEF\xBB\xBF"), NULL), CX_EPARSE);
    ck_assert_ptr_null(r);
    MSG_HAS("empty");
    /* a BOM anywhere else is data: here it makes an unknown column */
    p = write_file("m.csv", "customer,\xEF\xBB\xBFtime,amount\n");
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, p, NULL), CX_EPARSE);
    MSG_HAS("column 2");
    cx_store_free(s);
}
END_TEST

START_TEST(time_forms_accepted)
{
    /* 2024-01-15T05:00:00Z is 1705294800 s */
    static const struct {
        const char *text;
        cx_time ms;
    } forms[] = {
        {"2024-01-15T08:00:00+03:00", 1705294800000},
        {"2024-01-15T10:30:00+0530", 1705294800000},
        {"2024-01-14T21:00:00-08", 1705294800000},
        {"2024-01-15 05:00:00Z", 1705294800000},
        {"2024-01-15t05:00:00.9999Z", 1705294800999},
        {"2024-01-15T05:00", 1705294800000},
        {"2024-01-15", 1705276800000},
        {"1705294800", 1705294800000},
        {"1705294800.25", 1705294800250},
        {"1705294800.1239", 1705294800123},
        {"-86400", -86400000},
        {"+60", 60000},
        {"-0.5", -500},
        {"0", 0},
        {"0000-01-01T00:00:00Z", -62167219200000},
        {"253402300799", 253402300799000},   /* 9999-12-31T23:59:59Z */
        {"-62167219200", -62167219200000},  /* 0000-01-01T00:00:00Z */
    };
    size_t n = sizeof forms / sizeof forms[0];
    char text[2048] = "customer,time,amount\n";
    for (size_t i = 0; i < n; i++) {
        strcat(text, "C-1,");
        strcat(text, forms[i].text);
        strcat(text, ",1\n");
    }
    cx_store *s = with_customers();
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, write_file("t.csv", text), NULL, n, n, 0));
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(store_int(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, i) == forms[i].ms, "%s", forms[i].text);
    /* JSON numbers are epoch seconds too */
    const char *p = write_file("t.jsonl", "{\"customer\":\"C-1\",\"time\":1705294800,\"amount\":1}\n"
                                          "{\"customer\":\"C-1\",\"time\":1705294800.5,\"amount\":1}\n"
                                          "{\"customer\":\"C-1\",\"time\":-1,\"amount\":1}\n"
                                          "{\"customer\":\"C-1\",\"time\":\"2024-01-15T08:00:00.25+03:00\",\"amount\":1}\n");
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, p, NULL, 4, 4, 0));
    ck_assert_int_eq(store_int(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, n), 1705294800000);
    ck_assert_int_eq(store_int(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, n + 1), 1705294800500);
    ck_assert_int_eq(store_int(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, n + 2), -1000);
    ck_assert_int_eq(store_int(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, n + 3), 1705294800250);
    cx_store_free(s);
}
END_TEST

START_TEST(time_forms_refused)
{
    static const char *const bad[] = {
        "2024-01-15T05:00:00+24:00", "2024-02-30", "2024-01-15T24:00:00Z", " 2024-01-15", "2024-01-15 ",
        "1705294800.",               "1e9",        "12:00",                "--5",         "123456789012345",
        "2024/01/15",                "0x10",       "1705294800s",          "-",
        "1705294800000", /* milliseconds taken for seconds: year 55990 */
        "253402300800",  "-62167219201",
    };
    size_t n = sizeof bad / sizeof bad[0];
    char text[2048] = "customer,time,amount\n";
    for (size_t i = 0; i < n; i++) {
        strcat(text, "C-1,\"");
        strcat(text, bad[i]);
        strcat(text, "\",1\n");
    }
    cx_store *s = with_customers();
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, write_file("t.csv", text), NULL, n, 0, n);
    for (size_t i = 0; i < n; i++) {
        char part[64];
        snprintf(part, sizeof part, "time '%s' is not", bad[i]);
        detail(r, i, i + 2, 2, part);
    }
    detail(r, 9, 11, 2, "is not a time in range");
    detail(r, 14, 16, 2, "is not a time in range");
    detail(r, 15, 17, 2, "is not a time in range");
    detail(r, 16, 18, 2, "is not a time in range");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 0);
    cx_store_free(s);
}
END_TEST

START_TEST(column_mapping)
{
    cx_store *s = with_customers();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_map_column(o, "Customer ID", "id"));
    OK(cx_import_options_map_column(o, "المنطقة", "region"));
    OK(cx_import_options_map_column(o, "internal", NULL));
    OK(cx_import_options_map_column(o, "Since", "acquired"));
    const char *p = write_file("c.csv", "Customer ID,المنطقة,internal,Since,colour\n"
                                        "C-3,الدمام,secret,2024-01-15,أزرق\n"
                                        "C-4,,x,,\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, p, o, 2, 2, 0));
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ID, 2), "C-3");
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_REGION, 2), "الدمام");
    ck_assert_int_eq(store_int(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ACQUIRED, 2), 1705276800000);
    /* the ignored column is not an attribute; the unmapped one is */
    ck_assert_uint_eq(vocab_size(s, CX_VOCAB_ATTRIBUTE), 1);
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-3", "colour"));
    ck_assert_str_eq(v, "أزرق");
    OK(cx_customer_get_attribute(&v, s, "C-3", "internal"));
    ck_assert_ptr_null(v);

    /* other tables: without the mapping the header is refused */
    p = write_file("t.csv", "who;when;how much;note\nC-1;2024-02-04T09:00:00Z;12.5;ignore me\n");
    cx_import_options *d;
    OK(cx_import_options_new(&d));
    OK(cx_import_options_set_delimiter(d, ';'));
    cx_import_report *r = (cx_import_report *)&r;
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, p, d), CX_EPARSE);
    ck_assert_ptr_null(r);
    MSG_HAS("line 1, column 1");
    MSG_HAS("'who'");
    MSG_HAS("cx_import_options_map_column");
    OK(cx_import_options_map_column(d, "who", "customer"));
    OK(cx_import_options_map_column(d, "when", "time"));
    OK(cx_import_options_map_column(d, "how much", "amount"));
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, p, d), CX_EPARSE);
    MSG_HAS("column 4");
    MSG_HAS("'note'");
    OK(cx_import_options_map_column(d, "note", NULL));
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, p, d, 1, 1, 0));
    ck_assert(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 0) == 12.5);
    /* a file column mapped onto a column the file also has is a clash */
    p = write_file("t2.csv", "who;when;how much;customer\nC-1;0;1;C-1\n");
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, p, d), CX_EPARSE);
    MSG_HAS("column 4");
    MSG_HAS("'customer'");
    MSG_HAS("appears twice");

    /* JSON members are mapped the same way (the delimiter is not used) */
    p = write_file("t.jsonl", "{\"who\":\"عميل-٢\",\"when\":\"2024-02-04T09:00:00Z\",\"how much\":3,\"note\":[1]}\n");
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, p, d, 1, 1, 0));
    ck_assert_str_eq(store_str(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_CUSTOMER, 1), "عميل-٢");
    p = write_file("c.jsonl", "{\"Customer ID\":\"C-5\",\"internal\":\"x\",\"colour\":\"red\"}\n");
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_CUSTOMERS, p, o, 1, 1, 0));
    OK(cx_customer_get_attribute(&v, s, "C-5", "colour"));
    ck_assert_str_eq(v, "red");
    ck_assert_uint_eq(vocab_size(s, CX_VOCAB_ATTRIBUTE), 1);
    cx_import_options_free(o);
    cx_import_options_free(d);
    cx_store_free(s);
}
END_TEST

START_TEST(other_delimiters)
{
    cx_store *s = with_customers();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_delimiter(o, ';'));
    const char *p = write_file("c.csv", "id;region;address\n"
                                        "C-3;جدة, الحمراء;\"a;b\"\n"
                                        "C-4;\"x\"\"y\";\"1,2\n3\"\n"
                                        "C-5,x\n");
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, p, o, 3, 2, 1);
    detail(r, 0, 5, 0, "expected 3 fields as in the header, found 1");
    cx_import_report_free(r);
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_REGION, 2), "جدة, الحمراء");
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_REGION, 3), "x\"y");
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-3", "address"));
    ck_assert_str_eq(v, "a;b");
    OK(cx_customer_get_attribute(&v, s, "C-4", "address"));
    ck_assert_str_eq(v, "1,2\n3");
    OK(cx_import_options_set_delimiter(o, '\t'));
    p = write_file("t.tsv", "customer\ttime\tamount\nعميل-٢\t2024-02-04T09:00:00Z\t7.25\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, p, o, 1, 1, 0));
    ck_assert(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 0) == 7.25);
    /* with the default comma the tab file has one unknown column */
    r = (cx_import_report *)&r;
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, p, NULL), CX_EPARSE);
    ck_assert_ptr_null(r);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(blank_lines_skipped)
{
    cx_store *s = with_customers();
    const char *p = write_file("t.csv", "customer,time,amount\n\nC-1,0,1\n\r\n\nC-1,x,1\n\n");
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, p, NULL, 2, 1, 1);
    detail(r, 0, 6, 2, "time 'x'");
    cx_import_report_free(r);
    p = write_file("t.jsonl", "\n  \t\n{\"customer\":\"C-1\",\"time\":0,\"amount\":1}\r\n\n{\"customer\":\"C-1\",\"time\":\"x\",\"amount\":1}\n");
    r = import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, p, NULL, 2, 1, 1);
    detail(r, 0, 5, 2, "time 'x'");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 2);
    cx_store_free(s);
}
END_TEST

START_TEST(missing_values_take_defaults)
{
    /* only the required columns: the others take their documented defaults */
    cx_store *s = with_customers();
    const char *p = write_file("tp.csv", "name,channel,stage\nphone,phone,service\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TOUCHPOINTS, p, NULL, 1, 1, 0));
    ck_assert_int_eq(store_int(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_KEY, 1), 0);
    ck_assert(store_real(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_WEIGHT, 1) == 1.0);
    ck_assert_ptr_null(store_str(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_KIND, 1));
    p = write_file("q.jsonl", "{\"name\":\"q\",\"metric\":\"custom\",\"scale_min\":0,\"scale_max\":3,"
                              "\"higher_is_better\":null}\n");
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_QUESTIONS, p, NULL, 1, 1, 0));
    ck_assert_int_eq(store_int(s, CX_TABLE_QUESTIONS, CX_QUESTION_HIGHER_IS_BETTER, 3), 1);
    p = write_file("ca.csv", "id,customer,channel,opened\nT-1,C-1,email,2024-02-01\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_CASES, p, NULL, 1, 1, 0));
    ck_assert_int_eq(store_int(s, CX_TABLE_CASES, CX_CASE_REOPENS, 0), 0);
    ck_assert_int_eq(store_int(s, CX_TABLE_CASES, CX_CASE_RESOLVED, 0), CX_TIME_NONE);
    p = write_file("i.csv", "customer,touchpoint,time\nC-1,phone,2024-02-01\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_INTERACTIONS, p, NULL, 1, 1, 0));
    ck_assert_int_eq(store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, 0), 0);
    ck_assert(store_real(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_VALUE, 0) == 0);
    p = write_file("f.csv", "customer,question,score,time\nC-1,csat,4,2024-02-02\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_FEEDBACK, p, NULL, 1, 1, 0));
    ck_assert_ptr_null(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 0));
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 0), CX_ROW_NONE);
    cx_store_free(s);
}
END_TEST

START_TEST(numbers_are_exact_text)
{
    /* a number is the whole field: no blanks around it, in integers as in reals */
    cx_store *s = with_customers();
    const char *p = write_file("i.csv", "customer,touchpoint,time,duration_ms,value\n"
                                        "C-1,web,0, 5,0\n"
                                        "C-1,web,0,5 ,0\n"
                                        "C-1,web,0,\"\n5\",0\n"
                                        "C-1,web,0,5,\t1\n"
                                        "C-1,web,0,5,\"\n1\"\n"
                                        "C-1,web,0,+5,+1.5e1\n"
                                        "C-1,web,0,99999999999999999999,0\n");
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_INTERACTIONS, p, NULL, 7, 1, 6);
    detail(r, 0, 2, 4, "duration_ms ' 5' is not an integer");
    detail(r, 1, 3, 4, "duration_ms '5 ' is not an integer");
    detail(r, 2, 4, 4, "is not an integer");
    detail(r, 3, 6, 5, "is not a number");
    detail(r, 4, 7, 5, "is not a number");
    detail(r, 5, 10, 4, "duration_ms '99999999999999999999' is not an integer");
    cx_import_report_free(r);
    ck_assert_int_eq(store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, 0), 5);
    ck_assert(store_real(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_VALUE, 0) == 15);
    cx_store_free(s);
}
END_TEST

START_TEST(large_file_chunk_boundaries)
{
    /* Over 3 MiB of feedback (the reader works in 1 MiB chunks): quoted
     * multi-line comments with commas and CRLF fall across chunk ends, one
     * field is longer than a chunk, and the last row is bad. */
    cx_store *s = with_customers();
    const char *path = P("big.csv");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("customer,question,score,time,comment\r\n", f);
    int n = 20000;
    for (int i = 0; i < n; i++)
        fprintf(f, "%s,csat,%d,%d,\"تعليق %d,\r\n\"\"سطر\"\" ثانٍ %0120d\"\r\n", i % 2 ? "C-1" : "عميل-٢", 1 + i % 5,
                i, i, i);
    fputs("C-1,csat,3,0,\"", f);
    for (int i = 0; i < (3 << 19); i++)
        fputc(i % 64 == 63 ? '\n' : 'x', f);
    fputs("\"\r\nC-1,csat,9,0,late\r\n", f);
    ck_assert_int_eq(fclose(f), 0);
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_FEEDBACK, path, NULL, (uint64_t)n + 2,
                                    (uint64_t)n + 1, 1);
    /* each row spans 2 lines; the long comment holds (3 << 19) / 64 line breaks */
    uint64_t long_line = 2 + 2 * (uint64_t)n;
    detail(r, 0, long_line + (3 << 19) / 64 + 1, 3, "score 9 is outside the scale 1 to 5");
    cx_import_report_free(r);
    char want[256];
    for (int i = 0; i < n; i += 4999) {
        snprintf(want, sizeof want, "تعليق %d,\r\n\"سطر\" ثانٍ %0120d", i, i);
        ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, (size_t)i), want);
        ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, (size_t)i), (int64_t)i * 1000);
    }
    const char *big = store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, (size_t)n);
    ck_assert_uint_eq(strlen(big), 3u << 19);
    ck_assert(big[63] == '\n' && big[64] == 'x');
    cx_store_free(s);
}
END_TEST

/* ---- bad rows ------------------------------------------------------------ */

START_TEST(csv_bad_transactions_reported_and_rejected)
{
    const char *text = "customer,time,amount\n"                /* 1 */
                       "C-1,2024-02-04T09:00:00Z,5\n"          /* 2 good */
                       "C-9,2024-02-04T09:00:00Z,5\n"          /* 3 unknown customer */
                       "C-1,2024-02-04T09:00:00Z\n"            /* 4 too few fields */
                       "C-1,yesterday,5\n"                     /* 5 bad time */
                       "C-1,2024-02-04T09:00:00Z,abc\n"        /* 6 bad number */
                       "C-1,2024-02-04T09:00:00Z,-5\n"         /* 7 amount off range */
                       "C-1,,5\n"                              /* 8 required time missing */
                       "\"C-1\",1704067200,7\n"                /* 9 good */
                       "C-1,2024-13-01T00:00:00Z,5\n"          /* 10 month 13 */
                       "C-1,\"1704067200\"x,5\n"               /* 11 text after a closing quote */
                       "C-1,17040\"67200,5\n"                  /* 12 quote in an unquoted field */
                       "C-1,1,2,3\n"                           /* 13 too many fields */
                       "C-\xff,1,5\n"                          /* 14 invalid UTF-8 */
                       "C-1,1,5 \n"                            /* 15 trailing blank in a number */
                       "عميل-٢,1,5\n"                          /* 16 good */
                       "\"C\"\"9\",1,5\n"                      /* 17 unknown customer with a quote */
                       "C-1,2024-02-04T09:00:00Z,\"8\n"        /* 18 unterminated quote ... */
                       "C-1,2024-02-04T09:00:00Z,9\n";         /* ... swallows the rest */
    cx_store *s = with_customers();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_reject_path(o, P("t.rej.csv")));
    cx_import_report *r =
        import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, write_file("t.csv", text), o, 17, 3, 14);
    detail(r, 0, 3, 1, "cx_transaction_add: no customer 'C-9'");
    detail(r, 1, 4, 0, "expected 3 fields as in the header, found 2");
    detail(r, 2, 5, 2, "time 'yesterday' is not a valid time");
    detail(r, 3, 6, 3, "amount 'abc' is not a number");
    detail(r, 4, 7, 3, "amount -5 is not a finite number >= 0");
    detail(r, 5, 8, 2, "time is missing");
    detail(r, 6, 10, 2, "time '2024-13-01T00:00:00Z' is not a valid time");
    detail(r, 7, 11, 2, "text after a closing quote");
    detail(r, 8, 12, 2, "a quote inside an unquoted field");
    detail(r, 9, 13, 0, "expected 3 fields as in the header, found 4");
    detail(r, 10, 14, 1, "no customer 'C-\xff'");
    detail(r, 11, 15, 3, "amount '5 ' is not a number");
    detail(r, 12, 17, 1, "no customer 'C\"9'");
    detail(r, 13, 18, 3, "unterminated quoted field");
    cx_import_report_free(r);
    /* the good rows are all there */
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 3);
    ck_assert_int_eq(store_int(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, 0), T("2024-02-04T09:00:00Z"));
    ck_assert(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 1) == 7);
    ck_assert_str_eq(store_str(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_CUSTOMER, 2), "عميل-٢");
    char *rej = slurp(P("t.rej.csv"), NULL);
    const char *expect_head = "_line,_column,_reason,customer,time,amount\n"
                              "3,1,\"cx_transaction_add: no customer 'C-9'\",C-9,2024-02-04T09:00:00Z,5\n"
                              "4,0,\"expected 3 fields as in the header, found 2\",C-1,2024-02-04T09:00:00Z\n";
    ck_assert_msg(strncmp(rej, expect_head, strlen(expect_head)) == 0, "reject file:\n%s", rej);
    static const char *const raw[] = {
        "\",C-1,yesterday,5\n",
        "6,3,\"amount 'abc' is not a number\",C-1,2024-02-04T09:00:00Z,abc\n",
        "\",C-1,2024-02-04T09:00:00Z,-5\n",
        "\",C-1,,5\n",
        "\",C-1,2024-13-01T00:00:00Z,5\n",
        "11,2,\"text after a closing quote\",C-1,\"1704067200\"x,5\n",
        "12,2,\"a quote inside an unquoted field\",C-1,17040\"67200,5\n",
        "13,0,\"expected 3 fields as in the header, found 4\",C-1,1,2,3\n",
        "\",C-\xff,1,5\n",
        "\",C-1,1,5 \n",
        "17,1,\"cx_transaction_add: no customer 'C\"\"9'\",\"C\"\"9\",1,5\n",
        "18,3,\"unterminated quoted field\",C-1,2024-02-04T09:00:00Z,\"8\nC-1,2024-02-04T09:00:00Z,9\n",
    };
    const char *at = rej;
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        const char *hit = strstr(at, raw[i]);
        ck_assert_msg(hit != NULL, "reject file lacks (in order) %s:\n%s", raw[i], rej);
        at = hit + strlen(raw[i]);
    }
    /* good rows are not in it */
    ck_assert_ptr_null(strstr(rej, "\nC-1,2024-02-04T09:00:00Z,5\n"));
    ck_assert_ptr_null(strstr(rej, "عميل-٢"));
    ck_assert_ptr_null(strstr(rej, "1704067200,7"));
    free(rej);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(csv_bad_customers_reported)
{
    const char *text = "id,segment,region,plan,acquired,vip\n"              /* 1 */
                       "C-3,consumer,الرياض,premium,,نعم\n"                /* 2 good */
                       "C-3,consumer,,,,\n"                              /* 3 duplicate id */
                       ",consumer,,,,\n"                                 /* 4 no id */
                       "C-\xff,,,,,\n"                                   /* 5 invalid UTF-8 id */
                       "C-5,seg\xfe,,,,\n"                               /* 6 invalid UTF-8 segment */
                       "C-6,,,,,\xc3\n"                                  /* 7 invalid UTF-8 attribute */
                       "C-7,,,,not a time,\n"                            /* 8 bad time */
                       "C-8,\"قطاع \"\"خاص\"\"\",,,1704067200,\"نعم,\nبالتأكيد\"\n" /* 9-10 good */
                       "C-9,,,,,\n"                                      /* 11 good */
                       "C-10,,,,\n"                                      /* 12 field count */
                       "C-11,\"\",,,,\n";                                /* 13 empty segment */
    size_t len = strlen(text);
    char *buf = malloc(len + 32);
    memcpy(buf, text, len);
    static const char tail[] = "C-12,a\0b,,,,\nC-13,,,,,\n"; /* 14 NUL byte, 15 good */
    memcpy(buf + len, tail, sizeof tail - 1);
    cx_store *s = with_customers();
    snapshot before = snap(s);
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, write_bytes("c.csv", buf, len + sizeof tail - 1),
                                    NULL, 13, 4, 9);
    free(buf);
    detail(r, 0, 3, 0, "customer 'C-3' already exists");
    detail(r, 1, 4, 1, "customer id is NULL");
    detail(r, 2, 5, 1, "customer id is not valid UTF-8");
    detail(r, 3, 6, 2, "segment is not valid UTF-8");
    detail(r, 4, 7, 6, "attribute 'vip' is not valid UTF-8");
    detail(r, 5, 8, 5, "acquired 'not a time' is not a valid time");
    detail(r, 6, 12, 0, "expected 6 fields as in the header, found 5");
    detail(r, 7, 13, 2, "segment is empty");
    detail(r, 8, 14, 2, "a NUL byte in a field");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), before.rows[CX_TABLE_CUSTOMERS] + 4);
    /* rejected rows left no names behind: one new segment and region, one plan */
    ck_assert_uint_eq(vocab_size(s, CX_VOCAB_SEGMENT), before.sets[CX_VOCAB_SEGMENT] + 2);
    ck_assert_uint_eq(vocab_size(s, CX_VOCAB_REGION), before.sets[CX_VOCAB_REGION] + 1);
    ck_assert_uint_eq(vocab_size(s, CX_VOCAB_ATTRIBUTE), 1);
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-8", "vip"));
    ck_assert_str_eq(v, "نعم,\nبالتأكيد");
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 3), "قطاع \"خاص\"");
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-13"));
    ck_assert_uint_eq(row, 5);
    ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-7"), CX_ENOTFOUND);
    cx_store_free(s);
}
END_TEST

START_TEST(csv_bad_references_and_values)
{
    cx_store *s = sample_store();
    const char *p = write_file("i.csv",
                               "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                               "C-1,web,0,,,,,,,\n"                         /* 2 good, defaults */
                               "C-1,nowhere,0,,,,,,,\n"                     /* 3 unknown touchpoint */
                               "C-1,web,0,,sideways,,,,,\n"                 /* 4 bad direction */
                               "C-1,web,0,,,,,-1,,\n"                       /* 5 negative duration */
                               "C-1,web,0,,,,,5s,,\n"                       /* 6 bad integer */
                               "C-1,web,0,,,,,,lost,\n"                     /* 7 bad outcome */
                               "C-1,web,0,,,,,,,nan\n"                      /* 8 value not finite */
                               "عميل-٢,web,0,,,,T-1,,,\n"                   /* 9 case of another customer */
                               "C-1,web,0,,,,T-9,,,\n"                      /* 10 unknown case */
                               "C-1,web,0,callback,outbound,سالم,T-1,60000,missed,12.5\n"); /* 11 good */
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_INTERACTIONS, p, NULL, 10, 2, 8);
    detail(r, 0, 3, 2, "no touchpoint 'nowhere'");
    detail(r, 1, 4, 5, "direction 'sideways' is not one of the allowed names");
    detail(r, 2, 5, 8, "negative duration -1 ms");
    detail(r, 3, 6, 8, "duration_ms '5s' is not an integer");
    detail(r, 4, 7, 9, "outcome 'lost' is not one of the allowed names");
    detail(r, 5, 8, 10, "value is not finite");
    detail(r, 6, 9, 7, "case 'T-1' belongs to another customer");
    detail(r, 7, 10, 7, "no case 'T-9'");
    cx_import_report_free(r);
    ck_assert_int_eq(store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DIRECTION, 2), CX_INBOUND);
    ck_assert_int_eq(store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, 2), CX_HANDLED);
    ck_assert_ptr_null(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_KIND, 2));
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_AGENT, 3), "سالم");
    ck_assert_int_eq(store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, 3), 60000);

    p = write_file("f.csv", "customer,question,score,time,touchpoint,interaction,case,comment\n"
                            "C-1,nps,11,0,,,,\n"                 /* 2 score off scale */
                            "C-1,nps,7.5,0,,,,\n"                /* 3 NPS not whole */
                            "C-1,ces_low,0,0,,,,\n"              /* 4 below the scale */
                            "C-1,csat,,0,,,,\n"                  /* 5 score missing */
                            "C-1,nope,3,0,,,,\n"                 /* 6 unknown question */
                            "عميل-٢,csat,3,0,,I-1,,\n"           /* 7 interaction of another customer */
                            "C-1,csat,3,0,,I-404,,\n"            /* 8 no such interaction */
                            "C-1,csat,3,0,,0,,\n"                /* 9 a row is not an id */
                            "C-1,csat,3,0,,\"I-\xff\",,\n"        /* 10 invalid UTF-8 id */
                            "C-1,csat,3,0,,,,\"ok \xe2\x82\"\n"  /* 11 invalid UTF-8 comment */
                            "C-1,csat,5,0,web,I-1,T-1,ممتاز\n"); /* 12 good */
    r = import_ok(cx_import_csv, s, CX_TABLE_FEEDBACK, p, NULL, 11, 1, 10);
    detail(r, 0, 2, 3, "score 11 is outside the scale 0 to 10");
    detail(r, 1, 3, 3, "NPS score 7.5 is not a whole number");
    detail(r, 2, 4, 3, "score 0 is outside the scale 1 to 7");
    detail(r, 3, 5, 3, "score nan is outside");
    detail(r, 4, 6, 2, "no question 'nope'");
    detail(r, 5, 7, 6, "customer 'عميل-٢': interaction 'I-1' belongs to another customer");
    detail(r, 6, 8, 6, "no interaction 'I-404'");
    detail(r, 7, 9, 6, "no interaction '0'");
    detail(r, 8, 10, 6, "interaction is not valid UTF-8");
    detail(r, 9, 11, 8, "comment is not valid UTF-8");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_FEEDBACK), 3);
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 2), "ممتاز");
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2), "I-1");
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2), 0);

    p = write_file("tp.csv", "name,channel,stage,kind,key,weight\n"
                             "web,web,consideration,,,\n"        /* 2 duplicate name */
                             "x1,pigeon,service,,,\n"            /* 3 unknown channel */
                             "x2,web,nowhere,,,\n"               /* 4 unknown stage */
                             "x3,web,service,,yes,\n"            /* 5 bad flag */
                             "x4,web,service,,,-1\n"             /* 6 negative weight */
                             "x5,web,service,,,heavy\n"          /* 7 bad number */
                             "x6,web,,,,\n"                      /* 8 stage missing */
                             "x7,fax,service,,true,0.5\n");      /* 9 good: fax is defined in sample_store() */
    r = import_ok(cx_import_csv, s, CX_TABLE_TOUCHPOINTS, p, NULL, 8, 1, 7);
    detail(r, 0, 2, 0, "touchpoint 'web' already exists");
    detail(r, 1, 3, 2, "unknown channel 'pigeon'");
    detail(r, 2, 4, 3, "unknown stage 'nowhere'");
    detail(r, 3, 5, 5, "key 'yes' is not one of the allowed names");
    detail(r, 4, 6, 6, "weight -1 is not a finite number >= 0");
    detail(r, 5, 7, 6, "weight 'heavy' is not a number");
    detail(r, 6, 8, 3, "stage is NULL");
    cx_import_report_free(r);
    ck_assert_int_eq(store_int(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_KEY, 2), 1);

    p = write_file("ca.csv", "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                             "T-2,C-1,web,,,2024-02-02,2024-02-01,,,\n"      /* 2 first response before opened */
                             "T-3,C-1,web,,,2024-02-02,,2024-02-01,,\n"      /* 3 resolved before opened */
                             "T-4,C-1,web,asap,,2024-02-02,,,,\n"            /* 4 unknown priority */
                             "T-5,C-1,web,,,2024-02-02,,,-1,\n"              /* 5 negative reopens */
                             "T-6,C-1,web,,,2024-02-02,,,,3000000000\n"      /* 6 count out of int range */
                             "T-7,C-1,web,,,,,,,\n"                          /* 7 opened missing */
                             "T-1,C-1,web,,,2024-02-02,,,,\n"                /* 8 duplicate id */
                             "T-8,C-1,web,urgent,,2024-02-02,,2024-02-03,1,2\n"); /* 9 good */
    r = import_ok(cx_import_csv, s, CX_TABLE_CASES, p, NULL, 8, 1, 7);
    detail(r, 0, 2, 7, "first response is before the case was opened");
    detail(r, 1, 3, 8, "resolved time is before opened time");
    detail(r, 2, 4, 4, "unknown priority 'asap'");
    detail(r, 3, 5, 9, "negative reopen count -1");
    detail(r, 4, 6, 10, "contacts '3000000000' is not in range");
    detail(r, 5, 7, 6, "opened is missing");
    detail(r, 6, 8, 0, "case 'T-1' already exists");
    cx_import_report_free(r);

    p = write_file("q.csv", "name,metric,scale_min,scale_max,higher_is_better\n"
                            "q1,stars,1,5,\n"        /* 2 unknown metric */
                            "q2,custom,5,1,\n"       /* 3 inverted scale */
                            "q3,nps,1,10,1\n"        /* 4 NPS not on 0-10 */
                            "q4,custom,1,5,2\n"      /* 5 bad flag */
                            "q5,,1,5,\n"             /* 6 metric missing */
                            "q6,csat,1,5,false\n");  /* 7 good */
    r = import_ok(cx_import_csv, s, CX_TABLE_QUESTIONS, p, NULL, 6, 1, 5);
    detail(r, 0, 2, 2, "metric 'stars' is not one of the allowed names");
    detail(r, 1, 3, 4, "scale 5 to 1 is not a finite range");
    detail(r, 2, 4, 3, "an NPS question is asked on 0 to 10");
    detail(r, 3, 5, 5, "higher_is_better '2' is not one of the allowed names");
    detail(r, 4, 6, 2, "metric '' is not given");
    cx_import_report_free(r);
    ck_assert_int_eq(store_int(s, CX_TABLE_QUESTIONS, CX_QUESTION_HIGHER_IS_BETTER, 4), 0);
    cx_store_free(s);
}
END_TEST

START_TEST(csv_bad_headers_fail_whole_import)
{
    static const struct {
        int table;
        const char *text, *msg1, *msg2;
    } cases[] = {
        {CX_TABLE_INTERACTIONS, "customer,touchpoint,time,mood\nC-1,web,0,x\n", "line 1, column 4", "no column 'mood'"},
        {CX_TABLE_TRANSACTIONS, "customer,time\nC-1,0\n", "line 1", "no 'amount' column"},
        {CX_TABLE_CASES, "id,customer,opened\n", "line 1", "no 'channel' column"},
        {CX_TABLE_TRANSACTIONS, "customer,time,amount,time\nC-1,0,1,0\n", "column 4", "'time' appears twice"},
        {CX_TABLE_CUSTOMERS, "id,x,x\nC-3,1,2\n", "column 3", "attribute 'x' appears twice"},
        {CX_TABLE_CUSTOMERS, "id,,x\nC-3,1,2\n", "column 2", "no column ''"},
        {CX_TABLE_TRANSACTIONS, "", "", "empty"},
        {CX_TABLE_TRANSACTIONS, "\"customer,time,amount\n", "line 1, column 1", "unterminated quoted field"},
        {CX_TABLE_TRANSACTIONS, "customer,t\xe9me,amount\n", "line 1, column 2", "not valid UTF-8"},
        {CX_TABLE_FEEDBACK, "customer,question,score,time\n", "line 1", "no column"}, /* filled below */
    };
    cx_store *s = with_customers();
    snapshot before = snap(s);
    for (size_t i = 0; i + 1 < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "h%zu.csv", i);
        const char *p = write_file(name, cases[i].text);
        cx_import_report *r = (cx_import_report *)&r;
        ck_assert_msg(cx_import_csv(&r, s, cases[i].table, p, NULL) == CX_EPARSE, "case %zu: %s", i, cx_last_error());
        ck_assert_ptr_null(r);
        MSG_HAS("cx_import_csv");
        MSG_HAS(p);
        MSG_HAS(cases[i].msg1);
        MSG_HAS(cases[i].msg2);
        assert_snap(s, &before);
    }
    /* a header naming every column but feedback's required ones is fine: the
     * last case is accepted as is */
    cx_import_report_free(
        import_ok(cx_import_csv, s, CX_TABLE_FEEDBACK, write_file("ok.csv", cases[9].text), NULL, 0, 0, 0));
    cx_store_free(s);
}
END_TEST

START_TEST(jsonl_bad_rows_reported_and_rejected)
{
    const char *text =
        "{\"customer\":\"C-1\",\"time\":\"2024-02-04T09:00:00Z\",\"amount\":5}\n"                  /* 1 good */
        "{\"customer\":\"C-9\",\"time\":\"2024-02-04T09:00:00Z\",\"amount\":5}\n"                  /* 2 */
        "not json\n"                                                                              /* 3 */
        "[1,2]\n"                                                                                 /* 4 */
        "\n"                                                                                      /* 5 blank */
        "{\"customer\":\"C-1\",\"time\":\"2024-02-04T09:00:00Z\",\"amount\":5,\"mood\":\"x\"}\n"   /* 6 */
        "{\"customer\":\"C-1\",\"time\":{\"a\":1},\"amount\":5}\n"                                 /* 7 */
        "{\"customer\":\"C-1\",\"time\":\"2024-02-04T09:00:00Z\",\"amount\":\"abc\"}\n"            /* 8 */
        "{\"customer\":\"C-1\",\"time\":\"yesterday\",\"amount\":5}\n"                             /* 9 */
        "{\"customer\":\"C-1\",\"customer\":\"C-1\",\"time\":0,\"amount\":5}\n"                    /* 10 */
        "{\"customer\":\"C-\\u0000\",\"time\":0,\"amount\":5}\n"                                   /* 11 */
        "{\"customer\":\"C-\xff\",\"time\":0,\"amount\":5}\n"                                      /* 12 */
        "{\"customer\":\"C-1\",\"amount\":5}\n"                                                    /* 13 */
        "{\"customer\":\"C-1\",\"time\":0,\"amount\":-1}\n"                                        /* 14 */
        "{\"customer\":\"عميل-٢\",\"time\":1707037200,\"amount\":2.5,\"ignored\":null}\n"           /* 15 */
        "{\"customer\":\"C-1\",\"time\":0,\"amount\":true}\n"                                      /* 16 */
        "{\"customer\":\"C-1\",\"time\":0,\"amount\":1}";                                          /* 17 good, no LF */
    cx_store *s = with_customers();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_reject_path(o, P("t.rej.jsonl")));
    OK(cx_import_options_map_column(o, "ignored", NULL));
    cx_import_report *r =
        import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, write_file("t.jsonl", text), o, 16, 4, 12);
    detail(r, 0, 2, 1, "cx_transaction_add: no customer 'C-9'");
    detail(r, 1, 3, 0, "invalid JSON");
    detail(r, 2, 4, 0, "the line is not a JSON object");
    detail(r, 3, 6, 0, "table transactions has no column 'mood'");
    detail(r, 4, 7, 2, "member 'time' is an object or array");
    detail(r, 5, 8, 3, "amount 'abc' is not a number");
    detail(r, 6, 9, 2, "time 'yesterday' is not a valid time");
    detail(r, 7, 10, 0, "invalid JSON");
    detail(r, 8, 11, 1, "member 'customer' is a string with a NUL character");
    detail(r, 9, 12, 0, "invalid JSON");
    detail(r, 10, 13, 2, "time is missing");
    detail(r, 11, 14, 3, "amount -1 is not a finite number >= 0");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 4);
    ck_assert(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 1) == 2.5);
    ck_assert(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 2) == 1); /* true reads as 1 */
    ck_assert(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 3) == 1);
    char *rej = slurp(P("t.rej.jsonl"), NULL);
    static const char *const lines[] = {
        "{\"_line\":2,\"_column\":1,\"_reason\":\"cx_transaction_add: no customer 'C-9'\","
        "\"row\":{\"customer\":\"C-9\",\"time\":\"2024-02-04T09:00:00Z\",\"amount\":5}}\n",
        "{\"_line\":3,\"_column\":0,\"_reason\":\"invalid JSON",
        "\",\"text\":\"not json\"}\n",
        "{\"_line\":4,\"_column\":0,\"_reason\":\"the line is not a JSON object\",\"text\":\"[1,2]\"}\n",
        "{\"_line\":6,\"_column\":0,\"_reason\":\"table transactions has no column 'mood'\",\"row\":{\"customer\":",
        "{\"_line\":8,\"_column\":3,\"_reason\":\"amount 'abc' is not a number\",\"row\":",
        "{\"_line\":10,\"_column\":0,",
        "\"text\":\"{\\\"customer\\\":\\\"C-1\\\",\\\"customer\\\":\\\"C-1\\\",\\\"time\\\":0,\\\"amount\\\":5}\"}\n",
        "{\"_line\":11,\"_column\":1,",
        "\"row\":{\"customer\":\"C-\\u0000\",\"time\":0,\"amount\":5}}\n",
        "{\"_line\":12,\"_column\":0,",
        "{\"_line\":13,\"_column\":2,",
        "{\"_line\":14,\"_column\":3,",
    };
    const char *at = rej;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const char *hit = strstr(at, lines[i]);
        ck_assert_msg(hit != NULL, "reject file lacks (in order) %s:\n%s", lines[i], rej);
        at = hit + strlen(lines[i]);
    }
    int nl = 0;
    for (const char *c = rej; *c; c++)
        nl += *c == '\n';
    ck_assert_int_eq(nl, 12);
    ck_assert_ptr_null(strstr(rej, "عميل-٢"));
    /* the line that is not UTF-8 keeps its text, made valid */
    const char *l12 = strstr(rej, "{\"_line\":12,");
    ck_assert_ptr_nonnull(strstr(l12, "\"text\":\"{\\\"customer\\\":\\\"C-\xEF\xBF\xBD\\\",\\\"time\\\":0,"));
    free(rej);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(jsonl_customers_and_values)
{
    cx_store *s = with_customers();
    const char *p = write_file("c.jsonl",
                               "{\"id\":\"C-3\",\"vip\":true,\"score\":4.5,\"n\":7,\"note\":null}\n"
                               "{\"id\":\"C-4\",\"region\":\"مكة\",\"tags\":[\"a\"]}\n"
                               "{\"id\":\"C-5\",\"acquired\":1705294800}\n"
                               "{\"segment\":\"x\"}\n"
                               "{\"id\":\"C-1\"}\n"
                               "\"just a string\"\n"
                               "{\"id\":\"C-6\",\"vip\":\"\"}\n");
    cx_import_report *r = import_ok(cx_import_jsonl, s, CX_TABLE_CUSTOMERS, p, NULL, 7, 3, 4);
    /* a JSON row's columns: the table's, then attributes as first seen */
    detail(r, 0, 2, 10, "member 'tags' is an object or array");
    detail(r, 1, 4, 1, "customer id is NULL");
    detail(r, 2, 5, 0, "customer 'C-1' already exists");
    detail(r, 3, 6, 0, "invalid JSON"); /* a bare string is not even a JSON text to Jansson */
    cx_import_report_free(r);
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-3", "vip"));
    ck_assert_str_eq(v, "1");
    OK(cx_customer_get_attribute(&v, s, "C-3", "score"));
    ck_assert_str_eq(v, "4.5");
    OK(cx_customer_get_attribute(&v, s, "C-3", "n"));
    ck_assert_str_eq(v, "7");
    OK(cx_customer_get_attribute(&v, s, "C-3", "note"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "C-6", "vip"));
    ck_assert_str_eq(v, "");
    ck_assert_int_eq(store_int(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ACQUIRED, 3), 1705294800000);
    size_t row;
    ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-4"), CX_ENOTFOUND);
    cx_store_free(s);
}
END_TEST

START_TEST(reject_file_with_nothing_rejected)
{
    cx_store *s = with_customers();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    char rej[256];
    snprintf(rej, sizeof rej, "%s", write_file("rej", "old contents\n"));
    OK(cx_import_options_set_reject_path(o, rej));
    const char *p = write_file("t.csv", "\xEF\xBB\xBF"
                                        "customer,\"time\",amount\r\nC-1,0,1\r\n");
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, p, o, 1, 1, 0));
    /* the header as read (quotes and all, without BOM and CRLF) */
    assert_file_eq(rej, "_line,_column,_reason,customer,\"time\",amount\n");
    p = write_file("t.jsonl", "{\"customer\":\"C-1\",\"time\":0,\"amount\":1}\n");
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, p, o, 1, 1, 0));
    assert_file_eq(rej, "");
    /* a reject file that cannot be created fails the import, which changes nothing */
    OK(cx_import_options_set_reject_path(o, P("no/such/dir/rej")));
    snapshot before = snap(s);
    cx_import_report *r = (cx_import_report *)&r;
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, P("t.csv"), o), CX_EIO);
    ck_assert_ptr_null(r);
    MSG_HAS("reject file");
    r = (cx_import_report *)&r;
    ck_assert_int_eq(cx_import_jsonl(&r, s, CX_TABLE_TRANSACTIONS, p, o), CX_EIO);
    ck_assert_ptr_null(r);
    MSG_HAS("reject file");
    assert_snap(s, &before);
    /* and NULL turns the reject file off again */
    OK(cx_import_options_set_reject_path(o, NULL));
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, P("t.csv"), o, 1, 1, 0));
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(report_details_capped)
{
    /* 1003 bad rows between two good ones: all counted and written to the
     * reject file, the first 1000 described */
    size_t cap = 40 * 1010;
    char *text = malloc(cap), *at = text;
    at += sprintf(at, "customer,time,amount\nC-1,0,1\n");
    for (int i = 0; i < 1003; i++)
        at += sprintf(at, "C-1,0,bad%d\n", i);
    at += sprintf(at, "C-1,0,2\n");
    cx_store *s = with_customers();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_reject_path(o, P("rej.csv")));
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, write_bytes("t.csv", text,
                                    (size_t)(at - text)), o, 1005, 2, 1003);
    free(text);
    detail(r, 0, 3, 3, "amount 'bad0'");
    detail(r, 999, 1002, 3, "amount 'bad999'");
    uint64_t line = 7;
    int col = 7;
    const char *why = "x";
    ck_assert_int_eq(cx_import_report_line(&line, r, 1000), CX_ERANGE);
    MSG_HAS("1000");
    ck_assert_int_eq(cx_import_report_column(&col, r, 1000), CX_ERANGE);
    ck_assert_int_eq(cx_import_report_reason(&why, r, 1000), CX_ERANGE);
    ck_assert_uint_eq(line, 7); /* untouched on failure */
    ck_assert_int_eq(col, 7);
    ck_assert_str_eq(why, "x");
    cx_import_report_free(r);
    char *rej = slurp(P("rej.csv"), NULL);
    int nl = 0;
    for (const char *c = rej; *c; c++)
        nl += *c == '\n';
    ck_assert_int_eq(nl, 1004);
    ck_assert_ptr_nonnull(strstr(rej, "\n1005,3,\"amount 'bad1002' is not a number\",C-1,0,bad1002\n"));
    free(rej);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 2);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

/* ---- strict mode ---------------------------------------------------------- */

/* Strict import of `text` (adding the customers rows name when `create`)
 * must fail with `code` and leave the store as it was: same counts, same
 * exported bytes. */
static void strict_fails_creating(import_fn imp, cx_store *s, int table, const char *name, const char *text,
                                  int code, const char *where, int create)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    OK(cx_import_options_set_create_customers(o, create));
    snapshot before = snap(s);
    export_all(s, "before", 0);
    cx_import_report *r = (cx_import_report *)&r;
    int rc = imp(&r, s, table, write_file(name, text), o);
    ck_assert_msg(rc == code, "strict import gave %d, expected %d: %s", rc, code, cx_last_error());
    ck_assert_ptr_null(r);
    MSG_HAS(name);
    MSG_HAS(where);
    assert_snap(s, &before);
    export_all(s, "after", 0);
    assert_exports_same("before", "after");
    cx_import_options_free(o);
}

static void strict_fails(import_fn imp, cx_store *s, int table, const char *name, const char *text, int code,
                         const char *where)
{
    strict_fails_creating(imp, s, table, name, text, code, where, 0);
}

START_TEST(strict_csv_customers_rolls_back)
{
    cx_store *s = sample_store();
    const char *text = "id,segment,region,plan,acquired,loyalty,name\n"
                       "C-3,vip,مكة,gold,2024-01-01,عالي,\"أحمد, ب\"\n"
                       "C-4,vip2,المدينة,silver,,منخفض,\n"
                       "C-5,vip3,,,then,,\n"
                       "C-6,vip4,,,,,\n";
    strict_fails(cx_import_csv, s, CX_TABLE_CUSTOMERS, "c.csv", text, CX_EPARSE, "line 4, column 5");
    MSG_HAS("acquired 'then'");
    size_t row;
    ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-3"), CX_ENOTFOUND);
    ck_assert_int_eq(cx_vocab_find(&row, s, CX_VOCAB_SEGMENT, "vip"), CX_ENOTFOUND);
    ck_assert_int_eq(cx_vocab_find(&row, s, CX_VOCAB_ATTRIBUTE, "loyalty"), CX_ENOTFOUND);
    /* the same ids and names go in afterwards, with their own attributes */
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, P("c.csv"), NULL, 4, 3, 1);
    detail(r, 0, 4, 5, "acquired 'then'");
    cx_import_report_free(r);
    const char *v;
    OK(cx_customer_get_attribute(&v, s, "C-3", "loyalty"));
    ck_assert_str_eq(v, "عالي");
    OK(cx_customer_get_attribute(&v, s, "C-4", "name"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "C-1", "loyalty"));
    ck_assert_ptr_null(v);
    OK(cx_customer_get_attribute(&v, s, "C-1", "name"));
    ck_assert_str_eq(v, "سارة، العتيبي \"س\"");
    OK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-6"));
    ck_assert_uint_eq(row, 4);
    cx_store_free(s);
}
END_TEST

START_TEST(strict_csv_events_roll_back)
{
    cx_store *s = sample_store();
    cx_history *h;
    OK(cx_history_new(&h, s, "C-1", CX_TIME_NONE, CX_TIME_NONE));
    size_t before = cx_history_count(h);
    cx_history_free(h);
    strict_fails(cx_import_csv, s, CX_TABLE_INTERACTIONS, "i.csv",
                 "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                 "C-1,web,2024-03-01T00:00:00Z,callback,inbound,سالم,,1,handled,0\n"
                 "عميل-٢,fax_in,2024-03-02T00:00:00Z,chat-start,outbound,ليلى,,1,handled,0\n"
                 "C-1,ghost,2024-03-03T00:00:00Z,,inbound,,,1,handled,0\n",
                 CX_ENOTFOUND, "line 4, column 2");
    MSG_HAS("ghost");
    OK(cx_history_new(&h, s, "C-1", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_uint_eq(cx_history_count(h), before);
    cx_history_free(h);
    /* the customers' event lists still work after the rollback */
    OK(cx_interaction_add(NULL, s, NULL, "C-1", "web", T("2024-03-05T00:00:00Z"), NULL, CX_INBOUND, NULL, NULL, 0,
                          CX_HANDLED, 0));
    OK(cx_history_new(&h, s, "C-1", CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_uint_eq(cx_history_count(h), before + 1);
    cx_time last;
    OK(cx_history_time(&last, h, cx_history_count(h) - 1));
    ck_assert_int_eq(last, T("2024-03-05T00:00:00Z"));
    cx_history_free(h);

    /* feedback with new comments, then a score off the scale */
    strict_fails(cx_import_csv, s, CX_TABLE_FEEDBACK, "f.csv",
                 "customer,question,score,time,comment\n"
                 "C-1,csat,5,2024-03-01T00:00:00Z,تعليق جديد\n"
                 "C-1,csat,6,2024-03-01T00:00:00Z,آخر\n",
                 CX_ERANGE, "line 3, column 3");
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_FEEDBACK, P("f.csv"), NULL, 2, 1, 1);
    cx_import_report_free(r);
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 2), "تعليق جديد");

    /* a malformed record stops a strict import too; so does a bad first row */
    strict_fails(cx_import_csv, s, CX_TABLE_TRANSACTIONS, "t.csv",
                 "customer,time,amount\nC-1,0,1\nC-1,0,\"1\n", CX_EPARSE, "line 3, column 3");
    MSG_HAS("unterminated quoted field");
    strict_fails(cx_import_csv, s, CX_TABLE_CASES, "ca.csv",
                 "id,customer,channel,opened,resolved\nT-2,C-1,web,2024-03-02,2024-03-01\nT-3,C-1,web,2024-03-02,\n",
                 CX_EORDER, "line 2, column 5");
    strict_fails(cx_import_csv, s, CX_TABLE_TOUCHPOINTS, "tp.csv",
                 "name,channel,stage\nnew1,web,service\nweb,web,service\n", CX_EEXISTS, "line 3, column 0");
    cx_store_free(s);
}
END_TEST

START_TEST(strict_jsonl_rolls_back)
{
    cx_store *s = sample_store();
    strict_fails(cx_import_jsonl, s, CX_TABLE_CUSTOMERS, "c.jsonl",
                 "{\"id\":\"C-3\",\"segment\":\"جديد\",\"colour\":\"أحمر\"}\n"
                 "\n"
                 "{\"id\":\"C-4\",\"plan\":\"p\",\"size\":\"L\"}\n"
                 "{\"id\":\"C-5\"\n",
                 CX_EPARSE, "line 4, column 0");
    MSG_HAS("invalid JSON");
    strict_fails(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, "t.jsonl",
                 "{\"customer\":\"C-1\",\"time\":0,\"amount\":1}\n"
                 "{\"customer\":\"C-1\",\"time\":0,\"amount\":-1}\n",
                 CX_ERANGE, "line 2, column 3");
    /* the reject file still gets the row that stopped the import */
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    OK(cx_import_options_set_reject_path(o, P("rej.jsonl")));
    cx_import_report *r = (cx_import_report *)&r;
    ck_assert_int_eq(cx_import_jsonl(&r, s, CX_TABLE_TRANSACTIONS, P("t.jsonl"), o), CX_ERANGE);
    ck_assert_ptr_null(r);
    assert_file_eq(P("rej.jsonl"), "{\"_line\":2,\"_column\":3,\"_reason\":\"cx_transaction_add: customer 'C-1': "
                                   "amount -1 is not a finite number >= 0\",\"row\":{\"customer\":\"C-1\",\"time\":0,"
                                   "\"amount\":-1}}\n");
    OK(cx_import_options_set_strict(o, 0));
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, P("t.jsonl"), o, 2, 1, 1));
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

/* The allocator's bytes that the store does not hold: an import's or an
 * export's own, which must all be back once the call has returned. */
static long long outside(const cx_store *s, const cxt_alloc *b)
{
    size_t mem;
    OK(cx_store_memory(&mem, s));
    return (long long)b->live - (long long)mem;
}

/* Runs an import with growing allocation budgets: every attempt that runs
 * out of memory must fail with CX_ENOMEM, leave the store as it was (its
 * counts and, when `prefix` is given, every table exported) and keep no
 * memory outside the store, until one succeeds. Returns the number of
 * failed attempts. */
static int import_until_memory_suffices(import_fn imp, cx_store *s, cxt_alloc *b, int table, const char *file,
                                        const cx_import_options *o, uint64_t accepted)
{
    char path[256]; /* P()'s buffers are reused by the exports */
    snprintf(path, sizeof path, "%s", file);
    int failures = 0;
    export_all(s, "before", 0);
    for (long k = 0;; k++) {
        snapshot before = snap(s);
        long long out0 = outside(s, b);
        cxt_alloc_allow(b, k);
        cx_import_report *r = (cx_import_report *)&r;
        int rc = imp(&r, s, table, path, o);
        cxt_alloc_allow(b, -1);
        if (rc == CX_OK) {
            ck_assert_uint_eq(cx_import_report_accepted(r), accepted);
            ck_assert_int_gt(outside(s, b), out0); /* the report is the store's allocator's */
            cx_import_report_free(r);
            ck_assert_int_eq(outside(s, b), out0);
            ck_assert_int_eq(b->bad, 0);
            return failures;
        }
        ck_assert_msg(rc == CX_ENOMEM, "budget %ld: %d %s", k, rc, cx_last_error());
        ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
        ck_assert_ptr_null(r);
        MSG_HAS(path);
        assert_snap(s, &before);
        ck_assert_msg(outside(s, b) == out0, "budget %ld: %lld bytes kept", k, outside(s, b) - out0);
        if (k % 7 == 0) { /* every table, byte for byte (a sample: exporting is slow) */
            export_all(s, "after", 0);
            assert_exports_same("before", "after");
        }
        failures++;
        ck_assert_int_lt(k, 100000);
    }
}

START_TEST(out_of_memory_rolls_back)
{
    char *text = malloc(300 * 200), *at = text;
    at += sprintf(at, "id,segment,region,note\n");
    for (int i = 0; i < 300; i++)
        at += sprintf(at, "C%d,قطاع %d,منطقة %d,ملاحظة %d\n", i, i, i % 7, i);
    const char *cpath = write_file("c.csv", text);
    /* interactions with ids (every third none), and feedback with ids rating them */
    at = text;
    at += sprintf(at, "id,customer,touchpoint,time\n");
    for (int i = 0; i < 300; i++)
        at += i % 3 == 2 ? sprintf(at, ",C%d,web,%d\n", i, i) : sprintf(at, "تفاعل-%d,C%d,web,%d\n", i, i, i);
    char ipath[256];
    snprintf(ipath, sizeof ipath, "%s", write_file("i.csv", text));
    at = text;
    for (int i = 0; i < 300; i++) {
        at += sprintf(at, "{\"customer\":\"C%d\",\"question\":\"csat\",\"score\":%d,\"time\":%d,"
                          "\"comment\":\"تعليق رقم %d\",\"id\":\"F-%d\"", i, 1 + i % 5, i, i, i);
        at += i % 3 == 2 ? sprintf(at, "}\n") : sprintf(at, ",\"interaction\":\"تفاعل-%d\"}\n", i);
    }
    char fpath[256];
    snprintf(fpath, sizeof fpath, "%s", write_file("f.jsonl", text));
    free(text);
    cxt_alloc b = {0};
    cx_store *s, *ref;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &b));
    OK(cx_store_new(&ref));
    OK(cx_touchpoint_add(s, "web", "web", "service", NULL, 0, 1));
    OK(cx_touchpoint_add(ref, "web", "web", "service", NULL, 0, 1));
    ck_assert_int_gt(import_until_memory_suffices(cx_import_csv, s, &b, CX_TABLE_CUSTOMERS, cpath, NULL, 300), 0);
    ck_assert_int_gt(import_until_memory_suffices(cx_import_csv, s, &b, CX_TABLE_INTERACTIONS, ipath, NULL, 300), 0);
    ck_assert_int_gt(import_until_memory_suffices(cx_import_jsonl, s, &b, CX_TABLE_FEEDBACK, fpath, NULL, 300), 0);
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_FEEDBACK, "F-298"));
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, row), "تفاعل-298");
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, row), 298);
    /* transactions of 200 new customers (each twice), the customers added
     * on the way; one row refused after its customer was added */
    at = text = malloc(300 * 100);
    at += sprintf(at, "customer,time,amount\n");
    for (int i = 0; i < 400; i++)
        at += sprintf(at, "N%d,%d,%d\n", i % 200, i, i == 150 ? -1 : i);
    char tpath[256];
    snprintf(tpath, sizeof tpath, "%s", write_file("t.csv", text));
    free(text);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    ck_assert_int_gt(import_until_memory_suffices(cx_import_csv, s, &b, CX_TABLE_TRANSACTIONS, tpath, o, 399), 0);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), 500);
    /* what finally went in equals a plain import */
    cx_import_report_free(import_ok(cx_import_csv, ref, CX_TABLE_CUSTOMERS, P("c.csv"), NULL, 300, 300, 0));
    cx_import_report_free(import_ok(cx_import_csv, ref, CX_TABLE_INTERACTIONS, ipath, NULL, 300, 300, 0));
    cx_import_report_free(import_ok(cx_import_jsonl, ref, CX_TABLE_FEEDBACK, fpath, NULL, 300, 300, 0));
    cx_import_report_free(import_ok(cx_import_csv, ref, CX_TABLE_TRANSACTIONS, tpath, o, 400, 399, 1));
    cx_import_options_free(o);
    export_all(s, "s", 0);
    export_all(ref, "r", 0);
    assert_exports_same("s", "r");
    cx_store_free(s);
    cx_store_free(ref);
    cxt_alloc_done(&b);
}
END_TEST

/* Rejected rows, a reject file, JSON attributes met line by line and
 * mapped columns: the report's reasons, the reject file's buffer and the
 * attribute names come from the store's allocator too, and running out of
 * any of them fails the import as a whole. */
START_TEST(out_of_memory_with_rejects)
{
    cxt_alloc b = {0};
    cx_store *s, *ref;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &b));
    OK(cx_store_new(&ref));
    char *text = malloc(200 * 120), *at = text;
    for (int i = 0; i < 200; i++)
        at += sprintf(at, i % 10 == 3 ? "{\"id\":\"C%d\",\"extra_%d\":[1]}\n" : i % 10 == 5 ? "{not json %d %d\n"
                                                                                          : "{\"id\":\"C%d\",\"extra_%d\":\"قيمة\"}\n",
                      i, i % 13);
    char jpath[256];
    snprintf(jpath, sizeof jpath, "%s", write_file("c.jsonl", text));
    at = text;
    at += sprintf(at, "who,when,how much\n");
    for (int i = 0; i < 200; i++)
        at += sprintf(at, "C%d,%d,%s\n", i % 200, i, i % 9 == 4 ? "-3" : "7.5");
    char tpath[256];
    snprintf(tpath, sizeof tpath, "%s", write_file("t.csv", text));
    free(text);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_reject_path(o, P("rejects")));
    OK(cx_import_options_map_column(o, "who", "customer"));
    OK(cx_import_options_map_column(o, "when", "time"));
    OK(cx_import_options_map_column(o, "how much", "amount"));
    /* 20 lines with an array and 20 not JSON are rejected */
    ck_assert_int_gt(import_until_memory_suffices(cx_import_jsonl, s, &b, CX_TABLE_CUSTOMERS, jpath, o, 160), 0);
    char *rej = slurp(P("rejects"), NULL);
    ck_assert_ptr_nonnull(strstr(rej, "\"_line\":196,"));
    free(rej);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), 160);
    /* rows of the customers the JSON import refused (C3, C5, C13, ...) and
     * negative amounts are rejected */
    int fails = import_until_memory_suffices(cx_import_csv, s, &b, CX_TABLE_TRANSACTIONS, tpath, o, 143);
    ck_assert_int_gt(fails, 0);
    cx_import_report_free(import_ok(cx_import_jsonl, ref, CX_TABLE_CUSTOMERS, jpath, o, 200, 160, 40));
    cx_import_report_free(import_ok(cx_import_csv, ref, CX_TABLE_TRANSACTIONS, tpath, o, 200, 143, 57));
    export_all(s, "s", 0);
    export_all(ref, "r", 0);
    assert_exports_same("s", "r");
    cx_import_options_free(o);
    cx_store_free(s);
    cx_store_free(ref);
    cxt_alloc_done(&b);
}
END_TEST

/* Exports take their write buffer from the store's allocator: refused, the
 * export fails with CX_ENOMEM before it creates the file; granted, the
 * bytes are those of a store with malloc, and none are kept. */
START_TEST(out_of_memory_export)
{
    cxt_alloc b = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &b));
    cx_store *plain = sample_store();
    const char *csv = P("customers.csv");
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", csv);
    OK(cx_export_csv(plain, CX_TABLE_CUSTOMERS, tmp, 0));
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, tmp, NULL, 2, 2, 0));
    static int (*const exports[])(const cx_store *, cx_table, const char *, int) = {cx_export_csv, cx_export_jsonl};
    for (int e = 0; e < 2; e++) {
        for (long k = 0;; k++) {
            const char *path = P(e ? "out.jsonl" : "out.csv");
            long long out0 = outside(s, &b);
            cxt_alloc_allow(&b, k);
            int rc = exports[e](s, CX_TABLE_CUSTOMERS, path, 180);
            cxt_alloc_allow(&b, -1);
            ck_assert_int_eq(outside(s, &b), out0);
            if (rc == CX_OK) {
                ck_assert_int_gt(k, 0); /* it did need memory */
                const char *want = P(e ? "want.jsonl" : "want.csv");
                OK(exports[e](plain, CX_TABLE_CUSTOMERS, want, 180));
                assert_files_same(path, want);
                break;
            }
            ck_assert_int_eq(rc, CX_ENOMEM);
            MSG_HAS(e ? "cx_export_jsonl" : "cx_export_csv");
            struct stat st;
            ck_assert_int_ne(stat(path, &st), 0); /* no file created */
            ck_assert_int_lt(k, 10);
        }
    }
    cx_store_free(s);
    cx_store_free(plain);
    cxt_alloc_done(&b);
}
END_TEST

/* Options made with an allocator keep all their memory in it; each refused
 * allocation fails its call with CX_ENOMEM and changes nothing the options
 * do, and options built in the end work as usual. */
START_TEST(options_with_allocator)
{
    cxt_alloc b = {0};
    cx_import_options *o = (cx_import_options *)&o;
    cxt_alloc_allow(&b, 0);
    ck_assert_int_eq(cx_import_options_new_with_allocator(&o, cxt_alloc_fn, &b), CX_ENOMEM);
    ck_assert_ptr_null(o);
    cxt_alloc_allow(&b, -1);
    bool done = false;
    for (long k = 0; !done; k++) {
        OK(cx_import_options_new_with_allocator(&o, cxt_alloc_fn, &b));
        ck_assert_uint_gt(b.live, 0);
        cxt_alloc_allow(&b, k);
        int rc = cx_import_options_map_column(o, "who", "customer");
        if (!rc)
            rc = cx_import_options_map_column(o, "note", NULL);
        if (!rc)
            rc = cx_import_options_set_reject_path(o, P("rej.csv"));
        if (!rc)
            rc = cx_import_options_map_column(o, "when", "time");
        cxt_alloc_allow(&b, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "%ld: %d %s", k, rc, cx_last_error());
        if (rc == CX_OK) {
            cx_store *s;
            OK(cx_store_new(&s));
            OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
            cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS,
                                            write_file("t.csv", "who,when,note,amount\nC-1,0,x,5\nC-2,0,y,6\n"), o,
                                            2, 1, 1));
            char *rej = slurp(P("rej.csv"), NULL);
            ck_assert_ptr_nonnull(strstr(rej, "C-2,0,y,6"));
            free(rej);
            cx_store_free(s);
            done = true;
        } else {
            ck_assert_int_lt(k, 100);
        }
        cx_import_options_free(o);
        ck_assert_uint_eq(b.live, 0);
    }
    cxt_alloc_done(&b);
}
END_TEST

/* ---- creating customers ------------------------------------------------ */

/* Options that add the customers rows name (and are otherwise defaults). */
static cx_import_options *creating(void)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    return o;
}

/* Customer `id` is at `row` with the id alone, as create_customers adds it. */
static void assert_bare_customer(const cx_store *s, const char *id, size_t row)
{
    size_t r;
    OK(cx_store_find(&r, s, CX_TABLE_CUSTOMERS, id));
    ck_assert_uint_eq(r, row);
    ck_assert_ptr_null(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, r));
    ck_assert_ptr_null(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_REGION, r));
    ck_assert_ptr_null(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_PLAN, r));
    ck_assert_int_eq(store_int(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ACQUIRED, r), CX_TIME_NONE);
    for (const char *const *k = (const char *const[]){"name", "tier", NULL}; *k; k++) {
        const char *v = "x";
        OK(cx_customer_get_attribute(&v, s, id, *k));
        ck_assert_ptr_null(v);
    }
}

static void assert_no_customer(const cx_store *s, const char *id)
{
    size_t r;
    ck_assert_msg(cx_store_find(&r, s, CX_TABLE_CUSTOMERS, id) == CX_ENOTFOUND, "customer '%s' is there", id);
}

static size_t history_count(const cx_store *s, const char *customer)
{
    cx_history *h;
    OK(cx_history_new(&h, s, customer, CX_TIME_NONE, CX_TIME_NONE));
    size_t n = cx_history_count(h);
    cx_history_free(h);
    return n;
}

START_TEST(create_customers_csv_interactions)
{
    const char *text = "customer,touchpoint,time,case\n"         /* 1 */
                       "C-1,web,2024-03-01T00:00:00Z,\n"         /* 2 known */
                       "N-1,web,2024-03-02T00:00:00Z,\n"         /* 3 new: row 2 */
                       "N-1,fax_in,2024-03-03T00:00:00Z,\n"      /* 4 the same */
                       "N-2,ghost,2024-03-04T00:00:00Z,\n"       /* 5 unknown touchpoint */
                       "N-3,web,yesterday,\n"                    /* 6 bad time */
                       "N-4,web,2024-03-05T00:00:00Z,T-1\n"      /* 7 case of another customer */
                       ",web,2024-03-06T00:00:00Z,\n"            /* 8 no customer */
                       "عميل-٣,web,2024-03-07T00:00:00Z,\n"      /* 9 new: row 3 */
                       "N-2,web,2024-03-08T00:00:00Z,\n"         /* 10 new now: row 4 */
                       "C-\xff,web,2024-03-09T00:00:00Z,\n"      /* 11 id not UTF-8 */
                       "N-5,web,2024-03-10T00:00:00Z\n"          /* 12 a field short */
                       "عميل-٢,web,2024-03-11T00:00:00Z,\n";     /* 13 known */
    const char *path = write_file("i.csv", text);
    cx_store *s = sample_store();
    snapshot before = snap(s);
    cx_import_options *o = creating();
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_INTERACTIONS, path, o, 12, 6, 6);
    detail(r, 0, 5, 2, "no touchpoint 'ghost'");
    detail(r, 1, 6, 3, "time 'yesterday' is not a valid time");
    detail(r, 2, 7, 4, "case 'T-1' belongs to another customer than 'N-4'");
    detail(r, 3, 8, 1, "customer is NULL");
    detail(r, 4, 11, 1, "customer id is not valid UTF-8");
    detail(r, 5, 12, 0, "expected 4 fields as in the header, found 3");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), before.rows[CX_TABLE_CUSTOMERS] + 3);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), before.rows[CX_TABLE_INTERACTIONS] + 6);
    assert_bare_customer(s, "N-1", 2);
    assert_bare_customer(s, "عميل-٣", 3);
    assert_bare_customer(s, "N-2", 4);
    assert_no_customer(s, "N-3");
    assert_no_customer(s, "N-4");
    assert_no_customer(s, "N-5");
    assert_no_customer(s, "C-\xff");
    for (int i = 0; i < CX_VOCAB_COUNT; i++) /* no names come with the customers */
        ck_assert_uint_eq(vocab_size(s, i), before.sets[i]);
    /* the known customers are untouched, the new ones hold their events */
    ck_assert_str_eq(store_str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_SEGMENT, 0), "consumer");
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 2), "C-1");
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 3), "N-1");
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, 4), "fax_in");
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 5), "عميل-٣");
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 6), "N-2");
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 7), "عميل-٢");
    ck_assert_uint_eq(history_count(s, "N-1"), 2);
    ck_assert_uint_eq(history_count(s, "N-2"), 1);
    /* the same file again: every customer is known now */
    r = import_ok(cx_import_csv, s, CX_TABLE_INTERACTIONS, path, o, 12, 6, 6);
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), before.rows[CX_TABLE_CUSTOMERS] + 3);
    ck_assert_uint_eq(history_count(s, "N-1"), 4);
    /* customers added by an import export and read back like any other */
    export_all(s, "a", 0);
    cx_store *t;
    OK(cx_store_new(&t));
    OK(cx_vocab_define(NULL, t, CX_VOCAB_CHANNEL, "fax"));
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        char name[32];
        snprintf(name, sizeof name, "a%d.csv", load_order[i]);
        uint64_t n = store_rows(s, load_order[i]), builtin = load_order[i] == CX_TABLE_QUESTIONS ? 3 : 0;
        cx_import_report_free(import_ok(cx_import_csv, t, load_order[i], P(name), NULL, n, n - builtin, builtin));
    }
    export_all(t, "b", 0);
    assert_exports_same("a", "b");
    cx_store_free(t);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(create_customers_jsonl_every_event_table)
{
    cx_store *s = sample_store();
    snapshot before = snap(s);
    cx_import_options *o = creating();
    const char *p = write_file("ca.jsonl",
        "{\"id\":\"T-2\",\"customer\":\"N-1\",\"channel\":\"web\",\"opened\":\"2024-03-01T00:00:00Z\"}\n"
        "{\"id\":\"T-1\",\"customer\":\"N-2\",\"channel\":\"web\",\"opened\":\"2024-03-01T00:00:00Z\"}\n"
        "{\"id\":\"T-3\",\"customer\":\"N-3\",\"channel\":\"web\",\"opened\":\"2024-03-02T00:00:00Z\","
        "\"resolved\":\"2024-03-01T00:00:00Z\"}\n"
        "{\"id\":\"T-4\",\"customer\":\"N-4\",\"channel\":\"pigeon\",\"opened\":\"2024-03-01T00:00:00Z\"}\n"
        "{\"id\":\"T-5\",\"customer\":\"\",\"channel\":\"web\",\"opened\":\"2024-03-01T00:00:00Z\"}\n"
        "{\"id\":\"T-6\",\"customer\":\"N-1\",\"channel\":\"web\",\"opened\":\"2024-03-03T00:00:00Z\"}\n");
    cx_import_report *r = import_ok(cx_import_jsonl, s, CX_TABLE_CASES, p, o, 6, 2, 4);
    detail(r, 0, 2, 0, "case 'T-1' already exists");
    detail(r, 1, 3, 8, "resolved time is before opened time");
    detail(r, 2, 4, 3, "unknown channel 'pigeon'");
    detail(r, 3, 5, 2, "customer is empty");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), before.rows[CX_TABLE_CUSTOMERS] + 1);
    assert_bare_customer(s, "N-1", 2);
    assert_no_customer(s, "N-2");
    assert_no_customer(s, "N-3");
    assert_no_customer(s, "N-4");
    ck_assert_str_eq(store_str(s, CX_TABLE_CASES, CX_CASE_CUSTOMER, 2), "N-1");

    p = write_file("i.jsonl", "{\"customer\":\"N-5\",\"touchpoint\":\"web\",\"time\":0,\"case\":\"T-2\"}\n"
                              "{\"customer\":\"N-1\",\"touchpoint\":\"web\",\"time\":0,\"case\":\"T-2\"}\n"
                              "{\"customer\":\"N-5\",\"touchpoint\":\"web\",\"time\":0}\n");
    r = import_ok(cx_import_jsonl, s, CX_TABLE_INTERACTIONS, p, o, 3, 2, 1);
    detail(r, 0, 1, 7, "case 'T-2' belongs to another customer than 'N-5'");
    cx_import_report_free(r);
    assert_bare_customer(s, "N-5", 3);

    p = write_file("f.jsonl", "{\"customer\":\"N-6\",\"question\":\"csat\",\"score\":9,\"time\":0,\"comment\":\"لا\"}\n"
                              "{\"customer\":\"N-6\",\"question\":\"nps\",\"score\":9,\"time\":0,\"interaction\":\"I-1\"}\n"
                              "{\"customer\":\"N-6\",\"question\":\"nope\",\"score\":9,\"time\":0}\n"
                              "{\"customer\":\"N-6\",\"question\":\"nps\",\"score\":9,\"time\":0,\"comment\":\"جديد\"}\n");
    r = import_ok(cx_import_jsonl, s, CX_TABLE_FEEDBACK, p, o, 4, 1, 3);
    detail(r, 0, 1, 3, "score 9 is outside the scale 1 to 5");
    detail(r, 1, 2, 6, "customer 'N-6': interaction 'I-1' belongs to another customer");
    detail(r, 2, 3, 2, "no question 'nope'");
    cx_import_report_free(r);
    assert_bare_customer(s, "N-6", 4);
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, 2), "جديد");

    p = write_file("t.jsonl", "{\"customer\":\"N-7\",\"time\":0,\"amount\":-1}\n"
                              "{\"customer\":\"N-7\",\"time\":0}\n"
                              "{\"customer\":null,\"time\":0,\"amount\":1}\n"
                              "{\"customer\":\"N-7\",\"time\":0,\"amount\":5}\n"
                              "{\"customer\":\"C-1\",\"time\":0,\"amount\":1}\n"
                              "{\"customer\":7,\"time\":0,\"amount\":1}\n");
    r = import_ok(cx_import_jsonl, s, CX_TABLE_TRANSACTIONS, p, o, 6, 3, 3);
    detail(r, 0, 1, 3, "amount -1 is not a finite number >= 0");
    detail(r, 1, 2, 3, "amount nan is not a finite number"); /* missing */
    detail(r, 2, 3, 1, "customer is NULL");
    cx_import_report_free(r);
    assert_bare_customer(s, "N-7", 5);
    assert_bare_customer(s, "7", 6); /* a JSON number is an id like any other */
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), before.rows[CX_TABLE_CUSTOMERS] + 5);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(create_customers_off_rejects_unknown)
{
    const char *text = "customer,time,amount\nC-1,0,1\nN-1,0,2\n";
    const char *path = write_file("t.csv", text);
    cx_store *s = sample_store();
    size_t n = store_rows(s, CX_TABLE_CUSTOMERS);
    /* the default, and the option turned off again */
    cx_import_options *o = creating();
    OK(cx_import_options_set_create_customers(o, 0));
    const cx_import_options *opts[2] = {NULL, o};
    for (int k = 0; k < 2; k++) {
        cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, path, opts[k], 2, 1, 1);
        detail(r, 0, 3, 1, "cx_transaction_add: no customer 'N-1'");
        cx_import_report_free(r);
        ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), n);
    }
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(create_customers_ignored_for_other_tables)
{
    /* customers, touchpoints and questions import the same with it on */
    cx_store *a, *b;
    OK(cx_store_new(&a));
    OK(cx_store_new(&b));
    cx_import_options *o = creating();
    static const int tables[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_QUESTIONS};
    for (int i = 0; i < 3; i++) {
        const char *path = write_file("x.csv", csv_text[tables[i]]);
        cx_import_report *ra, *rb;
        OK(cx_import_csv(&ra, a, tables[i], path, NULL));
        OK(cx_import_csv(&rb, b, tables[i], path, o));
        ck_assert_uint_eq(cx_import_report_accepted(ra), cx_import_report_accepted(rb));
        ck_assert_uint_eq(cx_import_report_rejected(ra), cx_import_report_rejected(rb));
        cx_import_report_free(ra);
        cx_import_report_free(rb);
    }
    /* a customer already there is still a duplicate */
    const char *path = write_file("c.csv", "id,segment\nC-1,x\nC-9,y\n");
    cx_import_report *r = import_ok(cx_import_csv, b, CX_TABLE_CUSTOMERS, path, o, 2, 1, 1);
    detail(r, 0, 2, 0, "customer 'C-1' already exists");
    cx_import_report_free(r);
    cx_import_report_free(import_ok(cx_import_csv, a, CX_TABLE_CUSTOMERS, path, NULL, 2, 1, 1));
    export_all(a, "a", 0);
    export_all(b, "b", 0);
    assert_exports_same("a", "b");
    cx_import_options_free(o);
    cx_store_free(a);
    cx_store_free(b);
}
END_TEST

START_TEST(create_customers_strict_rolls_back)
{
    cx_store *s = sample_store();
    /* customers added for the good rows go when a later row fails */
    strict_fails_creating(cx_import_csv, s, CX_TABLE_TRANSACTIONS, "t.csv",
                          "customer,time,amount\nN-1,0,1\nC-1,0,2\nN-2,0,3\nN-1,0,4\nN-3,0,-1\n", CX_ERANGE,
                          "line 6, column 3", 1);
    MSG_HAS("'N-3'");
    assert_no_customer(s, "N-1");
    assert_no_customer(s, "N-2");
    assert_no_customer(s, "N-3");
    strict_fails_creating(cx_import_jsonl, s, CX_TABLE_INTERACTIONS, "i.jsonl",
                          "{\"customer\":\"N-1\",\"touchpoint\":\"web\",\"time\":0}\n"
                          "{\"customer\":\"N-2\",\"touchpoint\":\"web\",\"time\":1}\n"
                          "{\"customer\":\"N-3\",\"touchpoint\":\"ghost\",\"time\":2}\n",
                          CX_ENOTFOUND, "line 3, column 2", 1);
    assert_no_customer(s, "N-1");
    /* and when the first row fails */
    strict_fails_creating(cx_import_csv, s, CX_TABLE_CASES, "ca.csv",
                          "id,customer,channel,opened\nT-1,N-1,web,0\nT-9,N-2,web,0\n", CX_EEXISTS,
                          "line 2, column 0", 1);
    strict_fails_creating(cx_import_csv, s, CX_TABLE_FEEDBACK, "f.csv",
                          "customer,question,score,time\nN-1,csat,2,0\nN-1,csat,3,\n", CX_EINVAL,
                          "line 3, column 4", 1);
    assert_no_customer(s, "N-1");
    /* the first file again, not strict: the good rows and their customers */
    size_t n = store_rows(s, CX_TABLE_CUSTOMERS);
    cx_import_options *o = creating();
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS, P("t.csv"), o, 5, 4, 1));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), n + 2);
    assert_bare_customer(s, "N-1", n);
    assert_bare_customer(s, "N-2", n + 1);
    assert_no_customer(s, "N-3");
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

/* ---- arguments -------------------------------------------------------- */

START_TEST(options_arguments)
{
    cx_error_clear();
    ck_assert_int_eq(cx_import_options_new(NULL), CX_EINVAL);
    MSG_HAS("cx_import_options_new");
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    cx_import_options_free(NULL);

    ck_assert_int_eq(cx_import_options_set_strict(NULL, 1), CX_EINVAL);
    MSG_HAS("cx_import_options_set_strict");
    ck_assert_int_eq(cx_import_options_set_strict(o, 2), CX_EINVAL);
    MSG_HAS("0 or 1");
    ck_assert_int_eq(cx_import_options_set_strict(o, -1), CX_EINVAL);
    OK(cx_import_options_set_strict(o, 1));
    OK(cx_import_options_set_strict(o, 0));

    ck_assert_int_eq(cx_import_options_set_create_customers(NULL, 1), CX_EINVAL);
    MSG_HAS("cx_import_options_set_create_customers");
    MSG_HAS("options is NULL");
    static const int bad_create[] = {2, -1, 255, 256};
    for (size_t i = 0; i < sizeof bad_create / sizeof bad_create[0]; i++) {
        cx_error_clear();
        ck_assert_int_eq(cx_import_options_set_create_customers(o, bad_create[i]), CX_EINVAL);
        MSG_HAS("create must be 0 or 1");
    }
    OK(cx_import_options_set_create_customers(o, 1));
    OK(cx_import_options_set_create_customers(o, 0));

    ck_assert_int_eq(cx_import_options_set_reject_path(NULL, "x"), CX_EINVAL);
    MSG_HAS("cx_import_options_set_reject_path");
    ck_assert_int_eq(cx_import_options_set_reject_path(o, ""), CX_EINVAL);
    MSG_HAS("empty");
    OK(cx_import_options_set_reject_path(o, "/tmp/x"));
    OK(cx_import_options_set_reject_path(o, "/tmp/y")); /* replaces (valgrind: no leak) */
    OK(cx_import_options_set_reject_path(o, NULL));

    ck_assert_int_eq(cx_import_options_map_column(NULL, "a", "id"), CX_EINVAL);
    MSG_HAS("cx_import_options_map_column");
    ck_assert_int_eq(cx_import_options_map_column(o, NULL, "id"), CX_EINVAL);
    MSG_HAS("NULL");
    ck_assert_int_eq(cx_import_options_map_column(o, "a\xff", "id"), CX_EINVAL);
    MSG_HAS("UTF-8");
    OK(cx_import_options_map_column(o, "a", "id"));
    OK(cx_import_options_map_column(o, "b", NULL));

    static const int bad[] = {'"', 'a', 'Z', '0', '9', ' ', '\n', '\r', 0, 127, 128, -1, 0x2C + 256, 0xD8};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cx_error_clear();
        ck_assert_msg(cx_import_options_set_delimiter(o, bad[i]) == CX_EINVAL, "delimiter %d accepted", bad[i]);
        MSG_HAS("cx_import_options_set_delimiter");
    }
    ck_assert_int_eq(cx_import_options_set_delimiter(NULL, ';'), CX_EINVAL);
    MSG_HAS("NULL");
    static const int good[] = {',', ';', '\t', '|', ':', '~', '#'};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        OK(cx_import_options_set_delimiter(o, good[i]));
    cx_import_options_free(o);
}
END_TEST

START_TEST(import_arguments)
{
    cx_store *s = with_customers();
    char csv[256], jsonl[256];
    snprintf(csv, sizeof csv, "%s", write_file("t.csv", "customer,time,amount\nC-1,0,1\n"));
    snprintf(jsonl, sizeof jsonl, "%s", write_file("t.jsonl", "{\"customer\":\"C-1\",\"time\":0,\"amount\":1}\n"));
    import_fn fns[2] = {cx_import_csv, cx_import_jsonl};
    const char *names[2] = {"cx_import_csv", "cx_import_jsonl"};
    const char *paths[2] = {csv, jsonl};
    snapshot before = snap(s);
    for (int k = 0; k < 2; k++) {
        cx_import_report *r = (cx_import_report *)&r;
        cx_error_clear();
        ck_assert_int_eq(fns[k](NULL, s, CX_TABLE_TRANSACTIONS, paths[k], NULL), CX_EINVAL);
        MSG_HAS(names[k]);
        cx_error_clear();
        ck_assert_int_eq(fns[k](&r, NULL, CX_TABLE_TRANSACTIONS, paths[k], NULL), CX_EINVAL);
        MSG_HAS(names[k]);
        ck_assert_ptr_null(r);
        r = (cx_import_report *)&r;
        cx_error_clear();
        ck_assert_int_eq(fns[k](&r, s, CX_TABLE_TRANSACTIONS, NULL, NULL), CX_EINVAL);
        MSG_HAS(names[k]);
        ck_assert_ptr_null(r);
        r = (cx_import_report *)&r;
        ck_assert_int_eq(fns[k](&r, s, -1, paths[k], NULL), CX_EINVAL);
        MSG_HAS("no table -1");
        ck_assert_ptr_null(r);
        ck_assert_int_eq(fns[k](&r, s, CX_TABLE_COUNT, paths[k], NULL), CX_EINVAL);
        MSG_HAS("no table 7");
        /* a missing file, and a directory */
        r = (cx_import_report *)&r;
        ck_assert_int_eq(fns[k](&r, s, CX_TABLE_TRANSACTIONS, P("missing.csv"), NULL), CX_EIO);
        ck_assert_ptr_null(r);
        MSG_HAS(names[k]);
        MSG_HAS("missing.csv");
        MSG_HAS("cannot open");
        r = (cx_import_report *)&r;
        ck_assert_int_eq(fns[k](&r, s, CX_TABLE_TRANSACTIONS, tmp_dir(), NULL), CX_EIO);
        ck_assert_ptr_null(r);
        MSG_HAS(tmp_dir());
    }
    assert_snap(s, &before);
    ck_assert_int_eq(access(P("missing.csv"), F_OK), -1); /* importing never creates the file */
    cx_store_free(s);
}
END_TEST

START_TEST(report_arguments)
{
    ck_assert_uint_eq(cx_import_report_read(NULL), 0);
    ck_assert_uint_eq(cx_import_report_accepted(NULL), 0);
    ck_assert_uint_eq(cx_import_report_rejected(NULL), 0);
    ck_assert_uint_eq(cx_import_report_details(NULL), 0);
    cx_import_report_free(NULL);
    cx_store *s = with_customers();
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS,
                                    write_file("t.csv", "customer,time,amount\nC-1,0,x\n"), NULL, 1, 0, 1);
    uint64_t line;
    int col;
    const char *why;
    cx_error_clear();
    ck_assert_int_eq(cx_import_report_line(NULL, r, 0), CX_EINVAL);
    MSG_HAS("cx_import_report_line");
    ck_assert_int_eq(cx_import_report_line(&line, NULL, 0), CX_EINVAL);
    ck_assert_int_eq(cx_import_report_column(NULL, r, 0), CX_EINVAL);
    MSG_HAS("cx_import_report_column");
    ck_assert_int_eq(cx_import_report_column(&col, NULL, 0), CX_EINVAL);
    ck_assert_int_eq(cx_import_report_reason(NULL, r, 0), CX_EINVAL);
    MSG_HAS("cx_import_report_reason");
    ck_assert_int_eq(cx_import_report_reason(&why, NULL, 0), CX_EINVAL);
    ck_assert_int_eq(cx_import_report_line(&line, r, 1), CX_ERANGE);
    MSG_HAS("detail 1");
    ck_assert_int_eq(cx_import_report_column(&col, r, (size_t)-1), CX_ERANGE);
    ck_assert_int_eq(cx_import_report_reason(&why, r, 1), CX_ERANGE);
    detail(r, 0, 2, 3, "amount 'x' is not a number");
    cx_import_report_free(r);
    cx_store_free(s);
}
END_TEST

START_TEST(export_arguments)
{
    cx_store *s = sample_store();
    int (*fns[2])(const cx_store *, cx_table, const char *, int) = {cx_export_csv, cx_export_jsonl};
    const char *names[2] = {"cx_export_csv", "cx_export_jsonl"};
    for (int k = 0; k < 2; k++) {
        cx_error_clear();
        ck_assert_int_eq(fns[k](NULL, CX_TABLE_CUSTOMERS, P("x"), 0), CX_EINVAL);
        MSG_HAS(names[k]);
        cx_error_clear();
        ck_assert_int_eq(fns[k](s, CX_TABLE_CUSTOMERS, NULL, 0), CX_EINVAL);
        MSG_HAS(names[k]);
        ck_assert_int_eq(fns[k](s, -1, P("x"), 0), CX_EINVAL);
        MSG_HAS("no table -1");
        ck_assert_int_eq(fns[k](s, CX_TABLE_COUNT, P("x"), 0), CX_EINVAL);
        MSG_HAS("no table 7");
        ck_assert_int_eq(fns[k](s, CX_TABLE_CUSTOMERS, P("x"), 100000), CX_ERANGE);
        MSG_HAS(names[k]);
        ck_assert_int_eq(access(P("x"), F_OK), -1);
        ck_assert_int_eq(fns[k](s, CX_TABLE_CUSTOMERS, P("no/such/dir/x"), 0), CX_EIO);
        MSG_HAS("no/such/dir/x");
        ck_assert_int_eq(fns[k](s, CX_TABLE_CUSTOMERS, tmp_dir(), 0), CX_EIO);
        MSG_HAS(names[k]);
    }
    /* an existing file is replaced */
    const char *p = write_file("c.csv", "a much longer old content that must disappear entirely\n\n\n\n");
    OK(cx_export_csv(s, CX_TABLE_TRANSACTIONS, p, 0));
    assert_file_eq(p, "customer,time,amount,id\nC-1,2024-02-04T09:00:00Z,0.1,\nعميل-٢,2024-02-04T09:00:00.007Z,1234567.89,\n");
    cx_store_free(s);
}
END_TEST

/* ---- event ids ----------------------------------------------------------- */

/* Writes `v` as a CSV field: quoted, quotes doubled. */
static void csv_field(FILE *f, const char *v)
{
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

/* Writes `v` as a JSON string. */
static void json_str(FILE *f, const char *v)
{
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            fprintf(f, "\\%c", *v);
        else if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
    fputc('"', f);
}

enum { LINK_CUSTOMERS = 20, LINK_INTERACTIONS = 300, LINK_FEEDBACK = 400 };

/* The id of synthetic interaction i: plain, Arabic, with the characters CSV
 * and JSON escape, or a spreadsheet formula and markup (data, nothing more). */
static const char *link_iid(int i)
{
    static char buf[4][64];
    char *b = buf[i % 4];
    switch (i % 4) {
    case 0: snprintf(b, 64, "I-%d", i); break;
    case 1: snprintf(b, 64, "تفاعل-%d", i); break;
    case 2: snprintf(b, 64, "I,\"%d\"", i); break;
    default: snprintf(b, 64, "=HYPERLINK(\"%d\")\n<script>", i); break;
    }
    return b;
}

/* Writes the synthetic interactions, in time order or shuffled, as CSV or
 * JSON Lines. Interaction i is customer K-(i % 20)'s, at minute i. */
static const char *write_link_interactions(const char *name, bool jsonl, bool shuffled)
{
    int order[LINK_INTERACTIONS];
    for (int i = 0; i < LINK_INTERACTIONS; i++)
        order[i] = i;
    uint64_t seed = 18;
    for (int i = LINK_INTERACTIONS - 1; shuffled && i > 0; i--) {
        int j = (int)(splitmix64(&seed) % (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    const char *path = P(name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    if (!jsonl)
        fputs("id,customer,touchpoint,time,agent,duration_ms\n", f);
    for (int k = 0; k < LINK_INTERACTIONS; k++) {
        int i = order[k];
        if (jsonl) {
            fputs("{\"id\":", f);
            json_str(f, link_iid(i));
            fprintf(f, ",\"customer\":\"K-%d\",\"touchpoint\":\"%s\",\"time\":%lld,\"agent\":\"agent-%d\","
                       "\"duration_ms\":%d}\n",
                    i % LINK_CUSTOMERS, i % 3 ? "web" : "هاتف", (long long)(i * MIN_MS), i % 7, i * 10);
        } else {
            csv_field(f, link_iid(i));
            fprintf(f, ",K-%d,%s,%lld,agent-%d,%d\n", i % LINK_CUSTOMERS, i % 3 ? "web" : "هاتف",
                    (long long)(i * MIN_MS), i % 7, i * 10);
        }
    }
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* Writes the synthetic feedback: answer k is customer K-(k % 20)'s and rates
 * one of that customer's interactions, by id, or (one in five) none. */
static const char *write_link_feedback(const char *name, bool jsonl)
{
    const char *path = P(name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    if (!jsonl)
        fputs("customer,question,score,time,interaction,id\n", f);
    uint64_t seed = 7;
    for (int k = 0; k < LINK_FEEDBACK; k++) {
        int c = k % LINK_CUSTOMERS;
        int i = c + LINK_CUSTOMERS * (int)(splitmix64(&seed) % (LINK_INTERACTIONS / LINK_CUSTOMERS));
        bool nps = k % 2;
        int score = nps ? k % 11 : 1 + k % 5;
        long long t = (long long)(LINK_INTERACTIONS + k) * MIN_MS;
        if (jsonl) {
            fprintf(f, "{\"customer\":\"K-%d\",\"question\":\"%s\",\"score\":%d,\"time\":%lld", c, nps ? "nps" : "csat",
                    score, t);
            if (k % 5) {
                fputs(",\"interaction\":", f);
                json_str(f, link_iid(i));
            }
            fprintf(f, ",\"id\":\"FB-%d\"}\n", k);
        } else {
            fprintf(f, "K-%d,%s,%d,%lld,", c, nps ? "nps" : "csat", score, t);
            if (k % 5)
                csv_field(f, link_iid(i));
            fprintf(f, ",FB-%d\n", k);
        }
    }
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* A store with the synthetic customers, touchpoints and agents (defined in a
 * fixed order, so that the files' order cannot change their codes). */
static cx_store *link_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    for (int c = 0; c < LINK_CUSTOMERS; c++) {
        char id[16];
        snprintf(id, sizeof id, "K-%d", c);
        OK(cx_customer_add(s, id, c % 2 ? "a" : "b", NULL, NULL, CX_TIME_NONE));
    }
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "هاتف", "phone", "service", NULL, 1, 1));
    for (int a = 0; a < 7; a++) {
        char name[16];
        snprintf(name, sizeof name, "agent-%d", a);
        OK(cx_vocab_define(NULL, s, CX_VOCAB_AGENT, name));
    }
    return s;
}

/* CSAT and NPS by touchpoint and by agent: a feedback row without a
 * touchpoint takes its touchpoint and agent from the interaction it rates. */
static void link_query(const cx_store *s, const char *path)
{
    cx_query *q;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_group_by(q, CX_DIM_TOUCHPOINT));
    OK(cx_query_group_by(q, CX_DIM_AGENT));
    cx_result *r;
    OK(cx_query_run(&r, q));
    ck_assert_uint_gt(cx_result_row_count(r), 7);
    OK(cx_result_export_csv(r, path));
    cx_result_free(r);
    cx_query_free(q);
}

/* Feedback links to interactions by id: imported after interactions that
 * came in time order or shuffled, it rates the same interactions, and every
 * export and analysis is byte for byte the same. */
static void feedback_links_by_id(bool jsonl, import_fn imp)
{
    const char *ext = jsonl ? "jsonl" : "csv";
    char name[32];
    cx_store *st[2];
    for (int k = 0; k < 2; k++) {
        st[k] = link_store();
        snprintf(name, sizeof name, "i%d.%s", k, ext);
        cx_import_report *r = import_ok(imp, st[k], CX_TABLE_INTERACTIONS, write_link_interactions(name, jsonl, k),
                                        NULL, LINK_INTERACTIONS, LINK_INTERACTIONS, 0);
        cx_import_report_free(r);
        snprintf(name, sizeof name, "f.%s", ext);
        r = import_ok(imp, st[k], CX_TABLE_FEEDBACK, write_link_feedback(name, jsonl), NULL, LINK_FEEDBACK,
                      LINK_FEEDBACK, 0);
        ck_assert_uint_eq(cx_import_report_added(r), LINK_FEEDBACK);
        cx_import_report_free(r);
    }
    cx_store *a = st[0], *b = st[1];
    size_t moved = 0, linked = 0;
    for (size_t f = 0; f < LINK_FEEDBACK; f++) {
        const char *ia = store_str(a, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, f);
        const char *ib = store_str(b, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, f);
        int64_t ra = store_int(a, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, f);
        int64_t rb = store_int(b, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, f);
        if (f % 5 == 0) {
            ck_assert_ptr_null(ia);
            ck_assert_ptr_null(ib);
            ck_assert_int_eq(ra, -1);
            ck_assert_int_eq(rb, -1);
            continue;
        }
        ck_assert_ptr_nonnull(ia);
        ck_assert_ptr_nonnull(ib);
        ck_assert_str_eq(ia, ib);
        size_t fa, fb;
        OK(cx_store_find(&fa, a, CX_TABLE_INTERACTIONS, ia));
        OK(cx_store_find(&fb, b, CX_TABLE_INTERACTIONS, ib));
        ck_assert_int_eq(ra, (int64_t)fa);
        ck_assert_int_eq(rb, (int64_t)fb);
        linked++;
        moved += fa != fb;
        /* the same interaction: its customer, time, touchpoint, agent */
        ck_assert_str_eq(store_str(a, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, fa), ia);
        ck_assert_str_eq(store_str(b, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, fb), ia);
        ck_assert_str_eq(store_str(b, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, fb),
                         store_str(a, CX_TABLE_FEEDBACK, CX_FEEDBACK_CUSTOMER, f));
        ck_assert_int_eq(store_int(a, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, fa),
                         store_int(b, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, fb));
        ck_assert_str_eq(store_str(a, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, fa),
                         store_str(b, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, fb));
        ck_assert_str_eq(store_str(a, CX_TABLE_INTERACTIONS, CX_INTERACTION_AGENT, fa),
                         store_str(b, CX_TABLE_INTERACTIONS, CX_INTERACTION_AGENT, fb));
    }
    ck_assert_uint_eq(linked, LINK_FEEDBACK - LINK_FEEDBACK / 5);
    ck_assert_uint_gt(moved, linked / 2); /* the shuffle did move the interactions */
    /* the feedback exports and the analyses are identical */
    for (int k = 0; k < 2; k++) {
        snprintf(name, sizeof name, "fx%d.csv", k);
        OK(cx_export_csv(st[k], CX_TABLE_FEEDBACK, P(name), 0));
        snprintf(name, sizeof name, "fx%d.jsonl", k);
        OK(cx_export_jsonl(st[k], CX_TABLE_FEEDBACK, P(name), 0));
        snprintf(name, sizeof name, "q%d.csv", k);
        link_query(st[k], P(name));
    }
    char pa[256];
    snprintf(pa, sizeof pa, "%s", P("fx0.csv"));
    assert_files_same(pa, P("fx1.csv"));
    snprintf(pa, sizeof pa, "%s", P("fx0.jsonl"));
    assert_files_same(pa, P("fx1.jsonl"));
    snprintf(pa, sizeof pa, "%s", P("q0.csv"));
    assert_files_same(pa, P("q1.csv"));
    /* and the exported feedback names the interactions by id, hostile text
     * quoted as data */
    char *text = slurp(P("fx1.csv"), NULL);
    ck_assert_ptr_nonnull(strstr(text, "customer,question,score,time,touchpoint,interaction,case,comment,id\n"));
    ck_assert_ptr_nonnull(strstr(text, ",\"'=HYPERLINK(\"\"3\"\")\n<script>\",")); /* never a formula */
    free(text);
    /* the exported files import into a third store the same again */
    cx_store *c = link_store();
    snprintf(name, sizeof name, "ix.%s", ext);
    OK(jsonl ? cx_export_jsonl(b, CX_TABLE_INTERACTIONS, P(name), 0) : cx_export_csv(b, CX_TABLE_INTERACTIONS, P(name), 0));
    cx_import_report_free(import_ok(imp, c, CX_TABLE_INTERACTIONS, P(name), NULL, LINK_INTERACTIONS,
                                    LINK_INTERACTIONS, 0));
    snprintf(name, sizeof name, "fx0.%s", ext);
    cx_import_report_free(import_ok(imp, c, CX_TABLE_FEEDBACK, P(name), NULL, LINK_FEEDBACK, LINK_FEEDBACK, 0));
    OK(cx_export_csv(c, CX_TABLE_FEEDBACK, P("fx2.csv"), 0));
    snprintf(pa, sizeof pa, "%s", P("fx0.csv"));
    assert_files_same(pa, P("fx2.csv"));
    cx_store_free(c);
    cx_store_free(a);
    cx_store_free(b);
}

START_TEST(csv_feedback_links_by_id_shuffled)
{
    feedback_links_by_id(false, cx_import_csv);
}
END_TEST

START_TEST(jsonl_feedback_links_by_id_shuffled)
{
    feedback_links_by_id(true, cx_import_jsonl);
}
END_TEST

/* Event ids at import: unique per table (a repeat is the row's fault, column
 * 0), found afterwards, and feedback refused when the interaction it names
 * is unknown, another customer's, or not yet imported. */
START_TEST(event_ids_imported)
{
    cx_store *s = sample_store();
    cx_import_report *r = import_ok(cx_import_csv, s, CX_TABLE_INTERACTIONS,
                                    write_file("i.csv", "customer,touchpoint,time,id\n"
                                                        "C-1,web,0,I-2\n"
                                                        "C-1,web,1,I-1\n"    /* 3 in the store already */
                                                        "عميل-٢,web,2,I-2\n" /* 4 earlier in the file */
                                                        "عميل-٢,web,3,\n"    /* 5 no id: fine */
                                                        "عميل-٢,web,4,\n"    /* 6 again */
                                                        "عميل-٢,web,5,\"\"\n" /* 7 an empty quoted id */
                                                        "C-1,web,6,\"I-\xff\"\n"), /* 8 invalid UTF-8 */
                                    NULL, 7, 3, 4);
    detail(r, 0, 3, 0, "interaction 'I-1' already exists");
    detail(r, 1, 4, 0, "interaction 'I-2' already exists");
    detail(r, 2, 7, 4, "id is empty");
    detail(r, 3, 8, 4, "id is not valid UTF-8");
    cx_import_report_free(r);
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-2"));
    ck_assert_uint_eq(row, 2);
    ck_assert_str_eq(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, 2), "C-1");
    ck_assert_ptr_null(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 3));
    ck_assert_ptr_null(store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 4));

    r = import_ok(cx_import_jsonl, s, CX_TABLE_FEEDBACK,
                  write_file("f.jsonl", "{\"customer\":\"C-1\",\"question\":\"nps\",\"score\":9,\"time\":0,"
                                        "\"interaction\":\"I-2\",\"id\":\"F-1\"}\n"
                                        "{\"customer\":\"عميل-٢\",\"question\":\"nps\",\"score\":9,\"time\":0,"
                                        "\"interaction\":\"I-2\"}\n"
                                        "{\"customer\":\"C-1\",\"question\":\"nps\",\"score\":9,\"time\":0,"
                                        "\"interaction\":\"I-3\"}\n"
                                        "{\"customer\":\"C-1\",\"question\":\"nps\",\"score\":8,\"time\":0,"
                                        "\"id\":\"F-1\"}\n"
                                        "{\"customer\":\"C-1\",\"question\":\"nps\",\"score\":7,\"time\":0,"
                                        "\"interaction\":\"I-1\",\"id\":\"F-2\"}\n"),
                  NULL, 5, 2, 3);
    detail(r, 0, 2, 6, "customer 'عميل-٢': interaction 'I-2' belongs to another customer");
    detail(r, 1, 3, 6, "no interaction 'I-3'");
    detail(r, 2, 4, 0, "feedback 'F-1' already exists");
    cx_import_report_free(r);
    OK(cx_store_find(&row, s, CX_TABLE_FEEDBACK, "F-2"));
    ck_assert_uint_eq(row, 3);
    ck_assert_str_eq(store_str(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2), "I-2");
    ck_assert_int_eq(store_int(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, 2), 2);

    r = import_ok(cx_import_csv, s, CX_TABLE_TRANSACTIONS,
                  write_file("t.csv", "id,customer,time,amount\nTX-1,C-1,0,1\nTX-1,C-1,0,2\nI-1,C-1,0,3\n"), NULL, 3,
                  2, 1);
    detail(r, 0, 3, 0, "transaction 'TX-1' already exists");
    cx_import_report_free(r);
    OK(cx_store_find(&row, s, CX_TABLE_TRANSACTIONS, "I-1")); /* ids are per table */
    ck_assert_uint_eq(row, 3);
    cx_store_free(s);
}
END_TEST

/* A strict import that updates stored events and appends new ones to the
 * same customers' lists, then fails, leaves the store as it was. */
START_TEST(strict_update_rolls_back)
{
    cx_store *s = sample_store();
    OK(cx_customer_add(s, "C-3", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_interaction_add(NULL, s, "I-2", "C-1", "web", T("2024-02-05T00:00:00Z"), NULL, CX_INBOUND, NULL, NULL, 0,
                          CX_HANDLED, 0));
    export_all(s, "a", 0);
    size_t hist[3];
    const char *const who[3] = {"C-1", "عميل-٢", "C-3"};
    for (int c = 0; c < 3; c++)
        hist[c] = history_count(s, who[c]);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    cx_import_report *r = (cx_import_report *)&r;
    /* I-2 moves from C-1 to C-3, a new interaction of C-3 follows, then a
     * bad row */
    ck_assert_int_eq(cx_import_csv(&r, s, CX_TABLE_INTERACTIONS,
                                   write_file("i.csv", "id,customer,touchpoint,time\n"
                                                       "I-2,C-3,web,2024-03-01T00:00:00Z\n"
                                                       "I-9,C-3,web,2024-03-02T00:00:00Z\n"
                                                       "I-10,C-1,ghost,2024-03-03T00:00:00Z\n"),
                                   o),
                     CX_ENOTFOUND);
    ck_assert_ptr_null(r);
    MSG_HAS("line 4, column 3");
    for (int c = 0; c < 3; c++)
        ck_assert_msg(history_count(s, who[c]) == hist[c], "%s has %zu entries, had %zu", who[c],
                      history_count(s, who[c]), hist[c]);
    size_t row;
    ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-9"), CX_ENOTFOUND);
    export_all(s, "b", 0);
    assert_exports_same("a", "b");
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

/* ---- hardening (issue 15) ---------------------------------------------- */

/* A store like sample_store() (built-in names, a defined channel, customers
 * with attributes, events), its memory from `b`. */
static cx_store *sample_on(cxt_alloc *b)
{
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, b));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "fax"));
    OK(cx_customer_add(s, "C-1", "consumer", "الرياض", "premium", T("2024-01-15T08:00:00+03:00")));
    OK(cx_customer_add(s, "عميل-٢", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_set_attribute(s, "C-1", "name", "سارة"));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", "sales", 1, 2.5));
    OK(cx_case_add(s, "T-1", "C-1", "fax", "high", "نورة", T("2024-02-01T10:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0,
                   1));
    OK(cx_interaction_add(NULL, s, "I-1", "C-1", "web", T("2024-02-01T10:00:00Z"), "contact", CX_INBOUND, "نورة",
                          "T-1", 1000, CX_HANDLED, 0));
    OK(cx_feedback_add(NULL, s, "F-1", "C-1", "nps", 9, T("2024-02-02T09:00:00Z"), "web", "I-1", "T-1", "جيد"));
    OK(cx_transaction_add(NULL, s, "X-1", "عميل-٢", T("2024-02-04T09:00:00Z"), 12.5));
    return s;
}

/* One import with the allocation number k of the import refused, alone
 * (those after it granted), for k = 1, 2, ... until the import needs no
 * more: each failure is CX_ENOMEM, hands out no report, leaves the store
 * exactly as before (every table exported, byte for byte: built-in
 * channels, stages and questions included) and keeps no memory. */
static void each_allocation_of_import(import_fn imp, int table, const char *file, const cx_import_options *o,
                                      uint64_t accepted)
{
    char path[256];
    snprintf(path, sizeof path, "%s", file);
    cxt_alloc b = {0};
    cx_store *s = sample_on(&b);
    export_all(s, "before", 0);
    cx_store_free(s);
    cxt_alloc_done(&b);
    size_t failures = 0;
    for (size_t k = 1;; k++) {
        cxt_alloc a = {0};
        s = sample_on(&a);
        cx_import_report *r = (cx_import_report *)&r;
        cxt_alloc_fail_nth(&a, k, false);
        int rc = imp(&r, s, table, path, o);
        size_t refused = a.refused;
        cxt_alloc_allow(&a, -1);
        if (rc == CX_OK) {
            ck_assert_msg(refused == 0, "allocation %zu refused, yet the import succeeded", k);
            ck_assert_uint_eq(cx_import_report_accepted(r), accepted);
            cx_import_report_free(r);
            cx_store_free(s);
            cxt_alloc_done(&a);
            break;
        }
        ck_assert_msg(rc == CX_ENOMEM, "allocation %zu refused: %d %s", k, rc, cx_last_error());
        ck_assert_ptr_null(r);
        MSG_HAS(path);
        export_all(s, "after", 0);
        assert_exports_same("before", "after");
        cx_store_free(s);
        cxt_alloc_done(&a);
        failures++;
        ck_assert_uint_lt(k, 10000);
    }
    ck_assert_uint_gt(failures, 2);
}

/* Issue 15, defect 1: a failed import, wherever it runs out of memory
 * (the report's allocation first of all), changes nothing. */
START_TEST(import_refused_allocations_change_nothing)
{
    const char *c = write_file("c.csv", "id,segment,tier,note\nC-2,smb,gold,x\nC-3,,silver,\nC-1,dup,,\n");
    char cpath[256];
    snprintf(cpath, sizeof cpath, "%s", c);
    const char *j = write_file("t.jsonl", "{\"customer\":\"N-1\",\"time\":\"2024-03-01T00:00:00Z\",\"amount\":3}\n"
                                          "{\"customer\":\"N-2\",\"time\":\"2024-03-02T00:00:00Z\",\"amount\":-1}\n"
                                          "{\"customer\":\"C-1\",\"time\":\"2024-03-03T00:00:00Z\",\"amount\":4}\n");
    char jpath[256];
    snprintf(jpath, sizeof jpath, "%s", j);
    const char *f = write_file("f.csv", "customer,question,score,time,interaction\n"
                                        "C-1,nps,10,2024-03-01T00:00:00Z,I-1\nC-1,nps,11,2024-03-01T00:00:00Z,\n");
    char fpath[256];
    snprintf(fpath, sizeof fpath, "%s", f);
    each_allocation_of_import(cx_import_csv, CX_TABLE_CUSTOMERS, cpath, NULL, 2);
    each_allocation_of_import(cx_import_csv, CX_TABLE_FEEDBACK, fpath, NULL, 1);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    OK(cx_import_options_set_reject_path(o, P("rejects.jsonl")));
    each_allocation_of_import(cx_import_jsonl, CX_TABLE_TRANSACTIONS, jpath, o, 2);
    OK(cx_import_options_set_reject_path(o, P("rejects.csv")));
    each_allocation_of_import(cx_import_csv, CX_TABLE_CUSTOMERS, cpath, o, 2);
    cx_import_options_free(o);
}
END_TEST

/* Issue 14: a CSV import of events that creates 1285 customers from its
 * rows, each named twice: wherever an allocation is refused, the import
 * fails and changes nothing, or (a refused sizing hint) makes the same
 * store. */
START_TEST(import_created_customers_refused_allocations_change_nothing)
{
    size_t cap = 128 * 1024, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text + n, cap - n, "customer,time,amount\n");
    /* 1285 new customers, each named twice (the second row finds it stored) */
    for (int i = 0; i < 3000; i++) {
        if (i % 7 == 0)
            n += (size_t)snprintf(text + n, cap - n, "C-1,2024-03-01T00:00:00Z,%d\n", i);
        else
            n += (size_t)snprintf(text + n, cap - n, "N-%d,2024-03-01T00:00:00Z,%d\n", i / 2, i);
    }
    ck_assert_uint_lt(n, cap);
    const char *t = write_bytes("keys.csv", text, n);
    free(text);
    char tpath[256];
    snprintf(tpath, sizeof tpath, "%s", t);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    /* the file is large enough for the import to size the table from it,
     * a hint that a refused allocation only leaves out: the import then
     * succeeds with the same store */
    cxt_alloc b = {0};
    cx_store *s = sample_on(&b);
    export_all(s, "before", 0);
    cx_import_report *r;
    OK(cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, tpath, o));
    cx_import_report_free(r);
    export_all(s, "good", 0);
    cx_store_free(s);
    cxt_alloc_done(&b);
    size_t failures = 0;
    for (size_t k = 1;; k++) {
        cxt_alloc a = {0};
        s = sample_on(&a);
        r = (cx_import_report *)&r;
        cxt_alloc_fail_nth(&a, k, false);
        int rc = cx_import_csv(&r, s, CX_TABLE_TRANSACTIONS, tpath, o);
        size_t refused = a.refused;
        cxt_alloc_allow(&a, -1);
        if (rc == CX_OK) {
            ck_assert_uint_eq(cx_import_report_accepted(r), 3000);
            cx_import_report_free(r);
            export_all(s, "after", 0);
            assert_exports_same("good", "after");
        } else {
            ck_assert_msg(rc == CX_ENOMEM, "allocation %zu refused: %d %s", k, rc, cx_last_error());
            ck_assert_ptr_null(r);
            MSG_HAS(tpath);
            export_all(s, "after", 0);
            assert_exports_same("before", "after");
            failures++;
        }
        cx_store_free(s);
        cxt_alloc_done(&a);
        if (refused == 0)
            break; /* the import needed no allocation k */
        ck_assert_uint_lt(k, 20000);
    }
    ck_assert_uint_gt(failures, 10);
    cx_import_options_free(o);
}
END_TEST

/* Issue 15, defect 10: a JSON Lines customer row with an empty member name
 * is rejected whole: its customer is not stored, nor changed when it
 * exists and rows update; the other rows go in. */
START_TEST(jsonl_empty_member_rejects_whole_row)
{
    cx_store *s = with_customers();
    size_t before = store_rows(s, CX_TABLE_CUSTOMERS);
    const char *p = write_file("c.jsonl", "{\"id\":\"C-7\",\"\":\"x\"}\n"
                                          "{\"id\":\"C-8\",\"tier\":\"gold\"}\n"
                                          "{\"id\":\"C-9\",\"tier\":\"silver\",\"\":null}\n");
    cx_import_report *r = import_ok(cx_import_jsonl, s, CX_TABLE_CUSTOMERS, p, NULL, 3, 1, 2);
    detail(r, 0, 1, 0, "attribute name cannot be empty");
    detail(r, 1, 3, 0, "attribute name cannot be empty");
    cx_import_report_free(r);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), before + 1);
    size_t row;
    ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-7"), CX_ENOTFOUND);
    ck_assert_int_eq(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-9"), CX_ENOTFOUND);
    OK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-8"));
    /* updating rows: the stored customer keeps its values */
    export_all(s, "a", 0);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    p = write_file("u.jsonl", "{\"id\":\"C-8\",\"segment\":\"new\",\"tier\":\"bronze\",\"\":\"x\"}\n");
    cx_import_report_free(import_ok(cx_import_jsonl, s, CX_TABLE_CUSTOMERS, p, o, 1, 0, 1));
    export_all(s, "b", 0);
    assert_exports_same("a", "b");
    /* strict mode fails the same row, and changes nothing either */
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *none = (cx_import_report *)&none;
    FAILS(cx_import_jsonl(&none, s, CX_TABLE_CUSTOMERS, p, o), CX_EPARSE, "cx_import_jsonl");
    ck_assert_ptr_null(none);
    export_all(s, "b", 0);
    assert_exports_same("a", "b");
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

/* Issue 15: a reject file that is the input file, under its own name,
 * another spelling of it, a hard link or a symbolic link, is refused with
 * CX_EINVAL before anything is written: the input keeps its bytes, the
 * store its rows. */
START_TEST(reject_path_is_input_refused)
{
    static const char csv[] = "id,segment\nC-7,smb\n,missing id\n";
    static const char jsonl[] = "{\"id\":\"C-7\"}\n{\"segment\":\"missing id\"}\n";
    const char *const names[2] = {"in.csv", "in.jsonl"};
    const char *const texts[2] = {csv, jsonl};
    const import_fn fns[2] = {cx_import_csv, cx_import_jsonl};
    for (int k = 0; k < 2; k++) {
        char in[256], link_hard[256], link_soft[256], dotted[300];
        snprintf(in, sizeof in, "%s", write_file(names[k], texts[k]));
        snprintf(link_hard, sizeof link_hard, "%s", P(k ? "hard.jsonl" : "hard.csv"));
        snprintf(link_soft, sizeof link_soft, "%s", P(k ? "soft.jsonl" : "soft.csv"));
        snprintf(dotted, sizeof dotted, "%s/./%s", tmp_dir(), names[k]);
        ck_assert_int_eq(link(in, link_hard), 0);
        ck_assert_int_eq(symlink(in, link_soft), 0);
        const char *const rejects[] = {in, dotted, link_hard, link_soft};
        cx_store *s = with_customers();
        snapshot before = snap(s);
        for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
            cx_import_options *o;
            OK(cx_import_options_new(&o));
            OK(cx_import_options_set_reject_path(o, rejects[i]));
            cx_import_report *r = (cx_import_report *)&r;
            FAILS(fns[k](&r, s, CX_TABLE_CUSTOMERS, in, o), CX_EINVAL, k ? "cx_import_jsonl" : "cx_import_csv");
            MSG_HAS("is the input file");
            ck_assert_ptr_null(r);
            assert_file_eq(in, texts[k]);
            assert_snap(s, &before);
            cx_import_options_free(o);
        }
        /* another file is fine */
        cx_import_options *o;
        OK(cx_import_options_new(&o));
        OK(cx_import_options_set_reject_path(o, P("rejects")));
        cx_import_report_free(import_ok(fns[k], s, CX_TABLE_CUSTOMERS, in, o, 2, 1, 1));
        assert_file_eq(in, texts[k]);
        cx_import_options_free(o);
        cx_store_free(s);
    }
}
END_TEST

/* Issue 15: a NULL allocator means malloc, realloc and free wherever one is
 * taken (documented), and its user data is then not used: a store, import
 * options, a calendar and a loaded store made that way work as those of
 * the plain constructors. (Monitors: test_metrics.) */
START_TEST(null_allocator_is_malloc)
{
    int ud = 0;
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, NULL, &ud));
    cx_import_options *o;
    OK(cx_import_options_new_with_allocator(&o, NULL, &ud));
    OK(cx_import_options_set_reject_path(o, P("rejects.csv")));
    OK(cx_import_options_map_column(o, "who", "id"));
    char *text = malloc(200 * 32), *at = text;
    at += sprintf(at, "who,segment\n");
    for (int i = 0; i < 200; i++) /* enough rows to grow the store's arrays */
        at += sprintf(at, "C%d,%s\n", i, i % 50 == 7 ? "" : "smb");
    char in[256];
    snprintf(in, sizeof in, "%s", write_file("c.csv", text));
    free(text);
    cx_import_report_free(import_ok(cx_import_csv, s, CX_TABLE_CUSTOMERS, in, o, 200, 200, 0));
    cx_store *plain;
    OK(cx_store_new(&plain));
    cx_import_report_free(import_ok(cx_import_csv, plain, CX_TABLE_CUSTOMERS, in, o, 200, 200, 0));
    export_all(s, "s", 0);
    export_all(plain, "p", 0);
    assert_exports_same("s", "p");
    /* a database loaded with a NULL allocator */
    char db[256];
    snprintf(db, sizeof db, "%s", P("s.db"));
    OK(cx_db_save(s, db));
    cx_store *loaded;
    OK(cx_db_load_with_allocator(&loaded, db, NULL, &ud));
    export_all(loaded, "l", 0);
    assert_exports_same("s", "l");
    /* a calendar */
    cx_calendar *cal;
    OK(cx_calendar_new_with_allocator(&cal, 180, NULL, &ud));
    for (int d = 0; d < 5; d++)
        OK(cx_calendar_add_hours(cal, d + 1, 9 * 60, 17 * 60));
    for (int m = 1; m <= 12; m++) /* enough holidays to grow its arrays */
        OK(cx_calendar_add_holiday(cal, 2024, m, 1));
    int64_t ms;
    OK(cx_calendar_business_ms(&ms, cal, T("2024-01-01T00:00:00+03:00"), T("2024-01-08T00:00:00+03:00")));
    ck_assert_int_eq(ms, 4 * 8 * HOUR_MS); /* Monday 1 January is a holiday */
    ck_assert_int_eq(ud, 0);
    cx_calendar_free(cal);
    cx_store_free(loaded);
    cx_store_free(plain);
    cx_import_options_free(o);
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("io");
    TCase *rt = tcase_create("roundtrip");
    tcase_add_checked_fixture(rt, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(rt, csv_file_store_file_every_table);
    tcase_add_test(rt, jsonl_file_store_file_every_table);
    tcase_add_test(rt, store_csv_store_csv);
    tcase_add_test(rt, store_jsonl_store_jsonl);
    tcase_add_test(rt, store_roundtrip_at_offsets);
    tcase_add_test(rt, export_offset_minutes);
    tcase_add_test(rt, empty_tables_export);
    suite_add_tcase(su, rt);
    TCase *fmt = tcase_create("formats");
    tcase_add_checked_fixture(fmt, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(fmt, rfc4180_quoting_lf);
    tcase_add_test(fmt, rfc4180_quoting_crlf);
    tcase_add_test(fmt, csv_crlf_missing_last_fields);
    tcase_add_test(fmt, utf8_bom_accepted);
    tcase_add_test(fmt, time_forms_accepted);
    tcase_add_test(fmt, time_forms_refused);
    tcase_add_test(fmt, column_mapping);
    tcase_add_test(fmt, other_delimiters);
    tcase_add_test(fmt, blank_lines_skipped);
    tcase_add_test(fmt, jsonl_customers_and_values);
    tcase_add_test(fmt, missing_values_take_defaults);
    tcase_add_test(fmt, numbers_are_exact_text);
    tcase_add_test(fmt, large_file_chunk_boundaries);
    suite_add_tcase(su, fmt);
    TCase *bad = tcase_create("bad_rows");
    tcase_add_checked_fixture(bad, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(bad, csv_bad_transactions_reported_and_rejected);
    tcase_add_test(bad, csv_bad_customers_reported);
    tcase_add_test(bad, csv_bad_references_and_values);
    tcase_add_test(bad, csv_bad_headers_fail_whole_import);
    tcase_add_test(bad, jsonl_bad_rows_reported_and_rejected);
    tcase_add_test(bad, reject_file_with_nothing_rejected);
    tcase_add_test(bad, report_details_capped);
    suite_add_tcase(su, bad);
    TCase *strict = tcase_create("strict");
    tcase_add_checked_fixture(strict, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(strict, strict_csv_customers_rolls_back);
    tcase_add_test(strict, strict_csv_events_roll_back);
    tcase_add_test(strict, strict_jsonl_rolls_back);
    tcase_add_test(strict, out_of_memory_rolls_back);
    tcase_add_test(strict, out_of_memory_with_rejects);
    tcase_add_test(strict, out_of_memory_export);
    tcase_add_test(strict, options_with_allocator);
    tcase_add_test(strict, strict_update_rolls_back);
    suite_add_tcase(su, strict);
    TCase *create = tcase_create("create_customers");
    tcase_add_checked_fixture(create, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(create, create_customers_csv_interactions);
    tcase_add_test(create, create_customers_jsonl_every_event_table);
    tcase_add_test(create, create_customers_off_rejects_unknown);
    tcase_add_test(create, create_customers_ignored_for_other_tables);
    tcase_add_test(create, create_customers_strict_rolls_back);
    suite_add_tcase(su, create);
    TCase *ids = tcase_create("event_ids");
    tcase_add_checked_fixture(ids, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(ids, 60);
    tcase_add_test(ids, csv_feedback_links_by_id_shuffled);
    tcase_add_test(ids, jsonl_feedback_links_by_id_shuffled);
    tcase_add_test(ids, csv_formulas_neutralised_and_read_back);
    tcase_add_test(ids, event_ids_imported);
    suite_add_tcase(su, ids);
    TCase *args = tcase_create("arguments");
    tcase_add_checked_fixture(args, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(args, options_arguments);
    tcase_add_test(args, import_arguments);
    tcase_add_test(args, report_arguments);
    tcase_add_test(args, export_arguments);
    suite_add_tcase(su, args);
    TCase *hard = tcase_create("hardening");
    tcase_add_checked_fixture(hard, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(hard, 120);
    tcase_add_test(hard, import_refused_allocations_change_nothing);
    tcase_add_test(hard, import_created_customers_refused_allocations_change_nothing);
    tcase_add_test(hard, jsonl_empty_member_rejects_whole_row);
    tcase_add_test(hard, reject_path_is_input_refused);
    tcase_add_test(hard, null_allocator_is_malloc);
    suite_add_tcase(su, hard);
    return run_suite(su);
}
