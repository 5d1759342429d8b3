#!/usr/bin/env bash
# Runs one libFuzzer target for `meson test --suite fuzz` (issue 15): every
# input of the committed seed corpus once, then fuzzing for SECONDS.
# New inputs go to BUILD_DIR/corpus/NAME (the committed corpus is only
# read), a crashing input to BUILD_DIR/artifacts/NAME-crash-*. A crash exits
# with 99, not libFuzzer's default 77, which meson would count as skipped.
# Usage: run-target.sh TARGET SEED_DIR BUILD_DIR NAME SECONDS [MAX_LEN]
set -euo pipefail
target=$1 seeds=$2 build=$3 name=$4 seconds=$5 max_len=${6:-65536}
mkdir -p "$build/corpus/$name" "$build/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len="$max_len" \
  -print_final_stats=1 -error_exitcode=99 -timeout_exitcode=98 -artifact_prefix="$build/artifacts/$name-" \
  "$build/corpus/$name" "$seeds"
