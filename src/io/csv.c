/*
 * CSV import (RFC 4180). The file is read in large chunks; each record is
 * scanned once to find its fields, which are cut NUL-terminated where they
 * lie (the common unquoted record; the bytes are put back for the reject
 * file) or copied unquoted. A chunk's whole records make a block, stored in
 * file order; with two threads (cx_import_options_set_threads()) a worker
 * reads and scans the next block while the caller stores the last, and
 * takes on what it can of the storing: the hashes of the keys, the times
 * and numbers converted (convert_ahead), the pages of the table's columns
 * faulted in (populate_ahead). Memory is bounded by a few chunks and the
 * longest record.
 */
#define _DEFAULT_SOURCE /* madvise (populate_ahead) */
#define _POSIX_C_SOURCE 200809L /* pthreads */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "import.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CHUNK (1u << 20)

typedef struct reader {
    FILE *f;
    cxi_mem *mem; /* the import's: the buffer's memory */
    char *buf;
    size_t cap, len, pos;
    bool eof;
    uint64_t line; /* line number at buf[pos] */
#if defined(__SSE2__)
    /* scan_fast's bit masks of the 64-byte block at buf[blk]: which bytes
     * end a field (delimiter, line feed) and which need the general scan
     * (quote, carriage return, NUL). blk is SIZE_MAX when none is held. */
    size_t blk;
    uint64_t ends, lf, odd; /* ends: delimiters and line feeds; lf: line feeds */
#endif
} reader;

/* Reads more input, keeping buf[pos..len). Returns CX_OK, or CX_EIO/CX_ENOMEM. */
static int fill(reader *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : CHUNK;
        char *nb = cxi_realloc(r->mem, r->buf, r->cap, ncap);
        if (!nb)
            return CX_ENOMEM;
        r->buf = nb;
        r->cap = ncap;
    }
#if defined(__SSE2__)
    r->blk = SIZE_MAX; /* the bytes moved */
#endif
    size_t got = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
    r->len += got;
    if (got == 0) {
        if (ferror(r->f))
            return CX_EIO;
        r->eof = true;
    }
    return CX_OK;
}

typedef struct span {
    size_t start, len;
    bool quoted;
} span;

enum scan { SCAN_OK, SCAN_MORE, SCAN_NONE, SCAN_BAD };

typedef struct record {
    span f[CXI_MAX_FIELDS + 1];
    int n;
    size_t end;      /* offset just past the record's line end */
    size_t raw_len;  /* bytes of the record without its line end */
    uint64_t lines;  /* line breaks inside the record, the last one included */
    const char *error;
    size_t error_field;
} record;

/* The first byte of b[i..n) that ends or spoils an unquoted field (the
 * delimiter, a line feed, a quote or a NUL), or n: 16 bytes at a time with
 * SSE2, else 8 at a time in a 64-bit word (little-endian), then bytewise. */
static inline size_t find_special(const char *b, size_t i, size_t n, int delim)
{
#if defined(__SSE2__)
    const __m128i vd = _mm_set1_epi8((char)delim), vn = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"'),
                  vz = _mm_setzero_si128();
    while (n - i >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vn)),
                                 _mm_or_si128(_mm_cmpeq_epi8(x, vq), _mm_cmpeq_epi8(x, vz)));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t wd = ones * (unsigned char)delim, wn = ones * '\n', wq = ones * '"';
#define HASZERO(x) (((x) - ones) & ~(x) & highs) /* the lowest flagged byte is exact */
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        uint64_t m = HASZERO(w ^ wd) | HASZERO(w ^ wn) | HASZERO(w ^ wq) | HASZERO(w);
        if (m)
            return i + (size_t)(__builtin_ctzll(m) >> 3);
        i += 8;
    }
#undef HASZERO
#endif
    for (; i < n; i++) {
        char c = b[i];
        if (c == delim || c == '\n' || c == '"' || c == '\0')
            return i;
    }
    return n;
}

/* Scans one record at r->pos. SCAN_MORE asks for more input first. A
 * malformed record is scanned to its end (SCAN_BAD, with rec->error) so the
 * next one can be read. */
