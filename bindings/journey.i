/* journey.i: customer journeys, funnels, attribution and pain points
 * (journey.h).
 *
 * Ownership follows the C docs: options, funnels and journeys borrow their
 * store (they resolve names in it, and journeys read it again on every
 * analysis), so each keeps it alive; every analysis returns a Result
 * (metrics.i), which copies everything it holds and keeps nothing alive.
 * The method docs are the C functions' Doxygen text, reworded where the
 * script-level call differs (a Result is returned instead of an
 * out-parameter, enumerations by name). */

%constant int JOURNEYS_LEVEL_TOUCHPOINT = CX_JOURNEYS_LEVEL_TOUCHPOINT;
%constant int JOURNEYS_LEVEL_CHANNEL = CX_JOURNEYS_LEVEL_CHANNEL;
%constant int JOURNEYS_LEVEL_STAGE = CX_JOURNEYS_LEVEL_STAGE;
%constant int CONVERSION_BY_KIND = CX_CONVERSION_BY_KIND;
%constant int CONVERSION_BY_TOUCHPOINT = CX_CONVERSION_BY_TOUCHPOINT;
%constant int CONVERSION_BY_STAGE = CX_CONVERSION_BY_STAGE;
%constant int JOURNEYS_GROUP_PATH = CX_JOURNEYS_GROUP_PATH;
%constant int JOURNEYS_GROUP_STAGE = CX_JOURNEYS_GROUP_STAGE;
%constant int JOURNEYS_GROUP_CONVERTED = CX_JOURNEYS_GROUP_CONVERTED;
%constant int JOURNEYS_MAX_CONVERSIONS = CX_JOURNEYS_MAX_CONVERSIONS;
%constant int JOURNEYS_BOUNDARY_CONVERSION = CX_JOURNEYS_BOUNDARY_CONVERSION;
%constant int JOURNEYS_BOUNDARY_POST_PURCHASE = CX_JOURNEYS_BOUNDARY_POST_PURCHASE;
%constant int JOURNEYS_BOUNDARY_GAP = CX_JOURNEYS_BOUNDARY_GAP;
%constant int POST_PURCHASE_BY_STAGE = CX_POST_PURCHASE_BY_STAGE;
%constant int POST_PURCHASE_BY_TOUCHPOINT = CX_POST_PURCHASE_BY_TOUCHPOINT;
%constant int POST_PURCHASE_BY_TOUCHPOINT_KIND = CX_POST_PURCHASE_BY_TOUCHPOINT_KIND;
%constant int POST_PURCHASE_BY_KIND = CX_POST_PURCHASE_BY_KIND;
%constant int JOURNEYS_MAX_POST_PURCHASE = CX_JOURNEYS_MAX_POST_PURCHASE;
%constant int FUNNEL_MAX_STEPS = CX_FUNNEL_MAX_STEPS;
%constant int FUNNEL_MAX_EXCLUSIONS = CX_FUNNEL_MAX_EXCLUSIONS;
%constant int JOURNEYS_MAX_ORDER = CX_JOURNEYS_MAX_ORDER;

%{
/* Wrap a handle that borrows `store`: JourneyOptions, Journeys and Funnel
 * share the layout { handle, store reference }. */
#define CXB_STORE_CHILD(FN, T, CTYPE, FREE)                                 \
    static T *FN(int rc, CTYPE **hp, const Store *store)                    \
    {                                                                       \
        CTYPE *h = *hp;                                                     \
        if (cxb_check(rc) < 0)                                              \
            return NULL;                                                    \
        T *o = calloc(1, sizeof *o);                                        \
        if (!o) {                                                           \
            FREE(h);                                                        \
            cxb_fail(CX_ENOMEM, "out of memory");                           \
            return NULL;                                                    \
        }                                                                   \
        o->h = h;                                                           \
        o->store = cxb_ref_take(store->ref);                                \
        return o;                                                           \
    }
CXB_STORE_CHILD(cxb_jopts_wrap, JourneyOptions, cx_journeys_options, cx_journeys_options_free)
CXB_STORE_CHILD(cxb_journeys_wrap, Journeys, cx_journeys, cx_journeys_free)
CXB_STORE_CHILD(cxb_funnel_wrap, Funnel, cx_funnel, cx_funnel_free)

/* A table of path counts owns everything it holds and needs no store. */
typedef struct Paths { cx_paths *h; } Paths;
CXB_GETTER(cxb_paths, Paths, cx_paths, o->h)
static Paths *cxb_paths_wrap(int rc, cx_paths **hp)
{
    cx_paths *h = *hp;
    if (cxb_check(rc) < 0)
        return NULL;
    Paths *o = calloc(1, sizeof *o);
    if (!o) {
        cx_paths_free(h);
        cxb_fail(CX_ENOMEM, "out of memory");
        return NULL;
    }
    o->h = h;
    return o;
}
%}

