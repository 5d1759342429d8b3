/*
 * cxkit's import and analysis subcommands, on a SQLite file kept by
 * cx_db_save():
 *
 *   import     CSV / JSON Lines files or directories into the file
 *   metrics    any measure, filter and grouping of cx_query
 *   journeys   paths, funnel, transitions, attribution, pain points...
 *   retention  cohorts, survival curves, lifecycle, stickiness, log-rank, Cox
 *   clv        value model fits, P(alive), CLV
 *   care       the proactive-care list
 *   agents     the per-agent daily report
 *   history    one customer's omnichannel history
 *
 * Every analysis prints a table (tools/cxkit_output.c): aligned for a
 * terminal, or CSV or JSON for scripts, to standard output or to a file
 * written whole or not at all. Exit 1: a missing or unreadable database, an
 * analysis that failed; exit 2: a bad option or value (an unknown measure,
 * offset, date, channel...).
 */
#define _POSIX_C_SOURCE 200809L
#include "cxkit_cli.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MINUTE (60000LL)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)

/* ---- options ----------------------------------------------------------- */

typedef struct list {
    const char **v;
    size_t n;
} list;

typedef struct opts {
    const char *pos[3];
    int npos;
    /* single values (the last one given wins) */
    const char *format, *output, *columns, *offset, *from, *to, *as_of, *top;
    const char *measure, *by, *confidence, *repeat_window;
    const char *level, *gap, *boundary, *conversion, *window, *order, *min_support;
    const char *bucket, *start, *activity, *inactivity, *unit;
    const char *model, *horizon, *period, *discount, *agent;
    const char *reject_dir, *existing, *table, *delimiter;
    const char *threads; /* --threads N of import, metrics and journeys: default every core */
    const char *separator, *path_col, *conversions_col, *nulls_col, *value_col;
    const char *metric, *min_count, *touchpoint, *channel, *signals;
    /* repeatable */
    list filter, calendar, holiday, sla, step, exclude;
    /* flags */
    int strict_order, strict, create_customers;
    /* parsed */
    out_format fmt;
    int offset_min;
    cx_time from_t, to_t, as_of_t;
    long top_n; /* -1: not given */
} opts;

typedef struct option_spec {
    const char *name;
    int kind; /* 0 flag, 1 value, 2 repeatable value */
    size_t field;
} option_spec;

#define V(n, f) {n, 1, offsetof(opts, f)}
#define L(n, f) {n, 2, offsetof(opts, f)}
#define F(n, f) {n, 0, offsetof(opts, f)}
static const option_spec specs[] = {
    V("--format", format),       V("-o", output),
    V("--output", output),       V("--columns", columns),
    V("--offset", offset),       V("--from", from),
    V("--to", to),               V("--as-of", as_of),
    V("--top", top),             V("--measure", measure),
    V("--by", by),               V("--confidence", confidence),
    V("--repeat-window", repeat_window), V("--level", level),
    V("--gap", gap),             V("--boundary", boundary),
    V("--conversion", conversion), V("--window", window),
    V("--order", order),         V("--min-support", min_support),
    V("--bucket", bucket),       V("--start", start),
    V("--activity", activity),   V("--inactivity", inactivity),
    V("--unit", unit),           V("--model", model),
    V("--horizon", horizon),     V("--period", period),
    V("--discount", discount),   V("--agent", agent),
    V("-r", reject_dir),         V("--existing", existing),
    V("--table", table),         V("--delimiter", delimiter),
    V("--threads", threads),
    V("--separator", separator), V("--path", path_col),
    V("--conversions", conversions_col), V("--nulls", nulls_col),
    V("--value", value_col),     V("--metric", metric),
    V("--min-count", min_count), V("--touchpoint", touchpoint),
    V("--channel", channel),     V("--signals", signals),
    L("--filter", filter),       L("--calendar", calendar),
    L("--holiday", holiday),     L("--sla", sla),
    L("--step", step),           L("--exclude", exclude),
    F("--strict-order", strict_order), F("--strict", strict),
    F("--create-customers", create_customers),
};
#undef V
#undef L
#undef F

/* The options every analysis takes. */
#define OUTPUT_OPTS " --format -o --output --columns --offset "

static bool allowed(const char *set, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(set, name); p; p = strstr(p + 1, name))
        if ((p == set || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

static int parse_duration(int64_t *out, const char *text);
static int parse_offset(int *out, const char *text);
static int parse_date(cx_time *out, const char *text, int offset, bool end_of_day);

/* Parses argv by the option names in `set`, with at most `max_pos`
 * positional arguments, then the output options, the offset, the dates and
 * --top. Returns EXIT_DONE or EXIT_USAGE (message printed). */
static int parse(opts *o, int argc, char **argv, const char *set, int max_pos)
{
    memset(o, 0, sizeof *o);
    o->top_n = -1;
    o->from_t = o->to_t = o->as_of_t = CX_TIME_NONE;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1]) {
            const option_spec *sp = NULL;
            for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++)
                if (strcmp(specs[k].name, a) == 0)
                    sp = &specs[k];
            if (!sp || !allowed(set, a))
                return usage_error("unknown option '%s'", a);
            char *field = (char *)o + sp->field;
            if (sp->kind == 0) {
                *(int *)field = 1;
                continue;
            }
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (sp->kind == 1)
                *(const char **)field = v;
            else {
                list *l = (list *)field;
                if (!l->v && !(l->v = calloc((size_t)argc, sizeof *l->v)))
                    return fail("out of memory");
                l->v[l->n++] = v;
            }
            continue;
        }
        if (o->npos >= max_pos)
            return usage_error("unexpected argument '%s'", a);
        if (o->npos < 3)
            o->pos[o->npos] = a;
        o->npos++;
    }
    if (!o->format || strcmp(o->format, "table") == 0)
        o->fmt = FORMAT_TABLE;
    else if (strcmp(o->format, "csv") == 0)
        o->fmt = FORMAT_CSV;
    else if (strcmp(o->format, "json") == 0)
        o->fmt = FORMAT_JSON;
    else
        return usage_error("unknown format '%s': give table, csv or json", o->format);
    if (o->offset && parse_offset(&o->offset_min, o->offset) != 0)
        return usage_error("bad offset '%s': give +HH:MM or -HH:MM (-14:00 to +14:00), or Z", o->offset);
    if (o->from && parse_date(&o->from_t, o->from, o->offset_min, false) != 0)
        return usage_error("bad date '%s' for --from: give YYYY-MM-DD or an ISO 8601 time", o->from);
    if (o->to && parse_date(&o->to_t, o->to, o->offset_min, true) != 0)
        return usage_error("bad date '%s' for --to: give YYYY-MM-DD or an ISO 8601 time", o->to);
    if (o->as_of && parse_date(&o->as_of_t, o->as_of, o->offset_min, true) != 0)
        return usage_error("bad date '%s' for --as-of: give YYYY-MM-DD or an ISO 8601 time", o->as_of);
    if (o->from_t != CX_TIME_NONE && o->to_t != CX_TIME_NONE && o->to_t <= o->from_t)
        return usage_error("--to %s is not after --from %s", o->to, o->from);
    if (o->top) {
        char *end;
        errno = 0;
        o->top_n = strtol(o->top, &end, 10);
        if (errno || *end || end == o->top || o->top_n < 1)
            return usage_error("bad --top '%s': give a whole number from 1", o->top);
    }
    return EXIT_DONE;
}

static void opts_free(opts *o)
{
    free(o->filter.v);
    free(o->calendar.v);
    free(o->holiday.v);
    free(o->sla.v);
    free(o->step.v);
    free(o->exclude.v);
}

/* ---- values ------------------------------------------------------------ */

/* "+03:00", "-0530", "+3", "Z", "UTC". */
static int parse_offset(int *out, const char *text)
{
    if (strcmp(text, "Z") == 0 || strcmp(text, "UTC") == 0 || strcmp(text, "0") == 0) {
        *out = 0;
        return 0;
    }
    if (text[0] != '+' && text[0] != '-')
        return -1;
    int sign = text[0] == '-' ? -1 : 1, h = 0, m = 0;
    const char *p = text + 1;
    size_t nd = strspn(p, "0123456789");
    if (nd == 1 || nd == 2) {
        h = atoi(p);
        p += nd;
        if (*p == ':') {
            p++;
            if (strspn(p, "0123456789") != 2 || p[2])
                return -1;
            m = atoi(p);
        } else if (*p)
            return -1;
    } else if (nd == 4 && !p[4]) {
        h = (p[0] - '0') * 10 + (p[1] - '0');
        m = (p[2] - '0') * 10 + (p[3] - '0');
    } else
        return -1;
    if (m > 59 || h * 60 + m > 840)
        return -1;
    *out = sign * (h * 60 + m);
    return 0;
}

/* "YYYY-MM-DD" (the start of that day in the offset, or with `end_of_day`
 * the start of the next day) or a full ISO 8601 time. */
static int parse_date(cx_time *out, const char *text, int offset, bool end_of_day)
{
    size_t len = strlen(text);
    if (len == 10) {
        int y, mo, d;
        char tail;
        if (sscanf(text, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || text[4] != '-' || text[7] != '-')
            return -1;
        cx_time t;
        if (cx_time_from_utc(&t, y, mo, d, 0, 0, 0) != CX_OK)
            return -1;
        /* reject 2025-02-30: the day must come back as given */
        char back[CX_TIME_FORMAT_MAX];
        if (cx_time_format(back, sizeof back, t, 0) != CX_OK || strncmp(back, text, 10) != 0)
            return -1;
        *out = t - (cx_time)offset * MINUTE + (end_of_day ? DAY : 0);
        return 0;
    }
    return cx_time_parse(out, text, len) == CX_OK ? 0 : -1;
}

/* "90d", "12h", "30m", "2w", "45s"; a bare number is days. */
static int parse_duration(int64_t *out, const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || !(v >= 0) || v > 1e6)
        return -1;
    int64_t unit = DAY;
    if (*end) {
        if (end[1])
            return -1;
        switch (*end) {
        case 's':
            unit = 1000;
            break;
        case 'm':
            unit = MINUTE;
            break;
        case 'h':
            unit = HOUR;
            break;
        case 'd':
            unit = DAY;
            break;
        case 'w':
            unit = WEEK;
            break;
        default:
            return -1;
        }
    }
    *out = (int64_t)llround(v * (double)unit);
    return 0;
}

