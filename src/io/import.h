/*
 * Shared machinery of the CSV and JSON Lines importers: options, the report,
 * the header mapping, and turning one row of text fields into a record.
 */
#ifndef CXI_IMPORT_H
#define CXI_IMPORT_H

#include <stdio.h>

#include "../store/savepoint.h"
#include "../store/store_private.h"
#include "cxkit/io.h"
#include "cxkit/time.h"

#define CXI_MAX_FIELDS 256

struct cx_import_options {
    cxi_mem mem; /* the options' strings; cx_db_import_csv's whole import */
    int strict;
    int create_customers;
    int existing; /* cx_existing */
    int delimiter;
    int threads; /* cx_import_options_set_threads: 0 every core; 1 by default */
    char *reject_path;
    size_t nmap;
    char **map_from; /* file column names */
    char **map_to;   /* schema column names, NULL to ignore */
};

typedef struct cxi_reject {
    uint64_t line;
    int column;
    char *reason;
} cxi_reject;

struct cx_import_report {
    cxi_mem mem; /* the store's allocator, kept: a report may outlive its store */
    uint64_t read, accepted, rejected;
    uint64_t added, updated, unchanged;
    size_t ndetails;
    cxi_reject details[CX_IMPORT_REPORT_MAX_DETAILS];
};

/* How the fields of a file map onto a table. */
typedef struct cxi_layout {
    int table;
    int nfields;                  /* fields in the file's header */
    int col_of_field[CXI_MAX_FIELDS]; /* schema column, -1 ignored, -2 attribute */
    int field_of_col[16];         /* file field (0-based) of each schema column, -1 absent */
    int nattr;
    int attr_field[CXI_MAX_FIELDS];
    char *attr_name[CXI_MAX_FIELDS];
} cxi_layout;

/* The last year of a time read, and its 1 January in days since 1970: the
 * times of one file are mostly in a few years. */
typedef struct cxi_years {
    bool known, leap;
    int year;
    int64_t days;
} cxi_years;

/* The most fields of a row converted ahead (cxi_import_preparse). */
#define CXI_PRE_MAX 5

/* A field converted ahead: a time or an integer, or a real. */
typedef union cxi_preval {
    int64_t i;
    double d;
} cxi_preval;

/* The state of one running import. */
typedef struct cxi_import {
    cxi_mem mem;        /* the store's allocator, for the import's buffers */
    const char *fn;     /* "cx_import_csv" or "cx_import_jsonl" */
    const char *path;
    cx_store *store;
    const cx_import_options *opts;
    cx_import_report *report;
    cxi_layout layout;
    cxi_mark mark;
    FILE *reject;
    char *reject_buf; /* the reject file's stdio buffer, from mem */
    /* Streaming: called after every chunk_rows accepted rows, and once at
     * the end with final = true; a failure ends the import. */
    int (*flush)(struct cxi_import *im, bool final);
    void *flush_ctx;
    size_t chunk_rows, since_flush;
    /* Optional extra check of a row before it is stored (a row fault
     * rejects it, with *column set). */
    int (*check_row)(struct cxi_import *im, char *const *fields, int nfields, int *column);
    /* the option create_customers, for a table of events */
    bool create_customers;
    int existing; /* the option, CX_EXISTING_REJECT without options */
    /* the store's undo log while the import runs (updates of stored rows) */
    cxi_undo undo;
    /* the store's lookup cache while the import runs */
    cxi_lookup lookup;
    /* the last year of a time read, and its 1 January in days since 1970 */
    cxi_years years;
    /* cxi_import_preparse's plan (cxi_import_pre_plan): the schema columns
     * whose fields a CSV import converts in its reader (a worker thread
     * with two threads), their slot by column (-1 none) and kind */
    int pre_n;
    int pre_col[CXI_PRE_MAX], pre_kind[CXI_PRE_MAX];
    int pre_slot[16];
    /* the values converted ahead for the row being stored (pre_mask bit k:
     * slot k holds its field's value), 0 for none */
    const cxi_preval *pre;
    unsigned pre_mask;
    /* cxi_import_prefetch's plan, made on its first call: the fields
     * holding keys of large tables, the pool each is found in, and what to
     * fetch once a key's id is known (the customer's list head, an event's
     * row) */
    bool pf_ready;
    int pf_n;
    int pf_field[4];
    int pf_pool[4]; /* the table whose keys[] holds the key */
    int pf_then[4]; /* 0 for an interaction link, -1 nothing */
} cxi_import;

/* Rows a CSV import reads ahead in one step (cxi_import_prefetch). */
#define CXI_BATCH 32
/* The most key fields of a row read ahead. */
#define CXI_PF_KEYS 4

/* What reading the keys of one row ahead has found so far. */
typedef struct cxi_prefetch {
    uint32_t h[CXI_PF_KEYS], id[CXI_PF_KEYS];
} cxi_prefetch;

/* The file fields (0-based) holding the keys cxi_import_prefetch reads
 * ahead, in fields[0..n) (CXI_PF_KEYS at most); returns n. Makes the plan
 * on its first call. */
