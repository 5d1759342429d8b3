/*
 * Path-count tables (cx_paths): distinct paths of named states with their
 * conversions, nulls and value, attributed with the Markov chain of
 * chain.c and the heuristics, without a store. Also the journeys' paths to
 * conversion as such counts (cx_journeys_path_counts), so that shards can
 * be merged by summing.
 *
 * Rows are added as they are read (a file is never held whole): each
 * path's states are appended to `st`, and the path is then looked up in a
 * hash of the distinct paths, in groups of rows whose slots are fetched
 * ahead (with a million distinct paths, nearly every lookup misses the
 * cache otherwise). A refused row undoes the whole call: the paths, states
 * and names it added are forgotten, and the counts of the paths that were
 * there before are only added once every row is accepted.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "../base/xsum.h"
#include "journey_private.h"
#include "../base/csvread.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A slot of the paths' hash: the path's hash and its id + 1 (0: empty). */
typedef struct pslot {
    uint32_t h, id1;
} pslot;

struct cx_paths {
    cxi_mem mem;
    cxi_pool names;        /* state names; code = id */
    uint32_t *st;          /* the states of every distinct path, concatenated */
    size_t nst, stcap;
    uint32_t *off;         /* path k is st[off[k] .. off[k + 1]); n + 1 entries */
    size_t offcap;
    double *conv, *null, *value; /* per distinct path */
    size_t n, cap;         /* distinct paths, numbered in order of first addition */
    /* the exact sums of the paths met more than once with counts that are
     * not whole (so the same rows in any order give the same counts):
     * dmap from path id to its sums in dsum, conv[] etc. their rounding */
    cxi_map dmap;
    struct pdup {
        cxi_xsum s[3];
    } * dsum;
    size_t ndup, dupcap;
    pslot *slots;          /* open addressing, linear probes, at most 3/4 full */
    size_t nslots;
    double wfirst, wlast;
    int threads; /* cx_paths_set_threads() */
};

int cx_paths_new_with_allocator(cx_paths **out, cx_alloc_fn alloc, void *ud)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_paths_new: out is NULL");
    *out = NULL;
    cx_paths *p = CXI_NEW(cx_paths, alloc, ud);
    if (!p)
        return cxi_fail(CX_ENOMEM, "cx_paths_new: out of memory");
    cxi_pool_init(&p->names);
    cxi_map_init(&p->dmap);
    p->wfirst = p->wlast = 0.4;
    p->threads = 1;
    *out = p;
    return CX_OK;
}

int cx_paths_new(cx_paths **out)
{
    return cx_paths_new_with_allocator(out, NULL, NULL);
}

void cx_paths_free(cx_paths *p)
{
    if (!p)
        return;
    cxi_mem mem = p->mem;
    cxi_pool_free(&mem, &p->names);
    cxi_free(&mem, p->st, p->stcap * sizeof *p->st);
    cxi_free(&mem, p->off, p->offcap * sizeof *p->off);
    cxi_free(&mem, p->conv, p->cap * sizeof *p->conv);
    cxi_free(&mem, p->null, p->cap * sizeof *p->null);
    cxi_free(&mem, p->value, p->cap * sizeof *p->value);
    cxi_map_free(&mem, &p->dmap);
    cxi_free(&mem, p->dsum, p->dupcap * sizeof *p->dsum);
    cxi_free(&mem, p->slots, p->nslots * sizeof *p->slots);
    cxi_free(&mem, p, sizeof *p);
}

size_t cx_paths_count(const cx_paths *p) { return p ? p->n : 0; }
size_t cx_paths_state_count(const cx_paths *p) { return p ? p->names.count : 0; }

int cx_paths_set_position_weights(cx_paths *p, double first, double last)
{
    if (!p)
        return cxi_fail(CX_EINVAL, "cx_paths_set_position_weights: paths is NULL");
    if (!(first >= 0 && first <= 1 && last >= 0 && last <= 1 && first + last <= 1))
        return cxi_fail(CX_EINVAL,
                        "cx_paths_set_position_weights: first %g and last %g must be 0 to 1 with a sum <= 1", first,
                        last);
    p->wfirst = first;
    p->wlast = last;
    return CX_OK;
}

int cx_paths_set_threads(cx_paths *p, int threads)
{
    if (!p)
        return cxi_fail(CX_EINVAL, "cx_paths_set_threads: paths is NULL");
    if (threads < 0 || threads > 1024)
        return cxi_fail(CX_EINVAL, "cx_paths_set_threads: %d is not a thread count (0 to 1024)", threads);
    p->threads = threads;
    return CX_OK;
}

static size_t path_len(const cx_paths *p, size_t k) { return p->off[k + 1] - p->off[k]; }

/* ---- the paths' hash --------------------------------------------------------- */

static uint32_t hash_step(uint32_t h, uint32_t code)
{
    return (h ^ code) * 0x9e3779b1u;
}

static uint32_t hash_end(uint32_t h, size_t len)
{
    uint64_t x = ((uint64_t)h << 32 | (uint32_t)len) * 0xff51afd7ed558ccdu;
    return (uint32_t)(x >> 32 ^ x);
}

/* Puts (h, id1) in the first free slot from h's. */
static void slot_put(pslot *sl, size_t mask, uint32_t h, uint32_t id1)
{
    size_t i = h & mask;
    while (sl[i].id1)
        i = (i + 1) & mask;
    sl[i] = (pslot){h, id1};
}

/* Slots for `need` paths, at most 3/4 full; moving them reads no path. */
static int reserve_slots(cx_paths *p, size_t need)
{
    size_t ns = p->nslots ? p->nslots : 64;
    while (need > ns / 4 * 3) {
        if (ns > SIZE_MAX / 2 / sizeof(pslot))
            return CX_ENOMEM;
        ns *= 2;
    }
    if (ns == p->nslots)
        return CX_OK;
    pslot *sl = cxi_alloc(&p->mem, ns * sizeof *sl);
    if (!sl)
        return CX_ENOMEM;
    cxi_hugepages(sl, ns * sizeof *sl);
    memset(sl, 0, ns * sizeof *sl);
    for (size_t i = 0; i < p->nslots; i++)
        if (p->slots[i].id1)
            slot_put(sl, ns - 1, p->slots[i].h, p->slots[i].id1);
    cxi_free(&p->mem, p->slots, p->nslots * sizeof *sl);
    p->slots = sl;
    p->nslots = ns;
    return CX_OK;
}

