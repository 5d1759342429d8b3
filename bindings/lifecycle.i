/* lifecycle.i: cohorts and retention, Kaplan-Meier survival, RFM, the
 * customer summary, the value models (BG/NBD, Pareto/NBD, Gamma-Gamma,
 * BG/BB, sBG) with CLV, the health score and care rules (lifecycle.h).
 *
 * The store analyses (cohorts(), rfm(), health(), CareRules.evaluate(),
 * Survival.curve() and summary()) return the shared Result table of
 * metrics.i: it owns its cells (ids copied) and keeps nothing alive.
 * Survival curves and models own everything they hold; a summary borrows
 * its customers' ids from the store, so it keeps it alive. Health options
 * and care rules are plain data.
 *
 * Arrays in are sequences (or numpy arrays, used in place when they are
 * contiguous float64 / int32); arrays out are numpy arrays in Python when
 * numpy is installed, else lists, and sequences in Lua. Tables out (a
 * summary, a model's parameters, CLV) are the shared Result class. The method docs
 * are the C functions' Doxygen text, reworded where the script-level call
 * differs. */

%constant int SUMMARY_TOLERANCE_DEFAULT = CX_SUMMARY_TOLERANCE_DEFAULT;
%constant int ACTIVITY_TRANSACTIONS = CX_ACTIVITY_TRANSACTIONS;
%constant int ACTIVITY_INBOUND = CX_ACTIVITY_INBOUND;
%constant int ACTIVITY_ALL = CX_ACTIVITY_TRANSACTIONS | CX_ACTIVITY_INBOUND;
%constant int COHORT_FIRST_ACTIVITY = CX_COHORT_FIRST_ACTIVITY;
%constant int LOGRANK_MAX_GROUPS = CX_LOGRANK_MAX_GROUPS;
%constant int COHORT_ACQUIRED = CX_COHORT_ACQUIRED;
%constant int BAND_LOG_LOG = CX_BAND_LOG_LOG;
%constant int BAND_LOG = CX_BAND_LOG;
%constant int BAND_PLAIN = CX_BAND_PLAIN;
%constant int RFM_CHAMPIONS = CX_RFM_CHAMPIONS;
%constant int RFM_LOYAL = CX_RFM_LOYAL;
%constant int RFM_POTENTIAL_LOYALIST = CX_RFM_POTENTIAL_LOYALIST;
%constant int RFM_NEW = CX_RFM_NEW;
%constant int RFM_PROMISING = CX_RFM_PROMISING;
%constant int RFM_NEED_ATTENTION = CX_RFM_NEED_ATTENTION;
%constant int RFM_ABOUT_TO_SLEEP = CX_RFM_ABOUT_TO_SLEEP;
%constant int RFM_CANNOT_LOSE = CX_RFM_CANNOT_LOSE;
%constant int RFM_AT_RISK = CX_RFM_AT_RISK;
%constant int RFM_HIBERNATING = CX_RFM_HIBERNATING;
%constant int RFM_LOST = CX_RFM_LOST;
%constant int RFM_SEGMENT_COUNT = CX_RFM_SEGMENT_COUNT;
%constant int MODEL_BGNBD = CX_MODEL_BGNBD;
%constant int MODEL_PARETO_NBD = CX_MODEL_PARETO_NBD;
%constant int MODEL_GAMMA_GAMMA = CX_MODEL_GAMMA_GAMMA;
%constant int MODEL_BGBB = CX_MODEL_BGBB;
%constant int MODEL_SBG = CX_MODEL_SBG;
%constant int SUMMARY_FREQUENCY = CX_SUMMARY_FREQUENCY;
%constant int SUMMARY_RECENCY = CX_SUMMARY_RECENCY;
%constant int SUMMARY_AGE = CX_SUMMARY_AGE;
%constant int SUMMARY_MONETARY = CX_SUMMARY_MONETARY;
%constant int SUMMARY_TOTAL = CX_SUMMARY_TOTAL;
%constant int SUMMARY_HOLDOUT = CX_SUMMARY_HOLDOUT;
%constant int SUMMARY_HOLDOUT_VALUE = CX_SUMMARY_HOLDOUT_VALUE;
%constant int SUMMARY_COLUMN_COUNT = CX_SUMMARY_COLUMN_COUNT;
%constant int HEALTH_NPS = CX_HEALTH_NPS;
%constant int HEALTH_CSAT = CX_HEALTH_CSAT;
%constant int HEALTH_CES = CX_HEALTH_CES;
%constant int HEALTH_OPEN_CASES = CX_HEALTH_OPEN_CASES;
%constant int HEALTH_REPEAT_CASES = CX_HEALTH_REPEAT_CASES;
%constant int HEALTH_RECENCY = CX_HEALTH_RECENCY;
%constant int HEALTH_P_ALIVE = CX_HEALTH_P_ALIVE;
%constant int HEALTH_VALUE = CX_HEALTH_VALUE;
%constant int HEALTH_SIGNAL_COUNT = CX_HEALTH_SIGNAL_COUNT;
%constant int HEALTH_MISSING_AVERAGE = CX_HEALTH_MISSING_AVERAGE;
%constant int HEALTH_MISSING_SKIP = CX_HEALTH_MISSING_SKIP;
%constant int CARE_DETRACTOR_AFTER_CASE = CX_CARE_DETRACTOR_AFTER_CASE;
%constant int CARE_REPEAT_CONTACTS = CX_CARE_REPEAT_CONTACTS;
%constant int CARE_SLA_BREACH = CX_CARE_SLA_BREACH;
%constant int CARE_HIGH_EFFORT = CX_CARE_HIGH_EFFORT;
%constant int CARE_ACTIVITY_DROP = CX_CARE_ACTIVITY_DROP;
%constant int CARE_LOW_P_ALIVE = CX_CARE_LOW_P_ALIVE;
%constant int CARE_KIND_COUNT = CX_CARE_KIND_COUNT;

%{
#include <math.h>

/* Wrap a handle that owns everything it holds. */
#define CXB_OWNER_WRAP(FN, T, CTYPE, FREE)                                  \
    static T *FN(int rc, CTYPE **hp)                                        \
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
        return o;                                                           \
    }
CXB_OWNER_WRAP(cxb_survival_wrap, Survival, cx_survival, cx_survival_free)
CXB_OWNER_WRAP(cxb_model_wrap, Model, cx_model, cx_model_free)
CXB_OWNER_WRAP(cxb_hopts_wrap, HealthOptions, cx_health_options, cx_health_options_free)
CXB_OWNER_WRAP(cxb_care_wrap, CareRules, cx_care_rules, cx_care_rules_free)
/* A Summary borrows ids from its store (CXB_STORE_CHILD of journey.i:
 * { handle, store reference }). */
CXB_STORE_CHILD(cxb_summary_wrap, Summary, cx_summary, cx_summary_free)

/* All three arrays present and of one length; their length, else -1. */
static long long cxb_same_len(const char *a, const cxb_f64v *x, const char *b, const cxb_f64v *y, const char *c,
                              const cxb_f64v *z)
{
    if (!cxb_req(a, x->n) || !cxb_req_len(b, y->n, x->n) || (z && !cxb_req_len(c, z->n, x->n)))
        return -1;
    return (long long)x->n;
}

/* ---- survival ---- */

/* A group by index or by label ("1" for group number 1, "consumer"): the
 * labels are read from the curves' summary table. */
static size_t cxb_surv_group_of(const cx_survival *s, cxb_colref g)
{
    size_t n = cx_survival_group_count(s);
    if (g.name) {
        cx_result *sum = NULL;
        if (cxb_check(cx_survival_summary(&sum, s)) < 0)
            return (size_t)-1;
        const char *labels[64];
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const char *label = NULL;
            if (cx_result_get_string(&label, sum, i, 0) == CX_OK && label && strcmp(label, g.name) == 0) {
                cx_result_free(sum);
                return i;
            }
            if (label && k < 64)
                labels[k++] = label;
        }
        /* the close labels: "no survival group labelled 'vp': did you mean 'vip'?" */
        char hint[512];
        cxb_suggest(hint, sizeof hint, g.name, labels, k);
        cxb_fail(CX_ENOTFOUND, "no survival group labelled '%s'%s", g.name, strncmp(hint, ": did", 5) == 0 ? hint : "");
        cx_result_free(sum);
        return (size_t)-1;
    }
    if (g.idx < 0 || (size_t)g.idx >= n) {
        cxb_fail(CX_ERANGE, "group %d out of range: the curves have %zu groups", g.idx, n);
        return (size_t)-1;
    }
    return (size_t)g.idx;
}

/* Options of survival curves from the script's keyword arguments; NULL
 * after a failure (the error is set). */
static cx_survival_options *cxb_surv_options(double level, int band)
{
    cx_survival_options *o = NULL;
    if (cxb_check(cx_survival_options_new(&o)) < 0)
        return NULL;
    if (cxb_check(cx_survival_options_set_level(o, level)) < 0 ||
        cxb_check(cx_survival_options_set_band(o, (cx_band)band)) < 0) {
        cx_survival_options_free(o);
        return NULL;
    }
    return o;
}

/* Options of a store's survival analyses (Survival.from_store,
 * Store.survival_subjects, Cox.fit_store); NULL after a failure. Not
 * static: SWIG writes the methods of Store, extended below, before this
 * block, so Store.survival_subjects declares it itself. */
cx_survival_options *cxb_surv_store_options(int activity, int64_t inactivity_ms, const char *churn_attribute,
                                                   int group_by, int64_t unit_ms, double level, int band,
                                                   cx_time observed_from)
{
    cx_survival_options *o = cxb_surv_options(level, band);
    if (!o)
        return NULL;
    int rc = cx_survival_options_set_activity(o, activity);
    if (!rc)
        rc = cx_survival_options_set_inactivity(o, inactivity_ms);
    if (!rc)
        rc = cx_survival_options_set_churn_attribute(o, churn_attribute);
    if (!rc && group_by != -1)
        rc = cx_survival_options_set_group_by(o, (cx_dim)group_by);
    if (!rc)
        rc = cx_survival_options_set_unit(o, unit_ms);
    if (!rc)
        rc = cx_survival_options_set_observed_from(o, observed_from);
    if (cxb_check(rc) < 0) {
        cx_survival_options_free(o);
        return NULL;
    }
    return o;
}

