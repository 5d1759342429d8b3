/*
 * Queries over the store: filters, groupings and the CX / service measures,
 * computed in one pass per table into per-group accumulators; results that
 * are immutable tables, mergeable and serialisable (see result.c).
 */
#include "metrics_private.h"

#include <math.h>
#include <stdlib.h>

#define FN_ADD "cx_query_add"

/* ---- small helpers ----------------------------------------------------- */

static int check_name(const char *fn, const char *what, const char *s)
{
    if (!s || !*s)
        return cxi_fail(CX_EINVAL, "%s: %s is %s", fn, what, s ? "empty" : "NULL");
    if (!cxi_utf8_valid(s, strlen(s)))
        return cxi_fail(CX_EINVAL, "%s: %s is not valid UTF-8", fn, what);
    return CX_OK;
}

const cxi_measure_info cxi_measures[CX_MEASURE_COUNT] = {
    [CX_MEASURE_NPS] = {"nps", CXI_ACC_SCORE, CX_TABLE_FEEDBACK},
    [CX_MEASURE_CSAT] = {"csat", CXI_ACC_SCORE, CX_TABLE_FEEDBACK},
    [CX_MEASURE_CES] = {"ces", CXI_ACC_SCORE, CX_TABLE_FEEDBACK},
    [CX_MEASURE_FCR] = {"fcr", CXI_ACC_PROP, CX_TABLE_CASES},
    [CX_MEASURE_FIRST_RESPONSE] = {"first_response", CXI_ACC_DIST, CX_TABLE_CASES},
    [CX_MEASURE_RESOLUTION] = {"resolution", CXI_ACC_DIST, CX_TABLE_CASES},
    [CX_MEASURE_CONTACTS] = {"contacts", CXI_ACC_DIST, CX_TABLE_CASES},
    [CX_MEASURE_REOPEN_RATE] = {"reopen_rate", CXI_ACC_PROP, CX_TABLE_CASES},
    [CX_MEASURE_SLA_BREACH] = {"sla_breach", CXI_ACC_PROP, CX_TABLE_CASES},
    [CX_MEASURE_MISSED_RATE] = {"missed_rate", CXI_ACC_PROP, CX_TABLE_INTERACTIONS},
    [CX_MEASURE_ABANDON_RATE] = {"abandon_rate", CXI_ACC_PROP, CX_TABLE_INTERACTIONS},
    [CX_MEASURE_HANDLE_TIME] = {"handle_time", CXI_ACC_DIST, CX_TABLE_INTERACTIONS},
    [CX_MEASURE_REPEAT_RATE] = {"repeat_rate", CXI_ACC_PROP, CX_TABLE_INTERACTIONS},
    [CX_MEASURE_CX_INDEX] = {"cx_index", CXI_ACC_NONE, -1},
};

const char *const cxi_dim_names[] = {"channel", "stage", "touchpoint", "segment", "region",
                                     "plan",    "agent", "priority",   "attribute", "time"};

/* Measures the CX index may weigh, with the default weights. */
static bool index_component(int m)
{
    switch (m) {
    case CX_MEASURE_NPS: case CX_MEASURE_CSAT: case CX_MEASURE_CES: case CX_MEASURE_FCR:
    case CX_MEASURE_MISSED_RATE: case CX_MEASURE_ABANDON_RATE: case CX_MEASURE_REOPEN_RATE:
    case CX_MEASURE_REPEAT_RATE: case CX_MEASURE_SLA_BREACH:
        return true;
    default:
        return false;
    }
}

/* ---- the query --------------------------------------------------------- */

int cx_query_new(cx_query **out, const cx_store *store)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_query_new: out is NULL");
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "cx_query_new: store is NULL");
    cx_query *q = CXI_NEW(cx_query, store->mem.fn, store->mem.ud);
    if (!q)
        return cxi_fail(CX_ENOMEM, "cx_query_new: out of memory");
    q->store = store;
    q->spec.from = q->spec.to = CX_TIME_NONE;
    q->spec.as_of = CX_TIME_NONE;
    q->spec.level = 0.95;
    q->spec.min_n = CX_QUERY_MIN_N_DEFAULT;
    q->spec.fcr_max_contacts = 1;
    q->spec.fcr_max_reopens = 0;
    q->spec.fcr_window = 0;
    q->spec.repeat_window = 7 * CXI_MS_PER_DAY;
    q->spec.weights[CX_MEASURE_NPS] = q->spec.weights[CX_MEASURE_CSAT] = 1;
    q->spec.weights[CX_MEASURE_CES] = q->spec.weights[CX_MEASURE_FCR] = 1;
    q->threads = 1;
    *out = q;
    return CX_OK;
}

