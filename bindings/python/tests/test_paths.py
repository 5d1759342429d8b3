"""Attribution from path counts (cxkit.Paths, Journeys.path_counts) from
Python: a chain solved by hand, the same columns as Journeys.attribution()
on the shop store and after merging shards, DataFrames in (the
ChannelAttribution column names) and out, and refused input that names the
method and changes nothing."""
import math

import pytest

import cxkit

DAY = 86400000


def _shop(customers="ABCD"):
    s = cxkit.Store()
    for c in customers:
        s.add_customer(c)
    s.add_touchpoint("ad", "ads", "awareness")
    s.add_touchpoint("site", "web", "consideration")
    s.add_touchpoint("checkout", "web", "purchase")
    t0 = cxkit.to_ms("2024-03-01T10:00:00Z")
    events = [("A", "ad", 0, "view", 0.0), ("A", "site", 1, "visit", 0.0), ("A", "checkout", 2, "purchase", 100.0),
              ("A", "site", 10, "visit", 0.0), ("B", "ad", 0, "view", 0.0), ("B", "site", 3, "visit", 0.0),
              ("C", "site", 1, "visit", 0.0), ("C", "checkout", 4, "purchase", 50.0),
              ("D", "ad", 2, "view", 0.0), ("D", "site", 5, "visit", 0.0)]
    for c, tp, d, kind, v in events:
        if c in customers:
            s.add_interaction(c, tp, t0 + d * DAY, kind, "inbound", None, None, 0, "handled", v)
    return s


def _rows(result):
    return {r["name"]: r for r in result}


def test_hand_solved():
    # a > b (1 conversion worth 10), a (1 null), b (1 conversion worth 20, 1 null):
    # P(conv) = 1/2; without a 1/3, without b 0: effects 1/3 and 1, Markov 0.5 and 1.5
    p = cxkit.Paths()
    p.add("a > b", 1, 0, 10)
    p.add("a", 0, 1)
    p.add("b", 1, 1, 20)
    assert (len(p), p.state_count()) == (3, 2)
    assert repr(p) == "<cxkit.Paths 3 paths of 2 states>"
    r = p.attribution()
    assert [row["name"] for row in r] == ["b", "a"]
    a = _rows(r)
    assert a["a"]["removal_effect"] == pytest.approx(1 / 3, rel=1e-12)
    assert a["a"]["markov"] == pytest.approx(0.5, rel=1e-12)
    assert a["b"]["markov"] == pytest.approx(1.5, rel=1e-12)
    assert a["a"]["markov_value"] == pytest.approx(7.5, rel=1e-12)
    assert a["b"]["last_touch"] == 2 and a["a"]["first_touch"] == 1
    assert "time_decay" not in r.column_names()


def test_same_as_journeys_and_shards():
    whole = cxkit.Journeys(_shop())
    want = _rows(whole.attribution())
    counts = whole.path_counts("|").to_pandas()
    assert counts["conversions"].sum() == whole.conversion_count()
    assert (counts["conversions"] + counts["nulls"]).sum() == whole.count()
    p = cxkit.Paths.from_pandas(counts, separator="|")
    got = _rows(p.attribution())
    assert set(got) == set(want)
    for name in want:
        for col in ("removal_effect", "markov", "markov_value", "first_touch", "last_touch", "linear",
                    "position_based", "linear_value"):
            assert got[name][col] == pytest.approx(want[name][col], rel=1e-9, abs=1e-12), (name, col)
    # two shards of customers, counted apart and merged by adding
    merged = cxkit.Paths()
    for part in ("AB", "CD"):
        c = cxkit.Journeys(_shop(part)).path_counts("|").to_pandas()
        merged.add_batch(c["path"].tolist(), c["conversions"].to_numpy(), c["nulls"].to_numpy(),
                         c["value"].to_numpy(), "|")
    got = _rows(merged.attribution(2))
    want2 = _rows(whole.attribution(2))
    for name in want2:
        assert got[name]["markov"] == pytest.approx(want2[name]["markov"], rel=1e-9, abs=1e-12)


