/*
 * Private base layer: allocator wrapper, error reporting, UTF-8 checks,
 * hashing, growable columns, the string interner and a u64 -> u32 map.
 * Never installed; every symbol here is hidden from the shared library.
 */
#ifndef CXI_BASE_H
#define CXI_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cxkit/common.h"
#include "cxkit/time.h"

#define CXI_NONE UINT32_MAX          /* missing u32 reference or code */
#define CXI_MAX_ROWS (UINT32_MAX - 1u) /* rows per table, ids per pool */

#if defined(__GNUC__)
#define CXI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CXI_LIKELY(x) __builtin_expect(!!(x), 1)
#define CXI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define CXI_PRINTF(a, b)
#define CXI_LIKELY(x) (x)
#define CXI_UNLIKELY(x) (x)
#endif

/* ---- memory ---------------------------------------------------------- */

/* Every allocation of a store goes through one of these, so the embedding
 * application's allocator sees all of it and the store can report its size. */
typedef struct cxi_mem {
    cx_alloc_fn fn;
    void *ud;
    size_t bytes;
} cxi_mem;

void cxi_mem_init(cxi_mem *m, cx_alloc_fn fn, void *ud);
void *cxi_alloc(cxi_mem *m, size_t n);
void *cxi_realloc(cxi_mem *m, void *p, size_t oldn, size_t newn);
void cxi_free(cxi_mem *m, void *p, size_t n);
/* Zeroes n bytes in a way the compiler keeps (erased personal data). */
void cxi_wipe(void *p, size_t n);
void *cxi_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* A new handle: a zeroed object of `size` bytes allocated through fn/ud
 * (NULL fn: malloc), whose cxi_mem member, at `mem_offset`, then counts it.
 * NULL when the allocator refuses. */
void *cxi_obj_new(cx_alloc_fn fn, void *ud, size_t size, size_t mem_offset);
#define CXI_NEW(type, fn, ud) ((type *)cxi_obj_new((fn), (ud), sizeof(type), offsetof(type, mem)))

/* Makes the array *arr, of *cap elements of `elem` bytes, hold at least
 * `need`: the capacity doubles from 8. CX_ENOMEM (the last error not set)
 * leaves the array as it was. */
int cxi_grow(cxi_mem *m, void *arr, size_t *cap, size_t need, size_t elem);
/* The same for `count` parallel arrays sharing one capacity: arrs[i] points
 * to the i-th array pointer, of elements of elems[i] bytes. All grow or
 * none does (CX_ENOMEM). */
int cxi_grow_all(cxi_mem *m, size_t *cap, size_t need, int count, void *const *arrs, const size_t *elems);
/* A copy of a NUL-terminated string from `m`, NULL when out of memory; freed
 * by cxi_strfree (NULL accepted), which finds the size with strlen. */
char *cxi_strdup(cxi_mem *m, const char *s);
void cxi_strfree(cxi_mem *m, char *s);

/* ---- errors ---------------------------------------------------------- */

/* Records `code` and a formatted message as the thread's last error and
 * returns `code`, so a failure path reads `return cxi_fail(CX_EINVAL, ...)`. */
int cxi_fail(int code, const char *fmt, ...) CXI_PRINTF(2, 3);

/* Names the column at fault in the last error (a static string, such as
 * "score"), for importers that report a file column; returns `code`.
 * cxi_fail clears it. */
int cxi_set_error_field(const char *field, int code);
const char *cxi_error_field(void);

/* Quotes a caller string for a message: at most 64 bytes, cut on a UTF-8
 * boundary, written to buf (of at least 80 bytes). */
const char *cxi_quote(char *buf, const char *s);

/* ---- text ------------------------------------------------------------ */

bool cxi_utf8_valid(const char *s, size_t len);

/* ---- writing CSV and JSON (write.c) ----------------------------------- */

/* A CSV field, RFC 4180: quoted when it holds a comma, a quote or a line
 * break, or is empty (so that "" reads back apart from a missing field). */
void cxi_write_csv_text(FILE *f, const char *s);
/* The same, always quoted (any delimiter is then safe). Both write a text a
 * spreadsheet would run as a formula with a leading apostrophe (write.c). */
