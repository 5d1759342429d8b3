/* libFuzzer target (issue 15): CSV and JSON Lines import of every table
 * with every option, into a copy of a small store of demo data; built three
 * times: FZ_JSONL for cx_import_jsonl(), FZ_DB for the streaming
 * cx_db_import_csv() into a SQLite copy of the same store, neither for
 * cx_import_csv().
 *
 * Input: byte 0 the table (mod 7; (byte / 7) odd exports the table as
 * JSON Lines after a committed import, even as CSV); byte 1 the options: bit 0 strict,
 * bits 1-2 existing (reject, skip, update, reject), bit 3 create customers,
 * bits 4-5 the CSV delimiter (',' ';' tab '|'), bit 6 read file column `ID`
 * as the table's key and ignore a column `extra`, bit 7 write a reject file;
 * the rest is the file.
 *
 * Invariants: a failed import leaves the store (or database) exactly as it
 * was and gives no report; a committed one has a consistent report (read =
 * accepted + rejected, accepted = added + updated + unchanged, none rejected
 * in strict mode, the table grown by exactly the rows added), leaves a store
 * that exports to CSV and JSON Lines; the streaming import reports the same
 * counts as the in-memory import and its database loads back to the same
 * store; and the in-memory import into a compacted copy of the store
 * (cx_store_compact(): ids kept as numbers, no hash slots, sparse columns)
 * gives the same status, the same report and the same store as into the
 * copy as loaded. */
#include "fuzz_base.h"

static cx_store *base;
static uint64_t base_digest;

static const char *const key_column[CX_TABLE_COUNT] = {"id", "name", "id", "id", "name", "id", "id"};

static cx_import_options *options_of(unsigned flags, cx_table table)
{
    static const int delims[4] = {',', ';', '\t', '|'};
    cx_import_options *o = NULL;
    if (cx_import_options_new(&o) != CX_OK || cx_import_options_set_strict(o, flags & 1) != CX_OK ||
        cx_import_options_set_existing(o, (cx_existing)((flags >> 1 & 3) % 3)) != CX_OK ||
        cx_import_options_set_create_customers(o, flags >> 3 & 1) != CX_OK ||
        cx_import_options_set_delimiter(o, delims[flags >> 4 & 3]) != CX_OK)
        fz_fail("cannot set the import options");
    if ((flags & 0x40) && (cx_import_options_map_column(o, "ID", key_column[table]) != CX_OK ||
                           cx_import_options_map_column(o, "extra", NULL) != CX_OK))
        fz_fail("cannot map columns");
    if ((flags & 0x80) && cx_import_options_set_reject_path(o, fz_path("rejects")) != CX_OK)
        fz_fail("cannot set the reject path");
    return o;
}

static void check_report(const cx_import_report *r, int strict)
{
    uint64_t read = cx_import_report_read(r), acc = cx_import_report_accepted(r);
    uint64_t rej = cx_import_report_rejected(r);
    if (read != acc + rej)
        fz_fail("report: read %llu != accepted %llu + rejected %llu", (unsigned long long)read,
                (unsigned long long)acc, (unsigned long long)rej);
    if (acc != cx_import_report_added(r) + cx_import_report_updated(r) + cx_import_report_unchanged(r))
        fz_fail("report: accepted != added + updated + unchanged");
    if (strict && rej)
        fz_fail("report: a strict import committed with rejected rows");
    size_t nd = cx_import_report_details(r);
    if (nd > rej || nd > CX_IMPORT_REPORT_MAX_DETAILS || (nd < rej && nd != CX_IMPORT_REPORT_MAX_DETAILS))
        fz_fail("report: %zu details for %llu rejected rows", nd, (unsigned long long)rej);
    for (size_t i = 0; i < nd; i++) {
        uint64_t line = 0;
        int col = -1;
        const char *why = NULL;
        if (cx_import_report_line(&line, r, i) != CX_OK || cx_import_report_column(&col, r, i) != CX_OK ||
            cx_import_report_reason(&why, r, i) != CX_OK)
            fz_fail("report: detail %zu unreadable", i);
        if (line < 1 || col < 0 || !why || !*why)
            fz_fail("report: detail %zu: line %llu column %d reason '%s'", i, (unsigned long long)line, col,
                    why ? why : "(null)");
    }
    if (cx_import_report_details(r) > 0 && cx_import_report_line(NULL, r, 0) != CX_EINVAL)
        fz_fail("report: a NULL out accepted");
}