/* Room for `need` distinct paths in all. CX_ENOMEM. */
static int reserve_paths(cx_paths *p, size_t need)
{
    if (need >= CXI_MAX_ROWS)
        need = CXI_MAX_ROWS;
    if (cxi_grow(&p->mem, &p->off, &p->offcap, need + 1, sizeof *p->off))
        return CX_ENOMEM;
    if (p->n == 0)
        p->off[0] = 0;
    void *const arrs[] = {&p->conv, &p->null, &p->value};
    const size_t elems[] = {sizeof *p->conv, sizeof *p->null, sizeof *p->value};
    size_t cap0 = p->cap;
    if (cxi_grow_all(&p->mem, &p->cap, need, 3, arrs, elems))
        return CX_ENOMEM;
    if (p->cap != cap0) {
        cxi_hugepages(p->off, p->offcap * sizeof *p->off);
        for (int k = 0; k < 3; k++)
            cxi_hugepages(*(double **)arrs[k], p->cap * sizeof(double));
    }
    return reserve_slots(p, need);
}

/* Forgets the paths from id n on: their slots are taken out and the rest
 * moved back along their probes, in place (nothing allocated). */
static void truncate_paths(cx_paths *p, size_t n)
{
    if (n >= p->n)
        return;
    p->n = n;
    p->nst = n ? p->off[n] : 0;
    if (!p->nslots)
        return;
    size_t mask = p->nslots - 1, e = 0;
    for (size_t i = 0; i < p->nslots; i++)
        if (p->slots[i].id1 > n)
            p->slots[i].id1 = 0;
    while (p->slots[e].id1) /* the table is at most 3/4 full: an empty slot exists */
        e++;
    /* from an empty slot on, every entry put again lands at or before its
     * place on its probe, so none is passed by the entries after it */
    for (size_t k = 1; k <= p->nslots; k++) {
        size_t i = (e + k) & mask;
        pslot v = p->slots[i];
        if (!v.id1)
            continue;
        p->slots[i].id1 = 0;
        slot_put(p->slots, mask, v.h, v.id1);
    }
}

/* ---- adding paths ---------------------------------------------------------- */

/* A whole number of magnitude at most 2^52 (a row's count that adds to a
 * whole sum exactly while the sum stays within 2^53). */
static bool small_whole(double v) { return fabs(v) <= 0x1p52 && v == (double)(int64_t)v; }

/* A whole number (every double from 2^52 on is). */
static bool whole(double v) { return !(fabs(v) < 0x1p52) || v == (double)(int64_t)v; }

/* Whether adding a row's counts w to path id's needs exact sums (id has
 * none yet, and a count is not whole). */
static bool needs_sums(const cx_paths *p, uint32_t id, const double *w)
{
    const double *col[3] = {p->conv, p->null, p->value};
    for (int i = 0; i < 3; i++)
        if (!small_whole(w[i]) || !whole(col[i][id]))
            return !p->dmap.count || cxi_map_get(&p->dmap, id) == CXI_NONE;
    return false;
}

/* Room for `more` paths' exact sums (add_counts). CX_ENOMEM. */
static int reserve_dups(cx_paths *p, size_t more)
{
    if (cxi_map_reserve(&p->mem, &p->dmap, more))
        return CX_ENOMEM;
    return cxi_grow(&p->mem, &p->dsum, &p->dupcap, p->ndup + more, sizeof *p->dsum) ? CX_ENOMEM : CX_OK;
}

/* Adds a row's counts to path id's. Whole numbers add as doubles (exactly,
 * while the sums stay within 2^53); otherwise the path's sums are kept
 * exact in fixed point (xsum.h) from then on, starting from the counts it
 * had, so that the same rows in any order give the same counts to the
 * bit. CX_ENOMEM (nothing changed) unless reserve_dups() made room for
 * the calls whose needs_sums() is true. */
static int add_counts(cx_paths *p, uint32_t id, double conv, double null, double value)
{
    double *col[3] = {p->conv, p->null, p->value}, w[3] = {conv, null, value};
    uint32_t d = p->dmap.count ? cxi_map_get(&p->dmap, id) : CXI_NONE;
    if (d == CXI_NONE) {
        if (!needs_sums(p, id, w)) {
            for (int i = 0; i < 3; i++)
                col[i][id] += w[i];
            return CX_OK;
        }
        if (reserve_dups(p, 1))
            return CX_ENOMEM;
        d = (uint32_t)p->ndup++;
        memset(&p->dsum[d], 0, sizeof p->dsum[d]);
        for (int i = 0; i < 3; i++)
            cxi_xsum_add(&p->dsum[d].s[i], col[i][id]);
        cxi_map_put(&p->dmap, id, d);
    }
    for (int i = 0; i < 3; i++) {
        cxi_xsum_add(&p->dsum[d].s[i], w[i]);
        col[i][id] = cxi_xsum_value(&p->dsum[d].s[i]);
    }
    return CX_OK;
}

static bool dup_from(void *ctx, uint64_t key, uint32_t val)
{
    (void)key;
    return val >= *(const size_t *)ctx;
}

/* The state names met lately: a small direct-mapped table from a name's
 * first bytes and length to its code and interned text (which never
 * moves), so that most states cost a compare instead of the pool's hash (a
 * path table has few distinct names). */
#define NAME_CACHE 256
typedef struct name_entry {
    const char *s; /* NULL: empty */
    uint32_t len, code;
} name_entry;