static int parse_real(double *out, const char *text, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int parse_int(long *out, const char *text, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static const char *const measure_names[CX_MEASURE_COUNT] = {
    "nps",          "csat",     "ces",          "fcr",         "first_response", "resolution",  "contacts",
    "reopen_rate",  "sla_breach", "missed_rate", "abandon_rate", "handle_time",  "repeat_rate", "cx_index"};

static const char *const dim_names[] = {"channel", "stage", "touchpoint", "segment", "region", "plan", "agent",
                                        "priority"};
#define NDIMS (sizeof dim_names / sizeof dim_names[0])

static const char *const bucket_names[] = {"day", "week", "month", "quarter", "year"};

/* --threads N (0 to 1024, 0 every online core); absent: every core, the
 * command line's default (the library's is one thread). */
static int threads_of(const opts *o, int *out)
{
    *out = 0;
    if (!o->threads)
        return EXIT_DONE;
    char *end;
    long n = strtol(o->threads, &end, 10);
    if (end == o->threads || *end || n < 0 || n > 1024)
        return usage_error("bad --threads '%s': give 0 (every core) to 1024", o->threads);
    *out = (int)n;
    return EXIT_DONE;
}

static int find_name(const char *const *names, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return (int)i;
    return -1;
}

static void join_names(char *buf, size_t cap, const char *const *names, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s", i ? ", " : "", names[i]);
    }
}

/* ---- the database ------------------------------------------------------ */

/* analysis_capture(): the store the analyses use instead of loading their
 * DB argument, and where the table they would write goes. Set only for the
 * duration of one analysis_capture() call (the tool is single-threaded). */
static cx_store *shared_store;
static out_table *captured;

/* Frees a store that open_db() loaded (not the shared one). */
static void close_db(cx_store *s)
{
    if (s != shared_store)
        cx_store_free(s);
}

/* Loads the SQLite file `db` into a new store, with a clear message for a
 * missing file, one that is not SQLite, and one that SQLite can read but
 * CXKit cannot. */
static int load_db(cx_store **out, const char *db, bool compact);

/* The database's store, for the analyses (which only read it): compacted,
 * the room its columns keep for rows to come and the index of the events'
 * ids given back (cx_store_compact: about a sixth of the store). */
static int open_db(cx_store **out, const char *db) { return load_db(out, db, true); }

static int load_db(cx_store **out, const char *db, bool compact)
{
    if (shared_store) {
        *out = shared_store;
        return EXIT_DONE;
    }
    struct stat st;
    if (stat(db, &st) != 0)
        return errno == ENOENT ? fail("%s: no such database (make one with: cxkit import %s DATA_DIR)", db, db)
                               : fail("%s: %s", db, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fail("%s is a directory, not a database", db);
    FILE *f = fopen(db, "rb");
    if (!f)
        return fail("%s: %s", db, strerror(errno));
    char head[16] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
        return fail("%s is not a SQLite database (%s)", db, n == 0 ? "an empty file" : "not made by cx_db_save or cxkit import");
    int version;
    if (cx_db_schema_version(&version, db) != CX_OK)
        return fail("%s is a SQLite file but not a CXKit database: %s", db, cx_last_error());
    if (cx_db_load(out, db) != CX_OK)
        return fail("%s cannot be read as a CXKit database: %s", db, cx_last_error());
    if (compact && cx_store_compact(*out) != CX_OK) {
        cx_store_free(*out);
        *out = NULL;
        return fail_lib("compact");
    }
    return EXIT_DONE;
}

/* The latest time of any record: the default as-of time. */
static cx_time latest_time(const cx_store *s)
{
    static const struct {
        cx_table table;
        int column;
    } cols[] = {{CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME}, {CX_TABLE_TRANSACTIONS, CX_TRANSACTION_TIME},
                {CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME},       {CX_TABLE_CASES, CX_CASE_OPENED},
                {CX_TABLE_CASES, CX_CASE_RESOLVED}};
    cx_time latest = CX_TIME_NONE;
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        size_t n = 0;
        cx_store_rows(&n, s, cols[k].table);
        for (size_t r = 0; r < n; r++) {
            int64_t t;
            if (cx_store_get_int(&t, s, cols[k].table, cols[k].column, r) == CX_OK && t != CX_TIME_NONE &&
                t > latest)
                latest = t;
        }
    }
    return latest;
}

/* The as-of time: the option's, or the latest record's. */
static int as_of_time(cx_time *out, const opts *o, const cx_store *s, const char *db)
{
    *out = o->as_of_t != CX_TIME_NONE ? o->as_of_t : latest_time(s);
    if (*out == CX_TIME_NONE)
        return fail("%s holds no dated records: nothing to analyse (give --as-of)", db);
    return EXIT_DONE;
}

/* Writes a result: the table's columns (or --columns), then the output. */
static int emit(out_table *t, const opts *o)
{
    if (!o->columns && o->fmt == FORMAT_TABLE) {
        /* a terminal shows a period by its label (2025-05), not by the
         * start time beside it */
        size_t cap = 1;
        for (size_t c = 0; c < t->ncol; c++)
            cap += strlen(t->names[c]) + 1;
        char *keep = malloc(cap), *p = keep;
        if (!keep)
            return fail("out of memory");
        size_t kept = 0;
        for (size_t c = 0; c < t->ncol; c++) {
            bool labelled = false;
            size_t n = strlen(t->names[c]);
            for (size_t k = 0; k < t->ncol && !labelled; k++)
                labelled = strncmp(t->names[k], t->names[c], n) == 0 && strcmp(t->names[k] + n, "_label") == 0;
            if (labelled)
                continue;
            p += sprintf(p, "%s%s", kept++ ? "," : "", t->names[c]);
        }
        const char *bad;
        size_t bad_len;
        int r = kept && kept < t->ncol ? out_select(t, keep, &bad, &bad_len) : 0;
        free(keep);
        if (r != 0)
            return fail("out of memory");
    }
    if (o->columns) {
        const char *bad;
        size_t bad_len;
        int r = out_select(t, o->columns, &bad, &bad_len);
        if (r < 0)
            return fail("out of memory");
        if (r > 0) {
            fprintf(stderr, "cxkit %s: no column '%.*s'; the columns are:", current->name, (int)bad_len, bad);
            for (size_t c = 0; c < t->ncol; c++)
                fprintf(stderr, " %s", t->names[c]);
            fputc('\n', stderr);
            return EXIT_USAGE;
        }
    }
    if (captured) {
        /* the first table only: a command writes one */
        if (captured->ncol == 0) {
            *captured = *t;
            memset(t, 0, sizeof *t);
        }
        return EXIT_DONE;
    }
    return out_write(t, o->fmt, o->output);
}

static int emit_result(cx_result *r, const opts *o, int sort_col_found, const char *sort_col, long top)
{
    out_table t;
    int rc = EXIT_DONE;
    if (out_from_result(&t, r, o->offset_min) != 0)
        rc = fail("out of memory");
    if (rc == EXIT_DONE && sort_col_found) {
        for (size_t c = 0; c < t.ncol; c++)
            if (strcmp(t.names[c], sort_col) == 0)
                out_sort_desc(&t, c);
    }
    if (rc == EXIT_DONE && top > 0)
        out_truncate(&t, (size_t)top);
    if (rc == EXIT_DONE)
        rc = emit(&t, o);
    out_free(&t);
    return rc;
}

/* The rows a long list shows: --top, or 20 in a table and all in CSV/JSON. */
static long list_top(const opts *o) { return o->top_n > 0 ? o->top_n : o->fmt == FORMAT_TABLE ? 20 : -1; }

/* ---- import ------------------------------------------------------------ */

static const cx_table import_order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,
                                        CX_TABLE_INTERACTIONS, CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,
                                        CX_TABLE_TRANSACTIONS};
#define NTABLES (sizeof import_order / sizeof import_order[0])

typedef struct infile {
    char *path;
    cx_table table;
    bool jsonl;
} infile;

static int table_of(cx_table *out, const char *name, size_t len)
{
    for (size_t i = 0; i < NTABLES; i++) {
        const char *n;
        if (cx_table_name(&n, import_order[i]) == CX_OK && strlen(n) == len && memcmp(n, name, len) == 0) {
            *out = import_order[i];
            return 0;
        }
    }
    return -1;
}

/* TABLE.csv or TABLE.jsonl (the name decides the table and the format). */
static int classify(infile *f, const char *path, const char *forced_table)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || (strcmp(dot, ".csv") != 0 && strcmp(dot, ".jsonl") != 0 && strcmp(dot, ".json") != 0))
        return -1;
    f->jsonl = strcmp(dot, ".csv") != 0;
    if (forced_table)
        return table_of(&f->table, forced_table, strlen(forced_table));
    return table_of(&f->table, base, (size_t)(dot - base));
}

static int add_file(infile **v, size_t *n, size_t *cap, const char *path, cx_table table, bool jsonl)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        infile *nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = c;
    }
    if (!((*v)[*n].path = strdup(path)))
        return -1;
    (*v)[*n].table = table;
    (*v)[*n].jsonl = jsonl;
    ++*n;
    return 0;
}

