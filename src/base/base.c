#define _DEFAULT_SOURCE /* madvise (cxi_prefault) */
/*
 * Base layer: allocator wrapper, thread-local last error, UTF-8 checks,
 * hashing, growable columns, the string interner and the u64 -> u32 map.
 */
#include <sodium.h>

#include "base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

/* ---- memory ---------------------------------------------------------- */

void cxi_prefault(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    if (!p || bytes < ((size_t)1 << 20))
        return;
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0)
        return;
    uintptr_t a = ((uintptr_t)p + (uintptr_t)ps - 1) & ~((uintptr_t)ps - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~((uintptr_t)ps - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

void cxi_prefault_huge(void *p, size_t bytes)
{
    cxi_hugepages(p, bytes);
    cxi_prefault(p, bytes);
}

void cxi_hugepages(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* only the 2 MiB pages wholly inside the block: a huge page is faulted
     * in whole, and the bytes around the block are not the caller's */
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (!p || bytes < huge)
        return;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

void *cxi_default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

void cxi_mem_init(cxi_mem *m, cx_alloc_fn fn, void *ud)
{
    m->fn = fn ? fn : cxi_default_alloc;
    m->ud = fn ? ud : NULL;
    m->bytes = 0;
}

void *cxi_obj_new(cx_alloc_fn fn, void *ud, size_t size, size_t mem_offset)
{
    cxi_mem mem;
    cxi_mem_init(&mem, fn, ud);
    char *o = cxi_alloc(&mem, size);
    if (o) {
        memset(o, 0, size);
        memcpy(o + mem_offset, &mem, sizeof mem);
    }
    return o;
}

int cxi_grow(cxi_mem *m, void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CX_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return CX_ENOMEM;
        ncap *= 2;
    }
    void *old;
    memcpy(&old, arr, sizeof old);
    void *p = cxi_realloc(m, old, *cap * elem, ncap * elem);
    if (!p)
        return CX_ENOMEM;
    memcpy(arr, &p, sizeof p);
    *cap = ncap;
    return CX_OK;
}

int cxi_grow_all(cxi_mem *m, size_t *cap, size_t need, int count, void *const *arrs, const size_t *elems)
{
    if (need <= *cap)
        return CX_OK;
    size_t ncap = *cap ? *cap : 8, most = 1;
    for (int i = 0; i < count; i++)
        most = elems[i] > most ? elems[i] : most;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / most)
            return CX_ENOMEM;
        ncap *= 2;
    }
    void *fresh[16];
    if (count > 16)
        return CX_ENOMEM;
    for (int i = 0; i < count; i++) {
        if (!(fresh[i] = cxi_alloc(m, ncap * elems[i]))) {
            while (i-- > 0)
                cxi_free(m, fresh[i], ncap * elems[i]);
            return CX_ENOMEM;
        }
    }
    for (int i = 0; i < count; i++) {
        void *old;
        memcpy(&old, arrs[i], sizeof old);
        if (*cap)
            memcpy(fresh[i], old, *cap * elems[i]);
        cxi_free(m, old, *cap * elems[i]);
        memcpy(arrs[i], &fresh[i], sizeof fresh[i]);
    }
    *cap = ncap;
    return CX_OK;
}

void *cxi_alloc(cxi_mem *m, size_t n)
{
    if (n == 0)
        n = 1;
    void *p = m->fn(m->ud, NULL, 0, n);
    if (p)
        m->bytes += n;
    return p;
}

void *cxi_realloc(cxi_mem *m, void *p, size_t oldn, size_t newn)
{
    if (!p)
        return cxi_alloc(m, newn);
    if (newn == 0)
        newn = 1;
    void *q = m->fn(m->ud, p, oldn, newn);
    if (q)
        m->bytes = m->bytes - oldn + newn;
    return q;
}

void cxi_free(cxi_mem *m, void *p, size_t n)
{
    if (!p)
        return;
    if (n == 0)
        n = 1;
    m->fn(m->ud, p, n, 0);
    m->bytes -= n;
}

char *cxi_strdup(cxi_mem *m, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = cxi_alloc(m, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void cxi_strfree(cxi_mem *m, char *s)
{
    if (s)
        cxi_free(m, s, strlen(s) + 1);
}

/* ---- errors ---------------------------------------------------------- */

static _Thread_local struct {
    int code;
    const char *field;
    char msg[512];
} tls_error;

int cxi_fail(int code, const char *fmt, ...)
{
    /* format aside first: the arguments may include the current message,
     * when a caller adds context to an error from below */
    char msg[sizeof tls_error.msg];
    va_list ap;
    va_start(ap, fmt);
    cxi_vsnprintf(msg, sizeof msg, fmt, ap); /* numbers with "." in any locale */
    va_end(ap);
    memcpy(tls_error.msg, msg, sizeof msg);
    tls_error.code = code;
    tls_error.field = NULL;
    return code;
}

int cxi_set_error_field(const char *field, int code)
{
    tls_error.field = field;
    return code;
}

const char *cxi_error_field(void) { return tls_error.field; }

const char *cxi_quote(char *buf, const char *s)
{
    if (!s)
        return "(null)";
    size_t n = strlen(s);
    if (n <= 64) {
        memcpy(buf, s, n + 1);
        return buf;
    }
    n = 64;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* do not cut a UTF-8 sequence */
    memcpy(buf, s, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

const char *cx_last_error(void) { return tls_error.msg; }
int cx_last_error_code(void) { return tls_error.code; }

void cx_error_clear(void)
{
    tls_error.code = CX_OK;
    tls_error.field = NULL;
    tls_error.msg[0] = '\0';
}

const char *cx_strerror(int status)
{
    switch (status) {
    case CX_OK: return "success";
    case CX_EINVAL: return "invalid argument";
    case CX_ENOMEM: return "out of memory";
    case CX_ENOTFOUND: return "not found";
    case CX_EEXISTS: return "already exists";
    case CX_ERANGE: return "value out of range";
    case CX_EPARSE: return "parse error";
    case CX_EBUFSIZE: return "buffer too small";
    case CX_EORDER: return "times out of order";
    case CX_ELIMIT: return "capacity limit reached";
    case CX_EIO: return "input/output error";
    case CX_EVERSION: return "incompatible version";
    default: return "unknown status";
    }
}

/* ---- text ------------------------------------------------------------ */

bool cxi_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path: eight bytes with neither a high bit nor a NUL */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ULL) || ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
                break;
            i += 8;
        }
        if (i == len)
            break;
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0)
                return false;
            i++;
            continue;
        }
        size_t n;
        unsigned min;
        unsigned cp;
        if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false; /* overlong, beyond Unicode, or a surrogate */
        i += n + 1;
    }
    return true;
}

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The len < 8 bytes at p as a little-endian number (the value memcpy of
 * them into a zeroed uint64_t gives on a little-endian machine), read with
 * at most two loads, none past p + len. A memcpy of a variable length
 * into a word on the stack became byte stores then a word load, which the
 * processor cannot forward from them: the load waits until every earlier
 * store is written, which in the reader of a two-thread import (stores to
 * lines the other core holds) made the hash a sixth of its time (issue
 * 14). */
