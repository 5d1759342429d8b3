/*
 * cxkit: the library's jobs that need no C, on a SQLite file kept by
 * cx_db_save(): import and the analyses (tools/cxkit_analysis.c, output in
 * tools/cxkit_output.c), and
 *
 *   cxkit sync DB DATA_DIR        bring a directory of CSV exports in, updating
 *                                 the records that are there already
 *   cxkit forget DB ID...         erase customers and everything about them
 *   cxkit pseudonymize DB OUT_DB  a copy for sharing, with pseudonyms in place
 *                                 of customer ids and chosen attributes
 *
 * Exit status: 0 done, 1 failed (the reason on stderr, with the library's
 * message), 2 bad usage. What fails leaves the files as they were: a sync
 * commits table by table (each one transaction, streamed with
 * cx_db_import_csv()), forget is one transaction, pseudonymize writes a new
 * file or none.
 */
#define _POSIX_C_SOURCE 200809L
#include "cxkit_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- messages ------------------------------------------------------------ */

const command *current;
char last_message[8192];

int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    fprintf(stderr, "cxkit %s: %s\n", current->name, last_message);
    return EXIT_FAILED;
}

/* A library call failed: what was being done, then the library's message. */
int fail_lib(const char *what)
{
    return fail("%s: %s", what, cx_last_error());
}

int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    fprintf(stderr, "cxkit %s: %s", current->name, last_message);
    fprintf(stderr, "\nusage: cxkit %s\nTry 'cxkit %s --help'.\n", current->usage, current->name);
    return EXIT_USAGE;
}

static bool is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Removes a SQLite file and its side files, left by a failed write. */
void remove_db(const char *db)
{
    char side[4200];
    remove(db);
    if (snprintf(side, sizeof side, "%s-wal", db) < (int)sizeof side)
        remove(side);
    if (snprintf(side, sizeof side, "%s-shm", db) < (int)sizeof side)
        remove(side);
    if (snprintf(side, sizeof side, "%s-journal", db) < (int)sizeof side)
        remove(side);
}

/* ---- sync ---------------------------------------------------------------- */

/* Every table after the ones its rows refer to. */
static const cx_table sync_order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,
                                      CX_TABLE_INTERACTIONS, CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,
                                      CX_TABLE_TRANSACTIONS};
#define NTABLES (sizeof sync_order / sizeof sync_order[0])

typedef struct counts {
    uint64_t read, added, updated, unchanged, rejected;
} counts;

static void print_counts(const char *name, const counts *c)
{
    printf("  %-13s %9llu %9llu %9llu %9llu %9llu\n", name, (unsigned long long)c->read,
           (unsigned long long)c->added, (unsigned long long)c->updated, (unsigned long long)c->unchanged,
           (unsigned long long)c->rejected);
}

/* The first refused row of a report, and where the others are. */
static void print_first_rejection(const cx_import_report *r, const char *path, const char *reject_path)
{
    uint64_t line;
    int column;
    const char *why;
    if (cx_import_report_details(r) == 0 || cx_import_report_line(&line, r, 0) != CX_OK ||
        cx_import_report_column(&column, r, 0) != CX_OK || cx_import_report_reason(&why, r, 0) != CX_OK)
        return;
    if (column > 0)
        printf("      first rejected: %s line %llu, column %d: %s\n", path, (unsigned long long)line, column, why);
    else
        printf("      first rejected: %s line %llu: %s\n", path, (unsigned long long)line, why);
    uint64_t more = cx_import_report_rejected(r) - 1;
    if (more && reject_path)
        printf("      and %llu more, all in %s\n", (unsigned long long)more, reject_path);
    else if (more)
        printf("      and %llu more (-r DIR keeps them in a file)\n", (unsigned long long)more);
}

/* Imports every file of `dir` into the SQLite file `db`, table by table,
 * printing what each did; `*synced` counts the tables committed. Returns
 * EXIT_DONE, or EXIT_FAILED with the message printed. */
