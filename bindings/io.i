/* io.i: CSV and JSON Lines import and export (io.h). */

/* What an import does with a row whose record is stored already (also by
 * name: "reject", "skip", "update"). */
%constant int EXISTING_REJECT = CX_EXISTING_REJECT;
%constant int EXISTING_SKIP = CX_EXISTING_SKIP;
%constant int EXISTING_UPDATE = CX_EXISTING_UPDATE;

/** Options of an import: strict mode, a reject file, a delimiter, column
 *  names mapped, customers added for rows that name new ones, and what to
 *  do with rows whose record is stored already (synchronising). */
typedef struct ImportOptions {} ImportOptions;

%extend ImportOptions {
    /** @brief Options with the defaults: not strict, no reject file, comma
     *  delimiter, columns named as in the schema. */
    ImportOptions() {
        cx_import_options *h = NULL;
        if (cxb_check(cx_import_options_new(&h)) < 0)
            return NULL;
        ImportOptions *o = calloc(1, sizeof *o);
        if (!o) {
            cx_import_options_free(h);
            cxb_fail(CX_ENOMEM, "out of memory");
            return NULL;
        }
        o->h = h;
        return o;
    }
    ~ImportOptions() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_import_options_free($self->h);
        free($self);
    }
    /** @brief Free the options now. */
    void close() {
        cx_import_options_free($self->h);
        $self->h = NULL;
    }
    /** @brief Stop at the first bad row, leaving the store unchanged (true),
     *  or reject bad rows and go on (false, the default). */
    void set_strict(bool strict) { cxb_check(cx_import_options_set_strict(cxb_options($self), strict)); }
    /** @brief Add the customers that rows of interactions, cases, feedback
     *  or transactions name but the store does not hold yet, with the id
     *  alone (true), or reject those rows (false, the default). A rejected
     *  row leaves no customer behind; customers, touchpoints and questions
     *  imports ignore it. */
    void set_create_customers(bool create) {
        cxb_check(cx_import_options_set_create_customers(cxb_options($self), create));
    }
    /** @brief What to do with a row whose record (same id) is stored
     *  already: "reject" it as a duplicate (the default), "skip" it (it
     *  counts as unchanged), or "update" the record to the row's values
     *  (as the put_* methods do), so that a file imported again changes
     *  nothing and an export of a CRM brings the store up to date. A
     *  customer row updated also replaces the attributes the file has
     *  columns for (an empty cell removes one). Rows of events without an
     *  id are always added. */
    void set_existing(cxb_existing existing) {
        cxb_check(cx_import_options_set_existing(cxb_options($self), existing));
    }
    /** @brief Write rejected rows to this file (None: no reject file). */
    void set_reject_path(const char *path) {
        cxb_check(cx_import_options_set_reject_path(cxb_options($self), path));
    }
    /** @brief Read the file's column `file_column` as the table's column
     *  `column` (None: ignore it). */
    void map_column(const char *file_column, const char *column) {
        cxb_check(cx_import_options_map_column(cxb_options($self), file_column, column));
    }
    /** @brief The CSV delimiter: one ASCII character such as ";" or "\t". */
    void set_delimiter(const char *delimiter) {
        if (!delimiter || strlen(delimiter) != 1)
            cxb_fail(CX_EINVAL, "the delimiter must be one character");
        else
            cxb_check(cx_import_options_set_delimiter(cxb_options($self), (unsigned char)delimiter[0]));
    }
    /** @brief Threads a CSV import may use (default 1; 0: every core): a
     *  worker reads and splits the file while the caller stores; the store
     *  comes out the same for any count (at most 2 are used). */
    void set_threads(int threads) { cxb_check(cx_import_options_set_threads(cxb_options($self), threads)); }
}

/** What an import did: rows read, accepted (added, updated or unchanged)
 *  and rejected, and why. */
typedef struct ImportReport {} ImportReport;

%extend ImportReport {
    ~ImportReport() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_import_report_free($self->h);
        free($self);
    }
    /** @brief Free the report now. */
    void close() {
        cx_import_report_free($self->h);
        $self->h = NULL;
    }
    /** @brief Data rows read. */
    uint64_t read() { return cx_import_report_read(cxb_report($self)); }
    /** @brief Rows stored. */
    uint64_t accepted() { return cx_import_report_accepted(cxb_report($self)); }
    /** @brief Rows that added a new record (of the accepted ones). */
    uint64_t added() { return cx_import_report_added(cxb_report($self)); }
    /** @brief Rows that replaced a stored record with other values. */
    uint64_t updated() { return cx_import_report_updated(cxb_report($self)); }
    /** @brief Rows whose record was stored already with the same values, or
     *  kept by existing="skip" (accepted = added + updated + unchanged). */
    uint64_t unchanged() { return cx_import_report_unchanged(cxb_report($self)); }
    /** @brief Rows rejected. */
    uint64_t rejected() { return cx_import_report_rejected(cxb_report($self)); }
    /** @brief Number of rejected rows described (the first 1000). */
    size_t details() { return cx_import_report_details(cxb_report($self)); }
    /** @brief The line where rejected row `index` starts. */
    uint64_t line(size_t index) {
        uint64_t v = 0;
        cxb_check(cx_import_report_line(&v, cxb_report($self), index));
        return v;
    }
    /** @brief The 1-based field at fault in rejected row `index` (0: the row). */
    int column(size_t index) {
        int v = 0;
        cxb_check(cx_import_report_column(&v, cxb_report($self), index));
        return v;
    }
    /** @brief Why rejected row `index` was refused. */
    const char *reason(size_t index) {
        const char *v = NULL;
        cxb_check(cx_import_report_reason(&v, cxb_report($self), index));
        return v;
    }
}

%newobject Store::import_csv;
%newobject Store::import_jsonl;
%extend Store {
    /** @brief Import the rows of one table from a CSV file. The import is
     *  one transaction: when it raises, the store is unchanged.
     *  @param table the table ("customers", ...).
     *  @param path the file.
     *  @param options an ImportOptions, or None for the defaults.
     *  @return an ImportReport. */
    ImportReport *import_csv(cxb_table table, const char *path, const ImportOptions *options = NULL) {
        cx_import_report *r = NULL;
        if (options && !cxb_options(options))
            return NULL;
        return cxb_report_wrap(cx_import_csv(&r, cxb_store($self), table, path, options ? cxb_options(options) : NULL), &r);
    }
    /** @brief Import the rows of one table from a JSON Lines file (as import_csv()). */
    ImportReport *import_jsonl(cxb_table table, const char *path, const ImportOptions *options = NULL) {
        cx_import_report *r = NULL;
        if (options && !cxb_options(options))
            return NULL;
        return cxb_report_wrap(cx_import_jsonl(&r, cxb_store($self), table, path, options ? cxb_options(options) : NULL), &r);
    }
    /** @brief Write all rows of a table to a CSV file, times in a UTC offset. */
    void export_csv(cxb_table table, const char *path, int offset_minutes = 0) {
        cxb_check(cx_export_csv(cxb_store($self), table, path, offset_minutes));
    }
    /** @brief Write all rows of a table to a JSON Lines file. */
    void export_jsonl(cxb_table table, const char *path, int offset_minutes = 0) {
        cxb_check(cx_export_jsonl(cxb_store($self), table, path, offset_minutes));
    }
}