/* ---- options ----------------------------------------------------------------- */

/** Options of a journey build: what converts, how journeys are cut, the
 *  level of paths and the parameters of the analyses. Defaults: conversion
 *  = a handled interaction of kind "purchase", boundary "post_purchase"
 *  (the delivery, unboxing, onboarding, reviews and support after an order
 *  stay in its journey: interaction kind "delivery", touchpoint kind
 *  "logistics", stages "onboarding", "advocacy", "service"), no
 *  inactivity gap, touchpoint level, no collapsing, conversions in the
 *  path, contact kind "contact", repeat window 7 days, time-decay half-life
 *  7 days, position weights 0.4 / 0.4, minimum support 30. The options
 *  keep their store alive. */
typedef struct JourneyOptions {} JourneyOptions;

%extend JourneyOptions {
    /** @brief Create journey options with the defaults.
     *  @param store the store whose names the options resolve (kept alive). */
    JourneyOptions(const Store *store) {
        cx_journeys_options *h = NULL;
        cx_store *s = cxb_store(store);
        if (!s)
            return NULL;
        return cxb_jopts_wrap(cx_journeys_options_new(&h, s), &h, store);
    }
    ~JourneyOptions() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_journeys_options_free($self->h);
        cxb_ref_drop($self->store);
        free($self);
    }
    /** @brief Free the options now (methods then raise; journeys built
     *  with them keep their own copy). */
    void close() {
        cx_journeys_options_free($self->h);
        $self->h = NULL;
        cxb_ref_drop($self->store);
        $self->store = NULL;
    }
    /** @brief Replace the conversion rules by one rule.
     *  @param by "kind", "touchpoint" or "stage" (cxkit.CONVERSION_BY_*).
     *  @param name the kind, touchpoint or stage, known to the store.
     *  @exception NotFound for an unknown name; the rules are then unchanged. */
    void set_conversion(cxb_conversion by, const char *name) {
        cxb_check(cx_journeys_options_set_conversion(cxb_jopts($self), by, name));
    }
    /** @brief Add a conversion rule: an event converts when it matches any
     *  rule (and its outcome is "handled").
     *  @param by "kind", "touchpoint" or "stage".
     *  @param name the kind, touchpoint or stage, known to the store.
     *  @exception Limit beyond cxkit.JOURNEYS_MAX_CONVERSIONS rules. */
    void add_conversion(cxb_conversion by, const char *name) {
        cxb_check(cx_journeys_options_add_conversion(cxb_jopts($self), by, name));
    }
    /** @brief Set the inactivity gap that starts a new journey.
     *  @param gap_ms a gap strictly longer than this starts a new journey;
     *  0 for no gap rule (the default).
     *  @exception Range when negative. */
    void set_gap(int64_t gap_ms) { cxb_check(cx_journeys_options_set_gap(cxb_jopts($self), gap_ms)); }
    /** @brief Whether a conversion ends its journey: true sets the boundary
     *  "conversion", false "gap" (kept from 0.2; see set_boundary()). */
    void set_cut_at_conversion(bool cut) {
        cxb_check(cx_journeys_options_set_cut_at_conversion(cxb_jopts($self), cut));
    }
    /** @brief Set the rule that cuts journeys (the inactivity gap cuts
     *  under every rule).
     *  @param boundary "post_purchase" (the default: the post-purchase
     *  steps after a conversion stay in its journey, the next other event
     *  starts the next one), "conversion" (a conversion ends its journey,
     *  the rule before 0.3) or "gap" (conversions do not cut)
     *  (cxkit.JOURNEYS_BOUNDARY_*). */
    void set_boundary(cxb_boundary boundary) {
        cxb_check(cx_journeys_options_set_boundary(cxb_jopts($self), boundary));
    }
    /** @brief Replace the post-purchase rules by one rule: an event is a
     *  post-purchase step when it is not a conversion and matches a rule.
     *  @param by "stage", "touchpoint", "touchpoint_kind" or "kind" (an
     *  interaction kind) (cxkit.POST_PURCHASE_BY_*).
     *  @param name the stage, touchpoint, touchpoint kind or interaction
     *  kind, known to the store.
     *  @exception NotFound for an unknown name; the rules are then unchanged. */
    void set_post_purchase(cxb_post by, const char *name) {
        cxb_check(cx_journeys_options_set_post_purchase(cxb_jopts($self), by, name));
    }
    /** @brief Add a post-purchase rule (one already there is kept once).
     *  @param by "stage", "touchpoint", "touchpoint_kind" or "kind".
     *  @param name the stage, touchpoint, touchpoint kind or interaction kind.
     *  @exception Limit beyond cxkit.JOURNEYS_MAX_POST_PURCHASE rules. */
    void add_post_purchase(cxb_post by, const char *name) {
        cxb_check(cx_journeys_options_add_post_purchase(cxb_jopts($self), by, name));
    }
    /** @brief Set the level of path states: "touchpoint" (the default),
     *  "channel" or "stage". */
    void set_level(cxb_level level) { cxb_check(cx_journeys_options_set_level(cxb_jopts($self), level)); }
    /** @brief Whether consecutive equal states of a path are merged
     *  (default false). */
    void set_collapse(bool collapse) { cxb_check(cx_journeys_options_set_collapse(cxb_jopts($self), collapse)); }
    /** @brief Whether conversion events are states of the path (default
     *  true). When false, a journey's last conversion stays when no state
     *  comes before it (a journey made only of conversions keeps its last
     *  one). */
    void set_conversion_in_path(bool in_path) {
        cxb_check(cx_journeys_options_set_conversion_in_path(cxb_jopts($self), in_path));
    }
    /** @brief Set what counts as a repeat contact for the pain points: an
     *  inbound interaction of this kind by the same customer within the
     *  window after an event.
     *  @param kind a kind known to the store (default "contact").
     *  @param window_ms > 0 (default 7 days). */
    void set_repeat_contacts(const char *kind, int64_t window_ms) {
        cxb_check(cx_journeys_options_set_repeat_contacts(cxb_jopts($self), kind, window_ms));
    }
    /** @brief Set the half-life of time-decay attribution: an event d
     *  milliseconds before the conversion weighs 2^(-d / half-life).
     *  @param half_life_ms > 0 (default 7 days). */
    void set_half_life(int64_t half_life_ms) {
        cxb_check(cx_journeys_options_set_half_life(cxb_jopts($self), half_life_ms));
    }
    /** @brief Set the weights of position-based (U-shaped) attribution: the
     *  first and the last state of a path of three or more get these
     *  shares, the states between share the rest equally. A path of one
     *  state gets everything, a path of two halves it.
     *  @param first share of the first state, >= 0 (default 0.4).
     *  @param last share of the last state, >= 0, first + last <= 1. */
    void set_position_weights(double first, double last) {
        cxb_check(cx_journeys_options_set_position_weights(cxb_jopts($self), first, last));
    }
    /** @brief Set the smallest sample a pain-point signal needs to be judged
     *  (events, journeys or answers of the touchpoint; default 30).
     *  @param min_n >= 1. */
    void set_min_support(int64_t min_n) {
        cxb_check(cx_journeys_options_set_min_support(cxb_jopts($self), min_n));
    }
    /** @brief Threads the build of the journeys may use (default 1; 0:
     *  every core): its passes are cut into parts with the same outcome,
     *  so the journeys are the same, bit for bit, for any count. */
    void set_threads(int threads) {
        cxb_check(cx_journeys_options_set_threads(cxb_jopts($self), threads));
    }
}