static int sync_tables(const char *db, const char *dir, const char *reject_dir, cx_import_options *o, counts *total,
                       int *synced)
{
    char path[NTABLES][4096], rej[4096];
    bool present[NTABLES];
    int files = 0;
    for (size_t i = 0; i < NTABLES; i++) {
        const char *name;
        if (cx_table_name(&name, sync_order[i]) != CX_OK)
            return fail_lib("table name");
        if (snprintf(path[i], sizeof path[i], "%s/%s.csv", dir, name) >= (int)sizeof path[i])
            return fail("%s: path too long", dir);
        struct stat st;
        present[i] = stat(path[i], &st) == 0;
        if (!present[i] && errno != ENOENT) /* ENOENT: a table the export does not have */
            return fail("%s: %s", path[i], strerror(errno));
        files += present[i];
    }
    if (!files)
        return fail("%s holds none of customers.csv, touchpoints.csv, cases.csv, interactions.csv, questions.csv, "
                    "feedback.csv, transactions.csv",
                    dir);
    printf("  %-13s %9s %9s %9s %9s %9s\n", "table", "read", "added", "updated", "unchanged", "rejected");
    for (size_t i = 0; i < NTABLES; i++) {
        const char *name;
        if (!present[i] || cx_table_name(&name, sync_order[i]) != CX_OK)
            continue;
        const char *reject_path = NULL;
        if (reject_dir) {
            if (snprintf(rej, sizeof rej, "%s/%s.rejects.csv", reject_dir, name) >= (int)sizeof rej)
                return fail("%s: path too long", reject_dir);
            reject_path = rej;
        }
        if (cx_import_options_set_reject_path(o, reject_path) != CX_OK)
            return fail_lib("reject file");
        cx_import_report *r;
        if (cx_db_import_csv(&r, db, sync_order[i], path[i], o) != CX_OK) {
            fail("%s", cx_last_error()); /* it names the file, line and column */
            fprintf(stderr, "cxkit sync: %s and the tables after it were not synced%s\n", name,
                    *synced ? "; the ones above were" : "");
            return EXIT_FAILED;
        }
        ++*synced;
        counts c = {cx_import_report_read(r), cx_import_report_added(r), cx_import_report_updated(r),
                    cx_import_report_unchanged(r), cx_import_report_rejected(r)};
        print_counts(name, &c);
        print_first_rejection(r, path[i], reject_path);
        cx_import_report_free(r);
        total->read += c.read;
        total->added += c.added;
        total->updated += c.updated;
        total->unchanged += c.unchanged;
        total->rejected += c.rejected;
    }
    return EXIT_DONE;
}

