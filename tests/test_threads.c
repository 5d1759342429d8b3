/* Threads (issue 15): what the headers promise about threads, checked under
 * load, and under ThreadSanitizer in the test command (build-tsan, suite
 * `threads`), where any data race fails the run.
 *
 * - own stores: several threads each build a store of their own from
 *   generated CSV and JSON Lines text (imports with rejects, adds, puts,
 *   updates, forgetting), analyse it, save it to their own SQLite file
 *   (twice: the second save appends), load it back, forget in the file,
 *   stream a CSV into another file, clone and pseudonymise; every figure
 *   must be bit for bit the one a single-threaded run of the same work gave.
 * - one shared store: loaded once, then several threads run at the same
 *   time every call the docs let run concurrently on one store (those
 *   taking a `const cx_store *`: getters, finds, histories, queries,
 *   journeys, funnels, cohorts, survival, RFM, summaries, health, care,
 *   exports, saves, clones) and on shared derived handles (one query, one
 *   journeys handle, one funnel, one summary, model data and models, one
 *   survival, one result, one calendar, one set of import options), and
 *   compare each result with the reference computed before the threads.
 * - one allocator: every store above takes its memory from one
 *   application allocator, thread-safe, shared by all the threads; at the end it
 *   holds nothing and saw no wrong size.
 *
 * Results are compared through a digest of their exact bytes (every cell,
 * doubles by their bits, strings byte for byte, files byte for byte).
 * Worker threads never call Check (its assertions are for the main thread):
 * they return what went wrong, and the main thread asserts. */
#include "cx_test.h"

#include <pthread.h>
#include <stdatomic.h>

enum { THREADS = 4, OWN_ROUNDS = 2, SHARED_ROUNDS = 3 };

/* ---- a thread-safe application allocator ------------------------------- */

/* What a host application shares between threads must be safe to call from
 * them (store.h). This one counts with relaxed atomics rather than a lock:
 * a lock taken on every allocation would order the threads' work for
 * ThreadSanitizer (each unlock and the next lock make a happens-before
 * edge) and hide the very races this test is for. Like cx_test.h's
 * allocator, every block carries its size, so that a wrong `osize` or a
 * foreign block is counted. */
typedef struct shared_allocator {
    atomic_size_t calls, live, blocks, bad;
} shared_allocator;

static shared_allocator shared_alloc;

#define SA_HDR 16
#define SA_MARK 0x5EA4ED15A110C8EDULL

static void *shared_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    shared_allocator *a = ud;
    char *blk = NULL;
    size_t have = 0;
    if (ptr) {
        uint64_t mark;
        blk = (char *)ptr - SA_HDR;
        memcpy(&have, blk, sizeof have);
        memcpy(&mark, blk + 8, sizeof mark);
        if (mark != SA_MARK) {
            atomic_fetch_add_explicit(&a->bad, 1, memory_order_relaxed);
            return NULL;
        }
        if (have != osize)
            atomic_fetch_add_explicit(&a->bad, 1, memory_order_relaxed);
    } else if (osize) {
        atomic_fetch_add_explicit(&a->bad, 1, memory_order_relaxed);
    }
    if (nsize == 0) {
        if (ptr) {
            atomic_fetch_sub_explicit(&a->live, have, memory_order_relaxed);
            atomic_fetch_sub_explicit(&a->blocks, 1, memory_order_relaxed);
            free(blk);
        }
        return NULL;
    }
    atomic_fetch_add_explicit(&a->calls, 1, memory_order_relaxed);
    char *b = realloc(blk, nsize + SA_HDR);
    if (!b)
        return NULL;
    uint64_t mark = SA_MARK;
    memcpy(b, &nsize, sizeof nsize);
    memcpy(b + 8, &mark, sizeof mark);
    atomic_fetch_add_explicit(&a->live, nsize, memory_order_relaxed);
    atomic_fetch_sub_explicit(&a->live, have, memory_order_relaxed);
    if (!ptr)
        atomic_fetch_add_explicit(&a->blocks, 1, memory_order_relaxed);
    return b + SA_HDR;
}

static size_t shared_calls(void) { return atomic_load(&shared_alloc.calls); }

/* Part (c): after a test, everything its threads took from the one
 * allocator they shared was given back, always with the right size, and
 * they did use it. */
static void assert_allocator_balanced(size_t calls_before)
{
    size_t calls = atomic_load(&shared_alloc.calls) - calls_before;
    size_t bad = atomic_load(&shared_alloc.bad), live = atomic_load(&shared_alloc.live);
    size_t blocks = atomic_load(&shared_alloc.blocks);
    ck_assert_msg(calls > 10000, "only %zu allocations through the shared allocator", calls);
    ck_assert_msg(bad == 0, "%zu allocator calls with a wrong size or a foreign block", bad);
    ck_assert_msg(live == 0 && blocks == 0, "%zu bytes in %zu blocks still held", live, blocks);
}

/* ---- digests ------------------------------------------------------------ */

/* The figures of a run: one 64-bit FNV-1a hash per step, in order. */
enum { MAX_STEPS = 160 };
typedef struct digest {
    int n;
    uint64_t h[MAX_STEPS];
    const char *name[MAX_STEPS];
    char err[600]; /* the first failure, "" when none */
} digest;

typedef struct hasher {
    uint64_t h;
} hasher;

static void hinit(hasher *x) { x->h = 0xcbf29ce484222325ULL; }

static void hbytes(hasher *x, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        x->h ^= b[i];
        x->h *= 0x100000001b3ULL;
    }
}

static void hu64(hasher *x, uint64_t v) { hbytes(x, &v, sizeof v); }
static void hreal(hasher *x, double v) { hbytes(x, &v, sizeof v); }
static void hstr(hasher *x, const char *s)
{
    if (!s) {
        hu64(x, UINT64_MAX);
        return;
    }
    hu64(x, strlen(s));
    hbytes(x, s, strlen(s));
}

static void put(digest *d, const char *name, uint64_t h)
{
    if (d->n < MAX_STEPS) {
        d->name[d->n] = name;
        d->h[d->n++] = h;
    }
}

/* Records the first failure; returns rc so that a step reads
 * `if (bad(d, "step", call)) return -1;`. */
static int bad(digest *d, const char *what, int rc)
{
    if (rc != CX_OK && !d->err[0])
        snprintf(d->err, sizeof d->err, "%s: %s: %s", what, cx_strerror(rc), cx_last_error());
    return rc;
}

#define STEP(d, what, call)                                                                                        \
    do {                                                                                                           \
        if (bad((d), (what), (call)))                                                                              \
            return -1;                                                                                             \
    } while (0)

/* Every cell of a result, with its column names and types. */
static uint64_t result_hash(const cx_result *r)
{
    hasher x;
    hinit(&x);
    size_t rows = cx_result_row_count(r), cols = cx_result_column_count(r);
    hu64(&x, rows);
    hu64(&x, cols);
    for (size_t c = 0; c < cols; c++) {
        const char *name = NULL;
        int type = -1;
        if (cx_result_column_name(&name, r, c) || cx_result_column_type(&type, r, c))
            return 0;
        hstr(&x, name);
        hu64(&x, (uint64_t)type);
        for (size_t i = 0; i < rows; i++) {
            if (type == CX_TYPE_STRING) {
                const char *s = NULL;
                if (cx_result_get_string(&s, r, i, c))
                    return 0;
                hstr(&x, s);
            } else if (type == CX_TYPE_REAL) {
                double v = 0;
                if (cx_result_get_real(&v, r, i, c))
                    return 0;
                hreal(&x, v);
            } else {
                int64_t v = 0;
                if (cx_result_get_int(&v, r, i, c))
                    return 0;
                hu64(&x, (uint64_t)v);
            }
        }
    }
    return x.h;
}

/* Takes a result: its hash becomes a step, and it is freed. */
static int take(digest *d, const char *what, int rc, cx_result *r)
{
    if (bad(d, what, rc))
        return -1;
    put(d, what, result_hash(r));
    cx_result_free(r);
    return 0;
}

#define TAKE(d, what, r, call)                                                                                     \
    do {                                                                                                           \
        cx_result *r = NULL;                                                                                       \
        int take_rc_ = (call);                                                                                     \
        if (take((d), (what), take_rc_, r))                                                                        \
            return -1;                                                                                             \
    } while (0)