static enum scan scan(const reader *r, int delim, record *rec)
{
    const char *b = r->buf;
    size_t i = r->pos, n = r->len;
    rec->n = 0;
    rec->lines = 0;
    rec->error = NULL;
    if (i == n)
        return r->eof ? SCAN_NONE : SCAN_MORE;
    for (;;) {
        span *sp = &rec->f[rec->n < CXI_MAX_FIELDS ? rec->n : CXI_MAX_FIELDS];
        if (rec->n == CXI_MAX_FIELDS && !rec->error) {
            rec->error = "more fields than supported";
            rec->error_field = CXI_MAX_FIELDS;
        }
        if (i < n && b[i] == '"') {
            sp->quoted = true;
            sp->start = i + 1;
            size_t j = i + 1;
            for (;;) {
                const char *q = memchr(b + j, '"', n - j);
                if (!q) {
                    if (!r->eof)
                        return SCAN_MORE;
                    for (size_t k = j; k < n; k++)
                        rec->lines += b[k] == '\n';
                    rec->error = rec->error ? rec->error : "unterminated quoted field";
                    rec->error_field = (size_t)rec->n;
                    rec->n++;
                    rec->end = rec->raw_len = n - r->pos;
                    return SCAN_BAD;
                }
                size_t k = (size_t)(q - b);
                for (size_t m = j; m < k; m++)
                    rec->lines += b[m] == '\n';
                if (k + 1 == n && !r->eof)
                    return SCAN_MORE;
                if (k + 1 < n && b[k + 1] == '"') {
                    j = k + 2;
                    continue;
                }
                sp->len = k - sp->start;
                i = k + 1;
                break;
            }
            if (i < n && b[i] != delim && b[i] != '\n' && !(b[i] == '\r' && (i + 1 == n || b[i + 1] == '\n'))) {
                if (!rec->error) {
                    rec->error = "text after a closing quote";
                    rec->error_field = (size_t)rec->n;
                }
                /* skip to the next delimiter or line end */
                while (i < n && b[i] != delim && b[i] != '\n')
                    i++;
                if (i == n && !r->eof)
                    return SCAN_MORE;
            }
            if (i == n - 1 && b[i] == '\r' && !r->eof)
                return SCAN_MORE;
        } else {
            sp->quoted = false;
            sp->start = i;
            while ((i = find_special(b, i, n, delim)) < n) {
                char c = b[i];
                if (c == delim || c == '\n')
                    break;
                if (!rec->error) { /* a quote or a NUL */
                    rec->error = c == '"' ? "a quote inside an unquoted field" : "a NUL byte in a field";
                    rec->error_field = (size_t)rec->n;
                }
                i++;
            }
            if (i == n && !r->eof)
                return SCAN_MORE;
            sp->len = i - sp->start;
            if (sp->len && b[i - 1] == '\r' && (i == n || b[i] == '\n'))
                sp->len--; /* CRLF */
        }
        rec->n++;
        if (i < n && b[i] == delim) {
            i++;
            continue;
        }
        /* end of record: line end or end of file */
        size_t raw_end = i;
        if (i < n && b[i] == '\r')
            i++;
        if (raw_end > r->pos && b[raw_end - 1] == '\r' && i < n && b[i] == '\n')
            raw_end--;
        if (i < n && b[i] == '\n') {
            i++;
            rec->lines++;
        }
        rec->raw_len = raw_end - r->pos;
        rec->end = i - r->pos;
        if (rec->n > CXI_MAX_FIELDS)
            rec->n = CXI_MAX_FIELDS + 1;
        return rec->error ? SCAN_BAD : SCAN_OK;
    }
}

#if defined(__SSE2__)
/* The masks of the 64-byte block at b + base, held in r. */
static inline void block_masks(reader *r, const char *b, size_t base, int delim)
{
    const __m128i vd = _mm_set1_epi8((char)delim), vl = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"'),
                  vr = _mm_set1_epi8('\r'), vz = _mm_setzero_si128();
    uint64_t d = 0, l = 0, o = 0;
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + base + 16 * k));
        d |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) << (16 * k);
        l |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vl)) << (16 * k);
        __m128i odd = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vq), _mm_cmpeq_epi8(x, vr)), _mm_cmpeq_epi8(x, vz));
        o |= (uint64_t)(unsigned)_mm_movemask_epi8(odd) << (16 * k);
    }
    r->ends = d | l;
    r->lf = l;
    r->odd = o;
    r->blk = base;
}

/* Puts back the bytes scan_fast overwrote with the terminators of fields
 * [0, n): a delimiter after each but the last, `last_end` after that one
 * (the line feed of a whole record, before it is written to the reject
 * file). */
static void unterminate(char *const *fields, int n, int delim, int last_end)
{
    for (int k = 0; k < n; k++)
        if (fields[k])
            fields[k][strlen(fields[k])] = (char)(k + 1 < n ? delim : last_end);
}

/* The common record, scanned with bit masks of 64 bytes at a time instead
 * of a search per field: unquoted fields, no carriage return or NUL, the
 * whole record within the complete 64-byte blocks of the buffer. Its fields
 * are NUL-terminated where they lie (each ends at a delimiter or at the
 * line feed) and pointed to from fields[] (NULL when empty), instead of
 * being copied; unterminate() puts the bytes back. Anything else (and a
 * record of more than CXI_MAX_FIELDS fields) returns false, the buffer as
 * it was, and is left to scan(), which reads it as the general path always
 * has. */
static bool scan_fast(reader *r, int delim, record *rec, char **fields)
{
    char *b = r->buf;
    size_t start = r->pos, n = r->len, base = start & ~(size_t)63;
    int k = 0;
    if (base + 64 > n)
        return false;
    if (base != r->blk)
        block_masks(r, b, base, delim);
    /* the field ends and odd bytes from the record's first byte on; each
     * field end found is cleared from e */
    uint64_t from = ~0ull << (start & 63), e = r->ends & from, o = r->odd & from;
    for (;;) {
        if (!e) {
            if (o) /* a quote, CR or NUL in the field */
                goto general;
            base += 64; /* the field goes on in the next block */
            if (base + 64 > n)
                goto general;
            block_masks(r, b, base, delim);
            e = r->ends;
            o = r->odd;
            continue;
        }
        unsigned t = (unsigned)__builtin_ctzll(e);
        if ((o & ((2ull << t) - 1)) || k == CXI_MAX_FIELDS)
            goto general;
        size_t j = base + t;
        if (j > start) {
            fields[k++] = b + start;
            b[j] = '\0';
        } else {
            fields[k++] = NULL;
        }
        if (r->lf & (1ull << t)) {
            rec->n = k;
            rec->lines = 1;
            rec->error = NULL;
            rec->raw_len = j - r->pos;
            rec->end = j + 1 - r->pos;
            return true;
        }
        start = j + 1;
        e &= e - 1;
    }
general: /* the k fields terminated so far all ended at a delimiter */
    unterminate(fields, k, delim, delim);
    return false;
}
#endif

/* Copies the fields of a record scanned by scan(), unquoted and
 * NUL-terminated, to `out`, which holds at least rec->end + rec->n + 1
 * bytes. An empty unquoted field is missing (NULL); an empty quoted one is
 * "". */
