#!/usr/bin/env python3
"""cx_sync.py: keep a store in step with a CRM, then honour an erasure request.

1. Imports the demo data (examples/data/*.csv) with existing="update" and
   prints what each import did; imports the same files again: every record
   is already there with the same values, so nothing changes.
2. Imports a later CRM export of a few customers: one changed, one new, one
   as before.
3. Forgets a customer (GDPR article 17, Saudi PDPL): the store afterwards is
   the one that never had them.
4. Pseudonymises the customer ids of a result before sharing it.

Usage: python3 cx_sync.py [DATA_DIR]   (default: the demo data)
Runs from the build tree (PYTHONPATH=build/bindings/python) or installed.
"""
import os
import pathlib
import sys
import tempfile

import cxkit

# every table after the tables its rows refer to
TABLES = ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions")


def sync(store, files, title):
    print(title)
    for table, path in files:
        r = store.import_csv(table, str(path), existing="update")
        print("  %-13s read %6d  added %6d  updated %6d  unchanged %6d  rejected %d"
              % (table, r.read(), r.added(), r.updated(), r.unchanged(), r.rejected()))


def main():
    default = pathlib.Path(__file__).resolve().parents[1] / "data"
    data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CXKIT_DATA", default))
    files = [(t, data / (t + ".csv")) for t in TABLES]
    with cxkit.Store() as store, tempfile.TemporaryDirectory() as tmp:
        sync(store, files, "First import (existing='update'):")
        sync(store, files, "\nThe same files again:")

        # a later export of the CRM: the first customer moved to the vip
        # segment, the second as before, one new
        crm = pathlib.Path(tmp) / "customers.csv"
        with open(data / "customers.csv", encoding="utf-8") as f:
            header, first, second = f.readline(), f.readline().split(","), f.readline()
        first[1] = "vip"  # id,segment,...
        crm.write_text(header + ",".join(first) + second +
                       "C-900001,consumer,الرياض,basic,2026-01-05T10:00:00+03:00,ريم القحطاني,ar\n",
                       encoding="utf-8")
        sync(store, [("customers", crm)], "\nA later CRM export of three customers:")

        # an erasure request
        who = "C-100002"
        before = {t: store.rows(t) for t in TABLES}
        removed = store.forget([who])
        print("\nForgot %s: %d rows removed (%s)" % (who, removed, ", ".join(
            "%s %d" % (t, before[t] - store.rows(t)) for t in TABLES if before[t] != store.rows(t))))
        try:
            store.history(who)
        except cxkit.NotFound as e:
            print("  and it is gone:", e)

        # share the value ranking without customer ids
        key = os.urandom(32)  # keep it secret; the same key gives the same pseudonyms
        top = cxkit.rfm(store, "2026-01-01T00:00:00+03:00", unit_ms=86400000)
        first = top[0]["customer"]
        top.pseudonymize(key, ["customer"])
        print("\nRFM table shared under pseudonyms: %s is now %s (= cxkit.pseudonym(key, id): %s)"
              % (first, top[0]["customer"], cxkit.pseudonym(key, first) == top[0]["customer"]))


if __name__ == "__main__":
    main()
