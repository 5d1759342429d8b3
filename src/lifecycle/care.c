/*
 * Customer health and proactive care: the weighted health score (signals
 * normalised to [0, 1], weights and windows from an options handle) and
 * the care rules, held as data and applied to a store at an as-of time.
 * Both read the store's columns directly, one pass per table, into
 * per-customer arrays; formulas are in include/cxkit/lifecycle.h.
 */
#include "lifecycle_private.h"

#include "cxkit/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define DAY_MS 86400000LL
#define NSIG CX_HEALTH_SIGNAL_COUNT

static const char *cust_id(const cx_store *s, uint32_t c) { return cxi_pool_str(&s->keys[CX_TABLE_CUSTOMERS], c); }

/* Whether t (< as_of) lies in the window before as_of; 0: no limit. */
static bool in_window(cx_time t, cx_time as_of, int64_t window)
{
    return t < as_of && (window == 0 || t >= as_of - window);
}

/* The ease of a survey answer on its question's scale, 1 being good. */
static double ease_of(const cx_store *s, uint32_t q, double score)
{
    double lo = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MIN, double)[q];
    double hi = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MAX, double)[q];
    double v = (score - lo) / (hi - lo);
    return CXI_COL(s, CX_TABLE_QUESTIONS, QU_HIB, uint8_t)[q] ? v : 1 - v;
}

/* P(alive) of every summary row; *out is NULL when there is no model. */
static int summary_p_alive(double **out, cxi_mem *mem, const cx_store *store, const cx_model *model,
                           const cx_summary *sum, const char *fn)
{
    *out = NULL;
    if (!model && !sum)
        return CX_OK;
    if (!model || !sum)
        return cxi_fail(CX_EINVAL, "%s: model and summary go together (%s is NULL)", fn, !model ? "model" : "summary");
    if (sum->store != store)
        return cxi_fail(CX_EINVAL, "%s: the summary is of another store", fn);
    cx_model_kind kind = cxi_model_kind(model);
    if (kind != CX_MODEL_BGNBD && kind != CX_MODEL_PARETO_NBD)
        return cxi_fail(CX_EINVAL, "%s: P(alive) needs a BG/NBD or Pareto/NBD model", fn);
    double *pa = cxi_alloc(mem, (sum->n + 1) * sizeof *pa);
    if (!pa)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    int rc = cxi_model_p_alive(pa, model, sum->col[CX_SUMMARY_FREQUENCY], sum->col[CX_SUMMARY_RECENCY],
                               sum->col[CX_SUMMARY_AGE], sum->n, fn);
    if (rc) {
        cxi_free(mem, pa, (sum->n + 1) * sizeof *pa);
        return rc;
    }
    *out = pa;
    return CX_OK;
}

/* ---- health options ------------------------------------------------------ */

struct cx_health_options {
    double weight[NSIG];
    int64_t window[NSIG];
    double scale[NSIG];
};

static const char *const signal_names[NSIG] = {"nps",     "csat",    "ces",     "open_cases",
                                               "repeat_cases", "recency", "p_alive", "value"};

static void health_defaults(cx_health_options *o)
{
    static const double w[NSIG] = {2, 1, 1, 1, 1, 2, 2, 1};
    static const int64_t win[NSIG] = {365 * DAY_MS, 365 * DAY_MS, 365 * DAY_MS, 0, 90 * DAY_MS, 180 * DAY_MS, 0,
                                      365 * DAY_MS};
    static const double sc[NSIG] = {0, 0, 0, 3, 2, 0, 0, 0};
    memcpy(o->weight, w, sizeof w);
    memcpy(o->window, win, sizeof win);
    memcpy(o->scale, sc, sizeof sc);
}

int cx_health_options_new(cx_health_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_health_options_new: out is NULL");
    *out = NULL;
    cx_health_options *o = malloc(sizeof *o);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_health_options_new: out of memory");
    health_defaults(o);
    *out = o;
    return CX_OK;
}

void cx_health_options_free(cx_health_options *o) { free(o); }

static int check_signal(const void *o, int signal, const char *fn)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    if (signal < 0 || signal >= NSIG)
        return cxi_fail(CX_EINVAL, "%s: signal %d is not a cx_health_signal", fn, signal);
    return CX_OK;
}

int cx_health_options_set_weight(cx_health_options *o, int signal, double weight)
{
    static const char fn[] = "cx_health_options_set_weight";
    int rc = check_signal(o, signal, fn);
    if (rc)
        return rc;
    if (!isfinite(weight) || weight < 0)
        return cxi_fail(CX_ERANGE, "%s: %s: weight %g is not finite and >= 0", fn, signal_names[signal], weight);
    o->weight[signal] = weight;
    return CX_OK;
}

int cx_health_options_set_window(cx_health_options *o, int signal, int64_t window_ms)
{
    static const char fn[] = "cx_health_options_set_window";
    int rc = check_signal(o, signal, fn);
    if (rc)
        return rc;
    if (window_ms < 0 || (signal == CX_HEALTH_RECENCY && window_ms == 0))
        return cxi_fail(CX_ERANGE, "%s: %s: window %lld ms is not %s", fn, signal_names[signal],
                        (long long)window_ms, signal == CX_HEALTH_RECENCY ? "> 0" : ">= 0");
    o->window[signal] = window_ms;
    return CX_OK;
}

