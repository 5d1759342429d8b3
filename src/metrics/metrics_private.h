/*
 * Private parts of the metrics module shared by query.c (building and
 * running queries), run.c (the passes over the store) and result.c (the
 * result table: getters, merge, serialisation, export).
 */
#ifndef CXI_METRICS_PRIVATE_H
#define CXI_METRICS_PRIVATE_H

#include "../store/store_private.h"
#include "../table/table.h"
#include "cxkit/metrics.h"
#include "qacc.h"
#include "../base/stats.h"
#include "wire.h"

#include <stdio.h>

/* Kinds of accumulator. */
enum { CXI_ACC_NONE, CXI_ACC_SCORE, CXI_ACC_PROP, CXI_ACC_DIST };

typedef struct cxi_measure_info {
    const char *name;
    int acc;   /* CXI_ACC_* */
    int table; /* the table it reads, -1 for a derived measure */
} cxi_measure_info;

extern const cxi_measure_info cxi_measures[CX_MEASURE_COUNT];
extern const char *const cxi_dim_names[];

/* Survey answers: n answers, good (promoters, top-two box, easy), mid
 * (passives), bad (detractors); sum and sum of squares of the answer on the
 * measure's standard scale. */
typedef struct cxi_score_acc {
    uint64_t n, good, mid, bad;
    double sum, sumsq;
} cxi_score_acc;

/* A proportion: x of n. */
typedef struct cxi_prop_acc {
    uint64_t n, x;
} cxi_prop_acc;

/* A distribution: its values (exactly or sketched) and the sum of their
 * squares. Every distribution counts whole numbers (durations in
 * milliseconds, contacts), so the squares are summed exactly, as an
 * unsigned 128-bit integer sq_hi * 2^64 + sq_lo: the same values in any
 * order, or in any parts merged, give the same sum, and the confidence
 * bounds and tests read from it the same digits (issue 14). */
typedef struct cxi_dist_acc {
    uint64_t sq_lo;
    cxi_qacc q;
    uint64_t sq_hi;
} cxi_dist_acc;

/* (*hi, *lo) += (bhi, blo), 128-bit unsigned; true when the sum passes
 * 2^128 - 1 (then it has wrapped). No branch. */
static inline bool cxi_u128_add(uint64_t *lo, uint64_t *hi, uint64_t blo, uint64_t bhi)
{
    uint64_t l = *lo + blo, c = l < blo, h = *hi + bhi, over = h < bhi;
    uint64_t h2 = h + c;
    over |= h2 < c;
    *lo = l;
    *hi = h2;
    return over;
}

/* |v|^2 as a 128-bit unsigned (*hi, *lo). */
static inline void cxi_square(int64_t v, uint64_t *lo, uint64_t *hi)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    u128 p = (u128)u * u;
    *lo = (uint64_t)p;
    *hi = (uint64_t)(p >> 64);
#else
    /* in 64-bit halves (u = a1 * 2^32 + a0) */
    uint64_t a0 = u & 0xffffffffu, a1 = u >> 32;
    uint64_t p00 = a0 * a0, p01 = a0 * a1, p11 = a1 * a1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) * 2;
    *lo = (p00 & 0xffffffffu) | (mid << 32);
    *hi = p11 + (p01 >> 32) * 2 + (mid >> 32);
#endif
}

/* Adds v * v to the exact sum of squares; false (the sum unchanged) when
 * it would pass 2^128 - 1. */
static inline bool cxi_dist_sq_add(cxi_dist_acc *a, int64_t v)
{
    uint64_t lo = a->sq_lo, hi = a->sq_hi, plo, phi;
    cxi_square(v, &plo, &phi);
    if (cxi_u128_add(&lo, &hi, plo, phi))
        return false;
    a->sq_lo = lo;
    a->sq_hi = hi;
    return true;
}

/* cxi_dist_sq_add() for a pass that fails as a whole: adds v * v and
 * returns 1 if the sum passed 2^128 - 1 (then the sum is wrong, and the
 * pass must fail), else 0; no branch. */
static inline unsigned cxi_dist_sq_put(cxi_dist_acc *a, int64_t v)
{
    uint64_t plo, phi;
    cxi_square(v, &plo, &phi);
    return cxi_u128_add(&a->sq_lo, &a->sq_hi, plo, phi);
}

/* The sum of squares as a double (rounded from the exact sum; the same
 * for the same sum). */
static inline double cxi_dist_sq(const cxi_dist_acc *a) { return (double)a->sq_hi * 0x1p64 + (double)a->sq_lo; }

typedef struct cxi_group {
    int dim, bucket, offset;
    char *key; /* attribute name for CX_DIM_ATTRIBUTE */
} cxi_group;

