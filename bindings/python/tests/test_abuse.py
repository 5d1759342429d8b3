"""Abuse a script may try, which must raise and never crash the interpreter:
objects freed by an explicit destructor call and then used or collected,
and strings with an embedded NUL (which a C string would silently cut)."""
import gc
import os

import pytest

import cxkit
from conftest import small_store


def objects(store, tmp_path):
    """One object of every class, each with a method to call on it."""
    q = cxkit.Query(store)
    q.add("csat")
    jo = cxkit.JourneyOptions(store)
    csv = tmp_path / "customers.csv"
    csv.write_text("id\nX-1\n")
    return [
        ("Store", store, lambda o: o.rows("customers")),
        ("Calendar", cxkit.Calendar(), lambda o: o.is_open(0)),
        ("Query", q, lambda o: o.run()),
        ("Result", q.run(), lambda o: o.rows()),
        ("History", store.history("C-1"), lambda o: o.count()),
        ("Monitor", cxkit.Monitor(3600000), lambda o: o.add_contact(0, "handled")),
        ("ImportOptions", cxkit.ImportOptions(), lambda o: o.set_strict(True)),
        ("ImportReport", cxkit.Store().import_csv("customers", str(csv)), lambda o: o.read()),
        ("JourneyOptions", jo, lambda o: o.set_gap(1000)),
        ("Journeys", cxkit.Journeys(store, jo), lambda o: o.count()),
        ("Funnel", cxkit.Funnel(store), lambda o: o.set_window(1000)),
        ("Survival", cxkit.Survival.from_store(store, "transactions", 86400000, "2024-06-01"),
         lambda o: o.group_count()),
        ("Summary", cxkit.Summary(store, "2024-06-01"), lambda o: o.count()),
        ("Model", cxkit.Model("bgnbd", [1, 2, 3, 4]), lambda o: o.kind()),
        ("HealthOptions", cxkit.HealthOptions(), lambda o: o.set_weight("nps", 1)),
        ("CareRules", cxkit.CareRules(), lambda o: o.count()),
    ]


@pytest.mark.parametrize("how", ["swig_destroy", "module_delete"])
def test_explicit_destructor_then_use_raises(store, tmp_path, how):
    objs = objects(store, tmp_path)
    assert len(objs) == 16
    for name, o, call in objs:
        call(o)  # usable before
        if how == "swig_destroy":
            type(o).__swig_destroy__(o)
        else:
            getattr(cxkit._cxkit, "delete_" + name)(o)
        with pytest.raises(cxkit.Invalid, match=name + " object was freed"):
            call(o)
        with pytest.raises(ValueError, match="object was freed"):
            o.close()
        # a second destructor call does nothing
        type(o).__swig_destroy__(o)
    del objs, o, call
    gc.collect()


def test_reowned_after_destructor_is_not_freed_twice(store):
    r = cxkit.Query(store)
    r.add("csat")
    res = r.run()
    type(res).__swig_destroy__(res)
    res.thisown = True  # the collection then calls the destructor again
    del res
    gc.collect()
    type(store).__swig_destroy__(store)
    store.thisown = True
    del store
    gc.collect()


def test_children_keep_what_they_borrow(store):
    q = cxkit.Query(store)
    q.add("csat")
    h = store.history("C-1")
    cal = cxkit.Calendar()
    q.set_calendar(cal)
    type(store).__swig_destroy__(store)
    type(cal).__swig_destroy__(cal)
    assert q.run().rows() == 1
    assert h.count() > 0
    with pytest.raises(cxkit.Invalid, match="Calendar object was freed"):
        q.set_calendar(cal)
    with pytest.raises(cxkit.Invalid, match="Store object was freed"):
        cxkit.Query(store)
    with pytest.raises(cxkit.Invalid, match="Store object was freed"):
        cxkit.Journeys(store)
    del q, h
    gc.collect()


