"""cxkit.dask: CXKit analyses beyond one machine, on a Dask cluster.

Imported only on request (``import cxkit.dask``); it needs the ``dask`` and
``distributed`` packages (Debian: python3-dask, python3-distributed).

How it works. The data are split *by customer* into partitions. For each
partition a Dask task, on a worker, builds a ``cxkit.Store`` of that
partition with the binding, computes the partition's *mergeable state* of
each analysis asked, and sends it back as bytes; the driver merges the
states. Nothing is recomputed from records on the driver.

What is merged, and how exactly:

- ``metrics()``: the query's ``Result``, shipped as ``Result.serialize()``
  bytes and merged with ``Result.merge()`` (the library's own merge): counts
  and rates are exactly those of a single store over all the data;
  quantiles (medians, p90, ``Result.quantile()``) are exact while a group
  holds at most 4096 values, beyond that within the library's sketch
  bound, a relative error of at most 0.5 % (metrics.h, "Quantiles").
- ``transitions()``: the journey transition counts per (from, to), summed;
  "probability" is recomputed from the summed counts (count / all
  transitions out of "from"): identical to a single store's.
- ``paths()``: per path, "journeys", "customers", "conversions" and the
  answer counts summed, "conversion_rate" from them; "nps" and "csat" from
  the summed promoter-minus-detractor and good-answer counts (integers
  recovered exactly from each partition's figure and n), "ces" as the
  n-weighted mean (equal to about 1e-12). The medians "median_duration_ms"
  and "median_to_conversion_ms" come from a quantile sketch per path: each
  worker puts its journeys' durations (``Journeys.list()``: end - start,
  and converted_at - start for the converting ones) in logarithmic buckets
  ``ceil(log(d) / log(g))``, g = (1 + a) / (1 - a), a = 0.005 (0 in a
  bucket of its own), and ships the bucket counts; the driver adds them
  and reads the median (the mean of the two middle values for an even
  count, as a single store computes it) from the bucket representatives
  2 g^k / (g + 1). Each representative is within a relative a of every
  value in its bucket, so a median is within 0.5 % (relative) of the
  single store's exact one, whatever the number of partitions.
- ``attribution()``: the heuristic models (first touch, last touch, linear,
  time decay, position based, and their values) summed per level value;
  the Markov columns ("removal_effect", "markov" and their "_value"
  versions) from each partition's path counts (``Journeys.path_counts()``:
  per distinct path to conversion its conversions, nulls and value),
  summed per path and solved once on the driver by ``cxkit.Paths``: the
  chain of the merged counts is the chain of all the journeys, so the
  columns equal a single store's to the solve's tolerance (about 1e-12).
- ``cohorts()``: "size", "active", "gained", "kept", "lost" summed per
  (cohort, period) over the partitions' triangles (each extended to the
  last period of all the data), "retention" and "churn" recomputed from
  the sums.
- ``themes()``: the term and phrase counts of each partition's comments
  by score class and group (``text_counts_serialize``), added by
  ``text_counts_merge``; the themes are computed once from the sum: the
  counts are a single store's exactly.
- ``summary()``: the per-customer model summary (frequency, recency, age,
  monetary, ...), one row per customer: with customers partitioned, the
  merge is the concatenation, and ``fit()`` fits a model to it exactly as
  to a single store's ``Summary`` columns.

Not mergeable with what the library offers today (so not provided, rather
than approximated): SLA breaches
without an explicit ``as_of`` (a store judges pending cases at its own latest
case time, which differs per partition: pass ``as_of=``).

Input. ``data`` maps table names to the partitions of that table:

- the customer tables, "customers" (keyed by "id"), "interactions",
  "cases", "feedback", "transactions" (keyed by "customer"): each a Dask
  DataFrame, or a list of CSV file names, one per partition. Every customer
  table has the same number of partitions, and partition i of each table
  holds the records of the same customers: all the records of a customer
  are in one partition. ``partition="check"`` (the default) checks this
  and raises ``ValueError`` naming customers found in two partitions (and
  a partition whose records name a customer it lacks fails to load, with
  the table and row named); ``partition="hash"`` repartitions Dask
  DataFrames by a hash of the customer id instead (a shuffle).
- the reference tables "touchpoints" and "questions": one CSV file name, a
  pandas DataFrame or a Dask DataFrame, given to every partition whole.

DataFrame columns are those of the CSV files (examples/data/README.md);
read them with ``dtype=str, keep_default_na=False`` to pass the text
through unchanged (numbers and NaN work too; an empty text is a missing
value, as in a CSV file). A worker loads a DataFrame partition with
``Store.from_pandas`` (cxkit.frames) when the package has it, else (and
when no "customers" table is given: its customers are then created from
the other tables, as import_csv's create_customers does) through a
temporary CSV file and ``Store.import_csv``; files with ``import_csv``.

Which scheduler: ``client=`` a ``distributed.Client``; else the current
client (``distributed.get_client()``) if there is one, else Dask's default
scheduler. For a cluster elsewhere: ``Client("tcp://host:8786")``; its
workers need ``cxkit`` importable (installed, or on their PYTHONPATH).

Example::

    import dask.dataframe as dd, distributed, cxkit.dask
    client = distributed.Client(distributed.LocalCluster(n_workers=2))
    data = {"customers": ["c0.csv", "c1.csv"], "interactions": ["i0.csv", "i1.csv"],
            "touchpoints": "touchpoints.csv"}
    r = cxkit.dask.metrics(data, ["missed_rate", "handle_time"], group_by=["channel"])
"""
import functools
import os
import pickle
import tempfile

