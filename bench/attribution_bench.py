"""Attribution from path counts: cxkit.Paths against ChannelAttribution, on
the same CSV, in one run (see bench/README.md, "Attribution from path
counts", for how to build ChannelAttribution 2.1.7 into /work/venv-peers).

Every case runs in its own subprocess, so each side's peak RSS
(ru_maxrss) is its own; the parent prints one table. Per case: CPU and wall
seconds of the load (pandas.read_csv, plus Paths.from_pandas for cxkit:
ChannelAttribution parses the paths inside its call), of the call, and of
both; the peak RSS; the load average. The ratio is ChannelAttribution's
load + Markov order 1 CPU time over cxkit's load + order 1 CPU time (the
issue's target: >= 10x, exact).

ChannelAttribution's Markov model simulates the chain. It runs twice:
with its defaults (nsim_start 1e5, conv_par 0.05, max_step = the longest
path), as users run it, and as exact as it gets in bounded time
(starting from --ca-nsim simulated paths, growing 1.5x a round until the
runs differ by under conv_par 0.01; max_step 1000 so that loops are
not cut); its removal effects and Markov conversions are compared with
cxkit's exact ones (max absolute difference). Its heuristic models are
deterministic and compared too. Its removal effect is the share of
simulated converting paths that visit a channel, which is the removal
effect 1 - P(conv without c) / P(conv) of the absorbing chain.

Usage (Debian's interpreter for cxkit; the venv's for ChannelAttribution):
  PYTHONPATH=build/bindings/python /usr/bin/python3 bench/attribution_bench.py \
      [--csv FILE] [--rows N] [--demo DATA_DIR] [--ca-python /work/venv-peers/bin/python] [--ca-nsim 1e6] \
      [--before OTHER_BUILD/bindings/python] [--repeat N]
--before runs a second cxkit build (say, main's) in the same run, so that
before and after are timed in the same conditions; --repeat runs each
cxkit side N times, alternately, and keeps each side's run of least CPU.
Without --csv the table is generated (bench/attribution_data.py, 10^6 rows,
fixed seed) into a temporary directory. --demo adds the path counts of the
demo data (Journeys(level="channel", collapse=True).path_counts) as a small
real case.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COLS = dict(path="path", conversions="total_conversions", nulls="total_null", value="total_conversion_value")


class Clock:
    def __init__(self):
        self.t = {}

    def run(self, name, fn):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        self.t[name] = (time.process_time() - c0, time.perf_counter() - w0)
        return out


def child_cxkit(args):
    import pandas as pd

    import cxkit
    clock = Clock()
    df = clock.run("read_csv", lambda: pd.read_csv(args.csv))
    paths = clock.run("from_pandas", lambda: cxkit.Paths.from_pandas(df, separator=">", **COLS))
    def table(r):
        return {row["name"]: {k: float(row[k]) for k in ("removal_effect", "markov", "markov_value",
                                                         "first_touch", "last_touch", "linear",
                                                         "first_touch_value", "last_touch_value",
                                                         "linear_value")}
                for _, row in r.iterrows()}

    res = {}
    for order in args.orders:
        res[order] = table(clock.run("attribution_%d" % order, lambda: paths.attribution(order).to_pandas()))
    # the file read by the library's own CSV reader: no pandas, no Python strings
    del df, paths
    cpaths = clock.run("c_read", lambda: cxkit.Paths.read_csv(args.csv, separator=">", **COLS))
    res["c1"] = table(clock.run("c_attribution_1", lambda: cpaths.attribution(1).to_pandas()))
    return {"times": clock.t, "result": res, "paths": cpaths.count(), "states": cpaths.state_count()}


def child_cxkit_steps(args):
    """Where cxkit's time goes: the steps of Paths.from_pandas one by one."""
    import numpy
    import pandas as pd

    import cxkit
    clock = Clock()
    df = clock.run("read_csv", lambda: pd.read_csv(args.csv))
    col = df["path"]
    clock.run("isna", lambda: col.isna().any())
    strs = clock.run("astype(str).tolist", lambda: col.astype(str).tolist())
    clock.run("tolist only", lambda: col.tolist())
    nums = clock.run("3 numeric columns", lambda: [
        numpy.ascontiguousarray(df[c].to_numpy(dtype=numpy.float64, na_value=numpy.nan))
        for c in ("total_conversions", "total_null", "total_conversion_value")])
    p = cxkit.Paths()
    clock.run("add_batch (strings in, parse, hash)", lambda: p.add_batch(strs, nums[0], nums[1], nums[2], ">"))
    clock.run("add_batch again (all paths known)", lambda: p.add_batch(strs, nums[0], nums[1], nums[2], ">"))
    q = cxkit.Paths()
    clock.run("add_batch, separator ' > '", lambda: q.add_batch(strs, nums[0], nums[1], nums[2], " > "))
    clock.run("attribution(1) C call", lambda: p.attribution(1))
    r = p.attribution(1)
    clock.run("attribution(1) to_pandas", lambda: r.to_pandas())
    return {"times": clock.t}


