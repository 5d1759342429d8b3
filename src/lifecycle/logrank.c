/*
 * The weighted log-rank family: k-sample tests that all groups share one
 * survival curve, with weights w(t) at each event time t: 1 (log-rank),
 * Fleming-Harrington S(t-)^p (1 - S(t-))^q (R's survdiff rho is FH(rho, 0)),
 * Gehan-Breslow n(t), Tarone-Ware sqrt(n(t)) and Peto-Peto
 * prod_{t_j <= t} (1 - d_j / (n_j + 1)). S and n are those of the pooled
 * sample of the stratum; late entry puts a subject at risk on (entry, time].
 * Per stratum, at each event time: O_g += w d_g, E_g += w d n_g / n,
 * V_gh += w^2 d (n - d) / (n - 1) n_g / n (delta_gh - n_h / n); the
 * statistic is (O - E)' V^-1 (O - E) over the first k - 1 groups, summed
 * over strata, on k - 1 degrees of freedom.
 */
#include "../table/table.h"
#include "lifecycle_private.h"

#include <math.h>
#include <stdlib.h>

struct cx_logrank {
    cxi_mem mem;
    size_t k;
    int *label;
    uint64_t *subjects, *events;
    double *obs, *exp, *var; /* var: k x k, row-major */
    double chi2, p;
    uint64_t df;
};

struct cx_logrank_options {
    cxi_mem mem; /* the default allocator */
    int weight;
    double p, q;
    double *entry; /* owned, or NULL */
    size_t entry_n;
    int *strata; /* owned, or NULL */
    size_t strata_n;
};

int cx_logrank_options_new(cx_logrank_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_logrank_options_new: out is NULL");
    *out = NULL;
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    cx_logrank_options *o = cxi_alloc(&mem, sizeof *o);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_logrank_options_new: out of memory");
    memset(o, 0, sizeof *o);
    o->mem = mem;
    o->weight = CX_LOGRANK_LOGRANK;
    *out = o;
    return CX_OK;
}

void cx_logrank_options_free(cx_logrank_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    cxi_free(&mem, o->entry, o->entry_n * sizeof *o->entry);
    cxi_free(&mem, o->strata, o->strata_n * sizeof *o->strata);
    cxi_free(&mem, o, sizeof *o);
}

int cx_logrank_options_set_weight(cx_logrank_options *o, cx_logrank_weight weight, double p, double q)
{
    static const char fn[] = "cx_logrank_options_set_weight";
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    if ((int)weight < CX_LOGRANK_LOGRANK || (int)weight > CX_LOGRANK_PETO_PETO)
        return cxi_fail(CX_EINVAL, "%s: weight %d is not a cx_logrank_weight", fn, (int)weight);
    if (weight == CX_LOGRANK_FLEMING_HARRINGTON && !(isfinite(p) && p >= 0 && isfinite(q) && q >= 0))
        return cxi_fail(CX_ERANGE, "%s: Fleming-Harrington p = %g, q = %g: both must be finite and >= 0", fn, p, q);
    o->weight = (int)weight;
    o->p = weight == CX_LOGRANK_FLEMING_HARRINGTON ? p : 0;
    o->q = weight == CX_LOGRANK_FLEMING_HARRINGTON ? q : 0;
    return CX_OK;
}

