/*
 * Analyses over the journeys' paths: the top paths, satisfaction by path,
 * stage and conversion, the transition matrix of order k, and Markov
 * (removal effect, solved exactly on the sparse absorbing chain) and
 * heuristic attribution.
 */
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
    uint32_t *order; /* path ids by count descending, then codes */
    size_t np, nj;
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
}

static int cmp_path(const void *ctx, uint32_t a, uint32_t b)
{
    const pathset *ps = ctx;
    if (ps->count[a] != ps->count[b])
        return ps->count[a] > ps->count[b] ? -1 : 1;
    const uint32_t *x = ps->map.base + ps->map.off[a], *y = ps->map.base + ps->map.off[b];
    uint32_t la = ps->map.len[a], lb = ps->map.len[b];
    for (uint32_t i = 0; i < la && i < lb; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return (la > lb) - (la < lb);
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
    for (size_t p = 0; p < ps->np; p++)
        ps->order[p] = (uint32_t)p;
    return cxi_jsort(m, ps->order, ps->np, cmp_path, ps);
}

/* Paths table (full: the paths columns; else the satisfaction columns). */
static int path_table(cx_journey_table **out, const cx_journeys *j, size_t top_k, bool full, const char *fn)
{
    static const char *const pnames[] = {"path",  "length", "journeys", "customers", "conversions",
                                         "conversion_rate", "median_duration_ms", "nps", "nps_n", "csat",
                                         "csat_n", "ces",    "ces_n"};
    static const int ptypes[] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_INT,  CX_TYPE_INT, CX_TYPE_INT,
                                 CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL,
                                 CX_TYPE_INT,    CX_TYPE_REAL, CX_TYPE_INT};
    static const char *const snames[] = {"group", "journeys", "nps", "nps_n", "csat", "csat_n", "csat_mean",
                                         "ces",   "ces_n"};
    static const int stypes[] = {CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL,
                                 CX_TYPE_INT,    CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_INT};
    cxi_mem m = j->mem;
    m.bytes = 0;
    pathset ps;
    uint32_t *slot = NULL, *fj = NULL, *doff = NULL;
    double *dur = NULL;
    cxi_sat *sat = NULL;
    char *buf = NULL;
    size_t cap = 0, k = 0, ndur = 0;
    cx_journey_table *t = NULL;
    const cx_store *s = j->store;
    const cx_time *it = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_TIME, cx_time);
    int rc = pathset_build(j, &m, &ps);
    if (rc)
        goto done;
    k = top_k < ps.np ? top_k : ps.np;
    slot = cxi_alloc(&m, (ps.np ? ps.np : 1) * sizeof *slot);
    doff = cxi_jzalloc(&m, (k + 1) * sizeof *doff);
    sat = cxi_jzalloc(&m, (k ? k : 1) * sizeof *sat);
    if (!slot || !doff || !sat || (rc = cxi_j_feedback_journeys(j, &m, &fj))) {
        rc = CX_ENOMEM;
        goto done;
    }
    memset(slot, 0xFF, (ps.np ? ps.np : 1) * sizeof *slot);
    for (size_t r = 0; r < k; r++) {
        slot[ps.order[r]] = (uint32_t)r;
        doff[r + 1] = doff[r] + (uint32_t)ps.count[ps.order[r]];
    }
    if (full) {
        ndur = doff[k];
        if (!(dur = cxi_alloc(&m, (ndur ? ndur : 1) * sizeof *dur))) {
            rc = CX_ENOMEM;
            goto done;
        }
        for (size_t q = 0; q < j->nj; q++) {
            uint32_t r = slot[ps.pid[q]];
            if (r == CXI_NONE)
                continue;
            dur[doff[r]++] = (double)(it[j->ev[j->j_off[q + 1] - 1]] - it[j->ev[j->j_off[q]]]);
        }
        /* doff[r] now ends slot r: shift back */
        for (size_t r = k; r > 0; r--)
            doff[r] = doff[r - 1];
        doff[0] = 0;
    }
    size_t nf = s->t[CX_TABLE_FEEDBACK].n;
    for (size_t f = 0; f < nf; f++) {
        if (fj[f] == CXI_NONE || slot[ps.pid[fj[f]]] == CXI_NONE)
            continue;
        cxi_fbclass c;
        if (cxi_fb_classify(s, (uint32_t)f, &c))
            cxi_sat_add(&sat[slot[ps.pid[fj[f]]]], &c);
    }
    if (cxi_jt_new(&t, &j->mem, k, full ? 13 : 9, full ? pnames : snames, full ? ptypes : stypes)) {
        rc = CX_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < k && !rc; r++) {
        uint32_t p = ps.order[r];
        const cxi_sat *a = &sat[r];
        rc = cxi_jpath_label(&m, &buf, &cap, j, ps.map.base + ps.map.off[p], ps.map.len[p]);
        if (!rc)
            rc = cxi_jt_set_str(t, 0, r, buf, strlen(buf));
        if (full) {
            cxi_jt_set_int(t, 1, r, ps.map.len[p]);
            cxi_jt_set_int(t, 2, r, (int64_t)ps.count[p]);
            cxi_jt_set_int(t, 3, r, (int64_t)ps.cust[p]);
            cxi_jt_set_int(t, 4, r, (int64_t)ps.conv[p]);
            cxi_jt_set_real(t, 5, r, 100.0 * (double)ps.conv[p] / (double)ps.count[p]);
            cxi_jt_set_real(t, 6, r, cxi_jmedian(dur + doff[r], doff[r + 1] - doff[r]));
            cxi_jt_set_real(t, 7, r, cxi_sat_nps(a));
            cxi_jt_set_int(t, 8, r, (int64_t)a->nps_n);
            cxi_jt_set_real(t, 9, r, cxi_sat_csat(a));
            cxi_jt_set_int(t, 10, r, (int64_t)a->csat_n);
            cxi_jt_set_real(t, 11, r, cxi_sat_ces(a));
            cxi_jt_set_int(t, 12, r, (int64_t)a->ces_n);
        } else {
            cxi_jt_set_int(t, 1, r, (int64_t)ps.count[p]);
            cxi_jt_set_real(t, 2, r, cxi_sat_nps(a));
            cxi_jt_set_int(t, 3, r, (int64_t)a->nps_n);
            cxi_jt_set_real(t, 4, r, cxi_sat_csat(a));
            cxi_jt_set_int(t, 5, r, (int64_t)a->csat_n);
            cxi_jt_set_real(t, 6, r, cxi_sat_csat_mean(a));
            cxi_jt_set_real(t, 7, r, cxi_sat_ces(a));
            cxi_jt_set_int(t, 8, r, (int64_t)a->ces_n);
        }
    }