/* ---- the weighted log-rank family ---- */

/* The C side of LogRank (SWIG sees an empty struct below). */
typedef struct LogRank { cx_logrank *h; } LogRank;
CXB_GETTER(cxb_logrank, LogRank, cx_logrank, o->h)
CXB_OWNER_WRAP(cxb_logrank_wrap, LogRank, cx_logrank, cx_logrank_free)

/* A weight by name; -1 (with the error set) for an unknown one. */
static int cxb_logrank_weight(const char *name)
{
    static const struct { const char *name; int w; } names[] = {
        {"logrank", CX_LOGRANK_LOGRANK},         {"fleming_harrington", CX_LOGRANK_FLEMING_HARRINGTON},
        {"fh", CX_LOGRANK_FLEMING_HARRINGTON},   {"gehan", CX_LOGRANK_GEHAN},
        {"tarone_ware", CX_LOGRANK_TARONE_WARE}, {"peto_peto", CX_LOGRANK_PETO_PETO}};
    for (size_t i = 0; name && i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].w;
    cxb_fail(CX_EINVAL, "weight '%s' is not one of logrank, fleming_harrington (fh), gehan, tarone_ware, peto_peto",
             name ? name : "(none)");
    return -1;
}

/* ---- Cox regression ---- */

typedef struct CoxOptions { cx_cox_options *h; } CoxOptions;
typedef struct Cox { cx_cox *h; } Cox;
CXB_GETTER(cxb_coxopts, CoxOptions, cx_cox_options, o->h)
CXB_GETTER(cxb_cox, Cox, cx_cox, o->h)
CXB_OWNER_WRAP(cxb_coxopts_wrap, CoxOptions, cx_cox_options, cx_cox_options_free)
CXB_OWNER_WRAP(cxb_cox_wrap, Cox, cx_cox, cx_cox_free)

/* Ties by name; -1 (with the error set) for an unknown one. */
static int cxb_ties(const char *name)
{
    if (name && strcmp(name, "efron") == 0)
        return CX_TIES_EFRON;
    if (name && strcmp(name, "breslow") == 0)
        return CX_TIES_BRESLOW;
    cxb_fail(CX_EINVAL, "ties '%s' is not one of efron, breslow", name ? name : "(none)");
    return -1;
}

/* A store signal of Cox options by name; -1 (with the error set) for an unknown one. */
static int cxb_cox_signal(const char *name)
{
    static const char *const names[] = {"detractor", "detractor_share", "cases", "resolution_hours", "reopens",
                                        "channel_share"};
    for (int i = 0; name && i < (int)(sizeof names / sizeof *names); i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    cxb_fail(CX_EINVAL, "signal '%s' is not one of detractor, detractor_share, cases, resolution_hours, reopens, "
                        "channel_share", name ? name : "(none)");
    return -1;
}

/* The model and summary given to health and care: both or neither. */
static int cxb_model_pair(const Model *model, const Summary *summary, const cx_model **m, const cx_summary **s)
{
    *m = NULL;
    *s = NULL;
    if (!model && !summary)
        return 0;
    if (!model || !summary) {
        cxb_fail(CX_EINVAL, "a model and the summary it applies to go together: got %s without %s",
                 model ? "a model" : "a summary", model ? "a summary" : "a model");
        return -1;
    }
    if (!(*m = cxb_model(model)) || !(*s = cxb_summary(summary)))
        return -1;
    return 0;
}
%}

/* ---- cohorts --------------------------------------------------------------------- */

%{
/* A table of the cohort options: which 0 cohorts, 1 lifecycle, 2 stickiness. */
static Result *cxb_cohort_options_run(int which, const Store *store, cxb_activity activity, cxb_cohort_start start,
                                      cxb_bucket bucket, int offset)
{
    cx_cohorts_options *o = NULL;
    cx_result *r = NULL;
    cx_store *s = cxb_store(store);
    if (!s || cxb_check(cx_cohorts_options_new(&o)) < 0)
        return NULL;
    int rc = cx_cohorts_options_set_activity(o, activity);
    if (!rc)
        rc = cx_cohorts_options_set_start(o, (cx_cohort_start)start);
    if (!rc)
        rc = cx_cohorts_options_set_bucket(o, (cx_bucket)bucket);
    if (!rc)
        rc = cx_cohorts_options_set_offset(o, offset);
    if (!rc)
        rc = which == 0   ? cx_cohorts_run(&r, s, o)
             : which == 1 ? cx_lifecycle_run(&r, s, o)
                          : cx_stickiness_run(&r, s, o);
    cx_cohorts_options_free(o);
    return cxb_result_wrap(rc, &r);
}
static Result *cxb_cohorts_table(const Store *store, cxb_activity activity, cxb_cohort_start start, cxb_bucket bucket,
                                 int offset)
{
    return cxb_cohort_options_run(0, store, activity, start, bucket, offset);
}
static Result *cxb_lifecycle_table(const Store *store, cxb_activity activity, cxb_cohort_start start,
                                   cxb_bucket bucket, int offset)
{
    return cxb_cohort_options_run(1, store, activity, start, bucket, offset);
}
static Result *cxb_stickiness_table(const Store *store, cxb_activity activity, cxb_cohort_start start,
                                    cxb_bucket bucket, int offset)
{
    return cxb_cohort_options_run(2, store, activity, start, bucket, offset);
}
%}

%newobject cxb_cohorts_table;
%rename(cohorts) cxb_cohorts_table;
/** @brief The cohort and retention table of a store (cx_cohorts_run): a
 *  Result in long format, one row per cohort and period since its start
 *  (0, 1, 2, ...) up to the last observed period, ordered by cohort then
 *  period: "cohort" (its first instant) and "cohort_label" ("2024-03",
 *  "2024-W09", "2024-Q1"...), "period", "period_start" and
 *  "period_label", "size", "active", "retention" (active / size),
 *  "gained", "kept", "lost" and "churn" (lost / active the period before).
 *  The calendar flows are the sums over the rows of one "period_start".
 *  @param store the store.
 *  @param activity "transactions" (purchases, the default), "inbound"
 *  (inbound interactions) or "all" (cxkit.ACTIVITY_* mask).
 *  @param start "first_activity" (the default) or "acquired" (the
 *  acquisition time; customers without one are left out).
 *  @param bucket "day", "week", "month" (the default), "quarter" or "year".
 *  @param offset the UTC offset in minutes in which periods begin, -840 to 840.
 *  @exception Range for a bad offset; Limit beyond 2^31 customer-periods. */
Result *cxb_cohorts_table(const Store *store, cxb_activity activity = CX_ACTIVITY_TRANSACTIONS,
                cxb_cohort_start start = CX_COHORT_FIRST_ACTIVITY, cxb_bucket bucket = CX_BUCKET_MONTH,
                int offset = 0);

%newobject cxb_lifecycle_table;
%rename(lifecycle) cxb_lifecycle_table;
/** @brief The lifecycle of the base per calendar period (cx_lifecycle_run,
 *  PostHog's): one row per period, "period_start", "period_label",
 *  "active", and of them "new" (in their start period), "returning"
 *  (active the period before too) and "resurrecting" (active again after a
 *  gap), then "dormant" (active the period before, not in this one) and
 *  "quick_ratio" ((new + resurrecting) / dormant). new + returning +
 *  resurrecting = active.
 *  @param store the store.
 *  @param activity "transactions" (the default), "inbound" or "all".
 *  @param start "first_activity" (the default) or "acquired".
 *  @param bucket "day", "week", "month" (the default), "quarter" or "year".
 *  @param offset the UTC offset in minutes in which periods begin.
 *  @exception Range for a bad offset; Limit for too many periods. */
Result *cxb_lifecycle_table(const Store *store, cxb_activity activity = CX_ACTIVITY_TRANSACTIONS,
                cxb_cohort_start start = CX_COHORT_FIRST_ACTIVITY, cxb_bucket bucket = CX_BUCKET_MONTH,
                int offset = 0);

%newobject cxb_stickiness_table;
%rename(stickiness) cxb_stickiness_table;
/** @brief Stickiness per calendar period (cx_stickiness_run): how many
 *  customers were active on 1, 2, 3... distinct days of the period. One
 *  row per period and number of days (1 to the period's length, zeros
 *  included): "period_start", "period_label", "days", "customers",
 *  "share" (of the period's active customers) and "active".
 *  @param store the store.
 *  @param activity "transactions" (the default), "inbound" or "all".
 *  @param start "first_activity" (the default) or "acquired".
 *  @param bucket "week", "month" (the default), "quarter", "year" or "day".
 *  @param offset the UTC offset in minutes in which days and periods begin.
 *  @exception Range for a bad offset; Limit for too many periods. */
Result *cxb_stickiness_table(const Store *store, cxb_activity activity = CX_ACTIVITY_TRANSACTIONS,
                cxb_cohort_start start = CX_COHORT_FIRST_ACTIVITY, cxb_bucket bucket = CX_BUCKET_MONTH,
                int offset = 0);

/* ---- survival ---------------------------------------------------------------------- */

%newobject Store::survival_subjects;
%extend Store {
    /** @brief The subjects of Survival.from_store() with the same
     *  arguments: one row per customer the curves use, with "customer",
     *  "group" (None without group_by or a value), "start", "exit" (the
     *  churn time or as_of), "entry" (late entry in the unit, 0 without),
     *  "time" (exit - start in the unit) and "event" (1 churned, 0
     *  censored); feed entry, time and event to R's Surv(entry, time, event).
     *  @param activity "transactions", "inbound" or "all".
     *  @param inactivity_ms the churn threshold, > 0.
     *  @param as_of the end of observation.
     *  @param churn_attribute the attribute holding an explicit churn time, or None.
     *  @param group_by None, or "segment", "region", "plan" or "channel".
     *  @param unit_ms the unit of durations (default days).
     *  @param observed_from when the data begin (late entry), or None. */
    Result *survival_subjects(cxb_activity activity, int64_t inactivity_ms, cx_time as_of,
                              const char *churn_attribute = NULL, cxb_odim group_by = -1,
                              int64_t unit_ms = 86400000, cx_time observed_from = CX_TIME_NONE) {
        cx_survival_options *cxb_surv_store_options(int, int64_t, const char *, int, int64_t, double, int, cx_time);
        cx_result *r = NULL;
        cx_store *s = cxb_store($self);
        cx_survival_options *o;
        if (!s || !(o = cxb_surv_store_options(activity, inactivity_ms, churn_attribute, group_by, unit_ms, 0.95,
                                               CX_BAND_LOG_LOG, observed_from)))
            return NULL;
        int rc = cx_survival_subjects(&r, s, as_of, o);
        cx_survival_options_free(o);
        return cxb_result_wrap(rc, &r);
    }
}

