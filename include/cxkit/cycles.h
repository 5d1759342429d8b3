/**
 * @file cycles.h
 * @brief Service cycles: a case-event log (opened, resolved, reopened) and
 *        each case's cycles as rows, so that resolution time is measured
 *        per cycle, not only for the case as a whole.
 */
#ifndef CXKIT_CYCLES_H
#define CXKIT_CYCLES_H

#include <stddef.h>
#include <stdint.h>

#include "cxkit/common.h"
#include "cxkit/result.h"
#include "cxkit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup cycles Service cycles
 *
 * A store's case keeps its opening, its last resolution and a count of
 * reopenings (::CX_CASE_OPENED, ::CX_CASE_RESOLVED, ::CX_CASE_REOPENS): it
 * cannot say when each cycle opened and closed. A ::cx_case_events log
 * holds the status changes a helpdesk exports (Zendesk ticket audits,
 * Freshdesk activities): for each case, when it was opened, resolved and
 * reopened. cx_cycles_run() turns it into one row per **cycle**: cycle 1
 * runs from the opening to the first resolution, cycle k + 1 from the k-th
 * reopening to the next resolution. cx_cycles_summary() compares cycles by
 * number ("second cycles take twice as long"), cx_cycles_check() lists
 * what the log and the store disagree on.
 *
 * **Order.** The events of a case may be added in any order. They are
 * sorted by time; events of one case at the same millisecond keep the
 * order in which they were added (the order of the helpdesk's audit log,
 * whose clock often has only seconds).
 *
 * **Inconsistent sequences.** Each case is read as a state machine
 * (none -> open -> resolved -> open -> ...). An event that does not fit is
 * **ignored** and counted in the `ignored_events` column of the cycle it
 * falls in (by default), or makes the call fail with ::CX_EORDER naming
 * the case, the time and the rule (cx_cycles_options_set_strict()):
 * - an event before the case's first `opened` ("before the opening"):
 *   counted on cycle 1;
 * - `opened` again after the opening ("opened again": use `reopened`);
 * - `resolved` while resolved ("resolved twice"): the cycle keeps its
 *   first resolution, the one the customer was told about;
 * - `reopened` while open ("reopened while open").
 *
 * A case with events but no `opened` gives no rows. cx_cycles_check()
 * lists every ignored event and every such case, with the reason.
 *
 * **With a store.** Each row takes the case's customer, channel, priority
 * and agent from the store, and `store_check` compares the log with the
 * case: the number of reopenings (::CX_CASE_REOPENS), the opening
 * (::CX_CASE_OPENED) and the last resolution (::CX_CASE_RESOLVED, missing
 * when the last cycle is open). Events of cases the store does not hold
 * are dropped, so that the log cannot bring back the cases of customers
 * erased with cx_customer_forget() (their cases go with them), and listed
 * by cx_cycles_check(); in strict mode they fail the call with
 * ::CX_ENOTFOUND. cx_case_events_prune() erases them from the log itself.
 *
 * **Threads.** A log is changed by one thread at a time; the analyses
 * only read it (and the store), so any number of threads may run them on
 * one log at once while nothing changes it.
 * @{ */

/** What a case event records. */
typedef enum cx_case_event_kind {
    CX_CASE_EVENT_OPENED = 0,   /**< The case was opened ("opened"). */
    CX_CASE_EVENT_RESOLVED = 1, /**< The case was resolved or solved ("resolved"). */
    CX_CASE_EVENT_REOPENED = 2  /**< A resolved case was reopened ("reopened"). */
} cx_case_event_kind;

/** Number of ::cx_case_event_kind values. */
#define CX_CASE_EVENT_KIND_COUNT 3

/** How cx_cycles_summary() groups the cycles beside their number. */
typedef enum cx_cycles_by {
    CX_CYCLES_BY_NONE = 0,     /**< Only by cycle number. */
    CX_CYCLES_BY_CHANNEL = 1,  /**< The case's channel (from the store). */
    CX_CYCLES_BY_PRIORITY = 2, /**< The case's priority (from the store). */
    CX_CYCLES_BY_AGENT = 3     /**< The cycle's agent (see cx_cycles_run()). */
} cx_cycles_by;

/**
 * @brief The name of an event kind: "opened", "resolved", "reopened".
 * @param[out] out  a static string.
 * @param[in]  kind a ::cx_case_event_kind.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_case_event_kind_name(const char **out, int kind);

/**
 * @brief The event kind of a name, as cx_case_event_kind_name() gives it
 *        (ASCII case ignored; "solved" and "reopen" are also accepted).
 * @param[out] out  a ::cx_case_event_kind.
 * @param[in]  name the name.
 * @return ::CX_OK, ::CX_EINVAL (NULL) or ::CX_ENOTFOUND.
 */
CX_EXTERN int cx_case_event_kind_find(int *out, const char *name);

/** An opaque log of case events. */
typedef struct cx_case_events cx_case_events;

/**
 * @brief Create an empty log that allocates with malloc.
 * @param[out] out the log, to free with cx_case_events_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_case_events_new(cx_case_events **out);

/**
 * @brief Create an empty log that allocates through `alloc` (see
 *        ::cx_alloc_fn; NULL for malloc). The analyses of the log
 *        allocate their work and their results from it too.
 * @param[out] out   the log, to free with cx_case_events_free().
 * @param[in]  alloc the allocator, or NULL.
 * @param[in]  ud    passed to every call of alloc.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_case_events_new_with_allocator(cx_case_events **out, cx_alloc_fn alloc, void *ud);

/**
 * @brief Free a log; the memory of its case ids and agent names is zeroed
 *        first.
 * @param[in] events the log, or NULL.
 */
CX_EXTERN void cx_case_events_free(cx_case_events *events);

/**
 * @brief Number of events in the log.
 * @param[in] events the log; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_case_events_count(const cx_case_events *events);

/**
 * @brief Number of distinct cases in the log.
 * @param[in] events the log; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_case_events_case_count(const cx_case_events *events);

/**
 * @brief Add one event.
 * @param[in] events  the log.
 * @param[in] case_id the case's id (as in the store's ::CX_CASE_ID):
 *                    non-empty UTF-8.
 * @param[in] time    when, in years 0000-9999 (::CX_ERANGE otherwise).
 * @param[in] kind    a ::cx_case_event_kind.
 * @param[in] agent   the agent who made the change (the one who resolved
 *                    a cycle is its agent), non-empty UTF-8, or NULL.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_ELIMIT (2^32 - 2 events)
 *         or ::CX_ENOMEM; the log is unchanged on failure.
 */
CX_EXTERN int cx_case_events_add(cx_case_events *events, const char *case_id, cx_time time, int kind,
                                 const char *agent);

/**
 * @brief Add the events of a CSV file, all or nothing.
 *
 * RFC 4180 CSV in UTF-8 (a byte-order mark is skipped; LF or CRLF; fields
 * with commas, quotes or line breaks in double quotes), with a header line
 * naming the columns: `case`, `time` (ISO 8601, see cx_time_parse()) and
 * `event` (a name cx_case_event_kind_find() knows), and optionally `agent`
 * (empty for none). Other columns are ignored; blank lines are skipped. As
 * in cx_import_csv(), one apostrophe before a text a spreadsheet would run
 * as a formula (what CXKit's CSV writers add) is taken away. A
 * refused row fails the import, naming the file, the line, the column
 * (number and name) and why, and the log is then unchanged.
 * @param[in] events the log.
 * @param[in] file   the file's path.
 * @return ::CX_OK, ::CX_EINVAL (a bad argument, a missing column, a bad
 *         row), ::CX_ERANGE (a time out of range), ::CX_EIO (the file
 *         cannot be read), ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_case_events_import_csv(cx_case_events *events, const char *file);

/**
 * @brief Erase from the log the events of every case the store does not
 *        hold (after cx_customer_forget(), the cases of the forgotten
 *        customers): their case ids and agent names are zeroed in memory.
 *        All or nothing.
 * @param[out] out_removed the number of events removed; may be NULL.
 * @param[in]  events      the log.
 * @param[in]  store       the store.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM (the log unchanged).
 */
CX_EXTERN int cx_case_events_prune(size_t *out_removed, cx_case_events *events, const cx_store *store);

/** Opaque options of the cycle analyses. */
typedef struct cx_cycles_options cx_cycles_options;

/**
 * @brief New options: not strict, no grouping.
 * @param[out] out the options, to free with cx_cycles_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cycles_options_new(cx_cycles_options **out);

/**
 * @brief Free options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_cycles_options_free(cx_cycles_options *options);

/**
 * @brief Fail on the first inconsistent sequence (::CX_EORDER) or case not
 *        in the store (::CX_ENOTFOUND) instead of ignoring it.
 * @param[in] options the options.
 * @param[in] strict  0 (the default) or 1.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_cycles_options_set_strict(cx_cycles_options *options, int strict);

/**
 * @brief Group the summary by channel, priority or agent beside the cycle
 *        number (channel and priority need a store).
 * @param[in] options the options.
 * @param[in] by      a ::cx_cycles_by.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_cycles_options_set_group(cx_cycles_options *options, int by);

/**
 * @brief One row per cycle of every case.
 *
 * | column | type | what |
 * |---|---|---|
 * | `case` | STRING | the case id |
 * | `customer`, `channel`, `priority` | STRING | from the store's case (missing without a store) |
 * | `agent` | STRING | the agent of the cycle's resolution event, else of its opening or reopening event, else the store's case agent |
 * | `cycle` | INT | 1 for the first opening, k + 1 after the k-th reopening |
 * | `opened` | TIME | the opening or reopening |
 * | `resolved` | TIME | the resolution; missing while open |
 * | `duration_ms` | REAL | resolved - opened; NaN while open |
 * | `reopen_lag_ms` | REAL | opened - the previous cycle's resolution; NaN for cycle 1 |
 * | `reopened` | INT | 1 when a reopening followed this cycle's resolution |
 * | `ignored_events` | INT | events of the cycle that did not fit (see above) |
 * | `case_reopens` | INT | reopenings of the case in the log (cycles - 1) |
 * | `store_check` | STRING | "ok", or what differs from the store's case ("reopens: store 2, log 1", "opened differs", "resolved differs", joined by "; "); missing without a store |
 *
 * Rows come by case id (byte order), then cycle. Times are in UTC.
 * @param[out] out     the result, to free with cx_result_free().
 * @param[in]  events  the log.
 * @param[in]  store   a store whose cases the log's case ids name, or NULL.
 * @param[in]  options options, or NULL for the defaults.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EORDER or ::CX_ENOTFOUND (strict),
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_cycles_run(cx_result **out, const cx_case_events *events, const cx_store *store,
                            const cx_cycles_options *options);

/**
 * @brief Cycles compared by number: one row per cycle number (and group,
 *        with cx_cycles_options_set_group()).
 *
 * | column | type | what |
 * |---|---|---|
 * | `channel`, `priority` or `agent` | STRING | the group (only when grouped; missing label first) |
 * | `cycle` | INT | the cycle number |
 * | `cycles` | INT | cycles of that number |
 * | `resolved` | INT | of them, resolved |
 * | `open` | INT | of them, still open (left out of the times: they are censored) |
 * | `mean_ms`, `median_ms`, `p90_ms` | REAL | resolution time of the resolved ones; quantiles by linear interpolation between order statistics (numpy's default); NaN when none |
 * | `reopened` | INT | resolved cycles that were reopened |
 * | `reopen_share` | REAL | reopened / resolved; NaN when none resolved |
 * | `median_lag_ms` | REAL | median time from the previous resolution to this reopening; NaN for cycle 1 |
 * | `ratio_to_first` | REAL | median_ms / the median_ms of cycle 1 of the same group: 2 when these cycles take twice as long as first cycles; NaN when the group has no resolved first cycle (grouped by agent, an agent who only took later cycles) |
 *
 * Rows come by group then cycle.
 * @param[out] out     the result, to free with cx_result_free().
 * @param[in]  events  the log.
 * @param[in]  store   the store, or NULL (then only ::CX_CYCLES_BY_NONE
 *                     and ::CX_CYCLES_BY_AGENT, from the events' agents).
 * @param[in]  options options, or NULL for the defaults.
 * @return as cx_cycles_run(); ::CX_EINVAL also for a grouping that needs
 *         a store without one.
 */
CX_EXTERN int cx_cycles_summary(cx_result **out, const cx_case_events *events, const cx_store *store,
                                const cx_cycles_options *options);

/**
 * @brief What cx_cycles_run() ignores or drops, and where the log and the
 *        store disagree: one row per problem.
 *
 * Columns: `case` (STRING), `time` (TIME; missing for a problem of the
 * whole case), `event` (STRING: the event kind, missing for the whole
 * case) and `problem` (STRING): "before the opening", "opened again",
 * "resolved twice", "reopened while open", "no opening", "case not in the
 * store", or a `store_check` text. Rows come by case, then time.
 * @param[out] out    the result, to free with cx_result_free().
 * @param[in]  events the log.
 * @param[in]  store  the store, or NULL.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cycles_check(cx_result **out, const cx_case_events *events, const cx_store *store);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
