/*
 * Cox proportional hazards regression: the partial likelihood with Efron's
 * or Breslow's handling of ties, strata and late entry (at risk on
 * (entry, time]), maximised by Newton-Raphson from beta = 0 with step
 * halving and an iteration cap, as R's coxph(). Covariates are centred on
 * their means (which changes nothing but the numerics). Reported: the
 * coefficients with model-based and robust (sandwich, R's robust = TRUE
 * without clusters: D'D with D the dfbeta residuals; cx_cox_fit_store()
 * clusters its counting-process rows by customer) standard errors, the
 * likelihood-ratio, Wald and score tests, the baseline cumulative hazard
 * (Breslow's, or Efron's for Efron ties, as R's survfit.coxph) and a
 * subject's predicted curve, and the test of proportional hazards from the
 * Schoenfeld residuals (R >= 3's cox.zph score test, transforms "km" and
 * "identity"; both computed at the fit). cx_cox_fit_store() fits the
 * store's service signals as time-varying covariates: each customer's time
 * split into rows (start, stop] where a signal changes (R's tmerge()), the
 * rows counted first, then filled.
 *
 * The risk sets are not scanned one by one: each stratum's subjects are
 * sorted once by time (and by entry time, with late entry), and one sweep
 * from the latest event time down adds each subject to running sums at its
 * time and takes it away at its entry (sweep()): O(n p^2) per iteration
 * for n subjects and p terms, where a scan per event time was O(n^2 p^2).
 * Sums that have lost most of what they held are summed again from the
 * risk set, and the robust variance's sums over each subject's event times
 * come from a segment tree, so no result rests on a difference of large
 * running sums.
 */
#include "../table/table.h"
#include "lifecycle_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define COX_MAX_TERMS 64
#define COX_NAME_MAX 128

/* A covariate read from a store at cx_cox_fit_store(). */
enum { STORE_COLUMN, STORE_ATTRIBUTE, STORE_SIGNAL };
#define STORE_NAME_MAX 64
typedef struct store_term {
    int kind;
    int dim;    /* STORE_COLUMN */
    int signal; /* STORE_SIGNAL */
    char name[STORE_NAME_MAX]; /* the attribute, or the channel of a channel share */
    char ref[STORE_NAME_MAX];
    bool has_ref; /* categorical with ref ("" for the first level) */
} store_term;

typedef struct cox_term {
    char name[COX_NAME_MAX];
    char covariate[COX_NAME_MAX]; /* the covariate the term belongs to (a factor's name) */
    size_t group;                 /* its index among the covariates */
} cox_term;

struct cx_cox_options {
    cxi_mem mem;
    int ties;
    int max_iter;
    double *entry;
    size_t entry_n;
    int *strata;
    size_t strata_n;
    size_t nrow;     /* the rows of the covariates added, 0 before the first */
    size_t p;        /* columns */
    size_t ncov;     /* covariates (a factor counts once) */
    double *x;       /* p columns of nrow, column-major, COX_MAX_TERMS columns reserved */
    cox_term *terms; /* COX_MAX_TERMS */
    store_term *store; /* COX_MAX_TERMS, the covariates of cx_cox_fit_store() */
    size_t nstore;
};

struct cx_cox {
    cxi_mem mem;
    size_t n, p, nevents;
    int ties, iterations;
    cox_term *terms;
    double *coef, *var, *rvar, *mean; /* var, rvar: p x p */
    double ll0, ll, score;
    size_t ncov;
    double *zph; /* per transform (km, identity): ncov + 1 rows of (chi2, df) */
    /* the baseline cumulative hazard at the means, per stratum */
    size_t nbase;
    double *btime, *bhaz;
    int *bstratum;
};

/* ---- options ------------------------------------------------------------ */

int cx_cox_options_new(cx_cox_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_cox_options_new: out is NULL");
    *out = NULL;
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    cx_cox_options *o = cxi_alloc(&mem, sizeof *o);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_cox_options_new: out of memory");
    memset(o, 0, sizeof *o);
    o->mem = mem;
    o->ties = CX_TIES_EFRON;
    o->max_iter = 20;
    *out = o;
    return CX_OK;
}

void cx_cox_options_free(cx_cox_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    cxi_free(&mem, o->entry, o->entry_n * sizeof *o->entry);
    cxi_free(&mem, o->strata, o->strata_n * sizeof *o->strata);
    cxi_free(&mem, o->x, COX_MAX_TERMS * o->nrow * sizeof *o->x);
    cxi_free(&mem, o->terms, COX_MAX_TERMS * sizeof *o->terms);
    cxi_free(&mem, o->store, o->store ? COX_MAX_TERMS * sizeof *o->store : 0);
    cxi_free(&mem, o, sizeof *o);
}

#define NEED(o, fn)                                                                                                \
    do {                                                                                                           \
        if (!(o))                                                                                                  \
            return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);                                                 \
    } while (0)

int cx_cox_options_set_ties(cx_cox_options *o, cx_ties ties)
{
    NEED(o, "cx_cox_options_set_ties");
    if (ties != CX_TIES_EFRON && ties != CX_TIES_BRESLOW)
        return cxi_fail(CX_EINVAL, "cx_cox_options_set_ties: ties %d is not a cx_ties", (int)ties);
    o->ties = ties;
    return CX_OK;
}

int cx_cox_options_set_max_iterations(cx_cox_options *o, int max_iterations)
{
    NEED(o, "cx_cox_options_set_max_iterations");
    if (max_iterations < 1 || max_iterations > 1000)
        return cxi_fail(CX_ERANGE, "cx_cox_options_set_max_iterations: %d is not within 1 to 1000", max_iterations);
    o->max_iter = max_iterations;
    return CX_OK;
}

int cx_cox_options_set_entry(cx_cox_options *o, const double *entry, size_t n)
{
    NEED(o, "cx_cox_options_set_entry");
    return cxi_set_entry(&o->entry, &o->entry_n, &o->mem, entry, n, "cx_cox_options_set_entry");
}

int cx_cox_options_set_strata(cx_cox_options *o, const int *strata, size_t n)
{
    NEED(o, "cx_cox_options_set_strata");
    return cxi_set_strata(&o->strata, &o->strata_n, &o->mem, strata, n, "cx_cox_options_set_strata");
}