/* ---- funnels ----------------------------------------------------------------- */

/** An ordered list of funnel steps with a window, an order rule and
 *  exclusion steps; run it with Journeys.funnel(). Steps and exclusions
 *  are a level ("touchpoint", "channel" or "stage") and a name. It keeps
 *  its store alive. */
typedef struct Funnel {} Funnel;

%extend Funnel {
    /** @brief Create an empty funnel: loose order, no window, no exclusion.
     *  @param store the store whose names its steps resolve (kept alive). */
    Funnel(const Store *store) {
        cx_funnel *h = NULL;
        cx_store *s = cxb_store(store);
        if (!s)
            return NULL;
        return cxb_funnel_wrap(cx_funnel_new(&h, s), &h, store);
    }
    ~Funnel() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_funnel_free($self->h);
        cxb_ref_drop($self->store);
        free($self);
    }
    /** @brief Free the funnel now (methods then raise). */
    void close() {
        cx_funnel_free($self->h);
        $self->h = NULL;
        cxb_ref_drop($self->store);
        $self->store = NULL;
    }
    /** @brief Append a step: an event of this touchpoint, channel or stage.
     *  @param level "touchpoint", "channel" or "stage".
     *  @param name a touchpoint, channel or stage known to the store.
     *  @exception NotFound for an unknown name; Limit beyond
     *  cxkit.FUNNEL_MAX_STEPS steps. */
    void add_step(cxb_level level, const char *name) {
        cxb_check(cx_funnel_add_step(cxb_funnel($self), level, name));
    }
    /** @brief Add an exclusion step: an attempt stops at the first such
     *  event after its first step (the steps reached before it still count).
     *  @param level "touchpoint", "channel" or "stage".
     *  @param name a touchpoint, channel or stage known to the store. */
    void add_exclusion(cxb_level level, const char *name) {
        cxb_check(cx_funnel_add_exclusion(cxb_funnel($self), level, name));
    }
    /** @brief Set the conversion window, measured from the first step.
     *  @param window_ms later steps count only within this time after the
     *  first step; 0 for no window (the default). */
    void set_window(int64_t window_ms) { cxb_check(cx_funnel_set_window(cxb_funnel($self), window_ms)); }
    /** @brief Set the order rule.
     *  @param strict false (default): other events may come between steps;
     *  true: an event of another step of the funnel between step i and step
     *  i + 1 ends the attempt (repeats of step i do not). */
    void set_strict(bool strict) { cxb_check(cx_funnel_set_strict(cxb_funnel($self), strict)); }
    /** @brief Set the time the funnel is read at: later events are not
     *  read, and a customer who has not finished is "in progress" while
     *  their attempt's window is still open then.
     *  @param as_of the time, or None for the default: the latest
     *  interaction in the store. */
    void set_as_of(cx_time as_of) { cxb_check(cx_funnel_set_as_of(cxb_funnel($self), as_of)); }
}

