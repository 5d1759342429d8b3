"""cxkit.plot: the .plot() methods draw what the tables hold, in the report's look."""
import math
import os
import subprocess
import sys

import pytest

import cxkit

pytest.importorskip("matplotlib")
from matplotlib.colors import to_hex, to_rgba  # noqa: E402

from cxkit import plot  # noqa: E402

os.environ.setdefault("MPLBACKEND", "Agg")
DAY, WEEK = 86400000, 7 * 86400000
AS_OF = "2026-01-01T00:00:00+03:00"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def by(demo, dim, *measures, time=False):
    q = cxkit.Query(demo)
    for m in measures:
        q.add(m)
    if time:
        q.group_by_time(dim, 180)
    else:
        q.group_by(dim)
    return q.run()


def test_import_cxkit_does_not_import_matplotlib():
    code = "import sys, cxkit; assert hasattr(cxkit.Result, 'plot'); print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_methods_installed():
    assert cxkit.Result.plot is plot._result_plot
    assert cxkit.Survival.plot is plot._survival_plot
    assert cxkit.Model.plot is plot._model_plot


def test_metric_by_month_line_band_and_small(demo):
    r = by(demo, "month", "nps", "csat", time=True)
    ax = r.plot(measure="nps")
    assert ax.get_title(loc="left") == "NPS"
    rows = r.to_dict()
    finite = [i for i, v in enumerate(rows["nps"]) if math.isfinite(v)]
    (line,) = ax.get_lines()
    assert len(line.get_xdata()) == r.rows()
    assert list(line.get_ydata()[finite]) == pytest.approx([rows["nps"][i] for i in finite])
    bands = [c for c in ax.collections if c.get_label() == "95 % interval"]
    assert len(bands) == 1 and bands[0].get_alpha() == plot.STYLE["band_alpha"]
    assert to_hex(bands[0].get_facecolor()[0]) == plot.STYLE["palette"][0].lower()
    # the band spans lo..hi
    verts = bands[0].get_paths()[0].vertices
    assert verts[:, 1].min() == pytest.approx(min(rows["nps_lo"][i] for i in finite))
    assert verts[:, 1].max() == pytest.approx(max(rows["nps_hi"][i] for i in finite))
    marks = [c for c in ax.collections if c not in bands]
    n_small = sum(1 for i in finite if rows["nps_small"][i])
    assert sum(len(c.get_offsets()) for c in marks) == len(finite)
    if n_small:
        light = [c for c in marks if c.get_facecolor()[0][3] == pytest.approx(plot.STYLE["small_alpha"])]
        assert len(light) == 1 and len(light[0].get_offsets()) == n_small
        assert light[0].get_edgecolor()[0][3] == 1  # the outline stays full
    # buckets evenly spaced, labelled by the query's own labels (its time zone)
    assert list(line.get_xdata()) == list(range(r.rows()))
    ticks = {int(round(x)): t.get_text() for x, t in zip(ax.get_xticks(), ax.get_xticklabels())}
    assert ticks and all(rows["month_label"][i] == text for i, text in ticks.items())
    assert r.plot(measure="csat").get_title(loc="left") == "CSAT"


def test_metric_by_category_bars_whiskers_n(demo):
    r = by(demo, "channel", "csat")
    rows = r.to_dict()
    ax = r.plot()
    assert ax.get_title(loc="left") == "CSAT"
    bars = ax.patches
    assert len(bars) == r.rows()
    for b, v, small in zip(bars, rows["csat"], rows["csat_small"]):
        if math.isfinite(v):
            assert b.get_width() == pytest.approx(v)
        assert (to_rgba(b.get_facecolor())[3] == pytest.approx(plot.STYLE["small_alpha"])) == bool(small)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [c if c else "(none)" for c in rows["channel"]]
    texts = [t.get_text() for t in ax.texts]
    for n in rows["csat_n"]:
        assert any(t.endswith("n=%d" % n) for t in texts)
    # whiskers: one segment a row with an interval, from lo to hi
    segs = [s for c in ax.collections for s in c.get_segments()]
    with_ci = [i for i in range(r.rows()) if math.isfinite(rows["csat_lo"][i])]
    assert len(segs) == len(with_ci)
    assert sorted(s[:, 0].min() for s in segs) == pytest.approx(sorted(rows["csat_lo"][i] for i in with_ci))