static uint64_t file_hash(const char *path)
{
    hasher x;
    hinit(&x);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        hbytes(&x, buf, n);
    fclose(f);
    return x.h;
}

/* Every cell of every table through the getters, every named set, and
 * every customer's attributes. */
static int store_hash(uint64_t *out, const cx_store *s)
{
    hasher x;
    hinit(&x);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        size_t rows = 0, cols = 0;
        int rc = cx_store_rows(&rows, s, (cx_table)t);
        if (!rc)
            rc = cx_column_count(&cols, (cx_table)t);
        if (rc)
            return rc;
        hu64(&x, rows);
        for (int c = 0; c < (int)cols; c++) {
            int type = 0;
            if ((rc = cx_column_type(&type, (cx_table)t, c)))
                return rc;
            for (size_t i = 0; i < rows; i++) {
                if (type == CX_TYPE_STRING) {
                    const char *v = NULL;
                    rc = cx_store_get_string(&v, s, (cx_table)t, c, i);
                    hstr(&x, v);
                } else if (type == CX_TYPE_REAL) {
                    double v = 0;
                    rc = cx_store_get_real(&v, s, (cx_table)t, c, i);
                    hreal(&x, v);
                } else {
                    int64_t v = 0;
                    rc = cx_store_get_int(&v, s, (cx_table)t, c, i);
                    hu64(&x, (uint64_t)v);
                }
                if (rc)
                    return rc;
            }
        }
    }
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        size_t n = 0;
        int rc = cx_vocab_count(&n, s, (cx_vocab)v);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++) {
            const char *name = NULL;
            if ((rc = cx_vocab_name(&name, s, (cx_vocab)v, i)))
                return rc;
            hstr(&x, name);
        }
    }
    size_t ncust = 0, nkeys = 0;
    cx_store_rows(&ncust, s, CX_TABLE_CUSTOMERS);
    cx_vocab_count(&nkeys, s, CX_VOCAB_ATTRIBUTE);
    for (size_t i = 0; i < ncust; i++) {
        const char *id = NULL;
        int rc = cx_store_get_string(&id, s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ID, i);
        for (size_t k = 0; !rc && k < nkeys; k++) {
            const char *key = NULL, *val = NULL;
            rc = cx_vocab_name(&key, s, CX_VOCAB_ATTRIBUTE, k);
            if (!rc) {
                rc = cx_customer_get_attribute(&val, s, id, key);
                if (rc == CX_ENOTFOUND)
                    rc = CX_OK, val = NULL;
            }
            hstr(&x, val);
        }
        if (rc)
            return rc;
    }
    *out = x.h;
    return CX_OK;
}

/* ---- generated text ------------------------------------------------------ */

static const char *const tp_rows[][6] = {
    {"home_page", "web", "awareness", "marketing", "0", "1"},
    {"product_page", "web", "consideration", "sales", "1", "2.5"},
    {"app_home", "mobile_app", "consideration", "product", "0", "1"},
    {"checkout", "web", "purchase", "sales", "1", "3"},
    {"store_visit", "store", "purchase", "sales", "1", "2"},
    {"welcome_mail", "email", "onboarding", "marketing", "0", "0.5"},
    {"help_center", "self_service", "service", "self_service", "0", "1"},
    {"phone_support", "phone", "service", "service", "1", "2"},
    {"chat_support", "chat", "service", "service", "1", "1.5"},
    {"home_delivery", "delivery", "purchase", "logistics", "1", "2"},
    {"renewal_mail", "email", "retention", "marketing", "0", "0.5"},
    {"review_page", "web", "advocacy", "product", "0", "1"},
};
enum { NTP = sizeof tp_rows / sizeof tp_rows[0] };

static const char *const regions[] = {"الرياض", "Jeddah, KSA", "Dammam", "\"Al\" Khobar"};
static const char *const agents[] = {"a1", "a2", "a3", "نورة"};
static const char *const outcomes[] = {"handled", "handled", "handled", "missed", "abandoned"};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};

static cx_time base_time(void) { return 1672531200000LL; /* 2023-01-01T00:00:00Z */ }

static void iso(char *buf, cx_time t, int offset) { cx_time_format(buf, 40, t, offset); }

