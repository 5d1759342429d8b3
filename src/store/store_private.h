/*
 * The store's private layout, shared by the store's own files and by later
 * modules (queries, metrics) that scan its columns directly.
 *
 * Every table is a set of columns (cxi_col) of one logical length `n`.
 * Keyed tables (customers, touchpoints, cases, questions) number their rows
 * by the id of the key in their interner, so lookup by id is one hash probe.
 * Strings of named sets are interned once per store; rows hold u32 codes,
 * except interactions' touchpoint, kind, agent and case, cases' channel,
 * priority and agent, and feedback's question, touchpoint, case and comment, which
 * take 1, 2 or 4 bytes a row as their largest code needs (cxi_code_col,
 * cxi_codes).
 * The event tables keep no list of each customer's rows (4 bytes a row,
 * issue 14): cx_history_new() builds an index of every customer's rows of
 * interactions, cases, feedback and transactions at its first call after
 * a change (cxi_hindex, history.c), and any change drops it; the journeys'
 * driver analysis groups the feedback by customer itself (pain.c).
 */
#ifndef CXI_STORE_PRIVATE_H
#define CXI_STORE_PRIVATE_H

#include <stdatomic.h>

#include "../base/base.h"
#include "attrs.h"
#include "cxkit/store.h"

enum { CU_SEGMENT, CU_REGION, CU_PLAN, CU_ACQUIRED, CU_NCOLS };
enum { TP_CHANNEL, TP_STAGE, TP_KIND, TP_KEY, TP_WEIGHT, TP_NCOLS };
enum {
    IN_CUSTOMER, IN_TOUCHPOINT, IN_TIME, IN_KIND, IN_DIRECTION, IN_OUTCOME,
    IN_AGENT, IN_CASE, IN_DURATION, IN_VALUE, IN_ID, IN_NCOLS
};
enum {
    CA_CUSTOMER, CA_CHANNEL, CA_PRIORITY, CA_AGENT, CA_OPENED, CA_FIRST_RESPONSE,
    CA_RESOLVED, CA_REOPENS, CA_CONTACTS, CA_NCOLS
};
enum { QU_METRIC, QU_MIN, QU_MAX, QU_HIB, QU_NCOLS };
enum {
    FB_CUSTOMER, FB_QUESTION, FB_SCORE, FB_TIME, FB_TOUCHPOINT, FB_INTERACTION,
    FB_CASE, FB_COMMENT, FB_ID, FB_NCOLS
};
enum { TR_CUSTOMER, TR_TIME, TR_AMOUNT, TR_ID, TR_NCOLS };

/* The internal column holding the source system's id of an event table
 * (a key id in keys[table], CXI_NONE without one), -1 for the others. */
static inline int cxi_id_col(int table)
{
    return table == CX_TABLE_INTERACTIONS ? IN_ID
           : table == CX_TABLE_FEEDBACK   ? FB_ID
           : table == CX_TABLE_TRANSACTIONS ? TR_ID
                                            : -1;
}

/* One overwritten cell of an update made while an import runs, so that a
 * failed import can put it back (see cxi_undo). table 0xFF: an attribute,
 * row:col is the attrs key, old its value (CXI_NONE: absent). */
typedef struct cxi_undo_cell {
    uint8_t table, col;
    uint32_t row;
    uint64_t old;
} cxi_undo_cell;

typedef struct cxi_undo {
    cxi_undo_cell *cells;
    size_t n, cap;
} cxi_undo;

#define CXI_MAX_COLS 12

/* The keys last found in each keyed table and the names last found in each
 * set, so that rows grouped by customer, and the few touchpoints, channels
 * or kinds a file repeats, skip the hash probe. A two-way cache: a string's
 * slot pair is cxi_lookup_slot() and the next one, the newer entry first.
 * Only set on a store while an import runs (one writer, no concurrent
 * readers); an entry is checked against the string before use, so a
 * rollback or truncation needs no invalidation. */
