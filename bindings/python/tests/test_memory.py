"""Ownership: no leak over a million create/free cycles, no double free
whatever the order in which parents and children are collected."""
import os
import random

import cxkit
from conftest import drop_in_random_order


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def cycles(n):
    for _ in range(n):
        s = cxkit.Store()
        q = cxkit.Query(s)
        del s
        del q


def test_million_cycles_do_not_leak():
    cycles(20000)  # warm up the allocator
    before = rss_kb()
    cycles(1000000)
    grown = rss_kb() - before
    # a leak of even one 16-byte block per cycle would be 16 MB
    assert grown < 4096, "RSS grew by %d kB over 10^6 cycles" % grown


def test_result_and_history_cycles_do_not_leak():
    s = cxkit.Store()
    s.add_customer("a")
    s.add_feedback("a", "nps", 9, 0)
    q = cxkit.Query(s)
    q.add("nps")
    for _ in range(2000):
        q.run(); s.history("a")
    before = rss_kb()
    for _ in range(100000):
        r = q.run()
        r.row(0)
        h = s.history("a")
        h.entry(0)
    assert rss_kb() - before < 4096


def test_any_collection_order():
    rnd = random.Random(5)
    for _ in range(300):
        s = cxkit.Store()
        s.add_customer("a")
        cal = cxkit.Calendar()
        objs = [s, cal]
        for _ in range(3):
            q = cxkit.Query(s)
            q.set_calendar(cal)
            objs += [q, s.history("a")]
        drop_in_random_order(objs, rnd)


def test_put_forget_and_pseudonym_cycles_do_not_leak():
    """The arrays and texts of the new calls are freed, on success and on failure."""
    s = cxkit.Store()
    s.add_touchpoint("w", "web", "consideration")
    key = b"k" * 32

    def cycle():
        s.put_customer("c", "consumer")
        s.put_interaction("I", "c", "w", 0)
        s.add_feedbacks(["c"], ["nps"], [9.0], [1], interactions=["I"], ids=["F"])
        s.add_transactions(["c"], [0], [1.0], ids=["X"])
        try:
            s.forget(["c", "nobody"])
        except cxkit.NotFound:
            pass
        s.forget(["c"])
        cxkit.pseudonym(key, "c")

    for _ in range(2000):
        cycle()
    before = rss_kb()
    for _ in range(50000):
        cycle()
    assert s.rows("customers") == 0 and s.rows("feedback") == 0
    assert rss_kb() - before < 4096
