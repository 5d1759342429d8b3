/*
 * Import machinery shared by CSV and JSON Lines: options, reports, mapping a
 * header onto a table's columns, converting text fields to typed values and
 * storing a row through the store's own add functions (so an imported row is
 * checked exactly like one added through the API).
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"
#include "../store/store_private.h"

/* Options are not tied to a store: they use the allocator they were created
 * with. An import's buffers and its report use the store's allocator
 * (cx_db_import_csv, whose store is its own, the options' allocator). */

/* ---- options ----------------------------------------------------------- */

int cx_import_options_new_with_allocator(cx_import_options **out, cx_alloc_fn alloc, void *ud)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_import_options_new: out is NULL");
    *out = NULL;
    cx_import_options *o = CXI_NEW(cx_import_options, alloc, ud);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_import_options_new: out of memory");
    o->delimiter = ',';
    o->threads = 1;
    *out = o;
    return CX_OK;
}

int cx_import_options_new(cx_import_options **out) { return cx_import_options_new_with_allocator(out, NULL, NULL); }

void cx_import_options_free(cx_import_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    for (size_t i = 0; i < o->nmap; i++) {
        cxi_strfree(&mem, o->map_from[i]);
        cxi_strfree(&mem, o->map_to[i]);
    }
    cxi_free(&mem, o->map_from, o->nmap * sizeof *o->map_from);
    cxi_free(&mem, o->map_to, o->nmap * sizeof *o->map_to);
    cxi_strfree(&mem, o->reject_path);
    cxi_free(&mem, o, sizeof *o);
}

int cx_import_options_set_strict(cx_import_options *o, int strict)
{
    if (!o || (strict != 0 && strict != 1))
        return cxi_fail(CX_EINVAL, "cx_import_options_set_strict: %s", o ? "strict must be 0 or 1" : "options is NULL");
    o->strict = strict;
    return CX_OK;
}

int cx_import_options_set_existing(cx_import_options *o, cx_existing existing)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_import_options_set_existing: options is NULL");
    if (existing != CX_EXISTING_REJECT && existing != CX_EXISTING_SKIP && existing != CX_EXISTING_UPDATE)
        return cxi_fail(CX_EINVAL, "cx_import_options_set_existing: %d is not a cx_existing", (int)existing);
    o->existing = existing;
    return CX_OK;
}

int cx_import_options_set_create_customers(cx_import_options *o, int create)
{
    if (!o || (create != 0 && create != 1))
        return cxi_fail(CX_EINVAL, "cx_import_options_set_create_customers: %s",
                        o ? "create must be 0 or 1" : "options is NULL");
    o->create_customers = create;
    return CX_OK;
}

int cx_import_options_set_reject_path(cx_import_options *o, const char *path)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_import_options_set_reject_path: options is NULL");
    char *p = NULL;
    if (path) {
        if (!*path)
            return cxi_fail(CX_EINVAL, "cx_import_options_set_reject_path: path is empty");
        if (!(p = cxi_strdup(&o->mem, path)))
            return cxi_fail(CX_ENOMEM, "cx_import_options_set_reject_path: out of memory");
    }
    cxi_strfree(&o->mem, o->reject_path);
    o->reject_path = p;
    return CX_OK;
}

int cx_import_options_map_column(cx_import_options *o, const char *file_column, const char *column)
{
    static const char fn[] = "cx_import_options_map_column";
    if (!o || !file_column)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (!cxi_utf8_valid(file_column, strlen(file_column)))
        return cxi_fail(CX_EINVAL, "%s: file column name is not valid UTF-8", fn);
    /* the arrays hold exactly nmap entries (their size for the allocator);
     * both grow before anything is committed, so a failure changes nothing
     * the options show */
    size_t n = o->nmap;
    char *from = cxi_strdup(&o->mem, file_column), *to = column ? cxi_strdup(&o->mem, column) : NULL;
    char **nf = from && (to || !column) ? cxi_alloc(&o->mem, (n + 1) * sizeof *nf) : NULL;
    char **nt = nf ? cxi_alloc(&o->mem, (n + 1) * sizeof *nt) : NULL;
    if (!nt) {
        cxi_free(&o->mem, nf, (n + 1) * sizeof *nf);
        cxi_strfree(&o->mem, from);
        cxi_strfree(&o->mem, to);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    if (n) {
        memcpy(nf, o->map_from, n * sizeof *nf);
        memcpy(nt, o->map_to, n * sizeof *nt);
    }
    cxi_free(&o->mem, o->map_from, n * sizeof *nf);
    cxi_free(&o->mem, o->map_to, n * sizeof *nt);
    o->map_from = nf;
    o->map_to = nt;
    o->map_from[o->nmap] = from;
    o->map_to[o->nmap] = to;
    o->nmap++;
    return CX_OK;
}

int cx_import_options_set_delimiter(cx_import_options *o, int d)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_import_options_set_delimiter: options is NULL");
    bool ok = d == '\t' || (d > 32 && d < 127 && d != '"' && !(d >= '0' && d <= '9') &&
                            !(d >= 'A' && d <= 'Z') && !(d >= 'a' && d <= 'z'));
    if (!ok)
        return cxi_fail(CX_EINVAL, "cx_import_options_set_delimiter: %d is not a usable delimiter", d);
    o->delimiter = d;
    return CX_OK;
}

int cx_import_options_set_threads(cx_import_options *o, int threads)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_import_options_set_threads: options is NULL");
    if (threads < 0 || threads > 1024)
        return cxi_fail(CX_EINVAL, "cx_import_options_set_threads: %d is not a thread count (0 to 1024)", threads);
    o->threads = threads;
    return CX_OK;
}

