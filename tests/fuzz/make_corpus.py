#!/usr/bin/python3
"""Writes the text inputs of the fuzz targets (issue 15) from the demo data
in examples/data: tests/fuzz/base_store.h, a small consistent subset of the
demo tables that the import and care targets load before each input, and
the seed corpus of the CSV and JSON Lines import targets
(tests/fuzz/corpus/import_csv, import_jsonl, db_import_csv): heads of every
table, each under several option bytes. Run it again after changing the
demo data or the input layout; the files it writes are committed.

Input layout of the import targets: byte 0 is the table (mod 7), byte 1 the
option flags (see fuzz_import.c), the rest the file."""
import csv
import io
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "examples", "data")
FUZZ = os.path.join(ROOT, "tests", "fuzz")
TABLES = ["customers", "touchpoints", "interactions", "cases", "questions", "feedback", "transactions"]


def read(name):
    with open(os.path.join(DATA, name + ".csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def to_csv(header, rows, delim=","):
    out = io.StringIO()
    w = csv.writer(out, delimiter=delim, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def to_jsonl(header, rows):
    lines = []
    for r in rows:
        obj = {}
        for k, v in zip(header, r):
            if v == "":
                continue
            if k in ("score", "amount", "weight", "value", "duration_ms", "reopens", "contacts",
                     "scale_min", "scale_max", "key", "higher_is_better"):
                try:
                    v = json.loads(v)
                except ValueError:
                    pass
            obj[k] = v
        lines.append(json.dumps(obj, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main():
    data = {t: read(t) for t in TABLES}
    # The base store: six customers and what refers only to them.
    h, rows = data["customers"]
    custs = rows[:6]
    ids = {r[0] for r in custs}
    base = {"customers": (h, custs), "touchpoints": data["touchpoints"], "questions": data["questions"]}
    h, rows = data["cases"]
    cases = [r for r in rows if r[1] in ids][:6]
    case_ids = {r[0] for r in cases}
    base["cases"] = (h, cases)
    h, rows = data["interactions"]
    ci = h.index("case")
    inter = [r for r in rows if r[1] in ids and (r[ci] == "" or r[ci] in case_ids)][:20]
    inter_ids = {r[0] for r in inter}
    base["interactions"] = (h, inter)
    h, rows = data["feedback"]
    ii, fc = h.index("interaction"), h.index("case")
    fb = [r for r in rows if r[1] in ids and (r[ii] == "" or r[ii] in inter_ids)
          and (r[fc] == "" or r[fc] in case_ids)][:15]
    base["feedback"] = (h, fb)
    h, rows = data["transactions"]
    base["transactions"] = (h, [r for r in rows if r[1] in ids][:10])

    with open(os.path.join(FUZZ, "base_store.h"), "w", encoding="utf-8") as f:
        f.write("/* Written by tests/fuzz/make_corpus.py from examples/data: the store the\n"
                " * import and care fuzz targets start from, one CSV text per table in\n"
                " * cx_table order. */\n")
        f.write("static const char *const fz_base_csv[7] = {\n")
        for t in TABLES:
            text = to_csv(*base[t])
            f.write("    " + json.dumps(text, ensure_ascii=False) + ",\n")
        f.write("};\n")

    def seed(target, name, table, flags, body):
        d = os.path.join(FUZZ, "corpus", target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(bytes([table, flags]) + body.encode("utf-8"))

    for ti, t in enumerate(TABLES):
        h, rows = data[t]
        bh, brows = base[t]
        # rows the base has (duplicates: reject / skip / update), then the next ones
        overlap = brows[-3:] + [r for r in rows if r not in brows][:5]
        fresh = [r for r in rows if r not in brows][:8]
        # flags: bit0 strict, bits1-2 existing, bit3 create customers, bits4-5 delimiter,
        # bit6 map a renamed column, bit7 reject file
        seed("import_csv", t + "-head", ti, 0x00, to_csv(h, fresh))
        seed("import_csv", t + "-update", ti, 0x04 | 0x08 | 0x80, to_csv(h, overlap))
        seed("import_csv", t + "-skip-strict", ti, 0x01 | 0x02, to_csv(h, overlap))
        seed("import_csv", t + "-semicolon", ti, 0x10 | 0x08, to_csv(h, fresh[:3], ";"))
        seed("import_csv", t + "-tab", ti, 0x20, to_csv(h, fresh[:3], "\t"))
        renamed = ["ID" if c == "id" or c == "name" else c for c in h]
        seed("import_csv", t + "-mapped", ti, 0x40 | 0x08, to_csv(renamed, fresh[:3]))
        seed("import_csv", t + "-bom-crlf", ti, 0x08, "\ufeff" + to_csv(h, fresh[:2]).replace("\n", "\r\n"))
        seed("import_jsonl", t + "-head", ti, 0x00, to_jsonl(h, fresh))
        seed("import_jsonl", t + "-update", ti, 0x04 | 0x08 | 0x80, to_jsonl(h, overlap))
        seed("import_jsonl", t + "-skip-strict", ti, 0x01 | 0x02, to_jsonl(h, overlap))
        seed("import_jsonl", t + "-mapped", ti, 0x40, to_jsonl(renamed, fresh[:3]))
        seed("db_import_csv", t + "-head", ti, 0x08, to_csv(h, fresh))
        seed("db_import_csv", t + "-update", ti, 0x04 | 0x80, to_csv(h, overlap))
        seed("db_import_csv", t + "-skip-strict", ti, 0x01 | 0x02, to_csv(h, overlap))
    return 0


if __name__ == "__main__":
    sys.exit(main())
