/*
 * Probability models of customer value: BG/NBD, Pareto/NBD, Gamma-Gamma,
 * BG/BB and the shifted-beta-geometric model, fitted by maximum likelihood
 * (BFGS on the log parameters), with their per-customer predictions, the
 * customer data those read, and CLV as a result table.
 *
 * Speed: rows with identical data are grouped first (one hash pass), and
 * the BG/NBD likelihood reads its x-dependent log-gamma and digamma terms
 * from a table built once per evaluation, so a row costs two logs and one
 * exp. Objectives are the mean negative log-likelihood per customer, so the
 * gradient tolerance does not depend on the sample size.
 */
#include "../table/table.h"
#include "lifecycle_private.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>

#define MIN_CUSTOMERS 10.0
/* The caps of every fit (documented in lifecycle.h): quasi-Newton
 * iterations per start, and evaluations of the likelihood (with or without
 * its gradient) over all the starts of one fit. */
#define FIT_MAX_ITER 500
#define FIT_MAX_EVAL 50000
/* Degenerate boundaries, where a fit stops and says which it reached: a
 * gamma shape this large has a coefficient of variation under 0.1 %, so the
 * customers are as good as identical in that rate (the Poisson or
 * exponential limit); a dropout parameter this small means no dropout. */
#define BOUND_HOMOGENEOUS 1e6
#define BOUND_NO_DROPOUT 1e-8
/* Pareto/NBD: no dropout signal once the mean dropout rate s/beta would
 * see fewer than this share of customers leave over the longest T. */
#define NO_DROPOUT_SHARE 1e-7
/* BG/NBD's a and b reach 10^5 and more on data whose dropout hardly varies
 * (the demo data) and still converge: their bound is higher. */
#define BOUND_HOMOGENEOUS_AB 1e9
#define MAX_X 1000000.0

struct cx_model {
    cxi_mem mem; /* the default allocator: a model is made from arrays, not a store */
    cx_model_kind kind;
    int k;
    double p[4];
    double loglik;
    uint64_t iterations;
    double customers;
    /* The covariance of the estimates (natural scale, by the delta method
     * from the inverse observed information on the log scale); has_cov is
     * 0 for a given model or where the information is not positive
     * definite. */
    int has_cov;
    double cov[4][4];
};

static const char *const param_names[5][4] = {
    {"r", "alpha", "a", "b"},
    {"r", "alpha", "s", "beta"},
    {"p", "q", "gamma", NULL},
    {"alpha", "beta", "gamma", "delta"},
    {"alpha", "beta", NULL, NULL},
};
static const int param_count[5] = {4, 4, 3, 4, 2};
static const char *const kind_names[5] = {"BG/NBD", "Pareto/NBD", "Gamma-Gamma", "BG/BB", "sBG"};
/* The kinds as identifiers, in the parameter table (and the bindings). */
static const char *const kind_ids[5] = {"bgnbd", "pareto_nbd", "gamma_gamma", "bgbb", "sbg"};

/* ---- grouped data ---------------------------------------------------- */

/* Distinct rows of up to three columns with their summed weights. */
typedef struct gdata {
    size_t n;
    double *c[3];
    double *w;
    double W;
    cxi_mem mem;
    size_t cap;
} gdata;

static void gdata_free(gdata *d)
{
    for (int j = 0; j < 3; j++)
        cxi_free(&d->mem, d->c[j], d->cap * sizeof(double));
    cxi_free(&d->mem, d->w, d->cap * sizeof(double));
}

static uint64_t bits(double v)
{
    uint64_t u;
    v += 0.0; /* -0 == +0 */
    memcpy(&u, &v, sizeof u);
    return u;
}

/* A double's bits as an unsigned key in its numeric order (-0 as +0). */
static uint64_t order_key(double v)
{
    uint64_t u = bits(v);
    return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

/* The groups of d put in the numeric order of their columns (the first
 * column first), so that a fit sums its likelihood in one order whatever
 * the order of the rows: the same customers in another order give the
 * same estimates bit for bit, and the same outcome where the likelihood
 * is flat enough that rounding decides between stopping and going on (a
 * BG/NBD fit on the ridge of no spread in dropout either converged, did
 * not, or reached the boundary, by the order of the customers). The
 * stable radix sort of survival.c (cxi_radix_order), one column at a time
 * from the last. CX_ENOMEM, reported; d unchanged then. */
static int sort_groups(gdata *d, int ncols, const char *fn)
{
    size_t n = d->n;
    if (n < 2)
        return CX_OK;
    uint64_t *key = cxi_alloc(&d->mem, n * sizeof *key);
    uint32_t *ord = cxi_alloc(&d->mem, n * sizeof *ord);
    double *tmp = cxi_alloc(&d->mem, n * sizeof *tmp);
    int rc = key && ord && tmp ? CX_OK : CX_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++)
        ord[i] = (uint32_t)i;
    for (int j = ncols - 1; j >= 0 && !rc; j--) {
        for (size_t i = 0; i < n; i++)
            key[i] = order_key(d->c[j][i]);
        rc = cxi_radix_order(ord, key, n, &d->mem);
    }
    for (int j = 0; j < ncols + 1 && !rc; j++) {
        double *col = j < ncols ? d->c[j] : d->w;
        for (size_t i = 0; i < n; i++)
            tmp[i] = col[ord[i]];
        memcpy(col, tmp, n * sizeof *tmp);
    }
    cxi_free(&d->mem, key, n * sizeof *key);
    cxi_free(&d->mem, ord, n * sizeof *ord);
    cxi_free(&d->mem, tmp, n * sizeof *tmp);
    return rc ? cxi_fail(CX_ENOMEM, "%s: out of memory ordering %zu groups", fn, n) : CX_OK;
}

/* Groups the rows whose weight is not 0 (rows where skip[i] is set are left
 * out too), in the numeric order of their columns (sort_groups). */
static int group_rows(gdata *d, const double *const *cols, int ncols, const double *weight, size_t n,
                      const uint8_t *skip, const char *fn)
{
    memset(d, 0, sizeof *d);
    cxi_mem_init(&d->mem, cxi_default_alloc, NULL);
    size_t nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    uint32_t *slot = cxi_alloc(&d->mem, nslots * sizeof *slot);
    d->cap = n ? n : 1;
    for (int j = 0; j < 3; j++)
        d->c[j] = cxi_alloc(&d->mem, d->cap * sizeof(double));
    d->w = cxi_alloc(&d->mem, d->cap * sizeof(double));
    if (!slot || !d->c[0] || !d->c[1] || !d->c[2] || !d->w) {
        cxi_free(&d->mem, slot, nslots * sizeof *slot);
        gdata_free(d);
        return cxi_fail(CX_ENOMEM, "%s: out of memory grouping %zu rows", fn, n);
    }
    memset(slot, 0, nslots * sizeof *slot);
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1;
        if (w == 0 || (skip && skip[i]))
            continue;
        uint64_t h = 0x9e3779b97f4a7c15u;
        for (int j = 0; j < ncols; j++) {
            h ^= bits(cols[j][i]);
            h *= 0xff51afd7ed558ccdu;
            h ^= h >> 29;
        }
        size_t s = h & (nslots - 1);
        for (;; s = (s + 1) & (nslots - 1)) {
            uint32_t g = slot[s];
            if (!g) {
                for (int j = 0; j < ncols; j++)
                    d->c[j][d->n] = cols[j][i];
                d->w[d->n] = w;
                slot[s] = (uint32_t)++d->n;
                break;
            }
            bool same = true;
            for (int j = 0; j < ncols && same; j++)
                same = bits(d->c[j][g - 1]) == bits(cols[j][i]);
            if (same) {
                d->w[g - 1] += w;
                break;
            }
        }
    }
    cxi_free(&d->mem, slot, nslots * sizeof *slot);
    int rc = sort_groups(d, ncols, fn);
    if (rc) {
        gdata_free(d);
        return rc;
    }
    /* the total in the groups' order too */
    for (size_t g = 0; g < d->n; g++)
        d->W += d->w[g];
    return CX_OK;
}

/* ---- argument checks --------------------------------------------------- */

static int check_out(cx_model **out, const char *fn)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    return CX_OK;
}

static int check_weights(const double *weight, size_t n, const char *fn)
{
    double W = 0;
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1;
        if (!(w >= 0) || !isfinite(w))
            return cxi_fail(CX_ERANGE, "%s: row %zu: weight %g is not a finite count >= 0", fn, i, w);
        W += w;
    }
    if (!(W >= MIN_CUSTOMERS))
        return cxi_fail(CX_ERANGE, "%s: too few customers to fit: %g (at least %g are needed)", fn, W,
                        MIN_CUSTOMERS);
    return CX_OK;
}

static bool is_count(double v) { return v >= 0 && v <= MAX_X && v == floor(v); }

/* x, t_x, T of the continuous-time models. */
static int check_xtT(const double *x, const double *tx, const double *T, size_t n, const char *fn)
{
    if (!x || !tx || !T)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !x ? "x" : !tx ? "t_x" : "T");
    for (size_t i = 0; i < n; i++) {
        if (!is_count(x[i]))
            return cxi_fail(CX_ERANGE, "%s: row %zu: x %g is not a count of purchases", fn, i, x[i]);
        if (!isfinite(T[i]) || !(T[i] > 0))
            return cxi_fail(CX_ERANGE, "%s: row %zu: T %g is not a finite age > 0", fn, i, T[i]);
        if (!isfinite(tx[i]) || tx[i] < 0 || tx[i] > T[i])
            return cxi_fail(CX_ERANGE, "%s: row %zu: t_x %g is not within [0, T = %g]", fn, i, tx[i], T[i]);
        if (x[i] == 0 && tx[i] != 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: t_x %g with no repeat purchase (x = 0)", fn, i, tx[i]);
        if (x[i] > 0 && tx[i] == 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: %g repeat purchases with t_x = 0", fn, i, x[i]);
    }
    return CX_OK;
}

/* Says which degenerate boundary of its model a fit ran into (theta just
 * beyond it, on the log scale), with the boundary's own estimate. */
static int boundary_fail(cx_model_kind kind, const double *theta, double tmax, const char *fn)
{
    double p[4];
    for (int i = 0; i < param_count[kind]; i++)
        p[i] = exp(theta[i]);
    const char *what = "a parameter runs to a limit of its range";
    char est[160] = "";
    switch (kind) {
    case CX_MODEL_BGNBD:
    case CX_MODEL_PARETO_NBD:
        if (kind == CX_MODEL_BGNBD && p[3] / (p[2] + p[3]) < 1e-10) {
            what = "the dropout probability a/(a+b) tends to 1: each customer leaves at its first repeat purchase "
                   "(no customer makes a second one)";
            snprintf(est, sizeof est, "; boundary estimate: purchase rate r/alpha = %.6g per time unit until then",
                     p[0] / p[1]);
        } else if (p[0] >= BOUND_HOMOGENEOUS) {
            what = "no spread in purchase rates: r and alpha grow without bound, every customer buys at the same "
                   "rate";
            snprintf(est, sizeof est, "; boundary estimate: purchase rate r/alpha = %.6g per time unit",
                     p[0] / p[1]);
        } else if (kind == CX_MODEL_BGNBD ? p[2] < BOUND_HOMOGENEOUS || p[3] < BOUND_HOMOGENEOUS ||
                                                p[2] / (p[2] + p[3]) < 1e-10
                                          : p[2] < BOUND_HOMOGENEOUS || p[2] / p[3] * tmax < 1e3 * NO_DROPOUT_SHARE) {
            what = "no dropout signal: the dropout rate tends to 0, customers look as if they never leave";
            snprintf(est, sizeof est, "; boundary estimate: r = %.6g, alpha = %.6g (the NBD model without dropout)",
                     p[0], p[1]);
        } else {
            what = "no spread in dropout: both dropout parameters grow without bound, every customer has the same "
                   "dropout";
            if (kind == CX_MODEL_BGNBD)
                snprintf(est, sizeof est, "; boundary estimate: dropout probability a/(a+b) = %.6g",
                         p[2] / (p[2] + p[3]));
            else
                snprintf(est, sizeof est, "; boundary estimate: dropout rate s/beta = %.6g per time unit",
                         p[2] / p[3]);
        }
        break;
    case CX_MODEL_GAMMA_GAMMA:
        if (p[1] >= BOUND_HOMOGENEOUS) {
            what = "no spread in spend between customers: q and gamma grow without bound";
            snprintf(est, sizeof est, "; boundary estimate: mean amount p gamma/(q - 1) = %.6g",
                     p[0] * p[2] / (p[1] - 1));
        } else {
            what = "no spread in the amounts of a customer: p grows without bound";
        }
        break;
    default:
        break;
    }
    return cxi_fail(CX_ERANGE, "%s: degenerate data for the %s model: %s (the likelihood has no maximum)%s", fn,
                    kind_names[kind], what, est);
}

/* Inverts the symmetric k x k matrix A (k <= 4) into V by Cholesky; false
 * when A is not positive definite. */
static bool spd_inverse(double V[4][4], double A[4][4], int k)
{
    double L[4][4] = {{0}};
    for (int j = 0; j < k; j++) {
        double d = A[j][j];
        for (int m = 0; m < j; m++)
            d -= L[j][m] * L[j][m];
        if (!(d > 0) || !isfinite(d))
            return false;
        L[j][j] = sqrt(d);
        for (int i = j + 1; i < k; i++) {
            double v = A[i][j];
            for (int m = 0; m < j; m++)
                v -= L[i][m] * L[j][m];
            L[i][j] = v / L[j][j];
        }
    }
    /* L^-1 by forward substitution, then V = L^-T L^-1 */
    double M[4][4] = {{0}};
    for (int j = 0; j < k; j++) {
        M[j][j] = 1 / L[j][j];
        for (int i = j + 1; i < k; i++) {
            double v = 0;
            for (int m = j; m < i; m++)
                v -= L[i][m] * M[m][j];
            M[i][j] = v / L[i][i];
        }
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double v = 0;
            for (int m = i > j ? i : j; m < k; m++)
                v += M[m][i] * M[m][j];
            V[i][j] = v;
        }
    return true;
}

/*
 * The covariance of a fit's estimates: the observed information on the log
 * scale the fit works in (W times the Hessian of f, the mean negative
 * log-likelihood per customer, at the estimate), inverted, and carried to
 * the parameters by the delta method, cov(p_i, p_j) = p_i p_j
 * cov(theta_i, theta_j) with p = e^theta (lifetimes reports the same
 * standard errors). The Hessian is taken by central differences of the
 * analytic gradient where there is one (error about 1e-10), else by second
 * differences of f (about 1e-7 relative). Left unset (has_cov 0) when the
 * information is not finite and positive definite: no standard errors then.
 */
static void fit_cov(cx_model *md, cxi_objective f, void *ctx, const double *theta, bool analytic)
{
    int k = md->k;
    double H[4][4], V[4][4], t[4], gp[4], gm[4], h[4];
    md->has_cov = 0;
    memcpy(t, theta, (size_t)k * sizeof(double));
    for (int j = 0; j < k; j++)
        h[j] = (analytic ? 1e-5 : 1e-4) * (1 + fabs(theta[j]));
    if (analytic) {
        for (int j = 0; j < k; j++) {
            t[j] = theta[j] + h[j];
            double fp = f(ctx, t, gp);
            t[j] = theta[j] - h[j];
            double fm = f(ctx, t, gm);
            t[j] = theta[j];
            if (!isfinite(fp) || !isfinite(fm))
                return;
            for (int i = 0; i < k; i++)
                H[i][j] = (gp[i] - gm[i]) / (2 * h[j]);
        }
    } else {
        double f0 = f(ctx, t, NULL);
        for (int i = 0; i < k; i++)
            for (int j = 0; j <= i; j++) {
                double v;
                if (i == j) {
                    t[i] = theta[i] + h[i];
                    double fp = f(ctx, t, NULL);
                    t[i] = theta[i] - h[i];
                    double fm = f(ctx, t, NULL);
                    v = (fp - 2 * f0 + fm) / (h[i] * h[i]);
                } else {
                    double q[4];
                    for (int c = 0; c < 4; c++) {
                        t[i] = theta[i] + (c & 1 ? -h[i] : h[i]);
                        t[j] = theta[j] + (c & 2 ? -h[j] : h[j]);
                        q[c] = f(ctx, t, NULL);
                    }
                    v = (q[0] - q[1] - q[2] + q[3]) / (4 * h[i] * h[j]);
                }
                t[i] = theta[i];
                t[j] = theta[j];
                H[i][j] = H[j][i] = v;
            }
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < i; j++)
            H[i][j] = H[j][i] = 0.5 * (H[i][j] + H[j][i]);
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            H[i][j] *= md->customers;
            if (!isfinite(H[i][j]))
                return;
        }
    if (!spd_inverse(V, H, k))
        return;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            md->cov[i][j] = md->p[i] * md->p[j] * V[i][j];
    md->has_cov = 1;
}

