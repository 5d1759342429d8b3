"""pandas side of bench/import.sh: reads the same CSV files with
pandas.read_csv (one thread, as pandas is) and prints seconds per file.
Run with Debian's interpreter, which has python3-pandas: /usr/bin/python3."""
import os
import sys
import time

import pandas as pd

total = 0.0
rows = 0
for name in ["customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"]:
    path = os.path.join(sys.argv[1], name + ".csv")
    if not os.path.exists(path):
        continue
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    dt = time.perf_counter() - t0
    total += dt
    rows += len(df)
    print(f"  pandas read_csv {name:13s} {len(df):10d} rows {dt:7.3f} s")
print(f"  pandas read_csv {'all':13s} {rows:10d} rows {total:7.3f} s")
print(f"RESULT pandas_s={total:.3f}")
