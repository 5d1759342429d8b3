/*
 * cx_result: the table of named, typed columns that every analysis returns,
 * its getters and its CSV and JSON export. The analyses build it through
 * table.h; nothing here knows what the numbers mean.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "cxkit/store.h"

static size_t cell_size(int type) { return type == CX_TYPE_STRING ? sizeof(uint32_t) : 8; }

/* Fills rows [from, to) of a column with its zero. */
static void zero_cells(cxi_tcol *c, size_t from, size_t to)
{
    if (c->type == CX_TYPE_STRING) {
        memset((uint32_t *)c->data + from, 0xFF, (to - from) * sizeof(uint32_t));
    } else if (c->type == CX_TYPE_TIME) {
        for (size_t i = from; i < to; i++)
            ((int64_t *)c->data)[i] = CX_TIME_NONE;
    } else {
        memset((char *)c->data + from * 8, 0, (to - from) * 8);
    }
}

void cx_result_free(cx_result *r)
{
    if (!r)
        return;
    if (r->ext && r->ext->free)
        r->ext->free(r->ext_state);
    size_t cells = r->rows ? r->rows : 1;
    for (size_t c = 0; c < r->ncols; c++) {
        cxi_free(&r->mem, r->cols[c].data, cells * cell_size(r->cols[c].type));
        if (r->cols[c].name)
            cxi_free(&r->mem, r->cols[c].name, strlen(r->cols[c].name) + 1);
    }
    if (r->cols)
        cxi_free(&r->mem, r->cols, r->colcap * sizeof(cxi_tcol));
    cxi_pool_free(&r->mem, &r->strs);
    cxi_mem m = r->mem;
    cxi_free(&m, r, sizeof *r);
}

int cxi_result_new(cx_result **out, const cxi_mem *mem, size_t rows, size_t ncols, const char *const *names,
                   const int *types)
{
    cxi_mem m;
    cxi_mem_init(&m, mem->fn, mem->ud);
    cx_result *r = cxi_alloc(&m, sizeof *r);
    if (!r)
        return cxi_fail(CX_ENOMEM, "out of memory for a result table");
    memset(r, 0, sizeof *r);
    r->mem = m;
    r->rows = rows;
    cxi_pool_init(&r->strs);
    size_t cells = rows ? rows : 1;
    r->cols = ncols <= SIZE_MAX / sizeof(cxi_tcol) ? cxi_alloc(&r->mem, (ncols ? ncols : 1) * sizeof(cxi_tcol)) : NULL;
    r->colcap = ncols ? ncols : 1;
    if (!r->cols || cells > SIZE_MAX / 8) {
        r->ncols = 0;
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "out of memory for a result of %zu rows", rows);
    }
    for (size_t c = 0; c < ncols; c++) {
        cxi_tcol *col = &r->cols[c];
        size_t len = strlen(names[c]) + 1;
        col->type = types[c];
        col->offset = 0;
        col->name = cxi_alloc(&r->mem, len);
        col->data = cxi_alloc(&r->mem, cells * cell_size(types[c]));
        if (!col->name || !col->data) {
            if (col->name)
                cxi_free(&r->mem, col->name, len);
            if (col->data)
                cxi_free(&r->mem, col->data, cells * cell_size(types[c]));
            cx_result_free(r); /* frees the columns before c */
            return cxi_fail(CX_ENOMEM, "out of memory for a result of %zu rows", rows);
        }
        r->ncols = c + 1;
        memcpy(col->name, names[c], len);
        zero_cells(col, 0, cells);
    }
    *out = r;
    return CX_OK;
}