static void rows_of(size_t out[CX_TABLE_COUNT], const cx_store *s)
{
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        cx_store_rows(&out[t], s, (cx_table)t);
}

/* In-memory import of the input into a copy of the base store; checks the
 * invariants and returns the status (the store and report through out-params). */
static int import_mem(cx_store **out_store, cx_import_report **out_rep, cx_table table, unsigned flags,
                      const char *path, int jsonl, unsigned export_choice)
{
    cx_store *s = NULL;
    if (cx_store_clone(&s, base) != CX_OK)
        fz_fail("cannot clone the base store");
    cx_import_options *o = options_of(flags, table);
    cx_import_report *rep = (cx_import_report *)&rep; /* must be set to NULL on failure */
    size_t before[CX_TABLE_COUNT], after[CX_TABLE_COUNT];
    rows_of(before, s);
    int rc = jsonl ? cx_import_jsonl(&rep, s, table, path, o) : cx_import_csv(&rep, s, table, path, o);
    cx_import_options_free(o);
    if (rc != CX_OK) {
        if (rep)
            fz_fail("a failed import (%d) left its report set", rc);
        if (fz_store_digest(s) != base_digest)
            fz_fail("a failed import (%d) changed the store", rc);
    } else {
        if (!rep)
            fz_fail("a committed import gave no report");
        check_report(rep, flags & 1);
        rows_of(after, s);
        if (after[table] - before[table] != cx_import_report_added(rep))
            fz_fail("table %d grew by %zu rows, the report says %llu added", table, after[table] - before[table],
                    (unsigned long long)cx_import_report_added(rep));
        for (int t = 0; t < CX_TABLE_COUNT; t++)
            if (t != (int)table && after[t] != before[t] && !(t == CX_TABLE_CUSTOMERS && (flags & 8)))
                fz_fail("an import of table %d changed the rows of table %d", table, t);
        /* one export a run (each takes a 1 MiB buffer): CSV or JSON Lines by
         * the table byte's high bits; the customers an import created */
        int as_jsonl = (export_choice / CX_TABLE_COUNT) & 1;
        if ((as_jsonl ? cx_export_jsonl(s, table, fz_path("export"), -300)
                      : cx_export_csv(s, table, fz_path("export"), 180)) != CX_OK)
            fz_fail("the store an import left does not export");
        if (table != CX_TABLE_CUSTOMERS && after[CX_TABLE_CUSTOMERS] != before[CX_TABLE_CUSTOMERS] &&
            cx_export_csv(s, CX_TABLE_CUSTOMERS, fz_path("export"), 0) != CX_OK)
            fz_fail("the customers an import left do not export");
    }
    *out_store = s;
    *out_rep = rep;
    return rc;
}

static void same_report(const cx_import_report *a, const cx_import_report *b)
{
    if (cx_import_report_read(a) != cx_import_report_read(b) ||
        cx_import_report_added(a) != cx_import_report_added(b) ||
        cx_import_report_updated(a) != cx_import_report_updated(b) ||
        cx_import_report_unchanged(a) != cx_import_report_unchanged(b) ||
        cx_import_report_rejected(a) != cx_import_report_rejected(b))
        fz_fail("the report (read %llu added %llu updated %llu unchanged %llu rejected %llu) "
                "differs from the first import's (read %llu added %llu updated %llu unchanged %llu rejected %llu)",
                (unsigned long long)cx_import_report_read(a), (unsigned long long)cx_import_report_added(a),
                (unsigned long long)cx_import_report_updated(a), (unsigned long long)cx_import_report_unchanged(a),
                (unsigned long long)cx_import_report_rejected(a), (unsigned long long)cx_import_report_read(b),
                (unsigned long long)cx_import_report_added(b), (unsigned long long)cx_import_report_updated(b),
                (unsigned long long)cx_import_report_unchanged(b), (unsigned long long)cx_import_report_rejected(b));
}

