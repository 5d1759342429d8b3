/* Issue 15: allocation failure at every point of a realistic workload.
 *
 * A store is generated (a few hundred customers with attributes, a few
 * thousand interactions, feedback and purchases), exported to CSV and JSON
 * Lines, and then every step of a day's work runs through the application's
 * allocator (the counting allocator of cx_test.h): the imports of every table
 * in both formats, a synchronising import (plain and strict), an import with
 * a reject file, the _put calls, cx_customer_forget, cx_store_clone,
 * cx_store_pseudonymize, the exports, a history, a metrics query, merge,
 * serialisation and result exports, journeys, paths, transitions,
 * attribution, funnels, pain points, cohorts, survival (the curves, the
 * subjects and the Cox fit of a store, with late entry), RFM, the customer
 * summary and the CLV, health and care analyses, and the SQLite save and
 * load; then cx_store_compact() and, on a compacted store, every writer
 * (which takes the ids back as text and the sparse columns back dense), the
 * finds by id, exports, history, a query, journeys and the SQLite save.
 *
 * For each step, a failure-free run counts its N allocation requests and
 * records the store and the output; then for every k in 1..N the step runs
 * again with request k refused (alone) and must
 *   - fail with CX_ENOMEM, hand out nothing and name nothing it did not do;
 *   - hold exactly the blocks and bytes held before the call;
 *   - leave the store exactly as before: every cell of every table, every
 *     named set, every attribute, and every id still found at its row;
 *   - have passed the exact size of each block as `osize` (the allocator
 *     keeps each block's size in a header);
 *   - then, allocations granted again, succeed with the same output and the
 *     same store as the failure-free run.
 * A refused request the step survives (a shrinking resize it can do
 * without) is accepted only if the output and the store are those of the
 * failure-free run. Each step's number of points is printed, and the total.
 *
 * What does not go through the store's allocator is documented and not swept
 * here: SQLite's and Jansson's own memory (never swept), and what uses malloc
 * (cx_result_deserialize(), the model fits from plain arrays, objects made
 * without a store), swept at the malloc level by test_allocfail_malloc.c. */
#include "cx_test.h"

#include <stdarg.h>

#include "../src/store/store_private.h" /* cxi_eindex_bytes */

/* ---- the workload's data ------------------------------------------------ */

#define N_CUSTOMERS 300
#define N_INTERACTIONS 3000
#define N_CASES 400
#define N_FEEDBACK 1200
#define N_TRANSACTIONS 1500

static const char *const touchpoints[][4] = {
    {"web_home", "web", "awareness", "marketing"},     {"web_product", "web", "consideration", "sales"},
    {"app_browse", "mobile_app", "consideration", ""}, {"cart", "web", "purchase", "sales"},
    {"checkout", "web", "purchase", "sales"},          {"store_visit", "store", "purchase", "sales"},
    {"call_center", "phone", "service", "service"},    {"live_chat", "chat", "service", "service"},
    {"email_support", "email", "service", "service"},  {"home_delivery", "delivery", "onboarding", "logistics"},
    {"faq", "self_service", "service", "self_service"}, {"newsletter", "email", "retention", "marketing"},
};
#define N_TOUCHPOINTS (sizeof touchpoints / sizeof touchpoints[0])

static const char *const segments[] = {"consumer", "smb", "enterprise", "public"};
static const char *const regions[] = {"الرياض", "جدة", "Dammam", "Abha", "Tabuk"};
static const char *const plans[] = {"basic", "premium", "gold"};
static const char *const agents[] = {"نورة", "Omar", "Lina", "Fahad", "Sara", "Khalid", "Maha"};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};

static cx_time t0(void) { return T("2023-01-01T00:00:00Z"); }

/* The source store (malloc), built with the add calls. */
static cx_store *make_source(void)
{
    uint64_t rng = 15;
    cx_store *s;
    OK(cx_store_new(&s));
    char id[64], v[64];
    for (int i = 0; i < N_CUSTOMERS; i++) {
        snprintf(id, sizeof id, "C-%04d", i);
        cx_time acq = i % 7 ? t0() + (int64_t)(splitmix64(&rng) % 200) * DAY_MS : CX_TIME_NONE;
        OK(cx_customer_add(s, id, i % 5 ? segments[i % 4] : NULL, regions[i % 5], i % 3 ? plans[i % 3] : NULL, acq));
        if (i % 2) {
            snprintf(v, sizeof v, "tier-%d", i % 6);
            OK(cx_customer_set_attribute(s, id, "tier", v));
        }
        if (i % 3 == 0) {
            snprintf(v, sizeof v, "note \"%d\", سطر", i);
            OK(cx_customer_set_attribute(s, id, "note", v));
        }
        if (i % 11 == 0)
            OK(cx_customer_set_attribute(s, id, "churned", i % 22 ? "2024-03-01T00:00:00Z" : ""));
    }
    for (size_t i = 0; i < N_TOUCHPOINTS; i++)
        OK(cx_touchpoint_add(s, touchpoints[i][0], touchpoints[i][1], touchpoints[i][2],
                             *touchpoints[i][3] ? touchpoints[i][3] : NULL, i % 4 == 0, 0.5 + (double)i));
    OK(cx_question_add(s, "effort_7", CX_METRIC_CES, 1, 7, 1));
    OK(cx_question_add(s, "delivery_ok", CX_METRIC_CUSTOM, 0, 5, 1));
    for (int i = 0; i < N_CASES; i++) {
        snprintf(id, sizeof id, "T-%05d", i);
        char cust[32];
        snprintf(cust, sizeof cust, "C-%04d", (int)(splitmix64(&rng) % N_CUSTOMERS));
        cx_time opened = t0() + (int64_t)(splitmix64(&rng) % (400 * DAY_MS));
        cx_time fr = i % 9 ? opened + (int64_t)(splitmix64(&rng) % (20 * HOUR_MS)) : CX_TIME_NONE;
        cx_time res = i % 5 ? opened + (int64_t)(splitmix64(&rng) % (10 * DAY_MS)) + DAY_MS : CX_TIME_NONE;
        static const char *const ch[] = {"phone", "chat", "email"};
        OK(cx_case_add(s, id, cust, ch[i % 3], i % 6 ? priorities[i % 4] : NULL, i % 8 ? agents[i % 7] : NULL,
                       opened, fr, res, (int)(splitmix64(&rng) % 3 == 0), 1 + (int)(splitmix64(&rng) % 4)));
    }
    static const char *const kinds[] = {"visit", "view", "contact", "purchase", "delivery", "survey", "callback"};
    for (int i = 0; i < N_INTERACTIONS; i++) {
        int c = (int)(splitmix64(&rng) % N_CUSTOMERS);
        char cust[32], cs[32];
        snprintf(cust, sizeof cust, "C-%04d", c);
        if (i % 701 == 351) /* a few ids of another length (the pool's outliers, base.h) */
            snprintf(id, sizeof id, "I-1%06d", i);
        else
            snprintf(id, sizeof id, "I-%06d", i);
        size_t tp = splitmix64(&rng) % N_TOUCHPOINTS;
        const char *kind = kinds[tp == 3 || tp == 4 ? 3 : tp >= 6 && tp <= 8 ? 2 : tp == 9 ? 4 : i % 7];
        cx_time when = t0() + (int64_t)(splitmix64(&rng) % (420 * DAY_MS));
        const char *case_id = NULL;
        if (tp >= 6 && tp <= 8 && i % 3) {
            snprintf(cs, sizeof cs, "T-%05d", (int)(splitmix64(&rng) % N_CASES));
            case_id = cs;
        }
        /* interactions of a case belong to its customer */
        if (case_id) {
            size_t row;
            OK(cx_store_find(&row, s, CX_TABLE_CASES, case_id));
            snprintf(cust, sizeof cust, "%s", store_str(s, CX_TABLE_CASES, CX_CASE_CUSTOMER, row));
        }
        OK(cx_interaction_add(NULL, s, i % 10 ? id : NULL, cust, touchpoints[tp][0], when, kind,
                              i % 9 ? CX_INBOUND : CX_OUTBOUND, tp >= 6 && tp <= 8 ? agents[i % 7] : NULL, case_id,
                              (int64_t)(splitmix64(&rng) % 900000), (cx_outcome)(i % 13 == 0 ? 2 : i % 17 == 0),
                              tp == 4 ? 10.0 + (double)(splitmix64(&rng) % 5000) / 100 : 0));
    }
    for (int i = 0; i < N_FEEDBACK; i++) {
        size_t irow = splitmix64(&rng) % N_INTERACTIONS;
        const char *iid = store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, irow);
        const char *cust = store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, irow);
        const char *tp = store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, irow);
        const char *cs = store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CASE, irow);
        cx_time when = store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, irow) + HOUR_MS;
        static const char *const q[] = {"nps", "csat", "ces", "effort_7", "delivery_ok"};
        static const double hi[] = {10, 5, 7, 7, 5};
        int qi = i % 5;
        double score = (double)(splitmix64(&rng) % (uint64_t)hi[qi]) + (qi == 0 || qi == 4 ? 0 : 1);
        snprintf(id, sizeof id, "F-%06d", i);
        snprintf(v, sizeof v, i % 4 ? "" : "تعليق %d, \"ok\"", i);
        OK(cx_feedback_add(NULL, s, i % 8 ? id : NULL, cust, q[qi], score, when, i % 3 ? tp : NULL, i % 2 ? iid : NULL,
                           i % 2 ? cs : NULL, *v ? v : NULL));
    }
    for (int i = 0; i < N_TRANSACTIONS; i++) {
        /* a skewed customer base: some buy often */
        int c = (int)(splitmix64(&rng) % (i % 3 ? 60 : N_CUSTOMERS));
        char cust[32];
        snprintf(cust, sizeof cust, "C-%04d", c);
        snprintf(id, sizeof id, "X-%06d", i);
        cx_time when = t0() + 200 * DAY_MS + (int64_t)(splitmix64(&rng) % (300 * DAY_MS));
        /* each customer spends around a level of its own (1 to 8 times 20), so
         * that the Gamma-Gamma model has a spread between customers to fit */
        double level = 20.0 * (1 + (c * 7919) % 8);
        OK(cx_transaction_add(NULL, s, i % 6 ? id : NULL, cust, when,
                              level * (0.5 + (double)(splitmix64(&rng) % 1000) / 1000)));
    }
    return s;
}

