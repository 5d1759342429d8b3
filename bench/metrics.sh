#!/usr/bin/env bash
# Metrics benchmark, side by side with the peers on the same files: the CX
# scorecard by channel (NPS, CSAT %, mean CES, FCR %, median and p90
# resolution time) computed
#   (a) by cxkit from the CSV files: import + query (bench-metrics), of the
#       columns the peers read, with one thread and with two (issue 14:
#       cx_import_options_set_threads, cx_query_set_threads); besides, with
#       one thread, of every column of the same files, and of every column
#       with customers.csv too
#   (b) by cxkit on the data already in the store: the query alone, best and median
#   (c) by pandas (Debian python3-pandas), one thread
#   (d) by DuckDB (npm @duckdb/node-api), 1 and 2 threads
# then checks that all give the same numbers, compares (b) with the
# memory-bandwidth floor of the columns the query reads, and prints issue
# 14's target: CSV -> metrics with two threads at least 2.5x faster than
# DuckDB with two threads.
# The files are gen-demo's with their records shuffled (bench/shuffle_csv.py,
# seeded), as an unsorted CRM export is; CX_BENCH_SORTED=1 reads them sorted.
# CX_BENCH_QUICK=1 (for large N): cxkit loads only (a), with 1 and 2 threads
# alike, and pandas is left out.
# usage: bench/metrics.sh [INTERACTIONS [REPEATS]]   (default 5000000 and 7; builds into build-bench/)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}" python3-pandas
# a nodejs from NodeSource carries its own npm, and conflicts with Debian's npm package
command -v node >/dev/null || cx_need nodejs
command -v npm >/dev/null || cx_need npm
n=${1:-5000000}
reps=${2:-7}
work=${CX_BENCH_DIR:-/tmp/cxkit-bench}
mkdir -p "$work"
if [ -d build-bench ]; then meson setup --reconfigure build-bench --buildtype=release >/dev/null; else meson setup build-bench --buildtype=release >/dev/null; fi
ninja -C build-bench >/dev/null
sorted=$work/data-$n
if [ ! -f "$sorted/feedback.csv" ]; then
  echo "generating $n interactions into $sorted"
  build-bench/tools/gen-demo --scale-events "$n" "$sorted" >/dev/null
fi
data=$sorted-shuffled
if [ "${CX_BENCH_SORTED:-0}" = 1 ]; then
  data=$sorted
elif [ ! -f "$data/feedback.csv" ] || [ "$data/feedback.csv" -ot "$sorted/feedback.csv" ]; then
  echo "shuffling the records of $sorted into $data"
  /usr/bin/python3 bench/shuffle_csv.py "$sorted" "$data"
fi
order=$([ "$data" = "$sorted" ] && echo sorted || echo shuffled)
echo "data: $(du -sh "$data" | cut -f1) in $data ($order); $(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -d "$work/node_modules/@duckdb/node-api" ]; then
  (cd "$work" && npm install --silent --no-audit --no-fund @duckdb/node-api >/dev/null 2>&1)
fi
cp bench/peers_metrics.mjs "$work/peers_metrics.mjs"
out=$work/metrics-results.txt
: > "$out"
rm -f "$work"/table-*.tsv
echo
# read the files once so that every program, ours first, finds them in the page cache
cat "$data"/*.csv > /dev/null
quick=${CX_BENCH_QUICK:-0}
which=$([ "$quick" = 1 ] && echo a || echo all)
build-bench/bench/bench-metrics "$data" "$reps" "$work/table-cxkit.tsv" 1 "$which" | tee -a "$out"
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# the same three loads as with one thread, so that (a) finds the C library's
# heap in the same state (freed memory reused, fewer page faults)
build-bench/bench/bench-metrics "$data" "$reps" "$work/table-cxkit2.tsv" 2 "$which" | tee -a "$out"
echo
if [ "$quick" != 1 ]; then
  /usr/bin/python3 bench/peers_metrics.py "$data" "$reps" "$work/table-pandas.tsv" | tee -a "$out"
  echo
fi
node "$work/peers_metrics.mjs" "$data" 1 "$reps" "$work/table-duckdb1.tsv" | tee -a "$out"
echo
node "$work/peers_metrics.mjs" "$data" 2 "$reps" "$work/table-duckdb2.tsv" | tee -a "$out"
echo
echo "agreement with cxkit:"
pandas_tsv=$([ "$quick" = 1 ] || echo "$work/table-pandas.tsv")
/usr/bin/python3 bench/peers_metrics.py --compare "$work/table-cxkit.tsv" "$work/table-cxkit2.tsv" \
  $pandas_tsv "$work/table-duckdb1.tsv" "$work/table-duckdb2.tsv" | tee -a "$out" || true

get() { sed -n "s/^RESULT .*\<$1=\([0-9.e+-]*\).*/\1/p" "$out" | head -1; }
ratio() { awk "BEGIN{printf \"%6.1f\", $1 / $2}"; }
cx=$(get cx_total_s) cxi=$(get cx_import_s) cxq1=$(get cx_first_query_s)
cxb=$(get cx_query_best_s) cxm=$(get cx_query_median_s)
fb=$(get floor_bytes) fs=$(get floor_s) frb=$(get floor_rand_bytes) frs=$(get floor_rand_s)
agree=$(sed -n 's/^AGREE //p' "$out")
echo
echo "summary: $n interactions ($order), $(get feedback_rows) feedback rows, $(get case_rows) cases; seconds;"
echo "  ratio = peer time / cxkit time (> 1: cxkit is faster)"
cxc=$(get cx_total_cpu_s)
printf "  %-20s %8s %10s %6s %9s %6s | %10s %10s %6s\n" "" "load" "load+query" "ratio" "(CPU s)" "ratio" "query best" "median" "ratio"
printf "  %-20s %8.3f %10.3f %6s %9.3f %6s | %10.5f %10.5f %6s\n" "cxkit (1 thread)" "$cxi" "$cx" "" "$cxc" "" "$cxb" "$cxm" ""
cx2=$(get cx2_total_s) cx2i=$(get cx2_import_s) cx2c=$(get cx2_total_cpu_s) cx2b=$(get cx2_query_best_s) cx2m=$(get cx2_query_median_s)
printf "  %-20s %8.3f %10.3f %6s %9.3f %6s | %10.5f %10.5f %6s\n" "cxkit (2 threads)" "$cx2i" "$cx2" "$(ratio "$cx2" "$cx")" \
  "$cx2c" "$(ratio "$cx2c" "$cxc")" "$cx2b" "$cx2m" "$(ratio "$cx2b" "$cxb")"
