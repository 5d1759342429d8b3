/* metrics.i: queries, result tables and live monitors (metrics.h). */

%constant int QUERY_MIN_N_DEFAULT = CX_QUERY_MIN_N_DEFAULT;
%constant int MEASURE_NPS = CX_MEASURE_NPS;
%constant int MEASURE_CSAT = CX_MEASURE_CSAT;
%constant int MEASURE_CES = CX_MEASURE_CES;
%constant int MEASURE_FCR = CX_MEASURE_FCR;
%constant int MEASURE_FIRST_RESPONSE = CX_MEASURE_FIRST_RESPONSE;
%constant int MEASURE_RESOLUTION = CX_MEASURE_RESOLUTION;
%constant int MEASURE_CONTACTS = CX_MEASURE_CONTACTS;
%constant int MEASURE_REOPEN_RATE = CX_MEASURE_REOPEN_RATE;
%constant int MEASURE_SLA_BREACH = CX_MEASURE_SLA_BREACH;
%constant int MEASURE_MISSED_RATE = CX_MEASURE_MISSED_RATE;
%constant int MEASURE_ABANDON_RATE = CX_MEASURE_ABANDON_RATE;
%constant int MEASURE_HANDLE_TIME = CX_MEASURE_HANDLE_TIME;
%constant int MEASURE_REPEAT_RATE = CX_MEASURE_REPEAT_RATE;
%constant int MEASURE_CX_INDEX = CX_MEASURE_CX_INDEX;
%constant int DIM_CHANNEL = CX_DIM_CHANNEL;
%constant int DIM_STAGE = CX_DIM_STAGE;
%constant int DIM_TOUCHPOINT = CX_DIM_TOUCHPOINT;
%constant int DIM_SEGMENT = CX_DIM_SEGMENT;
%constant int DIM_REGION = CX_DIM_REGION;
%constant int DIM_PLAN = CX_DIM_PLAN;
%constant int DIM_AGENT = CX_DIM_AGENT;
%constant int DIM_PRIORITY = CX_DIM_PRIORITY;
%constant int BUCKET_DAY = CX_BUCKET_DAY;
%constant int BUCKET_WEEK = CX_BUCKET_WEEK;
%constant int BUCKET_MONTH = CX_BUCKET_MONTH;
%constant int BUCKET_QUARTER = CX_BUCKET_QUARTER;
%constant int BUCKET_YEAR = CX_BUCKET_YEAR;

/** A metrics query over a store: the measures wanted ("nps", "csat",
 *  "ces", "fcr", ...), filters and groupings; run() gives a Result. It keeps
 *  its store (and calendar) alive. */
typedef struct Query {} Query;