def test_freed_argument_raises(store, tmp_path):
    q = cxkit.Query(store)
    q.add("csat")
    r, other = q.run(), q.run()
    opts = cxkit.ImportOptions()
    type(other).__swig_destroy__(other)
    type(opts).__swig_destroy__(opts)
    with pytest.raises(cxkit.Invalid, match="Result object was freed"):
        r.merge(other)
    with pytest.raises(cxkit.Invalid, match="ImportOptions object was freed"):
        store.import_csv("customers", str(tmp_path / "none.csv"), opts)
    with pytest.raises(cxkit.Invalid, match="required"):
        r.merge(None)


def test_close_then_destructor(store):
    store.close()
    type(store).__swig_destroy__(store)
    with pytest.raises(cxkit.Invalid, match="object was freed"):
        store.closed()
    del store
    gc.collect()


# ---- strings with an embedded NUL ----------------------------------------------

TABLES = ["customers", "touchpoints", "interactions", "cases", "feedback", "transactions"]


def test_nul_refused_in_ids_attributes_comments_names(store):
    before = {t: store.rows(t) for t in TABLES}
    with pytest.raises(ValueError, match=r"id contains a NUL"):
        store.add_customer("C-9\0x")
    with pytest.raises(ValueError, match=r"segment contains a NUL"):
        store.add_customer("C-9", "consumer\0x")
    with pytest.raises(ValueError, match=r"value contains a NUL"):
        store.set_attribute("C-1", "name", "a\0b")
    with pytest.raises(ValueError, match=r"key contains a NUL"):
        store.set_attribute("C-1", "na\0me", "ab")
    with pytest.raises(ValueError, match=r"comment contains a NUL"):
        store.add_feedback("C-1", "csat", 4, 0, comment="good\0bad")
    with pytest.raises(ValueError, match=r"customer contains a NUL"):
        store.add_transaction("C-1\0", 0, 1.0)
    with pytest.raises(ValueError, match=r"name contains a NUL"):
        store.define("channel", "fax\0")
    with pytest.raises(ValueError, match="NUL"):
        store.rows("customers\0x")
    with pytest.raises(ValueError, match="NUL"):
        store.get("customers", "id\0x", 0)
    assert store.get_attribute("C-1", "na") is None
    assert store.get_attribute("C-1", "name") == "سارة العتيبي"
    assert {t: store.rows(t) for t in TABLES} == before


def test_nul_refused_in_times(store):
    n = store.rows("transactions")
    with pytest.raises(ValueError, match="NUL"):
        store.add_transaction("C-1", "2024-01-01\0junk", 1.0)
    with pytest.raises(ValueError, match="NUL"):
        store.add_transactions(["C-1"], ["2024-01-01\0junk"], [1.0])
    with pytest.raises(ValueError, match="NUL"):
        cxkit.time_parse("2024-01-01\0junk")
    with pytest.raises(ValueError, match="NUL"):
        cxkit.to_ms("2024-01-01\0junk")
    assert store.rows("transactions") == n


def test_nul_refused_in_bulk_arrays(store):
    n = store.rows("customers")
    with pytest.raises(ValueError, match=r"entry 1 of ids contains a NUL"):
        store.add_customers(["B-1", "B-2\0x"])
    with pytest.raises(ValueError, match=r"entry 0 of .* contains a NUL"):
        store.add_customers(["B-1"], ["consumer\0"])
    with pytest.raises(ValueError, match=r"entry 0 of .* contains a NUL"):
        store.add_transactions(["C-1\0"], [0], [1.0])
    assert store.rows("customers") == n
    with pytest.raises(ValueError, match=r"entry 0 of ids contains a NUL"):
        store.forget(["C-1\0x"])
    assert store.rows("customers") == n


