#!/usr/bin/env bash
# CXKit as a Meson subproject of another project: a tiny outer project with
# this source tree as subprojects/cxkit gets the library from
# dependency('cxkit') (the fallback to the subproject forced, so that an
# installed cxkit.pc cannot stand in) and builds a one-file program with it.
# Fails unless
#  - the subproject defines and builds only the library (no examples, tools,
#    tests, bindings, benchmarks or docs: they are off in a subproject),
#  - the program runs and reports the library's version,
#  - -Ddefault_library=both builds and installs libcxkit.a beside
#    libcxkit.so, and the installed cxkit.pc links a program against the
#    static archive alone (pkg-config --static).
# usage: check_subproject.sh SOURCE_ROOT [MESON [CC]]
set -euo pipefail
src=$(realpath "$1") meson=${2:-meson} cc=${3:-cc}
py=/usr/bin/python3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

outer=$work/outer
mkdir -p "$outer/subprojects"
ln -s "$src" "$outer/subprojects/cxkit"
cat > "$outer/meson.build" <<'EOF'
project('outer', 'c', default_options: ['c_std=c11'])
executable('hello', 'hello.c', dependencies: dependency('cxkit'))
EOF
# The store and the SQLite loader too, so that a static link needs the
# library's own dependencies (SQLite, Jansson, libm) resolved.
cat > "$outer/hello.c" <<'EOF'
#include <cxkit/cxkit.h>
#include <stdio.h>

int main(void)
{
    cx_store *s = NULL, *back = NULL;
    if (cx_store_new(&s) != CX_OK)
        return 1;
    cx_store_free(s);
    if (cx_db_load(&back, "/nonexistent/dir/x.db") == CX_OK || back)
        return 1;
    printf("cxkit %s\n", cx_version_string());
    return cx_version() == CX_VERSION_NUMBER ? 0 : 1;
}
EOF
want_version=$(sed -n "s/^  version: '\([0-9.]*\)',$/\1/p" "$src/meson.build")
[ -n "$want_version" ] || fail "no version in $src/meson.build"

# Every target the subproject defines, built by default or not, and every
# test: only the library's two archives/libraries are allowed.
only_library() { # only_library BUILD_DIR ALLOWED_NAMES...
  local b=$1; shift
  "$meson" introspect "$b" --targets | "$py" -c '
import json, sys
allowed = set(sys.argv[1:])
targets = [t for t in json.load(sys.stdin) if t["subproject"] == "cxkit"]
extra = sorted(t["name"] for t in targets if t["name"] not in allowed)
if extra:
    sys.exit("FAIL: the subproject defines targets beyond the library: " + ", ".join(extra))
if not targets:
    sys.exit("FAIL: the subproject defines no targets at all")
' "$@"
  local tests
  tests=$("$meson" introspect "$b" --tests | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [ "$tests" = 0 ] || fail "the subproject registers $tests tests"
  # the same from ninja's side: nothing of the optional parts is even a target
  if ninja -C "$b" -t targets all | grep -E '(^|/)(examples|tools|bench|docs|tests|bindings)/|gen-demo|cx-history|cx-metrics|bench-|test_[a-z]+|_cxkit|cxkit_wrap|Doxyfile' ; then
    fail "ninja knows the targets above, which a subproject must not build"
  fi
}

run_hello() { # run_hello EXECUTABLE
  local out
  out=$("$1") || fail "$1 failed"
  [ "$out" = "cxkit $want_version" ] || fail "$1 printed '$out', not 'cxkit $want_version'"
}

# 1. The default (shared) build: the library alone.
"$meson" setup "$work/b1" "$outer" --force-fallback-for=cxkit >/dev/null
ninja -C "$work/b1" >/dev/null
only_library "$work/b1" cxkit cxkit_internal
[ -e "$work/b1/subprojects/cxkit/libcxkit.so" ] || fail "no libcxkit.so in the default build"
[ ! -e "$work/b1/subprojects/cxkit/libcxkit.a" ] || fail "libcxkit.a built without being asked for"
run_hello "$work/b1/hello"

# 2. default_library=both: libcxkit.a and libcxkit.so, both installed.
"$meson" setup "$work/b2" "$outer" --force-fallback-for=cxkit -Ddefault_library=both --prefix=/usr/local >/dev/null
ninja -C "$work/b2" >/dev/null
only_library "$work/b2" cxkit cxkit_internal
for f in libcxkit.a libcxkit.so; do
  [ -e "$work/b2/subprojects/cxkit/$f" ] || fail "no $f with -Ddefault_library=both"
done
run_hello "$work/b2/hello"
dest=$work/dest
"$meson" install -C "$work/b2" --destdir "$dest" --no-rebuild --quiet >/dev/null
a=$(find "$dest" -name libcxkit.a | head -1)
pc=$(find "$dest" -name cxkit.pc | head -1)
[ -n "$a" ] || fail "libcxkit.a not installed"
[ -n "$(find "$dest" -name 'libcxkit.so.*')" ] || fail "libcxkit.so not installed"
[ -n "$pc" ] || fail "cxkit.pc not installed"
# The static archive alone: -lcxkit becomes the archive's path, the rest is
# what cxkit.pc says a static link needs.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$dest/usr/local" \
  --static --cflags --libs cxkit)
flags=${flags//-lcxkit/$a}
"$cc" -std=c11 "$outer/hello.c" $flags -o "$work/hello-static" || fail "cannot link with pkg-config --static: $flags"
if objdump -p "$work/hello-static" | grep -q 'NEEDED.*libcxkit'; then
  fail "the static program still needs libcxkit.so"
fi
run_hello "$work/hello-static"
echo "ok: as a subproject only the library is built; the program runs shared and static"
