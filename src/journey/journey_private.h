/*
 * Private parts of the journeys module: the options, the shared index (every
 * customer's interactions in time order, cut into journeys, with the path
 * states of each journey), funnels and a hash of uint32 sequences used for
 * paths and higher-order states. Results are built with ../table/table.h.
 */
#ifndef CXI_JOURNEY_PRIVATE_H
#define CXI_JOURNEY_PRIVATE_H

#include "../store/store_private.h"
#include "../table/table.h"
#include "cxkit/journey.h"

typedef struct cxi_jrule {
    int by;
    uint32_t code; /* kind code, touchpoint row or stage code */
} cxi_jrule;

/* Fixed-size, so journeys copy it by value. */
typedef struct cxi_jopts {
    int nconv;
    cxi_jrule conv[CX_JOURNEYS_MAX_CONVERSIONS];
    int npost;
    cxi_jrule post[CX_JOURNEYS_MAX_POST_PURCHASE]; /* by: a cx_post_purchase_by */
    int64_t gap;
    int boundary, level, collapse, conv_in_path;
    uint32_t contact_kind; /* CXI_NONE: no contact kind in the store */
    int64_t repeat_window, half_life;
    double pos_first, pos_last;
    int64_t min_support;
    int threads; /* cx_journeys_options_set_threads(): 0 every online core */
} cxi_jopts;

struct cx_journeys_options {
    cxi_mem mem;
    const cx_store *store;
    cxi_jopts o;
};

typedef struct cxi_fstep {
    int level;
    uint32_t code;
    const char *name; /* borrowed from the store */
} cxi_fstep;

struct cx_funnel {
    cxi_mem mem;
    const cx_store *store;
    int nsteps, nexcl, strict;
    int64_t window;
    cxi_fstep steps[CX_FUNNEL_MAX_STEPS];
    cxi_fstep excl[CX_FUNNEL_MAX_EXCLUSIONS];
    int has_as_of;  /* 0 (as made): as of the latest interaction */
    cx_time as_of;  /* cx_funnel_set_as_of() */
};

/* The word of an event (cx_journeys.wq): its touchpoint row and flags. */
#define CXI_W_CONV 0x80000000u    /* a conversion (cxi_j_is_conv) */
#define CXI_W_POST 0x40000000u    /* a post-purchase step (cxi_j_is_post) */
#define CXI_W_CONTACT 0x20000000u /* an inbound contact of the options' repeat-contact kind */
#define CXI_W_TP 0x1FFFFFFFu      /* the touchpoint row */

/* The events are numbered in (customer, time) order, ties in the order of
 * journey.c's cmp_tie; what the analyses read of event q is in tq[q] and
 * wq[q], so that they read the index in order, never the store's rows at
 * random, whatever the order the rows were added in. */
struct cx_journeys {
    cxi_mem mem;
    const cx_store *store;
    cxi_jopts o;
    size_t ncust, nev, nj, nst, nconv, ncv;
    uint32_t nstates;  /* size of the level's code space */
    uint32_t *cust_off; /* ncust + 1: each customer's events */
    uint32_t *cust_j;   /* ncust + 1: each customer's journeys */
    cx_time *tq;        /* nev: the time of each event (a block of tq_bytes; 0: the store's column), or NULL: */
    uint32_t *tq32;     /* nev: (time - tbase) / tstep of each event (a block of tq_bytes) */
    cx_time tbase, tstep;
    size_t tq_bytes;
    uint32_t *wq;       /* nev: the word of each event (CXI_W_*; a block of wq_bytes) */
    size_t wq_bytes;
    uint32_t *j_off;    /* nj + 1: each journey's events */
    uint32_t *p_off;    /* nj + 1: each journey's path in st */
    uint32_t *st;       /* path states (level codes); in `spare` when st_in_spare, else a block of its own */
    uint32_t *spare;    /* nspare: room the build's sort leaves past tq32 in the block of tq_bytes, or NULL */
    size_t nspare;
    bool st_in_spare;
    uint8_t *j_conv;    /* 1 when the journey converted */
    uint32_t *j_cend;   /* nj: the end of each journey's path to conversion (an event) */
    uint32_t *p_cend;   /* nj: the end in st of each journey's path to conversion */
    uint32_t *j_cv;     /* nj + 1: each journey's conversions in cval */
    double *cval;       /* ncv: the value of every conversion event, in event order */
    /* lookups sized by the store's tables at build time */
    uint32_t *lvl;      /* touchpoint row -> level code */
    uint8_t *conv_tp;   /* touchpoint row -> 1 when it converts (by touchpoint or stage) */
    uint8_t *conv_kind; /* kind code -> 1 when it converts */
    uint8_t *post_tp;   /* touchpoint row -> 1 when a post-purchase rule matches it */
    uint8_t *post_kind; /* kind code -> 1 when a post-purchase rule matches it */
    size_t ntp, nkind;
    size_t np; /* the parts the build's passes are cut into (one a thread) */
};

