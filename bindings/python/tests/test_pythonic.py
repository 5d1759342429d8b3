"""Issue 13, "Pythonic calls": errors naming the Python method and derived
from the matching built-ins, "did you mean" for unknown names, chaining and
keyword constructors, readable reprs, and help() signatures without *args."""
import inspect
import re

import pytest

import cxkit
from conftest import small_store


# ---- 1. exceptions name the Python method and subclass the built-ins ----------------------

@pytest.mark.parametrize("call, cls, builtin, message", [
    (lambda s: s.add_customer("C-1"), cxkit.Exists, ValueError,
     "Store.add_customer: customer 'C-1' already exists"),
    (lambda s: s.add_customer(""), cxkit.Invalid, ValueError, "Store.add_customer: customer id is empty"),
    (lambda s: s.history("nobody"), cxkit.NotFound, KeyError, "Store.history: no customer 'nobody'"),
    (lambda s: cxkit.ImportOptions().map_column("a\0b", "id"), cxkit.Invalid, ValueError,
     "ImportOptions.map_column: file_column contains a NUL character (at byte 1)"),
    (lambda s: s.record("customers", 99), cxkit.Range, ValueError,
     "Store.record: row 99 out of range: the table has 2 rows"),
    (lambda s: cxkit.Calendar(5000), cxkit.Range, ValueError,
     "Calendar: UTC offset 5000 minutes is beyond +-14:00"),
    (lambda s: cxkit.time_parse("x"), cxkit.Parse, ValueError,
     "time_parse: at byte 0: expected a four-digit year"),
    (lambda s: cxkit.Model.fit_sbg([1, 2], [0]), cxkit.Invalid, ValueError,
     "Model.fit_sbg: churned has 1 entries, expected 2"),
])
def test_errors_name_the_python_method(store, call, cls, builtin, message):
    with pytest.raises(cls) as e:
        call(store)
    assert str(e.value) == message
    assert e.value.message == message
    assert isinstance(e.value, cxkit.Error) and isinstance(e.value, builtin)
    # the C library's own text names the C function; the Python one does not
    assert not re.match(r"cx_\w+:", str(e.value))
    assert e.value.c_message.endswith(message.split(": ", 1)[1])


def test_c_function_prefix_is_rewritten(store):
    with pytest.raises(cxkit.Exists) as e:
        store.add_customer("C-1")
    assert e.value.c_message == "cx_customer_add: customer 'C-1' already exists"
    assert str(e.value) == "Store.add_customer: customer 'C-1' already exists"


def test_not_found_is_a_key_error_with_a_plain_message(store):
    with pytest.raises(KeyError) as e:
        store.history("nobody")
    assert type(e.value) is cxkit.NotFound
    assert str(e.value) == "Store.history: no customer 'nobody'"  # not quoted as KeyError's str() would


def test_missing_file_is_file_not_found(tmp_path):
    path = str(tmp_path / "none.csv")
    with pytest.raises(FileNotFoundError) as e:
        cxkit.Store().import_csv("customers", path)
    assert isinstance(e.value, cxkit.FileNotFound) and isinstance(e.value, cxkit.IO)
    assert isinstance(e.value, cxkit.Error) and isinstance(e.value, OSError)
    assert e.value.code == cxkit.EIO and e.value.errno == 2
    assert str(e.value) == "Store.import_csv: %s: cannot open: No such file or directory" % path


def test_error_class_tree():
    for cls, builtins in ((cxkit.Invalid, ValueError), (cxkit.NotFound, KeyError), (cxkit.Exists, ValueError),
                          (cxkit.NoMemory, MemoryError), (cxkit.IO, OSError), (cxkit.Range, ValueError),
                          (cxkit.Parse, ValueError), (cxkit.FileNotFound, FileNotFoundError)):
        assert issubclass(cls, cxkit.Error) and issubclass(cls, builtins), cls


# ---- 2. did you mean --------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda s: cxkit.Query(s).add("nsp"), "Query.add: unknown measure name 'nsp': did you mean 'nps'?"),
    (lambda s: cxkit.Query(s).group_by("chanel"),
     "Query.group_by: unknown dimension name 'chanel': did you mean 'channel'?"),
    (lambda s: cxkit.Query(s).group_by_time("mnth"),
     "Query.group_by_time: unknown bucket name 'mnth': did you mean 'month'?"),
    (lambda s: s.rows("customer"), "Store.rows: unknown table name 'customer': did you mean 'customers'?"),
    (lambda s: cxkit.JourneyOptions(s).set_level("stge"),
     "JourneyOptions.set_level: unknown journey level name 'stge': did you mean 'stage'?"),
    (lambda s: cxkit.ImportOptions().set_existing("updat"),
     "ImportOptions.set_existing: unknown existing-record rule name 'updat': did you mean 'update'?"),
    (lambda s: cxkit.ImportOptions().set_existing("merge"),
     "ImportOptions.set_existing: unknown existing-record rule name 'merge' "
     "(expected one of 'reject', 'skip', 'update')"),
    (lambda s: cxkit.cohorts(s, "purchases"),
     "cohorts: unknown activity name 'purchases' (expected one of 'transactions', 'inbound', 'all')"),
    (lambda s: cxkit.Query(s).add("csta"), "Query.add: unknown measure name 'csta': did you mean 'csat'?"),
    (lambda s: cxkit.Query(s).add("ce"), "Query.add: unknown measure name 'ce': did you mean 'ces'?"),
])
def test_unknown_names_get_close_ones(store, call, message):
    with pytest.raises(cxkit.Invalid) as e:
        call(store)
    assert str(e.value) == message