int cx_health_options_set_scale(cx_health_options *o, int signal, double scale)
{
    static const char fn[] = "cx_health_options_set_scale";
    int rc = check_signal(o, signal, fn);
    if (rc)
        return rc;
    if (signal != CX_HEALTH_OPEN_CASES && signal != CX_HEALTH_REPEAT_CASES && signal != CX_HEALTH_VALUE)
        return cxi_fail(CX_EINVAL, "%s: signal %s has no scale", fn, signal_names[signal]);
    if (!isfinite(scale) || scale < 0 || (signal != CX_HEALTH_VALUE && scale == 0))
        return cxi_fail(CX_ERANGE, "%s: %s: scale %g is not finite and %s", fn, signal_names[signal], scale,
                        signal == CX_HEALTH_VALUE ? ">= 0" : "> 0");
    o->scale[signal] = scale;
    return CX_OK;
}

int cx_health_signal_name(const char **out, int signal)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_health_signal_name: out is NULL");
    if (signal < 0 || signal >= NSIG)
        return cxi_fail(CX_EINVAL, "cx_health_signal_name: signal %d is not a cx_health_signal", signal);
    *out = signal_names[signal];
    return CX_OK;
}

/* ---- health scores --------------------------------------------------------- */

struct cx_health {
    cxi_mem mem;
    const cx_store *store;
    size_t n;
    double *buf;    /* one block: score[n], then value, contrib, raw [n x NSIG] */
    double *score, *value, *contrib, *raw;
};

static size_t health_bytes(size_t n) { return (n * (3 * NSIG + 1) + 1) * sizeof(double); }

void cx_health_free(cx_health *h)
{
    if (!h)
        return;
    cxi_mem mem = h->mem;
    cxi_free(&mem, h->buf, health_bytes(h->n));
    cxi_free(&mem, h, sizeof *h);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The number of values in sorted[0, n) that are < v (or <= v). */
static size_t count_below(const double *sorted, size_t n, double v, bool or_equal)
{
    size_t a = 0, b = n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (sorted[m] < v || (or_equal && sorted[m] == v))
            a = m + 1;
        else
            b = m;
    }
    return a;
}