static inline uint64_t tail_word(const unsigned char *p, size_t len)
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint64_t w = 0; /* the bytes as they were always read there */
    memcpy(&w, p, len);
    return w;
#else
    if (len >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + len - 4, 4);
        /* hi holds bytes len - 4 .. len - 1; its top len - 4 are 4 .. len - 1 */
        return (uint64_t)lo | ((uint64_t)hi >> (8 * (8 - len))) << 32;
    }
    if (len == 0)
        return 0;
    /* 1 to 3 bytes: the first, the middle and the last (some the same) */
    return (uint64_t)p[0] | (uint64_t)p[len >> 1] << (8 * (len >> 1)) | (uint64_t)p[len - 1] << (8 * (len - 1));
#endif
}

uint64_t cxi_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0xC2B2AE3D27D4EB4FULL);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ mix64(w)) * 0x100000001B3ULL;
        p += 8;
        len -= 8;
    }
    h ^= mix64(tail_word(p, len) ^ ((uint64_t)len << 56));
    return mix64(h);
}

/* ---- growable columns ------------------------------------------------ */

static size_t grown_cap(size_t cap, size_t need)
{
    size_t c = cap < 16 ? 16 : cap + cap / 2;
    return c < need ? need : c;
}

int cxi_cols_reserve(cxi_mem *m, cxi_col *cols, int ncols, size_t need)
{
    for (int i = 0; i < ncols; i++) {
        cxi_col *c = &cols[i];
        if (c->cap >= need)
            continue;
        size_t ncap = grown_cap(c->cap, need);
        if (ncap > SIZE_MAX / c->elem)
            return cxi_fail(CX_ELIMIT, "a column of %zu rows is too large for the address space", ncap);
        void *p = cxi_realloc(m, c->data, c->cap * c->elem, ncap * c->elem);
        if (!p)
            return cxi_fail(CX_ENOMEM, "out of memory growing a column to %zu rows", ncap);
        c->data = p;
        c->cap = ncap;
    }
    return CX_OK;
}

int cxi_col_widen(cxi_mem *m, cxi_col *c, size_t n, cxi_widen how)
{
    if (c->elem != sizeof(uint32_t))
        return CX_OK;
    size_t cap = c->cap ? c->cap : 1;
    if (cap > SIZE_MAX / sizeof(uint64_t))
        return cxi_fail(CX_ELIMIT, "a column of %zu rows is too large for the address space", cap);
    uint64_t *w = cxi_alloc(m, cap * sizeof *w);
    if (!w)
        return cxi_fail(CX_ENOMEM, "out of memory widening a column of %zu rows", cap);
    const uint32_t *v = c->data;
    for (size_t i = 0; i < n; i++)
        w[i] = cxi_widen_bits(v[i], how);
    cxi_free(m, c->data, c->cap * c->elem);
    c->data = w;
    c->cap = cap;
    c->elem = sizeof *w;
    return CX_OK;
}

void cxi_sparse_read(const cxi_sparse *sp, size_t from, size_t n, uint32_t *out)
{
    if (n == 0)
        return;
    size_t w = from >> 6;
    size_t r = sp->rank[w >> 3];
    for (size_t k = w & ~(size_t)7; k < w; k++)
        r += (size_t)__builtin_popcountll(sp->bits[k]);
    r += (size_t)__builtin_popcountll(sp->bits[w] & (((uint64_t)1 << (from & 63)) - 1));
    for (size_t i = 0; i < n; i++) {
        size_t row = from + i;
        out[i] = sp->bits[row >> 6] >> (row & 63) & 1 ? cxi_code_at_width(sp->vals, sp->elem, r++) : sp->common;
    }
}

static size_t sparse_size(size_t n, size_t nvals, size_t elem)
{
    size_t words = (n + 63) / 64;
    return words * sizeof(uint64_t) + (words / 8 + 1) * sizeof(uint32_t) + (nvals ? nvals : 1) * elem;
}

size_t cxi_sparse_bytes(const cxi_sparse *sp) { return sizeof *sp + sparse_size(sp->n, sp->nvals, sp->elem); }

void cxi_sparse_free(cxi_mem *m, cxi_sparse *sp)
{
    if (!sp)
        return;
    size_t words = (sp->n + 63) / 64;
    cxi_free(m, sp->bits, (words ? words : 1) * sizeof *sp->bits);
    cxi_free(m, sp->rank, (words / 8 + 1) * sizeof *sp->rank);
    cxi_free(m, sp->vals, (sp->nvals ? sp->nvals : 1) * sp->elem);
    cxi_free(m, sp, sizeof *sp);
}