static int cmp_infile(const void *a, const void *b)
{
    const infile *x = a, *y = b;
    size_t ix = 0, iy = 0;
    while (ix < NTABLES && import_order[ix] != x->table)
        ix++;
    while (iy < NTABLES && import_order[iy] != y->table)
        iy++;
    if (ix != iy)
        return ix < iy ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* The first few rejected rows of a report, on stderr. */
static void report_rejects(const cx_import_report *r, const char *path, const char *reject_path)
{
    size_t shown = cx_import_report_details(r);
    if (shown > 5)
        shown = 5;
    for (size_t i = 0; i < shown; i++) {
        uint64_t line;
        int column;
        const char *why;
        if (cx_import_report_line(&line, r, i) != CX_OK || cx_import_report_column(&column, r, i) != CX_OK ||
            cx_import_report_reason(&why, r, i) != CX_OK)
            break;
        if (column > 0)
            fprintf(stderr, "cxkit import: rejected %s line %llu, column %d: %s\n", path, (unsigned long long)line,
                    column, why);
        else
            fprintf(stderr, "cxkit import: rejected %s line %llu: %s\n", path, (unsigned long long)line, why);
    }
    uint64_t more = cx_import_report_rejected(r);
    if (more > shown)
        fprintf(stderr, "cxkit import: and %llu more rejected rows in %s%s%s\n", (unsigned long long)(more - shown),
                path, reject_path ? ", all in " : " (-r DIR keeps them in a file)", reject_path ? reject_path : "");
}

/* Renames a finished SQLite file (and any side file) into place. */
static int move_db(const char *from, const char *to)
{
    static const char *const side[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
        char a[4200], b[4200];
        snprintf(a, sizeof a, "%s%s", from, side[i]);
        snprintf(b, sizeof b, "%s%s", to, side[i]);
        if (exists(a) && rename(a, b) != 0)
            return -1;
    }
    return rename(from, to);
}

int cmd_import(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv, " --strict -r --existing --create-customers --table --delimiter --threads ", argc);
    if (rc != EXIT_DONE) {
        opts_free(&o);
        return rc;
    }
    /* positional: DB then one or more paths; the parser keeps up to 3, so
     * collect the paths from argv again */
    if (o.npos < 2) {
        opts_free(&o);
        return usage_error("%s", o.npos ? "no file or directory to import" : "DB and what to import are missing");
    }
    const char *db = o.pos[0];
    infile *files = NULL;
    size_t nfiles = 0, capf = 0;
    bool options_done = false, seen_db = false;
    for (int i = 0; i < argc && rc == EXIT_DONE; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1]) {
            if (strcmp(a, "--strict") != 0 && strcmp(a, "--create-customers") != 0)
                i++; /* its value */
            continue;
        }
        if (!seen_db) {
            seen_db = true;
            continue;
        }
        struct stat st;
        if (stat(a, &st) != 0) {
            rc = fail("%s: %s", a, strerror(errno));
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(a);
            if (!d) {
                rc = fail("%s: %s", a, strerror(errno));
                break;
            }
            size_t before = nfiles;
            struct dirent *e;
            while ((e = readdir(d)) && rc == EXIT_DONE) {
                infile f;
                if (classify(&f, e->d_name, NULL) != 0)
                    continue;
                char path[4200];
                snprintf(path, sizeof path, "%s/%s", a, e->d_name);
                if (add_file(&files, &nfiles, &capf, path, f.table, f.jsonl) != 0)
                    rc = fail("out of memory");
            }
            closedir(d);
            if (rc == EXIT_DONE && nfiles == before)
                rc = fail("%s holds no TABLE.csv or TABLE.jsonl file (customers, touchpoints, cases, interactions, "
                          "questions, feedback, transactions)",
                          a);
        } else {
            infile f;
            if (classify(&f, a, o.table) != 0)
                rc = o.table ? usage_error("unknown table '%s'", o.table)
                             : usage_error("%s: name it TABLE.csv or TABLE.jsonl (customers, touchpoints, cases, "
                                           "interactions, questions, feedback, transactions), or give --table",
                                           a);
            else if (add_file(&files, &nfiles, &capf, a, f.table, f.jsonl) != 0)
                rc = fail("out of memory");
        }
    }
    if (files)
        qsort(files, nfiles, sizeof *files, cmp_infile);

    cx_import_options *io = NULL;
    if (rc == EXIT_DONE && cx_import_options_new(&io) != CX_OK)
        rc = fail_lib("import options");
    if (rc == EXIT_DONE && o.existing) {
        cx_existing e = strcmp(o.existing, "reject") == 0 ? CX_EXISTING_REJECT
                        : strcmp(o.existing, "skip") == 0 ? CX_EXISTING_SKIP
                        : strcmp(o.existing, "update") == 0 ? CX_EXISTING_UPDATE
                                                            : (cx_existing)-1;
        if ((int)e < 0)
            rc = usage_error("unknown --existing '%s': give reject, skip or update", o.existing);
        else if (cx_import_options_set_existing(io, e) != CX_OK)
            rc = fail_lib("--existing");
    }
    if (rc == EXIT_DONE && o.delimiter) {
        if (strlen(o.delimiter) != 1 && strcmp(o.delimiter, "tab") != 0)
            rc = usage_error("bad --delimiter '%s': give one character, or tab", o.delimiter);
        else if (cx_import_options_set_delimiter(io, strcmp(o.delimiter, "tab") == 0 ? '\t' : o.delimiter[0]) !=
                 CX_OK)
            rc = usage_error("bad --delimiter '%s': %s", o.delimiter, cx_last_error());
    }
    int threads = 0;
    if (rc == EXIT_DONE && (rc = threads_of(&o, &threads)) == EXIT_DONE &&
        cx_import_options_set_threads(io, threads) != CX_OK)
        rc = fail_lib("--threads");
    if (rc == EXIT_DONE && (cx_import_options_set_strict(io, o.strict) != CX_OK ||
                            cx_import_options_set_create_customers(io, o.create_customers) != CX_OK))
        rc = fail_lib("import options");
    if (rc == EXIT_DONE && o.reject_dir && mkdir(o.reject_dir, 0777) != 0 && errno != EEXIST)
        rc = fail("cannot create %s: %s", o.reject_dir, strerror(errno));

    /* the file's records first, then the new files into the same store */
    bool had_db = exists(db);
    cx_store *s = NULL;
    if (rc == EXIT_DONE && had_db)
        rc = load_db(&s, db, false); /* rows come: the store keeps its room and index */
    else if (rc == EXIT_DONE && cx_store_new(&s) != CX_OK)
        rc = fail_lib("new store");
    bool tty = isatty(STDERR_FILENO);
    uint64_t total_read = 0, total_added = 0, total_rejected = 0;
    static const char *const sum_cols[] = {"file", "table", "read", "added", "updated", "unchanged", "rejected"};
    out_table sum;
    memset(&sum, 0, sizeof sum);
    if (rc == EXIT_DONE && out_init(&sum, 7, sum_cols, 0) != 0)
        rc = fail("out of memory");
    for (size_t i = 0; i < nfiles && rc == EXIT_DONE; i++) {
        const char *tname;
        cx_table_name(&tname, files[i].table);
        if (tty)
            fprintf(stderr, "\r[%zu/%zu] %s ...\033[K", i + 1, nfiles, files[i].path);
        char rej[4200];
        const char *reject_path = NULL;
        if (o.reject_dir) {
            const char *base = strrchr(files[i].path, '/');
            snprintf(rej, sizeof rej, "%s/%s.rejects.csv", o.reject_dir, base ? base + 1 : files[i].path);
            reject_path = rej;
        }
        if (cx_import_options_set_reject_path(io, reject_path) != CX_OK) {
            rc = fail_lib("reject file");
            break;
        }
        cx_import_report *r;
        int st = files[i].jsonl ? cx_import_jsonl(&r, s, files[i].table, files[i].path, io)
                                : cx_import_csv(&r, s, files[i].table, files[i].path, io);
        if (tty)
            fputs("\r\033[K", stderr);
        if (st != CX_OK) {
            rc = fail("%s", cx_last_error());
            fprintf(stderr, "cxkit import: nothing was written to %s\n", db);
            break;
        }
        size_t row = out_add_row(&sum);
        if (row == (size_t)-1 || out_set_text(&sum, row, 0, files[i].path) != 0 ||
            out_set_text(&sum, row, 1, tname) != 0) {
            cx_import_report_free(r);
            rc = fail("out of memory");
            break;
        }
        uint64_t counts[] = {cx_import_report_read(r), cx_import_report_added(r), cx_import_report_updated(r),
                             cx_import_report_unchanged(r), cx_import_report_rejected(r)};
        for (size_t k = 0; k < 5; k++) {
            out_at(&sum, row, 2 + k)->type = CELL_INT;
            out_at(&sum, row, 2 + k)->v.i = (int64_t)counts[k];
        }
        total_read += cx_import_report_read(r);
        total_added += cx_import_report_added(r);
        total_rejected += cx_import_report_rejected(r);
        report_rejects(r, files[i].path, reject_path);
        cx_import_report_free(r);
    }
    if (rc == EXIT_DONE) {
        if (had_db) { /* an append in one transaction: all or nothing */
            if (cx_db_save(s, db) != CX_OK)
                rc = fail("%s: %s (the file is as it was)", db, cx_last_error());
        } else { /* a new file: made beside it, renamed when complete */
            size_t len = strlen(db);
            char *tmp = malloc(len + 16);
            if (!tmp)
                rc = fail("out of memory");
            else {
                snprintf(tmp, len + 16, "%s.tmp.XXXXXX", db);
                int fd = mkstemp(tmp);
                if (fd < 0)
                    rc = fail("cannot create %s: %s", db, strerror(errno));
                else {
                    close(fd);
                    remove(tmp); /* cx_db_save makes the file itself */
                    if (cx_db_save(s, tmp) != CX_OK)
                        rc = fail("cannot write %s: %s", db, cx_last_error());
                    else if (exists(db))
                        rc = fail("%s appeared meanwhile: left alone", db);
                    else if (move_db(tmp, db) != 0)
                        rc = fail("cannot write %s: %s", db, strerror(errno));
                    if (rc != EXIT_DONE)
                        remove_db(tmp);
                }
                free(tmp);
            }
        }
    }
    if (rc == EXIT_DONE)
        rc = out_write(&sum, FORMAT_TABLE, NULL);
    out_free(&sum);
    if (rc == EXIT_DONE)
        printf("%s: %llu rows read, %llu added, %llu rejected%s\n", db, (unsigned long long)total_read,
               (unsigned long long)total_added, (unsigned long long)total_rejected, had_db ? "" : " (new database)");
    for (size_t i = 0; i < nfiles; i++)
        free(files[i].path);
    free(files);
    cx_import_options_free(io);
    cx_store_free(s);
    opts_free(&o);
    return rc;
}

/* ---- metrics ----------------------------------------------------------- */

static const char *weekday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int weekday_of(const char *s, size_t len)
{
    int d = find_name(weekday_names, 7, s, len);
    return d < 0 ? -1 : d + 1; /* ISO: 1 = Monday */
}

static int hhmm(const char *s, int *out)
{
    int h, m;
    if (strlen(s) < 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m))
        return -1;
    *out = h * 60 + m;
    return 0;
}

/* "sun-thu=08:00-17:00" or "sat=10:00-14:00": opening hours. */
static int calendar_hours(cx_calendar *cal, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq)
        return -1;
    const char *dash = memchr(spec, '-', (size_t)(eq - spec));
    int d0 = weekday_of(spec, (size_t)((dash ? dash : eq) - spec));
    int d1 = dash ? weekday_of(dash + 1, (size_t)(eq - dash - 1)) : d0;
    int start, end;
    if (d0 < 0 || d1 < 0 || hhmm(eq + 1, &start) != 0 || eq[6] != '-' || hhmm(eq + 7, &end) != 0 || eq[12])
        return -1;
    for (int d = d0;; d = d % 7 + 1) {
        if (cx_calendar_add_hours(cal, d, start, end) != CX_OK)
            return -2;
        if (d == d1)
            break;
    }
    return 0;
}

/* "high=4h/24h", "high:phone=1h/8h", "*:email=/48h": SLA targets. */
static int set_sla(cx_query *q, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq)
        return -1;
    char who[256];
    size_t wl = (size_t)(eq - spec);
    if (wl >= sizeof who)
        return -1;
    memcpy(who, spec, wl);
    who[wl] = '\0';
    char *colon = strchr(who, ':');
    const char *priority = who, *channel = NULL;
    if (colon) {
        *colon = '\0';
        channel = colon + 1;
    }
    if (strcmp(priority, "*") == 0 || !*priority)
        priority = NULL;
    const char *slash = strchr(eq + 1, '/');
    if (!slash)
        return -1;
    char fr[64];
    size_t fl = (size_t)(slash - eq - 1);
    if (fl >= sizeof fr)
        return -1;
    memcpy(fr, eq + 1, fl);
    fr[fl] = '\0';
    int64_t first = -1, res = -1;
    if (fl && parse_duration(&first, fr) != 0)
        return -1;
    if (slash[1] && parse_duration(&res, slash + 1) != 0)
        return -1;
    return cx_query_set_sla(q, priority, channel, first, res) == CX_OK ? 0 : -2;
}

