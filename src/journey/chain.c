/*
 * Markov chains of order k over weighted paths, and the removal effects
 * of the Markov attribution, solved exactly on the sparse absorbing chain
 * (Gauss-Seidel), or from its fundamental matrix when that is cheaper or
 * the iteration does not settle.
 * The journeys (paths.c) and the path-count tables (pathtable.c) both
 * describe their paths with a cxi_chain_src.
 */
#include "../base/xsum.h"
#include "journey_private.h"

#include <math.h>
#if defined(__GNUC__) && defined(__SSE2__)
#include <emmintrin.h>
#endif

void cxi_chain_free(cxi_mem *m, cxi_chain *c)
{
    size_t ns1 = c->states.n ? c->states.n : 1;
    cxi_free(m, c->possum, ns1 * sizeof *c->possum);
    cxi_free(m, c->poscnt, ns1 * sizeof *c->poscnt);
    cxi_seqmap_free(m, &c->states);
    if (c->sid)
        cxi_free(m, c->sid, (c->nst ? c->nst : 1) * sizeof(uint32_t));
    cxi_free(m, c->tab, c->ntab * sizeof(uint32_t));
    cxi_map_free(m, &c->emap);
    cxi_free(m, c->efrom, c->ecap * sizeof(uint32_t));
    cxi_free(m, c->eto, c->ecap * sizeof(uint32_t));
    cxi_free(m, c->ecnt, c->ecap * sizeof(double));
}

/* Appends a new transition, number c->ne, of weight w. CX_ENOMEM, or
 * CX_ELIMIT past CXI_CHAIN_MAX_EDGES distinct transitions; not reported. */
static int edge_append(cxi_mem *m, cxi_chain *c, uint32_t from, uint32_t to, double w)
{
    if (c->ne >= CXI_CHAIN_MAX_EDGES)
        return CX_ELIMIT;
    void *const arrs[] = {&c->efrom, &c->eto, &c->ecnt};
    const size_t elems[] = {sizeof *c->efrom, sizeof *c->eto, sizeof *c->ecnt};
    if (cxi_grow_all(m, &c->ecap, c->ne + 1, 3, arrs, elems))
        return CX_ENOMEM;
    c->efrom[c->ne] = from;
    c->eto[c->ne] = to;
    c->ecnt[c->ne] = w;
    c->ne++;
    return CX_OK;
}

/* Adds weight w to one transition, found in c->emap. As edge_append. */
static int edge(cxi_mem *m, cxi_chain *c, uint32_t from, uint32_t to, double w)
{
    uint64_t key = (uint64_t)from << 32 | to;
    uint32_t e = cxi_map_get(&c->emap, key);
    if (e != CXI_NONE) {
        c->ecnt[e] += w;
        return CX_OK;
    }
    if (cxi_map_reserve(m, &c->emap, 1))
        return CX_ENOMEM;
    int rc = edge_append(m, c, from, to, w);
    if (!rc)
        cxi_map_put(&c->emap, key, (uint32_t)(c->ne - 1));
    return rc;
}

static int chain_fail(const char *fn, int rc, int order, bool states)
{
    if (rc != CX_ELIMIT)
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the chain of order %d", fn, order);
    if (states)
        return cxi_fail(CX_ELIMIT, "%s: more than %lu distinct states of order %d, the most a chain can number", fn,
                        (unsigned long)CXI_CHAIN_MAX_STATES, order);
    return cxi_fail(CX_ELIMIT, "%s: more than %lu distinct transitions, the most a chain can number", fn,
                    (unsigned long)CXI_CHAIN_MAX_EDGES);
}

int cxi_chain_check_order(const char *fn, int order)
{
    if (order < 1 || order > CX_JOURNEYS_MAX_ORDER)
        return cxi_fail(CX_ERANGE, "%s: order %d is not 1 to %d", fn, order, CX_JOURNEYS_MAX_ORDER);
    return CX_OK;
}

/* A transition's place in a dense index: dense[from row * cols + to
 * column] (START the last row, CONVERSION and DROP the last columns). */
static uint32_t *dense_slot(const cxi_chain *c, uint32_t *dense, uint32_t from, uint32_t to)
{
    size_t ns = c->ns, f = from == CXI_S_START ? ns : from;
    size_t t = to == CXI_S_CONV ? ns : to == CXI_S_DROP ? ns + 1 : to;
    return &dense[f * (ns + 2) + t];
}

/* Adds weight w to transition e of a dense index (dense_slot), numbered as
 * edge() numbers them. */
static int dense_edge(cxi_mem *m, cxi_chain *c, uint32_t *dense, uint32_t from, uint32_t to, double w)
{
    uint32_t *slot = dense_slot(c, dense, from, to);
    if (*slot != CXI_NONE) {
        c->ecnt[*slot] += w;
        return CX_OK;
    }
    int rc = edge_append(m, c, from, to, w);
    if (!rc)
        *slot = (uint32_t)(c->ne - 1);
    return rc;
}

