/*
 * Kaplan-Meier curves with Greenwood confidence bands, medians and the
 * log-rank test. The curves are built from (group, time, event) records
 * sorted once; each group's steps are stored contiguously.
 */
#include "lifecycle_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct km_group {
    char *label;
    size_t label_len;
    uint64_t subjects, events;
    size_t first, nsteps;
} km_group;

struct cx_survival {
    cxi_mem mem;
    size_t ngroups, nsteps;
    km_group *g;
    double *time, *surv, *lo, *hi;
    uint64_t *at_risk, *ev, *cens;
};

static int cmp_rec(const void *a, const void *b)
{
    const cxi_km_rec *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (y->event > x->event) - (y->event < x->event);
}

static void band(double *lo, double *hi, double s, double v, double z, int kind)
{
    if (s <= 0 || !isfinite(v)) {
        /* Greenwood's variance is undefined once everyone has failed (R: NA) */
        *lo = *hi = NAN;
        return;
    }
    if (s >= 1 || v == 0) {
        *lo = *hi = s;
        return;
    }
    double se = sqrt(v);
    switch (kind) {
    case CX_BAND_PLAIN:
        *lo = fmax(0, s - z * s * se);
        *hi = fmin(1, s + z * s * se);
        break;
    case CX_BAND_LOG:
        *lo = s * exp(-z * se);
        *hi = fmin(1, s * exp(z * se));
        break;
    default: {
        double ls = log(s), th = se / fabs(ls);
        *lo = pow(s, exp(z * th));
        *hi = pow(s, exp(-z * th));
        break;
    }
    }
}

void cx_survival_free(cx_survival *s)
{
    if (!s)
        return;
    cxi_mem mem = s->mem;
    for (size_t i = 0; i < s->ngroups; i++)
        cxi_free(&mem, s->g[i].label, s->g[i].label_len + 1);
    cxi_free(&mem, s->g, s->ngroups * sizeof *s->g);
    size_t n = s->nsteps;
    cxi_free(&mem, s->time, n * sizeof(double));
    cxi_free(&mem, s->surv, n * sizeof(double));
    cxi_free(&mem, s->lo, n * sizeof(double));
    cxi_free(&mem, s->hi, n * sizeof(double));
    cxi_free(&mem, s->at_risk, n * sizeof(uint64_t));
    cxi_free(&mem, s->ev, n * sizeof(uint64_t));
    cxi_free(&mem, s->cens, n * sizeof(uint64_t));
    cxi_free(&mem, s, sizeof *s);
}

int cxi_km_build(cx_survival **out, cxi_mem mem, cxi_km_rec *rec, size_t n, double level, int kind,
                 const char *(*label)(void *ctx, uint64_t group, char *buf), void *ctx, const char *fn)
{
    qsort(rec, n, sizeof *rec, cmp_rec);
    size_t ngroups = 0, nsteps = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || rec[i].group != rec[i - 1].group) {
            ngroups++;
            nsteps++;
        } else if (rec[i].time != rec[i - 1].time) {
            nsteps++;
        }
    }
    cx_survival *s = cxi_alloc(&mem, sizeof *s);
    if (!s)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    memset(s, 0, sizeof *s);
    s->mem = mem;
    s->g = cxi_alloc(&s->mem, ngroups * sizeof *s->g);
    if (s->g)
        memset(s->g, 0, ngroups * sizeof *s->g);
    s->ngroups = s->g ? ngroups : 0;
    s->time = cxi_alloc(&s->mem, nsteps * sizeof(double));
    s->surv = cxi_alloc(&s->mem, nsteps * sizeof(double));
    s->lo = cxi_alloc(&s->mem, nsteps * sizeof(double));
    s->hi = cxi_alloc(&s->mem, nsteps * sizeof(double));
    s->at_risk = cxi_alloc(&s->mem, nsteps * sizeof(uint64_t));
    s->ev = cxi_alloc(&s->mem, nsteps * sizeof(uint64_t));
    s->cens = cxi_alloc(&s->mem, nsteps * sizeof(uint64_t));
    s->nsteps = nsteps;
    if (!s->g || !s->time || !s->surv || !s->lo || !s->hi || !s->at_risk || !s->ev || !s->cens) {
        cx_survival_free(s);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    double z = cxi_level_z(level);
    size_t gi = 0, st = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && rec[j].group == rec[i].group)
            j++;
        km_group *g = &s->g[gi++];
        char buf[32];
        const char *l = label(ctx, rec[i].group, buf);
        if (l) {
            g->label_len = strlen(l);
            if (!(g->label = cxi_alloc(&s->mem, g->label_len + 1))) {
                cx_survival_free(s);
                return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
            }
            memcpy(g->label, l, g->label_len + 1);
        }
        g->subjects = j - i;
        g->first = st;
        uint64_t risk = j - i;
        double S = 1, V = 0;
        for (size_t k = i; k < j;) {
            size_t m = k;
            uint64_t d = 0;
            while (m < j && rec[m].time == rec[k].time)
                d += rec[m++].event;
            uint64_t c = (m - k) - d;
            if (d) {
                S *= 1 - (double)d / (double)risk;
                V += risk > d ? (double)d / ((double)risk * (double)(risk - d)) : INFINITY;
            }
            s->time[st] = rec[k].time;
            s->surv[st] = S;
            band(&s->lo[st], &s->hi[st], S, V, z, kind);
            s->at_risk[st] = risk;
            s->ev[st] = d;
            s->cens[st] = c;
            g->events += d;
            st++;
            risk -= m - k;
            k = m;
        }
        g->nsteps = st - g->first;
        i = j;
    }
    *out = s;
    return CX_OK;
}