int cx_health_new(cx_health **out, const cx_store *store, const cx_health_options *options, cx_time as_of,
                  const cx_model *model, const cx_summary *summary)
{
    static const char fn[] = "cx_health_new";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (as_of == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: as_of is missing", fn);
    cx_health_options defaults;
    if (!options) {
        health_defaults(&defaults);
        options = &defaults;
    }
    const cx_health_options *o = options;
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    size_t n = store->t[CX_TABLE_CUSTOMERS].n;
    double *pa = NULL;
    int rc = summary_p_alive(&pa, &mem, store, model, summary, fn);
    if (rc)
        return rc;
    cx_health *h = cxi_alloc(&mem, sizeof *h);
    double *buf = cxi_alloc(&mem, health_bytes(n));
    cx_time *stamp = cxi_alloc(&mem, (3 * n + 1) * sizeof *stamp); /* latest answer per feedback signal */
    double *sorted = cxi_alloc(&mem, (n + 1) * sizeof *sorted);
    if (!h || !buf || !stamp || !sorted) {
        cxi_free(&mem, h, sizeof *h);
        cxi_free(&mem, buf, health_bytes(n));
        cxi_free(&mem, stamp, (3 * n + 1) * sizeof *stamp);
        cxi_free(&mem, sorted, (n + 1) * sizeof *sorted);
        if (pa)
            cxi_free(&mem, pa, (summary->n + 1) * sizeof *pa);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    h->mem = mem;
    h->store = store;
    h->n = n;
    h->buf = buf;
    h->score = buf;
    h->value = buf + n;
    h->contrib = buf + n + n * NSIG;
    h->raw = buf + n + 2 * n * NSIG;
    for (size_t i = 0; i < n * NSIG; i++)
        h->raw[i] = NAN;
    for (size_t i = 0; i < 3 * n; i++)
        stamp[i] = CX_TIME_NONE;
    for (size_t c = 0; c < n; c++) {
        h->raw[c * NSIG + CX_HEALTH_OPEN_CASES] = 0;
        h->raw[c * NSIG + CX_HEALTH_REPEAT_CASES] = 0;
        h->raw[c * NSIG + CX_HEALTH_VALUE] = 0;
    }
    /* feedback: the latest answer in each signal's window (the later row on a tie) */
    {
        size_t nf = store->t[CX_TABLE_FEEDBACK].n;
        const uint32_t *cu = CXI_COL(store, CX_TABLE_FEEDBACK, FB_CUSTOMER, uint32_t);
        const uint32_t *qu = CXI_COL(store, CX_TABLE_FEEDBACK, FB_QUESTION, uint32_t);
        const double *sc = CXI_COL(store, CX_TABLE_FEEDBACK, FB_SCORE, double);
        const int64_t *tm = CXI_COL(store, CX_TABLE_FEEDBACK, FB_TIME, int64_t);
        const uint8_t *metric = CXI_COL(store, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t);
        for (size_t i = 0; i < nf; i++) {
            int k = metric[qu[i]]; /* CX_METRIC_NPS, CSAT, CES are signals 0, 1, 2 */
            if (k > CX_METRIC_CES || !in_window(tm[i], as_of, o->window[k]))
                continue;
            cx_time *st = &stamp[3 * cu[i] + (size_t)k];
            if (*st != CX_TIME_NONE && tm[i] < *st)
                continue;
            *st = tm[i];
            h->raw[cu[i] * NSIG + (size_t)k] = sc[i];
            h->value[cu[i] * NSIG + (size_t)k] = ease_of(store, qu[i], sc[i]);
        }
    }
    /* cases */
    {
        size_t nc = store->t[CX_TABLE_CASES].n;
        const uint32_t *cu = CXI_COL(store, CX_TABLE_CASES, CA_CUSTOMER, uint32_t);
        const int64_t *op = CXI_COL(store, CX_TABLE_CASES, CA_OPENED, int64_t);
        const int64_t *rs = CXI_COL(store, CX_TABLE_CASES, CA_RESOLVED, int64_t);
        const int32_t *ro = CXI_COL(store, CX_TABLE_CASES, CA_REOPENS, int32_t);
        const int32_t *ct = CXI_COL(store, CX_TABLE_CASES, CA_CONTACTS, int32_t);
        for (size_t i = 0; i < nc; i++) {
            if (in_window(op[i], as_of, o->window[CX_HEALTH_OPEN_CASES]) && (rs[i] == CX_TIME_NONE || rs[i] >= as_of))
                h->raw[cu[i] * NSIG + CX_HEALTH_OPEN_CASES] += 1;
            if (in_window(op[i], as_of, o->window[CX_HEALTH_REPEAT_CASES]) && (ct[i] >= 2 || ro[i] >= 1))
                h->raw[cu[i] * NSIG + CX_HEALTH_REPEAT_CASES] += 1;
        }
    }
    /* activity (stamp[3c] reused as the last activity) and spend */
    for (size_t c = 0; c < n; c++)
        stamp[3 * c] = CX_TIME_NONE;
    {
        size_t nt = store->t[CX_TABLE_TRANSACTIONS].n;
        const uint32_t *cu = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
        const int64_t *tm = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_TIME, int64_t);
        const double *am = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_AMOUNT, double);
        for (size_t i = 0; i < nt; i++) {
            if (tm[i] >= as_of)
                continue;
            if (stamp[3 * cu[i]] == CX_TIME_NONE || tm[i] > stamp[3 * cu[i]])
                stamp[3 * cu[i]] = tm[i];
            if (in_window(tm[i], as_of, o->window[CX_HEALTH_VALUE]))
                h->raw[cu[i] * NSIG + CX_HEALTH_VALUE] += am[i];
        }
        size_t ni = store->t[CX_TABLE_INTERACTIONS].n;
        const uint32_t *icu = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
        const int64_t *itm = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_TIME, int64_t);
        const uint8_t *dir = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
        for (size_t i = 0; i < ni; i++)
            if (dir[i] == CX_INBOUND && itm[i] < as_of &&
                (stamp[3 * icu[i]] == CX_TIME_NONE || itm[i] > stamp[3 * icu[i]]))
                stamp[3 * icu[i]] = itm[i];
    }
    for (size_t c = 0; c < n; c++)
        sorted[c] = h->raw[c * NSIG + CX_HEALTH_VALUE];
    qsort(sorted, n, sizeof *sorted, cmp_double);
    for (size_t c = 0; c < n; c++) {
        double *v = h->value + c * NSIG, *raw = h->raw + c * NSIG;
        for (int k = 0; k < 3; k++)
            if (isnan(raw[k]))
                v[k] = NAN;
        v[CX_HEALTH_OPEN_CASES] = 1 - fmin(raw[CX_HEALTH_OPEN_CASES] / o->scale[CX_HEALTH_OPEN_CASES], 1);
        v[CX_HEALTH_REPEAT_CASES] = 1 - fmin(raw[CX_HEALTH_REPEAT_CASES] / o->scale[CX_HEALTH_REPEAT_CASES], 1);
        if (stamp[3 * c] == CX_TIME_NONE) {
            v[CX_HEALTH_RECENCY] = 0;
        } else {
            double d = (double)(as_of - stamp[3 * c]);
            raw[CX_HEALTH_RECENCY] = d / (double)DAY_MS;
            v[CX_HEALTH_RECENCY] = 1 - fmin(d / (double)o->window[CX_HEALTH_RECENCY], 1);
        }
        v[CX_HEALTH_P_ALIVE] = NAN;
        double val = raw[CX_HEALTH_VALUE];
        if (o->scale[CX_HEALTH_VALUE] > 0) {
            v[CX_HEALTH_VALUE] = fmin(val / o->scale[CX_HEALTH_VALUE], 1);
        } else if (n == 1) {
            v[CX_HEALTH_VALUE] = 0.5;
        } else {
            size_t below = count_below(sorted, n, val, false), upto = count_below(sorted, n, val, true);
            v[CX_HEALTH_VALUE] = ((double)below + 0.5 * (double)(upto - below - 1)) / (double)(n - 1);
        }
    }
    if (pa) {
        for (size_t i = 0; i < summary->n; i++) {
            size_t c = summary->cust[i];
            h->raw[c * NSIG + CX_HEALTH_P_ALIVE] = pa[i];
            h->value[c * NSIG + CX_HEALTH_P_ALIVE] = pa[i];
        }
        cxi_free(&h->mem, pa, (summary->n + 1) * sizeof *pa);
    }
    for (size_t c = 0; c < n; c++) {
        const double *v = h->value + c * NSIG;
        double *ctb = h->contrib + c * NSIG, W = 0;
        for (int k = 0; k < NSIG; k++)
            if (o->weight[k] > 0 && !isnan(v[k]))
                W += o->weight[k];
        double sum = 0;
        for (int k = 0; k < NSIG; k++) {
            ctb[k] = W > 0 && o->weight[k] > 0 && !isnan(v[k]) ? 100 * o->weight[k] * v[k] / W : 0;
            sum += ctb[k];
        }
        h->score[c] = W > 0 ? sum : NAN;
    }
    cxi_free(&h->mem, stamp, (3 * n + 1) * sizeof *stamp);
    cxi_free(&h->mem, sorted, (n + 1) * sizeof *sorted);
    *out = h;
    return CX_OK;
}

size_t cx_health_count(const cx_health *h) { return h ? h->n : 0; }

