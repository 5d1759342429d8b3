/*
 * cx-report: imports a directory of CXKit CSV files (customers.csv,
 * touchpoints.csv, cases.csv, interactions.csv, questions.csv, feedback.csv,
 * transactions.csv; missing files are skipped) into a store, keeps it in a
 * SQLite file, loads it back to check, and prints what the library can say
 * about the data (activity, service, headline scores, journeys and the first
 * pain point under each journey boundary rule, one customer's history). The README's first command runs it on examples/data/.
 *
 * Usage: cx-report [-o DB] [-r REJECT_DIR] [--strict] DATA_DIR
 *
 * Without -o the SQLite file goes to a fresh directory under $TMPDIR (or
 * /tmp) and is removed at the end: the tool never writes into the current
 * directory unless told to.
 */
#define _POSIX_C_SOURCE 200809L
#include <cxkit/cxkit.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "cx-report: %s: %s\n", what, cx_last_error());
    exit(1);
}

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK)                                                                                       \
            die(#call);                                                                                            \
    } while (0)

/* Import order: every table after the ones its rows refer to. */
static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                            CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};

static size_t rows(const cx_store *s, int table)
{
    size_t n;
    CHECK(cx_store_rows(&n, s, table));
    return n;
}

static const char *str(const cx_store *s, int table, int col, size_t row)
{
    const char *v;
    CHECK(cx_store_get_string(&v, s, table, col, row));
    return v ? v : "-";
}

static int64_t num(const cx_store *s, int table, int col, size_t row)
{
    int64_t v;
    CHECK(cx_store_get_int(&v, s, table, col, row));
    return v;
}

static void import_all(cx_store *s, const char *dir, const char *reject_dir, int strict)
{
    printf("Import from %s/\n", dir);
    printf("  %-13s %10s %10s %10s %8s %9s\n", "table", "read", "accepted", "rejected", "seconds", "MB/s");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        CHECK(cx_table_name(&name, order[i]));
        char path[4096], rej[4096];
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        cx_import_options *o;
        CHECK(cx_import_options_new(&o));
        if (reject_dir) {
            snprintf(rej, sizeof rej, "%s/%s.rejects.csv", reject_dir, name);
            CHECK(cx_import_options_set_reject_path(o, rej));
        }
        CHECK(cx_import_options_set_strict(o, strict));
        cx_import_report *r;
        double t0 = now();
        if (cx_import_csv(&r, s, order[i], path, o) != CX_OK)
            die("import");
        double dt = now() - t0;
        printf("  %-13s %10llu %10llu %10llu %8.3f %9.1f\n", name, (unsigned long long)cx_import_report_read(r),
               (unsigned long long)cx_import_report_accepted(r), (unsigned long long)cx_import_report_rejected(r), dt,
               (double)st.st_size / 1e6 / dt);
        for (size_t k = 0; k < cx_import_report_details(r) && k < 3; k++) {
            uint64_t line;
            int col;
            const char *why;
            CHECK(cx_import_report_line(&line, r, k));
            CHECK(cx_import_report_column(&col, r, k));
            CHECK(cx_import_report_reason(&why, r, k));
            printf("      rejected %s:%llu column %d: %s\n", path, (unsigned long long)line, col, why);
        }
        cx_import_report_free(r);
        cx_import_options_free(o);
    }
}