#define CXI_LOOKUP_WAYS 256
#define CXI_LOOKUP_HASHES 4
typedef struct cxi_lookup {
    uint32_t key[CX_TABLE_COUNT][CXI_LOOKUP_WAYS];
    uint32_t set[CX_VOCAB_COUNT][CXI_LOOKUP_WAYS];
    /* two cursors per table on the rows of the keys last found: on a
     * miss, the row after each is tried before the hash table. Files sorted
     * like the customers table meet each new customer at the row after the
     * last; a table whose customers were added from two sorted files (the
     * customers with cases, then the others as the interactions name them)
     * is walked as two such runs, one cursor each. mru & 1 is the cursor
     * that moved last. */
    uint32_t cur[CX_TABLE_COUNT][2];
    uint8_t mru[CX_TABLE_COUNT];
    /* the customer cxi_customer_find_or_add found or added, for the add
     * function the importer calls next with the same id string: found by
     * the pointer without a second lookup. The importer clears it after
     * that call. */
    const char *hint_id;
    uint32_t hint_row;
    /* the hashes the CSV reader computed already of the key fields of the
     * row being stored (hkey[k]'s is hhash[k], k < nhash), found by the
     * field's pointer: the lookups of those strings use them instead of
     * hashing them again on the storing thread (cxi_lookup_hash). The
     * importer sets them before the row's add function and clears them
     * (nhash = 0) after. */
    const char *hkey[CXI_LOOKUP_HASHES];
    uint32_t hhash[CXI_LOOKUP_HASHES];
    int nhash;
    /* direct[t]: the importer brought the hash slots and strings of the
     * keys of table t into the cache ahead of the rows (cxi_import_prefetch),
     * so key_row probes the hash table at once: the cache and the cursors
     * above would only add reads of strings that are not in the cache when
     * rows come in any order (issue 14). */
    bool direct[CX_TABLE_COUNT];
} cxi_lookup;

/* The first (even) slot of the pair of a string of len > 0 bytes (a miss
 * only costs a probe). */
static inline unsigned cxi_lookup_slot(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    return (unsigned)(len * 11u + u[0] * 3u + u[len - 1] * 5u + u[len >> 1] * 7u) & (CXI_LOOKUP_WAYS - 2);
}

void cxi_lookup_init(cxi_lookup *lk);

/* The hash of string s[0..len) ((uint32_t)cxi_hash): the one the reader
 * left in lk for this very pointer (cxi_lookup's hkey), else computed. */
static inline uint32_t cxi_lookup_hash(const cxi_lookup *lk, const char *s, size_t len)
{
    for (int k = 0; lk && k < lk->nhash; k++)
        if (lk->hkey[k] == s)
            return lk->hhash[k];
    return (uint32_t)cxi_hash(s, len);
}

typedef struct cxi_table {
    size_t n;
    size_t room; /* the smallest capacity of the columns */
    int ncols;
    cxi_col cols[CXI_MAX_COLS];
} cxi_table;

struct cx_store {
    cxi_mem mem;
    cxi_table t[CX_TABLE_COUNT];
    cxi_pool keys[CX_TABLE_COUNT]; /* used by the keyed tables only */
    cxi_pool sets[CX_VOCAB_COUNT];
    cxi_pool comments;
    cxi_pool attr_values;
    cxi_attrs attrs; /* (customer row, attribute name) -> attr_values id (attrs.h) */
    uint32_t attr_rows; /* the customers an import has reserved (cx_store_reserve), 0 outside one */
    /* Event tables with ids: idrow[t][key id] is the row of the id (the
     * key pool of the table interns ids in row order). NULL while every
     * id's row is its key id (every row added with an id), the usual case,
     * which so costs nothing: read it with cxi_eid_row (issue 14). */
    uint32_t *idrow[CX_TABLE_COUNT];
    size_t idrow_cap[CX_TABLE_COUNT];
    /* Rows changed in place by an update (bit r of dirty[t]), since the
     * store was made or loaded: cx_db_save() rewrites them. */
    uint64_t *dirty[CX_TABLE_COUNT];
    size_t dirty_cap[CX_TABLE_COUNT]; /* in words */
    bool attrs_changed; /* an attribute was replaced or removed */
    /* Set while an import runs: every cell an update overwrites is logged
     * here first, for cxi_store_rollback. */
    cxi_undo *undo;
    /* Set only by the streaming SQLite import, whose interactions live in the
     * database: feedback links to them are checked there, not here. */
    bool external_interactions;
    cxi_lookup *lookup; /* see cxi_lookup; NULL outside imports */
    /* The rows of each customer's interactions, cases, feedback and transactions, for
     * cx_history_new(), which builds it when it finds none: readers that
     * may run at once each build one and keep the first published
     * (compare and swap), freeing theirs. Every change of those tables'
     * rows or customers drops it first (cxi_hindex_drop), in a call that
     * has the store to itself. NULL until a history is asked for. */
    _Atomic(struct cxi_hindex *) hindex;
    /* The hash slots of the ids of an event table whose pool has none
     * (cx_store_compact dropped them), built by the first reader that finds
     * an id, kept apart from the store's bytes (compact.c). NULL otherwise. */
    _Atomic(struct cxi_eindex *) eindex[CX_TABLE_COUNT];
    /* An event table's ids as numbers (cx_store_compact, compact.c): its
     * keys pool then holds no string, only their count; NULL otherwise.
     * etext: their text made again for the readers that lend it. */
    struct cxi_numids *nid[CX_TABLE_COUNT];
    _Atomic(struct cxi_etext *) etext[CX_TABLE_COUNT];
    /* Columns kept sparse (cx_store_compact, cxi_sparse_col), their count a table. */
    cxi_sparse *sparse[CX_TABLE_COUNT][CXI_MAX_COLS];
    int nsparse[CX_TABLE_COUNT];
};

