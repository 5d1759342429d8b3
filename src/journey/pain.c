/*
 * Pain points and key touchpoints: five "bad outcome" shares per touchpoint
 * (drop-off, detractors, low CSAT, high effort, repeat contacts), each
 * tested against the rest of the touchpoints; and the driver analysis of
 * touchpoint CSAT against relationship NPS.
 */
#include "../base/xsum.h"
#include "journey_private.h"
#include "../base/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { SIG_DROP, SIG_POST, SIG_DET, SIG_CSAT, SIG_CES, SIG_REPEAT, NSIG };

static const char *const sig_name[NSIG] = {"drop_off",    "post_purchase_drop_off", "detractors",
                                           "low_csat",    "high_effort",            "repeat_contacts"};
static const char *const sig_text[NSIG] = {"drop-off after it",
                                           "no later conversion after it (post-purchase)",
                                           "detractors",
                                           "CSAT outside the top two",
                                           "effortful CES answers",
                                           "followed by a repeat contact"};

typedef struct tpstat {
    uint64_t x[NSIG], n[NSIG];
    uint64_t events, journeys;
    double csat_sum;
    uint64_t csat_n;
    /* judged */
    int flags;
    double score;
    double share[NSIG], rest[NSIG];
    uint8_t flagged[NSIG];
} tpstat;

typedef struct pctx {
    const tpstat *st;
    const cx_store *s;
} pctx;

static int cmp_pain(const void *ctx, uint32_t a, uint32_t b)
{
    const pctx *x = ctx;
    const tpstat *p = &x->st[a], *q = &x->st[b];
    if (p->flags != q->flags)
        return p->flags > q->flags ? -1 : 1;
    if (p->score != q->score)
        return p->score > q->score ? -1 : 1;
    if (p->events != q->events)
        return p->events > q->events ? -1 : 1;
    return strcmp(cxi_pool_str(&x->s->keys[CX_TABLE_TOUCHPOINTS], a),
                  cxi_pool_str(&x->s->keys[CX_TABLE_TOUCHPOINTS], b));
}

/* The journey counts and one journey-based signal over the events
 * [a, b) of journey k: each touchpoint in them counts once, `dropped`
 * saying whether it is a bad outcome. `mark` is scratch of one byte per
 * touchpoint (zero), `touched` of one uint32. */
static void journey_signal(const cx_journeys *j, tpstat *st, int sig, uint32_t a, uint32_t b, bool dropped,
                           uint8_t *mark, uint32_t *touched)
{
    size_t nt = 0;
    for (uint32_t q = a; q < b; q++) {
        uint32_t tp = cxi_jw_tp(j->wq[q]);
        if (!mark[tp]) {
            mark[tp] = 1;
            touched[nt++] = tp;
        }
    }
    for (size_t i = 0; i < nt; i++) {
        st[touched[i]].n[sig]++;
        st[touched[i]].x[sig] += dropped;
        mark[touched[i]] = 0;
    }
}

/* Journeys through each touchpoint, drop-off on the paths to conversion and
 * post-purchase drop-off on the steps after conversions (see journey.h);
 * `mark` and `touched` as journey_signal() wants them. */
static void measure_journeys(const cx_journeys *j, tpstat *st, uint8_t *mark, uint32_t *touched)
{
    for (size_t c = 0; c < j->ncust; c++) {
        bool later = false; /* a later journey of the customer converts */
        for (uint32_t k = j->cust_j[c + 1]; k-- > j->cust_j[c];) {
            uint32_t a = j->j_off[k], ce = j->j_cend[k], b = j->j_off[k + 1];
            journey_signal(j, st, SIG_DROP, a, ce, !j->j_conv[k], mark, touched);
            journey_signal(j, st, SIG_POST, ce, b, !later, mark, touched);
            size_t nt = 0;
            for (uint32_t q = a; q < b; q++) {
                uint32_t tp = cxi_jw_tp(j->wq[q]);
                if (!mark[tp]) {
                    mark[tp] = 1;
                    touched[nt++] = tp;
                }
            }
            for (size_t i = 0; i < nt; i++) {
                st[touched[i]].journeys++;
                mark[touched[i]] = 0;
            }
            later = later || j->j_conv[k];
        }
    }
}

