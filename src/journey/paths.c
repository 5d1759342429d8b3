/*
 * Analyses over the journeys' paths: the top paths, satisfaction by path,
 * stage and conversion, the transition matrix of order k, and Markov
 * (removal effect, solved exactly on the sparse absorbing chain) and
 * heuristic attribution.
 */
#include "../base/xsum.h"
#include "journey_private.h"
#include "../base/stats.h"

#include <math.h>
#include <stdlib.h>

/* ---- sort with a context --------------------------------------------------- */

int cxi_jsort(cxi_mem *m, uint32_t *idx, size_t n, cxi_jcmp cmp, const void *ctx)
{
    if (n < 2)
        return CX_OK;
    uint32_t *tmp = cxi_alloc(m, n * sizeof *tmp);
    if (!tmp)
        return CX_ENOMEM;
    /* bottom-up merge sort: runs of 1, 2, 4... between idx and tmp */
    uint32_t *src = idx, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                dst[o++] = cmp(ctx, src[b], src[a]) < 0 ? src[b++] : src[a++];
            while (a < mid)
                dst[o++] = src[a++];
            while (b < hi)
                dst[o++] = src[b++];
        }
        uint32_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != idx)
        memcpy(idx, src, n * sizeof *idx);
    cxi_free(m, tmp, n * sizeof *tmp);
    return CX_OK;
}

/* ---- path sets ------------------------------------------------------------- */

typedef struct pathset {
    cxi_seqmap map;
    uint32_t *pid; /* per journey */
    uint64_t *count, *conv, *cust;
    uint32_t *lastc;
    uint32_t *order; /* path ids by count descending, then state by state by name */
    uint32_t *rank;  /* per level code: its name's place among the level's names */
    size_t np, nj, nrank;
} pathset;

static void pathset_free(cxi_mem *m, pathset *ps)
{
    cxi_seqmap_free(m, &ps->map);
    cxi_free(m, ps->pid, (ps->nj ? ps->nj : 1) * sizeof(uint32_t));
    cxi_free(m, ps->count, (ps->np ? ps->np : 1) * sizeof(uint64_t));
    cxi_free(m, ps->conv, (ps->np ? ps->np : 1) * sizeof(uint64_t));
    cxi_free(m, ps->cust, (ps->np ? ps->np : 1) * sizeof(uint64_t));
    cxi_free(m, ps->lastc, (ps->np ? ps->np : 1) * sizeof(uint32_t));
    cxi_free(m, ps->order, (ps->np ? ps->np : 1) * sizeof(uint32_t));
    cxi_free(m, ps->rank, (ps->nrank ? ps->nrank : 1) * sizeof(uint32_t));
}

/* Paths tied on journeys in the order of their states' names, not of
 * their codes: the codes follow the order the touchpoints were added in,
 * so a shuffled touchpoints file put another of the tied paths in a top k
 * (the same rows in any order give the same tables: issue 14). */
static int cmp_path(const void *ctx, uint32_t a, uint32_t b)
{
    const pathset *ps = ctx;
    if (ps->count[a] != ps->count[b])
        return ps->count[a] > ps->count[b] ? -1 : 1;
    const uint32_t *x = ps->map.base + ps->map.off[a], *y = ps->map.base + ps->map.off[b];
    uint32_t la = ps->map.len[a], lb = ps->map.len[b];
    for (uint32_t i = 0; i < la && i < lb; i++)
        if (x[i] != y[i])
            return ps->rank[x[i]] < ps->rank[y[i]] ? -1 : 1;
    return (la > lb) - (la < lb);
}

static int cmp_level_name(const void *ctx, uint32_t a, uint32_t b)
{
    const cx_journeys *j = ctx;
    return strcmp(cxi_jlevel_name(j->store, j->o.level, a), cxi_jlevel_name(j->store, j->o.level, b));
}

/* rank[code]: each level code's place in the order of their names (nc
 * entries, nc >= j->nstates); idx: nc of scratch. CX_ENOMEM, not reported. */
static int code_ranks(const cx_journeys *j, cxi_mem *m, uint32_t *rank, uint32_t *idx, size_t nc)
{
    for (size_t k = 0; k < nc; k++)
        idx[k] = (uint32_t)k;
    int rc = j->nstates ? cxi_jsort(m, idx, j->nstates, cmp_level_name, j) : CX_OK;
    for (size_t k = 0; k < nc; k++)
        rank[idx[k]] = (uint32_t)k;
    return rc;
}

static int pathset_build(const cx_journeys *j, cxi_mem *m, pathset *ps)
{
    memset(ps, 0, sizeof *ps);
    cxi_seqmap_init(&ps->map, j->st);
    ps->nj = j->nj;
    if (!(ps->pid = cxi_alloc(m, (j->nj ? j->nj : 1) * sizeof(uint32_t))))
        return CX_ENOMEM;
    for (size_t k = 0; k < j->nj; k++) {
        int rc = cxi_seqmap_get(m, &ps->map, j->p_off[k], j->p_off[k + 1] - j->p_off[k], &ps->pid[k]);
        if (rc)
            return rc;
    }
    ps->np = ps->map.n;
    size_t np1 = ps->np ? ps->np : 1;
    ps->count = cxi_jzalloc(m, np1 * sizeof(uint64_t));
    ps->conv = cxi_jzalloc(m, np1 * sizeof(uint64_t));
    ps->cust = cxi_jzalloc(m, np1 * sizeof(uint64_t));
    ps->lastc = cxi_alloc(m, np1 * sizeof(uint32_t));
    ps->order = cxi_alloc(m, np1 * sizeof(uint32_t));
    if (!ps->count || !ps->conv || !ps->cust || !ps->lastc || !ps->order)
        return CX_ENOMEM;
    memset(ps->lastc, 0xFF, np1 * sizeof(uint32_t));
    for (size_t c = 0; c < j->ncust; c++)
        for (uint32_t k = j->cust_j[c]; k < j->cust_j[c + 1]; k++) {
            uint32_t p = ps->pid[k];
            ps->count[p]++;
            ps->conv[p] += j->j_conv[k];
            if (ps->lastc[p] != c) {
                ps->lastc[p] = (uint32_t)c;
                ps->cust[p]++;
            }
        }
    /* each level code's place among the names (the names are distinct) */
    ps->nrank = j->nstates;
    size_t nr1 = ps->nrank ? ps->nrank : 1;
    uint32_t *byname = cxi_alloc(m, nr1 * sizeof(uint32_t));
    if (!(ps->rank = cxi_alloc(m, nr1 * sizeof(uint32_t))) || !byname) {
        cxi_free(m, byname, nr1 * sizeof(uint32_t));
        return CX_ENOMEM;
    }
    int rc = code_ranks(j, m, ps->rank, byname, nr1);
    cxi_free(m, byname, nr1 * sizeof(uint32_t));
    if (rc)
        return rc;
    for (size_t p = 0; p < ps->np; p++)
        ps->order[p] = (uint32_t)p;
    return cxi_jsort(m, ps->order, ps->np, cmp_path, ps);
}

