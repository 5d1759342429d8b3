/* Numbers are read and written the same whatever numeric locale the host
 * application set (issue 15, defect 9): with LC_NUMERIC set to a locale
 * whose decimal point is a comma, CSV amounts like 10.25 were refused,
 * cx_export_jsonl wrote "amount":7,5 and cx_result_export_csv 20,65.
 *
 * Each test runs one workload (CSV and JSON Lines imports with decimals,
 * both exports, a query result exported to CSV and JSON, a SQLite save and
 * load) in the C locale and again under a comma locale, and compares the
 * bytes. Without a comma locale on the machine (Debian: the `locales`
 * package with de_DE.UTF-8 generated, see tools/deps.sh) the whole suite
 * reports itself skipped (TAP "1..0 # SKIP"), never passed. */
#include "cx_test.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>

#include "../src/base/base.h"

static const char *const comma_locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8",
                                            "es_ES.UTF-8", "ru_RU.UTF-8", "it_IT.UTF-8", "pt_BR.UTF-8"};
static const char *comma; /* the one found */

static const char *find_comma_locale(void)
{
    for (size_t i = 0; i < sizeof comma_locales / sizeof comma_locales[0]; i++) {
        if (setlocale(LC_NUMERIC, comma_locales[i])) {
            char buf[16];
            snprintf(buf, sizeof buf, "%.1f", 7.5);
            setlocale(LC_NUMERIC, "C");
            if (strcmp(buf, "7,5") == 0)
                return comma_locales[i];
        }
    }
    setlocale(LC_NUMERIC, "C");
    return NULL;
}

static const char *const tables[] = {"customers", "touchpoints", "interactions", "cases", "questions", "feedback",
                                     "transactions"};

/* The workload, its files under tmp_dir()/<tag>/. */
static void workload(const char *tag)
{
    char dir[400], path[500];
    snprintf(dir, sizeof dir, "%s/%s", tmp_dir(), tag);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
#define IN(name) (snprintf(path, sizeof path, "%s/%s", dir, (name)), path)
    cx_store *s;
    OK(cx_store_new(&s));
    FILE *f = fopen(IN("customers.csv"), "w");
    fputs("id,segment\nA,retail\nB,retail\n", f);
    fclose(f);
    f = fopen(IN("transactions.csv"), "w");
    fputs("customer,time,amount\n"
          "A,2024-01-01T00:00:00Z,10.25\n"
          "A,2024-01-02T00:00:00Z,0.1\n"
          "B,2024-01-03T00:00:00Z,123456.789012345678\n"
          "B,2024-01-04T00:00:00Z,1.5e3\n"
          "B,2024-01-05T00:00:00Z,\"7,5\"\n", /* a comma is no decimal point, in any locale */
          f);
    fclose(f);
    f = fopen(IN("touchpoints.jsonl"), "w");
    fputs("{\"name\":\"web\",\"channel\":\"web\",\"stage\":\"service\",\"weight\":2.75}\n", f);
    fclose(f);
    f = fopen(IN("interactions.jsonl"), "w");
    fputs("{\"customer\":\"A\",\"touchpoint\":\"web\",\"time\":\"2024-01-01T00:00:00Z\",\"value\":49.5}\n"
          "{\"customer\":\"B\",\"touchpoint\":\"web\",\"time\":\"2024-01-02T00:00:00Z\",\"value\":0.3}\n",
          f);
    fclose(f);
    f = fopen(IN("feedback.csv"), "w");
    fputs("customer,question,score,time\n"
          "A,csat,4.5,2024-01-01T00:00:00Z\n"
          "B,csat,5,2024-01-01T00:00:00Z\n"
          "A,ces,6.25,2024-01-01T00:00:00Z\n"
          "B,ces,2,2024-01-02T00:00:00Z\n",
          f);
    fclose(f);
    cx_import_report *rep;
    OK(cx_import_csv(&rep, s, CX_TABLE_CUSTOMERS, IN("customers.csv"), NULL));
    cx_import_report_free(rep);
    OK(cx_import_csv(&rep, s, CX_TABLE_TRANSACTIONS, IN("transactions.csv"), NULL));
    ck_assert_uint_eq(cx_import_report_accepted(rep), 4);
    ck_assert_uint_eq(cx_import_report_rejected(rep), 1);
    cx_import_report_free(rep);
    OK(cx_import_jsonl(&rep, s, CX_TABLE_TOUCHPOINTS, IN("touchpoints.jsonl"), NULL));
    ck_assert_uint_eq(cx_import_report_accepted(rep), 1);
    cx_import_report_free(rep);
    OK(cx_import_jsonl(&rep, s, CX_TABLE_INTERACTIONS, IN("interactions.jsonl"), NULL));
    ck_assert_uint_eq(cx_import_report_accepted(rep), 2);
    cx_import_report_free(rep);
    OK(cx_import_csv(&rep, s, CX_TABLE_FEEDBACK, IN("feedback.csv"), NULL));
    ck_assert_uint_eq(cx_import_report_accepted(rep), 4);
    cx_import_report_free(rep);
    double amount;
    OK(cx_store_get_real(&amount, s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, 0));
    ck_assert(amount == 10.25);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        char name[64];
        snprintf(name, sizeof name, "out-%s.csv", tables[t]);
        OK(cx_export_csv(s, t, IN(name), 0));
        snprintf(name, sizeof name, "out-%s.jsonl", tables[t]);
        OK(cx_export_jsonl(s, t, IN(name), 0));
    }
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_add(q, CX_MEASURE_CES));
    OK(cx_query_run(&r, q));
    OK(cx_result_export_csv(r, IN("result.csv")));
    OK(cx_result_export_json(r, IN("result.json")));
    cx_result_free(r);
    cx_query_free(q);
    /* through SQLite and back: the load reads reals through the importer */
    OK(cx_db_save(s, IN("store.db")));
    cx_store *l;
    OK(cx_db_load(&l, IN("store.db")));
    OK(cx_export_csv(l, CX_TABLE_TRANSACTIONS, IN("loaded-transactions.csv"), 0));
    OK(cx_export_jsonl(l, CX_TABLE_FEEDBACK, IN("loaded-feedback.jsonl"), 0));
    cx_store_free(l);
    cx_store_free(s);
