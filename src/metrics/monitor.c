/*
 * Sliding-window monitor: a ring of events in time order and running
 * totals; adding pushes at the tail, reading first drops the events that
 * left the window from the head, so each event is added and removed once.
 */
#include "metrics_private.h"

#include <math.h>

enum { EV_NPS, EV_CSAT, EV_CES, EV_CONTACT, EV_CASE };
enum { F_GOOD = 1, F_BAD = 2, F_MISSED = 4, F_ABANDONED = 8, F_HANDLED = 16, F_FIRST = 32, F_RESPONDED = 64 };

typedef struct event {
    cx_time t;
    double v;  /* standard score; duration; resolution time */
    int64_t w; /* first response time of a case */
    uint8_t kind, flags;
} event;

/* Running totals of one kind of event. */
typedef struct totals {
    uint64_t n, good, bad, missed, abandoned, handled, first, responded;
    double sum;        /* scores (floating) */
    /* milliseconds, exact: sums modulo 2^64 (events enter and leave), whose
     * value is the true non-negative sum of the events in the window */
    uint64_t dur, resp;
} totals;

struct cx_monitor {
    cxi_mem mem;
    int64_t window;
    event *ring;
    size_t cap, head, count; /* cap a power of two */
    cx_time last_event, last_read;
    totals k[5];
};

/* Times are in years 0000-9999, as the store's (CXI_TIME_MIN..MAX), and
 * durations at most their span: then no difference or sum overflows. */
#define TIME_SPAN (CXI_TIME_MAX - CXI_TIME_MIN)

static int time_ok(const char *fn, const char *what, cx_time t)
{
    if (t == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: %s is missing (CX_TIME_NONE)", fn, what);
    if (t < CXI_TIME_MIN || t > CXI_TIME_MAX)
        return cxi_fail(CX_ERANGE, "%s: %s %lld is outside years 0000-9999", fn, what, (long long)t);
    return CX_OK;
}

int cx_monitor_new(cx_monitor **out, int64_t window_ms)
{
    return cx_monitor_new_with_allocator(out, window_ms, NULL, NULL);
}

int cx_monitor_new_with_allocator(cx_monitor **out, int64_t window_ms, cx_alloc_fn alloc, void *ud)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_monitor_new: out is NULL");
    *out = NULL;
    if (window_ms <= 0)
        return cxi_fail(CX_ERANGE, "cx_monitor_new: the window (%lld ms) must be > 0", (long long)window_ms);
    /* a longer window holds every time there is (years 0000-9999) */
    if (window_ms > TIME_SPAN + 1)
        window_ms = TIME_SPAN + 1;
    cx_monitor *m = CXI_NEW(cx_monitor, alloc, ud);
    if (!m)
        return cxi_fail(CX_ENOMEM, "cx_monitor_new: out of memory");
    m->window = window_ms;
    m->last_event = m->last_read = CX_TIME_NONE;
    *out = m;
    return CX_OK;
}

void cx_monitor_free(cx_monitor *m)
{
    if (!m)
        return;
    cxi_mem mem = m->mem;
    cxi_free(&mem, m->ring, m->cap * sizeof *m->ring);
    cxi_free(&mem, m, sizeof *m);
}

static void apply(totals *k, const event *e, int sign)
{
    uint64_t d = sign > 0 ? 1 : (uint64_t)-1; /* modular add/subtract */
    k->n += d;
    if (e->flags & F_GOOD) k->good += d;
    if (e->flags & F_BAD) k->bad += d;
    if (e->flags & F_MISSED) k->missed += d;
    if (e->flags & F_ABANDONED) k->abandoned += d;
    if (e->flags & F_HANDLED) k->handled += d;
    if (e->flags & F_FIRST) k->first += d;
    if (e->flags & F_RESPONDED) {
        k->responded += d;
        k->resp += d * (uint64_t)e->w;
    }
    if (e->kind <= EV_CES)
        k->sum = k->n ? k->sum + sign * e->v : 0; /* an empty window forgets rounding */
    else if (e->kind == EV_CASE || (e->flags & F_HANDLED))
        k->dur += d * (uint64_t)e->v;
}

