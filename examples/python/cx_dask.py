#!/usr/bin/env python3
"""cx_dask.py: the CX analyses beyond one machine, with cxkit.dask.

Splits the data by customer into partitions (CSV files), has a Dask cluster
compute each partition's mergeable state with the binding (metric results,
journey transition and path counts, attribution (heuristic sums and the
path counts the Markov chain is solved from), cohort counts,
the per-customer model summary), merges the states, prints the merged
results, then computes the same analyses on one store of all the data and
prints whether each merged result equals it (counts exactly, quantiles
within the 0.5 % sketch bound). Exits 1 if one does not.

Usage:
  python3 cx_dask.py [--partitions 4] [--workers 2] [--generate ROWS]
                     [--scheduler tcp://host:8786 --work-dir /shared/dir] [DATA_DIR]

By default it starts a LocalCluster of --workers worker processes (one
thread each) on this machine. To use a running cluster instead, start a
scheduler and workers, e.g.
    dask-scheduler                        # on host, listens on :8786
    dask-worker tcp://host:8786           # on each worker machine
and pass --scheduler tcp://host:8786. The workers must be able to import
cxkit (installed, or PYTHONPATH pointing at the build's bindings/python) and
to read the partition files: pass --work-dir, a directory every worker sees
at the same path (NFS, a shared volume); by default the files go to a
temporary directory of this machine.

DATA_DIR defaults to the demo data (examples/data); --generate ROWS uses a
generated set of ROWS interactions instead (bench/dask_data.py, fixed seed).
Runs from the build tree (PYTHONPATH=build/bindings/python) or installed.
"""
import argparse
import math
import pathlib
import shutil
import sys
import tempfile
import time

import cxkit
import cxkit.dask

HERE = pathlib.Path(__file__).resolve().parent
TABLES = ["customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"]
MEASURES = ["nps", "csat", "ces", "fcr", "resolution", "missed_rate", "abandon_rate", "handle_time", "repeat_rate"]
CALIBRATION_END = "2025-10-01T00:00:00+03:00"
SKETCH_BOUND = 0.005


def analyses():
    return {"scorecard": ("metrics", {"measures": MEASURES, "group_by": ["channel"]}),
            "transitions": ("transitions", {}),
            "paths": ("paths", {"top_k": 8}),
            "attribution": ("attribution", {"journey_options": {"level": "channel"}}),
            "cohorts": ("cohorts", {"bucket": "quarter"}),
            "summary": ("summary", {"calibration_end": CALIBRATION_END})}


def fmt(x, spec="7.1f"):
    return format(x, spec) if not (isinstance(x, float) and math.isnan(x)) else "-".rjust(int(spec.split(".")[0]))


def show(res):
    print("\nScorecard by channel (merged Result of %d rows)" % res["scorecard"].rows())
    print("  %-13s %7s %6s %7s %7s %7s %9s %9s" % ("channel", "NPS", "n", "CSAT%", "FCR%", "missed%", "AHT med s",
                                                  "AHT p90 s"))
    for r in res["scorecard"]:
        print("  %-13s %s %6d %s %s %s %s %s" % (
            r["channel"] or "(none)", fmt(r["nps"]), r["nps_n"], fmt(r["csat"]), fmt(r["fcr"]), fmt(r["missed_rate"]),
            fmt(r["handle_time_median"] / 1000, "9.0f"), fmt(r["handle_time_p90"] / 1000, "9.0f")))
    tr = res["transitions"].sort_values("count", ascending=False, kind="mergesort").head(6)
    print("\nMost frequent journey transitions (of %d)" % len(res["transitions"]))
    for r in tr.itertuples():
        print("  %-18s -> %-18s %8d  %5.1f %%" % (r[1], r[2], r.count, 100 * r.probability))
    print("\nTop paths")
    for r in res["paths"].itertuples():
        print("  %7d journeys %5.1f %% converted  median %6.1f h  %s" % (
            r.journeys, r.conversion_rate, r.median_duration_ms / 3600000, r.path[:60]))
    print("\nAttribution of the purchases by channel (Markov from the merged path counts, and heuristics)")
    for r in res["attribution"].head(6).itertuples():
        print("  %-13s markov %8.1f  first %8.1f  last %8.1f  linear %8.1f  position %8.1f" % (
            r.name, r.markov, r.first_touch, r.last_touch, r.linear, r.position_based))
    co = res["cohorts"]
    print("\nQuarterly cohorts: retention one quarter after the start")
    for r in co[co["period"] == 1].itertuples():
        print("  %-8s size %6d  retention %5.1f %%" % (r.cohort_label, r.size, 100 * r.retention))
    s = res["summary"]
    print("\nModel summary: %d customers; BG/NBD fitted to the merged summary:" % s.count(), end="")
    try:
        params = s.fit("bgnbd").params()
        print("  " + ", ".join("%s %.4g" % (p["name"], p["value"]) for p in params))
    except cxkit.Error as e:
        print("  no fit (%s)" % e)


