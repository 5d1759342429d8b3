/* Synchronising imports (cx_import_options_set_existing()): what a CRM feed
 * needs to hold, on the demo data and on small hand-made files.
 *
 * - Order does not matter: shuffled rows, files split in parts and imported
 *   in any order give the store a sorted single import gives: the same
 *   records (every table's export, rows sorted) and the same analyses
 *   (queries, journeys, funnel, RFM, survival, cohorts).
 * - Importing the same files again changes nothing, with SKIP and UPDATE.
 * - A day-by-day sync (the customers, case states and events of each day,
 *   cases again on every day their state changes) ends where a one-shot
 *   import of the final files starts, in a store and streaming into SQLite.
 * - A failed strict sync leaves the store byte for byte as it was.
 *
 * - The cxkit command (when the build has the tools: CXKIT_TOOL is its
 *   path): sync, forget and pseudonymize on SQLite files, exit statuses.
 *
 * The demo data's directory comes from $CXKIT_DATA, else from the path the
 * build gives (CXKIT_DEMO_DATA, examples/data of the source tree). */
#include "cx_test.h"

#include <errno.h>
#include <sys/wait.h>

#ifndef CXKIT_DEMO_DATA
#define CXKIT_DEMO_DATA "examples/data"
#endif

static const char *demo_dir(void)
{
    const char *d = getenv("CXKIT_DATA");
    return d && *d ? d : CXKIT_DEMO_DATA;
}

/* A part of the demo data, for the tests that would be slow on all of it
 * (under valgrind above all): the first `ncust` customers and everything of
 * theirs, written to `dir` (a buffer of 512 bytes, set here). */
#define DEMO_PART 600
static void demo_part(char *dir, size_t ncust);

/* Every table after the ones its rows refer to. */
static const cx_table order[CX_TABLE_COUNT] = {CX_TABLE_CUSTOMERS,    CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,
                                               CX_TABLE_INTERACTIONS, CX_TABLE_QUESTIONS,   CX_TABLE_FEEDBACK,
                                               CX_TABLE_TRANSACTIONS};

static const char *tname(int table)
{
    const char *n = NULL;
    OK(cx_table_name(&n, table));
    return n;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    EXPECT(p != NULL, "out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* ---- CSV files as records ------------------------------------------------- */

typedef struct rec {
    const char *raw; /* the record's bytes in the file, line end included */
    size_t len;
    char **f; /* its fields, unquoted, in buf */
    char *buf;
    int nf;
} rec;

typedef struct csvf {
    char *text;
    size_t size;
    rec head;
    rec *r;
    size_t n;
} csvf;

/* One RFC 4180 record from p (at most end): its fields, and the byte after it. */
static const char *parse_record(rec *out, const char *p, const char *end)
{
    const char *q = p;
    for (bool quoted = false; q < end; q++) /* the line end outside quotes */
        if (*q == '"')
            quoted = !quoted;
        else if (!quoted && *q == '\n') {
            q++;
            break;
        }
    out->raw = p;
    out->len = (size_t)(q - p);
    out->buf = xmalloc(out->len + 1);
    size_t cap = 16, k = 0;
    out->f = xmalloc(cap * sizeof *out->f);
    out->nf = 0;
    for (;;) {
        if ((size_t)out->nf == cap) {
            cap *= 2;
            out->f = realloc(out->f, cap * sizeof *out->f);
            EXPECT(out->f != NULL, "out of memory");
        }
        out->f[out->nf++] = out->buf + k;
        if (p < q && *p == '"') {
            for (p++; p < q; p++) {
                if (*p == '"' && p + 1 < q && p[1] == '"')
                    out->buf[k++] = *p++;
                else if (*p == '"')
                    break;
                else
                    out->buf[k++] = *p;
            }
            EXPECT(p < q, "unterminated quote");
            p++;
        } else {
            while (p < q && *p != ',' && *p != '\n' && *p != '\r')
                out->buf[k++] = *p++;
        }
        out->buf[k++] = '\0';
        if (p < q && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    return q;
}

static csvf *csv_read(const char *path)
{
    csvf *c = xmalloc(sizeof *c);
    c->text = slurp(path, &c->size);
    const char *p = c->text, *end = c->text + c->size;
    p = parse_record(&c->head, p, end);
    size_t cap = 1024;
    c->r = xmalloc(cap * sizeof *c->r);
    c->n = 0;
    while (p < end) {
        if (c->n == cap) {
            cap *= 2;
            c->r = realloc(c->r, cap * sizeof *c->r);
            EXPECT(c->r != NULL, "out of memory");
        }
        p = parse_record(&c->r[c->n], p, end);
        EXPECT(c->r[c->n].nf == c->head.nf, "%s record %zu: %d fields, header %d", path, c->n + 1,
                      c->r[c->n].nf, c->head.nf);
        c->n++;
    }
    return c;
}

static void rec_free(rec *r)
{
    free(r->buf);
    free(r->f);
}

static void csv_free(csvf *c)
{
    if (!c)
        return;
    rec_free(&c->head);
    for (size_t i = 0; i < c->n; i++)
        rec_free(&c->r[i]);
    free(c->r);
    free(c->text);
    free(c);
}

/* The position of a column in the file; the test fails if there is none. */
static int csv_col(const csvf *c, const char *name)
{
    for (int i = 0; i < c->head.nf; i++)
        if (strcmp(c->head.f[i], name) == 0)
            return i;
    ck_abort_msg("no column %s", name);
    return -1;
}

static FILE *xopen(const char *path)
{
    FILE *f = fopen(path, "wb");
    EXPECT(f != NULL, "cannot create %s: %s", path, strerror(errno));
    return f;
}

static void xclose(FILE *f) { EXPECT(fclose(f) == 0, "cannot write: %s", strerror(errno)); }

/* A file of the header and the records idx[0..n) (all of them in order when
 * idx is NULL), byte for byte as read. */
static void csv_write(const char *path, const csvf *c, const size_t *idx, size_t n)
{
    FILE *f = xopen(path);
    fwrite(c->head.raw, 1, c->head.len, f);
    for (size_t i = 0; i < n; i++) {
        const rec *r = &c->r[idx ? idx[i] : i];
        fwrite(r->raw, 1, r->len, f);
    }
    xclose(f);
}

/* One record from fields, quoted where needed. */
static void write_fields(FILE *f, char *const *fields, int nf)
{
    for (int i = 0; i < nf; i++) {
        const char *v = fields[i];
        if (i)
            fputc(',', f);
        if (!strpbrk(v, ",\"\r\n")) {
            fputs(v, f);
            continue;
        }
        fputc('"', f);
        for (; *v; v++) {
            if (*v == '"')
                fputc('"', f);
            fputc(*v, f);
        }
        fputc('"', f);
    }
    fputc('\n', f);
}

/* ---- a store's state ------------------------------------------------------ */

static char *export_bytes(const cx_store *s, int table, size_t *len)
{
    const char *path = P("export.csv");
    OK(cx_export_csv(s, table, path, 180));
    return slurp(path, len);
}

static int cmp_rec(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->raw, y->raw, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* A table's export with its rows sorted: equal for two stores holding the
 * same records, whatever order they came in. */
static char *canonical(const cx_store *s, int table)
{
    const char *path = P("canonical.csv");
    OK(cx_export_csv(s, table, path, 180));
    csvf *c = csv_read(path);
    qsort(c->r, c->n, sizeof *c->r, cmp_rec);
    char *out = xmalloc(c->size + 1), *p = out;
    memcpy(p, c->head.raw, c->head.len);
    p += c->head.len;
    for (size_t i = 0; i < c->n; i++) {
        memcpy(p, c->r[i].raw, c->r[i].len);
        p += c->r[i].len;
    }
    *p = '\0';
    csv_free(c);
    return out;
}

/* Where two texts first differ, for a message. */
static void assert_text_eq(const char *what, const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return;
    size_t i = 0, line = 1;
    for (; a[i] && a[i] == b[i]; i++)
        line += a[i] == '\n';
    size_t from = i;
    while (from > 0 && a[from - 1] != '\n')
        from--;
    ck_abort_msg("%s differ at line %zu:\n  %.200s\nvs\n  %.200s", what, line, a + from, b + from);
}

/* The same records in every table (rows in any order). */
static void assert_same_records(const cx_store *a, const cx_store *b)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        EXPECT(store_rows(a, t) == store_rows(b, t), "%s: %zu rows vs %zu", tname(t), store_rows(a, t),
               store_rows(b, t));
        char *x = canonical(a, t), *y = canonical(b, t);
        char what[64];
        snprintf(what, sizeof what, "%s (rows sorted)", tname(t));
        assert_text_eq(what, x, y);
        free(x);
        free(y);
    }
}

/* Every table's export, byte for byte, and every named set, name for name. */
typedef struct snapshot {
    char *t[CX_TABLE_COUNT];
    size_t len[CX_TABLE_COUNT];
    char *vocab[CX_VOCAB_COUNT];
} snapshot;

static snapshot snap(const cx_store *s)
{
    snapshot out;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        out.t[t] = export_bytes(s, t, &out.len[t]);
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        size_t n = vocab_size(s, v), total = 1;
        for (size_t i = 0; i < n; i++) {
            const char *name;
            OK(cx_vocab_name(&name, s, v, i));
            total += strlen(name) + 1;
        }
        char *p = out.vocab[v] = xmalloc(total);
        for (size_t i = 0; i < n; i++) {
            const char *name;
            OK(cx_vocab_name(&name, s, v, i));
            p += sprintf(p, "%s\n", name);
        }
        *p = '\0';
    }
    return out;
}

static void snap_free(snapshot *s)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        free(s->t[t]);
    for (int v = 0; v < CX_VOCAB_COUNT; v++)
        free(s->vocab[v]);
}

static void assert_snap_eq(const snapshot *a, const snapshot *b)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        EXPECT(a->len[t] == b->len[t] && memcmp(a->t[t], b->t[t], a->len[t]) == 0, "%s export: %zu bytes vs %zu",
               tname(t), a->len[t], b->len[t]);
        if (a->len[t] == b->len[t])
            continue;
        assert_text_eq(tname(t), a->t[t], b->t[t]);
    }
    for (int v = 0; v < CX_VOCAB_COUNT; v++)
        assert_text_eq("named set", a->vocab[v], b->vocab[v]);
}