int cxi_result_add_rows(cx_result *r, size_t n)
{
    if (n == 0)
        return CX_OK;
    size_t old = r->rows ? r->rows : 1, rows = r->rows + n;
    if (rows < n || rows > SIZE_MAX / 8)
        return cxi_fail(CX_ELIMIT, "a result of more than %zu rows", SIZE_MAX / 8);
    /* every column's new array first, so that a failure changes nothing */
    void *fresh[64], **data = r->ncols <= 64 ? fresh : cxi_alloc(&r->mem, r->ncols * sizeof(void *));
    if (!data)
        return cxi_fail(CX_ENOMEM, "out of memory growing a result to %zu rows", rows);
    size_t c = 0;
    for (; c < r->ncols; c++)
        if (!(data[c] = cxi_alloc(&r->mem, rows * cell_size(r->cols[c].type))))
            break;
    if (c < r->ncols) {
        while (c-- > 0)
            cxi_free(&r->mem, data[c], rows * cell_size(r->cols[c].type));
        if (data != fresh)
            cxi_free(&r->mem, data, r->ncols * sizeof(void *));
        return cxi_fail(CX_ENOMEM, "out of memory growing a result to %zu rows", rows);
    }
    for (c = 0; c < r->ncols; c++) {
        cxi_tcol *col = &r->cols[c];
        memcpy(data[c], col->data, r->rows * cell_size(col->type));
        cxi_free(&r->mem, col->data, old * cell_size(col->type));
        col->data = data[c];
        zero_cells(col, r->rows, rows);
    }
    if (data != fresh)
        cxi_free(&r->mem, data, r->ncols * sizeof(void *));
    r->rows = rows;
    return CX_OK;
}

int cxi_result_set_str(cx_result *r, size_t col, size_t row, const char *s, size_t len)
{
    uint32_t id = CXI_NONE;
    if (s) {
        int rc = cxi_pool_intern(&r->mem, &r->strs, s, len, &id);
        if (rc)
            return cxi_fail(rc, "out of memory for the text of a result");
    }
    ((uint32_t *)r->cols[col].data)[row] = id;
    return CX_OK;
}

int cxi_result_set_text(cx_result *r, size_t col, size_t row, const char *s)
{
    return cxi_result_set_str(r, col, row, s, s ? strlen(s) : 0);
}

void cxi_result_set_offset(cx_result *r, size_t col, int offset_minutes) { r->cols[col].offset = offset_minutes; }

void cxi_result_set_ext(cx_result *r, const cxi_result_ext *ext, void *state)
{
    r->ext = ext;
    r->ext_state = state;
}

void *cxi_result_ext_of(const cx_result *r, const cxi_result_ext *ext)
{
    return r && r->ext == ext ? r->ext_state : NULL;
}

/* ---- getters ----------------------------------------------------------- */

size_t cx_result_row_count(const cx_result *r) { return r ? r->rows : 0; }

size_t cx_result_column_count(const cx_result *r) { return r ? r->ncols : 0; }

static int check_col(const char *fn, const void *out, const cx_result *r, size_t col)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    if (!r)
        return cxi_fail(CX_EINVAL, "%s: result is NULL", fn);
    if (col >= r->ncols)
        return cxi_fail(CX_ERANGE, "%s: column %zu is out of range (%zu columns)", fn, col, r->ncols);
    return CX_OK;
}

static int check_cell(const char *fn, const void *out, const cx_result *r, size_t row, size_t col)
{
    int rc = check_col(fn, out, r, col);
    if (rc)
        return rc;
    if (row >= r->rows)
        return cxi_fail(CX_ERANGE, "%s: row %zu is out of range (%zu rows)", fn, row, r->rows);
    return CX_OK;
}

int cx_result_column_name(const char **out, const cx_result *r, size_t col)
{
    int rc = check_col("cx_result_column_name", out, r, col);
    if (rc)
        return rc;
    *out = r->cols[col].name;
    return CX_OK;
}

int cx_result_column_type(int *out, const cx_result *r, size_t col)
{
    int rc = check_col("cx_result_column_type", out, r, col);
    if (rc)
        return rc;
    *out = r->cols[col].type;
    return CX_OK;
}

int cx_result_column_find(size_t *out, const cx_result *r, const char *name)
{
    if (!out || !r || !name)
        return cxi_fail(CX_EINVAL, "cx_result_column_find: %s is NULL", !out ? "out" : !r ? "result" : "name");
    for (size_t c = 0; c < r->ncols; c++)
        if (strcmp(r->cols[c].name, name) == 0) {
            *out = c;
            return CX_OK;
        }
    char qb[80];
    return cxi_fail(CX_ENOTFOUND, "cx_result_column_find: no column %s", cxi_quote(qb, name));
}