int cxi_import_threads(const cx_import_options *o)
{
    if (!o)
        return 1;
    if (o->threads > 0)
        return o->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

/* ---- report ------------------------------------------------------------ */

void cx_import_report_free(cx_import_report *r)
{
    if (!r)
        return;
    cxi_mem mem = r->mem;
    for (size_t i = 0; i < r->ndetails; i++)
        cxi_strfree(&mem, r->details[i].reason);
    cxi_free(&mem, r, sizeof *r);
}

uint64_t cx_import_report_read(const cx_import_report *r) { return r ? r->read : 0; }
uint64_t cx_import_report_accepted(const cx_import_report *r) { return r ? r->accepted : 0; }
uint64_t cx_import_report_rejected(const cx_import_report *r) { return r ? r->rejected : 0; }
uint64_t cx_import_report_added(const cx_import_report *r) { return r ? r->added : 0; }
uint64_t cx_import_report_updated(const cx_import_report *r) { return r ? r->updated : 0; }
uint64_t cx_import_report_unchanged(const cx_import_report *r) { return r ? r->unchanged : 0; }
size_t cx_import_report_details(const cx_import_report *r) { return r ? r->ndetails : 0; }

static int check_detail(const char *fn, const void *out, const cx_import_report *r, size_t i)
{
    if (!out || !r)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (i >= r->ndetails)
        return cxi_fail(CX_ERANGE, "%s: detail %zu beyond the %zu described", fn, i, r->ndetails);
    return CX_OK;
}

int cx_import_report_line(uint64_t *out, const cx_import_report *r, size_t i)
{
    int rc = check_detail("cx_import_report_line", out, r, i);
    if (!rc)
        *out = r->details[i].line;
    return rc;
}

int cx_import_report_column(int *out, const cx_import_report *r, size_t i)
{
    int rc = check_detail("cx_import_report_column", out, r, i);
    if (!rc)
        *out = r->details[i].column;
    return rc;
}

int cx_import_report_reason(const char **out, const cx_import_report *r, size_t i)
{
    int rc = check_detail("cx_import_report_reason", out, r, i);
    if (!rc)
        *out = r->details[i].reason;
    return rc;
}

int cxi_import_refuse(cxi_import *im, int rc, uint64_t line, int column, cxi_reject_writer write, void *ctx)
{
    if (!cxi_row_fault(rc))
        return cxi_fail(rc, "%s: %s: line %llu: %s", im->fn, im->path, (unsigned long long)line, cx_last_error());
    char reason[600];
    snprintf(reason, sizeof reason, "%s", cx_last_error());
    int mrc = cxi_report_reject(im, line, column, reason);
    if (mrc)
        return mrc;
    if (im->reject)
        write(im->reject, line, column, reason, ctx);
    if (im->opts && im->opts->strict)
        return cxi_fail(rc, "%s: %s: line %llu, column %d: %s", im->fn, im->path, (unsigned long long)line, column,
                        reason);
    return CX_OK;
}

int cxi_report_reject(cxi_import *im, uint64_t line, int column, const char *reason)
{
    cx_import_report *r = im->report;
    if (r->ndetails < CX_IMPORT_REPORT_MAX_DETAILS) {
        char *copy = cxi_strdup(&r->mem, reason);
        if (!copy)
            return cxi_fail(CX_ENOMEM, "%s: %s: out of memory", im->fn, im->path);
        cxi_reject *d = &r->details[r->ndetails++];
        d->line = line;
        d->column = column;
        d->reason = copy;
    }
    r->rejected++;
    return CX_OK;
}

#define REJECT_BUFFER (64u << 10)

/* Are the two paths one file (the same name, another spelling of it, or a
 * link to it)? Compared by device and inode, which every spelling shares. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cxi_reject_open(cxi_import *im)
{
    const char *path = im->opts ? im->opts->reject_path : NULL;
    if (!path)
        return CX_OK;
    /* creating the reject file empties it: never the file being read */
    if (same_file(im->path, path))
        return cxi_fail(CX_EINVAL, "%s: %s: the reject file %s is the input file (it would be overwritten)", im->fn,
                        im->path, path);
    /* the buffer first: a failure then leaves no file created */
    if (!(im->reject_buf = cxi_alloc(&im->mem, REJECT_BUFFER)))
        return cxi_fail(CX_ENOMEM, "%s: %s: out of memory", im->fn, im->path);
    if (!(im->reject = fopen(path, "wb")))
        return cxi_fail(CX_EIO, "%s: %s: cannot create the reject file %s: %s", im->fn, im->path, path,
                        strerror(errno));
    setvbuf(im->reject, im->reject_buf, _IOFBF, REJECT_BUFFER);
    return CX_OK;
}

/* ---- layout ------------------------------------------------------------ */

/* Columns without which no row of the table could be stored. */
static const char *const required[CX_TABLE_COUNT][5] = {
    [CX_TABLE_CUSTOMERS] = {"id"},
    [CX_TABLE_TOUCHPOINTS] = {"name", "channel", "stage"},
    [CX_TABLE_INTERACTIONS] = {"customer", "touchpoint", "time"},
    [CX_TABLE_CASES] = {"id", "customer", "channel", "opened"},
    [CX_TABLE_QUESTIONS] = {"name", "metric", "scale_min", "scale_max"},
    [CX_TABLE_FEEDBACK] = {"customer", "question", "score", "time"},
    [CX_TABLE_TRANSACTIONS] = {"customer", "time", "amount"},
};

void cxi_layout_free(cxi_mem *m, cxi_layout *l)
{
    for (int i = 0; i < l->nattr; i++)
        cxi_strfree(m, l->attr_name[i]);
    l->nattr = 0;
}

void cxi_layout_all_columns(cxi_layout *l, int table)
{
    size_t ncols;
    cx_column_count(&ncols, table);
    l->table = table;
    l->nfields = (int)ncols;
    for (int c = 0; c < 16; c++)
        l->field_of_col[c] = c < (int)ncols ? c : -1;
    for (int c = 0; c < (int)ncols; c++)
        l->col_of_field[c] = c;
}

