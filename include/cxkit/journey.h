/**
 * @file journey.h
 * @brief Customer journeys: paths, funnels, transition matrices, Markov and
 *        heuristic attribution, stage progression, pain points, satisfaction
 *        drivers and satisfaction by journey, all computed from one
 *        per-customer time-ordered index of the interactions.
 */
#ifndef CXKIT_JOURNEY_H
#define CXKIT_JOURNEY_H

#include "cxkit/common.h"
#include "cxkit/result.h"
#include "cxkit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup journey Journeys: paths, funnels, attribution, pain points
 *
 * A ::cx_journeys handle is built once from a store and a set of
 * ::cx_journeys_options: it sorts every customer's interactions by time
 * and cuts them into journeys. Interactions at the same time are ordered
 * by what they are, whatever order they were added in: conversions after
 * the other interactions, then by touchpoint name, by id (none first), by
 * whether they are post-purchase steps or repeat contacts and by value;
 * only interactions alike in all of that are left in the order they were
 * added, which then changes no result. Every analysis then reads that shared index and returns a
 * ::cx_result (result.h), the library's one table of named, typed columns,
 * read with the cx_result_* getters and freed with cx_result_free().
 *
 * **Journeys.** A customer's interactions, in time order, are cut into
 * journeys by the *boundary rule* (::cx_journeys_boundary,
 * cx_journeys_options_set_boundary()) and, whatever the rule, after an
 * inactivity gap longer than the option's gap (when the gap is set). A
 * conversion event is an interaction whose outcome is ::CX_HANDLED and that
 * matches one of the conversion rules (by interaction kind, touchpoint or
 * stage; by default the kind "purchase"). A *post-purchase step* is an
 * event that is not a conversion and matches one of the post-purchase
 * rules (cx_journeys_options_add_post_purchase(); by default a delivery:
 * interaction kind "delivery" or touchpoint kind "logistics", or any
 * touchpoint of the stages "onboarding", "advocacy" or "service").
 * - ::CX_JOURNEYS_BOUNDARY_POST_PURCHASE (the default): after a conversion
 *   the journey goes on through the post-purchase steps that follow it (the
 *   delivery, unboxing, onboarding and support of that order); the first
 *   later event that is not a post-purchase step (a pre-purchase touch such
 *   as a visit, an ad or a checkout, a retention message, or the next
 *   conversion) starts the next journey. A journey so holds at most one
 *   conversion, followed by its post-purchase steps.
 * - ::CX_JOURNEYS_BOUNDARY_CONVERSION: a conversion ends its journey; the
 *   next event starts the next one (the rule of versions before 0.3: the
 *   delivery of an order then opens the next journey).
 * - ::CX_JOURNEYS_BOUNDARY_GAP: conversions do not cut; only the gap does,
 *   and a journey may hold several conversions.
 *
 * A journey *converts* when it holds a conversion event; its value is the
 * sum of the values of its conversion events. Its *path to conversion* is
 * its events up to and including its last conversion (all of them when it
 * did not convert); the events after its last conversion are its *steps
 * after the conversion* (none under the conversion rule; the post-purchase
 * steps under the default rule).
 *
 * **Paths.** The path of a journey is the sequence of its events' states at
 * the chosen level (touchpoint, channel or stage), consecutive repeats
 * merged when collapsing: the whole journey, steps after the conversion
 * included ("website > web_checkout > home_delivery"). Conversion events
 * are states of the path unless cx_journeys_options_set_conversion_in_path()
 * says otherwise (then, when no state comes before a journey's last
 * conversion, that conversion is kept as a state, so no path to conversion
 * is empty). The duration of a journey is the time from its first to its
 * last event; its time to conversion, from its first event to its last
 * conversion.
 *
 * **What each analysis reads.** Paths, the journey list and satisfaction by
 * path read whole journeys. The transition matrix and the attribution read
 * paths to conversion only: CONVERSION follows the state of the conversion
 * and the steps after it are no transitions of the chain, so a touch after
 * the conversion gets no credit for it (a level value seen only after
 * conversions gets a row of zeros). The pain points judge a touchpoint's
 * *drop-off* on paths to conversion and its *post-purchase drop-off* on the
 * steps after conversions (see cx_journeys_pain_points()). Funnels and stage
 * progression read each customer's whole history and do not depend on the
 * boundary rule.
 *
 * **Feedback of a journey.** An answer belongs to the journey of its
 * customer that had started at its time and was the latest to have
 * started: the time from a journey's start to the next journey's start
 * (unbounded for the customer's last one). Answers given before a
 * customer's first interaction belong to no journey.
 *
 * **Feedback of a touchpoint.** An answer rates its touchpoint, else the
 * touchpoint of its interaction. Scores follow the metrics module: NPS
 * detractors 0-6, promoters 9-10; CSAT good = the top two points of the
 * oriented scale; CES oriented so that high is easy, rescaled to 1-7, easy
 * = beyond the middle (5-7).
 *
 * **Memory and threads.** Every handle uses the allocator of its store.
 * A built ::cx_journeys is a snapshot of the store's interactions; it reads
 * the store again for times, kinds and feedback, so the store must outlive
 * it and must not change while an analysis runs. The analyses only read
 * the journeys handle, its funnel and the store, and may run concurrently
 * on one handle and one funnel. Options and funnels are not locked: set
 * them up in one thread, then share them read-only; results are immutable.
 * The build itself starts threads only when cx_journeys_options_set_threads()
 * allows more than one, and joins them before it returns.
 *
 * **Failure.** Every call checks all of its arguments and leaves its
 * handles as they were when it fails; the last error names the function
 * and the argument or record at fault.
 * @{ */

/** Options of a journey build: what converts, how journeys are cut, the
 *  level of paths and the parameters of the analyses. */
typedef struct cx_journeys_options cx_journeys_options;

/** The per-customer time-ordered index of a store's interactions, cut into
 *  journeys. */
typedef struct cx_journeys cx_journeys;

/** An ordered list of funnel steps with a window, an order rule and
 *  exclusion steps. */
typedef struct cx_funnel cx_funnel;

/** The level at which a journey's events become states. Values are stable. */
typedef enum cx_journeys_level {
    CX_JOURNEYS_LEVEL_TOUCHPOINT = 0, /**< The touchpoint's name. */
    CX_JOURNEYS_LEVEL_CHANNEL = 1,    /**< The touchpoint's channel. */
    CX_JOURNEYS_LEVEL_STAGE = 2       /**< The touchpoint's journey stage. */
} cx_journeys_level;

/** What a conversion rule matches. Values are stable. */
typedef enum cx_conversion_by {
    CX_CONVERSION_BY_KIND = 0,       /**< An interaction kind (::CX_VOCAB_INTERACTION_KIND), such as "purchase". */
    CX_CONVERSION_BY_TOUCHPOINT = 1, /**< A touchpoint's name. */
    CX_CONVERSION_BY_STAGE = 2       /**< A stage (::CX_VOCAB_STAGE): any touchpoint of it. */
} cx_conversion_by;

/** How a customer's interactions are cut into journeys (besides the
 *  inactivity gap, which cuts under every rule). Values are stable. */
typedef enum cx_journeys_boundary {
    /** A conversion ends its journey: the next event, a delivery of the
     *  same order included, starts the next one (the rule before 0.3). */
    CX_JOURNEYS_BOUNDARY_CONVERSION = 0,
    /** The default: the post-purchase steps after a conversion stay in its
     *  journey; the next event that is not one starts the next journey. */
    CX_JOURNEYS_BOUNDARY_POST_PURCHASE = 1,
    /** Conversions do not cut; only the inactivity gap does. */
    CX_JOURNEYS_BOUNDARY_GAP = 2
} cx_journeys_boundary;

/** What a post-purchase rule matches. Values are stable. */
typedef enum cx_post_purchase_by {
    CX_POST_PURCHASE_BY_STAGE = 0,           /**< A stage (::CX_VOCAB_STAGE): any touchpoint of it, such as "onboarding". */
    CX_POST_PURCHASE_BY_TOUCHPOINT = 1,      /**< A touchpoint's name, such as "home_delivery". */
    CX_POST_PURCHASE_BY_TOUCHPOINT_KIND = 2, /**< A touchpoint kind (::CX_VOCAB_TOUCHPOINT_KIND), such as "logistics". */
    CX_POST_PURCHASE_BY_KIND = 3             /**< An interaction kind (::CX_VOCAB_INTERACTION_KIND), such as "delivery". */
} cx_post_purchase_by;

/** Groupings of cx_journeys_satisfaction(). Values are stable. */
typedef enum cx_journeys_group {
    CX_JOURNEYS_GROUP_PATH = 0,     /**< By path (one row per distinct path). */
    CX_JOURNEYS_GROUP_STAGE = 1,    /**< By the stage of the rated touchpoint. */
    CX_JOURNEYS_GROUP_CONVERTED = 2 /**< Journeys that converted against those that did not. */
} cx_journeys_group;

/** Most conversion rules in one set of options. */
#define CX_JOURNEYS_MAX_CONVERSIONS 16
/** Most post-purchase rules in one set of options. */
#define CX_JOURNEYS_MAX_POST_PURCHASE 16
/** Most steps in a funnel. */
#define CX_FUNNEL_MAX_STEPS 32
/** Most exclusion steps in a funnel. */
#define CX_FUNNEL_MAX_EXCLUSIONS 16
/** Highest order of a transition matrix or Markov attribution. */
#define CX_JOURNEYS_MAX_ORDER 4
/** Tolerance of the absorbing-chain solve of the Markov attribution: the
 *  sweeps stop when no absorption value changes by more than this (relative
 *  to the largest value). */
#define CX_JOURNEYS_TOLERANCE 1e-13

/* ---- options ------------------------------------------------------------ */

/**
 * @brief Create journey options with the defaults: conversion = an
 *        interaction of kind "purchase" (handled), boundary
 *        ::CX_JOURNEYS_BOUNDARY_POST_PURCHASE with the post-purchase rules
 *        interaction kind "delivery", touchpoint kind "logistics" and the
 *        stages "onboarding", "advocacy" and "service", no inactivity gap,
 *        touchpoint level, no collapsing, conversions in the path, contact
 *        kind "contact", repeat window 7 days, time-decay half-life 7 days,
 *        position weights 0.4 / 0.4, minimum support 30.
 *
 * Why these post-purchase rules: the delivery, unboxing, onboarding,
 * reviews and support that follow an order are part of that order's
 * experience, so they stay in its journey. The "retention" stage is left
 * out on purpose: newsletters, loyalty visits and win-back offers aim at
 * the *next* order, so they open the next journey and can earn credit for
 * it. Add the stage with cx_journeys_options_add_post_purchase() to keep
 * them with the previous order instead.
 * @param[out] out   the options, to free with cx_journeys_options_free().
 * @param[in]  store the store whose names the options resolve (borrowed: it
 *                   must outlive the options); its allocator is used.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_options_new(cx_journeys_options **out, const cx_store *store);

/**
 * @brief Free journey options.
 * @param[in] options the options, or NULL.
 */
CX_EXTERN void cx_journeys_options_free(cx_journeys_options *options);

/**
 * @brief Replace the conversion rules by one rule. See also
 *        cx_journeys_options_add_conversion().
 * @param[in] options the options.
 * @param[in] by      a ::cx_conversion_by.
 * @param[in] name    the kind, touchpoint or stage, known to the store.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOTFOUND (unknown name); on failure
 *         the rules are unchanged.
 */
CX_EXTERN int cx_journeys_options_set_conversion(cx_journeys_options *options, cx_conversion_by by,
                                                 const char *name);

/**
 * @brief Add a conversion rule: an event converts when it matches any rule
 *        (and its outcome is ::CX_HANDLED).
 * @param[in] options the options.
 * @param[in] by      a ::cx_conversion_by.
 * @param[in] name    the kind, touchpoint or stage, known to the store.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND or ::CX_ELIMIT (more than
 *         ::CX_JOURNEYS_MAX_CONVERSIONS rules).
 */
CX_EXTERN int cx_journeys_options_add_conversion(cx_journeys_options *options, cx_conversion_by by,
                                                 const char *name);

/**
 * @brief Set the inactivity gap that starts a new journey.
 * @param[in] options the options.
 * @param[in] gap_ms  a gap strictly longer than this starts a new journey;
 *                    0 for no gap rule (the default).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE (negative).
 */
CX_EXTERN int cx_journeys_options_set_gap(cx_journeys_options *options, int64_t gap_ms);

/**
 * @brief Whether a conversion ends its journey: 1 sets the boundary
 *        ::CX_JOURNEYS_BOUNDARY_CONVERSION, 0 sets ::CX_JOURNEYS_BOUNDARY_GAP
 *        (kept from 0.2; cx_journeys_options_set_boundary() says more,
 *        and its default keeps post-purchase steps with their order).
 * @param[in] options the options.
 * @param[in] cut     1 to start a new journey after each conversion event, 0 not to.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_journeys_options_set_cut_at_conversion(cx_journeys_options *options, int cut);

/**
 * @brief Set the rule that cuts journeys (default
 *        ::CX_JOURNEYS_BOUNDARY_POST_PURCHASE; see the module's text). The
 *        inactivity gap cuts under every rule.
 * @param[in] options  the options.
 * @param[in] boundary a ::cx_journeys_boundary.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_journeys_options_set_boundary(cx_journeys_options *options, cx_journeys_boundary boundary);

/**
 * @brief Replace the post-purchase rules by one rule. See also
 *        cx_journeys_options_add_post_purchase().
 *
 * An event is a post-purchase step when it is not a conversion and matches
 * any rule. The rules matter under ::CX_JOURNEYS_BOUNDARY_POST_PURCHASE
 * only: an event before the journey's conversion is a step towards it,
 * whatever it matches.
 * @param[in] options the options.
 * @param[in] by      a ::cx_post_purchase_by.
 * @param[in] name    the stage, touchpoint, touchpoint kind or interaction
 *                    kind, known to the store.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOTFOUND (unknown name); on failure
 *         the rules are unchanged.
 */
CX_EXTERN int cx_journeys_options_set_post_purchase(cx_journeys_options *options, cx_post_purchase_by by,
                                                    const char *name);

/**
 * @brief Add a post-purchase rule (adding a rule already there does
 *        nothing).
 * @param[in] options the options.
 * @param[in] by      a ::cx_post_purchase_by.
 * @param[in] name    the stage, touchpoint, touchpoint kind or interaction
 *                    kind, known to the store.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND or ::CX_ELIMIT (more than
 *         ::CX_JOURNEYS_MAX_POST_PURCHASE rules).
 */
CX_EXTERN int cx_journeys_options_add_post_purchase(cx_journeys_options *options, cx_post_purchase_by by,
                                                    const char *name);

/**
 * @brief Set the level of path states (default touchpoint).
 * @param[in] options the options.
 * @param[in] level   a ::cx_journeys_level.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_journeys_options_set_level(cx_journeys_options *options, cx_journeys_level level);

/**
 * @brief Whether consecutive equal states of a path are merged (default 0).
 * @param[in] options  the options.
 * @param[in] collapse 1 to merge, 0 to keep every event.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_journeys_options_set_collapse(cx_journeys_options *options, int collapse);

/**
 * @brief Whether conversion events are states of the path (default 1).
 * @param[in] options the options.
 * @param[in] in_path 1 to keep them, 0 to leave them out (a journey's last
 *                    conversion stays when no state comes before it, so a
 *                    journey made only of conversions keeps its last one).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_journeys_options_set_conversion_in_path(cx_journeys_options *options, int in_path);

/**
 * @brief Set what counts as a repeat contact for the pain points: an
 *        inbound interaction of this kind by the same customer within the
 *        window after an event (at a later time: one at the same time as
 *        the event does not follow it).
 * @param[in] options   the options.
 * @param[in] kind      a kind known to the store (default "contact").
 * @param[in] window_ms > 0 (default 7 days).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND or ::CX_ERANGE.
 */
CX_EXTERN int cx_journeys_options_set_repeat_contacts(cx_journeys_options *options, const char *kind,
                                                      int64_t window_ms);

/**
 * @brief Set the half-life of time-decay attribution: an event `d`
 *        milliseconds before the conversion weighs 2^(-d / half-life).
 * @param[in] options      the options.
 * @param[in] half_life_ms > 0 (default 7 days).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_journeys_options_set_half_life(cx_journeys_options *options, int64_t half_life_ms);

/**
 * @brief Set the weights of position-based (U-shaped) attribution: the
 *        first and the last state of a path of three or more get these
 *        shares, the states between share the rest equally. A path of one
 *        state gets everything, a path of two halves it.
 * @param[in] options the options.
 * @param[in] first   share of the first state, >= 0.
 * @param[in] last    share of the last state, >= 0, first + last <= 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_journeys_options_set_position_weights(cx_journeys_options *options, double first, double last);

/**
 * @brief Set the smallest sample a pain-point signal needs to be judged
 *        (events, journeys or answers of the touchpoint; default 30).
 * @param[in] options the options.
 * @param[in] min_n   >= 1.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_journeys_options_set_min_support(cx_journeys_options *options, int64_t min_n);

/**
 * @brief How many threads cx_journeys_new() may use (default 1: the caller's
 *        thread only, so that an embedding host decides).
 *
 * With a count above one the build's passes are cut into parts of about
 * the same number of events (at most 64, and none under 16384 events),
 * each run on a thread of its own: the pass that puts each event in its
 * bucket of customers (by ranges of rows, each part with its own places in
 * every bucket, so that a bucket holds its events in row order as with one
 * thread), the sort of the buckets (by ranges of buckets), the gathering
 * of the conversions' values, and the cut into journeys (by ranges of
 * customers, counted first so that each part knows where its journeys
 * start). Rows added by customer and time need no sort: their words and
 * values are read by ranges of whole customers. The journeys are
 * therefore the same, bit for bit, for every thread count. The pass that
 * finds whether the rows are in order and plans the buckets (one read of
 * the customers and times) stays on the caller's thread.
 *
 * The threads are started and joined inside cx_journeys_new(); they read
 * the store (which must not change meanwhile, as always) and, when events
 * share a time, allocate the scratch that orders them from the store's
 * allocator, which must then be safe to call from several threads at once
 * (malloc, the default, is). No global state.
 *
 * cx_journeys_attribution() of the journeys built uses the same count for
 * the removal effects of its Markov chain, as cx_paths_set_threads() says
 * (the same table for every count; those threads allocate nothing).
 *
 * @param[in] options the options.
 * @param[in] threads 1 or more, or 0 for every online core
 *                    (`sysconf(_SC_NPROCESSORS_ONLN)`); at most 1024.
 * @return ::CX_OK or ::CX_EINVAL (NULL options, a negative count or one
 *         above 1024).
 */
CX_EXTERN int cx_journeys_options_set_threads(cx_journeys_options *options, int threads);

/* ---- journeys ------------------------------------------------------------ */

/**
 * @brief Build the journeys of every customer of a store.
 *
 * Cost: O(n) passes in row order and over the index, whatever the order the
 * rows were added in: rows added by customer and time need no sort; others
 * are sorted in two levels (buckets of customers, each sorted in the cache),
 * on as many threads as cx_journeys_options_set_threads() allows (default
 * one), with the same journeys for any count.
 * The index keeps each event's time (borrowed from the store when the rows
 * were added in order) and what it is, so that the analyses read it in
 * order. Memory: about 4 bytes per interaction (12 when the rows were not
 * added in order), 4 per path state, 8 per conversion, 25 per journey and
 * 8 per customer (see cx_journeys_byte_count()).
 * @param[out] out     the journeys, to free with cx_journeys_free().
 * @param[in]  store   the store (borrowed: it must outlive the journeys and
 *                     not change while they are used).
 * @param[in]  options options made for the same store, or NULL for the
 *                     defaults; they are copied.
 * @return ::CX_OK, ::CX_EINVAL (options of another store), ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_new(cx_journeys **out, const cx_store *store, const cx_journeys_options *options);

/**
 * @brief Free journeys.
 * @param[in] journeys the journeys, or NULL.
 */
CX_EXTERN void cx_journeys_free(cx_journeys *journeys);

/**
 * @brief Number of journeys.
 * @param[in] journeys the journeys; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_journeys_count(const cx_journeys *journeys);

/**
 * @brief Number of journeys that converted.
 * @param[in] journeys the journeys; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_journeys_conversion_count(const cx_journeys *journeys);

/**
 * @brief Bytes of memory the journeys hold.
 * @param[in] journeys the journeys; NULL gives 0.
 * @return the size in bytes.
 */
CX_EXTERN size_t cx_journeys_byte_count(const cx_journeys *journeys);

/**
 * @brief List every journey: columns "customer", "start", "end" (times),
 *        "events", "converted" (0 or 1), "value" (real), "path" (the
 *        states joined by " > "), "converted_at" (the time of its last
 *        conversion, ::CX_TIME_NONE when it did not convert) and
 *        "events_after_conversion" (its steps after that conversion). Rows
 *        are in customer order, then time.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_list(cx_result **out, const cx_journeys *journeys);

/**
 * @brief The step matrix (retentioneering's): the share of journeys at
 *        each state by step number.
 *
 * Step k of a journey is the k-th state of its path (the whole journey,
 * steps after the conversion included; repeats collapsed when the options
 * say so). One row per step from 1 to `max_steps` and state found at that
 * step, by journeys descending then name, followed by one row with a
 * missing name (NULL) for the journeys already ended before that step
 * (shorter paths). Columns: "step", "name", "journeys", "share" (of all
 * journeys; the shares of a step sum to 1).
 * @param[out] out       the result, to free with cx_result_free().
 * @param[in]  journeys  the journeys.
 * @param[in]  max_steps the steps wanted, 1 to 1000.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (max_steps) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_step_matrix(cx_result **out, const cx_journeys *journeys, size_t max_steps);

/**
 * @brief The most frequent paths.
 *
 * Columns: "path", "length" (states), "journeys", "customers" (distinct),
 * "conversions", "conversion_rate" (%), "median_duration_ms" (first to
 * last event, steps after the conversion included), "nps", "nps_n",
 * "csat" (%), "csat_n", "ces", "ces_n" (the feedback of those journeys,
 * see above; NaN without answers), "median_to_conversion_ms" (first event
 * to the last conversion, over the converting journeys; NaN without one).
 * Rows by journeys descending, then, for ties, by path: state by state
 * by name (a path before the longer paths it begins), so that the order
 * the touchpoints were added in changes no row.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @param[in]  top_k    most rows wanted, >= 1.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (top_k = 0), ::CX_ELIMIT (more
 *         distinct paths than a table can hold) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_paths(cx_result **out, const cx_journeys *journeys, size_t top_k);

/**
 * @brief The transition matrix between states, with "START", "CONVERSION"
 *        and "DROP".
 *
 * With order k, a state is the sequence of the last k states of the path
 * (fewer at its beginning), written "a > b". Every journey contributes its
 * path to conversion (see above): START -> its first state, one transition
 * per step, and its last state -> CONVERSION (the state of the conversion)
 * or DROP (a journey that did not convert). Steps after the conversion are
 * not in the chain: the chain is a model of reaching the conversion. Columns: "from", "to", "count", "probability"
 * (count / all transitions out of "from"). Rows by "from" (START first,
 * then the states by their names: a tuple by its first name, then its
 * next...), then "to" likewise (CONVERSION and DROP last): the same table
 * for the same records in any order.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @param[in]  order    1 to ::CX_JOURNEYS_MAX_ORDER.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (bad order), ::CX_ELIMIT (more
 *         distinct states or transitions than a chain can number) or
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_transitions(cx_result **out, const cx_journeys *journeys, int order);

/**
 * @brief Markov-chain attribution by removal effect, beside the heuristic
 *        models.
 *
 * Markov: the chain of order `order` (see cx_journeys_transitions()) is
 * solved exactly for the probability of absorption in CONVERSION from
 * START, p, and for the expected conversion value, v (each converting
 * state carries the mean value of the conversions it ends). Removing a
 * level value sends every state that contains it to DROP; its removal
 * effect is 1 - p' / p (and 1 - v' / v for value). Attributions are the
 * removal effects normalised to sum to the total conversions (and the total
 * value). The solve is Gauss-Seidel on the sparse chain until no value
 * moves by more than ::CX_JOURNEYS_TOLERANCE: deterministic, no sampling.
 * A chain of at most 2048 states on which that iteration does not settle,
 * or would cost far more than the alternative (long paths mixing many
 * channels: hundreds of sweeps per removal), is solved from its
 * fundamental matrix (I - P)^-1 instead, computed once: each removal is
 * then a small system over the states it removes.
 *
 * Heuristics, over the paths to conversion of converting journeys (steps
 * after the conversion get no credit), each worth one conversion (and its
 * value): first touch, last touch, linear (equal shares per path state),
 * time decay (weights 2^(-d / half-life), d = conversion time - the time of
 * the state's last event) and position-based (see
 * cx_journeys_options_set_position_weights()). Each sums to the total
 * conversions.
 *
 * Columns: "name", "removal_effect", "markov", "removal_effect_value",
 * "markov_value", "first_touch", "last_touch", "linear", "time_decay",
 * "position_based", then "first_touch_value", "last_touch_value",
 * "linear_value", "time_decay_value", "position_based_value". One row per
 * level value seen in a path (zeros for one seen only after conversions),
 * by "markov" descending then name. The same records in any order give
 * this table bit for bit: the heuristic columns are summed in fixed point,
 * and the chain's states are solved in an order of their own (by their
 * mean place in the paths, then by name), not in the order they first
 * appear.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @param[in]  order    1 to ::CX_JOURNEYS_MAX_ORDER.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (bad order, or the solve did
 *         not converge in 100000 sweeps), ::CX_ELIMIT (more distinct
 *         states or transitions than a chain can number) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_attribution(cx_result **out, const cx_journeys *journeys, int order);

/**
 * @brief Pain points and key touchpoints, prioritised, with the reasons.
 *
 * For every touchpoint six "bad outcome" shares are measured against the
 * same share over all other touchpoints:
 * - *drop-off*, on paths to conversion (without post-purchase steps): of
 *   the journeys in which the touchpoint comes before the conversion, or
 *   that did not convert, the share with no conversion after its last
 *   event there;
 * - *post-purchase drop-off*, on the steps after conversions: of the
 *   journeys in which the touchpoint comes after the conversion, the share
 *   after which the customer never converts again (no later journey
 *   converts). It is right-censored like any "did not come back": recent
 *   orders had less time. There are no such steps under
 *   ::CX_JOURNEYS_BOUNDARY_CONVERSION, so the signal is then empty and the
 *   other five are those of 0.2;
 * - *detractors* (its NPS answers 0-6), *low CSAT* (its CSAT answers
 *   outside the top two), *high effort* (its CES answers not easy) and
 *   *repeat contacts* (its events followed, at a later time, by an
 *   inbound contact of the customer within the repeat window), which do
 *   not depend on journeys.
 *
 * A signal is *flagged* when the touchpoint has at least the minimum
 * support and its share is higher than the rest's with a two-sided pooled
 * two-proportion z test at p < 0.05. The priority is the number of flagged
 * signals, then the "score": the sum of the flagged excesses in percentage
 * points.
 *
 * Columns: "touchpoint", "channel", "stage", "key" (0/1), "rank" (1 =
 * first to fix), "flags", "score", "events", "journeys", then per signal
 * its share (%), the rest's, and its number of journeys, events or answers
 * ("drop_off", "drop_off_rest", "drop_off_n", "post_purchase_drop_off",
 * "post_purchase_drop_off_rest", "post_purchase_drop_off_n", "detractors",
 * "detractors_rest", "detractors_n", "low_csat", "low_csat_rest",
 * "low_csat_n", "high_effort", "high_effort_rest", "high_effort_n",
 * "repeat_contacts", "repeat_contacts_rest", "repeat_contacts_n"; shares
 * NaN without data), "csat_mean" (1-5) and "reason" (text). Rows by rank.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_pain_points(cx_result **out, const cx_journeys *journeys);

/**
 * @brief Driver analysis: which touchpoints' satisfaction moves overall NPS.
 *
 * For each customer with relationship NPS answers (NPS answers tied to no
 * touchpoint, interaction or case), x = the mean of their CSAT answers of a
 * touchpoint (1-5), y = the mean of their relationship NPS answers (0-10).
 * Per touchpoint over those customers: the Pearson correlation "r" with its
 * Fisher-z interval "r_lo", "r_hi" (95 %), its two-sided t-test "p", and
 * the least-squares "slope" (NPS points per CSAT point) with its standard
 * error "slope_se"; "n" customers. Columns also "touchpoint". Touchpoints
 * with fewer than 3 customers are left out. Rows by r descending.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_drivers(cx_result **out, const cx_journeys *journeys);

/**
 * @brief NPS, CSAT and CES by path, by stage, or for converted against
 *        non-converted journeys.
 *
 * Columns: "group" (the path, the stage, or "converted" / "not_converted"),
 * "journeys" (0 for stages), "nps", "nps_n", "csat" (%), "csat_n",
 * "csat_mean" (1-5), "ces" (mean 1-7), "ces_n". By path: the feedback of
 * each journey (see above), rows by journeys descending; by stage: answers
 * of the stage's touchpoints, rows in stage order; by conversion: two rows.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @param[in]  group    a ::cx_journeys_group.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT (by path: more distinct paths
 *         than a table can hold) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_satisfaction(cx_result **out, const cx_journeys *journeys, cx_journeys_group group);

/**
 * @brief Stage progression over the ordered stages (the stage set in its
 *        order, without the cross-cutting "service" stage).
 *
 * A customer *reaches* a stage at the first event of one of its
 * touchpoints. Columns: "stage", "reached" (customers), "current"
 * (customers whose latest staged event is in it), "to_next" (customers who
 * reached the next stage after reaching this one), "conversion_next" (%),
 * "median_to_next_ms" (from reaching this stage to reaching the next),
 * "median_time_in_ms" (per customer, the total time spent in the stage,
 * see cx_journeys_customer_stages()). One row per stage, in order.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT (more than 30 ordered
 *         stages) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_stages(cx_result **out, const cx_journeys *journeys);

/**
 * @brief Each customer's current stage and time spent in each stage.
 *
 * A customer is in a stage from an event of it until the next event of
 * another ordered stage ("service" events leave the stage unchanged); the
 * current stage lasts until the latest interaction time of the store.
 * Columns: "customer", "current" (NULL for a customer with no staged
 * event), then "ms_<stage>" per ordered stage. Rows in customer order.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT (more than 30 ordered
 *         stages) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_customer_stages(cx_result **out, const cx_journeys *journeys);

/* ---- funnels ------------------------------------------------------------- */

/**
 * @brief Create an empty funnel: loose order, no window, no exclusion.
 * @param[out] out   the funnel, to free with cx_funnel_free().
 * @param[in]  store the store whose names its steps resolve (borrowed).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_funnel_new(cx_funnel **out, const cx_store *store);

/**
 * @brief Free a funnel.
 * @param[in] funnel the funnel, or NULL.
 */
CX_EXTERN void cx_funnel_free(cx_funnel *funnel);

/**
 * @brief Append a step: an event of this touchpoint, channel or stage.
 * @param[in] funnel the funnel.
 * @param[in] level  a ::cx_journeys_level.
 * @param[in] name   a touchpoint, channel or stage known to the store.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND or ::CX_ELIMIT (more than
 *         ::CX_FUNNEL_MAX_STEPS).
 */
CX_EXTERN int cx_funnel_add_step(cx_funnel *funnel, cx_journeys_level level, const char *name);

/**
 * @brief Add an exclusion step: an attempt stops at the first such event
 *        after its first step (the steps reached before it still count).
 * @param[in] funnel the funnel.
 * @param[in] level  a ::cx_journeys_level.
 * @param[in] name   a touchpoint, channel or stage known to the store.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND or ::CX_ELIMIT.
 */
CX_EXTERN int cx_funnel_add_exclusion(cx_funnel *funnel, cx_journeys_level level, const char *name);

/**
 * @brief Set the conversion window, measured from the first step.
 * @param[in] funnel    the funnel.
 * @param[in] window_ms later steps count only within this time after the
 *                      first step; 0 for no window (the default).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ERANGE.
 */
CX_EXTERN int cx_funnel_set_window(cx_funnel *funnel, int64_t window_ms);

/**
 * @brief Set the order rule.
 * @param[in] funnel the funnel.
 * @param[in] strict 0 (default): other events may come between steps; 1:
 *                   an event of another step of the funnel between step i
 *                   and step i + 1 ends the attempt (repeats of step i do
 *                   not).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_funnel_set_strict(cx_funnel *funnel, int strict);

/**
 * @brief Set the time the funnel is read at.
 *
 * Events after it are not read, and a customer who has not finished counts
 * as still in progress while the window of their attempt is open at this
 * time (see cx_journeys_funnel()).
 * @param[in] funnel the funnel.
 * @param[in] as_of  the time, or ::CX_TIME_NONE for the default: the
 *                   latest interaction in the store (the end of the data).
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_funnel_set_as_of(cx_funnel *funnel, cx_time as_of);

/**
 * @brief Run a funnel over every customer's whole history.
 *
 * Each event of the first step starts an attempt, which takes the earliest
 * matching event for each next step (within the window and the order rule),
 * reading events up to the as-of time (cx_funnel_set_as_of()). A customer
 * counts once, at the furthest step of their best attempt (the earliest of
 * equals). A customer who did not reach the last step has *dropped out*
 * after their furthest step when the attempt is over: an exclusion or the
 * strict order ended it, or its window had passed at the as-of time without
 * the next step; otherwise (the window still open at the as-of time, or no
 * window set: nothing then times out) they are *in progress*.
 *
 * Columns: "step" (index from 1), "name", "entered" (customers who reached
 * it), "conversion_prev" and "conversion_first" (%, NaN when nobody entered
 * the step before or the first), "median_from_prev_ms" (NaN for the first
 * step), "completed" (customers who reached the last step: the same on
 * every row, so completed / entered is the completion rate from the step),
 * "dropped" (customers who dropped out after this step: 0 on the last
 * step), "in_progress" (customers whose furthest step it is and who may
 * still go on: 0 on the last step). For every step but the last, entered =
 * entered of the next + dropped + in_progress.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @param[in]  funnel   a funnel of the same store with at least one step.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_funnel(cx_result **out, const cx_journeys *journeys, const cx_funnel *funnel);

/**
 * @brief Who dropped out where: one row per customer who entered the
 *        funnel, columns "customer", "furthest" (step index from 1),
 *        "first_time" (time of their first step), "status" ("completed",
 *        "dropped" or "in_progress", as in cx_journeys_funnel()), in
 *        customer order.
 * @param[out] out      the result, to free with cx_result_free().
 * @param[in]  journeys the journeys.
 * @param[in]  funnel   a funnel of the same store with at least one step.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_funnel_customers(cx_result **out, const cx_journeys *journeys, const cx_funnel *funnel);

/* ---- attribution from path counts --------------------------------------- */

/**
 * @brief Opaque table of path counts: distinct paths of channels (or any
 *        named states), each with its conversions, nulls (journeys that
 *        did not convert) and conversion value, the input format of
 *        ChannelAttribution and most marketing tools.
 *
 * It needs no store: the Markov and heuristic attributions are computed
 * from the counts alone, so paths exported from another system, or counted
 * on shards and merged (cx_journeys_path_counts(), then summed), are
 * attributed without building journeys. Adding a path already in the table
 * adds to its counts. A table is not safe to change from two threads at
 * once; reading it (attribution, export) from several threads is safe.
 */
typedef struct cx_paths cx_paths;

/**
 * @brief Create an empty path table that allocates with malloc.
 * @param[out] out the table, to free with cx_paths_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_paths_new(cx_paths **out);

/**
 * @brief Create an empty path table that allocates through `alloc`
 *        (see ::cx_alloc_fn; NULL for malloc).
 * @param[out] out   the table, to free with cx_paths_free().
 * @param[in]  alloc the allocator, or NULL.
 * @param[in]  ud    passed to every call of alloc.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_paths_new_with_allocator(cx_paths **out, cx_alloc_fn alloc, void *ud);

/**
 * @brief Free a path table.
 * @param[in] paths the table, or NULL.
 */
CX_EXTERN void cx_paths_free(cx_paths *paths);

/**
 * @brief Add the counts of one path.
 *
 * The path is split at every occurrence of `separator`; each part, with
 * spaces and tabs trimmed at both ends, is a state name (valid UTF-8,
 * not empty). A path of the same states already in the table gets the
 * counts added: whole numbers as doubles (exact while the sums stay
 * within 2^53), others in fixed point from then on (each count cut to a
 * multiple of 2^-62; counts of 2^62 or more as doubles), so that the
 * same rows in any order give the same counts to the bit.
 * @param[in] paths       the table.
 * @param[in] path        the states joined by the separator, such as
 *                        "search > email > direct".
 * @param[in] separator   a non-empty separator, such as ">".
 * @param[in] conversions the conversions of the path, finite, >= 0 and
 *                        <= 1e30 (so that the sums of any number of rows
 *                        stay finite).
 * @param[in] nulls       the journeys of the path that did not convert,
 *                        finite, >= 0 and <= 1e30; conversions + nulls > 0.
 * @param[in] value       the total value of its conversions, finite, >= 0
 *                        and <= 1e30 (0 when unknown), 0 when conversions
 *                        is 0.
 * @return ::CX_OK, ::CX_EINVAL (a bad argument or path, said in
 *         cx_last_error(); the table is unchanged), ::CX_ELIMIT or
 *         ::CX_ENOMEM (unchanged too).
 */
CX_EXTERN int cx_paths_add(cx_paths *paths, const char *path, const char *separator, double conversions, double nulls,
                           double value);

/**
 * @brief Add the counts of n paths at once, all or nothing.
 *
 * Row i is as cx_paths_add() of path[i], conversions[i], nulls[i] and
 * value[i]. When a row is refused, cx_last_error() names it (from 0) and
 * the table is unchanged.
 * @param[in] paths       the table.
 * @param[in] n           rows.
 * @param[in] path        n paths.
 * @param[in] separator   a non-empty separator.
 * @param[in] conversions n conversion counts.
 * @param[in] nulls       n null counts, or NULL for all 0.
 * @param[in] value       n values, or NULL for all 0.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_paths_add_batch(cx_paths *paths, size_t n, const char *const *path, const char *separator,
                                 const double *conversions, const double *nulls, const double *value);

/**
 * @brief Add the rows of a CSV file of path counts, all or nothing.
 *
 * The file is RFC 4180 CSV in UTF-8 (a byte-order mark is skipped): a
 * header line naming the columns, comma-separated fields, double quotes
 * around a field that holds a comma, a quote (doubled) or a line break;
 * lines end with LF or CRLF. Each row is as cx_paths_add() of its path,
 * conversions, nulls and value. The file ChannelAttribution reads has
 * the columns "path", "total_conversions", "total_null" and
 * "total_conversion_value", with separator ">". A refused row is named by
 * its line in the file (and the column for a number), and the table is
 * then unchanged.
 * @param[in] paths              the table.
 * @param[in] file               the file's path.
 * @param[in] separator          the separator of states within a path.
 * @param[in] path_column        the header name of the paths.
 * @param[in] conversions_column the header name of the conversions.
 * @param[in] nulls_column       the header name of the nulls, or NULL for
 *                               none (all 0).
 * @param[in] value_column       the header name of the values, or NULL.
 * @return ::CX_OK, ::CX_EINVAL (a bad argument, a missing column, a bad
 *         row), ::CX_EIO (the file cannot be read), ::CX_ELIMIT or
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_paths_import_csv(cx_paths *paths, const char *file, const char *separator, const char *path_column,
                                  const char *conversions_column, const char *nulls_column,
                                  const char *value_column);

/**
 * @brief Distinct paths in the table.
 * @param[in] paths the table; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_paths_count(const cx_paths *paths);

/**
 * @brief Distinct state names (channels) in the table.
 * @param[in] paths the table; NULL gives 0.
 * @return the count.
 */
CX_EXTERN size_t cx_paths_state_count(const cx_paths *paths);

/**
 * @brief Set the weights of position-based (U-shaped) attribution, as
 *        cx_journeys_options_set_position_weights() (default 0.4 / 0.4).
 * @param[in] paths the table.
 * @param[in] first the first state's share, 0 to 1.
 * @param[in] last  the last state's share, 0 to 1, first + last <= 1.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_paths_set_position_weights(cx_paths *paths, double first, double last);

/**
 * @brief How many threads cx_paths_attribution() may use (default 1: the
 *        caller's thread only, so that an embedding host decides).
 *
 * The removal effects of the Markov chain are iterated eight removals at
 * a time (one pass over the chain for the eight); with a count above one
 * these groups of eight are shared out among the threads, at most one
 * thread per group and as many as 64 MiB of their values allow (2 x 8
 * doubles a chain state each). Each removal is solved by the same
 * operations in the same order whatever the count, so the table is the
 * same bit for bit for every count. Chains whose removals come from the
 * fundamental matrix (small chains that settle slowly) and the chain's
 * first solve stay on the caller's thread. The threads are started and
 * joined inside cx_paths_attribution(); they only read the table and
 * allocate nothing (the allocator is called from the caller's thread
 * only). No global state.
 * @param[in] paths   the table.
 * @param[in] threads 1 or more, or 0 for every online core
 *                    (`sysconf(_SC_NPROCESSORS_ONLN)`); at most 1024 (64 are used at most).
 * @return ::CX_OK or ::CX_EINVAL (NULL paths, a negative count or one
 *         above 1024).
 */
CX_EXTERN int cx_paths_set_threads(cx_paths *paths, int threads);

/**
 * @brief The table as rows: "path" (the states joined by the separator),
 *        "length" (states), "conversions", "nulls", "value" (reals), in
 *        order of first addition.
 * @param[out] out       the result, to free with cx_result_free().
 * @param[in]  paths     the table.
 * @param[in]  separator a non-empty separator, such as " > "; it must
 *                       not occur in a state name (::CX_EINVAL names it).
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_paths_table(cx_result **out, const cx_paths *paths, const char *separator);

/**
 * @brief Markov-chain attribution by removal effect, and the heuristic
 *        models, from the path counts.
 *
 * The chain of order `order` is that of cx_journeys_transitions() with
 * each path counted conversions + nulls times: START -> its states ->
 * CONVERSION (conversions times) or DROP (nulls times). Markov, the
 * removal effects and their value versions are as in
 * cx_journeys_attribution() (each converting state carries the mean
 * value of the conversions of the paths it ends), and the same solve, so a
 * table of the paths to conversion of journeys (cx_journeys_path_counts())
 * gives the Markov columns of cx_journeys_attribution() of those journeys.
 * Heuristics over the converting paths (each conversion, and its value,
 * shared): first touch, last touch, linear and position-based; there is
 * no time decay (path counts carry no times).
 *
 * Columns: "name", "removal_effect", "markov", "removal_effect_value",
 * "markov_value", "first_touch", "last_touch", "linear",
 * "position_based", "first_touch_value", "last_touch_value",
 * "linear_value", "position_based_value". One row per state name, by
 * "markov" descending then name (byte order). As in
 * cx_journeys_attribution(), the same rows in any order give the same
 * table bit for bit: a transition's counts are summed as the counts of a
 * path added more than once are (see cx_paths_add()), exactly in fixed
 * point when they are not whole numbers.
 * @param[out] out   the result, to free with cx_result_free().
 * @param[in]  paths the table.
 * @param[in]  order 1 to ::CX_JOURNEYS_MAX_ORDER.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (bad order, or the solve did
 *         not converge), ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_paths_attribution(cx_result **out, const cx_paths *paths, int order);

/**
 * @brief The journeys' paths to conversion as path counts: one row per
 *        distinct path to conversion (see the top of this page: the steps
 *        after the last conversion are left out), columns "path" (the
 *        states joined by the separator), "length", "conversions",
 *        "nulls" (journeys that did not convert) and "value" (the value of
 *        the conversions), the paths of most journeys (conversions plus
 *        nulls) first, then by path (byte order): the same table for the
 *        same records in any order, values included (summed in fixed
 *        point, exact for amounts in cents; see the top of this page).
 *
 * Feeding these rows to cx_paths_add_batch() gives the chain of the
 * journeys, so counts from several stores (shards of customers) can be
 * summed per path and attributed together with cx_paths_attribution().
 * @param[out] out       the result, to free with cx_result_free().
 * @param[in]  journeys  the journeys.
 * @param[in]  separator a non-empty separator that occurs in no state
 *                       name (::CX_EINVAL names the first name with it).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_journeys_path_counts(cx_result **out, const cx_journeys *journeys, const char *separator);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
