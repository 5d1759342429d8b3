"""Ids of events, feedback linked by interaction id, the put_* calls and
synchronising imports (existing="reject" | "skip" | "update")."""
import json

import numpy as np
import pytest

import cxkit

TABLES = ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions")


def base():
    s = cxkit.Store()
    s.add_customer("C-1", "consumer", "الرياض")
    s.add_customer("C-2", "business")
    s.add_touchpoint("web", "web", "consideration")
    s.add_touchpoint("phone", "phone", "service")
    s.add_case("T-1", "C-1", "phone", "high", "نورة", "2024-03-01T10:00:00Z")
    return s


def snapshot(s):
    """Every record of every table, by table."""
    return {t: list(s.records(t)) for t in TABLES}


def test_event_ids_link_and_find():
    s = base()
    row = s.add_interaction("C-1", "phone", "2024-03-01T10:00:00Z", "contact", case_id="T-1", id="I-1")
    s.add_interaction("C-1", "web", "2024-03-02T10:00:00Z")  # no id
    fb = s.add_feedback("C-1", "csat", 4, "2024-03-01T11:00:00Z", interaction="I-1", id="F-1")
    tx = s.add_transaction("C-1", "2024-03-03T10:00:00Z", 120.5, id="X-1")
    assert s.find("interactions", "I-1") == row
    assert s.find("feedback", "F-1") == fb
    assert s.find(cxkit.TABLE_TRANSACTIONS, "X-1") == tx
    assert s.record("interactions", row)["id"] == "I-1"
    assert s.record("interactions", 1)["id"] is None
    rec = s.record("feedback", fb)
    assert rec["interaction"] == "I-1" and rec["id"] == "F-1"
    assert s.get("feedback", "interaction", fb) == "I-1"
    assert s.get("transactions", "id", tx) == "X-1"
    # the history shows the link too
    entries = [e for e in s.history("C-1") if e["table"] == "feedback"]
    assert entries[0]["interaction"] == "I-1"
    with pytest.raises(cxkit.NotFound, match="I-404"):
        s.find("interactions", "I-404")


def test_duplicate_event_id_raises_and_changes_nothing():
    s = base()
    s.add_interaction("C-1", "web", 0, id="I-1")
    s.add_transaction("C-1", 0, 1.0, id="X-1")
    before = snapshot(s)
    with pytest.raises(cxkit.Exists, match="interaction 'I-1'"):
        s.add_interaction("C-2", "web", 5, id="I-1")
    with pytest.raises(cxkit.Exists, match="transaction 'X-1'"):
        s.add_transaction("C-1", 5, 2.0, "X-1")
    assert snapshot(s) == before


def test_feedback_bad_interaction_names_it_and_changes_nothing():
    s = base()
    s.add_interaction("C-1", "web", 0, id="I-1")
    before = snapshot(s)
    with pytest.raises(cxkit.NotFound, match="no interaction 'I-9'") as e:
        s.add_feedback("C-1", "nps", 9, 10, interaction="I-9")
    assert e.value.code == cxkit.ENOTFOUND and "C-1" in e.value.message
    with pytest.raises(cxkit.Invalid, match="interaction 'I-1' belongs to another customer"):
        s.add_feedback("C-2", "nps", 9, 10, interaction="I-1")
    with pytest.raises(cxkit.NotFound, match="no interaction 'I-9'"):
        s.put_feedback("F-1", "C-1", "nps", 9, 10, interaction="I-9")
    with pytest.raises(TypeError):
        s.add_feedback("C-1", "nps", 9, 10, interaction=0)  # a row, as before ids: refused, not guessed
    assert snapshot(s) == before