int cx_result_get_string(const char **out, const cx_result *r, size_t row, size_t col)
{
    int rc = check_cell("cx_result_get_string", out, r, row, col);
    if (rc)
        return rc;
    if (r->cols[col].type != CX_TYPE_STRING)
        return cxi_fail(CX_EINVAL, "cx_result_get_string: column '%s' is not text", r->cols[col].name);
    *out = cxi_result_str(r, col, row);
    return CX_OK;
}

int cx_result_get_int(int64_t *out, const cx_result *r, size_t row, size_t col)
{
    int rc = check_cell("cx_result_get_int", out, r, row, col);
    if (rc)
        return rc;
    if (r->cols[col].type != CX_TYPE_INT && r->cols[col].type != CX_TYPE_TIME)
        return cxi_fail(CX_EINVAL, "cx_result_get_int: column '%s' is not an integer or time", r->cols[col].name);
    *out = cxi_result_int(r, col, row);
    return CX_OK;
}

int cx_result_get_real(double *out, const cx_result *r, size_t row, size_t col)
{
    int rc = check_cell("cx_result_get_real", out, r, row, col);
    if (rc)
        return rc;
    switch (r->cols[col].type) {
    case CX_TYPE_REAL:
        *out = cxi_result_real(r, col, row);
        return CX_OK;
    case CX_TYPE_STRING:
        return cxi_fail(CX_EINVAL, "cx_result_get_real: column '%s' is text", r->cols[col].name);
    case CX_TYPE_TIME: {
        int64_t t = cxi_result_int(r, col, row);
        *out = t == CX_TIME_NONE ? NAN : (double)t;
        return CX_OK;
    }
    default:
        *out = (double)cxi_result_int(r, col, row);
        return CX_OK;
    }
}

/* ---- whole columns -------------------------------------------------------- */

/* The checks of the bulk readers: arguments, column, rows [first, first + n). */
static int check_span(const char *fn, const void *out, const cx_result *r, size_t col, size_t first, size_t n)
{
    if (!out && n)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    if (!r)
        return cxi_fail(CX_EINVAL, "%s: result is NULL", fn);
    if (col >= r->ncols)
        return cxi_fail(CX_ERANGE, "%s: column %zu is out of range (%zu columns)", fn, col, r->ncols);
    if (first > r->rows || n > r->rows - first)
        return cxi_fail(CX_ERANGE, "%s: rows %zu to %zu + %zu are out of range (%zu rows)", fn, first, first, n,
                        r->rows);
    return CX_OK;
}

int cx_result_column_reals(double *out, const cx_result *r, size_t col, size_t first, size_t n)
{
    static const char fn[] = "cx_result_column_reals";
    int rc = check_span(fn, out, r, col, first, n);
    if (rc)
        return rc;
    const cxi_tcol *c = &r->cols[col];
    if (c->type == CX_TYPE_STRING)
        return cxi_fail(CX_EINVAL, "%s: column '%s' is text", fn, c->name);
    if (c->type == CX_TYPE_REAL) {
        if (n)
            memcpy(out, (const double *)c->data + first, n * sizeof *out);
        return CX_OK;
    }
    const int64_t *v = (const int64_t *)c->data + first;
    bool time = c->type == CX_TYPE_TIME;
    for (size_t i = 0; i < n; i++)
        out[i] = time && v[i] == CX_TIME_NONE ? NAN : (double)v[i];
    return CX_OK;
}

int cx_result_column_ints(int64_t *out, const cx_result *r, size_t col, size_t first, size_t n)
{
    static const char fn[] = "cx_result_column_ints";
    int rc = check_span(fn, out, r, col, first, n);
    if (rc)
        return rc;
    const cxi_tcol *c = &r->cols[col];
    if (c->type != CX_TYPE_INT && c->type != CX_TYPE_TIME)
        return cxi_fail(CX_EINVAL, "%s: column '%s' is not an integer or time", fn, c->name);
    if (n)
        memcpy(out, (const int64_t *)c->data + first, n * sizeof *out);
    return CX_OK;
}