void cxi_write_csv_quoted(FILE *f, const char *s);
/* Whether s, after its leading apostrophes, starts with = + - @ tab or CR. */
bool cxi_csv_formula(const char *s);
/* A CSV cell as read: one leading apostrophe taken away where the writers
 * above add one. */
const char *cxi_csv_unprotect(const char *s);
/* A JSON string of s[0..n): quotes, backslashes and control characters
 * escaped, bytes that are not UTF-8 written as U+FFFD. */
void cxi_write_json_text(FILE *f, const char *s, size_t n);
uint64_t cxi_hash(const void *data, size_t len);

/* Numbers in text, with '.' as the decimal point whatever numeric locale
 * (LC_NUMERIC) the host application set, globally or for its thread
 * (write.c). printf and strtod follow that locale; these undo it. */
/* printf's "%.*g" of v. */
void cxi_format_double(char *buf, size_t cap, int prec, double v);
/* The shortest of 15, 16 or 17 significant digits that reads back as the
 * same double (0.1 stays "0.1"); cap >= 32. */
void cxi_format_real(char *buf, size_t cap, double v);
/* strtod of the C locale: *end as strtod sets it. */
double cxi_strtod(const char *s, char **end);
/* vsnprintf and snprintf with every floating conversion (%f %e %g %a, any
 * flags, width and precision) written with '.' whatever LC_NUMERIC says:
 * for error messages and texts a result carries. The return value is
 * vsnprintf's (the length the whole text needs); %n is not supported
 * (written as nothing). */
int cxi_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int cxi_snprintf(char *buf, size_t cap, const char *fmt, ...) CXI_PRINTF(3, 4);

/* ---- time (time.c) ---------------------------------------------------- */

#define CXI_MS_PER_MINUTE 60000LL
#define CXI_MS_PER_HOUR 3600000LL
#define CXI_MS_PER_DAY 86400000LL
#define CXI_MS_PER_WEEK (7 * CXI_MS_PER_DAY)
/* The times ISO-8601 text can name, years 0000-9999 in UTC: the range
 * cx_time_format and cx_time_parse handle, so the only times a store keeps
 * (an add refuses others: a save could not be loaded nor exported). */
#define CXI_TIME_MIN (-62167219200000LL) /* 0000-01-01T00:00:00Z */
#define CXI_TIME_MAX 253402300799999LL   /* 9999-12-31T23:59:59.999Z */

/* Division rounding toward minus infinity (times before 1970 are negative). */
static inline int64_t cxi_floordiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* One range of UTC offsets for every call that takes one. */
static inline bool cxi_offset_ok(int minutes)
{
    return minutes >= -CX_UTC_OFFSET_MAX && minutes <= CX_UTC_OFFSET_MAX;
}

int64_t cxi_days_from_civil(int64_t y, int m, int d);
void cxi_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int cxi_days_in_month(int64_t y, int m);

/* Time buckets (CX_BUCKET_*): the start of t's bucket in a UTC offset, and
 * the bucket's label in that offset ("2024-05-17", "2024-W19", "2024-05",
 * "2024-Q2", "2024"), so a Riyadh May is never shown as an April instant. */
#define CXI_BUCKET_COUNT 5
#define CXI_BUCKET_LABEL_MAX 24
extern const char *const cxi_bucket_names[CXI_BUCKET_COUNT];
cx_time cxi_bucket_start(cx_time t, int bucket, int offset);
void cxi_bucket_label(char *buf, size_t cap, cx_time start, int bucket, int offset);

/* Faults in the pages of a block of `bytes` about to be written whole, in
 * one system call where the system offers it (Linux's MADV_POPULATE_WRITE),
 * rather than one page fault per page as it is written: on a virtual
 * machine a fault can cost 10 us. In ordinary pages unless the caller asked
 * for huge ones first (cxi_hugepages). A hint: nothing changes when it
 * fails or the block is under 1 MiB. */
