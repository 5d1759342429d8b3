#!/usr/bin/env python3
"""cx_pandas.py: the demo data from pandas into CXKit, and its charts as PNG files.

Reads examples/data/*.csv with pandas, loads the frames into a Store, then
draws with matplotlib (cxkit's .plot() methods, in the look of the HTML
report) and saves one PNG per chart:
  nps_by_month.png, csat_by_month.png   the trend, with 95 % bands
  csat_by_channel.png                   bars with whiskers and sample sizes
  funnel.png                            the stage funnel of the journeys
  cohorts.png                           retention by monthly cohort
  survival_by_segment.png               Kaplan-Meier curves with bands
  bgnbd_fit.png                         BG/NBD: expected vs actual repeat purchases
printing each file's path.

Usage: python3 cx_pandas.py [OUT_DIR]   (default ./cxkit-plots; the data:
$CXKIT_DATA or examples/data). Needs python3-pandas and python3-matplotlib.
"""
import os
import pathlib
import sys

import pandas as pd

import cxkit

RIYADH = 180  # minutes east of UTC
DAY, WEEK = 86400000, 7 * 86400000


TABLES = ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions")


def read_frames(data_dir):
    """Every table of the demo data as a DataFrame, with pandas' own types;
    times parsed into UTC datetime64 (the files carry their offsets), ids
    and names kept as text, empty cells missing."""
    frames = {}
    for table in TABLES:
        df = pd.read_csv(data_dir / (table + ".csv"), keep_default_na=False, na_values=[""],
                         dtype={c: str for c in ("id", "customer", "name", "agent", "case", "interaction")})
        for col in ("acquired", "opened", "first_response", "resolved", "time"):
            if col in df:
                df[col] = pd.to_datetime(df[col], utc=True)
        frames[table] = df
    return frames


def load(frames):
    """A Store holding the frames (Store.from_pandas: whole columns to the
    C batch calls), each table after those its rows name."""
    store = cxkit.Store()
    for table in TABLES:
        # customers' other columns (name, language) become free attributes, as in import_csv
        store.from_pandas(table, frames[table], extra="attributes" if table == "customers" else "raise")
    print("Loaded from pandas: " + ", ".join("%d %s" % (store.rows(t), t) for t in
                                             ("customers", "interactions", "cases", "feedback", "transactions")))
    return store


def charts(store):
    """(file name, Axes) of every chart."""
    q = cxkit.Query(store)
    q.add("nps")
    q.add("csat")
    q.group_by_time("month", RIYADH)
    by_month = q.run()
    yield "nps_by_month.png", by_month.plot(measure="nps")
    yield "csat_by_month.png", by_month.plot(measure="csat")

    q = cxkit.Query(store)
    q.add("csat")
    q.group_by("channel")
    yield "csat_by_channel.png", q.run().plot()

    j = cxkit.Journeys(store, boundary="post_purchase", collapse=True)
    funnel = cxkit.Funnel.make(store, [("stage", "awareness"), ("stage", "consideration"), ("stage", "purchase"),
                                       ("touchpoint", "home_delivery")], window_ms=90 * DAY)
    yield "funnel.png", j.funnel(funnel).plot()

    yield "cohorts.png", cxkit.cohorts(store, "transactions", "first_activity", "month", RIYADH).plot()

    as_of = "2026-01-01T00:00:00+03:00"
    surv = cxkit.Survival.from_store(store, "all", 180 * DAY, as_of, group_by="segment")
    yield "survival_by_segment.png", surv.plot(by="segment")

    summary = cxkit.Summary(store, "2025-07-01T00:00:00+03:00", as_of, unit_ms=WEEK)
    bg = cxkit.fit_bgnbd(summary.column("frequency"), summary.column("recency"), summary.column("age"))
    yield "bgnbd_fit.png", bg.plot(summary)


def main():
    default = pathlib.Path(__file__).resolve().parents[1] / "data"
    data_dir = pathlib.Path(os.environ.get("CXKIT_DATA", default))
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "cxkit-plots")
    out.mkdir(parents=True, exist_ok=True)
    with load(read_frames(data_dir)) as store:
        for name, ax in charts(store):
            path = out / name
            ax.figure.savefig(path, dpi=110)
            ax.figure.clear()  # pyplot keeps its figures: let them go
            print(path)


if __name__ == "__main__":
    main()
