#!/usr/bin/env python3
"""cx_analysis.py: the CX analysis of the demo data with the Python bindings.

Loads examples/data/*.csv, then prints
  1. the NPS / CSAT / CES / FCR scorecard by channel and by month (Riyadh
     time), with 95 % intervals, and whether the best and worst channels
     really differ;
  2. service times in business hours (Sun-Thu 08-17, +03:00) and SLA
     breaches by priority;
  3. the per-agent daily report of the last week;
  4. one customer's omnichannel history;
  5. a live-monitor reading of the last 24 hours, fed event by event;
  6. the customer journeys: top paths, a stage funnel, attribution of the
     purchases by channel, and the prioritised pain points;
and checks that the store survives a round trip through a SQLite file.

Usage: python3 cx_analysis.py [DATA_DIR]   (default: the demo data)
Runs from the build tree (PYTHONPATH=build/bindings/python) or installed.
"""
import math
import os
import pathlib
import sys
import tempfile

import cxkit

RIYADH = 180  # minutes east of UTC


def load(data_dir):
    store = cxkit.Store()
    # every table after the tables its rows refer to
    for table in ("customers", "touchpoints", "cases", "interactions", "questions", "feedback",
                  "transactions"):
        report = store.import_csv(table, str(data_dir / (table + ".csv")))
        if report.rejected():
            print("  %s: %d rows rejected, first: %s" % (table, report.rejected(), report.rejects()[:1]))
    print("Loaded " + ", ".join("%d %s" % (store.rows(t), t) for t in
                                 ("customers", "interactions", "cases", "feedback", "transactions")))
    # only read from here on: give back the room kept for rows to come and
    # the index of the events' ids (a find by id builds it again)
    loaded = store.memory()
    store.compact()
    print("Store memory: %d kB loaded, %d kB compacted" % (loaded // 1024, store.memory() // 1024))
    return store


def fmt(x, spec="6.1f"):
    return " " * (int(spec.split(".")[0]) - 1) + "-" if isinstance(x, float) and math.isnan(x) else format(x, spec)


def scorecard(store, by):
    q = cxkit.Query(store)
    for m in ("nps", "csat", "ces", "fcr", "cx_index"):
        q.add(m)
    if by == "month":
        q.group_by_time("month", RIYADH)
    else:
        q.group_by(by)
    result = q.run()
    print("\nCX scorecard by %s" % by)
    print("  %-13s %6s %15s %6s %6s %5s %6s %6s %6s" % (by, "NPS", "95% CI", "n", "CSAT%", "CES", "easy%", "FCR%",
                                                       "index"))
    for row in result:
        label = row[by]
        if by == "month":
            label = cxkit.time_format(label, RIYADH)[:7]
        # "<measure>_small": fewer answers than the query's minimum (30)
        print("  %-13s %s [%s,%s] %6d%s %s %s %s %s %s" % (
            label or "(none)", fmt(row["nps"]), fmt(row["nps_lo"]), fmt(row["nps_hi"]), row["nps_n"],
            "*" if row["nps_small"] else " ", fmt(row["csat"]), fmt(row["ces"], "5.2f"), fmt(row["ces_easy"]),
            fmt(row["fcr"]), fmt(row["cx_index"])))
    print("  * n < %d: too few answers for the figure to mean much" % cxkit.QUERY_MIN_N_DEFAULT)
    if by == "channel":
        rows = [(i, r) for i, r in enumerate(result) if not r["nps_small"]]
        best = max(rows, key=lambda x: x[1]["nps"])
        worst = min(rows, key=lambda x: x[1]["nps"])
        diff, p = result.compare(best[0], result, worst[0], "nps")
        print("  best %s vs worst %s: NPS differs by %.1f points, p = %.2g%s" % (
            best[1]["channel"], worst[1]["channel"], diff, p, " (significant at 5 %)" if p < 0.05 else ""))
    return result


def service_times(store):
    cal = cxkit.Calendar(RIYADH)
    for weekday in (7, 1, 2, 3, 4):  # Sunday to Thursday
        cal.add_hours(weekday, 8 * 60, 17 * 60)
    q = cxkit.Query(store)
    for m in ("first_response", "resolution", "sla_breach", "reopen_rate"):
        q.add(m)
    q.group_by("priority")
    q.set_calendar(cal)
    hour = 3600000
    q.set_sla(None, None, 4 * hour, 24 * hour)
    q.set_sla("urgent", None, 1 * hour, 8 * hour)
    q.set_sla("high", None, 2 * hour, 16 * hour)
    print("\nService times in business hours (Sun-Thu 08-17, +03:00) by priority")
    print("  %-8s %6s %12s %12s %14s %8s %8s" % ("priority", "cases", "1st resp med", "1st resp p90",
                                                "resolution med", "SLA br%", "reopen%"))
    for r in q.run():
        print("  %-8s %6d %11.1fh %11.1fh %13.1fh %8.1f %8.1f" % (
            r["priority"] or "(none)", r["reopen_rate_n"], r["first_response_median"] / hour,
            r["first_response_p90"] / hour, r["resolution_median"] / hour, r["sla_breach"], r["reopen_rate"]))


def agent_daily(store):
    q = cxkit.Query.agent_daily(store, RIYADH)
    q.set_range("2025-12-24T00:00:00+03:00", "2025-12-31T00:00:00+03:00")
    result = q.run()
    print("\nPer-agent daily report, 2025-12-24 to 2025-12-30 (first 12 of %d rows)" % result.rows())
    print("  %-20s %-10s %8s %9s %8s %8s %6s %6s" % ("agent", "day", "handled", "AHT min", "missed%", "abandon%",
                                                    "CSAT%", "NPS"))
    for r in list(result)[:12]:
        print("  %-20s %-10s %8d %9s %8s %8s %6s %6s" % (
            r["agent"] or "(none)", cxkit.time_format(r["day"], RIYADH)[:10], r["handle_time_n"],
            fmt(r["handle_time_mean"] / 60000, "9.1f"), fmt(r["missed_rate"], "8.1f"),
            fmt(r["abandon_rate"], "8.1f"), fmt(r["csat"], "6.1f"), fmt(r["nps"], "6.1f")))
    return result


def history(store, customer):
    rec = store.record("customers", store.find("customers", customer))
    h = store.history(customer)
    print("\nOmnichannel history of %s (%s, %s, %s): %d entries" % (
        customer, rec.get("name"), rec["region"], rec["segment"], len(h)))
    for e in h:
        when = cxkit.time_format(e["time"], RIYADH)[:16]
        if e["table"] == "interactions":
            what = "%s %s %s %s" % (e["touchpoint"], e["kind"] or "", e["direction"], e["outcome"])
            if e["agent"]:
                what += " agent " + e["agent"]
        elif e["table"] == "cases":
            what = "case %s opened on %s (%s), %d contacts" % (e["id"], e["channel"], e["priority"], e["contacts"])
        elif e["table"] == "feedback":
            what = "%s = %g" % (e["question"], e["score"]) + (" \"%s\"" % e["comment"] if e["comment"] else "")
            if e["interaction"]:  # the id of the interaction it rates
                what += " on " + e["interaction"]
        else:
            what = "purchase %.2f" % e["amount"]
        print("  %s  %-12s %s" % (when, e["table"], what))


def monitor(store):
    """Feed the last day's contacts and answers to a 24-hour monitor."""
    end = cxkit.to_ms("2025-12-31T00:00:00+03:00")
    start = end - 24 * 3600000
    m = cxkit.Monitor(24 * 3600000)
    events = []
    for r in store.records("interactions"):
        t = cxkit.to_ms(r["time"])
        if start < t <= end and r["kind"] == "contact":
            events.append((t, 0, r["outcome"], r["duration_ms"]))
    for r in store.records("feedback"):
        t = cxkit.to_ms(r["time"])
        if start < t <= end and r["question"] in ("nps", "csat"):
            events.append((t, 1, r["question"], r["score"]))
    for t, kind, a, b in sorted(events):
        if kind == 0:
            m.add_contact(t, a, b)
        elif a == "nps":
            m.add_answer(t, "nps", b, 0, 10)
        else:
            m.add_answer(t, "csat", b, 1, 5)
    print("\nLive monitor, last 24 hours to 2025-12-31 00:00 +03:00")
    for measure in ("nps", "csat", "missed_rate", "abandon_rate", "handle_time"):
        v, n = m.read(end, measure)
        if measure == "handle_time":
            v, measure = v / 60000, "AHT (min)"
        print("  %-13s %8s  (n = %d)" % (measure, fmt(v, "8.1f"), n))


def journeys(store):
    """Journeys of the demo data: a purchase converts, and its delivery,
    unboxing, onboarding and support stay in its journey (boundary
    "post_purchase", the default); consecutive repeats merged; a repeat
    contact within 14 days counts against a touchpoint."""
    day = 86400000
    # built on two threads (threads=2): the same journeys, sooner on a large store
    j = cxkit.Journeys(store, boundary="post_purchase", collapse=True, repeat_contacts=("contact", 14 * day),
                       threads=2)
    print("\nJourneys: %d, of which %d converted" % (j.count(), j.conversion_count()))
    print("  %6s %7s %9s %6s  %s" % ("n", "conv%", "median h", "NPS", "path"))
    for r in j.paths(5):
        print("  %6d %7.1f %9.1f %s  %s" % (r["journeys"], r["conversion_rate"], r["median_duration_ms"] / 3.6e6,
                                          fmt(r["nps"]), r["path"]))

    funnel = cxkit.Funnel.make(store, [("stage", "awareness"), ("stage", "consideration"), ("stage", "purchase"),
                                       ("touchpoint", "home_delivery")], window_ms=90 * day)
    print("\nFunnel within 90 days of the first step, as of the last interaction")
    print("  %-14s %8s %10s %9s %8s %9s" % ("step", "entered", "from 1st%", "completed", "dropped", "still in"))
    for r in j.funnel(funnel):
        print("  %-14s %8d %10.1f %9d %8d %9d" % (r["name"], r["entered"], r["conversion_first"], r["completed"],
                                                 r["dropped"], r["in_progress"]))

    by_channel = cxkit.Journeys(store, level="channel", collapse=True)
    print("\nAttribution of %d purchases by channel (Markov removal effect beside first / last touch)"
          % by_channel.conversion_count())
    for r in list(by_channel.attribution(1))[:6]:
        print("  %-12s markov %7.1f  first %7.1f  last %7.1f  linear %7.1f" % (
            r["name"], r["markov"], r["first_touch"], r["last_touch"], r["linear"]))

    pain = j.pain_points()
    print("\nPain points, prioritised (signals significantly worse than elsewhere, p < 0.05)")
    for r in list(pain)[:5]:
        print("  %d. %-18s flags %d  score %5.1f" % (r["rank"], r["touchpoint"], r["flags"], r["score"]))
    print("  first pain point: %s (%s)" % (pain[0]["touchpoint"], pain[0]["reason"].split(";")[0]))


def lifecycle(store):
    """Retention by quarter of first purchase, survival by segment, the top
    customers by 12-month CLV and the top of the care list."""
    day, week = 86400000, 7 * 86400000
    as_of, cal_end = "2026-01-01T00:00:00+03:00", "2025-07-01T00:00:00+03:00"
    # one row per cohort and quarter since its start, in cohort order
    cohorts = cxkit.cohorts(store, "transactions", "first_activity", "quarter", 180)
    triangle = {}
    for row in cohorts:
        triangle.setdefault(row["cohort_label"], (row["size"], []))[1].append(row["retention"])
    periods = len(triangle)
    print("\nRetention by quarter of first purchase (% buying again k quarters later)")
    print("  %-8s %5s" % ("cohort", "size") + "".join("   +%dQ" % k for k in range(1, periods)))
    for label, (size, retention) in triangle.items():
        retention = retention[1:] + [math.nan] * (periods - len(retention))
        cells = ("%6.1f%%" % (100 * r) if not math.isnan(r) else " " * 7 for r in retention)
        print("  %-8s %5d" % (label, size) + "".join(cells))

    surv = cxkit.Survival.from_store(store, "all", 180 * day, as_of, group_by="segment")
    lr = surv.logrank()
    print("\nMedian relationship by segment (churn = 180 days without a purchase or contact): " +
          ", ".join("%s %.0f days" % (label, med) for label, med in surv.medians().items()) +
          "; log-rank p = %.3g" % lr["p"])

    # the default tolerance (a day) accepts purchases stamped a little before
    # their customer's acquisition (clock skew between systems), and counts them
    summary = cxkit.Summary(store, cal_end, as_of, unit_ms=week)
    print("Summary: %d purchases dated up to a day before their customer's acquisition, kept as clock skew"
          % summary.tolerated_count())
    x, t_x, T, mean = (summary.column(c) for c in ("frequency", "recency", "age", "monetary"))
    bg = cxkit.fit_bgnbd(x, t_x, T)
    gg = cxkit.fit_gammagamma(x, mean)
    print("BG/NBD on %d customers: %s" % (summary.count(),
          ", ".join("%s = %.4g (se %.2g)" % (p["name"], p["value"], p["std_error"]) for p in bg.params())))
    # a new customer's purchases in a year, as a distribution; then how the
    # model's expectations did in the holdout (2025-H2), by calibration frequency
    pmf = bg.purchase_pmf(52, 4)
    print("A new customer's purchases in 52 weeks: " +
          ", ".join("P(%d) %.1f%%" % (n, 100 * v) for n, v in enumerate(pmf)) +
          ", P(5+) %.1f%%; mean %.2f" % (100 * (1 - sum(pmf)), bg.population_expected([52])[0]))
    print("Holdout (2025-H2): mean purchases by calibration frequency, actual vs expected")
    holdout_weeks = (cxkit.time_parse(as_of) - cxkit.time_parse(cal_end)).total_seconds() * 1000 / week
    for r in summary.calibration(bg, holdout_weeks, max_frequency=5):
        print("  x = %-3s %5d customers  %5.2f  %5.2f" % (r["label"], r["customers"], r["actual"], r["expected"]))
    # CLV of the summary's customers: a Result with their ids and P(alive)
    clv = summary.clv(bg, gg, periods=12, period=52 / 12, discount=0.01)
    top = sorted(range(len(clv)), key=lambda i: -clv.get(i, "clv"))[:5]
    print("Top customers by 12-month CLV")
    for i in top:  # rows in the summary's order, as its columns
        r = clv[i]
        print("  %-10s x %3.0f  P(alive) %5.1f%%  CLV %9.2f" % (r["customer"], x[i], 100 * r["p_alive"], r["clv"]))

    now = cxkit.Summary(store, as_of, unit_ms=week)
    bg_now = cxkit.fit_bgnbd(now.column("frequency"), now.column("recency"), now.column("age"))
    health = {r["customer"]: r["score"] for r in cxkit.health(store, as_of, model=bg_now, summary=now)}
    rules = cxkit.CareRules()
    sla = rules.add("sla_breach", 9, window_ms=72 * 3600000)
    rules.set_baseline(sla, 24 * 3600000)
    rules.add("detractor_after_case", 8, threshold=6, window_ms=30 * day)
    rules.add("repeat_contacts", 7, threshold=3, window_ms=14 * day)
    rules.add("high_effort", 5, threshold=1 / 6 + 1e-9, window_ms=30 * day)
    care = rules.evaluate(store, as_of, bg_now, now)
    print("Contact now (as of 2025-12-31): %d entries; the first:" % len(care))
    for c in list(care)[:3]:
        print("  %-10s %-20s prio %d  health %5.1f  %s" % (c["customer"], c["kind_name"], c["priority"],
                                                          health[c["customer"]], c["reason"]))


def main():
    default = pathlib.Path(__file__).resolve().parents[1] / "data"
    data_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CXKIT_DATA", default))
    with load(data_dir) as store:
        scorecard(store, "channel")
        scorecard(store, "month")
        service_times(store)
        agent_daily(store)
        history(store, "C-100002")
        monitor(store)
        journeys(store)
        lifecycle(store)
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "cx.db")
            store.save(db)
            again = cxkit.Store.load(db)
            assert again.rows("feedback") == store.rows("feedback")
            print("\nSaved to SQLite and loaded back: %d feedback rows" % again.rows("feedback"))


if __name__ == "__main__":
    main()