cxi_sparse *cxi_sparse_of(cxi_mem *m, cxi_codes c, size_t n)
{
    if (n == 0 || !(c.elem == 1 || c.elem == 2 || c.elem == 4))
        return NULL;
    /* the commonest value, when one holds most rows (Boyer-Moore vote) */
    uint32_t cand = 0;
    size_t votes = 0, nvals = 0;
    for (size_t r = 0; r < n; r++) {
        uint32_t v = cxi_codes_at(c, r);
        if (votes == 0)
            cand = v;
        votes += v == cand ? 1 : (size_t)-1;
    }
    for (size_t r = 0; r < n; r++)
        nvals += cxi_codes_at(c, r) != cand;
    if ((sizeof(cxi_sparse) + sparse_size(n, nvals, c.elem)) * 2 > n * c.elem) /* half the column, or stays one */
        return NULL;
    size_t words = (n + 63) / 64;
    cxi_sparse *sp = cxi_alloc(m, sizeof *sp);
    if (!sp)
        return NULL;
    *sp = (cxi_sparse){NULL, NULL, NULL, cand, n, nvals, c.elem};
    sp->bits = cxi_alloc(m, (words ? words : 1) * sizeof *sp->bits);
    sp->rank = cxi_alloc(m, (words / 8 + 1) * sizeof *sp->rank);
    sp->vals = cxi_alloc(m, (nvals ? nvals : 1) * c.elem);
    if (!sp->bits || !sp->rank || !sp->vals) {
        cxi_sparse_free(m, sp);
        return NULL;
    }
    memset(sp->bits, 0, words * sizeof *sp->bits);
    cxi_col vals = {sp->vals, nvals ? nvals : 1, c.elem};
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
        if ((r & 511) == 0)
            sp->rank[r >> 9] = (uint32_t)k;
        uint32_t v = cxi_codes_at(c, r);
        if (v != cand) {
            sp->bits[r >> 6] |= (uint64_t)1 << (r & 63);
            cxi_code_put(&vals, k++, v);
        }
    }
    return sp;
}

void cxi_sparse_write(const cxi_sparse *sp, void *into)
{
    cxi_col c = {into, sp->n, sp->elem};
    uint32_t buf[CXI_CODES_CHUNK];
    for (size_t r = 0; r < sp->n; r += CXI_CODES_CHUNK) {
        size_t m = sp->n - r < CXI_CODES_CHUNK ? sp->n - r : CXI_CODES_CHUNK;
        cxi_sparse_read(sp, r, m, buf);
        for (size_t i = 0; i < m; i++)
            cxi_code_put(&c, r + i, buf[i]);
    }
}

void cxi_codes_read(cxi_codes c, size_t from, size_t n, uint32_t *out)
{
    switch (c.elem) {
    case 0: cxi_sparse_read(c.data, from, n, out); break;
    case 1: {
        const uint8_t *v = (const uint8_t *)c.data + from;
        for (size_t i = 0; i < n; i++)
            out[i] = v[i] == 0xFFu ? CXI_NONE : v[i];
        break;
    }
    case 2: {
        const uint16_t *v = (const uint16_t *)c.data + from;
        for (size_t i = 0; i < n; i++)
            out[i] = v[i] == 0xFFFFu ? CXI_NONE : v[i];
        break;
    }
    default: memcpy(out, (const uint32_t *)c.data + from, n * sizeof *out); break;
    }
}

int cxi_col_recode(cxi_mem *m, cxi_col *c, size_t n, size_t elem)
{
    if (c->elem >= elem)
        return CX_OK;
    size_t cap = c->cap ? c->cap : 1;
    if (cap > SIZE_MAX / elem)
        return cxi_fail(CX_ELIMIT, "a column of %zu rows is too large for the address space", cap);
    void *w = cxi_alloc(m, cap * elem);
    if (!w)
        return cxi_fail(CX_ENOMEM, "out of memory widening a column of %zu rows", cap);
    cxi_codes from = cxi_codes_of(c);
    cxi_col to = {w, cap, elem};
    for (size_t i = 0; i < n; i++)
        cxi_code_put(&to, i, cxi_codes_at(from, i));
    cxi_free(m, c->data, c->cap * c->elem);
    *c = to;
    return CX_OK;
}

void cxi_col_narrow_codes(cxi_col *c, size_t n, size_t elem)
{
    if (c->elem <= elem)
        return;
    cxi_codes from = cxi_codes_of(c);
    cxi_col to = {c->data, c->cap * c->elem / elem, elem};
    /* row i moves down to a lower byte offset than it is read from */
    for (size_t i = 0; i < n; i++)
        cxi_code_put(&to, i, cxi_codes_at(from, i));
    *c = to;
}

size_t cxi_cols_trim(cxi_mem *m, cxi_col *cols, int ncols, size_t n)
{
    size_t keep = n ? n : 1, room = SIZE_MAX;
    for (int i = 0; i < ncols; i++) {
        cxi_col *c = &cols[i];
        if (c->data && c->cap > keep) {
            void *p = cxi_realloc(m, c->data, c->cap * c->elem, keep * c->elem);
            if (p) { /* else it keeps its room */
                c->data = p;
                c->cap = keep;
            }
        }
        if (c->cap < room)
            room = c->cap;
    }
    return ncols ? room : 0;
}

void cxi_cols_free(cxi_mem *m, cxi_col *cols, int ncols)
{
    for (int i = 0; i < ncols; i++) {
        cxi_free(m, cols[i].data, cols[i].cap * cols[i].elem);
        cols[i].data = NULL;
        cols[i].cap = 0;
    }
}

/* ---- string interner ------------------------------------------------- */

#define POOL_BLOCK ((size_t)1 << CXI_POOL_BLOCK_SHIFT)
#define POOL_MAX_BLOCKS ((size_t)1 << (32 - CXI_POOL_BLOCK_SHIFT))

void cxi_pool_init(cxi_pool *p)
{
    memset(p, 0, sizeof *p);
    p->strs.elem = sizeof(uint32_t);
}

/* Frees the string blocks (an index with size 0 is inside a larger block)
 * and the outliers' (zeroed first: erase.c wipes blocks[] before it frees a
 * pool; the outliers are few). */
static void pool_free_blocks(cxi_mem *m, cxi_pool *p)
{
    for (size_t i = 0; i < p->nblocks; i++)
        if (p->block_sizes[i])
            cxi_free(m, p->blocks[i], p->block_sizes[i]);
    p->nblocks = 0;
    p->block = NULL;
    p->block_used = p->block_cap = 0;
    p->cur = 0;
    for (size_t i = 0; i < p->nx; i++)
        if (p->xsizes[i]) {
            cxi_wipe(p->xblocks[i], p->xsizes[i]);
            cxi_free(m, p->xblocks[i], p->xsizes[i]);
        }
    p->nx = 0;
    p->xcur = 0;
    p->xused = p->xfill = 0;
    p->nouts = p->xstreak = p->xgrow = 0;
}