static void by_channel(const cx_store *s)
{
    size_t nch;
    CHECK(cx_vocab_count(&nch, s, CX_VOCAB_CHANNEL));
    size_t *inter = calloc(nch, sizeof *inter), *cases = calloc(nch, sizeof *cases);
    size_t *missed = calloc(nch, sizeof *missed);
    if (!inter || !cases || !missed)
        die("out of memory");
    size_t ntp = rows(s, CX_TABLE_TOUCHPOINTS);
    int64_t *tp_channel = malloc((ntp ? ntp : 1) * sizeof *tp_channel);
    if (!tp_channel)
        die("out of memory");
    for (size_t t = 0; t < ntp; t++)
        tp_channel[t] = num(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_CHANNEL, t);
    for (size_t r = 0, n = rows(s, CX_TABLE_INTERACTIONS); r < n; r++) {
        int64_t ch = tp_channel[num(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, r)];
        inter[ch]++;
        missed[ch] += num(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, r) != CX_HANDLED;
    }
    for (size_t r = 0, n = rows(s, CX_TABLE_CASES); r < n; r++)
        cases[num(s, CX_TABLE_CASES, CX_CASE_CHANNEL, r)]++;
    printf("\nActivity by channel\n  %-13s %12s %14s %8s\n", "channel", "interactions", "missed/aband.", "cases");
    for (size_t c = 0; c < nch; c++) {
        if (!inter[c] && !cases[c])
            continue;
        const char *name;
        CHECK(cx_vocab_name(&name, s, CX_VOCAB_CHANNEL, c));
        printf("  %-13s %12zu %13.1f%% %8zu\n", name, inter[c], inter[c] ? 100.0 * (double)missed[c] / (double)inter[c] : 0.0,
               cases[c]);
    }
    free(inter);
    free(cases);
    free(missed);
    free(tp_channel);
}

static void cases_summary(const cx_store *s)
{
    size_t n = rows(s, CX_TABLE_CASES), open = 0, reopened = 0, one_contact = 0, resolved = 0;
    for (size_t r = 0; r < n; r++) {
        bool res = num(s, CX_TABLE_CASES, CX_CASE_RESOLVED, r) != CX_TIME_NONE;
        resolved += res;
        open += !res;
        reopened += num(s, CX_TABLE_CASES, CX_CASE_REOPENS, r) > 0;
        one_contact += res && num(s, CX_TABLE_CASES, CX_CASE_CONTACTS, r) == 1 &&
                       num(s, CX_TABLE_CASES, CX_CASE_REOPENS, r) == 0;
    }
    printf("\nService cases: %zu (%zu resolved, %zu open, %zu reopened at least once, %zu resolved with one "
           "contact and never reopened)\n",
           n, resolved, open, reopened, one_contact);
    size_t nq = rows(s, CX_TABLE_QUESTIONS);
    size_t *answers = calloc(nq ? nq : 1, sizeof *answers);
    double *sum = calloc(nq ? nq : 1, sizeof *sum);
    if (!answers || !sum)
        die("out of memory");
    for (size_t r = 0, nf = rows(s, CX_TABLE_FEEDBACK); r < nf; r++) {
        int64_t q = num(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_QUESTION, r);
        double score;
        CHECK(cx_store_get_real(&score, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, r));
        answers[q]++;
        sum[q] += score;
    }
    printf("Survey answers:");
    for (size_t q = 0; q < nq; q++)
        if (answers[q])
            printf("  %s %zu (mean %.2f)", str(s, CX_TABLE_QUESTIONS, CX_QUESTION_NAME, q), answers[q],
                   sum[q] / (double)answers[q]);
    printf("\n");
    free(answers);
    free(sum);
}

/* The headline figures of the whole data, from the metrics module (the
 * scorecard by channel and month is examples/metrics.c). */
static void headline(const cx_store *s)
{
    cx_query *q;
    cx_result *r;
    CHECK(cx_query_new(&q, s));
    CHECK(cx_query_add(q, CX_MEASURE_NPS));
    CHECK(cx_query_add(q, CX_MEASURE_CSAT));
    CHECK(cx_query_add(q, CX_MEASURE_CES));
    CHECK(cx_query_add(q, CX_MEASURE_FCR));
    CHECK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    CHECK(cx_query_run(&r, q));
    cx_query_free(q);
    static const char *const names[] = {"nps", "nps_n", "csat", "ces", "fcr", "resolution_median"};
    double v[6];
    for (int k = 0; k < 6; k++) {
        size_t c;
        CHECK(cx_result_column_find(&c, r, names[k]));
        CHECK(cx_result_get_real(&v[k], r, 0, c));
    }
    printf("Headline: NPS %.1f (%.0f answers), CSAT %.1f %%, CES %.2f, FCR %.1f %%, median resolution %.1f h\n", v[0],
           v[1], v[2], v[3], v[4], v[5] / 3.6e6);
    cx_result_free(r);
}

