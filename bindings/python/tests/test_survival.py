"""Survival (issue 16) from Python: Kaplan-Meier standard errors, the origin
row and late entry; the weighted log-rank family. The expected figures were
printed by R (survival 3.5.3): tests/data/r/survival_reference.R, whose
output is tests/data/r/survival_reference.out."""
import csv
import math
import os
import pathlib
import subprocess
import sys

import pytest

import cxkit

DATA = pathlib.Path(__file__).resolve().parents[3] / "tests" / "data" / "r"


def columns(name, **kw):
    with open(DATA / name, newline="") as f:
        rows = list(csv.DictReader(f, **kw))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}


def ints(v):
    return [int(x) for x in v]


def test_kaplan_meier_std_err_and_origin_row():
    aml = columns("aml.csv")
    s = cxkit.Survival(aml["time"], ints(aml["cens"]), ints(aml["group"]), band="log")
    t = s.table().to_dict()
    # survfit0(): time 0, S = 1, std.err 0, n.risk 11 and 12
    origins = [i for i, x in enumerate(t["time"]) if x == 0]
    assert origins == [0, 11]
    assert [t["at_risk"][i] for i in origins] == [11, 12]
    assert all(t["survival"][i] == 1 and t["std_err"][i] == 0 for i in origins)
    # summary(survfit(...)): std.err of group 2 at 5, 8, 12; NaN once S is 0
    for time, se in [(5, 0.1075829), (8, 0.1360828), (12, 0.1423188), (43, 0.0918664)]:
        i = next(i for i in range(12, len(t["time"])) if t["time"][i] == time)
        assert t["std_err"][i] == pytest.approx(se, abs=5e-8)
    assert math.isnan(t["std_err"][-1])
    curve = s.curve()
    assert curve[0]["std_err"] == pytest.approx(0.0866784, abs=5e-8)


def test_kaplan_meier_late_entry():
    aids = columns("multicenter_aids_cohort.tsv", delimiter="\t")
    s = cxkit.Survival(aids["T"], ints(aids["D"]), band="log", entry=aids["W"])
    t = s.table()
    assert (t[0]["time"], t[0]["at_risk"]) == (0, 37)
    row = next(r for r in t if r["time"] == 1.619)
    assert (row["at_risk"], row["events"]) == (40, 2)
    assert row["survival"] == pytest.approx(0.723475, abs=5e-7)
    assert row["std_err"] == pytest.approx(0.0650984, abs=5e-8)
    assert (row["lo"], row["hi"]) == (pytest.approx(0.606502, abs=5e-7), pytest.approx(0.863008, abs=5e-7))
    assert s.median() == 3.062
    # an entry after its exit time is refused
    with pytest.raises(cxkit.Range):
        cxkit.Survival([1, 2], [1, 1], entry=[0, 2])


def test_logrank_survdiff_and_weights():
    ly = columns("lymphoma.csv")
    time, event, group = ly["Time"], ints(ly["Censor"]), ints(ly["Stage_group"])
    # survdiff(Surv(Time, Censor) ~ Stage_group, rho = 0.5)
    lr = cxkit.LogRank(time, event, group, weight="fh", p=0.5)
    test = lr.test()
    assert test["chi2"] == pytest.approx(6.22032612, abs=5e-8)
    assert test["p"] == pytest.approx(0.01262918483, rel=5e-9)
    assert test["df"] == 1
    g = lr.groups().to_dict()
    assert g["group"] == [1, 2] and g["subjects"] == [19, 61]
    assert g["observed"] == pytest.approx([6.250708132, 37.106175291], abs=5e-9)
    assert g["expected"] == pytest.approx([12.94244154, 30.41444188], abs=5e-8)
    assert lr.variance(0, 1) == pytest.approx(-7.198866288, abs=5e-9)
    # the other weights, from the definitions in R
    for weight, chi2 in [("gehan", 5.099789), ("tarone_ware", 6.081964979), ("peto_peto", 5.487718349),
                         ("logrank", None)]:
        r = cxkit.LogRank(time, event, group, weight=weight).test()
        if chi2 is not None:
            assert r["chi2"] == pytest.approx(chi2, abs=5e-7)
    # the log-rank weight gives what Survival.logrank() gives
    assert cxkit.LogRank(time, event, group).test()["chi2"] == pytest.approx(
        cxkit.Survival(time, event, group).logrank()["chi2"], abs=1e-12)


