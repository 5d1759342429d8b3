/*
 * cxkit_python.i: what only Python needs. Exceptions as a class tree,
 * times as datetimes, records as dicts, arrays from sequences or numpy
 * (through the buffer protocol, without copying when the layout matches),
 * context managers, iteration and Result.to_pandas().
 */
%feature("autodoc", "1");
%feature("kwargs");
%include <stdint.i>

%begin %{
#define PY_SSIZE_T_CLEAN
%}

/* ---- exceptions ------------------------------------------------------------ */

%{
#include <errno.h>
#include <math.h>
/* cxkit.Error and its subclasses, indexed by -status (0: Error itself);
 * cxkit.FileNotFound (IO and FileNotFoundError) for a file that is not there. */
static PyObject *cxb_py_exc[12];
static PyObject *cxb_py_file_not_found;

/* The Python name of a wrapper: "Store_add_customer" is Store.add_customer,
 * "new_Store" the Store constructor, "cohorts" a module function (class
 * names have no underscore, functions no capital). */
static void cxb_py_method_name(char *out, size_t cap, const char *sym)
{
    if (strncmp(sym, "new_", 4) == 0) {
        snprintf(out, cap, "%s", sym + 4);
        return;
    }
    if (strncmp(sym, "delete_", 7) == 0) {
        snprintf(out, cap, "%s.__del__", sym + 7);
        return;
    }
    const char *us = strchr(sym, '_');
    if (sym[0] >= 'A' && sym[0] <= 'Z' && us)
        snprintf(out, cap, "%.*s.%s", (int)(us - sym), sym, us + 1);
    else
        snprintf(out, cap, "%s", sym);
}

/* The message as a script reads it: the C function (or the wrapper) that
 * starts "cx_import_options_map_column: ..." becomes the Python method,
 * "ImportOptions.map_column: ...", and a message naming none gets the
 * method in front. Without a wrapper name, the message as it is. */
static void cxb_py_message(char *out, size_t cap, const char *msg, const char *sym)
{
    if (!sym || !*sym) {
        snprintf(out, cap, "%s", msg);
        return;
    }
    char py[128];
    cxb_py_method_name(py, sizeof py, sym);
    size_t t = strspn(msg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");
    size_t plen = strlen(py);
    if (t > 0 && msg[t] == ':' && msg[t + 1] == ' ' &&
        (strncmp(msg, "cx_", 3) == 0 || strncmp(msg, "cxb_", 4) == 0 ||
         (strncmp(msg, sym, t) == 0 && sym[t] == '\0') || (t == plen && strncmp(msg, py, t) == 0)))
        snprintf(out, cap, "%s%s", py, msg + t);
    else
        snprintf(out, cap, "%s: %s", py, msg);
}

/* Raise, leaving the error state clear for the next call. `sym` is the
 * wrapper's name ($symname), which names the Python method in the message
 * (NULL: the message as it is). */
static void cxb_py_raise_at(int code, const char *cmsg, const char *sym)
{
    static _Thread_local char msg[sizeof cxb_msg + 160];
    cxb_code = 0;
    cxb_py_message(msg, sizeof msg, cmsg, sym);
    PyObject *cls = cxb_py_exc[(code < 0 && code >= -11) ? -code : 0];
    const char *nf = strerror(ENOENT);
    size_t ml = strlen(msg), nl = strlen(nf);
    int enoent = code == CX_EIO && cxb_py_file_not_found && ml >= nl && strcmp(msg + ml - nl, nf) == 0;
    if (enoent)
        cls = cxb_py_file_not_found;
    if (!cls)
        cls = PyExc_RuntimeError;
    PyObject *e = PyObject_CallFunction(cls, "s", msg);
    if (!e)
        return;
    PyObject *c = PyLong_FromLong(code);
    PyObject *m = PyUnicode_FromString(msg);
    if (c)
        PyObject_SetAttrString(e, "code", c);
    if (m)
        PyObject_SetAttrString(e, "message", m);
    PyObject *cm = PyUnicode_FromString(cmsg);
    if (cm)
        PyObject_SetAttrString(e, "c_message", cm);
    Py_XDECREF(cm);
    if (enoent) {
        PyObject *en = PyLong_FromLong(ENOENT);
        if (en)
            PyObject_SetAttrString(e, "errno", en);
        Py_XDECREF(en);
    }
    PyErr_Clear();
    Py_XDECREF(c);
    Py_XDECREF(m);
    PyErr_SetObject(cls, e);
    Py_DECREF(e);
}

static void cxb_py_raise(int code, const char *msg)
{
    cxb_py_raise_at(code, msg, NULL);
}

/* Helpers written in Python (below, in the proxy module cxkit._core), found on first use. */
static PyObject *cxb_py_helper(const char *name)
{
    static PyObject *mod;
    if (!mod) {
        mod = PyImport_ImportModule("cxkit._core");
        if (!mod)
            return NULL;
    }
    return PyObject_GetAttrString(mod, name);
}

static PyObject *cxb_py_call(const char *name, PyObject *arg)
{
    PyObject *f = cxb_py_helper(name);
    if (!f)
        return NULL;
    PyObject *r = PyObject_CallOneArg(f, arg);
    Py_DECREF(f);
    return r;
}
%}

#define CXB_RAISE(code, msg) cxb_py_raise(code, msg); SWIG_fail
#define CXB_RAISE_AT(code, msg, symname) cxb_py_raise_at(code, msg, symname); SWIG_fail
%{
#define CXB_RAISE(code, msg) do { cxb_py_raise(code, msg); SWIG_fail; } while (0)
#define CXB_RAISE_AT(code, msg, symname) do { cxb_py_raise_at(code, msg, symname); SWIG_fail; } while (0)
%}

%init %{
{
    /* Error(Exception); each kind also derives from the matching builtin,
     * so `except ValueError` catches bad arguments too, `except KeyError`
     * an unknown id and `except FileNotFoundError` a missing file. */
    static const struct { const char *name; int code; PyObject **base; } kinds[] = {
        {"Invalid", CX_EINVAL, &PyExc_ValueError},   {"NoMemory", CX_ENOMEM, &PyExc_MemoryError},
        {"NotFound", CX_ENOTFOUND, &PyExc_KeyError}, {"Exists", CX_EEXISTS, &PyExc_ValueError},
        {"Range", CX_ERANGE, &PyExc_ValueError},     {"Parse", CX_EPARSE, &PyExc_ValueError},
        {"BufSize", CX_EBUFSIZE, NULL},              {"Order", CX_EORDER, &PyExc_ValueError},
        {"Limit", CX_ELIMIT, NULL},                  {"IO", CX_EIO, &PyExc_OSError},
        {"Version", CX_EVERSION, NULL},
    };
    PyObject *err = PyErr_NewExceptionWithDoc("cxkit.Error",
        "A libcxkit failure. .code is the status (cxkit.ENOTFOUND...), .message (= str(e))\n"
        "the library's message naming the Python method, record and field at fault,\n"
        ".c_message the same naming the C function (cxkit.last_error()).", NULL, NULL);
    cxb_py_exc[0] = err;
    PyModule_AddObject(m, "Error", err);
    Py_INCREF(err);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char qual[64];
        snprintf(qual, sizeof qual, "cxkit.%s", kinds[i].name);
        PyObject *bases = kinds[i].base ? PyTuple_Pack(2, err, *kinds[i].base) : PyTuple_Pack(1, err);
        PyObject *cls = PyErr_NewException(qual, bases, NULL);
        Py_DECREF(bases);
        cxb_py_exc[-kinds[i].code] = cls;
        Py_INCREF(cls);
        PyModule_AddObject(m, kinds[i].name, cls);
    }
    PyObject *fbases = PyTuple_Pack(2, cxb_py_exc[-CX_EIO], PyExc_FileNotFoundError);
    cxb_py_file_not_found = PyErr_NewException("cxkit.FileNotFound", fbases, NULL);
    Py_DECREF(fbases);
    Py_INCREF(cxb_py_file_not_found);
    PyModule_AddObject(m, "FileNotFound", cxb_py_file_not_found);
}
%}