/* ---- sequences hash ---------------------------------------------------- */

/* Distinct uint32 sequences, each a slice of a caller's array (not copied),
 * numbered 0, 1, 2... in order of first insertion. */
typedef struct cxi_seqslot {
    uint32_t h, id1; /* the sequence's hash, its id + 1 (0: empty) */
} cxi_seqslot;

typedef struct cxi_seqmap {
    const uint32_t *base;
    uint32_t *off, *len;
    cxi_seqslot *slots; /* open addressing, linear probes; the hash kept so that
                           a probe reads a sequence only when the hashes match,
                           and growing reads none */
    size_t n, cap, nslots;
} cxi_seqmap;

void cxi_seqmap_init(cxi_seqmap *m, const uint32_t *base);
void cxi_seqmap_free(cxi_mem *mem, cxi_seqmap *m);
/* The id of base[off .. off + len), added when new. CX_ENOMEM, or
 * CX_ELIMIT past CXI_MAX_ROWS sequences (nothing reported: the caller
 * names the limit). */
int cxi_seqmap_get(cxi_mem *mem, cxi_seqmap *m, uint32_t off, uint32_t len, uint32_t *id);

/* Room for n sequences in all, so that adding them grows nothing.
 * CX_ENOMEM (the map unchanged but for the room). */
int cxi_seqmap_reserve(cxi_mem *mem, cxi_seqmap *m, size_t n);

/* Forgets every sequence with an id >= n (a rollback): the slots are
 * rebuilt for the first n; allocates nothing. */
void cxi_seqmap_truncate(cxi_seqmap *m, size_t n);

/* ---- Markov chains over paths (chain.c) -------------------------------- */

/* Marker states of a chain; tuple state ids stay below them. */
#define CXI_S_START 0xFFFFFFF0u
#define CXI_S_CONV 0xFFFFFFF1u
#define CXI_S_DROP 0xFFFFFFF2u
#define CXI_CHAIN_MAX_STATES CXI_S_START
#define CXI_CHAIN_MAX_EDGES CXI_MAX_ROWS
/* Sweeps of the absorbing-chain solve before it gives up. */
#define CXI_CHAIN_MAX_SWEEPS 100000

/* Weighted paths: path k is st[off[k] .. end[k]), non-empty. With conv
 * set (journeys), it counts once, to CONVERSION when conv[k] is non-zero
 * and to DROP otherwise; else wconv[k] times to CONVERSION and wnull[k]
 * times to DROP. */
typedef struct cxi_chain_src {
    const uint32_t *st;
    size_t nst, n;
    const uint32_t *off, *end;
    const uint8_t *conv;
    const double *wconv, *wnull;
} cxi_chain_src;

/* The chain of order k: the tuple state of every path position (the last k
 * states, fewer at the path's start) and the weighted transitions. */
