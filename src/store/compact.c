/*
 * Compaction (issue 14): cx_store_compact() gives back what a store only
 * read can do without and rebuild: the room its columns keep for rows to
 * come, the hash index of the ids of interactions, feedback and
 * transactions (the event tables' keys pools), and the text of those ids
 * where most of them are a prefix and a number (I-000042, T-1611868): kept
 * as numbers, 4 bytes an id, the others (outliers) as text; and columns
 * whose rows mostly hold one value, kept sparse (cxi_sparse, base.h; see
 * cxi_sparse_col).
 *
 * An event table's ids after it are read in three ways:
 * - finds (readers, const: cx_store_find, cxi_event_find; cxi_event_key)
 *   go through an index kept apart, eindex[table], of the ids' text or of
 *   their numbers, built by the first of them and published by a compare
 *   and swap, as the history index is (readers may run at once; the losers
 *   free theirs). cx_store_memory() leaves it out, as it leaves out the
 *   history index. Out of memory, a find reads every id in order instead;
 * - the text of one id for a moment (cxi_eid_text: a comparison, a
 *   message) is written into the caller's buffer: nothing is kept;
 * - text lent for as long as the store lives (cx_store_get_string, a save,
 *   a copy: cxi_event_ids_text) needs the whole table's ids as a pool
 *   again: the first such reader makes it, published and kept apart
 *   (etext[table]) like the index;
 * - writers (cxi_event_ids_ready, called before anything that finds or adds
 *   an event id and changes the store) give the table its pool with its
 *   hash slots again: the text readers made taken over (so the pointers
 *   they lent stay valid), or made now; the index kept apart taken over
 *   or a new one; CX_ENOMEM changes nothing stored.
 */
#include <stdio.h>

#include "store_private.h"

struct cxi_eindex {
    uint32_t *slots;
    uint32_t nslots;
    uint32_t count;  /* the ids it was built from */
    bool numbers;    /* slots of the ids' numbers (cxi_numids), not of their text */
};

/* The ids of an event table as numbers: the form most of them take, a
 * prefix (no digit) and 1 to 9 digits, exactly `width` of them (zeros in
 * front) or, width 0, the number's decimal text; num[k] the number of id
 * k, CXI_NONE for an outlier (another form), whose text is in `out`, in
 * key order, out_key[i] the key of the i-th. */
#define NID_PREFIX 16
struct cxi_numids {
    char prefix[NID_PREFIX];
    unsigned plen, width;
    uint32_t count;
    uint32_t *num;
    cxi_pool out;
    uint32_t *out_key;
    size_t nout;
};

/* A table's ids as text made for readers (kept apart, its own count). */
struct cxi_etext {
    cxi_pool pool;
    size_t bytes;
};

static bool is_event(int table)
{
    return table == CX_TABLE_INTERACTIONS || table == CX_TABLE_FEEDBACK || table == CX_TABLE_TRANSACTIONS;
}

static const char *table_word(int table)
{
    return table == CX_TABLE_INTERACTIONS ? "interactions" : table == CX_TABLE_FEEDBACK ? "feedback" : "transactions";
}

/* ---- ids as numbers --------------------------------------------------------- */

typedef struct id_form {
    char prefix[NID_PREFIX];
    unsigned plen, width, digits;
} id_form;

/* The form of id s[0..len): its prefix (no ASCII digit, under 16 bytes)
 * and 1 to 9 digits after it; width 0 when they have no zero in front
 * (or are "0"), else their count. *v the number. False for another id. */
static bool form_of(const char *s, size_t len, id_form *f, uint32_t *v)
{
    size_t i = 0;
    while (i < len && !(s[i] >= '0' && s[i] <= '9'))
        i++;
    if (i >= NID_PREFIX || len - i < 1 || len - i > 9)
        return false;
    uint32_t n = 0;
    for (size_t k = i; k < len; k++) {
        if (!(s[k] >= '0' && s[k] <= '9'))
            return false;
        n = n * 10 + (uint32_t)(s[k] - '0');
    }
    memcpy(f->prefix, s, i);
    f->plen = (unsigned)i;
    f->digits = (unsigned)(len - i);
    f->width = s[i] == '0' && len - i > 1 ? f->digits : 0;
    *v = n;
    return true;
}

/* Whether an id of form f is written as form `as` writes its number (an
 * id with no zero in front also fits a padded form of its width). */
