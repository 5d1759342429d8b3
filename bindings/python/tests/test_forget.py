"""Data protection: Store.forget() (erasure), cxkit.pseudonym(),
Store.pseudonymize() and Result.pseudonymize()."""
import hmac
import math

import pytest

import cxkit

TABLES = ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions")
KEY = b"\x00k\xffey of sixteen+ bytes"


def snapshot(s):
    return {t: list(s.records(t)) for t in TABLES}


def build(without=()):
    """Three customers with every kind of record; the ones in `without` are
    never added (nor anything of theirs)."""
    s = cxkit.Store()
    s.add_touchpoint("web", "web", "consideration")
    s.add_touchpoint("phone", "phone", "service")
    s.add_question("effort", "ces", 1, 7, False)
    people = [("C-1", "consumer", "الرياض", "سارة", "نورة"),
              ("C-2", "vip", "جدة", "Omar \"=cmd\"", "خالد"),   # the only vip, the only agent خالد
              ("C-3", "consumer", "الدمام", "<script>x</script>", "نورة")]
    for k, (c, seg, region, name, agent) in enumerate(people):
        if c in without:
            continue
        s.add_customer(c, seg, region, "basic", "2024-01-0%dT00:00:00Z" % (k + 1))
        s.set_attribute(c, "name", name)
        s.set_attribute(c, "email", "%s@example.com" % c.lower())
        s.add_case("T-%d" % k, c, "phone", "high", agent, "2024-03-0%dT09:00:00Z" % (k + 1),
                   "2024-03-0%dT09:30:00Z" % (k + 1), "2024-03-0%dT15:00:00Z" % (k + 1))
        s.add_interaction(c, "web", "2024-03-0%dT08:00:00Z" % (k + 1), "visit", id="I-%d-a" % k)
        s.add_interaction(c, "phone", "2024-03-0%dT09:00:00Z" % (k + 1), "contact", agent=agent,
                          case_id="T-%d" % k, duration_ms=300000 * (k + 1), id="I-%d-b" % k)
        s.add_feedback(c, "nps", 10 - 3 * k, "2024-03-0%dT16:00:00Z" % (k + 1), "phone", "I-%d-b" % k,
                       "T-%d" % k, "comment of %s" % name, id="F-%d" % k)
        s.add_feedback(c, "effort", 2 + k, "2024-03-0%dT16:05:00Z" % (k + 1))
        s.add_transaction(c, "2024-03-0%dT12:00:00Z" % (k + 1), 100.0 * (k + 1), id="X-%d" % k)
        s.add_transaction(c, "2024-04-0%dT12:00:00Z" % (k + 1), 10.0 * (k + 1))
    return s


