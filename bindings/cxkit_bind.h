/*
 * cxkit_bind.h: the C side of the SWIG bindings, shared by every language.
 *
 * It holds what a script needs and the C API does not give:
 * - handle wrappers (`Store`, `Query`, ...) that remember being closed, so a
 *   method called after close() raises instead of touching freed memory;
 * - reference counts on the handles other handles borrow (a store borrowed by
 *   its queries and histories, a calendar borrowed by a query), so that the
 *   garbage collector may free parent and child in any order;
 * - the binding's error state: a call records the first negative status and
 *   its message (cx_last_error()), and the one %exception of cxkit.i raises
 *   it in the script's language after the call;
 * - enumeration names ("nps", "channel", "customers"...) accepted wherever a
 *   script passes an enumeration value;
 * - rows and cells as language-neutral C values that the per-language "out"
 *   typemaps turn into dicts or tables.
 *
 * Included once, into the generated wrapper only.
 */
#ifndef CXKIT_BIND_H
#define CXKIT_BIND_H

#include <cxkit/cxkit.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

/* One interpreter thread at a time runs a wrapper (the GIL, or one lua_State
 * per thread), but thread-local storage keeps two interpreters apart too. */
static _Thread_local int cxb_code;
static _Thread_local char cxb_msg[1024];

/* Record a failure unless one is already recorded for this call (the first
 * cause is the one worth reporting). */
static void cxb_fail(int code, const char *fmt, ...)
{
    if (cxb_code)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cxb_msg, sizeof cxb_msg, fmt, ap);
    va_end(ap);
    cxb_code = code ? code : CX_EINVAL;
}

/* Check a status returned by the library. */
static int cxb_check(int rc)
{
    if (rc < 0) {
        const char *m = cx_last_error();
        cxb_fail(rc, "%s", m && *m ? m : cx_strerror(rc));
    }
    return rc;
}

/* The name of the script-level exception class of a status. */
static const char *cxb_error_kind(int code)
{
    switch (code) {
    case CX_EINVAL: return "Invalid";
    case CX_ENOMEM: return "NoMemory";
    case CX_ENOTFOUND: return "NotFound";
    case CX_EEXISTS: return "Exists";
    case CX_ERANGE: return "Range";
    case CX_EPARSE: return "Parse";
    case CX_EBUFSIZE: return "BufSize";
    case CX_EORDER: return "Order";
    case CX_ELIMIT: return "Limit";
    case CX_EIO: return "IO";
    case CX_EVERSION: return "Version";
    default: return "Error";
    }
}

/* The C name of a status ("CX_ENOTFOUND"), which scripts see beside its
 * number; NULL for a number the library does not define. */
static const char *cxb_error_name(int code)
{
    switch (code) {
    case CX_EINVAL: return "CX_EINVAL";
    case CX_ENOMEM: return "CX_ENOMEM";
    case CX_ENOTFOUND: return "CX_ENOTFOUND";
    case CX_EEXISTS: return "CX_EEXISTS";
    case CX_ERANGE: return "CX_ERANGE";
    case CX_EPARSE: return "CX_EPARSE";
    case CX_EBUFSIZE: return "CX_EBUFSIZE";
    case CX_EORDER: return "CX_EORDER";
    case CX_ELIMIT: return "CX_ELIMIT";
    case CX_EIO: return "CX_EIO";
    case CX_EVERSION: return "CX_EVERSION";
    default: return NULL;
    }
}

/* ---- strings and freed objects ------------------------------------------ */

/* Script strings carry their length and may hold NUL bytes, where the C
 * string the library reads would silently end ("a.db\0x" would save to
 * a.db, "C-1\0x" would name C-1). Every string typemap refuses them:
 * 0 for a string without NUL, -1 with the error recorded. `func` is the
 * wrapper's name, `name` the argument's; `entry` is the index of a string in
 * an array argument (numbered as the language numbers), -1 for the argument. */
