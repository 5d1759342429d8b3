/*
 * Forgetting customers and pseudonymising a store: the two calls that
 * rewrite stored values rather than add or replace records.
 *
 * Both build every new string table first (the only step that can fail),
 * then change the store in place, then wipe the memory that held the
 * strings they dropped (sodium_memzero, which the compiler cannot remove)
 * before freeing it. So a failure changes nothing, and an erased id, name
 * or comment does not linger in the process's heap.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "savepoint.h"

/* ---- wiping ------------------------------------------------------------ */

/* Zeroes every string of a pool (its blocks), its hash slots and its
 * arrays of blocks and references, room beyond their use included (which
 * may hold what the heap held before), then frees it. */
static void pool_wipe_free(cxi_mem *m, cxi_pool *p)
{
    for (size_t i = 0; i < p->nblocks; i++)
        cxi_wipe(p->blocks[i], p->block_sizes[i]);
    if (p->slots)
        cxi_wipe(p->slots, (size_t)p->nslots * sizeof *p->slots);
    /* the arrays' entries in use are read by cxi_pool_free: their room after */
    if (p->blocks && p->blocks_cap > p->nblocks) {
        cxi_wipe(p->blocks + p->nblocks, (p->blocks_cap - p->nblocks) * sizeof *p->blocks);
        cxi_wipe(p->block_sizes + p->nblocks, (p->blocks_cap - p->nblocks) * sizeof *p->block_sizes);
    }
    if (p->xblocks && p->xcap > p->nx) {
        cxi_wipe(p->xblocks + p->nx, (p->xcap - p->nx) * sizeof *p->xblocks);
        cxi_wipe(p->xsizes + p->nx, (p->xcap - p->nx) * sizeof *p->xsizes);
    }
    if (p->strs.data)
        cxi_wipe(p->strs.data, p->strs.cap * p->strs.elem);
    cxi_pool_free(m, p);
}

/* Replaces *old by *fresh, wiping the old one. */
static void pool_swap(cxi_mem *m, cxi_pool *old, cxi_pool *fresh)
{
    pool_wipe_free(m, old);
    *old = *fresh;
    cxi_pool_init(fresh);
}


/* ---- the plan of an erasure ------------------------------------------------ */

/* The open sets whose names go when nothing uses them any more, with the
 * number of names each starts with (built in, always kept). */
static const struct {
    int set, builtin;
} open_sets[] = {
    {CX_VOCAB_INTERACTION_KIND, 6}, {CX_VOCAB_AGENT, 0}, {CX_VOCAB_SEGMENT, 0},
    {CX_VOCAB_REGION, 0},           {CX_VOCAB_PLAN, 0},  {CX_VOCAB_ATTRIBUTE, 0},
};
#define NOPEN (sizeof open_sets / sizeof open_sets[0])

/* Everything an erasure allocates, made before the store changes. */
typedef struct plan {
    uint32_t *newrow[CX_TABLE_COUNT]; /* old row -> new row, CXI_NONE when erased */
    size_t rows[CX_TABLE_COUNT];      /* rows kept */
    uint32_t *code[NOPEN];            /* old code -> new code of the open sets */
    uint32_t *comment;                /* old comment id -> new */
    uint32_t *value;                  /* old attribute value id -> new */
    uint32_t *eid[CX_TABLE_COUNT];    /* old event key id -> new */
    cxi_pool keys[CX_TABLE_COUNT];    /* customers, cases, event ids */
    cxi_pool sets[NOPEN];
    cxi_pool comments, values;
    cxi_attrs attrs;
    uint32_t *idrow[CX_TABLE_COUNT];
    size_t idrow_cap[CX_TABLE_COUNT];
    size_t cap_newrow[CX_TABLE_COUNT], cap_code[NOPEN], cap_comment, cap_value, cap_eid[CX_TABLE_COUNT];
} plan;

static void plan_init(plan *p)
{
    memset(p, 0, sizeof *p);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        cxi_pool_init(&p->keys[t]);
        p->keys[t].exact = true; /* as the store's (uniform mode, base.h) */
    }
    for (size_t i = 0; i < NOPEN; i++)
        cxi_pool_init(&p->sets[i]);
    cxi_pool_init(&p->comments);
    cxi_pool_init(&p->values);
    cxi_attrs_init(&p->attrs);
}