/* Event ids after cx_store_compact (compact.c). cxi_event_key: the key id
 * of id s[0..len) of hash h in keys[table] of an event table, or CXI_NONE,
 * whether the pool has its slots or not (a reader may call it).
 * cxi_event_ids_ready: gives keys[table] its slots again, for a writer
 * about to find or add ids of the table and change the store (CX_ENOMEM,
 * reported as fn's, changes nothing stored); cxi_store_ids_ready does so for the
 * three event tables. cxi_eindex_drop frees the index kept apart, if any.
 * cxi_eindex_bytes: the bytes of those indexes (cx_store_memory leaves
 * them out). */
uint32_t cxi_event_key(const cx_store *s, int table, const char *id, size_t len, uint32_t h);
int cxi_event_ids_index(const char *fn, cx_store *s, int table);
static inline int cxi_event_ids_ready(const char *fn, cx_store *s, int table)
{
    return CXI_LIKELY(!s->nid[table] && cxi_pool_indexed(&s->keys[table])) ? CX_OK
                                                                           : cxi_event_ids_index(fn, s, table);
}
/* The text of key k of an event table's ids (k < keys[table].count), with
 * its length: in the store, or written into buf (CXI_EID_BUF bytes) while
 * they are numbers; valid until the next call with buf or a change. */
#define CXI_EID_BUF 32
const char *cxi_eid_text(const cx_store *s, int table, uint32_t k, char *buf, uint32_t *len);
/* The pool holding the text of an event table's ids, to lend: the store's
 * own, or, while they are numbers, one made by the first reader and kept
 * (apart from the store's bytes) until a change; NULL out of memory. */
const cxi_pool *cxi_event_ids_text(const cx_store *s, int table);
/* Writes an event table's ids held as numbers as text into the empty pool
 * `into` (cx_store_clone); CX_ENOMEM, not reported, leaves it empty. */
int cxi_event_ids_copy(cxi_mem *m, const cx_store *s, int table, cxi_pool *into);
/* Compacts an event table's ids (cx_store_compact): no hash slots, numbers
 * where they take one form. Never fails (out of memory, less is given back). */
void cxi_event_ids_compact(cx_store *s, int table);
/* Frees the numbers, text and index of an event table's compacted ids
 * (cx_store_free), the numbers wiped. */
void cxi_numids_free(cx_store *s, int table);
/* The bytes of an event table's ids as numbers (bench-memory). */
size_t cxi_numids_bytes(const cx_store *s, int table);
int cxi_store_ids_ready(const char *fn, cx_store *s);
void cxi_eindex_drop(cx_store *s, int table);
size_t cxi_eindex_bytes(const cx_store *s);

/* Frees the history index (history.c), if any: every writer that adds,
 * removes or moves rows of interactions, cases, feedback or transactions calls
 * cxi_hindex_drop (a load and a test on the path of every added row). */
void cxi_hindex_free(cx_store *s);
static inline void cxi_hindex_drop(cx_store *s)
{
    if (atomic_load_explicit(&s->hindex, memory_order_relaxed))
        cxi_hindex_free(s);
}
/* The bytes the history index holds (0 without one). */
size_t cxi_hindex_bytes(const cx_store *s);

/* Where a schema column's values live. */
enum {
    SRC_ID,   /* the table's own key; row == key id */
    SRC_SET,  /* u32 code into sets[aux] */
    SRC_REF,  /* u32 row of table aux */
    SRC_ENUM, /* u8 value of enum aux */
    SRC_TEXT, /* u32 id in comments */
    SRC_I64,
    SRC_I32,
    SRC_U8,
    SRC_F64,
    SRC_LINK, /* u32 row of table aux (feedback.interaction), written as that row's id */
    SRC_EID   /* u32 key id in keys[table]: an event's own id */
};

