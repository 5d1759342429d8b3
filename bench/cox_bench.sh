#!/usr/bin/env bash
# Cox regression beside R's survival, on the same files in the same run:
#   cxkit: cx_cox_fit (bench-cox --run): time ~ plan + age + calls +
#          strata(stratum) on (entry, time], Efron ties; the fit computes
#          the robust variance and the tests of proportional hazards too
#   R:     coxph(..., robust = TRUE, id = row) + cox.zph(fit, "km")
#          (bench/peers_cox.R)
# Files: N subjects in S strata, random order, whole-day times (many ties),
# a quarter entering late (bench-cox --write). Each side is its own process
# and prints the CPU (user + system) and wall seconds of the load (reading
# the CSV) and of the call, and its peak RSS; the load average is printed
# before each. The table gives R's CPU / cxkit's (call alone, and with the
# load) and whether the coefficients, both standard errors, the log
# likelihood and the global test agree to 6 significant digits.
# usage: bench/cox_bench.sh [N:S ...]   (default 100000:3 1000000:3)
# needs: Rscript with the survival package (Debian: r-base-core r-cran-survival)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(100000:3 1000000:3)
work=${CX_BENCH_DIR:-/tmp/cxkit-bench}
build=${CX_BENCH_BUILD:-build-bench}
mkdir -p "$work"
command -v Rscript >/dev/null || { echo "Rscript is missing: apt-get install r-base-core r-cran-survival" >&2; exit 1; }
if [ ! -d "$build" ]; then
  meson setup "$build" --buildtype=release -Dbench=enabled -Dtests=disabled -Dbindings=disabled \
    -Dtools=disabled -Dexamples=disabled -Ddocs=disabled >/dev/null
fi
ninja -C "$build" -j2 bench/bench-cox >/dev/null
out=$work/cox-results.txt
: > "$out"
for c in "${cases[@]}"; do
  n=${c%%:*} s=${c##*:}
  file=$work/cox_${n}_${s}.csv
  [ -f "$file" ] || "$build"/bench/bench-cox --write "$file" "$n" "$s"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  (cxkit, $n subjects, $s strata)"
  "$build"/bench/bench-cox --run "$file" | sed "s/^RESULT /RESULT strata=$s /" | tee -a "$out"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)  (R, $n subjects, $s strata)"
  Rscript bench/peers_cox.R "$file" | sed "s/^RESULT /RESULT strata=$s /" | tee -a "$out" \
    || echo "R: $n subjects did not finish"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$out" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT "):
        continue
    kv = dict(f.split("=", 1) for f in line.split()[1:])
    rows.setdefault((kv["n"], kv["strata"]), {})[kv["side"]] = kv

def agree(a, b):
    """Equal to 6 significant digits."""
    a, b = float(a), float(b)
    return float("%.6g" % a) == float("%.6g" % b) or abs(a - b) <= 5e-7 * max(abs(b), 1e-300)

print("\n%9s %6s | %8s %8s %8s %7s | %8s %8s %8s %7s | %7s %7s | %s" % (
    "subjects", "strata", "cx load", "cx call", "cx wall", "cx MB", "R load", "R call", "R wall", "R MB",
    "call x", "all x", "agree (6 digits)"))
for (n, s), d in rows.items():
    if "cxkit" not in d or "R" not in d:
        continue
    c, r = d["cxkit"], d["R"]
    f = lambda e, k: float(e[k])
    call = f(r, "call_cpu") / max(f(c, "call_cpu"), 1e-9)
    both = (f(r, "call_cpu") + f(r, "load_cpu")) / max(f(c, "call_cpu") + f(c, "load_cpu"), 1e-9)
    checks = []
    for k in ("coef", "se", "robust_se", "loglik", "zph_global"):
        a, b = c[k].split(","), r[k].split(",")
        checks.append("%s %s" % (k, "yes" if len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b)) else "NO"))
    print("%9s %6s | %7.3fs %7.3fs %7.3fs %7s | %7.3fs %7.3fs %7.3fs %7s | %6.1fx %6.1fx | %s" % (
        n, s, f(c, "load_cpu"), f(c, "call_cpu"), f(c, "load_wall") + f(c, "call_wall"), c["rss_mb"],
        f(r, "load_cpu"), f(r, "call_cpu"), f(r, "load_wall") + f(r, "call_wall"), r["rss_mb"], call, both,
        ", ".join(checks)))
print("CPU seconds (user + system); x: R's CPU / cxkit's, for the call alone (cx_cox_fit against coxph + cox.zph)\n"
      "and with the load.")
PY
