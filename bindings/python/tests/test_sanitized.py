"""Only in a sanitized build (-Db_sanitize=address): the binding suites run
with ASan's runtime preloaded and leak detection on, with lsan.supp
suppressing the interpreter's own blocks. These check that this set-up
still catches what it is there for: a block of ours that leaks is
reported by a child interpreter, which then fails."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif("address" not in os.environ.get("CXKIT_SANITIZED", ""),
                                reason="not a sanitized build")


def child(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ))


def test_clean_run_reports_no_leak():
    out = child("import cxkit\n"
                "s = cxkit.Store(); s.add_customer('a'); s.add_feedback('a', 'nps', 9, 0)\n"
                "q = cxkit.Query(s); q.add('nps'); r = q.run(); print(r.rows())\n")
    assert out.returncode == 0, out.stderr
    assert "LeakSanitizer" not in out.stderr


def test_a_leaked_store_is_reported():
    # a Store disowned by the script is never freed: its blocks, allocated
    # by the library and the wrapper, must be reported despite lsan.supp
    out = child("import cxkit\n"
                "s = cxkit.Store(); s.add_customer('leaky')\n"
                "s.thisown = False\n"
                "del s\n")
    assert out.returncode != 0
    assert "ERROR: LeakSanitizer: detected memory leaks" in out.stderr
    assert "cx_store_new" in out.stderr or "cxb_store_wrap" in out.stderr or "cxi_" in out.stderr, out.stderr


def test_runtime_is_loaded_and_the_module_instrumented():
    import cxkit
    with open("/proc/self/maps") as f:
        maps = f.read()
    assert "libasan" in maps or "clang_rt.asan" in maps
    # instrumented code calls ASan's report functions
    mod = cxkit._cxkit.__file__
    with open(mod, "rb") as f:
        assert b"__asan_report_" in f.read()