int cxi_layout_build(cxi_import *im, const char *const *names, int n)
{
    cxi_layout *l = &im->layout;
    char qb[80];
    if (n > CXI_MAX_FIELDS)
        return cxi_fail(CX_EPARSE, "%s: %s: line 1: %d columns, more than the %d supported", im->fn, im->path, n,
                        CXI_MAX_FIELDS);
    l->nfields = n;
    for (int c = 0; c < 16; c++)
        l->field_of_col[c] = -1;
    for (int f = 0; f < n; f++) {
        const char *name = names[f];
        if (!cxi_utf8_valid(name, strlen(name)))
            return cxi_fail(CX_EPARSE, "%s: %s: line 1, column %d: header name is not valid UTF-8", im->fn,
                            im->path, f + 1);
        bool ignored = false;
        for (size_t k = 0; k < (im->opts ? im->opts->nmap : 0); k++) {
            if (strcmp(im->opts->map_from[k], name) == 0) {
                name = im->opts->map_to[k];
                ignored = name == NULL;
                break;
            }
        }
        l->col_of_field[f] = -1;
        if (ignored)
            continue;
        int col;
        if (cx_column_find(&col, l->table, name) == CX_OK) {
            if (l->field_of_col[col] >= 0)
                return cxi_fail(CX_EPARSE, "%s: %s: line 1, column %d: column '%s' appears twice", im->fn, im->path,
                                f + 1, cxi_quote(qb, name));
            l->col_of_field[f] = col;
            l->field_of_col[col] = f;
        } else if (l->table == CX_TABLE_CUSTOMERS && *name) {
            for (int a = 0; a < l->nattr; a++)
                if (strcmp(l->attr_name[a], name) == 0)
                    return cxi_fail(CX_EPARSE, "%s: %s: line 1, column %d: attribute '%s' appears twice", im->fn,
                                    im->path, f + 1, cxi_quote(qb, name));
            char *copy = cxi_strdup(&im->mem, name);
            if (!copy)
                return cxi_fail(CX_ENOMEM, "%s: %s: out of memory", im->fn, im->path);
            l->col_of_field[f] = -2;
            l->attr_field[l->nattr] = f;
            l->attr_name[l->nattr++] = copy;
        } else {
            const char *tname;
            cx_table_name(&tname, l->table);
            return cxi_fail(CX_EPARSE,
                            "%s: %s: line 1, column %d: table %s has no column '%s' (map it with "
                            "cx_import_options_map_column, or map it to NULL to ignore it)",
                            im->fn, im->path, f + 1, tname, cxi_quote(qb, name));
        }
    }
    for (int r = 0; r < 5 && required[l->table][r]; r++) {
        int col;
        cx_column_find(&col, l->table, required[l->table][r]);
        if (l->field_of_col[col] < 0) {
            const char *tname;
            cx_table_name(&tname, l->table);
            return cxi_fail(CX_EPARSE, "%s: %s: line 1: the header has no '%s' column, which %s need", im->fn,
                            im->path, required[l->table][r], tname);
        }
    }
    return CX_OK;
}

/* ---- converting fields ------------------------------------------------- */

typedef struct row {
    cxi_import *im;
    char *const *f;
    int bad_col; /* schema column at fault */
} row;

/* The text of schema column `col`, or NULL when absent or empty. */
static const char *text(row *r, int col)
{
    int f = r->im->layout.field_of_col[col];
    return f < 0 ? NULL : r->f[f];
}

static int bad(row *r, int col, int code, const char *what, const char *value)
{
    char qb[80];
    const char *name;
    cx_column_name(&name, r->im->layout.table, col);
    r->bad_col = col;
    return cxi_fail(code, "%s '%s' is not %s", name, cxi_quote(qb, value), what);
}

#define DIG(c) ((unsigned)((c) - '0') <= 9u)
#define DV(c) ((int)((c) - '0'))

/* The common layout YYYY-MM-DDTHH:MM:SS followed by Z or a +HH:MM / -HH:MM
 * offset, read directly. Anything else, or a field out of range, is left to
 * cx_time_parse (false), which gives the same value or the error. The bytes
 * are tested in order and every test fails on the terminating NUL, so no
 * byte past it is read and the length is not needed. */
static bool fast_iso_time(cxi_years *ys, const char *t, cx_time *out)
{
    static const int before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    if (!DIG(t[0]) || !DIG(t[1]) || !DIG(t[2]) || !DIG(t[3]) || t[4] != '-' || !DIG(t[5]) || !DIG(t[6]) ||
        t[7] != '-' || !DIG(t[8]) || !DIG(t[9]) || t[10] != 'T' || !DIG(t[11]) || !DIG(t[12]) || t[13] != ':' ||
        !DIG(t[14]) || !DIG(t[15]) || t[16] != ':' || !DIG(t[17]) || !DIG(t[18]))
        return false;
    int offset = 0;
    if (t[19] == 'Z' || t[19] == 'z') {
        if (t[20] != '\0')
            return false;
    } else {
        if ((t[19] != '+' && t[19] != '-') || !DIG(t[20]) || !DIG(t[21]) || t[22] != ':' || !DIG(t[23]) ||
            !DIG(t[24]) || t[25] != '\0')
            return false;
        int oh = DV(t[20]) * 10 + DV(t[21]), om = DV(t[23]) * 10 + DV(t[24]);
        if (om > 59 || !cxi_offset_ok(oh * 60 + om))
            return false; /* the general parser says why */
        offset = (oh * 60 + om) * (t[19] == '-' ? -1 : 1);
    }
    int y = DV(t[0]) * 1000 + DV(t[1]) * 100 + DV(t[2]) * 10 + DV(t[3]);
    int mo = DV(t[5]) * 10 + DV(t[6]), d = DV(t[8]) * 10 + DV(t[9]);
    int h = DV(t[11]) * 10 + DV(t[12]), mi = DV(t[14]) * 10 + DV(t[15]), s = DV(t[17]) * 10 + DV(t[18]);
    if (mo < 1 || mo > 12 || d < 1 || d > cxi_days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
        return false;
    if (!ys->known || ys->year != y) { /* times of one file are mostly in a few years */
        ys->year = y;
        ys->days = cxi_days_from_civil(y, 1, 1);
        ys->leap = cxi_days_in_month(y, 2) == 29;
        ys->known = true;
    }
    /* = cxi_days_from_civil(y, mo, d) */
    int64_t days = ys->days + before_month[mo - 1] + (mo > 2 && ys->leap) + d - 1;
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - (int64_t)offset * 60;
    *out = secs * 1000;
    return true;
}

/* The value of schema column col converted ahead (cxi_import_preparse),
 * or NULL. */
static inline const cxi_preval *pre(const row *r, int col)
{
    const cxi_import *im = r->im;
    int k = im->pre_slot[col];
    return im->pre_mask && k >= 0 && (im->pre_mask >> k & 1u) ? &im->pre[k] : NULL;
}

static int get_time(row *r, int col, cx_time *out)
{
    const cxi_preval *pv = pre(r, col);
    if (pv) {
        *out = pv->i;
        return CX_OK;
    }
    const char *t = text(r, col);
    *out = CX_TIME_NONE;
    if (!t)
        return CX_OK;
    if (fast_iso_time(&r->im->years, t, out))
        return CX_OK;
    size_t tlen = strlen(t);
    const char *p = t;
    bool iso = tlen >= 5 && t[4] == '-';
    for (int i = 0; iso && i < 4; i++)
        iso = t[i] >= '0' && t[i] <= '9';
    if (*p == '-' || *p == '+')
        p++;
    if (!iso && *p >= '0' && *p <= '9') {
        /* epoch seconds, maybe with a fraction */
        int64_t sec = 0, ms = 0, scale = 100;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (++digits > 14)
                return bad(r, col, CX_ERANGE, "a time in range", t);
            sec = sec * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            if (!(*p >= '0' && *p <= '9'))
                return bad(r, col, CX_EPARSE, "an ISO-8601 time or epoch seconds", t);
            for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
                ms += (*p - '0') * scale;
        }
        if (*p)
            return bad(r, col, CX_EPARSE, "an ISO-8601 time or epoch seconds", t);
        int64_t v = sec * 1000 + ms;
        v = t[0] == '-' ? -v : v;
        /* years 0000-9999, as ISO-8601 text: a larger value (often epoch
         * milliseconds given for seconds) could never be exported */
        if (v < -62167219200000 || v > 253402300799999)
            return bad(r, col, CX_ERANGE, "a time in range (years 0000-9999)", t);
        *out = v;
        return CX_OK;
    }
    if (cx_time_parse(out, t, tlen) != CX_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "a valid time (%s)", cx_last_error() + strlen("cx_time_parse: "));
        return bad(r, col, CX_EPARSE, msg, t);
    }
    return CX_OK;
}