#undef IN
}

static void same_file(const char *name)
{
    char a[500], b[500];
    snprintf(a, sizeof a, "%s/C/%s", tmp_dir(), name);
    snprintf(b, sizeof b, "%s/comma/%s", tmp_dir(), name);
    assert_files_same(a, b);
}

START_TEST(numbers_ignore_the_locale)
{
    workload("C");
    /* the C run wrote what it should: not vacuous */
    char path[500];
    snprintf(path, sizeof path, "%s/C/out-transactions.jsonl", tmp_dir());
    char *text = slurp(path, NULL);
    ck_assert_msg(strstr(text, "\"amount\":10.25"), "%s", text);
    free(text);
    snprintf(path, sizeof path, "%s/C/result.csv", tmp_dir());
    text = slurp(path, NULL);
    ck_assert_msg(strstr(text, "4.75") && strstr(text, "4.125"), "%s", text); /* CSAT and CES means */
    free(text);
    ck_assert_ptr_nonnull(setlocale(LC_NUMERIC, comma));
    workload("comma");
    setlocale(LC_NUMERIC, "C");
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char name[64];
        snprintf(name, sizeof name, "out-%s.csv", tables[t]);
        same_file(name);
        snprintf(name, sizeof name, "out-%s.jsonl", tables[t]);
        same_file(name);
    }
    same_file("result.csv");
    same_file("result.json");
    same_file("loaded-transactions.csv");
    same_file("loaded-feedback.jsonl");
}
END_TEST

/* ---- texts the library writes: error messages, care reasons, pain points */

/* cxi_snprintf writes what snprintf writes in the C locale, for every
 * conversion, whatever LC_NUMERIC is. */