/* Repeat contacts from the index; feedback signals from the feedback
 * table; the journey signals from measure_journeys(). */
static void measure(const cx_journeys *j, tpstat *st, uint8_t *mark, uint32_t *touched)
{
    const cx_store *s = j->store;
    measure_journeys(j, st, mark, touched);
    /* repeat contacts: the nearest inbound contact of the customer at a
     * later time (the build marked them, CXI_W_CONTACT); one at the same
     * time is not after the event, whatever their order in the index. The
     * events go from the last back, a run of one time at a time: `next`
     * is the time of the nearest contact after the run, `gt` the run's
     * time and `gc` whether the run holds a contact. */
    for (size_t c = 0; c < j->ncust; c++) {
        cx_time next = CX_TIME_NONE, gt = CX_TIME_NONE;
        bool gc = false;
        for (uint32_t q = j->cust_off[c + 1]; q-- > j->cust_off[c];) {
            uint32_t w = j->wq[q], tp = cxi_jw_tp(w);
            cx_time t = cxi_j_time(j, q);
            if (t != gt) {
                if (gc)
                    next = gt;
                gt = t;
                gc = false;
            }
            st[tp].events++;
            st[tp].n[SIG_REPEAT]++;
            st[tp].x[SIG_REPEAT] += next != CX_TIME_NONE && next - t <= j->o.repeat_window;
            gc |= (w & CXI_W_CONTACT) != 0;
        }
    }
    size_t nf = s->t[CX_TABLE_FEEDBACK].n;
    for (size_t f = 0; f < nf; f++) {
        uint32_t tp = cxi_fb_touchpoint(s, (uint32_t)f);
        cxi_fbclass c;
        if (tp == CXI_NONE || !cxi_fb_classify(s, (uint32_t)f, &c))
            continue;
        int sig = c.metric == CX_METRIC_NPS ? SIG_DET : c.metric == CX_METRIC_CSAT ? SIG_CSAT : SIG_CES;
        st[tp].n[sig]++;
        st[tp].x[sig] += (uint64_t)c.bad;
        if (c.metric == CX_METRIC_CSAT) {
            st[tp].csat_sum += c.std;
            st[tp].csat_n++;
        }
    }
}

static void judge(tpstat *st, size_t ntp, int64_t min_n)
{
    uint64_t tx[NSIG] = {0}, tn[NSIG] = {0};
    for (size_t t = 0; t < ntp; t++)
        for (int g = 0; g < NSIG; g++) {
            tx[g] += st[t].x[g];
            tn[g] += st[t].n[g];
        }
    for (size_t t = 0; t < ntp; t++) {
        tpstat *p = &st[t];
        for (int g = 0; g < NSIG; g++) {
            double x1 = (double)p->x[g], n1 = (double)p->n[g];
            double x2 = (double)(tx[g] - p->x[g]), n2 = (double)(tn[g] - p->n[g]);
            p->share[g] = n1 > 0 ? 100 * x1 / n1 : NAN;
            p->rest[g] = n2 > 0 ? 100 * x2 / n2 : NAN;
            if (n1 < (double)min_n || n2 < 1 || !(p->share[g] > p->rest[g]))
                continue;
            /* pooled two-proportion z test (inline: a degenerate case is no error here) */
            double pool = (x1 + x2) / (n1 + n2);
            if (!(pool > 0 && pool < 1))
                continue;
            double z = (x1 / n1 - x2 / n2) / sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2));
            if (erfc(fabs(z) / sqrt(2.0)) < 0.05) {
                p->flagged[g] = 1;
                p->flags++;
                p->score += p->share[g] - p->rest[g];
            }
        }
    }
}

enum {
    P_TP, P_CH, P_STAGE, P_KEY, P_RANK, P_FLAGS, P_SCORE, P_EVENTS, P_JOURNEYS, P_SIG0,
    P_CSAT_MEAN = P_SIG0 + 3 * NSIG, P_REASON, P_NCOLS
};

