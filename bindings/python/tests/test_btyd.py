"""Buy-till-you-die depth (issue 16) from Python: Model.purchase_pmf() and
Model.population_expected() against lifetimes 0.11.3, the distribution
summing to one, standard errors in Model.params(), the calibration /
holdout table of a Summary built from the CDNOW transactions (the whole
path: store, summary with a holdout, model), and every customer's
predictions in one Result. The reference numbers and the commands that
printed them: tests/data/btyd/README.md."""
import math
import os
import pathlib

import pytest

import cxkit

DATA = pathlib.Path(os.environ.get("CX_PUBLIC_DATA", "/work/shared/data"))
DAY = 86400000

BGNBD = [0.24259292827982198, 4.413532265271817, 0.79288596644060017, 2.4257523826255123]
BGNBD_SE = [0.012557320698193205, 0.3782214570439269, 0.18571907191204595, 0.7053453435329281]
BGNBD_PMF_T39 = [0.57430728340542281, 0.19919306128210471, 0.085322408760463819, 0.045797191724208847,
                 0.027631215593659664, 0.017938392273574907, 0.012249960991122712, 0.0086816676626226622,
                 0.006330106189021972, 0.0047203101022244946]
PNBD = [0.5532678334405815, 10.577315439246721, 0.60623999667735418, 11.668463828427724]
PNBD_EX_T = [0.051007272081287296, 0.42779972234552571, 1.2134172784596802, 1.9098839069184044]
CALIB = [0.25162401142410384, 33.522616192289114, 0.72343303572867956, 2.1610869813718465]
CALIB_CUSTOMERS = [14119, 4442, 2064, 1084, 605, 348, 272, 636]
CALIB_ACTUAL = [0.25072597209434094, 0.78410625844214321, 1.4026162790697674, 1.8367158671586716,
                2.4512396694214877, 3.0632183908045976, 3.8014705882352939, 6.5911949685534594]
CALIB_EXPECTED = [0.2308573070355949, 0.5198027232627197, 1.0372464375334172, 1.5791164674622602,
                  2.2669424673270568, 2.8915905924652137, 3.5327335579922838, 6.4685264859919869]


def names(result):
    return [result.column_name(j) for j in range(result.columns())]


def test_pmf_matches_lifetimes():
    bg = cxkit.Model("bgnbd", BGNBD)
    p = bg.purchase_pmf(39, 9)
    assert len(p) == 10
    for got, want in zip(p, BGNBD_PMF_T39):
        assert got == pytest.approx(want, rel=1e-11)
    pn = cxkit.Model("pareto_nbd", PNBD)
    for got, want in zip(pn.population_expected([1, 10, 39, 78]), PNBD_EX_T):
        assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("kind,params,t", [("bgnbd", BGNBD, 52.0), ("pareto_nbd", PNBD, 104.0),
                                           ("bgbb", [1.2, 0.75, 0.66, 2.8], 20)])
def test_pmf_sums_to_one_with_mean(kind, params, t):
    m = cxkit.Model(kind, params)
    p = m.purchase_pmf(t, 5000)
    assert math.fsum(p) == pytest.approx(1, abs=1e-9)
    mean = math.fsum(n * v for n, v in enumerate(p))
    assert mean == pytest.approx(m.population_expected([t])[0], rel=1e-8)
    assert all(0 <= v <= 1 for v in p)


def test_pmf_arguments():
    m = cxkit.Model("bgnbd", BGNBD)
    with pytest.raises(cxkit.Range, match="n_max -1"):
        m.purchase_pmf(39, -1)
    with pytest.raises(cxkit.Range, match="t -1 is not a finite time"):
        m.purchase_pmf(-1, 3)
    with pytest.raises(cxkit.Invalid, match="does not predict purchases"):
        cxkit.Model("gamma_gamma", [6, 3.7, 15]).purchase_pmf(1, 3)
    with pytest.raises(cxkit.Range):
        cxkit.Model("bgbb", [1, 1, 1, 1]).population_expected([1.5])


