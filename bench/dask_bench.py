#!/usr/bin/env python3
"""dask_bench.py: cxkit.dask on 1 and on 2 LocalCluster workers.

Generates --rows interactions (default 2 x 10^7; bench/dask_data.py, fixed
seeds) as --partitions disjoint sets of customers, each written to its own
CSV files (not timed), then times cxkit.dask.compute() of a metrics
scorecard by channel and by month, the journey transition counts, the
monthly cohorts and the model summary, on a LocalCluster of 1 worker and
of 2 workers (one thread each, separate processes): wall time, rows/s, and
the bytes each partition ships back to the driver. --single also times the
same analyses on one store in this process.

Usage: PYTHONPATH=build/bindings/python python3 bench/dask_bench.py
           [--rows N] [--partitions P] [--workers 1,2] [--work-dir DIR] [--single]
"""
import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time

import cxkit
import cxkit.dask

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import dask_data  # noqa: E402

ANALYSES = {
    "by_channel": ("metrics", {"measures": ["nps", "csat", "ces", "fcr", "resolution", "missed_rate",
                                            "handle_time", "repeat_rate"], "group_by": ["channel"]}),
    "by_month": ("metrics", {"measures": ["nps", "csat", "handle_time"], "group_by": [("time", "month", 0)]}),
    "transitions": ("transitions", {}),
    "cohorts": ("cohorts", {}),
    "summary": ("summary", {"calibration_end": "2025-07-01"}),
}
TABLES = ["customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"]


def write_partitions(rows, parts, work):
    data = {}
    per = [rows // parts + (1 if i < rows % parts else 0) for i in range(parts)]
    for i, n in enumerate(per):
        tables = dask_data.generate(n, seed=1000 + i, prefix="P%d" % i)
        one = cxkit.dask.split_csv(tables, 1, os.path.join(work, "p%d" % i))
        for t, v in one.items():
            if isinstance(v, list):
                data.setdefault(t, []).extend(v)
            else:
                data[t] = v  # the same touchpoints and questions in every set
        print("  partition %d: %d interactions written" % (i, n), flush=True)
    return data


def single(data):
    t0 = time.perf_counter()
    s = cxkit.Store()
    for t in TABLES:
        for f in (data[t] if isinstance(data[t], list) else [data[t]]):
            s.import_csv(t, f)
    q = cxkit.Query(s)
    for m in ANALYSES["by_channel"][1]["measures"]:
        q.add(m)
    q.group_by("channel")
    q.run()
    q = cxkit.Query(s)
    for m in ANALYSES["by_month"][1]["measures"]:
        q.add(m)
    q.group_by_time("month", 0)
    q.run()
    cxkit.Journeys(s).transitions(1)
    cxkit.cohorts(s)
    cxkit.Summary(s, "2025-07-01").table()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=2 * 10 ** 7)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--work-dir")
    ap.add_argument("--single", action="store_true")
    args = ap.parse_args()
    import distributed

    work = args.work_dir or tempfile.mkdtemp(prefix="cx-dask-bench-")
    t0 = time.perf_counter()
    print("Generating %d interactions in %d partitions under %s" % (args.rows, args.partitions, work), flush=True)
    data = write_partitions(args.rows, args.partitions, work)
    size = sum(os.path.getsize(f) for t in data for f in (data[t] if isinstance(data[t], list) else [data[t]]))
    print("Written in %.0f s: %.0f MB of CSV" % (time.perf_counter() - t0, size / 1e6), flush=True)

    print("\n%-8s %10s %12s %14s %s" % ("workers", "wall s", "rows/s", "bytes/part", "(bytes per partition: min-max)"))
    results = {}
    for w in [int(x) for x in args.workers.split(",")]:
        with distributed.LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=":0",
                                      memory_limit=0) as cluster, distributed.Client(cluster) as client:
            client.run(lambda: __import__("cxkit.dask"))  # imports are not timed
            stats = {}
            t = time.perf_counter()
            res = cxkit.dask.compute(data, ANALYSES, client=client, stats=stats)
            wall = time.perf_counter() - t
        results[w] = res
        b = stats["bytes"]
        print("%-8d %10.1f %12.0f %14.0f (%d-%d; by analysis: %s)" % (
            w, wall, args.rows / wall, sum(b) / len(b), min(b), max(b),
            ", ".join("%s %.0f" % (k, sum(v) / len(v)) for k, v in stats["bytes_by_analysis"].items())),
            flush=True)
    if len(results) > 1:
        a, b = list(results.values())[:2]
        same = a["by_channel"].serialize() == b["by_channel"].serialize() and a["transitions"].equals(
            b["transitions"]) and a["cohorts"].equals(b["cohorts"])
        print("1 and 2 workers give the same merged results: %s" % ("yes" if same else "NO"))
    if args.single:
        wall = single(data)
        print("%-8s %10.1f %12.0f  (one store in this process, the same analyses)" % ("single", wall,
                                                                                    args.rows / wall))
    if not args.work_dir:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
