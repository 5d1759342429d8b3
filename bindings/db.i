/* db.i: keeping a store in a SQLite file (db.h). */

%newobject Store::load;
%newobject cxb_db_import_csv;
%extend Store {
    /** @brief Save the store to a SQLite file: create it, or append what was
     *  added since the last save. One transaction: on failure the file is
     *  as it was. */
    void save(const char *path) { cxb_check(cx_db_save(cxb_store($self), path)); }
    /** @brief Load a SQLite file written by save() into a new store.
     *  @exception Version for a file of a newer library; IO when it cannot be read. */
    static Store *load(const char *path) {
        cx_store *h = NULL;
        return cxb_store_wrap(cx_db_load(&h, path), &h);
    }
}

%{
static ImportReport *cxb_db_import_csv(const char *db_path, int table, const char *csv_path,
                                       const ImportOptions *options)
{
    cx_import_report *r = NULL;
    if (options && !cxb_options(options))
        return NULL;
    return cxb_report_wrap(cx_db_import_csv(&r, db_path, table, csv_path, options ? cxb_options(options) : NULL), &r);
}
static size_t cxb_db_forget(const char *path, cxb_strv ids)
{
    size_t rows = 0;
    if (cxb_req("ids", ids.n))
        cxb_check(cx_db_forget(&rows, path, ids.n, ids.v));
    return rows;
}
static int cxb_db_schema_version(const char *path)
{
    int v = 0;
    cxb_check(cx_db_schema_version(&v, path));
    return v;
}
%}

%rename(db_import_csv) cxb_db_import_csv;
/** @brief Import a CSV file straight into a SQLite file, in chunks, without
 *  loading its events into memory (for files larger than memory).
 *  @return an ImportReport. */
ImportReport *cxb_db_import_csv(const char *db_path, cxb_table table, const char *csv_path,
                                const ImportOptions *options = NULL);

%rename(db_forget) cxb_db_forget;
/** @brief Erase customers and everything that refers to them from a SQLite
 *  file, as Store.forget() does in a store, leaving no copy of the erased
 *  values in the file. One transaction: on failure the file is as it was.
 *  @param path the database file.
 *  @param ids the customers' ids (a sequence).
 *  @return the number of rows removed, over all tables.
 *  @exception NotFound naming an id the file does not hold (nothing is erased). */
size_t cxb_db_forget(const char *path, cxb_strv ids);

%rename(db_schema_version) cxb_db_schema_version;
/** @brief The schema version of a database file (0: no CXKit tables). */
int cxb_db_schema_version(const char *path);
