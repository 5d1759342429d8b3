#!/usr/bin/env bash
# A long, unattended run of every libFuzzer target of tests/fuzz (issue 15),
# one target at a time under nice, then a coverage report of the library.
#
#   bash tests/fuzz/long-run.sh [SECONDS_PER_TARGET]   (default 400: an hour in all)
#
# Builds build-fuzz-long/ (CC=clang, -Dfuzz=enabled -Dfuzz_coverage=true).
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>,
# only read) and the corpus earlier long runs grew (build-fuzz-long/corpus/
# <target>, kept between runs); after a crash it is restarted for the rest
# of its time, the reproducer kept in the run's artifacts/. Then every
# target's corpus is replayed by the coverage build (clang source-based
# coverage) and llvm-cov reports line and function coverage of the library
# (src/) per file and in total.
#
# Everything goes to build-fuzz-long/run-<UTC time>/: log.txt (this
# script's output: per target the executions, new inputs, coverage points
# before and after, crashes), <target>.log (libFuzzer's output),
# artifacts/, coverage.txt. Exit status 1 when a target crashed.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-400}
build=build-fuzz-long
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}" clang libclang-rt-14-dev llvm

if [ -d "$build" ]; then
  meson setup --reconfigure "$build" -Dfuzz=enabled -Dfuzz_coverage=true >/dev/null
else
  CC=clang meson setup "$build" -Dfuzz=enabled -Dfuzz_coverage=true -Ddefault_library=static -Dtests=disabled \
    -Dbindings=disabled -Dexamples=disabled -Dtools=disabled -Dbench=disabled -Ddocs=disabled >/dev/null
fi
ninja -C "$build" -j2 >/dev/null || { echo "build failed"; exit 2; }

out=$build/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/artifacts" "$out/profiles"
log=$out/log.txt
say() { echo "$*" | tee -a "$log"; }
profdata=$(command -v llvm-profdata || command -v llvm-profdata-14)
llvmcov=$(command -v llvm-cov || command -v llvm-cov-14)

targets=()
for f in "$build"/tests/fuzz/fuzz_*; do
  n=${f##*/fuzz_}
  case $n in cov_*|make_seeds|*.p) continue ;; esac
  [ -x "$f" ] && targets+=("$n")
done
say "long fuzz run: ${#targets[@]} targets, ${seconds}s each, started $(date -u +%FT%TZ), output in $out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
crashed=0
printf '%-14s %10s %8s %9s %9s %7s\n' target execs new_units cov_start cov_end crashes | tee -a "$log"
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  max_len=65536
  [ "$t" = db_load ] && max_len=131072
  start=$(date +%s) execs=0 added=0 cov0="" cov1="" crashes=0 runs=0
  : >"$out/$t.log"
  while :; do
    left=$((seconds - ($(date +%s) - start)))
    [ "$left" -ge 5 ] && [ "$runs" -lt 50 ] || break
    runs=$((runs + 1))
    nice -n 10 "$build/tests/fuzz/fuzz_$t" -max_total_time="$left" -timeout=30 -rss_limit_mb=2048 \
      -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
      "$corpus" "tests/fuzz/corpus/$t" >"$out/$t.part" 2>&1
    rc=$?
    cat "$out/$t.part" >>"$out/$t.log"
    e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.part" | tail -1)
    a=$(sed -n 's/^stat::new_units_added: *//p' "$out/$t.part" | tail -1)
    if [ -z "$e" ]; then # no final stats after a crash: the last status line's count
      e=$(grep -o '^#[0-9]*' "$out/$t.part" | tail -1 | tr -d '#')
    fi
    execs=$((execs + ${e:-0})) added=$((added + ${a:-0}))
    [ -z "$cov0" ] && cov0=$(grep -m1 'INITED cov:' "$out/$t.part" | sed 's/.*INITED cov: \([0-9]*\).*/\1/')
    c=$(grep -o 'cov: [0-9]*' "$out/$t.part" | tail -1 | cut -d' ' -f2)
    [ -n "$c" ] && cov1=$c
    if [ "$rc" -ne 0 ]; then
      crashes=$((crashes + 1))
      say "  $t: crash (exit $rc), reproducer: $(ls -t "$out/artifacts/$t-"* 2>/dev/null | head -1)"
      grep -m3 -E 'invariant broken|ERROR: |runtime error' "$out/$t.part" | sed 's/^/    /' | tee -a "$log"
    fi
  done
  rm -f "$out/$t.part"
  [ "$crashes" -gt 0 ] && crashed=1
  printf '%-14s %10s %8s %9s %9s %7s\n' "$t" "$execs" "$added" "${cov0:-?}" "${cov1:-?}" "$crashes" | tee -a "$log"
done

say "coverage: replaying every corpus with the coverage build"
objects=()
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_cov_$t
  objects+=(-object "$bin")
  skip=0
  while :; do
    LLVM_PROFILE_FILE="$out/profiles/$t-%p.profraw" CX_COV_SKIP=$skip \
      "$bin" "$build/corpus/$t" "tests/fuzz/corpus/$t" "$out"/artifacts/"$t"-* >"$out/cov-$t.log" 2>&1
    [ $? -eq 3 ] || break
    n=$(sed -n 's/^cov_driver: input \([0-9]*\) .*/\1/p' "$out/cov-$t.log" | tail -1)
    [ -n "$n" ] || break
    skip=$((n + 1))
  done
done
"$profdata" merge -sparse "$out"/profiles/*.profraw -o "$out/merged.profdata"
first=${objects[1]}
"$llvmcov" report "$first" "${objects[@]:2}" -instr-profile="$out/merged.profdata" \
  -ignore-filename-regex='tests/fuzz/|/usr/' "$PWD/src" >"$out/coverage.txt" 2>&1
# per file: lines covered %, functions covered %; then the total
awk 'NR>2 && $1 !~ /^-/ && NF>=13 && $8 > 0 { printf "%-34s lines %7s of %6s  functions %7s of %5s\n", $1, $10, $8, $7, $5 }' \
  "$out/coverage.txt" | sed 's|^.*/src/|src/|' | tee -a "$log"
say "finished $(date -u +%FT%TZ); coverage table: $out/coverage.txt"
exit "$crashed"
