/* Thread counts (issue 14): a CSV import, a query and the journeys give the
 * same store, result and index whatever cx_import_options_set_threads(),
 * cx_query_set_threads() and cx_journeys_options_set_threads() say. Each
 * case runs the same work with 1, 2 and 3 threads and compares every column of every table (strings byte for byte
 * with their interned codes, numbers by their bits), the reports and the
 * reject files byte for byte, every cell of the results by its bits, and
 * the error of a failed import (the first bad row by file order, the store
 * unchanged). The files are larger than one block of the import (1 MiB)
 * and the tables than one block of a query (2^18 rows), so that the worker
 * threads have work. Also run under ThreadSanitizer (tests/run-all.sh,
 * build-tsan), where a data race fails it. */
#include "cx_test.h"

#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h> /* mkfifo */
#include <unistd.h>

static const int thread_counts[] = {1, 2, 3};

/* ---- generated files ---------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        ck_assert_int_ge(k, 0);
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        b->cap = (b->cap + (size_t)k + 1) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
}

static const char *const touchpoints_csv = "name,channel,stage,kind,key,weight\n"
                                           "web,web,consideration,sales,1,1\n"
                                           "phone,phone,service,service,1,2\n"
                                           "chat,chat,service,service,0,1\n"
                                           "store,store,purchase,sales,0,1.5\n";
static const char *const tp_names[] = {"web", "phone", "chat", "store"};
static const char *const agents[] = {"Omar Haddad", "نورة", "Lee, \"Jo\"", "'=SUM(A1)", "", "Ana\nMaria"};
static const char *const kinds[] = {"contact", "visit", "message"};
static const char *const outcomes[] = {"handled", "missed", "abandoned"};

/* `n` interactions in a shuffled customer order, with quoted fields
 * (delimiters, doubled quotes, line breaks), CRLF lines, blank lines and a
 * protected formula; `bad_at` (0: none) names a row whose direction is
 * wrong, `broken_at` (0: none) one whose quotes are malformed. */
static const char *interactions_file(const char *name, const char *prefix, size_t n, size_t bad_at, size_t broken_at)
{
    sbuf b = {0};
    uint64_t seed = 14;
    put(&b, "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n");
    for (size_t i = 1; i <= n; i++) {
        uint64_t r = splitmix64(&seed);
        const char *agent = agents[r % 6];
        put(&b, "%s%zu,C-%llu,%s,2025-%02d-%02dT%02d:%02d:%02d+03:00,%s,%s,", prefix, i, (unsigned long long)(r >> 40) % 5000,
            tp_names[(r >> 8) % 4], (int)((r >> 12) % 12) + 1, (int)((r >> 16) % 28) + 1, (int)((r >> 20) % 24),
            (int)((r >> 26) % 60), (int)((r >> 32) % 60), kinds[(r >> 5) % 3],
            i == bad_at ? "sideways" : (r >> 7) % 2 ? "inbound" : "outbound");
        if (i == broken_at)
            put(&b, "\"Omar\"x");
        else if (strpbrk(agent, ",\"\n")) {
            put(&b, "\"");
            for (const char *c = agent; *c; c++)
                put(&b, *c == '"' ? "\"\"" : "%c", *c);
            put(&b, "\"");
        } else
            put(&b, "%s", agent);
        put(&b, ",,%llu,%s,%s%s", (unsigned long long)(r >> 44) % 900000,
            outcomes[(r >> 50) % 3], (r >> 52) % 2 ? "12.5" : "0", (r >> 55) % 9 == 0 ? "\r\n" : "\n");
        if ((r >> 58) % 31 == 0)
            put(&b, "\n"); /* a blank line */
    }
    const char *path = write_bytes(name, b.p, b.n);
    free(b.p);
    return path;
}

/* Feedback rating those interactions, with multi-line quoted comments. */
static const char *feedback_file(const char *name, size_t n, size_t ninter)
{
    sbuf b = {0};
    uint64_t seed = 41;
    put(&b, "customer,question,score,time,touchpoint,interaction,comment\n");
    for (size_t i = 1; i <= n; i++) {
        uint64_t r = splitmix64(&seed);
        int q = (int)(r % 3);
        put(&b, "C-%llu,%s,%d,2025-%02d-%02dT10:00:00Z,%s,", (unsigned long long)(r >> 40) % 5000,
            q == 0 ? "nps" : q == 1 ? "csat" : "ces", q == 0 ? (int)((r >> 8) % 11) : q == 1 ? (int)((r >> 8) % 5) + 1 : (int)((r >> 8) % 7) + 1,
            (int)((r >> 12) % 12) + 1, (int)((r >> 16) % 28) + 1, (r >> 20) % 3 ? "" : tp_names[(r >> 22) % 4]);
        if ((r >> 24) % 2)
            put(&b, "I-%llu", (unsigned long long)(r >> 26) % ninter + 1);
        switch ((r >> 50) % 4) {
        case 0: put(&b, ",\"Checkout failed twice, \"\"payment declined\"\"\nwith a valid card\"\n"); break;
        case 1: put(&b, ",\"\"\n"); break;
        case 2: put(&b, ",fine\n"); break;
        default: put(&b, ",\n"); break;
        }
    }
    const char *path = write_bytes(name, b.p, b.n);
    free(b.p);
    return path;
}

/* ---- comparing stores ----------------------------------------------------- */

/* Every column of every table, row by row, and every vocabulary. */
static void assert_stores_equal(const cx_store *a, const cx_store *b, const char *what)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        size_t na = store_rows(a, t), nb = store_rows(b, t), ncols;
        ck_assert_msg(na == nb, "%s: table %d has %zu rows and %zu", what, t, na, nb);
        OK(cx_column_count(&ncols, t));
        for (int c = 0; c < (int)ncols; c++) {
            int type;
            OK(cx_column_type(&type, t, c));
            for (size_t i = 0; i < na; i++) {
                if (type == CX_TYPE_REAL) {
                    double x = store_real(a, t, c, i), y = store_real(b, t, c, i);
                    ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "%s: table %d column %d row %zu: %.17g vs %.17g",
                                  what, t, c, i, x, y);
                    continue;
                }
                int64_t x, y;
                int rx = cx_store_get_int(&x, a, t, c, i), ry = cx_store_get_int(&y, b, t, c, i);
                ck_assert_int_eq(rx, ry);
                if (rx == CX_OK)
                    ck_assert_msg(x == y, "%s: table %d column %d row %zu: %lld vs %lld", what, t, c, i,
                                  (long long)x, (long long)y);
                if (type == CX_TYPE_STRING) {
                    const char *sx = store_str(a, t, c, i), *sy = store_str(b, t, c, i);
                    ck_assert_msg((!sx && !sy) || (sx && sy && strcmp(sx, sy) == 0),
                                  "%s: table %d column %d row %zu: '%s' vs '%s'", what, t, c, i, sx ? sx : "(null)",
                                  sy ? sy : "(null)");
                }
            }
        }
    }
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        size_t n = vocab_size(a, v);
        ck_assert_uint_eq(n, vocab_size(b, v));
        for (size_t i = 0; i < n; i++) {
            const char *x, *y;
            OK(cx_vocab_name(&x, a, v, i));
            OK(cx_vocab_name(&y, b, v, i));
            ck_assert_str_eq(x, y);
        }
    }
}