void cx_query_free(cx_query *q)
{
    if (!q)
        return;
    cxi_mem mem = q->mem;
    cxi_spec_clear(&mem, &q->spec);
    for (size_t i = 0; i < q->nfilters; i++) {
        cxi_strfree(&mem, q->filters[i].key);
        cxi_strfree(&mem, q->filters[i].value);
    }
    cxi_free(&mem, q->filters, q->capf * sizeof *q->filters);
    cxi_free(&mem, q, sizeof *q);
}

void cxi_spec_clear(cxi_mem *m, cxi_spec *s)
{
    for (int d = 0; d < s->ngroups; d++)
        cxi_strfree(m, s->groups[d].key);
    for (size_t i = 0; i < s->nsla; i++) {
        cxi_strfree(m, s->sla[i].priority);
        cxi_strfree(m, s->sla[i].channel);
    }
    cxi_free(m, s->sla, s->capsla * sizeof *s->sla);
    cxi_strfree(m, s->contact_kind);
    s->ngroups = 0;
    s->nsla = s->capsla = 0;
    s->sla = NULL;
    s->contact_kind = NULL;
}

int cx_query_add(cx_query *q, cx_measure measure)
{
    if (!q)
        return cxi_fail(CX_EINVAL, FN_ADD ": query is NULL");
    if (measure < 0 || measure >= CX_MEASURE_COUNT)
        return cxi_fail(CX_EINVAL, FN_ADD ": measure %d is not a cx_measure", measure);
    for (int i = 0; i < q->spec.nmeasures; i++)
        if (q->spec.measures[i] == (int)measure)
            return cxi_fail(CX_EINVAL, FN_ADD ": measure '%s' was already asked for", cxi_measures[measure].name);
    q->spec.measures[q->spec.nmeasures++] = measure;
    return CX_OK;
}

static int add_group(const char *fn, cx_query *q, int dim, int bucket, int offset, const char *key)
{
    if (q->spec.ngroups >= CX_QUERY_MAX_GROUPS)
        return cxi_fail(CX_ELIMIT, "%s: at most %d groupings", fn, CX_QUERY_MAX_GROUPS);
    for (int d = 0; d < q->spec.ngroups; d++) {
        const cxi_group *g = &q->spec.groups[d];
        if (g->dim == dim && (dim != CX_DIM_ATTRIBUTE || strcmp(g->key, key) == 0))
            return cxi_fail(CX_EINVAL, "%s: already grouped by %s%s%s", fn, cxi_dim_names[dim],
                            key ? " " : "", key ? key : "");
    }
    char *k = NULL;
    if (key && !(k = cxi_strdup(&q->mem, key)))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    cxi_group *g = &q->spec.groups[q->spec.ngroups++];
    g->dim = dim;
    g->bucket = bucket;
    g->offset = offset;
    g->key = k;
    return CX_OK;
}

int cx_query_group_by(cx_query *q, cx_dim dim)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_group_by: query is NULL");
    if (dim < 0 || dim >= CX_DIM_ATTRIBUTE)
        return cxi_fail(CX_EINVAL, "cx_query_group_by: dimension %d is not one of channel .. priority "
                                   "(attributes and time have calls of their own)", dim);
    return add_group("cx_query_group_by", q, dim, 0, 0, NULL);
}

int cx_query_group_by_attribute(cx_query *q, const char *key)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_group_by_attribute: query is NULL");
    int rc = check_name("cx_query_group_by_attribute", "key", key);
    return rc ? rc : add_group("cx_query_group_by_attribute", q, CX_DIM_ATTRIBUTE, 0, 0, key);
}

int cx_query_group_by_time(cx_query *q, cx_bucket bucket, int offset_minutes)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_group_by_time: query is NULL");
    if (bucket < CX_BUCKET_DAY || bucket > CX_BUCKET_YEAR)
        return cxi_fail(CX_EINVAL, "cx_query_group_by_time: bucket %d is not a cx_bucket", bucket);
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "cx_query_group_by_time: offset %d minutes is outside -840..840", offset_minutes);
    return add_group("cx_query_group_by_time", q, CX_DIM_TIME, bucket, offset_minutes, NULL);
}

