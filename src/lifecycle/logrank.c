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
 * over strata, on k - 1 degrees of freedom. The subjects are taken as
 * (stratum, time, group) cells (cxi_cells, survival.c). The option setters,
 * the row checks and the step and statistic above are shared with
 * survival.c and cox.c.
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
    return cxi_set_entry(&o->entry, &o->entry_n, &o->mem, entry, n, fn);
}

int cx_logrank_options_set_strata(cx_logrank_options *o, const int *strata, size_t n)
{
    static const char fn[] = "cx_logrank_options_set_strata";
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    return cxi_set_strata(&o->strata, &o->strata_n, &o->mem, strata, n, fn);
}

/* ---- the parts shared with survival.c and cox.c ----------------------------- */

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

bool cxi_logrank_chi2(double *chi2, const double *obs, const double *exp, const double *var, size_t k, double *A,
                      double *x)
{
    size_t m = k - 1;
    for (size_t a = 0; a < m; a++) {
        x[a] = obs[a] - exp[a];
        for (size_t b = 0; b < m; b++)
            A[a * m + b] = var[a * k + b];
    }
    if (!solve(A, x, m))
        return false;
    double c = 0;
    for (size_t a = 0; a < m; a++)
        c += (obs[a] - exp[a]) * x[a];
    *chi2 = c;
    return true;
}