/* Applies --by, --filter and the rest to a query. EXIT_USAGE on a bad value. */
static int setup_query(cx_query *q, const opts *o, const cx_store *s, cx_calendar **cal)
{
    (void)s;
    char names[512];
    if (o->by) {
        for (const char *p = o->by;;) {
            size_t len = strcspn(p, ",");
            int d = find_name(dim_names, NDIMS, p, len), b = find_name(bucket_names, 5, p, len);
            int st;
            if (d >= 0)
                st = cx_query_group_by(q, (cx_dim)d);
            else if (b >= 0)
                st = cx_query_group_by_time(q, (cx_bucket)b, o->offset_min);
            else if (len > 5 && strncmp(p, "attr:", 5) == 0) {
                char key[256];
                snprintf(key, sizeof key, "%.*s", (int)(len - 5), p + 5);
                st = cx_query_group_by_attribute(q, key);
            } else {
                join_names(names, sizeof names, dim_names, NDIMS);
                return usage_error("unknown grouping '%.*s': give %s, day, week, month, quarter, year or attr:NAME",
                                   (int)len, p, names);
            }
            if (st != CX_OK)
                return usage_error("--by %.*s: %s", (int)len, p, cx_last_error());
            if (!p[len])
                break;
            p += len + 1;
        }
    }
    for (size_t i = 0; i < o->filter.n; i++) {
        const char *f = o->filter.v[i], *eq = strchr(f, '=');
        if (!eq)
            return usage_error("bad --filter '%s': give DIMENSION=VALUE (channel=web, attr:language=ar)", f);
        size_t len = (size_t)(eq - f);
        int d = find_name(dim_names, NDIMS, f, len), st;
        if (d >= 0)
            st = cx_query_filter(q, (cx_dim)d, eq + 1);
        else if (len > 5 && strncmp(f, "attr:", 5) == 0) {
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)(len - 5), f + 5);
            st = cx_query_filter_attribute(q, key, eq + 1);
        } else {
            join_names(names, sizeof names, dim_names, NDIMS);
            return usage_error("unknown filter dimension '%.*s': give %s or attr:NAME", (int)len, f, names);
        }
        if (st != CX_OK)
            return usage_error("--filter %s: %s", f, cx_last_error());
    }
    if ((o->from_t != CX_TIME_NONE || o->to_t != CX_TIME_NONE) &&
        cx_query_set_range(q, o->from_t, o->to_t) != CX_OK)
        return usage_error("--from/--to: %s", cx_last_error());
    if (o->as_of_t != CX_TIME_NONE && cx_query_set_as_of(q, o->as_of_t) != CX_OK)
        return usage_error("--as-of: %s", cx_last_error());
    if (o->confidence) {
        double l;
        if (parse_real(&l, o->confidence, 0, 1) != 0 || cx_query_set_confidence(q, l) != CX_OK)
            return usage_error("bad --confidence '%s': give a level between 0 and 1, e.g. 0.95", o->confidence);
    }
    if (o->repeat_window) {
        int64_t w;
        if (parse_duration(&w, o->repeat_window) != 0 || cx_query_set_repeat_window(q, w) != CX_OK)
            return usage_error("bad --repeat-window '%s': give a duration such as 7d or 48h", o->repeat_window);
    }
    for (size_t i = 0; i < o->sla.n; i++) {
        int r = set_sla(q, o->sla.v[i]);
        if (r == -1)
            return usage_error("bad --sla '%s': give PRIORITY[:CHANNEL]=FIRST_RESPONSE/RESOLUTION, e.g. high=4h/24h",
                               o->sla.v[i]);
        if (r == -2)
            return usage_error("--sla %s: %s", o->sla.v[i], cx_last_error());
    }
    if (o->calendar.n || o->holiday.n) {
        if (!o->calendar.n)
            return usage_error("%s", "--holiday needs --calendar (the opening hours)");
        if (cx_calendar_new(cal, o->offset_min) != CX_OK)
            return fail_lib("calendar");
        for (size_t i = 0; i < o->calendar.n; i++) {
            int r = calendar_hours(*cal, o->calendar.v[i]);
            if (r == -1)
                return usage_error("bad --calendar '%s': give DAYS=HH:MM-HH:MM, e.g. sun-thu=08:00-17:00",
                                   o->calendar.v[i]);
            if (r == -2)
                return usage_error("--calendar %s: %s", o->calendar.v[i], cx_last_error());
        }
        for (size_t i = 0; i < o->holiday.n; i++) {
            int y, m, d;
            char tail;
            const char *h = o->holiday.v[i];
            if (sscanf(h, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(h) != 10 ||
                cx_calendar_add_holiday(*cal, y, m, d) != CX_OK)
                return usage_error("bad --holiday '%s': give YYYY-MM-DD", h);
        }
        if (cx_query_set_calendar(q, *cal) != CX_OK)
            return usage_error("--calendar: %s", cx_last_error());
    }
    return EXIT_DONE;
}

static int run_query(const cx_query *q, const opts *o)
{
    cx_result *r;
    if (cx_query_run(&r, q) != CX_OK)
        return fail_lib("the query failed");
    int rc = emit_result(r, o, 0, NULL, -1);
    cx_result_free(r);
    return rc;
}

int cmd_metrics(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv,
                   OUTPUT_OPTS "--measure --by --filter --from --to --as-of --confidence --repeat-window --sla "
                               "--calendar --holiday --threads",
                   1);
    if (rc == EXIT_DONE && o.npos < 1)
        rc = usage_error("%s", "DB is missing");
    int threads = 0;
    if (rc == EXIT_DONE)
        rc = threads_of(&o, &threads);
    int measures[CX_MEASURE_COUNT], nm = 0;
    const char *mlist = o.measure ? o.measure : "nps,csat,ces,fcr";
    for (const char *p = mlist; rc == EXIT_DONE;) {
        size_t len = strcspn(p, ",");
        int m = find_name(measure_names, CX_MEASURE_COUNT, p, len);
        if (m < 0) {
            char names[512];
            join_names(names, sizeof names, measure_names, CX_MEASURE_COUNT);
            rc = usage_error("unknown measure '%.*s': give %s", (int)len, p, names);
            break;
        }
        if (nm < CX_MEASURE_COUNT)
            measures[nm++] = m;
        if (!p[len])
            break;
        p += len + 1;
    }
    cx_store *s = NULL;
    cx_query *q = NULL;
    cx_calendar *cal = NULL;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE && (cx_query_new(&q, s) != CX_OK || cx_query_set_threads(q, threads) != CX_OK))
        rc = fail_lib("query");
    for (int i = 0; i < nm && rc == EXIT_DONE; i++)
        if (cx_query_add(q, (cx_measure)measures[i]) != CX_OK)
            rc = usage_error("--measure %s: %s", measure_names[measures[i]], cx_last_error());
    if (rc == EXIT_DONE)
        rc = setup_query(q, &o, s, &cal);
    if (rc == EXIT_DONE)
        rc = run_query(q, &o);
    cx_query_free(q);
    cx_calendar_free(cal);
    close_db(s);
    opts_free(&o);
    return rc;
}

int cmd_agents(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv, OUTPUT_OPTS "--from --to --as-of --agent --filter --sla --calendar --holiday", 1);
    if (rc == EXIT_DONE && o.npos < 1)
        rc = usage_error("%s", "DB is missing");
    cx_store *s = NULL;
    cx_query *q = NULL;
    cx_calendar *cal = NULL;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE && cx_query_new_agent_daily(&q, s, o.offset_min) != CX_OK)
        rc = fail_lib("agent report");
    size_t k;
    if (rc == EXIT_DONE && o.agent && cx_vocab_find(&k, s, CX_VOCAB_AGENT, o.agent) != CX_OK)
        rc = fail("%s has no agent '%s'", o.pos[0], o.agent);
    if (rc == EXIT_DONE && o.agent && cx_query_filter(q, CX_DIM_AGENT, o.agent) != CX_OK)
        rc = usage_error("--agent %s: %s", o.agent, cx_last_error());
    if (rc == EXIT_DONE)
        rc = setup_query(q, &o, s, &cal);
    if (rc == EXIT_DONE)
        rc = run_query(q, &o);
    cx_query_free(q);
    cx_calendar_free(cal);
    close_db(s);
    opts_free(&o);
    return rc;
}

/* ---- journeys ---------------------------------------------------------- */

static const char *const level_names[] = {"touchpoint", "channel", "stage"};

/* "stage:purchase", "touchpoint:home_delivery", "channel:web", or a bare
 * name looked up as a stage, a channel, then a touchpoint. */
static int step_of(cx_journeys_level *level, const char **name, const char *spec, const cx_store *s)
{
    const char *colon = strchr(spec, ':');
    if (colon) {
        int l = find_name(level_names, 3, spec, (size_t)(colon - spec));
        if (l < 0)
            return -1;
        *level = (cx_journeys_level)l;
        *name = colon + 1;
        return 0;
    }
    size_t k;
    *name = spec;
    if (cx_vocab_find(&k, s, CX_VOCAB_STAGE, spec) == CX_OK)
        *level = CX_JOURNEYS_LEVEL_STAGE;
    else if (cx_vocab_find(&k, s, CX_VOCAB_CHANNEL, spec) == CX_OK)
        *level = CX_JOURNEYS_LEVEL_CHANNEL;
    else if (cx_store_find(&k, s, CX_TABLE_TOUCHPOINTS, spec) == CX_OK)
        *level = CX_JOURNEYS_LEVEL_TOUCHPOINT;
    else
        return -2;
    return 0;
}

static const char *const journey_views[] = {"paths", "funnel", "transitions", "attribution", "pain-points",
                                            "stages", "drivers", "path-counts", "steps"};

