/*
 * Private mergeable quantile accumulator (durations, scores, amounts).
 *
 * Small populations are kept EXACTLY: up to CXI_QACC_EXACT_MAX values are
 * stored as given and quantiles are those of numpy/pandas by default
 * ("linear", Hyndman & Fan type 7), so a median or p90 matches pandas to the
 * last bit of the interpolation. Beyond that the accumulator turns, once and
 * for good, into a DDSketch-style log-bucketed sketch (Masson, Rim & Lee,
 * "DDSketch: a fast and fully-mergeable quantile sketch with relative-error
 * guarantees", VLDB 2019) with relative accuracy alpha = CXI_QACC_ALPHA.
 *
 * Values: any finite double. Zero (and -0.0) is counted apart; negative
 * values go to a mirrored store indexed by |x|, so they are kept with the
 * same relative accuracy. NaN and infinities are refused with CX_ERANGE.
 * Count, sum (compensated), min and max are always exact.
 *
 * ERROR BOUND (sketch mode). Bucket i holds the x with gamma^(i-1) < |x| <=
 * gamma^i, gamma = (1+alpha)/(1-alpha), and stands for the value
 * (1-alpha)*gamma^i = 2*gamma^i/(gamma+1), which is within a relative
 * alpha of every value of the bucket. The q-quantile is interpolated like type 7
 * between the estimates of the order statistics of rank floor(q(n-1)) and
 * floor(q(n-1))+1 (0-based), and clamped to [min, max]. Hence, writing v for
 * the exact type-7 quantile of the same values:
 *   - when the two order statistics have the same sign (in particular for
 *     all-non-negative data such as durations): |estimate - v| <= alpha*|v|;
 *   - otherwise: |estimate - v| <= alpha * max(|x_(k)|, |x_(k+1)|).
 * (Plus floating-point rounding in log/exp, ~1e-13 relative.) The order
 * statistics of rank 0 and n-1 are min and max themselves, so q = 0 and
 * q = 1 are exact.
 *
 * Memory: exact mode <= 8 * CXI_QACC_EXACT_MAX bytes; sketch mode 8 bytes
 * per bucket between the smallest and largest |x| seen, per sign: about
 * 100 buckets per factor e of range (1 ms .. 1 year: ~2 400 buckets, 19 KiB);
 * the whole double range is ~145 000 buckets (1.1 MiB) per sign at worst.
 *
 * Mergeable: merging accumulators built from any partition of a stream gives
 * the same quantiles as one pass over the stream (exact: the same values;
 * sketch: the same bucket counts). Only the sum may differ in its last bits,
 * floating-point addition not being associative.
 *
 * Failure atomicity: a call that fails (CX_ENOMEM included) leaves the
 * accumulator exactly as it was, and usable.
 *
 * Not thread-safe on one accumulator (cxi_qacc_quantile sorts in place);
 * distinct accumulators are independent.
 */
#ifndef CXI_QACC_H
#define CXI_QACC_H

#include <stdint.h>

#include "../base/base.h"
#include "wire.h"

/* Exact mode holds at most this many values. */
#define CXI_QACC_EXACT_MAX 4096
/* Relative accuracy of the sketch. */
#define CXI_QACC_ALPHA 0.005
/* Version of the serialised form written by cxi_qacc_serialize. */
#define CXI_QACC_WIRE_VERSION 1

/* One sign's buckets: counts[k] is the count of bucket index lo + k. */
typedef struct cxi_qstore {
    uint64_t *counts; /* `len` counters, or NULL */
    int32_t lo;
    uint32_t len;
} cxi_qstore;

typedef struct cxi_qacc {
    uint64_t count;
    double sum, sum_c; /* Neumaier-compensated sum: sum + sum_c */
    double min, max;   /* meaningful when count > 0 */
    int sketch;        /* 0: exact mode, 1: sketch mode (never goes back) */
    /* exact mode */
    double *vals;      /* `count` values, `cap` allocated */
    uint32_t cap;
    int sorted;        /* vals is in ascending order */
    /* sketch mode */
    uint64_t zeros;
    cxi_qstore pos, neg; /* neg is indexed by |x| */
} cxi_qacc;

/* An empty accumulator (exact mode); allocates nothing. */
void cxi_qacc_init(cxi_qacc *a);
/* Gives the memory back and leaves `a` empty (as after init). */
void cxi_qacc_free(cxi_mem *m, cxi_qacc *a);

/* Adds one value. CX_ERANGE for NaN or +-infinity; CX_ENOMEM. Amortised
 * O(1): allocation only when the value array or a bucket range grows
 * (geometrically), or once when switching to sketch mode. */
int cxi_qacc_add(cxi_mem *m, cxi_qacc *a, double v);

/* dst += src (src unchanged; src == dst doubles dst). Exact + exact stays
 * exact while the total count is <= CXI_QACC_EXACT_MAX. CX_ENOMEM. */
int cxi_qacc_merge(cxi_mem *m, cxi_qacc *dst, const cxi_qacc *src);

uint64_t cxi_qacc_count(const cxi_qacc *a);
/* Sum of the values (compensated summation); 0 when empty. */
double cxi_qacc_sum(const cxi_qacc *a);
/* The mean: NaN when empty. */
double cxi_qacc_mean(const cxi_qacc *a);

/* The q-quantile, q in [0, 1]: in exact mode numpy's default ("linear",
 * type 7): h = q*(n-1), x_(floor h) + (h - floor h)*(x_(floor h + 1) - x_(floor h));
 * in sketch mode the estimate described at the top (relative error <= alpha).
 * An empty accumulator gives *out = NaN and CX_OK (no data is not an error).
 * q outside [0, 1] or NaN: CX_EINVAL, *out = NaN. Exact mode sorts the
 * values the first time after an add (hence non-const); later calls are
 * O(1). Sketch mode walks the buckets: O(buckets). */
int cxi_qacc_quantile(double *out, cxi_qacc *a, double q);

/* Appends the versioned, little-endian serialised form to `b` (its sticky
 * error is returned: CX_ENOMEM). Layout, version 1:
 *   u32 magic "CXQA", u8 version, u8 mode (0 exact, 1 sketch),
 *   u64 count, f64 sum, f64 sum_c, f64 min, f64 max, then
 *   exact:  count x f64 values
 *   sketch: f64 alpha, u64 zeros, and for the positive then the negative
 *           store: i64 lo, u32 len, len x u64 counts (trimmed to the
 *           non-zero range). */
int cxi_qacc_serialize(const cxi_qacc *a, cxi_wbuf *b);

/* Reads one serialised accumulator from `r` into `a`, which must be
 * initialised: on success its old contents are freed and replaced, on
 * failure `a` is unchanged and nothing is leaked. The reader is left after
 * the record (trailing bytes are the caller's). Errors: CX_EPARSE for
 * truncated or inconsistent input (bad magic, counts that do not add up,
 * non-finite values, min > max, buckets out of range, ...); CX_EVERSION
 * for a version other than CXI_QACC_WIRE_VERSION or another alpha;
 * CX_ENOMEM. */
int cxi_qacc_deserialize(cxi_mem *m, cxi_qacc *a, cxi_rbuf *r);

/* Bucket index of |x| > 0 in sketch mode (exposed for tests):
 * ceil(log(|x|) / ln gamma), clamped; for 1 <= |x| < 2^44 read from the
 * tables of qacc_table.h (generated by qacc_table_gen.c with that very
 * formula), the same integer without a call to log(). */
int32_t cxi_qacc_index(double absx);

#endif
