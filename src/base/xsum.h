/*
 * Sums of doubles that do not depend on the order of their terms (issue
 * 14: the same records in another order give the same results). A double
 * sum rounds after every term, so rows read in another order change its
 * last digits: path counts printed 1037.8999999999999 for rows sorted and
 * 1037.9 shuffled.
 *
 * cxi_xsum keeps the sum in fixed point, an integer part (int64_t) and 64
 * bits of fraction, added without rounding, so any order of the same terms
 * leaves the same state: each term is cut to a multiple of 2^-64 (exact
 * for every term of 2^-11 or more, and for every amount in cents or any
 * whole number), on its own, before it is added. cxi_xsum_value rounds
 * the state once. A term that is not finite or of 2^62 or more in
 * magnitude (or an integer part that would pass 2^62) turns the sum into
 * an ordinary double sum from then on ("wide"), which the order can change
 * again, and NaN and infinities propagate as in one.
 */
#ifndef CXI_XSUM_H
#define CXI_XSUM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cxi_xsum {
    int64_t hi;  /* the integer part (floor) */
    uint64_t lo; /* the fraction, in units of 2^-64 */
    double wide; /* the sum as doubles, kept up for the fallback */
    bool is_wide;
} cxi_xsum;

#define CXI_XSUM_LIMIT 4611686018427387904.0 /* 2^62 */

static inline void cxi_xsum_add(cxi_xsum *s, double v)
{
    s->wide += v;
    if (s->is_wide)
        return;
    if (!(fabs(v) < CXI_XSUM_LIMIT)) { /* NaN too */
        s->is_wide = true;
        return;
    }
    double fl = floor(v);
    uint64_t f = (uint64_t)ldexp(v - fl, 64); /* v - fl is exact, in [0, 1) */
    int64_t n = (int64_t)fl;
    uint64_t lo = s->lo + f;
    n += lo < f; /* the carry */
    s->lo = lo;
    if ((n > 0 && s->hi > INT64_C(4611686018427387904) - n) || (n < 0 && s->hi < -INT64_C(4611686018427387904) - n)) {
        s->is_wide = true;
        return;
    }
    s->hi += n;
}

/* The sum, rounded once from the exact state (the double sum when wide). */
static inline double cxi_xsum_value(const cxi_xsum *s)
{
    if (s->is_wide)
        return s->wide;
    return (double)s->hi + ldexp((double)s->lo, -64);
}

/* Adds another sum's terms (shards, parts of a parallel pass). */
static inline void cxi_xsum_merge(cxi_xsum *s, const cxi_xsum *o)
{
    s->wide += o->wide;
    if (s->is_wide || o->is_wide) {
        s->is_wide = true;
        return;
    }
    uint64_t lo = s->lo + o->lo;
    int64_t n = o->hi + (lo < o->lo);
    s->lo = lo;
    if ((n > 0 && s->hi > INT64_C(4611686018427387904) - n) || (n < 0 && s->hi < -INT64_C(4611686018427387904) - n)) {
        s->is_wide = true;
        return;
    }
    s->hi += n;
}

#endif