#ifdef FZ_DB
static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    if (!in || !out)
        fz_fail("cannot copy %s", from);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            fz_fail("cannot copy %s", from);
    fclose(in);
    if (fclose(out) != 0)
        fz_fail("cannot copy %s", from);
}

static void remove_db(const char *p)
{
    char side[4300];
    remove(p);
    snprintf(side, sizeof side, "%s-wal", p);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", p);
    remove(side);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base) {
        base = fz_load_base();
        base_digest = fz_store_digest(base);
#ifdef FZ_DB
        remove_db(fz_path("base.db"));
        if (cx_db_save(base, fz_path("base.db")) != CX_OK)
            fz_fail("cannot save the base store");
#endif
    }
    if (size < 2)
        return 0;
    cx_table table = (cx_table)(data[0] % CX_TABLE_COUNT);
    unsigned flags = data[1];
    const char *path = fz_path("input");
    fz_write(path, data + 2, size - 2);

#ifdef FZ_JSONL
    const int jsonl = 1;
#else
    const int jsonl = 0;
#endif
    cx_store *s;
    cx_import_report *rep;
    int rc = import_mem(&s, &rep, table, flags, path, jsonl, data[0]);

    /* the same import into a compacted copy: the same outcome */
    cx_store *c = NULL;
    if (cx_store_clone(&c, base) != CX_OK || cx_store_compact(c) != CX_OK)
        fz_fail("cannot compact a copy of the base store");
    if (fz_store_digest(c) != base_digest)
        fz_fail("compaction changed the store");
    cx_import_options *co = options_of(flags, table);
    cx_import_report *crep = (cx_import_report *)&crep;
    int crc = jsonl ? cx_import_jsonl(&crep, c, table, path, co) : cx_import_csv(&crep, c, table, path, co);
    cx_import_options_free(co);
    if (crc != rc)
        fz_fail("the import into a compacted store returned %d, into the store as loaded %d", crc, rc);
    if (crc != CX_OK) {
        if (crep)
            fz_fail("a failed import into a compacted store left its report set");
        if (fz_store_digest(c) != base_digest)
            fz_fail("a failed import (%d) changed the compacted store", crc);
    } else {
        same_report(crep, rep);
        uint64_t want = fz_store_digest(s);
        if (fz_store_digest(c) != want)
            fz_fail("the import left another store compacted than as loaded");
        if (cx_store_compact(c) != CX_OK || fz_store_digest(c) != want)
            fz_fail("compaction after the import changed the store");
    }
    cx_import_report_free(crep);
    cx_store_free(c);

#ifdef FZ_DB
    const char *db = fz_path("work.db");
    remove_db(db);
    copy_file(fz_path("base.db"), db);
    cx_import_options *o = options_of(flags, table);
    cx_import_report *drep = (cx_import_report *)&drep;
    int drc = cx_db_import_csv(&drep, db, table, path, o);
    cx_import_options_free(o);
    if ((drc == CX_OK) != (rc == CX_OK))
        fz_fail("the streaming import returned %d, the in-memory import %d", drc, rc);
    cx_store *loaded = NULL;
    if (cx_db_load(&loaded, db) != CX_OK)
        fz_fail("the database a streaming import (%d) left does not load", drc);
    if (drc != CX_OK) {
        if (drep)
            fz_fail("a failed streaming import left its report set");
        if (fz_store_digest(loaded) != base_digest)
            fz_fail("a failed streaming import (%d) changed the database", drc);
    } else {
        check_report(drep, flags & 1);
        same_report(drep, rep);
        if (fz_store_digest(loaded) != fz_store_digest(s))
            fz_fail("the database a streaming import left differs from the store the in-memory import left");
    }
    cx_store_free(loaded);
    cx_import_report_free(drep);
#endif
    cx_import_report_free(rep);
    cx_store_free(s);
    return 0;
}
