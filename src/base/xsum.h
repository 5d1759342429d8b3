/*
 * Sums of doubles that do not depend on the order of their terms (issue
 * 14: the same records in another order give the same results). A double
 * sum rounds after every term, so rows read in another order change its
 * last digits: path counts printed 1037.8999999999999 for rows sorted and
 * 1037.9 shuffled.
 *
 * cxi_xsum keeps the sum in fixed point, an integer part and a fraction in
 * units of 2^-62 (two int64_t), added without rounding, so any order of
 * the same terms leaves the same state: each term is cut to a multiple of
 * 2^-62 towards 0, on its own, before it is added (exact for every term
 * of 2^-9 or more, and for every amount in cents or any whole number).
 * cxi_xsum_value rounds the state once. A term that is not finite or of
 * 2^62 or more in magnitude (or an integer part that would reach 2^62)
 * turns the sum into an ordinary double sum from then on ("wide", from
 * the fixed-point value so far), which the order can change again; NaN
 * and infinities propagate as in one.
 * An add is a few instructions (truncations, no libm call).
 */
#ifndef CXI_XSUM_H
#define CXI_XSUM_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cxi_xsum {
    int64_t hi;  /* the integer part */
    int64_t lo;  /* the fraction, in units of 2^-62, |lo| < 2^62 */
    double wide; /* the sum once wide (the fixed-point value then, plus what came after) */
    bool is_wide;
} cxi_xsum;

#define CXI_XSUM_ONE INT64_C(4611686018427387904) /* 2^62 */
#define CXI_XSUM_LIMIT 4611686018427387904.0     /* 2^62 */

static inline double cxi_xsum_fixed(const cxi_xsum *s) { return (double)s->hi + (double)s->lo * 0x1p-62; }

/* lo back under 2^62 in magnitude (|lo| < 2^63 on entry), the carry in hi;
 * wide once hi reaches 2^62 (|hi| < 2^63 on entry). */
static inline void cxi_xsum_norm(cxi_xsum *s)
{
    if (s->lo >= CXI_XSUM_ONE) {
        s->lo -= CXI_XSUM_ONE;
        s->hi++;
    } else if (s->lo <= -CXI_XSUM_ONE) {
        s->lo += CXI_XSUM_ONE;
        s->hi--;
    }
    if (s->hi >= CXI_XSUM_ONE || s->hi <= -CXI_XSUM_ONE) {
        s->wide = cxi_xsum_fixed(s);
        s->is_wide = true;
    }
}

static inline void cxi_xsum_add(cxi_xsum *s, double v)
{
    if (s->is_wide) {
        s->wide += v;
        return;
    }
    if (!(fabs(v) < CXI_XSUM_LIMIT)) { /* NaN too */
        s->wide = cxi_xsum_fixed(s) + v;
        s->is_wide = true;
        return;
    }
    int64_t n = (int64_t)v;                           /* towards 0 */
    int64_t f = (int64_t)((v - (double)n) * 0x1p62); /* v - n is exact, |.| < 1 */
    s->hi += n;                                       /* |hi|, |n| < 2^62: no overflow */
    s->lo += f;
    cxi_xsum_norm(s);
}

/* The sum, rounded from the exact state (the double sum once wide). */
static inline double cxi_xsum_value(const cxi_xsum *s) { return s->is_wide ? s->wide : cxi_xsum_fixed(s); }

/* Adds another sum's terms (shards, parts of a parallel pass). */
static inline void cxi_xsum_merge(cxi_xsum *s, const cxi_xsum *o)
{
    if (s->is_wide || o->is_wide) {
        s->wide = cxi_xsum_value(s) + cxi_xsum_value(o);
        s->is_wide = true;
        return;
    }
    s->hi += o->hi;
    s->lo += o->lo;
    cxi_xsum_norm(s);
}

/* Faster, for hot loops whose terms' magnitudes add up to at most a bound
 * known beforehand (attribution's credits: each conversion shares out its
 * count and its value): one fixed scale for every term, 2^k with the bound
 * times 2^k below 2^61, each term cut to a multiple of 2^-k towards 0 on
 * its own and added as an integer (a product, a truncation and an add).
 * The same terms in any order leave the same integer; a column's sum is
 * then exact to within its terms' count times 2^-k, far below a double's
 * rounding of the bound. A bound that is not finite (terms summing to
 * infinity) makes ordinary double sums ("plain"). */
typedef struct cxi_fix {
    double to, from; /* 2^k, 2^-k */
    bool plain;
} cxi_fix;

typedef struct cxi_fixacc {
    int64_t i;
    double d; /* plain sums */
} cxi_fixacc;

static inline cxi_fix cxi_fix_for(double bound)
{
    cxi_fix f = {1, 1, !(bound < HUGE_VAL)};
    if (!f.plain) {
        int e;
        frexp(bound > 1 ? bound : 1, &e); /* bound < 2^e */
        f.to = ldexp(1, 61 - e);
        f.from = ldexp(1, e - 61);
    }
    return f;
}

static inline void cxi_fix_add(const cxi_fix *f, cxi_fixacc *a, double v)
{
    if (f->plain)
        a->d += v;
    else
        a->i += (int64_t)(v * f->to);
}

static inline double cxi_fix_value(const cxi_fix *f, const cxi_fixacc *a)
{
    return f->plain ? a->d : (double)a->i * f->from;
}

#endif
