/*
 * cxkit_python_post.i: Python code that needs the classes, so it is
 * included after every module (cxkit_python.i comes before them).
 */

%pythoncode %{
# Journeys(store, **kw): keyword arguments build the JourneyOptions.
def _journeys_init(self, store, options=None, **kw):
    if kw:
        if options is not None:
            raise TypeError("Journeys: pass options or keyword arguments, not both")
        options = JourneyOptions.make(store, **kw)
    _Journeys_init(self, store, options)


_Journeys_init = Journeys.__init__
_journeys_init.__doc__ = (_Journeys_init.__doc__ or "") + """
Keyword arguments instead of options build JourneyOptions.make(store, **kw):
Journeys(store, level="channel", collapse=True, conversion="purchase")."""
Journeys.__init__ = _journeys_init


# Imports take keyword arguments instead of options too:
# store.import_csv("customers", path, existing="update") builds
# ImportOptions.make(existing="update").
def _import_options(options, kw, name):
    if isinstance(options, dict):
        # a dict of options: store.import_csv("customers", path, {"existing": "update"})
        options, kw = None, dict(options, **kw)
    if not kw:
        return options
    if options is not None:
        raise TypeError("%s: pass options or keyword arguments, not both" % name)
    return ImportOptions.make(**kw)


def _store_import(f):
    def method(self, table, path, options=None, **kw):
        return f(self, table, path, _import_options(options, kw, f.__name__))
    method.__name__ = f.__name__
    method.__doc__ = (f.__doc__ or "") + """
Keyword arguments instead of options build ImportOptions.make(**kw):
store.%s("customers", path, existing="update", strict=True).""" % f.__name__
    return method


Store.import_csv = _store_import(Store.import_csv)
Store.import_jsonl = _store_import(Store.import_jsonl)


def _db_import(f):
    def function(db_path, table, csv_path, options=None, **kw):
        return f(db_path, table, csv_path, _import_options(options, kw, "db_import_csv"))
    function.__name__ = f.__name__
    function.__doc__ = (f.__doc__ or "") + """
Keyword arguments instead of options build ImportOptions.make(**kw)."""
    return function


db_import_csv = _db_import(db_import_csv)


# The fits and CLV also as module functions: cxkit.fit_bgnbd(x, t_x, T).
fit_bgnbd = Model.fit_bgnbd
fit_paretonbd = Model.fit_paretonbd
fit_gammagamma = Model.fit_gammagamma
fit_bgbb = Model.fit_bgbb
fit_sbg = Model.fit_sbg
clv = Model.clv


# ---- issue 13: Pythonic calls ------------------------------------------------

import functools as _functools


def _did_you_mean(name, names, what):
    """"unknown measure 'nsp': did you mean 'nps'?", or the valid names."""
    import difflib
    close = difflib.get_close_matches(str(name), list(names), n=3, cutoff=0.6)
    if close:
        hint = " or ".join(", ".join(repr(c) for c in close[:-1]).split(", ") + [repr(close[-1])]) \
            if len(close) > 1 else repr(close[0])
        if len(close) > 2:
            hint = ", ".join(repr(c) for c in close[:-1]) + " or " + repr(close[-1])
        return "unknown %s %r: did you mean %s?" % (what, name, hint)
    return "unknown %s %r (expected one of %s)" % (what, name, ", ".join(repr(n) for n in sorted(names)))


def _check_keywords(where, kw, allowed):
    """TypeError naming `where` for a keyword argument it does not take,
    with the close valid ones."""
    for k in kw:
        if k not in allowed:
            raise TypeError("%s: %s" % (where, _did_you_mean(k, allowed, "keyword argument")))


def _keywords_of(f):
    import inspect
    return [p.name for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in ("self", "cls")]


# The **kw builders answer a misspelt option with the close ones:
# ImportOptions.make(exsting="update") -> TypeError "ImportOptions.make:
# unknown keyword argument 'exsting': did you mean 'existing'?"
def _checked_make(cls, extra_positional=0):
    make = cls.__dict__["make"].__func__
    allowed = _keywords_of(make)
    where = "%s.make" % cls.__name__

    @_functools.wraps(make)
    def checked(klass, *args, **kw):
        _check_keywords(where, kw, allowed[len(args):] if args else allowed)
        return make(klass, *args, **kw)
    cls.make = classmethod(checked)


for _cls in (ImportOptions, JourneyOptions, Funnel, HealthOptions):
    _checked_make(_cls)
del _cls


# Methods that configure return the object, so calls chain:
# Query(store).add("nps").group_by("channel").run(). Each call is also
# remembered (in order) for the object's repr().
_CHAINED = {
    "Query": ("add", "group_by", "group_by_attribute", "group_by_time", "filter", "filter_attribute",
              "set_range", "set_fcr_rule", "set_repeat_window", "set_threads", "set_contact_kind", "set_calendar",
              "set_sla", "set_as_of", "set_confidence", "set_min_n", "set_index_weight"),
    "ImportOptions": ("set_strict", "set_create_customers", "set_existing", "set_reject_path", "map_column",
                      "set_delimiter", "set_threads"),
    "JourneyOptions": ("set_conversion", "add_conversion", "set_gap", "set_cut_at_conversion", "set_boundary",
                       "set_post_purchase", "add_post_purchase", "set_level", "set_collapse",
                       "set_conversion_in_path", "set_repeat_contacts", "set_half_life",
                       "set_position_weights", "set_min_support", "set_threads"),
    "Funnel": ("add_step", "add_exclusion", "set_window", "set_strict", "set_as_of"),
    "Calendar": ("add_hours", "add_holiday"),
    "HealthOptions": ("set_weight", "set_window", "set_scale"),
    "CareRules": ("set_min_value", "set_baseline", "set_priority"),
}


def _chained(f):
    @_functools.wraps(f)
    def method(self, *args, **kw):
        r = f(self, *args, **kw)
        try:
            calls = self.__dict__.setdefault("_cx_calls", [])
            if len(calls) < 64:  # bounded: a loop of setters on one object must not grow it
                calls.append((f.__name__, args, kw))
            else:
                self.__dict__["_cx_more"] = True
        except AttributeError:
            pass
        return self if r is None else r
    method.__doc__ = (f.__doc__ or "") + "\nReturns the object itself, so calls chain."
    return method


for _name, _methods in _CHAINED.items():
    _cls = globals()[_name]
    for _m in _methods:
        setattr(_cls, _m, _chained(getattr(_cls, _m)))
del _name, _methods, _cls, _m


def _calls_text(obj):
    """The remembered configuring calls: "set_strict(True) set_existing('update')"."""
    out = []
    for name, args, kw in obj.__dict__.get("_cx_calls", ()):
        a = [repr(x) for x in args] + ["%s=%r" % kv for kv in kw.items()]
        out.append("%s(%s)" % (name, ", ".join(a)))
    if obj.__dict__.get("_cx_more"):
        out.append("...")
    return " ".join(out)


def _configured_repr(self):
    if self.__dict__.get("_cx_closed"):
        return "<cxkit.%s (closed)>" % type(self).__name__
    text = _calls_text(self)
    return "<cxkit.%s%s>" % (type(self).__name__, " " + text if text else " (defaults)")


for _cls in (ImportOptions, JourneyOptions, Funnel, Calendar, HealthOptions):
    _cls.__repr__ = _configured_repr
del _cls


def _closing(cls):
    close = cls.close

    @_functools.wraps(close)
    def method(self):
        close(self)
        self.__dict__["_cx_closed"] = True
    cls.close = method


for _cls in (Query, ImportOptions, JourneyOptions, Funnel, Calendar, HealthOptions, CareRules, History, Monitor):
    _closing(_cls)
del _cls


_DIMS = ("channel", "stage", "touchpoint", "segment", "region", "plan", "agent", "priority", "attribute", "time")
_BUCKETS = ("day", "week", "month", "quarter", "year")


def _query_repr(self):
    if self.__dict__.get("_cx_closed"):
        return "<cxkit.Query (closed)>"
    measures, groups, filters, other = [], [], [], []
    for name, args, kw in self.__dict__.get("_cx_calls", ()):
        vals = list(args) + list(kw.values())
        if name == "add":
            measures.append(vals[0])
        elif name in ("group_by", "group_by_attribute"):
            groups.append(vals[0] if name == "group_by" else "attribute:%s" % vals[0])
        elif name == "group_by_time":
            groups.append("time:%s" % vals[0])
        elif name in ("filter", "filter_attribute"):
            filters.append("%s=%r" % (vals[0], vals[1]))
        else:
            other.append(name)
    parts = ["measures=[%s]" % ", ".join(map(str, measures)), "group_by=[%s]" % ", ".join(map(str, groups))]
    if filters:
        parts.append("filters=[%s]" % ", ".join(filters))
    if other:
        parts.append("+ " + ", ".join(other))
    if self.__dict__.get("_cx_more"):
        parts.append("...")
    preset = self.__dict__.get("_cx_preset")
    return "<cxkit.Query %s%s>" % (preset + " + " if preset else "", " ".join(parts))


Query.__repr__ = _query_repr


def _preset(f):
    @_functools.wraps(f)
    def make(store, offset_minutes=0):
        q = f(store, offset_minutes)
        q.__dict__["_cx_preset"] = "%s(offset_minutes=%d)" % (f.__name__, offset_minutes)
        return q
    return staticmethod(make)


Query.agent_daily = _preset(Query.agent_daily)


# Query(store, measures=["nps"], group_by=["channel", "month"], filters={"region": "north"}, ...)
def _query_init(self, store, measures=(), group_by=(), filters=None, range=None, as_of=None, confidence=None,
                min_n=None, calendar=None, contact_kind=None, repeat_window_ms=None, index_weights=None,
                offset_minutes=0, threads=None):
    _Query_init(self, store)
    if isinstance(measures, str):
        measures = [measures]
    if isinstance(group_by, str):
        group_by = [group_by]
    for m in measures:
        self.add(m)
    for g in group_by:
        if isinstance(g, str) and g in _BUCKETS:
            self.group_by_time(g, offset_minutes)
        elif isinstance(g, str) and g.startswith("attribute:"):
            self.group_by_attribute(g[len("attribute:"):])
        else:
            self.group_by(g)
    for dim, values in (filters or {}).items():
        for v in ([values] if isinstance(values, str) else values):
            if isinstance(dim, str) and dim.startswith("attribute:"):
                self.filter_attribute(dim[len("attribute:"):], v)
            else:
                self.filter(dim, v)
    if range is not None:
        self.set_range(*range)
    for value, setter in ((as_of, self.set_as_of), (confidence, self.set_confidence), (min_n, self.set_min_n),
                          (calendar, self.set_calendar), (contact_kind, self.set_contact_kind),
                          (repeat_window_ms, self.set_repeat_window), (threads, self.set_threads)):
        if value is not None:
            setter(value)
    for m, w in (index_weights or {}).items():
        self.set_index_weight(m, w)


_Query_init = Query.__init__
_query_init.__doc__ = (_Query_init.__doc__ or "") + """
Keyword arguments configure it in one call: measures (names), group_by
(dimension names; "day" .. "year" group by time in offset_minutes;
"attribute:<key>" by a customer attribute), filters ({dimension: value or
list of values}; "attribute:<key>" keys too), range ((from, to)), as_of,
confidence, min_n, calendar, contact_kind, repeat_window_ms,
index_weights ({measure: weight}) and threads (see set_threads()):
Query(store, measures=["nps", "csat"], group_by=["channel", "month"], filters={"region": "north"})."""


def _query_new(self, store, *args, **kw):
    if args:
        raise TypeError("Query: takes the store and keyword arguments only (Query(store, measures=[...]))")
    _check_keywords("Query", kw, _keywords_of(_query_init)[1:])
    _query_init(self, store, **kw)


_query_new.__doc__ = _query_init.__doc__
_query_new.__signature__ = __import__("inspect").signature(_query_init)
Query.__init__ = _query_new


def _journeys_checked(f):
    allowed = _keywords_of(JourneyOptions.make.__wrapped__)[1:]

    @_functools.wraps(f)
    def init(self, store, options=None, **kw):
        _check_keywords("Journeys", kw, allowed)
        f(self, store, options, **kw)
    return init


Journeys.__init__ = _journeys_checked(Journeys.__init__)


def _store_import_checked(f):
    allowed = _keywords_of(ImportOptions.make.__wrapped__)

    @_functools.wraps(f)
    def method(self, table, path, options=None, **kw):
        if isinstance(options, dict):
            options, kw = None, dict(options, **kw)
        _check_keywords("Store.%s" % f.__name__, kw, allowed)  # before the file is opened
        return f(self, table, path, options, **kw)
    return method


Store.import_csv = _store_import_checked(Store.import_csv)
Store.import_jsonl = _store_import_checked(Store.import_jsonl)


def _history_repr(self):
    if self.__dict__.get("_cx_closed"):
        return "<cxkit.History (closed)>"
    try:
        return "<cxkit.History %d entries>" % self.count()
    except Error:
        return "<cxkit.History (closed)>"


History.__repr__ = _history_repr


def _care_rules_repr(self):
    if self.__dict__.get("_cx_closed"):
        return "<cxkit.CareRules (closed)>"
    try:
        return "<cxkit.CareRules %d rules>" % self.count()
    except Error:
        return "<cxkit.CareRules (closed)>"


CareRules.__repr__ = _care_rules_repr


def _monitor_repr(self):
    return "<cxkit.Monitor%s>" % (" (closed)" if self.__dict__.get("_cx_closed") else "")


Monitor.__repr__ = _monitor_repr


# cxkit.NotFound is a KeyError, whose str() would quote the message.
NotFound.__str__ = lambda self: str(self.args[0]) if self.args else ""


# Signatures for help() and inspect: SWIG writes (*args, **kwargs) when a
# default is not a Python literal (a time's default is CX_TIME_NONE, which
# scripts write None; enumeration defaults are names). The texts below are
# the C signatures of the .i files as a script calls them.
def _signatures():
    import inspect
    sigs = {
        Store.add_customer: "(self, id, segment=None, region=None, plan=None, acquired=None)",
        Store.add_interaction: "(self, customer, touchpoint, time, kind=None, direction='inbound', agent=None, "
                               "case_id=None, duration_ms=0, outcome='handled', value=0.0, id=None)",
        Store.add_case: "(self, id, customer, channel, priority, agent, opened, first_response=None, "
                        "resolved=None, reopens=0, contacts=1)",
        Store.add_feedback: "(self, customer, question, score, time, touchpoint=None, interaction=None, "
                            "case_id=None, comment=None, id=None)",
        Store.add_transaction: "(self, customer, time, amount, id=None)",
        Store.put_customer: "(self, id, segment=None, region=None, plan=None, acquired=None)",
        Store.put_interaction: "(self, id, customer, touchpoint, time, kind=None, direction='inbound', agent=None, "
                               "case_id=None, duration_ms=0, outcome='handled', value=0.0)",
        Store.put_case: "(self, id, customer, channel, priority, agent, opened, first_response=None, "
                        "resolved=None, reopens=0, contacts=1)",
        Store.put_feedback: "(self, id, customer, question, score, time, touchpoint=None, interaction=None, "
                            "case_id=None, comment=None)",
        Store.add_customers: "(self, ids, segments=None, regions=None, plans=None, acquired=None)",
        Store.add_interactions: "(self, customers, touchpoints, times, kinds=None, directions=None, agents=None, "
                                "case_ids=None, durations=None, outcomes=None, values=None, ids=None)",
        Store.add_feedbacks: "(self, customers, questions, scores, times, touchpoints=None, interactions=None, "
                             "case_ids=None, comments=None, ids=None)",
        Store.add_transactions: "(self, customers, times, amounts, ids=None)",
        Store.pseudonymize: "(self, key, attributes=(), drop_comments=False)",
        Store.import_csv: "(self, table, path, options=None, **kw)",
        Store.import_jsonl: "(self, table, path, options=None, **kw)",
        db_import_csv: "(db_path, table, csv_path, options=None, **kw)",
        Store.history: "(self, customer, _from=None, to=None)",
        Monitor.add_case: "(self, resolved, opened, first_response=None, contacts=1, reopens=0)",
        Journeys.satisfaction: "(self, group='path')",
        Paths.add_batch: "(self, paths, conversions, nulls=None, value=None, separator='>')",
        Paths.add: "(self, path, conversions, nulls=0.0, value=0.0, separator='>')",
        Paths.table: "(self, separator=' > ')",
        Paths.import_csv: "(self, file, path='path', conversions='conversions', nulls='nulls', value='value', "
                          "separator='>')",
        Journeys.path_counts: "(self, separator=' > ')",
        TextIndex.__init__: "(self, store, lang='auto')",
        TextIndex.counts: "(self, metric='nps', group='none', bucket='month', offset_minutes=0, touchpoint=None, "
                          "channel=None, start=None, end=None)",
        TextIndex.themes: "(self, metric='nps', group='none', prior=0.0, min_count=5, touchpoint=None, channel=None, "
                          "start=None, end=None, bucket='month', offset_minutes=0)",
        TextIndex.trend: "(self, query, bucket='month', offset_minutes=0)",
        TextLexicon.learn: "(index, metric='nps', min_count=5, min_z=1.96)",
        text_tokens: "(text, lang='auto')",
        cohorts: "(store, activity='transactions', start='first_activity', bucket='month', offset=0)",
        lifecycle: "(store, activity='transactions', start='first_activity', bucket='month', offset=0)",
        stickiness: "(store, activity='transactions', start='first_activity', bucket='month', offset=0)",
        Survival.__init__: "(self, time, event, group=None, level=0.95, band='log_log', entry=None)",
        LogRank.__init__: "(self, time, event, group, strata=None, entry=None, weight='logrank', p=0, q=0)",
        CoxOptions.__init__: "(self, ties='efron', max_iterations=20, strata=None, entry=None)",
        CoxOptions.add_factor: "(self, name, values, reference=None)",
        CoxOptions.add_customer_column: "(self, store, ids, dim, reference=None)",
        CoxOptions.add_customer_attribute: "(self, store, ids, attribute, reference=None)",
        Cox.predict: "(self, x, t, stratum=0)",
        Cox.coefficients: "(self, level=0.95)",
        Cox.zph: "(self, transform='km')",
        Cox.fit_store: "(store, as_of, options, activity='transactions', inactivity_ms=7776000000, "
                       "churn_attribute=None, unit_ms=86400000, observed_from=None)",
        CoxOptions.add_store_column: "(self, dim, reference=None)",
        CoxOptions.add_store_attribute: "(self, attribute, reference=None)",
        CoxOptions.add_store_signal: "(self, signal, channel=None)",
        Store.survival_subjects: "(self, activity, inactivity_ms, as_of, churn_attribute=None, group_by=None, "
                                 "unit_ms=86400000, observed_from=None)",
        Summary.__init__: "(self, store, calibration_end, holdout_end=None, unit_ms=604800000, tolerance_ms=86400000)",
        Survival.from_store: "(store, activity, inactivity_ms, as_of, churn_attribute=None, group_by=None, "
                             "unit_ms=86400000, level=0.95, band='log_log', observed_from=None)",
        Survival.at: "(self, t, group=0)",
        Survival.band: "(self, t, group=0)",
        Survival.median: "(self, group=0)",
        Model.fit_bgnbd: "(x, t_x, T, weights=None)",
        Model.fit_paretonbd: "(x, t_x, T, weights=None)",
        Model.fit_gammagamma: "(x, mean, weights=None)",
        Model.fit_bgbb: "(x, t_x, n_opp, weights=None)",
        Model.fit_sbg: "(t, churned, weights=None)",
        Model.purchase_pmf: "(self, t, n_max)",
        Model.population_expected: "(self, t)",
        Model.calibration: "(self, x, t_x, T, holdout, duration, max_frequency=7)",
        Model.customers: "(self, x, t_x, T, horizon, spend=None, mean=None, periods=12, period=1.0, discount=0.0)",
        Summary.calibration: "(self, model, duration, max_frequency=7)",
        Summary.customers: "(self, purchases, horizon, spend=None, periods=12, period=1.0, discount=0.0)",
    }
    for f, text in sigs.items():
        ns = {}
        exec("def _f%s: pass" % text, ns)
        f.__signature__ = inspect.signature(ns["_f"])
    Journeys.__init__.__signature__ = inspect.signature(
        lambda self, store, options=None, **kw: None)


_signatures()
del _signatures
%}
