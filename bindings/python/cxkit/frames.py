"""cxkit.frames: pandas DataFrames in and out of cxkit.

In:  Store.from_pandas(table, df, columns=None, extra="raise") reads a
     DataFrame by the column names of the CSV import (examples/data/*.csv
     headers: "customer", "touchpoint", "time", "case", ...), converting
     whole columns with numpy and handing them to the table's C batch call
     in one go (customers, interactions, feedback, transactions). The
     tables without a batch call in the library (touchpoints, cases,
     questions: small reference tables) are converted the same way and then
     added row by row through add_touchpoint() / add_case() /
     add_question().  Store.add_customers(df), add_interactions(df),
     add_feedbacks(df) and add_transactions(df) delegate to it; a pandas
     Series given for one of their arguments is converted by the same code.
Out: to_pandas() on Result (and so Summary and Survival), History,
     ImportReport, Journeys (its list()), Model (its params()) and
     Store.to_pandas(table), with typed columns.

Times in: timezone-aware datetimes (any zone, DST included: the instant is
kept), naive datetimes and naive datetime64 (taken as UTC, as everywhere
in cxkit), numpy datetime64 of any unit, pandas Timestamps, ISO-8601 text
(the forms cx_time_parse() reads) or epoch seconds as text (as the CSV
import reads them), and ints (milliseconds since 1970, as elsewhere in the
binding). A datetime64 column (naive or aware) is converted with numpy at
once; an object column of Python datetimes is converted one by one, with
Python's own arithmetic (which honours `fold` in a DST overlap). Missing
values (None, NaN, NaT, pandas.NA) are allowed where the
CSV import allows an empty field, and take its defaults (no kind,
"inbound", duration 0, "handled", value 0, key 0, weight 1, ...); in a
required column they are an error naming the row.

Times out: datetime64[ns, UTC], except the start of a time period (a TIME
column with a "<name>_label" column beside it, e.g. "month" and
"month_label"): it is datetime64[ns] in the UTC offset the period was cut
in (e.g. UTC+03:00): the same instant, shown where the period was cut, so
df["month"].dt.month is the month of the label, and
df["month"].dt.tz_localize(None).dt.to_period("M") gives pandas Periods
(a PeriodIndex would lose the offset, and a period's start with it). The
label columns are kept as they are.

This module is imported by the package (`cxkit/__init__.py` calls
_install()); pandas and numpy are imported only when a function here runs.
"""
import difflib
import functools
import re
import sys

import cxkit

_NONE = -(2 ** 63)  # CX_TIME_NONE, the smallest int64 (as NaT is)

# name, kind, required, default (for a missing value), batch argument
_TEXT, _TIME, _REAL, _INT, _BOOL = "text", "time", "real", "int", "bool"
_ENUMS = {"direction": ("inbound", "outbound"), "outcome": ("handled", "missed", "abandoned"),
          "metric": ("nps", "csat", "ces", "custom")}
_SPEC = {
    "customers": [("id", _TEXT, True, None, "ids"), ("segment", _TEXT, False, None, "segments"),
                  ("region", _TEXT, False, None, "regions"), ("plan", _TEXT, False, None, "plans"),
                  ("acquired", _TIME, False, _NONE, "acquired")],
    "touchpoints": [("name", _TEXT, True, None, None), ("channel", _TEXT, True, None, None),
                    ("stage", _TEXT, True, None, None), ("kind", _TEXT, False, None, None),
                    ("key", _BOOL, False, 0, None), ("weight", _REAL, False, 1.0, None)],
    "interactions": [("customer", _TEXT, True, None, "customers"), ("touchpoint", _TEXT, True, None, "touchpoints"),
                     ("time", _TIME, True, None, "times"), ("kind", _TEXT, False, None, "kinds"),
                     ("direction", "direction", False, 0, "directions"), ("agent", _TEXT, False, None, "agents"),
                     ("case", _TEXT, False, None, "case_ids"), ("duration_ms", _INT, False, 0, "durations"),
                     ("outcome", "outcome", False, 0, "outcomes"), ("value", _REAL, False, 0.0, "values"),
                     ("id", _TEXT, False, None, "ids")],
    "cases": [("id", _TEXT, True, None, None), ("customer", _TEXT, True, None, None),
              ("channel", _TEXT, True, None, None), ("priority", _TEXT, False, None, None),
              ("agent", _TEXT, False, None, None), ("opened", _TIME, True, None, None),
              ("first_response", _TIME, False, _NONE, None), ("resolved", _TIME, False, _NONE, None),
              ("reopens", _INT, False, 0, None), ("contacts", _INT, False, 0, None)],
    "questions": [("name", _TEXT, True, None, None), ("metric", "metric", True, None, None),
                  ("scale_min", _REAL, True, None, None), ("scale_max", _REAL, True, None, None),
                  ("higher_is_better", _BOOL, False, 1, None)],
    "feedback": [("customer", _TEXT, True, None, "customers"), ("question", _TEXT, True, None, "questions"),
                 ("score", _REAL, True, None, "scores"), ("time", _TIME, True, None, "times"),
                 ("touchpoint", _TEXT, False, None, "touchpoints"),
                 ("interaction", _TEXT, False, None, "interactions"), ("case", _TEXT, False, None, "case_ids"),
                 ("comment", _TEXT, False, None, "comments"), ("id", _TEXT, False, None, "ids")],
    "transactions": [("customer", _TEXT, True, None, "customers"), ("time", _TIME, True, None, "times"),
                     ("amount", _REAL, True, None, "amounts"), ("id", _TEXT, False, None, "ids")],
}
_BATCH = {"customers": "add_customers", "interactions": "add_interactions", "feedback": "add_feedbacks",
          "transactions": "add_transactions"}
