/*
 * Funnels over each customer's whole history, and stage progression: the
 * stage each customer is in, the time spent in each, and stage-to-stage
 * conversion. Both read the shared index; no allocation per event.
 */
#include "journey_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t tp_code(const cx_store *s, int level, uint32_t tp)
{
    switch (level) {
    case CX_JOURNEYS_LEVEL_CHANNEL: return CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t)[tp];
    case CX_JOURNEYS_LEVEL_STAGE: return CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_STAGE, uint32_t)[tp];
    default: return tp;
    }
}

typedef struct frun {
    const cx_journeys *j;
    const cx_funnel *f;
    cx_time as_of;   /* events after it are not read */
    uint32_t *smask; /* per touchpoint: the steps it matches */
    uint8_t *xmask;  /* per touchpoint: 1 when it is an exclusion */
    uint8_t *best;   /* per customer: furthest step reached (0: never entered) */
    uint8_t *open;   /* per customer: 1 when an attempt that reached `best` may still go on */
    uint32_t *bestp; /* per customer: the start of the best attempt */
} frun;

/* Follows the attempt that starts at event position p; returns the steps
 * reached and writes their times. *open (when not NULL) is 1 when the
 * attempt has not finished and has not timed out as of x->as_of: it was
 * not ended by an exclusion or the strict order, and its window (if any)
 * has not passed. Without a window nothing times out. */
static int attempt(const frun *x, uint32_t p, uint32_t b, cx_time *times, int *open)
{
    const cx_journeys *j = x->j;
    const cx_funnel *f = x->f;
    int lvl = 1, closed = 0;
    times[0] = cxi_j_time(j, p);
    for (uint32_t q = p + 1; q < b && lvl < f->nsteps; q++) {
        uint32_t tp = cxi_jw_tp(j->wq[q]);
        cx_time t = cxi_j_time(j, q);
        if (t > x->as_of)
            break; /* the data end here */
        if (f->window > 0 && t - times[0] > f->window) {
            closed = 1;
            break;
        }
        if (x->xmask[tp]) {
            closed = 1;
            break;
        }
        uint32_t m = x->smask[tp];
        if (m >> lvl & 1u) {
            times[lvl++] = t;
            continue;
        }
        if (f->strict && m && !(m >> (lvl - 1) & 1u)) {
            closed = 1;
            break;
        }
    }
    if (open)
        *open = lvl < f->nsteps && !closed &&
                (f->window == 0 || (uint64_t)x->as_of - (uint64_t)times[0] < (uint64_t)f->window);
    /* (an attempt starts no later than as_of, so the difference is >= 0) */
    return lvl;
}

static void frun_free(cxi_mem *m, frun *x)
{
    size_t ntp = x->j->ntp ? x->j->ntp : 1, nc = x->j->ncust ? x->j->ncust : 1;
    cxi_free(m, x->smask, ntp * sizeof *x->smask);
    cxi_free(m, x->xmask, ntp);
    cxi_free(m, x->best, nc);
    cxi_free(m, x->open, nc);
    cxi_free(m, x->bestp, nc * sizeof *x->bestp);
}

/* The latest of the journeys' interactions, CX_TIME_NONE without one. */
static cx_time latest_time(const cx_journeys *j)
{
    const cxi_icol it = cxi_icol_of(j->store, CX_TABLE_INTERACTIONS, IN_TIME);
    cx_time t = CX_TIME_NONE;
    for (size_t r = 0; r < j->nev; r++)
        if (cxi_icol_at(it, r) > t)
            t = cxi_icol_at(it, r);
    return t;
}

/* The as-of time of a funnel run: the one set, else the latest interaction
 * of the journeys' store (CX_TIME_NONE when there is none). */
static cx_time funnel_as_of(const cx_journeys *j, const cx_funnel *f)
{
    return f->has_as_of ? f->as_of : latest_time(j);
}