void cxi_pool_free(cxi_mem *m, cxi_pool *p)
{
    bool exact = p->exact;
    pool_free_blocks(m, p);
    cxi_free(m, p->blocks, p->blocks_cap * sizeof *p->blocks);
    cxi_free(m, p->block_sizes, p->blocks_cap * sizeof *p->block_sizes);
    cxi_free(m, p->xblocks, p->xcap * sizeof *p->xblocks);
    cxi_free(m, p->xsizes, p->xcap * sizeof *p->xsizes);
    cxi_cols_free(m, &p->strs, 1);
    cxi_free(m, p->slots, (size_t)p->nslots * sizeof *p->slots);
    cxi_pool_init(p);
    p->exact = exact;
}

/* Room for `need` entries in a list of blocks (blocks[] and their sizes). */
static int pool_blocks_room(cxi_mem *m, char ***blocks, size_t **sizes, size_t *cap, size_t n, size_t need)
{
    if (need <= *cap)
        return CX_OK;
    size_t nc = *cap ? *cap * 2 : 8;
    while (nc < need)
        nc *= 2;
    char **nb = cxi_alloc(m, nc * sizeof *nb);
    size_t *nz = cxi_alloc(m, nc * sizeof *nz);
    if (!nb || !nz) {
        cxi_free(m, nb, nc * sizeof *nb);
        cxi_free(m, nz, nc * sizeof *nz);
        return cxi_fail(CX_ENOMEM, "out of memory interning a string");
    }
    if (n) {
        memcpy(nb, *blocks, n * sizeof *nb);
        memcpy(nz, *sizes, n * sizeof *nz);
    }
    cxi_free(m, *blocks, *cap * sizeof **blocks);
    cxi_free(m, *sizes, *cap * sizeof **sizes);
    *blocks = nb;
    *sizes = nz;
    *cap = nc;
    return CX_OK;
}

/* Lists block b of bsize bytes at index *n on (one index per 64 KiB it spans). */
static void pool_blocks_put(char **blocks, size_t *sizes, size_t *n, char *b, size_t bsize)
{
    size_t spans = (bsize + POOL_BLOCK - 1) / POOL_BLOCK;
    for (size_t k = 0; k < spans; k++) {
        blocks[*n + k] = b + k * POOL_BLOCK;
        sizes[*n + k] = k ? 0 : bsize;
    }
    *n += spans;
}

/* ---- uniform mode (see base.h) ---- */

/* The size of uniform block b, whichever run it serves. */
static size_t ublock_size(uint32_t b) { return b < 6 ? (size_t)1024 << b : POOL_BLOCK; }

/* A new run of strings of `stride` bytes from string `id` on, from block
 * `block` on. */
static void pool_start_run(cxi_pool *p, size_t stride, uint32_t id, uint32_t block)
{
    struct cxi_pool_run *r = &p->runs[p->nruns++];
    r->id = id;
    r->block = block;
    r->stride = (uint16_t)stride;
    r->first = 0;
    for (uint32_t b = block; b < 6; b++)
        r->first += (uint32_t)(((size_t)1024 << b) / stride);
    r->per = (uint32_t)(POOL_BLOCK / stride);
    p->xgrow = 0;
}

static inline bool pool_is_out(const cxi_pool *p, uint32_t k)
{
    return p->nouts && (unsigned char)cxi_pool_place(p, k)[0] == CXI_POOL_OUT;
}

/* Uniform mode, after a truncation: the outliers counted again and the
 * out-of-line cursor put after the last one left. */
static void pool_xseek(cxi_pool *p)
{
    p->xstreak = 0;
    p->xgrow = 0; /* counted again from the next outlier on */
    if (!p->nouts)
        return;
    uint32_t n = 0, last = CXI_NONE;
    for (uint32_t k = 0; k < p->count; k++)
        if ((unsigned char)cxi_pool_place(p, k)[0] == CXI_POOL_OUT) {
            n++;
            last = k;
        }
    p->xcur = 0;
    p->xused = 0;
    if (last != CXI_NONE) {
        const char *s = cxi_pool_str(p, last); /* p->nouts is still > 0 */
        uint32_t len = cxi_pool_len(p, last), ref;
        memcpy(&ref, cxi_pool_place(p, last) + 1, sizeof ref);
        size_t i = ref >> CXI_POOL_BLOCK_SHIFT;
        while (p->xsizes[i] == 0) /* inside a larger block */
            i--;
        p->xcur = (uint32_t)i;
        p->xused = (size_t)(s + len + 1 - p->xblocks[i]);
    }
    p->xfill = p->nx ? p->xsizes[p->xcur] : 0;
    p->nouts = n;
}

/* Uniform mode: the block cursor where string `count` goes. When that is
 * the start of a block not made yet, the cursor is left full, so the next
 * reservation makes it. */
static void pool_useek(cxi_pool *p)
{
    while (p->nruns > 1 && p->runs[p->nruns - 1].id >= p->count)
        p->nruns--; /* runs cut off by a truncation: their blocks are reused or wasted */
    if (p->nblocks == 0) {
        p->block = NULL;
        p->block_used = p->block_cap = 0;
        p->cur = 0;
        return;
    }
    uint32_t b;
    size_t off, fill;
    cxi_pool_upos(p, p->count, &b, &off, &fill);
    if (b >= p->nblocks) { /* b == nblocks, off == 0 */
        p->cur = (uint32_t)p->nblocks - 1;
        p->block = p->blocks[p->cur];
        p->block_used = p->block_cap = 0;
        return;
    }
    p->cur = b;
    p->block = p->blocks[b];
    p->block_used = off;
    p->block_cap = fill;
}

/* Leaves uniform mode: the references of every string, from their places;
 * the out-of-line blocks join the blocks. CX_ENOMEM changes nothing. */
static int pool_materialize(cxi_mem *m, cxi_pool *p, uint32_t need)
{
    int rc = cxi_cols_reserve(m, &p->strs, 1, need);
    if (!rc)
        rc = pool_blocks_room(m, &p->blocks, &p->block_sizes, &p->blocks_cap, p->nblocks, p->nblocks + p->nx);
    if (rc)
        return rc;
    uint32_t *ref = p->strs.data;
    uint32_t base = (uint32_t)(p->nblocks << CXI_POOL_BLOCK_SHIFT);
    for (uint32_t k = 0; k < p->count; k++) {
        const char *at = cxi_pool_place(p, k);
        uint32_t b;
        size_t off, fill;
        if (p->nouts && (unsigned char)at[0] == CXI_POOL_OUT) {
            memcpy(&ref[k], at + 1, sizeof ref[k]);
            ref[k] += base;
            continue;
        }
        cxi_pool_upos(p, k, &b, &off, &fill);
        ref[k] = (uint32_t)(((size_t)b << CXI_POOL_BLOCK_SHIFT) + off + 1);
    }
    if (p->nx) {
        memcpy(p->blocks + p->nblocks, p->xblocks, p->nx * sizeof *p->blocks);
        memcpy(p->block_sizes + p->nblocks, p->xsizes, p->nx * sizeof *p->block_sizes);
        p->nblocks += p->nx;
    }
    p->nx = 0;
    p->xcur = 0;
    p->xused = p->xfill = 0;
    p->nouts = p->xstreak = p->xgrow = 0;
    p->nruns = 0;
    /* the strings go on from the cursor, after the last one */
    return CX_OK;
}

