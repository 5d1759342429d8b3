#!/usr/bin/env bash
# Installs the build into a temporary root and builds the example against the
# installed headers, pkg-config file and shared library, as a user would.
# usage: check_install.sh BUILD_ROOT SOURCE_ROOT CC
set -euo pipefail
build=$1 src=$2 cc=$3
dest=$(mktemp -d); trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
pc=$(find "$dest" -name cxkit.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: no cxkit.pc installed"; exit 1; }
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$dest$prefix" --cflags --libs cxkit)
"$cc" -std=c11 -Wall -Werror "$src/examples/history.c" $flags -o "$dest/cx-history"
libdir=$(dirname "$(find "$dest" -name 'libcxkit.so.0' | head -1)")
LD_LIBRARY_PATH=$libdir "$dest/cx-history" > "$dest/out.txt"
grep -q "Omnichannel history of C-1001" "$dest/out.txt" || { echo "FAIL: installed example printed no history"; exit 1; }
soname=$(objdump -p "$libdir/libcxkit.so.0" | awk '/SONAME/ {print $2}')
[ "$soname" = libcxkit.so.0 ] || { echo "FAIL: SONAME is '$soname'"; exit 1; }
for h in cxkit.h common.h store.h time.h version.h; do
  [ -f "$dest$prefix/include/cxkit/$h" ] || { echo "FAIL: header $h not installed"; exit 1; }
done
echo "ok: installed headers, cxkit.pc and libcxkit.so.0 build and run the example"
