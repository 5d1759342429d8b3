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
# The Python package (a build with the bindings): cxkit/ with __init__.py,
# _core.py and the _cxkit extension, in a directory Debian's python3 reads
# for the prefixes it knows (/usr, /usr/local), and it imports from there.
py_note=
core=$(find "$dest" -path '*/cxkit/_core.py' | head -1)
if [ -n "$core" ]; then
  pkg=$(dirname "$core"); site=${pkg%/cxkit}; site=${site#"$dest"}
  for f in __init__.py "$(cd "$pkg" && ls _cxkit.*.so 2>/dev/null | head -1)"; do
    [ -n "$f" ] && [ -f "$pkg/$f" ] || { echo "FAIL: the installed package $pkg lacks ${f:-the _cxkit extension}"; exit 1; }
  done
  for f in "$src"/bindings/python/cxkit/*.py; do
    cmp -s "$f" "$pkg/$(basename "$f")" || { echo "FAIL: $(basename "$f") not installed in $pkg"; exit 1; }
  done
  if [ "$prefix" = /usr ] || [ "$prefix" = /usr/local ]; then
    /usr/bin/python3 -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$site" ||
      { echo "FAIL: the package went to $site, which /usr/bin/python3 does not read"; exit 1; }
  fi
  if ldd "$pkg"/_cxkit.*.so | grep -q 'libasan\|libubsan\|clang_rt'; then
    py_note=", the Python package in $site (sanitized: not imported)"
  else
    v=$(cd "$dest" && PYTHONPATH="$dest$site" /usr/bin/python3 -c \
      'import sys, cxkit; assert cxkit.__file__.startswith(sys.argv[1] + "/cxkit/"), cxkit.__file__; print(cxkit.__version__)' \
      "$dest$site") || { echo "FAIL: the installed package does not import"; exit 1; }
    py_note=", the Python package cxkit $v in $site imports"
  fi
fi
echo "ok: installed headers, cxkit.pc and libcxkit.so.0 build and run the example$py_note"