static int frun_init(const char *fn, frun *x, cxi_mem *m, const cx_journeys *j, const cx_funnel *f)
{
    memset(x, 0, sizeof *x);
    x->j = j;
    x->f = f;
    if (!f)
        return cxi_fail(CX_EINVAL, "%s: funnel is NULL", fn);
    if (f->store != j->store)
        return cxi_fail(CX_EINVAL, "%s: the funnel was made for another store", fn);
    if (f->nsteps == 0)
        return cxi_fail(CX_EINVAL, "%s: the funnel has no step", fn);
    x->as_of = funnel_as_of(j, f);
    size_t ntp = j->ntp ? j->ntp : 1, nc = j->ncust ? j->ncust : 1;
    x->smask = cxi_jzalloc(m, ntp * sizeof *x->smask);
    x->xmask = cxi_jzalloc(m, ntp);
    x->best = cxi_jzalloc(m, nc);
    x->open = cxi_jzalloc(m, nc);
    x->bestp = cxi_alloc(m, nc * sizeof *x->bestp);
    if (!x->smask || !x->xmask || !x->best || !x->open || !x->bestp) {
        frun_free(m, x);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    for (uint32_t tp = 0; tp < j->ntp; tp++) {
        for (int i = 0; i < f->nsteps; i++)
            if (tp_code(j->store, f->steps[i].level, tp) == f->steps[i].code)
                x->smask[tp] |= 1u << i;
        for (int i = 0; i < f->nexcl; i++)
            if (tp_code(j->store, f->excl[i].level, tp) == f->excl[i].code)
                x->xmask[tp] = 1;
    }
    cx_time times[CX_FUNNEL_MAX_STEPS];
    for (size_t c = 0; c < j->ncust; c++) {
        uint32_t a = j->cust_off[c], b = j->cust_off[c + 1];
        int best = 0, open = 0;
        for (uint32_t p = a; p < b && best < f->nsteps; p++) {
            if (cxi_j_time(j, p) > x->as_of)
                break; /* events are in time order */
            if (!(x->smask[cxi_jw_tp(j->wq[p])] & 1u))
                continue;
            int o;
            int l = attempt(x, p, b, times, &o);
            if (l > best) {
                best = l;
                open = o;
                x->bestp[c] = p;
            } else if (l == best) {
                open |= o; /* a later attempt as far may still go on */
            }
        }
        x->best[c] = (uint8_t)best;
        x->open[c] = (uint8_t)open;
    }
    return CX_OK;
}

int cx_funnel_set_as_of(cx_funnel *f, cx_time as_of)
{
    if (!f)
        return cxi_fail(CX_EINVAL, "cx_funnel_set_as_of: funnel is NULL");
    f->has_as_of = as_of != CX_TIME_NONE;
    f->as_of = as_of;
    return CX_OK;
}

int cx_journeys_funnel(cx_result **out, const cx_journeys *j, const cx_funnel *f)
{
    static const char *const fn = "cx_journeys_funnel";
    enum { NCOLS = 9 };
    static const char *const names[NCOLS] = {"step",      "name",     "entered", "conversion_prev", "conversion_first",
                                             "median_from_prev_ms", "completed", "dropped", "in_progress"};
    static const int types[NCOLS] = {CX_TYPE_INT,  CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL,
                                     CX_TYPE_REAL, CX_TYPE_INT,    CX_TYPE_INT, CX_TYPE_INT};
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    cxi_mem m = j->mem;
    frun x;
    if ((rc = frun_init(fn, &x, &m, j, f)))
        return rc;
    int ns = f->nsteps;
    uint64_t entered[CX_FUNNEL_MAX_STEPS + 1] = {0};
    uint64_t dropped[CX_FUNNEL_MAX_STEPS + 1] = {0}, going[CX_FUNNEL_MAX_STEPS + 1] = {0};
    size_t off[CX_FUNNEL_MAX_STEPS + 1] = {0};
    for (size_t c = 0; c < j->ncust; c++) {
        for (int i = 0; i < x.best[c]; i++)
            entered[i]++;
        if (x.best[c] && x.best[c] < ns) {
            if (x.open[c])
                going[x.best[c] - 1]++;
            else
                dropped[x.best[c] - 1]++;
        }
    }
    for (int i = 1; i < ns; i++)
        off[i + 1] = off[i] + entered[i];
    size_t nd = off[ns];
    double *d = cxi_alloc(&m, (nd ? nd : 1) * sizeof *d);
    cx_result *t = NULL;
    if (d) {
        size_t cur[CX_FUNNEL_MAX_STEPS + 1];
        memcpy(cur, off, sizeof cur);
        cx_time times[CX_FUNNEL_MAX_STEPS];
        for (size_t c = 0; c < j->ncust; c++) {
            if (x.best[c] < 2)
                continue;
            attempt(&x, x.bestp[c], j->cust_off[c + 1], times, NULL);
            for (int i = 1; i < x.best[c]; i++)
                d[cur[i]++] = (double)(times[i] - times[i - 1]);
        }
        if (!cxi_result_new(&t, &j->mem, (size_t)ns, NCOLS, names, types)) {
            for (int i = 0; i < ns && !rc; i++) {
                size_t r = (size_t)i;
                cxi_result_set_int(t, 0, r, i + 1);
                rc = cxi_result_set_text(t, 1, r, f->steps[i].name);
                cxi_result_set_int(t, 2, r, (int64_t)entered[i]);
                cxi_result_set_real(t, 3, r,
                                    i == 0 ? (entered[0] ? 100.0 : NAN)
                                    : entered[i - 1] ? 100.0 * (double)entered[i] / (double)entered[i - 1]
                                                     : NAN);
                cxi_result_set_real(t, 4, r, entered[0] ? 100.0 * (double)entered[i] / (double)entered[0] : NAN);
                cxi_result_set_real(t, 5, r, i == 0 ? NAN : cxi_jmedian(d + off[i], off[i + 1] - off[i]));
                cxi_result_set_int(t, 6, r, (int64_t)entered[ns - 1]);
                cxi_result_set_int(t, 7, r, (int64_t)dropped[i]);
                cxi_result_set_int(t, 8, r, (int64_t)going[i]);
            }
        } else {
            rc = CX_ENOMEM;
        }
    } else {
        rc = CX_ENOMEM;
    }
    cxi_free(&m, d, (nd ? nd : 1) * sizeof *d);
    frun_free(&m, &x);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}

int cx_journeys_funnel_customers(cx_result **out, const cx_journeys *j, const cx_funnel *f)
{
    static const char *const fn = "cx_journeys_funnel_customers";
    static const char *const names[] = {"customer", "furthest", "first_time", "status"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_TIME, CX_TYPE_STRING};
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    cxi_mem m = j->mem;
    frun x;
    if ((rc = frun_init(fn, &x, &m, j, f)))
        return rc;
    const cx_store *s = j->store;
    size_t rows = 0;
    for (size_t c = 0; c < j->ncust; c++)
        rows += x.best[c] > 0;
    cx_result *t = NULL;
    if (cxi_result_new(&t, &j->mem, rows, 4, names, types)) {
        rc = CX_ENOMEM;
    } else {
        size_t r = 0;
        for (size_t c = 0; c < j->ncust && !rc; c++) {
            if (!x.best[c])
                continue;
            const char *id = cxi_customer_id(s, (uint32_t)c);
            rc = cxi_result_set_text(t, 0, r, id);
            cxi_result_set_int(t, 1, r, x.best[c]);
            cxi_result_set_time(t, 2, r, cxi_j_time(j, x.bestp[c]));
            if (!rc)
                rc = cxi_result_set_text(t, 3, r, x.best[c] == f->nsteps ? "completed"
                                                  : x.open[c]            ? "in_progress"
                                                                         : "dropped");
            r++;
        }
    }
    frun_free(&m, &x);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}

/* ---- stages ------------------------------------------------------------------ */

/* Most ordered stages (journey.h documents the limit): each customer's
 * times per stage are worked out on the stack. */
#define MAX_ORD 30

/* Stages a store may name, the ordered ones and "service" among them. */
#define MAX_STAGES (64 + MAX_ORD)

typedef struct srun {
    int nord;
    int ord[MAX_STAGES]; /* stage code -> ordered index, -1 */
    uint32_t code[MAX_ORD];
    cx_time as_of;
} srun;

static int srun_init(const char *fn, const cx_journeys *j, srun *x)
{
    const cx_store *s = j->store;
    uint32_t nstage = s->sets[CX_VOCAB_STAGE].count;
    uint32_t service = cxi_pool_find(&s->sets[CX_VOCAB_STAGE], "service", 7);
    if (nstage > MAX_STAGES)
        return cxi_fail(CX_ELIMIT, "%s: more than %d stages in the store", fn, MAX_STAGES);
    x->nord = 0;
    for (uint32_t g = 0; g < nstage; g++) {
        x->ord[g] = -1;
        if (g == service)
            continue;
        if (x->nord >= MAX_ORD)
            return cxi_fail(CX_ELIMIT, "%s: more than %d ordered stages", fn, MAX_ORD);
        x->code[x->nord] = g;
        x->ord[g] = x->nord++;
    }
    x->as_of = latest_time(j);
    return CX_OK;
}

/* One customer: first time in each stage, time spent in each, current stage. */
static int cust_stages(const cx_journeys *j, const srun *x, size_t c, cx_time *first, int64_t *in)
{
    const uint32_t *tst = CXI_COL(j->store, CX_TABLE_TOUCHPOINTS, TP_STAGE, uint32_t);
    for (int o = 0; o < x->nord; o++) {
        first[o] = CX_TIME_NONE;
        in[o] = 0;
    }
    int cur = -1;
    cx_time since = 0;
    for (uint32_t p = j->cust_off[c]; p < j->cust_off[c + 1]; p++) {
        int o = x->ord[tst[cxi_jw_tp(j->wq[p])]];
        if (o < 0 || o == cur)
            continue;
        cx_time t = cxi_j_time(j, p);
        if (first[o] == CX_TIME_NONE)
            first[o] = t;
        if (cur >= 0)
            in[cur] += t - since;
        cur = o;
        since = t;
    }
    if (cur >= 0)
        in[cur] += x->as_of - since;
    return cur;
}

int cx_journeys_stages(cx_result **out, const cx_journeys *j)
{
    static const char *const fn = "cx_journeys_stages";
    static const char *const names[] = {"stage",           "reached",           "current",          "to_next",
                                        "conversion_next", "median_to_next_ms", "median_time_in_ms"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_INT, CX_TYPE_INT,
                                CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL};
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    srun x;
    if ((rc = srun_init(fn, j, &x)))
        return rc;
    cxi_mem m = j->mem;
    int n = x.nord;
    uint64_t reached[MAX_ORD] = {0}, current[MAX_ORD] = {0}, next[MAX_ORD] = {0};
    cx_time first[MAX_ORD];
    int64_t in[MAX_ORD];
    for (size_t c = 0; c < j->ncust; c++) {
        int cur = cust_stages(j, &x, c, first, in);
        if (cur >= 0)
            current[cur]++;
        for (int o = 0; o < n; o++) {
            reached[o] += first[o] != CX_TIME_NONE;
            next[o] += o + 1 < n && first[o] != CX_TIME_NONE && first[o + 1] != CX_TIME_NONE &&
                       first[o + 1] >= first[o];
        }
    }
    /* values: time in each stage (reached customers), then time to next */
    size_t offin[MAX_ORD + 1] = {0}, offnx[MAX_ORD + 1] = {0};
    for (int o = 0; o < n; o++) {
        offin[o + 1] = offin[o] + reached[o];
        offnx[o + 1] = offnx[o] + next[o];
    }
    size_t nv = offin[n] + offnx[n];
    double *v = cxi_alloc(&m, (nv ? nv : 1) * sizeof *v);
    cx_result *t = NULL;
    if (!v) {
        rc = CX_ENOMEM;
    } else {
        double *vin = v, *vnx = v + offin[n];
        size_t ci[MAX_ORD], cn[MAX_ORD];
        memcpy(ci, offin, sizeof ci);
        memcpy(cn, offnx, sizeof cn);
        for (size_t c = 0; c < j->ncust; c++) {
            cust_stages(j, &x, c, first, in);
            for (int o = 0; o < n; o++) {
                if (first[o] == CX_TIME_NONE)
                    continue;
                vin[ci[o]++] = (double)in[o];
                if (o + 1 < n && first[o + 1] != CX_TIME_NONE && first[o + 1] >= first[o])
                    vnx[cn[o]++] = (double)(first[o + 1] - first[o]);
            }
        }
        if (cxi_result_new(&t, &j->mem, (size_t)n, 7, names, types)) {
            rc = CX_ENOMEM;
        } else {
            for (int o = 0; o < n && !rc; o++) {
                const char *name = cxi_pool_str(&j->store->sets[CX_VOCAB_STAGE], x.code[o]);
                size_t r = (size_t)o;
                rc = cxi_result_set_text(t, 0, r, name);
                cxi_result_set_int(t, 1, r, (int64_t)reached[o]);
                cxi_result_set_int(t, 2, r, (int64_t)current[o]);
                cxi_result_set_int(t, 3, r, (int64_t)next[o]);
                cxi_result_set_real(t, 4, r,
                                    o + 1 < n && reached[o] ? 100.0 * (double)next[o] / (double)reached[o] : NAN);
                cxi_result_set_real(t, 5, r, cxi_jmedian(vnx + offnx[o], next[o]));
                cxi_result_set_real(t, 6, r, cxi_jmedian(vin + offin[o], reached[o]));
            }
        }
    }
    cxi_free(&m, v, (nv ? nv : 1) * sizeof *v);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}

int cx_journeys_customer_stages(cx_result **out, const cx_journeys *j)
{
    static const char *const fn = "cx_journeys_customer_stages";
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    srun x;
    if ((rc = srun_init(fn, j, &x)))
        return rc;
    const cx_store *s = j->store;
    int n = x.nord;
    char namebuf[MAX_ORD][80];
    const char *names[2 + MAX_ORD];
    int types[2 + MAX_ORD];
    names[0] = "customer";
    names[1] = "current";
    types[0] = types[1] = CX_TYPE_STRING;
    for (int o = 0; o < n; o++) {
        snprintf(namebuf[o], sizeof namebuf[o], "ms_%s", cxi_pool_str(&s->sets[CX_VOCAB_STAGE], x.code[o]));
        names[2 + o] = namebuf[o];
        types[2 + o] = CX_TYPE_INT;
    }
    cx_result *t;
    if (cxi_result_new(&t, &j->mem, j->ncust, (size_t)(2 + n), names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu customers", fn, j->ncust);
    cx_time first[MAX_ORD];
    int64_t in[MAX_ORD];
    for (size_t c = 0; c < j->ncust && !rc; c++) {
        int cur = cust_stages(j, &x, c, first, in);
        const char *id = cxi_customer_id(s, (uint32_t)c);
        rc = cxi_result_set_text(t, 0, c, id);
        if (!rc && cur >= 0) {
            const char *st = cxi_pool_str(&s->sets[CX_VOCAB_STAGE], x.code[cur]);
            rc = cxi_result_set_text(t, 1, c, st);
        }
        for (int o = 0; o < n; o++)
            cxi_result_set_int(t, (size_t)(2 + o), c, in[o]);
    }
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}
