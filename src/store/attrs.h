/*
 * Customer attributes: the value (an id in the store's attr_values pool)
 * of each (customer row, attribute name) pair that has one.
 *
 * Issue 14 (memory): a hash map entry costs 12 bytes a slot at most half
 * full, 24 to 48 bytes an attribute. An attribute most customers have
 * (a name, a language) is kept instead as a column of 4 bytes a customer:
 * cxi_attrs_settle() moves a name's entries into a column once at least a
 * quarter of the customers have it (and 64 do). Rows a column does not
 * reach yet (customers added since) stay in the map until the next
 * settling. The other names stay in the map. An import that has reserved
 * its customers (cxi_attrs_reserve's hint) gives each name it sets a
 * column from the first pair on; settling after it returns the names few
 * customers have to the map.
 *
 * Settling allocates, so it never runs while an import can still roll
 * back (the store's undo log is set): the import's own adds reach columns
 * only through rows they already cover, and a rollback frees nothing it
 * did not make. It runs after a successful import, after a set outside an
 * import, and when forget rebuilds the attributes. Running out of memory
 * while settling changes nothing (the entries stay in the map).
 */
#ifndef CXI_ATTRS_H
#define CXI_ATTRS_H

#include "../base/base.h"

typedef struct cxi_attr_col {
    uint32_t *v;  /* value by customer row, CXI_NONE: none; NULL: no column */
    uint32_t cap; /* rows v covers */
} cxi_attr_col;

typedef struct cxi_attrs {
    cxi_map map;        /* row << 32 | name -> value, for pairs no column covers */
    cxi_attr_col *cols; /* by name id, nnames of them */
    uint32_t *nname;    /* entries by name id (map and column) */
    uint32_t *nmap;     /* entries by name id in the map */
    uint32_t nnames;
    size_t count;       /* entries in all */
} cxi_attrs;

void cxi_attrs_init(cxi_attrs *a);
void cxi_attrs_free(cxi_mem *m, cxi_attrs *a);
/* Zeroes every array (sodium_memzero) before freeing it (erasures). */
void cxi_attrs_wipe_free(cxi_mem *m, cxi_attrs *a);

/* The value of (row, name), CXI_NONE when it has none. */
static inline uint32_t cxi_attrs_get(const cxi_attrs *a, uint32_t row, uint32_t name)
{
    if (name < a->nnames && row < a->cols[name].cap)
        return a->cols[name].v[row];
    return a->map.count ? cxi_map_get(&a->map, (uint64_t)row << 32 | name) : CXI_NONE;
}

/* Room to set (row, name), so that cxi_attrs_exchange cannot fail.
 * CX_ENOMEM (reported) changes nothing a reader sees. `hint`: the rows an
 * import has reserved for customers (0 outside one): a name with no entry
 * in the map then gets a column of that many rows at once, so that an
 * import's pairs go straight into columns rather than through the map and
 * its rehashes (cxi_attrs_settle gives the map back the entries of a name
 * few customers turned out to have). Room in the map when that column
 * cannot be had. */
int cxi_attrs_reserve(cxi_mem *m, cxi_attrs *a, uint32_t row, uint32_t name, uint32_t hint);
/* Sets (row, name) to val (not CXI_NONE) within a reservation; the value
 * it had before, CXI_NONE when none. */
uint32_t cxi_attrs_exchange(cxi_attrs *a, uint32_t row, uint32_t name, uint32_t val);
/* Removes (row, name); the value it had, CXI_NONE when none. Allocates
 * nothing. */
uint32_t cxi_attrs_remove(cxi_attrs *a, uint32_t row, uint32_t name);
/* Removes the pairs for which drop(ctx, row, name, val) is true. */
void cxi_attrs_remove_if(cxi_attrs *a, bool (*drop)(void *ctx, uint32_t row, uint32_t name, uint32_t val),
                         void *ctx);
/* Calls fn(ctx, row, name, val) for every pair (columns first, by name and
 * row, then the map in slot order) until it returns non-zero, and returns
 * that (CX_OK when it never does). */
int cxi_attrs_each(const cxi_attrs *a, int (*fn)(void *ctx, uint32_t row, uint32_t name, uint32_t val), void *ctx);
/* Replaces the value v of each pair of name `name` by to(ctx, name, v). */
void cxi_attrs_remap(cxi_attrs *a, uint32_t (*to)(void *ctx, uint32_t name, uint32_t val), void *ctx);
/* Moves the entries of name `name` (CXI_NONE: of every name) into a
 * column of at least `rows` rows when a quarter of `rows` customers have
 * it (see above), and those of a name with a column that fewer than an
 * eighth of them have (or fewer than ATTRS_COLUMN_MIN / 2) back into the
 * map, freeing the column. Never fails: out of memory, the entries stay
 * where they are. */
void cxi_attrs_settle(cxi_mem *m, cxi_attrs *a, uint32_t rows, uint32_t name);
/* Frees the columns of names no customer has (those a failed import gave
 * the names it brought): allocates nothing, so that a rollback changes
 * nothing else. */
void cxi_attrs_drop_empty(cxi_mem *m, cxi_attrs *a);
/* A deep copy into *out (initialised here); CX_ENOMEM frees it again. */
int cxi_attrs_copy(cxi_mem *m, const cxi_attrs *a, cxi_attrs *out);
/* The bytes the attributes' arrays take. */
size_t cxi_attrs_bytes(const cxi_attrs *a);

#endif