/* An optional '-' and 1 to 18 digits, which strtoll reads the same. */
static bool fast_int(const char *t, long long *out)
{
    const char *p = t + (*t == '-');
    uint64_t u = 0;
    int nd = 0;
    while (DIG(*p) && nd <= 18) {
        u = u * 10 + (uint64_t)DV(*p++);
        nd++;
    }
    if (*p || nd < 1 || nd > 18)
        return false;
    *out = *t == '-' ? -(long long)u : (long long)u;
    return true;
}

static int get_int(row *r, int col, int64_t dflt, int64_t lo, int64_t hi, int64_t *out)
{
    const char *t = text(r, col);
    *out = dflt;
    if (!t)
        return CX_OK;
    long long v;
    const cxi_preval *pv = pre(r, col);
    if (pv) {
        v = pv->i;
    } else if (!fast_int(t, &v)) {
        char *end;
        errno = 0;
        v = strtoll(t, &end, 10);
        if (end == t || *end || errno || isspace((unsigned char)*t)) /* strtoll skips leading blanks */
            return bad(r, col, CX_EPARSE, "an integer", t);
    }
    if (v < lo || v > hi)
        return bad(r, col, CX_ERANGE, "in range", t);
    *out = v;
    return CX_OK;
}

/* Plain decimals ([-]digits[.digits], at most 15 digits in all) without
 * strtod: the digits as an integer m < 10^15 and a power of ten up to 1e15
 * are both exact doubles, so m / 10^k is correctly rounded, as strtod is.
 * It reads '.' whatever the host's numeric locale, as cxi_strtod does. */
static bool fast_real(const char *t, double *out)
{
    static const double pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *p = t + (*t == '-');
    uint64_t m = 0;
    int nd = 0, frac = 0;
    while (DIG(*p) && nd <= 15) {
        m = m * 10 + (uint64_t)DV(*p++);
        nd++;
    }
    if (nd == 0)
        return false;
    if (*p == '.') {
        p++;
        while (DIG(*p) && nd <= 15) {
            m = m * 10 + (uint64_t)DV(*p++);
            nd++;
            frac++;
        }
        if (frac == 0)
            return false;
    }
    if (*p || nd > 15)
        return false;
    double v = (double)m / pow10[frac];
    *out = *t == '-' ? -v : v;
    return true;
}

static int get_real(row *r, int col, double dflt, double *out)
{
    const cxi_preval *pv = pre(r, col);
    if (pv) {
        *out = pv->d;
        return CX_OK;
    }
    const char *t = text(r, col);
    *out = dflt;
    if (!t)
        return CX_OK;
    if (fast_real(t, out))
        return CX_OK;
    char *end;
    double v = cxi_strtod(t, &end);
    if (end == t || *end || isspace((unsigned char)*t))
        return bad(r, col, CX_EPARSE, "a number", t);
    *out = v;
    return CX_OK;
}

/* strcmp(t, name) == 0 for the short names of enums, inline. */
static inline bool str_is(const char *t, const char *name)
{
    while (*name)
        if (*t++ != *name++)
            return false;
    return *t == '\0';
}

static int get_enum(row *r, int col, const char *const *names, int n, int dflt, int *out)
{
    const char *t = text(r, col);
    *out = dflt;
    if (!t)
        return dflt >= 0 ? CX_OK : bad(r, col, CX_EINVAL, "given", "");
    for (int i = 0; i < n; i++) {
        if (str_is(t, names[i])) {
            *out = i;
            return CX_OK;
        }
    }
    return bad(r, col, CX_EINVAL, "one of the allowed names", t);
}

static int get_bool(row *r, int col, int dflt, int *out)
{
    static const char *const names[] = {"0", "1", "false", "true"};
    int v;
    if (!text(r, col)) { /* missing: the default (get_enum would refuse it) */
        *out = dflt;
        return CX_OK;
    }
    int rc = get_enum(r, col, names, 4, -2, &v);
    if (rc)
        return rc;
    *out = v & 1;
    return CX_OK;
}

