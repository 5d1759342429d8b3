"""dask_data.py: a generated CX data set of any size, deterministic (numpy,
fixed seed), for the cxkit.dask test, example and benchmark.

generate(rows, seed, prefix) returns {table: pandas DataFrame} with the columns of
examples/data (touchpoints and questions are the demo's): `rows`
interactions of rows / 20 customers over 2024-2025, rows / 10 purchases,
rows / 20 survey answers and rows / 50 cases. Text columns are str, times
ISO 8601 in UTC, so the frames write to CSV files the store imports as
they are. Every id starts with `prefix`, so that sets generated with
different prefixes (and seeds) are disjoint partitions of one data set.
"""
import os
import pathlib

import numpy
import pandas

DEMO = pathlib.Path(os.environ.get("CXKIT_DATA", pathlib.Path(__file__).resolve().parents[1] / "examples" / "data"))
START = numpy.datetime64("2024-01-01T00:00:00", "s").astype("int64")
SPAN = 2 * 365 * 86400  # seconds


def _iso(seconds):
    return numpy.datetime_as_string(seconds.astype("datetime64[s]"), unit="s", timezone="UTC")


def _pick(rng, values, n, p=None):
    return numpy.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p)]


def generate(rows, seed=13, prefix=""):
    rng = numpy.random.default_rng(seed)
    touchpoints = pandas.read_csv(DEMO / "touchpoints.csv", dtype=str, keep_default_na=False)
    questions = pandas.read_csv(DEMO / "questions.csv", dtype=str, keep_default_na=False)
    ncust = max(1, rows // 20)
    cids = numpy.array([prefix + "G-%07d" % i for i in range(ncust)], dtype=object)
    acquired = START + rng.integers(0, SPAN, ncust)
    customers = pandas.DataFrame({
        "id": cids, "segment": _pick(rng, ["consumer", "business", "vip"], ncust, [0.7, 0.25, 0.05]),
        "region": _pick(rng, ["Riyadh", "Jeddah", "Dammam", "Makkah"], ncust),
        "plan": _pick(rng, ["basic", "plus", "premium"], ncust),
        "acquired": numpy.where(rng.random(ncust) < 0.8, _iso(acquired), "")})

    def events(n, before=30 * 86400, spread=120 * 86400):
        who = rng.integers(0, ncust, n)
        # around each customer's acquisition, within the two years
        t = numpy.clip(acquired[who] + rng.integers(-before, spread, n), START, START + SPAN - 1)
        return who, t

    who, t = events(rows)
    tp = touchpoints["name"].to_numpy(dtype=object)
    stage = dict(zip(touchpoints["name"], touchpoints["stage"]))
    tpi = _pick(rng, tp, rows)
    kind = numpy.array(["contact" if stage[x] == "service" else
                        "purchase" if stage[x] == "purchase" and not x.endswith(("delivery", "pickup")) else
                        "delivery" if stage[x] == "purchase" else "visit" for x in tp], dtype=object)
    kinds = kind[pandas.Index(tp).get_indexer(tpi)]
    outcome = _pick(rng, ["handled", "missed", "abandoned"], rows, [0.9, 0.04, 0.06])
    interactions = pandas.DataFrame({
        "id": numpy.char.add(prefix + "I-", numpy.arange(rows).astype(str)).astype(object),
        "customer": cids[who], "touchpoint": tpi, "time": _iso(t), "kind": kinds,
        "direction": numpy.where(rng.random(rows) < 0.8, "inbound", "outbound").astype(object),
        "agent": numpy.where(kinds == "contact", _pick(rng, ["Noura", "Omar", "Sara", "Khalid"], rows), ""),
        "case": "", "duration_ms": numpy.where(kinds == "contact", rng.integers(30000, 1800000, rows), 0),
        "outcome": outcome,
        "value": numpy.where(kinds == "purchase", numpy.round(rng.gamma(2.0, 150.0, rows), 2), 0.0)})

    nx = max(1, rows // 10)
    who, t = events(nx, before=0)  # no purchase before the acquisition
    transactions = pandas.DataFrame({
        "id": numpy.char.add(prefix + "X-", numpy.arange(nx).astype(str)).astype(object), "customer": cids[who],
        "time": _iso(t), "amount": numpy.round(rng.gamma(2.0, 150.0, nx), 2)})

    nf = max(1, rows // 20)
    who, t = events(nf)
    q = _pick(rng, ["nps", "csat", "ces"], nf)
    score = numpy.where(q == "nps", rng.integers(0, 11, nf), numpy.where(q == "csat", rng.integers(1, 6, nf),
                                                                         rng.integers(1, 8, nf)))
    feedback = pandas.DataFrame({
        "id": numpy.char.add(prefix + "F-", numpy.arange(nf).astype(str)).astype(object), "customer": cids[who],
        "question": q, "score": score, "time": _iso(t), "touchpoint": _pick(rng, tp, nf), "interaction": "",
        "case": "", "comment": ""})

    nc = max(1, rows // 50)
    who, t = events(nc)
    first = t + rng.integers(60, 8 * 3600, nc)
    resolved = first + rng.integers(600, 5 * 86400, nc)
    open_ = rng.random(nc) < 0.1
    cases = pandas.DataFrame({
        "id": numpy.char.add(prefix + "T-", numpy.arange(nc).astype(str)).astype(object), "customer": cids[who],
        "channel": _pick(rng, ["phone", "chat", "email", "whatsapp"], nc),
        "priority": _pick(rng, ["low", "normal", "high", "urgent"], nc, [0.2, 0.5, 0.2, 0.1]),
        "agent": _pick(rng, ["Noura", "Omar", "Sara", "Khalid"], nc), "opened": _iso(t),
        "first_response": _iso(first), "resolved": numpy.where(open_, "", _iso(resolved)),
        "reopens": (rng.random(nc) < 0.08).astype(int), "contacts": rng.integers(1, 4, nc)})
    return {"customers": customers, "touchpoints": touchpoints, "cases": cases, "interactions": interactions,
            "questions": questions, "feedback": feedback, "transactions": transactions}