_TABLE_OF_BATCH = {v: k for k, v in _BATCH.items()}

# ISO-8601 as cx_time_parse() reads it, in the forms pandas parses to the
# same instant; anything else goes through the library's own parser.
_ISO = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?"
                  r"(?:Z|[+-](?:0\d|1[0-3]):?[0-5]\d|[+-]14:?00)?")
_EPOCH_S = re.compile(r"([+-]?)(\d{1,14})(?:\.(\d+))?")


def _error(cls, msg):
    """cxkit's exception `cls` with .code and .message, as the C side raises them."""
    e = cls(msg)
    e.message = msg
    e.code = {cxkit.Invalid: cxkit.EINVAL, cxkit.Parse: cxkit.EPARSE}.get(cls, getattr(e, "code", None))
    return e


class _Where:
    """Names the method, argument and column in errors."""

    def __init__(self, method, arg, column=None, index=None):
        self.method, self.arg, self.column, self.index = method, arg, column, index

    def __str__(self):
        s = "%s: %s" % (self.method, self.arg)
        if self.column is not None:
            s += ": " + self.column
        return s

    def row(self, i):
        label = ""
        if self.index is not None:
            lab = self.index[i]
            if lab != i:
                label = " (index %r)" % (lab,)
        return "row %d%s" % (i, label)


def _pd():
    import pandas
    return pandas


def _np():
    import numpy
    return numpy


def _values(col):
    """A column's values as a numpy array, a Categorical or a
    DatetimeArray (time-zone aware); nullable pandas arrays as numpy with
    NaN / None for pandas.NA."""
    pd, np = _pd(), _np()
    if isinstance(col, (pd.Series, pd.Index)):
        col = col.array
    if isinstance(col, pd.arrays.PandasArray):
        return col.to_numpy()
    dtype = getattr(col, "dtype", None)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            dtype, (pd.CategoricalDtype, pd.DatetimeTZDtype)):
        # nullable Int64 / Float64 / boolean / string: numpy, NA as NaN or None
        if dtype.kind in "iuf":
            return col.to_numpy(dtype=np.float64, na_value=np.nan)
        return col.to_numpy(dtype=object, na_value=None)
    return col


def _first(mask):
    np = _np()
    return int(np.flatnonzero(mask)[0])


def _take_categorical(cat, convert):
    """A categorical converted through its categories: each category once,
    then numpy take by the codes (-1, missing, picks the appended missing
    value, which convert gives for None)."""
    np = _np()
    cats = convert(cat.categories, None)
    missing = convert(_pd().Index([None], dtype=object), None)
    return np.take(np.concatenate([cats, missing]), cat.codes)


def _isna(a):
    return _np().asarray(_pd().isna(a), dtype=bool)


# ---- column converters: (values, where) -> numpy array; missing marked ----------

def _text(a, where):
    """Text: an object array of str, None where missing, and the mask of
    the missing ones (None when none is)."""
    np, pd = _np(), _pd()
    if isinstance(a, pd.Categorical):
        cats, _ = _text(a.categories, where)
        codes = np.asarray(a.codes)
        miss = codes < 0
        return np.take(np.append(cats, None), codes), (miss if miss.any() else None)
    dtype = getattr(a, "dtype", None)
    if dtype is not None and dtype.kind in "iu":
        return np.asarray(a).astype(str).astype(object), None
    if dtype is not None and (dtype.kind in "fbcmM" or isinstance(dtype, pd.DatetimeTZDtype)):
        if dtype.kind == "f" and _isna(a).all():
            return np.full(len(a), None, dtype=object), np.ones(len(a), dtype=bool)
        raise TypeError("%s: expected text (str), got a column of %s" % (where, dtype))
    arr = np.asarray(a, dtype=object)
    if arr.ndim != 1:
        raise TypeError("%s: expected a column of text, got an array of shape %s" % (where, arr.shape))
    # the common case in one pass: every entry a str, nothing missing
    if pd.api.types.infer_dtype(arr, skipna=False) == "string":
        return arr, None
    arr = arr.copy()
    miss = _isna(arr)
    if miss.any():
        arr[miss] = None
    kind = pd.api.types.infer_dtype(arr, skipna=True)
    if kind not in ("string", "empty"):
        for i in np.flatnonzero(~miss):
            x = arr[i]
            if isinstance(x, str):
                continue
            if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
                arr[i] = str(int(x))
                continue
            raise TypeError("%s: %s: expected text (str), got %s %r" % (where, where.row(int(i)), type(x).__name__, x))
    return arr, (miss if miss.any() else None)