/* Room for k more columns of n rows; the first column fixes n. */
static int room(cx_cox_options *o, size_t k, size_t n, const char *fn)
{
    if (n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    if (o->nrow && n != o->nrow)
        return cxi_fail(CX_ERANGE, "%s: %zu values, the covariates so far have %zu rows", fn, n, o->nrow);
    if (o->p + k > COX_MAX_TERMS)
        return cxi_fail(CX_ELIMIT, "%s: at most %d model terms", fn, COX_MAX_TERMS);
    if (!o->nrow) {
        o->x = cxi_alloc(&o->mem, COX_MAX_TERMS * n * sizeof *o->x);
        o->terms = cxi_alloc(&o->mem, COX_MAX_TERMS * sizeof *o->terms);
        if (!o->x || !o->terms) {
            cxi_free(&o->mem, o->x, COX_MAX_TERMS * n * sizeof *o->x);
            cxi_free(&o->mem, o->terms, COX_MAX_TERMS * sizeof *o->terms);
            o->x = NULL;
            o->terms = NULL;
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        o->nrow = n;
    }
    return CX_OK;
}

static int add_covariate(cx_cox_options *o, const char *name, const double *values, size_t n, const char *fn)
{
    if (!name || !*name || strlen(name) >= COX_NAME_MAX)
        return cxi_fail(CX_EINVAL, "%s: the name is missing, empty or longer than %d bytes", fn, COX_NAME_MAX - 1);
    if (!values)
        return cxi_fail(CX_EINVAL, "%s: values is NULL", fn);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(values[i]))
            return cxi_fail(CX_ERANGE, "%s: '%s' row %zu: %g is not finite", fn, name, i, values[i]);
    int rc = room(o, 1, n, fn);
    if (rc)
        return rc;
    memcpy(o->x + o->p * n, values, n * sizeof *values);
    snprintf(o->terms[o->p].name, COX_NAME_MAX, "%s", name);
    snprintf(o->terms[o->p].covariate, COX_NAME_MAX, "%s", name);
    o->terms[o->p].group = o->ncov++;
    o->p++;
    return CX_OK;
}

int cx_cox_options_add_covariate(cx_cox_options *o, const char *name, const double *values, size_t n)
{
    NEED(o, "cx_cox_options_add_covariate");
    return add_covariate(o, name, values, n, "cx_cox_options_add_covariate");
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int add_factor(cx_cox_options *o, const char *name, const char *const *values, size_t n, const char *reference,
                      const char *fn)
{
    if (!name || !*name || strlen(name) >= COX_NAME_MAX / 2)
        return cxi_fail(CX_EINVAL, "%s: the name is missing, empty or longer than %d bytes", fn, COX_NAME_MAX / 2 - 1);
    if (!values)
        return cxi_fail(CX_EINVAL, "%s: values is NULL", fn);
    if (n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    for (size_t i = 0; i < n; i++)
        if (!values[i])
            return cxi_fail(CX_EINVAL, "%s: '%s' row %zu: the value is NULL", fn, name, i);
    const char **lev = cxi_alloc(&o->mem, n * sizeof *lev);
    if (!lev)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    memcpy(lev, values, n * sizeof *lev);
    qsort(lev, n, sizeof *lev, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(lev[i], lev[k - 1]) != 0)
            lev[k++] = lev[i];
    const char *ref = reference ? reference : lev[0];
    bool found = false;
    for (size_t i = 0; i < k; i++)
        found = found || strcmp(lev[i], ref) == 0;
    int rc = CX_OK;
    if (!found)
        rc = cxi_fail(CX_ENOTFOUND, "%s: '%s' has no value '%s' to be the reference level", fn, name, ref);
    else if (k < 2)
        rc = cxi_fail(CX_ERANGE, "%s: '%s' has one level only ('%s')", fn, name, ref);
    else
        rc = room(o, k - 1, n, fn);
    if (!rc) {
        for (size_t l = 0; l < k; l++) {
            if (strcmp(lev[l], ref) == 0)
                continue;
            double *col = o->x + o->p * n;
            for (size_t i = 0; i < n; i++)
                col[i] = strcmp(values[i], lev[l]) == 0;
            snprintf(o->terms[o->p].name, COX_NAME_MAX, "%s=%.*s", name, COX_NAME_MAX / 2, lev[l]);
            snprintf(o->terms[o->p].covariate, COX_NAME_MAX, "%s", name);
            o->terms[o->p].group = o->ncov;
            o->p++;
        }
        o->ncov++;
    }
    cxi_free(&o->mem, lev, n * sizeof *lev);
    return rc;
}

int cx_cox_options_add_factor(cx_cox_options *o, const char *name, const char *const *values, size_t n,
                              const char *reference)
{
    NEED(o, "cx_cox_options_add_factor");
    return add_factor(o, name, values, n, reference, "cx_cox_options_add_factor");
}

/* ---- linear algebra --------------------------------------------------- */

/* The inverse of a symmetric positive definite p x p matrix A (Cholesky);
 * false when A is not (numerically) positive definite. L: p x p scratch. */
static bool spd_inverse(double *inv, const double *A, double *L, size_t p)
{
    double scale = 0;
    for (size_t i = 0; i < p; i++)
        scale = fmax(scale, fabs(A[i * p + i]));
    memset(L, 0, p * p * sizeof *L);
    for (size_t j = 0; j < p; j++) {
        double s = A[j * p + j];
        for (size_t k = 0; k < j; k++)
            s -= L[j * p + k] * L[j * p + k];
        if (!(s > 1e-10 * scale))
            return false;
        L[j * p + j] = sqrt(s);
        for (size_t i = j + 1; i < p; i++) {
            double t = A[i * p + j];
            for (size_t k = 0; k < j; k++)
                t -= L[i * p + k] * L[j * p + k];
            L[i * p + j] = t / L[j * p + j];
        }
    }
    /* inv = L^-T L^-1, column by column */
    for (size_t c = 0; c < p; c++) {
        double y[2 * COX_MAX_TERMS];
        for (size_t i = 0; i < p; i++) {
            double t = i == c;
            for (size_t k = 0; k < i; k++)
                t -= L[i * p + k] * y[k];
            y[i] = t / L[i * p + i];
        }
        for (size_t i = p; i-- > 0;) {
            double t = y[i];
            for (size_t k = i + 1; k < p; k++)
                t -= L[k * p + i] * inv[k * p + c];
            inv[i * p + c] = t / L[i * p + i];
        }
    }
    return true;
}

/* ---- the partial likelihood ------------------------------------------- */

typedef struct cox_data {
    size_t n, p;
    const double *x; /* centred, column-major */
    const double *time, *entry;
    const int *event;
    const size_t *ord;     /* subjects by stratum, latest time first */
    const size_t *byentry; /* with entry times: by stratum, latest entry first */
    const size_t *sfirst;
    size_t nstrata;
    int ties;
} cox_data;

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts the times a[0..n) (no NaN) in increasing order without comparisons
 * (cxi_radix_u64 on cxi_double_key: the bytes every time shares, such as
 * the low bytes of whole days, cost nothing), as qsort with cmp_dbl would;
 * a -0 comes back as +0 (these copies are only compared). CX_ENOMEM (a
 * unchanged), reported for fn. */
static int sort_times(cxi_mem *mem, double *a, size_t n, const char *fn)
{
    if (n < 2)
        return CX_OK;
    uint64_t *k = cxi_alloc(mem, 2 * n * sizeof *k);
    if (!k)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t i = 0; i < n; i++)
        k[i] = cxi_double_key(a[i]);
    cxi_radix_u64(k, k + n, n);
    for (size_t i = 0; i < n; i++)
        a[i] = cxi_double_of_key(k[i]);
    cxi_free(mem, k, 2 * n * sizeof *k);
    return CX_OK;
}

/* The number of distinct event times of stratum s. */
static size_t event_count(const cox_data *d, size_t s)
{
    size_t m = 0;
    for (size_t k = d->sfirst[s]; k < d->sfirst[s + 1];) {
        double t = d->time[d->ord[k]];
        bool dies = false;
        for (; k < d->sfirst[s + 1] && d->time[d->ord[k]] == t; k++)
            dies |= d->event[d->ord[k]] != 0;
        m += dies;
    }
    return m;
}

/* The sums over the risk set of a stratum at an event time t: of the
 * relative risks r = exp(eta) (S0; D0 over its deaths, dd of them), of
 * r x (S1; D1), of the deaths' x (xs) and eta (eta_deaths), and when S2
 * is not NULL of r x x' (S2; D2 over the deaths; lower triangles). */
typedef struct risk_sums {
    double S0, D0, dd, eta_deaths;
    double S1[COX_MAX_TERMS], D1[COX_MAX_TERMS], xs[COX_MAX_TERMS];
} risk_sums;

/* What a sweep of a stratum's risk sets tells its caller: subject i
 * (relative risk w) joins the risk set (add), leaves it (leave: late entry,
 * and at the end for those still in it), and the sums at an event time t
 * (event; ord[g0..g1) are the subjects whose time is t). Any may be NULL. */
typedef struct sweep_hooks {
    void (*add)(void *ctx, size_t i, double w);
    void (*leave)(void *ctx, size_t i, double w);
    void (*event)(void *ctx, double t, const risk_sums *r, const double *S2, const double *D2, size_t g0, size_t g1);
    void *ctx;
} sweep_hooks;

/* Running sums that have had far more added and taken away than they now
 * hold are summed again from the risk set (late entry only), so that
 * cancellation costs at most about 2^-16 of the last bits. */
#define SWEEP_RESUM 65536.0

static void sums_add(risk_sums *r, double *S2, const cox_data *d, size_t i, double w, double sign)
{
    size_t n = d->n, p = d->p;
    double ws = sign * w;
    r->S0 += ws;
    for (size_t a = 0; a < p; a++) {
        double xa = d->x[a * n + i];
        r->S1[a] += ws * xa;
        if (S2)
            for (size_t b = 0; b <= a; b++)
                S2[a * p + b] += ws * xa * d->x[b * n + i];
    }
}

/* The risk sets of stratum s at its distinct event times, latest first, in
 * one pass over its subjects: each joins the running sums at its time (the
 * stratum's subjects are in ord latest first) and, with late entry, leaves
 * them at the first event time not after its entry (byentry, latest first);
 * a subject is at risk at t when entry < t <= time. O(n p^2) for the
 * stratum's n subjects and p terms, with S2 (p x p scratch, the running
 * second moments) and D2 (p x p) not NULL; O(n p) without. */
static void sweep(const cox_data *d, size_t s, const double *eta, double *S2, double *D2, const sweep_hooks *h)
{
    size_t n = d->n, p = d->p, first = d->sfirst[s], end = d->sfirst[s + 1], ia = first, ie = first;
    risk_sums r;
    memset(&r, 0, sizeof r);
    if (S2)
        memset(S2, 0, p * p * sizeof *S2);
    double moved = 0; /* the relative risks added and taken away since the sums were last exact */
    while (ia < end) {
        size_t g0 = ia;
        double t = d->time[d->ord[ia]];
        r.D0 = r.dd = r.eta_deaths = 0;
        memset(r.D1, 0, p * sizeof *r.D1);
        memset(r.xs, 0, p * sizeof *r.xs);
        if (S2)
            memset(D2, 0, p * p * sizeof *D2);
        for (; ia < end && d->time[d->ord[ia]] == t; ia++) {
            size_t i = d->ord[ia];
            double w = exp(eta[i]);
            sums_add(&r, S2, d, i, w, 1);
            moved += w;
            if (d->event[i]) {
                r.D0 += w;
                r.dd++;
                r.eta_deaths += eta[i];
                for (size_t a = 0; a < p; a++) {
                    double xa = d->x[a * n + i];
                    r.D1[a] += w * xa;
                    r.xs[a] += xa;
                    if (S2)
                        for (size_t b = 0; b <= a; b++)
                            D2[a * p + b] += w * xa * d->x[b * n + i];
                }
            }
            if (h->add)
                h->add(h->ctx, i, w);
        }
        if (r.dd == 0)
            continue;
        if (d->entry) {
            bool left = false;
            for (; ie < end && d->entry[d->byentry[ie]] >= t; ie++) {
                size_t i = d->byentry[ie];
                double w = exp(eta[i]);
                sums_add(&r, S2, d, i, w, -1);
                moved += w;
                left = true;
                if (h->leave)
                    h->leave(h->ctx, i, w);
            }
            if (left && moved > SWEEP_RESUM * r.S0) {
                r.S0 = 0;
                memset(r.S1, 0, p * sizeof *r.S1);
                if (S2)
                    memset(S2, 0, p * p * sizeof *S2);
                for (size_t k = first; k < ia; k++) {
                    size_t i = d->ord[k];
                    if (d->entry[i] < t)
                        sums_add(&r, S2, d, i, exp(eta[i]), 1);
                }
                moved = r.S0;
            }
        }
        if (h->event)
            h->event(h->ctx, t, &r, S2, D2, g0, ia);
    }
    if (h->leave)
        for (size_t k = d->entry ? ie : first; k < end; k++) {
            size_t i = d->entry ? d->byentry[k] : d->ord[k];
            h->leave(h->ctx, i, exp(eta[i]));
        }
}

/* An event time's terms from its risk sums, over Efron's sub-steps (one
 * step counted dd times for Breslow): subtracts the risk sets' means from u
 * (when not NULL), adds their variance to W (lower triangle, when not
 * NULL) and returns the -log S0 terms of the log likelihood. */
static double event_terms(const cox_data *d, const risk_sums *r, const double *S2, const double *D2, double *u,
                          double *W)
{
    size_t p = d->p, steps = d->ties == CX_TIES_EFRON ? (size_t)r->dd : 1;
    double mult = d->ties == CX_TIES_EFRON ? 1 : r->dd, ll = 0, s1[COX_MAX_TERMS];
    for (size_t k = 0; k < steps; k++) {
        double f = d->ties == CX_TIES_EFRON ? (double)k / r->dd : 0, s0 = r->S0 - f * r->D0;
        ll -= mult * log(s0);
        for (size_t a = 0; a < p; a++)
            s1[a] = (r->S1[a] - f * r->D1[a]) / s0;
        if (u)
            for (size_t a = 0; a < p; a++)
                u[a] -= mult * s1[a];
        if (W)
            for (size_t a = 0; a < p; a++)
                for (size_t b = 0; b <= a; b++)
                    W[a * p + b] += mult * ((S2[a * p + b] - f * D2[a * p + b]) / s0 - s1[a] * s1[b]);
    }
    return ll;
}

static void linear_predictor(const cox_data *d, const double *beta, double *eta)
{
    size_t n = d->n, p = d->p;
    for (size_t i = 0; i < n; i++)
        eta[i] = 0;
    for (size_t j = 0; j < p; j++) {
        const double *xj = d->x + j * n;
        double bj = beta[j];
        for (size_t i = 0; i < n; i++)
            eta[i] += xj[i] * bj;
    }
}

typedef struct ll_ctx {
    const cox_data *d;
    double ll, *U, *I;
} ll_ctx;

static void ll_event(void *vctx, double t, const risk_sums *r, const double *S2, const double *D2, size_t g0,
                     size_t g1)
{
    (void)t, (void)g0, (void)g1;
    ll_ctx *c = vctx;
    c->ll += r->eta_deaths;
    if (c->U)
        for (size_t a = 0; a < c->d->p; a++)
            c->U[a] += r->xs[a];
    c->ll += event_terms(c->d, r, S2, D2, c->U, c->I);
}

/* The log partial likelihood at beta, with its gradient U and information
 * I (either may be NULL). eta: n scratch. */
static double loglik(const cox_data *d, const double *beta, double *U, double *I, double *eta)
{
    size_t p = d->p;
    linear_predictor(d, beta, eta);
    if (U)
        memset(U, 0, p * sizeof *U);
    if (I)
        memset(I, 0, p * p * sizeof *I);
    double *S2 = I ? I + p * p : NULL; /* callers give I room for 3 p x p blocks */
    double *D2 = I ? I + 2 * p * p : NULL;
    ll_ctx c = {d, 0, U, I};
    sweep_hooks h = {NULL, NULL, ll_event, &c};
    for (size_t s = 0; s < d->nstrata; s++)
        sweep(d, s, eta, S2, D2, &h);
    if (I)
        for (size_t a = 0; a < p; a++)
            for (size_t b = a + 1; b < p; b++)
                I[a * p + b] = I[b * p + a];
    return c.ll;
}

/* The score residuals: subject i's is its x minus the risk set's mean at
 * its death, less the sum over the event times t at which it is at risk of
 * r_i h(t) (x_i - xbar(t)) = r_i (x_i h(t) - h(t) xbar(t)), h the hazard
 * increment. A first sweep writes h and h xbar of each event time (in the
 * sweep's order: strata in turn, latest time first) as the leaves of a
 * segment tree, and notes the range of event times of each subject (from
 * when it joins the risk set to when it leaves); the sums over each range
 * are then the tree's node sums, added, never subtracted (differences of
 * running sums would lose a subject with a large r_i at risk briefly, r_i
 * times the rounding of the whole sum). A death at t was counted at full
 * weight there and is corrected at once: with Efron's sub-steps it is at
 * risk with weight 1 - k/d in sub-step k. */
typedef struct resid_ctx {
    const cox_data *d;
    double *L;
    const double *eta;
    size_t *lo, *hi; /* each subject's event times: [lo, hi) */
    double *tree;    /* 2 m2 nodes of (h, h xbar) */
    size_t m2, e;    /* leaves; the event times so far */
} resid_ctx;

static void resid_add(void *vctx, size_t i, double w)
{
    (void)w;
    resid_ctx *c = vctx;
    c->lo[i] = c->e;
}

static void resid_leave(void *vctx, size_t i, double w)
{
    (void)w;
    resid_ctx *c = vctx;
    c->hi[i] = c->e;
}

static void resid_event(void *vctx, double t, const risk_sums *r, const double *S2, const double *D2, size_t g0,
                        size_t g1)
{
    (void)t, (void)S2, (void)D2;
    resid_ctx *c = vctx;
    const cox_data *d = c->d;
    size_t n = d->n, p = d->p;
    bool efron = d->ties == CX_TIES_EFRON;
    size_t steps = efron ? (size_t)r->dd : 1;
    double ht = 0, hd = 0, gt[COX_MAX_TERMS] = {0}, gd[COX_MAX_TERMS] = {0}, xavg[COX_MAX_TERMS] = {0};
    for (size_t k = 0; k < steps; k++) {
        double f = efron ? (double)k / r->dd : 0, s0 = r->S0 - f * r->D0, h = (efron ? 1 : r->dd) / s0;
        ht += h;
        hd += (1 - f) * h;
        for (size_t a = 0; a < p; a++) {
            double xb = (r->S1[a] - f * r->D1[a]) / s0;
            gt[a] += h * xb;
            gd[a] += (1 - f) * h * xb;
            xavg[a] += xb / (double)steps;
        }
    }
    double *leaf = c->tree + (c->m2 + c->e) * (p + 1);
    leaf[0] = ht;
    memcpy(leaf + 1, gt, p * sizeof *gt);
    c->e++;
    for (size_t k = g0; k < g1; k++) {
        size_t i = d->ord[k];
        if (!d->event[i])
            continue;
        double ri = exp(c->eta[i]);
        for (size_t a = 0; a < p; a++) {
            double xa = d->x[a * n + i];
            c->L[i * p + a] += ri * (xa * (ht - hd) - (gt[a] - gd[a])) + xa - xavg[a];
        }
    }
}

/* The score residuals (n x p, row-major) at beta, for the robust variance:
 * R's residuals(fit, "score"), with Efron's sub-steps for ties. False when
 * out of memory. */
static bool score_residuals(const cox_data *d, const double *beta, double *L, double *eta, cxi_mem *mem)
{
    size_t n = d->n, p = d->p, m = 0, m2 = 1;
    for (size_t s = 0; s < d->nstrata; s++)
        m += event_count(d, s);
    while (m2 < m)
        m2 *= 2;
    size_t *lo = cxi_alloc(mem, n * sizeof *lo), *hi = cxi_alloc(mem, n * sizeof *hi);
    double *tree = cxi_alloc(mem, 2 * m2 * (p + 1) * sizeof *tree);
    bool ok = lo && hi && tree;
    if (ok) {
        linear_predictor(d, beta, eta);
        memset(L, 0, n * p * sizeof *L);
        memset(tree, 0, 2 * m2 * (p + 1) * sizeof *tree);
        resid_ctx c = {d, L, eta, lo, hi, tree, m2, 0};
        sweep_hooks h = {resid_add, resid_leave, resid_event, &c};
        for (size_t s = 0; s < d->nstrata; s++)
            sweep(d, s, eta, NULL, NULL, &h);
        for (size_t k = m2; k-- > 1;)
            for (size_t a = 0; a <= p; a++)
                tree[k * (p + 1) + a] = tree[2 * k * (p + 1) + a] + tree[(2 * k + 1) * (p + 1) + a];
        for (size_t i = 0; i < n; i++) {
            double sum[COX_MAX_TERMS + 1] = {0};
            for (size_t l = lo[i] + m2, r = hi[i] + m2; l < r; l /= 2, r /= 2) {
                if (l & 1) {
                    for (size_t a = 0; a <= p; a++)
                        sum[a] += tree[l * (p + 1) + a];
                    l++;
                }
                if (r & 1) {
                    r--;
                    for (size_t a = 0; a <= p; a++)
                        sum[a] += tree[r * (p + 1) + a];
                }
            }
            double w = exp(eta[i]);
            for (size_t a = 0; a < p; a++)
                L[i * p + a] -= w * (d->x[a * n + i] * sum[0] - sum[a + 1]);
        }
    }
    cxi_free(mem, lo, n * sizeof *lo);
    cxi_free(mem, hi, n * sizeof *hi);
    cxi_free(mem, tree, 2 * m2 * (p + 1) * sizeof *tree);
    return ok;
}

/* ---- the test of proportional hazards (R's cox.zph) ---------------------- */

typedef struct zph_g {
    const double *t, *g; /* sorted distinct event times and g there */
    size_t m;
} zph_g;

static double g_at(const zph_g *z, double t)
{
    size_t a = 0, b = z->m;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (z->t[m] < t)
            a = m + 1;
        else
            b = m;
    }
    return z->g[a];
}

typedef struct zph_ctx {
    const cox_data *d;
    const zph_g *z;
    double gm, *I, *Wt;
    double U[2 * COX_MAX_TERMS];
} zph_ctx;

/* An event time's terms of the test: g(t) times the score and the
 * information blocks of the risk set (see zph_test). */
static void zph_event(void *vctx, double t, const risk_sums *r, const double *S2, const double *D2, size_t g0,
                      size_t g1)
{
    (void)g0, (void)g1;
    zph_ctx *c = vctx;
    size_t p = c->d->p, q = 2 * p;
    double g = g_at(c->z, t) - c->gm, A[COX_MAX_TERMS], *I = c->I;
    memset(c->Wt, 0, p * p * sizeof *c->Wt);
    memcpy(A, r->xs, p * sizeof *A);
    event_terms(c->d, r, S2, D2, A, c->Wt);
    for (size_t a = 0; a < p; a++) {
        c->U[p + a] += g * A[a];
        for (size_t b = 0; b <= a; b++) {
            double w = c->Wt[a * p + b];
            I[a * q + b] += w;
            I[(p + a) * q + b] += g * w;
            if (b != a)
                I[(p + b) * q + a] += g * w;
            I[(p + a) * q + p + b] += g * g * w;
        }
    }
}

/* The score test that beta_j(t) = beta_j + gamma_j g(t) has gamma = 0, at
 * the estimate (R >= 3's cox.zph): per event time, the term's score
 * g(t) (x_deaths - xbar) and information blocks g^k(t) V(t), with Efron's
 * sub-steps; per covariate (all its terms) and global. out: ncov + 1 rows
 * of (chi2, df). M: 2p x 2p and 3 p x p; scratch: 3 (2p)^2. False when
 * singular. */
static bool zph_test(const cox_data *d, const cox_term *terms, size_t ncov, const double *beta, const zph_g *z,
                     double *eta, double *M, double *scratch, double *out)
{
    size_t n = d->n, p = d->p, q = 2 * p;
    linear_predictor(d, beta, eta);
    /* g centred on its mean over the events (as R; the test does not depend on it) */
    double gm = 0, ne = 0;
    for (size_t i = 0; i < n; i++)
        if (d->event[i]) {
            gm += g_at(z, d->time[i]);
            ne++;
        }
    gm /= ne;
    double *I = M, *S2 = M + q * q, *D2 = S2 + p * p, *Wt = D2 + p * p;
    zph_ctx zc = {d, z, gm, I, Wt, {0}};
    memset(I, 0, q * q * sizeof *I);
    sweep_hooks h = {NULL, NULL, zph_event, &zc};
    for (size_t s = 0; s < d->nstrata; s++)
        sweep(d, s, eta, S2, D2, &h);
    const double *U = zc.U;
    for (size_t a = 0; a < q; a++)
        for (size_t b = a + 1; b < q; b++)
            I[a * q + b] = I[b * q + a];
    /* per covariate, then global: u' I[kk, kk]^-1 u, kk = the betas and the covariate's gammas */
    double *Sub = scratch, *Inv = scratch + q * q, *Lc = scratch + 2 * q * q;
    for (size_t c = 0; c <= ncov; c++) {
        size_t kk[2 * COX_MAX_TERMS], nk = 0;
        for (size_t a = 0; a < p; a++)
            kk[nk++] = a;
        for (size_t a = 0; a < p; a++)
            if (c == ncov || terms[a].group == c)
                kk[nk++] = p + a;
        for (size_t a = 0; a < nk; a++)
            for (size_t b = 0; b < nk; b++)
                Sub[a * nk + b] = I[kk[a] * q + kk[b]];
        if (!spd_inverse(Inv, Sub, Lc, nk))
            return false;
        double chi = 0;
        for (size_t a = p; a < nk; a++)
            for (size_t b = p; b < nk; b++)
                chi += U[kk[a]] * Inv[a * nk + b] * U[kk[b]];
        out[2 * c] = chi;
        out[2 * c + 1] = (double)(nk - p);
    }
    return true;
}

/* ---- the fit ------------------------------------------------------------ */

void cx_cox_free(cx_cox *c)
{
    if (!c)
        return;
    cxi_mem mem = c->mem;
    size_t p = c->p;
    cxi_free(&mem, c->terms, p * sizeof *c->terms);
    cxi_free(&mem, c->coef, p * sizeof *c->coef);
    cxi_free(&mem, c->mean, p * sizeof *c->mean);
    cxi_free(&mem, c->var, p * p * sizeof *c->var);
    cxi_free(&mem, c->rvar, p * p * sizeof *c->rvar);
    cxi_free(&mem, c->btime, c->nbase * sizeof *c->btime);
    cxi_free(&mem, c->bhaz, c->nbase * sizeof *c->bhaz);
    cxi_free(&mem, c->bstratum, c->nbase * sizeof *c->bstratum);
    cxi_free(&mem, c->zph, 4 * (c->ncov + 1) * sizeof *c->zph);
    cxi_free(&mem, c, sizeof *c);
}

typedef struct cox_work {
    double *xc, *eta, *I, *L, *R;
    size_t *ord, *byentry, *sfirst;
    /* the subjects in sweep order (ord): times, events, entry times; the
     * position of each subject (the inverse of ord) and 0..n-1 */
    double *tp, *enp;
    int *ep;
    size_t *pos, *iden;
} cox_work;

/* The pooled (all strata) Kaplan-Meier with late entry just before each
 * distinct event time, for the km transform; then both tests into c->zph. */
static int zph_both(cx_cox *c, const cox_data *d, const cx_cox_options *o, const double *beta, cox_work *w,
                    const char *fn)
{
    size_t n = d->n, p = d->p, q = 2 * p, m = 0;
    cxi_mem *mem = &c->mem;
    double *ex = cxi_alloc(mem, n * sizeof *ex), *en = o->entry ? cxi_alloc(mem, n * sizeof *en) : NULL;
    double *gt = cxi_alloc(mem, n * sizeof *gt), *gk = cxi_alloc(mem, n * sizeof *gk);
    double *M = cxi_alloc(mem, (q * q + 3 * p * p) * sizeof *M), *sc = cxi_alloc(mem, 3 * q * q * sizeof *sc);
    c->ncov = o->ncov;
    c->zph = cxi_alloc(mem, 4 * (o->ncov + 1) * sizeof *c->zph);
    int rc = CX_OK;
    if (!ex || (o->entry && !en) || !gt || !gk || !M || !sc || !c->zph) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        ex[i] = d->time[i];
        if (en)
            en[i] = o->entry[i];
        if (d->event[i])
            gt[m++] = d->time[i];
    }
    if ((rc = sort_times(mem, ex, n, fn)) || (en && (rc = sort_times(mem, en, n, fn))) ||
        (rc = sort_times(mem, gt, m, fn)))
        goto done;
    /* the distinct event times, with their events counted in gk */
    size_t u = 0;
    for (size_t i = 0; i < m; i++) {
        if (u == 0 || gt[i] != gt[u - 1]) {
            gt[u] = gt[i];
            gk[u++] = 0;
        }
        gk[u - 1]++;
    }
    /* the number at risk: entered before t, not left before t */
    double S = 1;
    for (size_t k = 0; k < u; k++) {
        double t = gt[k], dk = gk[k];
        size_t left, entered = n, a = 0, b = n;
        while (a < b) { /* exits before t */
            size_t h = (a + b) / 2;
            if (ex[h] < t)
                a = h + 1;
            else
                b = h;
        }
        left = a;
        if (en) {
            a = 0;
            b = n;
            while (a < b) { /* entries before t */
                size_t h = (a + b) / 2;
                if (en[h] < t)
                    a = h + 1;
                else
                    b = h;
            }
            entered = a;
        }
        gk[k] = 1 - S; /* 1 - KM(t-) */
        S *= 1 - dk / (double)(entered - left);
    }
    zph_g zk = {gt, gk, u}, zi = {gt, gt, u};
    double out[2 * (COX_MAX_TERMS + 1)];
    for (int tr = 0; tr < 2; tr++) {
        bool ok = zph_test(d, c->terms, o->ncov, beta, tr ? &zi : &zk, w->eta, M, sc, out);
        for (size_t r = 0; r <= o->ncov; r++) {
            c->zph[tr * 2 * (o->ncov + 1) + 2 * r] = ok ? out[2 * r] : NAN;
            c->zph[tr * 2 * (o->ncov + 1) + 2 * r + 1] = out[2 * r + 1];
        }
    }
done:
    cxi_free(mem, ex, n * sizeof *ex);
    cxi_free(mem, en, n * sizeof *en);
    cxi_free(mem, gt, n * sizeof *gt);
    cxi_free(mem, gk, n * sizeof *gk);
    cxi_free(mem, M, (q * q + 3 * p * p) * sizeof *M);
    cxi_free(mem, sc, 3 * q * q * sizeof *sc);
    return rc;
}

