/*
 * SQLite persistence. Each table of the store maps to a SQL table with the
 * same column names plus `row`, its position; named sets are saved in order
 * so that codes read back the same. A save appends the rows added since the
 * last one, in one transaction; a load reads rows back through the store's
 * own add functions, so a file edited by hand is checked like any input.
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

/* migrations[v] upgrades a file from version v to v + 1. */
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
    /* 1 -> 2: the source system's ids of events; feedback links to the id
     * of its interaction instead of its row (the linked interactions of a
     * version 1 file get the id 'row-N' from their row N) */
    "ALTER TABLE interactions ADD COLUMN id TEXT;"
    "CREATE UNIQUE INDEX interactions_id ON interactions(id);"
    "ALTER TABLE feedback ADD COLUMN id TEXT;"
    "CREATE UNIQUE INDEX feedback_id ON feedback(id);"
    "ALTER TABLE transactions ADD COLUMN id TEXT;"
    "CREATE UNIQUE INDEX transactions_id ON transactions(id);"
    "UPDATE interactions SET id = 'row-' || row WHERE row IN (SELECT interaction FROM feedback);"
    "ALTER TABLE feedback RENAME COLUMN interaction TO interaction_row;"
    "ALTER TABLE feedback ADD COLUMN interaction TEXT;"
    "UPDATE feedback SET interaction = 'row-' || interaction_row WHERE interaction_row IS NOT NULL;"
    "ALTER TABLE feedback DROP COLUMN interaction_row;",
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

enum { DB_READ, DB_WRITE };

/* A connection of our own per call: the store keeps no database state. */
static int db_open(db *d, const char *fn, const char *path, int mode)
{
    d->fn = fn;
    d->path = path;
    d->h = NULL;
    int flags = (mode == DB_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK)
        return db_fail(d, "cannot open the database");
    sqlite3_busy_timeout(d->h, 5000);
    if (mode == DB_WRITE && sqlite3_exec(d->h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(d, "cannot set WAL mode");
    return CX_OK;
}

static void db_close(db *d)
{
    sqlite3_close(d->h);
    d->h = NULL;
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

/* ---- values ------------------------------------------------------------ */

static const char *table_sql_name(int table)
{
    const char *n;
    cx_table_name(&n, table);
    return n;
}

/* Binds one cell of the store to parameter `p`. */
static int bind_cell(sqlite3_stmt *st, int p, const cx_store *s, int table, int col, size_t row)
{
    int type, rc;
    cx_column_type(&type, table, col);
    switch (type) {
    case CX_TYPE_STRING: {
        const char *v;
        if ((rc = cx_store_get_string(&v, s, table, col, row)))
            return rc;
        return (v ? sqlite3_bind_text(st, p, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, p)) == SQLITE_OK
                   ? CX_OK
                   : CX_EIO;
    }
    case CX_TYPE_INT:
    case CX_TYPE_TIME: {
        int64_t v;
        if ((rc = cx_store_get_int(&v, s, table, col, row)))
            return rc;
        bool missing = (type == CX_TYPE_TIME && v == CX_TIME_NONE) ||
                       (table == CX_TABLE_FEEDBACK && col == CX_FEEDBACK_INTERACTION && v < 0);
        return (missing ? sqlite3_bind_null(st, p) : sqlite3_bind_int64(st, p, v)) == SQLITE_OK ? CX_OK : CX_EIO;
    }
    default: {
        double v;
        if ((rc = cx_store_get_real(&v, s, table, col, row)))
            return rc;
        return sqlite3_bind_double(st, p, v) == SQLITE_OK ? CX_OK : CX_EIO;
    }
    }
}

/* A column of the store read directly for binding: the same values as
 * bind_cell gets through the public getters, without their checks. */
typedef struct bcol {
    cxi_colsrc cs;
    const void *data;     /* the internal column (NULL for the key) */
    const cxi_pool *pool; /* the strings codes index */
    const uint32_t *link; /* SRC_LINK: the id column of the rows it holds; NULL when it holds ids */
    bool null_negative;   /* feedback.interaction: none is -1 */
} bcol;

static void bcol_init(bcol *b, const cx_store *s, int table, int col)
{
    cxi_column_source(&b->cs, table, col);
    b->data = b->cs.icol >= 0 ? s->t[table].cols[b->cs.icol].data : NULL;
    switch (b->cs.src) {
    case SRC_ID: b->pool = &s->keys[table]; break;
    case SRC_SET: b->pool = &s->sets[b->cs.aux]; break;
    case SRC_REF: b->pool = &s->keys[b->cs.aux]; break;
    case SRC_TEXT: b->pool = &s->comments; break;
    case SRC_EID: b->pool = &s->keys[table]; break;
    case SRC_LINK: b->pool = &s->keys[b->cs.aux]; break;
    default: b->pool = NULL; break;
    }
    b->link = b->cs.src == SRC_LINK && !s->external_interactions
                  ? CXI_COL(s, b->cs.aux, cxi_id_col(b->cs.aux), uint32_t)
                  : NULL;
    b->null_negative = table == CX_TABLE_FEEDBACK && col == CX_FEEDBACK_INTERACTION;
}

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
        v = b->cs.src == SRC_ID ? (uint32_t)row : ((const uint32_t *)b->data)[row];
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
        case SRC_SET:
        case SRC_REF: {
            uint32_t u = ((const uint32_t *)b->data)[row];
            v = u == CXI_NONE ? -1 : (int64_t)u;
            break;
        }
        case SRC_ENUM:
        case SRC_U8: v = ((const uint8_t *)b->data)[row]; break;
        case SRC_I32: v = ((const int32_t *)b->data)[row]; break;
        default: v = ((const int64_t *)b->data)[row]; break;
        }
        bool missing = (b->cs.type == CX_TYPE_TIME && v == CX_TIME_NONE) || (b->null_negative && v < 0);
        rc = missing ? sqlite3_bind_null(st, p) : sqlite3_bind_int64(st, p, v);
        break;
    }
    default:
        rc = sqlite3_bind_double(st, p, ((const double *)b->data)[row]);
        break;
    }
    return rc == SQLITE_OK ? CX_OK : CX_EIO;
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