static void assert_reports_equal(const cx_import_report *a, const cx_import_report *b)
{
    ck_assert_uint_eq(cx_import_report_read(a), cx_import_report_read(b));
    ck_assert_uint_eq(cx_import_report_accepted(a), cx_import_report_accepted(b));
    ck_assert_uint_eq(cx_import_report_rejected(a), cx_import_report_rejected(b));
    ck_assert_uint_eq(cx_import_report_added(a), cx_import_report_added(b));
    ck_assert_uint_eq(cx_import_report_details(a), cx_import_report_details(b));
    for (size_t i = 0; i < cx_import_report_details(a); i++) {
        uint64_t la, lb;
        int ca, cb;
        const char *ra, *rb;
        OK(cx_import_report_line(&la, a, i));
        OK(cx_import_report_line(&lb, b, i));
        OK(cx_import_report_column(&ca, a, i));
        OK(cx_import_report_column(&cb, b, i));
        OK(cx_import_report_reason(&ra, a, i));
        OK(cx_import_report_reason(&rb, b, i));
        ck_assert_uint_eq(la, lb);
        ck_assert_int_eq(ca, cb);
        ck_assert_str_eq(ra, rb);
    }
}

static cx_import_options *options(int threads, int strict, const char *reject)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    OK(cx_import_options_set_strict(o, strict));
    OK(cx_import_options_set_threads(o, threads));
    OK(cx_import_options_set_reject_path(o, reject));
    return o;
}

/* ---- import ---------------------------------------------------------------- */

START_TEST(import_same_store)
{
    const char *tp = write_file("touchpoints.csv", touchpoints_csv);
    /* about 3 MiB: four blocks; rejects in the first and in a later one */
    char in[512], fb[512];
    snprintf(in, sizeof in, "%s", interactions_file("interactions.csv", "I-", 30000, 21000, 25000));
    snprintf(fb, sizeof fb, "%s", feedback_file("feedback.csv", 20000, 30000));
    cx_store *ref = NULL;
    cx_import_report *ref_rep[2] = {NULL, NULL};
    char *ref_rej[2] = {NULL, NULL};
    for (size_t k = 0; k < sizeof thread_counts / sizeof thread_counts[0]; k++) {
        cx_store *s;
        OK(cx_store_new(&s));
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
        cx_import_report_free(rep);
        const char *files[2] = {in, fb};
        const int tables[2] = {CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK};
        for (int f = 0; f < 2; f++) {
            char rej[64];
            snprintf(rej, sizeof rej, "rejects-%d-%d.csv", thread_counts[k], f);
            const char *rp = P(rej);
            cx_import_options *o = options(thread_counts[k], 0, rp);
            OK(cx_import_csv(&rep, s, tables[f], files[f], o));
            cx_import_options_free(o);
            char *text = slurp(rp, NULL);
            if (k == 0) {
                ref_rep[f] = rep;
                ref_rej[f] = text;
                ck_assert_uint_gt(cx_import_report_accepted(rep), 1000);
            } else {
                assert_reports_equal(ref_rep[f], rep);
                ck_assert_str_eq(ref_rej[f], text);
                cx_import_report_free(rep);
                free(text);
            }
        }
        /* the bad direction and the broken quotes, both past the first block */
        ck_assert_uint_eq(cx_import_report_rejected(ref_rep[0]), 2);
        if (k == 0) {
            ref = s;
            ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), 30000 - 2);
            ck_assert_uint_gt(store_rows(s, CX_TABLE_FEEDBACK), 5000);
        } else {
            assert_stores_equal(ref, s, "import");
            cx_store_free(s);
        }
    }
    for (int f = 0; f < 2; f++) {
        cx_import_report_free(ref_rep[f]);
        free(ref_rej[f]);
    }
    cx_store_free(ref);
}
END_TEST

/* A strict import that fails in its third block fails with the same message
 * whatever the thread count, and leaves the store as it was. */
START_TEST(import_error_in_later_block)
{
    const char *tp = write_file("touchpoints.csv", touchpoints_csv);
    char bad[512], broken[512], good[512];
    snprintf(good, sizeof good, "%s", interactions_file("good.csv", "G-", 3000, 0, 0));
    snprintf(bad, sizeof bad, "%s", interactions_file("bad.csv", "I-", 30000, 24000, 0));
    snprintf(broken, sizeof broken, "%s", interactions_file("broken.csv", "I-", 30000, 0, 23000));
    const char *files[2] = {bad, broken};
    for (int f = 0; f < 2; f++) {
        char ref_msg[1024] = "";
        cx_store *ref = NULL;
        for (size_t k = 0; k < sizeof thread_counts / sizeof thread_counts[0]; k++) {
            cx_store *s;
            OK(cx_store_new(&s));
            cx_import_report *rep;
            OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
            cx_import_report_free(rep);
            cx_import_options *o = options(thread_counts[k], 0, NULL);
            OK(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, good, o));
            cx_import_report_free(rep);
            cx_import_options_free(o);
            cx_store *before;
            OK(cx_store_clone(&before, s));
            o = options(thread_counts[k], 1, NULL);
            rep = (cx_import_report *)1;
            int rc = cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, files[f], o);
            ck_assert_msg(rc == (f == 0 ? CX_EINVAL : CX_EPARSE), "%d: %s", rc, cx_last_error());
            ck_assert_ptr_null(rep);
            cx_import_options_free(o);
            if (k == 0) {
                snprintf(ref_msg, sizeof ref_msg, "%s", cx_last_error());
                ck_assert_msg(strstr(ref_msg, f == 0 ? "sideways" : "closing quote") != NULL, "%s", ref_msg);
            } else {
                ck_assert_str_eq(cx_last_error(), ref_msg);
            }
            assert_stores_equal(before, s, "after a failed import");
            cx_store_free(before);
            if (k == 0)
                ref = s;
            else {
                assert_stores_equal(ref, s, "failed imports");
                cx_store_free(s);
            }
        }
        cx_store_free(ref);
    }
}
END_TEST

/* cx_test.h's checking allocator behind a lock: the import's worker
 * allocates too. */
typedef struct locked_alloc {
    pthread_mutex_t mu;
    cxt_alloc a;
} locked_alloc;

static void *locked_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    locked_alloc *l = ud;
    pthread_mutex_lock(&l->mu);
    void *r = cxt_alloc_fn(&l->a, ptr, osize, nsize);
    pthread_mutex_unlock(&l->mu);
    return r;
}

/* Allocation refused at points spread over an import with the worker (and
 * without): it fails with CX_ENOMEM and leaves the store as it was, or
 * succeeds, and nothing leaks. */
START_TEST(import_out_of_memory)
{
    const char *tp = write_file("touchpoints.csv", touchpoints_csv);
    char in[512];
    snprintf(in, sizeof in, "%s", interactions_file("interactions.csv", "I-", 15000, 0, 0));
    locked_alloc l;
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(pthread_mutex_init(&l.mu, NULL), 0);
    size_t requests = 0;
    for (int threads = 2; threads >= 1; threads--) {
        for (size_t k = 0; k <= 40; k++) {
            cx_store *s;
            OK(cx_store_new_with_allocator(&s, locked_alloc_fn, &l));
            cx_import_report *rep;
            OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
            cx_import_report_free(rep);
            cx_import_options *o = options(threads, 0, NULL);
            pthread_mutex_lock(&l.mu);
            size_t before = l.a.calls;
            if (k > 0) /* k = 0: count the requests of the whole import */
                cxt_alloc_fail_nth(&l.a, k == 1 ? 1 : 1 + (k - 1) * requests / 40, k % 2 == 0);
            pthread_mutex_unlock(&l.mu);
            int rc = cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, in, o);
            pthread_mutex_lock(&l.mu);
            if (k == 0)
                requests = l.a.calls - before;
            cxt_alloc_allow(&l.a, -1);
            pthread_mutex_unlock(&l.mu);
            cx_import_options_free(o);
            ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "%d threads, point %zu: %s", threads, k, cx_last_error());
            if (rc == CX_OK) {
                ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), 15000);
                cx_import_report_free(rep);
            } else {
                ck_assert_ptr_null(rep);
                ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), 0);
                ck_assert_uint_eq(store_rows(s, CX_TABLE_CUSTOMERS), 0);
            }
            cx_store_free(s);
            pthread_mutex_lock(&l.mu);
            cxt_alloc_done(&l.a);
            pthread_mutex_unlock(&l.mu);
        }
    }
    ck_assert_uint_gt(requests, 10);
    pthread_mutex_destroy(&l.mu);
}
END_TEST