/* From the first two and last two bytes and the length (n >= 1): byte
 * loads only, as a copy of a variable length into a word would stall the
 * word's load. */
static size_t name_slot(const char *x, size_t n)
{
    const unsigned char *u = (const unsigned char *)x;
    uint64_t w = (uint64_t)u[0] | (uint64_t)u[n > 1] << 8 | (uint64_t)u[n - 1] << 16 |
                 (uint64_t)u[n > 1 ? n - 2 : 0] << 24 | (uint64_t)n << 32;
    w *= 0xff51afd7ed558ccdu;
    return (size_t)(w >> 56) & (NAME_CACHE - 1);
}

/* A row whose path is split into states (st[start .. start + len)) and
 * hashed, waiting for its lookup. */
typedef struct prow {
    uint32_t start, len, h;
    double conv, null, value;
    uint64_t where; /* its line in the file, or its index in the batch */
} prow;

/* A row that adds to a path there before the call: added at the end. */
typedef struct pold {
    uint32_t id;
    double conv, null, value;
} pold;

/* Rows looked up together: enough slots fetched ahead to hide the misses. */
#define PROW_GROUP 16

/* One call adding rows (cx_paths_add*, cx_paths_import_csv). */
typedef struct adder {
    cx_paths *p;
    const char *fn, *file; /* the file the rows come from, or NULL */
    const char *cols[3];   /* a file's columns of the conversions, nulls and value (NULL: none, or a batch) */
    size_t nrows;          /* the rows of a batch, to name them; 0 for a file */
    const char *sep;
    size_t seplen;
    uint32_t names0;       /* where the call started, to undo it */
    size_t np0, ndup0;
    name_entry names[NAME_CACHE];
    prow q[PROW_GROUP];
    int nq;
    pold *old;
    size_t nold, oldcap;
} adder;

static void adder_begin(adder *a, cx_paths *p, const char *fn, const char *file, size_t nrows, const char *sep)
{
    memset(a, 0, sizeof *a);
    a->p = p;
    a->fn = fn;
    a->file = file;
    a->nrows = nrows;
    a->sep = sep;
    a->seplen = strlen(sep);
    a->names0 = p->names.count;
    a->np0 = p->n;
    a->ndup0 = p->ndup;
}

/* How many bytes of s[0..len) a message prints: at most `max`, never
 * cutting a UTF-8 sequence (a cut one made the message invalid UTF-8,
 * which Python could not decode). */
static int show_len(const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    if (n < len)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    return (int)n;
}

/* The row as the messages name it: " FILE:LINE:" for a file, else " row i:"
 * when the batch has more than one. */
static const char *row_name(char *buf, size_t cap, const adder *a, uint64_t where)
{
    buf[0] = 0;
    if (a->file)
        snprintf(buf, cap, " %.*s:%llu:", show_len(a->file, strlen(a->file), 200), a->file,
                 (unsigned long long)where);
    else if (a->nrows > 1)
        snprintf(buf, cap, " row %llu:", (unsigned long long)where);
    return buf;
}

/* The most a count or value of one row may be: far above any real count,
 * and low enough that the sums of 2^32 rows stay finite, and so do the
 * chain's (a sum that overflowed to infinity was stored, and a chain of
 * such counts gave zeros). */
#define COUNT_MAX 1e30

/* Checks the counts of a row. */
static int check_counts(const adder *a, uint64_t where, double conv, double null, double value)
{
    if (conv >= 0 && conv <= COUNT_MAX && null >= 0 && null <= COUNT_MAX && conv + null > 0 && value >= 0 &&
        value <= COUNT_MAX && (conv != 0 || value == 0))
        return CX_OK;
    const char *fn = a->fn;
    char row[300], nm[3][160];
    row_name(row, sizeof row, a, where);
    /* a file's counts named by its columns too: conversions (column "conv") */
    static const char *const role[3] = {"conversions", "nulls", "value"};
    for (int c = 0; c < 3; c++)
        if (a->cols[c])
            snprintf(nm[c], sizeof nm[c], "%s (column \"%.*s\")", role[c],
                     show_len(a->cols[c], strlen(a->cols[c]), 100), a->cols[c]);
        else
            snprintf(nm[c], sizeof nm[c], "%s", role[c]);
    if (!(conv >= 0 && conv <= COUNT_MAX))
        return cxi_fail(CX_EINVAL, "%s:%s %s %g must be finite, >= 0 and <= 1e30", fn, row, nm[0], conv);
    if (!(null >= 0 && null <= COUNT_MAX))
        return cxi_fail(CX_EINVAL, "%s:%s %s %g must be finite, >= 0 and <= 1e30", fn, row, nm[1], null);
    if (!(conv + null > 0))
        return cxi_fail(CX_EINVAL, "%s:%s %s + %s must be > 0", fn, row, nm[0], nm[1]);
    if (!(value >= 0 && value <= COUNT_MAX))
        return cxi_fail(CX_EINVAL, "%s:%s %s %g must be finite, >= 0 and <= 1e30", fn, row, nm[2], value);
    return cxi_fail(CX_EINVAL, "%s:%s %s %g without %s", fn, row, nm[2], value, nm[0]);
}

static int fail_row(const adder *a, int rc, uint64_t where)
{
    char row[300];
    row_name(row, sizeof row, a, where);
    if (rc == CX_ELIMIT)
        return cxi_fail(CX_ELIMIT, "%s:%s more paths or states than a table can number", a->fn, row);
    return cxi_fail(CX_ENOMEM, "%s:%s out of memory", a->fn, row);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* The code of name x[0..n), added to the pool when new. CX_ENOMEM. */
static int name_code(adder *a, const char *x, size_t n, uint32_t *code)
{
    name_entry *e = &a->names[name_slot(x, n)];
    if (e->s && e->len == n && cxi_bytes_eq(e->s, x, n)) {
        *code = e->code;
        return CX_OK;
    }
    cx_paths *p = a->p;
    int rc = cxi_pool_intern(&p->mem, &p->names, x, n, code);
    if (!rc)
        *e = (name_entry){cxi_pool_str(&p->names, *code), (uint32_t)n, *code};
    return rc;
}

/* The first occurrence of the separator in x[0..n), or NULL. */
static const char *find_sep(const adder *a, const char *x, const char *end)
{
    if (a->seplen == 1) { /* states are short: no call to memchr */
        char c = a->sep[0];
#if defined(__SSE2__)
        const __m128i v = _mm_set1_epi8(c);
        for (; end - x >= 16; x += 16) {
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)x), v));
            if (m)
                return x + __builtin_ctz(m);
        }