def test_channel_attribution_columns():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"path": ["search > email > direct", "search", "email > direct"],
                       "total_conversions": [3, 0, 1], "total_null": [1, 5, 0],
                       "total_conversion_value": [30.0, 0.0, 12.5]})
    p = cxkit.Paths.from_pandas(df, conversions="total_conversions", nulls="total_null",
                                value="total_conversion_value")
    t = p.to_pandas()
    assert t["path"].tolist() == ["search > email > direct", "search", "email > direct"]
    assert t["value"].tolist() == [30.0, 0.0, 12.5]
    r = p.attribution().to_pandas()
    assert r["markov"].sum() == pytest.approx(4)
    assert r["markov_value"].sum() == pytest.approx(42.5)
    assert r["linear"].sum() == pytest.approx(4)
    # nulls and value may be left out
    q = cxkit.Paths.from_pandas(df.assign(c=[1, 2, 3])[["path", "c"]], conversions="c", nulls=None, value=None)
    assert q.to_pandas()["nulls"].tolist() == [0.0, 0.0, 0.0]
    # a path of neither conversions nor nulls is refused, naming its row
    with pytest.raises(ValueError, match="row 1: conversions \\+ nulls must be > 0"):
        cxkit.Paths.from_pandas(df, conversions="total_conversions", nulls=None, value=None)
    with pytest.raises(KeyError, match="Paths.from_pandas: conversions: no column 'conversions'"):
        cxkit.Paths.from_pandas(df)
    bad = df.assign(total_null=[1, None, 0])
    with pytest.raises(ValueError, match="nulls: column 'total_null' has a missing value at row 1"):
        cxkit.Paths.from_pandas(bad, conversions="total_conversions", nulls="total_null", value=None)
    with pytest.raises(TypeError, match="Paths.from_pandas: frame"):
        cxkit.Paths.from_pandas([1, 2])


def test_refused_input_changes_nothing():
    p = cxkit.Paths()
    p.add("a > b", 1, 2, 3)
    with pytest.raises(ValueError, match=r"Paths.add_batch: row 2: path \"e > > f\": state 2 is empty"):
        p.add_batch(["c > d", "a > b", "e > > f"], [1, 1, 1])
    assert (p.count(), p.state_count()) == (1, 2)
    with pytest.raises(ValueError, match="Paths.add: value 5 without conversions"):
        p.add("a", 0, 1, 5)
    with pytest.raises(ValueError, match="must be finite"):
        p.add("a", math.nan)
    with pytest.raises(ValueError, match="conversions has 1 entries, expected 2"):
        p.add_batch(["a", "b"], [1])
    with pytest.raises(ValueError, match="Paths.table: the state name \"a\" holds the separator"):
        p.table("a")
    with pytest.raises(cxkit.Range, match="Paths.attribution: order 0"):
        p.attribution(0)
    p.add("x-y > b", 1)
    with pytest.raises(ValueError, match="Journeys.path_counts: the state name \"site\" holds"):
        cxkit.Journeys(_shop()).path_counts("it")
    # a negative value, a sum that would overflow, a long path quoted in
    # a message without cutting a letter (it could not be decoded)
    with pytest.raises(ValueError, match="value -5 must be finite, >= 0 and <= 1e30"):
        p.add("a > b", 1, 0, -5)
    with pytest.raises(ValueError, match="conversions 1e\\+308 must be"):
        p.add("a > b", 1e308, 0)
    with pytest.raises(ValueError, match="state 2 is empty"):
        p.add("x" * 59 + "\u0628 > > b", 1, 1)
    p.close()
    with pytest.raises(ValueError, match="Paths is closed"):
        p.count()


