/* Issue 15: allocation failure at every point of the calls that allocate
 * with malloc, not through a store's allocator (docs/conventions.md,
 * "Allocation"): the model fits from plain arrays and what is made from
 * their models and data, cx_result_deserialize() and what is done with its
 * results, the objects made without a store (calendars, import options,
 * monitors, the options of the lifecycle analyses, care rules, survival
 * curves, the log-rank family and Cox fits from arrays) and their setters,
 * a store from cx_store_new(), and the SQLite calls that make their own
 * store or options (cx_db_load, cx_db_import_csv without options,
 * cx_db_forget) or save one (cx_db_save).
 *
 * The test links the library's internal static archive with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * so that every malloc, calloc, realloc and free of the library's objects
 * (the default allocator, cxi_default_alloc, calls realloc and free) and of
 * this test goes through the wrappers below; SQLite, Jansson, libsodium and
 * the C library are shared libraries and keep their own calls (their memory
 * is documented as theirs). The wrappers count requests, refuse the k-th
 * when armed, and keep every live block in a table (pointer -> size).
 *
 * For each call (a step; a sequence of calls such as a monitor fed event by
 * event is one step per call that allocates), a failure-free run counts its
 * N requests and records its output and the state of its inputs; then for
 * every k in 1..N the call runs again with request k refused and must
 *   - fail with CX_ENOMEM, the last error set to it with a message naming
 *     the call, and hand out nothing (*out NULL);
 *   - hold exactly the blocks and bytes held before the call (no leak, and
 *     no block of its inputs freed);
 *   - leave its inputs as they were (the object a setter changes, read
 *     back through the API; the arrays it reads);
 *   - then, allocations granted again, succeed with the output and the
 *     inputs of the failure-free run.
 * A refused request the call survives (a shrinking resize) is accepted
 * only with the failure-free outcome. The retry follows every refusal
 * (cx_db_load: every 5th and the last). Each step's points are printed, and
 * the total; CXT_ALLOCFAIL_STRIDE=n refuses only every n-th point and the
 * last of each call (as tests/run-all.sh does under ASan). Calls that read
 * (predictions, quantiles, medians, exports) are run too: they must
 * allocate nothing, or be swept like the others. The workload's store-based calls are swept by test_allocfail.c
 * through the store's allocator. */
#include "cx_test.h"

#include <stdarg.h>

/* ---- the malloc wrappers ------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

typedef struct blk {
    void *p;
    size_t n;
} blk;

/* Single-threaded: the library starts no thread, and neither does this test
 * (Check runs it in this process). */
static struct {
    blk *tab; /* open addressing, linear probing; p NULL: empty */
    size_t cap, used;
    size_t live, bytes;  /* blocks and bytes held */
    bool counting;       /* requests are counted (and may be refused) */
    size_t calls;        /* requests counted */
    size_t fail_at;      /* the request to refuse (1-based), 0 none */
    bool refused;        /* it was */
    size_t foreign;      /* frees of blocks not allocated here while counting */
} W;

static size_t blk_hash(const void *p, size_t cap)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 20) & (cap - 1);
}

static void blk_put(void *p, size_t n)
{
    if (2 * (W.used + 1) > W.cap) {
        size_t ncap = W.cap ? 2 * W.cap : 1 << 16;
        blk *t = __real_calloc(ncap, sizeof *t);
        if (!t)
            abort();
        for (size_t i = 0; i < W.cap; i++)
            if (W.tab[i].p) {
                size_t s = blk_hash(W.tab[i].p, ncap);
                while (t[s].p)
                    s = (s + 1) & (ncap - 1);
                t[s] = W.tab[i];
            }
        __real_free(W.tab);
        W.tab = t;
        W.cap = ncap;
    }
    size_t s = blk_hash(p, W.cap);
    while (W.tab[s].p)
        s = (s + 1) & (W.cap - 1);
    W.tab[s].p = p;
    W.tab[s].n = n;
    W.used++;
    W.live++;
    W.bytes += n;
}

/* Forgets a block; false when it is not known. */
static bool blk_del(void *p)
{
    if (!W.cap)
        return false;
    size_t s = blk_hash(p, W.cap);
    while (W.tab[s].p && W.tab[s].p != p)
        s = (s + 1) & (W.cap - 1);
    if (!W.tab[s].p)
        return false;
    W.live--;
    W.bytes -= W.tab[s].n;
    W.used--;
    /* backward-shift deletion keeps every probe chain unbroken */
    size_t hole = s;
    for (size_t j = (s + 1) & (W.cap - 1); W.tab[j].p; j = (j + 1) & (W.cap - 1)) {
        size_t home = blk_hash(W.tab[j].p, W.cap);
        /* the entry at j may move to the hole if its home is not in (hole, j] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            W.tab[hole] = W.tab[j];
            hole = j;
        }
    }
    W.tab[hole].p = NULL;
    W.tab[hole].n = 0;
    return true;
}

static bool refuse(void)
{
    if (!W.counting)
        return false;
    if (++W.calls == W.fail_at) {
        W.refused = true;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n)
{
    if (refuse())
        return NULL;
    void *p = __real_malloc(n);
    if (p)
        blk_put(p, n);
    return p;
}

void *__wrap_calloc(size_t a, size_t b)
{
    if (refuse())
        return NULL;
    void *p = __real_calloc(a, b);
    if (p)
        blk_put(p, a * b);
    return p;
}

void __wrap_free(void *p)
{
    if (!p)
        return;
    if (!blk_del(p) && W.counting)
        W.foreign++;
    __real_free(p);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (p && n == 0) { /* glibc frees */
        __wrap_free(p);
        return NULL;
    }
    if (refuse())
        return NULL; /* p stays allocated, as when realloc fails */
    void *q = __real_realloc(p, n);
    if (q) {
        if (p && !blk_del(p) && W.counting)
            W.foreign++;
        blk_put(q, n);
    }
    return q;
}

static void arm(size_t fail_at)
{
    W.calls = 0;
    W.fail_at = fail_at;
    W.refused = false;
    W.foreign = 0;
    W.counting = true;
}

static void disarm(void) { W.counting = false; }

/* ---- dumps -------------------------------------------------------------- */

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
        b->cap = b->cap * 2 + (size_t)n + 1024;
        b->p = realloc(b->p, b->cap);
        EXPECT(b->p != NULL, "out of memory");
    }
}

/* The text, in a block the wrappers do not track (__real_malloc): the
 * dumps kept across a run do not count among the blocks held. Freed with
 * dfree(). */
static char *sb_take(sbuf *b)
{
    char *p = __real_malloc(b->n + 1);
    EXPECT(p != NULL, "out of memory");
    if (b->n)
        memcpy(p, b->p, b->n);
    p[b->n] = '\0';
    free(b->p);
    memset(b, 0, sizeof *b);
    return p;
}

static void dfree(char *p) { __real_free(p); }

static void dump_result(sbuf *b, const char *what, const cx_result *r)
{
    size_t rows = cx_result_row_count(r), cols = cx_result_column_count(r);
    sb_printf(b, "%s: %zu x %zu\n", what, rows, cols);
    int types[128];
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
                sb_printf(b, v ? "\"%s\"" : "NULL", v);
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

/* Every cell of every table and every attribute of a store. */
static void dump_store(sbuf *b, const cx_store *s)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        size_t rows = store_rows(s, t), cols;
        OK(cx_column_count(&cols, (cx_table)t));
        sb_printf(b, "table %d: %zu rows\n", t, rows);
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++) {
                int type;
                OK(cx_column_type(&type, (cx_table)t, (int)c));
                if (type == CX_TYPE_STRING) {
                    const char *v = store_str(s, t, (int)c, r);
                    sb_printf(b, v ? "\"%s\"" : "NULL", v);
                } else if (type == CX_TYPE_REAL) {
                    sb_printf(b, "%.17g", store_real(s, t, (int)c, r));
                } else {
                    sb_printf(b, "%lld", (long long)store_int(s, t, (int)c, r));
                }
                sb_printf(b, c + 1 < cols ? "," : "\n");
            }
    }
    size_t nattr = vocab_size(s, CX_VOCAB_ATTRIBUTE), ncust = store_rows(s, CX_TABLE_CUSTOMERS);
    for (size_t r = 0; r < ncust; r++)
        for (size_t a = 0; a < nattr; a++) {
            const char *key, *val;
            OK(cx_vocab_name(&key, s, CX_VOCAB_ATTRIBUTE, a));
            OK(cx_customer_get_attribute(&val, s, store_str(s, CX_TABLE_CUSTOMERS, 0, r), key));
            if (val)
                sb_printf(b, "attr %zu %s=\"%s\"\n", r, key, val);
        }
}

static void dump_bytes(sbuf *b, const void *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
    sb_printf(b, "%zu bytes, hash %016llx\n", n, (unsigned long long)h);
}

