/**
 * @file lifecycle.h
 * @brief Lifecycle and value: cohorts and retention, Kaplan-Meier survival
 *        with the log-rank test, RFM scores and segments, and the
 *        probability models of customer value (BG/NBD, Pareto/NBD,
 *        Gamma-Gamma, BG/BB, shifted-beta-geometric) with CLV.
 */
#ifndef CXKIT_LIFECYCLE_H
#define CXKIT_LIFECYCLE_H

#include "cxkit/common.h"
#include "cxkit/metrics.h"
#include "cxkit/result.h"
#include "cxkit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup lifecycle Lifecycle: cohorts, retention, survival, RFM
 * Analyses of the customer relationship over time, read from a store.
 *
 * **Activity.** A customer is *active* at the times of the records named by
 * a ::cx_activity mask: purchases (transactions) and/or inbound
 * interactions (contacts and visits the customer started). Outbound
 * messages (newsletters, offers) are not the customer's activity.
 *
 * **Periods** are calendar buckets (::cx_bucket: day, ISO week, month,
 * quarter, year) in a UTC offset, as in the metrics module.
 *
 * The analyses of a store return a ::cx_result (result.h): one table with
 * named, typed columns, documented with each call, in a documented row
 * order. Every call checks all its arguments and allocates with the
 * store's allocator (options handles, made without a store, use the
 * default one); a failed call returns a negative ::cx_status, sets the
 * last error, creates nothing and leaves `*out` NULL. Results are
 * immutable and independent of the store (they hold copies of the ids);
 * their const getters may run concurrently.
 *
 * **Threads.** The analyses only read the store (see the store's
 * **Threads**) and the handles they are given: options, summaries, model
 * data, models, survival curves and care rules, once set up, may be used
 * by several threads at once through the calls that take them `const`
 * (fits, predictions, CLV, the health score and the care list included);
 * their setters and `_free` need them to themselves.
 * @{ */

/** Which records count as a customer's activity (a bit mask). */
typedef enum cx_activity {
    CX_ACTIVITY_TRANSACTIONS = 1, /**< Purchases. */
    CX_ACTIVITY_INBOUND = 2       /**< Inbound interactions (started by the customer). */
} cx_activity;

/** What starts a customer's cohort. */
typedef enum cx_cohort_start {
    CX_COHORT_FIRST_ACTIVITY = 0, /**< The period of the first activity. */
    CX_COHORT_ACQUIRED = 1        /**< The period of the acquisition time; customers without one are left out, and activity before it is ignored. */
} cx_cohort_start;

/** Opaque options of a cohort table: which records are activity, what
 *  starts a cohort, and the calendar periods. Made without a store
 *  (default allocator); not shared between threads while being changed. */
typedef struct cx_cohorts_options cx_cohorts_options;

/** Most calendar periods a cohort table spans (cx_cohorts_run()): its rows,
 *  one per cohort and period since its start, are P(P+1)/2, at most about
 *  2.1 million. 2048 periods are 5.6 years of days, 39 of weeks, 170 of
 *  months. */
#define CX_COHORTS_MAX_PERIODS 2048

/**
 * @brief New cohort options with the defaults: activity
 *        ::CX_ACTIVITY_TRANSACTIONS, start ::CX_COHORT_FIRST_ACTIVITY,
 *        bucket ::CX_BUCKET_MONTH, offset 0 (UTC).
 * @param[out] out the options, to free with cx_cohorts_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cohorts_options_new(cx_cohorts_options **out);

/**
 * @brief Free cohort options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_cohorts_options_free(cx_cohorts_options *options);

/**
 * @brief Set which records count as activity.
 * @param[in] options  the options.
 * @param[in] activity a non-empty mask of ::cx_activity bits (an int: a
 *                     mask of two bits is no single enum value).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_cohorts_options_set_activity(cx_cohorts_options *options, int activity);

/**
 * @brief Set what starts a customer's cohort.
 * @param[in] options the options.
 * @param[in] start   a ::cx_cohort_start.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_cohorts_options_set_start(cx_cohorts_options *options, cx_cohort_start start);

/**
 * @brief Set the calendar period of cohorts and of the periods since start.
 * @param[in] options the options.
 * @param[in] bucket  a ::cx_bucket.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_cohorts_options_set_bucket(cx_cohorts_options *options, cx_bucket bucket);

/**
 * @brief Set the UTC offset in which periods begin (and are labelled).
 * @param[in] options        the options.
 * @param[in] offset_minutes -840 to 840.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_cohorts_options_set_offset(cx_cohorts_options *options, int offset_minutes);

/**
 * @brief Build the cohort and retention table of a store.
 *
 * Each customer with activity belongs to the cohort of its start period.
 * Cohorts exist for every calendar period from the first to the last one
 * with data, even an empty one. The result is in long format: one row per
 * cohort and period since its start (0, 1, 2, ...) up to the last observed
 * calendar period (a triangle), ordered by cohort, then period.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `cohort` | TIME | the first instant of the cohort's period (printed in the offset) |
 * | `cohort_label` | STRING | its label in the offset: "2024-05", "2024-W19", "2024-Q2", ... |
 * | `period` | INT | periods since the cohort's start: 0, 1, 2, ... |
 * | `period_start` | TIME | the first instant of that calendar period |
 * | `period_label` | STRING | its label |
 * | `size` | INT | customers in the cohort |
 * | `active` | INT | of them, active in the period |
 * | `retention` | REAL | active / size; NaN for an empty cohort |
 * | `gained` | INT | customers who joined in the period: size in period 0, else 0 |
 * | `kept` | INT | of the cohort, active in this period and the one before |
 * | `lost` | INT | of the cohort, active in the period before and not in this one |
 * | `churn` | REAL | lost / (active in the period before); NaN in period 0 or when nobody was |
 *
 * The calendar flows of the whole base (customers active, gained, kept
 * and lost in a calendar period) are the sums of `active`, `gained`,
 * `kept` and `lost` over the rows of one `period_start`.
 * Cost: one pass over each activity table, and a bit per customer and
 * calendar period.
 * @param[out] out     the table, to free with cx_result_free().
 * @param[in]  store   the store.
 * @param[in]  options the options, or NULL for the defaults.
 * The table grows as the square of the periods the data span: more than
 * ::CX_COHORTS_MAX_PERIODS of them (years of daily buckets) is refused with
 * ::CX_ELIMIT before anything that size is allocated; a longer bucket, or a
 * store of a shorter time range, gives a table.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT (more than
 *         ::CX_COHORTS_MAX_PERIODS calendar periods, or 2^31
 *         customer-periods) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cohorts_run(cx_result **out, const cx_store *store, const cx_cohorts_options *options);

/**
 * @brief The lifecycle of the customer base per calendar period (the
 *        PostHog lifecycle): how many active customers are new, returning
 *        or resurrecting, and how many went dormant.
 *
 * The options are those of cohorts (activity, start, bucket, offset). A
 * customer's start period is that of its cohort (its first activity, or
 * its acquisition under ::CX_COHORT_ACQUIRED, activity before which is
 * ignored). In each calendar period from the first to the last with
 * data, a customer active in it is *new* when it is its start period,
 * *returning* when it was also active in the period before, else
 * *resurrecting* (active again after at least one period without
 * activity); a customer active in the period before and not in this one is
 * *dormant* (PostHog plots these as negative bars; here they are
 * counts). So new + returning + resurrecting = active, and dormant of a
 * period = active of the one before - returning.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `period_start` | TIME | the first instant of the period (printed in the offset) |
 * | `period_label` | STRING | its label in the offset: "2024-05", "2024-W19"... |
 * | `active` | INT | customers active in the period |
 * | `new` | INT | of them, in their start period |
 * | `returning` | INT | of them, active in the period before too |
 * | `resurrecting` | INT | the others: active again after a gap |
 * | `dormant` | INT | active in the period before, not in this one |
 * | `quick_ratio` | REAL | (new + resurrecting) / dormant, growth against loss; NaN without dormant |
 *
 * Cost: that of cx_cohorts_run() without its triangle: one pass over each
 * activity table and a bit per customer and period.
 * @param[out] out     the table, one row per period in time order, to free
 *                     with cx_result_free().
 * @param[in]  store   the store.
 * @param[in]  options the options, or NULL for the defaults.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT (as cx_cohorts_run()) or
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_lifecycle_run(cx_result **out, const cx_store *store, const cx_cohorts_options *options);

/**
 * @brief Stickiness per calendar period: how many customers were active
 *        on 1, 2, 3... distinct days of the period.
 *
 * The options are those of cohorts (activity, start, bucket, offset);
 * days are calendar days in the offset, and a day counts when the customer
 * has at least one activity record on it (from its start on, as cohorts).
 * One row per period and number of days, from 1 to the days of the
 * period (every row present, zeros included), periods in time order.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `period_start` | TIME | the first instant of the period (printed in the offset) |
 * | `period_label` | STRING | its label |
 * | `days` | INT | days active in the period, 1 to its length in days |
 * | `customers` | INT | customers active on exactly that many days |
 * | `share` | REAL | customers / active customers of the period; NaN when none |
 * | `active` | INT | customers active in the period (the sum of `customers`) |
 *
 * Under a day bucket every active customer is active on 1 day.
 * Cost: a sort of the (customer, day) pairs of the activity records.
 * @param[out] out     the table, to free with cx_result_free().
 * @param[in]  store   the store.
 * @param[in]  options the options, or NULL for the defaults.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT (as cx_cohorts_run(), or
 *         more rows than a table holds) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_stickiness_run(cx_result **out, const cx_store *store, const cx_cohorts_options *options);

/** How the confidence band of a survival curve is computed from
 *  Greenwood's variance. */
typedef enum cx_band {
    CX_BAND_LOG_LOG = 0, /**< On log(-log S) (Kalbfleisch-Prentice; lifelines' default): stays in [0, 1]. */
    CX_BAND_LOG = 1,     /**< On log S (R survfit's default), clipped to 1. */
    CX_BAND_PLAIN = 2    /**< S -+ z se (Greenwood), clipped to [0, 1]. */
} cx_band;

/** An opaque, immutable set of Kaplan-Meier curves, one per group. */
typedef struct cx_survival cx_survival;

/** Opaque options of survival curves: the band (both constructors) and,
 *  for cx_survival_from_store(), how the relationship is read from a
 *  store. Made without a store (default allocator); not shared between
 *  threads while being changed. */
typedef struct cx_survival_options cx_survival_options;

/**
 * @brief New survival options with the defaults: level 0.95, band
 *        ::CX_BAND_LOG_LOG; activity ::CX_ACTIVITY_TRANSACTIONS,
 *        inactivity 90 days, no churn attribute, one curve (no grouping),
 *        durations in days.
 * @param[out] out the options, to free with cx_survival_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_options_new(cx_survival_options **out);

/**
 * @brief Free survival options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_survival_options_free(cx_survival_options *options);

/**
 * @brief Set the confidence level of the band.
 * @param[in] options the options.
 * @param[in] level   in (0, 1).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_survival_options_set_level(cx_survival_options *options, double level);

/**
 * @brief Set how the band is computed.
 * @param[in] options the options.
 * @param[in] band    a ::cx_band.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_survival_options_set_band(cx_survival_options *options, cx_band band);

/**
 * @brief Set which records count as activity (store curves).
 * @param[in] options  the options.
 * @param[in] activity a non-empty mask of ::cx_activity bits.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_survival_options_set_activity(cx_survival_options *options, int activity);

/**
 * @brief Set the churn threshold (store curves): a customer silent for
 *        longer than this before the as-of time churned at its last activity.
 * @param[in] options       the options.
 * @param[in] inactivity_ms > 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_survival_options_set_inactivity(cx_survival_options *options, int64_t inactivity_ms);

/**
 * @brief Set the attribute holding an explicit churn time (store curves).
 * @param[in] options   the options.
 * @param[in] attribute a non-empty attribute name (copied), or NULL for none.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_options_set_churn_attribute(cx_survival_options *options, const char *attribute);

/**
 * @brief Give one curve per value of a customer dimension (store curves).
 * @param[in] options the options.
 * @param[in] dim     ::CX_DIM_SEGMENT, ::CX_DIM_REGION, ::CX_DIM_PLAN, or
 *                    ::CX_DIM_CHANNEL (the channel of the customer's first
 *                    interaction, inbound or outbound).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_survival_options_set_group_by(cx_survival_options *options, cx_dim dim);

/**
 * @brief Set the time unit of durations (store curves).
 * @param[in] options the options.
 * @param[in] unit_ms > 0 (86400000: days).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_survival_options_set_unit(cx_survival_options *options, int64_t unit_ms);

/**
 * @brief Set late entry times (left truncation) for the curves of
 *        cx_survival_new(): subject i is observed from entry[i] on, as
 *        Surv(entry, time, event) in R's survival package.
 *
 * A subject is at risk at t when entry < t <= time: a customer whose
 * history starts after its acquisition (a CRM migrated in 2024 with
 * customers acquired earlier) counts from its entry on, so that the
 * customers who churned before the migration, and are missing, do not
 * bias S upwards. Greenwood's variance and the bands are computed on these
 * risk sets; `at_risk` is their size. cx_survival_new() then needs exactly
 * n subjects, each with entry < time. Store curves ignore it.
 * @param[in] options the options.
 * @param[in] entry   n entry times, finite and >= 0 (copied), or NULL for
 *                    none (every subject observed from 0, the default).
 * @param[in] n       the number of times, >= 1 when entry is given.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (a bad time) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_options_set_entry(cx_survival_options *options, const double *entry, size_t n);

/**
 * @brief Say that the store's data begin at `start` (store curves,
 *        cx_survival_subjects() and cx_cox_fit_store()): late entry at
 *        the store level.
 *
 * A CRM migrated in 2024 holds customers acquired earlier, but none of
 * those who churned before the migration: counting the survivors from
 * their acquisition would bias S upwards. With this set, a customer whose
 * relationship started before `start` enters the risk set late, at
 * (start - its start) in the options' unit (R's Surv(entry, time, event));
 * a customer whose relationship ended at or before `start` was never
 * observed at risk and is left out. Customers starting at or after `start`
 * are observed from their start (entry 0, at risk at 0 too).
 * @param[in] options the options.
 * @param[in] start   when the data begin, or ::CX_TIME_NONE for no late
 *                    entry (the default).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_survival_options_set_observed_from(cx_survival_options *options, cx_time start);

/**
 * @brief Kaplan-Meier curves from plain arrays of durations.
 * @param[out] out     the curves, to free with cx_survival_free(); the
 *                     default allocator is used.
 * @param[in]  time    n durations, finite and >= 0.
 * @param[in]  event   n flags: 1 the event (churn) was observed at `time`,
 *                     0 censored (still a customer at `time`).
 * @param[in]  group   n group numbers (>= 0), or NULL for one group; groups
 *                     are reported in increasing number, labelled by it.
 * @param[in]  n       the number of subjects, >= 1.
 * @param[in]  options the level, band and late entry times
 *                     (cx_survival_options_set_entry(); the store settings
 *                     are ignored), or NULL for the defaults.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (a bad duration, flag or
 *         group, an entry time not before its time, or entry times set
 *         for another number of subjects) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_new(cx_survival **out, const double *time, const int *event, const int *group, size_t n,
                              const cx_survival_options *options);

/**
 * @brief Kaplan-Meier curves of the customer relationship in a store.
 *
 * A customer's relationship starts at its acquisition time, else at its
 * first activity; its last activity is the latest activity before `as_of`
 * (later records are ignored).
 * Churn is explicit where the data has it: when a churn attribute is set
 * and the customer has that attribute holding an ISO 8601 time, the
 * customer churned then. Otherwise churn is inferred: a customer whose last
 * activity is more than the inactivity threshold before `as_of` churned at
 * its last activity; the others are censored at `as_of`. Durations are in
 * the options' unit. Customers with neither activity nor acquisition
 * before `as_of` are left out.
 *
 * A customer with a single activity and no acquisition time starts and
 * ends its relationship at that activity: when silent beyond the
 * threshold it churned at duration 0 (an event at time 0, which lowers S
 * at 0, as in R, after the origin row S(0) = 1 of cx_survival_table());
 * otherwise it is censored at `as_of`.
 * @param[out] out     the curves, to free with cx_survival_free(); they
 *                     use the store's allocator and own their labels.
 * @param[in]  store   the store.
 * @param[in]  as_of   the end of observation (not ::CX_TIME_NONE).
 * @param[in]  options the options, or NULL for the defaults.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (nobody observed),
 *         ::CX_EPARSE (an explicit churn time that is not a time),
 *         ::CX_EORDER (churn before the start) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_from_store(cx_survival **out, const cx_store *store, cx_time as_of,
                                     const cx_survival_options *options);

/**
 * @brief The subjects of cx_survival_from_store(): one row per customer
 *        the curves use, with the same definition of start, exit, churn,
 *        group and late entry (one shared scan), in the order of the
 *        customers in the store.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `customer` | STRING | the customer's id |
 * | `group` | STRING | its value of the options' grouping dimension; missing without grouping or value |
 * | `start` | TIME | the start of the relationship (acquisition, else first activity) |
 * | `exit` | TIME | the churn time (event) or `as_of` (censored) |
 * | `entry` | REAL | late entry (cx_survival_options_set_observed_from()) in the unit; 0 without |
 * | `time` | REAL | exit - start in the options' unit |
 * | `event` | INT | 1 churned at `exit`, 0 censored |
 *
 * Feed `entry`, `time`, `event` to R's Surv(entry, time, event) (or
 * Surv(time, event) without late entry) to reproduce the curves.
 * @param[out] out     the table, to free with cx_result_free(); made with
 *                     the store's allocator.
 * @param[in]  store   the store (read only).
 * @param[in]  as_of   the end of observation (not ::CX_TIME_NONE).
 * @param[in]  options the options (activity, inactivity, churn attribute,
 *                     grouping, unit, observed_from), or NULL for the defaults.
 * @return as cx_survival_from_store().
 */
CX_EXTERN int cx_survival_subjects(cx_result **out, const cx_store *store, cx_time as_of,
                                   const cx_survival_options *options);

/**
 * @brief Free survival curves.
 * @param[in] survival the curves, or NULL.
 */
CX_EXTERN void cx_survival_free(cx_survival *survival);

/**
 * @brief Number of groups (curves); a group is given to the calls below
 *        by its index, 0 to count - 1, the row order of cx_survival_summary().
 * @param[in] survival the curves; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_survival_group_count(const cx_survival *survival);

/**
 * @brief Every step of every curve: one row per group and distinct time
 *        with an event or a censoring, ordered by group, then time.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `group` | STRING | the group's label (missing for the customers without a value) |
 * | `time` | REAL | the step's time |
 * | `survival` | REAL | S(time), the survival just after it |
 * | `lo`, `hi` | REAL | the band's bounds (NaN once S reaches 0) |
 * | `at_risk` | INT | subjects at risk just before `time` |
 * | `events` | INT | events at `time` |
 * | `censored` | INT | subjects censored at `time` |
 * | `std_err` | REAL | the standard error of S(time) by Greenwood's formula, S sqrt(sum d / (n (n - d))) (R's `std.err` of `summary(survfit(...))`); NaN once S reaches 0 |
 *
 * @param[out] out      the table, to free with cx_result_free(); made with
 *                      the curves' allocator.
 * @param[in]  survival the curves.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_curve(cx_result **out, const cx_survival *survival);

/**
 * @brief The life table of every curve, as R's `survfit0()`: per group a
 *        first row at time 0 with S(0) = 1, standard error 0, and the
 *        number at risk at the first step, then one row per step of
 *        cx_survival_curve().
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `group` | STRING | the group's label (missing for the customers without a value) |
 * | `time` | REAL | 0 for the origin row, else the step's time |
 * | `at_risk` | INT | subjects at risk just before `time` (the origin row: as at the first step) |
 * | `events`, `censored` | INT | events and censorings at `time` (0 at the origin) |
 * | `survival` | REAL | S(time) (1 at the origin) |
 * | `std_err` | REAL | Greenwood's standard error of S (0 at the origin; NaN once S reaches 0) |
 * | `lo`, `hi` | REAL | the band (1 at the origin) |
 *
 * Events at time 0 (customers who churned at their only activity) come in
 * the row after the origin, also at time 0.
 * @param[out] out      the table, to free with cx_result_free(); made with
 *                      the curves' allocator.
 * @param[in]  survival the curves.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_table(cx_result **out, const cx_survival *survival);

/**
 * @brief One row per group, in group order.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `group` | STRING | the group's label (missing for the customers without a value) |
 * | `subjects` | INT | subjects in the group |
 * | `events` | INT | events observed |
 * | `median` | REAL | the median lifetime (see cx_survival_median()); NaN when S never falls to 0.5 |
 * | `median_lo`, `median_hi` | REAL | its confidence interval; NaN when not reached |
 *
 * @param[out] out      the table, to free with cx_result_free(); made with
 *                      the curves' allocator.
 * @param[in]  survival the curves.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_survival_summary(cx_result **out, const cx_survival *survival);

/**
 * @brief S(t) of a group (a right-continuous step function) with its band.
 * @param[out] surv     S(t); 1 before the first event.
 * @param[out] lo       the lower bound; may be NULL.
 * @param[out] hi       the upper bound; may be NULL.
 * @param[in]  survival the curves.
 * @param[in]  group    0 to cx_survival_group_count() - 1.
 * @param[in]  t        the time; finite.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_survival_at(double *surv, double *lo, double *hi, const cx_survival *survival, size_t group,
                             double t);

/**
 * @brief The median lifetime: the first time S falls to 0.5 or below, with
 *        its confidence interval read off the band: the first times the
 *        lower and the upper bound fall to 0.5 or below (the band is
 *        undefined, NaN, once S reaches 0, as in R).
 * @param[out] median   the median; NaN when S never falls to 0.5.
 * @param[out] lo       its lower limit; NaN when not reached; may be NULL.
 * @param[out] hi       its upper limit; NaN when not reached; may be NULL.
 * @param[in]  survival the curves.
 * @param[in]  group    0 to cx_survival_group_count() - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_survival_median(double *median, double *lo, double *hi, const cx_survival *survival, size_t group);

/**
 * @brief The log-rank test that all groups share one survival curve
 *        (Mantel-Haenszel, with the hypergeometric variance for ties).
 * @param[out] chi2     the statistic.
 * @param[out] p        its p-value from the chi-square distribution; may be NULL.
 * @param[out] df       groups - 1; may be NULL.
 * @param[in]  survival the curves, with at least two groups.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE (one group, or no event).
 */
CX_EXTERN int cx_survival_logrank(double *chi2, double *p, uint64_t *df, const cx_survival *survival);

/** The weights of the weighted log-rank family (cx_logrank_new()), at each
 *  event time t of a stratum, from the pooled sample of the stratum: n(t)
 *  at risk, S(t-) its Kaplan-Meier survival just before t. Values are stable. */
typedef enum cx_logrank_weight {
    CX_LOGRANK_LOGRANK = 0,            /**< 1: the (Mantel-Haenszel) log-rank test; R survdiff(rho = 0). */
    CX_LOGRANK_FLEMING_HARRINGTON = 1, /**< S(t-)^p (1 - S(t-))^q, FH(p, q); R survdiff(rho) is FH(rho, 0). */
    CX_LOGRANK_GEHAN = 2,              /**< n(t): Gehan-Breslow's generalised Wilcoxon test. */
    CX_LOGRANK_TARONE_WARE = 3,        /**< sqrt(n(t)): Tarone-Ware. */
    CX_LOGRANK_PETO_PETO = 4           /**< prod over event times t_j <= t of (1 - d_j / (n_j + 1)): Peto-Peto's
                                            survival estimate (Klein and Moeschberger 7.3), t included. */
} cx_logrank_weight;

/** The most groups cx_logrank_new() compares: its variance matrix has
 *  groups^2 entries, updated at every event time, and its test solves it
 *  (groups^3). */
#define CX_LOGRANK_MAX_GROUPS 1000

/** An opaque, immutable weighted log-rank test (cx_logrank_new()). */
typedef struct cx_logrank cx_logrank;

/** Opaque options of cx_logrank_new(): the weight, late entry and strata.
 *  Made with the default allocator; not shared between threads while
 *  being changed. */
typedef struct cx_logrank_options cx_logrank_options;

/**
 * @brief New log-rank options with the defaults: the log-rank weight, no
 *        late entry, one stratum.
 * @param[out] out the options, to free with cx_logrank_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_logrank_options_new(cx_logrank_options **out);

/**
 * @brief Free log-rank options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_logrank_options_free(cx_logrank_options *options);

/**
 * @brief Set the weight.
 * @param[in] options the options.
 * @param[in] weight  the weight.
 * @param[in] p, q    the Fleming-Harrington exponents, finite and >= 0
 *                    (ignored, and stored as 0, for the other weights).
 * @return ::CX_OK, ::CX_EINVAL (not a weight) or ::CX_ERANGE (bad p, q).
 */
CX_EXTERN int cx_logrank_options_set_weight(cx_logrank_options *options, cx_logrank_weight weight, double p,
                                            double q);

/**
 * @brief Set late entry times: subject i is at risk on (entry[i], time[i]].
 * @param[in] options the options.
 * @param[in] entry   n entry times, finite and >= 0 (copied), or NULL for
 *                    none (the default: every subject observed from 0).
 * @param[in] n       the number of times, >= 1 when entry is given.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_logrank_options_set_entry(cx_logrank_options *options, const double *entry, size_t n);

/**
 * @brief Set strata: the test compares the groups within each stratum and
 *        sums O, E and V over strata (R's `+ strata(s)`).
 * @param[in] options the options.
 * @param[in] strata  n stratum numbers >= 0 (copied), or NULL for one stratum.
 * @param[in] n       the number of subjects, >= 1 when strata is given.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_logrank_options_set_strata(cx_logrank_options *options, const int *strata, size_t n);

/**
 * @brief The weighted log-rank test that k groups share one survival
 *        curve, stratified, with late entry.
 *
 * Within each stratum, at each event time t with d events among n at risk
 * (n_g, d_g in group g; a subject is at risk on (entry, time]), with the
 * weight w(t) of the options:
 * O_g += w d_g, E_g += w d n_g / n,
 * V_gh += w^2 d (n - d) / (n - 1) (n_g / n) (delta_gh - n_h / n);
 * O, E and V are summed over strata, and the statistic
 * (O - E)' V^-1 (O - E) over the first k - 1 groups is chi-square on
 * k - 1 degrees of freedom. These are R's survdiff() numbers (observed,
 * expected and var are weighted as there) for the log-rank and
 * Fleming-Harrington (rho, 0) weights; the other weights, and late entry,
 * follow the same definitions (checked against a direct R computation;
 * tests/data/r/README.md lists the commands).
 * @param[out] out     the test, to free with cx_logrank_free(); the default
 *                     allocator is used.
 * @param[in]  time    n exit times, finite and >= 0.
 * @param[in]  event   n flags: 1 the event was observed at `time`, 0 censored.
 * @param[in]  group   n group numbers (>= 0); at least two distinct; groups
 *                     are reported in increasing number.
 * @param[in]  n       the number of subjects, >= 1.
 * @param[in]  options the weight, entry times and strata (each set for n
 *                     subjects), or NULL for the plain log-rank test.
 * @return ::CX_OK, ::CX_EINVAL (a NULL array), ::CX_ERANGE (a bad value,
 *         entry or strata set for another n, one group, no event, or a
 *         singular variance matrix: a group never at risk at an event
 *         time), ::CX_ELIMIT (more than ::CX_LOGRANK_MAX_GROUPS groups) or
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_logrank_new(cx_logrank **out, const double *time, const int *event, const int *group, size_t n,
                             const cx_logrank_options *options);

/**
 * @brief Free a test.
 * @param[in] logrank the test, or NULL.
 */
CX_EXTERN void cx_logrank_free(cx_logrank *logrank);

/**
 * @brief The test's statistic.
 * @param[out] chi2    (O - E)' V^-1 (O - E).
 * @param[out] p       its p-value from the chi-square distribution; may be NULL.
 * @param[out] df      groups - 1; may be NULL.
 * @param[in]  logrank the test.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_logrank_test(double *chi2, double *p, uint64_t *df, const cx_logrank *logrank);

/**
 * @brief Number of groups; a group is given to cx_logrank_variance() by
 *        its index, the row order of cx_logrank_groups().
 * @param[in] logrank the test; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_logrank_group_count(const cx_logrank *logrank);

/**
 * @brief One row per group, in increasing group number.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `group` | INT | the group number |
 * | `subjects` | INT | subjects in the group |
 * | `events` | INT | events observed (unweighted) |
 * | `observed` | REAL | O: the weighted events (R survdiff's `obs`) |
 * | `expected` | REAL | E: the weighted expected events (R's `exp`) |
 * | `variance` | REAL | V_gg, the diagonal of the variance matrix |
 *
 * @param[out] out     the table, to free with cx_result_free().
 * @param[in]  logrank the test.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_logrank_groups(cx_result **out, const cx_logrank *logrank);

/**
 * @brief An element of the k x k variance matrix of O - E (R survdiff's `var`).
 * @param[out] v       V_ij.
 * @param[in]  logrank the test.
 * @param[in]  i, j    group indexes, 0 to cx_logrank_group_count() - 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_logrank_variance(double *v, const cx_logrank *logrank, size_t i, size_t j);

/** How tied event times enter the Cox partial likelihood. Values are stable. */
typedef enum cx_ties {
    CX_TIES_EFRON = 0,  /**< Efron's approximation (R coxph's default). */
    CX_TIES_BRESLOW = 1 /**< Breslow's approximation. */
} cx_ties;

/** Opaque options of a Cox fit: the covariates (numeric columns and
 *  categorical ones with a reference level), ties, strata, late entry and
 *  the iteration cap. Made with the default allocator; not shared between
 *  threads while being changed. */
typedef struct cx_cox_options cx_cox_options;

/** An opaque, immutable Cox proportional hazards fit (cx_cox_fit()). */
typedef struct cx_cox cx_cox;

/**
 * @brief New Cox options: no covariate, Efron ties, one stratum, no late
 *        entry, at most 20 Newton-Raphson iterations (R's iter.max).
 * @param[out] out the options, to free with cx_cox_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_options_new(cx_cox_options **out);

/**
 * @brief Free Cox options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_cox_options_free(cx_cox_options *options);

/**
 * @brief Set how ties are handled.
 * @param[in] options the options.
 * @param[in] ties    ::CX_TIES_EFRON or ::CX_TIES_BRESLOW.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_cox_options_set_ties(cx_cox_options *options, cx_ties ties);

/**
 * @brief Set the Newton-Raphson iteration cap.
 * @param[in] options        the options.
 * @param[in] max_iterations 1 to 1000.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_cox_options_set_max_iterations(cx_cox_options *options, int max_iterations);

/**
 * @brief Set late entry times: subject i is at risk on (entry[i], time[i]].
 * @param[in] options the options.
 * @param[in] entry   n entry times, finite and >= 0 (copied), or NULL for none.
 * @param[in] n       the number of subjects, >= 1 when entry is given.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_options_set_entry(cx_cox_options *options, const double *entry, size_t n);

/**
 * @brief Set strata: each stratum has its own baseline hazard (R's
 *        `+ strata(s)`), the coefficients are shared.
 * @param[in] options the options.
 * @param[in] strata  n stratum numbers >= 0 (copied), or NULL for one stratum.
 * @param[in] n       the number of subjects, >= 1 when strata is given.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_options_set_strata(cx_cox_options *options, const int *strata, size_t n);

/**
 * @brief Add a numeric covariate: one model term.
 * @param[in] options the options.
 * @param[in] name    the term's name (under 128 bytes; copied).
 * @param[in] values  n finite values (copied); every covariate has the same n.
 * @param[in] n       the number of subjects, >= 1.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (a value, or another n),
 *         ::CX_ELIMIT (over 64 terms) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_options_add_covariate(cx_cox_options *options, const char *name, const double *values,
                                           size_t n);

/**
 * @brief Add a categorical covariate: one 0/1 term per level other than
 *        the reference, named "name=level" (levels in byte order, as R's
 *        factor() sorts them in the C locale).
 * @param[in] options   the options.
 * @param[in] name      the covariate's name (under 64 bytes; copied).
 * @param[in] values    n level names (copied).
 * @param[in] n         the number of subjects, >= 1.
 * @param[in] reference the reference level (its hazard ratio is 1), or
 *                      NULL for the first level.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND (no such reference level),
 *         ::CX_ERANGE (one level only, or another n), ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_options_add_factor(cx_cox_options *options, const char *name, const char *const *values,
                                        size_t n, const char *reference);

/**
 * @brief Add a customer column of a store as a categorical covariate
 *        (terms "segment=vip", ...): the subjects are the customers `ids`,
 *        in the order of the times and events given to cx_cox_fit().
 * @param[in] options   the options.
 * @param[in] store     the store (read now; not kept).
 * @param[in] ids       n customer ids.
 * @param[in] n         the number of subjects, >= 1.
 * @param[in] dim       ::CX_DIM_SEGMENT, ::CX_DIM_REGION or ::CX_DIM_PLAN.
 * @param[in] reference the reference level, or NULL for the first.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND (an unknown customer or
 *         reference level), ::CX_ERANGE (a customer without a value, one
 *         level, another n), ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_options_add_customer_column(cx_cox_options *options, const cx_store *store,
                                                 const char *const *ids, size_t n, cx_dim dim,
                                                 const char *reference);

/**
 * @brief Add a customer attribute of a store as a covariate: numeric (the
 *        values parsed as numbers) when `reference` is NULL, else
 *        categorical with that reference level ("" for the first level).
 *        The subjects are the customers `ids`, in the order of the times
 *        and events given to cx_cox_fit().
 * @param[in] options   the options.
 * @param[in] store     the store (read now; not kept).
 * @param[in] ids       n customer ids.
 * @param[in] n         the number of subjects, >= 1.
 * @param[in] attribute the attribute's name (the term's name).
 * @param[in] reference NULL (numeric), "" or a level (categorical).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND, ::CX_ERANGE (a customer
 *         without the attribute, ...), ::CX_EPARSE (a value that is not a
 *         number), ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_options_add_customer_attribute(cx_cox_options *options, const cx_store *store,
                                                    const char *const *ids, size_t n, const char *attribute,
                                                    const char *reference);

/** Service-experience covariates measured from a store for each customer
 *  (cx_cox_options_add_store_signal()): time-varying covariates, fitted in
 *  the counting-process form of R's `coxph(Surv(tstart, tstop, event) ~ x)`
 *  after `tmerge()`. A signal's value at time t (since the customer's start,
 *  in the survival options' unit) counts the customer's records at or
 *  before t, among those before `as_of` and at or before the customer's own
 *  exit. cx_cox_fit_store() splits each customer's time on study
 *  (entry, exit] into rows (start, stop] at every time a declared signal's
 *  record falls strictly inside it; a row carries the values as of its
 *  start (records before the start of the relationship or at or before a
 *  late entry set the first row's values), the event flag only on the last
 *  row. In the risk set at t a customer thus has the values of the records
 *  before t, never later ones: a value measured once per customer up to its
 *  exit would give the long-lived survivors the records after t (counts
 *  grow with the time observed and look protective). Values are stable. */
typedef enum cx_cox_signal {
    CX_SIGNAL_DETRACTOR = 0,        /**< "detractor": 1 from the customer's first NPS answer of 0 to 6 on, else 0. */
    CX_SIGNAL_DETRACTOR_SHARE = 1,  /**< "detractor_share": its NPS answers of 0 to 6 / its NPS answers, up to t; 0
                                         before its first NPS answer. Changes at each NPS answer. */
    CX_SIGNAL_CASES = 2,            /**< "cases": the number of its cases opened up to t. */
    CX_SIGNAL_RESOLUTION_HOURS = 3, /**< "resolution_hours": the mean hours from opening to resolution of its cases
                                         resolved up to t; 0 before the first resolution (pair it with
                                         ::CX_SIGNAL_CASES). Changes at each resolution. */
    CX_SIGNAL_REOPENS = 4,          /**< "reopens": the reopens of its cases opened up to t. The store keeps a count
                                         per case, not the times of the reopens: a case's reopens count from its
                                         opening (the rule that knows them earliest; it may look ahead of a
                                         reopen within the case's life). */
    CX_SIGNAL_CHANNEL_SHARE = 5     /**< "channel_share:<channel>": the share of its interactions (both directions)
                                         up to t on touchpoints of one channel; 0 before its first interaction.
                                         Changes at each interaction. */
} cx_cox_signal;

/**
 * @brief Add a customer column of the store as a categorical covariate of
 *        cx_cox_fit_store() (terms "segment=vip", ...), read at the fit.
 * @param[in] options   the options.
 * @param[in] dim       ::CX_DIM_SEGMENT, ::CX_DIM_REGION, ::CX_DIM_PLAN or
 *                      ::CX_DIM_CHANNEL (the channel of the customer's
 *                      first interaction, as cx_survival_options_set_group_by()).
 * @param[in] reference the reference level (copied), or NULL for the first
 *                      in byte order.
 * @return ::CX_OK, ::CX_EINVAL (a bad dim or a reference of 64 bytes or
 *         more), ::CX_ELIMIT (over 64 covariates) or ::CX_ENOMEM. At the fit,
 *         a subject without a value fails with ::CX_ERANGE.
 */
CX_EXTERN int cx_cox_options_add_store_column(cx_cox_options *options, cx_dim dim, const char *reference);

/**
 * @brief Add a customer attribute of the store as a covariate of
 *        cx_cox_fit_store(): numeric when `reference` is NULL, else
 *        categorical with that reference level ("" for the first), as
 *        cx_cox_options_add_customer_attribute().
 * @param[in] options   the options.
 * @param[in] attribute the attribute's name (under 64 bytes; copied), the term's name.
 * @param[in] reference NULL (numeric), "" or a level (copied).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT or ::CX_ENOMEM. At the fit, a
 *         subject without the attribute fails with ::CX_ERANGE, a value
 *         that is not a number with ::CX_EPARSE.
 */
CX_EXTERN int cx_cox_options_add_store_attribute(cx_cox_options *options, const char *attribute,
                                                 const char *reference);

/**
 * @brief Add a service-experience covariate of cx_cox_fit_store(),
 *        computed from the store for each subject (see ::cx_cox_signal).
 * @param[in] options the options.
 * @param[in] signal  a ::cx_cox_signal.
 * @param[in] channel the channel of ::CX_SIGNAL_CHANNEL_SHARE (under 64
 *                    bytes; copied); NULL for the other signals.
 * @return ::CX_OK, ::CX_EINVAL (a bad signal, a missing channel or one
 *         given to another signal), ::CX_ELIMIT or ::CX_ENOMEM. At the fit,
 *         a channel the store does not know fails with ::CX_ENOTFOUND.
 */
CX_EXTERN int cx_cox_options_add_store_signal(cx_cox_options *options, cx_cox_signal signal, const char *channel);

/**
 * @brief Fit a Cox proportional hazards model, as R's coxph().
 *
 * Maximises the partial likelihood (Efron or Breslow ties, strata, late
 * entry) by Newton-Raphson from beta = 0, halving a step that lowers the
 * likelihood, until the log likelihood changes by less than 1e-9
 * relatively (R's criterion). The model-based variance is the inverse
 * information; the robust one is R's sandwich D'D (D the dfbeta
 * residuals, one subject a row: `robust = TRUE`; cx_cox_fit_store() sums
 * the rows of a customer first, R's `cluster = id`).
 * @param[out] out     the fit, to free with cx_cox_free().
 * @param[in]  time    n exit times, finite and >= 0.
 * @param[in]  event   n flags: 1 the event (churn) was observed, 0 censored.
 * @param[in]  n       the number of subjects, >= 1.
 * @param[in]  options the covariates (at least one) and settings.
 * @return ::CX_OK, ::CX_EINVAL (also for options with store covariates,
 *         which need cx_cox_fit_store()), ::CX_ERANGE (a bad value; covariates,
 *         entry or strata for another n; no event; a singular information
 *         matrix: a constant or collinear covariate; separated data: a
 *         coefficient tending to infinity; no convergence within the
 *         iteration cap) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_fit(cx_cox **out, const double *time, const int *event, size_t n,
                         const cx_cox_options *options);

/**
 * @brief Fit a Cox model of the customer relationship in a store in one
 *        call: the subjects of cx_survival_subjects() (same `as_of` and
 *        survival options, late entry included) with the covariates
 *        declared on the options with the cx_cox_options_add_store_...() calls.
 *
 * The terms come in this order: the array covariates of the options, if
 * any (then given for the subjects in the order of
 * cx_survival_subjects()), then the store covariates in the order added.
 * The ties, iteration cap and strata (an array in the subjects' order) of
 * the options apply; late entry comes from the survival options
 * (cx_survival_options_set_observed_from()), not from
 * cx_cox_options_set_entry(). The signals are time-varying: the fit is
 * on counting-process rows, each subject's time split at the changes of its
 * signals (see ::cx_cox_signal), the array covariates, store columns,
 * attributes and strata repeated on each of its rows, the event on its last;
 * the log likelihood, coefficients and model-based variance are those of R's
 * coxph(Surv(tstart, tstop, event) ~ ...) on these rows, and the robust
 * variance clusters the rows by customer (the dfbeta residuals summed per
 * customer before D'D, R's `cluster = id`).
 * @param[out] out      the fit, to free with cx_cox_free(); made with the
 *                      store's allocator.
 * @param[in]  store    the store (read only).
 * @param[in]  as_of    the end of observation (not ::CX_TIME_NONE).
 * @param[in]  survival the survival options (NULL for the defaults).
 * @param[in]  options  the covariates and settings (at least one covariate).
 * @return ::CX_OK, ::CX_EINVAL (NULL arguments, entry times on the Cox
 *         options), the errors of cx_survival_subjects(), of the covariates
 *         (see the cx_cox_options_add_store_...() calls) and of cx_cox_fit() (array
 *         covariates or strata for another number of subjects, ...).
 */
CX_EXTERN int cx_cox_fit_store(cx_cox **out, const cx_store *store, cx_time as_of,
                               const cx_survival_options *survival, const cx_cox_options *options);

/**
 * @brief Free a fit.
 * @param[in] cox the fit, or NULL.
 */
CX_EXTERN void cx_cox_free(cx_cox *cox);

/**
 * @brief Number of model terms (coefficients).
 * @param[in] cox the fit; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_cox_term_count(const cx_cox *cox);

/**
 * @brief The coefficients, one row per term in the order added.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `term` | STRING | the covariate, or "name=level" |
 * | `coef` | REAL | beta |
 * | `hazard_ratio` | REAL | exp(beta) |
 * | `se` | REAL | its standard error (inverse information) |
 * | `robust_se` | REAL | the robust (sandwich) standard error |
 * | `z`, `p` | REAL | the Wald z = beta / se and its two-sided p |
 * | `hr_lo`, `hr_hi` | REAL | exp(beta -+ z_level se) |
 *
 * @param[out] out   the table, to free with cx_result_free().
 * @param[in]  cox   the fit.
 * @param[in]  level the confidence level, in (0, 1).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_coefficients(cx_result **out, const cx_cox *cox, double level);

/**
 * @brief The global tests that all coefficients are 0: rows
 *        "likelihood_ratio", "wald" and "score" with `test` (STRING),
 *        `chi2` (REAL), `df` (INT, the terms) and `p` (REAL).
 * @param[out] out the table, to free with cx_result_free().
 * @param[in]  cox the fit.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_tests(cx_result **out, const cx_cox *cox);

/**
 * @brief The log partial likelihoods.
 * @param[out] null_loglik at beta = 0; may be NULL.
 * @param[out] loglik      at the estimate.
 * @param[out] iterations  Newton-Raphson iterations used; may be NULL.
 * @param[in]  cox         the fit.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_cox_loglik(double *null_loglik, double *loglik, int *iterations, const cx_cox *cox);

/**
 * @brief The baseline: per stratum and event time, the cumulative hazard
 *        at the column means of all terms (Breslow's estimator, Efron's
 *        for Efron ties, as R's basehaz(fit, newdata = the means); R's
 *        own centred baseline puts 0/1 terms at 0 instead) and exp(-it).
 *        Columns `stratum` (INT), `time`, `cumulative_hazard`, `survival`.
 * @param[out] out the table, to free with cx_result_free().
 * @param[in]  cox the fit.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_baseline(cx_result **out, const cx_cox *cox);

/**
 * @brief A subject's predicted survival S(t | x) = exp(-H0(t) exp((x -
 *        means)' beta)) in a stratum, as R's survfit(fit, newdata).
 * @param[out] surv    S(t | x); 1 before the stratum's first event.
 * @param[in]  cox     the fit.
 * @param[in]  x       the subject's p term values, in the order of
 *                     cx_cox_coefficients() (a factor: its 0/1 columns).
 * @param[in]  p       cx_cox_term_count().
 * @param[in]  stratum the stratum number (0 without strata).
 * @param[in]  t       the time, finite.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE (another p, a stratum
 *         without events, a value not finite).
 */
CX_EXTERN int cx_cox_predict(double *surv, const cx_cox *cox, const double *x, size_t p, int stratum, double t);

/** The time transform g(t) of the proportional-hazards test (cx_cox_zph()). */
typedef enum cx_zph_transform {
    CX_ZPH_KM = 0,      /**< 1 - S(t-), the pooled Kaplan-Meier just before t (R cox.zph's default "km"). */
    CX_ZPH_IDENTITY = 1 /**< t itself (R's transform = "identity"). */
} cx_zph_transform;

/**
 * @brief The test of proportional hazards from the Schoenfeld residuals,
 *        as R's cox.zph() (survival >= 3: the score test that each
 *        coefficient beta + gamma g(t) has gamma = 0, at the estimate).
 *
 * One row per covariate (a factor's terms together, df its terms) and a
 * last row "GLOBAL" (df: all terms), with `term` (STRING), `chi2` (REAL),
 * `df` (INT), `p` (REAL). A small p says the covariate's hazard ratio
 * changes with time. chi2 is NaN when the extended information matrix is
 * singular.
 * @param[out] out       the table, to free with cx_result_free().
 * @param[in]  cox       the fit.
 * @param[in]  transform ::CX_ZPH_KM or ::CX_ZPH_IDENTITY.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_cox_zph(cx_result **out, const cx_cox *cox, cx_zph_transform transform);

/** Named RFM segments (from the recency score R and the mean of the
 *  frequency and monetary scores FM, both on 1-5). Values are stable. */
typedef enum cx_rfm_segment {
    CX_RFM_CHAMPIONS = 0,          /**< R 4-5, FM 4-5: bought recently, often, much. */
    CX_RFM_LOYAL = 1,              /**< R 3-5, FM 3-5 otherwise. */
    CX_RFM_POTENTIAL_LOYALIST = 2, /**< R 4-5, FM 2. */
    CX_RFM_NEW = 3,                /**< R 5, FM 1. */
    CX_RFM_PROMISING = 4,          /**< R 4, FM 1. */
    CX_RFM_NEED_ATTENTION = 5,     /**< R 3, FM 2. */
    CX_RFM_ABOUT_TO_SLEEP = 6,     /**< R 3, FM 1. */
    CX_RFM_CANNOT_LOSE = 7,        /**< R 1-2, FM 5: were the best, gone quiet. */
    CX_RFM_AT_RISK = 8,            /**< R 1-2, FM 3-4. */
    CX_RFM_HIBERNATING = 9,        /**< R 2, FM 1-2. */
    CX_RFM_LOST = 10               /**< R 1, FM 1-2. */
} cx_rfm_segment;

/** Number of RFM segments. */
#define CX_RFM_SEGMENT_COUNT 11

/**
 * @brief Recency, frequency and monetary value of every customer with a
 *        purchase before `as_of`, with quantile scores and a segment.
 *
 * Recency is `as_of` minus the last purchase, in `unit_ms`; frequency the
 * number of purchases; monetary the total amount. A score is
 * 1 + floor(bins x the share of customers with a strictly worse value), so
 * equal values share a score; for recency a smaller value is better. The
 * segment uses the same rule on 5 bins whatever `bins` is. One row per
 * such customer, in the store's customer order:
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `customer` | STRING | the customer's id |
 * | `recency` | REAL | time since the last purchase, in `unit_ms` |
 * | `frequency` | INT | purchases |
 * | `monetary` | REAL | their total amount |
 * | `r`, `f`, `m` | INT | the scores, 1 to bins |
 * | `segment` | INT | a ::cx_rfm_segment |
 * | `segment_name` | STRING | its name (cx_rfm_segment_name()) |
 *
 * @param[out] out     the table, to free with cx_result_free().
 * @param[in]  store   the store.
 * @param[in]  as_of   purchases at or after it are ignored (not ::CX_TIME_NONE).
 * @param[in]  unit_ms the unit of recency, > 0.
 * @param[in]  bins    the number of score levels, 2 to 100.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_rfm_run(cx_result **out, const cx_store *store, cx_time as_of, int64_t unit_ms, int bins);

/**
 * @brief The name of a segment ("champions", "loyal", "potential_loyalist",
 *        "new", "promising", "need_attention", "about_to_sleep",
 *        "cannot_lose", "at_risk", "hibernating", "lost").
 * @param[out] out     a static string.
 * @param[in]  segment a ::cx_rfm_segment.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_rfm_segment_name(const char **out, cx_rfm_segment segment);

/** @} */

/** @defgroup value Customer value: summaries, models, CLV
 * Probability models of repeat buying and spending, fitted by maximum
 * likelihood to per-customer summaries.
 *
 * **Data.** The fits take plain arrays, so they work without a store: for
 * customer i, `x[i]` repeat purchases (after the first), the last one at
 * `t_x[i]` and the customer observed for `T[i]` since the first purchase
 * (all in one time unit; 0 <= t_x <= T, and t_x = 0 when x = 0). An
 * optional `weight[i]` (a count) lets identical customers be passed once.
 * cx_summary_new() builds these arrays from a store's transactions
 * (cx_summary_values() lends them out). At least 10 customers (total
 * weight) are needed for a fit.
 *
 * **Fitting.** The parameters are estimated on the log scale (so they stay
 * positive) by a quasi-Newton (BFGS) method with analytic gradients where
 * they are cheap, from start values computed from the data. Customers with
 * identical data are grouped first, so 10^6 customers whose times are in
 * whole days cost as much as their distinct (x, t_x, T) triples. The
 * groups are sorted by their values before the fit, so the same customers
 * in any order give the same estimates, bit for bit, and the same outcome
 * (weights that are not whole numbers can still round differently in
 * their sums). A fit that does not converge fails with ::CX_ERANGE and
 * says so; a model is returned only converged.
 *
 * **BG/NBD with no spread in dropout.** On data whose customers all seem
 * to have the same dropout probability, the BG/NBD likelihood rises
 * towards the limit of a and b growing together and is flat to rounding
 * long before: where a minimiser stops on that ridge (converged, stalled
 * or at a bound) is decided by rounding. The fit then returns the limit
 * model, the same however the run ended: a + b = 10^6 (a spread in the
 * dropout probability of at most 0.0005, as good as none), a/(a+b) the
 * common dropout probability, and r, alpha and a/(a+b) fitted together
 * (should that fit not converge, the run's own outcome is reported). Its
 * standard errors of a and b are as large as that flat likelihood
 * makes them. (Before, such a fit failed with "no spread in dropout" or
 * returned a model at a and b of 10^5 .. 10^7 by the order of the
 * customers.)
 *
 * **Bounded fits.** Every fit returns in bounded time, whatever the data:
 * at most 500 quasi-Newton iterations from each start and 50000
 * evaluations of the likelihood over all its starts (one with an analytic
 * gradient counts once; BG/BB's and sBG's numerical gradients count each
 * of their central differences); a fit stopped by a cap fails with ::CX_ELIMIT, naming the
 * cap. (The caps are fixed: the fits take no options object.) Degenerate
 * data fail with ::CX_ERANGE and a message that says what is degenerate:
 * no customer with a repeat purchase; fewer than 10 customers; all
 * customers identical (one distinct row, so the spread between customers
 * cannot be estimated); for BG/NBD, no customer with more than one repeat
 * purchase (the likelihood then rises as the dropout probability tends to
 * 1); and, found during the fit when the likelihood
 * keeps rising towards an edge of the model, no dropout signal (nobody
 * seems to leave: the dropout rate tends to 0), no spread in purchase
 * rates (every customer buys at one rate) or in dropout (Pareto/NBD; for
 * BG/NBD see above; for BG/BB, in
 * the purchase or the dropout probability: when moving that pair of
 * parameters 1000 times further towards the edge costs the log-likelihood
 * less than 0.001), for Gamma-Gamma no spread in spend, and for sBG no spread in churn probability (the
 * geometric model fits at least as well: a churn rate that does not fall
 * over time) or every churn at once (a share churning in the first period,
 * the rest never). The message then gives the boundary's own estimate (for
 * example the common purchase rate r/alpha, or the churn probability). The
 * Pareto/NBD likelihood is evaluated in bounded work for every input: its
 * Gauss hypergeometric series is used only where it converges fast (at
 * most 400 terms), otherwise the dropout integral it stands for is
 * computed by Gauss-Legendre quadrature (at most 128 panels of 8 nodes);
 * a fit whose estimate needed more fails with ::CX_ELIMIT (accuracy lost).
 *
 * **Predictions.** The predictors (cx_model_expected(), cx_model_p_alive(),
 * cx_model_expected_spend()) read their customers from a ::cx_model_data
 * handle, which borrows the caller's arrays (or a summary's columns)
 * without copying, and write one double per customer into the caller's
 * array: bulk numeric work (a numpy array in, a numpy array out) costs no
 * table building and no copy. CLV, which is read per customer with its
 * parts, is a ::cx_result table (cx_model_clv()), as are a model's
 * parameters with their standard errors (cx_model_params()) and a summary
 * (cx_summary_table()). Every customer's predictions in one table:
 * cx_model_customers(); how they did on a holdout period, by calibration
 * frequency: cx_model_calibration(). For the population rather than one
 * customer: the distribution of purchases P(X(t) = n)
 * (cx_model_purchase_pmf()) and E[X(t)] (cx_model_population_expected()).
 *
 * **Memory.** A summary, and every result or handle made from it, uses the
 * allocator of its store. Models, options and data handles made from
 * plain arrays use the default allocator (malloc): a fit reads no store,
 * and its scratch memory is freed before it returns. Models are immutable:
 * their const calls may run concurrently.
 * @{ */

/** The kinds of model. Values are stable. */
typedef enum cx_model_kind {
    CX_MODEL_BGNBD = 0,       /**< BG/NBD (Fader, Hardie, Lee 2005): parameters r, alpha, a, b. */
    CX_MODEL_PARETO_NBD = 1,  /**< Pareto/NBD (Schmittlein, Morrison, Colombo 1987): r, alpha, s, beta. */
    CX_MODEL_GAMMA_GAMMA = 2, /**< Gamma-Gamma spend (Fader, Hardie, Lee 2005): p, q, gamma. */
    CX_MODEL_BGBB = 3,        /**< BG/BB for discrete opportunities (Fader, Hardie, Shang 2010): alpha, beta, gamma, delta. */
    CX_MODEL_SBG = 4          /**< Shifted-beta-geometric contract renewals (Fader, Hardie 2007): alpha, beta. */
} cx_model_kind;

/** An opaque fitted model. */
typedef struct cx_model cx_model;

/** An opaque per-customer summary built from a store's transactions. */
typedef struct cx_summary cx_summary;

/** Opaque options of a summary: holdout, time unit, tolerance. */
typedef struct cx_summary_options cx_summary_options;

/** Opaque customer data for the predictions and CLV: borrowed arrays. */
typedef struct cx_model_data cx_model_data;

/** Opaque options of CLV: horizon, period, discount rate. */
typedef struct cx_clv_options cx_clv_options;

/** Columns of a ::cx_summary. Values are stable. */
typedef enum cx_summary_column {
    CX_SUMMARY_FREQUENCY = 0,  /**< x: repeat purchases in the calibration period. */
    CX_SUMMARY_RECENCY = 1,    /**< t_x: time of the last purchase since the first. */
    CX_SUMMARY_AGE = 2,        /**< T: calibration end since the first purchase. */
    CX_SUMMARY_MONETARY = 3,   /**< Mean amount of the repeat purchases (0 when x = 0), for Gamma-Gamma. */
    CX_SUMMARY_TOTAL = 4,      /**< Total amount in the calibration period: historic value. */
    CX_SUMMARY_HOLDOUT = 5,    /**< Purchases in the holdout period. */
    CX_SUMMARY_HOLDOUT_VALUE = 6 /**< Amount spent in the holdout period. */
} cx_summary_column;

/** Number of summary columns. */
#define CX_SUMMARY_COLUMN_COUNT 7

/** Default of cx_summary_options_set_tolerance(): one day (86400000 ms),
 *  the skew of a date-only or differently-zoned acquisition time. */
#define CX_SUMMARY_TOLERANCE_DEFAULT 86400000

/**
 * @brief New summary options: no holdout, a time unit of one week
 *        (604800000 ms), a tolerance of ::CX_SUMMARY_TOLERANCE_DEFAULT
 *        (one day). They use malloc.
 * @param[out] out the options, to free with cx_summary_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_summary_options_new(cx_summary_options **out);

/**
 * @brief Free summary options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_summary_options_free(cx_summary_options *options);

/**
 * @brief Set the end of the holdout period [calibration end, holdout_end),
 *        whose purchases fill the holdout columns.
 * @param[in] options     the options.
 * @param[in] holdout_end the end, or ::CX_TIME_NONE for no holdout (the
 *                        default); not before the calibration end (checked
 *                        by cx_summary_new()).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_summary_options_set_holdout_end(cx_summary_options *options, cx_time holdout_end);

/**
 * @brief Set the time unit of recency and age (86400000: days; 604800000:
 *        weeks, the default).
 * @param[in] options the options.
 * @param[in] unit_ms > 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_summary_options_set_unit(cx_summary_options *options, int64_t unit_ms);

/**
 * @brief Set how long before its customer's acquisition time a purchase
 *        may be (clock skew between the shop and the CRM, an acquisition
 *        kept as a date, a guest checkout just before the sign-up); a
 *        purchase earlier than that makes cx_summary_new() fail with
 *        ::CX_EORDER, naming the customer and the transaction. Default
 *        ::CX_SUMMARY_TOLERANCE_DEFAULT (one day); 0: no purchase may come
 *        before the acquisition. How many were tolerated:
 *        cx_summary_tolerated_count().
 * @param[in] options      the options.
 * @param[in] tolerance_ms >= 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_summary_options_set_tolerance(cx_summary_options *options, int64_t tolerance_ms);

/**
 * @brief Summarise each customer's transactions for the models.
 * A customer enters with a first purchase before `calibration_end`;
 * purchases at one same instant count as one purchase (their amounts
 * summed). Uses the store's allocator; the store must outlive the summary.
 * @param[out] out             the summary, to free with cx_summary_free().
 * @param[in]  store           the store.
 * @param[in]  calibration_end the end of calibration (not ::CX_TIME_NONE).
 * @param[in]  options         the options, or NULL for the defaults of
 *                             cx_summary_options_new(); not kept.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EORDER (the holdout end before
 *         calibration_end; a purchase before the customer's acquisition
 *         time, named in the message) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_summary_new(cx_summary **out, const cx_store *store, cx_time calibration_end,
                             const cx_summary_options *options);

/**
 * @brief Free a summary.
 * @param[in] summary the summary, or NULL.
 */
CX_EXTERN void cx_summary_free(cx_summary *summary);

/**
 * @brief Number of customers in a summary (in the store's customer order).
 * @param[in] summary the summary; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_summary_count(const cx_summary *summary);

/**
 * @brief How many of the store's transactions are dated before their
 *        customer's acquisition, by no more than the tolerance
 *        (cx_summary_options_set_tolerance()), and were accepted as they
 *        are: the summary reads purchase times only, so no figure moves,
 *        but a count above 0 says the two systems' clocks disagree.
 * @param[in] summary the summary, or NULL (0).
 * @return the count.
 */
CX_EXTERN size_t cx_summary_tolerated_count(const cx_summary *summary);

/**
 * @brief A whole column, to pass to the fits.
 * @param[out] out     count doubles, borrowed from the summary.
 * @param[in]  summary the summary.
 * @param[in]  column  a ::cx_summary_column.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_summary_values(const double **out, const cx_summary *summary, cx_summary_column column);

/**
 * @brief The summary as a table, one row per customer in the summary's
 *        order: "customer" (STRING, the id), then the REAL columns
 *        "frequency", "recency", "age", "monetary", "total", "holdout" and
 *        "holdout_value" (::cx_summary_column order). Uses the store's
 *        allocator; the table does not depend on the store afterwards.
 * @param[out] out     the table, to free with cx_result_free().
 * @param[in]  summary the summary.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_summary_table(cx_result **out, const cx_summary *summary);

/**
 * @brief Fit the BG/NBD model.
 * @param[out] out    the model, to free with cx_model_free().
 * @param[in]  x      repeat purchases, integers >= 0.
 * @param[in]  t_x    recency, 0 <= t_x <= T (0 when x = 0).
 * @param[in]  T      age, > 0.
 * @param[in]  weight counts (>= 0, finite), or NULL for 1 each.
 * @param[in]  count  the number of rows; the weights must add up to at least 10.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (bad data, named by its row;
 *         too few customers; degenerate data, see **Bounded fits**; no
 *         convergence), ::CX_ELIMIT (a cap reached) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_fit_bgnbd(cx_model **out, const double *x, const double *t_x, const double *T,
                                 const double *weight, size_t count);

/**
 * @brief Fit the Pareto/NBD model (arguments as cx_model_fit_bgnbd()).
 * @param[out] out    the model, to free with cx_model_free().
 * @param[in]  x      repeat purchases.
 * @param[in]  t_x    recency.
 * @param[in]  T      age.
 * @param[in]  weight counts, or NULL.
 * @param[in]  count  the number of rows.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_ELIMIT or ::CX_ENOMEM
 *         (as cx_model_fit_bgnbd()).
 */
CX_EXTERN int cx_model_fit_paretonbd(cx_model **out, const double *x, const double *t_x, const double *T,
                                     const double *weight, size_t count);

/**
 * @brief Fit the Gamma-Gamma spend model to customers with repeat purchases
 *        (rows with x = 0 are skipped).
 * @param[out] out    the model, to free with cx_model_free().
 * @param[in]  x      repeat purchases.
 * @param[in]  mean   the mean amount of those purchases, > 0 where x > 0.
 * @param[in]  weight counts, or NULL.
 * @param[in]  count  the number of rows.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE, ::CX_ELIMIT or ::CX_ENOMEM
 *         (as cx_model_fit_bgnbd()).
 */
CX_EXTERN int cx_model_fit_gammagamma(cx_model **out, const double *x, const double *mean, const double *weight,
                                      size_t count);

/**
 * @brief Fit the BG/BB model to discrete purchase opportunities.
 * @param[out] out     the model, to free with cx_model_free().
 * @param[in]  x       purchases (transactions) in the opportunities, integers.
 * @param[in]  t_x     the opportunity of the last one (0 when x = 0), x <= t_x <= n_opp.
 * @param[in]  n_opp   the opportunities, integers >= 1.
 * @param[in]  weight  counts, or NULL.
 * @param[in]  count   the number of rows.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (also for degenerate data, as
 *         cx_model_fit_bgnbd(): no customer with a purchase, every
 *         customer buying at the last opportunity (no dropout signal), all
 *         customers identical) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_fit_bgbb(cx_model **out, const double *x, const double *t_x, const double *n_opp,
                                const double *weight, size_t count);

/**
 * @brief Fit the shifted-beta-geometric model of contract renewals.
 * @param[out] out     the model, to free with cx_model_free().
 * @param[in]  t       for a customer who churned, the period in which the
 *                     contract ended (1: did not renew after the first);
 *                     for one still active, the periods survived so far;
 *                     integers >= 1 (>= 0 for active customers).
 * @param[in]  churned 1 churned, 0 still active.
 * @param[in]  weight  counts, or NULL.
 * @param[in]  count   the number of rows.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_fit_sbg(cx_model **out, const double *t, const int *churned, const double *weight,
                               size_t count);

/**
 * @brief Build a model from known parameters (to predict without fitting).
 * @param[out] out    the model, to free with cx_model_free().
 * @param[in]  kind   a ::cx_model_kind.
 * @param[in]  params the parameters, in the kind's order, finite and > 0.
 * @param[in]  count  their number.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_new(cx_model **out, cx_model_kind kind, const double *params, size_t count);

/**
 * @brief Free a model.
 * @param[in] model the model, or NULL.
 */
CX_EXTERN void cx_model_free(cx_model *model);

/**
 * @brief A model's parameters and fit as a table: one row per parameter,
 *        in the kind's order (see ::cx_model_kind), with the columns
 *        "name" (STRING: "r", "alpha", ...), "value" (REAL: the estimate),
 *        and the model's own figures, the same on every row: "kind"
 *        (STRING: "bgnbd", "pareto_nbd", "gamma_gamma", "bgbb" or "sbg"),
 *        "loglik" (REAL: the log-likelihood at the estimate; NaN for a
 *        model from cx_model_new()), "iterations" (INT: quasi-Newton
 *        iterations; 0 when given) and "customers" (REAL: the total weight
 *        fitted; 0 when given), then per parameter "std_error" (REAL: its
 *        standard error from the observed information, the Hessian of the
 *        log-likelihood at the estimate, inverted; the fit is on the log
 *        scale, so by the delta method se(p) = p se(ln p), as lifetimes
 *        reports them) and "lower", "upper" (REAL: the 95 % interval
 *        exp(ln p -/+ 1.96 se(ln p)), which stays positive; lifetimes prints
 *        p -/+ 1.96 se instead). The three are NaN for a model from
 *        cx_model_new() and when the information is not positive definite.
 * @param[out] out   the table, to free with cx_result_free().
 * @param[in]  model the model.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_params(cx_result **out, const cx_model *model);

/**
 * @brief New customer data for the predictions, with no column set yet.
 *        It borrows the arrays given to it: they must outlive it.
 * @param[out] out   the data, to free with cx_model_data_free(); malloc is used.
 * @param[in]  count the number of customers.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_data_new(cx_model_data **out, size_t count);

/**
 * @brief Customer data that reads a summary's columns (all four the models
 *        use) and carries its customer ids into cx_model_clv(). Uses the
 *        store's allocator; the summary must outlive the data.
 * @param[out] out     the data, to free with cx_model_data_free().
 * @param[in]  summary the summary.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_data_from_summary(cx_model_data **out, const cx_summary *summary);

/**
 * @brief Free customer data (not the arrays it borrows).
 * @param[in] data the data, or NULL.
 */
CX_EXTERN void cx_model_data_free(cx_model_data *data);

/**
 * @brief Set (or replace) one column of the data: ::CX_SUMMARY_FREQUENCY
 *        (x), ::CX_SUMMARY_RECENCY (t_x), ::CX_SUMMARY_AGE (T, or the
 *        opportunities for BG/BB) or ::CX_SUMMARY_MONETARY (the mean
 *        amount of the repeat purchases). The values are checked by the
 *        calls that read them.
 * @param[in] data   the data.
 * @param[in] column one of those four.
 * @param[in] values count doubles, borrowed.
 * @return ::CX_OK or ::CX_EINVAL (a column the models do not read).
 */
CX_EXTERN int cx_model_data_set(cx_model_data *data, cx_summary_column column, const double *values);

/**
 * @brief Number of customers of the data.
 * @param[in] data the data; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_model_data_count(const cx_model_data *data);

/**
 * @brief Expected purchases of each customer in the next `horizon` time
 *        units (BG/NBD, Pareto/NBD) or opportunities (BG/BB), given its
 *        history (frequency, recency and age columns).
 * @param[out] out       count values.
 * @param[in]  out_count the room in `out`, >= the data's count.
 * @param[in]  model     a BG/NBD, Pareto/NBD or BG/BB model.
 * @param[in]  data      the customers.
 * @param[in]  horizon   >= 0 (an integer for BG/BB).
 * @return ::CX_OK, ::CX_EINVAL (a column missing), ::CX_EBUFSIZE or
 *         ::CX_ERANGE; `out` is written only on success.
 */
CX_EXTERN int cx_model_expected(double *out, size_t out_count, const cx_model *model, const cx_model_data *data,
                                double horizon);

/**
 * @brief Probability that each customer is still alive (a customer) at T
 *        (BG/NBD, Pareto/NBD; for BG/BB at the next opportunity).
 * @param[out] out       count values in [0, 1].
 * @param[in]  out_count the room in `out`, >= the data's count.
 * @param[in]  model     a BG/NBD, Pareto/NBD or BG/BB model.
 * @param[in]  data      the customers (frequency, recency, age).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EBUFSIZE or ::CX_ERANGE.
 */
CX_EXTERN int cx_model_p_alive(double *out, size_t out_count, const cx_model *model, const cx_model_data *data);

/**
 * @brief Expected mean spend per purchase of each customer under a
 *        Gamma-Gamma model: (p (gamma + x m)) / (p x + q - 1); customers
 *        with x = 0 get the population mean p gamma / (q - 1).
 * @param[out] out       count values.
 * @param[in]  out_count the room in `out`, >= the data's count.
 * @param[in]  model     a Gamma-Gamma model with q > 1.
 * @param[in]  data      the customers (frequency and monetary columns).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EBUFSIZE or ::CX_ERANGE.
 */
CX_EXTERN int cx_model_expected_spend(double *out, size_t out_count, const cx_model *model,
                                      const cx_model_data *data);

/**
 * @brief Survival and retention under an sBG model.
 * @param[out] survival  S(t) = B(alpha, beta + t) / B(alpha, beta): the
 *                       share of a cohort still a customer after t periods;
 *                       may be NULL.
 * @param[out] retention r(t) = (beta + t - 1) / (alpha + beta + t - 1): the
 *                       renewal rate in period t (t >= 1); may be NULL.
 * @param[in]  model     an sBG model.
 * @param[in]  t         periods, >= 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_model_sbg_curve(double *survival, double *retention, const cx_model *model, double t);

/**
 * @brief New CLV options: a horizon of 12 periods of 1 time unit each, no
 *        discount. They use malloc.
 * @param[out] out the options, to free with cx_clv_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_clv_options_new(cx_clv_options **out);

/**
 * @brief Free CLV options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_clv_options_free(cx_clv_options *options);

/**
 * @brief Set the horizon: how many periods the value is summed over.
 * @param[in] options the options.
 * @param[in] periods 1 to 10000.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_clv_options_set_horizon(cx_clv_options *options, int periods);

/**
 * @brief Set a period's length in the data's time unit (with weeks,
 *        52.0 / 12 makes the periods months).
 * @param[in] options the options.
 * @param[in] length  finite and > 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_clv_options_set_period(cx_clv_options *options, double length);

/**
 * @brief Set the discount rate per period.
 * @param[in] options the options.
 * @param[in] rate    finite and >= 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_clv_options_set_discount(cx_clv_options *options, double rate);

/**
 * @brief Customer lifetime value over a horizon: the expected purchases of
 *        each period under `purchases` times the expected spend under
 *        `spend`, period k discounted by (1 + rate)^k, k = 1..periods (as
 *        in the `lifetimes` package).
 *
 * The table has one row per customer of `data`, in its order: "customer"
 * (STRING, the id; only when the data comes from a summary), then the REAL
 * columns "expected_purchases" (over the whole horizon), "p_alive" (now),
 * "expected_spend" (per purchase) and "clv". It uses the allocator of the
 * data (the store's for a summary's data).
 * @param[out] out       the table, to free with cx_result_free().
 * @param[in]  purchases a BG/NBD or Pareto/NBD model.
 * @param[in]  spend     a Gamma-Gamma model with q > 1.
 * @param[in]  data      the customers: frequency, recency, age and monetary.
 * @param[in]  options   the options, or NULL for the defaults of
 *                       cx_clv_options_new().
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (bad data, named by its row; a
 *         value that cannot be computed) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_clv(cx_result **out, const cx_model *purchases, const cx_model *spend,
                           const cx_model_data *data, const cx_clv_options *options);

/**
 * @brief The distribution of a random customer's purchases: P(X(t) = n),
 *        n = 0 .. out_count - 1, the probability that a customer drawn from
 *        the population makes n repeat purchases in a period of length t
 *        (BG/NBD, Pareto/NBD: time units; BG/BB: t opportunities).
 *
 * BG/NBD by Fader, Hardie and Lee (2005), eq. 8, with the negative
 * binomial tail P(NBD >= n) as a sum of positive terms over an incomplete
 * beta (not 1 minus a partial sum, which cancels); Pareto/NBD as the
 * mixture over the time alive, S(t) NBD(n; t) + int_0^t f(u) NBD(n; u) du
 * (the quantity of Fader and Hardie's note on P(X(t) = x), without its
 * difference of hypergeometric terms), the integral by Gauss-Legendre
 * quadrature in ln u around its peak; BG/BB by Fader, Hardie and Shang
 * (2010), eq. 7. All in logs, in bounded work: each probability costs a
 * bounded number of steps (Pareto/NBD: at most 4000 quadrature panels a
 * side; BG/BB: t terms). The values add up to P(X(t) < out_count).
 * @param[out] out       out_count probabilities; written only on success.
 * @param[in]  out_count how many, 1 to 100000 (BG/BB: out_count x t at
 *                       most 2 x 10^7).
 * @param[in]  model     a BG/NBD, Pareto/NBD or BG/BB model.
 * @param[in]  t         the period, finite and >= 0 (an integer <= 100000
 *                       for BG/BB).
 * @return ::CX_OK, ::CX_EINVAL (NULL, a model that does not predict
 *         purchases), ::CX_ERANGE (a bad count or t; a value that cannot be
 *         computed), ::CX_ELIMIT (the work cap) or ::CX_ENOMEM.
 *         Thread-safe: the model is only read.
 */
CX_EXTERN int cx_model_purchase_pmf(double *out, size_t out_count, const cx_model *model, double t);

/**
 * @brief The expected repeat purchases E[X(t)] of a random customer of the
 *        population in a period of length t: BG/NBD, FHL (2005) eq. 9;
 *        or, where its hypergeometric series would need too many terms (t
 *        thousands of times alpha) or a = 1, the sum over n of P(X(t) >= n)
 *        as the minimum of the purchases and the purchase of dropout (at
 *        most 2 x 10^7 terms); Pareto/NBD, r beta / (alpha (s - 1))
 *        (1 - (beta / (beta + t))^(s - 1)) (r beta / alpha ln(1 + t / beta)
 *        at s = 1); BG/BB, alpha / (alpha + beta) times the expected
 *        opportunities alive.
 * @param[out] out   the expectation; written only on success.
 * @param[in]  model a BG/NBD, Pareto/NBD or BG/BB model.
 * @param[in]  t     >= 0 (an integer for BG/BB).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE (a bad t; a value that cannot
 *         be computed).
 */
CX_EXTERN int cx_model_population_expected(double *out, const cx_model *model, double t);

/**
 * @brief The calibration / holdout table: how well the model's conditional
 *        expectations predict the purchases of a holdout period, by
 *        calibration frequency.
 *
 * One row per calibration frequency f = 0 .. max_frequency, the last row
 * pooling every customer with x >= max_frequency: "frequency" (INT, f),
 * "label" (STRING: "0", "1", ..., and "7+" for the pooled row),
 * "customers" (INT), "actual" (REAL, the mean of `holdout` over those
 * customers) and "expected" (REAL, the mean of their expected purchases in
 * the next `duration` time units, as cx_model_expected()). A row without
 * customers has NaN means. With a summary made with a holdout end:
 * the data from cx_model_data_from_summary(), `holdout` its
 * ::CX_SUMMARY_HOLDOUT column and `duration` the holdout's length in the
 * summary's time unit. Uses the data's allocator.
 * @param[out] out           the table, to free with cx_result_free().
 * @param[in]  model         a BG/NBD, Pareto/NBD or BG/BB model.
 * @param[in]  data          the customers' calibration histories.
 * @param[in]  holdout       the data's count of purchases in the holdout
 *                           (finite, >= 0).
 * @param[in]  duration      the holdout's length, > 0 (an integer for BG/BB).
 * @param[in]  max_frequency the frequency of the pooled last row, at most 10000.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (bad data, named by its row) or
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_calibration(cx_result **out, const cx_model *model, const cx_model_data *data,
                                   const double *holdout, double duration, size_t max_frequency);

/**
 * @brief Every customer's conditional predictions in one table.
 *
 * One row per customer of `data`, in its order: "customer" (STRING, the id;
 * only when the data comes from a summary), then the REAL columns
 * "frequency", "recency", "age" (x, t_x and T as given), "p_alive" (as
 * cx_model_p_alive()), "expected_purchases" (in the next `horizon` time
 * units, as cx_model_expected()) and, when `spend` is given,
 * "expected_spend" (per purchase, cx_model_expected_spend()) and "clv"
 * (as cx_model_clv() with `options`; its own horizon of purchases is in
 * cx_model_clv()'s table). Uses the data's allocator.
 * @param[out] out       the table, to free with cx_result_free().
 * @param[in]  purchases a BG/NBD or Pareto/NBD model (BG/BB too without `spend`).
 * @param[in]  spend     a Gamma-Gamma model with q > 1, or NULL.
 * @param[in]  data      the customers: frequency, recency, age, and
 *                       monetary when `spend` is given.
 * @param[in]  horizon   >= 0 (an integer for BG/BB).
 * @param[in]  options   CLV options (read only with `spend`), or NULL for
 *                       the defaults of cx_clv_options_new().
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (bad data, named by its row; a
 *         value that cannot be computed) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_model_customers(cx_result **out, const cx_model *purchases, const cx_model *spend,
                                 const cx_model_data *data, double horizon, const cx_clv_options *options);

/** @} */

/** @defgroup care Customer health and proactive care
 * A health score per customer from weighted, normalised signals, and rules
 * (held as data) that list the customers to contact now, with the reason.
 *
 * **Health signals.** Each signal is normalised to [0, 1], 1 being healthy,
 * at an as-of time `A` (records at or after `A` are ignored):
 * | signal | value |
 * |---|---|
 * | ::CX_HEALTH_NPS | the latest NPS answer s in the window before A: s / 10 |
 * | ::CX_HEALTH_CSAT, ::CX_HEALTH_CES | the latest answer s in the window: (s - min) / (max - min) on its question's scale, or 1 minus that when low is good (for CES: when low is easy) |
 * | ::CX_HEALTH_OPEN_CASES | 1 - min(k / scale, 1), k the cases opened in the window before A and not resolved by A |
 * | ::CX_HEALTH_REPEAT_CASES | 1 - min(k / scale, 1), k the cases opened in the window with 2 or more contacts or a reopen |
 * | ::CX_HEALTH_RECENCY | 1 - min(d / window, 1), d the time since the last activity (purchase or inbound interaction); 0 without activity |
 * | ::CX_HEALTH_P_ALIVE | P(alive) of the customer under a fitted model, at the summary's calibration end |
 * | ::CX_HEALTH_VALUE | the amount the customer spent in the window: min(v / scale, 1), or with scale 0 its mid-rank among all customers, (customers spending less + half of the others spending the same) / (customers - 1), 0.5 for a lone customer |
 *
 * A feedback signal without an answer in its window, and P(alive) without
 * a model or for a customer not in the summary, is *missing*. By default
 * (::CX_HEALTH_MISSING_AVERAGE) a missing signal counts at its average over
 * the customers who have it: a customer who never answered a survey is
 * taken as an average respondent, so they rank below one with good answers
 * and above one with bad answers, instead of being scored on their other
 * signals alone (which would put a silent customer with a recent purchase
 * above a promoter with a slightly older one). A signal nobody has (P(alive)
 * without a model) is left out. With ::CX_HEALTH_MISSING_SKIP missing
 * signals are left out and the weights of the others rescaled (the rule of
 * versions before 0.4). With w_k the weights and s_k the values of the
 * signals counted (weight > 0, present or averaged), the score is
 * 100 x sum(w_k s_k) / sum(w_k) and signal k *contributes*
 * 100 x w_k s_k / sum(w_k) points: the contributions add up to the score.
 * The score is NaN when no weighted signal is counted. Each row also says
 * which weighted signals the customer lacks ("missing") and the share of
 * the weight it has data for ("coverage"), so that a score built mostly on
 * averages can be told apart.
 * A window of 0 means no limit (all history before A).
 *
 * **Care rules** are data: a ::cx_care_rules handle holds rules of the
 * kinds of ::cx_care_kind, each with the caller's thresholds, windows and
 * priority. cx_care_evaluate() applies them at an as-of time and lists one
 * entry per customer and rule that matches, with the evidence (a time and
 * a value) and a reason in words. Options and rules use the default
 * allocator; results use
 * the store's allocator. Handles are not shared between threads while
 * being changed; results are immutable.
 * @{ */

/** The signals of the health score. Values are stable. */
typedef enum cx_health_signal {
    CX_HEALTH_NPS = 0,          /**< The latest NPS answer. Default weight 2, window 365 days. */
    CX_HEALTH_CSAT = 1,         /**< The latest CSAT answer. Default weight 1, window 365 days. */
    CX_HEALTH_CES = 2,          /**< The latest CES answer (ease). Default weight 1, window 365 days. */
    CX_HEALTH_OPEN_CASES = 3,   /**< Unresolved cases. Default weight 1, window 0 (any age), scale 3. */
    CX_HEALTH_REPEAT_CASES = 4, /**< Cases with repeated contacts or reopened. Default weight 1, window 90 days, scale 2. */
    CX_HEALTH_RECENCY = 5,      /**< Time since the last activity. Default weight 2, window 180 days. */
    CX_HEALTH_P_ALIVE = 6,      /**< P(alive) from a fitted model. Default weight 2. */
    CX_HEALTH_VALUE = 7         /**< Spend. Default weight 1, window 365 days, scale 0 (mid-rank). */
} cx_health_signal;

/** What a missing health signal counts as. Values are stable. */
typedef enum cx_health_missing {
    CX_HEALTH_MISSING_AVERAGE = 0, /**< Its average over the customers who have it (the default). */
    CX_HEALTH_MISSING_SKIP = 1     /**< Nothing: left out, the other weights rescaled. */
} cx_health_missing;

/** Number of health signals. */
#define CX_HEALTH_SIGNAL_COUNT 8

/** Opaque options of the health score: a weight, a window and a scale per signal. */
typedef struct cx_health_options cx_health_options;

/**
 * @brief New health options with the defaults of ::cx_health_signal.
 * @param[out] out the options, to free with cx_health_options_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_health_options_new(cx_health_options **out);

/**
 * @brief Free health options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_health_options_free(cx_health_options *options);

/**
 * @brief Set a signal's weight (0 leaves it out of the score).
 * @param[in] options the options.
 * @param[in] signal  a ::cx_health_signal.
 * @param[in] weight  finite and >= 0.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_health_options_set_weight(cx_health_options *options, cx_health_signal signal, double weight);

/**
 * @brief Set a signal's window: how far before the as-of time its records
 *        count (feedback, cases, value), or, for ::CX_HEALTH_RECENCY, the
 *        inactivity at which the signal reaches 0 (then it must be > 0).
 *        Ignored by ::CX_HEALTH_P_ALIVE.
 * @param[in] options   the options.
 * @param[in] signal    a ::cx_health_signal.
 * @param[in] window_ms >= 0; 0 for no limit.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_health_options_set_window(cx_health_options *options, cx_health_signal signal, int64_t window_ms);

/**
 * @brief Set a signal's scale: for ::CX_HEALTH_OPEN_CASES and
 *        ::CX_HEALTH_REPEAT_CASES the count at which the signal reaches 0
 *        (> 0); for ::CX_HEALTH_VALUE the spend at which it reaches 1, or 0
 *        for the mid-rank. Other signals have no scale.
 * @param[in] options the options.
 * @param[in] signal  one of those three signals.
 * @param[in] scale   finite and as above.
 * @return ::CX_OK, ::CX_EINVAL (a signal without a scale) or ::CX_ERANGE.
 */
CX_EXTERN int cx_health_options_set_scale(cx_health_options *options, cx_health_signal signal, double scale);

/**
 * @brief Set what a missing signal counts as (see the top of this page).
 * @param[in] options the options.
 * @param[in] missing a ::cx_health_missing (default
 *                    ::CX_HEALTH_MISSING_AVERAGE).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_health_options_set_missing(cx_health_options *options, cx_health_missing missing);

/**
 * @brief The name of a signal ("nps", "csat", "ces", "open_cases",
 *        "repeat_cases", "recency", "p_alive", "value").
 * @param[out] out    a static string.
 * @param[in]  signal a ::cx_health_signal.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_health_signal_name(const char **out, cx_health_signal signal);

/**
 * @brief Score every customer of a store: one row per customer, in the
 *        store's customer order.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `customer` | STRING | the customer's id |
 * | `score` | REAL | 0 to 100; NaN when no weighted signal is present |
 * | `<signal>` | REAL | per signal, in ::cx_health_signal order ("nps", "csat", ..., "value"): its normalised value in [0, 1]; NaN when missing |
 * | `<signal>_contribution` | REAL | the points it adds to the score, at its average when missing (0 when skipped or weighted 0); they add up to `score` |
 * | `<signal>_raw` | REAL | the value before normalisation: the answer, the count of cases, the days since the last activity, P(alive), the spend; NaN when missing |
 * | `missing` | STRING | the weighted signals the customer has no data for, comma-separated ("nps,csat"); missing (NULL) when none |
 * | `coverage` | REAL | the share of the total weight of the signals it has data for, 0 to 1 |
 *
 * The three columns of signal k are columns 2 + 3k, 3 + 3k and 4 + 3k.
 * Cost: one pass over the feedback, cases, interactions and transactions.
 * @param[out] out     the table, to free with cx_result_free().
 * @param[in]  store   the store.
 * @param[in]  options the options, or NULL for the defaults.
 * @param[in]  as_of   the time of the score (not ::CX_TIME_NONE).
 * @param[in]  model   a BG/NBD or Pareto/NBD model for ::CX_HEALTH_P_ALIVE, or NULL.
 * @param[in]  summary the summary of the same store the model applies to
 *                     (NULL exactly when model is NULL).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_health_run(cx_result **out, const cx_store *store, const cx_health_options *options, cx_time as_of,
                            const cx_model *model, const cx_summary *summary);

/** The kinds of care rule. Values are stable. In each, `window` is how
 *  far before the as-of time A the evidence may lie. */
typedef enum cx_care_kind {
    /** An NPS answer at or below `threshold` (6: a detractor) in the
     *  window, linked to a case (directly or through its interaction).
     *  Evidence: the latest such answer and its score. */
    CX_CARE_DETRACTOR_AFTER_CASE = 0,
    /** A case with at least `threshold` contacts (its contacts field, or
     *  the inbound interactions linked to it if more), with a contact or
     *  its opening in the window. Evidence: the case's latest contact and
     *  the count (the largest count among the customer's cases). */
    CX_CARE_REPEAT_CONTACTS = 1,
    /** A case not resolved by A that is past its target: opened more than
     *  `window` before A (the resolution target), or, when `baseline` > 0,
     *  without a first response more than `baseline` after opening (the
     *  first-response target). Restricted to a case priority with
     *  cx_care_rules_set_priority(). Evidence: the time the target passed
     *  and the hours overdue (the most overdue case). */
    CX_CARE_SLA_BREACH = 2,
    /** A CES answer in the window whose ease ((s - min) / (max - min),
     *  flipped when low is easy) is at or below `threshold` (on 1-7, 2/6
     *  is "3 or harder"). Evidence: the latest such answer and its score. */
    CX_CARE_HIGH_EFFORT = 3,
    /** Activity (purchases and inbound interactions) fell sharply: at
     *  least `min_value` activities in the `baseline` period before the
     *  window, and the rate in the window (per unit time) at most
     *  `threshold` times the baseline's rate. Evidence: the last activity
     *  and the ratio of the rates. */
    CX_CARE_ACTIVITY_DROP = 4,
    /** A customer of the summary whose P(alive) under the model is below
     *  `threshold` and whose total spend in the summary's calibration
     *  period is at least `min_value`. Needs a model at evaluation.
     *  Evidence: the last purchase and P(alive). */
    CX_CARE_LOW_P_ALIVE = 5
} cx_care_kind;

/** Number of care rule kinds. */
#define CX_CARE_KIND_COUNT 6

/** An opaque set of care rules. */
typedef struct cx_care_rules cx_care_rules;

/**
 * @brief A new, empty set of care rules.
 * @param[out] out the rules, to free with cx_care_rules_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_care_rules_new(cx_care_rules **out);

/**
 * @brief Free care rules.
 * @param[in] rules the rules, or NULL.
 */
CX_EXTERN void cx_care_rules_free(cx_care_rules *rules);

/**
 * @brief Add a rule (see ::cx_care_kind for what each parameter means to
 *        each kind; a parameter a kind does not use must be 0). A rule's
 *        minimum value and baseline start at 0: set them with
 *        cx_care_rules_set_min_value() and cx_care_rules_set_baseline().
 * @param[out] out       the rule's number (0, 1, 2, ... in order of
 *                       addition); may be NULL.
 * @param[in]  rules     the rules.
 * @param[in]  kind      a ::cx_care_kind.
 * @param[in]  priority  higher is more urgent; the list is sorted by it.
 * @param[in]  threshold finite; >= 0.
 * @param[in]  window_ms > 0 (for ::CX_CARE_SLA_BREACH >= 0; 0 for
 *                       ::CX_CARE_LOW_P_ALIVE).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_care_rules_add(size_t *out, cx_care_rules *rules, cx_care_kind kind, int priority, double threshold,
                                int64_t window_ms);

/**
 * @brief Set a rule's minimum value (::CX_CARE_ACTIVITY_DROP: activities
 *        in the baseline; ::CX_CARE_LOW_P_ALIVE: spend).
 * @param[in] rules     the rules.
 * @param[in] rule      the rule's number.
 * @param[in] min_value finite, >= 0.
 * @return ::CX_OK, ::CX_EINVAL (a kind without one) or ::CX_ERANGE.
 */
CX_EXTERN int cx_care_rules_set_min_value(cx_care_rules *rules, size_t rule, double min_value);

/**
 * @brief Set a rule's baseline (::CX_CARE_ACTIVITY_DROP: the period
 *        before the window, > 0 before evaluation; ::CX_CARE_SLA_BREACH:
 *        the first-response target, 0 for none).
 * @param[in] rules       the rules.
 * @param[in] rule        the rule's number.
 * @param[in] baseline_ms >= 0.
 * @return ::CX_OK, ::CX_EINVAL (a kind without one) or ::CX_ERANGE.
 */
CX_EXTERN int cx_care_rules_set_baseline(cx_care_rules *rules, size_t rule, int64_t baseline_ms);

/**
 * @brief Restrict a ::CX_CARE_SLA_BREACH rule to cases of one priority
 *        (several rules give several targets).
 * @param[in] rules    the rules.
 * @param[in] rule     the rule's number.
 * @param[in] priority a priority name (checked against the store at
 *                     evaluation), or NULL for every case.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_care_rules_set_priority(cx_care_rules *rules, size_t rule, const char *priority);

/**
 * @brief Number of rules.
 * @param[in] rules the rules; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_care_rules_count(const cx_care_rules *rules);

/**
 * @brief The name of a rule kind ("detractor_after_case",
 *        "repeat_contacts", "sla_breach", "high_effort", "activity_drop",
 *        "low_p_alive").
 * @param[out] out  a static string.
 * @param[in]  kind a ::cx_care_kind.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_care_kind_name(const char **out, cx_care_kind kind);

/**
 * @brief Apply the rules at an as-of time (records at or after it are
 *        ignored): the customers to contact now. Each rule gives at most
 *        one row per customer. Rows are sorted by priority (highest
 *        first), then by the evidence time (oldest first: who has waited
 *        longest), then by rule number and customer order.
 *
 * | column | type | meaning |
 * |---|---|---|
 * | `customer` | STRING | the customer's id |
 * | `rule` | INT | the rule's number |
 * | `kind` | INT | its ::cx_care_kind |
 * | `kind_name` | STRING | its name (cx_care_kind_name()) |
 * | `priority` | INT | its priority |
 * | `time` | TIME | the evidence time (see ::cx_care_kind) |
 * | `value` | REAL | the evidence value (see ::cx_care_kind) |
 * | `reason` | STRING | the reason in words |
 *
 * @param[out] out     the table, to free with cx_result_free().
 * @param[in]  rules   the rules.
 * @param[in]  store   the store.
 * @param[in]  as_of   not ::CX_TIME_NONE.
 * @param[in]  model   a BG/NBD or Pareto/NBD model, or NULL (required by
 *                     ::CX_CARE_LOW_P_ALIVE rules).
 * @param[in]  summary the summary the model applies to (NULL exactly when
 *                     model is NULL).
 * @return ::CX_OK, ::CX_EINVAL (a low-P(alive) rule without a model),
 *         ::CX_ERANGE (a rule without its baseline or target),
 *         ::CX_ENOTFOUND (a priority not in the store) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_care_evaluate(cx_result **out, const cx_care_rules *rules, const cx_store *store, cx_time as_of,
                               const cx_model *model, const cx_summary *summary);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