static double cell(const cx_result *r, size_t row, const char *name)
{
    size_t c;
    double v;
    CHECK(cx_result_column_find(&c, r, name));
    CHECK(cx_result_get_real(&v, r, row, c));
    return v;
}

/* NPS and CSAT by channel with their intervals; a group with fewer answers
 * than the query's minimum (cx_query_set_min_n(), 30 by default) shows
 * "n < 30" instead of a precise-looking figure, one with none "-". */
static void nps_by_channel(const cx_store *s)
{
    cx_query *q;
    cx_result *r;
    CHECK(cx_query_new(&q, s));
    CHECK(cx_query_add(q, CX_MEASURE_NPS));
    CHECK(cx_query_add(q, CX_MEASURE_CSAT));
    CHECK(cx_query_group_by(q, CX_DIM_CHANNEL));
    CHECK(cx_query_run(&r, q));
    cx_query_free(q);
    printf("\nNPS and CSAT by channel (95 %% intervals; a group of fewer than %d answers shows n < %d)\n",
           CX_QUERY_MIN_N_DEFAULT, CX_QUERY_MIN_N_DEFAULT);
    printf("  %-13s %6s %16s %6s %8s %16s %6s\n", "channel", "NPS", "interval", "n", "CSAT %", "interval", "n");
    size_t c;
    CHECK(cx_result_column_find(&c, r, "channel"));
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        const char *ch;
        CHECK(cx_result_get_string(&ch, r, i, c));
        char nps[48], csat[48], small[16];
        snprintf(small, sizeof small, "n < %d", CX_QUERY_MIN_N_DEFAULT);
        if (cell(r, i, "nps_n") == 0)
            snprintf(nps, sizeof nps, "%6s %16s", "-", "");
        else if (cell(r, i, "nps_small"))
            snprintf(nps, sizeof nps, "%6s %16s", small, "");
        else
            snprintf(nps, sizeof nps, "%6.1f [%6.1f, %6.1f]", cell(r, i, "nps"), cell(r, i, "nps_lo"),
                     cell(r, i, "nps_hi"));
        if (cell(r, i, "csat_n") == 0)
            snprintf(csat, sizeof csat, "%8s %16s", "-", "");
        else if (cell(r, i, "csat_small"))
            snprintf(csat, sizeof csat, "%8s %16s", small, "");
        else
            snprintf(csat, sizeof csat, "%8.1f [%6.1f, %6.1f]", cell(r, i, "csat"), cell(r, i, "csat_lo"),
                     cell(r, i, "csat_hi"));
        printf("  %-13s %s %6.0f %s %6.0f\n", ch ? ch : "(none)", nps, cell(r, i, "nps_n"), csat,
               cell(r, i, "csat_n"));
    }
    cx_result_free(r);
}

/* The purchase funnel, as of the last interaction: of the customers who
 * reached each step, how many completed, dropped out right after it (their
 * 30 days ran out) and are still inside their 30 days. */
static void funnel(const cx_store *s)
{
    cx_journeys *j;
    cx_funnel *f;
    cx_result *t;
    CHECK(cx_journeys_new(&j, s, NULL));
    CHECK(cx_funnel_new(&f, s));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "awareness"));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "consideration"));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "purchase"));
    CHECK(cx_funnel_set_window(f, 30LL * 86400000));
    CHECK(cx_journeys_funnel(&t, j, f));
    printf("\nPurchase funnel within 30 days of the first step, as of the last interaction\n");
    printf("  %-14s %8s %10s %10s %9s %8s %9s\n", "step", "entered", "from prev%", "from 1st%", "completed",
           "dropped", "still in");
    size_t c;
    CHECK(cx_result_column_find(&c, t, "name"));
    for (size_t i = 0; i < cx_result_row_count(t); i++) {
        const char *name;
        CHECK(cx_result_get_string(&name, t, i, c));
        printf("  %-14s %8.0f %10.1f %10.1f %9.0f %8.0f %9.0f\n", name, cell(t, i, "entered"),
               cell(t, i, "conversion_prev"), cell(t, i, "conversion_first"), cell(t, i, "completed"),
               cell(t, i, "dropped"), cell(t, i, "in_progress"));
    }
    cx_result_free(t);
    cx_funnel_free(f);
    cx_journeys_free(j);
}