/* ---- analyses, compared whatever the order of their rows ------------------ */

typedef struct arow {
    char *key;  /* the cells that are not reals, exactly */
    char *sort; /* key, then the reals to 9 digits: pairs equal rows */
    double *v;  /* the reals */
} arow;

typedef struct atab {
    char name[64];
    double tol; /* relative */
    char *columns; /* names and types */
    size_t n, nreal;
    arow *rows;
} atab;

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    while (*len + n + 1 > *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *buf = realloc(*buf, *cap);
        EXPECT(*buf != NULL, "out of memory");
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static int cmp_arow(const void *a, const void *b) { return strcmp(((const arow *)a)->sort, ((const arow *)b)->sort); }

/* Takes a result (and frees it) into a table of rows sorted by their cells. */
static atab tab_of(const char *name, cx_result *r)
{
    atab t = {{0}, 1e-12, NULL, cx_result_row_count(r), 0, NULL};
    snprintf(t.name, sizeof t.name, "%s", name);
    size_t nc = cx_result_column_count(r), len = 0, cap = 0;
    int *types = xmalloc(nc * sizeof *types);
    for (size_t c = 0; c < nc; c++) {
        const char *cn;
        OK(cx_result_column_name(&cn, r, c));
        OK(cx_result_column_type(&types[c], r, c));
        char tb[16];
        snprintf(tb, sizeof tb, ":%d ", types[c]);
        append(&t.columns, &len, &cap, cn);
        append(&t.columns, &len, &cap, tb);
        t.nreal += types[c] == CX_TYPE_REAL;
    }
    if (!t.columns)
        t.columns = xstrdup("");
    t.rows = xmalloc(t.n * sizeof *t.rows);
    for (size_t i = 0; i < t.n; i++) {
        arow *row = &t.rows[i];
        char *key = NULL, *reals = NULL;
        size_t klen = 0, kcap = 0, rlen = 0, rcap = 0, k = 0;
        row->v = xmalloc((t.nreal ? t.nreal : 1) * sizeof *row->v);
        append(&key, &klen, &kcap, "");
        append(&reals, &rlen, &rcap, "\x1e");
        for (size_t c = 0; c < nc; c++) {
            char cell[64];
            if (types[c] == CX_TYPE_STRING) {
                const char *s;
                OK(cx_result_get_string(&s, r, i, c));
                append(&key, &klen, &kcap, s ? "s" : "-");
                append(&key, &klen, &kcap, s ? s : "");
                append(&key, &klen, &kcap, "\x1f");
            } else if (types[c] == CX_TYPE_REAL) {
                double v;
                OK(cx_result_get_real(&v, r, i, c));
                row->v[k++] = v;
                snprintf(cell, sizeof cell, "%.9g\x1f", v);
                append(&reals, &rlen, &rcap, cell);
            } else {
                int64_t v;
                OK(cx_result_get_int(&v, r, i, c));
                snprintf(cell, sizeof cell, "%lld\x1f", (long long)v);
                append(&key, &klen, &kcap, cell);
            }
        }
        row->key = key;
        row->sort = xmalloc(klen + rlen + 1);
        memcpy(row->sort, key, klen);
        memcpy(row->sort + klen, reals, rlen + 1);
        free(reals);
    }
    qsort(t.rows, t.n, sizeof *t.rows, cmp_arow);
    free(types);
    cx_result_free(r);
    return t;
}

static void tab_free(atab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].key);
        free(t->rows[i].sort);
        free(t->rows[i].v);
    }
    free(t->rows);
    free(t->columns);
}

/* Reals equal but for the last bits that summing in another order moves. */
static bool same_real(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (a == b)
        return true;
    return fabs(a - b) <= tol * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void assert_tab_eq(const atab *a, const atab *b)
{
    EXPECT(strcmp(a->columns, b->columns) == 0, "%s: columns %s vs %s", a->name, a->columns, b->columns);
    EXPECT(a->n == b->n, "%s: %zu rows vs %zu", a->name, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const arow *x = &a->rows[i], *y = &b->rows[i];
        EXPECT(strcmp(x->key, y->key) == 0, "%s: row %s vs %s", a->name, x->key, y->key);
        for (size_t k = 0; k < a->nreal; k++)
            EXPECT(same_real(x->v[k], y->v[k], a->tol), "%s, row %s: real %zu is %.17g vs %.17g", a->name, x->key, k,
                   x->v[k], y->v[k]);
    }
}

#define MAX_TABS 24

typedef struct analyses {
    atab t[MAX_TABS];
    size_t n;
} analyses;

static void add_tab(analyses *a, const char *name, cx_result *r)
{
    ck_assert_uint_lt(a->n, MAX_TABS);
    a->t[a->n] = tab_of(name, r);
    /* Markov removal effects come from solving the absorbing chain: the
     * last-bit differences of transition sums counted in another order grow
     * there to about 1e-12 of the value, so they get 1e-9. */
    if (strcmp(name, "attribution") == 0)
        a->t[a->n].tol = 1e-9;
    a->n++;
}

static void add_query(analyses *a, const cx_store *s, const char *name, cx_dim dim, int by_month)
{
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    for (int m = 0; m < CX_MEASURE_COUNT; m++)
        OK(cx_query_add(q, (cx_measure)m));
    if ((int)dim >= 0)
        OK(cx_query_group_by(q, dim));
    if (by_month)
        OK(cx_query_group_by_time(q, CX_BUCKET_MONTH, 180));
    OK(cx_query_set_sla(q, NULL, NULL, 4 * HOUR_MS, 24 * HOUR_MS));
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    add_tab(a, name, r);
}

/* The analyses a sync must not change: queries of every measure by channel,
 * agent, segment and month; journeys (paths, attribution, pain points,
 * stages, a funnel); RFM; survival; cohorts. */
static analyses analyse(const cx_store *s, cx_time as_of)
{
    analyses a = {.n = 0};
    add_query(&a, s, "query", (cx_dim)-1, 0);
    add_query(&a, s, "query by channel", CX_DIM_CHANNEL, 0);
    add_query(&a, s, "query by agent", CX_DIM_AGENT, 0);
    add_query(&a, s, "query by segment and month", CX_DIM_SEGMENT, 1);

    cx_journeys_options *o;
    cx_journeys *j;
    cx_result *r;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_KIND, "purchase"));
    OK(cx_journeys_options_set_collapse(o, 1));
    OK(cx_journeys_options_set_repeat_contacts(o, "contact", 14 * DAY_MS));
    OK(cx_journeys_new(&j, s, o));
    cx_journeys_options_free(o);
    OK(cx_journeys_paths(&r, j, 25));
    add_tab(&a, "journey paths", r);
    OK(cx_journeys_attribution(&r, j, 1));
    add_tab(&a, "attribution", r);
    OK(cx_journeys_pain_points(&r, j));
    add_tab(&a, "pain points", r);
    OK(cx_journeys_stages(&r, j));
    add_tab(&a, "stages", r);
    OK(cx_journeys_satisfaction(&r, j, CX_JOURNEYS_GROUP_STAGE));
    add_tab(&a, "satisfaction by stage", r);
    cx_funnel *f;
    OK(cx_funnel_new(&f, s));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "consideration"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "purchase"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "service"));
    OK(cx_funnel_set_window(f, 90 * DAY_MS));
    OK(cx_journeys_funnel(&r, j, f));
    add_tab(&a, "funnel", r);
    cx_funnel_free(f);
    cx_journeys_free(j);

    OK(cx_rfm_run(&r, s, as_of, DAY_MS, 5));
    add_tab(&a, "rfm", r);
    cx_survival *sv;
    OK(cx_survival_from_store(&sv, s, as_of, NULL));
    OK(cx_survival_summary(&r, sv));
    add_tab(&a, "survival summary", r);
    OK(cx_survival_curve(&r, sv));
    add_tab(&a, "survival curve", r);
    cx_survival_free(sv);
    OK(cx_cohorts_run(&r, s, NULL));
    add_tab(&a, "cohorts", r);
    return a;
}

