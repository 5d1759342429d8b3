/* cycles.i: service cycles (cycles.h): the CaseEvents log of a helpdesk's
 * status changes (opened, resolved, reopened) and its analyses, which
 * return the shared Result table (to_pandas() in Python). A log owns
 * everything it holds; the analyses take an optional Store for the cases'
 * customer, channel, priority and agent, and read it only during the call.
 * Events are named by text ("opened", "resolved", "reopened"; "solved" and
 * "reopen" too), groupings by "channel", "priority", "agent" or None. */

%constant int CASE_EVENT_OPENED = CX_CASE_EVENT_OPENED;
%constant int CASE_EVENT_RESOLVED = CX_CASE_EVENT_RESOLVED;
%constant int CASE_EVENT_REOPENED = CX_CASE_EVENT_REOPENED;

%{
/* A log of case events owns everything it holds and needs no store. */
typedef struct CaseEvents { cx_case_events *h; } CaseEvents;
CXB_GETTER(cxb_case_events, CaseEvents, cx_case_events, o->h)

/* The store an analysis reads, or NULL for none; false when a closed
 * store was given (the failure recorded). */
static bool cxb_cycles_store(cx_store **out, const Store *store)
{
    *out = NULL;
    if (!store)
        return true;
    *out = cxb_store(store);
    return *out != NULL;
}

/* Options from the script's arguments; NULL when refused (recorded). */
static cx_cycles_options *cxb_cycles_options(const char *by, bool strict)
{
    static const char *const groups[] = {"none", "channel", "priority", "agent"};
    int g = CX_CYCLES_BY_NONE;
    if (by) {
        for (g = 0; g < 4 && strcmp(by, groups[g]) != 0; g++)
            ;
        if (g == 4) {
            cxb_fail(CX_EINVAL, "by: \"%.60s\" is not a grouping (channel, priority, agent or none)", by);
            return NULL;
        }
    }
    cx_cycles_options *o = NULL;
    if (cxb_check(cx_cycles_options_new(&o)) < 0)
        return NULL;
    if (cxb_check(cx_cycles_options_set_group(o, g)) < 0 || cxb_check(cx_cycles_options_set_strict(o, strict)) < 0) {
        cx_cycles_options_free(o);
        return NULL;
    }
    return o;
}
%}

%newobject CaseEvents::cycles;
%newobject CaseEvents::summary;
%newobject CaseEvents::check;

%{
static const char *cxb_case_event_kind_name(int kind)
{
    const char *name = NULL;
    cxb_check(cx_case_event_kind_name(&name, kind));
    return name;
}
%}
%rename(case_event_kind_name) cxb_case_event_kind_name;
/** The name of an event kind (CASE_EVENT_OPENED...): "opened",
 *  "resolved" or "reopened".
 *  @param kind 0 to 2. */
const char *cxb_case_event_kind_name(int kind);

/** A log of case events: when each case was opened, resolved and
 *  reopened, as a helpdesk exports them, for resolution time per cycle
 *  (cycle 1 from the opening to the first resolution, cycle k + 1 from the
 *  k-th reopening to the next). Events may come in any order; a case's
 *  events at the same millisecond keep their order of addition. */
typedef struct CaseEvents {} CaseEvents;