typedef struct cxi_sla {
    char *priority, *channel; /* NULL: any */
    int64_t first_response, resolution; /* -1: none */
} cxi_sla;

/* Everything that decides what a result means: two results merge only when
 * their specs serialise to the same bytes. */
typedef struct cxi_spec {
    int nmeasures;
    int measures[CX_MEASURE_COUNT];
    int ngroups;
    cxi_group groups[CX_QUERY_MAX_GROUPS];
    cx_time from, to, as_of;
    double level;
    int fcr_max_contacts, fcr_max_reopens;
    int64_t fcr_window, repeat_window;
    char *contact_kind; /* NULL: "contact" */
    int business;       /* 1: times in business hours of a calendar */
    double weights[CX_MEASURE_COUNT];
    cxi_sla *sla;
    size_t nsla, capsla;
    int64_t min_n; /* groups with fewer records are flagged `<measure>_small`; 0: none */
} cxi_spec;

typedef struct cxi_filter {
    int dim;
    char *key, *value;
} cxi_filter;

struct cx_query {
    cxi_mem mem;
    const cx_store *store;
    const cx_calendar *cal;
    cxi_spec spec;
    cxi_filter *filters;
    size_t nfilters, capf;
    int threads; /* cx_query_set_threads(): 1 by default, 0 every online core */
};

/* Groups keyed by CX_QUERY_MAX_GROUPS int64 codes, with a hash index. */
typedef struct cxi_gtab {
    int width;       /* codes per key */
    size_t n, cap;   /* groups */
    int64_t *keys;   /* n * width */
    uint32_t *slots; /* group + 1, 0 empty */
    size_t nslots;
} cxi_gtab;

/* A result column. */
typedef struct cxi_col_desc {
    const char *name;
    int type;  /* CX_TYPE_* */
    int group; /* grouping index, or -1 */
    int pos;   /* measure position in the spec, or -1 */
    int field; /* which value of the measure */
} cxi_col_desc;

typedef struct cxi_qres cxi_qres;

/* A query result's own state: the spec and one accumulator per measure and
 * group; cx_result (table.h) holds its cells and this beside them. */
struct cxi_qres {
    cxi_mem mem;
    cxi_spec spec;
    cxi_pool labels;     /* group labels */
    cxi_gtab groups;     /* keys: label ids (strings), bucket starts (times) */
    uint32_t *label_of;  /* n * ngroups: label id of each cell, CXI_NONE missing */
    size_t label_cap;
    void *acc[CX_MEASURE_COUNT]; /* per measure position: an array of accumulators */
    size_t acc_cap;
    size_t *order;       /* row -> group */
    cxi_col_desc *cols;
    size_t ncols;
};

void cxi_spec_clear(cxi_mem *m, cxi_spec *s);
int cxi_spec_write(const cxi_spec *s, cxi_wbuf *b);
int cxi_spec_read(cxi_mem *m, cxi_spec *s, cxi_rbuf *r);
/* The serialised form's version (result.c's RESULT_VERSION): 2 added
 * min_n; 3 changed no field of the spec (a result's sums of squares). */
#define CXI_SPEC_VERSION 3u
/* Reads a spec written by `version` of the format (older ones lack fields
 * added since, which take their defaults). */
int cxi_spec_read_v(cxi_mem *m, cxi_spec *s, cxi_rbuf *r, uint32_t version);


void cxi_gtab_init(cxi_gtab *t, int width);
void cxi_gtab_free(cxi_mem *m, cxi_gtab *t);
/* The group of `key`, added if new (*added set); CX_ENOMEM. */
int cxi_gtab_get(cxi_mem *m, cxi_gtab *t, const int64_t *key, size_t *group, bool *added);

/* An empty query result for a spec (the spec is moved in). */
int cxi_qres_new(cxi_qres **out, cxi_mem mem, cxi_spec *spec);
void cxi_qres_free(cxi_qres *r);
/* Makes room for accumulators and labels of `n` groups. */
int cxi_qres_grow(cxi_qres *r, size_t n);
/* dst += src, group by group (labels re-interned), as cx_result_merge()
 * does: cx_query_run() merges its blocks with it. CX_ENOMEM, CX_ELIMIT,
 * CX_ERANGE (a count past 2^63 - 1, the last error set). */
int cxi_qres_absorb(cxi_qres *dst, const cxi_qres *src);
/* Sorts the groups, lays out the columns and writes the cells into a
 * cx_result that keeps `q` for merges, serialisation and quantiles; `q` is
 * the result's from then on, and freed on failure. */
int cxi_qres_publish(cx_result **out, cxi_qres *q);
size_t cxi_acc_size(int measure);

#endif