def test_unknown_column_gets_close_ones(store):
    r = cxkit.Query(store).add("nps").run()
    with pytest.raises(cxkit.NotFound) as e:
        r.get(0, "npss")
    assert str(e.value) == "Result.get: no column npss: did you mean 'nps'?"


@pytest.mark.parametrize("call, message", [
    (lambda s: cxkit.ImportOptions.make(exsting="update"),
     "ImportOptions.make: unknown keyword argument 'exsting': did you mean 'existing'?"),
    (lambda s: s.import_csv("customers", "x.csv", strickt=True),
     "Store.import_csv: unknown keyword argument 'strickt': did you mean 'strict'?"),
    (lambda s: cxkit.Journeys(s, levle="channel"),
     "Journeys: unknown keyword argument 'levle': did you mean 'level'?"),
    (lambda s: cxkit.Query(s, measure=["nps"]),
     "Query: unknown keyword argument 'measure': did you mean 'measures'?"),
    (lambda s: cxkit.JourneyOptions.make(s, gap=5),
     "JourneyOptions.make: unknown keyword argument 'gap': did you mean 'gap_ms'?"),
])
def test_unknown_keywords_get_close_ones(store, call, message):
    with pytest.raises(TypeError) as e:
        call(store)
    assert str(e.value) == message


# ---- 3. chaining and keyword constructors -----------------------------------------------------

def test_query_calls_chain(demo):
    q = cxkit.Query(demo)
    assert q.add("nps").group_by("channel") is q
    r = cxkit.Query(demo).add("nps").add("csat").group_by("channel").filter("segment", "vip").run()
    assert r.column_names()[:2] == ["channel", "nps"] and "csat" in r.column_names()
    assert r.rows() >= 1


def test_setters_return_self(store):
    o = cxkit.ImportOptions()
    assert o.set_strict(True).set_existing("update").map_column("client", "id").set_delimiter(";") is o
    jo = cxkit.JourneyOptions(store)
    assert jo.set_level("channel").set_gap(3600000).set_collapse(True).set_min_support(2) is jo
    cal = cxkit.Calendar()
    assert cal.add_hours(1, 540, 1020).add_holiday(2024, 1, 1) is cal
    f = cxkit.Funnel(store)
    assert f.add_step("stage", "consideration").set_window(1000).set_strict(True) is f
    h = cxkit.HealthOptions()
    assert h.set_weight("nps", 2).set_scale("value", 100) is h
    rules = cxkit.CareRules()
    assert rules.add("sla_breach") == 0  # add() returns the rule's number, not the object
    assert rules.set_priority(0, "high") is rules


def test_query_keyword_constructor_matches_calls(demo):
    kw = cxkit.Query(demo, measures=["nps", "csat"], group_by=["channel", "month"],
                     filters={"segment": "vip"}, min_n=1).run()
    calls = cxkit.Query(demo).add("nps").add("csat").group_by("channel").group_by_time("month") \
        .filter("segment", "vip").set_min_n(1).run()
    assert kw.column_names() == calls.column_names()
    assert kw.rows() == calls.rows() >= 1
    assert [kw.get(i, "nps_n") for i in range(kw.rows())] == [calls.get(i, "nps_n") for i in range(calls.rows())]
    one = cxkit.Query(demo, measures="nps", group_by="channel").run()
    assert one.column_names()[:2] == ["channel", "nps"]
    with pytest.raises(TypeError, match=r"Query: takes the store and keyword arguments only"):
        cxkit.Query(demo, ["nps"])


