/*
 * Private parts of the lifecycle module: special functions, the BFGS
 * minimiser shared by the model fits, and the per-customer activity scan
 * shared by cohorts, survival, RFM and summaries.
 */
#ifndef CXI_LIFECYCLE_PRIVATE_H
#define CXI_LIFECYCLE_PRIVATE_H

#include "../base/stats.h"
#include "../store/store_private.h"
#include "cxkit/lifecycle.h"


/* An objective on R^k (k <= 4): f and, when g is not NULL, its gradient.
 * Returns NAN (or +inf) where it cannot be computed, and -INFINITY beyond a
 * degenerate boundary of the model, where the minimiser stops. */
typedef double (*cxi_objective)(void *ctx, const double *theta, double *g);

/* What stopped an unconverged run (cxi_minimum.capped): a cap, or the
 * objective returning -INFINITY at a degenerate boundary of its model
 * (theta is then the point beyond it). */
enum { CXI_CAP_ITERATIONS = 1, CXI_CAP_EVALUATIONS = 2, CXI_STOP_BOUNDARY = 3 };

typedef struct cxi_minimum {
    double f;
    int iterations;
    int converged;
    double gnorm;
    int evaluations; /* of f, with or without the gradient */
    int capped;      /* 0, or the CXI_CAP_* that stopped an unconverged run */
} cxi_minimum;

/* Minimises f from theta (changed in place to the minimum) by BFGS with a
 * backtracking Armijo line search. Converged when the largest gradient
 * component is below gtol, or f stalls at a small gradient. Stops after
 * max_iter iterations or max_eval evaluations of f, whichever comes first
 * (res->capped says which, when it did not converge). */
void cxi_bfgs(cxi_minimum *res, cxi_objective f, void *ctx, double *theta, int k, double gtol, int max_iter,
              int max_eval);

/* The gradient of f by central differences (for the models whose analytic
 * gradients are not worth their cost). */
void cxi_num_grad(cxi_objective f, void *ctx, const double *theta, int k, double *g);



/* ---- Kaplan-Meier (survival.c) ------------------------------------------ */

/* Whether a cx_activity mask is valid (lifecycle.c). */
bool cxi_activity_ok(int activity);

struct cx_survival_options {
    cxi_mem mem;           /* the default allocator: options are made without a store */
    double level;
    int band;
    int activity;
    int64_t inactivity;    /* ms */
    char *churn_attribute; /* owned, or NULL */
    size_t churn_len;
    int group_by;          /* a cx_dim, or -1 for one curve */
    int64_t unit;          /* ms */
    double *entry;         /* late entry times (owned), or NULL */
    size_t entry_n;
};

/* The defaults of cx_survival_options_new() (no churn attribute). */
void cxi_survival_defaults(cx_survival_options *o);

typedef struct cxi_km_rec {
    uint64_t group; /* groups are reported in increasing order of this */
    double time;
    double entry; /* late entry: at risk on (entry, time]; -INFINITY without */
    int event;
} cxi_km_rec;

/* Builds the curves (sorting rec in place); label(ctx, group, buf) names a
 * group (buf has 32 bytes), NULL for a missing label. */
int cxi_km_build(cx_survival **out, cxi_mem mem, cxi_km_rec *rec, size_t n, double level, int band,
                 const char *(*label)(void *ctx, uint64_t group, char *buf), void *ctx, const char *fn);

/* ---- summaries (summary.c), read by the health score, care rules and CLV ---- */

struct cx_summary {
    cxi_mem mem; /* the store's allocator */
    const cx_store *store;
    size_t n;
    uint32_t *cust; /* the customer row of each summary row */
    double *col[CX_SUMMARY_COLUMN_COUNT];
    size_t tolerated; /* purchases before acquisition within the tolerance */
};

/* The id of a summary row's customer, borrowed from the store. */
const char *cxi_summary_customer(const cx_summary *s, size_t row);

/* ---- models (models.c) ---------------------------------------------------- */

/* A model's ::cx_model_kind (the health score and care rules need a model
 * that predicts P(alive) from a summary). */
cx_model_kind cxi_model_kind(const cx_model *m);

/* P(alive) of n customers given as arrays (cx_model_p_alive without a data
 * handle); errors are reported as fn's. */
int cxi_model_p_alive(double *out, const cx_model *m, const double *x, const double *t_x, const double *T, size_t n,
                      const char *fn);
#endif