def test_logrank_k_groups_strata_late_entry():
    gen = columns("generated.csv")
    lr = cxkit.LogRank(gen["time"], ints(gen["event"]), ints(gen["group"]), strata=ints(gen["stratum"]),
                       entry=gen["entry"], weight="fleming_harrington", p=1, q=1)
    assert lr.group_count() == 3
    t = lr.test()
    assert (t["chi2"], t["df"]) == (pytest.approx(8.364529915, abs=5e-9), 2)
    assert lr.groups().to_dict()["observed"] == pytest.approx([5.308853030, 3.173680904, 4.950662115], abs=5e-9)
    assert lr.variance(2, 2) == pytest.approx(0.5566502056, abs=5e-10)
    with pytest.raises(cxkit.Range):
        lr.variance(3, 0)


def test_logrank_errors():
    with pytest.raises(cxkit.Invalid, match="weight 'wilcoxon'"):
        cxkit.LogRank([1, 2], [1, 1], [0, 1], weight="wilcoxon")
    with pytest.raises(cxkit.Range, match="two groups"):
        cxkit.LogRank([1, 2], [1, 1], [0, 0])
    with pytest.raises(cxkit.Range, match="singular"):
        cxkit.LogRank([5, 1, 6, 2], [1, 0, 1, 0], [0, 1, 0, 1])
    lr = cxkit.LogRank([1, 2, 3, 4], [1, 0, 1, 1], [0, 1, 0, 1])
    lr.close()
    with pytest.raises(cxkit.Invalid, match="closed"):
        lr.test()


TELCO = pathlib.Path(os.environ.get("CXKIT_TELCO", DATA.parents[3] / "shared" / "data" / "Telco-Customer-Churn.csv"))


