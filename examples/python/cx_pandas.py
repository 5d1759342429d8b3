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
    """A Store holding the frames: each table after those its rows name."""
    store = cxkit.Store()
    if hasattr(store, "from_pandas"):
        for table in TABLES:
            # customers' other columns (name, language) become free attributes, as in import_csv
            store.from_pandas(table, frames[table], extra="attributes" if table == "customers" else "raise")
    else:
        _load_with_batch_calls(store, frames)
    print("Loaded from pandas: " + ", ".join("%d %s" % (store.rows(t), t) for t in
                                             ("customers", "interactions", "cases", "feedback", "transactions")))
    return store


def _text(s):
    """A text column for the batch calls: None where the cell was empty."""
    return s.astype(object).where(s.notna(), None).tolist()


def _ms(s):
    """A UTC datetime64 column as int64 milliseconds."""
    return ((s - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)).to_numpy()


def _load_with_batch_calls(store, frames):
    """Without Store.from_pandas (cxkit/frames.py, not in this build): the
    batch calls take the frames' columns whole, one C call a table; the
    small tables without a batch call (touchpoints, cases, questions) go
    row by row. Customers' free attributes (name, language) are left out:
    no chart needs them."""
    c = frames["customers"]
    store.add_customers(c["id"].tolist(), _text(c["segment"]), _text(c["region"]), _text(c["plan"]),
                        [None if pd.isna(t) else t.to_pydatetime() for t in c["acquired"]])
    for r in frames["touchpoints"].itertuples(index=False):
        store.add_touchpoint(r.name, r.channel, r.stage, r.kind, bool(r.key), float(r.weight))
    for r in frames["cases"].itertuples(index=False):
        none = lambda v: None if pd.isna(v) else v  # noqa: E731
        store.add_case(r.id, r.customer, r.channel, r.priority, none(r.agent), r.opened, none(r.first_response),
                       none(r.resolved), int(r.reopens), int(r.contacts))
    i = frames["interactions"]
    store.add_interactions(i["customer"].tolist(), i["touchpoint"].tolist(), _ms(i["time"]), _text(i["kind"]),
                           i["direction"].tolist(), _text(i["agent"]), _text(i["case"]),
                           i["duration_ms"].to_numpy("int64"), i["outcome"].tolist(), i["value"].to_numpy(float),
                           i["id"].tolist())
    for r in frames["questions"].itertuples(index=False):
        store.add_question(r.name, r.metric, float(r.scale_min), float(r.scale_max), bool(r.higher_is_better))
    f = frames["feedback"]
    store.add_feedbacks(f["customer"].tolist(), f["question"].tolist(), f["score"].to_numpy(float), _ms(f["time"]),
                        _text(f["touchpoint"]), _text(f["interaction"]), _text(f["case"]), _text(f["comment"]),
                        f["id"].tolist())
    t = frames["transactions"]
    store.add_transactions(t["customer"].tolist(), _ms(t["time"]), t["amount"].to_numpy(float), t["id"].tolist())


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
