/**
 * @file calendar.h
 * @brief Business-hours calendars: opening hours per weekday, holidays, and
 *        durations and due times counted in open time only.
 */
#ifndef CXKIT_CALENDAR_H
#define CXKIT_CALENDAR_H

#include "cxkit/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup calendar Calendar: business hours
 *
 * A ::cx_calendar says when a service desk is open, so that response and
 * resolution times can be measured in business hours and SLA due times
 * computed, as helpdesks do.
 *
 * **Model.** A calendar lives in one fixed UTC offset (no daylight-saving
 * changes; a region that changes its offset needs one calendar per period).
 * It has weekly opening hours, given per ISO weekday (1 = Monday to
 * 7 = Sunday) as half-open intervals of minutes of the local day
 * `[start, end)`, and holidays: local calendar days that are closed all day.
 * A new calendar is closed all week. Intervals that overlap or touch are
 * merged, so adding hours is a union; an interval ending at 1440 and one
 * starting at 0 the next day make one stretch of open time across midnight.
 * Open time is counted to the millisecond: a desk open 09:00-17:00 is open at
 * 09:00:00.000 and at 16:59:59.999, closed at 17:00:00.000. Queries accept
 * any ::cx_time except ::CX_TIME_NONE, before 1970 included.
 *
 * **Cost.** cx_calendar_business_ms() and cx_calendar_add_business_ms() take
 * time logarithmic in the number of intervals and holidays, whatever the
 * length of the span (whole weeks are counted at once, holidays through
 * prefix sums), so spans of years cost the same as spans of hours.
 *
 * **Threads.** A calendar is not locked. It is meant to be set up once, then
 * only read: calls that take a `const cx_calendar *` may run concurrently
 * from several threads as long as no thread modifies the calendar meanwhile;
 * calls that take a `cx_calendar *` need it to themselves.
 *
 * **Failure.** Every call checks all of its arguments before it changes
 * anything, and a call that fails (out of memory included) leaves the
 * calendar and its out-parameter exactly as they were.
 * @{ */

/** An opaque business-hours calendar. */
typedef struct cx_calendar cx_calendar;

/**
 * @brief Create a calendar, closed all week, using malloc, realloc and free.
 * @param[out] out            the new calendar, to free with cx_calendar_free().
 * @param[in]  offset_minutes the calendar's UTC offset in minutes, -840 to 840
 *                            (180 for +03:00, -300 for -05:00).
 * @return ::CX_OK, ::CX_EINVAL for a NULL `out`, ::CX_ERANGE for an offset
 *         beyond ±14:00, or ::CX_ENOMEM.
 *
 * Thread-safe.
 */
CX_EXTERN int cx_calendar_new(cx_calendar **out, int offset_minutes);

/**
 * @brief Create a calendar, closed all week, whose memory all comes from `alloc`.
 * @param[out] out            the new calendar, to free with cx_calendar_free().
 * @param[in]  offset_minutes the calendar's UTC offset in minutes, -840 to 840.
 * @param[in]  alloc          the allocation function (see ::cx_alloc_fn), or
 *                            NULL for malloc, realloc and free; it is called
 *                            from whichever thread uses the calendar.
 * @param[in]  ud             passed to every call of `alloc` (unused when
 *                            `alloc` is NULL).
 * @return ::CX_OK, ::CX_EINVAL for a NULL `out`, ::CX_ERANGE for an offset
 *         beyond ±14:00, or ::CX_ENOMEM.
 *
 * Thread-safe.
 */
CX_EXTERN int cx_calendar_new_with_allocator(cx_calendar **out, int offset_minutes,
                                             cx_alloc_fn alloc, void *ud);

/**
 * @brief Free a calendar.
 * @param[in] cal the calendar, or NULL (then nothing happens).
 */
CX_EXTERN void cx_calendar_free(cx_calendar *cal);

/**
 * @brief Open the calendar every week on one weekday from `start_minute` to
 *        `end_minute` local time.
 *
 * The interval is added to the hours already there (a union): several
 * intervals per day are allowed (09:00-12:00 and 13:00-17:00 for a lunch
 * break), and overlapping or touching intervals are merged.
 *
 * @param[in,out] cal          the calendar.
 * @param[in]     weekday      the ISO weekday: 1 = Monday to 7 = Sunday.
 * @param[in]     start_minute the opening minute of the local day, 0 to 1439
 *                             (540 for 09:00).
 * @param[in]     end_minute   the closing minute, after `start_minute`, up to
 *                             1440 (midnight at the end of the day).
 * @return ::CX_OK, ::CX_EINVAL for a NULL calendar, ::CX_ERANGE for a weekday
 *         or minute out of range, ::CX_EORDER when `end_minute` is not after
 *         `start_minute`, or ::CX_ENOMEM.
 */
CX_EXTERN int cx_calendar_add_hours(cx_calendar *cal, int weekday, int start_minute, int end_minute);

/**
 * @brief Close the calendar for a whole local calendar day.
 *
 * The day, from 00:00 to 24:00 in the calendar's offset, has no open time
 * whatever its weekday's hours. Adding a day that is already a holiday
 * succeeds and changes nothing.
 *
 * @param[in,out] cal   the calendar.
 * @param[in]     year  0 to 9999.
 * @param[in]     month 1 to 12.
 * @param[in]     day   1 to the length of that month.
 * @return ::CX_OK, ::CX_EINVAL for a NULL calendar, ::CX_ERANGE for a date
 *         that does not exist, or ::CX_ENOMEM.
 */
CX_EXTERN int cx_calendar_add_holiday(cx_calendar *cal, int year, int month, int day);

/**
 * @brief Whether the calendar is open at an instant.
 * @param[out] out 1 when `t` is within open hours on a day that is not a
 *                 holiday, else 0.
 * @param[in]  cal the calendar.
 * @param[in]  t   the instant; ::CX_TIME_NONE is an error.
 * @return ::CX_OK or ::CX_EINVAL (NULL pointer or ::CX_TIME_NONE).
 *
 * Thread-safe on a calendar no thread modifies.
 */
CX_EXTERN int cx_calendar_is_open(int *out, const cx_calendar *cal, cx_time t);

/**
 * @brief The open time between two instants: a duration in business hours.
 *
 * Counts the milliseconds of `[from, to)` that fall within open hours on days
 * that are not holidays; closed time at either end counts nothing, and
 * `from == to` gives 0.
 *
 * @param[out] out  the open time in milliseconds, >= 0.
 * @param[in]  cal  the calendar.
 * @param[in]  from the start, included.
 * @param[in]  to   the end, excluded; not before `from`.
 * @return ::CX_OK, ::CX_EINVAL (NULL pointer or ::CX_TIME_NONE),
 *         ::CX_EORDER when `to` is before `from`, or ::CX_ERANGE when the
 *         result does not fit in an `int64_t` (only for spans of hundreds of
 *         millions of years).
 *
 * Thread-safe on a calendar no thread modifies.
 */
CX_EXTERN int cx_calendar_business_ms(int64_t *out, const cx_calendar *cal, cx_time from, cx_time to);

/**
 * @brief The instant when a given amount of open time has elapsed: an SLA
 *        due time.
 *
 * Gives the earliest instant `t >= from` such that
 * cx_calendar_business_ms() of `[from, t)` equals `ms`. So the result is
 * `from` itself for `ms == 0`, and otherwise always an instant within or at
 * the end of open hours: 1 hour after 16:00 on a day open until 17:00 is
 * 17:00 that day, not the next opening.
 *
 * @param[out] out  the due time.
 * @param[in]  cal  the calendar.
 * @param[in]  from the start.
 * @param[in]  ms   the open time to let elapse, in milliseconds, >= 0.
 * @return ::CX_OK, ::CX_EINVAL (NULL pointer or ::CX_TIME_NONE), or
 *         ::CX_ERANGE when `ms` is negative, when the calendar has no open
 *         hours at all (and `ms` > 0), or when the due time is beyond the
 *         largest ::cx_time.
 *
 * Thread-safe on a calendar no thread modifies.
 */
CX_EXTERN int cx_calendar_add_business_ms(cx_time *out, const cx_calendar *cal, cx_time from, int64_t ms);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