static void format_table(char out[][160], size_t n)
{
    size_t k = 0;
#define F(...) (k < n ? (void)cxi_snprintf(out[k++], 160, __VA_ARGS__) : (void)0)
    F("%g|%.1f|%.0f%%|%e|%10.3f|%-8.2g|", 0.5, 2.25, 99.5, 12345.678, -3.14159, 1e-7);
    F("%.*f|%*.*g|%a|%G|%E|%F", 3, 1.0 / 3, 12, 4, 6.02214076e23, 1.5, 1e300, -2.5e-300, 7.75);
    F("%Lg|%s|%.3s|%5s|%-5s|%c|%%|%d|%i|%u", (long double)0.125, "a,b.c", "abcdef", "x", "y", 'z', -42, 7, 9u);
    F("%ld|%lld|%zu|%jd|%lu|%llx|%X|%o|%#x|%+d|% d|%05d", -1L, -(1LL << 62), (size_t)12, (intmax_t)-5, 3UL,
      0xdeadbeefULL, 255u, 8u, 255u, 3, 4, 42);
    F("%.10s after %.1f %% of %llu (n = %lu)", "case-1234567890", 12.5, 3ULL, 40UL);
    F("nan %g inf %g -inf %f", NAN, INFINITY, -INFINITY);
    F("%s", "");
    F("plain text, no conversion: 1,5 and 1.5");
#undef F
    ck_assert_uint_eq(k, n);
}

START_TEST(formatter_ignores_the_locale)
{
    enum { N = 8 };
    char c[N][160], d[N][160], ref[160];
    format_table(c, N);
    /* in the C locale the same as the C library */
    snprintf(ref, sizeof ref, "%g|%.1f|%.0f%%|%e|%10.3f|%-8.2g|", 0.5, 2.25, 99.5, 12345.678, -3.14159, 1e-7);
    ck_assert_str_eq(c[0], ref);
    snprintf(ref, sizeof ref, "%.*f|%*.*g|%a|%G|%E|%F", 3, 1.0 / 3, 12, 4, 6.02214076e23, 1.5, 1e300, -2.5e-300, 7.75);
    ck_assert_str_eq(c[1], ref);
    snprintf(ref, sizeof ref, "%Lg|%s|%.3s|%5s|%-5s|%c|%%|%d|%i|%u", (long double)0.125, "a,b.c", "abcdef", "x", "y",
             'z', -42, 7, 9u);
    ck_assert_str_eq(c[2], ref);
    snprintf(ref, sizeof ref, "%ld|%lld|%zu|%jd|%lu|%llx|%X|%o|%#x|%+d|% d|%05d", -1L, -(1LL << 62), (size_t)12,
             (intmax_t)-5, 3UL, 0xdeadbeefULL, 255u, 8u, 255u, 3, 4, 42);
    ck_assert_str_eq(c[3], ref);
    ck_assert_str_eq(c[4], "case-12345 after 12.5 % of 3 (n = 40)");
    ck_assert_str_eq(c[6], "");
    ck_assert_str_eq(c[7], "plain text, no conversion: 1,5 and 1.5");
    ck_assert_ptr_nonnull(setlocale(LC_NUMERIC, comma));
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 2.5);
    format_table(d, N);
    setlocale(LC_NUMERIC, "C");
    ck_assert_str_eq(probe, "2,5"); /* the locale is in effect: not vacuous */
    for (int i = 0; i < N; i++)
        ck_assert_str_eq(d[i], c[i]);
    /* cut to the buffer, terminated, returning the whole length */
    char small[8];
    ck_assert_int_eq(cxi_snprintf(small, sizeof small, "%.2f and %s", 1234.5, "more"), 16);
    ck_assert_str_eq(small, "1234.50");
    ck_assert_int_eq(cxi_snprintf(NULL, 0, "%d%g", 12, 0.5), 5);
}
END_TEST

/* Imports the demo data into a new store. */
static cx_store *demo_store(void)
{
    static const struct {
        int table;
        const char *file;
    } files[] = {{CX_TABLE_CUSTOMERS, "customers.csv"},       {CX_TABLE_TOUCHPOINTS, "touchpoints.csv"},
                 {CX_TABLE_QUESTIONS, "questions.csv"},       {CX_TABLE_CASES, "cases.csv"},
                 {CX_TABLE_INTERACTIONS, "interactions.csv"}, {CX_TABLE_FEEDBACK, "feedback.csv"},
                 {CX_TABLE_TRANSACTIONS, "transactions.csv"}};
    cx_store *s;
    OK(cx_store_new(&s));
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CXKIT_DEMO_DATA, files[i].file);
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, files[i].table, path, NULL));
        ck_assert_uint_eq(cx_import_report_rejected(rep), 0);
        cx_import_report_free(rep);
    }
    return s;
}

