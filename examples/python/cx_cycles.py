#!/usr/bin/env python3
"""cx_cycles.py: service cycles in the demo data, with pandas.

Loads examples/data/*.csv into a store, reads the cases' status changes
(case_events.csv) into a cxkit.CaseEvents log, and prints resolution time
per cycle number (do reopened cases take longer the second time?), the
same by channel, the slowest second cycles, and what the check of the log
against the store finds.

Usage: python3 cx_cycles.py [DATA_DIR]   (default: the demo data)
Runs from the build tree (PYTHONPATH=build/bindings/python) or installed.
"""
import pathlib
import sys

import cxkit

TABLES = ["customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"]
HOUR = 3600000.0


def load(data_dir):
    store = cxkit.Store()
    for table in TABLES:
        store.import_csv(table, str(data_dir / (table + ".csv")))
    return store


def hours(df, columns):
    out = df.copy()
    for c in columns:
        out[c] = (out[c] / HOUR).round(1)
    return out.rename(columns={c: c.replace("_ms", "_h") for c in columns})


def main():
    here = pathlib.Path(__file__).resolve().parent
    data_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent / "data"
    store = load(data_dir)
    events = cxkit.CaseEvents.read_csv(str(data_dir / "case_events.csv"))
    print(f"{len(events)} events of {events.case_count()} cases")

    summary = events.summary(store, strict=True).to_pandas()
    print("\nresolution time per cycle (hours)")
    cols = ["cycle", "cycles", "resolved", "open", "median_ms", "p90_ms", "reopen_share", "ratio_to_first"]
    print(hours(summary[cols], ["median_ms", "p90_ms"]).to_string(index=False))

    by = events.summary(store, by="channel").to_pandas()
    wide = by.pivot(index="channel", columns="cycle", values="median_ms") / HOUR
    print("\nmedian hours by channel and cycle")
    print(wide.round(1).to_string())

    cycles = events.cycles(store).to_pandas()
    second = cycles[cycles["cycle"] == 2].nlargest(3, "duration_ms")
    print("\nthe slowest second cycles")
    print(hours(second[["case", "customer", "channel", "agent", "duration_ms", "reopen_lag_ms"]],
                ["duration_ms", "reopen_lag_ms"]).to_string(index=False))

    problems = events.check(store).to_pandas()
    print(f"\nthe log and the store disagree on {len(problems)} case(s)")


if __name__ == "__main__":
    main()