/* The value models' input with the default tolerance: purchases a little
 * before their customer's acquisition are accepted as clock skew and
 * counted here. */
static void value_summary(const cx_store *s)
{
    if (!rows(s, CX_TABLE_TRANSACTIONS))
        return;
    int64_t last = CX_TIME_NONE;
    for (size_t r = 0, n = rows(s, CX_TABLE_TRANSACTIONS); r < n; r++) {
        int64_t t = num(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, r);
        if (t > last)
            last = t;
    }
    cx_summary *sum;
    CHECK(cx_summary_new(&sum, s, last + 1, NULL));
    printf("\nValue summary: %zu customers with purchases; %zu purchases dated up to a day before their customer's "
           "acquisition were accepted as clock skew (cx_summary_options_set_tolerance())\n",
           cx_summary_count(sum), cx_summary_tolerated_count(sum));
    cx_summary_free(sum);
}

static void busiest_history(const cx_store *s)
{
    size_t nc = rows(s, CX_TABLE_CUSTOMERS);
    if (!nc)
        return;
    size_t *count = calloc(nc, sizeof *count);
    if (!count)
        die("out of memory");
    for (size_t r = 0, n = rows(s, CX_TABLE_CASES); r < n; r++)
        count[num(s, CX_TABLE_CASES, CX_CASE_CUSTOMER, r)]++;
    size_t best = 0;
    for (size_t c = 1; c < nc; c++)
        if (count[c] > count[best])
            best = c;
    free(count);
    const char *id = str(s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ID, best);
    cx_history *h;
    CHECK(cx_history_new(&h, s, id, CX_TIME_NONE, CX_TIME_NONE));
    const char *name;
    CHECK(cx_customer_get_attribute(&name, s, id, "name"));
    printf("\nOmnichannel history of the customer with the most cases: %s%s%s%s, %zu entries (first 25)\n", id,
           name ? " (" : "", name ? name : "", name ? ")" : "", cx_history_count(h));
    for (size_t i = 0; i < cx_history_count(h) && i < 25; i++) {
        int table;
        size_t r;
        cx_time t;
        char when[CX_TIME_FORMAT_MAX];
        CHECK(cx_history_table(&table, h, i));
        CHECK(cx_history_row(&r, h, i));
        CHECK(cx_history_time(&t, h, i));
        CHECK(cx_time_format(when, sizeof when, t, 180));
        switch (table) {
        case CX_TABLE_INTERACTIONS:
            printf("  %s  %-16s %-9s %-10s agent %-12s case %s\n", when, str(s, table, CX_INTERACTION_TOUCHPOINT, r),
                   str(s, table, CX_INTERACTION_KIND, r), str(s, table, CX_INTERACTION_OUTCOME, r),
                   str(s, table, CX_INTERACTION_AGENT, r), str(s, table, CX_INTERACTION_CASE, r));
            break;
        case CX_TABLE_CASES:
            printf("  %s  case %s opened on %s, priority %s, %lld contacts, %lld reopens\n", when,
                   str(s, table, CX_CASE_ID, r), str(s, table, CX_CASE_CHANNEL, r), str(s, table, CX_CASE_PRIORITY, r),
                   (long long)num(s, table, CX_CASE_CONTACTS, r), (long long)num(s, table, CX_CASE_REOPENS, r));
            break;
        case CX_TABLE_FEEDBACK: {
            double score;
            CHECK(cx_store_get_real(&score, s, table, CX_FEEDBACK_SCORE, r));
            printf("  %s  %s = %g %s%s\n", when, str(s, table, CX_FEEDBACK_QUESTION, r), score,
                   str(s, table, CX_FEEDBACK_COMMENT, r)[0] == '-' ? "" : "comment: ",
                   str(s, table, CX_FEEDBACK_COMMENT, r)[0] == '-' ? "" : str(s, table, CX_FEEDBACK_COMMENT, r));
            break;
        }
        case CX_TABLE_TRANSACTIONS: {
            double a;
            CHECK(cx_store_get_real(&a, s, table, CX_TRANSACTION_AMOUNT, r));
            printf("  %s  purchase %.2f\n", when, a);
            break;
        }
        }
    }
    cx_history_free(h);
}