static bool fits_form(const id_form *f, unsigned plen, const char *prefix, unsigned width)
{
    if (f->plen != plen || memcmp(f->prefix, prefix, plen) != 0)
        return false;
    return width ? f->digits == width : f->width == 0;
}

/* Id s[0..len) as a number of the table's form, or CXI_NONE. */
static uint32_t nid_parse(const struct cxi_numids *x, const char *s, size_t len)
{
    id_form f;
    uint32_t v;
    if (!form_of(s, len, &f, &v) || !fits_form(&f, x->plen, x->prefix, x->width))
        return CXI_NONE;
    return v;
}

/* Number v written as the form writes it, into buf (CXI_EID_BUF bytes). */
static uint32_t nid_format(const struct cxi_numids *x, uint32_t v, char *buf)
{
    memcpy(buf, x->prefix, x->plen);
    int n = snprintf(buf + x->plen, CXI_EID_BUF - x->plen, "%0*u", (int)x->width, (unsigned)v);
    return x->plen + (uint32_t)n;
}

/* The index in `out` of outlier key k. */
static uint32_t nid_outlier(const struct cxi_numids *x, uint32_t k)
{
    size_t lo = 0, hi = x->nout;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->out_key[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

static void nid_free(cxi_mem *m, struct cxi_numids *x)
{
    if (!x)
        return;
    { /* the ids leave nothing behind (erased ones: cx_customer_forget) */
        if (x->num)
            cxi_wipe(x->num, (size_t)x->count * sizeof *x->num);
        for (size_t b = 0; b < x->out.nblocks; b++)
            if (x->out.block_sizes[b])
                cxi_wipe(x->out.blocks[b], x->out.block_sizes[b]);
    }
    cxi_free(m, x->num, (size_t)x->count * sizeof *x->num);
    cxi_free(m, x->out_key, (x->nout ? x->nout : 1) * sizeof *x->out_key);
    cxi_pool_free(m, &x->out);
    cxi_free(m, x, sizeof *x);
}

/* Table t's ids as numbers when most of them take one form (of the first
 * 8 forms met), its text pool freed (its count kept); nothing when they do
 * not, or out of memory (then the text stays). */
static void nid_compact(cx_store *s, int t)
{
    cxi_pool *p = &s->keys[t];
    uint32_t n = p->count;
    if (n < 64 || s->nid[t])
        return;
    id_form forms[8], f;
    size_t fit[8] = {0}, nf = 0;
    uint32_t v;
    for (uint32_t k = 0; k < n; k++) {
        if (!form_of(cxi_pool_str(p, k), cxi_pool_len(p, k), &f, &v))
            continue;
        /* an id counts for every form that writes it (I-123456 for the
         * unpadded form and the one padded to 6 digits alike); a form is
         * new when none of its own width writes it */
        bool known = false;
        for (size_t i = 0; i < nf; i++)
            if (fits_form(&f, forms[i].plen, forms[i].prefix, forms[i].width)) {
                fit[i]++;
                known |= forms[i].width == f.width;
            }
        if (!known && nf < 8) {
            forms[nf] = f;
            fit[nf++] = 1;
        }
    }
    size_t best = 0;
    for (size_t i = 1; i < nf; i++)
        best = fit[i] > fit[best] ? i : best;
    if (nf == 0 || fit[best] * 4 < (size_t)n * 3) /* three in four, or the text stays */
        return;
    cxi_mem *m = &s->mem;
    struct cxi_numids *x = cxi_alloc(m, sizeof *x);
    if (!x)
        return;
    memset(x, 0, sizeof *x);
    memcpy(x->prefix, forms[best].prefix, forms[best].plen);
    x->plen = forms[best].plen;
    x->width = forms[best].width;
    x->count = n;
    x->nout = n - fit[best];
    cxi_pool_init(&x->out);
    x->out.exact = true;
    x->num = cxi_alloc(m, (size_t)n * sizeof *x->num);
    x->out_key = cxi_alloc(m, (x->nout ? x->nout : 1) * sizeof *x->out_key);
    bool ok = x->num && x->out_key;
    size_t j = 0;
    for (uint32_t k = 0; ok && k < n; k++) {
        const char *str = cxi_pool_str(p, k);
        uint32_t len = cxi_pool_len(p, k);
        x->num[k] = nid_parse(x, str, len);
        if (x->num[k] != CXI_NONE)
            continue;
        if (cxi_pool_reserve(m, &x->out, 1, len)) {
            ok = false;
            break;
        }
        cxi_pool_add(&x->out, str, len);
        x->out_key[j++] = k;
    }
    if (!ok || j != x->nout) {
        nid_free(m, x);
        return;
    }
    cxi_pool_free(m, p);                 /* keeps `exact` */
    p->count = n;                        /* what the table's ids number (store_private.h) */
    s->nid[t] = x;
}

/* Table t's ids as a text pool again, into `into` (empty), from its numbers
 * and outliers, with hash slots; CX_ENOMEM (not reported) leaves it empty. */
static int nid_text(cxi_mem *m, const struct cxi_numids *x, cxi_pool *into)
{
    cxi_pool_init(into);
    into->exact = true;
    int rc = cxi_pool_presize(m, into, x->count);
    char buf[CXI_EID_BUF];
    for (uint32_t k = 0, o = 0; !rc && k < x->count; k++) {
        const char *str;
        uint32_t len;
        if (x->num[k] != CXI_NONE) {
            len = nid_format(x, x->num[k], buf);
            str = buf;
        } else {
            str = cxi_pool_str(&x->out, o);
            len = cxi_pool_len(&x->out, o);
            o++;
        }
        if (!(rc = cxi_pool_reserve(m, into, 1, len)))
            cxi_pool_add(into, str, len);
    }
    if (rc) {
        cxi_pool_free(m, into);
        return CX_ENOMEM;
    }
    return CX_OK;
}

const char *cxi_eid_text(const cx_store *s, int table, uint32_t k, char *buf, uint32_t *len)
{
    const struct cxi_numids *x = s->nid[table];
    if (!x) {
        *len = cxi_pool_len(&s->keys[table], k);
        return cxi_pool_str(&s->keys[table], k);
    }
    if (x->num[k] != CXI_NONE) {
        *len = nid_format(x, x->num[k], buf);
        return buf;
    }
    uint32_t o = nid_outlier(x, k);
    *len = cxi_pool_len(&x->out, o);
    return cxi_pool_str(&x->out, o);
}

/* ---- text made for readers --------------------------------------------------- */

static void etext_release(const cx_store *s, struct cxi_etext *e)
{
    cxi_mem mem = s->mem;
    mem.bytes = e->bytes;
    for (size_t b = 0; b < e->pool.nblocks; b++) /* erased ids leave nothing behind */
        if (e->pool.block_sizes[b])
            cxi_wipe(e->pool.blocks[b], e->pool.block_sizes[b]);
    cxi_pool_free(&mem, &e->pool);
    cxi_free(&mem, e, sizeof *e);
}

const cxi_pool *cxi_event_ids_text(const cx_store *s, int table)
{
    const struct cxi_numids *x = s->nid[table];
    if (!x)
        return &s->keys[table];
    _Atomic(struct cxi_etext *) *slot = &((cx_store *)s)->etext[table];
    struct cxi_etext *e = atomic_load_explicit(slot, memory_order_acquire);
    if (e)
        return &e->pool;
    cxi_mem mem = s->mem;
    mem.bytes = 0;
    struct cxi_etext *built = cxi_alloc(&mem, sizeof *built);
    if (!built)
        return NULL;
    if (nid_text(&mem, x, &built->pool)) {
        cxi_free(&mem, built, sizeof *built);
        return NULL;
    }
    built->bytes = mem.bytes;
    struct cxi_etext *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &expected, built, memory_order_acq_rel,
                                                memory_order_acquire))
        return &built->pool;
    etext_release(s, built); /* another reader published first: the same text */
    return &expected->pool;
}