static void plan_free(cxi_mem *m, plan *p)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        cxi_free(m, p->newrow[t], p->cap_newrow[t] * sizeof(uint32_t));
        cxi_free(m, p->eid[t], p->cap_eid[t] * sizeof(uint32_t));
        cxi_free(m, p->idrow[t], p->idrow_cap[t] * sizeof(uint32_t));
        pool_wipe_free(m, &p->keys[t]);
    }
    for (size_t i = 0; i < NOPEN; i++) {
        cxi_free(m, p->code[i], p->cap_code[i] * sizeof(uint32_t));
        pool_wipe_free(m, &p->sets[i]);
    }
    cxi_free(m, p->comment, p->cap_comment * sizeof(uint32_t));
    cxi_free(m, p->value, p->cap_value * sizeof(uint32_t));
    pool_wipe_free(m, &p->comments);
    pool_wipe_free(m, &p->values);
    cxi_attrs_wipe_free(m, &p->attrs);
}

/* A u32 array of n entries, all CXI_NONE (n may be 0). */
static int none_array(cxi_mem *m, uint32_t **a, size_t *cap, size_t n)
{
    *a = NULL;
    *cap = 0;
    if (n == 0)
        return CX_OK;
    if (!(*a = cxi_alloc(m, n * sizeof(uint32_t))))
        return CX_ENOMEM;
    *cap = n;
    memset(*a, 0xFF, n * sizeof(uint32_t));
    return CX_OK;
}

static const struct {
    int table, customer;
} events[] = {
    {CX_TABLE_INTERACTIONS, IN_CUSTOMER},
    {CX_TABLE_CASES, CA_CUSTOMER},
    {CX_TABLE_FEEDBACK, FB_CUSTOMER},
    {CX_TABLE_TRANSACTIONS, TR_CUSTOMER},
};

/* Numbers the rows that stay: customers not erased, events of those. */
static int plan_rows(cx_store *s, plan *p, const uint8_t *gone)
{
    int rc;
    size_t n = s->t[CX_TABLE_CUSTOMERS].n;
    if ((rc = none_array(&s->mem, &p->newrow[CX_TABLE_CUSTOMERS], &p->cap_newrow[CX_TABLE_CUSTOMERS], n)))
        return rc;
    for (size_t r = 0; r < n; r++)
        if (!gone[r])
            p->newrow[CX_TABLE_CUSTOMERS][r] = (uint32_t)p->rows[CX_TABLE_CUSTOMERS]++;
    for (size_t e = 0; e < sizeof events / sizeof events[0]; e++) {
        int t = events[e].table;
        const uint32_t *cu = CXI_COL(s, t, events[e].customer, uint32_t);
        if ((rc = none_array(&s->mem, &p->newrow[t], &p->cap_newrow[t], s->t[t].n)))
            return rc;
        for (size_t r = 0; r < s->t[t].n; r++)
            if (!gone[cu[r]])
                p->newrow[t][r] = (uint32_t)p->rows[t]++;
    }
    return CX_OK;
}

/* Re-interns, in old id order, the strings of `old` whose ids are marked
 * in map (CXI_NONE marks a dropped one; others are overwritten with the
 * new ids). */
static int rebuild_pool(cxi_mem *m, const cxi_pool *old, uint32_t *map, cxi_pool *fresh)
{
    for (uint32_t i = 0; i < old->count; i++) {
        if (map[i] == CXI_NONE)
            continue;
        int rc = cxi_pool_intern(m, fresh, cxi_pool_str(old, i), cxi_pool_len(old, i), &map[i]);
        if (rc)
            return rc;
    }
    return CX_OK;
}

/* Marks the codes of set column `col` of the kept rows of `table` as used:
 * rank[code] becomes the smallest `phase << 32 | new row` of a use. */
static void mark_used(const cx_store *s, const plan *p, int table, int col, uint64_t phase, uint64_t *rank)
{
    const cxi_codes c = cxi_codes_col(s, table, col);
    for (size_t r = 0; r < s->t[table].n; r++) {
        uint64_t at = phase << 32 | p->newrow[table][r];
        uint32_t v = cxi_codes_at(c, r);
        if (p->newrow[table][r] != CXI_NONE && v != CXI_NONE && at < rank[v])
            rank[v] = at;
    }
}

