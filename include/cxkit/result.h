/**
 * @file result.h
 * @brief ::cx_result, the one table every analysis returns: named, typed
 *        columns read by the same getters, exported as CSV or JSON.
 */
#ifndef CXKIT_RESULT_H
#define CXKIT_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "cxkit/common.h"
#include "cxkit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup result Result tables
 * Every analysis of the library (queries, journeys, funnels, attribution,
 * cohorts, survival curves, RFM, health scores, the care list, model
 * predictions) returns a ::cx_result: an immutable table of rows and named,
 * typed columns (::cx_type). A column's type says which getter reads it:
 * ::CX_TYPE_STRING with cx_result_get_string(), ::CX_TYPE_INT and
 * ::CX_TYPE_TIME with cx_result_get_int() (and cx_result_get_real()),
 * ::CX_TYPE_REAL with cx_result_get_real(). A value that does not exist is
 * NULL (text), NaN (real) or ::CX_TIME_NONE (time).
 *
 * Results that carry time periods carry, beside the period's start (a
 * ::CX_TYPE_TIME column), a text column named `<column>_label` that names
 * the period in the UTC offset it was cut in (`2024-05`, `2024-W19`,
 * `2024-Q2`), so that a period is never shown shifted into another offset.
 *
 * A result is read-only: any number of threads may read one result at once.
 * Query results (cx_query_run()) also merge, serialise and answer quantiles
 * and comparisons (metrics.h); the other results are tables of values.
 * @{ */

/** An opaque, immutable result table. */
typedef struct cx_result cx_result;

/**
 * @brief Free a result.
 * @param[in] result the result, or NULL.
 */
CX_EXTERN void cx_result_free(cx_result *result);

/**
 * @brief Number of rows. Each analysis documents what a row is and in
 *        which order the rows come (query groups: sorted by their labels,
 *        time buckets in time order, missing labels first).
 * @param[in] result the result; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_result_row_count(const cx_result *result);

/**
 * @brief Number of columns.
 * @param[in] result the result; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_result_column_count(const cx_result *result);

/**
 * @brief The name of a column (each analysis lists its columns; query
 *        results: see cx_query_run()).
 * @param[out] out    a string owned by the result.
 * @param[in]  result the result.
 * @param[in]  column 0 to cx_result_column_count() - 1.
 * @return ::CX_OK, ::CX_EINVAL (NULL argument) or ::CX_ERANGE.
 */
CX_EXTERN int cx_result_column_name(const char **out, const cx_result *result, size_t column);

/**
 * @brief The type of a column.
 * @param[out] out    a ::cx_type (an `int`, since the size of a C enum is
 *                    the compiler's choice).
 * @param[in]  result the result.
 * @param[in]  column 0 to cx_result_column_count() - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_result_column_type(int *out, const cx_result *result, size_t column);

/**
 * @brief Find a column by name.
 * @param[out] out    the column.
 * @param[in]  result the result.
 * @param[in]  name   the column's name.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOTFOUND.
 */
CX_EXTERN int cx_result_column_find(size_t *out, const cx_result *result, const char *name);

/**
 * @brief Read a text cell.
 * @param[out] out    the text, owned by the result; NULL when missing.
 * @param[in]  result the result.
 * @param[in]  row    0 to cx_result_row_count() - 1.
 * @param[in]  column a ::CX_TYPE_STRING column.
 * @return ::CX_OK, ::CX_EINVAL (NULL argument, or not a text column) or
 *         ::CX_ERANGE.
 */
CX_EXTERN int cx_result_get_string(const char **out, const cx_result *result, size_t row, size_t column);

/**
 * @brief Read an integer or time cell. Integers are exact (counts are
 *        never rounded through a double), and every one fits `int64_t`:
 *        an analysis, merge or deserialisation whose count would not fails
 *        instead (see cx_result_merge()).
 * @param[out] out    the value (::CX_TIME_NONE for a missing time).
 * @param[in]  result the result.
 * @param[in]  row    0 to cx_result_row_count() - 1.
 * @param[in]  column a ::CX_TYPE_INT or ::CX_TYPE_TIME column.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_result_get_int(int64_t *out, const cx_result *result, size_t row, size_t column);

/**
 * @brief Read a numeric cell as a double. A value that does not exist (no
 *        data, an interval of one observation, a missing time) is NaN.
 * @param[out] out    the value.
 * @param[in]  result the result.
 * @param[in]  row    0 to cx_result_row_count() - 1.
 * @param[in]  column a ::CX_TYPE_INT, ::CX_TYPE_TIME or ::CX_TYPE_REAL column.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_result_get_real(double *out, const cx_result *result, size_t row, size_t column);

/**
 * @brief Read `n` cells of a numeric column at once, rows `first` to
 *        `first + n - 1`, as doubles: the bulk form of cx_result_get_real()
 *        (the same values: a missing value or time is NaN), for bindings
 *        that fill a whole array (a numpy column) in one call.
 * @param[out] out    `n` doubles; may be NULL when `n` is 0.
 * @param[in]  result the result.
 * @param[in]  column a ::CX_TYPE_INT, ::CX_TYPE_TIME or ::CX_TYPE_REAL column.
 * @param[in]  first  the first row.
 * @param[in]  n      the number of rows; `first + n` at most
 *                    cx_result_row_count().
 * @return ::CX_OK, ::CX_EINVAL (NULL argument, or a text column) or
 *         ::CX_ERANGE (column or rows out of range). On failure nothing is
 *         written. Thread-safe like the other getters.
 */
CX_EXTERN int cx_result_column_reals(double *out, const cx_result *result, size_t column, size_t first, size_t n);

/**
 * @brief Read `n` cells of an integer or time column at once, rows `first`
 *        to `first + n - 1`: the bulk form of cx_result_get_int(), exact
 *        (a missing time is ::CX_TIME_NONE, the smallest `int64_t`, which
 *        is also numpy's NaT).
 * @param[out] out    `n` integers; may be NULL when `n` is 0.
 * @param[in]  result the result.
 * @param[in]  column a ::CX_TYPE_INT or ::CX_TYPE_TIME column.
 * @param[in]  first  the first row.
 * @param[in]  n      the number of rows; `first + n` at most
 *                    cx_result_row_count().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE; nothing written on failure.
 */
CX_EXTERN int cx_result_column_ints(int64_t *out, const cx_result *result, size_t column, size_t first, size_t n);

/**
 * @brief Read `n` cells of a text column at once, rows `first` to
 *        `first + n - 1`: the bulk form of cx_result_get_string(). Equal
 *        texts of a result are stored once, so equal cells give the same
 *        pointer: a binding can convert each distinct text once.
 * @param[out] out    `n` pointers to texts owned by the result (valid
 *                    until it is freed or pseudonymised); NULL for a
 *                    missing text. May be NULL when `n` is 0.
 * @param[in]  result the result.
 * @param[in]  column a ::CX_TYPE_STRING column.
 * @param[in]  first  the first row.
 * @param[in]  n      the number of rows; `first + n` at most
 *                    cx_result_row_count().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE; nothing written on failure.
 */
CX_EXTERN int cx_result_column_strings(const char **out, const cx_result *result, size_t column, size_t first,
                                       size_t n);

/**
 * @brief Write a result as CSV: a header row, then one line per row
 *        (RFC 4180, CRLF); missing values empty, an empty text `""`, times
 *        ISO 8601 in the offset of their column. A text a spreadsheet would
 *        run as a formula gets a leading apostrophe (see io.h).
 * @param[in] result the result.
 * @param[in] path   the file to write (replaced).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_EIO.
 */
CX_EXTERN int cx_result_export_csv(const cx_result *result, const char *path);

/**
 * @brief Write a result as JSON: an array of objects, one per row, keyed by
 *        column name; missing values are null, times ISO 8601 strings.
 * @param[in] result the result.
 * @param[in] path   the file to write (replaced).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_EIO.
 */
CX_EXTERN int cx_result_export_json(const cx_result *result, const char *path);

/**
 * @brief Replace every text of some columns (customer ids, names) by its
 *        pseudonym under a key (see cx_pseudonym()), so that the result can
 *        be shared without personal data and still joins with other outputs
 *        pseudonymised with the same key.
 *
 * Missing values stay missing. A query result becomes a plain table: the
 * accumulators behind it, which hold the original labels, are dropped, so
 * cx_result_merge() and the other query-only calls refuse it afterwards.
 * The memory that held the replaced texts is zeroed. All or nothing.
 *
 * @param[in] result   the result.
 * @param[in] key      the key.
 * @param[in] key_len  its length in bytes, at least 1.
 * @param[in] ncolumns the number of column names.
 * @param[in] columns  ncolumns names of ::CX_TYPE_STRING columns.
 * @return ::CX_OK, ::CX_EINVAL (also for an unknown column or one that is
 *         not text), ::CX_ENOMEM.
 */
CX_EXTERN int cx_result_pseudonymize(cx_result *result, const void *key, size_t key_len, size_t ncolumns,
                                     const char *const *columns);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