done:
    cxi_free(&m, buf, cap);
    cxi_free(&m, dur, (ndur ? ndur : 1) * sizeof *dur);
    cxi_free(&m, fj, (s->t[CX_TABLE_FEEDBACK].n ? s->t[CX_TABLE_FEEDBACK].n : 1) * sizeof *fj);
    cxi_free(&m, sat, (k ? k : 1) * sizeof *sat);
    cxi_free(&m, doff, (k + 1) * sizeof *doff);
    cxi_free(&m, slot, (ps.np ? ps.np : 1) * sizeof *slot);
    pathset_free(&m, &ps);
    if (rc) {
        cx_journey_table_free(t);
        return cxi_fail(rc == CX_ELIMIT ? CX_ELIMIT : CX_ENOMEM, "%s: out of memory for the paths", fn);
    }
    *out = t;
    return CX_OK;
}

int cx_journeys_paths(cx_journey_table **out, const cx_journeys *j, size_t top_k)
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

static int sat_rows(cx_journey_table **out, const cx_journeys *j, const cxi_sat *sat, const char *const *labels,
                    const int64_t *journeys, size_t rows)
{
    static const char *const names[] = {"group", "journeys", "nps", "nps_n", "csat", "csat_n", "csat_mean",
                                        "ces",   "ces_n"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_REAL,
                                CX_TYPE_INT,    CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_INT};
    cx_journey_table *t;
    if (cxi_jt_new(&t, &j->mem, rows, 9, names, types))
        return CX_ENOMEM;
    for (size_t r = 0; r < rows; r++) {
        const cxi_sat *a = &sat[r];
        if (cxi_jt_set_str(t, 0, r, labels[r], strlen(labels[r]))) {
            cx_journey_table_free(t);
            return CX_ENOMEM;
        }
        cxi_jt_set_int(t, 1, r, journeys[r]);
        cxi_jt_set_real(t, 2, r, cxi_sat_nps(a));
        cxi_jt_set_int(t, 3, r, (int64_t)a->nps_n);
        cxi_jt_set_real(t, 4, r, cxi_sat_csat(a));
        cxi_jt_set_int(t, 5, r, (int64_t)a->csat_n);
        cxi_jt_set_real(t, 6, r, cxi_sat_csat_mean(a));
        cxi_jt_set_real(t, 7, r, cxi_sat_ces(a));
        cxi_jt_set_int(t, 8, r, (int64_t)a->ces_n);
    }
    *out = t;
    return CX_OK;
}

