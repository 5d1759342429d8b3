#!/usr/bin/env bash
# Import benchmark, side by side with the peers on the same files:
#   cxkit: CSV -> memory, and CSV -> memory -> SQLite (bench-import)
#   pandas.read_csv (Debian python3-pandas), DuckDB read_csv (npm @duckdb/node-api)
# Real exports are not sorted: the default case is the gen-demo files with
# their records shuffled (bench/shuffle_csv.py, seeded); cxkit also imports
# the sorted files, side by side, with CPU time beside wall time and the
# ratio shuffled / sorted against issue 14's target (1.3). The peers read
# the shuffled files. Compare CPU times on a loaded machine (the load average
# is printed).
# CX_BENCH_REPEAT=N runs the cxkit cases N times, alternately, keeping the least CPU time.
# usage: bench/import.sh [INTERACTIONS]     (default 5000000; builds into build-bench/)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}" python3-pandas
# a nodejs from NodeSource carries its own npm, and conflicts with Debian's npm package
command -v node >/dev/null || cx_need nodejs
command -v npm >/dev/null || cx_need npm
n=${1:-5000000}
work=${CX_BENCH_DIR:-/tmp/cxkit-bench}
mkdir -p "$work"
if [ -d build-bench ]; then meson setup --reconfigure build-bench --buildtype=release >/dev/null; else meson setup build-bench --buildtype=release >/dev/null; fi
ninja -C build-bench >/dev/null
data=$work/data-$n
if [ ! -f "$data/interactions.csv" ]; then
  echo "generating $n interactions into $data"
  build-bench/tools/gen-demo --scale-events "$n" "$data" >/dev/null
fi
shuffled=$work/data-$n-shuffled
if [ ! -f "$shuffled/interactions.csv" ] || [ "$shuffled/interactions.csv" -ot "$data/interactions.csv" ]; then
  echo "shuffling the records of $data into $shuffled"
  /usr/bin/python3 bench/shuffle_csv.py "$data" "$shuffled"
fi
echo "data: $(du -sh "$data" | cut -f1) in $data (sorted) and $shuffled (shuffled); $(wc -l < "$data/interactions.csv") lines in interactions.csv"
if [ ! -d "$work/node_modules/@duckdb/node-api" ]; then
  (cd "$work" && npm install --silent --no-audit --no-fund @duckdb/node-api >/dev/null 2>&1)
fi
cp bench/peers.mjs "$work/peers.mjs"
out=$work/results.txt
: > "$out"
# read the files once so that every program, ours first, finds them in the page cache
cat "$data"/*.csv "$shuffled"/*.csv > /dev/null
build-bench/bench/bench-import --sorted "$data" --db "$work/bench.db" --repeat "${CX_BENCH_REPEAT:-1}" "$shuffled" | tee -a "$out"
/usr/bin/python3 bench/peers.py "$shuffled" | tee -a "$out"
node "$work/peers.mjs" "$shuffled" 1 | tee -a "$out"
node "$work/peers.mjs" "$shuffled" 2 | tee -a "$out"
get() { sed -n "s/^RESULT .*\<$1=\([0-9.-]*\).*/\1/p" "$out" | head -1; }
cx=$(get cx_memory_s) cxs=$(get cx_sqlite_s) pd=$(get pandas_s) d1=$(get duckdb1_s) d2=$(get duckdb2_s)
cc=$(get cx_cpu_s) scc=$(get cx_sorted_cpu_s) ci=$(get cx_interactions_cpu_s) sci=$(get cx_sorted_interactions_cpu_s)
echo
echo "summary (wall seconds, all files, shuffled; ratio = peer time / cxkit time, >1 means cxkit is faster)"
printf "  %-34s %8s  (CPU %s s; sorted: CPU %s s)\n" "cxkit csv -> memory (1 thread)" "$cx" "$cc" "$scc"
printf "  %-34s %8s\n" "cxkit csv -> sqlite (1 thread)" "$cxs"
printf "  %-34s %8s  ratio %5.2f\n" "pandas read_csv" "$pd" "$(awk "BEGIN{print $pd / $cx}")"
printf "  %-34s %8s  ratio %5.2f\n" "duckdb read_csv, 1 thread" "$d1" "$(awk "BEGIN{print $d1 / $cx}")"
printf "  %-34s %8s  ratio %5.2f\n" "duckdb read_csv, 2 threads" "$d2" "$(awk "BEGIN{print $d2 / $cx}")"
printf "  cxkit shuffled / sorted, CPU: interactions %.2f, all files %.2f (target <= 1.3); load average: %s\n" \
  "$(awk "BEGIN{print $ci / $sci}")" "$(awk "BEGIN{print $cc / $scc}")" "$(cut -d' ' -f1-3 /proc/loadavg)"
