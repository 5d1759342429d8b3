/**
 * @file metrics.h
 * @brief CX and service metrics (NPS, CSAT, CES, FCR, response and
 *        resolution times, SLA, contact rates, a weighted CX index) computed
 *        by queries that filter and group the store in one pass per table,
 *        with confidence intervals, comparisons and mergeable results.
 */
#ifndef CXKIT_METRICS_H
#define CXKIT_METRICS_H

#include "cxkit/common.h"
#include "cxkit/calendar.h"
#include "cxkit/result.h"
#include "cxkit/store.h"
#include "cxkit/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup metrics Metrics: queries and result tables
 * A ::cx_query names the measures wanted, the filters and the groupings; it
 * runs over a store and gives a ::cx_result, an immutable table with one row
 * per group and typed getters.
 *
 * **Which records feed a measure.** Survey measures (NPS, CSAT, CES) read
 * the feedback table: every answer to a question of that metric. Case
 * measures (FCR, first response, resolution, contacts, reopens, SLA) read the
 * cases table, each case at its opening time. Contact measures (missed and
 * abandoned rate, handle time, repeat contacts) read the interactions whose
 * kind is the *contact kind* ("contact" unless cx_query_set_contact_kind()
 * says otherwise). A query reads each table it needs once, feeding every
 * measure of that table in the same pass.
 *
 * **Dimensions of a record.** For an interaction: its touchpoint, the
 * touchpoint's channel and stage, its agent, its case's priority. For a
 * case: its channel, agent and priority (no touchpoint or stage). For an
 * answer: its touchpoint, else its interaction's touchpoint; the channel of
 * that touchpoint, else of its case; the stage of that touchpoint; the agent
 * of its interaction, else of its case; its case's priority. Segment, region,
 * plan and attributes come from the customer. A record without a value for a
 * grouping dimension falls in a group whose label is missing (NULL); a
 * filter never matches a missing value.
 *
 * **Formulas** (see @ref metrics_page for the full list):
 * - NPS = 100 (promoters - detractors) / answers, promoters 9-10, detractors
 *   0-6; its interval uses the multinomial variance
 *   (p + d - (p - d)^2) / n.
 * - CSAT = share of answers in the top two points of their question's scale
 *   (4-5 on 1-5; the bottom two when low is good); its mean is reported on
 *   the standard 1-5 scale (answers on other scales are oriented so high is
 *   good and rescaled linearly).
 * - CES = mean ease on the standard 1-7 scale (oriented by each question's
 *   declared direction, rescaled linearly), and the "easy" share: answers
 *   beyond the middle of the scale on the easy side (5-7 on 1-7).
 * - FCR = resolved cases that meet the rule / resolved cases; the rule
 *   (cx_query_set_fcr_rule()) is by default: at most 1 contact, never
 *   reopened, and no further inbound contact of the customer within the
 *   window (0: not checked) after the resolution.
 * - First response = first response - opened; resolution = final resolution
 *   - opened (so a reopened case's later cycles count); both in wall-clock
 *   milliseconds, or in business milliseconds under a calendar.
 * - Rates (missed, abandoned, reopen, repeat contact, SLA breach) are shares
 *   with Wilson intervals; means have t intervals.
 *
 * **Quantiles** (median, p90, cx_result_quantile()) are exact, by linear
 * interpolation between order statistics as numpy and pandas do by default,
 * while a group holds at most 4096 values; beyond that they come from a
 * log-bucketed sketch whose relative error is at most 0.5 %.
 *
 * **Threads.** A query and a result are not locked. A query is set up by
 * one thread at a time (its setters need it to themselves); cx_query_run()
 * then only reads the query, its calendar and its store, so any number of
 * threads may run one query at once, while no thread changes the store
 * (see the store's **Threads**). A result is immutable: its const calls
 * (getters, cx_result_quantile(), cx_result_compare(), cx_result_merge(),
 * cx_result_serialize(), the exports) may run concurrently. A run itself
 * starts threads only when cx_query_set_threads() allows more than one,
 * and joins them before it returns; its result is the same for any count.
 * @{ */

/** An opaque query: what to compute, over which records, grouped how. */
typedef struct cx_query cx_query;


/** The measures a query can compute. Values are stable. */
typedef enum cx_measure {
    CX_MEASURE_NPS = 0,            /**< Net Promoter Score, -100..100, from NPS answers. */
    CX_MEASURE_CSAT = 1,           /**< CSAT %: top-two-box share of CSAT answers, and their mean. */
    CX_MEASURE_CES = 2,            /**< CES: mean ease on 1-7, and the easy share. */
    CX_MEASURE_FCR = 3,            /**< First contact resolution %, of resolved cases. */
    CX_MEASURE_FIRST_RESPONSE = 4, /**< First response time of cases, ms. */
    CX_MEASURE_RESOLUTION = 5,     /**< Resolution time of resolved cases, ms. */
    CX_MEASURE_CONTACTS = 6,       /**< Customer contacts per case. */
    CX_MEASURE_REOPEN_RATE = 7,    /**< Share of cases reopened at least once, %. */
    CX_MEASURE_SLA_BREACH = 8,     /**< Share of cases with a target that breached it, %. */
    CX_MEASURE_MISSED_RATE = 9,    /**< Share of contacts missed, %. */
    CX_MEASURE_ABANDON_RATE = 10,  /**< Share of contacts abandoned, %. */
    CX_MEASURE_HANDLE_TIME = 11,   /**< Duration of handled contacts (average handle time), ms. */
    CX_MEASURE_REPEAT_RATE = 12,   /**< Share of inbound contacts followed by another within the window, %. */
    CX_MEASURE_CX_INDEX = 13       /**< Weighted CX index, 0-100 (see cx_query_set_index_weight()). */
} cx_measure;

/** Number of measures. */
#define CX_MEASURE_COUNT 14

/** Dimensions to filter and group by. Values are stable. */
typedef enum cx_dim {
    CX_DIM_CHANNEL = 0,   /**< Channel (a name of ::CX_VOCAB_CHANNEL). */
    CX_DIM_STAGE = 1,     /**< Journey stage (::CX_VOCAB_STAGE). */
    CX_DIM_TOUCHPOINT = 2, /**< Touchpoint name. */
    CX_DIM_SEGMENT = 3,   /**< Customer segment. */
    CX_DIM_REGION = 4,    /**< Customer region. */
    CX_DIM_PLAN = 5,      /**< Customer plan. */
    CX_DIM_AGENT = 6,     /**< Agent. */
    CX_DIM_PRIORITY = 7,  /**< Case priority. */
    CX_DIM_ATTRIBUTE = 8, /**< A free customer attribute: use the _attribute calls. */
    CX_DIM_TIME = 9       /**< A time bucket: use cx_query_group_by_time(). */
} cx_dim;

/** Most grouping dimensions in one query. */
#define CX_QUERY_MAX_GROUPS 4

/**
 * @brief Create a query over a store.
 * The query borrows the store, which must outlive it and any run of it; the
 * query uses the store's allocator.
 * @param[out] out   the query, to free with cx_query_free().
 * @param[in]  store the store.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_query_new(cx_query **out, const cx_store *store);

/**
 * @brief Create the per-agent daily report (seed 001): a query grouped by
 *        agent and by day in a UTC offset, asking for handle time (its
 *        "_n" is the contacts handled, "_total" and "_mean" the handle
 *        times), the missed and abandoned rates (their "_count" columns are
 *        the missed and abandoned contacts, "_n" all contacts), FCR, CSAT and
 *        NPS of the agent's cases and contacts.
 * The query can be refined (a range, filters, the FCR rule) before it runs.
 * @param[out] out            the query, to free with cx_query_free().
 * @param[in]  store          the store.
 * @param[in]  offset_minutes the UTC offset in which days begin, -840 to 840.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_query_new_agent_daily(cx_query **out, const cx_store *store, int offset_minutes);

/**
 * @brief Free a query.
 * @param[in] query the query, or NULL.
 */
CX_EXTERN void cx_query_free(cx_query *query);

/**
 * @brief Ask for a measure (once each; the order of the calls is the order
 *        of the result's columns).
 * Asking for ::CX_MEASURE_CX_INDEX also asks for each measure it weighs.
 * @param[in] query   the query.
 * @param[in] measure a ::cx_measure.
 * @return ::CX_OK, ::CX_EINVAL (bad measure, or asked twice) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_query_add(cx_query *query, cx_measure measure);

/**
 * @brief Group by a dimension (one result row per value).
 * @param[in] query the query.
 * @param[in] dim   a ::cx_dim other than ::CX_DIM_ATTRIBUTE and ::CX_DIM_TIME.
 * @return ::CX_OK, ::CX_EINVAL (bad dimension, already grouped by it) or
 *         ::CX_ELIMIT (more than ::CX_QUERY_MAX_GROUPS groupings).
 */
CX_EXTERN int cx_query_group_by(cx_query *query, cx_dim dim);

/**
 * @brief Group by the value of a free customer attribute.
 * @param[in] query the query.
 * @param[in] key   the attribute's name.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOMEM or ::CX_ELIMIT.
 */
CX_EXTERN int cx_query_group_by_attribute(cx_query *query, const char *key);

/**
 * @brief Group by time bucket of each record's time, in a UTC offset.
 * (Times more than 2^60 ms, about 36 million years, from 1970 fall in the
 * bucket of that bound.)
 * @param[in] query          the query.
 * @param[in] bucket         a ::cx_bucket.
 * @param[in] offset_minutes the UTC offset in which days begin, -840 to 840.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ELIMIT.
 */
CX_EXTERN int cx_query_group_by_time(cx_query *query, cx_bucket bucket, int offset_minutes);

/**
 * @brief Keep only records whose dimension has this value. Several values
 *        for one dimension are alternatives (OR); different dimensions must
 *        all match (AND).
 * A value unknown to the store matches nothing, except in the defined sets
 * (channel, stage, priority) where it is an error found when the query runs.
 * @param[in] query the query.
 * @param[in] dim   a ::cx_dim other than ::CX_DIM_ATTRIBUTE and ::CX_DIM_TIME.
 * @param[in] value the value, non-empty UTF-8.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_query_filter(cx_query *query, cx_dim dim, const char *value);

/**
 * @brief Keep only records of customers whose attribute `key` is `value`
 *        (several calls with one key are alternatives).
 * @param[in] query the query.
 * @param[in] key   the attribute's name.
 * @param[in] value the wanted value.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_query_filter_attribute(cx_query *query, const char *key, const char *value);

/**
 * @brief Keep only records whose time is in [from, to).
 * @param[in] query the query.
 * @param[in] from  first time included, or ::CX_TIME_NONE.
 * @param[in] to    first time excluded, or ::CX_TIME_NONE.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_EORDER (to < from).
 */
CX_EXTERN int cx_query_set_range(cx_query *query, cx_time from, cx_time to);

/**
 * @brief Set the rule of first contact resolution.
 * A resolved case counts as resolved at first contact when it had at most
 * `max_contacts` contacts, was reopened at most `max_reopens` times and,
 * when `window_ms` > 0, the customer made no inbound contact (of the
 * contact kind) within `window_ms` after its resolution.
 * @param[in] query        the query.
 * @param[in] max_contacts >= 1 (default 1).
 * @param[in] max_reopens  >= 0 (default 0).
 * @param[in] window_ms    >= 0 (default 0: not checked).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_query_set_fcr_rule(cx_query *query, int max_contacts, int max_reopens, int64_t window_ms);

/**
 * @brief Set the window of ::CX_MEASURE_REPEAT_RATE: an inbound contact is
 *        a repeat cause when the same customer makes another inbound contact
 *        within this time after it (default 7 days), at a later time: two
 *        contacts at the same time do not follow each other.
 * @param[in] query     the query.
 * @param[in] window_ms > 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_query_set_repeat_window(cx_query *query, int64_t window_ms);

/**
 * @brief How many threads cx_query_run() may use (default 1: the caller's
 *        thread only, so that an embedding host decides).
 *
 * A run reads each table it needs in fixed blocks of 2^18 rows, whose
 * bounds depend only on the table's size (not on the thread count): each
 * block is accumulated on its own and the blocks are merged in block
 * order, as cx_result_merge() merges results. With a count above one,
 * worker threads (at most the count less one, and no more than there are
 * blocks) are started and joined inside cx_query_run(), and take blocks in
 * turn. The result is therefore the same, bit for bit, for every thread
 * count: the same groups, counts, sums, means and quantiles. A table of at
 * most 2^18 rows is one block, read exactly as before this option existed;
 * on a larger table a sum of reals may differ from that older one-pass
 * value in its last bits (floating-point addition is not associative),
 * whatever the thread count. The first error in block order is the one
 * reported.
 *
 * Threads read the store, the query and its calendar at the same time
 * (all only read), and allocate their blocks' accumulators from the
 * store's allocator, which must then be safe to call from several threads
 * at once (malloc, the default, is). No global state.
 *
 * @param[in] query   the query.
 * @param[in] threads 1 or more, or 0 for every online core
 *                    (`sysconf(_SC_NPROCESSORS_ONLN)`); at most 1024.
 * @return ::CX_OK or ::CX_EINVAL (NULL query, a negative count or one
 *         above 1024).
 */
CX_EXTERN int cx_query_set_threads(cx_query *query, int threads);

/**
 * @brief Name the interaction kind that counts as a service contact
 *        (default "contact").
 * @param[in] query the query.
 * @param[in] kind  a name of ::CX_VOCAB_INTERACTION_KIND.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_query_set_contact_kind(cx_query *query, const char *kind);

/**
 * @brief Measure response and resolution times (and SLA targets) in the
 *        business time of a calendar instead of wall-clock time.
 * @param[in] query    the query.
 * @param[in] calendar the calendar, borrowed: it must outlive the query's
 *                     runs; NULL returns to wall-clock time.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_query_set_calendar(cx_query *query, const cx_calendar *calendar);

/**
 * @brief Set an SLA target for cases of a priority and/or channel.
 * A case is judged against the most specific target that matches it
 * (priority and channel, then priority, then channel, then the default
 * target set with both NULL); cases no target matches are not counted by
 * ::CX_MEASURE_SLA_BREACH. A case breaches when its first response or its
 * resolution came later than the target after opening, or has not come and
 * the target has passed at the as-of time (cx_query_set_as_of()). Setting a
 * target again for the same pair replaces it.
 * @param[in] query             the query.
 * @param[in] priority          a priority name, or NULL for any.
 * @param[in] channel           a channel name, or NULL for any.
 * @param[in] first_response_ms target for the first response, or -1 for none.
 * @param[in] resolution_ms     target for the resolution, or -1 for none.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_query_set_sla(cx_query *query, const char *priority, const char *channel,
                               int64_t first_response_ms, int64_t resolution_ms);

/**
 * @brief The time at which pending cases are judged against their SLA
 *        targets. Default: the latest time in the cases table.
 * @param[in] query the query.
 * @param[in] as_of the time, or ::CX_TIME_NONE for the default.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_query_set_as_of(cx_query *query, cx_time as_of);

/**
 * @brief Set the confidence level of the intervals (default 0.95).
 * @param[in] query the query.
 * @param[in] level in (0, 1).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_query_set_confidence(cx_query *query, double level);

/** Default of cx_query_set_min_n(): 30 records (docs/metrics.md says why). */
#define CX_QUERY_MIN_N_DEFAULT 30

/**
 * @brief Set the smallest group size a figure is shown for.
 * Every measure but ::CX_MEASURE_CX_INDEX gets an INT column
 * `<measure>_small` (`nps_small`, `fcr_small`, `resolution_small`, ...):
 * 1 when the group has fewer than `min_n` records for that measure (its
 * `_n`), else 0, so that a report can print "n too small" rather than a
 * precise-looking figure. The figures themselves are still computed. The
 * flag is worked out from n whenever a result is read, merged or
 * deserialised; two results merge only when their minimum is the same.
 * @param[in] query the query.
 * @param[in] min_n at least 0; 0 turns the flag off (always 0). Default
 *                  ::CX_QUERY_MIN_N_DEFAULT.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE (negative).
 */
CX_EXTERN int cx_query_set_min_n(cx_query *query, int64_t min_n);

/**
 * @brief Weigh a measure in ::CX_MEASURE_CX_INDEX.
 * The index of a group is the weighted mean of the normalised measures that
 * have data in that group: NPS mapped from -100..100 to 0..100, CSAT %,
 * the CES easy share %, FCR %, and 100 minus the missed, abandoned, reopen,
 * repeat and SLA breach rates. Only those measures can be weighed. With no
 * weight set, NPS, CSAT, CES and FCR weigh 1 each.
 * @param[in] query   the query.
 * @param[in] measure a measure listed above.
 * @param[in] weight  finite and >= 0 (0 removes it).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_query_set_index_weight(cx_query *query, cx_measure measure, double weight);

/**
 * @brief Run the query.
 * @param[out] out   the result, to free with cx_result_free(); it does not
 *                   depend on the store afterwards.
 * @param[in]  query the query, with at least one measure.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND (a filter names an unknown
 *         channel, stage or priority, or an SLA target does), ::CX_ENOMEM
 *         (the store's allocator refused), ::CX_ELIMIT (more than 2^32 - 2
 *         groups).
 */
CX_EXTERN int cx_query_run(cx_result **out, const cx_query *query);


/**
 * @brief Any quantile of a duration measure (first response, resolution,
 *        handle time, contacts) in one group.
 * @param[out] out     the quantile; NaN when the group has no value.
 * @param[in]  result  the result.
 * @param[in]  row     0 to rows - 1.
 * @param[in]  measure a duration ::cx_measure the result holds.
 * @param[in]  q       in [0, 1].
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND (measure not in the result)
 *         or ::CX_ERANGE.
 */
CX_EXTERN int cx_result_quantile(double *out, const cx_result *result, size_t row, cx_measure measure, double q);

/**
 * @brief Compare one measure between two groups (of one result or of two
 *        results of the same measure, such as two periods).
 * NPS uses the difference of two multinomial NPS estimates; proportions a
 * pooled two-proportion z test; means (CES, durations, contacts) Welch's
 * t test. The difference is group a minus group b, in the measure's unit
 * (points, percentage points, ms...).
 * @param[out] diff    the difference.
 * @param[out] p_value the two-sided p-value; NaN when a group has too little data.
 * @param[in]  a       a result.
 * @param[in]  row_a   its row.
 * @param[in]  b       a result (may be `a`).
 * @param[in]  row_b   its row.
 * @param[in]  measure a measure both results hold (not ::CX_MEASURE_CX_INDEX).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND or ::CX_ERANGE.
 */
CX_EXTERN int cx_result_compare(double *diff, double *p_value, const cx_result *a, size_t row_a,
                                const cx_result *b, size_t row_b, cx_measure measure);

/**
 * @brief Merge two results of the same query run on different data (shards,
 *        periods, stores). Groups are matched by label; counts and rates
 *        come out exactly as if one query had run over all the data,
 *        quantiles within the sketch's bound.
 * @param[out] out the merged result, to free with cx_result_free().
 * @param[in]  a   a result.
 * @param[in]  b   a result of the same measures, groupings and options.
 * @return ::CX_OK, ::CX_EINVAL (different queries), ::CX_ENOMEM,
 *         ::CX_ELIMIT (more than 2^32 - 2 groups) or ::CX_ERANGE (a count
 *         of the merge would pass 2^63 - 1, the largest that
 *         cx_result_get_int() can return, or a sum of scores would overflow:
 *         possible only with deserialised results). The merged result's
 *         memory, and all the merge allocates, comes from `a`'s allocator.
 */
CX_EXTERN int cx_result_merge(cx_result **out, const cx_result *a, const cx_result *b);

/**
 * @brief Serialise a result (its full mergeable state) to a portable,
 *        versioned byte string, independent of the host's byte order.
 * Call once with `buf` NULL (or too small) to learn the size: the call then
 * returns ::CX_EBUFSIZE with `*out_len` set.
 * @param[out] out_len the number of bytes written (or needed).
 * @param[in]  result  the result.
 * @param[out] buf     where to write, or NULL.
 * @param[in]  cap     the size of `buf`.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EBUFSIZE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_result_serialize(size_t *out_len, const cx_result *result, void *buf, size_t cap);

/**
 * @brief Read a result back from cx_result_serialize()'s bytes.
 * @param[out] out  the result, to free with cx_result_free(); it uses malloc.
 * @param[in]  data the bytes.
 * @param[in]  len  their number.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EPARSE (corrupt or truncated, or a
 *         count beyond 2^63 - 1), ::CX_EVERSION (a newer format) or
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_result_deserialize(cx_result **out, const void *data, size_t len);


/** @} */

/** @defgroup monitor Live monitoring
 * The "monitoring screens" of seed 001: a monitor keeps running totals over
 * a sliding time window (the last 15 minutes, the last 24 hours...) fed
 * event by event, each add and each read in amortised O(1).
 *
 * A reading at time `now` covers the events with `now - window < t <= now`,
 * the same records as a query with the range [now - window + 1, now + 1)
 * (times are in milliseconds), except that a case counts at its resolution
 * time where a query counts it at its opening time: the two agree on cases
 * opened and resolved within the window. Events must arrive in time order (equal
 * times are fine) and reads must not go back in time, since events that
 * leave the window are forgotten. The formulas are those of the @ref metrics module, so
 * a monitor and a query over the same window give the same figures.
 * Times (of events and reads) are in years 0000-9999, as a store's
 * (::CX_ERANGE otherwise), and durations at most that span; a window longer
 * than it holds every time, as one of exactly that span.
 *
 * A monitor is not locked: use it from one thread at a time.
 * @{ */

/** An opaque sliding-window monitor. */
typedef struct cx_monitor cx_monitor;

/**
 * @brief Create a monitor using malloc.
 * @param[out] out       the monitor, to free with cx_monitor_free().
 * @param[in]  window_ms the window's length, > 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_monitor_new(cx_monitor **out, int64_t window_ms);

/**
 * @brief Create a monitor whose memory comes from `alloc`.
 * @param[out] out       the monitor, to free with cx_monitor_free().
 * @param[in]  window_ms the window's length, > 0.
 * @param[in]  alloc     the allocation function (see ::cx_alloc_fn), or NULL
 *                       for malloc, realloc and free (as cx_monitor_new()).
 * @param[in]  ud        passed to every call of `alloc` (unused when `alloc`
 *                       is NULL).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_monitor_new_with_allocator(cx_monitor **out, int64_t window_ms, cx_alloc_fn alloc, void *ud);

/**
 * @brief Free a monitor.
 * @param[in] monitor the monitor, or NULL.
 */
CX_EXTERN void cx_monitor_free(cx_monitor *monitor);

/**
 * @brief Feed a survey answer.
 * @param[in] monitor          the monitor.
 * @param[in] time             when it was given (not before the last event).
 * @param[in] metric           ::CX_METRIC_NPS, ::CX_METRIC_CSAT or ::CX_METRIC_CES.
 * @param[in] score            the answer, within the scale (an integer 0-10 for NPS).
 * @param[in] scale_min        the question's lowest answer.
 * @param[in] scale_max        the question's highest answer, > `scale_min`.
 * @param[in] higher_is_better 1 when a high answer is good (easy), else 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_EORDER or ::CX_ENOMEM.
 */
CX_EXTERN int cx_monitor_add_answer(cx_monitor *monitor, cx_time time, cx_metric metric, double score, double scale_min,
                                    double scale_max, int higher_is_better);

/**
 * @brief Feed a service contact (an interaction of the contact kind).
 * @param[in] monitor     the monitor.
 * @param[in] time        when it happened (not before the last event).
 * @param[in] outcome     a ::cx_outcome.
 * @param[in] duration_ms its duration, >= 0 (the handle time when handled).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_EORDER or ::CX_ENOMEM.
 */
CX_EXTERN int cx_monitor_add_contact(cx_monitor *monitor, cx_time time, cx_outcome outcome, int64_t duration_ms);

/**
 * @brief Feed a case when it is resolved, at its resolution time: it counts
 *        for resolution time, first response time and FCR (at most one
 *        contact and never reopened).
 * @param[in] monitor        the monitor.
 * @param[in] resolved       the resolution time (not before the last event).
 * @param[in] opened         when it was opened, <= `resolved`.
 * @param[in] first_response the first response, or ::CX_TIME_NONE.
 * @param[in] contacts       its contacts, >= 0.
 * @param[in] reopens        times reopened, >= 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_EORDER or ::CX_ENOMEM.
 */
CX_EXTERN int cx_monitor_add_case(cx_monitor *monitor, cx_time resolved, cx_time opened, cx_time first_response,
                                  int contacts, int reopens);

/**
 * @brief Read a measure over the window ending at `now`.
 * Monitored: NPS, CSAT (%), CES (mean on 1-7), FCR (%), first response and
 * resolution (mean ms, of the cases resolved in the window), missed and
 * abandoned rate (%) and handle time (mean ms).
 * @param[out] out     the value; NaN when the window has no data for it.
 * @param[out] n       the number of observations behind it; may be NULL.
 * @param[in]  monitor the monitor.
 * @param[in]  now     the end of the window: not before the last read nor
 *                     the last event.
 * @param[in]  measure a monitored ::cx_measure.
 * @return ::CX_OK, ::CX_EINVAL (not monitored), ::CX_ERANGE (`now` outside
 *         years 0000-9999) or ::CX_EORDER.
 */
CX_EXTERN int cx_monitor_read(double *out, uint64_t *n, cx_monitor *monitor, cx_time now, cx_measure measure);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