/* ---- the import's size estimate ------------------------------------------
 *
 * From the rows of its first chunk and the file's size, an import sizes
 * the table and the hash table of its ids once, in huge pages
 * (cxi_store_reserve_ids): a hint that must change nothing. A file read
 * through a pipe has no size, so no estimate: the store must be the same
 * as from the file itself, whether the estimate was right, too low (the
 * first rows longer than the rest: the table grows past the reservation)
 * or too high, and a failed import after the reservation must leave the
 * store as it was and usable. */

/* n interactions, the first `long_rows` with a long agent name. */
static const char *sized_file(const char *name, char prefix, size_t n, size_t long_rows, size_t bad_at)
{
    sbuf b = {0};
    uint64_t seed = 7;
    char agent[301];
    memset(agent, 'a', 300);
    agent[300] = '\0';
    put(&b, "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n");
    for (size_t i = 1; i <= n; i++) {
        uint64_t r = splitmix64(&seed);
        put(&b, "%c-%llu,C-%llu,%s,2025-03-%02dT10:%02d:00Z,contact,%s,%s,,%llu,handled,0\n",
            prefix, (unsigned long long)(r >> 20), (unsigned long long)(r >> 40) % 3000, tp_names[(r >> 8) % 4],
            (int)((r >> 12) % 28) + 1, (int)((r >> 16) % 60), i == bad_at ? "sideways" : "inbound",
            i <= long_rows ? agent : "Omar", (unsigned long long)(r >> 44) % 1000);
    }
    const char *path = write_bytes(name, b.p, b.n);
    free(b.p);
    return path;
}

typedef struct fifo_feed {
    const char *fifo, *from;
} fifo_feed;

/* Writes file `from` into the pipe `fifo` (no check here: a short write
 * shows as a store unlike the reference). */
static void *feed_fifo(void *arg)
{
    const fifo_feed *ff = arg;
    FILE *f = fopen(ff->fifo, "wb"), *in = fopen(ff->from, "rb");
    char buf[65536];
    size_t got;
    while (f && in && (got = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, got, f);
    if (in)
        fclose(in);
    if (f)
        fclose(f);
    return NULL;
}

/* Imports interactions from `path` into a new store holding the
 * touchpoints, through a pipe when `piped` (no size, so no estimate). */
static cx_store *import_sized(const char *tp, const char *path, int threads, bool piped)
{
    cx_store *s;
    OK(cx_store_new(&s));
    cx_import_report *rep;
    OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
    cx_import_report_free(rep);
    cx_import_options *o = options(threads, 0, NULL);
    pthread_t th;
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s", P("pipe.csv"));
    fifo_feed ff = {fifo, path};
    if (piped) {
        unlink(ff.fifo);
        ck_assert_int_eq(mkfifo(ff.fifo, 0600), 0);
        ck_assert_int_eq(pthread_create(&th, NULL, feed_fifo, &ff), 0);
    }
    OK(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, piped ? ff.fifo : path, o));
    if (piped)
        pthread_join(th, NULL);
    ck_assert_uint_eq(cx_import_report_rejected(rep), 0);
    cx_import_report_free(rep);
    cx_import_options_free(o);
    return s;
}

START_TEST(import_estimate_changes_nothing)
{
    char tp[512]; /* P()'s paths are reused: kept here */
    snprintf(tp, sizeof tp, "%s", write_file("touchpoints.csv", touchpoints_csv));
    char exact[512], low[512], high[512], bad[512];
    /* about 2 MiB each: the estimate is made from the first 1 MiB */
    snprintf(exact, sizeof exact, "%s", sized_file("exact.csv", 'E', 25000, 0, 0));
    snprintf(low, sizeof low, "%s", sized_file("low.csv", 'L', 12000, 3000, 0));
    snprintf(high, sizeof high, "%s", sized_file("high.csv", 'H', 40000, 0, 0));
    snprintf(bad, sizeof bad, "%s", sized_file("bad.csv", 'E', 25000, 0, 24000));
    /* too high: the first chunk short rows, then long ones */
    {
        size_t la, lb;
        char *a = slurp(high, &la), *bb = slurp(low, &lb);
        char *both = malloc(la + lb);
        ck_assert_ptr_nonnull(both);
        memcpy(both, a, la);
        const char *body = strchr(bb, '\n') + 1; /* low.csv's rows without its header: long ones last */
        size_t nb = lb - (size_t)(body - bb);
        memcpy(both + la, body, nb);
        snprintf(high, sizeof high, "%s", write_bytes("high.csv", both, la + nb));
        free(a);
        free(bb);
        free(both);
    }
    const char *files[3] = {exact, low, high};
    for (int f = 0; f < 3; f++) {
        cx_store *ref = import_sized(tp, files[f], 1, true);
        for (size_t k = 0; k < sizeof thread_counts / sizeof thread_counts[0]; k++) {
            cx_store *s = import_sized(tp, files[f], thread_counts[k], false);
            assert_stores_equal(ref, s, "estimate");
            cx_store_free(s);
        }
        cx_store_free(ref);
    }
    /* a strict import that fails after the reservation: the store as it
     * was, and the same import of the good file afterwards */
    cx_store *ref = import_sized(tp, exact, 1, true);
    for (size_t k = 0; k < sizeof thread_counts / sizeof thread_counts[0]; k++) {
        cx_store *s, *before;
        OK(cx_store_new(&s));
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
        cx_import_report_free(rep);
        OK(cx_store_clone(&before, s));
        cx_import_options *o = options(thread_counts[k], 1, NULL);
        ck_assert_int_eq(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, bad, o), CX_EINVAL);
        ck_assert_msg(strstr(cx_last_error(), "line 24001") && strstr(cx_last_error(), "sideways"), "%s",
                      cx_last_error());
        assert_stores_equal(before, s, "after a failed import");
        cx_import_options_free(o);
        o = options(thread_counts[k], 0, NULL);
        OK(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, exact, o));
        cx_import_report_free(rep);
        cx_import_options_free(o);
        assert_stores_equal(ref, s, "after a failed import, the good one");
        cx_store_free(before);
        cx_store_free(s);
    }
    cx_store_free(ref);
}
END_TEST

/* ---- customers named in any order -------------------------------------------- */

/* The customer id of generated row key c: most short, some of exactly 11
 * bytes, some longer, some a formula the CSV file protects with an
 * apostrophe. */
static void customer_id(char *out, size_t cap, unsigned c)
{
    if (c % 13 == 0)
        snprintf(out, cap, "CUSTOMER-LONG-%05u", c);
    else if (c % 17 == 0)
        snprintf(out, cap, "=C%u", c);
    else if (c % 19 == 0)
        snprintf(out, cap, "K-%09u", c);
    else
        snprintf(out, cap, "C-%u", c);
}

