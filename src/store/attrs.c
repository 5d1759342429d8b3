/*
 * Customer attributes: a column of values per name most customers have,
 * a hash map for the rest (attrs.h).
 */
#include <string.h>

#include "attrs.h"

/* A name a quarter of the customers (and at least this many) have gets a column. */
#define ATTRS_COLUMN_MIN 64

void cxi_attrs_init(cxi_attrs *a)
{
    memset(a, 0, sizeof *a);
    cxi_map_init(&a->map);
}

static void attrs_release(cxi_mem *m, cxi_attrs *a, bool wipe)
{
    for (uint32_t k = 0; k < a->nnames; k++) {
        if (!a->cols[k].v)
            continue;
        if (wipe)
            cxi_wipe(a->cols[k].v, (size_t)a->cols[k].cap * sizeof(uint32_t));
        cxi_free(m, a->cols[k].v, (size_t)a->cols[k].cap * sizeof(uint32_t));
    }
    if (wipe && a->map.keys) {
        cxi_wipe(a->map.keys, a->map.nslots * sizeof *a->map.keys);
        cxi_wipe(a->map.vals, a->map.nslots * sizeof *a->map.vals);
    }
    cxi_map_free(m, &a->map);
    cxi_free(m, a->cols, (size_t)a->nnames * sizeof *a->cols);
    cxi_free(m, a->nname, (size_t)a->nnames * sizeof *a->nname);
    cxi_free(m, a->nmap, (size_t)a->nnames * sizeof *a->nmap);
    cxi_attrs_init(a);
}

void cxi_attrs_free(cxi_mem *m, cxi_attrs *a) { attrs_release(m, a, false); }
void cxi_attrs_wipe_free(cxi_mem *m, cxi_attrs *a) { attrs_release(m, a, true); }

/* The per-name arrays grown to cover name `name`. */
static int attrs_names(cxi_mem *m, cxi_attrs *a, uint32_t name)
{
    if (name < a->nnames)
        return CX_OK;
    if (name == CXI_NONE)
        return cxi_fail(CX_ELIMIT, "too many attribute names");
    uint32_t n = a->nnames ? a->nnames : 4;
    while (n <= name)
        n = n > UINT32_MAX / 2 ? name + 1 : n * 2;
    cxi_attr_col *cols = cxi_alloc(m, (size_t)n * sizeof *cols);
    uint32_t *nname = cxi_alloc(m, (size_t)n * sizeof *nname);
    uint32_t *nmap = cxi_alloc(m, (size_t)n * sizeof *nmap);
    if (!cols || !nname || !nmap) {
        cxi_free(m, cols, (size_t)n * sizeof *cols);
        cxi_free(m, nname, (size_t)n * sizeof *nname);
        cxi_free(m, nmap, (size_t)n * sizeof *nmap);
        return cxi_fail(CX_ENOMEM, "out of memory for attribute names");
    }
    memset(cols, 0, (size_t)n * sizeof *cols);
    memset(nname, 0, (size_t)n * sizeof *nname);
    memset(nmap, 0, (size_t)n * sizeof *nmap);
    if (a->nnames) {
        memcpy(cols, a->cols, (size_t)a->nnames * sizeof *cols);
        memcpy(nname, a->nname, (size_t)a->nnames * sizeof *nname);
        memcpy(nmap, a->nmap, (size_t)a->nnames * sizeof *nmap);
    }
    cxi_free(m, a->cols, (size_t)a->nnames * sizeof *a->cols);
    cxi_free(m, a->nname, (size_t)a->nnames * sizeof *a->nname);
    cxi_free(m, a->nmap, (size_t)a->nnames * sizeof *a->nmap);
    a->cols = cols;
    a->nname = nname;
    a->nmap = nmap;
    a->nnames = n;
    return CX_OK;
}

static inline bool in_column(const cxi_attrs *a, uint32_t row, uint32_t name)
{
    return name < a->nnames && row < a->cols[name].cap;
}