static const char *const directions[] = {"inbound", "outbound"};
static const char *const outcomes[] = {"handled", "missed", "abandoned"};
static const char *const metrics[] = {"nps", "csat", "ces", "custom"};

/* The column holding the id of each table's records. */
static const int id_column[CX_TABLE_COUNT] = {
    CX_CUSTOMER_ID, CX_TOUCHPOINT_NAME, CX_INTERACTION_ID, CX_CASE_ID, CX_QUESTION_NAME, CX_FEEDBACK_ID,
    CX_TRANSACTION_ID,
};

/* A customer row's attributes: set those with a value; when the customer
 * was stored before, remove those the row leaves empty. *change turns
 * CX_UPDATED when one differs. */
static int put_attributes(row *r, cx_store *s, const char *id, int *change)
{
    const cxi_layout *l = &r->im->layout;
    for (int a = 0; a < l->nattr; a++) {
        const char *v = r->f[l->attr_field[a]], *was = NULL;
        if (*change != CX_ADDED)
            cx_customer_get_attribute(&was, s, id, l->attr_name[a]);
        if (!v && !was)
            continue;
        if (v && was && strcmp(v, was) == 0)
            continue;
        int rc = cx_customer_set_attribute(s, id, l->attr_name[a], v);
        if (rc)
            return rc; /* only out of memory: the import ends and rolls back */
        if (*change == CX_UNCHANGED)
            *change = CX_UPDATED;
    }
    return CX_OK;
}

/* Converts the row's fields and calls the table's add function, or its put
 * function when rows update stored records; *change says what it did. */
static int add_row(row *r, cx_store *s, int *change)
{
    int rc;
    const bool put = r->im->existing == CX_EXISTING_UPDATE;
    *change = CX_ADDED;
    switch (r->im->layout.table) {
    case CX_TABLE_CUSTOMERS: {
        cx_time acq;
        if ((rc = get_time(r, CX_CUSTOMER_ACQUIRED, &acq)))
            return rc;
        const cxi_layout *l = &r->im->layout;
        const char *id = text(r, CX_CUSTOMER_ID);
        for (int a = 0; a < l->nattr; a++) { /* check first: the row must go in whole or not at all */
            const char *v = r->f[l->attr_field[a]];
            if (v && !cxi_utf8_valid(v, strlen(v))) {
                r->bad_col = -1 - a;
                return cxi_fail(CX_EINVAL, "attribute '%s' is not valid UTF-8", l->attr_name[a]);
            }
        }
        if ((rc = put ? cx_customer_put(change, s, id, text(r, CX_CUSTOMER_SEGMENT), text(r, CX_CUSTOMER_REGION),
                                        text(r, CX_CUSTOMER_PLAN), acq)
                      : cx_customer_add(s, id, text(r, CX_CUSTOMER_SEGMENT), text(r, CX_CUSTOMER_REGION),
                                        text(r, CX_CUSTOMER_PLAN), acq)))
            return rc;
        return put_attributes(r, s, id, change);
    }
    case CX_TABLE_TOUCHPOINTS: {
        int key;
        double weight;
        if ((rc = get_bool(r, CX_TOUCHPOINT_KEY, 0, &key)) || (rc = get_real(r, CX_TOUCHPOINT_WEIGHT, 1.0, &weight)))
            return rc;
        if (put)
            return cx_touchpoint_put(change, s, text(r, CX_TOUCHPOINT_NAME), text(r, CX_TOUCHPOINT_CHANNEL),
                                     text(r, CX_TOUCHPOINT_STAGE), text(r, CX_TOUCHPOINT_KIND), key, weight);
        return cx_touchpoint_add(s, text(r, CX_TOUCHPOINT_NAME), text(r, CX_TOUCHPOINT_CHANNEL),
                                 text(r, CX_TOUCHPOINT_STAGE), text(r, CX_TOUCHPOINT_KIND), key, weight);
    }
    case CX_TABLE_INTERACTIONS: {
        cx_time t;
        int dir, out;
        int64_t dur;
        double value;
        if ((rc = get_time(r, CX_INTERACTION_TIME, &t)) ||
            (rc = get_enum(r, CX_INTERACTION_DIRECTION, directions, 2, CX_INBOUND, &dir)) ||
            (rc = get_int(r, CX_INTERACTION_DURATION, 0, INT64_MIN, INT64_MAX, &dur)) ||
            (rc = get_enum(r, CX_INTERACTION_OUTCOME, outcomes, 3, CX_HANDLED, &out)) ||
            (rc = get_real(r, CX_INTERACTION_VALUE, 0.0, &value)))
            return rc;
        if (put)
            return cx_interaction_put(change, NULL, s, text(r, CX_INTERACTION_ID), text(r, CX_INTERACTION_CUSTOMER),
                                      text(r, CX_INTERACTION_TOUCHPOINT), t, text(r, CX_INTERACTION_KIND), dir,
                                      text(r, CX_INTERACTION_AGENT), text(r, CX_INTERACTION_CASE), dur, out, value);
        return cx_interaction_add(NULL, s, text(r, CX_INTERACTION_ID), text(r, CX_INTERACTION_CUSTOMER),
                                  text(r, CX_INTERACTION_TOUCHPOINT), t, text(r, CX_INTERACTION_KIND), dir,
                                  text(r, CX_INTERACTION_AGENT), text(r, CX_INTERACTION_CASE), dur, out, value);
    }
    case CX_TABLE_CASES: {
        cx_time opened, first, resolved;
        int64_t reopens, contacts;
        if ((rc = get_time(r, CX_CASE_OPENED, &opened)) || (rc = get_time(r, CX_CASE_FIRST_RESPONSE, &first)) ||
            (rc = get_time(r, CX_CASE_RESOLVED, &resolved)) ||
            (rc = get_int(r, CX_CASE_REOPENS, 0, INT32_MIN, INT32_MAX, &reopens)) ||
            (rc = get_int(r, CX_CASE_CONTACTS, 0, INT32_MIN, INT32_MAX, &contacts)))
            return rc;
        if (put)
            return cx_case_put(change, s, text(r, CX_CASE_ID), text(r, CX_CASE_CUSTOMER), text(r, CX_CASE_CHANNEL),
                               text(r, CX_CASE_PRIORITY), text(r, CX_CASE_AGENT), opened, first, resolved,
                               (int)reopens, (int)contacts);
        return cx_case_add(s, text(r, CX_CASE_ID), text(r, CX_CASE_CUSTOMER), text(r, CX_CASE_CHANNEL),
                           text(r, CX_CASE_PRIORITY), text(r, CX_CASE_AGENT), opened, first, resolved, (int)reopens,
                           (int)contacts);
    }
    case CX_TABLE_QUESTIONS: {
        int metric, hib;
        double lo, hi;
        if ((rc = get_enum(r, CX_QUESTION_METRIC, metrics, 4, -1, &metric)) ||
            (rc = get_real(r, CX_QUESTION_SCALE_MIN, 0.0, &lo)) || (rc = get_real(r, CX_QUESTION_SCALE_MAX, 0.0, &hi)) ||
            (rc = get_bool(r, CX_QUESTION_HIGHER_IS_BETTER, 1, &hib)))
            return rc;
        if (put)
            return cx_question_put(change, s, text(r, CX_QUESTION_NAME), metric, lo, hi, hib);
        return cx_question_add(s, text(r, CX_QUESTION_NAME), metric, lo, hi, hib);
    }
    case CX_TABLE_FEEDBACK: {
        double score;
        cx_time t;
        if ((rc = get_real(r, CX_FEEDBACK_SCORE, NAN, &score)) || (rc = get_time(r, CX_FEEDBACK_TIME, &t)))
            return rc;
        const char *comment = NULL;
        int cf = r->im->layout.field_of_col[CX_FEEDBACK_COMMENT];
        if (cf >= 0)
            comment = r->f[cf]; /* an empty comment is kept: the format tells "" from missing */
        if (put)
            return cx_feedback_put(change, NULL, s, text(r, CX_FEEDBACK_ID), text(r, CX_FEEDBACK_CUSTOMER),
                                   text(r, CX_FEEDBACK_QUESTION), score, t, text(r, CX_FEEDBACK_TOUCHPOINT),
                                   text(r, CX_FEEDBACK_INTERACTION), text(r, CX_FEEDBACK_CASE), comment);
        return cx_feedback_add(NULL, s, text(r, CX_FEEDBACK_ID), text(r, CX_FEEDBACK_CUSTOMER),
                               text(r, CX_FEEDBACK_QUESTION), score, t, text(r, CX_FEEDBACK_TOUCHPOINT),
                               text(r, CX_FEEDBACK_INTERACTION), text(r, CX_FEEDBACK_CASE), comment);
    }
    case CX_TABLE_TRANSACTIONS: {
        cx_time t;
        double amount;
        if ((rc = get_time(r, CX_TRANSACTION_TIME, &t)) || (rc = get_real(r, CX_TRANSACTION_AMOUNT, NAN, &amount)))
            return rc;
        if (put)
            return cx_transaction_put(change, NULL, s, text(r, CX_TRANSACTION_ID), text(r, CX_TRANSACTION_CUSTOMER), t,
                                      amount);
        return cx_transaction_add(NULL, s, text(r, CX_TRANSACTION_ID), text(r, CX_TRANSACTION_CUSTOMER), t, amount);
    }
    }
    return cxi_fail(CX_EINVAL, "no table %d", r->im->layout.table);
}

