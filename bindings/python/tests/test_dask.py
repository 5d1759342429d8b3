"""cxkit.dask on a two-worker LocalCluster (separate processes): the merged
results equal a single store's on the demo data split into 4 partitions by
customer, and on a generated set of 10^6 interactions (bench/dask_data.py).
Counts are compared exactly; figures built from counts (rates, NPS, CSAT)
to 1e-12 relative (the merge sums in another order: a last bit may differ);
quantiles within the library's sketch bound, 0.5 % relative (metrics.h,
"Quantiles")."""
import math
import os
import pathlib
import sys

import pytest

import cxkit

pytest.importorskip("pandas")
distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")
import cxkit.dask as cxd  # noqa: E402

ROOT = pathlib.Path(os.environ.get("CXKIT_SOURCE_ROOT", pathlib.Path(__file__).resolve().parents[3]))
DATA = pathlib.Path(os.environ.get("CXKIT_DATA", ROOT / "examples" / "data"))
TABLES = ["customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions"]
MEASURES = ["nps", "csat", "ces", "fcr", "first_response", "resolution", "contacts", "reopen_rate", "missed_rate",
            "abandon_rate", "handle_time", "repeat_rate", "cx_index"]
SKETCH_BOUND = 0.005  # relative error of a quantile from the sketch (metrics.h)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  memory_limit=0) as cluster, distributed.Client(cluster) as c:
        yield c


def single_store(data):
    """One store over every partition's files (the same data)."""
    s = cxkit.Store()
    for t in TABLES:
        files = data[t] if isinstance(data[t], list) else [data[t]]
        for f in files:
            rep = s.import_csv(t, f)
            assert rep.rejected() == 0, rep.rejects()[:3]
    return s


def query(store, group_by):
    q = cxkit.Query(store)
    for m in MEASURES:
        q.add(m)
    for g in group_by:
        q.group_by(g)
    return q.run()


def assert_same_result(merged, single):
    assert merged.column_names() == single.column_names()
    assert merged.rows() == single.rows()
    for c, name in enumerate(single.column_names()):
        kind = single.column_type(c)
        for r in range(single.rows()):
            a, b = merged.get(r, c), single.get(r, c)
            if kind != cxkit.TYPE_REAL:
                assert a == b, (name, r, a, b)
            elif math.isnan(b):
                assert math.isnan(a), (name, r, a)
            elif name.endswith(("_median", "_p90")):
                assert a == pytest.approx(b, rel=SKETCH_BOUND, abs=1e-9), (name, r, a, b)
            else:
                assert a == pytest.approx(b, rel=1e-12, abs=1e-12), (name, r, a, b)


def assert_same_frame(merged, single, key, sketched=()):
    """Equal frames: counts and texts exactly, figures to 1e-9, the columns
    in `sketched` (quantiles from a sketch) within SKETCH_BOUND relative."""
    merged = merged.sort_values(key).reset_index(drop=True)
    single = single.sort_values(key).reset_index(drop=True)[list(merged.columns)]
    assert len(merged) == len(single)
    for col in merged.columns:
        a, b = merged[col], single[col]
        if col in sketched:
            close = ((a - b).abs() <= SKETCH_BOUND * b.abs() + 1e-9) | (a.isna() & b.isna())
            assert close.all(), (col, merged[~close].head(3), single[~close].head(3))
            assert (a.isna() == b.isna()).all(), col
        elif b.dtype.kind == "f":
            close = ((a - b).abs() <= 1e-9 * b.abs().clip(lower=1)) | (a.isna() & b.isna())
            assert close.all(), (col, merged[~close].head(3), single[~close].head(3))
        else:
            assert list(a) == list(b), col