@pytest.mark.skipif(not (DATA / "cdnow_customers_summary_with_transactions.csv").exists(), reason="no CDNOW")
def test_standard_errors_match_lifetimes():
    import csv
    with open(DATA / "cdnow_customers_summary_with_transactions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    x, tx, T = ([float(r[k]) for r in rows] for k in ("x", "t_x", "T"))
    params = cxkit.fit_bgnbd(x, tx, T).params()
    assert [params.column_name(j) for j in range(6, 9)] == ["std_error", "lower", "upper"]
    for row, want in zip(params, BGNBD_SE):
        assert row["std_error"] == pytest.approx(want, rel=2e-6)
        z = 1.959963984540054 * row["std_error"] / row["value"]
        assert row["lower"] == pytest.approx(row["value"] * math.exp(-z), rel=1e-12)
        assert row["upper"] == pytest.approx(row["value"] * math.exp(z), rel=1e-12)
    assert all(math.isnan(r["std_error"]) for r in cxkit.Model("bgnbd", BGNBD).params())


@pytest.fixture(scope="module")
def cdnow_summary():
    """The CDNOW cohort in a store, summarised in days with a holdout:
    lifetimes' calibration_and_holdout_data(freq='D') of the same dates
    (calibration to 1997-09-30 and holdout to 1998-06-30, both inclusive
    of purchases dated that day, at 00:00: hence the ends 1 ms after;
    T is 1 ms longer)."""
    pd = pytest.importorskip("pandas")
    path = DATA / "CDNOW_master.txt"
    if not path.exists():
        pytest.skip("no CDNOW_master.txt")
    m = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    store = cxkit.Store()
    store.add_customers(list(m["customer_id"].unique()))
    times = pd.to_datetime(m["date"], format="%Y%m%d").values.astype("datetime64[ms]").astype("int64")
    store.add_transactions(list(m["customer_id"]), times, m["dollar_value"].values)
    return cxkit.Summary(store, "1997-09-30T00:00:00.001Z", "1998-06-30T00:00:00.001Z", unit_ms=DAY)


def test_calibration_table_matches_lifetimes(cdnow_summary):
    su = cdnow_summary
    assert su.count() == 23570
    model = cxkit.Model("bgnbd", CALIB)
    rows = list(su.calibration(model, 273, 7))
    assert [r["label"] for r in rows] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert [r["frequency"] for r in rows] == list(range(8))
    assert [r["customers"] for r in rows] == CALIB_CUSTOMERS
    for r, actual, expected in zip(rows, CALIB_ACTUAL, CALIB_EXPECTED):
        assert r["actual"] == pytest.approx(actual, rel=1e-13)
        assert r["expected"] == pytest.approx(expected, rel=1e-6)  # T is 1 ms (1.2e-8 days) longer
    # the same table from arrays
    cols = [su.column(c) for c in ("frequency", "recency", "age", "holdout")]
    again = list(model.calibration(*cols, 273, max_frequency=7))
    assert [r["expected"] for r in again] == [r["expected"] for r in rows]
    with pytest.raises(cxkit.Range, match="duration 0"):
        su.calibration(model, 0)


def test_customers_in_one_result(cdnow_summary):
    su = cdnow_summary
    bg = cxkit.Model("bgnbd", CALIB)
    x, tx, T, mean = (list(su.column(c)) for c in ("frequency", "recency", "age", "monetary"))
    table = su.customers(bg, 30)
    assert names(table) == ["customer", "frequency", "recency", "age", "p_alive", "expected_purchases"]
    assert table.rows() == 23570
    pa, ex = bg.p_alive(x, tx, T), bg.expected(x, tx, T, 30)
    ids = su.table()
    for i in (0, 4, 1000, 23569):
        row = table.row(i)
        assert row["customer"] == ids.row(i)["customer"]
        assert (row["frequency"], row["recency"], row["age"]) == (x[i], tx[i], T[i])
        assert row["p_alive"] == pa[i] and row["expected_purchases"] == ex[i]
    # with a spend model: CLV as Model.clv() (CDNOW has repeat purchases of $0, which
    # Gamma-Gamma refuses: the customers with a positive mean or none)
    keep = [i for i in range(len(x)) if x[i] == 0 or mean[i] > 0]
    x, tx, T, mean = ([v[i] for i in keep] for v in (x, tx, T, mean))
    gg = cxkit.fit_gammagamma(x, mean)
    table = bg.customers(x, tx, T, 30, spend=gg, mean=mean, periods=6, period=30, discount=0.01)
    assert names(table) == ["frequency", "recency", "age", "p_alive", "expected_purchases", "expected_spend", "clv"]
    clv = cxkit.clv(bg, gg, x, tx, T, mean, 6, 30, 0.01)
    for i in (0, 7, 500):
        assert table.row(i)["clv"] == clv.row(i)["clv"]
        assert table.row(i)["expected_spend"] == clv.row(i)["expected_spend"]
    with pytest.raises(cxkit.Invalid, match="monetary"):
        bg.customers(x, tx, T, 30, spend=gg)
    with pytest.raises(cxkit.Range, match="row 10243: mean amount 0"):
        su.customers(bg, 30, spend=gg)