int cxi_id_column(int table) { return id_column[table]; }

/* CX_EXISTING_SKIP: is the row's record stored already? */
static bool row_is_stored(row *r)
{
    const char *id = text(r, id_column[r->im->layout.table]);
    size_t at;
    return id && *id && cx_store_find(&at, r->im->store, r->im->layout.table, id) == CX_OK;
}

/* The column naming the customer of each table of events. */
static const int customer_column[CX_TABLE_COUNT] = {
    [CX_TABLE_INTERACTIONS] = CX_INTERACTION_CUSTOMER,
    [CX_TABLE_CASES] = CX_CASE_CUSTOMER,
    [CX_TABLE_FEEDBACK] = CX_FEEDBACK_CUSTOMER,
    [CX_TABLE_TRANSACTIONS] = CX_TRANSACTION_CUSTOMER,
};

int cxi_import_row(cxi_import *im, char *const *fields, int nfields, int *column)
{
    *column = 0;
    if (nfields != im->layout.nfields)
        return cxi_fail(CX_EPARSE, "expected %d fields as in the header, found %d", im->layout.nfields, nfields);
    row r = {im, fields, -100};
    int rc = CX_OK;
    bool added = false;
    if (im->create_customers) {
        /* An empty or missing customer is left to the add function to
         * refuse. A customer added for a row that is then refused is taken
         * back at once, so a rejected row leaves nothing behind. */
        const char *id = text(&r, customer_column[im->layout.table]);
        if (id && *id && (rc = cxi_customer_find_or_add(im->store, id, &added)))
            r.bad_col = customer_column[im->layout.table];
    }
    int change = CX_UNCHANGED;
    if (rc == CX_OK && !(im->existing == CX_EXISTING_SKIP && row_is_stored(&r)) &&
        (rc = add_row(&r, im->store, &change)) && added)
        cxi_customer_drop_last(im->store);
    im->lookup.hint_id = NULL;
    if (rc == CX_OK && im->report) { /* cx_db_load() adds rows through here without a report */
        cx_import_report *rep = im->report;
        uint64_t *count = change == CX_ADDED ? &rep->added : change == CX_UPDATED ? &rep->updated : &rep->unchanged;
        (*count)++;
    }
    if (rc == CX_EEXISTS)
        return rc; /* a duplicate id is the row's fault, not one field's: column 0 */
    if (rc) {
        const cxi_layout *l = &im->layout;
        if (r.bad_col >= 0) {
            *column = l->field_of_col[r.bad_col] + 1;
        } else if (r.bad_col > -100) {
            *column = l->attr_field[-1 - r.bad_col] + 1;
        } else if (cxi_error_field()) {
            int col;
            if (cx_column_find(&col, l->table, cxi_error_field()) == CX_OK && l->field_of_col[col] >= 0)
                *column = l->field_of_col[col] + 1;
        }
    }
    return rc;
}