typedef struct cxi_colsrc {
    int type;                      /* cx_type */
    int src, icol, aux;            /* SRC_*, internal column, set / table / enum */
    const char *const *enum_names; /* SRC_ENUM: the names by value */
} cxi_colsrc;

/* For a valid table and column (not checked). */
void cxi_column_source(cxi_colsrc *out, int table, int column);

/* For imports that add the customers their rows name: finds customer `id`
 * (not empty), or adds it with the id alone (cx_customer_add with no
 * segment, region, plan or time); *added says whether it did. The hot path,
 * a known customer, is one probe of the lookup cache. Errors as
 * cx_customer_add (CX_EINVAL for an id that is not UTF-8, CX_ENOMEM,
 * CX_ELIMIT). */
int cxi_customer_find_or_add(cx_store *s, const char *id, bool *added);
/* During an import, cxi_customer_find_or_add also leaves the customer's row
 * as s->lookup's hint for this very id string, which the next add function
 * reads instead of looking the id up again; the importer clears the hint
 * (hint_id = NULL) as soon as that call returns. */
/* Takes back the customer cxi_customer_find_or_add just added, when the row
 * that named it is refused: it must still be the last customer, with no
 * events and no attributes. Constant time; allocates nothing. */
void cxi_customer_drop_last(cx_store *s);

/* imp14: the hash slots of table's ids (keys[table]) sized for `rows` more
 * ids, in huge pages, and so its references and id -> row index when it
 * keeps them, so that an import whose size is known rehashes nothing; the
 * new room is faulted in (cxi_prefault). `bytes`, the ids' bytes in all, is
 * not reserved: blocks of strings come as the ids are added. A hint:
 * CX_ENOMEM changes nothing a caller sees, and a count beyond the pool's
 * limit is ignored. */
int cxi_store_reserve_ids(cx_store *s, int table, size_t rows, size_t bytes);

/* The row of an event of `table` (interactions, feedback, transactions)
 * with id s[0..len), or CXI_NONE. */
uint32_t cxi_event_find(const cx_store *s, int table, const char *id, size_t len);

/* The row of key id k (< keys[table].count) of an event table: CXI_NONE for
 * an id interned without a row (feedback's links to the interactions of a
 * streaming SQLite import). */
static inline uint32_t cxi_eid_row(const cx_store *s, int table, uint32_t k)
{
    return s->idrow[table] ? s->idrow[table][k] : k;
}

/* The key id (in keys[table]) of the source system's id of row `row` of an
 * event table (interactions, feedback, transactions), CXI_NONE without one.
 * The id column, the last of the table, is implicit while every row r holds
 * key id r (every row added with an id, in row order), the usual case: the
 * table's ncols then leaves it out and it costs nothing (issue 14). The
 * first row that breaks this makes it (cxi_eid_materialize). */
static inline bool cxi_eid_implicit(const cx_store *s, int table)
{
    return s->t[table].ncols <= cxi_id_col(table);
}

static inline uint32_t cxi_row_eid(const cx_store *s, int table, size_t row)
{
    int c = cxi_id_col(table);
    return s->t[table].ncols > c ? ((const uint32_t *)s->t[table].cols[c].data)[row] : (uint32_t)row;
}

/* The source system's id of row `row` of an event table, NULL without one:
 * text valid until the next call with buf (CXI_EID_BUF bytes, cxi_eid_text). */
const char *cxi_eid_text(const cx_store *s, int table, uint32_t k, char *buf, uint32_t *len);
static inline const char *cxi_row_eid_text(const cx_store *s, int table, size_t row, char *buf)
{
    uint32_t k = cxi_row_eid(s, table, row), len;
    return k == CXI_NONE ? NULL : cxi_eid_text(s, table, k, buf, &len);
}

/* Gives an event table whose id column is implicit a real one, holding
 * key id r at each row r, as many rows as the other columns' room; nothing
 * when it has one. CX_ENOMEM changes nothing. */
int cxi_eid_materialize(cx_store *s, int table);
/* Drops a real id column again (a rollback to a state without one: every
 * row left must hold its row number). */
void cxi_eid_dematerialize(cx_store *s, int table);

