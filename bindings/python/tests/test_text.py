"""Voice of the customer (text.h) from Python: tokens, the text index of a
store's comments, themes (and their merge over shards), search and trends,
as Results with to_pandas(); errors and ownership."""
import gc
import random

import pytest

import cxkit
from conftest import drop_in_random_order

COMMENTS = [
    (2, "home_delivery", "Late delivery again, the courier never came"),
    (1, "home_delivery", "التوصيل متأخر والمندوب لم يتصل"),
    (3, "home_delivery", "late delivery and a damaged parcel"),
    (10, "home_delivery", "fast delivery, thank you"),
    (9, "call_centre", "helpful agent, great service"),
    (10, "call_centre", "خدمة ممتازة شكرا"),
    (0, "call_centre", "rude agent, not helpful"),
    (2, "home_delivery", "لم يصل الطلب حتى الآن"),
]


def make_store(comments=COMMENTS):
    s = cxkit.Store()
    s.add_customer("c1")
    s.add_touchpoint("home_delivery", "delivery", "purchase")
    s.add_touchpoint("call_centre", "phone", "service")
    t0 = cxkit.to_ms("2024-01-10T10:00:00Z")
    for i, (score, tp, text) in enumerate(comments):
        s.add_feedback("c1", "nps", score, t0 + i * 20 * 86400000, touchpoint=tp, comment=text)
    return s


def test_tokens_and_language():
    df = cxkit.text_tokens("التوصيل تأخّر كثيراً إلى The Deliveries").to_pandas()
    assert list(df["token"]) == ["التوصيل", "تاخر", "كثيرا", "الي", "the", "deliveries"]
    assert list(df["term"])[:3] == ["توصيل", "تاخر", "كثير"]
    assert df["term"].isna().tolist() == [False, False, False, True, True, False]
    assert list(df["stop"]) == [0, 0, 0, 1, 1, 0]
    assert df["term"].iloc[5] == "deliveri"
    assert cxkit.text_language("شكرا جزيلا") == "arabic"
    assert cxkit.text_language("thanks") == "english"
    assert cxkit.text_language("123") == "other"
    assert cxkit.text_tokens("The deliveries", "other").to_pandas()["term"].tolist() == ["the", "deliveries"]
    with pytest.raises(cxkit.Invalid):
        cxkit.text_tokens("x", "klingon")


def test_index_terms_phrases():
    ix = cxkit.TextIndex(make_store())
    assert ix.comment_count() == len(COMMENTS)
    assert ix.term_count() > 10 and ix.token_count() > ix.term_count()
    assert ix.byte_count() > 0
    terms = ix.terms(2).to_pandas()
    row = terms[terms["term"] == "deliveri"].iloc[0]
    assert row["tokens"] == 3 and row["comments"] == 3 and row["label"] == "delivery"
    assert terms["tokens"].is_monotonic_decreasing
    ph = ix.phrases(2).to_pandas()
    assert "late deliveri" in set(ph["phrase"])
    assert (ph["pmi"] > 0).all()


def test_themes_counts_merge_serialise():
    s = make_store()
    ix = cxkit.TextIndex(s)
    th = ix.themes("nps", "touchpoint", min_count=2).to_pandas()
    hd = th[th["group"] == "home_delivery"]
    assert hd.iloc[0]["z"] > 0
    assert hd.iloc[0]["term"] in {"late", "late deliveri", "لم", "يصل"}
    # the same from counts, and from counts of two shards merged
    counts = ix.counts("nps", "touchpoint")
    same = cxkit.text_themes(counts, 0, 2).to_pandas()
    assert same.equals(th)
    a = cxkit.TextIndex(make_store(COMMENTS[:3]))
    b = cxkit.TextIndex(make_store(COMMENTS[3:]))
    merged = cxkit.text_counts_merge(a.counts("nps", "touchpoint"), b.counts("nps", "touchpoint"))
    key = ["group", "class", "kind", "term"]

    def norm(df):
        return df.fillna("-").sort_values(key).reset_index(drop=True)[key + ["tokens", "comments"]]

    whole = counts.to_pandas()
    pd_m = merged.to_pandas()
    assert norm(pd_m).equals(norm(whole))
    data = cxkit.text_counts_serialize(merged)
    assert isinstance(data, bytes)
    back = cxkit.text_counts_deserialize(data)
    assert norm(back.to_pandas()).equals(norm(pd_m))
    with pytest.raises(cxkit.Parse):
        cxkit.text_counts_deserialize(data[:-1])
    with pytest.raises(cxkit.Invalid):
        cxkit.text_themes(ix.terms(), 0, 1)
    with pytest.raises(cxkit.NotFound):
        ix.counts("nps", "none", touchpoint="nowhere")
    with pytest.raises(cxkit.Invalid):
        ix.counts("nps", "galaxy")
    # filters: a channel and a time range
    ph = ix.counts("nps", "channel", channel="phone").to_pandas()
    assert set(ph["group"]) == {"phone"}
    early = ix.counts("nps", start=cxkit.to_ms("2024-01-01T00:00:00Z"), end=cxkit.to_ms("2024-02-01T00:00:00Z"))
    tot = early.to_pandas()
    assert tot[tot["kind"] == "total"]["comments"].sum() == 2