/* The baseline hazard's increment at an event time (Breslow's, or Efron's
 * for Efron ties, as R's survfit.coxph), written before next. */
typedef struct base_ctx {
    int ties;
    double *time, *haz;
    size_t next;
} base_ctx;

static void base_event(void *vctx, double t, const risk_sums *r, const double *S2, const double *D2, size_t g0,
                       size_t g1)
{
    (void)S2, (void)D2, (void)g0, (void)g1;
    base_ctx *c = vctx;
    double h = 0;
    if (c->ties == CX_TIES_EFRON)
        for (size_t k = 0; k < (size_t)r->dd; k++)
            h += 1 / (r->S0 - (double)k / r->dd * r->D0);
    else
        h = r->dd / r->S0;
    c->next--;
    c->time[c->next] = t;
    c->haz[c->next] = h;
}

/* A subject in order_by: its key (largest first), its stratum as an
 * unsigned key, its index. */
typedef struct ord_rec {
    uint64_t key, stratum;
    size_t i;
} ord_rec;

/* One pass of order_by's radix sort: src by byte `shift` of key (strat
 * false) or stratum into dst, stably. */
static void ord_pass(ord_rec *dst, const ord_rec *src, size_t n, bool strat, unsigned shift)
{
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++)
        count[(((strat ? src[i].stratum : src[i].key) >> shift) & 0xFF) + 1]++;
    for (int b = 0; b < 256; b++)
        count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++)
        dst[count[((strat ? src[i].stratum : src[i].key) >> shift) & 0xFF]++] = src[i];
}

