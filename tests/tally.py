"""Counts passed and failed tests in a meson testlog JSON file: each Check
test case of a TAP test counts once, any other test counts once; a skipped test counts as skipped."""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        t = json.loads(line)
        if t["result"] == "SKIP":
            skipped += 1
            continue
        ok = t["result"] in ("OK", "EXPECTEDFAIL")
        sub_ok = sub_fail = 0
        out = (t.get("stdout") or "").splitlines()
        if any(re.match(r"^1\.\.\d+$", l) for l in out):  # a TAP plan: count its cases
            for l in out:
                if re.match(r"^ok\b", l):
                    sub_ok += 1
                elif re.match(r"^not ok\b", l):
                    sub_fail += 1
        if sub_ok + sub_fail:
            passed += sub_ok
            failed += sub_fail
            if not ok and sub_fail == 0:  # crashed or timed out after its cases
                failed += 1
        elif ok:
            passed += 1
        else:
            failed += 1
print(passed, failed, skipped)
