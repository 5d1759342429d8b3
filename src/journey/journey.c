/*
 * The journeys index and its small companions: options, funnel
 * definitions, the hash of uint32 sequences, and the build:
 * a sort of the interactions by (customer, time) in two levels, buckets of
 * consecutive customers then each bucket in the cache (bucket_order; none
 * when they were added in that order), then one pass that cuts journeys
 * and writes their path states. Both read the store's columns in row
 * order and their own arrays in index order, never a walk through the rows
 * of one customer, so rows added in any order cost a few sequential passes
 * more, not a cache miss per row (issue 14). The analyses live in paths.c
 * (paths, transitions, attribution, satisfaction), funnel.c (funnels,
 * stages) and pain.c (pain points, drivers). With
 * cx_journeys_options_set_threads() the build's passes are cut into parts,
 * one a thread, with the same outcome whatever their count.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads, sysconf */
#include "journey_private.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void *cxi_jzalloc(cxi_mem *m, size_t n)
{
    void *p = cxi_alloc(m, n);
    if (p) {
        cxi_prefault_huge(p, n); /* tables by path or state: read at random */
        memset(p, 0, n);
    }
    return p;
}

static uint32_t set_code(const cx_store *s, int set, const char *name)
{
    return cxi_pool_find(&s->sets[set], name, strlen(name));
}

uint32_t cxi_jlevel_count(const cx_store *s, int level)
{
    switch (level) {
    case CX_JOURNEYS_LEVEL_CHANNEL: return s->sets[CX_VOCAB_CHANNEL].count;
    case CX_JOURNEYS_LEVEL_STAGE: return s->sets[CX_VOCAB_STAGE].count;
    default: return (uint32_t)s->t[CX_TABLE_TOUCHPOINTS].n;
    }
}

const char *cxi_jlevel_name(const cx_store *s, int level, uint32_t code)
{
    switch (level) {
    case CX_JOURNEYS_LEVEL_CHANNEL: return cxi_pool_str(&s->sets[CX_VOCAB_CHANNEL], code);
    case CX_JOURNEYS_LEVEL_STAGE: return cxi_pool_str(&s->sets[CX_VOCAB_STAGE], code);
    default: return cxi_pool_str(&s->keys[CX_TABLE_TOUCHPOINTS], code);
    }
}

/* The code of a name at a level; CX_ENOTFOUND (reported) when unknown. */
static int level_code(const char *fn, const cx_store *s, int level, const char *name, uint32_t *code)
{
    static const char *const what[] = {"touchpoint", "channel", "stage"};
    char qb[80];
    if (level < 0 || level > CX_JOURNEYS_LEVEL_STAGE)
        return cxi_fail(CX_EINVAL, "%s: level %d is not a cx_journeys_level", fn, level);
    if (!name || !*name)
        return cxi_fail(CX_EINVAL, "%s: %s name is NULL or empty", fn, what[level]);
    if (level == CX_JOURNEYS_LEVEL_TOUCHPOINT)
        *code = cxi_pool_find(&s->keys[CX_TABLE_TOUCHPOINTS], name, strlen(name));
    else
        *code = set_code(s, level == CX_JOURNEYS_LEVEL_CHANNEL ? CX_VOCAB_CHANNEL : CX_VOCAB_STAGE, name);
    if (*code == CXI_NONE)
        return cxi_fail(CX_ENOTFOUND, "%s: no %s %s in the store", fn, what[level], cxi_quote(qb, name));
    return CX_OK;
}

/* ---- options ------------------------------------------------------------- */


static void opts_default(const cx_store *s, cxi_jopts *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 1;
    uint32_t purchase = set_code(s, CX_VOCAB_INTERACTION_KIND, "purchase");
    if (purchase != CXI_NONE) {
        o->nconv = 1;
        o->conv[0].by = CX_CONVERSION_BY_KIND;
        o->conv[0].code = purchase;
    }
    /* post-purchase steps (journey.h says why retention is not one) */
    static const struct {
        int by, set;
        const char *name;
    } post[] = {
        {CX_POST_PURCHASE_BY_KIND, CX_VOCAB_INTERACTION_KIND, "delivery"},
        {CX_POST_PURCHASE_BY_TOUCHPOINT_KIND, CX_VOCAB_TOUCHPOINT_KIND, "logistics"},
        {CX_POST_PURCHASE_BY_STAGE, CX_VOCAB_STAGE, "onboarding"},
        {CX_POST_PURCHASE_BY_STAGE, CX_VOCAB_STAGE, "advocacy"},
        {CX_POST_PURCHASE_BY_STAGE, CX_VOCAB_STAGE, "service"},
    };
    for (size_t i = 0; i < sizeof post / sizeof post[0]; i++) {
        uint32_t code = set_code(s, post[i].set, post[i].name);
        if (code != CXI_NONE) {
            o->post[o->npost].by = post[i].by;
            o->post[o->npost++].code = code;
        }
    }
    o->boundary = CX_JOURNEYS_BOUNDARY_POST_PURCHASE;
    o->level = CX_JOURNEYS_LEVEL_TOUCHPOINT;
    o->conv_in_path = 1;
    o->contact_kind = set_code(s, CX_VOCAB_INTERACTION_KIND, "contact");
    o->repeat_window = 7 * CXI_MS_PER_DAY;
    o->half_life = 7 * CXI_MS_PER_DAY;
    o->pos_first = o->pos_last = 0.4;
    o->min_support = 30;
}

int cx_journeys_options_new(cx_journeys_options **out, const cx_store *store)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_journeys_options_new: out is NULL");
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "cx_journeys_options_new: store is NULL");
    cxi_mem m;
    cxi_mem_init(&m, store->mem.fn, store->mem.ud);
    cx_journeys_options *o = cxi_alloc(&m, sizeof *o);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_journeys_options_new: out of memory");
    o->mem = m;
    o->store = store;
    opts_default(store, &o->o);
    *out = o;
    return CX_OK;
}

void cx_journeys_options_free(cx_journeys_options *o)
{
    if (!o)
        return;
    cxi_mem m = o->mem;
    cxi_free(&m, o, sizeof *o);
}

static int conv_rule(const char *fn, const cx_journeys_options *o, cx_conversion_by by, const char *name,
                     cxi_jrule *r)
{
    char qb[80];
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    if ((int)by < CX_CONVERSION_BY_KIND || (int)by > CX_CONVERSION_BY_STAGE)
        return cxi_fail(CX_EINVAL, "%s: by = %d is not a cx_conversion_by", fn, (int)by);
    if (!name || !*name)
        return cxi_fail(CX_EINVAL, "%s: name is NULL or empty", fn);
    r->by = by;
    if (by == CX_CONVERSION_BY_KIND) {
        r->code = set_code(o->store, CX_VOCAB_INTERACTION_KIND, name);
        if (r->code == CXI_NONE)
            return cxi_fail(CX_ENOTFOUND, "%s: no interaction kind %s in the store", fn, cxi_quote(qb, name));
        return CX_OK;
    }
    return level_code(fn, o->store, by == CX_CONVERSION_BY_TOUCHPOINT ? CX_JOURNEYS_LEVEL_TOUCHPOINT
                                                                     : CX_JOURNEYS_LEVEL_STAGE,
                      name, &r->code);
}

/* Adds rule r to a list of at most max rules (nothing when it is there
 * already): the add_conversion and add_post_purchase setters. */
static int rule_add(cxi_jrule *list, int *n, int max, cxi_jrule r, const char *fn, const char *what)
{
    for (int i = 0; i < *n; i++)
        if (list[i].by == r.by && list[i].code == r.code)
            return CX_OK;
    if (*n >= max)
        return cxi_fail(CX_ELIMIT, "%s: more than %d %s rules", fn, max, what);
    list[(*n)++] = r;
    return CX_OK;
}

int cx_journeys_options_set_conversion(cx_journeys_options *o, cx_conversion_by by, const char *name)
{
    cxi_jrule r;
    int rc = conv_rule("cx_journeys_options_set_conversion", o, by, name, &r);
    if (rc)
        return rc;
    o->o.nconv = 1;
    o->o.conv[0] = r;
    return CX_OK;
}

int cx_journeys_options_add_conversion(cx_journeys_options *o, cx_conversion_by by, const char *name)
{
    cxi_jrule r;
    int rc = conv_rule("cx_journeys_options_add_conversion", o, by, name, &r);
    return rc ? rc
              : rule_add(o->o.conv, &o->o.nconv, CX_JOURNEYS_MAX_CONVERSIONS, r,
                         "cx_journeys_options_add_conversion", "conversion");
}

#define NEED_OPTS(fn)                                                                                              \
    if (!o)                                                                                                        \
    return cxi_fail(CX_EINVAL, fn ": options is NULL")

static int flag(const char *fn, const char *what, int v)
{
    if (v != 0 && v != 1)
        return cxi_fail(CX_EINVAL, "%s: %s = %d, expected 0 or 1", fn, what, v);
    return CX_OK;
}

int cx_journeys_options_set_gap(cx_journeys_options *o, int64_t gap_ms)
{
    NEED_OPTS("cx_journeys_options_set_gap");
    if (gap_ms < 0)
        return cxi_fail(CX_ERANGE, "cx_journeys_options_set_gap: gap %lld ms is negative", (long long)gap_ms);
    o->o.gap = gap_ms;
    return CX_OK;
}

int cx_journeys_options_set_cut_at_conversion(cx_journeys_options *o, int cut)
{
    NEED_OPTS("cx_journeys_options_set_cut_at_conversion");
    int rc = flag("cx_journeys_options_set_cut_at_conversion", "cut", cut);
    if (!rc)
        o->o.boundary = cut ? CX_JOURNEYS_BOUNDARY_CONVERSION : CX_JOURNEYS_BOUNDARY_GAP;
    return rc;
}

int cx_journeys_options_set_boundary(cx_journeys_options *o, cx_journeys_boundary boundary)
{
    NEED_OPTS("cx_journeys_options_set_boundary");
    if ((int)boundary < CX_JOURNEYS_BOUNDARY_CONVERSION || (int)boundary > CX_JOURNEYS_BOUNDARY_GAP)
        return cxi_fail(CX_EINVAL, "cx_journeys_options_set_boundary: boundary %d is not a cx_journeys_boundary",
                        (int)boundary);
    o->o.boundary = boundary;
    return CX_OK;
}

/* Resolves a post-purchase rule; CX_EINVAL or CX_ENOTFOUND, reported. */
static int post_rule(const char *fn, const cx_journeys_options *o, cx_post_purchase_by by, const char *name,
                     cxi_jrule *r)
{
    static const char *const what[] = {"stage", "touchpoint", "touchpoint kind", "interaction kind"};
    static const int set[] = {CX_VOCAB_STAGE, -1, CX_VOCAB_TOUCHPOINT_KIND, CX_VOCAB_INTERACTION_KIND};
    char qb[80];
    if (!o)
        return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);
    if ((int)by < CX_POST_PURCHASE_BY_STAGE || (int)by > CX_POST_PURCHASE_BY_KIND)
        return cxi_fail(CX_EINVAL, "%s: by = %d is not a cx_post_purchase_by", fn, (int)by);
    if (!name || !*name)
        return cxi_fail(CX_EINVAL, "%s: %s name is NULL or empty", fn, what[by]);
    r->by = by;
    r->code = by == CX_POST_PURCHASE_BY_TOUCHPOINT
                  ? cxi_pool_find(&o->store->keys[CX_TABLE_TOUCHPOINTS], name, strlen(name))
                  : set_code(o->store, set[by], name);
    if (r->code == CXI_NONE)
        return cxi_fail(CX_ENOTFOUND, "%s: no %s %s in the store", fn, what[by], cxi_quote(qb, name));
    return CX_OK;
}

int cx_journeys_options_set_post_purchase(cx_journeys_options *o, cx_post_purchase_by by, const char *name)
{
    cxi_jrule r;
    int rc = post_rule("cx_journeys_options_set_post_purchase", o, by, name, &r);
    if (rc)
        return rc;
    o->o.npost = 1;
    o->o.post[0] = r;
    return CX_OK;
}

int cx_journeys_options_add_post_purchase(cx_journeys_options *o, cx_post_purchase_by by, const char *name)
{
    cxi_jrule r = {0, 0};
    int rc = post_rule("cx_journeys_options_add_post_purchase", o, by, name, &r);
    return rc ? rc
              : rule_add(o->o.post, &o->o.npost, CX_JOURNEYS_MAX_POST_PURCHASE, r,
                         "cx_journeys_options_add_post_purchase", "post-purchase");
}

int cx_journeys_options_set_level(cx_journeys_options *o, cx_journeys_level level)
{
    NEED_OPTS("cx_journeys_options_set_level");
    if ((int)level < 0 || (int)level > CX_JOURNEYS_LEVEL_STAGE)
        return cxi_fail(CX_EINVAL, "cx_journeys_options_set_level: level %d is not a cx_journeys_level", (int)level);
    o->o.level = level;
    return CX_OK;
}

