/*
 * The lifecycle models' minimiser: BFGS with a line search, and numerical
 * gradients. (The special functions the likelihoods need are in base/stats.c.)
 * Pure functions, no allocation, no global state. Every run is bounded: at
 * most max_iter iterations and max_eval evaluations of the objective (one
 * with a numerical gradient counts the 2k evaluations of its central
 * differences too), so a fit returns in
 * bounded time whatever the data. A run whose objective has stopped
 * falling (STALL_ITER iterations in a row without a decrease, the gradient
 * still above the convergence test) stops there, unconverged and uncapped:
 * that is a likelihood flat to rounding, as on a ridge that runs to a
 * degenerate boundary, which more iterations do not leave.
 */
#include "lifecycle_private.h"

#include <math.h>

#define STALL_ITER 20

void cxi_num_grad(cxi_objective f, void *ctx, const double *theta, int k, double *g)
{
    double t[4];
    for (int i = 0; i < k; i++)
        t[i] = theta[i];
    for (int i = 0; i < k; i++) {
        double h = 1e-5 * (1 + fabs(theta[i]));
        t[i] = theta[i] + h;
        double fp = f(ctx, t, NULL);
        t[i] = theta[i] - h;
        double fm = f(ctx, t, NULL);
        t[i] = theta[i];
        g[i] = (fp - fm) / (2 * h);
    }
}

static double dot(const double *a, const double *b, int k)
{
    double s = 0;
    for (int i = 0; i < k; i++)
        s += a[i] * b[i];
    return s;
}

static double inf_norm(const double *g, int k)
{
    double m = 0;
    for (int i = 0; i < k; i++)
        if (!(fabs(g[i]) <= m))
            m = fabs(g[i]);
    return m;
}

static void identity(double *H, int k)
{
    for (int i = 0; i < k * k; i++)
        H[i] = 0;
    for (int i = 0; i < k; i++)
        H[i * k + i] = 1;
}

void cxi_bfgs(cxi_minimum *res, cxi_objective f, void *ctx, double *theta, int k, double gtol, int max_iter,
              int max_eval, int grad_cost)
{
    double H[16], g[4], gn[4], p[4], tn[4], s[4], y[4], Hy[4];
    identity(H, k);
    bool fresh = true; /* H is the (scaled) identity */
    int stalled = 0;   /* iterations in a row that did not lower f */
    double fx = f(ctx, theta, g);
    res->iterations = 0;
    res->evaluations = grad_cost;
    res->capped = 0;
    res->converged = 0;
    res->f = fx;
    res->gnorm = inf_norm(g, k);
    if (fx == -INFINITY) {
        res->capped = CXI_STOP_BOUNDARY;
        return;
    }
    if (!isfinite(fx) || !isfinite(res->gnorm))
        return;
    for (int it = 0; it < max_iter; it++) {
        res->iterations = it;
        double gmax = inf_norm(g, k);
        res->gnorm = gmax;
        if (gmax < gtol) {
            res->converged = 1;
            break;
        }
        for (int i = 0; i < k; i++) {
            p[i] = 0;
            for (int j = 0; j < k; j++)
                p[i] -= H[i * k + j] * g[j];
        }
        double gp = dot(g, p, k);
        if (!(gp < 0)) {
            identity(H, k);
            fresh = true;
            for (int i = 0; i < k; i++)
                p[i] = -g[i];
            gp = dot(g, p, k);
        }
        /* on the log scale a step of more than e^3 in one go is never wise */
        double pmax = inf_norm(p, k), t = pmax > 3 ? 3 / pmax : 1, fn = NAN;
        bool ok = false;
        for (int ls = 0; ls < 60; ls++) {
            if (res->evaluations + grad_cost > max_eval)
                break;
            for (int i = 0; i < k; i++)
                tn[i] = theta[i] + t * p[i];
            fn = f(ctx, tn, gn);
            res->evaluations += grad_cost;
            if (fn == -INFINITY) { /* a degenerate boundary: report where */
                for (int i = 0; i < k; i++)
                    theta[i] = tn[i];
                res->capped = CXI_STOP_BOUNDARY;
                res->gnorm = inf_norm(g, k);
                return;
            }
            if (isfinite(fn) && fn <= fx + 1e-4 * t * gp && isfinite(inf_norm(gn, k))) {
                ok = true;
                break;
            }
            t *= isfinite(fn) ? 0.5 : 0.1;
        }
        if (!ok && res->evaluations + grad_cost > max_eval) {
            res->capped = CXI_CAP_EVALUATIONS;
            break;
        }
        if (!ok) {
            if (fresh) {
                /* no descent even along the gradient: we are at the
                 * numerical floor; accept it if the gradient is small */
                res->converged = gmax < 1e3 * gtol;
                break;
            }
            identity(H, k);
            fresh = true;
            continue;
        }
        for (int i = 0; i < k; i++) {
            s[i] = tn[i] - theta[i];
            y[i] = gn[i] - g[i];
            theta[i] = tn[i];
            g[i] = gn[i];
        }
        double df = fx - fn;
        fx = fn;
        res->f = fx;
        double sy = dot(s, y, k), yy = dot(y, y, k);
        if (sy > 1e-12 * sqrt(dot(s, s, k) * yy)) {
            if (fresh) {
                identity(H, k);
                for (int i = 0; i < k; i++)
                    H[i * k + i] = sy / yy;
                fresh = false;
            }
            for (int i = 0; i < k; i++) {
                Hy[i] = 0;
                for (int j = 0; j < k; j++)
                    Hy[i] += H[i * k + j] * y[j];
            }
            double yHy = dot(y, Hy, k), rho = 1 / sy;
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    H[i * k + j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
        }
        if (df <= 1e-15 * (1 + fabs(fx)) && inf_norm(g, k) < 1e2 * gtol) {
            res->gnorm = inf_norm(g, k);
            res->iterations = it + 1;
            res->converged = 1;
            break;
        }
        res->iterations = it + 1;
        stalled = df > 0 ? 0 : stalled + 1;
        if (stalled >= STALL_ITER)
            break;
        if (it + 1 == max_iter)
            res->capped = CXI_CAP_ITERATIONS;
    }
    res->gnorm = inf_norm(g, k);
    if (res->gnorm < gtol)
        res->converged = 1;
    if (res->converged)
        res->capped = 0;
}