/* ---- journeys ----------------------------------------------------------------- */

/** The journeys of every customer of a store: each customer's interactions
 *  in time order, cut into journeys after an inactivity gap (when set) and
 *  by the boundary rule (by default, after a conversion and the
 *  post-purchase steps that follow it). A journey converts when it
 *  holds a conversion event (a handled interaction matching a conversion
 *  rule; by default of kind "purchase"); its path is the sequence of its
 *  events' states at the chosen level. Every analysis returns a Result
 *  (rows, columns, get(), row(), export_csv()...). The journeys keep their store alive and read it on every
 *  analysis: do not add to the store while you use them. */
typedef struct Journeys {} Journeys;

%newobject Journeys::list;
%newobject Journeys::paths;
%newobject Journeys::transitions;
%newobject Journeys::attribution;
%newobject Journeys::path_counts;
%newobject Journeys::step_matrix;
%newobject Journeys::pain_points;
%newobject Journeys::drivers;
%newobject Journeys::satisfaction;
%newobject Journeys::stages;
%newobject Journeys::customer_stages;
%newobject Journeys::funnel;
%newobject Journeys::funnel_customers;
%extend Journeys {
    /** @brief Build the journeys of every customer of a store: O(n) for
     *  data added in time order; about 8 bytes per interaction plus 21 per
     *  journey and 4 per customer (see byte_count()).
     *  @param store the store (kept alive; it must not change while the
     *  journeys are used).
     *  @param options JourneyOptions of the same store, or None for the
     *  defaults; they are copied.
     *  @exception Invalid for options of another store. */
    Journeys(const Store *store, const JourneyOptions *options = NULL) {
        cx_journeys *h = NULL;
        cx_store *s = cxb_store(store);
        if (!s || (options && !cxb_jopts(options)))
            return NULL;
        return cxb_journeys_wrap(cx_journeys_new(&h, s, options ? options->h : NULL), &h, store);
    }
    ~Journeys() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_journeys_free($self->h);
        cxb_ref_drop($self->store);
        free($self);
    }
    /** @brief Free the journeys now (methods then raise; results already
     *  made stay valid). */
    void close() {
        cx_journeys_free($self->h);
        $self->h = NULL;
        cxb_ref_drop($self->store);
        $self->store = NULL;
    }
    /** @brief Number of journeys. */
    size_t count() { return cx_journeys_count(cxb_journeys($self)); }
    /** @brief Number of journeys that converted. */
    size_t conversion_count() { return cx_journeys_conversion_count(cxb_journeys($self)); }
    /** @brief Bytes of memory the journeys hold. */
    size_t byte_count() { return cx_journeys_byte_count(cxb_journeys($self)); }

    /** @brief List every journey: columns "customer", "start", "end"
     *  (times), "events", "converted" (0 or 1), "value" (real), "path" (the
     *  states joined by " > "), "converted_at" (the time of its last
     *  conversion, None when it did not convert), "events_after_conversion".
     *  Rows are in customer order, then time. */
    Result *list() {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_list(&t, cxb_journeys($self)), &t);
    }
    /** @brief The most frequent paths.
     *
     *  Columns: "path", "length" (states), "journeys", "customers"
     *  (distinct), "conversions", "conversion_rate" (%),
     *  "median_duration_ms" (steps after the conversion included), "nps",
     *  "nps_n", "csat" (%), "csat_n", "ces", "ces_n" (the feedback of those
     *  journeys; NaN without answers), "median_to_conversion_ms". Rows
     *  by journeys descending, then by path for ties.
     *  @param top_k most rows wanted, >= 1.
     *  @exception Range when top_k is 0. */
    Result *paths(size_t top_k = 10) {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_paths(&t, cxb_journeys($self), top_k), &t);
    }
    /** @brief The transition matrix between states, with "START",
     *  "CONVERSION" and "DROP".
     *
     *  With order k, a state is the sequence of the last k states of the
     *  path (fewer at its beginning), written "a > b". Every journey
     *  contributes its path to conversion: START -> its first state, one
     *  transition per step, and its last state -> CONVERSION (the state of
     *  the conversion) or DROP; steps after the conversion are not in the
     *  chain. Columns: "from", "to", "count",
     *  "probability" (count / all transitions out of "from").
     *  @param order 1 to cxkit.JOURNEYS_MAX_ORDER.
     *  @exception Range for another order. */
    Result *transitions(int order = 1) {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_transitions(&t, cxb_journeys($self), order), &t);
    }
    /** @brief Markov-chain attribution by removal effect, beside the
     *  heuristic models.
     *
     *  Markov: the chain of order `order` (see transitions()) is solved
     *  exactly for the probability of conversion from START and for the
     *  expected conversion value; removing a level value sends every state
     *  that contains it to DROP, and its removal effect (1 - p' / p) is
     *  normalised to sum to the total conversions (and value). Heuristics
     *  over the paths to conversion (touches after the conversion get no
     *  credit): first touch, last touch, linear, time decay
     *  and position-based, each summing to the total conversions.
     *
     *  Columns: "name", "removal_effect", "markov", "removal_effect_value",
     *  "markov_value", "first_touch", "last_touch", "linear", "time_decay",
     *  "position_based", then the same heuristics with "_value". One row
     *  per level value seen in a path, by "markov" descending then name.
     *  @param order 1 to cxkit.JOURNEYS_MAX_ORDER.
     *  @exception Range for a bad order, or when the solve does not converge. */
    Result *attribution(int order = 1) {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_attribution(&t, cxb_journeys($self), order), &t);
    }
    /** @brief The paths to conversion as path counts, the input of Paths.
     *
     *  One row per distinct path to conversion (steps after the last
     *  conversion left out): "path" (the states joined by the separator),
     *  "length", "conversions", "nulls" (journeys that did not convert)
     *  and "value", in order of first appearance. Counts of several stores
     *  (shards of customers), summed per path and added to a Paths, give
     *  the Markov attribution of all their journeys together.
     *  @param separator a non-empty separator that occurs in no state name.
     *  @exception InvalidArgument when a name holds the separator. */
    Result *path_counts(const char *separator = " > ") {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_path_counts(&t, cxb_journeys($self), separator), &t);
    }
    /** @brief The step matrix: the share of journeys at each state by step
     *  number (retentioneering's).
     *
     *  Step k of a journey is the k-th state of its path (steps after the
     *  conversion included). One row per step and state found there, by
     *  journeys descending then name, then a row with name None for the
     *  journeys already ended (shorter paths). Columns: "step", "name",
     *  "journeys", "share" (of all journeys; a step's shares sum to 1).
     *  @param max_steps the steps wanted, 1 to 1000.
     *  @exception Range for another max_steps. */
    Result *step_matrix(size_t max_steps = 10) {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_step_matrix(&t, cxb_journeys($self), max_steps), &t);
    }
    /** @brief Pain points and key touchpoints, prioritised, with the reasons.
     *
     *  For every touchpoint six "bad outcome" shares (drop-off on the paths
     *  to conversion, post-purchase drop-off: no later conversion after it
     *  as a step after a conversion, detractors, low CSAT, high effort,
     *  repeat contacts) are measured against the same share over all other
     *  touchpoints; a signal is flagged when the
     *  touchpoint has the minimum support and its share is higher with a
     *  two-sided two-proportion z test at p < 0.05. The priority is the
     *  number of flagged signals, then the "score": the sum of the flagged
     *  excesses in percentage points.
     *
     *  Columns: "touchpoint", "channel", "stage", "key" (0/1), "rank" (1 =
     *  first to fix), "flags", "score", "events", "journeys", per signal its
     *  share (%), the rest's and its n ("drop_off", "drop_off_rest",
     *  "drop_off_n", "post_purchase_drop_off", ..._rest, ..._n,
     *  "detractors", "low_csat", "high_effort", "repeat_contacts", each with
     *  _rest and _n; NaN without data), "csat_mean" (1-5) and "reason"
     *  (text). Rows by rank. */
    Result *pain_points() {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_pain_points(&t, cxb_journeys($self)), &t);
    }
    /** @brief Driver analysis: which touchpoints' satisfaction moves overall NPS.
     *
     *  For each customer with relationship NPS answers (tied to no
     *  touchpoint, interaction or case), x = the mean of their CSAT answers
     *  of a touchpoint, y = the mean of their relationship NPS answers. Per
     *  touchpoint: "n" customers, the Pearson correlation "r" with its 95 %
     *  interval "r_lo", "r_hi", its p-value "p", the least-squares "slope"
     *  (NPS points per CSAT point) and "slope_se". Touchpoints with fewer
     *  than 3 customers are left out. Rows by r descending. */
    Result *drivers() {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_drivers(&t, cxb_journeys($self)), &t);
    }
    /** @brief NPS, CSAT and CES by path, by stage, or for converted against
     *  non-converted journeys.
     *
     *  Columns: "group" (the path, the stage, or "converted" /
     *  "not_converted"), "journeys" (0 for stages), "nps", "nps_n", "csat"
     *  (%), "csat_n", "csat_mean" (1-5), "ces" (mean 1-7), "ces_n".
     *  @param group "path" (the default), "stage" or "converted"
     *  (cxkit.JOURNEYS_GROUP_*). */
    Result *satisfaction(cxb_jgroup group = CX_JOURNEYS_GROUP_PATH) {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_satisfaction(&t, cxb_journeys($self), group), &t);
    }
    /** @brief Stage progression over the ordered stages (without the
     *  cross-cutting "service" stage).
     *
     *  A customer reaches a stage at the first event of one of its
     *  touchpoints. Columns: "stage", "reached" (customers), "current"
     *  (customers whose latest staged event is in it), "to_next",
     *  "conversion_next" (%), "median_to_next_ms", "median_time_in_ms". One
     *  row per stage, in order. */
    Result *stages() {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_stages(&t, cxb_journeys($self)), &t);
    }
    /** @brief Each customer's current stage and time spent in each stage.
     *
     *  Columns: "customer", "current" (None for a customer with no staged
     *  event), then "ms_<stage>" per ordered stage. Rows in customer order. */
    Result *customer_stages() {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_journeys_customer_stages(&t, cxb_journeys($self)), &t);
    }
    /** @brief Run a funnel over every customer's whole history.
     *
     *  Each event of the first step starts an attempt, which takes the
     *  earliest matching event for each next step (within the window and the
     *  order rule). A customer counts once, at the furthest step of their
     *  best attempt. Columns: "step" (index from 1), "name", "entered",
     *  "conversion_prev" and "conversion_first" (%), "median_from_prev_ms"
     *  (NaN for the first step), "completed" (customers who reached the
     *  last step, on every row), "dropped" (customers who dropped out after
     *  this step: their attempt was ended by an exclusion or the strict
     *  order, or its window had passed at the as-of time) and
     *  "in_progress" (whose furthest step it is and whose window is still
     *  open; with no window nothing times out). Both are 0 on the last
     *  step.
     *  @param funnel a Funnel of the same store with at least one step. */
    Result *funnel(const Funnel *funnel) {
        cx_result *t = NULL;
        const cx_journeys *j = cxb_journeys($self);
        const cx_funnel *f = cxb_funnel(funnel);
        if (!j || !f)
            return NULL;
        return cxb_result_wrap(cx_journeys_funnel(&t, j, f), &t);
    }
    /** @brief Who dropped out where: one row per customer who entered the
     *  funnel, columns "customer", "furthest" (step index from 1),
     *  "first_time" (time of their first step), "status" ("completed",
     *  "dropped" or "in_progress"), in customer order.
     *  @param funnel a Funnel of the same store with at least one step. */
    Result *funnel_customers(const Funnel *funnel) {
        cx_result *t = NULL;
        const cx_journeys *j = cxb_journeys($self);
        const cx_funnel *f = cxb_funnel(funnel);
        if (!j || !f)
            return NULL;
        return cxb_result_wrap(cx_journeys_funnel_customers(&t, j, f), &t);
    }
}

