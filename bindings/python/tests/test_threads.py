"""Threads (the rules of include/cxkit/store.h and docs/conventions.md):
a store per thread, used freely; one store shared by threads that only read
it (queries, exports, histories, gets). The wrapper is built without SWIG's
-threads, so every call holds the GIL: calls do not overlap, and the
binding's reference counts (cxkit_bind.h) are never touched by two threads
at once. These check that the results are the same as in one thread and
that nothing crashes (run under ASan by tests/run-all.sh)."""
import sys
import threading

import cxkit
from conftest import load_demo, DATA

THREADS = 4


def run_threads(fn, n=THREADS):
    errors, results = [], [None] * n

    def body(i):
        try:
            results[i] = fn(i)
        except BaseException as e:  # noqa: B036 - reported to the main thread
            errors.append(e)

    ts = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    return results


def nps_by_channel(store):
    q = cxkit.Query(store)
    q.add("nps")
    q.group_by("channel")
    r = q.run()
    return [tuple(sorted(row.items())) for row in r]


def test_a_store_per_thread_imports_and_queries(tmp_path):
    def work(i):
        s = load_demo(cxkit.Store())
        s.add_customer("T-%d" % i)
        out = nps_by_channel(s)
        p = tmp_path / ("t%d.db" % i)
        s.save(str(p))
        t = cxkit.Store.load(str(p))
        assert t.rows("customers") == s.rows("customers")
        return out

    results = run_threads(work)
    alone = nps_by_channel(load_demo(cxkit.Store()))
    assert all(r == alone for r in results)


def test_read_only_queries_on_one_shared_store(demo, tmp_path):
    alone = nps_by_channel(demo)
    hist = len(demo.history("C-100002"))

    def work(i):
        for _ in range(5):
            assert nps_by_channel(demo) == alone
            assert len(demo.history("C-100002")) == hist
            assert demo.get("customers", "id", 0) == demo.get("customers", "id", 0)
        demo.export_csv("feedback", str(tmp_path / ("f%d.csv" % i)))
        return (tmp_path / ("f%d.csv" % i)).read_bytes()

    outs = run_threads(work)
    assert len(set(outs)) == 1


def test_shared_store_dropped_by_threads_in_any_order():
    """Children of one store made and dropped in several threads: the
    reference counts stay right (the store is freed once, at the end)."""
    s = cxkit.Store()
    s.add_customer("a")
    s.add_feedback("a", "nps", 9, 0)

    def work(i):
        for _ in range(200):
            q = cxkit.Query(s)
            q.add("nps")
            h = s.history("a")
            r = q.run()
            del q
            assert r.rows() == 1 and h.count() == 1
        return i

    # switch threads as often as the interpreter can, so that the children's
    # creations and collections interleave as much as they may
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        run_threads(work)
    finally:
        sys.setswitchinterval(old)
    del s
    import gc
    gc.collect()


def test_errors_are_per_thread():
    """A failure in one thread never shows as another thread's message."""
    s = cxkit.Store()
    s.add_customer("a")

    def work(i):
        for k in range(300):
            if i % 2:
                try:
                    s.history("nobody-%d" % i)
                except cxkit.NotFound as e:
                    assert "nobody-%d" % i in str(e)
                else:
                    raise AssertionError("no error")
            else:
                assert s.history("a").count() == 0
        return i

    run_threads(work)