static int reason(char *buf, size_t cap, const tpstat *p, bool key)
{
    size_t len = 0;
    buf[0] = 0;
    for (int g = 0; g < NSIG; g++) {
        if (!p->flagged[g])
            continue;
        int w = cxi_snprintf(buf + len, cap - len, "%s%.1f %% %s vs %.1f %% elsewhere (n = %llu)", len ? "; " : "",
                             p->share[g], sig_text[g], p->rest[g], (unsigned long long)p->n[g]);
        if (w > 0 && (size_t)w < cap - len)
            len += (size_t)w;
    }
    if (!len)
        len = (size_t)snprintf(buf, cap, "no signal significantly worse than the other touchpoints");
    if (key && len + 20 < cap)
        len += (size_t)snprintf(buf + len, cap - len, "; key touchpoint");
    return (int)len;
}

int cx_journeys_pain_points(cx_result **out, const cx_journeys *j)
{
    static const char *const fn = "cx_journeys_pain_points";
    const char *names[P_NCOLS];
    int types[P_NCOLS];
    char signames[3 * NSIG][40];
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    static const char *const fixed[P_SIG0] = {"touchpoint", "channel", "stage", "key", "rank",
                                              "flags",      "score",   "events", "journeys"};
    static const int ftypes[P_SIG0] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_INT,
                                       CX_TYPE_INT,    CX_TYPE_REAL,   CX_TYPE_INT,    CX_TYPE_INT};
    for (int c = 0; c < P_SIG0; c++) {
        names[c] = fixed[c];
        types[c] = ftypes[c];
    }
    for (int g = 0; g < NSIG; g++) {
        snprintf(signames[3 * g], sizeof signames[0], "%s", sig_name[g]);
        snprintf(signames[3 * g + 1], sizeof signames[0], "%s_rest", sig_name[g]);
        snprintf(signames[3 * g + 2], sizeof signames[0], "%s_n", sig_name[g]);
        for (int k = 0; k < 3; k++)
            names[P_SIG0 + 3 * g + k] = signames[3 * g + k];
        types[P_SIG0 + 3 * g] = types[P_SIG0 + 3 * g + 1] = CX_TYPE_REAL;
        types[P_SIG0 + 3 * g + 2] = CX_TYPE_INT;
    }
    names[P_CSAT_MEAN] = "csat_mean";
    types[P_CSAT_MEAN] = CX_TYPE_REAL;
    names[P_REASON] = "reason";
    types[P_REASON] = CX_TYPE_STRING;

    const cx_store *s = j->store;
    size_t ntp = j->ntp, n1 = ntp ? ntp : 1;
    cxi_mem m = j->mem;
    tpstat *st = cxi_jzalloc(&m, n1 * sizeof *st);
    uint8_t *mark = cxi_jzalloc(&m, n1);
    uint32_t *touched = cxi_alloc(&m, n1 * sizeof *touched);
    uint32_t *order = cxi_alloc(&m, n1 * sizeof *order);
    cx_result *t = NULL;
    if (!st || !mark || !touched || !order) {
        rc = CX_ENOMEM;
        goto done;
    }
    measure(j, st, mark, touched);
    judge(st, ntp, j->o.min_support);
    for (size_t i = 0; i < ntp; i++)
        order[i] = (uint32_t)i;
    pctx px = {st, s};
    if ((rc = cxi_jsort(&m, order, ntp, cmp_pain, &px)))
        goto done;
    if (cxi_result_new(&t, &j->mem, ntp, P_NCOLS, names, types)) {
        rc = CX_ENOMEM;
        goto done;
    }
    const uint32_t *tch = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t);
    const uint32_t *tst = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_STAGE, uint32_t);
    const uint8_t *tkey = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_KEY, uint8_t);
    for (size_t r = 0; r < ntp && !rc; r++) {
        uint32_t tp = order[r];
        const tpstat *p = &st[tp];
        const char *nm = cxi_pool_str(&s->keys[CX_TABLE_TOUCHPOINTS], tp);
        const char *ch = cxi_pool_str(&s->sets[CX_VOCAB_CHANNEL], tch[tp]);
        const char *sg = cxi_pool_str(&s->sets[CX_VOCAB_STAGE], tst[tp]);
        char buf[1024];
        int len = reason(buf, sizeof buf, p, tkey[tp] != 0);
        rc = cxi_result_set_text(t, P_TP, r, nm);
        if (!rc)
            rc = cxi_result_set_text(t, P_CH, r, ch);
        if (!rc)
            rc = cxi_result_set_text(t, P_STAGE, r, sg);
        if (!rc)
            rc = cxi_result_set_str(t, P_REASON, r, buf, (size_t)len);
        cxi_result_set_int(t, P_KEY, r, tkey[tp] != 0);
        cxi_result_set_int(t, P_RANK, r, (int64_t)r + 1);
        cxi_result_set_int(t, P_FLAGS, r, p->flags);
        cxi_result_set_real(t, P_SCORE, r, p->score);
        cxi_result_set_int(t, P_EVENTS, r, (int64_t)p->events);
        cxi_result_set_int(t, P_JOURNEYS, r, (int64_t)p->journeys);
        for (int g = 0; g < NSIG; g++) {
            cxi_result_set_real(t, (size_t)(P_SIG0 + 3 * g), r, p->share[g]);
            cxi_result_set_real(t, (size_t)(P_SIG0 + 3 * g + 1), r, p->rest[g]);
            cxi_result_set_int(t, (size_t)(P_SIG0 + 3 * g + 2), r, (int64_t)p->n[g]);
        }
        cxi_result_set_real(t, P_CSAT_MEAN, r, p->csat_n ? p->csat_sum / (double)p->csat_n : NAN);
    }