void cxi_prefault(void *p, size_t bytes);
/* Asks for transparent huge pages (2 MiB) for the pages wholly inside a
 * large block (Linux's MADV_HUGEPAGE; THP in "madvise" mode gives them only
 * on request): a page fault then maps 512 pages at once, and the TLB covers
 * 512 times more of the block. Nothing is faulted in now. A hint, ignored
 * where unsupported and for blocks that hold no whole 2 MiB-aligned page.
 * For blocks read at random places (hash slots, tables by id), whose reads
 * would miss the TLB. The first write of a huge page can be slow: on this
 * project's machine, a virtual machine whose balloon gives free 8 MiB
 * blocks back to the host, a huge page mostly comes from such a block and
 * is faulted in at 0.5-0.7 GB/s, ordinary pages at 2.5 GB/s (measured; the
 * kernel compacted nothing; at other times both were fast, or both slow),
 * and elsewhere the kernel may compact memory
 * for it (the "defrag" of madvised blocks). So blocks written and read in
 * order (the journeys' build, the columns an import fills) do without it
 * (issue 14); the hash slots keep it (without it an import of 10^7
 * interactions took 1-3% longer). The one such hint of the library.
 * (imp14, with cxi_prefault) */
void cxi_hugepages(void *p, size_t bytes);
/* cxi_hugepages, then cxi_prefault: a block read at random, faulted in
 * whole at once. */
void cxi_prefault_huge(void *p, size_t bytes);

/* ---- growable columns ------------------------------------------------ */

/* One column of a table: its own capacity, so that a failed growth of one
 * column never leaves another with a capacity it does not record. */
typedef struct cxi_col {
    void *data;
    size_t cap;
    size_t elem;
} cxi_col;

/* Makes every column hold at least `need` rows; CX_ENOMEM leaves the
 * columns' contents as they were. */
int cxi_cols_reserve(cxi_mem *m, cxi_col *cols, int ncols, size_t need);
void cxi_cols_free(cxi_mem *m, cxi_col *cols, int ncols);
/* Gives back the room of the columns beyond their first n rows (1 when n
 * is 0); a column the allocator cannot shrink keeps its room. Returns the
 * smallest capacity left (0 without columns). */
size_t cxi_cols_trim(cxi_mem *m, cxi_col *cols, int ncols, size_t n);
/* How a column of 4 bytes a row becomes one of 8 (issue 14: a narrow
 * column widened on demand): uint32_t to int64_t (interactions' duration_ms,
 * cxi_icol), uint32_t seconds to int64_t milliseconds (the times of events,
 * cxi_icol), or int32_t cents c to the double (double)c / 100.0 (the
 * columns in cents, cxi_vcol). */
typedef enum cxi_widen { CXI_WIDEN_U32, CXI_WIDEN_SECONDS, CXI_WIDEN_CENTS } cxi_widen;

/* The double cents c stand for (the columns in cents, cxi_vcol). */
static inline double cxi_cents_value(int32_t c) { return (double)c / 100.0; }

/* The 8 bytes of a 4-byte value (its bytes in `narrow`) widened as `how`:
 * for the column's rows and for the old values an undo log holds. */
static inline uint64_t cxi_widen_bits(uint32_t narrow, cxi_widen how)
{
    uint64_t out;
    if (how == CXI_WIDEN_CENTS) {
        int32_t c;
        memcpy(&c, &narrow, sizeof c);
        double d = cxi_cents_value(c);
        memcpy(&out, &d, sizeof out);
    } else {
        int64_t v = how == CXI_WIDEN_SECONDS ? (int64_t)narrow * 1000 : (int64_t)narrow;
        memcpy(&out, &v, sizeof out);
    }
    return out;
}

/* Turns a column of 4 bytes a row into one of 8 of the same capacity, its
 * first n values widened as `how`. CX_ENOMEM leaves it as it was. */
int cxi_col_widen(cxi_mem *m, cxi_col *c, size_t n, cxi_widen how);

/* Columns of codes (set codes, row numbers) stored in 1, 2 or 4 bytes a row
 * (issue 14: small dictionary ids): a value is kept in the low bytes, and
 * the all-ones value of the width stands for CXI_NONE, so a width holds the
 * values below its all-ones value. Writing truncates (CXI_NONE becomes all
 * ones); the writer widens the column first when a value needs it
 * (cxi_code_width, cxi_col_recode). A u32 column read through these is read
 * as it is. */
