/*
 * Copying a store: every table, name, id and attribute, in
 * a new store of the same allocator, so that a copy can be changed (for
 * instance pseudonymised for sharing) while the original stays as it is.
 */
#include <string.h>

#include "store_private.h"

/* Interns every string of `from` into the empty pool `to`, in id order, so
 * that the ids are the same. */
static int copy_pool(cxi_mem *m, const cxi_pool *from, cxi_pool *to)
{
    for (uint32_t i = 0; i < from->count; i++) {
        uint32_t id;
        int rc = cxi_pool_reserve(m, to, 1, cxi_pool_len(from, i));
        if (rc)
            return rc;
        id = cxi_pool_add(to, cxi_pool_str(from, i), cxi_pool_len(from, i));
        (void)id; /* == i: the pool numbers in order */
    }
    return CX_OK;
}

/* A copy of n elements of `size` bytes (NULL for none). */
static int copy_array(cxi_mem *m, void **to, const void *from, size_t n, size_t size)
{
    *to = NULL;
    if (!n || !from)
        return CX_OK;
    if (!(*to = cxi_alloc(m, n * size)))
        return CX_ENOMEM;
    memcpy(*to, from, n * size);
    return CX_OK;
}

static int copy_into(cx_store *c, const cx_store *s)
{
    int rc = CX_OK;
    for (int t = 0; t < CX_TABLE_COUNT && !rc; t++) {
        const cxi_table *from = &s->t[t];
        cxi_table *to = &c->t[t];
        /* the built-in questions of the new store are the original's first rows */
        to->n = 0;
        if (from->ncols > to->ncols) /* a real id column (cxi_row_eid) */
            to->ncols = from->ncols;
        for (int k = 0; k < to->ncols; k++) /* a widened column stays wide (cxi_icol) */
            if (to->cols[k].elem != from->cols[k].elem) {
                cxi_cols_free(&c->mem, &to->cols[k], 1);
                to->cols[k].elem = from->cols[k].elem;
            }
        if ((rc = cxi_cols_reserve(&c->mem, to->cols, to->ncols, from->n ? from->n : 1)))
            break;
        for (int k = 0; k < from->ncols && from->n; k++) {
            if (s->sparse[t][k]) /* kept sparse (cx_store_compact): a column in the copy */
                cxi_sparse_write(s->sparse[t][k], to->cols[k].data);
            else
                memcpy(to->cols[k].data, from->cols[k].data, from->n * from->cols[k].elem);
        }
        to->n = from->n;
        to->room = to->cols[0].cap;
        for (int k = 1; k < to->ncols; k++)
            if (to->cols[k].cap < to->room)
                to->room = to->cols[k].cap;
        cxi_pool_free(&c->mem, &c->keys[t]);
        /* ids kept as numbers (cx_store_compact): the copy's as text */
        if ((rc = s->nid[t] ? cxi_event_ids_copy(&c->mem, s, t, &c->keys[t]) : copy_pool(&c->mem, &s->keys[t], &c->keys[t])))
            break;
        cxi_free(&c->mem, c->idrow[t], c->idrow_cap[t] * sizeof(uint32_t));
        cxi_free(&c->mem, c->dirty[t], c->dirty_cap[t] * sizeof(uint64_t));
        c->idrow[t] = NULL;
        c->dirty[t] = NULL;
        c->idrow_cap[t] = c->dirty_cap[t] = 0;
        void *idrow;
        if ((rc = copy_array(&c->mem, &idrow, s->idrow[t], s->idrow_cap[t], sizeof(uint32_t))))
            break;
        c->idrow[t] = idrow;
        c->idrow_cap[t] = idrow ? s->idrow_cap[t] : 0;
        size_t words = to->room / 64 + 1;
        if (!(c->dirty[t] = cxi_alloc(&c->mem, words * sizeof(uint64_t)))) {
            rc = CX_ENOMEM;
            break;
        }
        c->dirty_cap[t] = words;
        memset(c->dirty[t], 0, words * sizeof(uint64_t));
        if (s->dirty[t])
            memcpy(c->dirty[t], s->dirty[t], (s->dirty_cap[t] < words ? s->dirty_cap[t] : words) * sizeof(uint64_t));
    }
    for (int v = 0; v < CX_VOCAB_COUNT && !rc; v++) {
        cxi_pool_free(&c->mem, &c->sets[v]);
        rc = copy_pool(&c->mem, &s->sets[v], &c->sets[v]);
    }
    if (!rc)
        rc = copy_pool(&c->mem, &s->comments, &c->comments);
    if (!rc)
        rc = copy_pool(&c->mem, &s->attr_values, &c->attr_values);
    if (!rc) {
        cxi_attrs_free(&c->mem, &c->attrs);
        rc = cxi_attrs_copy(&c->mem, &s->attrs, &c->attrs);
    }
    c->attrs_changed = s->attrs_changed;
    c->external_interactions = s->external_interactions;
    return rc;
}

int cx_store_clone(cx_store **out, const cx_store *s)
{
    static const char fn[] = "cx_store_clone";
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    *out = NULL;
    cx_store *c;
    int rc = cx_store_new_with_allocator(&c, s->mem.fn, s->mem.ud);
    if (rc)
        return cxi_fail(rc, "%s: %s", fn, cx_last_error());
    if ((rc = copy_into(c, s))) {
        cx_store_free(c);
        return cxi_fail(rc, "%s: out of memory", fn);
    }
    *out = c;
    return CX_OK;
}