/* ---- the data ----------------------------------------------------------- */

static double unif(uint64_t *rng) { return ((double)(splitmix64(rng) >> 11) + 0.5) / 9007199254740992.0; }

/* Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 boosted). */
static double rgamma(uint64_t *rng, double shape)
{
    if (shape < 1)
        return rgamma(rng, shape + 1) * pow(unif(rng), 1 / shape);
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x, v;
        do {
            /* a normal deviate by Box-Muller */
            x = sqrt(-2 * log(unif(rng))) * cos(6.283185307179586 * unif(rng));
            v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = unif(rng);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

static double rbeta(uint64_t *rng, double a, double b)
{
    double x = rgamma(rng, a), y = rgamma(rng, b);
    return x / (x + y);
}

#define N_FIT 400
#define N_PNBD 150
#define N_BGBB 300
#define N_SBG 300
#define N_SURV 240

static struct data {
    /* BG/NBD (r 0.25, alpha 4, a 0.8, b 2.4; times in weeks, whole days) */
    double x[N_FIT], tx[N_FIT], T[N_FIT], mean[N_FIT];
    /* Pareto/NBD (r 0.6, alpha 6, s 0.5, beta 10; whole weeks) */
    double px[N_PNBD], ptx[N_PNBD], pT[N_PNBD];
    /* BG/BB (alpha 1.2, beta 0.75, gamma 0.65, delta 2.8; 6 opportunities) */
    double bx[N_BGBB], btx[N_BGBB], bn[N_BGBB];
    /* sBG (alpha 0.7, beta 1.3; 7 periods observed) */
    double st[N_SBG];
    int sc[N_SBG];
    /* survival: durations, events, 3 groups */
    double vt[N_SURV];
    int ve[N_SURV], vg[N_SURV];
} D;

static void make_data(void)
{
    uint64_t rng = 2015;
    for (int i = 0; i < N_FIT; i++) {
        double lambda = rgamma(&rng, 0.25) / 4, p = rbeta(&rng, 0.8, 2.4);
        double T = (double)(140 + (int)(splitmix64(&rng) % 130)) / 7; /* 20 to 38.4 weeks */
        double t = 0, last = 0;
        int x = 0;
        for (;;) {
            t += -log(unif(&rng)) / lambda;
            if (t > T)
                break;
            x++;
            last = t;
            if (unif(&rng) < p)
                break;
        }
        D.x[i] = x;
        D.tx[i] = x ? fmax(1, round(last * 7)) / 7 : 0;
        if (D.tx[i] > T)
            D.tx[i] = T;
        D.T[i] = T;
        /* Gamma-Gamma spend: nu ~ Gamma(q 3, gamma 15), z ~ Gamma(p 6, nu) */
        double nu = rgamma(&rng, 3) / 15, sum = 0;
        for (int k = 0; k < x; k++)
            sum += rgamma(&rng, 6) / nu;
        D.mean[i] = x ? round(100 * sum / x) / 100 : 0;
        if (x && D.mean[i] <= 0)
            D.mean[i] = 0.01;
    }
    for (int i = 0; i < N_PNBD; i++) {
        double lambda = rgamma(&rng, 0.6) / 6, mu = rgamma(&rng, 0.5) / 10;
        double tau = -log(unif(&rng)) / mu, T = (double)(26 + (int)(splitmix64(&rng) % 13));
        double t = 0, last = 0;
        int x = 0;
        for (;;) {
            t += -log(unif(&rng)) / lambda;
            if (t > T || t > tau)
                break;
            x++;
            last = t;
        }
        D.px[i] = x;
        D.ptx[i] = x ? fmin(T, fmax(1, ceil(last))) : 0;
        D.pT[i] = T;
    }
    for (int i = 0; i < N_BGBB; i++) {
        double p = rbeta(&rng, 1.2, 0.75), th = rbeta(&rng, 0.65, 2.8);
        int x = 0, last = 0;
        for (int k = 1; k <= 6; k++) {
            if (unif(&rng) < th)
                break;
            if (unif(&rng) < p) {
                x++;
                last = k;
            }
        }
        D.bx[i] = x;
        D.btx[i] = last;
        D.bn[i] = 6;
    }
    for (int i = 0; i < N_SBG; i++) {
        double th = rbeta(&rng, 0.7, 1.3);
        int k = 1;
        while (k <= 7 && unif(&rng) >= th)
            k++;
        D.sc[i] = k <= 7;
        D.st[i] = k <= 7 ? k : 7;
    }
    for (int i = 0; i < N_SURV; i++) {
        D.vg[i] = i % 3;
        double life = -log(unif(&rng)) * (60 + 40 * D.vg[i]), cens = (double)(30 + splitmix64(&rng) % 300);
        D.ve[i] = life <= cens;
        D.vt[i] = round(fmin(life, cens));
    }
}

/* A small store (malloc) for the calls that read one and for the query
 * whose results are serialised. */
static cx_store *make_store(uint64_t seed)
{
    uint64_t rng = seed;
    cx_store *s;
    OK(cx_store_new(&s));
    static const char *const seg[] = {"consumer", "smb", "enterprise"};
    static const char *const tps[][3] = {{"web", "web", "consideration"},      {"shop", "store", "purchase"},
                                         {"call", "phone", "service"},        {"chat", "chat", "service"},
                                         {"mail", "email", "service"},        {"delivery", "delivery", "onboarding"}};
    static const char *const prio[] = {"low", "normal", "high", "urgent"};
    char id[32], c[32], cs[32];
    cx_time t0 = T("2023-06-01T00:00:00Z");
    for (int i = 0; i < 80; i++) {
        snprintf(id, sizeof id, "C-%03d", i);
        OK(cx_customer_add(s, id, seg[i % 3], i % 2 ? "الرياض" : "Jeddah", i % 4 ? "basic" : "gold",
                           t0 + (int64_t)(i % 20) * DAY_MS));
        if (i % 9 == 0)
            OK(cx_customer_set_attribute(s, id, "churned", "2024-02-01T00:00:00Z"));
    }
    for (size_t i = 0; i < 6; i++)
        OK(cx_touchpoint_add(s, tps[i][0], tps[i][1], tps[i][2], NULL, i == 1, 1));
    OK(cx_question_add(s, "effort", CX_METRIC_CES, 1, 7, 0));
    for (int i = 0; i < 60; i++) {
        snprintf(id, sizeof id, "T-%03d", i);
        snprintf(c, sizeof c, "C-%03d", (int)(splitmix64(&rng) % 80));
        cx_time op = t0 + (int64_t)(splitmix64(&rng) % (250 * DAY_MS));
        OK(cx_case_add(s, id, c, i % 2 ? "phone" : "chat", prio[i % 4], i % 3 ? "Sara" : "Omar", op,
                       i % 5 ? op + HOUR_MS : CX_TIME_NONE, i % 4 ? op + 2 * DAY_MS : CX_TIME_NONE, i % 7 == 0,
                       1 + i % 3));
    }
    for (int i = 0; i < 600; i++) {
        int tp = (int)(splitmix64(&rng) % 6);
        const char *case_id = NULL;
        snprintf(c, sizeof c, "C-%03d", (int)(splitmix64(&rng) % 80));
        if ((tp == 2 || tp == 3) && i % 2) {
            snprintf(cs, sizeof cs, "T-%03d", (int)(splitmix64(&rng) % 60));
            size_t row;
            OK(cx_store_find(&row, s, CX_TABLE_CASES, cs));
            snprintf(c, sizeof c, "%s", store_str(s, CX_TABLE_CASES, CX_CASE_CUSTOMER, row));
            case_id = cs;
        }
        snprintf(id, sizeof id, "I-%04d", i);
        OK(cx_interaction_add(NULL, s, id, c, tps[tp][0], t0 + (int64_t)(splitmix64(&rng) % (270 * DAY_MS)),
                              tp == 1 ? "purchase" : tp >= 2 && tp <= 4 ? "contact" : "visit",
                              i % 6 ? CX_INBOUND : CX_OUTBOUND, tp >= 2 && tp <= 4 ? "Sara" : NULL, case_id,
                              (int64_t)(splitmix64(&rng) % 600000), (cx_outcome)(i % 11 == 0), 0));
    }
    for (int i = 0; i < 300; i++) {
        size_t ir = splitmix64(&rng) % 600;
        static const char *const q[] = {"nps", "csat", "effort"};
        static const double hi[] = {11, 5, 7};
        int qi = i % 3;
        snprintf(id, sizeof id, "F-%04d", i);
        OK(cx_feedback_add(NULL, s, id, store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, ir), q[qi],
                           (double)(splitmix64(&rng) % (uint64_t)hi[qi]) + (qi ? 1 : 0),
                           store_int(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, ir) + HOUR_MS, NULL,
                           store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, ir),
                           store_str(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CASE, ir), i % 5 ? NULL : "ok, \"fine\""));
    }
    for (int i = 0; i < 400; i++) {
        snprintf(id, sizeof id, "X-%04d", i);
        snprintf(c, sizeof c, "C-%03d", (int)(splitmix64(&rng) % (i % 2 ? 20 : 80)));
        OK(cx_transaction_add(NULL, s, id, c, t0 + 30 * DAY_MS + (int64_t)(splitmix64(&rng) % (240 * DAY_MS)),
                              5 + (double)(splitmix64(&rng) % 10000) / 100));
    }
    return s;
}