/* ---- reading keys ahead -------------------------------------------------- */

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* How many hash slots from its home stage 2 reads for a key's id (see
 * cxi_pool_probe_id): those of its cache line mostly, which stage 1 fetched. */
#define PF_SPAN 8

static void prefetch_plan(cxi_import *im)
{
    static const struct {
        int table, col, pool, then;
    } keys[] = {
        {CX_TABLE_CUSTOMERS, CX_CUSTOMER_ID, CX_TABLE_CUSTOMERS, -1},
        {CX_TABLE_INTERACTIONS, CX_INTERACTION_CUSTOMER, CX_TABLE_CUSTOMERS, -1},
        {CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, CX_TABLE_INTERACTIONS, -1},
        {CX_TABLE_INTERACTIONS, CX_INTERACTION_CASE, CX_TABLE_CASES, -1},
        {CX_TABLE_CASES, CX_CASE_CUSTOMER, CX_TABLE_CUSTOMERS, -1},
        {CX_TABLE_CASES, CX_CASE_ID, CX_TABLE_CASES, -1},
        {CX_TABLE_FEEDBACK, CX_FEEDBACK_CUSTOMER, CX_TABLE_CUSTOMERS, -1},
        {CX_TABLE_FEEDBACK, CX_FEEDBACK_ID, CX_TABLE_FEEDBACK, -1},
        {CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, CX_TABLE_INTERACTIONS, 0},
        {CX_TABLE_TRANSACTIONS, CX_TRANSACTION_CUSTOMER, CX_TABLE_CUSTOMERS, -1},
        {CX_TABLE_TRANSACTIONS, CX_TRANSACTION_ID, CX_TABLE_TRANSACTIONS, -1},
    };
    im->pf_ready = true;
    im->pf_n = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && im->pf_n < CXI_PF_KEYS; i++) {
        int f = im->layout.field_of_col[keys[i].col];
        if (keys[i].table != im->layout.table || f < 0)
            continue;
        im->pf_field[im->pf_n] = f;
        im->pf_pool[im->pf_n] = keys[i].pool;
        im->lookup.direct[keys[i].pool] = true;
        im->pf_then[im->pf_n] = keys[i].then;
        im->pf_n++;
    }
}

int cxi_import_prefetch_keys(cxi_import *im, int *fields)
{
    if (!im->pf_ready)
        prefetch_plan(im);
    for (int k = 0; k < im->pf_n; k++)
        fields[k] = im->pf_field[k];
    return im->pf_n;
}

void cxi_import_prefetch(cxi_import *im, int stage, const char *const *keys, const uint32_t *hashes,
                         cxi_prefetch *pf, size_t n)
{
    if (!im->pf_ready)
        prefetch_plan(im);
    const cx_store *s = im->store;
    const int nk = im->pf_n;
    switch (stage) {
    case 1: /* the hash slot of each key */
        for (size_t r = 0; r < n; r++) {
            for (int k = 0; k < nk; k++) {
                const cxi_pool *p = &s->keys[im->pf_pool[k]];
                const char *v = keys[r * CXI_PF_KEYS + (size_t)k];
                pf[r].id[k] = CXI_NONE;
                if (!v || !p->nslots)
                    continue;
                uint32_t h = hashes ? hashes[r * CXI_PF_KEYS + (size_t)k] : (uint32_t)cxi_hash(v, strlen(v));
                pf[r].h[k] = h;
                PREFETCH(cxi_pool_home(p, h));
                pf[r].id[k] = 0;
            }
        }
        break;
    case 2: /* the reference (or place) of the id a slot near home names with the key's tag */
        for (size_t r = 0; r < n; r++) {
            for (int k = 0; k < nk; k++) {
                if (pf[r].id[k] == CXI_NONE)
                    continue;
                const cxi_pool *p = &s->keys[im->pf_pool[k]];
                uint32_t i = p->nslots ? cxi_pool_probe_id(p, pf[r].h[k], PF_SPAN) : CXI_NONE;
                pf[r].id[k] = i < p->count ? i : CXI_NONE;
                if (pf[r].id[k] != CXI_NONE)
                    PREFETCH(cxi_pool_ref_at(p, i));
            }
        }
        break;
    case 3: /* the string itself (its length first), and what the row will
             * read once the key is found */
        for (size_t r = 0; r < n; r++) {
            for (int k = 0; k < nk; k++) {
                uint32_t i = pf[r].id[k];
                const cxi_pool *p = &s->keys[im->pf_pool[k]];
                if (i == CXI_NONE || i >= p->count)
                    continue;
                PREFETCH(cxi_pool_str(p, i) - 1);
                if (im->pf_then[k] == 0 && s->idrow[CX_TABLE_INTERACTIONS] && i < s->idrow_cap[CX_TABLE_INTERACTIONS])
                    PREFETCH(&s->idrow[CX_TABLE_INTERACTIONS][i]);
            }
        }
        break;
    default: /* 4: the rated interaction's customer */
        for (size_t r = 0; r < n; r++) {
            for (int k = 0; k < nk; k++) {
                uint32_t i = pf[r].id[k];
                if (i == CXI_NONE || im->pf_then[k] != 0 || i >= s->keys[CX_TABLE_INTERACTIONS].count ||
                    (s->idrow[CX_TABLE_INTERACTIONS] && i >= s->idrow_cap[CX_TABLE_INTERACTIONS]))
                    continue;
                uint32_t in = cxi_eid_row(s, CX_TABLE_INTERACTIONS, i);
                if (in < s->t[CX_TABLE_INTERACTIONS].n)
                    PREFETCH(&CXI_COL(s, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t)[in]);
            }
        }
        break;
    }
}

/* ---- converting fields ahead --------------------------------------------- */

enum { PRE_TIME, PRE_INT, PRE_REAL };