static void analyses_free(analyses *a)
{
    for (size_t i = 0; i < a->n; i++)
        tab_free(&a->t[i]);
}

static void assert_same_analyses(const cx_store *a, const cx_store *b, cx_time as_of)
{
    analyses x = analyse(a, as_of), y = analyse(b, as_of);
    ck_assert_uint_eq(x.n, y.n);
    for (size_t i = 0; i < x.n; i++)
        assert_tab_eq(&x.t[i], &y.t[i]);
    analyses_free(&x);
    analyses_free(&y);
}

/* ---- importing ------------------------------------------------------------ */

typedef struct tally {
    uint64_t read, added, updated, unchanged;
} tally;

/* Imports a file with these options; no row may be rejected. */
static tally import_ok(cx_store *s, int table, const char *path, const cx_import_options *o)
{
    cx_import_report *r;
    OK(cx_import_csv(&r, s, table, path, o));
    if (cx_import_report_rejected(r)) {
        uint64_t line = 0;
        int col = 0;
        const char *why = "";
        if (cx_import_report_details(r)) {
            OK(cx_import_report_line(&line, r, 0));
            OK(cx_import_report_column(&col, r, 0));
            OK(cx_import_report_reason(&why, r, 0));
        }
        ck_abort_msg("%s: %llu rows rejected; line %llu column %d: %s", path,
                     (unsigned long long)cx_import_report_rejected(r), (unsigned long long)line, col, why);
    }
    tally t = {cx_import_report_read(r), cx_import_report_added(r), cx_import_report_updated(r),
               cx_import_report_unchanged(r)};
    EXPECT(t.added + t.updated + t.unchanged == t.read, "%s: added + updated + unchanged != read", path);
    cx_import_report_free(r);
    return t;
}

static cx_import_options *options(cx_existing existing, int strict)
{
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_existing(o, existing));
    OK(cx_import_options_set_strict(o, strict));
    return o;
}

/* A new store with every file of `dir` imported once, in table order. */
static cx_store *import_dir(const char *dir)
{
    cx_store *s;
    OK(cx_store_new(&s));
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.csv", dir, tname(order[i]));
        struct stat st;
        if (stat(path, &st) == 0)
            import_ok(s, order[i], path, NULL);
    }
    return s;
}

static csvf *read_table(const char *dir, int table)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.csv", dir, tname(table));
    return csv_read(path);
}

/* The day a time falls on at +03:00 (the demo's offset), as a number. */
static int64_t day_of(const char *iso)
{
    cx_time t = T(iso);
    int64_t local = t + 3 * HOUR_MS;
    return local >= 0 ? local / DAY_MS : -((-local + DAY_MS - 1) / DAY_MS);
}

/* The demo's end: nothing happens at or after it. */
#define DEMO_END "2026-01-01T00:00:00+03:00"

/* ---- small hand-made files ------------------------------------------------ */

/* Ids, times and text that test the edges: Arabic ids and names, quotes,
 * commas and line breaks in text, equal times (answers, purchases), a case
 * that changes hands between channels, feedback rating interactions by id.
 * I-7 and I-8 happen at the same time: journeys order such interactions by
 * what they are (touchpoint, id), not by row, so their paths, attribution
 * and pain points do not depend on the import order. */
static const char *const small_files[CX_TABLE_COUNT][2] = {
    [CX_TABLE_CUSTOMERS] = {"customers",
                            "id,segment,region,plan,acquired,name\n"
                            "C-1,consumer,الرياض,basic,2024-01-02T10:00:00+03:00,\"Smith, John\"\n"
                            "عميل-٢,vip,جدة,premium,,\"سارة \"\"س\"\" العتيبي\"\n"
                            "C-3,business,,plus,2024-01-05T09:00:00+03:00,\"line\nbreak\"\n"
                            "C-4,,,,,=cmd()\n"},
    [CX_TABLE_TOUCHPOINTS] = {"touchpoints", "name,channel,stage,kind,key,weight\n"
                                             "web,web,consideration,sales,1,1\n"
                                             "shop,web,purchase,sales,1,1.5\n"
                                             "phone,phone,service,service,1,1.2\n"
                                             "chat,chat,service,service,0,1\n"},
    [CX_TABLE_CASES] = {"cases", "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                                 "T-1,C-1,phone,high,نورة,2024-01-03T10:00:00+03:00,2024-01-03T10:05:00+03:00,"
                                 "2024-01-04T12:00:00+03:00,1,2\n"
                                 "T-2,عميل-٢,chat,low,Omar,2024-01-06T10:00:00+03:00,,,0,1\n"
                                 "T-3,C-3,phone,normal,نورة,2024-01-07T11:00:00+03:00,2024-01-07T11:01:00+03:00,"
                                 "2024-01-07T11:30:00+03:00,0,1\n"},
    [CX_TABLE_INTERACTIONS] = {"interactions",
                               "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
                               "I-1,C-1,web,2024-01-02T09:00:00+03:00,visit,inbound,,,60000,handled,0\n"
                               "I-2,C-1,shop,2024-01-02T10:00:00+03:00,purchase,inbound,,,1000,handled,120.5\n"
                               "I-3,C-1,phone,2024-01-03T10:00:00+03:00,contact,inbound,نورة,T-1,300000,handled,0\n"
                               "I-4,C-1,chat,2024-01-04T09:00:00+03:00,contact,inbound,نورة,T-1,200000,handled,0\n"
                               "I-5,عميل-٢,web,2024-01-06T09:00:00+03:00,visit,inbound,,,1,abandoned,0\n"
                               "I-6,عميل-٢,chat,2024-01-06T10:00:00+03:00,contact,inbound,,T-2,0,missed,0\n"
                               "I-7,C-3,web,2024-01-07T11:00:00+03:00,visit,inbound,,,5,handled,0\n"
                               "I-8,C-3,phone,2024-01-07T11:00:00+03:00,contact,inbound,نورة,T-3,9,handled,0\n"
                               "I-9,C-3,shop,2024-01-08T11:00:00+03:00,purchase,inbound,,,9,handled,99.95\n"
                               "I-10,C-4,web,2024-01-09T11:00:00+03:00,view,outbound,,,0,handled,0\n"},
    [CX_TABLE_QUESTIONS] = {"questions", "name,metric,scale_min,scale_max,higher_is_better\n"
                                         "effort5,ces,1,5,0\n"},
    [CX_TABLE_FEEDBACK] = {"feedback", "id,customer,question,score,time,touchpoint,interaction,case,comment\n"
                                       "F-1,C-1,csat,2,2024-01-04T13:00:00+03:00,phone,I-4,T-1,\"slow, \"\"very\"\"\"\n"
                                       "F-2,C-1,nps,6,2024-01-04T13:00:00+03:00,phone,I-4,T-1,\n"
                                       "F-3,C-1,ces,3,2024-01-04T13:00:00+03:00,phone,I-3,T-1,<script>x</script>\n"
                                       "F-4,عميل-٢,nps,10,2024-01-06T12:00:00+03:00,,,,ممتاز\n"
                                       "F-5,C-3,csat,5,2024-01-07T12:00:00+03:00,phone,I-8,T-3,\"two\nlines\"\n"
                                       "F-6,C-3,effort5,1,2024-01-08T12:00:00+03:00,shop,I-9,,\n"
                                       "F-7,C-4,nps,9,2024-01-09T12:00:00+03:00,web,I-10,,\n"},
    [CX_TABLE_TRANSACTIONS] = {"transactions", "id,customer,time,amount\n"
                                               "X-1,C-1,2024-01-02T10:00:00+03:00,120.5\n"
                                               "X-2,C-3,2024-01-08T11:00:00+03:00,99.95\n"
                                               "X-3,C-3,2024-01-08T11:00:00+03:00,0.05\n"
                                               "X-4,C-1,2024-02-02T10:00:00+03:00,10\n"},
};