/* The same `n` interactions (events = 0) or transactions (1) in any
 * customer order, as CSV (json = false) and as JSON Lines: 9000 customers,
 * half of them stored before (customers_file), some rows refused after
 * their new customer was created (a bad direction, a negative amount). */
static const char *events_file(const char *name, int events, size_t n, bool json)
{
    sbuf b = {0};
    uint64_t seed = 1414;
    if (!json)
        put(&b, events == 0 ? "id,customer,touchpoint,time,direction,duration_ms,outcome,value\n"
                            : "customer,time,amount\n");
    for (size_t i = 1; i <= n; i++) {
        uint64_t r = splitmix64(&seed);
        char cu[40], t[40];
        customer_id(cu, sizeof cu, (unsigned)((r >> 40) % 9000));
        snprintf(t, sizeof t, "2025-%02d-%02dT%02d:%02d:00Z", (int)((r >> 8) % 12) + 1, (int)((r >> 12) % 28) + 1,
                 (int)((r >> 16) % 24), (int)((r >> 21) % 60));
        bool bad = i % 97 == 5;
        const char *q = json ? "" : cu[0] == '=' ? "'" : ""; /* the CSV writer's protection */
        if (events == 0 && json)
            put(&b,
                "{\"id\":\"I-%zu\",\"customer\":\"%s\",\"touchpoint\":\"%s\",\"time\":\"%s\",\"direction\":\"%s\","
                "\"duration_ms\":%llu,\"outcome\":\"handled\",\"value\":%s}\n",
                i, cu, tp_names[(r >> 27) % 4], t, bad ? "sideways" : "inbound", (unsigned long long)(r >> 50),
                (r >> 30) % 2 ? "12.5" : "0");
        else if (events == 0)
            put(&b, "I-%zu,%s%s,%s,%s,%s,%llu,handled,%s\n", i, q, cu, tp_names[(r >> 27) % 4], t,
                bad ? "sideways" : "inbound", (unsigned long long)(r >> 50), (r >> 30) % 2 ? "12.5" : "0");
        else if (json)
            put(&b, "{\"customer\":\"%s\",\"time\":\"%s\",\"amount\":%s%llu}\n", cu, t, bad ? "-" : "",
                (unsigned long long)(r >> 52));
        else
            put(&b, "%s%s,%s,%s%llu\n", q, cu, t, bad ? "-" : "", (unsigned long long)(r >> 52));
    }
    const char *path = write_bytes(name, b.p, b.n);
    free(b.p);
    return path;
}

static const char *customers_file(const char *name)
{
    sbuf b = {0};
    put(&b, "id,segment\n");
    for (unsigned c = 0; c < 9000; c += 2) {
        char cu[40];
        customer_id(cu, sizeof cu, c);
        put(&b, "%s%s,smb\n", cu[0] == '=' ? "'" : "", cu);
    }
    const char *path = write_bytes(name, b.p, b.n);
    free(b.p);
    return path;
}

/* Rows in any order naming 9000 customers, half of them stored before,
 * through the CSV import's keys read ahead (issue 14): the store is the one
 * a JSON Lines import of the same rows makes, with any thread count, with
 * customers created from the rows (some taken back with their refused row)
 * and without. */
START_TEST(import_customers_any_order_same_store)
{
    char tp[512], cu[512], csv[2][512], json[2][512];
    snprintf(tp, sizeof tp, "%s", write_file("touchpoints.csv", touchpoints_csv));
    snprintf(cu, sizeof cu, "%s", customers_file("customers.csv"));
    for (int e = 0; e < 2; e++) {
        char name[64];
        snprintf(name, sizeof name, "events-%d.csv", e);
        snprintf(csv[e], sizeof csv[e], "%s", events_file(name, e, e == 0 ? 40000 : 30000, false));
        snprintf(name, sizeof name, "events-%d.jsonl", e);
        snprintf(json[e], sizeof json[e], "%s", events_file(name, e, e == 0 ? 40000 : 30000, true));
    }
    static const int tables[2] = {CX_TABLE_INTERACTIONS, CX_TABLE_TRANSACTIONS};
    for (int create = 0; create < 2; create++) {
        cx_store *ref = NULL;
        uint64_t counts[2][3];
        for (int k = -1; k < 3; k++) { /* -1: JSON Lines, the reference */
            cx_store *s;
            OK(cx_store_new(&s));
            cx_import_report *rep;
            OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
            cx_import_report_free(rep);
            OK(cx_import_csv(&rep, s, CX_TABLE_CUSTOMERS, cu, NULL));
            ck_assert_uint_eq(cx_import_report_accepted(rep), 4500);
            cx_import_report_free(rep);
            for (int e = 0; e < 2; e++) {
                cx_import_options *o = options(k < 0 ? 1 : thread_counts[k], 0, NULL);
                OK(cx_import_options_set_create_customers(o, create));
                if (k < 0)
                    OK(cx_import_jsonl(&rep, s, tables[e], json[e], o));
                else
                    OK(cx_import_csv(&rep, s, tables[e], csv[e], o));
                cx_import_options_free(o);
                uint64_t c[3] = {cx_import_report_accepted(rep), cx_import_report_rejected(rep),
                                 cx_import_report_added(rep)};
                cx_import_report_free(rep);
                if (k < 0) {
                    memcpy(counts[e], c, sizeof c);
                    /* without creating customers, about half the rows name none stored */
                    ck_assert_uint_gt(c[1], create ? 300 : 10000);
                    ck_assert_uint_gt(c[0], 10000);
                } else {
                    ck_assert_uint_eq(c[0], counts[e][0]);
                    ck_assert_uint_eq(c[1], counts[e][1]);
                    ck_assert_uint_eq(c[2], counts[e][2]);
                }
            }
            if (k < 0) {
                ref = s;
                if (create)
                    ck_assert_uint_gt(store_rows(s, CX_TABLE_CUSTOMERS), 8900);
            } else {
                assert_stores_equal(ref, s, "customers in any order");
                cx_store_free(s);
            }
        }
        cx_store_free(ref);
    }
}
END_TEST

/* ---- fields converted by the reader ---------------------------------------- */

/* Times and numbers in every form, which the CSV import's reader converts
 * ahead when they are in a common one (cxi_import_preparse) and leaves to
 * the storing thread otherwise: good ones, ones the fast forms pass over
 * (fractions, 19 digits, a '+', exponents) and bad ones. */
static const char *const pre_times[] = {
    "2025-03-01T10:00:00Z", "2025-03-01T10:00:00z", "2024-02-29T23:59:59+14:00", "1999-12-31T00:00:00-12:00",
    "2025-03-01T10:00:00+05:30", "2025-03-01T10:00:00-00:30", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z", "2100-02-28T12:00:00Z", "1700000000", "1700000000.5", "-5.25",
    "2025-03-01T10:00:00.123Z", "2025-03-01", "2025-02-29T10:00:00Z", "2025-13-01T00:00:00Z",
    "2025-03-01T10:00:00+24:00", "2025-03-01T10:00:00+05:60", "2025-03-01T24:00:00Z", "2025-03-01T10:00:00",
    "2025-03-01T10:00:00Zx", "'2025-03-01T10:00:00Z", "yesterday"};
static const char *const pre_ints[] = {"0", "7", "123456789012345678", "1234567890123456789", "99999999999999999999",
                                       "+5", " 5", "5x", "-3", "00012", "2147483648", "-"};
static const char *const pre_reals[] = {"12.5", "-0", "-0.0", "0.1", "1e3", "123456789012345", "1234567890123456",
                                        ".5", "5.", "0.000000000000001", "-", "abc", "1.5e-300", "007.25"};