/* CSV field text: quoted, quotes doubled. */
static void csv_q(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* JSON string (the generated text has quotes but no control characters). */
static void json_q(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* An amount with two decimals, written without printf's locale. */
static void money(FILE *f, uint64_t cents) { fprintf(f, "%llu.%02u", (unsigned long long)(cents / 100), (unsigned)(cents % 100)); }

typedef struct gen_sizes {
    int customers, cases;
} gen_sizes;

static const gen_sizes sizes = {90, 50};

/* Writes the seven files of seed `seed` into dir: customers and touchpoints
 * and feedback as CSV, cases, interactions and transactions as JSON Lines.
 * A few rows are bad on purpose (rejected and written to reject files); a
 * few interactions and transactions name customers the customers file lacks
 * (added by the import's create-customers option). */
static int gen_files(const char *dir, uint64_t seed)
{
    char path[600], t1[40], t2[40], t3[40];
    uint64_t st = seed * 7919 + 17;
    const int nc = sizes.customers, nk = sizes.cases;

    snprintf(path, sizeof path, "%s/customers.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("id,segment,region,plan,acquired,tier\n", f);
    for (int i = 0; i < nc; i++) {
        uint64_t r = splitmix64(&st);
        fprintf(f, "C-%llu-%d,%s,", (unsigned long long)seed, i, r % 3 ? "consumer" : "business");
        csv_q(f, regions[(r >> 8) % 4]);
        fprintf(f, ",%s,", (r >> 12) % 3 == 0 ? "" : (r >> 12) % 3 == 1 ? "basic" : "premium");
        if ((r >> 20) % 9) {
            iso(t1, base_time() - (int64_t)((r >> 24) % 90 + 1) * DAY_MS, 180);
            fputs(t1, f);
        }
        fprintf(f, ",%s\n", (r >> 30) % 3 == 0 ? "gold" : (r >> 30) % 3 == 1 ? "silver" : "");
    }
    fputs("C-bad,consumer,Dammam,basic,not-a-time,gold\n", f); /* rejected */
    fclose(f);

    snprintf(path, sizeof path, "%s/touchpoints.csv", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    fputs("name,channel,stage,kind,key,weight\n", f);
    for (int i = 0; i < NTP; i++)
        fprintf(f, "%s,%s,%s,%s,%s,%s\n", tp_rows[i][0], tp_rows[i][1], tp_rows[i][2], tp_rows[i][3], tp_rows[i][4],
                tp_rows[i][5]);
    fclose(f);

    /* cases: each of one customer, whose contacts the interactions name */
    int case_cust[64];
    snprintf(path, sizeof path, "%s/cases.jsonl", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    for (int k = 0; k < nk; k++) {
        uint64_t r = splitmix64(&st);
        case_cust[k] = (int)(r % (uint64_t)nc);
        cx_time opened = base_time() + (int64_t)((r >> 8) % 500) * DAY_MS + (int64_t)((r >> 20) % 86400) * 1000;
        iso(t1, opened, 0);
        iso(t2, opened + (int64_t)((r >> 40) % 48) * HOUR_MS + 60000, 180);
        iso(t3, opened + (int64_t)((r >> 46) % 20 + 1) * DAY_MS, 0);
        fprintf(f,
                "{\"id\":\"K-%d\",\"customer\":\"C-%llu-%d\",\"channel\":\"%s\",\"priority\":\"%s\",\"agent\":",
                k, (unsigned long long)seed, case_cust[k], (r >> 50) % 2 ? "phone" : "chat", priorities[(r >> 52) % 4]);
        json_q(f, agents[(r >> 54) % 4]);
        fprintf(f, ",\"opened\":\"%s\",\"first_response\":\"%s\",\"resolved\":", t1, t2);
        if ((r >> 56) % 5)
            fprintf(f, "\"%s\"", t3);
        else
            fputs("null", f);
        fprintf(f, ",\"reopens\":%d,\"contacts\":%d}\n", (int)((r >> 58) % 3 == 0), (int)((r >> 60) % 3 + 1));
    }
    fclose(f);

    /* interactions: a journey or two per customer, purchases among them,
     * service contacts on the cases */
    snprintf(path, sizeof path, "%s/interactions.jsonl", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    int nint = 0;
    for (int c = 0; c < nc + 3; c++) {
        uint64_t r = splitmix64(&st);
        int events = (int)(r % 12) + 2;
        cx_time t = base_time() + (int64_t)((r >> 8) % 450) * DAY_MS;
        for (int e = 0; e < events; e++) {
            uint64_t q = splitmix64(&st);
            int tp = (int)(q % NTP);
            const char *kind = tp == 3 || tp == 4 ? "purchase" : tp >= 6 && tp <= 8 ? "contact" : "visit";
            int k = -1;
            for (int j = 0; j < nk && !strcmp(kind, "contact"); j++)
                if (case_cust[j] == c && (q >> 20) % 2)
                    k = j;
            t += (int64_t)((q >> 8) % 72 + 1) * HOUR_MS * ((q >> 40) % 7 == 0 ? 40 : 1);
            iso(t1, t, (q >> 44) % 2 ? 180 : -300);
            fprintf(f, "{\"id\":\"I-%d\",\"customer\":\"%s%llu-%d\",\"touchpoint\":\"%s\",\"time\":\"%s\",",
                    nint++, c < nc ? "C-" : "N-", (unsigned long long)seed, c, tp_rows[tp][0], t1);
            fprintf(f, "\"kind\":\"%s\",\"direction\":\"%s\",\"agent\":", kind, (q >> 48) % 4 ? "inbound" : "outbound");
            if (!strcmp(kind, "contact"))
                json_q(f, agents[(q >> 50) % 4]);
            else
                fputs("null", f);
            if (k >= 0)
                fprintf(f, ",\"case\":\"K-%d\"", k);
            fprintf(f, ",\"duration_ms\":%llu,\"outcome\":\"%s\",\"value\":%d}\n",
                    (unsigned long long)((q >> 52) % 900) * 1000, outcomes[(q >> 60) % 5], (int)((q >> 56) % 9));
        }
    }
    fputs("{\"id\":\"I-bad\",\"customer\":\"C-0-0\",\"touchpoint\":\"nowhere\",\"time\":\"2023-05-01T00:00:00Z\"}\n",
          f); /* rejected */
    fclose(f);

    /* feedback on some interactions */
    snprintf(path, sizeof path, "%s/feedback.csv", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    fputs("id,customer,question,score,time,touchpoint,interaction,case,comment\n", f);
    uint64_t fs = seed * 31 + 5;
    for (int i = 0; i < nint; i += 3) {
        uint64_t r = splitmix64(&fs);
        /* the interaction's customer and time are not known here: answers
         * name the customer of a fresh draw and link the interaction by id */
        const char *qn = r % 3 == 0 ? "nps" : r % 3 == 1 ? "csat" : "ces";
        int score = r % 3 == 0 ? (int)((r >> 8) % 11) : r % 3 == 1 ? (int)((r >> 8) % 5) + 1 : (int)((r >> 8) % 7) + 1;
        iso(t1, base_time() + (int64_t)((r >> 16) % 500) * DAY_MS, 0);
        fprintf(f, "F-%d,C-%llu-%d,%s,%d,%s,%s,", i, (unsigned long long)seed, (int)((r >> 32) % (uint64_t)nc), qn,
                score, t1, (r >> 40) % 4 ? "" : tp_rows[(r >> 42) % NTP][0]);
        if ((r >> 46) % 2)
            fprintf(f, "I-%d", i);
        fputs(",,", f);
        if ((r >> 48) % 3 == 0)
            csv_q(f, (r >> 50) % 2 ? "الانتظار طويل، \"جداً\"" : "slow, then fine");
        fputc('\n', f);
    }
    fputs("F-bad,C-0-0,nps,11,2023-05-01T00:00:00Z,,,,\n", f); /* off scale: rejected */
    fclose(f);

    /* transactions: repeat purchases for the lifetime models */
    snprintf(path, sizeof path, "%s/transactions.jsonl", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    int ntx = 0;
    for (int c = 0; c < nc + 2; c++) {
        uint64_t r = splitmix64(&st);
        /* customers buy at rates of their own, and some stop buying */
        int n = (int)(r % 12);
        int64_t mean_gap = (int64_t)((r >> 40) % 6 + 1) * 10;
        cx_time t = base_time() + (int64_t)((r >> 8) % 200) * DAY_MS;
        for (int e = 0; e < n; e++) {
            uint64_t q = splitmix64(&st);
            if (e && (q >> 58) % 4 == 0)
                break;
            t += (int64_t)((q % (uint64_t)(2 * mean_gap)) + 1) * DAY_MS;
            iso(t1, t, 0);
            fprintf(f, "{\"id\":\"X-%d\",\"customer\":\"%s%llu-%d\",\"time\":\"%s\",\"amount\":", ntx++,
                    c < nc ? "C-" : "N-", (unsigned long long)seed, c, t1);
            money(f, (q >> 16) % 20000 + 500);
            fputs("}\n", f);
        }
    }
    fclose(f);

    /* a CSV of transactions for the streaming import into SQLite */
    snprintf(path, sizeof path, "%s/more_transactions.csv", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    fputs("id,customer,time,amount\n", f);
    for (int i = 0; i < 40; i++) {
        uint64_t r = splitmix64(&st);
        iso(t1, base_time() + (int64_t)(500 + i) * DAY_MS, 0);
        fprintf(f, "Y-%d,C-%llu-%d,%s,", i, (unsigned long long)seed, (int)(r % (uint64_t)nc), t1);
        money(f, r >> 40 & 0xFFFF);
        fputc('\n', f);
    }
    fclose(f);
    return 0;
}

/* ---- building a store ---------------------------------------------------- */

static int import_one(digest *d, cx_store *s, const char *dir, cx_table table, const char *file, bool jsonl,
                      const cx_import_options *o)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    cx_import_report *rep = NULL;
    int rc = jsonl ? cx_import_jsonl(&rep, s, table, path, o) : cx_import_csv(&rep, s, table, path, o);
    if (bad(d, file, rc))
        return -1;
    hasher x;
    hinit(&x);
    hu64(&x, cx_import_report_read(rep));
    hu64(&x, cx_import_report_accepted(rep));
    hu64(&x, cx_import_report_added(rep));
    hu64(&x, cx_import_report_updated(rep));
    hu64(&x, cx_import_report_unchanged(rep));
    hu64(&x, cx_import_report_rejected(rep));
    for (size_t i = 0; i < cx_import_report_details(rep); i++) {
        uint64_t line = 0;
        int col = 0;
        const char *reason = NULL;
        cx_import_report_line(&line, rep, i);
        cx_import_report_column(&col, rep, i);
        cx_import_report_reason(&reason, rep, i);
        hu64(&x, line);
        hu64(&x, (uint64_t)col);
        /* the reason names the file's path, which differs between runs */
        hu64(&x, reason && strstr(reason, dir) ? 1 : 2);
    }
    cx_import_report_free(rep);
    put(d, file, x.h);
    return 0;
}

/* Imports the generated files of `seed` (written into dir) into s, then
 * changes it through the C API. `o` may be shared between threads (the
 * calls only read it); it names no reject file (that path would be shared). */
static int build(digest *d, cx_store *s, const char *dir, uint64_t seed, const cx_import_options *shared_opts)
{
    char path[600];
    if (gen_files(dir, seed))
        return bad(d, "writing the generated files", CX_EIO), -1;
    cx_import_options *o = NULL;
    STEP(d, "options", cx_import_options_new_with_allocator(&o, shared_alloc_fn, &shared_alloc));
    snprintf(path, sizeof path, "%s/rejects.txt", dir);
    int rc = cx_import_options_set_reject_path(o, path);
    if (!rc)
        rc = cx_import_options_set_create_customers(o, 1);
    if (!rc)
        rc = import_one(d, s, dir, CX_TABLE_CUSTOMERS, "customers.csv", false, o);
    if (!rc)
        rc = import_one(d, s, dir, CX_TABLE_TOUCHPOINTS, "touchpoints.csv", false, shared_opts);
    if (!rc)
        rc = import_one(d, s, dir, CX_TABLE_CASES, "cases.jsonl", true, shared_opts);
    if (!rc)
        rc = import_one(d, s, dir, CX_TABLE_INTERACTIONS, "interactions.jsonl", true, o);
    if (!rc)
        rc = import_one(d, s, dir, CX_TABLE_FEEDBACK, "feedback.csv", false, o);
    if (!rc)
        rc = import_one(d, s, dir, CX_TABLE_TRANSACTIONS, "transactions.jsonl", true, o);
    if (!rc) {
        put(d, "rejects", file_hash(path));
        /* the same file again, updating: everything is unchanged */
        cx_import_options_set_existing(o, CX_EXISTING_UPDATE);
        rc = import_one(d, s, dir, CX_TABLE_TRANSACTIONS, "transactions.jsonl", true, o);
    }
    cx_import_options_free(o);
    if (rc)
        return -1;

    char id[64], other[64];
    snprintf(id, sizeof id, "C-%llu-new", (unsigned long long)seed);
    STEP(d, "cx_vocab_define", cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "fax"));
    STEP(d, "cx_touchpoint_add", cx_touchpoint_add(s, "fax_in", "fax", "service", "service", 0, 0.25));
    STEP(d, "cx_customer_add", cx_customer_add(s, id, "business", "Dammam", "premium", base_time()));
    STEP(d, "cx_customer_set_attribute", cx_customer_set_attribute(s, id, "tier", "gold"));
    STEP(d, "cx_case_add", cx_case_add(s, "K-new", id, "fax", "urgent", "a2", base_time() + DAY_MS, CX_TIME_NONE,
                                       CX_TIME_NONE, 0, 1));
    STEP(d, "cx_interaction_add", cx_interaction_add(NULL, s, "I-new", id, "fax_in", base_time() + DAY_MS, "contact",
                                                     CX_INBOUND, "a2", "K-new", 60000, CX_HANDLED, 0));
    STEP(d, "cx_case_update", cx_case_update(s, "K-new", base_time() + DAY_MS + HOUR_MS,
                                             base_time() + 2 * DAY_MS, 1, 2));
    STEP(d, "cx_feedback_add", cx_feedback_add(NULL, s, "F-new", id, "ces", 2, base_time() + 3 * DAY_MS, NULL,
                                               "I-new", "K-new", "fax, really?"));
    int change = 0;
    /* X-0 exists: a put replaces it (with its own customer and a new time and amount) */
    const char *cust0 = NULL;
    size_t row = 0;
    STEP(d, "cx_store_find", cx_store_find(&row, s, CX_TABLE_TRANSACTIONS, "X-0"));
    STEP(d, "cx_store_get_string", cx_store_get_string(&cust0, s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_CUSTOMER, row));
    snprintf(other, sizeof other, "%s", cust0);
    STEP(d, "cx_transaction_put", cx_transaction_put(&change, NULL, s, "X-0", other, base_time() + 9 * DAY_MS, 99.5));
    put(d, "put change", (uint64_t)change);
    /* I-1 again, longer and missed */
    const char *cust1 = NULL, *tp1 = NULL;
    int64_t when = 0;
    STEP(d, "cx_store_find", cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "I-1"));
    STEP(d, "cx_store_get_string", cx_store_get_string(&cust1, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, row));
    STEP(d, "cx_store_get_string", cx_store_get_string(&tp1, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, row));
    STEP(d, "cx_store_get_int", cx_store_get_int(&when, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, row));
    snprintf(other, sizeof other, "%s", cust1);
    char tpname[64];
    snprintf(tpname, sizeof tpname, "%s", tp1);
    STEP(d, "cx_interaction_put", cx_interaction_put(&change, NULL, s, "I-1", other, tpname, when, "visit",
                                                     CX_INBOUND, NULL, NULL, 777000, CX_MISSED, 3));
    put(d, "put change", (uint64_t)change);
    /* forget two customers and everything that names them */
    char f1[64], f2[64];
    snprintf(f1, sizeof f1, "C-%llu-3", (unsigned long long)seed);
    snprintf(f2, sizeof f2, "N-%llu-%d", (unsigned long long)seed, sizes.customers);
    const char *ids[] = {f1, f2};
    size_t removed = 0;
    STEP(d, "cx_customer_forget", cx_customer_forget(&removed, s, 2, ids));
    put(d, "forgotten rows", removed);
    return 0;
}

/* ---- the read-only analyses ---------------------------------------------- */

/* Handles derived from a store that several threads may use at once; made
 * by make_shared() before the threads start. */
typedef struct shared_handles {
    cx_calendar *cal;
    cx_query *query;
    cx_journeys *journeys;
    cx_funnel *funnel;
    cx_summary *summary;
    cx_model_data *data;
    cx_model *bgnbd, *gg;
    cx_survival *survival;
    cx_result *result;
    cx_care_rules *rules;
    cx_health_options *health;
    cx_cohorts_options *cohorts;
    cx_survival_options *surv_opts;
} shared_handles;

static cx_time as_of(void) { return base_time() + 560 * DAY_MS; }

static int make_query(digest *d, cx_query **out, const cx_store *s, const cx_calendar *cal)
{
    cx_query *q = NULL;
    STEP(d, "cx_query_new", cx_query_new(&q, s));
    int rc = CX_OK;
    for (int m = 0; !rc && m < CX_MEASURE_COUNT; m++)
        rc = cx_query_add(q, (cx_measure)m);
    if (!rc)
        rc = cx_query_group_by(q, CX_DIM_CHANNEL);
    if (!rc)
        rc = cx_query_group_by_time(q, CX_BUCKET_QUARTER, 180);
    if (!rc)
        rc = cx_query_set_calendar(q, cal);
    if (!rc)
        rc = cx_query_set_sla(q, "high", NULL, 4 * HOUR_MS, 3 * DAY_MS);
    if (!rc)
        rc = cx_query_set_as_of(q, as_of());
    if (!rc)
        rc = cx_query_set_repeat_window(q, 3 * DAY_MS);
    if (!rc)
        rc = cx_query_set_contact_kind(q, "contact");
    if (rc) {
        cx_query_free(q);
        return bad(d, "building the query", rc), -1;
    }
    *out = q;
    return 0;
}

static int make_funnel(digest *d, cx_funnel **out, const cx_store *s)
{
    cx_funnel *f = NULL;
    STEP(d, "cx_funnel_new", cx_funnel_new(&f, s));
    int rc = cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "awareness");
    if (!rc)
        rc = cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "consideration");
    if (!rc)
        rc = cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "checkout");
    if (!rc)
        rc = cx_funnel_add_exclusion(f, CX_JOURNEYS_LEVEL_CHANNEL, "phone");
    if (!rc)
        rc = cx_funnel_set_window(f, 30 * DAY_MS);
    if (rc) {
        cx_funnel_free(f);
        return bad(d, "building the funnel", rc), -1;
    }
    *out = f;
    return 0;
}

static int make_journeys(digest *d, cx_journeys **out, const cx_store *s, cx_journeys_level level)
{
    cx_journeys_options *o = NULL;
    STEP(d, "cx_journeys_options_new", cx_journeys_options_new(&o, s));
    int rc = cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_KIND, "purchase");
    if (!rc)
        rc = cx_journeys_options_set_gap(o, 14 * DAY_MS);
    if (!rc)
        rc = cx_journeys_options_set_level(o, level);
    if (!rc)
        rc = cx_journeys_options_set_repeat_contacts(o, "contact", 3 * DAY_MS);
    if (!rc)
        rc = cx_journeys_new(out, s, o);
    cx_journeys_options_free(o);
    return bad(d, "cx_journeys_new", rc) ? -1 : 0;
}

static int make_shared(digest *d, shared_handles *h, const cx_store *s)
{
    memset(h, 0, sizeof *h);
    STEP(d, "cx_calendar_new", cx_calendar_new_with_allocator(&h->cal, 180, shared_alloc_fn, &shared_alloc));
    for (int wd = 1; wd <= 5; wd++)
        STEP(d, "cx_calendar_add_hours", cx_calendar_add_hours(h->cal, wd, 8 * 60, 17 * 60));
    STEP(d, "cx_calendar_add_holiday", cx_calendar_add_holiday(h->cal, 2023, 9, 23));
    if (make_query(d, &h->query, s, h->cal) || make_funnel(d, &h->funnel, s) ||
        make_journeys(d, &h->journeys, s, CX_JOURNEYS_LEVEL_TOUCHPOINT))
        return -1;
    cx_summary_options *so = NULL;
    STEP(d, "cx_summary_options_new", cx_summary_options_new(&so));
    int src = cx_summary_options_set_unit(so, WEEK_MS);
    if (!src)
        src = cx_summary_new(&h->summary, s, base_time() + 420 * DAY_MS, so);
    cx_summary_options_free(so);
    STEP(d, "cx_summary_new", src);
    STEP(d, "cx_model_data_from_summary", cx_model_data_from_summary(&h->data, h->summary));
    const double *x, *tx, *T, *mean;
    STEP(d, "cx_summary_values", cx_summary_values(&x, h->summary, CX_SUMMARY_FREQUENCY));
    STEP(d, "cx_summary_values", cx_summary_values(&tx, h->summary, CX_SUMMARY_RECENCY));
    STEP(d, "cx_summary_values", cx_summary_values(&T, h->summary, CX_SUMMARY_AGE));
    STEP(d, "cx_summary_values", cx_summary_values(&mean, h->summary, CX_SUMMARY_MONETARY));
    size_t n = cx_summary_count(h->summary);
    /* the fits run in full whether or not they converge on this synthetic
     * data (both outcomes are deterministic); a fit that does not converge
     * is replaced by a model of CDNOW's published parameters */
    int fit = cx_model_fit_bgnbd(&h->bgnbd, x, tx, T, NULL, n);
    if (fit == CX_ERANGE) {
        static const double cdnow[] = {0.243, 4.414, 0.793, 2.426};
        fit = cx_model_new(&h->bgnbd, CX_MODEL_BGNBD, cdnow, 4);
    }
    STEP(d, "cx_model_fit_bgnbd", fit);
    int ggfit = cx_model_fit_gammagamma(&h->gg, x, mean, NULL, n);
    if (ggfit == CX_ERANGE) {
        /* no spread in spend between these customers (a degenerate fit):
         * the published CDNOW parameters stand in, as for BG/NBD above */
        static const double cd[] = {6.25, 3.74, 15.44};
        ggfit = cx_model_new(&h->gg, CX_MODEL_GAMMA_GAMMA, cd, 3);
    }
    STEP(d, "cx_model_fit_gammagamma", ggfit);
    STEP(d, "cx_survival_options_new", cx_survival_options_new(&h->surv_opts));
    STEP(d, "cx_survival_options_set_group_by", cx_survival_options_set_group_by(h->surv_opts, CX_DIM_SEGMENT));
    STEP(d, "cx_survival_options_set_inactivity", cx_survival_options_set_inactivity(h->surv_opts, 60 * DAY_MS));
    STEP(d, "cx_survival_from_store", cx_survival_from_store(&h->survival, s, as_of(), h->surv_opts));
    STEP(d, "cx_query_run", cx_query_run(&h->result, h->query));
    STEP(d, "cx_care_rules_new", cx_care_rules_new(&h->rules));
    STEP(d, "cx_care_rules_add", cx_care_rules_add(NULL, h->rules, CX_CARE_DETRACTOR_AFTER_CASE, 5, 6, 30 * DAY_MS));
    STEP(d, "cx_care_rules_add", cx_care_rules_add(NULL, h->rules, CX_CARE_REPEAT_CONTACTS, 4, 2, 7 * DAY_MS));
    STEP(d, "cx_care_rules_add", cx_care_rules_add(NULL, h->rules, CX_CARE_SLA_BREACH, 8, 0, 24 * HOUR_MS));
    STEP(d, "cx_care_rules_add", cx_care_rules_add(NULL, h->rules, CX_CARE_HIGH_EFFORT, 3, 0.3, 90 * DAY_MS));
    size_t drop = 0;
    STEP(d, "cx_care_rules_add", cx_care_rules_add(&drop, h->rules, CX_CARE_ACTIVITY_DROP, 2, 0.25, 60 * DAY_MS));
    STEP(d, "cx_care_rules_set_baseline", cx_care_rules_set_baseline(h->rules, drop, 180 * DAY_MS));
    STEP(d, "cx_care_rules_add", cx_care_rules_add(NULL, h->rules, CX_CARE_LOW_P_ALIVE, 6, 0.3, 0));
    STEP(d, "cx_health_options_new", cx_health_options_new(&h->health));
    STEP(d, "cx_health_options_set_weight", cx_health_options_set_weight(h->health, CX_HEALTH_CES, 2));
    STEP(d, "cx_cohorts_options_new", cx_cohorts_options_new(&h->cohorts));
    STEP(d, "cx_cohorts_options_set_bucket", cx_cohorts_options_set_bucket(h->cohorts, CX_BUCKET_MONTH));
    STEP(d, "cx_cohorts_options_set_offset", cx_cohorts_options_set_offset(h->cohorts, 180));
    return 0;
}

static void free_shared(shared_handles *h)
{
    cx_calendar_free(h->cal);
    cx_query_free(h->query);
    cx_journeys_free(h->journeys);
    cx_funnel_free(h->funnel);
    cx_summary_free(h->summary);
    cx_model_data_free(h->data);
    cx_model_free(h->bgnbd);
    cx_model_free(h->gg);
    cx_survival_free(h->survival);
    cx_result_free(h->result);
    cx_care_rules_free(h->rules);
    cx_health_options_free(h->health);
    cx_cohorts_options_free(h->cohorts);
    cx_survival_options_free(h->surv_opts);
    memset(h, 0, sizeof *h);
}

/* The analyses of a journeys handle. */
static int journey_steps(digest *d, const cx_journeys *j, const cx_funnel *f)
{
    hasher x;
    hinit(&x);
    hu64(&x, cx_journeys_count(j));
    hu64(&x, cx_journeys_conversion_count(j));
    hu64(&x, cx_journeys_byte_count(j));
    put(d, "cx_journeys_count", x.h);
    TAKE(d, "cx_journeys_list", r, cx_journeys_list(&r, j));
    TAKE(d, "cx_journeys_paths", r, cx_journeys_paths(&r, j, 15));
    TAKE(d, "cx_journeys_transitions 1", r, cx_journeys_transitions(&r, j, 1));
    TAKE(d, "cx_journeys_transitions 2", r, cx_journeys_transitions(&r, j, 2));
    TAKE(d, "cx_journeys_attribution", r, cx_journeys_attribution(&r, j, 1));
    TAKE(d, "cx_journeys_attribution 2", r, cx_journeys_attribution(&r, j, 2));
    TAKE(d, "cx_journeys_pain_points", r, cx_journeys_pain_points(&r, j));
    TAKE(d, "cx_journeys_drivers", r, cx_journeys_drivers(&r, j));
    TAKE(d, "cx_journeys_satisfaction path", r, cx_journeys_satisfaction(&r, j, CX_JOURNEYS_GROUP_PATH));
    TAKE(d, "cx_journeys_satisfaction stage", r, cx_journeys_satisfaction(&r, j, CX_JOURNEYS_GROUP_STAGE));
    TAKE(d, "cx_journeys_satisfaction converted", r, cx_journeys_satisfaction(&r, j, CX_JOURNEYS_GROUP_CONVERTED));
    TAKE(d, "cx_journeys_stages", r, cx_journeys_stages(&r, j));
    TAKE(d, "cx_journeys_customer_stages", r, cx_journeys_customer_stages(&r, j));
    TAKE(d, "cx_journeys_funnel", r, cx_journeys_funnel(&r, j, f));
    TAKE(d, "cx_journeys_funnel_customers", r, cx_journeys_funnel_customers(&r, j, f));
    return 0;
}

/* What a query result answers beyond its cells. */
static int query_result_steps(digest *d, const cx_result *r, const char *dir)
{
    hasher x;
    hinit(&x);
    size_t rows = cx_result_row_count(r);
    for (size_t i = 0; i < rows; i++) {
        double v = 0, p = 0;
        STEP(d, "cx_result_quantile", cx_result_quantile(&v, r, i, CX_MEASURE_HANDLE_TIME, 0.75));
        hreal(&x, v);
        STEP(d, "cx_result_quantile", cx_result_quantile(&v, r, i, CX_MEASURE_RESOLUTION, 0.5));
        hreal(&x, v);
        if (cx_result_compare(&v, &p, r, i, r, rows - 1 - i, CX_MEASURE_NPS) == CX_OK) {
            hreal(&x, v);
            hreal(&x, p);
        }
    }
    put(d, "quantiles and comparisons", x.h);
    size_t len = 0;
    if (cx_result_serialize(&len, r, NULL, 0) != CX_EBUFSIZE)
        return bad(d, "cx_result_serialize to find the size", CX_EINVAL), -1;
    void *buf = malloc(len ? len : 1);
    if (!buf)
        return bad(d, "malloc", CX_ENOMEM), -1;
    int rc = cx_result_serialize(&len, r, buf, len);
    cx_result *back = NULL, *merged = NULL;
    if (!rc) {
        hinit(&x);
        hbytes(&x, buf, len);
        put(d, "cx_result_serialize", x.h);
        rc = cx_result_deserialize(&back, buf, len);
    }
    free(buf);
    if (!rc) {
        put(d, "cx_result_deserialize", result_hash(back));
        rc = cx_result_merge(&merged, r, back);
    }
    if (!rc)
        put(d, "cx_result_merge", result_hash(merged));
    cx_result_free(back);
    cx_result_free(merged);
    if (bad(d, "serialise, deserialise, merge", rc))
        return -1;
    char path[600];
    snprintf(path, sizeof path, "%s/result.csv", dir);
    STEP(d, "cx_result_export_csv", cx_result_export_csv(r, path));
    put(d, "cx_result_export_csv", file_hash(path));
    snprintf(path, sizeof path, "%s/result.json", dir);
    STEP(d, "cx_result_export_json", cx_result_export_json(r, path));
    put(d, "cx_result_export_json", file_hash(path));
    return 0;
}

/* The lifecycle analyses, with the summary, model data and models given. */
static int lifecycle_steps(digest *d, const cx_store *s, const shared_handles *h)
{
    cx_result *pr = NULL;
    TAKE(d, "cx_cohorts_run", r, cx_cohorts_run(&r, s, NULL));
    TAKE(d, "cx_cohorts_run months", r, cx_cohorts_run(&r, s, h->cohorts));
    TAKE(d, "cx_rfm_run", r, cx_rfm_run(&r, s, as_of(), DAY_MS, 5));
    TAKE(d, "cx_survival_curve", r, cx_survival_curve(&r, h->survival));
    TAKE(d, "cx_survival_summary", r, cx_survival_summary(&r, h->survival));
    hasher x;
    hinit(&x);
    for (size_t g = 0; g < cx_survival_group_count(h->survival); g++) {
        double a = 0, b = 0, c = 0;
        STEP(d, "cx_survival_at", cx_survival_at(&a, &b, &c, h->survival, g, 90));
        hreal(&x, a), hreal(&x, b), hreal(&x, c);
        STEP(d, "cx_survival_median", cx_survival_median(&a, &b, &c, h->survival, g));
        hreal(&x, a), hreal(&x, b), hreal(&x, c);
    }
    double chi2 = 0, p = 0;
    uint64_t df = 0;
    if (cx_survival_group_count(h->survival) > 1) {
        STEP(d, "cx_survival_logrank", cx_survival_logrank(&chi2, &p, &df, h->survival));
        hreal(&x, chi2), hreal(&x, p), hu64(&x, df);
    }
    put(d, "survival figures", x.h);
    TAKE(d, "cx_summary_table", r, cx_summary_table(&r, h->summary));
    /* the fits again, in every thread: their outcome and parameters */
    const double *sx, *stx, *sT, *smean;
    STEP(d, "cx_summary_values", cx_summary_values(&sx, h->summary, CX_SUMMARY_FREQUENCY));
    STEP(d, "cx_summary_values", cx_summary_values(&stx, h->summary, CX_SUMMARY_RECENCY));
    STEP(d, "cx_summary_values", cx_summary_values(&sT, h->summary, CX_SUMMARY_AGE));
    STEP(d, "cx_summary_values", cx_summary_values(&smean, h->summary, CX_SUMMARY_MONETARY));
    size_t sn = cx_summary_count(h->summary);
    cx_model *fitted = NULL;
    int fit = cx_model_fit_bgnbd(&fitted, sx, stx, sT, NULL, sn);
    put(d, "cx_model_fit_bgnbd", (uint64_t)fit);
    if (fitted)
        TAKE(d, "cx_model_params fitted bgnbd", r, cx_model_params(&r, fitted));
    cx_model_free(fitted);
    fitted = NULL;
    fit = cx_model_fit_gammagamma(&fitted, sx, smean, NULL, sn);
    put(d, "cx_model_fit_gammagamma", (uint64_t)fit);
    if (fitted)
        TAKE(d, "cx_model_params fitted gg", r, cx_model_params(&r, fitted));
    cx_model_free(fitted);
    /* sBG on the renewals of Fader and Hardie (2007), "regular" customers */
    static const double t_sbg[] = {1, 2, 3, 4, 5, 6, 7, 7};
    static const int churned[] = {1, 1, 1, 1, 1, 1, 1, 0};
    static const double w_sbg[] = {131, 126, 90, 60, 42, 34, 26, 491};
    fitted = NULL;
    STEP(d, "cx_model_fit_sbg", cx_model_fit_sbg(&fitted, t_sbg, churned, w_sbg, 8));
    double surv = 0, ret = 0;
    fit = cx_model_sbg_curve(&surv, &ret, fitted, 10);
    if (!fit)
        fit = cx_model_params(&pr, fitted);
    cx_model_free(fitted);
    if (bad(d, "sBG", fit))
        return -1;
    hinit(&x);
    hreal(&x, surv), hreal(&x, ret);
    put(d, "cx_model_sbg_curve", x.h);
    if (take(d, "cx_model_params sbg", CX_OK, pr))
        return -1;
    TAKE(d, "cx_model_params bgnbd", r, cx_model_params(&r, h->bgnbd));
    TAKE(d, "cx_model_params gg", r, cx_model_params(&r, h->gg));
    size_t n = cx_model_data_count(h->data);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return bad(d, "malloc", CX_ENOMEM), -1;
    int rc = cx_model_expected(v, n, h->bgnbd, h->data, 52);
    hinit(&x);
    hbytes(&x, v, n * sizeof *v);
    if (!rc)
        rc = cx_model_p_alive(v, n, h->bgnbd, h->data);
    hbytes(&x, v, n * sizeof *v);
    if (!rc)
        rc = cx_model_expected_spend(v, n, h->gg, h->data);
    hbytes(&x, v, n * sizeof *v);
    free(v);
    if (bad(d, "model predictions", rc))
        return -1;
    put(d, "model predictions", x.h);
    TAKE(d, "cx_model_clv", r, cx_model_clv(&r, h->bgnbd, h->gg, h->data, NULL));
    TAKE(d, "cx_health_run", r, cx_health_run(&r, s, h->health, as_of(), h->bgnbd, h->summary));
    TAKE(d, "cx_care_evaluate", r, cx_care_evaluate(&r, h->rules, s, as_of(), h->bgnbd, h->summary));
    return 0;
}

/* Every read-only call the docs allow on a store, with handles of its own
 * (fresh) or shared ones `h` (NULL: made here and freed). Files go to dir. */
static int analyse(digest *d, const cx_store *s, const shared_handles *shared, const char *dir)
{
    uint64_t hs = 0;
    STEP(d, "store_hash", store_hash(&hs, s));
    put(d, "store", hs);
    size_t mem = 0;
    STEP(d, "cx_store_memory", cx_store_memory(&mem, s));
    put(d, "cx_store_memory", mem);

    /* finds, and a history of every fifth customer */
    hasher x;
    hinit(&x);
    size_t ncust = 0;
    STEP(d, "cx_store_rows", cx_store_rows(&ncust, s, CX_TABLE_CUSTOMERS));
    for (size_t i = 0; i < ncust; i++) {
        const char *id = NULL;
        size_t row = 0;
        STEP(d, "cx_store_get_string", cx_store_get_string(&id, s, CX_TABLE_CUSTOMERS, CX_CUSTOMER_ID, i));
        STEP(d, "cx_store_find", cx_store_find(&row, s, CX_TABLE_CUSTOMERS, id));
        hu64(&x, row);
        if (i % 5)
            continue;
        cx_history *hist = NULL;
        STEP(d, "cx_history_new", cx_history_new(&hist, s, id, CX_TIME_NONE, CX_TIME_NONE));
        for (size_t k = 0; k < cx_history_count(hist); k++) {
            int t = 0;
            size_t r = 0;
            cx_time when = 0;
            cx_history_table(&t, hist, k);
            cx_history_row(&r, hist, k);
            cx_history_time(&when, hist, k);
            hu64(&x, (uint64_t)t), hu64(&x, r), hu64(&x, (uint64_t)when);
        }
        cx_history_free(hist);
    }
    static const char *const event_ids[] = {"I-1", "I-7", "X-0", "X-5", "F-3", "F-9", "K-4"};
    static const cx_table event_tables[] = {CX_TABLE_INTERACTIONS, CX_TABLE_INTERACTIONS, CX_TABLE_TRANSACTIONS,
                                            CX_TABLE_TRANSACTIONS, CX_TABLE_FEEDBACK, CX_TABLE_FEEDBACK,
                                            CX_TABLE_CASES};
    for (size_t i = 0; i < sizeof event_ids / sizeof *event_ids; i++) {
        size_t row = 0;
        int rc = cx_store_find(&row, s, event_tables[i], event_ids[i]);
        hu64(&x, (uint64_t)rc), hu64(&x, rc ? 0 : row);
    }
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        size_t code = 0;
        int rc = cx_vocab_find(&code, s, (cx_vocab)v, "web");
        hu64(&x, (uint64_t)rc), hu64(&x, rc ? 0 : code);
    }
    put(d, "finds and histories", x.h);

    shared_handles own;
    const shared_handles *h = shared;
    if (!h) {
        if (make_shared(d, &own, s)) {
            free_shared(&own);
            return -1;
        }
        h = &own;
    }
    int rc = -1;
    /* queries: the shared one, one of this thread's, the agent report */
    do {
        cx_result *r = NULL;
        if (bad(d, "cx_query_run", cx_query_run(&r, h->query)))
            break;
        put(d, "cx_query_run", result_hash(r));
        put(d, "the shared query's result", result_hash(h->result));
        int q = query_result_steps(d, r, dir);
        cx_result_free(r);
        if (q || query_result_steps(d, h->result, dir))
            break;
        cx_query *own_q = NULL;
        if (bad(d, "cx_query_new", cx_query_new(&own_q, s)))
            break;
        int qrc = cx_query_add(own_q, CX_MEASURE_NPS);
        if (!qrc)
            qrc = cx_query_add(own_q, CX_MEASURE_CSAT);
        if (!qrc)
            qrc = cx_query_add(own_q, CX_MEASURE_CX_INDEX);
        if (!qrc)
            qrc = cx_query_group_by(own_q, CX_DIM_REGION);
        if (!qrc)
            qrc = cx_query_group_by_attribute(own_q, "tier");
        if (!qrc)
            qrc = cx_query_filter(own_q, CX_DIM_SEGMENT, "consumer");
        if (!qrc)
            qrc = cx_query_set_range(own_q, base_time(), as_of());
        if (!qrc)
            qrc = cx_query_run(&r, own_q);
        cx_query_free(own_q);
        if (take(d, "own query", qrc, r))
            break;
        cx_query *agent = NULL;
        if (bad(d, "cx_query_new_agent_daily", cx_query_new_agent_daily(&agent, s, 180)))
            break;
        qrc = cx_query_run(&r, agent);
        cx_query_free(agent);
        if (take(d, "agent daily", qrc, r))
            break;
        /* journeys: the shared handle, and one of this thread's by channel */
        if (journey_steps(d, h->journeys, h->funnel))
            break;
        cx_journeys *j = NULL;
        if (make_journeys(d, &j, s, CX_JOURNEYS_LEVEL_CHANNEL))
            break;
        cx_funnel *f = NULL;
        int jrc = make_funnel(d, &f, s);
        if (!jrc)
            jrc = journey_steps(d, j, f);
        cx_funnel_free(f);
        cx_journeys_free(j);
        if (jrc || lifecycle_steps(d, s, h))
            break;
        rc = 0;
    } while (0);
    if (h == &own)
        free_shared(&own);
    if (rc)
        return -1;

    /* exports of every table */
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        char path[600];
        snprintf(path, sizeof path, "%s/export-%d.csv", dir, t);
        STEP(d, "cx_export_csv", cx_export_csv(s, (cx_table)t, path, t == CX_TABLE_CASES ? 180 : 0));
        put(d, "cx_export_csv", file_hash(path));
        snprintf(path, sizeof path, "%s/export-%d.jsonl", dir, t);
        STEP(d, "cx_export_jsonl", cx_export_jsonl(s, (cx_table)t, path, -300));
        put(d, "cx_export_jsonl", file_hash(path));
    }

    /* a save of the store into a file of this thread's, loaded back; a clone */
    char db[600];
    snprintf(db, sizeof db, "%s/analysed.db", dir);
    remove(db);
    STEP(d, "cx_db_save", cx_db_save(s, db));
    cx_store *back = NULL;
    STEP(d, "cx_db_load", cx_db_load_with_allocator(&back, db, shared_alloc_fn, &shared_alloc));
    uint64_t hb = 0;
    rc = store_hash(&hb, back);
    cx_store_free(back);
    STEP(d, "store_hash of the loaded copy", rc);
    put(d, "saved and loaded", hb);
    cx_store *copy = NULL;
    STEP(d, "cx_store_clone", cx_store_clone(&copy, s));
    rc = store_hash(&hb, copy);
    cx_store_free(copy);
    STEP(d, "store_hash of the clone", rc);
    put(d, "clone", hb);
    return 0;
}

