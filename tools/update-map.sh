#!/usr/bin/env bash
# Rewrites the global list of src/libcxkit.map from the public headers: every
# function declared CX_EXTERN in include/cxkit/*.h, sorted. Run it after
# adding or removing a public function; the `symbols` test then checks that
# headers, exports and the map agree.
set -euo pipefail
cd "$(dirname "$0")/.."
node=$(grep -m1 -oE '^CXKIT_[0-9.]+' src/libcxkit.map)
{
  echo "/* Exported symbols of libcxkit: one node per release; never edit a released node. */"
  echo "$node {"
  echo "  global:"
  cat include/cxkit/*.h include/cxkit/version.h.in | tr '\n' ' ' | grep -oE 'CX_EXTERN[^;(]*\(' |
    sed -E 's/\($//; s/.*[ *]([a-z_0-9]+)$/\1/' | grep '^cx_' | sort -u | sed 's/^/    /; s/$/;/'
  echo "  local:"
  echo "    *;"
  echo "};"
} > src/libcxkit.map.new
mv src/libcxkit.map.new src/libcxkit.map
echo "src/libcxkit.map: $(grep -c '^    cx_' src/libcxkit.map) symbols in $node"