def _parse_time_text(s, where, i):
    """One text the fast path did not take: epoch seconds (as the CSV
    import reads them) or cx_time_parse()'s forms, by the library."""
    m = _EPOCH_S.fullmatch(s)
    if m and not (len(s) >= 5 and s[4] == "-"):
        frac = (m.group(3) or "")[:3].ljust(3, "0")
        v = int(m.group(2)) * 1000 + int(frac)
        v = -v if m.group(1) == "-" else v
        if -62167219200000 <= v <= 253402300799999:
            return v
        raise _error(cxkit.Range, "%s: %s: %r is not a time in range (years 0000-9999)" % (where, where.row(i), s))
    try:
        return cxkit.to_ms(cxkit.time_parse(s))
    except cxkit.Error as e:
        raise _error(cxkit.Parse, "%s: %s: %r is not a time: %s" % (where, where.row(i), s, e.message)) from None


def _time_objects(arr, where):
    """An object array of datetimes, Timestamps, dates, datetime64 or
    text (None where missing) as int64 ms."""
    np, pd = _np(), _pd()
    n = len(arr)
    out = np.full(n, _NONE, dtype=np.int64)
    miss = _isna(arr)
    kind = pd.api.types.infer_dtype(arr, skipna=True)
    if kind == "empty":
        return out
    if kind == "string":
        s = pd.Series(arr[~miss], dtype=object)
        iso = s.str.fullmatch(_ISO).to_numpy(dtype=bool)
        fast = np.full(len(s), _NONE, dtype=np.int64)
        if iso.any():
            dt = pd.to_datetime(s[iso], utc=True, errors="coerce")
            fast[iso] = _ms_from_ns(dt.array.asi8)
        pos = np.flatnonzero(~miss)
        slow = np.flatnonzero(fast == _NONE)
        vals = s.to_numpy()
        for k in slow:
            fast[k] = _parse_time_text(vals[k], where, int(pos[k]))
        out[pos] = fast
        return out
    if kind == "integer":
        out[~miss] = arr[~miss].astype(np.int64)
        return out
    if kind in ("floating", "mixed-integer-float"):  # ms as floats, NaN missing
        vals = np.full(n, np.nan)
        vals[~miss] = arr[~miss].astype(np.float64)
        return _time(vals, where)
    # datetimes, Timestamps, dates, datetime64 objects, or a mixture: one
    # by one with the binding's own conversion (naive means UTC; an aware
    # datetime's fold is honoured, which pandas would not do)
    for i in np.flatnonzero(~miss):
        x = arr[i]
        if isinstance(x, str):
            out[i] = _parse_time_text(x, where, int(i))
            continue
        if isinstance(x, bool) or isinstance(x, float):
            raise TypeError("%s: %s: expected a time, got %s %r" % (where, where.row(int(i)), type(x).__name__, x))
        if isinstance(x, pd.Timestamp):  # .value: UTC nanoseconds (naive: taken as UTC)
            out[i] = x.value // 1000000
            continue
        try:
            out[i] = cxkit.to_ms(x)
        except TypeError:
            raise TypeError("%s: %s: expected a time (datetime, Timestamp, datetime64, ISO-8601 str or int ms), "
                            "got %s %r" % (where, where.row(int(i)), type(x).__name__, x)) from None
    return out


def _ms_from_ns(ns):
    """int64 nanoseconds (NaT as the smallest int64) to milliseconds,
    floored (as the library truncates fractions of a millisecond)."""
    np = _np()
    ns = np.asarray(ns, dtype=np.int64)
    nat = ns == _NONE
    ms = ns // 1000000
    if nat.any():
        ms[nat] = _NONE
    return ms


def _time(a, where):
    np, pd = _np(), _pd()
    if isinstance(a, pd.Categorical):
        return _take_categorical(a, _time)
    dtype = getattr(a, "dtype", None)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _ms_from_ns(a.asi8)
    if dtype is not None and dtype.kind == "M":
        arr = np.asarray(a)
        unit = np.datetime_data(arr.dtype)[0]
        i64 = arr.view(np.int64)
        nat = i64 == _NONE
        if unit == "ns":
            return _ms_from_ns(i64)
        if unit == "us":
            ms = i64 // 1000
        elif unit == "ms":
            ms = i64.copy()
        else:
            ms = arr.astype("datetime64[ms]").view(np.int64).copy()
        ms[nat] = _NONE
        return ms
    if dtype is not None and dtype.kind in "iu":
        return np.asarray(a).astype(np.int64)
    if dtype is not None and dtype.kind == "f":
        arr = np.asarray(a, dtype=np.float64)
        miss = np.isnan(arr)
        frac = ~miss & (arr != np.floor(arr))
        if frac.any():
            raise TypeError("%s: expected times (datetime64, datetimes, ISO-8601 text or int ms), got floats "
                            "that are not whole milliseconds (%s)" % (where, where.row(_first(frac))))
        out = np.full(len(arr), _NONE, dtype=np.int64)
        out[~miss] = arr[~miss].astype(np.int64)
        return out
    if dtype is not None and dtype.kind in "bmc":
        raise TypeError("%s: expected times, got a column of %s" % (where, dtype))
    return _time_objects(np.array(a, dtype=object), where)