/** Kaplan-Meier curves, one per group, with a Greenwood confidence band,
 *  medians and the log-rank test. Build them from arrays (Survival(time,
 *  event, group)) or from a store (Survival.from_store); read them as
 *  Results with curve() and summary(). A group is given by index (0 to
 *  group_count() - 1) or by label. Immutable; it owns its data. */
typedef struct Survival {} Survival;

%newobject Survival::from_store;
%newobject Survival::curve;
%newobject Survival::summary;
%newobject Survival::table;
%extend Survival {
    /** @brief Kaplan-Meier curves from arrays of durations.
     *  @param time n durations, finite and >= 0.
     *  @param event n flags: 1 (or True) the event (churn) was observed at
     *  `time`, 0 censored (still a customer then).
     *  @param group n group numbers >= 0, or None for one group; groups are
     *  reported in increasing number, labelled by it ("1", "2"...).
     *  @param level the confidence level of the band, in (0, 1).
     *  @param band "log_log" (the default, lifelines'), "log" (R's) or "plain".
     *  @param entry n entry times for late entry (left truncation: at risk
     *  on (entry, time], as R's Surv(entry, time, event)), each >= 0 and
     *  before its time; None (the default) when all are observed from 0.
     *  @exception Range for a bad duration, entry, flag, group or level. */
    Survival(cxb_realv time, cxb_flagv event, cxb_oflagv group, double level = 0.95,
             cxb_band band = CX_BAND_LOG_LOG, cxb_orealv entry) {
        cx_survival *h = NULL;
        if (!cxb_req("time", time.n) || !cxb_req_len("event", event.n, time.n) ||
            !cxb_len_ok("group", group.n, time.n) || !cxb_len_ok("entry", entry.n, time.n))
            return NULL;
        cx_survival_options *o = cxb_surv_options(level, band);
        if (!o)
            return NULL;
        int rc = entry.n == CXB_OMITTED ? CX_OK : cx_survival_options_set_entry(o, entry.v, entry.n);
        if (!rc)
            rc = cx_survival_new(&h, time.v, event.v, group.n == CXB_OMITTED ? NULL : group.v, time.n, o);
        cx_survival_options_free(o);
        return cxb_survival_wrap(rc, &h);
    }
    /** @brief Kaplan-Meier curves of the customer relationship in a store.
     *
     *  A relationship starts at the acquisition time, else at the first
     *  activity; churn is the time held by `churn_attribute` when the
     *  customer has it, else inferred: a customer whose last activity
     *  before `as_of` is more than `inactivity_ms` before it churned then;
     *  the others are censored at `as_of`. Durations are in `unit_ms`.
     *  @param store the store.
     *  @param activity "transactions", "inbound" or "all".
     *  @param inactivity_ms the churn threshold, > 0.
     *  @param as_of the end of observation.
     *  @param churn_attribute the attribute holding an explicit churn time, or None.
     *  @param group_by None for one curve, or "segment", "region", "plan" or
     *  "channel" (of the first interaction).
     *  @param unit_ms the unit of durations (default days).
     *  @param level the confidence level, in (0, 1).
     *  @param band "log_log", "log" or "plain".
     *  @param observed_from when the store's data begin (a CRM migrated
     *  then, holding customers acquired earlier), or None: a customer whose
     *  relationship started earlier enters the risk set late, at
     *  (observed_from - its start); one whose relationship ended before is
     *  left out (see Store.survival_subjects()).
     *  @exception Parse for an explicit churn time that is not a time;
     *  Order for churn before the start. */
    static Survival *from_store(const Store *store, cxb_activity activity, int64_t inactivity_ms, cx_time as_of,
                                const char *churn_attribute = NULL, cxb_odim group_by = -1,
                                int64_t unit_ms = 86400000, double level = 0.95, cxb_band band = CX_BAND_LOG_LOG,
                                cx_time observed_from = CX_TIME_NONE) {
        cx_survival *h = NULL;
        cx_store *s = cxb_store(store);
        cx_survival_options *o;
        if (!s || !(o = cxb_surv_store_options(activity, inactivity_ms, churn_attribute, group_by, unit_ms, level,
                                               band, observed_from)))
            return NULL;
        int rc = cx_survival_from_store(&h, s, as_of, o);
        cx_survival_options_free(o);
        return cxb_survival_wrap(rc, &h);
    }
    ~Survival() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_survival_free($self->h);
        free($self);
    }
    /** @brief Free the curves now (methods then raise). */
    void close() {
        cx_survival_free($self->h);
        $self->h = NULL;
    }
    /** @brief Number of groups (curves). */
    size_t group_count() { return cx_survival_group_count(cxb_survival($self)); }
    /** @brief Every step of every curve, ordered by group then time: a
     *  Result with "group" (the label; None for customers without a
     *  value), "time", "survival" (S just after it), "lo", "hi" (the band),
     *  "at_risk" (just before), "events", "censored", "std_err"
     *  (Greenwood's standard error of S, R's std.err; NaN once S is 0). */
    Result *curve() {
        cx_result *r = NULL;
        const cx_survival *s = cxb_survival($self);
        return s ? cxb_result_wrap(cx_survival_curve(&r, s), &r) : NULL;
    }
    /** @brief The life table, as R's survfit0(): per group a first row at
     *  time 0 with S(0) = 1, std_err 0 and the number at risk at the first
     *  step, then the steps of curve(): a Result with "group", "time",
     *  "at_risk", "events", "censored", "survival", "std_err", "lo", "hi". */
    Result *table() {
        cx_result *r = NULL;
        const cx_survival *s = cxb_survival($self);
        return s ? cxb_result_wrap(cx_survival_table(&r, s), &r) : NULL;
    }
    /** @brief One row per group: a Result with "group", "subjects",
     *  "events" (observed), "median", "median_lo", "median_hi" (NaN when
     *  not reached). */
    Result *summary() {
        cx_result *r = NULL;
        const cx_survival *s = cxb_survival($self);
        return s ? cxb_result_wrap(cx_survival_summary(&r, s), &r) : NULL;
    }
    /** @brief S(t) of a group: a right-continuous step function, 1 before
     *  the first event.
     *  @param t the time, finite. */
    double at(double t, cxb_ocolref group) {
        double v = NAN;
        const cx_survival *s = cxb_survival($self);
        size_t g;
        if (s && (g = cxb_surv_group_of(s, group)) != (size_t)-1)
            cxb_check(cx_survival_at(&v, NULL, NULL, s, g, t));
        return v;
    }
    /** @brief S(t) of a group with its band: "survival", "lo", "hi". */
    cxb_row band(double t, cxb_ocolref group) {
        cxb_row r;
        double v = NAN, lo = NAN, hi = NAN;
        const cx_survival *s = cxb_survival($self);
        size_t g;
        r.n = 0;
        if (!s || (g = cxb_surv_group_of(s, group)) == (size_t)-1 ||
            cxb_check(cx_survival_at(&v, &lo, &hi, s, g, t)) < 0)
            return r;
        cxb_row_add(&r, "survival", CX_TYPE_REAL, NULL, 0, v);
        cxb_row_add(&r, "lo", CX_TYPE_REAL, NULL, 0, lo);
        cxb_row_add(&r, "hi", CX_TYPE_REAL, NULL, 0, hi);
        return r;
    }
    /** @brief The median lifetime of a group: the first time S falls to 0.5
     *  or below; NaN when it never does (its interval: summary()). */
    double median(cxb_ocolref group) {
        double v = NAN;
        const cx_survival *s = cxb_survival($self);
        size_t g;
        if (s && (g = cxb_surv_group_of(s, group)) != (size_t)-1)
            cxb_check(cx_survival_median(&v, NULL, NULL, s, g));
        return v;
    }
    /** @brief The log-rank test that all groups share one curve
     *  (Mantel-Haenszel): "chi2", "p" and "df" (groups - 1).
     *  @exception Range with one group, or without events. */
    cxb_row logrank() {
        cxb_row r;
        double chi2 = NAN, p = NAN;
        uint64_t df = 0;
        r.n = 0;
        if (cxb_check(cx_survival_logrank(&chi2, &p, &df, cxb_survival($self))) < 0)
            return r;
        cxb_row_add(&r, "chi2", CX_TYPE_REAL, NULL, 0, chi2);
        cxb_row_add(&r, "p", CX_TYPE_REAL, NULL, 0, p);
        cxb_row_add(&r, "df", CX_TYPE_INT, NULL, (int64_t)df, 0);
        return r;
    }
}

/* ---- RFM --------------------------------------------------------------------------- */

%{
static Result *cxb_rfm_table(const Store *store, cx_time as_of, int64_t unit_ms, int bins)
{
    cx_result *r = NULL;
    cx_store *s = cxb_store(store);
    return s ? cxb_result_wrap(cx_rfm_run(&r, s, as_of, unit_ms, bins), &r) : NULL;
}
%}

%newobject cxb_rfm_table;
%rename(rfm) cxb_rfm_table;
/** @brief Recency, frequency and monetary value of every customer with a
 *  purchase before `as_of`, with quantile scores and a named segment
 *  (cx_rfm_run): a Result, one row per such customer in the store's
 *  order, with "customer", "recency", "frequency", "monetary", the scores
 *  "r", "f", "m" (1 to bins), "segment" (cxkit.RFM_*) and "segment_name"
 *  ("champions", "loyal", ... "lost").
 *  @param store the store.
 *  @param as_of purchases at or after it are ignored.
 *  @param unit_ms the unit of recency (default days).
 *  @param bins the number of score levels, 2 to 100 (default 5). */
Result *cxb_rfm_table(const Store *store, cx_time as_of, int64_t unit_ms = 86400000, int bins = 5);

