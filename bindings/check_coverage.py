#!/usr/bin/env python3
"""Fails when a public function of libcxkit is neither wrapped by the SWIG
bindings nor listed, with a reason, in bindings/unwrapped.txt.

A function counts as wrapped when a bindings/*.i file calls it. The list of
public functions is every CX_EXTERN declaration in include/cxkit/*.h (and
version.h.in). Usage: check_coverage.py SOURCE_ROOT"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
inc = root / "include" / "cxkit"
bind = root / "bindings"

decl = re.compile(r"CX_EXTERN\b[^;(]*?\b(cx_\w+)\s*\(", re.S)
public = {}  # name -> header
for h in sorted(list(inc.glob("*.h")) + list(inc.glob("*.h.in"))):
    for name in decl.findall(h.read_text(encoding="utf-8")):
        public[name] = h.name.replace(".h.in", ".h")

used = set()
for i in bind.rglob("*.i"):
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", i.read_text(encoding="utf-8"), flags=re.S)
    used.update(re.findall(r"\b(cx_\w+)\s*\(", text))
for h in bind.rglob("*.h"):
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", h.read_text(encoding="utf-8"), flags=re.S)
    used.update(re.findall(r"\b(cx_\w+)\s*\(", text))

listed, headers, errors = {}, {}, []
for n, line in enumerate((bind / "unwrapped.txt").read_text(encoding="utf-8").splitlines(), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    parts = line.split(None, 2)
    if len(parts) >= 3 and parts[1] == "*":
        headers[parts[0]] = parts[2]
    elif len(parts) >= 2:
        listed[parts[0]] = " ".join(parts[1:])
    else:
        errors.append("unwrapped.txt:%d: %s has no reason" % (n, parts[0]))

for name, header in sorted(public.items()):
    if name in used or name in listed or header in headers:
        continue
    errors.append("%s (%s) is neither wrapped in bindings/*.i nor listed in bindings/unwrapped.txt"
                  % (name, header))
for name in sorted(listed):
    if name not in public:
        errors.append("unwrapped.txt lists %s, which is not a public function" % name)
    elif name in used:
        errors.append("unwrapped.txt lists %s, which the bindings wrap" % name)

for e in errors:
    print("FAIL:", e)
wrapped = sum(1 for n in public if n in used)
print("%d public functions: %d wrapped, %d listed as unwrapped, %d in headers not yet bound (%s)"
      % (len(public), wrapped, sum(1 for n in public if n in listed),
         sum(1 for n, h in public.items() if h in headers and n not in used), ", ".join(headers) or "none"))
sys.exit(1 if errors else 0)