/* The largest code on the paths (0 when there is none). */
static uint32_t max_code(const cxi_chain_src *src)
{
    uint32_t most = 0;
    for (size_t k = 0; k < src->n; k++)
        for (uint32_t i = src->off[k]; i < src->end[k]; i++)
            most = src->st[i] > most ? src->st[i] : most;
    return most;
}

/* The tuple state of every path position, numbered in order of first
 * appearance by c->states. Order 1 with codes below 2^20: a table by code
 * (c->tab) is all it takes, no state is kept per position. Otherwise
 * c->sid holds them, a tuple seen before found without hashing its states
 * in a map from the tuple's codes packed in 64 bits (when they fit). */
static int chain_states(const char *fn, cxi_mem *m, const cxi_chain_src *src, int order, cxi_chain *c)
{
    uint32_t most = max_code(src);
    unsigned bits = 64u / (unsigned)order;
    bool packed = order > 1 && (uint64_t)most + 1 < (uint64_t)1 << bits;
    cxi_map tm;
    cxi_map_init(&tm);
    uint32_t *tab = NULL;
    if (order == 1 && most < (1u << 20)) {
        if (!(c->tab = tab = cxi_alloc(m, ((size_t)most + 1) * sizeof *tab)))
            return chain_fail(fn, CX_ENOMEM, order, false);
        c->ntab = (size_t)most + 1;
        memset(tab, 0xFF, c->ntab * sizeof *tab);
    } else {
        if (!(c->sid = cxi_alloc(m, (src->nst ? src->nst : 1) * sizeof(uint32_t))))
            return chain_fail(fn, CX_ENOMEM, order, false);
        cxi_hugepages(c->sid, src->nst * sizeof(uint32_t));
    }
    int rc = CX_OK;
    for (size_t k = 0; k < src->n && !rc; k++) {
        uint32_t a = src->off[k], b = src->end[k];
        for (uint32_t i = a; i < b; i++) {
            uint32_t lo = i + 1 >= a + (uint32_t)order ? i + 1 - (uint32_t)order : a, s = CXI_NONE;
            uint64_t key = 0;
            if (tab)
                s = tab[src->st[i]];
            else if (packed) {
                for (uint32_t j = lo; j <= i; j++)
                    key |= (uint64_t)(src->st[j] + 1) << ((j - lo) * bits);
                s = cxi_map_get(&tm, key);
            }
            if (s == CXI_NONE) {
                rc = cxi_seqmap_get(m, &c->states, lo, i + 1 - lo, &s);
                if (!rc && s >= CXI_CHAIN_MAX_STATES)
                    rc = CX_ELIMIT;
                if (!rc && tab)
                    tab[src->st[i]] = s;
                else if (!rc && packed) {
                    if (cxi_map_reserve(m, &tm, 1))
                        rc = CX_ENOMEM;
                    else
                        cxi_map_put(&tm, key, s);
                }
                if (rc)
                    break;
            }
            if (!tab)
                c->sid[i] = s;
        }
    }
    cxi_map_free(m, &tm);
    return rc ? chain_fail(fn, rc, order, true) : CX_OK;
}

/* Whether every weight is a whole number of at most 2^52 (then the double
 * sums of the transitions are exact, in any order, while within 2^53). */
static bool whole_weights(const cxi_chain_src *src)
{
    if (src->conv)
        return true;
    for (size_t k = 0; k < src->n; k++)
        for (int i = 0; i < 2; i++) {
            double w = i ? src->wnull[k] : src->wconv[k];
            if (!(fabs(w) <= 0x1p52 && w == trunc(w)))
                return false;
        }
    return true;
}

/* The transitions' weights summed again exactly (in fixed point, xsum.h),
 * for weights that are not whole: the same paths in another order then
 * give the same weights to the bit. The transitions are those the first
 * pass numbered, found through its index (dense, or c->emap). */
static int exact_weights(cxi_mem *m, const cxi_chain_src *src, cxi_chain *c, uint32_t *dense)
{
    cxi_xsum *x = cxi_jzalloc(m, (c->ne ? c->ne : 1) * sizeof *x);
    if (!x)
        return CX_ENOMEM;
#define EDGE(f, t) (dense ? *dense_slot(c, dense, f, t) : cxi_map_get(&c->emap, (uint64_t)(f) << 32 | (t)))
    for (size_t k = 0; k < src->n; k++) {
        uint32_t a = src->off[k], b = src->end[k], prev = CXI_S_START;
        double wc = src->wconv[k], wn = src->wnull[k];
        for (uint32_t i = a; i < b; i++) {
            uint32_t s = cxi_chain_sid(c, i);
            cxi_xsum_add(&x[EDGE(prev, s)], wc + wn);
            prev = s;
        }
        if (wc > 0)
            cxi_xsum_add(&x[EDGE(prev, CXI_S_CONV)], wc);
        if (wn > 0)
            cxi_xsum_add(&x[EDGE(prev, CXI_S_DROP)], wn);
    }
#undef EDGE
    for (size_t e = 0; e < c->ne; e++)
        c->ecnt[e] = cxi_xsum_value(&x[e]);
    cxi_free(m, x, (c->ne ? c->ne : 1) * sizeof *x);
    return CX_OK;
}