/* A converged fit's model (with the covariance of its estimates from f,
 * the objective it minimised, and ctx, still valid); or the failure. */
static int finish(cx_model **out, cx_model_kind kind, const double *theta, const cxi_minimum *m, double W,
                  double tmax, cxi_objective f, void *ctx, bool analytic, const char *fn)
{
    if (!m->converged && m->capped == CXI_STOP_BOUNDARY)
        return boundary_fail(kind, theta, tmax, fn);
    if (!m->converged && m->capped)
        return cxi_fail(CX_ELIMIT,
                        "%s: the %s fit reached its cap of %d %s without converging (%d iterations, %d likelihood "
                        "evaluations; largest gradient component %.3g, log-likelihood %.10g)",
                        fn, kind_names[kind], m->capped == CXI_CAP_ITERATIONS ? FIT_MAX_ITER : FIT_MAX_EVAL,
                        m->capped == CXI_CAP_ITERATIONS ? "iterations per start" : "likelihood evaluations",
                        m->iterations, m->evaluations, m->gnorm, -m->f * W);
    if (!m->converged)
        return cxi_fail(CX_ERANGE,
                        "%s: the %s fit did not converge after %d iterations (largest gradient component %.3g, "
                        "log-likelihood %.10g)",
                        fn, kind_names[kind], m->iterations, m->gnorm, -m->f * W);
    cx_model *md = CXI_NEW(cx_model, NULL, NULL);
    if (!md)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    md->kind = kind;
    md->k = param_count[kind];
    for (int i = 0; i < md->k; i++)
        md->p[i] = exp(theta[i]);
    md->loglik = -m->f * W;
    md->iterations = (uint64_t)m->iterations;
    md->customers = W;
    fit_cov(md, f, ctx, theta, analytic);
    *out = md;
    return CX_OK;
}

/* Data that cannot identify a model fail before any fit, in bounded time:
 * a single distinct row (one customer, or all customers identical) leaves
 * the spread of the rates (the heterogeneity parameters) undetermined, the
 * likelihood rising without bound towards a point mass. */
static int check_distinct(const gdata *d, const char *what, const char *fn)
{
    if (d->n < 2)
        return cxi_fail(CX_ERANGE,
                        "%s: degenerate data: all %g customers have the same %s, so the spread between customers "
                        "cannot be estimated (the likelihood has no maximum)",
                        fn, d->W, what);
    return CX_OK;
}

/* Runs BFGS from each start in turn until one converges; keeps the best.
 * The starts share one evaluation budget. */
static void fit_starts(cxi_minimum *best, double *theta, cxi_objective f, void *ctx, int k, const double *starts,
                       int nstarts, double gtol, int grad_cost)
{
    best->converged = 0;
    best->f = INFINITY;
    best->iterations = 0;
    best->gnorm = INFINITY;
    best->evaluations = 0;
    best->capped = 0;
    memcpy(theta, starts, (size_t)k * sizeof(double));
    int total = 0, evals = 0, capped = 0;
    double edge[4] = {0};
    for (int s = 0; s < nstarts && evals < FIT_MAX_EVAL; s++) {
        double t[4];
        memcpy(t, starts + s * k, (size_t)k * sizeof(double));
        cxi_minimum m;
        cxi_bfgs(&m, f, ctx, t, k, gtol, FIT_MAX_ITER, FIT_MAX_EVAL - evals, grad_cost);
        total += m.iterations;
        evals += m.evaluations;
        if (m.capped == CXI_STOP_BOUNDARY) {
            /* the likelihood rises towards a degenerate boundary; another
             * start may still find an interior maximum */
            if (capped != CXI_STOP_BOUNDARY)
                memcpy(edge, t, (size_t)k * sizeof(double));
            capped = CXI_STOP_BOUNDARY;
            continue;
        }
        if (m.capped && capped != CXI_STOP_BOUNDARY)
            capped = m.capped;
        if ((m.converged && (!best->converged || m.f < best->f)) || (!best->converged && m.f < best->f)) {
            *best = m;
            memcpy(theta, t, (size_t)k * sizeof(double));
        }
        if (best->converged)
            break;
    }
    best->iterations = total;
    best->evaluations = evals;
    best->capped = best->converged ? 0 : capped;
    if (best->capped == CXI_STOP_BOUNDARY)
        memcpy(theta, edge, (size_t)k * sizeof(double));
}

/* ---- BG/NBD ------------------------------------------------------------ */

typedef struct bg_ctx {
    const gdata *d;
    size_t xmax;
    double *tab;    /* 6 per x value */
    double afloor;  /* alpha's floor, in the data's time unit (floor_of) */
} bg_ctx;

static double bgnbd_obj(void *vctx, const double *th, double *g)
{
    bg_ctx *c = vctx;
    const gdata *d = c->d;
    double r = exp(th[0]), al = exp(th[1]), a = exp(th[2]), b = exp(th[3]);
    if (!isfinite(r + al + a + b) || r < 1e-10 || al < c->afloor || b < 1e-10)
        return NAN;
    if (r >= BOUND_HOMOGENEOUS || a <= BOUND_NO_DROPOUT || a / (a + b) < 1e-10 || b / (a + b) < 1e-10 ||
        (a >= BOUND_HOMOGENEOUS_AB && b >= BOUND_HOMOGENEOUS_AB))
        return -INFINITY;
    double *tab = c->tab;
    /* ln B(a, b + x) - ln B(a, b) as a sum of ln((b + j) / (a + b + j)),
     * j < x: the difference of ln Gamma at a + b and a + b + x is not
     * taken, whose rounding (2e-9 at a + b = 10^6) would leave a fit on the
     * ridge of no spread in dropout stalled at a gradient of 1e-5 */
    double lbeta = 0;
    for (size_t x = 0; x <= c->xmax; x++) {
        double *t = tab + 6 * x;
        if (x > 0) {
            double j = (double)(x - 1), y = a / (a + b + j);
            lbeta += y < 0.5 ? log1p(-y) : log((b + j) / (a + b + j));
        }
        t[0] = cxi_lgamma(r + x) + lbeta;
        if (g) {
            t[1] = cxi_digamma(r + x);
            t[2] = cxi_digamma(b + x);
            t[3] = cxi_digamma(a + b + x);
        }
        t[4] = x > 0 ? log(a) - log(b + x - 1) : 0;
    }
    double lal = log(al), ll = 0, gr = 0, gal = 0, ga = 0, gb = 0;
    const double *X = d->c[0], *TX = d->c[1], *TT = d->c[2], *W = d->w;
    for (size_t i = 0; i < d->n; i++) {
        size_t x = (size_t)X[i];
        const double *t = tab + 6 * x;
        double w = W[i], laT = log(al + TT[i]);
        double l = t[0] - (r + x) * laT, w4 = 0, latx = 0;
        if (x > 0) {
            latx = log(al + TX[i]);
            double dd = t[4] + (r + x) * (laT - latx); /* A4 - A3 */
            if (dd > 0) {
                double e = exp(-dd);
                l += dd + log1p(e);
                w4 = 1 / (1 + e);
            } else {
                double e = exp(dd);
                l += log1p(e);
                w4 = e / (1 + e);
            }
        }
        ll += w * l;
        if (g) {
            double w3 = 1 - w4;
            gr += w * (t[1] - w3 * laT - w4 * latx);
            gal -= w * (r + x) * (w3 / (al + TT[i]) + (x > 0 ? w4 / (al + TX[i]) : 0));
            ga += w * (-t[3] + (x > 0 ? w4 / a : 0));
            gb += w * (t[2] - t[3] - (x > 0 ? w4 / (b + x - 1) : 0));
        }
    }
    double Wt = d->W;
    ll += Wt * (-cxi_lgamma(r) + r * lal);
    if (g) {
        double pab = cxi_digamma(a + b);
        gr += Wt * (-cxi_digamma(r) + lal);
        gal += Wt * r / al;
        ga += Wt * pab;
        gb += Wt * (pab - cxi_digamma(b));
        g[0] = -gr * r / Wt;
        g[1] = -gal * al / Wt;
        g[2] = -ga * a / Wt;
        g[3] = -gb * b / Wt;
    }
    return -ll / Wt;
}

/* The floor of a parameter in the data's unit of time or money (BG/NBD's
 * and Pareto/NBD's alpha and beta, Gamma-Gamma's gamma), which scale with
 * it: base for data whose mean (mean T, mean amount) is 1 or more, as
 * before; below that, base times the mean, so that the same data in a
 * unit 10^10 times larger fit to the same estimates in that unit. */
static double floor_of(double base, double mean) { return mean > 0 && mean < 1 ? base * mean : base; }

static void rate_guess(const gdata *d, double *mx, double *mT)
{
    double sx = 0, sT = 0;
    for (size_t i = 0; i < d->n; i++) {
        sx += d->w[i] * d->c[0][i];
        sT += d->w[i] * d->c[2][i];
    }
    *mx = sx / d->W;
    *mT = sT / d->W;
}

/* The checks and the grouped (x, t_x, T) rows that both fits start from. */
/* The ridge of no spread in dropout (BG/NBD): a and b grown together, the
 * customers' dropout probability a/(a+b) all but the same. The likelihood
 * rises along it towards the limit of one common dropout probability and
 * is flat to rounding long before, so where a run stops on it (converged
 * at a gradient under its tolerance, stalled, or at the bound
 * BOUND_HOMOGENEOUS_AB) is decided by rounding: by the order of the
 * customers, before the groups were sorted, and by the data's last digits
 * still. The fit then gives the model of that limit instead, the same
 * however the run ended: r, alpha and the common dropout probability p
 * fitted with a + b held at RIDGE_AB (BOUND_HOMOGENEOUS: the spread of p,
 * a standard deviation of sqrt(p (1 - p) / RIDGE_AB), 0.0005 at most, is
 * less than a data set of customers can show; larger, the likelihood's
 * differences of ln Gamma of a + b lose the digits the fit needs). A run is on the ridge when a and b both passed
 * RIDGE_MIN (heterogeneous dropout puts them near 1 .. 100) and it did not
 * stop at another boundary (purchase rates without spread, a dropout
 * probability tending to 0 or 1). */
#define RIDGE_AB BOUND_HOMOGENEOUS
#define RIDGE_MIN 1e3

static bool bgnbd_on_ridge(const double *theta, const cxi_minimum *m)
{
    if (m->capped && m->capped != CXI_STOP_BOUNDARY)
        return false; /* a cap: said as such */
    double r = exp(theta[0]), a = exp(theta[2]), b = exp(theta[3]);
    return a >= RIDGE_MIN && b >= RIDGE_MIN && r < BOUND_HOMOGENEOUS && a / (a + b) >= 1e-10 &&
           b / (a + b) >= 1e-10;
}

typedef struct ridge_ctx {
    bg_ctx *c;
} ridge_ctx;

/* BG/NBD's objective on the ridge: th = (ln r, ln alpha, logit p), with
 * a = p RIDGE_AB and b = (1 - p) RIDGE_AB. */
static double bgnbd_ridge_obj(void *vctx, const double *th, double *g)
{
    ridge_ctx *x = vctx;
    double l = th[2];
    double lp = l >= 0 ? -log1p(exp(-l)) : l - log1p(exp(l));  /* ln p */
    double lq = l >= 0 ? -l - log1p(exp(-l)) : -log1p(exp(l)); /* ln (1 - p) */
    double t4[4] = {th[0], th[1], lp + log(RIDGE_AB), lq + log(RIDGE_AB)}, g4[4];
    double f = bgnbd_obj(x->c, t4, g ? g4 : NULL);
    if (g) {
        double p = exp(lp);
        g[0] = g4[0];
        g[1] = g4[1];
        g[2] = g4[2] * (1 - p) - g4[3] * p; /* d ln a / dl = 1 - p, d ln b / dl = -p */
    }
    return f;
}

/* The limit model of the ridge (bgnbd_on_ridge) into theta and m, from the
 * run's r, alpha and a/(a+b); theta and m unchanged when its fit does not
 * converge (the run's own outcome is then reported). */