def test_nul_refused_in_paths(store, tmp_path):
    path = tmp_path / "a.db"
    with pytest.raises(ValueError, match=r"path contains a NUL"):
        store.save(str(path) + "\0x")
    assert not path.exists()
    with pytest.raises(ValueError, match=r"path contains a NUL"):
        store.export_csv("customers", str(tmp_path / "c.csv") + "\0x")
    with pytest.raises(ValueError, match=r"path contains a NUL"):
        cxkit.Store.load(str(path) + "\0x")
    with pytest.raises(ValueError, match=r"path contains a NUL"):
        cxkit.ImportOptions().set_reject_path(str(tmp_path / "r.csv") + "\0x")
    q = cxkit.Query(store)
    q.add("csat")
    r = q.run()
    with pytest.raises(ValueError, match=r"path contains a NUL"):
        r.export_csv(str(tmp_path / "r.csv") + "\0x")
    assert os.listdir(tmp_path) == []


def test_nul_refused_in_enumeration_and_column_names(store):
    q = cxkit.Query(store)
    with pytest.raises(ValueError, match="NUL"):
        q.add("nps\0x")
    q.add("csat")
    r = q.run()
    with pytest.raises(ValueError, match="NUL"):
        r.get(0, "csat\0x")


# ---- closed objects, collected parents, any collection order --------------------

@pytest.mark.parametrize("index", range(16))
def test_closed_object_of_every_class_raises(store, tmp_path, index):
    name, o, call = objects(store, tmp_path)[index]
    o.close()
    with pytest.raises(cxkit.Invalid, match=name + " is closed"):
        call(o)
    o.close()  # a second close does nothing


def children(store):
    """Every object that borrows from a store, with a call that reads it."""
    jo = cxkit.JourneyOptions(store)
    q = cxkit.Query(store)
    q.add("csat")
    f = cxkit.Funnel(store)
    f.add_step("stage", "consideration")
    return [
        ("Query", q, lambda o: o.run().rows() == 1),
        ("History", store.history("C-1"), lambda o: o.count() >= 1),
        ("JourneyOptions", jo, lambda o: o.set_gap(1000) is o),
        ("Journeys", cxkit.Journeys(store, jo), lambda o: o.count() >= 1),
        ("Funnel", f, lambda o: o.set_window(1000) is o),
        ("Summary", cxkit.Summary(store, "2024-06-01"), lambda o: o.count() >= 1),
        ("Result", q.run(), lambda o: o.rows() == 1),
    ]


@pytest.mark.parametrize("index", range(7))
def test_child_outlives_its_collected_store(index):
    s = small_store()
    name, child, call = children(s)[index]
    del s
    gc.collect()
    assert call(child), name
    del child
    gc.collect()


def test_every_collection_order_of_a_store_and_its_children():
    import itertools
    n = 0
    for order in itertools.permutations(range(5)):
        s = small_store()
        objs = [s] + [c[1] for c in children(s)][:4]
        del s
        for i in order:
            objs[i] = None
            gc.collect()
        n += 1
    assert n == 120


# ---- wrong argument types -------------------------------------------------------

class Other:
    pass


def a_result(store):
    q = cxkit.Query(store)
    q.add("csat")
    return q.run()