static void copy_into(const reader *r, const record *rec, char *out, char **fields)
{
    for (int k = 0; k < rec->n && k < CXI_MAX_FIELDS; k++) {
        const span *sp = &rec->f[k];
        const char *src = r->buf + sp->start;
        if (!sp->quoted && sp->len == 0) {
            fields[k] = NULL;
            continue;
        }
        fields[k] = out;
        if (sp->quoted) {
            for (size_t m = 0; m < sp->len; m++) {
                *out++ = src[m];
                if (src[m] == '"')
                    m++; /* "" stands for " */
            }
        } else {
            memcpy(out, src, sp->len);
            out += sp->len;
        }
        *out++ = '\0';
    }
}

/* copy_into() a row buffer grown to fit. */
static int copy_fields(const reader *r, const record *rec, char **row, size_t *rowcap, char **fields)
{
    size_t need = rec->end + (size_t)rec->n + 1;
    if (need > *rowcap) {
        char *nr = cxi_realloc(r->mem, *row, *rowcap, need);
        if (!nr)
            return CX_ENOMEM;
        *row = nr;
        *rowcap = need;
    }
    copy_into(r, rec, *row, fields);
    return CX_OK;
}

/* Sizes the table's columns once for the whole file, from the file size and
 * the length of the rows in the first chunk, instead of growing them step
 * by step (each step copies the columns), and the hash table of the
 * table's ids once (cxi_store_reserve_ids). Only a hint: a wrong guess
 * costs memory, not correctness; untouched column capacity costs none, the
 * ids' hash slots are written whole (8 to 16 bytes an estimated row, which
 * the file's own rows outweigh). */
static void reserve_estimate(cxi_import *im, const reader *rd, int delim)
{
    long cur = ftell(rd->f), size;
    if (cur < 0 || fseek(rd->f, 0, SEEK_END) != 0)
        return;
    size = ftell(rd->f);
    if (fseek(rd->f, cur, SEEK_SET) != 0 || size <= 0)
        return; /* not a regular file: fseek fails before anything is read */
    size_t nl = 0, bytes = rd->len - rd->pos;
    for (size_t i = rd->pos; i < rd->len; i++)
        nl += rd->buf[i] == '\n';
    if (nl < 16 || bytes == 0)
        return; /* too little to judge, or a tiny file */
    double est = (double)size / ((double)bytes / (double)nl) * 1.05;
    if (est > 1e9)
        est = 1e9;
    cx_store *s = im->store;
    if (cx_store_reserve(s, im->layout.table, (size_t)est) != CX_OK)
        return;
    /* the columns stay in ordinary pages, faulted in as they are written
     * (so that a wrong guess still costs no memory): they are written in
     * order, and huge pages can be slower to fault in (cxi_hugepages); one
     * thread's import of 10^7 interactions, shuffled, took 4.4-4.8 s CPU
     * with them and 4.1-4.2 s without (issue 14) */
    /* and the ids: their hash table sized once (no rehash as it grows),
     * with the bytes of the ids, the id field's mean length in the chunk */
    int idf = im->layout.field_of_col[cxi_id_column(im->layout.table)];
    if (idf < 0)
        return;
    size_t idbytes = 0;
    int f = 0;
    for (size_t i = rd->pos, start = i; i < rd->len; i++) {
        char c = rd->buf[i];
        if (c == delim || c == '\n') {
            if (f == idf)
                idbytes += i - start;
            f = c == '\n' ? 0 : f + 1;
            start = i + 1;
        }
    }
    cxi_store_reserve_ids(s, im->layout.table, (size_t)est, (size_t)((double)idbytes / (double)nl * est));
}

int cx_import_csv(cx_import_report **out, cx_store *store, cx_table table, const char *path,
                  const cx_import_options *opts)
{
    cxi_import im;
    int rc = cxi_import_begin(&im, "cx_import_csv", out, store, table, path, opts);
    if (!rc)
        rc = cxi_import_csv_run(&im);
    return cxi_import_end(&im, out, rc);
}

/* What the reject writer of a CSV record needs: the record as read. */
typedef struct csv_refused {
    char *raw;      /* its first byte */
    size_t raw_len; /* its bytes without the line end */
    char **fields;
    int n;
    bool in_place;
    int delim;
} csv_refused;

static void write_csv_reject(FILE *reject, uint64_t line, int column, const char *reason, void *ctx)
{
    csv_refused *x = ctx;
#if defined(__SSE2__)
    if (x->in_place) /* the fast scan cut the fields in the buffer: put them back */
        unterminate(x->fields, x->n, x->delim, '\n');
#endif
    fprintf(reject, "%llu,%d,", (unsigned long long)line, column);
    cxi_write_csv_quoted(reject, reason);
    fputc(',', reject);
    fwrite(x->raw, 1, x->raw_len, reject);
    fputc('\n', reject);
}

/* A read or allocation failure of the reader, as the import reports it. */
static int read_failure(const cxi_import *im, int rc)
{
    return rc == CX_ENOMEM ? cxi_fail(CX_ENOMEM, "%s: %s: out of memory", im->fn, im->path)
                           : cxi_fail(CX_EIO, "%s: %s: read error: %s", im->fn, im->path, strerror(errno));
}

/* Reads the header row (after an optional UTF-8 byte order mark), lays the
 * columns out and opens the reject file with the header's own text. */
