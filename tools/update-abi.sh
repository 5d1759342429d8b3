#!/usr/bin/env bash
# Regenerates the ABI baseline abi/libcxkit.abi from a build (default: build/).
# Run it only when an ABI change is intended, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
ninja -C "$build" >/dev/null
abidw --no-corpus-path --no-show-locs --headers-dir include "$build/libcxkit.so" > abi/libcxkit.abi
echo "wrote abi/libcxkit.abi ($(grep -c '<elf-symbol ' abi/libcxkit.abi) ELF symbols)"