/* ---- a canonical dump of a store and of a result -------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        EXPECT(n >= 0, "vsnprintf failed");
        if (b->p && (size_t)n < b->cap - b->n) {
            b->n += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n + 4096;
        b->p = realloc(b->p, b->cap);
        EXPECT(b->p != NULL, "out of memory");
    }
}

static void sb_str(sbuf *b, const char *s)
{
    if (s)
        sb_printf(b, "\"%s\"", s);
    else
        sb_printf(b, "NULL");
}

/* Every named set, every cell of every table, every attribute of every
 * customer, and every id found at its own row: two stores with the same
 * dump hold the same data. Reads only (no allocation). */
static char *dump_store(const cx_store *s)
{
    sbuf b = {0};
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        size_t n = vocab_size(s, v);
        sb_printf(&b, "vocab %d:", v);
        for (size_t i = 0; i < n; i++) {
            const char *name;
            OK(cx_vocab_name(&name, s, (cx_vocab)v, i));
            sb_printf(&b, " ");
            sb_str(&b, name);
            size_t at;
            OK(cx_vocab_find(&at, s, (cx_vocab)v, name));
            EXPECT(at == i, "vocab %d: '%s' found at %zu, is at %zu", v, name, at, i);
        }
        sb_printf(&b, "\n");
    }
    size_t nattr = vocab_size(s, CX_VOCAB_ATTRIBUTE);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        size_t rows = store_rows(s, t), cols;
        OK(cx_column_count(&cols, (cx_table)t));
        sb_printf(&b, "table %d: %zu rows\n", t, rows);
        for (size_t r = 0; r < rows; r++) {
            for (size_t c = 0; c < cols; c++) {
                int type;
                OK(cx_column_type(&type, (cx_table)t, (int)c));
                if (type == CX_TYPE_STRING)
                    sb_str(&b, store_str(s, t, (int)c, r));
                else if (type == CX_TYPE_REAL)
                    sb_printf(&b, "%.17g", store_real(s, t, (int)c, r));
                else
                    sb_printf(&b, "%lld", (long long)store_int(s, t, (int)c, r));
                sb_printf(&b, c + 1 < cols ? "," : "\n");
            }
            /* the id index agrees with the rows */
            int idcol = t == CX_TABLE_INTERACTIONS ? CX_INTERACTION_ID
                        : t == CX_TABLE_FEEDBACK   ? CX_FEEDBACK_ID
                        : t == CX_TABLE_TRANSACTIONS ? CX_TRANSACTION_ID
                                                     : 0;
            const char *id = store_str(s, t, idcol, r);
            if (id) {
                size_t at = (size_t)-1;
                OK(cx_store_find(&at, s, (cx_table)t, id));
                EXPECT(at == r, "table %d: id '%s' found at row %zu, is at %zu", t, id, at, r);
            }
            if (t == CX_TABLE_CUSTOMERS) {
                for (size_t a = 0; a < nattr; a++) {
                    const char *key, *val;
                    OK(cx_vocab_name(&key, s, CX_VOCAB_ATTRIBUTE, a));
                    OK(cx_customer_get_attribute(&val, s, id, key));
                    if (val) {
                        sb_printf(&b, "  attr %s=", key);
                        sb_str(&b, val);
                        sb_printf(&b, "\n");
                    }
                }
            }
        }
    }
    return b.p;
}

/* Every column's name and type and every cell of a result. */
static void dump_result(sbuf *b, const char *what, const cx_result *r)
{
    size_t rows = cx_result_row_count(r), cols = cx_result_column_count(r);
    sb_printf(b, "%s: %zu x %zu\n", what, rows, cols);
    int types[128]; /* a query of every measure has 67 columns (issue 19 added the _small flags) */
    EXPECT(cols <= 128, "%zu columns", cols);
    for (size_t c = 0; c < cols; c++) {
        const char *name;
        OK(cx_result_column_name(&name, r, c));
        OK(cx_result_column_type(&types[c], r, c));
        sb_printf(b, "%s:%d%s", name, types[c], c + 1 < cols ? "," : "\n");
    }
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < cols; c++) {
            if (types[c] == CX_TYPE_STRING) {
                const char *v;
                OK(cx_result_get_string(&v, r, i, c));
                sb_str(b, v);
            } else if (types[c] == CX_TYPE_REAL) {
                double v;
                OK(cx_result_get_real(&v, r, i, c));
                sb_printf(b, "%.17g", v);
            } else {
                int64_t v;
                OK(cx_result_get_int(&v, r, i, c));
                sb_printf(b, "%lld", (long long)v);
            }
            sb_printf(b, c + 1 < cols ? "," : "\n");
        }
}

/* ---- the steps ------------------------------------------------------------ */

/* What the steps share: the allocator, the input files, the store a
 * read-only step reads, and the objects later steps take as input (built
 * once, through the same allocator, before the sweep of a step that needs
 * them, and counted in its baseline). */
typedef struct fixture {
    cxt_alloc a;
    char csv[CX_TABLE_COUNT][300], jsonl[CX_TABLE_COUNT][300], sync_jsonl[300], db[300], db_out[300];
    cx_store *s; /* the store the step runs on (a clone of `cur` for a step that writes) */
    cx_journeys *journeys;
    cx_funnel *funnel;
    cx_result *q1, *q2, *merged;
    cx_summary *summary;
    cx_model_data *mdata;
    cx_model *bgnbd, *gg;
    cx_survival *survival;
    cx_care_rules *rules;
    cx_store *loaded; /* what cx_db_load gave */
} fixture;

/* A step: runs its calls on fx->s, appends a dump of what they gave to
 * `out` and frees it; returns the status of the first call that failed
 * (everything it made freed). */
typedef int (*step_fn)(fixture *fx, sbuf *out);

typedef struct step {
    const char *name;
    step_fn run;
    bool writes; /* changes the store on success: each run gets a fresh clone */
    size_t retry_every; /* retry after every failure (0, 1) or after every n-th and the last only */
} step;

static int import_report(sbuf *out, int rc, cx_import_report *r)
{
    if (rc != CX_OK) {
        EXPECT(r == NULL, "a failed import handed out a report");
        return rc;
    }
    sb_printf(out, "read %llu accepted %llu added %llu updated %llu unchanged %llu rejected %llu details %zu\n",
              (unsigned long long)cx_import_report_read(r), (unsigned long long)cx_import_report_accepted(r),
              (unsigned long long)cx_import_report_added(r), (unsigned long long)cx_import_report_updated(r),
              (unsigned long long)cx_import_report_unchanged(r), (unsigned long long)cx_import_report_rejected(r),
              cx_import_report_details(r));
    for (size_t i = 0; i < cx_import_report_details(r); i++) {
        uint64_t line;
        const char *why;
        OK(cx_import_report_line(&line, r, i));
        OK(cx_import_report_reason(&why, r, i));
        sb_printf(out, "  line %llu: %s\n", (unsigned long long)line, why);
    }
    cx_import_report_free(r);
    return CX_OK;
}

#define IMPORT_STEP(fname, fmt, table)                                                                             \
    static int fname(fixture *fx, sbuf *out)                                                                       \
    {                                                                                                              \
        cx_import_report *r = (cx_import_report *)&r;                                                              \
        int rc = cx_import_##fmt(&r, fx->s, table, fx->fmt[table], NULL);                                          \
        return import_report(out, rc, r);                                                                          \
    }
IMPORT_STEP(csv_customers, csv, CX_TABLE_CUSTOMERS)
IMPORT_STEP(csv_touchpoints, csv, CX_TABLE_TOUCHPOINTS)
IMPORT_STEP(csv_questions, csv, CX_TABLE_QUESTIONS)
IMPORT_STEP(csv_cases, csv, CX_TABLE_CASES)
IMPORT_STEP(csv_interactions, csv, CX_TABLE_INTERACTIONS)
IMPORT_STEP(csv_feedback, csv, CX_TABLE_FEEDBACK)
IMPORT_STEP(csv_transactions, csv, CX_TABLE_TRANSACTIONS)
IMPORT_STEP(jsonl_customers, jsonl, CX_TABLE_CUSTOMERS)
IMPORT_STEP(jsonl_touchpoints, jsonl, CX_TABLE_TOUCHPOINTS)
IMPORT_STEP(jsonl_questions, jsonl, CX_TABLE_QUESTIONS)
IMPORT_STEP(jsonl_cases, jsonl, CX_TABLE_CASES)
IMPORT_STEP(jsonl_interactions, jsonl, CX_TABLE_INTERACTIONS)
IMPORT_STEP(jsonl_feedback, jsonl, CX_TABLE_FEEDBACK)
IMPORT_STEP(jsonl_transactions, jsonl, CX_TABLE_TRANSACTIONS)

