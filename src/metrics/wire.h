/*
 * Private serialisation helpers: a growable byte buffer to write into and a
 * bounds-checked reader, both little-endian whatever the host, so that a
 * serialised accumulator written on one machine reads back on any other.
 *
 * Errors are sticky (as in a FILE's error flag): after the first failure the
 * buffer ignores further writes and the reader returns zeros, so a caller
 * writes or reads a whole record and checks `err` once at the end.
 *
 * Doubles travel as their IEEE 754 binary64 bit pattern in a u64; this
 * assumes the host's double is binary64 with the same byte order as its
 * integers, true of every platform the library targets (checked below).
 */
#ifndef CXI_WIRE_H
#define CXI_WIRE_H

#include <float.h>
#include <stdint.h>
#include <string.h>

#include "../base/base.h"

_Static_assert(sizeof(double) == 8 && DBL_MANT_DIG == 53, "doubles must be IEEE 754 binary64");

/* ---- writer ---------------------------------------------------------- */

typedef struct cxi_wbuf {
    cxi_mem *mem;  /* allocator of `data` */
    uint8_t *data; /* `cap` bytes, the first `len` written */
    size_t len, cap;
    int err;       /* CX_OK, or the first failure (CX_ENOMEM, CX_ELIMIT) */
} cxi_wbuf;

static inline void cxi_wbuf_init(cxi_wbuf *b, cxi_mem *mem)
{
    b->mem = mem;
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = CX_OK;
}

static inline void cxi_wbuf_free(cxi_wbuf *b)
{
    cxi_free(b->mem, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Makes room for `n` more bytes; on failure sets the sticky error (and the
 * thread's last error) and leaves the written bytes as they were. */
static inline int cxi_wbuf_reserve(cxi_wbuf *b, size_t n)
{
    if (b->err)
        return b->err;
    if (b->cap - b->len >= n)
        return CX_OK;
    if (n > SIZE_MAX / 2 - b->len)
        return b->err = cxi_fail(CX_ELIMIT, "serialise: more bytes than the address space holds");
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < n)
        cap *= 2;
    uint8_t *p = cxi_realloc(b->mem, b->data, b->cap, cap);
    if (!p)
        return b->err = cxi_fail(CX_ENOMEM, "serialise: out of memory for %zu bytes", cap);
    b->data = p;
    b->cap = cap;
    return CX_OK;
}

static inline int cxi_wbuf_bytes(cxi_wbuf *b, const void *src, size_t n)
{
    if (cxi_wbuf_reserve(b, n))
        return b->err;
    if (n)
        memcpy(b->data + b->len, src, n);
    b->len += n;
    return CX_OK;
}

static inline int cxi_wbuf_u8(cxi_wbuf *b, uint8_t v) { return cxi_wbuf_bytes(b, &v, 1); }

static inline int cxi_wbuf_u32(cxi_wbuf *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return cxi_wbuf_bytes(b, x, sizeof x);
}

static inline int cxi_wbuf_u64(cxi_wbuf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return cxi_wbuf_bytes(b, x, sizeof x);
}

/* Two's complement, whatever the host's representation of negatives. */
static inline int cxi_wbuf_i64(cxi_wbuf *b, int64_t v) { return cxi_wbuf_u64(b, (uint64_t)v); }

static inline int cxi_wbuf_f64(cxi_wbuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return cxi_wbuf_u64(b, u);
}

/* ---- reader ---------------------------------------------------------- */

typedef struct cxi_rbuf {
    const uint8_t *p; /* `len` bytes */
    size_t len, pos;  /* pos: next byte to read */
    int err;          /* CX_OK, or CX_EPARSE after an attempt to read past the end */
} cxi_rbuf;

static inline void cxi_rbuf_init(cxi_rbuf *r, const void *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
    r->err = CX_OK;
}

static inline size_t cxi_rbuf_left(const cxi_rbuf *r) { return r->err ? 0 : r->len - r->pos; }

/* The next `n` bytes, or NULL (setting the sticky CX_EPARSE and the thread's
 * last error) when fewer remain; a failed read consumes nothing. */
static inline const uint8_t *cxi_rbuf_take(cxi_rbuf *r, size_t n)
{
    if (r->err)
        return NULL;
    if (r->len - r->pos < n) {
        r->err = cxi_fail(CX_EPARSE, "deserialise: input truncated at byte %zu (%zu more needed)", r->pos, n);
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

static inline uint8_t cxi_rbuf_u8(cxi_rbuf *r)
{
    const uint8_t *q = cxi_rbuf_take(r, 1);
    return q ? q[0] : 0;
}

static inline uint32_t cxi_rbuf_u32(cxi_rbuf *r)
{
    const uint8_t *q = cxi_rbuf_take(r, 4);
    uint32_t v = 0;
    if (q)
        for (int i = 0; i < 4; i++)
            v |= (uint32_t)q[i] << (8 * i);
    return v;
}

static inline uint64_t cxi_rbuf_u64(cxi_rbuf *r)
{
    const uint8_t *q = cxi_rbuf_take(r, 8);
    uint64_t v = 0;
    if (q)
        for (int i = 0; i < 8; i++)
            v |= (uint64_t)q[i] << (8 * i);
    return v;
}

static inline int64_t cxi_rbuf_i64(cxi_rbuf *r)
{
    uint64_t u = cxi_rbuf_u64(r);
    /* two's complement back without relying on implementation-defined
     * conversion of out-of-range unsigned values */
    if (u <= (uint64_t)INT64_MAX)
        return (int64_t)u;
    return -(int64_t)(~u) - 1;
}

static inline double cxi_rbuf_f64(cxi_rbuf *r)
{
    uint64_t u = cxi_rbuf_u64(r);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

#endif