/* ---- attribution from path counts --------------------------------------------- */

/** A table of path counts: distinct paths of channels (or any named
 *  states), each with its conversions, nulls (journeys that did not
 *  convert) and conversion value, the input of ChannelAttribution and most
 *  marketing tools. It needs no store: attribution() computes the Markov
 *  (removal effect) and heuristic attributions from the counts alone, so
 *  paths exported from another system, or counted on shards
 *  (Journeys.path_counts()) and merged, are attributed without journeys.
 *  Adding a path already present adds to its counts. */
#ifdef SWIGPYTHON
/* a journey's path and the name of a column, not files (cxkit_python.i) */
%apply const char * { const char *path };
#endif
typedef struct Paths {} Paths;

%newobject Paths::table;
%newobject Paths::attribution;
%extend Paths {
    /** @brief An empty table of path counts. */
    Paths() {
        cx_paths *h = NULL;
        return cxb_paths_wrap(cx_paths_new(&h), &h);
    }
    ~Paths() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_paths_free($self->h);
        free($self);
    }
    /** @brief Free the table now (methods then raise). */
    void close() {
        cx_paths_free($self->h);
        $self->h = NULL;
    }
    /** @brief Add the counts of one path.
     *  @param path the states joined by the separator ("search > email");
     *  each state is trimmed of spaces and tabs and must not be empty.
     *  @param conversions the conversions of the path, >= 0.
     *  @param nulls its journeys that did not convert, >= 0;
     *  conversions + nulls > 0.
     *  @param value the total value of its conversions (0 without conversions).
     *  @param separator a non-empty separator.
     *  @exception InvalidArgument for a bad path or count; the table is then unchanged. */
    void add(const char *path, double conversions, double nulls = 0, double value = 0,
             const char *separator = ">") {
        cxb_check(cx_paths_add(cxb_paths($self), path, separator, conversions, nulls, value));
    }
    /** @brief Add the counts of many paths at once, all or nothing.
     *  @param paths n paths.
     *  @param conversions n conversion counts.
     *  @param nulls n null counts, or None for all 0.
     *  @param value n values, or None for all 0.
     *  @param separator a non-empty separator.
     *  @exception InvalidArgument naming the first bad row (from 0); the
     *  table is then unchanged. */
    void add_batch(cxb_strv paths, cxb_realv conversions, cxb_orealv nulls,
                   cxb_orealv value, const char *separator = ">") {
        if (!cxb_req_len("conversions", conversions.n, paths.n) || !cxb_len_ok("nulls", nulls.n, paths.n) ||
            !cxb_len_ok("value", value.n, paths.n))
            return;
        cxb_check(cx_paths_add_batch(cxb_paths($self), paths.n, paths.v, separator, conversions.v,
                                     nulls.n == CXB_OMITTED ? NULL : nulls.v,
                                     value.n == CXB_OMITTED ? NULL : value.v));
    }
    /** @brief Add the rows of a CSV file of path counts, all or nothing.
     *
     *  RFC 4180 CSV in UTF-8 with a header line; each row as add(). The
     *  file ChannelAttribution reads: path="path",
     *  conversions="total_conversions", nulls="total_null",
     *  value="total_conversion_value".
     *  @param file the file's path.
     *  @param path the header name of the paths.
     *  @param conversions the header name of the conversions.
     *  @param nulls the header name of the nulls, or None for none.
     *  @param value the header name of the values, or None for none.
     *  @param separator the separator of states within a path.
     *  @exception InvalidArgument naming the file, line and column of a bad
     *  row, or a missing column (the table is then unchanged); IO when the
     *  file cannot be read. */
    void import_csv(const char *file, const char *path = "path", const char *conversions = "conversions",
                    const char *nulls = "nulls", const char *value = "value", const char *separator = ">") {
        cxb_check(cx_paths_import_csv(cxb_paths($self), file, separator, path, conversions, nulls, value));
    }
    /** @brief Distinct paths in the table. */
    size_t count() { return cx_paths_count(cxb_paths($self)); }
    /** @brief Distinct state names (channels) in the table. */
    size_t state_count() { return cx_paths_state_count(cxb_paths($self)); }
    /** @brief Set the weights of position-based (U-shaped) attribution
     *  (default 0.4 / 0.4).
     *  @param first the first state's share, 0 to 1.
     *  @param last the last state's share, 0 to 1, first + last <= 1. */
    void set_position_weights(double first, double last) {
        cxb_check(cx_paths_set_position_weights(cxb_paths($self), first, last));
    }
    /** @brief How many threads attribution() may use (default 1; 0: every
     *  online core). The removals of the Markov chain, eight at a time,
     *  are shared out among them; the table is the same for every count.
     *  @param threads 0 to 1024.
     *  @exception InvalidArgument for a count out of range. */
    void set_threads(int threads) {
        cxb_check(cx_paths_set_threads(cxb_paths($self), threads));
    }
    /** @brief The table as rows: "path" (the states joined by the
     *  separator), "length", "conversions", "nulls", "value", in order of
     *  first addition.
     *  @param separator a non-empty separator that occurs in no state name. */
    Result *table(const char *separator = " > ") {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_paths_table(&t, cxb_paths($self), separator), &t);
    }
    /** @brief Markov-chain attribution by removal effect, and the
     *  heuristic models, from the path counts.
     *
     *  The chain of order `order` counts each path conversions + nulls
     *  times (START -> its states -> CONVERSION or DROP) and is solved
     *  exactly, as Journeys.attribution(), which it reproduces for the
     *  path counts of journeys. Heuristics: first touch, last touch,
     *  linear and position-based (no time decay: counts carry no times).
     *  Columns: "name", "removal_effect", "markov",
     *  "removal_effect_value", "markov_value", "first_touch",
     *  "last_touch", "linear", "position_based", then those four with
     *  "_value". One row per state name, by "markov" descending then name.
     *  @param order 1 to cxkit.JOURNEYS_MAX_ORDER.
     *  @exception Range for a bad order, or when the solve does not converge. */
    Result *attribution(int order = 1) {
        cx_result *t = NULL;
        return cxb_result_wrap(cx_paths_attribution(&t, cxb_paths($self), order), &t);
    }
}
#ifdef SWIGPYTHON
%apply const char *FSPATH { const char *path };
#endif
