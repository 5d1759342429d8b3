/*
 * Customer health and proactive care: the weighted health score (signals
 * normalised to [0, 1], weights and windows from an options handle) and
 * the care rules, held as data and applied to a store at an as-of time.
 * Both read the store's columns directly, one pass per table, into
 * per-customer arrays, and hand out a cx_result built with src/table;
 * formulas are in include/cxkit/lifecycle.h.
 */
#include "../table/table.h"
#include "lifecycle_private.h"

#include "cxkit/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NSIG CX_HEALTH_SIGNAL_COUNT


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
    cxi_mem mem; /* the default allocator: options are made without a store */
    double weight[NSIG];
    int64_t window[NSIG];
    double scale[NSIG];
    int missing; /* cx_health_missing */
};

static const char *const signal_names[NSIG] = {"nps",     "csat",    "ces",     "open_cases",
                                               "repeat_cases", "recency", "p_alive", "value"};

static void health_defaults(cx_health_options *o)
{
    static const double w[NSIG] = {2, 1, 1, 1, 1, 2, 2, 1};
    static const int64_t win[NSIG] = {365 * CXI_MS_PER_DAY, 365 * CXI_MS_PER_DAY, 365 * CXI_MS_PER_DAY, 0, 90 * CXI_MS_PER_DAY, 180 * CXI_MS_PER_DAY, 0,
                                      365 * CXI_MS_PER_DAY};
    static const double sc[NSIG] = {0, 0, 0, 3, 2, 0, 0, 0};
    cxi_mem_init(&o->mem, cxi_default_alloc, NULL);
    memcpy(o->weight, w, sizeof w);
    memcpy(o->window, win, sizeof win);
    memcpy(o->scale, sc, sizeof sc);
    o->missing = CX_HEALTH_MISSING_AVERAGE;
}

int cx_health_options_new(cx_health_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_health_options_new: out is NULL");
    *out = NULL;
    cx_health_options d;
    health_defaults(&d);
    cx_health_options *o = cxi_alloc(&d.mem, sizeof *o);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_health_options_new: out of memory");
    *o = d;
    *out = o;
    return CX_OK;
}

void cx_health_options_free(cx_health_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    cxi_free(&mem, o, sizeof *o);
}

static int check_signal(const void *o, int signal, const char *fn)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    if (signal < 0 || signal >= NSIG)
        return cxi_fail(CX_EINVAL, "%s: signal %d is not a cx_health_signal", fn, signal);
    return CX_OK;
}

int cx_health_options_set_weight(cx_health_options *o, cx_health_signal signal, double weight)
{
    static const char fn[] = "cx_health_options_set_weight";
    int rc = check_signal(o, (int)signal, fn);
    if (rc)
        return rc;
    if (!isfinite(weight) || weight < 0)
        return cxi_fail(CX_ERANGE, "%s: %s: weight %g is not finite and >= 0", fn, signal_names[signal], weight);
    o->weight[signal] = weight;
    return CX_OK;
}

int cx_health_options_set_window(cx_health_options *o, cx_health_signal signal, int64_t window_ms)
{
    static const char fn[] = "cx_health_options_set_window";
    int rc = check_signal(o, (int)signal, fn);
    if (rc)
        return rc;
    if (window_ms < 0 || (signal == CX_HEALTH_RECENCY && window_ms == 0))
        return cxi_fail(CX_ERANGE, "%s: %s: window %lld ms is not %s", fn, signal_names[signal],
                        (long long)window_ms, signal == CX_HEALTH_RECENCY ? "> 0" : ">= 0");
    o->window[signal] = window_ms;
    return CX_OK;
}

int cx_health_options_set_scale(cx_health_options *o, cx_health_signal signal, double scale)
{
    static const char fn[] = "cx_health_options_set_scale";
    int rc = check_signal(o, (int)signal, fn);
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

int cx_health_options_set_missing(cx_health_options *o, cx_health_missing missing)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_health_options_set_missing: options is NULL");
    if (missing != CX_HEALTH_MISSING_AVERAGE && missing != CX_HEALTH_MISSING_SKIP)
        return cxi_fail(CX_EINVAL, "cx_health_options_set_missing: %d is not a cx_health_missing", (int)missing);
    o->missing = (int)missing;
    return CX_OK;
}

int cx_health_signal_name(const char **out, cx_health_signal signal)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_health_signal_name: out is NULL");
    if ((int)signal < 0 || (int)signal >= NSIG)
        return cxi_fail(CX_EINVAL, "cx_health_signal_name: signal %d is not a cx_health_signal", (int)signal);
    *out = signal_names[signal];
    return CX_OK;
}

/* ---- health scores --------------------------------------------------------- */

/* The scratch of one scoring: per customer, its score and per signal its
 * value, contribution and raw value; the latest answer per feedback signal
 * (stamp[3c + k]; stamp[3c] later reused as the last activity). */
typedef struct health_work {
    const cx_store *s;
    const cx_health_options *o;
    cx_time as_of;
    size_t n;
    double *score, *value, *contrib, *raw; /* n, and n x NSIG */
    double *coverage;                      /* n: the share of the weight with data */
    cx_time *stamp;                        /* 3n */
    double *sorted;                        /* n */
} health_work;

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