def test_from_pandas_refuses_what_is_not_a_count():
    pd = pytest.importorskip("pandas")
    base = pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 2], "total_null": [3, 4]})
    kw = dict(conversions="total_conversions", nulls="total_null", value=None)
    assert cxkit.Paths.from_pandas(base, **kw).count() == 2
    for bad in (pd.to_datetime(["2024-01-01", "2024-01-02"]), pd.to_timedelta([1, 2], unit="s"), [1 + 0j, 2 + 5j]):
        with pytest.raises(TypeError, match="total_null' is not numeric"):
            cxkit.Paths.from_pandas(base.assign(total_null=bad), **kw)
    with pytest.raises(TypeError, match="holds bytes at row 0"):
        cxkit.Paths.from_pandas(base.assign(path=[b"a > b", b"b"]), **kw)
    with pytest.raises(ValueError, match="2 columns named 'total_null'"):
        cxkit.Paths.from_pandas(pd.concat([base, base[["total_null"]]], axis=1), **kw)


def test_exported_table_reads_back(tmp_path):
    p = cxkit.Paths()
    p.add("-direct > email", 2, 2, 1)
    p.add("=promo > email", 2, 1, 1)
    f = str(tmp_path / "paths.csv")
    p.table().export_csv(f)
    q = cxkit.Paths.read_csv(f, conversions="conversions", nulls="nulls", value="value")
    assert sorted(q.to_pandas()["path"]) == ["-direct > email", "=promo > email"]


def test_step_matrix():
    j = cxkit.Journeys(_shop())
    m = j.step_matrix(3).to_pandas()
    # journeys: ad > site > checkout, site (after A's purchase), ad > site (B), site > checkout (C), ad > site (D)
    step1 = m[m["step"] == 1]
    assert step1["name"].tolist() == ["ad", "site", None]
    assert step1["journeys"].tolist() == [3, 2, 0]
    step3 = m[m["step"] == 3]
    assert step3["name"].tolist() == ["checkout", None]
    assert step3["journeys"].tolist() == [1, 4]
    assert m.groupby("step")["share"].sum().round(12).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(cxkit.Range, match="Journeys.step_matrix: max_steps 0"):
        j.step_matrix(0)


def test_read_csv(tmp_path):
    f = tmp_path / "paths.csv"
    f.write_text('path,total_conversions,total_null,total_conversion_value\r\n'
                 '"search > email",3,1,30\r\nsearch,0,5,0\r\n"email, direct > direct",1,0,12.5\r\n',
                 encoding="utf-8")
    p = cxkit.Paths.read_csv(str(f), conversions="total_conversions", nulls="total_null",
                             value="total_conversion_value")
    assert p.to_pandas()["path"].tolist() == ["search > email", "search", "email, direct > direct"]
    q = cxkit.Paths.from_pandas(__import__("pandas").read_csv(f), conversions="total_conversions",
                                nulls="total_null", value="total_conversion_value")
    assert p.attribution().to_pandas().equals(q.attribution().to_pandas())
    f.write_text("path,n\na > b,1\nc,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r'paths.csv:3, column 2 \("n"\): "x" is not a number'):
        p.import_csv(str(f), conversions="n", nulls=None, value=None)
    assert len(p) == 3
    with pytest.raises(FileNotFoundError):
        p.import_csv(str(tmp_path / "none.csv"))


def test_threads_same_table():
    # 60 channels wandering at order 2: more chain states than the dense
    # solve takes, so the removals are iterated eight at a time, the groups
    # shared out among the threads; the same table for every count
    import random
    rnd = random.Random(5)
    p = cxkit.Paths()
    for _ in range(100):
        conv = rnd.randrange(3)
        p.add(">".join("c%d" % rnd.randrange(60) for _ in range(50)), conv, 1 + rnd.randrange(4),
              conv * (10 + rnd.randrange(90)))
    want = p.attribution(2).to_pandas()
    assert len(want) == 60 and (want["removal_effect"] > 0).all()
    for n in (2, 3, 0):
        p.set_threads(n)
        assert p.attribution(2).to_pandas().equals(want)
    with pytest.raises(ValueError, match="-1 is not a thread count"):
        p.set_threads(-1)