ANALYSES = {
    "by_channel": ("metrics", {"measures": MEASURES, "group_by": ["channel"]}),
    "by_month_segment": ("metrics", {"measures": MEASURES, "group_by": [("time", "month", 180), "segment"]}),
    "transitions": ("transitions", {}),
    "transitions_2": ("transitions", {"order": 2, "journey_options": {"level": "channel"}}),
    "paths": ("paths", {}),
    "attribution": ("attribution", {}),
    "attribution_2": ("attribution", {"order": 2, "journey_options": {"level": "channel"}}),
    "themes": ("themes", {"group": "touchpoint", "min_count": 3}),
    "cohorts": ("cohorts", {}),
    "cohorts_week": ("cohorts", {"activity": "all", "bucket": "week", "offset": 180}),
    "summary": ("summary", {"calibration_end": "2025-10-01"}),
}


def check_all(res, store):
    assert_same_result(res["by_channel"], query(store, ["channel"]))
    q = cxkit.Query(store)
    for m in MEASURES:
        q.add(m)
    q.group_by_time("month", 180)
    q.group_by("segment")
    assert_same_result(res["by_month_segment"], q.run())
    j = cxkit.Journeys(store)
    assert_same_frame(res["transitions"], j.transitions(1).to_pandas(), ["from", "to"])
    j2 = cxkit.Journeys(store, level="channel")
    assert_same_frame(res["transitions_2"], j2.transitions(2).to_pandas(), ["from", "to"])
    single_paths = j.paths(max(1, j.count())).to_pandas()
    assert list(res["paths"].columns) == list(single_paths.columns)
    assert_same_frame(res["paths"], single_paths, ["path"], ("median_duration_ms", "median_to_conversion_ms"))
    # a sketch, not the exact values: the bound is what is checked
    assert cxd.PATH_MEDIAN_BOUND == SKETCH_BOUND
    attr = j.attribution(1).to_pandas()
    # every column of a single store's, Markov included (from the merged path counts)
    assert list(res["attribution"].columns) == list(attr.columns)
    assert_same_frame(res["attribution"], attr, ["name"])
    assert_same_frame(res["attribution_2"], j2.attribution(2).to_pandas(), ["name"])
    th = cxkit.TextIndex(store).themes(group="touchpoint", min_count=3).to_pandas()
    assert list(res["themes"].columns) == list(th.columns)
    assert_same_frame(res["themes"], th, ["group", "kind", "term"])
    co = cxkit.cohorts(store).to_pandas()
    assert list(res["cohorts"].columns) == list(co.columns)
    assert_same_frame(res["cohorts"], co, ["cohort", "period"])
    co = cxkit.cohorts(store, "all", "first_activity", "week", 180).to_pandas()
    assert_same_frame(res["cohorts_week"], co, ["cohort", "period"])
    s = cxkit.Summary(store, "2025-10-01")
    single = s.table().to_pandas()
    assert_same_frame(res["summary"].frame, single, ["customer"])
    assert res["summary"].tolerated_count() == s.tolerated_count()


@pytest.fixture(scope="module")
def demo_split(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return cxd.split_csv({t: str(DATA / (t + ".csv")) for t in TABLES}, 4, str(out))


def test_demo_files(client, demo_split):
    stats = {}
    res = cxd.compute(demo_split, ANALYSES, client=client, stats=stats)
    assert stats["partitions"] == 4 and all(b > 0 for b in stats["bytes"])
    store = single_store(demo_split)
    assert store.rows("interactions") == 35247
    check_all(res, store)
    assert len(res["themes"]) > 0  # the demo comments have themes
    # quantiles of the merged result, beyond the columns
    single = query(store, ["channel"])
    for r in range(single.rows()):
        for q in (0.25, 0.75, 0.99):
            a, b = res["by_channel"].quantile(r, "handle_time", q), single.quantile(r, "handle_time", q)
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=SKETCH_BOUND)


