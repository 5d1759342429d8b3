#!/usr/bin/env bash
# The README's first command: installs what the build needs, builds the
# library, the cxkit command and the examples; imports the shipped demo data
# (examples/data/*.csv) into a SQLite file with `cxkit import`, writes the
# HTML report in English and in Arabic with `cxkit report` (which prints the
# headline numbers: NPS, CSAT, CES, FCR with their n, and the first pain
# point), says where the two reports are, and shows the pain-point list,
# the planted home_delivery first; then runs the C examples: the CX
# scorecard (NPS, CSAT, CES, FCR by channel and month, service times in
# business hours), journeys (paths, funnel, attribution, pain points),
# lifecycle (retention, survival, CLV, health and the proactive-care list)
# and a customer's omnichannel history with how bad input is refused.
#
# usage: bash examples/run-demo.sh [BUILD_DIR]   (default: build-demo)
# Everything it writes (the build, the SQLite file, reject files, the
# reports) goes into BUILD_DIR (build-demo/ under the source root unless
# given); a rerun starts again from a new database.
set -euo pipefail
b=build-demo
[ $# -eq 0 ] || b=$(realpath -m -- "$1")   # a given directory is relative to where it was run
cd "$(dirname "$0")/.."
b=$(realpath -m -- "$b")   # absolute: the paths it prints work from anywhere
. tools/deps.sh
cx_need "${CX_BUILD_PACKAGES[@]}"
# Only what the demo runs: the library, the examples and the cxkit command.
opts=(-Dexamples=enabled -Dtools=enabled -Dtests=disabled -Dbench=disabled -Ddocs=disabled -Dbindings=disabled)
if [ -d "$b" ]; then meson setup --reconfigure "$b" "${opts[@]}" >/dev/null; else meson setup "$b" "${opts[@]}" >/dev/null; fi
ninja -C "$b" >/dev/null
cxkit=$b/tools/cxkit db=$b/cxkit-demo.db
# a rerun imports into a new file, not into the last run's (which would
# reject every row as stored already)
rm -rf "$db" "$db-wal" "$db-shm" "$db-journal" "$b/rejects" "$b/report"
mkdir -p "$b/report"
echo "---- cxkit import: the demo data into $db ----"
"$cxkit" import "$db" examples/data -r "$b/rejects"
echo
echo "---- cxkit report: the headline numbers and the reports ----"
"$cxkit" report "$db" -o "$b/report/cxkit-report-en.html"
"$cxkit" report "$db" -o "$b/report/cxkit-report-ar.html" --lang ar >/dev/null
echo "Reports (one HTML file each, open in a browser):"
echo "  English: $b/report/cxkit-report-en.html"
echo "  Arabic:  $b/report/cxkit-report-ar.html"
echo
echo "---- cxkit journeys DB pain-points: where the journey hurts, worst first ----"
"$cxkit" journeys "$db" pain-points --top 5 --columns rank,touchpoint,channel,stage,score,reason
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
