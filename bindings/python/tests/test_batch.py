"""Bulk loading through the C batch functions, from sequences and numpy."""
import datetime as dt

import numpy as np
import pytest

import cxkit


def base_store():
    s = cxkit.Store()
    s.add_touchpoint("web", "web", "consideration")
    s.add_touchpoint("phone", "phone", "service")
    return s


def test_customers_from_lists():
    s = base_store()
    s.add_customers(["a", "b", "ج"], segments=["x", None, "z"], acquired=[0, None, dt.datetime(2024, 1, 1)])
    assert s.rows("customers") == 3
    assert s.record("customers", 1) == {"id": "b", "segment": None, "region": None, "plan": None,
                                        "acquired": None}
    assert s.record("customers", 2)["acquired"] == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


def test_interactions_from_numpy():
    s = base_store()
    n = 1000
    ids = np.array(["C%d" % (i % 10) for i in range(10)], dtype=object)
    s.add_customers(ids)
    times = np.arange(n, dtype=np.int64) * 60000 + 1704067200000
    s.add_interactions(np.array(["C%d" % (i % 10) for i in range(n)]),
                       ["web", "phone"] * (n // 2), times,
                       kinds=["contact"] * n,
                       directions=np.zeros(n, dtype=np.int32),
                       durations=np.full(n, 1000, dtype=np.int64),
                       outcomes=["handled", "missed"] * (n // 2),
                       values=np.linspace(0, 1, n))
    assert s.rows("interactions") == n
    r = s.record("interactions", 3)
    assert r["outcome"] == "missed" and r["duration_ms"] == 1000 and r["touchpoint"] == "phone"
    assert r["time"] == cxkit.from_ms(1704067200000 + 3 * 60000)


def test_datetime64_times():
    s = base_store()
    s.add_customers(["a"])
    t = np.array(["2024-01-01T00:00", "2024-01-02T00:00"], dtype="datetime64[s]")
    s.add_transactions(["a", "a"], t, np.array([1.0, 2.0]))
    assert s.get("transactions", "time", 1) == dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)


def test_feedback_batch():
    s = base_store()
    s.add_customers(["a", "b"])
    s.add_feedbacks(["a", "b"], ["nps", "csat"], [9, 4], [0, 1000], touchpoints=["web", None],
                    comments=["ممتاز", None])
    assert s.rows("feedback") == 2
    assert s.record("feedback", 0)["comment"] == "ممتاز"


def test_batch_is_all_or_nothing_and_names_the_record():
    s = base_store()
    s.add_customers(["a"])
    with pytest.raises(cxkit.NotFound, match="record 2"):
        s.add_transactions(["a", "a", "nobody", "a"], [0, 1, 2, 3], [1.0, 1.0, 1.0, 1.0])
    assert s.rows("transactions") == 0


def test_batch_argument_errors():
    s = base_store()
    with pytest.raises(cxkit.Invalid, match="times has 1 entries"):
        s.add_transactions(["a", "b"], [0], [1.0, 2.0])
    with pytest.raises(TypeError):
        s.add_customers("abc")  # a str is not a sequence of ids here
    with pytest.raises(TypeError):
        s.add_customers([1, 2])
    with pytest.raises(cxkit.Invalid, match="required"):
        s.add_customers(None)
    with pytest.raises(TypeError):
        s.add_transactions(["a"], [0.5], [1.0])  # times are int ms or datetimes
    with pytest.raises(cxkit.Invalid):
        s.add_interactions(["a"], ["web"], [0], outcomes=["lost"])
    assert s.rows("customers") == 0
