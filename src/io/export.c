/*
 * CSV and JSON Lines export. Both walk a table row by row through the
 * schema, so every column the store knows is written, and format values so
 * that importing the file and exporting again gives the same bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

enum fmt { FMT_CSV, FMT_JSONL };

#define EXPORT_BUFFER (1u << 20)

/* Shortest decimal text that reads back to the same double, with '.'
 * whatever the host's numeric locale. */
static void fmt_real(char *buf, size_t cap, double v) { cxi_format_real(buf, cap, v); }

/* A cell as text, and whether it is a JSON string (else a JSON number). */
typedef struct cell {
    const char *text; /* NULL when missing */
    bool is_string;
    char buf[CX_TIME_FORMAT_MAX + 8];
} cell;

static int read_cell(const cx_store *s, int table, int col, size_t row, int offset, cell *c)
{
    int type, rc;
    cx_column_type(&type, table, col);
    c->is_string = false;
    c->text = c->buf;
    switch (type) {
    case CX_TYPE_STRING:
        c->is_string = true;
        return cx_store_get_string(&c->text, s, table, col, row);
    case CX_TYPE_TIME: {
        int64_t t;
        if ((rc = cx_store_get_int(&t, s, table, col, row)))
            return rc;
        c->is_string = true;
        if (t == CX_TIME_NONE)
            c->text = NULL;
        else
            rc = cx_time_format(c->buf, sizeof c->buf, t, offset);
        return rc;
    }
    case CX_TYPE_INT: {
        int64_t v;
        if ((rc = cx_store_get_int(&v, s, table, col, row)))
            return rc;
        snprintf(c->buf, sizeof c->buf, "%lld", (long long)v);
        return CX_OK;
    }
    default: {
        double v;
        if ((rc = cx_store_get_real(&v, s, table, col, row)))
            return rc;
        fmt_real(c->buf, sizeof c->buf, v);
        return CX_OK;
    }
    }
}

static void write_cell(FILE *f, enum fmt fmt, const char *name, const cell *c, bool *first)
{
    if (fmt == FMT_CSV) {
        if (!*first)
            fputc(',', f);
        *first = false;
        if (c->text && c->is_string)
            cxi_write_csv_text(f, c->text);
        else if (c->text) /* a number: never quoted, never taken for a formula */
            fputs(c->text, f);
        return;
    }
    if (!c->text)
        return;
    fputc(*first ? '{' : ',', f);
    *first = false;
    cxi_write_json_text(f, name, strlen(name));
    fputc(':', f);
    if (c->is_string)
        cxi_write_json_text(f, c->text, strlen(c->text));
    else
        fputs(c->text, f);
}

static int export(const char *fn, enum fmt fmt, const cx_store *s, int table, const char *path, int offset)
{
    if (!s || !path)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    if (table < 0 || table >= CX_TABLE_COUNT)
        return cxi_fail(CX_EINVAL, "%s: no table %d", fn, table);
    if (!cxi_offset_ok(offset))
        return cxi_fail(CX_ERANGE, "%s: offset %d minutes is beyond +-14:00", fn, offset);
    size_t ncols, rows, nattr = 0;
    cx_column_count(&ncols, table);
    cx_store_rows(&rows, s, table);
    if (table == CX_TABLE_CUSTOMERS)
        cx_vocab_count(&nattr, s, CX_VOCAB_ATTRIBUTE);
    /* The stdio buffer comes from the store's allocator (with a count of its
     * own: the store is only read), so the C library allocates none; it is
     * taken before the file is created, so running out of memory leaves no
     * file behind. */
    cxi_mem mem;
    cxi_mem_init(&mem, s->mem.fn, s->mem.ud);
    char *buf = cxi_alloc(&mem, EXPORT_BUFFER);
    if (!buf)
        return cxi_fail(CX_ENOMEM, "%s: %s: out of memory", fn, path);
    FILE *f = fopen(path, "wb");
    if (!f) {
        cxi_free(&mem, buf, EXPORT_BUFFER);
        return cxi_fail(CX_EIO, "%s: %s: cannot create: %s", fn, path, strerror(errno));
    }
    setvbuf(f, buf, _IOFBF, EXPORT_BUFFER);
    int rc = CX_OK;
    if (fmt == FMT_CSV) {
        for (size_t c = 0; c < ncols + nattr; c++) {
            const char *name;
            if (c < ncols)
                cx_column_name(&name, table, (int)c);
            else
                cx_vocab_name(&name, s, CX_VOCAB_ATTRIBUTE, c - ncols);
            if (c)
                fputc(',', f);
            cxi_write_csv_text(f, name);
        }
        fputc('\n', f);
    }
    cell cl;
    for (size_t r = 0; r < rows && rc == CX_OK; r++) {
        bool first = true;
        for (size_t c = 0; c < ncols && rc == CX_OK; c++) {
            const char *name;
            cx_column_name(&name, table, (int)c);
            if (!(rc = read_cell(s, table, (int)c, r, offset, &cl)))
                write_cell(f, fmt, name, &cl, &first);
        }
        for (size_t a = 0; a < nattr && rc == CX_OK; a++) {
            const char *key, *id;
            cx_vocab_name(&key, s, CX_VOCAB_ATTRIBUTE, a);
            cx_store_get_string(&id, s, table, CX_CUSTOMER_ID, r);
            cl.is_string = true;
            if (!(rc = cx_customer_get_attribute(&cl.text, s, id, key)))
                write_cell(f, fmt, key, &cl, &first);
        }
        if (fmt == FMT_JSONL && first)
            fputc('{', f);
        fputs(fmt == FMT_JSONL ? "}\n" : "\n", f);
    }
    if (rc == CX_OK && ferror(f))
        rc = cxi_fail(CX_EIO, "%s: %s: write error: %s", fn, path, strerror(errno));
    if (fclose(f) != 0 && rc == CX_OK)
        rc = cxi_fail(CX_EIO, "%s: %s: write error: %s", fn, path, strerror(errno));
    cxi_free(&mem, buf, EXPORT_BUFFER);
    return rc;
}

int cx_export_csv(const cx_store *s, cx_table table, const char *path, int offset_minutes)
{
    return export("cx_export_csv", FMT_CSV, s, table, path, offset_minutes);
}

int cx_export_jsonl(const cx_store *s, cx_table table, const char *path, int offset_minutes)
{
    return export("cx_export_jsonl", FMT_JSONL, s, table, path, offset_minutes);
}
