#!/usr/bin/env bash
# The README's first command: installs what the build needs, builds the
# library and runs the main example on its demo data (a customer's
# omnichannel history and the library's error handling).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}"
if [ -d build-demo ]; then meson setup --reconfigure build-demo >/dev/null; else meson setup build-demo >/dev/null; fi
ninja -C build-demo examples/cx-history >/dev/null
build-demo/examples/cx-history "$@"
