"""The Python example runs and finds what the demo data plants."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("CXKIT_SOURCE_ROOT", pathlib.Path(__file__).parents[3]))


def test_cx_analysis_example():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "cx_analysis.py")],
                         capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Loaded 3000 customers, 35247 interactions" in text
    assert "worst delivery" in text  # the planted pain point
    assert "Per-agent daily report" in text
    assert "Omnichannel history of C-100002 (خالد العنزي" in text
    assert "Journeys: 9047, of which 7632 converted" in text
    assert "  first pain point: home_delivery (" in text  # the planted pain point, again
    assert "Funnel within 90 days" in text and "Attribution of 7632 purchases by channel" in text
    assert "Saved to SQLite and loaded back: 10766 feedback rows" in text


def test_cx_sync_example():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "cx_sync.py")],
                         capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    blocks = out.stdout.split("\n\n")
    first, again, crm = (b.splitlines() for b in blocks[:3])
    assert first[0] == "First import (existing='update'):" and len(first) == 8
    assert again[0] == "The same files again:" and len(again) == 8
    for line in again[1:]:
        f = line.split()
        # table read N added 0 updated 0 unchanged N rejected 0
        assert f[3:7] == ["added", "0", "updated", "0"] and f[8] == f[2] and f[10] == "0", line
    assert crm[1].split()[1:] == ["read", "3", "added", "1", "updated", "1", "unchanged", "1", "rejected", "0"]
    # the rows removed are the customer and their history, counted here on a fresh load
    from conftest import load_demo
    import cxkit
    with cxkit.Store() as s:
        n = len(load_demo(s).history("C-100002")) + 1
    assert "Forgot C-100002: %d rows removed" % n in out.stdout
    assert "and it is gone: Store.history: no customer 'C-100002'" in out.stdout
    assert out.stdout.rstrip().endswith("(= cxkit.pseudonym(key, id): True)")


def test_cx_pandas_example(tmp_path):
    """The pandas example saves its seven charts as PNG files and names them."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("pandas")
    image = pytest.importorskip("matplotlib.image")
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "cx_pandas.py"), str(tmp_path / "png")],
                         capture_output=True, text=True, timeout=600, env=dict(os.environ, MPLBACKEND="Agg"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Loaded from pandas: 3000 customers, 35247 interactions, 1495 cases, 10766 feedback, " \
                       "7632 transactions"
    names = ["nps_by_month", "csat_by_month", "csat_by_channel", "funnel", "cohorts", "survival_by_segment",
             "bgnbd_fit"]
    assert lines[1:] == [str(tmp_path / "png" / (n + ".png")) for n in names]
    for path in lines[1:]:
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", path
        px = image.imread(path)[..., :3]
        assert px.shape[0] > 200 and px.shape[1] > 400, path
        # not blank: ink and colour, several distinct colours
        assert (px.min(axis=2) < 0.5).mean() > 0.005, path
        assert len(np.unique((px * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 20, path