/* Typed access to a column: COL(store, CX_TABLE_CASES, CA_OPENED, int64_t). */
#define CXI_COL(s, table, col, T) ((T *)(s)->t[(table)].cols[(col)].data)

/* An integer column stored narrow (uint32_t) until a value needs 64 bits,
 * then wide (int64_t), issue 14: interactions' duration_ms (4 bytes a row
 * while every duration is under 49.7 days: cxi_u32_col) and the times of
 * interactions, feedback and transactions (4 bytes a row while every time
 * is a whole second from 1970 to 2106, held as seconds since 1970:
 * cxi_seconds_col). Read it with cxi_icol_of once and cxi_icol_at per row,
 * or cxi_icol_read a chunk at a time. */
typedef struct cxi_icol {
    const uint32_t *narrow; /* NULL when wide */
    const int64_t *wide;
    int64_t scale; /* a narrow value times this is the value: 1000 for times */
} cxi_icol;

/* The columns of 4 bytes a row while every value is from 0 to UINT32_MAX. */
static inline bool cxi_u32_col(int table, int col) { return table == CX_TABLE_INTERACTIONS && col == IN_DURATION; }

/* The times kept in 4 bytes a row, as seconds, while every one is a whole
 * second from 1970 to 2106. */
static inline bool cxi_seconds_col(int table, int col)
{
    return (table == CX_TABLE_INTERACTIONS && col == IN_TIME) || (table == CX_TABLE_FEEDBACK && col == FB_TIME) ||
           (table == CX_TABLE_TRANSACTIONS && col == TR_TIME);
}

static inline cxi_icol cxi_icol_of(const cx_store *s, int table, int col)
{
    const cxi_col *c = &s->t[table].cols[col];
    cxi_icol r = {NULL, NULL, cxi_seconds_col(table, col) ? 1000 : 1};
    if (c->elem == sizeof(uint32_t))
        r.narrow = (const uint32_t *)c->data;
    else
        r.wide = (const int64_t *)c->data;
    return r;
}

static inline int64_t cxi_icol_at(cxi_icol c, size_t row)
{
    return c.narrow ? (int64_t)c.narrow[row] * c.scale : c.wide[row];
}

/* Where row `row` of a narrow-or-wide integer column is (to fetch it ahead). */
static inline const void *cxi_icol_addr(cxi_icol c, size_t row)
{
    return c.narrow ? (const void *)&c.narrow[row] : (const void *)&c.wide[row];
}

/* Rows [from, from + n) into out (n <= CXI_CODES_CHUNK for a buffer on the
 * stack): for hot loops, one test of the width a chunk. */
static inline void cxi_icol_read(cxi_icol c, size_t from, size_t n, int64_t *out)
{
    if (c.narrow)
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)c.narrow[from + i] * c.scale;
    else
        memcpy(out, c.wide + from, n * sizeof *out);
}

/* A real column stored as int32_t cents while every value is an exact
 * amount in cents, then as double: interactions' value, transactions'
 * amount and feedback's score (cxi_cents_col; issue 14: 4 bytes a row, as
 * money amounts with two decimals and scores are). Cents c stand for
 * (double)c / 100.0, which IEEE division rounds correctly, so it is the
 * very double strtod makes of the amount's 2-decimal text. Read it with
 * cxi_vcol_of once and cxi_vcol_at per row; the other real columns (always
 * double) read the same way. */
typedef struct cxi_vcol {
    const int32_t *narrow; /* NULL when wide */
    const double *wide;
    const cxi_sparse *sparse; /* cents kept sparse (cx_store_compact): narrow and wide NULL */
} cxi_vcol;

static inline cxi_vcol cxi_vcol_of(const cx_store *s, int table, int col)
{
    const cxi_col *c = &s->t[table].cols[col];
    cxi_vcol r = {NULL, NULL, s->sparse[table][col]};
    if (r.sparse)
        return r;
    if (c->elem == sizeof(int32_t))
        r.narrow = (const int32_t *)c->data;
    else
        r.wide = (const double *)c->data;
    return r;
}

/* The columns kept in cents while they can be (cxi_vcol). */
static inline bool cxi_cents_col(int table, int col)
{
    return (table == CX_TABLE_INTERACTIONS && col == IN_VALUE) || (table == CX_TABLE_TRANSACTIONS && col == TR_AMOUNT) ||
           (table == CX_TABLE_FEEDBACK && col == FB_SCORE);
}