typedef struct cxi_codes {
    const void *data;
    size_t elem; /* 1, 2 or 4; 0: data is a cxi_sparse */
} cxi_codes;

/* A column most of whose rows hold one value, kept sparse (issue 14,
 * cx_store_compact): a bit for each row that holds another, and those
 * rows' values in row order, at the column's width elem (1, 2 or 4 bytes:
 * codes, all ones for none, or int32 cents as their bits), read as
 * cxi_codes_at reads a column. rank[i]: the bits set before word 8 * i, so
 * a row is read in at most 8 popcounts. */
typedef struct cxi_sparse {
    uint64_t *bits;
    uint32_t *rank;
    void *vals;
    uint32_t common;
    size_t n, nvals, elem;
} cxi_sparse;

/* Row `row` of codes `elem` bytes wide (1, 2 or 4), CXI_NONE for the
 * all-ones value of the width: a test per width, no jump table; none
 * without a branch (cxi_codes_at, and the values of a sparse column). */
static inline uint32_t cxi_code_at_width(const void *data, size_t elem, size_t row)
{
    uint32_t v;
    if (elem == 1) {
        v = ((const uint8_t *)data)[row];
        return v | (uint32_t)-(int32_t)(v == 0xFFu);
    }
    if (elem == 2) {
        v = ((const uint16_t *)data)[row];
        return v | (uint32_t)-(int32_t)(v == 0xFFFFu);
    }
    return ((const uint32_t *)data)[row];
}

static inline uint32_t cxi_sparse_at(const cxi_sparse *sp, size_t row)
{
    size_t w = row >> 6;
    uint64_t word = sp->bits[w], bit = (uint64_t)1 << (row & 63);
    if (!(word & bit))
        return sp->common;
    size_t r = sp->rank[w >> 3];
    for (size_t k = w & ~(size_t)7; k < w; k++)
        r += (size_t)__builtin_popcountll(sp->bits[k]);
    r += (size_t)__builtin_popcountll(word & (bit - 1));
    return cxi_code_at_width(sp->vals, sp->elem, r);
}

/* Rows [from, from + n) of a sparse column into out. */
void cxi_sparse_read(const cxi_sparse *sp, size_t from, size_t n, uint32_t *out);
/* The first n rows of column c (codes, or cents read as u32 with elem 4)
 * as a sparse column around their commonest value (a majority vote), when
 * that takes half the bytes of the column or fewer (reading a row costs a
 * few more operations); NULL when it would not, or out of memory (not
 * reported). */
cxi_sparse *cxi_sparse_of(cxi_mem *m, cxi_codes c, size_t n);
/* The bytes of a sparse column. */
size_t cxi_sparse_bytes(const cxi_sparse *sp);
/* Its rows written into the column `into` (elem bytes a row, room for n
 * rows: codes truncated to the width as cxi_code_put writes them). */
void cxi_sparse_write(const cxi_sparse *sp, void *into);
void cxi_sparse_free(cxi_mem *m, cxi_sparse *sp);

static inline cxi_codes cxi_codes_of(const cxi_col *c)
{
    cxi_codes r = {c->data, c->elem};
    return r;
}

/* The value at `row`, CXI_NONE for the all-ones value of the width. */
static inline uint32_t cxi_codes_at(cxi_codes c, size_t row)
{
    if (CXI_UNLIKELY(c.elem == 0))
        return cxi_sparse_at((const cxi_sparse *)c.data, row);
    return cxi_code_at_width(c.data, c.elem, row);
}

/* The address of the value at `row` (for a prefetch). */
static inline const void *cxi_codes_addr(cxi_codes c, size_t row)
{
    return (const char *)c.data + row * c.elem;
}

/* A chunk for cxi_codes_read: 1 KiB of u32 values, on the stack. */
#define CXI_CODES_CHUNK 256

/* Rows [from, from + n) into out as u32 values (CXI_NONE for none): for hot
 * loops, which read a chunk at a time with one dispatch on the width. */
void cxi_codes_read(cxi_codes c, size_t from, size_t n, uint32_t *out);