/* The hand-made files, written to DIR. */
static void write_small(const char *dir)
{
    mkdir(dir, 0777);
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.csv", dir, small_files[t][0]);
        FILE *f = xopen(path);
        fputs(small_files[t][1], f);
        xclose(f);
    }
}

/* ---- a. shuffled and split ------------------------------------------------ */

static void shuffle(size_t *idx, size_t n, uint64_t *seed)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(splitmix64(seed) % i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

/* Imports the files of `dir` into a new store: every table's rows shuffled,
 * every table cut into `parts` files (at random points) imported in a random
 * order; tables in their order, so interactions come before the feedback
 * rating them. */
static cx_store *import_shuffled(const char *dir, uint64_t seed, size_t parts, cx_existing existing)
{
    cx_store *s;
    OK(cx_store_new(&s));
    cx_import_options *o = options(existing, 1);
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        int t = order[i];
        csvf *c = read_table(dir, t);
        size_t *idx = xmalloc(c->n * sizeof *idx), cuts[16], *part_order = xmalloc(parts * sizeof *part_order);
        ck_assert_uint_le(parts, 15);
        shuffle(idx, c->n, &seed);
        cuts[0] = 0;
        for (size_t p = 1; p < parts; p++)
            cuts[p] = c->n ? (size_t)(splitmix64(&seed) % (c->n + 1)) : 0;
        cuts[parts] = c->n;
        for (size_t p = 1; p < parts; p++) /* sorted: parts of any size, some empty */
            for (size_t q = p; q > 1 && cuts[q - 1] > cuts[q]; q--) {
                size_t x = cuts[q];
                cuts[q] = cuts[q - 1];
                cuts[q - 1] = x;
            }
        shuffle(part_order, parts, &seed);
        for (size_t p = 0; p < parts; p++) {
            size_t k = part_order[p];
            char name[64];
            snprintf(name, sizeof name, "%s.part%zu.csv", tname(t), k);
            csv_write(P(name), c, idx + cuts[k], cuts[k + 1] - cuts[k]);
            tally got = import_ok(s, t, P(name), o);
            EXPECT(got.read == cuts[k + 1] - cuts[k], "%s: read %llu", name, (unsigned long long)got.read);
        }
        free(part_order);
        free(idx);
        csv_free(c);
    }
    cx_import_options_free(o);
    return s;
}

START_TEST(small_shuffled_and_split)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", P("small"));
    write_small(dir);
    cx_store *ref = import_dir(dir);
    for (uint64_t seed = 1; seed <= 25; seed++) {
        cx_store *s = import_shuffled(dir, seed, 1 + seed % 4, seed % 2 ? CX_EXISTING_UPDATE : CX_EXISTING_REJECT);
        assert_same_records(ref, s);
        assert_same_analyses(ref, s, T("2024-03-01T00:00:00Z"));
        cx_store_free(s);
    }
    cx_store_free(ref);
}
END_TEST

START_TEST(demo_shuffled_and_split)
{
    cx_store *ref = import_dir(demo_dir());
    EXPECT(store_rows(ref, CX_TABLE_INTERACTIONS) > 30000, "the demo data is at %s", demo_dir());
    cx_store *s = import_shuffled(demo_dir(), 20240101, 4, CX_EXISTING_UPDATE);
    assert_same_records(ref, s);
    assert_same_analyses(ref, s, T(DEMO_END));
    cx_store_free(s);
    cx_store_free(ref);
}
END_TEST

/* ---- b. the same files again ---------------------------------------------- */

static void import_again_changes_nothing(const char *dir)
{
    cx_store *s = import_dir(dir);
    snapshot before = snap(s);
    for (int pass = 0; pass < 2; pass++) {
        cx_import_options *o = options(pass ? CX_EXISTING_UPDATE : CX_EXISTING_SKIP, 1);
        for (int i = 0; i < CX_TABLE_COUNT; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.csv", dir, tname(order[i]));
            tally t = import_ok(s, order[i], path, o);
            EXPECT(t.added == 0 && t.updated == 0 && t.unchanged == t.read,
                   "%s again (%s): %llu read, %llu added, %llu updated, %llu unchanged", tname(order[i]),
                   pass ? "update" : "skip", (unsigned long long)t.read, (unsigned long long)t.added,
                   (unsigned long long)t.updated, (unsigned long long)t.unchanged);
            EXPECT(t.read > 0, "%s: empty", path);
        }
        cx_import_options_free(o);
        snapshot after = snap(s);
        assert_snap_eq(&before, &after);
        snap_free(&after);
    }
    snap_free(&before);
    cx_store_free(s);
}

START_TEST(small_twice)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", P("small"));
    write_small(dir);
    import_again_changes_nothing(dir);
}
END_TEST

START_TEST(demo_twice)
{
    char dir[512];
    demo_part(dir, DEMO_PART);
    import_again_changes_nothing(dir);
}
END_TEST

/* SKIP keeps what is stored even when the row differs; UPDATE takes the
 * row, and only the rows that differ count as updated. */
START_TEST(skip_keeps_update_replaces)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", P("small"));
    write_small(dir);
    cx_store *s = import_dir(dir);
    const char *edit = write_file("edit.csv", "id,customer,time,amount\n"
                                              "X-1,C-1,2024-01-02T10:00:00+03:00,120.5\n"
                                              "X-2,C-3,2024-01-08T11:00:00+03:00,77\n"
                                              "X-9,C-4,2024-03-08T11:00:00+03:00,1\n");
    snapshot before = snap(s);
    cx_import_options *skip = options(CX_EXISTING_SKIP, 0), *update = options(CX_EXISTING_UPDATE, 0);
    tally t = import_ok(s, CX_TABLE_TRANSACTIONS, edit, skip);
    EXPECT(t.added == 1 && t.updated == 0 && t.unchanged == 2, "skip: %llu added, %llu updated",
           (unsigned long long)t.added, (unsigned long long)t.updated);
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_TRANSACTIONS, "X-2"));
    ck_assert_double_eq(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, row), 99.95);
    t = import_ok(s, CX_TABLE_TRANSACTIONS, edit, update);
    EXPECT(t.added == 0 && t.updated == 1 && t.unchanged == 2, "update: %llu added, %llu updated",
           (unsigned long long)t.added, (unsigned long long)t.updated);
    ck_assert_double_eq(store_real(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, row), 77);
    ck_assert_uint_eq(store_rows(s, CX_TABLE_TRANSACTIONS), 5);
    snapshot after = snap(s);
    EXPECT(after.len[CX_TABLE_TRANSACTIONS] != before.len[CX_TABLE_TRANSACTIONS] ||
               memcmp(after.t[CX_TABLE_TRANSACTIONS], before.t[CX_TABLE_TRANSACTIONS],
                      before.len[CX_TABLE_TRANSACTIONS]) != 0,
           "the update did not show in the export");
    snap_free(&after);
    snap_free(&before);
    cx_import_options_free(skip);
    cx_import_options_free(update);
    cx_store_free(s);
}
END_TEST

/* ---- c. day by day -------------------------------------------------------- */

/* The demo's final files cut into what a CRM would have sent each day:
 * customers on the day first seen (without their acquisition time when
 * acquired later, then again on that day), each case on every day its state
 * changes (opened, answered, its contacts, resolved), events on their day,
 * an event never before what it refers to. Days before `first` are sent as
 * one batch on `first`, days after `last` as one on `last`. */
typedef struct days {
    csvf *c[CX_TABLE_COUNT];
    int64_t *day[CX_TABLE_COUNT]; /* per row: the batch its row (its final state) is sent in */
    int64_t *first_seen;          /* customers: the batch of their first row */
    int64_t first, last;
} days;