%newobject Query::agent_daily;
%newobject Query::run;
%extend Query {
    /** @brief A query over a store (which it keeps alive). */
    Query(const Store *store) {
        cx_query *h = NULL;
        return cxb_query_wrap(cx_query_new(&h, cxb_store(store)), &h, store);
    }
    /** @brief The per-agent daily report: grouped by agent and day (days in
     *  a UTC offset), with handle time, missed and abandoned rates, FCR,
     *  CSAT and NPS. It can be refined before it runs. */
    static Query *agent_daily(const Store *store, int offset_minutes = 0) {
        cx_query *h = NULL;
        return cxb_query_wrap(cx_query_new_agent_daily(&h, cxb_store(store), offset_minutes), &h, store);
    }
    ~Query() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_query_free($self->h);
        cxb_ref_drop($self->store);
        cxb_ref_drop($self->calendar);
        free($self);
    }
    /** @brief Free the query now (methods then raise). */
    void close() {
        cx_query_free($self->h);
        $self->h = NULL;
        cxb_ref_drop($self->store);
        cxb_ref_drop($self->calendar);
        $self->store = $self->calendar = NULL;
    }
    /** @brief Ask for a measure ("nps", "csat", "ces", "fcr",
     *  "first_response", "resolution", "contacts", "reopen_rate",
     *  "sla_breach", "missed_rate", "abandon_rate", "handle_time",
     *  "repeat_rate", "cx_index"); columns come in the order asked. */
    void add(cxb_measure measure) { cxb_check(cx_query_add(cxb_query($self), measure)); }
    /** @brief Group by a dimension ("channel", "stage", "touchpoint",
     *  "segment", "region", "plan", "agent", "priority"). */
    void group_by(cxb_dim dim) { cxb_check(cx_query_group_by(cxb_query($self), dim)); }
    /** @brief Group by a free customer attribute. */
    void group_by_attribute(const char *key) { cxb_check(cx_query_group_by_attribute(cxb_query($self), key)); }
    /** @brief Group by time bucket ("day", "week", "month", "quarter",
     *  "year") in a UTC offset (minutes). */
    void group_by_time(cxb_bucket bucket, int offset_minutes = 0) {
        cxb_check(cx_query_group_by_time(cxb_query($self), bucket, offset_minutes));
    }
    /** @brief Keep records whose dimension has this value (values of one
     *  dimension are alternatives; dimensions must all match). */
    void filter(cxb_dim dim, const char *value) { cxb_check(cx_query_filter(cxb_query($self), dim, value)); }
    /** @brief Keep records of customers whose attribute `key` is `value`. */
    void filter_attribute(const char *key, const char *value) {
        cxb_check(cx_query_filter_attribute(cxb_query($self), key, value));
    }
    /** @brief Keep records whose time is in [from, to) (None: unbounded). */
    void set_range(cx_time from, cx_time to) { cxb_check(cx_query_set_range(cxb_query($self), from, to)); }
    /** @brief The first-contact-resolution rule: at most `max_contacts`
     *  contacts, `max_reopens` reopens, and no inbound contact within
     *  `window_ms` after resolution (0: not checked). */
    void set_fcr_rule(int max_contacts = 1, int max_reopens = 0, int64_t window_ms = 0) {
        cxb_check(cx_query_set_fcr_rule(cxb_query($self), max_contacts, max_reopens, window_ms));
    }
    /** @brief Threads run() may use (default 1; 0: every core): the
     *  tables are read in fixed blocks merged in order, so the result is
     *  the same, bit for bit, for any count. */
    void set_threads(int threads) { cxb_check(cx_query_set_threads(cxb_query($self), threads)); }
    /** @brief The window of "repeat_rate", in milliseconds. */
    void set_repeat_window(int64_t window_ms) {
        cxb_check(cx_query_set_repeat_window(cxb_query($self), window_ms));
    }
    /** @brief The interaction kind that counts as a service contact ("contact"). */
    void set_contact_kind(const char *kind) { cxb_check(cx_query_set_contact_kind(cxb_query($self), kind)); }
    /** @brief Measure service times in a calendar's business hours (None:
     *  wall-clock time). The query keeps the calendar alive. */
    void set_calendar(const Calendar *calendar) {
        cx_query *q = cxb_query($self);
        if (!q)
            return;
        if (!calendar) {
            if (cxb_check(cx_query_set_calendar(q, NULL)) == 0) {
                cxb_ref_drop($self->calendar);
                $self->calendar = NULL;
            }
            return;
        }
        cx_calendar *c = cxb_calendar(calendar);
        if (c && cxb_check(cx_query_set_calendar(q, c)) == 0) {
            cxb_ref *old = $self->calendar;
            $self->calendar = cxb_ref_take(calendar->ref);
            cxb_ref_drop(old);
        }
    }
    /** @brief An SLA target for cases of a priority and/or channel (None:
     *  any); times in milliseconds, -1 for no target. */
    void set_sla(const char *priority, const char *channel, int64_t first_response_ms, int64_t resolution_ms) {
        cxb_check(cx_query_set_sla(cxb_query($self), priority, channel, first_response_ms, resolution_ms));
    }
    /** @brief When pending cases are judged against their SLA (None: the
     *  latest time of the cases table). */
    void set_as_of(cx_time as_of) { cxb_check(cx_query_set_as_of(cxb_query($self), as_of)); }
    /** @brief The confidence level of intervals, in (0, 1) (0.95). */
    void set_confidence(double level) { cxb_check(cx_query_set_confidence(cxb_query($self), level)); }
    /** @brief The smallest group size a figure is shown for: each measure
     *  (but "cx_index") gets a "<measure>_small" column, 1 when its n is
     *  below min_n (default 30, cxkit.QUERY_MIN_N_DEFAULT; 0: never). */
    void set_min_n(int64_t min_n) { cxb_check(cx_query_set_min_n(cxb_query($self), min_n)); }
    /** @brief The weight of a measure in "cx_index" (0 removes it). */
    void set_index_weight(cxb_measure measure, double weight) {
        cxb_check(cx_query_set_index_weight(cxb_query($self), measure, weight));
    }
    /** @brief Run the query: a Result with one row per group (it does not
     *  depend on the store afterwards). */
    Result *run() {
        cx_result *r = NULL;
        return cxb_result_wrap(cx_query_run(&r, cxb_query($self)), &r);
    }
}