/* The bytes a row needs to hold v: 1, 2 or 4. */
static inline size_t cxi_code_width(uint32_t v)
{
    return v == CXI_NONE || v < 0xFFu ? 1 : v < 0xFFFFu ? 2 : 4;
}

/* Writes v at `row` (the column is wide enough: cxi_code_width(v) <= elem). */
static inline void cxi_code_put(cxi_col *c, size_t row, uint32_t v)
{
    switch (c->elem) {
    case 1: ((uint8_t *)c->data)[row] = (uint8_t)v; break;
    case 2: ((uint16_t *)c->data)[row] = (uint16_t)v; break;
    default: ((uint32_t *)c->data)[row] = v; break;
    }
}

/* Makes a code column `elem` bytes a row (wider than it is) with the same
 * capacity, its first n values kept. CX_ENOMEM leaves it as it was. */
int cxi_col_recode(cxi_mem *m, cxi_col *c, size_t n, size_t elem);
/* Makes a code column `elem` bytes a row (narrower than it is: every one
 * of its first n values fits) in place, its capacity in rows grown to what
 * its block holds; never fails. */
void cxi_col_narrow_codes(cxi_col *c, size_t n, size_t elem);

/* ---- string interner ------------------------------------------------- */

/* Interned strings get dense ids 0, 1, 2, ... in insertion order and never
 * move (they live in fixed blocks), so pointers to them stay valid.
 *
 * Compact (issue 14): a string costs its bytes, a NUL, one length byte
 * (five from 255 bytes on), a 4-byte reference and two 4-byte hash slots
 * at most. A reference is (block index << 16) + offset: blocks hold at
 * most 64 KiB each, except a block made for a larger reservation, which
 * takes one index per 64 KiB it spans (blocks[] then holds pointers into
 * it, with block_sizes 0). So a pool holds at most 4 GiB of strings.
 * A hash slot holds id + 1 in its low bits (ids stay below nslots)
 * and, above them, the same bits of the string's 32-bit hash as a tag,
 * so a probe reads a string only when the tag matches. The slots are at
 * most 9/16 full, 13/16 up to a count given to cxi_pool_presize.
 *
 * Uniform mode: a pool marked `exact` (its callers reserve the very length
 * they add) whose strings all have one length below 254 bytes, such as
 * ids "C-100001", keeps no references at all: string k sits at a position
 * computed from k, its blocks being filled whole; block b holds 1 KiB << b
 * for b < 6, else 64 KiB, whichever run it serves.
 *
 * Outliers: a string of another length (or of 254 bytes or more) that
 * comes alone, at any place (ids "I-1000000" among a million "I-123456"
 * shuffled), keeps its place in the run, which then holds the marker
 * CXI_POOL_OUT instead of a length byte and a reference (as above, but
 * into the pool's own out-of-line blocks xblocks[]) to the string, stored
 * there as in the references mode. cxi_pool_str reads that byte only when
 * the pool has outliers. The run's strings need 4 bytes or more (stride >= 6).
 * Outliers cost their place in the run, references 4 bytes a string: the
 * mode keeps CXI_POOL_OUT_MIN outliers, and more while they take less than
 * the references would (outliers * stride < 4 * strings; 10^7 ids, one
 * in ten of 8 bytes among 9-byte ones, keep the mode). A lookup of an
 * outlier reads one line more; of any string with references too.
 *
 * Padding: a string up to CXI_POOL_PAD_MAX bytes shorter than its run's
 * sits in its place all the same (its length byte, its bytes, its NUL,
 * then zeroes), so ids "I-999999" among 9 million "I-1234567" shuffled
 * cost a byte each, not a place and an out-of-line copy; the padding
 * costs less than the 4-byte references of the references mode. Only a
 * longer string, or a shorter one beyond that, is an outlier.
 *
 * Runs: after CXI_POOL_STREAK outliers in a row of one new length, a string
 * of that length starts a new run of strings of its length, in a new
 * block (ids "I-999999" then "I-1000000" sorted), up to CXI_POOL_RUNS runs,
 * and so does a string up to CXI_POOL_PAD_MAX bytes longer than the run's
 * once such strings are CXI_POOL_STREAK or more since the run started and
 * the run's strings would cost less padded than they do out of line (ids
 * of 8 and 9 bytes shuffled half and half: the shorter ones padded after
 * the first few dozen, where one of them came first),
 * each of CXI_POOL_RUN_MIN strings or more unless its blocks were small
 * (below index 6). A run of strings too short for outliers starts the
 * new run at once. Otherwise the reservation (which can fail) writes the
 * references of the strings before it (the out-of-line blocks then join
 * the blocks) and leaves the mode. */