def test_small_groups_lighter(demo):
    # by agent: some agents have fewer than 30 answers
    r = by(demo, "agent", "nps")
    rows = r.to_dict()
    assert any(rows["nps_small"]) and not all(rows["nps_small"])
    ax = r.plot()
    for b, small in zip(ax.patches, rows["nps_small"]):
        rgba = to_rgba(b.get_facecolor())
        assert (rgba[3] == pytest.approx(plot.STYLE["small_alpha"])) == bool(small)
        assert (b.get_linestyle() == plot.STYLE["small_dashes"]) == bool(small)
    assert "small sample" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_funnel(demo):
    j = cxkit.Journeys(demo, collapse=True)
    f = cxkit.Funnel.make(demo, [("stage", "awareness"), ("stage", "consideration"), ("stage", "purchase")],
                          window_ms=90 * DAY)
    r = j.funnel(f)
    rows = r.to_dict()
    ax = r.plot()
    assert ax.get_title(loc="left") == "Funnel"
    assert [p.get_width() for p in ax.patches] == pytest.approx(rows["entered"])
    assert [p.get_x() + p.get_width() / 2 for p in ax.patches] == pytest.approx([0] * r.rows())  # centred
    assert [t.get_text() for t in ax.get_yticklabels()] == rows["name"]
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "%d" % rows["entered"][0]
    assert texts[1].startswith("%d \u00b7 %.1f%%" % (rows["entered"][1], 100 * rows["entered"][1] / rows["entered"][0]))
    assert all(to_hex(p.get_facecolor()) == plot.STYLE["palette"][0].lower() for p in ax.patches)


def test_cohorts_heatmap(demo):
    r = cxkit.cohorts(demo, "transactions", "first_activity", "quarter", 180)
    rows = r.to_dict()
    ax = r.plot()
    assert ax.get_title(loc="left") == "Retention by cohort (%)"
    (img,) = ax.get_images()
    a = img.get_array()
    cohorts = list(dict.fromkeys(rows["cohort_label"]))
    assert a.shape == (len(cohorts), max(rows["period"]) + 1)
    assert a.count() == r.rows()  # one cell a row, the rest masked
    i = cohorts.index(rows["cohort_label"][1])
    assert a[i, rows["period"][1]] == pytest.approx(rows["retention"][1])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "%s (n=%d)" % (rows["cohort_label"][0], rows["size"][0])
    assert to_hex(img.cmap(0.0)) == plot.STYLE["heat"][0] and to_hex(img.cmap(1.0)) == plot.STYLE["heat"][1]