static void bgnbd_ridge(bg_ctx *c, double *theta, cxi_minimum *m)
{
    ridge_ctx x = {c};
    double t[3] = {theta[0], theta[1], theta[2] - theta[3]};
    cxi_minimum mr;
    int left = FIT_MAX_EVAL - m->evaluations;
    if (left <= 0)
        return;
    cxi_bfgs(&mr, bgnbd_ridge_obj, &x, t, 3, 1e-8, FIT_MAX_ITER, left, 1);
    if (!mr.converged)
        return;
    double l = t[2];
    double lp = l >= 0 ? -log1p(exp(-l)) : l - log1p(exp(l));
    double lq = l >= 0 ? -l - log1p(exp(-l)) : -log1p(exp(l));
    theta[0] = t[0];
    theta[1] = t[1];
    theta[2] = lp + log(RIDGE_AB);
    theta[3] = lq + log(RIDGE_AB);
    mr.iterations += m->iterations;
    mr.evaluations += m->evaluations;
    *m = mr;
}

static int fit_input(gdata *d, cx_model **out, const double *x, const double *t_x, const double *T,
                     const double *weight, size_t n, const char *fn)
{
    int rc = check_out(out, fn);
    if (rc || (rc = check_xtT(x, t_x, T, n, fn)) || (rc = check_weights(weight, n, fn)))
        return rc;
    const double *cols[3] = {x, t_x, T};
    return group_rows(d, cols, 3, weight, n, NULL, fn);
}

int cx_model_fit_bgnbd(cx_model **out, const double *x, const double *t_x, const double *T, const double *weight,
                       size_t count)
{
    static const char fn[] = "cx_model_fit_bgnbd";
    gdata d;
    int rc = fit_input(&d, out, x, t_x, T, weight, count, fn);
    if (rc)
        return rc;
    bg_ctx c = {&d, 0, NULL, 0};
    bool any = false;
    for (size_t i = 0; i < d.n; i++) {
        if (d.c[0][i] > c.xmax)
            c.xmax = (size_t)d.c[0][i];
        any |= d.c[0][i] > 0;
    }
    if (!any) {
        gdata_free(&d);
        return cxi_fail(CX_ERANGE, "%s: no customer made a repeat purchase: the model cannot be fitted", fn);
    }
    if ((rc = check_distinct(&d, "(x, t_x, T)", fn))) {
        gdata_free(&d);
        return rc;
    }
    /* With at most one repeat purchase per customer, a customer's
     * likelihood rises with the dropout probability (p of leaving at the
     * repeat purchase, against 1 - p of staying unseen until T: the
     * purchase density at t_x <= T is the larger): no maximum, however r
     * and alpha are chosen. */
    if (c.xmax <= 1) {
        gdata_free(&d);
        return cxi_fail(CX_ERANGE,
                        "%s: degenerate data for the BG/NBD model: no customer made more than one repeat purchase, "
                        "so the likelihood rises as the dropout probability a/(a+b) tends to 1, each customer "
                        "leaving at its first repeat purchase (the likelihood has no maximum)",
                        fn);
    }
    c.tab = cxi_alloc(&d.mem, 6 * (c.xmax + 1) * sizeof(double));
    if (!c.tab) {
        gdata_free(&d);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    double mx, mT;
    rate_guess(&d, &mx, &mT);
    c.afloor = floor_of(1e-10, mT);
    double rate = mx / mT;
    double starts[12] = {0, log(1 / rate), 0, 0, log(0.5), log(0.5 / rate), log(0.5), log(2),
                         log(0.1), log(0.1), log(0.1), log(0.1)};
    double theta[4];
    cxi_minimum m;
    fit_starts(&m, theta, bgnbd_obj, &c, 4, starts, 3, 1e-8, 1);
    /* Where a and b grow together (every customer with the same dropout
     * probability a/(a+b)) the likelihood goes flat to rounding, from
     * about 10^6 on, long before BOUND_HOMOGENEOUS_AB: a run that stalled
     * out there has found that boundary, not missed a maximum. */
    if (!m.converged && !m.capped && theta[2] >= log(BOUND_HOMOGENEOUS) && theta[3] >= log(BOUND_HOMOGENEOUS))
        m.capped = CXI_STOP_BOUNDARY;
    /* ... and where the run ended there, converged, stalled or at the
     * bound, is rounding's choice: the model on the ridge instead */
    if (bgnbd_on_ridge(theta, &m))
        bgnbd_ridge(&c, theta, &m);
    rc = finish(out, CX_MODEL_BGNBD, theta, &m, d.W, 0, bgnbd_obj, &c, true, fn);
    cxi_free(&d.mem, c.tab, 6 * (c.xmax + 1) * sizeof(double));
    gdata_free(&d);
    return rc;
}

/* ---- Pareto/NBD --------------------------------------------------------- */

/*
 * ln A0 of the Pareto/NBD likelihood, bounded for every input. With
 * p = r + x and q = s + 1,
 *
 *     A0 = (r + s + x) * I,   I = int_{t_x}^{T} (alpha + u)^-p (beta + u)^-q du
 *
 * (the probability of dropping out between the last purchase and T). The
 * textbook form writes I as a difference of two Gauss 2F1 series in
 * z = |alpha - beta| / (max(alpha, beta) + t); those converge like z^k, so
 * near z = 1 (one rate prior much tighter than the other, the case of data
 * with no dropout signal) they need millions of terms per customer, and
 * the difference cancels when t_x is close to T. So: the series only for
 * z <= 0.75 and at most SERIES_TERMS terms; otherwise (or when the series
 * does not settle or cancels) Gauss-Legendre quadrature of I in
 * v = ln(min(alpha, beta) + u), where ln of the integrand is concave with a
 * slope between 1 - p - q and 1 - p: panels of 8 nodes over which it
 * changes by at most 4, stopped once it has fallen e^-40 below its peak
 * and at most QUAD_PANELS of them. A row that needs more is integrated
 * with wider last panel and counted as inexact (*inexact), which the fit
 * reports. The derivatives of ln I come from the same nodes.
 */
#define SERIES_TERMS 400
#define SERIES_Z 0.75
#define QUAD_PANELS 128

/* Gauss 2F1(a, b; c; z) by its series, with (when d is not NULL) the
 * derivatives of ln 2F1 in a, b, c and z (d[0..3]), all from the same
 * terms: the term t_k has d ln t_k / da = sum_{j<k} 1 / (a + j), and so
 * on. NAN when SERIES_TERMS terms do not settle. */
static double hyp2f1_d(double a, double b, double c, double z, double *d)
{
    double term = 1, sum = 1, sa = 0, sb = 0, sc = 0, sz = 0, ea = 0, eb = 0, ec = 0;
    for (int k = 0; k < SERIES_TERMS; k++) {
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if (d) {
            ea += 1 / (a + k);
            eb += 1 / (b + k);
            ec += 1 / (c + k);
            sa += term * ea;
            sb += term * eb;
            sc += term * ec;
            sz += term * (k + 1.0);
        }
        if (fabs(term) <= 1e-16 * fabs(sum)) {
            if (d) {
                d[0] = sa / sum;
                d[1] = sb / sum;
                d[2] = -sc / sum;
                d[3] = z > 0 ? sz / (z * sum) : a * b / c;
            }
            return sum;
        }
    }
    return NAN;
}

/* ln A0 by the two series (g as in pnbd_log_a0); NAN when they do not
 * settle or their difference cancels. */
static double pnbd_series(double r, double al, double s, double be, double x, double tx, double T, double *g)
{
    double rsx = r + s + x, d1[4], d2[4], l1, l2, g1[4], g2[4];
    double *p1 = g ? d1 : NULL, *p2 = g ? d2 : NULL;
    if (al >= be) { /* a = r+s+x, b = s+1, c = r+s+x+1, z = (al-be)/(al+t) */
        double z1 = (al - be) / (al + tx), z2 = (al - be) / (al + T);
        if (z1 > SERIES_Z)
            return NAN;
        double h1 = hyp2f1_d(rsx, s + 1, rsx + 1, z1, p1), h2 = hyp2f1_d(rsx, s + 1, rsx + 1, z2, p2);
        l1 = log(h1) - rsx * log(al + tx);
        l2 = log(h2) - rsx * log(al + T);
        if (g) {
            g1[0] = d1[0] + d1[2] - log(al + tx);
            g1[1] = d1[3] * (tx + be) / ((al + tx) * (al + tx)) - rsx / (al + tx);
            g1[2] = d1[0] + d1[1] + d1[2] - log(al + tx);
            g1[3] = -d1[3] / (al + tx);
            g2[0] = d2[0] + d2[2] - log(al + T);
            g2[1] = d2[3] * (T + be) / ((al + T) * (al + T)) - rsx / (al + T);
            g2[2] = d2[0] + d2[1] + d2[2] - log(al + T);
            g2[3] = -d2[3] / (al + T);
        }
    } else { /* a = r+s+x, b = r+x, c = r+s+x+1, z = (be-al)/(be+t) */
        double z1 = (be - al) / (be + tx), z2 = (be - al) / (be + T);
        if (z1 > SERIES_Z)
            return NAN;
        double h1 = hyp2f1_d(rsx, r + x, rsx + 1, z1, p1), h2 = hyp2f1_d(rsx, r + x, rsx + 1, z2, p2);
        l1 = log(h1) - rsx * log(be + tx);
        l2 = log(h2) - rsx * log(be + T);
        if (g) {
            g1[0] = d1[0] + d1[1] + d1[2] - log(be + tx);
            g1[1] = -d1[3] / (be + tx);
            g1[2] = d1[0] + d1[2] - log(be + tx);
            g1[3] = d1[3] * (tx + al) / ((be + tx) * (be + tx)) - rsx / (be + tx);
            g2[0] = d2[0] + d2[1] + d2[2] - log(be + T);
            g2[1] = -d2[3] / (be + T);
            g2[2] = d2[0] + d2[2] - log(be + T);
            g2[3] = d2[3] * (T + al) / ((be + T) * (be + T)) - rsx / (be + T);
        }
    }
    /* NAN (l1 or l2) fails this too; below 1e-6 apart the quadrature is better */
    if (!(l1 - l2 > 1e-6))
        return NAN;
    double q = exp(l2 - l1);
    if (g)
        for (int j = 0; j < 4; j++)
            g[j] = (g1[j] - q * g2[j]) / (1 - q);
    return l1 + log1p(-q);
}

/* ln A0 by quadrature (see above). */
static double pnbd_quad(double r, double al, double s, double be, double x, double tx, double T, double *g,
                        int *inexact)
{
    static const double gx[8] = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290,
                                 -0.1834346424956498, 0.1834346424956498,  0.5255324099163290,
                                 0.7966664774136267,  0.9602898564975363};
    static const double gw[8] = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
                                 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763};
    double p = r + x, q = s + 1, c = al < be ? al : be, da = al - c, db = be - c;
    double v1 = log(c + tx), L = log1p((T - tx) / (c + tx));
    /* the slope falls (concavity), so its largest size is at an end */
    double e1 = c + tx, e2 = c + T;
    double slope = fmax(fabs(1 - p * e1 / (da + e1) - q * e1 / (db + e1)), fabs(1 - p * e2 / (da + e2) - q * e2 / (db + e2)));
    double h = slope > 4 / L ? 4 / slope : L;
    double M = -INFINITY, S[4] = {0, 0, 0, 0}, lo = v1, integral = 0;
    for (int j = 0; lo < v1 + L; j++) {
        double w = h;
        if (j == QUAD_PANELS - 1 || lo + w > v1 + L) {
            if (j == QUAD_PANELS - 1 && lo + w < v1 + L && inexact)
                ++*inexact;
            w = v1 + L - lo;
        }
        for (int k = 0; k < 8; k++) {
            double v = lo + 0.5 * w * (gx[k] + 1), e = exp(v);
            double lA = da > 0 ? log(da + e) : v, lB = db > 0 ? log(db + e) : v;
            double lg = v - p * lA - q * lB;
            if (lg > M) {
                double f = exp(M - lg);
                integral *= f;
                for (int i = 0; i < 4; i++)
                    S[i] *= f;
                M = lg;
            }
            double wt = 0.5 * w * gw[k] * exp(lg - M);
            integral += wt;
            if (g) {
                S[0] += wt * lA;
                S[1] += wt / (da + e);
                S[2] += wt * lB;
                S[3] += wt / (db + e);
            }
        }
        lo += w;
        if (lo < v1 + L) {
            /* concave: once falling and e^-40 below the peak, the rest is negligible */
            double e = exp(lo), lA = da > 0 ? log(da + e) : lo, lB = db > 0 ? log(db + e) : lo;
            if (lo - p * lA - q * lB < M - 40 && 1 - p * e / (da + e) - q * e / (db + e) < 0)
                break;
        }
    }
    double rsx = r + s + x;
    if (g) {
        g[0] = 1 / rsx - S[0] / integral;
        g[1] = -p * S[1] / integral;
        g[2] = 1 / rsx - S[2] / integral;
        g[3] = -q * S[3] / integral;
    }
    return log(rsx) + M + log(integral);
}

/* ln A0 (-inf when t_x = T) and, when g is not NULL, its gradient in
 * (r, alpha, s, beta); *inexact (when not NULL) counts rows evaluated
 * with reduced accuracy. Bounded work for every input. */
static double pnbd_log_a0(double r, double al, double s, double be, double x, double tx, double T, double *g,
                          int *inexact)
{
    if (tx >= T)
        return -INFINITY;
    double l = pnbd_series(r, al, s, be, x, tx, T, g);
    if (isfinite(l))
        return l;
    return pnbd_quad(r, al, s, be, x, tx, T, g, inexact);
}

typedef struct pnbd_ctx {
    const gdata *d;
    size_t xmax;
    double *tab; /* per x: lgamma(r + x), digamma(r + x) */
    int inexact; /* rows of the last evaluation whose A0 lost accuracy */
    double tmax; /* the longest T */
    double floor; /* alpha's and beta's, in the data's time unit (floor_of) */
} pnbd_ctx;

/* The Pareto/NBD log-likelihood per customer with its analytic gradient:
 * the hypergeometric terms and their derivatives come from one series, so
 * a gradient costs about as much as a value (central differences cost 8
 * more values). */