static int cxb_text_ok(const char *s, size_t len, const char *func, const char *name, long long entry)
{
    const char *nul = s ? memchr(s, '\0', len) : NULL;
    if (!nul)
        return 0;
    if (entry >= 0)
        cxb_fail(CX_EINVAL, "%s: entry %lld of %s contains a NUL character (at byte %zu)", func, entry, name,
                 (size_t)(nul - s));
    else
        cxb_fail(CX_EINVAL, "%s: %s contains a NUL character (at byte %zu)", func, name, (size_t)(nul - s));
    return -1;
}

/* A script object whose C side was freed by an explicit destructor (Lua:
 * getmetatable(o).__gc(o); Python: type(o).__swig_destroy__(o)): the
 * language's object then holds a NULL pointer, and the typemap of every
 * object argument raises this instead of passing it on. The destructors
 * accept the NULL (and do nothing), so the real collection is harmless. */
static void cxb_freed(const char *func, int argnum, const char *type)
{
    cxb_fail(CX_EINVAL, "%s: argument %d: the %s object was freed", func, argnum, type);
}

/* ---- shared (borrowed) handles ----------------------------------------- */

/* A handle that children borrow: freed when its owner and every child
 * have let go of it. */
typedef struct cxb_ref {
    int refs;
    void *h;
    void (*destroy)(void *);
} cxb_ref;

static cxb_ref *cxb_ref_new(void *h, void (*destroy)(void *))
{
    cxb_ref *r = malloc(sizeof *r);
    if (!r) {
        destroy(h);
        cxb_fail(CX_ENOMEM, "out of memory");
        return NULL;
    }
    r->refs = 1;
    r->h = h;
    r->destroy = destroy;
    return r;
}

static cxb_ref *cxb_ref_take(cxb_ref *r)
{
    if (r)
        r->refs++;
    return r;
}

static void cxb_ref_drop(cxb_ref *r)
{
    if (r && --r->refs == 0) {
        r->destroy(r->h);
        free(r);
    }
}

static void cxb_store_destroy(void *p) { cx_store_free(p); }
static void cxb_calendar_destroy(void *p) { cx_calendar_free(p); }

/* ---- the script-visible handle types ------------------------------------ */

typedef struct Store { cxb_ref *ref; } Store;
typedef struct Calendar { cxb_ref *ref; } Calendar;
typedef struct Query { cx_query *h; cxb_ref *store; cxb_ref *calendar; } Query;
typedef struct Result { cx_result *h; } Result;
typedef struct History { cx_history *h; cxb_ref *store; } History;
typedef struct Monitor { cx_monitor *h; } Monitor;
typedef struct ImportOptions { cx_import_options *h; } ImportOptions;
typedef struct ImportReport { cx_import_report *h; } ImportReport;
/* Journey options and funnels resolve names in their store, and journeys
 * read it on every analysis: all three keep it alive. Their analyses return
 * a Result, which borrows nothing. */
typedef struct JourneyOptions { cx_journeys_options *h; cxb_ref *store; } JourneyOptions;
typedef struct Journeys { cx_journeys *h; cxb_ref *store; } Journeys;
typedef struct Funnel { cx_funnel *h; cxb_ref *store; } Funnel;
/* Lifecycle (lifecycle.h): survival curves and models own what they hold;
 * a summary borrows its customers' ids from the store, so it keeps it
 * alive. Health options and care rules are plain data. Cohorts, RFM,
 * health and care lists are Results. */
typedef struct Survival { cx_survival *h; } Survival;
typedef struct Summary { cx_summary *h; cxb_ref *store; } Summary;
typedef struct Model { cx_model *h; } Model;
typedef struct HealthOptions { cx_health_options *h; } HealthOptions;
typedef struct CareRules { cx_care_rules *h; } CareRules;

/* Handle getters: NULL (with the error recorded) for a closed handle or a
 * missing object (None / nil). Every library call accepts the NULL and
 * fails with CX_EINVAL, whose message is then ignored: the first one wins. */