static int push(const char *fn, cx_monitor *m, const event *e)
{
    if (m->last_event != CX_TIME_NONE && e->t < m->last_event)
        return cxi_fail(CX_EORDER, "%s: event at %lld ms comes before the previous one (%lld ms)", fn,
                        (long long)e->t, (long long)m->last_event);
    if (m->last_read != CX_TIME_NONE && e->t <= m->last_read - m->window)
        return cxi_fail(CX_EORDER, "%s: event at %lld ms is already outside the window read last", fn,
                        (long long)e->t);
    if (m->count == m->cap) {
        size_t ncap = m->cap ? 2 * m->cap : 64;
        event *r = cxi_alloc(&m->mem, ncap * sizeof *r);
        if (!r)
            return cxi_fail(CX_ENOMEM, "%s: out of memory growing the window to %zu events", fn, ncap);
        for (size_t i = 0; i < m->count; i++)
            r[i] = m->ring[(m->head + i) & (m->cap - 1)];
        cxi_free(&m->mem, m->ring, m->cap * sizeof *m->ring);
        m->ring = r;
        m->cap = ncap;
        m->head = 0;
    }
    m->ring[(m->head + m->count++) & (m->cap - 1)] = *e;
    m->last_event = e->t;
    apply(&m->k[e->kind], e, +1);
    return CX_OK;
}

int cx_monitor_add_answer(cx_monitor *m, cx_time t, cx_metric metric, double score, double lo, double hi,
                          int higher_is_better)
{
    const char *fn = "cx_monitor_add_answer";
    if (!m)
        return cxi_fail(CX_EINVAL, "%s: monitor is NULL", fn);
    int rc = time_ok(fn, "time", t);
    if (rc < 0)
        return rc;
    if (metric != CX_METRIC_NPS && metric != CX_METRIC_CSAT && metric != CX_METRIC_CES)
        return cxi_fail(CX_EINVAL, "%s: metric %d is not NPS, CSAT or CES", fn, metric);
    if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
        return cxi_fail(CX_ERANGE, "%s: the scale %g..%g is not a finite range", fn, lo, hi);
    if (metric == CX_METRIC_NPS && (lo != 0 || hi != 10 || !higher_is_better))
        return cxi_fail(CX_ERANGE, "%s: NPS is asked on 0..10, higher better", fn);
    if (!isfinite(score) || score < lo || score > hi || (metric == CX_METRIC_NPS && score != floor(score)))
        return cxi_fail(CX_ERANGE, "%s: score %g is off the scale %g..%g", fn, score, lo, hi);
    event e = {t, 0, 0, (uint8_t)metric, 0};
    double o = higher_is_better ? score : lo + hi - score;
    if (metric == CX_METRIC_NPS) {
        e.flags = (uint8_t)((score >= 9 ? F_GOOD : 0) | (score <= 6 ? F_BAD : 0));
        e.v = score;
    } else if (metric == CX_METRIC_CSAT) {
        e.flags = o >= hi - 1 ? F_GOOD : 0;
        e.v = 1 + (o - lo) * 4 / (hi - lo);
    } else {
        e.flags = o > (lo + hi) / 2 ? F_GOOD : 0;
        e.v = 1 + (o - lo) * 6 / (hi - lo);
    }
    return push(fn, m, &e);
}

int cx_monitor_add_contact(cx_monitor *m, cx_time t, cx_outcome outcome, int64_t duration_ms)
{
    const char *fn = "cx_monitor_add_contact";
    if (!m)
        return cxi_fail(CX_EINVAL, "%s: monitor is NULL", fn);
    int rc = time_ok(fn, "time", t);
    if (rc < 0)
        return rc;
    if (outcome < CX_HANDLED || outcome > CX_ABANDONED)
        return cxi_fail(CX_EINVAL, "%s: outcome %d is not a cx_outcome", fn, outcome);
    if (duration_ms < 0 || duration_ms > TIME_SPAN)
        return cxi_fail(CX_ERANGE, "%s: duration %lld ms is %s", fn, (long long)duration_ms,
                        duration_ms < 0 ? "negative" : "longer than years 0000-9999");
    event e = {t, (double)duration_ms, 0, EV_CONTACT,
               (uint8_t)(outcome == CX_MISSED ? F_MISSED : outcome == CX_ABANDONED ? F_ABANDONED : F_HANDLED)};
    return push(fn, m, &e);
}

