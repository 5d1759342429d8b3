"""Thread counts (issue 14): imports, queries and journeys give the same
store, result and index with 1, 2 or 3 threads (the keyword threads=,
set_threads())."""
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


def _cells(r):
    return [[r.get(i, c) for c in range(r.columns())] for i in range(r.rows())]


def test_journeys_threads_give_the_same_index():
    # the demo's 35 000 interactions: two parts of the build from 2 threads on
    s = _load(1)
    views = (lambda j: j.list(), lambda j: j.paths(1000), lambda j: j.transitions(2),
             lambda j: j.attribution(1), lambda j: j.step_matrix(5))
    for options in ({}, {"level": "channel", "collapse": True, "boundary": "gap", "gap_ms": 2 * 86400000}):
        ref = cxkit.Journeys(s, cxkit.JourneyOptions.make(s, **options))
        want = [_cells(v(ref)) for v in views]
        assert len(want[0]) > 1000
        for threads in (2, 3, 0):
            j = cxkit.Journeys(s, cxkit.JourneyOptions.make(s, threads=threads, **options))
            assert len(j) == len(ref)
            for k, v in enumerate(views):
                got = _cells(v(j))
                assert all(_same(x, y) for a, b in zip(got, want[k]) for x, y in zip(a, b)), (options, threads, k)
                assert len(got) == len(want[k])
    chained = cxkit.JourneyOptions(s)
    chained.set_threads(2)
    assert len(cxkit.Journeys(s, chained)) == len(cxkit.Journeys(s))


def test_threads_refused():
    with pytest.raises(cxkit.Invalid, match="thread count"):
        cxkit.ImportOptions().set_threads(-1)
    with pytest.raises(cxkit.Invalid, match="thread count"):
        cxkit.ImportOptions.make(threads=2000)
    with pytest.raises(cxkit.Invalid, match="thread count"):
        cxkit.Query(cxkit.Store(), threads=-2)
    with pytest.raises(cxkit.Invalid, match="thread count"):
        cxkit.JourneyOptions.make(cxkit.Store(), threads=1025)