static int open_index(int set)
{
    for (size_t i = 0; i < NOPEN; i++)
        if (open_sets[i].set == set)
            return (int)i;
    return -1;
}

/* The order of the kept names of one open set: built-in names first, then
 * the others by first use (rank), ties in their old order; the order in
 * which a store never holding the erased records, filled table by table
 * (customers, cases, interactions), would have met them. */
typedef struct ranked {
    uint64_t rank;
    uint32_t code;
} ranked;

static int by_rank(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

/* Interns the names of open set i of `rank` (UINT64_MAX: unused) in order. */
static int rebuild_set(cx_store *s, plan *p, size_t i, uint64_t *rank)
{
    const cxi_pool *old = &s->sets[open_sets[i].set];
    uint32_t n = old->count, kept = 0;
    for (uint32_t c = 0; c < n && c < (uint32_t)open_sets[i].builtin; c++)
        rank[c] = 0; /* built in: always first, in order */
    ranked *order = n ? cxi_alloc(&s->mem, n * sizeof *order) : NULL;
    if (n && !order)
        return CX_ENOMEM;
    for (uint32_t c = 0; c < n; c++)
        if (rank[c] != UINT64_MAX)
            order[kept++] = (ranked){rank[c], c};
    if (kept > 1)
        qsort(order, kept, sizeof *order, by_rank);
    int rc = CX_OK;
    for (uint32_t k = 0; k < kept && !rc; k++)
        rc = cxi_pool_intern(&s->mem, &p->sets[i], cxi_pool_str(old, order[k].code), cxi_pool_len(old, order[k].code),
                             &p->code[i][order[k].code]);
    cxi_free(&s->mem, order, n * sizeof *order);
    return rc;
}

/* The names of the open sets the kept rows use, renumbered. */
/* Attribute names ranked by the first kept customer that has them. */
typedef struct name_rank {
    const uint32_t *newrow;
    uint64_t *rank;
} name_rank;

static int rank_name(void *ctx, uint32_t row, uint32_t name, uint32_t val)
{
    (void)val;
    name_rank *x = ctx;
    uint64_t at = x->newrow[row];
    if (at != CXI_NONE && at < x->rank[name])
        x->rank[name] = at;
    return CX_OK;
}

/* The attribute values kept customers have (marked 0). */
static int keep_value(void *ctx, uint32_t row, uint32_t name, uint32_t val)
{
    (void)name;
    plan *p = ctx;
    if (p->newrow[CX_TABLE_CUSTOMERS][row] != CXI_NONE)
        p->value[val] = 0;
    return CX_OK;
}

static int plan_sets(cx_store *s, plan *p)
{
    int rc = CX_OK;
    for (size_t i = 0; i < NOPEN && !rc; i++) {
        const cxi_pool *pool = &s->sets[open_sets[i].set];
        if ((rc = none_array(&s->mem, &p->code[i], &p->cap_code[i], pool->count)))
            return rc;
        uint64_t *rank = pool->count ? cxi_alloc(&s->mem, pool->count * sizeof *rank) : NULL;
        if (pool->count && !rank)
            return CX_ENOMEM;
        for (uint32_t c = 0; c < pool->count; c++)
            rank[c] = UINT64_MAX;
        const int C = CX_TABLE_CUSTOMERS;
        switch (open_sets[i].set) {
        case CX_VOCAB_INTERACTION_KIND: mark_used(s, p, CX_TABLE_INTERACTIONS, IN_KIND, 2, rank); break;
        case CX_VOCAB_AGENT:
            mark_used(s, p, CX_TABLE_CASES, CA_AGENT, 1, rank);
            mark_used(s, p, CX_TABLE_INTERACTIONS, IN_AGENT, 2, rank);
            break;
        case CX_VOCAB_SEGMENT: mark_used(s, p, C, CU_SEGMENT, 0, rank); break;
        case CX_VOCAB_REGION: mark_used(s, p, C, CU_REGION, 0, rank); break;
        case CX_VOCAB_PLAN: mark_used(s, p, C, CU_PLAN, 0, rank); break;
        default: { /* attribute names: of the kept customers */
            name_rank nr = {p->newrow[C], rank};
            cxi_attrs_each(&s->attrs, rank_name, &nr);
        }
        }
        rc = rebuild_set(s, p, i, rank);
        cxi_free(&s->mem, rank, pool->count * sizeof *rank);
    }
    if (rc)
        return rc;
    /* attribute values of the kept customers */
    if ((rc = none_array(&s->mem, &p->value, &p->cap_value, s->attr_values.count)))
        return rc;
    cxi_attrs_each(&s->attrs, keep_value, p);
    return rebuild_pool(&s->mem, &s->attr_values, p->value, &p->values);
}

/* The new attributes: kept customers' entries, renumbered; the names
 * most of the kept customers have in columns again. */
typedef struct attr_plan {
    cx_store *s;
    plan *p;
    const uint32_t *names;
} attr_plan;

static int plan_attr(void *ctx, uint32_t row, uint32_t name, uint32_t val)
{
    attr_plan *x = ctx;
    uint32_t to = x->p->newrow[CX_TABLE_CUSTOMERS][row];
    if (to == CXI_NONE)
        return CX_OK;
    int rc = cxi_attrs_reserve(&x->s->mem, &x->p->attrs, to, x->names[name], 0);
    if (!rc)
        cxi_attrs_exchange(&x->p->attrs, to, x->names[name], x->p->value[val]);
    return rc;
}

static int plan_attrs(cx_store *s, plan *p)
{
    attr_plan x = {s, p, p->code[open_index(CX_VOCAB_ATTRIBUTE)]};
    int rc = cxi_attrs_each(&s->attrs, plan_attr, &x);
    if (!rc)
        cxi_attrs_settle(&s->mem, &p->attrs, (uint32_t)p->rows[CX_TABLE_CUSTOMERS], CXI_NONE);
    return rc;
}

/* The keyed pools of customers and cases, the event ids and the comments
 * of the rows that stay. */
static int plan_keys(cx_store *s, plan *p)
{
    int rc;
    static const int keyed[] = {CX_TABLE_CUSTOMERS, CX_TABLE_CASES};
    for (size_t k = 0; k < 2; k++) {
        int t = keyed[k];
        for (size_t r = 0; r < s->t[t].n; r++) {
            if (p->newrow[t][r] == CXI_NONE)
                continue;
            uint32_t id;
            const cxi_pool *old = &s->keys[t];
            if ((rc = cxi_pool_intern(&s->mem, &p->keys[t], cxi_pool_str(old, (uint32_t)r),
                                      cxi_pool_len(old, (uint32_t)r), &id)))
                return rc;
        }
    }
    static const int evt[] = {CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};
    char buf[CXI_EID_BUF];
    for (size_t k = 0; k < 3; k++) {
        int t = evt[k];
        if ((rc = none_array(&s->mem, &p->eid[t], &p->cap_eid[t], s->keys[t].count)))
            return rc;
        for (size_t r = 0; r < s->t[t].n; r++) {
            uint32_t id = cxi_row_eid(s, t, r), len;
            if (p->newrow[t][r] == CXI_NONE || id == CXI_NONE)
                continue;
            const char *text = cxi_eid_text(s, t, id, buf, &len); /* compacted: maybe a number */
            if ((rc = cxi_pool_intern(&s->mem, &p->keys[t], text, len, &p->eid[t][id])) ||
                (rc = cxi_grow(&s->mem, &p->idrow[t], &p->idrow_cap[t], p->keys[t].count, sizeof(uint32_t))))
                return rc;
            p->idrow[t][p->eid[t][id]] = p->newrow[t][r];
        }
    }
    const int F = CX_TABLE_FEEDBACK;
    if ((rc = none_array(&s->mem, &p->comment, &p->cap_comment, s->comments.count)))
        return rc;
    const cxi_codes cm = cxi_codes_col(s, F, FB_COMMENT);
    for (size_t r = 0; r < s->t[F].n; r++) {
        uint32_t c = cxi_codes_at(cm, r);
        if (p->newrow[F][r] != CXI_NONE && c != CXI_NONE)
            p->comment[c] = 0;
    }
    return rebuild_pool(&s->mem, &s->comments, p->comment, &p->comments);
}

/* ---- applying it ----------------------------------------------------------- */

static inline uint32_t through(const uint32_t *map, uint32_t v) { return v == CXI_NONE ? CXI_NONE : map[v]; }

/* Moves the kept rows of a table up, remapping its reference columns, and
 * zeroes what is left behind. */
static void compact_table(cx_store *s, const plan *p, int t)
{
    cxi_table *tab = &s->t[t];
    const uint32_t *nr = p->newrow[t];
    for (int c = 0; c < tab->ncols; c++) {
        cxi_col *col = &tab->cols[c];
        for (size_t r = 0; r < tab->n; r++)
            if (nr[r] != CXI_NONE && nr[r] != r)
                memcpy((char *)col->data + (size_t)nr[r] * col->elem, (char *)col->data + r * col->elem, col->elem);
        if (tab->n > p->rows[t])
            cxi_wipe((char *)col->data + p->rows[t] * col->elem, (tab->n - p->rows[t]) * col->elem);
    }
    /* dirty bits move with their rows */
    if (s->dirty[t]) {
        uint64_t *d = s->dirty[t];
        for (size_t r = 0; r < tab->n && r / 64 < s->dirty_cap[t]; r++) {
            bool bit = d[r / 64] >> (r % 64) & 1;
            d[r / 64] &= ~((uint64_t)1 << (r % 64));
            if (bit && nr[r] != CXI_NONE)
                d[nr[r] / 64] |= (uint64_t)1 << (nr[r] % 64);
        }
    }
    tab->n = p->rows[t];
}

static void remap_col(cx_store *s, int t, int col, const uint32_t *map)
{
    if (col >= s->t[t].ncols) /* an implicit id column: the kept rows' ids are
                                 interned in row order, so it stays implicit */
        return;
    if (cxi_code_col(t, col)) { /* the new codes are no greater: they fit */
        cxi_col *c = &s->t[t].cols[col];
        for (size_t r = 0; r < s->t[t].n; r++)
            cxi_code_put(c, r, through(map, cxi_codes_at(cxi_codes_of(c), r)));
        return;
    }
    uint32_t *v = CXI_COL(s, t, col, uint32_t);
    for (size_t r = 0; r < s->t[t].n; r++)
        v[r] = through(map, v[r]);
}

/* The code columns of customers, interactions, cases and feedback wide enough for their new
 * codes (the renumbered names of a set come in a new order: an agent of
 * interactions may get a code beyond what its column holds), before apply()
 * which cannot fail; CX_ENOMEM leaves the values as they are. */
static int plan_widths(cx_store *s, const plan *p)
{
    const int I = CX_TABLE_INTERACTIONS, K = CX_TABLE_CASES, F = CX_TABLE_FEEDBACK;
    const uint32_t *agents = p->code[open_index(CX_VOCAB_AGENT)];
    const struct {
        int table, col;
        const uint32_t *map;
    } cols[] = {{CX_TABLE_CUSTOMERS, CU_SEGMENT, p->code[open_index(CX_VOCAB_SEGMENT)]},
                {CX_TABLE_CUSTOMERS, CU_REGION, p->code[open_index(CX_VOCAB_REGION)]},
                {CX_TABLE_CUSTOMERS, CU_PLAN, p->code[open_index(CX_VOCAB_PLAN)]},
                {I, IN_CASE, p->newrow[K]},
                {F, FB_CASE, p->newrow[K]},
                {I, IN_KIND, p->code[open_index(CX_VOCAB_INTERACTION_KIND)]},
                {I, IN_AGENT, agents},
                {K, CA_AGENT, agents}};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        int t = cols[k].table;
        const uint32_t *kept = p->newrow[t];
        cxi_col *c = &s->t[t].cols[cols[k].col];
        size_t w = 1;
        for (size_t r = 0; cols[k].map && r < s->t[t].n; r++)
            if (!kept || kept[r] != CXI_NONE) {
                size_t need = cxi_code_width(through(cols[k].map, cxi_codes_at(cxi_codes_of(c), r)));
                w = need > w ? need : w;
            }
        int rc = cxi_col_recode(&s->mem, c, s->t[t].n, w);
        if (rc)
            return rc;
        if (c->cap < s->t[t].room)
            s->t[t].room = c->cap;
    }
    return CX_OK;
}

