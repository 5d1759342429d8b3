/*
 * cxkit's output: one table of named, typed cells (read from a cx_result
 * through its getters, or filled by hand), written as
 *   - an aligned table for a terminal: column widths in display cells
 *     (UTF-8 code points; combining marks 0, East Asian wide 2), numbers to
 *     the right, text to the left, control characters shown as spaces;
 *   - CSV (RFC 4180, CRLF): a text cell a spreadsheet would run as a
 *     formula (starting with = + - @, a tab or a CR) gets a leading
 *     apostrophe, so `=HYPERLINK(...)` stays text; numbers are written as
 *     they are (a negative NPS is a number, not a formula);
 *   - JSON: an array of objects keyed by column name; NaN is null; `<`, `>`
 *     and `&` are escaped so the text is inert when pasted into HTML.
 * Output to a file goes to a temporary file beside it, renamed over it
 * when complete: a failure leaves nothing behind and the old file as it
 * was.
 */
#define _POSIX_C_SOURCE 200809L
#include "cxkit_cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int out_init(out_table *t, size_t ncol, const char *const *names, int offset)
{
    memset(t, 0, sizeof *t);
    t->offset = offset;
    t->names = calloc(ncol ? ncol : 1, sizeof *t->names);
    if (!t->names)
        return -1;
    t->ncol = ncol;
    for (size_t c = 0; c < ncol; c++)
        if (!(t->names[c] = strdup(names[c])))
            return -1;
    return 0;
}

size_t out_add_row(out_table *t)
{
    if (t->nrow == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        out_cell *c = realloc(t->cells, cap * (t->ncol ? t->ncol : 1) * sizeof *c);
        if (!c)
            return (size_t)-1;
        t->cells = c;
        t->cap = cap;
    }
    memset(t->cells + t->nrow * t->ncol, 0, t->ncol * sizeof *t->cells);
    return t->nrow++;
}

out_cell *out_at(out_table *t, size_t row, size_t col) { return &t->cells[row * t->ncol + col]; }

int out_set_text(out_table *t, size_t row, size_t col, const char *text)
{
    out_cell *c = out_at(t, row, col);
    if (c->type == CELL_TEXT)
        free(c->v.text);
    c->type = CELL_NONE;
    if (!text)
        return 0;
    if (!(c->v.text = strdup(text)))
        return -1;
    c->type = CELL_TEXT;
    return 0;
}

int out_from_result(out_table *t, const cx_result *r, int offset)
{
    size_t ncol = cx_result_column_count(r), nrow = cx_result_row_count(r);
    const char **names = calloc(ncol ? ncol : 1, sizeof *names);
    int *types = calloc(ncol ? ncol : 1, sizeof *types);
    int rc = names && types ? 0 : -1;
    for (size_t c = 0; c < ncol && rc == 0; c++)
        if (cx_result_column_name(&names[c], r, c) != CX_OK || cx_result_column_type(&types[c], r, c) != CX_OK)
            rc = -1;
    if (rc == 0)
        rc = out_init(t, ncol, names, offset);
    for (size_t i = 0; i < nrow && rc == 0; i++) {
        size_t row = out_add_row(t);
        if (row == (size_t)-1) {
            rc = -1;
            break;
        }
        for (size_t c = 0; c < ncol && rc == 0; c++) {
            out_cell *cell = out_at(t, row, c);
            if (types[c] == CX_TYPE_STRING) {
                const char *v;
                rc = cx_result_get_string(&v, r, i, c) == CX_OK ? out_set_text(t, row, c, v) : -1;
            } else if (types[c] == CX_TYPE_INT || types[c] == CX_TYPE_TIME) {
                int64_t v;
                if (cx_result_get_int(&v, r, i, c) != CX_OK)
                    rc = -1;
                else if (types[c] == CX_TYPE_INT || v != CX_TIME_NONE) {
                    cell->type = types[c] == CX_TYPE_INT ? CELL_INT : CELL_TIME;
                    cell->v.i = v;
                }
            } else {
                double v;
                if (cx_result_get_real(&v, r, i, c) != CX_OK)
                    rc = -1;
                else if (!isnan(v)) {
                    cell->type = CELL_REAL;
                    cell->v.d = v;
                }
            }
        }
    }
    free(names);
    free(types);
    return rc;
}