/* A day's overlapping export: changed, unchanged and new interactions, new
 * customers named by them, existing = update. */
static int sync_interactions(fixture *fx, sbuf *out)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    OK(cx_import_options_set_create_customers(o, 1));
    cx_import_report *r = (cx_import_report *)&r;
    int rc = cx_import_jsonl(&r, fx->s, CX_TABLE_INTERACTIONS, fx->sync_jsonl, o);
    cx_import_options_free(o);
    return import_report(out, rc, r);
}

/* The _put calls, each its own step. */
static int put_customer_new(fixture *fx, sbuf *out)
{
    int ch = -1, rc = cx_customer_put(&ch, fx->s, "C-NEW-1", "retail", "نجران", "trial", T("2024-05-01T00:00:00Z"));
    sb_printf(out, "%d\n", ch);
    return rc;
}
static int put_customer_update(fixture *fx, sbuf *out)
{
    int ch = -1, rc = cx_customer_put(&ch, fx->s, "C-0001", "new-segment", "جدة", NULL, CX_TIME_NONE);
    sb_printf(out, "%d\n", ch);
    return rc;
}
static int put_touchpoint(fixture *fx, sbuf *out)
{
    int ch = -1, rc = cx_touchpoint_put(&ch, fx->s, "kiosk", "in_person", "service", "service", 1, 3.5);
    sb_printf(out, "%d\n", ch);
    return rc;
}
static int put_touchpoint_update(fixture *fx, sbuf *out)
{
    int ch = -1, rc = cx_touchpoint_put(&ch, fx->s, "faq", "web", "service", NULL, 0, 9);
    sb_printf(out, "%d\n", ch);
    return rc;
}
static int put_interaction_new(fixture *fx, sbuf *out)
{
    size_t at;
    OK(cx_store_find(&at, fx->s, CX_TABLE_CASES, "T-00003"));
    const char *cust = store_str(fx->s, CX_TABLE_CASES, CX_CASE_CUSTOMER, at);
    int ch = -1;
    size_t row = 0;
    int rc = cx_interaction_put(&ch, &row, fx->s, "I-NEW-1", cust, "live_chat", T("2024-04-01T10:00:00Z"),
                                "escalation", CX_INBOUND, "Agent New", "T-00003", 60000, CX_HANDLED, 0);
    sb_printf(out, "%d %zu\n", ch, row);
    return rc;
}
static int put_interaction_update(fixture *fx, sbuf *out)
{
    size_t at;
    OK(cx_store_find(&at, fx->s, CX_TABLE_INTERACTIONS, "I-000011"));
    const char *cust = store_str(fx->s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, at);
    int ch = -1;
    size_t row = 0;
    int rc = cx_interaction_put(&ch, &row, fx->s, "I-000011", cust, "call_center", T("2024-04-02T10:00:00Z"),
                                "complaint", CX_INBOUND, "Agent Two", NULL, 120000, CX_MISSED, 0);
    sb_printf(out, "%d %zu\n", ch, row);
    return rc;
}
static int put_case_update(fixture *fx, sbuf *out)
{
    size_t at;
    OK(cx_store_find(&at, fx->s, CX_TABLE_CASES, "T-00007"));
    const char *cust = store_str(fx->s, CX_TABLE_CASES, CX_CASE_CUSTOMER, at);
    int ch = -1;
    int rc = cx_case_put(&ch, fx->s, "T-00007", cust, "chat", "urgent", "Agent Three", T("2023-06-01T00:00:00Z"),
                         T("2023-06-01T01:00:00Z"), T("2023-06-03T00:00:00Z"), 2, 5);
    sb_printf(out, "%d\n", ch);
    return rc;
}
static int put_case_new(fixture *fx, sbuf *out)
{
    int ch = -1;
    int rc = cx_case_put(&ch, fx->s, "T-NEW-1", "C-0003", "email", "low", NULL, T("2024-01-01T00:00:00Z"),
                         CX_TIME_NONE, CX_TIME_NONE, 0, 1);
    sb_printf(out, "%d\n", ch);
    return rc;
}
static int put_question(fixture *fx, sbuf *out)
{
    int ch = -1, rc = cx_question_put(&ch, fx->s, "likely_return", CX_METRIC_CUSTOM, 1, 10, 1);
    sb_printf(out, "%d\n", ch);
    return rc;
}
static int put_feedback_update(fixture *fx, sbuf *out)
{
    size_t at;
    OK(cx_store_find(&at, fx->s, CX_TABLE_FEEDBACK, "F-000001"));
    const char *cust = store_str(fx->s, CX_TABLE_FEEDBACK, CX_FEEDBACK_CUSTOMER, at);
    const char *q = store_str(fx->s, CX_TABLE_FEEDBACK, CX_FEEDBACK_QUESTION, at);
    int ch = -1;
    size_t row = 0;
    int rc = cx_feedback_put(&ch, &row, fx->s, "F-000001", cust, q, 2, T("2024-04-03T10:00:00Z"), "faq", NULL, NULL,
                             "a new, longer comment — changed");
    sb_printf(out, "%d %zu\n", ch, row);
    return rc;
}
static int put_feedback_new(fixture *fx, sbuf *out)
{
    size_t at;
    OK(cx_store_find(&at, fx->s, CX_TABLE_INTERACTIONS, "I-000012"));
    const char *cust = store_str(fx->s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, at);
    int ch = -1;
    size_t row = 0;
    int rc = cx_feedback_put(&ch, &row, fx->s, "F-NEW-1", cust, "nps", 3, T("2024-04-04T10:00:00Z"), NULL,
                             "I-000012", NULL, "جديد");
    sb_printf(out, "%d %zu\n", ch, row);
    return rc;
}
static int put_transaction(fixture *fx, sbuf *out)
{
    int ch = -1;
    size_t row = 0;
    int rc = cx_transaction_put(&ch, &row, fx->s, "X-000001", "C-0005", T("2024-04-05T10:00:00Z"), 99.5);
    sb_printf(out, "%d %zu\n", ch, row);
    return rc;
}
static int put_transaction_new(fixture *fx, sbuf *out)
{
    int ch = -1;
    size_t row = 0;
    int rc = cx_transaction_put(&ch, &row, fx->s, "X-NEW-1", "C-0006", T("2024-04-06T10:00:00Z"), 12.25);
    sb_printf(out, "%d %zu\n", ch, row);
    return rc;
}

static int forget(fixture *fx, sbuf *out)
{
    const char *ids[] = {"C-0003", "C-0010", "C-0042", "C-0100", "C-0299"};
    size_t n = 0;
    int rc = cx_customer_forget(&n, fx->s, 5, ids);
    sb_printf(out, "%zu\n", n);
    return rc;
}

static int clone(fixture *fx, sbuf *out)
{
    cx_store *c = (cx_store *)&c;
    int rc = cx_store_clone(&c, fx->s);
    if (rc != CX_OK) {
        EXPECT(c == NULL, "a failed clone handed out a store");
        return rc;
    }
    char *d = dump_store(c);
    sb_printf(out, "%s", d);
    free(d);
    cx_store_free(c);
    return CX_OK;
}

static int query_for(cx_result **out, const cx_store *s, cx_time from, cx_time to)
{
    cx_query *q = NULL;
    int rc = cx_query_new(&q, s);
    if (rc != CX_OK)
        return rc;
    static const cx_measure m[] = {CX_MEASURE_NPS,        CX_MEASURE_CSAT,         CX_MEASURE_CES,
                                   CX_MEASURE_FCR,        CX_MEASURE_FIRST_RESPONSE, CX_MEASURE_RESOLUTION,
                                   CX_MEASURE_HANDLE_TIME, CX_MEASURE_ABANDON_RATE, CX_MEASURE_REPEAT_RATE,
                                   CX_MEASURE_CX_INDEX};
    for (size_t i = 0; rc == CX_OK && i < sizeof m / sizeof m[0]; i++)
        rc = cx_query_add(q, m[i]);
    if (rc == CX_OK)
        rc = cx_query_group_by(q, CX_DIM_CHANNEL);
    if (rc == CX_OK)
        rc = cx_query_group_by_attribute(q, "tier");
    if (rc == CX_OK)
        rc = cx_query_group_by_time(q, CX_BUCKET_QUARTER, 180);
    if (rc == CX_OK && from != CX_TIME_NONE)
        rc = cx_query_set_range(q, from, to);
    if (rc == CX_OK)
        rc = cx_query_run(out, q);
    cx_query_free(q);
    return rc;
}

/* the query object and its settings are built outside the sweep of a run:
 * this step sweeps cx_query_new, the settings and cx_query_run together */
