#!/usr/bin/python3
"""`pip install .` works: builds the package from the source tree with
meson-python (Debian's python3-mesonpy, no network, no build isolation)
into a throwaway venv, imports it there (the package cxkit/, with every
Python file of bindings/python/cxkit/, _core.py and the _cxkit extension)
and makes one real call; then runs
the `cxkit` command the wheel put on the venv's PATH (bin/), from outside
the source tree with LD_LIBRARY_PATH unset: --version, `cxkit import` of
the demo data (examples/data) into a new file, `cxkit metrics`, the
pain points and `cxkit report` on it. It must need no libcxkit.so (pyproject.toml).

Usage: pip_install_test.py SOURCE_ROOT   (run by `meson test --suite python`)

The venv sees Debian's site-packages (--system-site-packages) for
meson-python, meson and ninja; --no-deps and --no-index keep pip offline.
meson-python 0.12 configures and builds the whole project again in a
temporary `.mesonpy-*` directory inside the source tree (pip >= 21.3 builds
in place; it does not copy the tree, so build*/ directories there are
neither copied nor read), and removes it afterwards. It leaves its
`.mesonpy-native-file.ini` in the source root (ignored by git); this test
removes the one it created."""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

CHECK = r"""
import sys, cxkit
assert cxkit.__file__.startswith(sys.prefix), (cxkit.__file__, sys.prefix)
s = cxkit.Store()
s.add_customer("C-1", region="الرياض")
for score in (10, 9, 3):
    s.add_feedback("C-1", "nps", score, "2024-03-01T09:00:00+03:00")
q = cxkit.Query(s)
q.add("nps")
r = q.run()
assert len(r) == 1 and abs(r.get(0, "nps") - 100 / 3) < 1e-9, r.row(0)
print("cxkit", cxkit.version_string(), "from", cxkit.__file__, "NPS", round(r.get(0, "nps"), 1))
"""


def run(cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    print(p.stdout[-6000:], flush=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s exited with %d" % (cmd[0], p.returncode))
    return p.stdout


def check_cli(venv, src, tmp, env):
    """The venv's cxkit, found on the PATH as after `source venv/bin/activate`."""
    env = dict(env, PATH=str(venv / "bin") + os.pathsep + env.get("PATH", ""))
    env.pop("LD_LIBRARY_PATH", None)
    env.pop("LD_PRELOAD", None)
    exe = shutil.which("cxkit", path=env["PATH"])
    if exe != str(venv / "bin" / "cxkit"):
        sys.exit("FAIL: cxkit on the venv's PATH is %s, not the venv's bin/cxkit" % exe)
    ldd = run(["ldd", exe], env=env)
    if "libcxkit" in ldd or "not found" in ldd:
        sys.exit("FAIL: the venv's cxkit needs a library it may not find:\n" + ldd)
    work = tmp / "cli"
    work.mkdir()
    want = "cxkit " + run([PY, "-c", "import tomllib, sys; print(tomllib.load(open(sys.argv[1], 'rb'))['project']['version'])",
                           str(src / "pyproject.toml")], env=env).strip()
    out = run(["cxkit", "--version"], env=env, cwd=str(work)).strip()
    if out != want:
        sys.exit("FAIL: cxkit --version printed %r, not %r" % (out, want))
    db = tmp / "demo.db"
    out = run(["cxkit", "import", str(db), str(src / "examples" / "data")], env=env, cwd=str(work))
    if ", 0 rejected (new database)" not in out:
        sys.exit("FAIL: cxkit import of the demo data did not import every row")
    out = run(["cxkit", "metrics", str(db), "--measure", "nps,csat,ces,fcr", "--format", "csv"], env=env, cwd=str(work))
    if not out.startswith("nps,"):
        sys.exit("FAIL: unexpected output from cxkit metrics")
    out = run(["cxkit", "journeys", str(db), "pain-points", "--top", "1", "--columns", "touchpoint", "--format", "csv"],
              env=env, cwd=str(work))
    if out.split() != ["touchpoint", "home_delivery"]:
        sys.exit("FAIL: the first pain point is not home_delivery")
    report = db.parent / "report-en.html"
    out = run(["cxkit", "report", str(db), "-o", str(report)], env=env, cwd=str(work))
    if "first pain point: home_delivery" not in out or '<html lang="en" dir="ltr">' not in report.read_text("utf-8"):
        sys.exit("FAIL: cxkit report printed %r" % out)
    if any(work.iterdir()):
        sys.exit("FAIL: cxkit wrote into the directory it ran in: %s" % sorted(p.name for p in work.iterdir()))
    print("PASS: the venv's cxkit (%s) runs: --version, import, metrics, pain points, report" % exe)


def main():
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    if not (src / "pyproject.toml").exists():
        sys.exit("FAIL: no pyproject.toml in %s" % src)
    for mod in ("mesonpy", "venv"):
        if subprocess.run([PY, "-c", "import " + mod], capture_output=True).returncode != 0:
            print("SKIP: %s lacks the %s module (tools/deps.sh installs it)" % (PY, mod))
            sys.exit(77)
    native = src / ".mesonpy-native-file.ini"
    had_native = native.exists()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="cxkit-pip-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "MESON"))}
    env.update(PIP_NO_INDEX="1", PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1", HOME=str(tmp))
    try:
        venv = tmp / "venv"
        run([PY, "-m", "venv", "--system-site-packages", str(venv)], env=env)
        run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-deps", str(src)],
            env=env, cwd=str(tmp))
        out = run([str(venv / "bin" / "python"), "-c", CHECK], env=env, cwd=str(tmp))
        if "NPS 33.3" not in out:
            sys.exit("FAIL: unexpected output from the installed module")
        # the wheel holds the package (every file of the build's package
        # directory bindings/python/cxkit/*.py, _core.py, the _cxkit
        # extension) and no libcxkit.so
        pkg = run([str(venv / "bin" / "python"), "-c", "import cxkit, os; print(os.path.dirname(cxkit.__file__))"],
                  env=env, cwd=str(tmp)).strip().splitlines()[-1]
        names = sorted(os.listdir(pkg))
        print("installed:", names)
        want = sorted(p.name for p in (src / "bindings" / "python" / "cxkit").glob("*.py")) + ["_core.py"]
        missing = [n for n in want if n not in names]
        if missing or not any(n.startswith("_cxkit.") and n.endswith(".so") for n in names):
            sys.exit("FAIL: the venv's package %s lacks %s" % (pkg, missing or "the _cxkit extension"))
        if os.path.basename(pkg) != "cxkit":
            sys.exit("FAIL: cxkit was imported from %s, not from a package directory cxkit/" % pkg)
        check_cli(venv, src, tmp, env)
        leftovers = [p.name for p in src.glob(".mesonpy-*") if p.is_dir()]
        print("PASS: pip install . builds and imports (build dirs left in the source root: %s)"
              % (leftovers or "none"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not had_native:
            native.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