int cxi_set_entry(double **dst, size_t *dst_n, cxi_mem *mem, const double *entry, size_t n, const char *fn)
{
    if (entry && n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    double *copy = NULL;
    if (entry) {
        for (size_t i = 0; i < n; i++)
            if (!isfinite(entry[i]) || entry[i] < 0)
                return cxi_fail(CX_ERANGE, "%s: row %zu: entry %g is not a finite time >= 0", fn, i, entry[i]);
        if (!(copy = cxi_alloc(mem, n * sizeof *copy)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        memcpy(copy, entry, n * sizeof *copy);
    }
    cxi_free(mem, *dst, *dst_n * sizeof **dst);
    *dst = copy;
    *dst_n = entry ? n : 0;
    return CX_OK;
}

int cxi_set_strata(int **dst, size_t *dst_n, cxi_mem *mem, const int *strata, size_t n, const char *fn)
{
    if (strata && n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    int *copy = NULL;
    if (strata) {
        for (size_t i = 0; i < n; i++)
            if (strata[i] < 0)
                return cxi_fail(CX_ERANGE, "%s: row %zu: stratum %d is negative", fn, i, strata[i]);
        if (!(copy = cxi_alloc(mem, n * sizeof *copy)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        memcpy(copy, strata, n * sizeof *copy);
    }
    cxi_free(mem, *dst, *dst_n * sizeof **dst);
    *dst = copy;
    *dst_n = strata ? n : 0;
    return CX_OK;
}

int cxi_check_subject(const double *time, const int *event, const double *entry, size_t i, const char *fn)
{
    double t = time[i];
    if (!isfinite(t) || t < 0)
        return cxi_fail(CX_ERANGE, "%s: row %zu: time %g is not a finite duration >= 0", fn, i, t);
    if (entry && !(entry[i] < t))
        return cxi_fail(CX_ERANGE, "%s: row %zu: entry %g is not before the exit time %g", fn, i, entry[i], t);
    if (event[i] != 0 && event[i] != 1)
        return cxi_fail(CX_ERANGE, "%s: row %zu: event %d is neither 0 nor 1", fn, i, event[i]);
    return CX_OK;
}

void cxi_logrank_step(double *obs, double *exp, double *var, size_t k, const double *ng, const double *dg, double N,
                      double D, double w)
{
    double f = N > 1 ? w * w * D * (N - D) / (N - 1) : 0;
    for (size_t a = 0; a < k; a++) {
        obs[a] += w * dg[a];
        exp[a] += w * D * ng[a] / N;
        if (f != 0 && ng[a] != 0)
            for (size_t b = 0; b < k; b++)
                var[a * k + b] += f * ng[a] / N * ((a == b) - ng[b] / N);
    }
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

/* Accumulates one stratum's cells (sorted by time) and its entry times ent
 * with groups eg (sorted by entry; NULL without late entry; ne of them)
 * into lr; ng, dg: k scratch counters. */
static void stratum(cx_logrank *lr, const cxi_cell *cell, size_t m, const double *ent, const uint32_t *eg, size_t ne,
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
        double t = cell[i].time;
        size_t j = i;
        double D = 0;
        memset(dg, 0, k * sizeof *dg);
        for (; j < m && cell[j].time == t; j++) {
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
            cxi_logrank_step(lr->obs, lr->exp, lr->var, k, ng, dg, N, D, weight_of(w, p, q, S, Spp, N));
            S *= 1 - D / N;
        }
        i = j;
    }
}

/* The distinct groups, increasing, into lab (*k of them) and each subject's
 * index among them into gi[i]: a table over the group numbers when they
 * are small, else a radix sort (ord, key: n scratch). */
static int dense_groups(int *lab, size_t *k, uint32_t *gi, const int *group, size_t n, int gmax, uint32_t *ord,
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
            gi[i] = dense[group[i]];
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
        int label = group[ord[i]];
        if (nk == 0 || label != lab[nk - 1])
            lab[nk++] = label;
        gi[ord[i]] = (uint32_t)(nk - 1);
    }
    *k = nk;
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
    int gmax = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = cxi_check_subject(time, event, entry, i, fn);
        if (rc)
            return rc;
        if (group[i] < 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: group %d is negative", fn, i, group[i]);
        gmax = group[i] > gmax ? group[i] : gmax;
    }
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    /* the groups: distinct numbers, increasing; gi[i] the index of i's */
    int *lab = cxi_alloc(&mem, n * sizeof *lab);
    uint32_t *gi = cxi_alloc(&mem, n * sizeof *gi);
    uint32_t *ord = cxi_alloc(&mem, n * sizeof *ord);
    uint64_t *key = cxi_alloc(&mem, n * sizeof *key);
    size_t k = 0;
    if (!lab || !gi || !ord || !key || dense_groups(lab, &k, gi, group, n, gmax, ord, key, &mem)) {
        cxi_free(&mem, lab, lab ? n * sizeof *lab : 0);
        cxi_free(&mem, gi, gi ? n * sizeof *gi : 0);
        cxi_free(&mem, ord, ord ? n * sizeof *ord : 0);
        cxi_free(&mem, key, key ? n * sizeof *key : 0);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    int rc = CX_OK;
    cx_logrank *lr = NULL;
    double *ent = NULL, *ng = NULL, *dg = NULL, *A = NULL, *x = NULL;
    cxi_cell *cell = NULL;
    size_t nc = 0;
    uint32_t *eg = NULL;
    if (k < 2) {
        rc = cxi_fail(CX_ERANGE, "%s: the test needs at least two groups, there is one (%d)", fn, lab[0]);
        goto done;
    }
    /* its variance matrix is k^2 and updated at every event time, its
     * solve k^3: customer ids passed as groups would run for hours */
    if (k > CX_LOGRANK_MAX_GROUPS) {
        rc = cxi_fail(CX_ELIMIT, "%s: %zu groups: the test compares at most %d", fn, k, CX_LOGRANK_MAX_GROUPS);
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
        uint32_t g = gi[i];
        lr->subjects[g]++;
        lr->events[g] += (uint64_t)event[i];
    }
    /* entries with their groups, sorted by (stratum, entry) */
    /* the strata, checked >= 0 by the options, read as unsigned (the same object, C11 6.5p7) */
    cxi_srec subjects = {n, time, event, (const uint32_t *)(const void *)strata, gi, entry};
    if (entry && cxi_entries(ent, eg, &subjects, &mem)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    uint64_t total = 0;
    for (size_t g = 0; g < k; g++)
        total += lr->events[g];
    if (total == 0) {
        rc = cxi_fail(CX_ERANGE, "%s: no event in any group", fn);
        goto done;
    }
    if (cxi_cells(&cell, &nc, &subjects, k, &mem)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    for (size_t i = 0, e0 = 0; i < nc;) {
        size_t j = i, members = 0;
        for (; j < nc && cell[j].cls == cell[i].cls; j++)
            members += cell[j].exits;
        /* the entries of a stratum: the next `members` (both orders put strata first) */
        stratum(lr, cell + i, j - i, ent ? ent + e0 : NULL, eg ? eg + e0 : NULL, members, weight, p, q, ng, dg);
        e0 += members;
        i = j;
    }
    size_t m = k - 1;
    double c;
    if (!cxi_logrank_chi2(&c, lr->obs, lr->exp, lr->var, k, A, x)) {
        rc = cxi_fail(CX_ERANGE,
                      "%s: the variance matrix is singular (a group without subjects at risk at any event time, or "
                      "weights that vanish at every event)",
                      fn);
        goto done;
    }
    lr->chi2 = c;
    lr->df = m;
    lr->p = cxi_gamma_q(m / 2.0, c / 2);
done:
    cxi_free(&mem, lab, n * sizeof *lab);
    cxi_free(&mem, gi, n * sizeof *gi);
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