static void apply(cx_store *s, plan *p)
{
    const int C = CX_TABLE_CUSTOMERS, I = CX_TABLE_INTERACTIONS, K = CX_TABLE_CASES, F = CX_TABLE_FEEDBACK,
              X = CX_TABLE_TRANSACTIONS;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        if (p->newrow[t])
            compact_table(s, p, t);
    uint32_t *const *code = p->code;
    remap_col(s, C, CU_SEGMENT, code[open_index(CX_VOCAB_SEGMENT)]);
    remap_col(s, C, CU_REGION, code[open_index(CX_VOCAB_REGION)]);
    remap_col(s, C, CU_PLAN, code[open_index(CX_VOCAB_PLAN)]);
    remap_col(s, I, IN_CUSTOMER, p->newrow[C]);
    remap_col(s, I, IN_CASE, p->newrow[K]);
    remap_col(s, I, IN_KIND, code[open_index(CX_VOCAB_INTERACTION_KIND)]);
    remap_col(s, I, IN_AGENT, code[open_index(CX_VOCAB_AGENT)]);
    remap_col(s, I, IN_ID, p->eid[I]);
    remap_col(s, K, CA_CUSTOMER, p->newrow[C]);
    remap_col(s, K, CA_AGENT, code[open_index(CX_VOCAB_AGENT)]);
    remap_col(s, F, FB_CUSTOMER, p->newrow[C]);
    if (!s->external_interactions)
        remap_col(s, F, FB_INTERACTION, p->newrow[I]);
    remap_col(s, F, FB_CASE, p->newrow[K]);
    remap_col(s, F, FB_COMMENT, p->comment);
    remap_col(s, F, FB_ID, p->eid[F]);
    remap_col(s, X, TR_CUSTOMER, p->newrow[C]);
    remap_col(s, X, TR_ID, p->eid[X]);
    cxi_hindex_drop(s);
    static const int swapped[] = {C, K, I, F, X};
    for (size_t k = 0; k < 5; k++) {
        int t = swapped[k];
        /* ids compacted (cx_store_compact) stay so: the old ones' numbers
         * (wiped), text and index made for readers go, and the new pool is
         * compacted in turn */
        bool compacted = (t == I || t == F || t == X) && (s->nid[t] || !cxi_pool_indexed(&s->keys[t]));
        pool_swap(&s->mem, &s->keys[t], &p->keys[t]);
        if (t == I || t == F || t == X) {
            cxi_numids_free(s, t);
            cxi_eindex_drop(s, t);
            if (compacted)
                cxi_event_ids_compact(s, t);
        }
    }
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        if (!p->idrow[t])
            continue;
        cxi_free(&s->mem, s->idrow[t], s->idrow_cap[t] * sizeof(uint32_t));
        s->idrow[t] = p->idrow[t];
        s->idrow_cap[t] = p->idrow_cap[t];
        p->idrow[t] = NULL;
        p->idrow_cap[t] = 0;
    }
    for (size_t i = 0; i < NOPEN; i++)
        pool_swap(&s->mem, &s->sets[open_sets[i].set], &p->sets[i]);
    pool_swap(&s->mem, &s->comments, &p->comments);
    pool_swap(&s->mem, &s->attr_values, &p->values);
    cxi_attrs_wipe_free(&s->mem, &s->attrs);
    s->attrs = p->attrs;
    cxi_attrs_init(&p->attrs);
    s->attrs_changed = true;
}