/* A grouped query of many measures over a range: the results serialised. */
static cx_result *run_query(const cx_store *s, cx_time from, cx_time to)
{
    cx_query *q;
    OK(cx_query_new(&q, s));
    static const cx_measure m[] = {CX_MEASURE_NPS,         CX_MEASURE_CSAT,       CX_MEASURE_CES,
                                   CX_MEASURE_FCR,         CX_MEASURE_RESOLUTION, CX_MEASURE_FIRST_RESPONSE,
                                   CX_MEASURE_HANDLE_TIME, CX_MEASURE_MISSED_RATE, CX_MEASURE_CX_INDEX};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        OK(cx_query_add(q, m[i]));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_group_by_time(q, CX_BUCKET_MONTH, 180));
    OK(cx_query_set_range(q, from, to));
    cx_result *r;
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

static void *serialize(size_t *len, const cx_result *r)
{
    EXPECT(cx_result_serialize(len, r, NULL, 0) == CX_EBUFSIZE, "serialize: size");
    void *b = malloc(*len);
    EXPECT(b != NULL, "out of memory");
    OK(cx_result_serialize(len, r, b, *len));
    return b;
}

/* ---- the fixture and the steps ----------------------------------------- */

static struct fixture {
    cx_store *s;                 /* the small store */
    void *ser1, *ser2;           /* two serialised query results */
    size_t ser1_len, ser2_len;
    cx_result *d1, *d2;          /* deserialised (malloc) */
    cx_model *bgnbd, *gg, *pnbd, *bgbb, *sbg;
    cx_model_data *mdata, *bdata; /* from arrays (malloc) */
    cx_survival *sv;             /* from arrays (malloc) */
    cx_survival_options *svo;
    /* what a step works on and hands out */
    cx_calendar *cal;
    cx_import_options *io;
    cx_monitor *mon;
    cx_care_rules *rules;
    cx_survival_options *so;
    cx_model_data *md;
    cx_result *r;                /* a result a step changes */
    void *out;                   /* the object a step hands out (sentinel &FX.out before the call) */
    double pred[N_FIT];
    unsigned char bytes[1 << 16]; /* a serialised result */
    size_t n_out;
    char db[300], db_tmpl[300], db_csv[300], csv[300], reject[300], export_path[300];
} FX;

typedef struct step {
    const char *name;        /* the call swept (its message must name it) */
    void (*prepare)(size_t); /* builds the inputs of the i-th call of the sequence (not swept) */
    int (*call)(size_t);     /* the call */
    void (*state)(sbuf *);   /* the inputs it may change, read back */
    void (*output)(sbuf *);  /* what it made, read back and freed */
    void (*cleanup)(void);   /* frees the inputs */
    bool has_out;            /* it has an out pointer: NULL after a failure */
    size_t seq;              /* calls in the sequence (0: one) */
    size_t retry_every;      /* retry after every n-th refusal and the last (0, 1: every one) */
} step;

static size_t total_points, total_swept, total_absorbed, stride = 1;

static char *take_state(const step *st)
{
    sbuf b = {0};
    if (st->state)
        st->state(&b);
    return sb_take(&b);
}

static char *take_output(const step *st)
{
    sbuf b = {0};
    if (st->output)
        st->output(&b);
    else if (st->has_out)
        EXPECT(0, "%s: a step with an output needs its reader", st->name);
    return sb_take(&b);
}

static void expect_same(const char *what, const step *st, size_t i, size_t k, const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        size_t at = 0;
        while (got[at] && got[at] == want[at])
            at++;
        size_t from = at > 200 ? at - 200 : 0;
        EXPECT(0, "%s (call %zu), request %zu refused: %s differs at byte %zu:\n--- got ---\n%.400s\n--- want ---\n%.400s",
               st->name, i, k, what, at, got + from, want + from);
    }
}

/* Sweeps every allocation of call i of a step; returns its points. */
static size_t sweep_one(const step *st, size_t i)
{
    size_t live_start = W.live, bytes_start = W.bytes;
    /* the failure-free run */
    if (st->prepare)
        st->prepare(i);
    char *before_ref = take_state(st);
    FX.out = &FX.out;
    cx_error_clear();
    arm(0);
    int rc = st->call(i);
    disarm();
    size_t n = W.calls;
    EXPECT(rc == CX_OK, "%s (call %zu): the failure-free run failed: %s", st->name, i, cx_last_error());
    EXPECT(W.foreign == 0, "%s: freed %zu blocks it did not allocate", st->name, W.foreign);
    char *after_ref = take_state(st), *out_ref = take_output(st);
    if (st->cleanup)
        st->cleanup();
    EXPECT(W.live == live_start && W.bytes == bytes_start, "%s (call %zu): the failure-free run leaves %zd blocks, %zd bytes",
           st->name, i, (ssize_t)(W.live - live_start), (ssize_t)(W.bytes - bytes_start));
    size_t every = st->retry_every > 1 ? st->retry_every : 1;
    for (size_t k = 1; k <= n; k++) {
        if (k % stride != 0 && k != n) /* CXT_ALLOCFAIL_STRIDE: every stride-th point and the last */
            continue;
        total_swept++;
        if (st->prepare)
            st->prepare(i);
        char *before = take_state(st);
        expect_same("the inputs before the call", st, i, k, before, before_ref);
        size_t live0 = W.live, bytes0 = W.bytes;
        FX.out = &FX.out;
        cx_error_clear();
        arm(k);
        rc = st->call(i);
        disarm();
        EXPECT(W.refused, "%s (call %zu): request %zu was never made (%zu made): the call is not deterministic",
               st->name, i, k, W.calls);
        EXPECT(W.foreign == 0, "%s (call %zu), request %zu refused: freed %zu blocks it did not allocate", st->name, i,
               k, W.foreign);
        bool retry = true;
        if (rc == CX_OK) {
            /* survived the refusal: only with the failure-free outcome */
            total_absorbed++;
            retry = false;
        } else {
            EXPECT(rc == CX_ENOMEM, "%s (call %zu), request %zu refused: status %d (%s), not CX_ENOMEM: %s", st->name, i,
                   k, rc, cx_strerror(rc), cx_last_error());
            EXPECT(cx_last_error_code() == rc, "%s (call %zu), request %zu refused: last error code %d, status %d",
                   st->name, i, k, cx_last_error_code(), rc);
            EXPECT(strstr(cx_last_error(), st->name) != NULL,
                   "%s (call %zu), request %zu refused: the message does not name the call: '%s'", st->name, i, k,
                   cx_last_error());
            if (st->has_out)
                EXPECT(FX.out == NULL, "%s (call %zu), request %zu refused: *out is not NULL", st->name, i, k);
            EXPECT(W.live == live0 && W.bytes == bytes0,
                   "%s (call %zu), request %zu refused: %zd blocks and %zd bytes more than before the call (a leak, "
                   "or a block of its inputs freed)",
                   st->name, i, k, (ssize_t)(W.live - live0), (ssize_t)(W.bytes - bytes0));
            char *after = take_state(st);
            expect_same("the inputs after the failed call", st, i, k, after, before);
            dfree(after);
            /* the retry, allocations granted */
            if (k % every == 0 || k == n) {
                FX.out = &FX.out;
                cx_error_clear();
                rc = st->call(i);
                EXPECT(rc == CX_OK, "%s (call %zu): the retry after refusing request %zu failed: %s", st->name, i, k,
                       cx_last_error());
            } else {
                retry = false;
                if (st->cleanup)
                    st->cleanup();
                dfree(before);
                EXPECT(W.live == live_start && W.bytes == bytes_start, "%s (call %zu), request %zu refused: %zd blocks left",
                       st->name, i, k, (ssize_t)(W.live - live_start));
                continue;
            }
        }
        (void)retry;
        char *after = take_state(st), *out = take_output(st);
        expect_same(rc == CX_OK && !W.refused ? "the inputs" : "the inputs after success", st, i, k, after, after_ref);
        expect_same("the output", st, i, k, out, out_ref);
        dfree(after);
        dfree(out);
        if (st->cleanup)
            st->cleanup();
        dfree(before);
        EXPECT(W.live == live_start && W.bytes == bytes_start, "%s (call %zu), request %zu refused: %zd blocks left",
               st->name, i, k, (ssize_t)(W.live - live_start));
    }
    dfree(before_ref);
    dfree(after_ref);
    dfree(out_ref);
    return n;
}


