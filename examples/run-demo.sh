#!/usr/bin/env bash
# The README's first command: installs what the build needs, builds the
# library, then imports the shipped demo data (examples/data/*.csv) into a
# SQLite file with the report tool and prints what the library can say about
# it; then runs the C examples: the CX scorecard (NPS, CSAT, CES, FCR by
# channel and month, service times in business hours), journeys (paths,
# funnel, attribution, pain points), lifecycle (retention, survival, CLV,
# health and the proactive-care list) and a customer's omnichannel history
# with how bad input is refused.
#
# usage: bash examples/run-demo.sh [BUILD_DIR]   (default: build-demo)
# Everything it writes (the build, the SQLite file, reject files) goes into
# BUILD_DIR (build-demo/ under the source root unless given).
set -euo pipefail
b=build-demo
[ $# -eq 0 ] || b=$(realpath -m -- "$1")   # a given directory is relative to where it was run
cd "$(dirname "$0")/.."
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}"
# Only what the demo runs: the library, the examples and the report tool.
opts=(-Dexamples=enabled -Dtools=enabled -Dtests=disabled -Dbench=disabled -Ddocs=disabled -Dbindings=disabled)
if [ -d "$b" ]; then meson setup --reconfigure "$b" "${opts[@]}" >/dev/null; else meson setup "$b" "${opts[@]}" >/dev/null; fi
ninja -C "$b" >/dev/null
mkdir -p "$b/rejects"
"$b/tools/cx-report" -o "$b/cxkit-demo.db" -r "$b/rejects" examples/data
echo
echo "---- examples/metrics.c: the CX scorecard ----"
"$b"/examples/cx-metrics examples/data
echo
echo "---- examples/journeys.c: paths, funnel, attribution, pain points ----"
"$b"/examples/cx-journeys examples/data
echo
echo "---- examples/lifecycle.c: retention, survival, value, proactive care ----"
"$b"/examples/cx-lifecycle examples/data
echo
echo "---- examples/history.c ----"
"$b"/examples/cx-history