/* Feedback: the latest answer in each signal's window (the later row on a tie). */
static void health_feedback(health_work *w)
{
    const cx_store *store = w->s;
    size_t nf = store->t[CX_TABLE_FEEDBACK].n;
    const uint32_t *cu = CXI_COL(store, CX_TABLE_FEEDBACK, FB_CUSTOMER, uint32_t);
    const cxi_codes qu = cxi_codes_col(store, CX_TABLE_FEEDBACK, FB_QUESTION);
    const cxi_vcol sc = cxi_vcol_of(store, CX_TABLE_FEEDBACK, FB_SCORE);
    const cxi_icol tm = cxi_icol_of(store, CX_TABLE_FEEDBACK, FB_TIME);
    const uint8_t *metric = CXI_COL(store, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t);
    for (size_t i = 0; i < nf; i++) {
        uint32_t q = cxi_codes_at(qu, i);
        int k = metric[q]; /* CX_METRIC_NPS, CSAT, CES are signals 0, 1, 2 */
        if (k > CX_METRIC_CES || !in_window(cxi_icol_at(tm, i), w->as_of, w->o->window[k]))
            continue;
        cx_time *st = &w->stamp[3 * cu[i] + (size_t)k];
        if (*st != CX_TIME_NONE && cxi_icol_at(tm, i) < *st)
            continue;
        *st = cxi_icol_at(tm, i);
        double v = cxi_vcol_at(sc, i);
        w->raw[cu[i] * NSIG + (size_t)k] = v;
        w->value[cu[i] * NSIG + (size_t)k] = ease_of(store, q, v);
    }
}

/* Cases open at as_of, and cases with repeated contacts or a reopen. */
static void health_cases(health_work *w)
{
    const cx_store *store = w->s;
    size_t nc = store->t[CX_TABLE_CASES].n;
    const uint32_t *cu = CXI_COL(store, CX_TABLE_CASES, CA_CUSTOMER, uint32_t);
    const int64_t *op = CXI_COL(store, CX_TABLE_CASES, CA_OPENED, int64_t);
    const int64_t *rs = CXI_COL(store, CX_TABLE_CASES, CA_RESOLVED, int64_t);
    const int32_t *ro = CXI_COL(store, CX_TABLE_CASES, CA_REOPENS, int32_t);
    const int32_t *ct = CXI_COL(store, CX_TABLE_CASES, CA_CONTACTS, int32_t);
    for (size_t i = 0; i < nc; i++) {
        if (in_window(op[i], w->as_of, w->o->window[CX_HEALTH_OPEN_CASES]) &&
            (rs[i] == CX_TIME_NONE || rs[i] >= w->as_of))
            w->raw[cu[i] * NSIG + CX_HEALTH_OPEN_CASES] += 1;
        if (in_window(op[i], w->as_of, w->o->window[CX_HEALTH_REPEAT_CASES]) && (ct[i] >= 2 || ro[i] >= 1))
            w->raw[cu[i] * NSIG + CX_HEALTH_REPEAT_CASES] += 1;
    }
}

/* The last activity (into stamp[3c]) and the spend in the value window. */
static void health_activity(health_work *w)
{
    const cx_store *store = w->s;
    cx_time as_of = w->as_of, *last = w->stamp;
    for (size_t c = 0; c < w->n; c++)
        last[3 * c] = CX_TIME_NONE;
    size_t nt = store->t[CX_TABLE_TRANSACTIONS].n;
    const uint32_t *cu = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
    const cxi_icol tm = cxi_icol_of(store, CX_TABLE_TRANSACTIONS, TR_TIME);
    const cxi_vcol am = cxi_vcol_of(store, CX_TABLE_TRANSACTIONS, TR_AMOUNT);
    for (size_t i = 0; i < nt; i++) {
        if (cxi_icol_at(tm, i) >= as_of)
            continue;
        if (last[3 * cu[i]] == CX_TIME_NONE || cxi_icol_at(tm, i) > last[3 * cu[i]])
            last[3 * cu[i]] = cxi_icol_at(tm, i);
        if (in_window(cxi_icol_at(tm, i), as_of, w->o->window[CX_HEALTH_VALUE]))
            w->raw[cu[i] * NSIG + CX_HEALTH_VALUE] += cxi_vcol_at(am, i);
    }
    size_t ni = store->t[CX_TABLE_INTERACTIONS].n;
    const uint32_t *icu = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_icol itm = cxi_icol_of(store, CX_TABLE_INTERACTIONS, IN_TIME);
    const uint8_t *dir = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
    for (size_t i = 0; i < ni; i++)
        if (dir[i] == CX_INBOUND && cxi_icol_at(itm, i) < as_of && (last[3 * icu[i]] == CX_TIME_NONE || cxi_icol_at(itm, i) > last[3 * icu[i]]))
            last[3 * icu[i]] = cxi_icol_at(itm, i);
}