int out_select(out_table *t, const char *list, const char **bad, size_t *bad_len)
{
    size_t want = 1;
    for (const char *p = list; *p; p++)
        want += *p == ',';
    size_t *pick = malloc(want * sizeof *pick), n = 0;
    if (!pick)
        return -1;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        size_t c = 0;
        while (c < t->ncol && !(strlen(t->names[c]) == len && memcmp(t->names[c], p, len) == 0))
            c++;
        if (c == t->ncol) {
            *bad = p;
            *bad_len = len;
            free(pick);
            return 1;
        }
        pick[n++] = c;
        if (!p[len])
            break;
        p += len + 1;
    }
    char **names = malloc(n * sizeof *names);
    out_cell *cells = calloc((t->cap ? t->cap : 1) * n, sizeof *cells);
    if (!names || !cells) {
        free(names);
        free(cells);
        free(pick);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        names[k] = strdup(t->names[pick[k]]);
    for (size_t r = 0; r < t->nrow; r++)
        for (size_t k = 0; k < n; k++) {
            out_cell *from = out_at(t, r, pick[k]);
            cells[r * n + k] = *from;
            if (from->type == CELL_TEXT)
                cells[r * n + k].v.text = strdup(from->v.text);
        }
    free(pick);
    size_t nrow = t->nrow, cap = t->cap;
    int offset = t->offset;
    out_free(t);
    t->names = names;
    t->cells = cells;
    t->ncol = n;
    t->nrow = nrow;
    t->cap = cap ? cap : 1;
    t->offset = offset;
    for (size_t k = 0; k < n; k++)
        if (!names[k])
            return -1;
    for (size_t r = 0; r < nrow; r++)
        for (size_t k = 0; k < n; k++)
            if (cells[r * n + k].type == CELL_TEXT && !cells[r * n + k].v.text) {
                cells[r * n + k].type = CELL_NONE;
                return -1;
            }
    return 0;
}

double out_number(const out_cell *c)
{
    switch (c->type) {
    case CELL_INT:
    case CELL_TIME:
        return (double)c->v.i;
    case CELL_REAL:
        return c->v.d;
    default:
        return NAN;
    }
}