static int add_filter(const char *fn, cx_query *q, int dim, const char *key, const char *value)
{
    if (cxi_grow(&q->mem, &q->filters, &q->capf, q->nfilters + 1, sizeof *q->filters))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    char *k = NULL, *v = cxi_strdup(&q->mem, value);
    if (v && key && !(k = cxi_strdup(&q->mem, key))) {
        cxi_strfree(&q->mem, v);
        v = NULL;
    }
    if (!v)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    q->filters[q->nfilters++] = (cxi_filter){dim, k, v};
    return CX_OK;
}

int cx_query_filter(cx_query *q, cx_dim dim, const char *value)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_filter: query is NULL");
    if (dim < 0 || dim >= CX_DIM_ATTRIBUTE)
        return cxi_fail(CX_EINVAL, "cx_query_filter: dimension %d is not one of channel .. priority", dim);
    int rc = check_name("cx_query_filter", "value", value);
    return rc ? rc : add_filter("cx_query_filter", q, dim, NULL, value);
}

int cx_query_filter_attribute(cx_query *q, const char *key, const char *value)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_filter_attribute: query is NULL");
    int rc = check_name("cx_query_filter_attribute", "key", key);
    if (!rc && !value)
        rc = cxi_fail(CX_EINVAL, "cx_query_filter_attribute: value is NULL");
    if (!rc && !cxi_utf8_valid(value, strlen(value)))
        rc = cxi_fail(CX_EINVAL, "cx_query_filter_attribute: value is not valid UTF-8");
    return rc ? rc : add_filter("cx_query_filter_attribute", q, CX_DIM_ATTRIBUTE, key, value);
}

int cx_query_set_range(cx_query *q, cx_time from, cx_time to)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_range: query is NULL");
    if (from != CX_TIME_NONE && to != CX_TIME_NONE && to < from)
        return cxi_fail(CX_EORDER, "cx_query_set_range: the range ends (%lld) before it starts (%lld)",
                        (long long)to, (long long)from);
    q->spec.from = from;
    q->spec.to = to;
    return CX_OK;
}

int cx_query_set_fcr_rule(cx_query *q, int max_contacts, int max_reopens, int64_t window_ms)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_fcr_rule: query is NULL");
    if (max_contacts < 1)
        return cxi_fail(CX_ERANGE, "cx_query_set_fcr_rule: max_contacts is %d, must be >= 1", max_contacts);
    if (max_reopens < 0)
        return cxi_fail(CX_ERANGE, "cx_query_set_fcr_rule: max_reopens is %d, must be >= 0", max_reopens);
    if (window_ms < 0)
        return cxi_fail(CX_ERANGE, "cx_query_set_fcr_rule: window_ms is negative");
    q->spec.fcr_max_contacts = max_contacts;
    q->spec.fcr_max_reopens = max_reopens;
    q->spec.fcr_window = window_ms;
    return CX_OK;
}

int cx_query_set_threads(cx_query *q, int threads)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_threads: query is NULL");
    if (threads < 0 || threads > 1024)
        return cxi_fail(CX_EINVAL, "cx_query_set_threads: %d is not a thread count (0 to 1024)", threads);
    q->threads = threads;
    return CX_OK;
}

int cx_query_set_repeat_window(cx_query *q, int64_t window_ms)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_repeat_window: query is NULL");
    if (window_ms <= 0)
        return cxi_fail(CX_ERANGE, "cx_query_set_repeat_window: window_ms must be > 0");
    q->spec.repeat_window = window_ms;
    return CX_OK;
}

int cx_query_set_contact_kind(cx_query *q, const char *kind)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_contact_kind: query is NULL");
    int rc = check_name("cx_query_set_contact_kind", "kind", kind);
    if (rc)
        return rc;
    char *k = cxi_strdup(&q->mem, kind);
    if (!k)
        return cxi_fail(CX_ENOMEM, "cx_query_set_contact_kind: out of memory");
    cxi_strfree(&q->mem, q->spec.contact_kind);
    q->spec.contact_kind = k;
    return CX_OK;
}

int cx_query_set_calendar(cx_query *q, const cx_calendar *cal)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_calendar: query is NULL");
    q->cal = cal;
    q->spec.business = cal != NULL;
    return CX_OK;
}