int cx_journeys_options_set_collapse(cx_journeys_options *o, int collapse)
{
    NEED_OPTS("cx_journeys_options_set_collapse");
    int rc = flag("cx_journeys_options_set_collapse", "collapse", collapse);
    if (!rc)
        o->o.collapse = collapse;
    return rc;
}

int cx_journeys_options_set_conversion_in_path(cx_journeys_options *o, int in_path)
{
    NEED_OPTS("cx_journeys_options_set_conversion_in_path");
    int rc = flag("cx_journeys_options_set_conversion_in_path", "in_path", in_path);
    if (!rc)
        o->o.conv_in_path = in_path;
    return rc;
}

int cx_journeys_options_set_repeat_contacts(cx_journeys_options *o, const char *kind, int64_t window_ms)
{
    char qb[80];
    NEED_OPTS("cx_journeys_options_set_repeat_contacts");
    if (!kind || !*kind)
        return cxi_fail(CX_EINVAL, "cx_journeys_options_set_repeat_contacts: kind is NULL or empty");
    uint32_t k = set_code(o->store, CX_VOCAB_INTERACTION_KIND, kind);
    if (k == CXI_NONE)
        return cxi_fail(CX_ENOTFOUND, "cx_journeys_options_set_repeat_contacts: no interaction kind %s in the store",
                        cxi_quote(qb, kind));
    if (window_ms <= 0)
        return cxi_fail(CX_ERANGE, "cx_journeys_options_set_repeat_contacts: window %lld ms is not > 0",
                        (long long)window_ms);
    o->o.contact_kind = k;
    o->o.repeat_window = window_ms;
    return CX_OK;
}

int cx_journeys_options_set_half_life(cx_journeys_options *o, int64_t half_life_ms)
{
    NEED_OPTS("cx_journeys_options_set_half_life");
    if (half_life_ms <= 0)
        return cxi_fail(CX_ERANGE, "cx_journeys_options_set_half_life: half-life %lld ms is not > 0",
                        (long long)half_life_ms);
    o->o.half_life = half_life_ms;
    return CX_OK;
}

int cx_journeys_options_set_position_weights(cx_journeys_options *o, double first, double last)
{
    NEED_OPTS("cx_journeys_options_set_position_weights");
    if (!isfinite(first) || !isfinite(last))
        return cxi_fail(CX_EINVAL, "cx_journeys_options_set_position_weights: weights must be finite");
    if (first < 0 || last < 0 || first + last > 1)
        return cxi_fail(CX_ERANGE,
                        "cx_journeys_options_set_position_weights: first %g and last %g must be >= 0 with a sum <= 1",
                        first, last);
    o->o.pos_first = first;
    o->o.pos_last = last;
    return CX_OK;
}

int cx_journeys_options_set_min_support(cx_journeys_options *o, int64_t min_n)
{
    NEED_OPTS("cx_journeys_options_set_min_support");
    if (min_n < 1)
        return cxi_fail(CX_ERANGE, "cx_journeys_options_set_min_support: %lld is not >= 1", (long long)min_n);
    o->o.min_support = min_n;
    return CX_OK;
}

int cx_journeys_options_set_threads(cx_journeys_options *o, int threads)
{
    NEED_OPTS("cx_journeys_options_set_threads");
    if (threads < 0 || threads > 1024)
        return cxi_fail(CX_EINVAL, "cx_journeys_options_set_threads: %d is not a thread count (0 to 1024)", threads);
    o->o.threads = threads;
    return CX_OK;
}

/* ---- funnels ------------------------------------------------------------- */

int cx_funnel_new(cx_funnel **out, const cx_store *store)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_funnel_new: out is NULL");
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "cx_funnel_new: store is NULL");
    cxi_mem m;
    cxi_mem_init(&m, store->mem.fn, store->mem.ud);
    cx_funnel *f = cxi_jzalloc(&m, sizeof *f);
    if (!f)
        return cxi_fail(CX_ENOMEM, "cx_funnel_new: out of memory");
    f->mem = m;
    f->store = store;
    *out = f;
    return CX_OK;
}

void cx_funnel_free(cx_funnel *f)
{
    if (!f)
        return;
    cxi_mem m = f->mem;
    cxi_free(&m, f, sizeof *f);
}

static int funnel_step(const char *fn, cx_funnel *f, int level, const char *name, cxi_fstep *st)
{
    if (!f)
        return cxi_fail(CX_EINVAL, "%s: funnel is NULL", fn);
    int rc = level_code(fn, f->store, level, name, &st->code);
    if (rc)
        return rc;
    st->level = level;
    st->name = cxi_jlevel_name(f->store, level, st->code);
    return CX_OK;
}

int cx_funnel_add_step(cx_funnel *f, cx_journeys_level level, const char *name)
{
    cxi_fstep st;
    int rc = funnel_step("cx_funnel_add_step", f, level, name, &st);
    if (rc)
        return rc;
    if (f->nsteps >= CX_FUNNEL_MAX_STEPS)
        return cxi_fail(CX_ELIMIT, "cx_funnel_add_step: more than %d steps", CX_FUNNEL_MAX_STEPS);
    f->steps[f->nsteps++] = st;
    return CX_OK;
}

int cx_funnel_add_exclusion(cx_funnel *f, cx_journeys_level level, const char *name)
{
    cxi_fstep st;
    int rc = funnel_step("cx_funnel_add_exclusion", f, level, name, &st);
    if (rc)
        return rc;
    if (f->nexcl >= CX_FUNNEL_MAX_EXCLUSIONS)
        return cxi_fail(CX_ELIMIT, "cx_funnel_add_exclusion: more than %d exclusions", CX_FUNNEL_MAX_EXCLUSIONS);
    f->excl[f->nexcl++] = st;
    return CX_OK;
}

int cx_funnel_set_window(cx_funnel *f, int64_t window_ms)
{
    if (!f)
        return cxi_fail(CX_EINVAL, "cx_funnel_set_window: funnel is NULL");
    if (window_ms < 0)
        return cxi_fail(CX_ERANGE, "cx_funnel_set_window: window %lld ms is negative", (long long)window_ms);
    f->window = window_ms;
    return CX_OK;
}

int cx_funnel_set_strict(cx_funnel *f, int strict)
{
    if (!f)
        return cxi_fail(CX_EINVAL, "cx_funnel_set_strict: funnel is NULL");
    int rc = flag("cx_funnel_set_strict", "strict", strict);
    if (!rc)
        f->strict = strict;
    return rc;
}

/* ---- sequences hash ------------------------------------------------------ */

void cxi_seqmap_init(cxi_seqmap *m, const uint32_t *base)
{
    memset(m, 0, sizeof *m);
    m->base = base;
}

void cxi_seqmap_free(cxi_mem *mem, cxi_seqmap *m)
{
    cxi_free(mem, m->off, m->cap * sizeof(uint32_t));
    cxi_free(mem, m->len, m->cap * sizeof(uint32_t));
    cxi_free(mem, m->slots, m->nslots * sizeof *m->slots);
    cxi_seqmap_init(m, m->base);
}

static uint32_t seq_hash(const uint32_t *s, uint32_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    for (uint32_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0xff51afd7ed558ccdu;
        h ^= h >> 31;
    }
    return (uint32_t)(h ^ h >> 32);
}

/* Puts (h, id + 1) in the first free slot from h's. */
static void seq_put(cxi_seqslot *sl, size_t mask, uint32_t h, uint32_t id1)
{
    size_t i = h & mask;
    while (sl[i].id1)
        i = (i + 1) & mask;
    sl[i].h = h;
    sl[i].id1 = id1;
}

void cxi_seqmap_truncate(cxi_seqmap *m, size_t n)
{
    if (n >= m->n)
        return;
    m->n = n;
    if (!m->nslots)
        return;
    memset(m->slots, 0, m->nslots * sizeof *m->slots);
    for (size_t g = 0; g < n; g++)
        seq_put(m->slots, m->nslots - 1, seq_hash(m->base + m->off[g], m->len[g]), (uint32_t)(g + 1));
}

/* The slots for `need` sequences: at most 3/4 full. CX_ENOMEM. The stored
 * hashes move the slots without reading the sequences. */
static int seq_slots(cxi_mem *mem, cxi_seqmap *m, size_t need)
{
    size_t ns = m->nslots ? m->nslots : 128;
    while (need > ns / 4 * 3)
        ns *= 2;
    if (ns == m->nslots)
        return CX_OK;
    cxi_seqslot *sl = cxi_jzalloc(mem, ns * sizeof *sl);
    if (!sl)
        return CX_ENOMEM;
    for (size_t i = 0; i < m->nslots; i++)
        if (m->slots[i].id1)
            seq_put(sl, ns - 1, m->slots[i].h, m->slots[i].id1);
    cxi_free(mem, m->slots, m->nslots * sizeof *sl);
    m->slots = sl;
    m->nslots = ns;
    return CX_OK;
}

int cxi_seqmap_reserve(cxi_mem *mem, cxi_seqmap *m, size_t n)
{
    if (n > m->cap) {
        uint32_t *off = cxi_alloc(mem, n * sizeof *off), *len = cxi_alloc(mem, n * sizeof *len);
        if (!off || !len) {
            cxi_free(mem, off, n * sizeof *off);
            cxi_free(mem, len, n * sizeof *len);
            return CX_ENOMEM;
        }
        cxi_prefault_huge(off, n * sizeof *off); /* read by id */
        cxi_prefault_huge(len, n * sizeof *len);
        if (m->n) {
            memcpy(off, m->off, m->n * sizeof *off);
            memcpy(len, m->len, m->n * sizeof *len);
        }
        cxi_free(mem, m->off, m->cap * sizeof *off);
        cxi_free(mem, m->len, m->cap * sizeof *len);
        m->off = off;
        m->len = len;
        m->cap = n;
    }
    return seq_slots(mem, m, n);
}

int cxi_seqmap_get(cxi_mem *mem, cxi_seqmap *m, uint32_t off, uint32_t len, uint32_t *id)
{
    const uint32_t *s = m->base + off;
    uint32_t h = seq_hash(s, len);
    if (m->nslots) {
        for (size_t i = h & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
            cxi_seqslot v = m->slots[i];
            if (!v.id1)
                break;
            if (v.h != h || m->len[v.id1 - 1] != len)
                continue;
            const uint32_t *t = m->base + m->off[v.id1 - 1];
            uint32_t k = 0;
            while (k < len && t[k] == s[k])
                k++;
            if (k == len) {
                *id = v.id1 - 1;
                return CX_OK;
            }
        }
    }
    if (m->n >= CXI_MAX_ROWS)
        return CX_ELIMIT;
    void *const arrs[] = {&m->off, &m->len};
    const size_t elems[] = {sizeof *m->off, sizeof *m->len};
    if (cxi_grow_all(mem, &m->cap, m->n + 1, 2, arrs, elems))
        return CX_ENOMEM;
    if (seq_slots(mem, m, m->n + 1))
        return CX_ENOMEM;
    m->off[m->n] = off;
    m->len[m->n] = len;
    seq_put(m->slots, m->nslots - 1, h, (uint32_t)(m->n + 1));
    *id = (uint32_t)m->n++;
    return CX_OK;
}

/* ---- shared helpers ------------------------------------------------------ */

typedef struct jname_ctx {
    const cx_store *store;
    int level;
} jname_ctx;

static const char *jname(const void *ctx, uint32_t code)
{
    const jname_ctx *x = ctx;
    return cxi_jlevel_name(x->store, x->level, code);
}

int cxi_jpath_label(cxi_mem *m, char **buf, size_t *cap, const cx_journeys *j, const uint32_t *st, size_t n,
                    const char *sep)
{
    jname_ctx ctx = {j->store, j->o.level};
    return cxi_join_states(m, buf, cap, jname, &ctx, st, n, sep);
}

uint32_t cxi_fb_touchpoint(const cx_store *s, uint32_t fb)
{
    uint32_t tp = cxi_codes_at(cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_TOUCHPOINT), fb);
    if (tp != CXI_NONE)
        return tp;
    uint32_t in = CXI_COL(s, CX_TABLE_FEEDBACK, FB_INTERACTION, uint32_t)[fb];
    if (in == CXI_NONE || in >= s->t[CX_TABLE_INTERACTIONS].n)
        return CXI_NONE;
    return cxi_codes_at(cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT), in);
}

bool cxi_fb_classify(const cx_store *s, uint32_t fb, cxi_fbclass *c)
{
    uint32_t q = cxi_codes_at(cxi_codes_col(s, CX_TABLE_FEEDBACK, FB_QUESTION), fb);
    int metric = CXI_COL(s, CX_TABLE_QUESTIONS, QU_METRIC, uint8_t)[q];
    double v = cxi_vcol_at(cxi_vcol_of(s, CX_TABLE_FEEDBACK, FB_SCORE), fb);
    double lo = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MIN, double)[q];
    double hi = CXI_COL(s, CX_TABLE_QUESTIONS, QU_MAX, double)[q];
    double o = CXI_COL(s, CX_TABLE_QUESTIONS, QU_HIB, uint8_t)[q] ? v : lo + hi - v;
    c->metric = metric;
    switch (metric) {
    case CX_METRIC_NPS:
        c->good = v >= 9;
        c->bad = v <= 6;
        c->std = v;
        return true;
    case CX_METRIC_CSAT:
        c->good = o >= hi - 1;
        c->bad = !c->good;
        c->std = 1 + (o - lo) * 4 / (hi - lo);
        return true;
    case CX_METRIC_CES:
        c->good = o > (lo + hi) / 2;
        c->bad = !c->good;
        c->std = 1 + (o - lo) * 6 / (hi - lo);
        return true;
    default: return false;
    }
}