def _numbers(a, where, what="a number"):
    """float64 with NaN where missing; text is read as numbers (an error
    names the first that is not one)."""
    np, pd = _np(), _pd()
    if isinstance(a, pd.Categorical):
        return _take_categorical(a, lambda c, w: _numbers(c, where, what))
    dtype = getattr(a, "dtype", None)
    if dtype is not None and dtype.kind in "iuf":
        return np.asarray(a, dtype=np.float64)
    if dtype is not None and dtype.kind == "b":
        raise TypeError("%s: expected numbers, got a column of bool" % where)
    if dtype is not None and (dtype.kind in "mMc" or isinstance(dtype, pd.DatetimeTZDtype)):
        raise TypeError("%s: expected numbers, got a column of %s" % (where, dtype))
    arr = np.array(a, dtype=object)
    miss = _isna(arr)
    kind = pd.api.types.infer_dtype(arr, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "decimal", "empty"):
        out = np.full(len(arr), np.nan)
        out[~miss] = arr[~miss].astype(np.float64)
        return out
    num = pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(num) & ~miss
    if bad.any():
        i = _first(bad)
        x = arr[i]
        if isinstance(x, str):
            raise _error(cxkit.Parse, "%s: %s: %r is not %s (the column's dtype is %s)" %
                         (where, where.row(i), x, what, getattr(a, "dtype", "object")))
        raise TypeError("%s: %s: expected %s, got %s %r" % (where, where.row(i), what, type(x).__name__, x))
    return num


def _required_present(miss, where, req):
    if req and miss.any():
        raise _error(cxkit.Invalid, "%s: %s is missing, and the column is required" % (where, where.row(_first(miss))))


def _convert(kind, a, where, required, default):
    """A column converted for the batch call: (array, missing mask)."""
    np = _np()
    if kind == _TEXT:
        arr, miss = _text(a, where)
        if miss is not None:
            _required_present(miss, where, required)
        return arr
    if kind == _TIME:
        arr = _time(a, where)
        _required_present(arr == _NONE, where, required)
        return arr
    if kind == _REAL:
        arr = _numbers(a, where)
        miss = np.isnan(arr)
        _required_present(miss, where, required)
        if default is not None and miss.any():
            arr[miss] = default
        return arr
    if kind == _INT:
        arr = _numbers(a, where, "an integer")
        miss = np.isnan(arr)
        _required_present(miss, where, required)
        frac = ~miss & (arr != np.floor(arr))
        if frac.any():
            i = _first(frac)
            raise _error(cxkit.Parse, "%s: %s: %r is not an integer" % (where, where.row(i), arr[i]))
        arr[miss] = default
        return arr.astype(np.int64)
    if kind == _BOOL:
        return _flags(a, where, required, default)
    return _enum(a, kind, where, required, default)


def _codes(a, names, where, what):
    """Names (text or categorical) as their numbers in `names`; -1 where missing."""
    np, pd = _np(), _pd()
    dtype = getattr(a, "dtype", None)
    if dtype is not None and dtype.kind in "iub":
        v = np.asarray(a).astype(np.int64)
        bad = (v < 0) | (v >= len(names))
        if bad.any():
            raise _error(cxkit.Invalid, "%s: %s: %d is not %s" % (where, where.row(_first(bad)), v[_first(bad)], what))
        return v
    if dtype is not None and dtype.kind == "f":
        v = np.asarray(a, dtype=np.float64)
        miss = np.isnan(v)
        bad = ~miss & ((v != np.floor(v)) | (v < 0) | (v >= len(names)))
        if bad.any():
            raise _error(cxkit.Invalid, "%s: %s: %r is not %s" % (where, where.row(_first(bad)), v[_first(bad)], what))
        out = np.where(miss, -1, v).astype(np.int64)
        return out
    if isinstance(a, pd.Categorical):
        # each category once (-2: not a name), then a take by the codes
        cats = [names.index(c) if isinstance(c, str) and c in names else -2 for c in a.categories]
        out = np.take(np.array(cats + [-1], dtype=np.int64), np.asarray(a.codes))
        bad = out == -2
        if bad.any():
            i = _first(bad)
            raise _error(cxkit.Invalid, "%s: %s: %r is not %s" % (where, where.row(i), a[i], what))
        return out
    arr = np.asarray(a, dtype=object)
    miss = _isna(arr)
    codes = np.asarray(pd.Categorical(arr, categories=list(names)).codes, dtype=np.int64)
    bad = (codes < 0) & ~miss
    if bad.any():
        i = _first(bad)
        raise _error(cxkit.Invalid, "%s: %s: %r is not %s" % (where, where.row(i), arr[i], what))
    return codes


def _enum(a, kind, where, required, default):
    np = _np()
    names = _ENUMS[kind]
    codes = _codes(a, names, where, "one of %s" % ", ".join(names))
    miss = codes < 0
    _required_present(miss, where, required)
    codes[miss] = default if default is not None else 0
    return codes.astype(np.intc)