int cxi_chain_build(const char *fn, cxi_mem *m, const cxi_chain_src *src, int order, cxi_chain *c)
{
    memset(c, 0, sizeof *c);
    cxi_seqmap_init(&c->states, src->st);
    cxi_map_init(&c->emap);
    c->nst = src->nst;
    c->st = src->st;
    int rc = chain_states(fn, m, src, order, c);
    if (rc)
        return rc;
    c->ns = c->states.n;
    size_t ns1 = c->ns ? c->ns : 1;
    c->possum = cxi_jzalloc(m, ns1 * sizeof *c->possum);
    c->poscnt = cxi_jzalloc(m, ns1 * sizeof *c->poscnt);
    if (!c->possum || !c->poscnt)
        return chain_fail(fn, CX_ENOMEM, order, false);
    /* the transitions, in the order of the paths (which numbers them and
     * sums their weights): through a dense index when the states are few */
    uint32_t *dense = NULL;
    size_t ndense = (c->ns + 1) * (c->ns + 2);
    if (c->ns < (1u << 10) && (dense = cxi_alloc(m, ndense * sizeof *dense)) != NULL)
        memset(dense, 0xFF, ndense * sizeof *dense);
    for (size_t k = 0; k < src->n && !rc; k++) {
        uint32_t a = src->off[k], b = src->end[k], prev = CXI_S_START;
        double wc = src->conv ? (src->conv[k] ? 1 : 0) : src->wconv[k];
        double wn = src->conv ? (src->conv[k] ? 0 : 1) : src->wnull[k];
        for (uint32_t i = a; i < b && !rc; i++) {
            uint32_t s = cxi_chain_sid(c, i);
            c->possum[s] += (double)(i - a); /* whole numbers: exact in any order */
            c->poscnt[s] += 1;
            rc = dense ? dense_edge(m, c, dense, prev, s, wc + wn) : edge(m, c, prev, s, wc + wn);
            prev = s;
        }
        if (!rc && wc > 0)
            rc = dense ? dense_edge(m, c, dense, prev, CXI_S_CONV, wc) : edge(m, c, prev, CXI_S_CONV, wc);
        if (!rc && wn > 0)
            rc = dense ? dense_edge(m, c, dense, prev, CXI_S_DROP, wn) : edge(m, c, prev, CXI_S_DROP, wn);
    }
    if (!rc && !whole_weights(src))
        rc = exact_weights(m, src, c, dense) ? CX_ENOMEM : CX_OK;
    if (dense)
        cxi_free(m, dense, ndense * sizeof *dense);
    return rc ? chain_fail(fn, rc, order, false) : CX_OK;
}

/* ---- the absorbing-chain solve ------------------------------------------ */

/* The chain in CSR form over the transient states 0..ns-1 and START = ns:
 * per row, the probability of each transient successor, of conversion (b1)
 * and the expected conversion value in one step (bv). */
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

/* The entries of row (col[a..b), p[a..b)) by column. */
static void csr_sort_row(uint32_t *col, double *p, uint32_t a, uint32_t b)
{
    for (uint32_t i = a + 1; i < b; i++) {
        uint32_t cv = col[i];
        double pv = p[i];
        uint32_t k = i;
        for (; k > a && col[k - 1] > cv; k--) {
            col[k] = col[k - 1];
            p[k] = p[k - 1];
        }
        col[k] = cv;
        p[k] = pv;
    }
}

/* pos: each state's row (NULL: its id); convval by state id. */
static int csr_build(cxi_mem *m, const cxi_chain *c, const uint32_t *pos, const double *convval, csr *g)
{
    memset(g, 0, sizeof *g);
    size_t n = c->ns + 1;
    g->n = n;
    cxi_xsum *tot = cxi_jzalloc(m, n * sizeof *tot); /* exact: the transitions come in the paths' order */
    g->off = cxi_jzalloc(m, (n + 1) * sizeof(uint32_t));
    g->b1 = cxi_jzalloc(m, n * sizeof(double));
    g->bv = cxi_jzalloc(m, n * sizeof(double));
    g->self = cxi_jzalloc(m, n * sizeof(double));
    if (!tot || !g->off || !g->b1 || !g->bv || !g->self) {
        cxi_free(m, tot, n * sizeof *tot);
        return CX_ENOMEM;
    }
#define ROW(x) ((x) == CXI_S_START ? (uint32_t)c->ns : (x) < c->ns && pos ? pos[x] : (x))
    for (size_t e = 0; e < c->ne; e++) {
        uint32_t f = ROW(c->efrom[e]), t = ROW(c->eto[e]);
        cxi_xsum_add(&tot[f], c->ecnt[e]);
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
        uint32_t fs = c->efrom[e] == CXI_S_START ? (uint32_t)c->ns : c->efrom[e];
        uint32_t f = ROW(c->efrom[e]), t = ROW(c->eto[e]);
        double p = c->ecnt[e] / cxi_xsum_value(&tot[f]);
        if (t == CXI_S_CONV) {
            g->b1[f] += p;
            g->bv[f] += p * convval[fs];
        } else if (t == f) {
            g->self[f] += p;
        } else if (t < c->ns) {
            g->col[cur[f]] = t;
            g->p[cur[f]++] = p;
        }
    }
#undef ROW
    /* each row's entries by column: their sums in one order, whatever the
     * order the transitions were first seen in */
    if (pos)
        for (size_t i = 0; i < n; i++)
            csr_sort_row(g->col, g->p, g->off[i], g->off[i + 1]);
    cxi_free(m, cur, n * sizeof *cur);
    cxi_free(m, tot, n * sizeof *tot);
    return CX_OK;
}

