#!/usr/bin/env bash
# The `cxkit` command as `meson install` installs it: a build of its own
# (the library and the tools only) in a temporary directory,
#  1. installed under a custom prefix (like --prefix=/tmp/x): the installed
#     bin/cxkit runs from another directory with LD_LIBRARY_PATH unset and
#     finds the installed libcxkit.so (its RUNPATH, tools/meson.build):
#     --version, --help, `cxkit import` of the demo data into a new file,
#     `cxkit metrics` and the pain points on it, a missing data folder;
#     it writes nothing into the directory it runs in;
#  2. installed for /usr/local (with --destdir): bin/cxkit and the library
#     are where they belong and cxkit's RUNPATH is /usr/local's libdir;
#  3. for /usr: no RUNPATH (the dynamic linker looks there anyway).
# usage: check_install_tool.sh SOURCE_ROOT [MESON]
set -euo pipefail
src=$(realpath "$1") meson=${2:-meson}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
unset LD_LIBRARY_PATH LD_PRELOAD
want_version=$(sed -n "s/^  version: '\([0-9.]*\)',$/\1/p" "$src/meson.build")
[ -n "$want_version" ] || fail "no version in $src/meson.build"

b=$work/build prefix=$work/x
"$meson" setup "$b" "$src" --prefix="$prefix" -Dtools=enabled -Dtests=disabled -Dexamples=disabled \
  -Dbindings=disabled -Dbench=disabled -Ddocs=disabled >/dev/null
ninja -C "$b" >/dev/null
libdir=$("$meson" introspect "$b" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"))')

# 1. a custom prefix, installed for real
"$meson" install -C "$b" --no-rebuild --quiet >/dev/null
cx=$prefix/bin/cxkit
[ -x "$cx" ] || fail "meson install put no cxkit in $prefix/bin"
[ -e "$prefix/$libdir/libcxkit.so.0" ] || fail "no libcxkit.so.0 in $prefix/$libdir"
# the library it loads is the one just installed, not another one on the system
lib=$(ldd "$cx" | awk '/libcxkit\.so/ {print $3}')
[ "$lib" = "$prefix/$libdir/libcxkit.so.0" ] ||
  fail "the installed cxkit does not load $prefix/$libdir/libcxkit.so.0 (ldd:$(ldd "$cx" | grep cxkit))"
run=$work/elsewhere out=$work/out
mkdir -p "$run" "$out"
cd "$run"
v=$("$cx" --version) || fail "cxkit --version exited $?"
[ "$v" = "cxkit $want_version" ] || fail "cxkit --version printed '$v'"
"$cx" --help > "$out/help.txt" || fail "cxkit --help exited $?"
grep -q "cxkit import" "$out/help.txt" || fail "cxkit --help lists no import"
rc=0; "$cx" import "$out/demo.db" "$src/examples/data" > "$out/import.txt" 2> "$out/import.err" || rc=$?
[ "$rc" = 0 ] || fail "cxkit import exited $rc: $(cat "$out/import.err")"
grep -q ", 0 rejected (new database)" "$out/import.txt" || fail "cxkit import printed: $(cat "$out/import.txt")"
rc=0; "$cx" metrics "$out/demo.db" --measure nps,csat --format csv > "$out/metrics.csv" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "cxkit metrics exited $rc: $(cat "$out/metrics.csv")"
head -1 "$out/metrics.csv" | grep -q "nps" || fail "cxkit metrics printed: $(head -3 "$out/metrics.csv")"
"$cx" journeys "$out/demo.db" pain-points --top 1 --columns touchpoint --format csv > "$out/pain.csv" ||
  fail "cxkit journeys pain-points exited $?"
[ "$(sed -n 2p "$out/pain.csv" | tr -d '\r')" = home_delivery ] || fail "the first pain point is not home_delivery: $(cat "$out/pain.csv")"
"$cx" report "$out/demo.db" --lang ar -o "$out/report-ar.html" > "$out/report.txt" 2>&1 ||
  fail "cxkit report exited $?: $(cat "$out/report.txt")"
grep -q '<html lang="ar" dir="rtl">' "$out/report-ar.html" || fail "cxkit report wrote no Arabic report"
grep -q "first pain point: home_delivery" "$out/report.txt" || fail "cxkit report printed: $(cat "$out/report.txt")"
rc=0; "$cx" import "$out/never.db" "$work/no-such-folder" > /dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "cxkit import of a missing folder exited $rc, not 1"
[ ! -e "$out/never.db" ] || fail "a failed import left $out/never.db"
[ -z "$(ls -A "$run")" ] || fail "cxkit wrote into the directory it ran in: $(ls -A "$run")"
cd "$work"

# 2. /usr/local, into a staging directory (DESTDIR), as a package would
"$meson" configure "$b" --prefix=/usr/local >/dev/null
ninja -C "$b" >/dev/null
"$meson" install -C "$b" --destdir "$work/dest" --no-rebuild --quiet >/dev/null
libdir=$("$meson" introspect "$b" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"))')
[ -x "$work/dest/usr/local/bin/cxkit" ] || fail "no cxkit in DESTDIR/usr/local/bin"
[ -e "$work/dest/usr/local/$libdir/libcxkit.so.0" ] || fail "no libcxkit.so.0 in DESTDIR/usr/local/$libdir"
runpath=$(readelf -d "$work/dest/usr/local/bin/cxkit" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
[ "$runpath" = "/usr/local/$libdir" ] || fail "the /usr/local cxkit has RUNPATH '$runpath', not /usr/local/$libdir"

# 3. /usr: the system's own libdir, no RUNPATH
"$meson" configure "$b" --prefix=/usr >/dev/null
ninja -C "$b" >/dev/null
"$meson" install -C "$b" --destdir "$work/dest-usr" --no-rebuild --quiet >/dev/null
[ -x "$work/dest-usr/usr/bin/cxkit" ] || fail "no cxkit in DESTDIR/usr/bin"
if readelf -d "$work/dest-usr/usr/bin/cxkit" | grep -Eq 'R(UN)?PATH'; then
  fail "the /usr cxkit has an rpath: $(readelf -d "$work/dest-usr/usr/bin/cxkit" | grep -E 'R(UN)?PATH')"
fi
echo "ok: the installed cxkit runs from $prefix/bin with LD_LIBRARY_PATH unset (import, metrics," \
  "pain points, report); /usr/local's has RUNPATH /usr/local/$libdir, /usr's none"
