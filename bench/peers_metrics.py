"""pandas side of bench/metrics.sh, and its agreement check.

  peers_metrics.py DATA_DIR [REPEATS [TABLE_TSV]]
      reads the CSV files the scorecard needs with pandas.read_csv (one
      thread, as pandas is; only the columns used), computes NPS, CSAT %,
      mean CES, FCR % and the median and p90 resolution time by channel
      exactly as cxkit defines them (src/metrics/run.c), prints the times and
      the table, and writes the table to TABLE_TSV.
  peers_metrics.py --compare CXKIT_TSV OTHER_TSV...
      checks that every table gives the same numbers as cxkit's.

Run with Debian's interpreter, which has python3-pandas: /usr/bin/python3.

The rules copied from cxkit (metrics.h and pass_feedback / pass_cases):
- the questions are the built-in nps (0-10), csat (1-5) and ces (1-7), all
  "higher is better", plus those of questions.csv; an answer counts for the
  measure of its question's metric (custom questions count for none);
- an answer's channel: its touchpoint's, else the touchpoint of its
  interaction (its id in interactions.csv), else its case's, else
  missing (a group of its own, "(none)");
- NPS = 100 (promoters 9-10 - detractors 0-6) / answers, on the raw score;
- CSAT % = share of answers whose oriented score o (score, or min + max -
  score when lower is better) is >= max - 1;
- CES = mean of 1 + (o - min) * 6 / (max - min);
- FCR % = resolved cases with contacts <= 1 and reopens == 0 / resolved
  cases, by the case's channel;
- resolution = max(resolved - opened, 0) in ms for resolved cases, by the
  case's channel; median and p90 by linear interpolation (numpy's default).
"""
import math
import os
import sys
import time

FIELDS = ["nps", "nps_n", "csat", "csat_n", "ces", "ces_n", "fcr", "fcr_n",
          "resolution_n", "resolution_median", "resolution_p90"]
# Relative tolerance. Counts must be equal. Ratios and means are the same
# arithmetic in another order: 1e-9. cxkit's quantiles are exact (type 7) up
# to 4096 values in a group, and beyond that come from a sketch with a
# relative error of at most 0.5 % (src/metrics/qacc.h).
TOL = {"resolution_median": 0.005, "resolution_p90": 0.005}
EXACT_MAX = 4096


