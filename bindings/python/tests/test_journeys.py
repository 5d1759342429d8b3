"""Journeys, funnels, attribution and pain points (journey.h) from Python:
values pinned on a small hand-made store, errors, closed handles, and
ownership (no leak, no double free in any collection order)."""
import gc
import math
import os
import random

import pytest

import cxkit
from conftest import drop_in_random_order

DAY = 86400000


@pytest.fixture
def shop():
    """Four customers, four touchpoints. Journeys (a purchase ends one):
    A: ad > site > checkout (converts, 100), then site (does not);
    B and D: ad > site; C: site > checkout (converts, 50)."""
    s = cxkit.Store()
    for c in "ABCD":
        s.add_customer(c)
    s.add_touchpoint("ad", "ads", "awareness")
    s.add_touchpoint("site", "web", "consideration")
    s.add_touchpoint("checkout", "web", "purchase")
    s.add_touchpoint("support", "phone", "service")
    t0 = cxkit.to_ms("2024-03-01T10:00:00Z")
    events = [("A", "ad", 0, "view", 0.0), ("A", "site", 1, "visit", 0.0), ("A", "checkout", 2, "purchase", 100.0),
              ("A", "site", 10, "visit", 0.0), ("B", "ad", 0, "view", 0.0), ("B", "site", 3, "visit", 0.0),
              ("C", "site", 1, "visit", 0.0), ("C", "checkout", 4, "purchase", 50.0),
              ("D", "ad", 2, "view", 0.0), ("D", "site", 5, "visit", 0.0)]
    for cust, tp, day, kind, value in events:
        s.add_interaction(cust, tp, t0 + day * DAY, kind, value=value)
    return s


def test_counts_and_list(shop):
    j = cxkit.Journeys(shop)
    assert (j.count(), j.conversion_count(), len(j)) == (5, 2, 5)
    assert j.byte_count() > 0
    rows = list(j.list())
    assert [r["customer"] for r in rows] == ["A", "A", "B", "C", "D"]
    assert rows[0]["path"] == "ad > site > checkout"
    assert (rows[0]["converted"], rows[0]["value"], rows[0]["events"]) == (1, 100.0, 3)
    assert rows[1]["path"] == "site" and rows[1]["converted"] == 0
    assert rows[0]["start"] == cxkit.from_ms(cxkit.to_ms("2024-03-01T10:00:00Z"))
    assert rows[0]["end"] - rows[0]["start"] == cxkit.from_ms(2 * DAY) - cxkit.from_ms(0)


def test_paths_and_transitions(shop):
    j = cxkit.Journeys(shop)
    top = j.paths(2)
    assert len(top) == 2
    assert top[0]["path"] == "ad > site"
    assert (top[0]["journeys"], top[0]["customers"], top[0]["conversions"], top[0]["length"]) == (2, 2, 0, 2)
    assert math.isnan(top[0]["nps"])  # no answers
    assert top.column_names()[:3] == ["path", "length", "journeys"]
    assert top.column_type(top.column_find("path")) == cxkit.TYPE_STRING
    tr = {(r["from"], r["to"]): r for r in j.transitions(1)}
    assert tr[("START", "ad")]["count"] == 3
    assert tr[("START", "ad")]["probability"] == pytest.approx(0.6)
    assert tr[("checkout", "CONVERSION")]["count"] == 2
    assert tr[("site", "DROP")]["count"] == 3
    tr2 = {(r["from"], r["to"]) for r in j.transitions(order=2)}
    assert ("ad > site", "site > checkout") in tr2


def test_attribution(shop):
    att = {r["name"]: r for r in cxkit.Journeys(shop).attribution(1)}
    assert set(att) == {"ad", "site", "checkout"}
    assert att["ad"]["first_touch"] == 1 and att["site"]["first_touch"] == 1
    assert att["checkout"]["last_touch"] == 2
    assert att["ad"]["linear"] == pytest.approx(1 / 3)
    assert att["site"]["linear"] == pytest.approx(5 / 6)
    assert sum(r["markov"] for r in att.values()) == pytest.approx(2)
    assert sum(r["first_touch_value"] for r in att.values()) == pytest.approx(150)
    # every conversion goes through checkout: removing it removes them all
    assert att["checkout"]["removal_effect"] == pytest.approx(1)