static double pnbd_obj(void *vctx, const double *th, double *g)
{
    pnbd_ctx *c = vctx;
    const gdata *d = c->d;
    double r = exp(th[0]), al = exp(th[1]), s = exp(th[2]), be = exp(th[3]);
    if (!isfinite(r + al + s + be) || r < 1e-8 || al < c->floor || be < c->floor)
        return NAN;
    if (r >= BOUND_HOMOGENEOUS || s >= BOUND_HOMOGENEOUS || s <= BOUND_NO_DROPOUT || s / be * c->tmax < NO_DROPOUT_SHARE)
        return -INFINITY;
    c->inexact = 0;
    for (size_t x = 0; x <= c->xmax; x++) {
        c->tab[2 * x] = cxi_lgamma(r + (double)x);
        if (g)
            c->tab[2 * x + 1] = cxi_digamma(r + (double)x);
    }
    double ll = 0, G[4] = {0, 0, 0, 0};
    const double *X = d->c[0], *TX = d->c[1], *TT = d->c[2], *W = d->w;
    for (size_t i = 0; i < d->n; i++) {
        double x = X[i], tx = TX[i], T = TT[i], w = W[i], ga[4];
        double la = -(r + x) * log(al + T) - s * log(be + T);
        double a0 = pnbd_log_a0(r, al, s, be, x, tx, T, g ? ga : NULL, &c->inexact);
        double lb = log(s) - log(r + s + x) + a0;
        double m = la > lb ? la : lb;
        double ea = exp(la - m), eb = exp(lb - m);
        ll += w * (c->tab[2 * (size_t)x] + m + log(ea + eb));
        if (g) {
            double wa = ea / (ea + eb), wb = eb / (ea + eb);
            G[0] += w * (c->tab[2 * (size_t)x + 1] - wa * log(al + T));
            G[1] -= w * wa * (r + x) / (al + T);
            G[2] -= w * wa * log(be + T);
            G[3] -= w * wa * s / (be + T);
            if (wb > 0) {
                G[0] += w * wb * (-1 / (r + s + x) + ga[0]);
                G[1] += w * wb * ga[1];
                G[2] += w * wb * (1 / s - 1 / (r + s + x) + ga[2]);
                G[3] += w * wb * ga[3];
            }
        }
    }
    double Wt = d->W;
    ll += Wt * (-cxi_lgamma(r) + r * log(al) + s * log(be));
    if (g) {
        G[0] += Wt * (-cxi_digamma(r) + log(al));
        G[1] += Wt * r / al;
        G[2] += Wt * log(be);
        G[3] += Wt * s / be;
        const double p[4] = {r, al, s, be};
        for (int j = 0; j < 4; j++) {
            g[j] = -G[j] * p[j] / Wt;
            if (!isfinite(g[j]))
                return NAN;
        }
    }
    return -ll / Wt;
}

int cx_model_fit_paretonbd(cx_model **out, const double *x, const double *t_x, const double *T,
                           const double *weight, size_t count)
{
    static const char fn[] = "cx_model_fit_paretonbd";
    gdata d;
    int rc = fit_input(&d, out, x, t_x, T, weight, count, fn);
    if (rc)
        return rc;
    double mx, mT;
    rate_guess(&d, &mx, &mT);
    if (!(mx > 0)) {
        gdata_free(&d);
        return cxi_fail(CX_ERANGE, "%s: no customer made a repeat purchase: the model cannot be fitted", fn);
    }
    if ((rc = check_distinct(&d, "(x, t_x, T)", fn))) {
        gdata_free(&d);
        return rc;
    }
    double rate = mx / mT;
    double starts[8] = {0, log(1 / rate), 0, log(mT), log(0.5), log(0.5 / rate), log(0.5), log(2 * mT)};
    pnbd_ctx c = {&d, 0, NULL, 0, 0, floor_of(1e-8, mT)};
    for (size_t i = 0; i < d.n; i++) {
        if (d.c[0][i] > c.xmax)
            c.xmax = (size_t)d.c[0][i];
        if (d.c[2][i] > c.tmax)
            c.tmax = d.c[2][i];
    }
    c.tab = cxi_alloc(&d.mem, 2 * (c.xmax + 1) * sizeof(double));
    if (!c.tab) {
        gdata_free(&d);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    double theta[4];
    cxi_minimum m;
    fit_starts(&m, theta, pnbd_obj, &c, 4, starts, 2, 1e-7, 1);
    if (m.converged && (pnbd_obj(&c, theta, NULL), c.inexact > 0)) {
        cxi_free(&d.mem, c.tab, 2 * (c.xmax + 1) * sizeof(double));
        gdata_free(&d);
        return cxi_fail(CX_ELIMIT,
                        "%s: at the estimate, the likelihood of %d distinct customers needed more than %d "
                        "quadrature panels and lost accuracy: the fit is not reliable",
                        fn, c.inexact, QUAD_PANELS);
    }
    rc = finish(out, CX_MODEL_PARETO_NBD, theta, &m, d.W, c.tmax, pnbd_obj, &c, true, fn);
    cxi_free(&d.mem, c.tab, 2 * (c.xmax + 1) * sizeof(double));
    gdata_free(&d);
    return rc;
}

/* ---- Gamma-Gamma ------------------------------------------------------- */

/* Gamma-Gamma: the log-gamma and digamma terms depend on a row's x only,
 * so they come from a table over x built once per evaluation (when x is
 * not too large for one), and ln z, ln x are computed once per fit: a row
 * then costs one log. */
typedef struct gg_ctx {
    const gdata *d;
    size_t xmax;  /* the table covers x = 0..xmax, or is NULL */
    double *tab;  /* per x: lgamma(px + q) - lgamma(px), digamma(px + q), digamma(px) */
    double *lz;   /* per row: ln z */
    double gfloor; /* gamma's floor, in the data's unit of money (floor_of) */
} gg_ctx;

#define GG_TABLE_MAX 100000

static double gg_obj(void *vctx, const double *th, double *g)
{
    const gg_ctx *c = vctx;
    const gdata *d = c->d;
    double p = exp(th[0]), q = exp(th[1]), ga = exp(th[2]);
    if (!isfinite(p + q + ga) || p < 1e-10 || q < 1e-10 || ga < c->gfloor)
        return NAN;
    if (p >= BOUND_HOMOGENEOUS || q >= BOUND_HOMOGENEOUS)
        return -INFINITY;
    if (c->tab)
        for (size_t x = 1; x <= c->xmax; x++) {
            double px = p * (double)x, *t = c->tab + 3 * x;
            t[0] = cxi_lgamma(px + q) - cxi_lgamma(px);
            if (g) {
                t[1] = cxi_digamma(px + q);
                t[2] = cxi_digamma(px);
            }
        }
    double ll = 0, gp = 0, gq = 0, gg = 0, lga = log(ga);
    for (size_t i = 0; i < d->n; i++) {
        double x = d->c[0][i], z = d->c[1][i], w = d->w[i];
        double px = p * x, lz = c->lz[2 * i], lzx = c->lz[2 * i + 1], lgz = log(ga + x * z);
        const double *t = c->tab ? c->tab + 3 * (size_t)x : NULL;
        double lgr = t ? t[0] : cxi_lgamma(px + q) - cxi_lgamma(px);
        ll += w * (lgr + px * lzx - lz - (px + q) * lgz);
        if (g) {
            double dpq = t ? t[1] : cxi_digamma(px + q), dp = t ? t[2] : cxi_digamma(px);
            gp += w * x * (dpq - dp + lzx - lgz);
            gq += w * (dpq - lgz);
            gg -= w * (px + q) / (ga + x * z);
        }
    }
    ll += d->W * (-cxi_lgamma(q) + q * lga);
    if (g) {
        gq += d->W * (-cxi_digamma(q) + lga);
        gg += d->W * q / ga;
        g[0] = -gp * p / d->W;
        g[1] = -gq * q / d->W;
        g[2] = -gg * ga / d->W;
    }
    return -ll / d->W;
}

int cx_model_fit_gammagamma(cx_model **out, const double *x, const double *mean, const double *weight,
                            size_t count)
{
    static const char fn[] = "cx_model_fit_gammagamma";
    int rc = check_out(out, fn);
    if (rc)
        return rc;
    if (!x || !mean)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !x ? "x" : "mean");
    double W = 0;
    for (size_t i = 0; i < count; i++) {
        double w = weight ? weight[i] : 1;
        if (!is_count(x[i]))
            return cxi_fail(CX_ERANGE, "%s: row %zu: x %g is not a count of purchases", fn, i, x[i]);
        if (!(w >= 0) || !isfinite(w))
            return cxi_fail(CX_ERANGE, "%s: row %zu: weight %g is not a finite count >= 0", fn, i, w);
        if (x[i] > 0 && (!isfinite(mean[i]) || !(mean[i] > 0)))
            return cxi_fail(CX_ERANGE, "%s: row %zu: mean amount %g is not finite and > 0", fn, i, mean[i]);
        if (x[i] > 0)
            W += w;
    }
    if (!(W >= MIN_CUSTOMERS))
        return cxi_fail(CX_ERANGE, "%s: too few customers with repeat purchases to fit: %g (at least %g)", fn, W,
                        MIN_CUSTOMERS);
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    uint8_t *skip = cxi_alloc(&mem, count ? count : 1);
    if (!skip)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t i = 0; i < count; i++)
        skip[i] = x[i] == 0;
    gdata d;
    const double *cols[2] = {x, mean};
    rc = group_rows(&d, cols, 2, weight, count, skip, fn);
    cxi_free(&mem, skip, count ? count : 1);
    if (rc)
        return rc;
    if ((rc = check_distinct(&d, "(x, mean amount) among those with repeat purchases", fn))) {
        gdata_free(&d);
        return rc;
    }
    double sz = 0, szz = 0;
    for (size_t i = 0; i < d.n; i++) {
        sz += d.w[i] * d.c[1][i];
        szz += d.w[i] * d.c[1][i] * d.c[1][i];
    }
    double mz = sz / d.W, vz = szz / d.W - mz * mz;
    double p0 = vz > 0 ? mz * mz / vz : 1;
    if (!(p0 > 0.1 && p0 < 100))
        p0 = 1;
    /* E z = p gamma / (q - 1) */
    double starts[9] = {log(p0), log(3), log(mz * 2 / p0), 0, log(2), log(mz), log(0.1), log(0.1), log(0.1)};
    double theta[3];
    cxi_minimum m;
    gg_ctx c = {&d, 0, NULL, NULL, floor_of(1e-10, mz)};
    for (size_t i = 0; i < d.n; i++)
        if (d.c[0][i] > c.xmax)
            c.xmax = (size_t)d.c[0][i];
    size_t tab_size = 3 * (c.xmax + 1) * sizeof(double), lz_size = 2 * d.n * sizeof(double);
    if (c.xmax <= GG_TABLE_MAX && !(c.tab = cxi_alloc(&d.mem, tab_size)))
        c.xmax = 0;
    c.lz = cxi_alloc(&d.mem, lz_size);
    if (!c.lz) {
        cxi_free(&d.mem, c.tab, tab_size);
        gdata_free(&d);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    for (size_t i = 0; i < d.n; i++) {
        c.lz[2 * i] = log(d.c[1][i]);
        c.lz[2 * i + 1] = c.lz[2 * i] + log(d.c[0][i]);
    }
    fit_starts(&m, theta, gg_obj, &c, 3, starts, 3, 1e-8, 1);
    rc = finish(out, CX_MODEL_GAMMA_GAMMA, theta, &m, d.W, 0, gg_obj, &c, true, fn);
    cxi_free(&d.mem, c.tab, tab_size);
    cxi_free(&d.mem, c.lz, lz_size);
    gdata_free(&d);
    return rc;
}

/* ---- BG/BB --------------------------------------------------------------- */

static double bgbb_row(double al, double be, double ga, double de, double x, double tx, double n)
{
    /* The log of the alive-throughout term plus the n - t_x dropout terms.
     * A row of at most 64 dropout terms (the usual number of
     * opportunities) takes each term from its beta functions, in a
     * log-sum-exp kept online. A longer row (issue 14: 10^3 opportunities
     * took 49 s to fit on 5000 customers) uses that the terms fall: term
     * i + 1 is term i times b / (lax + b) times d / (ga + 1 + d) (from
     * B(a, b + 1) = B(a, b) b / (a + b)), both factors below 1, so the
     * first is the largest and the rest are summed as plain products in
     * blocks of 64, each block anchored at its first term computed from
     * the beta functions (so that rounding does not pile up): a multiply
     * and an add a term where a log and an exp were. The sum stops once
     * what is left (fewer terms than remain, none above the last) cannot
     * change it. */
    double lab = cxi_lbeta(al, be), lgd = cxi_lbeta(ga, de), lax = al + x;
    double m = cxi_lbeta(lax, be + n - x) - lab + cxi_lbeta(ga, de + n) - lgd, s = 1;
    int k = (int)(n - tx);
    if (k <= 64) {
        for (int i = 0; i < k; i++) {
            double b = be + tx - x + i, d = de + tx + i;
            double l = cxi_lbeta(lax, b) - lab + cxi_lbeta(ga + 1, d) - lgd;
            if (l > m) {
                s = s * exp(m - l) + 1;
                m = l;
            } else {
                s += exp(l - m);
            }
        }
        return m + log(s);
    }
    double l0 = cxi_lbeta(lax, be + tx - x) - lab + cxi_lbeta(ga + 1, de + tx) - lgd;
    double top = l0 > m ? l0 : m;
    s = exp(m - top);
    for (int i0 = 0; i0 < k; i0 += 64) {
        double b = be + tx - x + i0, d = de + tx + i0;
        double scale = exp((i0 ? cxi_lbeta(lax, b) - lab + cxi_lbeta(ga + 1, d) - lgd : l0) - top);
        int end = i0 + 64 < k ? i0 + 64 : k;
        double t = 1, part = 0;
        for (int i = i0; i < end; i++) {
            part += t;
            t *= b / (lax + b) * (d / (ga + 1 + d));
            b += 1;
            d += 1;
        }
        s += scale * part;
        if (scale * t * (double)(k - end) < s * 0x1p-60)
            break;
    }
    return top + log(s);
}

static double bgbb_obj(void *vctx, const double *th, double *g)
{
    const gdata *d = vctx;
    double al = exp(th[0]), be = exp(th[1]), ga = exp(th[2]), de = exp(th[3]);
    /* beyond 1e8 a pair is its own limit of no spread to any digit the
     * data can tell (bgbb_edge() decides): no further walk along a ridge */
    if (!isfinite(al + be + ga + de) || al < 1e-8 || be < 1e-8 || ga < 1e-8 || de < 1e-8 || al > 1e8 ||
        be > 1e8 || ga > 1e8 || de > 1e8)
        return NAN;
    if (g)
        cxi_num_grad(bgbb_obj, vctx, th, 4, g);
    double ll = 0;
    for (size_t i = 0; i < d->n; i++)
        ll += d->w[i] * bgbb_row(al, be, ga, de, d->c[0][i], d->c[1][i], d->c[2][i]);
    return -ll / d->W;
}

