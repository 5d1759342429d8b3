"""Fits that never hang (issue 14) from Python: the shipped demo data,
on which the Pareto/NBD fit used to run for minutes, now fail at once
with a status that says what is degenerate; so do identical customers,
no repeat purchase and no dropout signal. The work is bounded by the
fits' caps; no test asserts a duration."""
import os
import pathlib

import pytest

import cxkit

ROOT = pathlib.Path(os.environ.get("CXKIT_SOURCE_ROOT", pathlib.Path(__file__).parents[3]))
WEEK = 7 * 86400000


@pytest.fixture(scope="module")
def demo_summary():
    store = cxkit.Store()
    for t in ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"):
        store.import_csv(t, str(ROOT / "examples" / "data" / (t + ".csv")))
    s = cxkit.Summary(store, "2025-07-01T00:00:00+03:00", "2026-01-01T00:00:00+03:00", unit_ms=WEEK)
    return [list(s.column(c)) for c in ("frequency", "recency", "age", "monetary")]


def test_demo_pareto_nbd_is_degenerate(demo_summary):
    x, t_x, T, mean = demo_summary
    with pytest.raises(cxkit.Range, match="degenerate data for the Pareto/NBD model: no spread in purchase rates"
                       ".*boundary estimate: purchase rate r/alpha = 0.05"):
        cxkit.fit_paretonbd(x, t_x, T)
    # the other two fits of the demo are as before
    bg = {r["name"]: r["value"] for r in cxkit.fit_bgnbd(x, t_x, T).params()}
    assert bg["r"] == pytest.approx(2.1232213, rel=1e-4) and bg["alpha"] == pytest.approx(37.114515, rel=1e-4)
    gg = {r["name"]: r["value"] for r in cxkit.fit_gammagamma(x, mean).params()}
    assert gg["p"] == pytest.approx(6.7418732, rel=1e-4) and gg["gamma"] == pytest.approx(109.86421, rel=1e-4)


def test_degenerate_statuses():
    with pytest.raises(cxkit.Range, match="no customer made a repeat purchase"):
        cxkit.fit_paretonbd([0] * 20, [0] * 20, [30] * 20)
    with pytest.raises(cxkit.Range, match="all 500 customers have the same"):
        cxkit.fit_bgnbd([3], [12.5], [30], weights=[500])
    with pytest.raises(cxkit.Range, match="all 40 customers have the same"):
        cxkit.fit_gammagamma([2] * 40, [25.0] * 40)
    with pytest.raises(cxkit.Range, match="too few customers"):
        cxkit.fit_paretonbd([3], [12.5], [30])
    # every customer a repeater, all still buying at T: no dropout signal
    x = [1 + i % 9 for i in range(600)]
    T = [30 + i % 7 for i in range(600)]
    for fit in (cxkit.fit_bgnbd, cxkit.fit_paretonbd):
        with pytest.raises(cxkit.Range, match="no dropout signal"):
            fit(x, T, T)
    assert issubclass(cxkit.Limit, cxkit.Error)  # what a fit stopped by a cap raises