static void sweep(const step *st)
{
    size_t seq = st->seq ? st->seq : 1, points = 0, calls = 0;
    for (size_t i = 0; i < seq; i++) {
        size_t n = sweep_one(st, i);
        points += n;
        calls += n > 0;
    }
    total_points += points;
    if (st->seq)
        printf("# %-40s %6zu points (%zu of its %zu calls allocate)\n", st->name, points, calls, seq);
    else
        printf("# %-40s %6zu points\n", st->name, points);
    fflush(stdout);
}

/* ---- constructors ------------------------------------------------------- */

#define OUT(type) ((type **)&FX.out)

static void out_made(sbuf *b) { sb_printf(b, "made\n"); }

#define NEW_STEP(fname, call_expr, free_fn)                                                                        \
    static int fname##_call(size_t i)                                                                              \
    {                                                                                                              \
        (void)i;                                                                                                   \
        return call_expr;                                                                                          \
    }                                                                                                              \
    static void fname##_out(sbuf *b)                                                                               \
    {                                                                                                              \
        out_made(b);                                                                                               \
        free_fn(FX.out);                                                                                           \
        FX.out = NULL;                                                                                             \
    }

NEW_STEP(calendar_new, cx_calendar_new(OUT(cx_calendar), 180), cx_calendar_free)
NEW_STEP(import_options_new, cx_import_options_new(OUT(cx_import_options)), cx_import_options_free)
NEW_STEP(monitor_new, cx_monitor_new(OUT(cx_monitor), DAY_MS), cx_monitor_free)
NEW_STEP(cohorts_options_new, cx_cohorts_options_new(OUT(cx_cohorts_options)), cx_cohorts_options_free)
NEW_STEP(survival_options_new, cx_survival_options_new(OUT(cx_survival_options)), cx_survival_options_free)
NEW_STEP(summary_options_new, cx_summary_options_new(OUT(cx_summary_options)), cx_summary_options_free)
NEW_STEP(clv_options_new, cx_clv_options_new(OUT(cx_clv_options)), cx_clv_options_free)
NEW_STEP(health_options_new, cx_health_options_new(OUT(cx_health_options)), cx_health_options_free)
NEW_STEP(care_rules_new, cx_care_rules_new(OUT(cx_care_rules)), cx_care_rules_free)
NEW_STEP(model_data_new, cx_model_data_new(OUT(cx_model_data), N_FIT), cx_model_data_free)
NEW_STEP(store_new, cx_store_new(OUT(cx_store)), cx_store_free)

static const double bgnbd_params[] = {0.25, 4, 0.8, 2.4};
static int model_new_call(size_t i)
{
    (void)i;
    return cx_model_new(OUT(cx_model), CX_MODEL_BGNBD, bgnbd_params, 4);
}

/* A model: its parameters and fit, read back; then freed. */
static void model_out(sbuf *b)
{
    cx_result *p;
    OK(cx_model_params(&p, FX.out));
    dump_result(b, "params", p);
    cx_result_free(p);
    cx_model_free(FX.out);
    FX.out = NULL;
}

/* ---- calendars ---------------------------------------------------------- */

static const int hours[][3] = {{1, 540, 720},  {1, 780, 1020}, {2, 540, 720}, {2, 780, 1020}, {3, 540, 1020},
                               {4, 540, 720},  {4, 780, 1020}, {5, 480, 690}, {6, 600, 840},  {7, 600, 780},
                               {3, 1080, 1260}, {5, 900, 1140}, {6, 900, 960}, {1, 1200, 1320}};
#define N_HOURS (sizeof hours / sizeof hours[0])
#define N_HOLIDAYS 40

static void holiday(size_t i, int *y, int *m, int *d)
{
    /* out of order: later years first, odd days */
    *y = 2025 - (int)(i % 3);
    *m = 1 + (int)((i * 7) % 12);
    *d = 1 + (int)((i * 13) % 28);
}

static void cal_hours_prepare(size_t i)
{
    OK(cx_calendar_new(&FX.cal, 180));
    for (size_t j = 0; j < i; j++)
        OK(cx_calendar_add_hours(FX.cal, hours[j][0], hours[j][1], hours[j][2]));
}

static void cal_holidays_prepare(size_t i)
{
    cal_hours_prepare(N_HOURS);
    for (size_t j = 0; j < i; j++) {
        int y, m, d;
        holiday(j, &y, &m, &d);
        OK(cx_calendar_add_holiday(FX.cal, y, m, d));
    }
}

static void cal_cleanup(void)
{
    cx_calendar_free(FX.cal);
    FX.cal = NULL;
}

/* The calendar, read back: open or not every 30 minutes of two weeks, and
 * the business time of every day of three years and of a long range. */
static void cal_state(sbuf *b)
{
    cx_time t0 = T("2023-01-02T00:00:00Z");
    for (int k = 0; k < 14 * 48; k++) {
        int open;
        OK(cx_calendar_is_open(&open, FX.cal, t0 + k * 30 * MIN_MS));
        sb_printf(b, "%d", open);
    }
    sb_printf(b, "\n");
    for (int d = 0; d < 3 * 366; d++) {
        int64_t ms;
        OK(cx_calendar_business_ms(&ms, FX.cal, t0 + d * DAY_MS, t0 + (d + 1) * DAY_MS));
        sb_printf(b, "%lld ", (long long)ms);
    }
    int64_t ms;
    OK(cx_calendar_business_ms(&ms, FX.cal, t0, t0 + 1100 * DAY_MS));
    sb_printf(b, "\nall %lld\n", (long long)ms);
}

static int cal_hours_call(size_t i) { return cx_calendar_add_hours(FX.cal, hours[i][0], hours[i][1], hours[i][2]); }

static int cal_holiday_call(size_t i)
{
    int y, m, d;
    holiday(i, &y, &m, &d);
    return cx_calendar_add_holiday(FX.cal, y, m, d);
}

/* ---- import options ----------------------------------------------------- */

/* The options, read back: an import of a small customers CSV (file columns
 * named f_<column>, one bad row) into a fresh store with them. */
static void io_state(sbuf *b)
{
    cx_store *s;
    OK(cx_store_new(&s));
    cx_import_report *r = NULL;
    remove(FX.reject);
    int rc = cx_import_csv(&r, s, CX_TABLE_CUSTOMERS, FX.csv, FX.io);
    sb_printf(b, "import: %d\n", rc);
    if (rc == CX_OK) {
        sb_printf(b, "accepted %llu rejected %llu\n", (unsigned long long)cx_import_report_accepted(r),
                  (unsigned long long)cx_import_report_rejected(r));
        cx_import_report_free(r);
        dump_store(b, s);
    } else {
        sb_printf(b, "%s\n", cx_last_error());
    }
    FILE *f = fopen(FX.reject, "rb");
    if (f) {
        fclose(f);
        char *text = slurp(FX.reject, NULL);
        sb_printf(b, "reject file:\n%s", text);
        free(text);
        remove(FX.reject);
    }
    cx_store_free(s);
}

static const char *const map_to[] = {"id", "segment", "region", "plan", "acquired", NULL};
static const char *const map_from[] = {"f_id", "f_segment", "f_region", "f_plan", "f_acquired", "f_junk"};
#define N_MAP 6

static void io_map_prepare(size_t i)
{
    OK(cx_import_options_new(&FX.io));
    OK(cx_import_options_set_reject_path(FX.io, FX.reject));
    for (size_t j = 0; j < i; j++)
        OK(cx_import_options_map_column(FX.io, map_from[j], map_to[j]));
}

static int io_map_call(size_t i) { return cx_import_options_map_column(FX.io, map_from[i], map_to[i]); }

static void io_reject_prepare(size_t i)
{
    OK(cx_import_options_new(&FX.io));
    for (size_t j = 0; j < N_MAP; j++)
        OK(cx_import_options_map_column(FX.io, map_from[j], map_to[j]));
    if (i) /* the second call replaces a path */
        OK(cx_import_options_set_reject_path(FX.io, P("elsewhere.csv")));
}

static int io_reject_call(size_t i)
{
    (void)i;
    return cx_import_options_set_reject_path(FX.io, FX.reject);
}

static void io_cleanup(void)
{
    cx_import_options_free(FX.io);
    FX.io = NULL;
    remove(P("elsewhere.csv"));
}

/* ---- monitors ----------------------------------------------------------- */

#define N_EVENTS 700

static cx_time mon_last; /* the time of the last event fed */