def test_options_and_keywords(shop):
    o = cxkit.JourneyOptions(shop)
    o.set_level("channel")
    o.set_collapse(True)
    by_channel = cxkit.Journeys(shop, o)
    assert by_channel.list()[0]["path"] == "ads > web"
    same = cxkit.Journeys(shop, level=cxkit.JOURNEYS_LEVEL_CHANNEL, collapse=True)
    assert same.list().to_dict() == by_channel.list().to_dict()
    # a conversion at the site instead: every journey through it converts
    j = cxkit.Journeys(shop, conversion=("touchpoint", "site"), cut_at_conversion=False)
    assert j.count() == 4 and j.conversion_count() == 4
    # a gap of 5 days splits nothing else than A's late visit
    j = cxkit.Journeys(shop, conversion=["purchase", ("stage", "purchase")], gap_ms=5 * DAY)
    assert (j.count(), j.conversion_count()) == (5, 2)
    with pytest.raises(TypeError):
        cxkit.Journeys(shop, o, collapse=True)


def test_boundary_post_purchase(shop):
    """A's support call after the purchase stays in the order's journey by
    default, and gets no credit for it; the old rule cuts it off."""
    t0 = cxkit.to_ms("2024-03-01T10:00:00Z")
    shop.add_interaction("A", "support", t0 + 3 * DAY, "contact")  # after the purchase, before the late visit
    rows = list(cxkit.Journeys(shop).list())
    assert [r["path"] for r in rows[:2]] == ["ad > site > checkout > support", "site"]
    assert rows[0]["converted_at"] == cxkit.from_ms(t0 + 2 * DAY) and rows[0]["events_after_conversion"] == 1
    assert rows[1]["converted_at"] is None
    att = {r["name"]: r for r in cxkit.Journeys(shop).attribution(1)}
    assert att["support"]["markov"] == 0 and att["support"]["linear"] == 0
    tr = {(r["from"], r["to"]) for r in cxkit.Journeys(shop).transitions(1)}
    assert ("checkout", "CONVERSION") in tr and not any("support" in f + t for f, t in tr)
    old = cxkit.Journeys(shop, boundary="conversion")
    assert [r["path"] for r in old.list()][:2] == ["ad > site > checkout", "support > site"]
    o = cxkit.JourneyOptions(shop)
    o.set_boundary(cxkit.JOURNEYS_BOUNDARY_GAP)
    assert cxkit.Journeys(shop, o).list()[0]["path"] == "ad > site > checkout > support > site"
    # the rules: only a touchpoint; the late visit kept too with a stage rule
    o = cxkit.JourneyOptions(shop)
    o.set_post_purchase("touchpoint", "site")
    assert cxkit.Journeys(shop, o).list()[0]["path"] == "ad > site > checkout"
    j = cxkit.Journeys(shop, post_purchase=["service", ("stage", "consideration")])
    assert j.list()[0]["path"] == "ad > site > checkout > support > site"
    pain = {r["touchpoint"]: r for r in j.pain_points()}
    assert pain["support"]["post_purchase_drop_off_n"] == 1 and pain["support"]["post_purchase_drop_off"] == 100
    assert pain["ad"]["drop_off_n"] == 3
    with pytest.raises(cxkit.NotFound, match="aftercare"):
        o.add_post_purchase("stage", "aftercare")
    with pytest.raises(cxkit.Invalid, match="journey boundary"):
        o.set_boundary("sometimes")
    with pytest.raises(cxkit.Invalid):
        o.set_boundary(7)
    for _ in range(cxkit.JOURNEYS_MAX_POST_PURCHASE):
        o.add_post_purchase("touchpoint", "ad")  # the same rule, kept once
    assert cxkit.POST_PURCHASE_BY_KIND == 3 and cxkit.JOURNEYS_BOUNDARY_POST_PURCHASE == 1