/* The top k paths of a pathset with, per row, their durations (for the
 * paths table) and the feedback of their journeys. */
typedef struct pathrun {
    pathset ps;
    size_t k, ndur, nf;
    uint32_t *slot; /* per path id: its row, CXI_NONE beyond the top k */
    uint32_t *doff; /* k + 1: each row's durations in dur */
    uint32_t *coff; /* k + 1: each row's times to conversion in cdur */
    uint32_t *fj;   /* per feedback row: its journey */
    double *dur, *cdur;
    size_t ncdur;
    cxi_sat *sat; /* per row */
} pathrun;

static void pathrun_free(cxi_mem *m, pathrun *x)
{
    cxi_free(m, x->dur, (x->ndur ? x->ndur : 1) * sizeof *x->dur);
    cxi_free(m, x->cdur, (x->ncdur ? x->ncdur : 1) * sizeof *x->cdur);
    cxi_free(m, x->coff, (x->k + 1) * sizeof *x->coff);
    cxi_free(m, x->fj, (x->nf ? x->nf : 1) * sizeof *x->fj);
    cxi_free(m, x->sat, (x->k ? x->k : 1) * sizeof *x->sat);
    cxi_free(m, x->doff, (x->k + 1) * sizeof *x->doff);
    cxi_free(m, x->slot, (x->ps.np ? x->ps.np : 1) * sizeof *x->slot);
    pathset_free(m, &x->ps);
}

/* The durations of the journeys of the top k paths, and the times to
 * conversion of the converting ones, grouped by row. */
static int pathrun_durations(const cx_journeys *j, cxi_mem *m, pathrun *x)
{
    x->ndur = x->doff[x->k];
    x->ncdur = x->coff[x->k];
    if (!(x->dur = cxi_alloc(m, (x->ndur ? x->ndur : 1) * sizeof *x->dur)) ||
        !(x->cdur = cxi_alloc(m, (x->ncdur ? x->ncdur : 1) * sizeof *x->cdur)))
        return CX_ENOMEM;
    for (size_t q = 0; q < j->nj; q++) {
        uint32_t r = x->slot[x->ps.pid[q]];
        if (r == CXI_NONE)
            continue;
        cx_time t0 = cxi_j_time(j, j->j_off[q]);
        x->dur[x->doff[r]++] = (double)(cxi_j_time(j, j->j_off[q + 1] - 1) - t0);
        if (j->j_conv[q])
            x->cdur[x->coff[r]++] = (double)(cxi_j_time(j, j->j_cend[q] - 1) - t0);
    }
    /* doff[r] and coff[r] now end slot r: shift back */
    for (size_t r = x->k; r > 0; r--) {
        x->doff[r] = x->doff[r - 1];
        x->coff[r] = x->coff[r - 1];
    }
    x->doff[0] = x->coff[0] = 0;
    return CX_OK;
}

/* The top_k paths, their durations when `full`, and their feedback.
 * CX_ENOMEM or CX_ELIMIT (too many distinct paths), not reported. */
static int pathrun_build(const cx_journeys *j, cxi_mem *m, size_t top_k, bool full, pathrun *x)
{
    const cx_store *s = j->store;
    memset(x, 0, sizeof *x);
    x->nf = s->t[CX_TABLE_FEEDBACK].n;
    int rc = pathset_build(j, m, &x->ps);
    if (rc)
        return rc;
    const pathset *ps = &x->ps;
    x->k = top_k < ps->np ? top_k : ps->np;
    x->slot = cxi_alloc(m, (ps->np ? ps->np : 1) * sizeof *x->slot);
    x->doff = cxi_jzalloc(m, (x->k + 1) * sizeof *x->doff);
    x->coff = cxi_jzalloc(m, (x->k + 1) * sizeof *x->coff);
    x->sat = cxi_jzalloc(m, (x->k ? x->k : 1) * sizeof *x->sat);
    if (!x->slot || !x->doff || !x->coff || !x->sat || cxi_j_feedback_journeys(j, m, &x->fj))
        return CX_ENOMEM;
    memset(x->slot, 0xFF, (ps->np ? ps->np : 1) * sizeof *x->slot);
    for (size_t r = 0; r < x->k; r++) {
        x->slot[ps->order[r]] = (uint32_t)r;
        x->doff[r + 1] = x->doff[r] + (uint32_t)ps->count[ps->order[r]];
        x->coff[r + 1] = x->coff[r] + (uint32_t)ps->conv[ps->order[r]];
    }
    if (full && (rc = pathrun_durations(j, m, x)))
        return rc;
    for (size_t f = 0; f < x->nf; f++) {
        if (x->fj[f] == CXI_NONE || x->slot[ps->pid[x->fj[f]]] == CXI_NONE)
            continue;
        cxi_fbclass c;
        if (cxi_fb_classify(s, (uint32_t)f, &c))
            cxi_sat_add(&x->sat[x->slot[ps->pid[x->fj[f]]]], &c);
    }
    return CX_OK;
}

/* Columns 2 to 8 of a satisfaction row (by path or by group): NPS, its n,
 * CSAT %, its n, mean CSAT, CES, its n. */
static void set_satisfaction(cx_result *t, size_t r, const cxi_sat *a)
{
    cxi_result_set_real(t, 2, r, cxi_sat_nps(a));
    cxi_result_set_int(t, 3, r, (int64_t)a->nps_n);
    cxi_result_set_real(t, 4, r, cxi_sat_csat(a));
    cxi_result_set_int(t, 5, r, (int64_t)a->csat_n);
    cxi_result_set_real(t, 6, r, cxi_sat_csat_mean(a));
    cxi_result_set_real(t, 7, r, cxi_sat_ces(a));
    cxi_result_set_int(t, 8, r, (int64_t)a->ces_n);
}

