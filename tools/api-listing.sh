#!/usr/bin/env bash
# Prints the public C interface of libcxkit in a canonical form, one
# declaration a line: every prototype, typedef and enum (with its values) of
# the public headers, after preprocessing, and every CX_ macro's definition.
# The ABI check compares it with abi/libcxkit.api, so that a changed
# signature or enum value fails even where abidiff's XML comparison is blind.
# usage: api-listing.sh SOURCE_ROOT BUILD_ROOT [CC]
set -euo pipefail
src=$1 build=$2 cc=${3:-cc}
inc=(-I"$src/include" -I"$build/include")
"$cc" -std=c11 -E -P "${inc[@]}" "$src/include/cxkit/cxkit.h" |
  tr '\n' ' ' | sed 's/__attribute__((visibility("default")))//g; s/[[:space:]][[:space:]]*/ /g' |
  tr ';' '\n' | sed 's/^ *//; s/ *$//; s/ *\([(),{}=*]\) */\1/g' | grep -E '\b(cx|CX)_' | LC_ALL=C sort
"$cc" -std=c11 -E -dM "${inc[@]}" "$src/include/cxkit/cxkit.h" |
  grep -E '^#define CX_' | grep -v '^#define CX_EXTERN' | sed 's/[[:space:]][[:space:]]*/ /g' | LC_ALL=C sort
