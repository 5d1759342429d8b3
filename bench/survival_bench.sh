#!/usr/bin/env bash
# Kaplan-Meier + log-rank beside R's survival (issue 14: "20x R's survival,
# with the same parameters to 4 significant digits"), on the same files in
# the same run:
#   cxkit: cx_survival_new (curves per group, band "log") + cx_logrank_new
#          (bench-survival --run; the file read by a plain C reader)
#   R:     survfit(Surv(time, event) ~ group) + survdiff(same)
#          (bench/peers_survival.R; the file read by scan())
# Files: N subjects in G groups, in random order (bench-survival --write:
# whole-day lifetimes censored at 1 to 1500 days). Each side is its own
# process and prints the CPU (user + system) and wall seconds of the load
# (reading the CSV) and of the call alone, and its peak RSS; the load
# average is printed before each. The table gives the CPU ratios (call
# alone, and load + call) against the 20x target, and whether the
# chi-square, the medians and S(t) at t = 30, 180, 365, 730 agree to 4
# significant digits.
# usage: bench/survival_bench.sh [N:G ...]   (default 1000000:4 10000000:3)
# needs: Rscript with the survival package (Debian: r-base-core r-cran-survival,
#        CX_BENCH_PEER_PACKAGES in tools/deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(1000000:4 10000000:3)
work=${CX_BENCH_DIR:-/tmp/cxkit-bench}
build=${CX_BENCH_BUILD:-build-bench}
times=30,180,365,730
mkdir -p "$work"
command -v Rscript >/dev/null || { echo "Rscript is missing: apt-get install r-base-core r-cran-survival" >&2; exit 1; }
if [ ! -d "$build" ]; then
  meson setup "$build" --buildtype=release -Dbench=enabled -Dtests=disabled -Dbindings=disabled \
    -Dtools=disabled -Dexamples=disabled -Ddocs=disabled >/dev/null
fi
ninja -C "$build" -j2 bench/bench-survival >/dev/null
out=$work/survival-results.txt
: > "$out"
for c in "${cases[@]}"; do
  n=${c%%:*} g=${c##*:}
  file=$work/survival_${n}_${g}.csv
  [ -f "$file" ] || "$build"/bench/bench-survival --write "$file" "$n" "$g"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  (cxkit, $n subjects, $g groups)"
  "$build"/bench/bench-survival --run "$file" "$times" | tee -a "$out"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  (R, $n subjects, $g groups)"
  Rscript bench/peers_survival.R "$file" "$times" | tee -a "$out" || echo "R: $n subjects did not finish"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$out" <<'PY'
import math, sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    kv = dict(f.split("=", 1) for f in line.split()[1:])
    rows.setdefault((kv["n"], kv["groups"]), {})[kv["side"]] = kv

def agree(a, b):
    """Equal to 4 significant digits (NaN with NaN: both undefined)."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return float("%.4g" % a) == float("%.4g" % b) or abs(a - b) <= 5e-5 * max(abs(b), 1e-300)

print("\n%9s %6s | %9s %9s %9s %9s | %9s %9s %9s %9s | %7s %7s %7s %6s | %s" % (
    "subjects", "groups", "cx load", "cx call", "cx wall", "cx MB", "R load", "R call", "R wall", "R MB",
    "call x", "all x", "curve x", "target", "agree (4 digits)"))
for (n, g), s in rows.items():
    if "cxkit" not in s or "R" not in s:
        continue
    c, r = s["cxkit"], s["R"]
    f = lambda d, k: float(d[k])
    call = f(r, "call_cpu") / max(f(c, "call_cpu"), 1e-9)
    both = (f(r, "call_cpu") + f(r, "load_cpu")) / max(f(c, "call_cpu") + f(c, "load_cpu"), 1e-9)
    curves = f(r, "call_cpu") / max(f(c, "km_test_cpu"), 1e-9)
    checks = [agree(c["chisq"], r["chisq"]) and agree(c["chisq_curves"], r["chisq"])]
    for k in ("median", "surv"):
        a, b = c[k].split(","), r[k].split(",")
        checks.append(len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b)))
    print("%9s %6s | %8.3fs %8.3fs %8.3fs %9s | %8.3fs %8.3fs %8.3fs %9s | %6.1fx %6.1fx %6.1fx %5dx | %s" % (
        n, g, f(c, "load_cpu"), f(c, "call_cpu"), f(c, "load_wall") + f(c, "call_wall"), c["rss_mb"],
        f(r, "load_cpu"), f(r, "call_cpu"), f(r, "load_wall") + f(r, "call_wall"), r["rss_mb"], call, both, curves, 20,
        "chi2 %s, medians %s, S(t) %s; call %s" % (*("yes" if x else "NO" for x in checks),
                                                   "met" if call >= 20 else "SHORT")))
print("CPU seconds (user + system); x: R's CPU / cxkit's, for the call alone (cx_survival_new + cx_logrank_new)\n"
      "and with the load; curve x: the curves with the log-rank test of their steps (cx_survival_logrank).")
PY