static int64_t clamp_day(const days *d, int64_t day)
{
    return day < d->first ? d->first : day > d->last ? d->last : day;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* A lookup of ids to rows: sorted pointers. */
typedef struct idmap {
    const csvf *c;
    int col;
    size_t *rows;
} idmap;

static const idmap *cmp_ctx;
static int cmp_index(const void *a, const void *b)
{
    const idmap *x = cmp_ctx;
    return strcmp(x->c->r[*(const size_t *)a].f[x->col], x->c->r[*(const size_t *)b].f[x->col]);
}

static idmap index_of(const csvf *c, int col)
{
    idmap x = {c, col, xmalloc(c->n * sizeof(size_t))};
    for (size_t i = 0; i < c->n; i++)
        x.rows[i] = i;
    cmp_ctx = &x;
    qsort(x.rows, c->n, sizeof *x.rows, cmp_index);
    return x;
}

static size_t index_find(const idmap *x, const char *id)
{
    size_t lo = 0, hi = x->c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(x->c->r[x->rows[mid]].f[x->col], id);
        if (c == 0)
            return x->rows[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    ck_abort_msg("no record %s", id);
    return 0;
}

static void demo_part(char *dir, size_t ncust)
{
    snprintf(dir, 512, "%s", P("demo-part"));
    EXPECT(mkdir(dir, 0777) == 0, "cannot create %s: %s", dir, strerror(errno));
    csvf *cu = read_table(demo_dir(), CX_TABLE_CUSTOMERS);
    EXPECT(cu->n >= ncust, "the demo data at %s has %zu customers", demo_dir(), cu->n);
    idmap ids = index_of(cu, csv_col(cu, "id"));
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        csvf *c = t == CX_TABLE_CUSTOMERS ? cu : read_table(demo_dir(), t);
        size_t *keep = xmalloc(c->n * sizeof *keep), n = 0;
        int col = t == CX_TABLE_CUSTOMERS ? csv_col(c, "id") : t == CX_TABLE_TOUCHPOINTS || t == CX_TABLE_QUESTIONS
                                                                    ? -1
                                                                    : csv_col(c, "customer");
        for (size_t i = 0; i < c->n; i++)
            if (col < 0 || index_find(&ids, c->r[i].f[col]) < ncust)
                keep[n++] = i;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.csv", dir, tname(t));
        csv_write(path, c, keep, n);
        free(keep);
        if (c != cu)
            csv_free(c);
    }
    free(ids.rows);
    csv_free(cu);
}

static days days_of(const char *dir, int64_t first, int64_t last)
{
    days d = {.first = first, .last = last};
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        d.c[t] = read_table(dir, t);
        d.day[t] = xmalloc(d.c[t]->n * sizeof(int64_t));
        for (size_t i = 0; i < d.c[t]->n; i++)
            d.day[t][i] = first;
    }
    csvf *cu = d.c[CX_TABLE_CUSTOMERS], *ca = d.c[CX_TABLE_CASES], *in = d.c[CX_TABLE_INTERACTIONS],
         *fb = d.c[CX_TABLE_FEEDBACK], *tr = d.c[CX_TABLE_TRANSACTIONS];
    idmap cust = index_of(cu, csv_col(cu, "id")), cases = index_of(ca, csv_col(ca, "id")),
          inter = index_of(in, csv_col(in, "id"));
    d.first_seen = xmalloc(cu->n * sizeof(int64_t));
    int acq = csv_col(cu, "acquired");
    for (size_t i = 0; i < cu->n; i++)
        d.first_seen[i] = cu->r[i].f[acq][0] ? clamp_day(&d, day_of(cu->r[i].f[acq])) : INT64_MAX;

    /* a case: sent in its final state on the last day it changes */
    int ca_cust = csv_col(ca, "customer"), ca_open = csv_col(ca, "opened"), ca_first = csv_col(ca, "first_response"),
        ca_res = csv_col(ca, "resolved");
    for (size_t i = 0; i < ca->n; i++) {
        const rec *r = &ca->r[i];
        int64_t day = clamp_day(&d, day_of(r->f[ca_open]));
        if (r->f[ca_first][0])
            day = max64(day, clamp_day(&d, day_of(r->f[ca_first])));
        if (r->f[ca_res][0])
            day = max64(day, clamp_day(&d, day_of(r->f[ca_res])));
        d.day[CX_TABLE_CASES][i] = day;
    }
    /* interactions on their day, not before their case opened; a case's
     * contacts change on the days of its inbound interactions */
    int in_cust = csv_col(in, "customer"), in_time = csv_col(in, "time"), in_case = csv_col(in, "case"),
        in_dir = csv_col(in, "direction");
    for (size_t i = 0; i < in->n; i++) {
        const rec *r = &in->r[i];
        int64_t day = clamp_day(&d, day_of(r->f[in_time]));
        if (r->f[in_case][0]) {
            size_t k = index_find(&cases, r->f[in_case]);
            day = max64(day, clamp_day(&d, day_of(ca->r[k].f[ca_open])));
            if (strcmp(r->f[in_dir], "inbound") == 0)
                d.day[CX_TABLE_CASES][k] = max64(d.day[CX_TABLE_CASES][k], day);
        }
        d.day[CX_TABLE_INTERACTIONS][i] = day;
    }
    int fb_cust = csv_col(fb, "customer"), fb_time = csv_col(fb, "time"), fb_inter = csv_col(fb, "interaction"),
        fb_case = csv_col(fb, "case");
    for (size_t i = 0; i < fb->n; i++) {
        const rec *r = &fb->r[i];
        int64_t day = clamp_day(&d, day_of(r->f[fb_time]));
        if (r->f[fb_inter][0])
            day = max64(day, d.day[CX_TABLE_INTERACTIONS][index_find(&inter, r->f[fb_inter])]);
        if (r->f[fb_case][0])
            day = max64(day, clamp_day(&d, day_of(ca->r[index_find(&cases, r->f[fb_case])].f[ca_open])));
        d.day[CX_TABLE_FEEDBACK][i] = day;
    }
    int tr_cust = csv_col(tr, "customer"), tr_time = csv_col(tr, "time");
    for (size_t i = 0; i < tr->n; i++)
        d.day[CX_TABLE_TRANSACTIONS][i] = clamp_day(&d, day_of(tr->r[i].f[tr_time]));

    /* customers: first seen on their first row's day (or acquisition) */
    struct {
        int table, col, time;
    } refs[] = {{CX_TABLE_CASES, ca_cust, ca_open},
                {CX_TABLE_INTERACTIONS, in_cust, in_time},
                {CX_TABLE_FEEDBACK, fb_cust, fb_time},
                {CX_TABLE_TRANSACTIONS, tr_cust, tr_time}};
    for (size_t k = 0; k < sizeof refs / sizeof refs[0]; k++) {
        const csvf *c = d.c[refs[k].table];
        for (size_t i = 0; i < c->n; i++) {
            size_t cu_row = index_find(&cust, c->r[i].f[refs[k].col]);
            int64_t day = clamp_day(&d, day_of(c->r[i].f[refs[k].time]));
            if (day < d.first_seen[cu_row])
                d.first_seen[cu_row] = day;
        }
    }
    for (size_t i = 0; i < cu->n; i++) {
        if (d.first_seen[i] == INT64_MAX) /* no acquisition and no record: first day */
            d.first_seen[i] = first;
        d.day[CX_TABLE_CUSTOMERS][i] = cu->r[i].f[acq][0] ? clamp_day(&d, day_of(cu->r[i].f[acq])) : d.first_seen[i];
        if (d.day[CX_TABLE_CUSTOMERS][i] < d.first_seen[i]) /* acquired before its first record */
            d.day[CX_TABLE_CUSTOMERS][i] = d.first_seen[i];
    }
    free(cust.rows);
    free(cases.rows);
    free(inter.rows);
    return d;
}

static void days_free(days *d)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        csv_free(d->c[t]);
        free(d->day[t]);
    }
    free(d->first_seen);
}

/* What is known of a case at the end of `day`: answered, resolved (with its
 * reopenings) and contacted so far; its final row from its last day on.
 * Writes the row when it differs from `prev` (the previous state sent, or
 * NULL); returns the state sent, to free, or prev. */
static char *case_state(FILE *f, const days *d, size_t i, int64_t day, const int *inbound, char *prev)
{
    const csvf *ca = d->c[CX_TABLE_CASES];
    const rec *r = &ca->r[i];
    char **fields = xmalloc((size_t)r->nf * sizeof *fields);
    char contacts[24];
    for (int k = 0; k < r->nf; k++)
        fields[k] = r->f[k];
    if (day < d->day[CX_TABLE_CASES][i]) {
        int fr = csv_col(ca, "first_response"), res = csv_col(ca, "resolved"), reo = csv_col(ca, "reopens"),
            con = csv_col(ca, "contacts");
        if (r->f[fr][0] && clamp_day(d, day_of(r->f[fr])) > day)
            fields[fr] = "";
        if (r->f[res][0] && clamp_day(d, day_of(r->f[res])) > day)
            fields[res] = "";
        if (!fields[res][0])
            fields[reo] = "0";
        int n = inbound[0] < atoi(r->f[con]) ? inbound[0] : atoi(r->f[con]);
        snprintf(contacts, sizeof contacts, "%d", n);
        fields[con] = contacts;
    }
    size_t len = 0;
    for (int k = 0; k < r->nf; k++)
        len += strlen(fields[k]) + 1;
    char *state = xmalloc(len + 1), *p = state;
    for (int k = 0; k < r->nf; k++)
        p += sprintf(p, "%s\x1f", fields[k]);
    if (prev && strcmp(prev, state) == 0) {
        free(state);
        free(fields);
        return prev;
    }
    write_fields(f, fields, r->nf);
    free(fields);
    free(prev);
    return state;
}

