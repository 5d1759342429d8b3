"""cxkit.frames: DataFrames in (Store.from_pandas, the batch calls given a
DataFrame or Series) and results out (to_pandas), checked against the
library's own CSV import of the same data."""
import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import cxkit

from cxkit import frames
from conftest import DATA, TABLE_ORDER

UTC = dt.timezone.utc


def ms(d):
    return cxkit.to_ms(d)


def base():
    s = cxkit.Store()
    s.add_touchpoint("web", "web", "consideration")
    s.add_touchpoint("phone", "phone", "service")
    s.add_customers(["a", "b"])
    return s


def times_of(s, table="transactions", col="time"):
    return [ms(s.get(table, col, i)) for i in range(s.rows(table))]


def test_installed_by_import_cxkit_without_importing_pandas():
    import subprocess
    import sys
    assert cxkit.Store.from_pandas is frames.from_pandas
    assert cxkit.Result.to_pandas is frames._result_to_pandas
    code = ("import sys, cxkit; assert hasattr(cxkit.History, 'to_pandas'); "
            "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- round trips against the CSV import -----------------------------------------------

@pytest.fixture(scope="module")
def pair():
    """The demo data twice: read with pandas and from_pandas'd, and
    import_csv'd by the library."""
    a, b = cxkit.Store(), cxkit.Store()
    for t in TABLE_ORDER:
        df = pd.read_csv(DATA / (t + ".csv"))
        assert a.from_pandas(t, df, extra="attributes" if t == "customers" else "raise") == len(df)
        rep = b.import_csv(t, str(DATA / (t + ".csv")))
        assert rep.rejected() == 0
    return a, b


@pytest.mark.parametrize("table", TABLE_ORDER)
def test_tables_equal_the_csv_import(pair, table):
    a, b = pair
    assert a.rows(table) == b.rows(table) > 0
    x, y = a.to_pandas(table), b.to_pandas(table)
    pd.testing.assert_frame_equal(x, y)
    assert len(x) == a.rows(table)


def test_query_results_equal_the_csv_import(pair):
    a, b = pair
    out = []
    for s in pair:
        q = cxkit.Query(s)
        for m in ("nps", "csat", "ces", "fcr", "first_response", "handle_time", "missed_rate"):
            q.add(m)
        q.group_by("channel")
        q.group_by_time("month", 180)
        out.append(q.run().to_pandas())
    pd.testing.assert_frame_equal(out[0], out[1])
    assert len(out[0]) > 20
    # the same figures the library computes, cell for cell
    r = cxkit.Query(a)
    r.add("nps")
    r.group_by("segment")
    res = r.run()
    df = res.to_pandas()
    assert df["nps"].tolist() == [res.get(i, "nps") for i in range(res.rows())]


def test_lifecycle_and_journeys_equal_the_csv_import(pair):
    a, b = pair
    for f in (lambda s: cxkit.cohorts(s, bucket="quarter", offset=180).to_pandas(),
              lambda s: cxkit.Journeys(s, conversion="purchase").to_pandas(),
              lambda s: s.history("C-100002").to_pandas()):
        pd.testing.assert_frame_equal(f(a), f(b))


def test_attributes_from_extra_columns(pair):
    a, b = pair
    assert a.get_attribute("C-100001", "name") == b.get_attribute("C-100001", "name") == "عمر المطيري"
    assert a.get_attribute("C-100001", "language") == "ar"


# ---- times -----------------------------------------------------------------------------

ZONES = ["Asia/Riyadh", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"]


@pytest.mark.parametrize("zone", ZONES)
def test_aware_times_in_zones_across_dst(zone):
    # wall times either side of the 2024 transitions (March/April, Oct/Nov)
    local = pd.date_range("2024-03-09", "2024-11-05", freq="7h", tz=zone)
    s = base()
    df = pd.DataFrame({"customer": "a", "time": local, "amount": 1.0})
    s.from_pandas("transactions", df)
    want = [ms(t.to_pydatetime()) for t in local]
    assert times_of(s) == want
    # the same instants as Python computes them from the zone
    z = ZoneInfo(zone)
    assert want[5] == ms(dt.datetime.fromtimestamp(local[5].timestamp(), z))


def test_aware_python_datetimes_honour_fold():
    ny = ZoneInfo("America/New_York")
    first = dt.datetime(2024, 11, 3, 1, 30, tzinfo=ny)          # EDT, -04:00
    second = dt.datetime(2024, 11, 3, 1, 30, fold=1, tzinfo=ny)  # EST, -05:00
    berlin = dt.datetime(2024, 3, 31, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # just after the gap
    s = base()
    s.from_pandas("transactions", pd.DataFrame({"customer": ["a"] * 3, "time": [first, second, berlin],
                                                 "amount": [1.0, 2.0, 3.0]}))
    assert times_of(s) == [ms("2024-11-03T05:30:00Z"), ms("2024-11-03T06:30:00Z"), ms("2024-03-31T01:30:00Z")]


def test_naive_times_are_utc():
    s = base()
    naive = pd.to_datetime(["2024-03-31 02:30", "2024-01-01"])  # 02:30 does not exist in Berlin: no matter
    s.from_pandas("transactions", pd.DataFrame({"customer": ["a", "b"], "time": naive, "amount": [1.0, 2.0]}))
    assert times_of(s) == [ms("2024-03-31T02:30:00Z"), ms("2024-01-01T00:00:00Z")]
    s.from_pandas("transactions", pd.DataFrame({"customer": ["a"], "time": [dt.datetime(2024, 5, 1, 12)],
                                                 "amount": [1.0]}))
    assert times_of(s)[-1] == ms("2024-05-01T12:00:00Z")


def test_datetime64_units_and_before_1970():
    s = base()
    for unit in ("s", "ms", "us", "ns"):
        t = np.array(["2024-02-29T23:59:59"], dtype="datetime64[%s]" % unit)
        s.add_transactions(pd.Series(["a"]), pd.Series(t), [1.0])
    # sub-millisecond parts are cut as the library cuts fractions: towards the past
    t = pd.Series(pd.to_datetime(["1969-12-31T23:59:59.9995", "1970-01-01T00:00:00.0015"]))
    s.add_transactions(["a", "a"], t, [1.0, 1.0])
    assert times_of(s) == [ms("2024-02-29T23:59:59Z")] * 4 + [-1, 1]


def test_timestamps_and_mixed_objects():
    s = base()
    objs = [pd.Timestamp("2024-06-01T12:00:00+02:00"), dt.datetime(2024, 6, 1, 12, tzinfo=UTC),
            np.datetime64("2024-06-01T12:00:00"), "2024-06-01T15:00:00+03:00", dt.date(2024, 6, 1),
            pd.Timestamp("2024-06-01T12:00:00.123456789")]
    s.from_pandas("transactions", pd.DataFrame({"customer": "a", "time": pd.Series(objs, dtype=object),
                                                 "amount": 1.0}))
    noon = ms("2024-06-01T12:00:00Z")
    assert times_of(s) == [noon - 2 * 3600000, noon, noon, noon, ms("2024-06-01"), noon + 123]


def test_iso_strings_read_as_the_csv_import_reads_them(tmp_path):
    texts = ["2025-12-09T00:43:56+03:00", "2025-12-09T00:43:56Z", "2025-12-09T00:43:56", "2025-12-09",
             "2025-12-09 00:43", "2025-12-09t00:43:56.789-0530", "2025-12-09T00:43:56+05", "1733700000",
             "1733700000.25", "2024-02-29T12:00:00+14:00", "2025-12-09T00:43:56.123456z",
             "2025-12-09T00:43:56-0530", "2025-12-09T00:43:56.123456Z", "2025-12-09 00:43:56.5+0100",
             "1969-12-31T23:59:59.9999Z", "2024-02-29T23:00:00-14:00"]
    s = base()
    s.from_pandas("transactions", pd.DataFrame({"customer": "a", "time": texts, "amount": 1.0}))
    path = tmp_path / "t.csv"
    path.write_text("customer,time,amount\n" + "".join("a,%s,1\n" % t for t in texts))
    ref = base()
    assert ref.import_csv("transactions", str(path)).rejected() == 0
    assert times_of(s) == times_of(ref)
    assert times_of(s)[0] == ms("2025-12-08T21:43:56Z") and times_of(s)[7] == 1733700000000


def test_unparsable_time_names_method_column_and_row():
    s = base()
    df = pd.DataFrame({"customer": ["a", "b", "a"], "time": ["2024-01-01", "2024-02-30", "yesterday"],
                       "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(cxkit.Parse, match=r"Store.from_pandas: df: column 'time': row 1: '2024-02-30' is not a time"):
        s.from_pandas("transactions", df)
    with pytest.raises(ValueError, match=r"Store.add_transactions: df: column 'time': row 1 \(index 2\): "
                                         r"'yesterday' is not a time"):
        s.add_transactions(df.iloc[[0, 2]].reset_index(drop=True).rename(index={1: 2}))
    assert s.rows("transactions") == 0


def test_tz_aware_series_in_the_batch_call():
    # the issue: a casting error naming no argument
    s = base()
    t = pd.Series(pd.to_datetime(["2024-01-01T03:00:00", "2024-07-01T00:00:00"])).dt.tz_localize("Asia/Riyadh")
    s.add_transactions(pd.Series(["a", "b"]), t, pd.Series([1.0, 2.0]))
    assert times_of(s) == [ms("2024-01-01T00:00:00Z"), ms("2024-06-30T21:00:00Z")]


# ---- categoricals and missing values ------------------------------------------------------

def test_categoricals():
    s = base()
    df = pd.DataFrame({
        "customer": pd.Categorical(["a", "b", "a", "b"]),
        "touchpoint": pd.Categorical(["web", "phone", "web", "phone"], categories=["web", "phone", "unused"]),
        "time": pd.to_datetime([0, 1, 2, 3], unit="ms", utc=True),
        "kind": pd.Categorical(["visit", None, "contact", "visit"]),
        "outcome": pd.Categorical(["missed", "handled", None, "abandoned"], categories=["abandoned", "handled",
                                                                                          "missed", "lost"]),
        "direction": pd.Categorical(["outbound", "inbound", "outbound", None]),
    })
    s.from_pandas("interactions", df)
    rec = [s.record("interactions", i) for i in range(4)]
    assert [r["kind"] for r in rec] == ["visit", None, "contact", "visit"]
    assert [r["outcome"] for r in rec] == ["missed", "handled", "handled", "abandoned"]  # missing: handled
    assert [r["direction"] for r in rec] == ["outbound", "inbound", "outbound", "inbound"]
    # categorical numbers and times: each category converted once
    fb = pd.DataFrame({"customer": pd.Categorical(["a", "b", "a"]), "question": pd.Categorical(["nps"] * 3),
                       "score": pd.Categorical([9, 10, 9]),
                       "time": pd.Categorical(["2024-01-01T10:00:00+03:00", "2024-01-02", "2024-01-01T10:00:00+03:00"]),
                       "touchpoint": pd.Categorical([None, "web", None])})
    s.from_pandas("feedback", fb)
    assert [s.get("feedback", "score", i) for i in range(3)] == [9.0, 10.0, 9.0]
    assert times_of(s, "feedback") == [ms("2024-01-01T07:00:00Z"), ms("2024-01-02"), ms("2024-01-01T07:00:00Z")]
    assert [s.get("feedback", "touchpoint", i) for i in range(3)] == [None, "web", None]
    bad = df.assign(outcome=pd.Categorical(["missed", "lost", None, "missed"]))
    with pytest.raises(cxkit.Invalid, match=r"column 'outcome': row 1: 'lost' is not one of handled, missed"):
        s.from_pandas("interactions", bad)
    assert s.rows("interactions") == 4


def test_missing_values_take_the_csv_defaults():
    s = base()
    df = pd.DataFrame({
        "customer": ["a", "b", "a", "b"],
        "touchpoint": ["web", "web", "phone", "phone"],
        "time": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
        "kind": ["visit", None, np.nan, pd.NA],
        "agent": pd.array(["x", None, pd.NA, "y"], dtype="string"),
        "duration_ms": pd.array([5, None, 7, pd.NA], dtype="Int64"),
        "value": [1.5, np.nan, None, 2.0],
        "id": ["I1", None, "I3", np.nan],
    })
    s.from_pandas("interactions", df)
    rec = [s.record("interactions", i) for i in range(4)]
    assert [r["kind"] for r in rec] == ["visit", None, None, None]
    assert [r["agent"] for r in rec] == ["x", None, None, "y"]
    assert [r["duration_ms"] for r in rec] == [5, 0, 7, 0]
    assert [r["value"] for r in rec] == [1.5, 0.0, 0.0, 2.0]
    assert [r["id"] for r in rec] == ["I1", None, "I3", None]
    c = pd.DataFrame({"id": ["N1", "N2"], "acquired": [pd.NaT, pd.Timestamp("2024-01-01", tz="UTC")]})
    s.from_pandas("customers", c)
    assert s.get("customers", "acquired", 2) is None


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT])
def test_missing_in_a_required_column_names_the_row(missing):
    s = base()
    df = pd.DataFrame({"customer": ["a", missing, "b"], "time": [0, 1, 2], "amount": [1.0, 2.0, 3.0]},
                      index=["r0", "r1", "r2"])
    with pytest.raises(cxkit.Invalid, match=r"column 'customer': row 1 \(index 'r1'\) is missing, and the "
                                            r"column is required"):
        s.from_pandas("transactions", df)
    with pytest.raises(cxkit.Invalid, match=r"column 'time': row 2 is missing"):
        s.from_pandas("transactions", pd.DataFrame({"customer": ["a"] * 3, "time": [0, 1, missing],
                                                    "amount": 1.0}).astype({"time": object}))
    with pytest.raises(cxkit.Invalid, match=r"column 'score': row 0 is missing"):
        s.from_pandas("feedback", pd.DataFrame({"customer": ["a"], "question": ["nps"],
                                                "score": pd.Series([missing], dtype=object), "time": [0]}))
    assert s.rows("transactions") == s.rows("feedback") == 0


# ---- wrong inputs -----------------------------------------------------------------------------

def test_add_customers_with_a_dataframe_adds_the_rows_not_the_column_names():
    s = cxkit.Store()
    df = pd.DataFrame({"id": ["C1", "C2", "C3"], "segment": pd.Categorical(["x", "y", None])})
    s.add_customers(df)
    assert s.rows("customers") == 3
    assert [s.get("customers", "id", i) for i in range(3)] == ["C1", "C2", "C3"]
    assert [s.get("customers", "segment", i) for i in range(3)] == ["x", "y", None]
    with pytest.raises(cxkit.NotFound):
        s.find("customers", "id")
    s.add_customers(pd.DataFrame({"cid": ["C4"]}), columns={"id": "cid"})
    assert s.find("customers", "C4") == 3


def test_dataframe_where_a_list_is_expected():
    s = base()
    df = pd.DataFrame({"customer": ["a"], "time": [0], "amount": [1.0]})
    with pytest.raises(TypeError, match=r"Store.add_transactions: times: expected a sequence .* got a DataFrame"):
        s.add_transactions(["a"], df[["time"]], [1.0])
    with pytest.raises(TypeError, match=r"Store.add_transactions: customers: a DataFrame holds every column"):
        s.add_transactions(df, [0], [1.0])
    with pytest.raises(TypeError, match=r"Store.from_pandas: df: expected a pandas DataFrame, got list"):
        s.from_pandas("transactions", [["a", 0, 1.0]])


def test_unknown_column_did_you_mean():
    s = base()
    df = pd.DataFrame({"customer": ["a"], "time": [0], "ammount": [1.0]})
    with pytest.raises(cxkit.Invalid, match=r"Store.from_pandas: df: unknown column 'ammount' for table "
                                            r"transactions; did you mean 'amount'\?"):
        s.from_pandas("transactions", df.assign(amount=1.0))
    with pytest.raises(cxkit.Invalid, match=r"no 'amount' column, which transactions need; did you mean 'ammount'"):
        s.from_pandas("transactions", df, extra="ignore")
    with pytest.raises(cxkit.Invalid, match=r"columns: table transactions has no column 'amout'; did you mean "
                                            r"'amount'"):
        s.from_pandas("transactions", df, columns={"amout": "ammount"})
    with pytest.raises(cxkit.Invalid, match=r"columns: 'amount' maps to 'amnt', which the DataFrame has not; "
                                            r"did you mean 'ammount'"):
        s.from_pandas("transactions", df, columns={"amount": "amnt"})
    with pytest.raises(cxkit.Invalid, match=r"table: no table 'transaction'; did you mean 'transactions'"):
        s.from_pandas("transaction", df)
    s.from_pandas("transactions", df, columns={"amount": "ammount"})
    s.from_pandas("transactions", df.assign(amount=2.0, note="x"), extra="ignore")
    assert [s.get("transactions", "amount", i) for i in range(2)] == [1.0, 2.0]
    with pytest.raises(cxkit.Invalid, match=r"unknown column 'name' for table customers.*extra='attributes'"):
        s.from_pandas("customers", pd.DataFrame({"id": ["z"], "name": ["Z"]}))


def test_wrong_dtypes():
    s = base()
    fb = pd.DataFrame({"customer": ["a", "b"], "question": ["nps", "nps"], "score": ["9", "nine"],
                       "time": ["2024-01-01", "2024-01-02"]})
    with pytest.raises(cxkit.Parse, match=r"Store.from_pandas: df: column 'score': row 1: 'nine' is not a number"):
        s.from_pandas("feedback", fb)
    with pytest.raises(cxkit.Parse, match=r"Store.add_feedbacks: df: column 'score': row 1: 'nine'"):
        s.add_feedbacks(fb)
    s.from_pandas("feedback", fb.assign(score=["9", "10"]))  # numbers as text are numbers
    assert [s.get("feedback", "score", i) for i in range(2)] == [9.0, 10.0]
    with pytest.raises(TypeError, match=r"column 'customer': expected text \(str\), got a column of float64"):
        s.from_pandas("transactions", pd.DataFrame({"customer": [1.5], "time": [0], "amount": [1.0]}))
    with pytest.raises(TypeError, match=r"column 'time': expected times, got a column of bool"):
        s.from_pandas("transactions", pd.DataFrame({"customer": ["a"], "time": [True], "amount": [1.0]}))
    with pytest.raises(cxkit.Parse, match=r"column 'duration_ms': row 0: 1.5 is not an integer"):
        s.from_pandas("interactions", pd.DataFrame({"customer": ["a"], "touchpoint": ["web"], "time": [0],
                                                    "duration_ms": [1.5]}))
    with pytest.raises(TypeError, match=r"Store.add_transactions: amounts: expected numbers, got a column of bool"):
        s.add_transactions(["a"], [0], pd.Series([True]))
    # ids given as numbers are text, as in a CSV file
    s.add_customers(pd.DataFrame({"id": [100, 200]}))
    assert s.find("customers", "200") == 3


def test_batch_errors_name_the_row_label():
    s = base()
    df = pd.DataFrame({"customer": ["a", "zz"], "time": [0, 1], "amount": [1.0, 2.0]}, index=[10, 20])
    with pytest.raises(cxkit.NotFound, match=r"Store.from_pandas\('transactions'\): .*record 1.*\(index 20\)"):
        s.from_pandas("transactions", df)
    assert s.rows("transactions") == 0


def test_reference_tables_row_by_row():
    s = cxkit.Store()
    s.add_customers(["a"])
    tp = pd.DataFrame({"name": ["w", "p"], "channel": ["web", "phone"], "stage": ["purchase", "service"],
                       "key": [True, "0"], "weight": [None, 2.5]})
    assert s.from_pandas("touchpoints", tp) == 2
    assert s.record("touchpoints", 0)["key"] == 1 and s.record("touchpoints", 0)["weight"] == 1.0
    q = pd.DataFrame({"name": ["q1"], "metric": ["custom"], "scale_min": [0], "scale_max": [10],
                      "higher_is_better": [np.nan]})
    s.from_pandas("questions", q)
    assert s.record("questions", s.find("questions", "q1"))["higher_is_better"] == 1
    cases = pd.DataFrame({"id": ["T1", "T2", "T3"], "customer": ["a", "a", "nobody"],
                          "channel": pd.Categorical(["web"] * 3),
                          "opened": pd.to_datetime(["2024-01-01T10:00", "2024-01-02T10:00", "2024-01-03T10:00"])
                          .tz_localize("Europe/Berlin"),
                          "resolved": [pd.Timestamp("2024-01-01T12:00", tz="UTC"), pd.NaT, pd.NaT],
                          "contacts": pd.array([2, None, 1], dtype="Int64")})
    with pytest.raises(cxkit.NotFound, match=r"Store.from_pandas\('cases'\): row 2: no customer 'nobody'; "
                                             r"nothing was added"):
        s.from_pandas("cases", cases)
    with pytest.raises(cxkit.Exists, match=r"row 2: id 'T1' appears twice \(also row 0\); nothing was added"):
        s.from_pandas("cases", cases.assign(id=["T1", "T2", "T1"], customer="a"))
    assert s.rows("cases") == 0
    # a refusal the checks before do not see: the rows before it stay
    late = cases.assign(customer="a", first_response=[None, None, pd.Timestamp("2020-01-01", tz="UTC")])
    with pytest.raises(cxkit.Order, match=r"Store.from_pandas\('cases'\): row 2: .*\(the 2 rows before it were "
                                          r"added\)"):
        s.from_pandas("cases", late)
    assert s.rows("cases") == 2
    with pytest.raises(cxkit.Exists, match=r"row 0: id 'T1' is in the store already; nothing was added"):
        s.from_pandas("cases", cases)
    assert ms(s.get("cases", "opened", 0)) == ms("2024-01-01T09:00:00Z")
    assert s.get("cases", "resolved", 1) is None and s.get("cases", "contacts", 1) == 0


# ---- results out -----------------------------------------------------------------------------

def test_result_to_pandas_types_and_periods(pair):
    a, _ = pair
    q = cxkit.Query(a)
    q.add("nps")
    q.group_by_time("month", 180)
    q.group_by("channel")
    r = q.run()
    df = r.to_pandas()
    assert str(df["month"].dtype) == "datetime64[ns, UTC+03:00]"
    assert (df["month"].dt.strftime("%Y-%m") == df["month_label"]).all()
    assert (df["month"].dt.day == 1).all() and (df["month"].dt.hour == 0).all()
    assert df["month"].iloc[0] == pd.Timestamp(r.get(0, "month"))  # the same instant
    assert str(df["month"].dt.tz_localize(None).dt.to_period("M").iloc[0]) == df["month_label"].iloc[0]
    assert df["nps_n"].dtype == np.int64 and df["nps"].dtype == np.float64
    assert df["nps_small"].dtype == bool and df["nps_small"].tolist() == [bool(r.get(i, "nps_small"))
                                                                          for i in range(r.rows())]
    assert df["channel"].dtype == object and df["month_label"].dtype == object


def test_week_and_quarter_periods_in_negative_offsets(pair):
    a, _ = pair
    for bucket, fmt in (("week", None), ("quarter", None), ("day", "%Y-%m-%d"), ("year", "%Y")):
        q = cxkit.Query(a)
        q.add("csat")
        q.group_by_time(bucket, -300)
        df = q.run().to_pandas()
        col = df[bucket]
        assert str(col.dtype) == "datetime64[ns, UTC-05:00]", bucket
        if bucket == "week":
            iso = col.dt.isocalendar()
            assert (iso["year"].astype(str) + "-W" + iso["week"].map("{:02d}".format) == df["week_label"]).all()
        elif bucket == "quarter":
            assert (col.dt.year.astype(str) + "-Q" + col.dt.quarter.astype(str) == df["quarter_label"]).all()
        else:
            assert (col.dt.strftime(fmt) == df[bucket + "_label"]).all()
    c = cxkit.cohorts(a, bucket="month", offset=180).to_pandas()
    assert str(c["cohort"].dtype) == str(c["period_start"].dtype) == "datetime64[ns, UTC+03:00]"
    assert (c["period_start"].dt.strftime("%Y-%m") == c["period_label"]).all()


def test_other_objects_to_pandas(pair):
    a, _ = pair
    h = a.history("C-100002")
    df = h.to_pandas()
    assert len(df) == len(h) and str(df["time"].dtype) == "datetime64[ns, UTC]"
    assert df["time"].is_monotonic_increasing
    assert df["table"].tolist() == [e["table"] for e in h]
    assert str(df["opened"].dtype) == "datetime64[ns, UTC]" and str(df["duration_ms"].dtype) == "Int64"
    j = cxkit.Journeys(a, conversion="purchase").to_pandas()
    assert j["converted"].dtype == bool and str(j["start"].dtype) == "datetime64[ns, UTC]"
    bad = DATA / "customers.csv"
    rep = a.import_csv("customers", str(bad))
    rj = rep.to_pandas()
    assert rj.columns.tolist() == ["line", "column", "reason"] and len(rj) == rep.details() > 0
    assert rj["line"].dtype == np.int64 and "already" in rj["reason"].iloc[0]
    m = cxkit.fit_sbg([1, 2, 3, 3], [1, 1, 0, 1], weights=[300, 200, 400, 100])
    md = m.to_pandas()
    assert md.equals(m.params().to_pandas()) and len(md) > 0 and md["value"].dtype == np.float64
    su = cxkit.Summary(a, "2025-06-30T00:00:00Z")
    assert len(su.to_pandas()) == len(su)
    t = a.to_pandas("touchpoints")
    assert t["key"].dtype == bool and t["weight"].dtype == np.float64


# ---- column-wise reading (Result.column_reals / column_ints / column_strings) ----------

def _results_of(a):
    q = cxkit.Query(a)
    q.add("nps")
    q.add("resolution")
    q.group_by_time("month", 180)
    q.group_by("channel")
    yield q.run()
    yield cxkit.cohorts(a, bucket="quarter", offset=-300)
    yield cxkit.Journeys(a, conversion="purchase").list()
    yield cxkit.Journeys(a, conversion="purchase").paths()
    yield cxkit.rfm(a, "2025-06-30T00:00:00Z")


def test_column_readers_give_the_cells(pair):
    a, _ = pair
    for r in _results_of(a):
        assert r.rows() > 0
        for c, name in enumerate(r.column_names()):
            t = r.column_type(c)
            cells = [r.get(i, c) for i in range(r.rows())]
            if t == cxkit.TYPE_STRING:
                got = r.column_strings(name)
                assert isinstance(got, list) and got == cells, name
                with pytest.raises(cxkit.Invalid, match=r"Result\.column_reals: column '%s' is text" % name):
                    r.column_reals(c)
                continue
            reals = r.column_reals(c)
            assert reals.dtype == np.float64 and len(reals) == r.rows()
            if t == cxkit.TYPE_REAL:
                assert np.array_equal(reals, np.array(cells, dtype=float), equal_nan=True), name
                with pytest.raises(cxkit.Invalid, match="is not an integer or time"):
                    r.column_ints(name)
                continue
            ints = r.column_ints(name)
            assert ints.dtype == np.int64 and len(ints) == r.rows()
            if t == cxkit.TYPE_TIME:
                want = [-(2 ** 63) if x is None else ms(x) for x in cells]
                assert ints.tolist() == want, name
                assert np.array_equal(reals, [np.nan if x is None else float(ms(x)) for x in cells],
                                      equal_nan=True)
            else:
                assert ints.tolist() == cells, name
                assert reals.tolist() == [float(x) for x in cells]
            with pytest.raises(cxkit.Invalid, match="is not text"):
                r.column_strings(c)


def test_column_readers_refuse_bad_columns_and_closed_results(pair):
    a, _ = pair
    r = cxkit.cohorts(a, bucket="month")
    with pytest.raises(cxkit.NotFound, match="Result.column_ints: .*cohort"):
        r.column_ints("cohorts")
    with pytest.raises(cxkit.Range):
        r.column_reals(r.columns())
    r.close()
    with pytest.raises(cxkit.Invalid, match="closed"):
        r.column_strings(0)


def _cellwise_frame(r):
    """to_pandas as it was before the column readers: a Python call per cell."""
    names = r.column_names()
    types = [r.column_type(c) for c in range(len(names))]
    cols = {name: [r.get(i, c) for i in range(r.rows())] for c, name in enumerate(names)}
    return frames._frame(names, types, cols)


def test_to_pandas_column_wise_equals_cell_by_cell(pair):
    a, _ = pair
    for r in _results_of(a):
        pd.testing.assert_frame_equal(r.to_pandas(), _cellwise_frame(r), check_exact=True)


def test_to_pandas_of_an_empty_result():
    r = cxkit.Query(base()).add("nps").group_by("channel").run()
    df = r.to_pandas()
    assert len(df) == 0 and df.columns.tolist() == r.column_names()
    assert df["nps"].dtype == np.float64 and df["nps_n"].dtype == np.int64


def test_to_pandas_reads_columns_not_cells(pair, monkeypatch):
    a, _ = pair
    r = cxkit.Journeys(a, conversion="purchase").list()
    want = _cellwise_frame(r)

    def no_cells(*args):
        raise AssertionError("to_pandas read a cell")
    monkeypatch.setattr(cxkit.Result, "get", no_cells)
    monkeypatch.setattr(cxkit.Result, "row", no_cells)
    pd.testing.assert_frame_equal(r.to_pandas(), want, check_exact=True)