static int read_header(cxi_import *im, reader *rd, int delim, record *rec, char **row, size_t *rowcap, char **fields)
{
    const char *fn = im->fn, *path = im->path;
    int rc;
    enum scan st;
    while ((st = scan(rd, delim, rec)) == SCAN_MORE || (rd->len < 3 && !rd->eof))
        if ((rc = fill(rd)))
            return read_failure(im, rc);
    if (rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0) {
        rd->pos = 3;
        while ((st = scan(rd, delim, rec)) == SCAN_MORE)
            if ((rc = fill(rd)))
                return read_failure(im, rc);
    }
    if (st == SCAN_NONE)
        return cxi_fail(CX_EPARSE, "%s: %s: the file is empty (a header row is needed)", fn, path);
    if (st == SCAN_BAD)
        return cxi_fail(CX_EPARSE, "%s: %s: line 1, column %zu: bad header: %s", fn, path, rec->error_field + 1,
                        rec->error);
    if (copy_fields(rd, rec, row, rowcap, fields))
        return cxi_fail(CX_ENOMEM, "%s: %s: out of memory", fn, path);
    for (int k = 0; k < rec->n; k++)
        if (!fields[k])
            fields[k] = (char *)"";
    if ((rc = cxi_layout_build(im, (const char *const *)fields, rec->n)) || (rc = cxi_reject_open(im)))
        return rc;
    if (im->reject) {
        fputs("_line,_column,_reason,", im->reject);
        fwrite(rd->buf + rd->pos, 1, rec->raw_len, im->reject);
        fputc('\n', im->reject);
    }
    rd->line += rec->lines;
    rd->pos += rec->end;
    reserve_estimate(im, rd, delim);
    return CX_OK;
}

/* Stores one record read whole (its fields NUL-terminated, in place in
 * the block's buffer or copied), whose first byte is `raw`, line `line`:
 * accepted, or refused into the report and the reject file. Returns what
 * ends the import. */
static int csv_record(cxi_import *im, uint64_t line, char *raw, size_t raw_len, char **fields, int n, bool in_place,
                      int delim, const cxi_preval *pre, unsigned pre_mask)
{
    im->report->read++;
    int column = 0, rc = CX_OK;
    for (int i = 0; i < n; i++) /* what a protecting writer wrote */
        if (fields[i] && fields[i][0] == '\'')
            fields[i] = (char *)cxi_csv_unprotect(fields[i]);
    im->pre = pre; /* the fields the reader converted (none begins with a quote) */
    im->pre_mask = pre_mask;
    if (!im->check_row || !(rc = im->check_row(im, fields, n, &column)))
        rc = cxi_import_row(im, fields, n, &column);
    im->pre_mask = 0;
    if (rc == CX_OK) {
        im->report->accepted++;
        if (im->flush && ++im->since_flush >= im->chunk_rows)
            return im->flush(im, false);
        return CX_OK;
    }
    csv_refused x = {raw, raw_len, fields, n, in_place, delim};
    return cxi_import_refuse(im, rc, line, column, write_csv_reject, &x);
}

/* ---- blocks of records ----------------------------------------------------
 *
 * The reading loop is two halves that meet at blocks: the producer reads
 * the file into a buffer and scans it into records and fields (quotes
 * followed, fields cut in place or copied unquoted); the consumer stores
 * the records of a block in file order. With one thread they alternate;
 * with two the producer runs in a worker on the next block while the
 * calling thread stores the last (cx_import_options_set_threads()). Both
 * run the same code on the same blocks, whose bounds depend only on the
 * file, so the store, the report and the reject file are the same. The
 * producer only reads the file and its own buffers: it never touches the
 * store or the import. */

enum { REC_IN_PLACE, REC_COPIED, REC_BAD };

/* One record of a block. */
typedef struct csv_rec {
    uint64_t line;     /* the line of its first byte */
    size_t start;      /* its first byte in the block's buffer */
    size_t raw_len;    /* its bytes without the line end */
    size_t field0;     /* its first field in the block's foff[] */
    int n;             /* its fields (CXI_MAX_FIELDS + 1: too many) */
    int kind;          /* REC_* */
    const char *error; /* REC_BAD: why (a string of scan()), at the 0-based field error_field */
    size_t error_field;
    /* what the producer worked out for the consumer (convert_ahead): the
     * hashes of its key fields (cxi_import_prefetch_keys; 0 for none) and
     * the fields it converted (cxi_import_preparse; pmask bit k: pre[k]) */
    uint32_t hash[CXI_PF_KEYS];
    unsigned pmask;
    cxi_preval pre[CXI_PRE_MAX];
} csv_rec;

#define FIELD_NONE SIZE_MAX /* a missing field in foff[] */

typedef struct csv_block {
    char *buf; /* the file's bytes the records are in (the in-place fields cut there) */
    size_t cap;
    char *arena; /* the fields of REC_COPIED records */
    size_t arena_len, arena_cap;
    csv_rec *recs;
    size_t nrecs, recs_cap;
    size_t *foff; /* each field's offset in buf (REC_IN_PLACE) or arena (REC_COPIED), or FIELD_NONE */
    size_t nf, foff_cap;
    int rc;    /* CX_OK, or the read failure that follows the records: CX_EIO, CX_ENOMEM */
    int err;   /* errno of CX_EIO */
    bool last; /* nothing follows: the end of the file, or rc */
} csv_block;

/* The pages of the table's columns the rows being read will be stored in,
 * faulted in by the worker of a two-thread import ahead of the caller
 * (populate_ahead): with the columns in huge pages (reserve_estimate),
 * zeroing them was a fifth of the storing thread's time (issue 14). A
 * snapshot of the columns taken before the worker starts: the worker
 * never reads the store's structures, only the columns' pages ahead of
 * the rows (one byte a page, csv_guard). Should the caller move a column
 * (more rows than estimated, a column widened), the worker stops reading
 * them (csv_guard) and populates the old range, which changes no byte of
 * anything (MADV_POPULATE_WRITE faults pages in without writing them) and
 * fails harmlessly on memory given back. */
typedef struct csv_populate {
    int ncols; /* 0: nothing to do */
    char *data[CXI_MAX_COLS]; /* each column's block */
    char *base[CXI_MAX_COLS]; /* the first row to come of each column */
    size_t elem[CXI_MAX_COLS];
    size_t rows; /* the rows the snapshot holds from there */
    size_t done; /* rows populated */
    size_t read; /* records the producer has read */
    struct csv_guard *guard; /* NULL: the pages are populated, not touched */
} csv_populate;

