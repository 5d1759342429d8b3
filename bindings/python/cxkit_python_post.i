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
        cohorts: "(store, activity='transactions', start='first_activity', bucket='month', offset=0)",
        Survival.__init__: "(self, time, event, group=None, level=0.95, band='log_log')",
        Summary.__init__: "(self, store, calibration_end, holdout_end=None, unit_ms=604800000, tolerance_ms=86400000)",
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