int cx_customer_forget(size_t *out_rows, cx_store *s, size_t n, const char *const *ids)
{
    static const char fn[] = "cx_customer_forget";
    if (out_rows)
        *out_rows = 0;
    if (!s || (n && !ids))
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (s->lookup || s->undo)
        return cxi_fail(CX_EINVAL, "%s: the store is being imported into", fn);
    size_t ncust = s->t[CX_TABLE_CUSTOMERS].n;
    uint8_t *gone = ncust ? cxi_alloc(&s->mem, ncust) : NULL;
    if (ncust && !gone)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    if (gone)
        memset(gone, 0, ncust);
    int rc = CX_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        size_t row;
        char qb[80];
        if (!ids[i])
            rc = cxi_fail(CX_EINVAL, "%s: id %zu is NULL", fn, i);
        else if ((rc = cx_store_find(&row, s, CX_TABLE_CUSTOMERS, ids[i])) == CX_ENOTFOUND)
            rc = cxi_fail(CX_ENOTFOUND, "%s: no customer '%s' (nothing was erased)", fn, cxi_quote(qb, ids[i]));
        else if (rc)
            rc = cxi_fail(rc, "%s: customer id %zu: %s", fn, i, cx_last_error());
        else
            gone[row] = 1;
    }
    plan p;
    plan_init(&p);
    size_t before = 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        before += s->t[t].n;
    /* columns kept sparse (cx_store_compact) are columns for the erasure,
     * then sparse again */
    bool sparse[CX_TABLE_COUNT];
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        sparse[t] = s->nsparse[t] > 0;
    for (int t = 0; t < CX_TABLE_COUNT && !rc; t++)
        rc = cxi_table_dense(fn, s, t);
    if (!rc && ((rc = plan_rows(s, &p, gone)) || (rc = plan_sets(s, &p)) || (rc = plan_attrs(s, &p)) ||
                (rc = plan_keys(s, &p)) || (rc = plan_widths(s, &p))))
        rc = cxi_fail(rc, "%s: out of memory (nothing was erased)", fn);
    if (!rc) {
        apply(s, &p);
        size_t after = 0;
        for (int t = 0; t < CX_TABLE_COUNT; t++)
            after += s->t[t].n;
        if (out_rows)
            *out_rows = before - after;
        for (int t = 0; t < CX_TABLE_COUNT; t++)
            if (sparse[t])
                cxi_table_sparsify(s, t);
    }
    plan_free(&s->mem, &p);
    cxi_free(&s->mem, gone, ncust);
    return rc;
}