int cmd_journeys(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv,
                   OUTPUT_OPTS "--top --level --gap --boundary --conversion --step --exclude --window --strict-order "
                               "--order --min-support --threads",
                   2);
    char names[256];
    join_names(names, sizeof names, journey_views, sizeof journey_views / sizeof journey_views[0]);
    if (rc == EXIT_DONE && o.npos < 2)
        rc = usage_error(o.npos ? "which view? give %s" : "DB and the view (%s) are missing", names);
    int view = -1;
    if (rc == EXIT_DONE &&
        (view = find_name(journey_views, sizeof journey_views / sizeof journey_views[0], o.pos[1], strlen(o.pos[1]))) < 0)
        rc = usage_error("unknown view '%s': give %s", o.pos[1], names);
    if (rc == EXIT_DONE && view == 1 && o.step.n < 2)
        rc = usage_error("%s", "a funnel needs two --step or more (e.g. --step awareness --step purchase)");
    if (rc == EXIT_DONE && view != 1 && (o.step.n || o.exclude.n || o.window || o.strict_order))
        rc = usage_error("%s", "--step, --exclude, --window and --strict-order are for the funnel");
    long order = 1;
    if (rc == EXIT_DONE && o.order && parse_int(&order, o.order, 1, 8) != 0)
        rc = usage_error("bad --order '%s': give 1 to 8", o.order);
    int level = 0;
    if (rc == EXIT_DONE && o.level && (level = find_name(level_names, 3, o.level, strlen(o.level))) < 0)
        rc = usage_error("unknown --level '%s': give touchpoint, channel or stage", o.level);
    cx_store *s = NULL;
    cx_journeys_options *jo = NULL;
    cx_journeys *j = NULL;
    cx_funnel *fn = NULL;
    cx_result *r = NULL;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE && cx_journeys_options_new(&jo, s) != CX_OK)
        rc = fail_lib("journey options");
    if (rc == EXIT_DONE && cx_journeys_options_set_level(jo, (cx_journeys_level)level) != CX_OK)
        rc = usage_error("--level: %s", cx_last_error());
    int threads = 0;
    if (rc == EXIT_DONE && (rc = threads_of(&o, &threads)) == EXIT_DONE &&
        cx_journeys_options_set_threads(jo, threads) != CX_OK)
        rc = fail_lib("--threads");
    if (rc == EXIT_DONE) {
        const char *c = o.conversion ? o.conversion : "kind:purchase", *colon = strchr(c, ':');
        cx_conversion_by by = CX_CONVERSION_BY_KIND;
        const char *name = c;
        if (colon) {
            size_t l = (size_t)(colon - c);
            name = colon + 1;
            if (l == 4 && strncmp(c, "kind", 4) == 0)
                by = CX_CONVERSION_BY_KIND;
            else if (l == 10 && strncmp(c, "touchpoint", 10) == 0)
                by = CX_CONVERSION_BY_TOUCHPOINT;
            else if (l == 5 && strncmp(c, "stage", 5) == 0)
                by = CX_CONVERSION_BY_STAGE;
            else
                rc = usage_error("bad --conversion '%s': give kind:NAME, touchpoint:NAME or stage:NAME", c);
        }
        if (rc == EXIT_DONE && cx_journeys_options_set_conversion(jo, by, name) != CX_OK)
            rc = usage_error("--conversion %s: %s", c, cx_last_error());
    }
    if (rc == EXIT_DONE && o.gap) {
        int64_t g;
        if (parse_duration(&g, o.gap) != 0 || cx_journeys_options_set_gap(jo, g) != CX_OK)
            rc = usage_error("bad --gap '%s': give a duration such as 30d", o.gap);
    }
    if (rc == EXIT_DONE && o.boundary) {
        static const char *const b[] = {"conversion", "post-purchase", "gap"};
        int k = find_name(b, 3, o.boundary, strlen(o.boundary));
        if (k < 0 || cx_journeys_options_set_boundary(jo, (cx_journeys_boundary)k) != CX_OK)
            rc = usage_error("unknown --boundary '%s': give post-purchase (the default), conversion or gap", o.boundary);
    }
    if (rc == EXIT_DONE && o.min_support) {
        long m;
        if (parse_int(&m, o.min_support, 1, 1000000000L) != 0 || cx_journeys_options_set_min_support(jo, m) != CX_OK)
            rc = usage_error("bad --min-support '%s': give a whole number from 1", o.min_support);
    }
    if (rc == EXIT_DONE && view == 1) {
        if (cx_funnel_new(&fn, s) != CX_OK)
            rc = fail_lib("funnel");
        for (size_t i = 0; i < o.step.n + o.exclude.n && rc == EXIT_DONE; i++) {
            bool step = i < o.step.n;
            const char *spec = step ? o.step.v[i] : o.exclude.v[i - o.step.n], *name;
            cx_journeys_level l;
            int k = step_of(&l, &name, spec, s);
            if (k == -1)
                rc = usage_error("bad step '%s': give LEVEL:NAME (stage, channel, touchpoint) or a name", spec);
            else if (k == -2)
                rc = usage_error("unknown step '%s': %s has no stage, channel or touchpoint of that name", spec,
                                 o.pos[0]);
            else if ((step ? cx_funnel_add_step(fn, l, name) : cx_funnel_add_exclusion(fn, l, name)) != CX_OK)
                rc = usage_error("%s %s: %s", step ? "--step" : "--exclude", spec, cx_last_error());
        }
        if (rc == EXIT_DONE && o.window) {
            int64_t w;
            if (parse_duration(&w, o.window) != 0 || cx_funnel_set_window(fn, w) != CX_OK)
                rc = usage_error("bad --window '%s': give a duration such as 90d", o.window);
        }
        if (rc == EXIT_DONE && o.strict_order && cx_funnel_set_strict(fn, 1) != CX_OK)
            rc = fail_lib("--strict-order");
    }
    if (rc == EXIT_DONE && cx_journeys_new(&j, s, jo) != CX_OK)
        rc = fail_lib("journeys");
    int st = CX_OK;
    if (rc == EXIT_DONE) {
        switch (view) {
        case 0:
            st = cx_journeys_paths(&r, j, o.top_n > 0 ? (size_t)o.top_n : 10);
            break;
        case 1:
            st = cx_journeys_funnel(&r, j, fn);
            break;
        case 2:
            st = cx_journeys_transitions(&r, j, (int)order);
            break;
        case 3:
            st = cx_journeys_attribution(&r, j, (int)order);
            break;
        case 4:
            st = cx_journeys_pain_points(&r, j);
            break;
        case 5:
            st = cx_journeys_stages(&r, j);
            break;
        case 7:
            st = cx_journeys_path_counts(&r, j, " > ");
            break;
        case 8:
            st = cx_journeys_step_matrix(&r, j, o.top_n > 0 ? (size_t)o.top_n : 10);
            break;
        default:
            st = cx_journeys_drivers(&r, j);
        }
        if (st != CX_OK)
            rc = fail_lib(journey_views[view]);
    }
    if (rc == EXIT_DONE)
        rc = emit_result(r, &o, 0, NULL, view == 0 || view == 8 ? -1 : view == 4 || view == 2 || view == 7 ? list_top(&o) : o.top_n);
    cx_result_free(r);
    cx_journeys_free(j);
    cx_funnel_free(fn);
    cx_journeys_options_free(jo);
    close_db(s);
    opts_free(&o);
    return rc;
}

/* ---- paths (attribution from a file of path counts) ---------------------- */

int cmd_paths(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv, OUTPUT_OPTS "--order --separator --path --conversions --nulls --value --top --threads",
                   1);
    if (rc == EXIT_DONE && o.npos < 1)
        rc = usage_error("%s", "the CSV file of path counts is missing");
    long order = 1;
    if (rc == EXIT_DONE && o.order && parse_int(&order, o.order, 1, CX_JOURNEYS_MAX_ORDER) != 0)
        rc = usage_error("bad --order '%s': give 1 to %d", o.order, CX_JOURNEYS_MAX_ORDER);
    /* "-" for --nulls or --value: the file has no such column */
    const char *nulls = o.nulls_col ? (strcmp(o.nulls_col, "-") ? o.nulls_col : NULL) : "total_null";
    const char *value = o.value_col ? (strcmp(o.value_col, "-") ? o.value_col : NULL) : "total_conversion_value";
    cx_paths *p = NULL;
    cx_result *r = NULL;
    if (rc == EXIT_DONE && cx_paths_new(&p) != CX_OK)
        rc = fail_lib("paths");
    int threads = 0;
    if (rc == EXIT_DONE && (rc = threads_of(&o, &threads)) == EXIT_DONE && cx_paths_set_threads(p, threads) != CX_OK)
        rc = fail_lib("--threads");
    if (rc == EXIT_DONE &&
        cx_paths_import_csv(p, o.pos[0], o.separator ? o.separator : ">", o.path_col ? o.path_col : "path",
                            o.conversions_col ? o.conversions_col : "total_conversions", nulls, value) != CX_OK)
        rc = fail_lib("import");
    if (rc == EXIT_DONE && cx_paths_attribution(&r, p, (int)order) != CX_OK)
        rc = fail_lib("attribution");
    if (rc == EXIT_DONE)
        rc = emit_result(r, &o, 0, NULL, o.top_n);
    cx_result_free(r);
    cx_paths_free(p);
    opts_free(&o);
    return rc;
}

/* ---- cycles (a case's openings and resolutions, issue 16) ---------------- */

static const char *const cycles_views[] = {"summary", "cycles", "check"};
static const char *const cycles_groups[] = {"none", "channel", "priority", "agent"};

int cmd_cycles(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv, OUTPUT_OPTS "--by --strict --top", 3);
    if (rc == EXIT_DONE && o.npos < 2)
        rc = usage_error("%s", o.npos ? "the CSV file of case events is missing" : "DB and the case events are missing");
    int view = 0, by = CX_CYCLES_BY_NONE;
    if (rc == EXIT_DONE && o.npos > 2 && (view = find_name(cycles_views, 3, o.pos[2], strlen(o.pos[2]))) < 0)
        rc = usage_error("unknown view '%s': give summary, cycles or check", o.pos[2]);
    if (rc == EXIT_DONE && o.by && (by = find_name(cycles_groups, 4, o.by, strlen(o.by))) < 0)
        rc = usage_error("unknown --by '%s': give channel, priority, agent or none", o.by);
    cx_store *s = NULL;
    cx_case_events *ev = NULL;
    cx_cycles_options *co = NULL;
    cx_result *r = NULL;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE && (cx_case_events_new(&ev) != CX_OK || cx_cycles_options_new(&co) != CX_OK ||
                            cx_cycles_options_set_group(co, by) != CX_OK ||
                            cx_cycles_options_set_strict(co, o.strict) != CX_OK))
        rc = fail_lib("cycles");
    if (rc == EXIT_DONE && cx_case_events_import_csv(ev, o.pos[1]) != CX_OK)
        rc = fail_lib("case events");
    if (rc == EXIT_DONE) {
        int got = view == 0 ? cx_cycles_summary(&r, ev, s, co)
                  : view == 1 ? cx_cycles_run(&r, ev, s, co)
                              : cx_cycles_check(&r, ev, s);
        if (got != CX_OK)
            rc = fail_lib(cycles_views[view]);
    }
    if (rc == EXIT_DONE)
        rc = emit_result(r, &o, 0, NULL, view == 0 ? o.top_n : list_top(&o));
    cx_result_free(r);
    cx_cycles_options_free(co);
    cx_case_events_free(ev);
    cx_store_free(s);
    opts_free(&o);
    return rc;
}

/* ---- text (what customers write) ----------------------------------------- */

static const char *const text_views[] = {"themes", "search", "terms"};
static const char *const text_groups[] = {"none", "touchpoint", "channel", "stage", "agent", "question", "language",
                                          "period"};
static const char *const text_metrics[] = {"nps", "csat", "ces", "custom"};

int cmd_text(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv,
                   OUTPUT_OPTS "--metric --by --bucket --touchpoint --channel --from --to --min-count --top", 3);
    if (rc == EXIT_DONE && o.npos < 2)
        rc = usage_error("%s", o.npos ? "which view? give themes, search or terms"
                                      : "DB and the view (themes, search, terms) are missing");
    int view = -1;
    if (rc == EXIT_DONE && (view = find_name(text_views, 3, o.pos[1], strlen(o.pos[1]))) < 0)
        rc = usage_error("unknown view '%s': give themes, search or terms", o.pos[1]);
    if (rc == EXIT_DONE && view == 1 && o.npos < 3)
        rc = usage_error("%s", "search needs the words to look for (cxkit text DB search \"late delivery\")");
    if (rc == EXIT_DONE && view != 1 && o.npos > 2)
        rc = usage_error("unexpected argument '%s'", o.pos[2]);
    int metric = CX_METRIC_NPS, group = CX_TEXT_GROUP_TOUCHPOINT, bucket = CX_BUCKET_MONTH;
    if (rc == EXIT_DONE && o.metric && (metric = find_name(text_metrics, 4, o.metric, strlen(o.metric))) < 0)
        rc = usage_error("unknown --metric '%s': give nps, csat, ces or custom", o.metric);
    if (rc == EXIT_DONE && o.by && (group = find_name(text_groups, 8, o.by, strlen(o.by))) < 0)
        rc = usage_error("unknown --by '%s': give touchpoint, channel, stage, agent, question, language, period "
                         "or none", o.by);
    if (rc == EXIT_DONE && o.bucket && (bucket = find_name(bucket_names, 5, o.bucket, strlen(o.bucket))) < 0)
        rc = usage_error("unknown --bucket '%s': give day, week, month, quarter or year", o.bucket);
    long min_count = view == 2 ? 5 : 10;
    if (rc == EXIT_DONE && o.min_count && parse_int(&min_count, o.min_count, 1, 1000000000L) != 0)
        rc = usage_error("bad --min-count '%s': give a count >= 1", o.min_count);
    cx_store *s = NULL;
    cx_text_index *ix = NULL;
    cx_result *r = NULL, *counts = NULL;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE && cx_text_index_new(&ix, s, CX_LANG_AUTO) != CX_OK)
        rc = fail_lib("text index");
    if (rc == EXIT_DONE && view == 0) {
        if (cx_text_counts(&counts, ix, metric, group, bucket, o.offset_min, o.touchpoint, o.channel,
                           o.from ? o.from_t : CX_TIME_NONE, o.to ? o.to_t : CX_TIME_NONE) != CX_OK)
            rc = fail_lib("themes");
        else if (cx_text_themes(&r, counts, 0, min_count) != CX_OK)
            rc = fail_lib("themes");
    } else if (rc == EXIT_DONE && view == 1) {
        if (cx_text_search(&r, ix, o.pos[2], 0) != CX_OK)
            rc = fail_lib("search");
    } else if (rc == EXIT_DONE && cx_text_terms(&r, ix, min_count) != CX_OK) {
        rc = fail_lib("terms");
    }
    if (rc == EXIT_DONE)
        rc = emit_result(r, &o, 0, NULL, o.top_n);
    cx_result_free(r);
    cx_result_free(counts);
    cx_text_index_free(ix);
    close_db(s);
    opts_free(&o);
    return rc;
}