#define NPT (sizeof pre_times / sizeof pre_times[0])
#define NPI (sizeof pre_ints / sizeof pre_ints[0])
#define NPR (sizeof pre_reals / sizeof pre_reals[0])

/* `n` interactions (time, duration, value) and cases (opened, resolved,
 * reopens, contacts) cycling through those forms at different strides, as
 * CSV or as JSON Lines of the same texts (the reference: its rows take the
 * storing thread's conversions alone). */
static const char *pre_file(const char *name, int table, size_t n, bool json)
{
    sbuf b = {0};
    if (!json)
        put(&b, table == CX_TABLE_INTERACTIONS ? "id,customer,touchpoint,time,duration_ms,value\n"
                                               : "id,customer,channel,opened,resolved,reopens,contacts\n");
    for (size_t i = 0; i < n; i++) {
        const char *t1 = pre_times[i % NPT], *t2 = pre_times[(i / 3 + 5) % NPT];
        if (table == CX_TABLE_INTERACTIONS) {
            const char *d = pre_ints[(i / 2) % NPI], *v = pre_reals[(i / 5) % NPR];
            if (json)
                put(&b, "{\"id\":\"I-%zu\",\"customer\":\"C-%zu\",\"touchpoint\":\"web\",\"time\":\"%s\",\"duration_ms\":"
                        "\"%s\",\"value\":\"%s\"}\n", i, i % 997, t1, d, v);
            else
                put(&b, "I-%zu,C-%zu,web,%s,%s,%s\n", i, i % 997, t1, d, v);
        } else {
            const char *r = pre_ints[(i / 4) % NPI], *c = pre_ints[(i / 7) % NPI];
            if (json)
                put(&b, "{\"id\":\"K-%zu\",\"customer\":\"C-%zu\",\"channel\":\"web\",\"opened\":\"%s\",\"resolved\":"
                        "\"%s\",\"reopens\":\"%s\",\"contacts\":\"%s\"}\n", i, i % 997, t1, t2, r, c);
            else
                put(&b, "K-%zu,C-%zu,web,%s,%s,%s,%s\n", i, i % 997, t1, t2, r, c);
        }
    }
    const char *path = write_bytes(name, b.p, b.n);
    free(b.p);
    return path;
}

/* The store a CSV import makes with any thread count, its fields converted
 * by the reader, is the one a JSON Lines import of the same texts makes,
 * with the same rows refused for the same reasons; a protected value is
 * converted by the storing thread, after its quote is taken off. */
START_TEST(import_converted_ahead_same_store)
{
    char tp[512], csv[2][512], json[2][512];
    snprintf(tp, sizeof tp, "%s", write_file("touchpoints.csv", touchpoints_csv));
    static const int tables[2] = {CX_TABLE_CASES, CX_TABLE_INTERACTIONS};
    for (int e = 0; e < 2; e++) { /* the cases first: an interaction may name one */
        char name[64];
        snprintf(name, sizeof name, "pre-%d.csv", e);
        snprintf(csv[e], sizeof csv[e], "%s", pre_file(name, tables[e], 40000, false)); /* over 2 MiB */
        snprintf(name, sizeof name, "pre-%d.jsonl", e);
        snprintf(json[e], sizeof json[e], "%s", pre_file(name, tables[e], 40000, true));
    }
    cx_store *ref = NULL;
    cx_import_report *ref_rep[2] = {NULL, NULL};
    for (int k = -1; k < 3; k++) { /* -1: JSON Lines, the reference */
        cx_store *s;
        OK(cx_store_new(&s));
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
        cx_import_report_free(rep);
        for (int e = 0; e < 2; e++) {
            cx_import_options *o = options(k < 0 ? 1 : thread_counts[k], 0, NULL);
            if (k < 0)
                OK(cx_import_jsonl(&rep, s, tables[e], json[e], o));
            else
                OK(cx_import_csv(&rep, s, tables[e], csv[e], o));
            cx_import_options_free(o);
            if (k < 0) {
                ref_rep[e] = rep;
                ck_assert_uint_gt(cx_import_report_accepted(rep), 1000);
                ck_assert_uint_gt(cx_import_report_rejected(rep), 1000);
                continue;
            }
            ck_assert_uint_eq(cx_import_report_read(rep), cx_import_report_read(ref_rep[e]));
            ck_assert_uint_eq(cx_import_report_accepted(rep), cx_import_report_accepted(ref_rep[e]));
            ck_assert_uint_eq(cx_import_report_rejected(rep), cx_import_report_rejected(ref_rep[e]));
            ck_assert_uint_eq(cx_import_report_details(rep), cx_import_report_details(ref_rep[e]));
            for (size_t i = 0; i < cx_import_report_details(rep); i++) {
                const char *ra, *rb;
                uint64_t la, lb;
                OK(cx_import_report_reason(&ra, ref_rep[e], i));
                OK(cx_import_report_reason(&rb, rep, i));
                ck_assert_str_eq(ra, rb);
                OK(cx_import_report_line(&la, ref_rep[e], i));
                OK(cx_import_report_line(&lb, rep, i));
                ck_assert_uint_eq(la + 1, lb); /* the CSV header is line 1 */
            }
            cx_import_report_free(rep);
        }
        if (k < 0)
            ref = s;
        else {
            assert_stores_equal(ref, s, "fields converted ahead");
            cx_store_free(s);
        }
    }
    /* the forms, as stored */
    size_t row;
    int64_t v;
    double d;
    int c_time, c_dur, c_val;
    OK(cx_column_find(&c_time, CX_TABLE_INTERACTIONS, "time"));
    OK(cx_column_find(&c_dur, CX_TABLE_INTERACTIONS, "duration_ms"));
    OK(cx_column_find(&c_val, CX_TABLE_INTERACTIONS, "value"));
    OK(cx_store_find(&row, ref, CX_TABLE_INTERACTIONS, "I-2")); /* +14:00, "7", "12.5" */
    OK(cx_store_get_int(&v, ref, CX_TABLE_INTERACTIONS, c_time, row));
    ck_assert_int_eq(v, (int64_t)(19782 * 86400 + 23 * 3600 + 59 * 60 + 59 - 14 * 3600) * 1000);
    OK(cx_store_get_int(&v, ref, CX_TABLE_INTERACTIONS, c_dur, row));
    ck_assert_int_eq(v, 7);
    OK(cx_store_find(&row, ref, CX_TABLE_INTERACTIONS, "I-11")); /* 1700000000.5 */
    OK(cx_store_get_int(&v, ref, CX_TABLE_INTERACTIONS, c_time, row));
    ck_assert_int_eq(v, 1700000000500);
    cx_import_report_free(ref_rep[0]);
    cx_import_report_free(ref_rep[1]);
    cx_store_free(ref);
    /* a protected value: the reader passes it over, the storing thread
     * takes the quote off and converts it */
    for (size_t k = 0; k < sizeof thread_counts / sizeof thread_counts[0]; k++) {
        cx_store *s;
        OK(cx_store_new(&s));
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, CX_TABLE_TOUCHPOINTS, tp, NULL));
        cx_import_report_free(rep);
        const char *f = write_file("protected.csv", "id,customer,touchpoint,time,value\n"
                                                    "P-1,C-1,web,2025-03-01T10:00:00Z,'-0.5\n");
        cx_import_options *o = options(thread_counts[k], 1, NULL);
        OK(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, f, o));
        cx_import_options_free(o);
        cx_import_report_free(rep);
        OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, "P-1"));
        d = store_real(s, CX_TABLE_INTERACTIONS, c_val, row);
        ck_assert(d == -0.5);
        cx_store_free(s);
    }
}
END_TEST

