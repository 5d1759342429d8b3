"""Store, records, named sets, attributes, history (UTF-8 and Arabic)."""
import datetime as dt
import math

import pytest

import cxkit


def test_rows_and_find(store):
    assert store.rows("customers") == 2
    assert store.rows(cxkit.TABLE_INTERACTIONS) == 2
    assert store.find("customers", "C-2") == 1
    assert store.find(cxkit.TABLE_CASES, "T-1") == 0
    assert store.memory() > 0


def test_arabic_round_trip(store):
    rec = store.record("customers", 0)
    assert rec["region"] == "الرياض"
    assert rec["name"] == "سارة العتيبي"
    assert rec["acquired"] == dt.datetime(2024, 1, 15, tzinfo=dt.timezone.utc)
    assert store.record("customers", 1)["acquired"] is None
    assert store.get_attribute("C-1", "name") == "سارة العتيبي"
    assert store.get_attribute("C-2", "name") is None
    fb = store.record("feedback", 0)
    assert fb["comment"] == "خدمة ممتازة 👍"
    assert fb["interaction"] is None


def test_get_by_name_and_number(store):
    assert store.get("cases", "agent", 0) == "نورة"
    assert store.get("cases", 1, 0) == "C-1"  # column 1: customer
    assert store.get("interactions", "duration_ms", 1) == 600000
    assert store.get("touchpoints", "weight", 0) == 2.0
    with pytest.raises(cxkit.NotFound):
        store.get("cases", "no_such_column", 0)
    with pytest.raises(cxkit.Range):
        store.get("cases", "agent", 5)


def test_sets(store):
    assert "phone" in store.vocab_names("channel")
    i = store.define("channel", "kiosk")
    assert store.vocab_name(cxkit.VOCAB_CHANNEL, i) == "kiosk"
    assert store.vocab_find("channel", "kiosk") == i
    assert store.define("channel", "kiosk") == i
    assert store.vocab_names("agent") == ["نورة"]
    with pytest.raises(cxkit.NotFound):
        store.add_touchpoint("t", "fax", "service")  # a typo is an error


def test_add_errors_change_nothing(store):
    with pytest.raises(cxkit.Exists):
        store.add_customer("C-1")
    with pytest.raises(cxkit.NotFound):
        store.add_interaction("C-404", "website", 0)
    with pytest.raises(cxkit.Order):
        store.add_case("T-2", "C-1", "phone", None, None, 1000, None, 500)
    with pytest.raises(cxkit.Range):
        store.add_feedback("C-1", "nps", 11, 0)
    assert store.rows("cases") == 1 and store.rows("feedback") == 1


def test_update_case_and_questions(store):
    store.update_case("T-1", None, None, 1, 2)
    assert store.record("cases", 0)["resolved"] is None
    assert store.record("cases", 0)["reopens"] == 1
    store.add_question("ces_5", "ces", 1, 5, False)
    q = store.record("questions", store.find("questions", "ces_5"))
    assert q == {"name": "ces_5", "metric": "ces", "scale_min": 1.0, "scale_max": 5.0, "higher_is_better": 0}


def test_history(store):
    h = store.history("C-1")
    assert len(h) == 5
    tables = [e["table"] for e in h]
    assert tables == ["interactions", "transactions", "interactions", "cases", "feedback"]
    times = [e["time"] for e in h]
    assert times == sorted(times)
    assert h[0]["touchpoint"] == "website" and h[-1]["comment"] == "خدمة ممتازة 👍"
    assert h.table(3) == "cases" and h.row(3) == 0
    assert h.time(0) == cxkit.time_parse("2024-03-01T20:40:00+03:00")
    window = store.history("C-1", "2024-03-05", "2024-03-10")
    assert len(window) == 2
    with pytest.raises(cxkit.NotFound):
        store.history("C-404")
    with pytest.raises(IndexError):
        h[99]


def test_records_iterator(store):
    ids = [r["id"] for r in store.records("customers")]
    assert ids == ["C-1", "C-2"]
    assert "customers=2" in repr(store)


def test_context_manager_closes():
    with cxkit.Store() as s:
        s.add_customer("x")
    assert s.closed()
    with pytest.raises(cxkit.Invalid, match="closed"):
        s.rows("customers")
    s.close()  # twice is fine


def test_compact_gives_memory_back_and_changes_nothing():
    from conftest import load_demo
    s = load_demo(cxkit.Store())
    before = s.memory()
    rows = {t: s.rows(t) for t in ("interactions", "feedback", "transactions")}
    last = {t: s.get(t, "id", rows[t] - 1) for t in rows}
    first = s.record("interactions", 0)
    s.compact()
    assert s.memory() < before
    assert s.record("interactions", 0) == first
    for t, n in rows.items():
        assert s.rows(t) == n
        assert s.find(t, last[t]) == n - 1  # builds the index of the ids again
    assert s.memory() < before  # kept apart from the store's count
    with pytest.raises(cxkit.Exists):
        s.add_interaction("C-100001", "search_ads", 0, id=last["interactions"])
    s.compact()
    s.compact()  # twice: nothing more to give back, no error
    assert s.find("interactions", last["interactions"]) == rows["interactions"] - 1


def test_compacted_store_reads_the_same_as_frames():
    pd = pytest.importorskip("pandas")
    from conftest import load_demo
    s = load_demo(cxkit.Store())
    tables = ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions")
    before = {t: s.to_pandas(t) for t in tables}
    s.compact()
    for t in tables:
        pd.testing.assert_frame_equal(s.to_pandas(t), before[t])
    # a frame back into a compacted store: the ids are taken back as text
    n = s.rows("interactions")
    extra = before["interactions"].head(3).copy()
    extra["id"] = ["I-new-%d" % i for i in range(3)]
    s.from_pandas("interactions", extra)
    assert s.rows("interactions") == n + 3
    assert s.find("interactions", "I-new-2") == n + 2
    assert s.get("interactions", "id", 0) == before["interactions"]["id"][0]