static const char *text(const cx_result *t, size_t row, const char *name)
{
    size_t c;
    const char *v;
    CHECK(cx_result_column_find(&c, t, name));
    CHECK(cx_result_get_string(&v, t, row, c));
    return v ? v : "-";
}

/* Journeys under one boundary rule (purchases convert; repeats merged). */
static cx_journeys *journeys_under(const cx_store *s, cx_journeys_boundary rule)
{
    cx_journeys_options *o;
    cx_journeys *j;
    CHECK(cx_journeys_options_new(&o, s));
    CHECK(cx_journeys_options_set_boundary(o, rule));
    CHECK(cx_journeys_options_set_collapse(o, 1));
    CHECK(cx_journeys_new(&j, s, o));
    cx_journeys_options_free(o);
    return j;
}

/* The journeys in brief: the rule that cut them, the top paths, and the
 * first pain point's journey evidence with post-purchase steps in the
 * order's journey (the default) and with a purchase ending its journey. */
static void journeys_summary(const cx_store *s)
{
    static const cx_journeys_boundary rules[] = {CX_JOURNEYS_BOUNDARY_POST_PURCHASE, CX_JOURNEYS_BOUNDARY_CONVERSION};
    static const char *const names[] = {"post-purchase steps stay with the order (default)",
                                        "a purchase ends its journey (rule of 0.2)"};
    cx_journeys *j = journeys_under(s, rules[0]);
    cx_result *t, *pain;
    printf("\nJourneys: %zu, %zu converted; boundary: a purchase keeps its delivery, unboxing, onboarding and\n"
           "support in its journey, the next pre-purchase touch starts the next one\n",
           cx_journeys_count(j), cx_journeys_conversion_count(j));
    CHECK(cx_journeys_paths(&t, j, 3));
    for (size_t r = 0; r < cx_result_row_count(t); r++)
        printf("  %6.0f journeys, %5.1f %% converted: %s\n", cell(t, r, "journeys"), cell(t, r, "conversion_rate"),
               text(t, r, "path"));
    cx_result_free(t);
    CHECK(cx_journeys_pain_points(&pain, j));
    if (cx_result_row_count(pain) == 0) {
        cx_result_free(pain);
        cx_journeys_free(j);
        return;
    }
    char first[128];
    snprintf(first, sizeof first, "%s", text(pain, 0, "touchpoint"));
    printf("First pain point: %s; its journey evidence under each boundary rule:\n", first);
    for (int k = 0; k < 2; k++) {
        cx_result *p = pain;
        cx_journeys *jj = NULL;
        if (k) {
            jj = journeys_under(s, rules[k]);
            CHECK(cx_journeys_pain_points(&p, jj));
        }
        size_t r = 0;
        while (r + 1 < cx_result_row_count(p) && strcmp(text(p, r, "touchpoint"), first) != 0)
            r++;
        printf("  %s: rank %.0f, %.0f flags\n", names[k], cell(p, r, "rank"), cell(p, r, "flags"));
        printf("    drop-off on the way to a purchase: %.1f %% vs %.1f %% elsewhere (n = %.0f)\n", cell(p, r, "drop_off"),
               cell(p, r, "drop_off_rest"), cell(p, r, "drop_off_n"));
        if (cell(p, r, "post_purchase_drop_off_n") > 0)
            printf("    no later purchase after it, as a post-purchase step: %.1f %% vs %.1f %% elsewhere (n = %.0f)\n",
                   cell(p, r, "post_purchase_drop_off"), cell(p, r, "post_purchase_drop_off_rest"),
                   cell(p, r, "post_purchase_drop_off_n"));
        else
            printf("    no post-purchase steps under this rule\n");
        if (k) {
            cx_result_free(p);
            cx_journeys_free(jj);
        }
    }
    cx_result_free(pain);
    cx_journeys_free(j);
}

