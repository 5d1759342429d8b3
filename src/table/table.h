/*
 * The result table every analysis builds (the public type cx_result):
 * named, typed columns of a known number of rows, text interned in a pool.
 * An analysis creates it with every cell zero (text missing, times
 * CX_TIME_NONE), fills the cells, and hands it out; after that it is
 * read-only. Layer: base <- store <- table <- {metrics, journey, lifecycle}.
 */
#ifndef CXI_TABLE_H
#define CXI_TABLE_H

#include "../base/base.h"
#include "cxkit/result.h"

typedef struct cxi_tcol {
    char *name;   /* owned */
    int type;     /* CX_TYPE_* */
    int offset;   /* CX_TYPE_TIME: the UTC offset, in minutes, its text is written in */
    void *data;   /* int64_t (INT, TIME), double (REAL) or uint32_t pool ids (STRING) per row */
} cxi_tcol;

/* What an analysis keeps beside its table for the calls that need more than
 * the cells (a query result's accumulators: merge, serialise, quantiles).
 * `kind` identifies the owner, so that its calls can refuse other results. */
typedef struct cxi_result_ext {
    const char *kind;
    void (*free)(void *state);
} cxi_result_ext;

struct cx_result {
    cxi_mem mem;
    size_t rows, ncols;
    cxi_tcol *cols; /* room for colcap columns, ncols of them made */
    size_t colcap;
    cxi_pool strs;
    const cxi_result_ext *ext;
    void *ext_state;
};

/* A table of `rows` rows and `ncols` columns (names copied), every cell
 * zero: text missing (NULL), integers and reals 0, times CX_TIME_NONE. Its
 * memory comes from the allocator of `mem` (the store's), counted apart.
 * CX_ENOMEM, with the last error set. */
int cxi_result_new(cx_result **out, const cxi_mem *mem, size_t rows, size_t ncols, const char *const *names,
                   const int *types);
/* Appends `n` zeroed rows; CX_ENOMEM leaves the table as it was. */
int cxi_result_add_rows(cx_result *r, size_t n);
/* Sets a text cell (s[0..len) interned; s NULL: missing). CX_ENOMEM. */
int cxi_result_set_str(cx_result *r, size_t col, size_t row, const char *s, size_t len);
/* The same for a NUL-terminated text (or NULL). */
int cxi_result_set_text(cx_result *r, size_t col, size_t row, const char *s);
/* The offset a time column is written in (default 0, UTC). */
void cxi_result_set_offset(cx_result *r, size_t col, int offset_minutes);
/* Adds the state behind the table: freed with it by ext->free. */
void cxi_result_set_ext(cx_result *r, const cxi_result_ext *ext, void *state);
/* The state, when the result is of that kind; else NULL. */
void *cxi_result_ext_of(const cx_result *r, const cxi_result_ext *ext);

static inline void cxi_result_set_int(cx_result *r, size_t col, size_t row, int64_t v)
{
    ((int64_t *)r->cols[col].data)[row] = v;
}
static inline void cxi_result_set_time(cx_result *r, size_t col, size_t row, cx_time v)
{
    ((int64_t *)r->cols[col].data)[row] = v;
}
static inline void cxi_result_set_real(cx_result *r, size_t col, size_t row, double v)
{
    ((double *)r->cols[col].data)[row] = v;
}
static inline int64_t cxi_result_int(const cx_result *r, size_t col, size_t row)
{
    return ((const int64_t *)r->cols[col].data)[row];
}
static inline double cxi_result_real(const cx_result *r, size_t col, size_t row)
{
    return ((const double *)r->cols[col].data)[row];
}
static inline const char *cxi_result_str(const cx_result *r, size_t col, size_t row)
{
    uint32_t id = ((const uint32_t *)r->cols[col].data)[row];
    return id == CXI_NONE ? NULL : cxi_pool_str(&r->strs, id);
}

#endif
