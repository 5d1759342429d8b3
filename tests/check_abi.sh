#!/usr/bin/env bash
# ABI check, two ways, against the baselines committed in abi/:
# - abidiff of the built library with abi/libcxkit.abi (abidw's XML): catches
#   added and removed functions and changed types;
# - the canonical listing of the public declarations (tools/api-listing.sh)
#   against abi/libcxkit.api: catches a changed signature or enum value, which
#   abidiff 2.2 misses when one side is XML.
# Either difference fails until the baselines are regenerated on purpose with
# tools/update-abi.sh.
# usage: check_abi.sh LIBRARY SOURCE_ROOT BUILD_ROOT CC
set -euo pipefail
lib=$1 src=$2 build=$3 cc=$4
rc=0
for f in libcxkit.abi libcxkit.api; do
  if [ ! -f "$src/abi/$f" ]; then
    echo "no ABI baseline at abi/$f: run tools/update-abi.sh"; exit 1
  fi
done
set +e
out=$(abidiff --no-show-locs --headers-dir2 "$src/include" "$src/abi/libcxkit.abi" "$lib" 2>&1)
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "$out"
  echo "abidiff exit status $status: the exported ABI differs from abi/libcxkit.abi."
  rc=1
fi
if ! diff -u "$src/abi/libcxkit.api" <(bash "$src/tools/api-listing.sh" "$src" "$build" "$cc"); then
  echo "the public declarations differ from abi/libcxkit.api (- baseline, + now)."
  rc=1
fi
if [ $rc -ne 0 ]; then
  echo
  echo "If the change is intended (new functions in a new version node), run tools/update-abi.sh"
  echo "and commit the new baselines; never change a released function's signature."
  exit 1
fi
echo "ok: ABI identical to abi/libcxkit.abi, declarations identical to abi/libcxkit.api"