static int query(fixture *fx, sbuf *out)
{
    cx_result *r = (cx_result *)&r;
    int rc = query_for(&r, fx->s, CX_TIME_NONE, 0);
    if (rc != CX_OK)
        return rc;
    dump_result(out, "query", r);
    double q50;
    if (cx_result_quantile(&q50, r, 0, CX_MEASURE_HANDLE_TIME, 0.5) == CX_OK)
        sb_printf(out, "median %.17g\n", q50);
    cx_result_free(r);
    return CX_OK;
}

static int merge(fixture *fx, sbuf *out)
{
    cx_result *r = (cx_result *)&r;
    int rc = cx_result_merge(&r, fx->q1, fx->q2);
    if (rc != CX_OK) {
        EXPECT(r == NULL, "a failed merge handed out a result");
        return rc;
    }
    dump_result(out, "merged", r);
    cx_result_free(r);
    return CX_OK;
}

static int serialize(fixture *fx, sbuf *out)
{
    size_t len = 0;
    int rc = cx_result_serialize(&len, fx->merged, NULL, 0);
    if (rc != CX_EBUFSIZE)
        return rc == CX_OK ? CX_EINVAL : rc;
    unsigned char *buf = malloc(len);
    EXPECT(buf != NULL, "out of memory");
    rc = cx_result_serialize(&len, fx->merged, buf, len);
    if (rc == CX_OK)
        for (size_t i = 0; i < len; i++)
            sb_printf(out, "%02x", buf[i]);
    free(buf);
    return rc;
}

/* A result-returning analysis: dumps and frees what it gave. */
static int result_out(sbuf *out, const char *what, int rc, cx_result *r)
{
    if (rc != CX_OK)
        return rc;
    dump_result(out, what, r);
    cx_result_free(r);
    return CX_OK;
}
#define RESULT_STEP(fname, call)                                                                                   \
    static int fname(fixture *fx, sbuf *out)                                                                       \
    {                                                                                                              \
        cx_result *r = NULL;                                                                                       \
        int rc = (call);                                                                                           \
        if (rc != CX_OK && r != NULL)                                                                              \
            ck_abort_msg("%s failed (%d) but handed out a result", #call, rc);                                     \
        return result_out(out, #fname, rc, r);                                                                     \
    }

static int journeys_new(fixture *fx, sbuf *out)
{
    cx_journeys_options *o = NULL;
    int rc = cx_journeys_options_new(&o, fx->s);
    if (rc == CX_OK)
        rc = cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_KIND, "purchase");
    if (rc == CX_OK)
        rc = cx_journeys_options_set_gap(o, 14 * DAY_MS);
    if (rc == CX_OK)
        rc = cx_journeys_options_set_repeat_contacts(o, "contact", 7 * DAY_MS);
    cx_journeys *j = NULL;
    if (rc == CX_OK)
        rc = cx_journeys_new(&j, fx->s, o);
    cx_journeys_options_free(o);
    if (rc != CX_OK) {
        EXPECT(j == NULL, "a failed cx_journeys_new handed out journeys");
        return rc;
    }
    sb_printf(out, "%zu journeys, %zu converted\n", cx_journeys_count(j), cx_journeys_conversion_count(j));
    cx_result *r = NULL;
    rc = cx_journeys_list(&r, j);
    if (rc == CX_OK) {
        dump_result(out, "list", r);
        cx_result_free(r);
    }
    cx_journeys_free(j);
    return rc;
}

RESULT_STEP(journeys_paths, cx_journeys_paths(&r, fx->journeys, 20))
RESULT_STEP(journeys_transitions, cx_journeys_transitions(&r, fx->journeys, 2))
RESULT_STEP(journeys_attribution, cx_journeys_attribution(&r, fx->journeys, 1))
RESULT_STEP(journeys_path_counts, cx_journeys_path_counts(&r, fx->journeys, " > "))
RESULT_STEP(journeys_pain_points, cx_journeys_pain_points(&r, fx->journeys))
RESULT_STEP(journeys_drivers, cx_journeys_drivers(&r, fx->journeys))
RESULT_STEP(journeys_satisfaction, cx_journeys_satisfaction(&r, fx->journeys, CX_JOURNEYS_GROUP_PATH))
RESULT_STEP(journeys_stages, cx_journeys_stages(&r, fx->journeys))
RESULT_STEP(journeys_customer_stages, cx_journeys_customer_stages(&r, fx->journeys))
RESULT_STEP(funnel, cx_journeys_funnel(&r, fx->journeys, fx->funnel))
RESULT_STEP(funnel_customers, cx_journeys_funnel_customers(&r, fx->journeys, fx->funnel))

static int cohorts(fixture *fx, sbuf *out)
{
    cx_cohorts_options *o;
    OK(cx_cohorts_options_new(&o));
    OK(cx_cohorts_options_set_bucket(o, CX_BUCKET_MONTH));
    OK(cx_cohorts_options_set_offset(o, 180));
    cx_result *r = NULL;
    int rc = cx_cohorts_run(&r, fx->s, o);
    cx_cohorts_options_free(o);
    return result_out(out, "cohorts", rc, r);
}

static int survival(fixture *fx, sbuf *out)
{
    cx_survival_options *o;
    OK(cx_survival_options_new(&o));
    OK(cx_survival_options_set_inactivity(o, 90 * DAY_MS));
    OK(cx_survival_options_set_group_by(o, CX_DIM_SEGMENT));
    OK(cx_survival_options_set_unit(o, DAY_MS));
    cx_survival *sv = NULL;
    int rc = cx_survival_from_store(&sv, fx->s, T("2024-03-01T00:00:00Z"), o);
    cx_survival_options_free(o);
    if (rc != CX_OK) {
        EXPECT(sv == NULL, "a failed cx_survival_from_store handed out curves");
        return rc;
    }
    sb_printf(out, "%zu groups\n", cx_survival_group_count(sv));
    cx_survival_free(sv);
    return CX_OK;
}
/* the store's data begin on 2023-03-01: customers acquired before enter late */
static cx_survival_options *late_options(void)
{
    cx_survival_options *o;
    OK(cx_survival_options_new(&o));
    OK(cx_survival_options_set_inactivity(o, 90 * DAY_MS));
    OK(cx_survival_options_set_observed_from(o, T("2023-03-01T00:00:00Z")));
    return o;
}

static int survival_subjects(fixture *fx, sbuf *out)
{
    cx_survival_options *o = late_options();
    OK(cx_survival_options_set_group_by(o, CX_DIM_CHANNEL));
    cx_result *r = NULL;
    int rc = cx_survival_subjects(&r, fx->s, T("2024-03-01T00:00:00Z"), o);
    cx_survival_options_free(o);
    return result_out(out, "survival_subjects", rc, r);
}

static int cox_fit_store(fixture *fx, sbuf *out)
{
    cx_survival_options *o = late_options();
    cx_cox_options *co;
    OK(cx_cox_options_new(&co));
    OK(cx_cox_options_add_store_column(co, CX_DIM_REGION, NULL));
    OK(cx_cox_options_add_store_signal(co, CX_SIGNAL_CASES, NULL));
    OK(cx_cox_options_add_store_signal(co, CX_SIGNAL_DETRACTOR_SHARE, NULL));
    OK(cx_cox_options_add_store_signal(co, CX_SIGNAL_CHANNEL_SHARE, "web"));
    cx_cox *c = NULL;
    int rc = cx_cox_fit_store(&c, fx->s, T("2024-03-01T00:00:00Z"), o, co);
    cx_cox_options_free(co);
    cx_survival_options_free(o);
    if (rc != CX_OK) {
        EXPECT(c == NULL, "a failed cx_cox_fit_store handed out a fit");
        return rc;
    }
    double ll0, ll;
    int it;
    OK(cx_cox_loglik(&ll0, &ll, &it, c));
    sb_printf(out, "%zu terms, loglik %.17g %.17g, %d iterations\n", cx_cox_term_count(c), ll0, ll, it);
    cx_cox_free(c);
    return CX_OK;
}

RESULT_STEP(survival_curve, cx_survival_curve(&r, fx->survival))
RESULT_STEP(survival_summary, cx_survival_summary(&r, fx->survival))
RESULT_STEP(rfm, cx_rfm_run(&r, fx->s, T("2024-03-01T00:00:00Z"), DAY_MS, 5))

static int summary_new(fixture *fx, sbuf *out)
{
    cx_summary_options *o;
    OK(cx_summary_options_new(&o));
    OK(cx_summary_options_set_holdout_end(o, T("2024-03-01T00:00:00Z")));
    OK(cx_summary_options_set_unit(o, DAY_MS));
    cx_summary *sum = NULL;
    int rc = cx_summary_new(&sum, fx->s, T("2024-01-01T00:00:00Z"), o);
    cx_summary_options_free(o);
    if (rc != CX_OK) {
        EXPECT(sum == NULL, "a failed cx_summary_new handed out a summary");
        return rc;
    }
    sb_printf(out, "%zu customers\n", cx_summary_count(sum));
    const double *x;
    OK(cx_summary_values(&x, sum, CX_SUMMARY_FREQUENCY));
    for (size_t i = 0; i < cx_summary_count(sum); i++)
        sb_printf(out, "%g ", x[i]);
    cx_summary_free(sum);
    return CX_OK;
}
RESULT_STEP(summary_table, cx_summary_table(&r, fx->summary))

static int model_data(fixture *fx, sbuf *out)
{
    cx_model_data *d = NULL;
    int rc = cx_model_data_from_summary(&d, fx->summary);
    if (rc != CX_OK) {
        EXPECT(d == NULL, "a failed cx_model_data_from_summary handed out data");
        return rc;
    }
    sb_printf(out, "%zu\n", cx_model_data_count(d));
    cx_model_data_free(d);
    return CX_OK;
}
RESULT_STEP(clv, cx_model_clv(&r, fx->bgnbd, fx->gg, fx->mdata, NULL))
RESULT_STEP(health, cx_health_run(&r, fx->s, NULL, T("2024-03-01T00:00:00Z"), fx->bgnbd, fx->summary))
RESULT_STEP(care, cx_care_evaluate(&r, fx->rules, fx->s, T("2024-03-01T00:00:00Z"), fx->bgnbd, fx->summary))

/* cx_db_save allocates nothing of its own (db.h): the sweep checks it
 * asks for nothing. */
static int db_save(fixture *fx, sbuf *out)
{
    unlink(fx->db_out);
    int rc = cx_db_save(fx->s, fx->db_out);
    if (rc != CX_OK)
        return rc;
    cx_store *back = NULL;
    OK(cx_db_load(&back, fx->db_out));
    char *d = dump_store(back);
    sb_printf(out, "%s", d);
    free(d);
    cx_store_free(back);
    return CX_OK;
}

static int db_load(fixture *fx, sbuf *out)
{
    cx_store *s = (cx_store *)&s;
    int rc = cx_db_load_with_allocator(&s, fx->db, cxt_alloc_fn, &fx->a);
    if (rc != CX_OK) {
        EXPECT(s == NULL, "a failed cx_db_load handed out a store");
        return rc;
    }
    char *d = dump_store(s);
    sb_printf(out, "%s", d);
    free(d);
    cx_store_free(s);
    return CX_OK;
}

/* The same day's export imported in strict mode (all or nothing): a
 * refusal anywhere must undo the rows and updates already made. */
static int sync_strict(fixture *fx, sbuf *out)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, CX_EXISTING_UPDATE));
    OK(cx_import_options_set_create_customers(o, 1));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *r = (cx_import_report *)&r;
    int rc = cx_import_jsonl(&r, fx->s, CX_TABLE_INTERACTIONS, fx->sync_jsonl, o);
    cx_import_options_free(o);
    return import_report(out, rc, r);
}