@pytest.mark.skipif(not TELCO.exists(), reason="the telecom churn data (../shared/data/) is not here")
def test_churn_survival_example():
    """examples/python/cx_churn_survival.py: R prints the same figures
    (survfit(Surv(tenure, Churn == "Yes") ~ Contract): S and std.err at 12, 24,
    48 months; survdiff(... ~ Contract + strata(InternetService)): chi2 1732.9,
    observed 1655 166 48, expected 843.2453682 474.0303357 551.7242961;
    coxph(...): hazard ratios 0.15132904 0.02426770 4.53630442 0.27957310
    0.96906533, likelihood ratio 2904.646 on 5 df)."""
    root = DATA.parents[2]
    out = subprocess.run([sys.executable, str(root / "examples" / "python" / "cx_churn_survival.py"), str(TELCO)],
                         capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Loaded 7043 customers, 1869 churned" in text
    assert "Month-to-month  n=3875  0.703 (0.0079)  0.586 (0.0092)  0.397 (0.0119)" in text
    assert "One year        n=1473  0.991 (0.0025)  0.978 (0.0040)  0.917 (0.0090)" in text
    assert "logrank    (every month alike) chi2 =   1732.85 on 2 df" in text
    assert "Month-to-month  observed  1655  expected    843.2" in text
    assert "Two year        observed    48  expected    551.7" in text
    assert "Shortest time to churn: Month-to-month" in text
    # coxph(Surv(tenure, Churn == "Yes") ~ Contract + InternetService + MonthlyCharges): exp(coef), lower, upper
    assert "Contract=One year             0.1513 [0.1279, 0.1791]" in text
    assert "Contract=Two year             0.0243 [0.0177, 0.0333]" in text
    assert "InternetService=Fiber optic   4.5363 [3.7325, 5.5132]" in text
    assert "MonthlyCharges                0.9691 [0.9651, 0.9731]" in text
    assert "Likelihood-ratio test: chi2 = 2904.6 on 5 df" in text
    # cox.zph(fit): 99.521715 39.283285 110.536070 248.841364
    assert "Contract         chi2 =   99.522 on 2 df" in text
    assert "MonthlyCharges   chi2 =  110.536 on 1 df" in text
    assert "GLOBAL           chi2 =  248.841 on 5 df" in text


def test_cox_anderson_efron():
    """coxph(Surv(t, status) ~ Rx + logWBC + sex, anderson), robust = TRUE for the robust SEs."""
    a = columns("anderson.csv", delimiter=" ")
    o = cxkit.CoxOptions()
    for name in ("Rx", "logWBC", "sex"):
        o.add_covariate(name, a[name])
    c = cxkit.Cox(a["t"], ints(a["status"]), o)
    assert c.term_count() == 3
    co = c.coefficients().to_dict()
    assert co["term"] == ["Rx", "logWBC", "sex"]
    assert co["coef"] == pytest.approx([1.5035912129, 1.6819424137, 0.3146780488], abs=5e-8)
    assert co["se"] == pytest.approx([0.4615126732, 0.3365835523, 0.4545115450], abs=5e-8)
    assert co["robust_se"] == pytest.approx([0.3693940163, 0.3474253966, 0.3542433315], abs=5e-8)
    assert co["hr_lo"][0] == pytest.approx(1.8203758576, rel=1e-7)
    assert co["hr_hi"][1] == pytest.approx(10.398213932, rel=1e-7)
    t = {r["test"]: r["chi2"] for r in c.tests()}
    assert t == {"likelihood_ratio": pytest.approx(47.18757465, abs=5e-7), "wald": pytest.approx(33.54230088, abs=5e-7),
                 "score": pytest.approx(48.01464837, abs=5e-7)}
    ll = c.loglik()
    assert (ll["null_loglik"], ll["loglik"], ll["iterations"]) == (
        pytest.approx(-93.18427, abs=5e-6), pytest.approx(-69.59048267, abs=5e-8), 4)
    # survfit(fit, newdata = data.frame(Rx = 1, logWBC = 3, sex = 0))
    assert c.predict([1, 3, 0], 10) == pytest.approx(0.4118052, abs=5e-8)
    assert c.baseline()[0]["cumulative_hazard"] == pytest.approx(0.0075534301388, abs=5e-13)
    # cox.zph(fit) ("km") and cox.zph(fit, transform = "identity")
    z = c.zph().to_dict()
    assert z["term"] == ["Rx", "logWBC", "sex", "GLOBAL"] and z["df"] == [1, 1, 1, 3]
    assert z["chi2"] == pytest.approx([0.03603357859, 0.14236674322, 5.41974724673, 5.87931763196], abs=5e-10)
    assert z["p"][2] == pytest.approx(0.0199102420, rel=1e-8)
    assert c.zph("identity")[3]["chi2"] == pytest.approx(4.03397527641, abs=5e-10)
    with pytest.raises(cxkit.Invalid, match="transform 'rank'"):
        c.zph("rank")


def test_cox_factor_strata_late_entry_breslow():
    gen = columns("generated.csv")
    o = cxkit.CoxOptions(ties="breslow", strata=ints(gen["stratum"]), entry=gen["entry"])
    o.add_factor("group", [str(int(g)) for g in gen["group"]], reference="0")
    c = cxkit.Cox(gen["time"], ints(gen["event"]), o)
    co = c.coefficients()
    assert [r["term"] for r in co] == ["group=1", "group=2"]
    assert co[1]["coef"] == pytest.approx(-0.9879791190, abs=5e-9)
    assert co[1]["robust_se"] == pytest.approx(0.2895750888, abs=5e-9)
    assert c.predict([0, 1], 20, stratum=1) == pytest.approx(0.416718, abs=5e-7)


def test_cox_errors():
    with pytest.raises(cxkit.Invalid, match="ties 'exact'"):
        cxkit.CoxOptions(ties="exact")
    o = cxkit.CoxOptions()
    o.add_covariate("x", [0, 0, 0, 1, 1, 1])
    with pytest.raises(cxkit.Range, match="infinite"):
        cxkit.Cox([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0], o)
    with pytest.raises(cxkit.NotFound):
        o.add_factor("f", ["a", "b", "a", "b", "a", "b"], reference="c")


def test_cox_covariates_from_a_store():
    """Rx as the customers' plan, logWBC a numeric attribute: coxph's anderson coefficients."""
    a = columns("anderson.csv", delimiter=" ")
    ids = ["C%02d" % i for i in range(len(a["t"]))]
    with cxkit.Store() as s:
        for i, cid in enumerate(ids):
            s.add_customer(cid, "consumer", plan="treated" if a["Rx"][i] else "placebo")
            s.set_attribute(cid, "logWBC", repr(a["logWBC"][i]))
            s.set_attribute(cid, "sex", "m" if a["sex"][i] else "f")
        o = cxkit.CoxOptions()
        o.add_customer_column(s, ids, "plan", reference="placebo")
        o.add_customer_attribute(s, ids, "logWBC")
        o.add_customer_attribute(s, ids, "sex", reference="")
        with pytest.raises(cxkit.Parse):
            o.add_customer_attribute(s, ids, "sex")
    c = cxkit.Cox(a["t"], ints(a["status"]), o)
    co = c.coefficients().to_dict()
    assert co["term"] == ["plan=treated", "logWBC", "sex=m"]
    assert co["coef"] == pytest.approx([1.5035912129, 1.6819424137, 0.3146780488], abs=5e-8)


def r_store():
    """The store of tests/data/r/store_reference.R: data from 2024-01-01 on."""
    s = cxkit.Store()
    for t in ("customers", "touchpoints", "cases", "interactions", "feedback", "transactions"):
        rep = s.import_csv(t, str(DATA / ("store_%s.csv" % t)))
        assert rep.rejected() == 0
    return s


AS_OF = "2025-01-01T00:00:00Z"
FROM = "2024-01-01T00:00:00Z"


def test_store_subjects_and_late_entry():
    """R derives the same subjects from the raw rows (store_reference.out)."""
    with r_store() as s:
        sub = s.survival_subjects("transactions", 90 * 86400000, AS_OF, group_by="segment",
                                  observed_from=FROM).to_dict()
        assert len(sub["customer"]) == 175
        assert sum(sub["event"]) == 122
        assert sum(e > 0 for e in sub["entry"]) == 59
        assert sum(sub["time"]) == pytest.approx(32145.1223958333, abs=1e-8)
        assert sum(sub["entry"]) == pytest.approx(10637.1956365741, abs=1e-8)
        assert (sub["customer"][4], sub["group"][4], sub["event"][4]) == ("C0010", "consumer", 1)
        assert sub["entry"][4] == pytest.approx(149.5437037, abs=5e-8)
        sv = cxkit.Survival.from_store(s, "transactions", 90 * 86400000, AS_OF, group_by="segment",
                                       observed_from=FROM)
        assert sv.median("consumer") == pytest.approx(110.5629, abs=5e-4)
        b = sv.band(180, "consumer")
        assert (b["survival"], b["lo"], b["hi"]) == pytest.approx((0.287250, 0.1873303, 0.394937), abs=5e-7)
        # without late entry every customer acquired before the data is a subject from 0
        all_ = s.survival_subjects("transactions", 90 * 86400000, AS_OF).to_dict()
        assert len(all_["customer"]) > 175 and set(all_["entry"]) == {0.0}
        assert set(all_["group"]) == {None}
        with pytest.raises(cxkit.Range, match="after the data begin"):
            s.survival_subjects("transactions", 90 * 86400000, AS_OF, observed_from="2026-01-01T00:00:00Z")


def test_cox_fit_store():
    """coxph(Surv(tstart, tstop, event) ~ plan + income + detractor_share + cases +
    resolution_hours + reopens + chat_share, cluster = customer) on R's own
    counting-process rows (the signals time-varying)."""
    with r_store() as s:
        o = cxkit.CoxOptions()
        o.add_store_column("plan", reference="basic")
        o.add_store_attribute("income")
        for sig in ("detractor_share", "cases", "resolution_hours", "reopens"):
            o.add_store_signal(sig)
        o.add_store_signal("channel_share", "chat")
        c = cxkit.Cox.fit_store(s, AS_OF, o, observed_from=FROM)
        co = c.coefficients().to_dict()
        assert co["term"] == ["plan=plus", "plan=pro", "income", "detractor_share", "cases", "resolution_hours",
                              "reopens", "channel_share:chat"]
        assert co["coef"] == pytest.approx([-0.488514665263, -0.655311984245, -0.007348287182, 0.836033119828,
                                            0.576719518703, -0.005783757552, 0.007732002006, 0.891828479963],
                                           abs=2e-7)
        assert co["se"][0] == pytest.approx(0.241364304034, abs=1e-7)
        assert co["robust_se"][3] == pytest.approx(0.228472903385, abs=1e-7)
        assert c.loglik()["loglik"] == pytest.approx(-462.573039168, abs=5e-8)
        with pytest.raises(cxkit.Invalid, match="signal 'nps'"):
            o.add_store_signal("nps")
        with pytest.raises(cxkit.Invalid, match="needs a channel"):
            o.add_store_signal("channel_share")
        with pytest.raises(cxkit.Invalid, match="fit them with cx_cox_fit_store"):
            cxkit.Cox([1, 2], [1, 0], o)
        bad = cxkit.CoxOptions()
        bad.add_store_signal("channel_share", "fax")
        with pytest.raises(cxkit.NotFound, match="no channel 'fax'"):
            cxkit.Cox.fit_store(s, AS_OF, bad)


def test_store_survival_example():
    """examples/python/cx_store_survival.py on the demo data: subjects, curves by plan, a Cox fit of the store."""
    root = pathlib.Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, str(root / "examples" / "python" / "cx_store_survival.py")],
                         capture_output=True, text=True, check=True, env=dict(os.environ)).stdout
    # the same count from the raw files: a customer is observed when acquired or buying before 2026-01-01,
    # and churned when its last purchase (else its acquisition) is more than 90 days before then
    import datetime
    data = root / "examples" / "data"
    as_of = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    with open(data / "customers.csv", newline="") as f:
        start = {r["id"]: datetime.datetime.fromisoformat(r["acquired"]) if r["acquired"] else None
                 for r in csv.DictReader(f)}
    first, last = {}, {}
    with open(data / "transactions.csv", newline="") as f:
        for r in csv.DictReader(f):
            t = datetime.datetime.fromisoformat(r["time"])
            if t < as_of:
                first[r["customer"]] = min(t, first.get(r["customer"], t))
                last[r["customer"]] = max(t, last.get(r["customer"], t))
    observed = churned = 0
    for c, a in start.items():
        s = a or first.get(c)
        if s is None or s > as_of:
            continue
        observed += 1
        churned += as_of - max(last.get(c, s), s) > datetime.timedelta(days=90)
    assert "%d customers observed, %d churned" % (observed, churned) in out
    assert "plan=premium" in out and "channel_share:chat" in out
    assert "likelihood-ratio test" in out