/* ---- pseudonyms ---------------------------------------------------------- */

static int pseudonym_of(char out[CX_PSEUDONYM_SIZE], const void *key, size_t key_len, const char *value, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    if (sodium_init() < 0)
        return CX_ENOMEM;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)value, len);
    crypto_auth_hmacsha256_final(&st, mac);
    for (size_t i = 0; i < 16; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[32] = '\0';
    sodium_memzero(&st, sizeof st);
    sodium_memzero(mac, sizeof mac);
    return CX_OK;
}

int cx_pseudonym(char *out, const void *key, size_t key_len, const char *value)
{
    if (!out || !key || !value)
        return cxi_fail(CX_EINVAL, "cx_pseudonym: NULL argument");
    if (key_len == 0)
        return cxi_fail(CX_EINVAL, "cx_pseudonym: the key is empty");
    int rc = pseudonym_of(out, key, key_len, value, strlen(value));
    return rc ? cxi_fail(rc, "cx_pseudonym: libsodium could not start") : CX_OK;
}

/* Interns the pseudonym of old string i into fresh; its new id in *id. */
static int intern_pseudonym(cxi_mem *m, cxi_pool *fresh, const cxi_pool *old, uint32_t i, const void *key,
                            size_t key_len, uint32_t *id)
{
    char ps[CX_PSEUDONYM_SIZE];
    int rc = pseudonym_of(ps, key, key_len, cxi_pool_str(old, i), cxi_pool_len(old, i));
    if (!rc)
        rc = cxi_pool_intern(m, fresh, ps, 32, id);
    return rc;
}

