"""Thread counts (issue 14): imports and queries give the same store and the
same result with 1, 2 or 3 threads (the keyword threads=, set_threads())."""
import math

import pytest

import cxkit
from conftest import DATA, TABLE_ORDER


def _load(threads):
    s = cxkit.Store()
    for t in TABLE_ORDER:
        rep = s.import_csv(t, str(DATA / (t + ".csv")), threads=threads)
        assert rep.rejected() == 0
    return s


def _same(a, b):
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def test_import_threads_give_the_same_store():
    ref = _load(1)
    for threads in (2, 3, 0):
        s = _load(threads)
        for t in TABLE_ORDER:
            assert s.rows(t) == ref.rows(t)
            assert list(s.records(t)) == list(ref.records(t)), t


def test_query_threads_give_the_same_result():
    s = _load(2)
    measures = ["nps", "csat", "ces", "fcr", "resolution", "handle_time", "repeat_rate"]
    ref = cxkit.Query(s, measures=measures, group_by=["channel", "agent"]).run()
    for threads in (2, 3, 0):
        q = cxkit.Query(s, measures=measures, group_by=["channel", "agent"], threads=threads)
        r = q.run()
        assert r.rows() == ref.rows() and r.column_names() == ref.column_names()
        for i in range(r.rows()):
            for c in range(r.columns()):
                assert _same(r.get(i, c), ref.get(i, c)), (i, r.column_name(c))
    chained = cxkit.Query(s).add("nps").set_threads(2).group_by("channel").run()
    assert chained.rows() > 1


def test_threads_refused():
    with pytest.raises(cxkit.Invalid, match="thread count"):
        cxkit.ImportOptions().set_threads(-1)
    with pytest.raises(cxkit.Invalid, match="thread count"):
        cxkit.ImportOptions.make(threads=2000)
    with pytest.raises(cxkit.Invalid, match="thread count"):
        cxkit.Query(cxkit.Store(), threads=-2)