/* Room for `want` bytes out of line: the block being filled, else one kept
 * by a truncation, else a new one (1 KiB, 2 KiB ... 64 KiB, or larger). */
static int pool_xroom(cxi_mem *m, cxi_pool *p, size_t want)
{
    if (p->nx && p->xfill - p->xused >= want)
        return CX_OK;
    if (p->nx && p->xcur + 1 < p->nx && p->xsizes[p->xcur + 1] >= want) {
        p->xcur++;
        p->xused = 0;
        p->xfill = p->xsizes[p->xcur];
        return CX_OK;
    }
    size_t bsize = p->nx < 6 ? (size_t)1024 << p->nx : POOL_BLOCK;
    if (bsize < want)
        bsize = want;
    size_t spans = (bsize + POOL_BLOCK - 1) / POOL_BLOCK;
    if (spans > POOL_MAX_BLOCKS - p->nblocks - p->nx)
        return cxi_fail(CX_ELIMIT, "more than 4 GiB of strings in one table");
    int rc = pool_blocks_room(m, &p->xblocks, &p->xsizes, &p->xcap, p->nx, p->nx + spans);
    if (rc)
        return rc;
    char *b = cxi_alloc(m, bsize);
    if (!b)
        return cxi_fail(CX_ENOMEM, "out of memory interning a string");
    p->xcur = (uint32_t)p->nx;
    pool_blocks_put(p->xblocks, p->xsizes, &p->nx, b, bsize);
    p->xused = 0;
    p->xfill = bsize;
    return CX_OK;
}

uint32_t cxi_pool_find(const cxi_pool *p, const char *s, size_t len)
{
    if (p->nslots == 0)
        return CXI_NONE;
    return cxi_pool_find_hashed(p, s, len, (uint32_t)cxi_hash(s, len));
}

static inline uint32_t find_in(const cxi_pool *p, const uint32_t *slots, uint32_t nslots, const char *s, size_t len,
                               uint32_t h)
{
    if (nslots == 0)
        return CXI_NONE;
    uint32_t mask = nslots - 1, tag = h & ~mask;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t v = slots[i];
        if (v == 0)
            return CXI_NONE;
        uint32_t id = (v & mask) - 1;
        if ((v & ~mask) == tag && cxi_pool_len(p, id) == len && cxi_bytes_eq(cxi_pool_str(p, id), s, len))
            return id;
    }
}

uint32_t cxi_pool_find_hashed(const cxi_pool *p, const char *s, size_t len, uint32_t h)
{
    return find_in(p, p->slots, p->nslots, s, len, h);
}

uint32_t cxi_pool_find_in(const cxi_pool *p, const uint32_t *slots, uint32_t nslots, const char *s, size_t len,
                          uint32_t h)
{
    return find_in(p, slots, nslots, s, len, h);
}

uint32_t cxi_pool_scan(const cxi_pool *p, const char *s, size_t len)
{
    for (uint32_t id = 0; id < p->count; id++)
        if (cxi_pool_len(p, id) == len && cxi_bytes_eq(cxi_pool_str(p, id), s, len))
            return id;
    return CXI_NONE;
}

static uint32_t pool_hash(const cxi_pool *p, uint32_t id)
{
    return (uint32_t)cxi_hash(cxi_pool_str(p, id), cxi_pool_len(p, id));
}

static void slots_place(uint32_t *slots, uint32_t nslots, uint32_t id, uint32_t h)
{
    uint32_t mask = nslots - 1;
    uint32_t i = h & mask;
    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = (h & ~mask) | (id + 1);
}

static void pool_place(cxi_pool *p, uint32_t id, uint32_t h) { slots_place(p->slots, p->nslots, id, h); }

/* Every string of the pool placed in nslots slots of zeroes: the hashes of
 * a batch first (the strings read in order), their home slots fetched
 * ahead, then placed; a slot read at random costs a cache miss, which the
 * batch overlaps (10^7 ids: several times faster than one by one). */
static void slots_fill(const cxi_pool *p, uint32_t *slots, uint32_t nslots)
{
    enum { BATCH = 32 };
    uint32_t h[BATCH], mask = nslots - 1;
    for (uint32_t base = 0; base < p->count; base += BATCH) {
        uint32_t m = p->count - base < BATCH ? p->count - base : BATCH;
        for (uint32_t i = 0; i < m; i++) {
            h[i] = pool_hash(p, base + i);
#if defined(__GNUC__)
            __builtin_prefetch(&slots[h[i] & mask], 1);
#endif
        }
        for (uint32_t i = 0; i < m; i++)
            slots_place(slots, nslots, base + i, h[i]);
    }
}

/* Every string of the pool placed again in slots of zeroes (the tags
 * depend on the number of slots, so the hashes are computed anew); none
 * while it has no slots (cxi_pool_drop_index). */
static void pool_rehash(cxi_pool *p)
{
    if (!p->nslots)
        return;
    slots_fill(p, p->slots, p->nslots);
}

/* The most strings ns hash slots hold: 9/16 of them (issue 14). Up to 1/2
 * made a table sized from an estimate (csv.c adds 5 % to its count of
 * rows) just past a power of two take twice the slots it would have grown
 * to row by row: 8 more bytes an id at 10^6 rows; a probe of 4-byte tagged
 * slots costs about the same at 9/16. */
static inline bool pool_too_full(uint64_t need, uint64_t ns) { return need * 16 > ns * 9; }

/* Slots sized for a count known beforehand (cxi_pool_presize) may be fuller,
 * up to 13/16 for that count: the load reaches it only at the end, the
 * table grows no more, and a probe of tagged slots still reads one or two
 * cache lines. 10^7 ids take 2^24 slots, not 2^25 (6.7 bytes an id less);
 * bench-import's CPU time at 10^7 and 10^6 shuffled rows did not grow.
 * Beyond that count, 9/16 again. */
