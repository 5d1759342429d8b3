"""Service cycles from Python (cxkit.CaseEvents): hand-worked cycles, the
summary by cycle number and group, the store's check and erasure, CSV and
DataFrames in, Results out (to_pandas), and refused input that names the
method and changes nothing."""
import math

import pytest

import cxkit
from conftest import DATA

H = 3600000


def _events():
    e = cxkit.CaseEvents()
    t0 = cxkit.to_ms("2024-03-01T10:00:00Z")
    # out of order on purpose: A has three cycles (the last open), B one
    e.add("A", t0 + 24 * H + 4 * H, "resolved", "Noura")
    e.add("B", t0 + H, "resolved")
    e.add("A", t0, "opened", "Omar")
    e.add("A", t0 + 72 * H, "reopened")
    e.add("A", t0 + 2 * H, "resolved")
    e.add("A", t0 + 24 * H, "reopened")
    e.add("B", "2024-03-01T10:00:00Z", "opened")
    return e, t0


def test_hand_worked():
    e, t0 = _events()
    assert len(e) == 7 and e.case_count() == 2
    assert "7 events of 2 cases" in repr(e)
    rows = list(e.cycles())
    assert [(r["case"], r["cycle"]) for r in rows] == [("A", 1), ("A", 2), ("A", 3), ("B", 1)]
    assert [r["duration_ms"] for r in rows[:2]] == [2 * H, 4 * H]
    assert math.isnan(rows[2]["duration_ms"]) and rows[2]["resolved"] is None
    assert rows[1]["reopen_lag_ms"] == 22 * H and math.isnan(rows[0]["reopen_lag_ms"])
    assert [r["agent"] for r in rows] == ["Omar", "Noura", None, None]
    assert [r["case_reopens"] for r in rows] == [2, 2, 2, 0]
    assert len(e.check()) == 0


def test_summary_and_pandas():
    e, _ = _events()
    df = e.summary().to_pandas()
    assert list(df["cycle"]) == [1, 2, 3]
    assert list(df["cycles"]) == [2, 1, 1]
    assert df["median_ms"][0] == 1.5 * H
    assert df["ratio_to_first"][1] == pytest.approx(4 / 1.5)
    assert df["open"][2] == 1 and math.isnan(df["median_ms"][2])
    by = e.summary(by="agent").to_pandas()
    assert by.columns[0] == "agent"
    assert by["agent"].isna().sum() == 2  # cycle 3 of A and cycle 1 of B: no agent, no store
    with pytest.raises(cxkit.Invalid, match="needs a store"):
        e.summary(by="channel")
    with pytest.raises(cxkit.Invalid, match="planet"):
        e.summary(by="planet")


def test_inconsistent_and_strict():
    e = cxkit.CaseEvents()
    e.add("C", "2024-05-01T08:00:00Z", "opened")
    e.add("C", "2024-05-01T09:00:00Z", "resolved")
    e.add("C", "2024-05-01T10:00:00Z", "solved")  # resolved twice: the first stays
    e.add("D", "2024-05-01T10:00:00Z", "reopen")
    (row,) = list(e.cycles())
    assert row["ignored_events"] == 1 and row["duration_ms"] == H
    problems = [(r["case"], r["problem"]) for r in e.check()]
    assert problems == [("C", "resolved twice"), ("D", "no opening")]
    with pytest.raises(cxkit.Order, match='case "C": resolved at 2024-05-01T10:00:00Z: resolved twice'):
        e.cycles(strict=True)


def test_store_check_and_erasure():
    s = cxkit.Store()
    s.add_customer("C-1")
    s.add_customer("C-2")
    s.add_case("E1", "C-1", "email", "high", "Sara", "2024-06-01T09:00:00Z", None, "2024-06-01T11:00:00Z", 1, 1)
    s.add_case("E2", "C-2", "phone", None, None, "2024-06-01T09:00:00Z", None, "2024-06-01T10:00:00Z", 0, 1)
    e = cxkit.CaseEvents()
    for case, t, k in [("E1", "2024-06-01T09:00:00Z", "opened"), ("E1", "2024-06-01T11:00:00Z", "resolved"),
                       ("E2", "2024-06-01T09:00:00Z", "opened"), ("E2", "2024-06-01T10:00:00Z", "resolved"),
                       ("X", "2024-06-01T09:00:00Z", "opened")]:
        e.add(case, t, k)
    rows = list(e.cycles(s))
    assert [r["case"] for r in rows] == ["E1", "E2"]
    assert rows[0]["customer"] == "C-1" and rows[0]["channel"] == "email" and rows[0]["agent"] == "Sara"
    assert rows[0]["store_check"] == "reopens: store 1, log 0" and rows[1]["store_check"] == "ok"
    assert [r["problem"] for r in e.check(s)] == ["reopens: store 1, log 0", "case not in the store"]
    with pytest.raises(cxkit.NotFound, match='"X"'):
        e.cycles(s, strict=True)
    assert s.forget(["C-1"]) > 0
    assert [r["case"] for r in e.cycles(s)] == ["E2"]
    assert e.prune(s) == 3
    assert len(e) == 2 and e.case_count() == 1