typedef struct cxi_chain {
    cxi_seqmap states; /* tuple states: slices of src->st */
    double *possum;    /* ns: the sum of each state's places in the paths (0 first), for cxi_chain_removal's order */
    double *poscnt;    /* ns: how many places */
    uint32_t *sid;     /* per position of src->st; NULL when tab numbers them */
    uint32_t *tab;     /* order 1 with codes below 2^20: the state of each code */
    const uint32_t *st;
    size_t nst, ns, ntab;
    cxi_map emap;
    uint32_t *efrom, *eto;
    double *ecnt;
    size_t ne, ecap;
} cxi_chain;

/* The tuple state of position i of src->st. */
static inline uint32_t cxi_chain_sid(const cxi_chain *c, size_t i)
{
    return c->sid ? c->sid[i] : c->tab[c->st[i]];
}

/* Parts of a pass on threads of their own (journey.c): fn(ctx, t) for
 * every t < np (np <= JPART_MAX), part 0 on the calling thread, each other
 * on a thread of its own (or after part 0 when its thread does not start),
 * joined before the return. */
#define JPART_MAX 64
typedef void (*jpart_fn)(void *ctx, size_t t);
void cxi_jrun_parts(size_t np, jpart_fn fn, void *ctx);
/* A thread count as the options take it (0: every online core), 1 to
 * JPART_MAX. */
size_t cxi_jthreads(int threads);

/* Builds the chain; CX_ENOMEM or CX_ELIMIT, reported naming fn. */
int cxi_chain_build(const char *fn, cxi_mem *m, const cxi_chain_src *src, int order, cxi_chain *c);
void cxi_chain_free(cxi_mem *m, cxi_chain *c);
/* The removal effects of the chain: conversion probability and expected
 * value from START solved whole and with every state containing codes[u]
 * sent to DROP, for u < ncodes. convval: per state (ns + 1 entries, START
 * last) the mean value of the conversions it ends; vscale: the largest of
 * them (1 when none is positive). re[u], rev[u]: 1 - p'/p and 1 - v'/v
 * (0 when p or v is 0). rank: per code, its place in the order of the
 * codes' names, so that the states are solved in an order that does not
 * depend on the order of the paths (by their mean place in the paths, then
 * by their codes' ranks): the same paths in any order give the same
 * effects bit for bit (NULL: the states in the order they first appear).
 * threads: how many threads the removals may use (cxi_jthreads()); the
 * effects are the same for any count. No allocation on those threads.
 * CX_ENOMEM or CX_ERANGE (no convergence), reported naming fn. */
int cxi_chain_removal(const char *fn, cxi_mem *m, const cxi_chain *c, const double *convval, double vscale,
                      size_t ncodes, const uint32_t *codes, const uint32_t *rank, int threads, double *re,
                      double *rev);
/* Checks an order of a chain, naming fn: CX_ERANGE. */
int cxi_chain_check_order(const char *fn, int order);

/* The name of state `code` in a context (a pool, a store's level). */
typedef const char *(*cxi_state_name)(const void *ctx, uint32_t code);
/* Writes the names of states st[0..n) joined by sep into a growable
 * buffer. CX_ENOMEM, not reported. */
int cxi_join_states(cxi_mem *m, char **buf, size_t *cap, cxi_state_name name, const void *ctx, const uint32_t *st,
                    size_t n, const char *sep);

/* ---- helpers shared by the analyses ----------------------------------- */

void *cxi_jzalloc(cxi_mem *m, size_t n);
/* The name of a level code. */
const char *cxi_jlevel_name(const cx_store *s, int level, uint32_t code);
/* The code space of a level. */
uint32_t cxi_jlevel_count(const cx_store *s, int level);
/* Whether interaction row r is a conversion event. */
static inline bool cxi_j_is_conv(const cx_journeys *j, uint32_t r)
{
    const cx_store *s = j->store;
    if (CXI_COL(s, CX_TABLE_INTERACTIONS, IN_OUTCOME, uint8_t)[r] != CX_HANDLED)
        return false;
    uint32_t tp = cxi_codes_at(cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT), r);
    if (tp < j->ntp && j->conv_tp[tp])
        return true;
    uint32_t k = cxi_codes_at(cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_KIND), r);
    return k < j->nkind && j->conv_kind[k];
}
/* Whether interaction row r is a post-purchase step: no conversion, and
 * matched by a post-purchase rule. */
