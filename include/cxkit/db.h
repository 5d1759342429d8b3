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
 * appends only what was added since (plus the changed fields of cases and
 * customer attributes), without rewriting the rest. cx_db_load() reads a file
 * back into a new store identical to the one saved: same rows in the same
 * order, same names with the same codes.
 *
 * Every save is one SQLite transaction in WAL mode: if the process is killed
 * or the machine stops in the middle, the file still holds the previous save,
 * never half of the new one. The file carries its schema version; opening a
 * file of an older version upgrades it in place (forward migrations, in the
 * same transaction as the save); a file of a newer version than this library
 * knows is refused with ::CX_EVERSION.
 *
 * A file belongs to one store's history: saving a different store into it is
 * refused when the file holds rows the store does not (checked on each
 * table's count and last row).
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
 * @{ */

/** The schema version this library writes. */
#define CX_DB_SCHEMA_VERSION 2

/**
 * @brief Save a store to a SQLite file: create it, or append to it what was
 *        added since the last save.
 * @param[in] store the store.
 * @param[in] path  the database file.
 * @return ::CX_OK; ::CX_EINVAL (NULL argument, or the file holds another
 *         store's rows); ::CX_EVERSION (written by a newer library); ::CX_EIO
 *         (SQLite could not open, read or write the file: the message has
 *         SQLite's own); ::CX_ENOMEM. On failure the file is as it was.
 */
CX_EXTERN int cx_db_save(const cx_store *store, const char *path);

/**
 * @brief Load a SQLite file written by cx_db_save() into a new store.
 * @param[out] out  the new store, to free with cx_store_free().
 * @param[in]  path the database file (not created if missing).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EVERSION, ::CX_EIO, ::CX_EPARSE (a row
 *         that does not pass the store's checks: the message names the table
 *         and row) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_db_load(cx_store **out, const char *path);

/**
 * @brief Like cx_db_load(), with the store's memory from `alloc`.
 * @param[out] out   the new store, to free with cx_store_free().
 * @param[in]  path  the database file.
 * @param[in]  alloc the allocation function (see ::cx_alloc_fn).
 * @param[in]  ud    passed to every call of `alloc`.
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
 * (with comments) and transactions, renumbers the remaining rows so that
 * the file matches a store on which cx_customer_forget() was called with
 * the same ids (so later cx_db_save() calls go on appending), and leaves
 * no copy of the erased values in the file: SQLite's secure_delete
 * overwrites the deleted content, the write-ahead log is checkpointed and
 * truncated, and the file is vacuumed. One transaction: on failure the
 * file is as it was.
 *
 * @param[out] out_rows the number of rows removed, over all tables; may be NULL.
 * @param[in]  path     the database file (not created if missing).
 * @param[in]  n        the number of customers.
 * @param[in]  ids      n customer ids (repeats allowed).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND (an id the file does not
 *         hold: the message names it; nothing is erased), ::CX_EVERSION,
 *         ::CX_EIO or ::CX_ENOMEM.
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