def test_event_and_group_arrays_are_ints():
    """Events and groups are ints: a numpy value beyond an int is refused,
    not wrapped (2**40 was group 0); outcome names are not events; whole
    floats (a pandas 0/1 column read as float) are taken as ints, other
    floats refused."""
    np = pytest.importorskip("numpy")
    t = [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(OverflowError, match="entry 1"):
        cxkit.Survival(t[:3], [1, 1, 1], np.array([0, 2**40, 1]))
    with pytest.raises(OverflowError, match="entry 0"):
        cxkit.Survival(t[:3], [1, 1, 1], np.array([-2**32 + 1, 0, 1]))
    with pytest.raises(OverflowError, match="entry 2"):
        cxkit.Survival(t[:3], np.array([1, 0, 2**32 + 1]))
    with pytest.raises(OverflowError, match="entry 1"):
        cxkit.LogRank(t[:2], [1, 1], np.array([0, 2**32]))
    with pytest.raises(OverflowError, match="entry 0"):
        cxkit.Survival(t[:2], [2**40, 1])
    with pytest.raises(TypeError, match="entry 0: expected an int, got str"):
        cxkit.Survival(t[:3], ["handled", "missed", "handled"])
    with pytest.raises(TypeError, match="entry 0: expected an int"):
        cxkit.Survival(t[:2], [1.5, 0.0])
    with pytest.raises(TypeError, match="entry 1: expected an int, got 0.5"):
        cxkit.Survival(t[:2], np.array([1.0, 0.5]))
    with pytest.raises(TypeError, match="entry 0: expected an int, got nan"):
        cxkit.Survival(t[:2], np.array([np.nan, 1.0]))
    want = repr(cxkit.Survival(t, [1, 0, 1, 1], [0, 1, 0, 1]).summary().to_dict())  # NaN medians: as text
    for ev, grp in ((np.array([1.0, 0.0, 1.0, 1.0]), np.array([0.0, 1.0, 0.0, 1.0])),
                    ([1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]),
                    (np.array([True, False, True, True]), np.array([0, 1, 0, 1], dtype=np.int64))):
        assert repr(cxkit.Survival(t, ev, grp).summary().to_dict()) == want


def test_negative_group_index_names_the_call():
    s = cxkit.Survival([1.0, 2.0], [1, 1])
    with pytest.raises(IndexError, match=r"Survival\.median: group -1 is out of range"):
        s.median(-1)
    with pytest.raises(IndexError, match=r"Survival\.band: group -1 is out of range"):
        s.band(1.0, -1)


def test_logrank_group_cap():
    n = cxkit.LOGRANK_MAX_GROUPS + 1
    with pytest.raises(cxkit.Error, match="1001 groups: the test compares at most 1000"):
        cxkit.LogRank([1.0 + i % 7 for i in range(n)], [1] * n, list(range(n)))