static const char *int_label(void *ctx, uint64_t group, char *buf)
{
    (void)ctx;
    snprintf(buf, 32, "%llu", (unsigned long long)group);
    return buf;
}

int cx_survival_new(cx_survival **out, const double *time, const int *event, const int *group, size_t n,
                    double level, int band_kind)
{
    static const char fn[] = "cx_survival_new";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!time || !event)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !time ? "time" : "event");
    if (n == 0)
        return cxi_fail(CX_ERANGE, "%s: no subject (n = 0)", fn);
    if (!(level > 0 && level < 1))
        return cxi_fail(CX_ERANGE, "%s: level %g is not within (0, 1)", fn, level);
    if (band_kind < CX_BAND_LOG_LOG || band_kind > CX_BAND_PLAIN)
        return cxi_fail(CX_EINVAL, "%s: band %d is not a cx_band", fn, band_kind);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(time[i]) || time[i] < 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: time %g is not a finite duration >= 0", fn, i, time[i]);
        if (event[i] != 0 && event[i] != 1)
            return cxi_fail(CX_ERANGE, "%s: row %zu: event %d is neither 0 nor 1", fn, i, event[i]);
        if (group && group[i] < 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: group %d is negative", fn, i, group[i]);
    }
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    cxi_km_rec *rec = cxi_alloc(&mem, n * sizeof *rec);
    if (!rec)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t i = 0; i < n; i++) {
        rec[i].group = group ? (uint64_t)group[i] : 0;
        rec[i].time = time[i];
        rec[i].event = event[i];
    }
    int rc = cxi_km_build(out, mem, rec, n, level, band_kind, int_label, NULL, fn);
    cxi_free(&mem, rec, n * sizeof *rec);
    return rc;
}

size_t cx_survival_groups(const cx_survival *s) { return s ? s->ngroups : 0; }

static int check_group(const cx_survival *s, size_t group, const char *fn)
{
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: survival is NULL", fn);
    if (group >= s->ngroups)
        return cxi_fail(CX_ERANGE, "%s: group %zu is out of range (%zu groups)", fn, group, s->ngroups);
    return CX_OK;
}

int cx_survival_group(const char **label, uint64_t *subjects, uint64_t *events, const cx_survival *s, size_t group)
{
    int rc = check_group(s, group, "cx_survival_group");
    if (rc)
        return rc;
    if (label)
        *label = s->g[group].label;
    if (subjects)
        *subjects = s->g[group].subjects;
    if (events)
        *events = s->g[group].events;
    return CX_OK;
}

size_t cx_survival_steps(const cx_survival *s, size_t group)
{
    return s && group < s->ngroups ? s->g[group].nsteps : 0;
}

int cx_survival_step(double *time, double *surv, double *lo, double *hi, uint64_t *at_risk, uint64_t *events,
                     uint64_t *censored, const cx_survival *s, size_t group, size_t index)
{
    static const char fn[] = "cx_survival_step";
    int rc = check_group(s, group, fn);
    if (rc)
        return rc;
    if (index >= s->g[group].nsteps)
        return cxi_fail(CX_ERANGE, "%s: step %zu is out of range (%zu steps)", fn, index, s->g[group].nsteps);
    size_t i = s->g[group].first + index;
    if (time)
        *time = s->time[i];
    if (surv)
        *surv = s->surv[i];
    if (lo)
        *lo = s->lo[i];
    if (hi)
        *hi = s->hi[i];
    if (at_risk)
        *at_risk = s->at_risk[i];
    if (events)
        *events = s->ev[i];
    if (censored)
        *censored = s->cens[i];
    return CX_OK;
}

int cx_survival_at(double *surv, double *lo, double *hi, const cx_survival *s, size_t group, double t)
{
    static const char fn[] = "cx_survival_at";
    if (!surv)
        return cxi_fail(CX_EINVAL, "%s: surv is NULL", fn);
    int rc = check_group(s, group, fn);
    if (rc)
        return rc;
    if (!isfinite(t))
        return cxi_fail(CX_ERANGE, "%s: t %g is not finite", fn, t);
    const km_group *g = &s->g[group];
    /* the last step at or before t */
    size_t a = 0, b = g->nsteps;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (s->time[g->first + m] <= t)
            a = m + 1;
        else
            b = m;
    }
    if (a == 0) {
        *surv = 1;
        if (lo)
            *lo = 1;
        if (hi)
            *hi = 1;
        return CX_OK;
    }
    size_t i = g->first + a - 1;
    *surv = s->surv[i];
    if (lo)
        *lo = s->lo[i];
    if (hi)
        *hi = s->hi[i];
    return CX_OK;
}

