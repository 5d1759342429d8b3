/*
 * cxkit_lua.i: what only Lua needs. Integers stay integers (SWIG 4.1 pushes
 * every C number with lua_pushnumber, a float in Lua 5.4), errors are Lua
 * errors "Kind: lua_method: message [CX_ECODE -n]" (cx.error_info reads
 * them as a table), times are integer milliseconds (or ISO-8601
 * strings on the way in), records are tables, arrays are Lua sequences
 * (false for a missing text entry).
 */

%{
#include <limits.h>
#include <math.h>
/* The Lua spelling of a wrapper's name: "Store_add_customer" is
 * store:add_customer (the class in snake case, as a script names its
 * object), "ImportOptions_map_column" import_options:map_column, the static
 * methods cx.Result.deserialize, "new_Store" the constructor cx.Store,
 * "cohorts" the function cx.cohorts. */
static void cxb_lua_method_name(char *out, size_t cap, const char *sym)
{
    static const char *const statics[] = {"Store_load", "Survival_from_store", "Model_fit_bgnbd",
                                          "Model_fit_paretonbd", "Model_fit_gammagamma", "Model_fit_bgbb",
                                          "Model_fit_sbg", "Model_clv", "Query_agent_daily", "Result_deserialize"};
    const char *us = strchr(sym, '_');
    if (strncmp(sym, "new_", 4) == 0) {
        snprintf(out, cap, "cx.%s", sym + 4);
        return;
    }
    if (!(sym[0] >= 'A' && sym[0] <= 'Z' && us)) {
        snprintf(out, cap, "cx.%s", strncmp(sym, "delete_", 7) == 0 ? sym + 7 : sym);
        return;
    }
    for (size_t i = 0; i < sizeof statics / sizeof *statics; i++)
        if (strcmp(sym, statics[i]) == 0) {
            snprintf(out, cap, "cx.%.*s.%s", (int)(us - sym), sym, us + 1);
            return;
        }
    size_t k = 0;
    for (const char *p = sym; p < us && k + 2 < cap; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            if (p != sym)
                out[k++] = '_';
            out[k++] = (char)(*p - 'A' + 'a');
        } else {
            out[k++] = *p;
        }
    }
    snprintf(out + k, cap - k, ":%s", us + 1);
}

/* Raise "Kind: method: message [CX_ECODE -n]", leaving the error state
 * clear for the next call. A message that starts with the C function
 * ("cx_history_new: no customer 'x'") gets the Lua method in its place
 * ("store:history: no customer 'x'"), one naming none gets it in front;
 * `sym` NULL keeps the message as it is. The code's name and number end
 * the text, where cx.error_info finds them. */
static void cxb_lua_raise(lua_State *L, int code, const char *msg, const char *sym)
{
    char name[128];
    const char *rest = msg;
    cxb_code = 0;
    if (sym && *sym) {
        cxb_lua_method_name(name, sizeof name, sym);
        size_t t = strspn(msg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:");
        while (t > 0 && msg[t - 1] == ':')
            t--;
        if (t > 0 && msg[t] == ':' && msg[t + 1] == ' ' &&
            (strncmp(msg, "cx_", 3) == 0 || strncmp(msg, "cxb_", 4) == 0 ||
             (strncmp(msg, sym, t) == 0 && sym[t] == '\0') || (strlen(name) == t && strncmp(msg, name, t) == 0)))
            rest = msg + t + 2;
    }
    const char *cname = cxb_error_name(code);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, cxb_error_kind(code));
    luaL_addstring(&b, ": ");
    if (sym && *sym) {
        luaL_addstring(&b, name);
        luaL_addstring(&b, ": ");
    }
    luaL_addstring(&b, rest);
    luaL_addstring(&b, " [");
    luaL_addstring(&b, cname ? cname : "CX_E?");
    lua_pushfstring(L, " %d]", code);
    luaL_addvalue(&b);
    luaL_pushresult(&b);
}
#define CXB_RAISE(code, msg) do { cxb_lua_raise(L, (code), (msg), NULL); SWIG_fail; } while (0)
#define CXB_RAISE_AT(code, msg, symname) do { cxb_lua_raise(L, (code), (msg), (symname)); SWIG_fail; } while (0)

/* An integer: a Lua integer, or a float with an integral value. `what`
 * names it in errors ("argument 3", "entry 2 of times"). */