#endif
        for (; x < end; x++)
            if (*x == c)
                return x;
        return NULL;
    }
    while ((size_t)(end - x) >= a->seplen && (x = memchr(x, a->sep[0], (size_t)(end - x) - a->seplen + 1))) {
        if (memcmp(x, a->sep, a->seplen) == 0)
            return x;
        x++;
    }
    return NULL;
}

/* Looks up the queued rows: their slots fetched first, then each found or
 * added in row order, the states of a path already known dropped and the
 * new paths' states moved down over them. */
static int flush(adder *a)
{
    cx_paths *p = a->p;
    int nq = a->nq, rc = CX_OK;
    a->nq = 0;
    if (!nq)
        return CX_OK;
    size_t need = p->n + (size_t)nq;
    if ((need > p->cap || need + 1 > p->offcap || need > p->nslots / 4 * 3) && reserve_paths(p, need))
        return fail_row(a, CX_ENOMEM, a->q[0].where);
    size_t mask = p->nslots - 1;
#if defined(__GNUC__)
    for (int j = 0; j < nq; j++)
        __builtin_prefetch(&p->slots[a->q[j].h & mask]);
#endif
    uint32_t w = p->n ? p->off[p->n] : 0; /* where the next new path's states go */
    for (int j = 0; j < nq && !rc; j++) {
        const prow *r = &a->q[j];
        const uint32_t *s = p->st + r->start;
        size_t i = r->h & mask;
        uint32_t id = CXI_NONE;
        for (;; i = (i + 1) & mask) {
            pslot v = p->slots[i];
            if (!v.id1)
                break;
            if (v.h != r->h)
                continue;
            uint32_t k = v.id1 - 1;
            if (path_len(p, k) == r->len && memcmp(p->st + p->off[k], s, r->len * sizeof *s) == 0) {
                id = k;
                break;
            }
        }
        if (id == CXI_NONE) {
            if (p->n >= CXI_MAX_ROWS) {
                rc = fail_row(a, CX_ELIMIT, r->where);
                break;
            }
            id = (uint32_t)p->n;
            if (r->start != w)
                memmove(p->st + w, s, r->len * sizeof *s);
            w += r->len;
            p->off[id + 1] = w;
            p->slots[i] = (pslot){r->h, id + 1};
            p->conv[id] = 0.0 + r->conv; /* (a count of -0 kept as 0) */
            p->null[id] = 0.0 + r->null;
            p->value[id] = 0.0 + r->value;
            p->n++;
            continue;
        }
        if (id >= a->np0) {
            if (add_counts(p, id, r->conv, r->null, r->value)) {
                rc = fail_row(a, CX_ENOMEM, r->where);
                break;
            }
            continue;
        }
        if (a->nold == a->oldcap && cxi_grow(&p->mem, &a->old, &a->oldcap, a->nold + 1, sizeof *a->old)) {
            rc = fail_row(a, CX_ENOMEM, r->where);
            break;
        }
        a->old[a->nold++] = (pold){id, r->conv, r->null, r->value};
    }
    p->nst = p->n ? p->off[p->n] : 0;
    return rc;
}

/* Appends one state to st (growing it); CX_ENOMEM or CX_ELIMIT. */
static int push_state(cx_paths *p, uint32_t code)
{
    if (CXI_UNLIKELY(p->nst >= p->stcap || p->nst >= CXI_MAX_ROWS)) {
        if (p->nst >= CXI_MAX_ROWS)
            return CX_ELIMIT;
        if (cxi_grow(&p->mem, &p->st, &p->stcap, p->nst + 1, sizeof *p->st))
            return CX_ENOMEM;
        cxi_hugepages(p->st, p->stcap * sizeof *p->st);
    }
    p->st[p->nst++] = code;
    return CX_OK;
}

/* Adds one row: its counts checked, its path (s[0..len), without NUL bytes
 * when valid) split into states and queued for its lookup. The failure is
 * reported naming the row; the caller then undoes the call. */
static int add_row(adder *a, const char *s, size_t len, double conv, double null, double value, uint64_t where)
{
    cx_paths *p = a->p;
    const char *fn = a->fn;
    char row[300];
    int rc = check_counts(a, where, conv, null, value);
    if (rc)
        return rc;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s:%s path is NULL", fn, row_name(row, sizeof row, a, where));
    if (!cxi_utf8_valid(s, len))
        return cxi_fail(CX_EINVAL, "%s:%s the path is not valid UTF-8", fn, row_name(row, sizeof row, a, where));
    size_t start = p->nst;
    uint32_t h = 0x811c9dc5u;
    const char *x = s, *end = s + len;
    for (int pos = 1;; pos++) {
        const char *b = find_sep(a, x, end);
        const char *e = b ? b : end, *y = e;
        while (x < y && is_blank(*x))
            x++;
        while (y > x && is_blank(y[-1]))
            y--;
        if (x == y) {
            p->nst = start;
            if (len == 0)
                return cxi_fail(CX_EINVAL, "%s:%s the path is empty", fn, row_name(row, sizeof row, a, where));
            return cxi_fail(CX_EINVAL, "%s:%s path \"%.*s%s\": state %d is empty", fn,
                            row_name(row, sizeof row, a, where), show_len(s, len, 60), s, len > 60 ? "..." : "",
                            pos);
        }
        uint32_t code;
        if ((rc = name_code(a, x, (size_t)(y - x), &code)) || (rc = push_state(p, code))) {
            p->nst = start;
            return fail_row(a, rc, where);
        }
        h = hash_step(h, code);
        if (!b)
            break;
        x = b + a->seplen;
    }
    if (p->nst - start > UINT32_MAX) {
        p->nst = start;
        return fail_row(a, CX_ELIMIT, where);
    }
    a->q[a->nq++] = (prow){(uint32_t)start, (uint32_t)(p->nst - start), hash_end(h, p->nst - start), conv, null,
                           value, where};
    return a->nq == PROW_GROUP ? flush(a) : CX_OK;
}