/* Absorption in CONVERSION from START (h1) and expected value (hv), with the
 * states marked in `removed` sent to DROP. Gauss-Seidel, each self-loop
 * solved in closed form, states swept from the last seen to the first (the
 * order in which paths mostly flow backwards). */
static int solve(const csr *g, const uint8_t *removed, double *h1, double *hv, double vscale, double *p1,
                 double *pv, int *sweeps)
{
    size_t n = g->n, start = n - 1;
    memset(h1, 0, n * sizeof *h1);
    memset(hv, 0, n * sizeof *hv);
    for (int sweep = 0; sweep < CXI_CHAIN_MAX_SWEEPS; sweep++) {
        double delta = 0, deltav = 0; /* deltav / vscale after: the same as the greatest of each over vscale */
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
            if (g->self[s] != 0) { /* (dividing by 1 changes nothing) */
                double d = 1 - g->self[s];
                a1 /= d;
                av /= d;
            }
            double d1 = fabs(a1 - h1[s]), dv = fabs(av - hv[s]);
            if (d1 > delta)
                delta = d1;
            if (dv > deltav)
                deltav = dv;
            h1[s] = a1;
            hv[s] = av;
        }
        if (delta <= CX_JOURNEYS_TOLERANCE && deltav / vscale <= CX_JOURNEYS_TOLERANCE) {
            *p1 = h1[start];
            *pv = hv[start];
            if (sweeps)
                *sweeps = sweep + 1;
            return CX_OK;
        }
    }
    return CX_ERANGE;
}

/* Removals solved side by side by solve_lanes, and the most memory their
 * values may take (LANES x 2 doubles a state): larger chains solve one
 * removal at a time. */
#define LANES 8
#define LANES_MAX_BYTES ((size_t)64 << 20)

/* Several doubles side by side for solve_lanes (GCC's and Clang's vector
 * types; one double elsewhere, or with CXI_NO_VECTOR, as tests/run-all.sh's
 * sanitizer build has it): element-wise arithmetic, each element rounded
 * as a double alone is. */
#if defined(__GNUC__) && !defined(CXI_NO_VECTOR)
typedef double lanes_v __attribute__((vector_size(16)));
typedef long long lanes_m __attribute__((vector_size(16)));
static inline lanes_v lanes_abs(lanes_v x)
{
    const lanes_m nosign = {0};
    return (lanes_v)((lanes_m)x & (nosign + 0x7FFFFFFFFFFFFFFFLL)); /* the sign bits cleared */
}
static inline lanes_v lanes_max(lanes_v a, lanes_v b) /* a > b ? a : b */
{
#if defined(__SSE2__)
    return _mm_max_pd(a, b);
#else
    lanes_m gt = a > b;
    return (lanes_v)((gt & (lanes_m)a) | (~gt & (lanes_m)b));
#endif
}
#else
typedef double lanes_v;
static inline lanes_v lanes_abs(lanes_v x) { return fabs(x); }
static inline lanes_v lanes_max(lanes_v a, lanes_v b) { return a > b ? a : b; }
#endif
#define LANES_PER ((int)(sizeof(lanes_v) / sizeof(double)))

/* solve() for up to LANES removals at once, lane j sending to DROP the
 * states s with rm[s * LANES + j] set (START never). h: 2 LANES doubles a
 * state, lane j's absorption at h[s * 2 LANES + j] and its value at h[s *
 * 2 LANES + LANES + j] (a state's 128 bytes, fetched ahead for the rows to
 * come). Each lane does what solve() does for its removal, the same
 * operations in the same order, so its results are solve()'s to the bit:
 * a removed state's values stay 0 (its sum times 0, where solve() leaves
 * it), adding its 0 x p (p >= 0) leaves a sum of such terms unchanged,
 * where solve() skips it, and dividing by 1 - self only where self is not
 * 0 changes nothing. A lane's results are taken after the sweep that
 * settles it, as solve() returns then; its later sweeps change nothing
 * else. One pass over the chain's rows serves every lane, and the lanes'
 * sums are independent: the sweep is no longer one chain of dependent
 * additions. q1, qv: each lane's absorption from START. CX_ERANGE when a
 * lane does not settle in CXI_CHAIN_MAX_SWEEPS. */