static int check_bgbb(const double *x, const double *tx, const double *nn, size_t n, const char *fn)
{
    if (!x || !tx || !nn)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !x ? "x" : !tx ? "t_x" : "n_opp");
    for (size_t i = 0; i < n; i++) {
        if (!is_count(nn[i]) || nn[i] < 1 || nn[i] > 100000)
            return cxi_fail(CX_ERANGE, "%s: row %zu: opportunities %g is not a count from 1 to 100000", fn, i,
                            nn[i]);
        if (!is_count(x[i]) || !is_count(tx[i]) || tx[i] > nn[i] || x[i] > tx[i] || (x[i] > 0) != (tx[i] > 0))
            return cxi_fail(CX_ERANGE, "%s: row %zu: x %g, t_x %g do not satisfy 0 <= x <= t_x <= %g", fn, i, x[i],
                            tx[i], nn[i]);
    }
    return CX_OK;
}

/* One customer's log-likelihood with one pair at its limit of no spread,
 * its ratio kept: pair 0, every customer's purchase probability is
 * p = al / (al + be), so B(al + x, be + j - x) / B(al, be) becomes
 * p^x (1 - p)^(j - x); pair 1, the dropout probability th = ga / (ga + de),
 * so B(ga, de + n) / B(ga, de) becomes (1 - th)^n and B(ga + 1, de + j) /
 * B(ga, de) th (1 - th)^j. The terms as in bgbb_row(), each from the one
 * before by the log of their ratio. */
static double bgbb_row_limit(int pair, double al, double be, double ga, double de, double x, double tx, double n)
{
    double lab = cxi_lbeta(al, be), lgd = cxi_lbeta(ga, de), lax = al + x;
    double p = al / (al + be), th = ga / (ga + de);
    double lq = log1p(-p), lr = log1p(-th);
    double m = pair ? cxi_lbeta(lax, be + n - x) - lab + n * lr
                    : (x > 0 ? x * log(p) : 0) + (n - x) * lq + cxi_lbeta(ga, de + n) - lgd;
    double l = pair ? cxi_lbeta(lax, be + tx - x) - lab + log(th) + tx * lr
                    : (x > 0 ? x * log(p) : 0) + (tx - x) * lq + cxi_lbeta(ga + 1, de + tx) - lgd;
    double s = 1;
    int k = (int)(n - tx);
    for (int i = 0; i < k; i++) {
        if (l > m) {
            s = s * exp(m - l) + 1;
            m = l;
        } else {
            s += exp(l - m);
        }
        double b = be + tx - x + i, d = de + tx + i;
        l += pair ? log(b / (lax + b)) + lr : lq + log(d / (ga + 1 + d));
    }
    return m + log(s);
}

/* BG/BB's flat ridges: where the purchase or the dropout probability has
 * no spread, the fit converges (its gradient vanishes to rounding),
 * stalls or reaches its cap at an arbitrary large pair, alpha and beta or
 * gamma and delta of 10^5 and more (up to the 10^8 past which bgbb_obj()
 * refuses a parameter), where the beta functions of the likelihood lose
 * digits to rounding.
 * If the pair's limit itself, its ratio kept (bgbb_row_limit(), computed
 * without those large arguments), fits the data at most 0.001 worse in
 * log-likelihood (a spread the data cannot tell from none; fits with a
 * spread lose tens to thousands), the edge is the estimate, reported as
 * degenerate data with the common probability.
 * f: the fit's objective at theta (the mean negative log-likelihood). */
#define EDGE_LOGLIK 1e-3
#define EDGE_SUM 1e5

static int bgbb_edge(const gdata *d, const double *theta, double f, const char *fn)
{
    double al = exp(theta[0]), be = exp(theta[1]), ga = exp(theta[2]), de = exp(theta[3]);
    /* a pair beyond EDGE_SUM (a fit run out along the ridge: 1e12 seen)
     * is compared at EDGE_SUM, its ratio kept, where the beta functions
     * still hold their digits (at 1e12 they lose units of log-likelihood,
     * and the fit's value could beat the limit by its rounding alone) */
    double t[4];
    memcpy(t, theta, sizeof t);
    for (int j = 0; j < 4; j += 2) {
        double over = log(exp(t[j]) + exp(t[j + 1])) - log(EDGE_SUM);
        if (over > 0) {
            t[j] -= over;
            t[j + 1] -= over;
        }
    }
    if (memcmp(t, theta, sizeof t) != 0)
        f = bgbb_obj((void *)d, t, NULL);
    if (!isfinite(f))
        return CX_OK;
    for (int pair = 0; pair < 2; pair++) {
        double ll = 0;
        for (size_t i = 0; i < d->n; i++)
            ll += d->w[i] * bgbb_row_limit(pair, al, be, ga, de, d->c[0][i], d->c[1][i], d->c[2][i]);
        if (!isfinite(ll) || -f * d->W - ll >= EDGE_LOGLIK) /* the limit fits worse */
            continue;
        double a = pair ? ga : al, b = pair ? de : be;
        return cxi_fail(CX_ERANGE,
                        "%s: degenerate data for the BG/BB model: no spread in %s: %s grow without bound, every "
                        "customer has the same %s probability (the likelihood has no maximum); boundary estimate: "
                        "%s probability %s = %.6g per opportunity",
                        fn, pair ? "dropout" : "purchase probability", pair ? "gamma and delta" : "alpha and beta",
                        pair ? "dropout" : "purchase", pair ? "dropout" : "purchase",
                        pair ? "gamma/(gamma+delta)" : "alpha/(alpha+beta)", a / (a + b));
    }
    return CX_OK;
}

int cx_model_fit_bgbb(cx_model **out, const double *x, const double *t_x, const double *n_opp,
                      const double *weight, size_t count)
{
    static const char fn[] = "cx_model_fit_bgbb";
    int rc = check_out(out, fn);
    if (rc || (rc = check_bgbb(x, t_x, n_opp, count, fn)) || (rc = check_weights(weight, count, fn)))
        return rc;
    /* the degenerate data BG/NBD refuses too (a model came back from
     * them, its standard errors NaN): no purchase at all, so no purchase
     * probability; every customer buying at the last opportunity, so no
     * sign of dropout (the dropout parameters run to their bound) */
    bool bought = false, dropout = false;
    for (size_t i = 0; i < count; i++) {
        double w = weight ? weight[i] : 1;
        bought |= x[i] > 0 && w > 0;
        dropout |= t_x[i] < n_opp[i] && w > 0;
    }
    if (!bought)
        return cxi_fail(CX_ERANGE, "%s: no customer made a purchase: the model cannot be fitted", fn);
    if (!dropout)
        return cxi_fail(CX_ERANGE,
                        "%s: no dropout signal: every customer bought at the last opportunity, so the dropout "
                        "probability cannot be estimated",
                        fn);
    gdata d;
    const double *cols[3] = {x, t_x, n_opp};
    if ((rc = group_rows(&d, cols, 3, weight, count, NULL, fn)))
        return rc;
    if ((rc = check_distinct(&d, "(x, t_x, n_opp)", fn))) {
        gdata_free(&d);
        return rc;
    }
    double starts[8] = {0, 0, 0, 0, log(0.5), log(2), log(0.5), log(2)};
    double theta[4];
    cxi_minimum m;
    fit_starts(&m, theta, bgbb_obj, &d, 4, starts, 2, 1e-7, 9); /* numerical gradient: 1 + 2 x 4 */
    /* the ridge however the run ended (converged, stalled, capped or at
     * the bound of the parameters) */
    if (isfinite(m.f) && (rc = bgbb_edge(&d, theta, m.f, fn))) {
        gdata_free(&d);
        return rc;
    }
    rc = finish(out, CX_MODEL_BGBB, theta, &m, d.W, 0, bgbb_obj, &d, false, fn);
    gdata_free(&d);
    return rc;
}

/* ---- sBG ---------------------------------------------------------------- */

static double sbg_obj(void *vctx, const double *th, double *g)
{
    const gdata *d = vctx;
    double al = exp(th[0]), be = exp(th[1]);
    if (!isfinite(al + be) || al < 1e-10 || be < 1e-10)
        return NAN;
    if (g)
        cxi_num_grad(sbg_obj, vctx, th, 2, g);
    double lab = cxi_lbeta(al, be), ll = 0;
    for (size_t i = 0; i < d->n; i++) {
        double t = d->c[0][i];
        ll += d->w[i] * (d->c[1][i] > 0 ? cxi_lbeta(al + 1, be + t - 1) : cxi_lbeta(al, be + t));
    }
    return -(ll / d->W - lab);
}

/* x ln(x / total), 0 at x = 0 */
static double xlogx_ratio(double x, double total) { return x > 0 ? x * log(x / total) : 0; }

/* sBG's degenerate boundaries, where the likelihood has a supremum but no
 * maximum: alpha and beta both to infinity (every customer with the same
 * churn probability: the geometric model, theta = churns / periods at risk)
 * and, when every churn is in the first period, both to 0 (a share churning
 * at once, the rest never). The iteration stops near such an edge at
 * arbitrary large or small alpha and beta; when the edge's own likelihood
 * (in closed form) is not below the fit's, the data are degenerate and the
 * failure gives the edge's estimate. ll: the fit's log-likelihood. */
static int sbg_boundary(const gdata *d, double ll, const char *fn)
{
    double churns = 0, survived = 0, alive = 0;
    bool all_at_once = true;
    for (size_t i = 0; i < d->n; i++) {
        double t = d->c[0][i], w = d->w[i];
        if (d->c[1][i] > 0) {
            churns += w;
            survived += w * (t - 1);
            all_at_once &= t == 1;
        } else {
            survived += w * t;
            alive += t >= 1 ? w : 0;
        }
    }
    double tol = 1e-9 * fmax(1, fabs(ll));
    double ll_geo = xlogx_ratio(churns, churns + survived) + xlogx_ratio(survived, churns + survived);
    if (ll_geo >= ll - tol)
        return cxi_fail(CX_ERANGE,
                        "%s: degenerate data for the sBG model: no spread in churn probability: alpha and beta grow "
                        "without bound, every customer has the same churn probability (the likelihood has no "
                        "maximum); boundary estimate: churn probability %.6g per period (%g churns in %g periods "
                        "at risk)",
                        fn, churns / (churns + survived), churns, churns + survived);
    if (all_at_once) {
        double ll_split = xlogx_ratio(churns, churns + alive) + xlogx_ratio(alive, churns + alive);
        if (ll_split >= ll - tol)
            return cxi_fail(CX_ERANGE,
                            "%s: degenerate data for the sBG model: every churn is in the first period, and no "
                            "customer observed longer churned: alpha and beta tend to 0, a share of the customers "
                            "churns at once and the rest never (the likelihood has no maximum); boundary estimate: "
                            "share churning at once %.6g",
                            fn, churns / (churns + alive));
    }
    return CX_OK;
}

int cx_model_fit_sbg(cx_model **out, const double *t, const int *churned, const double *weight, size_t count)
{
    static const char fn[] = "cx_model_fit_sbg";
    int rc = check_out(out, fn);
    if (rc)
        return rc;
    if (!t || !churned)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !t ? "t" : "churned");
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    size_t cf_size = (count ? count : 1) * sizeof(double);
    double *cf = cxi_alloc(&mem, cf_size);
    if (!cf)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    double ev = 0;
    for (size_t i = 0; i < count; i++) {
        if (churned[i] != 0 && churned[i] != 1) {
            cxi_free(&mem, cf, cf_size);
            return cxi_fail(CX_ERANGE, "%s: row %zu: churned %d is neither 0 nor 1", fn, i, churned[i]);
        }
        if (!is_count(t[i]) || (churned[i] && t[i] < 1)) {
            cxi_free(&mem, cf, cf_size);
            return cxi_fail(CX_ERANGE, "%s: row %zu: t %g is not a count of periods%s", fn, i, t[i],
                            churned[i] ? " >= 1" : "");
        }
        cf[i] = churned[i];
        ev += churned[i] * (weight ? weight[i] : 1);
    }
    if ((rc = check_weights(weight, count, fn))) {
        cxi_free(&mem, cf, cf_size);
        return rc;
    }
    if (!(ev > 0)) {
        cxi_free(&mem, cf, cf_size);
        return cxi_fail(CX_ERANGE, "%s: nobody churned: the model cannot be fitted", fn);
    }
    gdata d;
    const double *cols[2] = {t, cf};
    rc = group_rows(&d, cols, 2, weight, count, NULL, fn);
    cxi_free(&mem, cf, cf_size);
    if (rc)
        return rc;
    double starts[6] = {0, 0, log(0.5), log(3), log(3), log(0.5)};
    double theta[2];
    cxi_minimum m;
    fit_starts(&m, theta, sbg_obj, &d, 2, starts, 3, 1e-8, 5); /* numerical gradient: 1 + 2 x 2 */
    if (isfinite(m.f) && (rc = sbg_boundary(&d, -m.f * d.W, fn))) {
        gdata_free(&d);
        return rc;
    }
    rc = finish(out, CX_MODEL_SBG, theta, &m, d.W, 0, sbg_obj, &d, false, fn);
    gdata_free(&d);
    return rc;
}

/* ---- models: life and parameters ------------------------------------------- */

void cx_model_free(cx_model *model)
{
    if (!model)
        return;
    cxi_mem mem = model->mem;
    cxi_free(&mem, model, sizeof *model);
}

cx_model_kind cxi_model_kind(const cx_model *m) { return m->kind; }

int cx_model_new(cx_model **out, cx_model_kind kind, const double *params, size_t count)
{
    static const char fn[] = "cx_model_new";
    int rc = check_out(out, fn);
    if (rc)
        return rc;
    if ((int)kind < 0 || (int)kind > CX_MODEL_SBG)
        return cxi_fail(CX_EINVAL, "%s: kind %d is not a cx_model_kind", fn, (int)kind);
    if (!params)
        return cxi_fail(CX_EINVAL, "%s: params is NULL", fn);
    if (count != (size_t)param_count[kind])
        return cxi_fail(CX_EINVAL, "%s: a %s model has %d parameters, not %zu", fn, kind_names[kind],
                        param_count[kind], count);
    for (size_t i = 0; i < count; i++)
        if (!isfinite(params[i]) || !(params[i] > 0))
            return cxi_fail(CX_ERANGE, "%s: parameter %s = %g is not finite and > 0", fn, param_names[kind][i],
                            params[i]);
    cx_model *m = CXI_NEW(cx_model, NULL, NULL);
    if (!m)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    m->kind = kind;
    m->k = (int)count;
    m->loglik = NAN;
    memcpy(m->p, params, count * sizeof *params);
    *out = m;
    return CX_OK;
}