static bool same_name(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

int cx_query_set_sla(cx_query *q, const char *priority, const char *channel, int64_t first_response_ms,
                     int64_t resolution_ms)
{
    const char *fn = "cx_query_set_sla";
    if (!q)
        return cxi_fail(CX_EINVAL, "%s: query is NULL", fn);
    int rc = priority ? check_name(fn, "priority", priority) : CX_OK;
    if (!rc && channel)
        rc = check_name(fn, "channel", channel);
    if (rc)
        return rc;
    if (first_response_ms < -1 || resolution_ms < -1)
        return cxi_fail(CX_ERANGE, "%s: a target is negative (use -1 for none)", fn);
    for (size_t i = 0; i < q->spec.nsla; i++) {
        cxi_sla *t = &q->spec.sla[i];
        if (same_name(t->priority, priority) && same_name(t->channel, channel)) {
            t->first_response = first_response_ms;
            t->resolution = resolution_ms;
            return CX_OK;
        }
    }
    if (q->spec.nsla == q->spec.capsla) {
        size_t ncap = q->spec.capsla ? 2 * q->spec.capsla : 4;
        cxi_sla *n = cxi_realloc(&q->mem, q->spec.sla, q->spec.capsla * sizeof *n, ncap * sizeof *n);
        if (!n)
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        q->spec.sla = n;
        q->spec.capsla = ncap;
    }
    char *p = priority ? cxi_strdup(&q->mem, priority) : NULL;
    char *c = channel ? cxi_strdup(&q->mem, channel) : NULL;
    if ((priority && !p) || (channel && !c)) {
        cxi_strfree(&q->mem, p);
        cxi_strfree(&q->mem, c);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    q->spec.sla[q->spec.nsla++] = (cxi_sla){p, c, first_response_ms, resolution_ms};
    return CX_OK;
}

int cx_query_set_as_of(cx_query *q, cx_time as_of)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_as_of: query is NULL");
    q->spec.as_of = as_of;
    return CX_OK;
}

int cx_query_set_min_n(cx_query *q, int64_t min_n)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_min_n: query is NULL");
    if (min_n < 0)
        return cxi_fail(CX_ERANGE, "cx_query_set_min_n: min_n %lld is negative (0 turns the flag off)",
                        (long long)min_n);
    q->spec.min_n = min_n;
    return CX_OK;
}

int cx_query_set_confidence(cx_query *q, double level)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_confidence: query is NULL");
    if (!(level > 0 && level < 1))
        return cxi_fail(CX_ERANGE, "cx_query_set_confidence: level %g is not in (0, 1)", level);
    q->spec.level = level;
    return CX_OK;
}

int cx_query_set_index_weight(cx_query *q, cx_measure measure, double weight)
{
    if (!q)
        return cxi_fail(CX_EINVAL, "cx_query_set_index_weight: query is NULL");
    if (measure < 0 || measure >= CX_MEASURE_COUNT || !index_component(measure))
        return cxi_fail(CX_EINVAL, "cx_query_set_index_weight: measure %d cannot be weighed in the CX index", measure);
    if (!isfinite(weight) || weight < 0)
        return cxi_fail(CX_ERANGE, "cx_query_set_index_weight: weight %g must be finite and >= 0", weight);
    q->spec.weights[measure] = weight;
    return CX_OK;
}

/* ---- presets ----------------------------------------------------------- */

int cx_query_new_agent_daily(cx_query **out, const cx_store *store, int offset_minutes)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_query_new_agent_daily: out is NULL");
    *out = NULL;
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "cx_query_new_agent_daily: offset %d minutes is outside -840..840", offset_minutes);
    cx_query *q;
    int rc = cx_query_new(&q, store);
    if (rc)
        return rc;
    static const int measures[] = {CX_MEASURE_HANDLE_TIME, CX_MEASURE_MISSED_RATE, CX_MEASURE_ABANDON_RATE,
                                   CX_MEASURE_FCR,         CX_MEASURE_CSAT,        CX_MEASURE_NPS};
    for (size_t i = 0; !rc && i < sizeof measures / sizeof measures[0]; i++)
        rc = cx_query_add(q, measures[i]);
    if (!rc)
        rc = cx_query_group_by(q, CX_DIM_AGENT);
    if (!rc)
        rc = cx_query_group_by_time(q, CX_BUCKET_DAY, offset_minutes);
    if (rc) {
        cx_query_free(q);
        return rc;
    }
    *out = q;
    return CX_OK;
}