static int solve_lanes(const csr *g, const uint8_t *rm, size_t nl, double *h, double vscale, double *q1, double *qv)
{
    enum { W = 2 * LANES, NV = W / LANES_PER, HALF = NV / 2, AHEAD = 8 };
    size_t n = g->n, start = n - 1, live_n = nl;
    memset(h, 0, n * W * sizeof *h);
    uint8_t live[LANES];
    for (size_t j = 0; j < LANES; j++)
        live[j] = j < nl;
    const lanes_v zero = {0};
    for (int sweep = 0; sweep < CXI_CHAIN_MAX_SWEEPS; sweep++) {
        lanes_v delta[NV];
        for (int i = 0; i < NV; i++)
            delta[i] = zero;
        for (size_t q = 0; q < n; q++) {
            size_t s = q + 1 < n ? n - 2 - q : start;
#if defined(__GNUC__)
            if (q + AHEAD + 1 < n) {
                size_t f = n - 2 - q - AHEAD;
                for (uint32_t e = g->off[f]; e < g->off[f + 1]; e++) {
                    __builtin_prefetch(h + (size_t)g->col[e] * W);
                    __builtin_prefetch(h + (size_t)g->col[e] * W + LANES);
                }
            }
#endif
            lanes_v a[NV], k[HALF];
            for (int i = 0; i < HALF; i++) {
                a[i] = zero + g->b1[s];
                a[HALF + i] = zero + g->bv[s];
            }
            for (uint32_t e = g->off[s]; e < g->off[s + 1]; e++) {
                const double p = g->p[e], *x = h + (size_t)g->col[e] * W;
                for (int i = 0; i < NV; i++) {
                    lanes_v xi;
                    memcpy(&xi, x + i * LANES_PER, sizeof xi);
                    a[i] += p * xi;
                }
            }
            if (g->self[s] != 0) {
                double d = 1 - g->self[s];
                for (int i = 0; i < NV; i++)
                    a[i] /= d;
            }
            const uint8_t *r = rm + s * LANES;
            bool some = false;
            for (int j = 0; j < LANES; j++)
                some |= r[j] != 0;
            if (some) { /* removed in some lane */
                double kd[LANES];
                for (int j = 0; j < LANES; j++)
                    kd[j] = r[j] ? 0 : 1;
                memcpy(k, kd, sizeof k);
                for (int i = 0; i < NV; i++)
                    a[i] *= k[i % HALF];
            }
            double *y = h + s * W;
            for (int i = 0; i < NV; i++) {
                lanes_v v = a[i], yi;
                memcpy(&yi, y + i * LANES_PER, sizeof yi);
                delta[i] = lanes_max(lanes_abs(v - yi), delta[i]);
                memcpy(y + i * LANES_PER, &v, sizeof v);
            }
        }
        double dd[W];
        memcpy(dd, delta, sizeof dd);
        for (size_t j = 0; j < LANES; j++)
            if (live[j] && dd[j] <= CX_JOURNEYS_TOLERANCE && dd[LANES + j] / vscale <= CX_JOURNEYS_TOLERANCE) {
                q1[j] = h[start * W + j];
                qv[j] = h[start * W + LANES + j];
                live[j] = 0;
                live_n--;
            }
        if (!live_n)
            return CX_OK;
    }
    return CX_ERANGE;
}

/* The largest chain (states + START) whose fundamental matrix is computed:
 * n^2 doubles (32 MiB) and n^3 steps. */
#define DENSE_MAX 2048

/* N = (I - P)^-1, the fundamental matrix of the chain (N[s][t]: the
 * expected visits to t from s before absorption), by Gauss-Jordan
 * elimination in place with partial pivoting. a: n x n. CX_ERANGE when
 * singular (a closed loop with no way out). */