void out_sort_desc(out_table *t, size_t col)
{
    /* insertion sort on row indexes: stable, and the tables are small */
    size_t *idx = malloc((t->nrow ? t->nrow : 1) * sizeof *idx);
    out_cell *cells = malloc((t->cap ? t->cap : 1) * (t->ncol ? t->ncol : 1) * sizeof *cells);
    if (!idx || !cells) {
        free(idx);
        free(cells);
        return; /* left unsorted: still correct, only in another order */
    }
    for (size_t i = 0; i < t->nrow; i++) {
        double v = out_number(out_at(t, i, col));
        size_t j = i;
        while (j > 0) {
            double u = out_number(out_at(t, idx[j - 1], col));
            if (!(isnan(u) && !isnan(v)) && !(u < v))
                break;
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    for (size_t i = 0; i < t->nrow; i++)
        memcpy(cells + i * t->ncol, t->cells + idx[i] * t->ncol, t->ncol * sizeof *cells);
    free(t->cells);
    t->cells = cells;
    free(idx);
}

void out_truncate(out_table *t, size_t rows)
{
    for (size_t r = rows; r < t->nrow; r++)
        for (size_t c = 0; c < t->ncol; c++)
            if (out_at(t, r, c)->type == CELL_TEXT)
                free(out_at(t, r, c)->v.text);
    if (rows < t->nrow)
        t->nrow = rows;
}

void out_free(out_table *t)
{
    out_truncate(t, 0);
    for (size_t c = 0; c < t->ncol; c++)
        free(t->names[c]);
    free(t->names);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* ---- text -------------------------------------------------------------- */

/* Decodes one UTF-8 sequence at s (len > 0); an invalid byte is U+FFFD. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *used)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || n > len) {
        *used = 1;
        return 0xFFFD;
    }
    uint32_t cp = n == 1 ? c : c & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *used = 1;
            return 0xFFFD;
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    *used = n;
    return cp;
}

static int cp_width(uint32_t cp)
{
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x483 && cp <= 0x489) || (cp >= 0x591 && cp <= 0x5BD) ||
        (cp >= 0x610 && cp <= 0x61A) || (cp >= 0x64B && cp <= 0x65F) || cp == 0x670 ||
        (cp >= 0x6D6 && cp <= 0x6DC) || (cp >= 0x6DF && cp <= 0x6E4) || (cp >= 0x6E7 && cp <= 0x6E8) ||
        (cp >= 0x6EA && cp <= 0x6ED) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF || (cp >= 0xFE00 && cp <= 0xFE0F) ||
        (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x20D0 && cp <= 0x20FF))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
        (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

size_t display_width(const char *s, size_t len)
{
    size_t w = 0, used;
    for (size_t i = 0; i < len; i += used)
        w += (size_t)cp_width(next_cp((const unsigned char *)s + i, len - i, &used));
    return w;
}

/* A number as a table shows it: integers whole, reals to 3 decimals (1 from
 * 1000 up) without trailing zeros. */
static void format_real_short(char *buf, size_t cap, double v)
{
    snprintf(buf, cap, fabs(v) >= 1000 ? "%.1f" : "%.3f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
}

/* A cell as text: `exact` for CSV and JSON (every digit of a real), or
 * shortened for a table. Returns a pointer to buf or to the cell's text. */
static const char *cell_text(char *buf, size_t cap, const out_cell *c, int offset, bool exact)
{
    switch (c->type) {
    case CELL_TEXT:
        return c->v.text;
    case CELL_INT:
        snprintf(buf, cap, "%lld", (long long)c->v.i);
        return buf;
    case CELL_TIME:
        if (cx_time_format(buf, cap, c->v.i, offset) != CX_OK)
            snprintf(buf, cap, "%lld", (long long)c->v.i);
        return buf;
    case CELL_REAL:
        if (!isfinite(c->v.d))
            return isnan(c->v.d) ? "" : c->v.d > 0 ? "inf" : "-inf";
        if (exact)
            snprintf(buf, cap, "%.17g", c->v.d);
        else
            format_real_short(buf, cap, c->v.d);
        return buf;
    default:
        return "";
    }
}

#define TABLE_MAX_WIDTH 48 /* display cells: longer text is cut with an ellipsis */

/* Writes `text` shown in at most `max` cells (control characters as
 * spaces), then pads to `width`; returns nothing. */
static void put_padded(FILE *f, const char *text, size_t width, bool right, size_t max)
{
    size_t len = strlen(text), w = display_width(text, len), shown = len, used;
    bool cut = false;
    if (w > max) {
        size_t acc = 0;
        for (shown = 0; shown < len; shown += used) {
            int cw = cp_width(next_cp((const unsigned char *)text + shown, len - shown, &used));
            if (acc + (size_t)cw > max - 1)
                break;
            acc += (size_t)cw;
        }
        w = acc + 1;
        cut = true;
    }
    if (right)
        for (size_t i = w; i < width; i++)
            fputc(' ', f);
    for (size_t i = 0; i < shown; i++)
        fputc((unsigned char)text[i] < 0x20 || text[i] == 0x7F ? ' ' : text[i], f);
    if (cut)
        fputs("\u2026", f);
    if (!right)
        for (size_t i = w; i < width; i++)
            fputc(' ', f);
}

static bool column_numeric(const out_table *t, size_t c)
{
    bool any = false;
    for (size_t r = 0; r < t->nrow; r++) {
        int ty = t->cells[r * t->ncol + c].type;
        if (ty == CELL_TEXT || ty == CELL_TIME)
            return false;
        any |= ty != CELL_NONE;
    }
    return any;
}

static void write_table(FILE *f, const out_table *t)
{
    if (t->nrow == 0) {
        fputs("(no rows)\n", f);
        return;
    }
    size_t *width = calloc(t->ncol ? t->ncol : 1, sizeof *width);
    bool *right = calloc(t->ncol ? t->ncol : 1, sizeof *right);
    if (!width || !right) {
        free(width);
        free(right);
        fputs("(out of memory)\n", f);
        return;
    }
    char buf[64];
    for (size_t c = 0; c < t->ncol; c++) {
        width[c] = display_width(t->names[c], strlen(t->names[c]));
        right[c] = column_numeric(t, c);
        for (size_t r = 0; r < t->nrow; r++) {
            const char *s = cell_text(buf, sizeof buf, &t->cells[r * t->ncol + c], t->offset, false);
            size_t w = display_width(s, strlen(s));
            if (w > TABLE_MAX_WIDTH)
                w = TABLE_MAX_WIDTH;
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t c = 0; c < t->ncol; c++) {
        put_padded(f, t->names[c], c + 1 < t->ncol || right[c] ? width[c] : 0, right[c], SIZE_MAX);
        fputs(c + 1 < t->ncol ? "  " : "\n", f);
    }
    for (size_t c = 0; c < t->ncol; c++) {
        for (size_t i = 0; i < width[c]; i++)
            fputc('-', f);
        fputs(c + 1 < t->ncol ? "  " : "\n", f);
    }
    for (size_t r = 0; r < t->nrow; r++)
        for (size_t c = 0; c < t->ncol; c++) {
            const char *s = cell_text(buf, sizeof buf, &t->cells[r * t->ncol + c], t->offset, false);
            put_padded(f, s, c + 1 < t->ncol || right[c] ? width[c] : 0, right[c], TABLE_MAX_WIDTH);
            fputs(c + 1 < t->ncol ? "  " : "\n", f);
        }
    free(width);
    free(right);
}

/* A text a spreadsheet would take for a formula. */
static bool formula_like(const char *s) { return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'; }

static void csv_field(FILE *f, const char *s, bool is_text)
{
    bool guard = is_text && formula_like(s);
    bool quote = guard || (is_text && (s[0] == '\0' || s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' '))) ||
                 strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', f);
    if (guard)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    if (quote)
        fputc('"', f);
}

static void write_csv(FILE *f, const out_table *t)
{
    char buf[64];
    for (size_t c = 0; c < t->ncol; c++) {
        csv_field(f, t->names[c], true);
        fputs(c + 1 < t->ncol ? "," : "\r\n", f);
    }
    for (size_t r = 0; r < t->nrow; r++)
        for (size_t c = 0; c < t->ncol; c++) {
            const out_cell *cell = &t->cells[r * t->ncol + c];
            if (cell->type != CELL_NONE)
                csv_field(f, cell_text(buf, sizeof buf, cell, t->offset, true), cell->type == CELL_TEXT);
            fputs(c + 1 < t->ncol ? "," : "\r\n", f);
        }
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '<':
        case '>':
        case '&':
            fprintf(f, "\\u%04x", *p);
            break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void write_json(FILE *f, const out_table *t)
{
    char buf[64];
    fputc('[', f);
    for (size_t r = 0; r < t->nrow; r++) {
        fputs(r ? ",\n {" : "\n {", f);
        for (size_t c = 0; c < t->ncol; c++) {
            const out_cell *cell = &t->cells[r * t->ncol + c];
            if (c)
                fputs(", ", f);
            json_string(f, t->names[c]);
            fputs(": ", f);
            if (cell->type == CELL_NONE || (cell->type == CELL_REAL && !isfinite(cell->v.d)))
                fputs("null", f);
            else if (cell->type == CELL_TEXT || cell->type == CELL_TIME)
                json_string(f, cell_text(buf, sizeof buf, cell, t->offset, true));
            else
                fputs(cell_text(buf, sizeof buf, cell, t->offset, true), f);
        }
        fputc('}', f);
    }
    fputs(t->nrow ? "\n]\n" : "]\n", f);
}

/* mkstemp() makes the file private (0600): give it the mode a new file
 * gets, as fopen() would. */
static int fchmod_like(const char *path)
{
    mode_t mask = umask(0);
    umask(mask);
    return chmod(path, 0666 & ~mask);
}

int out_write(const out_table *t, out_format format, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return fail("out of memory");
    if (format == FORMAT_CSV)
        write_csv(m, t);
    else if (format == FORMAT_JSON)
        write_json(m, t);
    else
        write_table(m, t);
    if (fclose(m) != 0) {
        free(text);
        return fail("out of memory");
    }
    if (!path) {
        size_t n = fwrite(text, 1, len, stdout);
        free(text);
        return n == len ? EXIT_DONE : fail("cannot write the output: %s", strerror(errno));
    }
    /* beside the target, so that the rename stays in one file system */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(text);
        return fail("out of memory");
    }
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        free(text);
        return fail("cannot write %s: %s", path, strerror(e));
    }
    size_t done = 0;
    int e = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            break;
        }
        done += (size_t)n;
    }
    if (!e && fsync(fd) != 0 && errno != EINVAL)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && fchmod_like(tmp) != 0)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e)
        unlink(tmp);
    free(tmp);
    free(text);
    return e ? fail("cannot write %s: %s", path, strerror(e)) : EXIT_DONE;
}
