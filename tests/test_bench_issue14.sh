#!/usr/bin/env bash
# Smoke test of bench/issue14.sh (issue 14's targets in one run): runs it at
# tiny sizes on the benches of BUILD_DIR, in a data directory of its own,
# and checks that the table has one parsable row per target (name, goal,
# cxkit's figures, the peer's, a ratio and MET or NOT MET, "(wall)" after it
# for metrics-duckdb, judged on wall time), the load
# average and the peers' versions. It checks no ratio and no time: the
# figures of a tiny run on a shared machine say nothing.
# Skipped (77) when a peer is missing (DuckDB for node, lifetimes and
# ChannelAttribution in PEERS_PY, R with survival): see bench/README.md.
# usage: tests/test_bench_issue14.sh BUILD_DIR   (a build with -Dbench=enabled -Dtools=enabled)
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: test_bench_issue14.sh BUILD_DIR}" && pwd)
peers_py=${PEERS_PY:-/work/venv-peers/bin/python}
modules=${CX_BENCH_NODE_MODULES:-/tmp/cxkit-bench/node_modules}

missing=()
command -v node > /dev/null && [ -d "$modules/@duckdb/node-api" ] ||
  missing+=("DuckDB (node and @duckdb/node-api in $modules; CX_BENCH_NODE_MODULES)")
"$peers_py" -c 'import importlib.util as u; exit(u.find_spec("lifetimes") is None)' > /dev/null 2>&1 || missing+=("lifetimes in $peers_py (PEERS_PY)")
"$peers_py" -c 'import importlib.util as u; exit(u.find_spec("ChannelAttribution") is None)' > /dev/null 2>&1 || missing+=("ChannelAttribution in $peers_py (PEERS_PY)")
command -v Rscript > /dev/null && Rscript -e 'quit(status = !nzchar(system.file(package = "survival")))' > /dev/null 2>&1 ||
  missing+=("R with survival")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'skipped, peer missing: %s\n' "${missing[@]}"
  exit 77
fi

work=$build/bench/issue14-smoke
mkdir -p "$work" || exit 1
ln -sfn "$modules" "$work/node_modules"
out=$work/out.txt
CX_BENCH_BUILD=$build CX_BENCH_DIR=$work PEERS_PY=$peers_py CX_BENCH_SMALL=1 CX_BENCH_ROWS=20000 \
  CX_BENCH_METRICS_ROWS=20000 CX_BENCH_PATHS=2000 CX_BENCH_CUSTOMERS=2000 CX_BENCH_SUBJECTS=10000:3 \
  CX_BENCH_QUERY_REPS=2 bash "$src/bench/issue14.sh" > "$out" 2>&1
rc=$?
cat "$out"
fail=0
[ $rc -eq 0 ] || { echo "FAIL: bench/issue14.sh exited with $rc"; fail=1; }

targets=(import journey-build metrics-duckdb memory metrics-floor attribution pareto-nbd bg-nbd gamma-gamma survival)
num='[0-9][0-9.e+-]*'
for t in "${targets[@]}"; do
  rows=$(grep -c "^$t *| " "$out")
  [ "$rows" -eq 1 ] || { echo "FAIL: $rows table rows for $t, not 1"; fail=1; continue; }
  line=$(grep "^$t *| " "$out")
  # target | goal | cxkit CPU (wall) | peer CPU (wall) | ratio CPU (wall) | status | load
  msg=$(awk -F' *[|] *' -v num="^$num" -v t="$t" '{
    if (NF != 7) { print "has " NF " fields, not 7"; exit }
    if ($2 !~ /(<=|>=) [0-9.]+/) { print "goal \"" $2 "\" is not <= or >= a number"; exit }
    # metrics-duckdb is judged on wall time (its status says so), the others on CPU
    st = t ~ /^metrics-duckdb/ ? "^(MET|NOT MET) [(]wall[)]$" : "^(MET|NOT MET)$"
    if ($6 !~ st) { print "status \"" $6 "\" is not " (t ~ /^metrics-duckdb/ ? "MET (wall) or NOT MET (wall)" : "MET or NOT MET"); exit }
    if ($3 !~ num) { print "cxkit figure \"" $3 "\" is not a number"; exit }
    if (t == "memory") {
      if ($5 !~ (num " B$")) print "ratio \"" $5 "\" is not bytes per interaction"
    } else {
      if ($3 !~ ("^" "[0-9][0-9.e+-]*" " [(][0-9][0-9.e+-]*[)]$")) { print "cxkit figure \"" $3 "\" is not CPU (wall)"; exit }
      if ($4 !~ ("[0-9][0-9.e+-]* [(][0-9][0-9.e+-]*[)]$")) { print "peer figure \"" $4 "\" is not CPU (wall)"; exit }
      if ($5 !~ ("^[0-9][0-9.]*x [(][0-9][0-9.]*x[)]$")) { print "ratio \"" $5 "\" is not Nx (Nx)"; exit }
    }
    if ($7 !~ /^[0-9.]+$/) print "load \"" $7 "\" is not a number"
  }' <<< "$line")
  [ -z "$msg" ] || { echo "FAIL: $t: $msg: $line"; fail=1; }
done
grep -q '^target *| goal *| cxkit CPU s (wall s) *| peer CPU s (wall s) *| ratio CPU (wall) *| status *| load$' "$out" ||
  { echo "FAIL: no header row"; fail=1; }
grep -Eq "^load average: $num $num $num at the start, $num $num $num at the end$" "$out" ||
  { echo "FAIL: no load average line"; fail=1; }
for p in "DuckDB v" "ChannelAttribution [0-9]" "lifetimes [0-9]" "R version [0-9].*survival [0-9]"; do
  grep -Eq "^peer: $p" "$out" || { echo "FAIL: no version line for the peer \"$p\""; fail=1; }
done
grep -q "peer missing" "$out" && { echo "FAIL: a peer was reported missing"; fail=1; }
[ $fail -eq 0 ] && echo "ok: ${#targets[@]} target rows, the load average and 4 peers' versions"
exit $fail
