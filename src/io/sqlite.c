/*
 * SQLite persistence. Each table of the store maps to a SQL table with the
 * same column names plus `row`, its position; named sets are saved in order
 * so that codes read back the same. A save appends the rows added since the
 * last one and rewrites the rows updates changed, in one transaction; a load
 * reads rows back through the store's own add functions, so a file edited by
 * hand is checked like any input. cx_db_forget erases customers from a file
 * the way cx_customer_forget erases them from a store, so that the two stay
 * one history; cx_db_import_csv streams a file into the database in chunks.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxkit/db.h"
#include "cxkit/version.h"
#include "import.h"
#include "../store/store_private.h"

/* ---- schema and migrations ---------------------------------------------- */

/* migrations[v] upgrades a file from version v to v + 1. They use nothing
 * newer than the SQLite 3.22 the build asks for (no DROP COLUMN or RENAME
 * COLUMN): a table whose column changes type is rebuilt. */
static const char *const migrations[] = {
    "CREATE TABLE cx_schema(version INTEGER NOT NULL);"
    "INSERT INTO cx_schema VALUES(0);"
    "CREATE TABLE cx_counts(tbl TEXT PRIMARY KEY, rows INTEGER NOT NULL);"
    "CREATE TABLE cx_sets(set_id INTEGER NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL,"
    " PRIMARY KEY(set_id, idx));"
    "CREATE TABLE customers(row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, segment TEXT, region TEXT,"
    " plan TEXT, acquired INTEGER);"
    "CREATE TABLE customer_attributes(customer INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(customer, key));"
    "CREATE TABLE touchpoints(row INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, channel TEXT, stage TEXT,"
    " kind TEXT, key INTEGER, weight REAL);"
    "CREATE TABLE interactions(row INTEGER PRIMARY KEY, customer TEXT, touchpoint TEXT, time INTEGER,"
    " kind TEXT, direction TEXT, agent TEXT, \"case\" TEXT, duration_ms INTEGER, outcome TEXT, value REAL);"
    "CREATE TABLE cases(row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, channel TEXT,"
    " priority TEXT, agent TEXT, opened INTEGER, first_response INTEGER, resolved INTEGER, reopens INTEGER,"
    " contacts INTEGER);"
    "CREATE TABLE questions(row INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, metric TEXT, scale_min REAL,"
    " scale_max REAL, higher_is_better INTEGER);"
    "CREATE TABLE feedback(row INTEGER PRIMARY KEY, customer TEXT, question TEXT, score REAL, time INTEGER,"
    " touchpoint TEXT, interaction INTEGER, \"case\" TEXT, comment TEXT);"
    "CREATE TABLE transactions(row INTEGER PRIMARY KEY, customer TEXT, time INTEGER, amount REAL);",
    /* 1 -> 2: the source system's ids of events (indexed where present, so
     * that events without ids cost no index entry); feedback links to the id
     * of its interaction instead of its row (the linked interactions of a
     * version 1 file get the id 'row-N' from their row N) */
    "ALTER TABLE interactions ADD COLUMN id TEXT;"
    "UPDATE interactions SET id = 'row-' || row WHERE row IN (SELECT interaction FROM feedback);"
    "CREATE UNIQUE INDEX interactions_id ON interactions(id) WHERE id IS NOT NULL;"
    "ALTER TABLE feedback RENAME TO cx_feedback_v1;"
    "CREATE TABLE feedback(row INTEGER PRIMARY KEY, customer TEXT, question TEXT, score REAL, time INTEGER,"
    " touchpoint TEXT, interaction TEXT, \"case\" TEXT, comment TEXT, id TEXT);"
    "INSERT INTO feedback SELECT row, customer, question, score, time, touchpoint,"
    " CASE WHEN interaction IS NULL THEN NULL ELSE 'row-' || interaction END, \"case\", comment, NULL"
    " FROM cx_feedback_v1;"
    "DROP TABLE cx_feedback_v1;"
    "CREATE UNIQUE INDEX feedback_id ON feedback(id) WHERE id IS NOT NULL;"
    "ALTER TABLE transactions ADD COLUMN id TEXT;"
    "CREATE UNIQUE INDEX transactions_id ON transactions(id) WHERE id IS NOT NULL;",
};

typedef struct db {
    sqlite3 *h;
    const char *fn;
    const char *path;
} db;

/* SQLite's own memory comes from its process-wide allocator (see db.h):
 * when that runs out, the call fails with CX_ENOMEM like any other. */
static int db_fail(db *d, const char *what)
{
    int code = !d->h || sqlite3_errcode(d->h) == SQLITE_NOMEM ? CX_ENOMEM : CX_EIO;
    if (d->h && code == CX_EIO)
        return cxi_fail(CX_EIO, "%s: %s: %s: %s", d->fn, d->path, what, sqlite3_errmsg(d->h));
    return cxi_fail(code, "%s: %s: %s: %s", d->fn, d->path, what, d->h ? "out of memory" : "cannot open");
}

/* Reading; writing, creating the file if missing; writing an existing file. */
enum { DB_READ, DB_WRITE, DB_MODIFY };