def _flags(a, where, required, default):
    np = _np()
    dtype = getattr(a, "dtype", None)
    if dtype is not None and dtype.kind == "b":
        return np.asarray(a).astype(np.intc)
    if dtype is not None and dtype.kind in "O" or dtype is None or hasattr(dtype, "categories") or \
            str(dtype) in ("string", "boolean"):
        arr = np.array(a, dtype=object)
        miss = _isna(arr)
        out = np.full(len(arr), default, dtype=np.intc)
        for i in np.flatnonzero(~miss):
            x = arr[i]
            if isinstance(x, str):
                v = {"0": 0, "1": 1, "false": 0, "true": 1}.get(x)
            elif isinstance(x, (bool, np.bool_, int, np.integer, float)) and x in (0, 1):
                v = int(x)
            else:
                v = None
            if v is None:
                raise _error(cxkit.Invalid, "%s: %s: %r is not a flag (0, 1, true, false)" %
                             (where, where.row(int(i)), x))
            out[i] = v
        _required_present(miss, where, required)
        return out
    v = _codes(a, ("0", "1"), where, "a flag (0 or 1)")
    miss = v < 0
    _required_present(miss, where, required)
    v[miss] = default
    return v.astype(np.intc)


# ---- DataFrames in ------------------------------------------------------------------------

def _is_frame(x):
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, pd.DataFrame)


def _is_pandas(x):
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, (pd.Series, pd.Index, pd.Categorical, pd.api.extensions.ExtensionArray))


def _resolve_columns(table, df, columns, extra, method):
    """{our column: DataFrame column}, and the attribute columns."""
    spec = _SPEC[table]
    ours = [c[0] for c in spec]
    df_cols = list(df.columns)
    for c in df_cols:
        if not isinstance(c, str):
            raise TypeError("%s: df: column names are text; %r is %s" % (method, c, type(c).__name__))
    columns = dict(columns or {})
    for k, v in columns.items():
        if k not in ours:
            near = difflib.get_close_matches(str(k), ours, 1)
            raise _error(cxkit.Invalid, "%s: columns: table %s has no column '%s'%s (its columns: %s)" % (
                method, table, k, "; did you mean '%s'?" % near[0] if near else "", ", ".join(ours)))
        if v not in df_cols:
            near = difflib.get_close_matches(str(v), [str(c) for c in df_cols], 1)
            raise _error(cxkit.Invalid, "%s: columns: '%s' maps to '%s', which the DataFrame has not%s" % (
                method, k, v, "; did you mean '%s'?" % near[0] if near else ""))
    used = {}
    for name in ours:
        src = columns.get(name, name)
        if src in df_cols:
            used[name] = src
    taken = set(used.values())
    rest = [c for c in df_cols if c not in taken]
    attrs = []
    if rest:
        if extra == "ignore":
            pass
        elif extra == "attributes" and table == "customers":
            attrs = rest
        elif extra not in ("raise", "attributes"):
            raise _error(cxkit.Invalid, "%s: extra: 'raise', 'ignore' or 'attributes', not %r" % (method, extra))
        else:
            c = rest[0]
            free = [o for o in ours if o not in used]
            near = difflib.get_close_matches(c, free, 1) or difflib.get_close_matches(c, ours, 1)
            hint = ("; did you mean '%s'? (columns={'%s': '%s'})" % (near[0], near[0], c)) if near else ""
            what = "; extra='attributes' keeps it as a customer attribute" if table == "customers" else ""
            raise _error(cxkit.Invalid, "%s: df: unknown column '%s' for table %s%s (its columns: %s; "
                         "extra='ignore' skips the others%s)" % (method, c, table, hint, ", ".join(ours), what))
    for name, kind, req, default, arg in spec:
        if req and name not in used:
            near = difflib.get_close_matches(name, [str(c) for c in rest], 1)
            raise _error(cxkit.Invalid, "%s: df: the DataFrame has no '%s' column, which %s need%s" % (
                method, name, table, "; did you mean '%s'? (columns={'%s': '%s'})" % (near[0], name, near[0])
                if near else ""))
    return used, attrs


def from_pandas(self, table, df, columns=None, extra="raise", _method=None):
    """Add the rows of a pandas DataFrame to a table ("customers",
    "touchpoints", "interactions", "cases", "questions", "feedback",
    "transactions"), reading its columns by the names of the CSV import
    (the examples/data/*.csv headers).

    columns: {table column: DataFrame column} for columns named otherwise,
    e.g. columns={"customer": "customer_id", "time": "ts"}.
    extra: what to do with DataFrame columns the table does not have:
    "raise" (the default: an error, with "did you mean" for a near name),
    "ignore", or for customers "attributes" (each becomes a free attribute,
    as in import_csv).

    customers, interactions, feedback and transactions go through the C
    batch call in one call: all or nothing. touchpoints, cases and questions
    have no batch call in the library: their columns are converted at once,
    then the rows are added one by one (add_touchpoint(), add_case(),
    add_question()). A key given twice or already stored, or a case's
    unknown customer, raises before anything is added; any other row the
    library refuses raises naming it, and the rows before it stay. Customer attributes are set one by one after the
    batch. See the module's docstring for times and missing values.
    @return the number of rows added."""
    method = _method or "Store.from_pandas"
    pd = _pd()
    if not isinstance(df, pd.DataFrame):
        raise TypeError("%s: df: expected a pandas DataFrame, got %s" % (method, type(df).__name__))
    if table not in _SPEC:
        near = difflib.get_close_matches(str(table), list(_SPEC), 1)
        raise _error(cxkit.Invalid, "%s: table: no table %r%s (tables: %s)" % (
            method, table, "; did you mean '%s'?" % near[0] if near else "", ", ".join(_SPEC)))
    used, attrs = _resolve_columns(table, df, columns, extra, method)
    index = df.index if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 or df.index.step != 1 \
        else None
    conv = {}
    for name, kind, req, default, arg in _SPEC[table]:
        if name not in used:
            continue
        src = used[name]
        where = _Where(method, "df", "column '%s'" % src if src == name else
                       "column '%s' (table column '%s')" % (src, name), index)
        col = df[src]
        if isinstance(col, pd.DataFrame):
            raise _error(cxkit.Invalid, "%s: df: the DataFrame has %d columns named '%s'" % (method, col.shape[1], src))
        conv[name] = _convert(kind, _values(col), where, req, default)
    n = len(df)
    if table in _BATCH:
        kw = {}
        for name, kind, req, default, arg in _SPEC[table]:
            if name in conv:
                v = conv[name]
                kw[arg] = v.tolist() if kind == _TEXT else v
        attr_values = [(a,) + _text(_values(df[a]), _Where(method, "df", "column '%s'" % a, index)) for a in attrs]
        if n == 0:
            return 0
        try:
            getattr(_ORIG[_BATCH[table]], "__call__")(self, **kw)
        except cxkit.Error as e:
            raise _rewrap(e, method, table, index) from None
        if attr_values:
            ids = conv["id"]
            for a, vals, miss in attr_values:
                for i in (range(n) if miss is None else _np().flatnonzero(~miss)):
                    self.set_attribute(ids[i], a, vals[i])
        return n
    return _add_rows(self, table, conv, n, method, index)