static void etext_drop(cx_store *s, int table)
{
    struct cxi_etext *e = atomic_exchange_explicit(&s->etext[table], NULL, memory_order_relaxed);
    if (e)
        etext_release(s, e);
}

/* ---- finds -------------------------------------------------------------------- */

/* Frees an index kept apart (counted apart from the store's bytes). */
static void eindex_release(const cx_store *s, struct cxi_eindex *x)
{
    cxi_mem mem = s->mem;
    mem.bytes = 0;
    cxi_free(&mem, x->slots, (size_t)x->nslots * sizeof *x->slots);
    cxi_free(&mem, x, sizeof *x);
}

static inline uint32_t num_hash(uint32_t v)
{
    uint64_t h = (uint64_t)v * 0x9E3779B97F4A7C15ULL;
    return (uint32_t)(h >> 32);
}

/* Slots of the numbers of x (k + 1 at the home of num[k], linear probing),
 * at most 13/16 full. */
static struct cxi_eindex *numindex_build(cxi_mem *mem, const struct cxi_numids *x)
{
    struct cxi_eindex *e = cxi_alloc(mem, sizeof *e);
    if (!e)
        return NULL;
    uint64_t ns = 16;
    while ((uint64_t)x->count * 16 > ns * 13)
        ns *= 2;
    e->slots = ns <= UINT32_MAX / 2 + 1 ? cxi_alloc(mem, (size_t)ns * sizeof *e->slots) : NULL;
    if (!e->slots) {
        cxi_free(mem, e, sizeof *e);
        return NULL;
    }
    e->nslots = (uint32_t)ns;
    e->count = x->count;
    e->numbers = true;
    cxi_hugepages(e->slots, (size_t)ns * sizeof *e->slots);
    memset(e->slots, 0, (size_t)ns * sizeof *e->slots);
    uint32_t mask = e->nslots - 1;
    for (uint32_t k = 0; k < x->count; k++) {
        if (x->num[k] == CXI_NONE)
            continue;
        uint32_t i = num_hash(x->num[k]) & mask;
        while (e->slots[i])
            i = (i + 1) & mask;
        e->slots[i] = k + 1;
    }
    return e;
}