/* out: the subjects by stratum (strata NULL: one), then by key, largest
 * first, ties by index (the order is the data's): a least-significant-digit
 * radix sort of rec[0..2n), the bytes of the key, then of the stratum,
 * each pass stable, skipping the bytes every subject shares. Keys of -0 and
 * +0 are equal (cxi_double_key), as the comparisons of the fit take them.
 * No NaN. (Not cxi_radix_order, which the survival curves use the same
 * way: its order is 32-bit, and a fit takes any size_t count.) */
static void order_by(size_t *out, ord_rec *rec, const int *strata, const double *key, size_t n)
{
    uint64_t kany = 0, kall = ~(uint64_t)0, sany = 0, sall = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = ~cxi_double_key(key[i]), st = strata ? (uint32_t)strata[i] ^ 0x80000000u : 0;
        rec[i] = (ord_rec){k, st, i};
        kany |= k;
        kall &= k;
        sany |= st;
        sall &= st;
    }
    ord_rec *src = rec, *dst = rec + n;
    for (int pass = 0; pass < 12; pass++) {
        bool strat = pass >= 8;
        unsigned shift = (unsigned)(strat ? pass - 8 : pass) * 8;
        if (!((((strat ? sany ^ sall : kany ^ kall)) >> shift) & 0xFF))
            continue; /* every subject has this byte */
        ord_pass(dst, src, n, strat, shift);
        ord_rec *t = src;
        src = dst;
        dst = t;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = src[i].i;
}

/* The fit of cx_cox_fit() and cx_cox_fit_store(), with mem's allocator;
 * entry times of -INFINITY are subjects observed from the start. cluster:
 * NULL (each row its own subject) or the subject of each row, the rows of a
 * subject consecutive (counting-process rows): the robust variance sums
 * their dfbeta residuals before D'D, as R's cluster(id). */