/* Ends the call: with rc == CX_OK the queued rows are looked up and the
 * counts of the paths there before added; otherwise (or if that fails)
 * everything the call added is forgotten. Returns the outcome. */
static int adder_end(adder *a, int rc)
{
    cx_paths *p = a->p;
    if (!rc)
        rc = flush(a);
    size_t need = 0; /* a bound: a sum is whole until a count that is not is added */
    for (size_t i = 0; !rc && i < a->nold; i++)
        need += needs_sums(p, a->old[i].id, (const double[3]){a->old[i].conv, a->old[i].null, a->old[i].value});
    if (need && reserve_dups(p, need)) /* then nothing below fails */
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", a->fn);
    if (!rc)
        for (size_t i = 0; i < a->nold; i++) {
            const pold *o = &a->old[i];
            (void)add_counts(p, o->id, o->conv, o->null, o->value);
        }
    else {
        if (p->ndup > a->ndup0) { /* the sums of this call's new paths */
            cxi_map_remove_if(&p->dmap, dup_from, &a->ndup0);
            p->ndup = a->ndup0;
        }
        truncate_paths(p, a->np0);
        p->nst = p->n ? p->off[p->n] : 0;
        cxi_pool_truncate(&p->mem, &p->names, a->names0);
    }
    cxi_free(&p->mem, a->old, a->oldcap * sizeof *a->old);
    return rc;
}

/* Room for `rows` more paths of about `states` states in all (a refusal is
 * only a lost shortcut: the arrays grow as they need). */
static void adder_reserve(adder *a, size_t rows, size_t states)
{
    cx_paths *p = a->p;
    if (rows && p->n + rows > p->cap)
        (void)reserve_paths(p, p->n + rows);
    if (states && p->nst + states > p->stcap && p->nst + states < CXI_MAX_ROWS &&
        !cxi_grow(&p->mem, &p->st, &p->stcap, p->nst + states, sizeof *p->st))
        cxi_hugepages(p->st, p->stcap * sizeof *p->st);
}

static int add_rows(cx_paths *p, const char *fn, size_t n, const char *const *path, const char *sep,
                    const double *conv, const double *null, const double *value)
{
    if (!p)
        return cxi_fail(CX_EINVAL, "%s: paths is NULL", fn);
    if (!sep || !*sep)
        return cxi_fail(CX_EINVAL, "%s: the separator is NULL or empty", fn);
    if (n == 0)
        return CX_OK;
    if (!path || !conv)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !path ? "path" : "conversions");
    adder a;
    adder_begin(&a, p, fn, NULL, n, sep);
    adder_reserve(&a, n, 0);
    int rc = CX_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = add_row(&a, path[i], path[i] ? strlen(path[i]) : 0, conv[i], null ? null[i] : 0,
                     value ? value[i] : 0, i);
    return adder_end(&a, rc);
}

int cx_paths_add(cx_paths *p, const char *path, const char *sep, double conv, double null, double value)
{
    return add_rows(p, "cx_paths_add", 1, &path, sep, &conv, &null, &value);
}

int cx_paths_add_batch(cx_paths *p, size_t n, const char *const *path, const char *sep, const double *conv,
                       const double *null, const double *value)
{
    return add_rows(p, "cx_paths_add_batch", n, path, sep, conv, null, value);
}

/* ---- the table ------------------------------------------------------------- */

/* Checks that no state name holds the separator. */
static int check_separator(const char *fn, const cxi_pool *names, const char *sep)
{
    if (!sep || !*sep)
        return cxi_fail(CX_EINVAL, "%s: the separator is NULL or empty", fn);
    for (uint32_t c = 0; c < names->count; c++)
        if (strstr(cxi_pool_str(names, c), sep)) {
            char qb[80]; /* cxi_quote: 64 bytes, "..." */
            return cxi_fail(CX_EINVAL, "%s: the state name \"%s\" holds the separator \"%s\"", fn,
                            cxi_quote(qb, cxi_pool_str(names, c)), sep);
        }
    return CX_OK;
}

static const char *pool_name(const void *ctx, uint32_t code)
{
    return cxi_pool_str(ctx, code);
}

int cxi_join_states(cxi_mem *m, char **buf, size_t *cap, cxi_state_name name, const void *ctx, const uint32_t *st,
                    size_t n, const char *sep)
{
    size_t seplen = strlen(sep), need = 1;
    for (size_t i = 0; i < n; i++)
        need += strlen(name(ctx, st[i])) + seplen;
    if (need > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < need)
            nc *= 2;
        char *b = cxi_realloc(m, *buf, *cap, nc);
        if (!b)
            return CX_ENOMEM;
        *buf = b;
        *cap = nc;
    }
    char *q = *buf;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(q, sep, seplen);
            q += seplen;
        }
        const char *s = name(ctx, st[i]);
        size_t l = strlen(s);
        memcpy(q, s, l);
        q += l;
    }
    *q = 0;
    return CX_OK;
}