static int save_sets(db *d, const cx_store *s)
{
    sqlite3_stmt *ins, *last;
    if (sqlite3_prepare_v2(d->h, "INSERT INTO cx_sets VALUES(?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
        return db_fail(d, "cannot write");
    if (sqlite3_prepare_v2(d->h, "SELECT count(*), max(idx) FROM cx_sets WHERE set_id=?", -1, &last, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(ins);
        return db_fail(d, "cannot read");
    }
    int rc = CX_OK;
    for (int set = 0; set < CX_VOCAB_COUNT && rc == CX_OK; set++) {
        size_t n;
        cx_vocab_count(&n, s, set);
        sqlite3_reset(last);
        sqlite3_bind_int(last, 1, set);
        if (sqlite3_step(last) != SQLITE_ROW) {
            rc = db_fail(d, "cannot read");
            break;
        }
        size_t have = (size_t)sqlite3_column_int64(last, 0);
        if (have > n) {
            rc = cxi_fail(CX_EINVAL, "%s: %s: the file holds names this store does not: it is another store's file",
                          d->fn, d->path);
            break;
        }
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
    sqlite3_finalize(last);
    return rc;
}

/* Is the last saved row the store's row too? Compares the first column (an
 * id or a customer) and, for tables of events, the time. */
static int check_prefix(db *d, const cx_store *s, int table, size_t have)
{
    if (have == 0)
        return CX_OK;
    const char *c0;
    cx_column_name(&c0, table, 0);
    int tcol = table == CX_TABLE_INTERACTIONS ? CX_INTERACTION_TIME
               : table == CX_TABLE_FEEDBACK   ? CX_FEEDBACK_TIME
               : table == CX_TABLE_TRANSACTIONS ? CX_TRANSACTION_TIME
                                                 : -1;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT \"%s\", %s FROM %s WHERE row=?", c0, tcol >= 0 ? "time" : "NULL",
             table_sql_name(table));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(have - 1));
    bool same = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *mine;
        cx_store_get_string(&mine, s, table, 0, have - 1);
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
    const char *tbl = table_sql_name(table);
    size_t ncols;
    cx_column_count(&ncols, table);
    char sql[512];
    int len = snprintf(sql, sizeof sql, "INSERT INTO %s(row", tbl);
    for (size_t c = 0; c < ncols; c++) {
        const char *name;
        cx_column_name(&name, table, (int)c);
        len += snprintf(sql + len, sizeof sql - (size_t)len, ",\"%s\"", name);
    }
    len += snprintf(sql + len, sizeof sql - (size_t)len, ") VALUES(?");
    for (size_t c = 0; c < ncols; c++)
        len += snprintf(sql + len, sizeof sql - (size_t)len, ",?");
    snprintf(sql + len, sizeof sql - (size_t)len, ")");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot prepare an insert");
    int rc = CX_OK;
    bcol cols[16];
    for (size_t c = 0; c < ncols; c++)
        bcol_init(&cols[c], s, table, (int)c);
    for (size_t r = from; r < to && rc == CX_OK; r++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)(db_first + (r - from)));
        for (size_t c = 0; c < ncols && rc == CX_OK; c++)
            rc = bind_direct(st, (int)c + 2, &cols[c], r);
        if (rc == CX_OK && sqlite3_step(st) != SQLITE_DONE)
            rc = db_fail(d, "cannot insert");
        else if (rc == CX_EIO)
            rc = db_fail(d, "cannot bind a value");
    }
    sqlite3_finalize(st);
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
    if (rc)
        return rc;
    rc = insert_rows(d, s, table, (size_t)have, n, (size_t)have);
    if (rc == CX_OK && table == CX_TABLE_CASES && have > 0) {
        /* cases change after they are saved: rewrite the changed ones */
        sqlite3_stmt *sel, *upd;
        if (sqlite3_prepare_v2(d->h, "SELECT row, first_response, resolved, reopens, contacts FROM cases WHERE row < ?",
                               -1, &sel, NULL) != SQLITE_OK)
            return db_fail(d, "cannot read cases");
        if (sqlite3_prepare_v2(d->h,
                               "UPDATE cases SET first_response=?, resolved=?, reopens=?, contacts=? WHERE row=?", -1,
                               &upd, NULL) != SQLITE_OK) {
            sqlite3_finalize(sel);
            return db_fail(d, "cannot update cases");
        }
        sqlite3_bind_int64(sel, 1, have);
        static const int cols[4] = {CX_CASE_FIRST_RESPONSE, CX_CASE_RESOLVED, CX_CASE_REOPENS, CX_CASE_CONTACTS};
        while (rc == CX_OK && sqlite3_step(sel) == SQLITE_ROW) {
            size_t r = (size_t)sqlite3_column_int64(sel, 0);
            bool changed = false;
            for (int k = 0; k < 4; k++) {
                int64_t mine;
                cx_store_get_int(&mine, s, table, cols[k], r);
                bool null = sqlite3_column_type(sel, k + 1) == SQLITE_NULL;
                int64_t theirs = null ? CX_TIME_NONE : sqlite3_column_int64(sel, k + 1);
                changed |= mine != theirs;
            }
            if (!changed)
                continue;
            sqlite3_reset(upd);
            for (int k = 0; k < 4 && rc == CX_OK; k++)
                rc = bind_cell(upd, k + 1, s, table, cols[k], r);
            sqlite3_bind_int64(upd, 5, (sqlite3_int64)r);
            if (rc != CX_OK || sqlite3_step(upd) != SQLITE_DONE)
                rc = db_fail(d, "cannot update a case");
        }
        sqlite3_finalize(sel);
        sqlite3_finalize(upd);
    }
    if (rc == CX_OK)
        rc = set_count(d, tbl, n);
    return rc;
}