/* ---- part (a): a store per thread ------------------------------------------ */

typedef struct own_job {
    uint64_t seed;
    char dir[512];
    const cx_import_options *opts; /* shared between the threads */
    const digest *want;            /* the reference, for the threads */
    digest d;
} own_job;

static bool same_digest(digest *got, const digest *want, int round)
{
    if (got->err[0])
        return false;
    int i = 0;
    while (i < want->n && i < got->n && got->h[i] == want->h[i])
        i++;
    if (i == want->n && got->n == want->n)
        return true;
    snprintf(got->err, sizeof got->err, "round %d: step %d (%s) differs from the single-threaded reference", round,
             i, i < want->n ? want->name[i] : "(end)");
    return false;
}

/* The whole life of one store; its figures go to job->d. */
static int own_store_work(own_job *job)
{
    digest *d = &job->d;
    const char *dir = job->dir;
    cx_store *s = NULL;
    STEP(d, "cx_store_new_with_allocator", cx_store_new_with_allocator(&s, shared_alloc_fn, &shared_alloc));
    int rc = build(d, s, dir, job->seed, job->opts);
    if (!rc)
        rc = analyse(d, s, NULL, dir);
    char db[600], db2[600];
    snprintf(db, sizeof db, "%s/own.db", dir);
    snprintf(db2, sizeof db2, "%s/streamed.db", dir);
    remove(db);
    remove(db2);
    if (!rc && bad(d, "cx_db_save", cx_db_save(s, db)))
        rc = -1;
    /* more changes, appended by a second save */
    char id[64];
    snprintf(id, sizeof id, "C-%llu-later", (unsigned long long)job->seed);
    if (!rc && (bad(d, "cx_customer_add", cx_customer_add(s, id, "consumer", NULL, NULL, CX_TIME_NONE)) ||
                bad(d, "cx_transaction_add",
                    cx_transaction_add(NULL, s, "X-later", id, base_time() + 100 * DAY_MS, 12.5)) ||
                bad(d, "cx_case_update", cx_case_update(s, "K-new", base_time() + DAY_MS + HOUR_MS,
                                                         base_time() + 5 * DAY_MS, 2, 3)) ||
                bad(d, "cx_db_save", cx_db_save(s, db))))
        rc = -1;
    cx_store *back = NULL;
    uint64_t h1 = 0, h2 = 0;
    if (!rc && (bad(d, "store_hash", store_hash(&h1, s)) ||
                bad(d, "cx_db_load", cx_db_load_with_allocator(&back, db, shared_alloc_fn, &shared_alloc)) ||
                bad(d, "store_hash", store_hash(&h2, back))))
        rc = -1;
    if (!rc) {
        put(d, "after the second save", h1);
        put(d, "loaded after the second save", h2);
    }
    int version = 0;
    size_t removed = 0;
    char forget[64];
    snprintf(forget, sizeof forget, "C-%llu-7", (unsigned long long)job->seed);
    const char *ids[] = {forget};
    if (!rc && (bad(d, "cx_db_schema_version", cx_db_schema_version(&version, db)) ||
                bad(d, "cx_db_forget", cx_db_forget(&removed, db, 1, ids))))
        rc = -1;
    cx_store_free(back);
    back = NULL;
    if (!rc) {
        put(d, "schema version", (uint64_t)version);
        put(d, "cx_db_forget", removed);
        /* the file without that customer equals the store without it */
        if (bad(d, "cx_customer_forget", cx_customer_forget(&removed, s, 1, ids)) ||
            bad(d, "store_hash", store_hash(&h1, s)) ||
            bad(d, "cx_db_load", cx_db_load_with_allocator(&back, db, shared_alloc_fn, &shared_alloc)) ||
            bad(d, "store_hash", store_hash(&h2, back)))
            rc = -1;
        else if (h1 != h2)
            rc = -1, snprintf(d->err, sizeof d->err, "the file after cx_db_forget differs from the store");
    }
    cx_store_free(back);
    back = NULL;
    /* a streaming import straight into SQLite */
    char csv[600];
    snprintf(csv, sizeof csv, "%s/more_transactions.csv", dir);
    cx_import_report *rep = NULL;
    if (!rc && (bad(d, "cx_db_save", cx_db_save(s, db2)) ||
                bad(d, "cx_db_import_csv", cx_db_import_csv(&rep, db2, CX_TABLE_TRANSACTIONS, csv, job->opts)) ||
                bad(d, "cx_db_load", cx_db_load_with_allocator(&back, db2, shared_alloc_fn, &shared_alloc)) ||
                bad(d, "store_hash", store_hash(&h2, back))))
        rc = -1;
    if (!rc) {
        put(d, "streamed rows", cx_import_report_added(rep));
        put(d, "streamed", h2);
    }
    cx_import_report_free(rep);
    /* pseudonymised copy */
    static const char key[] = "a key of sixteen bytes or more";
    static const char *const attrs[] = {"tier"};
    if (!rc && (bad(d, "cx_store_pseudonymize",
                    cx_store_pseudonymize(back, key, sizeof key - 1, 1, attrs, CX_PSEUDONYMIZE_DROP_COMMENTS)) ||
                bad(d, "store_hash", store_hash(&h2, back))))
        rc = -1;
    if (!rc)
        put(d, "pseudonymised", h2);
    cx_store_free(back);
    cx_store_free(s);
    return rc;
}