int cx_logrank_options_set_entry(cx_logrank_options *o, const double *entry, size_t n)
{
    static const char fn[] = "cx_logrank_options_set_entry";
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    if (entry && n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    double *copy = NULL;
    if (entry) {
        for (size_t i = 0; i < n; i++)
            if (!isfinite(entry[i]) || entry[i] < 0)
                return cxi_fail(CX_ERANGE, "%s: row %zu: entry %g is not a finite time >= 0", fn, i, entry[i]);
        if (!(copy = cxi_alloc(&o->mem, n * sizeof *copy)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        memcpy(copy, entry, n * sizeof *copy);
    }
    cxi_free(&o->mem, o->entry, o->entry_n * sizeof *o->entry);
    o->entry = copy;
    o->entry_n = entry ? n : 0;
    return CX_OK;
}

int cx_logrank_options_set_strata(cx_logrank_options *o, const int *strata, size_t n)
{
    static const char fn[] = "cx_logrank_options_set_strata";
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    if (strata && n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    int *copy = NULL;
    if (strata) {
        for (size_t i = 0; i < n; i++)
            if (strata[i] < 0)
                return cxi_fail(CX_ERANGE, "%s: row %zu: stratum %d is negative", fn, i, strata[i]);
        if (!(copy = cxi_alloc(&o->mem, n * sizeof *copy)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        memcpy(copy, strata, n * sizeof *copy);
    }
    cxi_free(&o->mem, o->strata, o->strata_n * sizeof *o->strata);
    o->strata = copy;
    o->strata_n = strata ? n : 0;
    return CX_OK;
}

typedef struct lr_rec {
    int stratum;
    uint32_t g;
    double t;
    int event;
} lr_rec;

/* ord: the records by (stratum, t[i]) (a radix sort: no comparison, no
 * per-record allocation); key: n scratch. */
static int lr_order(uint32_t *ord, uint64_t *key, const lr_rec *rec, const double *t, size_t n, cxi_mem *mem)
{
    /* whole times: one key (stratum, time), often one counting pass */
    bool joint = cxi_integral_times(t, n, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        ord[i] = (uint32_t)i;
        key[i] = joint ? (uint64_t)(uint32_t)rec[i].stratum << 32 | (uint32_t)t[i] : cxi_double_key(t[i]);
    }
    int rc = cxi_radix_order(ord, key, n, mem);
    if (joint || rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        key[i] = (uint32_t)rec[i].stratum;
    return cxi_radix_order(ord, key, n, mem);
}

void cx_logrank_free(cx_logrank *lr)
{
    if (!lr)
        return;
    cxi_mem mem = lr->mem;
    size_t k = lr->k;
    cxi_free(&mem, lr->label, k * sizeof *lr->label);
    cxi_free(&mem, lr->subjects, k * sizeof *lr->subjects);
    cxi_free(&mem, lr->events, k * sizeof *lr->events);
    cxi_free(&mem, lr->obs, k * sizeof *lr->obs);
    cxi_free(&mem, lr->exp, k * sizeof *lr->exp);
    cxi_free(&mem, lr->var, k * k * sizeof *lr->var);
    cxi_free(&mem, lr, sizeof *lr);
}

/* Solves A x = b (m x m, A overwritten) by Gaussian elimination with
 * partial pivoting; false when A is singular relative to its scale. */
static bool solve(double *A, double *b, size_t m)
{
    double scale = 0;
    for (size_t i = 0; i < m * m; i++)
        scale = fmax(scale, fabs(A[i]));
    for (size_t c = 0; c < m; c++) {
        size_t p = c;
        for (size_t r = c + 1; r < m; r++)
            if (fabs(A[r * m + c]) > fabs(A[p * m + c]))
                p = r;
        if (!(fabs(A[p * m + c]) > 1e-10 * scale))
            return false;
        if (p != c) {
            for (size_t j = 0; j < m; j++) {
                double t = A[c * m + j];
                A[c * m + j] = A[p * m + j];
                A[p * m + j] = t;
            }
            double t = b[c];
            b[c] = b[p];
            b[p] = t;
        }
        for (size_t r = c + 1; r < m; r++) {
            double f = A[r * m + c] / A[c * m + c];
            for (size_t j = c; j < m; j++)
                A[r * m + j] -= f * A[c * m + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = m; c-- > 0;) {
        for (size_t j = c + 1; j < m; j++)
            b[c] -= A[c * m + j] * b[j];
        b[c] /= A[c * m + c];
    }
    return true;
}

static double weight_of(cx_logrank_weight w, double p, double q, double S, double Spp, double n)
{
    switch (w) {
    case CX_LOGRANK_FLEMING_HARRINGTON:
        /* 0^0 = 1: FH(0, q) at the first time, FH(p, 0) once S reaches 0 */
        return (p == 0 ? 1 : pow(S, p)) * (q == 0 ? 1 : pow(1 - S, q));
    case CX_LOGRANK_GEHAN:
        return n;
    case CX_LOGRANK_TARONE_WARE:
        return sqrt(n);
    case CX_LOGRANK_PETO_PETO:
        return Spp;
    default:
        return 1;
    }
}

/* The subjects of a stratum leaving at a time in a group, and how many of
 * them have the event then. */
typedef struct lr_cell {
    int stratum;
    uint32_t g;
    double t;
    uint64_t exits, deaths;
} lr_cell;

/* Accumulates one stratum's cells (sorted by time) and its entry times ent
 * with groups eg (sorted by entry; NULL without late entry; ne of them)
 * into lr; ng, dg: k scratch counters. */
static void stratum(cx_logrank *lr, const lr_cell *cell, size_t m, const double *ent, const uint32_t *eg, size_t ne,
                    cx_logrank_weight w, double p, double q, double *ng, double *dg)
{
    size_t k = lr->k;
    memset(ng, 0, k * sizeof *ng);
    double N = 0, S = 1, Spp = 1;
    if (!ent)
        for (size_t i = 0; i < m; i++) {
            ng[cell[i].g] += (double)cell[i].exits;
            N += (double)cell[i].exits;
        }
    size_t in = 0, out = 0;
    for (size_t i = 0; i < m;) {
        double t = cell[i].t;
        size_t j = i;
        double D = 0;
        memset(dg, 0, k * sizeof *dg);
        for (; j < m && cell[j].t == t; j++) {
            dg[cell[j].g] += (double)cell[j].deaths;
            D += (double)cell[j].deaths;
        }
        if (D > 0) {
            /* the risk set at t: entered before t, not yet left */
            for (; ent && in < ne && ent[in] < t; in++) {
                ng[eg[in]]++;
                N++;
            }
            for (; out < i; out++) {
                ng[cell[out].g] -= (double)cell[out].exits;
                N -= (double)cell[out].exits;
            }
            Spp *= 1 - D / (N + 1);
            double wt = weight_of(w, p, q, S, Spp, N);
            double f = N > 1 ? wt * wt * D * (N - D) / (N - 1) : 0;
            for (size_t a = 0; a < k; a++) {
                lr->obs[a] += wt * dg[a];
                lr->exp[a] += wt * D * ng[a] / N;
                if (f != 0 && ng[a] != 0)
                    for (size_t b = 0; b < k; b++)
                        lr->var[a * k + b] += f * ng[a] / N * ((a == b) - ng[b] / N);
            }
            S *= 1 - D / N;
        }
        i = j;
    }
}

/* The largest group, stratum and time, and whether every time is whole. */
typedef struct lr_range {
    int gmax, smax;
    double tmax;
    bool whole;
} lr_range;

/* The distinct groups, increasing, into lab (*k of them) and each subject's
 * index among them into rec[i].g: a table over the group numbers when they
 * are small, else a radix sort (ord, key: n scratch). */
static int dense_groups(int *lab, size_t *k, lr_rec *rec, const int *group, size_t n, int gmax, uint32_t *ord,
                        uint64_t *key, cxi_mem *mem)
{
    size_t nk = 0;
    if (gmax < 65536 || (size_t)gmax < n) {
        size_t size = (size_t)gmax + 1;
        uint32_t *dense = cxi_alloc(mem, size * sizeof *dense);
        if (!dense)
            return CX_ENOMEM;
        memset(dense, 0, size * sizeof *dense);
        for (size_t i = 0; i < n; i++)
            dense[group[i]] = 1;
        for (size_t g = 0; g < size; g++)
            if (dense[g]) {
                lab[nk] = (int)g;
                dense[g] = (uint32_t)nk++;
            }
        for (size_t i = 0; i < n; i++)
            rec[i].g = dense[group[i]];
        cxi_free(mem, dense, size * sizeof *dense);
        *k = nk;
        return CX_OK;
    }
    for (size_t i = 0; i < n; i++) {
        ord[i] = (uint32_t)i;
        key[i] = (uint32_t)group[i];
    }
    if (cxi_radix_order(ord, key, n, mem))
        return CX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int gi = group[ord[i]];
        if (nk == 0 || gi != lab[nk - 1])
            lab[nk++] = gi;
        rec[ord[i]].g = (uint32_t)(nk - 1);
    }
    *k = nk;
    return CX_OK;
}

/* The cells of rec by (stratum, time), into *out (*ncell, from mem): whole
 * times of few strata and groups are counted in a table of every
 * (stratum, time, group), one pass and no sort; the others are
 * radix-sorted, a cell per subject. ord, key: n scratch. */
static int lr_cells(lr_cell **out, size_t *ncell, const lr_rec *rec, const double *time, size_t n, size_t k,
                    const lr_range *range, uint32_t *ord, uint64_t *key, cxi_mem *mem)
{
    size_t limit = n > 32768 ? 2 * n : 65536, nc = 0;
    double slots_d = ((double)range->smax + 1) * (range->tmax + 1) * (double)k;
    if (slots_d <= (double)limit && range->whole) {
        size_t slots = (size_t)slots_d, T = (size_t)range->tmax + 1;
        uint32_t *cnt = cxi_alloc(mem, 2 * slots * sizeof *cnt);
        if (!cnt)
            return CX_ENOMEM;
        memset(cnt, 0, 2 * slots * sizeof *cnt);
        for (size_t i = 0; i < n; i++) {
            size_t c = ((size_t)rec[i].stratum * T + (size_t)time[i]) * k + rec[i].g;
            cnt[2 * c]++;
            cnt[2 * c + 1] += (uint32_t)rec[i].event;
        }
        for (size_t c = 0; c < slots; c++)
            nc += cnt[2 * c] != 0;
        lr_cell *cell = cxi_alloc(mem, nc * sizeof *cell);
        if (!cell) {
            cxi_free(mem, cnt, 2 * slots * sizeof *cnt);
            return CX_ENOMEM;
        }
        for (size_t c = 0, j = 0; c < slots; c++)
            if (cnt[2 * c])
                cell[j++] = (lr_cell){(int)(c / k / T), (uint32_t)(c % k), (double)(c / k % T), cnt[2 * c],
                                      cnt[2 * c + 1]};
        cxi_free(mem, cnt, 2 * slots * sizeof *cnt);
        *out = cell;
        *ncell = nc;
        return CX_OK;
    }
    lr_cell *cell = cxi_alloc(mem, n * sizeof *cell);
    if (!cell || lr_order(ord, key, rec, time, n, mem)) {
        cxi_free(mem, cell, cell ? n * sizeof *cell : 0);
        return CX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const lr_rec *r = &rec[ord[i]];
        cell[i] = (lr_cell){r->stratum, r->g, r->t, 1, (uint64_t)r->event};
    }
    *out = cell;
    *ncell = n;
    return CX_OK;
}

int cx_logrank_new(cx_logrank **out, const double *time, const int *event, const int *group, size_t n,
                   const cx_logrank_options *options)
{
    static const char fn[] = "cx_logrank_new";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!time || !event || !group)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !time ? "time" : !event ? "event" : "group");
    if (n == 0 || n > UINT32_MAX)
        return cxi_fail(CX_ERANGE, "%s: %zu subjects: give 1 to 2^32 - 1", fn, n);
    cx_logrank_weight weight = options ? (cx_logrank_weight)options->weight : CX_LOGRANK_LOGRANK;
    double p = options ? options->p : 0, q = options ? options->q : 0;
    const double *entry = options ? options->entry : NULL;
    const int *strata = options ? options->strata : NULL;
    if (entry && options->entry_n != n)
        return cxi_fail(CX_ERANGE, "%s: the options have %zu entry times for %zu subjects", fn, options->entry_n, n);
    if (strata && options->strata_n != n)
        return cxi_fail(CX_ERANGE, "%s: the options have %zu strata for %zu subjects", fn, options->strata_n, n);
    lr_range range = {0, 0, 0, true};
    for (size_t i = 0; i < n; i++) {
        double t = time[i];
        if (!isfinite(t) || t < 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: time %g is not a finite duration >= 0", fn, i, t);
        if (entry && !(entry[i] < t))
            return cxi_fail(CX_ERANGE, "%s: row %zu: entry %g is not before the exit time %g", fn, i, entry[i], t);
        if (event[i] != 0 && event[i] != 1)
            return cxi_fail(CX_ERANGE, "%s: row %zu: event %d is neither 0 nor 1", fn, i, event[i]);
        if (group[i] < 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: group %d is negative", fn, i, group[i]);
        range.gmax = group[i] > range.gmax ? group[i] : range.gmax;
        range.tmax = t > range.tmax ? t : range.tmax;
        range.whole = range.whole && t < 4294967296.0 && t == (double)(uint32_t)t;
        if (strata)
            range.smax = strata[i] > range.smax ? strata[i] : range.smax;
    }
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    /* the groups: distinct numbers, increasing; rec[i].g the index of i's */
    int *lab = cxi_alloc(&mem, n * sizeof *lab);
    lr_rec *rec = cxi_alloc(&mem, n * sizeof *rec);
    uint32_t *ord = cxi_alloc(&mem, n * sizeof *ord);
    uint64_t *key = cxi_alloc(&mem, n * sizeof *key);
    size_t k = 0;
    if (!lab || !rec || !ord || !key || dense_groups(lab, &k, rec, group, n, range.gmax, ord, key, &mem)) {
        cxi_free(&mem, lab, lab ? n * sizeof *lab : 0);
        cxi_free(&mem, rec, rec ? n * sizeof *rec : 0);
        cxi_free(&mem, ord, ord ? n * sizeof *ord : 0);
        cxi_free(&mem, key, key ? n * sizeof *key : 0);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    int rc = CX_OK;
    cx_logrank *lr = NULL;
    double *ent = NULL, *ng = NULL, *dg = NULL, *A = NULL, *x = NULL;
    lr_cell *cell = NULL;
    size_t nc = 0;
    uint32_t *eg = NULL;
    if (k < 2) {
        rc = cxi_fail(CX_ERANGE, "%s: the test needs at least two groups, there is one (%d)", fn, lab[0]);
        goto done;
    }
    if (!(lr = cxi_alloc(&mem, sizeof *lr))) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    memset(lr, 0, sizeof *lr);
    lr->mem = mem;
    lr->k = k;
    lr->label = cxi_alloc(&lr->mem, k * sizeof *lr->label);
    lr->subjects = cxi_alloc(&lr->mem, k * sizeof *lr->subjects);
    lr->events = cxi_alloc(&lr->mem, k * sizeof *lr->events);
    lr->obs = cxi_alloc(&lr->mem, k * sizeof *lr->obs);
    lr->exp = cxi_alloc(&lr->mem, k * sizeof *lr->exp);
    lr->var = cxi_alloc(&lr->mem, k * k * sizeof *lr->var);
    ng = cxi_alloc(&mem, k * sizeof *ng);
    dg = cxi_alloc(&mem, k * sizeof *dg);
    A = cxi_alloc(&mem, (k - 1) * (k - 1) * sizeof *A);
    x = cxi_alloc(&mem, (k - 1) * sizeof *x);
    if (entry) {
        ent = cxi_alloc(&mem, n * sizeof *ent);
        eg = cxi_alloc(&mem, n * sizeof *eg);
    }
    if (!lr->label || !lr->subjects || !lr->events || !lr->obs || !lr->exp || !lr->var || !ng || !dg || !A || !x ||
        (entry && (!ent || !eg))) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    memcpy(lr->label, lab, k * sizeof *lab);
    memset(lr->subjects, 0, k * sizeof *lr->subjects);
    memset(lr->events, 0, k * sizeof *lr->events);
    memset(lr->obs, 0, k * sizeof *lr->obs);
    memset(lr->exp, 0, k * sizeof *lr->exp);
    memset(lr->var, 0, k * k * sizeof *lr->var);
    for (size_t i = 0; i < n; i++) {
        uint32_t g = rec[i].g;
        rec[i] = (lr_rec){strata ? strata[i] : 0, g, time[i], event[i]};
        lr->subjects[g]++;
        lr->events[g] += (uint64_t)event[i];
    }
    if (entry) {
        /* entries with their groups, sorted by (stratum, entry) */
        if (lr_order(ord, key, rec, entry, n, &mem)) {
            rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            ent[i] = entry[ord[i]];
            eg[i] = rec[ord[i]].g;
        }
    }
    uint64_t total = 0;
    for (size_t g = 0; g < k; g++)
        total += lr->events[g];
    if (total == 0) {
        rc = cxi_fail(CX_ERANGE, "%s: no event in any group", fn);
        goto done;
    }
    if (lr_cells(&cell, &nc, rec, time, n, k, &range, ord, key, &mem)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    for (size_t i = 0, e0 = 0; i < nc;) {
        size_t j = i, subjects = 0;
        for (; j < nc && cell[j].stratum == cell[i].stratum; j++)
            subjects += cell[j].exits;
        /* the entries of a stratum: the next `subjects` (both orders put strata first) */
        stratum(lr, cell + i, j - i, ent ? ent + e0 : NULL, eg ? eg + e0 : NULL, subjects, weight, p, q, ng, dg);
        e0 += subjects;
        i = j;
    }
    size_t m = k - 1;
    for (size_t a = 0; a < m; a++) {
        x[a] = lr->obs[a] - lr->exp[a];
        for (size_t b = 0; b < m; b++)
            A[a * m + b] = lr->var[a * k + b];
    }
    if (!solve(A, x, m)) {
        rc = cxi_fail(CX_ERANGE,
                      "%s: the variance matrix is singular (a group without subjects at risk at any event time, or "
                      "weights that vanish at every event)",
                      fn);
        goto done;
    }
    double c = 0;
    for (size_t a = 0; a < m; a++)
        c += (lr->obs[a] - lr->exp[a]) * x[a];
    lr->chi2 = c;
    lr->df = m;
    lr->p = cxi_gamma_q(m / 2.0, c / 2);
done:
    cxi_free(&mem, lab, n * sizeof *lab);
    cxi_free(&mem, rec, n * sizeof *rec);
    cxi_free(&mem, cell, nc * sizeof *cell);
    cxi_free(&mem, ord, n * sizeof *ord);
    cxi_free(&mem, key, n * sizeof *key);
    cxi_free(&mem, ent, n * sizeof *ent);
    cxi_free(&mem, eg, n * sizeof *eg);
    if (k >= 2) {
        cxi_free(&mem, ng, k * sizeof *ng);
        cxi_free(&mem, dg, k * sizeof *dg);
        cxi_free(&mem, A, (k - 1) * (k - 1) * sizeof *A);
        cxi_free(&mem, x, (k - 1) * sizeof *x);
    }
    if (rc) {
        cx_logrank_free(lr);
        return rc;
    }
    *out = lr;
    return CX_OK;
}

int cx_logrank_test(double *chi2, double *p, uint64_t *df, const cx_logrank *lr)
{
    if (!chi2)
        return cxi_fail(CX_EINVAL, "cx_logrank_test: chi2 is NULL");
    if (!lr)
        return cxi_fail(CX_EINVAL, "cx_logrank_test: logrank is NULL");
    *chi2 = lr->chi2;
    if (p)
        *p = lr->p;
    if (df)
        *df = lr->df;
    return CX_OK;
}

size_t cx_logrank_group_count(const cx_logrank *lr) { return lr ? lr->k : 0; }

int cx_logrank_variance(double *v, const cx_logrank *lr, size_t i, size_t j)
{
    static const char fn[] = "cx_logrank_variance";
    if (!v)
        return cxi_fail(CX_EINVAL, "%s: v is NULL", fn);
    if (!lr)
        return cxi_fail(CX_EINVAL, "%s: logrank is NULL", fn);
    if (i >= lr->k || j >= lr->k)
        return cxi_fail(CX_ERANGE, "%s: (%zu, %zu) is outside the %zu x %zu matrix", fn, i, j, lr->k, lr->k);
    *v = lr->var[i * lr->k + j];
    return CX_OK;
}

enum { LG_GROUP, LG_SUBJECTS, LG_EVENTS, LG_OBSERVED, LG_EXPECTED, LG_VARIANCE, LG_NCOLS };

int cx_logrank_groups(cx_result **out, const cx_logrank *lr)
{
    static const char fn[] = "cx_logrank_groups";
    static const char *const names[LG_NCOLS] = {"group", "subjects", "events", "observed", "expected", "variance"};
    static const int types[LG_NCOLS] = {CX_TYPE_INT, CX_TYPE_INT, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL,
                                        CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!lr)
        return cxi_fail(CX_EINVAL, "%s: logrank is NULL", fn);
    cx_result *r;
    if (cxi_result_new(&r, &lr->mem, lr->k, LG_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t g = 0; g < lr->k; g++) {
        cxi_result_set_int(r, LG_GROUP, g, lr->label[g]);
        cxi_result_set_int(r, LG_SUBJECTS, g, (int64_t)lr->subjects[g]);
        cxi_result_set_int(r, LG_EVENTS, g, (int64_t)lr->events[g]);
        cxi_result_set_real(r, LG_OBSERVED, g, lr->obs[g]);
        cxi_result_set_real(r, LG_EXPECTED, g, lr->exp[g]);
        cxi_result_set_real(r, LG_VARIANCE, g, lr->var[g * lr->k + g]);
    }
    *out = r;
    return CX_OK;
}