void cxi_import_pre_plan(cxi_import *im)
{
    /* the fields add_row converts with get_time, get_int and get_real */
    static const struct {
        int table, col, kind;
    } conv[] = {
        {CX_TABLE_CUSTOMERS, CX_CUSTOMER_ACQUIRED, PRE_TIME},
        {CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_WEIGHT, PRE_REAL},
        {CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, PRE_TIME},
        {CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, PRE_INT},
        {CX_TABLE_INTERACTIONS, CX_INTERACTION_VALUE, PRE_REAL},
        {CX_TABLE_CASES, CX_CASE_OPENED, PRE_TIME},
        {CX_TABLE_CASES, CX_CASE_FIRST_RESPONSE, PRE_TIME},
        {CX_TABLE_CASES, CX_CASE_RESOLVED, PRE_TIME},
        {CX_TABLE_CASES, CX_CASE_REOPENS, PRE_INT},
        {CX_TABLE_CASES, CX_CASE_CONTACTS, PRE_INT},
        {CX_TABLE_QUESTIONS, CX_QUESTION_SCALE_MIN, PRE_REAL},
        {CX_TABLE_QUESTIONS, CX_QUESTION_SCALE_MAX, PRE_REAL},
        {CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, PRE_REAL},
        {CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, PRE_TIME},
        {CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME, PRE_TIME},
        {CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, PRE_REAL},
    };
    im->pre_n = 0;
    for (int c = 0; c < 16; c++)
        im->pre_slot[c] = -1;
    for (size_t i = 0; i < sizeof conv / sizeof conv[0] && im->pre_n < CXI_PRE_MAX; i++) {
        if (conv[i].table != im->layout.table || im->layout.field_of_col[conv[i].col] < 0)
            continue;
        im->pre_slot[conv[i].col] = im->pre_n;
        im->pre_col[im->pre_n] = conv[i].col;
        im->pre_kind[im->pre_n] = conv[i].kind;
        im->pre_n++;
    }
}

unsigned cxi_import_preparse(const cxi_import *im, cxi_years *years, char *const *fields, int n, cxi_preval *out)
{
    if (n != im->layout.nfields)
        return 0; /* refused when stored */
    unsigned mask = 0;
    for (int k = 0; k < im->pre_n; k++) {
        const char *t = fields[im->layout.field_of_col[im->pre_col[k]]];
        long long v;
        if (!t)
            continue; /* the default, when stored */
        switch (im->pre_kind[k]) {
        case PRE_TIME:
            if (fast_iso_time(years, t, &out[k].i))
                mask |= 1u << k;
            break;
        case PRE_INT:
            if (fast_int(t, &v)) {
                out[k].i = v;
                mask |= 1u << k;
            }
            break;
        default:
            if (fast_real(t, &out[k].d))
                mask |= 1u << k;
            break;
        }
    }
    return mask;
}

/* ---- begin and end ----------------------------------------------------- */

int cxi_import_begin(cxi_import *im, const char *fn, cx_import_report **out, cx_store *store, int table,
                     const char *path, const cx_import_options *opts)
{
    memset(im, 0, sizeof *im);
    im->fn = fn;
    im->path = path;
    if (out)
        *out = NULL; /* on every failure, as documented */
    if (!out || !store || !path)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (table < 0 || table >= CX_TABLE_COUNT)
        return cxi_fail(CX_EINVAL, "%s: no table %d", fn, table);
    /* the ids of the event tables with their hash slots (dropped by
     * cx_store_compact): the import finds and adds ids through them, and
     * reads them ahead (cxi_import_prefetch) */
    int rc = cxi_store_ids_ready(fn, store);
    if (rc)
        return rc;
    /* the mark first: cxi_import_end rolls the store back to it on every
     * failure from here on */
    cxi_store_mark(store, &im->mark);
    im->store = store;
    im->opts = opts;
    im->layout.table = table;
    im->existing = opts ? opts->existing : CX_EXISTING_REJECT;
    im->create_customers = opts && opts->create_customers && table != CX_TABLE_CUSTOMERS &&
                           table != CX_TABLE_TOUCHPOINTS && table != CX_TABLE_QUESTIONS;
    /* the store's allocator with a count of its own: the import's buffers
     * are not the store's, and cx_store_memory() should not show them */
    cxi_mem_init(&im->mem, store->mem.fn, store->mem.ud);
    cxi_mem rmem = im->mem; /* the report's own, kept in it */
    im->report = cxi_alloc(&rmem, sizeof *im->report);
    if (!im->report)
        return cxi_fail(CX_ENOMEM, "%s: %s: out of memory", fn, path);
    memset(im->report, 0, sizeof *im->report);
    im->report->mem = rmem;
    /* last, once nothing can fail: cxi_import_end takes it off */
    cxi_lookup_init(&im->lookup);
    store->lookup = &im->lookup;
    store->undo = &im->undo;
    return CX_OK;
}

int cxi_import_end(cxi_import *im, cx_import_report **out, int rc)
{
    if (im->reject && fclose(im->reject) != 0 && rc == CX_OK)
        rc = cxi_fail(CX_EIO, "%s: %s: cannot write the reject file %s", im->fn, im->path, im->opts->reject_path);
    im->reject = NULL;
    cxi_free(&im->mem, im->reject_buf, REJECT_BUFFER);
    im->reject_buf = NULL;
    cxi_layout_free(&im->mem, &im->layout);
    if (im->store) {
        im->store->lookup = NULL;
        im->store->attr_rows = 0;
    }
    if (rc == CX_OK) {
        if (im->store) {
            im->store->undo = NULL;
            cxi_free(&im->store->mem, im->undo.cells, im->undo.cap * sizeof *im->undo.cells);
            /* no rollback from here on: attributes most customers have move to columns */
            cxi_attrs_settle(&im->store->mem, &im->store->attrs,
                             (uint32_t)im->store->t[CX_TABLE_CUSTOMERS].n, CXI_NONE);
        }
        *out = im->report;
        return CX_OK;
    }
    if (im->store) {
        cxi_store_rollback(im->store, &im->mark);
        im->store->undo = NULL;
        cxi_free(&im->store->mem, im->undo.cells, im->undo.cap * sizeof *im->undo.cells);
        /* the columns it gave names no customer has now (attrs.h) */
        cxi_attrs_drop_empty(&im->store->mem, &im->store->attrs);
    }
    cx_import_report_free(im->report);
    im->report = NULL;
    return rc;
}