static void *own_store_thread(void *arg)
{
    own_job *job = arg;
    for (int round = 0; round < OWN_ROUNDS; round++) {
        memset(&job->d, 0, sizeof job->d);
        own_store_work(job);
        if (!same_digest(&job->d, job->want, round))
            break;
    }
    return NULL;
}

static void make_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmp_dir(), name);
    ck_assert_msg(mkdir(out, 0700) == 0, "cannot create %s", out);
}

/* The digest of one run against its reference, step by step. */
static void assert_same(const digest *got, const digest *want, const char *who)
{
    ck_assert_msg(!got->err[0], "%s: %s", who, got->err);
    ck_assert_msg(got->n == want->n, "%s: %d steps, the reference has %d", who, got->n, want->n);
    for (int i = 0; i < want->n; i++)
        ck_assert_msg(got->h[i] == want->h[i], "%s: step %d (%s) differs from the single-threaded reference", who, i,
                      want->name[i]);
}

static cx_import_options *shared_options(void)
{
    cx_import_options *o = NULL;
    OK(cx_import_options_new_with_allocator(&o, shared_alloc_fn, &shared_alloc));
    OK(cx_import_options_set_create_customers(o, 1));
    OK(cx_import_options_set_existing(o, CX_EXISTING_SKIP));
    return o;
}