/* Row r of the paths table (full) or of satisfaction by path. CX_ENOMEM. */
static int path_row(cx_result *t, const cx_journeys *j, cxi_mem *m, const pathrun *x, size_t r, bool full,
                    char **buf, size_t *cap)
{
    const pathset *ps = &x->ps;
    uint32_t p = ps->order[r];
    const cxi_sat *a = &x->sat[r];
    int rc = cxi_jpath_label(m, buf, cap, j, ps->map.base + ps->map.off[p], ps->map.len[p], " > ");
    if (!rc)
        rc = cxi_result_set_text(t, 0, r, *buf);
    if (full) {
        cxi_result_set_int(t, 1, r, ps->map.len[p]);
        cxi_result_set_int(t, 2, r, (int64_t)ps->count[p]);
        cxi_result_set_int(t, 3, r, (int64_t)ps->cust[p]);
        cxi_result_set_int(t, 4, r, (int64_t)ps->conv[p]);
        cxi_result_set_real(t, 5, r, 100.0 * (double)ps->conv[p] / (double)ps->count[p]);
        cxi_result_set_real(t, 6, r, cxi_jmedian(x->dur + x->doff[r], x->doff[r + 1] - x->doff[r]));
        cxi_result_set_real(t, 7, r, cxi_sat_nps(a));
        cxi_result_set_int(t, 8, r, (int64_t)a->nps_n);
        cxi_result_set_real(t, 9, r, cxi_sat_csat(a));
        cxi_result_set_int(t, 10, r, (int64_t)a->csat_n);
        cxi_result_set_real(t, 11, r, cxi_sat_ces(a));
        cxi_result_set_int(t, 12, r, (int64_t)a->ces_n);
        cxi_result_set_real(t, 13, r, cxi_jmedian(x->cdur + x->coff[r], x->coff[r + 1] - x->coff[r]));
    } else {
        cxi_result_set_int(t, 1, r, (int64_t)ps->count[p]);
        set_satisfaction(t, r, a);
    }
    return rc;
}

/* Paths table (full: the paths columns; else the satisfaction columns). */
static int path_table(cx_result **out, const cx_journeys *j, size_t top_k, bool full, const char *fn)
{
    static const char *const pnames[] = {"path",  "length", "journeys", "customers", "conversions",
                                         "conversion_rate", "median_duration_ms", "nps", "nps_n", "csat",
                                         "csat_n", "ces",    "ces_n", "median_to_conversion_ms"};
    static const int ptypes[] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_INT,  CX_TYPE_INT, CX_TYPE_INT,
                                 CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL,
                                 CX_TYPE_INT,    CX_TYPE_REAL, CX_TYPE_INT,  CX_TYPE_REAL};
    static const char *const snames[] = {"group", "journeys", "nps", "nps_n", "csat", "csat_n", "csat_mean",
                                         "ces",   "ces_n"};
    static const int stypes[] = {CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL,
                                 CX_TYPE_INT,    CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_INT};
    cxi_mem m = j->mem;
    m.bytes = 0;
    pathrun x;
    char *buf = NULL;
    size_t cap = 0;
    cx_result *t = NULL;
    int rc = pathrun_build(j, &m, top_k, full, &x);
    if (!rc && cxi_result_new(&t, &j->mem, x.k, full ? 14 : 9, full ? pnames : snames, full ? ptypes : stypes))
        rc = CX_ENOMEM;
    for (size_t r = 0; r < x.k && !rc; r++)
        rc = path_row(t, j, &m, &x, r, full, &buf, &cap);
    cxi_free(&m, buf, cap);
    pathrun_free(&m, &x);
    if (rc) {
        cx_result_free(t);
        if (rc == CX_ELIMIT)
            return cxi_fail(CX_ELIMIT, "%s: more than %lu distinct paths, the most a table can hold", fn,
                            (unsigned long)CXI_MAX_ROWS);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the paths", fn);
    }
    *out = t;
    return CX_OK;
}

int cx_journeys_paths(cx_result **out, const cx_journeys *j, size_t top_k)
{
    int rc = cxi_j_check("cx_journeys_paths", out, j);
    if (rc)
        return rc;
    *out = NULL;
    if (top_k == 0)
        return cxi_fail(CX_ERANGE, "cx_journeys_paths: top_k is 0");
    return path_table(out, j, top_k, true, "cx_journeys_paths");
}

/* ---- satisfaction ---------------------------------------------------------- */

static int sat_rows(cx_result **out, const cx_journeys *j, const cxi_sat *sat, const char *const *labels,
                    const int64_t *journeys, size_t rows)
{
    static const char *const names[] = {"group", "journeys", "nps", "nps_n", "csat", "csat_n", "csat_mean",
                                        "ces",   "ces_n"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL,
                                CX_TYPE_INT,    CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_INT};
    cx_result *t;
    if (cxi_result_new(&t, &j->mem, rows, 9, names, types))
        return CX_ENOMEM;
    for (size_t r = 0; r < rows; r++) {
        if (cxi_result_set_text(t, 0, r, labels[r])) {
            cx_result_free(t);
            return CX_ENOMEM;
        }
        cxi_result_set_int(t, 1, r, journeys[r]);
        set_satisfaction(t, r, &sat[r]);
    }
    *out = t;
    return CX_OK;
}

int cx_journeys_satisfaction(cx_result **out, const cx_journeys *j, cx_journeys_group group)
{
    static const char *const fn = "cx_journeys_satisfaction";
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    if ((int)group < CX_JOURNEYS_GROUP_PATH || (int)group > CX_JOURNEYS_GROUP_CONVERTED)
        return cxi_fail(CX_EINVAL, "%s: group %d is not a cx_journeys_group", fn, (int)group);
    if (group == CX_JOURNEYS_GROUP_PATH)
        return path_table(out, j, SIZE_MAX, false, fn);
    const cx_store *s = j->store;
    size_t nf = s->t[CX_TABLE_FEEDBACK].n;
    cxi_mem m = j->mem;
    if (group == CX_JOURNEYS_GROUP_CONVERTED) {
        uint32_t *fj;
        if (cxi_j_feedback_journeys(j, &m, &fj))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        cxi_sat sat[2];
        memset(sat, 0, sizeof sat);
        for (size_t f = 0; f < nf; f++) {
            cxi_fbclass c;
            if (fj[f] != CXI_NONE && cxi_fb_classify(s, (uint32_t)f, &c))
                cxi_sat_add(&sat[j->j_conv[fj[f]] ? 0 : 1], &c);
        }
        cxi_free(&m, fj, (nf ? nf : 1) * sizeof *fj);
        static const char *const labels[] = {"converted", "not_converted"};
        int64_t nj[2] = {(int64_t)j->nconv, (int64_t)(j->nj - j->nconv)};
        if (sat_rows(out, j, sat, labels, nj, 2))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        return CX_OK;
    }
    size_t nstage = s->sets[CX_VOCAB_STAGE].count;
    cxi_sat *sat = cxi_jzalloc(&m, (nstage ? nstage : 1) * sizeof *sat);
    const char **labels = cxi_alloc(&m, (nstage ? nstage : 1) * sizeof *labels);
    int64_t *zero = cxi_jzalloc(&m, (nstage ? nstage : 1) * sizeof *zero);
    if (sat && labels && zero) {
        const uint32_t *tst = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_STAGE, uint32_t);
        for (size_t f = 0; f < nf; f++) {
            uint32_t tp = cxi_fb_touchpoint(s, (uint32_t)f);
            cxi_fbclass c;
            if (tp != CXI_NONE && cxi_fb_classify(s, (uint32_t)f, &c))
                cxi_sat_add(&sat[tst[tp]], &c);
        }
        for (size_t g = 0; g < nstage; g++)
            labels[g] = cxi_pool_str(&s->sets[CX_VOCAB_STAGE], (uint32_t)g);
        rc = sat_rows(out, j, sat, labels, zero, nstage);
    } else {
        rc = CX_ENOMEM;
    }
    cxi_free(&m, sat, (nstage ? nstage : 1) * sizeof *sat);
    cxi_free(&m, labels, (nstage ? nstage : 1) * sizeof *labels);
    cxi_free(&m, zero, (nstage ? nstage : 1) * sizeof *zero);
    if (rc)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    return CX_OK;
}

