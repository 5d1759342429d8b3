/*
 * cxkit.i: the SWIG interface of libcxkit, shared by Python and Lua.
 *
 * Layout (the libsolv / Xapian way): this file sets up what every module
 * needs (the C helpers of cxkit_bind.h, the one %exception, the typemap
 * names) and includes one small .i file per C module; python/ and lua/ hold
 * only the typemaps and extras where the languages differ. Wrapping a new
 * C module is one new .i file, %included at the end of this one, whose
 * functions the coverage test (check_coverage.py) then finds; functions
 * deliberately left out are listed, with a reason, in unwrapped.txt.
 *
 * The C handles become classes through %extend on small wrapper structs
 * (cxkit_bind.h), so that a closed handle is remembered and a borrowed
 * parent (the store of a query) stays alive as long as its children.
 */
%module(docstring="CXKit: customer-experience analytics (NPS, CSAT, CES, FCR, service times,\n"
                  "journeys) over an in-memory column store of customers, touchpoints,\n"
                  "interactions, cases, feedback and transactions.\n\n"
                  "Times: pass a datetime (naive means UTC), an int of milliseconds since\n"
                  "1970-01-01 UTC, or an ISO-8601 string; times come back as aware datetimes\n"
                  "in UTC. None is a missing time. Failures raise cxkit.Error subclasses.") cxkit

%{
#include "cxkit_bind.h"
%}

/* Script-facing parameter types. Each is an int or a struct in C; the
 * per-language typemaps say how a script value becomes one. */
typedef int cxb_table;      /* a cx_table: number or name ("customers") */
typedef int cxb_measure;    /* a cx_measure: number or name ("nps") */
typedef int cxb_dim;        /* a cx_dim: number or name ("channel") */
typedef int cxb_bucket;     /* a cx_bucket: number or name ("month") */
typedef int cxb_vocab;        /* a cx_vocab: number or name ("agent") */
typedef int cxb_metric;     /* a cx_metric: number or name ("ces") */
typedef int cxb_outcome;    /* a cx_outcome: number or name ("missed") */
typedef int cxb_direction;  /* a cx_direction: number or name ("inbound") */
typedef int cxb_level;      /* a cx_journeys_level: number or name ("channel") */
typedef int cxb_conversion; /* a cx_conversion_by: number or name ("kind") */
typedef int cxb_jgroup;     /* a cx_journeys_group: number or name ("converted") */
typedef int cxb_boundary;   /* a cx_journeys_boundary: number or name ("post_purchase") */
typedef int cxb_post;       /* a cx_post_purchase_by: number or name ("stage") */
typedef int cxb_activity;   /* a cx_activity mask: number or name ("transactions", "inbound", "all") */
typedef int cxb_cohort_start; /* a cx_cohort_start: number or name ("acquired") */
typedef int cxb_band;       /* a cx_band: number or name ("log_log") */
typedef int cxb_model_kind; /* a cx_model_kind: number or name ("bgnbd") */
typedef int cxb_summary_col; /* a cx_summary_column: number or name ("frequency") */
typedef int cxb_signal;     /* a cx_health_signal: number or name ("p_alive") */
typedef int cxb_care_kind;  /* a cx_care_kind: number or name ("sla_breach") */
typedef int cxb_existing;   /* a cx_existing: number or name ("update") */
typedef int cxb_odim;       /* a cx_dim or None / nil (-1) */
typedef struct cxb_colref cxb_colref; /* a column: number or name */
typedef cxb_colref cxb_ocolref;       /* the same, 0 when omitted */
/* Values the typemaps convert (defined in cxkit_bind.h; opaque to SWIG). */
typedef struct cxb_strv cxb_strv;   /* an array of texts */
typedef struct cxb_i64v cxb_i64v;   /* an array of int64 (times in ms, durations, rows) */
typedef struct cxb_intv cxb_intv;   /* an array of int (enumeration values) */
typedef struct cxb_f64v cxb_f64v;   /* an array of double */
typedef cxb_strv cxb_ostrv;         /* the same, optional: None / nil by default */
typedef cxb_i64v cxb_oi64v;
typedef cxb_intv cxb_ointv;
typedef cxb_f64v cxb_of64v;
typedef cxb_i64v cxb_timev;         /* an array of times */
typedef cxb_i64v cxb_otimev;
typedef cxb_f64v cxb_realv;         /* an array of double for the models (any numeric array) */
typedef cxb_f64v cxb_orealv;
typedef cxb_intv cxb_flagv;         /* an array of int (0/1 flags, group numbers; bools too) */
typedef cxb_intv cxb_oflagv;
typedef struct cxb_f64out cxb_f64out; /* numbers out: numpy array / list / sequence */
typedef struct cxb_row cxb_row;     /* a record: a dict / table */
typedef struct cxb_cell cxb_value;  /* one value of any type */
typedef struct cxb_bytes cxb_bytes; /* bytes / a Lua string */
typedef long long cx_time;          /* a time (typemapped); int64 ms in C */
%{
typedef int cxb_table, cxb_measure, cxb_dim, cxb_bucket, cxb_vocab, cxb_metric, cxb_outcome, cxb_direction;
typedef int cxb_level, cxb_conversion, cxb_jgroup, cxb_boundary, cxb_post;
typedef int cxb_activity, cxb_cohort_start, cxb_band, cxb_model_kind, cxb_summary_col, cxb_signal, cxb_care_kind;
typedef int cxb_existing;
typedef int cxb_odim;
typedef struct cxb_colref { int idx; const char *name; } cxb_colref;
typedef cxb_colref cxb_ocolref;
typedef cxb_f64v cxb_realv, cxb_orealv;
typedef cxb_intv cxb_flagv, cxb_oflagv;
%}

/* The one exception handler: every wrapper clears the binding's error
 * state, runs, and raises what the call recorded (cxb_check / cxb_fail).
 * CXB_RAISE_AT (CXB_RAISE with the wrapper's name, which Python puts in
 * front of the message as the method's name) is the only per-language part
 * (python/ and lua/). */
%exception {
    cxb_code = 0;
    $action
    if (cxb_code) {
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
}

#if defined(SWIGPYTHON)
%include "python/cxkit_python.i"
#elif defined(SWIGLUA)
%include "lua/cxkit_lua.i"
#else
#error "cxkit.i: only Python and Lua are supported"
#endif

/* A secret key (pseudonyms): bytes in Python, a string in Lua. */
%apply (const char *BYTES, size_t LENGTH) { (const char *key, size_t key_len) };

/* The modules, in dependency order. */
%include "base.i"
%include "store.i"
%include "io.i"
%include "db.i"
%include "calendar.i"
%include "metrics.i"
%include "journey.i"
%include "lifecycle.i"
%include "text.i"
%include "cycles.i"

#if defined(SWIGPYTHON)
%include "python/cxkit_python_post.i"
#elif defined(SWIGLUA)
%include "lua/cxkit_lua_post.i"
#endif