START_TEST(threads_arguments)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    FAILS(cx_import_options_set_threads(NULL, 1), CX_EINVAL, "cx_import_options_set_threads");
    FAILS(cx_import_options_set_threads(o, -1), CX_EINVAL, "cx_import_options_set_threads");
    FAILS(cx_import_options_set_threads(o, 1025), CX_EINVAL, "cx_import_options_set_threads");
    OK(cx_import_options_set_threads(o, 0));
    OK(cx_import_options_set_threads(o, 1024));
    cx_import_options_free(o);
    cx_store *s = sample_store();
    cx_query *q;
    OK(cx_query_new(&q, s));
    FAILS(cx_query_set_threads(NULL, 1), CX_EINVAL, "cx_query_set_threads");
    FAILS(cx_query_set_threads(q, -1), CX_EINVAL, "cx_query_set_threads");
    FAILS(cx_query_set_threads(q, 1025), CX_EINVAL, "cx_query_set_threads");
    OK(cx_query_set_threads(q, 0)); /* every core */
    OK(cx_query_add(q, CX_MEASURE_NPS));
    cx_result *r;
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    cx_result_free(r);
    cx_query_free(q);
    cx_journeys_options *jo;
    OK(cx_journeys_options_new(&jo, s));
    FAILS(cx_journeys_options_set_threads(NULL, 1), CX_EINVAL, "cx_journeys_options_set_threads");
    FAILS(cx_journeys_options_set_threads(jo, -1), CX_EINVAL, "cx_journeys_options_set_threads");
    FAILS(cx_journeys_options_set_threads(jo, 1025), CX_EINVAL, "cx_journeys_options_set_threads");
    OK(cx_journeys_options_set_threads(jo, 1024));
    OK(cx_journeys_options_set_threads(jo, 0)); /* every core */
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, jo)); /* a small store: one part whatever the count */
    ck_assert_uint_gt(cx_journeys_count(j), 0);
    cx_journeys_free(j);
    cx_journeys_options_free(jo);
    cx_store_free(s);
}
END_TEST

/* ---- queries ---------------------------------------------------------------- */

/* Every cell, doubles by their bits. */
static void assert_results_equal(const cx_result *a, const cx_result *b, const char *what)
{
    size_t rows = cx_result_row_count(a), cols = cx_result_column_count(a);
    ck_assert_uint_eq(rows, cx_result_row_count(b));
    ck_assert_uint_eq(cols, cx_result_column_count(b));
    for (size_t c = 0; c < cols; c++) {
        int ta, tb;
        OK(cx_result_column_type(&ta, a, c));
        OK(cx_result_column_type(&tb, b, c));
        ck_assert_int_eq(ta, tb);
        for (size_t i = 0; i < rows; i++) {
            if (ta == CX_TYPE_STRING) {
                const char *x, *y;
                OK(cx_result_get_string(&x, a, i, c));
                OK(cx_result_get_string(&y, b, i, c));
                ck_assert_msg((!x && !y) || (x && y && strcmp(x, y) == 0), "%s: row %zu column %zu", what, i, c);
            } else if (ta == CX_TYPE_REAL) {
                double x, y;
                OK(cx_result_get_real(&x, a, i, c));
                OK(cx_result_get_real(&y, b, i, c));
                ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "%s: row %zu column %zu: %.17g vs %.17g", what, i, c, x,
                              y);
            } else {
                int64_t x, y;
                int rx = cx_result_get_int(&x, a, i, c), ry = cx_result_get_int(&y, b, i, c);
                ck_assert_int_eq(rx, ry);
                ck_assert_msg(rx != CX_OK || x == y, "%s: row %zu column %zu", what, i, c);
            }
        }
    }
}

typedef void (*query_setup)(cx_query *q, const cx_calendar *cal);

static void q_everything(cx_query *q, const cx_calendar *cal)
{
    for (int m = 0; m < CX_MEASURE_COUNT; m++)
        OK(cx_query_add(q, (cx_measure)m));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_group_by(q, CX_DIM_AGENT));
    OK(cx_query_set_fcr_rule(q, 1, 0, 3 * DAY_MS));
    OK(cx_query_set_sla(q, NULL, NULL, HOUR_MS, DAY_MS));
}

static void q_by_month(cx_query *q, const cx_calendar *cal)
{
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    OK(cx_query_add(q, CX_MEASURE_HANDLE_TIME));
    OK(cx_query_group_by_time(q, CX_BUCKET_MONTH, 180));
    OK(cx_query_group_by(q, CX_DIM_PRIORITY));
    OK(cx_query_set_calendar(q, cal));
}

static void q_whole(cx_query *q, const cx_calendar *cal)
{
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_add(q, CX_MEASURE_FIRST_RESPONSE));
    OK(cx_query_add(q, CX_MEASURE_CX_INDEX));
    OK(cx_query_filter(q, CX_DIM_CHANNEL, "phone"));
    OK(cx_query_filter(q, CX_DIM_CHANNEL, "chat"));
}

static void assert_queries_agree(const cx_store *s, const char *what)
{
    cx_calendar *cal;
    OK(cx_calendar_new(&cal, 180));
    for (int d = 1; d <= 5; d++)
        OK(cx_calendar_add_hours(cal, d, 8 * 60, 17 * 60));
    static const query_setup setups[] = {q_everything, q_by_month, q_whole};
    for (size_t k = 0; k < sizeof setups / sizeof setups[0]; k++) {
        cx_result *ref = NULL;
        for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
            cx_query *q;
            OK(cx_query_new(&q, s));
            setups[k](q, cal);
            OK(cx_query_set_threads(q, thread_counts[t]));
            cx_result *r;
            OK(cx_query_run(&r, q));
            cx_query_free(q);
            ck_assert_uint_gt(cx_result_row_count(r), 0);
            if (!ref) {
                ref = r;
                continue;
            }
            assert_results_equal(ref, r, what);
            cx_result_free(r);
        }
        cx_result_free(ref);
    }
    cx_calendar_free(cal);
}