/* ---- chains of order k ------------------------------------------------------ */

#define S_START CXI_S_START
#define S_CONV CXI_S_CONV
#define S_DROP CXI_S_DROP

typedef cxi_chain chain;

/* The chain of the journeys' paths to conversion (steps after the
 * conversion are not in the chain). CX_ENOMEM or CX_ELIMIT, reported
 * naming fn. */
static int chain_build(const char *fn, const cx_journeys *j, cxi_mem *m, int order, chain *c)
{
    cxi_chain_src src = {.st = j->st, .nst = j->nst, .n = j->nj, .off = j->p_off, .end = j->p_cend,
                         .conv = j->j_conv};
    return cxi_chain_build(fn, m, &src, order, c);
}

static void chain_free(cxi_mem *m, chain *c)
{
    cxi_chain_free(m, c);
}

/* The order of a transitions table's states: the tuples by their codes'
 * names (code_ranks), the shorter first. */
typedef struct tuple_order {
    const chain *c;
    const uint32_t *rank;
} tuple_order;

static int cmp_tuple(const void *ctx, uint32_t a, uint32_t b)
{
    const tuple_order *x = ctx;
    const cxi_seqmap *q = &x->c->states;
    for (uint32_t i = 0; i < q->len[a] && i < q->len[b]; i++) {
        uint32_t ra = x->rank[q->base[q->off[a] + i]], rb = x->rank[q->base[q->off[b] + i]];
        if (ra != rb)
            return ra < rb ? -1 : 1;
    }
    return (q->len[a] > q->len[b]) - (q->len[a] < q->len[b]);
}

/* Row rank of a state in the tables: START, tuples (srank), CONVERSION, DROP. */
static uint64_t state_rank(const uint32_t *srank, uint32_t s)
{
    if (s == S_START)
        return 0;
    if (s == S_CONV)
        return (uint64_t)UINT32_MAX + 1;
    if (s == S_DROP)
        return (uint64_t)UINT32_MAX + 2;
    return (uint64_t)srank[s] + 1;
}

typedef struct edge_order {
    const chain *c;
    const uint32_t *srank;
} edge_order;

static int cmp_edge(const void *ctx, uint32_t a, uint32_t b)
{
    const edge_order *x = ctx;
    const chain *c = x->c;
    uint64_t fa = state_rank(x->srank, c->efrom[a]), fb = state_rank(x->srank, c->efrom[b]);
    if (fa != fb)
        return fa < fb ? -1 : 1;
    uint64_t ta = state_rank(x->srank, c->eto[a]), tb = state_rank(x->srank, c->eto[b]);
    return (ta > tb) - (ta < tb);
}

static int state_label(cxi_mem *m, char **buf, size_t *cap, const cx_journeys *j, const chain *c, uint32_t s)
{
    const char *fixed = s == S_START ? "START" : s == S_CONV ? "CONVERSION" : s == S_DROP ? "DROP" : NULL;
    if (fixed) {
        if (*cap < 16) {
            char *b = cxi_realloc(m, *buf, *cap, 256);
            if (!b)
                return CX_ENOMEM;
            *buf = b;
            *cap = 256;
        }
        strcpy(*buf, fixed);
        return CX_OK;
    }
    return cxi_jpath_label(m, buf, cap, j, c->states.base + c->states.off[s], c->states.len[s], " > ");
}

static int check_order(const char *fn, int order)
{
    return cxi_chain_check_order(fn, order);
}

/* Row r of the transition table: edge e. CX_ENOMEM, not reported. */
static int transition_row(cx_result *t, const cx_journeys *j, cxi_mem *m, const chain *c, const double *tot,
                          size_t r, uint32_t e, char **buf, size_t *cap)
{
    int rc = state_label(m, buf, cap, j, c, c->efrom[e]);
    if (!rc)
        rc = cxi_result_set_text(t, 0, r, *buf);
    if (!rc)
        rc = state_label(m, buf, cap, j, c, c->eto[e]);
    if (!rc)
        rc = cxi_result_set_text(t, 1, r, *buf);
    cxi_result_set_int(t, 2, r, (int64_t)c->ecnt[e]);
    cxi_result_set_real(t, 3, r, c->ecnt[e] / tot[c->efrom[e] == S_START ? c->ns : c->efrom[e]]);
    return rc;
}

int cx_journeys_transitions(cx_result **out, const cx_journeys *j, int order)
{
    static const char *const fn = "cx_journeys_transitions";
    static const char *const names[] = {"from", "to", "count", "probability"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL};
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    if ((rc = check_order(fn, order)))
        return rc;
    cxi_mem m = j->mem;
    chain c;
    if ((rc = chain_build(fn, j, &m, order, &c))) {
        chain_free(&m, &c);
        return rc;
    }
    uint32_t *idx = cxi_alloc(&m, (c.ne ? c.ne : 1) * sizeof *idx);
    double *tot = cxi_jzalloc(&m, (c.ns + 1) * sizeof *tot);
    /* the states in the order of their names (not of first appearance,
     * which the order of the rows changes) */
    size_t nc = j->nstates ? j->nstates : 1, ns1 = c.ns ? c.ns : 1;
    uint32_t *rank = cxi_alloc(&m, nc * sizeof *rank), *cidx = cxi_alloc(&m, nc * sizeof *cidx);
    uint32_t *sidx = cxi_alloc(&m, ns1 * sizeof *sidx), *srank = cxi_alloc(&m, ns1 * sizeof *srank);
    char *buf = NULL;
    size_t cap = 0;
    cx_result *t = NULL;
    rc = idx && tot && rank && cidx && sidx && srank ? CX_OK : CX_ENOMEM;
    if (!rc)
        rc = code_ranks(j, &m, rank, cidx, nc);
    if (!rc) {
        for (size_t s = 0; s < c.ns; s++)
            sidx[s] = (uint32_t)s;
        tuple_order to = {&c, rank};
        rc = cxi_jsort(&m, sidx, c.ns, cmp_tuple, &to);
        for (size_t r = 0; r < c.ns && !rc; r++)
            srank[sidx[r]] = (uint32_t)r;
    }
    if (!rc) {
        for (size_t e = 0; e < c.ne; e++) {
            idx[e] = (uint32_t)e;
            tot[c.efrom[e] == S_START ? c.ns : c.efrom[e]] += c.ecnt[e];
        }
        edge_order eo = {&c, srank};
        rc = cxi_jsort(&m, idx, c.ne, cmp_edge, &eo);
    }
    if (!rc && cxi_result_new(&t, &j->mem, c.ne, 4, names, types))
        rc = CX_ENOMEM;
    for (size_t r = 0; r < c.ne && !rc; r++)
        rc = transition_row(t, j, &m, &c, tot, r, idx[r], &buf, &cap);
    cxi_free(&m, buf, cap);
    cxi_free(&m, idx, (c.ne ? c.ne : 1) * sizeof *idx);
    cxi_free(&m, tot, (c.ns + 1) * sizeof *tot);
    cxi_free(&m, rank, nc * sizeof *rank);
    cxi_free(&m, cidx, nc * sizeof *cidx);
    cxi_free(&m, sidx, ns1 * sizeof *sidx);
    cxi_free(&m, srank, ns1 * sizeof *srank);
    chain_free(&m, &c);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the table of %zu transitions", fn, c.ne);
    }
    *out = t;
    return CX_OK;
}