%inline %{
/** @brief The name of an RFM segment number (cxkit.RFM_*): "champions",
 *  "loyal", "potential_loyalist", "new", "promising", "need_attention",
 *  "about_to_sleep", "cannot_lose", "at_risk", "hibernating", "lost". */
const char *rfm_segment_name(int segment) {
    const char *s = NULL;
    cxb_check(cx_rfm_segment_name(&s, (cx_rfm_segment)segment));
    return s;
}
/** @brief The name of a health signal number (cxkit.HEALTH_*). */
const char *health_signal_name(int signal) {
    const char *s = NULL;
    cxb_check(cx_health_signal_name(&s, (cx_health_signal)signal));
    return s;
}
/** @brief The name of a care rule kind number (cxkit.CARE_*). */
const char *care_kind_name(int kind) {
    const char *s = NULL;
    cxb_check(cx_care_kind_name(&s, (cx_care_kind)kind));
    return s;
}
%}

/* ---- summary ----------------------------------------------------------------------- */

%{
/* Customer data over script arrays (borrowed for the call): x, t_x and T
 * of one length, and mean when given. NULL with the error raised. */
static cx_model_data *cxb_model_data(const cxb_f64v *x, const cxb_f64v *t_x, const cxb_f64v *T,
                                     const cxb_f64v *mean)
{
    cx_model_data *d = NULL;
    if (!cxb_req("x", x->n) || (t_x && !cxb_req_len("t_x", t_x->n, x->n)) || (T && !cxb_req_len("T", T->n, x->n)) ||
        (mean && !cxb_req_len("mean", mean->n, x->n)) || cxb_check(cx_model_data_new(&d, x->n)) < 0)
        return NULL;
    const cxb_f64v *cols[4] = {x, t_x, T, mean};
    for (int j = 0; j < 4; j++)
        if (cols[j] && cxb_check(cx_model_data_set(d, (cx_summary_column)j, cols[j]->v)) < 0) {
            cx_model_data_free(d);
            return NULL;
        }
    return d;
}

/* CLV as a Result, the options from the script's arguments. */
static Result *cxb_clv(const Model *purchases, const Model *spend, const cx_model_data *d, int periods, double period,
                       double discount)
{
    const cx_model *p = cxb_model(purchases), *s = cxb_model(spend);
    cx_clv_options *o = NULL;
    cx_result *r = NULL;
    if (!p || !s || !d || cxb_check(cx_clv_options_new(&o)) < 0)
        return NULL;
    int rc = cx_clv_options_set_horizon(o, periods);
    if (rc == CX_OK)
        rc = cx_clv_options_set_period(o, period);
    if (rc == CX_OK)
        rc = cx_clv_options_set_discount(o, discount);
    if (rc == CX_OK)
        rc = cx_model_clv(&r, p, s, d, o);
    cx_clv_options_free(o);
    return cxb_result_wrap(rc, &r);
}

/* Every customer's predictions as a Result (spend may be None). */
static Result *cxb_customers(const Model *purchases, const Model *spend, const cx_model_data *d, double horizon,
                             int periods, double period, double discount)
{
    const cx_model *p = cxb_model(purchases), *s = NULL;
    cx_clv_options *o = NULL;
    cx_result *r = NULL;
    if (!p || !d || (spend && !(s = cxb_model(spend))) || cxb_check(cx_clv_options_new(&o)) < 0)
        return NULL;
    int rc = cx_clv_options_set_horizon(o, periods);
    if (rc == CX_OK)
        rc = cx_clv_options_set_period(o, period);
    if (rc == CX_OK)
        rc = cx_clv_options_set_discount(o, discount);
    if (rc == CX_OK)
        rc = cx_model_customers(&r, p, s, d, horizon, o);
    cx_clv_options_free(o);
    return cxb_result_wrap(rc, &r);
}

/* The calibration / holdout table as a Result. */
static Result *cxb_calibration(const Model *model, const cx_model_data *d, const double *holdout, double duration,
                               int max_frequency)
{
    const cx_model *m = cxb_model(model);
    cx_result *r = NULL;
    if (!m || !d)
        return NULL;
    if (max_frequency < 0) {
        cxb_fail(CX_ERANGE, "max_frequency %d is negative", max_frequency);
        return NULL;
    }
    return cxb_result_wrap(cx_model_calibration(&r, m, d, holdout, duration, (size_t)max_frequency), &r);
}
%}

/** Each customer's transactions summarised for the models: "frequency" (x,
 *  repeat purchases), "recency" (t_x), "age" (T), "monetary" (the mean of
 *  the repeat purchases), "total", "holdout" and "holdout_value", in one
 *  time unit. One row per customer with a purchase before the calibration
 *  end, in the store's order. It keeps its store alive. */
typedef struct Summary {} Summary;

%newobject Summary::table;
%newobject Summary::clv;
%newobject Summary::calibration;
%newobject Summary::customers;
%extend Summary {
    /** @brief Summarise a store's transactions. Purchases at one same
     *  instant count as one.
     *  @param store the store (kept alive).
     *  @param calibration_end the end of calibration.
     *  @param holdout_end the end of the holdout [calibration_end,
     *  holdout_end), or None for none.
     *  @param unit_ms the time unit (default weeks).
     *  @param tolerance_ms how long before its customer's acquisition a
     *  purchase may be (clock skew between systems), >= 0; default one
     *  day (cxkit.SUMMARY_TOLERANCE_DEFAULT). How many were:
     *  tolerated_count().
     *  @exception Order for a purchase before its customer's acquisition
     *  (named in the message) or holdout_end before calibration_end. */
    Summary(const Store *store, cx_time calibration_end, cx_time holdout_end = CX_TIME_NONE,
            int64_t unit_ms = 604800000, int64_t tolerance_ms = CX_SUMMARY_TOLERANCE_DEFAULT) {
        cx_summary *h = NULL;
        cx_summary_options *o = NULL;
        cx_store *s = cxb_store(store);
        if (!s || cxb_check(cx_summary_options_new(&o)) < 0)
            return NULL;
        int rc = cx_summary_options_set_holdout_end(o, holdout_end);
        if (rc == CX_OK)
            rc = cx_summary_options_set_unit(o, unit_ms);
        if (rc == CX_OK)
            rc = cx_summary_options_set_tolerance(o, tolerance_ms);
        if (rc == CX_OK)
            rc = cx_summary_new(&h, s, calibration_end, o);
        cx_summary_options_free(o);
        return cxb_summary_wrap(rc, &h, store);
    }
    ~Summary() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_summary_free($self->h);
        cxb_ref_drop($self->store);
        free($self);
    }
    /** @brief Free the summary now (methods then raise). */
    void close() {
        cx_summary_free($self->h);
        $self->h = NULL;
        cxb_ref_drop($self->store);
        $self->store = NULL;
    }
    /** @brief Number of customers. */
    size_t count() { return cx_summary_count(cxb_summary($self)); }
    /** @brief How many purchases were dated before their customer's
     *  acquisition by no more than the tolerance (kept as they are). */
    size_t tolerated_count() { return cx_summary_tolerated_count(cxb_summary($self)); }
    /** @brief A whole column (a copy), to pass to the fits and predictions.
     *  @param column "frequency", "recency", "age", "monetary", "total",
     *  "holdout" or "holdout_value" (cxkit.SUMMARY_*). */
    cxb_f64out column(cxb_summary_col column) {
        const double *v = NULL;
        cxb_f64out o = {NULL, 0};
        const cx_summary *s = cxb_summary($self);
        if (!s || cxb_check(cx_summary_values(&v, s, (cx_summary_column)column)) < 0)
            return o;
        o = cxb_f64out_new(cx_summary_count(s));
        if (o.p && o.n)
            memcpy(o.p, v, o.n * sizeof *o.p);
        return o;
    }
    /** @brief The summary as a Result: "customer" and every column, one row
     *  per customer (independent of the store). */
    Result *table() {
        cx_result *r = NULL;
        const cx_summary *s = cxb_summary($self);
        if (!s)
            return NULL;
        return cxb_result_wrap(cx_summary_table(&r, s), &r);
    }
    /** @brief Customer lifetime value of the summary's customers (see
     *  Model.clv()): a Result with "customer", "expected_purchases",
     *  "p_alive", "expected_spend" and "clv".
     *  @param purchases a BG/NBD or Pareto/NBD model.
     *  @param spend a Gamma-Gamma model.
     *  @param periods the horizon in periods, 1 to 10000.
     *  @param period a period's length in the summary's time unit, > 0.
     *  @param discount the discount rate per period, >= 0. */
    Result *clv(const Model *purchases, const Model *spend, int periods = 12, double period = 1.0,
                double discount = 0.0) {
        cx_model_data *d = NULL;
        const cx_summary *s = cxb_summary($self);
        if (!s || cxb_check(cx_model_data_from_summary(&d, s)) < 0)
            return NULL;
        Result *r = cxb_clv(purchases, spend, d, periods, period, discount);
        cx_model_data_free(d);
        return r;
    }
    /** @brief The calibration / holdout table of a summary made with a
     *  holdout end: per calibration frequency 0 .. max_frequency (the last
     *  row pooling the rest, labelled "7+"), "frequency", "label",
     *  "customers", and the mean "actual" holdout purchases beside the
     *  mean "expected" ones (Model.expected() over the holdout).
     *  @param model a BG/NBD, Pareto/NBD or BG/BB model.
     *  @param duration the holdout's length in the summary's time unit, > 0.
     *  @param max_frequency the pooled last row's frequency, 0 to 10000. */
    Result *calibration(const Model *model, double duration, int max_frequency = 7) {
        cx_model_data *d = NULL;
        const double *ho = NULL;
        const cx_summary *s = cxb_summary($self);
        if (!s || cxb_check(cx_summary_values(&ho, s, CX_SUMMARY_HOLDOUT)) < 0 ||
            cxb_check(cx_model_data_from_summary(&d, s)) < 0)
            return NULL;
        Result *r = cxb_calibration(model, d, ho, duration, max_frequency);
        cx_model_data_free(d);
        return r;
    }
    /** @brief Every customer's predictions in one Result: "customer",
     *  "frequency", "recency", "age", "p_alive", "expected_purchases" (in
     *  the next `horizon` time units) and, with a spend model,
     *  "expected_spend" and "clv" (as clv()).
     *  @param purchases a BG/NBD or Pareto/NBD model (BG/BB without spend).
     *  @param horizon >= 0, in the summary's time unit.
     *  @param spend a Gamma-Gamma model, or None.
     *  @param periods the CLV horizon in periods, 1 to 10000.
     *  @param period a period's length in the summary's time unit, > 0.
     *  @param discount the discount rate per period, >= 0. */
    Result *customers(const Model *purchases, double horizon, const Model *spend = NULL, int periods = 12,
                      double period = 1.0, double discount = 0.0) {
        cx_model_data *d = NULL;
        const cx_summary *s = cxb_summary($self);
        if (!s || cxb_check(cx_model_data_from_summary(&d, s)) < 0)
            return NULL;
        Result *r = cxb_customers(purchases, spend, d, horizon, periods, period, discount);
        cx_model_data_free(d);
        return r;
    }
}

