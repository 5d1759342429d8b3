/*
 * JSON Lines import: each line is parsed with Jansson (MIT) and its members
 * are turned into the same text fields a CSV row gives, so both formats
 * share one conversion and one set of checks.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* Text of one JSON value for the row converter; NULL for null. Returns
 * false (with *why) for values no column can hold. */
static bool value_text(json_t *v, char *scratch, size_t cap, const char **out, const char **why)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
        *out = NULL;
        return true;
    case JSON_STRING:
        if (strlen(json_string_value(v)) != json_string_length(v)) {
            *why = "a string with a NUL character";
            return false;
        }
        *out = json_string_value(v);
        return true;
    case JSON_INTEGER:
        snprintf(scratch, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = scratch;
        return true;
    case JSON_REAL:
        snprintf(scratch, cap, "%.17g", json_real_value(v));
        *out = scratch;
        return true;
    case JSON_TRUE:
    case JSON_FALSE:
        *out = json_is_true(v) ? "1" : "0";
        return true;
    default:
        *why = "an object or array, where a value is expected";
        return false;
    }
}

/* Finds or adds the layout slot of an attribute member (customers only). */
static int attr_slot(cxi_import *im, const char *name, int *field)
{
    cxi_layout *l = &im->layout;
    for (int a = 0; a < l->nattr; a++) {
        if (strcmp(l->attr_name[a], name) == 0) {
            *field = l->attr_field[a];
            return CX_OK;
        }
    }
    if (l->nfields >= CXI_MAX_FIELDS)
        return cxi_fail(CX_ELIMIT, "more than %d distinct members", CXI_MAX_FIELDS);
    size_t n = strlen(name) + 1;
    char *copy = malloc(n);
    if (!copy)
        return cxi_fail(CX_ENOMEM, "out of memory");
    memcpy(copy, name, n);
    l->attr_field[l->nattr] = l->nfields;
    l->attr_name[l->nattr++] = copy;
    l->col_of_field[l->nfields] = -2;
    *field = l->nfields++;
    return CX_OK;
}

/* Fills fields[] from one object. Returns CX_OK or a row fault with *column. */
static int object_fields(cxi_import *im, json_t *obj, const char **fields, char (*scratch)[40], int *column)
{
    cxi_layout *l = &im->layout;
    const char *key;
    json_t *v;
    char qb[80];
    for (int f = 0; f < l->nfields; f++)
        fields[f] = NULL;
    json_object_foreach(obj, key, v)
    {
        const char *name = key;
        bool ignored = false;
        for (size_t k = 0; k < (im->opts ? im->opts->nmap : 0); k++) {
            if (strcmp(im->opts->map_from[k], key) == 0) {
                name = im->opts->map_to[k];
                ignored = name == NULL;
                break;
            }
        }
        if (ignored)
            continue;
        int col, field = -1;
        if (cx_column_find(&col, l->table, name) == CX_OK) {
            field = col;
        } else if (l->table == CX_TABLE_CUSTOMERS) {
            int rc = attr_slot(im, name, &field);
            if (rc)
                return rc;
            fields[field] = NULL;
        } else {
            const char *tname;
            cx_table_name(&tname, l->table);
            return cxi_fail(CX_EPARSE, "table %s has no column '%s'", tname, cxi_quote(qb, name));
        }
        const char *why = NULL;
        if (!value_text(v, scratch[field], sizeof scratch[field], &fields[field], &why)) {
            *column = field + 1;
            return cxi_fail(CX_EPARSE, "member '%s' is %s", cxi_quote(qb, key), why);
        }
    }
    return CX_OK;
}

int cx_import_jsonl(cx_import_report **out, cx_store *store, cx_table table, const char *path,
                    const cx_import_options *opts)
{
    static const char fn[] = "cx_import_jsonl";
    cxi_import im;
    int rc = cxi_import_begin(&im, fn, out, store, table, path, opts);
    if (rc)
        return cxi_import_end(&im, out, rc);
    bool strict = opts && opts->strict;
    FILE *f = NULL;
    char *line = NULL;
    size_t linecap = 0;
    const char **fields = calloc(CXI_MAX_FIELDS, sizeof *fields);
    char(*scratch)[40] = calloc(CXI_MAX_FIELDS, sizeof *scratch);
    if (!fields || !scratch) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    /* Columns are found by name in each object: the layout holds every
     * column of the table, in schema order, then attributes as they appear. */
    cxi_layout *l = &im.layout;
    cxi_layout_all_columns(l, table);
    f = fopen(path, "rb");
    if (!f) {
        rc = cxi_fail(CX_EIO, "%s: %s: cannot open: %s", fn, path, strerror(errno));
        goto done;
    }
    if (opts && opts->reject_path && !(im.reject = fopen(opts->reject_path, "wb"))) {
        rc = cxi_fail(CX_EIO, "%s: %s: cannot create the reject file %s: %s", fn, path, opts->reject_path,
                      strerror(errno));
        goto done;
    }
    uint64_t lineno = 0;
    ssize_t got;
    errno = 0;
    while ((got = getline(&line, &linecap, f)) >= 0) {
        lineno++;
        size_t n = (size_t)got;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        size_t start = 0;
        if (lineno == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
            start = 3;
        bool blank = true;
        for (size_t k = start; k < n && blank; k++)
            blank = line[k] == ' ' || line[k] == '\t';
        if (blank)
            continue;
        im.report->read++;
        json_error_t err;
        json_t *obj = json_loadb(line + start, n - start, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
        int column = 0;
        if (!obj) {
            rc = cxi_fail(CX_EPARSE, "invalid JSON at byte %d: %s", err.position, err.text);
        } else if (!json_is_object(obj)) {
            rc = cxi_fail(CX_EPARSE, "the line is not a JSON object");
        } else if (!(rc = object_fields(&im, obj, fields, scratch, &column))) {
            rc = cxi_import_row(&im, (char *const *)fields, l->nfields, &column);
        }
        if (rc == CX_OK) {
            im.report->accepted++;
        } else if (!cxi_row_fault(rc)) {
            json_decref(obj);
            rc = cxi_fail(rc, "%s: %s: line %llu: %s", fn, path, (unsigned long long)lineno, cx_last_error());
            goto done;
        } else {
            char reason[600];
            snprintf(reason, sizeof reason, "%s", cx_last_error());
            cxi_report_reject(im.report, lineno, column, reason);
            if (im.reject) {
                fprintf(im.reject, "{\"_line\":%llu,\"_column\":%d,\"_reason\":", (unsigned long long)lineno, column);
                cxi_write_json_text(im.reject, reason, strlen(reason));
                if (obj && json_is_object(obj)) {
                    fputs(",\"row\":", im.reject);
                    fwrite(line + start, 1, n - start, im.reject);
                } else {
                    fputs(",\"text\":", im.reject);
                    cxi_write_json_text(im.reject, line + start, n - start);
                }
                fputs("}\n", im.reject);
            }
            if (strict) {
                json_decref(obj);
                rc = cxi_fail(rc, "%s: %s: line %llu, column %d: %s", fn, path, (unsigned long long)lineno, column,
                              reason);
                goto done;
            }
            rc = CX_OK;
        }
        json_decref(obj);
    }
    if (ferror(f))
        rc = cxi_fail(CX_EIO, "%s: %s: read error: %s", fn, path, strerror(errno));
done:
    if (f)
        fclose(f);
    free(line);
    free(fields);
    free(scratch);
    return cxi_import_end(&im, out, rc);
}