static bool grow_column(cxi_mem *m, cxi_attrs *a, uint32_t k, uint32_t rows);

int cxi_attrs_reserve(cxi_mem *m, cxi_attrs *a, uint32_t row, uint32_t name, uint32_t hint)
{
    int rc = attrs_names(m, a, name);
    if (rc || in_column(a, row, name))
        return rc;
    /* a column hides the map's entries of the rows it covers: only for a
     * name with none there */
    if (row < hint && a->nmap[name] == 0 && grow_column(m, a, name, hint))
        return CX_OK;
    return cxi_map_reserve(m, &a->map, 1);
}

uint32_t cxi_attrs_exchange(cxi_attrs *a, uint32_t row, uint32_t name, uint32_t val)
{
    uint32_t was;
    if (in_column(a, row, name)) {
        was = a->cols[name].v[row];
        a->cols[name].v[row] = val;
    } else {
        was = cxi_map_exchange(&a->map, (uint64_t)row << 32 | name, val);
        a->nmap[name] += was == CXI_NONE;
    }
    a->nname[name] += was == CXI_NONE;
    a->count += was == CXI_NONE;
    return was;
}

static bool is_pair(void *ctx, uint64_t key, uint32_t val)
{
    (void)val;
    return key == *(const uint64_t *)ctx;
}

uint32_t cxi_attrs_remove(cxi_attrs *a, uint32_t row, uint32_t name)
{
    uint32_t was = cxi_attrs_get(a, row, name);
    if (was == CXI_NONE)
        return was;
    if (in_column(a, row, name)) {
        a->cols[name].v[row] = CXI_NONE;
    } else {
        uint64_t key = (uint64_t)row << 32 | name;
        cxi_map_remove_if(&a->map, is_pair, &key);
        a->nmap[name]--;
    }
    a->nname[name]--;
    a->count--;
    return was;
}

typedef struct drop_ctx {
    cxi_attrs *a;
    bool (*drop)(void *ctx, uint32_t row, uint32_t name, uint32_t val);
    void *ctx;
} drop_ctx;

static bool drop_entry(void *ctx, uint64_t key, uint32_t val)
{
    drop_ctx *d = ctx;
    uint32_t row = (uint32_t)(key >> 32), name = (uint32_t)key;
    if (!d->drop(d->ctx, row, name, val))
        return false;
    d->a->nmap[name]--;
    d->a->nname[name]--;
    d->a->count--;
    return true;
}

void cxi_attrs_remove_if(cxi_attrs *a, bool (*drop)(void *ctx, uint32_t row, uint32_t name, uint32_t val),
                         void *ctx)
{
    for (uint32_t k = 0; k < a->nnames; k++) {
        uint32_t *v = a->cols[k].v;
        for (uint32_t r = 0; v && r < a->cols[k].cap; r++) {
            if (v[r] != CXI_NONE && drop(ctx, r, k, v[r])) {
                v[r] = CXI_NONE;
                a->nname[k]--;
                a->count--;
            }
        }
    }
    if (a->map.count) {
        drop_ctx d = {a, drop, ctx};
        cxi_map_remove_if(&a->map, drop_entry, &d);
    }
}