int cx_paths_table(cx_result **out, const cx_paths *p, const char *sep)
{
    static const char *const fn = "cx_paths_table";
    static const char *const names[] = {"path", "length", "conversions", "nulls", "value"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out || !p)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !out ? "out" : "paths");
    *out = NULL;
    int rc = check_separator(fn, &p->names, sep);
    if (rc)
        return rc;
    cx_result *t;
    if (cxi_result_new(&t, &p->mem, p->n, 5, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, p->n);
    cxi_mem m = p->mem;
    char *buf = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < p->n && !rc; k++) {
        rc = cxi_join_states(&m, &buf, &cap, pool_name, &p->names, p->st + p->off[k], path_len(p, k), sep);
        if (!rc)
            rc = cxi_result_set_text(t, 0, k, buf);
        cxi_result_set_int(t, 1, k, (int64_t)path_len(p, k));
        cxi_result_set_real(t, 2, k, p->conv[k]);
        cxi_result_set_real(t, 3, k, p->null[k]);
        cxi_result_set_real(t, 4, k, p->value[k]);
    }
    cxi_free(&m, buf, cap);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the paths of %zu rows", fn, p->n);
    }
    *out = t;
    return CX_OK;
}

/* ---- attribution ----------------------------------------------------------- */

enum {
    P_NAME, P_RE, P_MARKOV, P_REV, P_MARKOVV, P_FIRST, P_LAST, P_LINEAR, P_POS, P_FIRSTV, P_LASTV, P_LINEARV,
    P_POSV, P_NCOLS
};

typedef struct pattr_ctx {
    const double *acc;
    const cxi_pool *names;
} pattr_ctx;

static int cmp_pname(const void *ctx, uint32_t a, uint32_t b)
{
    const cxi_pool *names = ctx;
    return strcmp(cxi_pool_str(names, a), cxi_pool_str(names, b));
}

static int cmp_pattr(const void *ctx, uint32_t a, uint32_t b)
{
    const pattr_ctx *x = ctx;
    double ma = x->acc[a * P_NCOLS + P_MARKOV], mb = x->acc[b * P_NCOLS + P_MARKOV];
    if (ma != mb)
        return ma > mb ? -1 : 1;
    return strcmp(cxi_pool_str(x->names, a), cxi_pool_str(x->names, b));
}

/* The heuristic credits of every converting path, and each final state's
 * mean conversion value (convval, convn: per chain state, START last). */
static void pattr_heuristics(const cx_paths *p, const cxi_chain *c, cxi_fixacc *acc, cxi_xsum *convval,
                             cxi_xsum *convn, cxi_xsum *total_conv, cxi_xsum *total_val)
{
    double wf = p->wfirst, wl = p->wlast;
    /* the scales (xsum.h): a column's credits add up to at most the
     * conversions (counts) or the values, each path sharing out its own */
    cxi_xsum xc = {0}, xv = {0}; /* (summed exactly: the scales do not depend on the paths' order) */
    for (size_t k = 0; k < p->n; k++)
        if (p->conv[k] > 0) {
            cxi_xsum_add(&xc, p->conv[k]);
            cxi_xsum_add(&xv, p->value[k]);
        }
    double bc = cxi_xsum_value(&xc), bv = cxi_xsum_value(&xv);
    cxi_fix fix[2] = {cxi_fix_for(bc * (1 + 1e-6) + 1), cxi_fix_for(bv * (1 + 1e-6) + 1)};
    for (size_t k = 0; k < p->n; k++) {
        if (!(p->conv[k] > 0))
            continue;
        const uint32_t *st = p->st + p->off[k];
        size_t len = path_len(p, k);
        uint32_t last = cxi_chain_sid(c, p->off[k + 1] - 1);
        cxi_xsum_add(total_conv, p->conv[k]);
        cxi_xsum_add(total_val, p->value[k]);
        cxi_xsum_add(&convval[last], p->value[k]);
        cxi_xsum_add(&convn[last], p->conv[k]);
        double w[2] = {p->conv[k], p->value[k]};
        for (int v = 0; v < 2; v++) {
            int off = v ? P_FIRSTV - P_FIRST : 0;
            const cxi_fix *f = &fix[v];
            cxi_fix_add(f, &acc[st[0] * P_NCOLS + P_FIRST + off], w[v]);
            cxi_fix_add(f, &acc[st[len - 1] * P_NCOLS + P_LAST + off], w[v]);
            for (size_t i = 0; i < len; i++) {
                double pos = len == 1       ? 1
                             : len == 2     ? 0.5
                             : i == 0       ? wf
                             : i == len - 1 ? wl
                                            : (1 - wf - wl) / (double)(len - 2);
                cxi_fix_add(f, &acc[st[i] * P_NCOLS + P_LINEAR + off], w[v] / (double)len);
                cxi_fix_add(f, &acc[st[i] * P_NCOLS + P_POS + off], w[v] * pos);
            }
        }
    }
    /* each sum as a double, into its accumulator's d */
    for (size_t i = 0; i < p->names.count * P_NCOLS; i++)
        if (i % P_NCOLS >= P_FIRST)
            acc[i].d = cxi_fix_value(&fix[i % P_NCOLS >= P_FIRSTV], &acc[i]);
}

static int pattr_table(cx_result **out, const cx_paths *p, const double *acc, const uint32_t *order_idx, size_t nc)
{
    static const char *const names[P_NCOLS] = {
        "name",        "removal_effect", "markov",           "removal_effect_value", "markov_value",
        "first_touch", "last_touch",     "linear",           "position_based",       "first_touch_value",
        "last_touch_value", "linear_value", "position_based_value"};
    int types[P_NCOLS];
    for (int c = 0; c < P_NCOLS; c++)
        types[c] = c == P_NAME ? CX_TYPE_STRING : CX_TYPE_REAL;
    cx_result *t;
    if (cxi_result_new(&t, &p->mem, nc, P_NCOLS, names, types))
        return CX_ENOMEM;
    for (size_t r = 0; r < nc; r++) {
        uint32_t code = order_idx[r];
        if (cxi_result_set_text(t, P_NAME, r, cxi_pool_str(&p->names, code))) {
            cx_result_free(t);
            return CX_ENOMEM;
        }
        for (int col = 1; col < P_NCOLS; col++)
            cxi_result_set_real(t, (size_t)col, r, acc[code * P_NCOLS + col]);
    }
    *out = t;
    return CX_OK;
}