/* ---- models ------------------------------------------------------------------------ */

/** A fitted (or given) probability model of customer value: BG/NBD,
 *  Pareto/NBD, Gamma-Gamma, BG/BB or sBG. Fits return a model only when
 *  they converged. Its predictions take arrays and return arrays.
 *  Immutable; it owns its data. */
typedef struct Model {} Model;

%newobject Model::fit_bgnbd;
%newobject Model::fit_paretonbd;
%newobject Model::fit_gammagamma;
%newobject Model::fit_bgbb;
%newobject Model::fit_sbg;
%newobject Model::clv;
%newobject Model::params;
%newobject Model::calibration;
%newobject Model::customers;
%extend Model {
    /** @brief A model from known parameters (to predict without fitting).
     *  @param kind "bgnbd", "pareto_nbd", "gamma_gamma", "bgbb" or "sbg".
     *  @param params the parameters in the kind's order (BG/NBD: r, alpha,
     *  a, b; Pareto/NBD: r, alpha, s, beta; Gamma-Gamma: p, q, gamma; BG/BB:
     *  alpha, beta, gamma, delta; sBG: alpha, beta), finite and > 0. */
    Model(cxb_model_kind kind, cxb_realv params) {
        cx_model *h = NULL;
        if (!cxb_req("params", params.n))
            return NULL;
        return cxb_model_wrap(cx_model_new(&h, (cx_model_kind)kind, params.v, params.n), &h);
    }
    ~Model() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_model_free($self->h);
        free($self);
    }
    /** @brief Free the model now (methods then raise). */
    void close() {
        cx_model_free($self->h);
        $self->h = NULL;
    }
    /** @brief Fit the BG/NBD model by maximum likelihood.
     *  @param x repeat purchases, integers >= 0.
     *  @param t_x recency, 0 <= t_x <= T (0 when x = 0).
     *  @param T age, > 0.
     *  @param weights counts (identical customers passed once), or None.
     *  @exception Range for bad data (named by its row), fewer than 10
     *  customers, or no convergence. */
    static Model *fit_bgnbd(cxb_realv x, cxb_realv t_x, cxb_realv T, cxb_orealv weights) {
        cx_model *h = NULL;
        long long n = cxb_same_len("x", &x, "t_x", &t_x, "T", &T);
        if (n < 0 || !cxb_len_ok("weights", weights.n, x.n))
            return NULL;
        return cxb_model_wrap(cx_model_fit_bgnbd(&h, x.v, t_x.v, T.v, weights.v, (size_t)n), &h);
    }
    /** @brief Fit the Pareto/NBD model (arguments as fit_bgnbd()). */
    static Model *fit_paretonbd(cxb_realv x, cxb_realv t_x, cxb_realv T, cxb_orealv weights) {
        cx_model *h = NULL;
        long long n = cxb_same_len("x", &x, "t_x", &t_x, "T", &T);
        if (n < 0 || !cxb_len_ok("weights", weights.n, x.n))
            return NULL;
        return cxb_model_wrap(cx_model_fit_paretonbd(&h, x.v, t_x.v, T.v, weights.v, (size_t)n), &h);
    }
    /** @brief Fit the Gamma-Gamma spend model to the customers with repeat
     *  purchases (rows with x = 0 are skipped).
     *  @param x repeat purchases.
     *  @param mean their mean amount, > 0 where x > 0.
     *  @param weights counts, or None. */
    static Model *fit_gammagamma(cxb_realv x, cxb_realv mean, cxb_orealv weights) {
        cx_model *h = NULL;
        long long n = cxb_same_len("x", &x, "mean", &mean, NULL, NULL);
        if (n < 0 || !cxb_len_ok("weights", weights.n, x.n))
            return NULL;
        return cxb_model_wrap(cx_model_fit_gammagamma(&h, x.v, mean.v, weights.v, (size_t)n), &h);
    }
    /** @brief Fit the BG/BB model to discrete purchase opportunities.
     *  @param x purchases in the opportunities, integers.
     *  @param t_x the opportunity of the last one (0 when x = 0).
     *  @param n_opp the opportunities, integers >= 1.
     *  @param weights counts, or None. */
    static Model *fit_bgbb(cxb_realv x, cxb_realv t_x, cxb_realv n_opp, cxb_orealv weights) {
        cx_model *h = NULL;
        long long n = cxb_same_len("x", &x, "t_x", &t_x, "n_opp", &n_opp);
        if (n < 0 || !cxb_len_ok("weights", weights.n, x.n))
            return NULL;
        return cxb_model_wrap(cx_model_fit_bgbb(&h, x.v, t_x.v, n_opp.v, weights.v, (size_t)n), &h);
    }
    /** @brief Fit the shifted-beta-geometric model of contract renewals.
     *  @param t for a customer who churned, the period in which the contract
     *  ended; for one still active, the periods survived so far.
     *  @param churned 1 (True) churned, 0 still active.
     *  @param weights counts, or None. */
    static Model *fit_sbg(cxb_realv t, cxb_flagv churned, cxb_orealv weights) {
        cx_model *h = NULL;
        if (!cxb_req("t", t.n) || !cxb_req_len("churned", churned.n, t.n) || !cxb_len_ok("weights", weights.n, t.n))
            return NULL;
        return cxb_model_wrap(cx_model_fit_sbg(&h, t.v, churned.v, weights.v, t.n), &h);
    }
    /** @brief Customer lifetime value over a horizon: the expected purchases
     *  of each period under `purchases` times the expected spend under
     *  `spend`, period k discounted by (1 + discount)^k, k = 1..periods (as
     *  in the lifetimes package). Summary.clv() does the same for a
     *  summary's customers, with their ids.
     *  @param purchases a BG/NBD or Pareto/NBD model.
     *  @param spend a Gamma-Gamma model.
     *  @param x repeat purchases.
     *  @param t_x recency.
     *  @param T age.
     *  @param mean mean amount of the repeat purchases.
     *  @param periods the horizon in periods, 1 to 10000.
     *  @param period a period's length in the data's time unit, > 0.
     *  @param discount the discount rate per period, >= 0.
     *  @return a Result with "expected_purchases", "p_alive",
     *  "expected_spend" and "clv", one row per customer. */
    static Result *clv(const Model *purchases, const Model *spend, cxb_realv x, cxb_realv t_x, cxb_realv T,
                       cxb_realv mean, int periods = 12, double period = 1.0, double discount = 0.0) {
        cx_model_data *d = cxb_model_data(&x, &t_x, &T, &mean);
        if (!d)
            return NULL;
        Result *r = cxb_clv(purchases, spend, d, periods, period, discount);
        cx_model_data_free(d);
        return r;
    }
    /** @brief The parameters and the fit as a Result: one row per parameter
     *  with "name" ("r", "alpha", ...) and "value", and on every row the
     *  model's "kind", "loglik" (NaN for a given model), "iterations" and
     *  "customers" (the total weight fitted); then "std_error" (from the
     *  Hessian of the log-likelihood at the estimate, by the delta method
     *  from the log scale, as lifetimes), "lower" and "upper" (the 95 %
     *  interval of ln p mapped back); NaN for a given model. */
    Result *params() {
        cx_result *r = NULL;
        const cx_model *m = cxb_model($self);
        if (!m)
            return NULL;
        return cxb_result_wrap(cx_model_params(&r, m), &r);
    }
    /** @brief The kind's name: "bgnbd", "pareto_nbd", "gamma_gamma", "bgbb" or "sbg". */
    const char *kind() {
        cx_result *r = NULL;
        const char *s = NULL;
        int k = 0;
        const cx_model *m = cxb_model($self);
        if (!m || cxb_check(cx_model_params(&r, m)) < 0)
            return NULL;
        /* the table's "kind" is the script-level name; the static copy
         * outlives the table */
        if (cxb_check(cx_result_get_string(&s, r, 0, 2)) == 0 && cxb_enum_lookup(CXB_E_MODEL, s, &k) == 0)
            s = cxb_enum_names[CXB_E_MODEL][k];
        else
            s = NULL;
        cx_result_free(r);
        return s;
    }
    /** @brief Expected purchases of each customer in the next `horizon`
     *  time units (BG/NBD, Pareto/NBD) or opportunities (BG/BB).
     *  @param x repeat purchases.
     *  @param t_x recency.
     *  @param T age (opportunities for BG/BB).
     *  @param horizon >= 0 (an integer for BG/BB). */
    cxb_f64out expected(cxb_realv x, cxb_realv t_x, cxb_realv T, double horizon) {
        cxb_f64out o = {NULL, 0};
        const cx_model *m = cxb_model($self);
        cx_model_data *d = m ? cxb_model_data(&x, &t_x, &T, NULL) : NULL;
        if (d && (o = cxb_f64out_new(x.n)).p)
            o = cxb_f64out_check(cx_model_expected(o.p, o.n, m, d, horizon), o);
        cx_model_data_free(d);
        return o;
    }
    /** @brief Probability that each customer is still alive at T (BG/NBD,
     *  Pareto/NBD; BG/BB: at the next opportunity). */
    cxb_f64out p_alive(cxb_realv x, cxb_realv t_x, cxb_realv T) {
        cxb_f64out o = {NULL, 0};
        const cx_model *m = cxb_model($self);
        cx_model_data *d = m ? cxb_model_data(&x, &t_x, &T, NULL) : NULL;
        if (d && (o = cxb_f64out_new(x.n)).p)
            o = cxb_f64out_check(cx_model_p_alive(o.p, o.n, m, d), o);
        cx_model_data_free(d);
        return o;
    }
    /** @brief Expected mean spend per purchase of each customer under a
     *  Gamma-Gamma model with q > 1 (the population mean when x = 0).
     *  @param x repeat purchases.
     *  @param mean their mean amount. */
    cxb_f64out expected_spend(cxb_realv x, cxb_realv mean) {
        cxb_f64out o = {NULL, 0};
        const cx_model *m = cxb_model($self);
        cx_model_data *d = m ? cxb_model_data(&x, NULL, NULL, &mean) : NULL;
        if (d && (o = cxb_f64out_new(x.n)).p)
            o = cxb_f64out_check(cx_model_expected_spend(o.p, o.n, m, d), o);
        cx_model_data_free(d);
        return o;
    }
    /** @brief The distribution of a random customer's repeat purchases in a
     *  period of length t: P(X(t) = n) for n = 0 .. n_max (BG/NBD,
     *  Pareto/NBD; BG/BB: t opportunities). Sums to P(X(t) <= n_max).
     *  @param t the period, >= 0 (an integer for BG/BB).
     *  @param n_max the largest count, 0 to 99999. */
    cxb_f64out purchase_pmf(double t, int n_max) {
        cxb_f64out o = {NULL, 0};
        const cx_model *m = cxb_model($self);
        if (!m)
            return o;
        if (n_max < 0 || n_max > 99999) {
            cxb_fail(CX_ERANGE, "n_max %d is not within 0 to 99999", n_max);
            return o;
        }
        if ((o = cxb_f64out_new((size_t)n_max + 1)).p)
            o = cxb_f64out_check(cx_model_purchase_pmf(o.p, o.n, m, t), o);
        return o;
    }
    /** @brief The expected repeat purchases E[X(t)] of a random customer of
     *  the population, at each t (BG/NBD, Pareto/NBD, BG/BB).
     *  @param t periods, >= 0 (integers for BG/BB). */
    cxb_f64out population_expected(cxb_realv t) {
        cxb_f64out o = {NULL, 0};
        const cx_model *m = cxb_model($self);
        if (!m || !cxb_req("t", t.n) || !(o = cxb_f64out_new(t.n)).p)
            return o;
        for (size_t i = 0; i < o.n; i++)
            if (cxb_check(cx_model_population_expected(&o.p[i], m, t.v[i])) < 0)
                return cxb_f64out_check(-1, o);
        return o;
    }
    /** @brief The calibration / holdout table (Summary.calibration() for a
     *  summary): per calibration frequency 0 .. max_frequency, the last row
     *  pooling the rest, "frequency", "label", "customers", and the mean
     *  "actual" holdout purchases beside the mean "expected" ones.
     *  @param x calibration repeat purchases.
     *  @param t_x recency.
     *  @param T age (opportunities for BG/BB).
     *  @param holdout purchases in the holdout.
     *  @param duration the holdout's length, > 0.
     *  @param max_frequency the pooled last row's frequency, 0 to 10000. */
    Result *calibration(cxb_realv x, cxb_realv t_x, cxb_realv T, cxb_realv holdout, double duration,
                        int max_frequency = 7) {
        if (!cxb_model($self) || !cxb_req_len("holdout", holdout.n, x.n))
            return NULL;
        cx_model_data *d = cxb_model_data(&x, &t_x, &T, NULL);
        if (!d)
            return NULL;
        Result *r = cxb_calibration($self, d, holdout.v, duration, max_frequency);
        cx_model_data_free(d);
        return r;
    }
    /** @brief Every customer's predictions in one Result (Summary.customers()
     *  for a summary, with ids): "frequency", "recency", "age", "p_alive",
     *  "expected_purchases" (next `horizon` time units) and, with a spend
     *  model and the mean amounts, "expected_spend" and "clv" (as clv()).
     *  @param x repeat purchases.
     *  @param t_x recency.
     *  @param T age.
     *  @param horizon >= 0.
     *  @param spend a Gamma-Gamma model, or None.
     *  @param mean the mean amount of the repeat purchases (with spend).
     *  @param periods the CLV horizon in periods, 1 to 10000.
     *  @param period a period's length in the data's time unit, > 0.
     *  @param discount the discount rate per period, >= 0. */
    Result *customers(cxb_realv x, cxb_realv t_x, cxb_realv T, double horizon, const Model *spend = NULL,
                      cxb_orealv mean, int periods = 12, double period = 1.0, double discount = 0.0) {
        if (!cxb_model($self))
            return NULL;
        cx_model_data *d = cxb_model_data(&x, &t_x, &T, mean.v ? &mean : NULL);
        if (!d)
            return NULL;
        Result *r = cxb_customers($self, spend, d, horizon, periods, period, discount);
        cx_model_data_free(d);
        return r;
    }
    /** @brief Survival under an sBG model at each t: S(t), the share of a
     *  cohort still a customer after t periods (t >= 0). */
    cxb_f64out sbg_survival(cxb_realv t) {
        cxb_f64out o = {NULL, 0};
        const cx_model *m = cxb_model($self);
        if (!m || !cxb_req("t", t.n) || !(o = cxb_f64out_new(t.n)).p)
            return o;
        for (size_t i = 0; i < o.n; i++)
            if (cxb_check(cx_model_sbg_curve(&o.p[i], NULL, m, t.v[i])) < 0)
                return cxb_f64out_check(-1, o);
        return o;
    }
    /** @brief Retention under an sBG model at each t: r(t), the renewal
     *  rate in period t (t >= 1). */
    cxb_f64out sbg_retention(cxb_realv t) {
        cxb_f64out o = {NULL, 0};
        const cx_model *m = cxb_model($self);
        if (!m || !cxb_req("t", t.n) || !(o = cxb_f64out_new(t.n)).p)
            return o;
        for (size_t i = 0; i < o.n; i++)
            if (cxb_check(cx_model_sbg_curve(NULL, &o.p[i], m, t.v[i])) < 0)
                return cxb_f64out_check(-1, o);
        return o;
    }
}