done:
    cxi_free(&m, st, n1 * sizeof *st);
    cxi_free(&m, mark, n1);
    cxi_free(&m, touched, n1 * sizeof *touched);
    cxi_free(&m, order, n1 * sizeof *order);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}

/* ---- drivers ----------------------------------------------------------------- */

/* The sums of one touchpoint's (x, y), in fixed point while they are
 * summed (xs: sx, sy, sxx, syy, sxy; xsum.h), since the customers and
 * their answers come in the order of the rows, then as doubles. */
typedef struct dacc {
    double n, sx, sy, sxx, syy, sxy;
    double r;
    cxi_xsum xs[5];
} dacc;

typedef struct driver_order {
    const dacc *d;
    const cx_store *s;
} driver_order;

/* By r descending (NaN last), then by touchpoint name. */
static int cmp_driver(const void *ctx, uint32_t a, uint32_t b)
{
    const driver_order *o = ctx;
    double x = o->d[a].r, y = o->d[b].r;
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (x != y && !isnan(x))
        return x > y ? -1 : 1;
    return strcmp(cxi_pool_str(&o->s->keys[CX_TABLE_TOUCHPOINTS], a), cxi_pool_str(&o->s->keys[CX_TABLE_TOUCHPOINTS], b));
}

/* Each customer's answers (of the journeys' ncust customers), newest
 * (highest row) first: for customer c, rows[start[c] .. start[c + 1]),
 * by a count per customer; start has ncust + 1 entries, rows one per
 * answer of the store. */
static void answers_by_customer(const cx_journeys *j, uint32_t *start, uint32_t *rows)
{
    const cx_store *s = j->store;
    size_t nf = s->t[CX_TABLE_FEEDBACK].n, nc = j->ncust;
    const uint32_t *fcu = CXI_COL(s, CX_TABLE_FEEDBACK, FB_CUSTOMER, uint32_t);
    memset(start, 0, (nc + 1) * sizeof *start);
    for (size_t f = 0; f < nf; f++)
        if (fcu[f] < nc)
            start[fcu[f] + 1]++;
    for (size_t c = 0; c < nc; c++)
        start[c + 1] += start[c];
    /* start[c] is where c's rows begin: placed from the last row down, each
     * moves it on, to where c's rows end, which is where c + 1's begin */
    for (size_t f = nf; f-- > 0;)
        if (fcu[f] < nc)
            rows[start[fcu[f]]++] = (uint32_t)f;
    for (size_t c = nc; c > 0; c--)
        start[c] = start[c - 1];
    start[0] = 0;
}