int cx_model_params(cx_result **out, const cx_model *model)
{
    static const char fn[] = "cx_model_params";
    static const char *const names[9] = {"name",      "value",     "kind",  "loglik", "iterations",
                                         "customers", "std_error", "lower", "upper"};
    static const int types[9] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_INT,
                                 CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL,   CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!model)
        return cxi_fail(CX_EINVAL, "%s: model is NULL", fn);
    cx_result *r;
    if (cxi_result_new(&r, &model->mem, (size_t)model->k, 9, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t i = 0; i < (size_t)model->k; i++) {
        if (cxi_result_set_text(r, 0, i, param_names[model->kind][i]) ||
            cxi_result_set_text(r, 2, i, kind_ids[model->kind])) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        cxi_result_set_real(r, 1, i, model->p[i]);
        cxi_result_set_real(r, 3, i, model->loglik);
        cxi_result_set_int(r, 4, i, (int64_t)model->iterations);
        cxi_result_set_real(r, 5, i, model->customers);
        /* the 95 % interval of ln p (the scale of the fit), mapped back: it
         * stays within p > 0, unlike p -/+ 1.96 se */
        double se = model->has_cov ? sqrt(model->cov[i][i]) : NAN, z = 1.959963984540054;
        cxi_result_set_real(r, 6, i, se);
        cxi_result_set_real(r, 7, i, model->p[i] * exp(-z * se / model->p[i]));
        cxi_result_set_real(r, 8, i, model->p[i] * exp(z * se / model->p[i]));
    }
    *out = r;
    return CX_OK;
}

/* ---- customer data ------------------------------------------------------------- */

/* The four columns the models read, by cx_summary_column; the rest stay NULL. */
#define DATA_COLUMNS (CX_SUMMARY_MONETARY + 1)

struct cx_model_data {
    cxi_mem mem;               /* the summary's (the store's) allocator, else the default */
    size_t n;
    const double *col[DATA_COLUMNS]; /* borrowed */
    const cx_summary *summary; /* the ids' source, or NULL */
};

static int data_alloc(cx_model_data **out, cxi_mem mem, size_t n, const char *fn)
{
    cx_model_data *d = cxi_alloc(&mem, sizeof *d);
    if (!d)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    memset(d, 0, sizeof *d);
    d->mem = mem;
    d->n = n;
    *out = d;
    return CX_OK;
}

int cx_model_data_new(cx_model_data **out, size_t count)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_model_data_new: out is NULL");
    *out = NULL;
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    return data_alloc(out, mem, count, "cx_model_data_new");
}

int cx_model_data_from_summary(cx_model_data **out, const cx_summary *summary)
{
    static const char fn[] = "cx_model_data_from_summary";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!summary)
        return cxi_fail(CX_EINVAL, "%s: summary is NULL", fn);
    cxi_mem mem;
    cxi_mem_init(&mem, summary->mem.fn, summary->mem.ud);
    cx_model_data *d = NULL;
    int rc = data_alloc(&d, mem, summary->n, fn);
    if (rc)
        return rc;
    for (int j = 0; j < DATA_COLUMNS; j++)
        d->col[j] = summary->col[j];
    d->summary = summary;
    *out = d;
    return CX_OK;
}

void cx_model_data_free(cx_model_data *data)
{
    if (!data)
        return;
    cxi_mem mem = data->mem;
    cxi_free(&mem, data, sizeof *data);
}

int cx_model_data_set(cx_model_data *data, cx_summary_column column, const double *values)
{
    static const char fn[] = "cx_model_data_set";
    if (!data || !values)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !data ? "data" : "values");
    if ((int)column < 0 || (int)column >= DATA_COLUMNS)
        return cxi_fail(CX_EINVAL, "%s: column %d is not frequency, recency, age or monetary", fn, (int)column);
    data->col[column] = values;
    return CX_OK;
}

size_t cx_model_data_count(const cx_model_data *data) { return data ? data->n : 0; }

/* The data's columns the caller needs (a mask of 1 << cx_summary_column). */
static int data_columns(const cx_model_data *d, unsigned need, const char *fn)
{
    static const char *const what[DATA_COLUMNS] = {"frequency (x)", "recency (t_x)", "age (T)", "monetary (mean)"};
    if (!d)
        return cxi_fail(CX_EINVAL, "%s: data is NULL", fn);
    for (int j = 0; j < DATA_COLUMNS; j++)
        if ((need >> j & 1) && !d->col[j])
            return cxi_fail(CX_EINVAL, "%s: the data has no %s column", fn, what[j]);
    return CX_OK;
}

#define NEED_HISTORY (1u << CX_SUMMARY_FREQUENCY | 1u << CX_SUMMARY_RECENCY | 1u << CX_SUMMARY_AGE)
#define NEED_SPEND (1u << CX_SUMMARY_FREQUENCY | 1u << CX_SUMMARY_MONETARY)

/* ---- predictions ----------------------------------------------------------- */

static int check_pred(double *out, size_t out_count, const cx_model *m, const cx_model_data *d, unsigned need,
                      const char *fn)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    if (!m)
        return cxi_fail(CX_EINVAL, "%s: model is NULL", fn);
    int rc = data_columns(d, need, fn);
    if (rc)
        return rc;
    if (out_count < d->n)
        return cxi_fail(CX_EBUFSIZE, "%s: out has room for %zu values, %zu are needed", fn, out_count, d->n);
    return CX_OK;
}

/* P(alive) of one customer; BG/BB gives it at the next opportunity. */
static double p_alive1(const cx_model *m, double x, double tx, double T)
{
    const double *p = m->p;
    switch (m->kind) {
    case CX_MODEL_BGNBD:
        if (x == 0)
            return 1;
        return 1 / (1 + exp(log(p[2]) - log(p[3] + x - 1) + (p[0] + x) * (log(p[1] + T) - log(p[1] + tx))));
    case CX_MODEL_PARETO_NBD: {
        double r = p[0], al = p[1], s = p[2], be = p[3];
        double l = log(s) - log(r + s + x) + (r + x) * log(al + T) + s * log(be + T) +
                   pnbd_log_a0(r, al, s, be, x, tx, T, NULL, NULL);
        return 1 / (1 + exp(l));
    }
    default: { /* BG/BB */
        double al = p[0], be = p[1], ga = p[2], de = p[3];
        double ll = bgbb_row(al, be, ga, de, x, tx, T);
        double l = cxi_lbeta(al + x, be + T - x) - cxi_lbeta(al, be) + cxi_lbeta(ga, de + T + 1) -
                   cxi_lbeta(ga, de);
        return exp(l - ll);
    }
    }
}

static double bgnbd_pop_mean(double r, double al, double a, double b, double t);

static double expected1(const cx_model *m, double x, double tx, double T, double t)
{
    const double *p = m->p;
    if (t == 0)
        return 0;
    switch (m->kind) {
    case CX_MODEL_BGNBD: {
        /* FHL (2005) eq. 10: the numerator is E[X(t)] of the customers alive
         * at T, BG/NBD with r + x, alpha + T, a, b + x */
        double r = p[0], al = p[1], a = p[2], b = p[3];
        double num = bgnbd_pop_mean(r + x, al + T, a, b + x, t);
        double den = 1;
        if (x > 0)
            den += exp(log(a) - log(b + x - 1) + (r + x) * (log(al + T) - log(al + tx)));
        return num / den;
    }
    case CX_MODEL_PARETO_NBD: {
        double r = p[0], al = p[1], s = p[2], be = p[3];
        double pa = p_alive1(m, x, tx, T);
        double f = fabs(s - 1) < 1e-9 ? log((be + T + t) / (be + T))
                                      : (1 - exp((s - 1) * log((be + T) / (be + T + t)))) / (s - 1);
        return (r + x) * (be + T) / (al + T) * f * pa;
    }
    default: { /* BG/BB, t opportunities after n = T */
        double al = p[0], be = p[1], ga = p[2], de = p[3], n = T;
        double ll = bgbb_row(al, be, ga, de, x, tx, n);
        double l = cxi_lbeta(al + x + 1, be + n - x) - cxi_lbeta(al, be) + cxi_lgamma(ga + de) -
                   cxi_lgamma(1 + de) - ll;
        double g1 = cxi_lgamma(1 + de + n) - cxi_lgamma(ga + de + n);
        double g2 = cxi_lgamma(1 + de + n + t) - cxi_lgamma(ga + de + n + t);
        /* delta / (gamma - 1) [e^g1 - e^g2]: both factors change sign at gamma = 1 */
        double diff = exp(g1) - exp(g2);
        double ratio = fabs(ga - 1) < 1e-9 ? de * (cxi_digamma(1 + de + n + t) - cxi_digamma(1 + de + n))
                                           : de / (ga - 1) * diff;
        return exp(l) * ratio;
    }
    }
}

static int check_rows(const cx_model *m, const double *x, const double *tx, const double *T, size_t n,
                      const char *fn)
{
    if (m->kind == CX_MODEL_BGBB)
        return check_bgbb(x, tx, T, n, fn);
    return check_xtT(x, tx, T, n, fn);
}

static bool predicts_purchases(const cx_model *m)
{
    return m->kind == CX_MODEL_BGNBD || m->kind == CX_MODEL_PARETO_NBD || m->kind == CX_MODEL_BGBB;
}

int cx_model_expected(double *out, size_t out_count, const cx_model *model, const cx_model_data *data,
                      double horizon)
{
    static const char fn[] = "cx_model_expected";
    int rc = check_pred(out, out_count, model, data, NEED_HISTORY, fn);
    if (rc)
        return rc;
    if (!predicts_purchases(model))
        return cxi_fail(CX_EINVAL, "%s: a %s model does not predict purchases", fn, kind_names[model->kind]);
    if (!isfinite(horizon) || horizon < 0 || (model->kind == CX_MODEL_BGBB && horizon != floor(horizon)))
        return cxi_fail(CX_ERANGE, "%s: horizon %g is not a finite %s >= 0", fn, horizon,
                        model->kind == CX_MODEL_BGBB ? "integer" : "time");
    const double *x = data->col[CX_SUMMARY_FREQUENCY], *tx = data->col[CX_SUMMARY_RECENCY],
                 *T = data->col[CX_SUMMARY_AGE];
    if ((rc = check_rows(model, x, tx, T, data->n, fn)))
        return rc;
    for (size_t i = 0; i < data->n; i++)
        if (!isfinite(expected1(model, x[i], tx[i], T[i], horizon)))
            return cxi_fail(CX_ERANGE, "%s: row %zu: the expectation cannot be computed (horizon too long?)", fn,
                            i);
    for (size_t i = 0; i < data->n; i++)
        out[i] = expected1(model, x[i], tx[i], T[i], horizon);
    return CX_OK;
}

int cxi_model_p_alive(double *out, const cx_model *m, const double *x, const double *tx, const double *T, size_t n,
                      const char *fn)
{
    if (!predicts_purchases(m))
        return cxi_fail(CX_EINVAL, "%s: a %s model has no P(alive)", fn, kind_names[m->kind]);
    int rc = check_rows(m, x, tx, T, n, fn);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        out[i] = p_alive1(m, x[i], tx[i], T[i]);
    return CX_OK;
}

int cx_model_p_alive(double *out, size_t out_count, const cx_model *model, const cx_model_data *data)
{
    static const char fn[] = "cx_model_p_alive";
    int rc = check_pred(out, out_count, model, data, NEED_HISTORY, fn);
    if (rc)
        return rc;
    return cxi_model_p_alive(out, model, data->col[CX_SUMMARY_FREQUENCY], data->col[CX_SUMMARY_RECENCY],
                             data->col[CX_SUMMARY_AGE], data->n, fn);
}

static int spend_checks(const cx_model *m, const double *x, const double *mean, size_t n, const char *fn)
{
    if (m->kind != CX_MODEL_GAMMA_GAMMA)
        return cxi_fail(CX_EINVAL, "%s: a %s model is not a spend model", fn, kind_names[m->kind]);
    if (!(m->p[1] > 1))
        return cxi_fail(CX_ERANGE, "%s: q = %g <= 1: the expected spend is infinite", fn, m->p[1]);
    for (size_t i = 0; i < n; i++) {
        if (!is_count(x[i]))
            return cxi_fail(CX_ERANGE, "%s: row %zu: x %g is not a count of purchases", fn, i, x[i]);
        if (x[i] > 0 && (!isfinite(mean[i]) || !(mean[i] > 0)))
            return cxi_fail(CX_ERANGE, "%s: row %zu: mean amount %g is not finite and > 0", fn, i, mean[i]);
    }
    return CX_OK;
}

static double spend1(const cx_model *m, double x, double mean)
{
    double p = m->p[0], q = m->p[1], g = m->p[2];
    if (x == 0)
        return p * g / (q - 1);
    return p * (g + x * mean) / (p * x + q - 1);
}

int cx_model_expected_spend(double *out, size_t out_count, const cx_model *model, const cx_model_data *data)
{
    static const char fn[] = "cx_model_expected_spend";
    int rc = check_pred(out, out_count, model, data, NEED_SPEND, fn);
    if (rc)
        return rc;
    const double *x = data->col[CX_SUMMARY_FREQUENCY], *mean = data->col[CX_SUMMARY_MONETARY];
    if ((rc = spend_checks(model, x, mean, data->n, fn)))
        return rc;
    for (size_t i = 0; i < data->n; i++)
        out[i] = spend1(model, x[i], mean[i]);
    return CX_OK;
}

int cx_model_sbg_curve(double *survival, double *retention, const cx_model *model, double t)
{
    static const char fn[] = "cx_model_sbg_curve";
    if (!model)
        return cxi_fail(CX_EINVAL, "%s: model is NULL", fn);
    if (model->kind != CX_MODEL_SBG)
        return cxi_fail(CX_EINVAL, "%s: a %s model is not an sBG model", fn, kind_names[model->kind]);
    if (!isfinite(t) || t < 0)
        return cxi_fail(CX_ERANGE, "%s: t %g is not a finite number of periods >= 0", fn, t);
    double al = model->p[0], be = model->p[1];
    if (survival)
        *survival = exp(cxi_lbeta(al, be + t) - cxi_lbeta(al, be));
    if (retention)
        *retention = t >= 1 ? (be + t - 1) / (al + be + t - 1) : NAN;
    return CX_OK;
}

/* ---- CLV ------------------------------------------------------------------- */

struct cx_clv_options {
    cxi_mem mem;
    int periods;
    double period;
    double discount;
};

int cx_clv_options_new(cx_clv_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_clv_options_new: out is NULL");
    *out = NULL;
    cx_clv_options *o = CXI_NEW(cx_clv_options, NULL, NULL);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_clv_options_new: out of memory");
    o->periods = 12;
    o->period = 1.0;
    o->discount = 0.0;
    *out = o;
    return CX_OK;
}

