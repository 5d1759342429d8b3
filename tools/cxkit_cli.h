/*
 * The parts of the cxkit command that its source files share (tools/cxkit.c:
 * main, sync, forget, pseudonymize; tools/cxkit_analysis.c: import and the
 * analysis subcommands; tools/cxkit_output.c: tables, CSV and JSON).
 * Private to the tool: not installed.
 */
#ifndef CXKIT_CLI_H
#define CXKIT_CLI_H

#include <cxkit/cxkit.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { EXIT_DONE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage; /* one line, after "usage: cxkit " */
    const char *help;  /* the rest of `cxkit NAME --help` */
} command;

extern const command *current; /* the command running, for its messages */
/* The text of the last fail() or usage_error() message (the report shows
 * why a part could not be computed). */
extern char last_message[8192];

/* A failure (exit 1): "cxkit NAME: message" on stderr. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A library call failed: what was being done, then the library's message. */
int fail_lib(const char *what);
/* Bad usage (exit 2): the message, the usage line and where help is. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool exists(const char *path);
void remove_db(const char *db);

/* The analysis subcommands (cxkit_analysis.c). */
int cmd_import(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_journeys(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_cycles(int argc, char **argv);
int cmd_text(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_clv(int argc, char **argv);
int cmd_care(int argc, char **argv);
int cmd_agents(int argc, char **argv);
int cmd_history(int argc, char **argv);
/* The HTML report (cxkit_report.c). */
int cmd_report(int argc, char **argv);

/* The command of that name, or NULL. */
const command *find_command(const char *name);

/* ---- output (cxkit_output.c) ------------------------------------------- */

typedef enum out_format { FORMAT_TABLE = 0, FORMAT_CSV = 1, FORMAT_JSON = 2 } out_format;

enum { CELL_NONE = 0, CELL_TEXT, CELL_INT, CELL_REAL, CELL_TIME };

typedef struct out_cell {
    int type;
    union {
        char *text; /* owned */
        int64_t i;  /* CELL_INT, CELL_TIME */
        double d;
    } v;
} out_cell;

/* A table of named columns and typed cells, built from cx_result or by
 * hand (the history), written as an aligned table, CSV or JSON. */
typedef struct out_table {
    size_t ncol, nrow, cap;
    char **names;
    out_cell *cells; /* nrow * ncol, row by row */
    int offset;      /* minutes: the UTC offset times are shown in */
} out_table;

int out_init(out_table *t, size_t ncol, const char *const *names, int offset);
/* Appends a row of missing cells; returns its index, or (size_t)-1. */
size_t out_add_row(out_table *t);
out_cell *out_at(out_table *t, size_t row, size_t col);
int out_set_text(out_table *t, size_t row, size_t col, const char *text);
/* A table with a cx_result's columns and rows. */
int out_from_result(out_table *t, const cx_result *r, int offset);
/* Keeps the named columns, in that order (comma-separated); 0 or -1 with
 * `*bad` the unknown name. */
int out_select(out_table *t, const char *list, const char **bad, size_t *bad_len);
/* Sorts rows by a numeric column, largest first (missing last), stable. */
void out_sort_desc(out_table *t, size_t col);
void out_truncate(out_table *t, size_t rows);
void out_free(out_table *t);
/* A cell's number (times in milliseconds), or NaN for text and missing. */
double out_number(const out_cell *c);

/* Writes the table in a format to `path` (a temporary file beside it,
 * renamed over it when complete) or to standard output (path NULL).
 * Returns EXIT_DONE or EXIT_FAILED with the message printed. */
int out_write(const out_table *t, out_format format, const char *path);

/* Display width of UTF-8 text in a terminal: code points, combining marks
 * and zero-width characters count 0, East Asian wide ones 2. */
size_t display_width(const char *s, size_t len);

/* ---- the report (cxkit_analysis.c) -------------------------------------- */

/* Runs the analysis subcommand `name` with its arguments (what follows the
 * name on a command line: the DB path, which is then only named in
 * messages, and the options) on `store`, already loaded, and puts the table
 * it would have written into `dst` (--format json: every column) instead.
 * Returns its exit status; on failure its message is on stderr and `dst`
 * is empty. */
/* Loads the SQLite file `db` (made by cxkit import or cx_db_save), with a
 * clear message for a missing, foreign or corrupt file. */
int analysis_open_db(cx_store **out, const char *db);
int analysis_capture(out_table *dst, cx_store *store, const char *name, int argc, char **argv);

#endif