def test_search_against_brute_force():
    rnd = random.Random(7)
    words = ["late", "delivery", "the", "rude", "agent", "not", "helpful", ",", "التوصيل", "متأخر", "لم", "يصل"]
    comments = [(rnd.randrange(11), "home_delivery", " ".join(rnd.choice(words) for _ in range(rnd.randrange(1, 8))))
                for _ in range(200)]
    s = make_store(comments)
    ix = cxkit.TextIndex(s)

    def brute(text, terms):
        df = cxkit.text_tokens(text).to_pandas()
        t, b = list(df["term"]), list(df["break"])
        for i in range(len(t) - len(terms) + 1):
            if all(t[i + k] == terms[k] and (k == 0 or not b[i + k]) for k in range(len(terms))):
                return True
        return False

    for query, terms in [("late delivery", ["late", "deliveri"]), ("not helpful", ["not", "help"]),
                         ("لم يصل", ["لم", "يصل"]), ("agent", ["agent"])]:
        got = ix.search(query).to_pandas()
        want = [i for i, (_, _, c) in enumerate(comments) if brute(c, terms)]
        assert list(got["feedback"]) == want, query
        assert len(want) >= 3
        assert (got["touchpoint"] == "home_delivery").all()
        assert list(got["score"]) == [float(comments[i][0]) for i in want]
    tr = ix.trend("late", "month").to_pandas()
    assert tr["comments"].sum() == 200
    assert tr["matches"].sum() == len(ix.search("late").to_pandas())
    assert ((tr["share"] - tr["matches"] / tr["comments"]).abs() < 1e-12).all()
    assert len(ix.search("late", 2).to_pandas()) == 2
    with pytest.raises(cxkit.Invalid):
        ix.search("the ,")


def test_closed_and_ownership():
    s = make_store()
    ix = cxkit.TextIndex(s)
    del s
    gc.collect()
    assert ix.comment_count() == len(COMMENTS)  # the index keeps its store alive
    ix.close()
    with pytest.raises(cxkit.Invalid):
        ix.terms()
    rnd = random.Random(3)
    for _ in range(5):
        s = make_store()
        objs = [s, cxkit.TextIndex(s), cxkit.TextIndex(s, "english")]
        objs.append(objs[1].terms())
        objs.append(objs[2].counts())
        drop_in_random_order(objs, rnd)


# what names the planted problem of the demo (examples/data/README.md):
# late, damaged or missing home deliveries, a courier who does not call
DELIVERY_PROBLEM = {"توصيل", "تاخر", "تاخير", "late", "late deliveri", "deliveri", "arriv", "courier", "مندوب",
                    "يصل", "لم يصل", "يتصل", "لم يتصل", "مندوب لم", "damag", "تالف", "توصيل متاخر"}


def test_demo_home_delivery_themes(demo):
    """On the demo data, the top detractor (low NPS, low CSAT) themes of
    home_delivery name the delivery problem."""
    ix = cxkit.TextIndex(demo)
    for metric in ("nps", "csat"):
        th = ix.themes(metric, "touchpoint", min_count=5).to_pandas()
        top = th[th["group"] == "home_delivery"].head(5)
        assert (top["z"] > 0).all()
        assert top.iloc[0]["term"] in DELIVERY_PROBLEM, (metric, list(top["term"]))
        assert sum(t in DELIVERY_PROBLEM for t in top["term"]) >= 3, (metric, list(top["term"]))
    # and a share worth reporting: detractors of home_delivery mentioning delivery
    th = ix.themes("nps", "touchpoint", min_count=5).to_pandas()
    row = th[(th["group"] == "home_delivery") & (th["term"] == "توصيل")].iloc[0]
    assert row["low_share"] > 0.2 and row["high_share"] < 0.05


def test_sentiment(tmp_path):
    lex = cxkit.TextLexicon()
    lex.add("helpful", 1)
    lex.add("late", -1)
    lex.add("ممتازة", 2)
    assert lex.score("not helpful") == -1
    assert lex.score("the agent wasn't helpful, late") == -2
    assert lex.score("الخدمة لم تكن ممتازة") == -2
    assert lex.hits("helpful and late") == 2
    entries = lex.terms().to_pandas()
    assert list(entries["term"])[:2] == ["help", "late"]  # stemmed as the comments are
    assert list(entries["polarity"]) == [1, -1, 2]
    p = tmp_path / "lex.csv"
    p.write_text("term,polarity\nhelpful,1.5\nrude,-2\n", encoding="utf-8")
    loaded = cxkit.TextLexicon.load(str(p))
    assert loaded.score("helpful but rude") == -0.5
    p.write_text("helpful\n", encoding="utf-8")
    with pytest.raises(cxkit.Parse):
        cxkit.TextLexicon.load(str(p))
    ix = cxkit.TextIndex(make_store())
    df = ix.sentiment(lex).to_pandas()
    assert len(df) == len(COMMENTS)
    assert list(df["sentiment"]) == [lex.score(c) for _, _, c in COMMENTS]
    learned = cxkit.TextLexicon.learn(ix, "nps", 1, 0.5)
    terms = learned.terms().to_pandas().set_index("term")["polarity"]
    assert terms["late"] < 0
    lex.close()
    with pytest.raises(cxkit.Invalid):
        lex.score("x")


def test_example_script():
    import os
    import pathlib
    import subprocess
    import sys
    root = pathlib.Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, str(root / "examples" / "python" / "cx_text.py")], capture_output=True,
                         text=True, env=dict(os.environ), check=True).stdout
    assert "home_delivery: what detractors write" in out
    assert "the same as at once: True" in out
    assert "'late delivery':" in out