void cxi_sat_add(cxi_sat *a, const cxi_fbclass *c)
{
    switch (c->metric) {
    case CX_METRIC_NPS:
        a->nps_n++;
        a->prom += (uint64_t)c->good;
        a->det += (uint64_t)c->bad;
        break;
    case CX_METRIC_CSAT:
        a->csat_n++;
        a->csat_good += (uint64_t)c->good;
        a->csat_sum += c->std;
        break;
    case CX_METRIC_CES:
        a->ces_n++;
        a->ces_sum += c->std;
        break;
    default: break;
    }
}

double cxi_sat_nps(const cxi_sat *a)
{
    return a->nps_n ? 100.0 * ((double)a->prom - (double)a->det) / (double)a->nps_n : NAN;
}
double cxi_sat_csat(const cxi_sat *a) { return a->csat_n ? 100.0 * (double)a->csat_good / (double)a->csat_n : NAN; }
double cxi_sat_csat_mean(const cxi_sat *a) { return a->csat_n ? a->csat_sum / (double)a->csat_n : NAN; }
double cxi_sat_ces(const cxi_sat *a) { return a->ces_n ? a->ces_sum / (double)a->ces_n : NAN; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cxi_jmedian(double *v, size_t n)
{
    if (!n)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif
/* How many answers ahead each step of cxi_j_feedback_journeys fetches. */
#define FB_AHEAD 8

int cxi_j_feedback_journeys(const cx_journeys *j, cxi_mem *m, uint32_t **out)
{
    const cx_store *s = j->store;
    size_t nf = s->t[CX_TABLE_FEEDBACK].n;
    uint32_t *fj = cxi_alloc(m, (nf ? nf : 1) * sizeof *fj);
    if (!fj)
        return CX_ENOMEM;
    const uint32_t *fcu = CXI_COL(s, CX_TABLE_FEEDBACK, FB_CUSTOMER, uint32_t);
    const cxi_icol ft = cxi_icol_of(s, CX_TABLE_FEEDBACK, FB_TIME);
    for (size_t i = 0; i < nf; i++) {
        /* answers in any order read the index at random: fetch ahead the
         * customer's journeys, then the first one's offset, then its time */
        if (i + 3 * FB_AHEAD < nf && fcu[i + 3 * FB_AHEAD] < j->ncust)
            PREFETCH(&j->cust_j[fcu[i + 3 * FB_AHEAD]]);
        if (i + 2 * FB_AHEAD < nf && fcu[i + 2 * FB_AHEAD] < j->ncust)
            PREFETCH(&j->j_off[j->cust_j[fcu[i + 2 * FB_AHEAD]]]);
        if (i + FB_AHEAD < nf && fcu[i + FB_AHEAD] < j->ncust) {
            size_t q = j->j_off[j->cust_j[fcu[i + FB_AHEAD]]];
            PREFETCH(j->tq ? (const void *)&j->tq[q] : (const void *)&j->tq32[q]);
        }
        uint32_t c = fcu[i];
        fj[i] = CXI_NONE;
        if (c >= j->ncust)
            continue;
        /* the last journey of the customer started at or before the answer */
        uint32_t lo = j->cust_j[c], hi = j->cust_j[c + 1];
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (cxi_j_time(j, j->j_off[mid]) <= cxi_icol_at(ft, i))
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > j->cust_j[c])
            fj[i] = lo - 1;
    }
    *out = fj;
    return CX_OK;
}

int cxi_j_check(const char *fn, const void *out, const cx_journeys *j)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    if (!j)
        return cxi_fail(CX_EINVAL, "%s: journeys is NULL", fn);
    if (j->store->t[CX_TABLE_INTERACTIONS].n != j->nev || j->store->t[CX_TABLE_TOUCHPOINTS].n != j->ntp)
        return cxi_fail(CX_EINVAL, "%s: the store changed since the journeys were built; build them again", fn);
    return CX_OK;
}

/* ---- build --------------------------------------------------------------- */

void cx_journeys_free(cx_journeys *j)
{
    if (!j)
        return;
    cxi_mem *m = &j->mem;
    size_t nj1 = j->nj ? j->nj : 1;
    cxi_free(m, j->cust_off, (j->ncust + 1) * sizeof(uint32_t));
    cxi_free(m, j->cust_j, (j->ncust + 1) * sizeof(uint32_t));
    if (j->tq_bytes) /* else the store's column */
        cxi_free(m, j->tq32 ? (void *)j->tq32 : (void *)j->tq, j->tq_bytes);
    cxi_free(m, j->wq, j->wq_bytes);
    cxi_free(m, j->j_off, (j->nj + 1) * sizeof(uint32_t));
    cxi_free(m, j->p_off, (j->nj + 1) * sizeof(uint32_t));
    if (!j->st_in_spare)
        cxi_free(m, j->st, (j->nst ? j->nst : 1) * sizeof(uint32_t));
    cxi_free(m, j->j_conv, nj1);
    cxi_free(m, j->j_cend, nj1 * sizeof(uint32_t));
    cxi_free(m, j->p_cend, nj1 * sizeof(uint32_t));
    cxi_free(m, j->j_cv, (j->nj + 1) * sizeof(uint32_t));
    cxi_free(m, j->cval, (j->ncv ? j->ncv : 1) * sizeof(double));
    cxi_free(m, j->lvl, (j->ntp ? j->ntp : 1) * sizeof(uint32_t));
    cxi_free(m, j->conv_tp, j->ntp ? j->ntp : 1);
    cxi_free(m, j->conv_kind, j->nkind ? j->nkind : 1);
    cxi_free(m, j->post_tp, j->ntp ? j->ntp : 1);
    cxi_free(m, j->post_kind, j->nkind ? j->nkind : 1);
    cxi_mem keep = j->mem;
    cxi_free(&keep, j, sizeof *j);
}

/* Interactions of one customer at the same time are ordered by what they
 * are, not by where they were stored: a conversion after the touches it
 * closes, then by touchpoint name, then by the source system's id (none
 * first), then by what the journeys keep of them (the word's flags: a
 * post-purchase step, a repeat contact; the value), and by row only when
 * they differ in none of that, where their order changes nothing the
 * analyses read. So the same records in any order, shuffled or split into
 * files, cut the same journeys with the same values. */
typedef struct tpair {
    cx_time t;
    uint32_t row, word, at; /* at: the caller's */
    uint32_t key;           /* the key of its id (CXI_NONE: none), its text read when compared */
    bool conv;
    double value;
    const char *tp;
    const cx_store *s;
} tpair;

static int cmp_tie(const tpair *x, const tpair *y)
{
    if (x->conv != y->conv)
        return x->conv ? 1 : -1;
    int c = strcmp(x->tp, y->tp);
    if (c)
        return c;
    if (x->key != y->key) {
        if (x->key == CXI_NONE || y->key == CXI_NONE)
            return x->key != CXI_NONE ? 1 : -1;
        /* the ids' text: numbers after cx_store_compact are written out */
        char bx[CXI_EID_BUF], by[CXI_EID_BUF];
        uint32_t lx, ly;
        const char *ix = cxi_eid_text(x->s, CX_TABLE_INTERACTIONS, x->key, bx, &lx);
        const char *iy = cxi_eid_text(y->s, CX_TABLE_INTERACTIONS, y->key, by, &ly);
        if ((c = strcmp(ix, iy)))
            return c;
    }
    if (x->word != y->word)
        return (x->word > y->word) - (x->word < y->word);
    if (x->value != y->value) /* finite: the store refuses any other */
        return (x->value > y->value) - (x->value < y->value);
    return (x->row > y->row) - (x->row < y->row);
}

static int cmp_tpair(const void *a, const void *b)
{
    const tpair *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return cmp_tie(x, y);
}

static void tpair_of(tpair *p, const cx_journeys *j, uint32_t row, uint32_t word)
{
    const cx_store *s = j->store;
    p->conv = cxi_j_is_conv(j, row);
    const cxi_codes tp = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT);
    p->row = row;
    p->word = word;
    p->t = cxi_icol_at(cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_TIME), row);
    p->value = cxi_vcol_at(cxi_vcol_of(s, CX_TABLE_INTERACTIONS, IN_VALUE), row);
    p->tp = cxi_pool_str(&s->keys[CX_TABLE_TOUCHPOINTS], cxi_codes_at(tp, row));
    p->key = cxi_row_eid(s, CX_TABLE_INTERACTIONS, row);
    p->s = s;
}

#define W_CONV CXI_W_CONV
#define W_POST CXI_W_POST
#define W_CONTACT CXI_W_CONTACT
#define W_TP CXI_W_TP

/* Where the cut reads the events in index order: their words, and their
 * times as t64[q], or tbase + t32[q - toff] * tstep (toff: the sort writes
 * a part's 32-bit times from its first event on, bs_sort). */
typedef struct jview {
    const uint32_t *wq;
    const uint32_t *t32;
    const cx_time *t64;
    size_t toff;
    cx_time tbase, tstep;
} jview;

static jview view_of(const cx_journeys *j)
{
    return (jview){j->wq, j->tq32, j->tq, 0, j->tbase, j->tstep};
}

static inline cx_time view_time(const jview *v, size_t q)
{
    return v->t64 ? v->t64[q] : v->tbase + (cx_time)v->t32[q - v->toff] * v->tstep;
}

/* Whether the event at position q (> the journey's first, p) starts the
 * next journey; `conv` says whether the journey holds a conversion so far. */
static bool starts_next(const cx_journeys *j, const jview *v, uint32_t q, bool conv)
{
    if (j->o.gap > 0 && view_time(v, q) - view_time(v, q - 1) > j->o.gap)
        return true;
    switch (j->o.boundary) {
    case CX_JOURNEYS_BOUNDARY_CONVERSION: return (v->wq[q - 1] & W_CONV) != 0;
    case CX_JOURNEYS_BOUNDARY_POST_PURCHASE: return conv && !(v->wq[q] & W_POST);
    default: return false;
    }
}

/* Where a cut is: the journeys, path states and conversion events before
 * it, and the converting journeys among them. */
typedef struct cut_at {
    size_t nj, nst, ncv, nconv;
} cut_at;

/* Cuts the journeys of customer c, whose events are a .. b - 1 in v, and
 * writes their paths; counts only when `fill` is false. `at` says where
 * the first of them starts and is moved past the last. A journey is found
 * first (its end and its last conversion), then its states are written:
 * conversions left out of the path unless asked for, except the last one
 * when no state comes before it. */
static inline void cut_customer(cx_journeys *j, const jview *v, bool fill, size_t c, uint32_t a, uint32_t b,
                                cut_at *at)
{
    const uint32_t *wq = v->wq;
    size_t nj = at->nj, nst = at->nst, nconv = at->nconv, ncv = at->ncv;
    if (fill)
        j->cust_j[c] = (uint32_t)nj;
    uint32_t p = a;
    while (p < b) {
        /* one journey from p to end; lc its last conversion */
        uint32_t end = p, lc = CXI_NONE;
        for (; end < b; end++) {
            if (end > p && starts_next(j, v, end, lc != CXI_NONE))
                break;
            if (wq[end] & W_CONV)
                lc = end;
        }
        uint32_t emitted = 0, last = CXI_NONE, pc = 0;
        if (fill) {
            j->j_off[nj] = p;
            j->p_off[nj] = (uint32_t)nst;
            j->j_cv[nj] = (uint32_t)ncv;
        }
        for (uint32_t q = p; q < end; q++) {
            uint32_t w = wq[q], code = j->lvl[w & W_TP];
            ncv += (w & W_CONV) != 0;
            bool skip = !j->o.conv_in_path && (w & W_CONV) && !(q == lc && emitted == 0);
            if (!skip && !(j->o.collapse && emitted && code == last)) {
                if (fill)
                    j->st[nst] = code;
                nst++;
                emitted++;
                last = code;
            }
            if (q == lc)
                pc = emitted;
        }
        if (lc == CXI_NONE)
            pc = emitted;
        if (fill) {
            j->j_conv[nj] = lc != CXI_NONE;
            j->j_cend[nj] = lc != CXI_NONE ? lc + 1 : end;
            j->p_cend[nj] = j->p_off[nj] + pc;
        }
        nconv += lc != CXI_NONE;
        nj++;
        p = end;
    }
    *at = (cut_at){nj, nst, ncv, nconv};
}

