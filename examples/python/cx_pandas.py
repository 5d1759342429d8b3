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


def read_frames(data_dir):
    """Every table of the demo data as a DataFrame: times as UTC datetimes,
    empty cells as None."""
    frames = {}
    for table in ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"):
        df = pd.read_csv(data_dir / (table + ".csv"), dtype=str, keep_default_na=False, na_values=[""])
        for col in ("acquired", "opened", "first_response", "resolved", "time"):
            if col in df:
                df[col] = pd.to_datetime(df[col], utc=True)
        frames[table] = df
    return frames


def _text(s):
    """A text column for the batch calls: None where the cell was empty."""
    return s.astype(object).where(s.notna(), None).tolist()


def _times(s):
    """A time column as int64 milliseconds (what the batch calls take fastest)."""
    return (s - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)


def load(frames):
    store = cxkit.Store()
    if hasattr(cxkit.Store, "from_pandas"):
        store.close()
        store = cxkit.Store.from_pandas(**frames)
    else:
        # Store.from_pandas (cxkit/frames.py) is not in this build: the batch
        # calls take the frames' columns whole (one C call per table); the
        # small tables (touchpoints, questions, cases) go row by row.
        c = frames["customers"]
        store.add_customers(c["id"].tolist(), _text(c["segment"]), _text(c["region"]), _text(c["plan"]),
                            [None if pd.isna(t) else t.to_pydatetime() for t in c["acquired"]])
        for r in frames["touchpoints"].itertuples(index=False):
            store.add_touchpoint(r.name, r.channel, r.stage, r.kind, r.key == "1", float(r.weight))
        for r in frames["cases"].itertuples(index=False):
            store.add_case(r.id, r.customer, r.channel, r.priority, None if pd.isna(r.agent) else r.agent,
                           r.opened, None if pd.isna(r.first_response) else r.first_response,
                           None if pd.isna(r.resolved) else r.resolved, int(r.reopens), int(r.contacts))
        i = frames["interactions"]
        store.add_interactions(i["customer"].tolist(), i["touchpoint"].tolist(), _times(i["time"]).to_numpy(),
                               _text(i["kind"]), i["direction"].tolist(), _text(i["agent"]), _text(i["case"]),
                               i["duration_ms"].astype("int64").to_numpy(), i["outcome"].tolist(),
                               i["value"].astype(float).to_numpy(), i["id"].tolist())
        for r in frames["questions"].itertuples(index=False):
            store.add_question(r.name, r.metric, float(r.scale_min), float(r.scale_max), r.higher_is_better == "1")
        f = frames["feedback"]
        store.add_feedbacks(f["customer"].tolist(), f["question"].tolist(), f["score"].astype(float).to_numpy(),
                            _times(f["time"]).to_numpy(), _text(f["touchpoint"]), _text(f["interaction"]),
                            _text(f["case"]), _text(f["comment"]), f["id"].tolist())
        t = frames["transactions"]
        store.add_transactions(t["customer"].tolist(), _times(t["time"]).to_numpy(),
                               t["amount"].astype(float).to_numpy(), t["id"].tolist())
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