#define CXB_GETTER(fn, T, ctype, expr)                                                        \
    static ctype *fn(const T *o)                                                              \
    {                                                                                         \
        if (!o) {                                                                             \
            cxb_fail(CX_EINVAL, "a " #T " is required, got none");                            \
            return NULL;                                                                      \
        }                                                                                     \
        ctype *h = (expr);                                                                    \
        if (!h)                                                                               \
            cxb_fail(CX_EINVAL, #T " is closed");                                             \
        return h;                                                                             \
    }
CXB_GETTER(cxb_store, Store, cx_store, o->ref ? (cx_store *)o->ref->h : NULL)
CXB_GETTER(cxb_calendar, Calendar, cx_calendar, o->ref ? (cx_calendar *)o->ref->h : NULL)
CXB_GETTER(cxb_query, Query, cx_query, o->h)
CXB_GETTER(cxb_result, Result, cx_result, o->h)
CXB_GETTER(cxb_history, History, cx_history, o->h)
CXB_GETTER(cxb_monitor, Monitor, cx_monitor, o->h)
CXB_GETTER(cxb_options, ImportOptions, cx_import_options, o->h)
CXB_GETTER(cxb_report, ImportReport, cx_import_report, o->h)
CXB_GETTER(cxb_jopts, JourneyOptions, cx_journeys_options, o->h)
CXB_GETTER(cxb_journeys, Journeys, cx_journeys, o->h)
CXB_GETTER(cxb_funnel, Funnel, cx_funnel, o->h)
CXB_GETTER(cxb_survival, Survival, cx_survival, o->h)
CXB_GETTER(cxb_summary, Summary, cx_summary, o->h)
CXB_GETTER(cxb_model, Model, cx_model, o->h)
CXB_GETTER(cxb_hopts, HealthOptions, cx_health_options, o->h)
CXB_GETTER(cxb_care, CareRules, cx_care_rules, o->h)

/* Wrap a freshly created library handle (NULL after a failure). */
/* The handle is passed by address: C leaves the order in which arguments
 * are evaluated open, and `wrap(cx_x_new(&h), h)` could read h first. */
static Store *cxb_store_wrap(int rc, cx_store **hp)
{
    cx_store *h = *hp;
    if (cxb_check(rc) < 0)
        return NULL;
    Store *s = calloc(1, sizeof *s);
    if (!s || !(s->ref = cxb_ref_new(h, cxb_store_destroy))) {
        if (s)
            free(s);
        else
            cx_store_free(h);
        cxb_fail(CX_ENOMEM, "out of memory");
        return NULL;
    }
    return s;
}

static Query *cxb_query_wrap(int rc, cx_query **hp, const Store *store)
{
    cx_query *h = *hp;
    if (cxb_check(rc) < 0)
        return NULL;
    Query *q = calloc(1, sizeof *q);
    if (!q) {
        cx_query_free(h);
        cxb_fail(CX_ENOMEM, "out of memory");
        return NULL;
    }
    q->h = h;
    q->store = cxb_ref_take(store->ref);
    return q;
}

static Result *cxb_result_wrap(int rc, cx_result **hp)
{
    cx_result *h = *hp;
    if (cxb_check(rc) < 0)
        return NULL;
    Result *r = calloc(1, sizeof *r);
    if (!r) {
        cx_result_free(h);
        cxb_fail(CX_ENOMEM, "out of memory");
        return NULL;
    }
    r->h = h;
    return r;
}

static ImportReport *cxb_report_wrap(int rc, cx_import_report **hp)
{
    cx_import_report *h = *hp;
    if (cxb_check(rc) < 0)
        return NULL;
    ImportReport *r = calloc(1, sizeof *r);
    if (!r) {
        cx_import_report_free(h);
        cxb_fail(CX_ENOMEM, "out of memory");
        return NULL;
    }
    r->h = h;
    return r;
}

/* ---- enumerations by name ------------------------------------------------ */

/* Scripts may pass an enumeration either as its number (cxkit.MEASURE_NPS)
 * or as its name ("nps"), which is how the C library spells it in CSV
 * files and result columns. */
enum { CXB_E_TABLE, CXB_E_MEASURE, CXB_E_DIM, CXB_E_BUCKET, CXB_E_SET, CXB_E_METRIC,
       CXB_E_OUTCOME, CXB_E_DIRECTION, CXB_E_LEVEL, CXB_E_CONVERSION, CXB_E_JGROUP, CXB_E_ACTIVITY,
       CXB_E_COHORT_START, CXB_E_BAND, CXB_E_MODEL, CXB_E_SUMMARY_COL, CXB_E_HEALTH, CXB_E_CARE, CXB_E_EXISTING,
       CXB_E_CHANGE, CXB_E_BOUNDARY, CXB_E_POST, CXB_E_COUNT };

static const char *const cxb_enum_names[CXB_E_COUNT][16] = {
    [CXB_E_TABLE] = {"customers", "touchpoints", "interactions", "cases", "questions", "feedback",
                     "transactions"},
    [CXB_E_MEASURE] = {"nps", "csat", "ces", "fcr", "first_response", "resolution", "contacts",
                       "reopen_rate", "sla_breach", "missed_rate", "abandon_rate", "handle_time",
                       "repeat_rate", "cx_index"},
    [CXB_E_DIM] = {"channel", "stage", "touchpoint", "segment", "region", "plan", "agent", "priority",
                   "attribute", "time"},
    [CXB_E_BUCKET] = {"day", "week", "month", "quarter", "year"},
    [CXB_E_SET] = {"channel", "stage", "touchpoint_kind", "priority", "interaction_kind", "agent",
                   "segment", "region", "plan", "attribute"},
    [CXB_E_METRIC] = {"nps", "csat", "ces", "custom"},
    [CXB_E_OUTCOME] = {"handled", "missed", "abandoned"},
    [CXB_E_DIRECTION] = {"inbound", "outbound"},
    [CXB_E_LEVEL] = {"touchpoint", "channel", "stage"},
    [CXB_E_CONVERSION] = {"kind", "touchpoint", "stage"},
    [CXB_E_JGROUP] = {"path", "stage", "converted"},
    /* a cx_activity mask: the index is the mask ("" is the empty mask,
     * which the library rejects with its own message) */
    [CXB_E_ACTIVITY] = {"", "transactions", "inbound", "all"},
    [CXB_E_COHORT_START] = {"first_activity", "acquired"},
    [CXB_E_BAND] = {"log_log", "log", "plain"},
    [CXB_E_MODEL] = {"bgnbd", "pareto_nbd", "gamma_gamma", "bgbb", "sbg"},
    [CXB_E_SUMMARY_COL] = {"frequency", "recency", "age", "monetary", "total", "holdout", "holdout_value"},
    [CXB_E_HEALTH] = {"nps", "csat", "ces", "open_cases", "repeat_cases", "recency", "p_alive", "value"},
    [CXB_E_CARE] = {"detractor_after_case", "repeat_contacts", "sla_breach", "high_effort", "activity_drop",
                    "low_p_alive"},
    [CXB_E_EXISTING] = {"reject", "skip", "update"},
    /* what a put did (cx_change): returned by name, never passed in */
    [CXB_E_CHANGE] = {"added", "updated", "unchanged"},
    [CXB_E_BOUNDARY] = {"conversion", "post_purchase", "gap"},
    [CXB_E_POST] = {"stage", "touchpoint", "touchpoint_kind", "kind"},
};
static const char *const cxb_enum_what[CXB_E_COUNT] = {"table", "measure", "dimension", "bucket", "set",
                                                       "metric", "outcome", "direction", "journey level",
                                                       "conversion rule", "journey grouping", "activity",
                                                       "cohort start", "band", "model kind", "summary column",
                                                       "health signal", "care rule kind", "existing-record rule",
                                                       "change", "journey boundary", "post-purchase rule"};

/* Edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours) between a and b, for names of at most 63 bytes; 99 beyond. */
static int cxb_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* How close `name` (`len` bytes) is to `cand`: the edit distance; `limit`
 * for a name of 3 bytes or more that `cand` starts with ("trans" ->
 * "transactions"); 99 when the edits would replace a whole name ("x" is
 * not close to "1"). */
static int cxb_close(const char *name, size_t len, const char *cand, int limit)
{
    int d = cxb_distance(name, cand);
    if (len >= 3 && strncmp(cand, name, len) == 0 && d > limit)
        d = limit;
    if ((size_t)d >= len || (size_t)d >= strlen(cand))
        d = 99;
    return d;
}

/* The end of an "unknown name" message: ": did you mean 'nps'?" (the
 * closest valid names: at most 2 edits away, or a third of the name's
 * length for long names, or names it is a prefix of), else the valid
 * names: " (expected one of 'a', 'b')". `names` ends at `max` or NULL;
 * empty names are skipped. */
static void cxb_suggest(char *out, size_t cap, const char *name, const char *const *names, size_t max)
{
    size_t len = strlen(name);
    int limit = len / 3 > 2 ? (int)(len / 3) : 2;
    if (len <= 2)
        limit = 1;
    int best = 99;
    for (size_t i = 0; i < max && names[i]; i++) {
        if (!*names[i])
            continue;
        int d = cxb_close(name, len, names[i], limit);
        if (d < best)
            best = d;
    }
    size_t k = 0;
    out[0] = '\0';
    if (best <= limit) {
        size_t count = 0, shown = 0;
        for (size_t i = 0; i < max && names[i]; i++) {
            if (!*names[i])
                continue;
            int d = cxb_close(name, len, names[i], limit);
            count += d == best;
        }
        k += (size_t)snprintf(out + k, cap - k, ": did you mean ");
        for (size_t i = 0; i < max && names[i] && k < cap; i++) {
            if (!*names[i])
                continue;
            int d = cxb_close(name, len, names[i], limit);
            if (d != best)
                continue;
            shown++;
            k += (size_t)snprintf(out + k, cap - k, "%s'%s'", shown == 1 ? "" : shown == count ? " or " : ", ",
                                  names[i]);
        }
        if (k < cap)
            snprintf(out + k, cap - k, "?");
        return;
    }
    k += (size_t)snprintf(out + k, cap - k, " (expected one of ");
    size_t shown = 0;
    for (size_t i = 0; i < max && names[i] && k < cap; i++) {
        if (!*names[i])
            continue;
        k += (size_t)snprintf(out + k, cap - k, "%s'%s'", shown++ ? ", " : "", names[i]);
    }
    if (k < cap)
        snprintf(out + k, cap - k, ")");
}

/* 0 and *out on success; -1 with the error recorded otherwise. A script's
 * name comes with its length: one with a NUL byte is refused. */
static int cxb_enum_lookup_len(int kind, const char *name, size_t len, int *out)
{
    const char *nul = memchr(name, '\0', len);
    if (nul) {
        cxb_fail(CX_EINVAL, "a %s name contains a NUL character (at byte %zu)", cxb_enum_what[kind],
                 (size_t)(nul - name));
        return -1;
    }
    for (int i = 0; i < 16 && cxb_enum_names[kind][i]; i++)
        if (strcmp(cxb_enum_names[kind][i], name) == 0) {
            *out = i;
            return 0;
        }
    char hint[512];
    cxb_suggest(hint, sizeof hint, name, cxb_enum_names[kind], 16);
    cxb_fail(CX_EINVAL, "unknown %s name '%s'%s", cxb_enum_what[kind], name, hint);
    return -1;
}

/* The same for a C string. */
static int cxb_enum_lookup(int kind, const char *name, int *out)
{
    return cxb_enum_lookup_len(kind, name, strlen(name), out);
}

/* The name of an enumeration value the library returned (a cx_change
 * as "added", ...): scripts get names back, as they get "missed" for an
 * outcome in a record. NULL for a value without a name (after a failure). */
static const char *cxb_enum_name(int kind, int value)
{
    if (value < 0 || value >= 16)
        return NULL;
    return cxb_enum_names[kind][value];
}

/* ---- rows: language-neutral records --------------------------------------- */

/* One named value. `type` is a cx_type, or 0 for a missing value. */
typedef struct cxb_cell {
    const char *name;
    int type;
    const char *s;
    int64_t i;
    double d;
} cxb_cell;

#define CXB_ROW_MAX 256
/* A record: up to CXB_ROW_MAX named cells, returned by value. Strings are
 * borrowed from a handle that outlives the conversion. A record that would
 * have more cells raises (CX_ELIMIT) rather than lose the rest; a result row
 * has at most 4 groups and every field of the 14 measures (about 80). */
typedef struct cxb_row {
    size_t n;
    cxb_cell c[CXB_ROW_MAX];
} cxb_row;

/* A single value of any type (a cell without name). */
typedef cxb_cell cxb_value;

static void cxb_row_add(cxb_row *r, const char *name, int type, const char *s, int64_t i, double d)
{
    if (r->n == CXB_ROW_MAX) {
        cxb_fail(CX_ELIMIT, "a record of more than %d fields", CXB_ROW_MAX);
        return;
    }
    cxb_cell *c = &r->c[r->n++];
    c->name = name;
    c->type = type;
    c->s = s;
    c->i = i;
    c->d = d;
    if ((type == CX_TYPE_STRING && !s) || (type == CX_TYPE_TIME && i == CX_TIME_NONE))
        c->type = 0;
}

/* One cell of a store's table. */
static cxb_cell cxb_store_cell(const cx_store *s, int table, int column, size_t row)
{
    cxb_cell c = {0};
    int type = 0;
    if (cxb_check(cx_column_type(&type, table, column)) < 0)
        return c;
    cxb_check(cx_column_name(&c.name, table, column));
    c.type = type;
    if (type == CX_TYPE_STRING) {
        if (cxb_check(cx_store_get_string(&c.s, s, table, column, row)) == 0 && !c.s)
            c.type = 0;
    } else if (type == CX_TYPE_REAL) {
        cxb_check(cx_store_get_real(&c.d, s, table, column, row));
    } else {
        if (cxb_check(cx_store_get_int(&c.i, s, table, column, row)) == 0 && type == CX_TYPE_TIME &&
            c.i == CX_TIME_NONE)
            c.type = 0;
    }
    return c;
}

/* A whole record of a store's table, with its free attributes for customers. */
static void cxb_store_record(cxb_row *r, const cx_store *s, int table, size_t row)
{
    size_t ncol = 0;
    if (cxb_check(cx_column_count(&ncol, table)) < 0)
        return;
    size_t rows = 0;
    if (cxb_check(cx_store_rows(&rows, s, table)) < 0)
        return;
    if (row >= rows) {
        cxb_fail(CX_ERANGE, "row %zu out of range: the table has %zu rows", row, rows);
        return;
    }
    for (size_t k = 0; k < ncol && r->n < CXB_ROW_MAX; k++)
        r->c[r->n++] = cxb_store_cell(s, table, (int)k, row);
    /* the free attributes of a customer are added by cxb_row_add, which
     * raises when a customer has more than the record holds */
    if (table == CX_TABLE_CUSTOMERS) {
        size_t nattr = 0;
        const char *id = NULL;
        cxb_check(cx_vocab_count(&nattr, s, CX_VOCAB_ATTRIBUTE));
        cxb_check(cx_store_get_string(&id, s, table, CX_CUSTOMER_ID, row));
        for (size_t a = 0; a < nattr && id; a++) {
            const char *key = NULL, *val = NULL;
            if (cxb_check(cx_vocab_name(&key, s, CX_VOCAB_ATTRIBUTE, a)) < 0 ||
                cxb_check(cx_customer_get_attribute(&val, s, id, key)) < 0)
                return;
            if (val)
                cxb_row_add(r, key, CX_TYPE_STRING, val, 0, 0);
        }
    }
}

/* One cell of a result. */
static cxb_cell cxb_result_cell(const cx_result *res, size_t row, size_t col)
{
    cxb_cell c = {0};
    int type = 0;
    if (cxb_check(cx_result_column_type(&type, res, col)) < 0)
        return c;
    cxb_check(cx_result_column_name(&c.name, res, col));
    c.type = type;
    if (type == CX_TYPE_STRING) {
        if (cxb_check(cx_result_get_string(&c.s, res, row, col)) == 0 && !c.s)
            c.type = 0;
    } else if (type == CX_TYPE_REAL) {
        cxb_check(cx_result_get_real(&c.d, res, row, col));
    } else {
        if (cxb_check(cx_result_get_int(&c.i, res, row, col)) == 0 && type == CX_TYPE_TIME &&
            c.i == CX_TIME_NONE)
            c.type = 0;
    }
    return c;
}

/* ---- arrays for the batch loads ---------------------------------------------- */

/* An array handed in by a script. `n` is SIZE_MAX for an omitted optional
 * array (None / nil), which the library reads as NULL. The per-language "in"
 * typemaps fill `v` (pointing into the script's own buffer when its layout
 * matches, else into `own`, freed by the "freearg" typemap). */
typedef struct cxb_strv { size_t n; const char *const *v; void *own; void *keep; } cxb_strv;
typedef struct cxb_i64v { size_t n; const int64_t *v; void *own; void *keep; } cxb_i64v;
typedef struct cxb_intv { size_t n; const int *v; void *own; void *keep; } cxb_intv;
typedef struct cxb_f64v { size_t n; const double *v; void *own; void *keep; } cxb_f64v;

#define CXB_OMITTED ((size_t)-1)

/* Check that an optional array has the batch's length n. */
static int cxb_len_ok(const char *what, size_t len, size_t n)
{
    if (len == CXB_OMITTED || len == n)
        return 1;
    cxb_fail(CX_EINVAL, "%s has %zu entries, expected %zu", what, len, n);
    return 0;
}

/* A required array: present, and of length n when n is given. */
static int cxb_req(const char *what, size_t len)
{
    if (len != CXB_OMITTED)
        return 1;
    cxb_fail(CX_EINVAL, "%s is required", what);
    return 0;
}
static int cxb_req_len(const char *what, size_t len, size_t n)
{
    return cxb_req(what, len) && cxb_len_ok(what, len, n);
}

/* Optional arrays: the same, with "omitted" as their default. */
typedef cxb_strv cxb_ostrv;
typedef cxb_i64v cxb_oi64v;
typedef cxb_intv cxb_ointv;
typedef cxb_f64v cxb_of64v;
/* Arrays of times: like int64 arrays, but scripts may pass times. */
typedef cxb_i64v cxb_timev;
typedef cxb_i64v cxb_otimev;

/* Numbers out of the library (predictions, a summary's column): n
 * doubles in malloc'd memory, freed by the "out" typemap, which makes a
 * numpy array (Python, when numpy is there), a list or a Lua sequence. */
typedef struct cxb_f64out { double *p; size_t n; } cxb_f64out;

static cxb_f64out cxb_f64out_new(size_t n)
{
    cxb_f64out o = {NULL, 0};
    if (!(o.p = malloc((n ? n : 1) * sizeof *o.p)))
        cxb_fail(CX_ENOMEM, "out of memory");
    else
        o.n = n;
    return o;
}

/* Drop the numbers after a failed call (the typemap then sees none). */
static cxb_f64out cxb_f64out_check(int rc, cxb_f64out o)
{
    if (cxb_check(rc) < 0) {
        free(o.p);
        o.p = NULL;
        o.n = 0;
    }
    return o;
}

/* A whole column of a result (Result.column_ints / column_strings):
 * n int64 or n borrowed text pointers (NULL: missing) in malloc'd memory,
 * freed by the "out" typemap, which makes a numpy int64 array or a list
 * (Python) or a Lua sequence. The texts belong to the Result, which the
 * wrapper call keeps alive until the typemap has copied them. */
typedef struct cxb_i64out { int64_t *p; size_t n; } cxb_i64out;
typedef struct cxb_strout { const char **p; size_t n; } cxb_strout;

/* Bytes out of the library (a serialised result); freed by the typemap. */
typedef struct cxb_bytes { char *p; size_t n; } cxb_bytes;

#endif
