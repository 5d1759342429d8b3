"""Queries, results (rows as dicts, pandas), comparisons, merging, monitors."""
import datetime as dt
import math

import pytest

import cxkit


def scorecard(store, by="channel"):
    q = cxkit.Query(store)
    for m in ("nps", "csat", "ces", "fcr", "cx_index"):
        q.add(m)
    if by == "month":
        q.group_by_time("month", 180)
    else:
        q.group_by(by)
    return q.run()


def test_scorecard_by_channel(demo):
    r = scorecard(demo)
    assert len(r) == r.rows() > 5
    names = r.column_names()
    assert names[0] == "channel" and "nps_lo" in names and "csat_n" in names
    rows = list(r)
    assert all(isinstance(x["nps_n"], int) for x in rows)
    delivery = [x for x in rows if x["channel"] == "delivery"][0]
    assert delivery["nps"] < 0 < max(x["nps"] for x in rows if not math.isnan(x["nps"]))
    assert r.get(0, "channel") == rows[0]["channel"]
    assert r.get(0, r.column_find("nps")) == rows[0]["nps"]


def test_by_month_has_datetime_buckets(demo):
    r = scorecard(demo, "month")
    assert r.rows() == 24
    # time buckets come back as their start, an aware datetime (here Riyadh midnight)
    assert r.row(0)["month"] == cxkit.time_parse("2024-01-01T00:00:00+03:00")
    assert r.column_type(0) == cxkit.TYPE_TIME


def test_month_label_in_its_offset(demo):
    r = scorecard(demo, "month")
    assert r.row(0)["month_label"] == "2024-01"
    assert r.column_names()[:2] == ["month", "month_label"]


def test_every_measure_in_one_row(demo):
    # every field of every measure with four groups: no column may be lost
    q = cxkit.Query(demo)
    for m in ("nps", "csat", "ces", "fcr", "first_response", "resolution", "contacts", "reopen_rate",
              "sla_breach", "missed_rate", "abandon_rate", "handle_time", "repeat_rate", "cx_index"):
        q.add(m)
    q.group_by("channel")
    q.group_by("segment")
    q.group_by("priority")
    q.group_by_time("quarter", 180)
    r = q.run()
    assert r.columns() > 64
    row = r.row(0)
    assert list(row) == r.column_names()
    assert "cx_index" in row and "quarter_label" in row


def test_to_pandas(demo):
    pd = pytest.importorskip("pandas")
    df = scorecard(demo).to_pandas()
    assert list(df.columns)[:2] == ["channel", "nps"]
    assert df["nps_n"].dtype.kind == "i"
    assert len(df) == scorecard(demo).rows()


def test_compare_merge_serialize(demo):
    r = scorecard(demo)
    diff, p = r.compare(0, r, 1, "nps")
    assert isinstance(diff, float) and (math.isnan(p) or 0 <= p <= 1)
    blob = r.serialize()
    assert isinstance(blob, bytes) and len(blob) > 0
    r2 = cxkit.Result.deserialize(blob)
    assert list(r2) == list(r) or all(
        a.keys() == b.keys() for a, b in zip(r2, r))
    m = r.merge(r2)
    assert m.row(1)["nps_n"] == 2 * r.row(1)["nps_n"]
    with pytest.raises(cxkit.Parse):
        cxkit.Result.deserialize(b"garbage")


def test_filters_range_sla_calendar(demo):
    cal = cxkit.Calendar(180)
    for d in (1, 2, 3, 4, 7):
        cal.add_hours(d, 8 * 60, 17 * 60)
    q = cxkit.Query(demo)
    q.add("first_response")
    q.add("resolution")
    q.add("sla_breach")
    q.group_by("priority")
    q.set_calendar(cal)
    del cal  # the query keeps it alive
    q.set_sla(None, None, 4 * 3600000, 24 * 3600000)
    q.set_sla("urgent", None, 3600000, 8 * 3600000)
    q.set_range("2024-01-01", dt.datetime(2025, 1, 1))
    q.filter("channel", "phone")
    q.set_fcr_rule(1, 0, 0)
    q.set_confidence(0.9)
    r = q.run()
    assert r.rows() >= 1
    assert r.quantile(0, "resolution", 0.5) >= 0 or math.isnan(r.quantile(0, "resolution", 0.5))
    q.set_calendar(None)
    q.filter("channel", "pigeon")
    with pytest.raises(cxkit.NotFound):
        q.run()