%{
static size_t cxb_result_column_of(const cx_result *r, cxb_colref c)
{
    size_t col = (size_t)c.idx;
    if (c.name) {
        int rc = cx_result_column_find(&col, r, c.name);
        if (rc == CX_ENOTFOUND) {
            /* the close column names: "no column npss: did you mean 'nps'?" */
            const char *names[64];
            size_t n = cx_result_column_count(r), k = 0;
            for (size_t i = 0; i < n && k < 64; i++)
                if (cx_result_column_name(&names[k], r, i) == 0 && names[k])
                    k++;
            char hint[512];
            cxb_suggest(hint, sizeof hint, c.name, names, k);
            const char *m = cx_last_error();
            cxb_fail(rc, "%s%s", m && *m ? m : cx_strerror(rc), strncmp(hint, ": did", 5) == 0 ? hint : "");
            return (size_t)-1;
        }
        if (cxb_check(rc) < 0)
            return (size_t)-1;
    } else if (c.idx < 0) {
        cxb_fail(CX_ERANGE, "column %d out of range", c.idx);
        return (size_t)-1;
    }
    return col;
}
%}

typedef struct cxb_i64out cxb_i64out; /* int64 out: numpy array / list / sequence */
typedef struct cxb_strout cxb_strout; /* texts out: list / sequence (None / false when missing) */
%{
/* The column a bulk reader reads (cxb_result_column_of), or (size_t)-1
 * with the error recorded. */
static size_t cxb_result_bulk_column(const Result *self, const cx_result **r, cxb_colref column)
{
    *r = cxb_result(self);
    return *r ? cxb_result_column_of(*r, column) : (size_t)-1;
}
%}

/** An immutable result table: one row per group, columns named like
 *  "channel", "nps", "nps_n", "nps_lo", "nps_hi", ... Missing numbers are
 *  NaN, missing labels None. */
typedef struct Result {} Result;

