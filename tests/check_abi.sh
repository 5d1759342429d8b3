#!/usr/bin/env bash
# ABI check: compares the built library with the baseline committed in
# abi/libcxkit.abi (abidw's XML). Any change to the exported ABI (a function
# added, removed, or its signature or a type changed) fails, until the
# baseline is regenerated on purpose with tools/update-abi.sh.
# usage: check_abi.sh LIBRARY SOURCE_ROOT
set -euo pipefail
lib=$1 src=$2
baseline=$src/abi/libcxkit.abi
if [ ! -f "$baseline" ]; then
  echo "no ABI baseline at $baseline: run tools/update-abi.sh"; exit 1
fi
set +e
out=$(abidiff --no-show-locs --headers-dir2 "$src/include" "$baseline" "$lib" 2>&1)
rc=$?
set -e
if [ $rc -ne 0 ]; then
  echo "$out"
  echo
  echo "abidiff exit status $rc: the exported ABI differs from abi/libcxkit.abi."
  echo "If the change is intended (new functions in a new version node), run tools/update-abi.sh"
  echo "and commit the new baseline; never change a released function's signature."
  exit 1
fi
echo "ok: ABI identical to abi/libcxkit.abi"