static int fit(cx_cox **out, cxi_mem mem, const double *time, const int *event, size_t n, const cx_cox_options *o,
               const size_t *cluster, const char *fn)
{
    if (n == 0)
        return cxi_fail(CX_ERANGE, "%s: no subject (n = 0)", fn);
    size_t p = o->p;
    if (p == 0)
        return cxi_fail(CX_ERANGE, "%s: no covariate (add some with cx_cox_options_add_covariate)", fn);
    if (o->nrow != n)
        return cxi_fail(CX_ERANGE, "%s: the covariates have %zu rows for %zu subjects", fn, o->nrow, n);
    if (o->entry && o->entry_n != n)
        return cxi_fail(CX_ERANGE, "%s: the options have %zu entry times for %zu subjects", fn, o->entry_n, n);
    if (o->strata && o->strata_n != n)
        return cxi_fail(CX_ERANGE, "%s: the options have %zu strata for %zu subjects", fn, o->strata_n, n);
    size_t nev = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = cxi_check_subject(time, event, o->entry, i, fn);
        if (rc)
            return rc;
        nev += (size_t)event[i];
    }
    if (nev == 0)
        return cxi_fail(CX_ERANGE, "%s: no event", fn);
    cox_work w = {0};
    w.xc = cxi_alloc(&mem, n * p * sizeof *w.xc);
    w.eta = cxi_alloc(&mem, n * sizeof *w.eta);
    w.byentry = o->entry ? cxi_alloc(&mem, n * sizeof *w.byentry) : NULL;
    w.I = cxi_alloc(&mem, 3 * p * p * sizeof *w.I);
    w.L = cxi_alloc(&mem, n * p * sizeof *w.L);
    w.R = cxi_alloc(&mem, 2 * p * p * sizeof *w.R);
    w.ord = cxi_alloc(&mem, n * sizeof *w.ord);
    w.sfirst = cxi_alloc(&mem, (n + 1) * sizeof *w.sfirst);
    w.tp = cxi_alloc(&mem, n * sizeof *w.tp);
    w.enp = o->entry ? cxi_alloc(&mem, n * sizeof *w.enp) : NULL;
    w.ep = cxi_alloc(&mem, n * sizeof *w.ep);
    w.pos = cxi_alloc(&mem, n * sizeof *w.pos);
    w.iden = cxi_alloc(&mem, n * sizeof *w.iden);
    cx_cox *c = cxi_alloc(&mem, sizeof *c);
    int rc = CX_OK;
    if (c) {
        memset(c, 0, sizeof *c);
        c->mem = mem;
        c->p = p;
        c->terms = cxi_alloc(&c->mem, p * sizeof *c->terms);
        c->coef = cxi_alloc(&c->mem, p * sizeof *c->coef);
        c->mean = cxi_alloc(&c->mem, p * sizeof *c->mean);
        c->var = cxi_alloc(&c->mem, p * p * sizeof *c->var);
        c->rvar = cxi_alloc(&c->mem, p * p * sizeof *c->rvar);
    }
    if (!w.xc || !w.eta || (o->entry && !w.byentry) || !w.I || !w.L || !w.R || !w.ord || !w.sfirst || !w.tp ||
        (o->entry && !w.enp) || !w.ep || !w.pos || !w.iden || !c || !c->terms || !c->coef || !c->mean || !c->var ||
        !c->rvar) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    memcpy(c->terms, o->terms, p * sizeof *c->terms);
    c->n = n;
    c->nevents = nev;
    c->ties = o->ties;
    ord_rec *orec = cxi_alloc(&mem, 2 * n * sizeof *orec);
    if (!orec) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    order_by(w.ord, orec, o->strata, time, n);
    if (o->entry)
        order_by(w.byentry, orec, o->strata, o->entry, n);
    cxi_free(&mem, orec, 2 * n * sizeof *orec);
    size_t ns = 1;
    w.sfirst[0] = 0;
    if (o->strata) {
        ns = 0;
        for (size_t k = 0; k < n; k++)
            if (k == 0 || o->strata[w.ord[k]] != o->strata[w.ord[k - 1]])
                w.sfirst[ns++] = k;
    }
    w.sfirst[ns] = n;
    /* The fit reads its subjects in sweep order, so it reads them in place:
     * each column copied in that order once (centred on its mean), the
     * entry order given as positions. */
    for (size_t k = 0; k < n; k++) {
        size_t i = w.ord[k];
        w.pos[i] = k;
        w.iden[k] = k;
        w.tp[k] = time[i];
        w.ep[k] = event[i];
        if (o->entry)
            w.enp[k] = o->entry[i];
    }
    if (o->entry)
        for (size_t k = 0; k < n; k++)
            w.byentry[k] = w.pos[w.byentry[k]];
    for (size_t j = 0; j < p; j++) {
        double m = 0;
        for (size_t i = 0; i < n; i++)
            m += o->x[j * n + i];
        m /= (double)n;
        c->mean[j] = m;
        for (size_t k = 0; k < n; k++)
            w.xc[j * n + k] = o->x[j * n + w.ord[k]] - m;
    }
    cox_data d = {n, p, w.xc, w.tp, w.enp, w.ep, w.iden, w.byentry, w.sfirst, ns, o->ties};
    double beta[COX_MAX_TERMS] = {0}, U[COX_MAX_TERMS], step[COX_MAX_TERMS], trial[COX_MAX_TERMS];
    double *V = w.R; /* p x p */
    double *Lc = w.R + p * p;
    /* beta = 0: the null log likelihood and the score test */
    double ll = loglik(&d, beta, U, w.I, w.eta);
    c->ll0 = ll;
    if (!spd_inverse(V, w.I, Lc, p)) {
        rc = cxi_fail(CX_ERANGE, "%s: the information matrix is singular: a covariate is constant within the risk "
                                 "sets, or collinear with others",
                      fn);
        goto done;
    }
    double sc = 0;
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            sc += U[a] * V[a * p + b] * U[b];
    c->score = sc;
    bool converged = false;
    double dl = INFINITY; /* the last relative change of the log likelihood */
    int it = 0;
    while (it < o->max_iter) {
        it++;
        for (size_t a = 0; a < p; a++) {
            step[a] = 0;
            for (size_t b = 0; b < p; b++)
                step[a] += V[a * p + b] * U[b];
        }
        double ll_new = 0;
        int halvings = 0;
        for (;;) {
            for (size_t a = 0; a < p; a++)
                trial[a] = beta[a] + step[a];
            ll_new = loglik(&d, trial, NULL, NULL, w.eta);
            if (isfinite(ll_new) && ll_new >= ll - 1e-12 * fabs(ll))
                break;
            if (++halvings > 30)
                break;
            for (size_t a = 0; a < p; a++)
                step[a] /= 2;
        }
        if (!isfinite(ll_new)) {
            rc = cxi_fail(CX_ERANGE, "%s: the likelihood overflows: the covariates separate the events (monotone "
                                     "likelihood); a coefficient tends to infinity",
                          fn);
            goto done;
        }
        memcpy(beta, trial, p * sizeof *beta);
        double ll_old = ll;
        ll = loglik(&d, beta, U, w.I, w.eta);
        if (!spd_inverse(V, w.I, Lc, p)) {
            rc = cxi_fail(CX_ERANGE, "%s: the information matrix became singular at iteration %d: the covariates "
                                     "separate the events (monotone likelihood)",
                          fn, it);
            goto done;
        }
        dl = 1 - ll_old / ll;
        if (fabs(dl) < 1e-9) {
            converged = true;
            break;
        }
    }
    /* stopped by the cap while the likelihood still rises: no
     * convergence (a fit cut short still moves, which is no sign of an
     * infinite coefficient); when it has flattened, a coefficient that
     * still moves is the sign */
    if (!converged && !(fabs(dl) < 1e-6)) {
        rc = cxi_fail(CX_ERANGE, "%s: no convergence in %d Newton-Raphson iterations (log likelihood %g)", fn,
                      o->max_iter, ll);
        goto done;
    }
    /* R's check for an infinite coefficient: one more step still moves it */
    for (size_t a = 0; a < p; a++) {
        double s = 0;
        for (size_t b = 0; b < p; b++)
            s += V[a * p + b] * U[b];
        if (fabs(s) > 1e-9 && fabs(s) > sqrt(1e-9) * fabs(beta[a])) {
            rc = cxi_fail(CX_ERANGE, "%s: the likelihood converged before '%s': its coefficient may be infinite "
                                     "(the covariate separates the events)",
                          fn, o->terms[a].name);
            goto done;
        }
    }
    if (!converged) {
        rc = cxi_fail(CX_ERANGE, "%s: no convergence in %d Newton-Raphson iterations (log likelihood %g)", fn,
                      o->max_iter, ll);
        goto done;
    }
    c->iterations = it;
    c->ll = ll;
    memcpy(c->coef, beta, p * sizeof *beta);
    memcpy(c->var, V, p * p * sizeof *V);
    /* the robust variance: D'D, D = L V (dfbeta), L summed over each
     * subject's rows (cluster) */
    if (!score_residuals(&d, beta, w.L, w.eta, &mem)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    memset(c->rvar, 0, p * p * sizeof *c->rvar);
    double Ls[COX_MAX_TERMS] = {0};
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < p; a++)
            Ls[a] += w.L[w.pos[i] * p + a]; /* the residuals are in sweep order */
        if (cluster && i + 1 < n && cluster[i + 1] == cluster[i])
            continue;
        double D[COX_MAX_TERMS];
        for (size_t a = 0; a < p; a++) {
            D[a] = 0;
            for (size_t b = 0; b < p; b++)
                D[a] += Ls[b] * V[b * p + a];
        }
        memset(Ls, 0, p * sizeof *Ls);
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                c->rvar[a * p + b] += D[a] * D[b];
    }
    /* the baseline cumulative hazard at the means (centred x = 0) */
    size_t nb = 0;
    for (size_t s = 0; s < ns; s++)
        nb += event_count(&d, s);
    c->btime = cxi_alloc(&c->mem, nb * sizeof *c->btime);
    c->bhaz = cxi_alloc(&c->mem, nb * sizeof *c->bhaz);
    c->bstratum = cxi_alloc(&c->mem, nb * sizeof *c->bstratum);
    c->nbase = nb;
    if (!c->btime || !c->bhaz || !c->bstratum) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    linear_predictor(&d, beta, w.eta);
    /* each stratum's increments, latest time first, written from its end;
     * then summed from its start */
    base_ctx bc = {o->ties, c->btime, c->bhaz, 0};
    sweep_hooks bh = {NULL, NULL, base_event, &bc};
    for (size_t s = 0, b0 = 0; s < ns; s++) {
        size_t m = event_count(&d, s);
        bc.next = b0 + m;
        sweep(&d, s, w.eta, NULL, NULL, &bh);
        double H = 0;
        for (size_t e = b0; e < b0 + m; e++) {
            H += c->bhaz[e];
            c->bhaz[e] = H;
            c->bstratum[e] = o->strata ? o->strata[w.ord[w.sfirst[s]]] : 0;
        }
        b0 += m;
    }
    rc = zph_both(c, &d, o, beta, &w, fn);
done:
    cxi_free(&mem, w.xc, n * p * sizeof *w.xc);
    cxi_free(&mem, w.eta, n * sizeof *w.eta);
    cxi_free(&mem, w.byentry, n * sizeof *w.byentry);
    cxi_free(&mem, w.tp, n * sizeof *w.tp);
    cxi_free(&mem, w.enp, n * sizeof *w.enp);
    cxi_free(&mem, w.ep, n * sizeof *w.ep);
    cxi_free(&mem, w.pos, n * sizeof *w.pos);
    cxi_free(&mem, w.iden, n * sizeof *w.iden);
    cxi_free(&mem, w.I, 3 * p * p * sizeof *w.I);
    cxi_free(&mem, w.L, n * p * sizeof *w.L);
    cxi_free(&mem, w.R, 2 * p * p * sizeof *w.R);
    cxi_free(&mem, w.ord, n * sizeof *w.ord);
    cxi_free(&mem, w.sfirst, (n + 1) * sizeof *w.sfirst);
    if (rc) {
        cx_cox_free(c);
        return rc;
    }
    *out = c;
    return CX_OK;
}

int cx_cox_fit(cx_cox **out, const double *time, const int *event, size_t n, const cx_cox_options *o)
{
    static const char fn[] = "cx_cox_fit";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!time || !event || !o)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !time ? "time" : !event ? "event" : "options");
    if (o->nstore)
        return cxi_fail(CX_EINVAL, "%s: the options have store covariates: fit them with cx_cox_fit_store", fn);
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    return fit(out, mem, time, event, n, o, NULL, fn);
}

/* ---- results -------------------------------------------------------------- */

size_t cx_cox_term_count(const cx_cox *c) { return c ? c->p : 0; }

enum { CC_TERM, CC_COEF, CC_HR, CC_SE, CC_ROBUST_SE, CC_Z, CC_P, CC_HR_LO, CC_HR_HI, CC_NCOLS };

int cx_cox_coefficients(cx_result **out, const cx_cox *c, double level)
{
    static const char fn[] = "cx_cox_coefficients";
    static const char *const names[CC_NCOLS] = {"term", "coef", "hazard_ratio", "se", "robust_se",
                                                "z",    "p",    "hr_lo",        "hr_hi"};
    static const int types[CC_NCOLS] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL,
                                        CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!c)
        return cxi_fail(CX_EINVAL, "%s: cox is NULL", fn);
    if (!(level > 0 && level < 1))
        return cxi_fail(CX_ERANGE, "%s: level %g is not within (0, 1)", fn, level);
    double z = cxi_level_z(level);
    cx_result *r;
    if (cxi_result_new(&r, &c->mem, c->p, CC_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t j = 0; j < c->p; j++) {
        if (cxi_result_set_str(r, CC_TERM, j, c->terms[j].name, strlen(c->terms[j].name))) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        double b = c->coef[j], se = sqrt(c->var[j * c->p + j]);
        cxi_result_set_real(r, CC_COEF, j, b);
        cxi_result_set_real(r, CC_HR, j, exp(b));
        cxi_result_set_real(r, CC_SE, j, se);
        cxi_result_set_real(r, CC_ROBUST_SE, j, sqrt(c->rvar[j * c->p + j]));
        cxi_result_set_real(r, CC_Z, j, b / se);
        cxi_result_set_real(r, CC_P, j, 2 * cxi_normal_cdf(-fabs(b / se)));
        cxi_result_set_real(r, CC_HR_LO, j, exp(b - z * se));
        cxi_result_set_real(r, CC_HR_HI, j, exp(b + z * se));
    }
    *out = r;
    return CX_OK;
}

enum { CT_TEST, CT_CHI2, CT_DF, CT_P, CT_NCOLS };

int cx_cox_tests(cx_result **out, const cx_cox *c)
{
    static const char fn[] = "cx_cox_tests";
    static const char *const names[CT_NCOLS] = {"test", "chi2", "df", "p"};
    static const int types[CT_NCOLS] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL};
    static const char *const tests[3] = {"likelihood_ratio", "wald", "score"};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!c)
        return cxi_fail(CX_EINVAL, "%s: cox is NULL", fn);
    size_t p = c->p;
    /* Wald: b' V^-1 b, V^-1 the information at the estimate */
    double *Vi = cxi_alloc((cxi_mem *)&c->mem, 2 * p * p * sizeof *Vi);
    if (!Vi)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    double wald = NAN;
    if (spd_inverse(Vi, c->var, Vi + p * p, p)) {
        wald = 0;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                wald += c->coef[a] * Vi[a * p + b] * c->coef[b];
    }
    cxi_free((cxi_mem *)&c->mem, Vi, 2 * p * p * sizeof *Vi);
    double chi[3] = {2 * (c->ll - c->ll0), wald, c->score};
    cx_result *r;
    if (cxi_result_new(&r, &c->mem, 3, CT_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t k = 0; k < 3; k++) {
        if (cxi_result_set_str(r, CT_TEST, k, tests[k], strlen(tests[k]))) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        cxi_result_set_real(r, CT_CHI2, k, chi[k]);
        cxi_result_set_int(r, CT_DF, k, (int64_t)p);
        cxi_result_set_real(r, CT_P, k, cxi_gamma_q(p / 2.0, chi[k] / 2));
    }
    *out = r;
    return CX_OK;
}

