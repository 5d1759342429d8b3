"""Shared fixtures of the Python binding tests (run by `meson test --suite python`,
which sets PYTHONPATH to the built module and CXKIT_DATA to examples/data)."""
import gc
import os
import pathlib

import pytest

import cxkit

DATA = pathlib.Path(os.environ.get("CXKIT_DATA", pathlib.Path(__file__).parents[3] / "examples" / "data"))
TABLE_ORDER = ["customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"]


@pytest.fixture(autouse=True)
def _heap_before_the_test_frozen():
    """Moves every object that exists when a test starts (modules, pandas,
    numpy, the session's stores) out of the collector's sight for the test
    (gc.freeze), so that the many gc.collect() calls of the tests that drop
    handles in random orders scan only what the test made: each took about
    30 ms with the whole heap, 7 a round. What the test made is collected
    as before; the frozen objects are given back afterwards."""
    gc.freeze()
    yield
    gc.unfreeze()


def load_demo(store):
    for t in TABLE_ORDER:
        rep = store.import_csv(t, str(DATA / (t + ".csv")))
        assert rep.rejected() == 0, rep.rejects()[:3]
    return store


def drop_in_random_order(objs, rnd):
    """Drops the handles in `objs` one by one in a random order, closing
    about half of them first, with a collection after each: parents may go
    before their children, and nothing may crash or leak."""
    import gc
    rnd.shuffle(objs)
    while objs:
        o = objs.pop()
        if rnd.random() < 0.5:
            o.close()
        del o
        gc.collect()


@pytest.fixture(scope="session")
def demo():
    """The demo data in one store, shared (read only) by the tests."""
    return load_demo(cxkit.Store())


@pytest.fixture
def store():
    """A small store: two customers (one Arabic), touchpoints, a case."""
    return small_store()


def small_store():
    """The `store` fixture's store, for tests that need several."""
    s = cxkit.Store()
    s.add_customer("C-1", "consumer", "الرياض", "premium", "2024-01-15")
    s.add_customer("C-2", "business", "جدة", "basic", None)
    s.set_attribute("C-1", "name", "سارة العتيبي")
    s.add_touchpoint("website", "web", "consideration", "sales", True, 2.0)
    s.add_touchpoint("support_phone", "phone", "service", "service", True, 2.0)
    s.add_case("T-1", "C-1", "phone", "high", "نورة", "2024-03-09T17:00:00+03:00",
               "2024-03-09T17:45:00+03:00", "2024-03-10T11:47:00+03:00", 0, 1)
    s.add_interaction("C-1", "website", "2024-03-01T20:40:00+03:00", "visit")
    s.add_interaction("C-1", "support_phone", "2024-03-09T17:00:00+03:00", "contact",
                      agent="نورة", case_id="T-1", duration_ms=600000)
    s.add_feedback("C-1", "csat", 4, "2024-03-10T12:00:00+03:00", "support_phone",
                   case_id="T-1", comment="خدمة ممتازة 👍")
    s.add_transaction("C-1", "2024-03-02T10:05:00+03:00", 420.0)
    return s