def read_tsv(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            rows[parts[0]] = {k: float(v) for k, v in zip(head[1:], parts[1:])}
    return rows


def compare(paths):
    base = read_tsv(paths[0])
    all_ok = True
    for path in paths[1:]:
        other = read_tsv(path)
        bad = []
        for ch in sorted(set(base) | set(other)):
            if ch not in base or ch not in other:
                bad.append(f"group {ch} only in {'cxkit' if ch in base else 'the peer'}")
                continue
            a, b = base[ch], other[ch]
            for k in FIELDS:
                x, y = a[k], b[k]
                if math.isnan(x) and math.isnan(y):
                    continue
                if k.endswith("_n"):
                    ok = x == y
                    tol = 0
                else:
                    tol = TOL.get(k, 1e-9)
                    if k.startswith("resolution_") and a["resolution_n"] <= EXACT_MAX:
                        tol = 1e-9
                    ok = not (math.isnan(x) or math.isnan(y)) and abs(x - y) <= tol * max(abs(x), abs(y), 1e-300)
                if not ok:
                    bad.append(f"{ch} {k}: cxkit {x!r} vs {y!r} (tolerance {tol:g} relative)")
        name = os.path.basename(path)
        if bad:
            all_ok = False
            print(f"  {name}: DISAGREES with cxkit in {len(bad)} cells:")
            for line in bad[:40]:
                print("    " + line)
        else:
            worst = 0.0
            for ch in base:
                for k in ("resolution_median", "resolution_p90"):
                    x, y = base[ch][k], other[ch][k]
                    if not (math.isnan(x) or math.isnan(y)):
                        worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
            print(f"  {name}: agrees with cxkit ({len(base)} groups x {len(FIELDS)} values; counts equal; "
                  f"rates and means within 1e-9; largest quantile difference {100 * worst:.3f} %, "
                  f"bound 0.5 % beyond {EXACT_MAX} values a group)")
    print(f"AGREE {'yes' if all_ok else 'no'}")
    return 0 if all_ok else 1


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--compare":
        return compare(sys.argv[2:])
    import numpy as np
    import pandas as pd

    d = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    out = sys.argv[3] if len(sys.argv) > 3 else None
    p = lambda name: os.path.join(d, name + ".csv")

    t_load = time.perf_counter()
    cpu0 = time.process_time()
    steps = []

    def timed(name, fn):
        t0 = time.perf_counter()
        df = fn()
        dt = time.perf_counter() - t0
        steps.append((name, len(df), dt))
        return df

    tp = timed("touchpoints", lambda: pd.read_csv(p("touchpoints"), usecols=["name", "channel"]))
    qs = timed("questions", lambda: pd.read_csv(p("questions")))

    def read_cases():
        c = pd.read_csv(p("cases"), usecols=["id", "channel", "opened", "resolved", "reopens", "contacts"],
                        dtype={"channel": "category"})
        for k in ("opened", "resolved"):  # ISO 8601 with offsets, to UTC instants
            c[k] = pd.to_datetime(c[k], utc=True)
        return c

    cases = timed("cases", read_cases)
    inter = timed("interactions", lambda: pd.read_csv(
        p("interactions"), usecols=["id", "touchpoint"], dtype={"id": "object", "touchpoint": "category"}))
    fb = timed("feedback", lambda: pd.read_csv(
        p("feedback"), usecols=["question", "score", "touchpoint", "interaction", "case"],
        dtype={"question": "category", "touchpoint": "category", "interaction": "object", "case": "object",
               "score": "float64"}))
    t_load = time.perf_counter() - t_load
    for name, n, dt in steps:
        print(f"  pandas read_csv {name:13s} {n:10d} rows {dt:7.3f} s")

    def cat_lookup(cat, table):
        """An object array mapping a categorical's codes (and -1 at the end) through a dict."""
        return np.array([table.get(x) for x in cat.cat.categories] + [None], dtype=object)

    def compute():
        # questions: built-ins first, then the file's (a file row would replace a built-in)
        qmeta = {"nps": ("nps", 0.0, 10.0, 1), "csat": ("csat", 1.0, 5.0, 1), "ces": ("ces", 1.0, 7.0, 1)}
        for r in qs.itertuples(index=False):
            qmeta[r.name] = (r.metric, float(r.scale_min), float(r.scale_max), int(r.higher_is_better))
        qc = fb["question"].cat.codes.to_numpy()
        qcat = list(fb["question"].cat.categories) + [None]
        metric = np.array([qmeta.get(x, (None,))[0] for x in qcat], dtype=object)[qc]
        lo = np.array([qmeta[x][1] if x in qmeta else np.nan for x in qcat])[qc]
        hi = np.array([qmeta[x][2] if x in qmeta else np.nan for x in qcat])[qc]
        hib = np.array([qmeta[x][3] if x in qmeta else np.nan for x in qcat])[qc]
        # channel of each answer: its touchpoint's, else its interaction's touchpoint's, else its case's
        tp_chan = dict(zip(tp["name"], tp["channel"]))
        ch = cat_lookup(fb["touchpoint"], tp_chan)[fb["touchpoint"].cat.codes.to_numpy()]
        inter_chan = pd.Series(inter["touchpoint"].astype(object).map(tp_chan).to_numpy(), index=inter["id"])
        need = pd.isna(ch)
        ch[need] = fb["interaction"][need].map(inter_chan).to_numpy()
        need = pd.isna(ch)
        case_chan = pd.Series(cases["channel"].astype(object).to_numpy(), index=cases["id"])
        ch[need] = fb["case"][need].map(case_chan).to_numpy()
        ch[pd.isna(ch)] = "(none)"
        v = fb["score"].to_numpy(dtype=float)
        o = np.where(hib == 1, v, lo + hi - v)
        is_nps, is_csat, is_ces = metric == "nps", metric == "csat", metric == "ces"
        with np.errstate(divide="ignore", invalid="ignore"):
            ces_std = np.where(is_ces, 1 + (o - lo) * 6 / (hi - lo), 0.0)
        f = pd.DataFrame({
            "ch": ch, "nps": is_nps, "prom": is_nps & (v >= 9), "detr": is_nps & (v <= 6),
            "csat": is_csat, "csat_good": is_csat & (o >= hi - 1), "ces": is_ces, "ces_std": ces_std,
        })
        g = f.groupby("ch", sort=True).sum()
        res = pd.DataFrame(index=g.index)
        res["nps_n"] = g["nps"]
        res["nps"] = 100.0 * (g["prom"] - g["detr"]) / g["nps"].where(g["nps"] > 0)
        res["csat_n"] = g["csat"]
        res["csat"] = 100.0 * g["csat_good"] / g["csat"].where(g["csat"] > 0)
        res["ces_n"] = g["ces"]
        res["ces"] = g["ces_std"] / g["ces"].where(g["ces"] > 0)
        # cases: the resolved ones, by the case's channel
        c = cases[cases["resolved"].notna()]
        dur = (c["resolved"] - c["opened"]).to_numpy().astype("timedelta64[ms]").astype(np.int64)
        cc = pd.DataFrame({"ch": c["channel"].astype(str).to_numpy(), "dur": np.maximum(dur, 0).astype(float),
                           "first": ((c["contacts"] <= 1) & (c["reopens"] <= 0)).to_numpy()})
        gc = cc.groupby("ch", sort=True)
        cres = pd.DataFrame({
            "fcr_n": gc.size(),
            "fcr": 100.0 * gc["first"].sum() / gc.size(),
            "resolution_median": gc["dur"].quantile(0.5),
            "resolution_p90": gc["dur"].quantile(0.9),
        })
        cres["resolution_n"] = cres["fcr_n"]
        res = res.join(cres, how="outer")
        for k in ("nps_n", "csat_n", "ces_n", "fcr_n", "resolution_n"):
            res[k] = res[k].fillna(0)
        return res[FIELDS].sort_index()

    times = []
    res = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = compute()
        times.append(time.perf_counter() - t0)
        if len(times) == 1:
            cpu_first = time.process_time()
    first = times[0]
    cpu_total = cpu_first - cpu0
    best, median = min(times), float(np.median(times))
    print(f"  pandas load {t_load:.3f} s; compute: first {first:.3f} s, best of {repeats} {best:.3f} s, "
          f"median {median:.3f} s; load + compute {t_load + first:.3f} s")
    print(f"\npandas {pd.__version__}: scorecard by channel ({len(res)} groups)")
    print_table(res)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write("channel\t" + "\t".join(FIELDS) + "\n")
            for ch, r in res.iterrows():
                f.write(ch + "".join("\t" + ("nan" if pd.isna(r[k]) else repr(float(r[k]))) for k in FIELDS) + "\n")
    print(f"RESULT pandas_total_s={t_load + first:.4f} pandas_load_s={t_load:.4f} pandas_query_best_s={best:.5f} "
          f"pandas_query_median_s={median:.5f} pandas_total_cpu_s={cpu_total:.4f}")
    return 0


def print_table(res):
    print(f"  {'channel':13s} {'NPS':>7s} {'n':>8s} {'CSAT%':>7s} {'n':>8s} {'CES':>6s} {'n':>8s} {'FCR%':>6s} "
          f"{'n':>7s} {'res n':>8s} {'median h':>9s} {'p90 h':>9s}")
    for ch, r in res.iterrows():
        print(f"  {ch:13s} {r['nps']:7.2f} {r['nps_n']:8.0f} {r['csat']:7.2f} {r['csat_n']:8.0f} {r['ces']:6.3f} "
              f"{r['ces_n']:8.0f} {r['fcr']:6.2f} {r['fcr_n']:7.0f} {r['resolution_n']:8.0f} "
              f"{r['resolution_median'] / 3.6e6:9.3f} {r['resolution_p90'] / 3.6e6:9.3f}")


if __name__ == "__main__":
    sys.exit(main())