def test_demo_agrees_with_its_cases(demo):
    e = cxkit.CaseEvents.read_csv(str(DATA / "case_events.csv"))
    assert e.case_count() == demo.rows("cases")
    assert len(e.check(demo)) == 0
    df = e.cycles(demo, strict=True).to_pandas()
    assert (df["store_check"] == "ok").all()
    assert len(df) == demo.rows("cases") + int(df["reopened"].sum())
    by = e.summary(demo, by="priority").to_pandas()
    assert set(by["priority"]) == {"low", "normal", "high", "urgent"}
    assert by["cycles"].sum() == len(df)


def test_csv_and_pandas_in(tmp_path):
    f = tmp_path / "ev.csv"
    f.write_bytes("\ufeffcase,time,event,agent\r\n\"T,1\",2024-01-01T10:00:00+03:00,opened,نورة\r\n"
                  "\"T,1\",2024-01-01T11:00:00+03:00,resolved,\r\n".encode())
    e = cxkit.CaseEvents.read_csv(str(f))
    (row,) = list(e.cycles())
    assert row["case"] == "T,1" and row["agent"] == "نورة" and row["duration_ms"] == H
    bad = tmp_path / "bad.csv"
    bad.write_text("case,time,event\nT-2,2024-01-01,opened\nT-2,tomorrow,resolved\n")
    with pytest.raises(cxkit.Invalid, match=r"bad.csv:3, column 2 \(\"time\"\)"):
        e.import_csv(str(bad))
    assert len(e) == 2
    with pytest.raises(FileNotFoundError):
        e.import_csv(str(tmp_path / "none.csv"))
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"case": ["a", "a", "b"],
                       "time": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-02"]),
                       "event": ["opened", "resolved", "opened"], "who": ["x", None, None]})
    e = cxkit.CaseEvents.from_pandas(df, agent="who")
    out = e.cycles().to_pandas()
    assert list(out["duration_ms"][:1]) == [2 * H] and out["agent"][0] == "x"
    with pytest.raises(KeyError):
        cxkit.CaseEvents.from_pandas(df, case="ticket")


def test_refused_input_changes_nothing():
    e = cxkit.CaseEvents()
    for args in [("", 0, "opened"), ("A", 0, "closed"), ("A", 0, "opened", ""), ("A\udcff", 0, "opened"),
                 ("A", 2 ** 62, "opened"), ("A", None, "opened"), ("A", 0, None)]:
        with pytest.raises((cxkit.Error, UnicodeError, TypeError)):
            e.add(*args)
    with pytest.raises(cxkit.Range, match="CaseEvents.add"):
        e.add("A", 2 ** 62, "opened")
    assert len(e) == 0 and e.case_count() == 0
    with pytest.raises(cxkit.Invalid):
        cxkit.case_event_kind_name(7)
    assert cxkit.case_event_kind_name(cxkit.CASE_EVENT_RESOLVED) == "resolved"
    e.close()
    with pytest.raises(cxkit.Invalid, match="closed"):
        len(e)


def test_formulas_are_harmless_in_csv(tmp_path):
    e = cxkit.CaseEvents()
    e.add("=1+1", "2024-01-01", "opened", "@agent")
    out = tmp_path / "c.csv"
    e.cycles().export_csv(str(out))
    text = out.read_text()
    assert "'=1+1" in text and "'@agent" in text


def test_python_example():
    import pathlib
    import subprocess
    import sys
    pytest.importorskip("pandas")
    script = pathlib.Path(__file__).parents[3] / "examples" / "python" / "cx_cycles.py"
    out = subprocess.run([sys.executable, str(script), str(DATA)], capture_output=True, text=True, check=True)
    assert "3558 events of 1495 cases" in out.stdout
    assert "median hours by channel and cycle" in out.stdout
    assert "disagree on 0 case(s)" in out.stdout