/* Touchpoints again (all duplicates, rejected) with a reject file. */
static int rejects(fixture *fx, sbuf *out)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_reject_path(o, fx->db_out));
    cx_import_report *r = (cx_import_report *)&r;
    int rc = cx_import_csv(&r, fx->s, CX_TABLE_TOUCHPOINTS, fx->csv[CX_TABLE_TOUCHPOINTS], o);
    cx_import_options_free(o);
    return import_report(out, rc, r);
}

static int pseudonymize(fixture *fx, sbuf *out)
{
    (void)out;
    const char *attrs[] = {"note"};
    return cx_store_pseudonymize(fx->s, "a secret key of 32 bytes length", 31, 1, attrs, 0);
}

static int file_out(sbuf *out, int rc, const char *path)
{
    if (rc != CX_OK)
        return rc;
    size_t n;
    char *text = slurp(path, &n);
    sb_printf(out, "%zu bytes\n%s", n, text);
    free(text);
    return CX_OK;
}

static int export_csv(fixture *fx, sbuf *out)
{
    return file_out(out, cx_export_csv(fx->s, CX_TABLE_INTERACTIONS, fx->db_out, 180), fx->db_out);
}

static int export_jsonl(fixture *fx, sbuf *out)
{
    return file_out(out, cx_export_jsonl(fx->s, CX_TABLE_CUSTOMERS, fx->db_out, 0), fx->db_out);
}

/* On a clone (issue 14): the first history after a change builds an index
 * of the customers' events that the store keeps, so that on the store
 * itself only the first run would build it (and keep its bytes). */
static int history(fixture *fx, sbuf *out)
{
    cx_history *h = NULL;
    cx_store *c = NULL;
    int rc = cx_store_clone(&c, fx->s);
    if (rc == CX_OK)
        rc = cx_history_new(&h, c, "C-0007", CX_TIME_NONE, CX_TIME_NONE);
    cx_store_free(c);
    if (rc != CX_OK)
        return rc;
    for (size_t i = 0; i < cx_history_count(h); i++) {
        int t;
        size_t row;
        cx_time when;
        OK(cx_history_table(&t, h, i));
        OK(cx_history_row(&row, h, i));
        OK(cx_history_time(&when, h, i));
        sb_printf(out, "%d %zu %lld\n", t, row, (long long)when);
    }
    cx_history_free(h);
    return CX_OK;
}

static int result_files(fixture *fx, sbuf *out)
{
    int rc = file_out(out, cx_result_export_csv(fx->merged, fx->db_out), fx->db_out);
    if (rc == CX_OK)
        rc = file_out(out, cx_result_export_json(fx->merged, fx->db_out), fx->db_out);
    return rc;
}

/* What the store holds (0 for none): cx_store_memory(), and, after
 * cx_store_compact(), the index of ids a find built and the ids' text a
 * reader made (such as dump_store), which it keeps apart from that count. */
static size_t store_memory(const cx_store *s)
{
    size_t m = 0;
    if (s)
        OK(cx_store_memory(&m, s));
    return s ? m + cxi_eindex_bytes(s) : 0;
}

/* ---- the sweep ------------------------------------------------------------ */

static size_t total_points, total_swept, total_absorbed;

/* Every point is refused in turn; with CXT_ALLOCFAIL_STRIDE=s in the
 * environment (the ASan run of tests/run-all.sh, to stay within minutes),
 * points 1, 1 + s, 1 + 2s, ... and the last of each step. */
static size_t stride = 1;

/* With compact_clones set, each run of a step gets its clone compacted
 * first (cx_store_compact(); a clone is never compacted), outside the
 * count: the step is swept on a compacted store. */
static bool compact_clones;

static void clone_for_run(cx_store **to, const cx_store *from)
{
    OK(cx_store_clone(to, from));
    if (compact_clones)
        OK(cx_store_compact(*to));
}

/* Sweeps one step on `cur` (not changed: a step that writes runs on
 * clones); returns its number of failure points. Afterwards, for a step
 * that writes, `*cur` is replaced by the store after it (when `advance`). */