/* ---- health ------------------------------------------------------------------------ */

/** Options of the health score: a weight, a window and a scale per signal
 *  ("nps", "csat", "ces", "open_cases", "repeat_cases", "recency",
 *  "p_alive", "value"), with the defaults of lifecycle.h. Plain data. */
typedef struct HealthOptions {} HealthOptions;

%extend HealthOptions {
    /** @brief Health options with the defaults. */
    HealthOptions() {
        cx_health_options *h = NULL;
        return cxb_hopts_wrap(cx_health_options_new(&h), &h);
    }
    ~HealthOptions() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_health_options_free($self->h);
        free($self);
    }
    /** @brief Free the options now (methods then raise). */
    void close() {
        cx_health_options_free($self->h);
        $self->h = NULL;
    }
    /** @brief Set a signal's weight (0 leaves it out of the score).
     *  @param signal a signal name or cxkit.HEALTH_* number.
     *  @param weight finite and >= 0. */
    void set_weight(cxb_signal signal, double weight) {
        cxb_check(cx_health_options_set_weight(cxb_hopts($self), (cx_health_signal)signal, weight));
    }
    /** @brief Set a signal's window: how far before the as-of time its
     *  records count, or for "recency" the inactivity at which it reaches
     *  0 (then > 0). 0 for no limit.
     *  @param window_ms >= 0. */
    void set_window(cxb_signal signal, int64_t window_ms) {
        cxb_check(cx_health_options_set_window(cxb_hopts($self), (cx_health_signal)signal, window_ms));
    }
    /** @brief Set the scale of "open_cases" or "repeat_cases" (the count at
     *  which the signal reaches 0, > 0) or of "value" (the spend at which
     *  it reaches 1, or 0 for the mid-rank).
     *  @exception Invalid for another signal. */
    void set_scale(cxb_signal signal, double scale) {
        cxb_check(cx_health_options_set_scale(cxb_hopts($self), (cx_health_signal)signal, scale));
    }
    /** @brief Set what a missing signal counts as: "average" (the default:
     *  its average over the customers who have it, so a customer who never
     *  answered ranks between good and bad respondents) or "skip" (left
     *  out, the other weights rescaled).
     *  @exception Invalid for another name. */
    void set_missing(const char *missing) {
        cx_health_options *o = cxb_hopts($self);
        if (!o)
            return;
        if (missing && strcmp(missing, "average") == 0)
            cxb_check(cx_health_options_set_missing(o, CX_HEALTH_MISSING_AVERAGE));
        else if (missing && strcmp(missing, "skip") == 0)
            cxb_check(cx_health_options_set_missing(o, CX_HEALTH_MISSING_SKIP));
        else
            cxb_fail(CX_EINVAL, "missing: \"average\" or \"skip\", not \"%s\"", missing ? missing : "(none)");
    }
}

%{
static Result *cxb_health_table(const Store *store, cx_time as_of, const HealthOptions *options, const Model *model,
                                const Summary *summary)
{
    cx_result *r = NULL;
    const cx_model *m;
    const cx_summary *su;
    cx_store *s = cxb_store(store);
    if (!s || (options && !cxb_hopts(options)) || cxb_model_pair(model, summary, &m, &su) < 0)
        return NULL;
    return cxb_result_wrap(cx_health_run(&r, s, options ? options->h : NULL, as_of, m, su), &r);
}
%}

%newobject cxb_health_table;
%rename(health) cxb_health_table;
/** @brief The health score of every customer of a store (cx_health_run):
 *  a Result, one row per customer in the store's order, with "customer",
 *  "score" (0 to 100; NaN when no weighted signal is present), then per
 *  signal ("nps", "csat", "ces", "open_cases", "repeat_cases", "recency",
 *  "p_alive", "value") its normalised value ("nps"...; NaN when missing),
 *  the points it contributes ("nps_contribution"...; they add up to the
 *  score) and its raw value ("nps_raw"...).
 *  @param store the store.
 *  @param as_of the time of the score.
 *  @param options HealthOptions, or None for the defaults.
 *  @param model a BG/NBD or Pareto/NBD model for "p_alive", or None.
 *  @param summary the Summary of the same store the model applies to
 *  (given exactly when model is). */
Result *cxb_health_table(const Store *store, cx_time as_of, const HealthOptions *options = NULL, const Model *model = NULL,
               const Summary *summary = NULL);