static inline bool cxi_j_is_post(const cx_journeys *j, uint32_t r)
{
    const cx_store *s = j->store;
    uint32_t tp = cxi_codes_at(cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT), r);
    uint32_t k = cxi_codes_at(cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_KIND), r);
    if (!((tp < j->ntp && j->post_tp[tp]) || (k < j->nkind && j->post_kind[k])))
        return false;
    return !cxi_j_is_conv(j, r);
}
/* The time of event q. */
static inline cx_time cxi_j_time(const cx_journeys *j, size_t q)
{
    return j->tq ? j->tq[q] : j->tbase + (cx_time)j->tq32[q] * j->tstep;
}
/* The touchpoint and the level code of an event's word. */
static inline uint32_t cxi_jw_tp(uint32_t w) { return w & CXI_W_TP; }
static inline uint32_t cxi_jw_code(const cx_journeys *j, uint32_t w) { return j->lvl[w & CXI_W_TP]; }
/* The value of journey k's conversions, summed in event order. */
static inline double cxi_j_value(const cx_journeys *j, size_t k)
{
    double v = 0;
    for (uint32_t i = j->j_cv[k]; i < j->j_cv[k + 1]; i++)
        v += j->cval[i];
    return v;
}
/* Writes the names of states st[0..n) at the journeys' level, joined by
 * sep (" > " in the tables), into a growable buffer (cxi_join_states).
 * CX_ENOMEM, not reported. */
int cxi_jpath_label(cxi_mem *m, char **buf, size_t *cap, const cx_journeys *j, const uint32_t *st, size_t n,
                    const char *sep);

/* Feedback classification on the standard scales. metric: CX_METRIC_*; for
 * NPS: cls 2 promoter, 1 passive, 0 detractor; CSAT: good = top two, std =
 * 1-5 mean scale; CES: std = 1-7 ease, good = easy. Returns false for a
 * custom question. */
typedef struct cxi_fbclass {
    int metric;
    int good, bad; /* NPS: promoter / detractor; CSAT: top two / not; CES: easy / not */
    double std;    /* NPS raw 0-10, CSAT 1-5, CES 1-7 */
} cxi_fbclass;
bool cxi_fb_classify(const cx_store *s, uint32_t fb, cxi_fbclass *c);
/* The touchpoint an answer rates: its own, else its interaction's; CXI_NONE. */
uint32_t cxi_fb_touchpoint(const cx_store *s, uint32_t fb);

/* Per-group satisfaction sums. */
typedef struct cxi_sat {
    uint64_t nps_n, prom, det, csat_n, csat_good, ces_n;
    double csat_sum, ces_sum;
} cxi_sat;
void cxi_sat_add(cxi_sat *a, const cxi_fbclass *c);
double cxi_sat_nps(const cxi_sat *a);
double cxi_sat_csat(const cxi_sat *a);
double cxi_sat_csat_mean(const cxi_sat *a);
double cxi_sat_ces(const cxi_sat *a);

/* The journey of every feedback row, CXI_NONE when none (see journey.h). */
int cxi_j_feedback_journeys(const cx_journeys *j, cxi_mem *m, uint32_t **out);

/* Median of v[0..n) (sorts v); NaN for n = 0. */
double cxi_jmedian(double *v, size_t n);

/* Stable merge sort of idx[0..n) by cmp(ctx, a, b); CX_ENOMEM. */
typedef int (*cxi_jcmp)(const void *ctx, uint32_t a, uint32_t b);
int cxi_jsort(cxi_mem *m, uint32_t *idx, size_t n, cxi_jcmp cmp, const void *ctx);

/* Checks out and journeys for an analysis (names fn in the error). */
int cxi_j_check(const char *fn, const void *out, const cx_journeys *j);

#endif