/* A page faulted in by the kernel (MADV_POPULATE_WRITE) can still cost the
 * program's first access to it: on this project's machine, a PVM guest,
 * every new page did, about 7 us each (120 MiB: 0.2 s, whether written or
 * read first; a second pass 0.008 s), which the storing thread paid as it
 * wrote the rows. So the worker also reads one byte of each page ahead of
 * the rows, in pages no row stored yet lies in (see populate_ahead). Read
 * memory must be memory the store still holds: while the worker runs, the
 * store's allocator is the guard's, which on any reallocation or release
 * of a column of the snapshot stops the touching for good, under the
 * mutex, before it passes the call on. A column moves only when the rows
 * outgrow the estimate or a column is widened. */
typedef struct csv_guard {
    cx_alloc_fn fn; /* the store's allocator, to which every call goes on */
    void *ud;
    const csv_populate *pop;
    pthread_mutex_t mu;
    bool moved; /* a column of the snapshot was reallocated or freed */
} csv_guard;

static void *guard_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    csv_guard *g = ud;
    for (int c = 0; ptr && c < g->pop->ncols; c++)
        if (ptr == g->pop->data[c]) {
            pthread_mutex_lock(&g->mu);
            g->moved = true;
            pthread_mutex_unlock(&g->mu);
            break;
        }
    return g->fn(g->ud, ptr, osize, nsize);
}

typedef struct csv_producer {
    cxi_mem mem; /* the store's allocator, counted apart: every buffer of the producer */
    reader rd;
    record *rec;
    int delim;
    csv_populate pop;
    /* what convert_ahead reads: the import's layout and plans (fixed before
     * the worker starts, never written while it runs) and its own years */
    const cxi_import *im;
    int nk, kf[CXI_PF_KEYS];
    cxi_years years;
} csv_producer;

/* The snapshot of the columns of the import's table (on the calling thread). */
static void populate_plan(csv_populate *pop, const cxi_import *im)
{
    memset(pop, 0, sizeof *pop);
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    const cxi_table *t = &im->store->t[im->layout.table];
    size_t rows = SIZE_MAX;
    int n = 0;
    for (int c = 0; c < t->ncols; c++) {
        const cxi_col *col = &t->cols[c];
        if (!col->data || col->cap <= t->n)
            continue; /* a column without room (one kept implicit, say) */
        pop->data[n] = col->data;
        pop->base[n] = (char *)col->data + t->n * col->elem;
        pop->elem[n++] = col->elem;
        if (col->cap - t->n < rows)
            rows = col->cap - t->n;
    }
    if (n == 0 || rows < 4096)
        return; /* no estimate made, or a small file: nothing worth a thread's time */
    pop->ncols = n;
    pop->rows = rows;
#else
    (void)im;
#endif
}

/* Faults in the pages of the rows up to the records read (and a block's
 * worth more, so that pages are ready a block before they are needed). */
static void populate_ahead(csv_populate *pop, size_t nrecs)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    pop->read += nrecs;
    if (!pop->ncols || pop->done >= pop->rows)
        return;
    size_t to = pop->read + nrecs;
    if (to > pop->rows)
        to = pop->rows;
    if (to <= pop->done)
        return;
    const uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
    csv_guard *g = pop->guard;
    bool touch = false;
    if (g) { /* held over the reads, which stop for good once a column moved */
        pthread_mutex_lock(&g->mu);
        touch = !g->moved;
        if (!touch)
            pthread_mutex_unlock(&g->mu);
    }
    for (int c = 0; c < pop->ncols; c++) {
        uintptr_t from = (uintptr_t)(pop->base[c] + pop->done * pop->elem[c]);
        uintptr_t upto = (uintptr_t)(pop->base[c] + to * pop->elem[c]);
        uintptr_t a = from & ~(ps - 1), e = (upto + ps - 1) & ~(ps - 1);
        if (e > a && madvise((void *)a, e - a, MADV_POPULATE_WRITE) != 0 && errno == EINVAL) {
            pop->ncols = 0; /* a kernel without it (before 5.14) */
            break;
        }
        /* one byte of each page that starts at or past row `done`: no row
         * there is stored yet (the caller stores rows of the blocks
         * handed over, all records before the one this block started
         * at), and the rows there are stored after this block is handed
         * over, under the pipe's mutex */
        for (uintptr_t q = (from + ps - 1) & ~(ps - 1); touch && q < upto; q += ps)
            (void)*(const volatile char *)q;
    }
    if (touch)
        pthread_mutex_unlock(&g->mu);
    if (pop->ncols)
        pop->done = to;
#else
    (void)pop;
    (void)nrecs;
#endif
}

static int block_reserve(csv_producer *p, csv_block *b)
{
    if (cxi_grow(&p->mem, &b->recs, &b->recs_cap, b->nrecs + 1, sizeof *b->recs) ||
        cxi_grow(&p->mem, &b->foff, &b->foff_cap, b->nf + CXI_MAX_FIELDS + 1, sizeof *b->foff))
        return CX_ENOMEM;
    return CX_OK;
}

static csv_rec *block_add(csv_block *b, const reader *rd, const record *rec, int kind)
{
    csv_rec *r = &b->recs[b->nrecs++];
    r->line = rd->line;
    r->start = rd->pos;
    r->raw_len = rec->raw_len;
    r->field0 = b->nf;
    r->n = rec->n;
    r->kind = kind;
    r->error = NULL;
    r->error_field = 0;
    r->pmask = 0;
    return r;
}

/* The producer's share of storing record r, whose fields are `fields`:
 * the hashes of its keys and its times and numbers, work the consumer
 * would otherwise do on the storing thread (issue 14: with two threads,
 * the storing thread had four times the reader's work). The same values
 * with one thread or two. */
