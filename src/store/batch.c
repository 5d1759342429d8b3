/*
 * Batch adds: many records in one call, all or nothing. Each record goes
 * through the single add (same checks, same messages); a failure rolls the
 * store back to where it was before the call, so bindings can load columns
 * (Python sequences, numpy arrays) in one call without a half-loaded store.
 */
#include "savepoint.h"

#define AT(a, i, dflt) ((a) ? (a)[i] : (dflt))

static int begin(const char *fn, size_t *out_failed, cx_store *s, size_t n, int table, const void *req1,
                 const void *req2, cxi_mark *mark)
{
    if (out_failed)
        *out_failed = 0;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (n && (!req1 || !req2))
        return cxi_fail(CX_EINVAL, "%s: a required array is NULL", fn);
    cxi_store_mark(s, mark);
    int rc = n ? cx_store_reserve(s, table, n) : CX_OK;
    return rc ? cxi_fail(rc, "%s: %s", fn, cx_last_error()) : CX_OK;
}

static int fail(const char *fn, size_t *out_failed, cx_store *s, const cxi_mark *mark, size_t i, int rc)
{
    cxi_store_rollback(s, mark);
    if (out_failed)
        *out_failed = i;
    return cxi_fail(rc, "%s: record %zu: %s (nothing was added)", fn, i, cx_last_error());
}

int cx_customer_add_batch(size_t *out_failed, cx_store *s, size_t n, const char *const *ids,
                          const char *const *segments, const char *const *regions, const char *const *plans,
                          const cx_time *acquired)
{
    const char *fn = "cx_customer_add_batch";
    cxi_mark mark;
    int rc = begin(fn, out_failed, s, n, CX_TABLE_CUSTOMERS, ids, ids, &mark);
    for (size_t i = 0; !rc && i < n; i++)
        if ((rc = cx_customer_add(s, ids[i], AT(segments, i, NULL), AT(regions, i, NULL), AT(plans, i, NULL),
                                  AT(acquired, i, CX_TIME_NONE))))
            return fail(fn, out_failed, s, &mark, i, rc);
    return rc;
}

int cx_interaction_add_batch(size_t *out_failed, cx_store *s, size_t n, const char *const *ids,
                             const char *const *customers,
                             const char *const *touchpoints, const cx_time *times, const char *const *kinds,
                             const int *directions, const char *const *agents, const char *const *case_ids,
                             const int64_t *durations, const int *outcomes, const double *values)
{
    const char *fn = "cx_interaction_add_batch";
    cxi_mark mark;
    int rc = begin(fn, out_failed, s, n, CX_TABLE_INTERACTIONS, customers, touchpoints, &mark);
    if (!rc && n && !times)
        rc = cxi_fail(CX_EINVAL, "%s: times is NULL", fn);
    for (size_t i = 0; !rc && i < n; i++)
        if ((rc = cx_interaction_add(NULL, s, AT(ids, i, NULL), customers[i], touchpoints[i], times[i], AT(kinds, i, NULL),
                                     AT(directions, i, CX_INBOUND), AT(agents, i, NULL), AT(case_ids, i, NULL),
                                     AT(durations, i, 0), AT(outcomes, i, CX_HANDLED), AT(values, i, 0))))
            return fail(fn, out_failed, s, &mark, i, rc);
    return rc;
}

int cx_feedback_add_batch(size_t *out_failed, cx_store *s, size_t n, const char *const *ids,
                          const char *const *customers, const char *const *questions, const double *scores,
                          const cx_time *times, const char *const *touchpoints, const char *const *interactions,
                          const char *const *case_ids,
                          const char *const *comments)
{
    const char *fn = "cx_feedback_add_batch";
    cxi_mark mark;
    int rc = begin(fn, out_failed, s, n, CX_TABLE_FEEDBACK, customers, questions, &mark);
    if (!rc && n && (!scores || !times))
        rc = cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !scores ? "scores" : "times");
    for (size_t i = 0; !rc && i < n; i++)
        if ((rc = cx_feedback_add(NULL, s, AT(ids, i, NULL), customers[i], questions[i], scores[i], times[i],
                                  AT(touchpoints, i, NULL), AT(interactions, i, NULL), AT(case_ids, i, NULL),
                                  AT(comments, i, NULL))))
            return fail(fn, out_failed, s, &mark, i, rc);
    return rc;
}

int cx_transaction_add_batch(size_t *out_failed, cx_store *s, size_t n, const char *const *ids,
                             const char *const *customers,
                             const cx_time *times, const double *amounts)
{
    const char *fn = "cx_transaction_add_batch";
    cxi_mark mark;
    int rc = begin(fn, out_failed, s, n, CX_TABLE_TRANSACTIONS, customers, times, &mark);
    if (!rc && n && !amounts)
        rc = cxi_fail(CX_EINVAL, "%s: amounts is NULL", fn);
    for (size_t i = 0; !rc && i < n; i++)
        if ((rc = cx_transaction_add(NULL, s, AT(ids, i, NULL), customers[i], times[i], amounts[i])))
            return fail(fn, out_failed, s, &mark, i, rc);
    return rc;
}