/* ---- attribution ------------------------------------------------------------ */

/* The times of the states of the path to conversion of converting journey
 * k (the last event of each merged run), its last conversion's time and
 * the value of its conversions. The states are those cut() wrote. */
static size_t path_times(const cx_journeys *j, size_t k, cx_time *tb, cx_time *tconv, double *value)
{
    size_t emitted = 0;
    uint32_t last = CXI_NONE, lc = j->j_cend[k] - 1;
    *tconv = cxi_j_time(j, lc);
    *value = cxi_j_value(j, k);
    for (uint32_t q = j->j_off[k]; q < j->j_cend[k]; q++) {
        uint32_t w = j->wq[q], code = cxi_jw_code(j, w);
        if ((w & CXI_W_CONV) && !j->o.conv_in_path && !(q == lc && emitted == 0))
            continue;
        if (j->o.collapse && emitted && code == last) {
            tb[emitted - 1] = cxi_j_time(j, q);
            continue;
        }
        tb[emitted++] = cxi_j_time(j, q);
        last = code;
    }
    return emitted;
}

enum {
    A_NAME, A_RE, A_MARKOV, A_REV, A_MARKOVV, A_FIRST, A_LAST, A_LINEAR, A_DECAY, A_POS,
    A_FIRSTV, A_LASTV, A_LINEARV, A_DECAYV, A_POSV, A_NCOLS
};

typedef struct attr_ctx {
    const double *markov;
    const cx_journeys *j;
    const uint32_t *codes;
} attr_ctx;

static int cmp_attr(const void *ctx, uint32_t a, uint32_t b)
{
    const attr_ctx *x = ctx;
    double ma = x->markov[a], mb = x->markov[b];
    if (ma != mb)
        return ma > mb ? -1 : 1;
    return strcmp(cxi_jlevel_name(x->j->store, x->j->o.level, x->codes[a]),
                  cxi_jlevel_name(x->j->store, x->j->o.level, x->codes[b]));
}

/* The state of one attribution: the chain and its solve, and per level
 * code the accumulated columns. Each step below fills a part and reports
 * its own failure. */
typedef struct attr_run {
    const char *fn;
    const cx_journeys *j;
    cxi_mem m;
    chain c;
    size_t nc, ns1, maxlen, nused;
    double *acc;                          /* nc x A_NCOLS, by level code */
    double *convval, *convn;              /* ns1: per state (START last) */
    double *markov, *re, *rev;            /* nc: per used code (codes seen only after conversions are no state) */
    uint32_t *codes, *order_idx, *pos_of; /* nc: codes seen in paths, row order, code -> position */
    cx_time *tb;                          /* maxlen: the times of one path's states */
    double *dw;                           /* maxlen: their time-decay weights */
    double total_conv, total_val, vscale;
    /* the heuristics' credits (nc x A_NCOLS) in fixed point at the scales
     * of the counts and of the values (cxi_fix), the states' conversion
     * values (ns1) and the total value in cxi_xsum (xsum.h): the journeys
     * come in the order of the customers, which is the rows', and sums in
     * doubles would change with it in their last digits */
    cxi_fixacc *hx;
    cxi_fix fix[2];
    cxi_xsum *cvx, tvx;
} attr_run;

static void attr_free(attr_run *x)
{
    cxi_mem *m = &x->m;
    cxi_free(m, x->acc, x->nc * A_NCOLS * sizeof *x->acc);
    cxi_free(m, x->convval, x->ns1 * sizeof *x->convval);
    cxi_free(m, x->convn, x->ns1 * sizeof *x->convn);
    cxi_free(m, x->markov, x->nc * sizeof *x->markov);
    cxi_free(m, x->re, x->nc * sizeof *x->re);
    cxi_free(m, x->rev, x->nc * sizeof *x->rev);
    cxi_free(m, x->codes, x->nc * sizeof *x->codes);
    cxi_free(m, x->order_idx, x->nc * sizeof *x->order_idx);
    cxi_free(m, x->pos_of, x->nc * sizeof *x->pos_of);
    cxi_free(m, x->tb, x->maxlen * sizeof *x->tb);
    cxi_free(m, x->dw, x->maxlen * sizeof *x->dw);
    cxi_free(m, x->hx, x->nc * A_NCOLS * sizeof *x->hx);
    cxi_free(m, x->cvx, x->ns1 * sizeof *x->cvx);
    chain_free(m, &x->c);
}

/* The chain of order `order` and the arrays sized by it. */
static int attr_alloc(attr_run *x, int order)
{
    const cx_journeys *j = x->j;
    cxi_mem *m = &x->m;
    x->nc = j->nstates ? j->nstates : 1;
    x->maxlen = 1;
    int rc = chain_build(x->fn, j, m, order, &x->c);
    if (rc)
        return rc;
    x->ns1 = x->c.ns + 1;
    for (size_t k = 0; k < j->nj; k++)
        if (j->p_off[k + 1] - j->p_off[k] > x->maxlen)
            x->maxlen = j->p_off[k + 1] - j->p_off[k];
    x->acc = cxi_jzalloc(m, x->nc * A_NCOLS * sizeof *x->acc);
    x->convval = cxi_jzalloc(m, x->ns1 * sizeof *x->convval);
    x->convn = cxi_jzalloc(m, x->ns1 * sizeof *x->convn);
    x->markov = cxi_alloc(m, x->nc * sizeof *x->markov);
    x->re = cxi_alloc(m, x->nc * sizeof *x->re);
    x->rev = cxi_alloc(m, x->nc * sizeof *x->rev);
    x->codes = cxi_alloc(m, x->nc * sizeof *x->codes);
    x->order_idx = cxi_alloc(m, x->nc * sizeof *x->order_idx);
    x->pos_of = cxi_alloc(m, x->nc * sizeof *x->pos_of);
    x->tb = cxi_alloc(m, x->maxlen * sizeof *x->tb);
    x->dw = cxi_alloc(m, x->maxlen * sizeof *x->dw);
    x->hx = cxi_jzalloc(m, x->nc * A_NCOLS * sizeof *x->hx);
    x->cvx = cxi_jzalloc(m, x->ns1 * sizeof *x->cvx);
    if (!x->acc || !x->convval || !x->convn || !x->markov || !x->re || !x->rev || !x->codes ||
        !x->order_idx || !x->pos_of || !x->tb || !x->dw || !x->hx || !x->cvx)
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu chain states", x->fn, x->c.ns);
    return CX_OK;
}