%extend CaseEvents {
    /** @brief An empty log. */
    CaseEvents() {
        cx_case_events *h = NULL;
        if (cxb_check(cx_case_events_new(&h)) < 0)
            return NULL;
        CaseEvents *o = calloc(1, sizeof *o);
        if (!o) {
            cx_case_events_free(h);
            cxb_fail(CX_ENOMEM, "out of memory");
            return NULL;
        }
        o->h = h;
        return o;
    }
    ~CaseEvents() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_case_events_free($self->h);
        free($self);
    }
    /** @brief Free the log now (methods then raise). */
    void close() {
        cx_case_events_free($self->h);
        $self->h = NULL;
    }
    /** @brief Add one event.
     *  @param case_id the case's id (as in the store), non-empty UTF-8.
     *  @param time when.
     *  @param event "opened", "resolved" or "reopened".
     *  @param agent who made the change (the one who resolved a cycle is
     *  its agent), or None.
     *  @exception Invalid for a bad id, event or agent; Range for a time
     *  outside years 0000-9999. The log is then unchanged. */
    void add(const char *case_id, cx_time time, const char *event, const char *agent = NULL) {
        cx_case_events *e = cxb_case_events($self);
        int kind = 0;
        if (!e)
            return;
        if (!event) {
            cxb_fail(CX_EINVAL, "event is None: give opened, resolved or reopened");
            return;
        }
        if (cx_case_event_kind_find(&kind, event) != CX_OK) {
            cxb_fail(CX_EINVAL, "event: \"%.60s\" is not an event kind (opened, resolved, reopened)", event);
            return;
        }
        cxb_check(cx_case_events_add(e, case_id, time, kind, agent));
    }
    /** @brief Add the events of a CSV file, all or nothing: a header with
     *  the columns case, time (ISO 8601), event and optionally agent
     *  (RFC 4180, UTF-8, a byte-order mark and CRLF accepted).
     *  @param file the file's path.
     *  @exception Invalid naming the file, line and column of a bad row, or
     *  a missing column (the log is then unchanged); IO when the file cannot
     *  be read. */
    void import_csv(const char *file) {
        cxb_check(cx_case_events_import_csv(cxb_case_events($self), file));
    }
    /** @brief Events in the log. */
    size_t count() { return cx_case_events_count(cxb_case_events($self)); }
    /** @brief Distinct cases in the log. */
    size_t case_count() { return cx_case_events_case_count(cxb_case_events($self)); }
    /** @brief Erase the events of every case the store does not hold
     *  (after Store.forget(), the cases of the forgotten customers); their
     *  ids are zeroed in memory.
     *  @param store the store.
     *  @return the number of events removed. */
    size_t prune(const Store *store) {
        size_t removed = 0;
        cx_store *s = cxb_store(store);
        cx_case_events *e = cxb_case_events($self);
        if (s && e)
            cxb_check(cx_case_events_prune(&removed, e, s));
        return removed;
    }
    /** @brief One row per cycle: "case", "customer", "channel",
     *  "priority", "agent", "cycle" (1 for the first opening), "opened",
     *  "resolved" (None while open), "duration_ms" and "reopen_lag_ms"
     *  (NaN when they do not exist), "reopened", "ignored_events",
     *  "case_reopens" and "store_check" ("ok" or what differs from the
     *  store's case). By case id, then cycle.
     *
     *  Events that do not fit a case's sequence (before the opening, opened
     *  again, resolved twice, reopened while open) are ignored and counted;
     *  with a store, cases it does not hold are dropped (check() lists
     *  both).
     *  @param store the store whose cases the ids name, or None.
     *  @param strict raise on the first inconsistent event (Order) or case
     *  not in the store (NotFound) instead. */
    Result *cycles(const Store *store = NULL, bool strict = false) {
        cx_store *s;
        cx_case_events *e = cxb_case_events($self);
        cx_result *t = NULL;
        if (!e || !cxb_cycles_store(&s, store))
            return NULL;
        cx_cycles_options *o = cxb_cycles_options(NULL, strict);
        if (!o)
            return NULL;
        int rc = cx_cycles_run(&t, e, s, o);
        cx_cycles_options_free(o);
        return cxb_result_wrap(rc, &t);
    }
    /** @brief Cycles compared by number: "cycle", "cycles", "resolved",
     *  "open", "mean_ms", "median_ms", "p90_ms" (of the resolved ones),
     *  "reopened", "reopen_share", "median_lag_ms" and "ratio_to_first"
     *  (the median over first cycles' median: 2 when these cycles take
     *  twice as long), with the group first when grouped.
     *  @param store the store, or None.
     *  @param by "channel" or "priority" (both need a store), "agent", or
     *  None.
     *  @param strict as cycles(). */
    Result *summary(const Store *store = NULL, const char *by = NULL, bool strict = false) {
        cx_store *s;
        cx_case_events *e = cxb_case_events($self);
        cx_result *t = NULL;
        if (!e || !cxb_cycles_store(&s, store))
            return NULL;
        cx_cycles_options *o = cxb_cycles_options(by, strict);
        if (!o)
            return NULL;
        int rc = cx_cycles_summary(&t, e, s, o);
        cx_cycles_options_free(o);
        return cxb_result_wrap(rc, &t);
    }
    /** @brief What cycles() ignores or drops and where the log and the
     *  store disagree: "case", "time", "event", "problem", one row per
     *  problem.
     *  @param store the store, or None. */
    Result *check(const Store *store = NULL) {
        cx_store *s;
        cx_case_events *e = cxb_case_events($self);
        cx_result *t = NULL;
        if (!e || !cxb_cycles_store(&s, store))
            return NULL;
        return cxb_result_wrap(cx_cycles_check(&t, e, s), &t);
    }
}

#if defined(SWIGPYTHON)
%extend CaseEvents {
%pythoncode %{
    def __len__(self):
        return self.count()

    def __repr__(self):
        try:
            return "<cxkit.CaseEvents %d events of %d cases>" % (self.count(), self.case_count())
        except Error:
            return "<cxkit.CaseEvents (closed)>"

    @classmethod
    def read_csv(cls, file):
        """A log of the events of a CSV file (columns case, time, event and
        optionally agent), read in C (import_csv())."""
        e = cls()
        e.import_csv(file)
        return e

    @classmethod
    def from_pandas(cls, frame, case="case", time="time", event="event", agent=None):
        """A log of the rows of a DataFrame, all or nothing: the columns
        named by case, time (datetimes, ISO-8601 text or milliseconds) and
        event, and agent when not None (a missing agent is none)."""
        if not hasattr(frame, "columns"):
            raise TypeError("CaseEvents.from_pandas: frame: a pandas DataFrame, not %s" % type(frame).__name__)
        for arg, name in (("case", case), ("time", time), ("event", event), ("agent", agent)):
            if name is not None and name not in frame.columns:
                raise KeyError("CaseEvents.from_pandas: %s: no column %r (columns: %s)"
                               % (arg, name, ", ".join(map(str, frame.columns))))
        import pandas
        times = frame[time]
        if pandas.api.types.is_datetime64_any_dtype(times):
            times = times.dt.tz_localize("UTC") if times.dt.tz is None else times
            times = [None if pandas.isna(t) else int(t.value // 1000000) for t in times]
        else:
            times = [None if (not isinstance(t, str) and pandas.isna(t)) else t for t in times]
        agents = frame[agent].tolist() if agent is not None else [None] * len(frame)
        e = cls()
        for c, t, k, a in zip(frame[case].tolist(), times, frame[event].tolist(), agents):
            e.add(c, t, k, None if a is None or (not isinstance(a, str) and pandas.isna(a)) else a)
        return e
%}
}
#endif