def test_funnel(shop):
    j = cxkit.Journeys(shop)
    f = cxkit.Funnel(shop)
    for stage in ("awareness", "consideration", "purchase"):
        f.add_step("stage", stage)
    f.set_window(30 * DAY)
    rows = list(j.funnel(f))
    assert [r["entered"] for r in rows] == [3, 3, 1]
    # as of the last interaction (day 10), B's and D's 30 days are still
    # running: in progress, not dropped; A completed
    assert [r["completed"] for r in rows] == [1, 1, 1]
    assert [r["dropped"] for r in rows] == [0, 0, 0]
    assert [r["in_progress"] for r in rows] == [0, 2, 0]
    assert [r["name"] for r in rows] == ["awareness", "consideration", "purchase"]
    assert rows[2]["conversion_first"] == pytest.approx(100 / 3)
    assert math.isnan(rows[0]["median_from_prev_ms"])
    who = {r["customer"]: r["furthest"] for r in j.funnel_customers(f)}
    assert who == {"A": 3, "B": 2, "D": 2}
    status = {r["customer"]: r["status"] for r in j.funnel_customers(f)}
    assert status == {"A": "completed", "B": "in_progress", "D": "in_progress"}
    # a 5-day window has passed for both by day 10: dropped after site
    f.set_window(5 * DAY)
    assert [r["dropped"] for r in j.funnel(f)] == [0, 2, 0]
    # as of day 4 (30 days): D's site (day 5) is not read yet
    stages = [("stage", "awareness"), ("stage", "consideration"), ("stage", "purchase")]
    early = j.funnel(cxkit.Funnel.make(shop, stages, window_ms=30 * DAY, as_of="2024-03-05T10:00:00Z"))
    assert [r["entered"] for r in early] == [3, 2, 1]
    assert [r["in_progress"] for r in early] == [1, 1, 0]
    f.set_as_of(None)
    # A: ad, site, checkout, site. Strict order: the site (step 3) between
    # ad and checkout ends the attempt.
    steps = [("touchpoint", "ad"), ("touchpoint", "checkout"), ("touchpoint", "site")]
    assert [r["entered"] for r in j.funnel(cxkit.Funnel.make(shop, steps))] == [3, 1, 1]
    assert [r["entered"] for r in j.funnel(cxkit.Funnel.make(shop, steps, strict=True))] == [3, 0, 0]
    excl = cxkit.Funnel.make(shop, [("touchpoint", "ad"), ("channel", "web")],
                             exclusions=[("touchpoint", "site")])
    assert [r["entered"] for r in j.funnel(excl)] == [3, 0]


def test_stages_satisfaction_pain_points(shop):
    shop.add_feedback("A", "nps", 9, "2024-03-03T11:00:00Z")
    shop.add_feedback("C", "csat", 2, "2024-03-05T11:00:00Z", "checkout")
    j = cxkit.Journeys(shop)
    st = {r["stage"]: r for r in j.stages()}
    assert st["awareness"]["reached"] == 3 and st["purchase"]["reached"] == 2
    conv = {r["group"]: r for r in j.satisfaction("converted")}
    assert conv["converted"]["journeys"] == 2 and conv["not_converted"]["journeys"] == 3
    assert conv["converted"]["nps"] == 100 and conv["converted"]["nps_n"] == 1
    assert len(j.satisfaction()) == 4  # by path: one row per distinct path
    cs = {r["customer"]: r for r in j.customer_stages()}
    assert cs["A"]["current"] == "consideration" and cs["C"]["current"] == "purchase"
    pain = j.pain_points()
    assert sorted(r["touchpoint"] for r in pain) == ["ad", "checkout", "site", "support"]
    assert [r["rank"] for r in pain] == [1, 2, 3, 4]
    assert all(r["flags"] == 0 for r in pain)  # below the minimum support of 30
    assert isinstance(pain[0]["reason"], str)
    assert len(j.drivers()) == 0


def test_table_protocol_and_pandas(shop):
    t = cxkit.Journeys(shop).paths(10)
    assert t[-1]["path"] == t[len(t) - 1]["path"] == list(t)[-1]["path"]
    with pytest.raises(IndexError):
        t[len(t)]
    assert t.get(0, "journeys") == t.get(0, 2) == 2
    assert isinstance(t, cxkit.Result) and "Result" in repr(t)
    pd = pytest.importorskip("pandas")
    df = t.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == t.column_names()
    assert df["journeys"].dtype == "int64" and df["path"][0] == "ad > site"


def test_errors_carry_messages(shop):
    j = cxkit.Journeys(shop)
    with pytest.raises(cxkit.Range, match="top_k"):
        j.paths(0)
    with pytest.raises(cxkit.Range):
        j.transitions(cxkit.JOURNEYS_MAX_ORDER + 1)
    with pytest.raises(cxkit.Invalid, match="unknown journey grouping name 'bogus'"):
        j.satisfaction("bogus")
    o = cxkit.JourneyOptions(shop)
    with pytest.raises(cxkit.NotFound, match="nope") as e:
        o.set_conversion("kind", "nope")
    assert e.value.code == cxkit.ENOTFOUND
    with pytest.raises(cxkit.Range):
        o.set_gap(-1)
    with pytest.raises(cxkit.Invalid):
        cxkit.Journeys(cxkit.Store(), o)  # options of another store
    f = cxkit.Funnel(shop)
    with pytest.raises(cxkit.Invalid):
        j.funnel(f)  # no step
    with pytest.raises(cxkit.NotFound):
        f.add_step("touchpoint", "nowhere")
    for _ in range(cxkit.FUNNEL_MAX_STEPS):
        f.add_step("touchpoint", "ad")
    with pytest.raises(cxkit.Limit):
        f.add_step("touchpoint", "ad")
    other = cxkit.Store()
    other.add_touchpoint("ad", "ads", "awareness")
    g = cxkit.Funnel(other)
    g.add_step("touchpoint", "ad")
    with pytest.raises(cxkit.Invalid):
        j.funnel(g)
    t = j.paths(1)
    with pytest.raises(cxkit.NotFound):
        t.column_find("nope")
    with pytest.raises(cxkit.Range):
        t.row(5)
    with pytest.raises(cxkit.Range):
        t.column_type(99)
    with pytest.raises(TypeError):
        j.funnel("not a funnel")