int cx_result_column_strings(const char **out, const cx_result *r, size_t col, size_t first, size_t n)
{
    static const char fn[] = "cx_result_column_strings";
    int rc = check_span(fn, out, r, col, first, n);
    if (rc)
        return rc;
    if (r->cols[col].type != CX_TYPE_STRING)
        return cxi_fail(CX_EINVAL, "%s: column '%s' is not text", fn, r->cols[col].name);
    for (size_t i = 0; i < n; i++)
        out[i] = cxi_result_str(r, col, first + i);
    return CX_OK;
}

/* ---- export ------------------------------------------------------------ */

/* The shortest of 15, 16 or 17 significant digits that reads back as the
 * same double (0.1 stays "0.1", not "0.10000000000000001"), with '.'
 * whatever the host's numeric locale: a comma would split a CSV cell and
 * is no JSON. */
static void write_real(FILE *f, double v)
{
    char buf[32];
    cxi_format_real(buf, sizeof buf, v);
    fputs(buf, f);
}

/* Writes one cell; `json` chooses the syntax. */
static void write_cell(FILE *f, const cx_result *r, size_t row, size_t col, bool json)
{
    const cxi_tcol *c = &r->cols[col];
    switch (c->type) {
    case CX_TYPE_STRING: {
        const char *s = cxi_result_str(r, col, row);
        if (!s)
            fputs(json ? "null" : "", f);
        else if (json)
            cxi_write_json_text(f, s, strlen(s));
        else
            cxi_write_csv_text(f, s);
        return;
    }
    case CX_TYPE_TIME: {
        char buf[CX_TIME_FORMAT_MAX];
        int64_t t = cxi_result_int(r, col, row);
        if (t == CX_TIME_NONE)
            fputs(json ? "null" : "", f);
        else if (cx_time_format(buf, sizeof buf, t, c->offset) != CX_OK)
            fprintf(f, "%lld", (long long)t); /* beyond years 0000-9999: the milliseconds, not nothing */
        else if (json)
            cxi_write_json_text(f, buf, strlen(buf));
        else
            fputs(buf, f);
        return;
    }
    case CX_TYPE_INT:
        fprintf(f, "%lld", (long long)cxi_result_int(r, col, row));
        return;
    default: {
        double v = cxi_result_real(r, col, row);
        if (!isfinite(v)) /* NaN (missing); JSON has no infinities either */
            fputs(json ? "null" : isnan(v) ? "" : v > 0 ? "inf" : "-inf", f);
        else
            write_real(f, v);
    }
    }
}

static int export(const char *fn, const cx_result *r, const char *path, bool json)
{
    if (!r || !path)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !r ? "result" : "path");
    FILE *f = fopen(path, "wb");
    /* the whole path, as the importers give it: cut to 64 bytes, a long
     * path lost its end, the file's own name */
    if (!f)
        return cxi_fail(CX_EIO, "%s: cannot write %s: %s", fn, path, strerror(errno));
    /* a buffer of our own, so that the C library allocates none (a result
     * may come from a store's allocator); it lives until fclose below */
    char buf[16384];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    if (json) {
        fputs("[", f);
    } else {
        for (size_t c = 0; c < r->ncols; c++) {
            if (c)
                fputc(',', f);
            cxi_write_csv_text(f, r->cols[c].name);
        }
        fputs("\r\n", f);
    }
    for (size_t row = 0; row < r->rows; row++) {
        if (json)
            fputs(row ? ",\n {" : "\n {", f);
        for (size_t c = 0; c < r->ncols; c++) {
            if (json) {
                if (c)
                    fputs(", ", f);
                cxi_write_json_text(f, r->cols[c].name, strlen(r->cols[c].name));
                fputs(": ", f);
            } else if (c) {
                fputc(',', f);
            }
            write_cell(f, r, row, c, json);
        }
        fputs(json ? "}" : "\r\n", f);
    }
    if (json)
        fputs("\n]\n", f);
    bool failed = ferror(f) != 0;
    failed |= fclose(f) != 0;
    if (failed)
        return cxi_fail(CX_EIO, "%s: error writing %s", fn, path);
    return CX_OK;
}