#define CXI_POOL_RUNS 8
#define CXI_POOL_RUN_MIN 256
#define CXI_POOL_STREAK 32
#define CXI_POOL_OUT 0xFE
#define CXI_POOL_OUT_MIN 64
#define CXI_POOL_PAD_MAX 3
/* Uniform mode: does a string of `len` bytes sit in a place of `stride`
 * bytes (its own length, or padded)? */
static inline bool cxi_pool_in_place(size_t len, size_t stride)
{
    return len + 2 <= stride && stride - (len + 2) <= CXI_POOL_PAD_MAX;
}
#define CXI_POOL_BLOCK_SHIFT 16
typedef struct cxi_pool {
    cxi_col strs;     /* uint32_t ref[id]: where the string starts (see above); its
                         length is in the byte before it (0xFF: in the 4 bytes
                         before that), a NUL follows it */
    uint32_t count;
    uint32_t *slots;  /* open addressing: (hash & ~(nslots - 1)) | (id + 1); 0 for empty */
    uint32_t nslots;  /* power of two, or 0 */
    uint32_t hint;    /* the count cxi_pool_presize sized the slots for (fuller up to it) */
    char *block;      /* the block being filled, which starts at index `cur` */
    size_t block_used, block_cap;
    uint32_t cur;
    char **blocks;       /* by index; a large block spans several (see above) */
    size_t *block_sizes; /* allocated size at a block's first index, else 0 */
    size_t nblocks, blocks_cap;
    bool exact;          /* may use uniform mode (set by the owner; kept by cxi_pool_free) */
    uint8_t nruns;       /* uniform mode: its runs (> 0); 0: references */
    struct cxi_pool_run {
        uint32_t id;     /* its first string */
        uint32_t block;  /* its first block */
        uint32_t first;  /* strings in its blocks below index 6 (0 when it starts above) */
        uint32_t per;    /* strings in a 64 KiB block */
        uint16_t stride; /* 1 + length + 1 bytes a string */
    } runs[CXI_POOL_RUNS];
    /* uniform mode's outliers (see above): their strings, in blocks as the
     * references mode's (1 KiB, 2 KiB ... 64 KiB, or larger spanning several
     * indices); indices and blocks share the 4 GiB of references */
    uint32_t nouts;      /* outliers among the strings */
    uint32_t xlast, xstreak, xlen; /* the last outlier, how many in a row end there, its length */
    uint32_t xgrow;      /* outliers up to CXI_POOL_PAD_MAX bytes longer than the run's strings, since it started */
    char **xblocks;
    size_t *xsizes;      /* as block_sizes */
    size_t nx, xcap;
    uint32_t xcur;       /* the out-of-line block being filled (when nx > 0) */
    size_t xused, xfill;
} cxi_pool;

void cxi_pool_init(cxi_pool *p);
void cxi_pool_free(cxi_mem *m, cxi_pool *p);
/* CXI_NONE when absent. */
uint32_t cxi_pool_find(const cxi_pool *p, const char *s, size_t len);
/* Makes room for `nstr` new strings of `bytes` bytes in all, so that the next
 * cxi_pool_add calls within that budget cannot fail. */
int cxi_pool_reserve(cxi_mem *m, cxi_pool *p, uint32_t nstr, size_t bytes);
/* Sizes the hash slots (and, for a pool keeping references, the references)
 * for `nstr` more strings, so that adding them rehashes nothing: a hint for
 * an import that knows its size. Up to that count the slots may be 13/16
 * full (9/16 otherwise: base.c, pool_over). Reserves no string bytes (cxi_pool_reserve
 * still precedes each add). CX_ENOMEM leaves the pool as it was; a count
 * beyond the pool's limits is ignored. */