int cx_cox_loglik(double *null_loglik, double *loglik_out, int *iterations, const cx_cox *c)
{
    if (!loglik_out)
        return cxi_fail(CX_EINVAL, "cx_cox_loglik: loglik is NULL");
    if (!c)
        return cxi_fail(CX_EINVAL, "cx_cox_loglik: cox is NULL");
    *loglik_out = c->ll;
    if (null_loglik)
        *null_loglik = c->ll0;
    if (iterations)
        *iterations = c->iterations;
    return CX_OK;
}

enum { CB_STRATUM, CB_TIME, CB_HAZARD, CB_SURVIVAL, CB_NCOLS };

int cx_cox_baseline(cx_result **out, const cx_cox *c)
{
    static const char fn[] = "cx_cox_baseline";
    static const char *const names[CB_NCOLS] = {"stratum", "time", "cumulative_hazard", "survival"};
    static const int types[CB_NCOLS] = {CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!c)
        return cxi_fail(CX_EINVAL, "%s: cox is NULL", fn);
    cx_result *r;
    if (cxi_result_new(&r, &c->mem, c->nbase, CB_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t i = 0; i < c->nbase; i++) {
        cxi_result_set_int(r, CB_STRATUM, i, c->bstratum[i]);
        cxi_result_set_real(r, CB_TIME, i, c->btime[i]);
        cxi_result_set_real(r, CB_HAZARD, i, c->bhaz[i]);
        cxi_result_set_real(r, CB_SURVIVAL, i, exp(-c->bhaz[i]));
    }
    *out = r;
    return CX_OK;
}

int cx_cox_predict(double *surv, const cx_cox *c, const double *x, size_t p, int stratum, double t)
{
    static const char fn[] = "cx_cox_predict";
    if (!surv)
        return cxi_fail(CX_EINVAL, "%s: surv is NULL", fn);
    if (!c || !x)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !c ? "cox" : "x");
    if (p != c->p)
        return cxi_fail(CX_ERANGE, "%s: %zu covariate values for a model of %zu terms", fn, p, c->p);
    if (!isfinite(t))
        return cxi_fail(CX_ERANGE, "%s: t %g is not finite", fn, t);
    double eta = 0;
    for (size_t j = 0; j < p; j++) {
        if (!isfinite(x[j]))
            return cxi_fail(CX_ERANGE, "%s: x[%zu] = %g is not finite", fn, j, x[j]);
        eta += (x[j] - c->mean[j]) * c->coef[j];
    }
    bool seen = false;
    double H = 0;
    for (size_t i = 0; i < c->nbase; i++) {
        if (c->bstratum[i] != stratum)
            continue;
        seen = true;
        if (c->btime[i] <= t)
            H = c->bhaz[i];
    }
    if (!seen)
        return cxi_fail(CX_ERANGE, "%s: stratum %d has no event in the fit", fn, stratum);
    *surv = exp(-H * exp(eta));
    return CX_OK;
}

enum { CZ_TERM, CZ_CHI2, CZ_DF, CZ_P, CZ_NCOLS };

int cx_cox_zph(cx_result **out, const cx_cox *c, cx_zph_transform transform)
{
    static const char fn[] = "cx_cox_zph";
    static const char *const names[CZ_NCOLS] = {"term", "chi2", "df", "p"};
    static const int types[CZ_NCOLS] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!c)
        return cxi_fail(CX_EINVAL, "%s: cox is NULL", fn);
    if (transform != CX_ZPH_KM && transform != CX_ZPH_IDENTITY)
        return cxi_fail(CX_EINVAL, "%s: transform %d is not a cx_zph_transform", fn, (int)transform);
    cx_result *r;
    size_t rows = c->ncov + 1;
    if (cxi_result_new(&r, &c->mem, rows, CZ_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    const double *z = c->zph + (size_t)transform * 2 * rows;
    for (size_t k = 0; k < rows; k++) {
        const char *name = "GLOBAL";
        if (k < c->ncov)
            for (size_t j = 0; j < c->p; j++)
                if (c->terms[j].group == k) {
                    name = c->terms[j].covariate;
                    break;
                }
        if (cxi_result_set_str(r, CZ_TERM, k, name, strlen(name))) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        double chi = z[2 * k], df = z[2 * k + 1];
        cxi_result_set_real(r, CZ_CHI2, k, chi);
        cxi_result_set_int(r, CZ_DF, k, (int64_t)df);
        cxi_result_set_real(r, CZ_P, k, cxi_gamma_q(df / 2, chi / 2));
    }
    *out = r;
    return CX_OK;
}

/* ---- covariates from a store's customers ----------------------------------- */

static const char *dim_name(int dim)
{
    return dim == CX_DIM_SEGMENT ? "segment" : dim == CX_DIM_REGION ? "region" : dim == CX_DIM_PLAN ? "plan" : "channel";
}

/* The values of n customers (by row) for a customer column (codes of
 * sets[set]) or an attribute (key kid), into vals (borrowed from the
 * store); fails naming the first customer without a value. */
static int row_values(const char **vals, const cx_store *store, const uint32_t *rows, size_t n, const uint32_t *col,
                      int set, const char *attribute, const char *what, const char *fn)
{
    uint32_t kid = attribute ? cxi_pool_find(&store->sets[CX_VOCAB_ATTRIBUTE], attribute, strlen(attribute)) : 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t row = rows[i];
        uint32_t v = attribute ? (kid == CXI_NONE ? CXI_NONE : cxi_attrs_get(&store->attrs, row, kid))
                               : col[row];
        if (v == CXI_NONE) {
            char qb[80];
            return cxi_fail(CX_ERANGE, "%s: customer '%s' has no %s", fn, cxi_quote(qb, cxi_customer_id(store, row)),
                            what);
        }
        vals[i] = attribute ? cxi_pool_str(&store->attr_values, v) : cxi_pool_str(&store->sets[set], v);
    }
    return CX_OK;
}

/* The rows of n customers given by id. */
static int id_rows(uint32_t *rows, const cx_store *store, const char *const *ids, size_t n, const char *fn)
{
    for (size_t i = 0; i < n; i++) {
        char qb[80];
        if (!ids[i])
            return cxi_fail(CX_EINVAL, "%s: id %zu is NULL", fn, i);
        rows[i] = cxi_pool_find(&store->keys[CX_TABLE_CUSTOMERS], ids[i], strlen(ids[i]));
        if (rows[i] == CXI_NONE)
            return cxi_fail(CX_ENOTFOUND, "%s: no customer '%s'", fn, cxi_quote(qb, ids[i]));
    }
    return CX_OK;
}

/* A customer column (col, codes of sets[set]) of the customers rows as a factor. */
static int column_covariate(cx_cox_options *o, const cx_store *store, const uint32_t *rows, size_t n, int dim,
                            const uint32_t *col, int set, const char *reference, const char *fn)
{
    const char **vals = cxi_alloc(&o->mem, n * sizeof *vals);
    if (!vals)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    int rc = row_values(vals, store, rows, n, col, set, NULL, dim_name(dim), fn);
    if (!rc)
        rc = add_factor(o, dim_name(dim), vals, n, reference, fn);
    cxi_free(&o->mem, vals, n * sizeof *vals);
    return rc;
}

/* An attribute of the customers rows: numeric without reference, else a
 * factor ("" for the first level). */
static int attribute_covariate(cx_cox_options *o, const cx_store *store, const uint32_t *rows, size_t n,
                               const char *attribute, const char *reference, const char *fn)
{
    const char **vals = cxi_alloc(&o->mem, n * sizeof *vals);
    double *num = reference ? NULL : cxi_alloc(&o->mem, n * sizeof *num);
    int rc = CX_OK;
    if (!vals || (!reference && !num))
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    if (!rc)
        rc = row_values(vals, store, rows, n, NULL, 0, attribute, attribute, fn);
    if (!rc && reference) {
        rc = add_factor(o, attribute, vals, n, *reference ? reference : NULL, fn);
    } else if (!rc) {
        for (size_t i = 0; i < n && !rc; i++) {
            char *end;
            num[i] = strtod(vals[i], &end);
            if (end == vals[i] || *end || !isfinite(num[i])) {
                char qb[80];
                rc = cxi_fail(CX_EPARSE, "%s: customer '%s': %s = '%s' is not a number", fn,
                              cxi_quote(qb, cxi_customer_id(store, rows[i])), attribute, vals[i]);
            }
        }
        if (!rc)
            rc = add_covariate(o, attribute, num, n, fn);
    }
    cxi_free(&o->mem, vals, vals ? n * sizeof *vals : 0);
    cxi_free(&o->mem, num, num ? n * sizeof *num : 0);
    return rc;
}

