#!/usr/bin/env python3
"""Bulk-load benchmark of the Python bindings against C.

Loads N synthetic interactions (and N/10 customers) into a store through
Store.add_customers() / Store.add_interactions(), which make one call each
to cx_customer_add_batch() / cx_interaction_add_batch(), from numpy arrays
and Python lists built beforehand; then runs bench-bindings (bench_bindings.c:
the same arrays, the same generator, the same batch calls from C) and prints
both times and their ratio. A Python loop of single inserts is timed on a
tenth of the events for comparison. Not a test: it prints figures.

Usage: PYTHONPATH=build/bindings/python /usr/bin/python3 bench/bench_bindings.py [N] [BENCH_BINDINGS_EXE]
"""
import os
import subprocess
import sys
import time

import numpy as np

import cxkit

TPS = [("ad", "ads", "awareness"), ("site", "web", "consideration"), ("app", "mobile_app", "consideration"),
       ("checkout", "web", "purchase"), ("delivery", "delivery", "purchase"), ("phone", "phone", "service"),
       ("chat", "chat", "service"), ("email", "email", "service"), ("whatsapp", "whatsapp", "service"),
       ("faq", "self_service", "service")]
KINDS = np.array(["visit", "view", "contact", "purchase"], dtype=object)


def generate(n):
    """The arrays of bench_bindings.c: a 64-bit LCG, computed with numpy."""
    ncust = max(n // 10, 1)
    ids = np.array(["C%d" % i for i in range(ncust)], dtype=object)
    agents = np.array(["agent%d" % i for i in range(200)], dtype=object)
    # x_i = a^i x_0 + c (a^i - 1)/(a - 1) mod 2^64, sequentially (numpy wraps uint64)
    a, c = np.uint64(6364136223846793005), np.uint64(1442695040888963407)
    x = np.empty(n, dtype=np.uint64)
    v = np.uint64(42)
    with np.errstate(over="ignore"):
        # blocks: step the state 1..B with powers of a, then jump
        block = 4096
        pa = np.empty(block, dtype=np.uint64)
        pc = np.empty(block, dtype=np.uint64)
        pa[0], pc[0] = a, c
        for i in range(1, block):
            pa[i] = pa[i - 1] * a
            pc[i] = pc[i - 1] * a + c
        for s in range(0, n, block):
            m = min(block, n - s)
            x[s:s + m] = pa[:m] * v + pc[:m]
            v = x[s + m - 1]
    r = x >> np.uint64(11)
    t = ((r >> np.uint64(8)) % np.uint64(10)).astype(np.int64)
    service = t >= 5
    customers = ids[(r % np.uint64(ncust)).astype(np.int64)]
    touchpoints = np.array([tp[0] for tp in TPS], dtype=object)[t]
    times = (np.int64(1704067200000) + ((r >> np.uint64(20)) % np.uint64(63072000000)).astype(np.int64))
    kinds = KINDS[((r >> np.uint64(40)) & np.uint64(3)).astype(np.int64)]
    directions = ((r >> np.uint64(44)) & np.uint64(1)).astype(np.int32)
    agent_arr = agents[((r >> np.uint64(45)) % np.uint64(200)).astype(np.int64)]
    agent_arr[~service] = None
    durations = np.where(service, ((r >> np.uint64(12)) % np.uint64(900000)).astype(np.int64), 0)
    outcomes = (((r >> np.uint64(50)) % np.uint64(3)) == 2).astype(np.int32)
    segments = ["consumer" if i % 3 else "business" for i in range(ncust)]
    return dict(ids=list(ids), segments=segments, customers=customers, touchpoints=touchpoints, times=times,
                kinds=kinds, directions=directions, agents=agent_arr, durations=durations, outcomes=outcomes)


def new_store():
    s = cxkit.Store()
    for name, channel, stage in TPS:
        s.add_touchpoint(name, channel, stage)
    return s


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    exe = sys.argv[2] if len(sys.argv) > 2 else None
    t = time.perf_counter()
    d = generate(n)
    prep = time.perf_counter() - t
    best = None
    for _ in range(3):
        s = new_store()
        t0 = time.perf_counter()
        s.add_customers(d["ids"], d["segments"])
        t1 = time.perf_counter()
        s.add_interactions(d["customers"], d["touchpoints"], d["times"], kinds=d["kinds"],
                           directions=d["directions"], agents=d["agents"], durations=d["durations"],
                           outcomes=d["outcomes"])
        t2 = time.perf_counter()
        assert s.rows("interactions") == n
        best = (t1 - t0, t2 - t1) if best is None or t2 - t1 < best[1] else best
        s.close()
    print("Python batch: N=%d load customers %.3f s, interactions %.3f s = %.2f M events/s "
          "(arrays built in %.2f s, not counted)" % (n, best[0], best[1], n / best[1] / 1e6, prep))

    m = n // 10
    s = new_store()
    s.add_customers(d["ids"], d["segments"])
    cols = [d[k][:m].tolist() for k in ("customers", "touchpoints", "times", "kinds", "directions", "agents",
                                         "durations", "outcomes")]
    t0 = time.perf_counter()
    for c, tp, tm, k, di, ag, du, oc in zip(*cols):
        s.add_interaction(c, tp, tm, k, di, ag, None, du, oc)
    loop = time.perf_counter() - t0
    print("Python loop of add_interaction: N=%d %.3f s = %.2f M events/s (for comparison)" % (m, loop, m / loop / 1e6))

    if exe is None:
        here = os.path.dirname(os.path.abspath(__file__))
        for cand in ("build-hb5", "build", "build-test"):
            p = os.path.join(here, "..", cand, "bindings", "bench-bindings")
            if os.path.exists(p):
                exe = p
                break
    if exe:
        cbest = None
        for _ in range(3):
            out = subprocess.run([exe, str(n)], capture_output=True, text=True, check=True).stdout
            secs = float(out.split("interactions ")[1].split(" s")[0])
            cust = float(out.split("load customers ")[1].split(" s")[0])
            if cbest is None or secs < cbest[1]:
                cbest, line = (cust, secs), out.strip()
        print(line)
        print("ratio Python / C (interactions + customers): %.2f" % ((best[0] + best[1]) / (cbest[0] + cbest[1])))


if __name__ == "__main__":
    main()
