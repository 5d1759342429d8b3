"""The lifecycle of the base (cxkit.lifecycle: new, returning, resurrecting,
dormant per period) and stickiness (cxkit.stickiness: customers by active
days per period) from Python: pinned on hand-made customers, the sums
that must hold, DataFrames out, and bad arguments."""
import math

import pytest

import cxkit


@pytest.fixture
def four():
    s = cxkit.Store()
    for c in "ABCD":
        s.add_customer(c)
    for c, t in [("A", "2024-04-05T10:00:00Z"), ("A", "2024-01-01T10:00:00Z"), ("A", "2024-01-02T10:00:00Z"),
                 ("B", "2024-02-03T09:00:00Z"), ("B", "2024-02-03T18:00:00Z"), ("A", "2024-02-10T10:00:00Z"),
                 ("B", "2024-02-20T10:00:00Z"), ("C", "2024-03-31T23:30:00Z")]:
        s.add_transaction(c, t, 10.0)
    return s


def test_lifecycle_by_hand(four):
    rows = [(r["period_label"], r["active"], r["new"], r["returning"], r["resurrecting"], r["dormant"])
            for r in cxkit.lifecycle(four)]
    assert rows == [("2024-01", 1, 1, 0, 0, 0), ("2024-02", 2, 1, 1, 0, 0), ("2024-03", 1, 1, 0, 0, 2),
                    ("2024-04", 1, 0, 0, 1, 1)]
    df = cxkit.lifecycle(four, offset=60).to_pandas()
    assert df["active"].tolist() == [1, 2, 0, 2]
    assert str(df["period_start"].dt.tz) == "UTC+01:00"
    assert math.isnan(df["quick_ratio"][0]) and df["quick_ratio"][2] == 0.0


def test_stickiness_by_hand(four):
    df = cxkit.stickiness(four).to_pandas()
    assert len(df) == 31 + 29 + 31 + 30
    feb = df[df["period_label"] == "2024-02"]
    assert feb["customers"].tolist()[:3] == [1, 1, 0]
    assert feb["share"].tolist()[:2] == [0.5, 0.5]
    assert set(df.groupby("period_label")["customers"].sum()) == {1, 2}


def test_sums_hold_on_demo_data():
    s = cxkit.Store()
    import os
    data = os.environ.get("CXKIT_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "data"))
    for t in ("customers", "touchpoints", "interactions", "transactions"):
        s.import_csv(t, os.path.join(data, t + ".csv"))
    lc = cxkit.lifecycle(s, "all", bucket="week").to_pandas()
    assert (lc["new"] + lc["returning"] + lc["resurrecting"] == lc["active"]).all()
    assert (lc["dormant"].iloc[1:].to_numpy() == (lc["active"].shift(1) - lc["returning"]).iloc[1:].to_numpy()).all()
    st = cxkit.stickiness(s, "all", bucket="week").to_pandas()
    per = st.groupby("period_start").agg(customers=("customers", "sum"), active=("active", "first"))
    assert (per["customers"] == per["active"]).all()
    assert per["active"].tolist() == lc.set_index("period_start")["active"].tolist()


def test_bad_arguments(four):
    with pytest.raises(ValueError, match="stickiness: unknown bucket name .fortnight."):
        cxkit.stickiness(four, bucket="fortnight")
    with pytest.raises(cxkit.Range, match="lifecycle"):
        cxkit.lifecycle(four, offset=5000)
    with pytest.raises(ValueError, match="lifecycle: a Store is required"):
        cxkit.lifecycle(None)
