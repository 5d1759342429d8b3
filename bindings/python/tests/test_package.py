"""cxkit is a package: the SWIG module cxkit._core with its extension
cxkit._cxkit, re-exported by cxkit/__init__.py, which imports no
third-party package."""
import os
import pathlib
import subprocess
import sys

import cxkit

SRC = pathlib.Path(os.environ.get("CXKIT_SOURCE_ROOT", pathlib.Path(__file__).parents[3]))


def test_layout():
    pkg = pathlib.Path(cxkit.__file__).parent
    assert pathlib.Path(cxkit.__file__).name == "__init__.py"
    assert cxkit.__path__ == [str(pkg)]
    assert cxkit._core.__name__ == "cxkit._core" and pathlib.Path(cxkit._core.__file__).parent == pkg
    assert cxkit._cxkit.__name__ == "cxkit._cxkit" and pathlib.Path(cxkit._cxkit.__file__).parent == pkg
    assert pathlib.Path(cxkit._cxkit.__file__).suffix == ".so"
    # every hand-written file of the source package is in the built one
    for f in (SRC / "bindings" / "python" / "cxkit").glob("*.py"):
        assert (pkg / f.name).read_bytes() == f.read_bytes(), f.name


def test_public_names_and_version():
    names = [n for n in vars(cxkit._core) if not n.startswith("_")]
    assert {"Store", "Query", "Result", "Error", "Invalid", "to_ms", "version_string"} <= set(names)
    for n in names:
        assert getattr(cxkit, n) is getattr(cxkit._core, n), n
    assert sorted(cxkit.__all__) == sorted(names)
    assert cxkit.__doc__ and cxkit.__doc__.startswith("CXKit: customer-experience analytics")
    want = [l.split('"')[1] for l in (SRC / "pyproject.toml").read_text().splitlines() if l.startswith("version")][0]
    assert cxkit.__version__ == want == cxkit.version_string()
    # errors keep their public names
    assert cxkit.Invalid.__qualname__ == "Invalid" and cxkit.Invalid.__module__ == "cxkit"
    assert issubclass(cxkit.Invalid, cxkit.Error)


def test_python_helpers_of_the_c_side():
    # the wrapper's C code calls _time_in/_time_out of cxkit._core
    import datetime
    s = cxkit.Store()
    s.add_customer("C-1")
    s.add_feedback("C-1", "nps", 10, datetime.datetime(2024, 3, 1, 9))
    q = cxkit.Query(s)
    q.add("nps")
    assert q.run().get(0, "nps") == 100


def test_import_is_light():
    code = ("import sys, cxkit\n"
            "heavy = [m for m in ('numpy', 'pandas', 'matplotlib', 'dask', 'distributed') if m in sys.modules]\n"
            "print(','.join(heavy) or 'none')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "none", "import cxkit imported " + out.stdout