static int fundamental(const csr *g, double *a, size_t *perm)
{
    size_t n = g->n;
    memset(a, 0, n * n * sizeof *a);
    for (size_t s = 0; s < n; s++) {
        double *r = a + s * n;
        r[s] = 1 - g->self[s];
        for (uint32_t e = g->off[s]; e < g->off[s + 1]; e++)
            r[g->col[e]] -= g->p[e];
    }
    for (size_t k = 0; k < n; k++) {
        size_t piv = k;
        for (size_t i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > fabs(a[piv * n + k]))
                piv = i;
        if (!(fabs(a[piv * n + k]) > 0))
            return CX_ERANGE;
        perm[k] = piv;
        if (piv != k)
            for (size_t j = 0; j < n; j++) {
                double t = a[k * n + j];
                a[k * n + j] = a[piv * n + j];
                a[piv * n + j] = t;
            }
        double *rk = a + k * n, d = rk[k];
        rk[k] = 1;
        for (size_t j = 0; j < n; j++)
            rk[j] /= d;
        for (size_t i = 0; i < n; i++) {
            double *ri = a + i * n, f = ri[k];
            if (i == k || f == 0)
                continue;
            ri[k] = 0;
            for (size_t j = 0; j < n; j++)
                ri[j] -= f * rk[j];
        }
    }
    /* the row swaps, undone on the columns in reverse order */
    for (size_t k = n; k-- > 0;)
        if (perm[k] != k)
            for (size_t i = 0; i < n; i++) {
                double t = a[i * n + k];
                a[i * n + k] = a[i * n + perm[k]];
                a[i * n + perm[k]] = t;
            }
    for (size_t i = 0; i < n * n; i++)
        if (!isfinite(a[i]))
            return CX_ERANGE;
    return CX_OK;
}

/* Removal from the fundamental matrix N: sending the states R to DROP
 * changes their rows of I - P to rows of the identity and their b to 0, a
 * change of rank |R|, so (Woodbury) the probability from START becomes
 * h[START] - N[START, R] N[R, R]^-1 h[R], h = N b: what START would gain
 * from its first arrival in R, taken away. Solved for w' = N[START, R]
 * N[R, R]^-1 by Gaussian elimination on the transpose (M: |R| x (|R| + 1)
 * scratch). The same w gives the value. */
static int removal_dense(const double *N, size_t n, const uint32_t *R, size_t m, const double *h1, const double *hv,
                         double *M, double *q1, double *qv)
{
    size_t start = n - 1, w = m + 1;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < m; j++)
            M[i * w + j] = N[(size_t)R[j] * n + R[i]]; /* the transpose of N[R, R] */
        M[i * w + m] = N[start * n + R[i]];
    }
    for (size_t k = 0; k < m; k++) {
        size_t piv = k;
        for (size_t i = k + 1; i < m; i++)
            if (fabs(M[i * w + k]) > fabs(M[piv * w + k]))
                piv = i;
        if (!(fabs(M[piv * w + k]) > 0))
            return CX_ERANGE;
        if (piv != k)
            for (size_t j = k; j < w; j++) {
                double t = M[k * w + j];
                M[k * w + j] = M[piv * w + j];
                M[piv * w + j] = t;
            }
        for (size_t i = k + 1; i < m; i++) {
            double f = M[i * w + k] / M[k * w + k];
            if (f != 0)
                for (size_t j = k; j < w; j++)
                    M[i * w + j] -= f * M[k * w + j];
        }
    }
    double a1 = h1[start], av = hv[start];
    for (size_t i = m; i-- > 0;) {
        double t = M[i * w + m];
        for (size_t j = i + 1; j < m; j++)
            t -= M[i * w + j] * M[j * w + m];
        M[i * w + m] = t / M[i * w + i];
        a1 -= M[i * w + m] * h1[R[i]];
        av -= M[i * w + m] * hv[R[i]];
    }
    *q1 = a1;
    *qv = av;
    return isfinite(a1) && isfinite(av) ? CX_OK : CX_ERANGE;
}

/* Marks in `removed` the states of c that contain code u, by row (pos[s],
 * or s with pos NULL), and lists their rows in R, ascending, when it is
 * not NULL; returns how many. */
static size_t states_with(const cxi_chain *c, const uint32_t *pos, uint32_t u, uint8_t *removed, uint32_t *R)
{
    size_t m = 0;
    for (size_t s = 0; s < c->ns; s++) {
        bool has = false;
        for (uint32_t i = 0; i < c->states.len[s] && !has; i++)
            has = c->states.base[c->states.off[s] + i] == u;
        removed[pos ? pos[s] : s] = has;
        m += has;
    }
    removed[c->ns] = 0;
    if (R)
        for (size_t r = 0, k = 0; r < c->ns; r++)
            if (removed[r])
                R[k++] = (uint32_t)r;
    return m;
}

/* The order the states are solved in (cxi_chain_removal): by their mean
 * place in the paths (so that the sweeps, last to first, still run against
 * the flow of the paths, as in the order of first appearance), then by the
 * ranks of their codes, then the shorter first. */
typedef struct state_order {
    const cxi_chain *c;
    const uint32_t *rank;
} state_order;

static int cmp_state(const void *ctx, uint32_t a, uint32_t b)
{
    const state_order *x = ctx;
    const cxi_chain *c = x->c;
    double ma = c->possum[a] / c->poscnt[a], mb = c->possum[b] / c->poscnt[b];
    if (ma != mb)
        return ma < mb ? -1 : 1;
    uint32_t la = c->states.len[a], lb = c->states.len[b];
    const uint32_t *sa = c->states.base + c->states.off[a], *sb = c->states.base + c->states.off[b];
    for (uint32_t i = 0; i < la && i < lb; i++) {
        uint32_t ra = x->rank[sa[i]], rb = x->rank[sb[i]];
        if (ra != rb)
            return ra < rb ? -1 : 1;
    }
    return la < lb ? -1 : la > lb ? 1 : 0;
}