int cxi_import_prefetch_keys(cxi_import *im, int *fields);

/* Brings into the cache, without changing anything, what storing n rows
 * will read: keys[r * CXI_PF_KEYS + k] is the text of key k (of
 * cxi_import_prefetch_keys) of row r, NULL when missing; hashes, when not
 * NULL, their (uint32_t)cxi_hash, laid out alike; pf[r] the row's state,
 * which each stage reads and writes. Stage 1 fetches the hash slots of the
 * keys (customer, own id, case, rated interaction), 2 the interned string
 * pointers those slots name, 3 the strings and the customers' list heads
 * and the rated interactions' rows, 4 the rated interactions' customers.
 * A caller runs each stage on a batch of rows some rows after the
 * previous one (the rows k batches ahead at stage 5 - k, as the rows of
 * the current batch are stored), so that the cache misses of many rows
 * overlap instead of following one another, which is what makes rows in
 * any order cost about what rows sorted by customer cost (issue 14). Only
 * a hint: a slot that does not hold the key is passed over; stores made
 * between the stages change nothing but what is fetched. */
void cxi_import_prefetch(cxi_import *im, int stage, const char *const *keys, const uint32_t *hashes,
                         cxi_prefetch *pf, size_t n);

/* Makes cxi_import_preparse's plan for the import's layout (once the
 * header is read, before a worker starts). */
void cxi_import_pre_plan(cxi_import *im);

/* Converts, of the n fields of one record, those of the plan that are in
 * the common forms (an ISO-8601 time with Z or an offset, plain digits, a
 * plain decimal) into out[k] by plan slot, with the same value storing the
 * row would give; returns the mask of the slots converted (0 when the
 * record has not the header's field count). Reads only the plan, the
 * fields and `years` (the caller's own): a CSV import's reader runs it on
 * its worker thread, and the storing thread then takes the values
 * (cxi_import's pre and pre_mask) instead of converting the fields again;
 * a field left out is converted, or refused, as ever. */
unsigned cxi_import_preparse(const cxi_import *im, cxi_years *years, char *const *fields, int n,
                             cxi_preval *out);

/* The threads an import with these options may use: 1 without options,
 * the online cores for 0. */
int cxi_import_threads(const cx_import_options *opts);

/* The schema column holding the id (or name) of the records of a table. */
int cxi_id_column(int table);

/* The CSV reading loop of cx_import_csv, for an import already begun. */
int cxi_import_csv_run(cxi_import *im);

/* Builds the layout from the header's names (NUL-terminated, UTF-8); on
 * failure the message names the file and the column. */
int cxi_layout_build(cxi_import *im, const char *const *names, int n);
void cxi_layout_free(cxi_mem *m, cxi_layout *l);
/* A layout of every column of the table in schema order (JSON, SQLite). */
void cxi_layout_all_columns(cxi_layout *l, int table);

/* Stores one row. `fields` holds nfields NUL-terminated values in file
 * order; NULL is a missing value. On failure, returns the status and sets
 * *column to the 1-based file column at fault (0 for none) with the message
 * in cx_last_error(). Store errors other than bad data (CX_ENOMEM,
 * CX_ELIMIT) must end the import. */
int cxi_import_row(cxi_import *im, char *const *fields, int nfields, int *column);

/* Records a rejected row in the report. CX_ENOMEM (the last error set) when
 * the reason cannot be copied: the import must then fail, like any other
 * allocation of it. */
int cxi_report_reject(cxi_import *im, uint64_t line, int column, const char *reason);

/* Writes a refused record to the reject file, in the file's own format. */
typedef void (*cxi_reject_writer)(FILE *reject, uint64_t line, int column, const char *reason, void *ctx);

/* The one path of a record that failed with `rc` (the last error saying
 * why): a row fault is counted in the report and, with a reject file,
 * written there by `write`; then CX_OK, or the failure in strict mode.
 * Anything else (out of memory, a limit, I/O) fails the import, naming the
 * line. */
int cxi_import_refuse(cxi_import *im, int rc, uint64_t line, int column, cxi_reject_writer write, void *ctx);

/* Opens the reject file, when the options name one, with a stdio buffer
 * from the import's allocator (so that the C library allocates none). */
int cxi_reject_open(cxi_import *im);

/* Makes `f`, a file the import reads in chunks of its own, unbuffered:
 * the C library then allocates no buffer for it. */
static inline void cxi_unbuffered(FILE *f) { setvbuf(f, NULL, _IONBF, 0); }

int cxi_import_begin(cxi_import *im, const char *fn, cx_import_report **out, cx_store *store, int table,
                     const char *path, const cx_import_options *opts);
/* Ends an import: on success hands the report out, on failure rolls the
 * store back and frees the report. Returns rc. */
int cxi_import_end(cxi_import *im, cx_import_report **out, int rc);

/* Is this status a fault of the row (reject it) rather than of the import? */
static inline bool cxi_row_fault(int rc) { return rc != CX_ENOMEM && rc != CX_ELIMIT && rc != CX_EIO; }

#endif