int cx_paths_attribution(cx_result **out, const cx_paths *p, int order)
{
    static const char *const fn = "cx_paths_attribution";
    if (!out || !p)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !out ? "out" : "paths");
    *out = NULL;
    int rc = cxi_chain_check_order(fn, order);
    if (rc)
        return rc;
    cxi_mem m = p->mem;
    size_t np = p->n, nc = p->names.count, nc1 = nc ? nc : 1;
    uint32_t *codes = cxi_alloc(&m, nc1 * sizeof *codes);
    double *acc = cxi_jzalloc(&m, nc1 * P_NCOLS * sizeof *acc);
    double *re = cxi_alloc(&m, nc1 * sizeof *re), *rev = cxi_alloc(&m, nc1 * sizeof *rev);
    cxi_chain c;
    memset(&c, 0, sizeof c);
    double *convval = NULL, *convn = NULL;
    /* the heuristics summed in fixed point (xsum.h): the same rows in
     * another order give the same credits */
    cxi_fixacc *hx = cxi_jzalloc(&m, nc1 * P_NCOLS * sizeof *hx);
    cxi_xsum *cvx = NULL, *cnx = NULL;
    size_t ns1 = 0;
    if (!codes || !acc || !re || !rev || !hx) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu paths", fn, np);
        goto done;
    }
    for (size_t u = 0; u < nc; u++)
        codes[u] = (uint32_t)u;
    /* path k ends where path k + 1 starts */
    cxi_chain_src src = {.st = p->st, .nst = p->nst, .n = np, .off = p->off, .end = np ? p->off + 1 : NULL,
                         .wconv = p->conv, .wnull = p->null};
    if ((rc = cxi_chain_build(fn, &m, &src, order, &c)))
        goto done;
    ns1 = c.ns + 1;
    convval = cxi_jzalloc(&m, ns1 * sizeof *convval);
    convn = cxi_jzalloc(&m, ns1 * sizeof *convn);
    cvx = cxi_jzalloc(&m, ns1 * sizeof *cvx);
    cnx = cxi_jzalloc(&m, ns1 * sizeof *cnx);
    if (!convval || !convn || !cvx || !cnx) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu chain states", fn, c.ns);
        goto done;
    }
    cxi_xsum tcx = {0}, tvx = {0};
    pattr_heuristics(p, &c, hx, cvx, cnx, &tcx, &tvx);
    double total_conv = cxi_xsum_value(&tcx), total_val = cxi_xsum_value(&tvx), vscale = 0;
    for (size_t i = 0; i < nc * P_NCOLS; i++)
        if (i % P_NCOLS >= P_FIRST)
            acc[i] = hx[i].d;
    for (size_t s = 0; s < ns1; s++) {
        convn[s] = cxi_xsum_value(&cnx[s]);
        convval[s] = convn[s] > 0 ? cxi_xsum_value(&cvx[s]) / convn[s] : 0;
        if (convval[s] > vscale)
            vscale = convval[s];
    }
    if (vscale <= 0)
        vscale = 1;
    /* each name's rank (codes as scratch, back to 0 .. nc - 1 after), for
     * an order of the chain's states that the order of the rows does not
     * change */
    uint32_t *rank = cxi_alloc(&m, nc1 * sizeof *rank);
    if (!rank || cxi_jsort(&m, codes, nc, cmp_pname, &p->names)) {
        cxi_free(&m, rank, nc1 * sizeof *rank);
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu states", fn, nc);
        goto done;
    }
    for (size_t u = 0; u < nc; u++)
        rank[codes[u]] = (uint32_t)u;
    for (size_t u = 0; u < nc; u++)
        codes[u] = (uint32_t)u;
    rc = cxi_chain_removal(fn, &m, &c, convval, vscale, nc, codes, rank, p->threads, re, rev);
    cxi_free(&m, rank, nc1 * sizeof *rank);
    if (rc)
        goto done;
    cxi_xsum sre = {0}, srev = {0}; /* in fixed point: the names come in the order they first appear */
    for (size_t u = 0; u < nc; u++) {
        cxi_xsum_add(&sre, re[u]);
        cxi_xsum_add(&srev, rev[u]);
    }
    double sum_re = cxi_xsum_value(&sre), sum_rev = cxi_xsum_value(&srev);
    for (size_t u = 0; u < nc; u++) {
        double *a = acc + u * P_NCOLS;
        a[P_RE] = re[u];
        a[P_REV] = rev[u];
        a[P_MARKOV] = sum_re > 0 ? re[u] / sum_re * total_conv : 0;
        a[P_MARKOVV] = sum_rev > 0 ? rev[u] / sum_rev * total_val : 0;
    }
    pattr_ctx ax = {acc, &p->names};
    if (cxi_jsort(&m, codes, nc, cmp_pattr, &ax) || pattr_table(out, p, acc, codes, nc))
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, nc);
done:
    cxi_free(&m, convval, ns1 * sizeof *convval);
    cxi_free(&m, convn, ns1 * sizeof *convn);
    cxi_free(&m, cvx, ns1 * sizeof *cvx);
    cxi_free(&m, cnx, ns1 * sizeof *cnx);
    cxi_free(&m, hx, nc1 * P_NCOLS * sizeof *hx);
    cxi_chain_free(&m, &c);
    cxi_free(&m, codes, nc1 * sizeof *codes);
    cxi_free(&m, acc, nc1 * P_NCOLS * sizeof *acc);
    cxi_free(&m, re, nc1 * sizeof *re);
    cxi_free(&m, rev, nc1 * sizeof *rev);
    return rc;
}

/* ---- reading a CSV file ------------------------------------------------------ */

/* A count field as a number: the whole field s[0..len) (NUL-terminated
 * at len), spaces around allowed. Plain decimals of at most 19 digits whose
 * digits fit in 53 bits are read directly: their value is the digits as an
 * integer over a power of ten, both exact in a double, so the one division
 * rounds as strtod does; anything else goes to strtod. */
