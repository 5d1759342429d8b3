/*
 * Savepoints: an import remembers the store's size before it starts and, if
 * it fails, cuts every table, interner and index back to that size. Tables
 * only ever grow at the end, so a rollback puts back the cells updates
 * overwrote and truncates; the history index is dropped. Nothing is
 * allocated, so a rollback cannot fail.
 */
#include <string.h>

#include "savepoint.h"

void cxi_store_mark(const cx_store *s, cxi_mark *m)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        m->rows[t] = s->t[t].n;
    for (int i = 0; i < CX_VOCAB_COUNT; i++)
        m->sets[i] = s->sets[i].count;
    m->comments = s->comments.count;
    m->attr_values = s->attr_values.count;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        m->ids[t] = cxi_id_col(t) >= 0 ? s->keys[t].count : 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        m->implicit[t] = cxi_id_col(t) >= 0 && cxi_eid_implicit(s, t);
    m->undo = s->undo ? s->undo->n : 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        for (int c = 0; c < CXI_MAX_COLS; c++)
            m->elem[t][c] = (uint8_t)(c < s->t[t].ncols ? s->t[t].cols[c].elem : 0);
}

static bool attr_is_new(void *ctx, uint32_t row, uint32_t name, uint32_t val)
{
    const cxi_mark *m = ctx;
    return row >= m->rows[CX_TABLE_CUSTOMERS] || name >= m->sets[CX_VOCAB_ATTRIBUTE] || val >= m->attr_values;
}

/* The event ids of rows n.. are the last ones of the table's pool: keeps
 * those of the rows before n. */
static void truncate_ids(cx_store *s, int table, size_t n)
{
    int c = cxi_id_col(table);
    if (c < 0)
        return;
    for (size_t r = n; r < s->t[table].n; r++) {
        uint32_t k = cxi_row_eid(s, table, r);
        if (k != CXI_NONE) {
            cxi_pool_truncate(&s->mem, &s->keys[table], k);
            return;
        }
    }
}

void cxi_store_truncate_rows(cx_store *s, int table, size_t n)
{
    cxi_hindex_drop(s);
    truncate_ids(s, table, n);
    bool event = table == CX_TABLE_INTERACTIONS || table == CX_TABLE_CASES || table == CX_TABLE_FEEDBACK ||
                 table == CX_TABLE_TRANSACTIONS;
    if (event && s->t[table].n > n)
        s->t[table].n = n;
    if (n == 0) /* no rows: an id column is implicit again (cxi_row_eid) */
        cxi_eid_dematerialize(s, table);
}

/* Puts back the cells updates overwrote since the mark, newest first. */
static void undo_cells(cx_store *s, size_t from)
{
    cxi_undo *u = s->undo;
    while (u && u->n > from) {
        const cxi_undo_cell *c = &u->cells[--u->n];
        if (c->table == 0xFF) {
            uint32_t name = (uint32_t)(c->old >> 32), vid = (uint32_t)c->old;
            /* the pair was there before (a removal or a replacement):
             * where it is now, or is again, there is room */
            if (vid == CXI_NONE)
                cxi_attrs_remove(&s->attrs, c->row, name);
            else
                cxi_attrs_exchange(&s->attrs, c->row, name, vid);
            continue;
        }
        cxi_col *col = &s->t[c->table].cols[c->col];
        memcpy((char *)col->data + (size_t)c->row * col->elem, &c->old, col->elem);
    }
}

/* Code columns widened since the mark get their width back (in place: a
 * rollback allocates nothing), with the cells the undo log keeps for them
 * before the mark, which hold values from before the mark and so fit. */
static void narrow_codes(cx_store *s, const cxi_mark *m)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        for (int c = 0; c < s->t[t].ncols; c++) {
            cxi_col *col = &s->t[t].cols[c];
            size_t was = m->elem[t][c];
            if (!cxi_code_col(t, c) || col->elem <= was)
                continue;
            for (size_t i = 0; s->undo && i < s->undo->n; i++) {
                cxi_undo_cell *u = &s->undo->cells[i];
                if (u->table == t && u->col == c) {
                    cxi_codes from = {&u->old, col->elem};
                    uint32_t old = cxi_codes_at(from, 0);
                    cxi_col cell = {&u->old, 1, was};
                    u->old = 0;
                    cxi_code_put(&cell, 0, old);
                }
            }
            cxi_col_narrow_codes(col, s->t[t].n, was);
        }
}

void cxi_store_truncate_comments(cx_store *s, uint32_t n) { cxi_pool_truncate(&s->mem, &s->comments, n); }

void cxi_store_rollback(cx_store *s, const cxi_mark *m)
{
    cxi_hindex_drop(s);
    undo_cells(s, m->undo);
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        if (cxi_id_col(t) >= 0)
            cxi_pool_truncate(&s->mem, &s->keys[t], m->ids[t]);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        if (s->t[t].n > m->rows[t])
            s->t[t].n = m->rows[t];
        if (m->implicit[t]) /* the rows kept hold their row numbers as ids */
            cxi_eid_dematerialize(s, t);
        if (t == CX_TABLE_CUSTOMERS || t == CX_TABLE_TOUCHPOINTS || t == CX_TABLE_CASES || t == CX_TABLE_QUESTIONS)
            cxi_pool_truncate(&s->mem, &s->keys[t], (uint32_t)m->rows[t]);
    }
    for (int i = 0; i < CX_VOCAB_COUNT; i++)
        cxi_pool_truncate(&s->mem, &s->sets[i], m->sets[i]);
    cxi_pool_truncate(&s->mem, &s->comments, m->comments);
    cxi_attrs_remove_if(&s->attrs, attr_is_new, (void *)m);
    cxi_pool_truncate(&s->mem, &s->attr_values, m->attr_values);
    narrow_codes(s, m);
}