static inline bool pool_over(const cxi_pool *p, uint64_t need, uint64_t ns)
{
    return need <= p->hint ? need * 16 > ns * 13 : pool_too_full(need, ns);
}

/* New hash slots, ns of them (a power of two, pool_too_full false), with
 * every string placed again. Large tables of slots are read at random, a
 * TLB miss each in 4 KiB pages: they ask for huge pages. */
static int pool_grow_slots(cxi_mem *m, cxi_pool *p, uint32_t ns)
{
    uint32_t *slots = cxi_alloc(m, (size_t)ns * sizeof *slots);
    if (!slots)
        return cxi_fail(CX_ENOMEM, "out of memory growing a string table");
    cxi_hugepages(slots, (size_t)ns * sizeof *slots);
    memset(slots, 0, (size_t)ns * sizeof *slots);
    cxi_free(m, p->slots, (size_t)p->nslots * sizeof *p->slots);
    p->slots = slots;
    p->nslots = ns;
    pool_rehash(p);
    return CX_OK;
}

/* The fewest slots (a power of two, 16 or more) that hold `count`
 * strings at most 13/16 full, 0 beyond 2^31. */
static uint32_t index_slots(uint32_t count)
{
    uint64_t ns = 16;
    while ((uint64_t)count * 16 > ns * 13)
        ns *= 2;
    return ns > UINT32_MAX / 2 + 1 ? 0 : (uint32_t)ns;
}

int cxi_pool_index_new(cxi_mem *m, const cxi_pool *p, uint32_t **out, uint32_t *nslots)
{
    uint32_t ns = index_slots(p->count);
    uint32_t *slots = ns ? cxi_alloc(m, (size_t)ns * sizeof *slots) : NULL;
    if (!slots)
        return CX_ENOMEM;
    cxi_hugepages(slots, (size_t)ns * sizeof *slots);
    memset(slots, 0, (size_t)ns * sizeof *slots);
    slots_fill(p, slots, ns);
    *out = slots;
    *nslots = ns;
    return CX_OK;
}

void cxi_pool_take_index(cxi_pool *p, uint32_t *slots, uint32_t nslots)
{
    p->slots = slots;
    p->nslots = nslots;
    p->hint = p->count; /* what they are sized for (pool_over) */
}

void cxi_pool_drop_index(cxi_mem *m, cxi_pool *p)
{
    if (!p->count)
        return;
    cxi_free(m, p->slots, (size_t)p->nslots * sizeof *p->slots);
    p->slots = NULL;
    p->nslots = 0;
    p->hint = 0;
}

int cxi_pool_presize(cxi_mem *m, cxi_pool *p, uint32_t nstr)
{
    if (nstr == 0 || (uint64_t)p->count + nstr > CXI_MAX_ROWS)
        return CX_OK;
    uint32_t need = p->count + nstr;
    uint32_t hint = p->hint;
    p->hint = need; /* what the slots are sized for */
    uint64_t ns = p->nslots ? (uint64_t)p->nslots : 16;
    while (pool_over(p, need, ns))
        ns *= 2;
    if (ns > UINT32_MAX / 2 + 1) {
        p->hint = hint;
        return CX_OK;
    }
    int rc = ns > p->nslots ? pool_grow_slots(m, p, (uint32_t)ns) : CX_OK;
    /* the references, unless the pool is or may become uniform */
    bool may_be_uniform = p->exact && (p->nruns || (p->count == 0 && p->nblocks == 0));
    if (!rc && !may_be_uniform)
        rc = cxi_cols_reserve(m, &p->strs, 1, need);
    if (rc)
        p->hint = hint;
    return rc;
}