/* Normalises the signals read from the store (all but P(alive)). */
static void health_normalise(health_work *w)
{
    const cx_health_options *o = w->o;
    size_t n = w->n;
    for (size_t c = 0; c < n; c++)
        w->sorted[c] = w->raw[c * NSIG + CX_HEALTH_VALUE];
    qsort(w->sorted, n, sizeof *w->sorted, cmp_double);
    for (size_t c = 0; c < n; c++) {
        double *v = w->value + c * NSIG, *raw = w->raw + c * NSIG;
        for (int k = 0; k < 3; k++)
            if (isnan(raw[k]))
                v[k] = NAN;
        v[CX_HEALTH_OPEN_CASES] = 1 - fmin(raw[CX_HEALTH_OPEN_CASES] / o->scale[CX_HEALTH_OPEN_CASES], 1);
        v[CX_HEALTH_REPEAT_CASES] = 1 - fmin(raw[CX_HEALTH_REPEAT_CASES] / o->scale[CX_HEALTH_REPEAT_CASES], 1);
        if (w->stamp[3 * c] == CX_TIME_NONE) {
            v[CX_HEALTH_RECENCY] = 0;
        } else {
            double d = (double)(w->as_of - w->stamp[3 * c]);
            raw[CX_HEALTH_RECENCY] = d / (double)CXI_MS_PER_DAY;
            v[CX_HEALTH_RECENCY] = 1 - fmin(d / (double)o->window[CX_HEALTH_RECENCY], 1);
        }
        v[CX_HEALTH_P_ALIVE] = NAN;
        double val = raw[CX_HEALTH_VALUE];
        if (o->scale[CX_HEALTH_VALUE] > 0) {
            v[CX_HEALTH_VALUE] = fmin(val / o->scale[CX_HEALTH_VALUE], 1);
        } else if (n == 1) {
            v[CX_HEALTH_VALUE] = 0.5;
        } else {
            size_t below = count_below(w->sorted, n, val, false), upto = count_below(w->sorted, n, val, true);
            v[CX_HEALTH_VALUE] = ((double)below + 0.5 * (double)(upto - below - 1)) / (double)(n - 1);
        }
    }
}

/* The weighted score and each signal's contribution. */
static void health_scores(health_work *w)
{
    const cx_health_options *o = w->o;
    /* the average of each signal over the customers who have it: the
     * value a missing signal counts at under CX_HEALTH_MISSING_AVERAGE */
    double avg[NSIG], wsum = 0;
    for (int k = 0; k < NSIG; k++) {
        double sum = 0;
        size_t n = 0;
        for (size_t c = 0; c < w->n; c++)
            if (!isnan(w->value[c * NSIG + k])) {
                sum += w->value[c * NSIG + k];
                n++;
            }
        avg[k] = n && o->missing == CX_HEALTH_MISSING_AVERAGE ? sum / (double)n : NAN;
        if (o->weight[k] > 0)
            wsum += o->weight[k];
    }
    for (size_t c = 0; c < w->n; c++) {
        const double *v = w->value + c * NSIG;
        double *ctb = w->contrib + c * NSIG, W = 0, have = 0;
        for (int k = 0; k < NSIG; k++) {
            if (!(o->weight[k] > 0))
                continue;
            if (!isnan(v[k]))
                have += o->weight[k];
            if (!isnan(v[k]) || !isnan(avg[k]))
                W += o->weight[k];
        }
        double sum = 0;
        for (int k = 0; k < NSIG; k++) {
            double x = !isnan(v[k]) ? v[k] : avg[k];
            ctb[k] = W > 0 && o->weight[k] > 0 && !isnan(x) ? 100 * o->weight[k] * x / W : 0;
            sum += ctb[k];
        }
        w->score[c] = W > 0 ? sum : NAN;
        w->coverage[c] = wsum > 0 ? have / wsum : NAN;
    }
}

