"""The Python example runs and finds what the demo data plants."""
import os
import pathlib
import subprocess
import sys

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
    assert "Journeys: 10423, of which 7632 converted" in text
    assert "  first pain point: home_delivery (" in text  # the planted pain point, again
    assert "Funnel within 90 days" in text and "Attribution of 7632 purchases by channel" in text
    assert "Saved to SQLite and loaded back: 10766 feedback rows" in text