%newobject Result::merge;
%newobject Result::deserialize;
%extend Result {
    ~Result() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_result_free($self->h);
        free($self);
    }
    /** @brief Free the result now (methods then raise). */
    void close() {
        cx_result_free($self->h);
        $self->h = NULL;
    }
    /** @brief Number of rows (groups). */
    size_t rows() { return cx_result_row_count(cxb_result($self)); }
    /** @brief Number of columns. */
    size_t columns() { return cx_result_column_count(cxb_result($self)); }
    /** @brief The name of a column. */
    const char *column_name(size_t column) {
        const char *s = NULL;
        cxb_check(cx_result_column_name(&s, cxb_result($self), column));
        return s;
    }
    /** @brief The type of a column (cxkit.TYPE_STRING, TYPE_INT, TYPE_REAL, TYPE_TIME). */
    int column_type(size_t column) {
        int t = 0;
        cxb_check(cx_result_column_type(&t, cxb_result($self), column));
        return t;
    }
    /** @brief The number of a column by name.
     *  @exception NotFound when there is no such column. */
    size_t column_find(const char *name) {
        size_t c = 0;
        cxb_check(cx_result_column_find(&c, cxb_result($self), name));
        return c;
    }
    /** @brief One cell, the column by number or name: a label (None when
     *  missing), an int count, a float (NaN when missing) or a time. */
    cxb_value get(size_t row, cxb_colref column) {
        cxb_value v = {0};
        const cx_result *r = cxb_result($self);
        if (!r)
            return v;
        size_t col = cxb_result_column_of(r, column);
        if (col != (size_t)-1)
            v = cxb_result_cell(r, row, col);
        return v;
    }
    /** @brief A whole numeric column (by number or name) as float64, in one
     *  call: NaN for a missing value or time. Python: a numpy array (a list
     *  without numpy); Lua: a sequence. */
    cxb_f64out column_reals(cxb_colref column) {
        cxb_f64out o = {NULL, 0};
        const cx_result *r;
        size_t col = cxb_result_bulk_column($self, &r, column), n = cx_result_row_count(r);
        if (col != (size_t)-1 && (o = cxb_f64out_new(n)).p)
            o = cxb_f64out_check(cx_result_column_reals(o.p, r, col, 0, n), o);
        return o;
    }
    /** @brief A whole integer or time column (by number or name) as exact
     *  int64, in one call; times in milliseconds since 1970-01-01 UTC, a
     *  missing time the smallest int64 (numpy's NaT; Lua: math.mininteger).
     *  Python: a numpy int64 array (a list without numpy); Lua: a sequence
     *  of integers. */
    cxb_i64out column_ints(cxb_colref column) {
        cxb_i64out o = {NULL, 0};
        const cx_result *r;
        size_t col = cxb_result_bulk_column($self, &r, column), n = cx_result_row_count(r);
        if (col == (size_t)-1)
            return o;
        if (!(o.p = malloc((n ? n : 1) * sizeof *o.p))) {
            cxb_fail(CX_ENOMEM, "out of memory");
            return o;
        }
        o.n = n;
        if (cxb_check(cx_result_column_ints(o.p, r, col, 0, n)) < 0) {
            free(o.p);
            o.p = NULL;
            o.n = 0;
        }
        return o;
    }
    /** @brief A whole text column (by number or name) in one call. Python:
     *  a list of str, None when missing (equal texts are one str object);
     *  Lua: a sequence of strings, false when missing. */
    cxb_strout column_strings(cxb_colref column) {
        cxb_strout o = {NULL, 0};
        const cx_result *r;
        size_t col = cxb_result_bulk_column($self, &r, column), n = cx_result_row_count(r);
        if (col == (size_t)-1)
            return o;
        if (!(o.p = malloc((n ? n : 1) * sizeof *o.p))) {
            cxb_fail(CX_ENOMEM, "out of memory");
            return o;
        }
        o.n = n;
        if (cxb_check(cx_result_column_strings(o.p, r, col, 0, n)) < 0) {
            free(o.p);
            o.p = NULL;
            o.n = 0;
        }
        return o;
    }
    /** @brief Row `index` as a dict (Lua: a table) keyed by column name. */
    cxb_row row(size_t index) {
        cxb_row out;
        out.n = 0;
        const cx_result *r = cxb_result($self);
        size_t ncol = cx_result_column_count(r), nrow = cx_result_row_count(r);
        if (r && index >= nrow) {
            cxb_fail(CX_ERANGE, "row %zu out of range: the result has %zu rows", index, nrow);
            return out;
        }
        if (ncol > CXB_ROW_MAX) {
            cxb_fail(CX_ELIMIT, "a row of %zu columns: at most %d fit a record", ncol, CXB_ROW_MAX);
            return out;
        }
        for (size_t c = 0; r && c < ncol; c++)
            out.c[out.n++] = cxb_result_cell(r, index, c);
        return out;
    }
    /** @brief Any quantile `q` in [0, 1] of a duration measure
     *  ("first_response", "resolution", "handle_time", "contacts") in a row. */
    double quantile(size_t row, cxb_measure measure, double q) {
        double v = 0;
        cxb_check(cx_result_quantile(&v, cxb_result($self), row, measure, q));
        return v;
    }
    /** @brief Compare a measure between row `row_a` of this result and row
     *  `row_b` of `other` (which may be this result).
     *  @return (difference a - b, two-sided p-value). */
    void compare(double *OUT_DIFF, double *OUT_P, size_t row_a, const Result *other, size_t row_b,
                 cxb_measure measure) {
        *OUT_DIFF = *OUT_P = 0;
        cxb_check(cx_result_compare(OUT_DIFF, OUT_P, cxb_result($self), row_a, cxb_result(other), row_b, measure));
    }
    /** @brief Merge with a result of the same query over other data (shards,
     *  periods): a new Result. */
    Result *merge(const Result *other) {
        cx_result *r = NULL;
        const cx_result *a = cxb_result($self), *b = cxb_result(other);
        if (!a || !b)
            return NULL;
        return cxb_result_wrap(cx_result_merge(&r, a, b), &r);
    }
    /** @brief The result's full mergeable state as portable bytes. */
    cxb_bytes serialize() {
        cxb_bytes b = {NULL, 0};
        size_t n = 0;
        const cx_result *r = cxb_result($self);
        if (!r)
            return b;
        int rc = cx_result_serialize(&n, r, NULL, 0);
        if (rc != CX_EBUFSIZE && cxb_check(rc) < 0)
            return b;
        if (!(b.p = malloc(n ? n : 1))) {
            cxb_fail(CX_ENOMEM, "out of memory");
            return b;
        }
        if (cxb_check(cx_result_serialize(&b.n, r, b.p, n)) < 0) {
            free(b.p);
            b.p = NULL;
            b.n = 0;
        }
        return b;
    }
    /** @brief A Result read back from serialize()'s bytes.
     *  @exception Parse for corrupt bytes; Version for a newer format. */
    static Result *deserialize(const char *BYTES, size_t LENGTH) {
        cx_result *r = NULL;
        return cxb_result_wrap(cx_result_deserialize(&r, BYTES, LENGTH), &r);
    }
    /** @brief Replace every text of the named columns (customer ids, names)
     *  by its pseudonym under a key (cxkit.pseudonym()), to share the
     *  result; missing values stay missing. A query result becomes a plain
     *  table: merge() and the other query-only calls refuse it afterwards.
     *  All or nothing.
     *  @param key the secret key (bytes; Lua: a string).
     *  @param columns names of text columns.
     *  @exception Invalid for an unknown column or one that is not text. */
    void pseudonymize(const char *key, size_t key_len, cxb_strv columns) {
        cx_result *r = cxb_result($self);
        if (r && cxb_req("columns", columns.n))
            cxb_check(cx_result_pseudonymize(r, key, key_len, columns.n, columns.v));
    }
    /** @brief Write the result as CSV. */
    void export_csv(const char *path) { cxb_check(cx_result_export_csv(cxb_result($self), path)); }
    /** @brief Write the result as a JSON array of objects. */
    void export_json(const char *path) { cxb_check(cx_result_export_json(cxb_result($self), path)); }
}