/* What the sort in buckets counted of the cut (bs_sort), so that the cut
 * has no counting pass of its own: at[b], the journeys, states and
 * conversions of the customers of bucket b (from b << sh). */
typedef struct bucket_cuts {
    cut_at *at;
    size_t nb;
    unsigned sh;
} bucket_cuts;

/* cut_customer for customers c0 .. c1 - 1, from the index. */
static void cut_range(cx_journeys *j, bool fill, size_t c0, size_t c1, cut_at *at)
{
    const jview v = view_of(j);
    for (size_t c = c0; c < c1; c++)
        cut_customer(j, &v, fill, c, j->cust_off[c], j->cust_off[c + 1], at);
}

#define NEW_FN "cx_journeys_new"

/* The per-touchpoint and per-kind lookups: each touchpoint's level code,
 * and which touchpoints and kinds convert. */
static void build_lookups(cx_journeys *j)
{
    const cx_store *s = j->store;
    const uint32_t *tch = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t);
    const uint32_t *tst = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_STAGE, uint32_t);
    for (size_t t = 0; t < j->ntp; t++)
        j->lvl[t] = j->o.level == CX_JOURNEYS_LEVEL_CHANNEL ? tch[t]
                    : j->o.level == CX_JOURNEYS_LEVEL_STAGE ? tst[t]
                                                            : (uint32_t)t;
    for (int i = 0; i < j->o.nconv; i++) {
        const cxi_jrule *r = &j->o.conv[i];
        if (r->by == CX_CONVERSION_BY_KIND && r->code < j->nkind)
            j->conv_kind[r->code] = 1;
        for (size_t t = 0; t < j->ntp; t++)
            if ((r->by == CX_CONVERSION_BY_TOUCHPOINT && r->code == t) ||
                (r->by == CX_CONVERSION_BY_STAGE && r->code == tst[t]))
                j->conv_tp[t] = 1;
    }
    const uint32_t *tkind = CXI_COL(s, CX_TABLE_TOUCHPOINTS, TP_KIND, uint32_t);
    for (int i = 0; i < j->o.npost; i++) {
        const cxi_jrule *r = &j->o.post[i];
        if (r->by == CX_POST_PURCHASE_BY_KIND && r->code < j->nkind)
            j->post_kind[r->code] = 1;
        for (size_t t = 0; t < j->ntp; t++)
            if ((r->by == CX_POST_PURCHASE_BY_TOUCHPOINT && r->code == t) ||
                (r->by == CX_POST_PURCHASE_BY_STAGE && r->code == tst[t]) ||
                (r->by == CX_POST_PURCHASE_BY_TOUCHPOINT_KIND && r->code == tkind[t]))
                j->post_tp[t] = 1;
    }
}


/* ---- parts: the build on several threads ---------------------------------- */

/* The fewest events worth a part (cx_journeys_options_set_threads()). */
#define JPART_EVENTS 16384

typedef struct jpart_arg {
    jpart_fn fn;
    void *ctx;
    size_t t;
} jpart_arg;

static void *jpart_main(void *p)
{
    jpart_arg *a = p;
    a->fn(a->ctx, a->t);
    return NULL;
}

/* Runs fn(ctx, t) for every t < np: part 0 on the calling thread, each
 * other on a thread of its own, joined before the return. A part whose
 * thread does not start runs on the calling thread after part 0: the parts
 * of a pass are independent, so the outcome is the same. */
void cxi_jrun_parts(size_t np, jpart_fn fn, void *ctx)
{
    pthread_t th[JPART_MAX];
    jpart_arg args[JPART_MAX];
    bool started[JPART_MAX];
    for (size_t t = 1; t < np; t++) {
        args[t] = (jpart_arg){fn, ctx, t};
        started[t] = pthread_create(&th[t], NULL, jpart_main, &args[t]) == 0;
    }
    fn(ctx, 0);
    for (size_t t = 1; t < np; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn(ctx, t);
    }
}

/* How many parts the build's passes are cut into: the thread count asked
 * for, no more than JPART_MAX nor one per JPART_EVENTS events. */
size_t cxi_jthreads(int threads)
{
    long t = threads;
    if (t <= 0) {
        t = sysconf(_SC_NPROCESSORS_ONLN);
        t = t < 1 ? 1 : t;
    }
    return (size_t)t < JPART_MAX ? (size_t)t : JPART_MAX;
}

static size_t parts_of(const cx_journeys *j)
{
    size_t np = cxi_jthreads(j->o.threads), most = j->nev / JPART_EVENTS;
    np = np < most ? np : most;
    return np ? np : 1;
}

/* The first i <= n with off[i] >= at (off ascending): where a part of the
 * events starts among customers or buckets. */
static size_t first_at(const uint32_t *off, size_t n, uint64_t at)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (off[mid] < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Part t of n things cut into np: [n t / np, n (t + 1) / np). */
static size_t part_start(size_t n, size_t np, size_t t)
{
    return (size_t)((uint64_t)n * t / np);
}

/* Faults in elem-byte entries [a, b) of array p (cxi_prefault). */
static void prefault_slice(void *p, size_t elem, size_t a, size_t b)
{
    if (p && b > a)
        cxi_prefault((char *)p + a * elem, (b - a) * elem);
}

/* ---- the order of the events --------------------------------------------- */

/* The events a bucket is meant to hold: its scratch (16 bytes an event)
 * stays in the second-level cache while it is sorted, and the pass that
 * fills the buckets writes to few enough places at once. */
#define BUCKET_EVENTS 32768
/* One customer's events are insertion-sorted up to this many, heap-sorted
 * beyond. */
#define INSERTION_MAX 48

static unsigned bit_width(uint64_t v)
{
    unsigned b = 0;
    for (; v; v >>= 1)
        b++;
    return b;
}

/* What the word of an event is made of: the store's columns and, by
 * touchpoint row and by kind code, its flags (F_*), so that a word is
 * computed without a branch (word_of). */
#define F_CONV 1u    /* converts (when handled) */
#define F_POST 2u    /* a post-purchase rule matches */
#define F_CONTACT 4u /* the repeat-contact kind (when inbound) */
typedef struct wsrc {
    cxi_codes tp, kind; /* 1, 2 or 4 bytes a row (cxi_code_col) */
    const uint8_t *outcome, *dir;
    uint8_t *ftp, *fkind;
    size_t ntp, nkind;
} wsrc;

static int wsrc_init(cx_journeys *j, wsrc *x)
{
    const cx_store *s = j->store;
    x->tp = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT);
    x->kind = cxi_codes_col(s, CX_TABLE_INTERACTIONS, IN_KIND);
    x->outcome = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_OUTCOME, uint8_t);
    x->dir = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_DIRECTION, uint8_t);
    x->ntp = j->ntp;
    x->nkind = j->nkind;
    x->ftp = cxi_alloc(&j->mem, x->ntp ? x->ntp : 1);
    x->fkind = cxi_alloc(&j->mem, x->nkind ? x->nkind : 1);
    if (!x->ftp || !x->fkind)
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory");
    for (size_t t = 0; t < x->ntp; t++)
        x->ftp[t] = (uint8_t)((j->conv_tp[t] ? F_CONV : 0) | (j->post_tp[t] ? F_POST : 0));
    for (size_t k = 0; k < x->nkind; k++)
        x->fkind[k] = (uint8_t)((j->conv_kind[k] ? F_CONV : 0) | (j->post_kind[k] ? F_POST : 0) |
                                (k == j->o.contact_kind ? F_CONTACT : 0));
    return CX_OK;
}

static void wsrc_free(cx_journeys *j, wsrc *x)
{
    cxi_free(&j->mem, x->ftp, x->ntp ? x->ntp : 1);
    cxi_free(&j->mem, x->fkind, x->nkind ? x->nkind : 1);
}

/* The word of interaction row r (journey_private.h): its touchpoint, and
 * whether it converts (cxi_j_is_conv), is a post-purchase step
 * (cxi_j_is_post) or an inbound contact of the repeat-contact kind. Read in
 * row order, from the store's columns. */
static inline uint32_t word_of(const wsrc *x, uint32_t r)
{
    uint32_t tp = cxi_codes_at(x->tp, r), k = cxi_codes_at(x->kind, r);
    unsigned f = (tp < x->ntp ? x->ftp[tp] : 0u) | (k < x->nkind ? x->fkind[k] : 0u);
    uint32_t conv = (f & F_CONV) & (uint32_t)(x->outcome[r] == CX_HANDLED);
    uint32_t post = (f >> 1 & 1u) & (conv ^ 1u);
    uint32_t contact = (f >> 2 & 1u) & (uint32_t)(x->dir[r] == CX_INBOUND);
    return tp | conv << 31 | post << 30 | contact << 29;
}

static void sift_u64(uint64_t *a, size_t i, size_t n)
{
    uint64_t v = a[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && a[c] < a[c + 1])
            c++;
        if (v >= a[c])
            break;
        a[i] = a[c];
        i = c;
    }
    a[i] = v;
}

/* One customer's keys from in[0..n) sorted into out[0..n), n <= RANK_MAX:
 * each key goes to its rank (the keys differ), counted without a branch,
 * which costs fewer cycles than an insertion sort's mispredicted exits. */
#define RANK_MAX 32
static void rank_u64(const uint64_t *in, uint64_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t v = in[i];
        size_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, k = 0; /* four sums: no chain of carries */
        for (; k + 4 <= n; k += 4) {
            r0 += in[k] < v;
            r1 += in[k + 1] < v;
            r2 += in[k + 2] < v;
            r3 += in[k + 3] < v;
        }
        for (; k < n; k++)
            r0 += in[k] < v;
        out[r0 + r1 + r2 + r3] = v;
    }
}

/* Sorts a[0..n): no allocation, O(n log n) however long. */
static void sort_u64(uint64_t *a, size_t n)
{
    if (n <= INSERTION_MAX) {
        for (size_t i = 1; i < n; i++) {
            uint64_t v = a[i];
            size_t k = i;
            for (; k > 0 && v < a[k - 1]; k--)
                a[k] = a[k - 1];
            a[k] = v;
        }
        return;
    }
    for (size_t i = n / 2; i-- > 0;)
        sift_u64(a, i, n);
    for (size_t e = n - 1; e > 0; e--) {
        uint64_t t = a[0];
        a[0] = a[e];
        a[e] = t;
        sift_u64(a, 0, e);
    }
}

/* The scratch of the runs of events at the same time, grown to the longest
 * run; freed by the build. */
typedef struct ties {
    tpair *tp;
    size_t cap;
    cxi_mem *m; /* the handle's, or a part's of its own (bs_sort) */
} ties;

static int ties_reserve(ties *t, size_t len)
{
    if (len <= t->cap)
        return CX_OK;
    tpair *nt = cxi_realloc(t->m, t->tp, t->cap * sizeof *nt, len * sizeof *nt);
    if (!nt)
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory ordering events at the same time");
    t->tp = nt;
    t->cap = len;
    return CX_OK;
}

/* Puts each run of events at the same time in one customer's a[0..n) (sorted:
 * time << ib | x, x the event's place in the bucket, whose word and row are
 * wr[x] = word << 32 | row) in cmp_tie's order. CX_ENOMEM, reported. */
static int key_ties(cx_journeys *j, ties *t, uint64_t *a, size_t n, unsigned ib, const uint64_t *wr)
{
    uint64_t imask = ((uint64_t)1 << ib) - 1;
    for (size_t q = 0; q + 1 < n;) {
        size_t e = q + 1;
        while (e < n && a[e] >> ib == a[q] >> ib)
            e++;
        size_t len = e - q;
        if (len > 1) {
            int rc = ties_reserve(t, len);
            if (rc)
                return rc;
            for (size_t i = 0; i < len; i++) {
                uint32_t x = (uint32_t)(a[q + i] & imask);
                tpair_of(&t->tp[i], j, (uint32_t)wr[x], (uint32_t)(wr[x] >> 32));
                t->tp[i].at = x;
            }
            qsort(t->tp, len, sizeof *t->tp, cmp_tpair);
            for (size_t i = 0; i < len; i++)
                a[q + i] = (a[q + i] & ~imask) | t->tp[i].at;
        }
        q = e;
    }
    return CX_OK;
}

/* The events of rows r0 .. r1 - 1 counted by customer into cnt = cust_off +
 * 1, read in row order (sequentially when the rows are in customer order). */