/* More cases and answers than one block of a query (2^18 rows). */
START_TEST(query_generated)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "phone", "phone", "service", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "chat", "chat", "service", NULL, 0, 1));
    /* a new store knows the questions nps (0-10), csat (1-5) and ces (1-7) */
    static const char *const pri[] = {"low", "normal", "high", "urgent"};
    static const char *const ch[] = {"web", "phone", "chat"};
    static const char *const qs[] = {"nps", "csat", "ces"};
    static const char *const ag[] = {"A", "B", "C", "D", "E", "F", NULL};
    uint64_t seed = 2614;
    char id[32], cu[32], in[32];
    for (int c = 0; c < 3000; c++) {
        snprintf(cu, sizeof cu, "C-%d", c);
        OK(cx_customer_add(s, cu, NULL, NULL, NULL, CX_TIME_NONE));
    }
    cx_time t0 = T("2024-01-01T00:00:00Z");
    const size_t ncases = 300000, nint = 40000, nfb = 280000;
    for (size_t i = 0; i < ncases; i++) {
        uint64_t r = splitmix64(&seed);
        snprintf(id, sizeof id, "T-%zu", i);
        snprintf(cu, sizeof cu, "C-%llu", (unsigned long long)(r % 3000));
        cx_time op = t0 + (cx_time)((r >> 12) % (700 * DAY_MS / 1000)) * 1000;
        cx_time fr = (r >> 50) % 5 ? op + (cx_time)((r >> 20) % 100000) * 1000 : CX_TIME_NONE;
        cx_time rs = (r >> 53) % 4 ? op + 100000000 + (cx_time)((r >> 24) % 900000) * 1000 : CX_TIME_NONE;
        OK(cx_case_add(s, id, cu, ch[(r >> 4) % 3], pri[(r >> 6) % 4], ag[(r >> 8) % 7], op, fr, rs,
                       (int)((r >> 56) % 3 == 0), (int)((r >> 58) % 4) + 1));
    }
    static uint32_t cust_of[40000];
    for (size_t i = 0; i < nint; i++) {
        uint64_t r = splitmix64(&seed);
        snprintf(id, sizeof id, "I-%zu", i);
        cust_of[i] = (uint32_t)(r % 3000);
        snprintf(cu, sizeof cu, "C-%llu", (unsigned long long)(r % 3000));
        OK(cx_interaction_add(NULL, s, id, cu, ch[(r >> 4) % 3], t0 + (cx_time)((r >> 12) % 60000000) * 1000,
                              (r >> 40) % 3 ? "contact" : "visit", (r >> 43) % 2 ? CX_INBOUND : CX_OUTBOUND,
                              ag[(r >> 8) % 7], NULL, (int64_t)((r >> 30) % 600000), (cx_outcome)((r >> 45) % 3), 0));
    }
    for (size_t i = 0; i < nfb; i++) {
        uint64_t r = splitmix64(&seed);
        int q = (int)(r % 3);
        double score = q == 0 ? (double)((r >> 8) % 11) : q == 1 ? (double)((r >> 8) % 5 + 1) : (double)((r >> 8) % 7 + 1);
        size_t rated = (size_t)((r >> 32) % nint);
        bool linked = (r >> 59) % 2;
        snprintf(cu, sizeof cu, "C-%llu", linked ? (unsigned long long)cust_of[rated] : (unsigned long long)((r >> 16) % 3000));
        snprintf(in, sizeof in, "I-%zu", rated);
        OK(cx_feedback_add(NULL, s, NULL, cu, qs[q], score, t0 + (cx_time)((r >> 20) % 60000000) * 1000,
                           (r >> 56) % 2 ? NULL : ch[(r >> 57) % 3], linked ? in : NULL, NULL, NULL));
    }
    assert_queries_agree(s, "generated");
    cx_store_free(s);
}
END_TEST

START_TEST(query_demo)
{
    cx_store *s;
    OK(cx_store_new(&s));
    static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                                CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};
    cx_store *piped;
    OK(cx_store_new(&piped));
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        OK(cx_table_name(&name, order[i]));
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.csv", CXKIT_DEMO_DATA, name);
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, order[i], path, NULL));
        cx_import_report_free(rep);
        cx_import_options *o = options(2, 0, NULL);
        OK(cx_import_csv(&rep, piped, order[i], path, o));
        cx_import_report_free(rep);
        cx_import_options_free(o);
    }
    assert_stores_equal(s, piped, "demo import");
    cx_store_free(piped);
    assert_queries_agree(s, "demo");
    cx_store_free(s);
}
END_TEST

/* ---- journeys --------------------------------------------------------------
 *
 * cx_journeys_new() cuts its passes into parts, one a thread: the rows into
 * ranges for the pass into buckets, the buckets and the customers into
 * ranges of about the same number of events. The index must be the same
 * whatever the count: every table of the analyses is compared cell by cell
 * (doubles by their bits) with one thread's, for interactions added in no
 * order (many at the same second, so that runs of ties fall in every part)
 * and in customer and time order, with times in whole seconds and in
 * milliseconds over two years (64-bit times in the index), with the default
 * options and with a gap boundary, channel level and merged repeats. */

#define J_CUSTOMERS 4000
#define J_EVENTS 120000 /* past 3 parts of 16384 events, 8 buckets of customers */

/* A store of J_EVENTS interactions: in no order unless `sorted`; times in
 * whole seconds over a month, or (`wide`) in milliseconds over two years. */
static cx_store *journey_store(bool sorted, bool wide, cx_alloc_fn alloc, void *ud)
{
    cx_store *s;
    if (alloc)
        OK(cx_store_new_with_allocator(&s, alloc, ud));
    else
        OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "ads", "web", "awareness", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "phone", "phone", "service", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "store", "store", "purchase", NULL, 0, 1));
    static const char *const tps[] = {"web", "ads", "phone", "store"};
    static const char *const jkinds[] = {"visit", "contact", "purchase", "delivery"};
    char id[32], cu[32];
    for (int c = 0; c < J_CUSTOMERS; c++) {
        snprintf(cu, sizeof cu, "C-%04d", c);
        OK(cx_customer_add(s, cu, NULL, NULL, NULL, CX_TIME_NONE));
    }
    /* each event's customer and time from its number, in either order */
    cx_time t0 = T(wide ? "1970-01-02T00:00:00Z" : "2025-03-01T00:00:00Z");
    uint64_t seed = 1406;
    for (size_t i = 0; i < J_EVENTS; i++) {
        size_t k = sorted ? i : (size_t)((i * 7919u + 13) % J_EVENTS); /* 7919 is prime to J_EVENTS */
        uint64_t r = splitmix64(&seed);
        int c = (int)(k / (J_EVENTS / J_CUSTOMERS));
        /* within a customer: steps of a minute, 1 in 4 at the same second
         * as the one before, and 3 hours between every 7 */
        size_t step = k % (J_EVENTS / J_CUSTOMERS);
        cx_time t = wide ? t0 + (cx_time)step * 63113904000LL / 30 + (cx_time)(c % 997)
                         : t0 + (cx_time)(step - step / 4) * 60000 + (cx_time)(step / 7) * 3 * 3600000 +
                               (cx_time)c * 1000;
        snprintf(id, sizeof id, "I-%zu", k);
        snprintf(cu, sizeof cu, "C-%04d", c);
        const char *kind = jkinds[r % 4];
        OK(cx_interaction_add(NULL, s, id, cu, tps[(r >> 4) % 4], t, kind, (r >> 8) % 2 ? CX_INBOUND : CX_OUTBOUND,
                              NULL, NULL, 0, (r >> 12) % 5 ? CX_HANDLED : CX_MISSED,
                              strcmp(kind, "purchase") == 0 ? (double)((r >> 16) % 10000) / 100 : 0));
    }
    return s;
}

typedef int (*journey_table)(cx_result **out, const cx_journeys *j);
static int j_paths(cx_result **out, const cx_journeys *j) { return cx_journeys_paths(out, j, 1000000); }
static int j_trans1(cx_result **out, const cx_journeys *j) { return cx_journeys_transitions(out, j, 1); }
static int j_trans2(cx_result **out, const cx_journeys *j) { return cx_journeys_transitions(out, j, 2); }
static int j_attr1(cx_result **out, const cx_journeys *j) { return cx_journeys_attribution(out, j, 1); }
static int j_attr2(cx_result **out, const cx_journeys *j) { return cx_journeys_attribution(out, j, 2); }
static int j_steps(cx_result **out, const cx_journeys *j) { return cx_journeys_step_matrix(out, j, 6); }
static const journey_table journey_tables[] = {cx_journeys_list, j_paths, j_trans1, j_trans2, j_attr1, j_attr2,
                                               j_steps, cx_journeys_stages, cx_journeys_customer_stages,
                                               cx_journeys_pain_points};