int cxi_pool_presize(cxi_mem *m, cxi_pool *p, uint32_t nstr);
/* Adds a string known to be absent, within a reservation. */
uint32_t cxi_pool_add(cxi_pool *p, const char *s, size_t len);
/* The same with the string's hash, (uint32_t)cxi_hash(s, len), already known. */
uint32_t cxi_pool_find_hashed(const cxi_pool *p, const char *s, size_t len, uint32_t h);
/* The same through hash slots of the pool's strings kept apart from it
 * (cxi_pool_index_new); CXI_NONE when nslots is 0. */
uint32_t cxi_pool_find_in(const cxi_pool *p, const uint32_t *slots, uint32_t nslots, const char *s, size_t len,
                          uint32_t h);
/* The same by reading every string in order: no slots needed, none read. */
uint32_t cxi_pool_scan(const cxi_pool *p, const char *s, size_t len);

/* The hash slots are an index the pool can do without while it is only
 * read (issue 14: cx_store_compact): cxi_pool_drop_index frees them (a
 * pool with strings then has nslots 0, and its finds find nothing: its
 * owner looks strings up through slots it keeps apart, or by
 * cxi_pool_scan); cxi_pool_index_new builds slots of the pool's strings,
 * at most 13/16 full, without changing the pool (CX_ENOMEM, not reported);
 * cxi_pool_take_index gives such slots (built from the pool as it is) back
 * to the pool. cxi_pool_reserve and cxi_pool_presize also build them again
 * (9/16 full), and truncations of a pool without slots keep it without. */
void cxi_pool_drop_index(cxi_mem *m, cxi_pool *p);
int cxi_pool_index_new(cxi_mem *m, const cxi_pool *p, uint32_t **slots, uint32_t *nslots);
void cxi_pool_take_index(cxi_pool *p, uint32_t *slots, uint32_t nslots);
static inline bool cxi_pool_indexed(const cxi_pool *p) { return p->nslots != 0 || p->count == 0; }
uint32_t cxi_pool_add_hashed(cxi_pool *p, const char *s, size_t len, uint32_t h);
/* find, else reserve + add. */
int cxi_pool_intern(cxi_mem *m, cxi_pool *p, const char *s, size_t len, uint32_t *id);

/* Forgets every string with an id >= count (a rollback); allocates nothing.
 * Truncating to 0 also gives the string blocks back. */
void cxi_pool_truncate(cxi_mem *m, cxi_pool *p, uint32_t count);
/* Forgets the last string added (count > 0), in time independent of the
 * pool's size, unlike cxi_pool_truncate which rebuilds the hash slots; its
 * bytes are given back to the block when nothing was added after it. */
void cxi_pool_drop_last(cxi_pool *p);

/* a[0..n) == b[0..n), inline for the short ids and names the lookups
 * compare (memcmp is a call): overlapping word loads, no byte beyond n. */
static inline bool cxi_bytes_eq(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a0, b0, a1, b1;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8);
        memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t a0, b0, a1, b1;
        memcpy(&a0, a, 4);
        memcpy(&b0, b, 4);
        memcpy(&a1, a + n - 4, 4);
        memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n < 4) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return false;
        return true;
    }
    return memcmp(a, b, n) == 0;
}

/* Uniform mode: the block and the offset of the length byte of string k,
 * and the bytes of its block the run fills (*fill). */
static inline void cxi_pool_upos(const cxi_pool *p, uint32_t k, uint32_t *block, size_t *off, size_t *fill)
{
    const struct cxi_pool_run *r = &p->runs[p->nruns - 1];
    while (k < r->id)
        r--;
    size_t stride = r->stride;
    k -= r->id;
    if (k >= r->first) {
        k -= r->first;
        *block = (r->first ? 6 : r->block) + k / r->per;
        *off = (size_t)(k % r->per) * stride;
        *fill = (size_t)r->per * stride;
        return;
    }
    uint32_t b = r->block, per;
    for (;; b++) {
        per = (uint32_t)(((size_t)1024 << b) / stride);
        if (k < per)
            break;
        k -= per;
    }
    *block = b;
    *off = (size_t)k * stride;
    *fill = (size_t)per * stride;
}