int cxi_pool_reserve(cxi_mem *m, cxi_pool *p, uint32_t nstr, size_t bytes)
{
    if (nstr == 0)
        return CX_OK;
    if ((uint64_t)p->count + nstr > CXI_MAX_ROWS)
        return cxi_fail(CX_ELIMIT, "more than %u distinct names", (unsigned)CXI_MAX_ROWS);
    uint32_t need = p->count + nstr;
    /* bytes, each string with its length before (1 byte, or 5 from 255
     * bytes on) and its NUL after */
    if (bytes > SIZE_MAX / 2 || nstr > (SIZE_MAX / 2 - bytes) / 6)
        return cxi_fail(CX_ELIMIT, "strings too large");
    /* uniform mode: entered by an exact pool with no blocks, kept while
     * the strings come in runs of one length with few outliers, else left
     * (can fail: first) */
    bool fits = p->exact && nstr == 1 && bytes <= 253;
    size_t stride = bytes + 2, xwant = 0;
    const struct cxi_pool_run *last = p->nruns ? &p->runs[p->nruns - 1] : NULL;
    if (fits && p->nblocks == 0 && p->count == 0) {
        if (!last || last->stride != stride) {
            p->nruns = 0;
            pool_start_run(p, stride, 0, 0);
        }
    } else if (last && fits && cxi_pool_in_place(bytes, last->stride)) {
        stride = last->stride; /* in its place, padded when shorter */
    } else if (last && !(fits && last->stride == stride)) {
        /* a run of strings of 4 bytes or more holds outliers, as long as
         * they cost less than references; one of shorter strings does not */
        bool holds = p->exact && nstr == 1 && last->stride >= 6;
        bool can_out = holds && (p->nouts < CXI_POOL_OUT_MIN ||
                                 (uint64_t)(p->nouts + 1) * last->stride < 4 * (uint64_t)p->count);
        bool streak = p->xstreak >= CXI_POOL_STREAK && p->xlast + 1 == p->count && p->xlen + 2 == stride;
        /* strings a little longer than the run's, often enough that
         * padding the shorter ones in a run of their length costs less */
        bool grow = fits && stride > last->stride && stride - last->stride <= CXI_POOL_PAD_MAX &&
                    p->xgrow + 1 >= CXI_POOL_STREAK &&
                    (uint64_t)(p->xgrow + 1) * stride > (uint64_t)(p->count - last->id) * (stride - last->stride);
        /* a run starts a block, a new one or one kept by a truncation */
        bool run = fits && p->nruns < CXI_POOL_RUNS && p->block && p->cur + 1 < POOL_MAX_BLOCKS &&
                   (!holds ? p->count - last->id >= CXI_POOL_RUN_MIN
                           : (grow || (can_out && streak)) &&
                                 (p->count - last->id >= CXI_POOL_RUN_MIN || p->cur < 6));
        if (run) {
            pool_start_run(p, stride, p->count, p->cur + 1);
            p->block_cap = p->block_used; /* the run starts a block */
        } else if (can_out) {
            xwant = bytes + (bytes < 0xFF ? 1 : 5) + 1;
            stride = last->stride; /* its place in the run */
        } else {
            int rc = pool_materialize(m, p, need);
            if (rc)
                return rc;
        }
    }
    if (xwant) {
        int rc = pool_xroom(m, p, xwant);
        if (rc)
            return rc;
    }
    size_t want = p->nruns ? stride : bytes + (size_t)nstr * 6;
    size_t spans = 0, bsize = 0, ufill = 0;
    if (p->nruns && p->block_cap - p->block_used < want) {
        uint32_t b = p->block ? p->cur + 1 : 0;
        if (b < p->nblocks) { /* made before a truncation */
            size_t off;
            p->cur = b;
            p->block = p->blocks[b];
            p->block_used = 0;
            cxi_pool_upos(p, p->count, &b, &off, &p->block_cap);
        } else {
            if (p->nblocks + p->nx >= POOL_MAX_BLOCKS)
                return cxi_fail(CX_ELIMIT, "more than 4 GiB of strings in one table");
            bsize = ublock_size(b);
            ufill = bsize / stride * stride;
            spans = 1;
        }
    } else if (p->block_cap - p->block_used < want) {
        /* blocks grow from 1 KiB to 64 KiB, so a store with few names stays small */
        bsize = p->nblocks < 6 ? (size_t)1024 << p->nblocks : POOL_BLOCK;
        if (bsize < want)
            bsize = want;
        spans = (bsize + POOL_BLOCK - 1) / POOL_BLOCK;
        if (spans > POOL_MAX_BLOCKS - p->nblocks - p->nx)
            return cxi_fail(CX_ELIMIT, "more than 4 GiB of strings in one table");
    }
    /* id arrays */
    int rc = p->nruns ? CX_OK : cxi_cols_reserve(m, &p->strs, 1, need);
    if (rc)
        return rc;
    /* hash slots: keep the load at most 9/16 (more up to a presized count) */
    if (pool_over(p, need, p->nslots)) {
        uint64_t ns64 = p->nslots ? (uint64_t)p->nslots : 16;
        while (pool_over(p, need, ns64))
            ns64 *= 2;
        if (ns64 > UINT32_MAX / 2 + 1)
            return cxi_fail(CX_ELIMIT, "string table too large");
        uint32_t ns = (uint32_t)ns64;
        int rc2 = pool_grow_slots(m, p, ns);
        if (rc2)
            return rc2;
    }
    if (spans) {
        if ((rc = pool_blocks_room(m, &p->blocks, &p->block_sizes, &p->blocks_cap, p->nblocks, p->nblocks + spans)))
            return rc;
        char *b = cxi_alloc(m, bsize);
        if (!b)
            return cxi_fail(CX_ENOMEM, "out of memory interning a string");
        p->cur = (uint32_t)p->nblocks;
        pool_blocks_put(p->blocks, p->block_sizes, &p->nblocks, b, bsize);
        p->block = b;
        p->block_used = 0;
        p->block_cap = p->nruns ? ufill : bsize;
    }
    return CX_OK;
}

uint32_t cxi_pool_add(cxi_pool *p, const char *s, size_t len)
{
    return cxi_pool_add_hashed(p, s, len, (uint32_t)cxi_hash(s, len));
}

/* Writes s[0..len) with its length before and its NUL after at block + *used;
 * the offset of its first byte. */
static size_t pool_write(char *block, size_t *used, const char *s, size_t len)
{
    uint32_t len32 = (uint32_t)len;
    size_t pre = len < 0xFF ? 1 : 1 + sizeof len32;
    size_t at = *used + pre;
    char *dst = block + at;
    if (pre > 1)
        memcpy(dst - pre, &len32, sizeof len32);
    dst[-1] = (char)(unsigned char)(len < 0xFF ? len : 0xFF);
    memcpy(dst, s, len);
    dst[len] = '\0';
    *used = at + len + 1;
    return at;
}

/* Uniform mode: string `id`, of a length not its run's, out of line, and
 * at its place the marker and the reference. */
static void pool_add_out(cxi_pool *p, uint32_t id, const char *s, size_t len, size_t stride)
{
    size_t at = pool_write(p->xblocks[p->xcur], &p->xused, s, len);
    uint32_t ref = (uint32_t)(((size_t)p->xcur << CXI_POOL_BLOCK_SHIFT) + at);
    char *place = p->block + p->block_used;
    place[0] = (char)CXI_POOL_OUT;
    memcpy(place + 1, &ref, sizeof ref);
    memset(place + 1 + sizeof ref, 0, stride - 1 - sizeof ref);
    p->block_used += stride;
    p->nouts++;
    p->xstreak = p->xstreak && p->xlast + 1 == id && p->xlen == len ? p->xstreak + 1 : 1;
    p->xlast = id;
    p->xlen = (uint32_t)len;
    p->xgrow += len + 2 > stride && len + 2 - stride <= CXI_POOL_PAD_MAX;
}

uint32_t cxi_pool_add_hashed(cxi_pool *p, const char *s, size_t len, uint32_t h)
{
    uint32_t id = p->count++;
    size_t stride = p->nruns ? p->runs[p->nruns - 1].stride : 0;
    if (p->nruns && CXI_UNLIKELY(len + 2 != stride)) {
        if (cxi_pool_in_place(len, stride)) {
            size_t end = p->block_used + stride;
            pool_write(p->block, &p->block_used, s, len);
            memset(p->block + p->block_used, 0, end - p->block_used);
            p->block_used = end;
        } else {
            pool_add_out(p, id, s, len, stride);
        }
    } else {
        size_t at = pool_write(p->block, &p->block_used, s, len);
        if (!p->nruns)
            ((uint32_t *)p->strs.data)[id] = (uint32_t)(((size_t)p->cur << CXI_POOL_BLOCK_SHIFT) + at);
    }
    pool_place(p, id, h);
    return id;
}