import cxkit

CUSTOMER_TABLES = {"customers": "id", "cases": "customer", "interactions": "customer",
                   "feedback": "customer", "transactions": "customer"}
REFERENCE_TABLES = ("touchpoints", "questions")
# every table after the tables its rows refer to
_LOAD_ORDER = ("customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions")


def _install():
    """Nothing to add to the classes: cxkit.dask is a set of functions."""


# ---- on the workers ---------------------------------------------------------

def _csv_of(frame, path):
    """A pandas DataFrame as a CSV file the store imports (floats that hold
    whole numbers written as integers, missing values empty)."""
    import pandas
    frame = frame.copy()
    for c in frame.columns:
        col = frame[c]
        if col.dtype.kind == "f" and col.notna().any():
            vals = col.dropna()
            if (vals == vals.round()).all() and vals.abs().max() < 2 ** 53:
                frame[c] = col.astype("Int64")
        elif col.dtype.kind == "M":
            frame[c] = pandas.to_datetime(col, utc=True).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").where(col.notna(), "")
    frame.to_csv(path, index=False)


def _load(index, parts):
    """The Store of partition `index` from its tables (paths or frames)."""
    store = cxkit.Store()
    kw = {} if parts.get("customers") is not None else {"create_customers": True}
    with tempfile.TemporaryDirectory(prefix="cxkit-dask-") as tmp:
        for table in _LOAD_ORDER:
            part = parts.get(table)
            if part is None:
                continue
            if isinstance(part, (str, os.PathLike)):
                path = os.fspath(part)
            elif hasattr(store, "from_pandas") and not kw:
                # cxkit.frames' bulk loader: whole columns, one batch call
                _from_pandas(store, index, table, part)
                continue
            else:
                path = os.path.join(tmp, table + ".csv")
                _csv_of(part, path)
            report = store.import_csv(table, path, **(kw if table in CUSTOMER_TABLES else {}))
            if report.rejected():
                raise ValueError(
                    "cxkit.dask: data: partition %d of table %r: %d rows rejected, first (line, column, reason): %s; "
                    "are all the records of a customer in the partition that holds the customer?"
                    % (index, table, report.rejected(), (report.rejects() or ["?"])[0]))
    return store


def _from_pandas(store, index, table, frame):
    """A DataFrame partition into the store by Store.from_pandas, read as
    import_csv reads its CSV file: an empty text is a missing value, the
    customers' other columns are attributes."""
    text = [c for c in frame.columns if frame[c].dtype == object]
    if text:
        frame = frame.copy()
        for c in text:
            frame[c] = frame[c].where(frame[c] != "", None)
    try:
        store.from_pandas(table, frame, extra="attributes" if table == "customers" else "raise")
    except cxkit.Error as e:
        raise ValueError("cxkit.dask: data: partition %d of table %r: %s; are all the records of a customer in the "
                         "partition that holds the customer?" % (index, table, e)) from None


def _customers_of(store):
    import numpy
    n = store.rows("customers")
    return numpy.array(sorted(store.get("customers", "id", r) for r in range(n)), dtype=object)


def _pack(obj):
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _journeys(store, options):
    return cxkit.Journeys(store, cxkit.JourneyOptions.make(store, **options) if options else None)


def _table(result, columns):
    """Some columns of a result table as {column: numpy array}: the compact
    state to ship (one Result.column_* call per column)."""
    import numpy
    out = {}
    for name in columns:
        c = result.column_find(name)
        t = result.column_type(c)
        if t == cxkit.TYPE_REAL:
            out[name] = result.column_reals(c)
        elif t == cxkit.TYPE_STRING:
            out[name] = numpy.array(result.column_strings(c), dtype=object)
        elif t == cxkit.TYPE_INT:
            out[name] = result.column_ints(c)
        else:  # times as Result.get gives them
            out[name] = numpy.array([None if ms == _TIME_NONE else cxkit.from_ms(int(ms))
                                     for ms in result.column_ints(c)], dtype=object)
    return out


def _state_metrics(store, spec, _jcache):
    q = cxkit.Query(store)
    for m in spec["measures"]:
        q.add(m)
    for g in spec["group_by"]:
        if isinstance(g, str):
            q.group_by(g)
        elif g[0] == "time":
            q.group_by_time(g[1], g[2] if len(g) > 2 else 0)
        elif g[0] == "attribute":
            q.group_by_attribute(g[1])
        else:
            raise ValueError("cxkit.dask.metrics: group_by: %r is not a dimension, (\"time\", bucket, offset) "
                             "or (\"attribute\", key)" % (g,))
    for dim, values in spec["filters"].items():
        for v in ([values] if isinstance(values, str) else values):
            if dim.startswith("attribute:"):
                q.filter_attribute(dim[len("attribute:"):], v)
            else:
                q.filter(dim, v)
    if spec["range"] is not None:
        q.set_range(*spec["range"])
    if spec["as_of"] is not None:
        q.set_as_of(spec["as_of"])
    if spec["configure"] is not None:
        spec["configure"](q)
    return q.run().serialize()


def _jr(store, spec, jcache):
    key = repr(sorted((spec.get("journey_options") or {}).items()))
    if key not in jcache:
        jcache[key] = _journeys(store, spec.get("journey_options"))
    return jcache[key]


def _state_transitions(store, spec, jcache):
    return _pack(_table(_jr(store, spec, jcache).transitions(spec["order"]), ("from", "to", "count")))


_PATH_COLUMNS = ("path", "length", "journeys", "customers", "conversions", "nps", "nps_n", "csat", "csat_n",
                 "ces", "ces_n")