int cx_survival_median(double *median, double *lo, double *hi, const cx_survival *s, size_t group)
{
    static const char fn[] = "cx_survival_median";
    if (!median)
        return cxi_fail(CX_EINVAL, "%s: median is NULL", fn);
    int rc = check_group(s, group, fn);
    if (rc)
        return rc;
    const km_group *g = &s->g[group];
    double m = NAN, l = NAN, h = NAN;
    for (size_t k = 0; k < g->nsteps; k++) {
        size_t i = g->first + k;
        if (isnan(m) && s->surv[i] <= 0.5)
            m = s->time[i];
        if (isnan(l) && s->lo[i] <= 0.5)
            l = s->time[i];
        if (isnan(h) && s->hi[i] <= 0.5)
            h = s->time[i];
    }
    *median = m;
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
    return CX_OK;
}

/* Solves A x = b (k x k, k <= 64) by Gaussian elimination with partial
 * pivoting; returns false when A is singular. */
static bool solve(double *A, double *b, size_t k)
{
    for (size_t c = 0; c < k; c++) {
        size_t p = c;
        for (size_t r = c + 1; r < k; r++)
            if (fabs(A[r * k + c]) > fabs(A[p * k + c]))
                p = r;
        if (!(fabs(A[p * k + c]) > 1e-12))
            return false;
        if (p != c) {
            for (size_t j = 0; j < k; j++) {
                double t = A[c * k + j];
                A[c * k + j] = A[p * k + j];
                A[p * k + j] = t;
            }
            double t = b[c];
            b[c] = b[p];
            b[p] = t;
        }
        for (size_t r = c + 1; r < k; r++) {
            double f = A[r * k + c] / A[c * k + c];
            for (size_t j = c; j < k; j++)
                A[r * k + j] -= f * A[c * k + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = k; c-- > 0;) {
        for (size_t j = c + 1; j < k; j++)
            b[c] -= A[c * k + j] * b[j];
        b[c] /= A[c * k + c];
    }
    return true;
}

#define MAX_LOGRANK_GROUPS 64

int cx_survival_logrank(double *chi2, double *p, uint64_t *df, const cx_survival *s)
{
    static const char fn[] = "cx_survival_logrank";
    if (!chi2)
        return cxi_fail(CX_EINVAL, "%s: chi2 is NULL", fn);
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: survival is NULL", fn);
    size_t k = s->ngroups;
    if (k < 2)
        return cxi_fail(CX_ERANGE, "%s: the test needs at least two groups, there are %zu", fn, k);
    if (k > MAX_LOGRANK_GROUPS)
        return cxi_fail(CX_ERANGE, "%s: at most %d groups, there are %zu", fn, MAX_LOGRANK_GROUPS, k);
    size_t pos[MAX_LOGRANK_GROUPS];
    double oe[MAX_LOGRANK_GROUPS], V[(MAX_LOGRANK_GROUPS - 1) * (MAX_LOGRANK_GROUPS - 1)];
    double ng[MAX_LOGRANK_GROUPS], dg[MAX_LOGRANK_GROUPS];
    memset(pos, 0, sizeof pos);
    memset(oe, 0, sizeof oe);
    memset(V, 0, sizeof V);
    uint64_t total_events = 0;
    size_t m = k - 1;
    for (;;) {
        /* the next time any group has a step at */
        double t = INFINITY;
        for (size_t g = 0; g < k; g++)
            if (pos[g] < s->g[g].nsteps && s->time[s->g[g].first + pos[g]] < t)
                t = s->time[s->g[g].first + pos[g]];
        if (t == INFINITY)
            break;
        double N = 0, D = 0;
        for (size_t g = 0; g < k; g++) {
            ng[g] = dg[g] = 0;
            if (pos[g] < s->g[g].nsteps) {
                size_t i = s->g[g].first + pos[g];
                ng[g] = (double)s->at_risk[i];
                if (s->time[i] == t) {
                    dg[g] = (double)s->ev[i];
                    pos[g]++;
                }
            }
            N += ng[g];
            D += dg[g];
        }
        if (D == 0)
            continue;
        total_events += (uint64_t)D;
        double f = N > 1 ? D * (N - D) / (N - 1) : 0;
        for (size_t g = 0; g < k; g++)
            oe[g] += dg[g] - D * ng[g] / N;
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++)
                V[a * m + b] += f * ng[a] / N * ((a == b) - ng[b] / N);
    }
    if (total_events == 0)
        return cxi_fail(CX_ERANGE, "%s: no event in any group", fn);
    double x[MAX_LOGRANK_GROUPS];
    memcpy(x, oe, m * sizeof *x);
    if (!solve(V, x, m))
        return cxi_fail(CX_ERANGE, "%s: the variance matrix is singular (a group without subjects at risk at any event)",
                        fn);
    double c = 0;
    for (size_t a = 0; a < m; a++)
        c += oe[a] * x[a];
    *chi2 = c;
    if (p)
        *p = cxi_gamma_q(m / 2.0, c / 2);
    if (df)
        *df = m;
    return CX_OK;
}
