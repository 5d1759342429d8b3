#!/usr/bin/env bash
# Runs every test of the project: the unit suites, the example, the ABI,
# header and docs checks in a normal build; the unit suites, the example and
# the Python and Lua suites again under AddressSanitizer +
# UndefinedBehaviorSanitizer; the unit suites and the example under valgrind
# memcheck; the threads test and the threaded unit suites under
# ThreadSanitizer. Installs what it needs first. Ends with the line
# "N passed, N failed" (N counting each Check test case and each other test).
set -euo pipefail
cd "$(dirname "$0")/.."
# The whole script is one function, read before it runs: editing the file
# during a run (half an hour) cannot change that run.
main() {
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}" "${CX_TEST_PACKAGES[@]}"
cx_need_comma_locale # the locale-independence suite runs under de_DE.UTF-8

total_pass=0 total_fail=0 total_skip=0
tally() { # tally BUILD_DIR LOGNAME LABEL
  local p f s
  read -r p f s < <(/usr/bin/python3 tests/tally.py "$1/meson-logs/$2")
  echo "== $3: $p passed, $f failed, $s skipped"
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
}

# Each stage keeps its own log (meson's --logbase: meson-logs/LOGBASE.json,
# LOGBASE-SETUP.json with --setup), so that every stage's durations can be
# read after the run; each stage prints its wall time.
run() { # run BUILD_DIR LOGBASE LABEL meson-test-args...
  local dir=$1 base=$2 label=$3 t0=$SECONDS log; shift 3
  log=$base.json
  local prev=
  for a in "$@"; do
    [ "$prev" = --setup ] && log=$base-$a.json
    prev=$a
  done
  echo "== $label"
  rm -f "$dir/meson-logs/$log" # never a log of an earlier run
  meson test -C "$dir" --print-errorlogs --num-processes 2 --logbase "$base" "$@" || true
  if [ -f "$dir/meson-logs/$log" ]; then
    tally "$dir" "$log" "$label"
  else
    echo "== $label: no test log: meson test did not run (counted as 1 failed)"
    total_fail=$((total_fail + 1))
  fi
  echo "== $label: $((SECONDS - t0)) s (whole run so far: $SECONDS s)"
}

setup() { # setup DIR meson-options...
  local dir=$1; shift
  if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi
  local t0=$SECONDS
  ninja -C "$dir" >/dev/null
  echo "== build $dir: $((SECONDS - t0)) s"
}

setup build-test -Dtests=enabled
run build-test testlog "normal build (all suites)"

# (CXI_NO_VECTOR: the Markov removals side by side in plain doubles, as
# compilers without GCC's vector types build them, src/journey/chain.c; the
# normal build ran the vector types)
setup build-sanitize -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false \
  "-Dc_args=-fno-sanitize-recover=all -DCXI_NO_VECTOR"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  run build-sanitize testlog-unit "ASan + UBSan (unit, example, parallel)" --suite unit --suite example --suite parallel

# Issue 12: the cxkit command's subcommands (suite cli) with the tool itself
# built under ASan + UBSan (the normal build ran the suite above).
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  run build-sanitize testlog-cli "ASan + UBSan (cli)" --suite cli

# The Python and Lua suites against the sanitized library and modules: the
# meson tests preload ASan's runtime into the (uninstrumented) interpreters
# and keep leak detection for our code (bindings/meson.build, lsan.supp).
run build-sanitize testlog-bindings "ASan + UBSan (python, lua)" --suite python --suite lua

# Issue 15: allocation failure at every point of a realistic workload (suite
# allocfail: the normal build ran it above with all suites, every point;
# its two tests are the sweep through a store's allocator and the
# malloc-level sweep of what does not use one, allocfail-malloc),
# again under ASan + UBSan so that the error paths run with the sanitizers
# watching: every 5th point and the last of each step (all of them would
# take about 10 minutes there). Not under valgrind (far too slow).
CXT_ALLOCFAIL_STRIDE=5 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  run build-sanitize testlog-allocfail "ASan + UBSan (allocation failure sweep, every 5th point)" --suite allocfail

run build-test testlog "valgrind memcheck (unit, example)" --setup valgrind --suite unit --suite example

# ThreadSanitizer (issue 15): the threads test (stores built in parallel,
# one store read by many threads at once) and the unit suites that start
# threads (base, calendar, pathtable: attribution on threads; compact:
# finds at once on a compacted store), in a build
# instrumented with -fsanitize=thread
# (gcc, runtime libtsan2); any data race ends the test with TSan's exit code,
# which fails it. The other unit suites run no threads, so TSan could find
# nothing there, and they take over 10 minutes under it (io, db, sync).
setup build-tsan -Dtests=enabled -Db_sanitize=thread -Db_lundef=false -Dbindings=disabled -Dbench=disabled \
  -Ddocs=disabled -Dexamples=disabled
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  run build-tsan testlog "ThreadSanitizer (threads, parallel; unit: base, calendar, pathtable, compact)" threads \
  parallel-import parallel-analyses base calendar pathtable compact

# libFuzzer targets (tests/fuzz/, issue 15): a clang build of its own; each
# target runs over its committed seed corpus, then fuzzes a few seconds
# (-Dfuzz_seconds); new inputs stay in build-fuzz/tests/fuzz/corpus.
CC=clang setup build-fuzz -Dfuzz=enabled -Dfuzz_seconds=8 -Ddefault_library=static -Dtests=disabled -Dbindings=disabled \
  -Dexamples=disabled -Dtools=disabled -Dbench=disabled -Ddocs=disabled
run build-fuzz testlog "libFuzzer targets (fuzz)" --suite fuzz

if [ "$total_skip" -gt 0 ]; then
  echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
  echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
}
main "$@"
exit