/* The table: customer, score, then per signal its value, contribution, raw. */
static int health_table(cx_result **out, const health_work *w, cxi_mem *mem)
{
    enum { NCOLS = 4 + 3 * NSIG };
    char names_buf[NCOLS][40];
    const char *names[NCOLS];
    int types[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        types[c] = c == 0 ? CX_TYPE_STRING : CX_TYPE_REAL;
        names[c] = names_buf[c];
    }
    snprintf(names_buf[0], sizeof names_buf[0], "customer");
    snprintf(names_buf[1], sizeof names_buf[1], "score");
    for (int k = 0; k < NSIG; k++) {
        snprintf(names_buf[2 + 3 * k], sizeof names_buf[0], "%s", signal_names[k]);
        snprintf(names_buf[3 + 3 * k], sizeof names_buf[0], "%s_contribution", signal_names[k]);
        snprintf(names_buf[4 + 3 * k], sizeof names_buf[0], "%s_raw", signal_names[k]);
    }
    snprintf(names_buf[NCOLS - 2], sizeof names_buf[0], "missing");
    snprintf(names_buf[NCOLS - 1], sizeof names_buf[0], "coverage");
    types[NCOLS - 2] = CX_TYPE_STRING;
    cx_result *r;
    if (cxi_result_new(&r, mem, w->n, NCOLS, names, types))
        return CX_ENOMEM;
    for (size_t c = 0; c < w->n; c++) {
        if (cxi_result_set_text(r, 0, c, cxi_customer_id(w->s, (uint32_t)c))) {
            cx_result_free(r);
            return CX_ENOMEM;
        }
        cxi_result_set_real(r, 1, c, w->score[c]);
        for (size_t k = 0; k < NSIG; k++) {
            cxi_result_set_real(r, 2 + 3 * k, c, w->value[c * NSIG + k]);
            cxi_result_set_real(r, 3 + 3 * k, c, w->contrib[c * NSIG + k]);
            cxi_result_set_real(r, 4 + 3 * k, c, w->raw[c * NSIG + k]);
        }
        /* the weighted signals this customer has no data for */
        char miss[NSIG * 16] = "";
        size_t len = 0;
        for (int k = 0; k < NSIG; k++)
            if (w->o->weight[k] > 0 && isnan(w->value[c * NSIG + k]))
                len += (size_t)snprintf(miss + len, sizeof miss - len, "%s%s", len ? "," : "", signal_names[k]);
        if (cxi_result_set_text(r, NCOLS - 2, c, len ? miss : NULL)) {
            cx_result_free(r);
            return CX_ENOMEM;
        }
        cxi_result_set_real(r, NCOLS - 1, c, w->coverage[c]);
    }
    *out = r;
    return CX_OK;
}

static size_t health_bytes(size_t n) { return (n * (3 * NSIG + 2) + 1) * sizeof(double); }

int cx_health_run(cx_result **out, const cx_store *store, const cx_health_options *options, cx_time as_of,
                  const cx_model *model, const cx_summary *summary)
{
    static const char fn[] = "cx_health_run";
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
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    size_t n = store->t[CX_TABLE_CUSTOMERS].n;
    double *pa = NULL;
    int rc = summary_p_alive(&pa, &mem, store, model, summary, fn);
    if (rc)
        return rc;
    health_work w = {store, options, as_of, n, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    double *buf = cxi_alloc(&mem, health_bytes(n));
    w.stamp = cxi_alloc(&mem, (3 * n + 1) * sizeof *w.stamp);
    w.sorted = cxi_alloc(&mem, (n + 1) * sizeof *w.sorted);
    if (buf && w.stamp && w.sorted) {
        w.score = buf;
        w.value = buf + n;
        w.contrib = buf + n + n * NSIG;
        w.raw = buf + n + 2 * n * NSIG;
        w.coverage = buf + n + 3 * n * NSIG;
        memset(buf, 0, health_bytes(n));
        for (size_t i = 0; i < n * NSIG; i++)
            w.raw[i] = NAN;
        for (size_t i = 0; i < 3 * n; i++)
            w.stamp[i] = CX_TIME_NONE;
        for (size_t c = 0; c < n; c++) {
            w.raw[c * NSIG + CX_HEALTH_OPEN_CASES] = 0;
            w.raw[c * NSIG + CX_HEALTH_REPEAT_CASES] = 0;
            w.raw[c * NSIG + CX_HEALTH_VALUE] = 0;
        }
        health_feedback(&w);
        health_cases(&w);
        health_activity(&w);
        health_normalise(&w);
        for (size_t i = 0; pa && i < summary->n; i++) {
            size_t c = summary->cust[i];
            w.raw[c * NSIG + CX_HEALTH_P_ALIVE] = pa[i];
            w.value[c * NSIG + CX_HEALTH_P_ALIVE] = pa[i];
        }
        health_scores(&w);
        rc = health_table(out, &w, &mem);
    } else {
        rc = CX_ENOMEM;
    }
    cxi_free(&mem, buf, health_bytes(n));
    cxi_free(&mem, w.stamp, (3 * n + 1) * sizeof *w.stamp);
    cxi_free(&mem, w.sorted, (n + 1) * sizeof *w.sorted);
    if (pa)
        cxi_free(&mem, pa, (summary->n + 1) * sizeof *pa);
    return rc ? cxi_fail(CX_ENOMEM, "%s: out of memory", fn) : CX_OK;
}

/* ---- care rules -------------------------------------------------------------- */

typedef struct care_rule {
    int kind, priority;
    double threshold, min_value;
    int64_t window, baseline;
    char *case_priority; /* owned, or NULL */
    size_t case_priority_len;
} care_rule;

struct cx_care_rules {
    cxi_mem mem; /* the default allocator: rules are made without a store */
    care_rule *r;
    size_t n, cap;
};

static const char *const kind_names[CX_CARE_KIND_COUNT] = {"detractor_after_case", "repeat_contacts", "sla_breach",
                                                          "high_effort",          "activity_drop",   "low_p_alive"};

int cx_care_kind_name(const char **out, cx_care_kind kind)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_care_kind_name: out is NULL");
    if ((int)kind < 0 || (int)kind >= CX_CARE_KIND_COUNT)
        return cxi_fail(CX_EINVAL, "cx_care_kind_name: kind %d is not a cx_care_kind", (int)kind);
    *out = kind_names[kind];
    return CX_OK;
}