def test_agent_daily(demo):
    q = cxkit.Query.agent_daily(demo, 180)
    q.set_range("2025-12-01T00:00:00+03:00", "2025-12-08T00:00:00+03:00")
    r = q.run()
    assert r.column_names()[:2] == ["agent", "day"]
    row = r.row(0)
    assert "handle_time_mean" in row and "missed_rate" in row


def test_export_result(demo, tmp_path):
    r = scorecard(demo)
    r.export_csv(str(tmp_path / "r.csv"))
    r.export_json(str(tmp_path / "r.json"))
    import json
    assert len(json.loads((tmp_path / "r.json").read_text())) == r.rows()


def test_monitor():
    m = cxkit.Monitor(15 * 60000)
    t0 = cxkit.to_ms("2024-03-01T09:00:00Z")
    m.add_answer(t0, "nps", 10, 0, 10)
    m.add_answer(t0 + 1000, "nps", 0, 0, 10)
    m.add_contact(t0 + 2000, "missed", 0)
    m.add_contact(t0 + 3000, "handled", 60000)
    m.add_case(t0 + 4000, t0 - 3600000, None, 1, 0)
    v, n = m.read(t0 + 5000, "nps")
    assert (v, n) == (0.0, 2) and isinstance(n, int)
    assert m.read(t0 + 5000, "missed_rate") == (50.0, 2)
    v, n = m.read(t0 + 3600000, "nps")
    assert math.isnan(v) and n == 0
    with pytest.raises(cxkit.Order):
        m.add_contact(t0, "handled", 0)


def test_query_errors(store):
    q = cxkit.Query(store)
    with pytest.raises(cxkit.Invalid):
        q.run()  # no measure
    with pytest.raises(cxkit.Invalid, match="unknown measure"):
        q.add("happiness")
    q.add("nps")
    with pytest.raises(cxkit.Invalid):
        q.add("nps")
    with pytest.raises(cxkit.Invalid):
        q.group_by(99)
    r = q.run()
    with pytest.raises(IndexError):
        r[5]
    with pytest.raises(cxkit.Range):
        r.row(5)


def test_small_groups_flagged(store):
    """One answer: an honest NPS interval (adjusted Wald, Rocks 2016) and
    the group flagged as below the minimum size (default 30)."""
    store.add_customer("S1")
    store.add_feedback("S1", "nps", 3, "2024-03-01T10:00:00Z")
    q = cxkit.Query(store)
    q.add("nps")
    q.add("fcr")
    r = q.run()
    row = r.row(0)
    assert row["nps_n"] == 1 and row["nps"] == -100
    assert row["nps_lo"] == pytest.approx(-98.498649420252)
    assert row["nps_hi"] == pytest.approx(48.498649420252)
    assert row["nps_small"] == 1 and row["fcr_small"] == 1
    assert cxkit.QUERY_MIN_N_DEFAULT == 30
    q.set_min_n(1)
    assert q.run().row(0)["nps_small"] == 0
    q.set_min_n(0)
    assert q.run().row(0)["fcr_small"] == 0  # 0 turns the flag off
    with pytest.raises(cxkit.Range, match="min_n -1 is negative"):
        q.set_min_n(-1)
    # the flag survives serialisation
    q.set_min_n(2)
    back = cxkit.Result.deserialize(q.run().serialize())
    assert back.row(0)["nps_small"] == 1
