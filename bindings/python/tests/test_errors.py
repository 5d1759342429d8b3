"""The error mapping, and bad arguments that must raise, never crash."""
import pytest

import cxkit

KINDS = {
    cxkit.EINVAL: (cxkit.Invalid, ValueError), cxkit.ENOMEM: (cxkit.NoMemory, MemoryError),
    cxkit.ENOTFOUND: (cxkit.NotFound, LookupError), cxkit.EEXISTS: (cxkit.Exists, cxkit.Error),
    cxkit.ERANGE: (cxkit.Range, ValueError), cxkit.EPARSE: (cxkit.Parse, ValueError),
    cxkit.EBUFSIZE: (cxkit.BufSize, cxkit.Error), cxkit.EORDER: (cxkit.Order, ValueError),
    cxkit.ELIMIT: (cxkit.Limit, cxkit.Error), cxkit.EIO: (cxkit.IO, OSError),
    cxkit.EVERSION: (cxkit.Version, cxkit.Error),
}


def test_hierarchy():
    for code, (cls, builtin) in KINDS.items():
        assert issubclass(cls, cxkit.Error) and issubclass(cls, builtin)
    assert issubclass(cxkit.Error, Exception)


def test_exception_carries_code_and_library_message(store):
    with pytest.raises(cxkit.Exists) as e:
        store.add_customer("C-1")
    assert e.value.code == cxkit.EEXISTS
    assert "C-1" in e.value.message and e.value.message == str(e.value)
    assert cxkit.last_error_code() == cxkit.EEXISTS
    assert e.value.message.startswith("Store.add_customer: ")
    assert cxkit.last_error() == e.value.c_message  # the C library's, naming cx_customer_add


def test_closed_handles_raise():
    s = cxkit.Store()
    q = cxkit.Query(s)
    q.add("nps")
    r = q.run()
    h_store = cxkit.Store()
    h_store.add_customer("a")
    h = h_store.history("a")
    c = cxkit.Calendar()
    m = cxkit.Monitor(1000)
    for obj, call in [(s, lambda: s.rows(0)), (q, lambda: q.run()), (r, lambda: r.row(0)),
                      (h, lambda: h.entry(0)), (c, lambda: c.is_open(0)), (m, lambda: m.read(0, "nps"))]:
        obj.close()
        with pytest.raises(cxkit.Invalid, match="closed"):
            call()
        obj.close()


def test_none_and_wrong_types():
    s = cxkit.Store()
    with pytest.raises(cxkit.Invalid):
        cxkit.Query(None)
    with pytest.raises(TypeError):
        cxkit.Query(cxkit.Calendar())
    with pytest.raises(cxkit.Invalid):
        s.add_customer(None)
    with pytest.raises(TypeError):
        s.add_customer(42)
    with pytest.raises(TypeError):
        s.rows(1.5)
    with pytest.raises(TypeError):
        s.rows([])
    with pytest.raises(OverflowError):
        s.rows(2**80)
    with pytest.raises(cxkit.Invalid):
        s.rows(99)
    with pytest.raises(cxkit.Invalid):
        s.rows("no_such_table")
    with pytest.raises(OverflowError):
        s.reserve("customers", -1)
    with pytest.raises(TypeError):
        s.add_customer("x", acquired=object())
    with pytest.raises((TypeError, UnicodeError)):
        s.add_customer("\ud800")  # a lone surrogate is not UTF-8
    q = cxkit.Query(s)
    q.add("nps")
    r = q.run()
    with pytest.raises(TypeError):
        r.compare(0, None, 0, "nps") if False else r.compare(0, q, 0, "nps")
    with pytest.raises(cxkit.Invalid):
        r.merge(None)
    with pytest.raises(TypeError):
        cxkit.Result.deserialize("text, not bytes")


def test_child_keeps_parent_alive():
    import gc
    s = cxkit.Store()
    s.add_customer("a")
    s.add_touchpoint("w", "web", "consideration")
    s.add_feedback("a", "nps", 9, 0)
    q = cxkit.Query(s)
    h = s.history("a")
    del s
    gc.collect()
    q.add("nps")
    assert q.run().row(0)["nps_n"] == 1
    assert h[0]["score"] == 9.0


def test_closing_parent_keeps_children_working():
    s = cxkit.Store()
    s.add_customer("a")
    q = cxkit.Query(s)
    s.close()
    q.add("nps")
    assert q.run().rows() >= 0
