#!/usr/bin/env bash
# The README's first command: installs what the build needs, builds the
# library, then imports the shipped demo data (examples/data/*.csv) into a
# SQLite file with the report tool and prints what the library can say about
# it; then runs the C examples: the CX scorecard (NPS, CSAT, CES, FCR by
# channel and month, service times in business hours), journeys (paths,
# funnel, attribution, pain points), lifecycle (retention, survival, CLV,
# health and the proactive-care list) and a customer's omnichannel history
# with how bad input is refused.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}"
if [ -d build-demo ]; then meson setup --reconfigure build-demo >/dev/null; else meson setup build-demo >/dev/null; fi
ninja -C build-demo >/dev/null
mkdir -p build-demo/rejects
build-demo/tools/cx-report -o build-demo/cxkit-demo.db -r build-demo/rejects examples/data
echo
echo "---- examples/metrics.c: the CX scorecard ----"
build-demo/examples/cx-metrics examples/data
echo
echo "---- examples/journeys.c: paths, funnel, attribution, pain points ----"
build-demo/examples/cx-journeys examples/data
echo
echo "---- examples/lifecycle.c: retention, survival, value, proactive care ----"
build-demo/examples/cx-lifecycle examples/data
echo
echo "---- examples/history.c ----"
build-demo/examples/cx-history