/* ---- strings: None or a str without NUL ------------------------------------------ */

/* SWIG's own typemap with the length asked for: a NUL inside the text,
 * which the library's C string would end at, raises cxkit.Invalid (a
 * ValueError) naming the argument. */
%typemap(in, noblock=1, fragment="SWIG_AsCharPtrAndSize") const char * (int res, char *buf = 0, size_t size = 0, int alloc = 0) {
  res = SWIG_AsCharPtrAndSize($input, &buf, &size, &alloc);
  if (!SWIG_IsOK(res)) {
    %argument_fail(res, "$type", $symname, $argnum);
  }
  if (buf && cxb_text_ok(buf, size ? size - 1 : 0, "$symname", "$1_name", -1) < 0) {
    cxb_py_raise_at(cxb_code, cxb_msg, "$symname");
    SWIG_fail;
  }
  $1 = %reinterpret_cast(buf, $1_ltype);
}
%typemap(freearg, noblock=1) const char * {
  if (alloc$argnum == SWIG_NEWOBJ) %delete_array(buf$argnum);
}

/* Files: a str or an os.PathLike (pathlib.Path, ...; its os.fspath(),
 * a bytes path decoded as the file system does), where SWIG's type error
 * refused a Path. Applied by the parameter's name in the interface files
 * (path, file, db_path, csv_path); journey.i clears it for the Paths
 * class, whose path is a journey's path or the name of a column. */
%typemap(in, noblock=1, fragment="SWIG_AsCharPtrAndSize") const char *FSPATH (int res, char *buf = 0, size_t size = 0, int alloc = 0, PyObject *fs = NULL) {
  {
    PyObject *in_ = $input;
    if (in_ != Py_None && !PyUnicode_Check(in_) && !PyBytes_Check(in_) && PyObject_HasAttrString(in_, "__fspath__")) {
      fs = PyOS_FSPath(in_);
      if (!fs)
        SWIG_fail;
      if (PyBytes_Check(fs)) {
        PyObject *u_ = PyUnicode_DecodeFSDefaultAndSize(PyBytes_AS_STRING(fs), PyBytes_GET_SIZE(fs));
        Py_DECREF(fs);
        fs = u_;
        if (!fs)
          SWIG_fail;
      }
      in_ = fs;
    }
    res = SWIG_AsCharPtrAndSize(in_, &buf, &size, &alloc);
  }
  if (!SWIG_IsOK(res)) {
    %argument_fail(res, "str or os.PathLike", $symname, $argnum);
  }
  if (buf && cxb_text_ok(buf, size ? size - 1 : 0, "$symname", "$1_name", -1) < 0) {
    cxb_py_raise_at(cxb_code, cxb_msg, "$symname");
    SWIG_fail;
  }
  $1 = %reinterpret_cast(buf, $1_ltype);
}
%typemap(freearg, noblock=1) const char *FSPATH {
  if (alloc$argnum == SWIG_NEWOBJ) %delete_array(buf$argnum);
  Py_XDECREF(fs$argnum);
}
%typemap(doctype) const char *FSPATH "str or os.PathLike";
%apply const char *FSPATH { const char *path, const char *file, const char *db_path, const char *csv_path };

/* ---- objects: freed ones raise ------------------------------------------------------ */

/* type(o).__swig_destroy__(o) (or _cxkit.delete_X(o)) frees o's C side but
 * SWIG leaves the pointer in o, for the next call to use. The destructor
 * (the only conversion with $disown) now takes the pointer out of o, so o
 * holds NULL; any other conversion raises for a NULL that is not None, and
 * the destructors do nothing with NULL (a collection after `o.thisown =
 * True`). */
%typemap(in, noblock=1) SWIGTYPE * (void *argp = 0, int res = 0) {
  res = SWIG_ConvertPtr($input, &argp, $descriptor, $disown | %convertptr_flags);
  if (!SWIG_IsOK(res)) {
    %argument_fail(res, "$type", $symname, $argnum);
  }
  $1 = %reinterpret_cast(argp, $ltype);
  if ($disown) {
    SwigPyObject *sobj_ = SWIG_Python_GetSwigThis($input);
    if (sobj_)
      sobj_->ptr = NULL;
  } else if (!$1 && $input != Py_None) {
    cxb_freed("$symname", $argnum, cxb_py_class_name($descriptor));
    cxb_py_raise_at(cxb_code, cxb_msg, "$symname");
    SWIG_fail;
  }
}
%{
/* "Result" of the type "Result *|struct Result *" */
static const char *cxb_py_class_name(swig_type_info *t)
{
    static _Thread_local char name[64];
    const char *s = t && t->str ? t->str : "cxkit";
    if (strncmp(s, "struct ", 7) == 0)
        s += 7;
    size_t n = strcspn(s, " *|");
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), s);
    return name;
}
%}

/* ---- numbers ------------------------------------------------------------------- */

/* int64_t / uint64_t as Python ints (stdint.i maps them to long long). */

/* ---- times ---------------------------------------------------------------- */