/* Per touchpoint, the sums of (x, y) over customers with relationship NPS
 * answers: x their mean CSAT of the touchpoint, y their mean relationship
 * NPS, each customer's answers read newest first (as answers_by_customer
 * gives them). `csum`, `ccnt` (zero) and `touched` are scratch of one per
 * touchpoint. */
static void driver_sums(const cx_journeys *j, const uint32_t *start, const uint32_t *frows, dacc *d, cxi_xsum *csum,
                        double *ccnt, uint32_t *touched)
{
    const cx_store *s = j->store;
    const cxi_codes ftp = cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_TOUCHPOINT);
    const uint32_t *fin = CXI_COL(s, CX_TABLE_FEEDBACK, FB_INTERACTION, uint32_t);
    const cxi_codes fca = cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_CASE);
    for (size_t c = 0; c < j->ncust; c++) {
        cxi_xsum ysum = {0};
        double yn = 0;
        size_t nt = 0;
        for (uint32_t i = start[c]; i < start[c + 1]; i++) {
            uint32_t f = frows[i];
            cxi_fbclass cl;
            if (!cxi_fb_classify(s, f, &cl))
                continue;
            if (cl.metric == CX_METRIC_NPS && cxi_codes_at(ftp, f) == CXI_NONE && fin[f] == CXI_NONE &&
                cxi_codes_at(fca, f) == CXI_NONE) {
                cxi_xsum_add(&ysum, cl.std);
                yn += 1;
            } else if (cl.metric == CX_METRIC_CSAT) {
                uint32_t tp = cxi_fb_touchpoint(s, f);
                if (tp == CXI_NONE)
                    continue;
                if (ccnt[tp] == 0)
                    touched[nt++] = tp;
                cxi_xsum_add(&csum[tp], cl.std);
                ccnt[tp] += 1;
            }
        }
        for (size_t i = 0; i < nt; i++) {
            uint32_t tp = touched[i];
            if (yn > 0) {
                double x = cxi_xsum_value(&csum[tp]) / ccnt[tp], y = cxi_xsum_value(&ysum) / yn;
                dacc *a = &d[tp];
                a->n += 1;
                cxi_xsum_add(&a->xs[0], x);
                cxi_xsum_add(&a->xs[1], y);
                cxi_xsum_add(&a->xs[2], x * x);
                cxi_xsum_add(&a->xs[3], y * y);
                cxi_xsum_add(&a->xs[4], x * y);
            }
            memset(&csum[tp], 0, sizeof csum[tp]);
            ccnt[tp] = 0;
        }
    }
}

/* Row r of the drivers table: touchpoint tp, whose correlation is a->r; z
 * is the normal quantile of the interval. */
static int driver_row(cx_result *t, const cx_store *s, size_t r, uint32_t tp, const dacc *a, double z)
{
    double n = a->n, sxx = a->sxx - a->sx * a->sx / n, syy = a->syy - a->sy * a->sy / n;
    double sxy = a->sxy - a->sx * a->sy / n, rr = a->r;
    double lo = NAN, hi = NAN, p = NAN, slope = NAN, se = NAN;
    if (!isnan(rr)) {
        if (n > 3) {
            double fz = atanh(rr > 0.9999999 ? 0.9999999 : rr < -0.9999999 ? -0.9999999 : rr);
            lo = tanh(fz - z / sqrt(n - 3));
            hi = tanh(fz + z / sqrt(n - 3));
        }
        double tt = rr * sqrt((n - 2) / fmax(1 - rr * rr, 1e-300));
        p = 2 * (1 - cxi_student_t_cdf(fabs(tt), n - 2));
    }
    if (sxx > 0) {
        slope = sxy / sxx;
        double resid = (syy - slope * sxy) / (n - 2);
        se = sqrt(fmax(resid, 0) / sxx);
    }
    cxi_result_set_int(t, 1, r, (int64_t)n);
    cxi_result_set_real(t, 2, r, rr);
    cxi_result_set_real(t, 3, r, lo);
    cxi_result_set_real(t, 4, r, hi);
    cxi_result_set_real(t, 5, r, p);
    cxi_result_set_real(t, 6, r, slope);
    cxi_result_set_real(t, 7, r, se);
    return cxi_result_set_text(t, 0, r, cxi_pool_str(&s->keys[CX_TABLE_TOUCHPOINTS], tp));
}