def child_ca(args):
    import pandas as pd
    import ChannelAttribution as ca
    clock = Clock()
    df = clock.run("read_csv", lambda: pd.read_csv(args.csv))
    if args.ca_mode == "default":
        kw = {}
    else:
        kw = dict(nsim_start=args.ca_nsim, conv_par=0.01, max_step=1000)
    m = clock.run("markov_model", lambda: ca.markov_model(df, "path", "total_conversions",
                                                          var_value="total_conversion_value", var_null="total_null",
                                                          order=1, sep=">", out_more=True, ncore=1, seed=0,
                                                          verbose=False, flg_adv=False, **kw))
    h = clock.run("heuristic_models", lambda: ca.heuristic_models(df, "path", "total_conversions",
                                                                  var_value="total_conversion_value", sep=">",
                                                                  flg_adv=False))
    re_ = m["removal_effects"].set_index("channel_name")
    mk = m["result"].set_index("channel_name")
    h = h.set_index("channel_name")
    res = {name: {"removal_effect": float(re_.loc[name, "removal_effects_conversion"]),
                  "markov": float(mk.loc[name, "total_conversions"]),
                  "markov_value": float(mk.loc[name, "total_conversion_value"]),
                  "first_touch": float(h.loc[name, "first_touch_conversions"]),
                  "last_touch": float(h.loc[name, "last_touch_conversions"]),
                  "linear": float(h.loc[name, "linear_touch_conversions"]),
                  "first_touch_value": float(h.loc[name, "first_touch_value"]),
                  "last_touch_value": float(h.loc[name, "last_touch_value"]),
                  "linear_value": float(h.loc[name, "linear_touch_value"])}
           for name in mk.index}
    return {"times": clock.t, "result": {1: res}, "version": getattr(ca, "__version__", None)}


def child(args):
    fn = {"cxkit": child_cxkit, "cxkit-steps": child_cxkit_steps, "ca": child_ca}[args.side]
    out = fn(args)
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("RESULT " + json.dumps(out))


def spawn(python, side, csv, extra=(), pythonpath=None):
    cmd = [python, os.path.abspath(__file__), "--side", side, "--csv", csv] + list(extra)
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    line = [x for x in p.stdout.splitlines() if x.startswith("RESULT ")]
    if p.returncode or not line:
        sys.exit("%s failed (%d):\n%s\n%s" % (" ".join(cmd), p.returncode, p.stdout[-2000:], p.stderr[-4000:]))
    return json.loads(line[0][7:])


def show(label, out, load_keys, call_keys):
    t = out["times"]
    lc = sum(t[k][0] for k in load_keys)
    lw = sum(t[k][1] for k in load_keys)
    cc = sum(t[k][0] for k in call_keys)
    cw = sum(t[k][1] for k in call_keys)
    print("  %-44s %7.2f %7.2f %8.2f %7.2f %8.2f %7.2f %8.0f" % (label, lc, lw, cc, cw, lc + cc, lw + cw,
                                                                   out["rss_mb"]))
    return lc + cc, cc