void cx_clv_options_free(cx_clv_options *options)
{
    if (!options)
        return;
    cxi_mem mem = options->mem;
    cxi_free(&mem, options, sizeof *options);
}

int cx_clv_options_set_horizon(cx_clv_options *options, int periods)
{
    if (!options)
        return cxi_fail(CX_EINVAL, "cx_clv_options_set_horizon: options is NULL");
    if (periods < 1 || periods > 10000)
        return cxi_fail(CX_ERANGE, "cx_clv_options_set_horizon: %d periods is not within 1 to 10000", periods);
    options->periods = periods;
    return CX_OK;
}

int cx_clv_options_set_period(cx_clv_options *options, double length)
{
    if (!options)
        return cxi_fail(CX_EINVAL, "cx_clv_options_set_period: options is NULL");
    if (!isfinite(length) || !(length > 0))
        return cxi_fail(CX_ERANGE, "cx_clv_options_set_period: length %g is not finite and > 0", length);
    options->period = length;
    return CX_OK;
}

int cx_clv_options_set_discount(cx_clv_options *options, double rate)
{
    if (!options)
        return cxi_fail(CX_EINVAL, "cx_clv_options_set_discount: options is NULL");
    if (!isfinite(rate) || rate < 0)
        return cxi_fail(CX_ERANGE, "cx_clv_options_set_discount: rate %g is not finite and >= 0", rate);
    options->discount = rate;
    return CX_OK;
}

static int clv_checks(const cx_model *purchases, const cx_model *spend, const cx_model_data *d, const char *fn)
{
    if (!purchases || !spend)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !purchases ? "purchases" : "spend");
    if (purchases->kind != CX_MODEL_BGNBD && purchases->kind != CX_MODEL_PARETO_NBD)
        return cxi_fail(CX_EINVAL, "%s: purchases: a %s model is not BG/NBD or Pareto/NBD", fn,
                        kind_names[purchases->kind]);
    int rc = data_columns(d, NEED_HISTORY | NEED_SPEND, fn);
    if (rc)
        return rc;
    const double *x = d->col[CX_SUMMARY_FREQUENCY];
    if ((rc = check_xtT(x, d->col[CX_SUMMARY_RECENCY], d->col[CX_SUMMARY_AGE], d->n, fn)))
        return rc;
    return spend_checks(spend, x, d->col[CX_SUMMARY_MONETARY], d->n, fn);
}

/* Customer i's CLV: the purchases of each period times the spend v,
 * discounted; returns the purchases over the whole horizon. */
static double clv_value(double *v, double *clv, const cx_model *purchases, const cx_model *spend,
                        const cx_model_data *d, const cx_clv_options *o, size_t i)
{
    double x = d->col[CX_SUMMARY_FREQUENCY][i], tx = d->col[CX_SUMMARY_RECENCY][i], T = d->col[CX_SUMMARY_AGE][i];
    double val = spend1(spend, x, d->col[CX_SUMMARY_MONETARY][i]), prev = 0, sum = 0, disc = 1;
    for (int k = 1; k <= o->periods; k++) {
        double e = expected1(purchases, x, tx, T, k * o->period);
        disc *= 1 + o->discount;
        sum += (e - prev) * val / disc;
        prev = e;
    }
    *v = val;
    *clv = sum;
    return prev;
}

/* Row i of the CLV table. False when a value cannot be computed. */
static bool clv_row(cx_result *r, size_t col, size_t i, const cx_model *purchases, const cx_model *spend,
                    const cx_model_data *d, const cx_clv_options *o)
{
    double v, sum, prev = clv_value(&v, &sum, purchases, spend, d, o, i);
    const double *x = d->col[CX_SUMMARY_FREQUENCY], *tx = d->col[CX_SUMMARY_RECENCY], *T = d->col[CX_SUMMARY_AGE];
    cxi_result_set_real(r, col, i, prev);
    cxi_result_set_real(r, col + 1, i, p_alive1(purchases, x[i], tx[i], T[i]));
    cxi_result_set_real(r, col + 2, i, v);
    cxi_result_set_real(r, col + 3, i, sum);
    return isfinite(sum);
}

int cx_model_clv(cx_result **out, const cx_model *purchases, const cx_model *spend, const cx_model_data *data,
                 const cx_clv_options *options)
{
    static const char fn[] = "cx_model_clv";
    static const cx_clv_options defaults = {{NULL, NULL, 0}, 12, 1.0, 0.0};
    static const char *const names[5] = {"customer", "expected_purchases", "p_alive", "expected_spend", "clv"};
    static const int types[5] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    int rc = clv_checks(purchases, spend, data, fn);
    if (rc)
        return rc;
    const cx_clv_options *o = options ? options : &defaults;
    size_t ids = data->summary != NULL; /* the customer column comes first when there are ids */
    cx_result *r;
    if (cxi_result_new(&r, &data->mem, data->n, 4 + ids, names + 1 - ids, types + 1 - ids))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, data->n);
    for (size_t i = 0; i < data->n; i++) {
        if (ids && cxi_result_set_text(r, 0, i, cxi_summary_customer(data->summary, i))) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        if (!clv_row(r, ids, i, purchases, spend, data, o)) {
            cx_result_free(r);
            return cxi_fail(CX_ERANGE, "%s: row %zu: the value cannot be computed (horizon too long?)", fn, i);
        }
    }
    *out = r;
    return CX_OK;
}

/* ---- the population: P(X(t) = n) and E[X(t)] ------------------------------------ */

/* The most purchase counts one call of cx_model_purchase_pmf() computes
 * (bounded work: each costs at most a bounded quadrature). */
#define PMF_MAX 100000
/* BG/BB: its sums cost (N + 1) n terms; at most this many. */
#define BGBB_PMF_WORK 20000000.0
/* Pareto/NBD quadrature: panels on each side of the peak. */
#define PMF_PANELS 4000

/* The continued fraction of the incomplete beta (modified Lentz); NaN when
 * 10000 terms do not settle. */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        c = 1 + aa / c;
        d = 1 / (fabs(d) < tiny ? tiny : d);
        c = fabs(c) < tiny ? tiny : c;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        c = 1 + aa / c;
        d = 1 / (fabs(d) < tiny ? tiny : d);
        c = fabs(c) < tiny ? tiny : c;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15)
            return h;
    }
    return NAN;
}

/* The regularised incomplete beta I_x(a, b), the fraction on the side
 * where it converges (and where its value is the smaller, so a small tail
 * keeps its relative accuracy). */
static double ibeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lf = a * log(x) + b * log1p(-x) - cxi_lbeta(a, b);
    if (x < (a + 1) / (a + b + 2))
        return exp(lf) * beta_cf(a, b, x) / a;
    return 1 - exp(lf) * beta_cf(b, a, 1 - x) / b;
}

/* ln of the gamma-Poisson (NBD) pmf's coefficient Gamma(r + n) / (Gamma(r) n!). */
static double nbd_lcoef(double r, double n) { return cxi_lgamma(r + n) - cxi_lgamma(r) - cxi_lgamma(n + 1); }

/*
 * BG/NBD, Fader, Hardie and Lee (2005), eq. 8:
 *   P(X(t) = n) = B(a, b + n) / B(a, b) NBD(n)
 *               + [n > 0] B(a + 1, b + n - 1) / B(a, b) P(NBD >= n),
 * NBD(n) = Gamma(r + n) / (Gamma(r) n!) (alpha / (alpha + t))^r (t / (alpha + t))^n.
 * The paper writes P(NBD >= n) as 1 minus a partial sum, which cancels once
 * it is small; here the tail beyond the last n asked for is the incomplete
 * beta I_p(N + 1, r), p = t / (alpha + t), and the others add the pmf to it
 * from the top down: sums of positive terms only, every term in logs.
 */
static int pmf_bgnbd(double *out, size_t N1, const double *p, double t, const char *fn)
{
    double r = p[0], al = p[1], a = p[2], b = p[3];
    double lp0 = r * (log(al) - log(al + t)), lq = log(t) - log(al + t), lab = cxi_lbeta(a, b);
    double tail = ibeta((double)N1, r, t / (al + t));
    if (!isfinite(tail))
        return cxi_fail(CX_ERANGE, "%s: the tail P(X(%g) > %zu) cannot be computed", fn, t, N1 - 1);
    for (size_t k = N1; k-- > 0;) {
        double n = (double)k, lnb = nbd_lcoef(r, n) + lp0 + n * lq;
        tail += exp(lnb);
        double v = exp(cxi_lbeta(a, b + n) - lab + lnb);
        if (k > 0)
            v += exp(cxi_lbeta(a + 1, b + n - 1) - lab) * tail;
        out[k] = v;
    }
    return CX_OK;
}

/*
 * Pareto/NBD. A customer buys at rate lambda ~ Gamma(r, alpha) while alive;
 * the lifetime tau has the Pareto (Lomax) law of an Exp(mu) lifetime with
 * mu ~ Gamma(s, beta): S(u) = (beta / (beta + u))^s. Given tau, X(t) is
 * NBD over the time alive, min(tau, t); so
 *   P(X(t) = n) = S(t) NBD(n; t) + int_0^t f(u) NBD(n; u) du
 *               = S(t) NBD(n; t) + C_n s beta^s alpha^r J_n,
 *   J_n = int_0^t u^n (alpha + u)^-(r + n) (beta + u)^-(s + 1) du,
 * the same quantity as the 2F1 form of Fader and Hardie's note ("Deriving
 * an expression for P(X(t) = x) under the Pareto/NBD model", 2006), whose
 * difference of hypergeometric terms cancels for large n. J_n is computed
 * by Gauss-Legendre quadrature in v = ln u, where ln of the integrand,
 * g(v) = (n + 1) v - (r + n) ln(alpha + e^v) - (s + 1) ln(beta + e^v),
 * is concave with a slope falling from n + 1 to -(r + s): from its peak
 * (found by bisection, or t) outwards, in panels of 8 nodes whose width
 * keeps g within a few units across each, until g has fallen 45 below the
 * peak (the rest is then below e^-45 of the integral) or t is reached; at
 * most PMF_PANELS panels a side (*inexact counts a miss).
 */
typedef struct pnbd_g {
    double n1, rn, s1, al, be;
} pnbd_g;

static double pg_val(const pnbd_g *q, double v)
{
    double e = exp(v);
    return q->n1 * v - q->rn * log(q->al + e) - q->s1 * log(q->be + e);
}

static double pg_slope(const pnbd_g *q, double v)
{
    double e = exp(v);
    return q->n1 - q->rn * e / (q->al + e) - q->s1 * e / (q->be + e);
}

static double pnbd_ln_j(double r, double al, double s, double be, double n, double t, int *inexact)
{
    static const double gx[8] = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290,
                                 -0.1834346424956498, 0.1834346424956498,  0.5255324099163290,
                                 0.7966664774136267,  0.9602898564975363};
    static const double gw[8] = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
                                 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763};
    pnbd_g q = {n + 1, r + n, s + 1, al, be};
    double vt = log(t), vp = vt;
    if (pg_slope(&q, vt) < 0) { /* the peak is inside (0, t): bisect the falling slope */
        double lo = fmin(fmin(log(al), log(be)), vt) - 50, hi = vt;
        for (int i = 0; i < 20 && pg_slope(&q, lo) <= 0; i++)
            lo -= 50;
        for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + fabs(hi)); i++) {
            double mid = 0.5 * (lo + hi);
            if (pg_slope(&q, mid) > 0)
                lo = mid;
            else
                hi = mid;
        }
        vp = 0.5 * (lo + hi);
    }
    double ep = exp(vp);
    double curv = q.rn * al * ep / ((al + ep) * (al + ep)) + q.s1 * be * ep / ((be + ep) * (be + ep));
    double hpk = curv > 1 ? 1 / sqrt(curv) : 1;
    double gpk = pg_val(&q, vp), sum = 0;
    /* side 0 walks down from the peak, side 1 up to t */
    for (int side = 0; side < 2; side++) {
        double v = vp, dir = side ? 1 : -1;
        int j = 0;
        for (; j < PMF_PANELS; j++) {
            if (side && v >= vt)
                break;
            double s0 = fabs(pg_slope(&q, v)), w = hpk;
            if (s0 * w > 4)
                w = 4 / s0;
            double s1 = fabs(pg_slope(&q, v + dir * w));
            if (s1 * w > 6)
                w = 6 / s1;
            if (side && v + w > vt)
                w = vt - v;
            for (int k = 0; k < 8; k++) {
                double u = v + dir * 0.5 * w * (gx[k] + 1);
                sum += 0.5 * w * gw[k] * exp(pg_val(&q, u) - gpk);
            }
            v += dir * w;
            if (!side && pg_val(&q, v) < gpk - 45)
                break;
        }
        if (j == PMF_PANELS)
            ++*inexact;
    }
    return gpk + log(sum);
}

static int pmf_pnbd(double *out, size_t N1, const double *p, double t, const char *fn)
{
    double r = p[0], al = p[1], s = p[2], be = p[3];
    double lS = s * (log(be) - log(be + t)), lp0 = r * (log(al) - log(al + t)), lq = log(t) - log(al + t);
    double lk = r * log(al) + log(s) + s * log(be);
    int inexact = 0;
    for (size_t k = 0; k < N1; k++) {
        double n = (double)k, lc = nbd_lcoef(r, n);
        out[k] = exp(lS + lc + lp0 + n * lq) + exp(lc + lk + pnbd_ln_j(r, al, s, be, n, t, &inexact));
    }
    if (inexact)
        return cxi_fail(CX_ELIMIT,
                        "%s: %d of the %zu probabilities needed more than %d quadrature panels: they would lose "
                        "accuracy",
                        fn, inexact, N1, PMF_PANELS);
    return CX_OK;
}

/*
 * BG/BB (Fader, Hardie and Shang 2010, eq. 7), n opportunities:
 *   P(X(n) = x) = C(n, x) B(al + x, be + n - x) / B(al, be) B(ga, de + n) / B(ga, de)
 *     + sum_{i = x}^{n - 1} C(i, x) B(al + x, be + i - x) / B(al, be) B(ga + 1, de + i) / B(ga, de),
 * each sum's terms by their ratio (one log a term) and added scaled to their
 * largest (no underflow); (N + 1) n terms in all.
 */