static int feed(cx_monitor *m, size_t i)
{
    cx_time t = T("2024-03-01T00:00:00Z") + (cx_time)i * 3 * MIN_MS;
    int rc;
    switch (i % 3) {
    case 0: rc = cx_monitor_add_answer(m, t, CX_METRIC_NPS, (double)(i % 11), 0, 10, 1); break;
    case 1: rc = cx_monitor_add_contact(m, t, (cx_outcome)(i % 5 == 0), (int64_t)(i % 17) * MIN_MS); break;
    default:
        rc = cx_monitor_add_case(m, t, t - (cx_time)(i % 40) * HOUR_MS, i % 4 ? t - HOUR_MS : CX_TIME_NONE,
                                 1 + (int)(i % 3), i % 7 == 0);
    }
    if (rc == CX_OK)
        mon_last = t;
    return rc;
}

static void mon_prepare(size_t i)
{
    mon_last = T("2024-03-01T00:00:00Z");
    OK(cx_monitor_new(&FX.mon, DAY_MS));
    for (size_t j = 0; j < i; j++)
        OK(feed(FX.mon, j));
}

static int mon_call(size_t i) { return feed(FX.mon, i); }

/* Every monitored measure at the time of the last event. */
static void mon_state(sbuf *b)
{
    static const cx_measure m[] = {CX_MEASURE_NPS,        CX_MEASURE_FCR,         CX_MEASURE_RESOLUTION,
                                   CX_MEASURE_FIRST_RESPONSE, CX_MEASURE_MISSED_RATE, CX_MEASURE_HANDLE_TIME};
    cx_time now = mon_last;
    for (size_t j = 0; j < sizeof m / sizeof m[0]; j++) {
        double v;
        uint64_t n;
        OK(cx_monitor_read(&v, &n, FX.mon, now, m[j]));
        sb_printf(b, "%.17g/%llu ", v, (unsigned long long)n);
    }
}

static void mon_cleanup(void)
{
    cx_monitor_free(FX.mon);
    FX.mon = NULL;
}

/* ---- care rules and survival options ----------------------------------- */

static cx_time as_of(void) { return T("2024-02-15T00:00:00Z"); }

static void care_state(sbuf *b)
{
    sb_printf(b, "%zu rules\n", cx_care_rules_count(FX.rules));
    cx_result *r;
    int rc = cx_care_evaluate(&r, FX.rules, FX.s, as_of(), NULL, NULL);
    sb_printf(b, "evaluate: %d\n", rc);
    if (rc == CX_OK) {
        dump_result(b, "care", r);
        cx_result_free(r);
    }
}

#define N_RULES 12

static int add_rule(size_t i)
{
    static const cx_care_kind k[] = {CX_CARE_DETRACTOR_AFTER_CASE, CX_CARE_REPEAT_CONTACTS, CX_CARE_SLA_BREACH,
                                     CX_CARE_HIGH_EFFORT};
    static const double th[] = {6, 2, 0, 0.34};
    return cx_care_rules_add(NULL, FX.rules, k[i % 4], (int)(10 - i), th[i % 4], (int64_t)(30 + 10 * i) * DAY_MS);
}

static void rules_prepare(size_t i)
{
    OK(cx_care_rules_new(&FX.rules));
    for (size_t j = 0; j < i; j++)
        OK(add_rule(j));
}

static void rules_cleanup(void)
{
    cx_care_rules_free(FX.rules);
    FX.rules = NULL;
}

static void priority_prepare(size_t i)
{
    rules_prepare(N_RULES);
    if (i) /* the second call replaces a priority */
        OK(cx_care_rules_set_priority(FX.rules, 2, "normal"));
}

static int priority_call(size_t i)
{
    (void)i;
    return cx_care_rules_set_priority(FX.rules, 2, "urgent");
}

static void so_state(sbuf *b)
{
    cx_survival *sv;
    int rc = cx_survival_from_store(&sv, FX.s, as_of(), FX.so);
    sb_printf(b, "survival: %d\n", rc);
    if (rc == CX_OK) {
        cx_result *r;
        OK(cx_survival_summary(&r, sv));
        dump_result(b, "summary", r);
        cx_result_free(r);
        cx_survival_free(sv);
    }
}

static void so_prepare(size_t i)
{
    OK(cx_survival_options_new(&FX.so));
    OK(cx_survival_options_set_group_by(FX.so, CX_DIM_SEGMENT));
    if (i)
        OK(cx_survival_options_set_churn_attribute(FX.so, "gone"));
}

static int so_call(size_t i)
{
    (void)i;
    return cx_survival_options_set_churn_attribute(FX.so, "churned");
}

static void so_cleanup(void)
{
    cx_survival_options_free(FX.so);
    FX.so = NULL;
}

/* ---- fits and models ---------------------------------------------------- */

static void fit_state(sbuf *b)
{
    dump_bytes(b, &D, sizeof D); /* the arrays a fit reads */
}

static int fit_bgnbd(size_t i)
{
    (void)i;
    return cx_model_fit_bgnbd(OUT(cx_model), D.x, D.tx, D.T, NULL, N_FIT);
}
static int fit_pnbd(size_t i)
{
    (void)i;
    return cx_model_fit_paretonbd(OUT(cx_model), D.px, D.ptx, D.pT, NULL, N_PNBD);
}
static int fit_gg(size_t i)
{
    (void)i;
    return cx_model_fit_gammagamma(OUT(cx_model), D.x, D.mean, NULL, N_FIT);
}
static int fit_bgbb(size_t i)
{
    (void)i;
    return cx_model_fit_bgbb(OUT(cx_model), D.bx, D.btx, D.bn, NULL, N_BGBB);
}
static int fit_sbg(size_t i)
{
    (void)i;
    return cx_model_fit_sbg(OUT(cx_model), D.st, D.sc, NULL, N_SBG);
}

static int params_call(size_t i)
{
    static cx_model *const *models[] = {&FX.bgnbd, &FX.pnbd, &FX.gg, &FX.bgbb, &FX.sbg};
    return cx_model_params(OUT(cx_result), *models[i]);
}

static void result_out(sbuf *b)
{
    dump_result(b, "result", FX.out);
    cx_result_free(FX.out);
    FX.out = NULL;
}

static void md_prepare(size_t i)
{
    OK(cx_model_data_new(&FX.md, N_FIT));
    static const cx_summary_column c[] = {CX_SUMMARY_FREQUENCY, CX_SUMMARY_RECENCY, CX_SUMMARY_AGE,
                                          CX_SUMMARY_MONETARY};
    static const double *const v[] = {D.x, D.tx, D.T, D.mean};
    for (size_t j = 0; j < i; j++)
        OK(cx_model_data_set(FX.md, c[j], v[j]));
}

static int md_call(size_t i)
{
    static const cx_summary_column c[] = {CX_SUMMARY_FREQUENCY, CX_SUMMARY_RECENCY, CX_SUMMARY_AGE,
                                          CX_SUMMARY_MONETARY};
    static const double *const v[] = {D.x, D.tx, D.T, D.mean};
    return cx_model_data_set(FX.md, c[i], v[i]);
}

/* The data, read back through the predictions it allows. */
static void md_state(sbuf *b)
{
    int rc = cx_model_expected(FX.pred, N_FIT, FX.bgnbd, FX.md, 10);
    sb_printf(b, "expected %d\n", rc);
    if (rc == CX_OK)
        dump_bytes(b, FX.pred, sizeof FX.pred);
    rc = cx_model_expected_spend(FX.pred, N_FIT, FX.gg, FX.md);
    sb_printf(b, "spend %d\n", rc);
    if (rc == CX_OK)
        dump_bytes(b, FX.pred, sizeof FX.pred);
}

static void md_cleanup(void)
{
    cx_model_data_free(FX.md);
    FX.md = NULL;
}

static void pred_out(sbuf *b) { dump_bytes(b, FX.pred, sizeof FX.pred); }

static int expected_call(size_t i)
{
    (void)i;
    return cx_model_expected(FX.pred, N_FIT, FX.bgnbd, FX.mdata, 26);
}
static int p_alive_call(size_t i)
{
    (void)i;
    return cx_model_p_alive(FX.pred, N_FIT, FX.pnbd, FX.mdata);
}
static int spend_call(size_t i)
{
    (void)i;
    return cx_model_expected_spend(FX.pred, N_FIT, FX.gg, FX.mdata);
}
static int bgbb_expected_call(size_t i)
{
    (void)i;
    return cx_model_expected(FX.pred, N_BGBB, FX.bgbb, FX.bdata, 4);
}

static cx_clv_options *clv_opts;

static void clv_prepare(size_t i)
{
    if (i) {
        OK(cx_clv_options_new(&clv_opts));
        OK(cx_clv_options_set_horizon(clv_opts, 24));
        OK(cx_clv_options_set_period(clv_opts, 52.0 / 12));
        OK(cx_clv_options_set_discount(clv_opts, 0.01));
    }
}