def test_put_reports_added_updated_unchanged():
    s = base()
    s.set_attribute("C-1", "name", "سارة")
    assert s.put_customer("C-1", "consumer", "الرياض") == "unchanged"
    assert s.put_customer("C-1", "vip", "الرياض") == "updated"
    assert s.get("customers", "segment", 0) == "vip"
    assert s.get_attribute("C-1", "name") == "سارة"  # attributes stay
    assert s.put_customer("C-3", acquired="2024-01-01") == "added"
    assert s.rows("customers") == 3

    assert s.put_touchpoint("web", "web", "consideration") == "unchanged"
    assert s.put_touchpoint("web", "web", "purchase", weight=2.0) == "updated"
    assert s.put_touchpoint("mail", "email", "service", None, True) == "added"

    assert s.put_case("T-1", "C-1", "phone", "high", "نورة", "2024-03-01T10:00:00Z") == "unchanged"
    assert s.put_case("T-1", "C-1", "phone", "high", "نورة", "2024-03-01T10:00:00Z",
                      "2024-03-01T10:30:00Z", "2024-03-02T10:00:00Z", 0, 2) == "updated"
    assert s.record("cases", 0)["contacts"] == 2
    assert s.put_case("T-2", "C-2", "web", None, None, 0) == "added"

    assert s.put_interaction("I-1", "C-1", "phone", 1000, "contact", case_id="T-1") == "added"
    assert s.put_interaction("I-1", "C-1", "phone", 1000, "contact", case_id="T-1") == "unchanged"
    assert s.put_interaction("I-1", "C-1", "phone", 1000, "contact", case_id="T-1", outcome="missed") == "updated"
    assert s.record("interactions", s.find("interactions", "I-1"))["outcome"] == "missed"
    assert s.put_interaction(None, "C-1", "web", 2000) == "added"  # no id: always added
    assert s.put_interaction(None, "C-1", "web", 2000) == "added"
    assert s.rows("interactions") == 3

    assert s.put_question("effort", "ces", 1, 7, False) == "added"
    assert s.put_question("effort", "ces", 1, 7, False) == "unchanged"
    assert s.put_question("effort", "ces", 1, 5, False) == "updated"

    assert s.put_feedback("F-1", "C-1", "effort", 2, 3000, interaction="I-1") == "added"
    assert s.put_feedback("F-1", "C-1", "effort", 2, 3000, interaction="I-1") == "unchanged"
    assert s.put_feedback("F-1", "C-1", "effort", 3, 3000, None, "I-1", "T-1", "=cmd|' /C calc'!A0") == "updated"
    rec = s.record("feedback", s.find("feedback", "F-1"))
    assert rec["score"] == 3.0 and rec["case"] == "T-1" and rec["comment"] == "=cmd|' /C calc'!A0"
    assert s.put_feedback("F-1", "C-1", "effort", 3, 3000) == "updated"  # None unlinks
    assert s.record("feedback", s.find("feedback", "F-1"))["interaction"] is None

    assert s.put_transaction("X-1", "C-2", 4000, 10.0) == "added"
    assert s.put_transaction("X-1", "C-2", 4000, 10.0) == "unchanged"
    assert s.put_transaction("X-1", "C-2", 4000, 12.5) == "updated"
    assert s.rows("transactions") == 1 and s.get("transactions", "amount", 0) == 12.5


def test_puts_in_any_order_equal_fresh_adds():
    fresh = base()
    fresh.add_interaction("C-1", "phone", 1000, "contact", agent="نورة", case_id="T-1", duration_ms=60000, id="I-1")
    fresh.add_interaction("C-2", "web", 2000, "visit", id="I-2")
    fresh.add_feedback("C-1", "nps", 7, 3000, "phone", "I-1", "T-1", "ok", id="F-1")
    fresh.add_transaction("C-2", 5000, 99.0, id="X-1")

    synced = base()
    # a stale state first, then the final one, feedback before its last change
    synced.put_interaction("I-2", "C-2", "phone", 2500, "contact")
    synced.put_interaction("I-1", "C-1", "web", 900)
    synced.put_feedback("F-1", "C-1", "nps", 2, 3000, interaction="I-1")
    synced.put_transaction("X-1", "C-2", 5000, 1.0)
    synced.put_interaction("I-1", "C-1", "phone", 1000, "contact", agent="نورة", case_id="T-1", duration_ms=60000)
    synced.put_interaction("I-2", "C-2", "web", 2000, "visit")
    synced.put_feedback("F-1", "C-1", "nps", 7, 3000, "phone", "I-1", "T-1", "ok")
    synced.put_transaction("X-1", "C-2", 5000, 99.0)
    # rows follow the order of the first put: the same records, in another order
    def canonical(s):
        return {t: sorted(map(repr, recs)) for t, recs in snapshot(s).items()}
    assert canonical(synced) == canonical(fresh)
    assert snapshot(synced)["interactions"] != snapshot(fresh)["interactions"]
    q1, q2 = cxkit.Query(fresh), cxkit.Query(synced)
    for q in (q1, q2):
        q.add("nps")
        q.group_by("channel")
    assert list(q1.run()) == list(q2.run())