/* Is attribute name k among those to pseudonymise? */
static bool listed(const cx_store *s, uint32_t k, size_t nattr, const char *const *attributes)
{
    const char *name = cxi_pool_str(&s->sets[CX_VOCAB_ATTRIBUTE], k);
    for (size_t i = 0; i < nattr; i++)
        if (strcmp(name, attributes[i]) == 0)
            return true;
    return false;
}

/* The values of the attributes, interned anew by cx_store_pseudonymize:
 * to[1][v] the pseudonym of value v (of a listed name), to[0][v] v again. */
typedef struct pseudo_values {
    cx_store *s;
    cxi_pool *values;
    const void *key;
    size_t key_len, nattr;
    const char *const *attributes;
    uint32_t *to[2];
    size_t cap, n;
} pseudo_values;

static int pseudo_value(void *ctx, uint32_t row, uint32_t name, uint32_t v)
{
    (void)row;
    pseudo_values *x = ctx;
    cx_store *s = x->s;
    int h = listed(s, name, x->nattr, x->attributes);
    if (x->to[h][v] != CXI_NONE)
        return CX_OK;
    if (h)
        return intern_pseudonym(&s->mem, x->values, &s->attr_values, v, x->key, x->key_len, &x->to[h][v]);
    return cxi_pool_intern(&s->mem, x->values, cxi_pool_str(&s->attr_values, v), cxi_pool_len(&s->attr_values, v),
                           &x->to[h][v]);
}