START_TEST(a_store_per_thread)
{
    size_t calls = shared_calls();
    cx_import_options *opts = shared_options();
    static own_job ref[THREADS], job[THREADS];
    /* the reference: each seed's work alone, one after the other */
    for (int k = 0; k < THREADS; k++) {
        char name[32];
        snprintf(name, sizeof name, "ref-%d", k);
        memset(&ref[k], 0, sizeof ref[k]);
        ref[k].seed = (uint64_t)k + 1;
        ref[k].opts = opts;
        make_dir(ref[k].dir, sizeof ref[k].dir, name);
        own_store_work(&ref[k]);
        ck_assert_msg(!ref[k].d.err[0], "reference %d: %s", k, ref[k].d.err);
        ck_assert_int_gt(ref[k].d.n, 90);
        ck_assert_int_lt(ref[k].d.n, MAX_STEPS);
    }
    /* different seeds give different stores: the threads share nothing */
    ck_assert_uint_ne(ref[0].d.h[ref[0].d.n - 1], ref[1].d.h[ref[1].d.n - 1]);
    pthread_t th[THREADS];
    for (int k = 0; k < THREADS; k++) {
        char name[32];
        snprintf(name, sizeof name, "thread-%d", k);
        memset(&job[k], 0, sizeof job[k]);
        job[k].seed = ref[k].seed;
        job[k].opts = opts;
        job[k].want = &ref[k].d;
        make_dir(job[k].dir, sizeof job[k].dir, name);
        ck_assert_int_eq(pthread_create(&th[k], NULL, own_store_thread, &job[k]), 0);
    }
    for (int k = 0; k < THREADS; k++) {
        ck_assert_int_eq(pthread_join(th[k], NULL), 0);
        char who[32];
        snprintf(who, sizeof who, "thread %d", k);
        assert_same(&job[k].d, &ref[k].d, who);
    }
    cx_import_options_free(opts);
    assert_allocator_balanced(calls);
}
END_TEST