typedef int (*import_fn)(cx_import_report **out, void *target, int table, const char *path,
                         const cx_import_options *o);

static int import_store(cx_import_report **out, void *target, int table, const char *path,
                        const cx_import_options *o)
{
    return cx_import_csv(out, target, table, path, o);
}

static int import_db(cx_import_report **out, void *target, int table, const char *path, const cx_import_options *o)
{
    return cx_db_import_csv(out, target, table, path, o);
}

/* Rows by batch day: rows[start[b]..start[b + 1]) are those of day first + b. */
typedef struct buckets {
    size_t *start, *rows;
} buckets;

static buckets bucket(const int64_t *day, size_t n, int64_t first, size_t ndays)
{
    buckets b = {calloc(ndays + 2, sizeof(size_t)), xmalloc(n * sizeof(size_t))};
    EXPECT(b.start != NULL, "out of memory");
    for (size_t i = 0; i < n; i++)
        b.start[day[i] - first + 2]++;
    for (size_t k = 2; k < ndays + 2; k++)
        b.start[k] += b.start[k - 1];
    for (size_t i = 0; i < n; i++) /* stable: rows of a day in file order */
        b.rows[b.start[day[i] - first + 1]++] = i;
    return b;
}

static void buckets_free(buckets *b)
{
    free(b->start);
    free(b->rows);
}

/* Sends every day's files, in order, to `import` with UPDATE; counts the
 * rows updated per table over all days, and the files sent. */
static void sync_days(const days *d, import_fn import, void *target, uint64_t updated[CX_TABLE_COUNT],
                      uint64_t *batches)
{
    cx_import_options *o = options(CX_EXISTING_UPDATE, 1);
    const csvf *ca = d->c[CX_TABLE_CASES], *in = d->c[CX_TABLE_INTERACTIONS], *cu = d->c[CX_TABLE_CUSTOMERS];
    size_t ndays = (size_t)(d->last - d->first + 1);
    int in_case = csv_col(in, "case"), in_dir = csv_col(in, "direction"), ca_open = csv_col(ca, "opened"),
        ca_first = csv_col(ca, "first_response"), ca_res = csv_col(ca, "resolved"), acq = csv_col(cu, "acquired");
    idmap cases = index_of(ca, csv_col(ca, "id"));

    /* the days a case may change: opened, answered, resolved, contacted, final */
    size_t nev = 0, cap = 4 * ca->n + in->n + 1;
    int64_t *ev_day = xmalloc(cap * sizeof *ev_day);
    size_t *ev_case = xmalloc(cap * sizeof *ev_case);
    for (size_t k = 0; k < ca->n; k++) {
        const rec *r = &ca->r[k];
        int cols[] = {ca_open, ca_first, ca_res};
        for (int c = 0; c < 3; c++)
            if (r->f[cols[c]][0]) {
                ev_day[nev] = clamp_day(d, day_of(r->f[cols[c]]));
                ev_case[nev++] = k;
            }
        ev_day[nev] = d->day[CX_TABLE_CASES][k];
        ev_case[nev++] = k;
    }
    size_t *in_case_row = xmalloc((in->n ? in->n : 1) * sizeof *in_case_row);
    for (size_t i = 0; i < in->n; i++) {
        const rec *r = &in->r[i];
        in_case_row[i] = SIZE_MAX;
        if (r->f[in_case][0] && strcmp(r->f[in_dir], "inbound") == 0) {
            in_case_row[i] = index_find(&cases, r->f[in_case]);
            ev_day[nev] = d->day[CX_TABLE_INTERACTIONS][i];
            ev_case[nev++] = in_case_row[i];
        }
    }
    buckets case_days = bucket(ev_day, nev, d->first, ndays), by_day[CX_TABLE_COUNT];
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        by_day[t] = bucket(d->day[t], d->c[t]->n, d->first, ndays);
    buckets seen = bucket(d->first_seen, cu->n, d->first, ndays);

    char **sent = calloc(ca->n ? ca->n : 1, sizeof *sent); /* each case's last state sent */
    int *inbound = calloc(ca->n ? ca->n : 1, sizeof *inbound);
    EXPECT(sent && inbound, "out of memory");
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        updated[t] = 0;
    *batches = 0;
    for (size_t b = 0; b < ndays; b++) {
        int64_t day = d->first + (int64_t)b;
        for (size_t k = by_day[CX_TABLE_INTERACTIONS].start[b]; k < by_day[CX_TABLE_INTERACTIONS].start[b + 1]; k++) {
            size_t i = by_day[CX_TABLE_INTERACTIONS].rows[k];
            if (in_case_row[i] != SIZE_MAX)
                inbound[in_case_row[i]]++;
        }
        for (int i = 0; i < CX_TABLE_COUNT; i++) {
            int t = order[i];
            const csvf *c = d->c[t];
            const char *path = P("day.csv");
            FILE *f = xopen(path);
            fwrite(c->head.raw, 1, c->head.len, f);
            size_t rows = 0;
            if (t == CX_TABLE_CASES) {
                for (size_t k = case_days.start[b]; k < case_days.start[b + 1]; k++) {
                    size_t x = ev_case[case_days.rows[k]];
                    char *before = sent[x];
                    sent[x] = case_state(f, d, x, day, &inbound[x], before);
                    rows += sent[x] != before;
                }
            } else {
                if (t == CX_TABLE_CUSTOMERS) /* first seen before being acquired */
                    for (size_t k = seen.start[b]; k < seen.start[b + 1]; k++) {
                        const rec *r = &c->r[seen.rows[k]];
                        if (d->day[t][seen.rows[k]] == day)
                            continue;
                        char **fields = xmalloc((size_t)r->nf * sizeof *fields);
                        for (int x = 0; x < r->nf; x++)
                            fields[x] = x == acq ? "" : r->f[x];
                        write_fields(f, fields, r->nf);
                        free(fields);
                        rows++;
                    }
                for (size_t k = by_day[t].start[b]; k < by_day[t].start[b + 1]; k++) {
                    const rec *r = &c->r[by_day[t].rows[k]];
                    fwrite(r->raw, 1, r->len, f);
                    rows++;
                }
            }
            xclose(f);
            if (!rows)
                continue;
            cx_import_report *rep;
            if (import(&rep, target, t, path, o) != CX_OK)
                ck_abort_msg("day %lld, %s: %s", (long long)day, tname(t), cx_last_error());
            EXPECT(cx_import_report_rejected(rep) == 0 && cx_import_report_read(rep) == rows,
                   "day %lld, %s: %llu of %zu rows read, %llu rejected", (long long)day, tname(t),
                   (unsigned long long)cx_import_report_read(rep), rows,
                   (unsigned long long)cx_import_report_rejected(rep));
            updated[t] += cx_import_report_updated(rep);
            cx_import_report_free(rep);
            (*batches)++;
        }
    }
    for (size_t k = 0; k < ca->n; k++)
        free(sent[k]);
    free(sent);
    free(inbound);
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        buckets_free(&by_day[t]);
    buckets_free(&case_days);
    buckets_free(&seen);
    free(ev_day);
    free(ev_case);
    free(in_case_row);
    free(cases.rows);
    cx_import_options_free(o);
}

START_TEST(demo_day_by_day)
{
    int64_t first = day_of("2024-01-01T00:00:00+03:00"), last = day_of("2025-12-31T12:00:00+03:00");
    char dir[512];
    demo_part(dir, DEMO_PART);
    days d = days_of(dir, first, last);
    cx_store *s;
    OK(cx_store_new(&s));
    uint64_t updated[CX_TABLE_COUNT], batches;
    sync_days(&d, import_store, s, updated, &batches);
    /* the days did what they are meant to: customers acquired after they
     * were first seen, cases answered, contacted and resolved later */
    EXPECT(updated[CX_TABLE_CUSTOMERS] > DEMO_PART / 2, "%llu customers updated",
           (unsigned long long)updated[CX_TABLE_CUSTOMERS]);
    EXPECT(updated[CX_TABLE_CASES] > DEMO_PART / 3, "%llu case states updated",
           (unsigned long long)updated[CX_TABLE_CASES]);
    EXPECT(batches > 1000, "%llu files", (unsigned long long)batches);
    cx_store *ref = import_dir(dir);
    assert_same_records(ref, s);
    assert_same_analyses(ref, s, T(DEMO_END));
    cx_store_free(ref);
    cx_store_free(s);
    days_free(&d);
}
END_TEST