/* The removals' iterations in groups of LANES (codes u .. u + LANES - 1),
 * group k on part k % nparts, each part with scratch of its own; the
 * absorptions in q1, qv by code. */
typedef struct lanes_job {
    const csr *g;
    const cxi_chain *c;
    const uint32_t *pos, *codes;
    size_t ncodes, n1, nparts;
    double vscale, *q1, *qv;
    struct lanes_scratch {
        double *h;
        uint8_t *rm, *removed;
        int rc;
    } w[JPART_MAX];
} lanes_job;

static void lanes_part(void *ctx, size_t t)
{
    lanes_job *x = ctx;
    struct lanes_scratch *w = &x->w[t];
    size_t n1 = x->n1;
    for (size_t u = t * LANES; u < x->ncodes && !w->rc; u += x->nparts * LANES) {
        size_t nl = x->ncodes - u < LANES ? x->ncodes - u : LANES;
        memset(w->rm, 0, n1 * LANES);
        for (size_t i = 0; i < nl; i++) {
            states_with(x->c, x->pos, x->codes[u + i], w->removed, NULL);
            for (size_t s = 0; s < n1; s++)
                w->rm[s * LANES + i] = w->removed[s];
        }
        w->rc = solve_lanes(x->g, w->rm, nl, w->h, x->vscale, x->q1 + u, x->qv + u);
    }
}

/* Allocates each part's scratch (x->nparts of them), or frees it (drop). */
static int lanes_scratch(cxi_mem *m, lanes_job *x, bool drop)
{
    size_t n1 = x->n1;
    int rc = CX_OK;
    for (size_t t = 0; t < x->nparts; t++) {
        struct lanes_scratch *w = &x->w[t];
        if (drop) {
            cxi_free(m, w->h, n1 * 2 * LANES * sizeof *w->h);
            cxi_free(m, w->rm, n1 * LANES);
            cxi_free(m, w->removed, n1);
            continue;
        }
        w->h = cxi_alloc(m, n1 * 2 * LANES * sizeof *w->h);
        w->rm = cxi_alloc(m, n1 * LANES);
        w->removed = cxi_alloc(m, n1);
        w->rc = CX_OK;
        if (!w->h || !w->rm || !w->removed)
            rc = CX_ENOMEM;
    }
    return rc;
}