/* The care list and the pain points of the demo data, and two error
 * messages with numbers, written under the current locale into dir. */
static void texts(const char *tag)
{
    char dir[400], path[500];
    snprintf(dir, sizeof dir, "%s/%s", tmp_dir(), tag);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
#define IN(name) (snprintf(path, sizeof path, "%s/%s", dir, (name)), path)
    cx_store *s = demo_store();
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    cx_result *r;
    OK(cx_journeys_pain_points(&r, j));
    OK(cx_result_export_csv(r, IN("pain.csv")));
    cx_result_free(r);
    cx_journeys_free(j);
    cx_care_rules *rules;
    OK(cx_care_rules_new(&rules));
    size_t k;
    OK(cx_care_rules_add(NULL, rules, CX_CARE_DETRACTOR_AFTER_CASE, 5, 6, 60 * 86400000LL));
    OK(cx_care_rules_add(NULL, rules, CX_CARE_REPEAT_CONTACTS, 4, 3, 30 * 86400000LL));
    OK(cx_care_rules_add(&k, rules, CX_CARE_SLA_BREACH, 8, 0, 60 * 86400000LL));
    OK(cx_care_rules_set_baseline(rules, k, 4 * 3600000LL));
    OK(cx_care_rules_add(NULL, rules, CX_CARE_HIGH_EFFORT, 3, 0.5, 60 * 86400000LL));
    OK(cx_care_rules_add(&k, rules, CX_CARE_ACTIVITY_DROP, 2, 0.5, 45 * 86400000LL));
    OK(cx_care_rules_set_min_value(rules, k, 2));
    OK(cx_care_rules_set_baseline(rules, k, 135 * 86400000LL));
    cx_time as_of;
    OK(cx_time_parse(&as_of, "2025-12-31T00:00:00Z", 20));
    OK(cx_care_evaluate(&r, rules, s, as_of, NULL, NULL));
    OK(cx_result_export_csv(r, IN("care.csv")));
    cx_result_free(r);
    cx_care_rules_free(rules);
    /* an error message with numbers */
    cx_journeys_options *o;
    OK(cx_journeys_options_new(&o, s));
    ck_assert_int_eq(cx_journeys_options_set_position_weights(o, 0.75, 0.5), CX_ERANGE);
    FILE *f = fopen(IN("error.txt"), "w");
    fputs(cx_last_error(), f);
    fclose(f);
    cx_journeys_options_free(o);
    cx_store_free(s);
#undef IN
}

START_TEST(texts_ignore_the_locale)
{
    texts("C");
    char path[500];
    snprintf(path, sizeof path, "%s/C/error.txt", tmp_dir());
    char *text = slurp(path, NULL);
    ck_assert_msg(strstr(text, "0.75") && strstr(text, "0.5"), "%s", text);
    free(text);
    /* the C run wrote reasons with decimals: not vacuous */
    snprintf(path, sizeof path, "%s/C/care.csv", tmp_dir());
    text = slurp(path, NULL);
    ck_assert_msg(strstr(text, "past its") && strstr(text, "(rate x0."), "%.2000s", text);
    free(text);
    snprintf(path, sizeof path, "%s/C/pain.csv", tmp_dir());
    text = slurp(path, NULL);
    ck_assert_msg(strstr(text, " % ") && strstr(text, "elsewhere"), "%.2000s", text);
    free(text);
    ck_assert_ptr_nonnull(setlocale(LC_NUMERIC, comma));
    texts("comma");
    setlocale(LC_NUMERIC, "C");
    same_file("care.csv");
    same_file("pain.csv");
    same_file("error.txt");
}
END_TEST

int main(void)
{
    comma = find_comma_locale();
    if (!comma) {
        /* TAP: the whole suite skipped, with the reason */
        printf("1..0 # SKIP no locale with a comma decimal point (tried de_DE.UTF-8 and others): install the "
               "Debian package locales and generate de_DE.UTF-8 (tools/deps.sh: cx_need_comma_locale)\n");
        return 0;
    }
    Suite *su = suite_create("locale");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(core, numbers_ignore_the_locale);
    tcase_add_test(core, formatter_ignores_the_locale);
    tcase_add_test(core, texts_ignore_the_locale);
    suite_add_tcase(su, core);
    return run_suite(su);
}