/* The journeys of s on `threads` threads (options set by `gap`). */
static cx_journeys *journeys_on(const cx_store *s, int threads, bool gap)
{
    cx_journeys_options *o;
    OK(cx_journeys_options_new(&o, s));
    if (gap) {
        OK(cx_journeys_options_set_level(o, CX_JOURNEYS_LEVEL_CHANNEL));
        OK(cx_journeys_options_set_collapse(o, 1));
        OK(cx_journeys_options_set_boundary(o, CX_JOURNEYS_BOUNDARY_GAP));
        OK(cx_journeys_options_set_gap(o, 2LL * 3600000));
        OK(cx_journeys_options_set_conversion_in_path(o, 1));
    }
    OK(cx_journeys_options_set_threads(o, threads));
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, o));
    cx_journeys_options_free(o);
    return j;
}

static void assert_journeys_agree(const cx_store *s, const char *what)
{
    for (int gap = 0; gap < 2; gap++) {
        cx_journeys *ref = journeys_on(s, 1, gap);
        ck_assert_uint_gt(cx_journeys_count(ref), J_CUSTOMERS);
        ck_assert_uint_gt(cx_journeys_conversion_count(ref), 0);
        for (size_t t = 1; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
            cx_journeys *j = journeys_on(s, thread_counts[t], gap);
            ck_assert_uint_eq(cx_journeys_count(j), cx_journeys_count(ref));
            ck_assert_uint_eq(cx_journeys_conversion_count(j), cx_journeys_conversion_count(ref));
            ck_assert_uint_eq(cx_journeys_byte_count(j), cx_journeys_byte_count(ref));
            for (size_t k = 0; k < sizeof journey_tables / sizeof journey_tables[0]; k++) {
                cx_result *a, *b;
                OK(journey_tables[k](&a, ref));
                OK(journey_tables[k](&b, j));
                char msg[160];
                snprintf(msg, sizeof msg, "%s, %s, %d threads, table %zu", what, gap ? "gap" : "defaults",
                         thread_counts[t], k);
                ck_assert(k > 0 || cx_result_row_count(a) > 0);
                assert_results_equal(a, b, msg);
                cx_result_free(a);
                cx_result_free(b);
            }
            cx_journeys_free(j);
        }
        cx_journeys_free(ref);
    }
}

START_TEST(journeys_same_index)
{
    static const struct {
        bool sorted, wide;
        const char *what;
    } cases[] = {{false, false, "no order, seconds"},
                 {true, false, "sorted, seconds"},
                 {false, true, "no order, 64-bit times"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cx_store *s = journey_store(cases[k].sorted, cases[k].wide, NULL, NULL);
        assert_journeys_agree(s, cases[k].what);
        cx_store_free(s);
    }
}
END_TEST

/* Allocation refused at every request of a build on 3 threads (the ties'
 * scratch is allocated in the parts, from their threads), for rows in no
 * order and in customer and time order: CX_ENOMEM and nothing leaks, or
 * the same journeys as one thread's. */
START_TEST(journeys_out_of_memory)
{
    locked_alloc l;
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(pthread_mutex_init(&l.mu, NULL), 0);
    cx_store *s = journey_store(_i == 1, false, locked_alloc_fn, &l);
    cx_journeys *ref = journeys_on(s, 1, false);
    cx_result *ra;
    OK(cx_journeys_paths(&ra, ref, 1000000));
    bool failed_once = false;
    for (size_t k = 1;; k++) {
        cx_journeys_options *o;
        OK(cx_journeys_options_new(&o, s));
        OK(cx_journeys_options_set_threads(o, 3));
        pthread_mutex_lock(&l.mu);
        cxt_alloc_fail_nth(&l.a, k, false);
        pthread_mutex_unlock(&l.mu);
        cx_journeys *j = (cx_journeys *)1;
        int rc = cx_journeys_new(&j, s, o);
        pthread_mutex_lock(&l.mu);
        bool refused = l.a.fail_at <= l.a.calls;
        cxt_alloc_allow(&l.a, -1);
        pthread_mutex_unlock(&l.mu);
        cx_journeys_options_free(o);
        if (rc == CX_OK) { /* a refusal the build could do without, or none: past the last request */
            cx_result *rb;
            OK(cx_journeys_paths(&rb, j, 1000000));
            assert_results_equal(ra, rb, "after a refusal");
            cx_result_free(rb);
            cx_journeys_free(j);
            if (!refused)
                break;
            continue;
        }
        ck_assert_msg(rc == CX_ENOMEM, "request %zu: %d %s", k, rc, cx_last_error());
        ck_assert_ptr_null(j);
        ck_assert_msg(strstr(cx_last_error(), "cx_journeys_new") != NULL, "%s", cx_last_error());
        failed_once = true;
        ck_assert_uint_lt(k, 1000);
    }
    ck_assert(failed_once);
    cx_result_free(ra);
    cx_journeys_free(ref);
    cx_store_free(s);
    pthread_mutex_lock(&l.mu);
    ck_assert_uint_eq(l.a.live, 0);
    ck_assert_uint_eq(l.a.bad, 0);
    pthread_mutex_unlock(&l.mu);
    pthread_mutex_destroy(&l.mu);
}
END_TEST

/* A path table's Markov attribution on 1, 2 and 3 threads
 * (cx_paths_set_threads): 60 channels wandering at order 2, a chain of
 * more states than the dense solve takes, so the removals are iterated
 * eight at a time and the groups shared out among the threads. The same
 * table, bit for bit. */
START_TEST(paths_attribution_same_table)
{
    cx_paths *p;
    OK(cx_paths_new(&p));
    uint64_t x = 3;
    static char path[50 * 8];
    for (int r = 0; r < 100; r++) {
        double conv = (double)(splitmix64(&x) % 3), nulls = (double)(1 + splitmix64(&x) % 4);
        char *w = path;
        for (int k = 0; k < 50; k++)
            w += sprintf(w, k ? ">c%d" : "c%d", (int)(splitmix64(&x) % 60));
        OK(cx_paths_add(p, path, ">", conv, nulls, conv * 12.5));
    }
    cx_result *ref;
    OK(cx_paths_attribution(&ref, p, 2));
    ck_assert_uint_eq(cx_result_row_count(ref), 60);
    for (size_t t = 1; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        OK(cx_paths_set_threads(p, thread_counts[t]));
        cx_result *r;
        OK(cx_paths_attribution(&r, p, 2));
        char msg[64];
        snprintf(msg, sizeof msg, "paths, order 2, %d threads", thread_counts[t]);
        assert_results_equal(ref, r, msg);
        cx_result_free(r);
    }
    cx_result_free(ref);
    cx_paths_free(p);
}
END_TEST

static Suite *suite(void)
{
    /* two cases of about the same time under ThreadSanitizer, which
     * tests/meson.build runs as two tests (CK_RUN_CASE), side by side */
    Suite *su = suite_create("parallel");
    TCase *tc = tcase_create("import");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, threads_arguments);
    tcase_add_test(tc, import_same_store);
    tcase_add_test(tc, import_error_in_later_block);
    tcase_add_test(tc, import_out_of_memory);
    tcase_add_test(tc, import_estimate_changes_nothing);
    tcase_add_test(tc, import_customers_any_order_same_store);
    tcase_add_test(tc, import_converted_ahead_same_store);
    suite_add_tcase(su, tc);
    tc = tcase_create("analyses");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, query_demo);
    tcase_add_test(tc, query_generated);
    tcase_add_test(tc, journeys_same_index);
    tcase_add_test(tc, paths_attribution_same_table);
    tcase_add_loop_test(tc, journeys_out_of_memory, 0, 2);
    suite_add_tcase(su, tc);
    return su;
}

int main(void) { return run_suite(suite()); }