static void convert_ahead(csv_producer *p, csv_rec *r, char *const *fields)
{
    for (int k = 0; k < p->nk; k++) {
        const char *v = p->kf[k] < r->n ? fields[p->kf[k]] : NULL;
        r->hash[k] = v ? (uint32_t)cxi_hash(v, strlen(v)) : 0;
    }
    r->pmask = p->im->pre_n ? cxi_import_preparse(p->im, &p->years, fields, r->n, r->pre) : 0;
}

/* Fills block b with the records that follow in the file: as many as the
 * reader's buffer holds whole (a record longer than the buffer grows it),
 * then hands the buffer to the block and goes on with the block's previous
 * buffer, into which it copies the bytes after the last whole record. */
static void produce(csv_producer *p, csv_block *b)
{
    reader *rd = &p->rd;
    record *rec = p->rec;
    char *fields[CXI_MAX_FIELDS + 1];
    b->nrecs = b->nf = b->arena_len = 0;
    b->rc = CX_OK;
    b->last = false;
    for (;;) {
        if (block_reserve(p, b)) {
            b->rc = CX_ENOMEM;
            break;
        }
        enum scan st;
#if defined(__SSE2__)
        if (scan_fast(rd, p->delim, rec, fields)) {
            if (rec->raw_len == 0) { /* a blank line: skipped, as the general scan would */
                rd->line += rec->lines;
                rd->pos += rec->end;
                continue;
            }
            csv_rec *r = block_add(b, rd, rec, REC_IN_PLACE);
            for (int k = 0; k < rec->n; k++)
                b->foff[b->nf++] = fields[k] ? (size_t)(fields[k] - rd->buf) : FIELD_NONE;
            convert_ahead(p, r, fields);
            rd->line += 1;
            rd->pos += rec->end;
            continue;
        }
#endif
        st = scan(rd, p->delim, rec);
        if (st == SCAN_MORE) {
            if (b->nrecs)
                break; /* the rest goes to the next block */
            int rc = fill(rd);
            if (rc) {
                b->rc = rc;
                b->err = errno;
                break;
            }
            continue;
        }
        if (st == SCAN_NONE)
            break;
        if (rec->raw_len == 0 && rec->n == 1 && !rec->f[0].quoted) { /* blank line */
            rd->line += rec->lines;
            rd->pos += rec->end;
            continue;
        }
        if (st == SCAN_BAD) {
            csv_rec *r = block_add(b, rd, rec, REC_BAD);
            r->error = rec->error;
            r->error_field = rec->error_field;
        } else {
            size_t need = rec->end + (size_t)rec->n + 1;
            if (cxi_grow(&p->mem, &b->arena, &b->arena_cap, b->arena_len + need, 1)) {
                b->rc = CX_ENOMEM;
                break;
            }
            copy_into(rd, rec, b->arena + b->arena_len, fields);
            b->arena_len += need;
            csv_rec *r = block_add(b, rd, rec, REC_COPIED);
            for (int k = 0; k < rec->n; k++)
                b->foff[b->nf++] = fields[k] ? (size_t)(fields[k] - b->arena) : FIELD_NONE;
            if (rec->n <= CXI_MAX_FIELDS)
                convert_ahead(p, r, fields);
        }
        rd->line += rec->lines;
        rd->pos += rec->end;
    }
    b->last = b->rc != CX_OK || (rd->eof && rd->pos == rd->len);
    /* the block takes the buffer; the reader goes on in the block's old one */
    size_t tail = rd->len - rd->pos;
    char *spare = b->buf;
    size_t spare_cap = b->cap;
    if (!b->last && spare_cap < rd->cap) {
        char *nb = cxi_realloc(&p->mem, spare, spare_cap, rd->cap);
        if (!nb) {
            b->rc = CX_ENOMEM;
            b->last = true;
        } else {
            spare = nb;
            spare_cap = rd->cap;
        }
    }
    if (!b->last && tail)
        memcpy(spare, rd->buf + rd->pos, tail);
    b->buf = rd->buf;
    b->cap = rd->cap;
    rd->buf = spare;
    rd->cap = spare_cap;
    rd->len = b->last ? 0 : tail;
    rd->pos = 0;
#if defined(__SSE2__)
    rd->blk = SIZE_MAX;
#endif
}

static void block_free(cxi_mem *m, csv_block *b)
{
    cxi_free(m, b->buf, b->cap);
    cxi_free(m, b->arena, b->arena_cap);
    cxi_free(m, b->recs, b->recs_cap * sizeof *b->recs);
    cxi_free(m, b->foff, b->foff_cap * sizeof *b->foff);
}

/* The batches of rows whose keys are read ahead at once: the rows of the
 * batch being stored, and of the 3 that follow, each one stage
 * (cxi_import_prefetch) further from it. */
#define PF_DEPTH 4

/* The consumer's scratch: the keys of PF_DEPTH batches of rows, what
 * reading them ahead has found, and the fields of the row being stored. */
typedef struct csv_scratch {
    int nk, kf[CXI_PF_KEYS]; /* the key fields (cxi_import_prefetch_keys) */
    const char *keys[PF_DEPTH][CXI_BATCH * CXI_PF_KEYS];
    uint32_t hashes[PF_DEPTH][CXI_BATCH * CXI_PF_KEYS];
    cxi_prefetch pf[PF_DEPTH][CXI_BATCH];
    char *fields[CXI_MAX_FIELDS + 1];
} csv_scratch;

/* Brings into the cache the CXI_BATCH records from `from` on (their bytes,
 * descriptors and field offsets), which the worker of a two-thread import
 * wrote in another core's cache: read one batch ahead, the transfers
 * overlap instead of stalling the stores one after the other. */