static int cmd_sync(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL}, *reject_dir = NULL;
    int npos = 0, skip = 0, strict = 0;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0)
            options_done = true;
        else if (!options_done && strcmp(a, "--skip") == 0)
            skip = 1;
        else if (!options_done && strcmp(a, "--strict") == 0)
            strict = 1;
        else if (!options_done && strcmp(a, "-r") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs a directory", a);
            reject_dir = argv[++i];
        } else if (!options_done && a[0] == '-' && a[1])
            return usage_error("unknown option '%s'", a);
        else if (npos < 2)
            pos[npos++] = a;
        else
            return usage_error("one DATA_DIR only: '%s' is one too many", a);
    }
    if (npos < 2)
        return usage_error("%s", npos ? "DATA_DIR is missing" : "DB and DATA_DIR are missing");
    const char *db = pos[0], *dir = pos[1];
    struct stat st;
    if (stat(dir, &st) != 0)
        return fail("%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return fail("%s is not a directory", dir);
    if (reject_dir && mkdir(reject_dir, 0777) != 0 && errno != EEXIST)
        return fail("cannot create %s: %s", reject_dir, strerror(errno));
    if (reject_dir && (stat(reject_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return fail("%s is not a directory", reject_dir);

    /* Each table streams into the file in one transaction of its own
     * (cx_db_import_csv()): memory stays bounded by the records rows refer
     * to, whatever the size of the files, and a table that fails is left as
     * it was, with the tables before it synced. */
    bool had_db = exists(db);
    cx_import_options *o;
    if (cx_import_options_new(&o) != CX_OK)
        return fail_lib("import options");
    int rc = EXIT_DONE, synced = 0;
    if (cx_import_options_set_strict(o, strict) != CX_OK ||
        cx_import_options_set_existing(o, skip ? CX_EXISTING_SKIP : CX_EXISTING_UPDATE) != CX_OK)
        rc = fail_lib("import options");
    counts total = {0};
    if (rc == EXIT_DONE) {
        printf("cxkit sync: %s/ into %s%s, stored records %s%s\n", dir, db, had_db ? "" : " (new)",
               skip ? "kept" : "updated", strict ? ", stopping at the first bad row" : "");
        rc = sync_tables(db, dir, reject_dir, o, &total, &synced);
    }
    if (rc == EXIT_DONE) {
        print_counts("total", &total);
        printf("%s: %llu added, %llu updated, %llu unchanged, %llu rejected\n", db, (unsigned long long)total.added,
               (unsigned long long)total.updated, (unsigned long long)total.unchanged,
               (unsigned long long)total.rejected);
    } else if (!had_db && !synced) { /* nothing was written: no file either */
        remove_db(db);
    }
    cx_import_options_free(o);
    return rc;
}

/* ---- forget -------------------------------------------------------------- */

typedef struct ids { /* copies, freed by ids_free() */
    char **v;
    size_t n, cap;
} ids;

/* Appends one id (copied) to the list. */
static int ids_push(ids *l, const char *id, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, id, len);
    copy[len] = '\0';
    l->v[l->n++] = copy;
    return 0;
}

static void ids_free(ids *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* One id a line; a CR before the LF is not part of it, and empty lines are
 * skipped. */
static int read_ids(ids *l, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return fail("%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = EXIT_DONE;
    errno = 0;
    while (rc == EXIT_DONE && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t n = (size_t)len;
        if (n && line[n - 1] == '\n')
            n--;
        if (n && line[n - 1] == '\r')
            n--;
        if (memchr(line, '\0', n))
            rc = fail("%s line %zu holds a NUL byte", path, lineno);
        else if (n && ids_push(l, line, n) != 0)
            rc = fail("out of memory");
    }
    if (rc == EXIT_DONE && ferror(f))
        rc = fail("%s: %s", path, strerror(errno ? errno : EIO));
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static int cmd_forget(int argc, char **argv)
{
    const char *db = NULL;
    ids l = {0};
    bool options_done = false;
    int rc = EXIT_DONE;
    for (int i = 0; i < argc && rc == EXIT_DONE; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0)
            options_done = true;
        else if (!options_done && strcmp(a, "--from") == 0) {
            if (i + 1 >= argc)
                rc = usage_error("%s needs a file", a);
            else
                rc = read_ids(&l, argv[++i]);
        } else if (!options_done && a[0] == '-' && a[1])
            rc = usage_error("unknown option '%s' (after '--' it is taken as an id)", a);
        else if (!db)
            db = a;
        else if (ids_push(&l, a, strlen(a)) != 0)
            rc = fail("out of memory");
    }
    if (rc == EXIT_DONE && !db)
        rc = usage_error("%s", "DB is missing");
    else if (rc == EXIT_DONE && l.n == 0)
        rc = usage_error("%s", "no customer id given");
    if (rc == EXIT_DONE && !exists(db))
        rc = fail("%s: no such file", db);
    size_t removed = 0;
    if (rc == EXIT_DONE && cx_db_forget(&removed, db, l.n, (const char *const *)l.v) != CX_OK)
        rc = fail("%s", cx_last_error()); /* it names the file and the id */
    if (rc == EXIT_DONE)
        printf("%s: %zu customer id%s given, %zu rows removed (the customers and everything that referred to "
               "them)\n",
               db, l.n, l.n == 1 ? "" : "s", removed);
    ids_free(&l);
    return rc;
}

/* ---- pseudonymize -------------------------------------------------------- */

#define KEY_MIN 16        /* bytes: a shorter key can be found by trying them all */
#define KEY_MAX (1 << 20) /* bytes: a key file this long is some other file */

/* The key is the file's bytes, every one of them: a trailing newline is part
 * of it, as it is for any other program given the same file. */
static int read_key(unsigned char **out, size_t *out_len, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail("key file %s: %s", path, strerror(errno));
    unsigned char *key = malloc(KEY_MAX + 1);
    if (!key) {
        fclose(f);
        return fail("out of memory");
    }
    size_t n = fread(key, 1, KEY_MAX + 1, f);
    int rc = EXIT_DONE;
    if (ferror(f))
        rc = fail("key file %s: cannot read", path);
    else if (n > KEY_MAX)
        rc = fail("key file %s is over %d bytes: is it the right file?", path, KEY_MAX);
    else if (n < KEY_MIN)
        rc = fail("key file %s holds %zu bytes; a key needs at least %d (for instance: head -c 32 /dev/urandom "
                  "> %s)",
                  path, n, KEY_MIN, path);
    fclose(f);
    if (rc != EXIT_DONE) {
        memset(key, 0, n < KEY_MAX ? n : KEY_MAX);
        free(key);
        return rc;
    }
    *out = key;
    *out_len = n;
    return EXIT_DONE;
}

/* An attribute to pseudonymise must be one the store has: the library
 * skips unknown names, and a misspelt one would leave the real values in
 * the copy. */
static int check_attribute(const cx_store *s, const char *db, const char *name)
{
    size_t k, n = 0;
    if (cx_vocab_find(&k, s, CX_VOCAB_ATTRIBUTE, name) == CX_OK)
        return EXIT_DONE;
    fprintf(stderr, "cxkit %s: %s has no customer attribute '%s'; it has:", current->name, db, name);
    cx_vocab_count(&n, s, CX_VOCAB_ATTRIBUTE);
    for (size_t i = 0; i < n; i++) {
        const char *a;
        if (cx_vocab_name(&a, s, CX_VOCAB_ATTRIBUTE, i) == CX_OK)
            fprintf(stderr, " %s", a);
    }
    fprintf(stderr, "%s\n", n ? "" : " none");
    return EXIT_FAILED;
}

static int cmd_pseudonymize(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL}, *key_file = NULL;
    const char **attrs = calloc((size_t)argc + 1, sizeof *attrs);
    if (!attrs)
        return fail("out of memory");
    size_t nattr = 0;
    int npos = 0, flags = 0, rc = EXIT_DONE;
    bool options_done = false;
    for (int i = 0; i < argc && rc == EXIT_DONE; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0)
            options_done = true;
        else if (!options_done && strcmp(a, "--key-file") == 0) {
            if (i + 1 >= argc)
                rc = usage_error("%s needs a file", a);
            else
                key_file = argv[++i];
        } else if (!options_done && strcmp(a, "--attribute") == 0) {
            if (i + 1 >= argc)
                rc = usage_error("%s needs an attribute name", a);
            else
                attrs[nattr++] = argv[++i];
        } else if (!options_done && strcmp(a, "--drop-comments") == 0)
            flags |= CX_PSEUDONYMIZE_DROP_COMMENTS;
        else if (!options_done && a[0] == '-' && a[1])
            rc = usage_error("unknown option '%s'", a);
        else if (npos < 2)
            pos[npos++] = a;
        else
            rc = usage_error("one OUT_DB only: '%s' is one too many", a);
    }
    if (rc == EXIT_DONE && npos < 2)
        rc = usage_error("%s", npos ? "OUT_DB is missing" : "DB and OUT_DB are missing");
    else if (rc == EXIT_DONE && !key_file)
        rc = usage_error("%s", "--key-file is required");
    const char *db = pos[0], *out_db = pos[1];
    unsigned char *key = NULL;
    size_t key_len = 0;
    if (rc == EXIT_DONE && !exists(db))
        rc = fail("%s: no such file", db);
    if (rc == EXIT_DONE)
        rc = read_key(&key, &key_len, key_file);
    cx_store *s = NULL;
    if (rc == EXIT_DONE && cx_db_load(&s, db) != CX_OK)
        rc = fail_lib(db);
    for (size_t i = 0; i < nattr && rc == EXIT_DONE; i++)
        rc = check_attribute(s, db, attrs[i]);
    if (rc == EXIT_DONE && cx_store_pseudonymize(s, key, key_len, nattr, attrs, flags) != CX_OK)
        rc = fail_lib("pseudonymize");
    /* The output is claimed before it is written: an existing file (or one
     * made meanwhile) is never replaced or appended to. */
    int fd = -1;
    static const char *const side[] = {"-wal", "-shm", "-journal"}; /* SQLite would read them as the file's */
    for (size_t i = 0; i < sizeof side / sizeof side[0] && rc == EXIT_DONE; i++) {
        char path[4200];
        if (snprintf(path, sizeof path, "%s%s", out_db, side[i]) >= (int)sizeof path)
            rc = fail("%s: path too long", out_db);
        else if (exists(path))
            rc = fail("%s exists: remove it, or give another OUT_DB", path);
    }
    if (rc == EXIT_DONE && (fd = open(out_db, O_WRONLY | O_CREAT | O_EXCL, 0666)) < 0)
        rc = errno == EEXIST ? fail("%s exists: give a new file (it is never replaced)", out_db)
                             : fail("cannot create %s: %s", out_db, strerror(errno));
    if (fd >= 0) {
        close(fd);
        if (cx_db_save(s, out_db) != CX_OK) {
            rc = fail_lib(out_db);
            remove_db(out_db);
        }
    }
    if (rc == EXIT_DONE) {
        size_t n = 0;
        cx_store_rows(&n, s, CX_TABLE_CUSTOMERS);
        printf("%s: %zu customers under pseudonyms", out_db, n);
        for (size_t i = 0; i < nattr; i++)
            printf("%s%s", i ? ", " : "; attributes ", attrs[i]);
        printf("%s\n", flags & CX_PSEUDONYMIZE_DROP_COMMENTS ? "; comments removed" : "");
    }
    if (key) {
        memset(key, 0, key_len);
        free(key);
    }
    cx_store_free(s);
    free(attrs);
    return rc;
}

/* ---- main ---------------------------------------------------------------- */

#define OUTPUT_HELP                                                                                                \
    "  --format F      table (the default: aligned columns for a terminal), csv or\n"                               \
    "                  json; CSV text cells that a spreadsheet would run as a\n"                                    \
    "                  formula (starting with = + - @) get a leading apostrophe\n"                                  \
    "  -o FILE         write there instead of standard output (whole or not at all)\n"                             \
    "  --columns LIST  only these columns, in this order (comma-separated)\n"                                       \
    "  --offset OFF    the UTC offset for days, buckets, dates and shown times\n"                                  \
    "                  (+03:00, -05:00, Z; default Z)\n"

static const command commands[] = {
    {"import", cmd_import, "import DB PATH... [--strict] [-r REJECT_DIR] [--existing reject|skip|update] [--create-customers] [--table T] [--delimiter C] [--threads N]",
     "Import CSV or JSON Lines files into the SQLite file DB: a new file is made\n"
     "(beside DB, renamed into place when complete), an existing one gets the new\n"
     "records in one transaction. PATH is a file named TABLE.csv or TABLE.jsonl\n"
     "(customers, touchpoints, cases, interactions, questions, feedback,\n"
     "transactions) or a directory of them; tables are imported in that order.\n"
     "Prints the rows read, added and rejected per file; the rejected rows (file,\n"
     "line, column, reason) go to standard error, and a progress line too when\n"
     "it is a terminal. A file that fails (unreadable, --strict) writes nothing.\n"
     "\n"
     "  --strict            stop at the first bad row; DB is left as it was\n"
     "  -r REJECT_DIR       write the rejected rows to REJECT_DIR/FILE.rejects.csv\n"
     "  --existing E        a record whose id is stored already: reject (default),\n"
     "                      skip, or update it\n"
     "  --create-customers  add the customers that event rows name but DB lacks\n"
     "  --table T           the table of a single file named otherwise\n"
     "  --delimiter C       the CSV delimiter (one character, or tab)\n"
     "  --threads N         threads for CSV files (0, the default: every core;\n"
     "                      the result is the same for any N)\n"},
    {"metrics", cmd_metrics, "metrics DB [--measure LIST] [--by LIST] [--filter DIM=VALUE]... [--from DATE] [--to DATE] [--calendar DAYS=HH:MM-HH:MM]... [OPTIONS]",
     "CX and service measures over the records of DB, grouped and filtered.\n"
     "\n"
     "  --measure LIST   comma-separated, default nps,csat,ces,fcr: nps, csat, ces,\n"
     "                   fcr, first_response, resolution, contacts, reopen_rate,\n"
     "                   sla_breach, missed_rate, abandon_rate, handle_time,\n"
     "                   repeat_rate, cx_index (times in milliseconds)\n"
     "  --by LIST        up to 4 of channel, stage, touchpoint, segment, region,\n"
     "                   plan, agent, priority, attr:NAME, and a time bucket: day,\n"
     "                   week, month, quarter, year (cut in --offset)\n"
     "  --filter D=V     keep records with that value (channel=web,\n"
     "                   attr:language=ar); may be repeated\n"
     "  --from DATE      records from this day or ISO 8601 time on (DATE in --offset)\n"
     "  --to DATE        records before the end of this day\n"
     "  --as-of DATE     the time open cases are judged at (SLA)\n"
     "  --calendar SPEC  business hours for response and resolution times:\n"
     "                   DAYS=HH:MM-HH:MM (sun-thu=08:00-17:00, sat=10:00-14:00) in\n"
     "                   --offset; may be repeated\n"
     "  --holiday DATE   a closed day of the calendar (YYYY-MM-DD); may be repeated\n"
     "  --sla SPEC       a target: PRIORITY[:CHANNEL]=FIRST_RESPONSE/RESOLUTION,\n"
     "                   e.g. high=4h/24h, *:email=/48h; may be repeated\n"
     "  --confidence L   the level of the intervals (default 0.95)\n"
     "  --repeat-window D  the window of repeat contacts (7d, 48h)\n"
     "  --threads N      threads of the query (0, the default: every core; the\n"
     "                   result is the same for any N)\n" OUTPUT_HELP},
    {"journeys", cmd_journeys, "journeys DB paths|funnel|transitions|attribution|pain-points|stages|drivers|path-counts|steps [OPTIONS]",
     "Customer journeys: each customer's interactions in time order, cut into\n"
     "journeys (a purchase keeps its delivery, onboarding and support).\n"
     "  paths         the top paths with conversion, duration and satisfaction\n"
     "  funnel        how many reach each --step in order, and who drops out\n"
     "  transitions   the transition matrix (--order N)\n"
     "  attribution   Markov removal effect beside first, last, linear,\n"
     "                time-decay and U-shaped credit per touchpoint / channel\n"
     "  pain-points   touchpoints ranked by what is significantly worse there\n"
     "  stages        progression through the journey stages\n"
     "  drivers       what moves satisfaction\n"
     "  path-counts   each distinct path to conversion with its conversions,\n"
     "                nulls and value: the input of ChannelAttribution and\n"
     "                most marketing tools (--format csv)\n"
     "  steps         the step matrix: the share of journeys at each\n"
     "                touchpoint / channel / stage by step (--top N steps, 10);\n"
     "                a blank name counts the journeys already ended\n"
     "\n"
     "  --level L         touchpoint (default), channel or stage\n"
     "  --top N           paths: how many (default 10); other lists: rows shown\n"
     "                    (default 20 in a table, all in csv/json)\n"
     "  --conversion C    what converts: kind:NAME (default kind:purchase),\n"
     "                    touchpoint:NAME or stage:NAME\n"
     "  --boundary B      post-purchase (default), conversion or gap\n"
     "  --gap D           inactivity that ends a journey (30d)\n"
     "  --min-support N   fewest journeys a path or touchpoint needs\n"
     "  --order N         transitions and attribution: the Markov order (default 1)\n"
     "  --step S          funnel: a step, [stage:|channel:|touchpoint:]NAME, in\n"
     "                    order; two or more\n"
     "  --exclude S       funnel: journeys touching S do not count\n"
     "  --window D        funnel: the time from the first step to the last (90d)\n"
     "  --strict-order    funnel: nothing else between the steps\n"
     "  --threads N       threads of the build (0, the default: every core; the\n"
     "                    journeys are the same for any N)\n" OUTPUT_HELP},
    {"paths", cmd_paths,
     "paths FILE.csv [--order N] [--separator S] [--path C] [--conversions C] [--nulls C] [--value C] [--threads N]",
     "Markov (removal effect) and heuristic attribution from a CSV file of path\n"
     "counts, without a database: the file ChannelAttribution and most marketing\n"
     "tools read (one row per path, its conversions, nulls and value), such as\n"
     "the output of `cxkit journeys DB path-counts --format csv`.\n"
     "\n"
     "  --order N          the Markov order, 1 to 4 (default 1)\n"
     "  --separator S      between the states of a path (default >)\n"
     "  --path C           the column of the paths (default path)\n"
     "  --conversions C    the column of conversions (default total_conversions)\n"
     "  --nulls C          the column of nulls (default total_null; - for none)\n"
     "  --value C          the column of values (default total_conversion_value;\n"
     "                     - for none)\n"
     "  --threads N        threads of the Markov removals (0, the default: every\n"
     "                     core; the table is the same for any N)\n"
     "  --top N            rows shown\n" OUTPUT_HELP},
    {"cycles", cmd_cycles, "cycles DB EVENTS.csv [summary|cycles|check] [--by channel|priority|agent] [--strict]",
     "Service cycles: each case's openings and resolutions, from a CSV file of\n"
     "case events (columns case, time, event = opened, resolved or reopened,\n"
     "and optionally agent) read with the cases of DB.\n"
     "  summary  (default) per cycle number: cycles, resolved, open, mean,\n"
     "           median and p90 resolution time (ms), share reopened, the\n"
     "           median time to the reopening, and the ratio of the median to\n"
     "           first cycles' (2: these cycles take twice as long)\n"
     "  cycles   one row per cycle: case, customer, channel, priority, agent,\n"
     "           cycle, opened, resolved, duration, reopen lag, and whether the\n"
     "           log agrees with the case's reopens, opening and resolution\n"
     "  check    the events ignored (resolved twice, reopened while open, before\n"
     "           the opening, ...), cases not in DB, and disagreements with DB\n"
     "\n"
     "  --by G      summary: also by channel, priority or agent\n"
     "  --strict    fail on the first inconsistent event or unknown case\n"
     "  --top N     rows shown\n" OUTPUT_HELP},
    {"text", cmd_text, "text DB themes|search WORDS|terms [OPTIONS]",
     "What customers write, in Arabic and English (their survey comments).\n"
     "  themes   per touchpoint (--by), the words and phrases that detractors\n"
     "           (low CSAT, effortful CES) use more than promoters, and the\n"
     "           reverse: weighted log-odds with an informative Dirichlet prior,\n"
     "           z > 0 for the low side; low_share is the share of the low\n"
     "           answers' comments that use it\n"
     "  search   the comments holding WORDS, with customer, touchpoint, score\n"
     "  terms    the terms of all comments with their counts\n"
     "\n"
     "  --metric M       nps (default), csat, ces or custom\n"
     "  --by G           touchpoint (default), channel, stage, agent, question,\n"
     "                   language, period (with --bucket) or none\n"
     "  --touchpoint T   only answers about T (--channel C likewise)\n"
     "  --from, --to     only answers in that time range\n"
     "  --min-count N    themes: fewest uses (10); terms: (5)\n"
     "  --top N          rows shown\n" OUTPUT_HELP},
    {"retention", cmd_retention, "retention DB cohorts|survival|curve|lifecycle|stickiness|logrank|cox [OPTIONS]",
     "Retention and the length of the relationship.\n"
     "  cohorts    per cohort and period: size, active, gained, kept, lost, retention\n"
     "  survival   Kaplan-Meier per group: subjects, churned, median (with a\n"
     "             log-rank test under a table when there are groups)\n"
     "  curve      the survival curves with their bands\n"
     "  lifecycle  per period: active customers who are new, returning or\n"
     "             resurrecting, and those gone dormant (PostHog's lifecycle)\n"
     "  stickiness per period: customers active on 1, 2, 3... days of it\n"
     "  logrank    the log-rank test across the groups of --by: chi2, df, p,\n"
     "             and the smallest group's subjects and events\n"
     "  cox        which factors shorten the time to churn: the hazard ratios\n"
     "             (95 % interval, p) of a Cox model of the factors of --by\n"
     "             (default segment,plan; the most common level is the\n"
     "             reference) and the service signals of --signals\n"
     "\n"
     "  --bucket B       cohorts, lifecycle, stickiness: day, week, month\n"
     "                   (default), quarter, year\n"
     "  --start S        cohorts, lifecycle, stickiness: first-activity\n"
     "                   (default) or acquired\n"
     "  --activity LIST  what counts as activity: transactions, inbound (default\n"
     "                   both for survival)\n"
     "  --by DIM         survival, curve, logrank: a group per segment, region, plan...\n"
     "                   (cox: a list of segment, region, plan, channel)\n"
     "  --signals LIST   cox: detractor, detractor_share, cases, resolution_hours,\n"
     "                   reopens, or none (default detractor,cases,resolution_hours,reopens)\n"
     "  --inactivity D   survival: churn after this long without activity (180d)\n"
     "  --unit D         survival: the time unit of the curve (1d)\n"
     "  --as-of DATE     survival: the end of observation (default the latest record)\n"
     "  --top N          rows shown\n" OUTPUT_HELP},
    {"clv", cmd_clv, "clv DB [customers|params] [--as-of DATE] [--model bgnbd|paretonbd] [--unit D] [--horizon N] [--period X] [--discount R]",
     "Customer lifetime value: a purchase model (BG/NBD or Pareto/NBD) and the\n"
     "Gamma-Gamma spend model fitted on the purchases up to --as-of.\n"
     "  customers  (default) per customer: frequency, recency, age, P(alive),\n"
     "             expected purchases and CLV, the largest CLV first\n"
     "  params     the fitted parameters, log-likelihood and iterations\n"
     "\n"
     "  --as-of DATE   the end of the calibration (default the latest record)\n"
     "  --model M      bgnbd (default) or paretonbd\n"
     "  --unit D       the time unit of the models (default 1w)\n"
     "  --horizon N    CLV periods (default 12)\n"
     "  --period X     the length of a period in units (default a month)\n"
     "  --discount R   the discount rate per period (default 0.01)\n"
     "  --top N        rows shown (default 20 in a table, all in csv/json)\n" OUTPUT_HELP},
    {"care", cmd_care, "care DB [--as-of DATE] [--top N]",
     "The proactive-care list: customers to contact now, the most urgent first,\n"
     "with the reason: a breached SLA (priority 9), a detractor answer after a\n"
     "case (8), three contacts in 14 days (7), a valuable customer (top quarter\n"
     "by value) with P(alive) under 0.3 (6), high effort (5), a drop in activity (4).\n"
     "\n"
     "  --as-of DATE   the time of the list (default the latest record)\n"
     "  --top N        rows shown (default 20 in a table, all in csv/json)\n" OUTPUT_HELP},
    {"agents", cmd_agents, "agents DB [--agent NAME] [--from DATE] [--to DATE] [OPTIONS]",
     "The per-agent daily report: per agent and day (in --offset), contacts\n"
     "handled and their handle time, missed and abandoned contacts, FCR, CSAT and\n"
     "NPS of the agent's cases and contacts.\n"
     "\n"
     "  --agent NAME    one agent only\n"
     "  --from, --to, --filter, --sla, --calendar, --holiday  as for metrics\n" OUTPUT_HELP},
    {"history", cmd_history, "history DB CUSTOMER [--from DATE] [--to DATE] [OPTIONS]",
     "One customer's omnichannel history: interactions, cases, feedback and\n"
     "purchases on every channel, in time order.\n"
     "\n"
     "  --from DATE, --to DATE   only that period\n" OUTPUT_HELP},
    {"report", cmd_report, "report DB -o FILE [--lang en|ar] [--as-of DATE] [--offset OFF] [--step S]... [--by DIM] [--title TEXT]",
     "One self-contained HTML file (no scripts, no network, no external fonts)\n"
     "with charts drawn as inline SVG: the headline NPS, CSAT, CES and FCR; their\n"
     "trend by month with confidence bands; NPS, CSAT and CES by channel and\n"
     "CSAT by touchpoint; the funnel; the journey flow of the top paths; the\n"
     "attribution by channel (Markov beside the heuristics); the pain points with\n"
     "their reasons; the retention heatmap; survival curves by segment; agent\n"
     "performance; the proactive-care list. Every figure carries its sample\n"
     "size, marks small groups (fewer than 30) and names the cxkit command that\n"
     "gives its numbers. It prints, and fits a phone screen. Prints the headline\n"
     "numbers, the first pain point and where the file is.\n"
     "\n"
     "  -o FILE        the HTML file (written whole or not at all)\n"
     "  --lang L       en (default) or ar: Arabic, right to left\n"
     "  --title TEXT   the report's title\n"
     "  --as-of DATE   the time SLAs, survival and care are judged at (default\n"
     "                 the latest record)\n"
     "  --offset OFF   the UTC offset for months and dates (+03:00; default Z)\n"
     "  --step S       a funnel step ([stage:|channel:|touchpoint:]NAME), in\n"
     "                 order, two or more (default: the journey stages reached)\n"
     "  --by DIM       the groups of the survival curves (default segment)\n"
     "\n"
     "A part that cannot be computed (too little data for it) says why in its\n"
     "place and on standard error; the rest of the report is written. Exit 1: the\n"
     "database cannot be read or the file cannot be written (nothing written).\n"},
    {"sync", cmd_sync, "sync DB DATA_DIR [--skip] [--strict] [-r REJECT_DIR]",
     "Import the CSV files of DATA_DIR into the SQLite file DB (created if missing):\n"
     "customers.csv, touchpoints.csv, cases.csv, interactions.csv, questions.csv,\n"
     "feedback.csv, transactions.csv, in that order; a missing file is skipped.\n"
     "A row whose record (same id) is stored already replaces it; rows of events\n"
     "without an id are added. Prints, per table, the rows read, added, updated,\n"
     "unchanged and rejected, and the first rejected row (line, column, reason).\n"
     "Each table is one transaction: a table that fails (--strict, a bad file) is\n"
     "left as it was, and so are the ones after it; the ones before are synced.\n"
     "Memory does not grow with the files: rows are written in chunks.\n"
     "\n"
     "  --skip          keep stored records as they are (count their rows unchanged)\n"
     "  --strict        stop at the first bad row: its table is not synced\n"
     "  -r REJECT_DIR   write the rejected rows of each table to\n"
     "                  REJECT_DIR/TABLE.rejects.csv (the directory is created)\n"},
    {"forget", cmd_forget, "forget DB (ID... | --from FILE)",
     "Erase customers and everything that refers to them (interactions, cases,\n"
     "feedback with comments, transactions, attributes) from the SQLite file DB,\n"
     "leaving no copy of the erased values in it. Prints the rows removed.\n"
     "An id the file does not hold refuses the whole request: nothing is erased.\n"
     "\n"
     "  --from FILE   read the ids from FILE, one a line ('-' for standard input);\n"
     "                may be given with ids on the command line\n"
     "  --            what follows is ids, even when it starts with '-'\n"},
    {"pseudonymize", cmd_pseudonymize, "pseudonymize DB OUT_DB --key-file FILE [--attribute NAME]... [--drop-comments]",
     "Write a copy of the SQLite file DB to OUT_DB (a new file: it is never\n"
     "replaced) where every customer id, and every value of the named customer\n"
     "attributes, is replaced by its pseudonym: HMAC-SHA-256 under the key, first\n"
     "16 bytes in hex. The same key gives the same pseudonyms, so copies still\n"
     "join; keep it secret. DB is not changed.\n"
     "\n"
     "  --key-file FILE    the key: all the bytes of FILE (a trailing newline\n"
     "                     counts), at least 16\n"
     "  --attribute NAME   pseudonymise this attribute too (name, email, phone...);\n"
     "                     may be repeated; a name DB does not have is an error\n"
     "  --drop-comments    remove every feedback comment (free text may name people)\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_usage(FILE *f)
{
    fprintf(f, "usage: cxkit COMMAND [ARGS]\n       cxkit COMMAND --help | cxkit --help | cxkit --version\n\n"
               "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  cxkit %s\n", commands[i].usage);
    fprintf(f, "\nExit status: 0 done; 1 failed (a missing or unreadable database, a failed analysis), the\n"
               "files left as they were (a sync keeps the tables it finished); 2 bad usage (an unknown\n"
               "option, measure, offset, date...).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    bool version = strcmp(argv[1], "--version") == 0;
    if ((version || is_help(argv[1])) && argc > 2) {
        fprintf(stderr, "cxkit: %s takes nothing after it\n", argv[1]);
        print_usage(stderr);
        return EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        print_usage(stdout);
        return EXIT_DONE;
    }
    if (version) {
        printf("cxkit %s\n", cx_version_string());
        return EXIT_DONE;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        current = &commands[i];
        for (int k = 2; k < argc && strcmp(argv[k], "--") != 0; k++)
            if (is_help(argv[k])) {
                printf("usage: cxkit %s\n\n%s", current->usage, current->help);
                return EXIT_DONE;
            }
        int rc = current->run(argc - 2, argv + 2);
        if (fflush(stdout) != 0 && rc == EXIT_DONE) {
            fprintf(stderr, "cxkit %s: cannot write the output: %s\n", current->name, strerror(errno));
            rc = EXIT_FAILED;
        }
        return rc;
    }
    fprintf(stderr, "cxkit: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return EXIT_USAGE;
}