static inline double cxi_vcol_at(cxi_vcol c, size_t row)
{
    if (c.narrow)
        return cxi_cents_value(c.narrow[row]);
    if (CXI_UNLIKELY(c.sparse != NULL))
        return cxi_cents_value((int32_t)cxi_sparse_at(c.sparse, row));
    return c.wide[row];
}

/* Where row `row` of a value column is (to fetch it ahead). */
static inline const void *cxi_vcol_addr(cxi_vcol c, size_t row)
{
    return c.narrow ? (const void *)&c.narrow[row]
           : c.sparse ? (const void *)&c.sparse->bits[row >> 6]
                      : (const void *)&c.wide[row];
}

/* Whether v is an exact amount in cents that a narrow value column holds:
 * cents c with |c| <= INT32_MAX whose cxi_cents_value is v bit for bit
 * (not NaN, not -0.0, finite), then *out = c. The nearest integer to
 * v * 100 is the only candidate (rounding half away from zero, as llround);
 * the check against v makes the answer exact whatever the rounding of the
 * product. */
static inline bool cxi_cents_of(double v, int32_t *out)
{
    double c = v * 100.0;
    c = c < 0 ? c - 0.5 : c + 0.5; /* truncated below: the nearest integer */
    if (!(c > -(double)INT32_MAX - 1.0 && c < (double)INT32_MAX + 1.0)) /* NaN and infinities too */
        return false;
    int32_t k = (int32_t)c;
    double back = cxi_cents_value(k);
    uint64_t a, b;
    memcpy(&a, &back, sizeof a);
    memcpy(&b, &v, sizeof b);
    if (a != b) /* -0.0 too: 0 cents are +0.0 */
        return false;
    *out = k;
    return true;
}

/* The columns of small codes (cxi_codes, base.h): 1 byte a row while every
 * value (and none) fits, then 2, then 4, widened in place by the add or
 * update that needs it (issue 14: small dictionary ids). Read them with
 * cxi_codes_col once and cxi_codes_at per row, or cxi_codes_read a chunk
 * at a time; the other u32 code columns read the same way. */
static inline bool cxi_code_col(int table, int col)
{
    return (table == CX_TABLE_CUSTOMERS && (col == CU_SEGMENT || col == CU_REGION || col == CU_PLAN)) ||
           (table == CX_TABLE_INTERACTIONS &&
            (col == IN_TOUCHPOINT || col == IN_KIND || col == IN_AGENT || col == IN_CASE)) ||
           (table == CX_TABLE_CASES && (col == CA_CHANNEL || col == CA_PRIORITY || col == CA_AGENT)) ||
           (table == CX_TABLE_FEEDBACK &&
            (col == FB_QUESTION || col == FB_TOUCHPOINT || col == FB_CASE || col == FB_COMMENT));
}

static inline cxi_codes cxi_codes_col(const cx_store *s, int table, int col)
{
    if (CXI_UNLIKELY(s->sparse[table][col] != NULL)) {
        cxi_codes r = {s->sparse[table][col], 0};
        return r;
    }
    return cxi_codes_of(&s->t[table].cols[col]);
}

/* Columns kept sparse by cx_store_compact (s->sparse): interactions' agent,
 * case and value, feedback's case, when that is smaller. Their cxi_col is
 * then empty (no data, no room): read them only through cxi_codes_col and
 * cxi_vcol_of; a writer makes them columns again first (cxi_table_dense,
 * CX_ENOMEM reported as fn's, nothing changed). */
static inline bool cxi_sparse_col(int table, int col)
{
    return (table == CX_TABLE_INTERACTIONS && (col == IN_AGENT || col == IN_CASE || col == IN_VALUE)) ||
           (table == CX_TABLE_FEEDBACK && col == FB_CASE);
}
int cxi_table_dense_all(const char *fn, cx_store *s, int table);
static inline int cxi_table_dense(const char *fn, cx_store *s, int table)
{
    return CXI_LIKELY(!s->nsparse[table]) ? CX_OK : cxi_table_dense_all(fn, s, table);
}
/* Makes the sparse columns of a table (cx_store_compact); never fails.
 * cxi_table_sparse_free frees them (cx_store_free). */
void cxi_table_sparsify(cx_store *s, int table);
void cxi_table_sparse_free(cx_store *s, int table);

/* The CRM id of a customer row. */
static inline const char *cxi_customer_id(const cx_store *s, uint32_t row)
{
    return cxi_pool_str(&s->keys[CX_TABLE_CUSTOMERS], row);
}

#endif