/* A connection of our own per call: the store keeps no database state. */
static int db_open(db *d, const char *fn, const char *path, int mode)
{
    d->fn = fn;
    d->path = path;
    d->h = NULL;
    int flags = mode == DB_READ    ? SQLITE_OPEN_READONLY
                : mode == DB_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                   : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path, &d->h, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return db_fail(d, "cannot open the database");
    sqlite3_busy_timeout(d->h, 5000);
    if (mode != DB_READ && sqlite3_db_readonly(d->h, "main") != 1 &&
        sqlite3_exec(d->h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(d, "cannot set WAL mode");
    return CX_OK;
}

static void db_close(db *d)
{
    sqlite3_close(d->h);
    d->h = NULL;
}

static int db_exec(db *d, const char *sql, const char *what)
{
    return sqlite3_exec(d->h, sql, NULL, NULL, NULL) == SQLITE_OK ? CX_OK : db_fail(d, what);
}

/* Rolls back the transaction of a failed call, keeping the failure's message. */
static int db_rollback(db *d, int rc)
{
    char msg[600];
    snprintf(msg, sizeof msg, "%s", cx_last_error());
    if (d->h)
        sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
    return cxi_fail(rc, "%s", msg);
}

/* The file's schema version, 0 when it has no CXKit tables. */
static int read_version(db *d, int *version)
{
    sqlite3_stmt *st;
    *version = 0;
    if (sqlite3_prepare_v2(d->h, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='cx_schema'", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(d, "cannot read the schema");
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return CX_OK;
    if (rc != SQLITE_ROW)
        return db_fail(d, "cannot read the schema");
    if (sqlite3_prepare_v2(d->h, "SELECT version FROM cx_schema", -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read the schema version");
    if (sqlite3_step(st) == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return CX_OK;
}

static int check_version(db *d, int version)
{
    if (version > CX_DB_SCHEMA_VERSION)
        return cxi_fail(CX_EVERSION,
                        "%s: %s: the file has schema version %d, newer than the %d this library (cxkit %s) knows",
                        d->fn, d->path, version, CX_DB_SCHEMA_VERSION, CX_VERSION_STRING);
    return CX_OK;
}

/* Upgrades the file to CX_DB_SCHEMA_VERSION, inside the caller's transaction. */
static int migrate(db *d, int version)
{
    for (int v = version; v < CX_DB_SCHEMA_VERSION; v++) {
        if (sqlite3_exec(d->h, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
            return db_fail(d, "cannot upgrade the schema");
        char sql[64];
        snprintf(sql, sizeof sql, "UPDATE cx_schema SET version=%d", v + 1);
        if (sqlite3_exec(d->h, sql, NULL, NULL, NULL) != SQLITE_OK)
            return db_fail(d, "cannot upgrade the schema");
    }
    return CX_OK;
}

/* BEGIN IMMEDIATE, then the version checked and the schema brought up to
 * date; `existing` refuses a file without CXKit tables. On failure the
 * transaction is rolled back. */
static int begin_write(db *d, bool existing)
{
    int version, rc = db_exec(d, "BEGIN IMMEDIATE", "cannot begin a transaction");
    if (rc)
        return rc;
    if (!(rc = read_version(d, &version)) && !(rc = check_version(d, version))) {
        if (existing && version == 0)
            rc = cxi_fail(CX_EINVAL, "%s: %s: not a CXKit database (no cx_schema table)", d->fn, d->path);
        else
            rc = migrate(d, version);
    }
    return rc ? db_rollback(d, rc) : CX_OK;
}

/* ---- values ------------------------------------------------------------ */

static const char *table_sql_name(int table)
{
    const char *n;
    cx_table_name(&n, table);
    return n;
}

static size_t table_columns(int table)
{
    size_t n;
    cx_column_count(&n, table);
    return n;
}

/* "SELECT row,"c0","c1",... FROM <table> <tail>" into sql (512 bytes). */
static void select_sql(char *sql, size_t cap, int table, const char *tail)
{
    int len = snprintf(sql, cap, "SELECT row");
    for (size_t c = 0; c < table_columns(table); c++) {
        const char *name;
        cx_column_name(&name, table, (int)c);
        len += snprintf(sql + len, cap - (size_t)len, ",\"%s\"", name);
    }
    snprintf(sql + len, cap - (size_t)len, " FROM %s %s", table_sql_name(table), tail);
}

/* A column of the store read directly for binding, without the checks of
 * the public getters (the rows are known to exist). */
typedef struct bcol {
    cxi_colsrc cs;
    const void *data;     /* the internal column (NULL for the key) */
    cxi_icol icol;        /* SRC_I64: the column, narrow or wide */
    cxi_vcol vcol;        /* SRC_F64: the column, in cents or double (cxi_vcol) */
    cxi_codes codes;      /* a column of u32 codes, 1, 2 or 4 bytes a row (cxi_code_col) */
    const cxi_pool *pool; /* the strings codes index */
    const uint32_t *link; /* SRC_LINK: the id column of the rows it holds; NULL when it holds ids */
    bool by_row;          /* no column: the row is the code (the key, implicit event ids) */
} bcol;

static void bcol_init(bcol *b, const cx_store *s, int table, int col)
{
    cxi_column_source(&b->cs, table, col);
    b->data = b->cs.icol >= 0 ? s->t[table].cols[b->cs.icol].data : NULL;
    if (b->cs.src == SRC_I64)
        b->icol = cxi_icol_of(s, table, b->cs.icol);
    if (b->cs.src == SRC_F64)
        b->vcol = cxi_vcol_of(s, table, b->cs.icol);
    /* the key, or an implicit event id column: no column, the row is the code */
    b->by_row = b->cs.src == SRC_ID || (b->cs.src == SRC_EID && cxi_eid_implicit(s, table));
    if (!b->by_row && b->cs.type == CX_TYPE_STRING && b->cs.src != SRC_ENUM)
        b->codes = cxi_codes_col(s, table, b->cs.icol); /* sparse too (cx_store_compact) */
    switch (b->cs.src) {
    case SRC_ID: b->pool = &s->keys[table]; break;
    case SRC_SET: b->pool = &s->sets[b->cs.aux]; break;
    case SRC_REF: b->pool = &s->keys[b->cs.aux]; break;
    case SRC_TEXT: b->pool = &s->comments; break;
    /* event ids: NULL out of memory after cx_store_compact (cxi_event_ids_text), seen by bcols_ready */
    case SRC_EID: b->pool = cxi_event_ids_text(s, table); break;
    case SRC_LINK: b->pool = cxi_event_ids_text(s, b->cs.aux); break;
    default: b->pool = NULL; break;
    }
    /* a streaming feedback import keeps the interactions' ids, not rows */
    b->link = b->cs.src == SRC_LINK && !s->external_interactions && !cxi_eid_implicit(s, b->cs.aux)
                  ? CXI_COL(s, b->cs.aux, cxi_id_col(b->cs.aux), uint32_t)
                  : NULL; /* implicit ids: the row is the key id */
}

/* Binds one cell: strings (names, ids, links, comments) as text, a missing
 * one as NULL; times and integers as integers (a missing time as NULL);
 * reals as reals. */
static int bind_direct(sqlite3_stmt *st, int p, const bcol *b, size_t row)
{
    int rc;
    switch (b->cs.type) {
    case CX_TYPE_STRING: {
        uint32_t v;
        if (b->cs.src == SRC_ENUM) {
            rc = sqlite3_bind_text(st, p, b->cs.enum_names[((const uint8_t *)b->data)[row]], -1, SQLITE_STATIC);
            break;
        }
        /* a key, or an implicit event id column (cxi_row_eid): the row */
        v = b->by_row ? (uint32_t)row : cxi_codes_at(b->codes, row);
        if (b->link && v != CXI_NONE)
            v = b->link[v];
        if (v == CXI_NONE) {
            rc = sqlite3_bind_null(st, p);
        } else {
            uint32_t len = cxi_pool_len(b->pool, v);
            rc = sqlite3_bind_text(st, p, cxi_pool_str(b->pool, v), len <= INT32_MAX ? (int)len : -1,
                                   SQLITE_STATIC);
        }
        break;
    }
    case CX_TYPE_INT:
    case CX_TYPE_TIME: {
        int64_t v;
        switch (b->cs.src) {
        case SRC_ENUM:
        case SRC_U8: v = ((const uint8_t *)b->data)[row]; break;
        case SRC_I32: v = ((const int32_t *)b->data)[row]; break;
        default: v = cxi_icol_at(b->icol, row); break;
        }
        bool missing = b->cs.type == CX_TYPE_TIME && v == CX_TIME_NONE;
        rc = missing ? sqlite3_bind_null(st, p) : sqlite3_bind_int64(st, p, v);
        break;
    }
    default:
        rc = sqlite3_bind_double(st, p, cxi_vcol_at(b->vcol, row));
        break;
    }
    return rc == SQLITE_OK ? CX_OK : CX_EIO;
}

/* One prepared statement writing whole rows of a table: an INSERT of new
 * rows or an UPDATE of saved ones, each binding every column of a store
 * row and giving it a row number in the file. */
typedef struct rowwriter {
    sqlite3_stmt *st;
    size_t ncols;
    int row_param; /* the parameter of the file's row */
    bcol cols[16];
} rowwriter;

enum { RW_INSERT, RW_UPDATE };

static int rowwriter_open(rowwriter *w, db *d, const cx_store *s, int table, int kind)
{
    const char *tbl = table_sql_name(table);
    char sql[1024];
    w->ncols = table_columns(table);
    int len;
    if (kind == RW_INSERT) {
        len = snprintf(sql, sizeof sql, "INSERT INTO %s(", tbl);
        for (size_t c = 0; c < w->ncols; c++) {
            const char *name;
            cx_column_name(&name, table, (int)c);
            len += snprintf(sql + len, sizeof sql - (size_t)len, "\"%s\",", name);
        }
        len += snprintf(sql + len, sizeof sql - (size_t)len, "row) VALUES(");
        for (size_t c = 0; c <= w->ncols; c++)
            len += snprintf(sql + len, sizeof sql - (size_t)len, c ? ",?%zu" : "?%zu", c + 1);
        snprintf(sql + len, sizeof sql - (size_t)len, ")");
    } else {
        len = snprintf(sql, sizeof sql, "UPDATE %s SET ", tbl);
        for (size_t c = 0; c < w->ncols; c++) {
            const char *name;
            cx_column_name(&name, table, (int)c);
            len += snprintf(sql + len, sizeof sql - (size_t)len, "%s\"%s\"=?%zu", c ? "," : "", name, c + 1);
        }
        snprintf(sql + len, sizeof sql - (size_t)len, " WHERE row=?%zu", w->ncols + 1);
    }
    w->row_param = (int)w->ncols + 1;
    for (size_t c = 0; c < w->ncols; c++) {
        bcol_init(&w->cols[c], s, table, (int)c);
        if (w->cols[c].cs.type == CX_TYPE_STRING && w->cols[c].cs.src != SRC_ENUM && !w->cols[c].pool)
            return cxi_fail(CX_ENOMEM, "out of memory for the text of the ids of a table");
    }
    if (sqlite3_prepare_v2(d->h, sql, -1, &w->st, NULL) != SQLITE_OK) {
        w->st = NULL;
        return db_fail(d, kind == RW_INSERT ? "cannot prepare an insert" : "cannot prepare an update");
    }
    return CX_OK;
}

/* Writes store row `row` as file row `file_row`. */
static int rowwriter_put(rowwriter *w, db *d, size_t row, size_t file_row)
{
    sqlite3_reset(w->st);
    int rc = CX_OK;
    for (size_t c = 0; c < w->ncols && rc == CX_OK; c++)
        rc = bind_direct(w->st, (int)c + 1, &w->cols[c], row);
    if (rc == CX_OK && sqlite3_bind_int64(w->st, w->row_param, (sqlite3_int64)file_row) != SQLITE_OK)
        rc = CX_EIO;
    if (rc != CX_OK)
        return db_fail(d, "cannot bind a value");
    return sqlite3_step(w->st) == SQLITE_DONE ? CX_OK : db_fail(d, "cannot write a row");
}

static void rowwriter_close(rowwriter *w)
{
    sqlite3_finalize(w->st);
    w->st = NULL;
}

/* The text fields of the row `st` stands on (column k + 1 is field k), as
 * the importer reads them: times in seconds with milliseconds, reals with
 * every digit, NULL for a missing value. */
static void row_fields(sqlite3_stmt *st, int table, size_t ncols, char **fields, char (*num)[32])
{
    for (size_t c = 0; c < ncols; c++) {
        int type;
        cx_column_type(&type, table, (int)c);
        int k = (int)c + 1;
        if (sqlite3_column_type(st, k) == SQLITE_NULL) {
            fields[c] = NULL;
        } else if (type == CX_TYPE_TIME) {
            int64_t t = sqlite3_column_int64(st, k);
            uint64_t a = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
            snprintf(num[c], sizeof num[c], "%s%llu.%03u", t < 0 ? "-" : "", (unsigned long long)(a / 1000),
                     (unsigned)(a % 1000));
            fields[c] = num[c];
        } else if (type == CX_TYPE_REAL) {
            cxi_format_double(num[c], sizeof num[c], 17, sqlite3_column_double(st, k));
            fields[c] = num[c];
        } else {
            fields[c] = (char *)sqlite3_column_text(st, k);
        }
    }
}

/* Is row r of the table marked as changed in place since the store was
 * made or loaded? */
static bool row_dirty(const cx_store *s, int table, size_t r)
{
    return r / 64 < s->dirty_cap[table] && (s->dirty[table][r / 64] >> (r % 64) & 1);
}

/* A store just read from a file has changed nothing since. */
static void clear_dirty(cx_store *s)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        if (s->dirty[t])
            memset(s->dirty[t], 0, s->dirty_cap[t] * sizeof(uint64_t));
    s->attrs_changed = false;
}

/* ---- save -------------------------------------------------------------- */

static int64_t saved_count(db *d, const char *tbl)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(d->h, "SELECT rows FROM cx_counts WHERE tbl=?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return n;
}

static int set_count(db *d, const char *tbl, size_t n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, "INSERT OR REPLACE INTO cx_counts VALUES(?, ?)", -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot write");
    sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CX_OK : db_fail(d, "cannot write");
}

/* Appends the names the file lacks, after checking that those it holds are
 * the store's, in the same order: a code read back must mean the same name
 * (two histories that went apart, for instance a store and a file that
 * forgot different customers, are refused here rather than mixed). */
static int save_sets(db *d, const cx_store *s)
{
    sqlite3_stmt *ins, *names;
    if (sqlite3_prepare_v2(d->h, "INSERT INTO cx_sets VALUES(?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
        return db_fail(d, "cannot write");
    if (sqlite3_prepare_v2(d->h, "SELECT idx, name FROM cx_sets WHERE set_id=? ORDER BY idx", -1, &names, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(ins);
        return db_fail(d, "cannot read");
    }
    int rc = CX_OK;
    for (int set = 0; set < CX_VOCAB_COUNT && rc == CX_OK; set++) {
        size_t n, have = 0;
        cx_vocab_count(&n, s, set);
        sqlite3_reset(names);
        sqlite3_bind_int(names, 1, set);
        int step;
        while (rc == CX_OK && (step = sqlite3_step(names)) == SQLITE_ROW) {
            const char *theirs = (const char *)sqlite3_column_text(names, 1), *mine = NULL;
            if (have < n)
                cx_vocab_name(&mine, s, set, have);
            if (sqlite3_column_int64(names, 0) != (sqlite3_int64)have || !mine || !theirs ||
                strcmp(mine, theirs) != 0)
                rc = cxi_fail(CX_EINVAL,
                              "%s: %s: cx_sets: name %zu of set %d in the file is not the store's: it is another "
                              "store's file",
                              d->fn, d->path, have, set);
            have++;
        }
        if (rc == CX_OK && step != SQLITE_DONE)
            rc = db_fail(d, "cannot read names");
        for (size_t i = have; i < n && rc == CX_OK; i++) {
            const char *name;
            cx_vocab_name(&name, s, set, i);
            sqlite3_reset(ins);
            sqlite3_bind_int(ins, 1, set);
            sqlite3_bind_int64(ins, 2, (sqlite3_int64)i);
            sqlite3_bind_text(ins, 3, name, -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                rc = db_fail(d, "cannot write");
        }
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(names);
    return rc;
}

/* The column holding a table's time, -1 for the keyed tables. */
static int time_column(int table)
{
    return table == CX_TABLE_INTERACTIONS ? CX_INTERACTION_TIME
           : table == CX_TABLE_FEEDBACK   ? CX_FEEDBACK_TIME
           : table == CX_TABLE_TRANSACTIONS ? CX_TRANSACTION_TIME
                                            : -1;
}

/* The public column of an event table's own id, -1 for the others. */
static int event_id_column(int table)
{
    return table == CX_TABLE_INTERACTIONS ? CX_INTERACTION_ID
           : table == CX_TABLE_FEEDBACK   ? CX_FEEDBACK_ID
           : table == CX_TABLE_TRANSACTIONS ? CX_TRANSACTION_ID
                                            : -1;
}

/* Is the last saved row the store's row too? Compares the first column (an
 * id or a customer) and, for tables of events, the time; an event an update
 * changed since is compared by its own id, which an update keeps. */
static int check_prefix(db *d, const cx_store *s, int table, size_t have)
{
    if (have == 0)
        return CX_OK;
    int ccol = 0, tcol = time_column(table);
    if (row_dirty(s, table, have - 1) && event_id_column(table) >= 0) {
        ccol = event_id_column(table);
        tcol = -1;
    }
    const char *cname;
    cx_column_name(&cname, table, ccol);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT \"%s\", %s FROM %s WHERE row=?", cname, tcol >= 0 ? "time" : "NULL",
             table_sql_name(table));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(have - 1));
    bool same = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *mine;
        cx_store_get_string(&mine, s, table, ccol, have - 1);
        const unsigned char *theirs = sqlite3_column_text(st, 0);
        same = mine && theirs && strcmp(mine, (const char *)theirs) == 0;
        if (same && tcol >= 0) {
            int64_t t;
            cx_store_get_int(&t, s, table, tcol, have - 1);
            same = sqlite3_column_int64(st, 1) == t;
        }
    }
    sqlite3_finalize(st);
    if (!same)
        return cxi_fail(CX_EINVAL, "%s: %s: row %zu of %s in the file is not the store's: it is another store's file",
                        d->fn, d->path, have - 1, table_sql_name(table));
    return CX_OK;
}

/* Inserts store rows [from, to) as file rows db_first, db_first + 1, ... */
static int insert_rows(db *d, const cx_store *s, int table, size_t from, size_t to, size_t db_first)
{
    if (from >= to)
        return CX_OK;
    rowwriter w;
    int rc = rowwriter_open(&w, d, s, table, RW_INSERT);
    for (size_t r = from; r < to && rc == CX_OK; r++)
        rc = rowwriter_put(&w, d, r, db_first + (r - from));
    rowwriter_close(&w);
    return rc;
}

/* Rewrites, whole, every row below `limit` that an update changed: the rows
 * of a store and of its file are the same rows. */
static int rewrite_dirty(db *d, const cx_store *s, int table, size_t limit)
{
    size_t words = (limit + 63) / 64;
    if (words > s->dirty_cap[table])
        words = s->dirty_cap[table];
    rowwriter w = {0};
    int rc = CX_OK;
    for (size_t i = 0; i < words && rc == CX_OK; i++) {
        uint64_t bits = s->dirty[table][i];
        for (size_t b = 0; bits && b < 64 && rc == CX_OK; b++) {
            size_t r = i * 64 + b;
            if (!(bits >> b & 1) || r >= limit)
                continue;
            if (!w.st && (rc = rowwriter_open(&w, d, s, table, RW_UPDATE)))
                break;
            rc = rowwriter_put(&w, d, r, r);
        }
    }
    rowwriter_close(&w);
    return rc;
}

static int save_table(db *d, const cx_store *s, int table)
{
    const char *tbl = table_sql_name(table);
    size_t n;
    cx_store_rows(&n, s, table);
    int64_t have = saved_count(d, tbl);
    if (have < 0)
        return db_fail(d, "cannot read");
    if ((size_t)have > n)
        return cxi_fail(CX_EINVAL, "%s: %s: the file holds %lld rows of %s, the store only %zu: it is another store's file",
                        d->fn, d->path, (long long)have, tbl, n);
    int rc = check_prefix(d, s, table, (size_t)have);
    if (rc == CX_OK)
        rc = rewrite_dirty(d, s, table, (size_t)have);
    if (rc == CX_OK)
        rc = insert_rows(d, s, table, (size_t)have, n, (size_t)have);
    if (rc == CX_OK)
        rc = set_count(d, tbl, n);
    return rc;
}

/* Writes every attribute of the store. When one was replaced or removed
 * since the store was made or loaded, the table is emptied first, so that
 * a removed attribute leaves the file too; otherwise the attributes only
 * grew, and writing them over the saved ones is enough. */
static int save_attributes(db *d, const cx_store *s)
{
    size_t ncust, nkeys;
    cx_store_rows(&ncust, s, CX_TABLE_CUSTOMERS);
    cx_vocab_count(&nkeys, s, CX_VOCAB_ATTRIBUTE);
    if (s->attrs_changed && sqlite3_exec(d->h, "DELETE FROM customer_attributes", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(d, "cannot rewrite attributes");
    if (nkeys == 0)
        return CX_OK;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, "INSERT OR REPLACE INTO customer_attributes VALUES(?, ?, ?)", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(d, "cannot write attributes");
    int rc = CX_OK;
    for (size_t r = 0; r < ncust && rc == CX_OK; r++) {
        for (size_t k = 0; k < nkeys && rc == CX_OK; k++) {
            /* as cx_customer_get_attribute(id of row r, name k) finds it */
            uint32_t vid = cxi_attrs_get(&s->attrs, (uint32_t)r, (uint32_t)k);
            if (vid == CXI_NONE)
                continue;
            const char *key = cxi_pool_str(&s->sets[CX_VOCAB_ATTRIBUTE], (uint32_t)k);
            const char *value = cxi_pool_str(&s->attr_values, vid);
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, (sqlite3_int64)r);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = db_fail(d, "cannot write an attribute");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* Tables in an order where every reference points to a saved row. */
static const int table_order[CX_TABLE_COUNT] = {
    CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,       CX_TABLE_INTERACTIONS,
    CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS,
};

int cx_db_save(const cx_store *s, const char *path)
{
    static const char fn[] = "cx_db_save";
    if (!s || !path)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    db d;
    int rc = db_open(&d, fn, path, DB_WRITE);
    if (!rc)
        rc = begin_write(&d, false);
    if (rc) {
        db_close(&d);
        return rc;
    }
    rc = save_sets(&d, s);
    for (int i = 0; i < CX_TABLE_COUNT && rc == CX_OK; i++)
        rc = save_table(&d, s, table_order[i]);
    if (rc == CX_OK)
        rc = save_attributes(&d, s);
    if (rc == CX_OK)
        rc = db_exec(&d, "COMMIT", "cannot commit");
    if (rc != CX_OK)
        rc = db_rollback(&d, rc);
    db_close(&d);
    return rc;
}

/* ---- load -------------------------------------------------------------- */

static int load_sets(db *d, cx_store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, "SELECT set_id, idx, name FROM cx_sets ORDER BY set_id, idx", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(d, "cannot read names");
    int rc = CX_OK, step;
    while (rc == CX_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        /* the storage classes first: reading a value as another type
         * converts it, and sqlite3_column_type is then undefined */
        bool typed = sqlite3_column_type(st, 0) == SQLITE_INTEGER && sqlite3_column_type(st, 1) == SQLITE_INTEGER &&
                     sqlite3_column_type(st, 2) == SQLITE_TEXT;
        int set = sqlite3_column_int(st, 0);
        int64_t idx = sqlite3_column_int64(st, 1);
        const char *name = (const char *)sqlite3_column_text(st, 2);
        size_t got;
        if (!typed || sqlite3_column_int64(st, 0) != set || set < 0 || set >= CX_VOCAB_COUNT || !name)
            rc = cxi_fail(CX_EPARSE, "%s: %s: cx_sets: bad row (set %d, index %lld)", d->fn, d->path, set,
                          (long long)idx);
        else if ((rc = cx_vocab_define(&got, s, set, name)))
            rc = cxi_fail(rc, "%s: %s: cx_sets: %s", d->fn, d->path, cx_last_error());
        else if ((int64_t)got != idx)
            rc = cxi_fail(CX_EPARSE, "%s: %s: cx_sets: name %lld of set %d is out of order", d->fn, d->path,
                          (long long)idx, set);
    }
    if (rc == CX_OK && step != SQLITE_DONE)
        rc = db_fail(d, "cannot read names");
    sqlite3_finalize(st);
    return rc;
}

/* Stores rows read from the file through the importer's conversion (every
 * column, in schema order), so a row of the file is checked like any
 * input. Its report only satisfies the importer: the counts are not used.
 * On the heap (an importer's state is large), from the store's allocator. */
typedef struct loader {
    cxi_mem mem;
    cxi_import im;
    cx_import_report report;
} loader;

static int loader_new(loader **out, db *d, cx_store *s)
{
    cxi_mem mem;
    cxi_mem_init(&mem, s->mem.fn, s->mem.ud);
    loader *l = cxi_alloc(&mem, sizeof *l);
    if (!(*out = l))
        return cxi_fail(CX_ENOMEM, "%s: %s: out of memory", d->fn, d->path);
    memset(l, 0, sizeof *l);
    l->mem = mem;
    l->im.fn = d->fn;
    l->im.path = d->path;
    l->im.store = s;
    l->im.report = &l->report;
    return CX_OK;
}

static void loader_free(loader *l)
{
    if (l) {
        cxi_mem mem = l->mem;
        cxi_free(&mem, l, sizeof *l);
    }
}

/* What SQLite holds in column k of the row `st` stands on, for a message:
 * the storage class and, for text, the text. */
static void describe_cell(char *buf, size_t cap, sqlite3_stmt *st, int k)
{
    char qb[80];
    switch (sqlite3_column_type(st, k)) {
    case SQLITE_INTEGER: snprintf(buf, cap, "the integer %lld", (long long)sqlite3_column_int64(st, k)); break;
    case SQLITE_FLOAT: {
        char num[32];
        cxi_format_double(num, sizeof num, 17, sqlite3_column_double(st, k));
        snprintf(buf, cap, "the real %s", num);
        break;
    }
    case SQLITE_TEXT: snprintf(buf, cap, "the text '%s'", cxi_quote(qb, (const char *)sqlite3_column_text(st, k))); break;
    case SQLITE_NULL: snprintf(buf, cap, "NULL"); break;
    default: snprintf(buf, cap, "a blob of %d bytes", sqlite3_column_bytes(st, k)); break;
    }
}

/* Column k of the row `st` stands on holds what a column of type `type`
 * (a CX_TYPE_*) was saved as, or NULL (the importer says where NULL is
 * allowed): INTEGER for times and integers, REAL or INTEGER for reals,
 * TEXT for strings. SQLite keeps what a column's affinity cannot convert
 * (a score 'nan' or '9abc', a time '2024-01-01'), and reading it as the
 * column's type would take 0, 9 or 2024: such a file is refused. */
static bool cell_type_ok(sqlite3_stmt *st, int k, int type)
{
    int c = sqlite3_column_type(st, k);
    switch (type) {
    case CX_TYPE_STRING: return c == SQLITE_NULL || c == SQLITE_TEXT;
    case CX_TYPE_REAL: return c == SQLITE_NULL || c == SQLITE_FLOAT || c == SQLITE_INTEGER;
    default: return c == SQLITE_NULL || c == SQLITE_INTEGER;
    }
}

static const char *type_wanted(int type)
{
    switch (type) {
    case CX_TYPE_STRING: return "text";
    case CX_TYPE_REAL: return "a number (REAL or INTEGER)";
    case CX_TYPE_TIME: return "a time (INTEGER milliseconds since 1970)";
    default: return "an INTEGER";
    }
}

/* CX_EPARSE naming the table, row and column when a cell of the row `st`
 * stands on (columns 1.. of `table`) is not of its column's type. */
static int check_row_types(const char *fn, const char *path, sqlite3_stmt *st, int table, int64_t row)
{
    for (size_t c = 0; c < table_columns(table); c++) {
        int type;
        cx_column_type(&type, table, (int)c);
        if (cell_type_ok(st, (int)c + 1, type))
            continue;
        const char *name;
        cx_column_name(&name, table, (int)c);
        char got[128];
        describe_cell(got, sizeof got, st, (int)c + 1);
        return cxi_fail(CX_EPARSE, "%s: %s: %s row %lld, column %s: %s where %s is expected", fn, path,
                        table_sql_name(table), (long long)row, name, got, type_wanted(type));
    }
    return CX_OK;
}

/* Stores the file row `st` stands on (file row `row` of `table`): added,
 * or with `update` put over the record of the same id. */
static int loader_row(loader *l, sqlite3_stmt *st, int table, int64_t row, bool update)
{
    char *fields[16];
    char num[16][32];
    size_t ncols = table_columns(table);
    int trc = check_row_types(l->im.fn, l->im.path, st, table, row);
    if (trc)
        return trc;
    row_fields(st, table, ncols, fields, num);
    cxi_layout_all_columns(&l->im.layout, table);
    l->im.existing = update ? CX_EXISTING_UPDATE : CX_EXISTING_REJECT;
    int column, rc = cxi_import_row(&l->im, fields, (int)ncols, &column);
    if (rc)
        return cxi_fail(cxi_row_fault(rc) ? CX_EPARSE : rc, "%s: %s: %s row %lld: %s", l->im.fn, l->im.path,
                        table_sql_name(table), (long long)row, cx_last_error());
    return CX_OK;
}

static int load_table(db *d, loader *l, int table)
{
    cx_store *s = l->im.store;
    size_t builtin;
    cx_store_rows(&builtin, s, table); /* the built-in questions */
    char sql[512];
    select_sql(sql, sizeof sql, table, "ORDER BY row");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read a table");
    int rc = CX_OK, step;
    int64_t expect = 0;
    while (rc == CX_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t row = sqlite3_column_int64(st, 0);
        if (row != expect) {
            rc = cxi_fail(CX_EPARSE, "%s: %s: %s: row %lld is missing", d->fn, d->path, table_sql_name(table),
                          (long long)expect);
            break;
        }
        expect++;
        bool is_builtin = (size_t)row < builtin;
        /* the types before the built-in name is read as text (loader_row
         * checks them too, for the streaming imports' rows) */
        if ((rc = check_row_types(d->fn, d->path, st, table, row)))
            break;
        if (is_builtin) { /* a built-in row: the same record, with the values saved (a put may have changed them) */
            const char *mine, *theirs = (const char *)sqlite3_column_text(st, 1);
            cx_store_get_string(&mine, s, table, 0, (size_t)row);
            if (!theirs || strcmp(mine, theirs) != 0) {
                rc = cxi_fail(CX_EPARSE, "%s: %s: %s row %lld is not the built-in '%s'", d->fn, d->path,
                              table_sql_name(table), (long long)row, mine);
                break;
            }
        }
        rc = loader_row(l, st, table, row, is_builtin);
    }
    if (rc == CX_OK && step != SQLITE_DONE)
        rc = db_fail(d, "cannot read a table");
    sqlite3_finalize(st);
    return rc;
}

static int load_attributes(db *d, cx_store *s)
{
    sqlite3_stmt *st;
    /* a LEFT JOIN: an attribute of a customer row the file lacks is an
     * error, not a row that vanishes */
    if (sqlite3_prepare_v2(d->h,
                           "SELECT c.id, a.key, a.value, a.customer FROM customer_attributes a LEFT JOIN customers c "
                           "ON c.row = a.customer ORDER BY a.customer, a.key",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read attributes");
    int rc = CX_OK, step;
    while (rc == CX_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        char qb[80], got[128];
        if (sqlite3_column_type(st, 3) != SQLITE_INTEGER) {
            describe_cell(got, sizeof got, st, 3);
            rc = cxi_fail(CX_EPARSE, "%s: %s: customer_attributes, column customer: %s where a customer row (an "
                          "INTEGER) is expected", d->fn, d->path, got);
            break;
        }
        long long cust = (long long)sqlite3_column_int64(st, 3);
        for (int k = 1; k <= 2 && !rc; k++)
            if (sqlite3_column_type(st, k) != SQLITE_TEXT) {
                describe_cell(got, sizeof got, st, k);
                rc = cxi_fail(CX_EPARSE, "%s: %s: customer_attributes of customer row %lld, column %s: %s where "
                              "text is expected", d->fn, d->path, cust, k == 1 ? "key" : "value", got);
            }
        if (rc)
            break;
        if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
            rc = cxi_fail(CX_EPARSE, "%s: %s: customer_attributes: attribute '%s' of customer row %lld, which "
                          "the customers table does not have", d->fn, d->path,
                          cxi_quote(qb, (const char *)sqlite3_column_text(st, 1)), cust);
            break;
        }
        rc = cx_customer_set_attribute(s, (const char *)sqlite3_column_text(st, 0),
                                       (const char *)sqlite3_column_text(st, 1),
                                       (const char *)sqlite3_column_text(st, 2));
        if (rc)
            rc = cxi_fail(rc == CX_ENOMEM ? rc : CX_EPARSE, "%s: %s: customer_attributes: %s", d->fn, d->path,
                          cx_last_error());
    }
    if (rc == CX_OK && step != SQLITE_DONE)
        rc = db_fail(d, "cannot read attributes");
    sqlite3_finalize(st);
    return rc;
}

/* A file of an older schema, opened for reading: it is upgraded in place,
 * in a transaction of a connection of its own (the same migrations as a
 * save runs), when the file can be written. A file that cannot be written
 * (read-only file or directory, read-only medium) is refused with
 * CX_EVERSION rather than converted in memory: loading is cheap only
 * because a file is read as it is. */
static int upgrade_for_read(db *r, int version)
{
    db w;
    int rc = db_open(&w, r->fn, r->path, DB_MODIFY);
    if (rc == CX_OK && sqlite3_db_readonly(w.h, "main") == 1)
        rc = CX_EVERSION;
    if (rc == CX_OK)
        rc = begin_write(&w, true);
    if (rc == CX_OK && (rc = db_exec(&w, "COMMIT", "cannot commit the upgrade")))
        rc = db_rollback(&w, rc);
    db_close(&w);
    if (rc == CX_EVERSION || rc == CX_EIO)
        return cxi_fail(CX_EVERSION,
                        "%s: %s: the file has schema version %d, older than the %d this library reads, and cannot "
                        "be upgraded here (%s): open it once with write access to upgrade it",
                        r->fn, r->path, version, CX_DB_SCHEMA_VERSION,
                        rc == CX_EVERSION ? "the file is read-only" : cx_last_error());
    return rc;
}

int cx_db_load_with_allocator(cx_store **out, const char *path, cx_alloc_fn alloc, void *ud)
{
    static const char fn[] = "cx_db_load";
    if (!out || !path)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    *out = NULL;
    db d;
    int rc = db_open(&d, fn, path, DB_READ);
    cx_store *s = NULL;
    loader *l = NULL;
    int version = 0;
    if (!rc && !(rc = read_version(&d, &version)) && !(rc = check_version(&d, version))) {
        if (version == 0)
            rc = cxi_fail(CX_EINVAL, "%s: %s: not a CXKit database (no cx_schema table)", fn, path);
        else if (version < CX_DB_SCHEMA_VERSION && !(rc = upgrade_for_read(&d, version)) &&
                 !(rc = read_version(&d, &version)) && version != CX_DB_SCHEMA_VERSION)
            rc = cxi_fail(CX_EVERSION, "%s: %s: the file has schema version %d after its upgrade", fn, path,
                          version);
    }
    if (!rc)
        rc = db_exec(&d, "BEGIN", "cannot begin a read transaction");
    /* the store's constructor fails only for memory; the message names this call */
    if (!rc && (alloc ? cx_store_new_with_allocator(&s, alloc, ud) : cx_store_new(&s)) != CX_OK)
        rc = cxi_fail(CX_ENOMEM, "%s: %s: out of memory for the store", fn, path);
    if (!rc)
        rc = loader_new(&l, &d, s);
    if (!rc)
        rc = load_sets(&d, s);
    for (int i = 0; i < CX_TABLE_COUNT && rc == CX_OK; i++)
        rc = load_table(&d, l, table_order[i]);
    if (!rc)
        rc = load_attributes(&d, s);
    loader_free(l);
    if (d.h)
        sqlite3_exec(d.h, "COMMIT", NULL, NULL, NULL);
    db_close(&d);
    if (rc) {
        cx_store_free(s);
        return rc;
    }
    clear_dirty(s);
    *out = s;
    return CX_OK;
}

int cx_db_load(cx_store **out, const char *path) { return cx_db_load_with_allocator(out, path, NULL, NULL); }

int cx_db_schema_version(int *out, const char *path)
{
    static const char fn[] = "cx_db_schema_version";
    if (!out || !path)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    db d;
    int rc = db_open(&d, fn, path, DB_READ);
    if (!rc)
        rc = read_version(&d, out);
    db_close(&d);
    return rc;
}

/* ---- forgetting customers ---------------------------------------------- */

/* The open named sets: the names each starts with (built in, always kept,
 * first), and the uses of its names in the file, each with its rank: the
 * phase of a store's filling it belongs to (customers, cases,
 * interactions) times 2^32 plus its row. */
static const struct {
    int set, builtin;
    const char *uses;
} open_sets[] = {
    {CX_VOCAB_INTERACTION_KIND, 6, "SELECT kind AS name, 2 * 4294967296 + row AS r FROM interactions"},
    {CX_VOCAB_AGENT, 0,
     "SELECT agent AS name, 4294967296 + row AS r FROM cases UNION ALL "
     "SELECT agent, 2 * 4294967296 + row FROM interactions"},
    {CX_VOCAB_SEGMENT, 0, "SELECT segment AS name, row AS r FROM customers"},
    {CX_VOCAB_REGION, 0, "SELECT region AS name, row AS r FROM customers"},
    {CX_VOCAB_PLAN, 0, "SELECT plan AS name, row AS r FROM customers"},
    {CX_VOCAB_ATTRIBUTE, 0, "SELECT key AS name, customer AS r FROM customer_attributes"},
};

/* Renumbers column `col` of `tbl` after the numbers listed in
 * temp.cx_gone were deleted: a number above gone ones
 * moves down by how many are below it, so the order stays and the numbers
 * run 0, 1, ... again. One range update per gap, through negative numbers,
 * so that no two rows ever hold one number, in whatever order SQLite
 * visits them. */
static int compact(db *d, const char *tbl, const char *col)
{
    char sql[256];
    sqlite3_stmt *gone = NULL, *move = NULL;
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = -1 - (%s - ?1) WHERE %s > ?2 AND %s < ?3", tbl, col, col, col,
             col);
    if (sqlite3_prepare_v2(d->h, "SELECT k FROM temp.cx_gone ORDER BY k", -1, &gone, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(d->h, sql, -1, &move, NULL) != SQLITE_OK) {
        sqlite3_finalize(gone);
        return db_fail(d, "cannot renumber rows");
    }
    int rc = CX_OK, step;
    int64_t below = 0, prev = 0;
    while (rc == CX_OK && ((step = sqlite3_step(gone)) == SQLITE_ROW || step == SQLITE_DONE)) {
        int64_t g = step == SQLITE_ROW ? sqlite3_column_int64(gone, 0) : INT64_MAX;
        if (below > 0) { /* the rows between the last gone number and this one */
            sqlite3_reset(move);
            sqlite3_bind_int64(move, 1, below);
            sqlite3_bind_int64(move, 2, prev);
            sqlite3_bind_int64(move, 3, g);
            if (sqlite3_step(move) != SQLITE_DONE)
                rc = db_fail(d, "cannot renumber rows");
        }
        if (step == SQLITE_DONE)
            break;
        prev = g;
        below++;
    }
    if (rc == CX_OK && step != SQLITE_DONE)
        rc = db_fail(d, "cannot renumber rows");
    sqlite3_finalize(gone);
    sqlite3_finalize(move);
    if (rc == CX_OK && below > 0) {
        snprintf(sql, sizeof sql, "UPDATE %s SET %s = -1 - %s WHERE %s < 0", tbl, col, col, col);
        rc = db_exec(d, sql, "cannot renumber rows");
    }
    return rc;
}

/* Runs `sql` with its integer parameter ?1, if it has one; *changes gets
 * the number of rows it changed. */
static int exec_int(db *d, const char *sql, int64_t param, int64_t *changes, const char *what)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, what);
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, param);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return db_fail(d, what);
    if (changes)
        *changes = sqlite3_changes(d->h);
    return CX_OK;
}

/* Deletes the rows of `table` the forgotten customers own, renumbers the
 * others and the table's count; adds the rows deleted to *removed. */
static int forget_rows(db *d, int table, size_t *removed)
{
    const char *tbl = table_sql_name(table);
    char sql[256];
    int64_t n = 0;
    int rc = db_exec(d, "DELETE FROM temp.cx_gone", "cannot erase");
    if (!rc) {
        snprintf(sql, sizeof sql, "INSERT INTO temp.cx_gone SELECT row FROM %s WHERE %s IN (SELECT id FROM temp.cx_forget)",
                 tbl, table == CX_TABLE_CUSTOMERS ? "id" : "customer");
        rc = db_exec(d, sql, "cannot erase");
    }
    if (!rc && table == CX_TABLE_CUSTOMERS)
        rc = db_exec(d, "DELETE FROM customer_attributes WHERE customer IN (SELECT k FROM temp.cx_gone)",
                     "cannot erase attributes");
    if (!rc) {
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE row IN (SELECT k FROM temp.cx_gone)", tbl);
        rc = exec_int(d, sql, 0, &n, "cannot erase");
    }
    if (!rc)
        rc = compact(d, tbl, "row");
    if (!rc && table == CX_TABLE_CUSTOMERS)
        rc = compact(d, "customer_attributes", "customer");
    if (!rc) {
        snprintf(sql, sizeof sql, "UPDATE cx_counts SET rows = rows - ?1 WHERE tbl = '%s'", tbl);
        rc = exec_int(d, sql, n, NULL, "cannot write the counts");
    }
    *removed += (size_t)n;
    return rc;
}

/* Renumbers the names of one open set as cx_customer_forget() renumbers a
 * store's codes: the built-in names first, then the names the rows left
 * use, by first use in a store filled table by table (customers, cases,
 * interactions; attribute names by customer), ties in their old order; a
 * name no row uses any more leaves the set. So a file and a store that
 * forgot the same customers hold the same names under the same codes. */
static int forget_set(db *d, size_t i)
{
    char sql[768];
    int set = open_sets[i].set, rc;
    snprintf(sql, sizeof sql,
             "INSERT INTO temp.cx_rank(idx, rank) SELECT s.idx, CASE WHEN s.idx < %d THEN 0 ELSE u.r END "
             "FROM cx_sets s LEFT JOIN (SELECT name, min(r) AS r FROM (%s) WHERE name IS NOT NULL GROUP BY name) u "
             "ON u.name = s.name WHERE s.set_id = %d",
             open_sets[i].builtin, open_sets[i].uses, set);
    if ((rc = db_exec(d, "DELETE FROM temp.cx_rank", "cannot renumber names")) ||
        (rc = db_exec(d, sql, "cannot rank names")))
        return rc;
    snprintf(sql, sizeof sql,
             "DELETE FROM cx_sets WHERE set_id = %d AND idx IN (SELECT idx FROM temp.cx_rank WHERE rank IS NULL)", set);
    if ((rc = db_exec(d, sql, "cannot erase names")))
        return rc;
    sqlite3_stmt *order, *move;
    if (sqlite3_prepare_v2(d->h, "SELECT idx FROM temp.cx_rank WHERE rank IS NOT NULL ORDER BY rank, idx", -1, &order,
                           NULL) != SQLITE_OK)
        return db_fail(d, "cannot renumber names");
    if (sqlite3_prepare_v2(d->h, "UPDATE cx_sets SET idx = ?1 WHERE set_id = ?2 AND idx = ?3", -1, &move, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(order);
        return db_fail(d, "cannot renumber names");
    }
    /* to negative numbers first, so that no two names ever share one */
    int64_t pos = 0;
    int step;
    while (rc == CX_OK && (step = sqlite3_step(order)) == SQLITE_ROW) {
        sqlite3_reset(move);
        sqlite3_bind_int64(move, 1, -1 - pos++);
        sqlite3_bind_int(move, 2, set);
        sqlite3_bind_int64(move, 3, sqlite3_column_int64(order, 0));
        if (sqlite3_step(move) != SQLITE_DONE)
            rc = db_fail(d, "cannot renumber names");
    }
    if (rc == CX_OK && step != SQLITE_DONE)
        rc = db_fail(d, "cannot renumber names");
    sqlite3_finalize(order);
    sqlite3_finalize(move);
    snprintf(sql, sizeof sql, "UPDATE cx_sets SET idx = -1 - idx WHERE set_id = %d AND idx < 0", set);
    return rc ? rc : db_exec(d, sql, "cannot renumber names");
}

/* The forgotten ids, checked: all must be in the file. */
static int forget_ids(db *d, size_t n, const char *const *ids)
{
    sqlite3_stmt *find, *add;
    if (sqlite3_prepare_v2(d->h, "SELECT 1 FROM customers WHERE id=?", -1, &find, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read customers");
    if (sqlite3_prepare_v2(d->h, "INSERT OR IGNORE INTO temp.cx_forget VALUES(?)", -1, &add, NULL) != SQLITE_OK) {
        sqlite3_finalize(find);
        return db_fail(d, "cannot erase");
    }
    int rc = CX_OK;
    for (size_t i = 0; i < n && rc == CX_OK; i++) {
        char qb[80];
        sqlite3_reset(find);
        sqlite3_bind_text(find, 1, ids[i], -1, SQLITE_STATIC);
        int step = sqlite3_step(find);
        if (step == SQLITE_DONE)
            rc = cxi_fail(CX_ENOTFOUND, "%s: %s: ids[%zu]: no customer '%s' in the file: nothing was erased", d->fn,
                          d->path, i, cxi_quote(qb, ids[i]));
        else if (step != SQLITE_ROW)
            rc = db_fail(d, "cannot read customers");
        sqlite3_reset(add);
        sqlite3_bind_text(add, 1, ids[i], -1, SQLITE_STATIC);
        if (rc == CX_OK && sqlite3_step(add) != SQLITE_DONE)
            rc = db_fail(d, "cannot erase");
    }
    sqlite3_finalize(find);
    sqlite3_finalize(add);
    return rc;
}

/* Leaves no copy of deleted content in the file or its log: the log is
 * copied into the file and truncated, the file rebuilt without its free
 * pages, and the log of that truncated again. */
static int scrub(db *d)
{
    static const char *const steps[] = {"PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"};
    for (size_t i = 0; i < 3; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(d->h, steps[i], -1, &st, NULL) != SQLITE_OK)
            return db_fail(d, steps[i]);
        int step = sqlite3_step(st);
        /* a checkpoint gives (busy, log frames, checkpointed frames) */
        bool busy = step == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
        if (step == SQLITE_ROW)
            step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (busy)
            return cxi_fail(CX_EIO, "%s: %s: %s: another connection is using the file", d->fn, d->path, steps[i]);
        if (step != SQLITE_DONE)
            return db_fail(d, steps[i]);
    }
    return CX_OK;
}

int cx_db_forget(size_t *out_rows, const char *path, size_t n, const char *const *ids)
{
    static const char fn[] = "cx_db_forget";
    if (out_rows)
        *out_rows = 0;
    if (!path || (n > 0 && !ids))
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    for (size_t i = 0; i < n; i++)
        if (!ids[i])
            return cxi_fail(CX_EINVAL, "%s: ids[%zu] is NULL", fn, i);
    db d;
    int rc = db_open(&d, fn, path, DB_MODIFY);
    /* deleted content is overwritten with zeros, and no temporary table
     * holding ids goes to a file */
    if (!rc)
        rc = db_exec(&d, "PRAGMA secure_delete=ON; PRAGMA temp_store=MEMORY", "cannot set secure_delete");
    if (!rc)
        rc = begin_write(&d, true);
    if (rc) {
        db_close(&d);
        return rc;
    }
    size_t removed = 0;
    static const int tables[] = {CX_TABLE_INTERACTIONS, CX_TABLE_CASES, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS,
                                 CX_TABLE_CUSTOMERS};
    rc = db_exec(&d,
                 "CREATE TEMP TABLE cx_forget(id TEXT PRIMARY KEY); CREATE TEMP TABLE cx_gone(k INTEGER PRIMARY KEY);"
                 "CREATE TEMP TABLE cx_rank(idx INTEGER PRIMARY KEY, rank INTEGER)",
                 "cannot erase");
    if (!rc)
        rc = forget_ids(&d, n, ids);
    /* the events first: they name their customers by id */
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == CX_OK && n > 0; i++)
        rc = forget_rows(&d, tables[i], &removed);
    for (size_t i = 0; i < sizeof open_sets / sizeof open_sets[0] && rc == CX_OK && n > 0; i++)
        rc = forget_set(&d, i);
    if (!rc)
        rc = db_exec(&d, "DROP TABLE temp.cx_forget; DROP TABLE temp.cx_gone; DROP TABLE temp.cx_rank", "cannot erase");
    if (!rc)
        rc = db_exec(&d, "COMMIT", "cannot commit");
    if (rc) {
        rc = db_rollback(&d, rc);
        db_close(&d);
        return rc;
    }
    if (out_rows)
        *out_rows = removed;
    if ((rc = scrub(&d)))
        rc = cxi_fail(rc, "%s: %s: %s, which failed: %s; call cx_db_forget(NULL, path, 0, NULL) when no other "
                      "connection uses the file", fn, path,
                      n > 0 ? "the customers were erased, but copies of their data may remain in the file until it "
                              "is cleaned"
                            : "the file was not cleaned",
                      cx_last_error());
    db_close(&d);
    return rc;
}

/* ---- streaming import -------------------------------------------------- */

#define STREAM_CHUNK 65536

/* A streaming import holds the keyed tables (customers, touchpoints, cases,
 * questions) whole, and of the table of events it imports only the rows
 * read since the last chunk was written. An event of the file that a row
 * of the CSV file names by id (with the option CX_EXISTING_SKIP or
 * CX_EXISTING_UPDATE) is brought into the chunk for that row alone: the
 * importer then skips or puts the row exactly as it does in memory, with
 * the same checks and counts, and the event goes back to its row of the
 * file (rewritten if the put changed it) before the next row is read. */
typedef struct stream {
    db *d;
    size_t first;   /* store row of the first row not yet written */
    size_t db_rows; /* rows of the table in the file */
    uint32_t comments;
    size_t customers;    /* customers in the file: more are added by create_customers */
    loader *load;        /* brings rows of the file into the store */
    sqlite3_stmt *link;  /* feedback: SELECT customer FROM interactions WHERE id=? */
    sqlite3_stmt *find;  /* events with ids: a row of the file by id */
    sqlite3_stmt *refer; /* a row of the file referring to a record that changes */
    rowwriter update;    /* rewrites a row of the file from the store */
    /* the event of the file brought in for the current row */
    bool fault;
    size_t fault_at;         /* its row in the store (the chunk's last) */
    int64_t fault_row;       /* its row in the file */
    uint32_t fault_comments; /* feedback: the comments before it */
    size_t fault_undo;       /* the store's undo log before it */
    uint64_t fault_updated;  /* the report's updated count before the row */
} stream;

static bool is_event_table(int table)
{
    return table == CX_TABLE_INTERACTIONS || table == CX_TABLE_CASES || table == CX_TABLE_FEEDBACK ||
           table == CX_TABLE_TRANSACTIONS;
}

/* The row's text for a column, NULL when the file lacks the column or the
 * value; "" counts as missing too (no id, customer or name is empty). */
static const char *field_text(const cxi_import *im, char *const *fields, int col)
{
    int f = im->layout.field_of_col[col];
    return f < 0 || !fields[f] || !fields[f][0] ? NULL : fields[f];
}

/* Puts the event brought in for the last row back where it belongs: the
 * file's row is rewritten when the row updated it, and it leaves the chunk
 * (with its id, comment, dirty mark and undo entries). */
static int resolve_fault(cxi_import *im)
{
    stream *st = im->flush_ctx;
    if (!st->fault)
        return CX_OK;
    st->fault = false;
    cx_store *s = im->store;
    int table = im->layout.table, rc = CX_OK;
    if (im->report->updated > st->fault_updated) {
        if (!st->update.st)
            rc = rowwriter_open(&st->update, st->d, s, table, RW_UPDATE);
        for (size_t c = 0; c < st->update.ncols && rc == CX_OK; c++) /* the chunk's columns may have moved */
            bcol_init(&st->update.cols[c], s, table, (int)c);
        if (rc == CX_OK)
            rc = rowwriter_put(&st->update, st->d, st->fault_at, (size_t)st->fault_row);
    }
    cxi_store_truncate_rows(s, table, st->fault_at);
    if (table == CX_TABLE_FEEDBACK)
        cxi_store_truncate_comments(s, st->fault_comments);
    if (st->fault_at / 64 < s->dirty_cap[table])
        s->dirty[table][st->fault_at / 64] &= ~((uint64_t)1 << (st->fault_at % 64));
    if (s->undo && s->undo->n > st->fault_undo)
        s->undo->n = st->fault_undo; /* the file's transaction undoes the file */
    return rc;
}

/* Writes the rows imported since the last flush, and rewrites the saved
 * rows of a keyed table that updates changed; event rows then leave
 * memory, so only keys and one chunk are ever held. */
static int stream_flush(cxi_import *im, bool final)
{
    stream *st = im->flush_ctx;
    cx_store *s = im->store;
    int table = im->layout.table;
    int rc = resolve_fault(im);
    size_t n, ncust;
    cx_store_rows(&n, s, table);
    cx_store_rows(&ncust, s, CX_TABLE_CUSTOMERS);
    if (!rc)
        rc = save_sets(st->d, s);
    if (!rc && table != CX_TABLE_CUSTOMERS && ncust > st->customers) {
        /* customers added by create_customers for this chunk's rows: the
         * store holds every customer of the file, in the file's order, so a
         * customer's row in the store is its row in the file */
        rc = insert_rows(st->d, s, CX_TABLE_CUSTOMERS, st->customers, ncust, st->customers);
        if (!rc)
            rc = set_count(st->d, table_sql_name(CX_TABLE_CUSTOMERS), ncust);
        if (!rc)
            st->customers = ncust;
    }
    bool keyed = table == CX_TABLE_CASES || !is_event_table(table);
    if (!rc && keyed) /* the store's rows below `first` are the file's rows */
        rc = rewrite_dirty(st->d, s, table, st->first);
    if (!rc)
        rc = insert_rows(st->d, s, table, st->first, n, st->db_rows);
    if (rc)
        return rc;
    if (s->dirty[table]) /* every row written is now as the file holds it */
        memset(s->dirty[table], 0, s->dirty_cap[table] * sizeof(uint64_t));
    st->db_rows += n - st->first;
    if (keyed) {
        st->first = n; /* keys stay: later rows are checked against them */
    } else {
        cxi_store_truncate_rows(s, table, st->first);
        if (table == CX_TABLE_FEEDBACK)
            cxi_store_truncate_comments(s, st->comments);
    }
    im->since_flush = 0;
    if (final) {
        rc = set_count(st->d, table_sql_name(table), st->db_rows);
        if (!rc && table == CX_TABLE_CUSTOMERS)
            rc = save_attributes(st->d, s);
    }
    return rc;
}

/* Feedback linked to an interaction: the interaction is in the file, and
 * is the same customer's. */
static int stream_check_link(cxi_import *im, char *const *fields, int *column)
{
    stream *st = im->flush_ctx;
    char qb[80];
    const char *id = field_text(im, fields, CX_FEEDBACK_INTERACTION);
    const char *customer = field_text(im, fields, CX_FEEDBACK_CUSTOMER);
    if (!id)
        return CX_OK;
    sqlite3_reset(st->link);
    sqlite3_bind_text(st->link, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st->link);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_fail(st->d, "cannot read interactions");
    *column = im->layout.field_of_col[CX_FEEDBACK_INTERACTION] + 1;
    if (step == SQLITE_DONE)
        return cxi_set_error_field("interaction",
                                   cxi_fail(CX_ENOTFOUND, "no interaction '%s' in %s", cxi_quote(qb, id), st->d->path));
    const char *owner = (const char *)sqlite3_column_text(st->link, 0);
    if (!owner || !customer || strcmp(owner, customer) != 0)
        return cxi_fail(CX_EINVAL, "interaction '%s' belongs to another customer", cxi_quote(qb, id));
    *column = 0;
    return CX_OK;
}

/* Runs st->refer (the first record of the file referring to `id`): *found
 * says whether there is one, its row then in st->refer; CX_OK, or the
 * failure of the read (`what` names what was read). */
static int find_referrer(stream *st, const char *id, const char *what, bool *found)
{
    sqlite3_reset(st->refer);
    sqlite3_bind_text(st->refer, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st->refer);
    *found = step == SQLITE_ROW;
    return step == SQLITE_ROW || step == SQLITE_DONE ? CX_OK : db_fail(st->d, what);
}

/* An interaction of the file that the row moves to another customer: no
 * feedback in the file may rate it (the store's put refuses the same). */
static int stream_check_move(cxi_import *im, char *const *fields, const char *id, int *column)
{
    stream *st = im->flush_ctx;
    const char *customer = field_text(im, fields, CX_INTERACTION_CUSTOMER);
    const char *was = (const char *)sqlite3_column_text(st->find, 1 + CX_INTERACTION_CUSTOMER);
    if (!customer || !was || strcmp(customer, was) == 0)
        return CX_OK;
    bool found;
    int rc = find_referrer(st, id, "cannot read feedback", &found);
    if (rc || !found)
        return rc;
    char qb[80], qb2[80];
    *column = im->layout.field_of_col[CX_INTERACTION_CUSTOMER] + 1;
    return cxi_set_error_field("customer", cxi_fail(CX_EINVAL,
                                                    "interaction '%s' cannot move to customer '%s': feedback row %lld "
                                                    "of %s rates it",
                                                    cxi_quote(qb, id), cxi_quote(qb2, customer),
                                                    (long long)sqlite3_column_int64(st->refer, 0), st->d->path));
}

/* A row of interactions, feedback or transactions whose id the file holds
 * already (and this chunk does not): refused as a duplicate, or the file's
 * event is brought into the chunk for the importer to skip or put. */
/* Runs st->find for event id `id` in the file: *found says whether it is
 * there, its row then in st->find; CX_OK, or the failure of the read. */
static int find_in_file(stream *st, const char *id, bool *found)
{
    sqlite3_reset(st->find);
    sqlite3_bind_text(st->find, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st->find);
    *found = step == SQLITE_ROW;
    return step == SQLITE_ROW || step == SQLITE_DONE ? CX_OK : db_fail(st->d, "cannot look up an id");
}

/* Whether the row's event id is stored already: in this chunk (the store)
 * or in the file. */
static int stream_event_exists(cxi_import *im, char *const *fields, bool *exists)
{
    stream *st = im->flush_ctx;
    int table = im->layout.table;
    const char *id = field_text(im, fields, event_id_column(table));
    *exists = false;
    if (!id)
        return CX_OK;
    if (cxi_event_find(im->store, table, id, strlen(id)) != CXI_NONE) {
        *exists = true;
        return CX_OK;
    }
    return find_in_file(st, id, exists);
}

static int stream_check_event(cxi_import *im, char *const *fields, int *column)
{
    stream *st = im->flush_ctx;
    cx_store *s = im->store;
    int table = im->layout.table;
    const char *id = field_text(im, fields, event_id_column(table));
    if (!id || cxi_event_find(s, table, id, strlen(id)) != CXI_NONE)
        return CX_OK; /* no id, or one of this chunk: the store knows it */
    bool found;
    int rc = find_in_file(st, id, &found);
    if (rc || !found)
        return rc;
    int64_t row = sqlite3_column_int64(st->find, 0);
    char qb[80];
    static const char *const what[CX_TABLE_COUNT] = {[CX_TABLE_INTERACTIONS] = "interaction",
                                                     [CX_TABLE_FEEDBACK] = "feedback",
                                                     [CX_TABLE_TRANSACTIONS] = "transaction"};
    if (im->existing == CX_EXISTING_REJECT) {
        *column = 0; /* a duplicate is the row's fault, not one field's */
        return cxi_set_error_field("id", cxi_fail(CX_EEXISTS, "%s '%s' already exists: row %lld of %s in %s",
                                                  what[table], cxi_quote(qb, id), (long long)row,
                                                  table_sql_name(table), st->d->path));
    }
    if (im->existing == CX_EXISTING_UPDATE && table == CX_TABLE_INTERACTIONS &&
        (rc = stream_check_move(im, fields, id, column)))
        return rc;
    st->fault_at = s->t[table].n;
    st->fault_row = row;
    st->fault_comments = s->comments.count;
    st->fault_undo = s->undo ? s->undo->n : 0;
    if ((rc = loader_row(st->load, st->find, table, row, false)))
        /* the file's own row does not load: the file is at fault, not the row */
        return cxi_fail(rc == CX_EPARSE ? CX_EIO : rc, "%s", cx_last_error());
    st->fault = true;
    st->fault_updated = im->report->updated;
    return CX_OK;
}

/* A case of the file that the row moves to another customer: no
 * interaction or feedback in the file may refer to it. */
static int stream_check_case(cxi_import *im, char *const *fields, int *column)
{
    stream *st = im->flush_ctx;
    cx_store *s = im->store;
    const char *id = field_text(im, fields, CX_CASE_ID), *customer = field_text(im, fields, CX_CASE_CUSTOMER);
    uint32_t row = id ? cxi_pool_find(&s->keys[CX_TABLE_CASES], id, strlen(id)) : CXI_NONE;
    if (row == CXI_NONE || !customer ||
        strcmp(cxi_customer_id(s, CXI_COL(s, CX_TABLE_CASES, CA_CUSTOMER, uint32_t)[row]), customer) == 0)
        return CX_OK;
    bool found;
    int rc = find_referrer(st, id, "cannot read interactions and feedback", &found);
    if (rc || !found)
        return rc;
    char qb[80], qb2[80];
    *column = im->layout.field_of_col[CX_CASE_CUSTOMER] + 1;
    return cxi_set_error_field("customer",
                               cxi_fail(CX_EINVAL, "case '%s' cannot move to customer '%s': %s row %lld of %s refers "
                                        "to it",
                                        cxi_quote(qb, id), cxi_quote(qb2, customer),
                                        (const char *)sqlite3_column_text(st->refer, 0),
                                        (long long)sqlite3_column_int64(st->refer, 1), st->d->path));
}

/* A number of the row, as the importer reads it; false when it is not one
 * (the importer then refuses the row itself). */
static bool field_real(const cxi_import *im, char *const *fields, int col, double *out)
{
    const char *t = field_text(im, fields, col);
    *out = 0.0;
    if (!t)
        return true;
    char *end;
    *out = cxi_strtod(t, &end);
    return end != t && !*end;
}

/* A question of the file whose metric or scale the row changes: every
 * answer in the file must fit the new ones. */
static int stream_check_question(cxi_import *im, char *const *fields, int *column)
{
    static const char *const metrics[] = {"nps", "csat", "ces", "custom"};
    stream *st = im->flush_ctx;
    cx_store *s = im->store;
    const char *name = field_text(im, fields, CX_QUESTION_NAME), *metric = field_text(im, fields, CX_QUESTION_METRIC);
    double lo, hi;
    int m = -1;
    for (int i = 0; metric && i < 4; i++)
        if (strcmp(metric, metrics[i]) == 0)
            m = i;
    if (!name || cxi_pool_find(&s->keys[CX_TABLE_QUESTIONS], name, strlen(name)) == CXI_NONE || m < 0 ||
        !field_real(im, fields, CX_QUESTION_SCALE_MIN, &lo) || !field_real(im, fields, CX_QUESTION_SCALE_MAX, &hi))
        return CX_OK;
    sqlite3_reset(st->refer);
    sqlite3_bind_text(st->refer, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_double(st->refer, 2, lo);
    sqlite3_bind_double(st->refer, 3, hi);
    sqlite3_bind_int(st->refer, 4, m == CX_METRIC_NPS);
    int step = sqlite3_step(st->refer);
    if (step == SQLITE_DONE)
        return CX_OK;
    if (step != SQLITE_ROW)
        return db_fail(st->d, "cannot read feedback");
    char qb[80];
    *column = im->layout.field_of_col[CX_QUESTION_SCALE_MIN] + 1;
    return cxi_set_error_field("scale_min",
                               cxi_fail(CX_ERANGE, "question '%s': the answer %g of feedback row %lld in %s does not "
                                        "fit the new metric and scale",
                                        cxi_quote(qb, name), sqlite3_column_double(st->refer, 1),
                                        (long long)sqlite3_column_int64(st->refer, 0), st->d->path));
}

/* The checks of a row that need the file (the importer's own come after). */
static int stream_check_row(cxi_import *im, char *const *fields, int nfields, int *column)
{
    int rc = resolve_fault(im);
    if (rc || nfields != im->layout.nfields) /* a short row: the importer refuses it */
        return rc;
    switch (im->layout.table) {
    case CX_TABLE_FEEDBACK: {
        /* a row kept as it is (CX_EXISTING_SKIP) is not checked, as an
         * import into a store does not check it either */
        bool exists = false;
        if (im->existing == CX_EXISTING_SKIP && (rc = stream_event_exists(im, fields, &exists)))
            return rc;
        if (!exists && (rc = stream_check_link(im, fields, column)))
            return rc;
        return stream_check_event(im, fields, column);
    }
    case CX_TABLE_INTERACTIONS:
    case CX_TABLE_TRANSACTIONS:
        return stream_check_event(im, fields, column);
    case CX_TABLE_CASES:
        return im->existing == CX_EXISTING_UPDATE ? stream_check_case(im, fields, column) : CX_OK;
    case CX_TABLE_QUESTIONS:
        return im->existing == CX_EXISTING_UPDATE ? stream_check_question(im, fields, column) : CX_OK;
    default:
        return CX_OK;
    }
}

/* The statements a streaming import of `table` needs. */
static int stream_prepare(stream *st, int table, int existing)
{
    db *d = st->d;
    char sql[640];
    const char *refer = NULL;
    if (table == CX_TABLE_FEEDBACK &&
        sqlite3_prepare_v2(d->h, "SELECT customer FROM interactions WHERE id=?", -1, &st->link, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read interactions");
    if (event_id_column(table) >= 0) {
        select_sql(sql, sizeof sql, table, "WHERE id=?1");
        if (sqlite3_prepare_v2(d->h, sql, -1, &st->find, NULL) != SQLITE_OK)
            return db_fail(d, "cannot look up ids");
    }
    if (existing == CX_EXISTING_UPDATE && table == CX_TABLE_INTERACTIONS)
        refer = "SELECT row FROM feedback WHERE interaction=?1 LIMIT 1";
    else if (existing == CX_EXISTING_UPDATE && table == CX_TABLE_CASES)
        refer = "SELECT 'interactions', row FROM interactions WHERE \"case\"=?1 UNION ALL "
                "SELECT 'feedback', row FROM feedback WHERE \"case\"=?1 LIMIT 1";
    else if (existing == CX_EXISTING_UPDATE && table == CX_TABLE_QUESTIONS)
        refer = "SELECT row, score FROM feedback WHERE question=?1 AND (score < ?2 OR score > ?3 OR "
                "(?4 AND score <> round(score))) LIMIT 1";
    if (refer && sqlite3_prepare_v2(d->h, refer, -1, &st->refer, NULL) != SQLITE_OK)
        return db_fail(d, "cannot prepare a check");
    return CX_OK;
}

static void stream_finish(stream *st)
{
    sqlite3_finalize(st->link);
    sqlite3_finalize(st->find);
    sqlite3_finalize(st->refer);
    rowwriter_close(&st->update);
    loader_free(st->load);
}

int cx_db_import_csv(cx_import_report **out, const char *db_path, cx_table table, const char *csv_path,
                     const cx_import_options *options)
{
    static const char fn[] = "cx_db_import_csv";
    if (!out || !db_path || !csv_path)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    *out = NULL;
    if (table < 0 || table >= CX_TABLE_COUNT)
        return cxi_fail(CX_EINVAL, "%s: no table %d", fn, table);
    int existing = options ? options->existing : CX_EXISTING_REJECT;
    db d;
    stream st;
    memset(&st, 0, sizeof st);
    st.d = &d;
    cx_store *s = NULL;
    int rc = db_open(&d, fn, db_path, DB_WRITE);
    if (!rc)
        rc = begin_write(&d, false);
    /* the records rows refer to: names and keyed tables, not events; in a
     * store of the options' allocator, the only one the caller gave */
    if (!rc && (options ? cx_store_new_with_allocator(&s, options->mem.fn, options->mem.ud) : cx_store_new(&s)) != CX_OK)
        rc = cxi_fail(CX_ENOMEM, "%s: %s: out of memory for the records rows refer to", fn, db_path);
    if (!rc)
        rc = loader_new(&st.load, &d, s);
    if (!rc)
        rc = load_sets(&d, s);
    static const int keyed[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_QUESTIONS};
    for (size_t i = 0; i < 4 && !rc; i++)
        rc = load_table(&d, st.load, keyed[i]);
    /* rows that update customers compare and replace their attributes */
    if (!rc && table == CX_TABLE_CUSTOMERS && existing == CX_EXISTING_UPDATE)
        rc = load_attributes(&d, s);
    if (!rc) {
        clear_dirty(s);
        int64_t have = saved_count(&d, table_sql_name(table));
        if (have < 0)
            rc = db_fail(&d, "cannot read");
        st.db_rows = (size_t)have;
        cx_store_rows(&st.first, s, table);
        cx_store_rows(&st.customers, s, CX_TABLE_CUSTOMERS);
        /* a keyed table's rows are the file's, and those the file lacks
         * (the built-in questions of a new file) are written like new ones */
        if ((table == CX_TABLE_CASES || !is_event_table(table)) && st.db_rows < st.first)
            st.first = st.db_rows;
    }
    if (!rc && table == CX_TABLE_FEEDBACK)
        s->external_interactions = true;
    if (!rc)
        rc = stream_prepare(&st, table, existing);
    cxi_import im;
    if (!rc && !(rc = cxi_import_begin(&im, fn, out, s, table, csv_path, options))) {
        im.flush = stream_flush;
        im.flush_ctx = &st;
        im.chunk_rows = STREAM_CHUNK;
        im.check_row = stream_check_row;
        rc = cxi_import_csv_run(&im);
        rc = cxi_import_end(&im, out, rc);
    }
    stream_finish(&st);
    if (rc == CX_OK && (rc = db_exec(&d, "COMMIT", "cannot commit"))) {
        cx_import_report_free(*out);
        *out = NULL;
    }
    if (rc != CX_OK && d.h)
        rc = db_rollback(&d, rc);
    db_close(&d);
    cx_store_free(s);
    return rc;
}
