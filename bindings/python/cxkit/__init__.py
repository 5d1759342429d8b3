"""CXKit: customer-experience analytics over libcxkit (see cxkit._core's
docstring, which this package shares).

The package: the SWIG-generated module cxkit._core (its C extension is
cxkit._cxkit) holds every wrapped class and function; this file re-exports
its public names, so `cxkit.Store`, `cxkit.Error` etc. are as before, and
then lets the pure-Python submodules add their methods to those classes.
`import cxkit` imports no third-party package (numpy, pandas, matplotlib
and dask are imported by the methods that need them)."""
from . import _core, _cxkit  # noqa: F401  (_cxkit: the extension, e.g. _cxkit.delete_Store)
from ._core import *  # noqa: F401,F403

__doc__ = (_core.__doc__ or "").strip() or __doc__
__version__ = _core.version_string()
# the public names of the SWIG module (what `from cxkit import *` gives);
# the submodules are not in it (import them by name)
__all__ = sorted(n for n in vars(_core) if not n.startswith("_"))

# --- Pure-Python submodules -------------------------------------------------
# A submodule cxkit/<name>.py that adds methods to the SWIG classes exposes
# `_install()`, called here once the classes exist. To add one: put the file
# in bindings/python/cxkit/, list it in py_package_files in
# bindings/python/cxkit/meson.build, and add below (keeping heavy imports
# inside its functions, so that `import cxkit` stays light):
#     from . import <name> as _<name>
#     _<name>._install()
# A submodule that only `import cxkit.<name>` loads (cxkit.dask) needs no
# line here.

from . import frames as _frames  # noqa: E402
_frames._install()
from . import plot as _plot  # noqa: E402  (.plot() on Result, Survival, Model; matplotlib when drawing)
_plot._install()