def test_demo_dataframes_and_errors(client, demo_split):
    store = single_store(demo_split)
    single = query(store, ["channel"])
    ddfs = {t: (dd.read_csv(v, dtype=str, keep_default_na=False, blocksize=None) if isinstance(v, list) else v)
            for t, v in demo_split.items()}
    assert ddfs["interactions"].npartitions == 4
    assert_same_result(cxd.metrics(ddfs, MEASURES, ["channel"], client=client), single)
    # the whole files in chunks that cut across customers: refused, or
    # repartitioned by customer with partition="hash"
    whole = {t: dd.read_csv(str(DATA / (t + ".csv")), dtype=str, keep_default_na=False, blocksize=300000)
             for t in ("customers", "cases", "interactions", "feedback", "transactions")}
    whole.update(touchpoints=str(DATA / "touchpoints.csv"), questions=str(DATA / "questions.csv"))
    assert whole["interactions"].npartitions > 1
    with pytest.raises(ValueError, match="partition"):
        cxd.metrics(whole, ["nps"], client=client)
    assert_same_result(cxd.metrics(whole, MEASURES, ["channel"], client=client, partition="hash"), single)
    with pytest.raises(ValueError, match="as_of"):
        cxd.metrics(demo_split, ["sla_breach"], client=client)
    with pytest.raises(ValueError, match="unknown tables"):
        cxd.metrics(dict(demo_split, orders=["x.csv"]), ["nps"], client=client)
    with pytest.raises(ValueError, match="different numbers of partitions"):
        cxd.metrics(dict(demo_split, feedback=demo_split["feedback"][:3]), ["nps"], client=client)
    # a partition whose records name customers it lacks
    swapped = dict(demo_split, customers=demo_split["customers"][:3] + [demo_split["customers"][0]])
    with pytest.raises(ValueError, match="partition 3 of table 'cases': .* rows rejected"):
        cxd.metrics(swapped, ["nps"], client=client)


def test_customer_in_two_partitions(client, demo_split, tmp_path):
    import pandas
    frames = [pandas.read_csv(f, dtype=str, keep_default_na=False) for f in demo_split["customers"]]
    both = tmp_path / "customers-3-and-0.csv"
    pandas.concat([frames[3], frames[0].head(5)]).to_csv(both, index=False)
    twice = dict(demo_split, customers=demo_split["customers"][:3] + [str(both)])
    with pytest.raises(ValueError, match=r"cxkit.dask.metrics: data: 5 customers are in more than one partition "
                                         r"\(first: C-"):
        cxd.metrics(twice, ["nps"], client=client)


def test_generated_million(client, tmp_path):
    """10^6 interactions (and 5 10^4 customers, 10^5 purchases, 5 10^4
    answers, 2 10^4 cases) in 4 partitions."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import dask_data
    finally:
        sys.path.pop(0)
    data = cxd.split_csv(dask_data.generate(10 ** 6), 4, str(tmp_path))
    stats = {}
    res = cxd.compute(data, ANALYSES, client=client, stats=stats)
    store = single_store(data)
    assert store.rows("interactions") == 10 ** 6
    check_all(res, store)
    assert len(stats["bytes"]) == 4


def test_example_on_the_running_cluster(client, tmp_path):
    """examples/python/cx_dask.py with --scheduler (this test's cluster)."""
    import subprocess
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "cx_dask.py"), str(DATA),
                          "--scheduler", client.scheduler.address, "--work-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "into 4 partitions" in out.stdout and ", 2 workers" in out.stdout
    equal = out.stdout.split("Equal to the single store's results on the same data:")[1].split()
    assert equal == ["scorecard", "yes", "transitions", "yes", "paths", "yes", "attribution", "yes", "cohorts",
                     "yes", "summary", "yes"]


def test_cohorts_of_partitions_ending_at_different_periods(client, tmp_path):
    """A partition whose activity ends (or starts) before the others': its
    customers active in its last period are lost in the next one."""
    import pandas
    data = cxd.split_csv({t: str(DATA / (t + ".csv")) for t in TABLES}, 3, str(tmp_path))
    for i, keep in ((1, lambda t: t < "2025-03"), (2, lambda t: t >= "2024-09")):
        f = pandas.read_csv(data["transactions"][i], dtype=str, keep_default_na=False)
        f[f["time"].map(keep)].to_csv(data["transactions"][i], index=False)
    store = single_store(data)
    for bucket in ("week", "month", "quarter"):
        merged = cxd.cohorts(data, bucket=bucket, offset=180, client=client)
        single = cxkit.cohorts(store, bucket=bucket, offset=180).to_pandas()
        assert list(merged.columns) == list(single.columns)
        assert_same_frame(merged, single, ["cohort", "period"])