def single_store(data):
    s = cxkit.Store()
    for t in TABLES:
        for f in (data[t] if isinstance(data[t], list) else [data[t]]):
            rep = s.import_csv(t, f)
            if rep.rejected():
                raise SystemExit("%s: %d rows rejected: %s" % (f, rep.rejected(), rep.rejects()[:1]))
    return s


def same_result(a, b):
    if a.column_names() != b.column_names() or a.rows() != b.rows():
        return False
    for c, name in enumerate(b.column_names()):
        real = b.column_type(c) == cxkit.TYPE_REAL
        for r in range(b.rows()):
            x, y = a.get(r, c), b.get(r, c)
            if not real:
                ok = x == y
            elif math.isnan(y) or math.isnan(x):
                ok = math.isnan(x) and math.isnan(y)
            else:
                tol = SKETCH_BOUND if name.endswith(("_median", "_p90")) else 1e-12
                ok = abs(x - y) <= tol * max(abs(y), 1e-9)
            if not ok:
                return False
    return True


def same_frame(a, b, key):
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    if len(a) != len(b):
        return False
    for col in a.columns:
        x, y = a[col], b[col]
        if y.dtype.kind == "f":
            # path medians come from a sketch (cxkit.dask.PATH_MEDIAN_BOUND), the rest from counts
            tol = (SKETCH_BOUND * y.abs() + 1e-9) if col.startswith("median_") else 1e-9 * y.abs().clip(lower=1)
            if not (((x - y).abs() <= tol) | (x.isna() & y.isna())).all():
                return False
        elif list(x) != list(y):
            return False
    return True


def compare(res, store):
    q = cxkit.Query(store)
    for m in MEASURES:
        q.add(m)
    q.group_by("channel")
    j = cxkit.Journeys(store)
    jc = cxkit.Journeys(store, level="channel")
    paths = j.paths(max(1, j.count())).to_pandas()
    attr = jc.attribution(1).to_pandas()
    summary = cxkit.Summary(store, CALIBRATION_END).table().to_pandas()
    checks = {
        "scorecard": same_result(res["scorecard"], q.run()),
        "transitions": same_frame(res["transitions"], j.transitions(1).to_pandas(), ["from", "to"]),
        "paths": same_frame(res["paths"], paths.sort_values(["journeys", "path"], ascending=[False, True],
                                                          kind="mergesort").head(8)[list(res["paths"].columns)],
                            ["path"]),
        "attribution": same_frame(res["attribution"], attr[list(res["attribution"].columns)], ["name"]),
        "cohorts": same_frame(res["cohorts"], cxkit.cohorts(store, bucket="quarter").to_pandas(), ["cohort", "period"]),
        "summary": same_frame(res["summary"].frame, summary, ["customer"]),
    }
    print("\nEqual to the single store's results on the same data:")
    for name, ok in checks.items():
        print("  %-12s %s" % (name, "yes" if ok else "NO"))
    return all(checks.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=str(HERE.parent / "data"))
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    ap.add_argument("--scheduler", help="address of a running scheduler, e.g. tcp://host:8786")
    ap.add_argument("--work-dir", help="where to write the partition files (shared with the workers)")
    ap.add_argument("--generate", type=int, metavar="ROWS", help="use ROWS generated interactions")
    args = ap.parse_args()

    import distributed
    work = args.work_dir or tempfile.mkdtemp(prefix="cx-dask-")
    if args.generate:
        sys.path.insert(0, str(HERE.parents[1] / "bench"))
        import dask_data
        tables = dask_data.generate(args.generate)
        what = "%d generated interactions" % args.generate
    else:
        tables = {t: str(pathlib.Path(args.data_dir) / (t + ".csv")) for t in TABLES}
        what = "the data of %s" % args.data_dir
    data = cxkit.dask.split_csv(tables, args.partitions, work)
    print("Split %s by customer into %d partitions in %s" % (what, args.partitions, work))

    if args.scheduler:
        client, cluster = distributed.Client(args.scheduler), None
    else:
        cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                           dashboard_address=":0")
        client = distributed.Client(cluster)
    try:
        print("Cluster: %s, %d workers" % (client.scheduler.address, len(client.scheduler_info()["workers"])))
        stats = {}
        t0 = time.perf_counter()
        res = cxkit.dask.compute(data, analyses(), client=client, stats=stats)
        print("Computed and merged in %.1f s; bytes shipped per partition: %s" % (
            time.perf_counter() - t0, ", ".join(str(b) for b in stats["bytes"])))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    show(res)
    ok = compare(res, single_store(data))
    if not args.work_dir:
        shutil.rmtree(work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