int cx_care_rules_new(cx_care_rules **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_care_rules_new: out is NULL");
    *out = NULL;
    cx_care_rules *r = CXI_NEW(cx_care_rules, NULL, NULL);
    if (!r)
        return cxi_fail(CX_ENOMEM, "cx_care_rules_new: out of memory");
    *out = r;
    return CX_OK;
}

void cx_care_rules_free(cx_care_rules *r)
{
    if (!r)
        return;
    cxi_mem mem = r->mem;
    for (size_t i = 0; i < r->n; i++)
        cxi_free(&mem, r->r[i].case_priority, r->r[i].case_priority_len + 1);
    cxi_free(&mem, r->r, r->cap * sizeof *r->r);
    cxi_free(&mem, r, sizeof *r);
}

size_t cx_care_rules_count(const cx_care_rules *r) { return r ? r->n : 0; }

/* What is wrong with a kind's threshold and window, or NULL. */
static const char *care_threshold_problem(int kind, double threshold, int64_t window_ms)
{
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
    case CX_CARE_HIGH_EFFORT:
        if (threshold > 1)
            bad = "threshold (ease) is not within 0 to 1";
        break;
    case CX_CARE_ACTIVITY_DROP:
        if (threshold >= 1)
            bad = "threshold (rate ratio) is not below 1";
        break;
    case CX_CARE_LOW_P_ALIVE:
        if (threshold == 0 || threshold > 1)
            bad = "threshold (P(alive)) is not within (0, 1]";
        break;
    default:
        break;
    }
    if (!bad && kind != CX_CARE_SLA_BREACH && kind != CX_CARE_LOW_P_ALIVE && window_ms == 0)
        bad = "window is 0";
    return bad;
}

int cx_care_rules_add(size_t *out, cx_care_rules *rules, cx_care_kind kind, int priority, double threshold,
                      int64_t window_ms)
{
    static const char fn[] = "cx_care_rules_add";
    if (!rules)
        return cxi_fail(CX_EINVAL, "%s: rules is NULL", fn);
    if ((int)kind < 0 || (int)kind >= CX_CARE_KIND_COUNT)
        return cxi_fail(CX_EINVAL, "%s: kind %d is not a cx_care_kind", fn, (int)kind);
    const char *kn = kind_names[kind];
    if (!isfinite(threshold) || threshold < 0)
        return cxi_fail(CX_ERANGE, "%s: %s: threshold %g must be finite and >= 0", fn, kn, threshold);
    if (window_ms < 0)
        return cxi_fail(CX_ERANGE, "%s: %s: window must be >= 0", fn, kn);
    if ((kind == CX_CARE_SLA_BREACH && threshold != 0) || (kind == CX_CARE_LOW_P_ALIVE && window_ms != 0))
        return cxi_fail(CX_EINVAL, "%s: %s: a parameter this kind does not use is not 0", fn, kn);
    const char *bad = care_threshold_problem(kind, threshold, window_ms);
    if (bad)
        return cxi_fail(CX_ERANGE, "%s: %s: %s", fn, kn, bad);
    if (cxi_grow(&rules->mem, &rules->r, &rules->cap, rules->n + 1, sizeof *rules->r))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    rules->r[rules->n] = (care_rule){kind, priority, threshold, 0, window_ms, 0, NULL, 0};
    if (out)
        *out = rules->n;
    rules->n++;
    return CX_OK;
}

static int check_rule(const cx_care_rules *rules, size_t rule, const char *fn)
{
    if (!rules)
        return cxi_fail(CX_EINVAL, "%s: rules is NULL", fn);
    if (rule >= rules->n)
        return cxi_fail(CX_ERANGE, "%s: rule %zu is out of range (%zu rules)", fn, rule, rules->n);
    return CX_OK;
}

int cx_care_rules_set_min_value(cx_care_rules *rules, size_t rule, double min_value)
{
    static const char fn[] = "cx_care_rules_set_min_value";
    int rc = check_rule(rules, rule, fn);
    if (rc)
        return rc;
    int kind = rules->r[rule].kind;
    if (kind != CX_CARE_ACTIVITY_DROP && kind != CX_CARE_LOW_P_ALIVE)
        return cxi_fail(CX_EINVAL, "%s: rule %zu: %s has no minimum value", fn, rule, kind_names[kind]);
    if (!isfinite(min_value) || min_value < 0)
        return cxi_fail(CX_ERANGE, "%s: rule %zu: min_value %g is not finite and >= 0", fn, rule, min_value);
    rules->r[rule].min_value = min_value;
    return CX_OK;
}

int cx_care_rules_set_baseline(cx_care_rules *rules, size_t rule, int64_t baseline_ms)
{
    static const char fn[] = "cx_care_rules_set_baseline";
    int rc = check_rule(rules, rule, fn);
    if (rc)
        return rc;
    int kind = rules->r[rule].kind;
    if (kind != CX_CARE_ACTIVITY_DROP && kind != CX_CARE_SLA_BREACH)
        return cxi_fail(CX_EINVAL, "%s: rule %zu: %s has no baseline", fn, rule, kind_names[kind]);
    if (baseline_ms < 0 || (kind == CX_CARE_ACTIVITY_DROP && baseline_ms == 0))
        return cxi_fail(CX_ERANGE, "%s: rule %zu: baseline %lld ms is not %s", fn, rule, (long long)baseline_ms,
                        kind == CX_CARE_ACTIVITY_DROP ? "> 0" : ">= 0");
    rules->r[rule].baseline = baseline_ms;
    return CX_OK;
}