static int clv_call(size_t i)
{
    return cx_model_clv(OUT(cx_result), i == 2 ? FX.pnbd : FX.bgnbd, FX.gg, FX.mdata, clv_opts);
}

static void clv_cleanup(void)
{
    cx_clv_options_free(clv_opts);
    clv_opts = NULL;
}

/* ---- survival from arrays ----------------------------------------------- */

static int survival_new_call(size_t i)
{
    return cx_survival_new(OUT(cx_survival), D.vt, D.ve, i ? D.vg : NULL, N_SURV, i == 2 ? FX.svo : NULL);
}

static void survival_out(sbuf *b)
{
    cx_survival *sv = FX.out;
    cx_result *r;
    OK(cx_survival_curve(&r, sv));
    dump_result(b, "curve", r);
    cx_result_free(r);
    OK(cx_survival_summary(&r, sv));
    dump_result(b, "summary", r);
    cx_result_free(r);
    if (cx_survival_group_count(sv) > 1) {
        double chi2, p;
        OK(cx_survival_logrank(&chi2, &p, NULL, sv));
        sb_printf(b, "logrank %.17g %.17g\n", chi2, p);
    }
    cx_survival_free(sv);
    FX.out = NULL;
}

static int survival_curve_call(size_t i)
{
    (void)i;
    return cx_survival_curve(OUT(cx_result), FX.sv);
}
static int survival_summary_call(size_t i)
{
    (void)i;
    return cx_survival_summary(OUT(cx_result), FX.sv);
}
static int survival_reads_call(size_t i)
{
    (void)i;
    double m, lo, hi, chi2, p, s;
    int rc = cx_survival_median(&m, &lo, &hi, FX.sv, 1);
    if (rc == CX_OK)
        rc = cx_survival_logrank(&chi2, &p, NULL, FX.sv);
    if (rc == CX_OK)
        rc = cx_survival_at(&s, &lo, &hi, FX.sv, 2, 100);
    FX.pred[0] = m;
    FX.pred[1] = chi2;
    FX.pred[2] = s;
    return rc;
}

/* ---- the log-rank family and Cox regression from arrays ------------------- */

static cx_logrank_options *lr_strata, *lr_entry;
static cx_cox_options *cox_efron, *cox_breslow;
static cx_cox *cox_fit;
static double cox_x[N_SURV], surv_time1[N_SURV], surv_entry[N_SURV]; /* time1 = time + 1 > entry */
static int surv_strata[N_SURV];

static void lr_cox_setup(void)
{
    static const char *const level[] = {"a", "b", "c", "d"};
    const char *lev[N_SURV];
    for (int i = 0; i < N_SURV; i++) {
        surv_strata[i] = i % 2;
        surv_time1[i] = D.vt[i] + 1;
        surv_entry[i] = floor(surv_time1[i] / 3);
        cox_x[i] = (double)((i * 7) % 11) / 10;
        lev[i] = level[(i * 5) % 4];
    }
    OK(cx_logrank_options_new(&lr_strata));
    OK(cx_logrank_options_set_weight(lr_strata, CX_LOGRANK_FLEMING_HARRINGTON, 1, 0.5));
    OK(cx_logrank_options_set_strata(lr_strata, surv_strata, N_SURV));
    OK(cx_logrank_options_new(&lr_entry));
    OK(cx_logrank_options_set_weight(lr_entry, CX_LOGRANK_PETO_PETO, 0, 0));
    OK(cx_logrank_options_set_entry(lr_entry, surv_entry, N_SURV));
    OK(cx_cox_options_new(&cox_efron));
    OK(cx_cox_options_add_covariate(cox_efron, "x", cox_x, N_SURV));
    OK(cx_cox_options_add_factor(cox_efron, "f", lev, N_SURV, "b"));
    OK(cx_cox_options_new(&cox_breslow));
    OK(cx_cox_options_set_ties(cox_breslow, CX_TIES_BRESLOW));
    OK(cx_cox_options_set_strata(cox_breslow, surv_strata, N_SURV));
    OK(cx_cox_options_set_entry(cox_breslow, surv_entry, N_SURV));
    OK(cx_cox_options_add_covariate(cox_breslow, "x", cox_x, N_SURV));
    OK(cx_cox_fit(&cox_fit, D.vt, D.ve, N_SURV, cox_efron));
}

static void lr_cox_teardown(void)
{
    cx_logrank_options_free(lr_strata);
    cx_logrank_options_free(lr_entry);
    cx_cox_options_free(cox_efron);
    cx_cox_options_free(cox_breslow);
    cx_cox_free(cox_fit);
}

static int logrank_call(size_t i)
{
    return cx_logrank_new(OUT(cx_logrank), i == 2 ? surv_time1 : D.vt, D.ve, D.vg, N_SURV,
                          i == 0 ? NULL : i == 1 ? lr_strata : lr_entry);
}

static void logrank_out(sbuf *b)
{
    cx_logrank *lr = FX.out;
    double chi2, p;
    uint64_t df;
    OK(cx_logrank_test(&chi2, &p, &df, lr));
    sb_printf(b, "logrank %.17g %.17g %llu\n", chi2, p, (unsigned long long)df);
    cx_result *r;
    OK(cx_logrank_groups(&r, lr));
    dump_result(b, "groups", r);
    cx_result_free(r);
    cx_logrank_free(lr);
    FX.out = NULL;
}

static int cox_fit_call(size_t i)
{
    return cx_cox_fit(OUT(cx_cox), i ? surv_time1 : D.vt, D.ve, N_SURV, i ? cox_breslow : cox_efron);
}

static void cox_out(sbuf *b)
{
    cx_cox *c = FX.out;
    cx_result *r;
    OK(cx_cox_coefficients(&r, c, 0.95));
    dump_result(b, "coefficients", r);
    cx_result_free(r);
    cx_cox_free(c);
    FX.out = NULL;
}

static int cox_results_call(size_t i)
{
    return i == 0   ? cx_cox_coefficients(OUT(cx_result), cox_fit, 0.9)
           : i == 1 ? cx_cox_tests(OUT(cx_result), cox_fit)
           : i == 2 ? cx_cox_baseline(OUT(cx_result), cox_fit)
                    : cx_cox_zph(OUT(cx_result), cox_fit, i == 3 ? CX_ZPH_KM : CX_ZPH_IDENTITY);
}

/* ---- deserialised results ----------------------------------------------- */

static void deser_state(sbuf *b)
{
    dump_bytes(b, FX.ser1, FX.ser1_len);
    dump_bytes(b, FX.ser2, FX.ser2_len);
}

static int deserialize_call(size_t i)
{
    return cx_result_deserialize(OUT(cx_result), i ? FX.ser2 : FX.ser1, i ? FX.ser2_len : FX.ser1_len);
}

/* A query result: its cells, a quantile, its serialised bytes. */
static void qresult_out(sbuf *b)
{
    cx_result *r = FX.out;
    dump_result(b, "result", r);
    double q;
    for (size_t row = 0; row < cx_result_row_count(r); row++)
        if (cx_result_quantile(&q, r, row, CX_MEASURE_RESOLUTION, 0.9) == CX_OK)
            sb_printf(b, "p90 %zu %.17g\n", row, q);
    size_t len;
    void *bytes = serialize(&len, r);
    dump_bytes(b, bytes, len);
    free(bytes);
    cx_result_free(r);
    FX.out = NULL;
}

static int merge_call(size_t i)
{
    (void)i;
    return cx_result_merge(OUT(cx_result), FX.d1, FX.d2);
}

static int serialize_call(size_t i)
{
    (void)i;
    size_t len;
    int rc = cx_result_serialize(&len, FX.d1, FX.bytes, sizeof FX.bytes);
    FX.n_out = len;
    return rc;
}

static void serialize_out(sbuf *b) { dump_bytes(b, FX.bytes, FX.n_out); }

static int reads_call(size_t i)
{
    (void)i;
    double q, diff, p;
    int rc = cx_result_quantile(&q, FX.d1, 0, CX_MEASURE_HANDLE_TIME, 0.5);
    if (rc == CX_OK)
        rc = cx_result_compare(&diff, &p, FX.d1, 0, FX.d2, 0, CX_MEASURE_NPS);
    FX.pred[0] = q;
    FX.pred[1] = diff;
    FX.pred[2] = p;
    return rc;
}

static void export_out(sbuf *b)
{
    char *text = slurp(FX.export_path, NULL);
    sb_printf(b, "%s", text);
    free(text);
    remove(FX.export_path);
}

static int export_csv_call(size_t i)
{
    (void)i;
    return cx_result_export_csv(FX.d1, FX.export_path);
}
static int export_json_call(size_t i)
{
    (void)i;
    return cx_result_export_json(FX.d1, FX.export_path);
}

