/**
 * @file io.h
 * @brief Bringing records in from CSV and JSON Lines files and writing them out.
 */
#ifndef CXKIT_IO_H
#define CXKIT_IO_H

#include "cxkit/common.h"
#include "cxkit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup io Import and export: CSV and JSON Lines
 *
 * A file holds the rows of one table. Its fields are named by the table's
 * column names (cx_column_name(): `id`, `customer`, `time`, `opened`, ...),
 * or mapped to them with cx_import_options_map_column(). In a customers file,
 * any other column becomes a free attribute of each customer
 * (cx_customer_set_attribute()); in other tables an unknown column is an
 * error unless it is mapped to NULL (ignored).
 *
 * **Values.** An empty CSV field, or a JSON `null` or missing member, is a
 * missing value. Times are ISO-8601 (see cx_time_parse()) or epoch seconds
 * (an optional sign, digits and an optional fraction). Enumerations are
 * written by name (`inbound`, `missed`, `ces`, ...). The `interaction` column
 * of feedback is the `id` of an interaction (stored before it).
 *
 * **Synchronising.** Files of records with ids (every customer, touchpoint,
 * case and question; interactions, feedback and transactions with an `id`
 * column) can be imported again and again, overlapping, split or in any
 * order: with cx_import_options_set_existing() at ::CX_EXISTING_UPDATE a
 * record whose id is already stored replaces it (see @ref sync), at
 * ::CX_EXISTING_SKIP it is left as it is, and the report counts what was
 * added, updated and left unchanged. A record must come after the ones it
 * refers to: import customers, touchpoints, cases, interactions, questions,
 * feedback and transactions in that order.
 *
 * **CSV** follows RFC 4180: a header row, fields separated by commas (or the
 * chosen delimiter), fields with delimiters, quotes or line breaks enclosed
 * in double quotes with quotes doubled; CRLF or LF line ends; a UTF-8 byte
 * order mark at the start is skipped. Text must be UTF-8.
 *
 * **Spreadsheet formulas.** A spreadsheet runs a CSV cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so every CSV
 * writer of the library (cx_export_csv(), cx_result_export_csv(), reject
 * files) writes such a text with a leading apostrophe, which spreadsheets
 * read as "text" and do not show; a text whose first character after its
 * own leading apostrophes is one of those gets one apostrophe more
 * (`'=1` is written `''=1`). The CSV import takes one apostrophe away from
 * exactly such a cell, so a file written by the library reads back to the
 * same text. Numbers are never written as text and never get one.
 *
 * **JSON Lines**: one JSON object per line, members named like the columns;
 * blank lines are skipped.
 *
 * **Memory.** An import takes its buffers, the attribute names it meets and
 * its report from the store's allocator (see the **Memory** paragraph of
 * @ref store); an export takes its write buffer from it. One exception: a
 * JSON Lines import parses each line with Jansson, whose objects (the
 * line's values, member names and strings, about the size of the line,
 * freed before the next line is read) come from Jansson's allocator. That
 * allocator is process-wide: malloc and free unless the application
 * installs its own with Jansson's json_set_alloc_funcs(), which CXKit never
 * calls. Jansson running out of memory ends the import with ::CX_ENOMEM,
 * like the store's allocator refusing.
 *
 * **Bad rows.** A row that cannot be stored (malformed field, unknown
 * customer unless cx_import_options_set_create_customers() is on, score off
 * its scale, ...) is rejected: it is counted, described in the report (line,
 * column, reason) and copied to the reject file if one was set, and the
 * import goes on. In strict mode the first bad row stops the
 * import instead. Either way an import is one transaction: when it fails
 * (strict mode, an I/O error, a malformed header, out of memory) the store is
 * left exactly as it was before the import began.
 *
 * **Threads.** An import changes its store, which it needs to itself (see
 * the store's **Threads**); imports into different stores may run at the
 * same time. They only read their options: one options object, once set
 * up, may serve imports in several threads at once (its allocator must
 * then be thread-safe, and a reject file named in it would be written by
 * each of them: give each thread its own options for that). Exports only
 * read the store and may run in parallel with other read-only calls.
 * @{ */

/** Opaque options of an import. */
typedef struct cx_import_options cx_import_options;

/** Opaque report of a finished import: counts and the rejected rows. */
typedef struct cx_import_report cx_import_report;

/** How many rejected rows a report describes in detail; later ones are
 *  counted (and written to the reject file) but not described. */
#define CX_IMPORT_REPORT_MAX_DETAILS 1000

/**
 * @brief Create import options with the defaults: not strict, no reject
 *        file, comma delimiter, columns named as in the schema, rows of
 *        unknown customers rejected; their memory comes from malloc,
 *        realloc and free.
 * @param[out] out the options, to free with cx_import_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_import_options_new(cx_import_options **out);

/**
 * @brief Create import options, as cx_import_options_new(), whose memory
 *        (the reject path, the column mappings) comes from `alloc`.
 *
 * An import into a store takes its own memory from the store's allocator,
 * whatever the options'. cx_db_import_csv(), which is given no store, uses
 * the options' allocator for everything it allocates (the records it holds,
 * its buffers and the report).
 *
 * @param[out] out   the options, to free with cx_import_options_free().
 * @param[in]  alloc the allocation function (see ::cx_alloc_fn), or NULL for
 *                   malloc, realloc and free; it is called from whichever
 *                   thread uses the options or the import.
 * @param[in]  ud    passed to every call of `alloc` (unused when `alloc` is
 *                   NULL).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_import_options_new_with_allocator(cx_import_options **out, cx_alloc_fn alloc, void *ud);

/**
 * @brief Free import options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_import_options_free(cx_import_options *options);

/**
 * @brief Stop at the first bad row and leave the store as it was (1), or
 *        reject bad rows and go on (0, the default).
 * @param[in] options the options.
 * @param[in] strict  0 or 1.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_import_options_set_strict(cx_import_options *options, int strict);

/**
 * @brief Add the customers that rows of events name but the store does not
 *        know yet (1), or reject those rows (0, the default).
 *
 * With the option on, a row of interactions, cases, feedback or
 * transactions whose customer id is not in the store first adds that
 * customer with the id alone, as cx_customer_add(store, id, NULL, NULL,
 * NULL, ::CX_TIME_NONE) would (no segment, region, plan, acquisition time
 * or attributes), then the row; later rows of the same customer find it.
 * A row refused for any other reason (an unknown touchpoint, a bad time, a
 * case of another customer, ...) leaves no customer behind: the store is as
 * if the row had never been read. A missing or empty customer id is still
 * an error of the row. As for every import, a failing import (strict mode,
 * I/O error, ...) leaves the store as it was, without the customers it had
 * added. cx_db_import_csv() writes the customers it adds to the database
 * with the rows that need them.
 *
 * The option has no effect on imports of customers, touchpoints and
 * questions.
 *
 * @param[in] options the options.
 * @param[in] create  0 or 1.
 * @return ::CX_OK, or ::CX_EINVAL when options is NULL or create is neither 0 nor 1.
 */
CX_EXTERN int cx_import_options_set_create_customers(cx_import_options *options, int create);

/** What an import does with a record whose id is already stored. Values are stable. */
typedef enum cx_existing {
    CX_EXISTING_REJECT = 0, /**< Reject the row as a duplicate (the default). */
    CX_EXISTING_SKIP = 1,   /**< Keep the stored record; the row counts as unchanged. */
    CX_EXISTING_UPDATE = 2  /**< Replace the stored record by the row (as the `_put` calls of @ref sync do). */
} cx_existing;

/**
 * @brief What to do with rows whose record is already stored (same id).
 *
 * A customer row updated by ::CX_EXISTING_UPDATE also replaces the
 * attributes the file has columns for: an empty cell removes the
 * attribute; attributes without a column stay. Rows of events without an
 * id are always added.
 *
 * @param[in] options  the options.
 * @param[in] existing a ::cx_existing.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_import_options_set_existing(cx_import_options *options, cx_existing existing);

/**
 * @brief Write every rejected row to a file beside the good ones.
 *
 * For CSV, the reject file is itself CSV: the header `_line,_column,_reason`
 * followed by the input's header, then for each rejected row its line,
 * column and reason followed by the row's bytes exactly as read. For JSON
 * Lines, one object per rejected line: `{"_line":N,"_column":N,"_reason":"...",
 * "row":ORIGINAL}` when the line was a JSON object, with `"text":"..."` (the
 * line as a string) in place of `"row"` when it was not.
 *
 * @param[in] options the options.
 * @param[in] path    the file to create, replaced if it exists (holding just
 *                    the header when nothing is rejected), or NULL for none.
 *                    An import whose reject file is its input file (under
 *                    any name or link) fails with ::CX_EINVAL before it
 *                    writes anything.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_import_options_set_reject_path(cx_import_options *options, const char *path);

/**
 * @brief Read a file column under another name.
 * @param[in] options     the options.
 * @param[in] file_column the name in the file's header (or JSON member name).
 * @param[in] column      the table's column name it holds, or NULL to ignore the file column.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_import_options_map_column(cx_import_options *options, const char *file_column,
                                           const char *column);

/**
 * @brief The CSV field delimiter (default ',').
 * @param[in] options   the options.
 * @param[in] delimiter an ASCII punctuation or tab character other than '"'.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_import_options_set_delimiter(cx_import_options *options, int delimiter);

/**
 * @brief How many threads a CSV import may use (default 1: the caller's
 *        thread only, so that an embedding host decides).
 *
 * With 2 or more, cx_import_csv() starts one worker thread and joins it
 * before it returns: the worker reads the file and splits it into records
 * and fields, block after block (quotes are followed, so a quoted field may
 * hold line breaks), while the calling thread stores the records of the
 * block before. Every change to the store stays in the calling thread, in
 * file order, so the store, the report and the reject file come out byte
 * for byte as with one thread: the same rows in the same order, the same
 * ids and interned codes, the same first bad row by file order, and a
 * failed import leaves the store unchanged. The CSV import uses at most two
 * threads whatever the count (more gain nothing: storing is the longer
 * half); JSON Lines and SQLite imports use one.
 *
 * The worker allocates its buffers from the store's allocator, so with a
 * count above one that allocator must be safe to call from two threads at
 * once (malloc, the default, is). The worker also faults in the pages of
 * the table's columns ahead of the rows and reads one byte of each, in
 * pages no row is stored in yet; while it runs, the store's allocator is
 * called through a wrapper that stops these reads before a column is
 * reallocated or freed. No global state: each import starts and joins its
 * own thread.
 *
 * @param[in] options the options.
 * @param[in] threads 1 or more, or 0 for every online core
 *                    (`sysconf(_SC_NPROCESSORS_ONLN)`); at most 1024.
 * @return ::CX_OK or ::CX_EINVAL (NULL options, a negative count or one
 *         above 1024).
 */
CX_EXTERN int cx_import_options_set_threads(cx_import_options *options, int threads);

/**
 * @brief Import the rows of one table from a CSV file.
 * @param[out] out     the report, to free with cx_import_report_free(); NULL on failure.
 * @param[in]  store   the store.
 * @param[in]  table   a ::cx_table.
 * @param[in]  path    the file.
 * @param[in]  options the options, or NULL for the defaults.
 * @return ::CX_OK when the import was committed (even with rejected rows);
 *         otherwise the store is unchanged and the status says why:
 *         ::CX_EINVAL (a NULL argument, or the reject file is `path`
 *         itself), ::CX_EIO (cannot read the file or write the reject
 *         file), ::CX_EPARSE (bad header, or a bad row in strict mode; other
 *         codes of the add functions in strict mode), ::CX_ENOMEM (the
 *         store's allocator refused the import's buffers, the report or a
 *         rejected row's reason), ::CX_ELIMIT (a table or name set is full).
 *         The message names the file, and the line and column when one is at fault.
 */
CX_EXTERN int cx_import_csv(cx_import_report **out, cx_store *store, cx_table table, const char *path,
                            const cx_import_options *options);

/**
 * @brief Import the rows of one table from a JSON Lines file.
 *
 * Each line is parsed with Jansson, in memory from Jansson's process-wide
 * allocator, not the store's (see the **Memory** paragraph above).
 *
 * @param[out] out     the report, to free with cx_import_report_free(); NULL on failure.
 * @param[in]  store   the store.
 * @param[in]  table   a ::cx_table.
 * @param[in]  path    the file.
 * @param[in]  options the options, or NULL for the defaults (the delimiter is not used).
 * @return as cx_import_csv().
 */
CX_EXTERN int cx_import_jsonl(cx_import_report **out, cx_store *store, cx_table table, const char *path,
                              const cx_import_options *options);

/**
 * @brief Free a report.
 * @param[in] report the report, or NULL.
 */
CX_EXTERN void cx_import_report_free(cx_import_report *report);

/**
 * @brief Data rows read (the header and blank lines not counted).
 * @param[in] report the report; NULL gives 0.
 * @return the count.
 */
CX_EXTERN uint64_t cx_import_report_read(const cx_import_report *report);

/**
 * @brief Rows stored.
 * @param[in] report the report; NULL gives 0.
 * @return the count.
 */
CX_EXTERN uint64_t cx_import_report_accepted(const cx_import_report *report);

/**
 * @brief Rows that added a new record (of the accepted ones).
 * @param[in] report the report; NULL gives 0.
 * @return the count.
 */
CX_EXTERN uint64_t cx_import_report_added(const cx_import_report *report);

/**
 * @brief Rows that replaced a stored record with other values (of the accepted ones).
 * @param[in] report the report; NULL gives 0.
 * @return the count.
 */
CX_EXTERN uint64_t cx_import_report_updated(const cx_import_report *report);

/**
 * @brief Rows whose record was stored already with the same values, or
 *        kept by ::CX_EXISTING_SKIP (accepted = added + updated + unchanged).
 * @param[in] report the report; NULL gives 0.
 * @return the count.
 */
CX_EXTERN uint64_t cx_import_report_unchanged(const cx_import_report *report);

/**
 * @brief Rows rejected (read = accepted + rejected).
 * @param[in] report the report; NULL gives 0.
 * @return the count.
 */
CX_EXTERN uint64_t cx_import_report_rejected(const cx_import_report *report);

/**
 * @brief Number of rejected rows described in detail: the first
 *        ::CX_IMPORT_REPORT_MAX_DETAILS.
 * @param[in] report the report; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_import_report_details(const cx_import_report *report);

/**
 * @brief The line where rejected row `index` starts (1 is the file's first line).
 * @param[out] out    the line number.
 * @param[in]  report the report.
 * @param[in]  index  0 to cx_import_report_details() - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_import_report_line(uint64_t *out, const cx_import_report *report, size_t index);

/**
 * @brief The column at fault in rejected row `index`.
 * @param[out] out    1-based position of the field in the row, 0 when the
 *                    fault is not one field's (a wrong field count, a duplicate id).
 * @param[in]  report the report.
 * @param[in]  index  0 to cx_import_report_details() - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_import_report_column(int *out, const cx_import_report *report, size_t index);

/**
 * @brief Why rejected row `index` was refused.
 * @param[out] out    the message, borrowed from the report.
 * @param[in]  report the report.
 * @param[in]  index  0 to cx_import_report_details() - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_import_report_reason(const char **out, const cx_import_report *report, size_t index);

/**
 * @brief Write all rows of a table to a CSV file (RFC 4180, UTF-8, no BOM,
 *        LF line ends, the schema's column names as header; for customers,
 *        one more column per free attribute). Reals are written in their
 *        shortest form that reads back to the same double; times in ISO-8601
 *        at the given UTC offset. cx_import_csv() reads the file back to the
 *        same records, and exporting those again gives the same bytes.
 * @param[in] store          the store.
 * @param[in] table          a ::cx_table.
 * @param[in] path           the file to create (replaced if it exists).
 * @param[in] offset_minutes UTC offset for times, -840 to 840 (±14:00).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_EIO, or ::CX_ENOMEM when
 *         the store's allocator refuses the 1 MiB write buffer (then no file
 *         is created).
 */
CX_EXTERN int cx_export_csv(const cx_store *store, cx_table table, const char *path, int offset_minutes);

/**
 * @brief Write all rows of a table to a JSON Lines file: one object per row,
 *        members in column order, missing values left out; otherwise as
 *        cx_export_csv().
 * @param[in] store          the store.
 * @param[in] table          a ::cx_table.
 * @param[in] path           the file to create (replaced if it exists).
 * @param[in] offset_minutes UTC offset for times, -840 to 840 (±14:00).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_EIO or ::CX_ENOMEM.
 */
CX_EXTERN int cx_export_jsonl(const cx_store *store, cx_table table, const char *path, int offset_minutes);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