void cxi_pool_truncate(cxi_mem *m, cxi_pool *p, uint32_t count)
{
    if (count >= p->count)
        return;
    p->count = count;
    if (count == 0)
        pool_free_blocks(m, p);
    if (p->nruns) {
        pool_useek(p);
        pool_xseek(p);
    }
    if (p->nslots)
        memset(p->slots, 0, (size_t)p->nslots * sizeof *p->slots);
    pool_rehash(p);
}

void cxi_pool_drop_last(cxi_pool *p)
{
    uint32_t id = --p->count;
    bool indexed = p->nslots != 0;
    const char *str = cxi_pool_str(p, id);
    uint32_t len = cxi_pool_len(p, id);
    uint32_t mask = p->nslots - 1, hole = (uint32_t)cxi_hash(str, len) & mask;
    size_t size = (len < 0xFF ? 1 : 1 + sizeof len) + len + 1;
    if (p->nruns && pool_is_out(p, id)) {
        p->nouts--;
        p->xstreak = 0;
        if (str + len + 1 == p->xblocks[p->xcur] + p->xused)
            p->xused -= size;
    }
    if (p->nruns)
        pool_useek(p);
    else if (str + len + 1 == p->block + p->block_used)
        p->block_used -= size;
    /* Empty its slot, shifting back the entries after it in the same run
     * whose home slot is not between the hole and them (linear probing
     * deletion without tombstones), so every probe still finds its key. */
    if (!indexed)
        return;
    while ((p->slots[hole] & mask) != id + 1)
        hole = (hole + 1) & mask;
    for (uint32_t j = (hole + 1) & mask; p->slots[j] != 0; j = (j + 1) & mask) {
        uint32_t home = pool_hash(p, (p->slots[j] & mask) - 1) & mask;
        bool stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
        if (!stays) {
            p->slots[hole] = p->slots[j];
            hole = j;
        }
    }
    p->slots[hole] = 0;
}

int cxi_pool_intern(cxi_mem *m, cxi_pool *p, const char *s, size_t len, uint32_t *id)
{
    uint32_t f = cxi_pool_find(p, s, len);
    if (f == CXI_NONE) {
        int rc = cxi_pool_reserve(m, p, 1, len);
        if (rc)
            return rc;
        f = cxi_pool_add(p, s, len);
    }
    *id = f;
    return CX_OK;
}

/* ---- u64 -> u32 map -------------------------------------------------- */

void cxi_map_init(cxi_map *m) { memset(m, 0, sizeof *m); }

void cxi_map_free(cxi_mem *mem, cxi_map *m)
{
    cxi_free(mem, m->keys, m->nslots * sizeof *m->keys);
    cxi_free(mem, m->vals, m->nslots * sizeof *m->vals);
    cxi_map_init(m);
}

uint32_t cxi_map_get(const cxi_map *m, uint64_t key)
{
    if (m->nslots == 0)
        return CXI_NONE;
    size_t mask = m->nslots - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == CXI_NONE)
            return CXI_NONE;
        if (m->keys[i] == key)
            return m->vals[i];
    }
}

static uint32_t map_place(cxi_map *m, uint64_t key, uint32_t val)
{
    size_t mask = m->nslots - 1;
    size_t i = mix64(key) & mask;
    while (m->vals[i] != CXI_NONE && m->keys[i] != key)
        i = (i + 1) & mask;
    uint32_t was = m->vals[i];
    if (was == CXI_NONE)
        m->count++;
    m->keys[i] = key;
    m->vals[i] = val;
    return was;
}

int cxi_map_reserve(cxi_mem *mem, cxi_map *m, size_t extra)
{
    size_t need = m->count + extra;
    if (need * 2 <= m->nslots)
        return CX_OK;
    size_t ns = m->nslots ? m->nslots : 16;
    while (need * 2 > ns)
        ns *= 2;
    uint64_t *keys = cxi_alloc(mem, ns * sizeof *keys);
    uint32_t *vals = cxi_alloc(mem, ns * sizeof *vals);
    if (!keys || !vals) {
        cxi_free(mem, keys, ns * sizeof *keys);
        cxi_free(mem, vals, ns * sizeof *vals);
        return cxi_fail(CX_ENOMEM, "out of memory growing an index");
    }
    memset(vals, 0xFF, ns * sizeof *vals);
    cxi_map old = *m;
    m->keys = keys;
    m->vals = vals;
    m->nslots = ns;
    m->count = 0;
    for (size_t i = 0; i < old.nslots; i++)
        if (old.vals[i] != CXI_NONE)
            map_place(m, old.keys[i], old.vals[i]);
    cxi_map_free(mem, &old);
    return CX_OK;
}

void cxi_map_put(cxi_map *m, uint64_t key, uint32_t val) { map_place(m, key, val); }

uint32_t cxi_map_exchange(cxi_map *m, uint64_t key, uint32_t val) { return map_place(m, key, val); }

void cxi_map_remove_if(cxi_map *m, bool (*drop)(void *ctx, uint64_t key, uint32_t val), void *ctx)
{
    if (m->nslots == 0)
        return;
    size_t mask = m->nslots - 1, removed = 0;
    /* An empty slot from before the removals: no probe chain crosses it. (One
     * that a removal empties may sit inside a chain that wraps around it, and
     * re-placing from there can strand an entry behind a new hole.) The load
     * is at most 1/2, so one exists. */
    size_t start = 0;
    while (m->vals[start] != CXI_NONE)
        start++;
    for (size_t i = 0; i < m->nslots; i++) {
        if (m->vals[i] != CXI_NONE && drop(ctx, m->keys[i], m->vals[i])) {
            m->vals[i] = CXI_NONE;
            removed++;
        }
    }
    if (!removed)
        return;
    m->count -= removed;
    /* Re-place every survivor in order from `start`: an entry only ever moves
     * back towards its home slot, which lies after `start`, so the holes it
     * leaves are in chains the loop has yet to visit. */
    for (size_t k = 1; k <= m->nslots; k++) {
        size_t i = (start + k) & mask;
        if (m->vals[i] == CXI_NONE)
            continue;
        uint64_t key = m->keys[i];
        uint32_t val = m->vals[i];
        m->vals[i] = CXI_NONE;
        m->count--;
        map_place(m, key, val);
    }
}

void cxi_wipe(void *p, size_t n)
{
    if (p && n)
        sodium_memzero(p, n);
}
