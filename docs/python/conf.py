# conf.py: Sphinx configuration of the Python reference of CXKit
# (docs/python; built by `meson compile -C build python-docs` and checked by
# the `python-docs` and `python-docs-tutorial` tests of docs/meson.build).
#
# The reference is autodoc over the built binding: `import cxkit` must find
# it (PYTHONPATH = the build's bindings/python, which Meson sets). Its
# docstrings come from the C Doxygen comments through `swig -doxygen`; the
# hooks below make them valid reStructuredText without touching the .i
# files, and one more fails the build (-W) when a public class, method or
# function of the package is documented on no page.
import collections
import inspect
import os
import re

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util import logging

import cxkit

project = "CXKit"
author = "the CXKit authors"
copyright = "the CXKit authors"
version = release = cxkit.version_string()

extensions = ["sphinx.ext.autodoc", "sphinx.ext.doctest"]
master_doc = "index"
exclude_patterns = []
templates_path = []
html_theme = "alabaster"
html_static_path = []
html_theme_options = {"nosidebar": False, "page_width": "1100px"}
html_title = "CXKit Python reference"
html_show_sourcelink = False

# Everything under `cxkit.`: signatures from the functions (SWIG writes real
# parameter names; cxkit_python_post.i sets __signature__ where it cannot).
add_module_names = False
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "exclude-members": "thisown"}
autodoc_typehints = "none"
# the class text, then what its constructor adds
autoclass_content = "both"
nitpicky = True

# The tutorial's code runs from the top of the source tree (examples/data).
doctest_global_setup = "import os\nos.chdir(%r)\n" % os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# ---- SWIG docstrings to reStructuredText -----------------------------------

_FIELD = re.compile(r"^:(param|type|rtype|return|returns|raises|raise)\b")
_TYPE = re.compile(r"^(:type [^:]+:|:rtype:)\s*(.*)$")
# "**kw" and "*args" in the prose, which reST would read as the start of
# strong or emphasised text ("**bold**" and "*italic*" are left alone).
_STARS = re.compile(r"(?<![\\*\w])\*\*(\w+)(?=[),\s.:]|$)")
_STAR = re.compile(r"(?<![\\*\w])\*(\w+)(?=[),\s.:]|$)")


def _normalise(text):
    """SWIG's docstrings: its part indented as in the .i file, text that
    cxkit_python_post.i appends at column 0, and field lists straight after
    a paragraph. Each paragraph is dedented on its own (keeping the
    relative indentation of its continuation lines, and that of a literal
    block after "::"), and a field list gets the blank line before it that
    reST needs."""
    lines = text.expandtabs().split("\n")
    out, para = [], []

    def flush():
        if not para:
            return
        before = [p for p in out if p]
        if before and before[-1].endswith("::"):  # a literal block
            out.extend(para)
        else:
            margin = min(len(p) - len(p.lstrip()) for p in para)
            out.extend(p[margin:] for p in para)
        para.clear()

    for line in lines:
        if line.strip():
            para.append(line.rstrip())
        else:
            flush()
            out.append("")
    flush()
    # a blank line before the first field of a list
    fixed = []
    for line in out:
        line = _STARS.sub(r"\\*\\*\1", _STAR.sub(r"\\*\1", line))
        if _FIELD.match(line) and fixed and fixed[-1].strip() and not _FIELD.match(fixed[-1]) \
                and not fixed[-1].startswith(" "):
            fixed.append("")
        if line == ":rtype: void":  # a method returning None
            continue
        m = _TYPE.match(line)
        if m:
            line = "%s %s" % (m.group(1), _type_text(m.group(2)))
        fixed.append(line)
    while fixed and not fixed[0].strip():
        fixed.pop(0)
    while fixed and not fixed[-1].strip():
        fixed.pop()
    return fixed


def _type_text(text):
    """A type field. swig -doxygen writes free text ("str (name) or int",
    "sequence or numpy array") where Sphinx would look for a class named
    by each word; that text is set in italics, which Sphinx leaves as it
    is. A field naming our classes (":py:class:`Store`, optional") keeps
    its links."""
    if ":py:" in text or not text:
        return text
    return "*%s*" % text.replace("*", r"\*")


def _valid_rst(app, lines):
    """Whether docutils reads the text without a warning; Sphinx's own
    roles (:py:class:...), unknown to plain docutils, are not counted."""
    import docutils.core
    import docutils.utils
    messages = []
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": False, "env": app.env}
    try:
        doctree = docutils.core.publish_doctree("\n".join(lines), settings_overrides=settings)
    except docutils.utils.SystemMessage:
        return False
    for m in doctree.traverse(docutils.nodes.system_message):
        text = m.astext()
        if m["level"] >= 2 and "text role" not in text and "No role entry" not in text:
            messages.append(text)
    return not messages