def max_diff(a, b, col):
    names = set(a) | set(b)
    if set(a) != set(b):
        return float("nan")
    return max(abs(a[n][col] - b[n][col]) for n in names)


def c_total(out):
    t = out["times"]
    return t["c_read"][0] + t["c_attribution_1"][0]


def case(title, csv, args):
    la0 = os.getloadavg()
    print("\n%s: %s" % (title, csv))
    # cxkit (and the build given by --before) --repeat times, alternately;
    # each keeps its run of least CPU (the load only ever slows a run)
    cx, before = None, None
    for _ in range(args.repeat):
        out = spawn(sys.executable, "cxkit", csv, ["--orders", "1", "2", "3"])
        cx = out if cx is None or c_total(out) < c_total(cx) else cx
        if args.before:
            out = spawn(sys.executable, "cxkit", csv, ["--orders", "1", "2", "3"], pythonpath=args.before)
            before = out if before is None or c_total(out) < c_total(before) else before
    steps = spawn(sys.executable, "cxkit-steps", csv) if args.steps else None
    ca_def = spawn(args.ca_python, "ca", csv, ["--ca-mode", "default"])
    ca_ex = spawn(args.ca_python, "ca", csv, ["--ca-mode", "exact", "--ca-nsim", str(args.ca_nsim)])
    la1 = os.getloadavg()
    print("  %d paths, %d channels; load average %.2f %.2f %.2f before, %.2f %.2f %.2f after (2 cores)"
          % (cx["paths"], cx["states"], *la0, *la1))
    print("  %-44s %7s %7s %8s %7s %8s %7s %8s" % ("seconds (CPU / wall)", "load", "", "call", "", "total", "",
                                                   "peak RSS"))
    print("  %-44s %7s %7s %8s %7s %8s %7s %8s" % ("", "CPU", "wall", "CPU", "wall", "CPU", "wall", "MB"))
    cx_load = ["read_csv", "from_pandas"]
    cxc, cxc_call = show("cxkit order 1, file read in C (read_csv)", cx, ["c_read"], ["c_attribution_1"])
    cxc_wall = cx["times"]["c_read"][1] + cx["times"]["c_attribution_1"][1]
    if before:
        bc, _ = show("before: cxkit order 1, read in C (read_csv)", before, ["c_read"], ["c_attribution_1"])
        bc_wall = before["times"]["c_read"][1] + before["times"]["c_attribution_1"][1]
        show("before: cxkit order 1, pandas + from_pandas", before, cx_load, ["attribution_1"])
    cx1, cx1_call = show("cxkit Markov order 1 + heuristics", cx, cx_load, ["attribution_1"])
    for order in (2, 3):
        show("cxkit Markov order %d + heuristics" % order, cx, cx_load, ["attribution_%d" % order])
    rows = []
    for name, ca in (("ChannelAttribution defaults", ca_def), ("ChannelAttribution conv_par 0.01", ca_ex)):
        tot, call = show(name + ", Markov", ca, ["read_csv"], ["markov_model"])
        show(name + ", heuristics", ca, ["read_csv"], ["heuristic_models"])
        rows.append((name, tot, call, ca))
    print("  ratio ChannelAttribution (pandas.read_csv + call) / cxkit (Paths.read_csv in C + call), CPU "
          "(target >= 10x with the load), and wall:")
    for name, tot, call, ca in rows:
        both = tot + ca["times"]["heuristic_models"][0]
        wall = ca["times"]["read_csv"][1] + ca["times"]["markov_model"][1]
        print("    %-30s with load %5.1fx (%s)  Markov + heuristics with load %5.1fx  wall %5.1fx" % (
            name, tot / cxc, "met" if tot / cxc >= 10 else "short of 10x", both / cxc, wall / cxc_wall))
        if before:
            print("    %-30s before:   %5.1fx                 Markov + heuristics with load %5.1fx  wall %5.1fx"
                  % ("", tot / bc, both / bc, wall / bc_wall))
    if before:
        print("    same attribution tables before and after (orders 1-3; order 1 read in C): %s" % (
            "yes" if before["result"] == cx["result"] else "NO"))
    print("  ratio ChannelAttribution / cxkit order 1 both loading with pandas, CPU:")
    for name, tot, call, ca in rows:
        t = ca["times"]
        both = tot + t["heuristic_models"][0]
        ceiling = tot / t["read_csv"][0]
        print("    %-30s with load %5.1fx (%s)  call only %6.1fx  Markov + heuristics with load %5.1fx  "
              "(ceiling with read_csv as the load: %.1fx)" % (
                  name, tot / cx1, "met" if tot / cx1 >= 10 else "short of 10x", call / cx1_call, both / cx1,
                  ceiling))
    print("  exactness, max |ChannelAttribution - cxkit| over the channels:")
    for name, tot, call, ca in rows:
        cxh = cx["result"]["1"]
        car = ca["result"]["1"]
        print("    %-30s removal effect %.2e, markov %.3g conversions (of %.0f), markov_value %.3g, first touch %.1e, "
              "last touch %.1e, linear %.1e" % (
                  name, max_diff(cxh, car, "removal_effect"), max_diff(cxh, car, "markov"),
                  sum(v["markov"] for v in cxh.values()), max_diff(cxh, car, "markov_value"),
                  max_diff(cxh, car, "first_touch"), max_diff(cxh, car, "last_touch"),
                  max_diff(cxh, car, "linear")))
    if steps:
        print("  where cxkit's time goes (CPU / wall s):")
        for k, (c, w) in steps["times"].items():
            print("    %-38s %6.3f %6.3f" % (k, c, w))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side")
    ap.add_argument("--csv")
    ap.add_argument("--rows", type=float, default=1e6)
    ap.add_argument("--orders", type=int, nargs="*", default=[1])
    ap.add_argument("--ca-mode", default="default")
    ap.add_argument("--ca-nsim", type=float, default=1e6)
    ap.add_argument("--ca-python", default="/work/venv-peers/bin/python")
    ap.add_argument("--demo")
    ap.add_argument("--no-steps", dest="steps", action="store_false")
    ap.add_argument("--before", help="PYTHONPATH of a second cxkit build, run beside this one")
    ap.add_argument("--repeat", type=int, default=1, help="cxkit runs per side (the least CPU kept)")
    args = ap.parse_args()
    if args.side:
        return child(args)
    tmp = tempfile.TemporaryDirectory(prefix="cx-attr-")
    csv = args.csv
    if not csv:
        csv = os.path.join(tmp.name, "paths.csv")
        subprocess.run([sys.executable, os.path.join(HERE, "attribution_data.py"), csv, str(int(args.rows))],
                       check=True)
    case("Path table", csv, args)
    if args.demo:
        import cxkit
        store = cxkit.Store()
        for table in ("customers", "touchpoints", "cases", "interactions", "questions", "feedback",
                      "transactions"):
            store.import_csv(table, os.path.join(args.demo, table + ".csv"))
        j = cxkit.Journeys(store, level="channel", collapse=True)
        demo = j.path_counts(" > ").to_pandas()
        demo = demo.rename(columns={"conversions": "total_conversions", "nulls": "total_null",
                                    "value": "total_conversion_value"})
        demo_csv = os.path.join(tmp.name, "demo_paths.csv")
        demo[["path", "total_conversions", "total_null", "total_conversion_value"]].to_csv(demo_csv, index=False)
        case("Demo data (examples/data, Journeys(level='channel').path_counts)", demo_csv, args)


if __name__ == "__main__":
    main()
