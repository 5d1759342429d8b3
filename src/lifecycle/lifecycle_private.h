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
    int evaluations; /* of f, a numerical gradient's counted */
    int capped;      /* 0, or the CXI_CAP_* that stopped an unconverged run */
} cxi_minimum;

/* Minimises f from theta (changed in place to the minimum) by BFGS with a
 * backtracking Armijo line search. Converged when the largest gradient
 * component is below gtol, or f stalls at a small gradient. Stops after
 * max_iter iterations or max_eval evaluations of f, whichever comes first
 * (res->capped says which, when it did not converge). Every call of f
 * asks for its gradient and counts as grad_cost evaluations: 1 for an
 * analytic gradient, 2k + 1 for central differences (cxi_num_grad). */
void cxi_bfgs(cxi_minimum *res, cxi_objective f, void *ctx, double *theta, int k, double gtol, int max_iter,
              int max_eval, int grad_cost);

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

/* A sort key of a double that orders as the doubles do (-0 as +0, -inf
 * first; no NaN). */
static inline uint64_t cxi_double_key(double x)
{
    x += 0.0; /* -0 -> +0 */
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u ^ (u >> 63 ? ~(uint64_t)0 : (uint64_t)1 << 63);
}
/* The double of a cxi_double_key (+0 for either zero). */
static inline double cxi_double_of_key(uint64_t k)
{
    uint64_t u = k ^ (k >> 63 ? (uint64_t)1 << 63 : ~(uint64_t)0);
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Sorts ord[0..n) (record indexes) stably by key[ord[i]] (key indexed by
 * record), without comparisons: one counting pass when the keys span
 * fewer than max(n, 65536) values (whole days, or a group and a day),
 * else an LSD radix sort on 11-bit digits of key - min, as many as the
 * span needs. Sorting by a secondary key, then by a primary one, orders
 * by both. Scratch from mem; CX_ENOMEM (ord unchanged) or CX_OK. n fits
 * in 32 bits. */
int cxi_radix_order(uint32_t *ord, const uint64_t *key, size_t n, cxi_mem *mem);

/* Sorts keys[0..n) with a least-significant-digit radix sort on the bytes
 * that differ (tmp: n more). */
void cxi_radix_u64(uint64_t *keys, uint64_t *tmp, size_t n);

/* The subjects of Kaplan-Meier or of the log-rank family as the caller's
 * columns (nothing copied per subject): time and event (0/1) of each; its
 * class cls (Kaplan-Meier's group, the log-rank's stratum; classes are
 * reported in increasing order; NULL: all 0), its group's index g (the
 * log-rank's; NULL: all 0) and its late entry (at risk on (entry, time],
 * -INFINITY for none; NULL: no late entry). */
typedef struct cxi_srec {
    size_t n;
    const double *time;
    const int *event;
    const uint32_t *cls;
    const uint32_t *g;
    const double *entry;
} cxi_srec;

/* The subjects of a class that leave at a time in a group, and how many of
 * them have the event then. */
typedef struct cxi_cell {
    uint64_t cls;
    uint32_t g;
    double time;
    uint64_t exits, deaths;
} cxi_cell;

/* The cells of the subjects (k groups) by (cls, time), into *out (*ncell
 * of them, from mem). Whole times of few classes and groups are counted in
 * a table of every (cls, time, g), one pass and no sort; the others are
 * radix-sorted. CX_OK or CX_ENOMEM. */
int cxi_cells(cxi_cell **out, size_t *ncell, const cxi_srec *s, size_t k, cxi_mem *mem);

/* The entry times of the subjects by (cls, entry) into ent (n), with
 * their groups into eg (n) unless NULL. CX_OK or CX_ENOMEM. */
int cxi_entries(double *ent, uint32_t *eg, const cxi_srec *s, cxi_mem *mem);

/* ---- shared by survival.c, logrank.c and cox.c --------------------------- */

/* Replaces *dst (*dst_n values, from mem) with a copy of n late entry
 * times (finite, >= 0), or with none when entry is NULL; changes nothing
 * on failure (CX_ERANGE, CX_ENOMEM; errors reported as fn's). */
int cxi_set_entry(double **dst, size_t *dst_n, cxi_mem *mem, const double *entry, size_t n, const char *fn);

/* The same for n stratum numbers (>= 0). */
int cxi_set_strata(int **dst, size_t *dst_n, cxi_mem *mem, const int *strata, size_t n, const char *fn);

/* Checks subject i: a finite time >= 0, entry (when not NULL) before it,
 * an event of 0 or 1; reports the row as fn's error. */
int cxi_check_subject(const double *time, const int *event, const double *entry, size_t i, const char *fn);

/* One event time of the weighted log-rank test (logrank.c): ng, dg the k
 * groups' numbers at risk and events, N and D their sums (D > 0), w the
 * weight; adds w dg to obs, w D ng / N to exp and w^2 D (N - D) / (N - 1)
 * ng / N (delta - ng' / N) to var (k x k). */
void cxi_logrank_step(double *obs, double *exp, double *var, size_t k, const double *ng, const double *dg, double N,
                      double D, double w);

/* The statistic (O - E)' V^-1 (O - E) over the first k - 1 groups; false
 * when V is singular. A: (k - 1)^2 scratch, x: k - 1. */
bool cxi_logrank_chi2(double *chi2, const double *obs, const double *exp, const double *var, size_t k, double *A,
                      double *x);

/* Builds the curves of the subjects (cls their group); label(ctx, group,
 * buf) names a group (buf has 32 bytes), NULL for a missing label. */
int cxi_km_build(cx_survival **out, cxi_mem mem, const cxi_srec *subjects, double level, int band,
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
 * cx_dim of cx_survival_options_set_group_by(), into chan (ncust entries):
 * a customer column (read through its codes, 1, 2 or 4 bytes a row), or
 * the channel of the first interaction (with scratch for the first times);
 * returns chan, or NULL for another dim. *set: the vocabulary, -1. */
/* Whether a cx_dim groups survival subjects: segment, region, plan or
 * channel (of the first interaction). */
static inline bool cxi_survival_dim_ok(int dim)
{
    return dim == CX_DIM_SEGMENT || dim == CX_DIM_REGION || dim == CX_DIM_PLAN || dim == CX_DIM_CHANNEL;
}

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
