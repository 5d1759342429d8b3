#!/usr/bin/env bash
# Model-fit benchmark beside lifetimes 0.11.3, on the same files in one run:
#   cxkit: cx_model_fit_bgnbd / _paretonbd / _gammagamma (bench-lifecycle --fit)
#   lifetimes: BetaGeoFitter / ParetoNBDFitter / GammaGammaFitter with their
#   default fit() (bench/peers_lifecycle.py, in the venv of bench/README.md)
# Each side is its own process; each prints the CPU and wall seconds of the
# fit alone (reading the file is not counted on either side), its peak RSS
# and its parameters. The table gives the CPU ratio per model against the
# issue 14 targets (Pareto/NBD >= 50x, BG/NBD >= 25x, Gamma-Gamma >= 10x)
# and the largest relative difference of the parameters.
# usage: bench/lifecycle.sh [N_CUSTOMERS...]   (default 1000000; builds into build-bench/)
#        PEERS_PY=/work/venv-peers/bin/python  (the interpreter with lifetimes)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)
py=${PEERS_PY:-/work/venv-peers/bin/python}
work=${CX_BENCH_DIR:-/tmp/cxkit-bench}
build=${CX_BENCH_BUILD:-build-bench}
mkdir -p "$work"
if [ ! -d "$build" ]; then
  meson setup "$build" --buildtype=release -Dbench=enabled -Dtests=disabled -Dbindings=disabled \
    -Dtools=disabled -Dexamples=disabled -Ddocs=disabled >/dev/null
fi
ninja -C "$build" -j2 bench/bench-lifecycle >/dev/null
"$py" -c 'import lifetimes, autograd, scipy, numpy; print("peers: lifetimes", lifetimes.__version__, "scipy", scipy.__version__, "numpy", numpy.__version__)'
out=$work/lifecycle-results.txt
: > "$out"
for n in "${sizes[@]}"; do
  [ -f "$work/pnbd_$n.csv" ] || "$build"/bench/bench-lifecycle --write "$work" "$n" >/dev/null
  for model in gg bgnbd pnbd; do
    file=$work/bgnbd_$n.csv
    [ $model = pnbd ] && file=$work/pnbd_$n.csv
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  ($model, $n customers)"
    "$build"/bench/bench-lifecycle --fit $model "$file" | tee -a "$out"
    # a peer stopped (or failed) leaves its row out of the table, not the run
    "$py" bench/peers_lifecycle.py $model "$file" | tee -a "$out" || echo "lifetimes: $model on $n customers did not finish"
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$out" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    kv = dict(f.split("=", 1) for f in line.split()[1:])
    side = "cxkit" if kv["side"] == "cxkit" else "peer"
    rows.setdefault((kv["model"], kv["n"]), {})[side] = kv
target = {"pnbd": 50, "bgnbd": 25, "gg": 10}
name = {"pnbd": "Pareto/NBD", "bgnbd": "BG/NBD", "gg": "Gamma-Gamma"}
print("\n%-12s %9s %11s %11s %11s %11s %9s %9s %7s %7s %10s" % (
    "model", "customers", "cxkit CPU", "cxkit wall", "peer CPU", "peer wall", "cxkit MB", "peer MB",
    "ratio", "target", "max rel d"))
for (model, n), s in rows.items():
    if "cxkit" not in s or "peer" not in s:
        continue
    c, p = s["cxkit"], s["peer"]
    a = [float(v) for v in c["params"].split(",")]
    b = [float(v) for v in p["params"].split(",")]
    d = max(abs(x - y) / abs(y) for x, y in zip(a, b))
    ratio = float(p["cpu"]) / max(float(c["cpu"]), 1e-9)
    print("%-12s %9s %10.3fs %10.3fs %10.3fs %10.3fs %9s %9s %6.0fx %6dx %10.2e %s" % (
        name[model], n, float(c["cpu"]), float(c["wall"]), float(p["cpu"]), float(p["wall"]), c["rss_mb"],
        p["rss_mb"], ratio, target[model], d, "met" if ratio >= target[model] else "SHORT"))
PY