/* The same through cx_db_import_csv(), streaming into a SQLite file: all
 * days to 2025-11-30 as one batch, then December day by day. */
START_TEST(demo_day_by_day_sqlite)
{
    int64_t first = day_of("2025-11-30T12:00:00+03:00"), last = day_of("2025-12-31T12:00:00+03:00");
    char dir[512];
    demo_part(dir, DEMO_PART);
    days d = days_of(dir, first, last);
    char db[512];
    snprintf(db, sizeof db, "%s", P("days.db"));
    uint64_t updated[CX_TABLE_COUNT], batches;
    sync_days(&d, import_db, (void *)db, updated, &batches);
    EXPECT(updated[CX_TABLE_CASES] > 20, "%llu case states updated", (unsigned long long)updated[CX_TABLE_CASES]);
    cx_store *s, *ref = import_dir(dir);
    OK(cx_db_load(&s, db));
    assert_same_records(ref, s);
    assert_same_analyses(ref, s, T(DEMO_END));
    cx_store_free(ref);
    cx_store_free(s);
    days_free(&d);
}
END_TEST

/* ---- d. a failed sync changes nothing ------------------------------------- */

/* A strict UPDATE import of `text` fails, and the store is as `before`. */
static void fails_unchanged(cx_store *s, int table, const char *text, const snapshot *before)
{
    size_t rows[CX_TABLE_COUNT];
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        rows[t] = store_rows(s, t);
    cx_import_options *o = options(CX_EXISTING_UPDATE, 1);
    cx_import_report *rep = (cx_import_report *)&rep;
    int rc = cx_import_csv(&rep, s, table, write_file("bad.csv", text), o);
    EXPECT(rc != CX_OK, "%s: the bad row was taken", tname(table));
    EXPECT(rep == NULL, "%s: a report of a failed import", tname(table));
    MSG_HAS("line 4");
    cx_import_options_free(o);
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        EXPECT(store_rows(s, t) == rows[t], "%s: %zu rows, were %zu", tname(t), store_rows(s, t), rows[t]);
    snapshot after = snap(s);
    assert_snap_eq(before, &after);
    snap_free(&after);
}

/* Without its bad line 4, `text` goes in and updates and adds: the failed
 * import had real changes to undo. */
static void good_rows_update(cx_store *s, int table, const char *text)
{
    const char *bad = text;
    for (int k = 0; k < 3; k++)
        bad = strchr(bad, '\n') + 1;
    const char *after_bad = strchr(bad, '\n');
    EXPECT(after_bad != NULL, "no line after the bad one");
    char *good = xstrdup(text);
    memmove(good + (bad - text), after_bad + 1, strlen(after_bad + 1) + 1);
    cx_import_options *o = options(CX_EXISTING_UPDATE, 1);
    tally t = import_ok(s, table, write_file("good.csv", good), o);
    EXPECT(t.updated >= 1 && t.added >= 1, "%s: the good rows updated %llu, added %llu", tname(table),
           (unsigned long long)t.updated, (unsigned long long)t.added);
    cx_import_options_free(o);
    free(good);
}

/* Each file: two rows that update stored records (with names the store has
 * not seen: an agent, a segment, an attribute), the bad row on line 4, then
 * a new record. */
static const struct {
    int table;
    const char *text;
} bad_files[] = {
    {CX_TABLE_CUSTOMERS, "id,segment,region,plan,acquired,name,language,nickname\n"
                         "C-100001,gold,جدة,plus,2025-12-20T12:54:18+03:00,\"New, Name\",en,x\n"
                         "C-100002,business,,plus,,,ar,\n"
                         "C-100003,consumer,,basic,not a time,n,ar,\n"
                         "C-999999,consumer,,basic,,n,ar,y\n"},
    {CX_TABLE_CASES, "id,customer,channel,priority,agent,opened,first_response,resolved,reopens,contacts\n"
                     "TKT-100001,C-100002,whatsapp,urgent,New Agent,2025-10-12T18:28:37+03:00,"
                     "2025-10-12T18:36:45+03:00,,2,5\n"
                     "TKT-100002,C-100002,social,normal,Fatima Al-Zahrani,2025-12-04T13:48:55+03:00,,,0,0\n"
                     "TKT-100003,C-100002,nowhere,normal,,2025-12-04T13:48:55+03:00,,,0,0\n"
                     "TKT-999999,C-100002,phone,normal,,2025-12-04T13:48:55+03:00,,,0,0\n"},
    {CX_TABLE_INTERACTIONS,
     "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n"
     "I-000001,C-100001,search_ads,2025-12-09T00:43:56+03:00,brand_new_kind,inbound,Someone,,5,missed,1\n"
     "I-000002,C-100001,website,2025-12-12T02:07:55+03:00,view,inbound,,,1,handled,0\n"
     "I-000003,C-100001,website,2025-12-12T02:07:55+03:00,view,sideways,,,1,handled,0\n"
     "I-999999,C-100001,website,2025-12-12T02:07:55+03:00,view,inbound,,,1,handled,0\n"},
    {CX_TABLE_FEEDBACK,
     "id,customer,question,score,time,touchpoint,interaction,case,comment\n"
     "F-000001,C-100001,delivery_on_time,0,2025-12-24T01:17:49+03:00,store_pickup,I-000007,,late\n"
     "F-000002,C-100002,csat,1,2025-04-14T19:25:24+03:00,home_delivery,,,\"bad, \"\"very\"\"\"\n"
     "F-000003,C-100002,csat,11,2025-04-14T19:25:24+03:00,,,,\n"
     "F-999999,C-100002,nps,0,2025-04-14T19:25:24+03:00,,,,\n"},
    {CX_TABLE_TRANSACTIONS, "id,customer,time,amount\n"
                            "X-000001,C-100001,2025-12-22T23:56:34+03:00,1\n"
                            "X-000002,C-100001,2025-03-29T18:59:08+03:00,644.50\n"
                            "X-000003,C-100002,2025-03-29T18:59:08+03:00,-5\n"
                            "X-999999,C-100002,2025-03-29T18:59:08+03:00,5\n"},
};

START_TEST(failed_sync_changes_nothing)
{
    char dir[512];
    demo_part(dir, DEMO_PART);
    cx_store *s = import_dir(dir);
    snapshot before = snap(s);
    for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++)
        fails_unchanged(s, bad_files[i].table, bad_files[i].text, &before);
    snap_free(&before);
    for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++)
        good_rows_update(s, bad_files[i].table, bad_files[i].text);
    cx_store_free(s);
}
END_TEST

/* ---- the cxkit command ---------------------------------------------------- */

#ifdef CXKIT_TOOL

START_TEST(cli_usage)
{
    char version[64];
    snprintf(version, sizeof version, "cxkit %s\n", cx_version_string());
    ck_assert_int_eq(CXKIT("--version"), 0);
    assert_file_eq(P("out.txt"), version);
    ck_assert_int_eq(CXKIT("--help"), 0);
    output_has("out.txt", "cxkit pseudonymize DB OUT_DB --key-file FILE");
    ck_assert_int_eq(CXKIT("sync", "--help"), 0);
    output_has("out.txt", "usage: cxkit sync DB DATA_DIR");
    ck_assert_int_eq(CXKIT("forget", "x.db", "--help"), 0);
    output_has("out.txt", "--from FILE");
    /* bad usage: 2, and a word on what is wrong */
    ck_assert_int_eq(cxkit((const char *const[]){NULL}), 2);
    ck_assert_int_eq(CXKIT("--version", "now"), 2);
    ck_assert_int_eq(CXKIT("frobnicate"), 2);
    output_has("err.txt", "unknown command 'frobnicate'");
    ck_assert_int_eq(CXKIT("sync", P("x.db")), 2);
    output_has("err.txt", "DATA_DIR is missing");
    ck_assert_int_eq(CXKIT("sync", P("x.db"), demo_dir(), "--fast"), 2);
    output_has("err.txt", "unknown option '--fast'");
    ck_assert_int_eq(CXKIT("sync", P("x.db"), demo_dir(), "-r"), 2);
    ck_assert_int_eq(CXKIT("forget", P("x.db")), 2);
    output_has("err.txt", "no customer id given");
    ck_assert_int_eq(CXKIT("pseudonymize", P("x.db"), P("y.db")), 2);
    output_has("err.txt", "--key-file is required");
    /* failures: 1, and nothing made */
    ck_assert_int_eq(CXKIT("sync", P("x.db"), P("no-such-dir")), 1);
    ck_assert_int_eq(CXKIT("sync", P("x.db"), tmp_dir()), 1);
    output_has("err.txt", "holds none of customers.csv");
    ck_assert_int_eq(CXKIT("forget", P("x.db"), "C-1"), 1);
    ck_assert_int_eq(CXKIT("pseudonymize", P("x.db"), P("y.db"), "--key-file", P("out.txt")), 1);
    struct stat st;
    EXPECT(stat(P("x.db"), &st) != 0 && stat(P("y.db"), &st) != 0, "a failed command left a file");
}
END_TEST