static size_t sweep(fixture *fx, const step *st, cx_store **cur, bool advance)
{
    cxt_alloc *a = &fx->a;
    char *before = dump_store(*cur);

    /* the failure-free run: its count, output and store */
    if (st->writes)
        clone_for_run(&fx->s, *cur);
    else
        fx->s = *cur;
    size_t live0 = a->live, blocks0 = a->blocks, calls0 = a->calls, mem_ref0 = store_memory(fx->s);
    sbuf ref = {0};
    sb_printf(&ref, "");
    int rc = st->run(fx, &ref);
    EXPECT(rc == CX_OK, "%s: the failure-free run failed: %s: %s", st->name, cx_strerror(rc), cx_last_error());
    size_t n = a->calls - calls0;
    EXPECT(a->bad == 0, "%s: %zu allocator calls with a wrong osize", st->name, a->bad);
    char *after = dump_store(fx->s);
    EXPECT(a->live - live0 == store_memory(fx->s) - mem_ref0, "%s: holds %lld bytes the store does not account for",
           st->name, (long long)(a->live - live0) - (long long)(store_memory(fx->s) - mem_ref0));
    if (!st->writes) {
        EXPECT(strcmp(before, after) == 0, "%s: a read-only step changed the store", st->name);
        EXPECT(a->live == live0 && a->blocks == blocks0, "%s: keeps %zu bytes in %zu blocks", st->name,
               a->live - live0, a->blocks - blocks0);
    }

    size_t absorbed = 0, swept = 0;
    for (size_t k = 1; k <= n; k++) {
        if (stride > 1 && (k - 1) % stride && k != n)
            continue; /* a sampled sweep (CXT_ALLOCFAIL_STRIDE) */
        swept++;
        if (st->writes) {
            if (fx->s)
                cx_store_free(fx->s);
            clone_for_run(&fx->s, *cur);
        }
        live0 = a->live;
        blocks0 = a->blocks;
        size_t mem0 = store_memory(fx->s);
        size_t refused0 = a->refused;
        sbuf got = {0};
        sb_printf(&got, "");
        cx_error_clear();
        cxt_alloc_fail_nth(a, k, false);
        rc = st->run(fx, &got);
        cxt_alloc_allow(a, -1);
        EXPECT(a->refused == refused0 + 1, "%s: allocation %zu of %zu was never asked for", st->name, k, n);
        EXPECT(a->bad == 0, "%s: allocation %zu refused: %zu allocator calls with a wrong osize", st->name, k, a->bad);
        char *now = dump_store(fx->s);
        if (rc == CX_OK) {
            /* a refusal it could do without: only the exact same outcome */
            EXPECT(strcmp(got.p, ref.p) == 0 && strcmp(now, after) == 0,
                   "%s: allocation %zu refused, yet it succeeded with another result", st->name, k);
            EXPECT(a->live - live0 == store_memory(fx->s) - mem0,
                   "%s: allocation %zu refused and absorbed: %lld bytes held that the store does not account for",
                   st->name, k, (long long)(a->live - live0) - (long long)(store_memory(fx->s) - mem0));
            absorbed++;
            free(now);
            free(got.p);
            continue;
        }
        EXPECT(rc == CX_ENOMEM, "%s: allocation %zu refused: %d (%s) %s", st->name, k, rc, cx_strerror(rc),
               cx_last_error());
        EXPECT(cx_last_error_code() == CX_ENOMEM && *cx_last_error(), "%s: allocation %zu: last error %d '%s'",
               st->name, k, cx_last_error_code(), cx_last_error());
        /* bytes more only where the store says it holds them: an array
         * or index that grew before the refusal keeps its room (freed with
         * the store, which cxt_alloc_done checks at the end) */
        long long grown = (long long)(store_memory(fx->s) - mem0);
        EXPECT((long long)(a->live - live0) == grown && (grown > 0 || a->blocks == blocks0),
               "%s: allocation %zu refused: %lld bytes in %lld blocks more than before the call (the store "
               "accounts for %lld)",
               st->name, k, (long long)(a->live - live0), (long long)(a->blocks - blocks0), grown);
        EXPECT(strcmp(before, now) == 0, "%s: allocation %zu refused: the store changed", st->name, k);
        free(now);
        free(got.p);

        /* allocations granted again: the same step succeeds, the same */
        if (st->retry_every > 1 && k % st->retry_every && k != n)
            continue;
        sbuf again = {0};
        sb_printf(&again, "");
        rc = st->run(fx, &again);
        EXPECT(rc == CX_OK, "%s: after refusal %zu, the retry failed: %s", st->name, k, cx_last_error());
        EXPECT(strcmp(again.p, ref.p) == 0, "%s: after refusal %zu, the retry gave another result", st->name, k);
        free(again.p);
        if (st->writes || k == n) {
            now = dump_store(fx->s);
            EXPECT(strcmp(now, after) == 0, "%s: after refusal %zu, the retry left another store", st->name, k);
            free(now);
        }
        EXPECT(a->bad == 0, "%s: retry %zu: %zu allocator calls with a wrong osize", st->name, k, a->bad);
    }
    if (st->writes) {
        if (advance) {
            cx_store_free(*cur);
            OK(cx_store_clone(cur, fx->s)); /* a fresh copy of the store after the step */
        }
        cx_store_free(fx->s);
    }
    fx->s = NULL;
    printf("# %-26s %5zu allocation points%s", st->name, n, swept == n ? "" : " (sampled)");
    printf("%s", absorbed ? "" : "\n");
    if (absorbed)
        printf(" (%zu refusals absorbed with the same outcome)\n", absorbed);
    fflush(stdout);
    total_points += n;
    total_swept += swept;
    total_absorbed += absorbed;
    free(ref.p);
    free(before);
    free(after);
    return n;
}

/* ---- the workload --------------------------------------------------------- */

static fixture FX;

static void write_inputs(fixture *fx)
{
    cx_store *src = make_source();
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        const char *name;
        OK(cx_table_name(&name, (cx_table)t));
        char f[64];
        snprintf(f, sizeof f, "%s.csv", name);
        snprintf(fx->csv[t], sizeof fx->csv[t], "%s", P(f));
        OK(cx_export_csv(src, (cx_table)t, fx->csv[t], 0));
        snprintf(f, sizeof f, "%s.jsonl", name);
        snprintf(fx->jsonl[t], sizeof fx->jsonl[t], "%s", P(f));
        OK(cx_export_jsonl(src, (cx_table)t, fx->jsonl[t], 180));
    }
    /* the next day's export: 40 interactions changed (another outcome), 40
     * the same, 60 new of which some name customers the store lacks */
    snprintf(fx->sync_jsonl, sizeof fx->sync_jsonl, "%s", P("sync.jsonl"));
    FILE *f = fopen(fx->sync_jsonl, "w");
    ck_assert_ptr_nonnull(f);
    int done = 0;
    for (size_t r = 0; done < 80; r++) {
        const char *id = store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, r);
        if (!id || store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_CASE, r))
            continue;
        char when[64];
        OK(cx_time_format(when, sizeof when, store_int(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, r), 0));
        const char *kind = store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_KIND, r);
        const char *agent = store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_AGENT, r);
        int64_t outcome = store_int(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, r);
        fprintf(f,
                "{\"id\":\"%s\",\"customer\":\"%s\",\"touchpoint\":\"%s\",\"time\":\"%s\",\"kind\":%s%s%s,"
                "\"direction\":\"%s\",\"agent\":%s%s%s,\"duration_ms\":%lld,\"outcome\":\"%s\",\"value\":%.17g}\n",
                id, store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, r),
                store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, r), when, kind ? "\"" : "",
                kind ? kind : "null", kind ? "\"" : "", store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_DIRECTION, r),
                agent ? "\"" : "", agent ? agent : "null", agent ? "\"" : "",
                (long long)store_int(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, r),
                done % 2 ? store_str(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, r)
                         : outcome == CX_HANDLED ? "missed" : "handled",
                store_real(src, CX_TABLE_INTERACTIONS, CX_INTERACTION_VALUE, r));
        done++;
    }
    for (int i = 0; i < 60; i++)
        fprintf(f,
                "{\"id\":\"I-SYNC-%d\",\"customer\":\"%s-%d\",\"touchpoint\":\"%s\",\"time\":\"2024-03-%02dT09:00:00Z\","
                "\"kind\":\"%s\",\"direction\":\"inbound\",\"agent\":\"Agent %d\",\"duration_ms\":%d,"
                "\"outcome\":\"handled\",\"value\":0}\n",
                i, i % 3 ? "C" : "C-NEW", i % 3 ? 1000 + i : i, touchpoints[i % N_TOUCHPOINTS][0], 1 + i % 28,
                i % 2 ? "contact" : "follow_up", i % 9, 1000 * i);
    ck_assert_int_eq(fclose(f), 0);
    cx_store_free(src);
}

/* The steps that build the store: every table from CSV into one store,
 * from JSON Lines into another (the two must then be equal). */
static const step csv_steps[] = {
    {"import csv customers", csv_customers, true, 0},       {"import csv touchpoints", csv_touchpoints, true, 0},
    {"import csv questions", csv_questions, true, 0},       {"import csv cases", csv_cases, true, 0},
    {"import csv interactions", csv_interactions, true, 0}, {"import csv feedback", csv_feedback, true, 0},
    {"import csv transactions", csv_transactions, true, 0},
};
static const step jsonl_steps[] = {
    {"import jsonl customers", jsonl_customers, true, 0},       {"import jsonl touchpoints", jsonl_touchpoints, true, 0},
    {"import jsonl questions", jsonl_questions, true, 0},       {"import jsonl cases", jsonl_cases, true, 0},
    {"import jsonl interactions", jsonl_interactions, true, 0}, {"import jsonl feedback", jsonl_feedback, true, 0},
    {"import jsonl transactions", jsonl_transactions, true, 0},
};

static cx_store *new_store(fixture *fx)
{
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &fx->a));
    return s;
}

/* The imports, then every analysis on the store they built. */
static cx_store *import_all(fixture *fx, const step *steps, size_t n)
{
    cx_store *s = new_store(fx);
    for (size_t i = 0; i < n; i++)
        sweep(fx, &steps[i], &s, true);
    return s;
}

static void setup(void)
{
    tmpdir_setup();
    memset(&FX, 0, sizeof FX);
    write_inputs(&FX);
}

static void teardown(void)
{
    tmpdir_teardown();
}

START_TEST(imports)
{
    fixture *fx = &FX;
    cx_store *a = import_all(fx, csv_steps, sizeof csv_steps / sizeof csv_steps[0]);
    ck_assert_uint_eq(store_rows(a, CX_TABLE_CUSTOMERS), N_CUSTOMERS);
    ck_assert_uint_eq(store_rows(a, CX_TABLE_INTERACTIONS), N_INTERACTIONS);
    ck_assert_uint_eq(store_rows(a, CX_TABLE_FEEDBACK), N_FEEDBACK);
    ck_assert_uint_eq(store_rows(a, CX_TABLE_TRANSACTIONS), N_TRANSACTIONS);
    cx_store *b = import_all(fx, jsonl_steps, sizeof jsonl_steps / sizeof jsonl_steps[0]);
    char *da = dump_store(a), *db = dump_store(b);
    ck_assert_msg(strcmp(da, db) == 0, "the CSV and JSON Lines imports built different stores");
    free(da);
    free(db);
    static const step sync = {"import jsonl sync update", sync_interactions, true, 0};
    sweep(fx, &sync, &a, false);
    cx_store_free(a);
    cx_store_free(b);
    cxt_alloc_done(&fx->a);
    printf("# imports: %zu allocation points\n", total_points);
}
END_TEST

