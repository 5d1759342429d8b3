#!/usr/bin/env bash
# Runs every test of the project: the unit suites, the example, the ABI,
# header and docs checks in a normal build; the unit suites and the example
# again under AddressSanitizer + UndefinedBehaviorSanitizer and under valgrind
# memcheck. Installs what it needs first. Ends with the line
# "N passed, N failed" (N counting each Check test case and each other test).
set -euo pipefail
cd "$(dirname "$0")/.."
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

run() { # run BUILD_DIR LOGNAME LABEL meson-test-args...
  local dir=$1 log=$2 label=$3; shift 3
  echo "== $label"
  meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || true
  tally "$dir" "$log" "$label"
}

setup() { # setup DIR meson-options...
  local dir=$1; shift
  if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null; else meson setup "$dir" "$@" >/dev/null; fi
  ninja -C "$dir" >/dev/null
}

setup build-test -Dtests=enabled
run build-test testlog.json "normal build (all suites)"

setup build-sanitize -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false \
  -Dc_args=-fno-sanitize-recover=all
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  run build-sanitize testlog.json "ASan + UBSan (unit, example)" --suite unit --suite example

# Issue 15: allocation failure at every point of a realistic workload (suite
# allocfail: the normal build ran it above with all suites, every point),
# again under ASan + UBSan so that the error paths run with the sanitizers
# watching: every 5th point and the last of each step (all of them would
# take about 10 minutes there). Not under valgrind (far too slow).
CXT_ALLOCFAIL_STRIDE=5 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  run build-sanitize testlog.json "ASan + UBSan (allocation failure sweep, every 5th point)" --suite allocfail

run build-test testlog-valgrind.json "valgrind memcheck (unit, example)" --setup valgrind --suite unit --suite example

if [ "$total_skip" -gt 0 ]; then
  echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
  echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]