static struct cxi_eindex *eindex_build(const cx_store *s, int table)
{
    cxi_mem mem = s->mem;
    mem.bytes = 0;
    if (s->nid[table])
        return numindex_build(&mem, s->nid[table]);
    struct cxi_eindex *x = cxi_alloc(&mem, sizeof *x);
    if (!x)
        return NULL;
    if (cxi_pool_index_new(&mem, &s->keys[table], &x->slots, &x->nslots)) {
        cxi_free(&mem, x, sizeof *x);
        return NULL;
    }
    x->count = s->keys[table].count;
    x->numbers = false;
    return x;
}

/* The published index of an event table, built and published when there is
 * none; NULL out of memory. */
static const struct cxi_eindex *eindex_get(const cx_store *s, int table)
{
    _Atomic(struct cxi_eindex *) *slot = &((cx_store *)s)->eindex[table];
    struct cxi_eindex *x = atomic_load_explicit(slot, memory_order_acquire);
    if (x)
        return x;
    struct cxi_eindex *built = eindex_build(s, table);
    if (!built)
        return NULL;
    struct cxi_eindex *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &expected, built, memory_order_acq_rel,
                                                memory_order_acquire))
        return built;
    eindex_release(s, built); /* another reader published first: the same slots */
    return expected;
}

/* The key of number v among x's, through the index e or, without one, by
 * reading them in order. */
static uint32_t num_find(const struct cxi_numids *x, const struct cxi_eindex *e, uint32_t v)
{
    if (!e || !e->numbers || e->count != x->count) {
        for (uint32_t k = 0; k < x->count; k++)
            if (x->num[k] == v)
                return k;
        return CXI_NONE;
    }
    uint32_t mask = e->nslots - 1;
    for (uint32_t i = num_hash(v) & mask;; i = (i + 1) & mask) {
        uint32_t k1 = e->slots[i];
        if (!k1)
            return CXI_NONE;
        if (x->num[k1 - 1] == v)
            return k1 - 1;
    }
}

uint32_t cxi_event_key(const cx_store *s, int table, const char *id, size_t len, uint32_t h)
{
    const struct cxi_numids *x = s->nid[table];
    if (x) {
        uint32_t v = nid_parse(x, id, len);
        if (v != CXI_NONE)
            return num_find(x, eindex_get(s, table), v);
        uint32_t o = cxi_pool_find_hashed(&x->out, id, len, h);
        return o == CXI_NONE ? CXI_NONE : x->out_key[o];
    }
    const cxi_pool *p = &s->keys[table];
    if (CXI_LIKELY(cxi_pool_indexed(p)))
        return cxi_pool_find_hashed(p, id, len, h);
    const struct cxi_eindex *e = eindex_get(s, table);
    if (e && !e->numbers && e->count == p->count)
        return cxi_pool_find_in(p, e->slots, e->nslots, id, len, h);
    return cxi_pool_scan(p, id, len);
}

void cxi_eindex_drop(cx_store *s, int table)
{
    struct cxi_eindex *x = atomic_exchange_explicit(&s->eindex[table], NULL, memory_order_relaxed);
    if (x)
        eindex_release(s, x);
}