# The paths' duration sketch (see the module's docstring): relative error
# bound of a median, the log base of the buckets, the key of the zero bucket.
PATH_MEDIAN_BOUND = 0.005
_GAMMA = (1 + PATH_MEDIAN_BOUND) / (1 - PATH_MEDIAN_BOUND)
_ZERO_KEY = -(2 ** 62)
_TIME_NONE = -(2 ** 63)  # CX_TIME_NONE


def _sketch(paths, values):
    """Bucket counts of non-negative durations per path: {"path", "key",
    "count"} arrays."""
    import numpy
    import pandas
    v = numpy.asarray(values, dtype=numpy.float64)
    with numpy.errstate(divide="ignore"):
        key = numpy.where(v > 0, numpy.ceil(numpy.log(numpy.maximum(v, 1e-300)) / numpy.log(_GAMMA)), _ZERO_KEY)
    counts = pandas.DataFrame({"path": paths, "key": key.astype(numpy.int64)}).value_counts(sort=False)
    return {"path": counts.index.get_level_values(0).to_numpy(dtype=object),
            "key": counts.index.get_level_values(1).to_numpy(dtype=numpy.int64),
            "count": counts.to_numpy(dtype=numpy.int64)}


def _state_paths(store, spec, jcache):
    import numpy
    j = _jr(store, spec, jcache)
    lst = j.list()
    path = numpy.array(lst.column_strings("path"), dtype=object)
    start, end, conv = (lst.column_ints(c) for c in ("start", "end", "converted_at"))
    did = conv != _TIME_NONE
    return _pack({"paths": _table(j.paths(max(1, j.count())), _PATH_COLUMNS),
                  "duration": _sketch(path, end - start),
                  "to_conversion": _sketch(path[did], conv[did] - start[did])})


_HEURISTICS = ("first_touch", "last_touch", "linear", "time_decay", "position_based")
_ATTRIBUTION_COLUMNS = ("name",) + _HEURISTICS + tuple(h + "_value" for h in _HEURISTICS)
_MARKOV_COLUMNS = ("removal_effect", "markov", "removal_effect_value", "markov_value")
# joins the states of a shipped path: a control character no touchpoint,
# channel or stage name holds (Journeys.path_counts refuses one that does)
_PATH_SEPARATOR = "\x1f"


def _state_attribution(store, spec, jcache):
    j = _jr(store, spec, jcache)
    return _pack({"heuristics": _table(j.attribution(spec["order"]), _ATTRIBUTION_COLUMNS),
                  "paths": _table(j.path_counts(_PATH_SEPARATOR), ("path", "conversions", "nulls", "value"))})


_COHORT_COLUMNS = ("cohort", "cohort_label", "period", "period_start", "period_label", "size", "active", "gained",
                   "kept", "lost")


def _state_cohorts(store, spec, _jcache):
    import numpy
    r = cxkit.cohorts(store, spec["activity"], spec["start"], spec["bucket"], spec["offset"])
    t = _table(r, _COHORT_COLUMNS)
    for c in ("cohort", "period_start"):  # times as int milliseconds
        t[c] = numpy.array([cxkit.to_ms(x) for x in t[c]], dtype="int64")
    return _pack(t)


def _state_summary(store, spec, _jcache):
    s = cxkit.Summary(store, spec["calibration_end"], spec["holdout_end"], spec["unit_ms"], spec["tolerance_ms"])
    t = s.table()
    out = _table(t, ("customer",))
    for c in ("frequency", "recency", "age", "monetary", "total", "holdout", "holdout_value"):
        out[c] = s.column(c).copy()
    out["tolerated"] = s.tolerated_count()
    return _pack(out)


def _state_themes(store, spec, _jcache):
    ix = cxkit.TextIndex(store, spec["lang"])
    counts = ix.counts(spec["metric"], spec["group"], spec["bucket"], spec["offset"], spec["touchpoint"],
                       spec["channel"], spec["start"], spec["end"])
    return cxkit.text_counts_serialize(counts)


_STATES = {"metrics": _state_metrics, "transitions": _state_transitions, "paths": _state_paths,
           "attribution": _state_attribution, "cohorts": _state_cohorts, "summary": _state_summary,
           "themes": _state_themes}


def _partition_task(index, parts, analyses):
    """On a worker: load partition `index`, compute the state of each
    analysis. Returns ({name: bytes}, sorted customer ids)."""
    store = _load(index, parts)
    jcache = {}
    states = {name: _STATES[spec["kind"]](store, spec, jcache) for name, spec in analyses.items()}
    ids = _customers_of(store)
    store.close()
    return states, ids


def _states_of(out):
    return out[0]


def _ids_of(out):
    return out[1]


def _dups_leaf(ids):
    import numpy
    return ids, numpy.array([], dtype=object)


def _dups_pair(a, b):
    import numpy
    (ua, da), (ub, db) = a, b
    both = numpy.intersect1d(ua, ub)
    return numpy.union1d(ua, ub), numpy.concatenate([da, db, both])


def _dups_root(a):
    return list(a[1][:10]), len(a[1])


# ---- on the driver ----------------------------------------------------------

def _is_dask_frame(x):
    return hasattr(x, "to_delayed") and hasattr(x, "npartitions")