/* Uniform mode: where string k's place starts (its length byte, or CXI_POOL_OUT). */
static inline const char *cxi_pool_place(const cxi_pool *p, uint32_t k)
{
    uint32_t b;
    size_t off, fill;
    cxi_pool_upos(p, k, &b, &off, &fill);
    return p->blocks[b] + off;
}
static inline const char *cxi_pool_str(const cxi_pool *p, uint32_t id)
{
    if (CXI_LIKELY(p->nruns == 0)) {
        uint32_t ref = ((const uint32_t *)p->strs.data)[id];
        return p->blocks[ref >> CXI_POOL_BLOCK_SHIFT] + (ref & ((1u << CXI_POOL_BLOCK_SHIFT) - 1));
    }
    const char *at = cxi_pool_place(p, id);
    if (p->nouts && (unsigned char)at[0] == CXI_POOL_OUT) {
        uint32_t ref;
        memcpy(&ref, at + 1, sizeof ref);
        return p->xblocks[ref >> CXI_POOL_BLOCK_SHIFT] + (ref & ((1u << CXI_POOL_BLOCK_SHIFT) - 1));
    }
    return at + 1;
}
static inline uint32_t cxi_pool_len(const cxi_pool *p, uint32_t id)
{
    const unsigned char *s = (const unsigned char *)cxi_pool_str(p, id);
    if (s[-1] != 0xFF)
        return s[-1];
    uint32_t len;
    memcpy(&len, s - 1 - sizeof len, sizeof len);
    return len;
}
/* For readers that prefetch: the hash slot a string of hash h is first
 * looked for in, and the id of the first slot from there on whose tag is
 * h's, among the next `span` slots before an empty one (else CXI_NONE:
 * the string is absent or further on). A slot taken by another string
 * moves a string past its home in a table 9/16 to 13/16 full often
 * (linear probing): a third of the lookups of 10^7 ids read the next slot,
 * most often in the same cache line. nslots > 0, span > 0. */
static inline const uint32_t *cxi_pool_home(const cxi_pool *p, uint32_t h)
{
    return &p->slots[h & (p->nslots - 1)];
}
static inline uint32_t cxi_pool_probe_id(const cxi_pool *p, uint32_t h, unsigned span)
{
    uint32_t mask = p->nslots - 1, tag = h & ~mask;
    for (uint32_t i = h & mask; span--; i = (i + 1) & mask) {
        uint32_t v = p->slots[i];
        if (!v)
            break;
        if ((v & ~mask) == tag)
            return (v & mask) - 1;
    }
    return CXI_NONE;
}
/* Where the reference of string `id` is, or in uniform mode its place
 * (for a prefetch: reads nothing). */
static inline const void *cxi_pool_ref_at(const cxi_pool *p, uint32_t id)
{
    if (p->nruns)
        return cxi_pool_place(p, id);
    return &((const uint32_t *)p->strs.data)[id];
}

/* ---- u64 -> u32 map -------------------------------------------------- */

typedef struct cxi_map {
    uint64_t *keys;
    uint32_t *vals;  /* CXI_NONE marks an empty slot */
    size_t nslots;   /* power of two, or 0 */
    size_t count;
} cxi_map;

void cxi_map_init(cxi_map *m);
void cxi_map_free(cxi_mem *mem, cxi_map *m);
uint32_t cxi_map_get(const cxi_map *m, uint64_t key);
/* Makes room for one more key so that cxi_map_put cannot fail. */
int cxi_map_reserve(cxi_mem *mem, cxi_map *m, size_t extra);
void cxi_map_put(cxi_map *m, uint64_t key, uint32_t val);
/* The same, giving the key's previous value (CXI_NONE when it had none). */
uint32_t cxi_map_exchange(cxi_map *m, uint64_t key, uint32_t val);
/* Removes the entries for which drop(ctx, key, val) is true; allocates nothing. */
void cxi_map_remove_if(cxi_map *m, bool (*drop)(void *ctx, uint64_t key, uint32_t val), void *ctx);

#endif