static int save_attributes(db *d, const cx_store *s)
{
    size_t ncust, nkeys;
    cx_store_rows(&ncust, s, CX_TABLE_CUSTOMERS);
    cx_vocab_count(&nkeys, s, CX_VOCAB_ATTRIBUTE);
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
            uint32_t vid = cxi_map_get(&s->attrs, (uint64_t)r << 32 | (uint32_t)k);
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
    if (rc) {
        db_close(&d);
        return rc;
    }
    if (sqlite3_exec(d.h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(&d, "cannot begin a transaction");
        db_close(&d);
        return rc;
    }
    int version;
    if (!(rc = read_version(&d, &version)) && !(rc = check_version(&d, version)) && !(rc = migrate(&d, version)) &&
        !(rc = save_sets(&d, s))) {
        for (int i = 0; i < CX_TABLE_COUNT && rc == CX_OK; i++)
            rc = save_table(&d, s, table_order[i]);
        if (rc == CX_OK)
            rc = save_attributes(&d, s);
    }
    if (rc == CX_OK && sqlite3_exec(d.h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(&d, "cannot commit");
    if (rc != CX_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", cx_last_error());
        sqlite3_exec(d.h, "ROLLBACK", NULL, NULL, NULL);
        cxi_fail(rc, "%s", msg);
    }
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
        int set = sqlite3_column_int(st, 0);
        int64_t idx = sqlite3_column_int64(st, 1);
        const char *name = (const char *)sqlite3_column_text(st, 2);
        size_t got;
        if (set < 0 || set >= CX_VOCAB_COUNT || !name)
            rc = cxi_fail(CX_EPARSE, "%s: %s: cx_sets: bad row (set %d, index %lld)", d->fn, d->path, set,
                          (long long)idx);
        else if ((rc = cx_vocab_define(&got, s, set, name)))
            rc = cxi_fail(rc, "%s: %s: cx_sets: %s", d->fn, d->path, cx_last_error());
        else if ((int64_t)got != idx)
            rc = cxi_fail(CX_EPARSE, "%s: %s: cx_sets: name %lld of set %d is out of order", d->fn, d->path,
                          (long long)idx, set);
    }
    sqlite3_finalize(st);
    return rc;
}

static int load_table(db *d, cx_store *s, int table)
{
    cxi_import im;
    memset(&im, 0, sizeof im);
    im.fn = d->fn;
    im.path = d->path;
    im.store = s;
    cxi_layout_all_columns(&im.layout, table);
    size_t ncols, existing;
    cx_column_count(&ncols, table);
    cx_store_rows(&existing, s, table); /* built-in questions */
    char sql[512];
    int len = snprintf(sql, sizeof sql, "SELECT row");
    for (size_t c = 0; c < ncols; c++) {
        const char *name;
        cx_column_name(&name, table, (int)c);
        len += snprintf(sql + len, sizeof sql - (size_t)len, ",\"%s\"", name);
    }
    snprintf(sql + len, sizeof sql - (size_t)len, " FROM %s ORDER BY row", table_sql_name(table));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read a table");
    char *fields[16];
    char num[16][32];
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
                snprintf(num[c], sizeof num[c], "%.17g", sqlite3_column_double(st, k));
                fields[c] = num[c];
            } else {
                fields[c] = (char *)sqlite3_column_text(st, k);
            }
        }
        if ((size_t)row < existing) { /* a built-in row: it must be the same */
            const char *mine;
            cx_store_get_string(&mine, s, table, 0, (size_t)row);
            if (!fields[0] || strcmp(mine, fields[0]) != 0)
                rc = cxi_fail(CX_EPARSE, "%s: %s: %s row %lld is not the built-in '%s'", d->fn, d->path,
                              table_sql_name(table), (long long)row, mine);
            continue;
        }
        int column;
        if ((rc = cxi_import_row(&im, fields, (int)ncols, &column)))
            rc = cxi_fail(cxi_row_fault(rc) ? CX_EPARSE : rc, "%s: %s: %s row %lld: %s", d->fn, d->path,
                          table_sql_name(table), (long long)row, cx_last_error());
    }
    if (rc == CX_OK && step != SQLITE_DONE)
        rc = db_fail(d, "cannot read a table");
    sqlite3_finalize(st);
    return rc;
}