/* A new store with the SQLite file's records. */
static cx_store *load(const char *db)
{
    cx_store *s;
    OK(cx_db_load(&s, db));
    return s;
}

START_TEST(cli_sync)
{
    char dir[512], db[512], bad[512], rej[512];
    demo_part(dir, DEMO_PART);
    snprintf(db, sizeof db, "%s", P("cx.db"));
    snprintf(bad, sizeof bad, "%s", P("bad"));
    snprintf(rej, sizeof rej, "%s", P("rejects"));
    cx_store *ref = import_dir(dir);
    size_t total = 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        total += t == CX_TABLE_QUESTIONS ? 2 : store_rows(ref, t); /* the file's, not the 3 built in */
    char line[1024];
    snprintf(line, sizeof line, "%s: %zu added, 0 updated, 0 unchanged, 0 rejected", db, total);
    ck_assert_int_eq(CXKIT("sync", db, dir), 0);
    output_has("out.txt", line);
    cx_store *s = load(db);
    assert_same_records(ref, s);
    cx_store_free(s);
    snprintf(line, sizeof line, "%s: 0 added, 0 updated, %zu unchanged, 0 rejected", db, total);
    ck_assert_int_eq(CXKIT("sync", db, dir, "--skip"), 0);
    output_has("out.txt", line);
    ck_assert_int_eq(CXKIT("sync", db, dir), 0);
    output_has("out.txt", line);

    /* a bad row among updates: --strict keeps the file as it was */
    mkdir(bad, 0777);
    char path[1024];
    snprintf(path, sizeof path, "%s/cases.csv", bad);
    FILE *f = xopen(path);
    fputs(bad_files[1].text, f);
    xclose(f);
    s = load(db);
    snapshot before = snap(s);
    cx_store_free(s);
    ck_assert_int_eq(CXKIT("sync", db, bad, "--strict"), 1);
    output_has("err.txt", "line 4");
    output_has("err.txt", "cases and the tables after it were not synced");
    s = load(db);
    snapshot after = snap(s);
    assert_snap_eq(&before, &after);
    snap_free(&after);
    cx_store_free(s);
    /* without it, the good rows go in and the bad one is reported and kept */
    ck_assert_int_eq(CXKIT("sync", db, bad, "-r", rej), 0);
    output_has("out.txt", "first rejected: ");
    output_has("out.txt", "cases.csv line 4");
    output_has("out.txt", ": 1 added, 2 updated, 0 unchanged, 1 rejected");
    snprintf(path, sizeof path, "%s/cases.rejects.csv", rej);
    char *rejects = slurp(path, NULL);
    EXPECT(strstr(rejects, "TKT-100003,C-100002,nowhere") != NULL, "reject file:\n%s", rejects);
    free(rejects);
    s = load(db);
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_CASES, "TKT-100001"));
    ck_assert_str_eq(store_str(s, CX_TABLE_CASES, CX_CASE_PRIORITY, row), "urgent");
    cx_store_free(s);
    snap_free(&before);
    cx_store_free(ref);
}
END_TEST

START_TEST(cli_forget)
{
    char dir[512], db[512];
    demo_part(dir, DEMO_PART);
    snprintf(db, sizeof db, "%s", P("cx.db"));
    ck_assert_int_eq(CXKIT("sync", db, dir), 0);
    cx_store *s = load(db);
    snapshot before = snap(s);
    cx_store_free(s);
    ck_assert_int_eq(CXKIT("forget", db, "C-100001", "C-0"), 1);
    output_has("err.txt", "C-0");
    s = load(db);
    snapshot after = snap(s);
    assert_snap_eq(&before, &after);
    snap_free(&after);
    snap_free(&before);
    cx_store_free(s);

    /* ids from a file (CRLF, a blank line) and the command line: the file
     * then holds what a store forgetting them holds */
    write_file("ids.txt", "C-100001\r\n\nC-100002\n");
    ck_assert_int_eq(CXKIT("forget", db, "--from", P("ids.txt"), "--", "C-100003"), 0);
    cx_store *ref = import_dir(dir);
    size_t rows;
    OK(cx_customer_forget(&rows, ref, 3, (const char *const[]){"C-100001", "C-100002", "C-100003"}));
    char line[1024];
    snprintf(line, sizeof line, "3 customer ids given, %zu rows removed", rows);
    output_has("out.txt", line);
    s = load(db);
    assert_same_records(ref, s);
    cx_store_free(s);
    cx_store_free(ref);
}
END_TEST

START_TEST(cli_pseudonymize)
{
    char dir[512], db[512], out[512], key[512];
    demo_part(dir, DEMO_PART);
    snprintf(db, sizeof db, "%s", P("cx.db"));
    snprintf(out, sizeof out, "%s", P("shared.db"));
    static const char secret[] = "0123456789abcdef\n"; /* 17 bytes: the newline is part of the key */
    snprintf(key, sizeof key, "%s", write_file("key", secret));
    ck_assert_int_eq(CXKIT("sync", db, dir), 0);
    ck_assert_int_eq(CXKIT("pseudonymize", db, out, "--key-file", key, "--attribute", "Name"), 1);
    output_has("err.txt", "no customer attribute 'Name'");
    write_file("short", "0123456789");
    ck_assert_int_eq(CXKIT("pseudonymize", db, out, "--key-file", P("short")), 1);
    output_has("err.txt", "at least 16");
    struct stat st;
    EXPECT(stat(out, &st) != 0, "a refused pseudonymize made %s", out);

    ck_assert_int_eq(CXKIT("pseudonymize", db, out, "--key-file", key, "--attribute", "name", "--drop-comments"), 0);
    cx_store *ref = import_dir(dir), *s = load(out);
    OK(cx_store_pseudonymize(ref, secret, sizeof secret - 1, 1, (const char *const[]){"name"},
                             CX_PSEUDONYMIZE_DROP_COMMENTS));
    assert_same_records(ref, s);
    char p[CX_PSEUDONYM_SIZE];
    OK(cx_pseudonym(p, secret, sizeof secret - 1, "C-100001"));
    size_t row;
    OK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, p));
    FAILS(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-100001"), CX_ENOTFOUND, "cx_store_find");
    cx_store_free(s);
    cx_store_free(ref);
    /* the source is untouched; an existing output is never replaced */
    s = load(db);
    OK(cx_store_find(&row, s, CX_TABLE_CUSTOMERS, "C-100001"));
    cx_store_free(s);
    size_t len;
    char *was = slurp(out, &len);
    ck_assert_int_eq(CXKIT("pseudonymize", db, out, "--key-file", key), 1);
    output_has("err.txt", "exists");
    size_t len2;
    char *now = slurp(out, &len2);
    EXPECT(len == len2 && memcmp(was, now, len) == 0, "%s was changed", out);
    free(was);
    free(now);
}
END_TEST

#endif

int main(void)
{
    Suite *su = suite_create("sync");
    TCase *small = tcase_create("small");
    tcase_add_checked_fixture(small, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(small, 120); /* 25 orders of the files: seconds under ASan on a busy machine */
    tcase_add_test(small, small_shuffled_and_split);
    tcase_add_test(small, small_twice);
    tcase_add_test(small, skip_keeps_update_replaces);
    suite_add_tcase(su, small);
    TCase *demo = tcase_create("demo");
    tcase_add_checked_fixture(demo, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(demo, 120);
    tcase_add_test(demo, demo_shuffled_and_split);
    tcase_add_test(demo, demo_twice);
    tcase_add_test(demo, failed_sync_changes_nothing);
    suite_add_tcase(su, demo);
    TCase *daily = tcase_create("days");
    tcase_add_checked_fixture(daily, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(daily, 120);
    tcase_add_test(daily, demo_day_by_day);
    suite_add_tcase(su, daily);
    TCase *db = tcase_create("sqlite");
    tcase_add_checked_fixture(db, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(db, 120);
    tcase_add_test(db, demo_day_by_day_sqlite);
    suite_add_tcase(su, db);
#ifdef CXKIT_TOOL
    TCase *cli = tcase_create("cxkit");
    tcase_add_checked_fixture(cli, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(cli, 120);
    tcase_add_test(cli, cli_usage);
    tcase_add_test(cli, cli_sync);
    tcase_add_test(cli, cli_forget);
    tcase_add_test(cli, cli_pseudonymize);
    suite_add_tcase(su, cli);
#endif
    return run_suite(su);
}