WRONG = [
    # (label, call(store), exception, message)
    ("None for an id", lambda s: s.add_customer(None), cxkit.Invalid, "customer id is NULL"),
    ("int for an id", lambda s: s.add_customer(5), TypeError, "add_customer.*argument 2"),
    ("bytes for an id", lambda s: s.add_customer(b"C-9"), TypeError, "add_customer.*argument 2"),
    ("list for an id", lambda s: s.add_customer(["C-9"]), TypeError, "add_customer.*argument 2"),
    ("Store for an id", lambda s: s.add_customer(s), TypeError, "add_customer.*argument 2"),
    ("str for an amount", lambda s: s.add_transaction("C-1", 0, "10"), TypeError, "argument 4 of type 'double'"),
    ("None for an amount", lambda s: s.add_transaction("C-1", 0, None), TypeError, "argument 4 of type 'double'"),
    ("list for a score", lambda s: s.add_feedback("C-1", "csat", [4], 0), TypeError, "argument 4 of type 'double'"),
    ("str for a score", lambda s: s.add_feedback("C-1", "csat", "4", 0), TypeError, "argument 4 of type 'double'"),
    ("list for a time", lambda s: s.add_transaction("C-1", [0], 1.0), TypeError, "a time is .* not list"),
    ("bytes for a time", lambda s: s.add_transaction("C-1", b"2024-01-01", 1.0), TypeError, "not bytes"),
    ("float for a time", lambda s: s.add_transaction("C-1", 1.5, 1.0), TypeError, "not float"),
    ("bad text for a time", lambda s: s.add_transaction("C-1", "yesterday", 1.0), cxkit.Parse, "yesterday|at byte"),
    ("Store for a table", lambda s: s.rows(s), TypeError, "expected a table as int or str, got Store"),
    ("unknown table", lambda s: s.rows("customer"), cxkit.Invalid, "unknown table name 'customer'"),
    ("float for a row", lambda s: s.get("customers", "id", 0.0), TypeError, "argument 4 of type 'size_t'"),
    ("Calendar for a Store", lambda s: cxkit.Query(cxkit.Calendar()), TypeError, "argument 1 of type 'Store"),
    ("Store for a Calendar", lambda s: cxkit.Query(s).set_calendar(s), TypeError, "Calendar"),
    ("object for a Result", lambda s: a_result(s).merge(Other()), TypeError, "Result"),
    ("str for an array", lambda s: s.add_customers("C-9"), TypeError, "single str"),
    ("int for an array", lambda s: s.add_customers(5), TypeError, "sequence of str"),
    ("dict for an array", lambda s: s.add_customers({"C-9": 1}), TypeError, "ids.*got dict"),
    ("set for an array", lambda s: s.add_customers({"C-9"}), TypeError, "got set"),
    ("dict for numbers", lambda s: s.add_transactions(["C-1"], [0], {1.0: 1}), TypeError, "got dict"),
    ("None in an id array", lambda s: s.add_customers(["C-9", None]), cxkit.Invalid, "id"),
    ("int in an id array", lambda s: s.add_customers(["C-9", 5]), TypeError, "entry 1|int"),
    ("str in a number array", lambda s: s.add_transactions(["C-1"], [0], ["1"]), TypeError, "number|str"),
    ("str for model parameters", lambda s: cxkit.Model("bgnbd", "abcd"), TypeError, "real number"),
    ("None for model parameters", lambda s: cxkit.Model("bgnbd", None), cxkit.Invalid, "params is required"),
]