static void prefetch_ahead(const csv_block *b, size_t from)
{
#if defined(__GNUC__)
    if (from >= b->nrecs)
        return;
    size_t to = from + CXI_BATCH < b->nrecs ? from + CXI_BATCH : b->nrecs;
    const csv_rec *last = &b->recs[to - 1];
    const char *lo = b->buf + b->recs[from].start, *hi = b->buf + last->start + last->raw_len;
    for (const char *p = lo; p < hi; p += 64)
        __builtin_prefetch(p);
    for (const char *p = (const char *)&b->recs[from]; p < (const char *)&b->recs[to]; p += 64)
        __builtin_prefetch(p);
    for (const char *p = (const char *)&b->foff[b->recs[from].field0];
         p < (const char *)&b->foff[last->field0 + (size_t)last->n]; p += 64)
        __builtin_prefetch(p);
#else
    (void)b;
    (void)from;
#endif
}

/* The key fields of the records of batch t of block b (CXI_BATCH records
 * from t * CXI_BATCH on) for cxi_import_prefetch, NULL where a record has
 * none (a short or malformed record); returns the records in the batch. */
static size_t batch_keys(const csv_block *b, size_t t, csv_scratch *sc)
{
    size_t from = t * CXI_BATCH, n = b->nrecs - from < CXI_BATCH ? b->nrecs - from : CXI_BATCH;
    const char **kv = sc->keys[t % PF_DEPTH];
    uint32_t *hv = sc->hashes[t % PF_DEPTH];
    for (size_t i = 0; i < n; i++, kv += CXI_PF_KEYS, hv += CXI_PF_KEYS) {
        const csv_rec *q = &b->recs[from + i];
        const char *base = q->kind == REC_IN_PLACE ? b->buf : b->arena;
        for (int k = 0; k < sc->nk; k++) {
            size_t off = q->kind != REC_BAD && sc->kf[k] < q->n ? b->foff[q->field0 + (size_t)sc->kf[k]] : FIELD_NONE;
            kv[k] = off == FIELD_NONE ? NULL : base + off;
            hv[k] = q->hash[k];
        }
    }
    return n;
}

/* Stores the records of block b in order, a malformed one refused, in
 * batches of CXI_BATCH whose keys are read ahead (cxi_import_prefetch):
 * while batch t is stored, stage 4 has run on it, stage 3 on batch t + 1,
 * 2 on t + 2 and 1 on t + 3, so that each fetch has the time of a batch to
 * arrive. Returns what ends the import. */
static int consume(cxi_import *im, csv_block *b, csv_scratch *sc, int delim)
{
    int rc;
    const size_t nb = (b->nrecs + CXI_BATCH - 1) / CXI_BATCH;
    size_t cnt[PF_DEPTH] = {0};
    for (size_t t = 0; t < nb + PF_DEPTH - 1; t++) {
        if (t < nb) {
            prefetch_ahead(b, (t + 1) * CXI_BATCH);
            cnt[t % PF_DEPTH] = batch_keys(b, t, sc);
            cxi_import_prefetch(im, 1, sc->keys[t % PF_DEPTH], sc->hashes[t % PF_DEPTH], sc->pf[t % PF_DEPTH],
                                cnt[t % PF_DEPTH]);
        }
        for (size_t stage = 2; stage <= PF_DEPTH; stage++) {
            size_t j = t - (stage - 1);
            if (t >= stage - 1 && j < nb)
                cxi_import_prefetch(im, (int)stage, sc->keys[j % PF_DEPTH], NULL, sc->pf[j % PF_DEPTH],
                                    cnt[j % PF_DEPTH]);
        }
        if (t < PF_DEPTH - 1)
            continue;
        size_t j = t - (PF_DEPTH - 1);
        for (size_t i = j * CXI_BATCH, end = i + cnt[j % PF_DEPTH]; i < end; i++) {
            const csv_rec *r = &b->recs[i];
            if (r->kind == REC_BAD) {
                im->report->read++;
                rc = cxi_fail(CX_EPARSE, "%s", r->error);
                csv_refused x = {b->buf + r->start, r->raw_len, NULL, 0, false, delim};
                if ((rc = cxi_import_refuse(im, rc, r->line, (int)r->error_field + 1, write_csv_reject, &x)))
                    return rc;
                continue;
            }
            char *base = r->kind == REC_IN_PLACE ? b->buf : b->arena;
            for (int k = 0; k < r->n; k++) {
                size_t off = b->foff[r->field0 + (size_t)k];
                sc->fields[k] = off == FIELD_NONE ? NULL : base + off;
            }
            /* the hashes of its keys, computed by the reader (convert_ahead,
             * for records of up to CXI_MAX_FIELDS fields), for the store's
             * lookups of these very strings (cxi_lookup_hash) */
            const size_t q = (i - j * CXI_BATCH) * CXI_PF_KEYS;
            im->lookup.nhash = 0;
            for (int k = 0; r->n <= CXI_MAX_FIELDS && k < sc->nk && k < CXI_LOOKUP_HASHES; k++)
                if (sc->keys[j % PF_DEPTH][q + (size_t)k]) {
                    im->lookup.hkey[im->lookup.nhash] = sc->keys[j % PF_DEPTH][q + (size_t)k];
                    im->lookup.hhash[im->lookup.nhash++] = sc->hashes[j % PF_DEPTH][q + (size_t)k];
                }
            rc = csv_record(im, r->line, b->buf + r->start, r->raw_len, sc->fields, r->n, r->kind == REC_IN_PLACE,
                            delim, r->pre, r->pmask);
            im->lookup.nhash = 0;
            if (rc)
                return rc;
        }
    }
    if (b->rc) {
        errno = b->err;
        return read_failure(im, b->rc);
    }
    return CX_OK;
}

/* Two threads: the producer in a worker, NBLOCKS blocks in turn (about
 * 1 MiB each). The worker's half is the shorter: it runs ahead and waits;
 * the deeper the queue, the longer the caller can store while the worker
 * is not scheduled (a machine busy with other work). */
#define NBLOCKS 8