/* The store every later test starts from: the imports' result. */
static cx_store *full_store(fixture *fx)
{
    cx_store *s = new_store(fx);
    for (size_t i = 0; i < sizeof csv_steps / sizeof csv_steps[0]; i++) {
        sbuf out = {0};
        fx->s = s;
        OK(csv_steps[i].run(fx, &out));
        free(out.p);
    }
    fx->s = NULL;
    return s;
}

START_TEST(writes)
{
    fixture *fx = &FX;
    snprintf(fx->db_out, sizeof fx->db_out, "%s", P("out.txt"));
    cx_store *s = full_store(fx);
    static const step steps[] = {
        {"cx_customer_put new", put_customer_new, true, 0},
        {"cx_customer_put update", put_customer_update, true, 0},
        {"cx_touchpoint_put new", put_touchpoint, true, 0},
        {"cx_touchpoint_put update", put_touchpoint_update, true, 0},
        {"cx_interaction_put new", put_interaction_new, true, 0},
        {"cx_interaction_put update", put_interaction_update, true, 0},
        {"cx_case_put new", put_case_new, true, 0},
        {"cx_case_put update", put_case_update, true, 0},
        {"cx_question_put new", put_question, true, 0},
        {"cx_feedback_put new", put_feedback_new, true, 0},
        {"cx_feedback_put update", put_feedback_update, true, 0},
        {"cx_transaction_put new", put_transaction_new, true, 0},
        {"cx_transaction_put update", put_transaction, true, 0},
        {"cx_customer_forget", forget, true, 0},
        {"cx_store_clone", clone, false, 0},
        {"import strict sync update", sync_strict, true, 0},
        {"import with reject file", rejects, true, 0},
        {"cx_export_csv", export_csv, false, 0},
        {"cx_export_jsonl", export_jsonl, false, 0},
        {"cx_history_new", history, false, 0},
        {"cx_store_pseudonymize", pseudonymize, true, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        sweep(fx, &steps[i], &s, true);
    cx_store_free(s);
    cxt_alloc_done(&fx->a);
}
END_TEST

START_TEST(metrics)
{
    fixture *fx = &FX;
    snprintf(fx->db_out, sizeof fx->db_out, "%s", P("out.txt"));
    cx_store *s = full_store(fx);
    /* two shards: the store, and a copy without 50 customers */
    cx_store *shard;
    OK(cx_store_clone(&shard, s));
    const char *ids[50];
    char idbuf[50][16];
    for (int i = 0; i < 50; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "C-%04d", 5 * i + 1);
        ids[i] = idbuf[i];
    }
    OK(cx_customer_forget(NULL, shard, 50, ids));
    OK(query_for(&fx->q1, s, CX_TIME_NONE, 0));
    OK(query_for(&fx->q2, shard, CX_TIME_NONE, 0));
    cx_store_free(shard);
    OK(cx_result_merge(&fx->merged, fx->q1, fx->q2));
    static const step steps[] = {
        {"cx_query_run", query, false, 0},
        {"cx_result_merge", merge, false, 0},
        {"cx_result_serialize", serialize, false, 0},
        {"cx_result_export_csv + json", result_files, false, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        sweep(fx, &steps[i], &s, false);
    cx_result_free(fx->q1);
    cx_result_free(fx->q2);
    cx_result_free(fx->merged);
    cx_store_free(s);
    cxt_alloc_done(&fx->a);
}
END_TEST

START_TEST(journeys)
{
    fixture *fx = &FX;
    cx_store *s = full_store(fx);
    cx_journeys_options *o;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_KIND, "purchase"));
    OK(cx_journeys_options_set_gap(o, 14 * DAY_MS));
    OK(cx_journeys_new(&fx->journeys, s, o));
    cx_journeys_options_free(o);
    OK(cx_funnel_new(&fx->funnel, s));
    OK(cx_funnel_add_step(fx->funnel, CX_JOURNEYS_LEVEL_STAGE, "consideration"));
    OK(cx_funnel_add_step(fx->funnel, CX_JOURNEYS_LEVEL_CHANNEL, "web"));
    OK(cx_funnel_add_step(fx->funnel, CX_JOURNEYS_LEVEL_TOUCHPOINT, "checkout"));
    OK(cx_funnel_add_exclusion(fx->funnel, CX_JOURNEYS_LEVEL_TOUCHPOINT, "call_center"));
    OK(cx_funnel_set_window(fx->funnel, 30 * DAY_MS));
    static const step steps[] = {
        {"cx_journeys_new + list", journeys_new, false, 0},
        {"cx_journeys_paths", journeys_paths, false, 0},
        {"cx_journeys_transitions", journeys_transitions, false, 0},
        {"cx_journeys_attribution", journeys_attribution, false, 0},
        {"cx_journeys_path_counts", journeys_path_counts, false, 0},
        {"cx_journeys_pain_points", journeys_pain_points, false, 0},
        {"cx_journeys_drivers", journeys_drivers, false, 0},
        {"cx_journeys_satisfaction", journeys_satisfaction, false, 0},
        {"cx_journeys_stages", journeys_stages, false, 0},
        {"cx_journeys_customer_stages", journeys_customer_stages, false, 0},
        {"cx_journeys_funnel", funnel, false, 0},
        {"cx_journeys_funnel_customers", funnel_customers, false, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        sweep(fx, &steps[i], &s, false);
    cx_funnel_free(fx->funnel);
    cx_journeys_free(fx->journeys);
    cx_store_free(s);
    cxt_alloc_done(&fx->a);
}
END_TEST

START_TEST(lifecycle)
{
    fixture *fx = &FX;
    cx_store *s = full_store(fx);
    cx_summary_options *so;
    OK(cx_summary_options_new(&so));
    OK(cx_summary_options_set_unit(so, DAY_MS));
    OK(cx_summary_new(&fx->summary, s, T("2024-03-01T00:00:00Z"), so));
    cx_summary_options_free(so);
    OK(cx_model_data_from_summary(&fx->mdata, fx->summary));
    const double *x, *tx, *age, *mon;
    OK(cx_summary_values(&x, fx->summary, CX_SUMMARY_FREQUENCY));
    OK(cx_summary_values(&tx, fx->summary, CX_SUMMARY_RECENCY));
    OK(cx_summary_values(&age, fx->summary, CX_SUMMARY_AGE));
    OK(cx_summary_values(&mon, fx->summary, CX_SUMMARY_MONETARY));
    size_t n = cx_summary_count(fx->summary);
    OK(cx_model_fit_bgnbd(&fx->bgnbd, x, tx, age, NULL, n));
    OK(cx_model_fit_gammagamma(&fx->gg, x, mon, NULL, n));
    cx_survival_options *vo;
    OK(cx_survival_options_new(&vo));
    OK(cx_survival_options_set_inactivity(vo, 90 * DAY_MS));
    OK(cx_survival_options_set_group_by(vo, CX_DIM_PLAN));
    OK(cx_survival_from_store(&fx->survival, s, T("2024-03-01T00:00:00Z"), vo));
    cx_survival_options_free(vo);
    OK(cx_care_rules_new(&fx->rules));
    OK(cx_care_rules_add(NULL, fx->rules, CX_CARE_DETRACTOR_AFTER_CASE, 5, 6, 90 * DAY_MS));
    OK(cx_care_rules_add(NULL, fx->rules, CX_CARE_REPEAT_CONTACTS, 4, 2, 30 * DAY_MS));
    OK(cx_care_rules_add(NULL, fx->rules, CX_CARE_HIGH_EFFORT, 3, 0.3, 60 * DAY_MS));
    size_t rule;
    OK(cx_care_rules_add(&rule, fx->rules, CX_CARE_ACTIVITY_DROP, 2, 0.5, 30 * DAY_MS));
    OK(cx_care_rules_set_baseline(fx->rules, rule, 90 * DAY_MS));
    OK(cx_care_rules_add(&rule, fx->rules, CX_CARE_LOW_P_ALIVE, 1, 0.5, 0));
    OK(cx_care_rules_set_min_value(fx->rules, rule, 100));
    static const step steps[] = {
        {"cx_cohorts_run", cohorts, false, 0},
        {"cx_survival_from_store", survival, false, 0},
        {"cx_survival_curve", survival_curve, false, 0},
        {"cx_survival_summary", survival_summary, false, 0},
        {"cx_survival_subjects", survival_subjects, false, 0},
        {"cx_cox_fit_store", cox_fit_store, false, 0},
        {"cx_rfm_run", rfm, false, 0},
        {"cx_summary_new", summary_new, false, 0},
        {"cx_summary_table", summary_table, false, 0},
        {"cx_model_data_from_summary", model_data, false, 0},
        {"cx_model_clv", clv, false, 0},
        {"cx_health_run", health, false, 0},
        {"cx_care_evaluate", care, false, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        sweep(fx, &steps[i], &s, false);
    cx_care_rules_free(fx->rules);
    cx_survival_free(fx->survival);
    cx_model_free(fx->bgnbd);
    cx_model_free(fx->gg);
    cx_model_data_free(fx->mdata);
    cx_summary_free(fx->summary);
    cx_store_free(s);
    cxt_alloc_done(&fx->a);
}
END_TEST

START_TEST(sqlite)
{
    fixture *fx = &FX;
    cx_store *s = full_store(fx);
    snprintf(fx->db, sizeof fx->db, "%s", P("store.db"));
    snprintf(fx->db_out, sizeof fx->db_out, "%s", P("saved.db"));
    OK(cx_db_save(s, fx->db));
    static const step steps[] = {
        {"cx_db_save", db_save, false, 0},
        /* a load builds a new store each time: its retry is the same
         * load again, checked after every 10th refusal and the last */
        {"cx_db_load_with_allocator", db_load, false, 10},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        sweep(fx, &steps[i], &s, false);
    cx_store_free(s);
    cxt_alloc_done(&fx->a);
}
END_TEST

/* ---- a compacted store (issue 14) --------------------------------------- */

static int compact(fixture *fx, sbuf *out)
{
    int rc = cx_store_compact(fx->s);
    if (rc == CX_OK)
        sb_printf(out, "compacted\n");
    return rc;
}

/* Finds by id on a compacted store: the first builds the index of a
 * table's ids (or, without memory for it, scans): found all the same. */
static int finds(fixture *fx, sbuf *out)
{
    static const struct {
        int table;
        const char *id;
    } ids[] = {{CX_TABLE_INTERACTIONS, "I-000007"}, {CX_TABLE_INTERACTIONS, "I-1000012"},
               {CX_TABLE_INTERACTIONS, "I-SYNC-3"}, {CX_TABLE_FEEDBACK, "F-000100"},
               {CX_TABLE_TRANSACTIONS, "X-001400"},  {CX_TABLE_TRANSACTIONS, "X-999999"}};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        size_t row = 0;
        int rc = cx_store_find(&row, fx->s, ids[k].table, ids[k].id);
        if (rc != CX_OK && rc != CX_ENOTFOUND)
            return rc;
        sb_printf(out, "%s: %s %zu\n", ids[k].id, rc == CX_OK ? "row" : "not found", rc == CX_OK ? row : 0);
    }
    return CX_OK;
}

/* Compaction swept, then every writer and the main readers on a compacted
 * store: a writer takes the ids back as text and the sparse columns back
 * dense; a refusal anywhere leaves the store as it was (still compacted),
 * and the retry gives what the failure-free run gave. The readers run on
 * clones compacted anew (writes = true), since a find, an export or an
 * analysis may build the index of ids, or the ids' text, and keep it. */
START_TEST(compacted)
{
    fixture *fx = &FX;
    snprintf(fx->db_out, sizeof fx->db_out, "%s", P("out.txt"));
    cx_store *s = full_store(fx);
    static const step first = {"cx_store_compact", compact, true, 0};
    sweep(fx, &first, &s, false);
    static const step steps[] = {
        {"compacted: finds by id", finds, true, 0},
        {"compacted: interaction_put new", put_interaction_new, true, 0},
        {"compacted: interaction_put upd.", put_interaction_update, true, 0},
        {"compacted: feedback_put new", put_feedback_new, true, 0},
        {"compacted: feedback_put update", put_feedback_update, true, 0},
        {"compacted: transaction_put new", put_transaction_new, true, 0},
        {"compacted: transaction_put upd.", put_transaction, true, 0},
        {"compacted: case_put update", put_case_update, true, 0},
        {"compacted: import jsonl sync", sync_interactions, true, 0},
        {"compacted: import strict sync", sync_strict, true, 0},
        {"compacted: import csv feedback", csv_feedback, true, 0},
        {"compacted: customer_forget", forget, true, 0},
        {"compacted: pseudonymize", pseudonymize, true, 0},
        {"compacted: clone", clone, true, 0},
        {"compacted: export csv", export_csv, true, 0},
        {"compacted: export jsonl", export_jsonl, true, 0},
        {"compacted: history", history, true, 0},
        {"compacted: query", query, true, 0},
        {"compacted: journeys_new", journeys_new, true, 0},
        {"compacted: db_save", db_save, true, 0},
    };
    compact_clones = true;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        sweep(fx, &steps[i], &s, false);
    compact_clones = false;
    cx_store_free(s);
    cxt_alloc_done(&fx->a);
}
END_TEST

/* ---- service cycles (issue 16) ------------------------------------------ */

/* The events of the store's cases: each cycle's opening and resolution
 * spread over the case's life, agreeing with its reopens; every fifth case
 * also gets an event that does not fit (resolved twice), and one event
 * names a case the store does not hold. */
static char cycles_csv[300];

static void write_case_events(const cx_store *s)
{
    snprintf(cycles_csv, sizeof cycles_csv, "%s", P("case_events.csv"));
    FILE *f = fopen(cycles_csv, "w");
    EXPECT(f != NULL, "cannot write %s", cycles_csv);
    fprintf(f, "case,time,event,agent\n");
    size_t n = store_rows(s, CX_TABLE_CASES);
    for (size_t i = 0; i < n; i++) {
        const char *id = store_str(s, CX_TABLE_CASES, CX_CASE_ID, i);
        int64_t opened = store_int(s, CX_TABLE_CASES, CX_CASE_OPENED, i);
        int64_t resolved = store_int(s, CX_TABLE_CASES, CX_CASE_RESOLVED, i);
        int64_t reopens = store_int(s, CX_TABLE_CASES, CX_CASE_REOPENS, i);
        char t[CX_TIME_FORMAT_MAX];
        OK(cx_time_format(t, sizeof t, opened, 0));
        fprintf(f, "\"%s\",%s,opened,%s\n", id, t, agents[i % 7]);
        if (resolved == CX_TIME_NONE)
            continue;
        int64_t gap = (resolved - opened) / (2 * reopens + 1);
        for (int64_t k = 0; k <= reopens; k++) {
            OK(cx_time_format(t, sizeof t, k == reopens ? resolved : opened + (2 * k + 1) * gap, 0));
            fprintf(f, "\"%s\",%s,resolved,\n", id, t);
            if (k == reopens)
                break;
            OK(cx_time_format(t, sizeof t, opened + (2 * k + 2) * gap, 0));
            fprintf(f, "\"%s\",%s,reopened,\n", id, t);
        }
        if (i % 5 == 0)
            fprintf(f, "\"%s\",%s,resolved,\n", id, t);
    }
    fprintf(f, "NOT-A-CASE,2024-01-01T00:00:00Z,opened,\n");
    EXPECT(fclose(f) == 0, "cannot write %s", cycles_csv);
}

/* The log read through the application's allocator, then every analysis
 * of it with the store, and the pruning. */
static int cycles(fixture *fx, sbuf *out)
{
    cx_case_events *e = NULL;
    cx_cycles_options *o = NULL;
    int rc = cx_case_events_new_with_allocator(&e, cxt_alloc_fn, &fx->a);
    if (rc == CX_OK)
        rc = cx_case_events_import_csv(e, cycles_csv);
    if (rc == CX_OK)
        rc = cx_cycles_options_new(&o);
    if (rc == CX_OK)
        rc = cx_cycles_options_set_group(o, CX_CYCLES_BY_AGENT);
    cx_result *r = NULL;
    if (rc == CX_OK && (rc = cx_cycles_run(&r, e, fx->s, NULL)) == CX_OK)
        rc = result_out(out, "cx_cycles_run", rc, r);
    r = NULL;
    if (rc == CX_OK && (rc = cx_cycles_summary(&r, e, fx->s, o)) == CX_OK)
        rc = result_out(out, "cx_cycles_summary", rc, r);
    r = NULL;
    if (rc == CX_OK && (rc = cx_cycles_check(&r, e, fx->s)) == CX_OK)
        rc = result_out(out, "cx_cycles_check", rc, r);
    EXPECT(rc == CX_OK || r == NULL, "a failed cycles call handed out a result");
    size_t removed = 0, before = cx_case_events_count(e);
    if (rc == CX_OK)
        rc = cx_case_events_prune(&removed, e, fx->s);
    if (rc == CX_OK)
        sb_printf(out, "pruned %zu of %zu events\n", removed, before);
    else
        EXPECT(e == NULL || cx_case_events_count(e) == before, "a failed prune changed the log");
    cx_cycles_options_free(o);
    cx_case_events_free(e);
    return rc;
}

START_TEST(service_cycles)
{
    fixture *fx = &FX;
    cx_store *s = full_store(fx);
    write_case_events(s);
    static const step steps[] = {
        {"cx_case_events + cx_cycles_*", cycles, false, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        sweep(fx, &steps[i], &s, false);
    cx_store_free(s);
    cxt_alloc_done(&fx->a);
}
END_TEST

static Suite *suite(void)
{
    Suite *su = suite_create("allocfail");
    const char *names[] = {"imports", "writes", "metrics", "journeys", "lifecycle", "sqlite", "cycles", "compacted"};
    const TTest *tests[] = {imports, writes, metrics, journeys, lifecycle, sqlite, service_cycles, compacted};
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        TCase *tc = tcase_create(names[i]);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, tests[i]);
        suite_add_tcase(su, tc);
    }
    return su;
}

/* The test cases run in this process (not forked), so that the points of
 * every step add up to the total printed at the end. */
int main(void)
{
    const char *st = getenv("CXT_ALLOCFAIL_STRIDE");
    if (st && atoi(st) > 1)
        stride = (size_t)atoi(st);
    SRunner *sr = srunner_create(suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("# allocation failure points in all: %zu, %zu of them refused (%zu absorbed with the same outcome)\n",
           total_points, total_swept, total_absorbed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