def _process_docstring(app, what, name, obj, options, lines):
    # lines: the docstring after autodoc's own dedent, which leaves SWIG's
    # indentation as it is when appended text starts at column 0
    lines[:] = _normalise("\n".join(lines))
    # Plain-text docstrings (the pure-Python submodules' aligned notes)
    # that are not valid reST are shown as written, in a literal block.
    if lines and not _valid_rst(app, lines):
        lines[:] = [".. code-block:: text", ""] + ["   " + line for line in lines]


# SWIG's own signature line, "__init__(Result self) -> Result", on classes
# a script gets from other calls (a query's Result, an import's
# ImportReport) rather than builds.
_TYPED_SELF = re.compile(r"\w+ self(, )?")


def _process_signature(app, what, name, obj, options, signature, return_annotation):
    if not signature or not _TYPED_SELF.search(signature):
        return None
    signature = _TYPED_SELF.sub("", signature)
    if what in ("class", "exception") and signature == "()":
        return "", None
    return signature, return_annotation


# ---- the constants ---------------------------------------------------------

class Constants(Directive):
    """``.. cxkit-constants::``: every constant of the package with its
    value, one paragraph per family (MEASURE_*, DIM_*...), so that a new
    constant appears without editing a page."""

    def run(self):
        constants = {n: getattr(cxkit, n) for n in dir(cxkit) if n.isupper()}
        constants = {n: v for n, v in constants.items()
                     if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
        # JOURNEYS_LEVEL_* and JOURNEYS_GROUP_* are families of their own:
        # two tokens name the family when two or more longer names share them
        def pair(name):
            tokens = name.split("_")
            return "_".join(tokens[:2]) if len(tokens) >= 3 else None
        pairs = collections.Counter(pair(n) for n in constants)
        groups = {}
        for name, value in constants.items():
            if pair(name) and pairs[pair(name)] >= 2:
                family = pair(name) + "_*"
            elif "_" in name:
                family = name.split("_")[0] + "_*"
            elif name == "OK" or (name.startswith("E") and value < 0):
                family = "status codes (Error.code)"
            else:
                family = "outcomes and directions of interactions"
            groups.setdefault(family, []).append((value, name))
        text = []
        for family in sorted(groups):
            items = ", ".join("``%s`` = %r" % (n, v) for v, n in sorted(groups[family]))
            text += ["**%s**: %s" % (family.replace("*", r"\*"), items), ""]
        node = nodes.container()
        self.state.nested_parse(StringList(text, "<cxkit-constants>"), self.content_offset, node)
        return node.children


def setup(app):
    app.add_directive("cxkit-constants", Constants)
    app.connect("autodoc-process-docstring", _process_docstring)
    app.connect("autodoc-process-signature", _process_signature)
    app.connect("env-check-consistency", _check_coverage)


# ---- every public name documented --------------------------------------------

def _public(mod):
    """The classes and functions of the package that a script can reach."""
    names = {}
    for n in dir(mod):
        o = getattr(mod, n)
        if n.startswith("_") or not (inspect.isclass(o) or callable(o)):
            continue
        names["cxkit." + n] = o
        if inspect.isclass(o):
            for m, v in vars(o).items():
                if not m.startswith("_") and m != "thisown" and \
                        (callable(v) or isinstance(v, (staticmethod, classmethod, property))):
                    names["cxkit.%s.%s" % (n, m)] = v
    return names


def _submodules():
    """The public classes and functions of the pure-Python submodules
    (cxkit.frames, cxkit.dask...; their methods added to the SWIG classes
    are found with the classes)."""
    import importlib
    import pkgutil
    names = {}
    for info in pkgutil.iter_modules(getattr(cxkit, "__path__", [])):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module("cxkit." + info.name)
        for n, o in vars(mod).items():
            if not n.startswith("_") and (inspect.isclass(o) or inspect.isfunction(o)) and \
                    o.__module__ == mod.__name__:
                names["%s.%s" % (mod.__name__, n)] = o
    return names


def _check_coverage(app, env):
    documented = set(env.get_domain("py").objects)
    missing = sorted((set(_public(cxkit)) | set(_submodules())) - documented)
    if missing:
        logging.getLogger(__name__).warning(
            "cxkit: %d public names are on no page of the reference: %s",
            len(missing), ", ".join(missing))
