/* libFuzzer target (issue 15): cx_db_load() of mutated SQLite files. The
 * input is written to a file in this process's temporary directory and
 * loaded; a file that loads must give a store whose every cell reads back,
 * that saves to a new file, and that file must load to the same store
 * (same digest); saved back into its own file it appends nothing or, when
 * the file is corrupt, fails and leaves it as it was. A file that does not load must fail with a status and a
 * message, never crash. Seeds: small databases written by cx_db_save()
 * (tests/fuzz/make_seeds.c). */
#include "fuzz_util.h"

static void remove_db(const char *p)
{
    char side[4300];
    remove(p);
    snprintf(side, sizeof side, "%s-wal", p);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", p);
    remove(side);
    snprintf(side, sizeof side, "%s-journal", p);
    remove(side);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = fz_path("in.db"), *out = fz_path("out.db");
    remove_db(in);
    fz_write(in, data, size);
    cx_store *s = (cx_store *)&s;
    int version = -1;
    cx_db_schema_version(&version, in);
    int rc = cx_db_load(&s, in);
    if (rc != CX_OK) {
        if (s)
            fz_fail("a failed cx_db_load (%d) set its out-parameter", rc);
        if (!*cx_last_error())
            fz_fail("a failed cx_db_load (%d) left no message", rc);
        remove_db(in);
        return 0;
    }
    uint64_t d = fz_store_digest(s);
    remove_db(out);
    rc = cx_db_save(s, out);
    if (rc != CX_OK)
        fz_fail("a store loaded from a file does not save (%d)", rc);
    /* saving it again into its own file appends nothing; a file whose
     * indexes a mutation corrupted (SQLite's quick_check fails) may refuse
     * it, with an error, and must be left as it was */
    rc = cx_db_save(s, in);
    if (rc != CX_OK) {
        if (rc != CX_EIO && rc != CX_EINVAL)
            fz_fail("a loaded store saved back into its file gives %d", rc);
        cx_store *again = NULL;
        if (cx_db_load(&again, in) != CX_OK || fz_store_digest(again) != d)
            fz_fail("a failed save (%d) changed the file", rc);
        cx_store_free(again);
    }
    cx_store *back = NULL;
    if (cx_db_load(&back, out) != CX_OK)
        fz_fail("the file a loaded store saved does not load");
    if (fz_store_digest(back) != d)
        fz_fail("load -> save -> load changed the store");
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        if (cx_export_csv(s, (cx_table)t, fz_path("export.csv"), 0) != CX_OK)
            fz_fail("table %d of a loaded store does not export", t);
    cx_store_free(back);
    cx_store_free(s);
    remove_db(in);
    remove_db(out);
    return 0;
}
