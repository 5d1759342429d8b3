"""Bulk loading from a pandas DataFrame against the plain batch call.

Loads N interactions (generated, default 10^6) into a store twice: once
with Store.from_pandas("interactions", df) from a DataFrame as a CRM export
gives it (customer ids as text, touchpoint / kind / agent / outcome as
categoricals, time-zone-aware timestamps, durations with missing values),
and once with Store.add_interactions() from arrays prepared beforehand
(lists of str, int64 milliseconds, int32 codes, float64). Prints both
times, their ratio (the bar: within 2x) and the peak resident set.

Then results out: Result.to_pandas() of a journey list of at least N rows
(N customers with two interactions each; text, time, int and flag columns),
column-wise as the library does it now (Result.column_reals / column_ints /
column_strings: one call per column) against the former cell-by-cell way
(one Result.get per cell), in CPU seconds; both frames must be equal.

    PYTHONPATH=build/bindings/python /usr/bin/python3 bench/python_frames_bench.py [N]
"""
import resource
import sys
import time

import numpy as np
import pandas as pd

import cxkit

import cxkit.frames  # noqa: F401  (import cxkit installs it: Store.from_pandas)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10 ** 6
CUSTOMERS = max(1, N // 12)
TOUCHPOINTS = ["website", "app", "store", "phone", "chat", "email"]


def store():
    s = cxkit.Store()
    for t in TOUCHPOINTS:
        s.add_touchpoint(t, "web", "consideration")
    s.add_customers(["C-%07d" % i for i in range(CUSTOMERS)])
    s.reserve("interactions", N)
    return s


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


rng = np.random.default_rng(13)
cust = rng.integers(0, CUSTOMERS, N)
ids = np.array(["C-%07d" % i for i in range(CUSTOMERS)], dtype=object)[cust]
tp = rng.integers(0, len(TOUCHPOINTS), N)
ms = np.int64(1704067200000) + np.sort(rng.integers(0, 2 * 365 * 86400000, N))
dur = rng.integers(0, 3600000, N).astype(np.float64)
dur[rng.random(N) < 0.1] = np.nan  # missing: duration 0
outc = rng.integers(0, 3, N)
kinds = np.array(["visit", "view", "contact", "purchase"], dtype=object)[rng.integers(0, 4, N)]
value = rng.random(N) * 100

df = pd.DataFrame({
    "customer": ids,
    "touchpoint": pd.Categorical.from_codes(tp, TOUCHPOINTS),
    "time": pd.to_datetime(ms, unit="ms", utc=True).tz_convert("Asia/Riyadh"),
    "kind": pd.Categorical(kinds),
    "duration_ms": dur,
    "outcome": pd.Categorical.from_codes(outc, ["handled", "missed", "abandoned"]),
    "value": value,
})
print("N = %d interactions, %d customers; DataFrame %.0f MB; rss after generating %.0f MB"
      % (N, CUSTOMERS, df.memory_usage(deep=True).sum() / 2 ** 20, rss_mb()))

# the plain batch call, with everything prepared as the C call takes it
customers = ids.tolist()
touchpoints = [TOUCHPOINTS[i] for i in tp]
kinds_l = kinds.tolist()
durations = np.nan_to_num(dur, nan=0).astype(np.int64)
outcomes = outc.astype(np.intc)

s1 = store()
t0 = time.perf_counter()
s1.add_interactions(customers, touchpoints, ms, kinds=kinds_l, durations=durations, outcomes=outcomes, values=value)
t_batch = time.perf_counter() - t0
rss_batch = rss_mb()
del customers, touchpoints, kinds_l

s2 = store()
t0 = time.perf_counter()
s2.from_pandas("interactions", df)
t_frame = time.perf_counter() - t0
rss_frame = rss_mb()

assert s1.rows("interactions") == s2.rows("interactions") == N
for i in (0, N // 2, N - 1):
    assert s1.record("interactions", i) == s2.record("interactions", i), i

print("batch call (prepared arrays): %.3f s  (%.0f ns/row)  peak rss %.0f MB" % (t_batch, t_batch / N * 1e9, rss_batch))
print("from_pandas (DataFrame):      %.3f s  (%.0f ns/row)  peak rss %.0f MB" % (t_frame, t_frame / N * 1e9, rss_frame))
print("ratio from_pandas / batch: %.2f (bar: 2.00) %s" % (t_frame / t_batch, "ok" if t_frame <= 2 * t_batch else "OVER"))
print("store memory: %.0f MB each" % (s2.memory() / 2 ** 20))


# ---- results out: to_pandas of a result of >= N rows ------------------------------------

def cellwise_to_pandas(r):
    """to_pandas as it was before the bulk column readers: one get() per cell."""
    names = r.column_names()
    types = [r.column_type(c) for c in range(len(names))]
    cols = {name: [r.get(i, c) for i in range(r.rows())] for c, name in enumerate(names)}
    return cxkit.frames._frame(names, types, cols)


del s1, s2, df
s3 = cxkit.Store()
for t in TOUCHPOINTS:
    s3.add_touchpoint(t, "web", "consideration")
s3.add_customers(["C-%07d" % i for i in range(N)])
first = np.int64(1704067200000) + rng.integers(0, 365 * 86400000, N)
s3.add_interactions(["C-%07d" % i for i in range(N)] * 2,
                    [TOUCHPOINTS[i] for i in rng.integers(0, len(TOUCHPOINTS), 2 * N)],
                    np.concatenate([first, first + rng.integers(60000, 30 * 86400000, N)]),
                    kinds=["visit"] * N + ["purchase"] * N)
res = cxkit.Journeys(s3, conversion="purchase").list()
rows = res.rows()
assert rows >= N, rows
c0 = time.process_time()
df_new = res.to_pandas()
c_new = time.process_time() - c0
c0 = time.process_time()
df_old = cellwise_to_pandas(res)
c_old = time.process_time() - c0
pd.testing.assert_frame_equal(df_new, df_old, check_exact=True)
print("to_pandas of a journey list, %d rows x %d columns (CPU s):" % (rows, res.columns()))
print("  cell by cell (before): %.2f s  (%.0f ns/cell)" % (c_old, c_old / (rows * res.columns()) * 1e9))
print("  column-wise (now):     %.2f s  (%.0f ns/cell)  %.0fx faster" % (
    c_new, c_new / (rows * res.columns()) * 1e9, c_old / c_new))