def _rewrap(e, method, table, index):
    """A library error of a batch call, with the method and table (the
    library names the record's position, which is the DataFrame's row)."""
    msg = "%s('%s'): %s" % (method, table, e.message if hasattr(e, "message") else e)
    m = re.search(r"record (\d+)", msg)
    if m and index is not None:
        msg += " (index %r)" % (index[int(m.group(1))],)
    new = _error(type(e), msg)
    new.code = getattr(e, "code", None)
    return new


def _check_refs(self, table, spec, cols, method, where):
    """Before any row is added: a key twice in the DataFrame or already
    in the store, or a case's unknown customer, raises naming the row (so
    the commonest refusals leave the store as it was)."""
    seen = {}
    key = spec[0][0]
    for i, k in enumerate(cols[0]):
        if k in seen:
            raise _error(cxkit.Exists, "%s('%s'): %s: %s '%s' appears twice (also %s); nothing was added" % (
                method, table, where.row(i), key, k, where.row(seen[k])))
        seen[k] = i
        try:
            self.find(table, k)
        except cxkit.NotFound:
            continue
        raise _error(cxkit.Exists, "%s('%s'): %s: %s '%s' is in the store already; nothing was added" % (
            method, table, where.row(i), key, k))
    if table == "cases":
        known = set()
        for i, c in enumerate(cols[1]):
            if c in known:
                continue
            try:
                self.find("customers", c)
            except cxkit.NotFound:
                raise _error(cxkit.NotFound, "%s('%s'): %s: no customer '%s'; nothing was added" % (
                    method, table, where.row(i), c)) from None
            known.add(c)


def _add_rows(self, table, conv, n, method, index):
    spec = _SPEC[table]
    cols = []
    for name, kind, req, default, arg in spec:
        if name in conv:
            v = conv[name]
            if kind == _TIME:
                v = [None if x == _NONE else x for x in v.tolist()]
            else:
                v = v.tolist()
        else:
            v = [None if kind == _TIME and default == _NONE else default] * n
        cols.append(v)
    if table == "touchpoints":
        add = lambda r: self.add_touchpoint(r[0], r[1], r[2], r[3], bool(r[4]), r[5])  # noqa: E731
    elif table == "cases":
        add = lambda r: self.add_case(*r)  # noqa: E731
    else:
        add = lambda r: self.add_question(r[0], _ENUMS["metric"][r[1]], r[2], r[3], bool(r[4]))  # noqa: E731
    where = _Where(method, "df", None, index)
    _check_refs(self, table, spec, cols, method, where)
    for i, r in enumerate(zip(*cols)):
        try:
            add(r)
        except cxkit.Error as e:
            new = _error(type(e), "%s('%s'): %s: %s (the %d rows before it were added)" % (
                method, table, where.row(i), e.message, i))
            new.code = getattr(e, "code", None)
            raise new from None
    return n


# ---- the batch calls: a DataFrame delegates, a Series is converted -------------------------

_ORIG = {}


def _batch_method(name):
    orig = _ORIG[name]
    table = _TABLE_OF_BATCH[name]
    spec = {arg: (cname, kind, req, default) for cname, kind, req, default, arg in _SPEC[table]}
    argnames = [c[4] for c in _SPEC[table]]

    @functools.wraps(orig)
    def method(self, *args, **kw):
        if "pandas" not in sys.modules:
            return orig(self, *args, **kw)
        qual = "Store." + name
        if args and _is_frame(args[0]):
            rest = set(kw) - {"columns", "extra"}
            if len(args) > 1 or rest:
                raise TypeError("%s: %s: a DataFrame holds every column: pass it alone (%s(df), with columns= "
                                "to rename), not with %s" % (qual, argnames[0], name,
                                                             ", ".join(argnames[1:len(args)]) or ", ".join(rest)))
            return from_pandas(self, table, args[0], _method=qual, **kw)
        args = list(args)
        for i, v in enumerate(args):
            if i < len(argnames):
                args[i] = _arg(qual, argnames[i], v, spec)
        for k in kw:
            if k in spec:
                kw[k] = _arg(qual, k, kw[k], spec)
        return orig(self, *args, **kw)
    return method