@pytest.mark.parametrize("label,call,exc,msg", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_argument_types_raise_and_change_nothing(store, label, call, exc, msg):
    before = {t: store.rows(t) for t in TABLES}
    with pytest.raises(exc, match=msg):
        call(store)
    assert {t: store.rows(t) for t in TABLES} == before


# ---- huge integers, NaN and infinities -------------------------------------------

HUGE = [2**63, -2**63 - 1, 2**64, 10**30]


@pytest.mark.parametrize("value", HUGE + [1e308, -1e308])
def test_huge_numbers_for_integers_raise(store, value):
    n = store.rows("transactions")
    exc = (OverflowError, TypeError)
    with pytest.raises(exc):
        store.add_transaction("C-1", value, 1.0)
    with pytest.raises(exc):
        store.add_transactions(["C-1"], [value], [1.0])
    with pytest.raises(exc + (cxkit.Range,)):  # 2**63 is a size_t, beyond the rows
        store.get("customers", "id", value)
    with pytest.raises(exc):
        cxkit.Monitor(value)
    with pytest.raises(exc):
        cxkit.JourneyOptions(store).set_gap(value)
    with pytest.raises(exc):
        store.rows(value)
    assert store.rows("transactions") == n


def test_extreme_but_valid_integers_are_refused_by_range(store):
    # an int64 that is a time outside years 0000-9999 (defect 3): refused at the door
    for t in (2**63 - 1, -2**63 + 1):
        with pytest.raises((cxkit.Range, OverflowError)):
            store.add_transaction("C-1", t, 1.0)
    with pytest.raises(OverflowError):
        store.add_transaction("C-1", -2**63, 1.0)  # CX_TIME_NONE itself is no time


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinities_raise_where_numbers_are_taken(store, value):
    before = {t: store.rows(t) for t in TABLES}
    with pytest.raises(cxkit.Range, match="amount"):
        store.add_transaction("C-1", 0, value)
    with pytest.raises(cxkit.Range, match="amount"):
        store.add_transactions(["C-1"], [0], [value])
    with pytest.raises(cxkit.Range, match="score"):
        store.add_feedback("C-1", "csat", value, 0)
    with pytest.raises(cxkit.Range, match="parameter"):
        cxkit.Model("bgnbd", [value, 1, 1, 1])
    with pytest.raises(cxkit.Range, match="weight"):
        cxkit.HealthOptions().set_weight("nps", value)
    with pytest.raises(cxkit.Range):
        store.add_touchpoint("tp-nan", "web", "consideration", "sales", True, value)
    assert {t: store.rows(t) for t in TABLES} == before


# ---- invalid UTF-8 -----------------------------------------------------------------

BAD_TEXT = ["C-\udc80", "\ud800", "x\udfff"]  # lone surrogates: no UTF-8 form


@pytest.mark.parametrize("text", BAD_TEXT)
def test_strings_without_utf8_form_are_refused(store, tmp_path, text):
    before = {t: store.rows(t) for t in TABLES}
    for call in (lambda: store.add_customer(text),
                 lambda: store.set_attribute("C-1", "k", text),
                 lambda: store.set_attribute("C-1", text, "v"),
                 lambda: store.add_feedback("C-1", "csat", 4, 0, comment=text),
                 lambda: store.define("channel", text),
                 lambda: store.save(str(tmp_path / text)),
                 lambda: store.add_customers(["ok", text])):
        with pytest.raises((TypeError, UnicodeEncodeError, ValueError)):
            call()
    assert {t: store.rows(t) for t in TABLES} == before
    assert os.listdir(tmp_path) == []


INVALID_UTF8 = [b"\x80", b"C-\xc0\xaf", b"\xed\xa0\x80", b"\xff\xfe", b"\xe2\x82"]


@pytest.mark.parametrize("raw", INVALID_UTF8)
def test_invalid_utf8_in_imported_files_is_rejected_with_the_row(store, tmp_path, raw):
    """A script cannot hand invalid UTF-8 in a str; a file can: the row is
    rejected with its line and reason, the good rows load."""
    p = tmp_path / "c.csv"
    p.write_bytes(b"id,segment\nOK-1,consumer\n" + raw + b",consumer\nOK-2,business\n")
    n = store.rows("customers")
    rep = store.import_csv("customers", str(p))
    assert rep.rejected() == 1
    assert "UTF-8" in str(rep.rejects()[0])
    assert store.rows("customers") == n + 2


def test_monitor_refuses_times_beyond_years_0000_9999():
    """Int64 times that are no dates made the monitor overflow (undefined
    behaviour, stopped by UBSan in the sanitized run): now refused."""
    big, small = 2**63 - 1, -2**63 + 1
    m = cxkit.Monitor(2**62)
    with pytest.raises(cxkit.Range, match="time .* is outside years 0000-9999"):
        m.add_contact(small, "handled")
    with pytest.raises(cxkit.Range, match="now .* is outside years 0000-9999"):
        m.read(small, "missed_rate")
    with pytest.raises(cxkit.Range, match="opened time .* is outside years 0000-9999"):
        m.add_case(0, small, None, 1, 0)
    with pytest.raises(cxkit.Range, match="resolved time .* is outside"):
        m.add_case(big, 0, None, 1, 0)
    with pytest.raises(cxkit.Range, match="duration .* longer than years 0000-9999"):
        m.add_contact(0, "handled", big)
    hi, lo = 253402300799999, -62167219200000  # 9999-12-31T23:59:59.999Z, 0000-01-01T00:00:00Z
    m.add_contact(hi, "handled", hi - lo)
    value, n = m.read(hi, "handle_time")
    assert n == 1 and value == hi - lo