typedef struct csv_pipe {
    csv_producer *p;
    csv_block *blocks;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t produced, consumed; /* blocks filled by the worker, stored by the caller */
    bool stop;                 /* the caller wants no more */
} csv_pipe;

static void *worker(void *arg)
{
    csv_pipe *pp = arg;
    for (size_t k = 0;; k++) {
        pthread_mutex_lock(&pp->mu);
        while (!pp->stop && k - pp->consumed >= NBLOCKS)
            pthread_cond_wait(&pp->cv, &pp->mu);
        bool stop = pp->stop;
        pthread_mutex_unlock(&pp->mu);
        if (stop)
            break;
        csv_block *b = &pp->blocks[k % NBLOCKS];
        produce(pp->p, b);
        populate_ahead(&pp->p->pop, b->nrecs); /* (a read failure's errno is in the block) */
        bool last = b->last;
        pthread_mutex_lock(&pp->mu);
        pp->produced = k + 1;
        pthread_cond_broadcast(&pp->cv);
        pthread_mutex_unlock(&pp->mu);
        if (last)
            break;
    }
    return NULL;
}

/* Stores the blocks the worker fills, in order. */
static int run_pipe(cxi_import *im, csv_pipe *pp, csv_scratch *sc, int delim)
{
    int rc = CX_OK;
    for (size_t k = 0;; k++) {
        pthread_mutex_lock(&pp->mu);
        while (pp->produced <= k)
            pthread_cond_wait(&pp->cv, &pp->mu);
        pthread_mutex_unlock(&pp->mu);
        csv_block *b = &pp->blocks[k % NBLOCKS];
        rc = consume(im, b, sc, delim);
        bool last = b->last;
        pthread_mutex_lock(&pp->mu);
        pp->consumed = k + 1;
        pp->stop = rc != CX_OK || last;
        pthread_cond_broadcast(&pp->cv);
        pthread_mutex_unlock(&pp->mu);
        if (rc || last)
            return rc;
    }
}

int cxi_import_csv_run(cxi_import *im)
{
    const char *fn = im->fn, *path = im->path;
    const cx_import_options *opts = im->opts;
    int rc = CX_OK;
    int delim = opts ? opts->delimiter : ',';
    csv_producer p;
    memset(&p, 0, sizeof p);
    cxi_mem_init(&p.mem, im->store->mem.fn, im->store->mem.ud);
    p.delim = delim;
    p.rd.mem = &p.mem;
#if defined(__SSE2__)
    p.rd.blk = SIZE_MAX;
#endif
    csv_block blocks[NBLOCKS];
    memset(blocks, 0, sizeof blocks);
    char *row = NULL;
    size_t rowcap = 0;
    char *fields[CXI_MAX_FIELDS + 1];
    csv_scratch *sc = NULL;
    p.rec = cxi_alloc(&p.mem, sizeof *p.rec);
    if (!p.rec || !(sc = cxi_alloc(&im->mem, sizeof *sc))) {
        rc = cxi_fail(CX_ENOMEM, "%s: %s: out of memory", fn, path);
        goto done;
    }
    p.rd.f = fopen(path, "rb");
    if (!p.rd.f) {
        rc = cxi_fail(CX_EIO, "%s: %s: cannot open: %s", fn, path, strerror(errno));
        goto done;
    }
    cxi_unbuffered(p.rd.f); /* fill() reads whole chunks into rd.buf */
    p.rd.line = 1;
    if ((rc = read_header(im, &p.rd, delim, p.rec, &row, &rowcap, fields)))
        goto done;
    sc->nk = cxi_import_prefetch_keys(im, sc->kf);
    cxi_import_pre_plan(im);
    p.im = im;
    p.nk = sc->nk;
    memcpy(p.kf, sc->kf, sizeof p.kf);
    bool piped = false;
    if (cxi_import_threads(opts) > 1) {
        populate_plan(&p.pop, im);
        csv_pipe pp = {.p = &p, .blocks = blocks};
        cx_store *s = im->store;
        csv_guard guard = {.fn = s->mem.fn, .ud = s->mem.ud, .pop = &p.pop};
        bool guarded = p.pop.ncols > 0 && pthread_mutex_init(&guard.mu, NULL) == 0;
        pthread_t th;
        if (pthread_mutex_init(&pp.mu, NULL) == 0) {
            if (pthread_cond_init(&pp.cv, NULL) == 0) {
                if (guarded) { /* the worker's reads: see csv_guard */
                    p.pop.guard = &guard;
                    s->mem.fn = guard_alloc;
                    s->mem.ud = &guard;
                }
                if (pthread_create(&th, NULL, worker, &pp) == 0) {
                    piped = true;
                    rc = run_pipe(im, &pp, sc, delim);
                    pthread_join(th, NULL); /* the worker stops at `stop` or after the last block */
                }
                s->mem.fn = guard.fn;
                s->mem.ud = guard.ud;
                p.pop.guard = NULL;
                pthread_cond_destroy(&pp.cv);
            }
            pthread_mutex_destroy(&pp.mu);
        }
        if (guarded)
            pthread_mutex_destroy(&guard.mu);
    }
    if (!piped) { /* one thread, or no thread could be started: the same blocks in turn */
        do {
            produce(&p, &blocks[0]);
            rc = consume(im, &blocks[0], sc, delim);
        } while (!rc && !blocks[0].last);
    }
    if (!rc && im->flush)
        rc = im->flush(im, true);
done:
    if (p.rd.f)
        fclose(p.rd.f);
    cxi_free(&p.mem, p.rd.buf, p.rd.cap);
    for (int k = 0; k < NBLOCKS; k++)
        block_free(&p.mem, &blocks[k]);
    cxi_free(&p.mem, p.rec, sizeof *p.rec);
    cxi_free(&im->mem, sc, sizeof *sc);
    cxi_free(&p.mem, row, rowcap); /* the header's, from read_header() with p.rd */
    return rc;
}