static int check_health(const cx_health *h, size_t i, const char *fn)
{
    if (!h)
        return cxi_fail(CX_EINVAL, "%s: health is NULL", fn);
    if (i >= h->n)
        return cxi_fail(CX_ERANGE, "%s: index %zu is out of range (%zu customers)", fn, i, h->n);
    return CX_OK;
}

int cx_health_find(size_t *out, const cx_health *h, const char *customer)
{
    if (!out || !h || !customer)
        return cxi_fail(CX_EINVAL, "cx_health_find: %s is NULL", !out ? "out" : !h ? "health" : "customer");
    uint32_t c = cxi_pool_find(&h->store->keys[CX_TABLE_CUSTOMERS], customer, strlen(customer));
    if (c == CXI_NONE || c >= h->n) {
        char qb[80];
        return cxi_fail(CX_ENOTFOUND, "cx_health_find: no customer '%s'", cxi_quote(qb, customer));
    }
    *out = c;
    return CX_OK;
}

int cx_health_score(double *score, const char **customer, const cx_health *h, size_t index)
{
    static const char fn[] = "cx_health_score";
    if (!score)
        return cxi_fail(CX_EINVAL, "%s: score is NULL", fn);
    int rc = check_health(h, index, fn);
    if (rc)
        return rc;
    *score = h->score[index];
    if (customer)
        *customer = cust_id(h->store, (uint32_t)index);
    return CX_OK;
}

int cx_health_signal_value(double *value, double *contribution, double *raw, const cx_health *h, size_t index, int signal)
{
    static const char fn[] = "cx_health_signal_value";
    int rc = check_health(h, index, fn);
    if (rc)
        return rc;
    if (signal < 0 || signal >= NSIG)
        return cxi_fail(CX_EINVAL, "%s: signal %d is not a cx_health_signal", fn, signal);
    size_t j = index * NSIG + (size_t)signal;
    if (value)
        *value = h->value[j];
    if (contribution)
        *contribution = h->contrib[j];
    if (raw)
        *raw = h->raw[j];
    return CX_OK;
}

/* ---- care rules -------------------------------------------------------------- */

typedef struct care_rule {
    int kind, priority;
    double threshold, min_value;
    int64_t window, baseline;
    char *case_priority; /* malloc'd, or NULL */
} care_rule;

struct cx_care_rules {
    care_rule *r;
    size_t n, cap;
};

static const char *const kind_names[CX_CARE_KIND_COUNT] = {"detractor_after_case", "repeat_contacts", "sla_breach",
                                                          "high_effort",          "activity_drop",   "low_p_alive"};

int cx_care_kind_name(const char **out, int kind)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_care_kind_name: out is NULL");
    if (kind < 0 || kind >= CX_CARE_KIND_COUNT)
        return cxi_fail(CX_EINVAL, "cx_care_kind_name: kind %d is not a cx_care_kind", kind);
    *out = kind_names[kind];
    return CX_OK;
}

int cx_care_rules_new(cx_care_rules **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_care_rules_new: out is NULL");
    *out = NULL;
    cx_care_rules *r = calloc(1, sizeof *r);
    if (!r)
        return cxi_fail(CX_ENOMEM, "cx_care_rules_new: out of memory");
    *out = r;
    return CX_OK;
}

void cx_care_rules_free(cx_care_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->r[i].case_priority);
    free(r->r);
    free(r);
}

size_t cx_care_rules_count(const cx_care_rules *r) { return r ? r->n : 0; }

int cx_care_rules_add(size_t *out_rule, cx_care_rules *rules, int kind, int priority, double threshold,
                      double min_value, int64_t window_ms, int64_t baseline_ms)
{
    static const char fn[] = "cx_care_rules_add";
    if (!rules)
        return cxi_fail(CX_EINVAL, "%s: rules is NULL", fn);
    if (kind < 0 || kind >= CX_CARE_KIND_COUNT)
        return cxi_fail(CX_EINVAL, "%s: kind %d is not a cx_care_kind", fn, kind);
    const char *kn = kind_names[kind];
    if (!isfinite(threshold) || threshold < 0 || !isfinite(min_value) || min_value < 0)
        return cxi_fail(CX_ERANGE, "%s: %s: threshold %g and min_value %g must be finite and >= 0", fn, kn, threshold,
                        min_value);
    if (window_ms < 0 || baseline_ms < 0)
        return cxi_fail(CX_ERANGE, "%s: %s: window and baseline must be >= 0", fn, kn);
    bool uses_min = kind == CX_CARE_ACTIVITY_DROP || kind == CX_CARE_LOW_P_ALIVE;
    bool uses_base = kind == CX_CARE_ACTIVITY_DROP || kind == CX_CARE_SLA_BREACH;
    bool uses_thr = kind != CX_CARE_SLA_BREACH;
    if ((!uses_min && min_value != 0) || (!uses_base && baseline_ms != 0) || (!uses_thr && threshold != 0) ||
        (kind == CX_CARE_LOW_P_ALIVE && window_ms != 0))
        return cxi_fail(CX_EINVAL, "%s: %s: a parameter this kind does not use is not 0", fn, kn);
    const char *bad = NULL;
    switch (kind) {
    case CX_CARE_DETRACTOR_AFTER_CASE:
        if (threshold > 10)
            bad = "threshold is not an NPS answer (0 to 10)";
        break;
    case CX_CARE_REPEAT_CONTACTS:
        if (threshold < 1)
            bad = "threshold (contacts) is not >= 1";
        break;
    case CX_CARE_SLA_BREACH:
        if (window_ms == 0 && baseline_ms == 0)
            bad = "neither a resolution (window) nor a first-response (baseline) target is set";
        break;
    case CX_CARE_HIGH_EFFORT:
        if (threshold > 1)
            bad = "threshold (ease) is not within 0 to 1";
        break;
    case CX_CARE_ACTIVITY_DROP:
        if (threshold >= 1 || baseline_ms == 0)
            bad = "threshold (rate ratio) is not below 1, or the baseline is 0";
        break;
    default:
        if (threshold == 0 || threshold > 1)
            bad = "threshold (P(alive)) is not within (0, 1]";
        break;
    }
    if (!bad && kind != CX_CARE_SLA_BREACH && kind != CX_CARE_LOW_P_ALIVE && window_ms == 0)
        bad = "window is 0";
    if (bad)
        return cxi_fail(CX_ERANGE, "%s: %s: %s", fn, kn, bad);
    if (rules->n == rules->cap) {
        size_t cap = rules->cap ? 2 * rules->cap : 8;
        care_rule *r = realloc(rules->r, cap * sizeof *r);
        if (!r)
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        rules->r = r;
        rules->cap = cap;
    }
    rules->r[rules->n] = (care_rule){kind, priority, threshold, min_value, window_ms, baseline_ms, NULL};
    if (out_rule)
        *out_rule = rules->n;
    rules->n++;
    return CX_OK;
}