def test_survival_curves_with_bands(demo):
    surv = cxkit.Survival.from_store(demo, "all", 180 * DAY, AS_OF, group_by="segment")
    ax = surv.plot(by="segment")
    assert ax.get_title(loc="left") == "Survival by segment"
    lines = ax.get_lines()
    assert len(lines) == surv.group_count() == len(ax.collections)  # a curve and a band per group
    curve = surv.curve().to_dict()
    first = curve["group"][0]
    n0 = sum(1 for g in curve["group"] if g == first)
    assert list(lines[0].get_ydata()[1:]) == pytest.approx(curve["survival"][:n0])
    for i, (line, band) in enumerate(zip(lines, ax.collections)):
        assert to_hex(line.get_color()) == plot.STYLE["palette"][i].lower()
        assert band.get_alpha() == plot.STYLE["band_alpha"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    subjects = {r["group"]: r["subjects"] for r in surv.summary()}
    assert legend == ["%s (n=%d)" % (g, subjects[g]) for g in surv.labels()]
    # the same from the curve's Result
    assert len(surv.curve().plot().get_lines()) == surv.group_count()


def test_small_survival_group_dashed():
    surv = cxkit.Survival([1, 2, 3, 4, 5, 6] + list(range(1, 41)), [1, 0, 1, 1, 0, 1] + [1, 0] * 20,
                          [0] * 6 + [1] * 40)
    ax = surv.plot()
    small, big = ax.get_lines()
    assert small.get_alpha() == plot.STYLE["small_curve_alpha"] and small.get_linestyle() == "--"
    assert big.get_alpha() in (None, 1) and big.get_linestyle() == "-"
    assert "small sample" in ax.get_legend().get_texts()[0].get_text()


def test_model_fit_expected_vs_actual(demo):
    s = cxkit.Summary(demo, "2025-07-01T00:00:00+03:00", AS_OF, unit_ms=WEEK)
    x, T = s.column("frequency"), s.column("age")
    actual_counts = [sum(1 for v in x if v == k) for k in range(5)] + [sum(1 for v in x if v >= 5)]
    bg = cxkit.fit_bgnbd(x, s.column("recency"), T)
    # a Pareto/NBD model with given parameters (the fit's order of magnitude)
    pn = cxkit.Model("pareto_nbd", [0.8, 12.0, 0.5, 30.0])
    for m, name, good in ((bg, "BG/NBD", True), (pn, "Pareto/NBD", False)):
        ax = m.plot(s, max_frequency=5)
        assert ax.get_title(loc="left") == "Repeat purchases: expected vs actual (%s)" % name
        assert len(ax.patches) == 12
        actual, expected = ax.patches[:6], ax.patches[6:]
        assert [p.get_height() for p in actual] == actual_counts
        e = [p.get_height() for p in expected]
        assert sum(e) == pytest.approx(len(x))
        assert all(v >= 0 for v in e)
        if good:  # the fitted model: its expected histogram is close to the actual one
            assert sum(abs(a - b) for a, b in zip(actual_counts, e)) < 0.2 * len(x)
        assert to_hex(actual[0].get_facecolor()) == plot.STYLE["palette"][0].lower()
        assert to_hex(expected[0].get_facecolor()) == plot.STYLE["palette"][1].lower()
    # the same from arrays
    ax = bg.plot(x=x, T=T, max_frequency=5)
    assert [p.get_height() for p in ax.patches[:6]] == actual_counts


def test_pmf_mean_matches_expectation():
    import numpy as np
    t = np.array([1.0, 20.0, 52.0])
    for kind, params, pmf in (("bgnbd", (0.243, 4.414, 0.793, 2.426), plot._bgnbd_pmf),
                              ("pareto_nbd", (0.55, 10.58, 0.61, 11.67), plot._paretonbd_pmf)):
        ks = range(300)
        p = [pmf(k, params, t) for k in ks]
        assert sum(p) == pytest.approx(np.ones(3), abs=1e-5), kind
        mean = sum(k * pk for k, pk in zip(ks, p))
        m = cxkit.Model(kind, list(params))
        # a new customer (x = t_x = 0, T = 0 is not allowed: a tiny age) over horizon t
        want = [m.expected([0], [0], [1e-9], h)[0] for h in t]
        assert mean == pytest.approx(want, rel=1e-3), kind


def test_errors(demo):
    with pytest.raises(ValueError, match=r"Result\.plot: no chart for columns name, value"):
        cxkit.Model("bgnbd", [1, 1, 1, 1]).params().plot()
    r = by(demo, "channel", "csat")
    with pytest.raises(ValueError, match=r"Result\.plot: measure 'nps': the result has no column nps, nps_lo, nps_hi"):
        r.plot(measure="nps")
    m = cxkit.Model("gamma_gamma", [6, 4, 16])
    with pytest.raises(ValueError, match=r"Model\.plot: a gamma_gamma model"):
        m.plot(x=[1], T=[2])
    bg = cxkit.Model("bgnbd", [0.24, 4.4, 0.79, 2.4])
    with pytest.raises(ValueError, match=r"Model\.plot: missing T"):
        bg.plot(x=[1, 2])
    with pytest.raises(ValueError, match=r"Model\.plot: x and T must be arrays of one same"):
        bg.plot(x=[1, 2], T=[3])
    with pytest.raises(ValueError, match=r"Model\.plot: max_frequency"):
        bg.plot(x=[1, 2], T=[3, 4], max_frequency=0)


def test_draws_on_given_axes(demo):
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2)
    assert by(demo, "channel", "nps").plot(ax=a) is a
    assert cxkit.Survival.from_store(demo, "all", 180 * DAY, AS_OF).plot(ax=b) is b