int cx_cox_options_add_customer_column(cx_cox_options *o, const cx_store *store, const char *const *ids, size_t n,
                                       cx_dim dim, const char *reference)
{
    static const char fn[] = "cx_cox_options_add_customer_column";
    NEED(o, fn);
    if (!store || !ids)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !store ? "store" : "ids");
    if (dim != CX_DIM_SEGMENT && dim != CX_DIM_REGION && dim != CX_DIM_PLAN)
        return cxi_fail(CX_EINVAL, "%s: dim %d is not segment, region or plan", fn, (int)dim);
    if (n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    uint32_t *rows = cxi_alloc(&o->mem, n * sizeof *rows);
    if (!rows)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n;
    uint32_t *codes = cxi_alloc(&o->mem, (ncust + 1) * sizeof *codes);
    if (!codes) {
        cxi_free(&o->mem, rows, n * sizeof *rows);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    int set;
    const uint32_t *col = cxi_survival_groups(&set, codes, NULL, store, dim);
    int rc = id_rows(rows, store, ids, n, fn);
    if (!rc)
        rc = column_covariate(o, store, rows, n, dim, col, set, reference, fn);
    cxi_free(&o->mem, codes, (ncust + 1) * sizeof *codes);
    cxi_free(&o->mem, rows, n * sizeof *rows);
    return rc;
}

int cx_cox_options_add_customer_attribute(cx_cox_options *o, const cx_store *store, const char *const *ids,
                                          size_t n, const char *attribute, const char *reference)
{
    static const char fn[] = "cx_cox_options_add_customer_attribute";
    NEED(o, fn);
    if (!store || !ids || !attribute || !*attribute)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL or empty", fn, !store ? "store" : !ids ? "ids" : "attribute");
    if (n == 0)
        return cxi_fail(CX_ERANGE, "%s: n is 0", fn);
    uint32_t *rows = cxi_alloc(&o->mem, n * sizeof *rows);
    if (!rows)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    int rc = id_rows(rows, store, ids, n, fn);
    if (!rc)
        rc = attribute_covariate(o, store, rows, n, attribute, reference, fn);
    cxi_free(&o->mem, rows, n * sizeof *rows);
    return rc;
}

/* ---- covariates declared for cx_cox_fit_store() ------------------------------ */

static int add_store_term(cx_cox_options *o, const store_term *t, const char *fn)
{
    if (o->nstore >= COX_MAX_TERMS)
        return cxi_fail(CX_ELIMIT, "%s: at most %d store covariates", fn, COX_MAX_TERMS);
    if (!o->store && !(o->store = cxi_alloc(&o->mem, COX_MAX_TERMS * sizeof *o->store)))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    o->store[o->nstore++] = *t;
    return CX_OK;
}

static int copy_name(char *dst, const char *src, const char *what, const char *fn)
{
    size_t len = strlen(src);
    if (len >= STORE_NAME_MAX)
        return cxi_fail(CX_EINVAL, "%s: the %s is %zu bytes long, at most %d", fn, what, len, STORE_NAME_MAX - 1);
    memcpy(dst, src, len + 1);
    return CX_OK;
}

int cx_cox_options_add_store_column(cx_cox_options *o, cx_dim dim, const char *reference)
{
    static const char fn[] = "cx_cox_options_add_store_column";
    NEED(o, fn);
    if (!cxi_survival_dim_ok(dim))
        return cxi_fail(CX_EINVAL, "%s: dim %d is not segment, region, plan or channel", fn, (int)dim);
    store_term t = {.kind = STORE_COLUMN, .dim = dim, .has_ref = reference != NULL};
    int rc = reference ? copy_name(t.ref, reference, "reference", fn) : CX_OK;
    return rc ? rc : add_store_term(o, &t, fn);
}

int cx_cox_options_add_store_attribute(cx_cox_options *o, const char *attribute, const char *reference)
{
    static const char fn[] = "cx_cox_options_add_store_attribute";
    NEED(o, fn);
    if (!attribute || !*attribute)
        return cxi_fail(CX_EINVAL, "%s: the attribute is NULL or empty", fn);
    store_term t = {.kind = STORE_ATTRIBUTE, .has_ref = reference != NULL};
    int rc = copy_name(t.name, attribute, "attribute", fn);
    if (!rc && reference)
        rc = copy_name(t.ref, reference, "reference", fn);
    return rc ? rc : add_store_term(o, &t, fn);
}

int cx_cox_options_add_store_signal(cx_cox_options *o, cx_cox_signal signal, const char *channel)
{
    static const char fn[] = "cx_cox_options_add_store_signal";
    NEED(o, fn);
    if ((int)signal < CX_SIGNAL_DETRACTOR || (int)signal > CX_SIGNAL_CHANNEL_SHARE)
        return cxi_fail(CX_EINVAL, "%s: signal %d is not a cx_cox_signal", fn, (int)signal);
    if (signal == CX_SIGNAL_CHANNEL_SHARE && (!channel || !*channel))
        return cxi_fail(CX_EINVAL, "%s: the channel share needs a channel", fn);
    if (signal != CX_SIGNAL_CHANNEL_SHARE && channel)
        return cxi_fail(CX_EINVAL, "%s: signal %d takes no channel", fn, (int)signal);
    store_term t = {.kind = STORE_SIGNAL, .signal = signal};
    int rc = channel ? copy_name(t.name, channel, "channel", fn) : CX_OK;
    return rc ? rc : add_store_term(o, &t, fn);
}

/* ---- the counting-process rows of cx_cox_fit_store() ----------------------- */

/* Each subject's time on study split at the times its signals change, as
 * R's tmerge(): rows (start, stop], the event on the last. `from` is where
 * a row's signal values are read (the values as of from): the late entry,
 * 0, or the split time; `entry` is the engine's (-INFINITY for a first row
 * observed from the start). */
typedef struct cp_rows {
    size_t n;      /* rows */
    size_t nsplit; /* split times (the capacity of `split`) */
    size_t *first; /* subjects + 1: the first row of each subject */
    double *split; /* the split times, grouped by subject */
    size_t *subj;  /* the subject of each row */
    uint32_t *cust;
    double *from, *entry, *time;
    int *event, *strata;
} cp_rows;

/* Whether a record of subject k at time t falls in its window: before
 * as_of, at or before its own exit. */
static inline bool in_window(const cxi_subjects *sub, size_t k, cx_time t, cx_time as_of)
{
    return t < as_of && t <= sub->exit[k];
}

/* Where subject k's values start: its late entry, else 0. */
static inline double first_from(const cxi_subjects *sub, size_t k) { return sub->entry[k] > 0 ? sub->entry[k] : 0; }

/* A record changing a signal of subject k at u (its time since the start, in
 * the unit), adding x to the signal's sum and y to its count. */
typedef void (*record_fn)(void *ctx, size_t k, double u, double x, double y);

/* Calls visit for every record of signal t in its subject's window (ch:
 * the channel of a channel share). */
static void signal_records(const cx_store *store, const cxi_subjects *sub, const uint32_t *sidx, const store_term *t,
                           uint32_t ch, cx_time as_of, double unit, record_fn visit, void *ctx)
{
    switch (t->signal) {
    case CX_SIGNAL_DETRACTOR:
    case CX_SIGNAL_DETRACTOR_SHARE: {
        size_t nf = store->t[CX_TABLE_FEEDBACK].n;
        const uint32_t *cu = CXI_COL(store, CX_TABLE_FEEDBACK, FB_CUSTOMER, uint32_t);
        const cxi_codes qu = cxi_codes_col(store, CX_TABLE_FEEDBACK, FB_QUESTION);
        const cxi_vcol sc = cxi_vcol_of(store, CX_TABLE_FEEDBACK, FB_SCORE);
        const cxi_icol tm = cxi_icol_of(store, CX_TABLE_FEEDBACK, FB_TIME);
        const uint8_t *metric = CXI_COL(store, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t);
        for (size_t i = 0; i < nf; i++) {
            uint32_t k = sidx[cu[i]];
            if (k == CXI_NONE || metric[cxi_codes_at(qu, i)] != CX_METRIC_NPS || !in_window(sub, k, cxi_icol_at(tm, i), as_of))
                continue;
            visit(ctx, k, (double)(cxi_icol_at(tm, i) - sub->start[k]) / unit, cxi_vcol_at(sc, i) <= 6, 1);
        }
        break;
    }
    case CX_SIGNAL_CASES:
    case CX_SIGNAL_RESOLUTION_HOURS:
    case CX_SIGNAL_REOPENS: {
        size_t nc = store->t[CX_TABLE_CASES].n;
        const uint32_t *cu = CXI_COL(store, CX_TABLE_CASES, CA_CUSTOMER, uint32_t);
        const int64_t *op = CXI_COL(store, CX_TABLE_CASES, CA_OPENED, int64_t);
        const int64_t *rs = CXI_COL(store, CX_TABLE_CASES, CA_RESOLVED, int64_t);
        const int32_t *ro = CXI_COL(store, CX_TABLE_CASES, CA_REOPENS, int32_t);
        for (size_t i = 0; i < nc; i++) {
            uint32_t k = sidx[cu[i]];
            if (k == CXI_NONE || !in_window(sub, k, op[i], as_of))
                continue;
            double uo = (double)(op[i] - sub->start[k]) / unit;
            if (t->signal == CX_SIGNAL_CASES)
                visit(ctx, k, uo, 1, 0);
            else if (t->signal == CX_SIGNAL_REOPENS)
                visit(ctx, k, uo, ro[i], 0);
            else if (rs[i] != CX_TIME_NONE && in_window(sub, k, rs[i], as_of))
                visit(ctx, k, (double)(rs[i] - sub->start[k]) / unit, (double)(rs[i] - op[i]) / 3600000.0, 1);
        }
        break;
    }
    default: {
        size_t ni = store->t[CX_TABLE_INTERACTIONS].n;
        const uint32_t *cu = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
        const cxi_codes tp = cxi_codes_col(store, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT);
        const cxi_icol tm = cxi_icol_of(store, CX_TABLE_INTERACTIONS, IN_TIME);
        const uint32_t *tpch = CXI_COL(store, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t);
        for (size_t i = 0; i < ni; i++) {
            uint32_t k = sidx[cu[i]];
            if (k == CXI_NONE || !in_window(sub, k, cxi_icol_at(tm, i), as_of))
                continue;
            visit(ctx, k, (double)(cxi_icol_at(tm, i) - sub->start[k]) / unit, tpch[cxi_codes_at(tp, i)] == ch, 1);
        }
        break;
    }
    }
}

typedef struct split_ctx {
    const cxi_subjects *sub;
    cp_rows *r;
    size_t *fill; /* per subject: split times written (NULL: counting) */
} split_ctx;

/* A record inside a subject's time at risk splits it (one at or before the
 * first row's start only sets the first values; one at the exit changes no
 * row). */
static void split_visit(void *ctx, size_t k, double u, double x, double y)
{
    (void)x;
    (void)y;
    split_ctx *c = ctx;
    if (!(u > first_from(c->sub, k) && u < c->sub->time[k]))
        return;
    if (c->fill)
        c->r->split[c->r->first[k] + c->fill[k]++] = u;
    else
        c->r->first[k]++;
}

typedef struct value_ctx {
    const cp_rows *r;
    double *sum, *cnt; /* per row: the changes there */
} value_ctx;

/* A record counts from the first row starting at or after it. */
static void value_visit(void *ctx, size_t k, double u, double x, double y)
{
    value_ctx *c = ctx;
    const cp_rows *r = c->r;
    size_t lo = r->first[k], hi = r->first[k + 1];
    if (u > r->from[hi - 1])
        return; /* after the last row's start: never read */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->from[mid] >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    c->sum[lo] += x;
    c->cnt[lo] += y;
}

static void rows_free(cp_rows *r, cxi_mem *mem, size_t nsub)
{
    cxi_free(mem, r->first, r->first ? (nsub + 1) * sizeof *r->first : 0);
    cxi_free(mem, r->split, r->split ? r->nsplit * sizeof *r->split : 0);
    cxi_free(mem, r->subj, r->subj ? r->n * sizeof *r->subj : 0);
    cxi_free(mem, r->cust, r->cust ? r->n * sizeof *r->cust : 0);
    cxi_free(mem, r->from, r->from ? r->n * sizeof *r->from : 0);
    cxi_free(mem, r->entry, r->entry ? r->n * sizeof *r->entry : 0);
    cxi_free(mem, r->time, r->time ? r->n * sizeof *r->time : 0);
    cxi_free(mem, r->event, r->event ? r->n * sizeof *r->event : 0);
    cxi_free(mem, r->strata, r->strata ? r->n * sizeof *r->strata : 0);
    memset(r, 0, sizeof *r);
}

/* The channel of a channel-share term, CXI_NONE for another signal. */
static int term_channel(uint32_t *ch, const cx_store *store, const store_term *t, const char *fn)
{
    *ch = CXI_NONE;
    if (t->kind != STORE_SIGNAL || t->signal != CX_SIGNAL_CHANNEL_SHARE)
        return CX_OK;
    *ch = cxi_pool_find(&store->sets[CX_VOCAB_CHANNEL], t->name, strlen(t->name));
    if (*ch == CXI_NONE) {
        char qb[80];
        return cxi_fail(CX_ENOTFOUND, "%s: the store has no channel '%s'", fn, cxi_quote(qb, t->name));
    }
    return CX_OK;
}

/* The rows of the subjects split at the changes of o's signals (count
 * first, then fill); strata (per subject, or NULL) repeated on each row. */
static int build_rows(cp_rows *r, cxi_mem *mem, const cx_store *store, const cxi_subjects *sub, const uint32_t *sidx,
                      const cx_cox_options *o, cx_time as_of, double unit, const int *strata, const char *fn)
{
    size_t n = sub->n;
    memset(r, 0, sizeof *r);
    r->first = cxi_alloc(mem, (n + 1) * sizeof *r->first);
    if (!r->first)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    memset(r->first, 0, (n + 1) * sizeof *r->first);
    split_ctx sc = {sub, r, NULL};
    for (size_t j = 0; j < o->nstore; j++) {
        uint32_t ch;
        int rc = term_channel(&ch, store, &o->store[j], fn);
        if (rc)
            return rc;
        if (o->store[j].kind == STORE_SIGNAL)
            signal_records(store, sub, sidx, &o->store[j], ch, as_of, unit, split_visit, &sc);
    }
    size_t total = 0; /* first[k]: the count, then the offset of subject k's split times */
    for (size_t k = 0; k < n; k++) {
        size_t c = r->first[k];
        r->first[k] = total;
        total += c;
    }
    r->first[n] = total;
    r->nsplit = total;
    size_t *fill = cxi_alloc(mem, n * sizeof *fill);
    r->split = total ? cxi_alloc(mem, total * sizeof *r->split) : NULL;
    if (!fill || (total && !r->split)) {
        cxi_free(mem, fill, fill ? n * sizeof *fill : 0);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    memset(fill, 0, n * sizeof *fill);
    sc.fill = fill;
    for (size_t j = 0; j < o->nstore; j++) {
        uint32_t ch;
        term_channel(&ch, store, &o->store[j], fn);
        if (o->store[j].kind == STORE_SIGNAL)
            signal_records(store, sub, sidx, &o->store[j], ch, as_of, unit, split_visit, &sc);
    }
    /* each subject's distinct split times, in order: fill[k] of them */
    size_t nrow = 0;
    for (size_t k = 0; k < n; k++) {
        size_t m = r->first[k + 1] - r->first[k], u = 0;
        double *s = m ? r->split + r->first[k] : NULL;
        if (m)
            qsort(s, m, sizeof *s, cmp_dbl);
        for (size_t i = 0; i < m; i++)
            if (u == 0 || s[i] != s[u - 1])
                s[u++] = s[i];
        fill[k] = u;
        nrow += u + 1;
    }
    r->n = nrow;
    r->subj = cxi_alloc(mem, nrow * sizeof *r->subj);
    r->cust = cxi_alloc(mem, nrow * sizeof *r->cust);
    r->from = cxi_alloc(mem, nrow * sizeof *r->from);
    r->entry = cxi_alloc(mem, nrow * sizeof *r->entry);
    r->time = cxi_alloc(mem, nrow * sizeof *r->time);
    r->event = cxi_alloc(mem, nrow * sizeof *r->event);
    r->strata = strata ? cxi_alloc(mem, nrow * sizeof *r->strata) : NULL;
    if (!r->subj || !r->cust || !r->from || !r->entry || !r->time || !r->event || (strata && !r->strata)) {
        cxi_free(mem, fill, n * sizeof *fill);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    size_t row = 0;
    for (size_t k = 0; k < n; k++) {
        size_t m = fill[k];
        const double *s = m ? r->split + r->first[k] : NULL;
        r->first[k] = row; /* from here on: the first row of subject k */
        for (size_t i = 0; i <= m; i++, row++) {
            r->subj[row] = k;
            r->cust[row] = sub->cust[k];
            r->from[row] = i == 0 ? first_from(sub, k) : s[i - 1];
            r->entry[row] = i == 0 ? sub->entry[k] : s[i - 1];
            r->time[row] = i == m ? sub->time[k] : s[i];
            r->event[row] = i == m ? sub->event[k] : 0;
            if (strata)
                r->strata[row] = strata[k];
        }
    }
    r->first[n] = row;
    cxi_free(mem, fill, n * sizeof *fill);
    return CX_OK;
}

/* A signal on every row into v (rows), as of each row's start; sum, cnt:
 * rows of scratch. */
static void signal_values(double *v, double *cnt, const cx_store *store, const cxi_subjects *sub,
                          const uint32_t *sidx, const cp_rows *r, const store_term *t, uint32_t ch, cx_time as_of,
                          double unit, char *name)
{
    static const char *const names[] = {"detractor", "detractor_share", "cases", "resolution_hours", "reopens",
                                        "channel_share"};
    if (t->signal == CX_SIGNAL_CHANNEL_SHARE)
        snprintf(name, COX_NAME_MAX, "channel_share:%s", t->name);
    else
        snprintf(name, COX_NAME_MAX, "%s", names[t->signal]);
    memset(v, 0, r->n * sizeof *v);
    memset(cnt, 0, r->n * sizeof *cnt);
    value_ctx vc = {r, v, cnt};
    signal_records(store, sub, sidx, t, ch, as_of, unit, value_visit, &vc);
    for (size_t k = 0; k < sub->n; k++) {
        double s = 0, c = 0;
        for (size_t i = r->first[k]; i < r->first[k + 1]; i++) {
            s += v[i];
            c += cnt[i];
            switch (t->signal) {
            case CX_SIGNAL_DETRACTOR:
                v[i] = s > 0;
                break;
            case CX_SIGNAL_CASES:
            case CX_SIGNAL_REOPENS:
                v[i] = s;
                break;
            default: /* the shares and the mean hours */
                v[i] = c > 0 ? s / c : 0;
                break;
            }
        }
    }
}

/* The covariates of the rows into w: o's array covariates (per subject),
 * then the store's, in the order added. */
static int row_covariates(cx_cox_options *w, const cx_store *store, const cxi_subjects *sub, const uint32_t *sidx,
                          const cp_rows *r, const cx_cox_options *o, cx_time as_of, double unit, const char *fn)
{
    size_t nr = r->n, ncust = store->t[CX_TABLE_CUSTOMERS].n;
    cxi_mem *mem = &w->mem;
    int rc = CX_OK;
    if (o->p) {
        if ((rc = room(w, o->p, nr, fn)))
            return rc;
        for (size_t j = 0; j < o->p; j++)
            for (size_t i = 0; i < nr; i++)
                w->x[j * nr + i] = o->x[j * o->nrow + r->subj[i]];
        memcpy(w->terms, o->terms, o->p * sizeof *w->terms);
        w->p = o->p;
        w->ncov = o->ncov;
    }
    uint32_t *chan = NULL;
    cx_time *scratch = NULL;
    bool by_channel = false, by_column = false;
    for (size_t k = 0; k < o->nstore; k++) {
        by_column = by_column || o->store[k].kind == STORE_COLUMN;
        by_channel = by_channel || (o->store[k].kind == STORE_COLUMN && o->store[k].dim == CX_DIM_CHANNEL);
    }
    if (by_column) /* the groups of a column term (cxi_survival_groups) */
        chan = cxi_alloc(mem, (ncust + 1) * sizeof *chan);
    if (by_channel)
        scratch = cxi_alloc(mem, (ncust + 1) * sizeof *scratch);
    double *v = cxi_alloc(mem, nr * sizeof *v), *cnt = cxi_alloc(mem, nr * sizeof *cnt);
    if (!v || !cnt || (by_column && !chan) || (by_channel && !scratch))
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t k = 0; k < o->nstore && !rc; k++) {
        const store_term *t = &o->store[k];
        if (t->kind == STORE_COLUMN) {
            int set;
            const uint32_t *col = cxi_survival_groups(&set, chan, scratch, store, t->dim);
            rc = column_covariate(w, store, r->cust, nr, t->dim, col, set, t->has_ref ? t->ref : NULL, fn);
        } else if (t->kind == STORE_ATTRIBUTE) {
            rc = attribute_covariate(w, store, r->cust, nr, t->name, t->has_ref ? t->ref : NULL, fn);
        } else {
            char name[COX_NAME_MAX];
            uint32_t ch;
            rc = term_channel(&ch, store, t, fn);
            if (!rc) {
                signal_values(v, cnt, store, sub, sidx, r, t, ch, as_of, unit, name);
                rc = add_covariate(w, name, v, nr, fn);
            }
        }
    }
    cxi_free(mem, chan, chan ? (ncust + 1) * sizeof *chan : 0);
    cxi_free(mem, scratch, scratch ? (ncust + 1) * sizeof *scratch : 0);
    cxi_free(mem, v, v ? nr * sizeof *v : 0);
    cxi_free(mem, cnt, cnt ? nr * sizeof *cnt : 0);
    return rc;
}

int cx_cox_fit_store(cx_cox **out, const cx_store *store, cx_time as_of, const cx_survival_options *survival,
                     const cx_cox_options *o)
{
    static const char fn[] = "cx_cox_fit_store";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!store || !o)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !store ? "store" : "options");
    if (as_of == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: as_of is missing", fn);
    if (o->entry)
        return cxi_fail(CX_EINVAL, "%s: the Cox options have entry times: a store's late entry is set with "
                                   "cx_survival_options_set_observed_from",
                        fn);
    cx_survival_options defaults;
    if (!survival) {
        cxi_survival_defaults(&defaults);
        survival = &defaults;
    }
    cxi_subjects sub;
    int rc = cxi_subjects_scan(&sub, store, as_of, survival, fn);
    if (rc)
        return rc;
    size_t n = sub.n, ncust = store->t[CX_TABLE_CUSTOMERS].n;
    double unit = (double)survival->unit;
    cx_cox_options w;
    memset(&w, 0, sizeof w);
    w.mem = sub.mem;
    w.ties = o->ties;
    w.max_iter = o->max_iter;
    cp_rows r;
    memset(&r, 0, sizeof r);
    uint32_t *sidx = NULL;
    if (o->p && o->nrow != n)
        rc = cxi_fail(CX_ERANGE, "%s: the options' covariates have %zu rows for %zu subjects", fn, o->nrow, n);
    else if (o->strata && o->strata_n != n)
        rc = cxi_fail(CX_ERANGE, "%s: the options have %zu strata for %zu subjects", fn, o->strata_n, n);
    else if (!(sidx = cxi_alloc(&sub.mem, (ncust + 1) * sizeof *sidx)))
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    if (!rc) {
        for (size_t i = 0; i < ncust; i++)
            sidx[i] = CXI_NONE;
        for (size_t k = 0; k < n; k++)
            sidx[sub.cust[k]] = (uint32_t)k;
        rc = build_rows(&r, &sub.mem, store, &sub, sidx, o, as_of, unit, o->strata, fn);
    }
    if (!rc) {
        w.strata = r.strata;
        w.strata_n = r.strata ? r.n : 0;
        bool late = sub.late || r.n > n;
        w.entry = late ? r.entry : NULL;
        w.entry_n = late ? r.n : 0;
        rc = row_covariates(&w, store, &sub, sidx, &r, o, as_of, unit, fn);
    }
    if (!rc)
        rc = fit(out, sub.mem, r.time, r.event, r.n, &w, r.subj, fn);
    cxi_free(&w.mem, w.x, w.x ? COX_MAX_TERMS * w.nrow * sizeof *w.x : 0);
    cxi_free(&w.mem, w.terms, w.terms ? COX_MAX_TERMS * sizeof *w.terms : 0);
    cxi_free(&sub.mem, sidx, sidx ? (ncust + 1) * sizeof *sidx : 0);
    rows_free(&r, &sub.mem, n);
    cxi_subjects_free(&sub);
    return rc;
}