static bool csv_number(const char *s, size_t len, double *v)
{
    static const double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s, *e = s + len;
    while (p < e && is_blank(*p))
        p++;
    while (e > p && is_blank(e[-1]))
        e--;
    if (p == e)
        return false;
#if FLT_EVAL_METHOD == 0 /* no extended precision to round twice */
    uint64_t m = 0;
    int nd = 0, frac = 0;
    const char *q = p;
    for (; q < e && *q >= '0' && *q <= '9' && nd < 19; q++, nd++)
        m = m * 10 + (uint64_t)(*q - '0');
    if (q < e && *q == '.')
        for (q++; q < e && *q >= '0' && *q <= '9' && nd < 19; q++, nd++, frac++)
            m = m * 10 + (uint64_t)(*q - '0');
    if (q == e && nd > 0 && m <= (uint64_t)1 << 53 && frac <= 22) {
        *v = frac ? (double)m / powers_of_ten[frac] : (double)m;
        return true;
    }
#endif
    /* decimal only: strtod also reads hexadecimal ("0x10" was 16), "inf"
     * and "nan", and its decimal point follows the host's locale */
    for (const char *c = p; c < e; c++)
        if (!((*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' || *c == '+' || *c == '-'))
            return false;
    char *end;
    *v = cxi_strtod(p, &end);
    if (end == p)
        return false;
    while (end < s + len && is_blank(*end))
        end++;
    return end == s + len;
}

enum { PC_PATH, PC_CONV, PC_NULL, PC_VALUE, PC_COUNT };

int cx_paths_import_csv(cx_paths *p, const char *file, const char *sep, const char *path_column,
                        const char *conversions_column, const char *nulls_column, const char *value_column)
{
    static const char *const fn = "cx_paths_import_csv";
    static const char *const what[PC_COUNT] = {"path", "conversions", "nulls", "value"};
    if (!p)
        return cxi_fail(CX_EINVAL, "%s: paths is NULL", fn);
    if (!file)
        return cxi_fail(CX_EINVAL, "%s: file is NULL", fn);
    if (!sep || !*sep)
        return cxi_fail(CX_EINVAL, "%s: the separator is NULL or empty", fn);
    if (!path_column || !conversions_column)
        return cxi_fail(CX_EINVAL, "%s: the %s column is NULL", fn, !path_column ? "path" : "conversions");
    const char *want[PC_COUNT] = {path_column, conversions_column, nulls_column, value_column};
    cxi_csv r;
    int rc = cxi_csv_open(&r, &p->mem, fn, file);
    if (rc)
        return rc;
    enum { MAXF = 256 };
    cxi_csv_field f[MAXF];
    int nf = 0, col[PC_COUNT] = {-1, -1, -1, -1};
    /* the header */
    int got = cxi_csv_next(&r, f, MAXF, &nf);
    if (got < 0)
        rc = got;
    else if (got == 0)
        rc = cxi_fail(CX_EINVAL, "%s: %s: the file is empty", fn, file);
    for (int c = 0; !rc && c < PC_COUNT; c++) {
        if (!want[c])
            continue;
        for (int k = 0; k < nf && k < MAXF; k++)
            if (strcmp(f[k].s, want[c]) == 0) {
                col[c] = k;
                break;
            }
        if (col[c] < 0 && nf > MAXF) /* nf counts every field; f holds the first MAXF */
            rc = cxi_fail(CX_EINVAL, "%s: %s: no column \"%s\" (the %s) among the first %d of the header's %d "
                                     "columns (the reader takes the columns it needs from the first %d)",
                          fn, file, want[c], what[c], MAXF, nf, MAXF);
        else if (col[c] < 0)
            rc = cxi_fail(CX_EINVAL, "%s: %s: no column \"%s\" (the %s) in the header", fn, file, want[c], what[c]);
    }
    if (rc) {
        cxi_csv_close(&r);
        return rc;
    }
    adder a;
    adder_begin(&a, p, fn, file, 0, sep);
    for (int c = 0; c < 3; c++)
        a.cols[c] = want[c + 1];
    /* room for the rows and states the text read so far suggests */
    size_t rows = cxi_csv_guess_records(&r);
    adder_reserve(&a, rows, rows + cxi_csv_guess_count(&r, sep));
    while ((got = cxi_csv_next(&r, f, MAXF, &nf)) > 0) {
        double num[3] = {0, 0, 0};
        for (int c = 0; !rc && c < PC_COUNT; c++) {
            if (col[c] < 0)
                continue;
            if (col[c] >= nf || col[c] >= MAXF) {
                rc = cxi_fail(CX_EINVAL, "%s: %s:%llu: %d fields, no column %d (\"%s\")", fn, file,
                              (unsigned long long)r.at, nf, col[c] + 1, want[c]);
                break;
            }
            const cxi_csv_field *x = &f[col[c]];
            if (c != PC_PATH && !csv_number(x->s, x->len, &num[c - 1]))
                rc = cxi_fail(CX_EINVAL, "%s: %s:%llu, column %d (\"%s\"): \"%.*s%s\" is not a number", fn, file,
                              (unsigned long long)r.at, col[c] + 1, want[c], show_len(x->s, x->len, 40), x->s,
                              x->len > 40 ? "..." : "");
        }
        if (rc)
            break;
        /* the apostrophe the library's CSV writers put before a text a
         * spreadsheet would run as a formula ("'-direct > email") taken
         * away, as the store's import does: its files read back */
        const cxi_csv_field *pf = &f[col[PC_PATH]];
        const char *ps = cxi_csv_unprotect(pf->s);
        if ((rc = add_row(&a, ps, pf->len - (size_t)(ps - pf->s), num[0], num[1], num[2], r.at)))
            break;
    }
    if (got < 0)
        rc = got;
    rc = adder_end(&a, rc);
    cxi_csv_close(&r);
    return rc;
}