size_t cxi_eindex_bytes(const cx_store *s)
{
    size_t bytes = 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        struct cxi_eindex *x = atomic_load_explicit(&((cx_store *)s)->eindex[t], memory_order_acquire);
        if (x)
            bytes += sizeof *x + (size_t)x->nslots * sizeof *x->slots;
        struct cxi_etext *e = atomic_load_explicit(&((cx_store *)s)->etext[t], memory_order_acquire);
        if (e)
            bytes += e->bytes;
    }
    return bytes;
}

size_t cxi_numids_bytes(const cx_store *s, int table)
{
    const struct cxi_numids *x = s->nid[table];
    if (!x)
        return 0;
    size_t b = sizeof *x + (size_t)x->count * sizeof *x->num + (x->nout ? x->nout : 1) * sizeof *x->out_key;
    for (size_t i = 0; i < x->out.nblocks; i++)
        b += x->out.block_sizes[i];
    for (size_t i = 0; i < x->out.nx; i++)
        b += x->out.xsizes[i];
    b += x->out.blocks_cap * (sizeof *x->out.blocks + sizeof *x->out.block_sizes) + x->out.strs.cap * x->out.strs.elem;
    b += x->out.xcap * (sizeof *x->out.xblocks + sizeof *x->out.xsizes) + (size_t)x->out.nslots * sizeof *x->out.slots;
    return b;
}

/* ---- writers -------------------------------------------------------------------- */

int cxi_event_ids_index(const char *fn, cx_store *s, int table)
{
    cxi_pool *p = &s->keys[table];
    struct cxi_numids *x = s->nid[table];
    if (x) {
        /* the text readers made (the pointers they lent stay valid), or new */
        struct cxi_etext *e = atomic_exchange_explicit(&s->etext[table], NULL, memory_order_relaxed);
        cxi_pool text;
        if (e) {
            text = e->pool;
            s->mem.bytes += e->bytes - sizeof *e; /* the store's now, all but the header freed here */
            cxi_mem mem = s->mem;
            mem.bytes = sizeof *e;
            cxi_free(&mem, e, sizeof *e);
        } else if (nid_text(&s->mem, x, &text)) {
            return cxi_fail(CX_ENOMEM, "%s: out of memory for the text of %zu ids of %s", fn, (size_t)x->count,
                            table_word(table));
        }
        cxi_eindex_drop(s, table);
        *p = text;
        s->nid[table] = NULL;
        nid_free(&s->mem, x);
        if (cxi_pool_indexed(p))
            return CX_OK;
    }
    struct cxi_eindex *e = atomic_exchange_explicit(&s->eindex[table], NULL, memory_order_relaxed);
    if (e && !e->numbers && e->count == p->count) {
        /* its bytes now count as the store's */
        s->mem.bytes += (size_t)e->nslots * sizeof *e->slots;
        cxi_pool_take_index(p, e->slots, e->nslots);
        e->slots = NULL;
        e->nslots = 0;
        eindex_release(s, e);
        return CX_OK;
    }
    if (e)
        eindex_release(s, e);
    uint32_t *slots;
    uint32_t ns;
    if (cxi_pool_index_new(&s->mem, p, &slots, &ns))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the index of %zu ids of %s", fn, (size_t)p->count,
                        table_word(table));
    cxi_pool_take_index(p, slots, ns);
    return CX_OK;
}

int cxi_store_ids_ready(const char *fn, cx_store *s)
{
    int rc = CX_OK;
    for (int t = 0; t < CX_TABLE_COUNT && !rc; t++)
        if (is_event(t) && !(rc = cxi_event_ids_ready(fn, s, t)))
            rc = cxi_table_dense(fn, s, t);
    return rc;
}

/* ---- sparse columns ------------------------------------------------------------- */