def test_refused_puts_name_the_record_and_change_nothing():
    s = base()
    s.add_interaction("C-1", "phone", 1000, case_id="T-1", id="I-1")
    s.add_feedback("C-1", "nps", 9, 2000, interaction="I-1", id="F-1")
    before = snapshot(s)
    with pytest.raises(cxkit.Invalid, match="case 'T-1' cannot move to customer 'C-2'"):
        s.put_case("T-1", "C-2", "phone", "high", "نورة", "2024-03-01T10:00:00Z")
    with pytest.raises(cxkit.Invalid, match="interaction 'I-1' cannot move to customer 'C-2'"):
        s.put_interaction("I-1", "C-2", "phone", 1000)
    with pytest.raises(cxkit.Range, match="question 'nps'"):
        s.put_question("nps", "nps", 0, 5)
    with pytest.raises(cxkit.Order, match="case 'T-1'"):
        s.put_case("T-1", "C-1", "phone", None, None, 1000, None, 500)
    with pytest.raises(cxkit.NotFound, match="C-404"):
        s.put_transaction("X-1", "C-404", 0, 1.0)
    assert snapshot(s) == before


def test_set_attribute_none_removes():
    s = base()
    s.set_attribute("C-1", "email", "sara@example.com")
    assert s.record("customers", 0)["email"] == "sara@example.com"
    s.set_attribute("C-1", "email", None)
    assert s.get_attribute("C-1", "email") is None
    assert "email" not in s.record("customers", 0)


def test_batches_with_ids_from_numpy():
    s = base()
    n = 6
    ids = np.array(["I-%d" % i for i in range(n)], dtype=object)
    ids[3] = None
    s.add_interactions(np.array(["C-1", "C-2"] * 3), ["web", "phone"] * 3,
                       np.arange(n, dtype=np.int64) * 1000, ids=ids)
    assert s.rows("interactions") == n
    assert s.find("interactions", "I-4") == 4
    assert s.record("interactions", 3)["id"] is None
    s.add_feedbacks(["C-1", "C-2", "C-1"], ["nps"] * 3, np.array([9.0, 6.0, 10.0]), [10, 20, 30],
                    interactions=["I-0", "I-1", None], ids=["F-0", None, "F-2"])
    assert [r["interaction"] for r in s.records("feedback")] == ["I-0", "I-1", None]
    assert s.find("feedback", "F-2") == 2
    s.add_transactions(["C-1", "C-2"], np.array([0, 1], dtype="datetime64[s]"), [1.0, 2.0], ids=["X-1", "X-2"])
    assert s.get("transactions", "id", 1) == "X-2"


def test_batches_from_pandas_columns(tmp_path):
    pd = pytest.importorskip("pandas")
    s = base()
    (tmp_path / "i.csv").write_text("id,customer,touchpoint,time\nI-1,C-1,web,1000\n,C-2,phone,2000\n"
                                    "I-3,C-1,phone,3000\n", encoding="utf-8")
    (tmp_path / "f.csv").write_text("id,customer,score,time,interaction\nF-1,C-1,9,4000,I-1\n"
                                    "F-2,C-1,3,5000,\n", encoding="utf-8")
    i = pd.read_csv(tmp_path / "i.csv")  # the empty id is NaN
    s.add_interactions(i.customer, i.touchpoint, i.time.to_numpy(), ids=i.id)
    assert [r["id"] for r in s.records("interactions")] == ["I-1", None, "I-3"]
    f = pd.read_csv(tmp_path / "f.csv")
    s.add_feedbacks(f.customer, ["nps"] * len(f), f.score.to_numpy(dtype=float), f.time.to_numpy(),
                    interactions=f.interaction, ids=f.id)
    assert [r["interaction"] for r in s.records("feedback")] == ["I-1", None]
    f2 = pd.DataFrame({"customer": ["C-1"], "interaction": pd.array([pd.NA], dtype=object)})
    s.add_feedbacks(f2.customer, ["nps"], [5.0], [6000], interactions=f2.interaction)
    assert s.record("feedback", 2)["interaction"] is None