int cx_monitor_add_case(cx_monitor *m, cx_time resolved, cx_time opened, cx_time first_response, int contacts,
                        int reopens)
{
    const char *fn = "cx_monitor_add_case";
    if (!m)
        return cxi_fail(CX_EINVAL, "%s: monitor is NULL", fn);
    int rc = time_ok(fn, "resolved time", resolved);
    if (rc == CX_OK)
        rc = time_ok(fn, "opened time", opened);
    if (rc == CX_OK && first_response != CX_TIME_NONE)
        rc = time_ok(fn, "first response time", first_response);
    if (rc < 0)
        return rc;
    if (resolved < opened || (first_response != CX_TIME_NONE && (first_response < opened || first_response > resolved)))
        return cxi_fail(CX_EORDER, "%s: times out of order (opened <= first response <= resolved)", fn);
    if (contacts < 0 || reopens < 0)
        return cxi_fail(CX_ERANGE, "%s: %s is negative", fn, contacts < 0 ? "contacts" : "reopens");
    event e = {resolved, (double)(resolved - opened), first_response != CX_TIME_NONE ? first_response - opened : 0,
               EV_CASE,
               (uint8_t)((contacts <= 1 && reopens == 0 ? F_FIRST : 0) |
                         (first_response != CX_TIME_NONE ? F_RESPONDED : 0))};
    return push(fn, m, &e);
}

static double ratio(uint64_t x, uint64_t n, double scale) { return n ? scale * (double)x / (double)n : NAN; }

int cx_monitor_read(double *out, uint64_t *n, cx_monitor *m, cx_time now, cx_measure measure)
{
    const char *fn = "cx_monitor_read";
    if (!out || !m)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !out ? "out" : "monitor");
    int rc = time_ok(fn, "now", now);
    if (rc < 0)
        return rc;
    if ((m->last_read != CX_TIME_NONE && now < m->last_read) || (m->last_event != CX_TIME_NONE && now < m->last_event))
        return cxi_fail(CX_EORDER, "%s: now (%lld ms) is before the last read or event", fn, (long long)now);
    const totals *k;
    switch (measure) {
    case CX_MEASURE_NPS: k = &m->k[EV_NPS]; break;
    case CX_MEASURE_CSAT: k = &m->k[EV_CSAT]; break;
    case CX_MEASURE_CES: k = &m->k[EV_CES]; break;
    case CX_MEASURE_FCR: case CX_MEASURE_FIRST_RESPONSE: case CX_MEASURE_RESOLUTION: k = &m->k[EV_CASE]; break;
    case CX_MEASURE_MISSED_RATE: case CX_MEASURE_ABANDON_RATE: case CX_MEASURE_HANDLE_TIME:
        k = &m->k[EV_CONTACT];
        break;
    default:
        return cxi_fail(CX_EINVAL, "%s: measure %d is not monitored", fn, measure);
    }
    m->last_read = now;
    while (m->count && m->ring[m->head].t <= now - m->window) {
        const event *e = &m->ring[m->head];
        apply(&m->k[e->kind], e, -1);
        m->head = (m->head + 1) & (m->cap - 1);
        m->count--;
    }
    uint64_t cnt = k->n;
    switch (measure) {
    case CX_MEASURE_NPS: *out = k->n ? 100.0 * ((double)k->good - (double)k->bad) / (double)k->n : NAN; break;
    case CX_MEASURE_CSAT: *out = ratio(k->good, k->n, 100); break;
    case CX_MEASURE_CES: *out = k->n ? k->sum / (double)k->n : NAN; break;
    case CX_MEASURE_FCR: *out = ratio(k->first, k->n, 100); break;
    case CX_MEASURE_FIRST_RESPONSE:
        *out = k->responded ? (double)k->resp / (double)k->responded : NAN;
        cnt = k->responded;
        break;
    case CX_MEASURE_RESOLUTION: *out = k->n ? (double)k->dur / (double)k->n : NAN; break;
    case CX_MEASURE_MISSED_RATE: *out = ratio(k->missed, k->n, 100); break;
    case CX_MEASURE_ABANDON_RATE: *out = ratio(k->abandoned, k->n, 100); break;
    default:
        *out = k->handled ? (double)k->dur / (double)k->handled : NAN;
        cnt = k->handled;
        break;
    }
    if (n)
        *n = cnt;
    return CX_OK;
}