int cxi_chain_removal(const char *fn, cxi_mem *m, const cxi_chain *c, const double *convval, double vscale,
                      size_t ncodes, const uint32_t *codes, const uint32_t *rank, int threads, double *re,
                      double *rev)
{
    size_t n1 = c->ns + 1;
    csr g;
    double *h1 = cxi_alloc(m, n1 * sizeof *h1), *hv = cxi_alloc(m, n1 * sizeof *hv);
    uint8_t *removed = cxi_alloc(m, n1);
    /* the rows of the states: pos[s], in cmp_state's order */
    uint32_t *ord = rank ? cxi_alloc(m, n1 * sizeof *ord) : NULL, *pos = rank ? cxi_alloc(m, n1 * sizeof *pos) : NULL;
    int rc = h1 && hv && removed && (!rank || (ord && pos)) ? CX_OK : CX_ENOMEM;
    if (!rc && rank) {
        for (size_t s = 0; s < c->ns; s++)
            ord[s] = (uint32_t)s;
        state_order so = {c, rank};
        rc = cxi_jsort(m, ord, c->ns, cmp_state, &so);
        for (size_t r = 0; r < c->ns && !rc; r++)
            pos[ord[r]] = (uint32_t)r;
    }
    bool tried = !rc; /* csr_build leaves what it allocated to csr_free */
    if (!rc)
        rc = csr_build(m, c, pos, convval, &g);
    if (rc) {
        if (tried)
            csr_free(m, &g);
        cxi_free(m, h1, n1 * sizeof *h1);
        cxi_free(m, hv, n1 * sizeof *hv);
        cxi_free(m, removed, n1);
        cxi_free(m, ord, n1 * sizeof *ord);
        cxi_free(m, pos, n1 * sizeof *pos);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the chain of %zu states", fn, c->ns);
    }
    double p1 = 0, pv = 0, q1, qv;
    int sweeps = 0;
    rc = solve(&g, NULL, h1, hv, vscale, &p1, &pv, &sweeps);
    /* The fundamental matrix instead of one iteration per removal, when the
     * iteration did not settle or would cost far more: about `sweeps`
     * sweeps of the sparse chain per removal (long paths that mix many
     * channels take thousands) against n^3 once and |R|^3 / 3 per removal.
     * Small chains stay with the iteration (their figures unchanged). */
    double *N = NULL, *M = NULL;
    uint32_t *R = NULL;
    size_t *perm = NULL, mmax = 0, nsize = n1 <= DENSE_MAX ? n1 * n1 * sizeof *N : 0;
    if (nsize && (rc == CX_ERANGE || !rc)) {
        double cost_iter = (double)sweeps * (double)(g.nnz + n1) * (double)ncodes, cost_dense = (double)n1 * n1 * n1;
        for (size_t u = 0; u < ncodes; u++) {
            double cnt = (double)states_with(c, pos, codes[u], removed, NULL);
            cost_dense += cnt * cnt * cnt / 3;
            if (cnt > (double)mmax)
                mmax = (size_t)cnt;
        }
        if (rc == CX_ERANGE || (cost_iter > 1e6 && 4 * cost_dense < cost_iter)) {
            N = cxi_alloc(m, nsize);
            M = cxi_alloc(m, (mmax * (mmax + 1) + 1) * sizeof *M);
            R = cxi_alloc(m, (mmax + 1) * sizeof *R);
            perm = cxi_alloc(m, n1 * sizeof *perm);
            if (!N || !M || !R || !perm)
                rc = CX_ENOMEM;
            else if (!(rc = fundamental(&g, N, perm))) {
                /* h = N b, exact */
                for (size_t s = 0; s < n1; s++) {
                    double a1 = 0, av = 0;
                    for (size_t t = 0; t < n1; t++) {
                        a1 += N[s * n1 + t] * g.b1[t];
                        av += N[s * n1 + t] * g.bv[t];
                    }
                    h1[s] = a1;
                    hv[s] = av;
                }
                p1 = h1[n1 - 1];
                pv = hv[n1 - 1];
            }
        }
    }
    /* otherwise the removals' iterations LANES at a time, when their
     * values fit in LANES_MAX_BYTES (in all: fewer threads if need be),
     * their groups shared out among the threads; re and rev hold the
     * absorptions until the effects are taken from them */
    size_t lane_bytes = n1 * 2 * LANES * sizeof(double);
    lanes_job lj = {.g = &g, .c = c, .pos = pos, .codes = codes, .ncodes = ncodes, .n1 = n1, .vscale = vscale,
                    .q1 = re, .qv = rev};
    if (!rc && !N && ncodes > 1 && n1 <= LANES_MAX_BYTES / (LANES * 2 * sizeof(double))) {
        size_t groups = (ncodes + LANES - 1) / LANES, most = LANES_MAX_BYTES / lane_bytes;
        lj.nparts = cxi_jthreads(threads);
        lj.nparts = lj.nparts < groups ? lj.nparts : groups;
        lj.nparts = lj.nparts < most ? lj.nparts : most;
        if (lanes_scratch(m, &lj, false))
            rc = CX_ENOMEM;
        else {
            cxi_jrun_parts(lj.nparts, lanes_part, &lj);
            for (size_t t = 0; t < lj.nparts && !rc; t++)
                rc = lj.w[t].rc;
        }
    }
    for (size_t u = 0; u < ncodes && !rc; u++) {
        if (lj.nparts) {
            q1 = re[u];
            qv = rev[u];
        } else if (N) {
            size_t k = states_with(c, pos, codes[u], removed, R);
            q1 = p1;
            qv = pv;
            if (k && (rc = removal_dense(N, n1, R, k, h1, hv, M, &q1, &qv)))
                break;
        } else {
            states_with(c, pos, codes[u], removed, NULL);
            if ((rc = solve(&g, removed, h1, hv, vscale, &q1, &qv, NULL)))
                break;
        }
        /* rounding: removing a state never adds conversions */
        re[u] = p1 > 0 ? fmax(1 - q1 / p1, 0) : 0;
        rev[u] = pv > 0 ? fmax(1 - qv / pv, 0) : 0;
    }
    csr_free(m, &g);
    lanes_scratch(m, &lj, true);
    cxi_free(m, N, nsize);
    cxi_free(m, M, (mmax * (mmax + 1) + 1) * sizeof *M);
    cxi_free(m, R, (mmax + 1) * sizeof *R);
    cxi_free(m, perm, n1 * sizeof *perm);
    cxi_free(m, h1, n1 * sizeof *h1);
    cxi_free(m, hv, n1 * sizeof *hv);
    cxi_free(m, removed, n1);
    cxi_free(m, ord, n1 * sizeof *ord);
    cxi_free(m, pos, n1 * sizeof *pos);
    if (rc == CX_ENOMEM)
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the exact solve of the chain of %zu states", fn, c->ns);
    if (rc)
        return cxi_fail(CX_ERANGE, "%s: the absorbing chain of %zu states did not converge in %d sweeps%s", fn,
                        c->ns, CXI_CHAIN_MAX_SWEEPS, nsize ? ", nor solve exactly" : "");
    return CX_OK;
}