/* ---- retention --------------------------------------------------------- */

static int parse_activity(int *out, const char *text)
{
    *out = 0;
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        if (len == 12 && strncmp(p, "transactions", 12) == 0)
            *out |= CX_ACTIVITY_TRANSACTIONS;
        else if (len == 7 && strncmp(p, "inbound", 7) == 0)
            *out |= CX_ACTIVITY_INBOUND;
        else
            return -1;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

static const char *const retention_views[] = {"cohorts", "survival", "curve", "lifecycle", "stickiness", "logrank", "cox"};
#define NVIEWS (sizeof retention_views / sizeof retention_views[0])

/* The service signals the Cox view can add (cx_cox_signal), by name. */
static const char *const cox_signal_names[] = {"detractor", "detractor_share", "cases", "resolution_hours",
                                               "reopens"};
#define NSIGNALS (sizeof cox_signal_names / sizeof cox_signal_names[0])
static const char cox_default_signals[] = "detractor,cases,resolution_hours,reopens";

/* The level of `dim` most customers have, the reference of its hazard
 * ratios (their rates are then against the bulk of the customers); into
 * ref (cap bytes), "" when none. */
static int most_common_level(char *ref, size_t cap, const cx_store *s, cx_time as_of, int activity,
                             int64_t inactivity, int dim)
{
    cx_survival_options *so = NULL;
    cx_survival *sv = NULL;
    cx_result *sum = NULL;
    int rc = EXIT_DONE;
    ref[0] = 0;
    if (cx_survival_options_new(&so) != CX_OK)
        return fail_lib("survival options");
    if (cx_survival_options_set_activity(so, activity) != CX_OK ||
        cx_survival_options_set_inactivity(so, inactivity) != CX_OK ||
        cx_survival_options_set_group_by(so, (cx_dim)dim) != CX_OK ||
        cx_survival_from_store(&sv, s, as_of, so) != CX_OK || cx_survival_summary(&sum, sv) != CX_OK)
        rc = fail_lib("the levels of a factor");
    int64_t best = -1;
    for (size_t i = 0; rc == EXIT_DONE && i < cx_result_row_count(sum); i++) {
        const char *g = NULL;
        int64_t n;
        if (cx_result_get_string(&g, sum, i, 0) == CX_OK && g && cx_result_get_int(&n, sum, i, 1) == CX_OK &&
            n > best && strlen(g) < cap) {
            best = n;
            snprintf(ref, cap, "%s", g);
        }
    }
    cx_result_free(sum);
    cx_survival_free(sv);
    cx_survival_options_free(so);
    return rc;
}

/* The Cox view: the hazard ratios of the factors of --by (categorical, the
 * most common level the reference) and of the service signals of
 * --signals, fitted with cx_cox_fit_store() on the subjects of the
 * survival curves; with a `reference` column naming each factor term's
 * reference level. */
static int cox_view(const cx_store *s, cx_time as_of, const cx_survival_options *so, int activity,
                    int64_t inactivity, const opts *o)
{
    static const char *const extra[] = {"reference"};
    const char *by = o->by ? o->by : "segment,plan";
    const char *signals = o->signals ? o->signals : cox_default_signals;
    cx_cox_options *co = NULL;
    cx_cox *cox = NULL;
    cx_result *res = NULL;
    int dims[16], ndims = 0, rc = EXIT_DONE;
    char refs[16][64];
    if (cx_cox_options_new(&co) != CX_OK)
        return fail_lib("Cox options");
    for (const char *p = by; rc == EXIT_DONE && *p;) {
        size_t len = strcspn(p, ",");
        int d = find_name(dim_names, NDIMS, p, len);
        if (d != CX_DIM_SEGMENT && d != CX_DIM_REGION && d != CX_DIM_PLAN && d != CX_DIM_CHANNEL)
            rc = usage_error("cox: bad --by '%.*s': give a list of segment, region, plan, channel", (int)len, p);
        else if (ndims == 16)
            rc = usage_error("%s", "cox: at most 16 factors");
        else if ((rc = most_common_level(refs[ndims], sizeof refs[0], s, as_of, activity, inactivity, d)) == EXIT_DONE) {
            if (cx_cox_options_add_store_column(co, (cx_dim)d, refs[ndims][0] ? refs[ndims] : NULL) != CX_OK)
                rc = usage_error("cox: %s", cx_last_error());
            dims[ndims++] = d;
        }
        p += len + (p[len] == ',');
    }
    if (rc == EXIT_DONE && strcmp(signals, "none") != 0)
        for (const char *p = signals; rc == EXIT_DONE && *p;) {
            size_t len = strcspn(p, ",");
            int k = find_name(cox_signal_names, NSIGNALS, p, len);
            if (k < 0)
                rc = usage_error("cox: unknown signal '%.*s': give %s (or none)", (int)len, p, cox_default_signals);
            else if (cx_cox_options_add_store_signal(co, (cx_cox_signal)k, NULL) != CX_OK)
                rc = usage_error("cox: %s", cx_last_error());
            p += len + (p[len] == ',');
        }
    if (rc == EXIT_DONE && cx_cox_fit_store(&cox, s, as_of, so, co) != CX_OK)
        rc = fail_lib("Cox model");
    if (rc == EXIT_DONE && cx_cox_coefficients(&res, cox, 0.95) != CX_OK)
        rc = fail_lib("Cox model");
    out_table t, u;
    if (rc == EXIT_DONE && out_from_result(&t, res, o->offset_min) != 0)
        rc = fail("out of memory");
    else if (rc == EXIT_DONE) {
        /* the same table with the reference column */
        const char **names = malloc((t.ncol + 1) * sizeof *names);
        if (!names || (memcpy(names, t.names, t.ncol * sizeof *names), names[t.ncol] = extra[0],
                       out_init(&u, t.ncol + 1, names, o->offset_min) != 0))
            rc = fail("out of memory");
        free(names);
        for (size_t i = 0; rc == EXIT_DONE && i < t.nrow; i++) {
            size_t row = out_add_row(&u);
            if (row == (size_t)-1) {
                rc = fail("out of memory");
                break;
            }
            for (size_t c = 0; c < t.ncol && rc == EXIT_DONE; c++) {
                const out_cell *from = out_at(&t, i, c);
                if (from->type == CELL_TEXT) {
                    if (out_set_text(&u, row, c, from->v.text) != 0)
                        rc = fail("out of memory");
                } else
                    *out_at(&u, row, c) = *from;
            }
            const out_cell *term = out_at(&t, i, 0);
            for (int k = 0; rc == EXIT_DONE && term->type == CELL_TEXT && k < ndims; k++) {
                const char *dn = dim_names[dims[k]];
                size_t dl = strlen(dn);
                if (strncmp(term->v.text, dn, dl) == 0 && term->v.text[dl] == '=' && refs[k][0]) {
                    char buf[1200];
                    snprintf(buf, sizeof buf, "%s=%s", dn, refs[k]);
                    if (out_set_text(&u, row, t.ncol, buf) != 0)
                        rc = fail("out of memory");
                }
            }
        }
        if (rc == EXIT_DONE)
            rc = emit(&u, o);
        out_free(&u);
        out_free(&t);
    }
    cx_result_free(res);
    cx_cox_free(cox);
    cx_cox_options_free(co);
    return rc;
}

/* The log-rank view: one row with the test across the groups, and the
 * smallest group's subjects and events (the test's chi-square reading is
 * poor when a group has few events). */
static int logrank_row(const cx_survival *sv, const opts *o)
{
    static const char *const cols[] = {"groups", "chi2", "df", "p", "min_subjects", "min_events"};
    double chi2, p;
    uint64_t df;
    if (cx_survival_logrank(&chi2, &p, &df, sv) != CX_OK)
        return fail_lib("log-rank test");
    cx_result *sum = NULL;
    if (cx_survival_summary(&sum, sv) != CX_OK)
        return fail_lib("survival summary");
    int64_t min_subjects = INT64_MAX, min_events = INT64_MAX;
    for (size_t i = 0; i < cx_result_row_count(sum); i++) {
        int64_t v;
        if (cx_result_get_int(&v, sum, i, 1) == CX_OK && v < min_subjects)
            min_subjects = v;
        if (cx_result_get_int(&v, sum, i, 2) == CX_OK && v < min_events)
            min_events = v;
    }
    cx_result_free(sum);
    out_table t;
    if (out_init(&t, 6, cols, o->offset_min) != 0)
        return fail("out of memory");
    size_t row = out_add_row(&t);
    if (row == (size_t)-1) {
        out_free(&t);
        return fail("out of memory");
    }
    const int64_t ints[] = {(int64_t)cx_survival_group_count(sv), 0, (int64_t)df, 0, min_subjects, min_events};
    for (size_t c = 0; c < 6; c++) {
        out_cell *cell = out_at(&t, row, c);
        if (c == 1 || c == 3) {
            cell->type = CELL_REAL;
            cell->v.d = c == 1 ? chi2 : p;
        } else {
            cell->type = CELL_INT;
            cell->v.i = ints[c];
        }
    }
    int rc = emit(&t, o);
    out_free(&t);
    return rc;
}

int cmd_retention(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv,
                   OUTPUT_OPTS "--bucket --start --activity --by --inactivity --unit --as-of --top --signals", 2);
    if (rc == EXIT_DONE && o.npos < 2)
        rc = usage_error("%s", o.npos ? "which view? give cohorts, survival, curve, lifecycle, stickiness or logrank"
                                      : "DB and the view (cohorts, survival, curve, lifecycle, stickiness, logrank) are missing");
    int view = -1;
    if (rc == EXIT_DONE && (view = find_name(retention_views, NVIEWS, o.pos[1], strlen(o.pos[1]))) < 0)
        rc = usage_error("unknown view '%s': give cohorts, survival, curve, lifecycle, stickiness or logrank", o.pos[1]);
    bool by_period = view == 0 || view == 3 || view == 4; /* the views of the cohort options */
    int activity = 0;
    if (rc == EXIT_DONE && o.activity && parse_activity(&activity, o.activity) != 0)
        rc = usage_error("bad --activity '%s': give transactions, inbound or both (transactions,inbound)", o.activity);
    int bucket = CX_BUCKET_MONTH;
    if (rc == EXIT_DONE && o.bucket && (bucket = find_name(bucket_names, 5, o.bucket, strlen(o.bucket))) < 0)
        rc = usage_error("unknown --bucket '%s': give day, week, month, quarter or year", o.bucket);
    int start = CX_COHORT_FIRST_ACTIVITY;
    if (rc == EXIT_DONE && o.start) {
        if (strcmp(o.start, "first-activity") == 0)
            start = CX_COHORT_FIRST_ACTIVITY;
        else if (strcmp(o.start, "acquired") == 0)
            start = CX_COHORT_ACQUIRED;
        else
            rc = usage_error("unknown --start '%s': give first-activity or acquired", o.start);
    }
    int group = -1;
    if (rc == EXIT_DONE && o.by && view != 6 && (group = find_name(dim_names, NDIMS, o.by, strlen(o.by))) < 0)
        rc = usage_error("unknown --by '%s': give segment, region, plan or another dimension", o.by);
    int64_t inactivity = 180 * DAY, unit = DAY;
    if (rc == EXIT_DONE && o.inactivity && (parse_duration(&inactivity, o.inactivity) != 0 || inactivity <= 0))
        rc = usage_error("bad --inactivity '%s': give a duration such as 180d", o.inactivity);
    if (rc == EXIT_DONE && o.unit && (parse_duration(&unit, o.unit) != 0 || unit <= 0))
        rc = usage_error("bad --unit '%s': give a duration such as 1d or 1w", o.unit);
    if (rc == EXIT_DONE && by_period && (o.by || o.inactivity || o.unit || o.as_of))
        rc = usage_error("%s", "--by, --inactivity, --unit and --as-of are for survival, curve and logrank");
    if (rc == EXIT_DONE && !by_period && (o.bucket || o.start))
        rc = usage_error("%s", "--bucket and --start are for cohorts, lifecycle and stickiness");
    if (rc == EXIT_DONE && view != 6 && o.signals)
        rc = usage_error("%s", "--signals is for cox");
    if (rc == EXIT_DONE && view == 5 && group < 0)
        rc = usage_error("%s", "logrank compares groups: give --by segment (or another dimension)");
    cx_store *s = NULL;
    cx_result *r = NULL;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE && by_period) {
        cx_cohorts_options *co;
        if (cx_cohorts_options_new(&co) != CX_OK)
            rc = fail_lib("cohort options");
        else {
            if (cx_cohorts_options_set_bucket(co, (cx_bucket)bucket) != CX_OK ||
                cx_cohorts_options_set_offset(co, o.offset_min) != CX_OK ||
                cx_cohorts_options_set_start(co, (cx_cohort_start)start) != CX_OK ||
                (activity && cx_cohorts_options_set_activity(co, activity) != CX_OK))
                rc = usage_error("cohort options: %s", cx_last_error());
            else if ((view == 0 ? cx_cohorts_run(&r, s, co)
                      : view == 3 ? cx_lifecycle_run(&r, s, co)
                                  : cx_stickiness_run(&r, s, co)) != CX_OK)
                rc = fail_lib(retention_views[view]);
            cx_cohorts_options_free(co);
        }
    } else if (rc == EXIT_DONE) {
        cx_time as_of;
        rc = as_of_time(&as_of, &o, s, o.pos[0]);
        cx_survival_options *so = NULL;
        cx_survival *sv = NULL;
        if (rc == EXIT_DONE && cx_survival_options_new(&so) != CX_OK)
            rc = fail_lib("survival options");
        if (rc == EXIT_DONE &&
            (cx_survival_options_set_activity(so, activity ? activity : CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND) !=
                 CX_OK ||
             cx_survival_options_set_inactivity(so, inactivity) != CX_OK ||
             cx_survival_options_set_unit(so, unit) != CX_OK ||
             (group >= 0 && cx_survival_options_set_group_by(so, (cx_dim)group) != CX_OK)))
            rc = usage_error("survival options: %s", cx_last_error());
        if (rc == EXIT_DONE && view != 6 && cx_survival_from_store(&sv, s, as_of, so) != CX_OK)
            rc = fail_lib("survival");
        if (rc == EXIT_DONE && view == 6)
            rc = cox_view(s, as_of, so, activity ? activity : CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND,
                          inactivity, &o);
        else if (rc == EXIT_DONE && view == 5)
            rc = logrank_row(sv, &o);
        else if (rc == EXIT_DONE && (view == 1 ? cx_survival_summary(&r, sv) : cx_survival_curve(&r, sv)) != CX_OK)
            rc = fail_lib("survival");
        if (rc == EXIT_DONE && view == 1 && o.fmt == FORMAT_TABLE && !o.output && cx_survival_group_count(sv) > 1) {
            double chi2, p;
            uint64_t df;
            rc = emit_result(r, &o, 0, NULL, -1);
            if (rc == EXIT_DONE && cx_survival_logrank(&chi2, &p, &df, sv) == CX_OK)
                printf("log-rank test across the groups: chi2 = %.2f on %llu df, p = %.3g\n", chi2,
                       (unsigned long long)df, p);
            cx_result_free(r);
            r = NULL;
        }
        cx_survival_free(sv);
        cx_survival_options_free(so);
    }
    if (rc == EXIT_DONE && r)
        rc = emit_result(r, &o, 0, NULL, o.top_n);
    cx_result_free(r);
    close_db(s);
    opts_free(&o);
    return rc;
}