def _arg(qual, arg, v, spec):
    if _is_frame(v):
        raise TypeError("%s: %s: expected a sequence (list, numpy array or pandas Series), got a DataFrame; "
                        "pass the whole DataFrame as the only argument to read it by column names" % (qual, arg))
    if not _is_pandas(v):
        return v
    cname, kind, req, default = spec[arg]
    out = _convert(kind, _values(v), _Where(qual, arg), req, default)
    return out.tolist() if kind == _TEXT else out


# ---- results out ------------------------------------------------------------------------------

_FLAGS = ("converted", "key", "higher_is_better")
_TIME_NONE = -(2 ** 63)  # CX_TIME_NONE, a missing time (numpy's NaT)
_PERIOD = {"day": re.compile(r"(\d{4})-(\d\d)-(\d\d)"), "week": re.compile(r"(\d{4})-W(\d\d)"),
           "month": re.compile(r"(\d{4})-(\d\d)"), "quarter": re.compile(r"(\d{4})-Q(\d)"),
           "year": re.compile(r"(\d{4})")}


def _label_start(label):
    """The local start (naive datetime) of a period label, or None."""
    import datetime as dt
    for kind, rx in _PERIOD.items():
        m = rx.fullmatch(label)
        if not m:
            continue
        g = [int(x) for x in m.groups()]
        if kind == "day":
            return dt.datetime(g[0], g[1], g[2])
        if kind == "week":
            return dt.datetime.fromisocalendar(g[0], g[1], 1)
        if kind == "month":
            return dt.datetime(g[0], g[1], 1)
        if kind == "quarter":
            return dt.datetime(g[0], 3 * g[1] - 2, 1)
        return dt.datetime(g[0], 1, 1)
    return None


def _period_offset(times, labels):
    """The UTC offset (minutes) a period column was cut in, from its
    starts and labels, or None when they do not say."""
    import datetime as dt
    for t, lab in zip(times, labels):
        if t is None or lab is None:
            continue
        try:
            start = _label_start(lab)
        except ValueError:
            return None
        if start is None:
            return None
        off = (start - t.astimezone(dt.timezone.utc).replace(tzinfo=None)) / dt.timedelta(minutes=1)
        return int(off) if off == int(off) and abs(off) <= 840 else None
    return None


def _frame(names, types, cols):
    """A DataFrame of typed columns: cols[name] is a list of Python values."""
    pd, np = _pd(), _np()
    import datetime as dt
    data = {}
    for name, t in zip(names, types):
        v = cols[name]
        if t == cxkit.TYPE_INT:
            if any(x is None for x in v):
                s = pd.array(v, dtype="Int64")
            else:
                a = np.array(v, dtype=np.int64)
                s = a.astype(bool) if _is_flag(name) and ((a == 0) | (a == 1)).all() else a
        elif t == cxkit.TYPE_REAL:
            s = np.array([np.nan if x is None else x for x in v], dtype=np.float64)
        elif t == cxkit.TYPE_TIME:
            s = pd.to_datetime(pd.Series(v, dtype=object), utc=True)
            if str(s.dtype) == "object" or not isinstance(s.dtype, pd.DatetimeTZDtype):
                s = pd.Series(pd.to_datetime(pd.Series([None] * len(v), dtype=object), utc=True))
            for lab in (name + "_label", name[:-6] + "_label" if name.endswith("_start") else None):
                if lab and lab in cols and lab != name:
                    off = _period_offset(v, cols[lab])
                    if off is not None:
                        s = s.dt.tz_convert(dt.timezone(dt.timedelta(minutes=off)))
                    break
            s = s.array
        else:
            s = np.array(v, dtype=object)
        data[name] = s
    # no columns=: with it, pandas 1.5 turns every tz-aware column into an
    # object array and back (seconds per 10^6 rows); the dict keeps the order
    return pd.DataFrame(data)


def _is_flag(name):
    return name.endswith("_small") or name in _FLAGS