def test_closed_handles_raise(shop):
    j = cxkit.Journeys(shop)
    t = j.paths(1)
    j.close()
    j.close()  # twice is fine
    with pytest.raises(cxkit.Invalid, match="Journeys is closed"):
        j.count()
    with pytest.raises(cxkit.Invalid, match="closed"):
        j.paths(1)
    assert repr(j) == "<cxkit.Journeys (closed)>"
    assert t[0]["journeys"] == 2  # results outlive their journeys
    t.close()
    with pytest.raises(cxkit.Invalid, match="Result is closed"):
        len(t)
    o = cxkit.JourneyOptions(shop)
    o.close()
    with pytest.raises(cxkit.Invalid, match="JourneyOptions is closed"):
        cxkit.Journeys(shop, o)
    with pytest.raises(cxkit.Invalid):
        o.set_collapse(True)
    with cxkit.Funnel(shop) as f:
        f.add_step("stage", "awareness")
    with pytest.raises(cxkit.Invalid, match="Funnel is closed"):
        cxkit.Journeys(shop).funnel(f)
    shop.close()
    with pytest.raises(cxkit.Invalid, match="Store is closed"):
        cxkit.Journeys(shop)
    with pytest.raises(cxkit.Invalid, match="Store is closed"):
        cxkit.Funnel(shop)


def test_children_keep_the_store_alive(shop):
    j = cxkit.Journeys(shop)
    f = cxkit.Funnel(shop)
    f.add_step("stage", "awareness")
    o = cxkit.JourneyOptions(shop)
    shop.close()  # the script lets go; the children still hold it
    del shop
    gc.collect()
    assert j.paths(1)[0]["path"] == "ad > site"
    assert j.funnel(f)[0]["entered"] == 3
    o.set_level("stage")
    del j, f
    gc.collect()
    o.set_collapse(True)


def rss_kb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_cycles_do_not_leak(shop):
    def cycle():
        o = cxkit.JourneyOptions(shop)
        j = cxkit.Journeys(shop, o)
        f = cxkit.Funnel(shop)
        f.add_step("stage", "awareness")
        j.funnel(f).row(0)
        j.pain_points().row(0)
        j.attribution(1)
    for _ in range(2000):
        cycle()
    before = rss_kb()
    for _ in range(20000):
        cycle()
    assert rss_kb() - before < 4096


def test_any_collection_order(shop):
    rnd = random.Random(7)
    for _ in range(200):
        s = cxkit.Store()
        s.add_customer("a")
        s.add_touchpoint("ad", "ads", "awareness")
        s.add_interaction("a", "ad", 0, "view")
        o = cxkit.JourneyOptions(s)
        j = cxkit.Journeys(s, o)
        f = cxkit.Funnel(s)
        f.add_step("touchpoint", "ad")
        objs = [s, o, j, f, j.paths(1), j.funnel(f), j.list()]
        del s, o, j, f
        drop_in_random_order(objs, rnd)


def test_help_reads_well():
    """Every method shows its real parameters (no *args) and a docstring."""
    import inspect
    for cls in (cxkit.Store, cxkit.Query, cxkit.Result, cxkit.Monitor, cxkit.History, cxkit.Calendar,
                cxkit.JourneyOptions, cxkit.Journeys, cxkit.Funnel):
        for name, f in vars(cls).items():
            if name.startswith("_") and name != "__init__" or not callable(f):
                continue
            kinds = [p.kind for p in inspect.signature(f).parameters.values()]
            assert inspect.Parameter.VAR_POSITIONAL not in kinds, "%s.%s" % (cls.__name__, name)
            if name not in ("__init__", "__enter__", "__exit__"):
                assert f.__doc__ and f.__doc__.strip(), "%s.%s has no docstring" % (cls.__name__, name)
    assert "datetime" in cxkit.Store.add_customer.__doc__
    assert "most rows wanted" in cxkit.Journeys.paths.__doc__