six=$(get cx_six_total_s) sixi=$(get cx_six_import_s) sixc=$(get cx_six_total_cpu_s)
allc=$(get cx_all_total_s) alli=$(get cx_all_import_s) allcc=$(get cx_all_total_cpu_s)
if [ "$quick" != 1 ]; then
  printf "  %-20s %8.3f %10.3f %6s %9.3f %6s |\n" "cxkit every column" "$alli" "$allc" "" "$allcc" ""
  printf "  %-20s %8.3f %10.3f %6s %9.3f %6s |\n" "cxkit + customers" "$sixi" "$six" "" "$sixc" ""
fi
row() {
  local name=$1 key=$2
  local t l b m
  local c
  t=$(get "${key}_total_s") l=$(get "${key}_load_s") b=$(get "${key}_query_best_s") m=$(get "${key}_query_median_s")
  c=$(get "${key}_total_cpu_s")
  printf "  %-20s %8.3f %10.3f %6s %9.3f %6s | %10.5f %10.5f %6s\n" "$name" "$l" "$t" "$(ratio "$t" "$cx")" "$c" \
    "$(ratio "$c" "$cxc")" "$b" "$m" "$(ratio "$b" "$cxb")"
}
[ "$quick" = 1 ] || row "pandas (1 thread)" pandas
row "duckdb (1 thread)" duckdb1
row "duckdb (2 threads)" duckdb2
echo "  (seconds of wall-clock time; CPU s = CPU time of all the process's threads for load + query, less"
echo "   sensitive than wall-clock time to other work on the machine."
echo "   cxkit: load = import of touchpoints, questions, cases, interactions and feedback, the files the peers"
echo "   read, of them the columns the query reads, as the peers, every value checked, the customers created"
echo "   from the rows; first query $cxq1 s. cxkit every column: the same files, every column imported."
echo "   cxkit + customers: every column of six files, customers.csv (with its attributes) first."
echo "   Peers: load = read_csv of the columns the query uses, without customers.csv)"
d1=$(get duckdb1_total_s) d2=$(get duckdb2_total_s)
echo "  issue 14 target, CSV -> metrics, DuckDB (2 threads) / cxkit (2 threads), wall-clock: $(ratio "$d2" "$cx2")x" \
  "(target >= 2.5; cxkit with 1 thread: $(ratio "$d2" "$cx")x); CPU s: DuckDB 2 threads $(get duckdb2_total_cpu_s)," \
  "cxkit 2 threads $cx2c (1 thread $cxc)"
[ "$quick" = 1 ] || echo "  DuckDB (1 thread) load+query / cxkit: $(ratio "$d1" "$cx")x (the columns the peers read)," \
  "$(ratio "$d1" "$allc")x (every column of the same files), $(ratio "$d1" "$six")x (every column, customers.csv too)"
awk "BEGIN{printf \"  bandwidth floor of (b) at 25 GB/s: %.1f MB of columns -> %.5f s; measured best %.5f s = %.1fx the floor\n\", $fb / 1e6, $fs, $cxb, $cxb / $fs}"
awk "BEGIN{printf \"    counting each random read of an interaction's agent/touchpoint as a 64 B line: %.1f MB -> %.5f s = %.1fx\n\", $frb / 1e6, $frs, $cxb / $frs}"
echo "  load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes the times noisy)"
echo "  same numbers in all five (counts equal; rates and means to 1e-9; quantiles to 0.5 %, cxkit's sketch bound): $agree"