/* ---- care rules -------------------------------------------------------------------- */

/** Care rules held as data: each of a kind ("detractor_after_case",
 *  "repeat_contacts", "sla_breach", "high_effort", "activity_drop",
 *  "low_p_alive") with the caller's threshold, windows and priority.
 *  evaluate() lists the customers to contact now, with the reason. */
typedef struct CareRules {} CareRules;

%newobject CareRules::evaluate;
%extend CareRules {
    /** @brief An empty set of rules. */
    CareRules() {
        cx_care_rules *h = NULL;
        return cxb_care_wrap(cx_care_rules_new(&h), &h);
    }
    ~CareRules() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_care_rules_free($self->h);
        free($self);
    }
    /** @brief Free the rules now (methods then raise). */
    void close() {
        cx_care_rules_free($self->h);
        $self->h = NULL;
    }
    /** @brief Add a rule (see lifecycle.h, cx_care_kind, for what each
     *  parameter means to each kind; one a kind does not use must be 0).
     *  @param kind a kind name or cxkit.CARE_* number.
     *  @param priority higher is more urgent; the list is sorted by it.
     *  @param threshold finite, >= 0.
     *  @param window_ms how far before the as-of time the evidence may lie.
     *  @return the rule's number (0, 1, 2, ... in order of addition), for
     *  set_min_value(), set_baseline() and set_priority(). */
    size_t add(cxb_care_kind kind, int priority = 0, double threshold = 0, int64_t window_ms = 0) {
        size_t rule = 0;
        cxb_check(cx_care_rules_add(&rule, cxb_care($self), (cx_care_kind)kind, priority, threshold, window_ms));
        return rule;
    }
    /** @brief Set a rule's minimum value ("activity_drop": activities in
     *  the baseline; "low_p_alive": spend), finite and >= 0. */
    void set_min_value(size_t rule, double min_value) {
        cxb_check(cx_care_rules_set_min_value(cxb_care($self), rule, min_value));
    }
    /** @brief Set a rule's baseline ("activity_drop": the period before the
     *  window, > 0; "sla_breach": the first-response target, 0 for none). */
    void set_baseline(size_t rule, int64_t baseline_ms) {
        cxb_check(cx_care_rules_set_baseline(cxb_care($self), rule, baseline_ms));
    }
    /** @brief Restrict an "sla_breach" rule to cases of one priority (a name
     *  checked against the store at evaluation), or None for every case. */
    void set_priority(size_t rule, const char *priority) {
        cxb_check(cx_care_rules_set_priority(cxb_care($self), rule, priority));
    }
    /** @brief Number of rules. */
    size_t count() { return cx_care_rules_count(cxb_care($self)); }
    /** @brief Apply the rules at an as-of time (records at or after it are
     *  ignored): a Result, one row per customer and matching rule, sorted by
     *  priority (highest first), then evidence time (oldest first), rule and
     *  customer: "customer", "rule" (number), "kind" (cxkit.CARE_*),
     *  "kind_name", "priority", "time" and "value" (the evidence), "reason"
     *  (in words).
     *  @param store the store.
     *  @param as_of the time of the evaluation.
     *  @param model a BG/NBD or Pareto/NBD model (needed by "low_p_alive"), or None.
     *  @param summary the Summary the model applies to (given exactly when
     *  model is).
     *  @exception Invalid for a "low_p_alive" rule without a model;
     *  Range for a rule without its baseline or target; NotFound for a
     *  priority not in the store. */
    Result *evaluate(const Store *store, cx_time as_of, const Model *model = NULL, const Summary *summary = NULL) {
        cx_result *l = NULL;
        const cx_model *m;
        const cx_summary *su;
        const cx_care_rules *r = cxb_care($self);
        cx_store *s = cxb_store(store);
        if (!r || !s || cxb_model_pair(model, summary, &m, &su) < 0)
            return NULL;
        return cxb_result_wrap(cx_care_evaluate(&l, r, s, as_of, m, su), &l);
    }
}

/* ---- the weighted log-rank family ---------------------------------------------------- */

/** The weighted log-rank test that k groups share one survival curve:
 *  stratified, with late entry, returning the observed and expected
 *  (weighted) events per group and the variance matrix. Immutable; it
 *  owns its data. */
typedef struct LogRank {} LogRank;

%newobject LogRank::groups;
%extend LogRank {
    /** @brief Run the test.
     *  @param time n exit times, finite and >= 0.
     *  @param event n flags: 1 (True) the event was observed, 0 censored.
     *  @param group n group numbers >= 0 (at least two distinct).
     *  @param strata n stratum numbers >= 0, or None for one stratum.
     *  @param entry n entry times (>= 0, before the time) for late entry, or None.
     *  @param weight "logrank" (the default), "fleming_harrington" (or "fh":
     *  S(t-)^p (1 - S(t-))^q; R survdiff's rho is fh with p = rho, q = 0),
     *  "gehan" (n at risk), "tarone_ware" (its square root) or "peto_peto"
     *  (prod (1 - d / (n + 1)) up to and including t).
     *  @param p, q the Fleming-Harrington exponents, >= 0.
     *  @exception Range for a bad value, one group, no event or a singular
     *  variance matrix; Invalid for an unknown weight. */
    LogRank(cxb_realv time, cxb_flagv event, cxb_flagv group, cxb_oflagv strata, cxb_orealv entry,
            const char *weight = "logrank", double p = 0, double q = 0) {
        cx_logrank *h = NULL;
        if (!cxb_req("time", time.n) || !cxb_req_len("event", event.n, time.n) ||
            !cxb_req_len("group", group.n, time.n) || !cxb_len_ok("strata", strata.n, time.n) ||
            !cxb_len_ok("entry", entry.n, time.n))
            return NULL;
        int w = cxb_logrank_weight(weight);
        cx_logrank_options *o = NULL;
        if (w < 0 || cxb_check(cx_logrank_options_new(&o)) < 0)
            return NULL;
        int rc = cx_logrank_options_set_weight(o, (cx_logrank_weight)w, p, q);
        if (!rc && entry.n != CXB_OMITTED)
            rc = cx_logrank_options_set_entry(o, entry.v, entry.n);
        if (!rc && strata.n != CXB_OMITTED)
            rc = cx_logrank_options_set_strata(o, strata.v, strata.n);
        if (!rc)
            rc = cx_logrank_new(&h, time.v, event.v, group.v, time.n, o);
        cx_logrank_options_free(o);
        return cxb_logrank_wrap(rc, &h);
    }
    ~LogRank() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_logrank_free($self->h);
        free($self);
    }
    /** @brief Free the test now (methods then raise). */
    void close() {
        cx_logrank_free($self->h);
        $self->h = NULL;
    }
    /** @brief Number of groups. */
    size_t group_count() { return cx_logrank_group_count(cxb_logrank($self)); }
    /** @brief The statistic: "chi2", "p" and "df" (groups - 1). */
    cxb_row test() {
        cxb_row r;
        double chi2 = NAN, p = NAN;
        uint64_t df = 0;
        r.n = 0;
        if (cxb_check(cx_logrank_test(&chi2, &p, &df, cxb_logrank($self))) < 0)
            return r;
        cxb_row_add(&r, "chi2", CX_TYPE_REAL, NULL, 0, chi2);
        cxb_row_add(&r, "p", CX_TYPE_REAL, NULL, 0, p);
        cxb_row_add(&r, "df", CX_TYPE_INT, NULL, (int64_t)df, 0);
        return r;
    }
    /** @brief One row per group, in increasing group number: a Result with
     *  "group", "subjects", "events", "observed" and "expected" (weighted,
     *  as R survdiff's obs and exp), "variance" (the diagonal of the
     *  variance matrix). */
    Result *groups() {
        cx_result *r = NULL;
        const cx_logrank *h = cxb_logrank($self);
        return h ? cxb_result_wrap(cx_logrank_groups(&r, h), &r) : NULL;
    }
    /** @brief An element of the k x k variance matrix of O - E (R's var).
     *  @param i, j group indexes, 0 to group_count() - 1.
     *  @exception Range outside the matrix. */
    double variance(size_t i, size_t j) {
        double v = NAN;
        cxb_check(cx_logrank_variance(&v, cxb_logrank($self), i, j));
        return v;
    }
}

/* ---- Cox proportional hazards ---------------------------------------------------------- */

/** The model of a Cox fit: covariates (numeric, and categorical with a
 *  reference level), ties, strata, late entry and the iteration cap. */
typedef struct CoxOptions {} CoxOptions;