static void pseudo_prepare(size_t i)
{
    (void)i;
    OK(cx_result_deserialize(&FX.r, FX.ser1, FX.ser1_len));
}
static int pseudo_call(size_t i)
{
    (void)i;
    static const char *const cols[] = {"channel"};
    return cx_result_pseudonymize(FX.r, "k3y", 3, 1, cols);
}
static void pseudo_state(sbuf *b) { dump_result(b, "result", FX.r); }
static void pseudo_cleanup(void)
{
    cx_result_free(FX.r);
    FX.r = NULL;
}

/* ---- SQLite ------------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *b = slurp(from, &n);
    FILE *f = fopen(to, "wb");
    EXPECT(f != NULL, "cannot create %s", to);
    EXPECT(fwrite(b, 1, n, f) == n && fclose(f) == 0, "cannot write %s", to);
    free(b);
}

static void db_remove(void)
{
    char p[320];
    remove(FX.db);
    snprintf(p, sizeof p, "%s-wal", FX.db);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", FX.db);
    remove(p);
    snprintf(p, sizeof p, "%s-journal", FX.db);
    remove(p);
}

static void db_copy_prepare(size_t i)
{
    (void)i;
    db_remove();
    copy_file(FX.db_tmpl, FX.db);
}

/* The database, read back (a load, not swept). */
static void db_state(sbuf *b)
{
    cx_store *s;
    int rc = cx_db_load(&s, FX.db);
    sb_printf(b, "load: %d\n", rc);
    if (rc == CX_OK) {
        dump_store(b, s);
        cx_store_free(s);
    }
}

static int db_save_call(size_t i)
{
    (void)i;
    return cx_db_save(FX.s, FX.db);
}

static void db_save_prepare(size_t i)
{
    (void)i;
    db_remove();
}

static int db_load_call(size_t i)
{
    (void)i;
    return cx_db_load(OUT(cx_store), FX.db);
}

static void store_out(sbuf *b)
{
    dump_store(b, FX.out);
    cx_store_free(FX.out);
    FX.out = NULL;
}

static int db_import_call(size_t i)
{
    (void)i;
    return cx_db_import_csv(OUT(cx_import_report), FX.db, CX_TABLE_TRANSACTIONS, FX.db_csv, NULL);
}

static void report_out(sbuf *b)
{
    cx_import_report *r = FX.out;
    sb_printf(b, "read %llu accepted %llu added %llu rejected %llu\n", (unsigned long long)cx_import_report_read(r),
              (unsigned long long)cx_import_report_accepted(r), (unsigned long long)cx_import_report_added(r),
              (unsigned long long)cx_import_report_rejected(r));
    for (size_t k = 0; k < cx_import_report_details(r); k++) {
        const char *why;
        OK(cx_import_report_reason(&why, r, k));
        sb_printf(b, "  %s\n", why);
    }
    cx_import_report_free(r);
    FX.out = NULL;
}

static int db_forget_call(size_t i)
{
    (void)i;
    static const char *const ids[] = {"C-003", "C-017", "C-040"};
    return cx_db_forget(&FX.n_out, FX.db, 3, ids);
}

static void forget_out(sbuf *b) { sb_printf(b, "%zu rows\n", FX.n_out); }

/* ---- the test cases ------------------------------------------------------ */

static void setup(void)
{
    tmpdir_setup();
    W.counting = false;
    W.calls = W.fail_at = W.foreign = 0;
    W.refused = false;
    snprintf(FX.csv, sizeof FX.csv, "%s", P("customers.csv"));
    snprintf(FX.reject, sizeof FX.reject, "%s", P("rejects.csv"));
    snprintf(FX.db, sizeof FX.db, "%s", P("work.db"));
    snprintf(FX.db_tmpl, sizeof FX.db_tmpl, "%s", P("template.db"));
    snprintf(FX.db_csv, sizeof FX.db_csv, "%s", P("more_transactions.csv"));
    snprintf(FX.export_path, sizeof FX.export_path, "%s", P("export.out"));
    write_file("customers.csv", "f_id,f_segment,f_region,f_plan,f_acquired,f_junk\n"
                                "A-1,consumer,الرياض,basic,2024-01-02T03:04:05Z,x\n"
                                "A-2,,Jeddah,,,y\n"
                                "A-3,smb,\"Dammam, East\",gold,not a time,z\n"
                                "A-4,enterprise,Abha,basic,2023-12-31T23:59:59.5+03:00,\n");
}

static void teardown(void) { tmpdir_teardown(); }

static void run_steps(const step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sweep(&steps[i]);
}

START_TEST(objects)
{
    static const step steps[] = {
        {"cx_calendar_new", NULL, calendar_new_call, NULL, calendar_new_out, NULL, true, 0, 0},
        {"cx_import_options_new", NULL, import_options_new_call, NULL, import_options_new_out, NULL, true, 0, 0},
        {"cx_monitor_new", NULL, monitor_new_call, NULL, monitor_new_out, NULL, true, 0, 0},
        {"cx_cohorts_options_new", NULL, cohorts_options_new_call, NULL, cohorts_options_new_out, NULL, true, 0, 0},
        {"cx_survival_options_new", NULL, survival_options_new_call, NULL, survival_options_new_out, NULL, true, 0, 0},
        {"cx_summary_options_new", NULL, summary_options_new_call, NULL, summary_options_new_out, NULL, true, 0, 0},
        {"cx_clv_options_new", NULL, clv_options_new_call, NULL, clv_options_new_out, NULL, true, 0, 0},
        {"cx_health_options_new", NULL, health_options_new_call, NULL, health_options_new_out, NULL, true, 0, 0},
        {"cx_care_rules_new", NULL, care_rules_new_call, NULL, care_rules_new_out, NULL, true, 0, 0},
        {"cx_model_data_new", NULL, model_data_new_call, NULL, model_data_new_out, NULL, true, 0, 0},
        {"cx_store_new", NULL, store_new_call, NULL, store_new_out, NULL, true, 0, 0},
        {"cx_model_new", NULL, model_new_call, NULL, model_out, NULL, true, 0, 0},
        {"cx_calendar_add_hours", cal_hours_prepare, cal_hours_call, cal_state, NULL, cal_cleanup, false, N_HOURS, 0},
        {"cx_calendar_add_holiday", cal_holidays_prepare, cal_holiday_call, cal_state, NULL, cal_cleanup, false,
         N_HOLIDAYS, 0},
        {"cx_import_options_map_column", io_map_prepare, io_map_call, io_state, NULL, io_cleanup, false, N_MAP, 0},
        {"cx_import_options_set_reject_path", io_reject_prepare, io_reject_call, io_state, NULL, io_cleanup, false, 2,
         0},
        {"cx_monitor_add_", mon_prepare, mon_call, mon_state, NULL, mon_cleanup, false, N_EVENTS, 0},
        {"cx_survival_options_set_churn_attribute", so_prepare, so_call, so_state, NULL, so_cleanup, false, 2, 0},
        {"cx_care_rules_add", rules_prepare, add_rule, care_state, NULL, rules_cleanup, false, N_RULES, 0},
        {"cx_care_rules_set_priority", priority_prepare, priority_call, care_state, NULL, rules_cleanup, false, 2, 0},
    };
    FX.s = make_store(77);
    run_steps(steps, sizeof steps / sizeof steps[0]);
    cx_store_free(FX.s);
}
END_TEST

static void print_model(const char *what, const cx_model *m)
{
    cx_result *p;
    OK(cx_model_params(&p, m));
    printf("# %s:", what);
    for (size_t i = 0; i < cx_result_row_count(p); i++)
        printf(" %s %.4g", result_str(p, i, "name"), result_real(p, i, "value"));
    printf("\n");
    cx_result_free(p);
}