int cx_result_export_csv(const cx_result *r, const char *path)
{
    return export("cx_result_export_csv", r, path, false);
}

int cx_result_export_json(const cx_result *r, const char *path)
{
    return export("cx_result_export_json", r, path, true);
}

/* ---- pseudonyms ------------------------------------------------------------ */

int cx_result_pseudonymize(cx_result *r, const void *key, size_t key_len, size_t ncolumns, const char *const *columns)
{
    static const char fn[] = "cx_result_pseudonymize";
    if (!r || !key || (ncolumns && !columns))
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (key_len == 0)
        return cxi_fail(CX_EINVAL, "%s: the key is empty", fn);
    if (r->ncols > 64)
        return cxi_fail(CX_ELIMIT, "%s: more than 64 columns", fn);
    uint64_t hashed = 0;
    for (size_t i = 0; i < ncolumns; i++) {
        size_t c;
        if (!columns[i])
            return cxi_fail(CX_EINVAL, "%s: column name %zu is NULL", fn, i);
        if (cx_result_column_find(&c, r, columns[i]) != CX_OK)
            return cxi_fail(CX_EINVAL, "%s: no column '%s'", fn, columns[i]);
        if (r->cols[c].type != CX_TYPE_STRING)
            return cxi_fail(CX_EINVAL, "%s: column '%s' is not text", fn, columns[i]);
        hashed |= (uint64_t)1 << c;
    }
    /* the new pool and ids first: nothing changes until all is made */
    cxi_pool fresh;
    cxi_pool_init(&fresh);
    size_t cells = r->rows ? r->rows : 1, nstr = 0;
    for (size_t c = 0; c < r->ncols; c++)
        nstr += r->cols[c].type == CX_TYPE_STRING;
    uint32_t *ids = nstr ? cxi_alloc(&r->mem, nstr * cells * sizeof *ids) : NULL;
    int rc = nstr && !ids ? CX_ENOMEM : CX_OK;
    size_t k = 0;
    for (size_t c = 0; c < r->ncols && !rc; c++) {
        if (r->cols[c].type != CX_TYPE_STRING)
            continue;
        const uint32_t *old = r->cols[c].data;
        uint32_t *now = ids + k++ * cells;
        for (size_t row = 0; row < r->rows && !rc; row++) {
            now[row] = CXI_NONE;
            if (old[row] == CXI_NONE)
                continue;
            const char *text = cxi_pool_str(&r->strs, old[row]);
            char ps[CX_PSEUDONYM_SIZE];
            if (hashed >> c & 1) {
                if (!(rc = cx_pseudonym(ps, key, key_len, text)))
                    rc = cxi_pool_intern(&r->mem, &fresh, ps, 32, &now[row]);
            } else {
                rc = cxi_pool_intern(&r->mem, &fresh, text, cxi_pool_len(&r->strs, old[row]), &now[row]);
            }
        }
    }
    if (rc) {
        cxi_free(&r->mem, ids, nstr * cells * sizeof *ids);
        cxi_pool_free(&r->mem, &fresh);
        return rc == CX_ENOMEM ? cxi_fail(rc, "%s: out of memory", fn) : rc;
    }
    k = 0;
    for (size_t c = 0; c < r->ncols; c++)
        if (r->cols[c].type == CX_TYPE_STRING)
            memcpy(r->cols[c].data, ids + k++ * cells, r->rows * sizeof *ids);
    cxi_free(&r->mem, ids, nstr * cells * sizeof *ids);
    for (size_t b = 0; b < r->strs.nblocks; b++)
        cxi_wipe(r->strs.blocks[b], r->strs.block_sizes[b]);
    cxi_pool_free(&r->mem, &r->strs);
    r->strs = fresh;
    if (r->ext && r->ext->free)
        r->ext->free(r->ext_state);
    r->ext = NULL;
    r->ext_state = NULL;
    return CX_OK;
}