%extend CoxOptions {
    /** @brief New options.
     *  @param ties "efron" (the default, R's) or "breslow".
     *  @param max_iterations the Newton-Raphson cap, 1 to 1000 (R's 20).
     *  @param strata n stratum numbers >= 0 (a baseline hazard each), or None.
     *  @param entry n entry times for late entry (at risk on (entry, time]), or None.
     *  @exception Invalid for unknown ties; Range for a bad value. */
    CoxOptions(const char *ties = "efron", int max_iterations = 20, cxb_oflagv strata, cxb_orealv entry) {
        cx_cox_options *h = NULL;
        int t = cxb_ties(ties);
        if (t < 0 || cxb_check(cx_cox_options_new(&h)) < 0)
            return NULL;
        int rc = cx_cox_options_set_ties(h, (cx_ties)t);
        if (!rc)
            rc = cx_cox_options_set_max_iterations(h, max_iterations);
        if (!rc && strata.n != CXB_OMITTED)
            rc = cx_cox_options_set_strata(h, strata.v, strata.n);
        if (!rc && entry.n != CXB_OMITTED)
            rc = cx_cox_options_set_entry(h, entry.v, entry.n);
        if (rc) {
            cx_cox_options_free(h);
            h = NULL;
        }
        return cxb_coxopts_wrap(rc, &h);
    }
    ~CoxOptions() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_cox_options_free($self->h);
        free($self);
    }
    /** @brief Add a numeric covariate (one term).
     *  @param name the term's name.
     *  @param values one finite value per subject. */
    void add_covariate(const char *name, cxb_realv values) {
        cx_cox_options *o = cxb_coxopts($self);
        if (o && cxb_req("values", values.n))
            cxb_check(cx_cox_options_add_covariate(o, name, values.v, values.n));
    }
    /** @brief Add a customer column of a store as a categorical covariate
     *  ("segment=vip"...), for the customers `ids` in the order of the times.
     *  @param store the store.
     *  @param ids the customers' ids.
     *  @param dim "segment", "region" or "plan".
     *  @param reference the reference level, or None for the first. */
    void add_customer_column(const Store *store, cxb_strv ids, cxb_dim dim, const char *reference = NULL) {
        cx_cox_options *o = cxb_coxopts($self);
        cx_store *s = cxb_store(store);
        if (o && s && cxb_req("ids", ids.n))
            cxb_check(cx_cox_options_add_customer_column(o, s, ids.v, ids.n, (cx_dim)dim, reference));
    }
    /** @brief Add a customer attribute of a store as a covariate: numeric
     *  when `reference` is None, else categorical with that reference level
     *  ("" for the first).
     *  @exception Parse for a value that is not a number. */
    void add_customer_attribute(const Store *store, cxb_strv ids, const char *attribute,
                                const char *reference = NULL) {
        cx_cox_options *o = cxb_coxopts($self);
        cx_store *s = cxb_store(store);
        if (o && s && cxb_req("ids", ids.n))
            cxb_check(cx_cox_options_add_customer_attribute(o, s, ids.v, ids.n, attribute, reference));
    }
    /** @brief Add a categorical covariate: a 0/1 term "name=level" per level
     *  other than the reference.
     *  @param name the covariate's name.
     *  @param values one level name per subject.
     *  @param reference the reference level, or None for the first in byte order.
     *  @exception NotFound for a reference level that does not occur. */
    void add_factor(const char *name, cxb_strv values, const char *reference = NULL) {
        cx_cox_options *o = cxb_coxopts($self);
        if (o && cxb_req("values", values.n))
            cxb_check(cx_cox_options_add_factor(o, name, values.v, values.n, reference));
    }
    /** @brief Add a customer column of the store of Cox.fit_store() as a
     *  categorical covariate ("plan=pro"...), read at the fit.
     *  @param dim "segment", "region", "plan" or "channel" (of the first interaction).
     *  @param reference the reference level, or None for the first. */
    void add_store_column(cxb_dim dim, const char *reference = NULL) {
        cx_cox_options *o = cxb_coxopts($self);
        if (o)
            cxb_check(cx_cox_options_add_store_column(o, (cx_dim)dim, reference));
    }
    /** @brief Add a customer attribute of the store of Cox.fit_store():
     *  numeric when `reference` is None, else categorical with that
     *  reference level ("" for the first). */
    void add_store_attribute(const char *attribute, const char *reference = NULL) {
        cx_cox_options *o = cxb_coxopts($self);
        if (o)
            cxb_check(cx_cox_options_add_store_attribute(o, attribute, reference));
    }
    /** @brief Add a service-experience covariate of Cox.fit_store(),
     *  time-varying: each customer's time is split where the signal
     *  changes, so that at each churn it has its value as of then:
     *  "detractor" (1 once it gave an NPS answer of 0 to 6), "detractor_share"
     *  (of its NPS answers so far; 0 without), "cases" (opened so far),
     *  "resolution_hours" (the mean of its cases resolved so far; 0 without),
     *  "reopens" (of its cases opened so far) or "channel_share" (the share
     *  of its interactions so far on `channel`).
     *  @param signal the signal's name.
     *  @param channel the channel of "channel_share"; None for the others. */
    void add_store_signal(const char *signal, const char *channel = NULL) {
        cx_cox_options *o = cxb_coxopts($self);
        int k = cxb_cox_signal(signal);
        if (o && k >= 0)
            cxb_check(cx_cox_options_add_store_signal(o, (cx_cox_signal)k, channel));
    }
}

/** A Cox proportional hazards fit, as R's coxph(): hazard ratios with
 *  confidence intervals, robust standard errors, the likelihood-ratio,
 *  Wald and score tests, the baseline and predicted curves. Immutable. */
typedef struct Cox {} Cox;

%newobject Cox::fit_store;
%newobject Cox::coefficients;
%newobject Cox::tests;
%newobject Cox::baseline;
%newobject Cox::zph;
%extend Cox {
    /** @brief Fit the model.
     *  @param time n exit times, finite and >= 0.
     *  @param event n flags: 1 (True) the event (churn) was observed, 0 censored.
     *  @param options the CoxOptions (covariates for the same n).
     *  @exception Range for a bad value, singular information (a constant
     *  or collinear covariate), separated data (an infinite coefficient) or
     *  no convergence. */
    Cox(cxb_realv time, cxb_flagv event, const CoxOptions *options) {
        cx_cox *h = NULL;
        const cx_cox_options *o = cxb_coxopts(options);
        if (!o || !cxb_req("time", time.n) || !cxb_req_len("event", event.n, time.n))
            return NULL;
        return cxb_cox_wrap(cx_cox_fit(&h, time.v, event.v, time.n, o), &h);
    }
    /** @brief Fit a Cox model of the customer relationship in a store:
     *  the subjects of Store.survival_subjects() with the same arguments
     *  (late entry from observed_from) and the covariates declared with
     *  the options' ``add_store_column``, ``add_store_attribute`` and ``add_store_signal`` methods (after any array covariates, given
     *  in the subjects' order, as are strata).
     *  @param store the store.
     *  @param as_of the end of observation.
     *  @param options the CoxOptions.
     *  @param activity "transactions" (the default), "inbound" or "all".
     *  @param inactivity_ms the churn threshold (default 90 days).
     *  @param churn_attribute the attribute holding an explicit churn time, or None.
     *  @param unit_ms the unit of durations (default days).
     *  @param observed_from when the data begin (late entry), or None.
     *  @exception Range for a customer without a declared column or
     *  attribute, or a fit that fails (see Cox()); NotFound for an unknown
     *  channel; Parse for an attribute that is not a number. */
    static Cox *fit_store(const Store *store, cx_time as_of, const CoxOptions *options,
                          cxb_activity activity = CX_ACTIVITY_TRANSACTIONS, int64_t inactivity_ms = 7776000000LL,
                          const char *churn_attribute = NULL, int64_t unit_ms = 86400000,
                          cx_time observed_from = CX_TIME_NONE) {
        cx_cox *h = NULL;
        cx_store *s = cxb_store(store);
        const cx_cox_options *co = cxb_coxopts(options);
        cx_survival_options *o;
        if (!s || !co || !(o = cxb_surv_store_options(activity, inactivity_ms, churn_attribute, -1, unit_ms, 0.95,
                                                      CX_BAND_LOG_LOG, observed_from)))
            return NULL;
        int rc = cx_cox_fit_store(&h, s, as_of, o, co);
        cx_survival_options_free(o);
        return cxb_cox_wrap(rc, &h);
    }
    ~Cox() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_cox_free($self->h);
        free($self);
    }
    /** @brief Free the fit now (methods then raise). */
    void close() {
        cx_cox_free($self->h);
        $self->h = NULL;
    }
    /** @brief Number of terms. */
    size_t term_count() { return cx_cox_term_count(cxb_cox($self)); }
    /** @brief One row per term: "term", "coef", "hazard_ratio", "se",
     *  "robust_se", "z", "p", "hr_lo", "hr_hi".
     *  @param level the confidence level of the hazard ratio's interval. */
    Result *coefficients(double level = 0.95) {
        cx_result *r = NULL;
        const cx_cox *c = cxb_cox($self);
        return c ? cxb_result_wrap(cx_cox_coefficients(&r, c, level), &r) : NULL;
    }
    /** @brief The global tests: rows "likelihood_ratio", "wald", "score"
     *  with "test", "chi2", "df", "p". */
    Result *tests() {
        cx_result *r = NULL;
        const cx_cox *c = cxb_cox($self);
        return c ? cxb_result_wrap(cx_cox_tests(&r, c), &r) : NULL;
    }
    /** @brief The log partial likelihoods: "null_loglik" (beta = 0),
     *  "loglik" and "iterations". */
    cxb_row loglik() {
        cxb_row r;
        double ll0 = NAN, ll = NAN;
        int it = 0;
        r.n = 0;
        if (cxb_check(cx_cox_loglik(&ll0, &ll, &it, cxb_cox($self))) < 0)
            return r;
        cxb_row_add(&r, "null_loglik", CX_TYPE_REAL, NULL, 0, ll0);
        cxb_row_add(&r, "loglik", CX_TYPE_REAL, NULL, 0, ll);
        cxb_row_add(&r, "iterations", CX_TYPE_INT, NULL, it, 0);
        return r;
    }
    /** @brief The baseline at the covariate means: "stratum", "time",
     *  "cumulative_hazard", "survival". */
    Result *baseline() {
        cx_result *r = NULL;
        const cx_cox *c = cxb_cox($self);
        return c ? cxb_result_wrap(cx_cox_baseline(&r, c), &r) : NULL;
    }
    /** @brief The test of proportional hazards from the Schoenfeld
     *  residuals, as R's cox.zph() (survival >= 3's score test): one row per
     *  covariate (a factor's terms together) and "GLOBAL", with "term",
     *  "chi2", "df", "p".
     *  @param transform "km" (the default: 1 - the pooled Kaplan-Meier just
     *  before t) or "identity" (t). */
    Result *zph(const char *transform = "km") {
        cx_result *r = NULL;
        const cx_cox *c = cxb_cox($self);
        if (!c)
            return NULL;
        int tr = transform && strcmp(transform, "km") == 0         ? CX_ZPH_KM
                 : transform && strcmp(transform, "identity") == 0 ? CX_ZPH_IDENTITY
                                                                   : -1;
        if (tr < 0) {
            cxb_fail(CX_EINVAL, "transform '%s' is not one of km, identity", transform ? transform : "(none)");
            return NULL;
        }
        return cxb_result_wrap(cx_cox_zph(&r, c, (cx_zph_transform)tr), &r);
    }
    /** @brief A subject's predicted survival S(t | x).
     *  @param x the term values, in the order of coefficients().
     *  @param t the time.
     *  @param stratum the stratum number (0 without strata). */
    double predict(cxb_realv x, double t, int stratum = 0) {
        double v = NAN;
        const cx_cox *c = cxb_cox($self);
        if (c && cxb_req("x", x.n))
            cxb_check(cx_cox_predict(&v, c, x.v, x.n, stratum, t));
        return v;
    }
}