/* ---- part (b): one store, read by every thread ----------------------------- */

typedef struct shared_job {
    const cx_store *s;
    const shared_handles *h;
    const digest *want;
    char dir[512];
    int rounds;
    digest d;
} shared_job;

static void *shared_store_thread(void *arg)
{
    shared_job *job = arg;
    for (int round = 0; round < job->rounds; round++) {
        memset(&job->d, 0, sizeof job->d);
        analyse(&job->d, job->s, job->h, job->dir);
        if (!same_digest(&job->d, job->want, round))
            break;
    }
    return NULL;
}

START_TEST(b_one_store_many_readers)
{
    /* the store: built, saved, and loaded once with the shared allocator */
    size_t calls = shared_calls();
    static own_job setup;
    memset(&setup, 0, sizeof setup);
    setup.seed = 42;
    make_dir(setup.dir, sizeof setup.dir, "setup");
    cx_store *built = NULL;
    OK(cx_store_new(&built));
    ck_assert_msg(build(&setup.d, built, setup.dir, setup.seed, NULL) == 0, "%s", setup.d.err);
    char db[600];
    snprintf(db, sizeof db, "%s/shared.db", setup.dir);
    OK(cx_db_save(built, db));
    cx_store_free(built);
    cx_store *s = NULL;
    OK(cx_db_load_with_allocator(&s, db, shared_alloc_fn, &shared_alloc));

    static shared_handles h;
    static digest want, fresh;
    memset(&want, 0, sizeof want);
    ck_assert_msg(make_shared(&want, &h, s) == 0, "%s", want.err);
    memset(&want, 0, sizeof want);
    char dir[512];
    make_dir(dir, sizeof dir, "reference");
    ck_assert_msg(analyse(&want, s, &h, dir) == 0, "%s", want.err);
    ck_assert_int_gt(want.n, 70);
    ck_assert_int_lt(want.n, MAX_STEPS);
    /* the shared handles give what fresh ones give */
    memset(&fresh, 0, sizeof fresh);
    ck_assert_msg(analyse(&fresh, s, NULL, dir) == 0, "%s", fresh.err);
    assert_same(&fresh, &want, "fresh handles");

    static shared_job job[THREADS];
    pthread_t th[THREADS];
    for (int k = 0; k < THREADS; k++) {
        char name[32];
        snprintf(name, sizeof name, "reader-%d", k);
        memset(&job[k], 0, sizeof job[k]);
        job[k] = (shared_job){s, &h, &want, "", SHARED_ROUNDS, {0}};
        make_dir(job[k].dir, sizeof job[k].dir, name);
        ck_assert_int_eq(pthread_create(&th[k], NULL, shared_store_thread, &job[k]), 0);
    }
    for (int k = 0; k < THREADS; k++)
        ck_assert_int_eq(pthread_join(th[k], NULL), 0);
    for (int k = 0; k < THREADS; k++) {
        char who[32];
        snprintf(who, sizeof who, "reader %d", k);
        assert_same(&job[k].d, &want, who);
    }
    free_shared(&h);
    cx_store_free(s);
    assert_allocator_balanced(calls);
}
END_TEST


int main(void)
{
    Suite *su = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 1200);
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tc, a_store_per_thread);
    tcase_add_test(tc, b_one_store_many_readers);
    suite_add_tcase(su, tc);
    return run_suite(su);
}
