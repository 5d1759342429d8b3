#!/usr/bin/env bash
# The "symbols leak" check: the shared library exports exactly the functions
# the public headers declare with CX_EXTERN, and those are exactly the
# version script's list; nothing without the cx_ prefix is exported.
# usage: check_symbols.sh LIBRARY SOURCE_ROOT
set -euo pipefail
lib=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u > "$tmp/exported"
grep -ho '^CX_EXTERN[^(]*(' "$src"/include/cxkit/*.h "$src"/include/cxkit/*.h.in |
  sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort -u > "$tmp/declared"
sed -n 's/^ *\(cx_[a-z0-9_]*\);$/\1/p' "$src/src/libcxkit.map" | sort -u > "$tmp/mapped"
rc=0
if grep -v '^cx_' "$tmp/exported" | grep -v '^CXKIT_' > "$tmp/foreign"; then
  echo "exported symbols without the cx_ prefix:"; cat "$tmp/foreign"; rc=1
fi
grep -v '^CXKIT_' "$tmp/exported" > "$tmp/exported_cx" || true
if ! diff -u "$tmp/declared" "$tmp/exported_cx"; then
  echo "the exported symbols differ from the header declarations (- declared, + exported)"; rc=1
fi
if ! diff -u "$tmp/declared" "$tmp/mapped"; then
  echo "src/libcxkit.map differs from the header declarations (- declared, + in the map)"; rc=1
fi
[ $rc = 0 ] && echo "ok: $(wc -l < "$tmp/declared") symbols, all cx_, headers = exports = map"
exit $rc