def test_batch_bad_interaction_id_is_all_or_nothing():
    s = base()
    s.add_interactions(["C-1"], ["web"], [0], ids=["I-1"])
    before = snapshot(s)
    with pytest.raises(cxkit.NotFound, match="record 1.*I-2|I-2.*record 1"):
        s.add_feedbacks(["C-1", "C-1"], ["nps", "nps"], [9, 9], [1, 2], interactions=["I-1", "I-2"])
    with pytest.raises(cxkit.Exists, match="record 1"):
        s.add_transactions(["C-1", "C-1"], [0, 1], [1.0, 1.0], ids=["X-1", "X-1"])
    with pytest.raises(cxkit.Invalid, match="ids has 1 entries"):
        s.add_interactions(["C-1", "C-1"], ["web", "web"], [0, 1], ids=["I-9"])
    with pytest.raises(TypeError):
        s.add_feedbacks(["C-1"], ["nps"], [9], [1], interactions=[0])  # ids are text now, not rows
    assert snapshot(s) == before


# ---- synchronising imports ----------------------------------------------------------------

FILES = {
    "customers": "id,segment,region,name\nC-1,consumer,الرياض,سارة\nC-2,business,جدة,\"Omar, \"\"the boss\"\"\"\n",
    "touchpoints": "name,channel,stage\nweb,web,consideration\nphone,phone,service\n",
    "cases": "id,customer,channel,opened,resolved\nT-1,C-1,phone,2024-03-01T10:00:00Z,\n",
    "interactions": "id,customer,touchpoint,time,kind,case\nI-1,C-1,phone,2024-03-01T10:00:00Z,contact,T-1\n"
                    "I-2,C-2,web,2024-03-02T10:00:00Z,visit,\n",
    "feedback": "id,customer,question,score,time,interaction,comment\n"
                "F-1,C-1,csat,4,2024-03-01T11:00:00Z,I-1,\"<script>alert(1)</script>\"\n"
                "F-2,C-2,nps,10,2024-03-02T11:00:00Z,,\n",
    "transactions": "id,customer,time,amount\nX-1,C-2,2024-03-03T10:00:00Z,99.5\n",
}


def write_files(d, files=FILES):
    for t, text in files.items():
        (d / (t + ".csv")).write_text(text, encoding="utf-8")


def import_all(s, d, **kw):
    reports = {}
    for t in ("customers", "touchpoints", "cases", "interactions", "feedback", "transactions"):
        rep = s.import_csv(t, str(d / (t + ".csv")), **kw)
        assert rep.rejected() == 0, rep.rejects()
        assert rep.accepted() == rep.added() + rep.updated() + rep.unchanged()
        reports[t] = (rep.added(), rep.updated(), rep.unchanged())
    return reports


def test_import_twice_with_update_leaves_everything_unchanged(tmp_path):
    write_files(tmp_path)
    s = cxkit.Store()
    first = import_all(s, tmp_path, existing="update")
    assert first == {"customers": (2, 0, 0), "touchpoints": (2, 0, 0), "cases": (1, 0, 0),
                     "interactions": (2, 0, 0), "feedback": (2, 0, 0), "transactions": (1, 0, 0)}
    assert s.record("feedback", 0)["interaction"] == "I-1"
    assert s.record("customers", 1)["name"] == 'Omar, "the boss"'
    before = snapshot(s)
    again = import_all(s, tmp_path, existing="update")
    assert again == {"customers": (0, 0, 2), "touchpoints": (0, 0, 2), "cases": (0, 0, 1),
                     "interactions": (0, 0, 2), "feedback": (0, 0, 2), "transactions": (0, 0, 1)}
    assert snapshot(s) == before


