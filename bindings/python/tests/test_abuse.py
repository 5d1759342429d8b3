"""Abuse a script may try, which must raise and never crash the interpreter:
objects freed by an explicit destructor call and then used or collected,
and strings with an embedded NUL (which a C string would silently cut)."""
import gc
import os

import pytest

import cxkit


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