static void pmf_bgbb(double *out, size_t N1, const double *p, double nn)
{
    double al = p[0], be = p[1], ga = p[2], de = p[3];
    double lab = cxi_lbeta(al, be), lgd = cxi_lbeta(ga, de);
    for (size_t k = 0; k < N1; k++) {
        double x = (double)k;
        if (x > nn) {
            out[k] = 0;
            continue;
        }
        double lchoose = cxi_lgamma(nn + 1) - cxi_lgamma(x + 1) - cxi_lgamma(nn - x + 1);
        double m = lchoose + cxi_lbeta(al + x, be + nn - x) - lab + cxi_lbeta(ga, de + nn) - lgd, sum = 1;
        double l = cxi_lbeta(al + x, be) - lab + cxi_lbeta(ga + 1, de + x) - lgd; /* i = x: C(x, x) = 1 */
        for (double i = x; i < nn; i++) {
            if (l > m) {
                sum = sum * exp(m - l) + 1;
                m = l;
            } else {
                sum += exp(l - m);
            }
            l += log((i + 1) * (be + i - x) * (de + i) / ((i + 1 - x) * (al + be + i) * (ga + 1 + de + i)));
        }
        out[k] = exp(m + log(sum));
    }
}

int cx_model_purchase_pmf(double *out, size_t out_count, const cx_model *model, double t)
{
    static const char fn[] = "cx_model_purchase_pmf";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    if (!model)
        return cxi_fail(CX_EINVAL, "%s: model is NULL", fn);
    if (!predicts_purchases(model))
        return cxi_fail(CX_EINVAL, "%s: a %s model does not predict purchases", fn, kind_names[model->kind]);
    if (out_count < 1 || out_count > PMF_MAX)
        return cxi_fail(CX_ERANGE, "%s: out_count %zu is not within 1 to %d", fn, out_count, PMF_MAX);
    bool bgbb = model->kind == CX_MODEL_BGBB;
    if (!isfinite(t) || t < 0 || (bgbb && (t != floor(t) || t > 100000)))
        return cxi_fail(CX_ERANGE, "%s: t %g is not a finite %s >= 0", fn, t,
                        bgbb ? "integer number of opportunities (at most 100000)" : "time");
    if (bgbb && (double)out_count * t > BGBB_PMF_WORK)
        return cxi_fail(CX_ELIMIT, "%s: %zu probabilities over %g opportunities cost %g terms, more than %g", fn,
                        out_count, t, (double)out_count * t, BGBB_PMF_WORK);
    if (t == 0) {
        out[0] = 1;
        for (size_t k = 1; k < out_count; k++)
            out[k] = 0;
        return CX_OK;
    }
    /* computed aside so that a failure leaves out as it was */
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    double *v = cxi_alloc(&mem, out_count * sizeof *v);
    if (!v)
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu values", fn, out_count);
    int rc = CX_OK;
    if (model->kind == CX_MODEL_BGNBD)
        rc = pmf_bgnbd(v, out_count, model->p, t, fn);
    else if (model->kind == CX_MODEL_PARETO_NBD)
        rc = pmf_pnbd(v, out_count, model->p, t, fn);
    else
        pmf_bgbb(v, out_count, model->p, t);
    for (size_t k = 0; rc == CX_OK && k < out_count; k++)
        if (!isfinite(v[k]))
            rc = cxi_fail(CX_ERANGE, "%s: P(X(%g) = %zu) cannot be computed", fn, t, k);
    if (rc == CX_OK)
        memcpy(out, v, out_count * sizeof *v);
    cxi_free(&mem, v, out_count * sizeof *v);
    return rc;
}

/* BG/NBD's E[X(t)] as a sum: X(t) = min(N, G), N the purchases of a rate
 * lambda ~ Gamma(r, alpha) in t and G ~ Geometric(p), p ~ Beta(a, b), the
 * purchase after which the customer leaves; so
 *   E[X(t)] = sum_{n >= 1} P(N >= n) P(G >= n)
 *           = sum_{n >= 1} P(NBD >= n) B(a, b + n - 1) / B(a, b),
 * positive terms (the NBD tail carried down from 1 by its pmf, in logs,
 * and computed whole again as it gets small), until they are below 1e-17
 * of the sum and falling; at most
 * BGNBD_SUM_TERMS of them (NaN beyond: the caller fails). */
#define BGNBD_SUM_TERMS 20000000
static double bgnbd_mean_sum(double r, double al, double a, double b, double t)
{
    double lq = log(t) - log(al + t), lnb = r * (log(al) - log(al + t)); /* ln NBD(0) */
    double tail = -expm1(lnb), lbr = 0, sum = 0;                        /* P(NBD >= 1), ln B(a, b)/B(a, b) */
    double exact = tail; /* the tail when last computed whole: once the differences have taken off three
                          * digits it is computed again, so that a small tail keeps its relative accuracy */
    for (long n = 1; n <= BGNBD_SUM_TERMS; n++) {
        double term = tail * exp(lbr);
        sum += term;
        if (term < 1e-17 * sum && (double)n > (r + 1) * t / al)
            return sum;
        /* NBD(n - 1) -> NBD(n); tail(n + 1) = tail(n) - NBD(n); B ratio n -> n + 1 */
        lnb += log((r + (double)n - 1) / (double)n) + lq;
        tail -= exp(lnb);
        if (tail < 1e-3 * exact) {
            tail = exact = ibeta((double)n + 1, r, t / (al + t));
            if (!isfinite(tail))
                return NAN;
        }
        lbr += log((b + (double)n - 1) / (a + b + (double)n - 1));
    }
    return NAN;
}

/* BG/NBD's E[X(t)]: FHL (2005) eq. 9, whose 2F1 series needs about
 * 40 (alpha + t) / alpha terms and whose factor (a + b - 1) / (a - 1) is
 * singular at a = 1; where it fails, the sum above. */
static double bgnbd_pop_mean(double r, double al, double a, double b, double t)
{
    double e = NAN;
    if (fabs(a - 1) > 1e-6) {
        double h = cxi_hyp2f1(r, b, a + b - 1, t / (al + t));
        e = (a + b - 1) / (a - 1) * (1 - exp(r * (log(al) - log(al + t))) * h);
    }
    return isfinite(e) ? e : bgnbd_mean_sum(r, al, a, b, t);
}

int cx_model_population_expected(double *out, const cx_model *model, double t)
{
    static const char fn[] = "cx_model_population_expected";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    if (!model)
        return cxi_fail(CX_EINVAL, "%s: model is NULL", fn);
    if (!predicts_purchases(model))
        return cxi_fail(CX_EINVAL, "%s: a %s model does not predict purchases", fn, kind_names[model->kind]);
    bool bgbb = model->kind == CX_MODEL_BGBB;
    if (!isfinite(t) || t < 0 || (bgbb && t != floor(t)))
        return cxi_fail(CX_ERANGE, "%s: t %g is not a finite %s >= 0", fn, t, bgbb ? "integer" : "time");
    const double *p = model->p;
    double e;
    if (t == 0) {
        e = 0;
    } else if (model->kind == CX_MODEL_BGNBD) {
        e = bgnbd_pop_mean(p[0], p[1], p[2], p[3], t);
    } else if (model->kind == CX_MODEL_PARETO_NBD) {
        /* r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]; r beta / alpha ln(1 + t / beta) at s = 1 */
        double r = p[0], al = p[1], s = p[2], be = p[3], L = log1p(t / be);
        e = fabs(s - 1) < 1e-10 ? r * be / al * L : r * be / al * -expm1(-(s - 1) * L) / (s - 1);
    } else {
        /* al / (al + be) times the expected opportunities alive, sum_{i=1}^{n} B(ga, de + i) / B(ga, de) */
        double al = p[0], be = p[1], ga = p[2], de = p[3];
        double lr = cxi_lgamma(ga + de) + cxi_lgamma(1 + de + t) - cxi_lgamma(ga + de + t) - cxi_lgamma(1 + de);
        double alive = fabs(ga - 1) < 1e-9 ? de * (cxi_digamma(1 + de + t) - cxi_digamma(1 + de))
                                           : de / (ga - 1) * -expm1(lr);
        e = al / (al + be) * alive;
    }
    if (!isfinite(e))
        return cxi_fail(CX_ERANGE, "%s: E[X(%g)] cannot be computed under these parameters (t too long?)", fn, t);
    *out = e;
    return CX_OK;
}

/* ---- calibration / holdout table -------------------------------------------------- */

#define CALIB_MAX 10000

int cx_model_calibration(cx_result **out, const cx_model *model, const cx_model_data *data, const double *holdout,
                         double duration, size_t max_frequency)
{
    static const char fn[] = "cx_model_calibration";
    static const char *const names[5] = {"frequency", "label", "customers", "actual", "expected"};
    static const int types[5] = {CX_TYPE_INT, CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!model)
        return cxi_fail(CX_EINVAL, "%s: model is NULL", fn);
    if (!holdout)
        return cxi_fail(CX_EINVAL, "%s: holdout is NULL", fn);
    int rc = data_columns(data, NEED_HISTORY, fn);
    if (rc)
        return rc;
    if (!predicts_purchases(model))
        return cxi_fail(CX_EINVAL, "%s: a %s model does not predict purchases", fn, kind_names[model->kind]);
    bool bgbb = model->kind == CX_MODEL_BGBB;
    if (!isfinite(duration) || !(duration > 0) || (bgbb && duration != floor(duration)))
        return cxi_fail(CX_ERANGE, "%s: duration %g is not a finite %s > 0", fn, duration,
                        bgbb ? "integer" : "time");
    if (max_frequency > CALIB_MAX)
        return cxi_fail(CX_ERANGE, "%s: max_frequency %zu is above %d", fn, max_frequency, CALIB_MAX);
    const double *x = data->col[CX_SUMMARY_FREQUENCY], *tx = data->col[CX_SUMMARY_RECENCY],
                 *T = data->col[CX_SUMMARY_AGE];
    if ((rc = check_rows(model, x, tx, T, data->n, fn)))
        return rc;
    for (size_t i = 0; i < data->n; i++)
        if (!isfinite(holdout[i]) || holdout[i] < 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: holdout purchases %g are not finite and >= 0", fn, i,
                            holdout[i]);
    size_t rows = max_frequency + 1;
    cx_result *r;
    if (cxi_result_new(&r, &data->mem, rows, 5, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, rows);
    /* the sums go into the table's own columns, then become means */
    for (size_t i = 0; i < data->n; i++) {
        double e = expected1(model, x[i], tx[i], T[i], duration);
        if (!isfinite(e)) {
            cx_result_free(r);
            return cxi_fail(CX_ERANGE, "%s: row %zu: the expectation cannot be computed (duration too long?)", fn,
                            i);
        }
        size_t f = x[i] < (double)max_frequency ? (size_t)x[i] : max_frequency;
        cxi_result_set_int(r, 2, f, cxi_result_int(r, 2, f) + 1);
        cxi_result_set_real(r, 3, f, cxi_result_real(r, 3, f) + holdout[i]);
        cxi_result_set_real(r, 4, f, cxi_result_real(r, 4, f) + e);
    }
    for (size_t f = 0; f < rows; f++) {
        char label[32];
        snprintf(label, sizeof label, f == max_frequency ? "%zu+" : "%zu", f);
        if (cxi_result_set_text(r, 1, f, label)) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        int64_t c = cxi_result_int(r, 2, f);
        cxi_result_set_int(r, 0, f, (int64_t)f);
        cxi_result_set_real(r, 3, f, c ? cxi_result_real(r, 3, f) / (double)c : NAN);
        cxi_result_set_real(r, 4, f, c ? cxi_result_real(r, 4, f) / (double)c : NAN);
    }
    *out = r;
    return CX_OK;
}

/* ---- every customer's predictions in one table ------------------------------------- */

int cx_model_customers(cx_result **out, const cx_model *purchases, const cx_model *spend,
                       const cx_model_data *data, double horizon, const cx_clv_options *options)
{
    static const char fn[] = "cx_model_customers";
    static const cx_clv_options defaults = {{NULL, NULL, 0}, 12, 1.0, 0.0};
    static const char *const names[8] = {"customer", "frequency",          "recency",        "age", "p_alive",
                                         "expected_purchases", "expected_spend", "clv"};
    static const int types[8] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL,
                                 CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!purchases)
        return cxi_fail(CX_EINVAL, "%s: purchases is NULL", fn);
    int rc;
    if (spend) {
        if ((rc = clv_checks(purchases, spend, data, fn)))
            return rc;
    } else {
        if ((rc = data_columns(data, NEED_HISTORY, fn)))
            return rc;
        if (!predicts_purchases(purchases))
            return cxi_fail(CX_EINVAL, "%s: a %s model does not predict purchases", fn,
                            kind_names[purchases->kind]);
        if ((rc = check_rows(purchases, data->col[CX_SUMMARY_FREQUENCY], data->col[CX_SUMMARY_RECENCY],
                             data->col[CX_SUMMARY_AGE], data->n, fn)))
            return rc;
    }
    bool bgbb = purchases->kind == CX_MODEL_BGBB;
    if (!isfinite(horizon) || horizon < 0 || (bgbb && horizon != floor(horizon)))
        return cxi_fail(CX_ERANGE, "%s: horizon %g is not a finite %s >= 0", fn, horizon, bgbb ? "integer" : "time");
    const cx_clv_options *o = options ? options : &defaults;
    size_t ids = data->summary != NULL, ncols = 5 + ids + (spend ? 2 : 0);
    cx_result *r;
    if (cxi_result_new(&r, &data->mem, data->n, ncols, names + 1 - ids, types + 1 - ids))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, data->n);
    const double *x = data->col[CX_SUMMARY_FREQUENCY], *tx = data->col[CX_SUMMARY_RECENCY],
                 *T = data->col[CX_SUMMARY_AGE];
    for (size_t i = 0; i < data->n; i++) {
        if (ids && cxi_result_set_text(r, 0, i, cxi_summary_customer(data->summary, i))) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        double e = expected1(purchases, x[i], tx[i], T[i], horizon), v = 0, clv = 0;
        if (spend)
            clv_value(&v, &clv, purchases, spend, data, o, i);
        if (!isfinite(e) || !isfinite(clv)) {
            cx_result_free(r);
            return cxi_fail(CX_ERANGE, "%s: row %zu: the %s cannot be computed (horizon too long?)", fn, i,
                            isfinite(e) ? "value" : "expectation");
        }
        cxi_result_set_real(r, ids, i, x[i]);
        cxi_result_set_real(r, ids + 1, i, tx[i]);
        cxi_result_set_real(r, ids + 2, i, T[i]);
        cxi_result_set_real(r, ids + 3, i, p_alive1(purchases, x[i], tx[i], T[i]));
        cxi_result_set_real(r, ids + 4, i, e);
        if (spend) {
            cxi_result_set_real(r, ids + 5, i, v);
            cxi_result_set_real(r, ids + 6, i, clv);
        }
    }
    *out = r;
    return CX_OK;
}