int cx_journeys_satisfaction(cx_journey_table **out, const cx_journeys *j, int group)
{
    static const char *const fn = "cx_journeys_satisfaction";
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    if (group < CX_JOURNEY_GROUP_PATH || group > CX_JOURNEY_GROUP_CONVERTED)
        return cxi_fail(CX_EINVAL, "%s: group %d is not a cx_journey_group", fn, group);
    if (group == CX_JOURNEY_GROUP_PATH)
        return path_table(out, j, SIZE_MAX, false, fn);
    const cx_store *s = j->store;
    size_t nf = s->t[CX_TABLE_FEEDBACK].n;
    cxi_mem m = j->mem;
    if (group == CX_JOURNEY_GROUP_CONVERTED) {
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

#define S_START 0xFFFFFFF0u
#define S_CONV 0xFFFFFFF1u
#define S_DROP 0xFFFFFFF2u

typedef struct chain {
    cxi_seqmap states; /* tuple states: slices of j->st */
    uint32_t *sid;     /* per path position */
    size_t nst, ns;
    cxi_map emap;
    uint32_t *efrom, *eto;
    double *ecnt;
    size_t ne, ecap;
} chain;

static void chain_free(cxi_mem *m, chain *c)
{
    cxi_seqmap_free(m, &c->states);
    cxi_free(m, c->sid, (c->nst ? c->nst : 1) * sizeof(uint32_t));
    cxi_map_free(m, &c->emap);
    cxi_free(m, c->efrom, c->ecap * sizeof(uint32_t));
    cxi_free(m, c->eto, c->ecap * sizeof(uint32_t));
    cxi_free(m, c->ecnt, c->ecap * sizeof(double));
}

static int edge(cxi_mem *m, chain *c, uint32_t from, uint32_t to)
{
    uint64_t key = (uint64_t)from << 32 | to;
    uint32_t e = cxi_map_get(&c->emap, key);
    if (e != CXI_NONE) {
        c->ecnt[e] += 1;
        return CX_OK;
    }
    if (c->ne == c->ecap) {
        size_t nc = c->ecap ? 2 * c->ecap : 256;
        uint32_t *f = cxi_alloc(m, nc * sizeof *f), *t = cxi_alloc(m, nc * sizeof *t);
        double *n = cxi_alloc(m, nc * sizeof *n);
        if (!f || !t || !n) {
            cxi_free(m, f, nc * sizeof *f);
            cxi_free(m, t, nc * sizeof *t);
            cxi_free(m, n, nc * sizeof *n);
            return CX_ENOMEM;
        }
        if (c->ne) {
            memcpy(f, c->efrom, c->ne * sizeof *f);
            memcpy(t, c->eto, c->ne * sizeof *t);
            memcpy(n, c->ecnt, c->ne * sizeof *n);
        }
        cxi_free(m, c->efrom, c->ecap * sizeof *f);
        cxi_free(m, c->eto, c->ecap * sizeof *t);
        cxi_free(m, c->ecnt, c->ecap * sizeof *n);
        c->efrom = f;
        c->eto = t;
        c->ecnt = n;
        c->ecap = nc;
    }
    if (cxi_map_reserve(m, &c->emap, 1))
        return CX_ENOMEM;
    cxi_map_put(&c->emap, key, (uint32_t)c->ne);
    c->efrom[c->ne] = from;
    c->eto[c->ne] = to;
    c->ecnt[c->ne] = 1;
    c->ne++;
    return CX_OK;
}

static int chain_build(const cx_journeys *j, cxi_mem *m, int order, chain *c)
{
    memset(c, 0, sizeof *c);
    cxi_seqmap_init(&c->states, j->st);
    cxi_map_init(&c->emap);
    c->nst = j->nst;
    if (!(c->sid = cxi_alloc(m, (j->nst ? j->nst : 1) * sizeof(uint32_t))))
        return CX_ENOMEM;
    for (size_t k = 0; k < j->nj; k++) {
        uint32_t a = j->p_off[k], b = j->p_off[k + 1], prev = S_START;
        for (uint32_t i = a; i < b; i++) {
            uint32_t lo = i + 1 >= a + (uint32_t)order ? i + 1 - (uint32_t)order : a;
            int rc = cxi_seqmap_get(m, &c->states, lo, i + 1 - lo, &c->sid[i]);
            if (!rc)
                rc = edge(m, c, prev, c->sid[i]);
            if (rc)
                return rc;
            prev = c->sid[i];
        }
        int rc = edge(m, c, prev, j->j_conv[k] ? S_CONV : S_DROP);
        if (rc)
            return rc;
    }
    c->ns = c->states.n;
    return CX_OK;
}

/* Row rank of a state in the tables: START, tuples, CONVERSION, DROP. */
static uint64_t state_rank(uint32_t s)
{
    if (s == S_START)
        return 0;
    if (s == S_CONV)
        return (uint64_t)UINT32_MAX + 1;
    if (s == S_DROP)
        return (uint64_t)UINT32_MAX + 2;
    return (uint64_t)s + 1;
}

static int cmp_edge(const void *ctx, uint32_t a, uint32_t b)
{
    const chain *c = ctx;
    uint64_t fa = state_rank(c->efrom[a]), fb = state_rank(c->efrom[b]);
    if (fa != fb)
        return fa < fb ? -1 : 1;
    uint64_t ta = state_rank(c->eto[a]), tb = state_rank(c->eto[b]);
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
    return cxi_jpath_label(m, buf, cap, j, c->states.base + c->states.off[s], c->states.len[s]);
}

static int check_order(const char *fn, int order)
{
    if (order < 1 || order > CX_JOURNEY_MAX_ORDER)
        return cxi_fail(CX_ERANGE, "%s: order %d is not 1 to %d", fn, order, CX_JOURNEY_MAX_ORDER);
    return CX_OK;
}

int cx_journeys_transitions(cx_journey_table **out, const cx_journeys *j, int order)
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
    uint32_t *idx = NULL;
    double *tot = NULL;
    char *buf = NULL;
    size_t cap = 0;
    cx_journey_table *t = NULL;
    rc = chain_build(j, &m, order, &c);
    if (!rc) {
        idx = cxi_alloc(&m, (c.ne ? c.ne : 1) * sizeof *idx);
        tot = cxi_jzalloc(&m, (c.ns + 1) * sizeof *tot);
        rc = idx && tot ? CX_OK : CX_ENOMEM;
    }
    if (!rc) {
        for (size_t e = 0; e < c.ne; e++) {
            idx[e] = (uint32_t)e;
            tot[c.efrom[e] == S_START ? c.ns : c.efrom[e]] += c.ecnt[e];
        }
        rc = cxi_jsort(&m, idx, c.ne, cmp_edge, &c);
    }
    if (!rc && cxi_jt_new(&t, &j->mem, c.ne, 4, names, types))
        rc = CX_ENOMEM;
    for (size_t r = 0; r < c.ne && !rc; r++) {
        uint32_t e = idx[r];
        rc = state_label(&m, &buf, &cap, j, &c, c.efrom[e]);
        if (!rc)
            rc = cxi_jt_set_str(t, 0, r, buf, strlen(buf));
        if (!rc)
            rc = state_label(&m, &buf, &cap, j, &c, c.eto[e]);
        if (!rc)
            rc = cxi_jt_set_str(t, 1, r, buf, strlen(buf));
        cxi_jt_set_int(t, 2, r, (int64_t)c.ecnt[e]);
        cxi_jt_set_real(t, 3, r, c.ecnt[e] / tot[c.efrom[e] == S_START ? c.ns : c.efrom[e]]);
    }
    cxi_free(&m, buf, cap);
    cxi_free(&m, idx, (c.ne ? c.ne : 1) * sizeof *idx);
    cxi_free(&m, tot, (c.ns + 1) * sizeof *tot);
    chain_free(&m, &c);
    if (rc) {
        cx_journey_table_free(t);
        return cxi_fail(rc == CX_ELIMIT ? CX_ELIMIT : CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}

/* ---- attribution ------------------------------------------------------------ */

/* The absorbing chain in CSR form over the transient states 0..ns-1 and
 * START = ns: per row, the probability of each transient successor, of
 * conversion (b1) and the expected conversion value in one step (bv). */
typedef struct csr {
    size_t n; /* ns + 1 rows */
    uint32_t *off, *col;
    double *p, *b1, *bv, *self;
    size_t nnz;
} csr;

static void csr_free(cxi_mem *m, csr *g)
{
    cxi_free(m, g->off, (g->n + 1) * sizeof(uint32_t));
    cxi_free(m, g->col, (g->nnz ? g->nnz : 1) * sizeof(uint32_t));
    cxi_free(m, g->p, (g->nnz ? g->nnz : 1) * sizeof(double));
    cxi_free(m, g->b1, g->n * sizeof(double));
    cxi_free(m, g->bv, g->n * sizeof(double));
    cxi_free(m, g->self, g->n * sizeof(double));
}

static int csr_build(cxi_mem *m, const chain *c, const double *convval, csr *g)
{
    memset(g, 0, sizeof *g);
    size_t n = c->ns + 1;
    g->n = n;
    double *tot = cxi_jzalloc(m, n * sizeof *tot);
    g->off = cxi_jzalloc(m, (n + 1) * sizeof(uint32_t));
    g->b1 = cxi_jzalloc(m, n * sizeof(double));
    g->bv = cxi_jzalloc(m, n * sizeof(double));
    g->self = cxi_jzalloc(m, n * sizeof(double));
    if (!tot || !g->off || !g->b1 || !g->bv || !g->self) {
        cxi_free(m, tot, n * sizeof *tot);
        return CX_ENOMEM;
    }
    for (size_t e = 0; e < c->ne; e++) {
        uint32_t f = c->efrom[e] == S_START ? (uint32_t)c->ns : c->efrom[e], t = c->eto[e];
        tot[f] += c->ecnt[e];
        if (t < c->ns && t != f)
            g->off[f + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        g->off[i + 1] += g->off[i];
    g->nnz = g->off[n];
    g->col = cxi_alloc(m, (g->nnz ? g->nnz : 1) * sizeof(uint32_t));
    g->p = cxi_alloc(m, (g->nnz ? g->nnz : 1) * sizeof(double));
    uint32_t *cur = cxi_alloc(m, n * sizeof *cur);
    if (!g->col || !g->p || !cur) {
        cxi_free(m, cur, n * sizeof *cur);
        cxi_free(m, tot, n * sizeof *tot);
        return CX_ENOMEM;
    }
    memcpy(cur, g->off, n * sizeof *cur);
    for (size_t e = 0; e < c->ne; e++) {
        uint32_t f = c->efrom[e] == S_START ? (uint32_t)c->ns : c->efrom[e], t = c->eto[e];
        double p = c->ecnt[e] / tot[f];
        if (t == S_CONV) {
            g->b1[f] += p;
            g->bv[f] += p * convval[f];
        } else if (t == f) {
            g->self[f] += p;
        } else if (t < c->ns) {
            g->col[cur[f]] = t;
            g->p[cur[f]++] = p;
        }
    }
    cxi_free(m, cur, n * sizeof *cur);
    cxi_free(m, tot, n * sizeof *tot);
    return CX_OK;
}

#define MAX_SWEEPS 100000

/* Absorption in CONVERSION from START (h1) and expected value (hv), with the
 * states marked in `removed` sent to DROP. Gauss-Seidel, each self-loop
 * solved in closed form, states swept from the last seen to the first (the
 * order in which paths mostly flow backwards). */
static int solve(const csr *g, const uint8_t *removed, double *h1, double *hv, double vscale, double *p1,
                 double *pv)
{
    size_t n = g->n, start = n - 1;
    memset(h1, 0, n * sizeof *h1);
    memset(hv, 0, n * sizeof *hv);
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
        double delta = 0;
        for (size_t q = 0; q < n; q++) {
            size_t s = q + 1 < n ? n - 2 - q : start;
            if (removed && s != start && removed[s])
                continue;
            double a1 = g->b1[s], av = g->bv[s];
            for (uint32_t e = g->off[s]; e < g->off[s + 1]; e++) {
                uint32_t t = g->col[e];
                if (removed && removed[t])
                    continue;
                a1 += g->p[e] * h1[t];
                av += g->p[e] * hv[t];
            }
            double d = 1 - g->self[s];
            a1 /= d;
            av /= d;
            double d1 = fabs(a1 - h1[s]), dv = fabs(av - hv[s]) / vscale;
            if (d1 > delta)
                delta = d1;
            if (dv > delta)
                delta = dv;
            h1[s] = a1;
            hv[s] = av;
        }
        if (delta <= CX_JOURNEY_TOLERANCE) {
            *p1 = h1[start];
            *pv = hv[start];
            return CX_OK;
        }
    }
    return CX_ERANGE;
}

/* The times of the path states of journey k (the last event of each merged
 * run) and its conversion time and value. */
static size_t path_times(const cx_journeys *j, size_t k, cx_time *tb, cx_time *tconv, double *value)
{
    const cx_store *s = j->store;
    const cx_time *it = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_TIME, cx_time);
    const uint32_t *itp = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT, uint32_t);
    const double *iv = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_VALUE, double);
    size_t emitted = 0;
    uint32_t last = CXI_NONE;
    *tconv = CX_TIME_NONE;
    *value = 0;
    for (uint32_t q = j->j_off[k]; q < j->j_off[k + 1]; q++) {
        uint32_t r = j->ev[q], code = j->lvl[itp[r]];
        if (cxi_j_is_conv(j, r)) {
            *tconv = it[r];
            *value += iv[r];
            if (!j->o.conv_in_path)
                continue;
        }
        if (j->o.collapse && emitted && code == last) {
            tb[emitted - 1] = it[r];
            continue;
        }
        tb[emitted++] = it[r];
        last = code;
    }
    if (!emitted)
        tb[emitted++] = *tconv;
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

int cx_journeys_attribution(cx_journey_table **out, const cx_journeys *j, int order)
{
    static const char *const fn = "cx_journeys_attribution";
    static const char *const names[A_NCOLS] = {
        "name",           "removal_effect",    "markov",           "removal_effect_value", "markov_value",
        "first_touch",    "last_touch",        "linear",           "time_decay",           "position_based",
        "first_touch_value", "last_touch_value", "linear_value",   "time_decay_value",     "position_based_value"};
    int types[A_NCOLS];
    int rc = cxi_j_check(fn, out, j);
    if (rc)
        return rc;
    *out = NULL;
    if ((rc = check_order(fn, order)))
        return rc;
    for (int c = 0; c < A_NCOLS; c++)
        types[c] = c == A_NAME ? CX_TYPE_STRING : CX_TYPE_REAL;
    cxi_mem m = j->mem;
    size_t nc = j->nstates ? j->nstates : 1, maxlen = 1, nused = 0;
    chain c;
    csr g;
    memset(&g, 0, sizeof g);
    double *acc = NULL, *convval = NULL, *h1 = NULL, *hv = NULL, *convn = NULL;
    uint8_t *removed = NULL;
    uint32_t *codes = NULL, *order_idx = NULL, *pos_of = NULL;
    cx_time *tb = NULL;
    cx_journey_table *t = NULL;
    double total_conv = 0, total_val = 0;
    rc = chain_build(j, &m, order, &c);
    if (rc)
        goto done;
    size_t ns1 = c.ns + 1;
    for (size_t k = 0; k < j->nj; k++)
        if (j->p_off[k + 1] - j->p_off[k] > maxlen)
            maxlen = j->p_off[k + 1] - j->p_off[k];
    acc = cxi_jzalloc(&m, nc * A_NCOLS * sizeof *acc);
    convval = cxi_jzalloc(&m, ns1 * sizeof *convval);
    convn = cxi_jzalloc(&m, ns1 * sizeof *convn);
    h1 = cxi_alloc(&m, ns1 * sizeof *h1);
    hv = cxi_alloc(&m, ns1 * sizeof *hv);
    removed = cxi_alloc(&m, ns1);
    codes = cxi_alloc(&m, nc * sizeof *codes);
    order_idx = cxi_alloc(&m, nc * sizeof *order_idx);
    pos_of = cxi_alloc(&m, nc * sizeof *pos_of);
    tb = cxi_alloc(&m, maxlen * sizeof *tb);
    if (!acc || !convval || !convn || !h1 || !hv || !removed || !codes || !order_idx || !pos_of || !tb) {
        rc = CX_ENOMEM;
        goto done;
    }
    /* heuristics, and the mean conversion value of each last state */
    double wf = j->o.pos_first, wl = j->o.pos_last, hl = (double)j->o.half_life;
    for (size_t k = 0; k < j->nj; k++) {
        if (!j->j_conv[k])
            continue;
        cx_time tconv;
        double v;
        size_t len = path_times(j, k, tb, &tconv, &v);
        const uint32_t *st = j->st + j->p_off[k];
        total_conv += 1;
        total_val += v;
        convval[c.sid[j->p_off[k + 1] - 1]] += v;
        convn[c.sid[j->p_off[k + 1] - 1]] += 1;
        double w[2];
        w[0] = 1;
        w[1] = v;
        double dsum = 0;
        for (size_t i = 0; i < len; i++) {
            double d = tconv > tb[i] ? (double)(tconv - tb[i]) : 0;
            dsum += exp2(-d / hl);
        }
        for (int x = 0; x < 2; x++) {
            int off = x ? A_FIRSTV - A_FIRST : 0;
            acc[st[0] * A_NCOLS + A_FIRST + off] += w[x];
            acc[st[len - 1] * A_NCOLS + A_LAST + off] += w[x];
            for (size_t i = 0; i < len; i++) {
                double d = tconv > tb[i] ? (double)(tconv - tb[i]) : 0;
                double pos = len == 1 ? 1
                             : len == 2 ? 0.5
                             : i == 0   ? wf
                             : i == len - 1 ? wl
                                            : (1 - wf - wl) / (double)(len - 2);
                acc[st[i] * A_NCOLS + A_LINEAR + off] += w[x] / (double)len;
                acc[st[i] * A_NCOLS + A_DECAY + off] += w[x] * exp2(-d / hl) / dsum;
                acc[st[i] * A_NCOLS + A_POS + off] += w[x] * pos;
            }
        }
    }
    for (size_t s = 0; s < ns1; s++)
        convval[s] = convn[s] > 0 ? convval[s] / convn[s] : 0;
    double vscale = 0;
    for (size_t s = 0; s < ns1; s++)
        if (convval[s] > vscale)
            vscale = convval[s];
    if (vscale <= 0)
        vscale = 1;
    if ((rc = csr_build(&m, &c, convval, &g)))
        goto done;
    /* the codes seen in paths */
    memset(pos_of, 0xFF, nc * sizeof *pos_of);
    for (size_t i = 0; i < j->nst; i++)
        if (pos_of[j->st[i]] == CXI_NONE) {
            pos_of[j->st[i]] = (uint32_t)nused;
            codes[nused++] = j->st[i];
        }
    double p1, pv, q1, qv, sum_re = 0, sum_rev = 0;
    if ((rc = solve(&g, NULL, h1, hv, vscale, &p1, &pv)))
        goto done;
    for (size_t u = 0; u < nused; u++) {
        uint32_t code = codes[u];
        for (size_t s = 0; s < c.ns; s++) {
            removed[s] = 0;
            for (uint32_t i = 0; i < c.states.len[s] && !removed[s]; i++)
                removed[s] = c.states.base[c.states.off[s] + i] == code;
        }
        removed[c.ns] = 0;
        if ((rc = solve(&g, removed, h1, hv, vscale, &q1, &qv)))
            goto done;
        double re = p1 > 0 ? 1 - q1 / p1 : 0, rev = pv > 0 ? 1 - qv / pv : 0;
        if (re < 0)
            re = 0; /* rounding: removing a state never adds conversions */
        if (rev < 0)
            rev = 0;
        acc[code * A_NCOLS + A_RE] = re;
        acc[code * A_NCOLS + A_REV] = rev;
        sum_re += re;
        sum_rev += rev;
    }
    double *markov = h1; /* reused: the Markov attribution of each used code */
    for (size_t u = 0; u < nused; u++) {
        double *a = acc + codes[u] * A_NCOLS;
        a[A_MARKOV] = sum_re > 0 ? a[A_RE] / sum_re * total_conv : 0;
        a[A_MARKOVV] = sum_rev > 0 ? a[A_REV] / sum_rev * total_val : 0;
        markov[u] = a[A_MARKOV];
        order_idx[u] = (uint32_t)u;
    }
    attr_ctx ax = {markov, j, codes};
    if ((rc = cxi_jsort(&m, order_idx, nused, cmp_attr, &ax)))
        goto done;
    if (cxi_jt_new(&t, &j->mem, nused, A_NCOLS, names, types)) {
        rc = CX_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < nused && !rc; r++) {
        uint32_t code = codes[order_idx[r]];
        const char *name = cxi_jlevel_name(j->store, j->o.level, code);
        rc = cxi_jt_set_str(t, A_NAME, r, name, strlen(name));
        for (int col = 1; col < A_NCOLS; col++)
            cxi_jt_set_real(t, (size_t)col, r, acc[code * A_NCOLS + col]);
    }
done:
    cxi_free(&m, acc, nc * A_NCOLS * sizeof *acc);
    if (c.sid) {
        size_t ns1b = c.ns + 1;
        cxi_free(&m, convval, ns1b * sizeof *convval);
        cxi_free(&m, convn, ns1b * sizeof *convn);
        cxi_free(&m, h1, ns1b * sizeof *h1);
        cxi_free(&m, hv, ns1b * sizeof *hv);
        cxi_free(&m, removed, ns1b);
    }
    cxi_free(&m, codes, nc * sizeof *codes);
    cxi_free(&m, order_idx, nc * sizeof *order_idx);
    cxi_free(&m, pos_of, nc * sizeof *pos_of);
    cxi_free(&m, tb, maxlen * sizeof *tb);
    csr_free(&m, &g);
    chain_free(&m, &c);
    if (rc) {
        cx_journey_table_free(t);
        if (rc == CX_ERANGE)
            return cxi_fail(CX_ERANGE, "%s: the absorbing chain did not converge in %d sweeps", fn, MAX_SWEEPS);
        return cxi_fail(rc == CX_ELIMIT ? CX_ELIMIT : CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = t;
    return CX_OK;
}