int cx_care_rules_set_priority(cx_care_rules *rules, size_t rule, const char *priority)
{
    static const char fn[] = "cx_care_rules_set_priority";
    if (!rules)
        return cxi_fail(CX_EINVAL, "%s: rules is NULL", fn);
    if (rule >= rules->n)
        return cxi_fail(CX_ERANGE, "%s: rule %zu is out of range (%zu rules)", fn, rule, rules->n);
    if (rules->r[rule].kind != CX_CARE_SLA_BREACH)
        return cxi_fail(CX_EINVAL, "%s: rule %zu is not an sla_breach rule", fn, rule);
    char *copy = NULL;
    if (priority) {
        size_t len = strlen(priority);
        if (!(copy = malloc(len + 1)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        memcpy(copy, priority, len + 1);
    }
    free(rules->r[rule].case_priority);
    rules->r[rule].case_priority = copy;
    return CX_OK;
}

/* ---- evaluation ------------------------------------------------------------- */

#define REASON_LEN 160

typedef struct care_entry {
    uint32_t cust, rule;
    int kind, priority;
    cx_time time;
    double value;
    uint32_t ref; /* the case or feedback row behind the evidence, for the reason */
    double aux;   /* a second number for the reason */
} care_entry;

struct cx_care_list {
    cxi_mem mem;
    const cx_store *store;
    size_t n, cap;  /* entries, and the room of their block (cap + 1) */
    care_entry *e;
    char *reasons; /* n x REASON_LEN */
};

void cx_care_list_free(cx_care_list *l)
{
    if (!l)
        return;
    cxi_mem mem = l->mem;
    cxi_free(&mem, l->e, (l->cap + 1) * sizeof *l->e);
    cxi_free(&mem, l->reasons, l->n * REASON_LEN + 1);
    cxi_free(&mem, l, sizeof *l);
}

/* Per-customer candidates of one rule: the best evidence so far. */
typedef struct cand {
    cx_time time;   /* CX_TIME_NONE: no match */
    double value, aux;
    uint32_t ref;
} cand;

/* Scratch shared by the rules of one evaluation. */
typedef struct care_ctx {
    const cx_store *s;
    cx_time as_of;
    size_t ncust, ncase;
    cand *cand;            /* ncust */
    uint32_t *case_count;  /* ncase: inbound contacts linked before as_of */
    cx_time *case_last;    /* ncase: the latest of them */
    cx_time *act;          /* ncust: last activity before as_of */
    cx_time *last_buy;     /* ncust: last purchase before as_of */
    double *pa;            /* P(alive) per summary row, or NULL */
    const cx_summary *sum;
} care_ctx;

static void offer(cand *c, cx_time t, double value, double aux, uint32_t ref, bool better)
{
    if (c->time == CX_TIME_NONE || better) {
        c->time = t;
        c->value = value;
        c->aux = aux;
        c->ref = ref;
    }
}

static void rule_feedback(care_ctx *x, const care_rule *r, int metric)
{
    const cx_store *s = x->s;
    size_t nf = s->t[CX_TABLE_FEEDBACK].n, ni = s->t[CX_TABLE_INTERACTIONS].n;
    const uint32_t *cu = CXI_COL(s, CX_TABLE_FEEDBACK, FB_CUSTOMER, uint32_t);
    const uint32_t *qu = CXI_COL(s, CX_TABLE_FEEDBACK, FB_QUESTION, uint32_t);
    const double *sc = CXI_COL(s, CX_TABLE_FEEDBACK, FB_SCORE, double);
    const int64_t *tm = CXI_COL(s, CX_TABLE_FEEDBACK, FB_TIME, int64_t);
    const uint32_t *fca = CXI_COL(s, CX_TABLE_FEEDBACK, FB_CASE, uint32_t);
    const uint32_t *fin = CXI_COL(s, CX_TABLE_FEEDBACK, FB_INTERACTION, uint32_t);
    const uint32_t *ica = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CASE, uint32_t);
    const uint8_t *qm = CXI_COL(s, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t);
    for (size_t i = 0; i < nf; i++) {
        if (qm[qu[i]] != metric || !in_window(tm[i], x->as_of, r->window))
            continue;
        uint32_t ref = (uint32_t)i;
        if (metric == CX_METRIC_NPS) {
            if (sc[i] > r->threshold)
                continue;
            uint32_t ca = fca[i];
            if (ca == CXI_NONE && fin[i] != CXI_NONE && fin[i] < ni)
                ca = ica[fin[i]];
            if (ca == CXI_NONE)
                continue;
            ref = ca;
        } else if (ease_of(s, qu[i], sc[i]) > r->threshold) {
            continue;
        }
        cand *c = &x->cand[cu[i]];
        offer(c, tm[i], sc[i], (double)i, ref, tm[i] >= c->time);
    }
}

static void rule_repeat(care_ctx *x, const care_rule *r)
{
    const cx_store *s = x->s;
    const uint32_t *cu = CXI_COL(s, CX_TABLE_CASES, CA_CUSTOMER, uint32_t);
    const int64_t *op = CXI_COL(s, CX_TABLE_CASES, CA_OPENED, int64_t);
    const int32_t *ct = CXI_COL(s, CX_TABLE_CASES, CA_CONTACTS, int32_t);
    for (size_t i = 0; i < x->ncase; i++) {
        if (op[i] >= x->as_of)
            continue;
        double k = fmax((double)ct[i], (double)x->case_count[i]);
        cx_time t = x->case_last[i] != CX_TIME_NONE && x->case_last[i] > op[i] ? x->case_last[i] : op[i];
        if (k < r->threshold || !in_window(t, x->as_of, r->window))
            continue;
        cand *c = &x->cand[cu[i]];
        offer(c, t, k, 0, (uint32_t)i, k > c->value || (k == c->value && t > c->time));
    }
}

static void rule_sla(care_ctx *x, const care_rule *r, uint32_t prio)
{
    const cx_store *s = x->s;
    const uint32_t *cu = CXI_COL(s, CX_TABLE_CASES, CA_CUSTOMER, uint32_t);
    const uint32_t *pr = CXI_COL(s, CX_TABLE_CASES, CA_PRIORITY, uint32_t);
    const int64_t *op = CXI_COL(s, CX_TABLE_CASES, CA_OPENED, int64_t);
    const int64_t *fr = CXI_COL(s, CX_TABLE_CASES, CA_FIRST_RESPONSE, int64_t);
    const int64_t *rs = CXI_COL(s, CX_TABLE_CASES, CA_RESOLVED, int64_t);
    for (size_t i = 0; i < x->ncase; i++) {
        if (op[i] >= x->as_of || (rs[i] != CX_TIME_NONE && rs[i] < x->as_of) ||
            (r->case_priority && pr[i] != prio))
            continue;
        cx_time due = CX_TIME_NONE;
        int which = 0; /* 1 resolution, 2 first response */
        if (r->window > 0 && x->as_of - op[i] > r->window) {
            due = op[i] + r->window;
            which = 1;
        }
        if (r->baseline > 0 && (fr[i] == CX_TIME_NONE || fr[i] >= x->as_of) && x->as_of - op[i] > r->baseline &&
            (due == CX_TIME_NONE || op[i] + r->baseline < due)) {
            due = op[i] + r->baseline;
            which = 2;
        }
        if (due == CX_TIME_NONE)
            continue;
        double hours = (double)(x->as_of - due) / 3600000.0;
        cand *c = &x->cand[cu[i]];
        offer(c, due, hours, which, (uint32_t)i, due < c->time);
    }
}

static void rule_drop(care_ctx *x, const care_rule *r, double *recent, double *base)
{
    const cx_store *s = x->s;
    cx_time a = x->as_of, w0 = a - r->window, b0 = w0 - r->baseline;
    memset(recent, 0, x->ncust * sizeof *recent);
    memset(base, 0, x->ncust * sizeof *base);
    size_t nt = s->t[CX_TABLE_TRANSACTIONS].n, ni = s->t[CX_TABLE_INTERACTIONS].n;
    const uint32_t *tcu = CXI_COL(s, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
    const int64_t *ttm = CXI_COL(s, CX_TABLE_TRANSACTIONS, TR_TIME, int64_t);
    const uint32_t *icu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const int64_t *itm = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_TIME, int64_t);
    const uint8_t *dir = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
    for (size_t i = 0; i < nt; i++) {
        if (ttm[i] >= w0 && ttm[i] < a)
            recent[tcu[i]]++;
        else if (ttm[i] >= b0 && ttm[i] < w0)
            base[tcu[i]]++;
    }
    for (size_t i = 0; i < ni; i++) {
        if (dir[i] != CX_INBOUND)
            continue;
        if (itm[i] >= w0 && itm[i] < a)
            recent[icu[i]]++;
        else if (itm[i] >= b0 && itm[i] < w0)
            base[icu[i]]++;
    }
    for (size_t c = 0; c < x->ncust; c++) {
        if (base[c] <= 0 || base[c] < r->min_value)
            continue;
        double ratio = (recent[c] / (double)r->window) / (base[c] / (double)r->baseline);
        if (ratio <= r->threshold)
            offer(&x->cand[c], x->act[c], ratio, recent[c], (uint32_t)base[c], true);
    }
}

static void rule_p_alive(care_ctx *x, const care_rule *r)
{
    const cx_summary *sum = x->sum;
    const double *total = sum->col[CX_SUMMARY_TOTAL];
    for (size_t i = 0; i < sum->n; i++) {
        uint32_t c = sum->cust[i];
        if (x->pa[i] < r->threshold && total[i] >= r->min_value)
            offer(&x->cand[c], x->last_buy[c], x->pa[i], total[i], (uint32_t)i, true);
    }
}

static void fmt_day(char *buf, size_t cap, cx_time t)
{
    char full[CX_TIME_FORMAT_MAX];
    if (t == CX_TIME_NONE || cx_time_format(full, sizeof full, t, 0) != CX_OK) {
        snprintf(buf, cap, "-");
        return;
    }
    snprintf(buf, cap, "%.10s", full);
}

static void reason_of(char *buf, const cx_store *s, const care_rule *r, const care_entry *e)
{
    char day[16];
    fmt_day(day, sizeof day, e->time);
    const char *case_id = "";
    if (e->kind == CX_CARE_DETRACTOR_AFTER_CASE || e->kind == CX_CARE_REPEAT_CONTACTS ||
        e->kind == CX_CARE_SLA_BREACH)
        case_id = cxi_pool_str(&s->keys[CX_TABLE_CASES], e->ref);
    switch (e->kind) {
    case CX_CARE_DETRACTOR_AFTER_CASE:
        snprintf(buf, REASON_LEN, "NPS %g on %s after case %.40s", e->value, day, case_id);
        break;
    case CX_CARE_REPEAT_CONTACTS:
        snprintf(buf, REASON_LEN, "%g contacts about case %.40s, the last on %s", e->value, case_id, day);
        break;
    case CX_CARE_SLA_BREACH:
        snprintf(buf, REASON_LEN, "case %.40s %.1f %s past its %s target (due %s)", case_id,
                 e->value >= 48 ? e->value / 24 : e->value, e->value >= 48 ? "days" : "h",
                 e->aux == 1 ? "resolution" : "first-response", day);
        break;
    case CX_CARE_HIGH_EFFORT: {
        uint32_t q = CXI_COL(s, CX_TABLE_FEEDBACK, FB_QUESTION, uint32_t)[(size_t)e->aux];
        snprintf(buf, REASON_LEN, "high effort: %.40s %g on %g-%g (%s is easy) on %s",
                 cxi_pool_str(&s->keys[CX_TABLE_QUESTIONS], q), e->value,
                 CXI_COL(s, CX_TABLE_QUESTIONS, QU_MIN, double)[q], CXI_COL(s, CX_TABLE_QUESTIONS, QU_MAX, double)[q],
                 CXI_COL(s, CX_TABLE_QUESTIONS, QU_HIB, uint8_t)[q] ? "high" : "low", day);
        break;
    }
    case CX_CARE_ACTIVITY_DROP:
        snprintf(buf, REASON_LEN, "activity fell to %.0f in the last %g days from %u in the %g days before "
                 "(rate x%.2f); last active %s", e->aux, (double)r->window / DAY_MS, e->ref,
                 (double)r->baseline / DAY_MS, e->value, day);
        break;
    default:
        snprintf(buf, REASON_LEN, "P(alive) %.0f%% for a customer who spent %.2f; last purchase %s",
                 100 * e->value, e->aux, day);
        break;
    }
}

static int cmp_entry(const void *a, const void *b)
{
    const care_entry *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return (x->cust > y->cust) - (x->cust < y->cust);
}

int cx_care_evaluate(cx_care_list **out, const cx_care_rules *rules, const cx_store *store, cx_time as_of,
                     const cx_model *model, const cx_summary *summary)
{
    static const char fn[] = "cx_care_evaluate";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!rules || !store)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !rules ? "rules" : "store");
    if (as_of == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: as_of is missing", fn);
    bool need_pa = false;
    for (size_t k = 0; k < rules->n; k++) {
        const care_rule *r = &rules->r[k];
        need_pa |= r->kind == CX_CARE_LOW_P_ALIVE;
        if (r->case_priority &&
            cxi_pool_find(&store->sets[CX_VOCAB_PRIORITY], r->case_priority, strlen(r->case_priority)) == CXI_NONE) {
            char qb[80];
            return cxi_fail(CX_ENOTFOUND, "%s: rule %zu: no priority '%s' in the store", fn, k,
                            cxi_quote(qb, r->case_priority));
        }
    }
    if (need_pa && !model)
        return cxi_fail(CX_EINVAL, "%s: a low_p_alive rule needs a model and its summary", fn);
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    care_ctx x = {store, as_of, store->t[CX_TABLE_CUSTOMERS].n, store->t[CX_TABLE_CASES].n, NULL, NULL, NULL,
                  NULL, NULL, NULL, summary};
    int rc = summary_p_alive(&x.pa, &mem, store, model, summary, fn);
    if (rc)
        return rc;
    size_t nc = x.ncust, cap = 0, n = 0;
    care_entry *e = NULL;
    x.cand = cxi_alloc(&mem, (nc + 1) * sizeof *x.cand);
    x.case_count = cxi_alloc(&mem, (x.ncase + 1) * sizeof *x.case_count);
    x.case_last = cxi_alloc(&mem, (x.ncase + 1) * sizeof *x.case_last);
    x.act = cxi_alloc(&mem, (nc + 1) * sizeof *x.act);
    x.last_buy = cxi_alloc(&mem, (nc + 1) * sizeof *x.last_buy);
    double *d1 = cxi_alloc(&mem, (nc + 1) * sizeof *d1), *d2 = cxi_alloc(&mem, (nc + 1) * sizeof *d2);
    cx_care_list *l;
    if (!x.cand || !x.case_count || !x.case_last || !x.act || !x.last_buy || !d1 || !d2) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    /* the facts several rules share: contacts per case, last activity and purchase */
    for (size_t i = 0; i < x.ncase; i++) {
        x.case_count[i] = 0;
        x.case_last[i] = CX_TIME_NONE;
    }
    for (size_t c = 0; c < nc; c++)
        x.act[c] = x.last_buy[c] = CX_TIME_NONE;
    {
        size_t nt = store->t[CX_TABLE_TRANSACTIONS].n, ni = store->t[CX_TABLE_INTERACTIONS].n;
        const uint32_t *tcu = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
        const int64_t *ttm = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_TIME, int64_t);
        for (size_t i = 0; i < nt; i++)
            if (ttm[i] < as_of && (x.last_buy[tcu[i]] == CX_TIME_NONE || ttm[i] > x.last_buy[tcu[i]]))
                x.last_buy[tcu[i]] = ttm[i];
        for (size_t c = 0; c < nc; c++)
            x.act[c] = x.last_buy[c];
        const uint32_t *icu = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
        const uint32_t *ica = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CASE, uint32_t);
        const int64_t *itm = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_TIME, int64_t);
        const uint8_t *dir = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
        for (size_t i = 0; i < ni; i++) {
            if (dir[i] != CX_INBOUND || itm[i] >= as_of)
                continue;
            if (x.act[icu[i]] == CX_TIME_NONE || itm[i] > x.act[icu[i]])
                x.act[icu[i]] = itm[i];
            uint32_t ca = ica[i];
            if (ca != CXI_NONE) {
                x.case_count[ca]++;
                if (x.case_last[ca] == CX_TIME_NONE || itm[i] > x.case_last[ca])
                    x.case_last[ca] = itm[i];
            }
        }
    }
    for (size_t k = 0; k < rules->n; k++) {
        const care_rule *r = &rules->r[k];
        for (size_t c = 0; c < nc; c++) /* every field: a rule may compare before the first offer */
            x.cand[c] = (cand){CX_TIME_NONE, 0, 0, CXI_NONE};
        switch (r->kind) {
        case CX_CARE_DETRACTOR_AFTER_CASE: rule_feedback(&x, r, CX_METRIC_NPS); break;
        case CX_CARE_HIGH_EFFORT: rule_feedback(&x, r, CX_METRIC_CES); break;
        case CX_CARE_REPEAT_CONTACTS: rule_repeat(&x, r); break;
        case CX_CARE_SLA_BREACH: {
            uint32_t code = r->case_priority ? cxi_pool_find(&store->sets[CX_VOCAB_PRIORITY], r->case_priority,
                                                            strlen(r->case_priority))
                                             : CXI_NONE;
            rule_sla(&x, r, code);
            break;
        }
        case CX_CARE_ACTIVITY_DROP: rule_drop(&x, r, d1, d2); break;
        default: rule_p_alive(&x, r); break;
        }
        size_t m = 0;
        for (size_t c = 0; c < nc; c++)
            m += x.cand[c].time != CX_TIME_NONE;
        if (n + m > cap) {
            size_t ncap = (n + m) * 2;
            care_entry *g = cxi_realloc(&mem, e, (cap + 1) * sizeof *e, (ncap + 1) * sizeof *e);
            if (!g) {
                rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
                goto done;
            }
            e = g;
            cap = ncap;
        }
        for (size_t c = 0; c < nc; c++) {
            const cand *cd = &x.cand[c];
            if (cd->time == CX_TIME_NONE)
                continue;
            e[n++] = (care_entry){(uint32_t)c, (uint32_t)k, r->kind, r->priority, cd->time, cd->value, cd->ref,
                                  cd->aux};
        }
    }
    if (n)
        qsort(e, n, sizeof *e, cmp_entry);
    l = cxi_alloc(&mem, sizeof *l);
    char *text = cxi_alloc(&mem, n * REASON_LEN + 1);
    if (!l || !text) {
        cxi_free(&mem, text, n * REASON_LEN + 1);
        cxi_free(&mem, l, sizeof *l);
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        reason_of(text + i * REASON_LEN, store, &rules->r[e[i].rule], &e[i]);
    l->mem = mem;
    l->store = store;
    l->n = n;
    l->cap = cap;
    l->e = e;
    l->reasons = text;
    e = NULL;
    *out = l;
done:
    if (e)
        cxi_free(&mem, e, (cap + 1) * sizeof *e);
    cxi_free(&mem, x.cand, (nc + 1) * sizeof *x.cand);
    cxi_free(&mem, x.case_count, (x.ncase + 1) * sizeof *x.case_count);
    cxi_free(&mem, x.case_last, (x.ncase + 1) * sizeof *x.case_last);
    cxi_free(&mem, x.act, (nc + 1) * sizeof *x.act);
    cxi_free(&mem, x.last_buy, (nc + 1) * sizeof *x.last_buy);
    cxi_free(&mem, d1, (nc + 1) * sizeof *d1);
    cxi_free(&mem, d2, (nc + 1) * sizeof *d2);
    if (x.pa)
        cxi_free(&mem, x.pa, (summary->n + 1) * sizeof *x.pa);
    return rc;
}

size_t cx_care_list_count(const cx_care_list *l) { return l ? l->n : 0; }

int cx_care_list_get(const char **customer, size_t *rule, int *kind, int *priority, cx_time *time, double *value,
                     const char **reason, const cx_care_list *l, size_t index)
{
    static const char fn[] = "cx_care_list_get";
    if (!l)
        return cxi_fail(CX_EINVAL, "%s: list is NULL", fn);
    if (index >= l->n)
        return cxi_fail(CX_ERANGE, "%s: index %zu is out of range (%zu entries)", fn, index, l->n);
    const care_entry *e = &l->e[index];
    if (customer)
        *customer = cust_id(l->store, e->cust);
    if (rule)
        *rule = e->rule;
    if (kind)
        *kind = e->kind;
    if (priority)
        *priority = e->priority;
    if (time)
        *time = e->time;
    if (value)
        *value = e->value;
    if (reason)
        *reason = l->reasons + index * REASON_LEN;
    return CX_OK;
}