int cxi_table_dense_all(const char *fn, cx_store *s, int table)
{
    cxi_table *tb = &s->t[table];
    size_t rows = tb->n ? tb->n : 1;
    /* every column's block first: a failure changes nothing */
    void *data[CXI_MAX_COLS] = {NULL};
    for (int c = 0; c < tb->ncols; c++) {
        const cxi_sparse *sp = s->sparse[table][c];
        if (sp && !(data[c] = cxi_alloc(&s->mem, rows * sp->elem))) {
            for (int k = 0; k < c; k++)
                if (data[k])
                    cxi_free(&s->mem, data[k], rows * s->sparse[table][k]->elem);
            return cxi_fail(CX_ENOMEM, "%s: out of memory for the columns of %zu rows", fn, tb->n);
        }
    }
    for (int c = 0; c < tb->ncols; c++) {
        cxi_sparse *sp = s->sparse[table][c];
        if (!sp)
            continue;
        cxi_sparse_write(sp, data[c]);
        tb->cols[c] = (cxi_col){data[c], rows, sp->elem};
        s->sparse[table][c] = NULL;
        cxi_sparse_free(&s->mem, sp);
    }
    s->nsparse[table] = 0;
    size_t room = SIZE_MAX;
    for (int c = 0; c < tb->ncols; c++)
        room = tb->cols[c].cap < room ? tb->cols[c].cap : room;
    tb->room = tb->ncols ? room : 0;
    return CX_OK;
}

void cxi_table_sparsify(cx_store *s, int table)
{
    cxi_table *tb = &s->t[table];
    for (int c = 0; c < tb->ncols; c++) {
        /* codes, or values in cents (4 bytes): not a value column widened to double */
        if (!cxi_sparse_col(table, c) || s->sparse[table][c] || !tb->cols[c].data || tb->n == 0 ||
            tb->cols[c].elem > sizeof(uint32_t))
            continue;
        cxi_sparse *sp = cxi_sparse_of(&s->mem, cxi_codes_of(&tb->cols[c]), tb->n);
        if (!sp)
            continue; /* not smaller, or no memory: stays a column */
        cxi_cols_free(&s->mem, &tb->cols[c], 1); /* keeps elem: the width */
        s->sparse[table][c] = sp;
        s->nsparse[table]++;
        tb->room = 0; /* a writer makes it a column again first */
    }
}

void cxi_table_sparse_free(cx_store *s, int table)
{
    for (int c = 0; c < CXI_MAX_COLS; c++) {
        cxi_sparse_free(&s->mem, s->sparse[table][c]);
        s->sparse[table][c] = NULL;
    }
    s->nsparse[table] = 0;
}

void cxi_numids_free(cx_store *s, int table)
{
    etext_drop(s, table);
    cxi_eindex_drop(s, table);
    nid_free(&s->mem, s->nid[table]);
    s->nid[table] = NULL;
}

int cxi_event_ids_copy(cxi_mem *m, const cx_store *s, int table, cxi_pool *into)
{
    return nid_text(m, s->nid[table], into);
}

void cxi_event_ids_compact(cx_store *s, int table)
{
    cxi_eindex_drop(s, table);
    cxi_pool_drop_index(&s->mem, &s->keys[table]);
    nid_compact(s, table);
}

int cx_store_compact(cx_store *s)
{
    if (!s)
        return cxi_fail(CX_EINVAL, "cx_store_compact: store is NULL");
    cxi_hindex_drop(s);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        cxi_table *tb = &s->t[t];
        tb->room = cxi_cols_trim(&s->mem, tb->cols, tb->ncols, tb->n);
        if (is_event(t)) {
            /* text readers made goes (the ids they lent with it: documented) */
            etext_drop(s, t);
            cxi_event_ids_compact(s, t);
        }
        cxi_pool *k = &s->keys[t];
        if (!k->nruns && !s->nid[t]) /* references: as many as the strings */
            cxi_cols_trim(&s->mem, &k->strs, 1, k->count);
        /* the dirty bits of the rows there are */
        size_t words = tb->room / 64 + 1;
        if (s->dirty[t] && s->dirty_cap[t] > words) {
            uint64_t *d = cxi_realloc(&s->mem, s->dirty[t], s->dirty_cap[t] * sizeof(uint64_t), words * sizeof(uint64_t));
            if (d) {
                s->dirty[t] = d;
                s->dirty_cap[t] = words;
            }
        }
        /* columns most of whose rows hold one value */
        if (is_event(t))
            cxi_table_sparsify(s, t);
        /* the rows of event ids: as many as the ids */
        size_t nid = s->keys[t].count ? s->keys[t].count : 1;
        if (s->idrow[t] && s->idrow_cap[t] > nid) {
            uint32_t *p = cxi_realloc(&s->mem, s->idrow[t], s->idrow_cap[t] * sizeof(uint32_t), nid * sizeof(uint32_t));
            if (p) {
                s->idrow[t] = p;
                s->idrow_cap[t] = nid;
            }
        }
    }
    return CX_OK;
}