int cx_journeys_drivers(cx_result **out, const cx_journeys *j)
{
    static const char *const fn = "cx_journeys_drivers";
    static const char *const names[] = {"touchpoint", "n", "r", "r_lo", "r_hi", "p", "slope", "slope_se"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_REAL, CX_TYPE_REAL,
                                CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    size_t ntp = j->ntp, n1 = ntp ? ntp : 1;
    cxi_mem m = j->mem;
    dacc *d = cxi_jzalloc(&m, n1 * sizeof *d);
    cxi_xsum *csum = cxi_jzalloc(&m, n1 * sizeof *csum);
    double *ccnt = cxi_jzalloc(&m, n1 * sizeof *ccnt);
    uint32_t *touched = cxi_alloc(&m, n1 * sizeof *touched), *order = cxi_alloc(&m, n1 * sizeof *order);
    size_t nf1 = j->store->t[CX_TABLE_FEEDBACK].n ? j->store->t[CX_TABLE_FEEDBACK].n : 1;
    uint32_t *start = cxi_alloc(&m, (j->ncust + 1) * sizeof *start), *frows = cxi_alloc(&m, nf1 * sizeof *frows);
    cx_result *t = NULL;
    size_t rows = 0;
    if (!d || !csum || !ccnt || !touched || !order || !start || !frows) {
        rc = CX_ENOMEM;
        goto done;
    }
    answers_by_customer(j, start, frows);
    driver_sums(j, start, frows, d, csum, ccnt, touched);
    for (size_t tp = 0; tp < ntp; tp++) {
        dacc *a = &d[tp];
        a->sx = cxi_xsum_value(&a->xs[0]);
        a->sy = cxi_xsum_value(&a->xs[1]);
        a->sxx = cxi_xsum_value(&a->xs[2]);
        a->syy = cxi_xsum_value(&a->xs[3]);
        a->sxy = cxi_xsum_value(&a->xs[4]);
        double sxx = a->sxx - a->sx * a->sx / (a->n ? a->n : 1), syy = a->syy - a->sy * a->sy / (a->n ? a->n : 1);
        double sxy = a->sxy - a->sx * a->sy / (a->n ? a->n : 1);
        a->r = a->n >= 3 && sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
        if (a->n >= 3)
            order[rows++] = (uint32_t)tp;
    }
    driver_order dor = {d, j->store};
    if ((rc = cxi_jsort(&m, order, rows, cmp_driver, &dor)))
        goto done;
    if (cxi_result_new(&t, &j->mem, rows, 8, names, types)) {
        rc = CX_ENOMEM;
        goto done;
    }
    double z = cxi_normal_quantile(0.975);
    for (size_t r = 0; r < rows && !rc; r++)
        rc = driver_row(t, j->store, r, order[r], &d[order[r]], z);
done:
    cxi_free(&m, d, n1 * sizeof *d);
    cxi_free(&m, csum, n1 * sizeof *csum);
    cxi_free(&m, ccnt, n1 * sizeof *ccnt);
    cxi_free(&m, touched, n1 * sizeof *touched);
    cxi_free(&m, order, n1 * sizeof *order);
    cxi_free(&m, start, (j->ncust + 1) * sizeof *start);
    cxi_free(&m, frows, nf1 * sizeof *frows);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}
