/**
 * @file db.h
 * @brief Keeping a store between runs in a SQLite database file.
 */
#ifndef CXKIT_DB_H
#define CXKIT_DB_H

#include "cxkit/common.h"
#include "cxkit/store.h"
#include "cxkit/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup db Persistence: SQLite
 *
 * The in-memory store is where analyses run; a SQLite file is how it is
 * kept. cx_db_save() writes a store to a file and, called again later,
 * appends what was added since and rewrites the rows that updates changed
 * (the `_put` calls, cx_case_update()) and the attributes when one was
 * replaced or removed, without rewriting the rest. cx_db_load() reads a
 * file back into a new store identical to the one saved: same rows in the
 * same order, same names with the same codes.
 *
 * Every save is one SQLite transaction in WAL mode: if the process is killed
 * or the machine stops in the middle, the file still holds the previous save,
 * never half of the new one. The file carries its schema version; a file of
 * an older version is upgraded in place by the first call that opens it
 * (forward migrations, in one transaction: that of the save, import or
 * erasure, or one of its own for a load, which needs write access to the
 * file for it); a file of a newer version than this library knows is
 * refused with ::CX_EVERSION. Version 2 gave interactions, feedback and
 * transactions their `id`, and links feedback to interactions by id: the
 * interactions a version 1 file's feedback rated get the id `row-N`, N
 * being their row.
 *
 * A file belongs to one store's history: saving a different store into it is
 * refused when the file holds rows the store does not (checked on each
 * table's count and last row, and on the names of the named sets, which
 * must be the store's under the same codes). cx_customer_forget() on a
 * store and cx_db_forget() on its file, with the same ids, keep them one
 * history.
 *
 * **Memory.** What CXKit allocates here follows the **Memory** paragraph of
 * @ref store. cx_db_load_with_allocator() builds the store with the given
 * allocator, cx_db_save() allocates nothing of its own, and
 * cx_db_import_csv() takes everything it holds (the records rows refer to,
 * one chunk of rows, its buffers, the report) from the allocator of its
 * options (cx_import_options_new_with_allocator(); malloc without options).
 * SQLite itself (connections, statements, page cache) allocates with
 * SQLite's allocator, which is process-wide: CXKit never calls
 * sqlite3_config(), so it is SQLite's default (malloc) unless the
 * application configures SQLite before its first use. SQLite running out
 * of memory makes the call fail with ::CX_ENOMEM, leaving the file as it was.
 *
 * **Threads.** Every call opens a SQLite connection of its own, uses it in
 * the calling thread only and closes it before it returns; the store keeps
 * no database state. The connections are opened with
 * `SQLITE_OPEN_NOMUTEX` (SQLite's multi-thread mode: no locking inside a
 * connection that only one thread uses), so calls may run in parallel
 * from several threads, each on its own connection: cx_db_save() of one
 * store (a read-only call, see the store's **Threads**) or of different
 * stores, loads, and the other calls on different files. Calls on one file
 * at the same time, from threads or processes, are serialised by SQLite's
 * file locks: a call waits up to 5 s for another's transaction, then fails
 * with ::CX_EIO. This needs a SQLite built thread-safe
 * (`sqlite3_threadsafe()` not 0, as Debian's and other distributions'
 * builds are); with a single-threaded SQLite build, use the cx_db_ calls
 * from one thread at a time.
 * @{ */

/** The schema version this library writes. */
#define CX_DB_SCHEMA_VERSION 2

/**
 * @brief Save a store to a SQLite file: create it, or append to it what was
 *        added since the last save.
 * @param[in] store the store.
 * @param[in] path  the database file.
 * @return ::CX_OK; ::CX_EINVAL (NULL argument, or the file holds another
 *         store's rows or names); ::CX_EVERSION (written by a newer library); ::CX_EIO
 *         (SQLite could not open, read or write the file: the message has
 *         SQLite's own); ::CX_ENOMEM. On failure the file is as it was.
 */
CX_EXTERN int cx_db_save(const cx_store *store, const char *path);

/**
 * @brief Load a SQLite file written by cx_db_save() into a new store.
 *
 * A file of an older schema version is first upgraded in place, in a
 * transaction of its own, so loading it needs write access to it once;
 * without (a read-only file, directory or medium) the call fails with
 * ::CX_EVERSION and a message saying to open the file once with write
 * access, and the file is left as it is.
 *
 * @param[out] out  the new store, to free with cx_store_free(). Its rows
 *                  count as unchanged: a cx_db_save() of it rewrites nothing.
 * @param[in]  path the database file (not created if missing).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EVERSION (newer, or older and not
 *         writable), ::CX_EIO, ::CX_EPARSE (a row that does not pass the
 *         store's checks, or a value of another type than its column's:
 *         text or a blob in a number or time column, a real in an integer
 *         or time column, a number or blob in a text column; or an
 *         attribute of a customer row the file lacks: the message names
 *         the table, row and column) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_db_load(cx_store **out, const char *path);

/**
 * @brief Like cx_db_load(), with the store's memory from `alloc`.
 * @param[out] out   the new store, to free with cx_store_free().
 * @param[in]  path  the database file.
 * @param[in]  alloc the allocation function (see ::cx_alloc_fn), or NULL for
 *                   malloc, realloc and free (as cx_db_load()).
 * @param[in]  ud    passed to every call of `alloc` (unused when `alloc` is
 *                   NULL).
 * @return as cx_db_load().
 */
CX_EXTERN int cx_db_load_with_allocator(cx_store **out, const char *path, cx_alloc_fn alloc, void *ud);

/**
 * @brief Import a CSV file straight into a SQLite file, in chunks, without
 *        loading the file's events into memory.
 *
 * The records rows refer to (customers, touchpoints, cases, questions and
 * the named sets) are read from the database first; then the file is read
 * and checked exactly as cx_import_csv() does, and every 65536 accepted rows
 * are written to the database and dropped from memory. Memory is bounded by
 * those referenced records and one chunk, not by the size of the file, so a
 * file larger than memory can be imported. Feedback linked to an
 * interaction is checked against the interactions in the database.
 *
 * cx_import_options_set_existing() applies to the records of the file as
 * to those of a store: a row whose id the database holds already (or an
 * earlier row of the same import) is refused as a duplicate
 * (::CX_EXISTING_REJECT, the default), counted unchanged and left alone
 * (::CX_EXISTING_SKIP), or replaces the record in its row of the database
 * (::CX_EXISTING_UPDATE) after the checks cx_import_csv() makes (the customer
 * exists, a case or rated interaction is the same customer's, an interaction
 * rated by feedback or a case that interactions or feedback refer to keeps
 * its customer, a question's new scale fits the answers given), all
 * checked against the database. The report counts added, updated and
 * unchanged records exactly as cx_import_csv() would on a store holding the
 * database's records.
 *
 * The whole import is one transaction: if it fails (strict mode, an I/O
 * error, a bad header), the database is left as it was.
 *
 * @param[out] out     the report, to free with cx_import_report_free(); NULL on failure.
 * @param[in]  db_path the database file (created if missing).
 * @param[in]  table   a ::cx_table.
 * @param[in]  csv_path the CSV file, as for cx_import_csv().
 * @param[in]  options the options, or NULL for the defaults.
 * @return as cx_import_csv(), and the errors of cx_db_save().
 */
CX_EXTERN int cx_db_import_csv(cx_import_report **out, const char *db_path, cx_table table, const char *csv_path,
                               const cx_import_options *options);

/**
 * @brief Erase customers and everything that refers to them from a SQLite
 *        file, as cx_customer_forget() does in a store.
 *
 * Deletes the customers, their attributes, interactions, cases, feedback
 * (with comments) and transactions, and the names of open sets that no row
 * left uses; renumbers the remaining rows, and the codes of the remaining
 * names, so that the file matches a store on which cx_customer_forget() was
 * called with the same ids (so later cx_db_save() calls of that store go on
 * appending); and leaves no copy of the erased values in the file: SQLite's
 * secure_delete overwrites the deleted content, then the write-ahead log is
 * checkpointed and truncated, the file vacuumed, and the log of that
 * truncated. The erasure is one transaction: when it fails, the file is as
 * it was.
 *
 * The cleaning after it needs the file to itself: while another connection
 * reads the file it cannot finish, and the call returns ::CX_EIO with a
 * message saying that the customers were erased but the file still needs
 * cleaning (`*out_rows` is set). Calling cx_db_forget() with no ids (`n`
 * 0) once the file is free cleans it without erasing anything.
 *
 * @param[out] out_rows the number of rows removed from the tables
 *                      (::cx_table; attributes are not counted); may be NULL.
 * @param[in]  path     the database file (not created if missing).
 * @param[in]  n        the number of customers; 0 only cleans the file.
 * @param[in]  ids      n customer ids (repeats allowed); may be NULL when n is 0.
 * @return ::CX_OK, ::CX_EINVAL (NULL argument or id, or not a CXKit
 *         database), ::CX_ENOTFOUND (an id the file does not hold: the
 *         message names it; nothing is erased), ::CX_EVERSION, ::CX_EIO (no
 *         file, SQLite could not write it, or the cleaning did not finish,
 *         as above) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_db_forget(size_t *out_rows, const char *path, size_t n, const char *const *ids);

/**
 * @brief The schema version of a database file.
 * @param[out] out  the version; 0 for a file without CXKit tables.
 * @param[in]  path the database file.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_EIO.
 */
CX_EXTERN int cx_db_schema_version(int *out, const char *path);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
