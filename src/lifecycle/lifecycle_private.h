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
    cx_time observed_from; /* store late entry: when the data begin, or CX_TIME_NONE */
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

/* ---- the subjects of a store's survival analyses (survival_store.c) ------- */

/* Calls fn(ctx, customer, time) for every activity record (lifecycle.c). */
typedef void (*cxi_activity_fn)(void *ctx, uint32_t c, cx_time t);
void cxi_each_activity(const cx_store *s, int activity, cxi_activity_fn fn, void *ctx);

/* One subject per customer observed before as_of, in customer order: the
 * definition shared by cx_survival_from_store(), cx_survival_subjects()
 * and cx_cox_fit_store(). Arrays of cap entries from mem (the store's). */
typedef struct cxi_subjects {
    cxi_mem mem;
    size_t n, cap;
    uint32_t *cust;        /* customer row */
    uint32_t *group;       /* a code of sets[set], CXI_NONE for none */
    int set;               /* the vocabulary of the groups, -1 without grouping */
    cx_time *start, *exit; /* the relationship's start; churn time or as_of */
    double *time;          /* exit - start, in the unit */
    double *entry;         /* late entry in the unit; -INFINITY when observed from the start */
    int *event;
    bool late;             /* some subject enters late */
} cxi_subjects;

/* The group of every customer (a vocabulary code, CXI_NONE for none) by a
 * cx_dim of cx_survival_options_set_group_by(): a customer column, or the
 * channel of the first interaction (into chan, ncust entries, with scratch
 * for the first times); NULL for another dim. *set: the vocabulary, -1. */
const uint32_t *cxi_survival_groups(int *set, uint32_t *chan, cx_time *scratch, const cx_store *store, int group_by);

/* Fills s (zeroed on failure; free with cxi_subjects_free); o not NULL. */
int cxi_subjects_scan(cxi_subjects *s, const cx_store *store, cx_time as_of, const cx_survival_options *o,
                      const char *fn);
void cxi_subjects_free(cxi_subjects *s);

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