/* ---- clv and care ------------------------------------------------------ */

/* The purchase summary up to `end` in `unit`, and the purchase and spend
 * models fitted on it. */
static int fit_models(cx_summary **sum, cx_model **purchases, cx_model **spend, const cx_store *s, cx_time end,
                      int64_t unit, bool pareto)
{
    cx_summary_options *so;
    if (cx_summary_options_new(&so) != CX_OK)
        return fail_lib("summary options");
    int rc = EXIT_DONE;
    if (cx_summary_options_set_unit(so, unit) != CX_OK || cx_summary_options_set_tolerance(so, DAY < unit ? DAY : unit) != CX_OK)
        rc = usage_error("--unit: %s", cx_last_error());
    if (rc == EXIT_DONE && cx_summary_new(sum, s, end, so) != CX_OK)
        rc = fail_lib("purchase summary");
    cx_summary_options_free(so);
    if (rc != EXIT_DONE)
        return rc;
    size_t n = cx_summary_count(*sum);
    const double *x, *tx, *T, *mean;
    if (cx_summary_values(&x, *sum, CX_SUMMARY_FREQUENCY) != CX_OK ||
        cx_summary_values(&tx, *sum, CX_SUMMARY_RECENCY) != CX_OK ||
        cx_summary_values(&T, *sum, CX_SUMMARY_AGE) != CX_OK ||
        cx_summary_values(&mean, *sum, CX_SUMMARY_MONETARY) != CX_OK)
        return fail_lib("purchase summary");
    if ((pareto ? cx_model_fit_paretonbd(purchases, x, tx, T, NULL, n) : cx_model_fit_bgnbd(purchases, x, tx, T, NULL, n)) !=
        CX_OK)
        return fail_lib(pareto ? "Pareto/NBD fit" : "BG/NBD fit");
    if (spend && cx_model_fit_gammagamma(spend, x, mean, NULL, n) != CX_OK)
        return fail_lib("Gamma-Gamma fit");
    return EXIT_DONE;
}

static int model_table(out_table *t, const cx_model *m, int offset)
{
    cx_result *r;
    if (cx_model_params(&r, m) != CX_OK)
        return fail_lib("model parameters");
    int rc = out_from_result(t, r, offset) == 0 ? EXIT_DONE : fail("out of memory");
    cx_result_free(r);
    return rc;
}

int cmd_clv(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv, OUTPUT_OPTS "--as-of --unit --model --horizon --period --discount --top", 2);
    if (rc == EXIT_DONE && o.npos < 1)
        rc = usage_error("%s", "DB is missing");
    const char *view = o.npos > 1 ? o.pos[1] : "customers";
    if (rc == EXIT_DONE && strcmp(view, "customers") != 0 && strcmp(view, "params") != 0)
        rc = usage_error("unknown view '%s': give customers (the default) or params", view);
    bool pareto = false;
    if (rc == EXIT_DONE && o.model) {
        if (strcmp(o.model, "paretonbd") == 0)
            pareto = true;
        else if (strcmp(o.model, "bgnbd") != 0)
            rc = usage_error("unknown --model '%s': give bgnbd (the default) or paretonbd", o.model);
    }
    int64_t unit = WEEK;
    if (rc == EXIT_DONE && o.unit && (parse_duration(&unit, o.unit) != 0 || unit < HOUR))
        rc = usage_error("bad --unit '%s': give a duration of an hour or more, such as 1w", o.unit);
    long horizon = 12;
    double period = 52.0 / 12 * (double)WEEK / (double)unit, discount = 0.01;
    if (rc == EXIT_DONE && o.horizon && parse_int(&horizon, o.horizon, 1, 1200) != 0)
        rc = usage_error("bad --horizon '%s': give the number of periods, 1 to 1200", o.horizon);
    if (rc == EXIT_DONE && o.period && parse_real(&period, o.period, 1e-6, 1e6) != 0)
        rc = usage_error("bad --period '%s': give its length in units, e.g. 4.33 (weeks in a month)", o.period);
    if (rc == EXIT_DONE && o.discount && parse_real(&discount, o.discount, 0, 1) != 0)
        rc = usage_error("bad --discount '%s': give a rate per period between 0 and 1", o.discount);
    cx_store *s = NULL;
    cx_summary *sum = NULL;
    cx_model *pm = NULL, *gg = NULL;
    cx_time as_of = CX_TIME_NONE;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE)
        rc = as_of_time(&as_of, &o, s, o.pos[0]);
    if (rc == EXIT_DONE)
        rc = fit_models(&sum, &pm, &gg, s, as_of, unit, pareto);
    if (rc == EXIT_DONE && strcmp(view, "params") == 0) {
        out_table a, b;
        memset(&b, 0, sizeof b);
        rc = model_table(&a, pm, o.offset_min);
        if (rc == EXIT_DONE)
            rc = model_table(&b, gg, o.offset_min);
        /* one table: the spend model's rows after the purchase model's */
        if (rc == EXIT_DONE && a.ncol == b.ncol) {
            for (size_t r = 0; r < b.nrow && rc == EXIT_DONE; r++) {
                size_t row = out_add_row(&a);
                if (row == (size_t)-1) {
                    rc = fail("out of memory");
                    break;
                }
                for (size_t c = 0; c < a.ncol; c++) {
                    *out_at(&a, row, c) = *out_at(&b, r, c);
                    out_at(&b, r, c)->type = CELL_NONE;
                }
            }
        }
        if (rc == EXIT_DONE)
            rc = emit(&a, &o);
        out_free(&a);
        out_free(&b);
    } else if (rc == EXIT_DONE) {
        cx_model_data *d = NULL;
        cx_clv_options *co = NULL;
        cx_result *r = NULL;
        if (cx_model_data_from_summary(&d, sum) != CX_OK || cx_clv_options_new(&co) != CX_OK)
            rc = fail_lib("model data");
        if (rc == EXIT_DONE && (cx_clv_options_set_horizon(co, (int)horizon) != CX_OK ||
                                cx_clv_options_set_period(co, period) != CX_OK ||
                                cx_clv_options_set_discount(co, discount) != CX_OK))
            rc = usage_error("CLV options: %s", cx_last_error());
        if (rc == EXIT_DONE && cx_model_clv(&r, pm, gg, d, co) != CX_OK)
            rc = fail_lib("CLV");
        if (rc == EXIT_DONE)
            rc = emit_result(r, &o, 1, "clv", list_top(&o));
        cx_result_free(r);
        cx_clv_options_free(co);
        cx_model_data_free(d);
    }
    cx_model_free(pm);
    cx_model_free(gg);
    cx_summary_free(sum);
    close_db(s);
    opts_free(&o);
    return rc;
}