int cx_care_rules_set_priority(cx_care_rules *rules, size_t rule, const char *priority)
{
    static const char fn[] = "cx_care_rules_set_priority";
    int rc = check_rule(rules, rule, fn);
    if (rc)
        return rc;
    if (rules->r[rule].kind != CX_CARE_SLA_BREACH)
        return cxi_fail(CX_EINVAL, "%s: rule %zu is not an sla_breach rule", fn, rule);
    char *copy = NULL;
    size_t len = priority ? strlen(priority) : 0;
    if (priority) {
        if (!(copy = cxi_alloc(&rules->mem, len + 1)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        memcpy(copy, priority, len + 1);
    }
    care_rule *r = &rules->r[rule];
    cxi_free(&rules->mem, r->case_priority, r->case_priority_len + 1);
    r->case_priority = copy;
    r->case_priority_len = len;
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
    const cxi_codes qu = cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_QUESTION);
    const cxi_vcol sc = cxi_vcol_of(s, CX_TABLE_FEEDBACK, FB_SCORE);
    const cxi_icol tm = cxi_icol_of(s, CX_TABLE_FEEDBACK, FB_TIME);
    const cxi_codes fca = cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_CASE);
    const uint32_t *fin = CXI_COL(s, CX_TABLE_FEEDBACK, FB_INTERACTION, uint32_t);
    const cxi_codes ica = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_CASE);
    const uint8_t *qm = CXI_COL(s, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t);
    for (size_t i = 0; i < nf; i++) {
        uint32_t q = cxi_codes_at(qu, i);
        if (qm[q] != metric || !in_window(cxi_icol_at(tm, i), x->as_of, r->window))
            continue;
        uint32_t ref = (uint32_t)i;
        double v = cxi_vcol_at(sc, i);
        if (metric == CX_METRIC_NPS) {
            if (v > r->threshold)
                continue;
            uint32_t ca = cxi_codes_at(fca, i);
            if (ca == CXI_NONE && fin[i] != CXI_NONE && fin[i] < ni)
                ca = cxi_codes_at(ica, fin[i]);
            if (ca == CXI_NONE)
                continue;
            ref = ca;
        } else if (ease_of(s, q, v) > r->threshold) {
            continue;
        }
        cand *c = &x->cand[cu[i]];
        offer(c, cxi_icol_at(tm, i), v, (double)i, ref, cxi_icol_at(tm, i) >= c->time);
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
    const cxi_codes pr = cxi_codes_col(s, CX_TABLE_CASES, CA_PRIORITY);
    const int64_t *op = CXI_COL(s, CX_TABLE_CASES, CA_OPENED, int64_t);
    const int64_t *fr = CXI_COL(s, CX_TABLE_CASES, CA_FIRST_RESPONSE, int64_t);
    const int64_t *rs = CXI_COL(s, CX_TABLE_CASES, CA_RESOLVED, int64_t);
    for (size_t i = 0; i < x->ncase; i++) {
        if (op[i] >= x->as_of || (rs[i] != CX_TIME_NONE && rs[i] < x->as_of) ||
            (r->case_priority && cxi_codes_at(pr, i) != prio))
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
    const cxi_icol ttm = cxi_icol_of(s, CX_TABLE_TRANSACTIONS, TR_TIME);
    const uint32_t *icu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_icol itm = cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_TIME);
    const uint8_t *dir = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
    for (size_t i = 0; i < nt; i++) {
        if (cxi_icol_at(ttm, i) >= w0 && cxi_icol_at(ttm, i) < a)
            recent[tcu[i]]++;
        else if (cxi_icol_at(ttm, i) >= b0 && cxi_icol_at(ttm, i) < w0)
            base[tcu[i]]++;
    }
    for (size_t i = 0; i < ni; i++) {
        if (dir[i] != CX_INBOUND)
            continue;
        if (cxi_icol_at(itm, i) >= w0 && cxi_icol_at(itm, i) < a)
            recent[icu[i]]++;
        else if (cxi_icol_at(itm, i) >= b0 && cxi_icol_at(itm, i) < w0)
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
        cxi_snprintf(buf, REASON_LEN, "NPS %g on %s after case %.40s", e->value, day, case_id);
        break;
    case CX_CARE_REPEAT_CONTACTS:
        cxi_snprintf(buf, REASON_LEN, "%g contacts about case %.40s, the last on %s", e->value, case_id, day);
        break;
    case CX_CARE_SLA_BREACH:
        cxi_snprintf(buf, REASON_LEN, "case %.40s %.1f %s past its %s target (due %s)", case_id,
                     e->value >= 48 ? e->value / 24 : e->value, e->value >= 48 ? "days" : "h",
                     e->aux == 1 ? "resolution" : "first-response", day);
        break;
    case CX_CARE_HIGH_EFFORT: {
        uint32_t q = cxi_codes_at(cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_QUESTION), (size_t)e->aux);
        cxi_snprintf(buf, REASON_LEN, "high effort: %.40s %g on %g-%g (%s is easy) on %s",
                     cxi_pool_str(&s->keys[CX_TABLE_QUESTIONS], q), e->value,
                     CXI_COL(s, CX_TABLE_QUESTIONS, QU_MIN, double)[q], CXI_COL(s, CX_TABLE_QUESTIONS, QU_MAX, double)[q],
                     CXI_COL(s, CX_TABLE_QUESTIONS, QU_HIB, uint8_t)[q] ? "high" : "low", day);
        break;
    }
    case CX_CARE_ACTIVITY_DROP:
        cxi_snprintf(buf, REASON_LEN, "activity fell to %.0f in the last %g days from %u in the %g days before "
                     "(rate x%.2f); last active %s", e->aux, (double)r->window / CXI_MS_PER_DAY, e->ref,
                     (double)r->baseline / CXI_MS_PER_DAY, e->value, day);
        break;
    default:
        cxi_snprintf(buf, REASON_LEN, "P(alive) %.0f%% for a customer who spent %.2f; last purchase %s",
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

/* Checks the rules against the store before anything is allocated. */
static int care_check(const cx_care_rules *rules, const cx_store *store, const cx_model *model, const char *fn)
{
    bool need_pa = false;
    for (size_t k = 0; k < rules->n; k++) {
        const care_rule *r = &rules->r[k];
        need_pa |= r->kind == CX_CARE_LOW_P_ALIVE;
        if (r->kind == CX_CARE_SLA_BREACH && r->window == 0 && r->baseline == 0)
            return cxi_fail(CX_ERANGE, "%s: rule %zu: sla_breach: neither a resolution (window) nor a first-response "
                            "(baseline) target is set", fn, k);
        if (r->kind == CX_CARE_ACTIVITY_DROP && r->baseline == 0)
            return cxi_fail(CX_ERANGE, "%s: rule %zu: activity_drop: the baseline is 0", fn, k);
        if (r->case_priority &&
            cxi_pool_find(&store->sets[CX_VOCAB_PRIORITY], r->case_priority, r->case_priority_len) == CXI_NONE) {
            char qb[80];
            return cxi_fail(CX_ENOTFOUND, "%s: rule %zu: no priority '%s' in the store", fn, k,
                            cxi_quote(qb, r->case_priority));
        }
    }
    if (need_pa && !model)
        return cxi_fail(CX_EINVAL, "%s: a low_p_alive rule needs a model and its summary", fn);
    return CX_OK;
}

/* The facts several rules share: contacts per case, last activity and purchase. */
static void care_facts(care_ctx *x)
{
    const cx_store *store = x->s;
    cx_time as_of = x->as_of;
    for (size_t i = 0; i < x->ncase; i++) {
        x->case_count[i] = 0;
        x->case_last[i] = CX_TIME_NONE;
    }
    for (size_t c = 0; c < x->ncust; c++)
        x->act[c] = x->last_buy[c] = CX_TIME_NONE;
    size_t nt = store->t[CX_TABLE_TRANSACTIONS].n, ni = store->t[CX_TABLE_INTERACTIONS].n;
    const uint32_t *tcu = CXI_COL(store, CX_TABLE_TRANSACTIONS, TR_CUSTOMER, uint32_t);
    const cxi_icol ttm = cxi_icol_of(store, CX_TABLE_TRANSACTIONS, TR_TIME);
    for (size_t i = 0; i < nt; i++)
        if (cxi_icol_at(ttm, i) < as_of && (x->last_buy[tcu[i]] == CX_TIME_NONE || cxi_icol_at(ttm, i) > x->last_buy[tcu[i]]))
            x->last_buy[tcu[i]] = cxi_icol_at(ttm, i);
    for (size_t c = 0; c < x->ncust; c++)
        x->act[c] = x->last_buy[c];
    const uint32_t *icu = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_codes ica = cxi_codes_col(store, CX_TABLE_INTERACTIONS, IN_CASE);
    const cxi_icol itm = cxi_icol_of(store, CX_TABLE_INTERACTIONS, IN_TIME);
    const uint8_t *dir = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
    for (size_t i = 0; i < ni; i++) {
        if (dir[i] != CX_INBOUND || cxi_icol_at(itm, i) >= as_of)
            continue;
        if (x->act[icu[i]] == CX_TIME_NONE || cxi_icol_at(itm, i) > x->act[icu[i]])
            x->act[icu[i]] = cxi_icol_at(itm, i);
        uint32_t ca = cxi_codes_at(ica, i);
        if (ca != CXI_NONE) {
            x->case_count[ca]++;
            if (x->case_last[ca] == CX_TIME_NONE || cxi_icol_at(itm, i) > x->case_last[ca])
                x->case_last[ca] = cxi_icol_at(itm, i);
        }
    }
}

/* The entries of every rule, sorted (*e grows in the store's allocator). */
static int care_collect(care_entry **e, size_t *n, size_t *cap, care_ctx *x, const cx_care_rules *rules,
                        double *d1, double *d2, cxi_mem *mem)
{
    for (size_t k = 0; k < rules->n; k++) {
        const care_rule *r = &rules->r[k];
        for (size_t c = 0; c < x->ncust; c++) /* every field: a rule may compare before the first offer */
            x->cand[c] = (cand){CX_TIME_NONE, 0, 0, CXI_NONE};
        switch (r->kind) {
        case CX_CARE_DETRACTOR_AFTER_CASE: rule_feedback(x, r, CX_METRIC_NPS); break;
        case CX_CARE_HIGH_EFFORT: rule_feedback(x, r, CX_METRIC_CES); break;
        case CX_CARE_REPEAT_CONTACTS: rule_repeat(x, r); break;
        case CX_CARE_SLA_BREACH: {
            uint32_t code = r->case_priority ? cxi_pool_find(&x->s->sets[CX_VOCAB_PRIORITY], r->case_priority,
                                                            r->case_priority_len)
                                             : CXI_NONE;
            rule_sla(x, r, code);
            break;
        }
        case CX_CARE_ACTIVITY_DROP: rule_drop(x, r, d1, d2); break;
        default: rule_p_alive(x, r); break;
        }
        size_t m = 0;
        for (size_t c = 0; c < x->ncust; c++)
            m += x->cand[c].time != CX_TIME_NONE;
        if (*n + m > *cap) {
            size_t ncap = (*n + m) * 2;
            care_entry *g = cxi_realloc(mem, *e, (*cap + 1) * sizeof **e, (ncap + 1) * sizeof **e);
            if (!g)
                return CX_ENOMEM;
            *e = g;
            *cap = ncap;
        }
        for (size_t c = 0; c < x->ncust; c++) {
            const cand *cd = &x->cand[c];
            if (cd->time != CX_TIME_NONE)
                (*e)[(*n)++] = (care_entry){(uint32_t)c, (uint32_t)k, r->kind, r->priority, cd->time, cd->value,
                                            cd->ref, cd->aux};
        }
    }
    if (*n)
        qsort(*e, *n, sizeof **e, cmp_entry);
    return CX_OK;
}

enum { CR_CUSTOMER, CR_RULE, CR_KIND, CR_KIND_NAME, CR_PRIORITY, CR_TIME, CR_VALUE, CR_REASON, CR_NCOLS };

static int care_table(cx_result **out, const care_entry *e, size_t n, const cx_care_rules *rules,
                      const cx_store *store, cxi_mem *mem)
{
    static const char *const names[CR_NCOLS] = {"customer", "rule", "kind",  "kind_name",
                                                "priority", "time", "value", "reason"};
    static const int types[CR_NCOLS] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_INT,  CX_TYPE_STRING,
                                        CX_TYPE_INT,    CX_TYPE_TIME, CX_TYPE_REAL, CX_TYPE_STRING};
    cx_result *r;
    if (cxi_result_new(&r, mem, n, CR_NCOLS, names, types))
        return CX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char reason[REASON_LEN];
        reason_of(reason, store, &rules->r[e[i].rule], &e[i]);
        if (cxi_result_set_text(r, CR_CUSTOMER, i, cxi_customer_id(store, e[i].cust)) ||
            cxi_result_set_text(r, CR_KIND_NAME, i, kind_names[e[i].kind]) ||
            cxi_result_set_text(r, CR_REASON, i, reason)) {
            cx_result_free(r);
            return CX_ENOMEM;
        }
        cxi_result_set_int(r, CR_RULE, i, e[i].rule);
        cxi_result_set_int(r, CR_KIND, i, e[i].kind);
        cxi_result_set_int(r, CR_PRIORITY, i, e[i].priority);
        cxi_result_set_time(r, CR_TIME, i, e[i].time);
        cxi_result_set_real(r, CR_VALUE, i, e[i].value);
    }
    *out = r;
    return CX_OK;
}

int cx_care_evaluate(cx_result **out, const cx_care_rules *rules, const cx_store *store, cx_time as_of,
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
    int rc = care_check(rules, store, model, fn);
    if (rc)
        return rc;
    cxi_mem mem;
    cxi_mem_init(&mem, store->mem.fn, store->mem.ud);
    care_ctx x = {store, as_of, store->t[CX_TABLE_CUSTOMERS].n, store->t[CX_TABLE_CASES].n, NULL, NULL, NULL,
                  NULL, NULL, NULL, summary};
    rc = summary_p_alive(&x.pa, &mem, store, model, summary, fn);
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
    if (!x.cand || !x.case_count || !x.case_last || !x.act || !x.last_buy || !d1 || !d2) {
        rc = CX_ENOMEM;
    } else {
        care_facts(&x);
        rc = care_collect(&e, &n, &cap, &x, rules, d1, d2, &mem);
        if (!rc)
            rc = care_table(out, e, n, rules, store, &mem);
    }
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
    return rc ? cxi_fail(CX_ENOMEM, "%s: out of memory", fn) : CX_OK;
}