/* A SQLite file and its WAL side files; a name too long to hold is not
   shortened into some other file's name. */
static void remove_db(const char *db)
{
    char side[4200];
    remove(db);
    if (snprintf(side, sizeof side, "%s-wal", db) < (int)sizeof side)
        remove(side);
    if (snprintf(side, sizeof side, "%s-shm", db) < (int)sizeof side)
        remove(side);
}

int main(int argc, char **argv)
{
    const char *db = NULL, *dir = NULL, *reject_dir = NULL;
    int strict = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            reject_dir = argv[++i];
        else if (strcmp(argv[i], "--strict") == 0)
            strict = 1;
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fprintf(stderr, "usage: cx-report [-o DB] [-r REJECT_DIR] [--strict] DATA_DIR\n");
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: cx-report [-o DB] [-r REJECT_DIR] [--strict] DATA_DIR\n");
        return 2;
    }
    /* no -o: a private temporary directory, removed again at the end */
    char tmpdir[4096] = "", tmpdb[4200];
    if (!db) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/cx-report-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("cx-report: cannot create a temporary directory");
            return 1;
        }
        snprintf(tmpdb, sizeof tmpdb, "%s/cxkit-demo.db", tmpdir);
        db = tmpdb;
    }
    printf("cxkit %s report\n\n", cx_version_string());
    cx_store *s;
    CHECK(cx_store_new(&s));
    import_all(s, dir, reject_dir, strict);

    /* keep it: a fresh file each run, then load it back to check */
    remove_db(db);
    double t0 = now();
    CHECK(cx_db_save(s, db));
    double t1 = now();
    cx_store *back;
    CHECK(cx_db_load(&back, db));
    double t2 = now();
    bool same = true;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        same &= rows(s, t) == rows(back, t);
    cx_store_free(back);
    struct stat st;
    stat(db, &st);
    printf("\nSaved to %s (%.1f MB) in %.3f s; loaded back in %.3f s: %s\n", *tmpdir ? "a temporary file" : db,
           (double)st.st_size / 1e6, t1 - t0, t2 - t1, same ? "same row counts" : "ROW COUNTS DIFFER");
    if (*tmpdir) { /* the temporary file, then its directory */
        remove_db(db);
        rmdir(tmpdir);
    }

    size_t mem, events = rows(s, CX_TABLE_INTERACTIONS) + rows(s, CX_TABLE_FEEDBACK) + rows(s, CX_TABLE_CASES) +
                         rows(s, CX_TABLE_TRANSACTIONS);
    CHECK(cx_store_memory(&mem, s));
    printf("\nStore: %zu customers, %zu touchpoints, %zu interactions, %zu cases, %zu questions, %zu answers, "
           "%zu transactions; %.1f MB in memory (%.0f bytes per event, all tables)\n",
           rows(s, CX_TABLE_CUSTOMERS), rows(s, CX_TABLE_TOUCHPOINTS), rows(s, CX_TABLE_INTERACTIONS),
           rows(s, CX_TABLE_CASES), rows(s, CX_TABLE_QUESTIONS), rows(s, CX_TABLE_FEEDBACK),
           rows(s, CX_TABLE_TRANSACTIONS), (double)mem / 1e6, events ? (double)mem / (double)events : 0.0);
    by_channel(s);
    cases_summary(s);
    headline(s);
    nps_by_channel(s);
    journeys_summary(s);
    funnel(s);
    value_summary(s);
    busiest_history(s);
    cx_store_free(s);
    return same ? 0 : 1;
}