static int by_value_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

int cmd_care(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv, OUTPUT_OPTS "--as-of --top", 1);
    if (rc == EXIT_DONE && o.npos < 1)
        rc = usage_error("%s", "DB is missing");
    cx_store *s = NULL;
    cx_summary *sum = NULL;
    cx_model *bg = NULL;
    cx_care_rules *rules = NULL;
    cx_result *r = NULL;
    cx_time as_of = CX_TIME_NONE;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    if (rc == EXIT_DONE)
        rc = as_of_time(&as_of, &o, s, o.pos[0]);
    if (rc == EXIT_DONE)
        rc = fit_models(&sum, &bg, NULL, s, as_of, WEEK, false);
    /* the rules of examples/lifecycle.c: breached SLAs first, then
     * detractors after a case, repeated contacts, valuable customers who
     * may be lost (the top quarter by value), high effort, activity drops */
    double top_quarter = 0;
    if (rc == EXIT_DONE) {
        size_t n = cx_summary_count(sum);
        const double *total;
        double *sorted = malloc((n ? n : 1) * sizeof *sorted);
        if (!sorted || cx_summary_values(&total, sum, CX_SUMMARY_TOTAL) != CX_OK)
            rc = fail("out of memory");
        else {
            memcpy(sorted, total, n * sizeof *sorted);
            qsort(sorted, n, sizeof *sorted, by_value_desc);
            top_quarter = n ? sorted[n / 4] : 0;
        }
        free(sorted);
    }
    size_t rule;
    if (rc == EXIT_DONE &&
        (cx_care_rules_new(&rules) != CX_OK || cx_care_rules_add(&rule, rules, CX_CARE_SLA_BREACH, 9, 0, 72 * HOUR) != CX_OK ||
         cx_care_rules_set_baseline(rules, rule, 24 * HOUR) != CX_OK ||
         cx_care_rules_add(NULL, rules, CX_CARE_DETRACTOR_AFTER_CASE, 8, 6, 30 * DAY) != CX_OK ||
         cx_care_rules_add(NULL, rules, CX_CARE_REPEAT_CONTACTS, 7, 3, 14 * DAY) != CX_OK ||
         cx_care_rules_add(&rule, rules, CX_CARE_LOW_P_ALIVE, 6, 0.3, 0) != CX_OK ||
         cx_care_rules_set_min_value(rules, rule, top_quarter) != CX_OK ||
         cx_care_rules_add(NULL, rules, CX_CARE_HIGH_EFFORT, 5, 1.0 / 6 + 1e-9, 30 * DAY) != CX_OK ||
         cx_care_rules_add(&rule, rules, CX_CARE_ACTIVITY_DROP, 4, 0.2, 60 * DAY) != CX_OK ||
         cx_care_rules_set_min_value(rules, rule, 6) != CX_OK ||
         cx_care_rules_set_baseline(rules, rule, 180 * DAY) != CX_OK))
        rc = fail_lib("care rules");
    if (rc == EXIT_DONE && cx_care_evaluate(&r, rules, s, as_of, bg, sum) != CX_OK)
        rc = fail_lib("care list");
    if (rc == EXIT_DONE)
        rc = emit_result(r, &o, 0, NULL, list_top(&o));
    cx_result_free(r);
    cx_care_rules_free(rules);
    cx_model_free(bg);
    cx_summary_free(sum);
    close_db(s);
    opts_free(&o);
    return rc;
}

/* ---- history ----------------------------------------------------------- */

static const char *sget(const cx_store *s, cx_table t, int col, size_t row)
{
    const char *v = NULL;
    if (cx_store_get_string(&v, s, t, col, row) != CX_OK)
        return NULL;
    return v;
}

int cmd_history(int argc, char **argv)
{
    opts o;
    int rc = parse(&o, argc, argv, OUTPUT_OPTS "--from --to", 2);
    if (rc == EXIT_DONE && o.npos < 2)
        rc = usage_error("%s", o.npos ? "CUSTOMER is missing" : "DB and CUSTOMER are missing");
    cx_store *s = NULL;
    cx_history *h = NULL;
    if (rc == EXIT_DONE)
        rc = open_db(&s, o.pos[0]);
    size_t crow;
    if (rc == EXIT_DONE && cx_store_find(&crow, s, CX_TABLE_CUSTOMERS, o.pos[1]) != CX_OK)
        rc = fail("%s has no customer '%s'", o.pos[0], o.pos[1]);
    if (rc == EXIT_DONE && cx_history_new(&h, s, o.pos[1], o.from_t, o.to_t) != CX_OK)
        rc = fail_lib("history");
    static const char *const cols[] = {"time", "record", "id", "channel", "touchpoint", "what",
                                       "agent", "case", "value", "comment"};
    out_table t;
    memset(&t, 0, sizeof t);
    if (rc == EXIT_DONE && out_init(&t, 10, cols, o.offset_min) != 0)
        rc = fail("out of memory");
    for (size_t i = 0; rc == EXIT_DONE && i < cx_history_count(h); i++) {
        int table;
        size_t r;
        cx_time when;
        size_t row = out_add_row(&t);
        if (row == (size_t)-1 || cx_history_table(&table, h, i) != CX_OK || cx_history_row(&r, h, i) != CX_OK ||
            cx_history_time(&when, h, i) != CX_OK) {
            rc = fail("history entry %zu: %s", i, cx_last_error());
            break;
        }
        out_at(&t, row, 0)->type = CELL_TIME;
        out_at(&t, row, 0)->v.i = when;
        const char *id = NULL, *channel = NULL, *tp = NULL, *what = NULL, *agent = NULL, *case_id = NULL,
                   *comment = NULL;
        double value = NAN;
        char whatbuf[256];
        switch (table) {
        case CX_TABLE_INTERACTIONS: {
            int64_t tpi, dur;
            id = sget(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, r);
            tp = sget(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, r);
            if (cx_store_get_int(&tpi, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_TOUCHPOINT, r) == CX_OK)
                channel = sget(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_CHANNEL, (size_t)tpi);
            const char *kind = sget(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_KIND, r),
                       *dir = sget(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DIRECTION, r),
                       *outcome = sget(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, r);
            snprintf(whatbuf, sizeof whatbuf, "%s %s, %s", kind ? kind : "?", dir ? dir : "", outcome ? outcome : "");
            if (cx_store_get_int(&dur, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, r) == CX_OK && dur > 0) {
                size_t l = strlen(whatbuf);
                snprintf(whatbuf + l, sizeof whatbuf - l, ", %lld s", (long long)(dur / 1000));
            }
            what = whatbuf;
            agent = sget(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_AGENT, r);
            case_id = sget(s, CX_TABLE_INTERACTIONS, CX_INTERACTION_CASE, r);
            cx_store_get_real(&value, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_VALUE, r);
            if (value == 0)
                value = NAN;
            break;
        }
        case CX_TABLE_CASES: {
            int64_t resolved = CX_TIME_NONE, contacts = 0, reopens = 0;
            cx_store_get_int(&resolved, s, CX_TABLE_CASES, CX_CASE_RESOLVED, r);
            cx_store_get_int(&contacts, s, CX_TABLE_CASES, CX_CASE_CONTACTS, r);
            cx_store_get_int(&reopens, s, CX_TABLE_CASES, CX_CASE_REOPENS, r);
            id = case_id = sget(s, CX_TABLE_CASES, CX_CASE_ID, r);
            channel = sget(s, CX_TABLE_CASES, CX_CASE_CHANNEL, r);
            agent = sget(s, CX_TABLE_CASES, CX_CASE_AGENT, r);
            const char *prio = sget(s, CX_TABLE_CASES, CX_CASE_PRIORITY, r);
            snprintf(whatbuf, sizeof whatbuf, "case opened, %s priority, %s, %lld contacts, %lld reopens",
                     prio ? prio : "no", resolved == CX_TIME_NONE ? "open" : "resolved", (long long)contacts,
                     (long long)reopens);
            what = whatbuf;
            break;
        }
        case CX_TABLE_FEEDBACK: {
            id = sget(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_ID, r);
            tp = sget(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_TOUCHPOINT, r);
            size_t tpr;
            if (tp && cx_store_find(&tpr, s, CX_TABLE_TOUCHPOINTS, tp) == CX_OK)
                channel = sget(s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_CHANNEL, tpr);
            const char *q = sget(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_QUESTION, r);
            snprintf(whatbuf, sizeof whatbuf, "feedback: %s", q ? q : "?");
            what = whatbuf;
            case_id = sget(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_CASE, r);
            cx_store_get_real(&value, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, r);
            comment = sget(s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, r);
            break;
        }
        case CX_TABLE_TRANSACTIONS:
            id = sget(s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_ID, r);
            what = "purchase";
            cx_store_get_real(&value, s, CX_TABLE_TRANSACTIONS, CX_TRANSACTION_AMOUNT, r);
            break;
        default:
            break;
        }
        const char *tname = NULL;
        cx_table_name(&tname, (cx_table)table);
        const char *vals[] = {tname, id, channel, tp, what, agent, case_id};
        for (size_t k = 0; k < 7 && rc == EXIT_DONE; k++)
            if (out_set_text(&t, row, k + 1, vals[k]) != 0)
                rc = fail("out of memory");
        if (!isnan(value)) {
            out_at(&t, row, 8)->type = CELL_REAL;
            out_at(&t, row, 8)->v.d = value;
        }
        if (rc == EXIT_DONE && out_set_text(&t, row, 9, comment) != 0)
            rc = fail("out of memory");
    }
    if (rc == EXIT_DONE)
        rc = emit(&t, &o);
    out_free(&t);
    cx_history_free(h);
    close_db(s);
    opts_free(&o);
    return rc;
}

/* ---- for the report ---------------------------------------------------- */

int analysis_capture(out_table *dst, cx_store *store, const char *name, int argc, char **argv)
{
    const command *cmd = find_command(name);
    if (!cmd || !store || !dst)
        return EXIT_USAGE;
    const command *was = current;
    memset(dst, 0, sizeof *dst);
    current = cmd;
    shared_store = store;
    captured = dst;
    int rc = cmd->run(argc, argv);
    shared_store = NULL;
    captured = NULL;
    current = was;
    if (rc == EXIT_DONE && dst->ncol == 0)
        rc = EXIT_FAILED; /* wrote no table */
    if (rc != EXIT_DONE)
        out_free(dst);
    return rc;
}

int analysis_open_db(cx_store **out, const char *db)
{
    return open_db(out, db);
}
