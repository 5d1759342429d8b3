/* Savepoints of a store, for imports that must leave it unchanged on failure. */
#ifndef CXI_SAVEPOINT_H
#define CXI_SAVEPOINT_H

#include "store_private.h"

typedef struct cxi_mark {
    size_t rows[CX_TABLE_COUNT];
    uint32_t sets[CX_VOCAB_COUNT];
    uint32_t comments, attr_values;
    uint32_t ids[CX_TABLE_COUNT]; /* the event tables' id pools */
    bool implicit[CX_TABLE_COUNT]; /* an event table's id column was (cxi_row_eid) */
    size_t undo; /* cells in the store's undo log */
    uint8_t elem[CX_TABLE_COUNT][CXI_MAX_COLS]; /* the code columns' widths (cxi_code_col) */
} cxi_mark;

void cxi_store_mark(const cx_store *s, cxi_mark *m);
/* Cuts the store back to the mark: first puts back every cell the undo log
 * holds since the mark (updates, in reverse), then drops what was appended
 * (adds, defines, new attributes). */
void cxi_store_rollback(cx_store *s, const cxi_mark *m);

/* Drops the rows of one event table (interactions, cases, feedback,
 * transactions) from `n` on; names and keys stay. Used to stream a file through a store in chunks. */
void cxi_store_truncate_rows(cx_store *s, int table, size_t n);
/* Drops feedback comments from id n on (once their rows are gone). */
void cxi_store_truncate_comments(cx_store *s, uint32_t n);

#endif