def test_import_update_applies_changes_and_skip_keeps(tmp_path):
    write_files(tmp_path)
    s = cxkit.Store()
    import_all(s, tmp_path, existing="update")
    changed = dict(FILES)
    changed["cases"] = ("id,customer,channel,opened,resolved\n"
                        "T-1,C-1,phone,2024-03-01T10:00:00Z,2024-03-02T10:00:00Z\n"
                        "T-2,C-2,web,2024-03-05T10:00:00Z,\n")
    changed["customers"] = "id,segment,region,name\nC-1,vip,الرياض,\nC-2,business,جدة,\"Omar, \"\"the boss\"\"\"\n"
    write_files(tmp_path, changed)
    opts = cxkit.ImportOptions.make(existing="skip")
    rep = s.import_csv("cases", str(tmp_path / "cases.csv"), opts)
    assert (rep.added(), rep.updated(), rep.unchanged()) == (1, 0, 1)
    assert s.record("cases", 0)["resolved"] is None  # skipped
    rep = s.import_csv("cases", str(tmp_path / "cases.csv"), existing="update")
    assert (rep.added(), rep.updated(), rep.unchanged()) == (0, 1, 1)
    assert s.record("cases", 0)["resolved"] is not None
    rep = s.import_csv("customers", str(tmp_path / "customers.csv"), existing="update")
    assert (rep.added(), rep.updated(), rep.unchanged()) == (0, 1, 1)
    assert s.record("customers", 0)["segment"] == "vip"
    assert s.get_attribute("C-1", "name") is None  # an empty cell removes the attribute
    assert "added=0 updated=1 unchanged=1" in repr(rep)


def test_import_reject_is_the_default(tmp_path):
    write_files(tmp_path)
    s = cxkit.Store()
    import_all(s, tmp_path)
    before = snapshot(s)
    rep = s.import_csv("interactions", str(tmp_path / "interactions.csv"))
    assert (rep.accepted(), rep.rejected()) == (0, 2)
    assert "'I-1' already exists" in rep.rejects()[0][2]
    with pytest.raises(cxkit.Exists, match="line 2"):
        s.import_csv("interactions", str(tmp_path / "interactions.csv"), strict=True, existing="reject")
    assert snapshot(s) == before


def test_import_jsonl_sync(tmp_path):
    s = cxkit.Store()
    s.add_customer("C-1")
    s.add_touchpoint("web", "web", "consideration")
    p = tmp_path / "i.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "I-1", "customer": "C-1", "touchpoint": "web", "time": "2024-03-01T10:00:00Z"},
        {"id": "I-2", "customer": "C-1", "touchpoint": "web", "time": "2024-03-01T11:00:00Z", "kind": "visit"},
    ]) + "\n", encoding="utf-8")
    o = cxkit.ImportOptions()
    o.set_existing(cxkit.EXISTING_UPDATE)
    rep = s.import_jsonl("interactions", str(p), o)
    assert (rep.added(), rep.updated(), rep.unchanged()) == (2, 0, 0)
    rep = s.import_jsonl("interactions", str(p), o)
    assert (rep.added(), rep.updated(), rep.unchanged()) == (0, 0, 2)
    assert type(rep.unchanged()) is int


def test_import_option_errors(tmp_path):
    o = cxkit.ImportOptions()
    with pytest.raises(cxkit.Invalid, match="existing-record rule name 'merge'"):
        o.set_existing("merge")
    with pytest.raises(cxkit.Invalid):
        o.set_existing(7)
    with pytest.raises(TypeError, match="not both"):
        cxkit.Store().import_csv("customers", str(tmp_path / "x.csv"), o, existing="update")
    with pytest.raises(TypeError):
        cxkit.Store().import_csv("customers", str(tmp_path / "x.csv"), exists="update")  # a typo