def no_nan(x):
    """x with every NaN replaced by a marker, so that equal results compare equal."""
    if isinstance(x, float) and math.isnan(x):
        return "NaN"
    if isinstance(x, dict):
        return {k: no_nan(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(no_nan(v) for v in x)
    return x


def analyses(s):
    q = cxkit.Query(s)
    for m in ("nps", "ces", "fcr", "handle_time"):
        q.add(m)
    q.group_by("agent")
    by_segment = cxkit.Query(s)
    by_segment.add("nps")
    by_segment.group_by("segment")
    return no_nan((list(q.run()), list(by_segment.run()),
                   list(cxkit.rfm(s, "2024-06-01T00:00:00Z", unit_ms=86400000, bins=3)),
                   {set_: s.vocab_names(set_) for set_ in ("agent", "segment", "region", "plan", "attribute")}))


def test_forget_gives_the_store_that_never_had_the_customer():
    s = build()
    rows = s.forget(["C-2"])
    # the customer, a case, two interactions, two answers, two purchases
    assert rows == 1 + 1 + 2 + 2 + 2
    fresh = build(without={"C-2"})
    assert snapshot(s) == snapshot(fresh)
    assert analyses(s) == analyses(fresh)
    assert "خالد" not in s.vocab_names("agent") and "vip" not in s.vocab_names("segment")
    for table, id_ in (("customers", "C-2"), ("interactions", "I-1-b"), ("feedback", "F-1"), ("transactions", "X-1"),
                       ("cases", "T-1")):
        with pytest.raises(cxkit.NotFound):
            s.find(table, id_)
    assert s.find("interactions", "I-2-b") == fresh.find("interactions", "I-2-b")
    assert [e["table"] for e in s.history("C-3")] == [e["table"] for e in fresh.history("C-3")]


def test_forget_several_with_repeats():
    s = build()
    assert s.forget(("C-1", "C-3", "C-1")) == 16
    assert snapshot(s) == snapshot(build(without={"C-1", "C-3"}))
    assert s.forget([]) == 0


def test_forget_unknown_id_names_it_and_erases_nothing():
    s = build()
    before = snapshot(s)
    with pytest.raises(cxkit.NotFound, match="no customer 'nobody'") as e:
        s.forget(["C-1", "nobody"])
    assert e.value.code == cxkit.ENOTFOUND
    with pytest.raises(TypeError):
        s.forget("C-1")  # one str is not a sequence of ids
    with pytest.raises(TypeError):
        s.forget([1])
    with pytest.raises(cxkit.Invalid, match="required"):
        s.forget(None)
    assert snapshot(s) == before


def test_pseudonym_is_python_hmac():
    for key in (KEY, b"k", bytes(range(256)), "مفتاح".encode()):
        for value in ("C-1", "", "سارة العتيبي", "a,b\"c\n=cmd", "x" * 1000, "👍"):
            expected = hmac.new(key, value.encode(), "sha256").hexdigest()[:32]
            assert cxkit.pseudonym(key, value) == expected
    assert cxkit.pseudonym(bytearray(KEY), "C-1") == cxkit.pseudonym(KEY, "C-1")
    assert cxkit.pseudonym(key=KEY, value="C-1") == cxkit.pseudonym(KEY, "C-1")
    assert cxkit.pseudonym(KEY, "C-1") != cxkit.pseudonym(KEY + b"!", "C-1")
    with pytest.raises(cxkit.Invalid, match="key is empty"):
        cxkit.pseudonym(b"", "C-1")
    with pytest.raises(TypeError):
        cxkit.pseudonym("a str key", "C-1")
    with pytest.raises(cxkit.Invalid):
        cxkit.pseudonym(KEY, None)


def test_pseudonymize_replaces_ids_and_listed_attributes(tmp_path):
    s = build()
    before = analyses(s)
    s.pseudonymize(KEY, ["email", "no_such_attribute"])
    p = {c: cxkit.pseudonym(KEY, c) for c in ("C-1", "C-2", "C-3")}
    assert [r["id"] for r in s.records("customers")] == list(p.values())
    for t in ("cases", "interactions", "feedback", "transactions"):
        assert {r["customer"] for r in s.records(t)} == set(p.values())
    c1 = s.record("customers", s.find("customers", p["C-1"]))
    assert c1["email"] == cxkit.pseudonym(KEY, "c-1@example.com")
    assert c1["name"] == "سارة"  # not listed: kept
    assert s.record("feedback", 0)["comment"] == "comment of سارة"  # comments kept unless asked
    assert s.record("feedback", 0)["interaction"] == "I-0-b"  # event ids are not personal
    with pytest.raises(cxkit.NotFound):
        s.find("customers", "C-1")
    # the same analyses, under pseudonyms
    after = analyses(s)
    assert after[0] == before[0] and after[1] == before[1]
    assert [r["customer"] for r in after[2]] == [p[r["customer"]] for r in before[2]]
    s.export_csv("customers", str(tmp_path / "c.csv"))
    text = (tmp_path / "c.csv").read_text(encoding="utf-8")
    assert "C-1" not in text and "@example.com" not in text and p["C-2"] in text


def test_pseudonymize_drops_comments_when_asked():
    s = build()
    s.pseudonymize(key=KEY, attributes=("name", "email"), drop_comments=True)
    assert all(r["comment"] is None for r in s.records("feedback"))
    assert s.record("customers", 0)["name"] == cxkit.pseudonym(KEY, "سارة")
    t = build()
    t.pseudonymize(KEY)  # ids only
    assert t.record("customers", 0)["email"] == "c-1@example.com"


def test_pseudonymize_errors_change_nothing():
    s = build()
    before = snapshot(s)
    with pytest.raises(cxkit.Invalid, match="key is empty"):
        s.pseudonymize(b"", ["email"])
    with pytest.raises(TypeError):
        s.pseudonymize("not bytes")
    with pytest.raises(TypeError):
        s.pseudonymize(KEY, "email")  # one str is not a sequence of names
    assert snapshot(s) == before


def test_result_pseudonymize():
    s = build()
    r = cxkit.rfm(s, "2024-06-01T00:00:00Z", unit_ms=86400000, bins=3)
    customers = [x["customer"] for x in r]
    r.pseudonymize(KEY, ["customer"])
    assert [x["customer"] for x in r] == [cxkit.pseudonym(KEY, c) for c in customers]
    q = cxkit.Query(s)
    q.add("nps")
    q.group_by("segment")
    res = q.run()
    with pytest.raises(cxkit.Invalid):
        res.pseudonymize(KEY, ["no_such_column"])
    with pytest.raises(cxkit.Invalid):
        res.pseudonymize(KEY, ["nps"])  # not a text column
    assert [x["segment"] for x in res] == ["consumer", "vip"]  # unchanged after the refusals
    res.pseudonymize(KEY, ["segment"])
    assert [x["segment"] for x in res] == [cxkit.pseudonym(KEY, "consumer"), cxkit.pseudonym(KEY, "vip")]


def test_clone_to_pseudonymize_a_copy():
    import copy
    s = build()
    before = snapshot(s)
    shared = s.clone()
    assert snapshot(shared) == before
    shared.pseudonymize(KEY, ["name", "email"], drop_comments=True)
    assert snapshot(s) == before  # the original keeps its ids
    assert shared.record("customers", 0)["id"] == cxkit.pseudonym(KEY, "C-1")
    assert analyses(shared)[0] == analyses(s)[0]
    for c in (copy.copy(s), copy.deepcopy(s)):
        c.forget(["C-1"])
        assert snapshot(s) == before and c.rows("customers") == 2
    s.close()
    assert shared.rows("customers") == 3  # a copy outlives its original
    with pytest.raises(cxkit.Invalid, match="closed"):
        s.clone()