def test_import_options_as_a_dict(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,segment\nC-1,a\n", encoding="utf-8")
    s = cxkit.Store()
    s.import_csv("customers", str(p))
    p.write_text("id,segment\nC-1,b\n", encoding="utf-8")
    rep = s.import_csv("customers", str(p), {"existing": "update", "strict": True})
    assert rep.updated() == 1 and s.record("customers", 0)["segment"] == "b"


# ---- 4. reprs and signatures --------------------------------------------------------------------

def test_reprs(demo, store):
    assert repr(store) == ("<cxkit.Store customers=2, touchpoints=2, interactions=%d, cases=%d, questions=%d, "
                           "feedback=%d, transactions=%d>" % tuple(store.rows(t) for t in (
                               "interactions", "cases", "questions", "feedback", "transactions")))
    q = cxkit.Query(store).add("nps").add("csat").group_by("channel").filter("region", "north")
    assert repr(q) == "<cxkit.Query measures=[nps, csat] group_by=[channel] filters=[region='north']>"
    assert repr(cxkit.Query(store, measures=["nps"], group_by=["month"])) == \
        "<cxkit.Query measures=[nps] group_by=[time:month]>"
    r = cxkit.Query(store).add("nps").group_by("channel").run()
    assert repr(r) == "<cxkit.Result %d rows x %d columns: %s>" % (r.rows(), r.columns(), ", ".join(r.column_names()))
    assert repr(cxkit.ImportOptions().set_strict(True).set_existing("update")) == \
        "<cxkit.ImportOptions set_strict(True) set_existing('update')>"
    assert repr(cxkit.ImportOptions()) == "<cxkit.ImportOptions (defaults)>"
    assert repr(cxkit.Calendar().add_hours(1, 540, 1020)) == "<cxkit.Calendar add_hours(1, 540, 1020)>"
    h = demo.history("C-100001")
    assert repr(h) == "<cxkit.History %d entries>" % len(h)
    j = cxkit.Journeys(demo, level="channel")
    assert repr(j) == "<cxkit.Journeys %d journeys, %d converted>" % (j.count(), j.conversion_count())
    q.close()
    assert repr(q) == "<cxkit.Query (closed)>"
    assert repr(cxkit.Query.agent_daily(store, 180).add("ces")) == \
        "<cxkit.Query agent_daily(offset_minutes=180) + measures=[ces] group_by=[]>"
    assert repr(cxkit.CareRules()) == "<cxkit.CareRules 0 rules>"
    for o in (store, r, j, h, cxkit.JourneyOptions(store), cxkit.Funnel(store), cxkit.HealthOptions()):
        assert "Swig Object" not in repr(o) and "proxy of" not in repr(o), repr(o)


def test_every_public_method_has_a_real_signature():
    """help() and inspect show the parameters, never (*args, **kwargs)."""
    bad = []
    for cname, cls in sorted(vars(cxkit).items()):
        if cname.startswith("_") or not isinstance(cls, type) or issubclass(cls, BaseException):
            continue
        for name in vars(cls):
            if name.startswith("_") and name != "__init__":
                continue
            f = getattr(cls, name)
            if not callable(f):
                continue
            params = inspect.signature(f).parameters.values()
            if any(p.kind == p.VAR_POSITIONAL for p in params):
                bad.append("%s.%s" % (cname, name))
    for name, f in sorted(vars(cxkit).items()):
        if name.startswith("_") or isinstance(f, type) or not callable(f) or inspect.ismodule(f):
            continue
        if any(p.kind == p.VAR_POSITIONAL for p in inspect.signature(f).parameters.values()):
            bad.append(name)
    assert bad == []
    assert str(inspect.signature(cxkit.Model.fit_bgnbd)) == "(x, t_x, T, weights=None)"
    assert str(inspect.signature(cxkit.Survival.median)) == "(self, group=0)"
    assert "measures=()" in str(inspect.signature(cxkit.Query.__init__))
    assert str(inspect.signature(cxkit.Query.add)) == "(self, measure)"


def test_db_import_takes_a_dict_of_options(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,segment\nC-1,a\n", encoding="utf-8")
    db = str(tmp_path / "x.db")
    cxkit.Store().save(db)
    assert cxkit.db_import_csv(db, "customers", str(p), {"existing": "update"}).added() == 1
    with pytest.raises(TypeError, match=r"unknown keyword argument 'existin': did you mean 'existing'\?"):
        cxkit.db_import_csv(db, "customers", str(p), {"existin": "update"})


def test_remembered_calls_are_bounded(store):
    q = cxkit.Query(store)
    for _ in range(1000):
        q.set_min_n(1)
    assert len(q.__dict__["_cx_calls"]) == 64
    assert repr(q).endswith("+ " + ", ".join(["set_min_n"] * 64) + " ...>")


def test_unknown_survival_group_gets_close_ones(demo):
    sv = cxkit.Survival.from_store(demo, "transactions", 90 * 86400000, "2024-12-31", group_by="segment")
    assert "vip" in sv.labels()
    with pytest.raises(cxkit.NotFound) as e:
        sv.median("vp")
    assert str(e.value) == "Survival.median: no survival group labelled 'vp': did you mean 'vip'?"
    with pytest.raises(KeyError, match=r"^Survival.at: no survival group labelled 'zzz'$"):
        sv.at(10, "zzz")


def test_no_suggestion_that_replaces_the_whole_name(store):
    with pytest.raises(cxkit.Invalid) as e:
        cxkit.JourneyOptions(store).set_level("x")
    assert str(e.value) == ("JourneyOptions.set_level: unknown journey level name 'x' "
                            "(expected one of 'touchpoint', 'channel', 'stage')")