static uint32_t pseudo_to(void *ctx, uint32_t name, uint32_t v)
{
    pseudo_values *x = ctx;
    return x->to[listed(x->s, name, x->nattr, x->attributes)][v];
}

int cx_store_pseudonymize(cx_store *s, const void *key, size_t key_len, size_t nattr, const char *const *attributes,
                          int flags)
{
    static const char fn[] = "cx_store_pseudonymize";
    if (!s || !key || (nattr && !attributes))
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (key_len == 0)
        return cxi_fail(CX_EINVAL, "%s: the key is empty", fn);
    if (flags & ~CX_PSEUDONYMIZE_DROP_COMMENTS)
        return cxi_fail(CX_EINVAL, "%s: unknown flags %#x", fn, (unsigned)flags);
    for (size_t i = 0; i < nattr; i++)
        if (!attributes[i])
            return cxi_fail(CX_EINVAL, "%s: attribute name %zu is NULL", fn, i);
    if (s->lookup || s->undo)
        return cxi_fail(CX_EINVAL, "%s: the store is being imported into", fn);
    const cxi_pool *ids = &s->keys[CX_TABLE_CUSTOMERS];
    cxi_pool keys, values;
    cxi_pool_init(&keys);
    cxi_pool_init(&values);
    /* the new id of each value, by whether its name is listed (hashed) */
    pseudo_values pv = {s, &values, key, key_len, nattr, attributes, {NULL, NULL}, 0, s->attr_values.count};
    int rc = CX_OK;
    char qb[80];
    for (uint32_t r = 0; r < ids->count && !rc; r++) {
        uint32_t id;
        if ((rc = intern_pseudonym(&s->mem, &keys, ids, r, key, key_len, &id)))
            break;
        if (id != r) /* two ids, one pseudonym: the rows would merge */
            rc = cxi_fail(CX_EEXISTS, "%s: customers '%s' and another have the same pseudonym (nothing changed)",
                          fn, cxi_quote(qb, cxi_pool_str(ids, r)));
    }
    /* attribute values: the listed ones hashed, the others kept */
    for (int i = 0; i < 2 && !rc && pv.n; i++)
        rc = none_array(&s->mem, &pv.to[i], &pv.cap, pv.n);
    if (!rc)
        rc = cxi_attrs_each(&s->attrs, pseudo_value, &pv);
    if (!rc) {
        pool_swap(&s->mem, &s->keys[CX_TABLE_CUSTOMERS], &keys);
        pool_swap(&s->mem, &s->attr_values, &values);
        cxi_attrs_remap(&s->attrs, pseudo_to, &pv);
        s->attrs_changed = true;
    }
    for (int i = 0; i < 2; i++)
        cxi_free(&s->mem, pv.to[i], pv.to[i] ? pv.n * sizeof(uint32_t) : 0);
    if (rc) {
        pool_wipe_free(&s->mem, &keys);
        pool_wipe_free(&s->mem, &values);
        return rc == CX_EEXISTS ? rc : cxi_fail(rc, "%s: out of memory (nothing changed)", fn);
    }
    if (flags & CX_PSEUDONYMIZE_DROP_COMMENTS) {
        const int F = CX_TABLE_FEEDBACK;
        cxi_col *cm = &s->t[F].cols[FB_COMMENT];
        for (size_t r = 0; r < s->t[F].n; r++)
            cxi_code_put(cm, r, CXI_NONE);
        pool_wipe_free(&s->mem, &s->comments);
    }
    return CX_OK;
}