static int cxb_lua_int_named(lua_State *L, int idx, long long lo, long long hi, long long *out, const char *what)
{
    int isnum = 0;
    lua_Integer v = lua_tointegerx(L, idx, &isnum);
    if (!isnum) {
        if (lua_type(L, idx) == LUA_TNUMBER)
            cxb_fail(CX_ERANGE, "%s: %s is not an integer", what, lua_tostring(L, idx));
        else
            cxb_fail(CX_EINVAL, "%s: expected an integer, got %s", what, luaL_typename(L, idx));
        return -1;
    }
    if (v < lo || v > hi) {
        cxb_fail(CX_ERANGE, "%s: %lld is out of range [%lld, %lld]", what, (long long)v, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* An integer argument at stack index idx > 0. */
static int cxb_lua_int(lua_State *L, int idx, long long lo, long long hi, long long *out)
{
    char what[32];
    snprintf(what, sizeof what, "argument %d", idx);
    return cxb_lua_int_named(L, idx, lo, hi, out, what);
}

/* An entry (numbered from 1) of an array argument, on top of the stack. */
static int cxb_lua_int_entry(lua_State *L, long long lo, long long hi, long long *out, const char *name,
                             size_t entry)
{
    char what[96];
    snprintf(what, sizeof what, "entry %zu of %s", entry, name ? name : "the array");
    return cxb_lua_int_named(L, -1, lo, hi, out, what);
}
%}
#define CXB_RAISE(code, msg) cxb_lua_raise(L, (code), (msg), NULL); SWIG_fail
#define CXB_RAISE_AT(code, msg, symname) cxb_lua_raise(L, (code), (msg), symname); SWIG_fail

/* ---- integers ------------------------------------------------------------------------ */

%define %cxb_lua_integer(TYPE, LO, HI)
%typemap(in, checkfn="lua_isnumber") TYPE {
    long long v_;
    if (cxb_lua_int(L, $input, LO, HI, &v_) < 0) {
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
    $1 = ($1_ltype)v_;
}
%typemap(out) TYPE "lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++;";
%enddef
%cxb_lua_integer(int, INT_MIN, INT_MAX)
%cxb_lua_integer(long, LONG_MIN, LONG_MAX)
%cxb_lua_integer(long long, LLONG_MIN, LLONG_MAX)
%cxb_lua_integer(int64_t, LLONG_MIN, LLONG_MAX)
%cxb_lua_integer(size_t, 0, LLONG_MAX)
%cxb_lua_integer(uint64_t, 0, LLONG_MAX)
%cxb_lua_integer(unsigned int, 0, UINT_MAX)
%typemap(out) uint64_t, size_t {
    if ((unsigned long long)$1 > (unsigned long long)LLONG_MAX)
        lua_pushnumber(L, (lua_Number)$1);
    else
        lua_pushinteger(L, (lua_Integer)$1);
    SWIG_arg++;
}
/* bool: true/false, and also the integers 0 and 1 */
%typemap(in, checkfn="cxb_lua_isbool") bool "$1 = lua_isboolean(L, $input) ? lua_toboolean(L, $input) : lua_tointeger(L, $input) != 0;";
%{
static int cxb_lua_isbool(lua_State *L, int idx)
{
    return lua_isboolean(L, idx) || (lua_isinteger(L, idx) && (lua_tointeger(L, idx) == 0 || lua_tointeger(L, idx) == 1));
}
%}

/* ---- strings: nil or a string without NUL -------------------------------------------- */

%{
static int cxb_lua_text(lua_State *L, int idx, const char **out, const char *func, const char *name)
{
    size_t len = 0;
    const char *s = lua_tolstring(L, idx, &len); /* NULL for nil */
    if (cxb_text_ok(s, len, func, name, -1) < 0)
        return -1;
    *out = s;
    return 0;
}
%}
%typemap(in, checkfn="SWIG_lua_isnilstring", fragment="SWIG_lua_isnilstring") const char *, char * {
    if (cxb_lua_text(L, $input, (const char **)&$1, "$symname", "$1_name") < 0) {
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
}

/* ---- objects: freed ones raise ------------------------------------------------------- */

/* An explicit getmetatable(o).__gc(o) frees o's C side: SWIG's own __gc
 * would leave the pointer in o, for the next call or the real collection
 * to use or free again. cxb_lua_gc, put in its place in every class's
 * metatable (%init below), frees once and leaves a NULL pointer that is no
 * longer owned; the typemap below then raises for a NULL that is not nil. */
%typemap(in, checkfn="SWIG_isptrtype") SWIGTYPE * {
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, $input, (void **)&$1, $descriptor, $disown))) {
        SWIG_fail_ptr("$symname", $argnum, $descriptor);
    }
    if (!$1 && !lua_isnil(L, $input)) {
        cxb_freed("$symname", $argnum, cxb_lua_class_name($descriptor));
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
}
%{
static const char *cxb_lua_class_name(swig_type_info *t)
{
    swig_lua_class *c = t ? (swig_lua_class *)t->clientdata : NULL;
    return c ? c->name : "cxkit";
}

/* The userdata at idx when it is an object of one of the module's classes
 * (its metatable is one of theirs), else NULL. */
static swig_lua_userdata *cxb_lua_object(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return NULL;
    swig_lua_userdata *usr = NULL;
    for (int i = 0; swig_types[i] && !usr; i++) {
        swig_lua_class *c = (swig_lua_class *)swig_types[i]->clientdata;
        if (!c)
            continue;
        SWIG_Lua_get_class_metatable(L, c->fqname);
        if (lua_rawequal(L, -1, -2))
            usr = (swig_lua_userdata *)lua_touserdata(L, idx);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return usr;
}

static int cxb_lua_gc(lua_State *L)
{
    swig_lua_userdata *usr = cxb_lua_object(L, 1);
    if (!usr)
        return luaL_error(L, "Invalid: __gc: expected a cxkit object, got %s", luaL_typename(L, 1));
    if (usr->own && usr->ptr) {
        swig_lua_class *c = (swig_lua_class *)usr->type->clientdata;
        void *p = usr->ptr;
        usr->ptr = NULL;
        usr->own = 0;
        if (c && c->destructor)
            c->destructor(p);
    }
    return 0;
}
%}
%init %{
    for (int i_ = 0; swig_types[i_]; i_++) {
        swig_lua_class *c_ = (swig_lua_class *)swig_types[i_]->clientdata;
        if (!c_)
            continue;
        SWIG_Lua_get_class_metatable(L, c_->fqname);
        if (lua_istable(L, -1)) {
            lua_pushstring(L, "__gc");
            lua_pushcfunction(L, cxb_lua_gc);
            lua_rawset(L, -3);
        }
        lua_pop(L, 1);
    }
%}

/* ---- times: integer milliseconds, ISO-8601 strings in, nil for none ---------------- */

%{
/* `func`, `name` and `entry` name the argument in errors (cxb_text_ok). */
static int cxb_lua_time(lua_State *L, int idx, cx_time *out, const char *func, const char *name, long long entry)
{
    if (lua_isnoneornil(L, idx)) {
        *out = CX_TIME_NONE;
        return 0;
    }
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (cxb_text_ok(s, len, func, name, entry) < 0)
            return -1;
        return cxb_check(cx_time_parse(out, s, len)) < 0 ? -1 : 0;
    }
    long long v;
    if ((entry >= 0 ? cxb_lua_int_entry(L, LLONG_MIN + 1, LLONG_MAX, &v, name, (size_t)entry)
                    : cxb_lua_int(L, idx, LLONG_MIN + 1, LLONG_MAX, &v)) < 0)
        return -1;
    *out = v;
    return 0;
}
%}
%typemap(in, checkfn="cxb_lua_istime") cx_time {
    if (cxb_lua_time(L, $input, &$1, "$symname", "$1_name", -1) < 0) {
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
}
%typemap(out) cx_time {
    if ($1 == CX_TIME_NONE)
        lua_pushnil(L);
    else
        lua_pushinteger(L, (lua_Integer)$1);
    SWIG_arg++;
}
%{
static int cxb_lua_istime(lua_State *L, int idx)
{
    int t = lua_type(L, idx);
    return t == LUA_TNUMBER || t == LUA_TSTRING || t == LUA_TNIL || t == LUA_TNONE;
}
%}

/* ---- enumerations and columns by number or name ---------------------------------------- */

%{
static int cxb_lua_enum(lua_State *L, int idx, int kind, int *out)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return cxb_enum_lookup_len(kind, s, len, out);
    }
    long long v;
    if (cxb_lua_int(L, idx, INT_MIN, INT_MAX, &v) < 0)
        return -1;
    *out = (int)v;
    return 0;
}
static int cxb_lua_isenum(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TSTRING || lua_type(L, idx) == LUA_TNUMBER;
}
%}
%define %cxb_lua_enum(TYPE, KIND)
%typemap(in, checkfn="cxb_lua_isenum") TYPE {
    if (cxb_lua_enum(L, $input, KIND, &$1) < 0) {
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
}
%enddef
%cxb_lua_enum(cxb_table, CXB_E_TABLE)
%cxb_lua_enum(cxb_measure, CXB_E_MEASURE)
%cxb_lua_enum(cxb_dim, CXB_E_DIM)
%cxb_lua_enum(cxb_bucket, CXB_E_BUCKET)
%cxb_lua_enum(cxb_vocab, CXB_E_SET)
%cxb_lua_enum(cxb_metric, CXB_E_METRIC)
%cxb_lua_enum(cxb_outcome, CXB_E_OUTCOME)
%cxb_lua_enum(cxb_direction, CXB_E_DIRECTION)
%cxb_lua_enum(cxb_level, CXB_E_LEVEL)
%cxb_lua_enum(cxb_conversion, CXB_E_CONVERSION)
%cxb_lua_enum(cxb_jgroup, CXB_E_JGROUP)
%cxb_lua_enum(cxb_boundary, CXB_E_BOUNDARY)
%cxb_lua_enum(cxb_post, CXB_E_POST)
%cxb_lua_enum(cxb_activity, CXB_E_ACTIVITY)
%cxb_lua_enum(cxb_cohort_start, CXB_E_COHORT_START)
%cxb_lua_enum(cxb_band, CXB_E_BAND)
%cxb_lua_enum(cxb_model_kind, CXB_E_MODEL)
%cxb_lua_enum(cxb_summary_col, CXB_E_SUMMARY_COL)
%cxb_lua_enum(cxb_signal, CXB_E_HEALTH)
%cxb_lua_enum(cxb_care_kind, CXB_E_CARE)
%cxb_lua_enum(cxb_existing, CXB_E_EXISTING)
/* an optional dimension: nil is -1 (no grouping) */
%typemap(in, checkfn="cxb_lua_isenum_or_nil") cxb_odim {
    if (lua_isnoneornil(L, $input))
        $1 = -1;
    else if (cxb_lua_enum(L, $input, CXB_E_DIM, &$1) < 0) {
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
}
%{
static int cxb_lua_isenum_or_nil(lua_State *L, int idx)
{
    return cxb_lua_isenum(L, idx) || lua_isnoneornil(L, idx);
}
%}

%typemap(in, checkfn="cxb_lua_isenum") cxb_colref, cxb_ocolref {
    $1.idx = 0;
    $1.name = NULL;
    if (lua_type(L, $input) == LUA_TSTRING) {
        size_t len_;
        $1.name = lua_tolstring(L, $input, &len_);
        if (cxb_text_ok($1.name, len_, "$symname", "$1_name", -1) < 0) {
            CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
        }
    } else {
        long long v_;
        if (cxb_lua_int(L, $input, 0, INT_MAX, &v_) < 0) {
            CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
        }
        $1.idx = (int)v_;
    }
}

/* ---- values and records ------------------------------------------------------------------ */

%{
static void cxb_lua_value(lua_State *L, const cxb_cell *c)
{
    switch (c->type) {
    case CX_TYPE_STRING: lua_pushstring(L, c->s); break;
    case CX_TYPE_INT:
    case CX_TYPE_TIME: lua_pushinteger(L, (lua_Integer)c->i); break;
    case CX_TYPE_REAL: lua_pushnumber(L, c->d); break;
    default: lua_pushnil(L);
    }
}
static void cxb_lua_row(lua_State *L, const cxb_row *r)
{
    lua_createtable(L, 0, (int)r->n);
    for (size_t k = 0; k < r->n; k++) {
        if (!r->c[k].type || !r->c[k].name)
            continue;
        cxb_lua_value(L, &r->c[k]);
        lua_setfield(L, -2, r->c[k].name);
    }
}
%}
%typemap(default) cxb_ocolref "$1.idx = 0; $1.name = NULL;";
%typemap(out) cxb_value "cxb_lua_value(L, &$1); SWIG_arg++;";
/* numbers: a sequence (NaN stays NaN) */
%typemap(out) cxb_f64out {
    lua_createtable(L, (int)$1.n, 0);
    for (size_t i_ = 0; i_ < $1.n; i_++) {
        lua_pushnumber(L, $1.p[i_]);
        lua_rawseti(L, -2, (lua_Integer)i_ + 1);
    }
    free($1.p);
    SWIG_arg++;
}
%typemap(out) cxb_row "cxb_lua_row(L, &$1); SWIG_arg++;";
/* whole int64 columns: a sequence of integers (a missing time is math.mininteger) */
%typemap(out) cxb_i64out {
    lua_createtable(L, (int)$1.n, 0);
    for (size_t i_ = 0; i_ < $1.n; i_++) {
        lua_pushinteger(L, (lua_Integer)$1.p[i_]);
        lua_rawseti(L, -2, (lua_Integer)i_ + 1);
    }
    free($1.p);
    SWIG_arg++;
}
/* whole text columns: a sequence of strings, false for a missing text */
%typemap(out) cxb_strout {
    lua_createtable(L, (int)$1.n, 0);
    for (size_t i_ = 0; i_ < $1.n; i_++) {
        if ($1.p[i_])
            lua_pushstring(L, $1.p[i_]);
        else
            lua_pushboolean(L, 0);
        lua_rawseti(L, -2, (lua_Integer)i_ + 1);
    }
    free($1.p);
    SWIG_arg++;
}


/* ---- bytes ------------------------------------------------------------------------------ */

%typemap(out) cxb_bytes {
    if ($1.p)
        lua_pushlstring(L, $1.p, $1.n);
    else
        lua_pushnil(L);
    free($1.p);
    SWIG_arg++;
}
%typemap(in, checkfn="lua_isstring") (const char *BYTES, size_t LENGTH) {
    $1 = ($1_ltype)lua_tolstring(L, $input, &$2);
}

/* ---- several results ------------------------------------------------------------------- */

%typemap(in, numinputs=0) double *OUT_DIFF (double tmp), double *OUT_P (double tmp),
                          double *OUT_VALUE (double tmp), uint64_t *OUT_N (uint64_t tmp) "$1 = &tmp;";
%typemap(argout) double *OUT_DIFF, double *OUT_P, double *OUT_VALUE "lua_pushnumber(L, *$1); SWIG_arg++;";
%typemap(argout) uint64_t *OUT_N "lua_pushinteger(L, (lua_Integer)*$1); SWIG_arg++;";

/* ---- arrays for the batch loads: Lua sequences ------------------------------------------------ */

%{
/* n entries of the sequence at idx; nil for an omitted optional array. */
static int cxb_lua_seq(lua_State *L, int idx, size_t *n)
{
    if (lua_isnoneornil(L, idx)) {
        *n = CXB_OMITTED;
        return 0;
    }
    if (!lua_istable(L, idx)) {
        cxb_fail(CX_EINVAL, "argument %d: expected a table (a sequence), got %s", idx, luaL_typename(L, idx));
        return -1;
    }
    *n = (size_t)lua_rawlen(L, idx);
    /* a table with other keys than 1..n (a map, or a sequence with holes,
     * whose # is any border) is no array: refused, not read in part */
    size_t keys = 0;
    idx = lua_absindex(L, idx);
    char other[80] = ""; /* the first key that is no index 1, 2, ... */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        keys++;
        if (!other[0] && !(lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1)) {
            if (lua_type(L, -2) == LUA_TSTRING)
                snprintf(other, sizeof other, "\"%.40s\"", lua_tostring(L, -2));
            else if (lua_type(L, -2) == LUA_TNUMBER)
                snprintf(other, sizeof other, "%.17g", lua_tonumber(L, -2));
            else
                snprintf(other, sizeof other, "a %s", luaL_typename(L, -2));
        }
        lua_pop(L, 1);
    }
    if (keys != *n) {
        if (other[0]) {
            cxb_fail(CX_EINVAL, "argument %d: expected a sequence (keys 1 to n), got a table with the key %s", idx,
                     other);
            return -1;
        }
        /* only indices: the first hole below the largest */
        size_t hole = 1;
        while (lua_rawgeti(L, idx, (lua_Integer)hole) != LUA_TNIL) {
            lua_pop(L, 1);
            hole++;
        }
        lua_pop(L, 1);
        cxb_fail(CX_EINVAL, "argument %d: expected a sequence (keys 1 to n), but entry %zu is nil and %zu of the "
                 "table's %zu entries come after it (a sequence has no holes)", idx, hole, keys - (hole - 1), keys);
        return -1;
    }
    return 0;
}

/* Strings stay in the Lua table, which the caller's stack keeps alive.
 * `func` and `name` name the argument in errors. */
static int cxb_lua_strv(lua_State *L, int idx, cxb_strv *a, const char *func, const char *name)
{
    a->v = NULL;
    a->own = a->keep = NULL;
    if (cxb_lua_seq(L, idx, &a->n) < 0 || a->n == CXB_OMITTED)
        return cxb_code ? -1 : 0;
    const char **v = malloc((a->n ? a->n : 1) * sizeof *v);
    if (!v) {
        cxb_fail(CX_ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < a->n; i++) {
        int t = lua_rawgeti(L, idx, (lua_Integer)i + 1);
        size_t len = 0;
        int bad = 0;
        if (t == LUA_TSTRING) {
            v[i] = lua_tolstring(L, -1, &len);
            bad = cxb_text_ok(v[i], len, func, name, (long long)i + 1) < 0;
        } else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
            v[i] = NULL;
        } else {
            cxb_fail(CX_EINVAL, "entry %zu: expected a string or false, got %s", i + 1, lua_typename(L, t));
            bad = 1;
        }
        lua_pop(L, 1);
        if (bad) {
            free(v);
            return -1;
        }
    }
    a->v = v;
    a->own = v;
    return 0;
}

static int cxb_lua_i64v(lua_State *L, int idx, cxb_i64v *a, int times, const char *func, const char *name)
{
    a->v = NULL;
    a->own = a->keep = NULL;
    if (cxb_lua_seq(L, idx, &a->n) < 0 || a->n == CXB_OMITTED)
        return cxb_code ? -1 : 0;
    int64_t *v = malloc((a->n ? a->n : 1) * sizeof *v);
    if (!v) {
        cxb_fail(CX_ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < a->n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        int bad;
        if (times) {
            cx_time t;
            bad = cxb_lua_time(L, -1, &t, func, name, (long long)i + 1) < 0;
            v[i] = t;
        } else {
            long long x = 0;
            bad = cxb_lua_int_entry(L, LLONG_MIN, LLONG_MAX, &x, name, i + 1) < 0;
            v[i] = x;
        }
        lua_pop(L, 1);
        if (bad) {
            free(v);
            return -1;
        }
    }
    a->v = v;
    a->own = v;
    return 0;
}

static int cxb_lua_intv(lua_State *L, int idx, cxb_intv *a, int kind)
{
    a->v = NULL;
    a->own = a->keep = NULL;
    if (cxb_lua_seq(L, idx, &a->n) < 0 || a->n == CXB_OMITTED)
        return cxb_code ? -1 : 0;
    int *v = malloc((a->n ? a->n : 1) * sizeof *v);
    if (!v) {
        cxb_fail(CX_ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < a->n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        int bad = cxb_lua_enum(L, -1, kind, &v[i]) < 0;
        lua_pop(L, 1);
        if (bad) {
            free(v);
            return -1;
        }
    }
    a->v = v;
    a->own = v;
    return 0;
}

static int cxb_lua_f64v(lua_State *L, int idx, cxb_f64v *a)
{
    a->v = NULL;
    a->own = a->keep = NULL;
    if (cxb_lua_seq(L, idx, &a->n) < 0 || a->n == CXB_OMITTED)
        return cxb_code ? -1 : 0;
    double *v = malloc((a->n ? a->n : 1) * sizeof *v);
    if (!v) {
        cxb_fail(CX_ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < a->n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i + 1);
        int isnum = 0;
        v[i] = lua_tonumberx(L, -1, &isnum);
        lua_pop(L, 1);
        if (!isnum) {
            free(v);
            cxb_fail(CX_EINVAL, "entry %zu: expected a number", i + 1);
            return -1;
        }
    }
    a->v = v;
    a->own = v;
    return 0;
}
static int cxb_lua_istable_or_nil(lua_State *L, int idx)
{
    return lua_istable(L, idx) || lua_isnoneornil(L, idx);
}
%}

%typemap(in, checkfn="cxb_lua_istable_or_nil") cxb_strv {
    if (cxb_lua_strv(L, $input, &$1, "$symname", "$1_name") < 0) { CXB_RAISE_AT(cxb_code, cxb_msg, "$symname"); }
}
%typemap(in, checkfn="cxb_lua_istable_or_nil") cxb_i64v {
    if (cxb_lua_i64v(L, $input, &$1, 0, "$symname", "$1_name") < 0) { CXB_RAISE_AT(cxb_code, cxb_msg, "$symname"); }
}
%typemap(in, checkfn="cxb_lua_istable_or_nil") cxb_timev {
    if (cxb_lua_i64v(L, $input, &$1, 1, "$symname", "$1_name") < 0) { CXB_RAISE_AT(cxb_code, cxb_msg, "$symname"); }
}
%typemap(in, checkfn="cxb_lua_istable_or_nil") cxb_f64v {
    if (cxb_lua_f64v(L, $input, &$1) < 0) { CXB_RAISE_AT(cxb_code, cxb_msg, "$symname"); }
}
%typemap(in, checkfn="cxb_lua_istable_or_nil") cxb_intv {
    if (cxb_lua_intv(L, $input, &$1, strstr("$1_name", "direction") ? CXB_E_DIRECTION : CXB_E_OUTCOME) < 0) {
        CXB_RAISE_AT(cxb_code, cxb_msg, "$symname");
    }
}
/* flags and group numbers: integers, or booleans (true is 1) */
%{
static int cxb_lua_flagv(lua_State *L, int idx, cxb_intv *a)
{
    a->v = NULL;
    a->own = a->keep = NULL;
    if (cxb_lua_seq(L, idx, &a->n) < 0 || a->n == CXB_OMITTED)
        return cxb_code ? -1 : 0;
    int *v = malloc((a->n ? a->n : 1) * sizeof *v);
    if (!v) {
        cxb_fail(CX_ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < a->n; i++) {
        long long x = 0;
        int bad = 0;
        if (lua_rawgeti(L, idx, (lua_Integer)i + 1) == LUA_TBOOLEAN)
            x = lua_toboolean(L, -1);
        else
            bad = cxb_lua_int_entry(L, INT_MIN, INT_MAX, &x, NULL, i + 1) < 0;
        lua_pop(L, 1);
        if (bad) {
            free(v);
            return -1;
        }
        v[i] = (int)x;
    }
    a->v = v;
    a->own = v;
    return 0;
}
%}
%typemap(in, checkfn="cxb_lua_istable_or_nil") cxb_flagv, cxb_oflagv {
    if (cxb_lua_flagv(L, $input, &$1) < 0) { CXB_RAISE_AT(cxb_code, cxb_msg, "$symname"); }
}
%typemap(in, checkfn="cxb_lua_istable_or_nil") cxb_realv, cxb_orealv {
    if (cxb_lua_f64v(L, $input, &$1) < 0) { CXB_RAISE_AT(cxb_code, cxb_msg, "$symname"); }
}
%typemap(freearg) cxb_realv, cxb_orealv, cxb_flagv, cxb_oflagv "free($1.own);";
%typemap(arginit) cxb_realv, cxb_orealv, cxb_flagv, cxb_oflagv "memset(&$1, 0, sizeof $1);";
%typemap(default) cxb_orealv, cxb_oflagv %{
    $1.n = CXB_OMITTED;
    $1.v = NULL;
    $1.own = $1.keep = NULL;
%}
%typemap(freearg) cxb_strv, cxb_i64v, cxb_timev, cxb_f64v, cxb_intv "free($1.own);";
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

/* ---- Lua-only: whole tables of rows ------------------------------------------------------------ */

%{
typedef struct cxb_lua_rows { const Result *res; const History *hist; } cxb_lua_rows;
%}
typedef struct cxb_lua_rows cxb_lua_rows;
%typemap(out) cxb_lua_rows {
    if ($1.res) {
        const cx_result *r = $1.res->h;
        size_t nrow = cx_result_row_count(r), ncol = cx_result_column_count(r);
        lua_createtable(L, (int)nrow, 0);
        for (size_t i = 0; i < nrow; i++) {
            lua_createtable(L, 0, (int)ncol);
            for (size_t c = 0; c < ncol; c++) {
                cxb_cell cell = cxb_result_cell(r, i, c);
                if (!cell.type)
                    continue;
                cxb_lua_value(L, &cell);
                lua_setfield(L, -2, cell.name);
            }
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    } else if ($1.hist) {
        size_t n = cx_history_count($1.hist->h);
        lua_createtable(L, (int)n, 0);
        for (size_t i = 0; i < n; i++) {
            cxb_row row;
            cxb_history_entry(&row, $1.hist, i);
            cxb_lua_row(L, &row);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    } else {
        lua_pushnil(L);
    }
    SWIG_arg++;
}

%{
/* Result:column_names() */
typedef struct cxb_lua_names { const cx_result *res; } cxb_lua_names;
%}
typedef struct cxb_lua_names cxb_lua_names;
%typemap(out) cxb_lua_names {
    if ($1.res) {
        size_t n = cx_result_column_count($1.res);
        lua_createtable(L, (int)n, 0);
        for (size_t c = 0; c < n; c++) {
            const char *name = NULL;
            cx_result_column_name(&name, $1.res, c);
            lua_pushstring(L, name);
            lua_rawseti(L, -2, (lua_Integer)c + 1);
        }
    } else {
        lua_pushnil(L);
    }
    SWIG_arg++;
}

%extend Result {
    /** Every row, as a sequence of tables keyed by column name (missing
     *  values are absent keys; NaN figures stay NaN). */
    cxb_lua_rows totable() {
        cxb_lua_rows r = {NULL, NULL};
        if (cxb_result($self))
            r.res = $self;
        return r;
    }
    /** The column names, as a sequence. */
    cxb_lua_names column_names() {
        cxb_lua_names r = {cxb_result($self)};
        return r;
    }
}

%extend History {
    /** Every entry, as a sequence of tables (see entry()). */
    cxb_lua_rows totable() {
        cxb_lua_rows r = {NULL, NULL};
        if (cxb_history($self))
            r.hist = $self;
        return r;
    }
}

/* ---- Lua-only: options and funnels from tables ---------------------------------------------- */

/* cx.journey_options(store, {level = "channel", collapse = true,
 * conversion = "purchase" | {"touchpoint", "web_checkout"} | {"purchase", {"stage", "purchase"}, ...},
 * boundary = "post_purchase" | "conversion" | "gap",
 * post_purchase = "retention" | {"touchpoint", "home_delivery"} | {"service", {"kind", "delivery"}, ...},
 * gap_ms = ..., repeat_contacts = {"contact", ms}, position_weights = {0.4, 0.4}, ...})
 * and cx.funnel(store, {{"stage", "awareness"}, ...}, {window_ms = ..., strict = true,
 * exclusions = {{level, name}, ...}, as_of = time}): the JourneyOptions and Funnel setters
 * in one call. The module is the global "cxkit" while this runs. */
%luacode {
local cx = cxkit
-- ": did you mean 'level'?" for a misspelt option among the keys of `known`
-- (at most 2 edits away, or a third of its length), else ""
function cx._did_you_mean(name, known)
  name = tostring(name)
  local function distance(a, b)
    local d = {}
    for i = 0, #a do d[i] = { [0] = i } end
    for j = 0, #b do d[0][j] = j end
    for i = 1, #a do
      for j = 1, #b do
        local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
        local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1 and j > 1 and a:sub(i, i) == b:sub(j - 1, j - 1) and a:sub(i - 1, i - 1) == b:sub(j, j) then
          v = math.min(v, d[i - 2][j - 2] + 1)
        end
        d[i][j] = v
      end
    end
    return d[#a][#b]
  end
  local limit = math.max(2, #name // 3)
  local best, names = limit + 1, {}
  for k in pairs(known) do
    local dist = distance(name, k)
    if dist < best then best, names = dist, { k } elseif dist == best then names[#names + 1] = k end
  end
  if best > limit then return "" end
  table.sort(names)
  for i, n in ipairs(names) do names[i] = "'" .. n .. "'" end
  return ": did you mean " .. table.concat(names, " or ") .. "?"
end
local setters = { "gap_ms", "set_gap", "cut_at_conversion", "set_cut_at_conversion", "boundary", "set_boundary",
  "level", "set_level",
  "collapse", "set_collapse", "conversion_in_path", "set_conversion_in_path", "half_life_ms", "set_half_life",
  "min_support", "set_min_support", "threads", "set_threads" }
local known = { conversion = true, post_purchase = true, repeat_contacts = true, position_weights = true }
for i = 1, #setters, 2 do known[setters[i]] = true end
function cx.journey_options(store, t)
  local o = cx.JourneyOptions(store)
  for k in pairs(t or {}) do
    if not known[k] then cx._error("Invalid", "cx.journey_options", "unknown option '" .. tostring(k) .. "'" .. cx._did_you_mean(k, known), 2) end
  end
  t = t or {}
  local conv = t.conversion
  -- one kind, one {by, name} pair, or a list of kinds and pairs
  local bynames = { kind = true, touchpoint = true, stage = true }
  if type(conv) == "string" then conv = { conv }
  elseif type(conv) == "table" and #conv == 2 and bynames[conv[1]] and type(conv[2]) == "string" then
    conv = { conv }
  end
  for i, rule in ipairs(conv or {}) do
    if type(rule) == "string" then rule = { "kind", rule } end
    if i == 1 then o:set_conversion(rule[1], rule[2]) else o:add_conversion(rule[1], rule[2]) end
  end
  -- post-purchase rules: one stage, one {by, name} pair, or a list of stages and pairs
  local post = t.post_purchase
  local postby = { stage = true, touchpoint = true, touchpoint_kind = true, kind = true }
  if type(post) == "string" then post = { post }
  elseif type(post) == "table" and #post == 2 and postby[post[1]] and type(post[2]) == "string" then
    post = { post }
  end
  for i, rule in ipairs(post or {}) do
    if type(rule) == "string" then rule = { "stage", rule } end
    if i == 1 then o:set_post_purchase(rule[1], rule[2]) else o:add_post_purchase(rule[1], rule[2]) end
  end
  for i = 1, #setters, 2 do
    local v = t[setters[i]]
    if v ~= nil then o[setters[i + 1]](o, v) end
  end
  if t.repeat_contacts then o:set_repeat_contacts(t.repeat_contacts[1], t.repeat_contacts[2]) end
  if t.position_weights then o:set_position_weights(t.position_weights[1], t.position_weights[2]) end
  return o
end
function cx.funnel(store, steps, t)
  local f = cx.Funnel(store)
  for _, s in ipairs(steps) do f:add_step(s[1], s[2]) end
  t = t or {}
  for _, s in ipairs(t.exclusions or {}) do f:add_exclusion(s[1], s[2]) end
  if t.window_ms then f:set_window(t.window_ms) end
  if t.strict ~= nil then f:set_strict(t.strict) end
  if t.as_of ~= nil then f:set_as_of(t.as_of) end
  return f
end
}