/* The heuristic credits of converting journey k (each worth one conversion
 * and its value), and its value for the mean value of its last state. */
static void attr_journey(attr_run *x, size_t k)
{
    const cx_journeys *j = x->j;
    double wf = j->o.pos_first, wl = j->o.pos_last, hl = (double)j->o.half_life;
    cx_time tconv;
    double v;
    size_t len = path_times(j, k, x->tb, &tconv, &v);
    const uint32_t *st = j->st + j->p_off[k];
    const cx_time *tb = x->tb;
    cxi_fixacc *acc = x->hx;
    x->total_conv += 1;
    cxi_xsum_add(&x->tvx, v);
    uint32_t last = cxi_chain_sid(&x->c, j->p_cend[k] - 1);
    cxi_xsum_add(&x->cvx[last], v);
    x->convn[last] += 1;
    double w[2] = {1, v}, dsum = 0, *dw = x->dw;
    for (size_t i = 0; i < len; i++) { /* each state's decay weight, once */
        dw[i] = exp2(-(tconv > tb[i] ? (double)(tconv - tb[i]) : 0) / hl);
        dsum += dw[i];
    }
    for (int c = 0; c < 2; c++) {
        int off = c ? A_FIRSTV - A_FIRST : 0;
        const cxi_fix *f = &x->fix[c];
        cxi_fix_add(f, &acc[st[0] * A_NCOLS + A_FIRST + off], w[c]);
        cxi_fix_add(f, &acc[st[len - 1] * A_NCOLS + A_LAST + off], w[c]);
        for (size_t i = 0; i < len; i++) {
            double pos = len == 1       ? 1
                         : len == 2     ? 0.5
                         : i == 0       ? wf
                         : i == len - 1 ? wl
                                        : (1 - wf - wl) / (double)(len - 2);
            cxi_fix_add(f, &acc[st[i] * A_NCOLS + A_LINEAR + off], w[c] / (double)len);
            cxi_fix_add(f, &acc[st[i] * A_NCOLS + A_DECAY + off], w[c] * dw[i] / dsum);
            cxi_fix_add(f, &acc[st[i] * A_NCOLS + A_POS + off], w[c] * pos);
        }
    }
}

/* The heuristics over every converting journey, then each state's mean
 * conversion value and the scale of value changes for the solve. */
static void attr_heuristics(attr_run *x)
{
    /* the scales: a column's credits add up to at most the conversions
     * (counts) or their values' magnitudes (values), each journey sharing
     * out 1 and its value */
    double nconv = 0, vabs = 0;
    for (size_t k = 0; k < x->j->nj; k++)
        if (x->j->j_conv[k]) {
            nconv += 1;
            vabs += fabs(cxi_j_value(x->j, k));
        }
    x->fix[0] = cxi_fix_for(nconv * (1 + 1e-6) + 1);
    x->fix[1] = cxi_fix_for(vabs * (1 + 1e-6) + 1);
    for (size_t k = 0; k < x->j->nj; k++)
        if (x->j->j_conv[k])
            attr_journey(x, k);
    for (size_t i = 0; i < x->nc * A_NCOLS; i++)
        if (i % A_NCOLS >= A_FIRST)
            x->acc[i] = cxi_fix_value(&x->fix[i % A_NCOLS >= A_FIRSTV], &x->hx[i]);
    x->total_val = cxi_xsum_value(&x->tvx);
    x->vscale = 0;
    for (size_t s = 0; s < x->ns1; s++) {
        x->convval[s] = x->convn[s] > 0 ? cxi_xsum_value(&x->cvx[s]) / x->convn[s] : 0;
        if (x->convval[s] > x->vscale)
            x->vscale = x->convval[s];
    }
    if (x->vscale <= 0)
        x->vscale = 1;
}

/* The removal effect of every level code seen in a path: the chain solved
 * once whole and once without each code. */
static int attr_removal(attr_run *x, double *sum_re, double *sum_rev)
{
    const cx_journeys *j = x->j;
    memset(x->pos_of, 0xFF, x->nc * sizeof *x->pos_of);
    for (size_t i = 0; i < j->nst; i++)
        if (x->pos_of[j->st[i]] == CXI_NONE) {
            x->pos_of[j->st[i]] = (uint32_t)x->nused;
            x->codes[x->nused++] = j->st[i];
        }
    /* each code's rank by name (order_idx as scratch), for an order of the
     * chain's states that the order of the rows does not change */
    uint32_t *rank = cxi_alloc(&x->m, x->nc * sizeof *rank);
    if (!rank)
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu states", x->fn, x->nc);
    int rc = code_ranks(j, &x->m, rank, x->order_idx, x->nc);
    if (rc)
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory ordering %zu states", x->fn, x->nc);
    else
        rc = cxi_chain_removal(x->fn, &x->m, &x->c, x->convval, x->vscale, x->nused, x->codes, rank, x->j->o.threads,
                               x->re, x->rev);
    cxi_free(&x->m, rank, x->nc * sizeof *rank);
    cxi_xsum sre = {0}, srev = {0}; /* in fixed point: the codes come in the order they first appear */
    for (size_t u = 0; u < x->nused && !rc; u++) {
        x->acc[x->codes[u] * A_NCOLS + A_RE] = x->re[u];
        x->acc[x->codes[u] * A_NCOLS + A_REV] = x->rev[u];
        cxi_xsum_add(&sre, x->re[u]);
        cxi_xsum_add(&srev, x->rev[u]);
    }
    *sum_re = cxi_xsum_value(&sre);
    *sum_rev = cxi_xsum_value(&srev);
    return rc;
}

/* The Markov attributions (removal effects normalised to the totals) and
 * the row order: by Markov attribution descending, then name. */
