/**
 * @file time.h
 * @brief ISO-8601 parsing and printing of ::cx_time values.
 */
#ifndef CXKIT_TIME_H
#define CXKIT_TIME_H

#include "cxkit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @addtogroup base
 * @{ */

/** The largest UTC offset, in minutes, that any call accepts or reads in a
 *  time: offsets run from -CX_UTC_OFFSET_MAX to +CX_UTC_OFFSET_MAX (±14:00). */
#define CX_UTC_OFFSET_MAX 840

/** Time buckets: periods of query groups (cx_query_group_by_time()), cohorts
 *  and every result column of periods, each taken in a UTC offset. */
typedef enum cx_bucket {
    CX_BUCKET_DAY = 0,     /**< Calendar day. */
    CX_BUCKET_WEEK = 1,    /**< ISO 8601 week, Monday to Sunday. */
    CX_BUCKET_MONTH = 2,   /**< Calendar month. */
    CX_BUCKET_QUARTER = 3, /**< Calendar quarter. */
    CX_BUCKET_YEAR = 4     /**< Calendar year. */
} cx_bucket;

/** Bytes enough for any text cx_time_format() writes, NUL included. */
#define CX_TIME_FORMAT_MAX 40

/**
 * @brief Parse an ISO-8601 date or date-time into a ::cx_time.
 *
 * Accepted forms (the separator between date and time may be `T`, `t` or a
 * space):
 * - `YYYY-MM-DD` (midnight);
 * - `YYYY-MM-DDThh:mm`, `YYYY-MM-DDThh:mm:ss`, `YYYY-MM-DDThh:mm:ss.f...`
 *   (fraction truncated to milliseconds);
 * - any of those followed by `Z`, `±hh:mm`, `±hhmm` or `±hh`.
 *
 * A time without an offset is taken as UTC. Years 0000 to 9999 are accepted.
 * Leading or trailing blanks are an error, as is any field out of range
 * (month 13, 31 April, hour 24, offset beyond ±14:00).
 *
 * @param[out] out  the time; written only on success.
 * @param[in]  text the text, not necessarily NUL-terminated.
 * @param[in]  len  the number of bytes of `text` to parse.
 * @return ::CX_OK, ::CX_EINVAL for a NULL pointer, ::CX_EPARSE with the
 *         position and reason in cx_last_error() otherwise.
 *
 * Thread-safe.
 */
CX_EXTERN int cx_time_parse(cx_time *out, const char *text, size_t len);

/**
 * @brief Print a ::cx_time as ISO-8601 in a given UTC offset.
 *
 * Writes `YYYY-MM-DDThh:mm:ss` followed by `.mmm` when the milliseconds are
 * not zero, then `Z` for offset 0 or `±hh:mm` otherwise. cx_time_parse() reads
 * it back to the same value.
 *
 * @param[out] buf            where to write; NUL-terminated on success.
 * @param[in]  cap            the size of `buf` in bytes; ::CX_TIME_FORMAT_MAX is always enough.
 * @param[in]  t              the time; ::CX_TIME_NONE is an error.
 * @param[in]  offset_minutes the UTC offset to print in, -::CX_UTC_OFFSET_MAX to ::CX_UTC_OFFSET_MAX (180 for +03:00).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (time outside years 0000-9999,
 *         or a bad offset) or ::CX_EBUFSIZE.
 *
 * Thread-safe.
 */
CX_EXTERN int cx_time_format(char *buf, size_t cap, cx_time t, int offset_minutes);

/**
 * @brief Build a UTC ::cx_time from calendar fields.
 * @param[out] out   the time.
 * @param[in]  year  0 to 9999.
 * @param[in]  month 1 to 12.
 * @param[in]  day   1 to the length of that month.
 * @param[in]  hour  0 to 23.
 * @param[in]  min   0 to 59.
 * @param[in]  sec   0 to 59.
 * @return ::CX_OK, ::CX_EINVAL for a NULL pointer or ::CX_ERANGE.
 *
 * Thread-safe.
 */
CX_EXTERN int cx_time_from_utc(cx_time *out, int year, int month, int day,
                               int hour, int min, int sec);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
