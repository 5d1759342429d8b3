#!/usr/bin/env bash
# Header hygiene: every public header compiles on its own as C11 with
# -pedantic -Werror and as C++ (extern "C"), and no header exposes a struct
# layout (every public type is opaque; only enums, typedefs and prototypes).
# usage: check_headers.sh SOURCE_ROOT BUILD_ROOT CC
set -euo pipefail
src=$1 build=$2 cc=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cxx=""
for c in c++ g++ clang++; do command -v $c >/dev/null && { cxx=$c; break; }; done
rc=0 n=0
for h in "$src"/include/cxkit/*.h "$build"/include/cxkit/version.h; do
  name=cxkit/$(basename "$h")
  printf '#include <%s>\n#include <%s>\nint cx_check_dummy;\n' "$name" "$name" > "$tmp/t.c"
  if ! "$cc" -std=c11 -pedantic -Wall -Wextra -Werror -I"$src/include" -I"$build/include" -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "FAIL: $name does not compile alone as C11 -pedantic -Werror"; rc=1
  fi
  if [ -n "$cxx" ]; then
    cp "$tmp/t.c" "$tmp/t.cpp"
    if ! "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -I"$src/include" -I"$build/include" -c "$tmp/t.cpp" -o "$tmp/t.o"; then
      echo "FAIL: $name does not compile as C++11"; rc=1
    fi
  fi
  # a struct body in a public header would freeze its layout into the ABI
  if grep -nE '(struct|union)[[:space:]]+[A-Za-z_0-9]*[[:space:]]*\{' "$h"; then
    echo "FAIL: $name exposes a struct or union layout"; rc=1
  fi
  n=$((n + 1))
done
[ $rc = 0 ] && echo "ok: $n headers compile alone as C11 and C++${cxx:+ ($cxx)}, none exposes a struct layout"
exit $rc