def _result_to_pandas(self):
    """The table as a pandas DataFrame (pandas is imported only here):
    counts int64, figures float64 (NaN when missing), 0/1 flags
    ("<measure>_small", "converted", "key") bool, text object (None when
    missing), times datetime64[ns, UTC], and the start of a time period
    (beside its "<name>_label") datetime64 in the UTC offset the period was
    cut in (see cxkit.frames)."""
    pd, np = _pd(), _np()
    import datetime as dt
    names = self.column_names()
    types = [self.column_type(c) for c in range(len(names))]
    # one call per column (Result.column_reals / column_ints /
    # column_strings), never one per cell
    raw = {}
    for c, (name, t) in enumerate(zip(names, types)):
        if t == cxkit.TYPE_STRING:
            raw[name] = self.column_strings(c)
        elif t == cxkit.TYPE_REAL:
            raw[name] = self.column_reals(c)
        else:
            raw[name] = self.column_ints(c)
    data = {}
    for name, t in zip(names, types):
        v = raw[name]
        if t == cxkit.TYPE_INT:
            a = np.asarray(v, dtype=np.int64)
            s = a.astype(bool) if _is_flag(name) and ((a == 0) | (a == 1)).all() else a
        elif t == cxkit.TYPE_REAL:
            s = np.asarray(v, dtype=np.float64)
        elif t == cxkit.TYPE_TIME:
            ms = np.asarray(v, dtype=np.int64)
            s = pd.Series(pd.to_datetime(ms, unit="ms", utc=True))
            for lab in (name + "_label", name[:-6] + "_label" if name.endswith("_start") else None):
                if lab and lab in raw and lab != name:
                    # the first row with both a start and a label says the offset
                    i = next((i for i in np.flatnonzero(ms != _TIME_NONE) if raw[lab][i] is not None), None)
                    off = None if i is None else _period_offset([cxkit.from_ms(int(ms[i]))], [raw[lab][i]])
                    if off is not None:
                        s = s.dt.tz_convert(dt.timezone(dt.timedelta(minutes=off)))
                    break
            s = s.array
        else:
            s = np.array(v, dtype=object)
        data[name] = s
    # no columns=: with it, pandas 1.5 turns every tz-aware column into an
    # object array and back (seconds per 10^6 rows); the dict keeps the order
    return pd.DataFrame(data)


_TABLE_TYPES = None


def _table_types():
    global _TABLE_TYPES
    if _TABLE_TYPES is None:
        t = {_TEXT: cxkit.TYPE_STRING, _TIME: cxkit.TYPE_TIME, _REAL: cxkit.TYPE_REAL, _INT: cxkit.TYPE_INT,
             _BOOL: cxkit.TYPE_INT}
        _TABLE_TYPES = {table: {c[0]: t.get(c[1], cxkit.TYPE_STRING) for c in spec} for table, spec in _SPEC.items()}
    return _TABLE_TYPES


def _store_to_pandas(self, table):
    """A table of the store as a DataFrame with the CSV import's column
    names (a customers table also has a column per free attribute, None
    where a customer has none): text object, times datetime64[ns, UTC],
    "key" and "higher_is_better" bool, the other numbers int64 / float64."""
    if table not in _SPEC:
        near = difflib.get_close_matches(str(table), list(_SPEC), 1)
        raise _error(cxkit.Invalid, "Store.to_pandas: table: no table %r%s" % (
            table, "; did you mean '%s'?" % near[0] if near else ""))
    types = dict(_table_types()[table])
    names = [c[0] for c in _SPEC[table]]
    recs = list(self.records(table))
    for r in recs:
        for k in r:
            if k not in types:
                types[k] = cxkit.TYPE_STRING
                names.append(k)
    cols = {name: [r.get(name) for r in recs] for name in names}
    return _frame(names, [types[nm] for nm in names], cols)


def _history_to_pandas(self):
    """The history as a DataFrame, one row per entry in time order: "table",
    "row", "time", then the columns of the entries' records (None / NaN /
    NaT / <NA> where an entry's table has no such column); times
    datetime64[ns, UTC], whole numbers Int64."""
    entries = list(self)
    names = ["table", "row", "time"]
    types = {"table": cxkit.TYPE_STRING, "row": cxkit.TYPE_INT, "time": cxkit.TYPE_TIME}
    schema = {}
    for table in ("interactions", "cases", "feedback", "transactions"):
        schema.update(_table_types()[table])
    for e in entries:
        for k in e:
            if k not in types:
                types[k] = schema.get(k, cxkit.TYPE_STRING)
                names.append(k)
    cols = {name: [e.get(name) for e in entries] for name in names}
    return _frame(names, [types[nm] for nm in names], cols)


def _report_to_pandas(self):
    """The described rejected rows (rejects()) as a DataFrame: line, column, reason."""
    rows = self.rejects()
    cols = {"line": [r[0] for r in rows], "column": [r[1] for r in rows], "reason": [r[2] for r in rows]}
    return _frame(["line", "column", "reason"], [cxkit.TYPE_INT, cxkit.TYPE_INT, cxkit.TYPE_STRING], cols)


def _journeys_to_pandas(self):
    """The journeys (list()) as a DataFrame."""
    return self.list().to_pandas()


def _model_to_pandas(self):
    """The fitted parameters (params()) as a DataFrame."""
    return self.params().to_pandas()


def _install():
    """Add from_pandas and the to_pandas methods to cxkit's classes, and let
    the batch calls take a DataFrame. Idempotent."""
    if getattr(cxkit.Store, "_frames_installed", False):
        return
    for name in _BATCH.values():
        _ORIG[name] = getattr(cxkit.Store, name)
        setattr(cxkit.Store, name, _batch_method(name))
    cxkit.Store.from_pandas = from_pandas
    cxkit.Store.to_pandas = _store_to_pandas
    cxkit.Result.to_pandas = _result_to_pandas
    cxkit.History.to_pandas = _history_to_pandas
    cxkit.ImportReport.to_pandas = _report_to_pandas
    cxkit.Journeys.to_pandas = _journeys_to_pandas
    cxkit.Model.to_pandas = _model_to_pandas
    cxkit.Store._frames_installed = True