static int load_attributes(db *d, cx_store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(d->h,
                           "SELECT c.id, a.key, a.value FROM customer_attributes a JOIN customers c ON c.row = "
                           "a.customer ORDER BY a.customer, a.key",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, "cannot read attributes");
    int rc = CX_OK;
    while (rc == CX_OK && sqlite3_step(st) == SQLITE_ROW) {
        rc = cx_customer_set_attribute(s, (const char *)sqlite3_column_text(st, 0),
                                       (const char *)sqlite3_column_text(st, 1),
                                       (const char *)sqlite3_column_text(st, 2));
        if (rc)
            rc = cxi_fail(rc == CX_ENOMEM ? rc : CX_EPARSE, "%s: %s: customer_attributes: %s", d->fn, d->path,
                          cx_last_error());
    }
    sqlite3_finalize(st);
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
    int version = 0;
    if (!rc && !(rc = read_version(&d, &version)) && !(rc = check_version(&d, version))) {
        if (version == 0)
            rc = cxi_fail(CX_EINVAL, "%s: %s: not a CXKit database (no cx_schema table)", fn, path);
        else if (version < CX_DB_SCHEMA_VERSION)
            rc = cxi_fail(CX_EVERSION, "%s: %s: schema version %d: save into it once to upgrade it", fn, path,
                          version);
    }
    if (!rc && sqlite3_exec(d.h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(&d, "cannot begin a read transaction");
    if (!rc)
        rc = alloc ? cx_store_new_with_allocator(&s, alloc, ud) : cx_store_new(&s);
    if (!rc)
        rc = load_sets(&d, s);
    for (int i = 0; i < CX_TABLE_COUNT && rc == CX_OK; i++)
        rc = load_table(&d, s, table_order[i]);
    if (!rc)
        rc = load_attributes(&d, s);
    if (d.h)
        sqlite3_exec(d.h, "COMMIT", NULL, NULL, NULL);
    db_close(&d);
    if (rc) {
        cx_store_free(s);
        return rc;
    }
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

/* ---- streaming import -------------------------------------------------- */

#define STREAM_CHUNK 65536

typedef struct stream {
    db *d;
    size_t first;   /* store row of the first row not yet written */
    size_t db_rows; /* rows of the table in the file */
    uint32_t comments;
    size_t customers;   /* customers in the file: more are added by create_customers */
    sqlite3_stmt *link; /* SELECT customer FROM interactions WHERE id=? */
} stream;

static bool is_event_table(int table)
{
    return table == CX_TABLE_INTERACTIONS || table == CX_TABLE_CASES || table == CX_TABLE_FEEDBACK ||
           table == CX_TABLE_TRANSACTIONS;
}

/* Writes the rows imported since the last flush; event rows then leave
 * memory, so only keys and one chunk are ever held. */
static int stream_flush(cxi_import *im, bool final)
{
    stream *st = im->flush_ctx;
    int table = im->layout.table;
    size_t n;
    cx_store_rows(&n, im->store, table);
    int rc = save_sets(st->d, im->store);
    size_t ncust;
    cx_store_rows(&ncust, im->store, CX_TABLE_CUSTOMERS);
    if (!rc && table != CX_TABLE_CUSTOMERS && ncust > st->customers) {
        /* customers added by create_customers for this chunk's rows: the
         * store holds every customer of the file, in the file's order, so a
         * customer's row in the store is its row in the file */
        rc = insert_rows(st->d, im->store, CX_TABLE_CUSTOMERS, st->customers, ncust, st->customers);
        if (!rc)
            rc = set_count(st->d, table_sql_name(CX_TABLE_CUSTOMERS), ncust);
        if (!rc)
            st->customers = ncust;
    }
    if (!rc)
        rc = insert_rows(st->d, im->store, table, st->first, n, st->db_rows);
    if (rc)
        return rc;
    st->db_rows += n - st->first;
    if (table == CX_TABLE_CASES || !is_event_table(table)) {
        st->first = n; /* keys stay: later rows are checked against them */
    } else {
        cxi_store_truncate_rows(im->store, table, st->first);
        if (table == CX_TABLE_FEEDBACK)
            cxi_store_truncate_comments(im->store, st->comments);
    }
    im->since_flush = 0;
    if (final) {
        rc = set_count(st->d, table_sql_name(table), st->db_rows);
        if (!rc && table == CX_TABLE_CUSTOMERS)
            rc = save_attributes(st->d, im->store);
    }
    return rc;
}

/* Feedback linked to an interaction: the interaction is in the file. */
static int stream_check_link(cxi_import *im, char *const *fields, int nfields, int *column)
{
    stream *st = im->flush_ctx;
    char qb[80];
    int f = im->layout.field_of_col[CX_FEEDBACK_INTERACTION];
    int fc = im->layout.field_of_col[CX_FEEDBACK_CUSTOMER];
    if (f < 0 || f >= nfields || fc >= nfields || !fields[f] || !fields[f][0])
        return CX_OK;
    sqlite3_reset(st->link);
    sqlite3_bind_text(st->link, 1, fields[f], -1, SQLITE_STATIC);
    int step = sqlite3_step(st->link);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_fail(st->d, "cannot read interactions");
    *column = f + 1;
    if (step == SQLITE_DONE)
        return cxi_set_error_field("interaction", cxi_fail(CX_ENOTFOUND, "no interaction '%s' in %s",
                                                           cxi_quote(qb, fields[f]), st->d->path));
    const char *owner = (const char *)sqlite3_column_text(st->link, 0);
    if (!owner || !fields[fc] || strcmp(owner, fields[fc]) != 0)
        return cxi_fail(CX_EINVAL, "interaction '%s' belongs to another customer", cxi_quote(qb, fields[f]));
    *column = 0;
    return CX_OK;
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
    db d;
    stream st = {&d, 0, 0, 0, 0, NULL};
    cx_store *s = NULL;
    int rc = db_open(&d, fn, db_path, DB_WRITE);
    if (!rc && sqlite3_exec(d.h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(&d, "cannot begin a transaction");
    int version;
    if (!rc && !(rc = read_version(&d, &version)) && !(rc = check_version(&d, version)))
        rc = migrate(&d, version);
    /* the records rows refer to: names and keyed tables, not events; in a
     * store of the options' allocator, the only one the caller gave */
    if (!rc)
        rc = options ? cx_store_new_with_allocator(&s, options->mem.fn, options->mem.ud) : cx_store_new(&s);
    if (!rc)
        rc = load_sets(&d, s);
    static const int keyed[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_QUESTIONS};
    for (size_t i = 0; i < 4 && !rc; i++)
        rc = load_table(&d, s, keyed[i]);
    if (!rc) {
        int64_t have = saved_count(&d, table_sql_name(table));
        if (have < 0)
            rc = db_fail(&d, "cannot read");
        st.db_rows = (size_t)have;
        cx_store_rows(&st.first, s, table);
        cx_store_rows(&st.customers, s, CX_TABLE_CUSTOMERS);
        st.comments = 0;
    }
    if (!rc && table == CX_TABLE_FEEDBACK) {
        s->external_interactions = true;
        if (sqlite3_prepare_v2(d.h, "SELECT customer FROM interactions WHERE id=?", -1, &st.link, NULL) != SQLITE_OK)
            rc = db_fail(&d, "cannot read interactions");
    }
    cxi_import im;
    if (!rc && !(rc = cxi_import_begin(&im, fn, out, s, table, csv_path, options))) {
        im.flush = stream_flush;
        im.flush_ctx = &st;
        im.chunk_rows = STREAM_CHUNK;
        if (table == CX_TABLE_FEEDBACK)
            im.check_row = stream_check_link;
        rc = cxi_import_csv_run(&im);
        rc = cxi_import_end(&im, out, rc);
    }
    sqlite3_finalize(st.link);
    if (rc == CX_OK && sqlite3_exec(d.h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(&d, "cannot commit");
        cx_import_report_free(*out);
        *out = NULL;
    }
    if (rc != CX_OK && d.h) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", cx_last_error());
        sqlite3_exec(d.h, "ROLLBACK", NULL, NULL, NULL);
        cxi_fail(rc, "%s", msg);
    }
    db_close(&d);
    cx_store_free(s);
    return rc;
}