def _parts(data, partition, func):
    """{table: list of per-partition inputs} and {table: shared input}."""
    if not isinstance(data, dict) or not data:
        raise TypeError("cxkit.dask.%s: data: a dict {table: Dask DataFrame or list of CSV files}, not %s"
                        % (func, type(data).__name__))
    if partition not in ("check", "hash"):
        raise ValueError("cxkit.dask.%s: partition: \"check\" or \"hash\", not %r" % (func, partition))
    unknown = sorted(set(data) - set(CUSTOMER_TABLES) - set(REFERENCE_TABLES))
    if unknown:
        raise ValueError("cxkit.dask.%s: data: unknown tables %s (tables: %s)"
                         % (func, unknown, ", ".join(_LOAD_ORDER)))
    per, shared = {}, {}
    for t, v in data.items():
        if t in REFERENCE_TABLES:
            if _is_dask_frame(v):
                v = v.compute()
            shared[t] = os.fspath(v) if isinstance(v, os.PathLike) else v
            continue
        if _is_dask_frame(v):
            per[t] = v
        elif isinstance(v, (list, tuple)) and v and all(isinstance(p, (str, os.PathLike)) for p in v):
            if partition == "hash":
                raise ValueError("cxkit.dask.%s: data[%r]: partition=\"hash\" repartitions Dask DataFrames, not "
                                 "files: read them with dask.dataframe.read_csv" % (func, t))
            per[t] = [os.fspath(p) for p in v]
        else:
            raise TypeError("cxkit.dask.%s: data[%r]: a Dask DataFrame or a non-empty list of CSV file names, "
                            "not %s" % (func, t, type(v).__name__))
    if not per:
        raise ValueError("cxkit.dask.%s: data: no customer table (%s)" % (func, ", ".join(CUSTOMER_TABLES)))
    counts = {t: (v.npartitions if _is_dask_frame(v) else len(v)) for t, v in per.items()}
    n = max(counts.values())
    if partition == "hash":
        for t, v in per.items():
            if CUSTOMER_TABLES[t] not in v.columns:
                raise ValueError("cxkit.dask.%s: data[%r]: no column %r to partition by"
                                 % (func, t, CUSTOMER_TABLES[t]))
            # the same hash of the same id text in every table: a customer's
            # records land in the same partition number
            per[t] = v.shuffle(CUSTOMER_TABLES[t], npartitions=n, shuffle="tasks")
    elif len(set(counts.values())) > 1:
        raise ValueError("cxkit.dask.%s: data: the customer tables have different numbers of partitions (%s); "
                         "partition i of each must hold the same customers (or pass partition=\"hash\")"
                         % (func, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return {t: (v.to_delayed() if _is_dask_frame(v) else v) for t, v in per.items()}, shared, n


def _run(func, data, analyses, client, partition, stats):
    import dask
    per, shared, n = _parts(data, partition, func)
    task = dask.delayed(_partition_task, pure=True)
    outs = []
    for i in range(n):
        parts = dict(shared)
        for t, v in per.items():
            parts[t] = v[i]
        outs.append(task(i, parts, analyses, dask_key_name="cxkit-partition-%d-%s" % (i, dask.base.tokenize(
            i, parts, analyses))))
    states = [dask.delayed(_states_of, pure=True)(o) for o in outs]
    level = [dask.delayed(_dups_leaf, pure=True)(dask.delayed(_ids_of, pure=True)(o)) for o in outs]
    while len(level) > 1:
        level = [dask.delayed(_dups_pair, pure=True)(level[k], level[k + 1]) if k + 1 < len(level) else level[k]
                 for k in range(0, len(level), 2)]
    dups = dask.delayed(_dups_root, pure=True)(level[0])
    if client is None:
        try:
            import distributed
            client = distributed.get_client()
        except (ImportError, ValueError):
            client = None
    if client is not None:
        states, dups = client.gather(client.compute([states, dups]))
    else:
        states, dups = dask.compute(states, dups)
    if dups[1]:
        raise ValueError("cxkit.dask.%s: data: %d customers are in more than one partition (first: %s); all the "
                         "records of a customer must be in one partition (or pass partition=\"hash\")"
                         % (func, dups[1], ", ".join(map(str, dups[0]))))
    if stats is not None:
        stats["partitions"] = n
        stats["bytes"] = [sum(len(b) for b in s.values()) for s in states]
        stats["bytes_by_analysis"] = {name: [len(s[name]) for s in states] for name in analyses}
    return {name: _MERGES[spec["kind"]]([s[name] for s in states], spec) for name, spec in analyses.items()}


def _merge_metrics(blobs, _spec):
    results = [cxkit.Result.deserialize(b) for b in blobs]
    return functools.reduce(lambda a, b: a.merge(b), results)


def _frames(blobs):
    import pandas
    frames = [pandas.DataFrame(pickle.loads(b)) for b in blobs]
    return pandas.concat(frames, ignore_index=True)


def _merge_transitions(blobs, _spec):
    df = _frames(blobs)
    out = df.groupby(["from", "to"], sort=True, as_index=False)["count"].sum()
    total = out.groupby("from")["count"].transform("sum")
    out["probability"] = out["count"] / total
    return out.reset_index(drop=True)


def _sketch_medians(parts):
    """{path: median} from the partitions' bucket counts: summed per
    (path, bucket), the median read from the bucket representatives."""
    import numpy
    import pandas
    df = pandas.concat([pandas.DataFrame(p) for p in parts], ignore_index=True)
    if not len(df):
        return {}
    g = df.groupby(["path", "key"], sort=True)["count"].sum()
    out = {}
    for path, c in g.groupby(level=0, sort=False):
        keys = c.index.get_level_values(1).to_numpy()
        cum = numpy.cumsum(c.to_numpy())
        n = int(cum[-1])
        rep = numpy.where(keys == _ZERO_KEY, 0.0, 2.0 * numpy.power(_GAMMA, keys.astype(numpy.float64)) / (_GAMMA + 1))
        lo, hi = rep[numpy.searchsorted(cum, (n - 1) // 2, side="right")], rep[numpy.searchsorted(cum, n // 2,
                                                                                                  side="right")]
        out[path] = (lo + hi) / 2
    return out


def _merge_paths(blobs, spec):
    import numpy
    import pandas
    states = [pickle.loads(b) for b in blobs]
    df = pandas.concat([pandas.DataFrame(st["paths"]) for st in states], ignore_index=True)
    # integer counts behind each partition's figures: NPS = 100 (p - d) / n,
    # CSAT = 100 good / n
    df["nps_net"] = numpy.where(df["nps_n"] > 0, numpy.rint(df["nps"].fillna(0) * df["nps_n"] / 100), 0)
    df["csat_good"] = numpy.where(df["csat_n"] > 0, numpy.rint(df["csat"].fillna(0) * df["csat_n"] / 100), 0)
    df["ces_sum"] = numpy.where(df["ces_n"] > 0, df["ces"].fillna(0) * df["ces_n"], 0.0)
    g = df.groupby("path", sort=False).agg(
        length=("length", "first"), journeys=("journeys", "sum"), customers=("customers", "sum"),
        conversions=("conversions", "sum"), nps_net=("nps_net", "sum"), nps_n=("nps_n", "sum"),
        csat_good=("csat_good", "sum"), csat_n=("csat_n", "sum"), ces_sum=("ces_sum", "sum"),
        ces_n=("ces_n", "sum")).reset_index()
    nan = float("nan")
    with numpy.errstate(invalid="ignore", divide="ignore"):
        g["conversion_rate"] = 100.0 * g["conversions"] / g["journeys"]
        g["nps"] = numpy.where(g["nps_n"] > 0, 100.0 * g["nps_net"] / g["nps_n"], nan)
        g["csat"] = numpy.where(g["csat_n"] > 0, 100.0 * g["csat_good"] / g["csat_n"], nan)
        g["ces"] = numpy.where(g["ces_n"] > 0, g["ces_sum"] / g["ces_n"], nan)
    g = g.sort_values(["journeys", "path"], ascending=[False, True], kind="mergesort")
    if spec["top_k"] is not None:
        g = g.head(spec["top_k"])
    dur = _sketch_medians([st["duration"] for st in states])
    conv = _sketch_medians([st["to_conversion"] for st in states])
    g["median_duration_ms"] = numpy.array([dur.get(p, nan) for p in g["path"]], dtype=numpy.float64)
    g["median_to_conversion_ms"] = numpy.array([conv.get(p, nan) for p in g["path"]], dtype=numpy.float64)
    cols = ["path", "length", "journeys", "customers", "conversions", "conversion_rate", "median_duration_ms", "nps",
            "nps_n", "csat", "csat_n", "ces", "ces_n", "median_to_conversion_ms"]
    return g[cols].reset_index(drop=True)


def _merge_attribution(blobs, spec):
    import pandas
    states = [pickle.loads(b) for b in blobs]
    heur = pandas.concat([pandas.DataFrame(st["heuristics"]) for st in states], ignore_index=True)
    heur = heur.groupby("name", as_index=False)[list(_ATTRIBUTION_COLUMNS[1:])].sum()
    paths = pandas.concat([pandas.DataFrame(st["paths"]) for st in states], ignore_index=True)
    paths = paths.groupby("path", as_index=False, sort=False)[["conversions", "nulls", "value"]].sum()
    table = cxkit.Paths()
    if len(paths):
        table.add_batch(paths["path"].tolist(), paths["conversions"].to_numpy(), paths["nulls"].to_numpy(),
                        paths["value"].to_numpy(), _PATH_SEPARATOR)
    markov = table.attribution(spec["order"]).to_pandas()[["name"] + list(_MARKOV_COLUMNS)]
    out = heur.merge(markov, on="name", how="outer")
    out[list(_ATTRIBUTION_COLUMNS[1:]) + list(_MARKOV_COLUMNS)] = out[
        list(_ATTRIBUTION_COLUMNS[1:]) + list(_MARKOV_COLUMNS)].fillna(0.0)
    cols = ["name"] + list(_MARKOV_COLUMNS) + list(_ATTRIBUTION_COLUMNS[1:])
    return out.sort_values(["markov", "name"], ascending=[False, True], kind="mergesort")[cols].reset_index(drop=True)


def _next_period(ms, bucket, offset):
    """The start (ms) of the calendar period after the one starting at ms."""
    import datetime as dt
    tz = dt.timezone(dt.timedelta(minutes=offset))
    t = dt.datetime.fromtimestamp(ms / 1000, tz)
    if bucket in ("day", "week"):
        t = t + dt.timedelta(days=1 if bucket == "day" else 7)
    else:
        months = {"month": 1, "quarter": 3, "year": 12}[bucket]
        m = t.month - 1 + months
        t = t.replace(year=t.year + m // 12, month=m % 12 + 1)
    return int(t.timestamp() * 1000)


def _merge_cohorts(blobs, spec):
    import numpy
    import pandas
    tables = [pickle.loads(b) for b in blobs]
    tables = [t for t in tables if len(t["period"])]
    cols = ["cohort", "cohort_label", "period", "period_start", "period_label", "size", "active", "retention",
            "gained", "kept", "lost", "churn"]  # cxkit.cohorts()' order
    if not tables:
        return pandas.DataFrame({c: [] for c in cols})
    # the calendar periods: every partition's table spans its own first to
    # last period; together they must cover one unbroken range
    labels = {}
    for t in tables:
        for ms, lab in zip(numpy.concatenate([t["cohort"], t["period_start"]]),
                           numpy.concatenate([t["cohort_label"], t["period_label"]])):
            labels[int(ms)] = lab
    periods = sorted(labels)
    for p, q in zip(periods, periods[1:]):
        if _next_period(p, spec["bucket"], spec["offset"]) != q:
            raise ValueError("cxkit.dask.cohorts: no partition has data between the periods %s and %s, so the "
                             "merged table cannot name the periods between" % (labels[p], labels[q]))
    pos = {p: k for k, p in enumerate(periods)}
    P = len(periods)
    size = numpy.zeros(P, dtype=numpy.int64)
    shape = (P, P)
    active, gained, kept, lost = (numpy.zeros(shape, dtype=numpy.int64) for _ in range(4))
    for t in tables:
        c = numpy.array([pos[int(x)] for x in t["cohort"]])
        k = numpy.asarray(t["period"], dtype=numpy.int64)
        numpy.add.at(active, (c, k), t["active"])
        numpy.add.at(gained, (c, k), t["gained"])
        numpy.add.at(kept, (c, k), t["kept"])
        numpy.add.at(lost, (c, k), t["lost"])
        first = k == 0
        numpy.add.at(size, c[first], numpy.asarray(t["size"])[first])
        # beyond this partition's last period, its customers active then are
        # lost in the next one
        last = max(pos[int(x)] for x in t["period_start"])
        for cc in numpy.unique(c):
            kk = last - cc + 1  # the period after the partition's last
            if cc + kk < P:
                row = (c == cc) & (k == kk - 1)
                lost[cc, kk] += int(numpy.asarray(t["active"])[row].sum())
    rows = [(ci, k) for ci in range(P) for k in range(P - ci)]
    ci = numpy.array([r[0] for r in rows])
    kk = numpy.array([r[1] for r in rows])
    out = pandas.DataFrame({
        "cohort": pandas.to_datetime(numpy.array(periods)[ci], unit="ms", utc=True),
        "cohort_label": [labels[periods[x]] for x in ci],
        "period": kk,
        "period_start": pandas.to_datetime(numpy.array(periods)[ci + kk], unit="ms", utc=True),
        "period_label": [labels[periods[x]] for x in ci + kk],
        "size": size[ci], "active": active[ci, kk], "gained": gained[ci, kk], "kept": kept[ci, kk],
        "lost": lost[ci, kk]})
    with numpy.errstate(invalid="ignore", divide="ignore"):
        out["retention"] = numpy.where(out["size"] > 0, out["active"] / out["size"].where(out["size"] > 0, 1),
                                       numpy.nan)
        prev = numpy.where(kk > 0, active[ci, numpy.maximum(kk - 1, 0)], 0)
        out["churn"] = numpy.where(prev > 0, out["lost"] / numpy.where(prev > 0, prev, 1), numpy.nan)
    return out[cols]


class MergedSummary:
    """The per-customer model summary of all partitions: ``frame`` (one row
    per customer: "customer", "frequency", "recency", "age", "monetary",
    "total", "holdout", "holdout_value"), ``tolerated_count()`` and
    ``column(name)`` as on a ``cxkit.Summary``, and ``fit(kind)`` to fit a
    model ("bgnbd", "paretonbd" or "gammagamma") to it."""

    def __init__(self, frame, tolerated):
        self.frame = frame
        self._tolerated = tolerated

    def count(self):
        return len(self.frame)

    def tolerated_count(self):
        return self._tolerated

    def column(self, name):
        return self.frame[name].to_numpy(dtype="float64")

    def fit(self, kind="bgnbd"):
        c = self.column
        if kind == "bgnbd":
            return cxkit.Model.fit_bgnbd(c("frequency"), c("recency"), c("age"))
        if kind == "paretonbd":
            return cxkit.Model.fit_paretonbd(c("frequency"), c("recency"), c("age"))
        if kind == "gammagamma":
            keep = self.frame["frequency"] > 0
            f = self.frame[keep]
            return cxkit.Model.fit_gammagamma(f["frequency"].to_numpy("float64"), f["monetary"].to_numpy("float64"))
        raise ValueError("cxkit.dask.MergedSummary.fit: kind: \"bgnbd\", \"paretonbd\" or \"gammagamma\", not %r"
                         % (kind,))

    def __repr__(self):
        return "<cxkit.dask.MergedSummary %d customers>" % len(self.frame)


def _merge_summary(blobs, _spec):
    import pandas
    tables = [pickle.loads(b) for b in blobs]
    tolerated = sum(t.pop("tolerated") for t in tables)
    frame = pandas.concat([pandas.DataFrame(t) for t in tables], ignore_index=True)
    return MergedSummary(frame, tolerated)


def _merge_themes(blobs, spec):
    counts = functools.reduce(cxkit.text_counts_merge, [cxkit.text_counts_deserialize(b) for b in blobs])
    return cxkit.text_themes(counts, spec["prior"], spec["min_count"]).to_pandas()


_MERGES = {"metrics": _merge_metrics, "transitions": _merge_transitions, "paths": _merge_paths,
           "attribution": _merge_attribution, "cohorts": _merge_cohorts, "summary": _merge_summary,
           "themes": _merge_themes}


# ---- splitting files by customer ---------------------------------------------

def partition_of(ids, n):
    """The partition (0 to n - 1) of each customer id: a hash of the id's
    text, the same in every process and every table (pandas'
    hash_pandas_object, whose key is fixed). partition="hash" uses Dask's
    own shuffle instead."""
    import pandas
    return (pandas.util.hash_pandas_object(pandas.Series(ids, dtype=object).astype(str), index=False)
            % n).to_numpy()


def split_csv(tables, n, out_dir):
    """Split tables by customer into n partitions of CSV files.

    tables: {table: CSV file name or pandas DataFrame}; the customer tables
    are split by partition_of() their customer id, into
    out_dir/<table>-<i>.csv; the reference tables are written whole to
    out_dir/<table>.csv. Returns the ``data`` dict the functions of this
    module take: {customer table: [n file names], reference table: file
    name}."""
    import pandas
    if not isinstance(n, int) or n < 1:
        raise ValueError("cxkit.dask.split_csv: n: a number of partitions >= 1, not %r" % (n,))
    os.makedirs(out_dir, exist_ok=True)
    data = {}
    for table, src in tables.items():
        if table not in CUSTOMER_TABLES and table not in REFERENCE_TABLES:
            raise ValueError("cxkit.dask.split_csv: tables: unknown table %r (tables: %s)"
                             % (table, ", ".join(_LOAD_ORDER)))
        frame = src if isinstance(src, pandas.DataFrame) else pandas.read_csv(
            src, dtype=str, keep_default_na=False)
        if table in REFERENCE_TABLES:
            path = os.path.join(out_dir, table + ".csv")
            _csv_of(frame, path)
            data[table] = path
            continue
        part = partition_of(frame[CUSTOMER_TABLES[table]], n)
        data[table] = []
        for i in range(n):
            path = os.path.join(out_dir, "%s-%d.csv" % (table, i))
            _csv_of(frame[part == i], path)
            data[table].append(path)
    return data


# ---- the entry points -------------------------------------------------------

def _metrics_spec(measures, group_by=(), filters=None, range=None, as_of=None, configure=None):
    measures = [measures] if isinstance(measures, str) else list(measures)
    if not measures:
        raise ValueError("cxkit.dask.metrics: measures: at least one measure")
    if "sla_breach" in measures and as_of is None:
        raise ValueError("cxkit.dask.metrics: as_of: \"sla_breach\" needs an explicit as_of (a store judges pending "
                         "cases at its own latest case time, which differs from partition to partition)")
    return {"kind": "metrics", "measures": measures, "group_by": list(group_by),
            "filters": dict(filters or {}), "range": range, "as_of": as_of, "configure": configure}


def metrics(data, measures, group_by=(), filters=None, range=None, as_of=None, configure=None, client=None,
            partition="check", stats=None):
    """A metrics query over all partitions: a ``cxkit.Result``, the merge of
    the partitions' results (``Result.merge``), so it serialises, merges and
    answers ``quantile()`` and ``compare()`` like any query result.

    measures: names as for ``Query.add`` ("nps", "csat", "fcr", ...);
    group_by: dimensions ("channel", ...), ("time", bucket, offset) or
    ("attribute", key); filters: {dimension: value or values}, a key
    "attribute:<name>" for a customer attribute; range: (from, to);
    as_of: the SLA as-of time (required with "sla_breach"); configure: a
    function called with each partition's ``cxkit.Query`` before it runs
    (SLA targets, calendar, FCR rule...; it must do the same on every
    partition and be picklable). stats: a dict to fill with "partitions",
    "bytes" (shipped per partition) and "bytes_by_analysis"."""
    spec = _metrics_spec(measures, group_by, filters, range, as_of, configure)
    return _run("metrics", data, {"metrics": spec}, client, partition, stats)["metrics"]


def _journey_spec(kind, journey_options, **kw):
    if journey_options is not None and not isinstance(journey_options, dict):
        raise TypeError("cxkit.dask.%s: journey_options: a dict of JourneyOptions.make() arguments, not %s"
                        % (kind, type(journey_options).__name__))
    return dict(kind=kind, journey_options=dict(journey_options or {}), **kw)


def transitions(data, order=1, journey_options=None, client=None, partition="check", stats=None):
    """The journey transition matrix of all partitions: a pandas DataFrame
    "from", "to", "count", "probability", rows by "from" then "to" (a
    single store lists them in order of first appearance).
    journey_options: a dict of ``cxkit.JourneyOptions.make`` arguments."""
    spec = _journey_spec("transitions", journey_options, order=int(order))
    return _run("transitions", data, {"transitions": spec}, client, partition, stats)["transitions"]


def paths(data, top_k=None, journey_options=None, client=None, partition="check", stats=None):
    """The journey paths of all partitions: a pandas DataFrame with the
    columns of ``Journeys.paths()``, rows by "journeys" descending then
    path; top_k: at most that many rows (None: all). Counts and rates equal
    a single store's; "median_duration_ms" and "median_to_conversion_ms"
    come from a mergeable log-bucketed sketch and are within
    ``PATH_MEDIAN_BOUND`` (0.5 %) relative of a single store's exact
    medians (NaN for a path without a converting journey; see the module's
    docstring)."""
    spec = _journey_spec("paths", journey_options, top_k=top_k)
    return _run("paths", data, {"paths": spec}, client, partition, stats)["paths"]


def attribution(data, order=1, journey_options=None, client=None, partition="check", stats=None):
    """The attributions of all partitions' conversions, the columns of
    ``Journeys.attribution()``: Markov ("removal_effect", "markov",
    "removal_effect_value", "markov_value", from the merged path counts
    solved once) and the heuristics (first touch, last touch, linear, time
    decay, position based, and their "_value" columns, summed): a pandas
    DataFrame with "name" and those columns, rows by "markov" descending
    then name, as a single store's."""
    spec = _journey_spec("attribution", journey_options, order=int(order))
    return _run("attribution", data, {"attribution": spec}, client, partition, stats)["attribution"]


def _cohorts_spec(activity="transactions", start="first_activity", bucket="month", offset=0):
    names = {cxkit.BUCKET_DAY: "day", cxkit.BUCKET_WEEK: "week", cxkit.BUCKET_MONTH: "month",
             cxkit.BUCKET_QUARTER: "quarter", cxkit.BUCKET_YEAR: "year"}
    if not isinstance(bucket, str):
        if bucket not in names:
            raise ValueError("cxkit.dask.cohorts: bucket: \"day\", \"week\", \"month\", \"quarter\" or "
                             "\"year\", not %r" % (bucket,))
        bucket = names[bucket]
    if bucket not in names.values():
        raise ValueError("cxkit.dask.cohorts: bucket: \"day\", \"week\", \"month\", \"quarter\" or \"year\", "
                         "not %r" % (bucket,))
    return {"kind": "cohorts", "activity": activity, "start": start, "bucket": bucket, "offset": int(offset)}


def cohorts(data, activity="transactions", start="first_activity", bucket="month", offset=0, client=None,
            partition="check", stats=None):
    """The cohort and retention table of all partitions (as
    ``cxkit.cohorts()``): a pandas DataFrame, one row per cohort and period
    since its start, ordered by cohort then period."""
    spec = _cohorts_spec(activity, start, bucket, offset)
    return _run("cohorts", data, {"cohorts": spec}, client, partition, stats)["cohorts"]


def _summary_spec(calibration_end, holdout_end=None, unit_ms=604800000, tolerance_ms=86400000):
    return {"kind": "summary", "calibration_end": calibration_end, "holdout_end": holdout_end,
            "unit_ms": int(unit_ms), "tolerance_ms": int(tolerance_ms)}


def summary(data, calibration_end, holdout_end=None, unit_ms=604800000, tolerance_ms=86400000, client=None,
            partition="check", stats=None):
    """The per-customer model summary of all partitions (as
    ``cxkit.Summary``): a ``MergedSummary``; ``.fit("bgnbd")`` fits a model
    to it."""
    spec = _summary_spec(calibration_end, holdout_end, unit_ms, tolerance_ms)
    return _run("summary", data, {"summary": spec}, client, partition, stats)["summary"]


def _themes_spec(metric="nps", group="none", touchpoint=None, channel=None, start=None, end=None, bucket="month",
                 offset=0, prior=0.0, min_count=5, lang="auto"):
    return {"kind": "themes", "metric": metric, "group": group, "touchpoint": touchpoint, "channel": channel,
            "start": start, "end": end, "bucket": bucket, "offset": int(offset), "prior": float(prior),
            "min_count": int(min_count), "lang": lang}


def themes(data, metric="nps", group="none", touchpoint=None, channel=None, start=None, end=None, bucket="month",
           offset=0, prior=0.0, min_count=5, lang="auto", client=None, partition="check", stats=None):
    """What customers write, over all partitions: the themes of
    ``TextIndex.themes()`` (the terms and phrases of the "low" answers
    against the "high" ones, weighted log-odds with an informative
    Dirichlet prior) as a pandas DataFrame. Each worker indexes its
    partition's comments and ships its term counts
    (``text_counts_serialize``); the driver adds them
    (``text_counts_merge``) and computes the themes once, so the counts
    are exactly a single store's and the statistics equal to rounding."""
    spec = _themes_spec(metric, group, touchpoint, channel, start, end, bucket, offset, prior, min_count, lang)
    return _run("themes", data, {"themes": spec}, client, partition, stats)["themes"]


_SPECS = {"metrics": _metrics_spec, "cohorts": _cohorts_spec, "summary": _summary_spec, "themes": _themes_spec,
          "transitions": lambda journey_options=None, order=1: _journey_spec("transitions", journey_options,
                                                                            order=int(order)),
          "paths": lambda journey_options=None, top_k=None: _journey_spec("paths", journey_options, top_k=top_k),
          "attribution": lambda journey_options=None, order=1: _journey_spec("attribution", journey_options,
                                                                            order=int(order))}


def compute(data, analyses, client=None, partition="check", stats=None):
    """Several analyses in one pass (each partition is loaded once):
    analyses maps a name of your choice to (kind, arguments), kind one of
    "metrics", "transitions", "paths", "attribution", "cohorts", "summary", "themes"
    and arguments a dict of that function's arguments, e.g.
    ``{"by_channel": ("metrics", {"measures": ["nps"], "group_by": ["channel"]})}``.
    Returns {name: merged result}."""
    if not isinstance(analyses, dict) or not analyses:
        raise TypeError("cxkit.dask.compute: analyses: a non-empty dict {name: (kind, arguments)}")
    specs = {}
    for name, entry in analyses.items():
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and entry[0] in _SPECS
                and isinstance(entry[1], dict)):
            raise ValueError("cxkit.dask.compute: analyses[%r]: (kind, {arguments}) with kind one of %s"
                             % (name, ", ".join(sorted(_SPECS))))
        try:
            specs[name] = _SPECS[entry[0]](**entry[1])
        except TypeError as e:
            raise TypeError("cxkit.dask.compute: analyses[%r]: %s" % (name, e)) from None
    return _run("compute", data, specs, client, partition, stats)