START_TEST(models)
{
    static const step steps[] = {
        {"cx_model_fit_bgnbd", NULL, fit_bgnbd, fit_state, model_out, NULL, true, 0, 0},
        {"cx_model_fit_paretonbd", NULL, fit_pnbd, fit_state, model_out, NULL, true, 0, 0},
        {"cx_model_fit_gammagamma", NULL, fit_gg, fit_state, model_out, NULL, true, 0, 0},
        {"cx_model_fit_bgbb", NULL, fit_bgbb, fit_state, model_out, NULL, true, 0, 0},
        {"cx_model_fit_sbg", NULL, fit_sbg, fit_state, model_out, NULL, true, 0, 0},
        {"cx_model_params", NULL, params_call, NULL, result_out, NULL, true, 5, 0},
        {"cx_model_data_set", md_prepare, md_call, md_state, NULL, md_cleanup, false, 4, 0},
        {"cx_model_expected", NULL, expected_call, fit_state, pred_out, NULL, false, 0, 0},
        {"cx_model_p_alive", NULL, p_alive_call, fit_state, pred_out, NULL, false, 0, 0},
        {"cx_model_expected_spend", NULL, spend_call, fit_state, pred_out, NULL, false, 0, 0},
        {"cx_model_expected", NULL, bgbb_expected_call, fit_state, pred_out, NULL, false, 0, 0},
        /* BG/NBD without and with options, Pareto/NBD with options */
        {"cx_model_clv", clv_prepare, clv_call, fit_state, result_out, clv_cleanup, true, 3, 0},
        {"cx_survival_new", NULL, survival_new_call, fit_state, survival_out, NULL, true, 3, 0},
        {"cx_survival_curve", NULL, survival_curve_call, NULL, result_out, NULL, true, 0, 0},
        {"cx_survival_summary", NULL, survival_summary_call, NULL, result_out, NULL, true, 0, 0},
        {"cx_survival_median", NULL, survival_reads_call, NULL, pred_out, NULL, false, 0, 0},
        /* no options, Fleming-Harrington with strata, Peto-Peto with late entry */
        {"cx_logrank_new", NULL, logrank_call, fit_state, logrank_out, NULL, true, 3, 0},
        /* Efron with a covariate and a factor, Breslow with strata and late entry */
        {"cx_cox_fit", NULL, cox_fit_call, fit_state, cox_out, NULL, true, 2, 0},
        {"cx_cox_", NULL, cox_results_call, NULL, result_out, NULL, true, 5, 0},
    };
    OK(cx_model_fit_bgnbd(&FX.bgnbd, D.x, D.tx, D.T, NULL, N_FIT));
    OK(cx_model_fit_paretonbd(&FX.pnbd, D.px, D.ptx, D.pT, NULL, N_PNBD));
    OK(cx_model_fit_gammagamma(&FX.gg, D.x, D.mean, NULL, N_FIT));
    OK(cx_model_fit_bgbb(&FX.bgbb, D.bx, D.btx, D.bn, NULL, N_BGBB));
    OK(cx_model_fit_sbg(&FX.sbg, D.st, D.sc, NULL, N_SBG));
    print_model("BG/NBD (0.25, 4, 0.8, 2.4)", FX.bgnbd);
    print_model("Pareto/NBD (0.6, 6, 0.5, 10)", FX.pnbd);
    print_model("Gamma-Gamma (6, 3, 15)", FX.gg);
    print_model("BG/BB (1.2, 0.75, 0.65, 2.8)", FX.bgbb);
    print_model("sBG (0.7, 1.3)", FX.sbg);
    OK(cx_model_data_new(&FX.mdata, N_FIT));
    OK(cx_model_data_set(FX.mdata, CX_SUMMARY_FREQUENCY, D.x));
    OK(cx_model_data_set(FX.mdata, CX_SUMMARY_RECENCY, D.tx));
    OK(cx_model_data_set(FX.mdata, CX_SUMMARY_AGE, D.T));
    OK(cx_model_data_set(FX.mdata, CX_SUMMARY_MONETARY, D.mean));
    OK(cx_model_data_new(&FX.bdata, N_BGBB));
    OK(cx_model_data_set(FX.bdata, CX_SUMMARY_FREQUENCY, D.bx));
    OK(cx_model_data_set(FX.bdata, CX_SUMMARY_RECENCY, D.btx));
    OK(cx_model_data_set(FX.bdata, CX_SUMMARY_AGE, D.bn));
    OK(cx_survival_options_new(&FX.svo));
    OK(cx_survival_options_set_level(FX.svo, 0.9));
    OK(cx_survival_options_set_band(FX.svo, CX_BAND_LOG));
    OK(cx_survival_new(&FX.sv, D.vt, D.ve, D.vg, N_SURV, NULL));
    lr_cox_setup();
    run_steps(steps, sizeof steps / sizeof steps[0]);
    lr_cox_teardown();
    cx_survival_free(FX.sv);
    cx_survival_options_free(FX.svo);
    cx_model_data_free(FX.mdata);
    cx_model_data_free(FX.bdata);
    cx_model_free(FX.bgnbd);
    cx_model_free(FX.pnbd);
    cx_model_free(FX.gg);
    cx_model_free(FX.bgbb);
    cx_model_free(FX.sbg);
}
END_TEST

START_TEST(results)
{
    static const step steps[] = {
        {"cx_result_deserialize", NULL, deserialize_call, deser_state, qresult_out, NULL, true, 2, 0},
        {"cx_result_merge", NULL, merge_call, deser_state, qresult_out, NULL, true, 0, 0},
        {"cx_result_serialize", NULL, serialize_call, NULL, serialize_out, NULL, false, 0, 0},
        {"cx_result_quantile", NULL, reads_call, NULL, pred_out, NULL, false, 0, 0},
        {"cx_result_export_csv", NULL, export_csv_call, NULL, export_out, NULL, false, 0, 0},
        {"cx_result_export_json", NULL, export_json_call, NULL, export_out, NULL, false, 0, 0},
        {"cx_result_pseudonymize", pseudo_prepare, pseudo_call, pseudo_state, NULL, pseudo_cleanup, false, 0, 0},
    };
    FX.s = make_store(77);
    cx_result *a = run_query(FX.s, T("2023-06-01T00:00:00Z"), T("2023-11-01T00:00:00Z"));
    cx_store *shard = make_store(78); /* a second shard: the same query on other data */
    cx_result *b = run_query(shard, T("2023-06-01T00:00:00Z"), T("2023-11-01T00:00:00Z"));
    cx_store_free(shard);
    FX.ser1 = serialize(&FX.ser1_len, a);
    FX.ser2 = serialize(&FX.ser2_len, b);
    cx_result_free(a);
    cx_result_free(b);
    EXPECT(FX.ser1_len <= sizeof FX.bytes, "FX.bytes is too small for the serialised result");
    OK(cx_result_deserialize(&FX.d1, FX.ser1, FX.ser1_len));
    OK(cx_result_deserialize(&FX.d2, FX.ser2, FX.ser2_len));
    printf("# serialised query results: %zu and %zu bytes, %zu and %zu groups\n", FX.ser1_len, FX.ser2_len,
           cx_result_row_count(FX.d1), cx_result_row_count(FX.d2));
    run_steps(steps, sizeof steps / sizeof steps[0]);
    cx_result_free(FX.d1);
    cx_result_free(FX.d2);
    free(FX.ser1);
    free(FX.ser2);
    cx_store_free(FX.s);
}
END_TEST

START_TEST(sqlite)
{
    static const step steps[] = {
        {"cx_db_save", db_save_prepare, db_save_call, NULL, NULL, NULL, false, 0, 0},
        {"cx_db_load", db_copy_prepare, db_load_call, NULL, store_out, NULL, true, 0, 5},
        {"cx_db_import_csv", db_copy_prepare, db_import_call, db_state, report_out, NULL, true, 0, 0},
        {"cx_db_forget", db_copy_prepare, db_forget_call, db_state, forget_out, NULL, false, 0, 0},
    };
    FX.s = make_store(77);
    OK(cx_db_save(FX.s, FX.db_tmpl));
    /* new purchases: of known customers, of an unknown one (rejected) and a bad amount */
    sbuf b = {0};
    sb_printf(&b, "id,customer,time,amount\n");
    for (int i = 0; i < 120; i++)
        sb_printf(&b, "Y-%04d,C-%03d,2024-03-%02dT10:00:00Z,%d.%02d\n", i, i % 80, 1 + i % 28, 10 + i, i % 100);
    sb_printf(&b, "Y-9998,NOBODY,2024-03-01T10:00:00Z,1\nY-9999,C-001,2024-03-01T10:00:00Z,abc\n");
    char *text = sb_take(&b);
    write_file("more_transactions.csv", text);
    dfree(text);
    run_steps(steps, sizeof steps / sizeof steps[0]);
    db_remove();
    cx_store_free(FX.s);
}
END_TEST

static Suite *suite(void)
{
    Suite *su = suite_create("allocfail_malloc");
    const char *names[] = {"objects", "models", "results", "sqlite"};
    const TTest *tests[] = {objects, models, results, sqlite};
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        TCase *tc = tcase_create(names[i]);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, tests[i]);
        suite_add_tcase(su, tc);
    }
    return su;
}

/* In this process (not forked), so that the points add up to the total. */
int main(void)
{
    const char *st = getenv("CXT_ALLOCFAIL_STRIDE");
    if (st && atoi(st) > 1)
        stride = (size_t)atoi(st);
    make_data();
    SRunner *sr = srunner_create(suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("# malloc-level allocation failure points in all: %zu, %zu of them refused (%zu absorbed with the same "
           "outcome)\n",
           total_points, total_swept, total_absorbed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