static void count_rows(cx_journeys *j, size_t r0, size_t r1)
{
    const uint32_t *icu = CXI_COL(j->store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    uint32_t *cnt = j->cust_off + 1;
    for (size_t r = r0; r < r1; r++)
        cnt[icu[r]]++;
}

/* Each customer's first event from the counts (count_rows). */
static void sum_customers(cx_journeys *j)
{
    for (size_t c = 0; c < j->ncust; c++)
        j->cust_off[c + 1] += j->cust_off[c];
}

/* The times and words of the events, n of each. CX_ENOMEM, reported.
 * The build's large arrays are faulted in at once (cxi_prefault), in
 * ordinary pages: the build writes them in order, or in a few hundred
 * buckets at a time, which the TLB covers. Huge pages can be slower to
 * fault in (cxi_hugepages): at 10^7 interactions, in fresh processes, the
 * shuffled build took 0.72 s with them and 0.39 s without, the sorted one
 * 0.53 s and 0.28 s, in one state of this project's machine; about the
 * same either way in another (issue 14, bench/README.md). */
static int alloc_index(cx_journeys *j)
{
    size_t n1 = j->nev ? j->nev : 1;
    if ((j->tq = cxi_alloc(&j->mem, n1 * sizeof *j->tq)))
        j->tq_bytes = n1 * sizeof *j->tq;
    if ((j->wq = cxi_alloc(&j->mem, n1 * sizeof *j->wq)))
        j->wq_bytes = n1 * sizeof *j->wq;
    if (!j->tq || !j->wq)
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the index of %zu interactions", j->nev);
    cxi_prefault(j->tq, j->tq_bytes);
    cxi_prefault(j->wq, j->wq_bytes);
    return CX_OK;
}

/* The values of the conversions in event order into cval (ncv of them,
 * allocated here): row q of each event is ev[q], or q with ev NULL.
 * CX_ENOMEM, reported. */
static int gather_values(cx_journeys *j, const uint32_t *ev, size_t ncv)
{
    const cxi_vcol iv = cxi_vcol_of(j->store, CX_TABLE_INTERACTIONS, IN_VALUE);
    if (!(j->cval = cxi_alloc(&j->mem, (ncv ? ncv : 1) * sizeof *j->cval)))
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the values of %zu conversions", ncv);
    j->ncv = ncv;
    size_t i = 0;
    for (size_t q = 0; q < j->nev; q++)
        if (j->wq[q] & W_CONV)
            j->cval[i++] = cxi_vcol_at(iv, ev ? ev[q] : q);
    return CX_OK;
}

/* One part of the order of rows added in (customer, time) order
 * (sorted_order): rows r0 .. r1 - 1, whole customers. */
typedef struct spart {
    size_t r0, r1;
    size_t ncv, ci0;  /* its conversions; the first of them */
    uint32_t *moved;  /* 2 * nmoved: the events whose row is not theirs (a run at the same time reordered) */
    size_t nmoved, mcap;
    cxi_mem m;        /* an allocator record of its own (the handle's is not shared between threads) */
    int rc;
    char msg[256];
} spart;

typedef struct sorder {
    cx_journeys *j;
    const wsrc *ws;
    size_t np;
    spart *part;
} sorder;

/* Part t: its customers' events counted (cust_off + 1), its slice of the
 * words faulted in. */
static void so_count(void *ctx, size_t t)
{
    sorder *x = ctx;
    const spart *p = &x->part[t];
    count_rows(x->j, p->r0, p->r1);
    prefault_slice(x->j->wq, sizeof *x->j->wq, p->r0, p->r1);
}

/* Part t: the words of its events in order, each run of events at the
 * same time put in cmp_tie's order, with the rows of the runs that moved
 * kept aside (moved[2i] the event, moved[2i + 1] its row). */
static void so_words(void *ctx, size_t t)
{
    sorder *x = ctx;
    spart *p = &x->part[t];
    cx_journeys *j = x->j;
    const wsrc *ws = x->ws;
    const uint32_t *icu = CXI_COL(j->store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_icol it = cxi_icol_of(j->store, CX_TABLE_INTERACTIONS, IN_TIME);
    size_t n = p->r1, ncv = 0;
    ties tt = {NULL, 0, &p->m};
    int rc = CX_OK;
    for (size_t q = p->r0; q < n && !rc;) {
        if (q + 1 == n || icu[q + 1] != icu[q] || cxi_icol_at(it, q + 1) != cxi_icol_at(it, q)) {
            uint32_t w = word_of(ws, (uint32_t)q);
            j->wq[q++] = w;
            ncv += w >> 31;
            continue;
        }
        size_t e = q + 2;
        while (e < n && icu[e] == icu[q] && cxi_icol_at(it, e) == cxi_icol_at(it, q))
            e++;
        size_t len = e - q;
        if ((rc = ties_reserve(&tt, len)))
            break;
        for (size_t i = 0; i < len; i++)
            tpair_of(&tt.tp[i], j, (uint32_t)(q + i), word_of(ws, (uint32_t)(q + i)));
        qsort(tt.tp, len, sizeof *tt.tp, cmp_tpair);
        for (size_t i = 0; i < len && !rc; i++) {
            j->wq[q + i] = tt.tp[i].word;
            ncv += (tt.tp[i].word & W_CONV) != 0;
            if (tt.tp[i].row == q + i)
                continue;
            if (cxi_grow(&p->m, &p->moved, &p->mcap, 2 * p->nmoved + 2, sizeof *p->moved))
                rc = cxi_fail(CX_ENOMEM, NEW_FN ": out of memory ordering events at the same time");
            else {
                p->moved[2 * p->nmoved] = (uint32_t)(q + i);
                p->moved[2 * p->nmoved++ + 1] = tt.tp[i].row;
            }
        }
        q = e;
    }
    cxi_free(&p->m, tt.tp, tt.cap * sizeof *tt.tp);
    p->ncv = ncv;
    p->rc = rc;
    if (rc)
        snprintf(p->msg, sizeof p->msg, "%s", cx_last_error());
}

/* Part t: the values of its conversions, from the rows of its events. */
static void so_values(void *ctx, size_t t)
{
    sorder *x = ctx;
    const spart *p = &x->part[t];
    cx_journeys *j = x->j;
    const cxi_vcol iv = cxi_vcol_of(j->store, CX_TABLE_INTERACTIONS, IN_VALUE);
    size_t ci = p->ci0, m = 0;
    for (size_t q = p->r0; q < p->r1; q++) {
        uint32_t r = (uint32_t)q;
        if (m < p->nmoved && p->moved[2 * m] == q)
            r = p->moved[2 * m++ + 1];
        if (j->wq[q] & W_CONV)
            j->cval[ci++] = cxi_vcol_at(iv, r);
    }
}

/* Rows added in (customer, time) order: the times are the store's own
 * column (borrowed: event q is at the time of row q, ties or not), each run
 * of events at the same time is put in cmp_tie's order, and the words are
 * read in that order; then the values of the conversions. With several
 * parts (j->np) the rows are cut into ranges of whole customers (a run of
 * ties never crosses one), each counting its customers' events, writing
 * its words and reading its conversions' values from the first conversion
 * of its rows. CX_ENOMEM, reported. */
static int sorted_order(cx_journeys *j, const wsrc *ws)
{
    const uint32_t *icu = CXI_COL(j->store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_icol it = cxi_icol_of(j->store, CX_TABLE_INTERACTIONS, IN_TIME);
    size_t n = j->nev, np = j->np, ncv = 0;
    size_t n1 = n ? n : 1;
    sorder x = {.j = j, .ws = ws, .np = np};
    if (!(j->wq = cxi_alloc(&j->mem, n1 * sizeof *j->wq)) ||
        !(x.part = cxi_alloc(&j->mem, np * sizeof *x.part))) {
        cxi_free(&j->mem, j->wq, n1 * sizeof *j->wq);
        j->wq = NULL;
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the index of %zu interactions", n);
    }
    j->wq_bytes = n1 * sizeof *j->wq;
    memset(x.part, 0, np * sizeof *x.part);
    /* the parts: whole customers, about n / np rows each */
    for (size_t t = 0; t < np; t++) {
        spart *p = &x.part[t];
        size_t r = t ? part_start(n, np, t) : 0;
        while (r > 0 && r < n && icu[r] == icu[r - 1])
            r++;
        p->r0 = t ? (r > x.part[t - 1].r0 ? r : x.part[t - 1].r0) : 0;
        if (t)
            x.part[t - 1].r1 = p->r0;
        cxi_mem_init(&p->m, j->mem.fn, j->mem.ud);
    }
    x.part[np - 1].r1 = n;
    cxi_jrun_parts(np, so_count, &x);
    sum_customers(j);
    /* not owned: tq_bytes stays 0; a narrow column is the seconds since 1970 */
    if (it.narrow) {
        j->tq32 = (uint32_t *)it.narrow;
        j->tbase = 0;
        j->tstep = it.scale;
    } else {
        j->tq = (cx_time *)it.wide;
    }
    cxi_jrun_parts(np, so_words, &x);
    int rc = CX_OK;
    for (size_t t = 0; t < np; t++) {
        x.part[t].ci0 = ncv;
        ncv += x.part[t].ncv;
        if (x.part[t].rc && !rc)
            rc = cxi_fail(x.part[t].rc, "%s", x.part[t].msg);
    }
    if (!rc && !(j->cval = cxi_alloc(&j->mem, (ncv ? ncv : 1) * sizeof *j->cval)))
        rc = cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the values of %zu conversions", ncv);
    if (!rc) {
        j->ncv = ncv;
        cxi_prefault(j->cval, ncv * sizeof *j->cval);
        cxi_jrun_parts(np, so_values, &x);
    }
    for (size_t t = 0; t < np; t++)
        cxi_free(&x.part[t].m, x.part[t].moved, x.part[t].mcap * sizeof *x.part[t].moved);
    cxi_free(&j->mem, x.part, np * sizeof *x.part);
    return rc;
}

/* How the rows in any other order are sorted (bucket_order): customers cut
 * into nb buckets of 2^sh consecutive customers, boff[b + 1] the events of
 * bucket b (then boff[b] its first), maxb the most in one; times as
 * (time - tmin) / step, of tbits bits. */
typedef struct bplan {
    cx_time tmin, step;
    unsigned tbits, sh;
    size_t nb, maxb;
    uint32_t *boff;
} bplan;

/* One part of a sort in buckets (bucket_order): its rows in the pass into
 * the buckets, its buckets in their sort, and its scratch. */
typedef struct bpart {
    size_t r0, r1;   /* rows */
    size_t b0, b1;   /* buckets */
    size_t ncv, ci0; /* its rows' conversions; the first conversion of its buckets */
    uint32_t *cur;   /* nb: its next place in each bucket */
    uint32_t *lo;    /* nb: its first place in each bucket (bs_scatter) */
    unsigned char *wc, *wc_block; /* nb: a line of keys and a line of rows (bs_scatter); its block */
    uint32_t *bconv; /* nb: its rows' conversions in each bucket (np > 1) */
    uint32_t *lcnt;  /* per + 1 */
    uint64_t *sk, *so, *swr; /* maxb each */
    int rc;
    char msg[256];
} bpart;

typedef struct bsort {
    cx_journeys *j;
    const wsrc *ws;
    const bplan *pl;
    size_t np, per;
    unsigned wb, ib, lshift;
    uint32_t lmask;
    uint64_t *key;
    uint32_t *row, *word, *crow;
    uint32_t *crow_own; /* crow's own block, when it has one (several parts) */
    cut_at *bcut;       /* nb: the cut's counts by bucket (bucket_cuts) */
    bpart *part;
} bsort;

/* Part t of the rows: its slices of the sort's arrays faulted in, and its
 * events counted by bucket into cur (np > 1). */
static void bs_count(void *ctx, size_t t)
{
    bsort *x = ctx;
    bpart *p = &x->part[t];
    const uint32_t *icu = CXI_COL(x->j->store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    prefault_slice(x->key, sizeof *x->key, p->r0, p->r1);
    prefault_slice(x->row, sizeof *x->row, p->r0, p->r1);
    prefault_slice(x->word, sizeof *x->word, p->r0, p->r1);
    unsigned sh = x->pl->sh;
    for (size_t r = p->r0; r < p->r1; r++)
        p->cur[icu[r] >> sh]++;
}

/* The keys and rows go to their buckets through a line of each a bucket,
 * in the cache, streamed out past the caches a whole line at a time
 * (SSE2): written one by one to a few hundred buckets, every store missed
 * the cache (issue 14). Elsewhere they are written one by one. */
#if defined(__SSE2__)
#define WC_SCATTER 1
#else
#define WC_SCATTER 0
#endif
/* The bytes of one line of a write-combining buffer. */
#define WC_LINE 64

#if WC_SCATTER
/* Line `src` to `dst`, both WC_LINE-aligned, past the caches (the buckets
 * are read again a bucket at a time, later). */
static inline void wc_line(void *dst, const void *src)
{
    __m128i *d = dst;
    const __m128i *q = src;
    _mm_stream_si128(d, _mm_load_si128(q));
    _mm_stream_si128(d + 1, _mm_load_si128(q + 1));
    _mm_stream_si128(d + 2, _mm_load_si128(q + 2));
    _mm_stream_si128(d + 3, _mm_load_si128(q + 3));
}
#endif

/* The line of `per` elements of array `base` that place `at` ends, out
 * of its buffer `buf` (place i at buf[(i + ofs) % per]): whole when the
 * part's places in the bucket, from `lo`, hold all of it, else from lo on. */
#define WC_PUT(base, buf, per, ofs, at, lo)                                                                        \
    do {                                                                                                           \
        if ((at) >= (size_t)(lo) + (per) - 1)                                                                      \
            wc_line((base) + (at) - ((per) - 1), (buf));                                                           \
        else                                                                                                       \
            for (size_t i_ = (lo); i_ <= (at); i_++)                                                               \
                (base)[i_] = (buf)[(i_ + (ofs)) & ((per) - 1)];                                                    \
    } while (0)

/* Part t of the rows put in their buckets, in row order: each event's key,
 * its customer within the bucket | time | word (when the word rides in the
 * key, wb > 0), its row (and word) at the part's next place in its bucket
 * (through the write-combining lines, WC_SCATTER). */
static void bs_scatter(void *ctx, size_t t)
{
    bsort *x = ctx;
    bpart *p = &x->part[t];
    const cx_store *s = x->j->store;
    const uint32_t *icu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_icol it = cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_TIME);
    const wsrc *ws = x->ws;
    const cx_time tmin = x->pl->tmin, step = x->pl->step;
    const unsigned tbits = x->pl->tbits, sh = x->pl->sh, wb = x->wb;
    const uint32_t lmask = x->lmask;
    const size_t nb = x->pl->nb;
    enum { KPER = WC_LINE / sizeof(uint64_t), RPER = WC_LINE / sizeof(uint32_t) };
    uint64_t *key = x->key;
    uint32_t *row = x->row, *word = x->word, *cur = p->cur, *bconv = p->bconv, *lo = p->lo;
    unsigned char *wc = p->wc;
    /* the place of the first element of a line of each array */
    const size_t kofs = (uintptr_t)key / sizeof *key % KPER, rofs = (uintptr_t)row / sizeof *row % RPER;
    size_t ncv = 0;
    memcpy(lo, cur, nb * sizeof *lo);
    /* times held as seconds (every one whole, so step is 1000 and tmin a
     * whole second): the key's time is the seconds less tmin's, with no
     * product by 1000 to divide again */
    const uint32_t *secs = it.narrow && step == 1000 ? it.narrow : NULL;
    const uint32_t smin = secs ? (uint32_t)(tmin / 1000) : 0;
    for (size_t r = p->r0; r < p->r1; r++) {
        uint32_t c = icu[r], w = word_of(ws, (uint32_t)r);
        uint64_t k;
        if (secs) {
            k = secs[r] - smin;
        } else {
            k = (uint64_t)(cxi_icol_at(it, r) - tmin);
            k = step == 1 ? k : k / 1000u;
        }
        if (sh)
            k |= (uint64_t)(c & lmask) << tbits;
        size_t b = c >> sh, at = cur[b]++;
        if (wb)
            k = k << wb | (uint64_t)(w >> 29) | (uint64_t)(w & W_TP) << 3;
        else
            word[at] = w;
#if WC_SCATTER
        uint64_t *kb = (uint64_t *)(void *)(wc + 2 * WC_LINE * b);
        uint32_t *rb = (uint32_t *)(void *)(wc + 2 * WC_LINE * b + WC_LINE);
        size_t ks = (at + kofs) & (KPER - 1), rs = (at + rofs) & (RPER - 1);
        kb[ks] = k;
        rb[rs] = (uint32_t)r;
        if (ks == KPER - 1)
            WC_PUT(key, kb, KPER, kofs, at, lo[b]);
        if (rs == RPER - 1)
            WC_PUT(row, rb, RPER, rofs, at, lo[b]);
#else
        key[at] = k;
        row[at] = (uint32_t)r;
#endif
        ncv += w >> 31;
        if (bconv)
            bconv[b] += w >> 31;
    }
#if WC_SCATTER
    _mm_sfence(); /* the lines streamed out, before the rest and the next pass */
#endif
    /* the lines each bucket started and did not fill */
    for (size_t b = 0; WC_SCATTER && b < nb; b++) {
        const uint64_t *kb = (const uint64_t *)(const void *)(wc + 2 * WC_LINE * b);
        const uint32_t *rb = (const uint32_t *)(const void *)(wc + 2 * WC_LINE * b + WC_LINE);
        /* the places of the last line before e: kp of keys, rp of rows */
        size_t e = cur[b], kp = (e + kofs) & (KPER - 1), rp = (e + rofs) & (RPER - 1);
        size_t ka = e > kp ? e - kp : 0, ra = e > rp ? e - rp : 0;
        for (size_t i = ka > lo[b] ? ka : lo[b]; i < e; i++)
            key[i] = kb[(i + kofs) & (KPER - 1)];
        for (size_t i = ra > lo[b] ? ra : lo[b]; i < e; i++)
            row[i] = rb[(i + rofs) & (RPER - 1)];
    }
    p->ncv = ncv;
}

/* Part t of the buckets, each in turn, in the cache: counted out by
 * customer (which gives cust_off) as one 64-bit sort key per event,
 * time << ib | its place in the bucket, with its word and row copied aside
 * by place; each customer's keys sorted, the runs of events at the same
 * time put in cmp_tie's order, and the times, words and the rows of the
 * conversions written out in order, over the bucket just read; then each
 * customer's journeys counted while its events are in the cache (x->bcut,
 * by bucket), so that the cut counts nothing again. */
static void bs_sort(void *ctx, size_t t)
{
    bsort *x = ctx;
    bpart *p = &x->part[t];
    cx_journeys *j = x->j;
    const bplan *pl = x->pl;
    const uint32_t *boff = pl->boff;
    const size_t ncust = j->ncust, per = x->per;
    const unsigned sh = pl->sh, wb = x->wb, ib = x->ib, lshift = x->lshift;
    const cx_time tmin = pl->tmin, step = pl->step;
    const uint64_t tmask = pl->tbits >= 64 ? UINT64_MAX : ((uint64_t)1 << pl->tbits) - 1;
    const uint64_t imask = ((uint64_t)1 << ib) - 1;
    uint64_t *key = x->key, *sk = p->sk, *so = p->so, *swr = p->swr;
    uint32_t *row = x->row, *word = x->word, *lcnt = p->lcnt, *crow = x->crow;
    /* 32-bit times go over the part's own keys, those of its first event
     * first (bucket_order moves them down to their place after): a bucket's
     * keys are all read before its times are written, so this writes over
     * keys read already, as one part over all does; over the whole array
     * a part would write over keys of the parts before it, not yet read */
    const size_t first = boff[p->b0];
    uint32_t *tq32 = pl->tbits <= 32 ? (uint32_t *)(void *)(key + first) : NULL; /* event first + k at k */
    cx_time *tq = (cx_time *)(void *)key;
    uint32_t *wq = wb ? row : word;
    /* the events as the cut reads them, each customer's counted as soon
     * as it is written, still in the cache */
    const jview v = {wq, tq32, tq32 ? NULL : tq, first, tmin, step};
    /* the scratch of ties from an allocator record of the part's own (the
     * handle's is not shared between threads); freed before the return */
    ties tt = {NULL, 0, NULL};
    cxi_mem m;
    cxi_mem_init(&m, j->mem.fn, j->mem.ud);
    tt.m = &m;
    size_t ci = p->ci0 + t; /* a slot of its own past its last conversion (written ahead) */
    int rc = CX_OK;
    for (size_t b = p->b0; b < p->b1 && !rc; b++) {
        uint32_t a = boff[b], e = boff[b + 1];
        size_t c0 = b << sh, nc = c0 + per < ncust ? per : ncust - c0;
        /* each customer's events: counted, then the keys counted out */
        memset(lcnt, 0, (nc + 1) * sizeof *lcnt);
        if (sh)
            for (uint32_t i = a; i < e; i++)
                lcnt[(key[i] >> lshift) + 1]++;
        else
            lcnt[1] = e - a;
        for (size_t c = 0; c < nc; c++) {
            j->cust_off[c0 + c] = a + lcnt[c];
            lcnt[c + 1] += lcnt[c];
        }
        for (uint32_t i = a; i < e; i++) {
            uint64_t k = key[i];
            uint32_t xi = i - a;
            uint32_t w = wb ? (uint32_t)(k & 7) << 29 | (uint32_t)((k & (((uint64_t)1 << wb) - 1)) >> 3) : word[i];
            swr[xi] = (uint64_t)w << 32 | row[i];
            sk[lcnt[sh ? k >> lshift : 0]++] = ((k >> wb) & tmask) << ib | xi;
        }
        /* the next bucket's keys and rows, fetched into the cache while
         * this one's customers are sorted (a few lines after each: ahead
         * of the buckets' even sizes), so that its first pass, the count,
         * does not wait for memory */
        const char *nk = NULL, *nke = NULL, *nr = NULL, *nre = NULL;
        if (b + 1 < p->b1) {
            nk = (const char *)(key + e);
            nke = (const char *)(key + boff[b + 2]);
            nr = (const char *)(row + e);
            nre = (const char *)(row + boff[b + 2]);
        }
        /* each customer sorted, then written out while in the first-level
         * cache, with the rows of the conversions */
        uint32_t i = 0;
        cut_at bc = {0, 0, 0, 0};
        for (size_t c = 0; c < nc && !rc; c++) {
            uint32_t end = lcnt[c];
            uint64_t *o = sk;
            if (nk < nke) {
                PREFETCH(nk);
                PREFETCH(nk + 64);
                nk += 128;
            }
            if (nr < nre) {
                PREFETCH(nr);
                nr += 64;
            }
            if (end - i <= RANK_MAX) {
                rank_u64(sk + i, so + i, end - i);
                o = so;
            } else {
                sort_u64(sk + i, end - i);
            }
            /* written out; written again in cmp_tie's order when two
             * events are at the same time (rarely) */
            uint32_t i0 = i;
            size_t cs = ci;
            uint64_t prev = ~(uint64_t)0;
            bool tie = false;
            for (int pass = 0; pass < 2; pass++) {
                for (; i < end; i++) {
                    uint64_t k = o[i], wr = swr[k & imask];
                    uint32_t w = (uint32_t)(wr >> 32);
                    tie |= k >> ib == prev;
                    prev = k >> ib;
                    wq[a + i] = w;
                    if (tq32)
                        tq32[a - first + i] = (uint32_t)(k >> ib);
                    else
                        tq[a + i] = tmin + (cx_time)(k >> ib) * step;
                    crow[ci] = (uint32_t)wr;
                    ci += w >> 31;
                }
                if (!tie || pass == 1)
                    break;
                if ((rc = key_ties(j, &tt, o + i0, end - i0, ib, swr)))
                    break;
                i = i0;
                ci = cs;
            }
            cut_customer(j, &v, false, c0 + c, a + i0, a + end, &bc);
        }
        x->bcut[b] = bc;
    }
    cxi_free(&m, tt.tp, tt.cap * sizeof *tt.tp);
    p->rc = rc;
    if (rc)
        snprintf(p->msg, sizeof p->msg, "%s", cx_last_error());
}

/* The values of part t's conversions, in one pass that keeps reads in
 * flight: conversion q's row is crow[q + t] (bs_sort). With one part the
 * rows lie in the upper half of cval's own block (bucket_order): cval[q]
 * goes over rows q and below, all read by then. The rows are read with
 * memcpy, as bytes, so that no read of them can move past a store to cval. */
static void bs_gather(void *ctx, size_t t)
{
    bsort *x = ctx;
    cx_journeys *j = x->j;
    const cxi_vcol iv = cxi_vcol_of(j->store, CX_TABLE_INTERACTIONS, IN_VALUE);
    size_t q0 = x->part[t].ci0, q1 = t + 1 < x->np ? x->part[t + 1].ci0 : j->ncv;
    const uint32_t *crow = x->crow + t;
    for (size_t q = q0; q < q1; q++) {
        uint32_t r;
        if (q + 64 < q1) {
            memcpy(&r, &crow[q + 64], sizeof r);
            PREFETCH(cxi_vcol_addr(iv, r));
        }
        memcpy(&r, &crow[q], sizeof r);
        j->cval[q] = cxi_vcol_at(iv, r);
    }
}

/* Rows in any other order: a sort in two levels. One pass in row order
 * reads the store's columns and puts each event's key, its customer within
 * the bucket | time | word (the word's flags, then its touchpoint: wb bits,
 * when they fit; else in an array of its own, wb = 0), and its row in its
 * bucket (bs_scatter). Then each bucket, in the cache (bs_sort): counted
 * out by customer (which gives cust_off), each customer's keys sorted and
 * the times, words and the rows of the conversions written out in order,
 * over the bucket just read: the keys become the times (32 bits when
 * tbits <= 32), the rows (or words) the words; and the journeys of each
 * bucket counted into `cuts` (cut_journeys). So the sort touches no more
 * memory than the index it builds (and its buckets); the values of the
 * conversions are then read in one pass (fetched ahead). With several
 * parts (j->np) each pass is cut: the rows into ranges, each part with its
 * own places in every bucket after those of the parts before it (counted
 * first), so that every bucket holds its events in row order whatever the
 * count; the buckets into ranges of about the same number of events, each
 * starting at the conversions of the buckets before it; the conversions
 * into equal ranges. CX_ENOMEM, reported. */
static int bucket_order(cx_journeys *j, const wsrc *ws, const bplan *pl, bucket_cuts *cuts)
{
    const unsigned tbits = pl->tbits, sh = pl->sh;
    const uint32_t *boff = pl->boff;
    size_t n = j->nev, ncust = j->ncust, nb = pl->nb, maxb = pl->maxb, np = j->np;
    bsort x = {.j = j, .ws = ws, .pl = pl, .np = np};
    x.per = (size_t)1 << sh;
    if (x.per > ncust)
        x.per = ncust;
    x.wb = 3 + bit_width(j->ntp ? j->ntp - 1 : 0);
    if (sh + tbits + x.wb > 64)
        x.wb = 0;
    x.ib = bit_width(maxb - 1);
    x.lshift = tbits + x.wb; /* the customer's bits in a key */
    x.lmask = (uint32_t)(((size_t)1 << sh) - 1);
    const unsigned wb = x.wb;
    x.key = cxi_alloc(&j->mem, n * sizeof *x.key);  /* becomes the times */
    x.row = cxi_alloc(&j->mem, n * sizeof *x.row);  /* becomes the words when they ride in the keys */
    x.word = wb ? NULL : cxi_alloc(&j->mem, n * sizeof *x.word); /* else this does */
    x.part = cxi_alloc(&j->mem, np * sizeof *x.part);
    x.bcut = cxi_alloc(&j->mem, (nb ? nb : 1) * sizeof *x.bcut);
    size_t ncv = 0;
    int rc = CX_OK;
    bool ok = x.key && x.row && (wb || x.word) && x.part && x.bcut;
    if (x.part) {
        memset(x.part, 0, np * sizeof *x.part);
        for (size_t t = 0; ok && t < np; t++) {
            bpart *p = &x.part[t];
            p->cur = cxi_alloc(&j->mem, nb * sizeof *p->cur);
            p->lo = cxi_alloc(&j->mem, nb * sizeof *p->lo);
            p->wc_block = cxi_alloc(&j->mem, (2 * nb + 1) * WC_LINE);
            if (p->wc_block)
                p->wc = p->wc_block + (WC_LINE - (uintptr_t)p->wc_block % WC_LINE) % WC_LINE;
            p->bconv = np > 1 ? cxi_alloc(&j->mem, nb * sizeof *p->bconv) : NULL;
            p->lcnt = cxi_alloc(&j->mem, (x.per + 1) * sizeof *p->lcnt);
            p->sk = cxi_alloc(&j->mem, maxb * sizeof *p->sk);
            p->so = cxi_alloc(&j->mem, maxb * sizeof *p->so);
            p->swr = cxi_alloc(&j->mem, maxb * sizeof *p->swr); /* word << 32 | row, by place in the bucket */
            ok = p->cur && p->lo && p->wc_block && (np == 1 || p->bconv) && p->lcnt && p->sk && p->so && p->swr;
        }
    }
    if (!ok) {
        rc = cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for sorting %zu interactions", n);
        goto done;
    }
    /* the keys, rows (and words) into their buckets, in row order */
    for (size_t t = 0; t < np; t++) {
        x.part[t].r0 = part_start(n, np, t);
        x.part[t].r1 = part_start(n, np, t + 1);
    }
    if (np == 1) {
        cxi_prefault(x.key, n * sizeof *x.key);
        cxi_prefault(x.row, n * sizeof *x.row);
        cxi_prefault(x.word, x.word ? n * sizeof *x.word : 0);
        memcpy(x.part[0].cur, boff, nb * sizeof *boff);
    } else {
        for (size_t t = 0; t < np; t++) {
            memset(x.part[t].cur, 0, nb * sizeof *x.part[t].cur);
            memset(x.part[t].bconv, 0, nb * sizeof *x.part[t].bconv);
        }
        cxi_jrun_parts(np, bs_count, &x);
        /* each part's first place in a bucket: past the parts before it */
        for (size_t b = 0; b < nb; b++) {
            uint32_t at = boff[b];
            for (size_t t = 0; t < np; t++) {
                uint32_t k = x.part[t].cur[b];
                x.part[t].cur[b] = at;
                at += k;
            }
        }
    }
    cxi_jrun_parts(np, bs_scatter, &x);
    for (size_t t = 0; t < np; t++)
        ncv += x.part[t].ncv;
    if ((j->cval = cxi_alloc(&j->mem, (ncv ? ncv : 1) * sizeof *j->cval)))
        j->ncv = ncv;
    /* + np: each part writes one ahead of its count (bs_sort). One part
     * writes them into the upper half of cval's block, from 4-byte place
     * ncv - 1 to its end (place 2 * ncv - 1, the one ahead), which
     * bs_gather then fills in order: no memory of their own to fault in */
    if (np == 1 && j->cval)
        x.crow = (uint32_t *)(void *)j->cval + (ncv ? ncv - 1 : 0);
    else
        x.crow = x.crow_own = cxi_alloc(&j->mem, (ncv + np) * sizeof *x.crow);
    if (!j->cval || !x.crow) {
        rc = cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the values of %zu conversions", ncv);
        goto done;
    }
    cxi_prefault(j->cval, ncv * sizeof *j->cval);
    /* the buckets cut by events; each part's first conversion: those of
     * the buckets before it (part 0's counts become the sums) */
    x.part[0].b0 = 0;
    x.part[np - 1].b1 = nb;
    for (size_t t = 1; t < np; t++) {
        size_t b = first_at(boff, nb, part_start(n, np, t));
        x.part[t].b0 = x.part[t - 1].b1 = b;
    }
    if (np > 1) {
        uint32_t *sum = x.part[0].bconv;
        for (size_t t = 1; t < np; t++)
            for (size_t b = 0; b < nb; b++)
                sum[b] += x.part[t].bconv[b];
        size_t at = 0, b = 0;
        for (size_t t = 0; t < np; t++) {
            for (; b < x.part[t].b0; b++)
                at += sum[b];
            x.part[t].ci0 = at;
        }
    }
    cxi_jrun_parts(np, bs_sort, &x);
    for (size_t t = 0; t < np && !rc; t++)
        if (x.part[t].rc)
            rc = cxi_fail(x.part[t].rc, "%s", x.part[t].msg);
    if (rc)
        goto done;
    j->cust_off[ncust] = (uint32_t)n;
    /* each part's 32-bit times down to their place (bs_sort), in order: a
     * part's place ends where the next part's keys start, below its times */
    for (size_t t = 1; t < np && tbits <= 32; t++) {
        size_t a = boff[x.part[t].b0], e = boff[x.part[t].b1];
        if (e > a)
            memmove((uint32_t *)(void *)x.key + a, x.key + a, (e - a) * sizeof(uint32_t));
    }
    /* the values of the conversions */
    cxi_jrun_parts(np, bs_gather, &x);
    /* the keys became the times and the rows (or words) the words */
    if (tbits <= 32) {
        /* the block's second half, written already (no page to fault
         * in), is the room of the path states */
        j->tq32 = (uint32_t *)(void *)x.key;
        j->tq_bytes = n * sizeof *x.key;
        j->spare = j->tq32 + n;
        j->nspare = n;
        j->tbase = pl->tmin;
        j->tstep = pl->step;
    } else {
        j->tq = (cx_time *)(void *)x.key;
        j->tq_bytes = n * sizeof *x.key;
    }
    j->wq = wb ? x.row : x.word;
    j->wq_bytes = n * sizeof *j->wq;
    *cuts = (bucket_cuts){x.bcut, nb, sh};
    x.bcut = NULL;
    x.key = NULL;
    if (wb)
        x.row = NULL;
    else
        x.word = NULL;
done:
    for (size_t t = 0; x.part && t < np; t++) {
        bpart *p = &x.part[t];
        cxi_free(&j->mem, p->cur, nb * sizeof *p->cur);
        cxi_free(&j->mem, p->lo, nb * sizeof *p->lo);
        cxi_free(&j->mem, p->wc_block, (2 * nb + 1) * WC_LINE);
        cxi_free(&j->mem, p->bconv, nb * sizeof *p->bconv);
        cxi_free(&j->mem, p->lcnt, (x.per + 1) * sizeof *p->lcnt);
        cxi_free(&j->mem, p->sk, maxb * sizeof *p->sk);
        cxi_free(&j->mem, p->so, maxb * sizeof *p->so);
        cxi_free(&j->mem, p->swr, maxb * sizeof *p->swr);
    }
    cxi_free(&j->mem, x.part, np * sizeof *x.part);
    cxi_free(&j->mem, x.key, n * sizeof *x.key);
    cxi_free(&j->mem, x.row, n * sizeof *x.row);
    cxi_free(&j->mem, x.word, n * sizeof *x.word);
    cxi_free(&j->mem, x.crow_own, (ncv + np) * sizeof *x.crow_own);
    cxi_free(&j->mem, x.bcut, (nb ? nb : 1) * sizeof *x.bcut);
    return rc;
}

/* The fallback when a sort key needs more than 64 bits: a counting sort by
 * customer (rows ascending within a customer), then a sort of each
 * customer's events by time and cmp_tie, then the times, words and values
 * gathered in that order. CX_ENOMEM, reported. */
static int compare_order(cx_journeys *j, ties *tt, const wsrc *ws)
{
    const uint32_t *icu = CXI_COL(j->store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_icol it = cxi_icol_of(j->store, CX_TABLE_INTERACTIONS, IN_TIME);
    size_t n = j->nev, ncust1 = j->ncust ? j->ncust : 1, ncv = 0;
    count_rows(j, 0, j->nev);
    sum_customers(j);
    uint32_t *ev = cxi_alloc(&j->mem, n * sizeof *ev);
    uint32_t *cursor = cxi_alloc(&j->mem, ncust1 * sizeof *cursor);
    int rc = CX_OK;
    if (ev && cursor && (rc = alloc_index(j)))
        goto done;
    if (!ev || !cursor) {
        rc = cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the index of %zu interactions", n);
        goto done;
    }
    for (size_t c = 0; c < j->ncust; c++)
        cursor[c] = j->cust_off[c];
    for (size_t r = 0; r < n; r++)
        ev[cursor[icu[r]]++] = (uint32_t)r;
    for (size_t c = 0; c < j->ncust && !rc; c++) {
        uint32_t a = j->cust_off[c], b = j->cust_off[c + 1];
        size_t len = b - a;
        if (len < 2 || (rc = ties_reserve(tt, len)))
            continue;
        for (size_t i = 0; i < len; i++)
            tpair_of(&tt->tp[i], j, ev[a + i], word_of(ws, ev[a + i]));
        qsort(tt->tp, len, sizeof *tt->tp, cmp_tpair);
        for (size_t i = 0; i < len; i++)
            ev[a + i] = tt->tp[i].row;
    }
    for (size_t q = 0; q < n && !rc; q++) {
        j->tq[q] = cxi_icol_at(it, ev[q]);
        j->wq[q] = word_of(ws, ev[q]);
        ncv += j->wq[q] >> 31;
    }
    if (!rc)
        rc = gather_values(j, ev, ncv);
done:
    cxi_free(&j->mem, ev, n * sizeof *ev);
    cxi_free(&j->mem, cursor, ncust1 * sizeof *cursor);
    return rc;
}

/* Orders the events by (customer, time, cmp_tie): fills cust_off, the
 * times and words in that order, and the values of the conversions. One
 * pass in row order first finds the span of the times, whether the rows
 * were added in (customer, time) order, which needs no sort, and how many
 * events each bucket of customers holds (bucket_order). CX_ENOMEM,
 * reported. */
static int order_events(cx_journeys *j, bucket_cuts *cuts)
{
    const cx_store *s = j->store;
    const uint32_t *icu = CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_icol it = cxi_icol_of(s, CX_TABLE_INTERACTIONS, IN_TIME);
    size_t n = j->nev, ncust = j->ncust;
    bplan pl = {0};
    unsigned cbits = bit_width(ncust ? ncust - 1 : 0);
    while (pl.sh < cbits && (uint64_t)n <= ((uint64_t)BUCKET_EVENTS * ncust) >> (pl.sh + 1))
        pl.sh++;
    pl.nb = ncust ? ((ncust - 1) >> pl.sh) + 1 : 0;
    wsrc ws = {0};
    ties tt = {NULL, 0, &j->mem};
    int rc = wsrc_init(j, &ws);
    if (!rc && !(pl.boff = cxi_jzalloc(&j->mem, (pl.nb + 1) * sizeof *pl.boff)))
        rc = cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the index of %zu interactions", n);
    if (rc)
        goto done;
    cx_time tmin = n ? cxi_icol_at(it, 0) : 0, tmax = tmin;
    bool whole = true;    /* every time a whole second, as most exports write them */
    bool in_order = true; /* rows added by customer and time: the order is theirs */
    uint32_t *bcnt = pl.boff + 1;
    for (size_t r = 0; r < n; r++) {
        cx_time t = cxi_icol_at(it, r);
        tmin = t < tmin ? t : tmin;
        tmax = t > tmax ? t : tmax;
        whole &= t % 1000 == 0;
        /* without a branch: rows in any order would mispredict half */
        if (r > 0)
            in_order &= (icu[r] > icu[r - 1]) | ((icu[r] == icu[r - 1]) & (t >= cxi_icol_at(it, r - 1)));
        bcnt[icu[r] >> pl.sh]++;
    }
    if (in_order) {
        rc = sorted_order(j, &ws);
    } else {
        for (size_t b = 0; b < pl.nb; b++) {
            pl.maxb = bcnt[b] > pl.maxb ? bcnt[b] : pl.maxb;
            pl.boff[b + 1] += pl.boff[b];
        }
        /* in seconds when they are whole: 10 bits less */
        pl.tmin = tmin;
        pl.step = whole ? 1000 : 1;
        pl.tbits = bit_width(((uint64_t)tmax - (uint64_t)tmin) / (uint64_t)pl.step);
        rc = pl.tbits + cbits > 64 || pl.tbits + bit_width(pl.maxb - 1) > 64 ? compare_order(j, &tt, &ws)
                                                                                : bucket_order(j, &ws, &pl, cuts);
    }
done:
    cxi_free(&j->mem, tt.tp, tt.cap * sizeof *tt.tp);
    cxi_free(&j->mem, pl.boff, (pl.nb + 1) * sizeof *pl.boff);
    wsrc_free(j, &ws);
    return rc;
}

/* The cut into journeys in parts (cut_journeys): the customers of part t
 * are cb[t] .. cb[t + 1] - 1; at[t] their counts (counting), then where
 * their journeys start (filling), from[t] where they start (filling). */
typedef struct cut_job {
    cx_journeys *j;
    bool fill, spare;
    size_t cb[JPART_MAX + 1];
    cut_at at[JPART_MAX], from[JPART_MAX + 1];
} cut_job;

static void cut_part(void *ctx, size_t t)
{
    cut_job *x = ctx;
    cx_journeys *j = x->j;
    if (x->fill) {
        /* its slices of the journeys' arrays faulted in */
        size_t a = x->from[t].nj, b = x->from[t + 1].nj;
        prefault_slice(j->j_off, sizeof(uint32_t), a, b);
        prefault_slice(j->p_off, sizeof(uint32_t), a, b);
        prefault_slice(j->j_conv, 1, a, b);
        prefault_slice(j->j_cend, sizeof(uint32_t), a, b);
        prefault_slice(j->p_cend, sizeof(uint32_t), a, b);
        prefault_slice(j->j_cv, sizeof(uint32_t), a, b);
        if (!x->spare)
            prefault_slice(j->st, sizeof(uint32_t), x->from[t].nst, x->from[t + 1].nst);
    }
    cut_range(j, x->fill, x->cb[t], x->cb[t + 1], &x->at[t]);
}

/* Counts the journeys and path states, allocates them, and cuts: in parts
 * of customers with about the same number of events (j->np), counted
 * first so that each part knows where its journeys, states and
 * conversions start. CX_ENOMEM, reported; the journeys then hold no
 * journey arrays. */
static int cut_journeys(cx_journeys *j, const bucket_cuts *cuts)
{
    cxi_mem *mm = &j->mem;
    size_t np = j->np;
    cut_job x;
    memset(&x, 0, sizeof x);
    x.j = j;
    x.cb[np] = j->ncust;
    for (size_t t = 1; t < np; t++) {
        x.cb[t] = first_at(j->cust_off, j->ncust, part_start(j->nev, np, t));
        if (cuts->at) /* at the start of a bucket, whose counts are known */
            x.cb[t] = x.cb[t] >> cuts->sh << cuts->sh;
    }
    if (cuts->at) {
        for (size_t b = 0, t = 0; b < cuts->nb; b++) {
            while (t + 1 < np && x.cb[t + 1] <= b << cuts->sh)
                t++;
            const cut_at *c = &cuts->at[b];
            cut_at *a = &x.at[t];
            *a = (cut_at){a->nj + c->nj, a->nst + c->nst, a->ncv + c->ncv, a->nconv + c->nconv};
        }
    } else {
        cxi_jrun_parts(np, cut_part, &x);
    }
    for (size_t t = 0; t < np; t++) {
        const cut_at *c = &x.at[t], *f = &x.from[t];
        x.from[t + 1] = (cut_at){f->nj + c->nj, f->nst + c->nst, f->ncv + c->ncv, f->nconv + c->nconv};
    }
    size_t nj = x.from[np].nj, nst = x.from[np].nst;
    j->nj = j->nst = 0; /* so that a failure frees the right sizes */
    uint32_t *joff = cxi_alloc(mm, (nj + 1) * sizeof(uint32_t));
    uint32_t *poff = cxi_alloc(mm, (nj + 1) * sizeof(uint32_t));
    bool spare = j->spare && nst <= j->nspare; /* room the sort left, touched already */
    uint32_t *st = spare ? j->spare : cxi_alloc(mm, (nst ? nst : 1) * sizeof(uint32_t));
    uint8_t *jc = cxi_alloc(mm, nj ? nj : 1);
    uint32_t *jce = cxi_alloc(mm, (nj ? nj : 1) * sizeof(uint32_t));
    uint32_t *pce = cxi_alloc(mm, (nj ? nj : 1) * sizeof(uint32_t));
    uint32_t *jcv = cxi_alloc(mm, (nj + 1) * sizeof(uint32_t));
    if (!joff || !poff || !st || !jc || !jce || !pce || !jcv) {
        cxi_free(mm, joff, (nj + 1) * sizeof(uint32_t));
        cxi_free(mm, poff, (nj + 1) * sizeof(uint32_t));
        if (!spare)
            cxi_free(mm, st, (nst ? nst : 1) * sizeof(uint32_t));
        cxi_free(mm, jc, nj ? nj : 1);
        cxi_free(mm, jce, (nj ? nj : 1) * sizeof(uint32_t));
        cxi_free(mm, pce, (nj ? nj : 1) * sizeof(uint32_t));
        cxi_free(mm, jcv, (nj + 1) * sizeof(uint32_t));
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for %zu journeys", nj);
    }
    j->j_off = joff;
    j->p_off = poff;
    j->st = st;
    j->st_in_spare = spare;
    j->j_conv = jc;
    j->j_cend = jce;
    j->p_cend = pce;
    j->j_cv = jcv;
    /* each part faults in its slices (cut_part) */
    x.fill = true;
    x.spare = spare;
    for (size_t t = 0; t < np; t++)
        x.at[t] = x.from[t];
    cxi_jrun_parts(np, cut_part, &x);
    j->cust_j[j->ncust] = (uint32_t)nj;
    j->j_off[nj] = (uint32_t)j->nev;
    j->p_off[nj] = (uint32_t)nst;
    j->j_cv[nj] = (uint32_t)x.from[np].ncv;
    j->nj = nj;
    j->nst = nst;
    j->nconv = x.from[np].nconv;
    return CX_OK;
}

/* The handle with its options and the arrays sized by the store. CX_ENOMEM,
 * reported. */
static int journeys_alloc(cx_journeys **out, const cx_store *s, const cx_journeys_options *o)
{
    size_t n = s->t[CX_TABLE_INTERACTIONS].n, ncust = s->t[CX_TABLE_CUSTOMERS].n;
    cxi_mem m;
    cxi_mem_init(&m, s->mem.fn, s->mem.ud);
    cx_journeys *j = cxi_jzalloc(&m, sizeof *j);
    if (!j)
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory");
    j->mem = m;
    j->store = s;
    if (o)
        j->o = o->o;
    else
        opts_default(s, &j->o);
    j->ncust = ncust;
    j->nev = n;
    j->ntp = s->t[CX_TABLE_TOUCHPOINTS].n;
    j->nkind = s->sets[CX_VOCAB_INTERACTION_KIND].count;
    j->nstates = cxi_jlevel_count(s, j->o.level);
    cxi_mem *mm = &j->mem;
    j->cust_off = cxi_jzalloc(mm, (ncust + 1) * sizeof(uint32_t));
    j->cust_j = cxi_alloc(mm, (ncust + 1) * sizeof(uint32_t));

    j->lvl = cxi_alloc(mm, (j->ntp ? j->ntp : 1) * sizeof(uint32_t));
    j->conv_tp = cxi_jzalloc(mm, j->ntp ? j->ntp : 1);
    j->conv_kind = cxi_jzalloc(mm, j->nkind ? j->nkind : 1);
    j->post_tp = cxi_jzalloc(mm, j->ntp ? j->ntp : 1);
    j->post_kind = cxi_jzalloc(mm, j->nkind ? j->nkind : 1);
    if (!j->cust_off || !j->cust_j || !j->lvl || !j->conv_tp || !j->conv_kind ||
        !j->post_tp || !j->post_kind) {
        cx_journeys_free(j);
        return cxi_fail(CX_ENOMEM, NEW_FN ": out of memory for the index of %zu interactions", n);
    }
    *out = j;
    return CX_OK;
}

int cx_journeys_new(cx_journeys **out, const cx_store *s, const cx_journeys_options *o)
{
    if (!out)
        return cxi_fail(CX_EINVAL, NEW_FN ": out is NULL");
    *out = NULL;
    if (!s)
        return cxi_fail(CX_EINVAL, NEW_FN ": store is NULL");
    if (o && o->store != s)
        return cxi_fail(CX_EINVAL, NEW_FN ": the options were made for another store");
    if (s->t[CX_TABLE_TOUCHPOINTS].n > (size_t)W_TP + 1)
        return cxi_fail(CX_ELIMIT, NEW_FN ": more than %lu touchpoints", (unsigned long)W_TP + 1);
    cx_journeys *j = NULL;
    int rc = journeys_alloc(&j, s, o);
    if (rc)
        return rc;
    build_lookups(j);
    j->np = parts_of(j);
    bucket_cuts cuts = {NULL, 0, 0};
    if (!(rc = order_events(j, &cuts)))
        rc = cut_journeys(j, &cuts);
    cxi_free(&j->mem, cuts.at, (cuts.nb ? cuts.nb : 1) * sizeof *cuts.at);
    if (rc) {
        cx_journeys_free(j);
        return rc;
    }
    *out = j;
    return CX_OK;
}

size_t cx_journeys_count(const cx_journeys *j) { return j ? j->nj : 0; }
size_t cx_journeys_conversion_count(const cx_journeys *j) { return j ? j->nconv : 0; }
size_t cx_journeys_byte_count(const cx_journeys *j) { return j ? j->mem.bytes : 0; }

/* ---- list ---------------------------------------------------------------- */

/* Row k of the list: journey k of customer `id`. CX_ENOMEM, not reported. */
static int list_row(cx_result *t, const cx_journeys *j, uint32_t k, const char *id, char **buf, size_t *cap)
{
    uint32_t a = j->j_off[k], b = j->j_off[k + 1];
    cxi_result_set_time(t, 1, k, cxi_j_time(j, a));
    cxi_result_set_time(t, 2, k, cxi_j_time(j, b - 1));
    cxi_result_set_int(t, 3, k, b - a);
    cxi_result_set_int(t, 4, k, j->j_conv[k]);
    cxi_result_set_real(t, 5, k, cxi_j_value(j, k));
    cxi_result_set_time(t, 7, k, j->j_conv[k] ? cxi_j_time(j, j->j_cend[k] - 1) : CX_TIME_NONE);
    cxi_result_set_int(t, 8, k, b - j->j_cend[k]);
    int rc = cxi_result_set_text(t, 0, k, id);
    if (!rc)
        rc = cxi_jpath_label(&t->mem, buf, cap, j, j->st + j->p_off[k], j->p_off[k + 1] - j->p_off[k], " > ");
    if (!rc)
        rc = cxi_result_set_text(t, 6, k, *buf);
    return rc;
}

int cx_journeys_list(cx_result **out, const cx_journeys *j)
{
    static const char *const names[] = {"customer", "start", "end",          "events",
                                        "converted", "value", "path", "converted_at",
                                        "events_after_conversion"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_TIME, CX_TYPE_TIME,   CX_TYPE_INT, CX_TYPE_INT,
                                CX_TYPE_REAL,   CX_TYPE_STRING, CX_TYPE_TIME, CX_TYPE_INT};
    int rc = cxi_j_check("cx_journeys_list", out, j);
    if (rc)
        return rc;
    *out = NULL;
    const cx_store *s = j->store;
    cx_result *t;
    if (cxi_result_new(&t, &j->mem, j->nj, 9, names, types))
        return cxi_fail(CX_ENOMEM, "cx_journeys_list: out of memory for %zu journeys", j->nj);
    char *buf = NULL;
    size_t cap = 0;
    for (size_t c = 0; c < j->ncust && !rc; c++) {
        const char *id = cxi_customer_id(s, (uint32_t)c);
        for (uint32_t k = j->cust_j[c]; k < j->cust_j[c + 1] && !rc; k++)
            rc = list_row(t, j, k, id, &buf, &cap);
    }
    cxi_free(&t->mem, buf, cap);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "cx_journeys_list: out of memory for the text of %zu journeys", j->nj);
    }
    *out = t;
    return CX_OK;
}