static int attr_markov(attr_run *x, double sum_re, double sum_rev)
{
    double *markov = x->markov; /* the Markov attribution of each used code */
    for (size_t u = 0; u < x->nused; u++) {
        double *a = x->acc + x->codes[u] * A_NCOLS;
        a[A_MARKOV] = sum_re > 0 ? a[A_RE] / sum_re * x->total_conv : 0;
        a[A_MARKOVV] = sum_rev > 0 ? a[A_REV] / sum_rev * x->total_val : 0;
        markov[u] = a[A_MARKOV];
        x->order_idx[u] = (uint32_t)u;
    }
    attr_ctx ax = {markov, x->j, x->codes};
    if (cxi_jsort(&x->m, x->order_idx, x->nused, cmp_attr, &ax))
        return cxi_fail(CX_ENOMEM, "%s: out of memory sorting %zu rows", x->fn, x->nused);
    return CX_OK;
}

/* The result: one row per code seen in a path, in row order. */
static int attr_table(attr_run *x, cx_result **out)
{
    static const char *const names[A_NCOLS] = {
        "name",           "removal_effect",    "markov",           "removal_effect_value", "markov_value",
        "first_touch",    "last_touch",        "linear",           "time_decay",           "position_based",
        "first_touch_value", "last_touch_value", "linear_value",   "time_decay_value",     "position_based_value"};
    int types[A_NCOLS];
    for (int c = 0; c < A_NCOLS; c++)
        types[c] = c == A_NAME ? CX_TYPE_STRING : CX_TYPE_REAL;
    const cx_journeys *j = x->j;
    cx_result *t;
    if (cxi_result_new(&t, &j->mem, x->nused, A_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", x->fn, x->nused);
    for (size_t r = 0; r < x->nused; r++) {
        uint32_t code = x->codes[x->order_idx[r]];
        if (cxi_result_set_text(t, A_NAME, r, cxi_jlevel_name(j->store, j->o.level, code))) {
            cx_result_free(t);
            return cxi_fail(CX_ENOMEM, "%s: out of memory for the names of %zu rows", x->fn, x->nused);
        }
        for (int col = 1; col < A_NCOLS; col++)
            cxi_result_set_real(t, (size_t)col, r, x->acc[code * A_NCOLS + col]);
    }
    *out = t;
    return CX_OK;
}

int cx_journeys_attribution(cx_result **out, const cx_journeys *j, int order)
{
    static const char *const fn = "cx_journeys_attribution";
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    if ((rc = check_order(fn, order)))
        return rc;
    attr_run x;
    memset(&x, 0, sizeof x);
    x.fn = fn;
    x.j = j;
    x.m = j->mem;
    double sum_re = 0, sum_rev = 0;
    if (!(rc = attr_alloc(&x, order))) {
        attr_heuristics(&x);
        if (!(rc = attr_removal(&x, &sum_re, &sum_rev)) && !(rc = attr_markov(&x, sum_re, sum_rev)))
            rc = attr_table(&x, out);
    }
    attr_free(&x);
    return rc;
}

/* ---- path counts ------------------------------------------------------------ */

/* The conversions, nulls and value of every distinct path to conversion
 * (ids in pid per journey, counts per id). */
typedef struct pcount {
    cxi_seqmap map;
    uint32_t *pid, *first; /* nj; np: a journey of each path */
    double *conv, *null, *value;
    size_t np;
} pcount;

static void pcount_free(cxi_mem *m, pcount *pc, size_t nj)
{
    size_t np1 = pc->np ? pc->np : 1;
    cxi_seqmap_free(m, &pc->map);
    cxi_free(m, pc->pid, (nj ? nj : 1) * sizeof *pc->pid);
    cxi_free(m, pc->first, np1 * sizeof *pc->first);
    cxi_free(m, pc->conv, np1 * sizeof *pc->conv);
    cxi_free(m, pc->null, np1 * sizeof *pc->null);
    cxi_free(m, pc->value, np1 * sizeof *pc->value);
}

static int pcount_build(const cx_journeys *j, cxi_mem *m, pcount *pc)
{
    memset(pc, 0, sizeof *pc);
    cxi_seqmap_init(&pc->map, j->st);
    if (!(pc->pid = cxi_alloc(m, (j->nj ? j->nj : 1) * sizeof *pc->pid)))
        return CX_ENOMEM;
    for (size_t k = 0; k < j->nj; k++) {
        int rc = cxi_seqmap_get(m, &pc->map, j->p_off[k], j->p_cend[k] - j->p_off[k], &pc->pid[k]);
        if (rc)
            return rc;
    }
    pc->np = pc->map.n;
    size_t np1 = pc->np ? pc->np : 1;
    pc->first = cxi_alloc(m, np1 * sizeof *pc->first);
    pc->conv = cxi_jzalloc(m, np1 * sizeof *pc->conv);
    pc->null = cxi_jzalloc(m, np1 * sizeof *pc->null);
    pc->value = cxi_jzalloc(m, np1 * sizeof *pc->value);
    cxi_xsum *vs = cxi_jzalloc(m, np1 * sizeof *vs);
    if (!pc->first || !pc->conv || !pc->null || !pc->value || !vs) {
        cxi_free(m, vs, np1 * sizeof *vs);
        return CX_ENOMEM;
    }
    /* the values summed in fixed point (xsum.h): the journeys come in
     * the order of the customers, which is the order of the rows */
    for (size_t k = j->nj; k-- > 0;) {
        uint32_t p = pc->pid[k];
        pc->first[p] = (uint32_t)k;
        if (!j->j_conv[k]) {
            pc->null[p] += 1;
            continue;
        }
        pc->conv[p] += 1;
        for (uint32_t i = j->j_cv[k]; i < j->j_cv[k + 1]; i++)
            cxi_xsum_add(&vs[p], j->cval[i]);
    }
    for (size_t p = 0; p < pc->np; p++)
        pc->value[p] = cxi_xsum_value(&vs[p]);
    cxi_free(m, vs, np1 * sizeof *vs);
    return CX_OK;
}

/* The order of the rows of path counts: the most journeys (conversions
 * and nulls) first, then the path's label (byte order). */
typedef struct pc_order {
    const pcount *pc;
    const char *lab;       /* the labels, each NUL-terminated */
    const size_t *lab_off; /* np: where each starts */
} pc_order;

static int cmp_pcount(const void *ctx, uint32_t a, uint32_t b)
{
    const pc_order *x = ctx;
    double na = x->pc->conv[a] + x->pc->null[a], nb = x->pc->conv[b] + x->pc->null[b];
    if (na != nb)
        return na > nb ? -1 : 1;
    return strcmp(x->lab + x->lab_off[a], x->lab + x->lab_off[b]);
}

int cx_journeys_path_counts(cx_result **out, const cx_journeys *j, const char *sep)
{
    static const char *const fn = "cx_journeys_path_counts";
    static const char *const names[] = {"path", "length", "conversions", "nulls", "value"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    if (!sep || !*sep)
        return cxi_fail(CX_EINVAL, "%s: the separator is NULL or empty", fn);
    for (size_t i = 0; i < j->nst; i++) {
        const char *name = cxi_jlevel_name(j->store, j->o.level, j->st[i]);
        if (strstr(name, sep))
            return cxi_fail(CX_EINVAL, "%s: the state name \"%.60s\" holds the separator \"%s\"", fn, name, sep);
    }
    cxi_mem m = j->mem;
    pcount pc;
    cx_result *t = NULL;
    char *buf = NULL;
    size_t cap = 0;
    rc = pcount_build(j, &m, &pc);
    if (rc == CX_ELIMIT) {
        pcount_free(&m, &pc, j->nj);
        return cxi_fail(CX_ELIMIT, "%s: more distinct paths than a table can hold", fn);
    }
    /* every path's label, then the rows in cmp_pcount's order: the
     * order of first appearance is the order of the rows */
    size_t np1 = pc.np ? pc.np : 1, lab_len = 0, lab_cap = 0;
    char *lab = NULL;
    size_t *lab_off = rc ? NULL : cxi_alloc(&m, np1 * sizeof *lab_off);
    uint32_t *idx = rc ? NULL : cxi_alloc(&m, np1 * sizeof *idx);
    if (!rc && (!lab_off || !idx))
        rc = CX_ENOMEM;
    for (size_t p = 0; p < pc.np && !rc; p++) {
        uint32_t k = pc.first[p];
        rc = cxi_jpath_label(&m, &buf, &cap, j, j->st + j->p_off[k], j->p_cend[k] - j->p_off[k], sep);
        size_t len = rc ? 0 : strlen(buf) + 1;
        if (!rc && (rc = cxi_grow(&m, (void **)&lab, &lab_cap, lab_len + len, 1)) == CX_OK) {
            memcpy(lab + lab_len, buf, len);
            lab_off[p] = lab_len;
            lab_len += len;
        }
        idx[p] = (uint32_t)p;
    }
    pc_order po = {&pc, lab, lab_off};
    if (!rc)
        rc = cxi_jsort(&m, idx, pc.np, cmp_pcount, &po);
    if (!rc && cxi_result_new(&t, &j->mem, pc.np, 5, names, types))
        rc = CX_ENOMEM;
    for (size_t r = 0; r < pc.np && !rc; r++) {
        uint32_t p = idx[r], k = pc.first[p];
        rc = cxi_result_set_text(t, 0, r, lab + lab_off[p]);
        cxi_result_set_int(t, 1, r, j->p_cend[k] - j->p_off[k]);
        cxi_result_set_real(t, 2, r, pc.conv[p]);
        cxi_result_set_real(t, 3, r, pc.null[p]);
        cxi_result_set_real(t, 4, r, pc.value[p]);
    }
    cxi_free(&m, lab, lab_cap);
    cxi_free(&m, lab_off, np1 * sizeof *lab_off);
    cxi_free(&m, idx, np1 * sizeof *idx);
    cxi_free(&m, buf, cap);
    pcount_free(&m, &pc, j->nj);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the path counts of %zu journeys", fn, j->nj);
    }
    *out = t;
    return CX_OK;
}

/* ---- step matrix ------------------------------------------------------------- */

#define STEP_MATRIX_MAX 1000

typedef struct step_ctx {
    const uint64_t *count; /* per level code, of the step being sorted */
    const cx_journeys *j;
} step_ctx;

static int cmp_step(const void *ctx, uint32_t a, uint32_t b)
{
    const step_ctx *x = ctx;
    if (x->count[a] != x->count[b])
        return x->count[a] > x->count[b] ? -1 : 1;
    return strcmp(cxi_jlevel_name(x->j->store, x->j->o.level, a), cxi_jlevel_name(x->j->store, x->j->o.level, b));
}

int cx_journeys_step_matrix(cx_result **out, const cx_journeys *j, size_t max_steps)
{
    static const char *const fn = "cx_journeys_step_matrix";
    static const char *const names[] = {"step", "name", "journeys", "share"};
    static const int types[] = {CX_TYPE_INT, CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL};
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    if (max_steps < 1 || max_steps > STEP_MATRIX_MAX)
        return cxi_fail(CX_ERANGE, "%s: max_steps %zu is not 1 to %d", fn, max_steps, STEP_MATRIX_MAX);
    cxi_mem m = j->mem;
    size_t nc = j->nstates ? j->nstates : 1;
    /* count[k * nc + code]: journeys whose step k + 1 is the code */
    uint64_t *count = cxi_jzalloc(&m, max_steps * nc * sizeof *count);
    uint32_t *idx = cxi_alloc(&m, nc * sizeof *idx);
    size_t rows = 0;
    cx_result *t = NULL;
    rc = count && idx ? CX_OK : CX_ENOMEM;
    if (!rc) {
        for (size_t k = 0; k < j->nj; k++)
            for (uint32_t i = j->p_off[k]; i < j->p_off[k + 1] && i - j->p_off[k] < max_steps; i++)
                count[(size_t)(i - j->p_off[k]) * nc + j->st[i]]++;
        for (size_t s = 0; s < max_steps; s++) {
            rows++; /* the ended row */
            for (size_t c = 0; c < nc; c++)
                rows += count[s * nc + c] > 0;
        }
        rc = cxi_result_new(&t, &j->mem, rows, 4, names, types);
    }
    size_t r = 0;
    for (size_t s = 0; s < max_steps && !rc; s++) {
        const uint64_t *cs = count + s * nc;
        size_t n = 0;
        uint64_t seen = 0;
        for (uint32_t c = 0; c < nc; c++)
            if (cs[c]) {
                idx[n++] = c;
                seen += cs[c];
            }
        step_ctx x = {cs, j};
        if ((rc = cxi_jsort(&m, idx, n, cmp_step, &x)))
            break;
        for (size_t q = 0; q <= n && !rc; q++, r++) {
            uint64_t v = q < n ? cs[idx[q]] : j->nj - seen;
            cxi_result_set_int(t, 0, r, (int64_t)(s + 1));
            cxi_result_set_int(t, 2, r, (int64_t)v);
            cxi_result_set_real(t, 3, r, j->nj ? (double)v / (double)j->nj : NAN);
            if (q < n)
                rc = cxi_result_set_text(t, 1, r, cxi_jlevel_name(j->store, j->o.level, idx[q]));
        }
    }
    cxi_free(&m, count, max_steps * nc * sizeof *count);
    cxi_free(&m, idx, nc * sizeof *idx);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu steps of %zu states", fn, max_steps, nc);
    }
    *out = t;
    return CX_OK;
}