int cxi_attrs_each(const cxi_attrs *a, int (*fn)(void *ctx, uint32_t row, uint32_t name, uint32_t val), void *ctx)
{
    for (uint32_t k = 0; k < a->nnames; k++) {
        const uint32_t *v = a->cols[k].v;
        for (uint32_t r = 0; v && r < a->cols[k].cap; r++) {
            int rc = v[r] == CXI_NONE ? CX_OK : fn(ctx, r, k, v[r]);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; i < a->map.nslots && a->map.count; i++) {
        if (a->map.vals[i] == CXI_NONE)
            continue;
        int rc = fn(ctx, (uint32_t)(a->map.keys[i] >> 32), (uint32_t)a->map.keys[i], a->map.vals[i]);
        if (rc)
            return rc;
    }
    return CX_OK;
}

void cxi_attrs_remap(cxi_attrs *a, uint32_t (*to)(void *ctx, uint32_t name, uint32_t val), void *ctx)
{
    for (uint32_t k = 0; k < a->nnames; k++) {
        uint32_t *v = a->cols[k].v;
        for (uint32_t r = 0; v && r < a->cols[k].cap; r++)
            if (v[r] != CXI_NONE)
                v[r] = to(ctx, k, v[r]);
    }
    for (size_t i = 0; i < a->map.nslots && a->map.count; i++)
        if (a->map.vals[i] != CXI_NONE)
            a->map.vals[i] = to(ctx, (uint32_t)a->map.keys[i], a->map.vals[i]);
}

/* Moves the map's entries of names whose column covers their row. */
static bool move_entry(void *ctx, uint64_t key, uint32_t val)
{
    cxi_attrs *a = ctx;
    uint32_t row = (uint32_t)(key >> 32), name = (uint32_t)key;
    if (!in_column(a, row, name))
        return false;
    a->cols[name].v[row] = val;
    a->nmap[name]--;
    return true;
}

/* Whether name k should have a column of `rows` rows now. */
static bool wants_column(const cxi_attrs *a, uint32_t k, uint32_t rows)
{
    if (a->nname[k] < ATTRS_COLUMN_MIN || (uint64_t)a->nname[k] * 4 < rows)
        return false;
    return a->cols[k].cap < rows || a->nmap[k] > 0;
}

/* The column of name k grown to at least `rows` rows (by half again its
 * size at least, so that customers added one at a time grow it rarely). */
static bool grow_column(cxi_mem *m, cxi_attrs *a, uint32_t k, uint32_t rows)
{
    cxi_attr_col *c = &a->cols[k];
    if (c->cap >= rows)
        return true;
    uint64_t cap = c->v ? (uint64_t)c->cap + c->cap / 2 : rows;
    if (cap < rows)
        cap = rows;
    if (cap > CXI_MAX_ROWS)
        cap = rows;
    uint32_t *v = cxi_alloc(m, (size_t)cap * sizeof *v);
    if (!v)
        return false;
    if (c->cap)
        memcpy(v, c->v, (size_t)c->cap * sizeof *v);
    memset(v + c->cap, 0xFF, (size_t)(cap - c->cap) * sizeof *v);
    cxi_free(m, c->v, (size_t)c->cap * sizeof *v);
    c->v = v;
    c->cap = (uint32_t)cap;
    return true;
}

/* Whether name k's column should go: fewer than an eighth of `rows`
 * customers (or ATTRS_COLUMN_MIN / 2) have the name, so that a name
 * between an eighth and a quarter keeps what it has (no column made and
 * freed again as customers come and go). */
static bool drops_column(const cxi_attrs *a, uint32_t k, uint32_t rows)
{
    return a->cols[k].v && (a->nname[k] < ATTRS_COLUMN_MIN / 2 || (uint64_t)a->nname[k] * 8 < rows);
}

/* Name k's column entries into the map, and the column freed; false (and
 * nothing changed) out of memory. */
static bool drop_column(cxi_mem *m, cxi_attrs *a, uint32_t k)
{
    cxi_attr_col *c = &a->cols[k];
    uint32_t in_col = a->nname[k] - a->nmap[k];
    if (in_col && cxi_map_reserve(m, &a->map, in_col) != CX_OK)
        return false;
    for (uint32_t r = 0; in_col && r < c->cap; r++)
        if (c->v[r] != CXI_NONE)
            cxi_map_put(&a->map, (uint64_t)r << 32 | k, c->v[r]);
    a->nmap[k] += in_col;
    cxi_free(m, c->v, (size_t)c->cap * sizeof *c->v);
    c->v = NULL;
    c->cap = 0;
    return true;
}

void cxi_attrs_drop_empty(cxi_mem *m, cxi_attrs *a)
{
    for (uint32_t k = 0; k < a->nnames; k++)
        if (a->cols[k].v && a->nname[k] == 0)
            (void)drop_column(m, a, k); /* nothing to move: cannot fail */
}

void cxi_attrs_settle(cxi_mem *m, cxi_attrs *a, uint32_t rows, uint32_t name)
{
    bool moved = false;
    for (uint32_t k = 0; k < a->nnames; k++) {
        if (name != CXI_NONE && k != name)
            continue;
        if (drops_column(a, k, rows))
            (void)drop_column(m, a, k); /* out of memory: the column stays */
        else if (wants_column(a, k, rows) && grow_column(m, a, k, rows))
            moved |= a->nmap[k] > 0;
    }
    if (!moved)
        return;
    cxi_map_remove_if(&a->map, move_entry, a);
    /* the map's slots, sized for the entries that left, shrink to fit the
     * rest (kept as they are without the memory) */
    if (a->map.nslots > 16 && a->map.count * 8 < a->map.nslots) {
        cxi_map small;
        cxi_map_init(&small);
        if (cxi_map_reserve(m, &small, a->map.count ? a->map.count : 1) == CX_OK) {
            for (size_t i = 0; i < a->map.nslots; i++)
                if (a->map.vals[i] != CXI_NONE)
                    cxi_map_put(&small, a->map.keys[i], a->map.vals[i]);
            cxi_map_free(m, &a->map);
            a->map = small;
        }
    }
}

int cxi_attrs_copy(cxi_mem *m, const cxi_attrs *a, cxi_attrs *out)
{
    cxi_attrs_init(out);
    int rc = a->nnames ? attrs_names(m, out, a->nnames - 1) : CX_OK;
    if (!rc && a->map.nslots) {
        uint64_t *keys = cxi_alloc(m, a->map.nslots * sizeof *keys);
        uint32_t *vals = cxi_alloc(m, a->map.nslots * sizeof *vals);
        if (keys && vals) {
            memcpy(keys, a->map.keys, a->map.nslots * sizeof *keys);
            memcpy(vals, a->map.vals, a->map.nslots * sizeof *vals);
            out->map.keys = keys;
            out->map.vals = vals;
            out->map.nslots = a->map.nslots;
            out->map.count = a->map.count;
        } else {
            cxi_free(m, keys, a->map.nslots * sizeof *keys);
            cxi_free(m, vals, a->map.nslots * sizeof *vals);
            rc = cxi_fail(CX_ENOMEM, "out of memory copying attributes");
        }
    }
    for (uint32_t k = 0; k < a->nnames && !rc; k++) {
        out->nname[k] = a->nname[k];
        out->nmap[k] = a->nmap[k];
        if (!a->cols[k].v)
            continue;
        size_t bytes = (size_t)a->cols[k].cap * sizeof(uint32_t);
        if (!(out->cols[k].v = cxi_alloc(m, bytes))) {
            rc = cxi_fail(CX_ENOMEM, "out of memory copying attributes");
            break;
        }
        memcpy(out->cols[k].v, a->cols[k].v, bytes);
        out->cols[k].cap = a->cols[k].cap;
    }
    out->count = a->count;
    if (rc)
        cxi_attrs_free(m, out);
    return rc;
}

size_t cxi_attrs_bytes(const cxi_attrs *a)
{
    size_t b = a->map.nslots * (sizeof *a->map.keys + sizeof *a->map.vals);
    b += (size_t)a->nnames * (sizeof *a->cols + sizeof *a->nname + sizeof *a->nmap);
    for (uint32_t k = 0; k < a->nnames; k++)
        b += (size_t)a->cols[k].cap * sizeof(uint32_t);
    return b;
}