%{
static int cxb_py_time(PyObject *o, cx_time *out)
{
    if (o == Py_None) {
        *out = CX_TIME_NONE;
        return 0;
    }
    PyObject *ms = NULL;
    if (PyLong_Check(o) && !PyBool_Check(o)) {
        ms = o;
        Py_INCREF(ms);
    } else if (!(ms = cxb_py_call("_time_in", o))) {
        return -1;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(ms, &overflow);
    Py_DECREF(ms);
    if (overflow || v == CX_TIME_NONE) {
        PyErr_SetString(PyExc_OverflowError, "time out of range");
        return -1;
    }
    if (v == -1 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

static PyObject *cxb_py_time_out(cx_time t)
{
    if (t == CX_TIME_NONE)
        Py_RETURN_NONE;
    PyObject *ms = PyLong_FromLongLong(t);
    if (!ms)
        return NULL;
    PyObject *r = cxb_py_call("_time_out", ms);
    Py_DECREF(ms);
    return r;
}
%}

%typemap(in) cx_time {
    if (cxb_py_time($input, &$1) < 0)
        SWIG_fail;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_INT64) cx_time "$1 = 1;";
%typemap(out) cx_time {
    $result = cxb_py_time_out($1);
    if (!$result)
        SWIG_fail;
}

/* Types as docstrings show them (swig -doxygen's ":type x:" lines). */
%typemap(doctype) cx_time "datetime, ISO-8601 str, int (ms) or None";
%typemap(doctype) cxb_table, cxb_measure, cxb_dim, cxb_bucket, cxb_vocab, cxb_metric, cxb_outcome, cxb_direction,
                  cxb_level, cxb_conversion, cxb_jgroup, cxb_activity, cxb_cohort_start, cxb_band, cxb_model_kind,
                  cxb_summary_col, cxb_signal, cxb_care_kind, cxb_existing, cxb_boundary,
                  cxb_post "str (name) or int";
%typemap(doctype) cxb_odim "str (name), int or None";
%typemap(doctype) cxb_colref, cxb_ocolref "str (name) or int (index)";
%typemap(doctype) cxb_realv, cxb_orealv, cxb_flagv, cxb_oflagv "sequence or numpy array";
%typemap(doctype) cxb_strv, cxb_ostrv "sequence of str";
%typemap(doctype) cxb_i64v, cxb_oi64v, cxb_intv, cxb_ointv, cxb_f64v, cxb_of64v "sequence or numpy array";
%typemap(doctype) cxb_timev, cxb_otimev "sequence or numpy array of times";
%typemap(doctype) const char * "str";
%typemap(doctype) bool "bool";

/* ---- enumerations and columns by number or name ---------------------------------- */

%{
static int cxb_py_enum_at(PyObject *o, int kind, int *out, const char *sym)
{
    if (PyUnicode_Check(o)) {
        Py_ssize_t len = 0;
        const char *s = PyUnicode_AsUTF8AndSize(o, &len);
        if (!s)
            return -1;
        if (cxb_enum_lookup_len(kind, s, (size_t)len, out) < 0) {
            cxb_py_raise_at(cxb_code, cxb_msg, sym);
            return -1;
        }
        return 0;
    }
    if (PyLong_Check(o)) {
        long v = PyLong_AsLong(o);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < -0x7fffffffL || v > 0x7fffffffL) {
            PyErr_SetString(PyExc_OverflowError, "enumeration value out of range");
            return -1;
        }
        *out = (int)v;
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "expected a %s as int or str, got %s", cxb_enum_what[kind], Py_TYPE(o)->tp_name);
    return -1;
}

static int cxb_py_enum(PyObject *o, int kind, int *out)
{
    return cxb_py_enum_at(o, kind, out, NULL);
}
%}

%define %cxb_py_enum(TYPE, KIND)
%typemap(in) TYPE {
    if (cxb_py_enum_at($input, KIND, &$1, "$symname") < 0)
        SWIG_fail;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_INTEGER) TYPE "$1 = PyLong_Check($input) || PyUnicode_Check($input);";
%enddef
%cxb_py_enum(cxb_table, CXB_E_TABLE)
%cxb_py_enum(cxb_measure, CXB_E_MEASURE)
%cxb_py_enum(cxb_dim, CXB_E_DIM)
%cxb_py_enum(cxb_bucket, CXB_E_BUCKET)
%cxb_py_enum(cxb_vocab, CXB_E_SET)
%cxb_py_enum(cxb_metric, CXB_E_METRIC)
%cxb_py_enum(cxb_outcome, CXB_E_OUTCOME)
%cxb_py_enum(cxb_direction, CXB_E_DIRECTION)
%cxb_py_enum(cxb_level, CXB_E_LEVEL)
%cxb_py_enum(cxb_conversion, CXB_E_CONVERSION)
%cxb_py_enum(cxb_jgroup, CXB_E_JGROUP)
%cxb_py_enum(cxb_boundary, CXB_E_BOUNDARY)
%cxb_py_enum(cxb_post, CXB_E_POST)
%cxb_py_enum(cxb_activity, CXB_E_ACTIVITY)
%cxb_py_enum(cxb_cohort_start, CXB_E_COHORT_START)
%cxb_py_enum(cxb_band, CXB_E_BAND)
%cxb_py_enum(cxb_model_kind, CXB_E_MODEL)
%cxb_py_enum(cxb_summary_col, CXB_E_SUMMARY_COL)
%cxb_py_enum(cxb_signal, CXB_E_HEALTH)
%cxb_py_enum(cxb_care_kind, CXB_E_CARE)
%cxb_py_enum(cxb_existing, CXB_E_EXISTING)
/* an optional dimension: None is -1 (no grouping) */
%typemap(in) cxb_odim {
    if ($input == Py_None)
        $1 = -1;
    else if (cxb_py_enum_at($input, CXB_E_DIM, &$1, "$symname") < 0)
        SWIG_fail;
}

%typemap(in) cxb_colref, cxb_ocolref {
    $1.idx = 0;
    $1.name = NULL;
    if (PyUnicode_Check($input)) {
        Py_ssize_t len_ = 0;
        if (!($1.name = PyUnicode_AsUTF8AndSize($input, &len_)))
            SWIG_fail;
        if (cxb_text_ok($1.name, (size_t)len_, "$symname", "$1_name", -1) < 0) {
            CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
        }
    } else if (PyLong_Check($input)) {
        long v = PyLong_AsLong($input);
        if (v == -1 && PyErr_Occurred())
            SWIG_fail;
        if (v < 0 || v > 0x7fffffffL) {
            char py_[128];
            cxb_py_method_name(py_, sizeof py_, "$symname");
            PyErr_Format(PyExc_IndexError, "%s: %s %ld is out of range (0 or more)", py_, "$1_name", v);
            SWIG_fail;
        }
        $1.idx = (int)v;
    } else {
        PyErr_SetString(PyExc_TypeError, "a column is an int or a str");
        SWIG_fail;
    }
}

%typemap(default) cxb_ocolref "$1.idx = 0; $1.name = NULL;";

/* ---- values and records ------------------------------------------------------------ */

%{
static PyObject *cxb_py_value(const cxb_cell *c)
{
    switch (c->type) {
    case CX_TYPE_STRING: return PyUnicode_FromString(c->s);
    case CX_TYPE_INT: return PyLong_FromLongLong(c->i);
    case CX_TYPE_REAL: return PyFloat_FromDouble(c->d);
    case CX_TYPE_TIME: return cxb_py_time_out(c->i);
    default: Py_RETURN_NONE;
    }
}

static PyObject *cxb_py_row(const cxb_row *r)
{
    PyObject *d = PyDict_New();
    for (size_t k = 0; d && k < r->n; k++) {
        PyObject *v = cxb_py_value(&r->c[k]);
        if (!v || PyDict_SetItemString(d, r->c[k].name ? r->c[k].name : "?", v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}
%}

%typemap(out) cxb_value {
    if (!($result = cxb_py_value(&$1)))
        SWIG_fail;
}
%typemap(out) cxb_row {
    if (!($result = cxb_py_row(&$1)))
        SWIG_fail;
}
/* numbers: a numpy float64 array over the bytes when numpy is installed,
 * else a list (cxkit._f64_out) */
%typemap(out) cxb_f64out {
    PyObject *b_ = PyByteArray_FromStringAndSize((const char *)$1.p, (Py_ssize_t)($1.n * sizeof(double)));
    free($1.p);
    $result = b_ ? cxb_py_call("_f64_out", b_) : NULL;
    Py_XDECREF(b_);
    if (!$result)
        SWIG_fail;
}

/* whole int64 columns: a numpy int64 array over the bytes when numpy is
 * installed, else a list (cxkit._i64_out) */
%typemap(out) cxb_i64out {
    PyObject *b_ = PyByteArray_FromStringAndSize((const char *)$1.p, (Py_ssize_t)($1.n * sizeof(int64_t)));
    free($1.p);
    $result = b_ ? cxb_py_call("_i64_out", b_) : NULL;
    Py_XDECREF(b_);
    if (!$result)
        SWIG_fail;
}
/* whole text columns: a list of str (None when missing). Equal texts of a
 * result share one pointer, so a small cache by pointer makes each distinct
 * text once (a label column of 10^6 rows holds a handful of str objects). */
%typemap(out) cxb_strout {
    enum { CACHE_ = 1024 };
    const char *key_[CACHE_] = {0};
    PyObject *val_[CACHE_] = {0};
    $result = PyList_New((Py_ssize_t)$1.n);
    for (size_t i_ = 0; $result && i_ < $1.n; i_++) {
        const char *t_ = $1.p[i_];
        PyObject *o_;
        if (!t_) {
            o_ = Py_None;
            Py_INCREF(o_);
        } else {
            size_t h_ = ((uintptr_t)t_ >> 3) % CACHE_;
            if (key_[h_] != t_) {
                PyObject *u_ = PyUnicode_FromString(t_);
                if (!u_) {
                    Py_CLEAR($result);
                    break;
                }
                Py_XDECREF(val_[h_]);
                key_[h_] = t_;
                val_[h_] = u_;
            }
            o_ = val_[h_];
            Py_INCREF(o_);
        }
        PyList_SET_ITEM($result, (Py_ssize_t)i_, o_);
    }
    for (size_t i_ = 0; i_ < CACHE_; i_++)
        Py_XDECREF(val_[i_]);
    free($1.p);
    if (!$result)
        SWIG_fail;
}
%typemap(doctype) cxb_f64out "numpy float64 array (list without numpy)";
%typemap(doctype) cxb_i64out "numpy int64 array (list without numpy)";
%typemap(doctype) cxb_strout "list of str or None";

/* ---- bytes ---------------------------------------------------------------------- */

%typemap(out) cxb_bytes {
    $result = $1.p ? PyBytes_FromStringAndSize($1.p, (Py_ssize_t)$1.n) : NULL;
    free($1.p);
    if (!$result) {
        if (!PyErr_Occurred() && !cxb_code)
            PyErr_SetString(PyExc_MemoryError, "out of memory");
        if (!cxb_code)
            SWIG_fail;
        $result = Py_None;
        Py_INCREF($result);
    }
}

%typemap(in) (const char *BYTES, size_t LENGTH) (Py_buffer view, int have = 0) {
    if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) < 0)
        SWIG_fail;
    have = 1;
    $1 = ($1_ltype)view.buf;
    $2 = (size_t)view.len;
}
%typemap(freearg) (const char *BYTES, size_t LENGTH) {
    if (have$argnum)
        PyBuffer_Release(&view$argnum);
}

/* ---- several results: a tuple ------------------------------------------------------------ */

%typemap(in, numinputs=0) double *OUT_DIFF (double tmp), double *OUT_P (double tmp),
                          double *OUT_VALUE (double tmp), uint64_t *OUT_N (uint64_t tmp) "$1 = &tmp;";
%typemap(argout) double *OUT_DIFF, double *OUT_P, double *OUT_VALUE {
    $result = SWIG_Python_AppendOutput($result, PyFloat_FromDouble(*$1));
}
%typemap(argout) uint64_t *OUT_N {
    $result = SWIG_Python_AppendOutput($result, PyLong_FromUnsignedLongLong(*$1));
}

/* ---- arrays for the batch loads --------------------------------------------------------- */

%{
/* A contiguous buffer of `n` items of format `fmt` ("q" int64, "i" int32,
 * "d" double), or 0 when the object exports none (the caller then walks
 * it as a sequence). */
static int cxb_py_buffer(PyObject *o, const char *fmts, size_t itemsize, const void **v, size_t *n, void **keep)
{
    if (!PyObject_CheckBuffer(o) || PyBytes_Check(o) || PyByteArray_Check(o))
        return 0;
    Py_buffer *view = malloc(sizeof *view);
    if (!view)
        return 0;
    if (PyObject_GetBuffer(o, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_Clear();
        free(view);
        return 0;
    }
    const char *f = view->format ? view->format : "B";
    if (*f == '@' || *f == '=' || *f == '<')
        f++;
    if (view->ndim != 1 || (size_t)view->itemsize != itemsize || !strchr(fmts, *f) || f[1]) {
        PyBuffer_Release(view);
        free(view);
        return 0;
    }
    *v = view->buf;
    *n = (size_t)view->shape[0];
    *keep = view;
    return 1;
}

/* `func` and `name` name the argument in errors. */
static int cxb_py_strv(PyObject *o, cxb_strv *a, const char *func, const char *name)
{
    a->n = CXB_OMITTED;
    a->v = NULL;
    a->own = a->keep = NULL;
    if (o == NULL || o == Py_None)
        return 0;
    if (PyUnicode_Check(o) || PyBytes_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "expected a sequence of str, got a single str");
        return -1;
    }
    /* a dict or a set iterates (keys, in no meaningful order) but is no
     * column: refused, not read as its keys */
    if (PyDict_Check(o) || PyAnySet_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: %s: expected a sequence of str (list, tuple or numpy array), got %s",
                     func, name, Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *seq = PySequence_Fast(o, "expected a sequence of str (list, tuple or numpy array)");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    const char **v = malloc(((size_t)n ? (size_t)n : 1) * sizeof *v);
    if (!v) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = items[i];
        if (PyUnicode_Check(it)) {
            /* the UTF-8 form is cached in the str, which `seq` keeps alive */
            Py_ssize_t len = 0;
            if (!(v[i] = PyUnicode_AsUTF8AndSize(it, &len)))
                goto fail;
            if (cxb_text_ok(v[i], (size_t)len, func, name, i) < 0) {
                cxb_py_raise_at(cxb_code, cxb_msg, func);
                goto fail;
            }
        } else if (it == Py_None || (PyFloat_Check(it) && isnan(PyFloat_AS_DOUBLE(it))) ||
                   strcmp(Py_TYPE(it)->tp_name, "NAType") == 0) {
            /* None, and the missing values of a pandas column of text: NaN
             * (read_csv's empty cell) and pandas.NA */
            v[i] = NULL;
        } else {
            PyErr_Format(PyExc_TypeError, "entry %zd: expected str or None, got %s", i, Py_TYPE(it)->tp_name);
            goto fail;
        }
    }
    a->n = (size_t)n;
    a->v = v;
    a->own = v;
    a->keep = seq;
    return 0;
fail:
    free(v);
    Py_DECREF(seq);
    return -1;
}

/* Numbers: a matching buffer is used in place; anything else is converted. */
#define CXB_PY_NUMV(NAME, T, FMTS, CONV)                                                              \
    static int NAME(PyObject *o, size_t *n_out, const T **v_out, void **own, void **keep, int kind)    \
    {                                                                                                 \
        *n_out = CXB_OMITTED;                                                                         \
        *v_out = NULL;                                                                                \
        *own = *keep = NULL;                                                                          \
        if (o == NULL || o == Py_None)                                                                \
            return 0;                                                                                 \
        const void *bv;                                                                               \
        size_t bn;                                                                                    \
        if (cxb_py_buffer(o, FMTS, sizeof(T), &bv, &bn, keep)) {                                      \
            *v_out = bv;                                                                              \
            *n_out = bn;                                                                              \
            return 0;                                                                                 \
        }                                                                                             \
        if (PyDict_Check(o) || PyAnySet_Check(o)) {                                                   \
            PyErr_Format(PyExc_TypeError, "expected a sequence of numbers or a numpy array, got %s",   \
                         Py_TYPE(o)->tp_name);                                                        \
            return -1;                                                                                \
        }                                                                                             \
        PyObject *seq = PySequence_Fast(o, "expected a sequence of numbers or a numpy array");        \
        if (!seq)                                                                                     \
            return -1;                                                                                \
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);                                                 \
        T *v = malloc(((size_t)n ? (size_t)n : 1) * sizeof *v);                                       \
        if (!v) {                                                                                     \
            Py_DECREF(seq);                                                                           \
            PyErr_NoMemory();                                                                         \
            return -1;                                                                                \
        }                                                                                             \
        PyObject **items = PySequence_Fast_ITEMS(seq);                                                \
        for (Py_ssize_t i = 0; i < n; i++) {                                                          \
            PyObject *it = items[i];                                                                  \
            CONV;                                                                                     \
        }                                                                                             \
        Py_DECREF(seq);                                                                               \
        *n_out = (size_t)n;                                                                           \
        *v_out = v;                                                                                   \
        *own = v;                                                                                     \
        return 0;                                                                                     \
    fail:                                                                                             \
        free(v);                                                                                      \
        Py_DECREF(seq);                                                                               \
        return -1;                                                                                    \
    }

CXB_PY_NUMV(cxb_py_i64v, int64_t, "qlL", {
    (void)kind;
    if (!PyLong_Check(it) && !PyIndex_Check(it)) {
        PyErr_Format(PyExc_TypeError, "entry %zd: expected int, got %s", i, Py_TYPE(it)->tp_name);
        goto fail;
    }
    long long x = PyLong_AsLongLong(it);
    if (x == -1 && PyErr_Occurred())
        goto fail;
    v[i] = x;
})
CXB_PY_NUMV(cxb_py_f64v, double, "d", {
    (void)kind;
    double x = PyFloat_AsDouble(it);
    if (x == -1.0 && PyErr_Occurred())
        goto fail;
    v[i] = x;
})
CXB_PY_NUMV(cxb_py_intv, int, "i", {
    int x;
    if (cxb_py_enum(it, kind, &x) < 0)
        goto fail;
    v[i] = x;
})
/* flags and group numbers: ints (bools too) that fit in an int, no names */
CXB_PY_NUMV(cxb_py_flagv, int, "i", {
    (void)kind;
    if (!PyLong_Check(it) && !PyIndex_Check(it)) {
        PyErr_Format(PyExc_TypeError, "entry %zd: expected an int, got %s", i, Py_TYPE(it)->tp_name);
        goto fail;
    }
    PyObject *num = PyNumber_Index(it);
    if (!num)
        goto fail;
    long long x = PyLong_AsLongLong(num);
    Py_DECREF(num);
    if (x == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_OverflowError, "entry %zd: out of the range of an int", i);
        goto fail;
    }
    if (x < INT_MIN || x > INT_MAX) {
        PyErr_Format(PyExc_OverflowError, "entry %zd: %lld is out of the range of an int", i, x);
        goto fail;
    }
    v[i] = (int)x;
})

static void cxb_py_free_array(void *own, void *keep, int is_seq)
{
    free(own);
    if (keep) {
        if (is_seq) {
            Py_DECREF((PyObject *)keep);
        } else {
            PyBuffer_Release((Py_buffer *)keep);
            free(keep);
        }
    }
}
%}

%typemap(in) cxb_strv {
    if (cxb_py_strv($input, &$1, "$symname", "$1_name") < 0)
        SWIG_fail;
}
%typemap(freearg) cxb_strv "cxb_py_free_array($1.own, $1.keep, 1);";
%typemap(in) cxb_f64v {
    if (cxb_py_f64v($input, &$1.n, &$1.v, &$1.own, &$1.keep, 0) < 0)
        SWIG_fail;
}
%typemap(in) cxb_i64v {
    if (cxb_py_i64v($input, &$1.n, &$1.v, &$1.own, &$1.keep, 0) < 0)
        SWIG_fail;
}
/* time arrays: numpy datetime64 arrays and sequences of datetimes are
 * turned into int64 milliseconds by cxkit._times_in first */
%typemap(in) cxb_timev (PyObject *conv = NULL) {
    if ($input != Py_None && !(conv = cxb_py_call("_times_in", $input)))
        SWIG_fail;
    if (cxb_py_i64v(conv ? conv : $input, &$1.n, &$1.v, &$1.own, &$1.keep, 0) < 0)
        SWIG_fail;
}
%typemap(freearg) cxb_timev "cxb_py_free_array($1.own, $1.keep, 0); Py_XDECREF(conv$argnum);";
/* model and survival arrays: numpy arrays of any numeric dtype (and pandas
 * Series) become contiguous float64 / int32 first, without a copy when they
 * already are (cxkit._floats_in, _ints_in) */
%typemap(in) cxb_realv (PyObject *conv = NULL), cxb_orealv (PyObject *conv = NULL) {
    if ($input != Py_None && !(conv = cxb_py_call("_floats_in", $input)))
        SWIG_fail;
    if (cxb_py_f64v(conv ? conv : $input, &$1.n, &$1.v, &$1.own, &$1.keep, 0) < 0)
        SWIG_fail;
}
%typemap(in) cxb_flagv (PyObject *conv = NULL), cxb_oflagv (PyObject *conv = NULL) {
    if ($input != Py_None && !(conv = cxb_py_call("_ints_in", $input)))
        SWIG_fail;
    if (cxb_py_flagv(conv ? conv : $input, &$1.n, &$1.v, &$1.own, &$1.keep, 0) < 0)
        SWIG_fail;
}
%typemap(freearg) cxb_realv, cxb_orealv, cxb_flagv, cxb_oflagv "cxb_py_free_array($1.own, $1.keep, 0); Py_XDECREF(conv$argnum);";
%typemap(arginit) cxb_realv, cxb_orealv, cxb_flagv, cxb_oflagv "memset(&$1, 0, sizeof $1);";
%typemap(default) cxb_orealv, cxb_oflagv %{
    $1.n = CXB_OMITTED;
    $1.v = NULL;
    $1.own = $1.keep = NULL;
%}
%typemap(in) cxb_intv {
    if (cxb_py_intv($input, &$1.n, &$1.v, &$1.own, &$1.keep,
                    strstr("$1_name", "direction") ? CXB_E_DIRECTION : CXB_E_OUTCOME) < 0)
        SWIG_fail;
}
%typemap(freearg) cxb_i64v, cxb_f64v, cxb_intv "cxb_py_free_array($1.own, $1.keep, 0);";
/* zeroed first, so that the "freearg" code on an early failure frees nothing */
%typemap(arginit) cxb_strv, cxb_i64v, cxb_timev, cxb_f64v, cxb_intv "memset(&$1, 0, sizeof $1);";
%apply cxb_strv { cxb_ostrv };
%apply cxb_i64v { cxb_oi64v };
%apply cxb_intv { cxb_ointv };
%apply cxb_f64v { cxb_of64v };
%apply cxb_timev { cxb_otimev };
%typemap(default) cxb_ostrv, cxb_oi64v, cxb_ointv, cxb_of64v, cxb_otimev %{
    $1.n = CXB_OMITTED;
    $1.v = NULL;
    $1.own = $1.keep = NULL;
%}

/* ---- Python sugar -------------------------------------------------------------------- */

%define %cxb_py_closeable(CLASS)
%extend CLASS {
%pythoncode %{
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
%}
}
%enddef
%cxb_py_closeable(Store)
%cxb_py_closeable(Query)
%cxb_py_closeable(Result)
%cxb_py_closeable(History)
%cxb_py_closeable(Monitor)
%cxb_py_closeable(Calendar)
%cxb_py_closeable(ImportOptions)
%cxb_py_closeable(ImportReport)
%cxb_py_closeable(JourneyOptions)
%cxb_py_closeable(Journeys)
%cxb_py_closeable(Funnel)
%cxb_py_closeable(Survival)
%cxb_py_closeable(Summary)
%cxb_py_closeable(Model)
%cxb_py_closeable(HealthOptions)
%cxb_py_closeable(CareRules)

%extend Store {
%pythoncode %{
    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        return self.clone()

    def vocab_names(self, set):
        """All names of a named set, in index order (e.g. store.vocab_names("channel"))."""
        return [self.vocab_name(set, i) for i in range(self.vocab_count(set))]

    def records(self, table):
        """Iterate over the records of a table as dicts."""
        for i in range(self.rows(table)):
            yield self.record(table, i)

    def __repr__(self):
        if self.closed():
            return "<cxkit.Store (closed)>"
        return "<cxkit.Store %s>" % ", ".join(
            "%s=%d" % (t, self.rows(t)) for t in _TABLES)
%}
}

%extend History {
%pythoncode %{
    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if index < 0:
            index += self.count()
        if not 0 <= index < self.count():
            raise IndexError("history index out of range")
        return self.entry(index)

    def __iter__(self):
        for i in range(self.count()):
            yield self.entry(i)
%}
}

/* Result (every analysis's table): rows as dicts, columns, pandas. */
%extend Result {
%pythoncode %{
    def __len__(self):
        return self.rows()

    def __getitem__(self, index):
        if index < 0:
            index += self.rows()
        if not 0 <= index < self.rows():
            raise IndexError("result row out of range")
        return self.row(index)

    def __iter__(self):
        """Rows as dicts keyed by column name."""
        for i in range(self.rows()):
            yield self.row(i)

    def column_names(self):
        """The names of the columns, in order."""
        return [self.column_name(c) for c in range(self.columns())]

    def to_dict(self):
        """The table as {column name: list of values}."""
        names = self.column_names()
        cols = {n: [] for n in names}
        for i in range(self.rows()):
            for c, n in enumerate(names):
                cols[n].append(self.get(i, c))
        return cols

    def to_pandas(self):
        """The table as a pandas DataFrame (pandas is imported only here).
        Labels become object columns, counts int64, figures float64 (NaN when
        missing), times datetime64 in UTC."""
        import pandas
        return pandas.DataFrame(self.to_dict(), columns=self.column_names())

    def __repr__(self):
        try:
            return "<cxkit.%s %d rows x %d columns: %s>" % (
                type(self).__name__, self.rows(), self.columns(), ", ".join(self.column_names()))
        except Error:
            return "<cxkit.%s (closed)>" % type(self).__name__
%}
}

/* several C out-values come back as a tuple */
%feature("pythonappend") Result::compare "val = tuple(val)";
%feature("pythonappend") Monitor::read "val = tuple(val)";

%extend ImportReport {
%pythoncode %{
    def rejects(self):
        """The described rejected rows as (line, column, reason) tuples."""
        return [(self.line(i), self.column(i), self.reason(i)) for i in range(self.details())]

    def __repr__(self):
        try:
            return "<cxkit.ImportReport read=%d accepted=%d (added=%d updated=%d unchanged=%d) rejected=%d>" % (
                self.read(), self.accepted(), self.added(), self.updated(), self.unchanged(), self.rejected())
        except Error:
            return "<cxkit.ImportReport (closed)>"
%}
}

%extend ImportOptions {
%pythoncode %{
    @classmethod
    def make(cls, strict=False, reject_path=None, delimiter=",", columns=None, create_customers=False,
             existing="reject", threads=1):
        """Options in one call: columns maps file column names to table
        column names (or None to ignore a file column); create_customers
        adds the customers rows of events name but the store lacks;
        existing is "reject", "skip" or "update" (see set_existing());
        threads: for a CSV file, 1 (the default) or more, 0 every core
        (see set_threads())."""
        o = cls()
        o.set_strict(strict)
        o.set_create_customers(create_customers)
        o.set_existing(existing)
        if reject_path is not None:
            o.set_reject_path(str(reject_path))
        o.set_delimiter(delimiter)
        o.set_threads(threads)
        for k, v in (columns or {}).items():
            o.map_column(k, v)
        return o
%}
}

%extend JourneyOptions {
%pythoncode %{
    @classmethod
    def make(cls, store, conversion=None, gap_ms=None, cut_at_conversion=None, level=None,
             collapse=None, conversion_in_path=None, repeat_contacts=None, half_life_ms=None,
             position_weights=None, min_support=None, boundary=None, post_purchase=None, threads=None):
        """Options in one call; an argument left None keeps the default.
        conversion: an interaction kind ("purchase"), a (by, name) pair such
        as ("touchpoint", "web_checkout"), or a list of those (any matches);
        post_purchase: the same for the post-purchase rules, a (by, name)
        pair such as ("stage", "retention") or a list of them (a bare name is
        a stage); repeat_contacts: (kind, window_ms); position_weights:
        (first, last). The other arguments are those of the set_* methods."""
        o = cls(store)
        for rules, default_by, set_rule, add_rule in ((conversion, "kind", o.set_conversion, o.add_conversion),
                                                      (post_purchase, "stage", o.set_post_purchase,
                                                       o.add_post_purchase)):
            if rules is None:
                continue
            rules = [rules] if isinstance(rules, (str, tuple)) else list(rules)
            for i, rule in enumerate(rules):
                by, name = (default_by, rule) if isinstance(rule, str) else rule
                (set_rule if i == 0 else add_rule)(by, name)
        for value, setter in ((gap_ms, o.set_gap), (cut_at_conversion, o.set_cut_at_conversion),
                              (boundary, o.set_boundary),
                              (level, o.set_level), (collapse, o.set_collapse),
                              (conversion_in_path, o.set_conversion_in_path),
                              (half_life_ms, o.set_half_life), (min_support, o.set_min_support),
                              (threads, o.set_threads)):
            if value is not None:
                setter(value)
        if repeat_contacts is not None:
            o.set_repeat_contacts(*repeat_contacts)
        if position_weights is not None:
            o.set_position_weights(*position_weights)
        return o
%}
}

%extend Funnel {
%pythoncode %{
    @classmethod
    def make(cls, store, steps, window_ms=0, strict=False, exclusions=(), as_of=None):
        """A funnel in one call: steps and exclusions are (level, name)
        pairs such as ("stage", "purchase") or ("touchpoint", "home_delivery");
        as_of: the time it is read at (None: the latest interaction)."""
        f = cls(store)
        for level, name in steps:
            f.add_step(level, name)
        for level, name in exclusions:
            f.add_exclusion(level, name)
        f.set_window(window_ms)
        f.set_strict(strict)
        f.set_as_of(as_of)
        return f
%}
}

%extend Journeys {
%pythoncode %{
    def __len__(self):
        return self.count()

    def __repr__(self):
        try:
            return "<cxkit.Journeys %d journeys, %d converted>" % (self.count(), self.conversion_count())
        except Error:
            return "<cxkit.Journeys (closed)>"
%}
}

%extend Paths {
%pythoncode %{
    def __len__(self):
        return self.count()

    def __repr__(self):
        try:
            return "<cxkit.Paths %d paths of %d states>" % (self.count(), self.state_count())
        except Error:
            return "<cxkit.Paths (closed)>"

    def to_pandas(self, separator=" > "):
        """The table (table()) as a DataFrame."""
        return self.table(separator).to_pandas()

    @classmethod
    def read_csv(cls, file, path="path", conversions="conversions", nulls="nulls", value="value", separator=">"):
        """A table of the rows of a CSV file of path counts, read in C
        (import_csv()); for ChannelAttribution's file:
        ``Paths.read_csv(f, conversions="total_conversions", nulls="total_null",
        value="total_conversion_value")``."""
        p = cls()
        p.import_csv(file, path, conversions, nulls, value, separator)
        return p

    @classmethod
    def from_pandas(cls, frame, path="path", conversions="conversions", nulls="nulls", value="value",
                    separator=">"):
        """A table of the rows of a DataFrame, in one call (add_batch()).
        path, conversions, nulls, value: the column names (ChannelAttribution's
        are "path", "total_conversions", "total_null",
        "total_conversion_value"); nulls and value may name no column
        (None) for zeros. Missing counts are errors that name the column."""
        import numpy
        if not hasattr(frame, "columns"):
            raise TypeError("Paths.from_pandas: frame: a pandas DataFrame, not %s" % type(frame).__name__)
        cols = {"path": path, "conversions": conversions, "nulls": nulls, "value": value}
        arrays = {}
        for arg, name in cols.items():
            if name is None and arg in ("nulls", "value"):
                arrays[arg] = None
                continue
            if name not in frame.columns:
                raise KeyError("Paths.from_pandas: %s: no column %r (columns: %s)"
                               % (arg, name, ", ".join(map(str, frame.columns))))
            col = frame[name]
            if getattr(col, "ndim", 1) != 1:
                raise ValueError("Paths.from_pandas: %s: the frame has %d columns named %r"
                                 % (arg, col.shape[1], name))
            if arg == "path":
                if col.isna().any():
                    raise ValueError("Paths.from_pandas: path: column %r has a missing path at row %d"
                                     % (name, int(numpy.flatnonzero(col.isna().to_numpy())[0])))
                for i, v in enumerate(col.tolist()):
                    if isinstance(v, (bytes, bytearray)):  # str() would make "b'a > b'"
                        raise TypeError("Paths.from_pandas: path: column %r holds bytes at row %d; decode them "
                                        "to str first" % (name, i))
                arrays[arg] = col.astype(str).tolist()
            else:
                # counts: numbers (ints, floats, bools); times, durations
                # and complex numbers are not counts
                kind = getattr(col.dtype, "kind", "O")
                if kind in "mMcSUV" or (kind == "O" and not all(
                        isinstance(v, (int, float, numpy.integer, numpy.floating)) or v is None
                        for v in col.tolist())):
                    raise TypeError("Paths.from_pandas: %s: column %r is not numeric (dtype %s)"
                                    % (arg, name, col.dtype))
                try:
                    a = numpy.ascontiguousarray(col.to_numpy(dtype=numpy.float64, na_value=numpy.nan))
                except (TypeError, ValueError):
                    raise TypeError("Paths.from_pandas: %s: column %r is not numeric (dtype %s)"
                                    % (arg, name, col.dtype)) from None
                bad = numpy.flatnonzero(numpy.isnan(a))
                if len(bad):
                    raise ValueError("Paths.from_pandas: %s: column %r has a missing value at row %d"
                                     % (arg, name, int(bad[0])))
                arrays[arg] = a
        p = cls()
        p.add_batch(arrays["path"], arrays["conversions"], arrays["nulls"], arrays["value"], separator)
        return p
%}
}

/* ---- lifecycle (lifecycle.i) ---------------------------------------------------------- */

%extend Survival {
%pythoncode %{
    def __len__(self):
        return self.group_count()

    def labels(self):
        """The groups' labels, in order (None for customers without a value)."""
        return [r["group"] for r in self.summary()]

    def medians(self):
        """{label: median} of every group."""
        return {r["group"]: r["median"] for r in self.summary()}

    def to_pandas(self):
        """Every step of every curve (curve()) as a DataFrame."""
        return self.curve().to_pandas()

    def __repr__(self):
        try:
            return "<cxkit.Survival %d groups: %s>" % (self.group_count(), ", ".join(map(str, self.labels())))
        except Error:
            return "<cxkit.Survival (closed)>"
%}
}

/* A summary's rows are its table(): a Result. */
%extend Summary {
%pythoncode %{
    def __len__(self):
        return self.count()

    def to_pandas(self):
        """The summary as a pandas DataFrame (see table())."""
        return self.table().to_pandas()

    def __repr__(self):
        try:
            return "<cxkit.Summary %d customers>" % self.count()
        except Error:
            return "<cxkit.Summary (closed)>"
%}
}

%extend Model {
%pythoncode %{
    def sbg_curve(self, t):
        """sBG survival S(t) and retention r(t) at each t: a pair of arrays."""
        return self.sbg_survival(t), self.sbg_retention(t)

    def __repr__(self):
        try:
            p = self.params().to_dict()
            return "<cxkit.Model %s %s loglik=%.6g>" % (
                p["kind"][0], " ".join("%s=%.4g" % kv for kv in zip(p["name"], p["value"])), p["loglik"][0])
        except Error:
            return "<cxkit.Model (closed)>"
%}
}

%extend HealthOptions {
%pythoncode %{
    @classmethod
    def make(cls, weights=None, windows=None, scales=None, missing=None):
        """Options in one call: dicts by signal name, e.g.
        HealthOptions.make(weights={"nps": 3, "value": 0}, windows={"recency": 90 * 86400000});
        missing: "average" (the default) or "skip" (see set_missing())."""
        o = cls()
        for d, setter in ((weights, o.set_weight), (windows, o.set_window), (scales, o.set_scale)):
            for k, v in (d or {}).items():
                setter(k, v)
        if missing is not None:
            o.set_missing(missing)
        return o
%}
}

%extend CareRules {
%pythoncode %{
    def __len__(self):
        return self.count()
%}
}

%pythoncode %{
import datetime as _dt

Error = _cxkit.Error
Invalid = _cxkit.Invalid
NoMemory = _cxkit.NoMemory
NotFound = _cxkit.NotFound
Exists = _cxkit.Exists
Range = _cxkit.Range
Parse = _cxkit.Parse
BufSize = _cxkit.BufSize
Order = _cxkit.Order
Limit = _cxkit.Limit
IO = _cxkit.IO
Version = _cxkit.Version
FileNotFound = _cxkit.FileNotFound

_UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_MS = _dt.timedelta(milliseconds=1)
_TABLES = ("customers", "touchpoints", "interactions", "cases", "questions",
           "feedback", "transactions")


def to_ms(t):
    """A time as int milliseconds since 1970-01-01 UTC: t may be a datetime
    (naive means UTC), a date (midnight UTC), an ISO-8601 str, an int (taken
    as milliseconds already), a numpy.datetime64 or a pandas Timestamp."""
    return t if isinstance(t, int) and not isinstance(t, bool) else _time_in(t)


def from_ms(ms):
    """An aware UTC datetime from int milliseconds since 1970-01-01 UTC."""
    return _time_out(ms)


def _time_in(t):
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None or t.tzinfo.utcoffset(t) is None:
            t = t.replace(tzinfo=_UTC)
        return (t - _EPOCH) // _MS
    if isinstance(t, _dt.date):
        return (_dt.datetime(t.year, t.month, t.day, tzinfo=_UTC) - _EPOCH) // _MS
    if isinstance(t, str):
        return _time_in(time_parse(t))
    if isinstance(t, int) and not isinstance(t, bool):
        return t
    if type(t).__name__ == "datetime64":
        import numpy
        return int(numpy.datetime64(t, "ms").astype("int64"))
    raise TypeError("a time is a datetime, an int of milliseconds since the epoch, "
                    "an ISO-8601 str or None, not %s" % type(t).__name__)


def _f64_out(buf):
    """Numbers out of the library (a bytearray of float64): a numpy array
    over it when numpy is installed, else a list."""
    try:
        import numpy
    except ImportError:
        return memoryview(buf).cast("d").tolist()
    return numpy.frombuffer(buf, dtype=numpy.float64)


def _i64_out(buf):
    """Whole int64 columns out of the library (a bytearray of int64): a numpy
    array over it when numpy is installed, else a list."""
    try:
        import numpy
    except ImportError:
        return memoryview(buf).cast("q").tolist()
    return numpy.frombuffer(buf, dtype=numpy.int64)


def _array_like(a):
    return not isinstance(a, (list, tuple)) and (hasattr(a, "__array__") or hasattr(a, "dtype"))


def _floats_in(a):
    if _array_like(a):
        import numpy
        return numpy.ascontiguousarray(a, dtype=numpy.float64)
    return a


def _ints_in(a):
    """Flags and group numbers: a numpy array of ints, bools or whole
    floats (a pandas 0/1 column read as float) becomes int32, each value
    checked to fit (no wrap-around); in a list, numpy integers and whole
    floats become ints, anything else is left for the error."""
    if _array_like(a):
        import numpy
        arr = numpy.asarray(a)
        if arr.dtype.kind == "f":
            with numpy.errstate(invalid="ignore"):
                bad = ~numpy.isfinite(arr) | (numpy.floor(arr) != arr)
            if bad.any():
                i = int(numpy.flatnonzero(bad)[0])
                raise TypeError("entry %d: expected an int, got %r" % (i, arr.flat[i].item()))
        elif arr.dtype.kind not in "biu":
            raise TypeError("expected an array of ints or bools, not %s" % arr.dtype)
        if arr.dtype.kind != "b" and arr.size:
            info = numpy.iinfo(numpy.intc)
            out = (arr < info.min) | (arr > info.max)
            if out.any():
                i = int(numpy.flatnonzero(out)[0])
                raise OverflowError("entry %d: %r is out of the range of an int" % (i, arr.flat[i].item()))
        return numpy.ascontiguousarray(arr, dtype=numpy.intc)
    if isinstance(a, (list, tuple)) and not all(type(x) is int for x in a):
        return [int(x) if hasattr(x, "__index__") or (isinstance(x, float) and x.is_integer()) else x for x in a]
    return a


def _time_out(ms):
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def _times_in(a):
    """Time arrays for the batch loads: int64 milliseconds, without a copy
    when a is already an int64 array."""
    dtype = getattr(a, "dtype", None)
    if dtype is not None:
        if dtype.kind == "M":
            return a.astype("datetime64[ms]").view("int64")
        if dtype.kind in "iu":
            return a.astype("int64", copy=False)
        if dtype.kind != "O":
            raise TypeError("time arrays hold int64 milliseconds or datetime64, not %s" % dtype)
        a = a.tolist()
    if isinstance(a, (list, tuple)):
        if all(type(x) is int for x in a):
            return a
        # None is a missing time: CX_TIME_NONE, the smallest int64 (as NaT is)
        return [-(2 ** 63) if x is None else to_ms(x) for x in a]
    return a

%}
