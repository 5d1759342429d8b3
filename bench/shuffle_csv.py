"""Writes a copy of a gen-demo directory with the records of every CSV file
in a seeded random order (the header first), as an unsorted CRM export
would be: bench/import.sh and bench/journey.sh use it for their default,
shuffled case. A record spans lines while its quotes are unbalanced, so a
quoted comment with a line break moves as one record; the bytes of each
record are kept as they are. Run with Debian's interpreter: /usr/bin/python3.

usage: /usr/bin/python3 bench/shuffle_csv.py SORTED_DIR OUT_DIR [SEED]"""
import os
import random
import sys


def records(lines):
    rec = []
    quotes = 0
    for line in lines:
        rec.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            yield b"".join(rec)
            rec = []
            quotes = 0
    if rec:
        yield b"".join(rec)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 14
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(src, name), "rb") as f:
            header = f.readline()
            recs = list(records(f))
        if recs and not recs[-1].endswith(b"\n"):
            recs[-1] += b"\n"
        random.Random(f"{seed}:{name}").shuffle(recs)
        tmp = os.path.join(dst, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(header)
            f.writelines(recs)
        os.replace(tmp, os.path.join(dst, name))


if __name__ == "__main__":
    main()
