/*
 * JSON Lines import: each line is parsed with Jansson (MIT) and its members
 * are turned into the same text fields a CSV row gives, so both formats
 * share one conversion and one set of checks. Lines are read into a buffer
 * of the store's allocator; only Jansson's parse of each line allocates
 * elsewhere (see io.h).
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
        cxi_format_double(scratch, cap, 17, json_real_value(v)); /* read back by the importer, locale-free */
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

/* Did Jansson fail for want of memory (its allocator, not the store's)?
 * That ends the import like any other out-of-memory, rather than
 * rejecting a well-formed line. */
static bool jansson_out_of_memory(const json_error_t *err)
{
#if JANSSON_VERSION_HEX >= 0x020b00
    return json_error_code(err) == json_error_out_of_memory;
#else
    return strcmp(err->text, "out of memory") == 0;
#endif
}

/* Lines read in chunks into a buffer of the import's allocator (getline
 * would take its memory from malloc). */
typedef struct lines {
    FILE *f;
    cxi_mem *mem;
    char *buf;
    size_t cap, len, pos;
    bool eof;
} lines;

#define LINE_CHUNK (64u << 10)

/* The next line, without its line feed, in s[0..*n); *got false at the end
 * of the file. CX_OK, CX_ENOMEM or CX_EIO (the last error not set). */
static int next_line(lines *L, char **s, size_t *n, bool *got)
{
    for (;;) {
        /* no arithmetic on the NULL buffer of the first call (undefined behaviour) */
        char *at = L->len > L->pos ? L->buf + L->pos : NULL;
        char *nl = at ? memchr(at, '\n', L->len - L->pos) : NULL;
        if (nl || (L->eof && L->pos < L->len)) {
            *s = at;
            *n = nl ? (size_t)(nl - at) : L->len - L->pos;
            L->pos += *n + (nl != NULL);
            *got = true;
            return CX_OK;
        }
        if (L->eof) {
            *got = false;
            return CX_OK;
        }
        if (L->pos > 0) {
            memmove(L->buf, L->buf + L->pos, L->len - L->pos);
            L->len -= L->pos;
            L->pos = 0;
        }
        if (L->len == L->cap) {
            size_t ncap = L->cap ? 2 * L->cap : LINE_CHUNK;
            char *nb = cxi_realloc(L->mem, L->buf, L->cap, ncap);
            if (!nb)
                return CX_ENOMEM;
            L->buf = nb;
            L->cap = ncap;
        }
        size_t got_bytes = fread(L->buf + L->len, 1, L->cap - L->len, L->f);
        L->len += got_bytes;
        if (got_bytes == 0) {
            if (ferror(L->f))
                return CX_EIO;
            L->eof = true;
        }
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
    char *copy = cxi_strdup(&im->mem, name);
    if (!copy)
        return cxi_fail(CX_ENOMEM, "out of memory");
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
            /* refused before anything is stored: an attribute needs a name,
             * and the row must go in whole or not at all */
            if (!*name)
                return cxi_fail(CX_EPARSE, "member '' names no column, and an attribute name cannot be empty");
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

/* A refused line, for its reject record: the text, and whether it was a
 * JSON object (kept as "row") or not (kept as a string, "text"). */
typedef struct jsonl_refused {
    const char *text;
    size_t len;
    bool object;
} jsonl_refused;

static void write_jsonl_reject(FILE *reject, uint64_t line, int column, const char *reason, void *ctx)
{
    const jsonl_refused *x = ctx;
    fprintf(reject, "{\"_line\":%llu,\"_column\":%d,\"_reason\":", (unsigned long long)line, column);
    cxi_write_json_text(reject, reason, strlen(reason));
    if (x->object) {
        fputs(",\"row\":", reject);
        fwrite(x->text, 1, x->len, reject);
    } else {
        fputs(",\"text\":", reject);
        cxi_write_json_text(reject, x->text, x->len);
    }
    fputs("}\n", reject);
}

int cx_import_jsonl(cx_import_report **out, cx_store *store, cx_table table, const char *path,
                    const cx_import_options *opts)
{
    static const char fn[] = "cx_import_jsonl";
    cxi_import im;
    int rc = cxi_import_begin(&im, fn, out, store, table, path, opts);
    if (rc)
        return cxi_import_end(&im, out, rc);
    lines in = {.mem = &im.mem};
    const char **fields = cxi_alloc(&im.mem, CXI_MAX_FIELDS * sizeof *fields);
    char(*scratch)[40] = cxi_alloc(&im.mem, CXI_MAX_FIELDS * sizeof *scratch);
    if (!fields || !scratch) {
        rc = cxi_fail(CX_ENOMEM, "%s: %s: out of memory", fn, path);
        goto done;
    }
    /* Columns are found by name in each object: the layout holds every
     * column of the table, in schema order, then attributes as they appear. */
    cxi_layout *l = &im.layout;
    cxi_layout_all_columns(l, table);
    in.f = fopen(path, "rb");
    if (!in.f) {
        rc = cxi_fail(CX_EIO, "%s: %s: cannot open: %s", fn, path, strerror(errno));
        goto done;
    }
    cxi_unbuffered(in.f); /* next_line reads whole chunks */
    if ((rc = cxi_reject_open(&im)))
        goto done;
    uint64_t lineno = 0;
    char *line;
    size_t n;
    bool got;
    errno = 0;
    for (;;) {
        if ((rc = next_line(&in, &line, &n, &got))) {
            rc = rc == CX_ENOMEM ? cxi_fail(CX_ENOMEM, "%s: %s: out of memory", fn, path)
                                 : cxi_fail(CX_EIO, "%s: %s: read error: %s", fn, path, strerror(errno));
            goto done;
        }
        if (!got)
            break;
        lineno++;
        while (n && line[n - 1] == '\r')
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
        if (!obj && jansson_out_of_memory(&err)) {
            rc = cxi_fail(CX_ENOMEM, "out of memory in Jansson");
        } else if (!obj) {
            rc = cxi_fail(CX_EPARSE, "invalid JSON at byte %d: %s", err.position, err.text);
        } else if (!json_is_object(obj)) {
            rc = cxi_fail(CX_EPARSE, "the line is not a JSON object");
        } else if (!(rc = object_fields(&im, obj, fields, scratch, &column))) {
            rc = cxi_import_row(&im, (char *const *)fields, l->nfields, &column);
        }
        if (rc == CX_OK) {
            im.report->accepted++;
        } else {
            jsonl_refused x = {line + start, n - start, obj && json_is_object(obj)};
            rc = cxi_import_refuse(&im, rc, lineno, column, write_jsonl_reject, &x);
        }
        json_decref(obj);
        if (rc)
            goto done;
    }
done:
    if (in.f)
        fclose(in.f);
    cxi_free(&im.mem, in.buf, in.cap);
    cxi_free(&im.mem, fields, CXI_MAX_FIELDS * sizeof *fields);
    cxi_free(&im.mem, scratch, CXI_MAX_FIELDS * sizeof *scratch);
    return cxi_import_end(&im, out, rc);
}
