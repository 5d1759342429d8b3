#!/usr/bin/env bash
# Regenerates the ABI baselines abi/libcxkit.abi (abidw's XML of the library)
# and abi/libcxkit.api (the canonical listing of the public declarations) from
# a build (default: build/). Run it only when an ABI change is intended, and
# commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
ninja -C "$build" >/dev/null
abidw --no-corpus-path --no-show-locs --headers-dir include "$build/libcxkit.so" > abi/libcxkit.abi
bash tools/api-listing.sh . "$build" "${CC:-cc}" > abi/libcxkit.api
echo "wrote abi/libcxkit.abi ($(grep -c '<elf-symbol ' abi/libcxkit.abi) ELF symbols)" \
  "and abi/libcxkit.api ($(wc -l < abi/libcxkit.api) declarations)"