/** A live monitor: running NPS, CSAT, CES, FCR, service times and contact
 *  rates over a sliding time window, fed event by event in time order. */
typedef struct Monitor {} Monitor;

%extend Monitor {
    /** @brief A monitor over a window of `window_ms` milliseconds. */
    Monitor(int64_t window_ms) {
        cx_monitor *h = NULL;
        if (cxb_check(cx_monitor_new(&h, window_ms)) < 0)
            return NULL;
        Monitor *m = calloc(1, sizeof *m);
        if (!m) {
            cx_monitor_free(h);
            cxb_fail(CX_ENOMEM, "out of memory");
            return NULL;
        }
        m->h = h;
        return m;
    }
    ~Monitor() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_monitor_free($self->h);
        free($self);
    }
    /** @brief Free the monitor now (methods then raise). */
    void close() {
        cx_monitor_free($self->h);
        $self->h = NULL;
    }
    /** @brief Feed a survey answer on a question's scale. */
    void add_answer(cx_time time, cxb_metric metric, double score, double scale_min, double scale_max,
                    bool higher_is_better = true) {
        cxb_check(cx_monitor_add_answer(cxb_monitor($self), time, metric, score, scale_min, scale_max,
                                        higher_is_better));
    }
    /** @brief Feed a service contact with its outcome and duration. */
    void add_contact(cx_time time, cxb_outcome outcome, int64_t duration_ms = 0) {
        cxb_check(cx_monitor_add_contact(cxb_monitor($self), time, outcome, duration_ms));
    }
    /** @brief Feed a case at its resolution. */
    void add_case(cx_time resolved, cx_time opened, cx_time first_response = CX_TIME_NONE, int contacts = 1,
                  int reopens = 0) {
        cxb_check(cx_monitor_add_case(cxb_monitor($self), resolved, opened, first_response, contacts, reopens));
    }
    /** @brief A measure over the window ending at `now`.
     *  @return (value, number of observations); the value is NaN without data. */
    void read(double *OUT_VALUE, uint64_t *OUT_N, cx_time now, cxb_measure measure) {
        *OUT_VALUE = 0;
        *OUT_N = 0;
        cxb_check(cx_monitor_read(OUT_VALUE, OUT_N, cxb_monitor($self), now, measure));
    }
}
